# Bad input end to end (tests/interop/test_malformed.py, docs/malformed.md): a raw BGP
# speaker (speaker.py) sends crafted bytes through a live session with routexd; BIRD peers
# and a second raw speaker check what reached the others. One CTest test per case table.
rx_interop_tests(180
  malformed_open=test_malformed.Session malformed_header=test_malformed.Header
  malformed_update=test_malformed.Update malformed_attrs=test_malformed.Attrs)
