/* decode.c: the monitors' UPDATE decoder: the four NLRI fields of an UPDATE, located and
 * validated, without decoding the path attributes into a struct wire_update.
 *
 * Why: a monitor keeps prefixes only, yet wire_update_parse builds the whole attribute set
 * of every UPDATE (clearing a struct wire_update of ~600 octets, a dispatch per attribute,
 * AS path copies); on real-table packing (a few prefixes per UPDATE) that was most of the
 * monitors' time, and the harness must not be what a benchmark measures (issue 7).
 *
 * Contract: mon_decode accepts a message only when wire_update_parse, given the same bytes
 * and wire_ctx, would return WIRE_OK or WIRE_ATTR_DISCARD with the same four NLRI fields;
 * anything else (framing or NLRI errors, a treat-as-withdraw or reset condition, or what
 * the checks below do not cover) returns false, and the caller hands the message to the
 * full parser, which classifies it exactly as before. So the fast path checks:
 *   - the UPDATE framing and every NLRI field (prefix lengths, overruns; RFC 7606 3.b, 5.3);
 *   - the attribute block framing (RFC 7606 4), duplicates (3.g), flags of known types (3.c)
 *     and unrecognized well-known types (RFC 4271 6.3);
 *   - of attribute values, exactly the rules whose failure affects the routes
 *     (treat-as-withdraw, RFC 7606 7): ORIGIN, AS_PATH, NEXT_HOP, the fixed lengths and
 *     multiples of MED, LOCAL_PREF, COMMUNITIES, ORIGINATOR_ID, CLUSTER_LIST, extended and
 *     large communities and OTC, and the MP_REACH next hop; and the mandatory attributes
 *     (RFC 7606 3.d). Rules whose failure only discards an attribute are skipped.
 * The agreement is tested on real, random and mutated streams (tests/unit/routex-bench). */
#include <string.h>

#include <routex/wire.h>

#include "bench.h"

/* What the fast path checks of an attribute, per type. Simple rules (flags, a fixed length
 * or a multiple) are checked without branches, so that the varying mix of attributes from
 * one UPDATE to the next costs no mispredicted jumps; the few rules that read the value
 * (ORIGIN, AS_PATH, NEXT_HOP, the MP attributes, LARGE_COMMUNITIES) are "special". */
enum special { SP_NONE, SP_ORIGIN, SP_ASPATH, SP_NEXTHOP, SP_MP_REACH, SP_MP_UNREACH, SP_MULT12 };

struct rule {
	/* Length rules as two masks of failing lengths, bit (vlen & 63) of the first for
	 * lengths below 64 and of the second above (a multiple of 4 or 8 repeats with period
	 * 64; an exact length below 64 fails every longer one): one shift and test per
	 * attribute instead of a test per rule, a tenth fewer instructions in the decoder. An
	 * all-zero entry accepts any length. */
	uint64_t lbad_small, lbad_big;
	/* Accepted (optional, transitive) combinations, bit (flags >> 6) (RFC 4271 5, RFC 7606
	 * 3.c), stored XOR 0xC so that an all-zero entry, a type the codec does not know,
	 * accepts only the optional ones (RFC 4271 6.3). */
	uint8_t flagok_x;
	uint8_t special; /* enum special */
};

#define OT (WIRE_AF_OPTIONAL | WIRE_AF_TRANSITIVE)
#define WK WIRE_AF_TRANSITIVE
#define OPT WIRE_AF_OPTIONAL
#define OPT_T (WIRE_AF_OPTIONAL | WIRE_AF_TRANSITIVE)
#define FLAGS_UNKNOWN 0xCu /* combinations 2 and 3: the optional bit set */
/* Lengths that are multiples of mmask + 1 (4 or 8), 0 included. */
#define PERIOD(mmask) ((mmask) == 3 ? 0x1111111111111111ull : (mmask) == 7 ? 0x0101010101010101ull : ~0ull)
/* fmask is OT (flags checked) or 0 (any); exact: required length, 0: any; mmask: length
 * a non-zero multiple of mmask + 1, 0: any. */
#define RULE(fmask, flags, exact, mmask, special)                                          \
	{(exact) ? ~(1ull << (exact)) : (mmask) ? ~(PERIOD(mmask) & ~1ull) : 0,              \
	 (exact) ? ~0ull : (mmask) ? ~PERIOD(mmask) : 0,                                     \
	 (uint8_t)(((fmask) ? 1u << ((flags) >> 6) : 0xFu) ^ FLAGS_UNKNOWN), special}
