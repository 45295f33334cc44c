/* test_decide.c: one test per decision step, checking the step that decides (decide_cmp,
 * both ways round) and the best path the RIB keeps for both arrival orders; deterministic
 * MED; the ECMP set; and order independence over random permutations. */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "helpers.h"
#include "tests.h"

/* Sources used below (router ids are 10.0.0.<src> unless said otherwise). */
enum {
	NVA1 = 1,  /* AS 65001, eBGP */
	NVA2 = 2,  /* AS 65002, eBGP */
	ER = 3,	   /* ExpressRoute gateway, AS 65515 (iBGP, as on Azure) */
	VPN = 4,   /* VPN gateway, AS 65515 */
	NVA5 = 5,  /* AS 65001, eBGP, a second NVA of the same AS as NVA1 */
	NVA6 = 6,  /* AS 65515: iBGP */
	TWIN7 = 7, /* router id 10.0.0.7, address 10.0.0.9 */
	TWIN8 = 8, /* router id 10.0.0.7, address 10.0.0.8 */
	SAME9 = 9, /* 9 and 10: identical peers (same address and router id) */
	SAME10 = 10,
};

static int setup(void **state)
{
	struct rib *rib = malloc(sizeof(*rib));
	struct rib_conf c;
	rib_conf_default(&c);
	rib_init(rib, &c);
	t_peer(rib, NVA1, 65001, 0x0a000001, "10.0.0.1", RIB_ROLE_NVA);
	t_peer(rib, NVA2, 65002, 0x0a000002, "10.0.0.2", RIB_ROLE_NVA);
	t_peer(rib, ER, 65515, 0x0a000003, "10.0.0.3", RIB_ROLE_EXPRESSROUTE);
	t_peer(rib, VPN, 65515, 0x0a000004, "10.0.0.4", RIB_ROLE_VPN);
	t_peer(rib, NVA5, 65001, 0x0a000005, "10.0.0.5", RIB_ROLE_NVA);
	t_peer(rib, NVA6, 65515, 0x0a000006, "10.0.0.6", RIB_ROLE_NVA);
	t_peer(rib, TWIN7, 65007, 0x0a000007, "10.0.0.9", RIB_ROLE_NVA);
	t_peer(rib, TWIN8, 65007, 0x0a000007, "10.0.0.8", RIB_ROLE_NVA);
	t_peer(rib, SAME9, 65009, 0x0a000009, "10.0.0.10", RIB_ROLE_NVA);
	t_peer(rib, SAME10, 65009, 0x0a000009, "10.0.0.10", RIB_ROLE_NVA);
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

/* (sa, ida, a) must beat (sb, idb, b) at step `want`, whichever arrives first. */
static void duel(struct rib *rib, uint16_t sa, uint32_t ida, const struct tattr *a, uint16_t sb,
		 uint32_t idb, const struct tattr *b, enum decide_step want)
{
	struct rib_path pa = {t_attr(rib, a), ida, sa, rib->peers[sa].gen, RIB_RPKI_NONE};
	struct rib_path pb = {t_attr(rib, b), idb, sb, rib->peers[sb].gen, RIB_RPKI_NONE};
	enum decide_step s;
	assert_true(decide_cmp(rib, &pa, &pb, true, &s) < 0);
	if (s != want)
		fail_msg("decided by %s, expected %s", decide_step_name(s), decide_step_name(want));
	assert_true(decide_cmp(rib, &pb, &pa, true, &s) > 0);
	assert_int_equal(s, want);
	const char *pfx = "10.9.0.0/16";
	struct rx_prefix p = t_pfx(pfx);
	for (int order = 0; order < 2; order++) {
		if (order == 0) {
			assert_true(rib_update_w(rib, sa, ida, &p, pa.attrs));
			rib_update_w(rib, sb, idb, &p, pb.attrs);
		} else {
			assert_true(rib_update_w(rib, sb, idb, &p, pb.attrs));
			assert_true(rib_update_w(rib, sa, ida, &p, pa.attrs));
		}
		unsigned n;
		const struct rib_path *best = t_best(rib, pfx, &n, NULL);
		assert_int_equal(n, 2);
		assert_int_equal(best->src, sa);
		assert_int_equal(best->path_id, ida);
		rib_withdraw_w(rib, sa, ida, &p);
		rib_withdraw_w(rib, sb, idb, &p);
		assert_null(t_best(rib, pfx, NULL, NULL));
	}
	attr_unref_w(&rib->attrs, pa.attrs);
	attr_unref_w(&rib->attrs, pb.attrs);
}

static const struct tattr BASE = {.n_as = 1, .as = {65001}};

static void test_step_local(void **state)
{
	struct rib *rib = *state;
	struct tattr loc = {0}, er = BASE;
	er.has_lp = true;
	er.lp = 1000;
	duel(rib, RIB_SRC_LOCAL, 0, &loc, ER, 0, &er, DECIDE_LOCAL);
}

static void test_step_route_pref_expressroute(void **state)
{
	struct rib *rib = *state;
	struct tattr er = {.n_as = 3, .as = {65515, 12076, 64512}};
	struct tattr nva = {.has_lp = true, .lp = 500, .n_as = 1, .as = {65001}};
	duel(rib, ER, 0, &er, NVA1, 0, &nva, DECIDE_ROUTE_PREF);
	duel(rib, ER, 0, &er, VPN, 0, &nva, DECIDE_ROUTE_PREF);
}

static void test_step_route_pref_vpn(void **state)
{
	struct rib *rib = *state;
	rib->conf.pref = RIB_PREF_VPN;
	struct tattr vpn = {.n_as = 3, .as = {65515, 65100, 65101}};
	struct tattr er = {.has_lp = true, .lp = 500, .n_as = 1, .as = {12076}};
	duel(rib, VPN, 0, &vpn, ER, 0, &er, DECIDE_ROUTE_PREF);
	duel(rib, NVA1, 0, &vpn, ER, 0, &er, DECIDE_ROUTE_PREF); /* SD-WAN ranks with VPN */
}

static void test_step_route_pref_as_path(void **state)
{
	struct rib *rib = *state;
	rib->conf.pref = RIB_PREF_AS_PATH;
	struct tattr short1 = {.n_as = 1, .as = {65001}};
	struct tattr long2 = {.has_lp = true, .lp = 500, .n_as = 2, .as = {12076, 64512}};
	duel(rib, NVA1, 0, &short1, ER, 0, &long2, DECIDE_ROUTE_PREF);
	/* equal length: ExpressRoute first */
	struct tattr one = {.n_as = 1, .as = {12076}};
	duel(rib, ER, 0, &one, NVA1, 0, &short1, DECIDE_ROUTE_PREF);
}

static void test_step_local_pref(void **state)
{
	struct rib *rib = *state;
	struct tattr hi = {.has_lp = true, .lp = 200, .n_as = 3, .as = {65002, 1, 2}};
	struct tattr lo = {.has_lp = true, .lp = 100, .n_as = 1, .as = {65001}};
	duel(rib, NVA2, 0, &hi, NVA1, 0, &lo, DECIDE_LOCAL_PREF);
	/* a missing LOCAL_PREF counts as the default, 100 */
	struct tattr none = {.n_as = 1, .as = {65001}};
	struct tattr mid = {.has_lp = true, .lp = 150, .n_as = 2, .as = {65002, 1}};
	duel(rib, NVA2, 0, &mid, NVA1, 0, &none, DECIDE_LOCAL_PREF);
	struct tattr low = {.has_lp = true, .lp = 50, .n_as = 0};
	duel(rib, NVA1, 0, &none, NVA2, 0, &low, DECIDE_LOCAL_PREF);
}

static void test_step_as_path(void **state)
{
	struct rib *rib = *state;
	struct tattr one = {.n_as = 2, .as = {65002, 7}, .origin = WIRE_ORIGIN_INCOMPLETE};
	struct tattr three = {.n_as = 3, .as = {65001, 1, 2}};
	duel(rib, NVA2, 0, &one, NVA1, 0, &three, DECIDE_AS_PATH);
	/* RFC 4271 9.1.2.2 a: an AS_SET counts as one, however many members */
	struct tattr set = {.n_as = 2, .as = {65002, 9}, .as_set = true};
	duel(rib, NVA2, 0, &set, NVA1, 0, &three, DECIDE_AS_PATH);
}

static void test_step_origin(void **state)
{
	struct rib *rib = *state;
	struct tattr igp = {
	    .n_as = 1, .as = {65002}, .origin = WIRE_ORIGIN_IGP, .has_med = true, .med = 500};
	struct tattr inc = {.n_as = 1, .as = {65001}, .origin = WIRE_ORIGIN_INCOMPLETE};
	duel(rib, NVA2, 0, &igp, NVA1, 0, &inc, DECIDE_ORIGIN);
	struct tattr egp = {.n_as = 1, .as = {65001}, .origin = WIRE_ORIGIN_EGP};
	duel(rib, NVA2, 0, &igp, NVA1, 0, &egp, DECIDE_ORIGIN);
}

static void test_step_med(void **state)
{
	struct rib *rib = *state;
	/* same neighbour AS (65001): MED decides */
	struct tattr m10 = {.n_as = 1, .as = {65001}, .has_med = true, .med = 10};
	struct tattr m20 = {.n_as = 1, .as = {65001}, .has_med = true, .med = 20};
	duel(rib, NVA5, 0, &m10, NVA1, 0, &m20, DECIDE_MED);
	/* a missing MED is 0 (RFC 4271 9.1.2.2 c) ... */
	struct tattr none = {.n_as = 1, .as = {65001}};
	duel(rib, NVA5, 0, &none, NVA1, 0, &m10, DECIDE_MED);
	/* ... or the worst, when configured */
	rib->conf.med_missing_worst = true;
	duel(rib, NVA5, 0, &m20, NVA1, 0, &none, DECIDE_MED);
	rib->conf.med_missing_worst = false;
}

static void test_step_med_other_as(void **state)
{
	struct rib *rib = *state;
	/* different neighbour ASes: MED is not compared; the router id decides */
	struct tattr a = {.n_as = 1, .as = {65001}, .has_med = true, .med = 50};
	struct tattr b = {.n_as = 1, .as = {65002}, .has_med = true, .med = 10};
	duel(rib, NVA1, 0, &a, NVA2, 0, &b, DECIDE_ROUTER_ID);
	/* always-compare-med: it is */
	rib->conf.always_compare_med = true;
	duel(rib, NVA2, 0, &b, NVA1, 0, &a, DECIDE_MED);
}

static void test_step_ebgp(void **state)
{
	struct rib *rib = *state;
	/* NVA6 is iBGP (AS 65515) with the lower router id and address: eBGP still wins */
	struct tattr a = {.n_as = 1, .as = {65001}};
	struct tattr b = {.n_as = 1, .as = {65002}};
	duel(rib, NVA1, 0, &a, NVA6, 0, &b, DECIDE_EBGP);
	rib->peers[NVA1].info.router_id = 0x0a0000ff; /* worse router id: still eBGP first */
	duel(rib, NVA1, 0, &a, NVA6, 0, &b, DECIDE_EBGP);
	rib->peers[NVA1].info.router_id = 0x0a000001;
}

static void test_step_router_id(void **state)
{
	struct rib *rib = *state;
	struct tattr a = {.n_as = 1, .as = {65001}};
	struct tattr b = {.n_as = 1, .as = {65002}};
	duel(rib, NVA1, 0, &a, NVA2, 0, &b, DECIDE_ROUTER_ID);
	/* RFC 4456 9: the ORIGINATOR_ID stands in for the router id */
	struct tattr orig = {.n_as = 1, .as = {65002}, .has_orig = true, .originator = 0x01000000};
	duel(rib, NVA2, 0, &orig, NVA1, 0, &a, DECIDE_ROUTER_ID);
}

static void test_step_cluster_list(void **state)
{
	struct rib *rib = *state;
	struct tattr c1 = {
	    .n_as = 1, .as = {65002}, .has_orig = true, .originator = 0x0b000001, .n_cluster = 1};
	struct tattr c2 = {
	    .n_as = 1, .as = {65001}, .has_orig = true, .originator = 0x0b000001, .n_cluster = 2};
	duel(rib, NVA2, 0, &c1, NVA1, 0, &c2, DECIDE_CLUSTER_LIST);
}

static void test_step_peer_addr(void **state)
{
	struct rib *rib = *state;
	struct tattr a = {.n_as = 1, .as = {65007}};
	duel(rib, TWIN8, 0, &a, TWIN7, 0, &a, DECIDE_PEER_ADDR);
}

static void test_step_path_id(void **state)
{
	struct rib *rib = *state;
	struct tattr a = {.n_as = 1, .as = {65001}};
	struct tattr b = {.n_as = 1, .as = {65001}, .nh = 0x0a000063};
	duel(rib, NVA1, 1, &b, NVA1, 2, &a, DECIDE_PATH_ID);
}

static void test_step_src(void **state)
{
	struct rib *rib = *state;
	struct tattr a = {.n_as = 1, .as = {65009}};
	duel(rib, SAME9, 0, &a, SAME10, 0, &a, DECIDE_SRC);
}

/* MED only compares within a neighbour AS, so pairwise comparison can cycle:
 * A beats B (router id), B beats C (router id), C beats A (MED). Deterministic MED picks
 * each AS's best (C for AS 100, B for AS 200), then compares those without MED: B. */
static void test_deterministic_med(void **state)
{
	struct rib *rib = *state;
	t_peer(rib, 21, 100, 0x01000001, "10.1.0.1", RIB_ROLE_NVA);
	t_peer(rib, 22, 200, 0x01000002, "10.1.0.2", RIB_ROLE_NVA);
	t_peer(rib, 23, 100, 0x01000003, "10.1.0.3", RIB_ROLE_NVA);
	struct tattr a = {.n_as = 1, .as = {100}, .has_med = true, .med = 20};
	struct tattr b = {.n_as = 1, .as = {200}, .has_med = true, .med = 10};
	struct tattr c = {.n_as = 1, .as = {100}, .has_med = true, .med = 10};
	const struct tattr *ta[3] = {&a, &b, &c};
	static const int perms[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2},
					{1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
	rib->conf.multipath = false;
	for (int i = 0; i < 6; i++) {
		char pfx[32];
		snprintf(pfx, sizeof(pfx), "10.%d.0.0/16", 100 + i);
		for (int j = 0; j < 3; j++)
			t_announce(rib, (uint16_t)(21 + perms[i][j]), 0, pfx, ta[perms[i][j]]);
		unsigned n;
		const struct rib_path *best = t_best(rib, pfx, &n, NULL);
		assert_int_equal(n, 3);
		assert_int_equal(best->src, 22);
	}
	/* withdrawing B leaves C (MED within AS 100) */
	struct rx_prefix p = t_pfx("10.100.0.0/16");
	rib_withdraw_w(rib, 22, 0, &p);
	assert_int_equal(t_best(rib, "10.100.0.0/16", NULL, NULL)->src, 23);
}

static void test_ecmp(void **state)
{
	struct rib *rib = *state;
	struct tattr a1 = {.n_as = 2, .as = {65001, 64512}};
	struct tattr a2 = {.n_as = 2, .as = {65002, 64512}};
	const char *p = "10.50.0.0/16";
	unsigned n, ne;
	t_announce(rib, NVA2, 0, p, &a2);
	t_announce(rib, NVA5, 0, p, &a1);
	t_announce(rib, NVA1, 0, p, &a1);
	const struct rib_path *v = t_best(rib, p, &n, &ne);
	assert_int_equal(n, 3);
	assert_int_equal(ne, 3);
	assert_int_equal(v[0].src, NVA1); /* lowest router id among equals */
	assert_int_equal(v[1].src, NVA2); /* then the tie-break order */
	assert_int_equal(v[2].src, NVA5);
	/* an iBGP path is not ECMP with eBGP ones */
	t_announce(rib, NVA6, 0, p, &a1);
	v = t_best(rib, p, &n, &ne);
	assert_int_equal(n, 4);
	assert_int_equal(ne, 3);
	assert_int_equal(v[3].src, NVA6);
	/* a longer AS path drops out of the set */
	struct tattr longer = {.n_as = 3, .as = {65002, 65002, 64512}};
	t_announce(rib, NVA2, 0, p, &longer);
	v = t_best(rib, p, &n, &ne);
	assert_int_equal(ne, 2);
	assert_int_equal(v[1].src, NVA5);
	t_announce(rib, NVA2, 0, p, &a2);
	/* options: same neighbour AS only; a cap; off */
	rib->conf.multipath_same_as = true;
	t_announce(rib, NVA2, 0, p, &longer);
	t_announce(rib, NVA2, 0, p, &a2);
	v = t_best(rib, p, &n, &ne);
	assert_int_equal(ne, 2);
	assert_int_equal(v[1].src, NVA5);
	rib->conf.multipath_same_as = false;
	rib->conf.max_ecmp = 2;
	t_announce(rib, NVA2, 0, p, &longer);
	t_announce(rib, NVA2, 0, p, &a2);
	t_best(rib, p, &n, &ne);
	assert_int_equal(ne, 2);
	rib->conf.max_ecmp = 0;
	rib->conf.multipath = false;
	t_announce(rib, NVA2, 0, p, &longer);
	t_announce(rib, NVA2, 0, p, &a2);
	t_best(rib, p, &n, &ne);
	assert_int_equal(ne, 1);
}

static unsigned rnd(unsigned *s)
{
	*s = *s * 1103515245u + 12345u;
	return (*s >> 16) & 0x7fff;
}

/* Random candidate sets arriving in random orders always end in the same array. */
static void test_order_independence(void **state)
{
	struct rib *rib = *state;
	unsigned seed = 42;
	for (uint16_t s = 30; s < 42; s++)
		t_peer(rib, s, 65000 + (s % 4 == 0 ? 515 : s % 3), 0x0a0a0000 + (s * 7) % 5,
		       s % 2 ? "10.2.0.1" : "10.2.0.2",
		       s % 5 == 0 ? RIB_ROLE_EXPRESSROUTE : RIB_ROLE_NVA);
	for (int round = 0; round < 40; round++) {
		rib->conf.always_compare_med = round % 3 == 0;
		struct tattr ta[12];
		for (int i = 0; i < 12; i++) {
			memset(&ta[i], 0, sizeof(ta[i]));
			ta[i].n_as = 1 + rnd(&seed) % 3;
			for (unsigned j = 0; j < ta[i].n_as; j++)
				ta[i].as[j] = 65000 + rnd(&seed) % 3;
			ta[i].has_med = rnd(&seed) % 2;
			ta[i].med = rnd(&seed) % 3;
			ta[i].has_lp = rnd(&seed) % 4 == 0;
			ta[i].lp = 100 + rnd(&seed) % 2;
			ta[i].origin = (uint8_t)(rnd(&seed) % 2);
			ta[i].n_cluster = rnd(&seed) % 2;
		}
		struct rib_path ref[12];
		unsigned ref_ecmp = 0;
		for (int order = 0; order < 8; order++) {
			int perm[12];
			for (int i = 0; i < 12; i++)
				perm[i] = i;
			for (int i = 11; i > 0; i--) {
				int j = (int)(rnd(&seed) % (unsigned)(i + 1)), t = perm[i];
				perm[i] = perm[j];
				perm[j] = t;
			}
			for (int i = 0; i < 12; i++)
				t_announce(rib, (uint16_t)(30 + perm[i]), 0, "10.77.0.0/16",
					   &ta[perm[i]]);
			unsigned n, ne;
			const struct rib_path *v = t_best(rib, "10.77.0.0/16", &n, &ne);
			assert_int_equal(n, 12);
			if (order == 0) {
				memcpy(ref, v, sizeof(ref));
				ref_ecmp = ne;
			} else {
				assert_int_equal(ne, ref_ecmp);
				/* a source always sends the same set here; pointers are not
				 * comparable: the sets are freed between rounds */
				for (int i = 0; i < 12; i++)
					assert_int_equal(v[i].src, ref[i].src);
			}
			for (int i = 0; i < 12; i++) {
				struct rx_prefix p = t_pfx("10.77.0.0/16");
				rib_withdraw_w(rib, (uint16_t)(30 + i), 0, &p);
			}
			rib_quiescent_w(rib);
		}
	}
}

int run_decide_tests(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_step_local),
	    T(test_step_route_pref_expressroute),
	    T(test_step_route_pref_vpn),
	    T(test_step_route_pref_as_path),
	    T(test_step_local_pref),
	    T(test_step_as_path),
	    T(test_step_origin),
	    T(test_step_med),
	    T(test_step_med_other_as),
	    T(test_step_ebgp),
	    T(test_step_router_id),
	    T(test_step_cluster_list),
	    T(test_step_peer_addr),
	    T(test_step_path_id),
	    T(test_step_src),
	    T(test_deterministic_med),
	    T(test_ecmp),
	    T(test_order_independence),
	};
#undef T
	return cmocka_run_group_tests_name("decide", tests, NULL, NULL);
}
