/* test_export.c: propagation matrix, route exchange, split horizon, communities and the
 * attribute rewrite of Azure and transparent modes, checked on the bytes each member is
 * actually sent (parsed back with the codec). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <routex/export.h>
#include <routex/policy.h>
#include <routex/rib.h>
#include <routex/wire.h>

/* What one member received, decoded. */
struct seen {
	char ann[64][256]; /* "prefix|aspath|nexthop|lp" */
	char wd[64][48];
	int n_ann, n_wd, n_eor;
};

struct cap {
	uint8_t *buf;
	size_t len;
};

static void capture(void *ctx, struct io_out *o)
{
	struct cap *c = ctx;
	c->buf = realloc(c->buf, c->len + o->len);
	memcpy(c->buf + c->len, o->data, o->len);
	c->len += o->len;
}

static void aspath_str(const uint8_t *p, size_t len, char *out, size_t n)
{
	size_t o = 0;
	out[0] = 0;
	for (const uint8_t *q = p; q + 2 <= p + len; q += 2 + q[1] * 4)
		for (unsigned i = 0; i < q[1]; i++)
			o += (size_t)snprintf(out + o, n - o, "%s%u", o ? " " : "", wire_get32(q + 2 + 4 * i));
}

/* The members under test negotiated ADD-PATH send for IPv4: their NLRI carry path ids. */
static bool parse_addpath;

/* Calls fn for each UPDATE captured (each must be one, and parse cleanly). */
static void each_update(const struct cap *c, void (*fn)(const struct wire_update *u, void *arg),
			void *arg)
{
	static struct wire_scratch sc;
	struct wire_ctx ctx = {.as4 = true,
			       .addpath_rx = parse_addpath ? RX_FAM_BIT(RX_FAM_IPV4_UNICAST) : 0};
	for (size_t off = 0; off < c->len;) {
		uint8_t type;
		struct wire_error err;
		size_t ml = wire_header_check(c->buf + off, c->len - off, WIRE_MAX_LEN, &type, &err);
		assert_true(ml > 0);
		assert_int_equal(type, WIRE_UPDATE);
		struct wire_update u;
		assert_int_equal(wire_update_parse(c->buf + off + WIRE_HEADER_LEN, ml - WIRE_HEADER_LEN,
						   &ctx, &u, &sc),
				 WIRE_OK);
		off += ml;
		fn(&u, arg);
	}
}

static void decode_one(const struct wire_update *u, void *arg)
{
	struct seen *s = arg;
	if (u->end_of_rib) {
		s->n_eor++;
		return;
	}
	struct wire_nlri_iter it;
	struct rx_prefix p;
	char pfx[64], path[64], nh[64];
	aspath_str(u->attrs.aspath, u->attrs.aspath_len, path, sizeof(path));
	rx_addr_fmt(RX_AFI_IPV4, u->attrs.nexthop, nh, sizeof(nh));
	wire_nlri_iter_init(&it, &u->nlri);
	while (wire_nlri_next(&it, &p, NULL)) {
		rx_prefix_fmt(&p, pfx, sizeof(pfx));
		snprintf(s->ann[s->n_ann++], sizeof(s->ann[0]), "%s|%s|%s|%d", pfx, path, nh,
			 WIRE_HAS(&u->attrs, WIRE_ATTR_LOCAL_PREF) ? (int)u->attrs.local_pref : -1);
	}
	wire_nlri_iter_init(&it, &u->withdrawn);
	while (wire_nlri_next(&it, &p, NULL))
		rx_prefix_fmt(&p, s->wd[s->n_wd++], 48);
}

/* Decodes everything captured so far, then forgets it. */
static void decode(struct cap *c, struct seen *s)
{
	memset(s, 0, sizeof(*s));
	each_update(c, decode_one, s);
	c->len = 0;
}

static bool has(const struct seen *s, const char *ann)
{
	for (int i = 0; i < s->n_ann; i++)
		if (strcmp(s->ann[i], ann) == 0)
			return true;
	return false;
}

static bool withdrew(const struct seen *s, const char *pfx)
{
	for (int i = 0; i < s->n_wd; i++)
		if (strcmp(s->wd[i], pfx) == 0)
			return true;
	return false;
}

/* ---- fixture: a RIB with sources 1 (nva AS65001), 2 (nva AS65002), 3 (er, iBGP 65515) ---- */

static struct rib rib;
static struct export_state ex;
static struct cap cap[8];
static size_t adv[8];

static const struct export_key KEY_NVA = {.role = RIB_ROLE_NVA,
					  .families = RX_FAM_BIT(RX_FAM_IPV4_UNICAST),
					  .as4 = true, .ebgp = true};
static const struct export_key KEY_ER = {.role = RIB_ROLE_EXPRESSROUTE,
					 .families = RX_FAM_BIT(RX_FAM_IPV4_UNICAST),
					 .as4 = true, .ebgp = false};

static void add_source(uint16_t src, uint32_t asn, uint8_t role)
{
	struct rib_peer_info info = {.asn = asn, .router_id = src, .afi = RX_AFI_IPV4,
				     .role = role, .addr = {127, 0, 0, (uint8_t)src}};
	rib_peer_add_w(&rib, src, &info);
}

/* Announces prefix from src with an AS path of one AS and optional communities. */
static void announce(uint16_t src, const char *prefix, uint32_t as, const uint32_t *comms,
		     int n_comms, uint32_t med)
{
	uint8_t path[6] = {WIRE_AS_SEQUENCE, 1};
	wire_put32(path + 2, as);
	uint8_t cb[64];
	for (int i = 0; i < n_comms; i++)
		wire_put32(cb + 4 * i, comms[i]);
	struct wire_attrs wa = {.present = WIRE_ATTR_BIT(WIRE_ATTR_ORIGIN) |
					   WIRE_ATTR_BIT(WIRE_ATTR_AS_PATH) |
					   WIRE_ATTR_BIT(WIRE_ATTR_NEXT_HOP),
				.aspath = path, .aspath_len = as ? 6 : 0,
				.nexthop = {127, 0, 0, (uint8_t)src}};
	if (n_comms) {
		wa.present |= WIRE_ATTR_BIT(WIRE_ATTR_COMMUNITIES);
		wa.communities = cb;
		wa.communities_len = (uint16_t)(4 * n_comms);
	}
	if (med) {
		wa.present |= WIRE_ATTR_BIT(WIRE_ATTR_MED);
		wa.med = med;
	}
	static uint8_t data[4096];
	struct attr_buf ab = {.data = data, .cap = sizeof(data)};
	assert_true(attr_encode(&wa, NULL, 4, &ab));
	struct attr_set *a = attr_intern_w(&rib.attrs, &ab);
	struct rx_prefix p;
	assert_true(rx_prefix_parse(prefix, &p, false));
	rib_update_w(&rib, src, 0, &p, a);
	attr_unref_w(&rib.attrs, a);
}

static void withdraw(uint16_t src, const char *prefix)
{
	struct rx_prefix p;
	assert_true(rx_prefix_parse(prefix, &p, false));
	rib_withdraw_w(&rib, src, 0, &p);
}

/* Exports the pending change log, as the decision thread does after a batch. */
static void sync_changes(void)
{
	struct rib_changes c = {0};
	rib_changes_take_w(&rib, &c);
	export_changes_w(&ex, &rib, &c);
	rib_changes_release_w(&rib, &c);
}

static void join(uint16_t src, const struct export_key *k)
{
	export_member_up_w(&ex, &rib, k, src, capture, &cap[src], &adv[src]);
}

/* An originated prefix, as rde.c makes it: empty path, no next hop. */
static void originate(const char *prefix)
{
	struct wire_attrs wa = {.present = WIRE_ATTR_BIT(WIRE_ATTR_ORIGIN) |
					   WIRE_ATTR_BIT(WIRE_ATTR_AS_PATH)};
	static uint8_t data[64];
	static const uint8_t none[1];
	struct attr_buf ab = {.data = data, .cap = sizeof(data)};
	assert_true(attr_encode(&wa, none, 0, &ab));
	struct attr_set *a = attr_intern_w(&rib.attrs, &ab);
	struct rx_prefix p;
	assert_true(rx_prefix_parse(prefix, &p, false));
	rib_update_w(&rib, RIB_SRC_LOCAL, 0, &p, a);
	attr_unref_w(&rib.attrs, a);
}

static int setup(void **state)
{
	rx_rcu_register();
	struct rib_conf rc;
	rib_conf_default(&rc);
	rib_init(&rib, &rc);
	struct export_policy pol = {.asn = 65515, .router_id = 0x0aff0001};
	export_init(&ex, &pol);
	add_source(1, 65001, RIB_ROLE_NVA);
	add_source(2, 65002, RIB_ROLE_NVA);
	add_source(3, 65515, RIB_ROLE_EXPRESSROUTE);
	memset(cap, 0, sizeof(cap));
	originate("10.1.0.0/16");
	sync_changes();
	return 0;
}

static int teardown(void **state)
{
	export_fini(&ex);
	rib_fini(&rib);
	for (int i = 0; i < 8; i++)
		free(cap[i].buf);
	rx_rcu_unregister();
	return 0;
}

static void test_matrix(void **state)
{
	/* DESIGN.md "Propagation": rows from, columns to (nva, er, vpn, rs-client). */
	static const char *const off[5] = {"1111", "1000", "0000", "0000", "0001"};
	static const char *const on[5] = {"1111", "1110", "1010", "1100", "0001"};
	for (int ex_on = 0; ex_on < 2; ex_on++) {
		struct export_policy pol = {.exchange = ex_on};
		for (uint8_t from = 0; from < 5; from++)
			for (uint8_t to = 1; to < 5; to++) {
				bool want = (ex_on ? on : off)[from][to - 1] == '1';
				assert_int_equal(export_allowed(&pol, from, to), want);
			}
	}
}

