/* rib.h: the RIB core: radix trees, candidate paths, decision, peer bulk operations and the
 * change log (src/rib/). No sockets, no threads of its own.
 *
 * Synchronisation table:
 *   *_w functions     the decision thread only (the single writer), registered with RCU.
 *                     It must call rib_quiescent_w between batches, holding no node
 *                     pointer, so grace periods end and retired memory is freed.
 *   *_rcu functions   any registered RCU reader thread (I/O, export, control), concurrently
 *                     with the writer and each other. Node pointers they return are valid
 *                     until the reader's next quiescent state; keys and paths they read are
 *                     immutable, child pointers are read with acquire loads.
 *   rib_node_paths    same as the *_rcu functions.
 *   peers, stats      the writer (peer info is copied into decisions, not shared).
 * A reader never sees a torn node: a node is fully built before the release store that
 * publishes it, and every later change publishes a new node instead. */
#ifndef ROUTEX_RIB_H
#define ROUTEX_RIB_H

#include <routex/rib-t.h>

/* ---- keys (shared by the tree and its tests) ---- */
struct rib_key rib_key_of(const struct rx_prefix *p);
void rib_key_to_prefix(uint8_t afi, const struct rib_key *k, uint8_t len, struct rx_prefix *p);

static inline const struct rib_path *rib_node_paths(const struct rib_tree *t,
						    const struct rib_node *n)
{
	return (const struct rib_path *)((const char *)n + (n->inner ? t->inner_hdr : t->leaf_hdr));
}
/* The child slots of an inner node (writer), or NULL for a leaf. */
static inline struct rib_node **rib_node_slots(const struct rib_tree *t, struct rib_node *n)
{
	return n->inner ? (struct rib_node **)((char *)n + t->child_off) : NULL;
}
/* Reader: child b of n (NULL for a leaf), with the acquire load that pairs with its
 * publication. */
static inline const struct rib_node *rib_node_child_rcu(const struct rib_tree *t,
							const struct rib_node *n, unsigned b)
{
	if (!n->inner)
		return NULL;
	struct rib_node *const *c = (struct rib_node *const *)((const char *)n + t->child_off);
	return rx_rcu_deref(c[b]);
}
static inline struct rib_key rib_node_key(const struct rib_tree *t, const struct rib_node *n)
{
	struct rib_key k;
	if (t->afi == RX_AFI_IPV4) {
		k.hi = (uint64_t)n->key4 << 32;
		k.lo = 0;
	} else {
		__builtin_memcpy(&k, (const char *)n + 8, sizeof(k));
	}
	return k;
}
void rib_node_prefix(const struct rib_tree *t, const struct rib_node *n, struct rx_prefix *p);

/* ---- radix tree (radix.c) ---- */
void radix_init(struct rib_tree *t, uint8_t afi);
/* Frees every node at once: only when no reader remains (after rx_retire_sync). */
void radix_fini(struct rib_tree *t);

/* Writer: where a key is or would go. */
struct radix_pos {
	struct rib_node **slot;	 /* the slot holding the node at or below the key, or holding
				  * the leaf that covers it (`below`) */
	struct rib_node **pslot; /* the slot of the parent of *slot; NULL at the root */
	struct rib_node *node;	 /* the node with exactly this key (may be glue), or NULL */
	struct rib_node *below;	 /* a leaf covering the key: the key goes under it */
	unsigned depth;		 /* slot's level below the root slot (IPv4 finger, radix.c) */
};
void radix_seek_w(struct rib_tree *t, const struct rib_key *k, uint8_t len, struct radix_pos *pos);
/* Writer, IPv4: the descents radix_seek_w would make for n keys (host order) and lengths,
 * only loading the nodes on the way, all n at once so that their cache misses overlap. A
 * pass over a peer's key list (flush, sweep) touches its next keys before changing them,
 * instead of stalling on one miss per descent. Changes nothing, the finger included. */
#define RADIX_TOUCH_MAX 16
void radix_touch4_w(const struct rib_tree *t, const uint32_t *k4, const uint8_t *len, unsigned n);
/* Publishes paths (n >= 1) for the key sought: replaces pos->node or inserts a node (and a
 * glue node when needed). The old node, if any, goes to rx_retire. */
