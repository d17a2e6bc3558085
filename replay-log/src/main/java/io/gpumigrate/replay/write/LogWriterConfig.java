package io.gpumigrate.replay.write;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link LogWriter} groups, compresses, buffers and syncs. Immutable; start from
 * {@link #defaults()} and change fields with the {@code with...} methods.
 *
 * @param segmentBytes     a segment is finished once it holds at least this many bytes (64 KiB .. 1 GiB; default 64 MiB)
 * @param blockBytes       entries are compressed together in blocks of about this many bytes (4 KiB .. 16 MiB; default 64 KiB)
 * @param linger           a block that has not filled is written after this long, so an idle session's calls reach disk (1 ms .. 10 s; default 100 ms)
 * @param maxPendingBytes  appended bytes not yet written that the writer holds at most, payloads included (1 MiB .. 16 GiB; default 256 MiB)
 * @param maxStall         how long an append waits for room when the writer is over {@code maxPendingBytes}
 *                         before it drops calls (0 .. 1 h; default 50 ms; 0 never waits)
 * @param fsync            when to force data to stable storage
 * @param zstdLevel        zstd level for blocks and for payloads that compress (1 .. 19; default 3)
 * @param blobMinBytes     a MEMCPY_HTOD payload at least this long goes to the blob store, shorter ones stay inline
 *                         (0 .. 16 MiB; default 4 KiB)
 * @param beforeBlockWrite run on the writer thread before each block is written; a hook for tests and fault
 *                         injection, a no-op by default
 */
public record LogWriterConfig(long segmentBytes, int blockBytes, Duration linger, long maxPendingBytes,
                              Duration maxStall, FsyncPolicy fsync, int zstdLevel, int blobMinBytes,
                              Runnable beforeBlockWrite) {

    private static final Runnable NO_HOOK = () -> { };

    public LogWriterConfig {
        Objects.requireNonNull(fsync, "fsync");
        Objects.requireNonNull(beforeBlockWrite, "beforeBlockWrite");
        check("segmentBytes", segmentBytes, 64 << 10, 1L << 30);
        check("blockBytes", blockBytes, 4 << 10, 16 << 20);
        check("linger (ms)", linger.toMillis(), 1, 10_000);
        check("maxPendingBytes", maxPendingBytes, 1 << 20, 16L << 30);
        check("maxStall (ms)", maxStall.toMillis(), 0, 3_600_000);
        check("zstdLevel", zstdLevel, 1, 19);
        check("blobMinBytes", blobMinBytes, 0, 16 << 20);
    }

    public static LogWriterConfig defaults() {
        return new LogWriterConfig(64L << 20, 64 << 10, Duration.ofMillis(100), 256L << 20, Duration.ofMillis(50),
                FsyncPolicy.ON_FLUSH, 3, 4096, NO_HOOK);
    }

    public LogWriterConfig withSegmentBytes(long v) {
        return new LogWriterConfig(v, blockBytes, linger, maxPendingBytes, maxStall, fsync, zstdLevel, blobMinBytes, beforeBlockWrite);
    }

    public LogWriterConfig withBlockBytes(int v) {
        return new LogWriterConfig(segmentBytes, v, linger, maxPendingBytes, maxStall, fsync, zstdLevel, blobMinBytes, beforeBlockWrite);
    }

    public LogWriterConfig withLinger(Duration v) {
        return new LogWriterConfig(segmentBytes, blockBytes, v, maxPendingBytes, maxStall, fsync, zstdLevel, blobMinBytes, beforeBlockWrite);
    }

    public LogWriterConfig withMaxPendingBytes(long v) {
        return new LogWriterConfig(segmentBytes, blockBytes, linger, v, maxStall, fsync, zstdLevel, blobMinBytes, beforeBlockWrite);
    }

    public LogWriterConfig withMaxStall(Duration v) {
        return new LogWriterConfig(segmentBytes, blockBytes, linger, maxPendingBytes, v, fsync, zstdLevel, blobMinBytes, beforeBlockWrite);
    }

    public LogWriterConfig withFsync(FsyncPolicy v) {
        return new LogWriterConfig(segmentBytes, blockBytes, linger, maxPendingBytes, maxStall, v, zstdLevel, blobMinBytes, beforeBlockWrite);
    }

    public LogWriterConfig withZstdLevel(int v) {
        return new LogWriterConfig(segmentBytes, blockBytes, linger, maxPendingBytes, maxStall, fsync, v, blobMinBytes, beforeBlockWrite);
    }

    public LogWriterConfig withBlobMinBytes(int v) {
        return new LogWriterConfig(segmentBytes, blockBytes, linger, maxPendingBytes, maxStall, fsync, zstdLevel, v, beforeBlockWrite);
    }

    public LogWriterConfig withBeforeBlockWrite(Runnable v) {
        return new LogWriterConfig(segmentBytes, blockBytes, linger, maxPendingBytes, maxStall, fsync, zstdLevel, blobMinBytes, v);
    }

    private static void check(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " " + value + " is outside " + min + ".." + max);
        }
    }
}
