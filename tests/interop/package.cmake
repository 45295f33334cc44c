# Packaging and privileges (tests/interop/test_package.py, docs/packaging.md): routexd started
# as root with `user: nobody` drops to it and still serves BIRD and routexctl.
rx_interop_tests(120 package_privdrop=test_package.PrivDrop)
