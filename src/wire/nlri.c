/* nlri.c: NLRI fields (RFC 4271 4.3, RFC 4760 5, RFC 7911 3): validation, iteration and
 * bulk decoding.
 *
 * Design: a field is validated once (wire_nlri_check: lengths, overruns; RFC 7606 5.3) and
 * then decoded without further checks. Decoding is the parse hot path of a full-table feed
 * (millions of prefixes), so it copies only the significant bytes and clears the rest with
 * two word stores. */
#include <string.h>

#include "wire-int.h"

bool wire_nlri_check(const uint8_t *data, size_t len, uint16_t afi, uint8_t safi, bool addpath,
		     struct wire_nlri *n)
{
	enum rx_family fam;
	memset(n, 0, sizeof(*n));
	n->data = data;
	n->len = (uint16_t)len;
	n->afi = afi;
	n->safi = safi;
	n->addpath = addpath;
	n->known = wire_family(afi, safi, &fam);
	if (!n->known)
		return true; /* opaque: the caller ignores families it did not negotiate */
	const unsigned maxbits = afi == RX_AFI_IPV4 ? 32 : 128;
	const uint8_t *p = data, *end = data + len;
	uint32_t count = 0;
	while (p < end) {
		if (addpath) {
			if (end - p < 4)
				return false;
			p += 4;
		}
		if (p >= end)
			return false;
		unsigned plen = *p++;
		if (plen > maxbits) /* RFC 7606 5.3: prefix length beyond the family */
			return false;
		unsigned bytes = (plen + 7) / 8;
		if (bytes > (size_t)(end - p)) /* RFC 7606 5.3: last prefix overruns */
			return false;
		p += bytes;
		count++;
	}
	n->count = count;
	return true;
}

void wire_nlri_iter_init(struct wire_nlri_iter *it, const struct wire_nlri *n)
{
	it->p = n->data;
	it->end = n->known ? n->data + n->len : n->data;
	it->afi = (uint8_t)n->afi;
	it->addpath = n->addpath;
}

bool wire_nlri_next(struct wire_nlri_iter *it, struct rx_prefix *p, uint32_t *path_id)
{
	if (it->p >= it->end)
		return false;
	uint32_t id = 0;
	if (it->addpath) {
		id = wire_get32(it->p);
		it->p += 4;
	}
	unsigned plen = *it->p++;
	unsigned bytes = (plen + 7) / 8;
	memset(p, 0, sizeof(*p));
	p->afi = it->afi;
	p->len = (uint8_t)plen;
	memcpy(p->addr, it->p, bytes);
	it->p += bytes;
	if (path_id)
		*path_id = id;
	return true;
}

size_t wire_nlri_decode(const struct wire_nlri *n, struct rx_prefix *out, uint32_t *path_ids,
			size_t max)
{
	if (!n->known)
		return 0;
	const uint8_t *p = n->data, *end = n->data + n->len;
	const uint8_t afi = (uint8_t)n->afi;
	size_t i = 0;
	for (; p < end && i < max; i++) {
		uint32_t id = 0;
		if (n->addpath) {
			id = wire_get32(p);
			p += 4;
		}
		unsigned plen = *p++;
		unsigned bytes = (plen + 7) / 8;
		struct rx_prefix *q = &out[i];
		uint64_t z[2] = {0, 0};
		memcpy(q->addr, z, sizeof(z));
		q->afi = afi;
		q->len = (uint8_t)plen;
		memcpy(q->addr, p, bytes);
		if (plen & 7) /* clear host bits in the last byte */
			q->addr[bytes - 1] &= (uint8_t)(0xFF00 >> (plen & 7));
		p += bytes;
		if (path_ids)
			path_ids[i] = id;
	}
	return i;
}
