/* encode.c: path attribute encoding for one session (RFC 4271 4.3, RFC 6793 4.2.2).
 *
 * Attributes are written in ascending type order (RFC 4271 5: SHOULD), unknown transitive
 * ones merged in at their place, each with the Extended Length bit only when the value
 * needs it. A 2-octet session gets AS_TRANS in AS_PATH/AGGREGATOR and the real values in
 * AS4_PATH/AS4_AGGREGATOR, only when some AS does not fit in 2 octets. */
#include <string.h>

#include "wire-int.h"

struct out {
	uint8_t *p, *end;
	bool overflow;
};

/* Reserves room for one attribute of value length `len` and writes its header. */
static uint8_t *attr_open(struct out *o, uint8_t flags, uint8_t type, size_t len)
{
	bool ext = len > 255;
	size_t need = (ext ? 4 : 3) + len;
	if (o->overflow || len > 0xFFFF || need > (size_t)(o->end - o->p)) {
		o->overflow = true;
		return NULL;
	}
	uint8_t *v = o->p;
	*v++ = (uint8_t)(flags | (ext ? WIRE_AF_EXT_LEN : 0));
	*v++ = type;
	if (ext) {
		wire_put16(v, (uint16_t)len);
		v += 2;
	} else {
		*v++ = (uint8_t)len;
	}
	o->p = v + len;
	return v;
}

static void put_bytes(struct out *o, uint8_t flags, uint8_t type, const void *val, size_t len)
{
	uint8_t *v = attr_open(o, flags, type, len);
	if (v && len)
		memcpy(v, val, len);
}

static void put_u32(struct out *o, uint8_t flags, uint8_t type, uint32_t x)
{
	uint8_t *v = attr_open(o, flags, type, 4);
	if (v)
		wire_put32(v, x);
}

static bool path_needs_as4(const uint8_t *p, size_t len)
{
	if (len == 0)
		return false; /* p may be NULL: no arithmetic on it (C17 6.5.6) */
	const uint8_t *end = p + len;
	while (end - p >= 2) {
		const uint8_t *a = p + 2, *segend = a + (size_t)p[1] * 4;
		for (; a < segend; a += 4)
			if (wire_get32(a) > 0xFFFF)
				return true;
		p = segend;
	}
	return false;
}

/* Writes the 2-octet form of a 4-octet path: big ASes become AS_TRANS. */
static void put_aspath2(struct out *o, const uint8_t *p, size_t len)
{
	size_t n = 0;
	for (const uint8_t *q = p; p + len - q >= 2; q += 2 + (size_t)q[1] * 4)
		n += 2 + (size_t)q[1] * 2;
	uint8_t *v = attr_open(o, WIRE_AF_TRANSITIVE, WIRE_ATTR_AS_PATH, n);
	if (!v)
		return;
	const uint8_t *end = p + len;
	while (end - p >= 2) {
		*v++ = p[0];
		*v++ = p[1];
		const uint8_t *a = p + 2, *segend = a + (size_t)p[1] * 4;
		for (; a < segend; a += 4, v += 2) {
			uint32_t as = wire_get32(a);
			wire_put16(v, as > 0xFFFF ? WIRE_AS_TRANS : (uint16_t)as);
		}
		p = segend;
	}
}

/* AS4_PATH carries no confederation segments (RFC 6793 3). */
static void put_as4_path(struct out *o, const uint8_t *p, size_t len)
{
	size_t n = 0;
	for (const uint8_t *q = p; p + len - q >= 2; q += 2 + (size_t)q[1] * 4)
		if (q[0] == WIRE_AS_SEQUENCE || q[0] == WIRE_AS_SET)
			n += 2 + (size_t)q[1] * 4;
	uint8_t *v = attr_open(o, WIRE_AF_OPTIONAL | WIRE_AF_TRANSITIVE, WIRE_ATTR_AS4_PATH, n);
	if (!v)
		return;
	for (const uint8_t *q = p; p + len - q >= 2; q += 2 + (size_t)q[1] * 4) {
		if (q[0] != WIRE_AS_SEQUENCE && q[0] != WIRE_AS_SET)
			continue;
		memcpy(v, q, 2 + (size_t)q[1] * 4);
		v += 2 + (size_t)q[1] * 4;
	}
}

static void put_aggregator(struct out *o, const struct wire_attrs *a, bool as4)
{
	const uint8_t ot = WIRE_AF_OPTIONAL | WIRE_AF_TRANSITIVE;
	uint8_t *v = attr_open(o, ot, WIRE_ATTR_AGGREGATOR, as4 ? 8 : 6);
	if (!v)
		return;
	if (as4) {
		wire_put32(v, a->aggregator_as);
		memcpy(v + 4, a->aggregator_addr, 4);
		return;
	}
	bool big = a->aggregator_as > 0xFFFF;
	wire_put16(v, big ? WIRE_AS_TRANS : (uint16_t)a->aggregator_as);
	memcpy(v + 2, a->aggregator_addr, 4);
	if (big) {
		uint8_t *w = attr_open(o, ot, WIRE_ATTR_AS4_AGGREGATOR, 8);
		if (w) {
			wire_put32(w, a->aggregator_as);
			memcpy(w + 4, a->aggregator_addr, 4);
		}
	}
}

