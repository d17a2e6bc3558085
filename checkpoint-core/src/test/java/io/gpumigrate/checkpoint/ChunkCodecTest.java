package io.gpumigrate.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ChunkCodecTest {

    private static final int CHUNK = 1 << 20;
    private final Arena arena = Arena.ofConfined();
    private final ChunkCodec codec = new ChunkCodec(CHUNK, CompressionPolicy.DEFAULT);
    private final MemorySegment out = arena.allocate(codec.maxEncodedLength());
    private final MemorySegment scratch = arena.allocate(CHUNK);

    @AfterEach
    void close() {
        arena.close();
    }

    @Test
    void zeroChunkIsAMarkerWithoutPayload() throws Exception {
        MemorySegment raw = arena.allocate(CHUNK);
        EncodedChunk chunk = codec.encode(0x1000, raw, out);
        assertEquals(ChunkEncoding.ZERO, chunk.encoding());
        assertEquals(0, chunk.payloadLength());
        assertEquals(ChunkDigest.ofChunk(raw), chunk.hash());
        MemorySegment decoded = codec.decode(chunk, scratch);
        assertEquals(CHUNK, decoded.byteSize());
        assertEquals(-1, decoded.mismatch(raw));
    }

    @Test
    void randomChunkGoesRawWithoutACopy() throws Exception {
        MemorySegment raw = TestData.random(arena, CHUNK, 1);
        EncodedChunk chunk = codec.encode(0x2000, raw, out);
        assertEquals(ChunkEncoding.RAW, chunk.encoding());
        assertEquals(raw.address(), chunk.payload().address(), "a raw payload is the raw buffer itself");
        assertEquals(-1, codec.decode(chunk, scratch).mismatch(raw));
    }

    @Test
    void compressibleChunkIsCompressedAndDecodesToTheSameBytes() throws Exception {
        MemorySegment raw = arena.allocate(CHUNK);
        for (long i = 0; i < CHUNK; i += 4) {
            raw.set(ValueLayout.JAVA_INT_UNALIGNED, i, (int) (i / 4 % 1000));
        }
        EncodedChunk chunk = codec.encode(0x3000, raw, out);
        assertEquals(ChunkEncoding.ZSTD, chunk.encoding());
        assertTrue(chunk.payloadLength() < CHUNK / 4, "payload " + chunk.payloadLength());
        assertArrayEquals(raw.toArray(ValueLayout.JAVA_BYTE), codec.decode(chunk, scratch).toArray(ValueLayout.JAVA_BYTE));
    }

    @Test
    void neverPolicySendsCompressibleDataRaw() {
        ChunkCodec never = new ChunkCodec(CHUNK, CompressionPolicy.NEVER);
        MemorySegment raw = arena.allocate(CHUNK).fill((byte) 7);
        assertEquals(ChunkEncoding.RAW, never.encode(0, raw, out).encoding());
    }

    @Test
    void shortLastChunkRoundTrips() throws Exception {
        MemorySegment raw = TestData.random(arena, 5000, 3);
        EncodedChunk chunk = codec.encode(0x4000, raw, out);
        assertEquals(5000, chunk.rawLength());
        assertEquals(-1, codec.decode(chunk, scratch).mismatch(raw));
    }

    @Test
    void flippedPayloadByteIsDetected() {
        MemorySegment raw = TestData.random(arena, CHUNK, 4);
        EncodedChunk chunk = codec.encode(0x5000, raw, out);
        raw.set(ValueLayout.JAVA_BYTE, 777, (byte) (raw.get(ValueLayout.JAVA_BYTE, 777) ^ 0x10));
        ChunkCorruptedException e = assertThrows(ChunkCorruptedException.class, () -> codec.decode(chunk, scratch));
        assertEquals(0x5000, e.address());
        assertTrue(e.getMessage().contains("xxHash64"), e.getMessage());
    }

    @Test
    void aKnownDigestIsCarriedAsGivenAndAWrongOneIsRefusedByTheReceiver() throws Exception {
        MemorySegment raw = arena.allocate(CHUNK).fill((byte) 5);
        long digest = ChunkDigest.ofChunk(raw);
        EncodedChunk right = codec.encodeWithDigest(0x7000, raw, out, digest);
        assertEquals(codec.encode(0x7000, raw, out).hash(), right.hash(), "the same digest the codec would compute");
        assertEquals(ChunkEncoding.ZSTD, right.encoding());
        assertEquals(-1, MemorySegment.mismatch(raw, 0, CHUNK, codec.decode(right, scratch), 0, CHUNK));

        EncodedChunk wrong = codec.encodeWithDigest(0x7000, raw, out, digest ^ 1);
        assertEquals(digest ^ 1, wrong.hash(), "a given digest is not recomputed");
        ChunkCorruptedException e = assertThrows(ChunkCorruptedException.class, () -> codec.decode(wrong, scratch));
        assertEquals(0x7000, e.address());
    }

    @Test
    void corruptedZstdPayloadIsDetected() {
        MemorySegment raw = arena.allocate(CHUNK).fill((byte) 9);
        raw.set(ValueLayout.JAVA_BYTE, 100, (byte) 1);
        EncodedChunk chunk = codec.encode(0x6000, raw, out);
        assertEquals(ChunkEncoding.ZSTD, chunk.encoding());
        MemorySegment p = chunk.payload();
        long middle = p.byteSize() / 2;
        p.set(ValueLayout.JAVA_BYTE, middle, (byte) (p.get(ValueLayout.JAVA_BYTE, middle) ^ 0xFF));
        assertThrows(ChunkCorruptedException.class, () -> codec.decode(chunk, scratch));
    }

    @Test
    void chunkSizeOutOfRangeIsRefusedWithTheRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ChunkCodec(1000, CompressionPolicy.DEFAULT));
        assertTrue(e.getMessage().contains("1000") && e.getMessage().contains("4096"), e.getMessage());
    }
}
