/* test_rpki.c: RFC 6811 2 origin AS extraction over every segment kind, the verdict ->
 * state mapping (AS 0 and NONE never valid), and, with librtr, validation of IPv4 and IPv6
 * routes against a real librtr prefix table: exact and max-length matches, wrong origin,
 * too long, not covered, AS_SET origin, AS 0 ROAs (RFC 6483 4). */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <routex/rib-t.h>
#include <routex/rpki.h>
#include <routex/wire-t.h>

#ifdef RX_TEST_RTRLIB
#include "rpki-int.h"
#endif

#define OWN 65515u

/* Builds a 4-octet AS path: segments given as (type, count, asns...), ended by 0. */
static size_t path(uint8_t *buf, ...)
{
	va_list ap;
	va_start(ap, buf);
	size_t o = 0;
	for (int type; (type = va_arg(ap, int)) != 0;) {
		int n = va_arg(ap, int);
		buf[o++] = (uint8_t)type;
		buf[o++] = (uint8_t)n;
		for (int i = 0; i < n; i++) {
			uint32_t as = va_arg(ap, uint32_t);
			buf[o++] = (uint8_t)(as >> 24);
			buf[o++] = (uint8_t)(as >> 16);
			buf[o++] = (uint8_t)(as >> 8);
			buf[o++] = (uint8_t)as;
		}
	}
	va_end(ap);
	return o;
}

static void test_origin_as(void **state)
{
	uint8_t b[256];
	uint32_t o = 0;
	size_t n = path(b, WIRE_AS_SEQUENCE, 3, 65001u, 174u, 64500u, 0);
	assert_true(rpki_origin_as(b, n, OWN, &o));
	assert_int_equal(o, 64500);
	/* the rightmost AS of the final AS_SEQUENCE, whatever came before */
	n = path(b, WIRE_AS_SEQUENCE, 1, 65001u, WIRE_AS_SET, 2, 1u, 2u, WIRE_AS_SEQUENCE, 1,
		 4200000000u, 0);
	assert_true(rpki_origin_as(b, n, OWN, &o));
	assert_int_equal(o, 4200000000u);
	/* final AS_SET: NONE */
	n = path(b, WIRE_AS_SEQUENCE, 2, 65001u, 64500u, WIRE_AS_SET, 2, 64501u, 64502u, 0);
	assert_false(rpki_origin_as(b, n, OWN, &o));
	/* empty path (originated inside our AS): our own AS */
	o = 0;
	assert_true(rpki_origin_as(b, 0, OWN, &o));
	assert_int_equal(o, OWN);
	/* confederation segments last: our own AS too */
	n = path(b, WIRE_AS_CONFED_SEQUENCE, 2, 65100u, 65101u, 0);
	assert_true(rpki_origin_as(b, n, OWN, &o));
	assert_int_equal(o, OWN);
	n = path(b, WIRE_AS_SEQUENCE, 1, 64500u, WIRE_AS_CONFED_SET, 1, 65100u, 0);
	assert_true(rpki_origin_as(b, n, OWN, &o));
	assert_int_equal(o, OWN);
	/* an empty trailing segment carries no AS: the one before it decides */
	n = path(b, WIRE_AS_SEQUENCE, 1, 64500u, WIRE_AS_SET, 0, 0);
	assert_true(rpki_origin_as(b, n, OWN, &o));
	assert_int_equal(o, 64500);
}

static void test_state(void **state)
{
	assert_int_equal(rpki_state(RPKI_VALID, 64500), RIB_RPKI_VALID);
	assert_int_equal(rpki_state(RPKI_INVALID, 64500), RIB_RPKI_INVALID);
	assert_int_equal(rpki_state(RPKI_NOT_FOUND, 64500), RIB_RPKI_NOT_FOUND);
	/* AS 0 / NONE: a match can only be an AS 0 VRP, which means "never valid" */
	assert_int_equal(rpki_state(RPKI_VALID, 0), RIB_RPKI_INVALID);
	assert_int_equal(rpki_state(RPKI_NOT_FOUND, 0), RIB_RPKI_NOT_FOUND);
	assert_string_equal(rpki_state_name(RIB_RPKI_NONE), "none");
	assert_string_equal(rpki_state_name(RIB_RPKI_NOT_FOUND), "not-found");
	assert_string_equal(rpki_state_name(RIB_RPKI_VALID), "valid");
	assert_string_equal(rpki_state_name(RIB_RPKI_INVALID), "invalid");
}

