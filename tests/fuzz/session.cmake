# session.cmake: libFuzzer target for the BGP session core (fuzz_session.c): session.c and
# the codec compiled with the fuzzer's flags; see CMakeLists.txt.
if(TARGET rx_wire AND TARGET rx_peer)
  rx_fuzz_target(fuzz_session
                 SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_session.c ${CMAKE_SOURCE_DIR}/src/peer/session.c
                 LIBS rx_wire rx_util INCLUDES ${CMAKE_SOURCE_DIR}/src/wire)
endif()
