/* test_policy.c: route map evaluation (every match kind, first-match semantics, unmatched
 * routes passing), the set actions on decoded attributes, and the parsers the config uses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <routex/policy.h>
#include <routex/wire.h>

/* An AS path of one AS_SEQUENCE in 4-octet form. */
static size_t seq(uint8_t *out, const uint32_t *as, unsigned n)
{
	out[0] = WIRE_AS_SEQUENCE;
	out[1] = (uint8_t)n;
	for (unsigned i = 0; i < n; i++)
		wire_put32(out + 2 + 4 * i, as[i]);
	return 2 + 4 * (size_t)n;
}

static struct rx_prefix pfx(const char *s)
{
	struct rx_prefix p;
	assert_true(rx_prefix_parse(s, &p, false));
	return p;
}

static struct policy_pfx ple(const char *s)
{
	struct policy_pfx e;
	char err[128];
	assert_true(policy_pfx_parse(s, &e, err, sizeof(err)));
	return e;
}

/* A route: prefix, path, communities. */
struct rt {
	struct rx_prefix p;
	uint8_t path[64];
	size_t path_len;
	uint8_t comm[16];
	size_t comm_len;
	uint8_t large[24];
	size_t large_len;
	struct policy_route r;
	char text[POLICY_TEXT_MAX];
};

static struct rt *route(const char *prefix, const uint32_t *as, unsigned n, uint32_t comm,
			uint8_t rpki, uint8_t role)
{
	struct rt *t = calloc(1, sizeof(*t));
	t->p = pfx(prefix);
	t->path_len = seq(t->path, as, n);
	if (comm) {
		wire_put32(t->comm, comm);
		t->comm_len = 4;
	}
	policy_route_init(&t->r, &t->p, t->path, t->path_len, t->comm, t->comm_len, t->large,
			  t->large_len, rpki, role, t->text);
	return t;
}

static int eval1(const struct policy_match *m, struct rt *t)
{
	struct policy_entry e = {.m = *m};
	struct policy_map map = {.v = &e, .n = 1};
	return policy_eval(&map, &t->r);
}

static void test_prefix_list(void **state)
{
	(void)state;
	struct policy_pfx v[] = {ple("10.0.0.0/8 le 24"), ple("192.0.2.0/24"),
				 ple("2001:db8::/32 ge 40 le 48")};
	struct policy_prefix_list l = {.name = "l", .v = v, .n = 3};
	struct policy_match m = {.kinds = POLICY_M_PREFIX_LIST, .plist = &l};
	static const uint32_t as[] = {65001};
	const char *in[] = {"10.0.0.0/8", "10.1.2.0/24", "192.0.2.0/24", "2001:db8:1::/48",
			    "2001:db8::/40"};
	const char *out[] = {"10.1.2.128/25", "192.0.2.0/25", "192.0.0.0/16", "11.0.0.0/8",
			     "2001:db8::/32", "2001:db8::/64", "2001:db9::/48"};
	for (size_t i = 0; i < sizeof(in) / sizeof(*in); i++) {
		struct rt *t = route(in[i], as, 1, 0, 0, 1);
		assert_int_equal(eval1(&m, t), 0);
		free(t);
	}
	for (size_t i = 0; i < sizeof(out) / sizeof(*out); i++) {
		struct rt *t = route(out[i], as, 1, 0, 0, 1);
		assert_int_equal(eval1(&m, t), POLICY_NO_MATCH);
		free(t);
	}
}

static void test_pfx_parse_errors(void **state)
{
	(void)state;
	struct policy_pfx e;
	char err[160];
	const char *bad[] = {"10.0.0.0/33", "10.0.0.1/8", "10.0.0.0/8 le 33", "10.0.0.0/16 le 8",
			     "10.0.0.0/16 ge 8", "10.0.0.0/8 ge 24 le 16", "10.0.0.0/8 le 24 ge 16",
			     "10.0.0.0/8 lt 9", "10.0.0.0/8 le", "nonsense", "2001:db8::/32 le 129",
			     "10.0.0.0/8 le 024"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		err[0] = 0;
		assert_false(policy_pfx_parse(bad[i], &e, err, sizeof(err)));
		assert_true(err[0] != 0);
	}
	e = ple("10.0.0.0/8 ge 16");
	assert_int_equal(e.ge, 16);
	assert_int_equal(e.le, 32);
	char buf[64];
	assert_string_equal(policy_pfx_fmt(&e, buf, sizeof(buf)), "10.0.0.0/8 ge 16");
	e = ple("2001:db8::/32 ge 40 le 48");
	assert_string_equal(policy_pfx_fmt(&e, buf, sizeof(buf)), "2001:db8::/32 ge 40 le 48");
	e = ple("10.0.0.0/8   le 24");
	assert_string_equal(policy_pfx_fmt(&e, buf, sizeof(buf)), "10.0.0.0/8 le 24");
}

