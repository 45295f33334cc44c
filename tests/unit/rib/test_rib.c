/* test_rib.c: change log, peer flush, mark and sweep, key list compaction, attribute
 * sharing and reference counts. */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <routex/compiler.h>
#include <routex/wire.h>

#include "helpers.h"
#include "tests.h"

static int setup(void **state)
{
	struct rib *rib = malloc(sizeof(*rib));
	struct rib_conf c;
	rib_conf_default(&c);
	rib_init(rib, &c);
	t_peer(rib, 1, 65001, 0x0a000001, "10.0.0.1", RIB_ROLE_NVA);
	t_peer(rib, 2, 65002, 0x0a000002, "10.0.0.2", RIB_ROLE_NVA);
	t_peer(rib, 3, 65003, 0x0a000003, "2001:db8::3", RIB_ROLE_RS_CLIENT);
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

static const struct tattr SHORT = {.n_as = 1, .as = {65001}};
static const struct tattr LONG = {.n_as = 3, .as = {65002, 1, 2}};

static void take(struct rib *rib, struct rib_changes *c)
{
	memset(c, 0, sizeof(*c));
	rib_changes_take_w(rib, c);
}

static void test_change_log(void **state)
{
	struct rib *rib = *state;
	struct rib_changes c;
	size_t refs0 = rib->attrs.refs;
	assert_true(t_announce(rib, 2, 0, "10.1.0.0/16", &LONG));  /* new prefix */
	assert_false(t_announce(rib, 2, 0, "10.1.0.0/16", &LONG)); /* same again */
	/* a worse path from another peer does not change the best: but it is not ECMP either */
	struct tattr worse = LONG;
	worse.n_as = 4;
	worse.as[3] = 3;
	assert_false(t_announce(rib, 1, 0, "10.1.0.0/16", &worse));
	assert_true(t_announce(rib, 1, 0, "10.1.0.0/16", &SHORT)); /* better: new best */
	struct rx_prefix p = t_pfx("10.1.0.0/16");
	assert_true(rib_withdraw_w(rib, 1, 0, &p));  /* best gone */
	assert_true(rib_withdraw_w(rib, 2, 0, &p));  /* prefix gone */
	assert_false(rib_withdraw_w(rib, 2, 0, &p)); /* nothing there */
	take(rib, &c);
	/* five entries: the worse path changes no best, but the candidate list (export may
	 * send it where policy hides the best) */
	assert_int_equal(c.len, 5);
	char buf[RX_PREFIX_STRLEN];
	rx_prefix_fmt(&c.v[0].prefix, buf, sizeof(buf));
	assert_string_equal(buf, "10.1.0.0/16");
	assert_int_equal(c.v[0].old_n, 0);
	assert_int_equal(c.v[0].new_n, 1);
	assert_int_equal(c.paths[c.v[0].off].src, 2);
	assert_int_equal(c.v[1].old_n, 1); /* worse path: the best stays first */
	assert_int_equal(c.v[1].new_n, 2);
	assert_int_equal(c.paths[c.v[1].off + 1].src, 2);
	assert_int_equal(c.paths[c.v[1].off + 2].src, 1);
	assert_int_equal(c.v[2].old_n, 2); /* better: new best, whole list ranked */
	assert_int_equal(c.v[2].new_n, 2);
	assert_int_equal(c.paths[c.v[2].off + 2].src, 1);
	assert_int_equal(c.paths[c.v[2].off + 3].src, 2);
	assert_int_equal(c.v[3].new_n, 1); /* best gone: the other one remains */
	assert_int_equal(c.paths[c.v[3].off + c.v[3].old_n].src, 2);
	assert_int_equal(c.v[4].old_n, 1);
	assert_int_equal(c.v[4].new_n, 0);
	/* the log holds its own references: the old paths' sets are still alive */
	assert_true(rib->attrs.refs > refs0);
	assert_int_equal(rib->log.len, 0);
	rib_changes_release_w(rib, &c);
	assert_int_equal(rib->attrs.refs, refs0);
	assert_int_equal(rib->attrs.count, 0);
	/* an ECMP member joining changes the set, not the best: logged */
	struct tattr a = {.n_as = 1, .as = {65001}}, b = {.n_as = 1, .as = {65002}};
	t_announce(rib, 1, 0, "10.2.0.0/16", &a);
	assert_true(t_announce(rib, 2, 0, "10.2.0.0/16", &b));
	take(rib, &c);
	assert_int_equal(c.len, 2);
	assert_int_equal(c.v[1].old_n, 1);
	assert_int_equal(c.v[1].new_n, 2);
	rib_changes_release_w(rib, &c);
	/* replacing a path (implicit withdraw, RFC 4271 3.1) keeps one path per source */
	assert_true(t_announce(rib, 2, 0, "10.2.0.0/16", &LONG));
	unsigned n, ne;
	t_best(rib, "10.2.0.0/16", &n, &ne);
	assert_int_equal(n, 2);
	assert_int_equal(ne, 1);
}

static void pfx_n(char *buf, size_t size, unsigned i, bool v6)
{
	if (v6)
		snprintf(buf, size, "2001:db8:%x::/48", i);
	else
		snprintf(buf, size, "10.%u.%u.0/24", i / 256, i % 256);
}

static void test_peer_flush(void **state)
{
	struct rib *rib = *state;
	char buf[64];
	for (unsigned i = 0; i < 1000; i++) {
		pfx_n(buf, sizeof(buf), i, false);
		t_announce(rib, 1, 0, buf, &SHORT);
		if (i % 2 == 0)
			t_announce(rib, 2, 0, buf, &LONG);
	}
	for (unsigned i = 0; i < 100; i++) {
		pfx_n(buf, sizeof(buf), i, true);
		t_announce(rib, 1, 0, buf, &SHORT);
	}
	/* churn: withdraw and re-announce leaves stale and duplicate key entries */
	for (unsigned i = 0; i < 50; i++) {
		pfx_n(buf, sizeof(buf), i, false);
		struct rx_prefix p = t_pfx(buf);
		rib_withdraw_w(rib, 1, 0, &p);
		if (i % 5)
			t_announce(rib, 1, 0, buf, &SHORT);
	}
	assert_int_equal(rib->peers[1].prefixes[0], 990);
	assert_int_equal(rib->peers[1].paths[1], 100);
	assert_int_equal(rib->attrs.count, 2);
	struct rib_changes c;
	take(rib, &c);
	rib_changes_release_w(rib, &c);
	assert_int_equal(rib_peer_flush_w(rib, 1), 1090);
	assert_int_equal(rib->peers[1].prefixes[0], 0);
	assert_int_equal(rib->peers[1].paths[0] + rib->peers[1].paths[1], 0);
	assert_int_equal(rib->tree[0].prefixes, 500);
	assert_int_equal(rib->tree[1].prefixes, 0);
	assert_int_equal(rib->tree[1].nodes, 0);
	/* every remaining prefix now has peer 2's path as best, and the log says so */
	take(rib, &c);
	assert_int_equal(c.len, 1090);
	size_t to_two = 0;
	for (size_t i = 0; i < c.len; i++)
		to_two += c.v[i].new_n == 1 && c.paths[c.v[i].off + c.v[i].old_n].src == 2;
	/* 495: five of peer 2's prefixes had already lost peer 1's path in the churn */
	assert_int_equal(to_two, 495);
	rib_changes_release_w(rib, &c);
	assert_int_equal(rib->attrs.count, 1);
	assert_int_equal(rib->attrs.refs, 500);
	rib_quiescent_w(rib);
	assert_int_equal(rib_peer_flush_w(rib, 1), 0);
}

static void test_mark_sweep(void **state)
{
	struct rib *rib = *state;
	char buf[64];
	for (unsigned i = 0; i < 100; i++) {
		pfx_n(buf, sizeof(buf), i, false);
		t_announce(rib, 1, 0, buf, &SHORT);
		t_announce(rib, 2, 0, buf, &LONG);
	}
	rib_peer_mark_stale_w(rib, 1);
	unsigned n;
	const struct rib_path *v = t_best(rib, "10.0.5.0/24", &n, NULL);
	assert_true(rib_path_stale(rib, &v[0]));
	assert_false(rib_path_stale(rib, &v[1]));
	/* the refresh brings back 60 routes, 30 of them changed */
	struct tattr changed = SHORT;
	changed.community = 0xfde80001;
	for (unsigned i = 0; i < 60; i++) {
		pfx_n(buf, sizeof(buf), i, false);
		t_announce(rib, 1, 0, buf, i % 2 ? &changed : &SHORT);
	}
	v = t_best(rib, "10.0.5.0/24", &n, NULL);
	assert_false(rib_path_stale(rib, &v[0]));
	assert_int_equal(rib_peer_sweep_w(rib, 1), 40);
	assert_int_equal(rib->peers[1].prefixes[0], 60);
	assert_int_equal(rib->peers[1].keys[0].len, 60);
	for (unsigned i = 0; i < 100; i++) {
		pfx_n(buf, sizeof(buf), i, false);
		v = t_best(rib, buf, &n, NULL);
		assert_int_equal(n, i < 60 ? 2 : 1);
		assert_int_equal(v[0].src, i < 60 ? 1 : 2);
	}
	/* graceful restart that never comes back: everything is swept */
	rib_peer_mark_stale_w(rib, 1);
	assert_int_equal(rib_peer_sweep_w(rib, 1), 60);
	assert_int_equal(rib->peers[1].prefixes[0], 0);
	assert_int_equal(rib->tree[0].paths, 100);
}

static void test_keyvec_compaction(void **state)
{
	struct rib *rib = *state;
	struct rx_prefix p = t_pfx("10.0.0.0/24");
	for (unsigned i = 0; i < 10000; i++) {
		t_announce(rib, 1, 0, "10.0.0.0/24", &SHORT);
		rib_withdraw_w(rib, 1, 0, &p);
		if (i % 1000 == 0)
			rib_quiescent_w(rib);
	}
	t_announce(rib, 3, 0, "2001:db8::/32", &SHORT);
	assert_true(rib->peers[1].keys[0].len < 2 * 1024 + 2);
	assert_int_equal(rib->peers[1].prefixes[0], 0);
	assert_int_equal(rib_peer_flush_w(rib, 1), 0);
	assert_int_equal(rib_peer_flush_w(rib, 3), 1);
}

/* A table withdrawn and announced again: the first announcement of the second round finds
 * the key list long enough to compact. The prefix being announced right then must keep its
 * key (its path is not in the tree yet while modify() runs): a flush that missed it used to
 * end on the "no paths left" assertion (routexd aborted at the next session drop). */
static void test_keyvec_compaction_keeps_new(void **state)
{
	struct rib *rib = *state;
	char buf[64];
	for (int round = 0; round < 3; round++) {
		for (unsigned i = 0; i < 3000; i++) {
			pfx_n(buf, sizeof(buf), i, false);
			t_announce(rib, 1, 0, buf, &SHORT);
		}
		if (round == 2)
			break;
		for (unsigned i = 0; i < 3000; i++) {
			pfx_n(buf, sizeof(buf), i, false);
			struct rx_prefix p = t_pfx(buf);
			rib_withdraw_w(rib, 1, 0, &p);
		}
		rib_quiescent_w(rib);
	}
	assert_int_equal(rib->peers[1].prefixes[0], 3000);
	assert_true(rib->peers[1].keys[0].len <= 2 * 3000 + 1024);
	assert_int_equal(rib_peer_flush_w(rib, 1), 3000);
	assert_int_equal(rib->peers[1].paths[0], 0);
	assert_int_equal(rib->tree[0].paths, 0);
}

static void test_sharing_and_stats(void **state)
{
	struct rib *rib = *state;
	char buf[64];
	for (unsigned i = 0; i < 4096; i++) {
		pfx_n(buf, sizeof(buf), i, false);
		t_announce(rib, 1, 0, buf, &SHORT);
	}
	struct rib_stats s;
	rib_stats(rib, &s);
	assert_int_equal(s.prefixes[0], 4096);
	assert_int_equal(s.paths[0], 4096);
	assert_int_equal(s.attr_sets, 1);
	assert_int_equal(s.changes, 4096);
	assert_true(s.node_bytes[0] > 0);
	struct rib_changes c;
	take(rib, &c);
	rib_changes_release_w(rib, &c);
	assert_int_equal(rib->attrs.refs, 4096);
	/* peer removed and added again: its old paths never look fresh */
	rib_peer_remove_w(rib, 1);
	assert_false(rib->peers[1].active);
	t_peer(rib, 1, 65001, 0x0a000001, "10.0.0.1", RIB_ROLE_NVA);
	assert_int_equal(rib->attrs.count, 1); /* the log still holds the old paths */
	take(rib, &c);
	assert_int_equal(c.len, 4096);
	rib_changes_release_w(rib, &c);
	assert_int_equal(rib->attrs.count, 0);
	rib_quiescent_w(rib);
	rx_retire_sync(&rib->retire);
	rib_stats(rib, &s);
	assert_int_equal(s.retired_pending, 0);
	assert_int_equal(s.prefixes[0], 0);
}

static void test_attr_shared_across_families(void **state)
{
	struct rib *rib = *state;
	struct attr_set *a = t_attr(rib, &SHORT);
	struct rx_prefix p4 = t_pfx("192.0.2.0/24"), p6 = t_pfx("2001:db8::/32");
	rib_update_w(rib, 3, 0, &p4, a);
	rib_update_w(rib, 3, 0, &p6, a);
	assert_int_equal(a->refcnt, 1 + 2 + 2); /* ours, two paths, two log entries */
	attr_unref_w(&rib->attrs, a);
	assert_int_equal(rib_peer_flush_w(rib, 3), 2);
}

/* RPKI: fn for rib_rpki_update_w, the state per source from arg. */
static uint8_t state_of(const struct rib_path *path, const struct rx_prefix *p, void *arg)
{
	return ((const uint8_t *)arg)[path->src];
}

static bool announce_rpki(struct rib *rib, uint16_t src, const char *pfx, const struct tattr *ta,
			  uint8_t st)
{
	struct attr_set *a = t_attr(rib, ta);
	struct rx_prefix p = t_pfx(pfx);
	bool r = rib_update_rpki_w(rib, src, 0, &p, a, st);
	attr_unref_w(&rib->attrs, a);
	return r;
}

/* invalid: drop keeps an invalid path in the node (Adj-RIB-In) but out of the ECMP set;
 * a ROA change brings it back, or hides a selected one, and the change log says so. */
static void test_rpki_hidden(void **state)
{
	struct rib *rib = *state;
	rib->conf.rpki_drop_invalid = true;
	struct rib_changes c;
	unsigned n, ne;
	/* the only path is invalid: the prefix is held but has no ECMP set, nothing logged */
	assert_false(announce_rpki(rib, 1, "10.9.0.0/24", &SHORT, RIB_RPKI_INVALID));
	const struct rib_path *b = t_best(rib, "10.9.0.0/24", &n, &ne);
	assert_non_null(b);
	assert_int_equal(n, 1);
	assert_int_equal(ne, 0);
	assert_int_equal(b->rpki, RIB_RPKI_INVALID);
	assert_int_equal(rib->peers[1].invalid, 1);
	assert_int_equal(rib->peers[1].prefixes[0], 1); /* still received */
	take(rib, &c);
	assert_int_equal(c.len, 0);
	rib_changes_release_w(rib, &c);
	/* a worse (longer) valid path from peer 2 is selected over the better invalid one */
	assert_true(announce_rpki(rib, 2, "10.9.0.0/24", &LONG, RIB_RPKI_VALID));
	b = t_best(rib, "10.9.0.0/24", &n, &ne);
	assert_int_equal(b->src, 2);
	assert_int_equal(n, 2);
	assert_int_equal(ne, 1);
	/* a ROA makes peer 1's path valid: it comes back and wins, no re-announcement */
	uint8_t st[4] = {0, RIB_RPKI_VALID, RIB_RPKI_VALID, 0};
	struct rx_prefix p = t_pfx("10.9.0.0/24");
	take(rib, &c);
	rib_changes_release_w(rib, &c);
	assert_true(rib_rpki_update_w(rib, &p, state_of, st));
	b = t_best(rib, "10.9.0.0/24", &n, &ne);
	assert_int_equal(b->src, 1);
	assert_int_equal(b->rpki, RIB_RPKI_VALID);
	assert_int_equal(rib->peers[1].invalid, 0);
	take(rib, &c);
	assert_int_equal(c.len, 1);
	assert_int_equal(c.paths[c.v[0].off].src, 2);		   /* old best */
	assert_int_equal(c.paths[c.v[0].off + c.v[0].old_n].src, 1); /* new best */
	rib_changes_release_w(rib, &c);
	/* the same states again: nothing changes */
	assert_false(rib_rpki_update_w(rib, &p, state_of, st));
	/* both become invalid: the prefix loses its ECMP set (export withdraws it) */
	st[1] = st[2] = RIB_RPKI_INVALID;
	assert_true(rib_rpki_update_w(rib, &p, state_of, st));
	t_best(rib, "10.9.0.0/24", &n, &ne);
	assert_int_equal(n, 2);
	assert_int_equal(ne, 0);
	take(rib, &c);
	assert_int_equal(c.len, 1);
	assert_int_equal(c.v[0].new_n, 0);
	rib_changes_release_w(rib, &c);
	/* withdrawing an invalid path keeps the per-peer count right */
	assert_int_equal(rib->peers[2].invalid, 1);
	assert_false(rib_withdraw_w(rib, 2, 0, &p));
	assert_int_equal(rib->peers[2].invalid, 0);
	assert_int_equal(rib_peer_flush_w(rib, 1), 1);
	assert_int_equal(rib->peers[1].invalid, 0);
	/* not validated paths (RIB_RPKI_NONE) are never touched by a ROA change */
	assert_true(t_announce(rib, 1, 0, "10.9.0.0/24", &SHORT));
	st[1] = RIB_RPKI_INVALID;
	assert_false(rib_rpki_update_w(rib, &p, state_of, st));
	assert_int_equal(t_best(rib, "10.9.0.0/24", &n, &ne)->rpki, RIB_RPKI_NONE);
	assert_int_equal(ne, 1);
}

/* invalid: accept only marks: an invalid path stays selectable. */
static void test_rpki_accept(void **state)
{
	struct rib *rib = *state;
	assert_true(announce_rpki(rib, 1, "10.9.0.0/24", &SHORT, RIB_RPKI_INVALID));
	assert_false(announce_rpki(rib, 2, "10.9.0.0/24", &LONG, RIB_RPKI_VALID));
	unsigned n, ne;
	const struct rib_path *b = t_best(rib, "10.9.0.0/24", &n, &ne);
	assert_int_equal(b->src, 1);
	assert_int_equal(b->rpki, RIB_RPKI_INVALID);
	assert_int_equal(rib->peers[1].invalid, 1);
	/* reload to invalid: drop: the invalid best is hidden, the valid one takes over */
	struct rx_prefix p = t_pfx("10.9.0.0/24");
	struct rib_changes c;
	take(rib, &c);
	rib_changes_release_w(rib, &c);
	rib_rpki_policy_w(rib, true);
	assert_true(rib_rpki_redecide_w(rib, &p));
	b = t_best(rib, "10.9.0.0/24", &n, &ne);
	assert_int_equal(b->src, 2);
	assert_int_equal(ne, 1);
	/* logged: every path was selectable before, only the valid one is now */
	take(rib, &c);
	assert_int_equal(c.len, 1);
	assert_int_equal(c.v[0].old_n, 2);
	assert_int_equal(c.v[0].new_n, 1);
	assert_int_equal(c.paths[c.v[0].off + 2].src, 2);
	rib_changes_release_w(rib, &c);
	/* and back */
	rib_rpki_policy_w(rib, false);
	assert_true(rib_rpki_redecide_w(rib, &p));
	b = t_best(rib, "10.9.0.0/24", &n, &ne);
	assert_int_equal(b->src, 1);
	/* a prefix without invalid paths is left alone */
	struct tattr other = {.n_as = 1, .as = {65009}};
	assert_true(announce_rpki(rib, 1, "10.8.0.0/24", &other, RIB_RPKI_VALID));
	struct rx_prefix q = t_pfx("10.8.0.0/24");
	rib_rpki_policy_w(rib, true);
	assert_false(rib_rpki_redecide_w(rib, &q));
	/* gen and rpki share 16 bits: neither disturbs the other */
	b = t_best(rib, "10.9.0.0/24", &n, &ne);
	assert_int_equal(b->gen, rib->peers[2].gen);
	assert_int_equal(sizeof(struct rib_path), 16);
}

/* The last paths of a prefix leave: their references move into the log (none taken and
 * dropped on the way), and a hidden path, which the log leaves out, is dropped. Whatever
 * route the references take, releasing the log brings every count back. */
static void test_last_paths_references(void **state)
{
	struct rib *rib = *state;
	rib->conf.rpki_drop_invalid = true;
	struct rib_changes c;
	size_t refs0 = rib->attrs.refs;
	struct attr_set *a = t_attr(rib, &SHORT), *b = t_attr(rib, &LONG);
	struct rx_prefix p = t_pfx("10.7.0.0/24");
	/* ADD-PATH: two paths of peer 1, the second invalid and hidden */
	assert_true(rib_update_rpki_w(rib, 1, 1, &p, a, RIB_RPKI_VALID));
	assert_false(rib_update_rpki_w(rib, 1, 2, &p, b, RIB_RPKI_INVALID));
	assert_int_equal(a->refcnt, 3); /* ours, the node's, the log's */
	assert_int_equal(b->refcnt, 2); /* ours, the node's: hidden paths are not logged */
	take(rib, &c);
	rib_changes_release_w(rib, &c);
	assert_int_equal(rib_peer_flush_w(rib, 1), 2);
	assert_int_equal(rib->peers[1].invalid, 0);
	assert_int_equal(rib->tree[0].prefixes, 0);
	assert_int_equal(a->refcnt, 2); /* the node's reference is now the log's */
	assert_int_equal(b->refcnt, 1); /* dropped */
	take(rib, &c);
	assert_int_equal(c.len, 1);
	assert_int_equal(c.v[0].old_n, 1);
	assert_int_equal(c.v[0].new_n, 0);
	assert_ptr_equal(c.paths[c.v[0].off].attrs, a);
	assert_int_equal(c.paths[c.v[0].off].path_id, 1);
	rib_changes_release_w(rib, &c);
	attr_unref_w(&rib->attrs, a);
	attr_unref_w(&rib->attrs, b);
	assert_int_equal(rib->attrs.refs, refs0);
	assert_int_equal(rib->attrs.count, 0);
}

/* The arrays of a released batch serve the next one; a giant batch's are not kept. */
static void test_change_log_reuse(void **state)
{
	struct rib *rib = *state;
	struct rib_changes c;
	char buf[64];
	for (unsigned i = 0; i < 100; i++) {
		pfx_n(buf, sizeof(buf), i, false);
		t_announce(rib, 1, 0, buf, &SHORT);
	}
	take(rib, &c);
	assert_int_equal(c.len, 100);
	struct rib_change *v = c.v;
	struct rib_path *paths = c.paths;
	rib_changes_release_w(rib, &c);
	for (unsigned i = 0; i < 100; i++) {
		pfx_n(buf, sizeof(buf), i, false);
		t_announce(rib, 2, 0, buf, &LONG);
	}
	take(rib, &c);
	assert_ptr_equal(c.v, v);
	assert_ptr_equal(c.paths, paths);
	assert_int_equal(c.len, 100); /* a worse second path: a new candidate list each */
	for (size_t i = 0; i < c.len; i++) {
		pfx_n(buf, sizeof(buf), (unsigned)i, false);
		struct rx_prefix p = t_pfx(buf);
		assert_true(rx_prefix_equal(&c.v[i].prefix, &p));
		assert_int_equal(c.v[i].old_n, 1);
		assert_int_equal(c.v[i].new_n, 2);
		assert_int_equal(c.paths[c.v[i].off + 2].src, 2);
	}
	rib_changes_release_w(rib, &c);
	/* more entries than RIB_LOG_KEEP_ENTRIES in one batch: freed, not kept */
	for (unsigned i = 0; i < RIB_LOG_KEEP_ENTRIES + 1; i++) {
		struct rx_prefix p = t_pfx("11.0.0.0/32");
		wire_put32(p.addr, 0x0b000000u + i);
		struct attr_set *a = t_attr(rib, &SHORT);
		rib_update_w(rib, 3, 0, &p, a);
		attr_unref_w(&rib->attrs, a);
	}
	take(rib, &c);
	assert_true(c.cap > RIB_LOG_KEEP_ENTRIES);
	rib_changes_release_w(rib, &c);
	assert_true(rib->log_spare.cap <= RIB_LOG_KEEP_ENTRIES);
	assert_true(rib->log_spare.pcap <= RIB_LOG_KEEP_PATHS);
	assert_int_equal(rib_peer_flush_w(rib, 3), RIB_LOG_KEEP_ENTRIES + 1);
}

/* Flush and sweep touch keys ahead of changing them (radix_touch4_w): a pure cache hint.
 * Two RIBs with the same routes, one touching 16 keys ahead and one none, log the same
 * changes and end with the same trees; touching moves no finger. */
static void fill_mixed(struct rib *rib, uint64_t seed)
{
	char buf[64];
	for (unsigned i = 0; i < 5000; i++) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		uint32_t r = (uint32_t)(seed >> 33);
		unsigned len = 8 + r % 25;
		uint32_t a = (r * 2654435761u) & (len ? ~0u << (32 - len) : 0);
		snprintf(buf, sizeof(buf), "%u.%u.%u.%u/%u", a >> 24, (a >> 16) & 255,
			 (a >> 8) & 255, a & 255, len);
		t_announce(rib, 1, 0, buf, &SHORT);
		if (r % 3 == 0)
			t_announce(rib, 2, 0, buf, &LONG);
	}
}

