/* test_update.c: byte-level tests of well-formed UPDATE messages (RFC 4271 4.3) and every
 * path attribute the codec decodes, RFC 6793 AS4_PATH / AS4_AGGREGATOR merging, MP_REACH /
 * MP_UNREACH (RFC 4760), ADD-PATH NLRI (RFC 7911), End-of-RIB (RFC 4724 2), and the AS path
 * helpers. The malformed cases are in test_malformed.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "wtest.h"
#include "wtest_attrs.h"

static const struct wire_ctx ibgp4 = {.as4 = true};
static const struct wire_ctx ibgp2 = {.as4 = false};
static struct wt_buf body;
static struct wire_update u;

static enum wire_action parse(const struct wire_ctx *ctx, const char *wd, const char *attrs,
			      const char *nlri)
{
	wt_update_hex(&body, wd, attrs, nlri);
	return wt_parse(&body, ctx, &u);
}

static void test_ipv4_announce(void **state)
{
	struct rx_prefix p[8];

	/* 10.0.0.0/8, 192.0.2.0/24, 0.0.0.0/0, 203.0.113.128/25, 198.51.100.7/32 */
	assert_int_equal(parse(&ibgp4, NULL, A_BASE4, "08 0a 18 c00002 00 19 cb007180 20 c6336407"),
			 WIRE_OK);
	assert_int_equal(u.err.action, WIRE_OK);
	assert_int_equal(u.withdrawn.count, 0);
	assert_int_equal(u.nlri.count, 5);
	assert_false(u.has_mp_reach);
	assert_false(u.has_mp_unreach);
	assert_false(u.end_of_rib);
	assert_int_equal(wt_decode(&u.nlri, p, NULL, 8), 5);
	assert_string_equal(wt_fmt(&p[0]), "10.0.0.0/8");
	assert_string_equal(wt_fmt(&p[1]), "192.0.2.0/24");
	assert_string_equal(wt_fmt(&p[2]), "0.0.0.0/0");
	assert_string_equal(wt_fmt(&p[3]), "203.0.113.128/25");
	assert_string_equal(wt_fmt(&p[4]), "198.51.100.7/32");
	assert_true(WIRE_HAS(&u.attrs, WIRE_ATTR_ORIGIN));
	assert_true(WIRE_HAS(&u.attrs, WIRE_ATTR_AS_PATH));
	assert_true(WIRE_HAS(&u.attrs, WIRE_ATTR_NEXT_HOP));
	assert_false(WIRE_HAS(&u.attrs, WIRE_ATTR_MED));
	assert_int_equal(u.attrs.origin, WIRE_ORIGIN_IGP);
	assert_string_equal(wt_path(u.attrs.aspath, u.attrs.aspath_len), "65001 65002");
	assert_memory_equal(u.attrs.nexthop, "\xc0\x00\x02\x01", 4);
}

/* wire_nlri_next gives prefixes as on the wire; wire_nlri_decode clears host bits. */
static void test_nlri_host_bits(void **state)
{
	struct wire_nlri_iter it;
	struct rx_prefix p, d[2];
	uint32_t id = 77;

	assert_int_equal(parse(&ibgp4, NULL, A_BASE4, "17 c00003 0c 0aff"), WIRE_OK);
	wire_nlri_iter_init(&it, &u.nlri);
	assert_true(wire_nlri_next(&it, &p, &id));
	assert_int_equal(p.afi, RX_AFI_IPV4);
	assert_int_equal(p.len, 23);
	assert_memory_equal(p.addr, "\xc0\x00\x03", 3);
	assert_true(wire_nlri_next(&it, &p, NULL));
	assert_int_equal(p.len, 12);
	assert_false(wire_nlri_next(&it, &p, NULL));
	assert_int_equal(wt_decode(&u.nlri, d, NULL, 2), 2);
	assert_string_equal(wt_fmt(&d[0]), "192.0.2.0/23");
	assert_string_equal(wt_fmt(&d[1]), "10.240.0.0/12");
	assert_true(rx_prefix_is_canonical(&d[0]));
	/* max bounds the output. */
	assert_int_equal(wt_decode(&u.nlri, d, NULL, 1), 1);
}

