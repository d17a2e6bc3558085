#!/usr/bin/env bash
# One-call GPU check of the CUDA backend (io.gpumigrate.device.cuda).
#
#   here:  checkpoint-core/src/test/gpu/cuda-check.sh pack DIR
#          (after `mvn -o -pl checkpoint-core test-compile`) copies the compiled classes, the
#          three JUnit jars and the slf4j API GpuTestMain needs and this script into DIR.
#   there: bash DIR/cuda-check.sh run DIR [LOGDIR]
#          with java 25 on the PATH (and the distribution's lib/ at DIST_LIB, default
#          .device/dist/lib, for the zstd and LZ4 codecs): runs CudaSmoke (PASS/FAIL per check, bandwidths, launch
#          rate) and GpuTestMain (the device contract and the placement tests on the GPU).
set -euo pipefail
mode=${1:?usage: cuda-check.sh pack|run DIR [LOGDIR]}
dir=${2:?usage: cuda-check.sh pack|run DIR [LOGDIR]}
case "$mode" in
pack)
    root=$(cd "$(dirname "$0")/../../.." && pwd)
    repo=${M2_REPO:-$HOME/.m2/repository}
    mkdir -p "$dir/lib"
    rm -rf "$dir/classes" "$dir/test-classes"
    cp -r "$root/target/classes" "$dir/classes"
    cp -r "$root/target/test-classes" "$dir/test-classes"
    cp "$repo/org/junit/jupiter/junit-jupiter-api/5.14.1/junit-jupiter-api-5.14.1.jar" \
       "$repo/org/opentest4j/opentest4j/1.3.0/opentest4j-1.3.0.jar" \
       "$repo/org/junit/platform/junit-platform-commons/1.14.1/junit-platform-commons-1.14.1.jar" \
       "$repo/org/slf4j/slf4j-api/2.0.20/slf4j-api-2.0.20.jar" "$dir/lib/"
    cp "$0" "$dir/cuda-check.sh"
    du -sh "$dir"
    ;;
run)
    logs=${3:-${OUT:-/tmp}}
    # the codecs FatbinImage decompresses with: from the distribution beside it (pack.sh's .device/dist)
    codecs=$(ls "${DIST_LIB:-.device/dist/lib}"/zstd-jni-*.jar "${DIST_LIB:-.device/dist/lib}"/lz4-java-*.jar 2>/dev/null | tr '\n' ':')
    cp="$dir/classes:$dir/test-classes:$(ls "$dir"/lib/*.jar | tr '\n' ':')$codecs"
    status=0
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
    java --enable-native-access=ALL-UNNAMED -cp "$cp" io.gpumigrate.device.cuda.CudaSmoke 2>&1 | tee "$logs/cuda-smoke.log" || status=1
    java --enable-native-access=ALL-UNNAMED -cp "$cp" io.gpumigrate.device.cuda.GpuTestMain 2>&1 | tee "$logs/cuda-tests.log" || status=1
    exit $status
    ;;
*)
    echo "unknown mode $mode: pack or run" >&2
    exit 2
    ;;
esac
