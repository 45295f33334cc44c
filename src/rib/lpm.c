/* lpm.c: the DIR-24-8 longest-prefix-match index beside the IPv4 radix tree (lpm.h has the
 * layout, the consistency readers get and the synchronisation table).
 *
 * Design:
 *   - Written by the decision thread only, right after the tree change it mirrors, and
 *     only when a prefix appears or disappears (rib.c modify()); path changes leave it be.
 *   - Entries hold length + 1 (0: no match), so adding P = a/L sets every entry in P's
 *     range that holds a shorter length (those are matched by prefixes covering P) and
 *     keeps the longer ones (more-specifics of P); removing P sets the entries that hold L
 *     (in P's range only P has that length) to the length of the longest prefix covering
 *     P that is left in the tree, found by one descent.
 *   - A /24 gets a tbl8 group when the first prefix longer than /24 appears under it, and
 *     loses it (back to one tbl24 entry) when the last one goes; a counter per group says
 *     when. Groups are built fully before their index is published (release stores), and
 *     retired through RCU rather than freed.
 *   - Cost: a /L with L <= 24 touches 2^(24-L) tbl24 entries: 1 for a /24, 256 for a /16,
 *     65,536 for a /8. A real table averages ~ 40 per prefix; see docs/rib.md. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <routex/compiler.h>
#include <routex/lpm.h>
#include <routex/rib.h>

#define TBL24_N	    (1u << 24)
#define TBL24_BYTES ((size_t)TBL24_N * sizeof(uint16_t))

struct rib_lpm *lpm_new(void)
{
	struct rib_lpm *l = calloc(1, sizeof(*l));
	RX_ASSERT(l);
	/* Anonymous pages read as zero (no match) and cost memory only once written. */
	void *m = mmap(NULL, TBL24_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		       0);
	RX_ASSERT(m != MAP_FAILED); /* out of memory, as a failed malloc */
	/* Random lookups over 32 MiB: 4 KiB pages would add a TLB miss to nearly every one. */
	(void)madvise(m, TBL24_BYTES, MADV_HUGEPAGE);
	l->tbl24 = m;
	l->groups = calloc(RIB_LPM_MAX_GROUPS, sizeof(*l->groups));
	l->longer = calloc(RIB_LPM_MAX_GROUPS, sizeof(*l->longer));
	l->free_ids = calloc(RIB_LPM_MAX_GROUPS, sizeof(*l->free_ids));
	RX_ASSERT(l->groups && l->longer && l->free_ids);
	return l;
}

void lpm_free(struct rib_lpm *l)
{
	if (!l)
		return;
	for (uint32_t i = 0; i < l->next_id; i++)
		free(l->groups[i]);
	munmap(l->tbl24, TBL24_BYTES);
	free(l->groups);
	free(l->longer);
	free(l->free_ids);
	free(l);
}

size_t lpm_bytes(const struct rib_lpm *l)
{
	return TBL24_BYTES + RIB_LPM_MAX_GROUPS * (sizeof(*l->groups) + sizeof(*l->longer) +
						   sizeof(*l->free_ids)) +
	       l->n_groups * sizeof(struct rib_lpm_group);
}

static inline uint16_t ld(const uint16_t *e)
{
	return __atomic_load_n(e, __ATOMIC_RELAXED); /* the writer's own value */
}
/* Relaxed: an entry is a plain value; readers follow no pointer from it. Group indexes
 * are stored with release (set_group). */
static inline void st(uint16_t *e, uint16_t v)
{
	__atomic_store_n(e, v, __ATOMIC_RELAXED);
}

/* Entries [from, from + n) of a group: those shorter than v become v. */
static void raise_range(uint16_t *e, size_t n, uint16_t v)
{
	for (size_t i = 0; i < n; i++)
		if (ld(&e[i]) < v)
			st(&e[i], v);
}
/* Entries that hold v become to. */
static void replace_range(uint16_t *e, size_t n, uint16_t v, uint16_t to)
{
	for (size_t i = 0; i < n; i++)
		if (ld(&e[i]) == v)
			st(&e[i], to);
}

static struct rib_lpm_group *group_of(const struct rib_lpm *l, uint16_t e)
{
	return l->groups[e & ~RIB_LPM_GROUP];
}

/* The group of the /24 at index i, made from its single entry if it has none; NULL when
 * every group is taken (the index is then switched off). */
static struct rib_lpm_group *group_get(struct rib_lpm *l, uint32_t i, uint32_t *id)
{
	uint16_t e = ld(&l->tbl24[i]);
	if (e & RIB_LPM_GROUP) {
		*id = e & ~RIB_LPM_GROUP;
		return l->groups[*id];
	}
	if (l->n_free)
		*id = l->free_ids[--l->n_free];
	else if (l->next_id < RIB_LPM_MAX_GROUPS)
		*id = l->next_id++;
	else
		return NULL;
	struct rib_lpm_group *g = malloc(sizeof(*g));
	RX_ASSERT(g);
	g->owner = i;
	for (unsigned k = 0; k < 256; k++)
		g->e[k] = e;
	l->longer[*id] = 0;
	l->n_groups++;
	/* the group before its index, the index before the entry: a reader that finds the
	 * entry finds the group, and the group full */
	rx_rcu_assign(l->groups[*id], g);
	__atomic_store_n(&l->tbl24[i], (uint16_t)(RIB_LPM_GROUP | *id), __ATOMIC_RELEASE);
	return g;
}

