/* bgp4mp.c: BGP4MP / BGP4MP_ET records (RFC 6396 4.4, 4.5; RFC 8050 3) and the deprecated
 * BGP type 5 (RFC 6396 B.2.2): peer header, state changes, and the recorded BGP message.
 *
 * UPDATEs are framed here and their attributes parsed by the codec in MRT mode rather than
 * with wire_update_parse: a recorded message is replayed as it was received, so the checks
 * that only decide what a live session must do (mandatory attributes present, RFC 7606 5.2
 * escalation) have no say in what the record contains. */
#include <string.h>

#include "mrt-int.h"

static bool get_addr(const uint8_t **pp, const uint8_t *end, uint16_t afi, struct mrt_peer *pe)
{
	size_t alen = afi == RX_AFI_IPV6 ? 16 : 4;
	if ((size_t)(end - *pp) < alen)
		return false;
	pe->afi = (uint8_t)afi;
	memcpy(pe->addr, *pp, alen);
	*pp += alen;
	return true;
}

/* Type 5: peer AS, peer IPv4, then (but for state changes) local AS and local IPv4. */
static int decode_bgp(const struct mrt_record *rec, struct mrt_message *m,
		      struct mrt_state_change *s)
{
	const uint8_t *p = rec->body, *end = p + rec->len;
	struct mrt_peer peer = {0};
	if (end - p < 2)
		return -1;
	peer.asn = wire_get16(p);
	p += 2;
	if (!get_addr(&p, end, RX_AFI_IPV4, &peer))
		return -1;
	if (rec->subtype == MRT_BGP_STATE_CHANGE) {
		if (end - p < 4)
			return -1;
		memset(s, 0, sizeof(*s));
		s->rec = rec;
		s->peer = peer;
		s->old_state = wire_get16(p);
		s->new_state = wire_get16(p + 2);
		return 2;
	}
	uint8_t type;
	switch (rec->subtype) {
	case MRT_BGP_UPDATE:
		type = WIRE_UPDATE;
		break;
	case MRT_BGP_OPEN:
		type = WIRE_OPEN;
		break;
	case MRT_BGP_NOTIFY:
		type = WIRE_NOTIFICATION;
		break;
	case MRT_BGP_KEEPALIVE:
		type = WIRE_KEEPALIVE;
		break;
	default:
		return 0; /* NULL, PREF_UPDATE, SYNC: nothing routed */
	}
	memset(m, 0, sizeof(*m));
	m->rec = rec;
	m->peer = peer;
	if (end - p < 2)
		return -1;
	m->local.asn = wire_get16(p);
	p += 2;
	if (!get_addr(&p, end, RX_AFI_IPV4, &m->local))
		return -1;
	m->msg_type = type;
	m->body = p;
	m->body_len = (size_t)(end - p);
	return 1;
}

