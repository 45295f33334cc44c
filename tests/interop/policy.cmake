# Route maps and RFC 8212 against BIRD and GoBGP, RPKI matches with stayrtr (SUBNETs
# 111-114; docs/policy.md).
rx_interop_tests(120 policy_maps=test_policy.Maps policy_require=test_policy.RequirePolicy
  policy_rpki=test_policy.RpkiExport policy_summarise=test_policy.Summarise)
