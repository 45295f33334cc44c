/* test_lpm.c: the IPv4 DIR-24-8 longest-match index (lpm.c) through the RIB: answers at the
 * edges of prefixes of every kind of length (short, /24, longer than /24, host routes, the
 * default route), groups made and dropped as long prefixes come and go, path changes that
 * must not disturb it, and the overflow state that hands lookups back to the tree. The
 * model test (test_model.c) compares it with a reference over a long random sequence. */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <routex/lpm.h>

#include "helpers.h"
#include "tests.h"

static struct rib rib;
static const struct tattr ta1 = {.n_as = 1, .as = {65001}, .nh = 0x0a000001};
static const struct tattr ta2 = {.n_as = 2, .as = {65002, 7}, .nh = 0x0a000002};

static int setup(void **state)
{
	(void)state;
	struct rib_conf conf;
	rib_conf_default(&conf);
	conf.lpm_index = true;
	conf.no_changes = true;
	rib_init(&rib, &conf);
	t_peer(&rib, 1, 65001, 1, "10.0.0.1", RIB_ROLE_NVA);
	t_peer(&rib, 2, 65002, 2, "10.0.0.2", RIB_ROLE_NVA);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rib_fini(&rib);
	return 0;
}

/* The index's answer for an address, as "a.b.c.d/len", or "none"; also checks that the
 * tree agrees. */
static const char *lpm(const char *addr)
{
	static char buf[64];
	struct rx_prefix a = t_pfx(addr), got;
	bool hit = rib_lpm_prefix_rcu(&rib, &a, &got);
	const struct rib_node *nd = rib_lpm_rcu(&rib, &a);
	assert_int_equal(hit, nd != NULL);
	if (!hit)
		return "none";
	struct rx_prefix tree;
	rib_node_prefix(rib_tree(&rib, a.afi), nd, &tree);
	assert_true(rx_prefix_equal(&got, &tree));
	rx_prefix_fmt(&got, buf, sizeof(buf));
	return buf;
}

static void add(uint16_t src, const char *p, const struct tattr *ta)
{
	t_announce(&rib, src, 0, p, ta);
}

static void del(uint16_t src, const char *p)
{
	struct rx_prefix x = t_pfx(p);
	rib_withdraw_w(&rib, src, 0, &x);
}

static void test_lpm_lengths(void **state)
{
	(void)state;
	assert_string_equal(lpm("10.1.2.3/32"), "none");
	add(1, "10.0.0.0/8", &ta1);
	add(1, "10.1.0.0/16", &ta1);
	add(1, "10.1.2.0/24", &ta1);
	add(1, "10.1.2.128/25", &ta1);
	add(1, "10.1.2.200/32", &ta1);
	assert_string_equal(lpm("10.200.0.1/32"), "10.0.0.0/8");
	assert_string_equal(lpm("10.1.255.255/32"), "10.1.0.0/16");
	assert_string_equal(lpm("10.1.2.0/32"), "10.1.2.0/24");
	assert_string_equal(lpm("10.1.2.127/32"), "10.1.2.0/24");
	assert_string_equal(lpm("10.1.2.128/32"), "10.1.2.128/25");
	assert_string_equal(lpm("10.1.2.199/32"), "10.1.2.128/25");
	assert_string_equal(lpm("10.1.2.200/32"), "10.1.2.200/32");
	assert_string_equal(lpm("10.1.2.201/32"), "10.1.2.128/25");
	assert_string_equal(lpm("11.0.0.0/32"), "none");
	assert_string_equal(lpm("9.255.255.255/32"), "none");
	assert_int_equal(rib.lpm->n_groups, 1);

	/* a shorter prefix added later must not hide the longer ones */
	add(1, "10.1.2.0/23", &ta1);
	assert_string_equal(lpm("10.1.3.1/32"), "10.1.2.0/23");
	assert_string_equal(lpm("10.1.2.1/32"), "10.1.2.0/24");
	assert_string_equal(lpm("10.1.2.200/32"), "10.1.2.200/32");

	/* removals uncover the next covering prefix, inside and outside the group */
	del(1, "10.1.2.0/24");
	assert_string_equal(lpm("10.1.2.1/32"), "10.1.2.0/23");
	assert_string_equal(lpm("10.1.2.130/32"), "10.1.2.128/25");
	del(1, "10.1.2.128/25");
	assert_string_equal(lpm("10.1.2.130/32"), "10.1.2.0/23");
	assert_string_equal(lpm("10.1.2.200/32"), "10.1.2.200/32");
	assert_int_equal(rib.lpm->n_groups, 1);
	del(1, "10.1.2.200/32"); /* the last one longer than /24: the group goes */
	assert_int_equal(rib.lpm->n_groups, 0);
	assert_int_equal(rib.lpm->retired, 1);
	assert_string_equal(lpm("10.1.2.200/32"), "10.1.2.0/23");
	del(1, "10.1.2.0/23");
	del(1, "10.1.0.0/16");
	assert_string_equal(lpm("10.1.2.200/32"), "10.0.0.0/8");
	del(1, "10.0.0.0/8");
	assert_string_equal(lpm("10.1.2.200/32"), "none");
	rib_quiescent_w(&rib);
}

