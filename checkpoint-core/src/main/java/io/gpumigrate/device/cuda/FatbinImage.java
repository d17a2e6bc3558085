package io.gpumigrate.device.cuda;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdException;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Optional;

/**
 * The cubin a CUDA fat binary holds for one SM, so that a fat binary's module globals can be
 * placed like a cubin's ({@link CubinGlobals}). Layout, little-endian, as nvcc writes it:
 * <pre>
 *   container header (16 bytes)
 *   +-------------------+-------------+-----------------+------------------------------------+
 *   | u32 0xBA55ED50    | u16 version | u16 header size | u64 bytes of entries after header  |
 *   +-------------------+-------------+-----------------+------------------------------------+
 *   entries, back to back:
 *   +0x00 u16 kind (1 PTX, 2 ELF)   +0x02 u16 0x0101      +0x04 u32 entry header size (64, 80, 112)
 *   +0x08 u64 padded payload size   +0x10 u32 compressed payload size, 0 when not compressed
 *   +0x1c u32 SM (90 = sm_90)       +0x28 u64 flags (0x2000 LZ4, 0x8000 zstd)
 *   +0x38 u64 uncompressed size, 0 when not compressed
 *   then the payload, padded; the next entry follows it.
 * </pre>
 * CUDA 13.0's nvcc leaves ELF entries uncompressed by default and compresses them with
 * {@code -Xfatbin -compress-all}: zstd ({@code --compress-mode=default|size|balance}) or LZ4
 * ({@code speed}); both are read here. Only the first container is read. Stateless.
 */
final class FatbinImage {

    private static final int MAGIC = 0xBA55ED50;
    private static final int HEADER_SIZE = 16;
    private static final int ENTRY_HEADER_SIZE = 64;
    private static final int KIND_ELF = 2;
    private static final long FLAG_LZ4 = 0x2000;
    private static final long COMPRESSED_FLAGS = FLAG_LZ4 | 0x8000;
    /** The most an LZ4 block expands: a 255-byte run per length byte. */
    private static final long LZ4_MAX_RATIO = 255;
    /** The zstd frame magic, bytes 0x28 0xB5 0x2F 0xFD. */
    private static final int ZSTD_MAGIC = 0xFD2FB528;
    /** What {@code Zstd.getFrameContentSize} answers for a frame that does not say its size; -2 is a corrupt header. */
    private static final long ZSTD_SIZE_UNKNOWN = -1;
    /** The largest decompressed cubin accepted: far above any real one, low enough to refuse a bogus size. */
    private static final long MAX_ELF = 1L << 30;

    private FatbinImage() {
    }

    /**
     * The ELF entry for exactly {@code sm} (90 for sm_90), decompressed and without the payload's
     * padding: a new array. An arch-specific entry (sm_90a, flag 0x100000) carries the same SM
     * and is taken as well; the first match wins.
     *
     * @return empty when the first container has no ELF entry for {@code sm}, or when that entry
     *         is compressed in a way not read here (neither zstd nor LZ4)
     * @throws IllegalArgumentException when the image is malformed or truncated; the message says
     *         at which offset
     */
    static Optional<byte[]> elfFor(byte[] fatbin, int sm) {
        ByteBuffer b = ByteBuffer.wrap(fatbin).order(ByteOrder.LITTLE_ENDIAN);
        if (fatbin.length < HEADER_SIZE) {
            throw new IllegalArgumentException("fat binary of " + fatbin.length
                    + " bytes, shorter than its 16-byte header");
        }
        if (b.getInt(0) != MAGIC) {
            throw new IllegalArgumentException("not a fat binary: magic 0x" + Integer.toHexString(b.getInt(0))
                    + ", expected 0xba55ed50");
        }
        int version = b.getShort(4) & 0xFFFF;
        int headerSize = b.getShort(6) & 0xFFFF;
        long size = b.getLong(8);
        if (version != 1) {
            throw new IllegalArgumentException("fat binary version " + version + ", only version 1 is known");
        }
        if (headerSize < HEADER_SIZE || headerSize > fatbin.length) {
            throw new IllegalArgumentException("fat binary header size " + headerSize + ", expected 16.."
                    + fatbin.length);
        }
        if (size < 0 || size > fatbin.length - headerSize) {
            throw new IllegalArgumentException("truncated fat binary: its header announces 0x" + Long.toHexString(size)
                    + " bytes of entries after offset 0x" + Integer.toHexString(headerSize) + ", the image has 0x"
                    + Integer.toHexString(fatbin.length - headerSize));
        }
        long end = headerSize + size;
        long at = headerSize;
        while (at < end) {
            if (end - at < ENTRY_HEADER_SIZE) {
                throw new IllegalArgumentException("truncated fat binary entry at 0x" + Long.toHexString(at) + ": 0x"
                        + Long.toHexString(end - at) + " bytes left, fewer than a 64-byte entry header");
            }
            int entry = (int) at;
            long entryHeader = Integer.toUnsignedLong(b.getInt(entry + 4));
            long padded = b.getLong(entry + 8);
            if (entryHeader < ENTRY_HEADER_SIZE || entryHeader > end - at) {
                throw new IllegalArgumentException("fat binary entry at 0x" + Long.toHexString(at) + ": header size "
                        + entryHeader + ", expected 64..0x" + Long.toHexString(end - at));
            }
            if (padded < 0 || padded > end - at - entryHeader) {
                throw new IllegalArgumentException("fat binary entry at 0x" + Long.toHexString(at) + ": payload of 0x"
                        + Long.toHexString(padded) + " bytes runs past the container's end at 0x"
                        + Long.toHexString(end));
            }
            if ((b.getShort(entry) & 0xFFFF) == KIND_ELF && b.getInt(entry + 0x1C) == sm) {
                return payload(fatbin, b, entry, (int) (at + entryHeader), (int) padded);
            }
            at += entryHeader + padded;
        }
        return Optional.empty();
    }