static void test_withdraw_only(void **state)
{
	struct rx_prefix p[4];

	assert_int_equal(parse(&ibgp4, "18 c00002 10 ac10", NULL, NULL), WIRE_OK);
	assert_int_equal(u.withdrawn.count, 2);
	assert_int_equal(u.nlri.count, 0);
	assert_false(u.end_of_rib);
	assert_int_equal(u.attrs.present, 0);
	assert_int_equal(wt_decode(&u.withdrawn, p, NULL, 4), 2);
	assert_string_equal(wt_fmt(&p[0]), "192.0.2.0/24");
	assert_string_equal(wt_fmt(&p[1]), "172.16.0.0/16");
}

/* RFC 4724 2: End-of-RIB for IPv4 unicast is an UPDATE with nothing in it. */
static void test_eor_ipv4(void **state)
{
	assert_int_equal(parse(&ibgp4, NULL, NULL, NULL), WIRE_OK);
	assert_int_equal(body.n, 4);
	assert_true(u.end_of_rib);
	assert_int_equal(u.eor_afi, RX_AFI_IPV4);
	assert_int_equal(u.eor_safi, RX_SAFI_UNICAST);
}

/* ... and for other families an UPDATE holding only an empty MP_UNREACH. */
static void test_eor_ipv6(void **state)
{
	assert_int_equal(parse(&ibgp4, NULL, "80 0f 03 0002 01", NULL), WIRE_OK);
	assert_true(u.end_of_rib);
	assert_int_equal(u.eor_afi, RX_AFI_IPV6);
	assert_int_equal(u.eor_safi, RX_SAFI_UNICAST);
	assert_true(u.has_mp_unreach);
	assert_int_equal(u.mp_unreach.count, 0);
	/* An MP_UNREACH with a prefix is a withdrawal, not End-of-RIB. */
	assert_int_equal(parse(&ibgp4, NULL, A_MP_UNREACH6, NULL), WIRE_OK);
	assert_false(u.end_of_rib);
	assert_int_equal(u.mp_unreach.count, 1);
	assert_int_equal(u.mp_unreach.afi, RX_AFI_IPV6);
	/* Extended-length flag on the empty MP_UNREACH: still End-of-RIB. */
	assert_int_equal(parse(&ibgp4, NULL, "90 0f 0003 0001 02", NULL), WIRE_OK);
	assert_true(u.end_of_rib);
	assert_int_equal(u.eor_afi, RX_AFI_IPV4);
	assert_int_equal(u.eor_safi, RX_SAFI_MULTICAST);
}

/* Every attribute the codec decodes, in one iBGP UPDATE on a 4-octet-AS session. */
#define ALL_ATTRS                                                                                  \
	"40 01 01 01"						   /* ORIGIN EGP */                \
	"40 02 24 02 02 0000fde9 fa56ea01 01 02 00000064 000000c8" /* SEQ, SET */                  \
	"03 01 0000fc00 04 02 0000fc01 0000fc02"		   /* CONFED_SEQ, _SET */          \
	"40 03 04 c0000201"					   /* NEXT_HOP */                  \
	"80 04 04 00000064"					   /* MED 100 */                   \
	"40 05 04 000000c8"					   /* LOCAL_PREF 200 */            \
	"40 06 00"						   /* ATOMIC_AGGREGATE */          \
	"c0 07 08 fa56ea00 c6336401"				   /* AGGREGATOR */                \
	"c0 08 08 ffffff01 fde80001"				   /* COMMUNITIES */               \
	"80 09 04 0a000009"					   /* ORIGINATOR_ID */             \
	"80 0a 08 0a00000a 0a00000b"				   /* CLUSTER_LIST */              \
	"c0 10 08 0002fde800000064"				   /* EXT_COMMUNITIES */           \
	"c0 20 0c 0000fde9 00000001 00000002"			   /* LARGE_COMMUNITIES */         \
	"c0 23 04 0000fde9"					   /* OTC 65001 */                 \
	"c0 63 03 010203"					   /* unknown, transitive */       \
	"80 62 02 0405"						   /* unknown, non-trans. */

