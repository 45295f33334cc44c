/* wtest.c: byte builders shared by the wire codec unit tests (see wtest.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wtest.h"

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static void need(const struct wt_buf *b, size_t n)
{
	if (b->n + n > WT_BUF_LEN) {
		fprintf(stderr, "wtest: buffer overflow in test builder\n");
		abort();
	}
}

void wt_hex(struct wt_buf *b, const char *hex)
{
	int hi = -1;

	for (; hex && *hex; hex++) {
		if (*hex == ' ' || *hex == '|' || *hex == '\n')
			continue;
		int v = hexval((unsigned char)*hex);
		if (v < 0) {
			fprintf(stderr, "wtest: bad hex digit '%c'\n", *hex);
			abort();
		}
		if (hi < 0) {
			hi = v;
			continue;
		}
		wt_u8(b, (unsigned)(hi << 4 | v));
		hi = -1;
	}
	if (hi >= 0) {
		fprintf(stderr, "wtest: odd number of hex digits\n");
		abort();
	}
}

void wt_u8(struct wt_buf *b, unsigned v)
{
	need(b, 1);
	b->b[b->n++] = (uint8_t)v;
}

void wt_u16(struct wt_buf *b, unsigned v)
{
	wt_u8(b, v >> 8);
	wt_u8(b, v & 0xff);
}

void wt_u32(struct wt_buf *b, uint32_t v)
{
	wt_u16(b, v >> 16);
	wt_u16(b, v & 0xffff);
}

void wt_bytes(struct wt_buf *b, const void *p, size_t n)
{
	if (n == 0)
		return; /* p may be NULL */
	need(b, n);
	memcpy(b->b + b->n, p, n);
	b->n += n;
}

void wt_attr(struct wt_buf *b, uint8_t flags, uint8_t type, const void *v, size_t len)
{
	wt_u8(b, flags);
	wt_u8(b, type);
	if (flags & WIRE_AF_EXT_LEN)
		wt_u16(b, (unsigned)len);
	else
		wt_u8(b, (unsigned)len);
	wt_bytes(b, v, len);
}

void wt_attr_hex(struct wt_buf *b, uint8_t flags, uint8_t type, const char *hex)
{
	static struct wt_buf v;

	v.n = 0;
	wt_hex(&v, hex);
	wt_attr(b, flags, type, v.b, v.n);
}

void wt_update(struct wt_buf *out, const uint8_t *wd, size_t wdlen, const uint8_t *attrs,
	       size_t alen, const uint8_t *nlri, size_t nlen)
{
	out->n = 0;
	wt_u16(out, (unsigned)wdlen);
	wt_bytes(out, wd, wdlen);
	wt_u16(out, (unsigned)alen);
	wt_bytes(out, attrs, alen);
	wt_bytes(out, nlri, nlen);
}

void wt_update_hex(struct wt_buf *out, const char *wd, const char *attrs, const char *nlri)
{
	static struct wt_buf w, a, n;

	w.n = a.n = n.n = 0;
	wt_hex(&w, wd);
	wt_hex(&a, attrs);
	wt_hex(&n, nlri);
	wt_update(out, w.b, w.n, a.b, a.n, n.b, n.n);
}

struct wire_scratch *wt_scratch(void)
{
	static struct wire_scratch *s;

	if (!s) {
		s = malloc(sizeof(*s));
		if (!s)
			abort();
	}
	s->used = 0;
	return s;
}

enum wire_action wt_parse(const struct wt_buf *body, const struct wire_ctx *ctx,
			  struct wire_update *u)
{
	memset(u, 0xa5, sizeof(*u)); /* no field may be read before the parser sets it */
	return wire_update_parse(body->b, body->n, ctx, u, wt_scratch());
}

struct rx_prefix wt_pfx(const char *s)
{
	struct rx_prefix p;

	if (!rx_prefix_parse(s, &p, true)) {
		fprintf(stderr, "wtest: bad prefix %s\n", s);
		abort();
	}
	return p;
}

size_t wt_decode(const struct wire_nlri *n, struct rx_prefix *out, uint32_t *ids, size_t max)
{
	return wire_nlri_decode(n, out, ids, max);
}

const char *wt_fmt(const struct rx_prefix *p)
{
	static char buf[8][RX_PREFIX_STRLEN];
	static unsigned i;
	char *s = buf[i++ % 8];

	rx_prefix_fmt(p, s, RX_PREFIX_STRLEN);
	return s;
}

static const char *const seg_open[] = {"", "{", "", "(", "["};
static const char *const seg_close[] = {"", "}", "", ")", "]"};

const char *wt_path(const uint8_t *path, size_t len)
{
	static char out[8192];
	size_t o = 0, i = 0;
	unsigned prev = 0;

	out[0] = 0;
	while (i < len) {
		if (len - i < 2 || path[i] < 1 || path[i] > 4 ||
		    len - i - 2 < (size_t)path[i + 1] * 4)
			return "MALFORMED";
		unsigned t = path[i], n = path[i + 1];
		bool join = (t == WIRE_AS_SEQUENCE || t == WIRE_AS_CONFED_SEQUENCE) && t == prev;
		if (join && seg_close[t][0])
			o--; /* reopen the confed sequence we just closed */
		else if (!join)
			o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s", o ? " " : "",
					      seg_open[t]);
		for (unsigned k = 0; k < n && o < sizeof(out) - 16; k++) {
			uint32_t as = wire_get32(path + i + 2 + 4 * k);
			bool first = k == 0 && !join;
			o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%u", first ? "" : " ",
					      as);
		}
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s", seg_close[t]);
		prev = t;
		i += 2 + (size_t)n * 4;
	}
	return out;
}
