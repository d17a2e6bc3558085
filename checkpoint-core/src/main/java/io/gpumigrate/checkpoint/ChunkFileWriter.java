package io.gpumigrate.checkpoint;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Appends chunk records to one chunk file ({@link CheckpointFormat}) and keeps its size and
 * digest. Not thread-safe: one writer thread.
 */
final class ChunkFileWriter implements AutoCloseable {

    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final FileChannel channel;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment header = arena.allocate(CheckpointFormat.RECORD_HEADER_BYTES);
    private long size;
    private long digest;

    ChunkFileWriter(Path path, int chunkSize) throws IOException {
        this.path = path;
        this.channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        MemorySegment fileHeader = arena.allocate(CheckpointFormat.CHUNK_FILE_HEADER_BYTES);
        fileHeader.set(U32, 0, CheckpointFormat.CHUNK_FILE_MAGIC);
        fileHeader.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 4, (short) CheckpointFormat.MAJOR);
        fileHeader.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 6, (short) CheckpointFormat.MINOR);
        fileHeader.set(U32, 8, chunkSize);
        fileHeader.set(U32, 12, 0);
        digest = ChunkDigest.chain(fileHeader, 0L);
        writeFully(fileHeader.asByteBuffer());
    }

    /** Appends one chunk record; the payload is written before this returns. */
    void append(EncodedChunk chunk) throws IOException {
        header.fill((byte) 0);
        header.set(U64, 0, chunk.address());
        header.set(U32, 8, chunk.rawLength());
        header.set(ValueLayout.JAVA_BYTE, 12, (byte) chunk.encoding().code());
        header.set(U32, 16, Math.toIntExact(chunk.payloadLength()));
        header.set(U64, 20, chunk.hash());
        digest = ChunkDigest.chain(header, digest);
        writeFully(header.asByteBuffer());
        if (chunk.payloadLength() > 0) {
            digest = ChunkDigest.chain(chunk.payload(), digest);
            writeFully(chunk.payload().asByteBuffer());
        }
    }

    long size() {
        return size;
    }

    /** Forces the file to disk and returns its manifest entry. */
    CheckpointManifest.FileEntry finish() throws IOException {
        channel.force(true);
        return new CheckpointManifest.FileEntry(path.getFileName().toString(), size, digest);
    }

    private void writeFully(ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            size += channel.write(buffer);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            channel.close();
        } finally {
            arena.close();
        }
    }
}
