/* test_build.c: round trips through the encoders: wire_attrs_encode (canonical attribute
 * blocks, RFC 6793 AS4_PATH / AS4_AGGREGATOR on 2-octet sessions), the UPDATE builder
 * (packing many NLRI per message, IPv6 through MP_REACH, withdrawals, ADD-PATH, RFC 8654
 * extended messages) and End-of-RIB.
 *
 * Canonical here: attributes in ascending type order (RFC 4271 5 SHOULD), the extended
 * length flag only when the value exceeds 255 octets, unknown transitive attributes last. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "wtest.h"
#include "wtest_attrs.h"

#define MARKER "ffffffffffffffffffffffffffffffff"

static const struct wire_ctx ibgp4 = {.as4 = true};
static const struct wire_ctx ibgp2 = {.as4 = false};

/* Every attribute wire_attrs_encode writes, canonical, 4-octet session, iBGP. */
#define CANON4                                                                                     \
	"40 01 01 02"                                                                              \
	"40 02 18 02 03 0000fde9 fa56ea01 00000064 01 02 000000c8 0000012c"                        \
	"40 03 04 c0000201"                                                                        \
	"80 04 04 00000064"                                                                        \
	"40 05 04 000000c8"                                                                        \
	"40 06 00"                                                                                 \
	"c0 07 08 fa56ea00 c6336401"                                                               \
	"c0 08 08 ffffff01 fde80001"                                                               \
	"80 09 04 0a000009"                                                                        \
	"80 0a 08 0a00000a 0a00000b"                                                               \
	"c0 10 08 0002fde800000064"                                                                \
	"c0 20 0c 0000fde9 00000001 00000002"                                                      \
	"c0 23 04 0000fde9"                                                                        \
	"e0 63 03 010203"

static void parse_attrs(const struct wt_buf *b, const struct wire_ctx *ctx, struct wire_update *u,
			enum wire_action want)
{
	memset(u, 0, sizeof(*u));
	assert_int_equal(wire_attrs_parse(b->b, b->n, ctx, false, u, wt_scratch()), want);
}

/* Parse a canonical block, encode it: the same bytes. */
static void test_attrs_canonical_round_trip(void **state)
{
	static struct wt_buf in;
	static struct wire_update u;
	static uint8_t out[4096];

	in.n = 0;
	wt_hex(&in, CANON4);
	parse_attrs(&in, &ibgp4, &u, WIRE_OK);
	size_t n = wire_attrs_encode(&u.attrs, &ibgp4, out, sizeof(out));
	assert_int_equal(n, in.n);
	assert_memory_equal(out, in.b, n);
	/* Too small a buffer: 0, never a partial block. */
	assert_int_equal(wire_attrs_encode(&u.attrs, &ibgp4, out, in.n - 1), 0);
}

/* A long AS_PATH (over 255 octets) is written with the extended length flag. */
static void test_attrs_long_aspath(void **state)
{
	static struct wt_buf in, seg;
	static struct wire_update u;
	static uint8_t out[4096];

	seg.n = 0;
	wt_u8(&seg, WIRE_AS_SEQUENCE);
	wt_u8(&seg, 100);
	for (uint32_t i = 0; i < 100; i++)
		wt_u32(&seg, 4200000000u + i);
	in.n = 0;
	wt_hex(&in, A_ORIGIN_IGP);
	wt_attr(&in, 0x50, 2, seg.b, seg.n);
	wt_hex(&in, A_NEXTHOP);
	parse_attrs(&in, &ibgp4, &u, WIRE_OK);
	assert_int_equal(u.attrs.aspath_len, 402);
	size_t n = wire_attrs_encode(&u.attrs, &ibgp4, out, sizeof(out));
	assert_int_equal(n, in.n);
	assert_memory_equal(out, in.b, n);
}

/* RFC 6793 4.2.2: towards a 2-octet speaker, 4-octet ASes become AS_TRANS in AS_PATH and
 * the real path goes in AS4_PATH; AGGREGATOR likewise. The peer's view merges back. */