static void test_feed_and_exchange(void **state)
{
	struct seen s;
	announce(1, "192.0.2.0/24", 65001, NULL, 0, 0);
	announce(3, "203.0.113.0/24", 0, NULL, 0, 0); /* iBGP gateway: empty AS path */
	sync_changes();
	join(2, &KEY_NVA);
	join(3, &KEY_ER);
	decode(&cap[2], &s);
	/* NVA 2: the other NVA's route with 65515 prepended, next hop unchanged, no LOCAL_PREF
	 * (eBGP); the originated prefix with our router id; not the gateway's route. */
	assert_true(has(&s, "192.0.2.0/24|65515 65001|127.0.0.1|-1"));
	assert_true(has(&s, "10.1.0.0/16|65515|10.255.0.1|-1"));
	assert_int_equal(s.n_ann, 2);
	assert_int_equal(s.n_eor, 1);
	decode(&cap[3], &s);
	/* The iBGP gateway: only the originated prefix, no prepend, LOCAL_PREF 100. */
	assert_true(has(&s, "10.1.0.0/16||10.255.0.1|100"));
	assert_int_equal(s.n_ann, 1);
	assert_int_equal(adv[3], 1);

	struct export_policy pol = ex.pol;
	pol.exchange = true;
	export_policy_change_w(&ex, &rib, &pol);
	decode(&cap[3], &s);
	assert_true(has(&s, "192.0.2.0/24|65001|127.0.0.1|100"));
	assert_int_equal(s.n_ann, 1);
	decode(&cap[2], &s);
	assert_true(has(&s, "203.0.113.0/24|65515|127.0.0.3|-1"));
	assert_int_equal(s.n_ann + s.n_wd, 1); /* what it held already is not sent again */
	assert_int_equal(adv[2], 3);

	pol.exchange = false;
	export_policy_change_w(&ex, &rib, &pol);
	decode(&cap[3], &s);
	assert_true(withdrew(&s, "192.0.2.0/24"));
	assert_int_equal(s.n_ann + s.n_wd, 1);
	decode(&cap[2], &s);
	assert_true(withdrew(&s, "203.0.113.0/24"));
	assert_int_equal(s.n_ann + s.n_wd, 1);
	assert_int_equal(adv[2], 2);
	export_member_down_w(&ex, 2);
	export_member_down_w(&ex, 3);
}

static void test_split_horizon_in_a_group(void **state)
{
	struct seen s;
	join(1, &KEY_NVA);
	join(2, &KEY_NVA); /* same group as 1 */
	decode(&cap[1], &s);
	decode(&cap[2], &s);
	announce(1, "198.51.100.0/24", 65001, NULL, 0, 0);
	sync_changes();
	decode(&cap[1], &s);
	assert_int_equal(s.n_ann, 0); /* never back to its source */
	decode(&cap[2], &s);
	assert_true(has(&s, "198.51.100.0/24|65515 65001|127.0.0.1|-1"));
	/* Now 2 announces it with a better path (same length, lower router id wins for 1's?):
	 * make 2's path strictly better by AS path length: withdraw 1's. */
	withdraw(1, "198.51.100.0/24");
	announce(2, "198.51.100.0/24", 65002, NULL, 0, 0);
	sync_changes();
	decode(&cap[2], &s);
	/* 2 loses the route it had from 1 (it is now the source): a withdrawal, no echo. */
	assert_true(withdrew(&s, "198.51.100.0/24"));
	assert_int_equal(s.n_ann, 0);
	decode(&cap[1], &s);
	assert_true(has(&s, "198.51.100.0/24|65515 65002|127.0.0.2|-1"));
	export_member_down_w(&ex, 1);
	export_member_down_w(&ex, 2);
}

static void test_communities(void **state)
{
	struct seen s;
	join(2, &KEY_NVA);
	join(3, &KEY_ER);
	decode(&cap[2], &s);
	decode(&cap[3], &s);
	struct export_policy pol = ex.pol;
	pol.exchange = true;
	export_policy_change_w(&ex, &rib, &pol);
	decode(&cap[2], &s);
	decode(&cap[3], &s);
	uint32_t noadv = WIRE_COMM_NO_ADVERTISE, noexp = WIRE_COMM_NO_EXPORT;
	announce(1, "192.0.2.128/25", 65001, &noadv, 1, 0);
	announce(1, "192.0.2.64/26", 65001, &noexp, 1, 0);
	sync_changes();
	decode(&cap[2], &s); /* eBGP NVA: neither */
	assert_int_equal(s.n_ann, 0);
	decode(&cap[3], &s); /* iBGP gateway: NO_EXPORT stays inside the AS, so it gets it */
	assert_int_equal(s.n_ann, 1);
	assert_true(has(&s, "192.0.2.64/26|65001|127.0.0.1|100"));
	pol.exchange = false;
	export_policy_change_w(&ex, &rib, &pol);
	export_member_down_w(&ex, 2);
	export_member_down_w(&ex, 3);
}

/* RFC 7947 2.3.2: when policy hides a prefix's best path from a group, the group gets the
 * next path its policy lets through, and follows it as the candidates change. */
static void test_path_hiding(void **state)
{
	struct seen s;
	join(2, &KEY_NVA);
	decode(&cap[2], &s);
	/* The gateway's path is best (route-preference expressroute) but, with exchange off,
	 * not for NVAs: NVA 2 gets NVA 1's, the second best. */
	announce(3, "198.18.0.0/24", 0, NULL, 0, 0);
	announce(1, "198.18.0.0/24", 65001, NULL, 0, 0);
	sync_changes();
	decode(&cap[2], &s);
	assert_int_equal(s.n_ann, 1);
	assert_true(has(&s, "198.18.0.0/24|65515 65001|127.0.0.1|-1"));
	assert_int_equal(adv[2], 2);
	/* Exchange on: the best path is allowed now and replaces the second. */
	struct export_policy pol = ex.pol;
	pol.exchange = true;
	export_policy_change_w(&ex, &rib, &pol);
	decode(&cap[2], &s);
	assert_true(has(&s, "198.18.0.0/24|65515|127.0.0.3|-1"));
	pol.exchange = false;
	export_policy_change_w(&ex, &rib, &pol);
	decode(&cap[2], &s);
	assert_true(has(&s, "198.18.0.0/24|65515 65001|127.0.0.1|-1"));
	/* The hidden second path goes: withdrawn, although the best did not move. */
	withdraw(1, "198.18.0.0/24");
	sync_changes();
	decode(&cap[2], &s);
	assert_true(withdrew(&s, "198.18.0.0/24"));
	assert_int_equal(s.n_ann, 0);
	assert_int_equal(adv[2], 1);
	/* NO_ADVERTISE on the best path hides it too: the next one goes. */
	uint32_t noadv = WIRE_COMM_NO_ADVERTISE;
	withdraw(3, "198.18.0.0/24");
	announce(1, "198.18.0.0/24", 0, &noadv, 1, 0); /* shortest path: best */
	announce(2, "198.18.0.0/24", 65002, NULL, 0, 0);
	sync_changes();
	join(3, &KEY_ER);
	decode(&cap[3], &s);
	assert_true(has(&s, "10.1.0.0/16||10.255.0.1|100"));
	assert_int_equal(s.n_ann, 1); /* nothing from NVAs with exchange off */
	join(1, &KEY_NVA);
	decode(&cap[1], &s); /* NVA 1: its own best is not sent back; NVA 2's path is */
	assert_true(has(&s, "198.18.0.0/24|65515 65002|127.0.0.2|-1"));
	withdraw(1, "198.18.0.0/24");
	withdraw(2, "198.18.0.0/24");
	sync_changes();
	export_member_down_w(&ex, 1);
	export_member_down_w(&ex, 2);
	export_member_down_w(&ex, 3);
}

/* An export map: a prefix list's routes are prepended twice more, even where they share an
 * attribute set with routes the list does not match (one packed run split by entry); the
 * gateway's routes are denied. A rekey to no map resends exactly the rewritten routes. */
static void test_export_map(void **state)
{
	struct seen s;
	struct policy_pfx lines[1];
	char err[64];
	assert_true(policy_pfx_parse("10.20.0.0/16 le 24", &lines[0], err, sizeof(err)));
	struct policy_prefix_list pl = {.name = "l", .v = lines, .n = 1};
	struct policy_entry ent[2] = {
	    {.m = {.kinds = POLICY_M_PREFIX_LIST, .plist = &pl},
	     .s = {.kinds = POLICY_S_PREPEND, .prepend = 2}},
	    {.m = {.kinds = POLICY_M_ROLE, .roles = 1u << RIB_ROLE_EXPRESSROUTE},
	     .action = POLICY_DENY},
	};
	struct policy_map map = {.name = "m", .v = ent, .n = 2, .has_set = true};
	struct export_key k = KEY_NVA;
	k.map = &map;
	struct export_policy pol = ex.pol;
	pol.exchange = true; /* the gateway's routes would reach NVAs: the map must stop them */
	export_policy_change_w(&ex, &rib, &pol);
	join(2, &k);
	decode(&cap[2], &s);
	assert_true(has(&s, "10.1.0.0/16|65515|10.255.0.1|-1"));
	announce(1, "10.20.1.0/24", 65001, NULL, 0, 0);
	announce(1, "10.30.0.0/24", 65001, NULL, 0, 0);
	announce(1, "10.20.0.0/25", 65001, NULL, 0, 0); /* longer than le 24 */
	announce(3, "10.40.0.0/24", 0, NULL, 0, 0);
	sync_changes();
	decode(&cap[2], &s);
	assert_int_equal(s.n_ann, 3);
	assert_true(has(&s, "10.20.1.0/24|65515 65515 65515 65001|127.0.0.1|-1"));
	assert_true(has(&s, "10.30.0.0/24|65515 65001|127.0.0.1|-1"));
	assert_true(has(&s, "10.20.0.0/25|65515 65001|127.0.0.1|-1"));
	assert_int_equal(adv[2], 4);
	/* Without the map: the rewritten route is sent again as it is, the gateway's route
	 * now goes, and nothing else is repeated. */
	struct export_key plain = KEY_NVA;
	export_member_rekey_w(&ex, &rib, 2, &plain);
	decode(&cap[2], &s);
	assert_int_equal(s.n_ann, 2);
	assert_true(has(&s, "10.20.1.0/24|65515 65001|127.0.0.1|-1"));
	assert_true(has(&s, "10.40.0.0/24|65515|127.0.0.3|-1"));
	/* And back: the gateway's route is withdrawn. */
	export_member_rekey_w(&ex, &rib, 2, &k);
	decode(&cap[2], &s);
	assert_true(withdrew(&s, "10.40.0.0/24"));
	assert_true(has(&s, "10.20.1.0/24|65515 65515 65515 65001|127.0.0.1|-1"));
	assert_int_equal(s.n_ann, 1);
	export_member_down_w(&ex, 2);
}

