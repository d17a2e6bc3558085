package io.gpumigrate.cli;

import java.time.Duration;
import java.util.Locale;

/** Parses the sizes and ages people type: {@code 512M}, {@code 10G}, {@code 7d}, {@code 12h}, {@code 30m}. Stateless. */
final class Limits {

    private Limits() {
    }

    /**
     * Bytes from a number with an optional binary suffix K, M, G or T (also KiB, MB, ...; case ignored).
     *
     * @throws IllegalArgumentException naming the value and the accepted forms
     */
    static long bytes(String option, String value) {
        String v = value.strip().toUpperCase(Locale.ROOT).replace("IB", "").replace("B", "");
        long unit = 1;
        if (!v.isEmpty()) {
            switch (v.charAt(v.length() - 1)) {
                case 'K' -> unit = 1L << 10;
                case 'M' -> unit = 1L << 20;
                case 'G' -> unit = 1L << 30;
                case 'T' -> unit = 1L << 40;
                default -> unit = 1;
            }
        }
        String digits = unit == 1 ? v : v.substring(0, v.length() - 1);
        try {
            long n = Long.parseLong(digits.strip());
            if (n < 0) {
                throw new NumberFormatException();
            }
            return Math.multiplyExact(n, unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(option + " '" + value + "' is not a size: give bytes as N, NK, NM, NG or NT"
                    + " (N at least 0)");
        }
    }

    /**
     * A duration from a positive number with a unit: s, m, h or d.
     *
     * @throws IllegalArgumentException naming the value and the accepted forms
     */
    static Duration duration(String option, String value) {
        String v = value.strip().toLowerCase(Locale.ROOT);
        try {
            long n = Long.parseLong(v.substring(0, v.length() - 1));
            if (n <= 0) {
                throw new NumberFormatException();
            }
            return switch (v.charAt(v.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                case 'd' -> Duration.ofDays(n);
                default -> throw new NumberFormatException();
            };
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(option + " '" + value + "' is not a duration: give Ns, Nm, Nh or Nd"
                    + " with N at least 1");
        }
    }
}
