/* wtest_attrs.h: hex spellings of common path attributes for the UPDATE tests.
 * flags | type | length | value, per RFC 4271 4.3 and the attribute's own RFC. */
#ifndef ROUTEX_TESTS_WTEST_ATTRS_H
#define ROUTEX_TESTS_WTEST_ATTRS_H

#define A_ORIGIN_IGP "40 01 01 00"
#define A_ORIGIN_EGP "40 01 01 01"
/* AS_SEQUENCE 65001 65002, 4-octet and 2-octet forms. */
#define A_ASPATH4 "40 02 0a 02 02 0000fde9 0000fdea"
#define A_ASPATH2 "40 02 06 02 02 fde9 fdea"
#define A_NEXTHOP "40 03 04 c0000201" /* 192.0.2.1 */
#define A_BASE4	  A_ORIGIN_IGP A_ASPATH4 A_NEXTHOP
#define A_BASE2	  A_ORIGIN_IGP A_ASPATH2 A_NEXTHOP
/* 192.0.2.0/24 and 198.51.100.0/24. */
#define N_ONE "18 c00002"
#define N_TWO "18 c00002 18 c63364"
/* MP_REACH IPv6 unicast, next hop 2001:db8::1, NLRI 2001:db8:1::/48. */
#define A_MP_REACH6 "90 0e 001c 0002 01 10 20010db8000000000000000000000001 00 30 20010db80001"
/* MP_UNREACH IPv6 unicast withdrawing 2001:db8:2::/48. */
#define A_MP_UNREACH6 "90 0f 000a 0002 01 30 20010db80002"

#endif
