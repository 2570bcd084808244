package io.faultfabric.engine;

/** Page-aligned faulting address (bits 63:12). */
public final class PageAddress {
    public static final long PAGE_SIZE = 4096;

    private PageAddress() {}

    public static long check(long address, String argument) {
        if ((address & (PAGE_SIZE - 1)) != 0) {
            throw new IllegalArgumentException(argument + " must be 4 KiB aligned (bits 11:0 zero), was 0x" + Long.toHexString(address));
        }
        return address;
    }

    /** 48-bit canonical: bits 63:47 all equal. The IOMMU treats anything else as malformed. */
    public static boolean isCanonical48(long address) {
        long top = address >> 47;
        return top == 0 || top == -1;
    }
}
