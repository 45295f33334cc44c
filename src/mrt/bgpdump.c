/* bgpdump.c: `bgpdump -m` lines for what mrt_walk yields (bgpdump 1.6.2, by experiment).
 *
 * Line layouts (fields separated by '|', every route line ends with '|'):
 *   TABLE_DUMP|time|B|peer|peerAS|prefix|<attribute columns>
 *   TABLE_DUMP2|time|B|...        (TABLE_DUMP2_AP: path id after the prefix)
 *   BGP4MP|time|A|peer|peerAS|prefix|<attribute columns>
 *   BGP4MP|time|W|peer|peerAS|prefix
 *   BGP4MP|time|STATE|peer|peerAS|old|new
 * with BGP4MP_ET (time as seconds.microseconds), BGP4MP_LOCAL / BGP4MP_ET_LOCAL and
 * BGP4MP_AP / BGP4MP_ET_AP (path id after the prefix) for the other subtypes, and BGP for
 * the deprecated type 5. The attribute columns are mrt_fmt_attrs'.
 *
 * bgpdump behaviour reproduced (each checked against bgpdump on crafted records):
 *  - RIB time is the dump time (the record's), not the entry's originated time;
 *  - TABLE_DUMP_V2 multicast and RIB_GENERIC records print nothing;
 *  - a RIB entry's next hop is its MP_REACH next hop when it has one, whatever the prefix's
 *    family (4 octets print as IPv4), else NEXT_HOP, else 255.255.255.255;
 *  - in an UPDATE, withdrawals come first (classic field, then MP_UNREACH), then
 *    announcements (classic NLRI with NEXT_HOP, then MP_REACH with its next hop), whatever
 *    the attribute order; multicast SAFIs print like unicast, other SAFIs not at all;
 *  - *_ADDPATH subtypes 10 and 11 (LOCAL) print the local address and AS, 6 and 7 the peer's;
 *  - BGP4MP_ET microseconds print as %06u of the recorded value, unchecked;
 *  - type 5: no separator between MED and COMMUNITIES, MP attributes ignored, and a
 *    withdrawn prefix prints the peer's address with the prefix length;
 *  - prefixes print as recorded (host bits after the length are kept).
 * Messages other than UPDATE print nothing. */
#include <stdlib.h>
#include <string.h>

#include "mrt-int.h"

/* Longest fixed part of a line: type label, time, kind, peer, AS, prefix, path id. */
#define HEAD_MAX 192

