/* decode.c: the monitors' UPDATE decoder: the four NLRI fields of an UPDATE, located and
 * validated, without decoding the path attributes.
 *
 * Why: a monitor keeps prefixes only, yet wire_update_parse builds the whole attribute set
 * of every UPDATE (clearing a struct wire_update of ~600 octets, a dispatch per attribute,
 * AS path copies); on real-table packing (a few prefixes per UPDATE) that was most of the
 * monitors' time, and the harness must not be what a benchmark measures (issue 7).
 *
 * Contract: mon_decode accepts a message only when wire_update_parse, given the same bytes
 * and wire_ctx, would not reset the session for it, and then with the same four NLRI fields
 * and the same End-of-RIB verdict; anything else returns false, and the caller hands the
 * message to the full parser, which classifies it exactly as before (a reset stays a reset).
 * So the fast path checks everything whose failure resets the session (RFC 7606):
 *   - the UPDATE framing: the withdrawn-routes and attribute lengths inside the message
 *     (RFC 4271 4.3, RFC 7606 3.b);
 *   - every NLRI field, withdrawn, NLRI, MP_REACH and MP_UNREACH: every prefix length within
 *     its family, no prefix past its field (RFC 7606 3.j, 5.3);
 *   - the attribute block's framing: every attribute's header and value inside the block
 *     (RFC 7606 4; the parser treats an overrun as withdraw or resets: declined either way);
 *   - MP_REACH_NLRI and MP_UNREACH_NLRI in full: flags, no second one (3.g), lengths, the
 *     next hop's length for the family (7.11), and the IPv6 next hop (a treat-as-withdraw in
 *     the parser, checked since the attribute is read anyway);
 *   - unrecognized well-known attributes (RFC 4271 6.3: a reset);
 *   - an UPDATE that announces nothing yet carries attributes other than MP_UNREACH is
 *     declined: there any attribute error resets (RFC 7606 5.2), and the fast path does not
 *     grade attributes.
 * What it leaves alone: the value, flags and length of every other attribute, duplicates of
 * them, and whether ORIGIN, AS_PATH and NEXT_HOP are present. Their failures discard the
 * attribute or treat the UPDATE's routes as withdrawn (RFC 7606 7, 3.d), never reset; a
 * monitor uses no attribute, and whether a route server sends well-formed attributes is for
 * the route server's own tests (routex: tests/unit/wire and the interop suites), not for a
 * load generator. On such an UPDATE a monitor counts the routes as announced where the full
 * parser would withdraw them; `--full-decode` keeps the strict path. Walking the attribute
 * block by its length fields alone took the framing and attribute checks from ~81 to ~34
 * instructions per NLRI on a real table (bench/RESULTS.md, third step).
 * The agreement is tested on real, random, mutated and hand-made UPDATEs
 * (tests/unit/routex-bench). */
#include <string.h>

#include <routex/compiler.h>
#include <routex/wire.h>

#include "bench.h"

/* What walk() ORs into *lens: some prefix is longer than /24 (their bits are not in the
 * bitmap: divert_long moves them). */
#define LEN_LONG 32u

/* One NLRI field (RFC 4271 4.3, RFC 4760 5, RFC 7911 3), checked as wire_nlri_check does:
 * every prefix length within the family (maxbits), no prefix past the field; step is 5 with
 * path ids (the id, then the length octet), else 1. Returns the number of prefixes, or -1.
 * Offsets, not pointers, so that a bad length never forms a pointer past the buffer.
 *
 * With o (classic IPv4 without path ids only: maxbits 32, step 1) each prefix is also
 * written to o[] as a pending set operation, pset_bit | flag, and LEN_LONG is ORed into
 * *lens when some prefix is longer than /24. Inlined into each caller, so that this one
 * walker is specialised for that case: while 5 octets are left, a prefix and the 4 octets
 * after its length lie inside the field (if the length is valid), so the loop has no bound
 * test per prefix and reads the address in one 4-octet load. Lengths are judged once, after
 * the loop, from two ORs: of every plen + 7, under 32 exactly while every prefix is /24 or
 * shorter; of every plen + 31, under 64 exactly while none is past /32 (a second walk to
 * tell the two apart would cost withdrawals, nearly all of which hold a /25../32, a third
 * walk of each field). The prefix's octet count is computed, not looked up:
 * the next prefix's position waits on it, and a table load made that chain longer. The
 * field's last 4 octets or fewer go through a second loop, whose 4-octet load ends with the
 * prefix: it starts at most 2 octets before the field, inside the body (see the callers).
 * Other fields take the general loop alone, which only counts. */
