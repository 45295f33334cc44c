/* load_ok.c: configs that must load: defaults, every optional key, the shipped examples, the
 * print/load round trip and the warnings for legal but suspicious setups. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <routex/policy.h>

#include "helpers.h"

static const char minimal[] = "router-id: 10.0.0.1\n"	 /* 1 */
			      "peers:\n"		 /* 2 */
			      "  - name: a\n"		 /* 3 */
			      "    address: 192.0.2.1\n" /* 4 */
			      "    asn: 65001\n"	 /* 5 */
			      "    role: nva\n"		 /* 6 */
			      "  - name: b\n"		 /* 7 */
			      "    address: 192.0.2.2\n" /* 8 */
			      "    asn: 65002\n"	 /* 9 */
			      "    role: rs-client\n";	 /* 10 */

static void test_defaults(void **state)
{
	struct conf_daemon *c = tconf_load(minimal);
	assert_int_equal(c->router_id, 0x0a000001);
	assert_int_equal(c->asn, 65515);
	assert_int_equal(c->nlisten, 1);
	assert_int_equal(c->listen[0].addr.afi, RX_AFI_IPV4);
	assert_memory_equal(c->listen[0].addr.addr, "\0\0\0\0", 4);
	assert_int_equal(c->listen[0].port, 179);
	assert_string_equal(c->control_socket, "/run/routex/routex.sock");
	assert_false(c->route_exchange);
	assert_int_equal(c->route_preference, CONF_PREF_EXPRESSROUTE);
	assert_false(c->transparent);
	assert_int_equal(c->io_mode, CONF_IO_PER_CORE);
	assert_int_equal(c->export_threads, 0);
	assert_int_equal(c->noriginate, 0);
	assert_false(c->metrics_enabled);
	assert_false(c->mrt_dump_enabled);
	assert_false(c->mrt_log_enabled);
	assert_int_equal(c->peers[0].mrt_log, 0);
	assert_int_equal(c->nwarnings, 0);
	assert_int_equal(c->npeers, 2);
	const struct conf_peer *a = &c->peers[0], *b = &c->peers[1];
	assert_string_equal(a->name, "a");
	assert_int_equal(a->role, CONF_ROLE_NVA);
	assert_true(a->passive);
	assert_true(a->enabled);
	assert_true(a->graceful_restart);
	assert_false(a->ttl_security);
	assert_null(a->password);
	assert_null(a->description);
	assert_int_equal(a->local_address.afi, 0);
	assert_int_equal(a->multihop, 0);
	assert_int_equal(a->hold_time, 180);
	assert_int_equal(a->keepalive, 60);
	assert_int_equal(a->port, 179);
	assert_int_equal(a->add_path, CONF_ADD_PATH_NONE);
	assert_int_equal(a->max_prefixes, 4000); /* Azure roles: ARS's limit */
	assert_int_equal(a->max_prefixes_out, 0);
	assert_int_equal(b->max_prefixes, 0); /* rs-client: unlimited */
	/* Lines: where each peer starts and each key is; 0 for defaults. */
	assert_int_equal(a->line, 3);
	assert_int_equal(b->line, 7);
	assert_int_equal(b->key_line[CONF_PK_ASN], 9);
	assert_int_equal(b->key_line[CONF_PK_HOLD_TIME], 0);
	assert_int_equal(c->key_line[CONF_DK_ROUTER_ID], 1);
	assert_int_equal(c->key_line[CONF_DK_PEERS], 2);
	assert_int_equal(c->key_line[CONF_DK_ASN], 0);
	assert_ptr_equal(conf_peer_find(c, "b"), b);
	assert_null(conf_peer_find(c, "c"));
	conf_free(c);
}

