# rib.cmake: RIB core benchmarks (bench_rib.c); figures in docs/rib.md.
if(TARGET rx_rib)
  rx_bench(bench_rib SOURCES ${CMAKE_CURRENT_LIST_DIR}/bench_rib.c
           LIBS rx_rib PkgConfig::ZLIB)
endif()
