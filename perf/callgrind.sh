#!/bin/sh
# Instruction counts of routexd (valgrind --tool=callgrind) for a fixed small scenario:
# repeatable on a noisy machine, unlike seconds. Compare totals between commits.
#   perf/callgrind.sh            (1 feeder x 50,000 prefixes -> 1 monitor)
set -eu
. "$(dirname "$0")/common.sh"
need "$BENCH" "$ROUTEXD" "$ROUTEXCTL"
command -v valgrind >/dev/null || { echo "perf: install valgrind" >&2; exit 1; }
mkdir -p "$OUT"
WRAP="$OUT/callgrind-routexd.sh"
cat >"$WRAP" <<EOW
#!/bin/sh
exec valgrind --tool=callgrind --callgrind-out-file=$OUT/callgrind.out --trace-children=no \
	$ROUTEXD "\$@"
EOW
chmod +x "$WRAP"
rm -f "$OUT/callgrind.out"
"$BENCH" -s routexd --bin "$WRAP" --ctl "$ROUTEXCTL" --port "$PORT" -k 1 -m 1 -p 50000 -S converge \
	--dir "$(mktemp -d)" \
	--timeout 300 >"$OUT/callgrind.bench.txt" 2>&1 || true
# routexd under valgrind writes its profile when routex-bench stops it.
for _ in $(seq 1 100); do [ -s "$OUT/callgrind.out" ] && break; sleep 0.2; done
tail -n 1 "$OUT/callgrind.bench.txt"
callgrind_annotate "$OUT/callgrind.out" 2>/dev/null | head -n 30 | tee "$OUT/callgrind.top.txt"
