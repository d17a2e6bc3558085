#!/bin/sh
# Regenerates every NAME.ptx of the conformance suite from NAME.cu beside it, with nvcc for
# sm_90. A kernel that needs extra nvcc flags names them on a line of its own in the .cu:
#     // nvcc-flags: -ftz=true
# Hand-written PTX (handwritten/) has no .cu and is left alone.
# Usage: regen-ptx.sh [NVCC]   (default: $NVCC, else nvcc on the PATH, else /usr/local/cuda/bin/nvcc)
set -eu
dir=$(cd "$(dirname "$0")" && pwd)
nvcc=${1:-${NVCC:-}}
if [ -z "$nvcc" ]; then
    if command -v nvcc >/dev/null 2>&1; then nvcc=nvcc; else nvcc=/usr/local/cuda/bin/nvcc; fi
fi
"$nvcc" --version | tail -n 1
count=0
for cu in "$dir"/*.cu; do
    name=${cu%.cu}
    flags=$(sed -n 's|^// nvcc-flags:||p' "$cu" | head -n 1)
    # shellcheck disable=SC2086
    "$nvcc" -ptx -arch=sm_90 $flags -o "$name.ptx" "$cu"
    echo "  $(basename "$name").ptx ${flags:+(flags:$flags)}"
    count=$((count + 1))
done
echo "regenerated $count PTX files in $dir"