/* The /24 at i no longer needs its group: all its entries now hold the same value. */
static void group_drop(struct rib_lpm *l, struct rx_retire *r, uint32_t i, uint32_t id)
{
	struct rib_lpm_group *g = l->groups[id];
	/* Entry first, then the slot: a reader that still holds the old index and finds the
	 * slot changed reads the entry again and sees the plain value. */
	__atomic_store_n(&l->tbl24[i], ld(&g->e[0]), __ATOMIC_RELEASE);
	rx_rcu_assign(l->groups[id], NULL);
	rx_retire(r, g, NULL);
	l->retired++;
	l->n_groups--;
	l->free_ids[l->n_free++] = (uint16_t)id;
}

void lpm_add_w(struct rib_lpm *l, struct rx_retire *r, uint32_t addr, uint8_t len)
{
	if (lpm_overflowed(l))
		return;
	if (len == 0) {
		__atomic_store_n(&l->dflt, true, __ATOMIC_RELAXED);
		return;
	}
	uint16_t v = (uint16_t)(len + 1);
	if (len <= 24) {
		uint32_t first = addr >> 8, n = 1u << (24 - len);
		for (uint32_t i = first; i < first + n; i++) {
			uint16_t e = ld(&l->tbl24[i]);
			if (e & RIB_LPM_GROUP)
				raise_range(group_of(l, e)->e, 256, v);
			else if (e < v)
				st(&l->tbl24[i], v);
		}
		return;
	}
	uint32_t id;
	struct rib_lpm_group *g = group_get(l, addr >> 8, &id);
	if (!g) {
		__atomic_store_n(&l->overflow, true, __ATOMIC_RELAXED);
		return;
	}
	l->longer[id]++;
	raise_range(g->e + (addr & 0xff), (size_t)1 << (32 - len), v);
}

/* Length + 1 of the longest prefix in t that covers addr/len and is shorter than len
 * (0: none; the default route is not in the tables, see lpm.h). The writer's own tree: plain loads would do, the reader helpers are fine. */
static uint16_t cover(const struct rib_tree *t, uint32_t addr, uint8_t len)
{
	const struct rib_node *nd = rx_rcu_deref(t->root);
	uint16_t best = 0;
	while (nd && nd->len < len) {
		unsigned l = nd->len;
		uint32_t mask = l ? ~0u << (32 - l) : 0;
		if ((addr ^ nd->key4) & mask)
			break;
		if (nd->n && l)
			best = (uint16_t)(l + 1);
		nd = rib_node_child_rcu(t, nd, (addr >> (31 - l)) & 1);
	}
	return best;
}

void lpm_del_w(struct rib_lpm *l, struct rx_retire *r, const struct rib_tree *t, uint32_t addr,
	       uint8_t len)
{
	if (lpm_overflowed(l))
		return;
	if (len == 0) {
		__atomic_store_n(&l->dflt, false, __ATOMIC_RELAXED);
		return;
	}
	uint16_t v = (uint16_t)(len + 1), to = cover(t, addr, len);
	if (len <= 24) {
		uint32_t first = addr >> 8, n = 1u << (24 - len);
		for (uint32_t i = first; i < first + n; i++) {
			uint16_t e = ld(&l->tbl24[i]);
			if (e & RIB_LPM_GROUP)
				replace_range(group_of(l, e)->e, 256, v, to);
			else if (e == v)
				st(&l->tbl24[i], to);
		}
		return;
	}
	uint16_t e = ld(&l->tbl24[addr >> 8]);
	RX_ASSERT(e & RIB_LPM_GROUP); /* a prefix longer than /24 was added under it */
	uint32_t id = e & ~RIB_LPM_GROUP;
	struct rib_lpm_group *g = l->groups[id];
	replace_range(g->e + (addr & 0xff), (size_t)1 << (32 - len), v, to);
	if (--l->longer[id] == 0)
		group_drop(l, r, addr >> 8, id);
}

/* ---- the RIB's use of it ---- */

void rib_lpm_track_w(struct rib *rib, const struct rib_key *k, uint8_t len, bool present)
{
	uint32_t a = (uint32_t)(k->hi >> 32);
	if (present)
		lpm_add_w(rib->lpm, &rib->retire, a, len);
	else
		lpm_del_w(rib->lpm, &rib->retire, &rib->tree[0], a, len);
}

bool rib_lpm_prefix_rcu(const struct rib *rib, const struct rx_prefix *addr,
			struct rx_prefix *out)
{
	if (addr->afi == RX_AFI_IPV4 && rib->lpm && !lpm_overflowed(rib->lpm)) {
		uint32_t a = (uint32_t)addr->addr[0] << 24 | (uint32_t)addr->addr[1] << 16 |
			     (uint32_t)addr->addr[2] << 8 | addr->addr[3];
		int len = lpm4_find_rcu(rib->lpm, a);
		if (len < 0)
			return false;
		memset(out, 0, sizeof(*out));
		out->afi = RX_AFI_IPV4;
		out->len = (uint8_t)len;
		memcpy(out->addr, addr->addr, 4);
		rx_prefix_mask(out);
		return true;
	}
	const struct rib_node *nd = rib_lpm_rcu(rib, addr);
	if (!nd)
		return false;
	rib_node_prefix(rib_tree(rib, addr->afi), nd, out);
	return true;
}
