# wire.cmake: libFuzzer target for the BGP codec (fuzz_wire.c); see CMakeLists.txt.
if(TARGET rx_wire)
  rx_fuzz_target(fuzz_wire SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_wire.c
                 LIBS rx_wire rx_util INCLUDES ${CMAKE_SOURCE_DIR}/src/wire)
endif()
