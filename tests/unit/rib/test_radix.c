/* test_radix.c: the radix tree through the RIB: insert, delete, exact lookup, longest match,
 * ordered walks, resumed walks and subtree walks, IPv4 and IPv6, host and default routes. */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <routex/compiler.h>

#include "helpers.h"
#include "tests.h"

static int setup(void **state)
{
	struct rib *rib = malloc(sizeof(*rib));
	struct rib_conf c;
	rib_conf_default(&c);
	rib_init(rib, &c);
	t_peer(rib, 1, 65001, 0x01010101, "10.255.0.1", RIB_ROLE_NVA);
	*state = rib;
	return 0;
}

static int teardown(void **state)
{
	struct rib *rib = *state;
	rib_fini(rib);
	free(rib);
	return 0;
}

static const struct tattr A1 = {.n_as = 1, .as = {65001}};

static void add(struct rib *rib, const char *p)
{
	assert_true(t_announce(rib, 1, 0, p, &A1));
}
static void del(struct rib *rib, const char *p)
{
	struct rx_prefix x = t_pfx(p);
	assert_true(rib_withdraw_w(rib, 1, 0, &x));
}
static bool present(struct rib *rib, const char *p)
{
	struct rx_prefix x = t_pfx(p);
	return rib_find_rcu(rib, &x) != NULL;
}
/* Longest match for an address: the matched prefix as text, or "" for none. */
static const char *lpm(struct rib *rib, const char *addr)
{
	static char buf[RX_PREFIX_STRLEN];
	struct rx_prefix a;
	assert_true(rx_prefix_parse(addr, &a, true));
	const struct rib_node *nd = rib_lpm_rcu(rib, &a);
	if (!nd)
		return "";
	struct rx_prefix p;
	rib_node_prefix(rib_tree(rib, a.afi), nd, &p);
	rx_prefix_fmt(&p, buf, sizeof(buf));
	return buf;
}

static void test_insert_find_v4(void **state)
{
	struct rib *rib = *state;
	const char *ps[] = {"10.0.0.0/8", "10.1.0.0/16",    "10.1.2.0/24",  "10.1.2.3/32",
			    "0.0.0.0/0",  "192.168.0.0/16", "10.128.0.0/9", "255.255.255.255/32"};
	for (unsigned i = 0; i < RX_ARRAY_LEN(ps); i++)
		add(rib, ps[i]);
	for (unsigned i = 0; i < RX_ARRAY_LEN(ps); i++)
		assert_true(present(rib, ps[i]));
	assert_false(present(rib, "10.0.0.0/9")); /* a glue node sits there */
	assert_false(present(rib, "10.1.0.0/24"));
	assert_false(present(rib, "11.0.0.0/8"));
	assert_int_equal(rib->tree[0].prefixes, RX_ARRAY_LEN(ps));
	/* same path again: no change, no new node */
	assert_false(t_announce(rib, 1, 0, "10.1.0.0/16", &A1));
}

static void test_lpm_v4(void **state)
{
	struct rib *rib = *state;
	assert_string_equal(lpm(rib, "10.1.2.3"), "");
	add(rib, "10.0.0.0/8");
	add(rib, "10.1.0.0/16");
	add(rib, "10.1.2.0/24");
	add(rib, "10.1.2.3/32");
	assert_string_equal(lpm(rib, "10.1.2.3"), "10.1.2.3/32");
	assert_string_equal(lpm(rib, "10.1.2.4"), "10.1.2.0/24");
	assert_string_equal(lpm(rib, "10.1.3.1"), "10.1.0.0/16");
	assert_string_equal(lpm(rib, "10.200.0.1"), "10.0.0.0/8");
	assert_string_equal(lpm(rib, "11.0.0.1"), "");
	add(rib, "0.0.0.0/0");
	assert_string_equal(lpm(rib, "11.0.0.1"), "0.0.0.0/0");
	assert_string_equal(lpm(rib, "255.255.255.255"), "0.0.0.0/0");
	del(rib, "10.1.2.0/24");
	assert_string_equal(lpm(rib, "10.1.2.4"), "10.1.0.0/16");
	assert_string_equal(lpm(rib, "10.1.2.3"), "10.1.2.3/32");
}

