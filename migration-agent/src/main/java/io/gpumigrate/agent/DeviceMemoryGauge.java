package io.gpumigrate.agent;

import java.util.function.LongSupplier;

/**
 * How much device memory a node can still give a session, for placement and {@code node list}.
 *
 * <p>Counted: the capacity {@link ClusterOptions} gives, less what the node's live sessions hold.
 * That is all an emulator node has (each emulated worker has a device of its own). On a GPU the
 * device is shared, by this node's workers (each with its context) and by whatever else runs
 * there, so the workers report what the driver says ({@code cuMemGetInfo}: a {@code device}
 * report line) when they open the device and when their allocations change. Then the free
 * memory is the smaller of the counted figure and the last reported one, less what the
 * sessions allocated since that report and plus what they freed since (a session that ended
 * included: its worker, gone, reports nothing more); and, unless the capacity was given explicitly, the
 * capacity is the device's total.
 *
 * <p>Thread-safe.
 */
final class DeviceMemoryGauge {

    private final long configured;
    private final boolean configuredIsLimit;
    private final LongSupplier sessionsHold;
    /** The last report, and what the sessions held when it came; guarded by {@code this}. */
    private long reportedFree = -1;
    private long reportedTotal;
    private long heldAtReport;

    /**
     * @param configured        the capacity the node was given, or the default one
     * @param configuredIsLimit whether {@code configured} was given explicitly (it then caps the
     *                          device's total); otherwise the reported total replaces it
     * @param sessionsHold      bytes the node's live sessions hold now
     */
    DeviceMemoryGauge(long configured, boolean configuredIsLimit, LongSupplier sessionsHold) {
        this.configured = configured;
        this.configuredIsLimit = configuredIsLimit;
        this.sessionsHold = sessionsHold;
    }

    /** A worker's report of the device: {@code free} of {@code total} bytes, as the driver said just now. */
    void reported(long free, long total) {
        if (free < 0 || total <= 0 || free > total) {
            throw new IllegalArgumentException("device memory report " + free + " free of " + total);
        }
        long held = sessionsHold.getAsLong();
        synchronized (this) {
            reportedFree = free;
            reportedTotal = total;
            heldAtReport = held;
        }
    }

    /** The bytes a new session can still get here (never negative). */
    long free() {
        long held = sessionsHold.getAsLong();
        synchronized (this) {
            long counted = capacity() - held;
            if (reportedFree >= 0) {
                // what the sessions allocated since the report is taken off, what they freed (or a
                // session that ended, whose worker will not report again) is given back
                counted = Math.min(counted, reportedFree - (held - heldAtReport));
            }
            return Math.max(0, counted);
        }
    }

    /** The node's capacity: as configured, or the device's total once reported (capped by an explicit limit). */
    synchronized long capacity() {
        if (reportedFree < 0) {
            return configured;
        }
        return configuredIsLimit ? Math.min(configured, reportedTotal) : reportedTotal;
    }

    /** Whether a worker has reported the device (a GPU node). */
    synchronized boolean reported() {
        return reportedFree >= 0;
    }
}
