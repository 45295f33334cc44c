/* attr.c: hash-consed path attribute sets (see attr.h for who may call what).
 *
 * Design: an open-addressed table of power-of-two size (linear probing over an array of
 * hashes beside the array of sets, doubled at load 3/4, see struct attr_table), keyed by a
 * 32-bit XXH3 of the canonical bytes (struct attr_key, then data[]). Sets are allocated
 * whole (header and data in one block) and never change after interning. Table operations
 * are the decision thread's; see attr.h for why no locks or atomics are needed. */
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include <routex/attr.h>
#include <routex/compiler.h>

#define ATTR_TABLE_MIN 1024

unsigned attr_aspath_hops(const uint8_t *path, size_t len)
{
	unsigned hops = 0;
	size_t i = 0;
	while (i + 2 <= len) {
		uint8_t type = path[i], n = path[i + 1];
		if (type == WIRE_AS_SEQUENCE)
			hops += n;
		else if (type == WIRE_AS_SET)
			hops += 1; /* RFC 4271 9.1.2.2 a */
		/* RFC 5065 5.3: confederation segments do not count */
		i += 2 + (size_t)n * 4;
	}
	return hops;
}

uint32_t attr_aspath_first_as(const uint8_t *path, size_t len)
{
	if (len < 6 || path[0] != WIRE_AS_SEQUENCE || path[1] == 0)
		return 0;
	return (uint32_t)path[2] << 24 | (uint32_t)path[3] << 16 | (uint32_t)path[4] << 8 | path[5];
}

uint32_t attr_hash(const struct attr_key *k, const uint8_t *data)
{
	XXH64_hash_t seed = XXH3_64bits(k, sizeof(*k));
	return (uint32_t)XXH3_64bits_withSeed(data, k->data_len, seed);
}

static bool put(struct attr_buf *b, size_t *off, const void *src, size_t len)
{
	if (*off + len > b->cap)
		return false;
	if (len)
		memcpy(b->data + *off, src, len);
	*off += len;
	return true;
}

bool attr_encode(const struct wire_attrs *wa, const uint8_t *nexthop, uint8_t nexthop_len,
		 struct attr_buf *b)
{
	struct attr_key *k = &b->k;
	memset(k, 0, sizeof(*k)); /* no stray padding bytes: the key is hashed and compared */
	k->origin = wa->origin;
	if (WIRE_HAS(wa, WIRE_ATTR_MED)) {
		k->flags |= ATTR_F_MED;
		k->med = wa->med;
	}
	if (WIRE_HAS(wa, WIRE_ATTR_LOCAL_PREF)) {
		k->flags |= ATTR_F_LOCAL_PREF;
		k->local_pref = wa->local_pref;
	}
	if (wa->atomic_aggregate)
		k->flags |= ATTR_F_ATOMIC_AGG;
	if (WIRE_HAS(wa, WIRE_ATTR_AGGREGATOR)) {
		k->flags |= ATTR_F_AGGREGATOR;
		k->aggregator_as = wa->aggregator_as;
		memcpy(k->aggregator_addr, wa->aggregator_addr, 4);
	}
	if (WIRE_HAS(wa, WIRE_ATTR_ORIGINATOR_ID)) {
		k->flags |= ATTR_F_ORIGINATOR;
		k->originator_id = wa->originator_id;
	}
	if (WIRE_HAS(wa, WIRE_ATTR_OTC)) {
		k->flags |= ATTR_F_OTC;
		k->otc = wa->otc;
	}
	if (!nexthop) {
		nexthop = wa->nexthop;
		nexthop_len = 4;
	}
	k->nexthop_len = nexthop_len;
	k->aspath_len = wa->aspath_len;
	k->aspath_hops = (uint16_t)attr_aspath_hops(wa->aspath, wa->aspath_len);
	k->neighbour_as = attr_aspath_first_as(wa->aspath, wa->aspath_len);
	k->comm_len = wa->communities_len;
	k->ext_comm_len = wa->ext_communities_len;
	k->large_comm_len = wa->large_communities_len;
	k->cluster_len = wa->cluster_list_len;
	k->unknown_len = wa->unknown_len;
	size_t off = 0;
	if (!put(b, &off, nexthop, nexthop_len) || !put(b, &off, wa->aspath, wa->aspath_len) ||
	    !put(b, &off, wa->communities, wa->communities_len) ||
	    !put(b, &off, wa->ext_communities, wa->ext_communities_len) ||
	    !put(b, &off, wa->large_communities, wa->large_communities_len) ||
	    !put(b, &off, wa->cluster_list, wa->cluster_list_len) ||
	    !put(b, &off, wa->unknown, wa->unknown_len))
		return false;
	k->data_len = (uint32_t)off;
	b->hash = attr_hash(k, b->data);
	return true;
}