static void test_all_attributes(void **state)
{
	const struct wire_attrs *a = &u.attrs;

	assert_int_equal(parse(&ibgp4, NULL, ALL_ATTRS, N_ONE), WIRE_OK);
	assert_int_equal(a->origin, WIRE_ORIGIN_EGP);
	assert_string_equal(wt_path(a->aspath, a->aspath_len),
			    "65001 4200000001 {100 200} (64512) [64513 64514]");
	assert_int_equal(wire_aspath_length(a->aspath, a->aspath_len), 3);
	assert_memory_equal(a->nexthop, "\xc0\x00\x02\x01", 4);
	assert_true(WIRE_HAS(a, WIRE_ATTR_MED));
	assert_int_equal(a->med, 100);
	assert_true(WIRE_HAS(a, WIRE_ATTR_LOCAL_PREF));
	assert_int_equal(a->local_pref, 200);
	assert_true(a->atomic_aggregate);
	assert_true(WIRE_HAS(a, WIRE_ATTR_ATOMIC_AGGREGATE));
	assert_true(WIRE_HAS(a, WIRE_ATTR_AGGREGATOR));
	assert_int_equal(a->aggregator_as, 4200000000u);
	assert_memory_equal(a->aggregator_addr, "\xc6\x33\x64\x01", 4);
	assert_int_equal(a->communities_len, 8);
	assert_int_equal(wire_get32(a->communities), WIRE_COMM_NO_EXPORT);
	assert_int_equal(wire_get32(a->communities + 4), 0xfde80001);
	assert_true(WIRE_HAS(a, WIRE_ATTR_ORIGINATOR_ID));
	assert_int_equal(a->originator_id, 0x0a000009);
	assert_int_equal(a->cluster_list_len, 8);
	assert_memory_equal(a->cluster_list, "\x0a\x00\x00\x0a\x0a\x00\x00\x0b", 8);
	assert_int_equal(a->ext_communities_len, 8);
	assert_memory_equal(a->ext_communities, "\x00\x02\xfd\xe8\x00\x00\x00\x64", 8);
	assert_int_equal(a->large_communities_len, 12);
	assert_int_equal(wire_get32(a->large_communities), 65001);
	assert_int_equal(wire_get32(a->large_communities + 8), 2);
	assert_true(WIRE_HAS(a, WIRE_ATTR_OTC));
	assert_int_equal(a->otc, 65001);
	/* RFC 4271 5: an unrecognised optional transitive attribute is passed on with the
	 * Partial bit set; an unrecognised non-transitive one is quietly ignored. */
	assert_int_equal(a->unknown_len, 6);
	assert_memory_equal(a->unknown, "\xe0\x63\x03\x01\x02\x03", 6);
	assert_int_equal(u.nlri.count, 1);
}

/* Two unknown transitive attributes, one with the extended length flag and one already
 * Partial, stay in order; the low four flag bits are ignored on receipt (RFC 4271 4.3). */
static void test_unknown_attributes_kept(void **state)
{
	const struct wire_attrs *a = &u.attrs;

	assert_int_equal(parse(&ibgp4, NULL, A_BASE4 "e0 70 01 aa c0 71 02 bbcc", N_ONE), WIRE_OK);
	assert_int_equal(a->unknown_len, 4 + 5);
	assert_memory_equal(a->unknown, "\xe0\x70\x01\xaa\xe0\x71\x02\xbb\xcc", 9);
	/* RFC 4271 4.3: low flag bits are ignored on receipt and cleared on the copy that
	 * is passed on (they MUST be zero when sent). */
	assert_int_equal(parse(&ibgp4, NULL, A_BASE4 "cf 72 01 aa", N_ONE), WIRE_OK);
	assert_int_equal(a->unknown_len, 4);
	assert_memory_equal(a->unknown, "\xe0\x72\x01\xaa", 4);
	/* flags 0x4f: low bits set on ORIGIN; extended length on a short AS_PATH. */
	assert_int_equal(
	    parse(&ibgp4, NULL, "4f 01 01 02 50 02 000a 02 02 0000fde9 0000fdea" A_NEXTHOP, N_ONE),
	    WIRE_OK);
	assert_int_equal(a->origin, WIRE_ORIGIN_INCOMPLETE);
	assert_string_equal(wt_path(a->aspath, a->aspath_len), "65001 65002");
}

/* RFC 7606 3.g: of a repeated attribute (not MP_*) the first is kept, the rest dropped. */
static void test_duplicate_attribute_first_kept(void **state)
{
	enum wire_action act = parse(&ibgp4, NULL,
				     A_BASE4 "40 01 01 02 80 04 04 00000001"
					     "80 04 04 00000002",
				     N_ONE);
	assert_true(act <= WIRE_ATTR_DISCARD);
	assert_int_equal(u.attrs.origin, WIRE_ORIGIN_IGP);
	assert_int_equal(u.attrs.med, 1);
	assert_int_equal(u.nlri.count, 1);
	/* "recognized or not": a repeated unknown attribute is dropped too. */
	act = parse(&ibgp4, NULL, A_BASE4 "c0 63 01 aa c0 63 01 bb", N_ONE);
	assert_true(act <= WIRE_ATTR_DISCARD);
	assert_int_equal(u.attrs.unknown_len, 4);
	assert_memory_equal(u.attrs.unknown, "\xe0\x63\x01\xaa", 4);
}

