# session.cmake: libFuzzer target for the BGP session core (fuzz_session.c), built only with
# -DRX_FUZZ=ON and clang. session.c and the codec are compiled into the target with the
# fuzzer's flags, as wire.cmake does for fuzz_wire (the glob includes this file first).
# CTest `fuzz_session` (label fuzz) runs it for 30 s from the committed seed corpus.
if(NOT RX_FUZZ OR NOT TARGET rx_wire OR NOT TARGET rx_peer)
  return()
endif()
if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
  message(WARNING "RX_FUZZ needs clang (CC=clang): fuzz_session not built")
  return()
endif()

# Absolute source paths of a library target (the same helper as wire.cmake's).
function(rx_fuzz_session_sources out target)
  get_target_property(srcs ${target} SOURCES)
  get_target_property(dir ${target} SOURCE_DIR)
  set(abs "")
  foreach(s ${srcs})
    if(IS_ABSOLUTE ${s})
      list(APPEND abs ${s})
    else()
      list(APPEND abs ${dir}/${s})
    endif()
  endforeach()
  set(${out} ${abs} PARENT_SCOPE)
endfunction()

rx_fuzz_session_sources(rx_fuzz_session_wire rx_wire)
rx_fuzz_session_sources(rx_fuzz_session_util rx_util)
set(rx_fuzz_session_flags -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
    -fno-omit-frame-pointer -g)
add_executable(fuzz_session ${CMAKE_CURRENT_LIST_DIR}/fuzz_session.c
               ${CMAKE_SOURCE_DIR}/src/peer/session.c ${rx_fuzz_session_wire}
               ${rx_fuzz_session_util})
target_include_directories(fuzz_session PRIVATE ${CMAKE_SOURCE_DIR}/include
                           ${CMAKE_SOURCE_DIR}/src/wire)
target_compile_options(fuzz_session PRIVATE ${rx_fuzz_session_flags})
target_link_options(fuzz_session PRIVATE ${rx_fuzz_session_flags})

set(rx_fuzz_session_run ${CMAKE_CURRENT_BINARY_DIR}/corpus-run/session)
file(MAKE_DIRECTORY ${rx_fuzz_session_run})
add_test(NAME fuzz_session
  COMMAND fuzz_session -max_total_time=30 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
          -artifact_prefix=${CMAKE_CURRENT_BINARY_DIR}/
          ${rx_fuzz_session_run} ${CMAKE_CURRENT_LIST_DIR}/corpus/session)
set_tests_properties(fuzz_session PROPERTIES LABELS fuzz TIMEOUT 300)
