/* test_malformed.c: malformed UPDATE messages, each with the action RFC 7606 (or RFC 4271
 * section 6.3 where RFC 7606 leaves it) requires, and for session resets the NOTIFICATION
 * code and subcode.
 *
 * The cases are a table: WRL / attributes / NLRI as hex (lengths computed), or a raw body
 * when the length fields themselves are the error. Each case names the rule it checks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "wtest.h"
#include "wtest_attrs.h"

enum { C_AS4 = 1, C_EBGP = 2, C_ADDPATH = 4 };

struct mcase {
	const char *name; /* the rule, with its RFC section */
	unsigned ctx;	  /* C_* bits */
	const char *wd, *attrs, *nlri;
	const char *raw; /* whole body when non-NULL */
	enum wire_action action;
	uint8_t code, subcode; /* checked for resets; subcode 0: not specified by the RFC */
	uint8_t attr_type;     /* attribute concerned, checked when non-zero */
	int nlri_count;	       /* NLRI prefixes still located (treat-as-withdraw), -1: skip */
	uint64_t absent;       /* WIRE_ATTR_BIT()s that must not be present afterwards */
};

#define RESET(c, s) WIRE_SESSION_RESET, c, s
#define TAW	    WIRE_TREAT_AS_WITHDRAW, 0, 0
#define DISCARD	    WIRE_ATTR_DISCARD, 0, 0
#define OK	    WIRE_OK, 0, 0
#define B(t)	    WIRE_ATTR_BIT(t)

