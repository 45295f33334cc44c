/* radix.c: the RCU path-compressed binary radix tree under each address family's RIB.
 *
 * Design:
 *   - Single writer (the decision thread), any number of RCU readers.
 *   - A node's key, length and paths never change after it is published; the child
 *     pointers of inner nodes are the only words the writer stores into a live node, one
 *     release store per structural change. Every change leaves the tree valid at each store:
 *       insert leaf        *slot = new leaf
 *       insert under leaf  inner copy of the leaf with the new leaf as a child; *slot = copy
 *       insert above       new inner node N with N->child[b] = old subtree; *slot = N
 *       insert with glue   glue G {old subtree, new leaf}; *slot = G
 *       replace paths      copy of the node with the same children; *slot = copy
 *       remove, 2 children glue copy with the same children; *slot = glue
 *       remove, <= 1 child *slot = the child (or NULL); then a glue parent left with one
 *                          child is spliced out the same way, and a prefix parent left
 *                          with none is replaced by its leaf form
 *     Removed nodes keep their child pointers, so a reader standing on one still walks a
 *     valid (if older) subtree; they are freed through rx_retire after a grace period.
 *   - Invariants: glue nodes (n == 0) have two children; a child's prefix is strictly
 *     longer than its parent's and within it; preorder (node, child 0, child 1) is
 *     rx_prefix_cmp order, so ordered walks need no sorting and resume from a key.
 *   - Keys are host-order words (struct rib_key), so matching a node costs one XOR and
 *     a shift; IPv4 nodes keep a 32-bit key and are 24 bytes before their paths. */
#include <stdlib.h>
#include <string.h>

#include <routex/compiler.h>
#include <routex/rib.h>

static inline uint64_t be64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return __builtin_bswap64(v);
}
static inline uint32_t be32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return __builtin_bswap32(v);
}

static inline unsigned key_bit(const struct rib_key *k, unsigned i)
{
	return i < 64 ? (unsigned)(k->hi >> (63 - i)) & 1 : (unsigned)(k->lo >> (127 - i)) & 1;
}

/* Leading bits a and b share, at most max. */
static inline unsigned key_common(const struct rib_key *a, const struct rib_key *b, unsigned max)
{
	uint64_t x = a->hi ^ b->hi;
	unsigned c;
	if (x)
		c = (unsigned)__builtin_clzll(x);
	else if ((x = a->lo ^ b->lo))
		c = 64 + (unsigned)__builtin_clzll(x);
	else
		c = 128;
	return c < max ? c : max;
}

static inline void key_mask(struct rib_key *k, unsigned len)
{
	if (len == 0) {
		k->hi = k->lo = 0;
	} else if (len < 64) {
		k->hi &= ~0ull << (64 - len);
		k->lo = 0;
	} else if (len == 64) {
		k->lo = 0;
	} else if (len < 128) {
		k->lo &= ~0ull << (128 - len);
	}
}

struct rib_key rib_key_of(const struct rx_prefix *p)
{
	struct rib_key k = {0, 0};
	if (p->afi == RX_AFI_IPV4) {
		k.hi = (uint64_t)be32(p->addr) << 32;
	} else {
		k.hi = be64(p->addr);
		k.lo = be64(p->addr + 8);
	}
	key_mask(&k, p->len);
	return k;
}

void rib_key_to_prefix(uint8_t afi, const struct rib_key *k, uint8_t len, struct rx_prefix *p)
{
	memset(p, 0, sizeof(*p));
	p->afi = afi;
	p->len = len;
	uint64_t hi = __builtin_bswap64(k->hi), lo = __builtin_bswap64(k->lo);
	if (afi == RX_AFI_IPV4) {
		memcpy(p->addr, &hi, 4);
	} else {
		memcpy(p->addr, &hi, 8);
		memcpy(p->addr + 8, &lo, 8);
	}
}

void rib_node_prefix(const struct rib_tree *t, const struct rib_node *n, struct rx_prefix *p)
{
	struct rib_key k = rib_node_key(t, n);
	rib_key_to_prefix(t->afi, &k, n->len, p);
}

