package io.gpumigrate.replay;

/**
 * One entry of a replay log, in sequence-number order: a call as it crossed the wire, or a gap
 * where the writer had to drop calls. Immutable.
 */
public sealed interface LogEntry permits LoggedCall, LogGap {

    /** The first sequence number this entry covers. */
    long firstSeq();

    /** The last sequence number this entry covers (equal to {@link #firstSeq()} for a call). */
    long lastSeq();
}
