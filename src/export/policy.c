/* policy.c: what may be sent where (DESIGN.md "Propagation"), and how the attributes of a
 * route are rewritten for a group (Azure Route Server mode or RFC 7947 transparent mode).
 *
 * The matrix is checked against Azure Route Server's documented behaviour: NVAs learn each
 * other's routes always; NVAs and gateways (ExpressRoute, VPN) learn each other's routes only
 * with branch-to-branch (route exchange) on; ExpressRoute and VPN gateways learn each
 * other's routes through the route server only with it on; a gateway does not learn routes
 * of its own kind through the route server; originated (virtual network) prefixes go to
 * everyone. rs-client peers form a separate IXP-style world.
 *
 * Export route maps (docs/policy.md) refine the matrix per member: export_select skips a
 * path the map denies, so the next path of the set can go instead, and the set actions of
 * the entry that matched are applied last in export_attrs_encode_set, after the mode's own
 * rewrite (a map's prepend comes on top of the eBGP prepend; its MED survives the MED
 * strip). The map is evaluated per (prefix, path): a prefix list can only be matched with
 * the prefix at hand. */
#include <stdlib.h>
#include <string.h>

#include <routex/compiler.h>
#include <routex/export.h>
#include <routex/policy.h>
#include <routex/wire.h>

enum { NO = 0, YES = 1, EXCH = 2 };

/* [from][to], indexed by enum rib_role. */
static const uint8_t matrix[5][5] = {
	/*                  local nva   er    vpn   rs */
	[RIB_ROLE_LOCAL] = {NO, YES, YES, YES, YES},
	[RIB_ROLE_NVA] = {NO, YES, EXCH, EXCH, NO},
	[RIB_ROLE_EXPRESSROUTE] = {NO, EXCH, NO, EXCH, NO},
	[RIB_ROLE_VPN] = {NO, EXCH, EXCH, NO, NO},
	[RIB_ROLE_RS_CLIENT] = {NO, NO, NO, NO, YES},
};

bool export_allowed(const struct export_policy *pol, uint8_t from, uint8_t to)
{
	if (from > RIB_ROLE_RS_CLIENT || to > RIB_ROLE_RS_CLIENT)
		return false;
	uint8_t v = matrix[from][to];
	return v == YES || (v == EXCH && pol->exchange);
}

static bool has_community(const struct attr_set *a, uint32_t c)
{
	const uint8_t *p = attr_communities(a);
	for (unsigned i = 0; i + 4 <= a->k.comm_len; i += 4)
		if (wire_get32(p + i) == c)
			return true;
	return false;
}

/* ---- IXP route-server control communities (docs/ixp.md) ----
 * The forms the IXP community agreed on (Euro-IX, and the large forms of RFC 8092 users),
 * with R the route server's AS and X a client's:
 *   0:X      R:0:X     do not announce to X
 *   0:R      R:0:0     do not announce to anyone ...
 *   R:X      R:1:X     ... but X (an explicit announce, which alone changes nothing)
 * A "do not announce to X" wins over "announce to X". The standard forms need R and X to fit
 * 16 bits; 4-octet ASNs use the large forms. */

/* A standard community addressed to the route server: 0:X or R:X. */
static bool ixp_std(uint16_t hi, uint32_t rs)
{
	return hi == 0 || (rs <= 0xffff && hi == rs);
}

bool export_ixp_control(uint32_t rs_asn, const struct attr_set *a)
{
	const uint8_t *c = attr_communities(a);
	for (unsigned i = 0; i + 4 <= a->k.comm_len; i += 4)
		if (ixp_std(wire_get16(c + i), rs_asn))
			return true;
	const uint8_t *l = attr_large_communities(a);
	for (unsigned i = 0; i + 12 <= a->k.large_comm_len; i += 12)
		if (wire_get32(l + i) == rs_asn)
			return true;
	return false;
}

bool export_ixp_hidden(uint32_t rs_asn, const struct attr_set *a, uint32_t peer_asn)
{
	bool block = false, block_all = false, allow = false;
	const uint8_t *c = attr_communities(a);
	for (unsigned i = 0; i + 4 <= a->k.comm_len; i += 4) {
		uint32_t hi = wire_get16(c + i), lo = wire_get16(c + i + 2);
		if (hi == 0 && lo == peer_asn)
			block = true;
		else if (hi == 0 && lo == rs_asn)
			block_all = true;
		else if (hi == rs_asn && lo == peer_asn)
			allow = true;
	}
	const uint8_t *l = attr_large_communities(a);
	for (unsigned i = 0; i + 12 <= a->k.large_comm_len; i += 12) {
		if (wire_get32(l + i) != rs_asn)
			continue;
		uint32_t fn = wire_get32(l + i + 4), x = wire_get32(l + i + 8);
		if (fn == 0 && x == peer_asn)
			block = true;
		else if (fn == 0 && x == 0)
			block_all = true;
		else if (fn == 1 && x == peer_asn)
			allow = true;
	}
	return block || (block_all && !allow);
}

