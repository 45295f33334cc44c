/* fuzz_wire.c: libFuzzer target for the BGP codec's parsers (UPDATE, bare attribute blocks,
 * OPEN, NOTIFICATION, ROUTE-REFRESH, header).
 *
 * Input: one selector octet, then a message body (what follows the 19-octet header).
 *   bits 0-1  0 UPDATE, 1 OPEN, 2 NOTIFICATION, 3 ROUTE-REFRESH
 *   bit 2     wire_ctx.as4      bit 3  wire_ctx.ebgp
 *   bit 4     ADD-PATH receive on every family
 *   bit 5     wire_ctx.ext_msg  bit 6  UPDATE kind: parse as a bare MRT attribute block
 *   bit 7     UPDATE kind: also rebuild the announcements with the UPDATE builder
 * Besides "no crash, no out-of-bounds read" (ASan, UBSan) the target checks invariants:
 * - a parse that is not a session reset has NLRI fields that iterate and decode to exactly
 *   `count` prefixes, each within its family's length;
 * - attributes kept by a parse (action OK or attribute discard) re-encode, and the encoding
 *   parses cleanly to the same values (RFC 7606 discards must leave a valid set);
 * - an OPEN that parses re-encodes and parses to the same values;
 * - a shutdown communication comes out NUL-terminated and free of control characters;
 * - (bit 7) the kept attributes and announced prefixes, packed again by the builder, give
 *   UPDATEs within the size limit that parse back to the same prefixes in the same order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <routex/wire.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FAIL(...)                                                                                  \
	do {                                                                                       \
		fprintf(stderr, "fuzz_wire invariant: " __VA_ARGS__);                              \
		fputc('\n', stderr);                                                               \
		abort();                                                                           \
	} while (0)

static struct wire_scratch scratch, scratch2;
static struct rx_prefix pfx[65536];
static uint32_t ids[65536];

static void check_nlri(const struct wire_nlri *n, const char *what)
{
	struct wire_nlri_iter it;
	struct rx_prefix p;
	uint32_t id, k = 0;

	if (!n->known)
		return;
	wire_nlri_iter_init(&it, n);
	while (wire_nlri_next(&it, &p, &id)) {
		if (p.len > rx_afi_bits(p.afi))
			FAIL("%s: prefix length %u", what, p.len);
		if (++k > n->count)
			break;
	}
	if (k != n->count)
		FAIL("%s: iterated %u prefixes, count %u", what, k, n->count);
	size_t d = wire_nlri_decode(n, pfx, ids, sizeof(pfx) / sizeof(pfx[0]));
	if (d != n->count)
		FAIL("%s: decoded %zu prefixes, count %u", what, d, n->count);
	for (size_t i = 0; i < d; i++)
		if (!rx_prefix_is_canonical(&pfx[i]))
			FAIL("%s: decoded prefix %zu not canonical", what, i);
}

/* Attributes wire_attrs_encode does not write itself (MP_* go through the builder; AS4_*
 * only exist on the wire of 2-octet sessions). */
static const uint64_t mp_bits =
    WIRE_ATTR_BIT(WIRE_ATTR_MP_REACH_NLRI) | WIRE_ATTR_BIT(WIRE_ATTR_MP_UNREACH_NLRI) |
    WIRE_ATTR_BIT(WIRE_ATTR_AS4_PATH) | WIRE_ATTR_BIT(WIRE_ATTR_AS4_AGGREGATOR);

static bool same_view(const uint8_t *a, uint16_t alen, const uint8_t *b, uint16_t blen)
{
	return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

/* Unknown attributes in type order (stable): the encoder may sort them (RFC 4271 5). */
static size_t sorted_unknown(const uint8_t *p, uint16_t len, const uint8_t **out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; len && i + 3 <= len && n < max;) {
		size_t hdr = (p[i] & WIRE_AF_EXT_LEN) ? 4 : 3;
		if (i + hdr > len)
			break;
		size_t vlen = hdr == 4 ? wire_get16(p + i + 2) : p[i + 2];
		out[n++] = p + i;
		i += hdr + vlen;
	}
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && out[j - 1][1] > out[j][1]; j--) {
			const uint8_t *t = out[j];
			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	return n;
}

static size_t attr_size(const uint8_t *a)
{
	return (a[0] & WIRE_AF_EXT_LEN) ? 4 + (size_t)wire_get16(a + 2) : 3 + (size_t)a[2];
}