static void test_transparent_keeps_path_and_med(void **state)
{
	struct export_policy pol = ex.pol;
	pol.transparent = true;
	ex.pol = pol;
	announce(1, "100.64.0.0/10", 65001, NULL, 0, 77);
	sync_changes();
	struct rib_path path = {0};
	struct rx_prefix p;
	rx_prefix_parse("100.64.0.0/10", &p, false);
	const struct rib_node *nd = rib_find_rcu(&rib, &p);
	assert_non_null(nd);
	path = rib_node_paths(rib_tree(&rib, RX_AFI_IPV4), nd)[0];
	uint8_t out[512], nh[32], nh_len;
	size_t n = export_attrs_encode(&ex, &rib, &KEY_NVA, &path, false, out, sizeof(out), nh,
					&nh_len);
	assert_true(n > 0);
	static struct wire_scratch sc;
	struct wire_update u;
	struct wire_ctx ctx = {.as4 = true};
	assert_int_equal(wire_attrs_parse(out, n, &ctx, false, &u, &sc), WIRE_OK);
	char s[64];
	aspath_str(u.attrs.aspath, u.attrs.aspath_len, s, sizeof(s));
	assert_string_equal(s, "65001"); /* RFC 7947: no prepend */
	assert_true(WIRE_HAS(&u.attrs, WIRE_ATTR_MED));
	assert_int_equal(u.attrs.med, 77);
	/* Azure mode towards eBGP: prepend, and a MED from a neighbouring AS is dropped. */
	ex.pol.transparent = false;
	n = export_attrs_encode(&ex, &rib, &KEY_NVA, &path, false, out, sizeof(out), nh,
					&nh_len);
	assert_int_equal(wire_attrs_parse(out, n, &ctx, false, &u, &sc), WIRE_OK);
	aspath_str(u.attrs.aspath, u.attrs.aspath_len, s, sizeof(s));
	assert_string_equal(s, "65515 65001");
	assert_false(WIRE_HAS(&u.attrs, WIRE_ATTR_MED));
}

/* ---- max-prefixes-out ---- */

static uint16_t limit_src[8];
static bool limit_reached[8];
static int n_limit_calls;

static bool limit_state_of[4]; /* as the callbacks told it */

static void on_limit(void *ctx, uint16_t src, uint32_t limit, bool reached)
{
	assert_true(src < 4);
	assert_int_not_equal(limit_state_of[src], reached); /* told only of changes */
	limit_state_of[src] = reached;
	limit_src[n_limit_calls % 8] = src;
	limit_reached[n_limit_calls % 8] = reached;
	n_limit_calls++;
}

static void test_limit_withholds_and_refills(void **state)
{
	struct seen s;
	ex.limit_cb = on_limit;
	memset(limit_state_of, 0, sizeof(limit_state_of));
	n_limit_calls = 0;
	struct export_key k = KEY_NVA;
	k.limit = 3;
	join(2, &k); /* the originated 10.1.0.0/16 takes one place */
	decode(&cap[2], &s);
	assert_int_equal(s.n_ann, 1);
	announce(1, "192.0.2.0/24", 65001, NULL, 0, 0);
	announce(1, "192.0.2.1/32", 65001, NULL, 0, 0);
	announce(1, "192.0.2.2/32", 65001, NULL, 0, 0);
	announce(1, "192.0.2.3/32", 65001, NULL, 0, 0);
	sync_changes();
	decode(&cap[2], &s);
	assert_int_equal(s.n_ann, 2); /* never more than the limit */
	assert_int_equal(adv[2], 3);
	assert_int_equal(n_limit_calls, 1);
	assert_int_equal(limit_src[0], 2);
	assert_true(limit_reached[0]);
	/* A held one goes: the member is told, and the next one in prefix order takes its place. */
	const char *gone = has(&s, "192.0.2.0/24|65515 65001|127.0.0.1|-1") ? "192.0.2.0/24"
									     : "192.0.2.1/32";
	withdraw(1, gone);
	sync_changes();
	decode(&cap[2], &s);
	assert_true(withdrew(&s, gone));
	assert_int_equal(s.n_ann, 1);
	assert_int_equal(adv[2], 3);
	/* Two more go: now everything fits, the limit state clears. */
	withdraw(1, "192.0.2.2/32");
	withdraw(1, "192.0.2.3/32");
	sync_changes();
	decode(&cap[2], &s);
	assert_int_equal(adv[2], 2);
	assert_int_equal(n_limit_calls, 2);
	assert_false(limit_reached[1]);
	/* Raising the limit to none by rekey: nothing changes for the member but its group. */
	k.limit = 0;
	export_member_rekey_w(&ex, &rib, 2, &k);
	decode(&cap[2], &s);
	assert_int_equal(s.n_ann + s.n_wd, 0);
	assert_int_equal(adv[2], 2);
	export_member_down_w(&ex, 2);
	ex.limit_cb = NULL;
}

/* The receiver's view, rebuilt from the bytes it was sent: prefix -> origin AS. */
#define MODEL_N 64
struct model {
	struct rx_prefix p[MODEL_N];
	uint32_t origin[MODEL_N];
	bool in[MODEL_N];
};

static int model_slot(struct model *m, const struct rx_prefix *p)
{
	int free_slot = -1;
	for (int i = 0; i < MODEL_N; i++) {
		if (m->in[i] && rx_prefix_equal(&m->p[i], p))
			return i;
		if (!m->in[i] && free_slot < 0)
			free_slot = i;
	}
	return free_slot;
}

static void model_one(const struct wire_update *u, void *arg)
{
	struct model *m = arg;
	struct wire_nlri_iter it;
	struct rx_prefix p;
	wire_nlri_iter_init(&it, &u->withdrawn);
	while (wire_nlri_next(&it, &p, NULL)) {
		int i = model_slot(m, &p);
		assert_true(i >= 0);
		m->in[i] = false;
	}
	uint32_t origin = 65515; /* an empty path (iBGP): ours */
	if (u->attrs.aspath_len >= 6) /* last AS of a one-segment path */
		origin = wire_get32(u->attrs.aspath + u->attrs.aspath_len - 4);
	wire_nlri_iter_init(&it, &u->nlri);
	while (wire_nlri_next(&it, &p, NULL)) {
		int i = model_slot(m, &p);
		assert_true(i >= 0);
		m->p[i] = p;
		m->origin[i] = origin;
		m->in[i] = true;
	}
}

static void model_apply(struct cap *c, struct model *m)
{
	each_update(c, model_one, m);
	c->len = 0;
}

static void count_one(const struct wire_update *u, void *arg)
{
	size_t *n = arg; /* [0] announced, [1] withdrawn */
	struct wire_nlri_iter it;
	struct rx_prefix p;
	for (wire_nlri_iter_init(&it, &u->nlri); wire_nlri_next(&it, &p, NULL);)
		n[0]++;
	for (wire_nlri_iter_init(&it, &u->withdrawn); wire_nlri_next(&it, &p, NULL);)
		n[1]++;
}

/* NLRI announced and withdrawn in what was captured (left in place). */
static void count_nlri(const struct cap *c, size_t *ann, size_t *wd)
{
	size_t n[2] = {0, 0};
	each_update(c, count_one, n);
	*ann = n[0];
	*wd = n[1];
}

/* An originated IPv6 prefix without next-hop-ipv6 is "kept but advertised to nobody"
 * (docs/config.md). It used to be selected for the group, counted in the member's
 * advertised count (routex_peer_prefixes_advertised) and only turned into a withdrawal
 * when packed, so the count exceeded `show advertised` (export_held), and it hid any
 * peer's path for the same prefix. export_select now skips it like any path that is not
 * sent (found by a review with the policy-walk model below). */
static bool held_by(uint16_t src, const struct export_key *k, const char *prefix)
{
	struct rx_prefix p;
	assert_true(rx_prefix_parse(prefix, &p, false));
	const struct rib_node *nd = rib_find_rcu(&rib, &p);
	if (!nd)
		return false;
	const struct rib_tree *t = rib_tree(&rib, p.afi);
	return export_held(&ex, &rib, src, k, &p, rib_node_paths(t, nd),
			   rib_node_selectable(&rib, t, nd)) != NULL;
}

static void test_originated_ipv6_without_nexthop(void **state)
{
	const struct export_key k = {.role = RIB_ROLE_NVA,
				     .families = RX_FAM_BIT(RX_FAM_IPV4_UNICAST) |
						 RX_FAM_BIT(RX_FAM_IPV6_UNICAST),
				     .as4 = true, .ebgp = true};
	join(1, &k);
	originate("2001:db8:100::/48"); /* the fixture has no next-hop-ipv6 */
	sync_changes();
	assert_true(held_by(1, &k, "10.1.0.0/16"));
	assert_false(held_by(1, &k, "2001:db8:100::/48"));
	assert_int_equal(adv[1], 1);
	/* Another NVA's path for the same prefix, with an IPv6 next hop: it is what member 1
	 * is sent (the originated path ranks first but cannot go). */
	uint8_t path[6] = {WIRE_AS_SEQUENCE, 1}, nh6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};
	wire_put32(path + 2, 65002);
	struct wire_attrs wa = {.present = WIRE_ATTR_BIT(WIRE_ATTR_ORIGIN) |
					   WIRE_ATTR_BIT(WIRE_ATTR_AS_PATH),
				.aspath = path, .aspath_len = sizeof(path)};
	static uint8_t data[128];
	struct attr_buf ab = {.data = data, .cap = sizeof(data)};
	assert_true(attr_encode(&wa, nh6, 16, &ab));
	struct attr_set *a = attr_intern_w(&rib.attrs, &ab);
	struct rx_prefix p;
	assert_true(rx_prefix_parse("2001:db8:100::/48", &p, false));
	rib_update_w(&rib, 2, 0, &p, a);
	attr_unref_w(&rib.attrs, a);
	cap[1].len = 0;
	sync_changes();
	assert_true(cap[1].len > 0);
	assert_true(held_by(1, &k, "2001:db8:100::/48"));
	assert_int_equal(adv[1], 2);
	cap[1].len = 0;
	export_member_down_w(&ex, 1);
}