/* A 2-segment AS4 path with one bad byte region is spelled out per case below. */
static const struct mcase cases[] = {
    /* ---- RFC 4271 6.3 / RFC 7606 3.b: lengths that hide the NLRI: reset 3/1 ---- */
    {"WRL beyond the body", C_AS4, .raw = "0010 0000", RESET(3, 1), 0, -1, 0},
    {"TAL beyond the body", C_AS4, .raw = "0000 0030 40010100", RESET(3, 1), 0, -1, 0},
    {"WRL+TAL beyond the body", C_AS4, .raw = "0002 0000 0002 40", RESET(3, 1), 0, -1, 0},
    {"body too short for TAL", C_AS4, .raw = "0000 00", RESET(3, 0), 0, -1, 0},
    /* ---- RFC 7606 3.i, 3.j, 5.3: NLRI / withdrawn syntax: reset 3/10 ---- */
    {"NLRI prefix length 33", C_AS4, NULL, A_BASE4, "21 c0000201 00", NULL, RESET(3, 10), 0, -1, 0},
    {"NLRI last prefix overruns", C_AS4, NULL, A_BASE4, N_ONE "18 c000", NULL, RESET(3, 10), 0, -1,
     0},
    {"withdrawn prefix length 33", C_AS4, "21 c0000201 00", NULL, NULL, NULL, RESET(3, 0), 0, -1,
     0},
    {"withdrawn prefix overruns", C_AS4, "18 c0", NULL, NULL, NULL, RESET(3, 0), 0, -1, 0},
    {"ADD-PATH NLRI cut in the path id", C_AS4 | C_ADDPATH, NULL, A_BASE4,
     "00000001 18 c00002 0000", NULL, RESET(3, 10), 0, -1, 0},
    {"MP_REACH IPv6 prefix length 129", C_AS4, NULL,
     "90 0e 001c 0002 01 10 20010db8000000000000000000000001 00 81 20010db80001" A_ORIGIN_IGP
	 A_ASPATH4,
     NULL, NULL, RESET(3, 0), 0, -1, 0},
    {"MP_REACH NLRI overruns the attribute", C_AS4, NULL,
     "90 0e 001c 0002 01 10 20010db8000000000000000000000001 00 40 20010db80001" A_ORIGIN_IGP
	 A_ASPATH4,
     NULL, NULL, RESET(3, 0), 0, -1, 0},
    {"MP_UNREACH NLRI overruns the attribute", C_AS4, NULL, "90 0f 0008 0002 01 30 20010db8", NULL,
     NULL, RESET(3, 0), 0, -1, 0},
    /* ---- RFC 7606 7.11, 7.12, 5.3: MP attribute framing: reset ---- */
    {"MP_REACH IPv6 next hop length 5", C_AS4, NULL,
     "90 0e 0011 0002 01 05 20010db800 00 30 20010db80001" A_ORIGIN_IGP A_ASPATH4, NULL, NULL,
     RESET(3, 0), 0, -1, 0},
    {"MP_REACH next hop beyond the attribute", C_AS4, NULL,
     "90 0e 0008 0002 01 10 20010db8" A_ORIGIN_IGP A_ASPATH4, NULL, NULL, RESET(3, 0), 0, -1, 0},
    {"MP_REACH length 4", C_AS4, NULL, "80 0e 04 0002 01 00" A_ORIGIN_IGP A_ASPATH4, NULL, NULL,
     RESET(3, 0), 0, -1, 0},
    {"MP_UNREACH length 2", C_AS4, NULL, "80 0f 02 0002", NULL, NULL, RESET(3, 0), 0, -1, 0},
    {"MP_REACH flags well-known", C_AS4, NULL,
     "40 0e 1c 0002 01 10 20010db8000000000000000000000001 00 30 20010db80001" A_ORIGIN_IGP
	 A_ASPATH4,
     NULL, NULL, RESET(3, 0), 0, -1, 0},
    /* ---- RFC 4271 6.3, RFC 2545 3: unusable IPv6 next hop: treat-as-withdraw ---- */
    {"MP_REACH IPv6 next hop ::", C_AS4, NULL,
     "90 0e 001c 0002 01 10 00000000000000000000000000000000 00 30 20010db80001" A_ORIGIN_IGP
	 A_ASPATH4,
     NULL, NULL, TAW, 14, 0, 0},
    {"MP_REACH IPv6 next hop multicast", C_AS4, NULL,
     "90 0e 001c 0002 01 10 ff020000000000000000000000000001 00 30 20010db80001" A_ORIGIN_IGP
	 A_ASPATH4,
     NULL, NULL, TAW, 14, 0, 0},
    {"MP_REACH IPv6 next hop link-local alone", C_AS4, NULL,
     "90 0e 001c 0002 01 10 fe800000000000000000000000000001 00 30 20010db80001" A_ORIGIN_IGP
	 A_ASPATH4,
     NULL, NULL, TAW, 14, 0, 0},
    {"MP_REACH IPv6 next hop IPv4-mapped", C_AS4, NULL,
     "90 0e 001c 0002 01 10 00000000000000000000ffff0afe0004 00 30 20010db80001" A_ORIGIN_IGP
	 A_ASPATH4,
     NULL, NULL, TAW, 14, 0, 0},
    {"MP_REACH IPv6 global + link-local next hop", C_AS4, NULL,
     "90 0e 002c 0002 01 20 20010db8000000000000000000000001 fe800000000000000000000000000001 00"
     " 30 20010db80001" A_ORIGIN_IGP A_ASPATH4,
     NULL, NULL, OK, 0, 0, 0},
    /* ---- RFC 7606 3.g: duplicate MP_REACH / MP_UNREACH: reset 3/1 ---- */
    {"duplicate MP_REACH", C_AS4, NULL, A_MP_REACH6 A_MP_REACH6 A_ORIGIN_IGP A_ASPATH4, NULL, NULL,
     RESET(3, 1), 0, -1, 0},
    {"duplicate MP_UNREACH", C_AS4, NULL, A_MP_UNREACH6 A_MP_UNREACH6, NULL, NULL, RESET(3, 1), 0,
     -1, 0},
    /* ---- RFC 4271 6.3: unrecognised well-known attribute: 3/2 ---- */
    {"unrecognised well-known attribute", C_AS4, NULL, A_BASE4 "40 64 01 00", N_ONE, NULL,
     RESET(3, 2), 100, -1, 0},
    /* ---- RFC 7606 3.d: missing well-known mandatory: treat-as-withdraw ---- */
    {"ORIGIN missing", C_AS4, NULL, A_ASPATH4 A_NEXTHOP, N_ONE, NULL, TAW, 1, 1, 0},
    {"AS_PATH missing", C_AS4, NULL, A_ORIGIN_IGP A_NEXTHOP, N_ONE, NULL, TAW, 2, 1, 0},
    {"NEXT_HOP missing with IPv4 NLRI", C_AS4, NULL, A_ORIGIN_IGP A_ASPATH4, N_TWO, NULL, TAW, 3, 2,
     0},
    {"NEXT_HOP missing with IPv4 NLRI beside MP_REACH", C_AS4, NULL,
     A_MP_REACH6 A_ORIGIN_IGP A_ASPATH4, N_ONE, NULL, TAW, 3, 1, 0},
    {"NEXT_HOP not needed with only MP_REACH", C_AS4, NULL, A_MP_REACH6 A_ORIGIN_IGP A_ASPATH4,
     NULL, NULL, OK, 0, 0, 0},
    {"ORIGIN missing with only MP_REACH", C_AS4, NULL, A_MP_REACH6 A_ASPATH4, NULL, NULL, TAW, 1, 0,
     0},
    {"nothing mandatory with only withdrawals", C_AS4, N_TWO, NULL, NULL, NULL, OK, 0, 0, 0},
    /* ---- RFC 7606 3.c: Optional/Transitive flag conflicts ---- */
    {"ORIGIN flagged optional", C_AS4, NULL, "c0 01 01 00" A_ASPATH4 A_NEXTHOP, N_ONE, NULL, TAW, 1,
     1, 0},
    {"AS_PATH flagged optional", C_AS4, NULL,
     A_ORIGIN_IGP "c0 02 0a 02 02 0000fde9 0000fdea" A_NEXTHOP, N_ONE, NULL, TAW, 2, 1, 0},
    {"NEXT_HOP flagged non-transitive", C_AS4, NULL, A_ORIGIN_IGP A_ASPATH4 "00 03 04 c0000201",
     N_ONE, NULL, TAW, 3, 1, 0},
    {"MED flagged well-known", C_AS4, NULL, A_BASE4 "40 04 04 00000001", N_ONE, NULL, TAW, 4, 1, 0},
    {"COMMUNITIES flagged well-known", C_AS4, NULL, A_BASE4 "40 08 04 fde80001", N_ONE, NULL, TAW,
     8, 1, 0},
    {"ATOMIC_AGGREGATE flagged optional", C_AS4, NULL, A_BASE4 "c0 06 00", N_ONE, NULL, DISCARD, 6,
     1, B(6)},
    {"AGGREGATOR flagged well-known", C_AS4, NULL, A_BASE4 "40 07 08 0000fde8 0a000001", N_ONE,
     NULL, DISCARD, 7, 1, B(7)},
    /* ---- RFC 7606 7.x: wrong length of fixed-length attributes ---- */
    {"ORIGIN length 2", C_AS4, NULL, "40 01 02 0000" A_ASPATH4 A_NEXTHOP, N_ONE, NULL, TAW, 1, 1,
     0},
    {"ORIGIN length 0", C_AS4, NULL, "40 01 00" A_ASPATH4 A_NEXTHOP, N_ONE, NULL, TAW, 1, 1, 0},
    {"ORIGIN value 3", C_AS4, NULL, "40 01 01 03" A_ASPATH4 A_NEXTHOP, N_ONE, NULL, TAW, 1, 1, 0},
    {"NEXT_HOP length 5", C_AS4, NULL, A_ORIGIN_IGP A_ASPATH4 "40 03 05 c000020100", N_ONE, NULL,
     TAW, 3, 1, 0},
    {"NEXT_HOP length 0", C_AS4, NULL, A_ORIGIN_IGP A_ASPATH4 "40 03 00", N_ONE, NULL, TAW, 3, 1,
     0},
    {"MED length 3", C_AS4, NULL, A_BASE4 "80 04 03 000001", N_ONE, NULL, TAW, 4, 1, 0},
    {"LOCAL_PREF length 5 (iBGP)", C_AS4, NULL, A_BASE4 "40 05 05 0000006400", N_ONE, NULL, TAW, 5,
     1, 0},
    {"ATOMIC_AGGREGATE length 1", C_AS4, NULL, A_BASE4 "40 06 01 00", N_ONE, NULL, DISCARD, 6, 1,
     B(6)},
    {"AGGREGATOR length 6 on a 4-octet session", C_AS4, NULL, A_BASE4 "c0 07 06 fde8 0a000001",
     N_ONE, NULL, DISCARD, 7, 1, B(7)},
    {"AGGREGATOR length 8 on a 2-octet session", 0, NULL, A_BASE2 "c0 07 08 0000fde8 0a000001",
     N_ONE, NULL, DISCARD, 7, 1, B(7)},
    {"ORIGINATOR_ID length 5 (iBGP)", C_AS4, NULL, A_BASE4 "80 09 05 0a00000100", N_ONE, NULL, TAW,
     9, 1, 0},
    {"CLUSTER_LIST length 6 (iBGP)", C_AS4, NULL, A_BASE4 "80 0a 06 0a0000010a00", N_ONE, NULL, TAW,
     10, 1, 0},
    {"CLUSTER_LIST length 0 (iBGP)", C_AS4, NULL, A_BASE4 "80 0a 00", N_ONE, NULL, TAW, 10, 1, 0},
    {"OTC length 3", C_AS4, NULL, A_BASE4 "c0 23 03 00fde9", N_ONE, NULL, TAW, 35, 1, 0},
    {"AS4_AGGREGATOR length 6 (RFC 6793 6: discard)", 0, NULL,
     A_BASE2 "c0 07 06 5ba0 0a000001 c0 12 06 fa56 0a000001", N_ONE, NULL, DISCARD, 18, 1, 0},
    /* ---- RFC 7606 7.8, 7.14, RFC 8092: community lists ---- */
    {"COMMUNITIES length 6", C_AS4, NULL, A_BASE4 "c0 08 06 fde80001 0001", N_ONE, NULL, TAW, 8, 1,
     0},
    {"COMMUNITIES length 0", C_AS4, NULL, A_BASE4 "c0 08 00", N_ONE, NULL, TAW, 8, 1, 0},
    {"EXT_COMMUNITIES length 12", C_AS4, NULL, A_BASE4 "c0 10 0c 0002fde800000064 00000000", N_ONE,
     NULL, TAW, 16, 1, 0},
    {"LARGE_COMMUNITIES length 8", C_AS4, NULL, A_BASE4 "c0 20 08 0000fde9 00000001", N_ONE, NULL,
     TAW, 32, 1, 0},
    /* ---- RFC 7606 7.2, RFC 7607: AS_PATH ---- */
    {"AS_PATH segment overrun", C_AS4, NULL, A_ORIGIN_IGP "40 02 06 02 02 0000fde9" A_NEXTHOP,
     N_ONE, NULL, TAW, 2, 1, 0},
    {"AS_PATH segment underrun (trailing octet)", C_AS4, NULL,
     A_ORIGIN_IGP "40 02 07 02 01 0000fde9 00" A_NEXTHOP, N_ONE, NULL, TAW, 2, 1, 0},
    {"AS_PATH zero-length segment", C_AS4, NULL,
     A_ORIGIN_IGP "40 02 08 02 00 02 01 0000fde9" A_NEXTHOP, N_ONE, NULL, TAW, 2, 1, 0},
    {"AS_PATH segment type 5", C_AS4, NULL, A_ORIGIN_IGP "40 02 06 05 01 0000fde9" A_NEXTHOP, N_ONE,
     NULL, TAW, 2, 1, 0},
    {"AS_PATH segment type 0", C_AS4, NULL, A_ORIGIN_IGP "40 02 06 00 01 0000fde9" A_NEXTHOP, N_ONE,
     NULL, TAW, 2, 1, 0},
    {"AS_PATH 2-octet form on a 4-octet session", C_AS4, NULL, A_BASE2, N_ONE, NULL, TAW, 2, 1, 0},
    {"AS_PATH holding AS 0 (RFC 7607)", C_AS4, NULL,
     A_ORIGIN_IGP "40 02 0a 02 02 0000fde9 00000000" A_NEXTHOP, N_ONE, NULL, TAW, 2, 1, 0},
    {"AS_PATH holding AS 0, 2-octet session", 0, NULL,
     A_ORIGIN_IGP "40 02 06 02 02 fde9 0000" A_NEXTHOP, N_ONE, NULL, TAW, 2, 1, 0},
    /* RFC 5065 5: confederation segments from a peer outside the confederation make the
     * AS_PATH malformed (RFC 7606 7.2: treat-as-withdraw). iBGP may carry them. */
    {"AS_CONFED_SEQUENCE from eBGP", C_AS4 | C_EBGP, NULL,
     A_ORIGIN_IGP "40 02 10 03 01 0000fc00 02 02 0000fde9 0000fdea" A_NEXTHOP, N_ONE, NULL, TAW,
     2, 1, 0},
    {"AS_CONFED_SET from eBGP", C_AS4 | C_EBGP, NULL,
     A_ORIGIN_IGP "40 02 10 04 01 0000fc00 02 02 0000fde9 0000fdea" A_NEXTHOP, N_ONE, NULL, TAW,
     2, 1, 0},
    {"AS_CONFED_SEQUENCE from iBGP is fine", C_AS4, NULL,
     A_ORIGIN_IGP "40 02 10 03 01 0000fc00 02 02 0000fde9 0000fdea" A_NEXTHOP, N_ONE, NULL, OK, 0,
     1, 0},
    {"AGGREGATOR AS 0 (RFC 7607 + 7606 7.7)", C_AS4, NULL, A_BASE4 "c0 07 08 00000000 0a000001",
     N_ONE, NULL, DISCARD, 7, 1, B(7)},
    {"AS4_PATH malformed (RFC 6793 6: discard)", 0, NULL, A_BASE2 "c0 11 06 02 02 fa56ea01", N_ONE,
     NULL, DISCARD, 17, 1, 0},
    /* ---- RFC 7606 4: attribute framing inside the attribute block ---- */
    {"last attribute overruns the block", C_AS4, NULL, A_BASE4 "c0 08 08 fde80001", N_TWO, NULL,
     TAW, 0, 2, 0},
    {"2 octets left for an attribute header", C_AS4, NULL, A_BASE4 "c0 08", N_TWO, NULL, TAW, 0, 2,
     0},
    {"3 octets left for an extended-length header", C_AS4, NULL, A_BASE4 "d0 08 00", N_TWO, NULL,
     TAW, 0, 2, 0},
    /* ---- RFC 7606 7.5, 7.9, 7.10: iBGP-only attributes from an eBGP peer: discard ---- */
    {"LOCAL_PREF from eBGP", C_AS4 | C_EBGP, NULL, A_BASE4 "40 05 04 00000064", N_ONE, NULL,
     DISCARD, 5, 1, B(5)},
    {"ORIGINATOR_ID from eBGP", C_AS4 | C_EBGP, NULL, A_BASE4 "80 09 04 0a000001", N_ONE, NULL,
     DISCARD, 9, 1, B(9)},
    {"CLUSTER_LIST from eBGP", C_AS4 | C_EBGP, NULL, A_BASE4 "80 0a 04 0a000001", N_ONE, NULL,
     DISCARD, 10, 1, B(10)},
    {"malformed LOCAL_PREF from eBGP is still a discard", C_AS4 | C_EBGP, NULL,
     A_BASE4 "40 05 03 000064", N_ONE, NULL, DISCARD, 5, 1, B(5)},
    /* RFC 7606 7.5, 7.9, 7.10 mandate discard from eBGP whatever the attribute holds, which
     * 3.c lets override the flag rule. */
    {"LOCAL_PREF flagged optional from eBGP", C_AS4 | C_EBGP, NULL,
     A_BASE4 "c0 05 04 00000064", N_ONE, NULL, DISCARD, 5, 1, B(5)},
    {"ORIGINATOR_ID flagged transitive from eBGP", C_AS4 | C_EBGP, NULL,
     A_BASE4 "c0 09 04 0a000001", N_ONE, NULL, DISCARD, 9, 1, B(9)},
    {"CLUSTER_LIST flagged well-known from eBGP", C_AS4 | C_EBGP, NULL,
     A_BASE4 "40 0a 04 0a000001", N_ONE, NULL, DISCARD, 10, 1, B(10)},
    /* ---- RFC 7606 3.h: the strongest of several errors wins ---- */
    {"treat-as-withdraw plus discard", C_AS4, NULL, "40 01 01 07" A_ASPATH4 A_NEXTHOP "40 06 01 00",
     N_ONE, NULL, TAW, 0, 1, 0},
    {"treat-as-withdraw plus reset", C_AS4, NULL, "40 01 01 07" A_ASPATH4 A_NEXTHOP,
     "21 c0000201 00", NULL, RESET(3, 10), 0, -1, 0},
    /* ---- RFC 7606 5.2: no reachable NLRI: stronger than discard escalates to reset ---- */
    {"bad ORIGIN with withdrawals only", C_AS4, N_ONE, "40 01 01 03" A_ASPATH4 A_NEXTHOP, NULL,
     NULL, RESET(3, 0), 0, -1, 0},
    {"bad COMMUNITIES with MP_UNREACH only", C_AS4, NULL, A_MP_UNREACH6 "c0 08 03 000000", NULL,
     NULL, RESET(3, 0), 0, -1, 0},
    {"attributes without any NLRI, bad MED", C_AS4, NULL, A_BASE4 "80 04 02 0000", NULL, NULL,
     RESET(3, 0), 0, -1, 0},
    {"discard without NLRI stays a discard", C_AS4, N_ONE, A_BASE4 "40 06 01 00", NULL, NULL,
     DISCARD, 6, 0, B(6)},
};

