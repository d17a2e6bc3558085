package io.gpumigrate.cli;

import picocli.CommandLine;

import java.time.Duration;
import java.util.Locale;

/** Parses kubectl-style durations for {@code --timeout}: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}. Stateless. */
final class DurationOption implements CommandLine.ITypeConverter<Duration> {

    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    static Duration parse(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        try {
            Duration d;
            if (v.endsWith("ms")) {
                d = Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            } else if (v.endsWith("s")) {
                d = Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
            } else if (v.endsWith("m")) {
                d = Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
            } else if (v.endsWith("h")) {
                d = Duration.ofHours(Long.parseLong(v.substring(0, v.length() - 1)));
            } else {
                d = Duration.ofSeconds(Long.parseLong(v));
            }
            if (d.isNegative() || d.isZero()) {
                throw new CommandLine.TypeConversionException("duration '" + value + "' must be positive");
            }
            return d;
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("duration '" + value
                    + "' is not a number with a unit: ms, s, m or h (e.g. 30s, 5m)");
        }
    }
}
