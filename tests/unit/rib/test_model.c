/* test_model.c: model-based test. A long random sequence of updates, withdrawals, peer
 * flushes and mark-and-sweep cycles runs against the RIB and against a plain reference (a
 * sorted array of prefixes, each with a table of (source, path id) -> attribute set). At
 * checkpoints the two must agree on: the ordered walk, every prefix's candidate set, the
 * best path and ECMP set, longest-prefix matches (the tree's, and the IPv4 index's at random
 * addresses and at the edges of every prefix), subtree walks and chunked walks. */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <routex/wire.h> /* inline byte helpers only */

#include "helpers.h"
#include "tests.h"

#define NPFX  480 /* universe: 360 IPv4, 120 IPv6, sorted by rx_prefix_cmp */
#define NSRC  5	  /* sources 1..4, and 0 (local) */
#define NPID  2	  /* source 4 uses ADD-PATH ids 0 and 1 */
#define NATTR 8

struct ref_entry {
	struct rx_prefix p;
	int attr[NSRC][NPID]; /* index into the attr pool, -1: no path */
	bool stale[NSRC][NPID];
};

static struct ref_entry ref[NPFX];
static struct attr_set *pool[NATTR];
static unsigned seed = 7;

static unsigned rnd(void)
{
	seed = seed * 1103515245u + 12345u;
	return seed >> 8;
}

static int cmp_entry(const void *a, const void *b)
{
	return rx_prefix_cmp(&((const struct ref_entry *)a)->p, &((const struct ref_entry *)b)->p);
}

/* Nested, clustered prefixes so that the tree gets deep and glue-rich. */
static void make_universe(void)
{
	unsigned n = 0;
	while (n < NPFX) {
		struct rx_prefix p;
		memset(&p, 0, sizeof(p));
		bool v6 = n >= 360;
		p.afi = v6 ? RX_AFI_IPV6 : RX_AFI_IPV4;
		unsigned max = v6 ? 128 : 32;
		unsigned r = rnd() % 10;
		p.len = (uint8_t)(r == 0  ? rnd() % (max + 1)
				  : r < 3 ? max
					  : (v6 ? 32 + rnd() % 33 : 8 + rnd() % 17));
		if (rnd() % 40 == 0)
			p.len = 0;
		p.addr[0] = v6 ? 0x20 : 10;
		p.addr[1] = (uint8_t)(rnd() % 4);
		for (unsigned i = 2; i < 16; i++)
			p.addr[i] = (uint8_t)(rnd() % 3 == 0 ? rnd() : 0);
		rx_prefix_mask(&p);
		bool dup = false;
		for (unsigned i = 0; i < n && !dup; i++)
			dup = rx_prefix_equal(&ref[i].p, &p);
		if (dup)
			continue;
		ref[n].p = p;
		n++;
	}
	qsort(ref, NPFX, sizeof(ref[0]), cmp_entry);
	for (unsigned i = 0; i < NPFX; i++)
		for (unsigned s = 0; s < NSRC; s++)
			for (unsigned k = 0; k < NPID; k++)
				ref[i].attr[s][k] = -1;
}

static bool ref_present(unsigned i)
{
	for (unsigned s = 0; s < NSRC; s++)
		for (unsigned k = 0; k < NPID; k++)
			if (ref[i].attr[s][k] >= 0)
				return true;
	return false;
}

struct seq {
	unsigned idx[NPFX];
	unsigned n;
	const struct rib *rib;
};

