/* export.h: propagation filters, update groups and UPDATE packing (src/export/).
 *
 * Peers that receive the same routes in the same encoding (same role, AS size, eBGP or
 * iBGP, families, message size) form an update group: its routes are selected, filtered,
 * re-encoded and packed once, and the same bytes (struct io_out, refcounted) are queued to
 * every member. Split horizon keeps sharing intact: packed messages carry a class, "every
 * member", "every member but source S" or "only S", and a member receives the classes that
 * include it.
 *
 * What a group is sent for a prefix is a pure function of the prefix's ranked candidate
 * paths and the policy (export_select): the best path that the group's policy lets
 * through. When policy hides the best path from a group, the group gets the next one that
 * passes (RFC 7947 2.3.2, path hiding): the RIB's change log carries every selectable
 * candidate, not only the ECMP set. So no Adj-RIB-Out copy is kept: `show advertised` and
 * policy changes (route exchange) recompute it from the Loc-RIB.
 *
 * The one exception is a member with an export limit (max-prefixes-out): what it holds then
 * depends on the order routes arrived in, so it gets a group of its own that keeps the set
 * of prefixes it was sent (at most the limit, typically 1,000: small). A route beyond the
 * limit is withheld; when a held prefix is withdrawn, the group refills from the Loc-RIB.
 *
 * Synchronisation: the functions here (suffix _w) run on one thread at a time, which owns
 * the groups: export_changes_w on the export worker while it holds a job, everything else
 * on the decision thread while no job runs (src/core/rde.c hands the state over with a
 * mutex). Members' sessions are reached only through io_send. Counters marked A are read
 * by the control socket with relaxed loads. */
#ifndef ROUTEX_EXPORT_H
#define ROUTEX_EXPORT_H

#include <stdbool.h>
#include <stdint.h>

#include <routex/io.h>
#include <routex/policy-t.h>
#include <routex/rib-t.h>

/* Policy in force; a change of any field is a policy change (export_policy_change_w). */
struct export_policy {
	uint32_t asn;         /* the route server's AS */
	uint32_t router_id;   /* host order; the IPv4 next hop of originated routes */
	bool exchange;        /* route exchange (branch-to-branch) between NVAs and gateways */
	bool transparent;     /* RFC 7947: AS_PATH, NEXT_HOP and MED untouched, no prepend */
	bool ixp_communities; /* rs-client groups: act on IXP control communities (policy.c) */
	bool has_nexthop6;    /* config next-hop-ipv6: the next hop of originated IPv6 routes */
	uint8_t nexthop6[16];
};

/* What makes two members' output identical. */
struct export_key {
	uint8_t role;         /* enum rib_role */
	uint8_t families;     /* RX_FAM_BIT()s negotiated */
	bool as4;
	bool ebgp;
	bool ext_msg;
	uint32_t limit;       /* max-prefixes-out; 0: none. A limited member is grouped alone. */
	uint8_t addpath;      /* RX_FAM_BIT()s it receives several paths for (RFC 7911 send);
			       * never with a limit */
	/* The member's export route map (docs/policy.md), NULL: none. Immutable, owned by the
	 * config it came from (kept until exit); members whose maps are equal share a group. */
	const struct policy_map *map;
};

/* Queues packed bytes to a member (the daemon: to its I/O thread; tests: capture). The
 * callee takes its own reference on o if it keeps it. */
typedef void (*export_send_fn)(void *ctx, struct io_out *o);

struct export_member {
	uint16_t src;         /* the member's own RIB source index */
	export_send_fn send;
	void *send_ctx;
	size_t self_selected; /* W: prefixes whose selected route came from this member */
	long hidden_adj;      /* W: routes it holds beyond (or short of) the group's selection,
			       * because per-member policy picked another path or none */
	size_t *advertised;   /* A: where to publish the member's advertised count */
};

/* A summary prefix of a group's export map (`summarise`) and how many of the routes the
 * group selects it stands for; it is sent while that count is above 0. */
struct export_summary {
	struct rx_prefix p;
	uint32_t count; /* W */
};

