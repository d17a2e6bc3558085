#!/usr/bin/env bash
# What a CUDA agent offers for placement (`gpumigrate node ls`, free device memory) before any
# session, while `stencil` holds BALLAST_MIB (default 4096) of device memory, and after it ended;
# nvidia-smi's view of the same moments beside it. Usage (GPU machine, after pack.sh):
#   [DIST=.device/dist] [BALLAST_MIB=4096] benchmarks/gpu/device-gauge-check.sh
set -uo pipefail
dist=${DIST:-$(pwd)/.device/dist}
gm=$dist/bin/gpumigrate
work=$(mktemp -d /tmp/gauge-check.XXXXXX)
port=17861
smi() { nvidia-smi --query-gpu=memory.used,memory.free,memory.total --format=csv,noheader 2>/dev/null | head -1; }
$gm agent --name gauge --port $port --backend cuda --no-log >$work/agent.log 2>&1 &
agent=$!
trap 'kill $agent 2>/dev/null; wait $agent 2>/dev/null' EXIT
for i in $(seq 1 150); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.2; done
echo "== as soon as the agent listens, before any session (nvidia-smi used, free, total: $(smi))"
start=$(date +%s%N)
$gm node ls --agent 127.0.0.1:$port
echo "(node ls took $(( ($(date +%s%N) - start) / 1000000 )) ms)"
$gm run --agent 127.0.0.1:$port -- $dist/workloads/stencil --n 32 --steps ${STEPS:-400000} --progress 20000 \
    --ballast-mib ${BALLAST_MIB:-4096} --ballast-mode 1 >$work/stencil.log 2>&1 &
prog=$!
for i in $(seq 1 900); do grep -q "step 20000/" $work/stencil.log 2>/dev/null && break; sleep 0.1; done
sleep 1
echo "== while stencil holds ${BALLAST_MIB:-4096} MiB of ballast (nvidia-smi: $(smi))"
$gm node ls --agent 127.0.0.1:$port
$gm ps --agent 127.0.0.1:$port
wait $prog
echo "stencil: exit $? $(tail -1 $work/stencil.log)"
sleep 2
echo "== after it ended (nvidia-smi: $(smi))"
$gm node ls --agent 127.0.0.1:$port
