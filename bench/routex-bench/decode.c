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

/* Per known type: KNOWN and the Optional/Transitive bits it must carry (RFC 4271 5); 0 for
 * types the codec does not know. */
#define KNOWN 0x01
#define WK (KNOWN | WIRE_AF_TRANSITIVE)
#define OPT (KNOWN | WIRE_AF_OPTIONAL)
#define OPT_T (KNOWN | WIRE_AF_OPTIONAL | WIRE_AF_TRANSITIVE)
static const uint8_t want_flags[256] = {
	[WIRE_ATTR_ORIGIN] = WK,
	[WIRE_ATTR_AS_PATH] = WK,
	[WIRE_ATTR_NEXT_HOP] = WK,
	[WIRE_ATTR_MED] = OPT,
	[WIRE_ATTR_LOCAL_PREF] = WK,
	[WIRE_ATTR_ATOMIC_AGGREGATE] = WK,
	[WIRE_ATTR_AGGREGATOR] = OPT_T,
	[WIRE_ATTR_COMMUNITIES] = OPT_T,
	[WIRE_ATTR_ORIGINATOR_ID] = OPT,
	[WIRE_ATTR_CLUSTER_LIST] = OPT,
	[WIRE_ATTR_MP_REACH_NLRI] = OPT,
	[WIRE_ATTR_MP_UNREACH_NLRI] = OPT,
	[WIRE_ATTR_EXT_COMMUNITIES] = OPT_T,
	[WIRE_ATTR_AS4_PATH] = OPT_T,
	[WIRE_ATTR_AS4_AGGREGATOR] = OPT_T,
	[WIRE_ATTR_LARGE_COMMUNITIES] = OPT_T,
	[WIRE_ATTR_OTC] = OPT_T,
};

/* Per type: the value length a treat-as-withdraw rule demands: exact (EXACT | n) or a
 * non-zero multiple of n (MULT | n); 0: no such rule. */
#define EXACT 0x80
#define MULT 0x40
static const uint8_t len_rule[256] = {
	[WIRE_ATTR_ORIGIN] = EXACT | 1,
	[WIRE_ATTR_MED] = EXACT | 4,
	[WIRE_ATTR_LOCAL_PREF] = EXACT | 4,
	[WIRE_ATTR_COMMUNITIES] = MULT | 4,
	[WIRE_ATTR_ORIGINATOR_ID] = EXACT | 4,
	[WIRE_ATTR_CLUSTER_LIST] = MULT | 4,
	[WIRE_ATTR_EXT_COMMUNITIES] = MULT | 8,
	[WIRE_ATTR_LARGE_COMMUNITIES] = MULT | 12,
	[WIRE_ATTR_OTC] = EXACT | 4,
};

/* One NLRI field (RFC 4271 4.3, RFC 4760 5, RFC 7911 3), checked as wire_nlri_check does:
 * every prefix length within the family, no prefix past the field. Offsets, not pointers,
 * so that a bad length never forms a pointer past the buffer. */
static bool field(const uint8_t *p, size_t len, uint16_t afi, uint8_t safi, bool addpath,
		  struct wire_nlri *n)
{
	enum rx_family fam;
	n->data = p;
	n->len = (uint16_t)len;
	n->afi = afi;
	n->safi = safi;
	n->addpath = addpath;
	n->count = 0;
	n->known = wire_family(afi, safi, &fam);
	if (!n->known)
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
	bool known = wire_family(afi, safi, &fam);
	if (known) {
		bool nh_ok = afi == RX_AFI_IPV6 ? (nhlen == 16 || nhlen == 32)
						: (nhlen == 4 || nhlen == 16 || nhlen == 32);
		if (!nh_ok || (afi == RX_AFI_IPV6 && !nexthop6_ok(v + 4)))
			return false;
	}
	bool ap = known && (ctx->addpath_rx & RX_FAM_BIT(fam));
	m->has_mp_reach = true;
	return field(v + 5 + nhlen, len - 5 - nhlen, afi, safi, ap, &m->mp_reach);
}

static bool mp_unreach(const uint8_t *v, size_t len, const struct wire_ctx *ctx,
		       struct mon_update *m)
{
	if (len < 3)
		return false;
	uint16_t afi = wire_get16(v);
	uint8_t safi = v[2];
	enum rx_family fam;
	bool ap = wire_family(afi, safi, &fam) && (ctx->addpath_rx & RX_FAM_BIT(fam));
	m->has_mp_unreach = true;
	return field(v + 3, len - 3, afi, safi, ap, &m->mp_unreach);
}

/* One attribute's value; false when the full parser would not simply accept or discard
 * it. nlri_used: the UPDATE has classic NLRI (RFC 4760 3: else NEXT_HOP is ignored). */
