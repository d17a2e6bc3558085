#!/usr/bin/env bash
# Regenerates every kernels/*.ptx from its .cu with nvcc (sm_90). Run from anywhere, on any
# machine with nvcc (no GPU needed). NVCC overrides the compiler, ARCH the target.
set -euo pipefail
cd "$(dirname "$0")"
NVCC=${NVCC:-nvcc}
ARCH=${ARCH:-sm_90}
command -v "$NVCC" >/dev/null || { echo "regen-ptx: $NVCC not found (set NVCC=/path/to/nvcc)" >&2; exit 1; }
for cu in *.cu; do
    "$NVCC" -ptx -arch="$ARCH" -o "${cu%.cu}.ptx" "$cu"
    echo "regen-ptx: ${cu%.cu}.ptx"
done
