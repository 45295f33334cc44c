# Interop tests (tests/interop/*.py): routexd against real BGP daemons from Debian packages
# (BIRD 2, GoBGP, FRR, ExaBGP, OpenBGPD). Python 3 standard library only; they run as root
# and skip (not fail) a daemon that is not installed. See docs/interop.md.
rx_interop_tests(120
  bird=test_daemons.Bird gobgp=test_daemons.GoBGP frr=test_daemons.FRR
  exabgp=test_daemons.ExaBGP openbgpd=test_daemons.OpenBGPD
  azure_exchange=test_azure.Exchange azure_active_active=test_azure.ActiveActive
  azure_nva_ecmp=test_azure.NvaEcmp azure_preference=test_azure.Preference
  bad_source=test_bad_neighbour.BadSource bad_asn=test_bad_neighbour.WrongAsn
  bad_max_prefixes=test_bad_neighbour.MaxPrefixes bad_md5=test_bad_neighbour.Md5
  reload=test_reload.Reload originate6=test_originate.Originate6
  max_prefixes_out=test_limits.MaxPrefixesOut
  dry_run=test_limits.DryRun filters=test_filters.Filters
  roles=test_roles.Roles
  rules_same_update=test_rules.SameUpdate rules_limit_count=test_rules.LimitCount
  rules_graceful_restart=test_rules.GracefulRestart rules_communities=test_rules.Communities
  rules_route_refresh=test_rules.RouteRefresh rules_show=test_rules.ShowMatches
  ixp_transparent=test_ixp.Transparent ixp_communities=test_ixp.Communities
  ixp_add_path=test_ixp.AddPath
  ha=test_ha.HA)
# BMP export to pmbmpd (Debian's pmacct), with BIRD and GoBGP as peers.
rx_interop_tests(180 bmp=test_bmp.Bmp)
