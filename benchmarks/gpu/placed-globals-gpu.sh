#!/usr/bin/env bash
# One device call that proves placed module globals on a GPU (docs/module-globals.md): the CUDA
# backend's tests (the device contract, which loads a module with its globals at a given address,
# and the placement tests), every C workload migrated there and back, dumped and restored through
# two agents (test-workloads/gpu/migrate-workloads.sh), and, with REPLAY=1, the replay of each
# workload's log on the GPU (benchmarks/gpu/replay-gpu.sh), and with PROBE=1 the loader probe
# and its JIT timings (probes/place-globals.sh). The lines where workers placed (or did not place)
# a module's globals are collected in placement.txt.
#
# Here: build, `checkpoint-core/src/test/gpu/cuda-check.sh pack /tmp/cuda-check`, then
# `../shared/device/pack.sh cli/target/gpumigrate /tmp/cuda-check`; there: OUT_DIR=$OUT this script.
set -uo pipefail
out=${OUT_DIR:-$OUT}
tar -xJf .device/jre.tar.xz -C /tmp && export JAVA_HOME=/tmp/jre PATH=/tmp/jre/bin:$PATH
timeout 150 bash .device/extra/cuda-check/cuda-check.sh run .device/extra/cuda-check "$out" >"$out/cuda-check.txt" 2>&1
echo "cuda-check: exit $?" >>"$out/cuda-check.txt"
DIST=$(pwd)/.device/dist LOGDIR=/tmp/wl timeout 260 test-workloads/gpu/migrate-workloads.sh >"$out/workloads.txt" 2>&1
echo "workloads: exit $?" >>"$out/workloads.txt"
if [ -n "${REPLAY:-}" ]; then
  DIST=.device/dist LOGDIR=/tmp/replay timeout 140 benchmarks/gpu/replay-gpu.sh >"$out/replay.txt" 2>&1
  echo "replay: exit $?" >>"$out/replay.txt"
fi
if [ -n "${PROBE:-}" ]; then
  OUT_DIR=/tmp/probe timeout 120 benchmarks/gpu/probes/place-globals.sh >"$out/probe.txt" 2>&1
fi
grep -h "globals placed\|globals stay\|could not be placed\|cannot place\|global '\|globals' block" \
    /tmp/wl/*.log /tmp/replay/*.log 2>/dev/null | sort | uniq -c | sort -rn | head -60 >"$out/placement.txt"
tar -czf "$out/logs.tgz" -C /tmp wl replay --exclude='wl/data-*' --exclude='wl/image-*' --exclude='replay/data' 2>/dev/null
grep -h "PASS\|FAIL\|SKIP" "$out/cuda-tests.log" 2>/dev/null | awk '{print $1}' | sort | uniq -c
tail -12 "$out/workloads.txt"
[ -f "$out/replay.txt" ] && tail -12 "$out/replay.txt"
cat "$out/placement.txt"
[ -f "$out/probe.txt" ] && grep -A40 "^cubin " "$out/probe.txt"