    private static Optional<byte[]> payload(byte[] fatbin, ByteBuffer b, int entry, int start, int padded) {
        long flags = b.getLong(entry + 0x28);
        long compressed = Integer.toUnsignedLong(b.getInt(entry + 0x10));
        if (compressed == 0 && (flags & COMPRESSED_FLAGS) == 0) {
            return Optional.of(uncompressed(fatbin, entry, start, padded));
        }
        if (compressed == 0 || compressed > padded) {
            throw new IllegalArgumentException(where(entry) + "compressed (flags 0x" + Long.toHexString(flags)
                    + ") into 0x" + Long.toHexString(compressed) + " bytes, expected 1..0x" + Integer.toHexString(padded));
        }
        long size = b.getLong(entry + 0x38);
        if (size <= 0 || size > MAX_ELF) {
            throw new IllegalArgumentException(where(entry) + "uncompressed size 0x" + Long.toHexString(size)
                    + ", expected 1..0x" + Long.toHexString(MAX_ELF));
        }
        if (compressed < 4 || b.getInt(start) != ZSTD_MAGIC) {
            return (flags & FLAG_LZ4) != 0 ? Optional.of(lz4(fatbin, entry, start, (int) compressed, (int) size))
                    : Optional.empty();
        }
        long frameSize = Zstd.getFrameContentSize(fatbin, start, (int) compressed);
        if (frameSize != ZSTD_SIZE_UNKNOWN && frameSize != size) {
            // Checked before allocating: a corrupt size field would otherwise cost up to MAX_ELF bytes.
            throw new IllegalArgumentException(where(entry) + "zstd frame " + (frameSize < 0 ? "header is corrupt"
                    : "holds 0x" + Long.toHexString(frameSize) + " bytes") + ", the entry header says 0x"
                    + Long.toHexString(size));
        }
        byte[] elf = new byte[(int) size];
        long got;
        try {
            got = Zstd.decompressByteArray(elf, 0, elf.length, fatbin, start, (int) compressed);
        } catch (ZstdException e) {
            throw new IllegalArgumentException(where(entry) + "zstd payload does not decompress into the 0x"
                    + Long.toHexString(size) + " bytes the header gives: " + e.getMessage(), e);
        }
        if (got != size) {
            throw new IllegalArgumentException(where(entry) + "zstd payload decompresses to 0x"
                    + Long.toHexString(got) + " bytes, the header says 0x" + Long.toHexString(size));
        }
        return Optional.of(elf);
    }

    /** An LZ4 block ({@code --compress-mode=speed}) that must decompress to exactly {@code size} bytes. */
    private static byte[] lz4(byte[] fatbin, int entry, int start, int compressed, int size) {
        if (size > (long) compressed * LZ4_MAX_RATIO + 16) {
            // An LZ4 block does not say its size: refuse one no block this long can hold before allocating it.
            throw new IllegalArgumentException(where(entry) + "LZ4 payload of 0x" + Integer.toHexString(compressed)
                    + " bytes cannot hold the 0x" + Integer.toHexString(size) + " bytes the header gives");
        }
        byte[] elf = new byte[size];
        int got;
        try {
            got = LZ4Factory.safeInstance().safeDecompressor().decompress(fatbin, start, compressed, elf, 0);
        } catch (LZ4Exception e) {
            throw new IllegalArgumentException(where(entry) + "LZ4 payload does not decompress into the 0x"
                    + Integer.toHexString(size) + " bytes the header gives: " + e.getMessage(), e);
        }
        if (got != size) {
            throw new IllegalArgumentException(where(entry) + "LZ4 payload decompresses to 0x"
                    + Integer.toHexString(got) + " bytes, the header says 0x" + Integer.toHexString(size));
        }
        return elf;
    }

    /** The ELF without the payload's padding: an uncompressed entry does not say its exact size. */
    private static byte[] uncompressed(byte[] fatbin, int entry, int start, int padded) {
        byte[] payload = Arrays.copyOfRange(fatbin, start, start + padded);
        long length;
        try {
            length = CubinElf.parse(payload).extent();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where(entry) + "payload at 0x" + Integer.toHexString(start)
                    + " is not a valid ELF64 file: " + e.getMessage(), e);
        }
        return length == padded ? payload : Arrays.copyOf(payload, (int) length);
    }

    private static String where(int entry) {
        return "fat binary ELF entry at 0x" + Integer.toHexString(entry) + ": ";
    }
}