static void test_lpm_default_and_hosts(void **state)
{
	(void)state;
	add(1, "0.0.0.0/0", &ta1);
	assert_string_equal(lpm("1.2.3.4/32"), "0.0.0.0/0");
	add(1, "255.255.255.255/32", &ta1);
	add(1, "0.0.0.0/32", &ta1);
	add(1, "128.0.0.0/1", &ta1);
	assert_string_equal(lpm("255.255.255.255/32"), "255.255.255.255/32");
	assert_string_equal(lpm("255.255.255.254/32"), "128.0.0.0/1");
	assert_string_equal(lpm("0.0.0.0/32"), "0.0.0.0/32");
	assert_string_equal(lpm("0.0.0.1/32"), "0.0.0.0/0");
	del(1, "0.0.0.0/0");
	assert_string_equal(lpm("0.0.0.1/32"), "none");
	assert_string_equal(lpm("200.0.0.1/32"), "128.0.0.0/1");
	del(1, "128.0.0.0/1");
	assert_string_equal(lpm("200.0.0.1/32"), "none");
	assert_string_equal(lpm("255.255.255.255/32"), "255.255.255.255/32");
	del(1, "255.255.255.255/32");
	del(1, "0.0.0.0/32");
	assert_int_equal(rib.lpm->n_groups, 0);
	/* IPv6 has no index: the tree answers */
	add(1, "2001:db8::/32", &ta1);
	assert_string_equal(lpm("2001:db8::1/128"), "2001:db8::/32");
	del(1, "2001:db8::/32");
	rib_quiescent_w(&rib);
}

/* Paths come and go at a prefix that stays: the index only changes with the prefix's
 * first and last path. */
static void test_lpm_paths(void **state)
{
	(void)state;
	add(1, "192.0.2.0/24", &ta1);
	add(2, "192.0.2.0/24", &ta2);
	add(1, "192.0.2.0/24", &ta2); /* replaced */
	assert_string_equal(lpm("192.0.2.9/32"), "192.0.2.0/24");
	del(1, "192.0.2.0/24");
	assert_string_equal(lpm("192.0.2.9/32"), "192.0.2.0/24");
	del(2, "192.0.2.0/24");
	assert_string_equal(lpm("192.0.2.9/32"), "none");
	/* a peer flush takes its prefixes out of the index too */
	add(1, "198.51.100.0/24", &ta1);
	add(1, "198.51.100.64/26", &ta1);
	add(2, "198.51.0.0/16", &ta2);
	assert_string_equal(lpm("198.51.100.65/32"), "198.51.100.64/26");
	rib_peer_flush_w(&rib, 1);
	assert_string_equal(lpm("198.51.100.65/32"), "198.51.0.0/16");
	assert_int_equal(rib.lpm->n_groups, 0);
	rib_peer_flush_w(&rib, 2);
	assert_string_equal(lpm("198.51.100.65/32"), "none");
	rib_quiescent_w(&rib);
}

/* More /24s with a longer prefix under them than there are groups: the index switches
 * itself off and lookups go back to the tree, still right. */
static void test_lpm_overflow(void **state)
{
	(void)state;
	char buf[64];
	unsigned n = RIB_LPM_MAX_GROUPS + 1;
	for (unsigned i = 0; i < n; i++) {
		snprintf(buf, sizeof(buf), "%u.%u.%u.128/25", 20 + i / 65536, (i / 256) % 256,
			 i % 256);
		add(1, buf, &ta1);
		if (i == n - 2)
			assert_false(lpm_overflowed(rib.lpm));
	}
	assert_true(lpm_overflowed(rib.lpm));
	add(1, "20.0.0.0/8", &ta1);
	assert_string_equal(lpm("20.0.5.129/32"), "20.0.5.128/25");
	assert_string_equal(lpm("20.0.5.1/32"), "20.0.0.0/8");
	rib_peer_flush_w(&rib, 1);
	assert_string_equal(lpm("20.0.5.129/32"), "none");
	struct rib_stats st;
	rib_stats(&rib, &st);
	assert_true(st.lpm_bytes >= (size_t)32 << 20);
	rib_quiescent_w(&rib);
}

int run_lpm_tests(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_lpm_lengths, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lpm_default_and_hosts, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lpm_paths, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lpm_overflow, setup, teardown),
	};
	return cmocka_run_group_tests_name("lpm", tests, NULL, NULL);
}
