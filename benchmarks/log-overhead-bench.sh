#!/usr/bin/env bash
# Issue 6's target: a launch-heavy workload runs no more than 3% slower with the replay log on
# than off. Starts two agents from the distribution, one recording (--data-dir, the default
# behaviour) and one with --no-log, and runs driver_bench's launch tests through each,
# alternating, ROUNDS times; then prints medians and the logged/unlogged ratios as a table.
#
# Usage (repository root): benchmarks/log-overhead-bench.sh [ROUNDS (5)] [BACKEND (auto)]
#   DIST    the distribution (default cli/target/gpumigrate; on a GPU machine .device/dist)
#   LOGDIR  where outputs and the table go (default /tmp/log-bench)
#   QUICK   non-empty: driver_bench --quick (20000 launches a round instead of 100000)
# Builds driver_bench with cc against native/include and the distribution's libcuda.so.1, so it
# needs no CUDA toolkit; on the emulator (BACKEND=emulator, or auto without a GPU) use QUICK=1.
set -uo pipefail
ROUNDS=${1:-5}
BACKEND=${2:-auto}
root=$(pwd)
dist=${DIST:-$root/cli/target/gpumigrate}
out=${LOGDIR:-/tmp/log-bench}
rm -rf "$out"; mkdir -p "$out/data"
cc -O2 -I"$root/native/include" -o "$out/driver_bench" "$root/benchmarks/driver_bench.c" \
   -L"$dist/lib/native" -l:libcuda.so.1 || exit 1

start_agent() { # NAME PORT ARGS...
  local name=$1 port=$2; shift 2
  "$dist/bin/gpumigrate" agent --name "$name" --port "$port" --backend "$BACKEND" "$@" >"$out/agent-$name.log" 2>&1 &
  echo $!
}
wait_port() { for _ in $(seq 1 300); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.2; done; return 1; }
on_port=17741; off_port=17742
on_pid=$(start_agent logged $on_port --data-dir "$out/data")
off_pid=$(start_agent unlogged $off_port --no-log)
trap 'kill $on_pid $off_pid 2>/dev/null; wait $on_pid $off_pid 2>/dev/null' EXIT
wait_port $on_port && wait_port $off_port || { echo "agents did not start; see $out/agent-*.log"; exit 1; }

bench() { # PORT FILE
  "$dist/bin/gpumigrate" run --agent 127.0.0.1:$1 -- "$out/driver_bench" "$root/benchmarks/bench_kernels.ptx" \
      ${QUICK:+--quick} >>"$2" 2>&1 || echo "driver_bench failed on port $1; see $2" >&2
}
for r in $(seq 1 "$ROUNDS"); do
  if [ $((r % 2)) -eq 1 ]; then bench $on_port "$out/on.txt"; bench $off_port "$out/off.txt"
  else bench $off_port "$out/off.txt"; bench $on_port "$out/on.txt"; fi
  echo "round $r/$ROUNDS done" >&2
done
echo "logs recorded: $(ls "$out/data/logs" 2>/dev/null | wc -l), $(du -sh "$out/data/logs" 2>/dev/null | cut -f1)" >&2

python3 - "$out" <<'PY'
import re, statistics, sys
out = sys.argv[1]
def results(path):
    d = {}
    for line in open(path):
        m = re.match(r'RESULT (\S+) (\S+)', line)
        if m:
            d.setdefault(m.group(1), []).append(float(m.group(2)))
    return d
on, off = results(f'{out}/on.txt'), results(f'{out}/off.txt')
rows = ['| measure | log off | log on | on/off | target |', '| --- | --- | --- | --- | --- |']
targets = {'launches_per_s': '>= 0.97', 'launch_sync_us': '<= 1.03', 'htod_pageable_GBps': '-', 'dtoh_pageable_GBps': '-'}
for k, t in targets.items():
    if k in on and k in off:
        a, b = statistics.median(off[k]), statistics.median(on[k])
        rows.append(f'| {k} (median of {len(on[k])}) | {a:.4g} | {b:.4g} | {b / a:.3f} | {t} |')
table = '\n'.join(rows)
open(f'{out}/table.md', 'w').write(table + '\n')
print(table)
PY
