#!/usr/bin/env bash
# Issue 5 on a host with two GPUs (or one: GPU_B below), in one call (../shared/device/README.md): two agents, one per
# GPU; `stencil` with 1, 4 and 16 GiB of device memory (compressible and random ballast)
# migrated GPU0 -> GPU1 -> GPU0 while it runs, and `pointer_chase` (device pointers stored in
# device memory) migrated back and forth while it waits; each must end with PASS. Beside each
# size, a plain device-to-host copy of the same bytes in the same run (copy_bench, pinned and
# pageable).
# Each case is MIB:MODE:STEPS[:live]: stop-and-copy (`migrate --no-precopy`: the pause is the
# whole copy) unless it ends in :live (pre-copy while the program runs). For each migration it
# prints, from the coordinating agent's log (exact bytes and microseconds),
#   RESULT migrate_<MIB>MiB_mode<MODE>_<how>_to_<NODE> pause_GBps P total_GBps T bytes B pause_ms M total_ms N
# (throughput = bytes / pause and bytes / total, GB = 1e9 bytes), and per size the ratio of the
# stop-and-copy throughput to the plain pinned and pageable copy rates.
# Expects .device/ from pack.sh (dist = cli/target/gpumigrate). Logs go to LOGDIR.
# Usage (device machine, repo root): benchmarks/gpu/migration-bench.sh ["MIB:MODE:STEPS[:live] ..."]
set -uo pipefail
OUT=${LOGDIR:-/tmp/mig-logs}
mkdir -p "$OUT"
rm -f "$OUT"/results.txt "$OUT"/copy.txt "$OUT"/summary.txt "$OUT"/migrate.log # a warm machine keeps /tmp: no earlier call's results
cases=${1:-"1024:1:1500000 1024:2:1500000 4096:1:2500000 4096:2:2500000 16384:1:4000000 16384:2:4000000 16384:1:4000000:live"}
dist=${DIST:-$(pwd)/.device/dist}
if [ ! -x /tmp/jre/bin/java ]; then tar -xJf .device/jre.tar.xz -C /tmp; fi
export JAVA_HOME=/tmp/jre PATH=/tmp/jre/bin:$PATH
gm=$dist/bin/gpumigrate
nvidia-smi --query-gpu=index,name,driver_version,memory.total --format=csv,noheader | tee $OUT/gpus.txt
nvcc -O2 -o /tmp/copy_bench benchmarks/copy_bench.c -lcuda || exit 1

A=127.0.0.1:17801 B=127.0.0.1:17802
# PROFILE=1: every worker runs async-profiler (cpu, collapsed stacks into $OUT/ap/PID.collapsed; needs .device/ap)
if [ -n "${PROFILE:-}" ] && [ -f .device/ap/libasyncProfiler.so ]; then
  mkdir -p $OUT/ap
  export GPUMIGRATE_WORKER_JAVA_OPTS="-agentpath:$(pwd)/.device/ap/libasyncProfiler.so=start,event=cpu,interval=1ms,threads,collapsed,file=$OUT/ap/%p.collapsed ${GPUMIGRATE_WORKER_JAVA_OPTS:-}"
fi
# the second agent's GPU: GPU 1 where there is one; on a one-GPU host both agents share GPU 0
# (the transfer then crosses the same PCIe link twice: a lower bound for two GPUs)
gpu_b=${GPU_B:-$( [ "$(nvidia-smi -L | wc -l)" -ge 2 ] && echo 1 || echo 0 )}
echo "agents: gpu0 on GPU 0, gpu1 on GPU $gpu_b" | tee -a $OUT/gpus.txt
CUDA_VISIBLE_DEVICES=0 $gm agent --name gpu0 --port 17801 --backend cuda --peers gpu1=$B >$OUT/agent-gpu0.log 2>&1 &
a0=$!
CUDA_VISIBLE_DEVICES=$gpu_b $gm agent --name gpu1 --port 17802 --backend cuda --peers gpu0=$A >$OUT/agent-gpu1.log 2>&1 &
a1=$!
for p in 17801 17802; do for i in $(seq 1 150); do (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null && break; sleep 0.2; done; done

session_of() { # program name -> session id of its running session, via ps on any agent
  $gm ps --agent $A 2>/dev/null | awk -v p="$1" '$2 ~ p && $NF ~ /running/ {print $1; exit}'
}
wait_for() { # file pattern seconds
  for i in $(seq 1 $(( $3 * 10 ))); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done; return 1
}

result_of() { # session node how mib mode -> RESULT line from whichever agent coordinated the move
  local line
  line=$(grep -h "session $1: migrated to $2: " $OUT/agent-gpu0.log $OUT/agent-gpu1.log | tail -1)
  [ -n "$line" ] || { echo "RESULT migrate_$4MiB_mode$5_$3_to_$2 FAILED"; return; }
  sed -E 's/.*: ([0-9]+) bytes, paused ([0-9]+) us, ([0-9]+) us in all.*/\1 \2 \3/' <<<"$line" |
    awk -v tag="migrate_$4MiB_mode$5_$3_to_$2" '{ printf "RESULT %s pause_GBps %.2f total_GBps %.2f bytes %.0f pause_ms %.1f total_ms %.1f\n",
      tag, $1 / ($2 * 1e3), $1 / ($3 * 1e3), $1, $2 / 1e3, $3 / 1e3 }'
}

