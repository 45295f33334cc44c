/* diff.c: conf_diff() classification. Each case changes one thing between two configs and
 * checks what the reload must do, and that the untouched peer is left alone. */
#include <stdio.h>
#include <string.h>

#include "helpers.h"

/* Peer a (changed by each case) and peer b (never changed). `globals` and `extra` are inserted
 * as whole lines: top-level keys, and keys of peer a. */
static struct conf_daemon *make(const char *globals, const char *extra)
{
	char text[2048];
	snprintf(text, sizeof(text),
		 "router-id: 10.0.0.1\n%s"
		 "peers:\n" PEER("a", "192.0.2.1", "65001", "nva") "%s" PEER("b", "192.0.2.2",
									     "65002", "vpn"),
		 globals, extra);
	return tconf_load(text);
}

static const struct conf_peer_diff *find(const struct conf_diff *d, const char *name)
{
	for (size_t i = 0; i < d->npeers; i++) {
		const struct conf_peer *p =
		    d->peers[i].new_peer ? d->peers[i].new_peer : d->peers[i].old_peer;
		if (!strcmp(p->name, name))
			return &d->peers[i];
	}
	return NULL;
}

struct peer_case {
	const char *before, *after;
	enum conf_peer_change change;
	uint32_t changed;
	bool reexport_all;
};

#define B(k) (1u << (k))

static void check_peer_case(const struct peer_case *pc)
{
	struct conf_daemon *o = make("", pc->before), *n = make("", pc->after);
	struct conf_diff d;
	assert_int_equal(conf_diff(o, n, &d), 0);
	const struct conf_peer_diff *a = find(&d, "a"), *b = find(&d, "b");
	assert_non_null(a);
	assert_int_equal(a->change, pc->change);
	assert_int_equal(a->changed, pc->changed);
	assert_int_equal(b->change, CONF_CHANGE_NONE);
	assert_int_equal(d.npeers, 2);
	assert_int_equal(d.reexport_all, pc->reexport_all);
	assert_false(d.reset_all);
	assert_int_equal(d.global_changed, pc->change == CONF_CHANGE_NONE ? 0 : B(CONF_DK_PEERS));
	conf_diff_fini(&d);
	conf_free(o);
	conf_free(n);
}

static void test_peer_changes(void **state)
{
	static const struct peer_case cases[] = {
	    {"", "", CONF_CHANGE_NONE, 0, false},
	    /* Written differently, same values: nothing to do. */
	    {"", "    hold-time: 180\n    keepalive: 60\n    passive: true\n", CONF_CHANGE_NONE, 0,
	     false},
	    /* Session parameters: reset. */
	    {"", "    hold-time: 90\n", CONF_CHANGE_RESET,
	     B(CONF_PK_HOLD_TIME) | B(CONF_PK_KEEPALIVE), false},
	    {"", "    password: k\n", CONF_CHANGE_RESET, B(CONF_PK_PASSWORD), false},
	    {"    password: k\n", "    password: k2\n", CONF_CHANGE_RESET, B(CONF_PK_PASSWORD),
	     false},
	    {"", "    ttl-security: true\n", CONF_CHANGE_RESET, B(CONF_PK_TTL_SECURITY), false},
	    {"", "    multihop: 3\n", CONF_CHANGE_RESET, B(CONF_PK_MULTIHOP), false},
	    {"", "    local-address: 192.0.2.100\n", CONF_CHANGE_RESET, B(CONF_PK_LOCAL_ADDRESS),
	     false},
	    {"", "    port: 1790\n", CONF_CHANGE_RESET, B(CONF_PK_PORT), false},
	    {"", "    graceful-restart: false\n", CONF_CHANGE_RESET, B(CONF_PK_GRACEFUL_RESTART),
	     false},
	    {"", "    add-path: receive\n", CONF_CHANGE_RESET, B(CONF_PK_ADD_PATH), false},
	    /* Policy: re-export (roles: test_role_change). */
	    {"", "    max-prefixes-out: 100\n", CONF_CHANGE_REEXPORT, B(CONF_PK_MAX_PREFIXES_OUT),
	     false},
	    /* In place: no reset, no re-export. */
	    {"", "    description: moved to rack 4\n", CONF_CHANGE_UPDATE, B(CONF_PK_DESCRIPTION),
	     false},
	    {"", "    keepalive: 20\n", CONF_CHANGE_UPDATE, B(CONF_PK_KEEPALIVE), false},
	    {"", "    passive: false\n", CONF_CHANGE_UPDATE, B(CONF_PK_PASSIVE), false},
	    {"", "    max-prefixes: 100\n", CONF_CHANGE_UPDATE, B(CONF_PK_MAX_PREFIXES), false},
	    /* Import filters: in place (routexd then asks the peer for a ROUTE-REFRESH). */
	    {"", "    filter-bogons: true\n", CONF_CHANGE_UPDATE, B(CONF_PK_FILTER_BOGONS), false},
	    {"", "    max-as-path-length: 64\n", CONF_CHANGE_UPDATE, B(CONF_PK_MAX_AS_PATH_LENGTH),
	     false},
	    /* A reset wins over a policy change made at the same time. */
	    {"", "    max-prefixes-out: 5\n    port: 1790\n", CONF_CHANGE_RESET,
	     B(CONF_PK_MAX_PREFIXES_OUT) | B(CONF_PK_PORT), false},
	    /* enabled: leaving and joining. */
	    {"", "    enabled: false\n", CONF_CHANGE_REMOVED, B(CONF_PK_ENABLED), false},
	    {"    enabled: false\n", "", CONF_CHANGE_ADDED, B(CONF_PK_ENABLED), false},
	    {"    enabled: false\n", "    enabled: false\n    port: 1790\n", CONF_CHANGE_UPDATE,
	     B(CONF_PK_PORT), false},
	};
	for (size_t i = 0; i < RX_ARRAY_LEN(cases); i++) {
		print_message("peer case %zu\n", i);
		check_peer_case(&cases[i]);
	}
}