static bool attr_ok(uint8_t type, const uint8_t *v, size_t len, const struct wire_ctx *ctx,
		    bool nlri_used, struct mon_update *m)
{
	uint8_t r = len_rule[type];
	switch (type) {
	case WIRE_ATTR_ORIGIN:
		return len == 1 && v[0] <= WIRE_ORIGIN_INCOMPLETE;
	case WIRE_ATTR_AS_PATH:
		return aspath_ok(v, len, ctx);
	case WIRE_ATTR_NEXT_HOP:
		/* RFC 7606 7.3, RFC 4271 6.3: a unicast host address. */
		return !nlri_used || (len == 4 && wire_get32(v) != 0 && v[0] < 224);
	case WIRE_ATTR_MP_REACH_NLRI:
		return mp_reach(v, len, ctx, m);
	case WIRE_ATTR_MP_UNREACH_NLRI:
		return mp_unreach(v, len, ctx, m);
	case WIRE_ATTR_LOCAL_PREF:
	case WIRE_ATTR_ORIGINATOR_ID:
	case WIRE_ATTR_CLUSTER_LIST:
		if (ctx->ebgp) /* RFC 7606 7.5, 7.9, 7.10: discarded whatever they hold */
			return true;
		break;
	default:
		break;
	}
	if (!r)
		return true;
	size_t unit = r & 0x3F;
	return r & EXACT ? len == unit : (len > 0 && len % unit == 0);
}

bool mon_decode(const uint8_t *body, size_t len, const struct wire_ctx *ctx,
		struct mon_update *m)
{
	m->has_mp_reach = m->has_mp_unreach = m->end_of_rib = false;
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
	if (!field(body + 2, wlen, RX_AFI_IPV4, RX_SAFI_UNICAST, ap4, &m->withdrawn) ||
	    !field(nlri, nlen, RX_AFI_IPV4, RX_SAFI_UNICAST, ap4, &m->nlri))
		return false;
	bool nlri_used = m->nlri.count > 0;
	uint64_t seen[4] = {0, 0, 0, 0};
	size_t i = 0;
	while (i < alen) {
		const uint8_t *a = attrs + i;
		size_t left = alen - i;
		bool ext = a[0] & WIRE_AF_EXT_LEN;
		size_t hdr = ext ? 4 : 3;
		if (left < hdr)
			return false;
		size_t vlen = ext ? wire_get16(a + 2) : a[2];
		if (hdr + vlen > left)
			return false;
		uint8_t type = a[1], want = want_flags[type];
		uint8_t ot = (a[0] & (WIRE_AF_OPTIONAL | WIRE_AF_TRANSITIVE)) | KNOWN;
		uint64_t bit = 1ull << (type & 63);
		if (seen[type >> 6] & bit)
			return false;
		seen[type >> 6] |= bit;
		if (!want) {
			if (!(ot & WIRE_AF_OPTIONAL))
				return false; /* unrecognized well-known: a reset */
		} else if (ot != want &&
			   !(ctx->ebgp && (type == WIRE_ATTR_LOCAL_PREF ||
					   type == WIRE_ATTR_ORIGINATOR_ID ||
					   type == WIRE_ATTR_CLUSTER_LIST))) {
			return false; /* flags conflict: the full parser grades it */
		} else if (!attr_ok(type, a + hdr, vlen, ctx, nlri_used, m)) {
			return false;
		}
		i += hdr + vlen;
	}
	bool announces = nlri_used || (m->has_mp_reach && m->mp_reach.len > 0);
	if (announces) { /* RFC 7606 3.d: mandatory attributes present */
		uint64_t need = 1ull << WIRE_ATTR_ORIGIN | 1ull << WIRE_ATTR_AS_PATH;
		if (nlri_used)
			need |= 1ull << WIRE_ATTR_NEXT_HOP;
		if ((seen[0] & need) != need)
			return false;
	}
	/* RFC 4724 2: End-of-RIB, as the full parser detects it: an empty UPDATE, or one that
	 * holds only an empty MP_UNREACH. With other attributes beside an empty MP_UNREACH the
	 * parser's verdict depends on which of them it kept: let it decide. */
	if (wlen == 0 && nlen == 0) {
		bool empty_unreach = m->has_mp_unreach && m->mp_unreach.len == 0;
		bool others = (seen[0] & ~(1ull << WIRE_ATTR_MP_UNREACH_NLRI)) || seen[1] ||
			      seen[2] || seen[3];
		if (alen == 0 || (empty_unreach && !others))
			m->end_of_rib = true;
		else if (empty_unreach)
			return false;
	}
	return true;
}
