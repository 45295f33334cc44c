# Shared by the perf/ scripts: paths, and a routex-bench run of routexd in the background
# whose routexd PID is returned once it exists.
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
BENCH=$BUILD/bench/routex-bench
ROUTEXD=$BUILD/src/routexd
ROUTEXCTL=$BUILD/src/routexctl
OUT=${OUT:-$ROOT/perf/results}
# The scenario: override with e.g. SCENARIO="-k 4 -m 4 -p 250000 -o 0.5".
SCENARIO=${SCENARIO:-"-k 1 -m 4 -p 1000000"}
# routex-bench -S, the phases run: e.g. PHASES=exchange (2 feeders or more) for the
# route-exchange toggle.
PHASES=${PHASES:-converge,withdraw}
# Its own port, so that it can run beside another routex-bench.
PORT=${PORT:-17931}

need() {
	for b in "$@"; do
		[ -x "$b" ] || { echo "perf: $b missing: run 'make build' first" >&2; exit 1; }
	done
}

# start_bench LOGFILE: runs the convergence scenario, sets BENCH_PID and ROUTEXD_PID.
start_bench() {
	"$BENCH" -s routexd --bin "$ROUTEXD" --ctl "$ROUTEXCTL" --port "$PORT" $SCENARIO -S "$PHASES" \
		>"$1" 2>&1 &
	BENCH_PID=$!
	ROUTEXD_PID=
	for _ in $(seq 1 600); do
		ROUTEXD_PID=$(pgrep -P "$BENCH_PID" -f "$ROUTEXD" | head -n 1)
		[ -n "$ROUTEXD_PID" ] && return 0
		sleep 0.05
	done
	echo "perf: routexd did not start (see $1)" >&2
	exit 1
}