/* Copies the communities but those addressed to the route server (they were for it, not
 * for the clients); returns the bytes kept. */
static uint16_t ixp_strip(uint32_t rs, const uint8_t *c, uint16_t len, uint8_t *out)
{
	uint16_t n = 0;
	for (unsigned i = 0; i + 4 <= len; i += 4)
		if (!ixp_std(wire_get16(c + i), rs)) {
			memcpy(out + n, c + i, 4);
			n = (uint16_t)(n + 4);
		}
	return n;
}

static uint16_t ixp_strip_large(uint32_t rs, const uint8_t *l, uint16_t len, uint8_t *out)
{
	uint16_t n = 0;
	for (unsigned i = 0; i + 12 <= len; i += 12)
		if (wire_get32(l + i) != rs) {
			memcpy(out + n, l + i, 12);
			n = (uint16_t)(n + 12);
		}
	return n;
}

int export_map_eval(const struct rib *rib, const struct export_key *k, const struct rx_prefix *p,
		    const struct rib_path *path)
{
	if (!k->map)
		return POLICY_NO_MATCH;
	/* The 12 KiB text buffer only for a map with a regex (heap: the export worker's
	 * stack is not the place for it). */
	char *text = NULL;
	if (k->map->match_kinds & POLICY_M_REGEX) {
		text = malloc(POLICY_TEXT_MAX);
		RX_ASSERT(text);
	}
	struct policy_route r;
	const struct attr_set *a = path->attrs;
	policy_route_init(&r, p, attr_aspath(a), a->k.aspath_len, attr_communities(a),
			  a->k.comm_len, attr_large_communities(a), a->k.large_comm_len, path->rpki,
			  rib->peers[path->src].info.role, text);
	int idx = policy_eval(k->map, &r);
	free(text);
	return idx;
}

const struct rib_path *export_select(const struct export_state *e, const struct rib *rib,
				     const struct export_key *k, const struct rx_prefix *pfx,
				     const struct rib_path *set, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		const struct rib_path *p = &set[i];
		uint8_t from = rib->peers[p->src].info.role;
		if (!export_allowed(&e->pol, from, k->role))
			continue;
		/* An IPv6 route it could not give an IPv6 next hop (an originated one without
		 * next-hop-ipv6) is not sent: the next path may be, as for any path not sent. */
		if (!export_has_nexthop(&e->pol, p, pfx->afi == RX_AFI_IPV6))
			continue;
		/* RFC 1997: NO_ADVERTISE goes nowhere; NO_EXPORT stays inside the AS. */
		if (p->attrs->k.comm_len && (has_community(p->attrs, WIRE_COMM_NO_ADVERTISE) ||
					     (k->ebgp && has_community(p->attrs, WIRE_COMM_NO_EXPORT))))
			continue;
		if (k->map && !policy_permits(k->map, export_map_eval(rib, k, pfx, p)))
			continue; /* path hiding: the next path may be sent */
		return p;
	}
	return NULL;
}

size_t export_attrs_encode(const struct export_state *e, const struct rib *rib,
			   const struct export_key *k, const struct rib_path *p, bool ipv6,
			   uint8_t *out, size_t cap, uint8_t *nh, uint8_t *nh_len)
{
	return export_attrs_encode_set(e, rib, k, p, ipv6, NULL, out, cap, nh, nh_len);
}

