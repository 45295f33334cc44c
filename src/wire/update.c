/* update.c: UPDATE messages (RFC 4271 4.3, RFC 4760, RFC 7606, RFC 4724 2): framing,
 * mandatory-attribute checks, End-of-RIB detection, and the packing builder.
 *
 * Parse order follows RFC 7606: the fixed framing (lengths) first, since without it the
 * NLRI cannot be located (3.b: reset); then the NLRI fields, whose syntax errors also reset
 * (3.j); then the attributes, whose errors are graded. Treat-as-withdraw is only possible
 * because every NLRI field has been validated by then. */
#include <string.h>

#include "wire-int.h"

static enum wire_action reset(struct wire_update *u, uint8_t subcode, const char *reason)
{
	wire_err_note(&u->err, WIRE_SESSION_RESET, WIRE_ERR_UPDATE, subcode, 0, NULL, 0, reason);
	return WIRE_SESSION_RESET;
}

static bool announces(const struct wire_update *u)
{
	return u->nlri.count > 0 || (u->has_mp_reach && u->mp_reach.len > 0);
}

/* RFC 4271 6.3 as revised by RFC 7606 3.d: missing ORIGIN, AS_PATH, or NEXT_HOP (when the
 * classic NLRI field is used) is treat-as-withdraw, with the type code as data. */
static void check_mandatory(struct wire_update *u)
{
	static const uint8_t mandatory[] = {WIRE_ATTR_ORIGIN, WIRE_ATTR_AS_PATH,
					    WIRE_ATTR_NEXT_HOP};
	for (unsigned i = 0; i < RX_ARRAY_LEN(mandatory); i++) {
		uint8_t t = mandatory[i];
		if (t == WIRE_ATTR_NEXT_HOP && u->nlri.count == 0)
			continue; /* RFC 4760 3: MP_REACH carries its own next hop */
		/* A present-but-malformed attribute has already been classified. */
		if (WIRE_HAS(&u->attrs, t) || (u->err.count && u->err.attr_type == t))
			continue;
		uint8_t before = (uint8_t)u->err.action;
		wire_err_note(&u->err, WIRE_TREAT_AS_WITHDRAW, WIRE_ERR_UPDATE,
			      WIRE_UPD_MISSING_WELLKNOWN, t, NULL, 0,
			      "missing well-known mandatory attribute");
		if (u->err.attr_type == t && before < WIRE_TREAT_AS_WITHDRAW) {
			u->err.small[0] = t;
			u->err.data = u->err.small;
			u->err.data_len = 1;
		}
	}
}

static void detect_eor(struct wire_update *u, size_t withdrawn_len, size_t attr_len,
		       size_t nlri_len)
{
	if (withdrawn_len == 0 && attr_len == 0 && nlri_len == 0) {
		u->end_of_rib = true;
		u->eor_afi = RX_AFI_IPV4;
		u->eor_safi = RX_SAFI_UNICAST;
	} else if (withdrawn_len == 0 && nlri_len == 0 && u->has_mp_unreach &&
		   u->mp_unreach.len == 0 && u->attrs.present == WIRE_ATTR_BIT(WIRE_ATTR_MP_UNREACH_NLRI)) {
		u->end_of_rib = true;
		u->eor_afi = u->mp_unreach.afi;
		u->eor_safi = u->mp_unreach.safi;
	}
}

enum wire_action wire_update_parse(const uint8_t *body, size_t len, const struct wire_ctx *ctx,
				   struct wire_update *u, struct wire_scratch *scratch)
{
	memset(u, 0, sizeof(*u));
	scratch->used = 0;
	if (len < 4)
		return reset(u, WIRE_UPD_MALFORMED_ATTR_LIST, "UPDATE shorter than 4 octets");
	size_t wlen = wire_get16(body);
	if (wlen + 4 > len)
		return reset(u, WIRE_UPD_MALFORMED_ATTR_LIST, "withdrawn routes length overrun");
	size_t alen = wire_get16(body + 2 + wlen);
	if (wlen + alen + 4 > len) /* RFC 7606 3.b */
		return reset(u, WIRE_UPD_MALFORMED_ATTR_LIST, "attribute length overrun");
	const uint8_t *wd = body + 2, *attrs = body + 4 + wlen, *nlri = attrs + alen;
	size_t nlen = len - 4 - wlen - alen;
	bool ap4 = ctx->addpath_rx & RX_FAM_BIT(RX_FAM_IPV4_UNICAST);
	/* RFC 7606 3.i, 3.j, 5.3 */
	if (!wire_nlri_check(wd, wlen, RX_AFI_IPV4, RX_SAFI_UNICAST, ap4, &u->withdrawn))
		return reset(u, WIRE_UPD_INVALID_NETWORK, "malformed withdrawn routes");
	if (!wire_nlri_check(nlri, nlen, RX_AFI_IPV4, RX_SAFI_UNICAST, ap4, &u->nlri))
		return reset(u, WIRE_UPD_INVALID_NETWORK, "malformed NLRI");

	unsigned n_other = 0;
	wire_attrs_walk(attrs, alen, ctx, false, u->nlri.count > 0, u, scratch, &n_other);
	if (u->err.action == WIRE_SESSION_RESET)
		return WIRE_SESSION_RESET;
	if (announces(u))
		check_mandatory(u);
	detect_eor(u, wlen, alen, nlen);
	/* RFC 7606 5.2: attributes without any reachable NLRI (other than a bare MP_UNREACH)
	 * leave nothing to withdraw, so anything stronger than attribute discard resets. */
	if (!announces(u) && n_other > 0 && u->err.action > WIRE_ATTR_DISCARD)
		u->err.action = WIRE_SESSION_RESET; /* with the error's own code and subcode */
	return u->err.action;
}