static bool seq_cb(const struct rib_tree *t, const struct rib_node *nd, const struct rx_prefix *p,
		   void *arg)
{
	struct seq *s = arg;
	/* find it in the reference (binary search: the universe is sorted) */
	unsigned lo = 0, hi = NPFX;
	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		int c = rx_prefix_cmp(&ref[mid].p, p);
		if (c == 0) {
			lo = mid;
			break;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	assert_true(lo < NPFX && rx_prefix_equal(&ref[lo].p, p));
	assert_true(s->n < NPFX);
	s->idx[s->n++] = lo;
	return true;
}

static void check_node(const struct rib *rib, unsigned i)
{
	const struct rib_node *nd = rib_find_rcu(rib, &ref[i].p);
	if (!ref_present(i)) {
		assert_null(nd);
		return;
	}
	assert_non_null(nd);
	const struct rib_path *v = rib_node_paths(rib_tree(rib, ref[i].p.afi), nd);
	unsigned want = 0;
	for (unsigned s = 0; s < NSRC; s++)
		for (unsigned k = 0; k < NPID; k++)
			if (ref[i].attr[s][k] >= 0) {
				want++;
				bool found = false;
				for (unsigned j = 0; j < nd->n; j++)
					if (v[j].src == s && v[j].path_id == k) {
						assert_ptr_equal(v[j].attrs,
								 pool[ref[i].attr[s][k]]);
						assert_int_equal(rib_path_stale(rib, &v[j]),
								 ref[i].stale[s][k]);
						found = true;
					}
				assert_true(found);
			}
	assert_int_equal(nd->n, want);
	/* best first (always-compare-med makes the order total), ECMP set next */
	assert_true(nd->n_ecmp >= 1 && nd->n_ecmp <= nd->n);
	for (unsigned j = 1; j < nd->n; j++) {
		enum decide_step st;
		assert_true(decide_cmp(rib, &v[0], &v[j], true, &st) < 0);
		if (j < nd->n_ecmp)
			assert_true(st > DECIDE_ECMP_LAST);
		else
			assert_true(st <= DECIDE_ECMP_LAST);
	}
}

/* The reference's longest match for a full-length address: an index into ref, or -1. */
static int ref_lpm(const struct rx_prefix *a)
{
	int best = -1;
	for (unsigned i = 0; i < NPFX; i++)
		if (ref_present(i) && rx_prefix_contains(&ref[i].p, a) &&
		    (best < 0 || ref[i].p.len > ref[best].p.len))
			best = (int)i;
	return best;
}

/* rib_lpm_prefix_rcu (the IPv4 DIR-24-8 index, lpm.c) agrees with the reference at a. */
static void check_lpm_index(const struct rib *rib, const struct rx_prefix *a)
{
	struct rx_prefix got;
	int best = ref_lpm(a);
	bool hit = rib_lpm_prefix_rcu(rib, a, &got);
	assert_int_equal(hit, best >= 0);
	if (hit)
		assert_true(rx_prefix_equal(&got, &ref[best].p));
}

/* Every IPv4 prefix of the universe, present or not, at its first and last address and
 * just past its end: where the index's ranges begin and end. */
static void check_lpm_edges(const struct rib *rib)
{
	for (unsigned i = 0; i < NPFX; i++) {
		if (ref[i].p.afi != RX_AFI_IPV4)
			continue;
		uint32_t lo = wire_get32(ref[i].p.addr);
		uint32_t hi = lo | (uint32_t)(0xffffffffull >> ref[i].p.len);
		uint32_t at[3] = {lo, hi, hi + 1};
		for (unsigned j = 0; j < 3; j++) {
			struct rx_prefix a;
			memset(&a, 0, sizeof(a));
			a.afi = RX_AFI_IPV4;
			a.len = 32;
			wire_put32(a.addr, at[j]);
			check_lpm_index(rib, &a);
		}
	}
}

static void check_all(struct rib *rib)
{
	/* ordered walk == sorted reference */
	struct seq s = {.n = 0, .rib = rib};
	radix_walk_rcu(rib_tree(rib, RX_AFI_IPV4), NULL, NULL, 0, seq_cb, &s, NULL);
	radix_walk_rcu(rib_tree(rib, RX_AFI_IPV6), NULL, NULL, 0, seq_cb, &s, NULL);
	unsigned k = 0;
	for (unsigned i = 0; i < NPFX; i++)
		if (ref_present(i)) {
			assert_true(k < s.n);
			assert_int_equal(s.idx[k], i);
			k++;
		}
	assert_int_equal(k, s.n);
	assert_int_equal(rib->tree[0].prefixes + rib->tree[1].prefixes, k);
	for (unsigned i = 0; i < NPFX; i++)
		check_node(rib, i);
	/* chunked walk (limit 7, resume from the last key) == full walk */
	struct seq c = {.n = 0, .rib = rib};
	for (unsigned f = 0; f < 2; f++) {
		struct rx_prefix last, *after = NULL;
		const struct rib_tree *t = &rib->tree[f];
		while (radix_walk_rcu(t, NULL, after, 7, seq_cb, &c, &last))
			after = &last;
	}
	assert_int_equal(c.n, s.n);
	assert_memory_equal(c.idx, s.idx, s.n * sizeof(s.idx[0]));
	/* longest match and subtree walks against brute force */
	for (unsigned q = 0; q < 64; q++) {
		const struct rx_prefix *base = &ref[rnd() % NPFX].p;
		struct rx_prefix a = *base;
		unsigned max = rx_afi_bits(a.afi);
		for (unsigned b = a.len; b < max; b++)
			if (rnd() % 4 == 0)
				a.addr[b / 8] ^= (uint8_t)(0x80 >> (b % 8));
		a.len = (uint8_t)max;
		int best = ref_lpm(&a);
		check_lpm_index(rib, &a);
		const struct rib_node *nd = rib_lpm_rcu(rib, &a);
		if (best < 0) {
			assert_null(nd);
		} else {
			assert_non_null(nd);
			struct rx_prefix got;
			rib_node_prefix(rib_tree(rib, a.afi), nd, &got);
			assert_true(rx_prefix_equal(&got, &ref[best].p));
		}
		struct seq sub = {.n = 0, .rib = rib};
		radix_walk_rcu(rib_tree(rib, base->afi), base, NULL, 0, seq_cb, &sub, NULL);
		unsigned m = 0;
		for (unsigned i = 0; i < NPFX; i++)
			if (ref_present(i) && rx_prefix_contains(base, &ref[i].p)) {
				assert_true(m < sub.n);
				assert_int_equal(sub.idx[m], i);
				m++;
			}
		assert_int_equal(m, sub.n);
	}
	check_lpm_edges(rib);
}

static void test_model(void **state)
{
	(void)state;
	struct rib rib;
	struct rib_conf conf;
	rib_conf_default(&conf);
	conf.always_compare_med = true;
	conf.lpm_index = true; /* checked against the reference beside the tree's own match */
	rib_init(&rib, &conf);
	t_peer(&rib, 1, 65001, 0x0a000001, "10.0.0.1", RIB_ROLE_NVA);
	t_peer(&rib, 2, 65002, 0x0a000002, "10.0.0.2", RIB_ROLE_NVA);
	t_peer(&rib, 3, 65515, 0x0a000003, "10.0.0.3", RIB_ROLE_EXPRESSROUTE);
	t_peer(&rib, 4, 65004, 0x0a000004, "2001:db8::4", RIB_ROLE_NVA);
	make_universe();
	for (unsigned i = 0; i < NATTR; i++) {
		struct tattr ta = {.n_as = 1 + i % 3,
				   .as = {65001 + i % 2, 7, 8},
				   .has_med = i % 2,
				   .med = i / 4,
				   .nh = 0x0a000100 + i};
		pool[i] = t_attr(&rib, &ta);
	}
	unsigned ops = 200000, checks = 0;
	const char *env = getenv("RX_MODEL_OPS");
	if (env)
		ops = (unsigned)strtoul(env, NULL, 10);
	for (unsigned op = 0; op < ops; op++) {
		unsigned r = rnd() % 1000, i = rnd() % NPFX;
		uint16_t src = (uint16_t)(rnd() % NSRC);
		uint32_t pid = src == 4 ? rnd() % NPID : 0;
		struct ref_entry *e = &ref[i];
		if (r < 600) {
			unsigned a = rnd() % NATTR;
			rib_update_w(&rib, src, pid, &e->p, pool[a]);
			e->attr[src][pid] = (int)a;
			e->stale[src][pid] = false;
		} else if (r < 995) {
			rib_withdraw_w(&rib, src, pid, &e->p);
			e->attr[src][pid] = -1;
		} else if (r < 997 && src) {
			rib_peer_flush_w(&rib, src);
			for (unsigned j = 0; j < NPFX; j++)
				for (unsigned k = 0; k < NPID; k++)
					ref[j].attr[src][k] = -1;
		} else if (r < 998) {
			rib_peer_mark_stale_w(&rib, src);
			for (unsigned j = 0; j < NPFX; j++)
				for (unsigned k = 0; k < NPID; k++)
					ref[j].stale[src][k] = ref[j].attr[src][k] >= 0;
		} else {
			rib_peer_sweep_w(&rib, src);
			for (unsigned j = 0; j < NPFX; j++)
				for (unsigned k = 0; k < NPID; k++)
					if (ref[j].stale[src][k]) {
						ref[j].attr[src][k] = -1;
						ref[j].stale[src][k] = false;
					}
		}
		if (op % 64 == 0) {
			struct rib_changes c;
			memset(&c, 0, sizeof(c));
			rib_changes_take_w(&rib, &c);
			rib_changes_release_w(&rib, &c);
			rib_quiescent_w(&rib);
		}
		if (op % 2000 == 1999) {
			check_all(&rib);
			checks++;
		}
	}
	check_all(&rib);
	/* peer counters agree with the reference */
	for (uint16_t s = 1; s < NSRC; s++) {
		size_t want[2] = {0, 0};
		for (unsigned j = 0; j < NPFX; j++) {
			bool any = false;
			for (unsigned k = 0; k < NPID; k++)
				any |= ref[j].attr[s][k] >= 0;
			want[ref[j].p.afi == RX_AFI_IPV4 ? 0 : 1] += any;
		}
		assert_int_equal(rib.peers[s].prefixes[0], want[0]);
		assert_int_equal(rib.peers[s].prefixes[1], want[1]);
	}
	print_message("model: %u operations, %u checkpoints\n", ops, checks);
	for (unsigned i = 0; i < NATTR; i++)
		attr_unref_w(&rib.attrs, pool[i]);
	rib_fini(&rib);
}

int run_model_tests(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_model),
	};
	return cmocka_run_group_tests_name("model", tests, NULL, NULL);
}