void radix_init(struct rib_tree *t, uint8_t afi)
{
	memset(t, 0, sizeof(*t));
	t->afi = afi;
	t->maxlen = afi == RX_AFI_IPV4 ? 32 : 128;
	t->leaf_hdr = afi == RX_AFI_IPV4 ? 8 : 24;
	t->child_off = t->leaf_hdr;
	t->inner_hdr = (uint8_t)(t->leaf_hdr + 2 * sizeof(struct rib_node *));
	static const char *const names[2] = {"rib-node4", "rib-node6"};
	/* [0]: one-path leaves and glue nodes (same size); [1]: one-path inner nodes */
	size_t sizes[RIB_POOL_CLASSES] = {t->inner_hdr, t->inner_hdr + sizeof(struct rib_path)};
	for (unsigned i = 0; i < RIB_POOL_CLASSES; i++) {
		pool_init(&t->pools[i], names[afi == RX_AFI_IPV4 ? 0 : 1], sizes[i]);
		pool_set_huge(&t->pools[i]);
	}
}

static inline size_t node_size(const struct rib_tree *t, bool inner, unsigned n)
{
	return (inner ? t->inner_hdr : t->leaf_hdr) + (size_t)n * sizeof(struct rib_path);
}

static inline struct rx_pool *size_pool(struct rib_tree *t, size_t size)
{
	if (size == t->inner_hdr)
		return &t->pools[0];
	if (size == t->inner_hdr + sizeof(struct rib_path))
		return &t->pools[1];
	return NULL;
}

static struct rib_node *node_alloc(struct rib_tree *t, bool inner, unsigned n)
{
	size_t size = node_size(t, inner, n);
	struct rx_pool *pool = size_pool(t, size);
	struct rib_node *nd;
	if (pool) {
		nd = pool_alloc(pool);
		/* The pool's free list is threaded through the freed nodes themselves (pool.h),
		 * so the next allocation's first act is a load from the next free node: after a
		 * flush of a million nodes that is a cache miss per allocation, the largest
		 * single cost of a table load into reused memory. Fetch it now, a whole insert
		 * before it is needed. (Sanitizer builds keep no free list: NULL, no fault.) */
		__builtin_prefetch(pool->free_list, 1);
	} else {
		nd = malloc(size);
		RX_ASSERT(nd);
		t->heap_bytes += size;
	}
	t->live_bytes += size;
	return nd;
}

/* Frees a node no reader can reach any more (fini), or retires one they still might. */
static void node_release(struct rib_tree *t, struct rx_retire *r, struct rib_node *nd)
{
	size_t size = node_size(t, nd->inner, nd->n);
	struct rx_pool *pool = size_pool(t, size);
	t->live_bytes -= size;
	if (!pool)
		t->heap_bytes -= size;
	if (r)
		rx_retire(r, nd, pool);
	else if (pool)
		pool_free(pool, nd);
	else
		free(nd);
}

/* Inlined: it runs ~1.9 times per insert, and its call overhead (register saves, argument
 * moves) was a fifth of its cost; at each call site inner and n are mostly constants. */
static inline __attribute__((always_inline)) struct rib_node *
node_new(struct rib_tree *t, const struct rib_key *k, uint8_t len, bool inner,
	 const struct rib_path *paths, unsigned n, unsigned n_ecmp)
{
	struct rib_node *nd = node_alloc(t, inner, n);
	nd->len = len;
	nd->n = (uint16_t)n;
	nd->n_ecmp = (uint8_t)(n_ecmp & RIB_MAX_ECMP);
	nd->inner = inner;
	if (t->afi == RX_AFI_IPV4) {
		nd->key4 = (uint32_t)(k->hi >> 32);
	} else {
		nd->key4 = 0;
		memcpy((char *)nd + 8, k, sizeof(*k));
	}
	if (inner) {
		struct rib_node **c = rib_node_slots(t, nd);
		c[0] = c[1] = NULL;
	}
	struct rib_path *dst = (struct rib_path *)rib_node_paths(t, nd);
	if (n == 1)
		dst[0] = paths[0]; /* the common case: no library call */
	else if (n)
		memcpy(dst, paths, n * sizeof(struct rib_path));
	return nd;
}

