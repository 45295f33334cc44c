# monitor.cmake: routex-bench's monitor decode path, fast decoder against the full parser
# (bench_monitor.c); figures in docs/bench.md and bench/RESULTS.md.
if(TARGET routex_bench_core)
  rx_bench(bench_monitor SOURCES ${CMAKE_CURRENT_LIST_DIR}/bench_monitor.c
           LIBS routex_bench_core)
endif()
