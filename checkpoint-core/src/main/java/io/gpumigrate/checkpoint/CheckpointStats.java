package io.gpumigrate.checkpoint;

/**
 * What a dump or restore moved.
 *
 * @param chunks       chunks written or read
 * @param zeroChunks   of which all-zero markers
 * @param zstdChunks   of which compressed
 * @param rawBytes     bytes of device memory covered
 * @param storedBytes  bytes of chunk payload stored (headers excluded)
 * @param seconds      wall time of the memory phase
 */
public record CheckpointStats(long chunks, long zeroChunks, long zstdChunks, long rawBytes, long storedBytes,
                              double seconds) {

    /** Device bytes per second. */
    public double bytesPerSecond() {
        return seconds > 0 ? rawBytes / seconds : 0;
    }

    /** Tallies chunks as they pass. Not thread-safe. */
    static final class Tally {
        private long chunks;
        private long zero;
        private long zstd;
        private long raw;
        private long stored;

        void add(EncodedChunk chunk) {
            chunks++;
            raw += chunk.rawLength();
            stored += chunk.payloadLength();
            switch (chunk.encoding()) {
                case ZERO -> zero++;
                case ZSTD -> zstd++;
                case RAW -> { }
            }
        }

        CheckpointStats stats(double seconds) {
            return new CheckpointStats(chunks, zero, zstd, raw, stored, seconds);
        }
    }
}
