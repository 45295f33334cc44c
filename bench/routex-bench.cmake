# routex-bench.cmake: routex-bench, the load generator and convergence harness that drives a
# route server on loopback (bench/routex-bench/, docs/bench.md). A plain executable, not an
# rx_bench() google-benchmark binary.
if(TARGET rx_peer AND TARGET rx_mrt)
  # The parts that need no sockets (feeds, prefix sets, the monitors' decoder, messages),
  # shared with bench_monitor and the routex-bench unit tests.
  add_library(routex_bench_core STATIC
    ${CMAKE_CURRENT_LIST_DIR}/routex-bench/gen.c
    ${CMAKE_CURRENT_LIST_DIR}/routex-bench/pset.c
    ${CMAKE_CURRENT_LIST_DIR}/routex-bench/decode.c
    ${CMAKE_CURRENT_LIST_DIR}/routex-bench/log.c)
  target_include_directories(routex_bench_core PUBLIC ${CMAKE_CURRENT_LIST_DIR}/routex-bench)
  target_link_libraries(routex_bench_core PUBLIC rx_mrt rx_wire rx_util m)
  add_executable(routex-bench
    ${CMAKE_CURRENT_LIST_DIR}/routex-bench/main.c
    ${CMAKE_CURRENT_LIST_DIR}/routex-bench/run.c
    ${CMAKE_CURRENT_LIST_DIR}/routex-bench/server.c)
  target_link_libraries(routex-bench PRIVATE routex_bench_core rx_peer rx_conc
                        Threads::Threads)
  target_compile_definitions(routex-bench PRIVATE RX_DATA_DIR="${RX_DATA_DIR}")
endif()

# Smoke test: routex-bench drives this build's routexd through every scenario on a small
# table, so neither can drift from the other unnoticed. Labels interop (real sessions) and
# stress, so that the TSan build (`make test-tsan`: unit|stress) runs every routexd thread,
# the export worker included, under load.
if(TARGET routex-bench AND TARGET routexd)
  # routexd's own stderr goes to routex-bench's log, not here: a sanitizer report must stop
  # it (TSan's halt_on_error; ASan and UBSan abort already), which fails the run.
  set(rx_smoke_env "${RX_TEST_ENV}")
  if(RX_SANITIZE STREQUAL "tsan")
    set(rx_smoke_env "${RX_TEST_ENV}:halt_on_error=1")
  endif()
  add_test(NAME bench_smoke_routexd
    COMMAND routex-bench -s routexd --bin $<TARGET_FILE:routexd> --ctl $<TARGET_FILE:routexctl>
            -k 2 -m 2 -p 20000 -S converge,withdraw,exchange --port 17953 --timeout 60)
  set_tests_properties(bench_smoke_routexd PROPERTIES LABELS "interop;stress" TIMEOUT 180
    FAIL_REGULAR_EXPRESSION "verified=no|timed out|ThreadSanitizer|AddressSanitizer|runtime error"
    ENVIRONMENT "${rx_smoke_env}")
endif()