/* A second RIB with the fixture's two peers, to compare one way of doing a thing with
 * another. */
static void twin_init(struct rib *other)
{
	struct rib_conf conf;
	rib_conf_default(&conf);
	rib_init(other, &conf);
	t_peer(other, 1, 65001, 0x0a000001, "10.0.0.1", RIB_ROLE_NVA);
	t_peer(other, 2, 65002, 0x0a000002, "10.0.0.2", RIB_ROLE_NVA);
}

static void test_touch_changes_nothing(void **state)
{
	struct rib *rib = *state, other;
	twin_init(&other);
	rib_touch_ahead_w(rib, 0);
	rib_touch_ahead_w(&other, RADIX_TOUCH_MAX);
	struct rib *r[2] = {rib, &other};
	struct rib_changes c[2];
	for (int i = 0; i < 2; i++) {
		fill_mixed(r[i], 42);
		take(r[i], &c[i]);
		rib_changes_release_w(r[i], &c[i]);
		rib_peer_mark_stale_w(r[i], 2);
		/* touching moves no finger */
		const struct rib_tree *t = &r[i]->tree[0];
		unsigned depth = t->f_depth;
		uint32_t last = t->f_last, k4[2] = {0x0a000000, 0xc0a80100};
		uint8_t len[2] = {8, 24};
		radix_touch4_w(t, k4, len, 2);
		assert_int_equal(t->f_depth, depth);
		assert_int_equal(t->f_last, last);
	}
	size_t swept[2], flushed[2];
	for (int i = 0; i < 2; i++) {
		swept[i] = rib_peer_sweep_w(r[i], 2);
		flushed[i] = rib_peer_flush_w(r[i], 1);
		take(r[i], &c[i]);
	}
	assert_true(swept[0] > 0 && flushed[0] > 0);
	assert_int_equal(swept[0], swept[1]);
	assert_int_equal(flushed[0], flushed[1]);
	assert_int_equal(c[0].len, c[1].len);
	assert_int_equal(c[0].plen, c[1].plen);
	for (size_t i = 0; i < c[0].len; i++) {
		assert_true(rx_prefix_equal(&c[0].v[i].prefix, &c[1].v[i].prefix));
		assert_int_equal(c[0].v[i].old_n, c[1].v[i].old_n);
		assert_int_equal(c[0].v[i].new_n, c[1].v[i].new_n);
	}
	for (size_t i = 0; i < c[0].plen; i++)
		assert_int_equal(c[0].paths[i].src, c[1].paths[i].src);
	assert_int_equal(rib->tree[0].prefixes, 0);
	assert_int_equal(other.tree[0].prefixes, 0);
	for (int i = 0; i < 2; i++)
		rib_changes_release_w(r[i], &c[i]);
	rib_fini(&other);
}

