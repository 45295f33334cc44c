/* open.c: OPEN messages (RFC 4271 4.2), optional parameters (RFC 9072) and capabilities
 * (RFC 5492 and the capability RFCs).
 *
 * Every read is bounds-checked against what remains: the FRR CVEs of 2022 (CVE-2022-40302,
 * -40318, -43681) were reads past an OPEN that ended right after an option length octet.
 * Unknown capabilities are kept, not refused (RFC 5492 3); a malformed known capability
 * is an OPEN error (2/0), since its meaning cannot be trusted. */
#include <string.h>

#include "wire-int.h"

static bool open_err(struct wire_error *err, uint8_t subcode, const char *reason)
{
	wire_err_note(err, WIRE_SESSION_RESET, WIRE_ERR_OPEN, subcode, 0, NULL, 0, reason);
	return false;
}

static bool cap_mp(struct wire_caps *c, const uint8_t *v, size_t len,
		   const struct wire_cap_raw *raw)
{
	enum rx_family fam;
	if (len != 4)
		return false;
	c->mp_present = true;
	if (wire_family(wire_get16(v), v[3], &fam))
		c->mp |= (uint8_t)RX_FAM_BIT(fam);
	else if (c->n_unknown < WIRE_MAX_UNKNOWN_CAPS)
		c->unknown[c->n_unknown++] = *raw; /* a family we do not carry: kept */
	return true;
}

static bool cap_gr(struct wire_caps *c, const uint8_t *v, size_t len)
{
	if (len < 2 || (len - 2) % 4 != 0) /* RFC 4724 3 */
		return false;
	c->gr_present = true;
	c->gr_flags = v[0] >> 4;
	c->gr_time = wire_get16(v) & 0x0FFF;
	for (size_t i = 2; i < len; i += 4) {
		enum rx_family fam;
		if (!wire_family(wire_get16(v + i), v[i + 2], &fam))
			continue;
		c->gr_fams |= (uint8_t)RX_FAM_BIT(fam);
		if (v[i + 3] & 0x80)
			c->gr_fam_forwarding |= (uint8_t)RX_FAM_BIT(fam);
	}
	return true;
}

static bool cap_addpath(struct wire_caps *c, const uint8_t *v, size_t len)
{
	if (len == 0 || len % 4 != 0) /* RFC 7911 4 */
		return false;
	for (size_t i = 0; i < len; i += 4) {
		enum rx_family fam;
		if (v[i + 3] < 1 || v[i + 3] > 3)
			return false;
		if (wire_family(wire_get16(v + i), v[i + 2], &fam))
			c->addpath[fam] = v[i + 3];
	}
	return true;
}

static bool cap_fqdn(struct wire_caps *c, const uint8_t *v, size_t len)
{
	if (len < 1 || (size_t)v[0] + 2 > len || (size_t)v[0] + 2 + v[v[0] + 1] > len)
		return false;
	c->fqdn_host_len = v[0];
	memcpy(c->fqdn_host, v + 1, v[0]);
	c->fqdn_host[v[0]] = 0;
	const uint8_t *d = v + 1 + v[0];
	c->fqdn_domain_len = d[0];
	memcpy(c->fqdn_domain, d + 1, d[0]);
	c->fqdn_domain[d[0]] = 0;
	return true;
}

/* Decodes one capability; false means malformed. */
static bool one_cap(struct wire_caps *c, const struct wire_cap_raw *raw)
{
	const uint8_t *v = raw->value;
	size_t len = raw->len;
	switch (raw->code) {
	case WIRE_CAP_MP:
		return cap_mp(c, v, len, raw);
	case WIRE_CAP_ROUTE_REFRESH:
	case WIRE_CAP_ROUTE_REFRESH_OLD:
		c->route_refresh = true;
		return len == 0;
	case WIRE_CAP_ENHANCED_REFRESH:
		c->enhanced_refresh = true;
		return len == 0;
	case WIRE_CAP_EXT_MSG:
		c->ext_msg = true;
		return len == 0;
	case WIRE_CAP_AS4:
		if (len != 4)
			return false;
		c->as4_present = true;
		c->as4 = wire_get32(v);
		return true;
	case WIRE_CAP_ROLE:
		if (len != 1)
			return false;
		c->role_present = true;
		c->role = v[0];
		return true;
	case WIRE_CAP_GRACEFUL_RESTART:
		return cap_gr(c, v, len);
	case WIRE_CAP_ADDPATH:
		return cap_addpath(c, v, len);
	case WIRE_CAP_FQDN:
		return cap_fqdn(c, v, len);
	default:
		if (c->n_unknown < WIRE_MAX_UNKNOWN_CAPS)
			c->unknown[c->n_unknown++] = *raw;
		return true;
	}
}

