# Packaging and privileges (tests/interop/test_package.py, docs/packaging.md): routexd started
# as root with `user: nobody` drops to it and still serves BIRD and routexctl; Type=notify
# readiness, reload and stop messages; the systemd unit's identity (ambient CAP_NET_BIND_SERVICE)
# reproduced with setpriv.
rx_interop_tests(120 package_privdrop=test_package.PrivDrop package_notify=test_package.Notify
  package_ambient=test_package.Ambient)
