#!/usr/bin/env python3
"""Marks named symbols of a cubin (ELF64) undefined: `undefine_globals.py IN OUT NAME...`.

Part of the extern_globals.c probe: can a compiler's ordinary (non-relocatable) cubin have its
module globals placed by the loader at given addresses (CU_JIT_GLOBAL_SYMBOL_*), once their
symbols say they are defined nowhere? Prints each symbol it changed and where it was.
"""
import struct
import sys


def main(src, dst, names):
    data = bytearray(open(src, "rb").read())
    if data[:4] != b"\x7fELF" or data[4] != 2:
        sys.exit("not an ELF64 file: " + src)
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    changed = 0
    for sh_name, sh_type, _, _, off, size, link, _, _, entsize in sections:
        if sh_type != 2:  # SHT_SYMTAB
            continue
        strtab = sections[link][4]
        for k in range(size // entsize):
            at = off + k * entsize
            st_name, st_info, st_other, st_shndx, st_value, st_size = struct.unpack_from("<IBBHQQ", data, at)
            name = data[strtab + st_name:data.index(0, strtab + st_name)].decode()
            if name in names:
                print(f"{name}: section {st_shndx}, value {st_value:#x}, size {st_size} -> undefined")
                struct.pack_into("<IBBHQQ", data, at, st_name, st_info, st_other, 0, 0, st_size)
                changed += 1
    if changed != len(names):
        sys.exit(f"found {changed} of {len(names)} symbols")
    open(dst, "wb").write(data)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], set(sys.argv[3:]))
