# Load and fault scenarios (tests/interop/test_faults.py, docs/faults.md): full tables from
# raw speakers (bulk.py) beside real daemons. Label `faults`, not `interop`: they run in the
# release build of `make test` (every label) but not again under ASan, where the same tables
# take several times as long; run them there by hand (docs/faults.md).
set(rx_fault_tests
  faults_flap=test_faults.FlapFullTable faults_slow_consumer=test_faults.SlowConsumer
  faults_kill_restart=test_faults.KillRestart faults_reload_storm=test_faults.ReloadStorm
  faults_liveness=test_faults.Liveness faults_back_pressure=test_faults.BackPressure
  faults_ctl_no_reader=test_faults.CtlNoReader)
rx_interop_tests(300 ${rx_fault_tests})
foreach(t ${rx_fault_tests})
  string(REGEX REPLACE "=.*" "" tname ${t})
  set_tests_properties(interop_${tname} PROPERTIES LABELS faults)
endforeach()