int mrt_bgp4mp_decode(const struct mrt_record *rec, struct mrt_message *m,
		      struct mrt_state_change *s)
{
	if (rec->type == MRT_BGP)
		return decode_bgp(rec, m, s);
	uint16_t st = rec->subtype;
	bool state = st == MRT_BGP4MP_STATE_CHANGE || st == MRT_BGP4MP_STATE_CHANGE_AS4;
	bool msg = st == MRT_BGP4MP_MESSAGE ||
		   (st >= MRT_BGP4MP_MESSAGE_AS4 && st <= MRT_BGP4MP_MESSAGE_AS4_LOCAL_ADDPATH &&
		    st != MRT_BGP4MP_STATE_CHANGE_AS4);
	if (!state && !msg)
		return 0; /* 2, 3: obsolete entry/snapshot subtypes */
	bool as4 = st == MRT_BGP4MP_STATE_CHANGE_AS4 || st == MRT_BGP4MP_MESSAGE_AS4 ||
		   st == MRT_BGP4MP_MESSAGE_AS4_LOCAL || st == MRT_BGP4MP_MESSAGE_AS4_ADDPATH ||
		   st == MRT_BGP4MP_MESSAGE_AS4_LOCAL_ADDPATH;
	size_t aslen = as4 ? 4 : 2;
	const uint8_t *p = rec->body, *end = p + rec->len;
	struct mrt_peer peer = {0}, local = {0};
	if ((size_t)(end - p) < 2 * aslen + 4)
		return -1;
	peer.asn = as4 ? wire_get32(p) : wire_get16(p);
	local.asn = as4 ? wire_get32(p + aslen) : wire_get16(p + aslen);
	uint16_t ifindex = wire_get16(p + 2 * aslen);
	uint16_t afi = wire_get16(p + 2 * aslen + 2);
	p += 2 * aslen + 4;
	if (afi != RX_AFI_IPV4 && afi != RX_AFI_IPV6)
		return -1;
	if (!get_addr(&p, end, afi, &peer) || !get_addr(&p, end, afi, &local))
		return -1;
	if (state) {
		if (end - p < 4)
			return -1;
		memset(s, 0, sizeof(*s));
		s->rec = rec;
		s->peer = peer;
		s->local = local;
		s->old_state = wire_get16(p);
		s->new_state = wire_get16(p + 2);
		return 2;
	}
	/* The whole BGP message, header included (RFC 6396 4.4.2). */
	if (end - p < WIRE_HEADER_LEN)
		return -1;
	size_t mlen = wire_get16(p + 16);
	if (mlen < WIRE_HEADER_LEN || mlen > (size_t)(end - p))
		return -1;
	memset(m, 0, sizeof(*m));
	m->rec = rec;
	m->peer = peer;
	m->local = local;
	m->ifindex = ifindex;
	m->as4 = as4;
	m->is_local = st == MRT_BGP4MP_MESSAGE_LOCAL || st == MRT_BGP4MP_MESSAGE_AS4_LOCAL ||
		      st == MRT_BGP4MP_MESSAGE_LOCAL_ADDPATH ||
		      st == MRT_BGP4MP_MESSAGE_AS4_LOCAL_ADDPATH;
	m->addpath = st >= MRT_BGP4MP_MESSAGE_ADDPATH;
	m->msg_type = p[18];
	m->body = p + WIRE_HEADER_LEN;
	m->body_len = mlen - WIRE_HEADER_LEN;
	return 1;
}

/* Bytes of the well-formed IPv4 prefixes that open an NLRI field. A live session resets on
 * a malformed field (RFC 7606 5.3); a recording keeps what precedes the bad prefix, as
 * bgpdump prints it (updates.nlri_mask_trailing_bits ends in a stray octet). */
static size_t nlri_whole(const uint8_t *d, size_t len, bool addpath)
{
	size_t p = 0;
	for (;;) {
		size_t q = p + (addpath ? 4 : 0);
		if (q >= len || d[q] > 32 || q + 1 + (d[q] + 7u) / 8 > len)
			return p;
		p = q + 1 + (d[q] + 7u) / 8;
	}
}

void mrt_message_parse_update(struct mrt_message *m, struct wire_update *u,
			      struct wire_scratch *scratch)
{
	struct wire_ctx ctx = {
	    .as4 = m->as4,
	    .addpath_rx = m->addpath ? (uint8_t)((1u << RX_FAM_COUNT) - 1) : 0,
	};
	const uint8_t *b = m->body;
	size_t len = m->body_len;
	m->u = u;
	m->update_ok = false;
	m->action = WIRE_SESSION_RESET;
	if (len < 4) {
		memset(u, 0, sizeof(*u));
		return;
	}
	size_t wlen = wire_get16(b);
	size_t alen = wlen + 4 <= len ? wire_get16(b + 2 + wlen) : 0;
	if (wlen + 4 > len || wlen + alen + 4 > len) { /* RFC 7606 3.b: NLRI not locatable */
		memset(u, 0, sizeof(*u));
		return;
	}
	m->attrs_raw = b + 4 + wlen;
	m->attrs_len = (uint16_t)alen;
	m->action = wire_attrs_parse(m->attrs_raw, alen, &ctx, true, u, scratch);
	bool ap4 = m->addpath;
	const uint8_t *nlri = b + 4 + wlen + alen;
	size_t nlen = len - 4 - wlen - alen;
	size_t wgood = nlri_whole(b + 2, wlen, ap4), ngood = nlri_whole(nlri, nlen, ap4);
	m->nlri_cut = wgood < wlen || ngood < nlen;
	wire_nlri_check(b + 2, wgood, RX_AFI_IPV4, RX_SAFI_UNICAST, ap4, &u->withdrawn);
	wire_nlri_check(nlri, ngood, RX_AFI_IPV4, RX_SAFI_UNICAST, ap4, &u->nlri);
	m->update_ok = true;
}