/* Route maps: an import change is applied in place (routexd asks for a ROUTE-REFRESH), an
 * export change re-exports; editing a map or the prefix list it uses counts as a change of
 * every peer using it, and of no other. */
static void test_route_maps(void **state)
{
#define MAPS(pl, med)                                                                         \
	"prefix-lists: {c: [" pl "]}\n"                                                       \
	"route-maps:\n  in: [{match: {prefix-list: c}, action: deny}]\n"                      \
	"  out: [{set: {med: " med "}}]\n"
	static const struct {
		const char *g1, *x1, *g2, *x2;
		enum conf_peer_change change;
		uint32_t changed;
	} cases[] = {
	    {MAPS("10.0.0.0/8", "1"), "    import: in\n", MAPS("10.0.0.0/8", "1"),
	     "    import: in\n", CONF_CHANGE_NONE, 0},
	    {MAPS("10.0.0.0/8", "1"), "", MAPS("10.0.0.0/8", "1"), "    import: in\n",
	     CONF_CHANGE_UPDATE, B(CONF_PK_IMPORT)},
	    {MAPS("10.0.0.0/8", "1"), "    import: in\n", MAPS("10.0.0.0/16", "1"),
	     "    import: in\n", CONF_CHANGE_UPDATE, B(CONF_PK_IMPORT)},
	    {MAPS("10.0.0.0/8", "1"), "    export: out\n", MAPS("10.0.0.0/8", "2"),
	     "    export: out\n", CONF_CHANGE_REEXPORT, B(CONF_PK_EXPORT)},
	    {MAPS("10.0.0.0/8", "1"), "    export: out\n", MAPS("10.0.0.0/8", "1"), "",
	     CONF_CHANGE_REEXPORT, B(CONF_PK_EXPORT)},
	    /* The export map did not change: a's import did not either. */
	    {MAPS("10.0.0.0/8", "1"), "    import: in\n", MAPS("10.0.0.0/8", "2"),
	     "    import: in\n", CONF_CHANGE_NONE, 0},
	    /* RFC 8212 on: a (eBGP, no map) now gets nothing in or out. */
	    {"", "", "require-policy: true\n", "", CONF_CHANGE_REEXPORT,
	     B(CONF_PK_IMPORT) | B(CONF_PK_EXPORT)},
	};
#undef MAPS
	for (size_t i = 0; i < RX_ARRAY_LEN(cases); i++) {
		print_message("route map case %zu\n", i);
		struct conf_daemon *o = make(cases[i].g1, cases[i].x1);
		struct conf_daemon *n = make(cases[i].g2, cases[i].x2);
		struct conf_diff d;
		assert_int_equal(conf_diff(o, n, &d), 0);
		assert_int_equal(find(&d, "a")->change, cases[i].change);
		assert_int_equal(find(&d, "a")->changed, cases[i].changed);
		/* b has no map; with require-policy it gets the reject-all map too */
		if (!strstr(cases[i].g2, "require"))
			assert_int_equal(find(&d, "b")->change, CONF_CHANGE_NONE);
		assert_false(d.reexport_all);
		assert_false(d.restart_needed);
		conf_diff_fini(&d);
		conf_free(o);
		conf_free(n);
	}
}

