# Interop tests (tests/interop/*.py): routexd against real BGP daemons from Debian packages
# (BIRD 2, GoBGP, FRR, ExaBGP, OpenBGPD). Python 3 standard library only; they run as root
# and skip (not fail) a daemon that is not installed. See docs/interop.md.
find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND)
  set(rx_interop_dir ${CMAKE_CURRENT_LIST_DIR})
  # One CTest test per test class: NAME -> module.Class
  set(rx_interop_tests
    bird=test_daemons.Bird gobgp=test_daemons.GoBGP frr=test_daemons.FRR
    exabgp=test_daemons.ExaBGP openbgpd=test_daemons.OpenBGPD
    azure_exchange=test_azure.Exchange azure_active_active=test_azure.ActiveActive
    azure_nva_ecmp=test_azure.NvaEcmp azure_preference=test_azure.Preference
    bad_source=test_bad_neighbour.BadSource bad_asn=test_bad_neighbour.WrongAsn
    bad_max_prefixes=test_bad_neighbour.MaxPrefixes bad_md5=test_bad_neighbour.Md5
    reload=test_reload.Reload originate6=test_gaps.Originate6
    max_prefixes_out=test_gaps.MaxPrefixesOut
    rules_same_update=test_rules.SameUpdate rules_limit_count=test_rules.LimitCount
    rules_graceful_restart=test_rules.GracefulRestart rules_communities=test_rules.Communities
    rules_route_refresh=test_rules.RouteRefresh rules_show=test_rules.ShowMatches
    ixp_transparent=test_ixp.Transparent ha=test_ha.HA)
  foreach(t ${rx_interop_tests})
    string(REPLACE "=" ";" tp ${t})
    list(GET tp 0 tname)
    list(GET tp 1 tclass)
    add_test(NAME interop_${tname}
      COMMAND ${Python3_EXECUTABLE} ${rx_interop_dir}/run.py ${tclass}
      WORKING_DIRECTORY ${rx_interop_dir})
    set_tests_properties(interop_${tname} PROPERTIES LABELS interop TIMEOUT 120
      SKIP_RETURN_CODE 77
      ENVIRONMENT "ROUTEXD=$<TARGET_FILE:routexd>;ROUTEXCTL=$<TARGET_FILE:routexctl>;PYTHONDONTWRITEBYTECODE=1")
  endforeach()
endif()
