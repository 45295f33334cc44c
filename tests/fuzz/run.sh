#!/bin/sh
# run.sh: build the codec fuzz target (build-fuzz/, clang, -DRX_FUZZ=ON) and run it.
#   tests/fuzz/run.sh [SECONDS] [JOBS] [extra libFuzzer flags...]
# SECONDS defaults to 60, JOBS (parallel fuzzing processes) to 1. New inputs are kept in
# tests/fuzz/corpus-run/wire (git-ignored); crashes land in build-fuzz/ as crash-<sha1>.
# Replay one: build-fuzz/tests/fuzz/fuzz_wire build-fuzz/crash-...
set -eu
cd "$(dirname "$0")/../.."
secs=${1:-60}
jobs=${2:-1}
[ $# -gt 0 ] && shift
[ $# -gt 0 ] && shift
CC=clang CXX=clang++ cmake -S . -B build-fuzz -DRX_FUZZ=ON -DRX_BENCH=OFF >/dev/null
cmake --build build-fuzz --target fuzz_wire -j "$(nproc)"
mkdir -p tests/fuzz/corpus-run/wire
if [ "$jobs" -gt 1 ]; then
	set -- -jobs="$jobs" -workers="$jobs" "$@"
fi
exec build-fuzz/tests/fuzz/fuzz_wire -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	-print_final_stats=1 -artifact_prefix=build-fuzz/ "$@" \
	tests/fuzz/corpus-run/wire tests/fuzz/corpus/wire