/* 2-octet session: AS_PATH widened to the 4-octet form, 6-octet AGGREGATOR. */
static void test_two_octet_session(void **state)
{
	const struct wire_attrs *a = &u.attrs;

	assert_int_equal(parse(&ibgp2, NULL,
			       A_ORIGIN_IGP "40 02 0c 02 02 fde9 fdea 01 02 0064 00c8" A_NEXTHOP
					    "c0 07 06 fde8 c6336401",
			       N_ONE),
			 WIRE_OK);
	assert_int_equal(a->aspath_len, 2 + 8 + 2 + 8);
	assert_string_equal(wt_path(a->aspath, a->aspath_len), "65001 65002 {100 200}");
	assert_int_equal(a->aggregator_as, 65000);
	assert_memory_equal(a->aggregator_addr, "\xc6\x33\x64\x01", 4);
}

/* RFC 6793 4.2.3: AS_PATH 65001 AS_TRANS AS_TRANS 100 with AS4_PATH 4200000001 4200000002
 * 100 gives 65001 4200000001 4200000002 100. */
#define AS4_MERGE_PATH "40 02 0a 02 04 fde9 5ba0 5ba0 0064"
#define AS4_PATH3      "c0 11 0e 02 03 fa56ea01 fa56ea02 00000064"
static void test_as4_path_merge(void **state)
{
	const struct wire_attrs *a = &u.attrs;

	assert_int_equal(
	    parse(&ibgp2, NULL, A_ORIGIN_IGP AS4_MERGE_PATH A_NEXTHOP AS4_PATH3, N_ONE), WIRE_OK);
	assert_string_equal(wt_path(a->aspath, a->aspath_len), "65001 4200000001 4200000002 100");
	assert_int_equal(wire_aspath_length(a->aspath, a->aspath_len), 4);
	assert_int_equal(wire_aspath_origin_as(a->aspath, a->aspath_len), 100);
	assert_int_equal(wire_aspath_first_as(a->aspath, a->aspath_len), 65001);
	/* The raw AS4_PATH stays visible for MRT printing. */
	assert_int_equal(a->as4_path_len, 14);
}

/* Merging keeps a leading AS_SET from AS_PATH: 2-octet {1 2} 3 T, AS4_PATH 3 4200000003. */
static void test_as4_path_merge_with_set(void **state)
{
	const struct wire_attrs *a = &u.attrs;

	assert_int_equal(parse(&ibgp2, NULL,
			       A_ORIGIN_IGP "40 02 0c 01 02 0001 0002 02 02 0003 5ba0" A_NEXTHOP
					    "c0 11 0a 02 02 00000003 fa56ea03",
			       N_ONE),
			 WIRE_OK);
	assert_string_equal(wt_path(a->aspath, a->aspath_len), "{1 2} 3 4200000003");
}

/* RFC 6793 4.2.3: a leading AS_CONFED segment is kept even when every AS comes from
 * AS4_PATH (found by fuzz_wire: the confederation segment was lost). */
static void test_as4_path_merge_keeps_confed(void **state)
{
	const struct wire_attrs *a = &u.attrs;

	assert_int_equal(parse(&ibgp2, NULL,
			       A_ORIGIN_IGP "40 02 0a 03 01 fc00 02 02 fde9 5ba0" A_NEXTHOP
					    "c0 11 0a 02 02 0000fde9 fa56ea01",
			       N_ONE),
			 WIRE_OK);
	assert_string_equal(wt_path(a->aspath, a->aspath_len), "(64512) 65001 4200000001");
	/* ... and when some ASes come from AS_PATH too. */
	assert_int_equal(parse(&ibgp2, NULL,
			       A_ORIGIN_IGP "40 02 0c 03 01 fc00 02 03 0064 fde9 5ba0" A_NEXTHOP
					    "c0 11 0a 02 02 0000fde9 fa56ea01",
			       N_ONE),
			 WIRE_OK);
	assert_string_equal(wt_path(a->aspath, a->aspath_len), "(64512) 100 65001 4200000001");
}

