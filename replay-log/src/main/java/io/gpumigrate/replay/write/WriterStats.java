package io.gpumigrate.replay.write;

/**
 * A snapshot of a {@link LogWriter}'s counters.
 *
 * @param callsAppended    calls accepted by {@code append}
 * @param callsDropped     calls that could not be logged (over budget past the stall limit, or after a write failure);
 *                         each is inside a {@code LogGap} in the log unless writing had failed
 * @param stalls           appends that had to wait for room
 * @param stallNanos       total time appends spent waiting for room
 * @param blocksWritten    blocks written to segments
 * @param segmentsCreated  segment files created
 * @param segmentBytes     bytes written to segments (headers included)
 * @param rawBytes         bytes of entries before compression
 * @param blobsWritten     distinct payloads written to the blob store
 * @param blobBytes        bytes written to the blob store (headers included)
 * @param blobsDeduplicated payloads that were already in the blob store and were not written again
 * @param pendingBytes     bytes handed to the writer thread and not yet written, now
 */
public record WriterStats(long callsAppended, long callsDropped, long stalls, long stallNanos, long blocksWritten,
                          long segmentsCreated, long segmentBytes, long rawBytes, long blobsWritten, long blobBytes,
                          long blobsDeduplicated, long pendingBytes) {
}
