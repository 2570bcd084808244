package io.faultfabric.engine;

/** PCIe requester id: 16 bits, bus (8) : device (5) : function (3). */
public record Rid(int value) {
    public static final int MAX = 0xFFFF;

    public Rid {
        check(value, "rid");
    }

    public static Rid of(int bus, int device, int function) {
        if (bus < 0 || bus > 0xFF) throw new IllegalArgumentException("bus must be 0..255, was " + bus);
        if (device < 0 || device > 0x1F) throw new IllegalArgumentException("device must be 0..31, was " + device);
        if (function < 0 || function > 7) throw new IllegalArgumentException("function must be 0..7, was " + function);
        return new Rid((bus << 8) | (device << 3) | function);
    }

    /** Range check for hot paths that carry the raw int. */
    public static int check(int value, String argument) {
        if (value < 0 || value > MAX) {
            throw new IllegalArgumentException(argument + " must be a 16-bit requester id 0..65535, was " + value);
        }
        return value;
    }

    public int bus() { return value >>> 8; }
    public int device() { return (value >>> 3) & 0x1F; }
    public int function() { return value & 7; }

    @Override
    public String toString() {
        return String.format("%02x:%02x.%d", bus(), device(), function());
    }
}
