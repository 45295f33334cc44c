/* test_msg.c: byte-level tests of the message header (RFC 4271 4.1, 6.1, RFC 8654),
 * NOTIFICATION (RFC 4271 4.5) with the shutdown communication (RFC 9003), KEEPALIVE
 * (RFC 4271 4.4) and ROUTE-REFRESH (RFC 2918, RFC 7313).
 *
 * Every vector is written from the RFC layout; the codec's encoders are checked against
 * these bytes, never against themselves. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "wtest.h"

#define MARKER "ffffffffffffffffffffffffffffffff"

/* ---- Header ---- */

static size_t check_hdr(const char *hex, size_t max_len, uint8_t *type, struct wire_error *err)
{
	static struct wt_buf b;

	b.n = 0;
	wt_hex(&b, hex);
	memset(err, 0, sizeof(*err));
	return wire_header_check(b.b, b.n, max_len, type, err);
}

static void test_header_valid(void **state)
{
	struct wire_error err;
	uint8_t type = 0;

	assert_int_equal(check_hdr(MARKER "0013 04", WIRE_MAX_LEN, &type, &err), 19);
	assert_int_equal(type, WIRE_KEEPALIVE);
	assert_int_equal(check_hdr(MARKER "0017 02", WIRE_MAX_LEN, &type, &err), 23);
	assert_int_equal(type, WIRE_UPDATE);
	assert_int_equal(check_hdr(MARKER "1000 02", WIRE_MAX_LEN, &type, &err), 4096);
	assert_int_equal(check_hdr(MARKER "001d 01", WIRE_MAX_LEN, &type, &err), 29);
	assert_int_equal(type, WIRE_OPEN);
	assert_int_equal(check_hdr(MARKER "0015 03", WIRE_MAX_LEN, &type, &err), 21);
	assert_int_equal(check_hdr(MARKER "0017 05", WIRE_MAX_LEN, &type, &err), 23);
	assert_int_equal(type, WIRE_ROUTE_REFRESH);
	/* RFC 8654 3: UPDATE and NOTIFICATION may exceed 4096 once negotiated. */
	assert_int_equal(check_hdr(MARKER "ffff 02", WIRE_EXT_MAX_LEN, &type, &err), 65535);
	assert_int_equal(check_hdr(MARKER "1388 03", WIRE_EXT_MAX_LEN, &type, &err), 5000);
}

struct hdr_case {
	const char *name;
	const char *hex;
	size_t max_len;
	uint8_t subcode;
	const char *data; /* expected NOTIFICATION data */
};

/* RFC 4271 6.1: 1/1 bad marker, 1/2 with the erroneous Length field as data, 1/3 with the
 * Type field as data. Minimum lengths per type from RFC 4271 4.2-4.5 and RFC 2918 3. */
static const struct hdr_case hdr_cases[] = {
    {"marker not all ones", "ffffffffffffffffffffffffffffff7f 0013 04", WIRE_MAX_LEN, 1, NULL},
    {"marker all zero", "00000000000000000000000000000000 0013 04", WIRE_MAX_LEN, 1, NULL},
    {"length 18", MARKER "0012 04", WIRE_MAX_LEN, 2, "0012"},
    {"length 0", MARKER "0000 02", WIRE_MAX_LEN, 2, "0000"},
    {"length 4097 without RFC 8654", MARKER "1001 02", WIRE_MAX_LEN, 2, "1001"},
    {"OPEN 28", MARKER "001c 01", WIRE_MAX_LEN, 2, "001c"},
    {"OPEN over 4096 even with RFC 8654", MARKER "1001 01", WIRE_EXT_MAX_LEN, 2, "1001"},
    {"UPDATE 22", MARKER "0016 02", WIRE_MAX_LEN, 2, "0016"},
    {"NOTIFICATION 20", MARKER "0014 03", WIRE_MAX_LEN, 2, "0014"},
    {"KEEPALIVE 20", MARKER "0014 04", WIRE_MAX_LEN, 2, "0014"},
    {"KEEPALIVE over 4096 with RFC 8654", MARKER "1001 04", WIRE_EXT_MAX_LEN, 2, "1001"},
    {"ROUTE-REFRESH 22", MARKER "0016 05", WIRE_MAX_LEN, 2, "0016"},
    {"type 0", MARKER "0013 00", WIRE_MAX_LEN, 3, "00"},
    {"type 6", MARKER "0017 06", WIRE_MAX_LEN, 3, "06"},
    {"type 255", MARKER "0017 ff", WIRE_MAX_LEN, 3, "ff"},
};

