/* bench_export.c: the export stage's policy walks on a full table, the load of routex-bench's
 * exchange scenario without sockets: 1,000,000 IPv4 prefixes of the 2026 prefix list
 * (../shared/data/mrt/as-prefix/; the generator stands in if it is missing), the first half
 * from an NVA (AS 65001), the second from an ExpressRoute gateway (iBGP), attribute sets
 * shared ~6.5 prefixes each as routex-bench feeds them; members: both sources and two more
 * NVAs (two update groups). The packed messages are counted and dropped.
 *   policy/exchange_toggle     `exchange on` then `exchange off`: each side gains the other's
 *                              500,000 routes, then loses them (2M routes moved per iteration)
 *   policy/transparent_toggle  a rewrite change, twice: every route a group holds is sent
 *                              to it again
 * Items are prefixes walked (the table twice per iteration) in all three, so their rates
 * compare as walks; MB_sent_per_iter tells how much each sent.
 *   policy/baseline_walk       the table walk alone, reading each prefix's candidates: the
 *                              floor under any policy walk, in the same run */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <routex/compiler.h>
#include <routex/export.h>
#include <routex/rib.h>
#include <routex/wire.h>

#include "bench.h"
#include "rxbench.h"

#define DATA_FILE RX_DATA_DIR "/mrt/as-prefix/as-prefix-2026.tsv.gz"
#define TABLE_N	  1000000

enum { SRC_NVA = 1, SRC_ER = 2, SRC_NVA2 = 3, SRC_NVA3 = 4 };

static struct rib rib;
static struct export_state ex;
static size_t table_n;

struct sink {
	uint64_t bytes, msgs;
	size_t adv;
};
static struct sink sink[5];

static void count(void *ctx, struct io_out *o)
{
	struct sink *s = ctx;
	s->bytes += o->len;
	s->msgs++;
}

static uint64_t sent_bytes(void)
{
	uint64_t b = 0;
	for (int i = 0; i < 5; i++)
		b += sink[i].bytes;
	return b;
}

static void add_source(uint16_t src, uint32_t asn, uint8_t role)
{
	struct rib_peer_info info = {.asn = asn, .router_id = 0x0a000000u | src,
				     .afi = RX_AFI_IPV4, .role = role,
				     .addr = {127, 0, 0, (uint8_t)src}};
	rib_peer_add_w(&rib, src, &info);
}

static struct attr_set *mk_attr(uint16_t src, uint32_t peer_as, uint32_t origin)
{
	uint8_t path[2 + 8], data[128];
	path[0] = WIRE_AS_SEQUENCE;
	path[1] = 2;
	wire_put32(path + 2, peer_as);
	wire_put32(path + 6, origin);
	struct wire_attrs wa;
	memset(&wa, 0, sizeof(wa));
	wa.present = WIRE_ATTR_BIT(WIRE_ATTR_ORIGIN) | WIRE_ATTR_BIT(WIRE_ATTR_AS_PATH) |
		     WIRE_ATTR_BIT(WIRE_ATTR_NEXT_HOP);
	wa.aspath = path;
	wa.aspath_len = sizeof(path);
	wire_put32(wa.nexthop, 0x7f000000u | src);
	struct attr_buf b = {.data = data, .cap = sizeof(data)};
	RX_ASSERT(attr_encode(&wa, NULL, 4, &b));
	return attr_intern_w(&rib.attrs, &b);
}

static void export_pending(void)
{
	struct rib_changes c = {0};
	rib_changes_take_w(&rib, &c);
	export_changes_w(&ex, &rib, &c);
	rib_changes_release_w(&rib, &c);
}

