/* fmt.c: hand-rolled text formatting for the bgpdump -m printer, and its output buffer.
 *
 * Design: the printer writes hundreds of thousands of lines a second, so nothing here goes
 * through printf: integers use a two-digits-at-a-time table, addresses are built byte by
 * byte, and lines are appended to one large buffer drained with write(2) in big blocks.
 * mrt_fmt_ipv6 reproduces bgpdump's IPv6 text, which is inet_ntop(AF_INET6)'s (longest zero
 * run compressed, the first one on a tie, the two IPv4-embedding forms) except that a run of
 * a single zero word is compressed too (2001:df1:3100::182:54:128:2 where inet_ntop, after
 * RFC 5952 4.2.2, writes 2001:df1:3100:0:182:54:128:2). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mrt-int.h"

#define OUT_FLUSH (1u << 20)

static const char digits2[201] = "00010203040506070809"
				 "10111213141516171819"
				 "20212223242526272829"
				 "30313233343536373839"
				 "40414243444546474849"
				 "50515253545556575859"
				 "60616263646566676869"
				 "70717273747576777879"
				 "80818283848586878889"
				 "90919293949596979899";

char *mrt_fmt_u32(char *p, uint32_t v)
{
	char tmp[10];
	char *t = tmp + sizeof(tmp);
	while (v >= 100) {
		unsigned d = (v % 100) * 2;
		v /= 100;
		*--t = digits2[d + 1];
		*--t = digits2[d];
	}
	if (v >= 10) {
		*--t = digits2[v * 2 + 1];
		*--t = digits2[v * 2];
	} else {
		*--t = (char)('0' + v);
	}
	size_t n = (size_t)(tmp + sizeof(tmp) - t);
	memcpy(p, t, n);
	return p + n;
}

static char *fmt_u8(char *p, unsigned v)
{
	if (v >= 100) {
		*p++ = (char)('0' + v / 100);
		v %= 100;
		*p++ = digits2[v * 2];
		*p++ = digits2[v * 2 + 1];
	} else if (v >= 10) {
		*p++ = digits2[v * 2];
		*p++ = digits2[v * 2 + 1];
	} else {
		*p++ = (char)('0' + v);
	}
	return p;
}

char *mrt_fmt_ipv4(char *p, const uint8_t *a)
{
	p = fmt_u8(p, a[0]);
	*p++ = '.';
	p = fmt_u8(p, a[1]);
	*p++ = '.';
	p = fmt_u8(p, a[2]);
	*p++ = '.';
	return fmt_u8(p, a[3]);
}

static char *fmt_hex16(char *p, unsigned w)
{
	static const char hex[] = "0123456789abcdef";
	if (w >= 0x1000)
		*p++ = hex[w >> 12];
	if (w >= 0x100)
		*p++ = hex[(w >> 8) & 15];
	if (w >= 0x10)
		*p++ = hex[(w >> 4) & 15];
	*p++ = hex[w & 15];
	return p;
}

char *mrt_fmt_ipv6(char *p, const uint8_t *a)
{
	unsigned w[8];
	int best = -1, best_len = 0, cur = -1, cur_len = 0;
	for (int i = 0; i < 8; i++) {
		w[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
		if (w[i] == 0) {
			if (cur < 0) {
				cur = i;
				cur_len = 0;
			}
			if (++cur_len > best_len) {
				best = cur;
				best_len = cur_len;
			}
		} else {
			cur = -1;
		}
	}
	/* inet_ntop leaves a lone zero word alone (RFC 5952 4.2.2); bgpdump does not. */
	for (int i = 0; i < 8; i++) {
		if (best >= 0 && i >= best && i < best + best_len) {
			if (i == best)
				*p++ = ':';
			continue;
		}
		if (i)
			*p++ = ':';
		/* ::a.b.c.d (IPv4-compatible) and ::ffff:a.b.c.d (IPv4-mapped), as inet_ntop. */
		if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && w[5] == 0xffff)))
			return mrt_fmt_ipv4(p, a + 12);
		p = fmt_hex16(p, w[i]);
	}
	if (best >= 0 && best + best_len == 8)
		*p++ = ':';
	return p;
}