static const char full[] =
    "router-id: 192.0.2.254\n"
    "asn: 4200000001\n"
    "listen: [{address: 127.0.0.1, port: 10179}, {address: \"::1\"}]\n"
    "control-socket: /tmp/x.sock\n"
    "route-exchange: true\n"
    "route-preference: as-path\n"
    "transparent: false\n"
    "io-threads: per-peer\n"
    "export-threads: 3\n"
    "originate: [10.1.0.0/16, \"2001:db8:1::/48\", 0.0.0.0/0]\n"
    "metrics: {address: \"::1\"}\n"
    "user: _routex\n"
    "group: bgp-ops\n"
    "mrt-dump: {file: /var/lib/routex/rib-%Y%m%d.%H%M.mrt, interval: 900, adj-rib-in: true}\n"
    "mrt-log: {file: /var/log/routex/updates.%Y%m%d.%H%M.mrt, rotate: 300, peers: [k],\n"
    "          types: [keepalive, update]}\n"
    "bmp:\n"
    "  - {address: 127.0.0.1, port: 11019}\n"
    "  - {address: \"2001:db8::10\", port: 5000, monitor: [loc-rib], statistics: 30}\n"
    "peers:\n"
    "  - name: v6.peer_1\n"
    "    address: 2001:db8::2\n"
    "    local-address: 2001:db8::1\n"
    "    asn: 64512.1\n"
    "    role: expressroute\n"
    "    passive: false\n"
    "    max-prefixes: 0\n"
    "    max-prefixes-out: 1000\n"
    "    hold-time: 0\n"
    "    password: \"a \\\"quoted\\\" key\\\\\"\n"
    "    ttl-security: true\n"
    "    multihop: 2\n"
    "    port: 1790\n"
    "    description: \"ER: primary # not a comment\"\n"
    "    enabled: false\n"
    "    graceful-restart: FALSE\n"
    "    add-path: receive\n"
    "  - name: k\n"
    "    address: 192.0.2.9\n"
    "    asn: 65009\n"
    "    role: vpn\n"
    "    hold-time: 30\n"
    "    keepalive: 5\n"
    "    password: \"" /* 80 bytes: the Linux TCP-MD5 maximum */
    "01234567890123456789012345678901234567890123456789012345678901234567890123456789\"\n";

static void test_every_key(void **state)
{
	struct conf_daemon *c = tconf_load(full);
	assert_int_equal(c->router_id, 0xc00002fe);
	assert_int_equal(c->asn, 4200000001u);
	assert_int_equal(c->nlisten, 2);
	assert_int_equal(c->listen[1].addr.afi, RX_AFI_IPV6);
	assert_int_equal(c->listen[1].port, 179);
	assert_string_equal(c->control_socket, "/tmp/x.sock");
	assert_true(c->route_exchange);
	assert_int_equal(c->route_preference, CONF_PREF_AS_PATH);
	assert_int_equal(c->io_mode, CONF_IO_PER_PEER);
	assert_int_equal(c->export_threads, 3);
	assert_int_equal(c->noriginate, 3);
	assert_int_equal(c->originate[1].afi, RX_AFI_IPV6);
	assert_int_equal(c->originate[1].len, 48);
	assert_int_equal(c->originate[2].len, 0);
	assert_true(c->metrics_enabled);
	assert_int_equal(c->metrics.port, 9179);
	assert_string_equal(c->user, "_routex");
	assert_string_equal(c->group, "bgp-ops");
	assert_true(c->mrt_dump_enabled);
	assert_string_equal(c->mrt_dump.file, "/var/lib/routex/rib-%Y%m%d.%H%M.mrt");
	assert_int_equal(c->mrt_dump.interval, 900);
	assert_true(c->mrt_dump.adj_rib_in);
	assert_true(c->mrt_log_enabled);
	assert_string_equal(c->mrt_log.file, "/var/log/routex/updates.%Y%m%d.%H%M.mrt");
	assert_int_equal(c->mrt_log.rotate, 300);
	assert_int_equal(c->mrt_log.types, CONF_MRT_LOG_UPDATE | CONF_MRT_LOG_KEEPALIVE);
	assert_int_equal(c->mrt_log.npeers, 1);
	/* Resolved per peer: only k is logged. */
	assert_int_equal(c->peers[0].mrt_log, 0);
	assert_int_equal(c->peers[1].mrt_log, CONF_MRT_LOG_UPDATE | CONF_MRT_LOG_KEEPALIVE);
	assert_int_equal(c->nbmp, 2);
	assert_int_equal(c->bmp[0].port, 11019);
	assert_int_equal(c->bmp[0].monitor, CONF_BMP_PRE_POLICY | CONF_BMP_LOC_RIB); /* default */
	assert_int_equal(c->bmp[1].addr.afi, RX_AFI_IPV6);
	assert_int_equal(c->bmp[1].monitor, CONF_BMP_LOC_RIB);
	assert_int_equal(c->bmp[0].statistics, 0); /* default: no Statistics Reports */
	assert_int_equal(c->bmp[1].statistics, 30);
	assert_string_equal(conf_dkey_name(CONF_DK_BMP), "bmp");
	const struct conf_peer *p = &c->peers[0];
	assert_int_equal(p->asn, (64512u << 16) | 1); /* asdot, RFC 5396 */
	assert_int_equal(p->address.afi, RX_AFI_IPV6);
	assert_int_equal(p->local_address.afi, RX_AFI_IPV6);
	assert_false(p->passive);
	assert_int_equal(p->max_prefixes, 0);
	assert_int_equal(p->max_prefixes_out, 1000);
	assert_int_equal(p->hold_time, 0);
	assert_int_equal(p->keepalive, 0);
	assert_string_equal(p->password, "a \"quoted\" key\\");
	assert_true(p->ttl_security);
	assert_int_equal(p->multihop, 2);
	assert_int_equal(p->port, 1790);
	assert_string_equal(p->description, "ER: primary # not a comment");
	assert_false(p->enabled);
	assert_false(p->graceful_restart);
	assert_int_equal(p->add_path, CONF_ADD_PATH_RECEIVE);
	assert_int_equal(c->peers[1].hold_time, 30);
	assert_int_equal(c->peers[1].keepalive, 5);
	assert_int_equal(strlen(c->peers[1].password), 80);
	assert_int_equal(c->nwarnings, 0);
	conf_free(c);
}

