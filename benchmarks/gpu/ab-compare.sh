#!/usr/bin/env bash
# Two settings of the workers compared on a GPU in one device call (../shared/device/README.md):
# trains the workers' AOT cache here first (`gpumigrate train`, CUDA backend), then runs
# migration-bench.sh's CASES (and its pointer_chase) ROUNDS times under setting A and setting B,
# alternating which goes first, so that both see the same machine. A setting is a worker AOT
# cache directory (A_CACHE / B_CACHE: "trained" for the cache trained here, anything else for an
# empty directory, that is no cache) and worker JVM options (A_OPTS / B_OPTS).
# Each run's summary lands in OUT_DIR as summary-{A,B}-R.txt (the setting on its last line), the
# training's output as train.txt, the logs in logs.tgz. Agents and workers log the redirect's
# timestamps (debug), and the agents' lines carry wall-clock times.
# Usage (device machine, repo root, after pack.sh):
#   A_CACHE=none B_CACHE=trained [CASES="1024:1:1500000 ..."] [ROUNDS=2] benchmarks/gpu/ab-compare.sh
set -uo pipefail
out=${OUT_DIR:-$OUT}
[ -x /tmp/jre/bin/java ] || tar -xJf .device/jre.tar.xz -C /tmp
export JAVA_HOME=/tmp/jre PATH=/tmp/jre/bin:$PATH
cases=${CASES:-"1024:1:1500000 1024:2:1500000"}
rounds=${ROUNDS:-2}
rm -rf /tmp/ab-trained /tmp/ab-none && mkdir -p /tmp/ab-trained /tmp/ab-none
t0=$(date +%s)
GPUMIGRATE_AOT_CACHE_DIR=/tmp/ab-trained timeout ${TRAIN_TIMEOUT:-240} .device/dist/bin/gpumigrate train >$out/train.txt 2>&1
echo "train: exit $? after $(( $(date +%s) - t0 )) s" | tee -a $out/train.txt
debug="-Dorg.slf4j.simpleLogger.log.io.gpumigrate.worker.migration.SourceMigration=debug"
debug="$debug -Dorg.slf4j.simpleLogger.log.io.gpumigrate.agent.migration.MigrationCoordinator=debug"
agent_opts="$debug -Dorg.slf4j.simpleLogger.log.io.gpumigrate.worker=debug"
agent_opts="$agent_opts -Dorg.slf4j.simpleLogger.showDateTime=true -Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS"
for r in $(seq 1 "$rounds"); do
  order=$([ $((r % 2)) -eq 1 ] && echo "A B" || echo "B A")
  for s in $order; do
    cache_var=${s}_CACHE opts_var=${s}_OPTS
    cache=$([ "${!cache_var:-none}" = trained ] && echo /tmp/ab-trained || echo /tmp/ab-none)
    run=/tmp/ab-run-$s-$r
    LOGDIR=$run GPUMIGRATE_AOT_CACHE_DIR=$cache GPUMIGRATE_JAVA_OPTS="$agent_opts" \
      GPUMIGRATE_WORKER_JAVA_OPTS="$debug ${!opts_var:-}" timeout ${RUN_TIMEOUT:-240} \
      benchmarks/gpu/migration-bench.sh "$cases" >$run.out 2>&1
    cp $run/summary.txt $out/summary-$s-$r.txt 2>/dev/null
    echo "setting $s: cache ${!cache_var:-none}, worker options '${!opts_var:-}'" >>$out/summary-$s-$r.txt
  done
done
tar -czf $out/logs.tgz -C /tmp $(cd /tmp && ls -d ab-run-*) 2>/dev/null
ls -la $out
