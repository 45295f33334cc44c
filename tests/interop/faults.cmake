# Load and fault scenarios (tests/interop/test_faults.py, docs/faults.md): full tables from
# raw speakers (bulk.py) beside real daemons. Label `faults`, not `interop`: they run in the
# release build of `make test` (every label) but not again under ASan, where the same tables
# take several times as long; run them there by hand (docs/faults.md).
set(rx_fault_tests faults_ctl_no_reader=test_faults.CtlNoReader)
rx_interop_tests(300 ${rx_fault_tests})
foreach(t ${rx_fault_tests})
  string(REGEX REPLACE "=.*" "" tname ${t})
  set_tests_properties(interop_${tname} PROPERTIES LABELS faults)
endforeach()
