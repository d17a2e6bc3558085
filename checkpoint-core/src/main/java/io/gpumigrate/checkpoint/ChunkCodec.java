package io.gpumigrate.checkpoint;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Encodes chunks of device memory (zero marker, zstd where a sample shows it pays, else
 * raw; the chunk digest of the raw bytes, {@link ChunkDigest#ofChunk}, always) and decodes them, verifying the hash.
 *
 * <p>Thread-safe: encode and decode keep no state between calls, so one codec serves every
 * thread of an encoding pool. All segments passed in must be native (direct) memory, since
 * zstd reads and writes them in place; nothing is copied that need not be (a raw chunk's
 * payload is the raw segment itself).
 */
public final class ChunkCodec {

    /** One zstd context per encoding or decoding thread (chunk pools are long-lived). */
    private static final ThreadLocal<ZstdCompressCtx> COMPRESSORS = ThreadLocal.withInitial(ZstdCompressCtx::new);
    private static final ThreadLocal<ZstdDecompressCtx> DECOMPRESSORS = ThreadLocal.withInitial(ZstdDecompressCtx::new);

    /** 2 MiB: the chunk size of DESIGN.md, small enough that a changed chunk costs little to re-send. */
    public static final int DEFAULT_CHUNK_SIZE = 2 << 20;

    private static final int MIN_SAMPLED_CHUNK = 4096;
    private static final int SAMPLE_SLICES = 4;

    private final int chunkSize;
    private final CompressionPolicy policy;
    private final MemorySegment zeros;
    private final long zeroChunkHash;

    /**
     * @param chunkSize 4096 to 256 MiB, a multiple of 4096
     */
    public ChunkCodec(int chunkSize, CompressionPolicy policy) {
        this.chunkSize = checkChunkSize(chunkSize);
        this.policy = java.util.Objects.requireNonNull(policy, "policy");
        this.zeros = Arena.ofAuto().allocate(chunkSize, 64);
        this.zeroChunkHash = ChunkDigest.ofChunk(zeros);
    }

    public ChunkCodec() {
        this(DEFAULT_CHUNK_SIZE, CompressionPolicy.DEFAULT);
    }

    /** Returns {@code chunkSize} when a codec accepts it, else {@link IllegalArgumentException} naming the range. */
    public static int checkChunkSize(int chunkSize) {
        if (chunkSize < 4096 || chunkSize > 256 << 20 || chunkSize % 4096 != 0) {
            throw new IllegalArgumentException("chunk size " + chunkSize
                    + " must be a multiple of 4096 between 4096 and 268435456");
        }
        return chunkSize;
    }

    public int chunkSize() {
        return chunkSize;
    }

    public CompressionPolicy policy() {
        return policy;
    }

    /** Bytes an output buffer for {@link #encode} must hold for a full chunk. */
    public int maxEncodedLength() {
        return Math.toIntExact(Zstd.compressBound(chunkSize));
    }

    /**
     * Encodes {@code raw} (1 to chunkSize bytes) as the chunk at {@code address}. The payload
     * is either {@code raw} itself (raw), empty (zero) or a slice of {@code out} (zstd), so it
     * stays valid as long as both buffers do. {@code out} must hold {@link #maxEncodedLength()} bytes.
     */
    public EncodedChunk encode(long address, MemorySegment raw, MemorySegment out) {
        return encode(address, raw, out, false, 0);
    }

    /**
     * {@link #encode(long, MemorySegment, MemorySegment)} for a chunk whose digest is already
     * known ({@link ChunkDigest#ofChunk} of exactly these bytes, e.g. computed by the device while
     * the memory could not change): the bytes are not hashed again. A wrong digest is caught by
     * the receiver's check, which then refuses the chunk.
     */
    public EncodedChunk encodeWithDigest(long address, MemorySegment raw, MemorySegment out, long digest) {
        return encode(address, raw, out, true, digest);
    }

    private EncodedChunk encode(long address, MemorySegment raw, MemorySegment out, boolean known, long digest) {
        int length = checkLength(raw.byteSize());
        if (!raw.isNative() || !out.isNative()) {
            throw new IllegalArgumentException("chunk buffers must be native memory");
        }
        if (MemorySegment.mismatch(raw, 0, length, zeros, 0, length) == -1) {
            long hash = length == chunkSize ? zeroChunkHash : ChunkDigest.ofChunk(zeros.asSlice(0, length));
            return new EncodedChunk(address, length, ChunkEncoding.ZERO, hash, MemorySegment.NULL);
        }
        long hash = known ? digest : ChunkDigest.ofChunk(raw);
        if (length >= MIN_SAMPLED_CHUNK && samplePays(raw, out)) {
            long compressed;
            try {
                compressed = compress(out, raw, 0, length, policy.level());
            } catch (ZstdException e) {
                throw new IllegalStateException("zstd failed on the chunk at 0x" + Long.toHexString(address) + ": "
                        + e.getMessage(), e);
            }
            if (compressed < length) {
                return new EncodedChunk(address, length, ChunkEncoding.ZSTD, hash, out.asSlice(0, compressed));
            }
        }
        return new EncodedChunk(address, length, ChunkEncoding.RAW, hash, raw);
    }

    /**
     * Decodes a chunk and checks its hash. Returns a segment of {@code rawLength} bytes holding
     * the raw contents: the payload itself for a raw chunk, a slice of {@code scratch} (chunkSize
     * bytes, native) for a compressed one, a shared all-zero segment (read it, never write it)
     * for a zero chunk.
     *
     * @throws ChunkCorruptedException when the payload cannot be decoded or its hash differs
     */
    public MemorySegment decode(EncodedChunk chunk, MemorySegment scratch) throws ChunkCorruptedException {
        MemorySegment raw = decodeUnchecked(chunk, scratch);
        int length = chunk.rawLength();
        long actual = chunk.encoding() == ChunkEncoding.ZERO && length == chunkSize ? zeroChunkHash
                : ChunkDigest.ofChunk(raw);
        if (actual != chunk.hash()) {
            throw new ChunkCorruptedException(chunk.address(), "segmented xxHash64 " + ChunkDigest.hex(actual) + " of "
                    + length + " decoded bytes differs from the recorded " + ChunkDigest.hex(chunk.hash()));
        }
        return raw;
    }

    /**
     * {@link #decode} without checking the chunk's hash: for a receiver that checks the digests
     * of what it wrote on the device instead, once every chunk has landed. Sizes are still checked.
     *
     * @throws ChunkCorruptedException when the payload cannot be decoded to the chunk's length
     */
    public MemorySegment decodeUnchecked(EncodedChunk chunk, MemorySegment scratch) throws ChunkCorruptedException {
        long address = chunk.address();
        int length = chunk.rawLength();
        if (length < 1 || length > chunkSize) {
            throw new ChunkCorruptedException(address, "raw length " + length + " is outside 1 to " + chunkSize);
        }
        MemorySegment payload = chunk.payload();
        MemorySegment raw = switch (chunk.encoding()) {
            case ZERO -> {
                if (payload.byteSize() != 0) {
                    throw new ChunkCorruptedException(address, "zero chunk with a payload of " + payload.byteSize() + " bytes");
                }
                yield zeros.asSlice(0, length);
            }
            case RAW -> {
                if (payload.byteSize() != length) {
                    throw new ChunkCorruptedException(address, "raw payload of " + payload.byteSize()
                            + " bytes for a chunk of " + length);
                }
                yield payload;
            }
            case ZSTD -> {
                long n;
                try {
                    n = DECOMPRESSORS.get().decompressDirectByteBuffer(scratch.asByteBuffer(), 0, length,
                            payload.asByteBuffer(), 0, Math.toIntExact(payload.byteSize()));
                } catch (ZstdException e) {
                    throw new ChunkCorruptedException(address, "zstd payload of " + payload.byteSize()
                            + " bytes cannot be decoded: " + e.getMessage());
                }
                if (Zstd.isError(n) || n != length) {
                    throw new ChunkCorruptedException(address, "zstd payload of " + payload.byteSize() + " bytes does not "
                            + "decode to " + length + " bytes: " + (Zstd.isError(n) ? Zstd.getErrorName(n) : n + " bytes"));
                }
                yield scratch.asSlice(0, length);
            }
        };
        return raw;
    }

    private boolean samplePays(MemorySegment raw, MemorySegment out) {
        if (Double.isInfinite(policy.minRatio())) {
            return false;
        }
        int length = (int) raw.byteSize();
        int slice = Math.min(policy.sampleBytes(), length) / SAMPLE_SLICES;
        long sampled = 0;
        long compressed = 0;
        for (int i = 0; i < SAMPLE_SLICES; i++) {
            long offset = (long) (length - slice) * i / (SAMPLE_SLICES - 1);
            long n;
            try {
                n = compress(out, raw, (int) offset, slice, 1);
            } catch (ZstdException e) {
                return false;
            }
            sampled += slice;
            compressed += n;
        }
        return sampled >= policy.minRatio() * compressed;
    }

    /**
     * Compresses {@code [offset, offset + length)} of {@code src} into {@code out} as one zstd
     * frame with this thread's context: creating a context per chunk cost about as much as
     * compressing a well-compressible chunk.
     *
     * @throws ZstdException when zstd fails (e.g. {@code out} too small)
     */
    private static long compress(MemorySegment out, MemorySegment src, int offset, int length, int level) {
        return COMPRESSORS.get().setLevel(level).compressDirectByteBuffer(out.asByteBuffer(), 0,
                Math.toIntExact(out.byteSize()), src.asByteBuffer(), offset, length);
    }

    private int checkLength(long length) {
        if (length < 1 || length > chunkSize) {
            throw new IllegalArgumentException("chunk of " + length + " bytes is outside 1 to " + chunkSize);
        }
        return (int) length;
    }
}
