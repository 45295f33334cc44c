/* decide.c: best path and ECMP selection for one prefix.
 *
 * RFC 4271 9.1 phases as applied here (phase 2, route selection, per prefix):
 *   9.1.2.1  unfeasible paths (unresolvable NEXT_HOP, own AS in AS_PATH) never reach the
 *            RIB: import filtering drops them before rib_update_w.
 *   9.1.2.2  tie-breaking, in this order (enum decide_step):
 *     LOCAL         originated routes (the virtual network's prefixes) first
 *     ROUTE_PREF    Azure Route Server routing preference (see below)
 *     LOCAL_PREF    highest (9.1.1: the degree of preference); missing: the default (100)
 *     AS_PATH       shortest, an AS_SET counting 1, confederation segments 0 (a)
 *     ORIGIN        lowest (b)
 *     MED           lowest, between paths from the same neighbour AS unless
 *                   always-compare-med; missing counts 0 (c), or worst with
 *                   med_missing_worst
 *     EBGP          eBGP-learned over iBGP-learned (d)
 *     ROUTER_ID     lowest BGP identifier, the ORIGINATOR_ID standing in for it when present
 *                   (f; RFC 4456 9)
 *     CLUSTER_LIST  shortest (RFC 4456 9)
 *     PEER_ADDR     lowest peer address (g)
 *     PATH_ID, SRC  lowest ADD-PATH id, then lowest source index: the order becomes total,
 *                   so the result never depends on arrival order.
 * Departures:
 *   - No IGP cost step (e): a route server forwards nothing and has no IGP.
 *   - No "oldest path" preference (RFC 5004): it would make the result depend on order.
 *   - Deterministic MED: because MED only compares within a neighbour AS, pairwise
 *     comparison is not transitive; each neighbour AS's best is chosen first (MED applies
 *     inside the group) and the group winners are compared without MED.
 *   - ROUTE_PREF (ARS "routing preference"): expressroute mode ranks ExpressRoute routes
 *     above VPN and NVA routes; vpn mode ranks VPN and NVA (SD-WAN) routes above
 *     ExpressRoute; as-path mode compares AS path length first of all, then prefers
 *     ExpressRoute on a tie. Longest match comes before all of it by construction (the
 *     forwarding lookup is longest-prefix match over the Loc-RIB).
 * RPKI: with `invalid: drop`, RPKI-invalid paths are not selectable (decide_sort, at the end).
 * ECMP: paths equal to the best through the EBGP step (ARS programs ECMP across NVAs that
 * advertise the same prefix with the same AS path length), optionally only within the
 * best's neighbour AS, capped at max_ecmp, kept first in the array after the best. */
#include <stdlib.h>
#include <string.h>

#include <routex/compiler.h>
#include <routex/rib.h>

static unsigned role_rank(enum rib_pref pref, uint8_t role)
{
	switch (pref) {
	case RIB_PREF_VPN:
		return role == RIB_ROLE_VPN || role == RIB_ROLE_NVA ? 0 : 1;
	case RIB_PREF_AS_PATH:
	case RIB_PREF_EXPRESSROUTE:
	default:
		return role == RIB_ROLE_EXPRESSROUTE ? 0 : 1;
	}
}

#define CMP(x, y, s)                                                                               \
	do {                                                                                       \
		if ((x) != (y)) {                                                                  \
			if (step)                                                                  \
				*step = (s);                                                       \
			return (x) < (y) ? -1 : 1;                                                 \
		}                                                                                  \
	} while (0)

