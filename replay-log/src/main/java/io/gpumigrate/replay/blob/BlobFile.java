package io.gpumigrate.replay.blob;

import io.gpumigrate.replay.BlobRef;
import io.gpumigrate.replay.format.CorruptLogException;
import io.gpumigrate.replay.format.LittleEndian;
import io.gpumigrate.replay.format.LogFormat;
import io.gpumigrate.replay.format.UnsupportedLogVersionException;

import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * One blob file: a header, then the payload as stored. Little-endian:
 *
 * <pre>
 *  offset size field
 *  0      4    magic          "GMLB" (bytes 47 4D 4C 42)
 *  4      2    major          1
 *  6      2    minor          0
 *  8      4    headerLength   u32: 40 in 1.0; later minor versions add fields before the CRC
 *  12     8    hash           u64: xxHash64 (seed 0) of the payload
 *  20     8    length         u64: payload bytes
 *  28     2    codec          u16: 0 none, 1 zstd
 *  30     2    reserved       0
 *  32     4    storedLength   u32: bytes after the header
 *  36     4    headerCrc      CRC32C of bytes 0 .. headerLength-4
 * </pre>
 *
 * The payload is checked against {@code hash} when read. Named
 * {@code blobs/HH/HHHHHHHHHHHHHHHH-LENGTHHEX.blob} in the log directory, HH being the hash's first
 * two hex digits.
 */
public record BlobFile(int major, int minor, BlobRef ref, int codec, int storedLength) {

    public static final int HEADER_LENGTH = 40;

    /** Where the blob {@code ref} lives under {@code logDir}. */
    public static Path path(Path logDir, BlobRef ref) {
        String hex = ref.hashHex();
        return logDir.resolve(LogFormat.BLOB_DIR).resolve(hex.substring(0, 2))
                .resolve(hex + "-" + Long.toHexString(ref.length()) + LogFormat.BLOB_SUFFIX);
    }

    /** The blob a file name stands for, or {@code null} if it is not a blob file name. */
    public static BlobRef parseName(String name) {
        if (!name.endsWith(LogFormat.BLOB_SUFFIX) || name.length() < 19 || name.charAt(16) != '-') {
            return null;
        }
        try {
            long hash = Long.parseUnsignedLong(name, 0, 16, 16);
            long length = Long.parseLong(name, 17, name.length() - LogFormat.BLOB_SUFFIX.length(), 16);
            return new BlobRef(hash, length);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    byte[] encodeHeader() {
        byte[] b = new byte[HEADER_LENGTH];
        LittleEndian.putI32(b, 0, LogFormat.BLOB_MAGIC);
        LittleEndian.putU16(b, 4, major);
        LittleEndian.putU16(b, 6, minor);
        LittleEndian.putI32(b, 8, HEADER_LENGTH);
        LittleEndian.putI64(b, 12, ref.hash());
        LittleEndian.putI64(b, 20, ref.length());
        LittleEndian.putU16(b, 28, codec);
        LittleEndian.putI32(b, 32, storedLength);
        LittleEndian.putI32(b, 36, crc(b, HEADER_LENGTH - 4));
        return b;
    }

    /**
     * Decodes and checks a header read from {@code file}; {@code b} holds at least the whole
     * header ({@code headerLength} bytes, read from the first 12).
     */
    static BlobFile decodeHeader(byte[] b, int available, Path file) throws CorruptLogException,
            UnsupportedLogVersionException {
        if (available < 12) {
            throw new CorruptLogException(file, 0, "blob file of " + available + " bytes is shorter than its header");
        }
        int magic = LittleEndian.i32(b, 0);
        if (magic != LogFormat.BLOB_MAGIC) {
            throw new CorruptLogException(file, 0, String.format(
                    "not a replay log blob: magic 0x%08x, expected 0x%08x (\"GMLB\")", magic, LogFormat.BLOB_MAGIC));
        }
        int major = LittleEndian.u16(b, 4);
        int minor = LittleEndian.u16(b, 6);
        if (major > LogFormat.VERSION_MAJOR) {
            throw new UnsupportedLogVersionException(file, major, minor);
        }
        long headerLength = LittleEndian.u32(b, 8);
        if (headerLength < HEADER_LENGTH || headerLength > available) {
            throw new CorruptLogException(file, 8, "blob header length " + headerLength + " is outside "
                    + HEADER_LENGTH + ".." + available);
        }
        int stored = LittleEndian.i32(b, (int) headerLength - 4);
        if (stored != crc(b, (int) headerLength - 4)) {
            throw new CorruptLogException(file, 0, "blob header CRC32C does not match its contents");
        }
        int codec = LittleEndian.u16(b, 28);
        if (codec != LogFormat.CODEC_NONE && codec != LogFormat.CODEC_ZSTD) {
            throw new CorruptLogException(file, 28, "blob codec " + codec + " is not 0 (none) or 1 (zstd)");
        }
        BlobRef ref = new BlobRef(LittleEndian.i64(b, 12), LittleEndian.i64(b, 20));
        return new BlobFile(major, minor, ref, codec, LittleEndian.i32(b, 32));
    }

    private static int crc(byte[] b, int length) {
        CRC32C c = new CRC32C();
        c.update(b, 0, length);
        return (int) c.getValue();
    }
}
