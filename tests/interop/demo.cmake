# The README's `make run` demo as a check (scripts/demo.py --check): routexd on
# examples/azure.yaml with a Python speaker per peer, the three tables (exchange off, on,
# off) checked against the propagation matrix. It uses the example's fixed addresses
# (127.0.0.1-5), port 10179, metrics port 19179 and /tmp/routex-azure.sock, which no other
# interop test uses; RESOURCE_LOCK keeps two copies from one ctest apart, and the script's
# lock file (/tmp/routex-azure.demo.lock) two trees' copies (the second waits).
add_test(NAME interop_demo
  COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/scripts/demo.py --check
    --routexd $<TARGET_FILE:routexd> --routexctl $<TARGET_FILE:routexctl>
    --config ${PROJECT_SOURCE_DIR}/examples/azure.yaml
  WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(interop_demo PROPERTIES LABELS interop TIMEOUT 150
  SKIP_RETURN_CODE 77 RESOURCE_LOCK routex_azure_example
  ENVIRONMENT "PYTHONDONTWRITEBYTECODE=1")
