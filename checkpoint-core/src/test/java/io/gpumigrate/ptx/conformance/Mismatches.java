package io.gpumigrate.ptx.conformance;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects every wrong result of a kernel instead of stopping at the first, so that one run
 * names all the operations an engine gets wrong: {@link #assertNone()} fails with, per
 * operation, how many results were wrong, followed by the first few examples.
 * Not thread-safe; one per test.
 */
final class Mismatches {

    /** A check that throws {@link AssertionError} when it fails. */
    interface Check {
        void run();
    }

    private static final int EXAMPLES = 12;

    private final String kernel;
    private final Map<String, int[]> perOperation = new LinkedHashMap<>();
    private final List<String> examples = new ArrayList<>();

    Mismatches(String kernel) {
        this.kernel = kernel;
    }

    void equal(String operation, long expected, long actual, String inputs) {
        int[] counts = perOperation.computeIfAbsent(operation, k -> new int[2]);
        counts[1]++;
        if (expected != actual) {
            counts[0]++;
            example(operation + " " + inputs + ": expected " + expected + " (0x" + Long.toHexString(expected)
                    + ") but was " + actual + " (0x" + Long.toHexString(actual) + ")");
        }
    }

    /** Runs an assertion (from {@link FloatChecks} or JUnit) and records its failure under {@code operation}. */
    void check(String operation, Check check) {
        int[] counts = perOperation.computeIfAbsent(operation, k -> new int[2]);
        counts[1]++;
        try {
            check.run();
        } catch (AssertionError e) {
            counts[0]++;
            example(operation + ": " + e.getMessage());
        }
    }

    private void example(String text) {
        if (examples.size() < EXAMPLES) {
            examples.add(text);
        }
    }

    void assertNone() {
        StringBuilder summary = new StringBuilder();
        perOperation.forEach((op, counts) -> {
            if (counts[0] > 0) {
                summary.append(summary.isEmpty() ? "" : ", ").append(op).append(' ').append(counts[0]).append('/').append(counts[1]);
            }
        });
        if (!summary.isEmpty()) {
            fail(kernel + ": wrong results (operation wrong/checked): " + summary + "\n  first examples:\n    "
                    + String.join("\n    ", examples));
        }
    }
}