static void setup(void)
{
	struct universe u = {0};
	if (universe_load_asprefix(&u, DATA_FILE, TABLE_N) < 0)
		universe_generate(&u, TABLE_N, 1);
	universe_make_sets(&u, 6.5, 1);
	table_n = u.n;
	struct rib_conf rc;
	rib_conf_default(&rc);
	rc.asn = 65515;
	rib_init(&rib, &rc);
	struct export_policy pol = {.asn = 65515, .router_id = 0x0aff0001};
	export_init(&ex, &pol);
	add_source(SRC_NVA, 65001, RIB_ROLE_NVA);
	add_source(SRC_ER, 65515, RIB_ROLE_EXPRESSROUTE);
	add_source(SRC_NVA2, 65002, RIB_ROLE_NVA);
	add_source(SRC_NVA3, 65003, RIB_ROLE_NVA);
	static const struct export_key nva = {.role = RIB_ROLE_NVA,
					      .families = RX_FAM_BIT(RX_FAM_IPV4_UNICAST),
					      .as4 = true, .ebgp = true};
	static const struct export_key er = {.role = RIB_ROLE_EXPRESSROUTE,
					     .families = RX_FAM_BIT(RX_FAM_IPV4_UNICAST),
					     .as4 = true};
	export_member_up_w(&ex, &rib, &nva, SRC_NVA, count, &sink[SRC_NVA], &sink[SRC_NVA].adv);
	export_member_up_w(&ex, &rib, &er, SRC_ER, count, &sink[SRC_ER], &sink[SRC_ER].adv);
	export_member_up_w(&ex, &rib, &nva, SRC_NVA2, count, &sink[SRC_NVA2],
			   &sink[SRC_NVA2].adv);
	export_member_up_w(&ex, &rib, &nva, SRC_NVA3, count, &sink[SRC_NVA3],
			   &sink[SRC_NVA3].adv);
	size_t begin = 0;
	for (size_t s = 0; s < u.n_sets; s++) {
		bool first_half = begin < u.n / 2;
		uint16_t src = first_half ? SRC_NVA : SRC_ER;
		struct attr_set *a = mk_attr(src, first_half ? 65001 : 0, u.origin[begin]);
		for (size_t i = begin; i < u.set_end[s]; i++) {
			struct rx_prefix p = {.afi = RX_AFI_IPV4, .len = u.len[i]};
			wire_put32(p.addr, u.addr[i]);
			rib_update_w(&rib, src, 0, &p, a);
			if (i % 4096 == 0)
				export_pending();
		}
		attr_unref_w(&rib.attrs, a);
		begin = u.set_end[s];
	}
	export_pending();
	fprintf(stderr, "bench_export: %zu IPv4 prefixes (%s), %zu attribute sets\n", table_n,
		u.source, u.n_sets);
	universe_free(&u);
}

static void policy_toggle(struct rxb_state *st, void *arg)
{
	bool transparent = arg != NULL;
	uint64_t b0 = sent_bytes();
	while (rxb_keep_running(st)) {
		for (int k = 0; k < 2; k++) {
			struct export_policy pol = ex.pol;
			if (transparent)
				pol.transparent = !pol.transparent;
			else
				pol.exchange = !pol.exchange;
			export_policy_change_w(&ex, &rib, &pol);
		}
	}
	/* two walks of the table per iteration */
	rxb_set_items(st, rxb_iterations(st) * (int64_t)table_n * 2);
	rxb_counter(st, "MB_sent_per_iter",
		    (double)(sent_bytes() - b0) / 1e6 / (double)rxb_iterations(st), false);
}

static bool read_candidates(const struct rib_tree *t, const struct rib_node *nd,
			    const struct rx_prefix *p, void *arg)
{
	const struct rib_path *set = rib_node_paths(t, nd);
	*(uintptr_t *)arg += (uintptr_t)set[0].attrs + set[0].src;
	return true;
}

static void baseline_walk(struct rxb_state *st, void *arg)
{
	uintptr_t sum = 0;
	while (rxb_keep_running(st))
		radix_walk_rcu(&rib.tree[0], NULL, NULL, 0, read_candidates, &sum, NULL);
	rxb_do_not_optimize(&sum);
	rxb_set_items(st, rxb_iterations(st) * (int64_t)table_n);
}

int main(int argc, char **argv)
{
	rx_rcu_register();
	setup();
	rxb_register("policy/baseline_walk", baseline_walk, NULL, NULL, 0, 0);
	rxb_register("policy/exchange_toggle", policy_toggle, NULL, NULL, 0, 0);
	rxb_register("policy/transparent_toggle", policy_toggle, (void *)1, NULL, 0, 0);
	int rc = rxb_main(argc, argv);
	export_fini(&ex);
	rib_fini(&rib);
	rx_rcu_unregister();
	return rc;
}
