package io.gpumigrate.worker;

import java.util.Optional;

/**
 * The lines a worker prints on its standard output for its agent, one event per line; the
 * worker's logs go to standard error. Shared by both sides so they cannot drift apart.
 *
 * <pre>
 * gpumigrate-worker ready PORT BACKEND         (a warm worker: backend open, waiting for its session)
 * gpumigrate-worker listening PORT BACKEND
 * gpumigrate-worker stats LAST_APPLIED_SEQ CALLS_EXECUTED DEVICE_MEMORY_IN_USE
 * gpumigrate-worker device FREE TOTAL           (a GPU's memory as the driver reports it, in bytes)
 * gpumigrate-worker ended REASON...
 * </pre>
 *
 * Thread-safe (immutable).
 */
public record WorkerReport(Type type, long[] values, String text) {

    public enum Type { READY, LISTENING, STATS, DEVICE, ENDED }

    private static final String PREFIX = "gpumigrate-worker ";

    /** @param backend {@code cuda} or {@code emulator} */
    public static String listening(int port, String backend) {
        return PREFIX + "listening " + port + " " + backend;
    }

    /** A warm worker's first line: it listens and its backend is open; {@code backend} as for {@link #listening}. */
    public static String ready(int port, String backend) {
        return PREFIX + "ready " + port + " " + backend;
    }

    public static String stats(SessionStats s) {
        return PREFIX + "stats " + s.lastAppliedSeq() + " " + s.callsExecuted() + " " + s.deviceMemoryInUse();
    }

    /** The device's free and total memory, as the driver reports them (shared by every process on it). */
    public static String device(long free, long total) {
        return PREFIX + "device " + free + " " + total;
    }

    public static String ended(String reason) {
        return PREFIX + "ended " + reason.replace('\n', ' ');
    }

    /** The report a line carries, or empty for any other line (or a malformed one). */
    public static Optional<WorkerReport> parse(String line) {
        if (line == null || !line.startsWith(PREFIX)) {
            return Optional.empty();
        }
        String[] words = line.substring(PREFIX.length()).split(" ", 2);
        try {
            return switch (words[0]) {
                case "listening", "ready" -> {
                    String[] w = words[1].trim().split(" ", 2);
                    yield Optional.of(new WorkerReport(words[0].equals("ready") ? Type.READY : Type.LISTENING, new long[] {Integer.parseInt(w[0])},
                            w.length > 1 ? w[1] : "unknown"));
                }
                case "stats" -> {
                    String[] n = words[1].trim().split(" ");
                    yield Optional.of(new WorkerReport(Type.STATS, new long[] {
                            Long.parseUnsignedLong(n[0]), Long.parseLong(n[1]), Long.parseLong(n[2])}, null));
                }
                case "device" -> {
                    String[] n = words[1].trim().split(" ");
                    yield Optional.of(new WorkerReport(Type.DEVICE, new long[] {Long.parseLong(n[0]), Long.parseLong(n[1])}, null));
                }
                case "ended" -> Optional.of(new WorkerReport(Type.ENDED, new long[0],
                        words.length > 1 ? words[1] : ""));
                default -> Optional.empty();
            };
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
