/* test_open.c: byte-level tests of OPEN (RFC 4271 4.2, 6.2), capabilities (RFC 5492 and the
 * RFCs of each capability), RFC 9072 extended optional parameters and RFC 7607 AS 0.
 *
 * Body layout (after the header): version(1) my AS(2) hold time(2) BGP identifier(4)
 * optional parameters length(1) optional parameters; a parameter is type(1) length(1)
 * value, capabilities are parameter type 2 holding code(1) length(1) value triples.
 * RFC 9072: length octet 255 and first parameter type 255 announce a 2-octet total length
 * and 2-octet parameter lengths. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "wtest.h"

/* Version 4, AS_TRANS, hold 90, BGP id 192.0.2.1. */
#define OPEN_FIXED "04 5ba0 005a c0000201"

/* Capabilities, one per line, as code length value. */
#define CAP_MP_V4	   "01 04 0001 00 01"
#define CAP_MP_V6	   "01 04 0002 00 01"
#define CAP_RR		   "02 00"
#define CAP_RR_OLD	   "80 00"
#define CAP_ERR		   "46 00"    /* RFC 7313 enhanced route refresh */
#define CAP_EXT_MSG	   "06 00"    /* RFC 8654 */
#define CAP_ROLE_RS_CLIENT "09 01 02" /* RFC 9234 */
/* RFC 4724 3 (and RFC 8538 N bit): R=1, time 180; IPv4 unicast F=1, IPv6 unicast F=0. */
#define CAP_GR	       "40 0a 80b4 0001 01 80 0002 01 00"
#define CAP_AS4_200000 "41 04 00030d40" /* RFC 6793 */
/* RFC 7911 4: IPv4 unicast send+receive (3), IPv6 unicast receive (1). */
#define CAP_ADDPATH "45 08 0001 01 03 0002 01 01"
/* draft-walton-bgp-hostname-capability: host "rs1", domain "example.net". */
#define CAP_FQDN    "49 10 03 727331 0b 6578616d706c652e6e6574"
#define CAP_UNKNOWN "83 02 abcd"

static struct wt_buf body;
static struct wire_open op;
static struct wire_error err;

static bool parse_hex(const char *hex)
{
	body.n = 0;
	wt_hex(&body, hex);
	memset(&op, 0x5a, sizeof(op));
	memset(&err, 0, sizeof(err));
	return wire_open_parse(body.b, body.n, &op, &err);
}

/* Builds an OPEN body whose capabilities go in one type-2 parameter. */
static bool parse_caps(const char *fixed, const char *caps)
{
	static struct wt_buf c;
	char hex[4096];

	c.n = 0;
	wt_hex(&c, caps);
	body.n = 0;
	wt_hex(&body, fixed);
	wt_u8(&body, (unsigned)c.n + 2);
	wt_u8(&body, 2);
	wt_u8(&body, (unsigned)c.n);
	wt_bytes(&body, c.b, c.n);
	(void)hex;
	memset(&op, 0x5a, sizeof(op));
	memset(&err, 0, sizeof(err));
	return wire_open_parse(body.b, body.n, &op, &err);
}

static void assert_reset(uint8_t code, uint8_t subcode)
{
	assert_int_equal(err.action, WIRE_SESSION_RESET);
	assert_int_equal(err.code, code);
	assert_int_equal(err.subcode, subcode);
}

/* Framing errors of the optional parameters: RFC 4271 6.2 gives 2/0 (Unspecific) for a
 * malformed parameter; the digest also accepts 1/2. Either is a session reset. */
static void assert_framing_reset(void)
{
	assert_int_equal(err.action, WIRE_SESSION_RESET);
	assert_true((err.code == WIRE_ERR_OPEN && err.subcode == WIRE_OPEN_UNSPECIFIC) ||
		    (err.code == WIRE_ERR_HEADER && err.subcode == WIRE_HDR_BAD_LEN));
}

