package io.gpumigrate.replay;

/**
 * Calls that reached the writer but were not logged, because its queue stayed over budget longer
 * than the configured stall limit, or because writing had failed. The session itself went on;
 * a replay can only run up to {@code firstSeq - 1}.
 *
 * @param firstSeq the first dropped call's sequence number
 * @param lastSeq  the last dropped call's sequence number
 * @param count    how many calls were dropped between the two (sequence numbers may skip)
 */
public record LogGap(long firstSeq, long lastSeq, long count) implements LogEntry {

    public LogGap {
        if (firstSeq > lastSeq || count < 1) {
            throw new IllegalArgumentException("gap " + firstSeq + ".." + lastSeq + " of " + count
                    + " calls: need firstSeq <= lastSeq and count >= 1");
        }
    }
}
