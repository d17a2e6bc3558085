package io.gpumigrate.checkpoint;

import io.gpumigrate.device.ChunkHash;
import java.lang.foreign.MemorySegment;
import net.jpountz.xxhash.XXHash64;
import net.jpountz.xxhash.XXHashFactory;

/**
 * xxHash64 with seed 0 over native memory: the digest of files and manifests; and
 * {@link #ofChunk}, the digest every chunk of device memory carries, which is
 * {@link io.gpumigrate.device.ChunkHash} (the function of
 * {@link io.gpumigrate.device.DeviceBackend#chunkHashes}). Thread-safe.
 *
 * <p>Uses lz4-java's JNI implementation where its native library loads (about 2x faster than
 * its pure-Java ones here), else the fastest Java one; all compute the same values.
 */
public final class ChunkDigest {

    private static final XXHash64 XX = XXHashFactory.fastestInstance().hash64();

    private ChunkDigest() {
    }

    /** The digest of a native segment's bytes (at most 2 GiB). */
    public static long of(MemorySegment bytes) {
        return chain(bytes, 0L);
    }

    /** The digest of a chunk of device memory: {@link ChunkHash#of}, xxHash64 over 16 KiB segment digests. */
    public static long ofChunk(MemorySegment chunk) {
        return ChunkHash.of(chunk);
    }

    /** The digest of {@code bytes} seeded with {@code seed}: how a file digest chains its blocks. */
    public static long chain(MemorySegment bytes, long seed) {
        return XX.hash(bytes.asByteBuffer(), 0, Math.toIntExact(bytes.byteSize()), seed);
    }

    /** The digest as 16 lower-case hex digits, as manifests write it. */
    public static String hex(long digest) {
        return String.format("%016x", digest);
    }
}
