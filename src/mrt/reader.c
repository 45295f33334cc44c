/* reader.c: MRT record framing (RFC 6396 2) over a growing buffer.
 *
 * Design: records are framed in place in one buffer that the input refills in large
 * chunks; a record is handed out as a view into it and the buffer is only compacted (moved
 * down) when the next record does not fit after the current position. A record larger than
 * the buffer grows it (MRT_MAX_RECORD bounds that). The reader never copies a record.
 *
 * Framing quirk handled here, not in the decoders: the early RIS TABLE_DUMP dumps (2000)
 * hold many RIB entries per record and declare a length 4 octets short of what the entries
 * take (the view and sequence fields are not counted). Following the declared length would
 * land 4 octets early and every later header would be garbage (bgpdump stops after the first
 * entry). Such a record is recognised by walking its entries: when they end exactly 4
 * octets past the declared length, the record is taken as that long (td1_len_fixed). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mrt-int.h"

#define BUF_INITIAL (1u << 20)
#define READ_MIN    (256u << 10)

struct mrt_reader {
	struct mrt_input in;
	bool is_mem;
	uint8_t *buf;
	size_t cap, start, end; /* unread bytes are buf[start, end) */
	uint64_t pos;		/* stream offset of buf[start] */
	enum mrt_status final;	/* sticky once not MRT_OK */
	char err[320];
	struct mrt_stats st;
	struct mrt_peer_table peers;
	struct wire_update u;
	struct wire_scratch *scratch;
};

static struct mrt_reader *reader_new(void)
{
	struct mrt_reader *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->scratch = malloc(sizeof(*r->scratch));
	if (!r->scratch) {
		free(r);
		return NULL;
	}
	r->scratch->used = 0;
	return r;
}

struct mrt_reader *mrt_open(const char *path, char *err, size_t errlen)
{
	struct mrt_reader *r = reader_new();
	if (!r) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (!mrt_input_open(&r->in, path)) {
		snprintf(err, errlen, "%s", r->in.err);
		free(r->scratch);
		free(r);
		return NULL;
	}
	r->cap = BUF_INITIAL;
	r->buf = malloc(r->cap);
	if (!r->buf) {
		snprintf(err, errlen, "out of memory");
		mrt_close(r);
		return NULL;
	}
	return r;
}

struct mrt_reader *mrt_open_mem(const void *buf, size_t len)
{
	struct mrt_reader *r = reader_new();
	if (!r)
		return NULL;
	r->is_mem = true;
	r->buf = (uint8_t *)buf; /* never written: is_mem readers do not refill */
	r->cap = r->end = len;
	return r;
}

void mrt_close(struct mrt_reader *r)
{
	if (!r)
		return;
	if (!r->is_mem) {
		mrt_input_close(&r->in);
		free(r->buf);
	}
	mrt_peer_table_fini(&r->peers);
	free(r->scratch);
	free(r);
}

const char *mrt_error(const struct mrt_reader *r)
{
	return r->err;
}

const struct mrt_stats *mrt_reader_stats(const struct mrt_reader *r)
{
	return &r->st;
}

const char *mrt_compression(const struct mrt_reader *r)
{
	return r->is_mem ? "none" : mrt_input_kind_name(r->in.kind);
}

const struct mrt_peer_table *mrt_reader_peers(const struct mrt_reader *r)
{
	return &r->peers;
}

/* Makes at least `need` unread bytes available if the input has them. */
static bool fill(struct mrt_reader *r, size_t need)
{
	if (r->end - r->start >= need)
		return true;
	if (r->is_mem)
		return false;
	if (r->cap - r->start < need + READ_MIN) {
		size_t have = r->end - r->start;
		if (r->cap < need + READ_MIN) {
			size_t ncap = r->cap * 2 > need + READ_MIN ? r->cap * 2 : need + READ_MIN;
			uint8_t *nb = malloc(ncap);
			if (!nb)
				return false;
			memcpy(nb, r->buf + r->start, have);
			free(r->buf);
			r->buf = nb;
			r->cap = ncap;
		} else {
			memmove(r->buf, r->buf + r->start, have);
		}
		r->start = 0;
		r->end = have;
	}
	while (r->end - r->start < need) {
		size_t got = mrt_input_read(&r->in, r->buf + r->end, r->cap - r->end);
		if (got == 0)
			return false;
		r->end += got;
	}
	return true;
}

