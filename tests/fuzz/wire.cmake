# wire.cmake: libFuzzer target for the BGP codec (fuzz_wire.c), built only with -DRX_FUZZ=ON
# and clang. The codec's sources are compiled into the target itself with the fuzzer's
# coverage and sanitizer flags, so the rest of the tree keeps its normal flags.
# CTest `fuzz_wire` (label fuzz) runs it for 30 s from the committed seed corpus.
if(NOT RX_FUZZ OR NOT TARGET rx_wire)
  return()
endif()
if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
  message(WARNING "RX_FUZZ needs clang (CC=clang): fuzz_wire not built")
  return()
endif()

# Absolute source paths of a library target.
function(rx_fuzz_sources out target)
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

rx_fuzz_sources(rx_fuzz_wire_srcs rx_wire)
rx_fuzz_sources(rx_fuzz_util_srcs rx_util)
set(RX_FUZZ_FLAGS -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
    -fno-omit-frame-pointer -g)
add_executable(fuzz_wire ${CMAKE_CURRENT_LIST_DIR}/fuzz_wire.c ${rx_fuzz_wire_srcs}
               ${rx_fuzz_util_srcs})
target_include_directories(fuzz_wire PRIVATE ${CMAKE_SOURCE_DIR}/include
                           ${CMAKE_SOURCE_DIR}/src/wire)
target_compile_options(fuzz_wire PRIVATE ${RX_FUZZ_FLAGS})
target_link_options(fuzz_wire PRIVATE ${RX_FUZZ_FLAGS})

set(rx_fuzz_wire_run ${CMAKE_CURRENT_BINARY_DIR}/corpus-run/wire)
file(MAKE_DIRECTORY ${rx_fuzz_wire_run})
# New inputs go to the build tree; the committed seeds (second directory) are only read.
add_test(NAME fuzz_wire
  COMMAND fuzz_wire -max_total_time=30 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
          -artifact_prefix=${CMAKE_CURRENT_BINARY_DIR}/
          ${rx_fuzz_wire_run} ${CMAKE_CURRENT_LIST_DIR}/corpus/wire)
set_tests_properties(fuzz_wire PROPERTIES LABELS fuzz TIMEOUT 300)