static bool parse_caps(struct wire_caps *c, const uint8_t *p, size_t len,
		       struct wire_error *err)
{
	const uint8_t *end = p + len;
	while (p < end) {
		if (end - p < 2 || (size_t)p[1] + 2 > (size_t)(end - p))
			return open_err(err, WIRE_OPEN_UNSPECIFIC, "capability overruns its parameter");
		struct wire_cap_raw raw = {.code = p[0], .len = p[1], .value = p + 2};
		if (!one_cap(c, &raw))
			return open_err(err, WIRE_OPEN_UNSPECIFIC, "malformed capability");
		p += 2 + raw.len;
	}
	return true;
}

/* Optional parameters, classic (1-octet type and length) or RFC 9072 extended (2-octet
 * lengths, announced by a Non-Ext OP Len and Non-Ext OP Type of 255). */
static bool parse_params(struct wire_open *o, const uint8_t *p, size_t len,
			 struct wire_error *err)
{
	const uint8_t *end = p + len;
	size_t hdr = o->extended_params ? 3 : 2;
	while (p < end) {
		if ((size_t)(end - p) < hdr)
			return open_err(err, WIRE_OPEN_UNSPECIFIC, "optional parameter truncated");
		uint8_t type = p[0];
		size_t plen = o->extended_params ? wire_get16(p + 1) : p[1];
		if (plen > (size_t)(end - p) - hdr)
			return open_err(err, WIRE_OPEN_UNSPECIFIC, "optional parameter overrun");
		if (type != 2) /* only Capabilities (RFC 5492) is defined */
			return open_err(err, WIRE_OPEN_UNSUP_OPT_PARAM, "unsupported optional parameter");
		if (!parse_caps(&o->caps, p + hdr, plen, err))
			return false;
		p += hdr + plen;
	}
	return true;
}

bool wire_open_parse(const uint8_t *body, size_t len, struct wire_open *o, struct wire_error *err)
{
	memset(o, 0, sizeof(*o));
	wire_err_clear(err);
	if (len < 10)
		return open_err(err, WIRE_OPEN_UNSPECIFIC, "OPEN shorter than 10 octets");
	o->version = body[0];
	o->my_as = wire_get16(body + 1);
	o->hold_time = wire_get16(body + 3);
	o->bgp_id = wire_get32(body + 5);
	if (o->version != 4) { /* RFC 4271 6.2: data = highest version we support */
		open_err(err, WIRE_OPEN_BAD_VERSION, "unsupported BGP version");
		err->small[0] = 0;
		err->small[1] = 4;
		err->data = err->small;
		err->data_len = 2;
		return false;
	}
	if (o->hold_time == 1 || o->hold_time == 2)
		return open_err(err, WIRE_OPEN_BAD_HOLD, "hold time of 1 or 2 seconds");
	if (o->bgp_id == 0) /* RFC 6286 2.2: any non-zero value */
		return open_err(err, WIRE_OPEN_BAD_BGP_ID, "BGP identifier is zero");
	size_t optlen = body[9];
	const uint8_t *params = body + 10;
	if (optlen == 255 && len >= 11 && body[10] == 255) { /* RFC 9072 2 */
		if (len < 13)
			return open_err(err, WIRE_OPEN_UNSPECIFIC, "extended parameters truncated");
		o->extended_params = true;
		optlen = wire_get16(body + 11);
		params = body + 13;
	}
	if ((size_t)(params - body) + optlen != len)
		return open_err(err, WIRE_OPEN_UNSPECIFIC, "optional parameters length mismatch");
	if (!parse_params(o, params, optlen, err))
		return false;
	o->asn = o->caps.as4_present ? o->caps.as4 : o->my_as;
	if (o->asn == 0 || (o->caps.as4_present && o->caps.as4 == 0)) /* RFC 7607 */
		return open_err(err, WIRE_OPEN_BAD_PEER_AS, "AS 0");
	return true;
}

/* ---- Encoding ---- */

static uint8_t *cap_put(uint8_t *p, uint8_t code, uint8_t len)
{
	p[0] = code;
	p[1] = len;
	return p + 2;
}

static uint8_t *put_family(uint8_t *p, enum rx_family fam, uint8_t last)
{
	uint16_t afi;
	uint8_t safi;
	wire_family_afi_safi(fam, &afi, &safi);
	wire_put16(p, afi);
	p[2] = safi;
	p[3] = last;
	return p + 4;
}

