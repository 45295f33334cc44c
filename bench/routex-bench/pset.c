/* pset.c: the set of IPv4 prefixes a monitor holds, built for the receive hot path.
 *
 * Prefixes up to /24 (99% of a real table) map to one bit each in a 4 MB bitmap; longer
 * ones go to a small open-addressing hash set. A monitor completes when its count reaches
 * the phase's target, so the set must say, per prefix, whether it is new: one bit test and
 * set. What that costs is memory latency, so the layout is chosen for locality:
 *   - each /16 and every prefix inside it down to /24 share one 64-octet line (bit
 *     (1 << (len - 16)) | the len - 16 bits after the /16, 511 of 512 bits used); /0../15
 *     have 2^16 bits of their own after the 65,536 lines. The first layout (one region per
 *     length) spread a route server's address-ordered run of /19../24s over nine regions and
 *     missed the cache on almost every prefix; bench_monitor measures both (docs/bench.md);
 *   - the bitmap is one anonymous mapping aligned to 2 MB and advised for transparent huge
 *     pages: a full table touches most of the 4 MB, and with 4 KB pages a TLB miss came with
 *     nearly every prefix. Untouched pages cost nothing, as with the first layout's lazily
 *     allocated pages. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <routex/wire.h>

#include "bench.h"

#define HUGE_PAGE (2u << 20)

void pset_init(struct pset *s)
{
	memset(s, 0, sizeof(*s));
	size_t len = (size_t)PSET_WORDS * 8;
	size_t map_len = len + HUGE_PAGE;
	void *m = mmap(NULL, map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		bench_die("out of memory for a prefix set");
	uintptr_t a = ((uintptr_t)m + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
	/* Advice only: without transparent huge pages the set still works, more slowly. */
	(void)madvise((void *)a, len & ~(size_t)(HUGE_PAGE - 1), MADV_HUGEPAGE);
	s->bits = (uint64_t *)a;
	s->map = m;
	s->map_len = map_len;
}

void pset_fini(struct pset *s)
{
	if (s->map)
		munmap(s->map, s->map_len);
	free(s->hash);
	memset(s, 0, sizeof(*s));
}

void pset_clear(struct pset *s)
{
	if (!s->count) /* every bit is clear already: count is the number of bits set */
		return;
	memset(s->bits, 0, (size_t)PSET_WORDS * 8);
	if (s->hash)
		memset(s->hash, 0, s->hash_cap * 8);
	s->hash_n = 0;
	s->count = 0;
}

#define bit_index pset_bit

static inline size_t hslot(uint64_t key, size_t cap)
{
	key *= 0x9e3779b97f4a7c15ull;
	return (size_t)(key >> 32) & (cap - 1);
}

static void hash_grow(struct pset *s)
{
	size_t cap = s->hash_cap ? s->hash_cap * 2 : 1024;
	uint64_t *h = calloc(cap, 8);
	if (!h)
		bench_die("out of memory in a prefix set");
	for (size_t i = 0; i < s->hash_cap; i++) {
		uint64_t k = s->hash[i];
		if (!k)
			continue;
		size_t j = hslot(k, cap);
		while (h[j])
			j = (j + 1) & (cap - 1);
		h[j] = k;
	}
	free(s->hash);
	s->hash = h;
	s->hash_cap = cap;
}

/* Slot of key, or of the empty slot where it would go. */
static size_t hfind(const struct pset *s, uint64_t key)
{
	size_t j = hslot(key, s->hash_cap);
	while (s->hash[j] && s->hash[j] != key)
		j = (j + 1) & (s->hash_cap - 1);
	return j;
}

/* The bitmap's half of add and del, inlined into pset_apply's loop. */
static inline bool bit_add(struct pset *s, uint32_t addr, unsigned len)
{
	uint32_t b = bit_index(addr, len);
	uint64_t *w = &s->bits[b >> 6], m = 1ull << (b & 63);
	if (*w & m)
		return false;
	*w |= m;
	s->count++;
	return true;
}

