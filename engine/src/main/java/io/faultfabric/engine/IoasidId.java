package io.faultfabric.engine;

/** Engine-wide id of one I/O address space (a page table) with one owner at a time. */
public record IoasidId(int value) {
    public IoasidId {
        check(value, "ioasid");
    }

    public static int check(int value, String argument) {
        if (value < 0) throw new IllegalArgumentException(argument + " must be >= 0, was " + value);
        return value;
    }

    @Override
    public String toString() { return "ioasid " + value; }
}
