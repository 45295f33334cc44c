# RPKI origin validation against a real RTR cache (stayrtr) with GoBGP and BIRD (SUBNETs 101-103).
rx_interop_tests(120 rpki_drop=test_rpki.Drop rpki_accept=test_rpki.Accept)