static void test_io_threads_fixed(void **state)
{
	struct conf_daemon *c = tconf_load("router-id: 1.2.3.4\nio-threads: 4\npeers: []\n");
	assert_int_equal(c->io_mode, CONF_IO_FIXED);
	assert_int_equal(c->io_threads, 4);
	assert_int_equal(c->npeers, 0);
	conf_free(c);
}

static void load_example(const char *name, size_t npeers)
{
	char p[512], err[512] = "";
	struct conf_daemon *c = NULL;
	snprintf(p, sizeof(p), "%s/%s", RX_EXAMPLES_DIR, name);
	if (conf_load(p, &c, err, sizeof(err)))
		fail_msg("%s", err);
	for (size_t i = 0; i < c->nwarnings; i++)
		print_message("%s\n", c->warnings[i]);
	assert_int_equal(c->nwarnings, 0);
	assert_int_equal(c->npeers, npeers);
	conf_free(c);
}

static void test_example_azure(void **state)
{
	load_example("azure.yaml", 4);
	char p[512], err[512];
	struct conf_daemon *c;
	snprintf(p, sizeof(p), "%s/azure.yaml", RX_EXAMPLES_DIR);
	assert_int_equal(conf_load(p, &c, err, sizeof(err)), 0);
	const struct conf_peer *er = conf_peer_find(c, "ergw");
	assert_non_null(er);
	assert_int_equal(er->asn, c->asn); /* iBGP, as Azure's gateways are */
	assert_int_equal(er->role, CONF_ROLE_EXPRESSROUTE);
	assert_int_equal(conf_peer_find(c, "sdwan1")->keepalive, 30);
	assert_int_equal(c->noriginate, 3);
	assert_int_equal(c->listen[0].port, 10179);
	conf_free(c);
}

static void test_example_ixp(void **state)
{
	load_example("ixp.yaml", 5);
}