static void test_aspath_forms(void **state)
{
	(void)state;
	static const uint32_t as[] = {65001, 65002, 4200000000u};
	struct rt *t = route("10.0.0.0/24", as, 3, 0, 0, 1);
	struct policy_match m = {.kinds = POLICY_M_CONTAINS, .contains = 65002};
	assert_int_equal(eval1(&m, t), 0);
	m.contains = 65003;
	assert_int_equal(eval1(&m, t), POLICY_NO_MATCH);
	m = (struct policy_match){.kinds = POLICY_M_ORIGIN, .origin = 4200000000u};
	assert_int_equal(eval1(&m, t), 0);
	m.origin = 65001;
	assert_int_equal(eval1(&m, t), POLICY_NO_MATCH);
	m = (struct policy_match){.kinds = POLICY_M_MAX_LENGTH, .max_length = 3};
	assert_int_equal(eval1(&m, t), 0);
	m.max_length = 2;
	assert_int_equal(eval1(&m, t), POLICY_NO_MATCH);
	/* All of an entry's matches must hold. */
	m = (struct policy_match){.kinds = POLICY_M_CONTAINS | POLICY_M_ORIGIN, .contains = 65001,
				  .origin = 65001};
	assert_int_equal(eval1(&m, t), POLICY_NO_MATCH);
	free(t);
}

static void test_regex(void **state)
{
	(void)state;
	static const uint32_t as[] = {65001, 65002, 65010};
	struct rt *t = route("10.0.0.0/24", as, 3, 0, 0, 1);
	assert_string_equal(policy_aspath_text(&t->r), "65001 65002 65010");
	struct policy_match m = {.kinds = POLICY_M_REGEX};
	assert_int_equal(regcomp(&m.regex, "^65001( |$)", REG_EXTENDED | REG_NOSUB), 0);
	assert_int_equal(eval1(&m, t), 0);
	regfree(&m.regex);
	assert_int_equal(regcomp(&m.regex, "^6500( |$)", REG_EXTENDED | REG_NOSUB), 0);
	assert_int_equal(eval1(&m, t), POLICY_NO_MATCH);
	regfree(&m.regex);
	assert_int_equal(regcomp(&m.regex, "(^| )65010$", REG_EXTENDED | REG_NOSUB), 0);
	assert_int_equal(eval1(&m, t), 0);
	regfree(&m.regex);
	free(t);
	/* A set and an empty path. */
	struct rt *u = route("10.0.0.0/24", as, 1, 0, 0, 1);
	u->path[u->path_len] = WIRE_AS_SET;
	u->path[u->path_len + 1] = 2;
	wire_put32(u->path + u->path_len + 2, 1);
	wire_put32(u->path + u->path_len + 6, 2);
	u->r.aspath_len = u->path_len + 10;
	assert_string_equal(policy_aspath_text(&u->r), "65001 {1,2}");
	policy_route_init(&u->r, &u->p, u->path, 0, NULL, 0, NULL, 0, 0, 0, u->text);
	assert_string_equal(policy_aspath_text(&u->r), "");
	free(u);
}

static void test_communities_rpki_role(void **state)
{
	(void)state;
	static const uint32_t as[] = {65001};
	uint32_t want[] = {65001u << 16 | 100, 65001u << 16 | 200};
	struct rt *t = route("10.0.0.0/24", as, 1, 65001u << 16 | 200, 3, 2);
	struct policy_match m = {.kinds = POLICY_M_COMMUNITY, .comm = want, .ncomm = 2};
	assert_int_equal(eval1(&m, t), 0); /* any of the listed */
	m.ncomm = 1;
	assert_int_equal(eval1(&m, t), POLICY_NO_MATCH);
	struct policy_large lw = {65515, 1, 2};
	m = (struct policy_match){.kinds = POLICY_M_LARGE, .large = &lw, .nlarge = 1};
	assert_int_equal(eval1(&m, t), POLICY_NO_MATCH);
	wire_put32(t->large, 65515);
	wire_put32(t->large + 4, 1);
	wire_put32(t->large + 8, 2);
	t->r.large_len = 12;
	assert_int_equal(eval1(&m, t), 0);
	m = (struct policy_match){.kinds = POLICY_M_RPKI, .rpki = 3};
	assert_int_equal(eval1(&m, t), 0);
	m.rpki = 2;
	assert_int_equal(eval1(&m, t), POLICY_NO_MATCH);
	m = (struct policy_match){.kinds = POLICY_M_ROLE, .roles = 1u << 2};
	assert_int_equal(eval1(&m, t), 0);
	m.roles = 1u << 1 | 1u << 0;
	assert_int_equal(eval1(&m, t), POLICY_NO_MATCH);
	free(t);
}