static void free_subtree(struct rib_tree *t, struct rib_node *nd)
{
	while (nd) {
		struct rib_node **c = rib_node_slots(t, nd), *next = NULL;
		if (c) {
			free_subtree(t, c[0]);
			next = c[1];
		}
		node_release(t, NULL, nd);
		nd = next;
	}
}

void radix_fini(struct rib_tree *t)
{
	free_subtree(t, t->root);
	t->root = NULL;
	t->f_depth = 0;
	for (unsigned i = 0; i < RIB_POOL_CLASSES; i++)
		pool_fini(&t->pools[i]);
	t->prefixes = t->nodes = t->paths = 0;
	t->live_bytes = t->heap_bytes = 0;
}

/* The first l bits (0 <= l <= 32); no branch: a shift by 32 is done in 64 bits. */
static inline uint32_t mask4(unsigned l)
{
	return (uint32_t)(~0ull << (32 - l));
}

/* The deepest level of the finger a descent for k4 (of length len) passes. Every level of
 * the finger is passed by the last key sought, and level i by exactly the keys that share
 * its first f_len[i] bits and are at least that long; f_len grows with i. So it is the
 * deepest level with f_len no greater than the bits k4 shares with the last key, nor than
 * its length. */
static inline unsigned finger_level(const struct rib_tree *t, uint32_t k4, uint8_t len,
					   unsigned from)
{
	uint32_t x = k4 ^ t->f_last;
	unsigned lim = x ? (unsigned)__builtin_clz(x) : 32;
	if (lim > len)
		lim = len;
	unsigned i = from;
	while (i > 0 && t->f_len[i] > lim)
		i--;
	return i;
}
/* The scan can start at any level of the finger: a shallower result is still passed by
 * the key (f_len grows with the level), only further from it. seek4 starts at the bottom. */
static inline unsigned finger_bottom(const struct rib_tree *t)
{
	return t->f_depth ? t->f_depth - 1 : 0;
}

/* IPv4: 32-bit compares and a fixed child offset; half the instructions of the generic
 * descent, which dominated peer flush and table load.
 * The finger: the descent starts at the deepest slot of the previous descent that this
 * key also passes through (levels whose range holds the key), not at the root. Keys in
 * address order (table transfers, and flushes and sweeps of such a peer, whose key list
 * is in arrival order) share most of their path: ~25 levels on a full table, of which
 * the finger skips all but a few. radix_put_w and radix_remove_w cut the finger at the
 * slot they changed, so it never holds a slot inside a node that has been replaced. */
static void seek4(struct rib_tree *t, uint32_t k4, uint8_t len, struct radix_pos *pos)
{
	unsigned i = finger_level(t, k4, len, finger_bottom(t));
	t->f_last = k4;
	struct rib_node **slot = i ? t->f_slot[i] : &t->root;
	struct rib_node **pslot = i > 1 ? t->f_slot[i - 1] : i ? &t->root : NULL, *nd;
	while ((nd = *slot)) {
		unsigned l = nd->len;
		if (l > len)
			break;
		if ((k4 ^ nd->key4) & mask4(l))
			break;
		if (l == len) {
			pos->node = nd;
			break;
		}
		if (!nd->inner) {
			pos->below = nd; /* a leaf covers the key */
			break;
		}
		pslot = slot;
		slot = (struct rib_node **)((char *)nd + 8) + ((k4 >> (31 - l)) & 1);
		i++;
		t->f_slot[i] = slot;
		t->f_len[i] = (uint8_t)(l + 1);
	}
	t->f_depth = i + 1;
	pos->slot = slot;
	pos->pslot = pslot;
	pos->depth = i;
}