static char *print_to_string(const struct conf_daemon *c, unsigned flags)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	assert_non_null(m);
	conf_print(m, c, flags);
	assert_int_equal(fclose(m), 0);
	return text;
}

/* Prints c, loads the text back and checks the configs are equal and that printing is a normal
 * form: printing the reloaded config changes nothing but the file name in the first line. */
static void round_trip(const struct conf_daemon *c)
{
	char *text = print_to_string(c, CONF_PRINT_SECRETS);
	struct conf_daemon *back = tconf_load(text);
	assert_true(conf_equal(c, back));
	char *again = print_to_string(back, CONF_PRINT_SECRETS);
	assert_string_equal(strchr(text, '\n'), strchr(again, '\n'));
	free(again);
	free(text);
	conf_free(back);
}

static void test_round_trip(void **state)
{
	const char *texts[] = {minimal, full};
	for (size_t i = 0; i < 2; i++) {
		struct conf_daemon *c = tconf_load(texts[i]);
		round_trip(c);
		conf_free(c);
	}
	const char *examples[] = {"azure.yaml", "ixp.yaml"};
	for (size_t i = 0; i < 2; i++) {
		char p[512], err[512];
		struct conf_daemon *c;
		snprintf(p, sizeof(p), "%s/%s", RX_EXAMPLES_DIR, examples[i]);
		assert_int_equal(conf_load(p, &c, err, sizeof(err)), 0);
		round_trip(c);
		conf_free(c);
	}
}

/* mrt-log: defaults (every peer, UPDATEs, 900 s), `types: all`, round trips. */
static void test_mrt_log(void **state)
{
	struct conf_daemon *c = tconf_load("router-id: 10.0.0.1\n"
					   "mrt-log: {file: /var/log/routex/u.%s.mrt}\n"
					   "peers:\n" PEER("p1", "192.0.2.1", "65001", "nva")
					       PEER("p2", "192.0.2.2", "65002", "nva"));
	assert_true(c->mrt_log_enabled);
	assert_int_equal(c->mrt_log.rotate, CONF_MRT_ROTATE_DEFAULT);
	assert_int_equal(c->mrt_log.types, CONF_MRT_LOG_UPDATE);
	assert_int_equal(c->mrt_log.npeers, 0);
	assert_int_equal(c->peers[0].mrt_log, CONF_MRT_LOG_UPDATE);
	assert_int_equal(c->peers[1].mrt_log, CONF_MRT_LOG_UPDATE);
	assert_int_equal(c->key_line[CONF_DK_MRT_LOG], 2);
	round_trip(c);
	conf_free(c);
	c = tconf_load("router-id: 10.0.0.1\n"
		       "mrt-log:\n  file: /l.mrt\n  types: all\n  peers: [p2]\n  rotate: 10\n"
		       "peers:\n" PEER("p1", "192.0.2.1", "65001", "nva")
			   PEER("p2", "192.0.2.2", "65002", "nva"));
	assert_int_equal(c->mrt_log.types, CONF_MRT_LOG_ALL);
	assert_int_equal(c->mrt_log.rotate, 10);
	assert_int_equal(c->peers[0].mrt_log, 0);
	assert_int_equal(c->peers[1].mrt_log, CONF_MRT_LOG_ALL);
	char *text = print_to_string(c, 0);
	assert_non_null(strstr(text, "mrt-log:\n  file: /l.mrt\n  rotate: 10\n  types: [update, "
				     "open, notification, keepalive, route-refresh]\n  peers: [p2]\n"));
	free(text);
	round_trip(c);
	conf_free(c);
}

