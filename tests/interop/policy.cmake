# Route maps and RFC 8212 against BIRD and GoBGP (SUBNETs 111-112; docs/policy.md).
rx_interop_tests(120 policy_maps=test_policy.Maps policy_require=test_policy.RequirePolicy)
