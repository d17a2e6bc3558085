#!/usr/bin/env bash
# Two builds compared on `dump --leave-running` (DUMP_CASES) and on stop-and-copy migrations
# (MIG_CASES, migration-bench.sh) in one device call (../shared/device/README.md):
# B is .device/dist, A is a copy of it with the jars of A_JARS (a directory of another build's
# project jars, e.g. packed as an extra path) put in their place. Each build trains its own
# workers' AOT cache (`gpumigrate train`), then dump-pause-bench.sh runs every case of DUMP_CASES
# ("MIB:MODE ...") ROUNDS times per build, alternating which goes first, so that both see the
# same machine. Results under OUT_DIR (default $OUT): dump-ab.txt (each run's lines, the
# workers' breakdowns) and train-{A,B}.txt. A second run in the same call reuses the trained caches.
# Usage (device machine, repo root, after pack.sh with the other build's jars as an extra path):
#   A_JARS=.device/extra/base-jars DUMP_CASES="1024:2 16384:2" [ROUNDS=2] [DUMP_RUNS=3] benchmarks/gpu/build-ab.sh
#   A_JARS=.device/extra/base-jars MIG_CASES="1024:2:1500000 4096:2:2500000" benchmarks/gpu/build-ab.sh
set -uo pipefail
trap 'kill $(jobs -p) 2>/dev/null; exit 143' TERM INT # a timeout's signal reaches the bench running now
out=${OUT_DIR:-$OUT}
[ -x /tmp/jre/bin/java ] || tar -xJf .device/jre.tar.xz -C /tmp
export JAVA_HOME=/tmp/jre PATH=/tmp/jre/bin:$PATH
jars=${A_JARS:?A_JARS: a directory of the jars of the other build}
rm -rf /tmp/build-A /tmp/build-B
cp -r .device/dist /tmp/build-A && cp "$jars"/*.jar /tmp/build-A/lib/
ln -s "$(pwd)/.device/dist" /tmp/build-B
for s in A B; do
  # a second run in the same call keeps the caches of the first
  ls /tmp/aot-$s/worker-*.aot >/dev/null 2>&1 && continue
  mkdir -p /tmp/aot-$s
  t0=$(date +%s)
  GPUMIGRATE_AOT_CACHE_DIR=/tmp/aot-$s timeout 240 /tmp/build-$s/bin/gpumigrate train >$out/train-$s.txt 2>&1
  echo "train $s: exit $? after $(( $(date +%s) - t0 )) s" | tee -a $out/train-$s.txt
done
for r in $(seq 1 "${ROUNDS:-2}"); do
  order=$([ $((r % 2)) -eq 1 ] && echo "A B" || echo "B A")
  for s in $order; do
    if [ -n "${MIG_CASES:-}" ]; then
      # MIG_CASES ("MIB:MODE:STEPS ..."): migration-bench.sh's stop-and-copy migrations with this build
      echo "== build $s, round $r, migrations $MIG_CASES" >>$out/mig-ab.txt
      DIST=/tmp/build-$s GPUMIGRATE_AOT_CACHE_DIR=/tmp/aot-$s LOGDIR=/tmp/mab-$s-$r timeout ${CASE_TIMEOUT:-200} \
          benchmarks/gpu/migration-bench.sh "$MIG_CASES" >/tmp/ab-case.out 2>&1 &
      wait $!
      grep -h "RESULT\|exit" /tmp/mab-$s-$r/summary.txt >>$out/mig-ab.txt 2>/dev/null
      grep -h "the target verified the image" /tmp/mab-$s-$r/agent-gpu*.log >>$out/mig-ab.txt 2>/dev/null
    fi
    for c in ${DUMP_CASES:-}; do
      echo "== build $s, round $r, case $c" >>$out/dump-ab.txt
      DIST=/tmp/build-$s BACKEND=${BACKEND:-cuda} RUNS=${DUMP_RUNS:-3} BALLAST_MIB=${c%%:*} BALLAST_MODE=${c##*:} \
          CACHE=/tmp/aot-$s STEPS=${DUMP_STEPS:-1200000} timeout ${CASE_TIMEOUT:-200} \
          benchmarks/dump-pause-bench.sh >/tmp/ab-case.out 2>&1 &
      wait $!
      cat /tmp/ab-case.out >>$out/dump-ab.txt
      work=$(sed -n 's/^work directory: //p' /tmp/ab-case.out)
      grep -h "checkpointed to\|removed" "$work/agent.log" >>$out/dump-ab.txt 2>/dev/null
      rm -rf "$work"
    done
  done
done