/* A role also moves where a's own routes go: every peer is re-exported to. */
static void test_role_change(void **state)
{
	struct conf_daemon *o = tconf_load("router-id: 10.0.0.1\npeers:\n" PEER(
	    "a", "192.0.2.1", "65001", "nva") PEER("b", "192.0.2.2", "65002", "vpn"));
	struct conf_daemon *n = tconf_load("router-id: 10.0.0.1\npeers:\n" PEER(
	    "a", "192.0.2.1", "65001", "rs-client") PEER("b", "192.0.2.2", "65002", "vpn"));
	struct conf_diff d;
	assert_int_equal(conf_diff(o, n, &d), 0);
	const struct conf_peer_diff *a = find(&d, "a");
	assert_int_equal(a->change, CONF_CHANGE_REEXPORT);
	/* The inbound limit follows the role's default: 4000 for nva, unlimited for rs-client. */
	assert_int_equal(a->changed, B(CONF_PK_ROLE) | B(CONF_PK_MAX_PREFIXES));
	assert_true(d.reexport_all);
	assert_int_equal(find(&d, "b")->change, CONF_CHANGE_NONE);
	conf_diff_fini(&d);
	conf_free(o);
	conf_free(n);
}

static void test_peer_asn_and_address(void **state)
{
	struct conf_daemon *o = tconf_load("router-id: 10.0.0.1\npeers:\n" PEER(
	    "a", "192.0.2.1", "65001", "nva") PEER("b", "192.0.2.2", "65002", "vpn"));
	struct conf_daemon *n = tconf_load("router-id: 10.0.0.1\npeers:\n" PEER(
	    "a", "192.0.2.1", "65011", "nva") PEER("b", "192.0.2.3", "65002", "vpn"));
	struct conf_diff d;
	assert_int_equal(conf_diff(o, n, &d), 0);
	assert_int_equal(find(&d, "a")->change, CONF_CHANGE_RESET);
	assert_int_equal(find(&d, "a")->changed, B(CONF_PK_ASN));
	assert_int_equal(find(&d, "b")->change, CONF_CHANGE_RESET);
	assert_int_equal(find(&d, "b")->changed, B(CONF_PK_ADDRESS));
	conf_diff_fini(&d);
	conf_free(o);
	conf_free(n);
}

static void test_added_removed_renamed(void **state)
{
	struct conf_daemon *o = tconf_load(
	    "router-id: 10.0.0.1\npeers:\n" PEER("a", "192.0.2.1", "65001", "nva")
		PEER("b", "192.0.2.2", "65002", "vpn") PEER("gone", "192.0.2.3", "65003", "vpn"));
	struct conf_daemon *n = tconf_load(
	    "router-id: 10.0.0.1\npeers:\n" PEER("new", "192.0.2.4", "65004", "nva")
		PEER("b", "192.0.2.2", "65002", "vpn") PEER("a2", "192.0.2.1", "65001", "nva"));
	struct conf_diff d;
	assert_int_equal(conf_diff(o, n, &d), 0);
	assert_int_equal(d.npeers, 5);
	/* Old order first, then the added peers in new order. */
	assert_string_equal(d.peers[0].old_peer->name, "a");
	assert_null(d.peers[0].new_peer);
	assert_int_equal(d.peers[0].change, CONF_CHANGE_REMOVED); /* renamed: a fresh session */
	assert_int_equal(d.peers[1].change, CONF_CHANGE_NONE);
	assert_ptr_equal(d.peers[1].new_peer, conf_peer_find(n, "b"));
	assert_int_equal(d.peers[2].change, CONF_CHANGE_REMOVED);
	assert_null(d.peers[3].old_peer);
	assert_string_equal(d.peers[3].new_peer->name, "new");
	assert_int_equal(d.peers[3].change, CONF_CHANGE_ADDED);
	assert_string_equal(d.peers[4].new_peer->name, "a2");
	assert_int_equal(d.peers[4].change, CONF_CHANGE_ADDED);
	assert_int_equal(d.global_changed, B(CONF_DK_PEERS));
	conf_diff_fini(&d);
	conf_free(o);
	conf_free(n);
}