static void test_attrs_to_two_octet_session(void **state)
{
	static struct wt_buf in;
	static struct wire_update u, v;
	static uint8_t out[4096];

	in.n = 0;
	wt_hex(&in, CANON4);
	parse_attrs(&in, &ibgp4, &u, WIRE_OK);
	size_t n = wire_attrs_encode(&u.attrs, &ibgp2, out, sizeof(out));
	assert_true(n > 0);
	struct wt_buf *enc = calloc(1, sizeof(*enc));
	wt_bytes(enc, out, n);
	parse_attrs(enc, &ibgp2, &v, WIRE_OK);
	assert_string_equal(wt_path(v.attrs.aspath, v.attrs.aspath_len),
			    wt_path(u.attrs.aspath, u.attrs.aspath_len));
	assert_int_equal(v.attrs.aggregator_as, 4200000000u);
	assert_memory_equal(v.attrs.aggregator_addr, u.attrs.aggregator_addr, 4);
	assert_true(v.attrs.as4_path_len > 0);
	/* The 2-octet AS_PATH holds AS_TRANS where the 4-octet AS was: find "5ba0". */
	static const uint8_t trans_seg[] = {0x02, 0x03, 0xfd, 0xe9, 0x5b, 0xa0, 0x00, 0x64};
	assert_non_null(memmem(out, n, trans_seg, sizeof(trans_seg)));
	/* Everything else survives unchanged. */
	assert_int_equal(v.attrs.med, 100);
	assert_int_equal(v.attrs.local_pref, 200);
	assert_int_equal(v.attrs.communities_len, 8);
	assert_int_equal(v.attrs.large_communities_len, 12);
	assert_int_equal(v.attrs.otc, 65001);
	assert_int_equal(v.attrs.unknown_len, 6);
	free(enc);
}

/* Unknown optional transitive attributes of any type code, 0 and 255 included, come out
 * of the encoder in type order with the Partial bit (found by fuzz_wire: type 0 was lost). */
static void test_attrs_unknown_types(void **state)
{
	static struct wt_buf in, want;
	static struct wire_update u;
	static uint8_t out[512];

	in.n = 0;
	wt_hex(&in, "c0 00 01 aa" A_BASE4 "c0 0c 01 bb c0 13 01 cc c0 ff 01 dd");
	parse_attrs(&in, &ibgp4, &u, WIRE_OK);
	want.n = 0;
	wt_hex(&want, "e0 00 01 aa" A_BASE4 "e0 0c 01 bb e0 13 01 cc e0 ff 01 dd");
	size_t n = wire_attrs_encode(&u.attrs, &ibgp4, out, sizeof(out));
	assert_int_equal(n, want.n);
	assert_memory_equal(out, want.b, n);
}

/* All 2-octet ASes on a 2-octet session: the encoding is the plain RFC 4271 one. */
static void test_attrs_two_octet_plain(void **state)
{
	static struct wt_buf in;
	static struct wire_update u;
	static uint8_t out[512];

	in.n = 0;
	wt_hex(&in, A_BASE2 "80 04 04 00000000");
	parse_attrs(&in, &ibgp2, &u, WIRE_OK);
	size_t n = wire_attrs_encode(&u.attrs, &ibgp2, out, sizeof(out));
	assert_int_equal(n, in.n);
	assert_memory_equal(out, in.b, n);
}

/* The shared attributes of the packed messages; NEXT_HOP only for IPv4 (RFC 4760 3). */
static size_t encode_base_attrs(uint8_t *out, size_t cap, const struct wire_ctx *ctx, bool v4)
{
	static struct wt_buf in;
	static struct wire_update u;

	in.n = 0;
	wt_hex(&in, A_ORIGIN_IGP A_ASPATH4);
	if (v4)
		wt_hex(&in, A_NEXTHOP);
	wt_hex(&in, "c0 08 04 fde80001");
	parse_attrs(&in, ctx, &u, WIRE_OK);
	size_t n = wire_attrs_encode(&u.attrs, ctx, out, cap);
	assert_int_equal(n, in.n);
	return n;
}

static struct rx_prefix v4_24(uint32_t i)
{
	struct rx_prefix p = {.afi = RX_AFI_IPV4, .len = 24};

	wire_put32(p.addr, 0x0a000000u + (i << 8)); /* 10.x.y.0/24 */
	return p;
}