static inline __attribute__((always_inline)) long walk(const uint8_t *p, size_t len,
							unsigned maxbits, size_t step,
							uint32_t *o, uint32_t flag,
							unsigned *lens)
{
	size_t i = 0;
	if (o) {
		uint32_t *out = o;
		unsigned acc = 0, bad = 0;
		if (len >= 5) {
			/* i may pass len after a bad length: judged below, nothing read there */
			const size_t stop = len - 4;
			do {
				unsigned plen = p[i], p7 = plen + 7;
				acc |= p7;
				bad |= plen + 31; /* 64 or more once some plen is past 32 */
				*out++ = pset_bit(wire_get32(p + i + 1), plen) | flag;
				i += 1 + (p7 >> 3);
			} while (i < stop);
		}
		/* At most 4 octets left: each prefix's address is the 4 octets that end with it,
		 * shifted into place. */
		for (; i < len; out++) {
			unsigned plen = p[i], p7 = plen + 7;
			size_t bytes = p7 >> 3;
			if (bytes >= len - i)
				return -1;
			acc |= p7;
			uint32_t a = 0;
			if (bytes)
				a = wire_get32(p + i + bytes - 3) << (32 - 8 * bytes);
			*out = pset_bit(a, plen) | flag;
			i += 1 + bytes;
		}
		if (RX_LIKELY(acc < 32))
			return out - o;
		if (bad >= 64)
			return -1;
		*lens |= LEN_LONG;
		return out - o;
	}
	long n = 0;
	for (; i < len; n++) {
		if (len - i < step)
			return -1;
		unsigned plen = p[i + step - 1];
		if (plen > maxbits)
			return -1;
		i += step + (plen + 7) / 8;
	}
	return i == len ? n : -1; /* else the last prefix overruns the field */
}

static void set_field(struct wire_nlri *n, const uint8_t *p, size_t len, uint16_t afi,
		      uint8_t safi, bool known, bool addpath, long count)
{
	*n = (struct wire_nlri){.data = p, .len = (uint16_t)len, .afi = afi, .safi = safi,
				.addpath = addpath, .known = known, .count = (uint32_t)count};
}

/* A field of an MP attribute: its family decides whether it is known (else opaque, as in
 * the full parser: monitors skip it) and has path ids. */
