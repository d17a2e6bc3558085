#!/usr/bin/env bash
# The pause of `gpumigrate dump --leave-running`, each taken by a fresh session worker (its first
# dump, as in use): RUNS times, `stencil` with BALLAST_MIB of device memory (BALLAST_MODE 1:
# compressible, 2: random) runs through one agent, is dumped once mid-run into a new image, and
# must still PASS. Prints one `DUMP ... pause_ms P command_ms C` line per run (C: the whole dump
# command, from its start to the sealed image) and the median pause; the agent's log
# (kept in the printed work directory) has the worker's breakdown of each pause. CACHE picks the
# workers' AOT cache directory (GPUMIGRATE_AOT_CACHE_DIR; default: an empty one, no cache).
# RESTORE=1: once its program has ended, each image is restored through the same agent, timed.
# Usage, from the repository root (DIST: a built distribution, default cli/target/gpumigrate):
#   [DIST=...] [BACKEND=emulator|cuda|auto] [RUNS=5] [BALLAST_MIB=64] [CACHE=DIR] benchmarks/dump-pause-bench.sh
set -uo pipefail
dist=${DIST:-$(pwd)/cli/target/gpumigrate}
gm=$dist/bin/gpumigrate
runs=${RUNS:-5}
work=$(mktemp -d /tmp/dump-bench.XXXXXX)
echo "work directory: $work"
port=${PORT:-17851}
cache=${CACHE:-$work/no-cache}
mkdir -p "$cache"
export GPUMIGRATE_AOT_CACHE_DIR=$cache
$gm agent --name dump-bench --port $port --backend ${BACKEND:-auto} --no-log >$work/agent.log 2>&1 &
agent=$!
trap 'kill $agent $(jobs -p) 2>/dev/null; wait $agent 2>/dev/null' EXIT
trap 'exit 143' TERM INT # a timeout's signal runs the EXIT trap too: no agent is left on the port
for i in $(seq 1 150); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.2; done
grep -m1 "AOT cache" $work/agent.log
pauses=()
for r in $(seq 1 "$runs"); do
  log=$work/stencil-$r.log
  $gm run --agent 127.0.0.1:$port -- $dist/workloads/stencil --n 32 --steps ${STEPS:-300000} --progress 20000 \
      --ballast-mib ${BALLAST_MIB:-64} --ballast-mode ${BALLAST_MODE:-1} >$log 2>&1 &
  prog=$!
  for i in $(seq 1 600); do grep -q "step 20000/" $log 2>/dev/null && break; sleep 0.1; done
  sid=$($gm ps --agent 127.0.0.1:$port 2>/dev/null | awk -v seen="${seen:-}" '$2 ~ /stencil/ && $NF ~ /running/ && index(seen, " " $1 " ") == 0 {print $1; exit}')
  seen="${seen:- } $sid " # a restored session of an earlier run is not this run's
  t0=$(date +%s%N)
  line=$($gm dump -t "$sid" -D $work/image-$r --leave-running --agent 127.0.0.1:$port 2>&1 | tail -1)
  command_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  wait $prog
  rc=$?
  pause=$(sed -nE 's/.*paused ([0-9.]+) ms.*/\1/p' <<<"$line")
  echo "DUMP run $r session $sid pause_ms ${pause:-FAILED} command_ms $command_ms program $(tail -1 $log) (exit $rc): $line"
  [ -n "$pause" ] && [ $rc -eq 0 ] && pauses+=("$pause")
  if [ -n "${RESTORE:-}" ] && [ -n "$pause" ]; then
    # the program has ended: its session is restored from the image (it then waits for a client)
    t0=$(date +%s%N)
    rline=$($gm restore -D $work/image-$r --agent 127.0.0.1:$port 2>&1 | tail -1)
    echo "RESTORE run $r ms $(( ($(date +%s%N) - t0) / 1000000 )) (the whole command, image $(du -sh $work/image-$r | cut -f1)): $rline"
  fi
  rm -rf $work/image-$r
done
printf '%s\n' "${pauses[@]}" | sort -n | awk '{ v[NR] = $1 } END {
  if (NR == 0) { print "no dump succeeded"; exit 1 }
  printf "dump pause over %d runs: median %.1f ms, min %.1f, max %.1f\n", NR,
    NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2, v[1], v[NR] }'
