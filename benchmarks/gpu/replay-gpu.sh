#!/usr/bin/env bash
# Issue 6 on a GPU: records every C workload through an agent on the CUDA backend (the replay
# log is on by default), then replays each log on the GPU without the program (every recorded
# status must be reproduced) and compares the emulator with the GPU on the same log
# (`replay --compare`: the first call after which device memory differs, if any).
#
# Usage (repository root, on a GPU machine): benchmarks/gpu/replay-gpu.sh
#   DIST    the distribution (default cli/target/gpumigrate; on a GPU machine .device/dist)
#   LOGDIR  where outputs and the table go (default /tmp/replay-gpu)
# Exit status 0 when every workload passed and every replay reproduced its statuses.
set -uo pipefail
root=$(pwd)
dist=${DIST:-$root/cli/target/gpumigrate}
out=${LOGDIR:-/tmp/replay-gpu}
rm -rf "$out"; mkdir -p "$out/data"
port=17751
"$dist/bin/gpumigrate" agent --name gpu --port $port --backend cuda --data-dir "$out/data" >"$out/agent.log" 2>&1 &
agent=$!
trap 'kill $agent 2>/dev/null; wait $agent 2>/dev/null' EXIT
for _ in $(seq 1 300); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.2; done

failed=0
printf '%-15s %-5s %-28s %s\n' workload run "replay --backend cuda" "compare emulator vs cuda" | tee "$out/table.txt"
for w in vector_add saxpy_loop reduce matmul stencil pointer_chase streams_events module_globals; do
  before=$(ls "$out/data/logs" 2>/dev/null | sort)
  "$dist/bin/gpumigrate" run --agent 127.0.0.1:$port -- "$dist/workloads/$w" >"$out/$w.run.txt" 2>&1
  run=$(tail -n1 "$out/$w.run.txt" | tr -d '[:space:]')
  [ "$run" = PASS ] || failed=1
  sleep 1 # the worker closes the log after GOODBYE
  log=$(comm -13 <(echo "$before") <(ls "$out/data/logs" | sort) | head -n1)
  if [ -z "$log" ]; then echo "$w: no new log" | tee -a "$out/table.txt"; failed=1; continue; fi
  "$dist/bin/gpumigrate" replay "$out/data/logs/$log" --backend cuda >"$out/$w.replay.txt" 2>&1
  if grep -q "every recorded status reproduced" "$out/$w.replay.txt"; then replay=reproduced; else replay=FAILED; failed=1; fi
  timeout 300 "$dist/bin/gpumigrate" replay --compare "$out/data/logs/$log" --backend emulator --backend cuda \
      >"$out/$w.compare.txt" 2>&1
  compare=$(grep -m1 -E "agree|differ" "$out/$w.compare.txt" | cut -c1-150)
  printf '%-15s %-5s %-28s %s\n' "$w" "$run" "$replay" "$compare" | tee -a "$out/table.txt"
done
exit $failed
