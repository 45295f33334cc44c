/* attr.h: interned (hash-consed, refcounted) BGP path attribute sets (src/attr/).
 *
 * A full table of a million prefixes carries a few hundred thousand distinct attribute
 * sets (89,480 for the 577,706 routes of the 2015 PCH feed), so each set is stored once and
 * every path points to it. An attr_set is immutable once interned: RCU readers (export
 * workers, the control socket) read it without locks for as long as they hold the path that
 * points to it.
 *
 * Who does what (thread ownership):
 *   attr_encode / attr_hash   pure: any thread. The I/O threads run them while parsing, so
 *                             the canonical bytes and the hash arrive at the decision thread
 *                             ready to probe.
 *   attr_intern_w, attr_ref_w, attr_unref_w, the table
 *                             the decision thread only. It is the RIB's single writer and
 *                             the only thread that creates or drops paths, so a plain
 *                             (non-atomic) refcount and an unlocked table suffice: no
 *                             atomic read-modify-write on the hot path, no lock convoy
 *                             between I/O threads. Interning on the I/O threads would need
 *                             a concurrent table and atomic refcounts for a gain of one
 *                             hash probe per UPDATE.
 *   attr fields               any registered RCU reader holding a path to the set.
 * A set whose count drops to zero leaves the table at once and is freed through rx_retire
 * after a grace period, so a reader still holding an old path never sees freed memory. */
#ifndef ROUTEX_ATTR_H
#define ROUTEX_ATTR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <routex/rcu.h>
#include <routex/wire-t.h>

#define ATTR_F_MED	  0x01 /* MULTI_EXIT_DISC present */
#define ATTR_F_LOCAL_PREF 0x02 /* LOCAL_PREF present */
#define ATTR_F_ATOMIC_AGG 0x04
#define ATTR_F_AGGREGATOR 0x08
#define ATTR_F_ORIGINATOR 0x10 /* ORIGINATOR_ID present (RFC 4456) */
#define ATTR_F_OTC	  0x20 /* RFC 9234 Only To Customer */

/* The canonical, comparable part of a set: equal bytes (this header plus data[]) mean equal
 * sets. Derived values (aspath_hops, neighbour_as) are functions of the AS path, so
 * comparing them too is harmless and keeps the decision process from re-parsing paths. */
struct attr_key {
	uint32_t local_pref;
	uint32_t med;
	uint32_t originator_id; /* host order */
	uint32_t aggregator_as;
	uint32_t otc;
	uint32_t neighbour_as; /* first AS of a leading AS_SEQUENCE; 0: none */
	uint16_t aspath_hops;  /* RFC 4271 9.1.2.2 a: a set counts 1, confed segments 0 */
	uint16_t flags;	       /* ATTR_F_* */
	uint8_t origin;
	uint8_t nexthop_len; /* 4, 16 or 32 */
	uint8_t aggregator_addr[4];
	uint16_t aspath_len; /* bytes, 4-octet segment form */
	uint16_t comm_len;
	uint16_t ext_comm_len;
	uint16_t large_comm_len;
	uint16_t cluster_len; /* bytes: 4 per CLUSTER_LIST entry */
	uint16_t unknown_len; /* re-encoded optional transitive attributes */
	uint16_t pad;
	uint32_t data_len; /* sum of the lengths above plus nexthop_len */
	/* data follows: nexthop, aspath, communities, ext, large, cluster list, unknown */
};

struct attr_set {
	uint32_t refcnt;       /* W: decision thread only (see above) */
	uint32_t hash;
	struct attr_key k;
	uint8_t data[];
};

/* A canonical encoding on its way to the table; built by attr_encode on any thread. */
#define ATTR_BUF_MAX (sizeof(struct attr_key) + 32 + 6 * 65536)
struct attr_buf {
	uint32_t hash;
	struct attr_key k;
	uint8_t *data; /* caller's scratch, at least k.data_len bytes */
	size_t cap;
};