/* Copies the unknown attributes whose type is in [lo, hi), in their received order. */
static void put_unknown(struct out *o, const struct wire_attrs *a, unsigned lo, unsigned hi)
{
	if (a->unknown_len == 0)
		return; /* a->unknown may be NULL: no arithmetic on it */
	const uint8_t *p = a->unknown, *end = p + a->unknown_len;
	while (end - p >= 3) {
		size_t hdr = (p[0] & WIRE_AF_EXT_LEN) ? 4 : 3;
		size_t len = hdr + (hdr == 4 ? wire_get16(p + 2) : p[2]);
		if (p[1] >= lo && p[1] < hi) {
			if (len > (size_t)(o->end - o->p)) {
				o->overflow = true;
				return;
			}
			memcpy(o->p, p, len);
			o->p += len;
		}
		p += len;
	}
}

size_t wire_attrs_encode(const struct wire_attrs *a, const struct wire_ctx *ctx, uint8_t *out,
			 size_t cap)
{
	struct out o = {.p = out, .end = out + cap};
	const uint8_t wk = WIRE_AF_TRANSITIVE, opt = WIRE_AF_OPTIONAL;
	const uint8_t opt_t = WIRE_AF_OPTIONAL | WIRE_AF_TRANSITIVE;
	bool need_as4_path = !ctx->as4 && path_needs_as4(a->aspath, a->aspath_len);

	put_unknown(&o, a, 0, WIRE_ATTR_ORIGIN); /* type 0 is reserved, yet still unknown */
	if (WIRE_HAS(a, WIRE_ATTR_ORIGIN))
		put_bytes(&o, wk, WIRE_ATTR_ORIGIN, &a->origin, 1);
	if (WIRE_HAS(a, WIRE_ATTR_AS_PATH)) {
		if (ctx->as4)
			put_bytes(&o, wk, WIRE_ATTR_AS_PATH, a->aspath, a->aspath_len);
		else
			put_aspath2(&o, a->aspath, a->aspath_len);
	}
	if (WIRE_HAS(a, WIRE_ATTR_NEXT_HOP))
		put_bytes(&o, wk, WIRE_ATTR_NEXT_HOP, a->nexthop, 4);
	if (WIRE_HAS(a, WIRE_ATTR_MED))
		put_u32(&o, opt, WIRE_ATTR_MED, a->med);
	if (WIRE_HAS(a, WIRE_ATTR_LOCAL_PREF))
		put_u32(&o, wk, WIRE_ATTR_LOCAL_PREF, a->local_pref);
	if (WIRE_HAS(a, WIRE_ATTR_ATOMIC_AGGREGATE))
		put_bytes(&o, wk, WIRE_ATTR_ATOMIC_AGGREGATE, NULL, 0);
	if (WIRE_HAS(a, WIRE_ATTR_AGGREGATOR))
		put_aggregator(&o, a, ctx->as4);
	if (WIRE_HAS(a, WIRE_ATTR_COMMUNITIES))
		put_bytes(&o, opt_t, WIRE_ATTR_COMMUNITIES, a->communities, a->communities_len);
	if (WIRE_HAS(a, WIRE_ATTR_ORIGINATOR_ID))
		put_u32(&o, opt, WIRE_ATTR_ORIGINATOR_ID, a->originator_id);
	if (WIRE_HAS(a, WIRE_ATTR_CLUSTER_LIST))
		put_bytes(&o, opt, WIRE_ATTR_CLUSTER_LIST, a->cluster_list, a->cluster_list_len);
	put_unknown(&o, a, 11, WIRE_ATTR_EXT_COMMUNITIES);
	if (WIRE_HAS(a, WIRE_ATTR_EXT_COMMUNITIES))
		put_bytes(&o, opt_t, WIRE_ATTR_EXT_COMMUNITIES, a->ext_communities,
			  a->ext_communities_len);
	if (need_as4_path && WIRE_HAS(a, WIRE_ATTR_AS_PATH))
		put_as4_path(&o, a->aspath, a->aspath_len);
	put_unknown(&o, a, WIRE_ATTR_AS4_AGGREGATOR + 1, WIRE_ATTR_LARGE_COMMUNITIES);
	if (WIRE_HAS(a, WIRE_ATTR_LARGE_COMMUNITIES))
		put_bytes(&o, opt_t, WIRE_ATTR_LARGE_COMMUNITIES, a->large_communities,
			  a->large_communities_len);
	put_unknown(&o, a, WIRE_ATTR_LARGE_COMMUNITIES + 1, WIRE_ATTR_OTC);
	if (WIRE_HAS(a, WIRE_ATTR_OTC))
		put_u32(&o, opt_t, WIRE_ATTR_OTC, a->otc);
	put_unknown(&o, a, WIRE_ATTR_OTC + 1, 256);
	return o.overflow ? 0 : (size_t)(o.p - out);
}
