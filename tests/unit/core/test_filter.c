/* test_filter.c: the IXP import filters (src/core/filter.c): each bogon block at its edges,
 * the length limits, bogon ASNs and the AS path length. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <routex/filter.h>
#include <routex/wire.h>

static enum filter_reason pfx(const char *s)
{
	struct rx_prefix p;
	assert_true(rx_prefix_parse(s, &p, false));
	return filter_prefix(&p);
}

static void test_prefixes(void **state)
{
	/* Routed space passes, right next to the bogon blocks. */
	static const char *const ok[] = {
	    "9.255.255.0/24", "11.0.0.0/8",    "100.63.0.0/16", "100.128.0.0/10",
	    "172.15.0.0/16",  "172.32.0.0/11", "192.0.1.0/24",  "192.0.3.0/24",
	    "198.17.0.0/16",  "198.20.0.0/14", "223.255.0.0/16", "193.0.0.0/21",
	    "2a00:1450::/32", "2001:db9::/32", "2001:4860::/32", "2c0f:f000::/24",
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		print_message("%s\n", ok[i]);
		assert_int_equal(pfx(ok[i]), FILTER_OK);
	}
	static const char *const bogon[] = {
	    "0.0.0.0/8",      "10.0.0.0/8",     "10.20.30.0/24",  "100.64.0.0/10",
	    "100.127.255.0/24", "127.0.0.0/8",  "169.254.1.0/24", "172.16.0.0/12",
	    "172.31.255.0/24", "192.0.0.0/24",  "192.0.2.0/24",   "192.168.0.0/16",
	    "198.18.0.0/15",  "198.19.255.0/24", "198.51.100.0/24", "203.0.113.0/24",
	    "224.0.0.0/8",    "239.1.0.0/16",   "240.0.0.0/8",    "255.255.255.0/24",
	    "::/16",          "2001:db8::/32",  "2001:db8:1::/48", "fc00::/16",
	    "fd12:3456::/32", "fe80::/16",      "ff02::/16",       "3ffe::/16",
	    "2001:10::/28",   "2001:2::/48",
	};
	for (size_t i = 0; i < sizeof(bogon) / sizeof(bogon[0]); i++) {
		print_message("%s\n", bogon[i]);
		assert_int_equal(pfx(bogon[i]), FILTER_BOGON_PREFIX);
	}
	/* Length limits come first: /25 and /49 are refused for length even in routed space. */
	assert_int_equal(pfx("193.0.0.0/25"), FILTER_PREFIX_LENGTH);
	assert_int_equal(pfx("4.0.0.0/7"), FILTER_PREFIX_LENGTH);
	assert_int_equal(pfx("0.0.0.0/0"), FILTER_PREFIX_LENGTH);
	assert_int_equal(pfx("224.0.0.0/4"), FILTER_PREFIX_LENGTH); /* a bogon, refused anyway */
	assert_int_equal(pfx("2a00:1450:4001::/49"), FILTER_PREFIX_LENGTH);
	assert_int_equal(pfx("2a00::/15"), FILTER_PREFIX_LENGTH);
	assert_int_equal(pfx("::/0"), FILTER_PREFIX_LENGTH);
	assert_int_equal(pfx("193.0.0.0/24"), FILTER_OK);
	assert_int_equal(pfx("2a00:1450:4001::/48"), FILTER_OK);
}

static void test_asns(void **state)
{
	static const uint32_t bogon[] = {0, 23456, 64496, 64511, 64512, 65534, 65535, 65536,
					 65551, 65552, 131071, 4200000000u, 4294967294u,
					 4294967295u};
	static const uint32_t ok[] = {1, 3320, 23455, 23457, 64495, 131072, 4199999999u};
	for (size_t i = 0; i < sizeof(bogon) / sizeof(bogon[0]); i++)
		assert_true(filter_bogon_asn(bogon[i]));
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		assert_false(filter_bogon_asn(ok[i]));
}

/* A one-segment 4-octet path. */
static size_t path(uint8_t type, const uint32_t *as, unsigned n, uint8_t *out)
{
	out[0] = type;
	out[1] = (uint8_t)n;
	for (unsigned i = 0; i < n; i++)
		wire_put32(out + 2 + 4 * i, as[i]);
	return 2 + 4 * (size_t)n;
}

static void test_paths(void **state)
{
	uint8_t b[64];
	static const uint32_t clean[] = {3320, 1299, 15169};
	size_t n = path(WIRE_AS_SEQUENCE, clean, 3, b);
	assert_int_equal(filter_aspath(b, n, true, 3), FILTER_OK);
	assert_int_equal(filter_aspath(b, n, true, 2), FILTER_AS_PATH_LENGTH);
	assert_int_equal(filter_aspath(b, n, false, 0), FILTER_OK);
	static const uint32_t leak[] = {3320, 64512, 15169};
	n = path(WIRE_AS_SEQUENCE, leak, 3, b);
	assert_int_equal(filter_aspath(b, n, true, 0), FILTER_BOGON_ASN);
	assert_int_equal(filter_aspath(b, n, false, 0), FILTER_OK); /* bogons off */
	/* An AS_SET counts as one for the length, and its members are checked too. */
	static const uint32_t set[] = {1299, 2914, 3356, 6939};
	n = path(WIRE_AS_SET, set, 4, b);
	assert_int_equal(filter_aspath(b, n, true, 1), FILTER_OK);
	static const uint32_t set_bogon[] = {1299, 23456};
	n = path(WIRE_AS_SET, set_bogon, 2, b);
	assert_int_equal(filter_aspath(b, n, true, 0), FILTER_BOGON_ASN);
	assert_int_equal(filter_aspath(NULL, 0, true, 1), FILTER_OK); /* iBGP: empty path */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_prefixes),
	    cmocka_unit_test(test_asns),
	    cmocka_unit_test(test_paths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