static char *put(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

static char *fmt_label(char *p, const struct mrt_record *rec)
{
	switch (rec->type) {
	case MRT_TABLE_DUMP:
		return put(p, "TABLE_DUMP", 10);
	case MRT_TABLE_DUMP_V2:
		return rec->subtype >= MRT_RIB_IPV4_UNICAST_ADDPATH ? put(p, "TABLE_DUMP2_AP", 14)
								    : put(p, "TABLE_DUMP2", 11);
	case MRT_BGP:
		return put(p, "BGP", 3);
	default:
		break;
	}
	bool et = rec->type == MRT_BGP4MP_ET;
	p = et ? put(p, "BGP4MP_ET", 9) : put(p, "BGP4MP", 6);
	switch (rec->subtype) {
	case MRT_BGP4MP_MESSAGE_LOCAL:
	case MRT_BGP4MP_MESSAGE_AS4_LOCAL:
		return put(p, "_LOCAL", 6);
	case MRT_BGP4MP_MESSAGE_ADDPATH ... MRT_BGP4MP_MESSAGE_AS4_LOCAL_ADDPATH:
		return put(p, "_AP", 3);
	default:
		return p;
	}
}

static char *fmt_time(char *p, const struct mrt_record *rec)
{
	*p++ = '|';
	p = mrt_fmt_u32(p, rec->time);
	if (rec->type == MRT_BGP4MP_ET) {
		*p++ = '.';
		char d[10];
		char *e = mrt_fmt_u32(d, rec->usec);
		for (size_t n = (size_t)(e - d); n < 6; n++)
			*p++ = '0';
		p = put(p, d, (size_t)(e - d));
	}
	return p;
}

/* "LABEL|time|KIND|peer|AS|" */
static char *fmt_head(char *p, const struct mrt_record *rec, const char *kind, size_t klen,
		      const struct mrt_peer *peer)
{
	p = fmt_label(p, rec);
	p = fmt_time(p, rec);
	*p++ = '|';
	p = put(p, kind, klen);
	*p++ = '|';
	p = mrt_fmt_addr(p, peer->afi, peer->addr);
	*p++ = '|';
	p = mrt_fmt_u32(p, peer->asn);
	*p++ = '|';
	return p;
}

static void emit(struct mrt_bgpdump *pr, const char *head, size_t hlen, const struct rx_prefix *pfx,
		 const uint8_t *fake_addr, bool path_id, uint32_t id, const char *tail, size_t tlen)
{
	char *start = mrt_out_reserve(pr->out, hlen + tlen + 96);
	char *p = put(start, head, hlen);
	if (fake_addr) { /* type 5 withdrawals: bgpdump prints the peer's address */
		p = mrt_fmt_ipv4(p, fake_addr);
		*p++ = '/';
		p = mrt_fmt_u32(p, pfx->len);
	} else {
		p = mrt_fmt_prefix(p, pfx);
	}
	if (path_id) {
		*p++ = '|';
		p = mrt_fmt_u32(p, id);
	}
	if (tail) {
		*p++ = '|';
		p = put(p, tail, tlen);
	} else {
		*p++ = '\n';
	}
	pr->out->len += (size_t)(p - start);
	pr->lines++;
}

/* The recorded AS_PATH when the codec kept none (see mrt_fmt_attrs_raw). */
static bool rejected_path(const struct wire_attrs *a, const uint8_t *attrs, size_t len,
			  const uint8_t **v, size_t *vlen)
{
	return !WIRE_HAS(a, WIRE_ATTR_AS_PATH) &&
	       mrt_raw_attr(attrs, len, WIRE_ATTR_AS_PATH, v, vlen);
}

/* Formats the attribute columns into pr->tail; returns their length. */
static size_t make_tail(struct mrt_bgpdump *pr, const struct wire_attrs *a, const uint8_t *nh,
			uint8_t nh_len, bool legacy, const uint8_t *raw, size_t raw_len,
			unsigned as_size)
{
	size_t need = mrt_fmt_attrs_max(a) + 3 * raw_len + 16;
	if (need > pr->tail_cap) {
		char *nb = realloc(pr->tail, need);
		RX_ASSERT(nb);
		pr->tail = nb;
		pr->tail_cap = need;
	}
	char *e = mrt_fmt_attrs_raw(pr->tail, a, nh, nh_len, legacy, raw, raw_len, as_size);
	return (size_t)(e - pr->tail);
}

void mrt_bgpdump_rib_entry(struct mrt_bgpdump *pr, const struct mrt_rib_entry *e)
{
	const struct mrt_record *rec = e->rec;
	if (!e->u)
		return;
	if (rec->type == MRT_TABLE_DUMP_V2 && rec->subtype != MRT_RIB_IPV4_UNICAST &&
	    rec->subtype != MRT_RIB_IPV6_UNICAST && rec->subtype != MRT_RIB_IPV4_UNICAST_ADDPATH &&
	    rec->subtype != MRT_RIB_IPV6_UNICAST_ADDPATH)
		return;
	const struct wire_update *u = e->u;
	const struct wire_attrs *a = &u->attrs;
	const uint8_t *nh = NULL;
	uint8_t nh_len = 0;
	if (u->has_mp_reach) {
		nh = u->mp_nexthop;
		nh_len = u->mp_nexthop_len;
	} else if (WIRE_HAS(a, WIRE_ATTR_NEXT_HOP)) {
		nh = a->nexthop;
		nh_len = 4;
	}
	const uint8_t *raw = NULL;
	size_t raw_len = 0;
	rejected_path(a, e->attrs_raw, e->attrs_len, &raw, &raw_len);
	char *start = mrt_out_reserve(pr->out, HEAD_MAX + mrt_fmt_attrs_max(a) + 3 * raw_len + 16);
	char *p = fmt_head(start, rec, "B", 1, e->peer);
	p = mrt_fmt_prefix(p, &e->prefix);
	*p++ = '|';
	if (e->has_path_id) {
		p = mrt_fmt_u32(p, e->path_id);
		*p++ = '|';
	}
	unsigned as_size = rec->type == MRT_TABLE_DUMP_V2 ? 4 : 2;
	p = mrt_fmt_attrs_raw(p, a, nh, nh_len, false, raw, raw_len, as_size);
	pr->out->len += (size_t)(p - start);
	pr->lines++;
}

/* Every prefix of one NLRI field, on lines sharing head (and tail for announcements). */
static void emit_field(struct mrt_bgpdump *pr, const struct wire_nlri *n, const char *head,
		       size_t hlen, const uint8_t *fake_addr, const char *tail, size_t tlen)
{
	struct wire_nlri_iter it;
	struct rx_prefix pfx;
	uint32_t id;
	wire_nlri_iter_init(&it, n);
	while (wire_nlri_next(&it, &pfx, &id))
		emit(pr, head, hlen, &pfx, fake_addr, n->addpath, id, tail, tlen);
}

void mrt_bgpdump_message(struct mrt_bgpdump *pr, const struct mrt_message *m)
{
	if (m->msg_type != WIRE_UPDATE || !m->update_ok)
		return;
	const struct mrt_record *rec = m->rec;
	const struct wire_update *u = m->u;
	const struct wire_attrs *a = &u->attrs;
	bool legacy = rec->type == MRT_BGP;
	/* bgpdump shows the local side for the LOCAL_ADDPATH subtypes only. */
	bool show_local =
	    rec->type != MRT_BGP && (rec->subtype == MRT_BGP4MP_MESSAGE_LOCAL_ADDPATH ||
				     rec->subtype == MRT_BGP4MP_MESSAGE_AS4_LOCAL_ADDPATH);
	const struct mrt_peer *who = show_local ? &m->local : &m->peer;
	char head[HEAD_MAX];
	size_t hlen;
	if (u->withdrawn.count || (!legacy && u->has_mp_unreach && u->mp_unreach.count)) {
		hlen = (size_t)(fmt_head(head, rec, "W", 1, who) - head);
		const uint8_t *fake = legacy ? m->peer.addr : NULL;
		emit_field(pr, &u->withdrawn, head, hlen, fake, NULL, 0);
		if (!legacy && u->has_mp_unreach)
			emit_field(pr, &u->mp_unreach, head, hlen, NULL, NULL, 0);
	}
	bool mp = !legacy && u->has_mp_reach && u->mp_reach.count;
	if (!u->nlri.count && !mp)
		return;
	hlen = (size_t)(fmt_head(head, rec, "A", 1, who) - head);
	const uint8_t *raw = NULL;
	size_t raw_len = 0;
	rejected_path(a, m->attrs_raw, m->attrs_len, &raw, &raw_len);
	unsigned as_size = m->as4 ? 4 : 2;
	if (u->nlri.count) {
		bool has_nh = WIRE_HAS(a, WIRE_ATTR_NEXT_HOP);
		size_t tlen =
		    make_tail(pr, a, has_nh ? a->nexthop : NULL, 4, legacy, raw, raw_len, as_size);
		emit_field(pr, &u->nlri, head, hlen, NULL, pr->tail, tlen);
	}
	if (mp) {
		size_t tlen = make_tail(pr, a, u->mp_nexthop, u->mp_nexthop_len, false, raw,
					raw_len, as_size);
		emit_field(pr, &u->mp_reach, head, hlen, NULL, pr->tail, tlen);
	}
}

void mrt_bgpdump_state(struct mrt_bgpdump *pr, const struct mrt_state_change *s)
{
	char *start = mrt_out_reserve(pr->out, HEAD_MAX);
	char *p = fmt_head(start, s->rec, "STATE", 5, &s->peer);
	p = mrt_fmt_u32(p, s->old_state);
	*p++ = '|';
	p = mrt_fmt_u32(p, s->new_state);
	*p++ = '\n';
	pr->out->len += (size_t)(p - start);
	pr->lines++;
}

static int on_rib(void *arg, const struct mrt_rib_entry *e)
{
	mrt_bgpdump_rib_entry(arg, e);
	return 0;
}

static int on_message(void *arg, const struct mrt_message *m)
{
	mrt_bgpdump_message(arg, m);
	return 0;
}

static int on_state(void *arg, const struct mrt_state_change *s)
{
	mrt_bgpdump_state(arg, s);
	return 0;
}

void mrt_bgpdump_init(struct mrt_bgpdump *pr, struct mrt_out *out, struct mrt_handler *h)
{
	memset(pr, 0, sizeof(*pr));
	pr->out = out;
	memset(h, 0, sizeof(*h));
	h->rib_entry = on_rib;
	h->message = on_message;
	h->state = on_state;
	h->arg = pr;
}

void mrt_bgpdump_fini(struct mrt_bgpdump *pr)
{
	free(pr->tail);
	pr->tail = NULL;
	pr->tail_cap = 0;
}