static inline bool bit_del(struct pset *s, uint32_t addr, unsigned len)
{
	uint32_t b = bit_index(addr, len);
	uint64_t *w = &s->bits[b >> 6], m = 1ull << (b & 63);
	if (!(*w & m))
		return false;
	*w &= ~m;
	s->count--;
	return true;
}

bool pset_add(struct pset *s, uint32_t addr, uint8_t len)
{
	if (len <= 24)
		return bit_add(s, addr, len);
	if (2 * (s->hash_n + 1) > s->hash_cap)
		hash_grow(s);
	uint64_t key = (uint64_t)addr << 8 | len;
	size_t j = hfind(s, key);
	if (s->hash[j])
		return false;
	s->hash[j] = key;
	s->hash_n++;
	s->count++;
	return true;
}

bool pset_del(struct pset *s, uint32_t addr, uint8_t len)
{
	if (len <= 24)
		return bit_del(s, addr, len);
	if (!s->hash_n)
		return false;
	uint64_t key = (uint64_t)addr << 8 | len;
	size_t j = hfind(s, key);
	if (!s->hash[j])
		return false;
	/* Backward-shift deletion keeps probe chains intact without tombstones. */
	s->hash[j] = 0;
	for (size_t i = (j + 1) & (s->hash_cap - 1); s->hash[i]; i = (i + 1) & (s->hash_cap - 1)) {
		uint64_t k = s->hash[i];
		s->hash[i] = 0;
		s->hash[hfind(s, k)] = k;
	}
	s->hash_n--;
	s->count--;
	return true;
}

bool pset_has(const struct pset *s, uint32_t addr, uint8_t len)
{
	if (len <= 24) {
		uint32_t b = bit_index(addr, len);
		return s->bits[b >> 6] >> (b & 63) & 1;
	}
	return s->hash_n && s->hash[hfind(s, (uint64_t)addr << 8 | len)];
}

/* The common case, IPv4 without path ids, straight from the bytes: the caller's decoder
 * (mon_decode or wire_update_parse) has validated every prefix already, so no second check
 * and no rx_prefix is built (a third of the monitors' time once went there). Host bits are
 * cleared as wire_nlri_decode would. */
static size_t apply4(struct pset *s, const struct wire_nlri *nl, bool add)
{
	const uint8_t *p = nl->data, *end = nl->data + nl->len;
	size_t n = 0;
	while (p < end) {
		unsigned len = *p++, bytes = (len + 7) / 8;
		uint32_t a = 0;
		for (unsigned i = 0; i < bytes; i++)
			a |= (uint32_t)p[i] << (24 - 8 * i);
		if (len < 32)
			a &= len ? ~0u << (32 - len) : 0;
		p += bytes;
		if (len <= 24)
			(void)(add ? bit_add(s, a, len) : bit_del(s, a, len));
		else if (add)
			pset_add(s, a, (uint8_t)len);
		else
			pset_del(s, a, (uint8_t)len);
		n++;
	}
	return n;
}

size_t pset_apply(struct pset *s, const struct wire_nlri *nl, bool add, struct rx_prefix *decode)
{
	if (!nl->known || nl->afi != RX_AFI_IPV4 || !nl->count)
		return 0;
	if (!nl->addpath)
		return apply4(s, nl, add);
	size_t n = wire_nlri_decode(nl, decode, NULL, PSET_DECODE_MAX);
	for (size_t i = 0; i < n; i++) {
		uint32_t a = wire_get32(decode[i].addr);
		if (add)
			pset_add(s, a, decode[i].len);
		else
			pset_del(s, a, decode[i].len);
	}
	return n;
}

/* Pending bitmap operations: bit index, and OP_ADD for an addition. */
#define OP_ADD PSET_OP_ADD
#define OP_BIT 0x7FFFFFFFu
#define PREFETCH_AHEAD PSET_PREFETCH_AHEAD