static void test_open_no_params(void **state)
{
	assert_true(parse_hex("04 fde9 00b4 0a000001 00"));
	assert_int_equal(op.version, 4);
	assert_int_equal(op.my_as, 65001);
	assert_int_equal(op.asn, 65001);
	assert_int_equal(op.hold_time, 180);
	assert_int_equal(op.bgp_id, 0x0a000001);
	assert_false(op.extended_params);
	assert_false(op.caps.mp_present);
	assert_false(op.caps.as4_present);
	assert_int_equal(op.caps.n_unknown, 0);
}

static void check_all_caps(void)
{
	const struct wire_caps *c = &op.caps;

	assert_int_equal(op.my_as, WIRE_AS_TRANS);
	assert_int_equal(op.asn, 200000);
	assert_true(c->mp_present);
	assert_int_equal(c->mp, RX_FAM_BIT(RX_FAM_IPV4_UNICAST) | RX_FAM_BIT(RX_FAM_IPV6_UNICAST));
	assert_true(c->as4_present);
	assert_int_equal(c->as4, 200000);
	assert_true(c->route_refresh);
	assert_true(c->enhanced_refresh);
	assert_true(c->ext_msg);
	assert_true(c->role_present);
	assert_int_equal(c->role, WIRE_ROLE_RS_CLIENT);
	assert_true(c->gr_present);
	assert_int_equal(c->gr_flags & 0x8, 0x8);
	assert_int_equal(c->gr_flags & 0x4, 0);
	assert_int_equal(c->gr_time, 180);
	assert_int_equal(c->gr_fams,
			 RX_FAM_BIT(RX_FAM_IPV4_UNICAST) | RX_FAM_BIT(RX_FAM_IPV6_UNICAST));
	assert_int_equal(c->gr_fam_forwarding, RX_FAM_BIT(RX_FAM_IPV4_UNICAST));
	assert_int_equal(c->addpath[RX_FAM_IPV4_UNICAST], WIRE_ADDPATH_RX | WIRE_ADDPATH_TX);
	assert_int_equal(c->addpath[RX_FAM_IPV6_UNICAST], WIRE_ADDPATH_RX);
	assert_int_equal(c->addpath[RX_FAM_IPV4_MULTICAST], 0);
	assert_int_equal(c->fqdn_host_len, 3);
	assert_string_equal(c->fqdn_host, "rs1");
	assert_int_equal(c->fqdn_domain_len, 11);
	assert_string_equal(c->fqdn_domain, "example.net");
	/* RFC 5492 3: an unknown capability is not an error; the codec keeps it raw. */
	assert_int_equal(c->n_unknown, 1);
	assert_int_equal(c->unknown[0].code, 0x83);
	assert_int_equal(c->unknown[0].len, 2);
	assert_memory_equal(c->unknown[0].value, "\xab\xcd", 2);
}

#define ALL_CAPS                                                                                   \
	CAP_MP_V4 CAP_MP_V6 CAP_RR CAP_ERR CAP_EXT_MSG CAP_ROLE_RS_CLIENT CAP_GR CAP_AS4_200000    \
	    CAP_ADDPATH CAP_FQDN CAP_UNKNOWN

static void test_open_all_caps_one_param(void **state)
{
	assert_true(parse_caps(OPEN_FIXED, ALL_CAPS));
	assert_false(op.extended_params);
	assert_int_equal(op.hold_time, 90);
	assert_int_equal(op.bgp_id, 0xc0000201);
	check_all_caps();
}