static struct rx_prefix v6_48(uint32_t i)
{
	struct rx_prefix p = {.afi = RX_AFI_IPV6, .len = 48};

	wire_put32(p.addr, 0x20010db8u);
	wire_put16(p.addr + 4, (uint16_t)i);
	return p;
}

struct pack_run {
	enum rx_family fam;
	bool withdraw, addpath;
	size_t max_len;
	unsigned n;
	struct rx_prefix (*gen)(uint32_t);
	size_t prefix_octets; /* wire size of one generated prefix, path id excluded */
};

/* Checks one built message: framing, size bound, tight packing, and that its prefixes
 * are exactly in[first .. first+count). Returns the prefix count. */
static uint32_t check_message(const struct pack_run *r, const uint8_t *msg, size_t len,
			      const struct rx_prefix *in, uint32_t first, bool last)
{
	static struct wire_update u;
	static struct rx_prefix got[20000];
	static uint32_t ids[20000];
	struct wire_ctx ctx = {.as4 = true, .ext_msg = r->max_len > WIRE_MAX_LEN};
	struct wire_error e;
	uint8_t type;

	if (r->addpath)
		ctx.addpath_rx = RX_FAM_BIT(r->fam);
	assert_true(len <= r->max_len);
	assert_int_equal(wire_header_check(msg, len, r->max_len, &type, &e), len);
	assert_int_equal(type, WIRE_UPDATE);
	memset(&u, 0, sizeof(u));
	assert_int_equal(wire_update_parse(msg + 19, len - 19, &ctx, &u, wt_scratch()), WIRE_OK);
	const struct wire_nlri *n = r->fam == RX_FAM_IPV4_UNICAST
					? (r->withdraw ? &u.withdrawn : &u.nlri)
					: (r->withdraw ? &u.mp_unreach : &u.mp_reach);
	if (r->fam != RX_FAM_IPV4_UNICAST) {
		/* RFC 7606 5.1: the MP attribute is the first attribute. */
		size_t wrl = wire_get16(msg + 19);
		assert_int_equal(msg[19 + 2 + wrl + 2 + 1],
				 r->withdraw ? WIRE_ATTR_MP_UNREACH_NLRI : WIRE_ATTR_MP_REACH_NLRI);
	}
	size_t k = wt_decode(n, got, ids, 20000);
	assert_int_equal(k, n->count);
	for (size_t i = 0; i < k; i++) {
		assert_true(rx_prefix_equal(&got[i], &in[first + i]));
		if (r->addpath)
			assert_int_equal(ids[i], first + i + 1);
	}
	/* Tightly packed: unless this was the last message, one more prefix would not fit. */
	size_t one = r->prefix_octets + (r->addpath ? 4 : 0);
	if (!last)
		assert_true(len + one > r->max_len);
	return (uint32_t)k;
}

static void run_pack(const struct pack_run *r)
{
	static uint8_t attrs[1024], msg[WIRE_EXT_MAX_LEN];
	static struct rx_prefix in[20000];
	static const uint8_t nh6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	struct wire_ctx ctx = {.as4 = true};
	struct wire_update_builder b;
	size_t alen = 0;
	uint32_t sent = 0, next = 0, msgs = 0;

	for (unsigned i = 0; i < r->n; i++)
		in[i] = r->gen(i);
	if (!r->withdraw)
		alen = encode_base_attrs(attrs, sizeof(attrs), &ctx, r->fam == RX_FAM_IPV4_UNICAST);
	while (next < r->n) {
		wire_update_begin(&b, msg, r->max_len, r->fam, r->withdraw, r->addpath,
				  r->withdraw ? NULL : attrs, alen,
				  r->fam == RX_FAM_IPV4_UNICAST ? NULL : nh6,
				  r->fam == RX_FAM_IPV4_UNICAST ? 0 : 16);
		uint32_t first = next;
		while (next < r->n && wire_update_add(&b, &in[next], next + 1))
			next++;
		assert_true(next > first); /* an empty builder always takes one prefix */
		size_t len = wire_update_finish(&b);
		assert_true(len > 0);
		sent += check_message(r, msg, len, in, first, next == r->n);
		msgs++;
	}
	assert_int_equal(sent, r->n);
	print_message("%u prefixes in %u messages\n", r->n, msgs);
}