#ifdef RX_TEST_RTRLIB
static void add(struct pfx_table *t, const char *addr, uint8_t len, uint8_t max, uint32_t asn)
{
	struct pfx_record r = {.asn = asn, .min_len = len, .max_len = max};
	assert_int_equal(lrtr_ip_str_to_addr(addr, &r.prefix), 0);
	assert_int_equal(pfx_table_add(t, &r), PFX_SUCCESS);
}

static uint8_t check(struct pfx_table *t, const char *pfx, uint32_t origin)
{
	uint8_t b[64];
	struct rx_prefix p;
	assert_true(rx_prefix_parse(pfx, &p, false));
	size_t n = path(b, WIRE_AS_SEQUENCE, 2, 65001u, origin, 0);
	return rpki_table_validate(t, &p, b, n, OWN);
}

static void test_librtr_table(void **state)
{
	struct pfx_table t;
	pfx_table_init(&t, NULL);
	add(&t, "192.0.2.0", 24, 24, 64500);
	add(&t, "198.51.100.0", 22, 24, 64500);
	add(&t, "203.0.113.0", 24, 24, 0); /* AS 0: nothing under it is ever valid */
	add(&t, "2001:db8:100::", 40, 48, 64500);
	assert_int_equal(check(&t, "192.0.2.0/24", 64500), RIB_RPKI_VALID);
	assert_int_equal(check(&t, "192.0.2.0/24", 64501), RIB_RPKI_INVALID);  /* wrong origin */
	assert_int_equal(check(&t, "192.0.2.128/25", 64500), RIB_RPKI_INVALID); /* too long */
	assert_int_equal(check(&t, "198.51.101.0/24", 64500), RIB_RPKI_VALID);  /* max length */
	assert_int_equal(check(&t, "198.51.101.0/25", 64500), RIB_RPKI_INVALID);
	assert_int_equal(check(&t, "192.0.0.0/16", 64500), RIB_RPKI_NOT_FOUND); /* less specific */
	assert_int_equal(check(&t, "10.0.0.0/8", 64500), RIB_RPKI_NOT_FOUND);
	assert_int_equal(check(&t, "203.0.113.0/24", 64500), RIB_RPKI_INVALID);
	assert_int_equal(check(&t, "203.0.113.0/24", 0), RIB_RPKI_INVALID);
	assert_int_equal(check(&t, "2001:db8:100:ff00::/56", 64500), RIB_RPKI_INVALID);
	assert_int_equal(check(&t, "2001:db8:1ff::/48", 64500), RIB_RPKI_VALID); /* max length */
	assert_int_equal(check(&t, "2001:db8:1ff::/48", 64501), RIB_RPKI_INVALID);
	assert_int_equal(check(&t, "2001:db8:100::/40", 64999), RIB_RPKI_INVALID);
	assert_int_equal(check(&t, "2001:db8:200::/40", 64500), RIB_RPKI_NOT_FOUND);
	/* AS_SET origin (NONE): covered means invalid even with a VRP of one of its members */
	uint8_t b[64];
	struct rx_prefix p;
	assert_true(rx_prefix_parse("192.0.2.0/24", &p, false));
	size_t n = path(b, WIRE_AS_SEQUENCE, 1, 65001u, WIRE_AS_SET, 1, 64500u, 0);
	assert_int_equal(rpki_table_validate(&t, &p, b, n, OWN), RIB_RPKI_INVALID);
	assert_true(rx_prefix_parse("10.0.0.0/8", &p, false));
	assert_int_equal(rpki_table_validate(&t, &p, b, n, OWN), RIB_RPKI_NOT_FOUND);
	/* a librtr record back as routex's ROA change: the prefix round-trips */
	struct pfx_record r = {.asn = 64500, .min_len = 40, .max_len = 48};
	assert_int_equal(lrtr_ip_str_to_addr("2001:db8:100::", &r.prefix), 0);
	struct rpki_roa roa;
	rpki_roa_of(&r, true, &roa);
	char buf[RX_PREFIX_STRLEN];
	rx_prefix_fmt(&roa.p, buf, sizeof(buf));
	assert_string_equal(buf, "2001:db8:100::/40");
	assert_int_equal(roa.max_len, 48);
	assert_true(roa.added);
	pfx_table_free(&t);
}
#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_origin_as),
	    cmocka_unit_test(test_state),
#ifdef RX_TEST_RTRLIB
	    cmocka_unit_test(test_librtr_table),
#endif
	};
	return cmocka_run_group_tests_name("rpki", tests, NULL, NULL);
}