/* Open addressing with linear probing over an array of hashes, beside the array of sets: a
 * probe, and a rehash as the table grows, read the 4-byte hashes and touch a set only
 * when its hash matches (a chained table's probe was a cache miss per set it passed). */
struct attr_table {
	uint32_t *hashes;	 /* W: per slot, its set's hash (0 taken as 1); 0: empty */
	struct attr_set **sets;	 /* W: valid where hashes[i] != 0 */
	size_t mask;		 /* slots - 1 (power of two); at most 3/4 full */
	size_t count;		 /* distinct sets */
	size_t bytes;		 /* bytes of the sets (not the slot array) */
	size_t refs;		 /* references held, over all sets */
	struct rx_retire *retire;
};

/* Accessors into data[]. */
static inline const uint8_t *attr_nexthop(const struct attr_set *a)
{
	return a->data;
}
static inline const uint8_t *attr_aspath(const struct attr_set *a)
{
	return a->data + a->k.nexthop_len;
}
static inline const uint8_t *attr_communities(const struct attr_set *a)
{
	return attr_aspath(a) + a->k.aspath_len;
}
static inline const uint8_t *attr_ext_communities(const struct attr_set *a)
{
	return attr_communities(a) + a->k.comm_len;
}
static inline const uint8_t *attr_large_communities(const struct attr_set *a)
{
	return attr_ext_communities(a) + a->k.ext_comm_len;
}
static inline const uint8_t *attr_cluster_list(const struct attr_set *a)
{
	return attr_large_communities(a) + a->k.large_comm_len;
}
static inline const uint8_t *attr_unknown(const struct attr_set *a)
{
	return attr_cluster_list(a) + a->k.cluster_len;
}

/* AS path helpers over the 4-octet segment form (type, count, count * 4 octets). They
 * tolerate truncated input (the codec validated it; MRT and tests may not have). */
unsigned attr_aspath_hops(const uint8_t *path, size_t len);
uint32_t attr_aspath_first_as(const uint8_t *path, size_t len);

/* Canonical encoding of decoded attributes plus the next hop (4, 16 or 32 octets; the
 * IPv4 NEXT_HOP when nexthop is NULL). Pure: any thread. Returns false if data_cap is too
 * small. Fills b->hash. */
bool attr_encode(const struct wire_attrs *wa, const uint8_t *nexthop, uint8_t nexthop_len,
		 struct attr_buf *b);
uint32_t attr_hash(const struct attr_key *k, const uint8_t *data);
/* The inverse of attr_encode: a decoded view of a set (views point into a->data), ready for
 * wire_attrs_encode. ORIGIN and AS_PATH are always present; NEXT_HOP when the stored next
 * hop is 4 octets (a 16- or 32-octet one is the caller's to put in MP_REACH_NLRI). Pure:
 * any thread holding a path to the set. */
void attr_view(const struct attr_set *a, struct wire_attrs *w);

void attr_table_init(struct attr_table *t, struct rx_retire *retire);
/* Frees every set at once: only when no reader can hold one (after rx_retire_sync). */
void attr_table_fini(struct attr_table *t);
/* Bytes of the sets and of the table that holds them. */
size_t attr_table_bytes(const struct attr_table *t);
/* Returns the table's set equal to b (creating it), with one reference for the caller. */
struct attr_set *attr_intern_w(struct attr_table *t, const struct attr_buf *b);
static inline struct attr_set *attr_ref_w(struct attr_table *t, struct attr_set *a)
{
	a->refcnt++;
	t->refs++;
	return a;
}
/* Drops a reference; the last one removes the set and retires its memory. */
void attr_unref_w(struct attr_table *t, struct attr_set *a);
/* Decision-thread lookup without a reference (tests, statistics). */
struct attr_set *attr_find_w(const struct attr_table *t, const struct attr_buf *b);

#endif