static struct wire_ctx ctx_of(unsigned bits)
{
	struct wire_ctx c = {
	    .as4 = (bits & C_AS4) != 0,
	    .ebgp = (bits & C_EBGP) != 0,
	    .addpath_rx = (bits & C_ADDPATH) ? 0xff : 0,
	};
	return c;
}

static void run_case(const struct mcase *c)
{
	static struct wt_buf body;
	static struct wire_update u;
	struct wire_ctx ctx = ctx_of(c->ctx);

	if (c->raw) {
		body.n = 0;
		wt_hex(&body, c->raw);
	} else {
		wt_update_hex(&body, c->wd, c->attrs, c->nlri);
	}
	enum wire_action act = wt_parse(&body, &ctx, &u);
	assert_int_equal(act, u.err.action);
	assert_int_equal(act, c->action);
	if (c->action == WIRE_SESSION_RESET) {
		assert_int_equal(u.err.code, c->code);
		if (c->subcode)
			assert_int_equal(u.err.subcode, c->subcode);
		if (c->attr_type == 100) { /* 3/2: data is the attribute (RFC 4271 6.3) */
			assert_int_equal(u.err.data_len, 4);
			assert_memory_equal(u.err.data, "\x40\x64\x01\x00", 4);
		}
		return;
	}
	if (c->action != WIRE_OK)
		assert_true(u.err.count >= 1);
	if (c->attr_type)
		assert_int_equal(u.err.attr_type, c->attr_type);
	if (c->nlri_count >= 0)
		assert_int_equal(u.nlri.count, (uint32_t)c->nlri_count);
	assert_int_equal(u.attrs.present & c->absent, 0);
}

