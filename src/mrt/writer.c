/* writer.c: TABLE_DUMP_V2 writer (RFC 6396 4.3, RFC 8050 4).
 *
 * Design:
 *  - streaming: one RIB record (one prefix and its entries) is assembled in `rec`, then
 *    appended to a 1 MiB output buffer (struct mrt_out) that is drained to the file with
 *    write(2). Memory is the largest single record plus that buffer, whatever the table's
 *    size;
 *  - atomic publication: everything goes to PATH.tmp, which is renamed over PATH only
 *    after the last write and an fdatasync succeeded, so a reader of PATH sees the previous
 *    dump or the whole new one, never half of one. Any failure unlinks PATH.tmp;
 *  - AS numbers are 4 octets everywhere (peer entries carry the AS4 bit; RIB attributes are
 *    the caller's, encoded with 4-octet AS_PATH as RFC 6396 4.3.4 requires);
 *  - the writer does not know the RIB: callers hand it prefixes and attribute blocks.
 * One writer belongs to one thread. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mrt-int.h"

#define TMP_SUFFIX ".tmp"
#define MAX_ENTRIES 0xFFFF /* the 2-octet entry count */

struct mrt_writer {
	struct mrt_out out;
	int fd;
	char *path, *tmp;
	uint32_t time;
	uint32_t seq;		/* next RIB record's sequence number */
	bool created;		/* tmp is ours: unlink it unless renamed */
	bool peers_written;
	uint16_t npeers;
	/* The record being assembled (mrt_writer_rib_begin .. _end). */
	uint8_t *rec;
	size_t rec_len, rec_cap;
	size_t count_off;	/* of the entry count in rec */
	uint16_t count;
	uint16_t subtype;
	bool addpath;
	bool open_rec;
	struct mrt_write_stats st;
};

/* err gets "WHAT PATH: strerror(e)". */
static void set_err(char *err, size_t errlen, const char *what, const char *path, int e)
{
	if (err && errlen)
		snprintf(err, errlen, "%s%s: %s", what, path, strerror(e));
}

struct mrt_writer *mrt_writer_open(const char *path, uint32_t time, char *err, size_t errlen)
{
	struct mrt_writer *w = calloc(1, sizeof(*w));
	size_t plen = strlen(path);
	if (w)
		w->fd = -1;
	if (!w || !(w->path = strdup(path)) || !(w->tmp = malloc(plen + sizeof(TMP_SUFFIX)))) {
		set_err(err, errlen, "", path, ENOMEM);
		mrt_writer_abort(w);
		return NULL;
	}
	memcpy(w->tmp, path, plen);
	memcpy(w->tmp + plen, TMP_SUFFIX, sizeof(TMP_SUFFIX));
	/* A directory at PATH would make the final rename fail after all the work: say so now. */
	struct stat sb;
	if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		set_err(err, errlen, "", path, EISDIR);
		mrt_writer_abort(w);
		return NULL;
	}
	/* O_NOFOLLOW: a symlink planted at PATH.tmp must not redirect a root-owned write.
	 * O_NONBLOCK, then a regular file only: a FIFO there would block the dump (and the
	 * daemon's shutdown, which waits for it) until someone reads it. */
	w->fd = open(w->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK,
		     0644);
	if (w->fd < 0) {
		set_err(err, errlen, "cannot create ", w->tmp, errno);
		mrt_writer_abort(w);
		return NULL;
	}
	if (fstat(w->fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		if (err && errlen)
			snprintf(err, errlen, "cannot create %s: not a regular file", w->tmp);
		mrt_writer_abort(w);
		return NULL;
	}
	fcntl(w->fd, F_SETFL, 0);
	w->created = true;
	mrt_out_init(&w->out, w->fd);
	w->time = time;
	return w;
}

static uint8_t *rec_room(struct mrt_writer *w, size_t n)
{
	if (w->rec_len + n > w->rec_cap) {
		size_t ncap = w->rec_cap ? w->rec_cap : 4096;
		while (ncap < w->rec_len + n)
			ncap *= 2;
		uint8_t *nb = realloc(w->rec, ncap);
		RX_ASSERT(nb); /* a record is at most a few MiB: nothing sensible to do */
		w->rec = nb;
		w->rec_cap = ncap;
	}
	uint8_t *p = w->rec + w->rec_len;
	w->rec_len += n;
	return p;
}

/* Appends the record in rec (MRT header first) to the output. */
static bool emit(struct mrt_writer *w, uint16_t subtype)
{
	uint8_t *p = (uint8_t *)mrt_out_reserve(&w->out, MRT_HEADER_LEN + w->rec_len);
	wire_put32(p, w->time);
	wire_put16(p + 4, MRT_TABLE_DUMP_V2);
	wire_put16(p + 6, subtype);
	wire_put32(p + 8, (uint32_t)w->rec_len);
	memcpy(p + MRT_HEADER_LEN, w->rec, w->rec_len);
	w->out.len += MRT_HEADER_LEN + w->rec_len;
	w->st.records++;
	w->st.bytes += MRT_HEADER_LEN + w->rec_len;
	w->rec_len = 0;
	return !w->out.failed;
}

