# routexctl dump mrt read back by bgpdump -m, against show rib (docs/mrt.md). The replay
# test takes a real RIB dump from RX_DATA_DIR.
rx_interop_tests(150 mrtdump=test_mrtdump.MrtDump)
set_property(TEST interop_mrtdump APPEND PROPERTY ENVIRONMENT "RX_DATA_DIR=${RX_DATA_DIR}")