static void test_malformed_table(void **state)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("[%2zu] %s\n", i, cases[i].name);
		run_case(&cases[i]);
	}
}

/* After a discard the routes and every other attribute survive. */
static void test_discard_keeps_the_rest(void **state)
{
	static struct wt_buf body;
	static struct wire_update u;
	struct wire_ctx ctx = {.as4 = true, .ebgp = true};

	wt_update_hex(&body, NULL, A_BASE4 "40 05 04 00000064 80 04 04 00000005", N_TWO);
	assert_int_equal(wt_parse(&body, &ctx, &u), WIRE_ATTR_DISCARD);
	assert_int_equal(u.nlri.count, 2);
	assert_true(WIRE_HAS(&u.attrs, WIRE_ATTR_MED));
	assert_int_equal(u.attrs.med, 5);
	assert_false(WIRE_HAS(&u.attrs, WIRE_ATTR_LOCAL_PREF));
	assert_string_equal(wt_path(u.attrs.aspath, u.attrs.aspath_len), "65001 65002");
}

/* Treat-as-withdraw must leave the withdrawn field and MP_UNREACH usable: those routes are
 * withdrawn as well (RFC 7606 2). */
static void test_taw_keeps_nlri_fields(void **state)
{
	static struct wt_buf body;
	static struct wire_update u;
	struct wire_ctx ctx = {.as4 = true};

	wt_update_hex(&body, "10 0a01", A_MP_UNREACH6 "40 01 01 09" A_ASPATH4 A_NEXTHOP, N_TWO);
	assert_int_equal(wt_parse(&body, &ctx, &u), WIRE_TREAT_AS_WITHDRAW);
	assert_int_equal(u.withdrawn.count, 1);
	assert_int_equal(u.nlri.count, 2);
	assert_true(u.has_mp_unreach);
	assert_int_equal(u.mp_unreach.count, 1);
}