static enum mrt_status stop(struct mrt_reader *r, enum mrt_status s)
{
	r->final = s;
	return s;
}

uint32_t mrt_td1_extra(const uint8_t *body, uint32_t len, size_t avail, uint16_t subtype)
{
	size_t alen = subtype == RX_AFI_IPV6 ? 16 : 4;
	size_t fixed = 2 * alen + 10; /* prefix, len, status, time, peer, AS, attr length */
	size_t p = 4;		      /* view, sequence: once per record */
	size_t limit = (size_t)len + 4 < avail ? (size_t)len + 4 : avail;
	while (p + fixed <= limit) {
		p += fixed + wire_get16(body + p + fixed - 2);
		if (p == len)
			return 0;
		if (p == (size_t)len + 4)
			return 4;
	}
	return 0;
}

static enum mrt_status truncated(struct mrt_reader *r, const char *what, size_t have, size_t want)
{
	int n = snprintf(r->err, sizeof(r->err),
			 "input ends inside %s at offset %llu (%zu of %zu bytes)", what,
			 (unsigned long long)r->pos, have, want);
	if (r->in.err[0] && n > 0 && (size_t)n < sizeof(r->err))
		snprintf(r->err + n, sizeof(r->err) - (size_t)n, "; %s", r->in.err);
	return stop(r, MRT_TRUNCATED);
}

enum mrt_status mrt_next(struct mrt_reader *r, struct mrt_record *rec)
{
	if (r->final != MRT_OK)
		return r->final;
	if (!fill(r, MRT_HEADER_LEN)) {
		size_t have = r->end - r->start;
		if (have)
			return truncated(r, "a record header", have, MRT_HEADER_LEN);
		if (r->in.truncated) {
			snprintf(r->err, sizeof(r->err), "%s", r->in.err);
			return stop(r, MRT_TRUNCATED);
		}
		return stop(r, MRT_END);
	}
	const uint8_t *h = r->buf + r->start;
	uint32_t len = wire_get32(h + 8);
	memset(rec, 0, sizeof(*rec));
	rec->time = wire_get32(h);
	rec->type = wire_get16(h + 4);
	rec->subtype = wire_get16(h + 6);
	rec->offset = r->pos;
	if (len > MRT_MAX_RECORD) {
		snprintf(r->err, sizeof(r->err),
			 "record at offset %llu declares %u bytes (type %u): corrupt framing",
			 (unsigned long long)r->pos, len, rec->type);
		return stop(r, MRT_ERROR);
	}
	if (!fill(r, MRT_HEADER_LEN + (size_t)len))
		return truncated(r, "a record", r->end - r->start, MRT_HEADER_LEN + (size_t)len);
	size_t total = MRT_HEADER_LEN + (size_t)len;
	if (rec->type == MRT_TABLE_DUMP && len >= 4) {
		/* Only a record whose first entry does not end at the declared length needs a
		 * look past it. */
		fill(r, total + 4);
		const uint8_t *b = r->buf + r->start + MRT_HEADER_LEN;
		uint32_t extra =
		    mrt_td1_extra(b, len, r->end - r->start - MRT_HEADER_LEN, rec->subtype);
		if (extra) {
			len += extra;
			total += extra;
			rec->td1_len_fixed = true;
			r->st.td1_fixed++;
		}
	}
	rec->body = r->buf + r->start + MRT_HEADER_LEN;
	rec->len = len;
	if (rec->type == MRT_BGP4MP_ET && len >= 4) {
		rec->usec = wire_get32(rec->body);
		rec->body += 4;
		rec->len -= 4;
	}
	r->start += total;
	r->pos += total;
	r->st.records++;
	r->st.bytes += total;
	return MRT_OK;
}