static void test_delete_shapes(void **state)
{
	struct rib *rib = *state;
	const struct rib_tree *t = rib_tree(rib, RX_AFI_IPV4);
	/* two leaves under a glue node */
	add(rib, "10.0.0.0/24");
	add(rib, "10.0.1.0/24");
	assert_int_equal(t->nodes, 3);
	del(rib, "10.0.0.0/24"); /* leaf: the glue parent is spliced out */
	assert_int_equal(t->nodes, 1);
	assert_true(present(rib, "10.0.1.0/24"));
	/* a prefix node with two children becomes glue, then goes with its last child */
	add(rib, "10.0.0.0/23");
	add(rib, "10.0.0.0/24");
	assert_int_equal(t->nodes, 3);
	del(rib, "10.0.0.0/23");
	assert_int_equal(t->nodes, 3); /* glue now */
	assert_false(present(rib, "10.0.0.0/23"));
	assert_true(present(rib, "10.0.0.0/24"));
	del(rib, "10.0.1.0/24");
	assert_int_equal(t->nodes, 1);
	/* a prefix node with one child is replaced by the child */
	add(rib, "10.0.0.0/16");
	del(rib, "10.0.0.0/16");
	assert_int_equal(t->nodes, 1);
	del(rib, "10.0.0.0/24");
	assert_int_equal(t->nodes, 0);
	assert_null(t->root);
	assert_int_equal(t->prefixes, 0);
	/* withdrawing what is not there is a no-op */
	struct rx_prefix x = t_pfx("10.0.0.0/24");
	assert_false(rib_withdraw_w(rib, 1, 0, &x));
}

static const struct rib_node *node_of(struct rib *rib, const char *p)
{
	struct rx_prefix x = t_pfx(p);
	return rib_find_rcu(rib, &x);
}

/* Leaves carry no child pointers: a leaf that gains a child is replaced by its inner form
 * and goes back when it loses the last one. Sizes are exact: a one-path IPv4 leaf is 24
 * bytes, a one-path inner node 40, a glue node 24; IPv6 adds 16 bytes of key. */
static void test_leaf_inner_forms(void **state)
{
	struct rib *rib = *state;
	const struct rib_tree *t = rib_tree(rib, RX_AFI_IPV4);
	add(rib, "10.0.0.0/16");
	assert_false(node_of(rib, "10.0.0.0/16")->inner);
	assert_int_equal(t->live_bytes, 24);
	add(rib, "10.0.1.0/24"); /* under the leaf */
	assert_true(node_of(rib, "10.0.0.0/16")->inner);
	assert_false(node_of(rib, "10.0.1.0/24")->inner);
	assert_int_equal(t->live_bytes, 40 + 24);
	add(rib, "10.0.2.0/24"); /* a glue node at /22 between them */
	assert_int_equal(t->nodes, 4);
	assert_int_equal(t->live_bytes, 40 + 24 + 24 + 24);
	del(rib, "10.0.1.0/24"); /* glue spliced out */
	del(rib, "10.0.2.0/24"); /* the /16 is a leaf again */
	assert_false(node_of(rib, "10.0.0.0/16")->inner);
	assert_int_equal(t->live_bytes, 24);
	add(rib, "10.0.0.0/8"); /* above: inner */
	assert_true(node_of(rib, "10.0.0.0/8")->inner);
	assert_int_equal(t->live_bytes, 40 + 24);
	del(rib, "10.0.0.0/8");
	assert_int_equal(t->live_bytes, 24);
	assert_string_equal(lpm(rib, "10.0.3.1"), "10.0.0.0/16");
	del(rib, "10.0.0.0/16");
	assert_int_equal(t->live_bytes, 0);
	add(rib, "2001:db8::/32");
	assert_int_equal(rib_tree(rib, RX_AFI_IPV6)->live_bytes, 40);
	/* a second path makes the node 16 bytes bigger */
	struct tattr other = {.n_as = 1, .as = {65002}};
	t_peer(rib, 2, 65002, 0x02020202, "10.255.0.2", RIB_ROLE_NVA);
	assert_true(t_announce(rib, 2, 0, "2001:db8::/32", &other));
	assert_int_equal(rib_tree(rib, RX_AFI_IPV6)->live_bytes, 56);
}