/* The first entry whose matches all hold decides; later ones are not looked at. */
static void test_first_match(void **state)
{
	(void)state;
	static const uint32_t as[] = {65001, 65002};
	struct policy_entry e[3] = {
	    {.m = {.kinds = POLICY_M_CONTAINS, .contains = 65009}, .action = POLICY_DENY},
	    {.m = {.kinds = POLICY_M_ORIGIN, .origin = 65002}, .action = POLICY_PERMIT,
	     .s = {.kinds = POLICY_S_MED, .med = 7}},
	    {.action = POLICY_DENY}, /* no match: every route */
	};
	struct policy_map map = {.name = "m", .v = e, .n = 3};
	struct rt *t = route("10.0.0.0/24", as, 2, 0, 0, 1);
	int idx = policy_eval(&map, &t->r);
	assert_int_equal(idx, 1);
	assert_true(policy_permits(&map, idx));
	assert_true(policy_changes(&map, idx));
	e[0].m.contains = 65002;
	idx = policy_eval(&map, &t->r);
	assert_int_equal(idx, 0);
	assert_false(policy_permits(&map, idx));
	e[0].m.contains = 65009;
	e[1].m.origin = 65001;
	idx = policy_eval(&map, &t->r);
	assert_int_equal(idx, 2);
	assert_false(policy_permits(&map, idx));
	/* Without the catch-all, an unmatched route passes unchanged. */
	map.n = 2;
	idx = policy_eval(&map, &t->r);
	assert_int_equal(idx, POLICY_NO_MATCH);
	assert_true(policy_permits(&map, idx));
	assert_false(policy_changes(&map, idx));
	/* RFC 8212's map refuses everything. */
	assert_false(policy_permits(&policy_reject_all, policy_eval(&policy_reject_all, &t->r)));
	free(t);
}

static uint8_t applybuf[POLICY_APPLY_BUF];

