package io.gpumigrate.device.cuda;

import io.gpumigrate.device.cuda.CubinGlobals.Variable;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import static io.gpumigrate.device.cuda.CubinGlobalsTest.fixture;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Fixtures: src/test/resources/cubin (README.md there says how each was made). */
class FatbinImageTest {

    @Test
    void plainEntryIsTheCubinNvccMakesForTheSameSource() throws Exception {
        byte[] elf = FatbinImage.elfFor(fixture("globals_sm90.fatbin"), 90).orElseThrow();
        assertArrayEquals(fixture("globals_nvcc.cubin"), elf);
    }

    @Test
    void paddingAfterTheElfIsLeftOut() throws Exception {
        byte[] fatbin = fixture("globals_sm90.fatbin");
        int elfEnd = 0x50 + 0x10b0;
        byte[] padded = new byte[fatbin.length + 16];
        System.arraycopy(fatbin, 0, padded, 0, elfEnd);
        System.arraycopy(fatbin, elfEnd, padded, elfEnd + 16, fatbin.length - elfEnd);
        Arrays.fill(padded, elfEnd, elfEnd + 16, (byte) 0xAA);
        le(padded).putLong(8, le(fatbin).getLong(8) + 16);
        le(padded).putLong(0x10 + 8, 0x10b0 + 16);
        assertArrayEquals(fixture("globals_nvcc.cubin"), FatbinImage.elfFor(padded, 90).orElseThrow());
    }

    @Test
    void zstdEntryIsDecompressedToTheSameCubin() throws Exception {
        byte[] elf = FatbinImage.elfFor(fixture("globals_zstd.fatbin"), 90).orElseThrow();
        assertArrayEquals(fixture("globals_nvcc.cubin"), elf);
        assertEquals(List.of(new Variable("counter", 0, 4), new Variable("table", 8, 32)),
                CubinGlobals.read(elf).variables());
    }

    @Test
    void noEntryForTheSmOrOnlyPtxGivesNothing() throws Exception {
        assertEquals(Optional.empty(), FatbinImage.elfFor(fixture("globals_sm90.fatbin"), 80));
        assertEquals(Optional.empty(), FatbinImage.elfFor(fixture("globals_sm90.fatbin"), 100));
        assertEquals(Optional.empty(), FatbinImage.elfFor(fixture("globals_ptx_only.fatbin"), 90));
    }

    @Test
    void lz4EntryIsDecompressedToTheSameCubin() throws Exception {
        assertArrayEquals(fixture("globals_nvcc.cubin"), FatbinImage.elfFor(fixture("globals_lz4.fatbin"), 90).orElseThrow(),
                "--compress-mode=speed");
        byte[] wrongSize = fixture("globals_lz4.fatbin");
        le(wrongSize).putLong(0x10 + 0x38, 0x10b8);
        assertTrue(rejection(wrongSize).contains("LZ4 payload"), rejection(wrongSize));
        byte[] bogusSize = fixture("globals_lz4.fatbin");
        le(bogusSize).putLong(0x10 + 0x38, 0x3000_0000L);
        assertTrue(rejection(bogusSize).contains("cannot hold"), rejection(bogusSize));
    }

    @Test
    void everyTruncationIsRejectedWithAMessage() throws Exception {
        for (String name : List.of("globals_sm90.fatbin", "globals_zstd.fatbin", "globals_lz4.fatbin")) {
            byte[] fatbin = fixture(name);
            for (int length = 0; length < fatbin.length; length++) {
                byte[] truncated = Arrays.copyOf(fatbin, length);
                String message = assertThrows(IllegalArgumentException.class,
                        () -> FatbinImage.elfFor(truncated, 90), name + " cut to " + length).getMessage();
                assertTrue(message.contains("shorter than its 16-byte header") || message.contains("truncated"),
                        name + " cut to " + length + ": " + message);
            }
        }
    }

    @Test
    void malformedHeadersAreRejectedWithWhereTheyAre() throws Exception {
        byte[] fatbin = fixture("globals_sm90.fatbin");
        assertTrue(rejection(fixture("globals_nvcc.cubin")).contains("not a fat binary"));

        byte[] version = fatbin.clone();
        version[4] = 2;
        assertTrue(rejection(version).contains("version 2"));

        byte[] entryHeader = fatbin.clone();
        le(entryHeader).putInt(0x10 + 4, 8);
        assertTrue(rejection(entryHeader).contains("entry at 0x10: header size 8"));

        byte[] payload = fatbin.clone();
        le(payload).putLong(0x10 + 8, 0x7fff_ffff_ffff_0000L);
        assertTrue(rejection(payload).contains("entry at 0x10: payload of 0x7fffffffffff0000 bytes"));

        byte[] notElf = fatbin.clone();
        notElf[0x50] = 0;
        assertTrue(rejection(notElf).contains("is not a valid ELF64 file"));
    }

    @Test
    void corruptZstdPayloadIsRejected() throws Exception {
        byte[] wrongSize = fixture("globals_zstd.fatbin");
        le(wrongSize).putLong(0x10 + 0x38, 0x1000);
        assertTrue(rejection(wrongSize).contains("entry at 0x10: zstd frame holds 0x10b0 bytes, the entry header "
                + "says 0x1000"), "checked before allocating");

        byte[] badBlock = fixture("globals_zstd.fatbin");
        // The frame's first block header follows its 7-byte frame header (magic, descriptor, 2-byte size).
        Arrays.fill(badBlock, 0x50 + 7, 0x50 + 10, (byte) 0xFF);
        assertTrue(rejection(badBlock).contains("entry at 0x10: zstd payload does not decompress"));
    }

    @Test
    void corruptBytesGiveARejectionOrAResultNeverAnotherException() throws Exception {
        Random random = new Random(7);
        for (String name : List.of("globals_sm90.fatbin", "globals_zstd.fatbin", "globals_lz4.fatbin")) {
            byte[] fatbin = fixture(name);
            for (int round = 0; round < 3000; round++) {
                byte[] corrupt = fatbin.clone();
                for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                    int at = random.nextInt(Math.min(corrupt.length, 0x100));
                    corrupt[at] = (byte) random.nextInt(256);
                }
                try {
                    FatbinImage.elfFor(corrupt, 90);
                } catch (IllegalArgumentException rejected) {
                    assertTrue(rejected.getMessage() != null && !rejected.getMessage().isEmpty());
                }
            }
        }
    }

    private static String rejection(byte[] fatbin) {
        return assertThrows(IllegalArgumentException.class, () -> FatbinImage.elfFor(fatbin, 90)).getMessage();
    }

    private static ByteBuffer le(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }
}
