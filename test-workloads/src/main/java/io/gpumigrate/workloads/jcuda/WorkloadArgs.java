package io.gpumigrate.workloads.jcuda;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Integer flags of the form {@code --name N}, each with a default and an allowed range, as
 * the C workloads take them. Not thread-safe; build, parse once, then read.
 */
final class WorkloadArgs {
    private record Flag(long defaultValue, long min, long max, String help) {
    }

    private final String workload;
    private final Map<String, Flag> flags = new LinkedHashMap<>();
    private final Map<String, Long> values = new LinkedHashMap<>();

    WorkloadArgs(String workload) {
        this.workload = workload;
    }

    /** Declares {@code --name N} with its default and inclusive range. */
    WorkloadArgs flag(String name, long defaultValue, long min, long max, String help) {
        flags.put(name, new Flag(defaultValue, min, max, help));
        values.put(name, defaultValue);
        return this;
    }

    /**
     * Parses {@code args}.
     *
     * @throws IllegalArgumentException naming the bad flag or value and the allowed range
     */
    WorkloadArgs parse(String... args) {
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            Flag flag = arg.startsWith("--") ? flags.get(arg.substring(2)) : null;
            if (flag == null) {
                throw new IllegalArgumentException("unknown option " + arg + "\n" + usage());
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + arg + " needs a value");
            }
            String text = args[++i];
            long value;
            try {
                value = Long.decode(text);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not an integer for " + arg + ": " + text);
            }
            if (value < flag.min() || value > flag.max()) {
                throw new IllegalArgumentException(
                        arg + " " + value + " is outside the allowed range " + flag.min() + ".." + flag.max());
            }
            values.put(arg.substring(2), value);
        }
        return this;
    }

    long get(String name) {
        Long value = values.get(name);
        if (value == null) {
            throw new IllegalStateException("flag --" + name + " was never declared");
        }
        return value;
    }

    String usage() {
        StringBuilder text = new StringBuilder("usage: " + workload + " [options]\n");
        flags.forEach((name, flag) -> text.append(String.format("  --%-10s N  %s (default %d, range %d..%d)%n", name,
                flag.help(), flag.defaultValue(), flag.min(), flag.max())));
        return text.toString();
    }
}