void radix_put_w(struct rib_tree *t, struct rx_retire *r, const struct rib_key *k, uint8_t len,
		 const struct radix_pos *pos, const struct rib_path *paths, unsigned n,
		 unsigned n_ecmp);
/* Removes the prefix at pos->node (which has paths), pruning glue nodes left with one child. */
void radix_remove_w(struct rib_tree *t, struct rx_retire *r, const struct radix_pos *pos);

/* Readers. Lengths and keys must be canonical (host bits zero). */
const struct rib_node *radix_find_rcu(const struct rib_tree *t, const struct rib_key *k,
				      uint8_t len);
const struct rib_node *radix_lpm_rcu(const struct rib_tree *t, const struct rib_key *k);
/* Fast path for IPv4: addr in host order. */
const struct rib_node *radix_lpm4_rcu(const struct rib_tree *t, uint32_t addr);
/* Calls cb for every prefix in order (rx_prefix_cmp order), restricted to the more-specifics
 * of `within` (itself included) when not NULL, starting after `after` (exclusive) when not
 * NULL, stopping after `limit` prefixes (0: no limit) or when cb returns false. Returns the
 * number of prefixes passed to cb; *last (if not NULL) gets the last one, the key to resume
 * from after leaving the read-side section (chunked walks never keep a pointer). */
size_t radix_walk_rcu(const struct rib_tree *t, const struct rx_prefix *within,
		      const struct rx_prefix *after, size_t limit, rib_walk_cb cb, void *arg,
		      struct rx_prefix *last);

/* ---- decision process (decide.c) ---- */
/* Compares a and b; < 0 when a is better. cmp_med false skips the MED step altogether;
 * otherwise MED is compared when the neighbour ASes match or always_compare_med is set.
 * *step (if not NULL) gets the step that decided. */
int decide_cmp(const struct rib *rib, const struct rib_path *a, const struct rib_path *b,
	       bool cmp_med, enum decide_step *step);
/* Sorts n paths best first, the ECMP set first of all; returns the ECMP set's size.
 * Deterministic: the result does not depend on the input order. Paths that are not
 * selectable (decide_hidden) come last and are never in the ECMP set, which is then empty
 * when every path is hidden. */
unsigned decide_sort(struct rib *rib, struct rib_path *paths, unsigned n);
/* Not selectable: RPKI invalid under `invalid: drop` (rib_conf.rpki_drop_invalid). */
bool decide_hidden(const struct rib *rib, const struct rib_path *p);
/* How many of a node's paths are selectable: they come first, the hidden ones last. */
unsigned rib_node_selectable(const struct rib *rib, const struct rib_tree *t,
			     const struct rib_node *nd);
const char *decide_step_name(enum decide_step s);

/* ---- the RIB (rib.c) ---- */
void rib_conf_default(struct rib_conf *c);
/* The calling thread must be registered with RCU (rx_rcu_register). */
void rib_init(struct rib *rib, const struct rib_conf *conf);
/* Frees everything; no reader may remain. */
void rib_fini(struct rib *rib);

/* Registers a source (1 .. RIB_MAX_PEERS-1; RIB_SRC_LOCAL exists from the start). */
void rib_peer_add_w(struct rib *rib, uint16_t src, const struct rib_peer_info *info);
/* Flushes its routes and forgets the source. */
void rib_peer_remove_w(struct rib *rib, uint16_t src);

/* Announces (or replaces) the path (src, path_id) for prefix p with attribute set a.
 * The RIB takes its own reference on a. Returns true when the prefix's best path or ECMP set
 * changed. A change is logged whenever the selectable candidates changed, which includes
 * that case. p must be canonical. */
bool rib_update_w(struct rib *rib, uint16_t src, uint32_t path_id, const struct rx_prefix *p,
		  struct attr_set *a);
/* The same with the path's RPKI state (enum rib_rpki), validated by the caller. */
bool rib_update_rpki_w(struct rib *rib, uint16_t src, uint32_t path_id, const struct rx_prefix *p,
		       struct attr_set *a, uint8_t rpki);