/* The origin the receiver holds for prefix, 0 if none. */
static uint32_t model_origin(const struct model *m, const char *prefix)
{
	struct rx_prefix p;
	assert_true(rx_prefix_parse(prefix, &p, false));
	for (int i = 0; i < MODEL_N; i++)
		if (m->in[i] && rx_prefix_equal(&m->p[i], &p))
			return m->origin[i];
	return 0;
}

/* One change log with prefixes in address order, then out of order and repeated: a prefix
 * changed twice must reach the member in the order it changed (its last state wins), and
 * a long ascending log must be flushed in bounded batches without losing any prefix. */
static void test_repeats_in_one_log(void **state)
{
	struct model m = {0};
	join(2, &KEY_NVA);
	model_apply(&cap[2], &m);
	announce(1, "10.0.1.0/24", 64601, NULL, 0, 0);
	announce(1, "10.0.2.0/24", 64602, NULL, 0, 0);
	announce(1, "10.0.3.0/24", 64603, NULL, 0, 0);
	withdraw(1, "10.0.1.0/24");		       /* the order breaks, a repeat */
	announce(1, "10.0.0.0/24", 64600, NULL, 0, 0);
	announce(1, "10.0.2.0/24", 64612, NULL, 0, 0); /* a repeat after the break */
	announce(1, "10.0.4.0/24", 64604, NULL, 0, 0);
	/* a repeat whose last state shares its attributes with an earlier prefix: packed by
	 * attribute set in one batch, the older state would be sent last */
	announce(1, "10.0.5.0/24", 64605, NULL, 0, 0);
	announce(1, "10.0.5.0/24", 64604, NULL, 0, 0);
	sync_changes();
	model_apply(&cap[2], &m);
	assert_int_equal(model_origin(&m, "10.0.0.0/24"), 64600);
	assert_int_equal(model_origin(&m, "10.0.1.0/24"), 0);
	assert_int_equal(model_origin(&m, "10.0.2.0/24"), 64612);
	assert_int_equal(model_origin(&m, "10.0.3.0/24"), 64603);
	assert_int_equal(model_origin(&m, "10.0.4.0/24"), 64604);
	assert_int_equal(model_origin(&m, "10.0.5.0/24"), 64604);
	assert_int_equal(model_origin(&m, "10.1.0.0/16"), 65515);

	/* 10,000 ascending prefixes in one log, then each announced again (ascending too, so
	 * the second round begins with a repeat of the first prefix). */
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < 10000; i++) {
			char buf[32];
			snprintf(buf, sizeof(buf), "20.%d.%d.0/24", i / 256, i % 256);
			announce(1, buf, round ? 64700 : 64701, NULL, 0, 0);
		}
	}
	sync_changes();
	size_t ann, wd;
	count_nlri(&cap[2], &ann, &wd);
	assert_int_equal(wd, 0);
	assert_int_equal(ann, 20000);
	assert_int_equal(adv[2], 10000 + 5 + 1);
	cap[2].len = 0;
	export_member_down_w(&ex, 2);
}

/* The dry run's forecast for member src must be what then happened. */
static void check_forecast(const struct export_dry *dry, size_t n, uint16_t src)
{
	for (size_t i = 0; i < n; i++) {
		if (dry[i].src != src)
			continue;
		size_t ann, wd;
		count_nlri(&cap[src], &ann, &wd);
		/* RX_DEBUG_DRY=1: say what was forecast and what was sent, and list it. */
		if (getenv("RX_DEBUG_DRY"))
			fprintf(stderr, "src %u: dry ann %zu wd %zu after %zu limit %u | got ann %zu wd %zu adv %zu\n",
				src, dry[i].announce, dry[i].withdraw, dry[i].after, dry[i].limit, ann, wd, adv[src]);
		if (getenv("RX_DEBUG_DRY") && dry[i].announce != ann) {
			struct seen sn;
			struct cap copy = cap[src];
			decode(&copy, &sn);
			for (int k = 0; k < sn.n_ann; k++)
				fprintf(stderr, "  ann %s\n", sn.ann[k]);
			for (int k = 0; k < sn.n_wd; k++)
				fprintf(stderr, "  wd %s\n", sn.wd[k]);
		}
		assert_int_equal(dry[i].announce, ann);
		assert_int_equal(dry[i].withdraw, wd);
		assert_int_equal(dry[i].after, adv[src]);
		return;
	}
	fail_msg("no forecast for member %u", src);
}

static uint32_t source_as(uint16_t src)
{
	return src == RIB_SRC_LOCAL ? 65515 : src == 3 ? 65515 : 65000u + src;
}

/* Checks member src (key k) against its model: the model is exactly what export_held says,
 * with the right origin; never above the limit; and below it, nothing is withheld. */
static void check_member(uint16_t src, const struct export_key *k, const struct model *m,
			 const struct rx_prefix *universe, int n_universe)
{
	size_t held = 0, due = 0;
	for (int i = 0; i < n_universe; i++) {
		const struct rx_prefix *p = &universe[i];
		const struct rib_node *nd = rib_find_rcu(&rib, p);
		const struct rib_path *set = nd ? rib_node_paths(rib_tree(&rib, p->afi), nd) : NULL;
		unsigned n = nd ? rib_node_selectable(&rib, rib_tree(&rib, p->afi), nd) : 0;
		const struct rib_path *h = export_held(&ex, &rib, src, k, p, set, n);
		const struct rib_path *sel = export_select(&ex, &rib, k, p, set, n);
		due += sel && sel->src != src;
		int slot = -1;
		for (int j = 0; j < MODEL_N; j++)
			if (m->in[j] && rx_prefix_equal(&m->p[j], p))
				slot = j;
		assert_int_equal(h != NULL, slot >= 0);
		if (h) {
			held++;
			assert_int_equal(m->origin[slot], h->src == RIB_SRC_LOCAL ? 65515 : source_as(h->src));
		}
	}
	assert_int_equal(adv[src], held);
	/* The reported state: set whenever a due route is withheld, and only at the limit. */
	if (due > held)
		assert_true(limit_state_of[src]);
	if (limit_state_of[src])
		assert_int_equal(held, k->limit);
	if (k->limit)
		assert_true(held <= k->limit);
	if (!k->limit || held < k->limit)
		assert_int_equal(held, due);
	else
		assert_true(due >= held);
}

static void test_limit_model(void **state)
{
	enum { NU = 40 };
	struct rx_prefix universe[NU + 1];
	char buf[32];
	for (int i = 0; i < NU; i++) {
		snprintf(buf, sizeof(buf), "10.100.%d.0/24", i);
		rx_prefix_parse(buf, &universe[i], false);
	}
	rx_prefix_parse("10.1.0.0/16", &universe[NU], false); /* originated */
	static const uint32_t limits[] = {0, 1, 3, 10, 25};
	struct export_key k2 = KEY_NVA, k3 = KEY_ER;
	k2.limit = 5;
	k3.limit = 3;
	static struct model m2, m3;
	memset(&m2, 0, sizeof(m2));
	memset(&m3, 0, sizeof(m3));
	ex.limit_cb = on_limit;
	memset(limit_state_of, 0, sizeof(limit_state_of));
	join(2, &k2);
	join(3, &k3);
	model_apply(&cap[2], &m2);
	model_apply(&cap[3], &m3);
	srand(7);
	for (int step = 0; step < 3000; step++) {
		int op = rand() % 100;
		if (op < 70) {
			uint16_t src = (uint16_t)(1 + rand() % 2);
			int n = 1 + rand() % 4;
			for (int j = 0; j < n; j++) {
				rx_prefix_fmt(&universe[rand() % NU], buf, sizeof(buf));
				if (rand() % 2)
					announce(src, buf, source_as(src), NULL, 0, 0);
				else
					withdraw(src, buf);
			}
			sync_changes();
		} else if (op < 90) {
			struct export_policy pol = ex.pol;
			uint32_t lim[4] = {0, 0, k2.limit, k3.limit};
			if (op < 76)
				pol.exchange = !pol.exchange;
			else if (op < 80) /* the rewrite changes: everything held is sent again */
				pol.transparent = !pol.transparent;
			else
				lim[3] = k3.limit = limits[rand() % 5];
			struct export_dry dry[4];
			size_t nd = export_dry_run_w(&ex, &rib, &pol, lim, 4, dry, 4);
			assert_int_equal(nd, 2);
			if (op < 80)
				export_policy_change_w(&ex, &rib, &pol);
			else
				export_member_rekey_w(&ex, &rib, 3, &k3);
			check_forecast(dry, nd, 2);
			check_forecast(dry, nd, 3);
		} else {
			export_member_refresh_w(&ex, &rib, 2);
		}
		model_apply(&cap[2], &m2);
		model_apply(&cap[3], &m3);
		check_member(2, &k2, &m2, universe, NU + 1);
		check_member(3, &k3, &m3, universe, NU + 1);
	}
	export_member_down_w(&ex, 2);
	export_member_down_w(&ex, 3);
	ex.limit_cb = NULL;
}

/* summarise: routes an entry permits under its summary prefix (and any route for the
 * summary prefix itself) are replaced by the summary, sent while one of them exists;
 * checked against a reference over random changes, rekeys and refreshes, for an unlimited
 * member and one with an export limit (the Azure case: summarise towards ExpressRoute). */
static bool ref_summarised(const struct rx_prefix *p, const struct rx_prefix *s60,
			   const struct rx_prefix *s70)
{
	return rx_prefix_contains(s60, p) || rx_prefix_equal(s70, p) ||
	       (rx_prefix_contains(s70, p) && p->len <= 24);
}