/* RFC 5492 4: capabilities may also come one per optional parameter. */
static void test_open_caps_separate_params(void **state)
{
	static const char *caps[] = {CAP_MP_V4,	  CAP_MP_V6,	      CAP_RR,	  CAP_ERR,
				     CAP_EXT_MSG, CAP_ROLE_RS_CLIENT, CAP_GR,	  CAP_AS4_200000,
				     CAP_ADDPATH, CAP_FQDN,	      CAP_UNKNOWN};
	static struct wt_buf p;

	p.n = 0;
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		static struct wt_buf c;
		c.n = 0;
		wt_hex(&c, caps[i]);
		wt_u8(&p, 2);
		wt_u8(&p, (unsigned)c.n);
		wt_bytes(&p, c.b, c.n);
	}
	body.n = 0;
	wt_hex(&body, OPEN_FIXED);
	wt_u8(&body, (unsigned)p.n);
	wt_bytes(&body, p.b, p.n);
	memset(&op, 0, sizeof(op));
	assert_true(wire_open_parse(body.b, body.n, &op, &err));
	check_all_caps();
}

/* The pre-standard route refresh code 128 means the same as code 2. */
static void test_open_old_route_refresh(void **state)
{
	assert_true(parse_caps(OPEN_FIXED, CAP_RR_OLD CAP_AS4_200000));
	assert_true(op.caps.route_refresh);
	assert_false(op.caps.enhanced_refresh);
	assert_false(op.caps.ext_msg);
}

/* RFC 9072 2: 0xff length, 0xff type, 2-octet total length, parameters with 2-octet
 * lengths; the capabilities inside keep their 1-octet lengths. */
static void test_open_rfc9072(void **state)
{
	static struct wt_buf c;

	c.n = 0;
	wt_hex(&c, ALL_CAPS);
	body.n = 0;
	wt_hex(&body, OPEN_FIXED "ff ff");
	wt_u16(&body, (unsigned)c.n + 3);
	wt_u8(&body, 2);
	wt_u16(&body, (unsigned)c.n);
	wt_bytes(&body, c.b, c.n);
	memset(&op, 0, sizeof(op));
	assert_true(wire_open_parse(body.b, body.n, &op, &err));
	assert_true(op.extended_params);
	check_all_caps();
}

/* A plain (non RFC 9072) OPEN may have exactly 255 octets of parameters: only a first
 * parameter type of 255 selects the extended form. */
static void test_open_255_octets_not_extended(void **state)
{
	static struct wt_buf c;

	body.n = 0;
	wt_hex(&body, OPEN_FIXED "ff 02 fd 84 fb");
	c.n = 251;
	for (size_t i = 0; i < c.n; i++)
		c.b[i] = (uint8_t)i;
	wt_bytes(&body, c.b, c.n);
	memset(&op, 0, sizeof(op));
	assert_true(wire_open_parse(body.b, body.n, &op, &err));
	assert_false(op.extended_params);
	assert_int_equal(op.caps.n_unknown, 1);
	assert_int_equal(op.caps.unknown[0].code, 0x84);
	assert_int_equal(op.caps.unknown[0].len, 251);
	assert_memory_equal(op.caps.unknown[0].value, c.b, 251);
}

/* ---- OPEN errors (RFC 4271 6.2, RFC 7607, RFC 9072) ---- */

/* RFC 4271 6.2: data is the 2-octet largest locally supported version. */
static void test_open_bad_version(void **state)
{
	assert_false(parse_hex("03 fde9 00b4 0a000001 00"));
	assert_reset(WIRE_ERR_OPEN, WIRE_OPEN_BAD_VERSION);
	assert_int_equal(err.data_len, 2);
	assert_non_null(err.data);
	assert_memory_equal(err.data, "\x00\x04", 2);
	assert_false(parse_hex("05 fde9 00b4 0a000001 00"));
	assert_reset(WIRE_ERR_OPEN, WIRE_OPEN_BAD_VERSION);
}

/* RFC 4271 4.2: hold time is 0 or at least 3 seconds. */
static void test_open_hold_time(void **state)
{
	assert_false(parse_hex("04 fde9 0001 0a000001 00"));
	assert_reset(WIRE_ERR_OPEN, WIRE_OPEN_BAD_HOLD);
	assert_false(parse_hex("04 fde9 0002 0a000001 00"));
	assert_reset(WIRE_ERR_OPEN, WIRE_OPEN_BAD_HOLD);
	assert_true(parse_hex("04 fde9 0000 0a000001 00"));
	assert_int_equal(op.hold_time, 0);
	assert_true(parse_hex("04 fde9 0003 0a000001 00"));
	assert_int_equal(op.hold_time, 3);
	assert_true(parse_hex("04 fde9 ffff 0a000001 00"));
	assert_int_equal(op.hold_time, 65535);
}