/* RFC 6793 4.2.3: AS4_PATH longer than AS_PATH is ignored. */
static void test_as4_path_longer_ignored(void **state)
{
	const struct wire_attrs *a = &u.attrs;

	assert_true(parse(&ibgp2, NULL, A_BASE2 AS4_PATH3, N_ONE) <= WIRE_ATTR_DISCARD);
	assert_string_equal(wt_path(a->aspath, a->aspath_len), "65001 65002");
	assert_int_equal(u.nlri.count, 1);
}

/* RFC 6793 4.2.3: AGGREGATOR holding a real AS (not AS_TRANS) means AS4_AGGREGATOR and
 * AS4_PATH are both ignored. */
static void test_as4_ignored_when_aggregator_not_trans(void **state)
{
	const struct wire_attrs *a = &u.attrs;

	assert_true(parse(&ibgp2, NULL,
			  A_ORIGIN_IGP AS4_MERGE_PATH A_NEXTHOP "c0 07 06 fde8 c6336401" AS4_PATH3
								"c0 12 08 fa56ea00 0a000001",
			  N_ONE) <= WIRE_ATTR_DISCARD);
	assert_int_equal(a->aggregator_as, 65000);
	assert_memory_equal(a->aggregator_addr, "\xc6\x33\x64\x01", 4);
	assert_string_equal(wt_path(a->aspath, a->aspath_len), "65001 23456 23456 100");
}

/* AGGREGATOR with AS_TRANS plus AS4_AGGREGATOR gives the 4-octet aggregator. */
static void test_as4_aggregator_merge(void **state)
{
	const struct wire_attrs *a = &u.attrs;

	assert_int_equal(
	    parse(&ibgp2, NULL, A_BASE2 "c0 07 06 5ba0 c6336401 c0 12 08 fa56ea00 c6336402", N_ONE),
	    WIRE_OK);
	assert_int_equal(a->aggregator_as, 4200000000u);
	assert_memory_equal(a->aggregator_addr, "\xc6\x33\x64\x02", 4);
}

/* RFC 6793 4.1: between two 4-octet speakers AS4_PATH is not used (it is discarded). */
static void test_as4_path_ignored_on_as4_session(void **state)
{
	const struct wire_attrs *a = &u.attrs;

	assert_true(parse(&ibgp4, NULL, A_BASE4 "c0 11 06 02 01 fa56ea01", N_ONE) <=
		    WIRE_ATTR_DISCARD);
	assert_string_equal(wt_path(a->aspath, a->aspath_len), "65001 65002");
}

/* RFC 4760 3: IPv6 unicast in MP_REACH, no NEXT_HOP attribute needed; 32-octet next hop
 * (global + link-local, RFC 2545 3). */
static void test_mp_reach_ipv6(void **state)
{
	struct rx_prefix p[4];

	assert_int_equal(parse(&ibgp4, NULL,
			       "90 0e 0032 0002 01 20 20010db8000000000000000000000001"
			       "fe800000000000000000000000000001 00"
			       "20 20010db8 30 20010db80001 00" A_ORIGIN_IGP A_ASPATH4,
			       NULL),
			 WIRE_OK);
	assert_true(u.has_mp_reach);
	assert_int_equal(u.mp_reach.afi, RX_AFI_IPV6);
	assert_int_equal(u.mp_reach.safi, RX_SAFI_UNICAST);
	assert_true(u.mp_reach.known);
	assert_int_equal(u.mp_reach.count, 3);
	assert_int_equal(u.mp_nexthop_len, 32);
	assert_memory_equal(u.mp_nexthop + 16, "\xfe\x80", 2);
	assert_int_equal(u.mp_nexthop[15], 1);
	assert_int_equal(wt_decode(&u.mp_reach, p, NULL, 4), 3);
	assert_string_equal(wt_fmt(&p[0]), "2001:db8::/32");
	assert_string_equal(wt_fmt(&p[1]), "2001:db8:1::/48");
	assert_string_equal(wt_fmt(&p[2]), "::/0");
	assert_int_equal(u.nlri.count, 0);
}

/* RFC 4760: MP_REACH and MP_UNREACH together (receivers accept any combination, RFC 7606
 * 5.1), and IPv4 unicast carried in MP_REACH. */