int decide_cmp(const struct rib *rib, const struct rib_path *a, const struct rib_path *b,
	       bool cmp_med, enum decide_step *step)
{
	const struct rib_conf *c = &rib->conf;
	const struct rib_peer *pa = &rib->peers[a->src], *pb = &rib->peers[b->src];
	const struct attr_key *ka = &a->attrs->k, *kb = &b->attrs->k;
	if (step)
		*step = DECIDE_EQUAL;

	unsigned la = pa->info.role != RIB_ROLE_LOCAL, lb = pb->info.role != RIB_ROLE_LOCAL;
	CMP(la, lb, DECIDE_LOCAL);

	if (c->pref == RIB_PREF_AS_PATH)
		CMP(ka->aspath_hops, kb->aspath_hops, DECIDE_ROUTE_PREF);
	CMP(role_rank(c->pref, pa->info.role), role_rank(c->pref, pb->info.role),
	    DECIDE_ROUTE_PREF);

	/* highest LOCAL_PREF: compare negated */
	uint32_t lpa = ka->flags & ATTR_F_LOCAL_PREF ? ka->local_pref : c->default_local_pref;
	uint32_t lpb = kb->flags & ATTR_F_LOCAL_PREF ? kb->local_pref : c->default_local_pref;
	CMP(~lpa, ~lpb, DECIDE_LOCAL_PREF);

	CMP(ka->aspath_hops, kb->aspath_hops, DECIDE_AS_PATH);
	CMP(ka->origin, kb->origin, DECIDE_ORIGIN);

	if (cmp_med && (c->always_compare_med || ka->neighbour_as == kb->neighbour_as)) {
		uint32_t missing = c->med_missing_worst ? UINT32_MAX : 0;
		uint32_t ma = ka->flags & ATTR_F_MED ? ka->med : missing;
		uint32_t mb = kb->flags & ATTR_F_MED ? kb->med : missing;
		CMP(ma, mb, DECIDE_MED);
	}

	/* eBGP first: rank 0 for eBGP; originated routes were decided above */
	CMP(!pa->ebgp, !pb->ebgp, DECIDE_EBGP);

	uint32_t ra = ka->flags & ATTR_F_ORIGINATOR ? ka->originator_id : pa->info.router_id;
	uint32_t rb = kb->flags & ATTR_F_ORIGINATOR ? kb->originator_id : pb->info.router_id;
	CMP(ra, rb, DECIDE_ROUTER_ID);
	CMP(ka->cluster_len, kb->cluster_len, DECIDE_CLUSTER_LIST);

	CMP(pa->info.afi, pb->info.afi, DECIDE_PEER_ADDR);
	int ac = memcmp(pa->info.addr, pb->info.addr, 16);
	if (ac) {
		if (step)
			*step = DECIDE_PEER_ADDR;
		return ac < 0 ? -1 : 1;
	}
	CMP(a->path_id, b->path_id, DECIDE_PATH_ID);
	CMP(a->src, b->src, DECIDE_SRC);
	return 0;
}

const char *decide_step_name(enum decide_step s)
{
	static const char *const names[] = {
	    [DECIDE_EQUAL] = "equal",
	    [DECIDE_LOCAL] = "local",
	    [DECIDE_ROUTE_PREF] = "route-preference",
	    [DECIDE_LOCAL_PREF] = "local-pref",
	    [DECIDE_AS_PATH] = "as-path",
	    [DECIDE_ORIGIN] = "origin",
	    [DECIDE_MED] = "med",
	    [DECIDE_EBGP] = "ebgp",
	    [DECIDE_ROUTER_ID] = "router-id",
	    [DECIDE_CLUSTER_LIST] = "cluster-list",
	    [DECIDE_PEER_ADDR] = "peer-address",
	    [DECIDE_PATH_ID] = "path-id",
	    [DECIDE_SRC] = "source",
	};
	return (unsigned)s < RX_ARRAY_LEN(names) ? names[s] : "?";
}

/* qsort has no context argument; insertion sort is also what small n wants (typically
 * 1-10 paths: one per peer that sent the prefix). Larger sets use a merge sort. */
typedef int (*path_cmp)(const struct rib *rib, const struct rib_path *a, const struct rib_path *b);

static int cmp_nomed(const struct rib *rib, const struct rib_path *a, const struct rib_path *b)
{
	return decide_cmp(rib, a, b, false, NULL);
}
static int cmp_full(const struct rib *rib, const struct rib_path *a, const struct rib_path *b)
{
	return decide_cmp(rib, a, b, true, NULL);
}
/* Groups by neighbour AS, best first within each group. */
static int cmp_group(const struct rib *rib, const struct rib_path *a, const struct rib_path *b)
{
	uint32_t na = a->attrs->k.neighbour_as, nb = b->attrs->k.neighbour_as;
	if (na != nb)
		return na < nb ? -1 : 1;
	return decide_cmp(rib, a, b, true, NULL);
}

static void sort_paths(const struct rib *rib, struct rib_path *v, unsigned n, struct rib_path *tmp,
		       path_cmp cmp)
{
	if (n <= 16) {
		for (unsigned i = 1; i < n; i++) {
			struct rib_path x = v[i];
			unsigned j = i;
			for (; j > 0 && cmp(rib, &x, &v[j - 1]) < 0; j--)
				v[j] = v[j - 1];
			v[j] = x;
		}
		return;
	}
	unsigned h = n / 2;
	sort_paths(rib, v, h, tmp, cmp);
	sort_paths(rib, v + h, n - h, tmp, cmp);
	unsigned i = 0, j = h, k = 0;
	while (i < h && j < n)
		tmp[k++] = cmp(rib, &v[j], &v[i]) < 0 ? v[j++] : v[i++];
	while (i < h)
		tmp[k++] = v[i++];
	while (j < n)
		tmp[k++] = v[j++];
	memcpy(v, tmp, n * sizeof(*v));
}