static bool same_unknown(const struct wire_attrs *a, const struct wire_attrs *b)
{
	static const uint8_t *ua[4096], *ub[4096];

	if (a->unknown_len != b->unknown_len)
		return false;
	size_t na = sorted_unknown(a->unknown, a->unknown_len, ua, 4096);
	size_t nb = sorted_unknown(b->unknown, b->unknown_len, ub, 4096);
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (attr_size(ua[i]) != attr_size(ub[i]) ||
		    memcmp(ua[i], ub[i], attr_size(ua[i])) != 0)
			return false;
	return true;
}

static void compare_attrs(const struct wire_attrs *a, const struct wire_attrs *b)
{
	if ((a->present & ~mp_bits) != (b->present & ~mp_bits))
		FAIL("re-parse: present %#llx became %#llx", (unsigned long long)a->present,
		     (unsigned long long)b->present);
	if (a->origin != b->origin || a->med != b->med || a->local_pref != b->local_pref ||
	    a->originator_id != b->originator_id || a->otc != b->otc ||
	    a->atomic_aggregate != b->atomic_aggregate)
		FAIL("re-parse: a fixed-size attribute changed");
	if (WIRE_HAS(a, WIRE_ATTR_AGGREGATOR) &&
	    (a->aggregator_as != b->aggregator_as ||
	     memcmp(a->aggregator_addr, b->aggregator_addr, 4) != 0))
		FAIL("re-parse: AGGREGATOR changed");
	if (WIRE_HAS(a, WIRE_ATTR_NEXT_HOP) && memcmp(a->nexthop, b->nexthop, 4) != 0)
		FAIL("re-parse: NEXT_HOP changed");
	if (!same_view(a->aspath, a->aspath_len, b->aspath, b->aspath_len))
		FAIL("re-parse: AS path changed (%u -> %u octets)", a->aspath_len, b->aspath_len);
	if (!same_view(a->communities, a->communities_len, b->communities, b->communities_len) ||
	    !same_view(a->ext_communities, a->ext_communities_len, b->ext_communities,
		       b->ext_communities_len) ||
	    !same_view(a->large_communities, a->large_communities_len, b->large_communities,
		       b->large_communities_len) ||
	    !same_view(a->cluster_list, a->cluster_list_len, b->cluster_list, b->cluster_list_len))
		FAIL("re-parse: a list attribute changed");
	if (!same_unknown(a, b))
		FAIL("re-parse: unknown attributes changed");
}

/* Kept attributes must re-encode and parse back cleanly to the same values (in the same
 * mode: MRT mode tolerates what a live session must not, e.g. AS 0 in old dumps). */
static void check_reencode(const struct wire_update *u, const struct wire_ctx *ctx, bool mrt)
{
	static uint8_t out[3 * 65536];
	static struct wire_update v;

	size_t n = wire_attrs_encode(&u->attrs, ctx, out, sizeof(out));
	if (n == 0) {
		if (u->attrs.present & ~mp_bits || u->attrs.unknown_len)
			FAIL("attributes of a parsed message did not re-encode");
		return; /* nothing to encode */
	}
	memset(&v, 0, sizeof(v));
	scratch2.used = 0;
	enum wire_action act = wire_attrs_parse(out, n, ctx, mrt, &v, &scratch2);
	if (act != WIRE_OK)
		FAIL("re-encoded attributes parse with action %d (%s)", act,
		     v.err.reason ? v.err.reason : "?");
	compare_attrs(&u->attrs, &v.attrs);
}

/* A confederation segment after an ordinary one (RFC 5065 only ever prepends them): the
 * RFC 6793 merge cannot carry such a path through a 2-octet session unchanged. */
static bool confed_inside(const uint8_t *p, size_t len)
{
	bool ordinary = false;

	for (size_t i = 0; i + 2 <= len; i += 2 + (size_t)p[i + 1] * 4) {
		bool confed = p[i] == WIRE_AS_CONFED_SEQUENCE || p[i] == WIRE_AS_CONFED_SET;
		if (confed && ordinary)
			return true;
		ordinary |= !confed;
	}
	return false;
}

