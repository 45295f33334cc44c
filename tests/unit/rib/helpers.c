/* helpers.c: see helpers.h. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "helpers.h"

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

struct attr_set *t_attr(struct rib *rib, const struct tattr *ta)
{
	uint8_t aspath[2 * 2 + 16 * 4], comm[4], cluster[16 * 4], data[512];
	size_t al = 0;
	unsigned seq = ta->as_set && ta->n_as ? ta->n_as - 1 : ta->n_as;
	if (seq) {
		aspath[al++] = WIRE_AS_SEQUENCE;
		aspath[al++] = (uint8_t)seq;
		for (unsigned i = 0; i < seq; i++, al += 4)
			put32(aspath + al, ta->as[i]);
	}
	if (ta->as_set && ta->n_as) {
		aspath[al++] = WIRE_AS_SET;
		aspath[al++] = 1;
		put32(aspath + al, ta->as[ta->n_as - 1]);
		al += 4;
	}
	struct wire_attrs wa;
	memset(&wa, 0, sizeof(wa));
	wa.present = WIRE_ATTR_BIT(WIRE_ATTR_ORIGIN) | WIRE_ATTR_BIT(WIRE_ATTR_AS_PATH) |
		     WIRE_ATTR_BIT(WIRE_ATTR_NEXT_HOP);
	wa.origin = ta->origin;
	wa.aspath = aspath;
	wa.aspath_len = (uint16_t)al;
	put32(wa.nexthop, ta->nh ? ta->nh : 0x0a000001);
	if (ta->has_lp) {
		wa.present |= WIRE_ATTR_BIT(WIRE_ATTR_LOCAL_PREF);
		wa.local_pref = ta->lp;
	}
	if (ta->has_med) {
		wa.present |= WIRE_ATTR_BIT(WIRE_ATTR_MED);
		wa.med = ta->med;
	}
	if (ta->has_orig) {
		wa.present |= WIRE_ATTR_BIT(WIRE_ATTR_ORIGINATOR_ID);
		wa.originator_id = ta->originator;
	}
	if (ta->n_cluster) {
		for (unsigned i = 0; i < ta->n_cluster; i++)
			put32(cluster + 4 * i, 0x0a0000ff + i);
		wa.present |= WIRE_ATTR_BIT(WIRE_ATTR_CLUSTER_LIST);
		wa.cluster_list = cluster;
		wa.cluster_list_len = (uint16_t)(4 * ta->n_cluster);
	}
	if (ta->community) {
		put32(comm, ta->community);
		wa.present |= WIRE_ATTR_BIT(WIRE_ATTR_COMMUNITIES);
		wa.communities = comm;
		wa.communities_len = 4;
	}
	struct attr_buf b = {.data = data, .cap = sizeof(data)};
	assert_true(attr_encode(&wa, NULL, 0, &b));
	return attr_intern_w(&rib->attrs, &b);
}

struct rx_prefix t_pfx(const char *s)
{
	struct rx_prefix p;
	assert_true(rx_prefix_parse(s, &p, false));
	return p;
}

bool t_announce(struct rib *rib, uint16_t src, uint32_t path_id, const char *pfx,
		const struct tattr *ta)
{
	struct attr_set *a = t_attr(rib, ta);
	struct rx_prefix p = t_pfx(pfx);
	bool changed = rib_update_w(rib, src, path_id, &p, a);
	attr_unref_w(&rib->attrs, a);
	return changed;
}

void t_peer(struct rib *rib, uint16_t src, uint32_t asn, uint32_t router_id, const char *addr,
	    uint8_t role)
{
	struct rib_peer_info pi;
	memset(&pi, 0, sizeof(pi));
	pi.asn = asn;
	pi.router_id = router_id;
	pi.role = role;
	if (inet_pton(AF_INET, addr, pi.addr) == 1) {
		pi.afi = RX_AFI_IPV4;
	} else {
		assert_int_equal(inet_pton(AF_INET6, addr, pi.addr), 1);
		pi.afi = RX_AFI_IPV6;
	}
	rib_peer_add_w(rib, src, &pi);
}

const struct rib_path *t_best(const struct rib *rib, const char *pfx, unsigned *n, unsigned *n_ecmp)
{
	struct rx_prefix p = t_pfx(pfx);
	const struct rib_node *nd = rib_find_rcu(rib, &p);
	if (n)
		*n = nd ? nd->n : 0;
	if (n_ecmp)
		*n_ecmp = nd ? nd->n_ecmp : 0;
	return nd ? rib_node_paths(rib_tree(rib, p.afi), nd) : NULL;
}
