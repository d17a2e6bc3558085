#!/usr/bin/env bash
# Runs place_globals.c over the cubins of docs/module-globals.md's open questions, on a GPU
# machine, from the repository root: nvcc's whole-program cubin (LOCAL symbols), ptxas's cubin,
# and the JIT linker's cubins of PTX and of a fat binary, each patched three ways
# (patch_globals.py). Writes everything to $OUT_DIR (default /tmp/place-globals); prints a table.
set -u
P=benchmarks/gpu/probes
W=${OUT_DIR:-/tmp/place-globals}
mkdir -p "$W"
ADDR="counter=0x200000000100 table=0x200000000200"
nvcc "$P/place_globals.c" -lcuda -o "$W/place" || exit 1
"$W/place" --write-ptx "$W/d.ptx"
nvcc -cubin -arch=sm_90 "$P/globals_kernel.cu" -o "$W/nvcc.cubin"
ptxas -arch=sm_90 "$W/d.ptx" -o "$W/ptxas.cubin"
nvcc -fatbin -arch=sm_90 "$P/globals_kernel.cu" -o "$W/k.fatbin"
nvcc -fatbin -gencode arch=compute_90,code=compute_90 "$P/globals_kernel.cu" -o "$W/kptx.fatbin"
"$W/place" --link ptx "$W/d.ptx" "$W/linkptx.cubin"
"$W/place" --link fatbin "$W/k.fatbin" "$W/linkfat.cubin"
"$W/place" --link fatbin "$W/kptx.fatbin" "$W/linkfatptx.cubin"
printf '%-18s %-13s %-8s %s\n' cubin patch options result > "$W/table.txt"
for c in nvcc ptxas linkptx linkfat linkfatptx; do
  [ -f "$W/$c.cubin" ] || { echo "$c: no cubin" >> "$W/table.txt"; continue; }
  python3 "$P/patch_globals.py" "$W/$c.cubin" - show $ADDR > "$W/$c.show.txt" 2>&1
  for mode in none undef undef-global abs; do
    if [ $mode = none ]; then cp "$W/$c.cubin" "$W/$c.none.cubin"; else
      python3 "$P/patch_globals.py" "$W/$c.cubin" "$W/$c.$mode.cubin" $mode $ADDR > /dev/null 2>&1 || continue; fi
    for opt in options plain; do
      timeout 60 "$W/place" "$W/$c.$mode.cubin" $opt > "$W/$c.$mode.$opt.txt" 2>&1
      printf '%-18s %-13s %-8s %s\n' $c $mode $opt "$(tail -1 "$W/$c.$mode.$opt.txt" | cut -c1-100)" >> "$W/table.txt"
    done
  done
done
# a large module: 48 kernels of 128 unrolled steps each, so that the JIT takes long enough to see
python3 - "$W/big.cu" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("__device__ float acc[1024];\n")
    for k in range(48):
        f.write(f'extern "C" __global__ void k{k}(float *x, int n) {{\n  int i = blockIdx.x * blockDim.x + threadIdx.x;\n'
                f'  float v = x[i % n];\n#pragma unroll\n  for (int s = 0; s < 128; s++) {{ v = v * {1.0001 + k / 1e4} + __sinf(v + s); }}\n'
                f'  x[i % n] = v; acc[i % 1024] += v;\n}}\n')
PY
nvcc -ptx -arch=sm_90 "$W/big.cu" -o "$W/big.ptx"
for k in test-workloads/kernels/stencil.ptx "$W/big.ptx"; do
  [ -f "$k" ] && "$W/place" --time-jit "$k" 3 >> "$W/time-jit.txt" 2>&1
done
cat "$W"/*.show.txt
cat "$W/table.txt"
cat "$W/time-jit.txt"
