#!/usr/bin/env bash
# One device call of this session's measurements (../shared/device/README.md): the stop-and-copy
# migration benchmark, optionally every workload migrated/dumped/restored (WORKLOADS=1), a profiled
# pair of cases (PROFILE_CASES), the paired log on/off benchmark (PAIRS), the pause of
# `dump --leave-running` for each of DUMP_CASES ("MIB:MODE ..."), and what a CUDA agent offers for
# placement (GAUGE=1); TRAIN=1 trains the workers' AOT cache first. SKIP_MIG=1 leaves out the
# migration benchmark.
# Everything goes under OUT_DIR (default $OUT) as few files.
set -uo pipefail
out=${OUT_DIR:-$OUT}
tar -xJf .device/jre.tar.xz -C /tmp && export JAVA_HOME=/tmp/jre PATH=/tmp/jre/bin:$PATH
# TRAIN=1: the workers' AOT cache is trained first (`gpumigrate train`) and every agent below uses it
if [ -n "${TRAIN:-}" ]; then
  export GPUMIGRATE_AOT_CACHE_DIR=/tmp/aot-session
  timeout 240 .device/dist/bin/gpumigrate train >$out/train.txt 2>&1
  echo "train: exit $?" >>$out/train.txt
fi
if [ -n "${WORKLOADS:-}" ]; then
  LOGDIR=/tmp/wl timeout 300 test-workloads/gpu/migrate-workloads.sh >$out/workloads.txt 2>&1
fi
if [ -n "${GAUGE:-}" ]; then
  timeout 120 benchmarks/gpu/device-gauge-check.sh >$out/device-gauge.txt 2>&1
fi
for c in ${DUMP_CASES:-}; do
  # a GPU runs stencil's steps fast: enough of them that the program outlives its dump
  DIST=.device/dist BACKEND=cuda RUNS=${DUMP_RUNS:-3} BALLAST_MIB=${c%%:*} BALLAST_MODE=${c##*:} CACHE=${GPUMIGRATE_AOT_CACHE_DIR:-} \
      STEPS=${DUMP_STEPS:-1200000} RESTORE=${DUMP_RESTORE:-} \
      timeout 200 benchmarks/dump-pause-bench.sh >>$out/dump-pause.txt 2>&1
done
[ -n "${DUMP_CASES:-}" ] && grep -h "checkpointed to\|finishing the dump" /tmp/dump-bench.*/agent.log >>$out/dump-pause.txt 2>&1
[ -n "${SKIP_MIG:-}" ] || {
cases=${CASES:-"1024:1:1500000 1024:2:1500000 4096:1:2500000 4096:2:2500000 16384:1:4000000 16384:2:4000000"}
LOGDIR=/tmp/mig timeout ${MIG_TIMEOUT:-300} benchmarks/gpu/migration-bench.sh "$cases" >/tmp/mig.out 2>&1
cp /tmp/mig/summary.txt $out/migration-summary.txt
}
if [ -n "${PROFILE_CASES:-}" ]; then
  LOGDIR=/tmp/prof PROFILE=1 timeout 200 benchmarks/gpu/migration-bench.sh "$PROFILE_CASES" >/tmp/prof.out 2>&1
  cp /tmp/prof/summary.txt $out/profile-migration-summary.txt
  benchmarks/gpu/profile-summary.sh /tmp/prof 30 >$out/profile.txt 2>&1
fi
if [ "${PAIRS:-0}" -gt 0 ]; then
  DIST=.device/dist LOGDIR=/tmp/logbench PIN=${PIN:-1} timeout ${LOG_TIMEOUT:-240} benchmarks/log-overhead-bench.sh "$PAIRS" cuda >/tmp/logbench.out 2>&1
  cp /tmp/logbench.out $out/log-overhead.txt
  cp /tmp/logbench/pairs.csv $out/ 2>/dev/null
fi
tar -czf $out/logs.tgz -C /tmp --exclude=logbench/data mig.out mig wl/agent-gpu0.log wl/agent-gpu1.log prof.out prof/summary.txt logbench 2>/dev/null
ls -la $out
