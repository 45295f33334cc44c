# wire.cmake: UPDATE parsing throughput of the codec (bench_wire.c); figures in
# docs/wire-bench.md.
if(TARGET rx_wire)
  rx_bench(bench_wire SOURCES ${CMAKE_CURRENT_LIST_DIR}/bench_wire.c
           LIBS rx_wire rx_util PkgConfig::ZLIB)
endif()
