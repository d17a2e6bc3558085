#!/usr/bin/env bash
# Summarises async-profiler collapsed stacks (event=cpu, threads) of the workers that
# migration-bench.sh PROFILE=1 leaves in DIR/ap/*.collapsed: samples per thread kind (thread
# names without their numbers) and the hottest leaf frames, per file, small enough to bring back.
# Usage: benchmarks/gpu/profile-summary.sh DIR [TOP (25)]
set -uo pipefail
dir=$1; top=${2:-25}
for f in "$dir"/ap/*.collapsed; do
  [ -s "$f" ] || continue
  echo "== $(basename "$f") ($(awk '{s+=$NF} END {print s}' "$f") samples)"
  echo "-- by thread kind"
  awk '{n=$NF; split($0, a, ";"); t=a[1]; sub(/ tid=[0-9]+\]/, "]", t); gsub(/[0-9]+/, "N", t); s[t]+=n}
       END {for (k in s) print s[k], k}' "$f" | sort -rn | head -12
  echo "-- hottest leaf frames"
  awk '{n=$NF; $NF=""; k=split($0, a, ";"); leaf=a[k]; sub(/ +$/, "", leaf); s[leaf]+=n}
       END {for (k in s) print s[k], k}' "$f" | sort -rn | head -"$top"
done