static void test_summarise(void **state)
{
	enum { NU = 16 };
	static const char *const names[NU] = {
	    "10.60.0.0/16", "10.60.1.0/24", "10.60.2.0/24", "10.60.3.128/25", "10.70.0.0/16",
	    "10.70.1.0/24", "10.70.2.0/24", "10.70.3.0/25", "10.80.1.0/24", "10.80.2.0/24",
	    "10.60.4.0/24", "10.70.4.0/24", "10.80.3.0/24", "10.60.0.0/17", "10.70.0.0/20",
	    "10.90.0.0/24"};
	struct rx_prefix u[NU];
	for (int i = 0; i < NU; i++)
		assert_true(rx_prefix_parse(names[i], &u[i], false));
	struct policy_pfx l60, l70;
	char err[64];
	assert_true(policy_pfx_parse("10.60.0.0/16 le 32", &l60, err, sizeof(err)));
	assert_true(policy_pfx_parse("10.70.0.0/16 le 24", &l70, err, sizeof(err)));
	struct policy_prefix_list p60 = {.name = "a", .v = &l60, .n = 1};
	struct policy_prefix_list p70 = {.name = "b", .v = &l70, .n = 1};
	struct policy_entry ent[2] = {
	    {.m = {.kinds = POLICY_M_PREFIX_LIST, .plist = &p60}, .s = {.kinds = POLICY_S_SUMMARISE}},
	    {.m = {.kinds = POLICY_M_PREFIX_LIST, .plist = &p70}, .s = {.kinds = POLICY_S_SUMMARISE}},
	};
	struct rx_prefix s60, s70;
	rx_prefix_parse("10.60.0.0/16", &s60, false);
	rx_prefix_parse("10.70.0.0/16", &s70, false);
	ent[0].s.summarise = s60;
	ent[1].s.summarise = s70;
	struct policy_map map = {.name = "sum", .v = ent, .n = 2, .has_set = true,
				 .has_summarise = true, .match_kinds = POLICY_M_PREFIX_LIST};
	struct export_key k2 = KEY_NVA, k3 = KEY_ER;
	k2.map = &map;
	k3.map = &map;
	k3.limit = 3;
	struct export_policy pol = ex.pol;
	pol.exchange = true; /* NVA routes reach the gateway */
	export_policy_change_w(&ex, &rib, &pol);
	ex.limit_cb = on_limit;
	memset(limit_state_of, 0, sizeof(limit_state_of));
	static struct model m2, m3;
	memset(&m2, 0, sizeof(m2));
	memset(&m3, 0, sizeof(m3));
	bool mapped = true;
	join(2, &k2);
	join(3, &k3);
	srand(3);
	size_t active_seen = 0;
	for (int step = 0; step < 1500; step++) {
		int op = rand() % 100;
		if (op < 75) {
			for (int j = 0, n = 1 + rand() % 4; j < n; j++) {
				char buf[32];
				rx_prefix_fmt(&u[rand() % NU], buf, sizeof(buf));
				if (rand() % 3)
					announce(1, buf, 65001, NULL, 0, rand() % 2 ? 0 : 5);
				else
					withdraw(1, buf);
			}
			sync_changes();
		} else if (op < 83) { /* route exchange: the gateway's share, with its forecast */
			model_apply(&cap[2], &m2);
			model_apply(&cap[3], &m3);
			pol = ex.pol;
			if (rand() % 4)
				pol.exchange = !pol.exchange;
			else /* the rewrite changes: everything, summaries too, is sent again */
				pol.transparent = !pol.transparent;
			struct export_dry dry[4];
			size_t nd = export_dry_run_w(&ex, &rib, &pol, NULL, 0, dry, 4);
			export_policy_change_w(&ex, &rib, &pol);
			check_forecast(dry, nd, 2);
			check_forecast(dry, nd, 3);
		} else if (op < 90) {
			mapped = !mapped;
			struct export_key k = KEY_NVA;
			if (mapped)
				k.map = &map;
			export_member_rekey_w(&ex, &rib, 2, &k);
		} else { /* ROUTE-REFRESH: everything held is sent again, summaries too */
			uint16_t r = (uint16_t)(2 + rand() % 2);
			struct model *mr = r == 2 ? &m2 : &m3;
			model_apply(&cap[r], mr);
			struct model before = *mr;
			memset(mr, 0, sizeof(*mr));
			export_member_refresh_w(&ex, &rib, r);
			model_apply(&cap[r], mr);
			for (int i = 0; i < MODEL_N; i++)
				if (before.in[i]) {
					int slot = model_slot(mr, &before.p[i]);
					assert_true(slot >= 0 && mr->in[slot]);
				}
		}
		model_apply(&cap[2], &m2);
		model_apply(&cap[3], &m3);
		/* Member 2 against the reference. */
		size_t want_n = 1; /* the originated 10.1.0.0/16 */
		bool any60 = false, any70 = false;
		for (int i = 0; i < NU; i++) {
			const struct rib_node *nd = rib_find_rcu(&rib, &u[i]);
			bool present = nd && nd->n;
			bool sum = mapped && ref_summarised(&u[i], &s60, &s70);
			any60 |= present && sum && rx_prefix_contains(&s60, &u[i]);
			any70 |= present && sum && rx_prefix_contains(&s70, &u[i]);
			if (rx_prefix_equal(&u[i], &s60) || rx_prefix_equal(&u[i], &s70))
				continue; /* checked below: the summary or the route */
			int slot = model_slot(&m2, &u[i]);
			bool got = slot >= 0 && m2.in[slot];
			assert_int_equal(got, present && !sum);
			want_n += present && !sum;
		}
		const struct rx_prefix *sp[2] = {&s60, &s70};
		bool act[2] = {any60, any70};
		for (int i = 0; i < 2; i++) {
			const struct rib_node *nd = rib_find_rcu(&rib, sp[i]);
			bool real = nd && nd->n && !mapped;
			int slot = model_slot(&m2, sp[i]);
			bool got = slot >= 0 && m2.in[slot];
			assert_int_equal(got, act[i] || real);
			if (got) /* a summary is ours (65515), a route its source's */
				assert_int_equal(m2.origin[slot], act[i] ? 65515u : 65001u);
			want_n += act[i] || real;
			active_seen += act[i];
		}
		assert_int_equal(adv[2], want_n);
		/* Member 3, limited: never above its limit, never a summarised route itself. */
		size_t held = 0;
		for (int i = 0; i < MODEL_N; i++) {
			if (!m3.in[i])
				continue;
			held++;
			bool is_sum = rx_prefix_equal(&m3.p[i], &s60) || rx_prefix_equal(&m3.p[i], &s70);
			assert_true(is_sum ? m3.origin[i] == 65515 : !ref_summarised(&m3.p[i], &s60, &s70));
		}
		assert_true(held <= 3);
		assert_int_equal(adv[3], held);
	}
	assert_true(active_seen > 500);
	export_member_down_w(&ex, 2);
	export_member_down_w(&ex, 3);
	ex.limit_cb = NULL;
}

/* A limited member holding a summary whose limit is lowered: it must not keep the summary
 * beyond its limit, nor keep it after the last route under it goes. (Found in review.) */
static void test_summary_limit_rekey(void **state)
{
	struct policy_pfx l60;
	char err[64];
	assert_true(policy_pfx_parse("10.60.0.0/16 le 32", &l60, err, sizeof(err)));
	struct policy_prefix_list p60 = {.name = "a", .v = &l60, .n = 1};
	struct policy_entry ent[1] = {
	    {.m = {.kinds = POLICY_M_PREFIX_LIST, .plist = &p60}, .s = {.kinds = POLICY_S_SUMMARISE}}};
	rx_prefix_parse("10.60.0.0/16", &ent[0].s.summarise, false);
	struct policy_map map = {.name = "sum", .v = ent, .n = 1, .has_set = true,
				 .has_summarise = true, .match_kinds = POLICY_M_PREFIX_LIST};
	struct export_policy pol = ex.pol;
	pol.exchange = true;
	export_policy_change_w(&ex, &rib, &pol);
	struct export_key k3 = KEY_ER;
	k3.map = &map;
	k3.limit = 3;
	static struct model m3;
	memset(&m3, 0, sizeof(m3));
	join(3, &k3);
	announce(1, "10.60.1.0/24", 65001, NULL, 0, 0);
	announce(1, "10.80.1.0/24", 65001, NULL, 0, 0);
	sync_changes();
	model_apply(&cap[3], &m3);
	struct rx_prefix s60;
	rx_prefix_parse("10.60.0.0/16", &s60, false);
	int slot = model_slot(&m3, &s60);
	assert_true(slot >= 0 && m3.in[slot]);
	assert_int_equal(adv[3], 3); /* 10.1/16, the summary, 10.80.1/24 */
	k3.limit = 2;
	export_member_rekey_w(&ex, &rib, 3, &k3);
	model_apply(&cap[3], &m3);
	int held = 0;
	for (int i = 0; i < MODEL_N; i++)
		held += m3.in[i];
	assert_int_equal(held, 2);
	assert_int_equal(adv[3], 2);
	withdraw(1, "10.60.1.0/24");
	sync_changes();
	model_apply(&cap[3], &m3);
	slot = model_slot(&m3, &s60);
	assert_false(slot >= 0 && m3.in[slot]);
	export_member_down_w(&ex, 3);
}

/* ---- IXP control communities: per-member selection against a reference ---- */

/* rs-client sources 4..7 (AS65004..65007); 4, 5 and 6 are members of one group, 7 only
 * announces. R, the route server, is 65515. */
static const struct export_key KEY_RS = {.role = RIB_ROLE_RS_CLIENT,
					 .families = RX_FAM_BIT(RX_FAM_IPV4_UNICAST),
					 .as4 = true, .ebgp = true};

/* Announces prefix from src: an AS path of `len` times the source's AS (its rank), the
 * given standard and large communities. */
static void announce_rs(uint16_t src, const struct rx_prefix *p, int len, const uint32_t *comms,
			int nc, const uint32_t *large, int nl)
{
	uint8_t path[2 + 4 * 8] = {WIRE_AS_SEQUENCE, (uint8_t)len};
	for (int i = 0; i < len; i++)
		wire_put32(path + 2 + 4 * i, 65000u + src);
	uint8_t cb[64], lb[96];
	for (int i = 0; i < nc; i++)
		wire_put32(cb + 4 * i, comms[i]);
	for (int i = 0; i < 3 * nl; i++)
		wire_put32(lb + 4 * i, large[i]);
	struct wire_attrs wa = {.present = WIRE_ATTR_BIT(WIRE_ATTR_ORIGIN) |
					   WIRE_ATTR_BIT(WIRE_ATTR_AS_PATH) |
					   WIRE_ATTR_BIT(WIRE_ATTR_NEXT_HOP),
				.aspath = path, .aspath_len = (uint16_t)(2 + 4 * len),
				.nexthop = {127, 0, 0, (uint8_t)src}};
	if (nc) {
		wa.present |= WIRE_ATTR_BIT(WIRE_ATTR_COMMUNITIES);
		wa.communities = cb;
		wa.communities_len = (uint16_t)(4 * nc);
	}
	if (nl) {
		wa.present |= WIRE_ATTR_BIT(WIRE_ATTR_LARGE_COMMUNITIES);
		wa.large_communities = lb;
		wa.large_communities_len = (uint16_t)(12 * nl);
	}
	static uint8_t data[4096];
	struct attr_buf ab = {.data = data, .cap = sizeof(data)};
	assert_true(attr_encode(&wa, NULL, 4, &ab));
	struct attr_set *a = attr_intern_w(&rib.attrs, &ab);
	rib_update_w(&rib, src, 0, p, a);
	attr_unref_w(&rib.attrs, a);
}

