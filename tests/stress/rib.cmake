# RIB concurrency torture: one writer, reader threads checking invariants (label: stress).
# Release builds run it as is; make test also runs it in the ASan and TSan builds.
add_executable(stress_rib ${CMAKE_CURRENT_LIST_DIR}/stress_rib.c)
target_link_libraries(stress_rib PRIVATE rx_rib)
add_test(NAME stress_rib COMMAND stress_rib)
set_tests_properties(stress_rib PROPERTIES LABELS stress TIMEOUT 1800
  ENVIRONMENT "${RX_TEST_ENV}")
