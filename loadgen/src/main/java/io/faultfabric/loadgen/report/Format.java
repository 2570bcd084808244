package io.faultfabric.loadgen.report;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;

/** Number formatting for people: grouped counts, compact axis labels, binary byte sizes. Always Locale.ROOT. */
final class Format {
    private static final String[] SI_SUFFIXES = {"", "k", "M", "G", "T", "P", "E"};
    private static final String BINARY_PREFIXES = "KMGTPE";
    private static final int SI_STEP = 1000;
    private static final int BITS_PER_BINARY_PREFIX = 10;
    private static final int LABEL_DECIMALS = 2;

    private Format() {}

    /** 14812345 becomes "14,812,345". */
    static String count(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }

    static String decimal(double value, int decimals) {
        return String.format(Locale.ROOT, "%,." + decimals + "f", value);
    }

    /** 1500000 becomes "1.5M", 2.5 stays "2.5": short labels for chart ticks. */
    static String compact(double value) {
        int unit = 0;
        while (Math.abs(value) >= SI_STEP && unit < SI_SUFFIXES.length - 1) {
            value /= SI_STEP;
            unit++;
        }
        return plain(value) + SI_SUFFIXES[unit];
    }

    /** At most two decimals, trailing zeros dropped. */
    static String plain(double value) {
        return BigDecimal.valueOf(value).setScale(LABEL_DECIMALS, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
    }

    /** 1610612736 becomes "1.5 GiB". */
    static String bytes(long bytes) {
        int exponent = (Long.SIZE - 1 - Long.numberOfLeadingZeros(Math.max(bytes, 1))) / BITS_PER_BINARY_PREFIX;
        if (exponent == 0) return bytes + " B";
        return String.format(Locale.ROOT, "%.1f %siB",
                Math.scalb((double) bytes, -exponent * BITS_PER_BINARY_PREFIX), BINARY_PREFIXES.charAt(exponent - 1));
    }
}