/* Every type the codec knows, as the full parser grades it (RFC 7606 7); LOCAL_PREF,
 * ORIGINATOR_ID and CLUSTER_LIST differ between the two tables: from an external peer they
 * are discarded whatever they hold, flags included (RFC 7606 7.5, 7.9, 7.10). */
#define RULES(lp, orig, cl)                                                              \
	{                                                                                \
		[WIRE_ATTR_ORIGIN] = RULE(OT, WK, 1, 0, SP_ORIGIN),                       \
		[WIRE_ATTR_AS_PATH] = RULE(OT, WK, 0, 0, SP_ASPATH),                      \
		[WIRE_ATTR_NEXT_HOP] = RULE(OT, WK, 0, 0, SP_NEXTHOP),                    \
		[WIRE_ATTR_MED] = RULE(OT, OPT, 4, 0, SP_NONE),                           \
		[WIRE_ATTR_LOCAL_PREF] = lp,                                             \
		[WIRE_ATTR_ATOMIC_AGGREGATE] = RULE(OT, WK, 0, 0, SP_NONE),               \
		[WIRE_ATTR_AGGREGATOR] = RULE(OT, OPT_T, 0, 0, SP_NONE),                  \
		[WIRE_ATTR_COMMUNITIES] = RULE(OT, OPT_T, 0, 3, SP_NONE),                 \
		[WIRE_ATTR_ORIGINATOR_ID] = orig,                                        \
		[WIRE_ATTR_CLUSTER_LIST] = cl,                                           \
		[WIRE_ATTR_MP_REACH_NLRI] = RULE(OT, OPT, 0, 0, SP_MP_REACH),             \
		[WIRE_ATTR_MP_UNREACH_NLRI] = RULE(OT, OPT, 0, 0, SP_MP_UNREACH),         \
		[WIRE_ATTR_EXT_COMMUNITIES] = RULE(OT, OPT_T, 0, 7, SP_NONE),             \
		[WIRE_ATTR_AS4_PATH] = RULE(OT, OPT_T, 0, 0, SP_NONE),                    \
		[WIRE_ATTR_AS4_AGGREGATOR] = RULE(OT, OPT_T, 0, 0, SP_NONE),              \
		[WIRE_ATTR_LARGE_COMMUNITIES] = RULE(OT, OPT_T, 0, 0, SP_MULT12),         \
		[WIRE_ATTR_OTC] = RULE(OT, OPT_T, 4, 0, SP_NONE),                         \
	}
#define ANY RULE(0, 0, 0, 0, SP_NONE)
static const struct rule rules_ibgp[256] = RULES(((struct rule)RULE(OT, WK, 4, 0, SP_NONE)),
						 ((struct rule)RULE(OT, OPT, 4, 0, SP_NONE)),
						 ((struct rule)RULE(OT, OPT, 0, 3, SP_NONE)));
static const struct rule rules_ebgp[256] = RULES(((struct rule)ANY), ((struct rule)ANY),
						 ((struct rule)ANY));

/* One NLRI field (RFC 4271 4.3, RFC 4760 5, RFC 7911 3), checked as wire_nlri_check does:
 * every prefix length within the family, no prefix past the field. Offsets, not pointers,
 * so that a bad length never forms a pointer past the buffer. */
static bool field(const uint8_t *p, size_t len, uint16_t afi, uint8_t safi, bool known,
		  bool addpath, struct wire_nlri *n)
{
	n->data = p;
	n->len = (uint16_t)len;
	n->afi = afi;
	n->safi = safi;
	n->addpath = addpath;
	n->known = known;
	n->count = 0;
	if (!known)
		return true; /* opaque, as in the full parser: monitors skip it */
	const unsigned maxbits = afi == RX_AFI_IPV4 ? 32 : 128;
	const size_t step = addpath ? 5 : 1; /* path id, then the length octet */
	size_t i = 0;
	uint32_t count = 0;
	while (i < len) {
		if (len - i < step)
			return false;
		unsigned plen = p[i + step - 1];
		if (plen > maxbits)
			return false;
		i += step + (plen + 7) / 8;
		count++;
	}
	if (i != len) /* the last prefix overruns the field */
		return false;
	n->count = count;
	return true;
}

/* A classic IPv4 field without path ids: checked as field() does, while its prefixes are
 * written to *out as pending set operations (flag: PSET_OP_ADD or 0). A prefix longer than
 * /24 sets *long_seen and gets a placeholder: the caller then drops what was written. */
