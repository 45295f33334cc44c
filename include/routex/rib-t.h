/* rib-t.h: types of the RIB core (types only; prototypes are in rib.h).
 *
 * Layout, chosen for memory (<= 64 bytes per IPv4 prefix with one path, attributes counted
 * apart) and for lock-free readers:
 *   - one path-compressed binary radix tree per address family;
 *   - each tree node carries its candidate paths inline, sorted best first, with the ECMP
 *     set as a prefix of that array (paths[0 .. n_ecmp)); glue nodes carry none (n == 0);
 *   - nodes are immutable once published except for their two child pointers: any change
 *     to a prefix's paths builds a new node and swaps it in with one release store (the
 *     "copy the node and swap it in" rule), and the old one goes to rx_retire.
 * An IPv4 leaf is 8 bytes + 16 per path (24 with one path), an IPv4 inner node 24 + 16
 * per path; IPv6 adds 16 bytes of key to each. A one-path IPv4 prefix thus costs 24 bytes
 * (40 if it has more-specifics) plus its share of glue nodes (0.8 per prefix in a real
 * table, 24 bytes each) and of its peer's key list (8 bytes). */
#ifndef ROUTEX_RIB_T_H
#define ROUTEX_RIB_T_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <routex/attr.h>
#include <routex/pool.h>
#include <routex/prefix.h>
#include <routex/rcu.h>

struct rib_lpm;

/* Source index of originated (local) routes; peers use 1 .. RIB_MAX_PEERS - 1. */
#define RIB_SRC_LOCAL 0
#define RIB_MAX_PEERS 65536

/* Node pools: the two sizes that make up the bulk of a table (one-path leaves and glue
 * nodes, which are the same size; one-path inner nodes) come from exact-size pools with
 * huge-page slabs; other sizes come from the allocator, which reuses their memory across
 * size classes as prefixes gain and lose paths (pools per path count would each keep
 * their high-water mark: loading 10 peers one after the other left 9 pools of a million
 * nodes each behind). */
#define RIB_POOL_CLASSES 2

/* Levels of the IPv4 descent finger: a path has at most 33 nodes (lengths 0..32), so at
 * most 33 child slots below the root slot. */
#define RIB_FINGER_LEVELS 34

/* Peer roles (DESIGN.md "Propagation"); RIB_ROLE_LOCAL is the route server itself. */
enum rib_role {
	RIB_ROLE_LOCAL = 0,
	RIB_ROLE_NVA = 1,
	RIB_ROLE_EXPRESSROUTE = 2,
	RIB_ROLE_VPN = 3,
	RIB_ROLE_RS_CLIENT = 4,
};

/* Azure Route Server routing preference (`route-preference:`). */
enum rib_pref {
	RIB_PREF_EXPRESSROUTE = 0, /* default */
	RIB_PREF_VPN = 1,
	RIB_PREF_AS_PATH = 2,
};

/* Steps of the decision process, in the order they are applied (decide.c). The value
 * returned with a comparison names the step that decided it. */
enum decide_step {
	DECIDE_EQUAL = 0,    /* same source and path id */
	DECIDE_LOCAL,	     /* originated routes first */
	DECIDE_ROUTE_PREF,   /* ARS routing preference */
	DECIDE_LOCAL_PREF,   /* RFC 4271 9.1.1: highest LOCAL_PREF */
	DECIDE_AS_PATH,	     /* 9.1.2.2 a: shortest AS_PATH */
	DECIDE_ORIGIN,	     /* 9.1.2.2 b: lowest ORIGIN */
	DECIDE_MED,	     /* 9.1.2.2 c: lowest MED, same neighbour AS unless always */
	DECIDE_EBGP,	     /* 9.1.2.2 d: eBGP over iBGP */
	DECIDE_ROUTER_ID,    /* 9.1.2.2 f, RFC 4456 9: lowest ORIGINATOR_ID / router id */
	DECIDE_CLUSTER_LIST, /* RFC 4456 9: shortest CLUSTER_LIST */
	DECIDE_PEER_ADDR,    /* 9.1.2.2 g: lowest peer address */
	DECIDE_PATH_ID,	     /* ADD-PATH: lowest path id */
	DECIDE_SRC,	     /* lowest source index: makes the order total */
};
/* Paths that compare equal up to and including this step form the ECMP set. */
#define DECIDE_ECMP_LAST DECIDE_EBGP