static bool mp_field(const uint8_t *p, size_t len, uint16_t afi, uint8_t safi,
		     const struct wire_ctx *ctx, struct wire_nlri *n)
{
	enum rx_family fam;
	bool known = wire_family(afi, safi, &fam);
	bool ap = known && (ctx->addpath_rx & RX_FAM_BIT(fam));
	long count = 0;
	if (known) {
		/* The common families with their constants, so that walk() folds them. */
		if (afi == RX_AFI_IPV6 && !ap)
			count = walk(p, len, 128, 1, NULL, 0, NULL);
		else if (afi == RX_AFI_IPV4 && !ap)
			count = walk(p, len, 32, 1, NULL, 0, NULL);
		else
			count = walk(p, len, afi == RX_AFI_IPV4 ? 32 : 128, ap ? 5 : 1, NULL, 0,
				     NULL);
		if (count < 0)
			return false;
	}
	set_field(n, p, len, afi, safi, known, ap, count);
	return true;
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

/* RFC 4760 3 and 4, RFC 7606 7.11: what the full parser requires of MP_REACH_NLRI. */
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

/* Per attribute type: PASS for every type the codec knows other than the MP ones (their
 * contents are left alone, see the top); the MP types and the types the codec does not
 * know (0) take the slow path. One load and compare per attribute. */
#define PASS 1
#define KIND_MP 2
static const uint8_t kind[256] = {
	[WIRE_ATTR_ORIGIN] = PASS,
	[WIRE_ATTR_AS_PATH] = PASS,
	[WIRE_ATTR_NEXT_HOP] = PASS,
	[WIRE_ATTR_MED] = PASS,
	[WIRE_ATTR_LOCAL_PREF] = PASS,
	[WIRE_ATTR_ATOMIC_AGGREGATE] = PASS,
	[WIRE_ATTR_AGGREGATOR] = PASS,
	[WIRE_ATTR_COMMUNITIES] = PASS,
	[WIRE_ATTR_ORIGINATOR_ID] = PASS,
	[WIRE_ATTR_CLUSTER_LIST] = PASS,
	[WIRE_ATTR_MP_REACH_NLRI] = KIND_MP,
	[WIRE_ATTR_MP_UNREACH_NLRI] = KIND_MP,
	[WIRE_ATTR_EXT_COMMUNITIES] = PASS,
	[WIRE_ATTR_AS4_PATH] = PASS,
	[WIRE_ATTR_AS4_AGGREGATOR] = PASS,
	[WIRE_ATTR_LARGE_COMMUNITIES] = PASS,
	[WIRE_ATTR_OTC] = PASS,
};

/* The slow path of the attribute loop, for an attribute at a whose header and value take
 * raw octets of the left in the block: false when the parser would reset. *unreach_len:
 * set to raw for MP_UNREACH. */
/* Out of line and cold: inlined, its MP decoding took registers from the hot loops. */
static __attribute__((noinline, cold)) bool attr_slow(const uint8_t *a, size_t raw, size_t left,
						       const struct wire_ctx *ctx,
						       struct mon_update *m, size_t *unreach_len)
{
	uint8_t fl = a[0], type = a[1];
	if (kind[type] != KIND_MP) /* RFC 4271 6.3: an unrecognized well-known one resets */
		return fl & WIRE_AF_OPTIONAL;
	if (raw > left)
		return false; /* the value is read below: in the block, as a whole */
	size_t hdr = fl & WIRE_AF_EXT_LEN ? 4 : 3;
	/* The codec's rule for these two: optional non-transitive, else a reset (RFC 4760
	 * 3, 4); a second one resets too (RFC 7606 3.g). */
	if ((fl & (WIRE_AF_OPTIONAL | WIRE_AF_TRANSITIVE)) != WIRE_AF_OPTIONAL)
		return false;
	if (type == WIRE_ATTR_MP_REACH_NLRI)
		return !m->has_mp_reach && mp_reach(a + hdr, raw - hdr, ctx, m);
	*unreach_len = raw;
	return !m->has_mp_unreach && mp_unreach(a + hdr, raw - hdr, ctx, m);
}

/* A valid classic field with some /25../32, whose operations walk() wrote to o: those
 * prefixes move to the set's list of their own (their bits are not in the bitmap), and
 * their slots in o become no-ops (0: bit 0 of the first /16's line, which no prefix uses,
 * cleared). Once the message is accepted: nothing pending may change before. Withdrawals
 * of a full table nearly all hold one; announcements rarely (1% of the PCH table's): out of
 * line, so that it takes no registers from mon_decode's loops. */
static __attribute__((noinline)) void divert_long(const uint8_t *p, size_t len, uint32_t *o,
						  bool add, struct pset_ops *ops)
{
	for (size_t i = 0; i < len; o++) {
		unsigned plen = p[i];
		if (plen > 24) { /* 4 address octets, inside the field: it is valid */
			o[0] = 0;
			pset_ops_long(ops, wire_get32(p + i + 1) & ~0u << (32 - plen), plen, add);
		}
		i += 1 + (plen + 7) / 8;
	}
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
	/* The attribute block, by its length fields only (see the top). While 4 octets are
	 * left, any header can be read whole: no bound test per attribute, only the loop's;
	 * an attribute past the block leaves i beyond alen, judged after the loop (the slow
	 * path, which reads values, tests its own bound). What is left then, 1..3 octets, can
	 * only be one 3-octet attribute with an empty value (ATOMIC_AGGREGATE, say). Offsets,
	 * not pointers, as in walk(). */
	size_t i = 0, unreach_len = 0; /* octets of the MP_UNREACH attribute, header included */
	if (alen >= 4) {
		const size_t last = alen - 4;
		do {
			size_t raw = 3 + (size_t)attrs[i + 2];
			if (attrs[i] & WIRE_AF_EXT_LEN)
				raw = 4 + (size_t)wire_get16(attrs + i + 2);
			if (RX_UNLIKELY(kind[attrs[i + 1]] != PASS) &&
			    !attr_slow(attrs + i, raw, alen - i, ctx, m, &unreach_len))
				return false;
			i += raw;
		} while (i <= last);
	}
	if (i < alen) {
		const uint8_t *a = attrs + i;
		if (alen - i != 3 || (a[0] & WIRE_AF_EXT_LEN) || a[2] != 0 ||
		    (kind[a[1]] != PASS && !attr_slow(a, 3, 3, ctx, m, &unreach_len)))
			return false;
		i += 3;
	}
	if (i != alen) /* the last attribute runs past the block (RFC 7606 4) */
		return false;
	bool announces = nlen > 0 || (m->has_mp_reach && m->mp_reach.len > 0);
	bool others = alen > unreach_len; /* attributes besides MP_UNREACH */
	if (!announces && others)
		return false; /* RFC 7606 5.2: the parser's verdict depends on their contents */
	/* RFC 4724 2: End-of-RIB, as the full parser detects it: an empty UPDATE, or one that
	 * holds only an empty MP_UNREACH. */
	if (wlen == 0 && nlen == 0 &&
	    (alen == 0 || (m->has_mp_unreach && m->mp_unreach.len == 0 && !others)))
		m->end_of_rib = true;
	/* The classic fields last: once they pass, nothing can decline the message, so that
	 * the operations and diverted /25../32 are written with less of the function live. */
	bool ap4 = ctx->addpath_rx & RX_FAM_BIT(RX_FAM_IPV4_UNICAST);
	long nw, na;
	unsigned lens = 0;
	uint32_t *o = NULL;
	/* Both fields start at least 2 octets into the body, as walk() needs. */
	if (ops && !ap4) { /* written past ops->n, which moves only once the message passes */
		pset_ops_reserve(ops, wlen + nlen); /* a prefix takes at least one octet */
		o = ops->v + ops->n;
		nw = walk(body + 2, wlen, 32, 1, o, 0, &lens);
		if (nw < 0)
			return false;
		na = walk(nlri, nlen, 32, 1, o + nw, PSET_OP_ADD, &lens);
	} else {
		nw = walk(body + 2, wlen, 32, ap4 ? 5 : 1, NULL, 0, NULL);
		if (nw < 0)
			return false;
		na = walk(nlri, nlen, 32, ap4 ? 5 : 1, NULL, 0, NULL);
	}
	if (na < 0)
		return false;
	set_field(&m->withdrawn, body + 2, wlen, RX_AFI_IPV4, RX_SAFI_UNICAST, true, ap4, nw);
	set_field(&m->nlri, nlri, nlen, RX_AFI_IPV4, RX_SAFI_UNICAST, true, ap4, na);
	if (o) {
		if (RX_UNLIKELY(lens & LEN_LONG)) {
			divert_long(body + 2, wlen, o, false, ops);
			divert_long(nlri, nlen, o + nw, true, ops);
		}
		ops->n += (size_t)(nw + na);
		m->collected = true;
	}
	return true;
}
