#!/bin/sh
# Checks that LIB exports exactly the names of the symbol table (plus the marker
# gpumigrate_client_version), that the table has the 682 names of libcuda.so.1 from driver 580
# without duplicates, and that its soname is libcuda.so.1.
# Usage: check_exports.sh LIB SYMBOLS_DEF
set -eu
lib=$1
table=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

sed -n 's/^GM_SYM(\([A-Za-z0-9_]*\),.*/\1/p' "$table" | sort > "$tmp/table"
count=$(wc -l < "$tmp/table")
if [ "$count" -ne 682 ]; then
    echo "check_exports: $table lists $count symbols, expected 682" >&2
    exit 1
fi
dups=$(uniq -d "$tmp/table")
if [ -n "$dups" ]; then
    echo "check_exports: $table lists these symbols twice: $dups" >&2
    exit 1
fi
{ cat "$tmp/table"; echo gpumigrate_client_version; } | sort > "$tmp/expected"
nm -D --defined-only "$lib" | awk '{print $NF}' | sort > "$tmp/exported"
if ! diff "$tmp/expected" "$tmp/exported" > "$tmp/diff"; then
    echo "check_exports: $lib exports differ from $table (< missing, > unexpected):" >&2
    grep '^[<>]' "$tmp/diff" >&2
    exit 1
fi
soname=$(objdump -p "$lib" | awk '$1 == "SONAME" {print $2}')
if [ "$soname" != "libcuda.so.1" ]; then
    echo "check_exports: $lib has soname '$soname', expected libcuda.so.1" >&2
    exit 1
fi
echo "check_exports: $lib exports the 682 driver symbols and the marker"
