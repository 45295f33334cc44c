#!/bin/sh
# CPU seconds per routexd thread (rx-io<N>, rx-decide, rx-ctl) over one routex-bench
# scenario, from /proc: which thread is the bottleneck.
#   perf/threads.sh
set -eu
. "$(dirname "$0")/common.sh"
need "$BENCH" "$ROUTEXD" "$ROUTEXCTL"
mkdir -p "$OUT"
start_bench "$OUT/threads.bench.txt"
TICK=$(getconf CLK_TCK)
snap() { # prints "tid name utime+stime" per thread
	for t in /proc/"$ROUTEXD_PID"/task/*; do
		name=$(cat "$t/comm" 2>/dev/null) || continue
		# after "(comm) ": utime and stime are the 12th and 13th fields
		ticks=$(sed 's/.*) //' "$t/stat" 2>/dev/null | awk '{print $12 + $13}') || continue
		[ -n "$ticks" ] && echo "${t##*/} $name $ticks"
	done
}
# Threads exit at shutdown: keep each thread's highest reading.
all=""
while kill -0 "$ROUTEXD_PID" 2>/dev/null && kill -0 "$BENCH_PID" 2>/dev/null; do
	all="$all
$(snap 2>/dev/null || true)"
	sleep 0.1
done
wait "$BENCH_PID" || true
tail -n 1 "$OUT/threads.bench.txt"
echo "$all" | awk -v t="$TICK" 'NF == 3 {if ($3 > max[$1]) max[$1] = $3; name[$1] = $2}
	END {for (i in max) cpu[name[i]] += max[i]; for (n in cpu) printf "%-12s %7.2f s\n", n, cpu[n] / t}' |
	sort -k2 -rn | tee "$OUT/threads.txt"