static void test_pack_ipv4(void **state)
{
	struct pack_run r = {RX_FAM_IPV4_UNICAST, false, false, WIRE_MAX_LEN, 3000, v4_24, 4};
	run_pack(&r);
}

static void test_pack_ipv4_withdraw(void **state)
{
	struct pack_run r = {RX_FAM_IPV4_UNICAST, true, false, WIRE_MAX_LEN, 3000, v4_24, 4};
	run_pack(&r);
}

static void test_pack_ipv4_addpath(void **state)
{
	struct pack_run r = {RX_FAM_IPV4_UNICAST, false, true, WIRE_MAX_LEN, 3000, v4_24, 4};
	run_pack(&r);
}

static void test_pack_ipv6(void **state)
{
	struct pack_run r = {RX_FAM_IPV6_UNICAST, false, false, WIRE_MAX_LEN, 3000, v6_48, 7};
	run_pack(&r);
}

static void test_pack_ipv6_withdraw(void **state)
{
	struct pack_run r = {RX_FAM_IPV6_UNICAST, true, false, WIRE_MAX_LEN, 3000, v6_48, 7};
	run_pack(&r);
}

/* RFC 8654: with extended messages a single UPDATE carries far more than 4096 octets. */
static void test_pack_extended(void **state)
{
	struct pack_run r = {RX_FAM_IPV4_UNICAST, false, false, WIRE_EXT_MAX_LEN, 20000, v4_24, 4};
	run_pack(&r);
}

static void test_pack_ipv6_extended(void **state)
{
	struct pack_run r = {RX_FAM_IPV6_UNICAST, false, false, WIRE_EXT_MAX_LEN, 12000, v6_48, 7};
	run_pack(&r);
}

/* Exact bytes of a small builder output: one /24 announcement and one withdrawal. */
static void test_builder_exact_bytes(void **state)
{
	static struct wt_buf attrs, want;
	static uint8_t msg[4096];
	struct wire_update_builder b;
	struct rx_prefix p = wt_pfx("192.0.2.0/24");

	attrs.n = 0;
	wt_hex(&attrs, A_BASE4);
	wire_update_begin(&b, msg, sizeof(msg), RX_FAM_IPV4_UNICAST, false, false, attrs.b, attrs.n,
			  NULL, 0);
	assert_true(wire_update_add(&b, &p, 0));
	want.n = 0;
	wt_hex(&want, MARKER "0033 02 0000 0018" A_BASE4 N_ONE);
	assert_int_equal(wire_update_finish(&b), want.n);
	assert_memory_equal(msg, want.b, want.n);

	wire_update_begin(&b, msg, sizeof(msg), RX_FAM_IPV4_UNICAST, true, false, NULL, 0, NULL, 0);
	assert_true(wire_update_add(&b, &p, 0));
	want.n = 0;
	wt_hex(&want, MARKER "001b 02 0004 18c00002 0000");
	assert_int_equal(wire_update_finish(&b), want.n);
	assert_memory_equal(msg, want.b, want.n);

	/* No prefix added: nothing to send. */
	wire_update_begin(&b, msg, sizeof(msg), RX_FAM_IPV4_UNICAST, true, false, NULL, 0, NULL, 0);
	assert_int_equal(wire_update_finish(&b), 0);
}

/* IPv6 withdrawal: MP_UNREACH first and only. */
static void test_builder_ipv6_withdraw_bytes(void **state)
{
	static uint8_t msg[4096];
	struct wire_update_builder b;
	struct rx_prefix p = wt_pfx("2001:db8:2::/48");
	static struct wire_update u;
	struct wire_ctx ctx = {.as4 = true};

	wire_update_begin(&b, msg, sizeof(msg), RX_FAM_IPV6_UNICAST, true, false, NULL, 0, NULL, 0);
	assert_true(wire_update_add(&b, &p, 0));
	size_t len = wire_update_finish(&b);
	assert_true(len > 19 + 4);
	assert_int_equal(wire_update_parse(msg + 19, len - 19, &ctx, &u, wt_scratch()), WIRE_OK);
	assert_true(u.has_mp_unreach);
	assert_false(u.has_mp_reach);
	assert_int_equal(u.mp_unreach.count, 1);
	assert_int_equal(u.attrs.present & ~WIRE_ATTR_BIT(WIRE_ATTR_MP_UNREACH_NLRI), 0);
	assert_false(u.end_of_rib);
}