void radix_touch4_w(const struct rib_tree *t, const uint32_t *k4, const uint8_t *len, unsigned n)
{
	/* All n descents advance one level per round, so the round's loads are independent
	 * and their misses overlap; each node is prefetched a round before it is read. The
	 * keys are not matched against the nodes: a key that is not in the tree (a stale
	 * entry of a key list) only sends its descent down a wrong branch. Descents that are
	 * done leave the arrays, so a round costs only the live ones. */
	const struct rib_node *nd[RADIX_TOUCH_MAX];
	uint32_t kk[RADIX_TOUCH_MAX];
	uint8_t kl[RADIX_TOUCH_MAX];
	RX_ASSERT(n <= RADIX_TOUCH_MAX);
	/* Keys in address order (either way) share less and less with the finger's key, so
	 * each scan resumes where the previous one stopped: a few compares per key instead of
	 * a walk up from the bottom. In another order that start is merely shallower. */
	unsigned i = finger_bottom(t), m = 0;
	for (unsigned j = 0; j < n; j++) {
		i = finger_level(t, k4[j], len[j], i);
		const struct rib_node *x = i ? *t->f_slot[i] : t->root;
		if (!x)
			continue;
		__builtin_prefetch(x);
		nd[m] = x;
		kk[m] = k4[j];
		kl[m] = len[j];
		m++;
	}
	n = m;
	while (n) {
		unsigned live = 0;
		for (unsigned j = 0; j < n; j++) {
			const struct rib_node *x = nd[j];
			unsigned l = x->len;
			if (l >= kl[j] || !x->inner)
				continue;
			x = ((struct rib_node *const *)((const char *)x + 8))[(kk[j] >> (31 - l)) & 1];
			if (!x)
				continue;
			__builtin_prefetch(x);
			nd[live] = x;
			kk[live] = kk[j];
			kl[live] = kl[j];
			live++;
		}
		n = live;
	}
}

/* After a change at pos: the slots down to pos->slot stay (the nodes holding them were
 * not replaced); below it they may lie in replaced nodes. */
static inline void finger_cut(struct rib_tree *t, unsigned depth)
{
	if (t->f_depth > depth + 1)
		t->f_depth = depth + 1;
}

void radix_seek_w(struct rib_tree *t, const struct rib_key *k, uint8_t len, struct radix_pos *pos)
{
	struct rib_node **slot = &t->root, **pslot = NULL, *nd;
	pos->node = NULL;
	pos->below = NULL;
	pos->depth = 0;
	if (t->afi == RX_AFI_IPV4) {
		seek4(t, (uint32_t)(k->hi >> 32), len, pos);
		return;
	}
	while ((nd = *slot)) {
		if (nd->len > len)
			break;
		struct rib_key nk = rib_node_key(t, nd);
		if (key_common(k, &nk, nd->len) < nd->len)
			break;
		if (nd->len == len) {
			pos->node = nd;
			break;
		}
		struct rib_node **c = rib_node_slots(t, nd);
		if (!c) {
			pos->below = nd; /* a leaf covers the key */
			break;
		}
		pslot = slot;
		slot = &c[key_bit(k, nd->len)];
	}
	pos->slot = slot;
	pos->pslot = pslot;
}

/* A copy of nd with other paths (or none), the same key and the given form; an inner copy
 * keeps nd's children (an inner nd's, or none). */
static struct rib_node *node_copy(struct rib_tree *t, const struct rib_node *nd, bool inner,
				  const struct rib_path *paths, unsigned n, unsigned n_ecmp)
{
	struct rib_key k = rib_node_key(t, nd);
	struct rib_node *c = node_new(t, &k, nd->len, inner, paths, n, n_ecmp);
	if (inner && nd->inner) {
		struct rib_node **from = rib_node_slots(t, (struct rib_node *)nd);
		struct rib_node **to = rib_node_slots(t, c);
		to[0] = from[0];
		to[1] = from[1];
	}
	return c;
}

/* ---- IPv4 one-path inserts: most of a table load ----
 * On a sorted full table 84% of inserts add a glue node and a leaf, 7% a leaf in an empty
 * slot. Built here with the IPv4 layout's constant offsets and the pool known up front
 * (one-path leaves and glue nodes are both pool 0's 24 bytes), where the generic path
 * works out offsets, sizes and pools from the tree. */