struct collect {
	char out[64][RX_PREFIX_STRLEN];
	unsigned n;
};

static bool collect_cb(const struct rib_tree *t, const struct rib_node *n,
		       const struct rx_prefix *p, void *arg)
{
	struct collect *c = arg;
	assert_true(c->n < 64);
	rx_prefix_fmt(p, c->out[c->n++], RX_PREFIX_STRLEN);
	return true;
}

static unsigned walk(struct rib *rib, uint8_t afi, const char *within, const char *after,
		     size_t limit, struct collect *c)
{
	struct rx_prefix w, a;
	if (within)
		w = t_pfx(within);
	if (after)
		a = t_pfx(after);
	memset(c, 0, sizeof(*c));
	return (unsigned)radix_walk_rcu(rib_tree(rib, afi), within ? &w : NULL, after ? &a : NULL,
					limit, collect_cb, c, NULL);
}

static void test_walks_v4(void **state)
{
	struct rib *rib = *state;
	/* added out of order; the walk must give rx_prefix_cmp order */
	const char *ps[] = {"192.168.1.0/24", "10.1.0.0/16", "0.0.0.0/0",
			    "10.0.0.0/8",     "10.1.2.0/24", "10.1.2.3/32",
			    "172.16.0.0/12",  "10.1.0.0/24", "10.128.0.0/9"};
	const char *sorted[] = {"0.0.0.0/0",	"10.0.0.0/8",	 "10.1.0.0/16",
				"10.1.0.0/24",	"10.1.2.0/24",	 "10.1.2.3/32",
				"10.128.0.0/9", "172.16.0.0/12", "192.168.1.0/24"};
	for (unsigned i = 0; i < RX_ARRAY_LEN(ps); i++)
		add(rib, ps[i]);
	struct collect c;
	assert_int_equal(walk(rib, RX_AFI_IPV4, NULL, NULL, 0, &c), 9);
	for (unsigned i = 0; i < 9; i++)
		assert_string_equal(c.out[i], sorted[i]);
	/* resume after each present key and some absent ones */
	for (unsigned i = 0; i < 9; i++) {
		assert_int_equal(walk(rib, RX_AFI_IPV4, NULL, sorted[i], 0, &c), 8 - i);
		for (unsigned j = 0; j < c.n; j++)
			assert_string_equal(c.out[j], sorted[i + 1 + j]);
	}
	/* 10.1.0.0/16 < 10.1.0.0/17 < 10.1.0.0/24: same address, shorter first */
	assert_int_equal(walk(rib, RX_AFI_IPV4, NULL, "10.1.0.0/17", 0, &c), 6);
	assert_string_equal(c.out[0], "10.1.0.0/24");
	assert_int_equal(walk(rib, RX_AFI_IPV4, NULL, "11.0.0.0/8", 0, &c), 2);
	assert_string_equal(c.out[0], "172.16.0.0/12");
	assert_int_equal(walk(rib, RX_AFI_IPV4, NULL, "0.0.0.0/1", 0, &c), 8);
	assert_int_equal(walk(rib, RX_AFI_IPV4, NULL, "255.0.0.0/8", 0, &c), 0);
	/* limits: chunked walk resumes from the last key */
	struct rx_prefix last, *after = NULL;
	unsigned total = 0, chunks = 0;
	for (;;) {
		struct collect cc;
		memset(&cc, 0, sizeof(cc));
		size_t n = radix_walk_rcu(rib_tree(rib, RX_AFI_IPV4), NULL, after, 2, collect_cb,
					  &cc, &last);
		if (!n)
			break;
		for (unsigned j = 0; j < n; j++)
			assert_string_equal(cc.out[j], sorted[total + j]);
		total += (unsigned)n;
		chunks++;
		after = &last;
	}
	assert_int_equal(total, 9);
	assert_int_equal(chunks, 5);
	/* subtree: every more-specific of a prefix, itself included */
	assert_int_equal(walk(rib, RX_AFI_IPV4, "10.1.0.0/16", NULL, 0, &c), 4);
	assert_string_equal(c.out[0], "10.1.0.0/16");
	assert_string_equal(c.out[3], "10.1.2.3/32");
	assert_int_equal(walk(rib, RX_AFI_IPV4, "10.0.0.0/9", NULL, 0, &c), 4); /* rooted below */
	assert_int_equal(walk(rib, RX_AFI_IPV4, "10.1.2.3/32", NULL, 0, &c), 1);
	assert_int_equal(walk(rib, RX_AFI_IPV4, "10.2.0.0/16", NULL, 0, &c), 0);
	assert_int_equal(walk(rib, RX_AFI_IPV4, "0.0.0.0/0", NULL, 0, &c), 9);
	assert_int_equal(walk(rib, RX_AFI_IPV4, "10.0.0.0/8", "10.1.0.0/24", 0, &c), 3);
	assert_string_equal(c.out[0], "10.1.2.0/24");
}

