/* lpm.h: a DIR-24-8 longest-prefix-match index over the IPv4 radix tree (src/rib/lpm.c).
 *
 * The binary radix tree answers a longest match with ~20-25 dependent cache misses on a
 * full table (0.4-1M lookups/s on random addresses, docs/rib.md). This index answers it
 * with one memory access, two for addresses under a prefix longer than /24:
 *   tbl24[addr >> 8]   2^24 entries of 2 bytes (32 MiB): either the length + 1 of the
 *                      longest prefix of length <= 24 covering that /24 (0: none), or,
 *                      with RIB_LPM_GROUP set, the index of a tbl8 group;
 *   group->e[addr & 255]  256 entries of 2 bytes, the length + 1 of the longest prefix
 *                      covering that address, for a /24 under which prefixes longer than
 *                      /24 exist.
 * The answer is a prefix length: the matching prefix is the address masked to it (the
 * node with its paths is then one exact lookup away, rib_find_rcu). Lengths, not node
 * pointers, are stored because a prefix's node is replaced on every path change while
 * its length never changes: the index is written only when a prefix gains its first path
 * or loses its last one, so route churn (replacing paths) does not touch it.
 *
 * Synchronisation table:
 *   lpm_add_w, lpm_del_w, lpm_new, lpm_free   the decision thread only (the tree's writer)
 *   lpm4_find_rcu                             any registered RCU reader, concurrently with
 *                                             the writer and each other
 * Consistency: every entry is one 2-byte atomic word, stored after the tree change it
 * reflects. A reader's answer for an address is the longest match the tree gave for that
 * address at some moment between the reader's start and end of the lookup, or just before
 * the start (the entry may lag the tree by the one change being applied). Two lookups are
 * not a snapshot of one tree state; the tree's own walks are not either.
 * Groups are never edited into another /24's group: a group that is no longer needed is
 * unhooked and retired (freed after a grace period), its index reused at once. A reader
 * that read a group index before its reuse finds the new group's owner differs from its
 * /24 and reads the tbl24 entry again (which the writer changed before freeing the index).
 *
 * IPv6 has no index: its longest match is the tree's (radix_lpm_rcu), ~1M lookups/s on a
 * full table. The IPv6 table is 1/5 of IPv4's and nothing in the daemon looks up IPv6
 * addresses at a high rate. */
#ifndef ROUTEX_LPM_H
#define ROUTEX_LPM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <routex/rcu.h>

#define RIB_LPM_GROUP	   0x8000u /* tbl24 entry: the low 15 bits index a tbl8 group */
#define RIB_LPM_MAX_GROUPS 32768u  /* 15 bits: /24s with a longer prefix beneath */

struct rib_tree;

struct rib_lpm_group {
	uint32_t owner;	  /* the /24 (addr >> 8) it belongs to; immutable */
	uint16_t e[256];  /* A: relaxed; length + 1, 0: no match */
};

struct rib_lpm {
	uint16_t *tbl24;		/* A: 2^24 entries, mmap'd (untouched pages cost nothing) */
	struct rib_lpm_group **groups;	/* R: RIB_LPM_MAX_GROUPS slots */
	uint32_t *longer;		/* W: per group, prefixes longer than /24 under it */
	uint16_t *free_ids;		/* W: group indexes free for reuse */
	uint32_t n_free, next_id;	/* W */
	bool overflow;			/* A: relaxed; more than RIB_LPM_MAX_GROUPS were needed */
	bool dflt;			/* A: relaxed; 0.0.0.0/0 is present. Kept apart so that the
					 * default route, common from NVAs, costs one store and not
					 * 2^24 of them when it comes and goes */
	size_t n_groups;		/* W: groups in use */
	size_t retired;			/* W: groups handed to RCU so far */
};

/* Allocates the index (reserves 32 MiB of address space for tbl24; pages are touched as
 * prefixes cover them: a full table touches all of it). */
struct rib_lpm *lpm_new(void);
/* Frees everything; no reader may remain and retired groups must have been freed. */
void lpm_free(struct rib_lpm *l);

/* A prefix (addr/len, host order, host bits zero) gained its first path in t. */
void lpm_add_w(struct rib_lpm *l, struct rx_retire *r, uint32_t addr, uint8_t len);
/* A prefix lost its last path; t no longer holds it (the covering prefix's length is
 * taken from t). */
void lpm_del_w(struct rib_lpm *l, struct rx_retire *r, const struct rib_tree *t, uint32_t addr,
	       uint8_t len);

/* Bytes the index holds: tbl24 (all of it), the group table and the groups in use. */
size_t lpm_bytes(const struct rib_lpm *l);

/* The length of the longest prefix holding addr (host order), or -1 for none. Only
 * meaningful while lpm_overflowed() is false. */
static inline int lpm4_find_rcu(const struct rib_lpm *l, uint32_t addr)
{
	for (;;) {
		/* acquire: pairs with the release store of a new group index */
		uint16_t e = __atomic_load_n(&l->tbl24[addr >> 8], __ATOMIC_ACQUIRE);
		if (e & RIB_LPM_GROUP) {
			const struct rib_lpm_group *g =
			    rx_rcu_deref(l->groups[e & ~RIB_LPM_GROUP]);
			if (!g || g->owner != addr >> 8)
				continue; /* see below */
			/* relaxed: each entry is a value on its own, no pointer to follow */
			e = __atomic_load_n(&g->e[addr & 0xff], __ATOMIC_RELAXED);
		}
		/* no longer match: the default route, if any */
		return e ? (int)e - 1 : (int)__atomic_load_n(&l->dflt, __ATOMIC_RELAXED) - 1;
		/* the index was reused for another /24: our tbl24 entry changed; read it again */
	}
}

/* The writer ran out of groups: the index stopped being maintained and readers must use
 * the tree. A peer can cause that (prefixes longer than /24 under 32,768 distinct /24s),
 * so it is a state, not an assertion. */
static inline bool lpm_overflowed(const struct rib_lpm *l)
{
	return __atomic_load_n(&l->overflow, __ATOMIC_RELAXED);
}

#endif
