package io.faultfabric.engine;

/** Process address space id: 20 bits (0 .. 1,048,575). */
public record Pasid(int value) {
    public static final int MAX = (1 << 20) - 1;
    public static final int COUNT = 1 << 20;

    public Pasid {
        check(value, "pasid");
    }

    public static int check(int value, String argument) {
        if (value < 0 || value > MAX) {
            throw new IllegalArgumentException(argument + " must be a 20-bit PASID 0..1048575, was " + value);
        }
        return value;
    }

    @Override
    public String toString() { return "pasid " + value; }
}