/* A peer that is disabled in both configs, or absent from one and disabled in the other,
 * never runs: nothing to do. */
static void test_disabled_peers(void **state)
{
	struct conf_daemon *o = tconf_load("router-id: 10.0.0.1\npeers:\n" PEER(
	    "a", "192.0.2.1", "65001", "nva") "    enabled: false\n");
	struct conf_daemon *n = tconf_load("router-id: 10.0.0.1\npeers:\n" PEER(
	    "b", "192.0.2.2", "65002", "nva") "    enabled: false\n");
	struct conf_diff d;
	assert_int_equal(conf_diff(o, n, &d), 0);
	assert_int_equal(d.npeers, 2);
	assert_int_equal(d.peers[0].change, CONF_CHANGE_NONE);
	assert_int_equal(d.peers[1].change, CONF_CHANGE_NONE);
	assert_int_equal(d.global_changed, 0);
	conf_diff_fini(&d);
	conf_free(o);
	conf_free(n);
}

struct global_case {
	const char *before, *after;
	uint32_t changed;
	bool reset_all, redecide, reexport_all, rebind_listen, rebind_control, rebind_metrics,
	    restart_needed, rebind_bmp, rpki_policy;
};

static void check_global_case(const struct global_case *gc)
{
	struct conf_daemon *o = make(gc->before, ""), *n = make(gc->after, "");
	struct conf_diff d;
	assert_int_equal(conf_diff(o, n, &d), 0);
	assert_int_equal(d.global_changed, gc->changed);
	assert_int_equal(d.reset_all, gc->reset_all);
	assert_int_equal(d.redecide, gc->redecide);
	assert_int_equal(d.reexport_all, gc->reexport_all);
	assert_int_equal(d.rebind_listen, gc->rebind_listen);
	assert_int_equal(d.rebind_control, gc->rebind_control);
	assert_int_equal(d.rebind_metrics, gc->rebind_metrics);
	assert_int_equal(d.restart_needed, gc->restart_needed);
	assert_int_equal(d.rebind_bmp, gc->rebind_bmp);
	assert_int_equal(d.rpki_policy, gc->rpki_policy);
	/* Global changes never reclassify an untouched peer. */
	for (size_t i = 0; i < d.npeers; i++)
		assert_int_equal(d.peers[i].change, CONF_CHANGE_NONE);
	assert_int_equal(conf_equal(o, n), gc->changed == 0);
	conf_diff_fini(&d);
	conf_free(o);
	conf_free(n);
}