static struct rib_path *tmp_array(struct rib *rib, unsigned n)
{
	if (n > rib->sort_cap) {
		rib->sort_cap = n * 2;
		rib->sort_tmp = realloc(rib->sort_tmp, rib->sort_cap * sizeof(*rib->sort_tmp));
		RX_ASSERT(rib->sort_tmp);
	}
	return rib->sort_tmp;
}

static bool ecmp_with(const struct rib *rib, const struct rib_path *best, const struct rib_path *p)
{
	if (rib->conf.multipath_same_as && best->attrs->k.neighbour_as != p->attrs->k.neighbour_as)
		return false;
	enum decide_step s;
	decide_cmp(rib, best, p, true, &s);
	return s > DECIDE_ECMP_LAST;
}

static unsigned sort_set(struct rib *rib, struct rib_path *v, unsigned n)
{
	if (n <= 1)
		return n;
	struct rib_path *tmp = tmp_array(rib, 2 * n);
	struct rib_path best;
	if (rib->conf.always_compare_med) {
		sort_paths(rib, v, n, tmp, cmp_full);
		best = v[0];
	} else {
		/* deterministic MED: each neighbour AS's winner, then the best winner */
		sort_paths(rib, v, n, tmp, cmp_group);
		best = v[0];
		for (unsigned i = 1; i < n; i++)
			if (v[i].attrs->k.neighbour_as != v[i - 1].attrs->k.neighbour_as &&
			    cmp_nomed(rib, &v[i], &best) < 0)
				best = v[i];
		sort_paths(rib, v, n, tmp, cmp_nomed);
	}
	/* Layout: best, the rest of the ECMP set, then everything else, each in order. */
	struct rib_path *out = tmp + n;
	unsigned k = 0, max = rib->conf.max_ecmp ? rib->conf.max_ecmp : 64;
	if (max > RIB_MAX_ECMP)
		max = RIB_MAX_ECMP;
	out[k++] = best;
	bool *in_ecmp = NULL;
	bool small[64];
	if (rib->conf.multipath) {
		in_ecmp = n <= 64 ? small : calloc(n, sizeof(bool));
		RX_ASSERT(in_ecmp);
		for (unsigned i = 0; i < n; i++) {
			bool is_best = v[i].src == best.src && v[i].path_id == best.path_id;
			in_ecmp[i] = !is_best && k < max && ecmp_with(rib, &best, &v[i]);
			if (in_ecmp[i])
				out[k++] = v[i];
		}
	}
	unsigned n_ecmp = k;
	for (unsigned i = 0; i < n; i++) {
		bool is_best = v[i].src == best.src && v[i].path_id == best.path_id;
		if (!is_best && !(in_ecmp && in_ecmp[i]))
			out[k++] = v[i];
	}
	RX_ASSERT(k == n);
	memcpy(v, out, n * sizeof(*v));
	if (in_ecmp && in_ecmp != small)
		free(in_ecmp);
	return n_ecmp;
}

/* RFC 6811 leaves what to do with an invalid route to local policy; with `invalid: drop`
 * such paths stay in the node (the Adj-RIB-In: a ROA change can make them valid again, and
 * then they must come back without a refresh) but are never selected: they go after every
 * selectable path and the ECMP set is taken among the selectable ones only, so it is empty
 * when none is left (export then withdraws the prefix). */
static bool hidden(const struct rib *rib, const struct rib_path *p)
{
	/* A: relaxed: a reload switches the policy on the decision thread while the control
	 * thread may show the RIB; a display that sees the old policy for a moment is fine. */
	return p->rpki == RIB_RPKI_INVALID &&
	       __atomic_load_n(&rib->conf.rpki_drop_invalid, __ATOMIC_RELAXED);
}

bool decide_hidden(const struct rib *rib, const struct rib_path *p)
{
	return hidden(rib, p);
}

unsigned decide_sort(struct rib *rib, struct rib_path *v, unsigned n)
{
	unsigned ne = n;
	if (__atomic_load_n(&rib->conf.rpki_drop_invalid, __ATOMIC_RELAXED))
		/* Selectable first; the partition need not be stable: both parts are sorted by a
		 * total order afterwards. */
		for (unsigned i = 0; i < ne;) {
			if (!hidden(rib, &v[i])) {
				i++;
				continue;
			}
			struct rib_path x = v[i];
			v[i] = v[--ne];
			v[ne] = x;
		}
	unsigned n_ecmp = sort_set(rib, v, ne);
	if (n - ne > 1)
		sort_set(rib, v + ne, n - ne);
	return n_ecmp;
}