struct export_group {
	struct export_key key;
	struct export_member *m;
	unsigned n, cap;
	size_t selected;      /* W: prefixes for which the group has a route */
	struct export_pack *pack; /* W: per-batch packing state */
	/* Limited groups only (key.limit != 0, one member): */
	struct export_held *held; /* W: prefixes the member was sent */
	bool overflow;        /* W: a route was withheld because of the limit */
	bool refill;          /* W: a held prefix went while overflowing: refill at flush */
	/* Export maps that summarise (not for ADD-PATH groups): */
	struct export_summary *sums; /* W: the map's distinct summary prefixes */
	unsigned n_sums;
	struct rib_path agg;         /* the summaries' route: originated by the route server */
	struct attr_table *agg_table; /* where agg.attrs was interned */
};

/* Told when a limited member starts (reached) or stops withholding routes. */
typedef void (*export_limit_fn)(void *ctx, uint16_t src, uint32_t limit, bool reached);

/* Slots of the per-batch repeat detector, 8 bytes each: twice the decision thread's slice
 * of 4,096 prefixes, and 64 KiB so that its random probes hit the cache (at 256 KiB they
 * were 15% of the decision thread's profile, almost all cache misses). */
#define EXPORT_SEEN_SLOTS 8192

/* Where a member is: its group and index there (members are found by source in O(1); a
 * group of hundreds of peers made a linear search per change a sixth of the export time). */
struct export_where {
	struct export_group *g; /* NULL: not a member */
	unsigned i;
};

struct export_state {
	struct export_policy pol;
	struct export_group **groups;
	unsigned n_groups, cap_groups;
	struct export_where *where; /* W: indexed by source */
	size_t n_where;
	uint64_t *seen;             /* W: prefixes of the current batch (export.c) */
	size_t n_seen;
	uint32_t seen_gen;
	uint64_t msgs_packed;       /* W: statistics */
	uint64_t routes_withheld;   /* W: attributes too large for the group's message size */
	export_limit_fn limit_cb;   /* optional */
	void *limit_ctx;
};

void export_init(struct export_state *e, const struct export_policy *pol);
void export_fini(struct export_state *e);

/* Propagation matrix of DESIGN.md: may a route from role `from` go to role `to`? */
bool export_allowed(const struct export_policy *pol, uint8_t from, uint8_t to);
/* The path a group with key k is sent for prefix p from its ranked candidates, or NULL.
 * `rib` gives the sources' roles. Never returns a path whose communities forbid it
 * (NO_ADVERTISE; NO_EXPORT towards eBGP) or that the group's export map denies. */
const struct rib_path *export_select(const struct export_state *e, const struct rib *rib,
				     const struct export_key *k, const struct rx_prefix *p,
				     const struct rib_path *set, unsigned n);
/* The entry of the group's export map that applies to path for prefix p (POLICY_NO_MATCH
 * without a map or when none matches). */
int export_map_eval(const struct rib *rib, const struct export_key *k, const struct rx_prefix *p,
		    const struct rib_path *path);

/* IXP route-server control communities (docs/ixp.md): whether the attributes carry
 * one addressed to the route server rs_asn (0:X, R:X, R:*:*), and whether they ask it not
 * to announce the route to a client of AS peer_asn. */
bool export_ixp_control(uint32_t rs_asn, const struct attr_set *a);
bool export_ixp_hidden(uint32_t rs_asn, const struct attr_set *a, uint32_t peer_asn);

/* Whether a path can be sent for a prefix of that family: an IPv6 prefix needs an IPv6
 * next hop; originated ones get the configured next-hop-ipv6 and are withheld without it. */
static inline bool export_has_nexthop(const struct export_policy *pol, const struct rib_path *p,
				      bool ipv6)
{
	return !ipv6 || p->attrs->k.nexthop_len >= 16 ||
	       (p->src == RIB_SRC_LOCAL && pol->has_nexthop6);
}

/* A peer came up: joins (or creates) its group and is sent the whole Loc-RIB as its group
 * sees it, then End-of-RIB for each family. */