/* The reference: does a path's community list hide it from AS x? (docs/ixp.md's table,
 * written out again rather than calling the code under test.) */
static bool ref_hidden(const struct attr_set *a, uint32_t x)
{
	bool no_x = false, none = false, yes_x = false;
	const uint8_t *c = attr_communities(a);
	for (unsigned i = 0; i < a->k.comm_len; i += 4) {
		uint32_t v = wire_get32(c + i);
		no_x |= v == x;		       /* 0:x */
		none |= v == 65515;	       /* 0:R */
		yes_x |= v == (65515u << 16 | x); /* R:x */
	}
	const uint8_t *l = attr_large_communities(a);
	for (unsigned i = 0; i < a->k.large_comm_len; i += 12) {
		uint32_t g = wire_get32(l + i), f = wire_get32(l + i + 4), d = wire_get32(l + i + 8);
		if (g != 65515)
			continue;
		no_x |= f == 0 && d == x;
		none |= f == 0 && d == 0;
		yes_x |= f == 1 && d == x;
	}
	return no_x || (none && !yes_x);
}

/* What member src is due at p: the first candidate not hidden from it (NO_ADVERTISE
 * aside, which these routes never carry), nothing if that is its own. */
static const struct rib_path *ref_due(uint16_t src, const struct rx_prefix *p, bool ixp)
{
	const struct rib_node *nd = rib_find_rcu(&rib, p);
	if (!nd)
		return NULL;
	const struct rib_path *set = rib_node_paths(rib_tree(&rib, p->afi), nd);
	unsigned n = rib_node_selectable(&rib, rib_tree(&rib, p->afi), nd);
	for (unsigned i = 0; i < n; i++)
		if (!ixp || !ref_hidden(set[i].attrs, 65000u + src))
			return set[i].src == src ? NULL : &set[i];
	return NULL;
}

/* Nothing addressed to the route server may leave it. */
static void no_control_one(const struct wire_update *u, void *arg)
{
	(void)arg;
	for (unsigned i = 0; i < u->attrs.communities_len; i += 4) {
		uint16_t hi = wire_get16(u->attrs.communities + i);
		assert_true(hi != 0 && hi != 65515);
	}
	for (unsigned i = 0; i < u->attrs.large_communities_len; i += 12)
		assert_int_not_equal(wire_get32(u->attrs.large_communities + i), 65515);
}

/* The rs-client sources 4..7 (AS65004..65007), with ixp-communities as asked. */
static void rs_clients(bool ixp)
{
	for (uint16_t src = 4; src <= 7; src++)
		add_source(src, 65000u + src, RIB_ROLE_RS_CLIENT);
	struct export_policy pol = ex.pol;
	pol.ixp_communities = ixp;
	export_policy_change_w(&ex, &rib, &pol);
}

/* n prefixes 10.<octet>.0.0/24, 10.<octet>.1.0/24, ... */
static void fill_universe(struct rx_prefix *u, int n, int octet)
{
	char buf[32];
	for (int i = 0; i < n; i++) {
		snprintf(buf, sizeof(buf), "10.%d.%d.0/24", octet, i);
		assert_true(rx_prefix_parse(buf, &u[i], false));
	}
}

static void test_ixp_model(void **state)
{
	enum { NU = 24 };
	struct rx_prefix universe[NU];
	fill_universe(universe, NU, 200);
	rs_clients(true);
	struct export_policy pol;
	static struct model m[8];
	memset(m, 0, sizeof(m));
	for (uint16_t src = 4; src <= 6; src++) {
		join(src, &KEY_RS);
		model_apply(&cap[src], &m[src]);
	}
	srand(11);
	size_t hidden_seen = 0;
	for (int step = 0; step < 2000; step++) {
		int op = rand() % 100;
		if (op < 80) {
			for (int j = 0, n = 1 + rand() % 6; j < n; j++) {
				uint16_t src = (uint16_t)(4 + rand() % 4);
				const struct rx_prefix *p = &universe[rand() % NU];
				if (rand() % 4 == 0) {
					rib_withdraw_w(&rib, src, 0, p);
					continue;
				}
				/* Control communities aimed at random members, or none. */
				uint32_t x = 65004u + (uint32_t)(rand() % 3), c[3], l[6];
				int nc = 0, nl = 0;
				switch (rand() % 6) {
				case 0:
					c[nc++] = x; /* 0:x */
					break;
				case 1:
					c[nc++] = 65515; /* 0:R, R:x */
					c[nc++] = 65515u << 16 | x;
					break;
				case 2:
					l[0] = 65515, l[1] = 0, l[2] = x; /* R:0:x */
					nl = 1;
					break;
				case 3:
					l[0] = 65515, l[1] = 0, l[2] = 0; /* R:0:0, R:1:x */
					l[3] = 65515, l[4] = 1, l[5] = x;
					nl = 2;
					break;
				default:
					break;
				}
				c[nc++] = 65001u << 16 | 7; /* an ordinary one, which passes */
				announce_rs(src, p, 1 + rand() % 3, c, nc, l, nl);
			}
			sync_changes();
		} else if (op < 92) {
			pol = ex.pol;
			if (op < 86)
				pol.ixp_communities = !pol.ixp_communities;
			else
				pol.transparent = !pol.transparent;
			struct export_dry dry[8];
			size_t nd = export_dry_run_w(&ex, &rib, &pol, NULL, 0, dry, 8);
			export_policy_change_w(&ex, &rib, &pol);
			for (uint16_t src = 4; src <= 6; src++)
				check_forecast(dry, nd, src);
		} else {
			export_member_refresh_w(&ex, &rib, (uint16_t)(4 + rand() % 3));
		}
		for (uint16_t src = 4; src <= 6; src++) {
			if (ex.pol.ixp_communities)
				each_update(&cap[src], no_control_one, NULL);
			model_apply(&cap[src], &m[src]);
			size_t held = 0;
			for (int i = 0; i < NU; i++) {
				const struct rib_path *want = ref_due(src, &universe[i], ex.pol.ixp_communities);
				const struct rib_path *best = ref_due(src, &universe[i], false);
				hidden_seen += want != best;
				int slot = model_slot(&m[src], &universe[i]);
				bool got = slot >= 0 && m[src].in[slot];
				assert_int_equal(got, want != NULL);
				if (want)
					assert_int_equal(m[src].origin[slot], 65000u + want->src);
				held += want != NULL;
			}
			/* + the originated 10.1.0.0/16, which every rs-client gets */
			assert_int_equal(adv[src], held + 1);
		}
	}
	/* The model must have exercised the hiding, not only the plain case. */
	assert_true(hidden_seen > 1000);
	for (uint16_t src = 4; src <= 6; src++)
		export_member_down_w(&ex, src);
}

/* ---- ADD-PATH send: every allowed path, per member, against a reference ---- */

#define AP_N 256
/* What an ADD-PATH receiver holds: (prefix, path id) -> origin AS. */
struct ap_model {
	struct rx_prefix p[AP_N];
	uint32_t id[AP_N], origin[AP_N];
	bool in[AP_N];
};

static int ap_slot(struct ap_model *m, const struct rx_prefix *p, uint32_t id)
{
	int free_slot = -1;
	for (int i = 0; i < AP_N; i++) {
		if (m->in[i] && m->id[i] == id && rx_prefix_equal(&m->p[i], p))
			return i;
		if (!m->in[i] && free_slot < 0)
			free_slot = i;
	}
	assert_true(free_slot >= 0);
	return free_slot;
}

static void ap_one(const struct wire_update *u, void *arg)
{
	struct ap_model *m = arg;
	struct wire_nlri_iter it;
	struct rx_prefix p;
	uint32_t id;
	wire_nlri_iter_init(&it, &u->withdrawn);
	while (wire_nlri_next(&it, &p, &id))
		m->in[ap_slot(m, &p, id)] = false;
	uint32_t origin = u->attrs.aspath_len >= 6 ? wire_get32(u->attrs.aspath + u->attrs.aspath_len - 4)
						   : 65515;
	wire_nlri_iter_init(&it, &u->nlri);
	while (wire_nlri_next(&it, &p, &id)) {
		int i = ap_slot(m, &p, id);
		m->p[i] = p;
		m->id[i] = id;
		m->origin[i] = origin;
		m->in[i] = true;
	}
}

