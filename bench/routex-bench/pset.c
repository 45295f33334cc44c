/* pset.c: the set of IPv4 prefixes a monitor holds, built for the receive hot path.
 *
 * Prefixes up to /24 (99% of a real table) map to one bit each in a 2^25-bit space (index
 * (1 << len) | addr >> (32 - len): unique per prefix), allocated in 32 KB pages on first use,
 * so a monitor holding a few routes costs a few pages and a full table at most 4 MB; the
 * server sends neighbouring prefixes together, so neighbouring bits are touched together.
 * Longer prefixes go to a small open-addressing hash set. */
#include <stdlib.h>
#include <string.h>

#include <routex/wire.h>

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
		if (add)
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
