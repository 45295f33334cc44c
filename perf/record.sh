#!/bin/sh
# perf record -g of routexd under a routex-bench scenario, then the top symbols, the
# folded stacks and an SVG flame graph (perf/flamegraph.py, no outside tools).
#   perf/record.sh [SECONDS]     (default 8: covers convergence and withdrawal of 1M)
# Output in perf/results/: record.data, record.top.txt, record.folded, record.svg
set -eu
. "$(dirname "$0")/common.sh"
need "$BENCH" "$ROUTEXD" "$ROUTEXCTL"
command -v perf >/dev/null || { echo "perf: install linux-perf" >&2; exit 1; }
mkdir -p "$OUT"
SECS=${1:-8}
start_bench "$OUT/record.bench.txt"
# cpu-clock: these VMs have no hardware counters.
perf record -q -e cpu-clock -F 4000 -g -p "$ROUTEXD_PID" -o "$OUT/record.data" -- sleep "$SECS" \
	2>/dev/null || true
wait "$BENCH_PID" || true
perf report -i "$OUT/record.data" --no-children --sort comm,symbol --stdio 2>/dev/null |
	grep -E '^ +[0-9]' | head -n 40 >"$OUT/record.top.txt"
perf script -i "$OUT/record.data" 2>/dev/null | python3 "$(dirname "$0")/flamegraph.py" fold \
	>"$OUT/record.folded"
python3 "$(dirname "$0")/flamegraph.py" svg <"$OUT/record.folded" >"$OUT/record.svg"
tail -n 1 "$OUT/record.bench.txt"
echo "--- top symbols (thread, symbol):"
head -n 20 "$OUT/record.top.txt"
echo "flame graph: $OUT/record.svg"
