package io.gpumigrate.replay.format;

import java.util.zip.CRC32C;

/**
 * The frame around each block of records in a segment. Little-endian:
 *
 * <pre>
 *  offset size field
 *  0      4    bodyLength   u32: bytes of the body that follows this header
 *  4      4    rawLength    u32: bytes of the entries once decoded (at most 64 MiB)
 *  8      8    firstSeq     u64: first sequence number among the block's entries
 *  16     8    lastSeq      u64: last sequence number among the block's entries
 *  24     4    entryCount   u32
 *  28     2    codec        u16: 0 none, 1 zstd
 *  30     2    reserved     0
 *  32     4    bodyCrc      CRC32C of the body as stored
 *  36     4    headerCrc    CRC32C of bytes 0..35
 *
 *  +-------------- 40-byte header --------------+------ bodyLength bytes ------+
 *  | lengths | seq range | count | codec | CRCs |  entries, zstd-compressed     |
 *  +--------------------------------------------+-------------------------------+
 * </pre>
 *
 * The header has its own CRC so that a damaged length is told apart from a block that was
 * still being written when the writer stopped.
 */
public record BlockHeader(int bodyLength, int rawLength, long firstSeq, long lastSeq, int entryCount, int codec,
                          int bodyCrc) {

    public static final int LENGTH = 40;

    /** The header's bytes. */
    public byte[] encode() {
        byte[] b = new byte[LENGTH];
        encodeInto(b, 0);
        return b;
    }

    /** Writes the header's 40 bytes at {@code at}. */
    public void encodeInto(byte[] b, int at) {
        LittleEndian.putI32(b, at, bodyLength);
        LittleEndian.putI32(b, at + 4, rawLength);
        LittleEndian.putI64(b, at + 8, firstSeq);
        LittleEndian.putI64(b, at + 16, lastSeq);
        LittleEndian.putI32(b, at + 24, entryCount);
        LittleEndian.putU16(b, at + 28, codec);
        LittleEndian.putU16(b, at + 30, 0);
        LittleEndian.putI32(b, at + 32, bodyCrc);
        CRC32C c = new CRC32C();
        c.update(b, at, 36);
        LittleEndian.putI32(b, at + 36, (int) c.getValue());
    }

    /**
     * Decodes a header, or returns {@code null} when its CRC or its fields are not what a writer
     * writes; the caller decides whether that is a torn tail or corruption.
     */
    public static BlockHeader decode(byte[] b, int at) {
        CRC32C c = new CRC32C();
        c.update(b, at, 36);
        if ((int) c.getValue() != LittleEndian.i32(b, at + 36)) {
            return null;
        }
        long bodyLength = LittleEndian.u32(b, at);
        long rawLength = LittleEndian.u32(b, at + 4);
        int codec = LittleEndian.u16(b, at + 28);
        long firstSeq = LittleEndian.i64(b, at + 8);
        long lastSeq = LittleEndian.i64(b, at + 16);
        if (rawLength > LogFormat.MAX_BLOCK_RAW_BYTES || bodyLength > LogFormat.MAX_BLOCK_RAW_BYTES + 65536
                || (codec != LogFormat.CODEC_NONE && codec != LogFormat.CODEC_ZSTD) || firstSeq > lastSeq) {
            return null;
        }
        return new BlockHeader((int) bodyLength, (int) rawLength, firstSeq, lastSeq, LittleEndian.i32(b, at + 24),
                codec, LittleEndian.i32(b, at + 32));
    }

    /** Header plus body. */
    public long frameLength() {
        return LENGTH + (long) bodyLength;
    }

    /** The CRC32C a block header stores for this body. */
    public static int bodyCrc(byte[] body, int offset, int length) {
        CRC32C c = new CRC32C();
        c.update(body, offset, length);
        return (int) c.getValue();
    }
}