static inline struct rib_node *alloc24(struct rib_tree *t)
{
	struct rx_pool *pool = &t->pools[0];
	struct rib_node *nd = pool_alloc(pool);
	__builtin_prefetch(pool->free_list, 1); /* see node_alloc */
	t->live_bytes += 24;
	return nd;
}

static inline struct rib_node *leaf4(struct rib_tree *t, uint32_t k4, uint8_t len,
				     const struct rib_path *p, unsigned n_ecmp)
{
	struct rib_node *nd = alloc24(t);
	*nd = (struct rib_node){.len = len, .n_ecmp = (uint8_t)(n_ecmp & RIB_MAX_ECMP),
			       .inner = 0, .n = 1, .key4 = k4};
	*(struct rib_path *)((char *)nd + 8) = *p;
	return nd;
}

/* Returns false when the case is not one of those two (the generic code takes it). */
static bool put4_one(struct rib_tree *t, uint32_t k4, uint8_t len, const struct radix_pos *pos,
		     const struct rib_path *p, unsigned n_ecmp)
{
	struct rib_node *at = *pos->slot;
	if (!at) {
		t->paths++;
		t->prefixes++;
		t->nodes++;
		rx_rcu_assign(*pos->slot, leaf4(t, k4, len, p, n_ecmp));
		return true;
	}
	uint32_t x = k4 ^ at->key4;
	unsigned c = x ? (unsigned)__builtin_clz(x) : 32;
	if (c > at->len)
		c = at->len;
	if (c >= len)
		return false; /* the new prefix covers the subtree: an inner node */
	struct rib_node *g = alloc24(t);
	*g = (struct rib_node){.len = (uint8_t)c, .inner = 1, .key4 = k4 & mask4(c)};
	struct rib_node **gc = (struct rib_node **)((char *)g + 8);
	unsigned b = (k4 >> (31 - c)) & 1;
	gc[b] = leaf4(t, k4, len, p, n_ecmp);
	gc[!b] = at;
	t->paths++;
	t->prefixes++;
	t->nodes += 2;
	rx_rcu_assign(*pos->slot, g);
	return true;
}

void radix_put_w(struct rib_tree *t, struct rx_retire *r, const struct rib_key *k, uint8_t len,
		 const struct radix_pos *pos, const struct rib_path *paths, unsigned n,
		 unsigned n_ecmp)
{
	RX_ASSERT(n >= 1);
	struct rib_node *old = pos->node;
	finger_cut(t, pos->depth);
	if (t->afi == RX_AFI_IPV4 && n == 1 && !old && !pos->below &&
	    put4_one(t, (uint32_t)(k->hi >> 32), len, pos, paths, n_ecmp))
		return;
	t->paths += n;
	if (old) {
		struct rib_node *nn = node_copy(t, old, old->inner, paths, n, n_ecmp);
		rx_rcu_assign(*pos->slot, nn);
		t->paths -= old->n;
		if (!old->n)
			t->prefixes++;
		node_release(t, r, old);
		return;
	}
	t->prefixes++;
	t->nodes++;
	if (pos->below) {
		/* the covering leaf becomes inner, with the new leaf as its child */
		struct rib_node *leaf = pos->below;
		struct rib_node *nn = node_new(t, k, len, false, paths, n, n_ecmp);
		struct rib_node *up =
		    node_copy(t, leaf, true, rib_node_paths(t, leaf), leaf->n, leaf->n_ecmp);
		rib_node_slots(t, up)[key_bit(k, leaf->len)] = nn;
		rx_rcu_assign(*pos->slot, up);
		node_release(t, r, leaf);
		return;
	}
	struct rib_node *at = *pos->slot;
	if (!at) {
		rx_rcu_assign(*pos->slot, node_new(t, k, len, false, paths, n, n_ecmp));
		return;
	}
	struct rib_key ak = rib_node_key(t, at);
	unsigned c = key_common(k, &ak, len < at->len ? len : at->len);
	if (c == len) {
		/* the new prefix covers the subtree at the slot */
		struct rib_node *nn = node_new(t, k, len, true, paths, n, n_ecmp);
		rib_node_slots(t, nn)[key_bit(&ak, len)] = at;
		rx_rcu_assign(*pos->slot, nn);
		return;
	}
	/* they part at bit c: a glue node at c holds both */
	struct rib_key gk = *k;
	key_mask(&gk, c);
	struct rib_node *g = node_new(t, &gk, (uint8_t)c, true, NULL, 0, 0);
	struct rib_node **gc = rib_node_slots(t, g);
	gc[key_bit(k, c)] = node_new(t, k, len, false, paths, n, n_ecmp);
	gc[key_bit(&ak, c)] = at;
	t->nodes++;
	rx_rcu_assign(*pos->slot, g);
}