void export_member_up_w(struct export_state *e, struct rib *rib, const struct export_key *k,
			uint16_t src, export_send_fn send, void *send_ctx, size_t *advertised);
/* A peer went down: leaves its group (empty groups are freed). */
void export_member_down_w(struct export_state *e, uint16_t src);
/* A member's key changed (its export limit or export map, on reload): it moves to the group
 * of the new key and is sent the difference between what it holds and what it is now due
 * (path by path for ADD-PATH; summaries included). A limited member is refilled in prefix
 * order, its summaries after its routes. */
void export_member_rekey_w(struct export_state *e, struct rib *rib, uint16_t src,
			   const struct export_key *k);
/* ROUTE-REFRESH (RFC 2918): sends the member everything it holds again, then End-of-RIB. */
void export_member_refresh_w(struct export_state *e, struct rib *rib, uint16_t src);
/* What the member `src` (with key k) holds for a prefix with that ECMP set: the path it was
 * sent, or NULL (not selected, its own route, withheld for want of a next hop or by its
 * limit). For `show advertised`. */
const struct rib_path *export_held(const struct export_state *e, const struct rib *rib,
				   uint16_t src, const struct export_key *k,
				   const struct rx_prefix *p, const struct rib_path *set,
				   unsigned n);
/* The same for every path it holds of the prefix: several for an ADD-PATH family (ids[]:
 * the path ids they were sent with), else at most one (id 0). out and ids have room for n.
 * Returns how many. */
unsigned export_held_paths(const struct export_state *e, const struct rib *rib, uint16_t src,
			   const struct export_key *k, const struct rx_prefix *p,
			   const struct rib_path *set, unsigned n, const struct rib_path **out,
			   uint32_t *ids);
/* The summaries (export map `summarise`) member src holds: how many (the first cap of them
 * into out), and the route they are sent with into *path. */
unsigned export_summaries_held(const struct export_state *e, uint16_t src,
			       const struct rx_prefix **out, unsigned cap,
			       const struct rib_path **path);
/* Sends what the RIB changes mean to every group. */
void export_changes_w(struct export_state *e, struct rib *rib, const struct rib_changes *c);
/* Applies a new policy: walks the Loc-RIB and sends each group exactly the difference
 * between what the old and the new policy select. */
void export_policy_change_w(struct export_state *e, struct rib *rib,
			    const struct export_policy *pol);

/* What a change would do to one member (export_dry_run_w). */
struct export_dry {
	uint16_t src;
	size_t announce;      /* UPDATEs' NLRI it would be sent (new routes and replacements) */
	size_t withdraw;
	size_t before, after; /* routes it holds now, and then */
	uint32_t limit;       /* its max-prefixes-out then (0: none) */
	size_t withheld;      /* routes it would be due but not sent because of the limit */
};

/* Counts, for every member, what applying policy pol would send, with new export limits
 * for some members (limits[src] when limits is not NULL and src < n_limits), and changes
 * nothing: the dry run of `exchange on|off` and `reload`. One walk of the Loc-RIB per group.
 * Returns the number of members written to out (at most cap). */
size_t export_dry_run_w(const struct export_state *e, const struct rib *rib,
			const struct export_policy *pol, const uint32_t *limits, size_t n_limits,
			struct export_dry *out, size_t cap);

/* Encodes the attributes a group is sent for a path of an IPv4 or IPv6 prefix (prepend,
 * LOCAL_PREF, MED, next hop per mode); returns the length or 0 when it does not fit.
 * Exposed for tests. The MP_REACH next hop is returned through nh/nh_len. */
size_t export_attrs_encode(const struct export_state *e, const struct rib *rib,
			   const struct export_key *k, const struct rib_path *p, bool ipv6,
			   uint8_t *out, size_t cap, uint8_t *nh, uint8_t *nh_len);
/* The same with the set actions of an export map entry applied last (NULL: none). */
size_t export_attrs_encode_set(const struct export_state *e, const struct rib *rib,
			       const struct export_key *k, const struct rib_path *p, bool ipv6,
			       const struct policy_entry *set, uint8_t *out, size_t cap,
			       uint8_t *nh, uint8_t *nh_len);

#endif
