# The BGP4MP message log (mrt-log) read by bgpdump -m, with GoBGP and BIRD (docs/mrt.md).
rx_interop_tests(150 mrtlog=test_mrtlog.MrtLog)
