#!/usr/bin/env bash
# Builds the C workloads with nvcc against the real CUDA driver and runs each natively,
# printing a table (workload, PASS/FAIL, seconds). For GPU machines: native baselines to
# compare with runs through `gpumigrate run`.
#
#   gpu/run-native.sh [BUILD_DIR]        default BUILD_DIR: test-workloads/target
#   WORKLOAD_ARGS_stencil="--n 1024 --steps 500" gpu/run-native.sh   extra flags per workload
#
# The JCuda workloads run too when `mvn package` has put their jars in BUILD_DIR/bin/jcuda and
# a java (JAVA_HOME, else PATH) is found; they use the system's libcuda.so.1.
# Exit status 0 when every workload printed PASS. Each run's output is kept in
# BUILD_DIR/native-logs/NAME.log.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$here/target}"
if ! command -v "${NVCC:-nvcc}" >/dev/null && [ -x /usr/local/cuda/bin/nvcc ]; then
    export PATH="/usr/local/cuda/bin:$PATH"
fi
make -s -C "$here" BUILD="$build" NVCC="${NVCC:-nvcc}" native || { echo "run-native: build failed" >&2; exit 1; }

programs=(vector_add saxpy_loop reduce matmul stencil pointer_chase streams_events module_globals)
commands=()
for p in "${programs[@]}"; do commands+=("$build/native-bin/$p"); done
if [ -d "$build/bin/jcuda" ] && { [ -x "${JAVA_HOME:-/nonexistent}/bin/java" ] || command -v java >/dev/null; }; then
    programs+=(jcuda_vector_add jcuda_reduce)
    commands+=("$build/bin/jcuda_vector_add" "$build/bin/jcuda_reduce")
else
    echo "run-native: skipping the JCuda workloads (no $build/bin/jcuda from mvn package, or no java)" >&2
fi
logs="$build/native-logs"
mkdir -p "$logs"
failed=0
printf '%-16s %-6s %9s\n' workload result seconds
for i in "${!programs[@]}"; do
    p=${programs[$i]}
    args_var="WORKLOAD_ARGS_$p"
    start=$(date +%s%N)
    # shellcheck disable=SC2086
    "${commands[$i]}" ${!args_var:-} >"$logs/$p.log" 2>&1
    rc=$?
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    verdict=$(tail -n 1 "$logs/$p.log")
    if [ "$rc" = 0 ] && [ "$verdict" = PASS ]; then result=PASS; else result=FAIL; failed=1; fi
    printf '%-16s %-6s %5d.%03d\n' "$p" "$result" $((ms / 1000)) $((ms % 1000))
done
[ "$failed" = 0 ] || echo "run-native: failures; see $logs/*.log" >&2
exit "$failed"
