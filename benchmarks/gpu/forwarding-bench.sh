#!/usr/bin/env bash
# Issue 4's benchmark and GPU proof, in one call on a GPU machine (../shared/device/README.md):
#   1. every test workload natively (nvcc-built, NVIDIA's libcuda.so.1) and through
#      `gpumigrate run` against an agent with the CUDA backend: PASS/FAIL table;
#   2. driver_bench natively and forwarded, alternating, ROUNDS times: launches/s, launch +
#      synchronize latency, 256 MiB pageable HtoD/DtoH; medians and ratios;
#   3. stencil and matmul total wall time, native and forwarded, medians of ROUNDS.
# Expects .device/ from pack.sh (dist = cli/target/gpumigrate). Logs go to LOGDIR (default
# /tmp/fwd-logs; the caller packs them, since only a few files come back from a device run).
# Usage (device machine, repo root): benchmarks/gpu/forwarding-bench.sh [ROUNDS]
set -uo pipefail
ROUNDS=${1:-3}
OUT=${LOGDIR:-/tmp/fwd-logs}
mkdir -p "$OUT"
root=$(pwd)
dist=$root/.device/dist
if [ ! -x /tmp/jre/bin/java ]; then tar -xJf .device/jre.tar.xz -C /tmp; fi
export JAVA_HOME=/tmp/jre PATH=/tmp/jre/bin:$PATH
work=/tmp/fwd; rm -rf $work; mkdir -p $work
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee $OUT/gpu.txt

# native builds
nvcc -O2 -o $work/driver_bench benchmarks/driver_bench.c -lcuda || exit 1
nvcc -ptx -arch=sm_90 -o $work/bench_kernels.ptx benchmarks/bench_kernels.cu || exit 1
make -s -C test-workloads native NVCC=nvcc BUILD=$work/tw >$OUT/native-build.log 2>&1 || { cat $OUT/native-build.log; exit 1; }
nativebin=$work/tw/native-bin

port=17717
$dist/bin/gpumigrate agent --name gpu0 --port $port --backend cuda >$OUT/agent.log 2>&1 &
agent=$!
for i in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.2; done
fwd() { timeout 300 $dist/bin/gpumigrate run --agent 127.0.0.1:$port -- "$@"; }

echo "== workloads: native and forwarded (CUDA backend)"
printf '%-18s %-8s %-8s\n' workload native forwarded | tee $OUT/workloads.txt
for w in vector_add saxpy_loop reduce matmul stencil pointer_chase streams_events module_globals jcuda_vector_add jcuda_reduce; do
  n=-; f=-
  if [ -x $nativebin/$w ]; then timeout 300 $nativebin/$w >$OUT/native-$w.log 2>&1 && n=PASS || n=FAIL
  else timeout 300 $dist/workloads/$w >$OUT/native-$w.log 2>&1 && n=PASS || n=FAIL; fi
  fwd $dist/workloads/$w >$OUT/fwd-$w.log 2>&1 && f=PASS || f=FAIL
  printf '%-18s %-8s %-8s\n' $w $n $f | tee -a $OUT/workloads.txt
done

echo "== driver_bench, $ROUNDS rounds each way, alternating"
for r in $(seq 1 $ROUNDS); do
  $work/driver_bench $work/bench_kernels.ptx >>$OUT/bench-native.txt 2>&1
  fwd $work/driver_bench $work/bench_kernels.ptx >>$OUT/bench-fwd.txt 2>&1
done
timeit() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null 2>&1 || echo "FAILED: $*" >&2; t1=$(date +%s%N); python3 -c "print(($t1 - $t0) / 1e9)"; }
echo "== stencil and matmul wall time"
for r in $(seq 1 $ROUNDS); do
  echo "stencil native $(timeit $nativebin/stencil --n 512 --steps 2000 --progress 1000)" >>$OUT/apps.txt
  echo "stencil fwd $(timeit fwd $dist/workloads/stencil --n 512 --steps 2000 --progress 1000)" >>$OUT/apps.txt
  echo "matmul native $(timeit $nativebin/matmul --n 1024)" >>$OUT/apps.txt
  echo "matmul fwd $(timeit fwd $dist/workloads/matmul --n 1024)" >>$OUT/apps.txt
done
kill $agent; wait $agent 2>/dev/null

python3 - "$OUT" <<'PY'
import sys, statistics, re, os
out = sys.argv[1]
def results(path):
    d = {}
    for line in open(path):
        m = re.match(r'RESULT (\S+) (\S+) (\S+)', line)
        if m: d.setdefault(m.group(1), []).append(float(m.group(2)))
    return d
nat, fwd = results(f'{out}/bench-native.txt'), results(f'{out}/bench-fwd.txt')
apps = {}
for line in open(f'{out}/apps.txt'):
    a, mode, t = line.split()
    apps.setdefault((a, mode), []).append(float(t))
rows = [('| measure | native | forwarded | ratio | target |'), ('| --- | --- | --- | --- | --- |')]
targets = {'launches_per_s': '>= 0.9x', 'launch_sync_us': '<= native + 30 us', 'htod_pageable_GBps': '>= 1.0x', 'dtoh_pageable_GBps': '>= 1.0x'}
for k, tgt in targets.items():
    if k in nat and k in fwd:
        n, f = statistics.median(nat[k]), statistics.median(fwd[k])
        rows.append(f'| {k} | {n:.4g} | {f:.4g} | {f/n:.3f} | {tgt} |')
    else:
        rows.append(f'| {k} | {statistics.median(nat[k]) if k in nat else "-"} | {"-" if k not in fwd else statistics.median(fwd[k])} | - | {tgt} |')
for a in ('stencil', 'matmul'):
    if (a, 'native') in apps and (a, 'fwd') in apps:
        n, f = statistics.median(apps[(a, 'native')]), statistics.median(apps[(a, 'fwd')])
        rows.append(f'| {a} total s | {n:.3f} | {f:.3f} | {f/n:.3f} | <= 1.05x |')
table = '\n'.join(rows)
open(f'{out}/table.md', 'w').write(table + '\n')
print(table)
PY