/* Writes the capability list; the caller's buffer has room for the fixed worst case. */
static size_t caps_encode(const struct wire_caps *c, uint8_t *out)
{
	uint8_t *p = out;
	for (int f = 0; f < RX_FAM_COUNT; f++)
		if (c->mp & RX_FAM_BIT(f)) {
			uint16_t afi;
			uint8_t safi;
			wire_family_afi_safi((enum rx_family)f, &afi, &safi);
			p = cap_put(p, WIRE_CAP_MP, 4);
			wire_put16(p, afi);
			p[2] = 0;
			p[3] = safi;
			p += 4;
		}
	if (c->route_refresh)
		p = cap_put(p, WIRE_CAP_ROUTE_REFRESH, 0);
	if (c->enhanced_refresh)
		p = cap_put(p, WIRE_CAP_ENHANCED_REFRESH, 0);
	if (c->ext_msg)
		p = cap_put(p, WIRE_CAP_EXT_MSG, 0);
	if (c->as4_present) {
		p = cap_put(p, WIRE_CAP_AS4, 4);
		wire_put32(p, c->as4);
		p += 4;
	}
	if (c->gr_present) {
		uint8_t n = (uint8_t)__builtin_popcount(c->gr_fams);
		p = cap_put(p, WIRE_CAP_GRACEFUL_RESTART, (uint8_t)(2 + 4 * n));
		wire_put16(p, (uint16_t)((c->gr_flags & 0xF) << 12 | (c->gr_time & 0x0FFF)));
		p += 2;
		for (int f = 0; f < RX_FAM_COUNT; f++)
			if (c->gr_fams & RX_FAM_BIT(f))
				p = put_family(p, (enum rx_family)f,
					       (c->gr_fam_forwarding & RX_FAM_BIT(f)) ? 0x80 : 0);
	}
	uint8_t n_ap = 0;
	for (int f = 0; f < RX_FAM_COUNT; f++)
		n_ap = (uint8_t)(n_ap + (c->addpath[f] != 0));
	if (n_ap) {
		p = cap_put(p, WIRE_CAP_ADDPATH, (uint8_t)(4 * n_ap));
		for (int f = 0; f < RX_FAM_COUNT; f++)
			if (c->addpath[f])
				p = put_family(p, (enum rx_family)f, c->addpath[f]);
	}
	if (c->role_present) {
		p = cap_put(p, WIRE_CAP_ROLE, 1);
		*p++ = c->role;
	}
	if ((c->fqdn_host_len || c->fqdn_domain_len) &&
	    2 + c->fqdn_host_len + c->fqdn_domain_len <= 255) {
		p = cap_put(p, WIRE_CAP_FQDN, (uint8_t)(2 + c->fqdn_host_len + c->fqdn_domain_len));
		*p++ = c->fqdn_host_len;
		memcpy(p, c->fqdn_host, c->fqdn_host_len);
		p += c->fqdn_host_len;
		*p++ = c->fqdn_domain_len;
		memcpy(p, c->fqdn_domain, c->fqdn_domain_len);
		p += c->fqdn_domain_len;
	}
	return (size_t)(p - out);
}

size_t wire_open_encode(uint8_t *buf, size_t cap, const struct wire_open *o)
{
	uint8_t caps[1024]; /* every known capability at its largest fits in well under 1 KiB */
	size_t clen = caps_encode(&o->caps, caps);
	bool ext = clen + 2 > 255; /* RFC 9072: only when the classic form cannot hold it */
	/* RFC 5492 4: the Capabilities parameter holds one or more capabilities, so with none
	 * there is no parameter at all. */
	size_t plen = clen == 0 ? 0 : clen + (ext ? 3 : 2);
	size_t total = WIRE_HEADER_LEN + 10 + (ext ? 3 : 0) + plen;
	if (total > cap || total > WIRE_MAX_LEN)
		return 0;
	uint8_t *p = buf + WIRE_HEADER_LEN;
	p[0] = 4;
	wire_put16(p + 1, o->asn > 0xFFFF ? WIRE_AS_TRANS : (uint16_t)o->asn);
	wire_put16(p + 3, o->hold_time);
	wire_put32(p + 5, o->bgp_id);
	p += 9;
	if (ext) {
		*p++ = 255;
		*p++ = 255;
		wire_put16(p, (uint16_t)plen);
		p += 2;
		*p++ = 2;
		wire_put16(p, (uint16_t)clen);
		p += 2;
	} else {
		*p++ = (uint8_t)plen;
		if (plen) {
			*p++ = 2;
			*p++ = (uint8_t)clen;
		}
	}
	memcpy(p, caps, clen);
	wire_header_put(buf, total, WIRE_OPEN);
	return total;
}