static void test_ipv6(void **state)
{
	struct rib *rib = *state;
	add(rib, "::/0");
	add(rib, "2001:db8::/32");
	add(rib, "2001:db8:1::/48");
	add(rib, "2001:db8:1::1/128");
	add(rib, "2001:db8:1:0:8000::/65");
	add(rib, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");
	assert_true(present(rib, "2001:db8:1::1/128"));
	assert_false(present(rib, "2001:db8:1::/64"));
	assert_string_equal(lpm(rib, "2001:db8:1::1"), "2001:db8:1::1/128");
	assert_string_equal(lpm(rib, "2001:db8:1::2"), "2001:db8:1::/48");
	assert_string_equal(lpm(rib, "2001:db8:1:0:8000::5"), "2001:db8:1:0:8000::/65");
	assert_string_equal(lpm(rib, "2001:db8:2::1"), "2001:db8::/32");
	assert_string_equal(lpm(rib, "2001:db9::1"), "::/0");
	assert_string_equal(lpm(rib, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
			    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");
	struct collect c;
	assert_int_equal(walk(rib, RX_AFI_IPV6, NULL, NULL, 0, &c), 6);
	assert_string_equal(c.out[0], "::/0");
	assert_string_equal(c.out[3], "2001:db8:1::1/128");
	assert_string_equal(c.out[4], "2001:db8:1:0:8000::/65");
	assert_int_equal(walk(rib, RX_AFI_IPV6, "2001:db8:1::/48", NULL, 0, &c), 3);
	assert_int_equal(walk(rib, RX_AFI_IPV6, NULL, "2001:db8:1::1/128", 0, &c), 2);
	/* families are separate trees */
	assert_int_equal(walk(rib, RX_AFI_IPV4, NULL, NULL, 0, &c), 0);
	del(rib, "::/0");
	assert_string_equal(lpm(rib, "2001:db9::1"), "");
	del(rib, "2001:db8:1::1/128");
	del(rib, "2001:db8:1::/48");
	del(rib, "2001:db8:1:0:8000::/65");
	del(rib, "2001:db8::/32");
	del(rib, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");
	assert_int_equal(rib_tree(rib, RX_AFI_IPV6)->nodes, 0);
}

static void test_keys(void **state)
{
	(void)state;
	struct rx_prefix p = t_pfx("10.1.2.0/24"), q;
	struct rib_key k = rib_key_of(&p);
	assert_true(k.hi == 0x0a01020000000000ull && k.lo == 0);
	rib_key_to_prefix(RX_AFI_IPV4, &k, 24, &q);
	assert_true(rx_prefix_equal(&p, &q));
	p = t_pfx("2001:db8:0:1::1/128");
	k = rib_key_of(&p);
	assert_true(k.hi == 0x20010db800000001ull && k.lo == 0x0000000000000001ull);
	rib_key_to_prefix(RX_AFI_IPV6, &k, 128, &q);
	assert_true(rx_prefix_equal(&p, &q));
}

/* Tree invariants below nd: children longer and within their parent, glue nodes with two
 * children, leaves in leaf form. Returns the prefixes (nodes with paths) found. */
static size_t check_shape(const struct rib_tree *t, const struct rib_node *nd)
{
	if (!nd)
		return 0;
	size_t n = nd->n > 0;
	unsigned kids = 0;
	for (unsigned b = 0; b < 2; b++) {
		const struct rib_node *c = rib_node_child_rcu(t, nd, b);
		if (!c)
			continue;
		kids++;
		assert_true(c->len > nd->len);
		uint32_t mask = nd->len ? ~0u << (32 - nd->len) : 0;
		assert_int_equal((c->key4 ^ nd->key4) & mask, 0);
		assert_int_equal((c->key4 >> (31 - nd->len)) & 1, b);
		n += check_shape(t, c);
	}
	if (nd->n == 0)
		assert_int_equal(kids, 2);
	if (nd->inner)
		assert_true(kids > 0);
	return n;
}

/* The IPv4 descent starts from the previous descent's path (the finger): address-ordered
 * loads with removals between them, nested prefixes down to host routes, then a flush in
 * the same order; the tree must stay well formed and hold exactly what it should. */
static void test_finger(void **state)
{
	struct rib *rib = *state;
	const struct rib_tree *t = rib_tree(rib, RX_AFI_IPV4);
	static const uint8_t lens[] = {8, 16, 20, 22, 23, 24, 24, 25, 26, 28, 30, 32, 32};
	char buf[64];
	unsigned want = 0;
	bool *kept = calloc(4096, sizeof(*kept));
	struct rx_prefix *pf = calloc(4096, sizeof(*pf));
	unsigned n = 0;
	/* sorted order: address, then length (rx_prefix_cmp) */
	for (unsigned blk = 0; blk < 64 && n < 4000; blk++)
		for (unsigned j = 0; j < RX_ARRAY_LEN(lens); j++) {
			uint32_t a = 0x0a000000u | blk << 10 | (j * 37u) % 1024u;
			snprintf(buf, sizeof(buf), "%u.%u.%u.%u/%u", a >> 24, (a >> 16) & 255,
				 (a >> 8) & 255, a & 255, lens[j]);
			struct rx_prefix p;
			assert_true(rx_prefix_parse(buf, &p, true));
			rx_prefix_mask(&p);
			pf[n++] = p;
		}
	qsort(pf, n, sizeof(*pf), (int (*)(const void *, const void *))rx_prefix_cmp);
	unsigned m = 0;
	for (unsigned i = 0; i < n; i++)
		if (!m || !rx_prefix_equal(&pf[m - 1], &pf[i]))
			pf[m++] = pf[i];
	struct attr_set *a = t_attr(rib, &A1);
	for (unsigned i = 0; i < m; i++) {
		rib_update_w(rib, 1, 0, &pf[i], a);
		kept[i] = true;
		if (i % 3 == 2) { /* take back the one before: the finger is cut there */
			rib_withdraw_w(rib, 1, 0, &pf[i - 1]);
			kept[i - 1] = false;
		}
		if (i % 97 == 0)
			assert_int_equal(check_shape(t, t->root), t->prefixes);
	}
	for (unsigned i = 0; i < m; i++) {
		want += kept[i];
		assert_int_equal(rib_find_rcu(rib, &pf[i]) != NULL, kept[i]);
	}
	assert_int_equal(check_shape(t, t->root), want);
	assert_int_equal(t->prefixes, want);
	assert_true(t->f_depth > 2); /* the last descents were deep */
	/* the flush walks the peer's key list, in the same order */
	assert_int_equal(rib_peer_flush_w(rib, 1), want);
	assert_null(t->root);
	assert_int_equal(t->nodes, 0);
	attr_unref_w(&rib->attrs, a);
	free(kept);
	free(pf);
}

int run_radix_tests(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_insert_find_v4, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lpm_v4, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_delete_shapes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_leaf_inner_forms, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_walks_v4, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ipv6, setup, teardown),
	    cmocka_unit_test(test_keys),
	    cmocka_unit_test_setup_teardown(test_finger, setup, teardown),
	};
	return cmocka_run_group_tests_name("radix", tests, NULL, NULL);
}
