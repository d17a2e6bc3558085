package io.gpumigrate.checkpoint;

import java.io.EOFException;
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
 * Reads the records of one chunk file ({@link CheckpointFormat}) in order, computing the
 * file's digest as it goes. Errors name the file. Not thread-safe: one reader thread.
 */
final class ChunkFileReader implements AutoCloseable {

    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** A record's header, before its payload is read. */
    record RecordHeader(long address, int rawLength, ChunkEncoding encoding, int payloadLength, long hash) {
    }

    private final Path path;
    private final String name;
    private final FileChannel channel;
    private final long size;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment header = arena.allocate(CheckpointFormat.RECORD_HEADER_BYTES);
    private final int maxPayload;
    private long digest;

    /**
     * Opens the file and checks its header against the manifest's chunk size.
     *
     * @param maxPayload the largest payload a record may declare
     */
    ChunkFileReader(Path path, int chunkSize, int maxPayload) throws IOException {
        this.path = path;
        this.name = path.getFileName().toString();
        this.maxPayload = maxPayload;
        this.channel = FileChannel.open(path, StandardOpenOption.READ);
        this.size = channel.size();
        MemorySegment fileHeader = arena.allocate(CheckpointFormat.CHUNK_FILE_HEADER_BYTES);
        readFully(fileHeader.asByteBuffer());
        int magic = fileHeader.get(U32, 0);
        int major = Short.toUnsignedInt(fileHeader.get(U16, 4));
        int fileChunkSize = fileHeader.get(U32, 8);
        if (magic != CheckpointFormat.CHUNK_FILE_MAGIC) {
            throw corrupt("invalid magic 0x" + Integer.toHexString(magic) + ", expected 0x"
                    + Integer.toHexString(CheckpointFormat.CHUNK_FILE_MAGIC));
        }
        if (major != CheckpointFormat.MAJOR) {
            throw corrupt("chunk file format " + major + " is not this reader's " + CheckpointFormat.MAJOR);
        }
        if (fileChunkSize != chunkSize) {
            throw corrupt("chunk size " + fileChunkSize + " differs from the manifest's " + chunkSize);
        }
        digest = ChunkDigest.chain(fileHeader, 0L);
    }

    /** The next record's header, or null at the end of the file. */
    RecordHeader next() throws IOException {
        if (channel.position() == size) {
            return null;
        }
        header.fill((byte) 0);
        readFully(header.asByteBuffer());
        digest = ChunkDigest.chain(header, digest);
        ChunkEncoding encoding;
        try {
            encoding = ChunkEncoding.ofCode(Byte.toUnsignedInt(header.get(ValueLayout.JAVA_BYTE, 12)));
        } catch (IllegalArgumentException e) {
            throw corrupt("record at offset " + (channel.position() - CheckpointFormat.RECORD_HEADER_BYTES) + ": "
                    + e.getMessage());
        }
        int payload = header.get(U32, 16);
        if (payload < 0 || payload > maxPayload) {
            throw corrupt("record declares a payload of " + Integer.toUnsignedString(payload)
                    + " bytes, more than the maximum " + maxPayload);
        }
        return new RecordHeader(header.get(U64, 0), header.get(U32, 8), encoding, payload, header.get(U64, 20));
    }

    /** Reads the current record's payload into {@code dst} (exactly its size) and adds it to the digest. */
    void readPayload(MemorySegment dst) throws IOException {
        readFully(dst.asByteBuffer());
        if (dst.byteSize() > 0) {
            digest = ChunkDigest.chain(dst, digest);
        }
    }

    /** Checks, at the end of the file, that its size and digest are the manifest's. */
    void verify(CheckpointManifest.FileEntry entry) throws CheckpointFormatException {
        if (size != entry.size()) {
            throw corrupt(size + " bytes, but the manifest lists " + entry.size() + "; truncated or replaced");
        }
        if (digest != entry.digest()) {
            throw corrupt("digest " + ChunkDigest.hex(digest) + " differs from the manifest's "
                    + ChunkDigest.hex(entry.digest()) + "; the file is corrupted");
        }
    }

    /** An exception naming this file. */
    CheckpointFormatException corrupt(String message) {
        return new CheckpointFormatException("chunk file " + name + " (" + path + "): " + message);
    }

    private void readFully(ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw corrupt("ends inside a record at offset " + channel.position(), new EOFException());
            }
        }
    }

    private CheckpointFormatException corrupt(String message, Throwable cause) {
        return new CheckpointFormatException("chunk file " + name + " (" + path + "): " + message, cause);
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
