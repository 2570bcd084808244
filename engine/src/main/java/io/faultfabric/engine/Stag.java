package io.faultfabric.engine;

/** SMMUv3 stall tag of one stalled transaction: 16 bits. */
public record Stag(int value) {
    public static final int MAX = 0xFFFF;

    public Stag {
        check(value, "stag");
    }

    public static int check(int value, String argument) {
        if (value < 0 || value > MAX) throw new IllegalArgumentException(argument + " must be a 16-bit stall tag 0..65535, was " + value);
        return value;
    }
}
