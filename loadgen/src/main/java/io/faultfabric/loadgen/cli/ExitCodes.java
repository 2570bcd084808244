package io.faultfabric.loadgen.cli;

/** The exit codes of {@code faultfabric}, as its {@code --help} lists them. */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int ASSERTION_FAILED = 1;
    public static final int BAD_INPUT = 2;
    /** Not an assertion failure: CI must be able to tell a bug from a failed check. */
    public static final int INTERNAL_ERROR = 3;

    private ExitCodes() {}
}