void radix_remove_w(struct rib_tree *t, struct rx_retire *r, const struct radix_pos *pos)
{
	struct rib_node *old = pos->node;
	RX_ASSERT(old && old->n > 0);
	/* the node holding pos->slot may be spliced out or replaced below */
	finger_cut(t, pos->depth ? pos->depth - 1 : 0);
	t->prefixes--;
	t->paths -= old->n;
	struct rib_node **oc = rib_node_slots(t, old);
	struct rib_node *c0 = oc ? oc[0] : NULL, *c1 = oc ? oc[1] : NULL;
	if (c0 && c1) {
		rx_rcu_assign(*pos->slot, node_copy(t, old, true, NULL, 0, 0));
		node_release(t, r, old);
		return;
	}
	struct rib_node *child = c0 ? c0 : c1;
	rx_rcu_assign(*pos->slot, child);
	node_release(t, r, old);
	t->nodes--;
	if (child || !pos->pslot)
		return;
	struct rib_node *p = *pos->pslot;
	struct rib_node **pc = rib_node_slots(t, p);
	struct rib_node *other = pc[0] ? pc[0] : pc[1];
	if (p->n == 0) {
		/* a glue parent is left with one child: splice it out */
		RX_ASSERT(other);
		rx_rcu_assign(*pos->pslot, other);
		node_release(t, r, p);
		t->nodes--;
	} else if (!other) {
		/* a prefix parent with no child left goes back to its leaf form */
		rx_rcu_assign(*pos->pslot,
			      node_copy(t, p, false, rib_node_paths(t, p), p->n, p->n_ecmp));
		node_release(t, r, p);
	}
}

const struct rib_node *radix_find_rcu(const struct rib_tree *t, const struct rib_key *k,
				      uint8_t len)
{
	const struct rib_node *nd = rx_rcu_deref(t->root);
	while (nd) {
		if (nd->len > len)
			return NULL;
		struct rib_key nk = rib_node_key(t, nd);
		if (key_common(k, &nk, nd->len) < nd->len)
			return NULL;
		if (nd->len == len)
			return nd->n ? nd : NULL;
		nd = rib_node_child_rcu(t, nd, key_bit(k, nd->len));
	}
	return NULL;
}

const struct rib_node *radix_lpm4_rcu(const struct rib_tree *t, uint32_t addr)
{
	const struct rib_node *nd = rx_rcu_deref(t->root), *best = NULL;
	while (nd) {
		unsigned l = nd->len;
		uint32_t mask = l ? ~0u << (32 - l) : 0;
		if ((addr ^ nd->key4) & mask)
			break;
		if (nd->n)
			best = nd;
		if (!nd->inner || l == 32)
			break;
		struct rib_node *const *c = (struct rib_node *const *)((const char *)nd + 8);
		nd = rx_rcu_deref(c[(addr >> (31 - l)) & 1]);
	}
	return best;
}