static void test_header_errors(void **state)
{
	for (size_t i = 0; i < sizeof(hdr_cases) / sizeof(hdr_cases[0]); i++) {
		const struct hdr_case *c = &hdr_cases[i];
		struct wire_error err;
		uint8_t type = 0;
		struct wt_buf *d = calloc(1, sizeof(*d));

		print_message("header: %s\n", c->name);
		assert_int_equal(check_hdr(c->hex, c->max_len, &type, &err), 0);
		assert_int_equal(err.action, WIRE_SESSION_RESET);
		assert_int_equal(err.code, WIRE_ERR_HEADER);
		assert_int_equal(err.subcode, c->subcode);
		if (c->data) {
			wt_hex(d, c->data);
			assert_int_equal(err.data_len, d->n);
			assert_non_null(err.data);
			assert_memory_equal(err.data, d->b, d->n);
		}
		free(d);
	}
}

static void test_header_put(void **state)
{
	uint8_t buf[19];
	struct wt_buf want = {0};

	wt_hex(&want, MARKER "0fa0 02");
	assert_int_equal(wire_header_put(buf, 4000, WIRE_UPDATE), WIRE_HEADER_LEN);
	assert_memory_equal(buf, want.b, 19);
}

/* ---- KEEPALIVE ---- */

static void test_keepalive(void **state)
{
	uint8_t buf[32];
	struct wt_buf want = {0};

	wt_hex(&want, MARKER "0013 04");
	memset(buf, 0, sizeof(buf));
	assert_int_equal(wire_keepalive_encode(buf, sizeof(buf)), 19);
	assert_memory_equal(buf, want.b, 19);
	assert_int_equal(wire_keepalive_encode(buf, 18), 0);
}

/* ---- NOTIFICATION ---- */

static void test_notification_parse(void **state)
{
	struct wt_buf b = {0};
	struct wire_notification n;

	wt_hex(&b, "03 01");
	assert_true(wire_notification_parse(b.b, b.n, &n));
	assert_int_equal(n.code, 3);
	assert_int_equal(n.subcode, 1);
	assert_int_equal(n.data_len, 0);

	b.n = 0;
	wt_hex(&b, "01 02 0012");
	assert_true(wire_notification_parse(b.b, b.n, &n));
	assert_int_equal(n.data_len, 2);
	assert_memory_equal(n.data, b.b + 2, 2);

	/* RFC 4271 4.5: code and subcode are mandatory. */
	assert_false(wire_notification_parse(b.b, 1, &n));
	assert_false(wire_notification_parse(b.b, 0, &n));
}

static void test_notification_encode(void **state)
{
	uint8_t buf[64];
	struct wt_buf want = {0};
	static const uint8_t data[] = {0x00, 0x12};

	wt_hex(&want, MARKER "0017 03 01 02 0012");
	assert_int_equal(wire_notification_encode(buf, sizeof(buf), 1, 2, data, 2), 23);
	assert_memory_equal(buf, want.b, 23);
	assert_int_equal(wire_notification_encode(buf, 22, 1, 2, data, 2), 0);
}

static bool shutdown_of(const char *body_hex, char *out, size_t size)
{
	static struct wt_buf b;
	struct wire_notification n;

	b.n = 0;
	wt_hex(&b, body_hex);
	assert_true(wire_notification_parse(b.b, b.n, &n));
	return wire_shutdown_msg(&n, out, size);
}

/* RFC 9003 2: Cease/2 and Cease/4 carry a length octet and up to 255 octets of UTF-8. */
static void test_shutdown_msg(void **state)
{
	char out[300];

	/* "maintenance" */
	assert_true(shutdown_of("06 02 0b 6d61696e74656e616e6365", out, sizeof(out)));
	assert_string_equal(out, "maintenance");
	assert_true(shutdown_of("06 04 02 6f6b", out, sizeof(out)));
	assert_string_equal(out, "ok");
	/* Valid multi-octet UTF-8 ("Grüße") passes unchanged. */
	assert_true(shutdown_of("06 02 07 4772c3bc c39f 65", out, sizeof(out)));
	assert_string_equal(out, "Gr\xc3\xbc\xc3\x9f"
				 "e");
	/* Other Cease subcodes carry no shutdown communication. */
	assert_false(shutdown_of("06 03 02 6f6b", out, sizeof(out)));
	assert_false(shutdown_of("03 01", out, sizeof(out)));
}