/* rpki: values, defaults, the per-peer switch and the print/load round trip. */
static void test_rpki(void **state)
{
	struct conf_daemon *c = tconf_load("router-id: 10.0.0.1\n"
					   "rpki:\n"
					   "  servers:\n"
					   "    - {address: 192.0.2.10, port: 8282}\n"
					   "    - {address: \"2001:db8::10\", preference: 2}\n"
					   "  refresh: 60\n"
					   "  invalid: accept\n"
					   "peers:\n" PEER("p1", "192.0.2.1", "65001", "nva")
					   "    rpki: false\n" PEER("p2", "192.0.2.2", "65002", "nva"));
	assert_true(c->rpki.enabled);
	assert_false(c->rpki.drop_invalid);
	assert_int_equal(c->rpki.nservers, 2);
	assert_int_equal(c->rpki.servers[0].port, 8282);
	assert_int_equal(c->rpki.servers[0].preference, 1);
	assert_int_equal(c->rpki.servers[1].port, CONF_RPKI_PORT);
	assert_int_equal(c->rpki.servers[1].preference, 2);
	assert_int_equal(c->rpki.servers[1].addr.afi, RX_AFI_IPV6);
	assert_int_equal(c->rpki.refresh, 60);
	assert_int_equal(c->rpki.retry, CONF_RPKI_RETRY);
	assert_int_equal(c->rpki.expire, CONF_RPKI_EXPIRE);
	assert_int_equal(c->key_line[CONF_DK_RPKI], 2);
	assert_false(c->peers[0].rpki);
	assert_true(c->peers[1].rpki);
	round_trip(c);
	conf_free(c);
	/* absent: off; present with defaults: invalid routes are dropped */
	c = tconf_load("router-id: 10.0.0.1\n");
	assert_false(c->rpki.enabled);
	conf_free(c);
	c = tconf_load("router-id: 10.0.0.1\nrpki: {servers: [{address: 192.0.2.10}]}\n");
	assert_true(c->rpki.enabled && c->rpki.drop_invalid);
	assert_int_equal(c->rpki.refresh, CONF_RPKI_REFRESH);
	round_trip(c);
	conf_free(c);
}

/* Route maps: compiled values, resolution, the RFC 8212 default, the round trip. */
static void test_policy(void **state)
{
	struct conf_daemon *c = tconf_load(
	    "router-id: 10.0.0.1\n"
	    "prefix-lists:\n"
	    "  customers: [10.0.0.0/8 le 24, 192.0.2.0/24, \"2001:db8::/32 ge 40 le 48\"]\n"
	    "route-maps:\n"
	    "  from-sdwan:\n"
	    "    - match: {prefix-list: customers, as-path: {regex: \"^65001( |$)\", contains: "
	    "65002, origin: 65001, max-length: 10}, community: [\"65001:100\"], large-community: "
	    "[\"65515:1:2\"], role: nva}\n"
	    "      action: deny\n"
	    "    - match: {community: no-export}\n"
	    "      set: {community-add: [\"65515:1\"], community-remove: [no-export], "
	    "large-community-add: [\"65515:2:3\"], prepend: 2, med: 50}\n"
	    "  to-sdwan:\n"
	    "    - match: {rpki: invalid, role: [local, vpn]}\n"
	    "      action: deny\n"
	    "    - match: {prefix-list: customers}\n"
	    "      set: {summarise: 10.0.0.0/8}\n"
	    "    - set: {community-set: []}\n"
	    "peers:\n" PEER("p1", "192.0.2.1", "65001", "nva")
	    "    import: from-sdwan\n"
	    "    export: to-sdwan\n" PEER("p2", "192.0.2.2", "65002", "nva"));
	assert_int_equal(c->nprefix_lists, 1);
	assert_int_equal(c->prefix_lists[0].n, 3);
	assert_int_equal(c->prefix_lists[0].v[2].ge, 40);
	assert_int_equal(c->prefix_lists[0].v[2].le, 48);
	assert_int_equal(c->nroute_maps, 2);
	const struct policy_map *m = &c->route_maps[0];
	assert_int_equal(m->n, 2);
	assert_int_equal(m->v[0].action, POLICY_DENY);
	assert_ptr_equal(m->v[0].m.plist, &c->prefix_lists[0]);
	assert_int_equal(m->v[0].m.kinds,
			 POLICY_M_PREFIX_LIST | POLICY_M_REGEX | POLICY_M_CONTAINS |
			     POLICY_M_ORIGIN | POLICY_M_MAX_LENGTH | POLICY_M_COMMUNITY |
			     POLICY_M_LARGE | POLICY_M_ROLE);
	assert_int_equal(m->v[0].m.roles, 1u << 1);
	assert_int_equal(m->v[1].s.prepend, 2);
	assert_int_equal(m->v[1].s.med, 50);
	assert_true(m->has_set);
	assert_int_equal(c->route_maps[1].v[0].m.roles, 1u << 0 | 1u << 3);
	assert_int_equal(c->route_maps[1].v[1].s.kinds, POLICY_S_SUMMARISE);
	assert_int_equal(c->route_maps[1].v[1].s.summarise.len, 8);
	assert_true(c->route_maps[1].has_summarise);
	assert_false(m->has_summarise);
	assert_ptr_equal(c->peers[0].import_map, m);
	assert_ptr_equal(c->peers[0].export_map, &c->route_maps[1]);
	assert_null(c->peers[1].import_map);
	assert_false(c->require_policy);
	round_trip(c);
	conf_free(c);
	/* RFC 8212: eBGP peers without a map get the reject-all map, and a warning; iBGP and
	 * peers with maps keep theirs. */
	c = tconf_load("router-id: 10.0.0.1\nrequire-policy: true\n"
		       "route-maps: {all: [{action: permit}]}\n"
		       "peers:\n" PEER("p1", "192.0.2.1", "65001", "nva")
		       "    import: all\n" PEER("p2", "192.0.2.2", "65515", "expressroute"));
	assert_true(c->require_policy);
	assert_ptr_equal(c->peers[0].import_map, &c->route_maps[0]);
	assert_ptr_equal(c->peers[0].export_map, &policy_reject_all);
	assert_null(c->peers[1].import_map);
	assert_null(c->peers[1].export_map);
	assert_int_equal(c->nwarnings, 1);
	assert_non_null(strstr(c->warnings[0], "peer p1: eBGP without an export map: with "
					       "require-policy (RFC 8212) it is sent nothing"));
	round_trip(c);
	conf_free(c);
}