static bool field4_ops(const uint8_t *p, size_t len, struct wire_nlri *n, uint32_t flag,
		       uint32_t **out, bool *long_seen)
{
	n->data = p;
	n->len = (uint16_t)len;
	n->afi = RX_AFI_IPV4;
	n->safi = RX_SAFI_UNICAST;
	n->addpath = false;
	n->known = true;
	n->count = 0;
	uint32_t *o = *out, *start = o;
	unsigned lens = 0; /* OR of every plen + 7: bit 5 is set when some plen is 25..32 */
	size_t i = 0;
	while (i < len) {
		unsigned plen = p[i], plen7 = plen + 7;
		size_t left = len - i - 1, bytes = plen7 / 8;
		if (plen > 32 || bytes > left)
			return false;
		uint32_t a = 0;
		/* One 4-octet load, instead of a loop whose trip count changes with every prefix
		 * length: from the prefix where the field has room, else the 4 octets that end
		 * with it, shifted into place (the field's last prefix, once per UPDATE: as a byte
		 * loop it cost the decoder ~100 instructions per UPDATE). Those start at most 2
		 * octets before the field, inside the body (see the callers). */
		if (left >= 4)
			a = wire_get32(p + i + 1);
		else if (bytes)
			a = (uint32_t)((uint64_t)wire_get32(p + i + 1 + bytes - 4) << (32 - 8 * bytes));
		/* No host-bit mask: pset_bit shifts every bit past plen out (the mask was 7
		 * instructions per prefix); a prefix past /24 is re-decoded by pset_collect. */
		lens |= plen7;
		/* Past /24 the bit means nothing (pset_bit is defined there, and the caller
		 * drops the operations): no clamp per prefix. */
		*o++ = pset_bit(a, plen) | flag;
		i += 1 + bytes;
	}
	*long_seen |= (lens & 32) != 0;
	n->count = (uint32_t)(o - start);
	*out = o;
	return true;
}

/* A field of an MP attribute: its family decides whether it is known and has path ids. */
static bool mp_field(const uint8_t *p, size_t len, uint16_t afi, uint8_t safi,
		     const struct wire_ctx *ctx, struct wire_nlri *n)
{
	enum rx_family fam;
	bool known = wire_family(afi, safi, &fam);
	bool ap = known && (ctx->addpath_rx & RX_FAM_BIT(fam));
	return field(p, len, afi, safi, known, ap, n);
}

/* RFC 7606 7.2, RFC 7607, RFC 5065 5: what the full parser requires of an AS_PATH. */
static bool aspath_ok(const uint8_t *p, size_t len, const struct wire_ctx *ctx)
{
	const unsigned as_size = ctx->as4 ? 4 : 2;
	size_t i = 0;
	while (i < len) {
		if (len - i < 2)
			return false;
		uint8_t type = p[i], count = p[i + 1];
		if (type < WIRE_AS_SET || type > WIRE_AS_CONFED_SET || count == 0)
			return false;
		if (type >= WIRE_AS_CONFED_SEQUENCE && ctx->ebgp)
			return false;
		size_t n = (size_t)count * as_size;
		if (n > len - i - 2)
			return false;
		for (size_t a = i + 2; a < i + 2 + n; a += as_size)
			if ((as_size == 4 ? wire_get32(p + a) : wire_get16(p + a)) == 0)
				return false;
		i += 2 + n;
	}
	/* A 2-octet path is widened to 4-octet form; past 65535 octets the parser withdraws. */
	return ctx->as4 || 2 * len <= UINT16_MAX;
}

/* RFC 2545 3, RFC 4291 2.5: the first IPv6 next hop must be a global unicast address (the
 * full parser's rule: not ::, ::1, IPv4-mapped, link-local or multicast). */
static bool nexthop6_ok(const uint8_t *a)
{
	static const uint8_t zero[10];
	bool low_zero = memcmp(a, zero, 10) == 0;
	if (low_zero && a[10] == 0 && a[11] == 0 && a[12] == 0 && a[13] == 0 && a[14] == 0 &&
	    a[15] <= 1)
		return false;
	if (low_zero && a[10] == 0xFF && a[11] == 0xFF)
		return false;
	return a[0] != 0xFF && !(a[0] == 0xFE && (a[1] & 0xC0) == 0x80);
}

