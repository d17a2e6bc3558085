package io.gpumigrate.device.cuda;

import io.gpumigrate.device.cuda.CubinGlobals.Variable;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Fixtures: src/test/resources/cubin (README.md there says how each was made). */
class CubinGlobalsTest {

    private static final int SYMBOL_SIZE = 24;

    /** Where the tests' blocks lie: the CUDA backend's first block. */
    private static final long BLOCK = 0x2100_0000_0000L;

    static byte[] fixture(String name) throws IOException {
        try (InputStream in = CubinGlobalsTest.class.getResourceAsStream("/cubin/" + name)) {
            if (in == null) {
                throw new IOException("missing test resource /cubin/" + name);
            }
            return in.readAllBytes();
        }
    }

    @Test
    void nvccCubinWithLocalSymbolsPlacesInitializedThenZeroedSection() throws Exception {
        CubinGlobals globals = CubinGlobals.read(fixture("globals_nvcc.cubin"));
        assertEquals(List.of(new Variable("counter", 0, 4), new Variable("table", 8, 32)), globals.variables(),
                "counter heads .nv.global.init; .nv.global (align 8) starts at 8");
        assertEquals(40, globals.blockSize());
        assertEquals(8, globals.alignment());
        byte[] block = globals.initialContents(BLOCK);
        assertEquals(40, block.length);
        assertEquals(7, ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN).getInt(0), "counter = 7");
        assertTrue(allZero(block, 4, 40), "table and the gap before it are zero");
    }

    @Test
    void ptxasCubinWithGlobalSymbolsHasTheSameLayout() throws Exception {
        CubinGlobals globals = CubinGlobals.read(fixture("globals_ptxas.cubin"));
        assertEquals(List.of(new Variable("counter", 0, 4), new Variable("table", 8, 32)), globals.variables());
        assertEquals(40, globals.blockSize());
        assertEquals(8, globals.alignment());
    }

    @Test
    void patchUndefinesThePlacedSymbolsAndChangesNothingElse() throws Exception {
        for (String cubin : List.of("globals_nvcc.cubin", "globals_ptxas.cubin")) {
            byte[] original = fixture(cubin);
            byte[] patched = CubinGlobals.read(original).patchedCubin();
            List<CubinElf.Symbol> symbols = CubinElf.parse(patched).symbols();
            byte[] masked = original.clone();
            byte[] maskedPatched = patched.clone();
            for (CubinElf.Symbol s : symbols) {
                if (s.name().equals("counter") || s.name().equals("table")) {
                    assertEquals(0, s.shndx(), cubin + ": " + s.name() + " undefined");
                    assertEquals(0, s.value(), cubin + ": " + s.name() + " value");
                    assertEquals(0x11, s.info(), cubin + ": " + s.name() + " GLOBAL OBJECT");
                    assertTrue(s.size() > 0, "st_size kept");
                    Arrays.fill(masked, s.at() + 4, s.at() + 16, (byte) 0);
                    Arrays.fill(maskedPatched, s.at() + 4, s.at() + 16, (byte) 0);
                }
            }
            assertArrayEquals(masked, maskedPatched, cubin + ": every other byte is the input's");
            assertArrayEquals(fixture(cubin.replace(".cubin", ".patched.cubin")), patched,
                    cubin + ": same bytes as patch_globals.py undef-global");
            assertArrayEquals(original, fixture(cubin), "the input is not modified");
        }
    }

    @Test
    void sectionLayoutGapsAndAlignmentAreKeptAndConstantsLeftAlone() throws Exception {
        CubinGlobals globals = CubinGlobals.read(fixture("mixed_globals.cubin"));
        // .nv.global.init: scale at 0, flag at 8 (9 bytes, align 8); .nv.global (align 16) at 16:
        // vectors at 0 and name at 0x20 within it. The __constant__ array is not placed.
        assertEquals(List.of(new Variable("flag", 8, 1), new Variable("scale", 0, 8),
                new Variable("name", 48, 3), new Variable("vectors", 16, 32)), globals.variables());
        assertEquals(16 + 0x23, globals.blockSize());
        assertEquals(16, globals.alignment());
        ByteBuffer block = ByteBuffer.wrap(globals.initialContents(BLOCK)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(2.5, block.getDouble(0));
        assertEquals(1, block.get(8));
        assertTrue(allZero(block.array(), 9, block.capacity()));
    }

    @Test
    void cubinWithoutGlobalsIsLeftAsItIs() throws Exception {
        byte[] cubin = fixture("no_globals.cubin");
        CubinGlobals globals = CubinGlobals.read(cubin);
        assertEquals(List.of(), globals.variables());
        assertEquals(0, globals.blockSize());
        assertEquals(1, globals.alignment());
        assertEquals(0, globals.initialContents(BLOCK).length);
        assertArrayEquals(cubin, globals.patchedCubin());
    }

    @Test
    void anInitializerHoldingAGlobalsAddressHoldsWhereItLiesInTheBlock() throws Exception {
        CubinGlobals globals = CubinGlobals.read(fixture("globals_pointer.cubin"));
        assertEquals(List.of(new Variable("counter", 8, 4), new Variable("table", 16, 32), new Variable("p", 0, 8)),
                globals.variables(), "p and counter in .nv.global.init, table after it");
        ByteBuffer block = ByteBuffer.wrap(globals.initialContents(BLOCK)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(BLOCK + 8, block.getLong(0), "p = &counter, where counter lies in a block at BLOCK");
        assertEquals(7, block.getInt(8), "counter = 7");
        ByteBuffer elsewhere = ByteBuffer.wrap(globals.initialContents(BLOCK + 4096)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(BLOCK + 4096 + 8, elsewhere.getLong(0));
    }

    @Test
    void anInitializerRelocatedAnyOtherWayIsRefused() throws Exception {
        byte[] cubin = fixture("globals_pointer.cubin");
        CubinElf.Section rela = section(CubinElf.parse(cubin), ".rela.nv.global.init");
        cubin[(int) rela.offset() + 8] = 1; // R_CUDA_32: a 32-bit address
        String message = refusal(cubin);
        assertTrue(message.contains(".rela.nv.global.init") && message.contains("relocation type 1"), message);
    }

    @Test
    void relocatableCubinIsRefusedForItsSectionTypes() throws Exception {
        byte[] cubin = fixture("globals_nvcc.cubin");
        CubinElf.Section init = section(CubinElf.parse(cubin), ".nv.global.init");
        int header = (int) (ByteBuffer.wrap(cubin).order(ByteOrder.LITTLE_ENDIAN).getLong(0x28) + 64L * init.index());
        ByteBuffer.wrap(cubin).order(ByteOrder.LITTLE_ENDIAN).putInt(header + 4, 0x70000008);
        String message = refusal(cubin);
        assertTrue(message.contains("(.nv.global.init) is of type 0x70000008, expected SHT_PROGBITS"), message);
    }

    @Test
    void managedVariableIsRefused() throws Exception {
        String message = refusal(fixture("managed_global.cubin"));
        assertTrue(message.contains("'managed'") && message.contains("__managed__"), message);
    }

    @Test
    void relocationAgainstTheSectionSymbolIsRefused() throws Exception {
        byte[] cubin = fixture("globals_nvcc.cubin");
        CubinElf elf = CubinElf.parse(cubin);
        int sectionSymbol = symbol(elf, ".nv.global").index();
        CubinElf.Section rela = section(elf, ".rela.nv.constant4");
        // Entry 0 refers to table; make it refer to .nv.global's section symbol (r_info's upper half).
        ByteBuffer.wrap(cubin).order(ByteOrder.LITTLE_ENDIAN).putInt((int) rela.offset() + 12, sectionSymbol);
        String message = refusal(cubin);
        assertTrue(message.contains("'.nv.global'") && message.contains("not a placed variable"), message);
    }

    @Test
    void twoGlobalsOfOneNameAreRefused() throws Exception {
        byte[] cubin = fixture("globals_nvcc.cubin");
        CubinElf elf = CubinElf.parse(cubin);
        ByteBuffer b = ByteBuffer.wrap(cubin).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(symbol(elf, "table").at(), b.getInt(symbol(elf, "counter").at()));
        String message = refusal(cubin);
        assertTrue(message.contains("two module globals named 'counter'"), message);
    }

    @Test
    void otherThanLittleEndianElf64IsRefused() throws Exception {
        byte[] cubin = fixture("globals_nvcc.cubin");
        cubin[4] = 1;
        assertTrue(refusal(cubin).contains("not a little-endian ELF64"));
        cubin[4] = 2;
        cubin[5] = 2;
        assertTrue(refusal(cubin).contains("not a little-endian ELF64"));
        assertTrue(refusal(".version 9.0\n".getBytes()).contains("not an ELF file"));
    }

    @Test
    void noSymbolTableIsRefused() throws Exception {
        byte[] cubin = fixture("globals_nvcc.cubin");
        CubinElf.Section symtab = CubinElf.parse(cubin).symbolTable();
        int header = (int) (ByteBuffer.wrap(cubin).order(ByteOrder.LITTLE_ENDIAN).getLong(0x28) + 64L * symtab.index());
        cubin[header + 4] = (byte) CubinElf.SHT_PROGBITS;
        assertTrue(refusal(cubin).contains("no symbol table"));
    }

    @Test
    void everyTruncationIsRefusedWithAMessage() throws Exception {
        byte[] cubin = fixture("globals_nvcc.cubin");
        for (int length = 0; length < cubin.length; length++) {
            byte[] truncated = Arrays.copyOf(cubin, length);
            String message = refusal(truncated);
            assertTrue(message.contains("truncated") || message.contains("not an ELF file"),
                    length + " bytes: " + message);
        }
    }

    @Test
    void corruptBytesGiveARefusalOrAResultNeverAnotherException() throws Exception {
        byte[] cubin = fixture("globals_nvcc.cubin");
        Random random = new Random(42);
        for (int round = 0; round < 5000; round++) {
            byte[] corrupt = cubin.clone();
            for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                corrupt[random.nextInt(corrupt.length)] = (byte) random.nextInt(256);
            }
            try {
                CubinGlobals globals = CubinGlobals.read(corrupt);
                assertEquals(corrupt.length, globals.patchedCubin().length);
            } catch (UnplaceableGlobalsException refused) {
                assertTrue(refused.getMessage() != null && !refused.getMessage().isEmpty());
            }
        }
    }

    private static String refusal(byte[] cubin) {
        return assertThrows(UnplaceableGlobalsException.class, () -> CubinGlobals.read(cubin)).getMessage();
    }

    private static CubinElf.Symbol symbol(CubinElf elf, String name) {
        return elf.symbols().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    private static CubinElf.Section section(CubinElf elf, String name) {
        return elf.sections().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    private static boolean allZero(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