/* Control characters must not reach logs or terminals (the Junos NETCONF case). */
static void test_shutdown_sanitised(void **state)
{
	char out[300];

	/* "a" BEL "b" ESC "[2J" NL "c" DEL */
	assert_true(shutdown_of("06 02 09 61 07 62 1b 5b324a 0a 63", out, sizeof(out)));
	assert_string_equal(out, "a?b?[2J?c");
	assert_true(shutdown_of("06 02 02 61 7f", out, sizeof(out)));
	assert_string_equal(out, "a?");
	/* C1 controls in UTF-8: "a" U+009B (CSI) "2Jb" U+0085 (NEL) "c"; U+00A0 stays. */
	assert_true(shutdown_of("06 02 0b 61 c29b 324a62 c285 63 c2a0", out, sizeof(out)));
	assert_string_equal(out, "a?2Jb?c\xc2\xa0");
	/* Invalid UTF-8: a lone continuation octet and a truncated sequence. */
	assert_true(shutdown_of("06 02 03 61 80 62", out, sizeof(out)));
	assert_string_equal(out, "a?b");
	assert_true(shutdown_of("06 02 02 61 c3", out, sizeof(out)));
	assert_int_equal(strchr(out, '\xc3'), NULL);
	/* NUL inside the text cannot truncate or hide what follows. */
	assert_true(shutdown_of("06 02 03 61 00 62", out, sizeof(out)));
	assert_string_equal(out, "a?b");
	/* The output buffer bounds the copy and is always terminated. */
	memset(out, 'Z', sizeof(out));
	assert_true(shutdown_of("06 02 0b 6d61696e74656e616e6365", out, 5));
	assert_string_equal(out, "main"); /* every character that fits */
	assert_int_equal(out[5], 'Z');
	/* A multi-octet character that does not fit whole is left out, never cut. */
	assert_true(shutdown_of("06 02 03 61 c3bc", out, 3));
	assert_string_equal(out, "a");
}

/* RFC 9003 2: a length octet beyond the data is malformed (older Junos read the length
 * octet as text: it must never be shown as a character). */
static void test_shutdown_bad_length(void **state)
{
	char out[300];

	assert_false(shutdown_of("06 02 05 6f6b", out, sizeof(out)));
	assert_false(shutdown_of("06 02 ff", out, sizeof(out)));
	assert_false(shutdown_of("06 02", out, sizeof(out)));
}

static void test_shutdown_encode(void **state)
{
	uint8_t buf[400];
	struct wt_buf want = {0};
	struct wire_notification n;
	char text[256], out[300];

	wt_hex(&want, MARKER "0021 03 06 02 0b 6d61696e74656e616e6365");
	assert_int_equal(wire_shutdown_encode(buf, sizeof(buf), 2, "maintenance"), want.n);
	assert_memory_equal(buf, want.b, want.n);

	/* 255 octets is the RFC 9003 maximum and must round-trip. */
	memset(text, 'x', 255);
	text[255] = 0;
	size_t len = wire_shutdown_encode(buf, sizeof(buf), 4, text);
	assert_int_equal(len, 19 + 2 + 1 + 255);
	assert_true(wire_notification_parse(buf + 19, len - 19, &n));
	assert_true(wire_shutdown_msg(&n, out, sizeof(out)));
	assert_string_equal(out, text);
}

/* ---- ROUTE-REFRESH ---- */

static bool rr_parse(const char *hex, struct wire_route_refresh *rr, struct wire_error *err)
{
	static struct wt_buf b;

	b.n = 0;
	wt_hex(&b, hex);
	memset(err, 0, sizeof(*err));
	return wire_route_refresh_parse(b.b, b.n, rr, err);
}