static void test_global_changes(void **state)
{
	static const struct global_case cases[] = {
	    {"", "", 0, .reset_all = false},
	    {"", "route-exchange: true\n", B(CONF_DK_ROUTE_EXCHANGE), .reexport_all = true},
	    {"", "route-preference: vpn\n", B(CONF_DK_ROUTE_PREFERENCE), .redecide = true,
	     .reexport_all = true},
	    {"", "transparent: true\n", B(CONF_DK_TRANSPARENT), .reexport_all = true},
	    {"", "asn: 65000\n", B(CONF_DK_ASN), .reset_all = true},
	    {"", "listen: [{address: 127.0.0.1}]\n", B(CONF_DK_LISTEN), .rebind_listen = true},
	    {"listen: [{address: 127.0.0.1}, {address: 127.0.0.2}]\n",
	     "listen: [{address: 127.0.0.2}, {address: 127.0.0.1, port: 179}]\n", 0,
	     .rebind_listen = false}, /* a set: order alone is no change */
	    {"", "control-socket: /tmp/r.sock\n", B(CONF_DK_CONTROL_SOCKET),
	     .rebind_control = true},
	    {"", "metrics: {address: 127.0.0.1}\n", B(CONF_DK_METRICS), .rebind_metrics = true},
	    {"metrics: {address: 127.0.0.1}\n", "metrics: {address: 127.0.0.1, port: 9100}\n",
	     B(CONF_DK_METRICS), .rebind_metrics = true},
	    {"", "io-threads: per-peer\n", B(CONF_DK_IO_THREADS), .restart_needed = true},
	    {"io-threads: 2\n", "io-threads: 3\n", B(CONF_DK_IO_THREADS), .restart_needed = true},
	    {"", "export-threads: 2\n", B(CONF_DK_EXPORT_THREADS), .restart_needed = true},
	    {"", "user: nobody\n", B(CONF_DK_USER), .restart_needed = true},
	    {"user: nobody\n", "user: nobody\ngroup: nogroup\n", B(CONF_DK_GROUP),
	     .restart_needed = true},
	    {"", "originate: [10.1.0.0/16]\n", B(CONF_DK_ORIGINATE), .reexport_all = false},
	    {"", "next-hop-ipv6: \"2001:db8::1\"\n", B(CONF_DK_NEXT_HOP_IPV6),
	     .restart_needed = true},
	    /* applied live by the control thread: no flag */
	    {"", "mrt-dump: {file: /tmp/r.mrt}\n", B(CONF_DK_MRT_DUMP), .reset_all = false},
	    {"mrt-dump: {file: /tmp/r.mrt}\n", "mrt-dump: {file: /tmp/r.mrt, interval: 3600}\n", 0,
	     .reset_all = false}, /* the default, spelt out */
	    {"mrt-dump: {file: /tmp/r.mrt}\n", "mrt-dump: {file: /tmp/r.mrt, adj-rib-in: true}\n",
	     B(CONF_DK_MRT_DUMP), .reset_all = false},
	    {"mrt-dump: {file: /tmp/r.mrt, interval: 60}\n", "", B(CONF_DK_MRT_DUMP),
	     .reset_all = false},
	    /* applied live by the log's writer and the I/O threads: no flag */
	    {"", "mrt-log: {file: /tmp/u.mrt}\n", B(CONF_DK_MRT_LOG), .reset_all = false},
	    {"mrt-log: {file: /tmp/u.mrt}\n", "mrt-log: {file: /tmp/u.mrt, rotate: 900}\n", 0,
	     .reset_all = false}, /* the default, spelt out */
	    {"mrt-log: {file: /tmp/u.mrt}\n", "mrt-log: {file: /tmp/u.mrt, types: all}\n",
	     B(CONF_DK_MRT_LOG), .reset_all = false},
	    {"mrt-log: {file: /tmp/u.mrt}\n", "mrt-log: {file: /tmp/v.mrt}\n", B(CONF_DK_MRT_LOG),
	     .reset_all = false},
	    {"mrt-log: {file: /tmp/u.mrt, rotate: 60}\n", "", B(CONF_DK_MRT_LOG),
	     .reset_all = false},
	    {"", "bmp: [{address: 127.0.0.1, port: 1}]\n", B(CONF_DK_BMP), .rebind_bmp = true},
	    {"bmp: [{address: 127.0.0.1, port: 1}]\n",
	     "bmp: [{address: 127.0.0.1, port: 1, monitor: [pre-policy, loc-rib]}]\n", 0,
	     .rebind_bmp = false}, /* the default, written out: no change */
	    {"bmp: [{address: 127.0.0.1, port: 1}]\n",
	     "bmp: [{address: 127.0.0.1, port: 1, monitor: [loc-rib]}]\n", B(CONF_DK_BMP),
	     .rebind_bmp = true},
	    {"bmp: [{address: 127.0.0.1, port: 1}]\n", "", B(CONF_DK_BMP), .rebind_bmp = true},
	    {"bmp: [{address: 127.0.0.1, port: 1}]\n",
	     "bmp: [{address: 127.0.0.1, port: 1, statistics: 10}]\n", B(CONF_DK_BMP),
	     .rebind_bmp = true},
	    {"", "rpki: {servers: [{address: 127.0.0.1}]}\n", B(CONF_DK_RPKI),
	     .restart_needed = true},
	    {"rpki: {servers: [{address: 127.0.0.1}]}\n",
	     "rpki: {servers: [{address: 127.0.0.1, port: 323}], invalid: drop}\n", 0,
	     .restart_needed = false}, /* the defaults written out are no change */
	    {"rpki: {servers: [{address: 127.0.0.1}]}\n",
	     "rpki: {servers: [{address: 127.0.0.1}], refresh: 60}\n", B(CONF_DK_RPKI),
	     .restart_needed = true},
	    {"rpki: {servers: [{address: 127.0.0.1}]}\n",
	     "rpki: {servers: [{address: 127.0.0.1}], invalid: accept}\n", B(CONF_DK_RPKI),
	     .restart_needed = false, .rpki_policy = true}, /* applied in place */
	};
	for (size_t i = 0; i < RX_ARRAY_LEN(cases); i++) {
		print_message("global case %zu\n", i);
		check_global_case(&cases[i]);
	}
}