echo "== stencil migrated gpu0 -> gpu1 -> gpu0 (stop-and-copy unless :live)" | tee $OUT/summary.txt
declare -A copied
for c in $cases; do
  IFS=: read -r mib mode steps how <<<"$c"
  how=${how:-stopcopy}
  flags=$([ "$how" = live ] && echo "" || echo "--no-precopy")
  if [ -z "${copied[$mib]:-}" ]; then
    CUDA_VISIBLE_DEVICES=0 /tmp/copy_bench $mib 3 | tee -a $OUT/copy.txt
    copied[$mib]=1
  fi
  log=$OUT/stencil-$mib-$mode-$how.log
  timeout 400 $gm run --agent $A -- $dist/workloads/stencil --n 32 --steps $steps --progress 100000 \
      --ballast-mib $mib --ballast-mode $mode >$log 2>&1 &
  prog=$!
  wait_for $log "step 100000/" 120 || echo "stencil $mib:$mode did not start" | tee -a $OUT/summary.txt
  sid=$(session_of stencil)
  for to in gpu1 gpu0; do
    echo "-- $mib MiB mode $mode $how: session $sid -> $to" >>$OUT/migrate.log
    timeout 300 $gm migrate "$sid" --to $to $flags --agent $A >>$OUT/migrate.log 2>&1 || echo "migrate $sid -> $to FAILED" >>$OUT/migrate.log
    tail -1 $OUT/migrate.log | sed "s/^/$mib MiB mode $mode $how: /" | tee -a $OUT/summary.txt
    result_of "$sid" $to $how $mib $mode | tee -a $OUT/summary.txt $OUT/results.txt
  done
  wait $prog; rc=$?
  echo "$mib MiB mode $mode $how: stencil exit $rc, last line: $(tail -1 $log)" | tee -a $OUT/summary.txt
done

echo "== pointer_chase migrated while it waits" | tee -a $OUT/summary.txt
log=$OUT/pointer_chase.log
$gm run --agent $A -- $dist/workloads/pointer_chase --wait-signal >$log 2>&1 &
prog=$!
wait_for $log READY 120
sid=$(session_of pointer_chase)
for to in gpu1 gpu0 gpu1; do
  timeout 120 $gm migrate "$sid" --to $to --agent $A >>$OUT/migrate.log 2>&1 || echo "migrate $sid -> $to FAILED" >>$OUT/migrate.log
  tail -1 $OUT/migrate.log | sed 's/^/pointer_chase: /' | tee -a $OUT/summary.txt
done
kill -USR1 $(awk '/READY/ {print $2; exit}' $log) 2>/dev/null
wait $prog; echo "pointer_chase: exit $?, last line: $(tail -1 $log)" | tee -a $OUT/summary.txt
$gm ps --agent $A >$OUT/ps.txt 2>&1
kill $a0 $a1; wait $a0 $a1 2>/dev/null
grep RESULT $OUT/copy.txt | tee -a $OUT/summary.txt
echo "== stop-and-copy throughput (bytes / pause) against the plain copy of the same size" | tee -a $OUT/summary.txt
grep -h 'RESULT migrate_.*_stopcopy_' $OUT/results.txt | while read -r _ tag _ pause _; do
  mib=${tag#migrate_}; mib=${mib%%MiB*}
  pinned=$(awk -v t="dtoh_pinned_${mib}MiB_GBps" '$2 == t {print $3; exit}' $OUT/copy.txt)
  pageable=$(awk -v t="dtoh_pageable_${mib}MiB_GBps" '$2 == t {print $3; exit}' $OUT/copy.txt)
  awk -v t="$tag" -v p="$pause" -v a="${pinned:-0}" -v b="${pageable:-0}" 'BEGIN {
    printf "%s: %.2f GB/s = %.2fx pinned DtoH (%.1f), %.2fx pageable DtoH (%.1f)\n", t, p, (a > 0 ? p / a : 0), a, (b > 0 ? p / b : 0), b }'
done | tee -a $OUT/summary.txt
echo "== where each pause went (source worker, then the coordinating agent)" | tee -a $OUT/summary.txt
grep -h "paused so far\|after VERIFIED\|migrated here\|redirected in\|chunks applied" $OUT/agent-gpu0.log $OUT/agent-gpu1.log | sed -E "s/.*(SourceMigration|MigrationCoordinator|TargetRestore|ReceiverSession) - //" | tee -a $OUT/summary.txt