static void test_addpath_model(void **state)
{
	enum { NU = 12 };
	struct rx_prefix universe[NU];
	fill_universe(universe, NU, 201);
	rs_clients(true);
	struct export_policy pol;
	struct export_key k = KEY_RS;
	k.addpath = RX_FAM_BIT(RX_FAM_IPV4_UNICAST);
	parse_addpath = true;
	static struct ap_model m[8];
	memset(m, 0, sizeof(m));
	srand(5);
	size_t multi = 0, hidden = 0;
	for (int step = 0; step < 1500; step++) {
		int op = rand() % 100;
		if (step == 0 || op < 3) { /* members join (again: a full feed) */
			for (uint16_t src = 4; src <= 5; src++) {
				export_member_down_w(&ex, src);
				memset(&m[src], 0, sizeof(m[src]));
				join(src, &k);
			}
		} else if (op < 85) {
			for (int j = 0, n = 1 + rand() % 6; j < n; j++) {
				uint16_t src = (uint16_t)(4 + rand() % 4);
				const struct rx_prefix *p = &universe[rand() % NU];
				if (rand() % 4 == 0) {
					rib_withdraw_w(&rib, src, 0, p);
					continue;
				}
				uint32_t c[2] = {65001u << 16 | 7, 0};
				int nc = 1;
				if (rand() % 3 == 0)
					c[nc++] = 65004u + (uint32_t)(rand() % 2); /* 0:x */
				announce_rs(src, p, 1 + rand() % 3, c, nc, NULL, 0);
			}
			sync_changes();
		} else {
			pol = ex.pol;
			if (op < 93)
				pol.ixp_communities = !pol.ixp_communities;
			else
				pol.transparent = !pol.transparent;
			struct export_dry dry[8];
			size_t nd = export_dry_run_w(&ex, &rib, &pol, NULL, 0, dry, 8);
			export_policy_change_w(&ex, &rib, &pol);
			for (uint16_t src = 4; src <= 5; src++)
				check_forecast(dry, nd, src);
		}
		for (uint16_t src = 4; src <= 5; src++) {
			each_update(&cap[src], ap_one, &m[src]);
			cap[src].len = 0;
			size_t held = 0, paths = 0;
			for (int i = 0; i < NU; i++) {
				const struct rx_prefix *p = &universe[i];
				const struct rib_node *nd = rib_find_rcu(&rib, p);
				unsigned n = nd ? rib_node_selectable(&rib, rib_tree(&rib, p->afi), nd) : 0;
				const struct rib_path *set = nd ? rib_node_paths(rib_tree(&rib, p->afi), nd) : NULL;
				unsigned want = 0;
				for (unsigned j = 0; j < n; j++) {
					bool hide = ex.pol.ixp_communities && ref_hidden(set[j].attrs, 65000u + src);
					hidden += hide;
					if (set[j].src == src || hide)
						continue;
					int slot = ap_slot(&m[src], p, (uint32_t)set[j].src << 16);
					assert_true(m[src].in[slot]);
					assert_int_equal(m[src].origin[slot], 65000u + set[j].src);
					want++;
				}
				multi += want > 1;
				held += want > 0;
				paths += want;
			}
			size_t in = 0; /* and nothing else: the 10.1.0.0/16 originated, and these */
			for (int i = 0; i < AP_N; i++)
				in += m[src].in[i];
			assert_int_equal(in, paths + 1);
			assert_int_equal(adv[src], held + 1);
		}
	}
	assert_true(multi > 1000); /* several paths per prefix were really sent */
	assert_true(hidden > 100);
	parse_addpath = false;
	for (uint16_t src = 4; src <= 5; src++)
		export_member_down_w(&ex, src);
}

/* ADD-PATH members on a rekey (an export map added by reload): every path id it holds is
 * withdrawn by its own id when the new map denies it. (Found in review.) */
static void test_addpath_rekey(void **state)
{
	rs_clients(false);
	struct export_key k = KEY_RS;
	k.addpath = RX_FAM_BIT(RX_FAM_IPV4_UNICAST);
	parse_addpath = true;
	static struct ap_model m;
	memset(&m, 0, sizeof(m));
	join(4, &k);
	struct rx_prefix p, q;
	rx_prefix_parse("10.201.0.0/24", &p, false);
	rx_prefix_parse("10.202.0.0/24", &q, false);
	announce_rs(5, &p, 1, NULL, 0, NULL, 0);
	announce_rs(6, &p, 2, NULL, 0, NULL, 0);
	announce_rs(6, &q, 2, NULL, 0, NULL, 0);
	sync_changes();
	each_update(&cap[4], ap_one, &m);
	cap[4].len = 0;
	assert_true(m.in[ap_slot(&m, &p, 5u << 16)]);
	assert_true(m.in[ap_slot(&m, &p, 6u << 16)]);
	/* The new map denies AS65006's paths: those two go, AS65005's stays. */
	struct policy_entry ent[1] = {
	    {.m = {.kinds = POLICY_M_ORIGIN, .origin = 65006}, .action = POLICY_DENY}};
	struct policy_map map = {.name = "no6", .v = ent, .n = 1, .match_kinds = POLICY_M_ORIGIN};
	struct export_key k2 = k;
	k2.map = &map;
	export_member_rekey_w(&ex, &rib, 4, &k2);
	each_update(&cap[4], ap_one, &m);
	cap[4].len = 0;
	assert_true(m.in[ap_slot(&m, &p, 5u << 16)]);
	assert_false(m.in[ap_slot(&m, &p, 6u << 16)]);
	assert_false(m.in[ap_slot(&m, &q, 6u << 16)]);
	assert_int_equal(adv[4], 2); /* 10.1.0.0/16 and p */
	/* And back: AS65006's paths return under their ids. */
	export_member_rekey_w(&ex, &rib, 4, &k);
	each_update(&cap[4], ap_one, &m);
	cap[4].len = 0;
	assert_true(m.in[ap_slot(&m, &p, 6u << 16)]);
	assert_true(m.in[ap_slot(&m, &q, 6u << 16)]);
	assert_int_equal(adv[4], 3);
	parse_addpath = false;
	export_member_down_w(&ex, 4);
}

/* ixp-communities switched on at run time: routes clients hold lose the control
 * communities (they are sent again, rewritten). (Found in review.) */
static void test_ixp_toggle_rewrites(void **state)
{
	rs_clients(false);
	struct export_policy pol = ex.pol;
	join(4, &KEY_RS);
	cap[4].len = 0;
	struct rx_prefix p;
	rx_prefix_parse("10.201.0.0/24", &p, false);
	uint32_t c[1] = {65099}; /* 0:65099: not to AS65099, which is no member */
	announce_rs(5, &p, 1, c, 1, NULL, 0);
	sync_changes();
	cap[4].len = 0;
	pol.ixp_communities = true;
	struct export_dry dry[8];
	size_t nd = export_dry_run_w(&ex, &rib, &pol, NULL, 0, dry, 8);
	export_policy_change_w(&ex, &rib, &pol);
	check_forecast(dry, nd, 4);
	size_t ann, wd;
	count_nlri(&cap[4], &ann, &wd);
	assert_int_equal(ann, 2); /* the route, and the originated 10.1.0.0/16 */
	each_update(&cap[4], no_control_one, NULL);
	cap[4].len = 0;
	export_member_down_w(&ex, 4);
}


/* ---- review4: a policy walk against a reference, every role, both families ----
 * Members of all four roles (two NVAs sharing a group, an ExpressRoute gateway, a VPN
 * gateway, two rs-clients sharing a group), IPv4 and IPv6, random announcements and
 * withdrawals from every source and the route server, and random exchange / transparent /
 * ixp-communities toggles. After each step, each member's view rebuilt from the bytes it was
 * sent must be, prefix by prefix, what export_held says it holds, with the AS path that
 * the current rewrite gives it (so a route that should have been sent again is caught). */
#define PW_N 48
struct pw_model {
	struct rx_prefix p[PW_N];
	char path[PW_N][64];
	bool in[PW_N];
};
static struct pw_model pw_m[8];
static int pw_step, pw_op;

static int pw_slot(struct pw_model *m, const struct rx_prefix *p)
{
	int free_slot = -1;
	for (int i = 0; i < PW_N; i++) {
		if (m->in[i] && rx_prefix_equal(&m->p[i], p))
			return i;
		if (!m->in[i] && free_slot < 0)
			free_slot = i;
	}
	return free_slot;
}

static void pw_nlri(struct pw_model *m, const struct wire_nlri *nl, const char *path)
{
	struct wire_nlri_iter it;
	struct rx_prefix p;
	wire_nlri_iter_init(&it, nl);
	while (wire_nlri_next(&it, &p, NULL)) {
		int i = pw_slot(m, &p);
		assert_true(i >= 0);
		m->in[i] = path != NULL;
		if (path) {
			m->p[i] = p;
			snprintf(m->path[i], sizeof(m->path[i]), "%s", path);
		}
	}
}

static void pw_one(const struct wire_update *u, void *arg)
{
	struct pw_model *m = arg;
	if (u->end_of_rib)
		return;
	char path[64];
	aspath_str(u->attrs.aspath, u->attrs.aspath_len, path, sizeof(path));
	pw_nlri(m, &u->withdrawn, NULL);
	if (u->has_mp_unreach)
		pw_nlri(m, &u->mp_unreach, NULL);
	pw_nlri(m, &u->nlri, path);
	if (u->has_mp_reach)
		pw_nlri(m, &u->mp_reach, path);
}

static void pw_announce(uint16_t src, const struct rx_prefix *p, uint32_t as)
{
	uint8_t path[10] = {WIRE_AS_SEQUENCE, 2};
	wire_put32(path + 2, as);
	wire_put32(path + 6, 64000u + (uint32_t)(rand() % 3));
	struct wire_attrs wa = {.present = WIRE_ATTR_BIT(WIRE_ATTR_ORIGIN) |
					   WIRE_ATTR_BIT(WIRE_ATTR_AS_PATH),
				.aspath = path, .aspath_len = as ? 10 : 0};
	uint8_t nh[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = (uint8_t)src};
	if (src == RIB_SRC_LOCAL) {
		wa.aspath_len = 0;
	} else if (p->afi == RX_AFI_IPV4) {
		wa.present |= WIRE_ATTR_BIT(WIRE_ATTR_NEXT_HOP);
		wire_put32(wa.nexthop, 0x7f000000u | src);
	}
	static uint8_t data[4096];
	static const uint8_t none[1];
	struct attr_buf ab = {.data = data, .cap = sizeof(data)};
	if (src == RIB_SRC_LOCAL)
		assert_true(attr_encode(&wa, none, 0, &ab));
	else if (p->afi == RX_AFI_IPV6)
		assert_true(attr_encode(&wa, nh, 16, &ab));
	else
		assert_true(attr_encode(&wa, NULL, 4, &ab));
	struct attr_set *a = attr_intern_w(&rib.attrs, &ab);
	rib_update_w(&rib, src, 0, p, a);
	attr_unref_w(&rib.attrs, a);
}

