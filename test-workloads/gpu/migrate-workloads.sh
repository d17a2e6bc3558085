#!/usr/bin/env bash
# Issue 5 on GPUs, for every C workload (what WaitSignalMigrationIT does on the emulator in CI):
# two agents on the CUDA backend (GPU 0 and GPU 1, or both on GPU 0 of a one-GPU host); each
# workload runs with --wait-signal through agent gpu0, so it stops after its setup with its
# device state in place; its session is then migrated gpu0 -> gpu1 -> gpu0, dumped on gpu0 and
# restored on gpu1 (the same program reconnecting), and SIGUSR1 lets it finish: it must print
# PASS. Prints a table; exit 0 when every workload passed.
#
# Usage (repository root, GPU machine, after pack.sh): test-workloads/gpu/migrate-workloads.sh [WORKLOAD ...]
#   DIST (default .device/dist), LOGDIR (default /tmp/migrate-workloads), BACKEND (default cuda;
#   emulator to try the script without a GPU)
set -uo pipefail
dist=${DIST:-$(pwd)/.device/dist}
out=${LOGDIR:-/tmp/migrate-workloads}
rm -rf "$out"; mkdir -p "$out"
gm=$dist/bin/gpumigrate
workloads=${*:-vector_add saxpy_loop reduce matmul stencil pointer_chase streams_events module_globals}
backend=${BACKEND:-cuda}
gpu_b=${GPU_B:-$( [ "$(nvidia-smi -L 2>/dev/null | wc -l)" -ge 2 ] && echo 1 || echo 0 )}
A=127.0.0.1:17811 B=127.0.0.1:17812
CUDA_VISIBLE_DEVICES=0 $gm agent --name gpu0 --port 17811 --backend $backend --data-dir "$out/data-a" --peers gpu1=$B >"$out/agent-gpu0.log" 2>&1 &
a0=$!
CUDA_VISIBLE_DEVICES=$gpu_b $gm agent --name gpu1 --port 17812 --backend $backend --data-dir "$out/data-b" --peers gpu0=$A >"$out/agent-gpu1.log" 2>&1 &
a1=$!
trap 'kill $a0 $a1 2>/dev/null; wait $a0 $a1 2>/dev/null' EXIT
for p in 17811 17812; do for _ in $(seq 1 150); do (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null && break; sleep 0.2; done; done

wait_ready() { # log -> pid printed with READY
  for _ in $(seq 1 300); do
    pid=$(sed -n 's/^READY \([0-9]*\)$/\1/p' "$1" | head -n1)
    [ -n "$pid" ] && { echo "$pid"; return 0; }
    sleep 0.1
  done
  return 1
}
session_of() { $gm ps --agent $A 2>/dev/null | awk -v p="$1" '$2 ~ p && $NF ~ /running/ {print $1; exit}'; }

failed=0
printf '%-15s %-8s %-8s %-8s %-8s %s\n' workload to-gpu1 to-gpu0 dump restore result | tee "$out/table.txt"
for w in $workloads; do
  log=$out/$w.log
  $gm run --agent $A -- "$dist/workloads/$w" --wait-signal >"$log" 2>&1 &
  run=$!
  pid=$(wait_ready "$log") || { echo "$w: no READY" | tee -a "$out/table.txt"; kill $run; failed=1; continue; }
  s=""; for _ in $(seq 1 50); do s=$(session_of "$w"); [ -n "$s" ] && break; sleep 0.1; done
  steps=()
  $gm migrate "$s" --to gpu1 --agent $A >>"$out/$w.cli.txt" 2>&1 && steps+=(ok) || steps+=(FAIL)
  $gm migrate "$s" --to gpu0 --agent $A >>"$out/$w.cli.txt" 2>&1 && steps+=(ok) || steps+=(FAIL)
  $gm dump -t "$s" -D "$out/image-$w" --agent $A >>"$out/$w.cli.txt" 2>&1 && steps+=(ok) || steps+=(FAIL)
  $gm restore -D "$out/image-$w" --on gpu1 --agent $A >>"$out/$w.cli.txt" 2>&1 && steps+=(ok) || steps+=(FAIL)
  kill -USR1 "$pid"
  wait $run; rc=$?
  result=$(tail -n1 "$log" | tr -d '[:space:]')
  [ $rc -eq 0 ] && [ "$result" = PASS ] || { result="FAIL(rc=$rc)"; failed=1; }
  for st in "${steps[@]}"; do [ "$st" = ok ] || failed=1; done
  printf '%-15s %-8s %-8s %-8s %-8s %s\n' "$w" "${steps[@]}" "$result" | tee -a "$out/table.txt"
done
grep -h "migrated to\|dumped\|restored" "$out"/*.cli.txt > "$out/moves.txt" 2>/dev/null
exit $failed