/* ---- Builder ---- */

/* MP attribute header: flags, type, 2-octet length, AFI, SAFI. */
static size_t mp_header(uint8_t *p, uint8_t type, enum rx_family fam)
{
	uint16_t afi;
	uint8_t safi;
	wire_family_afi_safi(fam, &afi, &safi);
	p[0] = WIRE_AF_OPTIONAL | WIRE_AF_EXT_LEN;
	p[1] = type;
	wire_put16(p + 2, 0);
	wire_put16(p + 4, afi);
	p[6] = safi;
	return 7;
}

void wire_update_begin(struct wire_update_builder *b, uint8_t *buf, size_t max_len,
		       enum rx_family fam, bool withdraw, bool addpath, const uint8_t *attrs,
		       size_t attrs_len, const uint8_t *mp_nexthop, uint8_t mp_nexthop_len)
{
	memset(b, 0, sizeof(*b));
	b->buf = buf;
	b->max_len = max_len;
	b->family = (uint8_t)fam;
	b->withdraw = withdraw;
	b->addpath = addpath;
	b->attrs = attrs;
	b->attrs_len = withdraw ? 0 : attrs_len;
	size_t n = WIRE_HEADER_LEN;
	wire_put16(buf + n, 0); /* withdrawn routes length */
	n += 2;
	b->attr_len_off = n;
	if (fam == RX_FAM_IPV4_UNICAST) {
		b->attr_len_off = withdraw ? 0 : n;
		if (!withdraw && n + 2 + attrs_len > max_len) {
			/* RFC 8654 3: attributes too long for this peer. Nothing is copied; the
			 * length leaves no room, so wire_update_add refuses every prefix. */
			b->len = n + 2 + attrs_len;
			return;
		}
		if (!withdraw) { /* TAL, attributes, then NLRI */
			wire_put16(buf + n, (uint16_t)attrs_len);
			memcpy(buf + n + 2, attrs, attrs_len);
			n += 2 + attrs_len;
			b->attrs_len = 0;
		}
	} else {
		n += 2; /* TAL, written at finish */
		b->mp_len_off = n + 2;
		if (withdraw) {
			n += mp_header(buf + n, WIRE_ATTR_MP_UNREACH_NLRI, fam);
		} else {
			n += mp_header(buf + n, WIRE_ATTR_MP_REACH_NLRI, fam);
			buf[n++] = mp_nexthop_len;
			memcpy(buf + n, mp_nexthop, mp_nexthop_len);
			n += mp_nexthop_len;
			buf[n++] = 0; /* reserved */
		}
	}
	b->len = n;
}

bool wire_update_add(struct wire_update_builder *b, const struct rx_prefix *p, uint32_t path_id)
{
	size_t bytes = ((size_t)p->len + 7) / 8;
	size_t need = (b->addpath ? 4 : 0) + 1 + bytes;
	/* IPv4 withdrawals still need the 2-octet Total Path Attribute Length after them;
	 * MP announcements need room for the other attributes that follow MP_REACH. */
	size_t reserve = (b->family == RX_FAM_IPV4_UNICAST && b->withdraw) ? 2 : b->attrs_len;
	if (b->len + need + reserve > b->max_len)
		return false;
	uint8_t *o = b->buf + b->len;
	if (b->addpath) {
		wire_put32(o, path_id);
		o += 4;
	}
	*o++ = p->len;
	memcpy(o, p->addr, bytes);
	b->len += need;
	b->count++;
	return true;
}

size_t wire_update_finish(struct wire_update_builder *b)
{
	if (b->count == 0)
		return 0;
	uint8_t *buf = b->buf;
	if (b->family == RX_FAM_IPV4_UNICAST) {
		if (b->withdraw) {
			wire_put16(buf + WIRE_HEADER_LEN, (uint16_t)(b->len - WIRE_HEADER_LEN - 2));
			wire_put16(buf + b->len, 0);
			b->len += 2;
		}
	} else {
		size_t mp_start = b->mp_len_off - 2;
		size_t mp_val = b->len - mp_start - 4;
		wire_put16(buf + b->mp_len_off, (uint16_t)mp_val);
		if (b->attrs_len) /* withdrawals have none, and attrs may be NULL */
			memcpy(buf + b->len, b->attrs, b->attrs_len);
		b->len += b->attrs_len;
		wire_put16(buf + WIRE_HEADER_LEN + 2, (uint16_t)(b->len - WIRE_HEADER_LEN - 4));
	}
	wire_header_put(buf, b->len, WIRE_UPDATE);
	return b->len;
}

size_t wire_eor_encode(uint8_t *buf, size_t cap, enum rx_family fam)
{
	size_t len = fam == RX_FAM_IPV4_UNICAST ? 23 : 29;
	if (cap < len)
		return 0;
	wire_header_put(buf, len, WIRE_UPDATE);
	uint8_t *p = buf + WIRE_HEADER_LEN;
	wire_put16(p, 0); /* no withdrawn routes */
	if (fam == RX_FAM_IPV4_UNICAST) {
		wire_put16(p + 2, 0); /* RFC 4724 2: an UPDATE with nothing in it */
		return len;
	}
	/* RFC 4724 2: only an MP_UNREACH_NLRI with the family and no withdrawn routes. */
	uint16_t afi;
	uint8_t safi;
	wire_family_afi_safi(fam, &afi, &safi);
	wire_put16(p + 2, 6);
	p[4] = WIRE_AF_OPTIONAL;
	p[5] = WIRE_ATTR_MP_UNREACH_NLRI;
	p[6] = 3;
	wire_put16(p + 7, afi);
	p[9] = safi;
	return len;
}
