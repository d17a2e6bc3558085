package io.gpumigrate.ptx;

import java.util.Locale;

/**
 * Formats device-side {@code printf} output as C would: the format string's conversions
 * ({@code %d %i %u %x %X %o %c %s %p %f %F %e %E %g %G %a %A %%}, with flags, width,
 * precision and {@code hh h l ll z j t} length modifiers) take their values from the argument
 * buffer nvcc builds, where each value sits at its own alignment ({@code int} and {@code char}
 * in 4 bytes, {@code long}, pointers and {@code double} in 8; a {@code float} is passed as a
 * {@code double}). Stateless.
 */
final class DeviceFormatter {

    /** Reads {@code size} bytes at a generic device address, zero-extended. */
    interface Memory {
        long read(long addr, int size);
    }

    /** Reads the NUL-terminated string at a generic device address. */
    interface Strings {
        String read(long addr);
    }

    /** The formatted text and the number of arguments it consumed (what device printf returns). */
    record Result(String text, int arguments) {
    }

    private DeviceFormatter() {
    }

    static Result format(String format, Memory memory, Strings strings, long args) {
        StringBuilder out = new StringBuilder();
        long at = args;
        int consumed = 0;
        int i = 0;
        while (i < format.length()) {
            char ch = format.charAt(i++);
            if (ch != '%') {
                out.append(ch);
                continue;
            }
            int start = i;
            while (i < format.length() && "-+ #0".indexOf(format.charAt(i)) >= 0) {
                i++;
            }
            String flags = format.substring(start, i);
            start = i;
            while (i < format.length() && (Character.isDigit(format.charAt(i)) || format.charAt(i) == '.')) {
                i++;
            }
            String widthAndPrecision = format.substring(start, i);
            int longs = 0;
            while (i < format.length() && "hlzjtL".indexOf(format.charAt(i)) >= 0) {
                longs += "lzjtL".indexOf(format.charAt(i)) >= 0 ? 1 : 0;
                i++;
            }
            if (i >= format.length()) {
                out.append('%').append(flags).append(widthAndPrecision);
                break;
            }
            char conv = format.charAt(i++);
            if (conv == '%') {
                out.append('%');
                continue;
            }
            boolean wide = longs > 0 || "fFeEgGaAsp".indexOf(conv) >= 0;
            int size = wide ? 8 : 4;
            at = (at + size - 1) & -size;
            long raw = memory.read(at, size);
            at += size;
            consumed++;
            out.append(convert(conv, flags, widthAndPrecision, raw, wide, strings));
        }
        return new Result(out.toString(), consumed);
    }

    private static String convert(char conv, String flags, String widthAndPrecision, long raw, boolean wide,
                                  Strings strings) {
        String spec = "%" + flags + widthAndPrecision;
        try {
            return switch (conv) {
                case 'd', 'i' -> String.format(Locale.ROOT, spec + "d", wide ? raw : (long) (int) raw);
                case 'u' -> String.format(Locale.ROOT, spec.replace("+", "").replace(" ", "") + "d",
                        new java.math.BigInteger(Long.toUnsignedString(wide ? raw : raw & 0xFFFF_FFFFL)));
                case 'x', 'X', 'o' -> String.format(Locale.ROOT, spec + conv, wide ? raw : raw & 0xFFFF_FFFFL);
                case 'c' -> String.format(Locale.ROOT, spec.replace("0", "") + "c", (char) (raw & 0xFF));
                case 's' -> String.format(Locale.ROOT, spec + "s", strings.read(raw));
                case 'p' -> "0x" + Long.toHexString(raw);
                case 'f', 'F', 'e', 'E', 'g', 'G', 'a', 'A' -> {
                    double v = Double.longBitsToDouble(raw);
                    char c = conv == 'F' ? 'f' : conv;
                    yield Double.isFinite(v) ? String.format(Locale.ROOT, spec + c, v)
                            : Double.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
                }
                default -> "%" + flags + widthAndPrecision + conv;
            };
        } catch (java.util.IllegalFormatException e) {
            return "%" + flags + widthAndPrecision + conv;
        }
    }
}