void attr_view(const struct attr_set *a, struct wire_attrs *w)
{
	const struct attr_key *k = &a->k;
	memset(w, 0, sizeof(*w));
	/* attr_encode keeps no presence bit for these two: every stored route has both. */
	w->present = WIRE_ATTR_BIT(WIRE_ATTR_ORIGIN) | WIRE_ATTR_BIT(WIRE_ATTR_AS_PATH);
	w->origin = k->origin;
	w->aspath = attr_aspath(a);
	w->aspath_len = k->aspath_len;
	if (k->nexthop_len == 4) {
		w->present |= WIRE_ATTR_BIT(WIRE_ATTR_NEXT_HOP);
		memcpy(w->nexthop, attr_nexthop(a), 4);
	}
	if (k->flags & ATTR_F_MED) {
		w->present |= WIRE_ATTR_BIT(WIRE_ATTR_MED);
		w->med = k->med;
	}
	if (k->flags & ATTR_F_LOCAL_PREF) {
		w->present |= WIRE_ATTR_BIT(WIRE_ATTR_LOCAL_PREF);
		w->local_pref = k->local_pref;
	}
	if (k->flags & ATTR_F_ATOMIC_AGG) {
		w->present |= WIRE_ATTR_BIT(WIRE_ATTR_ATOMIC_AGGREGATE);
		w->atomic_aggregate = true;
	}
	if (k->flags & ATTR_F_AGGREGATOR) {
		w->present |= WIRE_ATTR_BIT(WIRE_ATTR_AGGREGATOR);
		w->aggregator_as = k->aggregator_as;
		memcpy(w->aggregator_addr, k->aggregator_addr, 4);
	}
	if (k->flags & ATTR_F_ORIGINATOR) {
		w->present |= WIRE_ATTR_BIT(WIRE_ATTR_ORIGINATOR_ID);
		w->originator_id = k->originator_id;
	}
	if (k->flags & ATTR_F_OTC) {
		w->present |= WIRE_ATTR_BIT(WIRE_ATTR_OTC);
		w->otc = k->otc;
	}
#define VIEW(field, len_field, bit, getter)                                                 \
	if (k->len_field) {                                                                 \
		w->present |= WIRE_ATTR_BIT(bit);                                          \
		w->field = getter(a);                                                      \
		w->field##_len = k->len_field;                                             \
	}
	VIEW(communities, comm_len, WIRE_ATTR_COMMUNITIES, attr_communities)
	VIEW(ext_communities, ext_comm_len, WIRE_ATTR_EXT_COMMUNITIES, attr_ext_communities)
	VIEW(large_communities, large_comm_len, WIRE_ATTR_LARGE_COMMUNITIES, attr_large_communities)
	VIEW(cluster_list, cluster_len, WIRE_ATTR_CLUSTER_LIST, attr_cluster_list)
#undef VIEW
	if (k->unknown_len) {
		w->unknown = attr_unknown(a);
		w->unknown_len = k->unknown_len;
	}
}

static void table_alloc(struct attr_table *t, size_t n)
{
	t->sets = malloc(n * sizeof(*t->sets));
	t->hashes = calloc(n, sizeof(*t->hashes));
	RX_ASSERT(t->sets && t->hashes);
	t->mask = n - 1;
}

void attr_table_init(struct attr_table *t, struct rx_retire *retire)
{
	memset(t, 0, sizeof(*t));
	table_alloc(t, ATTR_TABLE_MIN);
	t->retire = retire;
}