bool mrt_writer_peer_table(struct mrt_writer *w, uint32_t collector_id, const char *view,
			   const struct mrt_peer *peers, uint16_t n)
{
	RX_ASSERT(!w->peers_written);
	size_t vlen = view ? strlen(view) : 0;
	if (vlen > 0xFFFF)
		vlen = 0xFFFF;
	w->rec_len = 0;
	uint8_t *p = rec_room(w, 8 + vlen);
	wire_put32(p, collector_id);
	wire_put16(p + 4, (uint16_t)vlen);
	if (vlen) /* view may be NULL */
		memcpy(p + 6, view, vlen);
	wire_put16(p + 6 + vlen, n);
	for (uint16_t i = 0; i < n; i++) {
		bool v6 = peers[i].afi == RX_AFI_IPV6;
		p = rec_room(w, 1 + 4 + (v6 ? 16 : 4) + 4);
		/* RFC 6396 4.3.1 peer type: bit 0 IPv6 address, bit 1 4-octet AS (always). */
		*p++ = (uint8_t)(0x02 | (v6 ? 0x01 : 0));
		wire_put32(p, peers[i].bgp_id);
		memcpy(p + 4, peers[i].addr, v6 ? 16 : 4);
		wire_put32(p + 4 + (v6 ? 16 : 4), peers[i].asn);
	}
	w->peers_written = true;
	w->npeers = n;
	return emit(w, MRT_PEER_INDEX_TABLE);
}

void mrt_writer_rib_begin(struct mrt_writer *w, const struct rx_prefix *p, bool addpath)
{
	RX_ASSERT(w->peers_written && !w->open_rec);
	bool v6 = p->afi == RX_AFI_IPV6;
	w->subtype = v6 ? (addpath ? MRT_RIB_IPV6_UNICAST_ADDPATH : MRT_RIB_IPV6_UNICAST)
			: (addpath ? MRT_RIB_IPV4_UNICAST_ADDPATH : MRT_RIB_IPV4_UNICAST);
	w->addpath = addpath;
	w->open_rec = true;
	w->count = 0;
	w->rec_len = 0;
	size_t plen = ((size_t)p->len + 7) / 8;
	uint8_t *q = rec_room(w, 4 + 1 + plen + 2);
	wire_put32(q, w->seq);
	q[4] = p->len;
	memcpy(q + 5, p->addr, plen);
	w->count_off = 5 + plen;
}

bool mrt_writer_rib_entry(struct mrt_writer *w, uint16_t peer_index, uint32_t originated,
			  uint32_t path_id, const uint8_t *mp_nexthop, uint8_t mp_nexthop_len,
			  const uint8_t *attrs, size_t attrs_len)
{
	RX_ASSERT(w->open_rec);
	/* The abbreviated MP_REACH_NLRI of RFC 6396 4.3.4: next-hop length and next hop only. */
	size_t mp = mp_nexthop_len ? 3 + 1 + (size_t)mp_nexthop_len : 0;
	if (w->count == MAX_ENTRIES || peer_index >= w->npeers || attrs_len + mp > 0xFFFF) {
		w->st.skipped++;
		return false;
	}
	uint8_t *q = rec_room(w, 2 + 4 + (w->addpath ? 4 : 0) + 2 + mp + attrs_len);
	wire_put16(q, peer_index);
	wire_put32(q + 2, originated);
	q += 6;
	if (w->addpath) {
		wire_put32(q, path_id);
		q += 4;
	}
	wire_put16(q, (uint16_t)(mp + attrs_len));
	q += 2;
	if (mp) {
		*q++ = WIRE_AF_OPTIONAL;
		*q++ = WIRE_ATTR_MP_REACH_NLRI;
		*q++ = (uint8_t)(1 + mp_nexthop_len);
		*q++ = mp_nexthop_len;
		memcpy(q, mp_nexthop, mp_nexthop_len);
		q += mp_nexthop_len;
	}
	if (attrs_len)
		memcpy(q, attrs, attrs_len);
	w->count++;
	return true;
}

bool mrt_writer_rib_end(struct mrt_writer *w)
{
	RX_ASSERT(w->open_rec);
	w->open_rec = false;
	if (w->count == 0) { /* every entry skipped: no record rather than an empty one */
		w->rec_len = 0;
		return !w->out.failed;
	}
	wire_put16(w->rec + w->count_off, w->count);
	w->seq++;
	w->st.prefixes++;
	w->st.entries += w->count;
	return emit(w, w->subtype);
}

const struct mrt_write_stats *mrt_writer_stats(const struct mrt_writer *w)
{
	return &w->st;
}

bool mrt_writer_failed(const struct mrt_writer *w)
{
	return w->out.failed;
}

bool mrt_writer_commit(struct mrt_writer *w, char *err, size_t errlen)
{
	RX_ASSERT(!w->open_rec);
	bool ok = mrt_out_flush(&w->out);
	if (!ok)
		set_err(err, errlen, "writing ", w->tmp, w->out.err);
	/* Data on disk before the name points at it: a crash leaves the old dump or the new. */
	if (ok && fdatasync(w->fd) != 0) {
		set_err(err, errlen, "writing ", w->tmp, errno);
		ok = false;
	}
	int fd = w->fd;
	w->fd = -1;
	if (close(fd) != 0 && ok) {
		set_err(err, errlen, "writing ", w->tmp, errno);
		ok = false;
	}
	if (ok && rename(w->tmp, w->path) != 0) {
		set_err(err, errlen, "cannot rename the dump to ", w->path, errno);
		ok = false;
	}
	if (ok) /* renamed: nothing left to unlink */
		w->created = false;
	mrt_writer_abort(w);
	return ok;
}

void mrt_writer_abort(struct mrt_writer *w)
{
	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);
	if (w->created)
		unlink(w->tmp);
	w->out.fd = -1; /* nothing more goes to the file */
	mrt_out_fini(&w->out);
	free(w->rec);
	free(w->tmp);
	free(w->path);
	free(w);
}