size_t export_attrs_encode_set(const struct export_state *e, const struct rib *rib,
			       const struct export_key *k, const struct rib_path *p, bool ipv6,
			       const struct policy_entry *set, uint8_t *out, size_t cap,
			       uint8_t *nh, uint8_t *nh_len)
{
	const struct attr_set *a = p->attrs;
	const struct rib_peer *src = &rib->peers[p->src];
	struct wire_attrs w;
	attr_view(a, &w);
	/* ORIGINATOR_ID and CLUSTER_LIST are not carried on: routex is no route reflector. */
	w.present &= ~(WIRE_ATTR_BIT(WIRE_ATTR_ORIGINATOR_ID) | WIRE_ATTR_BIT(WIRE_ATTR_CLUSTER_LIST));
	*nh_len = 0;
	if (a->k.nexthop_len == 16 || a->k.nexthop_len == 32) {
		/* RFC 2545 3: a link-local next hop is only for receivers on the sender's link,
		 * which the route server cannot know of its peers; the global one goes alone (FRR
		 * resets the session over a link-local next hop from off its link). */
		memcpy(nh, attr_nexthop(a), 16);
		*nh_len = 16;
	}
	if (p->src == RIB_SRC_LOCAL && a->k.nexthop_len == 0) {
		/* Originated prefixes: the server names itself, by router id, as next hop (it
		 * forwards nothing; the operator's data plane resolves it), the same for every
		 * session so that update groups keep sharing their bytes. IPv6 prefixes get the
		 * configured next-hop-ipv6, or none and are withheld: an IPv4-mapped next hop
		 * (RFC 4291 2.5.5.2) is refused by BIRD as an address-family mismatch. */
		if (!ipv6) {
			w.present |= WIRE_ATTR_BIT(WIRE_ATTR_NEXT_HOP);
			wire_put32(w.nexthop, e->pol.router_id);
		} else if (e->pol.has_nexthop6) { /* config next-hop-ipv6 */
			memcpy(nh, e->pol.nexthop6, 16);
			*nh_len = 16;
		}
	}
	/* RFC 9234 5, egress 2: a route server adds OTC (its own AS) to what it sends its
	 * clients, unless the route has one; a client then never passes it on upwards. */
	if (k->role == RIB_ROLE_RS_CLIENT && !(w.present & WIRE_ATTR_BIT(WIRE_ATTR_OTC))) {
		w.present |= WIRE_ATTR_BIT(WIRE_ATTR_OTC);
		w.otc = e->pol.asn;
	}
	uint8_t comm[WIRE_EXT_MAX_LEN], large[WIRE_EXT_MAX_LEN];
	if (k->role == RIB_ROLE_RS_CLIENT && e->pol.ixp_communities &&
	    (a->k.comm_len || a->k.large_comm_len) && export_ixp_control(e->pol.asn, a)) {
		w.communities_len = ixp_strip(e->pol.asn, w.communities, w.communities_len, comm);
		w.communities = comm;
		w.large_communities_len =
			ixp_strip_large(e->pol.asn, w.large_communities, w.large_communities_len, large);
		w.large_communities = large;
		if (!w.communities_len)
			w.present &= ~WIRE_ATTR_BIT(WIRE_ATTR_COMMUNITIES);
		if (!w.large_communities_len)
			w.present &= ~WIRE_ATTR_BIT(WIRE_ATTR_LARGE_COMMUNITIES);
	}
	uint8_t path[4096];
	if (!e->pol.transparent && k->ebgp) { /* Azure mode: a normal eBGP speaker */
		size_t n = wire_aspath_prepend(w.aspath, w.aspath_len, e->pol.asn, 1, path,
					       sizeof(path));
		if (!n)
			return 0;
		w.aspath = path;
		w.aspath_len = (uint16_t)n;
		/* RFC 4271 5.1.4: a MED from a neighbouring AS stays with that AS. */
		if (src->ebgp)
			w.present &= ~WIRE_ATTR_BIT(WIRE_ATTR_MED);
	}
	if (k->ebgp) {
		w.present &= ~WIRE_ATTR_BIT(WIRE_ATTR_LOCAL_PREF); /* RFC 4271 5.1.5 */
	} else if (!(w.present & WIRE_ATTR_BIT(WIRE_ATTR_LOCAL_PREF))) {
		w.present |= WIRE_ATTR_BIT(WIRE_ATTR_LOCAL_PREF);
		w.local_pref = rib->conf.default_local_pref;
	}
	struct wire_ctx ctx = {.as4 = k->as4, .ebgp = k->ebgp};
	if (!set)
		return wire_attrs_encode(&w, &ctx, out, cap);
	uint8_t *scratch = malloc(POLICY_APPLY_BUF);
	RX_ASSERT(scratch);
	size_t len = policy_apply(set, &w, e->pol.asn, scratch, POLICY_APPLY_BUF)
			 ? wire_attrs_encode(&w, &ctx, out, cap)
			 : 0; /* too large: withheld like any route that does not fit */
	free(scratch);
	return len;
}