static void test_print_hides_passwords(void **state)
{
	struct conf_daemon *c = tconf_load(full);
	char *text = print_to_string(c, 0);
	assert_null(strstr(text, "quoted"));
	assert_non_null(strstr(text, "# password: set, not shown"));
	struct conf_daemon *back = tconf_load(text);
	assert_null(back->peers[0].password);
	assert_false(conf_equal(c, back));
	assert_int_equal(conf_peer_changes(&c->peers[0], &back->peers[0]), 1u << CONF_PK_PASSWORD);
	free(text);
	conf_free(back);
	conf_free(c);
}

static void test_load_buffer(void **state)
{
	struct conf_daemon *c = NULL;
	char err[256];
	assert_int_equal(conf_load_buffer("<mem>", minimal, strlen(minimal), &c, err, sizeof(err)),
			 0);
	assert_string_equal(c->file, "<mem>");
	conf_free(c);
	assert_int_equal(conf_load_buffer("<mem>", "asn: 1\n", 7, &c, err, sizeof(err)), -1);
	assert_string_equal(err, "<mem>:1: missing key 'router-id'");
	/* A short buffer truncates, never overflows. */
	char small[8];
	assert_int_equal(conf_load_buffer("<mem>", "asn: 1\n", 7, &c, small, sizeof(small)), -1);
	assert_string_equal(small, "<mem>:1");
}