static void test_apply(void **state)
{
	(void)state;
	uint8_t path[32], comm[12];
	static const uint32_t as[] = {65001};
	size_t plen = seq(path, as, 1);
	wire_put32(comm, 65001u << 16 | 1);
	wire_put32(comm + 4, 65001u << 16 | 2);
	wire_put32(comm + 8, WIRE_COMM_NO_EXPORT);
	struct wire_attrs w = {.present = WIRE_ATTR_BIT(WIRE_ATTR_AS_PATH) |
					  WIRE_ATTR_BIT(WIRE_ATTR_COMMUNITIES),
			       .aspath = path, .aspath_len = (uint16_t)plen, .communities = comm,
			       .communities_len = 12};
	uint32_t add[] = {65515u << 16 | 9, 65001u << 16 | 1};
	uint32_t rm[] = {65001u << 16 | 2, WIRE_COMM_NO_EXPORT};
	struct policy_large ladd = {65515, 1, 2};
	struct policy_entry e = {
	    .s = {.kinds = POLICY_S_COMM_ADD | POLICY_S_COMM_REMOVE | POLICY_S_LARGE_ADD |
			   POLICY_S_PREPEND | POLICY_S_MED,
		  .comm_add = add, .ncomm_add = 2, .comm_remove = rm, .ncomm_remove = 2,
		  .large_add = &ladd, .nlarge_add = 1, .prepend = 2, .med = 50}};
	assert_true(policy_apply(&e, &w, 65515, applybuf, sizeof(applybuf)));
	/* removed 65001:2 and no-export, kept 65001:1 once, added 65515:9 */
	assert_int_equal(w.communities_len, 8);
	assert_int_equal(wire_get32(w.communities), 65001u << 16 | 1);
	assert_int_equal(wire_get32(w.communities + 4), 65515u << 16 | 9);
	assert_int_equal(w.large_communities_len, 12);
	assert_true(WIRE_HAS(&w, WIRE_ATTR_LARGE_COMMUNITIES));
	assert_int_equal(wire_get32(w.large_communities), 65515);
	assert_int_equal(wire_aspath_length(w.aspath, w.aspath_len), 3);
	assert_int_equal(wire_aspath_first_as(w.aspath, w.aspath_len), 65515);
	assert_int_equal(wire_aspath_origin_as(w.aspath, w.aspath_len), 65001);
	assert_true(WIRE_HAS(&w, WIRE_ATTR_MED));
	assert_int_equal(w.med, 50);
	/* The original bytes are untouched. */
	assert_int_equal(wire_get32(comm + 4), 65001u << 16 | 2);
	/* community-set replaces; an empty result removes the attribute. */
	struct policy_entry s = {.s = {.kinds = POLICY_S_COMM_SET, .ncomm_set = 0}};
	assert_true(policy_apply(&s, &w, 65515, applybuf, sizeof(applybuf)));
	assert_false(WIRE_HAS(&w, WIRE_ATTR_COMMUNITIES));
	uint32_t one = 1;
	s.s.comm_set = &one;
	s.s.ncomm_set = 1;
	assert_true(policy_apply(&s, &w, 65515, applybuf, sizeof(applybuf)));
	assert_int_equal(w.communities_len, 4);
	assert_int_equal(wire_get32(w.communities), 1);
	/* large-community-remove */
	struct policy_entry l = {.s = {.kinds = POLICY_S_LARGE_REMOVE, .large_remove = &ladd,
				       .nlarge_remove = 1}};
	w.large_communities = (const uint8_t[12]){0, 0, 0xff, 0xeb, 0, 0, 0, 1, 0, 0, 0, 2};
	w.large_communities_len = 12;
	w.present |= WIRE_ATTR_BIT(WIRE_ATTR_LARGE_COMMUNITIES);
	assert_true(policy_apply(&l, &w, 65515, applybuf, sizeof(applybuf)));
	assert_false(WIRE_HAS(&w, WIRE_ATTR_LARGE_COMMUNITIES));
	/* Too small a buffer is an error, not an overflow. */
	assert_false(policy_apply(&e, &w, 65515, applybuf, 6));
}

static void test_community_parse(void **state)
{
	(void)state;
	uint32_t c;
	struct policy_large l;
	char err[200], buf[32];
	assert_true(policy_community_parse("65001:100", &c, err, sizeof(err)));
	assert_int_equal(c, 65001u << 16 | 100);
	assert_string_equal(policy_community_fmt(c, buf, sizeof(buf)), "65001:100");
	assert_true(policy_community_parse("no-export", &c, err, sizeof(err)));
	assert_int_equal(c, WIRE_COMM_NO_EXPORT);
	const char *bad[] = {"65536:1", "1:65536", "1", "1:2:3", "a:b", ":1", "1:", "-1:2",
			     "no_export"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		assert_false(policy_community_parse(bad[i], &c, err, sizeof(err)));
	assert_true(policy_large_parse("4200000000:1:2", &l, err, sizeof(err)));
	assert_int_equal(l.ga, 4200000000u);
	assert_int_equal(l.l2, 2);
	assert_false(policy_large_parse("4294967296:1:2", &l, err, sizeof(err)));
	assert_false(policy_large_parse("1:2", &l, err, sizeof(err)));
	assert_false(policy_large_parse("1:2:3:4", &l, err, sizeof(err)));
}

static void test_equal(void **state)
{
	(void)state;
	uint32_t c1[] = {1}, c2[] = {2};
	struct policy_entry a = {.m = {.kinds = POLICY_M_COMMUNITY, .comm = c1, .ncomm = 1}};
	struct policy_entry b = a;
	struct policy_map ma = {.name = "x", .v = &a, .n = 1}, mb = {.name = "x", .v = &b, .n = 1};
	assert_true(policy_map_equal(&ma, &mb));
	b.m.comm = c2;
	assert_false(policy_map_equal(&ma, &mb));
	b.m.comm = c1;
	b.action = POLICY_DENY;
	assert_false(policy_map_equal(&ma, &mb));
	assert_false(policy_map_equal(&ma, NULL));
	assert_true(policy_map_equal(NULL, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_prefix_list),	 cmocka_unit_test(test_pfx_parse_errors),
	    cmocka_unit_test(test_aspath_forms), cmocka_unit_test(test_regex),
	    cmocka_unit_test(test_communities_rpki_role), cmocka_unit_test(test_first_match),
	    cmocka_unit_test(test_apply),	 cmocka_unit_test(test_community_parse),
	    cmocka_unit_test(test_equal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
