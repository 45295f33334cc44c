# RIB concurrency torture: one writer, reader threads checking invariants (label: stress).
# Release builds run it as is; make test also runs it in the ASan and TSan builds.
add_executable(stress_rib ${CMAKE_CURRENT_LIST_DIR}/stress_rib.c)
target_link_libraries(stress_rib PRIVATE rx_rib)
add_test(NAME stress_rib COMMAND stress_rib)
set(rx_stress_rib_env "")
if(RX_SANITIZE STREQUAL "tsan")
  set(rx_stress_rib_env "TSAN_OPTIONS=suppressions=${CMAKE_CURRENT_LIST_DIR}/urcu.supp")
endif()
set_tests_properties(stress_rib PROPERTIES LABELS stress TIMEOUT 1800
  ENVIRONMENT "${rx_stress_rib_env}")
