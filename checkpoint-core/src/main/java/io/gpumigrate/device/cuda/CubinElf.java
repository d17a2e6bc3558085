package io.gpumigrate.device.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of a cubin (a little-endian ELF64 file) that {@link CubinGlobals} and
 * {@link FatbinImage} read: the section headers with their names, the symbol table and the
 * relocation entries. {@link #parse} checks that the header tables and the section name table lie
 * inside the array, and each method checks the sections it reads, so nothing goes out of bounds;
 * a malformed file gets an {@link IllegalArgumentException} that says what and where. Sections
 * nobody reads are not checked: a relocatable cubin's {@code .nv.global} has a processor-specific
 * type ({@code SHT_LOPROC + 7}) and, like {@code SHT_NOBITS}, no bytes in the file.
 *
 * <p>Immutable as long as the array it reads is not changed; the caller keeps ownership of it.
 */
final class CubinElf {

    static final int SHT_NULL = 0;
    static final int SHT_PROGBITS = 1;
    static final int SHT_SYMTAB = 2;
    static final int SHT_STRTAB = 3;
    static final int SHT_RELA = 4;
    static final int SHT_NOBITS = 8;
    static final int SHT_REL = 9;
    static final int STT_OBJECT = 1;
    static final int STB_GLOBAL = 1;
    static final int SHN_UNDEF = 0;
    static final int SYM_SIZE = 24;

    private static final int ELF_MAGIC = 0x464C457F;
    private static final int EHDR_SIZE = 64;
    private static final int SHDR_SIZE = 64;
    private static final int PHDR_SIZE = 56;
    private static final int RELA_SIZE = 24;
    private static final int REL_SIZE = 16;

    /** A section header; {@code name} comes from the section name table. */
    record Section(int index, String name, int type, long offset, long size, int link, int info, long align,
                   long entsize) {
        boolean hasData() {
            return type != SHT_NULL && type != SHT_NOBITS;
        }

        String label() {
            return "section " + index + " (" + name + ")";
        }
    }

    /** A symbol-table entry; {@code at} is the file offset of the entry itself. */
    record Symbol(int index, int at, String name, int info, int other, int shndx, long value, long size) {
        int type() {
            return info & 0xF;
        }
    }

    private final ByteBuffer elf;
    private final List<Section> sections;
    private final long extent;

    private CubinElf(ByteBuffer elf, List<Section> sections, long extent) {
        this.elf = elf;
        this.sections = sections;
        this.extent = extent;
    }

    /** Reads the header and the section headers of {@code bytes}, which may carry padding after the file. */
    static CubinElf parse(byte[] bytes) {
        ByteBuffer elf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int length = bytes.length;
        if (length < 4 || elf.getInt(0) != ELF_MAGIC) {
            throw new IllegalArgumentException("not an ELF file: it does not start with 0x7f 'E' 'L' 'F'");
        }
        if (length < EHDR_SIZE) {
            throw new IllegalArgumentException("truncated: " + length + " bytes, shorter than an ELF64 header (64)");
        }
        if (elf.get(4) != 2 || elf.get(5) != 1) {
            throw new IllegalArgumentException("not a little-endian ELF64 file: EI_CLASS " + elf.get(4)
                    + ", EI_DATA " + elf.get(5) + " (expected 2 and 1)");
        }
        long phoff = elf.getLong(0x20);
        long shoff = elf.getLong(0x28);
        int phentsize = u16(elf, 0x36);
        int phnum = u16(elf, 0x38);
        int shentsize = u16(elf, 0x3A);
        int shnum = u16(elf, 0x3C);
        int shstrndx = u16(elf, 0x3E);
        long extent = EHDR_SIZE;
        if (phnum > 0) {
            extent = Math.max(extent, table(length, phoff, phnum, phentsize, PHDR_SIZE, "program header table"));
        }
        if (shnum == 0) {
            throw new IllegalArgumentException("no section headers");
        }
        extent = Math.max(extent, table(length, shoff, shnum, shentsize, SHDR_SIZE, "section header table"));
        if (shstrndx == 0 || shstrndx >= shnum) {
            throw new IllegalArgumentException("no section name table: e_shstrndx " + shstrndx + " of " + shnum
                    + " sections");
        }
        Section names = header(elf, (int) (shoff + (long) shstrndx * shentsize), shstrndx, "section names");
        if (names.type() != SHT_STRTAB) {
            throw new IllegalArgumentException(names.label() + " is of type " + names.type() + ", not SHT_STRTAB");
        }
        within(length, names.offset(), names.size(), names.label());
        List<Section> sections = new ArrayList<>(shnum);
        for (int i = 0; i < shnum; i++) {
            int at = (int) (shoff + (long) i * shentsize);
            Section section = header(elf, at, i, string(elf, names, elf.getInt(at), "name of section " + i));
            if (section.hasData() && section.offset() >= 0 && section.size() >= 0
                    && section.size() <= length - section.offset()) {
                extent = Math.max(extent, section.offset() + section.size());
            }
            sections.add(section);
        }
        return new CubinElf(elf, List.copyOf(sections), extent);
    }

    /** Every section header, section 0 included, in index order. */
    List<Section> sections() {
        return sections;
    }

    /**
     * Where the last header table or section data ends: the file's length without padding after
     * it. Sections claiming bytes past the array are left out (they hold none, or the file is
     * truncated, which the reader of such a section finds).
     */
    long extent() {
        return extent;
    }

    /** Checks that {@code section}'s bytes lie in the file. */
    void checkInFile(Section section) {
        within(elf.capacity(), section.offset(), section.size(), section.label());
    }

    /** The one {@code SHT_SYMTAB} section. */
    Section symbolTable() {
        Section found = null;
        for (Section s : sections) {
            if (s.type() == SHT_SYMTAB) {
                if (found != null) {
                    throw new IllegalArgumentException("two symbol tables: " + found.label() + " and " + s.label());
                }
                found = s;
            }
        }
        if (found == null) {
            throw new IllegalArgumentException("no symbol table (no SHT_SYMTAB section)");
        }
        if (found.entsize() != SYM_SIZE || found.size() % SYM_SIZE != 0) {
            throw new IllegalArgumentException(found.label() + ": 0x" + Long.toHexString(found.size()) + " bytes of "
                    + found.entsize() + "-byte entries, expected 24-byte Elf64_Sym entries");
        }
        if (found.link() <= 0 || found.link() >= sections.size()
                || sections.get(found.link()).type() != SHT_STRTAB) {
            throw new IllegalArgumentException(found.label() + ": sh_link " + found.link()
                    + " does not name a string table");
        }
        checkInFile(found);
        checkInFile(sections.get(found.link()));
        return found;
    }

    /** The symbol table's entries, in order, with their names. */
    List<Symbol> symbols() {
        Section symtab = symbolTable();
        Section strings = sections.get(symtab.link());
        int count = (int) (symtab.size() / SYM_SIZE);
        List<Symbol> symbols = new ArrayList<>(count);
        for (int k = 0; k < count; k++) {
            int at = (int) (symtab.offset() + (long) k * SYM_SIZE);
            symbols.add(new Symbol(k, at, string(elf, strings, elf.getInt(at), "name of symbol " + k),
                    elf.get(at + 4) & 0xFF, elf.get(at + 5) & 0xFF, u16(elf, at + 6), elf.getLong(at + 8),
                    elf.getLong(at + 16)));
        }
        return symbols;
    }

    /**
     * The symbol index ({@code r_info >>> 32}) of each entry of {@code relocations}, an
     * {@code SHT_RELA} (24-byte entries) or {@code SHT_REL} (16-byte) section whose symbols come
     * from the symbol table.
     */
    long[] relocationSymbols(Section relocations) {
        int entry = relocations.type() == SHT_RELA ? RELA_SIZE : REL_SIZE;
        if ((relocations.entsize() != 0 && relocations.entsize() != entry) || relocations.size() % entry != 0) {
            throw new IllegalArgumentException(relocations.label() + ": 0x" + Long.toHexString(relocations.size())
                    + " bytes of " + relocations.entsize() + "-byte entries, expected " + entry + "-byte entries");
        }
        Section symtab = symbolTable();
        if (relocations.link() != symtab.index()) {
            throw new IllegalArgumentException(relocations.label() + " takes its symbols from section "
                    + relocations.link() + ", not from the symbol table, " + symtab.label());
        }
        checkInFile(relocations);
        long[] symbols = new long[(int) (relocations.size() / entry)];
        for (int k = 0; k < symbols.length; k++) {
            symbols[k] = elf.getLong((int) (relocations.offset() + (long) k * entry + 8)) >>> 32;
        }
        return symbols;
    }

    /** One {@code SHT_RELA} entry: where it writes, what type, which symbol, what addend. */
    record Relocation(long offset, int type, long symbol, long addend) {
    }

    /** The entries of {@code relocations}, an {@code SHT_RELA} section; checked as {@link #relocationSymbols}. */
    List<Relocation> relocations(Section relocations) {
        if (relocations.type() != SHT_RELA) {
            throw new IllegalArgumentException(relocations.label() + " is not an SHT_RELA section");
        }
        long[] symbols = relocationSymbols(relocations);
        List<Relocation> entries = new ArrayList<>(symbols.length);
        for (int k = 0; k < symbols.length; k++) {
            int at = (int) (relocations.offset() + (long) k * RELA_SIZE);
            entries.add(new Relocation(elf.getLong(at), (int) elf.getLong(at + 8), symbols[k], elf.getLong(at + 16)));
        }
        return entries;
    }

    private static Section header(ByteBuffer elf, int at, int index, String name) {
        return new Section(index, name, elf.getInt(at + 4), elf.getLong(at + 24), elf.getLong(at + 32),
                elf.getInt(at + 40), elf.getInt(at + 44), elf.getLong(at + 48), elf.getLong(at + 56));
    }

    /** Checks a header table lies in the file; returns where it ends. */
    private static long table(int length, long offset, int count, int entrySize, int minEntrySize, String what) {
        if (entrySize < minEntrySize) {
            throw new IllegalArgumentException(what + ": entries of " + entrySize + " bytes, fewer than "
                    + minEntrySize);
        }
        return within(length, offset, (long) count * entrySize, what + " (" + count + " entries)");
    }

    /** Checks {@code size} bytes at {@code offset} lie in the file; returns where they end. */
    private static long within(int length, long offset, long size, String what) {
        if (offset < 0 || size < 0 || offset > length || size > length - offset) {
            throw new IllegalArgumentException("truncated: " + what + " at 0x" + Long.toHexString(offset) + ", 0x"
                    + Long.toHexString(size) + " bytes, ends past the end of the 0x" + Integer.toHexString(length)
                    + "-byte file");
        }
        return offset + size;
    }

    /** The NUL-terminated string at {@code at} in string table {@code table}, which lies in the file. */
    private static String string(ByteBuffer elf, Section table, int at, String what) {
        long offset = Integer.toUnsignedLong(at);
        if (offset >= table.size()) {
            throw new IllegalArgumentException(what + ": offset 0x" + Long.toHexString(offset) + " is outside "
                    + table.label() + " (0x" + Long.toHexString(table.size()) + " bytes)");
        }
        int start = (int) (table.offset() + offset);
        int end = (int) (table.offset() + table.size());
        for (int i = start; i < end; i++) {
            if (elf.get(i) == 0) {
                return new String(elf.array(), start, i - start, StandardCharsets.UTF_8);
            }
        }
        throw new IllegalArgumentException(what + ": the string at 0x" + Long.toHexString(offset)
                + " runs past the end of " + table.label());
    }

    private static int u16(ByteBuffer elf, int at) {
        return elf.getShort(at) & 0xFFFF;
    }
}
