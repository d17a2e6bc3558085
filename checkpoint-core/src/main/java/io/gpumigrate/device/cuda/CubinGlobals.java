package io.gpumigrate.device.cuda;

import io.gpumigrate.device.cuda.CubinElf.Section;
import io.gpumigrate.device.cuda.CubinElf.Symbol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A cubin's module globals ({@code __device__} variables) laid out in one block, and a copy of the
 * cubin patched so that the driver's loader puts them at addresses we give instead of its own
 * (docs/module-globals.md).
 *
 * <p><b>What is placed.</b> Every {@code STT_OBJECT} symbol of the sections named exactly
 * {@code .nv.global.init} (initialized, {@code PROGBITS}) and {@code .nv.global}
 * (zero-initialized, {@code NOBITS}); string literals ({@code $str}) and function-scope statics
 * are such objects too. Constant banks and shared memory are left to the driver. So are
 * {@code __managed__} variables, but nvcc puts them in {@code .nv.global}, so a cubin holding one
 * is refused.
 *
 * <p><b>Layout.</b> Each section goes into the block whole, so its internal layout, gaps included,
 * is kept; a variable's offset is its section's offset plus its {@code st_value}:
 * <pre>
 *   0                                  align(init size, .nv.global's sh_addralign)
 *   +----------------------------------+-----+---------------------------+
 *   | .nv.global.init (initial values) | pad | .nv.global (zeros)        |
 *   +----------------------------------+-----+---------------------------+
 * </pre>
 *
 * <p><b>The patch.</b> Each placed variable's symbol becomes undefined and global:
 * {@code st_shndx} 0, {@code st_value} 0, {@code st_info} {@code STB_GLOBAL << 4 | type}; nothing
 * else changes, the symbol order included. {@code cuModuleLoadDataEx} of the patched cubin, with
 * {@code CU_JIT_GLOBAL_SYMBOL_NAMES/ADDRESSES/COUNT} naming each variable and the block's base plus
 * its offset, then resolves the code's references to those addresses (measured on an H200, driver
 * 580, for nvcc, ptxas and {@code cuLinkComplete} cubins; an undefined LOCAL symbol or
 * {@code SHN_ABS} gives {@code CUDA_ERROR_INVALID_IMAGE}). The compiler reaches a global through a
 * relocation against its symbol, which is why the patch works; a reference that goes through
 * anything else would still land in the loader's copy, so such cubins are refused (see
 * {@link #read}).
 *
 * <p>Immutable and thread-safe; every array it returns is a new copy that the caller owns.
 */
final class CubinGlobals {

    /** A placed module global: its symbol's name, its offset in the block, its size in bytes. */
    record Variable(String name, long offset, long size) {
    }

    static final String INIT_SECTION = ".nv.global.init";
    static final String ZERO_SECTION = ".nv.global";

    /** The {@code st_other} bit nvcc (CUDA 13.0) sets on a {@code __managed__} variable, which it puts in {@code .nv.global}. */
    private static final int STO_CUDA_MANAGED = 0x04;
    /** {@code R_CUDA_64} and {@code R_CUDA_G64}: a 64-bit (generic) address, symbol plus addend. */
    private static final int R_CUDA_64 = 2;
    private static final int R_CUDA_G64 = 4;
    /** The largest array the JVM allocates: the block's initial contents must fit in one. */
    private static final long MAX_BLOCK = Integer.MAX_VALUE - 8;

    private final byte[] cubin;
    private final List<Variable> variables;
    private final int[] symbolOffsets;
    private final long blockSize;
    private final long alignment;
    private final int initDataAt;
    private final int initDataLength;
    private final List<Initializer> initializers;

    /**
     * An initializer that holds the address of a placed variable ({@code __device__ int *p = &x;}):
     * the 8 bytes at {@code at} in the block are the block's base plus {@code offset} (the
     * variable's offset in the block plus the relocation's addend).
     */
    private record Initializer(long at, long offset) {
    }

    /** As read from the relocations, before the layout gives the target its offset. */
    private record Relocated(long at, Symbol target, long addend) {
    }

    private CubinGlobals(byte[] cubin, List<Variable> variables, int[] symbolOffsets, long blockSize,
                         long alignment, int initDataAt, int initDataLength, List<Initializer> initializers) {
        this.cubin = cubin;
        this.variables = variables;
        this.symbolOffsets = symbolOffsets;
        this.blockSize = blockSize;
        this.alignment = alignment;
        this.initDataAt = initDataAt;
        this.initDataLength = initDataLength;
        this.initializers = initializers;
    }

    /**
     * Reads {@code cubin}'s module globals; the array is copied, the caller keeps it.
     *
     * @throws UnplaceableGlobalsException naming the cause, when the cubin is not a little-endian
     *         ELF64 file, is truncated or has no symbol table; when a relocation into
     *         {@code .nv.global.init} is other than a 64-bit address of a placed variable (which
     *         {@link #initialContents} writes itself: {@code __device__ int *p = &x;}), or one
     *         applies to {@code .nv.global}; when a relocation refers to a symbol of
     *         {@code .nv.global} or {@code .nv.global.init} that is not a placed variable (the
     *         section's own symbol, say); when such a section holds a {@code __managed__}
     *         variable, or is not of the type an executable cubin gives it (a relocatable
     *         {@code -rdc} cubin's are processor-specific); when two placed variables share a name
     */
    static CubinGlobals read(byte[] cubin) throws UnplaceableGlobalsException {
        byte[] copy = cubin.clone();
        try {
            CubinElf elf = CubinElf.parse(copy);
            List<Symbol> symbols = elf.symbols();
            Section init = placedSection(elf, INIT_SECTION, CubinElf.SHT_PROGBITS);
            if (init != null) {
                elf.checkInFile(init);
            }
            Section zero = placedSection(elf, ZERO_SECTION, CubinElf.SHT_NOBITS);
            List<Symbol> placed = placedSymbols(symbols, init, zero);
            List<Relocated> initializers = checkRelocations(elf, symbols, placed, init, zero);
            return layOut(copy, placed, init, zero, initializers);
        } catch (IllegalArgumentException malformed) {
            throw new UnplaceableGlobalsException(malformed.getMessage(), malformed);
        }
    }

    /** The placed variables, in symbol-table order; empty when the cubin has no module globals. */
    List<Variable> variables() {
        return variables;
    }

    /** Bytes the block takes; 0 when the cubin has no module globals. */
    long blockSize() {
        return blockSize;
    }

    /** The alignment the block needs: the largest {@code sh_addralign} of the placed sections, at least 1. */
    long alignment() {
        return alignment;
    }

    /**
     * {@link #blockSize()} bytes for a block at {@code base}: {@code .nv.global.init}'s data at
     * offset 0, zeros elsewhere, and each initializer that holds a placed variable's address
     * holding where it lies in this block. A new array.
     */
    byte[] initialContents(long base) {
        byte[] block = new byte[(int) blockSize];
        System.arraycopy(cubin, initDataAt, block, 0, initDataLength);
        ByteBuffer out = ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN);
        for (Initializer i : initializers) {
            out.putLong((int) i.at(), base + i.offset());
        }
        return block;
    }

    /** A copy of the cubin with every placed variable's symbol undefined and global; equal to it when none. */
    byte[] patchedCubin() {
        byte[] patched = cubin.clone();
        ByteBuffer elf = ByteBuffer.wrap(patched).order(ByteOrder.LITTLE_ENDIAN);
        for (int at : symbolOffsets) {
            int type = patched[at + 4] & 0xF;
            elf.put(at + 4, (byte) (CubinElf.STB_GLOBAL << 4 | type));
            elf.putShort(at + 6, (short) CubinElf.SHN_UNDEF);
            elf.putLong(at + 8, 0);
        }
        return patched;
    }

    /** The section named {@code name}, or null; refused when it is not as the compiler makes it. */
    private static Section placedSection(CubinElf elf, String name, int type) throws UnplaceableGlobalsException {
        Section found = null;
        for (Section s : elf.sections()) {
            if (s.name().equals(name)) {
                if (found != null) {
                    throw new UnplaceableGlobalsException("two sections named " + name + ": " + found.index()
                            + " and " + s.index());
                }
                found = s;
            }
        }
        if (found == null) {
            return null;
        }
        if (found.type() != type) {
            // A relocatable (-rdc) cubin's are processor-specific: 0x70000008 (.init) and 0x70000007.
            throw new UnplaceableGlobalsException(found.label() + " is of type 0x" + Integer.toHexString(found.type())
                    + ", expected " + (type == CubinElf.SHT_NOBITS ? "SHT_NOBITS" : "SHT_PROGBITS")
                    + " as in an executable cubin");
        }
        if (found.align() < 0 || Long.bitCount(found.align()) > 1) {
            throw new UnplaceableGlobalsException(found.label() + ": sh_addralign " + found.align()
                    + " is not a power of two");
        }
        if (found.size() < 0 || found.size() > MAX_BLOCK) {
            throw new UnplaceableGlobalsException(found.label() + ": 0x" + Long.toHexString(found.size())
                    + " bytes, more than the " + MAX_BLOCK + " a block's initial contents can hold");
        }
        return found;
    }

    private static List<Symbol> placedSymbols(List<Symbol> symbols, Section init, Section zero)
            throws UnplaceableGlobalsException {
        List<Symbol> placed = new ArrayList<>();
        Map<String, Symbol> byName = new HashMap<>();
        for (Symbol s : symbols) {
            Section home = home(s, init, zero);
            if (home == null || s.type() != CubinElf.STT_OBJECT) {
                continue;
            }
            String what = "symbol " + s.index() + " ('" + s.name() + "') in " + home.name();
            if ((s.other() & STO_CUDA_MANAGED) != 0) {
                throw new UnplaceableGlobalsException(what + " is a __managed__ variable: the driver gives it "
                        + "managed memory, which a block of device memory cannot stand in for");
            }
            if (s.name().isEmpty()) {
                throw new UnplaceableGlobalsException(what + " has no name to give the loader its address by");
            }
            if (s.value() < 0 || s.size() < 0 || s.value() > home.size() || s.size() > home.size() - s.value()) {
                throw new UnplaceableGlobalsException(what + ": 0x" + Long.toHexString(s.size()) + " bytes at 0x"
                        + Long.toHexString(s.value()) + " overrun the section's 0x" + Long.toHexString(home.size()));
            }
            Symbol earlier = byName.putIfAbsent(s.name(), s);
            if (earlier != null) {
                throw new UnplaceableGlobalsException("two module globals named '" + s.name() + "': symbols "
                        + earlier.index() + " and " + s.index());
            }
            placed.add(s);
        }
        return placed;
    }

    /**
     * Refuses what would still point into the loader's own copy of a placed section; returns the
     * initializers that hold a placed variable's address, which the block gets from
     * {@link #initialContents} instead of from the loader.
     */
    private static List<Relocated> checkRelocations(CubinElf elf, List<Symbol> symbols, List<Symbol> placed,
                                                    Section init, Section zero) throws UnplaceableGlobalsException {
        boolean[] isPlaced = new boolean[symbols.size()];
        placed.forEach(s -> isPlaced[s.index()] = true);
        List<Relocated> initializers = new ArrayList<>();
        for (Section s : elf.sections()) {
            if (s.type() != CubinElf.SHT_RELA && s.type() != CubinElf.SHT_REL) {
                continue;
            }
            if (isSection(init, s.info()) && s.type() == CubinElf.SHT_RELA) {
                initializers.addAll(initializers(elf, s, symbols, isPlaced, init));
                continue;
            }
            if (isSection(init, s.info()) || isSection(zero, s.info())) {
                throw new UnplaceableGlobalsException(s.label() + " relocates " + elf.sections().get(s.info()).name()
                        + " without addends: an initializer holds an address that could not be placed");
            }
            long[] targets = elf.relocationSymbols(s);
            for (int k = 0; k < targets.length; k++) {
                if (targets[k] >= symbols.size()) {
                    throw new UnplaceableGlobalsException(s.label() + ", entry " + k + ": symbol " + targets[k]
                            + " is past the " + symbols.size() + " of the symbol table");
                }
                Symbol target = symbols.get((int) targets[k]);
                Section home = home(target, init, zero);
                if (home != null && !isPlaced[target.index()]) {
                    throw new UnplaceableGlobalsException(s.label() + ", entry " + k + ": refers to symbol "
                            + target.index() + " ('" + target.name() + "', type " + target.type() + ") in "
                            + home.name() + ", which is not a placed variable: the loader would resolve it into "
                            + "its own copy");
                }
            }
        }
        return initializers;
    }

    /**
     * The entries of {@code relocations} (into {@code .nv.global.init}) as initializers: each must
     * write a 64-bit address ({@code R_CUDA_64} or the generic {@code R_CUDA_G64}, the same address
     * for global memory) of a placed variable inside the section.
     */
    private static List<Relocated> initializers(CubinElf elf, Section relocations, List<Symbol> symbols,
                                                boolean[] isPlaced, Section init) throws UnplaceableGlobalsException {
        List<Relocated> found = new ArrayList<>();
        List<CubinElf.Relocation> entries = elf.relocations(relocations);
        for (int k = 0; k < entries.size(); k++) {
            CubinElf.Relocation r = entries.get(k);
            String where = relocations.label() + ", entry " + k + ": ";
            if (r.symbol() >= symbols.size()) {
                throw new UnplaceableGlobalsException(where + "symbol " + r.symbol() + " is past the " + symbols.size()
                        + " of the symbol table");
            }
            Symbol target = symbols.get((int) r.symbol());
            if (r.type() != R_CUDA_64 && r.type() != R_CUDA_G64) {
                throw new UnplaceableGlobalsException(where + "relocation type " + r.type() + " into " + INIT_SECTION
                        + " (only the 64-bit address of a module global, types 2 and 4, is written into the block)");
            }
            if (!isPlaced[target.index()]) {
                throw new UnplaceableGlobalsException(where + "an initializer holds the address of symbol "
                        + target.index() + " ('" + target.name() + "', type " + target.type()
                        + "), which is not a placed variable");
            }
            if (r.offset() < 0 || r.offset() > init.size() - 8) {
                throw new UnplaceableGlobalsException(where + "8 bytes at 0x" + Long.toHexString(r.offset())
                        + " leave " + INIT_SECTION + "'s 0x" + Long.toHexString(init.size()));
            }
            found.add(new Relocated(r.offset(), target, r.addend()));
        }
        return found;
    }

    private static CubinGlobals layOut(byte[] cubin, List<Symbol> placed, Section init, Section zero,
                                       List<Relocated> relocated) throws UnplaceableGlobalsException {
        if (placed.isEmpty()) {
            return new CubinGlobals(cubin, List.of(), new int[0], 0, 1, 0, 0, List.of());
        }
        long initSize = init == null ? 0 : init.size();
        long zeroAt = zero == null ? initSize : alignUp(initSize, Math.max(1, zero.align()));
        long blockSize = zero == null ? initSize : zeroAt + zero.size();
        if (blockSize > MAX_BLOCK) {
            throw new UnplaceableGlobalsException("module globals of 0x" + Long.toHexString(blockSize)
                    + " bytes, more than the " + MAX_BLOCK + " a block's initial contents can hold");
        }
        long alignment = Math.max(1, Math.max(init == null ? 0 : init.align(), zero == null ? 0 : zero.align()));
        List<Variable> variables = new ArrayList<>(placed.size());
        int[] symbolOffsets = new int[placed.size()];
        for (int i = 0; i < placed.size(); i++) {
            Symbol s = placed.get(i);
            variables.add(new Variable(s.name(), blockOffset(s, init, zeroAt), s.size()));
            symbolOffsets[i] = s.at();
        }
        List<Initializer> initializers = new ArrayList<>(relocated.size());
        for (Relocated r : relocated) {
            initializers.add(new Initializer(r.at(), blockOffset(r.target(), init, zeroAt) + r.addend()));
        }
        return new CubinGlobals(cubin, List.copyOf(variables), symbolOffsets, blockSize, alignment,
                init == null ? 0 : (int) init.offset(), (int) initSize, List.copyOf(initializers));
    }

    /** Where a placed variable lies in the block: {@code .nv.global.init} at 0, {@code .nv.global} at {@code zeroAt}. */
    private static long blockOffset(Symbol s, Section init, long zeroAt) {
        return (isSection(init, s.shndx()) ? 0 : zeroAt) + s.value();
    }

    /** The placed section {@code s} is defined in, or null. */
    private static Section home(Symbol s, Section init, Section zero) {
        return isSection(init, s.shndx()) ? init : isSection(zero, s.shndx()) ? zero : null;
    }

    private static boolean isSection(Section section, int index) {
        return section != null && section.index() == index;
    }

    private static long alignUp(long value, long alignment) {
        return (value + alignment - 1) & -alignment;
    }
}