/* RFC 4760 3 and 4, RFC 7606 7.11. */
static bool mp_reach(const uint8_t *v, size_t len, const struct wire_ctx *ctx,
		     struct mon_update *m)
{
	if (len < 5)
		return false;
	uint16_t afi = wire_get16(v);
	uint8_t safi = v[2], nhlen = v[3];
	if ((size_t)nhlen + 5 > len || nhlen > 32)
		return false;
	enum rx_family fam;
	if (wire_family(afi, safi, &fam)) {
		bool nh_ok = afi == RX_AFI_IPV6 ? (nhlen == 16 || nhlen == 32)
						: (nhlen == 4 || nhlen == 16 || nhlen == 32);
		if (!nh_ok || (afi == RX_AFI_IPV6 && !nexthop6_ok(v + 4)))
			return false;
	}
	m->has_mp_reach = true;
	return mp_field(v + 5 + nhlen, len - 5 - nhlen, afi, safi, ctx, &m->mp_reach);
}

static bool mp_unreach(const uint8_t *v, size_t len, const struct wire_ctx *ctx,
		       struct mon_update *m)
{
	if (len < 3)
		return false;
	m->has_mp_unreach = true;
	return mp_field(v + 3, len - 3, wire_get16(v), v[2], ctx, &m->mp_unreach);
}

/* The rules that read the value; false when the full parser would not simply accept or
 * discard the attribute. nlri_used: the UPDATE has classic NLRI (RFC 4760 3: else NEXT_HOP
 * is ignored). */
static bool special_ok(enum special k, const uint8_t *v, size_t len,
		       const struct wire_ctx *ctx, bool nlri_used, struct mon_update *m)
{
	if (k == SP_ORIGIN)
		return v[0] <= WIRE_ORIGIN_INCOMPLETE; /* length 1 checked by the rule */
	if (k == SP_ASPATH)
		return aspath_ok(v, len, ctx);
	if (k == SP_NEXTHOP) /* RFC 7606 7.3, RFC 4271 6.3: a unicast host address */
		return !nlri_used || (len == 4 && wire_get32(v) != 0 && v[0] < 224);
	if (k == SP_MP_REACH)
		return mp_reach(v, len, ctx, m);
	if (k == SP_MP_UNREACH)
		return mp_unreach(v, len, ctx, m);
	return len && len % 12 == 0; /* SP_MULT12: LARGE_COMMUNITIES (RFC 8092 5) */
}