static void test_router_id_change(void **state)
{
	const char *peers = "peers:\n" PEER("a", "192.0.2.1", "65001", "nva");
	char t1[256], t2[256];
	snprintf(t1, sizeof(t1), "router-id: 10.0.0.1\n%s", peers);
	snprintf(t2, sizeof(t2), "router-id: 10.0.0.2\n%s", peers);
	struct conf_daemon *o = tconf_load(t1), *n = tconf_load(t2);
	struct conf_diff d;
	assert_int_equal(conf_diff(o, n, &d), 0);
	assert_int_equal(d.global_changed, B(CONF_DK_ROUTER_ID));
	assert_true(d.reset_all); /* the BGP identifier is in every OPEN */
	assert_int_equal(d.peers[0].change, CONF_CHANGE_NONE);
	conf_diff_fini(&d);
	conf_free(o);
	conf_free(n);
}

static void test_originate_sets(void **state)
{
	struct conf_daemon *o =
	    make("originate: [10.1.0.0/16, 10.2.0.0/16, \"2001:db8::/32\"]\n", "");
	struct conf_daemon *n =
	    make("originate: [\"2001:db8::/32\", 10.3.0.0/16, 10.1.0.0/16]\n", "");
	struct conf_diff d;
	char buf[RX_PREFIX_STRLEN];
	assert_int_equal(conf_diff(o, n, &d), 0);
	assert_int_equal(d.global_changed, B(CONF_DK_ORIGINATE));
	assert_false(d.reexport_all); /* only the local routes change */
	assert_int_equal(d.noriginate_added, 1);
	rx_prefix_fmt(&d.originate_added[0], buf, sizeof(buf));
	assert_string_equal(buf, "10.3.0.0/16");
	assert_int_equal(d.noriginate_removed, 1);
	rx_prefix_fmt(&d.originate_removed[0], buf, sizeof(buf));
	assert_string_equal(buf, "10.2.0.0/16");
	conf_diff_fini(&d);
	conf_free(n);
	/* Order alone is no change. */
	n = make("originate: [\"2001:db8::/32\", 10.2.0.0/16, 10.1.0.0/16]\n", "");
	assert_int_equal(conf_diff(o, n, &d), 0);
	assert_int_equal(d.global_changed, 0);
	assert_int_equal(d.noriginate_added + d.noriginate_removed, 0);
	assert_true(conf_equal(o, n));
	conf_diff_fini(&d);
	conf_free(o);
	conf_free(n);
}

static void test_equal_ignores_lines(void **state)
{
	struct conf_daemon *o = make("", "");
	struct conf_daemon *n = make("# a comment moves every line\n\nasn: 65515\n", "");
	assert_true(conf_equal(o, n));
	assert_int_not_equal(o->peers[0].line, n->peers[0].line);
	conf_free(o);
	conf_free(n);
}

int tconf_run_diff(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_peer_changes),
	    cmocka_unit_test(test_route_maps), cmocka_unit_test(test_role_change),
	    cmocka_unit_test(test_peer_asn_and_address),
	    cmocka_unit_test(test_added_removed_renamed),
	    cmocka_unit_test(test_disabled_peers),
	    cmocka_unit_test(test_global_changes),
	    cmocka_unit_test(test_router_id_change),
	    cmocka_unit_test(test_originate_sets),
	    cmocka_unit_test(test_equal_ignores_lines),
	};
	return cmocka_run_group_tests_name("conf_diff", tests, tconf_setup, tconf_teardown);
}
