#!/usr/bin/env python3
"""Rewrites a cubin's module-global symbols so the loader places them: `patch_globals.py IN OUT MODE NAME=ADDR...`.

Part of the place_globals.c probe (docs/module-globals.md). MODE:
  undef         the symbols become undefined (section 0, value 0), binding kept;
  undef-global  undefined and GLOBAL binding (nvcc's whole-program cubins make them LOCAL);
  abs           absolute (SHN_ABS) at ADDR, binding kept: the loader's relocations then use ADDR
                without CU_JIT_GLOBAL_SYMBOL_* options;
  show          changes nothing; prints the sections, the symbols and the relocation types.
Prints the sections holding globals, every relocation against a named symbol and each change.
"""
import struct
import sys

SHT_SYMTAB, SHT_RELA, SHT_REL = 2, 4, 9
SHN_ABS = 0xFFF1


def main(src, dst, mode, wanted):
    data = bytearray(open(src, "rb").read())
    if data[:4] != b"\x7fELF" or data[4] != 2:
        sys.exit("not an ELF64 file: " + src)
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    shstr = sections[shstrndx][4]

    def cstr(at):
        return data[at:data.index(0, at)].decode()

    names = [cstr(shstr + s[0]) for s in sections]
    for i, (n, s) in enumerate(zip(names, sections)):
        if n.startswith(".nv.global") or n.startswith(".nv.constant"):
            print(f"section {i} {n}: type {s[1]}, size {s[5]}, align {s[8]}")
    changed = 0
    symbols = {}
    for sh_name, sh_type, _, _, off, size, link, info, _, entsize in sections:
        if sh_type != SHT_SYMTAB:
            continue
        strtab = sections[link][4]
        print(f"symtab: {size // entsize} symbols, first non-local {info}")
        for k in range(size // entsize):
            at = off + k * entsize
            st_name, st_info, st_other, st_shndx, st_value, st_size = struct.unpack_from("<IBBHQQ", data, at)
            name = cstr(strtab + st_name)
            symbols[k] = name
            if name not in wanted:
                continue
            where = names[st_shndx] if st_shndx < len(names) else hex(st_shndx)
            print(f"symbol {k} {name}: bind {st_info >> 4}, type {st_info & 15}, in {where}, value {st_value:#x},"
                  f" size {st_size}")
            if mode == "show":
                changed += 1
                continue
            if mode == "abs":
                struct.pack_into("<IBBHQQ", data, at, st_name, st_info, st_other, SHN_ABS, wanted[name], st_size)
            else:
                info_ = (1 << 4) | (st_info & 15) if mode == "undef-global" else st_info
                struct.pack_into("<IBBHQQ", data, at, st_name, info_, st_other, 0, 0, st_size)
            changed += 1
    for i, (sh_name, sh_type, _, _, off, size, link, info, _, entsize) in enumerate(sections):
        if sh_type not in (SHT_RELA, SHT_REL):
            continue
        for k in range(size // entsize):
            r_offset, r_info = struct.unpack_from("<QQ", data, off + k * entsize)
            sym = symbols.get(r_info >> 32, "?")
            if sym in wanted:
                print(f"reloc in {names[i]} (for {names[info]}): offset {r_offset:#x}, type {r_info & 0xffffffff},"
                      f" symbol {sym}")
    if changed != len(wanted):
        sys.exit(f"found {changed} of {len(wanted)} symbols")
    if mode != "show":
        open(dst, "wb").write(data)


if __name__ == "__main__":
    pairs = dict(a.split("=") for a in sys.argv[4:])
    main(sys.argv[1], sys.argv[2], sys.argv[3], {k: int(v, 0) for k, v in pairs.items()})
