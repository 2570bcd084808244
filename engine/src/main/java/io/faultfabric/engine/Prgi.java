package io.faultfabric.engine;

/** Page request group index: 9 bits (0 .. 511), unique among a device's outstanding groups. */
public record Prgi(int value) {
    public static final int MAX = 511;
    public static final int COUNT = 512;

    public Prgi {
        check(value, "prgi");
    }

    public static int check(int value, String argument) {
        if (value < 0 || value > MAX) {
            throw new IllegalArgumentException(argument + " must be a 9-bit PRGI 0..511, was " + value);
        }
        return value;
    }

    @Override
    public String toString() { return "prgi " + value; }
}