char *mrt_fmt_addr(char *p, uint8_t afi, const uint8_t *a)
{
	return afi == RX_AFI_IPV6 ? mrt_fmt_ipv6(p, a) : mrt_fmt_ipv4(p, a);
}

char *mrt_fmt_prefix(char *p, const struct rx_prefix *pfx)
{
	p = mrt_fmt_addr(p, pfx->afi, pfx->addr);
	*p++ = '/';
	return fmt_u8(p, pfx->len);
}

/* ---- Attribute columns ---- */

char *mrt_fmt_aspath(char *p, const uint8_t *path, size_t len, unsigned as_size)
{
	static const char open[5] = {0, '{', 0, '(', '['};
	static const char close[5] = {0, '}', 0, ')', ']'};
	const uint8_t *s = path, *end = path + len;
	char *start = p;
	bool first = true;
	while (s < end) {
		if (end - s < 2)
			goto bad;
		unsigned type = s[0], n = s[1];
		const uint8_t *as = s + 2;
		if (type < WIRE_AS_SET || type > WIRE_AS_CONFED_SET ||
		    (size_t)(end - as) < (size_t)as_size * n)
			goto bad;
		s = as + (size_t)as_size * n;
		if (n == 0)
			continue; /* an empty segment prints nothing, not even a separator */
		if (!first)
			*p++ = ' ';
		first = false;
		char sep = (type == WIRE_AS_SET || type == WIRE_AS_CONFED_SET) ? ',' : ' ';
		if (open[type])
			*p++ = open[type];
		for (unsigned i = 0; i < n; i++, as += as_size) {
			if (i)
				*p++ = sep;
			p = mrt_fmt_u32(p, as_size == 4 ? wire_get32(as) : wire_get16(as));
		}
		if (close[type])
			*p++ = close[type];
	}
	return p;
bad: /* bgpdump replaces the whole path */
	memcpy(start, "! Error !", 9);
	return start + 9;
}

static char *fmt_communities(char *p, const uint8_t *c, size_t len)
{
	for (size_t i = 0; i + 4 <= len; i += 4) {
		if (i)
			*p++ = ' ';
		uint32_t v = wire_get32(c + i);
		/* RFC 1997 well-known values by bgpdump's names (it calls 0xFFFFFF03 local-AS) */
		if (v == WIRE_COMM_NO_EXPORT) {
			memcpy(p, "no-export", 9);
			p += 9;
		} else if (v == WIRE_COMM_NO_ADVERTISE) {
			memcpy(p, "no-advertise", 12);
			p += 12;
		} else if (v == WIRE_COMM_NO_EXPORT_SUBCONFED) {
			memcpy(p, "local-AS", 8);
			p += 8;
		} else {
			p = mrt_fmt_u32(p, v >> 16);
			*p++ = ':';
			p = mrt_fmt_u32(p, v & 0xffff);
		}
	}
	return p;
}

size_t mrt_fmt_attrs_max(const struct wire_attrs *a)
{
	/* 11 per AS ("4294967295 "), 2 more per segment, 23 per community ("65535:65535 "
	 * is 12; no-advertise is 13), and the fixed columns. */
	size_t n = (size_t)a->aspath_len / 4 * 11 + (size_t)a->aspath_len + 16;
	n += (size_t)a->communities_len / 4 * 13;
	return n + 160;
}

