# Packaging and privileges (tests/interop/test_package.py, docs/packaging.md): routexd started
# as root with `user: nobody` drops to it and still serves BIRD and routexctl; Type=notify
# readiness, reload and stop messages.
rx_interop_tests(120 package_privdrop=test_package.PrivDrop package_notify=test_package.Notify)
