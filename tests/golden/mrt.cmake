# routex-mrt -m against bgpdump -m over every MRT file of RX_DATA_DIR/mrt (label: golden).
# See mrt_golden.py for what is compared and the two files held to more than equality.
find_package(Python3 COMPONENTS Interpreter)
find_program(RX_BGPDUMP bgpdump)
if(NOT Python3_Interpreter_FOUND OR NOT RX_BGPDUMP)
  message(WARNING "python3 or bgpdump missing: the MRT golden test is not registered")
  return()
endif()
add_test(NAME golden_mrt
  COMMAND Python3::Interpreter ${CMAKE_CURRENT_SOURCE_DIR}/mrt_golden.py
          --routex-mrt $<TARGET_FILE:routex-mrt> --bgpdump ${RX_BGPDUMP}
          --data ${RX_DATA_DIR}/mrt)
set_tests_properties(golden_mrt PROPERTIES LABELS golden TIMEOUT 120)