static void test_open_bad_bgp_id(void **state)
{
	assert_false(parse_hex("04 fde9 00b4 00000000 00"));
	assert_reset(WIRE_ERR_OPEN, WIRE_OPEN_BAD_BGP_ID);
}

/* RFC 7607 3: AS 0 in My Autonomous System or in the 4-octet AS capability is Bad Peer AS. */
static void test_open_as0(void **state)
{
	assert_false(parse_hex("04 0000 00b4 0a000001 00"));
	assert_reset(WIRE_ERR_OPEN, WIRE_OPEN_BAD_PEER_AS);
	assert_false(parse_caps(OPEN_FIXED, "41 04 00000000"));
	assert_reset(WIRE_ERR_OPEN, WIRE_OPEN_BAD_PEER_AS);
}

/* RFC 4271 6.2: an unrecognised optional parameter type is 2/4. */
static void test_open_unsupported_param(void **state)
{
	assert_false(parse_hex(OPEN_FIXED "04 01 02 0000"));
	assert_reset(WIRE_ERR_OPEN, WIRE_OPEN_UNSUP_OPT_PARAM);
}

struct open_case {
	const char *name;
	const char *hex;
};

/* Every framing error of the optional parameters (FRR CVE-2022-40302, -40318 and -43681
 * were out-of-bounds reads in exactly these places). */
static const struct open_case framing_cases[] = {
    {"body shorter than the fixed part", "04 fde9 00b4 0a0000"},
    {"fixed part without the length octet", "04 fde9 00b4 0a000001"},
    {"params length beyond the body", OPEN_FIXED "0a 02 02 0200"},
    {"params shorter than their length", OPEN_FIXED "08 02 06 0104000100"},
    {"parameter length beyond params", OPEN_FIXED "04 02 06 4104"},
    {"parameter header cut", OPEN_FIXED "01 02"},
    {"capability length beyond parameter", OPEN_FIXED "05 02 03 41 04 00"},
    {"capability header cut", OPEN_FIXED "03 02 01 41"},
    {"trailing octets after params", OPEN_FIXED "02 02 00 ff"},
    {"RFC 9072: ends after 0xff", OPEN_FIXED "ff"},
    {"RFC 9072: ends after 0xff 0xff", OPEN_FIXED "ff ff"},
    {"RFC 9072: ends inside the extended length", OPEN_FIXED "ff ff 00"},
    {"RFC 9072: extended length beyond the body", OPEN_FIXED "ff ff 0010 02 0000"},
    {"RFC 9072: parameter header needs 3 octets", OPEN_FIXED "ff ff 0002 02 00"},
    {"RFC 9072: parameter length beyond params", OPEN_FIXED "ff ff 0005 02 0004 0200"},
    {"RFC 9072: capability cut", OPEN_FIXED "ff ff 0005 02 0002 41 04"},
};

static void test_open_framing_errors(void **state)
{
	for (size_t i = 0; i < sizeof(framing_cases) / sizeof(framing_cases[0]); i++) {
		print_message("OPEN: %s\n", framing_cases[i].name);
		assert_false(parse_hex(framing_cases[i].hex));
		assert_framing_reset();
	}
}

/* ---- Encoding ---- */

