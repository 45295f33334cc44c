# attr.cmake: the attribute table (bench_attr.c); figures in docs/rib.md.
if(TARGET rx_attr)
  rx_bench(bench_attr SOURCES ${CMAKE_CURRENT_LIST_DIR}/bench_attr.c LIBS rx_attr)
endif()