static void test_route_refresh_parse(void **state)
{
	struct wire_route_refresh rr;
	struct wire_error err;

	assert_true(rr_parse("0001 00 01", &rr, &err));
	assert_int_equal(rr.afi, 1);
	assert_int_equal(rr.subtype, WIRE_RR_NORMAL);
	assert_int_equal(rr.safi, 1);
	assert_true(rr_parse("0002 01 01", &rr, &err));
	assert_int_equal(rr.afi, 2);
	assert_int_equal(rr.subtype, WIRE_RR_BORR);
	assert_true(rr_parse("0002 02 01", &rr, &err));
	assert_int_equal(rr.subtype, WIRE_RR_EORR);
}

/* RFC 7313 5: BoRR/EoRR whose length (without the header) is not 4 gets 7/1. */
static void test_route_refresh_bad_length(void **state)
{
	struct wire_route_refresh rr;
	struct wire_error err;

	assert_false(rr_parse("0001 01 01 00", &rr, &err));
	assert_int_equal(err.action, WIRE_SESSION_RESET);
	assert_int_equal(err.code, WIRE_ERR_ROUTE_REFRESH);
	assert_int_equal(err.subcode, 1);
	assert_false(rr_parse("0002 02 01 0000", &rr, &err));
	assert_int_equal(err.action, WIRE_SESSION_RESET);
	assert_int_equal(err.code, WIRE_ERR_ROUTE_REFRESH);
	assert_int_equal(err.subcode, 1);
	/* Too short to hold AFI/SAFI at all: a reset, whatever the subtype octet says. */
	assert_false(rr_parse("0001 01", &rr, &err));
	assert_int_equal(err.action, WIRE_SESSION_RESET);
}

/* RFC 7313 5: an unknown subtype is ignored, never a reason to reset the session. */
static void test_route_refresh_unknown_subtype(void **state)
{
	struct wire_route_refresh rr;
	struct wire_error err;

	if (!rr_parse("0001 03 01", &rr, &err))
		assert_int_not_equal(err.action, WIRE_SESSION_RESET);
	else
		assert_int_equal(rr.subtype, 3);
}

static void test_route_refresh_encode(void **state)
{
	uint8_t buf[64];
	struct wt_buf want = {0};

	wt_hex(&want, MARKER "0017 05 0002 01 01");
	assert_int_equal(wire_route_refresh_encode(buf, sizeof(buf), 2, 1, WIRE_RR_BORR), 23);
	assert_memory_equal(buf, want.b, 23);
	assert_int_equal(wire_route_refresh_encode(buf, 22, 2, 1, WIRE_RR_BORR), 0);
}

/* ---- Names and families ---- */

static void test_names_and_families(void **state)
{
	enum rx_family f;
	uint16_t afi;
	uint8_t safi;

	assert_string_equal(wire_msg_name(WIRE_UPDATE), "UPDATE");
	assert_string_equal(wire_msg_name(WIRE_OPEN), "OPEN");
	assert_non_null(wire_msg_name(200));
	assert_non_null(wire_err_name(200));
	assert_non_null(wire_suberr_name(3, 200));
	assert_true(wire_family(2, 1, &f));
	assert_int_equal(f, RX_FAM_IPV6_UNICAST);
	assert_true(wire_family(1, 2, &f));
	assert_int_equal(f, RX_FAM_IPV4_MULTICAST);
	assert_false(wire_family(1, 128, &f));
	assert_false(wire_family(25, 70, &f));
	wire_family_afi_safi(RX_FAM_IPV6_MULTICAST, &afi, &safi);
	assert_int_equal(afi, 2);
	assert_int_equal(safi, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_header_valid),
	    cmocka_unit_test(test_header_errors),
	    cmocka_unit_test(test_header_put),
	    cmocka_unit_test(test_keepalive),
	    cmocka_unit_test(test_notification_parse),
	    cmocka_unit_test(test_notification_encode),
	    cmocka_unit_test(test_shutdown_msg),
	    cmocka_unit_test(test_shutdown_sanitised),
	    cmocka_unit_test(test_shutdown_bad_length),
	    cmocka_unit_test(test_shutdown_encode),
	    cmocka_unit_test(test_route_refresh_parse),
	    cmocka_unit_test(test_route_refresh_bad_length),
	    cmocka_unit_test(test_route_refresh_unknown_subtype),
	    cmocka_unit_test(test_route_refresh_encode),
	    cmocka_unit_test(test_names_and_families),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