/* A ROA change: gives every validated path (rpki != RIB_RPKI_NONE) at prefix p its new
 * state fn(path); when one changes, the decision runs again (a path can become hidden or
 * selectable) and a change is logged if the ECMP set moved. Returns true in that case. */
typedef uint8_t (*rib_rpki_fn)(const struct rib_path *path, const struct rx_prefix *p, void *arg);
bool rib_rpki_update_w(struct rib *rib, const struct rx_prefix *p, rib_rpki_fn fn, void *arg);
/* `invalid: drop` switched on or off (reload): sets the policy; then the caller runs
 * rib_rpki_redecide_w on every prefix (only those with an invalid path can change). */
void rib_rpki_policy_w(struct rib *rib, bool drop_invalid);
/* Runs the decision again at p, once per prefix after a switch (the node was sorted under
 * the other policy); true when its ECMP set moved. A change is logged when its selectable
 * candidates moved. */
bool rib_rpki_redecide_w(struct rib *rib, const struct rx_prefix *p);
/* Withdraws the path (src, path_id) for p; returns true when best or ECMP set changed.
 * Withdrawing a path that is not there is a no-op (RFC 4271 allows it). */
bool rib_withdraw_w(struct rib *rib, uint16_t src, uint32_t path_id, const struct rx_prefix *p);

/* Peer down: withdraws every path of src, in time proportional to its routes. Returns the
 * number of paths removed. */
size_t rib_peer_flush_w(struct rib *rib, uint16_t src);
/* The same in steps: visits at most `budget` of the peer's prefixes, so that the caller can
 * export the change log between steps and keep its memory bounded; *done when none is left.
 * No other operation on src may come between the steps. */
size_t rib_peer_flush_some_w(struct rib *rib, uint16_t src, size_t budget, bool *done);
/* Route refresh / graceful restart: marks every current path of src stale (O(1)); paths
 * announced again afterwards are fresh; rib_peer_sweep_w then withdraws the stale rest. */
void rib_peer_mark_stale_w(struct rib *rib, uint16_t src);
/* How many IPv4 keys flush and sweep touch at once before changing them (radix_touch4_w;
 * default 8, at most RADIX_TOUCH_MAX; 0: none). For A/B measurements: the result of every
 * operation is the same whatever the setting. */
void rib_touch_ahead_w(struct rib *rib, unsigned n);
size_t rib_peer_sweep_w(struct rib *rib, uint16_t src);
static inline bool rib_path_stale(const struct rib *rib, const struct rib_path *p)
{
	return p->gen != rib->peers[p->src].gen;
}

/* Change log: takes the batch logged so far (out must be zeroed or released). */
void rib_changes_take_w(struct rib *rib, struct rib_changes *out);
/* Drops the batch's attr references and memory. */
void rib_changes_release_w(struct rib *rib, struct rib_changes *c);

/* Between batches, holding no node pointer: passes a quiescent state and frees retired
 * memory whose grace period has ended. */
void rib_quiescent_w(struct rib *rib);

/* Readers. */
static inline const struct rib_tree *rib_tree(const struct rib *rib, uint8_t afi)
{
	return &rib->tree[afi == RX_AFI_IPV4 ? 0 : 1];
}
const struct rib_node *rib_find_rcu(const struct rib *rib, const struct rx_prefix *p);
/* Longest match for an address (p->len is ignored). */
const struct rib_node *rib_lpm_rcu(const struct rib *rib, const struct rx_prefix *addr);
/* Longest match as a prefix: *out gets the longest prefix holding addr; false for none.
 * IPv4 uses the DIR-24-8 index when it is on (rib_conf.lpm_index, lpm.h): one or two
 * memory accesses instead of a descent; the paths are then one rib_find_rcu away. */
bool rib_lpm_prefix_rcu(const struct rib *rib, const struct rx_prefix *addr,
			struct rx_prefix *out);
/* Writer (rib.c): an IPv4 prefix gained its first path (present) or lost its last one;
 * keeps the index in step with the tree (lpm.c). */
void rib_lpm_track_w(struct rib *rib, const struct rib_key *k, uint8_t len, bool present);

/* Counters (writer's view). */
void rib_stats(const struct rib *rib, struct rib_stats *s);

#endif
