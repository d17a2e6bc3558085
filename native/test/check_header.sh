#!/bin/sh
# Checks include/cuda.h against NVIDIA's cuda.h where a CUDA toolkit is installed: every
# prototype of ours must be compatible with theirs (a redeclaration that conflicts is a compile
# error), in the plain, per-thread default stream and library-internal modes, and every
# enumerator of ours must have their value. Skipped (not failed) where no toolkit is found.
# Usage: check_header.sh OUR_INCLUDE_DIR [CUDA_INCLUDE_DIR]
set -eu
ours=$1
theirs=${2:-/usr/local/cuda/include}
cc=${CC:-cc}
if [ ! -f "$theirs/cuda.h" ]; then
    echo "check_header: no $theirs/cuda.h here, skipped"
    exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for mode in plain ptds internal; do
    case $mode in
        plain) ours_flags=""; their_flags="" ;;
        ptds) ours_flags="-DCUDA_API_PER_THREAD_DEFAULT_STREAM"; their_flags="$ours_flags" ;;
        internal) ours_flags="-DGPUMIGRATE_INTERNAL"; their_flags="-D__CUDA_API_VERSION_INTERNAL" ;;
    esac
    echo '#include <cuda.h>' | $cc -E -P $ours_flags -I"$ours" -x c - | tr '\n' ' ' | sed 's/;/;\n/g' \
        | grep -E '^[[:space:]]*CUresult[[:space:]]+cu[A-Za-z0-9_]+[[:space:]]*\(' > "$tmp/protos" || true
    n=$(wc -l < "$tmp/protos")
    if [ "$n" -lt 100 ]; then
        echo "check_header: only $n prototypes found in $ours/cuda.h ($mode)" >&2
        exit 1
    fi
    { echo "#include \"$theirs/cuda.h\""; cat "$tmp/protos"; } > "$tmp/protos.c"
    if ! $cc -std=gnu11 $their_flags -fsyntax-only "$tmp/protos.c" 2> "$tmp/err"; then
        echo "check_header: prototypes differ from $theirs/cuda.h ($mode):" >&2
        grep error "$tmp/err" >&2
        exit 1
    fi
done

# Enumerators: print ours as static assertions, then compile those against theirs.
echo '#include <cuda.h>' | $cc -E -P -I"$ours" -x c - | tr '\n' ' ' | sed 's/typedef enum/\ntypedef enum/g' \
    | grep '^typedef enum' | sed 's/}.*//; s/.*{//' | tr ',' '\n' | sed 's/=.*//; s/[[:space:]]//g' \
    | grep -E '^CU[A-Za-z0-9_]+$' | sort -u > "$tmp/names"
{
    echo '#include <stdio.h>'
    echo '#include <cuda.h>'
    echo 'int main(void) {'
    sed 's/.*/    printf("_Static_assert((long long)& == %lldLL, \\"&\\");\\n", (long long)&);/' "$tmp/names"
    echo '    return 0; }'
} > "$tmp/values.c"
$cc -I"$ours" -o "$tmp/values" "$tmp/values.c" 2> "$tmp/err" || { head -5 "$tmp/err" >&2; exit 1; }
{ echo "#include \"$theirs/cuda.h\""; "$tmp/values"; } > "$tmp/asserts.c"
if ! $cc -std=gnu11 -fsyntax-only "$tmp/asserts.c" 2> "$tmp/err"; then
    echo "check_header: enumerator values differ from $theirs/cuda.h:" >&2
    grep error "$tmp/err" | head -20 >&2
    exit 1
fi
echo "check_header: $(wc -l < "$tmp/names") enumerators and every prototype match $theirs/cuda.h"