/* Attributes too long for the message (RFC 8654 3: a route whose attributes do not fit a
 * 4096-octet message must be withheld from a peer without extended messages): the builder
 * takes no prefix and writes nothing past max_len (ASan checks the heap buffer). */
static void test_builder_attrs_too_long(void **state)
{
	static uint8_t attrs[5000];
	uint8_t *msg = malloc(WIRE_MAX_LEN);
	struct wire_update_builder b;
	struct rx_prefix p = wt_pfx("192.0.2.0/24");
	static const uint8_t nh6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};

	assert_non_null(msg);
	static const size_t lens[] = {WIRE_MAX_LEN - 23 - 3, WIRE_MAX_LEN - 23, 4800, 5000};
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		size_t alen = lens[i];
		wire_update_begin(&b, msg, WIRE_MAX_LEN, RX_FAM_IPV4_UNICAST, false, false, attrs,
				  alen, NULL, 0);
		assert_false(wire_update_add(&b, &p, 0));
		assert_int_equal(wire_update_finish(&b), 0);
		wire_update_begin(&b, msg, WIRE_MAX_LEN, RX_FAM_IPV6_UNICAST, false, false, attrs,
				  alen, nh6, 16);
		struct rx_prefix q = wt_pfx("2001:db8::/32");
		assert_false(wire_update_add(&b, &q, 0));
		assert_int_equal(wire_update_finish(&b), 0);
	}
	free(msg);
}

/* RFC 4724 2: End-of-RIB markers. */
static void test_eor_encode(void **state)
{
	static uint8_t msg[64];
	static struct wt_buf want;
	static struct wire_update u;
	struct wire_ctx ctx = {.as4 = true};

	want.n = 0;
	wt_hex(&want, MARKER "0017 02 0000 0000");
	assert_int_equal(wire_eor_encode(msg, sizeof(msg), RX_FAM_IPV4_UNICAST), 23);
	assert_memory_equal(msg, want.b, 23);

	size_t len = wire_eor_encode(msg, sizeof(msg), RX_FAM_IPV6_UNICAST);
	want.n = 0;
	wt_hex(&want, MARKER "001d 02 0000 0006 80 0f 03 0002 01");
	assert_int_equal(len, want.n);
	assert_memory_equal(msg, want.b, len);
	assert_int_equal(wire_update_parse(msg + 19, len - 19, &ctx, &u, wt_scratch()), WIRE_OK);
	assert_true(u.end_of_rib);
	assert_int_equal(u.eor_afi, RX_AFI_IPV6);
	assert_int_equal(u.eor_safi, RX_SAFI_UNICAST);
	assert_int_equal(wire_eor_encode(msg, 22, RX_FAM_IPV4_UNICAST), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_attrs_canonical_round_trip),
	    cmocka_unit_test(test_attrs_long_aspath),
	    cmocka_unit_test(test_attrs_to_two_octet_session),
	    cmocka_unit_test(test_attrs_two_octet_plain),
	    cmocka_unit_test(test_attrs_unknown_types),
	    cmocka_unit_test(test_pack_ipv4),
	    cmocka_unit_test(test_pack_ipv4_withdraw),
	    cmocka_unit_test(test_pack_ipv4_addpath),
	    cmocka_unit_test(test_pack_ipv6),
	    cmocka_unit_test(test_pack_ipv6_withdraw),
	    cmocka_unit_test(test_pack_extended),
	    cmocka_unit_test(test_pack_ipv6_extended),
	    cmocka_unit_test(test_builder_exact_bytes),
	    cmocka_unit_test(test_builder_ipv6_withdraw_bytes),
	    cmocka_unit_test(test_builder_attrs_too_long),
	    cmocka_unit_test(test_eor_encode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
