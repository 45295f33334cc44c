# export.cmake: the export stage's policy walks (bench_export.c); figures in bench/RESULTS.md.
if(TARGET rx_export AND TARGET routex_bench_core)
  rx_bench(bench_export SOURCES ${CMAKE_CURRENT_LIST_DIR}/bench_export.c
           LIBS rx_export rx_rib routex_bench_core)
endif()