struct rib_conf {
	uint32_t asn;		     /* our AS: peers with the same AS are iBGP */
	uint32_t default_local_pref; /* LOCAL_PREF of paths without one (100) */
	enum rib_pref pref;
	bool always_compare_med; /* compare MED across neighbour ASes */
	bool med_missing_worst;	 /* a missing MED is the worst, not 0 (RFC 4271 says 0) */
	bool multipath;		 /* keep an ECMP set (ARS: across NVAs) */
	bool multipath_same_as;	 /* ECMP only within one neighbour AS */
	uint8_t max_ecmp;	 /* cap on the ECMP set; 0: 64; at most RIB_MAX_ECMP */
	bool no_changes;	 /* do not keep the change log (benchmarks of raw updates) */
	bool lpm_index;		 /* keep the IPv4 DIR-24-8 longest-match index (lpm.h): 32 MiB
				  * and ~10% slower table loads for ~20x faster longest matches;
				  * off by default, nothing in the daemon needs that rate yet */
	bool rpki_drop_invalid;	 /* RPKI invalid paths are kept but never selected (hidden);
				  * A: relaxed, rib_rpki_policy_w changes it at run time */
};

/* RPKI route origin validation state of a path (RFC 6811 2; docs/rpki.md). NONE: not
 * validated (RPKI off, originated routes, or a peer with `rpki: false`). Two bits, so the
 * state rides in struct rib_path at no memory cost. */
enum rib_rpki {
	RIB_RPKI_NONE = 0,
	RIB_RPKI_NOT_FOUND = 1,
	RIB_RPKI_VALID = 2,
	RIB_RPKI_INVALID = 3,
};

/* Generations count modulo 2^14 (the other two bits of their 16 hold the RPKI state). That
 * is safe: a path is at most one generation behind its peer's (graceful restart sweeps the
 * older ones before marking again) and a peer's paths are flushed before its slot is
 * reused, so two live generations never lie 2^14 apart. */
#define RIB_GEN_MASK 0x3fffu

/* One candidate path. Readers may read every field; the attr set is kept alive by the
 * reference the path holds, and freed after a grace period once dropped. 16 bytes, no
 * padding: new per-path state has to share the words already there. */
struct rib_path {
	struct attr_set *attrs;
	uint32_t path_id; /* ADD-PATH id as received; 0 without ADD-PATH */
	uint16_t src;	  /* source: RIB_SRC_LOCAL or a peer index */
	uint16_t gen : 14; /* the source's generation when announced (mark and sweep) */
	uint16_t rpki : 2; /* enum rib_rpki: set at import, updated by ROA changes */
};

/* A tree node. Leaves (no children: about 90% of a real table's prefixes) carry no child
 * pointers; inner nodes (glue, or a prefix with more-specifics) do. Layout after this
 * 8-byte header (rib_node_paths and rib_node_child_rcu hide it):
 *   IPv4 leaf:  paths at 8                 IPv4 inner: child[2] at 8, paths at 24
 *   IPv6 leaf:  key at 8, paths at 24      IPv6 inner: key at 8, child[2] at 24, paths at 40
 * so a one-path IPv4 leaf is 24 bytes, as is a glue node. A node that gains a child is
 * replaced by its inner form, one that loses its last child by its leaf form. */
struct rib_node {
	uint8_t len;	    /* prefix length */
	uint8_t n_ecmp : 7; /* paths[0 .. n_ecmp) is the ECMP set; 0 in a glue node */
	uint8_t inner : 1;  /* has the child pair */
	uint16_t n;	    /* candidate paths; 0: glue node (no prefix here) */
	uint32_t key4;	    /* IPv4 key, host order (IPv6: 0) */
};
#define RIB_MAX_ECMP 127

/* A 128-bit key in host order, IPv4 in the top 32 bits of hi. */
struct rib_key {
	uint64_t hi, lo;
};

struct rib_tree {
	struct rib_node *root; /* R */
	uint8_t afi;
	uint8_t maxlen;	   /* 32 or 128 */
	uint8_t leaf_hdr;  /* offset of paths in a leaf: 8 or 24 */
	uint8_t inner_hdr; /* offset of paths in an inner node: 24 or 40 */
	uint8_t child_off; /* offset of child[2] in an inner node: 8 or 24 */
	size_t prefixes;   /* W: nodes with n > 0 */
	size_t nodes;	   /* W: every node, glue included */
	size_t paths;	   /* W */
	size_t heap_bytes; /* W: nodes from malloc (RIB_POOL_CLASSES paths or more) */
	size_t live_bytes; /* W: bytes of published nodes (exact sizes) */
	struct rx_pool pools[RIB_POOL_CLASSES];
	/* W: the finger (IPv4 only, radix.c seek4): the slots the last descent went through,
	 * with the range of keys that pass through each, so that the next descent starts at
	 * the deepest one its key shares instead of at the root. Table transfers, flushes and
	 * sweeps come in address order, where that is most of the path. Level 0 is the root
	 * slot; levels [1, f_depth) are child slots of nodes that are still published. */
	unsigned f_depth;
	uint32_t f_last; /* the key of the last descent, which passed every level */
	struct rib_node **f_slot[RIB_FINGER_LEVELS];
	uint8_t f_len[RIB_FINGER_LEVELS]; /* keys sharing f_len bits with f_last, and at least
					   * that long, pass f_slot */
};

