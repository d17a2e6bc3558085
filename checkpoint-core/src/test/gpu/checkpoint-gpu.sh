#!/usr/bin/env bash
# Checkpoint and migration on a GPU machine, through the CUDA backend, each side its own process.
#
#   here:  mvn -o -pl checkpoint-core test-compile; checkpoint-gpu.sh pack DIST
#          (DIST gets the classes and the runtime jars; then ../shared/device/pack.sh DIST)
#   there: bash checkpoint-gpu.sh run DIST MIB...   (java 25 on the PATH; logs to $OUT;
#          STREAMS=N for N TCP connections per migration, default 4)
#          for each size and kind (zero, float32, random): dump + restore in a fresh process,
#          then a stop-and-copy and a pre-copy migration between two processes on the GPU.
set -uo pipefail
mode=${1:?usage: checkpoint-gpu.sh pack|run DIST [MIB...]}
dist=${2:?usage: checkpoint-gpu.sh pack|run DIST [MIB...]}
shift 2
case "$mode" in
pack)
    root=$(cd "$(dirname "$0")/../../.." && pwd)
    mkdir -p "$dist/lib"
    rm -rf "$dist/classes" "$dist/test-classes"
    cp -r "$root/target/classes" "$dist/classes"
    cp -r "$root/target/test-classes" "$dist/test-classes"
    classpath=$(mktemp)
    (cd "$root" && mvn -B -o -q dependency:build-classpath -Dmdep.outputFile="$classpath" -Dmdep.includeScope=test)
    tr ':' '\n' < "$classpath" | grep -vE 'junit|opentest4j|apiguardian' | xargs -I{} cp {} "$dist/lib/"
    rm -f "$classpath"
    cp "$0" "$dist/checkpoint-gpu.sh"
    du -sh "$dist"
    ;;
run)
    logs=${OUT:-/tmp}
    cp="$dist/classes:$dist/test-classes:$(ls "$dist"/lib/*.jar | tr '\n' ':')"
    main="java --enable-native-access=ALL-UNNAMED -Dgpumigrate.streams=${STREAMS:-4} -cp $cp io.gpumigrate.checkpoint.CheckpointGpuMain"
    status=0
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
    echo "cores: $(nproc), streams: ${STREAMS:-4}"
    for mib in "$@"; do
        for kind in zero float32 random; do
            rm -rf /tmp/gpumigrate-image
            $main dump /tmp/gpumigrate-image "$mib" "$kind" || status=1
            $main restore /tmp/gpumigrate-image "$kind" || status=1
            rm -rf /tmp/gpumigrate-image
            for how in stop precopy; do
                $main receive 7400 "$mib" "$kind" "$how" > "$logs/receive.log" 2>&1 &
                receiver=$!
                $main send 7400 "$mib" "$kind" "$how" || status=1
                wait $receiver || status=1
                grep -v '^receiver listening' "$logs/receive.log"
            done
        done
    done 2>&1 | tee -a "$logs/checkpoint-gpu.log"
    exit $status
    ;;
*)
    echo "unknown mode $mode: pack or run" >&2
    exit 2
    ;;
esac