/* Every truncation of a valid UPDATE is rejected or parsed without reading past the end
 * (the ASan build checks the reads). */
static void test_every_truncation(void **state)
{
	static struct wt_buf body, cut;
	static struct wire_update u;
	struct wire_ctx ctx = {.as4 = true};

	wt_update_hex(&body, "10 0a01",
		      A_MP_UNREACH6 A_MP_REACH6 A_BASE4
		      "c0 08 04 fde80001 c0 20 0c 0000fde9 00000001 00000002",
		      N_TWO);
	size_t nlri_off = body.n - 8; /* N_TWO is 8 octets */
	for (size_t n = 0; n < body.n; n++) {
		cut.n = 0;
		wt_bytes(&cut, body.b, n);
		enum wire_action act = wt_parse(&cut, &ctx, &u);
		/* Cut before the NLRI: a length field now overruns (RFC 4271 6.3, 3/1). Cut
		 * inside the NLRI: valid only at a prefix boundary. */
		if (n < nlri_off)
			assert_int_equal(act, WIRE_SESSION_RESET);
		else if (n != nlri_off && n != nlri_off + 4)
			assert_int_equal(act, WIRE_SESSION_RESET);
		else
			assert_int_equal(act, WIRE_OK);
	}
	assert_int_equal(wt_parse(&body, &ctx, &u), WIRE_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_malformed_table),
	    cmocka_unit_test(test_discard_keeps_the_rest),
	    cmocka_unit_test(test_taw_keeps_nlri_fields),
	    cmocka_unit_test(test_every_truncation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