static void fill_open(struct wire_open *o)
{
	memset(o, 0, sizeof(*o));
	o->version = 4;
	o->my_as = WIRE_AS_TRANS;
	o->asn = 4200000001u;
	o->hold_time = 180;
	o->bgp_id = 0x0aff0001;
	o->caps.mp_present = true;
	o->caps.mp = RX_FAM_BIT(RX_FAM_IPV4_UNICAST) | RX_FAM_BIT(RX_FAM_IPV6_UNICAST);
	o->caps.as4_present = true;
	o->caps.as4 = 4200000001u;
	o->caps.route_refresh = true;
	o->caps.enhanced_refresh = true;
	o->caps.ext_msg = true;
	o->caps.role_present = true;
	o->caps.role = WIRE_ROLE_RS;
	o->caps.gr_present = true;
	o->caps.gr_flags = 0x8;
	o->caps.gr_time = 120;
	o->caps.gr_fams = RX_FAM_BIT(RX_FAM_IPV4_UNICAST) | RX_FAM_BIT(RX_FAM_IPV6_UNICAST);
	o->caps.gr_fam_forwarding = RX_FAM_BIT(RX_FAM_IPV6_UNICAST);
	o->caps.addpath[RX_FAM_IPV4_UNICAST] = WIRE_ADDPATH_TX;
	o->caps.addpath[RX_FAM_IPV6_UNICAST] = WIRE_ADDPATH_RX | WIRE_ADDPATH_TX;
	o->caps.fqdn_host_len = 7;
	strcpy(o->caps.fqdn_host, "routex1");
	o->caps.fqdn_domain_len = 0;
}

static void assert_same_open(const struct wire_open *a, const struct wire_open *b)
{
	assert_int_equal(a->version, b->version);
	assert_int_equal(a->my_as, b->my_as);
	assert_int_equal(a->asn, b->asn);
	assert_int_equal(a->hold_time, b->hold_time);
	assert_int_equal(a->bgp_id, b->bgp_id);
	assert_int_equal(a->caps.mp, b->caps.mp);
	assert_int_equal(a->caps.as4, b->caps.as4);
	assert_int_equal(a->caps.route_refresh, b->caps.route_refresh);
	assert_int_equal(a->caps.enhanced_refresh, b->caps.enhanced_refresh);
	assert_int_equal(a->caps.ext_msg, b->caps.ext_msg);
	assert_int_equal(a->caps.role_present, b->caps.role_present);
	assert_int_equal(a->caps.role, b->caps.role);
	assert_int_equal(a->caps.gr_present, b->caps.gr_present);
	assert_int_equal(a->caps.gr_flags, b->caps.gr_flags);
	assert_int_equal(a->caps.gr_time, b->caps.gr_time);
	assert_int_equal(a->caps.gr_fams, b->caps.gr_fams);
	assert_int_equal(a->caps.gr_fam_forwarding, b->caps.gr_fam_forwarding);
	assert_memory_equal(a->caps.addpath, b->caps.addpath, sizeof(a->caps.addpath));
	assert_int_equal(a->caps.fqdn_host_len, b->caps.fqdn_host_len);
	assert_string_equal(a->caps.fqdn_host, b->caps.fqdn_host);
	assert_int_equal(a->caps.fqdn_domain_len, b->caps.fqdn_domain_len);
}

/* Encode, parse: same values; encode the parsed struct again: same bytes. */
static void test_open_round_trip(void **state)
{
	struct wire_open in, out;
	uint8_t buf1[4096], buf2[4096];
	uint8_t type;
	struct wire_error e;

	fill_open(&in);
	size_t n1 = wire_open_encode(buf1, sizeof(buf1), &in);
	assert_true(n1 >= 29);
	assert_int_equal(wire_header_check(buf1, n1, WIRE_MAX_LEN, &type, &e), n1);
	assert_int_equal(type, WIRE_OPEN);
	memset(&out, 0, sizeof(out));
	assert_true(wire_open_parse(buf1 + 19, n1 - 19, &out, &e));
	assert_same_open(&in, &out);
	size_t n2 = wire_open_encode(buf2, sizeof(buf2), &out);
	assert_int_equal(n2, n1);
	assert_memory_equal(buf1, buf2, n1);
	/* Too small a buffer: nothing written, 0 returned. */
	assert_int_equal(wire_open_encode(buf2, n1 - 1, &in), 0);
}