static void test_warnings(void **state)
{
	/* iBGP with an NVA: legal, but NVAs are eBGP in every Azure design. */
	tconf_expect_warning("router-id: 1.1.1.1\npeers:\n" PEER("n", "192.0.2.1", "65515", "nva"),
			     5,
			     "peer n: iBGP session (asn 65515 is our own) with role nva; NVAs "
			     "are normally eBGP");
	tconf_expect_warning(
	    "router-id: 1.1.1.1\nasn: 64500\npeers:\n" PEER("r", "192.0.2.1", "64500", "rs-client"),
	    6,
	    "peer r: iBGP session with role rs-client; route server clients "
	    "are eBGP (RFC 7947)");
	tconf_expect_warning("router-id: 1.1.1.1\ntransparent: true\npeers:\n" PEER(
				 "n", "192.0.2.1", "65001", "nva"),
			     7,
			     "peer n: role nva with transparent: true; Azure Route Server "
			     "prepends its ASN");
	tconf_expect_warning("router-id: 1.1.1.1\npeers:\n" PEER("n", "192.0.2.1", "70000", "nva"),
			     5, "peer n: asn: AS 70000 is in the IANA reserved block 65552-131071");
	tconf_expect_warning("router-id: 1.1.1.1\n", 1, "no peers");
	tconf_expect_warning(
	    "router-id: 1.1.1.1\nlisten: []\npeers:\n" PEER("n", "192.0.2.1", "65001", "nva"), 4,
	    "peer n: passive, but listen is empty: the session can never come up");
	tconf_expect_warning("router-id: 1.1.1.1\nlisten: [{address: 127.0.0.1}]\npeers:\n" PEER(
				 "n", "2001:db8::1", "65001", "nva"),
			     4,
			     "peer n: passive, but no listen address of its family: the session "
			     "can never come up");
	/* An IPv6 wildcard listener is dual-stack. */
	struct conf_daemon *w = tconf_load("router-id: 1.1.1.1\nlisten: [{address: \"::\"}]\n"
					   "peers:\n" PEER("n", "192.0.2.1", "65001", "nva"));
	assert_int_equal(w->nwarnings, 0);
	conf_free(w);
	tconf_expect_warning("router-id: 1.1.1.1\npeers:\n" PEER(
				 "a", "127.0.0.2", "65001",
				 "nva") "    port: 1790\n" PEER("b", "127.0.0.2", "65002", "nva"),
			     9,
			     "peer b: shares address 127.0.0.2 with peer a (line 3): an incoming "
			     "connection cannot tell them apart, set passive: false on both");
	/* ...and with both active, the same pair is fine. */
	struct conf_daemon *c = tconf_load("router-id: 1.1.1.1\npeers:\n" PEER(
	    "a", "127.0.0.2", "65001",
	    "nva") "    port: 1790\n    passive: false\n" PEER("b", "127.0.0.2", "65002",
							       "nva") "    passive: false\n");
	assert_int_equal(c->nwarnings, 0);
	conf_free(c);
}

static void test_names(void **state)
{
	assert_string_equal(conf_role_name(CONF_ROLE_RS_CLIENT), "rs-client");
	assert_string_equal(conf_route_pref_name(CONF_PREF_AS_PATH), "as-path");
	assert_string_equal(conf_add_path_name(CONF_ADD_PATH_RECEIVE), "receive");
	assert_string_equal(conf_change_name(CONF_CHANGE_REEXPORT), "re-export");
	assert_string_equal(conf_dkey_name(CONF_DK_METRICS), "metrics");
	assert_string_equal(conf_dkey_name(CONF_DK_MRT_DUMP), "mrt-dump");
	assert_string_equal(conf_dkey_name(CONF_DK_MRT_LOG), "mrt-log");
	assert_string_equal(conf_dkey_name(CONF_DK_PEERS), "peers");
	assert_string_equal(conf_pkey_name(CONF_PK_ADD_PATH), "add-path");
	assert_string_equal(conf_pkey_name(CONF_PK_COUNT), "?");
}

int tconf_run_load_ok(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_every_key),
	    cmocka_unit_test(test_io_threads_fixed),
	    cmocka_unit_test(test_example_azure),
	    cmocka_unit_test(test_example_ixp),
	    cmocka_unit_test(test_round_trip), cmocka_unit_test(test_rpki),
	    cmocka_unit_test(test_mrt_log),
	    cmocka_unit_test(test_print_hides_passwords),
	    cmocka_unit_test(test_load_buffer),
	    cmocka_unit_test(test_warnings),
	    cmocka_unit_test(test_policy),
	    cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests_name("conf_load_ok", tests, tconf_setup, tconf_teardown);
}
