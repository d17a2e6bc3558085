package io.gpumigrate.ptx;

import com.github.luben.zstd.Zstd;
import net.jpountz.lz4.LZ4Factory;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the PTX inside a CUDA fat binary. Layout (little-endian), as nvcc writes it:
 * <pre>
 *   header:  u32 magic 0xBA55ED50 | u16 version | u16 headerSize | u64 bytes of entries
 *   entry:   u16 kind (1 PTX, 2 ELF cubin) | u16 version | u32 headerSize | u64 payloadSize
 *            | u32 compressedSize | u32 ? | u32 ptx/elf version | u32 sm arch | ... at 40: u64 flags
 *            | ... at 56: u64 uncompressedSize  (headerSize bytes in all), then the payload
 * </pre>
 * Payloads may be compressed: zstd (CUDA 13, recognised by the zstd frame magic) or LZ4
 * (flag 0x2000, older toolkits). Stateless.
 */
public final class FatbinReader {

    public static final int MAGIC = 0xBA55ED50;
    private static final int KIND_PTX = 1;
    private static final long FLAG_LZ4 = 0x2000;
    private static final int ZSTD_MAGIC = 0xFD2FB528;

    /** A PTX entry: its target architecture (e.g. 90) and text. */
    public record PtxEntry(int arch, String text) {
    }

    private FatbinReader() {
    }

    public static boolean isFatbin(byte[] image) {
        return image.length >= 16 && ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN).getInt(0) == MAGIC;
    }

    /** Every PTX entry, in file order; empty when the fat binary holds only cubins. */
    public static List<PtxEntry> ptxEntries(byte[] image) throws PtxSyntaxException {
        ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        int headerSize = b.getShort(6) & 0xFFFF;
        long size = b.getLong(8);
        long end = Math.min(image.length, headerSize + size);
        List<PtxEntry> out = new ArrayList<>();
        long off = headerSize;
        while (off + 64 <= end) {
            int at = (int) off;
            int kind = b.getShort(at) & 0xFFFF;
            int entryHeader = b.getInt(at + 4);
            long payload = b.getLong(at + 8);
            if (entryHeader < 64 || payload < 0 || at + entryHeader + payload > image.length) {
                throw new PtxSyntaxException(0, "corrupt fat binary entry at offset " + at);
            }
            if (kind == KIND_PTX) {
                int compressed = b.getInt(at + 16);
                int arch = b.getInt(at + 28);
                long flags = b.getLong(at + 40);
                long uncompressed = entryHeader >= 64 ? b.getLong(at + 56) : 0;
                int start = at + entryHeader;
                int length = compressed > 0 ? compressed : (int) payload;
                out.add(new PtxEntry(arch, text(image, start, length, flags, uncompressed)));
            }
            off = at + entryHeader + payload;
        }
        return out;
    }

    private static String text(byte[] image, int start, int length, long flags, long uncompressed)
            throws PtxSyntaxException {
        ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        byte[] raw;
        if (length >= 4 && b.getInt(start) == ZSTD_MAGIC) {
            long n = uncompressed > 0 ? uncompressed : Zstd.getFrameContentSize(image, start, length);
            if (n <= 0 || n > (256 << 20)) {
                throw new PtxSyntaxException(0, "zstd-compressed PTX of unknown or excessive size " + n);
            }
            raw = new byte[(int) n];
            long got = Zstd.decompressByteArray(raw, 0, raw.length, image, start, length);
            if (Zstd.isError(got)) {
                throw new PtxSyntaxException(0, "cannot decompress PTX (zstd): " + Zstd.getErrorName(got));
            }
        } else if ((flags & FLAG_LZ4) != 0) {
            if (uncompressed <= 0 || uncompressed > (256 << 20)) {
                throw new PtxSyntaxException(0, "LZ4-compressed PTX of unknown size");
            }
            raw = new byte[(int) uncompressed];
            LZ4Factory.safeInstance().safeDecompressor().decompress(image, start, length, raw, 0);
        } else {
            raw = java.util.Arrays.copyOfRange(image, start, start + length);
        }
        int n = raw.length;
        while (n > 0 && raw[n - 1] == 0) {
            n--;
        }
        return new String(raw, 0, n, StandardCharsets.UTF_8);
    }
}
