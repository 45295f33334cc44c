/* pset.c: the set of IPv4 prefixes a monitor holds, built for the receive hot path.
 *
 * Prefixes up to /24 (99% of a real table) map to one bit each in a 2^25-bit space (index
 * (1 << len) | addr >> (32 - len): unique per prefix), allocated in 32 KB pages on first use,
 * so a monitor holding a few routes costs a few pages and a full table at most 4 MB; the
 * server sends neighbouring prefixes together, so neighbouring bits are touched together.
 * Longer prefixes go to a small open-addressing hash set. */
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define PAGE_WORDS ((1u << PSET_PAGE_BITS) / 64)

void pset_init(struct pset *s)
{
	memset(s, 0, sizeof(*s));
}

void pset_fini(struct pset *s)
{
	for (unsigned i = 0; i < PSET_PAGES; i++)
		free(s->page[i]);
	free(s->hash);
	memset(s, 0, sizeof(*s));
}

void pset_clear(struct pset *s)
{
	for (unsigned i = 0; i < PSET_PAGES; i++)
		if (s->page[i])
			memset(s->page[i], 0, PAGE_WORDS * 8);
	if (s->hash)
		memset(s->hash, 0, s->hash_cap * 8);
	s->hash_n = 0;
	s->count = 0;
}

static inline uint32_t bit_index(uint32_t addr, uint8_t len)
{
	return len ? (1u << len) | (addr >> (32 - len)) : 1;
}

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

bool pset_add(struct pset *s, uint32_t addr, uint8_t len)
{
	if (len <= 24) {
		uint32_t b = bit_index(addr, len);
		uint64_t **pg = &s->page[b >> PSET_PAGE_BITS];
		if (!*pg && !(*pg = calloc(PAGE_WORDS, 8)))
			bench_die("out of memory in a prefix set");
		uint64_t *w = &(*pg)[(b & ((1u << PSET_PAGE_BITS) - 1)) >> 6];
		uint64_t m = 1ull << (b & 63);
		if (*w & m)
			return false;
		*w |= m;
		s->count++;
		return true;
	}
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
	if (len <= 24) {
		uint32_t b = bit_index(addr, len);
		uint64_t *pg = s->page[b >> PSET_PAGE_BITS];
		if (!pg)
			return false;
		uint64_t *w = &pg[(b & ((1u << PSET_PAGE_BITS) - 1)) >> 6];
		uint64_t m = 1ull << (b & 63);
		if (!(*w & m))
			return false;
		*w &= ~m;
		s->count--;
		return true;
	}
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
		const uint64_t *pg = s->page[b >> PSET_PAGE_BITS];
		return pg && (pg[(b & ((1u << PSET_PAGE_BITS) - 1)) >> 6] >> (b & 63) & 1);
	}
	return s->hash_n && s->hash[hfind(s, (uint64_t)addr << 8 | len)];
}