bool mon_decode(const uint8_t *body, size_t len, const struct wire_ctx *ctx,
		struct mon_update *m, struct pset_ops *ops)
{
	m->has_mp_reach = m->has_mp_unreach = m->end_of_rib = m->collected = false;
	memset(&m->mp_reach, 0, sizeof(m->mp_reach)); /* absent: empty, as the parser leaves it */
	memset(&m->mp_unreach, 0, sizeof(m->mp_unreach));
	if (len < 4)
		return false;
	size_t wlen = wire_get16(body);
	if (wlen + 4 > len)
		return false;
	size_t alen = wire_get16(body + 2 + wlen);
	if (wlen + alen + 4 > len)
		return false;
	const uint8_t *attrs = body + 4 + wlen, *nlri = attrs + alen;
	size_t nlen = len - 4 - wlen - alen;
	bool ap4 = ctx->addpath_rx & RX_FAM_BIT(RX_FAM_IPV4_UNICAST);
	uint32_t *o = NULL;
	bool long_seen = false;
	if (ops && !ap4) { /* written past ops->n, which moves only once the message passes */
		pset_ops_reserve(ops, wlen + nlen);
		o = ops->v + ops->n;
		/* Both fields start at least 2 octets into the body, as field4_ops needs. */
		if (!field4_ops(body + 2, wlen, &m->withdrawn, 0, &o, &long_seen) ||
		    !field4_ops(nlri, nlen, &m->nlri, PSET_OP_ADD, &o, &long_seen))
			return false;
	} else if (!field(body + 2, wlen, RX_AFI_IPV4, RX_SAFI_UNICAST, true, ap4,
			  &m->withdrawn) ||
		   !field(nlri, nlen, RX_AFI_IPV4, RX_SAFI_UNICAST, true, ap4, &m->nlri)) {
		return false;
	}
	bool nlri_used = m->nlri.count > 0;
	const struct rule *rules = ctx->ebgp ? rules_ebgp : rules_ibgp;
	uint64_t seen = 0, seen_high[3] = {0, 0, 0}; /* a bit per type: 0..63, 64..255 */
	size_t i = 0;
	/* Real attribute blocks start ORIGIN, AS_PATH, NEXT_HOP (RFC 4271 5: ascending type
	 * order), in their short forms: checked here straight, with the rules the loop below
	 * would apply (flags well-known transitive, ORIGIN's length 1 and value, the AS_PATH,
	 * the NEXT_HOP of 4 octets), none of them a duplicate yet. Anything else, the long
	 * forms included, is left to the loop. This takes ~3 of 8 attributes per UPDATE of a
	 * real table out of the general loop. */
	const uint8_t hdr_mask = OT | WIRE_AF_EXT_LEN;
	if (alen >= 4 && (attrs[0] & hdr_mask) == WK && attrs[1] == WIRE_ATTR_ORIGIN &&
	    attrs[2] == 1) {
		if (attrs[3] > WIRE_ORIGIN_INCOMPLETE)
			return false;
		seen = 1ull << WIRE_ATTR_ORIGIN;
		i = 4;
	}
	if (alen - i >= 3 && (attrs[i] & hdr_mask) == WK && attrs[i + 1] == WIRE_ATTR_AS_PATH) {
		size_t vlen = attrs[i + 2];
		if (3 + vlen > alen - i || !aspath_ok(attrs + i + 3, vlen, ctx))
			return false;
		seen |= 1ull << WIRE_ATTR_AS_PATH;
		i += 3 + vlen;
	}
	if (alen - i >= 7 && (attrs[i] & hdr_mask) == WK && attrs[i + 1] == WIRE_ATTR_NEXT_HOP &&
	    attrs[i + 2] == 4) {
		const uint8_t *v = attrs + i + 3;
		if (nlri_used && (wire_get32(v) == 0 || v[0] >= 224))
			return false;
		seen |= 1ull << WIRE_ATTR_NEXT_HOP;
		i += 7;
	}
	while (i < alen) {
		const uint8_t *a = attrs + i;
		size_t left = alen - i;
		if (left < 3)
			return false;
		uint8_t fl = a[0], type = a[1];
		size_t hdr = 3, vlen = a[2];
		if (fl & WIRE_AF_EXT_LEN) {
			if (left < 4)
				return false;
			hdr = 4;
			vlen = wire_get16(a + 2);
		}
		if (hdr + vlen > left)
			return false;
		i += hdr + vlen;
		/* RFC 7606 3.g: the parser grades duplicates. Every known type is below 64: its
		 * bit stays in a register; the others take a branch that is rarely taken. */
		if (type < 64) {
			uint64_t bit = 1ull << type;
			if (seen & bit)
				return false;
			seen |= bit;
		} else {
			uint64_t *w = &seen_high[(type >> 6) - 1], bit = 1ull << (type & 63);
			if (*w & bit)
				return false;
			*w |= bit;
		}
		const struct rule *r = &rules[type];
		uint64_t lbad = vlen < 64 ? r->lbad_small : r->lbad_big;
		unsigned flag_ok = (r->flagok_x ^ FLAGS_UNKNOWN) >> (fl >> 6);
		if (((lbad >> (vlen & 63)) | ~flag_ok) & 1)
			return false;
		if (r->special &&
		    !special_ok((enum special)r->special, a + hdr, vlen, ctx, nlri_used, m))
			return false;
	}
	bool announces = nlri_used || (m->has_mp_reach && m->mp_reach.len > 0);
	if (announces) { /* RFC 7606 3.d: mandatory attributes present */
		uint64_t need = 1ull << WIRE_ATTR_ORIGIN | 1ull << WIRE_ATTR_AS_PATH;
		if (nlri_used)
			need |= 1ull << WIRE_ATTR_NEXT_HOP;
		if ((seen & need) != need)
			return false;
	}
	/* RFC 4724 2: End-of-RIB, as the full parser detects it: an empty UPDATE, or one that
	 * holds only an empty MP_UNREACH. With other attributes beside an empty MP_UNREACH the
	 * parser's verdict depends on which of them it kept: let it decide. */
	if (wlen == 0 && nlen == 0) {
		bool empty_unreach = m->has_mp_unreach && m->mp_unreach.len == 0;
		bool others = (seen & ~(1ull << WIRE_ATTR_MP_UNREACH_NLRI)) || seen_high[0] ||
			      seen_high[1] || seen_high[2];
		if (alen == 0 || (empty_unreach && !others))
			m->end_of_rib = true;
		else if (empty_unreach)
			return false;
	}
	if (o && !long_seen) {
		ops->n = (size_t)(o - ops->v);
		m->collected = true;
	}
	return true;
}
