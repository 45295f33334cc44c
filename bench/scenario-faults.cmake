# (Named to sort after routex-bench.cmake: bench/CMakeLists.txt includes *.cmake in order.)
# A fault scenario driven by routex-bench's own session core (docs/faults.md): two feeders of
# 200,000 real prefixes each (the as-prefix list, half overlapping), two monitors; feeder 0
# drops its session (Cease) and comes back with its table 10 times while feeder 1 stays.
# Fails when a monitor does not hold exactly the universe after the initial load or after the
# last flap (verified=no), a phase times out, or any session other than the flapping one
# goes down (downs). Label faults, with tests/interop/test_faults.py.
if(TARGET routex-bench AND TARGET routexd)
  add_test(NAME bench_faults_flap
    COMMAND routex-bench -s routexd --bin $<TARGET_FILE:routexd> --ctl $<TARGET_FILE:routexctl>
            -k 2 -m 2 -p 200000 -S converge,flap,withdraw --flaps 10 --port 17954 --timeout 60)
  set_tests_properties(bench_faults_flap PROPERTIES LABELS faults TIMEOUT 300
    FAIL_REGULAR_EXPRESSION "verified=no|timed out|downs=[1-9]")
endif()