const struct rib_node *radix_lpm_rcu(const struct rib_tree *t, const struct rib_key *k)
{
	if (t->afi == RX_AFI_IPV4)
		return radix_lpm4_rcu(t, (uint32_t)(k->hi >> 32));
	const struct rib_node *nd = rx_rcu_deref(t->root), *best = NULL;
	while (nd) {
		struct rib_key nk = rib_node_key(t, nd);
		if (key_common(k, &nk, nd->len) < nd->len)
			break;
		if (nd->n)
			best = nd;
		if (nd->len == t->maxlen)
			break;
		nd = rib_node_child_rcu(t, nd, key_bit(k, nd->len));
	}
	return best;
}

/* ---- ordered walks ---- */

struct walk {
	const struct rib_tree *t;
	rib_walk_cb cb;
	void *arg;
	size_t limit, count;
	bool stop;
	struct rx_prefix last;
	struct rib_key after;
	unsigned after_len;
};

static void emit(struct walk *w, const struct rib_node *nd)
{
	rib_node_prefix(w->t, nd, &w->last);
	w->count++;
	if (!w->cb(w->t, nd, &w->last, w->arg) || (w->limit && w->count >= w->limit))
		w->stop = true;
}

static void walk_all(struct walk *w, const struct rib_node *nd)
{
	/* Recursion on child 0, iteration on child 1: depth <= prefix length + 1. A full walk
	 * is a chain of cache misses: child 1 is fetched while child 0's subtree is walked. */
	while (nd && !w->stop) {
		const struct rib_node *c0 = rib_node_child_rcu(w->t, nd, 0);
		const struct rib_node *c1 = rib_node_child_rcu(w->t, nd, 1);
		if (c1)
			__builtin_prefetch(c1);
		if (nd->n)
			emit(w, nd);
		if (w->stop)
			return;
		walk_all(w, c0);
		nd = c1;
	}
}

/* Emits only the prefixes of nd's subtree that sort after w->after. */
static void walk_after(struct walk *w, const struct rib_node *nd)
{
	while (nd && !w->stop) {
		struct rib_key nk = rib_node_key(w->t, nd);
		unsigned m = nd->len < w->after_len ? nd->len : w->after_len;
		unsigned c = key_common(&nk, &w->after, m);
		if (c == nd->len) {
			/* nd covers `after`: nd itself sorts before it (or is it) */
			const struct rib_node *c0 = rib_node_child_rcu(w->t, nd, 0);
			const struct rib_node *c1 = rib_node_child_rcu(w->t, nd, 1);
			if (nd->len == w->after_len) {
				walk_all(w, c0);
				walk_all(w, c1);
				return;
			}
			if (key_bit(&w->after, nd->len) == 0) {
				walk_after(w, c0);
				walk_all(w, c1);
				return;
			}
			nd = c1;
			continue;
		}
		if (c == w->after_len || key_bit(&nk, c))
			walk_all(w, nd); /* within `after`, or past it */
		return;			 /* else the whole subtree sorts before `after` */
	}
}

static bool match_all(const struct rib_tree *t, const struct rib_node *n, const struct rx_prefix *p,
		      void *arg)
{
	return true;
}

size_t radix_walk_rcu(const struct rib_tree *t, const struct rx_prefix *within,
		      const struct rx_prefix *after, size_t limit, rib_walk_cb cb, void *arg,
		      struct rx_prefix *last)
{
	struct walk w = {.t = t, .cb = cb ? cb : match_all, .arg = arg, .limit = limit};
	const struct rib_node *nd = rx_rcu_deref(t->root);
	if (within) {
		struct rib_key wk = rib_key_of(within);
		while (nd) {
			struct rib_key nk = rib_node_key(t, nd);
			if (nd->len >= within->len) {
				if (key_common(&nk, &wk, within->len) < within->len)
					nd = NULL;
				break;
			}
			if (key_common(&nk, &wk, nd->len) < nd->len) {
				nd = NULL;
				break;
			}
			nd = rib_node_child_rcu(t, nd, key_bit(&wk, nd->len));
		}
	}
	if (after) {
		w.after = rib_key_of(after);
		w.after_len = after->len;
		walk_after(&w, nd);
	} else {
		walk_all(&w, nd);
	}
	if (last && w.count)
		*last = w.last;
	return w.count;
}
