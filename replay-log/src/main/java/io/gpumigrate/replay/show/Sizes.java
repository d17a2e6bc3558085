package io.gpumigrate.replay.show;

/** Byte counts for people: "512 B", "4 KiB", "1.5 MiB (1572865)". */
public final class Sizes {

    private static final String[] UNITS = {"KiB", "MiB", "GiB", "TiB"};

    private Sizes() {
    }

    /**
     * Below 1 KiB the exact count; an exact multiple of a unit in that unit; otherwise one
     * decimal in the largest unit that fits, with the exact count after it.
     */
    public static String human(long bytes) {
        if (bytes < 0) {
            return Long.toUnsignedString(bytes) + " B";
        }
        if (bytes < 1024) {
            return bytes + " B";
        }
        int unit = -1;
        double v = bytes;
        while (unit + 1 < UNITS.length && v >= 1024) {
            v /= 1024;
            unit++;
        }
        long scale = 1L << (10 * (unit + 1));
        if (bytes % scale == 0) {
            return (bytes / scale) + " " + UNITS[unit];
        }
        return String.format("%.1f %s (%d)", v, UNITS[unit], bytes);
    }
}