static void test_mp_reach_and_unreach(void **state)
{
	struct rx_prefix p;

	assert_int_equal(
	    parse(&ibgp4, NULL, A_MP_UNREACH6 A_MP_REACH6 A_ORIGIN_IGP A_ASPATH4, NULL), WIRE_OK);
	assert_int_equal(u.mp_reach.count, 1);
	assert_int_equal(u.mp_unreach.count, 1);
	assert_int_equal(wt_decode(&u.mp_unreach, &p, NULL, 1), 1);
	assert_string_equal(wt_fmt(&p), "2001:db8:2::/48");

	assert_int_equal(parse(&ibgp4, NULL,
			       "80 0e 0d 0001 01 04 c0000202 00 18 c63364" A_ORIGIN_IGP A_ASPATH4,
			       NULL),
			 WIRE_OK);
	assert_int_equal(u.mp_reach.afi, RX_AFI_IPV4);
	assert_int_equal(u.mp_nexthop_len, 4);
	assert_int_equal(wt_decode(&u.mp_reach, &p, NULL, 1), 1);
	assert_string_equal(wt_fmt(&p), "198.51.100.0/24");
}

/* RFC 4760 3: an UPDATE whose only NLRI is in MP_REACH SHOULD NOT carry NEXT_HOP, and the
 * receiver SHOULD ignore it: whatever it holds cannot withdraw the MP routes. */
static void test_mp_reach_ignores_next_hop(void **state)
{
	static const char *const bad_nh[] = {"40 03 04 00000000", "40 03 04 e0000001",
					     "40 03 05 c000020100", "40 03 00"};

	for (size_t i = 0; i < sizeof(bad_nh) / sizeof(bad_nh[0]); i++) {
		struct wt_buf a = {0};
		wt_hex(&a, A_MP_REACH6 A_ORIGIN_IGP A_ASPATH4);
		wt_hex(&a, bad_nh[i]);
		wt_update(&body, NULL, 0, a.b, a.n, NULL, 0);
		assert_true(wt_parse(&body, &ibgp4, &u) <= WIRE_ATTR_DISCARD);
		assert_int_equal(u.mp_reach.count, 1);
	}
}

/* RFC 4271 6.3: a semantically wrong NEXT_HOP SHOULD NOT cause a NOTIFICATION, and with
 * only withdrawals it concerns no route at all. */
static void test_withdraw_with_bad_next_hop(void **state)
{
	assert_int_not_equal(parse(&ibgp4, N_ONE, A_ORIGIN_IGP A_ASPATH4 "40 03 04 00000000", NULL),
			     WIRE_SESSION_RESET);
	assert_int_equal(u.withdrawn.count, 1);
	/* With IPv4 NLRI it still makes the routes unusable (treat-as-withdraw). */
	assert_int_equal(parse(&ibgp4, NULL, A_ORIGIN_IGP A_ASPATH4 "40 03 04 00000000", N_ONE),
			 WIRE_TREAT_AS_WITHDRAW);
}

/* A 2-octet AS_PATH of more than 32,767 octets (possible with RFC 8654 extended messages)
 * widens past the 16-bit aspath_len: it must never come out truncated. */
static void test_two_octet_path_too_long_to_widen(void **state)
{
	static struct wt_buf a, seg;
	struct wire_ctx ctx = {.as4 = false, .ext_msg = true};

	seg.n = 0;
	for (int s = 0; s < 65; s++) { /* 65 * (2 + 255 * 2) = 33280 octets, 66430 widened */
		wt_u8(&seg, WIRE_AS_SEQUENCE);
		wt_u8(&seg, 255);
		for (int k = 0; k < 255; k++)
			wt_u16(&seg, 65000 + (unsigned)(k % 100));
	}
	a.n = 0;
	wt_hex(&a, A_ORIGIN_IGP);
	wt_attr(&a, 0x50, WIRE_ATTR_AS_PATH, seg.b, seg.n);
	wt_hex(&a, A_NEXTHOP);
	wt_update(&body, NULL, 0, a.b, a.n, (const uint8_t *)"\x18\xc0\x00\x02", 4);
	enum wire_action act = wt_parse(&body, &ctx, &u);
	if (act == WIRE_OK) {
		assert_int_equal(u.attrs.aspath_len, 65 * (2 + 255 * 4));
		assert_int_equal(wire_aspath_length(u.attrs.aspath, u.attrs.aspath_len), 65 * 255);
	} else {
		assert_int_equal(act, WIRE_TREAT_AS_WITHDRAW);
		assert_int_equal(u.nlri.count, 1);
	}
}

