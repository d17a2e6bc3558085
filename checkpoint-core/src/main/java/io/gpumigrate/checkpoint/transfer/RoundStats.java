package io.gpumigrate.checkpoint.transfer;

/**
 * What one round of a transfer moved.
 *
 * @param round           1 for the first round
 * @param chunksExamined  chunks of every allocation, hashed on the source
 * @param chunksSent      of which dirty, and sent
 * @param zeroChunks      sent chunks that were all zero (markers)
 * @param zstdChunks      sent chunks that were compressed
 * @param rawBytes        device bytes the sent chunks cover
 * @param wireBytes       payload bytes that went on the wire (frame headers excluded)
 * @param seconds         wall time of the round, hashing included
 */
public record RoundStats(int round, long chunksExamined, long chunksSent, long zeroChunks, long zstdChunks,
                         long rawBytes, long wireBytes, double seconds) {

    /** Device bytes per second. */
    public double bytesPerSecond() {
        return seconds > 0 ? rawBytes / seconds : 0;
    }
}