/* Checks one built message and compares its prefixes with want[0..n). */
static size_t check_built(const uint8_t *msg, size_t len, const struct wire_ctx *ctx, size_t max,
			  enum rx_family fam, const struct rx_prefix *want,
			  const uint32_t *want_ids)
{
	static struct wire_update v;
	static struct rx_prefix got[8192];
	static uint32_t got_ids[8192];
	struct wire_error err;
	uint8_t type;

	if (len < WIRE_HEADER_LEN || len > max ||
	    wire_header_check(msg, len, max, &type, &err) != len || type != WIRE_UPDATE)
		FAIL("builder: bad message of %zu octets (max %zu)", len, max);
	scratch2.used = 0;
	if (wire_update_parse(msg + 19, len - 19, ctx, &v, &scratch2) != WIRE_OK)
		FAIL("builder: built UPDATE does not parse cleanly (%s)",
		     v.err.reason ? v.err.reason : "?");
	const struct wire_nlri *n = fam == RX_FAM_IPV4_UNICAST ? &v.nlri : &v.mp_reach;
	size_t k = wire_nlri_decode(n, got, got_ids, 8192);
	for (size_t i = 0; i < k; i++)
		if (!rx_prefix_equal(&got[i], &want[i]) ||
		    (n->addpath && got_ids[i] != want_ids[i]))
			FAIL("builder: prefix %zu differs", i);
	return k;
}

/* Packs the announcements of u again (IPv4 NLRI, or a known MP_REACH family). */
static void rebuild(const struct wire_update *u, const struct wire_ctx *ctx)
{
	static uint8_t attrs[3 * 65536], msg[WIRE_EXT_MAX_LEN];
	const struct wire_nlri *n = u->nlri.count ? &u->nlri : &u->mp_reach;
	enum rx_family fam;
	struct wire_update_builder b;
	size_t max = ctx->ext_msg ? WIRE_EXT_MAX_LEN : WIRE_MAX_LEN;

	if (!n->count || !n->known || !wire_family(n->afi, n->safi, &fam))
		return;
	if (n == &u->mp_reach && (u->mp_nexthop_len == 0 || fam == RX_FAM_IPV4_UNICAST))
		return; /* IPv4 unicast is built in the classic fields, with NEXT_HOP */
	size_t alen = wire_attrs_encode(&u->attrs, ctx, attrs, sizeof(attrs));
	size_t total = wire_nlri_decode(n, pfx, ids, sizeof(pfx) / sizeof(pfx[0])), done = 0;
	while (done < total) {
		wire_update_begin(&b, msg, max, fam, false, n->addpath, attrs, alen, u->mp_nexthop,
				  u->mp_nexthop_len);
		size_t first = done;
		while (done < total && wire_update_add(&b, &pfx[done], ids[done]))
			done++;
		size_t len = wire_update_finish(&b);
		if (done == first) {
			if (len != 0)
				FAIL("builder: empty message of %zu octets", len);
			return; /* attributes too long for this message size (RFC 8654 3) */
		}
		if (check_built(msg, len, ctx, max, fam, pfx + first, ids + first) != done - first)
			FAIL("builder: prefix count differs");
	}
}

static void fuzz_update(const uint8_t *body, size_t len, const struct wire_ctx *ctx, bool mrt,
			bool build)
{
	static struct wire_update u;
	enum wire_action act;

	memset(&u, 0, sizeof(u));
	scratch.used = 0;
	if (mrt)
		act = wire_attrs_parse(body, len, ctx, true, &u, &scratch);
	else
		act = wire_update_parse(body, len, ctx, &u, &scratch);
	if (act != u.err.action)
		FAIL("returned action %d but err.action %d", act, u.err.action);
	if (act == WIRE_SESSION_RESET) {
		if (u.err.code == 0)
			FAIL("session reset without a NOTIFICATION code");
		return;
	}
	if (act != WIRE_OK && u.err.count == 0)
		FAIL("action %d with no error counted", act);
	if (!mrt) {
		check_nlri(&u.withdrawn, "withdrawn");
		check_nlri(&u.nlri, "nlri");
		if (u.has_mp_reach)
			check_nlri(&u.mp_reach, "mp_reach");
		if (u.has_mp_unreach)
			check_nlri(&u.mp_unreach, "mp_unreach");
	}
	/* MRT mode keeps AS 0 in AS_PATH (old dumps hold it) but still rejects it in AS4_PATH,
	 * which the 2-octet re-encoding produces: that round trip is not expected to hold. */
	if (mrt && wire_aspath_contains(u.attrs.aspath, u.attrs.aspath_len, 0))
		return;
	if (!ctx->as4 && confed_inside(u.attrs.aspath, u.attrs.aspath_len))
		return;
	if (act <= WIRE_ATTR_DISCARD)
		check_reencode(&u, ctx, mrt);
	if (build && !mrt && act <= WIRE_ATTR_DISCARD)
		rebuild(&u, ctx);
}