/* The daemon's flush in slices (rib_peer_flush_some_w, from the end of the key list, with
 * touching ahead across slice edges) ends where a whole flush does. */
struct walked {
	struct rx_prefix p[6000];
	uint16_t best[6000];
	size_t n;
};

static bool walk_collect(const struct rib_tree *t, const struct rib_node *n,
			 const struct rx_prefix *p, void *arg)
{
	struct walked *w = arg;
	assert_true(w->n < RX_ARRAY_LEN(w->p));
	w->p[w->n] = *p;
	w->best[w->n] = rib_node_paths(t, n)[0].src;
	w->n++;
	return true;
}

static void test_flush_some_slices(void **state)
{
	struct rib *rib = *state, other;
	twin_init(&other);
	fill_mixed(rib, 7);
	fill_mixed(&other, 7);
	struct rib_changes c;
	size_t whole = rib_peer_flush_w(&other, 1), sliced = 0, slices = 0;
	take(&other, &c);
	size_t logged_whole = c.len;
	rib_changes_release_w(&other, &c);
	size_t logged_sliced = 0;
	rib_touch_ahead_w(rib, 3); /* blocks that straddle the slices of 7 */
	bool done = false;
	while (!done) {
		sliced += rib_peer_flush_some_w(rib, 1, 7, &done);
		slices++;
		take(rib, &c);
		logged_sliced += c.len;
		rib_changes_release_w(rib, &c);
		rib_quiescent_w(rib);
	}
	assert_true(whole > 1000);
	assert_int_equal(sliced, whole);
	assert_int_equal(logged_sliced, logged_whole);
	assert_true(slices > whole / 7);
	assert_int_equal(rib->peers[1].paths[0], 0);
	assert_int_equal(rib->peers[1].keys[0].len, 0);
	static struct walked a, b;
	a.n = b.n = 0;
	radix_walk_rcu(&rib->tree[0], NULL, NULL, 0, walk_collect, &a, NULL);
	radix_walk_rcu(&other.tree[0], NULL, NULL, 0, walk_collect, &b, NULL);
	assert_true(a.n > 0);
	assert_int_equal(a.n, b.n);
	for (size_t i = 0; i < a.n; i++) {
		assert_true(rx_prefix_equal(&a.p[i], &b.p[i]));
		assert_int_equal(a.best[i], 2);
		assert_int_equal(b.best[i], 2);
	}
	assert_int_equal(rib->tree[0].nodes, other.tree[0].nodes);
	rib_fini(&other);
}

int run_rib_tests(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_change_log),	       T(test_peer_flush),
	    T(test_mark_sweep),	       T(test_keyvec_compaction),
	    T(test_keyvec_compaction_keeps_new),
	    T(test_sharing_and_stats), T(test_attr_shared_across_families),
	    T(test_rpki_hidden),       T(test_rpki_accept),
	    T(test_last_paths_references), T(test_change_log_reuse),
	    T(test_touch_changes_nothing), T(test_flush_some_slices),
	};
#undef T
	return cmocka_run_group_tests_name("rib", tests, NULL, NULL);
}
