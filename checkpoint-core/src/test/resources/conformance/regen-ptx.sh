#!/bin/sh
# Regenerates every NAME.ptx of the conformance suite from NAME.cu beside it, with nvcc for
# sm_90, and from NAME.ll (LLVM IR) with llc. A kernel that needs extra nvcc flags names them on a line of its own in the .cu:
#     // nvcc-flags: -ftz=true
# Hand-written PTX (handwritten/) has no .cu and is left alone. The modules in FATBIN_MODULES
# are also built as fat binaries the way a program embeds them: NAME.fatbin (sm_90 machine code
# plus compute_90 PTX, compressed as nvcc does by default) and NAME.uncompressed.fatbin.
# Usage: regen-ptx.sh [NVCC]   (default: $NVCC, else nvcc on the PATH, else /usr/local/cuda/bin/nvcc)
set -eu
dir=$(cd "$(dirname "$0")" && pwd)
nvcc=${1:-${NVCC:-}}
if [ -z "$nvcc" ]; then
    if command -v nvcc >/dev/null 2>&1; then nvcc=nvcc; else nvcc=/usr/local/cuda/bin/nvcc; fi
fi
"$nvcc" --version | tail -n 1
FATBIN_MODULES="block_algorithms"
count=0
cd "$dir"   # relative source names, so that assert() messages embed no machine's paths
for cu in *.cu; do
    name=${cu%.cu}
    flags=$(sed -n 's|^// nvcc-flags:||p' "$cu" | head -n 1)
    # shellcheck disable=SC2086
    "$nvcc" -ptx -arch=sm_90 $flags -o "$name.ptx" "$cu"
    echo "  $name.ptx ${flags:+(flags:$flags)}"
    count=$((count + 1))
done
for name in $FATBIN_MODULES; do
    gencode="-gencode arch=compute_90,code=sm_90 -gencode arch=compute_90,code=compute_90"
    # shellcheck disable=SC2086
    "$nvcc" -fatbin $gencode -o "$name.fatbin" "$name.cu"
    # shellcheck disable=SC2086
    "$nvcc" -fatbin $gencode -Xfatbin=-compress=false -o "$name.uncompressed.fatbin" "$name.cu"
    echo "  $name.fatbin, $name.uncompressed.fatbin"
done
# LLVM IR kernels (NAME.ll): PTX from LLVM's NVPTX back end, the code generator clang uses.
llc=${LLC:-$(command -v llc || ls /usr/lib/llvm-*/bin/llc 2>/dev/null | tail -n 1 || true)}
for ll in *.ll; do
    [ -e "$ll" ] || continue
    if [ -z "$llc" ]; then
        echo "  $ll: no llc found (set LLC), its .ptx is left as it is"
        continue
    fi
    "$llc" -march=nvptx64 -mcpu=sm_70 -O2 -o "${ll%.ll}.ptx" "$ll"
    echo "  ${ll%.ll}.ptx (llc)"
    count=$((count + 1))
done
echo "regenerated $count PTX files in $dir"
