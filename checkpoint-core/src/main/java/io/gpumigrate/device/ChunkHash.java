package io.gpumigrate.device;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import net.jpountz.xxhash.XXHash64;
import net.jpountz.xxhash.XXHashFactory;

/**
 * The digest of one chunk of device memory, defined so that a GPU can compute it in parallel:
 * the chunk is cut into {@link #SEGMENT}-byte segments (the last one shorter), each segment
 * gets its xxHash64 with seed 0, and the chunk's digest is the xxHash64 with seed 0 of those
 * segment digests written end to end as little-endian 64-bit words. A chunk of at most one
 * segment thus has the digest {@code XXH64(XXH64(bytes))}.
 *
 * <p>{@link DeviceBackend#chunkHashes}, the chunk codec and the GPU kernel
 * ({@code src/main/cuda/chunk_digest.cu}) all compute exactly this function. Thread-safe.
 */
public final class ChunkHash {

    /** 16 KiB: the unit one GPU thread hashes serially. */
    public static final int SEGMENT = 16 << 10;

    private static final XXHash64 XX = XXHashFactory.fastestInstance().hash64();
    private static final int MAX_SEGMENTS = (256 << 20) / SEGMENT;
    private static final ThreadLocal<ByteBuffer> DIGESTS = ThreadLocal.withInitial(
            () -> ByteBuffer.allocate(MAX_SEGMENTS * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN));

    private ChunkHash() {
    }

    /** The digest of a chunk's bytes (native or heap memory, at most 256 MiB). */
    public static long of(MemorySegment chunk) {
        long length = chunk.byteSize();
        if (length > 256L << 20) {
            throw new IllegalArgumentException("chunk of " + length + " bytes exceeds the maximum 268435456");
        }
        ByteBuffer bytes = chunk.asByteBuffer();
        ByteBuffer digests = DIGESTS.get().clear();
        for (int offset = 0; offset < length; offset += SEGMENT) {
            digests.putLong(XX.hash(bytes, offset, (int) Math.min(SEGMENT, length - offset), 0L));
        }
        return XX.hash(digests.array(), 0, digests.position(), 0L);
    }
}