void pset_ops_grow(struct pset_ops *o, size_t need)
{
	o->cap = need > 2 * o->cap ? need : 2 * o->cap;
	o->v = realloc(o->v, o->cap * sizeof(*o->v));
	if (!o->v)
		bench_die("out of memory for pending prefix operations");
}

size_t pset_collect(struct pset *s, struct pset_ops *o, const struct wire_nlri *nl, bool add,
		    struct rx_prefix *decode)
{
	if (!nl->known || nl->afi != RX_AFI_IPV4 || !nl->count)
		return 0;
	if (nl->addpath) { /* rare: decoded, applied at once (order kept: see the header) */
		pset_flush(s, o);
		return pset_apply(s, nl, add, decode);
	}
	pset_ops_reserve(o, nl->count);
	uint32_t *out = o->v + o->n, flag = add ? OP_ADD : 0;
	const uint8_t *p = nl->data, *end = nl->data + nl->len;
	while (p < end) {
		unsigned len = *p++;
		uint32_t a;
		/* One 4-octet load where the field has room (all but its last prefixes), instead
		 * of a loop whose trip count changes with every prefix length. */
		if (end - p >= 4) {
			a = wire_get32(p);
		} else {
			a = 0;
			for (unsigned i = 0; i < (len + 7) / 8; i++)
				a |= (uint32_t)p[i] << (24 - 8 * i);
		}
		a &= len ? ~0u << (32 - len) : 0;
		p += (len + 7) / 8;
		if (len <= 24)
			*out++ = bit_index(a, len) | flag;
		else /* pending in order with the decoder's, in the list of their own */
			pset_ops_long(o, a, len, add);
	}
	o->n = (size_t)(out - o->v);
	return nl->count;
}

void pset_ops_long(struct pset_ops *o, uint32_t addr, unsigned len, bool add)
{
	if (o->ln == o->lcap) {
		o->lcap = o->lcap ? 2 * o->lcap : 256;
		o->lv = realloc(o->lv, o->lcap * sizeof(*o->lv));
		if (!o->lv)
			bench_die("out of memory for pending prefix operations");
	}
	o->lv[o->ln++] = (uint64_t)addr << 8 | len | (add ? PSET_LONG_ADD : 0);
}

/* The /25../32 operations, in order: the hash set's. */
static void flush_long(struct pset *s, struct pset_ops *o)
{
	for (size_t i = 0; i < o->ln; i++) {
		uint64_t x = o->lv[i];
		uint32_t a = (uint32_t)(x >> 8);
		uint8_t len = (uint8_t)x;
		(void)(x & PSET_LONG_ADD ? pset_add(s, a, len) : pset_del(s, a, len));
	}
	o->ln = 0;
}

void pset_flush(struct pset *s, struct pset_ops *o)
{
	if (o->ln)
		flush_long(s, o);
	if (!o->n)
		return;
	const uint32_t *v = o->v;
	size_t n = o->n;
	uint64_t *bits = s->bits;
	size_t count = s->count;
	/* Padding past n (room kept by pset_ops_reserve): the last prefetches touch bit 0's
	 * line, which costs nothing, instead of a bounds test on every operation. */
	memset(o->v + n, 0, PREFETCH_AHEAD * sizeof(*o->v));
	for (size_t i = 0; i < n; i++) {
		__builtin_prefetch(&bits[(v[i + PREFETCH_AHEAD] & OP_BIT) >> 6], 1);
		uint32_t b = v[i] & OP_BIT;
		uint64_t *w = &bits[b >> 6], m = 1ull << (b & 63), old = *w;
		bool had = old & m;
		if (v[i] & OP_ADD) {
			*w = old | m;
			count += !had;
		} else {
			*w = old & ~m;
			count -= had;
		}
	}
	s->count = count;
	o->n = 0;
}

void pset_ops_fini(struct pset_ops *o)
{
	free(o->v);
	free(o->lv);
	memset(o, 0, sizeof(*o));
}