/* Capabilities over 255 octets need the RFC 9072 form (255, 255, 2-octet lengths); the
 * encoder must switch to it and the result must parse back. */
static void test_open_encode_rfc9072(void **state)
{
	struct wire_open in, out;
	uint8_t buf[4096];
	struct wire_error e;

	fill_open(&in);
	in.caps.fqdn_host_len = 200;
	memset(in.caps.fqdn_host, 'h', 200);
	in.caps.fqdn_host[200] = 0;
	in.caps.fqdn_domain_len = 50;
	memset(in.caps.fqdn_domain, 'd', 50);
	in.caps.fqdn_domain[50] = 0;
	size_t n = wire_open_encode(buf, sizeof(buf), &in);
	assert_true(n > 19 + 10 + 255);
	assert_int_equal(buf[19 + 9], 255); /* Non-Ext OP Len */
	assert_int_equal(buf[19 + 10], 255); /* Non-Ext OP Type */
	assert_int_equal(wire_get16(buf + 19 + 11), n - 19 - 13);
	memset(&out, 0, sizeof(out));
	assert_true(wire_open_parse(buf + 19, n - 19, &out, &e));
	assert_true(out.extended_params);
	assert_same_open(&in, &out);
	assert_string_equal(out.caps.fqdn_domain, in.caps.fqdn_domain);
}

/* RFC 5492 4: a Capabilities parameter holds one or more capabilities; with none the OPEN
 * has no optional parameters at all. */
static void test_open_encode_no_caps(void **state)
{
	struct wire_open o;
	uint8_t buf[64];
	struct wt_buf want = {0};

	memset(&o, 0, sizeof(o));
	o.version = 4;
	o.my_as = 65001;
	o.asn = 65001;
	o.hold_time = 90;
	o.bgp_id = 0xc0000201;
	wt_hex(&want, "ffffffffffffffffffffffffffffffff 001d 01 04 fde9 005a c0000201 00");
	assert_int_equal(wire_open_encode(buf, sizeof(buf), &o), want.n);
	assert_memory_equal(buf, want.b, want.n);
}

/* The exact bytes of an OPEN with one capability (nothing to order). */
static void test_open_encode_minimal(void **state)
{
	struct wire_open o;
	uint8_t buf[64];
	struct wt_buf want = {0};

	memset(&o, 0, sizeof(o));
	o.version = 4;
	o.my_as = 65001;
	o.asn = 65001;
	o.hold_time = 90;
	o.bgp_id = 0xc0000201;
	o.caps.as4_present = true;
	o.caps.as4 = 65001;
	wt_hex(&want, "ffffffffffffffffffffffffffffffff 0025 01 04 fde9 005a c0000201"
		      "08 02 06 41 04 0000fde9");
	assert_int_equal(wire_open_encode(buf, sizeof(buf), &o), want.n);
	assert_memory_equal(buf, want.b, want.n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_open_no_params),
	    cmocka_unit_test(test_open_all_caps_one_param),
	    cmocka_unit_test(test_open_caps_separate_params),
	    cmocka_unit_test(test_open_old_route_refresh),
	    cmocka_unit_test(test_open_rfc9072),
	    cmocka_unit_test(test_open_255_octets_not_extended),
	    cmocka_unit_test(test_open_bad_version),
	    cmocka_unit_test(test_open_hold_time),
	    cmocka_unit_test(test_open_bad_bgp_id),
	    cmocka_unit_test(test_open_as0),
	    cmocka_unit_test(test_open_unsupported_param),
	    cmocka_unit_test(test_open_framing_errors),
	    cmocka_unit_test(test_open_round_trip),
	    cmocka_unit_test(test_open_encode_minimal),
	    cmocka_unit_test(test_open_encode_no_caps),
	    cmocka_unit_test(test_open_encode_rfc9072),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
