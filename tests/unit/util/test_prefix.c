/* test_prefix.c: the prefix type: parsing, printing, total order, masking, containment,
 * for IPv4 and IPv6, host routes and the default route. */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include <routex/prefix.h>

static struct rx_prefix P(const char *s) {
	struct rx_prefix p;
	assert_true(rx_prefix_parse(s, &p, false));
	return p;
}

static void
roundtrip(const char *in, const char *out)
{
	struct rx_prefix p;
	char buf[RX_PREFIX_STRLEN];
	assert_true(rx_prefix_parse(in, &p, false));
	assert_int_equal(rx_prefix_fmt(&p, buf, sizeof(buf)), (int)strlen(out));
	assert_string_equal(buf, out);
}

static void test_parse_print(void **state)
{
	(void)state;
	roundtrip("10.0.0.0/8", "10.0.0.0/8");
	roundtrip("0.0.0.0/0", "0.0.0.0/0");
	roundtrip("192.0.2.1", "192.0.2.1/32"); /* a bare address is a host route */
	roundtrip("255.255.255.255/32", "255.255.255.255/32");
	roundtrip("2001:db8::/32", "2001:db8::/32");
	roundtrip("2001:DB8:0:0::/48", "2001:db8::/48");
	roundtrip("::/0", "::/0");
	roundtrip("2001:db8::1", "2001:db8::1/128");
	struct rx_prefix p = P("2001:db8::1");
	assert_int_equal(p.afi, RX_AFI_IPV6);
	assert_int_equal(p.len, 128);
	p = P("10.1.2.0/24");
	assert_int_equal(p.afi, RX_AFI_IPV4);
	assert_int_equal(p.len, 24);
	assert_int_equal(p.addr[0], 10);
	assert_int_equal(p.addr[2], 2);
	for (int i = 4; i < 16; i++)
		assert_int_equal(p.addr[i], 0);
}

static void test_parse_errors(void **state)
{
	(void)state;
	struct rx_prefix p;
	const char *bad[] = {"",
			     "/24",
			     "10.0.0.0/",
			     "10.0.0.0/33",
			     "10.0.0.0/2a",
			     "10.0.0.0/-1",
			     "10.0.0/24",
			     "::/129",
			     "2001:db8::/1000",
			     "10.0.0.0/8/8",
			     "x::/0",
			     "10.0.0.256/32"};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (rx_prefix_parse(bad[i], &p, true))
			fail_msg("accepted \"%s\"", bad[i]);
	/* host bits: rejected unless allowed, and kept when allowed */
	assert_false(rx_prefix_parse("10.1.2.3/24", &p, false));
	assert_true(rx_prefix_parse("10.1.2.3/24", &p, true));
	assert_false(rx_prefix_is_canonical(&p));
	rx_prefix_mask(&p);
	assert_true(rx_prefix_is_canonical(&p));
	assert_true(rx_prefix_equal(&p, &(struct rx_prefix){0}) == false);
	struct rx_prefix q = P("10.1.2.0/24");
	assert_true(rx_prefix_equal(&p, &q));
	assert_false(rx_prefix_parse("2001:db8::1/64", &p, false));
}

static void test_order(void **state)
{
	(void)state;
	/* AFI, then address, then length */
	const char *sorted[] = {"0.0.0.0/0",   "10.0.0.0/8",	"10.0.0.0/16",	"10.0.0.0/24",
				"10.1.0.0/16", "10.128.0.0/9",	"192.0.2.1/32", "::/0",
				"::1/128",     "2001:db8::/32", "2001:db8::/48"};
	unsigned n = sizeof(sorted) / sizeof(sorted[0]);
	for (unsigned i = 0; i < n; i++)
		for (unsigned j = 0; j < n; j++) {
			struct rx_prefix a = P(sorted[i]), b = P(sorted[j]);
			int c = rx_prefix_cmp(&a, &b);
			assert_int_equal(c, i < j ? -1 : i > j ? 1 : 0);
		}
}

static void test_mask_contains(void **state)
{
	(void)state;
	struct rx_prefix p;
	assert_true(rx_prefix_parse("2001:db8:ffff:ffff::/33", &p, true));
	rx_prefix_mask(&p);
	char buf[RX_PREFIX_STRLEN];
	rx_prefix_fmt(&p, buf, sizeof(buf));
	assert_string_equal(buf, "2001:db8:8000::/33");
	struct rx_prefix d4 = P("0.0.0.0/0"), d6 = P("::/0");
	struct rx_prefix a = P("10.1.0.0/16"), b = P("10.1.2.0/24"), h = P("10.1.2.3");
	assert_true(rx_prefix_contains(&d4, &b));
	assert_false(rx_prefix_contains(&d6, &b)); /* never across families */
	assert_true(rx_prefix_contains(&a, &b));
	assert_true(rx_prefix_contains(&b, &h));
	assert_true(rx_prefix_contains(&a, &a));
	assert_false(rx_prefix_contains(&b, &a));
	struct rx_prefix c = P("10.0.0.0/15"), e = P("10.2.0.0/16");
	assert_true(rx_prefix_contains(&c, &a)); /* 10.0/15 covers 10.1/16 */
	assert_false(rx_prefix_contains(&c, &e));
	struct rx_prefix h6 = P("2001:db8::1"), n6 = P("2001:db8::/127");
	assert_true(rx_prefix_contains(&n6, &h6));
	assert_true(rx_prefix_contains(&d6, &h6));
	assert_int_equal(rx_prefix_bit(&h, 0), 0);
	assert_int_equal(rx_prefix_bit(&h, 4), 1); /* 10 = 0000 1010 */
	assert_int_equal(rx_prefix_bit(&h, 31), 1);
	assert_int_equal(rx_afi_bits(RX_AFI_IPV4), 32);
	assert_int_equal(rx_afi_bits(RX_AFI_IPV6), 128);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_print),
	    cmocka_unit_test(test_parse_errors),
	    cmocka_unit_test(test_order),
	    cmocka_unit_test(test_mask_contains),
	};
	return cmocka_run_group_tests_name("prefix", tests, NULL, NULL);
}