static void pw_check(uint16_t src, const struct export_key *k, const struct rx_prefix *u, int nu)
{
	struct pw_model *m = &pw_m[src];
	each_update(&cap[src], pw_one, m);
	cap[src].len = 0;
	size_t held = 0;
	for (int i = 0; i < nu; i++) {
		const struct rx_prefix *p = &u[i];
		if (!(k->families & RX_FAM_BIT(p->afi == RX_AFI_IPV4 ? RX_FAM_IPV4_UNICAST
								      : RX_FAM_IPV6_UNICAST)))
			continue;
		const struct rib_node *nd = rib_find_rcu(&rib, p);
		const struct rib_path *set = nd ? rib_node_paths(rib_tree(&rib, p->afi), nd) : NULL;
		unsigned n = nd ? rib_node_selectable(&rib, rib_tree(&rib, p->afi), nd) : 0;
		const struct rib_path *h = export_held(&ex, &rib, src, k, p, set, n);
		int slot = -1;
		for (int j = 0; j < PW_N; j++)
			if (m->in[j] && rx_prefix_equal(&m->p[j], p))
				slot = j;
		char pfx[64];
		rx_prefix_fmt(p, pfx, sizeof(pfx));
		if ((h != NULL) != (slot >= 0))
			fail_msg("member %u, %s: holds %s, was sent %s", src, pfx, h ? "a route" : "none",
				 slot >= 0 ? m->path[slot] : "none");
		if (!h)
			continue;
		held++;
		char want[96], body[64];
		aspath_str(attr_aspath(h->attrs), h->attrs->k.aspath_len, body, sizeof(body));
		if (!ex.pol.transparent && k->ebgp)
			snprintf(want, sizeof(want), "65515%s%s", body[0] ? " " : "", body);
		else
			snprintf(want, sizeof(want), "%s", body);
		if (strcmp(want, m->path[slot]) != 0)
			fail_msg("member %u, %s: path '%s', expected '%s'", src, pfx, m->path[slot], want);
	}
	if (adv[src] != held)
		fail_msg("member %u: advertised count %zu, holds %zu (step %d, last op %d)", src,
			 adv[src], held, pw_step, pw_op);
}

/* The ADD-PATH member of the policy-walk model: every path it holds, by (prefix, id), was
 * sent with its origin, and nothing else is held. */
static void pw_check_ap(uint16_t src, const struct export_key *k, struct ap_model *m,
			const struct rx_prefix *u, int nu)
{
	parse_addpath = true;
	each_update(&cap[src], ap_one, m);
	parse_addpath = false;
	cap[src].len = 0;
	size_t want = 0, have = 0;
	for (int i = 0; i < AP_N; i++)
		have += m->in[i];
	for (int i = 0; i < nu; i++) {
		const struct rx_prefix *p = &u[i];
		if (p->afi != RX_AFI_IPV4)
			continue;
		const struct rib_node *nd = rib_find_rcu(&rib, p);
		const struct rib_path *set = nd ? rib_node_paths(rib_tree(&rib, p->afi), nd) : NULL;
		unsigned n = nd ? rib_node_selectable(&rib, rib_tree(&rib, p->afi), nd) : 0;
		const struct rib_path *out[16];
		uint32_t ids[16];
		assert_true(n <= 16);
		unsigned h = export_held_paths(&ex, &rib, src, k, p, set, n, out, ids);
		for (unsigned j = 0; j < h; j++) {
			int slot = ap_slot(m, p, ids[j]);
			char pfx[64];
			rx_prefix_fmt(p, pfx, sizeof(pfx));
			if (!m->in[slot])
				fail_msg("add-path member %u, %s id %x: held, never sent (step %d, op %d)",
					 src, pfx, ids[j], pw_step, pw_op);
			uint32_t o = out[j]->attrs->k.aspath_len >= 6
					     ? wire_get32(attr_aspath(out[j]->attrs) +
							  out[j]->attrs->k.aspath_len - 4)
					     : 65515;
			assert_int_equal(m->origin[slot], o);
		}
		want += h;
	}
	if (want != have)
		fail_msg("add-path member %u: holds %zu paths, was left with %zu (step %d, op %d)",
			 src, want, have, pw_step, pw_op);
}

static void test_policy_walk_model(void **state)
{
	(void)state;
	add_source(4, 65004, RIB_ROLE_VPN);
	add_source(5, 65005, RIB_ROLE_RS_CLIENT);
	add_source(6, 65006, RIB_ROLE_RS_CLIENT);
	add_source(7, 65007, RIB_ROLE_NVA); /* an ADD-PATH member, with no routes of its own */
	const uint8_t both = RX_FAM_BIT(RX_FAM_IPV4_UNICAST) | RX_FAM_BIT(RX_FAM_IPV6_UNICAST);
	struct export_key keys[8] = {0};
	keys[1] = (struct export_key){.role = RIB_ROLE_NVA, .families = both, .as4 = true, .ebgp = true};
	keys[2] = keys[1];
	keys[3] = (struct export_key){.role = RIB_ROLE_EXPRESSROUTE, .families = both, .as4 = true};
	keys[4] = (struct export_key){.role = RIB_ROLE_VPN, .families = both, .as4 = true, .ebgp = true};
	keys[5] = (struct export_key){.role = RIB_ROLE_RS_CLIENT, .families = both, .as4 = true,
				      .ebgp = true};
	keys[6] = keys[5];
	memset(pw_m, 0, sizeof(pw_m));
	/* next-hop-ipv6 configured: without it an originated IPv6 route is withheld at packing
	 * yet counted as advertised (an older gap, left out of this test) */
	ex.pol.has_nexthop6 = true;
	ex.pol.nexthop6[0] = 0x20;
	ex.pol.nexthop6[15] = 1;
	for (uint16_t s = 1; s <= 6; s++)
		join(s, &keys[s]);
	keys[7] = keys[1];
	keys[7].addpath = RX_FAM_BIT(RX_FAM_IPV4_UNICAST);
	static struct ap_model m7;
	memset(&m7, 0, sizeof(m7));
	join(7, &keys[7]);
	enum { NU = 40 };
	struct rx_prefix u[NU + 1];
	assert_true(rx_prefix_parse("10.1.0.0/16", &u[NU], false)); /* setup's originated prefix */
	for (int i = 0; i < NU; i++) {
		char buf[64];
		if (i % 2)
			snprintf(buf, sizeof(buf), "2001:db8:%x::/48", i);
		else
			snprintf(buf, sizeof(buf), "10.77.%d.0/24", i);
		assert_true(rx_prefix_parse(buf, &u[i], false));
	}
	static const uint32_t as_of[7] = {0, 65001, 65002, 0, 65004, 65005, 65006};
	srand(4242);
	for (int step = 0; step < 2000; step++) {
		int op = rand() % 100;
		pw_step = step;
		pw_op = op;
		if (op < 75) {
			int n = 1 + rand() % 6;
			for (int j = 0; j < n; j++) {
				uint16_t src = (uint16_t)(rand() % 7); /* 0: the route server */
				const struct rx_prefix *p = &u[rand() % NU];
				if (rand() % 3)
					pw_announce(src, p, as_of[src]);
				else
					rib_withdraw_w(&rib, src, 0, p);
			}
			sync_changes();
		} else {
			struct export_policy pol = ex.pol;
			if (op < 88)
				pol.exchange = !pol.exchange;
			else if (op < 94)
				pol.transparent = !pol.transparent;
			else
				pol.ixp_communities = !pol.ixp_communities;
			export_policy_change_w(&ex, &rib, &pol);
		}
		for (uint16_t s = 1; s <= 6; s++)
			pw_check(s, &keys[s], u, NU + 1);
		pw_check_ap(7, &keys[7], &m7, u, NU + 1);
	}
	for (uint16_t s = 1; s <= 7; s++)
		export_member_down_w(&ex, s);
}

/* review4: one change log that ascends within each family but switches families, and
 * repeats a prefix right after the switch (IPv4 sorts before IPv6, so the repeat breaks the
 * order), or adjacent to itself: the last state of each prefix must win. */
static void test_repeats_across_families(void **state)
{
	(void)state;
	const uint8_t both = RX_FAM_BIT(RX_FAM_IPV4_UNICAST) | RX_FAM_BIT(RX_FAM_IPV6_UNICAST);
	struct export_key k = {.role = RIB_ROLE_NVA, .families = both, .as4 = true, .ebgp = true};
	memset(pw_m, 0, sizeof(pw_m));
	join(2, &k);
	static const char *const names[] = {"10.5.0.0/24", "10.5.1.0/24", "2001:db8:1::/48",
					    "2001:db8:2::/48", "10.1.0.0/16"};
	struct rx_prefix u[5];
	for (int i = 0; i < 5; i++)
		assert_true(rx_prefix_parse(names[i], &u[i], false));
	srand(99);
	for (int round = 0; round < 200; round++) {
		/* ascending v4, then v6, then a v4 repeat and a v6 repeat, then adjacent repeats */
		static const int order[] = {0, 1, 2, 3, 0, 2, 2, 1, 1, 3, 0};
		for (size_t j = 0; j < sizeof(order) / sizeof(order[0]); j++) {
			if (rand() % 4)
				pw_announce(1, &u[order[j]], 65001);
			else
				rib_withdraw_w(&rib, 1, 0, &u[order[j]]);
		}
		sync_changes();
		pw_check(2, &k, u, 5);
	}
	export_member_down_w(&ex, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matrix),
		cmocka_unit_test_setup_teardown(test_feed_and_exchange, setup, teardown),
		cmocka_unit_test_setup_teardown(test_split_horizon_in_a_group, setup, teardown),
		cmocka_unit_test_setup_teardown(test_communities, setup, teardown),
		cmocka_unit_test_setup_teardown(test_path_hiding, setup, teardown),
		cmocka_unit_test_setup_teardown(test_repeats_in_one_log, setup, teardown),
		cmocka_unit_test_setup_teardown(test_originated_ipv6_without_nexthop, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_export_map, setup, teardown),
		cmocka_unit_test_setup_teardown(test_summarise, setup, teardown),
		cmocka_unit_test_setup_teardown(test_summary_limit_rekey, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transparent_keeps_path_and_med, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limit_withholds_and_refills, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limit_model, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ixp_model, setup, teardown),
		cmocka_unit_test_setup_teardown(test_addpath_model, setup, teardown),
		cmocka_unit_test_setup_teardown(test_addpath_rekey, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ixp_toggle_rewrites, setup, teardown),
		cmocka_unit_test_setup_teardown(test_policy_walk_model, setup, teardown),
		cmocka_unit_test_setup_teardown(test_repeats_across_families, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