size_t attr_table_bytes(const struct attr_table *t)
{
	return t->bytes + (t->mask + 1) * (sizeof(*t->sets) + sizeof(*t->hashes));
}

void attr_table_fini(struct attr_table *t)
{
	for (size_t i = 0; i <= t->mask; i++)
		if (t->hashes[i])
			free(t->sets[i]);
	free(t->sets);
	free(t->hashes);
	t->sets = NULL;
	t->hashes = NULL;
	t->count = t->bytes = t->refs = 0;
}

static bool same(const struct attr_set *a, const struct attr_buf *b)
{
	return memcmp(&a->k, &b->k, sizeof(b->k)) == 0 &&
	       memcmp(a->data, b->data, b->k.data_len) == 0;
}

/* The hash a slot keeps: never 0, which marks an empty slot, so that a probe reads the
 * hash array alone until a hash matches. */
static inline uint32_t slot_hash(uint32_t h)
{
	return h ? h : 1;
}

/* The slot that holds b's set, or the empty slot that ends its probe. */
static size_t slot_of(const struct attr_table *t, const struct attr_buf *b)
{
	uint32_t h = slot_hash(b->hash);
	size_t i = h & t->mask;
	for (; t->hashes[i]; i = (i + 1) & t->mask)
		if (t->hashes[i] == h && same(t->sets[i], b))
			break;
	return i;
}

struct attr_set *attr_find_w(const struct attr_table *t, const struct attr_buf *b)
{
	size_t i = slot_of(t, b);
	return t->hashes[i] ? t->sets[i] : NULL;
}

static void table_grow(struct attr_table *t)
{
	struct attr_table old = *t;
	table_alloc(t, (old.mask + 1) * 2);
	for (size_t i = 0; i <= old.mask; i++) {
		if (!old.hashes[i])
			continue;
		size_t j = old.hashes[i] & t->mask;
		while (t->hashes[j])
			j = (j + 1) & t->mask;
		t->sets[j] = old.sets[i];
		t->hashes[j] = old.hashes[i];
	}
	free(old.sets);
	free(old.hashes);
}

struct attr_set *attr_intern_w(struct attr_table *t, const struct attr_buf *b)
{
	size_t i = slot_of(t, b);
	if (t->hashes[i])
		return attr_ref_w(t, t->sets[i]);
	size_t size = sizeof(struct attr_set) + b->k.data_len;
	struct attr_set *a = malloc(size);
	RX_ASSERT(a);
	a->refcnt = 0;
	a->hash = b->hash;
	a->k = b->k;
	memcpy(a->data, b->data, b->k.data_len);
	if (4 * (t->count + 1) > 3 * (t->mask + 1)) {
		table_grow(t);
		i = slot_of(t, b);
	}
	t->sets[i] = a;
	t->hashes[i] = slot_hash(b->hash);
	t->count++;
	t->bytes += size;
	return attr_ref_w(t, a);
}

/* Empties slot i, moving back the entries after it that could not sit where they belong
 * while i was taken (no tombstones: probes stay as short as the load allows). */
static void slot_clear(struct attr_table *t, size_t i)
{
	for (size_t j = (i + 1) & t->mask; t->hashes[j]; j = (j + 1) & t->mask) {
		size_t home = t->hashes[j] & t->mask;
		if (((j - home) & t->mask) >= ((j - i) & t->mask)) {
			t->sets[i] = t->sets[j];
			t->hashes[i] = t->hashes[j];
			i = j;
		}
	}
	t->hashes[i] = 0;
}

void attr_unref_w(struct attr_table *t, struct attr_set *a)
{
	RX_ASSERT(a->refcnt > 0);
	t->refs--;
	if (--a->refcnt)
		return;
	uint32_t h = slot_hash(a->hash);
	size_t i = h & t->mask;
	while (t->hashes[i] != h || t->sets[i] != a) {
		RX_ASSERT(t->hashes[i]); /* a set of this table: its probe ends at it */
		i = (i + 1) & t->mask;
	}
	slot_clear(t, i);
	t->count--;
	t->bytes -= sizeof(*a) + a->k.data_len;
	/* Readers may still hold a path to it: free after a grace period. */
	if (t->retire)
		rx_retire(t->retire, a, NULL);
	else
		free(a);
}
