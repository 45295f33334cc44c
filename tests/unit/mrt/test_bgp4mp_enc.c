/* test_bgp4mp_enc.c: the BGP4MP_ET record encoder of the message log (src/mrt/bgp4mp_enc.c).
 *
 * Covered: the exact bytes of records worked out by hand from RFC 6396 (2 common header,
 * 3 extended timestamp, 4.4.1 STATE_CHANGE_AS4, 4.4.2/4.4.3 MESSAGE and MESSAGE_AS4) and
 * RFC 8050 3 (_ADDPATH subtypes): IPv4 and IPv6 peers, 2-octet sessions (AS_TRANS for a
 * 4-octet AS), a buffer too small; then records read back by the project's reader and
 * printed as bgpdump -m prints them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <routex/mrt.h>
#include <routex/wire.h>

#include "mtest.h"

/* 2026-11-26 00:00:01.000042 UTC */
#define T_US (1795651201ull * 1000000u + 42u)

static const uint8_t keepalive[19] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x13, 0x04};

static struct mrt_bgp4mp_peer peer4(void)
{
	struct mrt_bgp4mp_peer p = {.peer_as = 4200000001u, .local_as = 65515, .ifindex = 0,
				    .afi = RX_AFI_IPV4, .as4 = true};
	memcpy(p.peer_ip, (uint8_t[]){192, 0, 2, 1}, 4);
	memcpy(p.local_ip, (uint8_t[]){192, 0, 2, 254}, 4);
	return p;
}

static void expect(const uint8_t *got, size_t n, const char *hex)
{
	struct mt_buf m = {0};
	mt_hex(&m, hex);
	assert_int_equal(n, m.n);
	assert_memory_equal(got, m.b, n);
	mt_free(&m);
}

static void test_message_as4_ipv4(void **state)
{
	(void)state;
	struct mrt_bgp4mp_peer p = peer4();
	uint8_t out[256];
	size_t n = mrt_bgp4mp_message_encode(out, sizeof(out), &p, false, T_US, keepalive, 19);
	assert_int_equal(n, mrt_bgp4mp_message_len(&p, 19));
	expect(out, n,
	       /* MRT header: time 1795651201, type 17 BGP4MP_ET, subtype 4 MESSAGE_AS4,
		* length 4 (microseconds) + 20 (common) + 19 (message) = 43 */
	       "6b077681 0011 0004 0000002b"
	       "0000002a"		/* 42 microseconds */
	       "fa56ea01 0000ffeb"	/* peer AS 4200000001, local AS 65515 */
	       "0000 0001"		/* interface index 0, AFI 1 */
	       "c0000201 c00002fe"	/* peer 192.0.2.1, local 192.0.2.254 */
	       "ffffffffffffffffffffffffffffffff 0013 04");
}

static void test_message_as2_trans(void **state)
{
	(void)state;
	struct mrt_bgp4mp_peer p = peer4();
	p.as4 = false;
	p.peer_as = 65001;
	p.local_as = 4200000000u; /* no 2-octet form: AS_TRANS (RFC 6793 9) */
	uint8_t out[256];
	size_t n = mrt_bgp4mp_message_encode(out, sizeof(out), &p, false, T_US, keepalive, 19);
	expect(out, n,
	       "6b077681 0011 0001 00000027 0000002a"
	       "fde9 5ba0 0000 0001 c0000201 c00002fe"
	       "ffffffffffffffffffffffffffffffff 0013 04");
	assert_int_equal(mrt_bgp4mp_message_subtype(&p, true), MRT_BGP4MP_MESSAGE_ADDPATH);
	p.as4 = true;
	assert_int_equal(mrt_bgp4mp_message_subtype(&p, true), MRT_BGP4MP_MESSAGE_AS4_ADDPATH);
	assert_int_equal(mrt_bgp4mp_message_subtype(&p, false), MRT_BGP4MP_MESSAGE_AS4);
}