static void fuzz_open(const uint8_t *body, size_t len)
{
	static struct wire_open o, o2;
	static uint8_t out[70000];
	struct wire_error err;

	memset(&o, 0, sizeof(o));
	memset(&err, 0, sizeof(err));
	if (!wire_open_parse(body, len, &o, &err)) {
		if (err.action != WIRE_SESSION_RESET || err.code == 0)
			FAIL("OPEN rejected without a reset NOTIFICATION");
		return;
	}
	size_t n = wire_open_encode(out, sizeof(out), &o);
	if (n == 0)
		return; /* the caps do not fit an OPEN: the encoder may refuse */
	memset(&o2, 0, sizeof(o2));
	if (n < 29 || !wire_open_parse(out + 19, n - 19, &o2, &err))
		FAIL("re-encoded OPEN does not parse (%s)", err.reason ? err.reason : "?");
	if (o.asn != o2.asn || o.hold_time != o2.hold_time || o.bgp_id != o2.bgp_id ||
	    o.caps.mp != o2.caps.mp || o.caps.as4_present != o2.caps.as4_present ||
	    o.caps.route_refresh != o2.caps.route_refresh || o.caps.ext_msg != o2.caps.ext_msg ||
	    memcmp(o.caps.addpath, o2.caps.addpath, sizeof(o.caps.addpath)) != 0)
		FAIL("re-encoded OPEN differs");
}

static void fuzz_notification(const uint8_t *body, size_t len)
{
	struct wire_notification n;
	char text[300];

	if (!wire_notification_parse(body, len, &n))
		return;
	if (n.data_len != len - 2)
		FAIL("NOTIFICATION data length");
	memset(text, 'Z', sizeof(text));
	if (!wire_shutdown_msg(&n, text, sizeof(text)))
		return;
	size_t l = strnlen(text, sizeof(text));
	if (l == sizeof(text))
		FAIL("shutdown text not terminated");
	for (size_t i = 0; i < l; i++)
		if ((unsigned char)text[i] < 0x20 || text[i] == 0x7f)
			FAIL("control character %#x in shutdown text", (unsigned char)text[i]);
}

static void fuzz_route_refresh(const uint8_t *body, size_t len)
{
	struct wire_route_refresh rr;
	struct wire_error err;
	uint8_t out[64];

	memset(&err, 0, sizeof(err));
	if (!wire_route_refresh_parse(body, len, &rr, &err))
		return;
	size_t n = wire_route_refresh_encode(out, sizeof(out), rr.afi, rr.safi, rr.subtype);
	if (n != 23 || memcmp(out + 19, body, 4) != 0)
		FAIL("ROUTE-REFRESH does not re-encode to its bytes");
}

/* The whole input (selector included) as a message with its header: cheap extra coverage
 * of the framing checks. */
static void fuzz_header(const uint8_t *data, size_t size, size_t max)
{
	struct wire_error err;
	uint8_t type;

	if (size < WIRE_HEADER_LEN)
		return;
	size_t n = wire_header_check(data, size, max, &type, &err);
	if (n != 0 && (n < WIRE_HEADER_LEN || n > max))
		FAIL("header check accepted length %zu", n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t sel = data[0];
	struct wire_ctx ctx = {
	    .as4 = (sel & 0x04) != 0,
	    .ebgp = (sel & 0x08) != 0,
	    .addpath_rx = (sel & 0x10) ? 0xff : 0,
	    .ext_msg = (sel & 0x20) != 0,
	};
	const uint8_t *body = data + 1;
	size_t len = size - 1;

	if (len > WIRE_EXT_MAX_LEN - WIRE_HEADER_LEN)
		return 0;
	switch (sel & 3) {
	case 0:
		fuzz_update(body, len, &ctx, (sel & 0x40) != 0, (sel & 0x80) != 0);
		break;
	case 1:
		fuzz_open(body, len);
		break;
	case 2:
		fuzz_notification(body, len);
		break;
	default:
		fuzz_route_refresh(body, len);
		break;
	}
	fuzz_header(data, size, ctx.ext_msg ? WIRE_EXT_MAX_LEN : WIRE_MAX_LEN);
	return 0;
}