static char *put(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

char *mrt_fmt_attrs_raw(char *p, const struct wire_attrs *a, const uint8_t *nh, uint8_t nh_len,
			bool legacy, const uint8_t *raw_path, size_t raw_len, unsigned raw_as_size)
{
	static const uint8_t none[4] = {255, 255, 255, 255};
	if (WIRE_HAS(a, WIRE_ATTR_AS_PATH))
		p = mrt_fmt_aspath(p, a->aspath, a->aspath_len, 4);
	else if (raw_path)
		p = mrt_fmt_aspath(p, raw_path, raw_len, raw_as_size);
	*p++ = '|';
	/* An absent or undefined ORIGIN prints as INCOMPLETE. */
	unsigned origin = WIRE_HAS(a, WIRE_ATTR_ORIGIN) ? a->origin : WIRE_ORIGIN_INCOMPLETE;
	if (origin == WIRE_ORIGIN_IGP)
		p = put(p, "IGP|", 4);
	else if (origin == WIRE_ORIGIN_EGP)
		p = put(p, "EGP|", 4);
	else
		p = put(p, "INCOMPLETE|", 11);
	if (nh && nh_len >= 16)
		p = mrt_fmt_ipv6(p, nh);
	else
		p = mrt_fmt_ipv4(p, nh && nh_len == 4 ? nh : none);
	*p++ = '|';
	p = mrt_fmt_u32(p, WIRE_HAS(a, WIRE_ATTR_LOCAL_PREF) ? a->local_pref : 0);
	*p++ = '|';
	p = mrt_fmt_u32(p, WIRE_HAS(a, WIRE_ATTR_MED) ? a->med : 0);
	if (!legacy)
		*p++ = '|';
	if (WIRE_HAS(a, WIRE_ATTR_COMMUNITIES))
		p = fmt_communities(p, a->communities, a->communities_len);
	p = WIRE_HAS(a, WIRE_ATTR_ATOMIC_AGGREGATE) ? put(p, "|AG|", 4) : put(p, "|NAG|", 5);
	if (WIRE_HAS(a, WIRE_ATTR_AGGREGATOR)) {
		p = mrt_fmt_u32(p, a->aggregator_as);
		*p++ = ' ';
		p = mrt_fmt_ipv4(p, a->aggregator_addr);
	}
	*p++ = '|';
	*p++ = '\n';
	return p;
}

char *mrt_fmt_attrs(char *p, const struct wire_attrs *a, const uint8_t *nh, uint8_t nh_len,
		    bool legacy)
{
	return mrt_fmt_attrs_raw(p, a, nh, nh_len, legacy, NULL, 0, 4);
}

bool mrt_raw_attr(const uint8_t *attrs, size_t len, uint8_t type, const uint8_t **val, size_t *vlen)
{
	const uint8_t *p = attrs, *end = attrs + len;
	while (end - p >= 3) {
		bool ext = p[0] & WIRE_AF_EXT_LEN;
		size_t hdr = ext ? 4 : 3;
		if ((size_t)(end - p) < hdr)
			return false;
		size_t l = ext ? wire_get16(p + 2) : p[2];
		if ((size_t)(end - p) - hdr < l)
			return false;
		if (p[1] == type) {
			*val = p + hdr;
			*vlen = l;
			return true;
		}
		p += hdr + l;
	}
	return false;
}

/* ---- Output buffer ---- */

void mrt_out_init(struct mrt_out *o, int fd)
{
	memset(o, 0, sizeof(*o));
	o->fd = fd;
}

bool mrt_out_flush(struct mrt_out *o)
{
	if (o->fd < 0 || o->failed)
		return !o->failed;
	size_t done = 0;
	while (done < o->len) {
		ssize_t n = write(o->fd, o->buf + done, o->len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			o->failed = true;
			o->err = n < 0 ? errno : EIO;
			break;
		}
		done += (size_t)n;
	}
	o->len = 0;
	return !o->failed;
}

char *mrt_out_reserve(struct mrt_out *o, size_t n)
{
	if (o->fd >= 0 && o->len + n > OUT_FLUSH && o->len)
		mrt_out_flush(o);
	if (o->len + n > o->cap) {
		size_t ncap = o->cap ? o->cap : 2 * OUT_FLUSH;
		while (ncap < o->len + n)
			ncap *= 2;
		char *nb = realloc(o->buf, ncap);
		RX_ASSERT(nb); /* out of memory while printing: nothing sensible to do */
		o->buf = nb;
		o->cap = ncap;
	}
	return o->buf + o->len;
}

void mrt_out_fini(struct mrt_out *o)
{
	mrt_out_flush(o);
	free(o->buf);
	o->buf = NULL;
	o->len = o->cap = 0;
}
