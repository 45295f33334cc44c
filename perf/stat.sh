#!/bin/sh
# perf stat counters of routexd over one routex-bench scenario (software counters: these
# VMs expose no hardware ones; `perf stat -e instructions true` says whether yours does).
#   perf/stat.sh [SECONDS]
set -eu
. "$(dirname "$0")/common.sh"
need "$BENCH" "$ROUTEXD" "$ROUTEXCTL"
mkdir -p "$OUT"
SECS=${1:-8}
start_bench "$OUT/stat.bench.txt"
perf stat -e task-clock,context-switches,cpu-migrations,page-faults -p "$ROUTEXD_PID" \
	-o "$OUT/stat.txt" -- sleep "$SECS" 2>/dev/null || true
wait "$BENCH_PID" || true
tail -n 1 "$OUT/stat.bench.txt"
cat "$OUT/stat.txt"