/* A family the codec does not know (IPv4 VPN, SAFI 128) is not a session error. */
static void test_mp_reach_unknown_family(void **state)
{
	assert_true(
	    parse(&ibgp4, NULL,
		  "80 0e 12 0001 80 0c 0000000000000000c0000202 00 00" A_ORIGIN_IGP A_ASPATH4,
		  NULL) != WIRE_SESSION_RESET);
	assert_true(u.has_mp_reach);
	assert_false(u.mp_reach.known);
}

/* RFC 7911 3: with ADD-PATH each prefix is preceded by a 4-octet path identifier. */
static void test_addpath_ipv4(void **state)
{
	struct wire_ctx ctx = {.as4 = true, .addpath_rx = RX_FAM_BIT(RX_FAM_IPV4_UNICAST)};
	struct rx_prefix p[3];
	uint32_t ids[3];
	struct wire_nlri_iter it;
	uint32_t id;

	assert_int_equal(parse(&ctx, "00000009 10 ac10", A_BASE4,
			       "00000001 18 c00002 00000002 18 c00002 ffffffff 00"),
			 WIRE_OK);
	assert_true(u.nlri.addpath);
	assert_int_equal(u.nlri.count, 3);
	assert_int_equal(u.withdrawn.count, 1);
	assert_int_equal(wt_decode(&u.nlri, p, ids, 3), 3);
	assert_int_equal(ids[0], 1);
	assert_int_equal(ids[1], 2);
	assert_int_equal(ids[2], 0xffffffff);
	assert_true(rx_prefix_equal(&p[0], &p[1]));
	assert_string_equal(wt_fmt(&p[2]), "0.0.0.0/0");
	wire_nlri_iter_init(&it, &u.withdrawn);
	assert_true(wire_nlri_next(&it, &p[0], &id));
	assert_int_equal(id, 9);
	/* The same NLRI without ADD-PATH negotiated reads 0/0 0/0 0/0 0x18/1 then a length
	 * octet of 0xc0 > 32: RFC 7606 5.3, session reset. */
	assert_int_equal(parse(&ibgp4, NULL, A_BASE4, "00000001 18 c00002"), WIRE_SESSION_RESET);
}

static void test_addpath_ipv6_mp(void **state)
{
	struct wire_ctx ctx = {.as4 = true, .addpath_rx = RX_FAM_BIT(RX_FAM_IPV6_UNICAST)};
	struct rx_prefix p;
	uint32_t id;

	assert_int_equal(parse(&ctx, NULL,
			       "90 0e 0020 0002 01 10 20010db8000000000000000000000001 00"
			       "00000007 30 20010db80001" A_ORIGIN_IGP A_ASPATH4,
			       NULL),
			 WIRE_OK);
	assert_true(u.mp_reach.addpath);
	assert_int_equal(u.mp_reach.count, 1);
	assert_int_equal(wt_decode(&u.mp_reach, &p, &id, 1), 1);
	assert_int_equal(id, 7);
	assert_string_equal(wt_fmt(&p), "2001:db8:1::/48");
}

/* ---- wire_nlri_check on its own ---- */

static void test_nlri_check(void **state)
{
	struct wire_nlri n;
	static const uint8_t v6[] = {0x80, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
				     0,	   0,	 0,    0,    0,	   0, 0, 1};

	assert_true(wire_nlri_check(v6, sizeof(v6), RX_AFI_IPV6, RX_SAFI_UNICAST, false, &n));
	assert_int_equal(n.count, 1);
	assert_false(wire_nlri_check(v6, sizeof(v6) - 1, RX_AFI_IPV6, RX_SAFI_UNICAST, false, &n));
	/* /128 is fine for IPv6, /33 (0x21) never for IPv4. */
	assert_false(wire_nlri_check((const uint8_t *)"\x21\x0a\x00\x00\x00\x01", 6, RX_AFI_IPV4,
				     RX_SAFI_UNICAST, false, &n));
	assert_true(
	    wire_nlri_check((const uint8_t *)"", 0, RX_AFI_IPV4, RX_SAFI_UNICAST, false, &n));
	assert_int_equal(n.count, 0);
}

/* ---- AS path helpers (4-octet segment form) ---- */

