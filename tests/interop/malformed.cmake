# Bad input end to end (tests/interop/test_malformed.py, docs/malformed.md): a raw BGP
# speaker (speaker.py) sends crafted bytes through a live session with routexd; BIRD peers
# and a second raw speaker check what reached the others. One CTest test per case table.
find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND)
  set(rx_malformed_tests
    malformed_open=test_malformed.Session malformed_header=test_malformed.Header
    malformed_update=test_malformed.Update malformed_attrs=test_malformed.Attrs)
  foreach(t ${rx_malformed_tests})
    string(REPLACE "=" ";" tp ${t})
    list(GET tp 0 tname)
    list(GET tp 1 tclass)
    add_test(NAME interop_${tname}
      COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/run.py ${tclass}
      WORKING_DIRECTORY ${CMAKE_CURRENT_LIST_DIR})
    set_tests_properties(interop_${tname} PROPERTIES LABELS interop TIMEOUT 180
      SKIP_RETURN_CODE 77
      ENVIRONMENT "ROUTEXD=$<TARGET_FILE:routexd>;ROUTEXCTL=$<TARGET_FILE:routexctl>;PYTHONDONTWRITEBYTECODE=1")
  endforeach()
endif()