/* ---- PEER_INDEX_TABLE (RFC 6396 4.3.1) ---- */

void mrt_peer_table_fini(struct mrt_peer_table *t)
{
	free(t->peers);
	memset(t, 0, sizeof(*t));
}

bool mrt_peer_table_parse(const struct mrt_record *rec, struct mrt_peer_table *t)
{
	const uint8_t *p = rec->body, *end = p + rec->len;
	memset(t, 0, sizeof(*t));
	if (end - p < 6)
		return false;
	t->collector_id = wire_get32(p);
	size_t vlen = wire_get16(p + 4);
	p += 6;
	if ((size_t)(end - p) < vlen + 2)
		return false;
	size_t vcopy = vlen < sizeof(t->view) ? vlen : sizeof(t->view) - 1;
	memcpy(t->view, p, vcopy);
	t->view[vcopy] = 0;
	p += vlen;
	unsigned count = wire_get16(p);
	p += 2;
	t->peers = calloc(count ? count : 1, sizeof(*t->peers));
	if (!t->peers)
		return false;
	for (unsigned i = 0; i < count; i++) {
		struct mrt_peer *pe = &t->peers[i];
		if (end - p < 1)
			goto bad;
		uint8_t type = *p++;
		size_t alen = (type & 1) ? 16 : 4, aslen = (type & 2) ? 4 : 2;
		if ((size_t)(end - p) < 4 + alen + aslen)
			goto bad;
		pe->bgp_id = wire_get32(p);
		pe->afi = (type & 1) ? RX_AFI_IPV6 : RX_AFI_IPV4;
		memcpy(pe->addr, p + 4, alen);
		pe->asn = aslen == 4 ? wire_get32(p + 4 + alen) : wire_get16(p + 4 + alen);
		p += 4 + alen + aslen;
	}
	t->count = (uint16_t)count;
	return true;
bad:
	mrt_peer_table_fini(t);
	return false;
}

/* ---- RIB entries ---- */

void mrt_rib_ctx(const struct mrt_record *rec, struct wire_ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	/* RFC 6396 4.3.4: TABLE_DUMP_V2 always writes 4-octet AS_PATHs; TABLE_DUMP (4.2)
	 * predates RFC 6793 and writes 2-octet ones (with AS4_PATH beside them). Not eBGP, so
	 * LOCAL_PREF and the reflection attributes are kept as recorded. */
	ctx->as4 = rec->type == MRT_TABLE_DUMP_V2;
}

static void parse_attrs(struct mrt_reader *r, const struct mrt_handler *h, struct mrt_rib_entry *e,
			const struct wire_ctx *ctx)
{
	if (h->raw_attrs_only) {
		e->u = NULL;
		e->action = WIRE_OK;
		return;
	}
	e->action = wire_attrs_parse(e->attrs_raw, e->attrs_len, ctx, true, &r->u, r->scratch);
	e->u = &r->u;
}

/* TABLE_DUMP (RFC 6396 4.2): one entry, or several in the early multi-entry records where
 * only the first carries the view and sequence fields. */