static void test_message_ipv6_addpath(void **state)
{
	(void)state;
	struct mrt_bgp4mp_peer p = {.peer_as = 65002, .local_as = 65515, .ifindex = 7,
				    .afi = RX_AFI_IPV6, .as4 = true};
	p.peer_ip[0] = 0x20, p.peer_ip[1] = 0x01, p.peer_ip[2] = 0x0d, p.peer_ip[3] = 0xb8;
	p.peer_ip[15] = 1;
	p.local_ip[0] = 0x20, p.local_ip[1] = 0x01, p.local_ip[2] = 0x0d, p.local_ip[3] = 0xb8;
	p.local_ip[15] = 2;
	uint8_t out[256];
	size_t n = mrt_bgp4mp_message_encode(out, sizeof(out), &p, true, T_US, keepalive, 19);
	expect(out, n,
	       "6b077681 0011 0009 00000043 0000002a" /* 4 + 44 + 19 = 67 */
	       "0000fdea 0000ffeb 0007 0002"
	       "20010db8000000000000000000000001 20010db8000000000000000000000002"
	       "ffffffffffffffffffffffffffffffff 0013 04");
	/* One octet short: nothing written. */
	assert_int_equal(mrt_bgp4mp_message_encode(out, n - 1, &p, true, T_US, keepalive, 19), 0);
	assert_true(MRT_BGP4MP_HDR_MAX + 19 >= n);
}

static void test_state_change(void **state)
{
	(void)state;
	struct mrt_bgp4mp_peer p = peer4();
	p.as4 = false; /* the state record is _AS4 whatever the session */
	uint8_t out[64];
	size_t n = mrt_bgp4mp_state_encode(out, sizeof(out), &p, T_US, 5, 6);
	assert_int_equal(n, mrt_bgp4mp_state_len(&p));
	expect(out, n,
	       "6b077681 0011 0005 0000001c 0000002a" /* 4 + 20 + 4 = 28 */
	       "fa56ea01 0000ffeb 0000 0001 c0000201 c00002fe"
	       "0005 0006");
	assert_int_equal(mrt_bgp4mp_state_encode(out, n - 1, &p, T_US, 6, 1), 0);
}

/* An UPDATE and two state changes, read back by routex's reader and printed as bgpdump -m
 * prints them. */
static void test_read_back(void **state)
{
	(void)state;
	struct mt_buf upd = {0};
	mt_hex(&upd, "ffffffffffffffffffffffffffffffff 0000 02"
		     "0000"		       /* no withdrawn routes */
		     "001c"		       /* attributes: 4 + 17 + 7 octets */
		     "40 01 01 00"	       /* ORIGIN IGP */
		     "40 02 0e 02 03 fa56ea01 0000fde9 0000fdea" /* AS_PATH 4200000001 65001 65002 */
		     "40 03 04 c0000201"       /* NEXT_HOP 192.0.2.1 */
		     "18 0a0100");	       /* 10.1.0.0/24 */
	wire_put16(upd.b + 16, (uint16_t)upd.n);
	struct mrt_bgp4mp_peer p = peer4();
	uint8_t out[1024];
	size_t n = mrt_bgp4mp_state_encode(out, sizeof(out), &p, T_US, 5, 6);
	size_t m = mrt_bgp4mp_message_encode(out + n, sizeof(out) - n, &p, false, T_US + 1, upd.b,
					     upd.n);
	assert_true(m > 0);
	n += m;
	n += mrt_bgp4mp_state_encode(out + n, sizeof(out) - n, &p, T_US + 2, 6, 1);
	enum mrt_status st;
	struct mrt_stats stats;
	char *text = mt_dump(out, n, &st, &stats);
	assert_int_equal(st, MRT_END);
	assert_string_equal(text,
			    "BGP4MP_ET|1795651201.000042|STATE|192.0.2.1|4200000001|5|6\n"
			    "BGP4MP_ET|1795651201.000043|A|192.0.2.1|4200000001|10.1.0.0/24|"
			    "4200000001 65001 65002|IGP|192.0.2.1|0|0||NAG||\n"
			    "BGP4MP_ET|1795651201.000044|STATE|192.0.2.1|4200000001|6|1\n");
	free(text);
	mt_free(&upd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_message_as4_ipv4),
	    cmocka_unit_test(test_message_as2_trans),
	    cmocka_unit_test(test_message_ipv6_addpath),
	    cmocka_unit_test(test_state_change),
	    cmocka_unit_test(test_read_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
