package io.gpumigrate.replay.format;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * The header at the start of every segment file. Little-endian:
 *
 * <pre>
 *  offset size field
 *  0      4    magic          "GMLS" (bytes 47 4D 4C 53)
 *  4      2    major          1
 *  6      2    minor          0
 *  8      4    headerLength   u32: bytes of the whole header, CRC included (40 in 1.0);
 *                             later minor versions add fields before the CRC
 *  12     8    sessionId      u64
 *  20     8    createdMillis  u64: epoch milliseconds when the writer created the file
 *  28     8    firstSeq       u64: sequence number of the segment's first entry (also its name)
 *  36     4    headerCrc      CRC32C of bytes 0 .. headerLength-4
 * </pre>
 *
 * Blocks ({@link BlockHeader}) follow directly.
 */
public record SegmentHeader(int major, int minor, long sessionId, long createdMillis, long firstSeq) {

    public static final int LENGTH = 40;
    private static final int FIXED_PREFIX = 12;
    private static final int MAX_LENGTH = 4096;

    /** A header of this build's format version. */
    public static SegmentHeader current(long sessionId, long createdMillis, long firstSeq) {
        return new SegmentHeader(LogFormat.VERSION_MAJOR, LogFormat.VERSION_MINOR, sessionId, createdMillis, firstSeq);
    }

    /** The header's bytes. */
    public byte[] encode() {
        byte[] b = new byte[LENGTH];
        LittleEndian.putI32(b, 0, LogFormat.SEGMENT_MAGIC);
        LittleEndian.putU16(b, 4, major);
        LittleEndian.putU16(b, 6, minor);
        LittleEndian.putI32(b, 8, LENGTH);
        LittleEndian.putI64(b, 12, sessionId);
        LittleEndian.putI64(b, 20, createdMillis);
        LittleEndian.putI64(b, 28, firstSeq);
        LittleEndian.putI32(b, 36, crc(b, LENGTH - 4));
        return b;
    }

    /**
     * Reads and checks the header at the start of {@code channel}.
     *
     * @return the header and its length on disk, or {@code null} when the file is too short to
     *     hold a whole header (a segment torn while it was being created)
     * @throws UnsupportedLogVersionException for a newer major version
     * @throws CorruptLogException for a wrong magic, an impossible length or a CRC mismatch
     */
    public static Read read(FileChannel channel, Path file) throws IOException {
        long size = channel.size();
        if (size < FIXED_PREFIX) {
            return null;
        }
        byte[] prefix = readFully(channel, 0, FIXED_PREFIX);
        int magic = LittleEndian.i32(prefix, 0);
        if (magic != LogFormat.SEGMENT_MAGIC) {
            throw new CorruptLogException(file, 0, String.format(
                    "not a replay log segment: magic 0x%08x, expected 0x%08x (\"GMLS\")", magic, LogFormat.SEGMENT_MAGIC));
        }
        int major = LittleEndian.u16(prefix, 4);
        int minor = LittleEndian.u16(prefix, 6);
        if (major > LogFormat.VERSION_MAJOR) {
            throw new UnsupportedLogVersionException(file, major, minor);
        }
        long length = LittleEndian.u32(prefix, 8);
        if (length < LENGTH || length > MAX_LENGTH) {
            throw new CorruptLogException(file, 8, "segment header length " + length + " is outside "
                    + LENGTH + ".." + MAX_LENGTH);
        }
        if (size < length) {
            return null;
        }
        byte[] b = readFully(channel, 0, (int) length);
        int stored = LittleEndian.i32(b, (int) length - 4);
        int actual = crc(b, (int) length - 4);
        if (stored != actual) {
            throw new CorruptLogException(file, 0, String.format(
                    "segment header CRC32C 0x%08x does not match its contents (0x%08x)", stored, actual));
        }
        SegmentHeader h = new SegmentHeader(major, minor, LittleEndian.i64(b, 12), LittleEndian.i64(b, 20),
                LittleEndian.i64(b, 28));
        return new Read(h, (int) length);
    }

    /** A header as read, with the bytes it takes on disk. */
    public record Read(SegmentHeader header, int length) {
    }

    static int crc(byte[] b, int length) {
        CRC32C c = new CRC32C();
        c.update(b, 0, length);
        return (int) c.getValue();
    }

    static byte[] readFully(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length);
        while (buf.hasRemaining()) {
            int n = channel.read(buf, position + buf.position());
            if (n < 0) {
                throw new IOException("unexpected end of file at " + (position + buf.position()));
            }
        }
        return buf.array();
    }
}