static int walk_td1(struct mrt_reader *r, const struct mrt_record *rec, const struct mrt_handler *h)
{
	if (rec->subtype != RX_AFI_IPV4 && rec->subtype != RX_AFI_IPV6) {
		r->st.skipped++;
		return 0;
	}
	size_t alen = rec->subtype == RX_AFI_IPV6 ? 16 : 4;
	size_t fixed = 2 * alen + 10;
	const uint8_t *p = rec->body, *end = p + rec->len;
	struct wire_ctx ctx;
	mrt_rib_ctx(rec, &ctx);
	struct mrt_peer peer;
	struct mrt_rib_entry e;
	memset(&e, 0, sizeof(e));
	e.rec = rec;
	e.peer = &peer;
	if (end - p < 4) {
		r->st.malformed++;
		return 0;
	}
	e.view = wire_get16(p);
	e.seq = wire_get16(p + 2);
	e.afi = rec->subtype;
	e.safi = RX_SAFI_UNICAST;
	p += 4;
	for (uint16_t i = 0; p < end; i++) {
		if ((size_t)(end - p) < fixed ||
		    (size_t)(end - p) < fixed + wire_get16(p + fixed - 2)) {
			r->st.malformed++;
			return 0;
		}
		memset(&e.prefix, 0, sizeof(e.prefix));
		e.prefix.afi = (uint8_t)rec->subtype;
		memcpy(e.prefix.addr, p, alen);
		e.prefix.len = p[alen];
		e.status = p[alen + 1];
		e.originated = wire_get32(p + alen + 2);
		memset(&peer, 0, sizeof(peer));
		peer.afi = (uint8_t)rec->subtype;
		memcpy(peer.addr, p + alen + 6, alen);
		peer.asn = wire_get16(p + 2 * alen + 6);
		e.attrs_len = wire_get16(p + 2 * alen + 8);
		e.attrs_raw = p + fixed;
		e.index = i;
		p += fixed + e.attrs_len;
		if (e.prefix.len > rx_afi_bits(e.prefix.afi)) {
			r->st.malformed++;
			continue;
		}
		parse_attrs(r, h, &e, &ctx);
		r->st.rib_entries++;
		int rc = h->rib_entry ? h->rib_entry(h->arg, &e) : 0;
		if (rc)
			return rc;
	}
	return 0;
}

/* The prefix of a TABLE_DUMP_V2 RIB record (RFC 6396 4.3.2, 4.3.3). */
static bool td2_prefix(const uint8_t **pp, const uint8_t *end, uint16_t afi, struct rx_prefix *pfx)
{
	const uint8_t *p = *pp;
	if (p >= end)
		return false;
	unsigned plen = *p++;
	unsigned bytes = (plen + 7) / 8;
	if (plen > rx_afi_bits((uint8_t)afi) || (size_t)(end - p) < bytes)
		return false;
	memset(pfx, 0, sizeof(*pfx));
	pfx->afi = (uint8_t)afi;
	pfx->len = (uint8_t)plen;
	memcpy(pfx->addr, p, bytes);
	*pp = p + bytes;
	return true;
}

static int walk_td2_rib(struct mrt_reader *r, const struct mrt_record *rec,
			const struct mrt_handler *h)
{
	struct mrt_rib_entry e;
	memset(&e, 0, sizeof(e));
	e.rec = rec;
	uint16_t st = rec->subtype;
	e.has_path_id = st >= MRT_RIB_IPV4_UNICAST_ADDPATH;
	const uint8_t *p = rec->body, *end = p + rec->len;
	if (end - p < 4)
		goto bad;
	e.seq = wire_get32(p);
	p += 4;
	if (st == MRT_RIB_GENERIC || st == MRT_RIB_GENERIC_ADDPATH) {
		if (end - p < 3)
			goto bad;
		e.afi = wire_get16(p);
		e.safi = p[2];
		p += 3;
		if (e.afi != RX_AFI_IPV4 && e.afi != RX_AFI_IPV6) {
			r->st.skipped++; /* NLRI of other families are not prefixes */
			return 0;
		}
	} else {
		unsigned base = e.has_path_id ? st - 6 : st; /* ADD-PATH subtypes mirror 2..5 */
		e.afi = base <= MRT_RIB_IPV4_MULTICAST ? RX_AFI_IPV4 : RX_AFI_IPV6;
		e.safi = (base == MRT_RIB_IPV4_MULTICAST || base == MRT_RIB_IPV6_MULTICAST)
			     ? RX_SAFI_MULTICAST
			     : RX_SAFI_UNICAST;
	}
	if (!td2_prefix(&p, end, e.afi, &e.prefix) || end - p < 2)
		goto bad;
	e.count = wire_get16(p);
	p += 2;
	struct wire_ctx ctx;
	mrt_rib_ctx(rec, &ctx);
	size_t fixed = e.has_path_id ? 12 : 8;
	for (uint16_t i = 0; i < e.count; i++) {
		if ((size_t)(end - p) < fixed)
			goto bad;
		e.peer_index = wire_get16(p);
		e.originated = wire_get32(p + 2);
		e.path_id = e.has_path_id ? wire_get32(p + 6) : 0;
		e.attrs_len = wire_get16(p + fixed - 2);
		e.attrs_raw = p + fixed;
		e.index = i;
		if ((size_t)(end - p) < fixed + e.attrs_len)
			goto bad;
		p += fixed + e.attrs_len;
		if (e.peer_index >= r->peers.count) {
			/* No PEER_INDEX_TABLE yet, or an index beyond it: the entry has no peer. */
			r->st.malformed++;
			continue;
		}
		e.peer = &r->peers.peers[e.peer_index];
		parse_attrs(r, h, &e, &ctx);
		r->st.rib_entries++;
		int rc = h->rib_entry ? h->rib_entry(h->arg, &e) : 0;
		if (rc)
			return rc;
	}
	return 0;
bad:
	r->st.malformed++;
	return 0;
}