static void test_aspath_helpers(void **state)
{
	struct wt_buf p = {0};
	uint8_t out[256];

	/* CONFED_SEQ 64512, SEQ 65001 65002, SET {100 200}. */
	wt_hex(&p, "03 01 0000fc00 02 02 0000fde9 0000fdea 01 02 00000064 000000c8");
	assert_int_equal(wire_aspath_length(p.b, p.n), 3);
	assert_int_equal(wire_aspath_first_as(p.b, p.n), 65001);
	assert_int_equal(wire_aspath_origin_as(p.b, p.n), 0); /* ends in a set */
	assert_true(wire_aspath_contains(p.b, p.n, 200));
	assert_true(wire_aspath_contains(p.b, p.n, 64512));
	assert_false(wire_aspath_contains(p.b, p.n, 65003));
	assert_int_equal(wire_aspath_length(NULL, 0), 0);
	assert_int_equal(wire_aspath_first_as(NULL, 0), 0);
	p.n = 0;
	wt_hex(&p, "02 02 0000fde9 0000fdea 01 02 00000064 000000c8");

	size_t n = wire_aspath_prepend(p.b, p.n, 65515, 2, out, sizeof(out));
	assert_true(n > 0);
	assert_string_equal(wt_path(out, n), "65515 65515 65001 65002 {100 200}");
	assert_int_equal(wire_aspath_length(out, n), 5);
	assert_int_equal(wire_aspath_first_as(out, n), 65515);
	assert_int_equal(wire_aspath_prepend(p.b, p.n, 65515, 2, out, 8), 0);

	/* Prepending to an empty path, and to a path starting with a set. */
	n = wire_aspath_prepend(NULL, 0, 65515, 1, out, sizeof(out));
	assert_int_equal(n, 6);
	assert_memory_equal(out, "\x02\x01\x00\x00\xff\xeb", 6);
	p.n = 0;
	wt_hex(&p, "01 01 00000064");
	n = wire_aspath_prepend(p.b, p.n, 65515, 1, out, sizeof(out));
	assert_string_equal(wt_path(out, n), "65515 {100}");
	assert_int_equal(wire_aspath_origin_as(out, n), 0);
}

/* 255 prepends do not fit one segment: a segment holds at most 255 ASes. */
static void test_aspath_prepend_long(void **state)
{
	struct wt_buf p = {0};
	static uint8_t out[4096];

	wt_hex(&p, "02 01 0000fde9");
	size_t n = wire_aspath_prepend(p.b, p.n, 65515, 300, out, sizeof(out));
	assert_true(n > 0);
	assert_int_equal(wire_aspath_length(out, n), 301);
	assert_int_equal(wire_aspath_origin_as(out, n), 65001);
	assert_string_not_equal(wt_path(out, n), "MALFORMED");
	for (size_t i = 0; i < n; i += 2 + (size_t)out[i + 1] * 4)
		assert_true(out[i + 1] >= 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ipv4_announce),
	    cmocka_unit_test(test_nlri_host_bits),
	    cmocka_unit_test(test_withdraw_only),
	    cmocka_unit_test(test_eor_ipv4),
	    cmocka_unit_test(test_eor_ipv6),
	    cmocka_unit_test(test_all_attributes),
	    cmocka_unit_test(test_unknown_attributes_kept),
	    cmocka_unit_test(test_duplicate_attribute_first_kept),
	    cmocka_unit_test(test_two_octet_session),
	    cmocka_unit_test(test_as4_path_merge),
	    cmocka_unit_test(test_as4_path_merge_with_set),
	    cmocka_unit_test(test_as4_path_merge_keeps_confed),
	    cmocka_unit_test(test_as4_path_longer_ignored),
	    cmocka_unit_test(test_as4_ignored_when_aggregator_not_trans),
	    cmocka_unit_test(test_as4_aggregator_merge),
	    cmocka_unit_test(test_as4_path_ignored_on_as4_session),
	    cmocka_unit_test(test_mp_reach_ipv6),
	    cmocka_unit_test(test_mp_reach_and_unreach),
	    cmocka_unit_test(test_mp_reach_unknown_family),
	    cmocka_unit_test(test_mp_reach_ignores_next_hop),
	    cmocka_unit_test(test_withdraw_with_bad_next_hop),
	    cmocka_unit_test(test_two_octet_path_too_long_to_widen),
	    cmocka_unit_test(test_addpath_ipv4),
	    cmocka_unit_test(test_addpath_ipv6_mp),
	    cmocka_unit_test(test_nlri_check),
	    cmocka_unit_test(test_aspath_helpers),
	    cmocka_unit_test(test_aspath_prepend_long),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
