package io.gpumigrate.checkpoint;

/**
 * When the chunk codec compresses. A chunk is compressed only where compressing a sample of
 * it (a few slices spread over the chunk, {@code sampleBytes} in all) shrinks the sample by
 * at least {@code minRatio}; otherwise it goes raw, since float32 model data shrinks by
 * only ~1.07x at zstd level 1 and compressing it would cost more time than it saves on the link.
 *
 * @param level        zstd level, 1 (fastest) to 22
 * @param sampleBytes  bytes compressed to estimate the ratio, 4096 to 1 MiB
 * @param minRatio     raw / compressed size of the sample at which compressing pays, >= 1.0
 */
public record CompressionPolicy(int level, int sampleBytes, double minRatio) {

    /** Level 1, a 64 KiB sample, compress when it shrinks the sample by 1.25x or more. */
    public static final CompressionPolicy DEFAULT = new CompressionPolicy(1, 64 * 1024, 1.25);

    /** Never compress (zero chunks are still sent as markers). */
    public static final CompressionPolicy NEVER = new CompressionPolicy(1, 64 * 1024, Double.POSITIVE_INFINITY);

    public CompressionPolicy {
        if (level < 1 || level > 22) {
            throw new IllegalArgumentException("zstd level " + level + " is outside 1 to 22");
        }
        if (sampleBytes < 4096 || sampleBytes > 1 << 20) {
            throw new IllegalArgumentException("sample of " + sampleBytes + " bytes is outside 4096 to 1048576");
        }
        if (!(minRatio >= 1.0)) {
            throw new IllegalArgumentException("minimum compression ratio " + minRatio + " must be >= 1.0");
        }
    }
}