static int walk_td2(struct mrt_reader *r, const struct mrt_record *rec, const struct mrt_handler *h)
{
	switch (rec->subtype) {
	case MRT_PEER_INDEX_TABLE: {
		struct mrt_peer_table t;
		if (!mrt_peer_table_parse(rec, &t)) {
			r->st.malformed++;
			return 0;
		}
		mrt_peer_table_fini(&r->peers);
		r->peers = t;
		return h->peer_table ? h->peer_table(h->arg, &r->peers) : 0;
	}
	case MRT_RIB_IPV4_UNICAST ... MRT_RIB_GENERIC:
	case MRT_RIB_IPV4_UNICAST_ADDPATH ... MRT_RIB_GENERIC_ADDPATH:
		return walk_td2_rib(r, rec, h);
	default:
		r->st.skipped++;
		return 0;
	}
}

static int walk_bgp4mp(struct mrt_reader *r, const struct mrt_record *rec,
		       const struct mrt_handler *h)
{
	struct mrt_message m;
	struct mrt_state_change s;
	switch (mrt_bgp4mp_decode(rec, &m, &s)) {
	case 1:
		r->st.messages++;
		if (m.msg_type == WIRE_UPDATE) {
			r->st.updates++;
			mrt_message_parse_update(&m, &r->u, r->scratch);
			if (!m.update_ok)
				r->st.malformed++;
		}
		return h->message ? h->message(h->arg, &m) : 0;
	case 2:
		r->st.state_changes++;
		return h->state ? h->state(h->arg, &s) : 0;
	case 0:
		r->st.skipped++;
		return 0;
	default:
		r->st.malformed++;
		return 0;
	}
}

enum mrt_status mrt_walk(struct mrt_reader *r, const struct mrt_handler *h, int *stopped)
{
	struct mrt_record rec;
	for (;;) {
		enum mrt_status s = mrt_next(r, &rec);
		if (s != MRT_OK)
			return s;
		int rc = h->record ? h->record(h->arg, &rec) : 0;
		if (rc == 0) {
			switch (rec.type) {
			case MRT_TABLE_DUMP:
				rc = walk_td1(r, &rec, h);
				break;
			case MRT_TABLE_DUMP_V2:
				rc = walk_td2(r, &rec, h);
				break;
			case MRT_BGP4MP:
			case MRT_BGP4MP_ET:
			case MRT_BGP:
				rc = walk_bgp4mp(r, &rec, h);
				break;
			default:
				r->st.skipped++;
				break;
			}
		}
		if (rc) {
			if (stopped)
				*stopped = rc;
			return MRT_OK;
		}
	}
}