/* What the decision process needs to know of a source. */
struct rib_peer_info {
	uint32_t asn;
	uint32_t router_id; /* BGP identifier, host order */
	uint8_t addr[16];   /* peer address, network order */
	uint8_t afi;	    /* of addr */
	uint8_t role;	    /* enum rib_role */
};

/* A peer's prefixes, per family, to flush or sweep them in time proportional to its own
 * routes. Entries are added when the peer gets its first path at a prefix and are not
 * removed on withdraw (that would need a back pointer in every path): stale and duplicate
 * entries are skipped on use and compacted away once they outnumber live ones. */
struct rib_keyvec {
	uint8_t *v;
	size_t len, cap; /* entries */
};

struct rib_peer {
	struct rib_peer_info info;
	bool active;
	bool ebgp;
	uint16_t gen;	    /* current generation (mod RIB_GEN_MASK + 1); mark_stale bumps it */
	size_t paths[2];    /* per family: IPv4, IPv6 */
	size_t invalid;	    /* its paths in RPKI state INVALID, both families */
	size_t prefixes[2]; /* prefixes where the peer has at least one path */
	struct rib_keyvec keys[2];
};

/* One entry of the change log: a prefix whose selectable candidate paths changed (any of
 * them, not only the best: export may send a group the second path when policy hides the
 * first). The old and new candidate lists, best first (the ECMP set first of all, hidden
 * paths left out), are in the log's path array; each logged path holds an attr reference
 * until rib_changes_release_w. old_n == 0: no selectable path before; new_n == 0: none now. */
struct rib_change {
	struct rx_prefix prefix;
	uint16_t old_n, new_n;
	uint32_t off; /* old set at paths[off], new set at paths[off + old_n] */
};

struct rib_changes {
	struct rib_change *v;
	size_t len, cap;
	struct rib_path *paths;
	size_t plen, pcap;
};

/* Arrays of a released change-log batch are kept for the next one (rib.log_spare) up to
 * these capacities: a batch of the daemon (an UPDATE batch, a flush slice of 4096
 * prefixes) then costs no allocation, no copy on growth and no page faults, while a rare
 * giant batch (a whole table in one take) does not pin its tens of MB. */
#define RIB_LOG_KEEP_ENTRIES 65536 /* 1.8 MiB of struct rib_change */
#define RIB_LOG_KEEP_PATHS   262144 /* 4 MiB of struct rib_path */

struct rib_stats {
	size_t prefixes[2], nodes[2], paths[2];
	size_t node_bytes[2]; /* held: pool slabs (free space too) and malloc'd nodes */
	size_t node_live[2];  /* published nodes, exact sizes */
	size_t key_bytes;     /* peers' key lists (capacity) */
	size_t attr_sets, attr_bytes, attr_refs;
	size_t retired_pending; /* retired, not yet freed */
	size_t changes;		/* entries waiting in the change log */
	size_t lpm_bytes;	/* the IPv4 longest-match index, when on (lpm.h) */
};

/* The RIB: the decision thread's context. No globals: tests build as many as they like. */
struct rib {
	struct rib_conf conf;
	struct rib_tree tree[2]; /* [0] IPv4 unicast, [1] IPv6 unicast */
	struct rib_peer *peers;	 /* W: indexed by source; [0] is RIB_SRC_LOCAL */
	size_t n_peers;		 /* allocated entries */
	struct attr_table attrs;
	struct rx_retire retire;
	struct rib_changes log;
	struct rib_changes log_spare; /* W: only v/cap and paths/pcap: arrays to reuse */
	struct rib_path *scratch; /* W: new path sets are built here */
	size_t scratch_cap;
	struct rib_path *sort_tmp;
	size_t sort_cap;
	struct rib_lpm *lpm; /* W (R for lpm4_find_rcu): IPv4 index, NULL unless conf.lpm_index */
	unsigned touch_ahead; /* W: keys a flush or sweep touches at once (rib.c), 0: none */
};

typedef bool (*rib_walk_cb)(const struct rib_tree *t, const struct rib_node *n,
			    const struct rx_prefix *p, void *arg);

#endif
