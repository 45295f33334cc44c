/* mtest.c: helpers for the MRT unit tests. */
#include <stdlib.h>
#include <string.h>

#include "mtest.h"

static void grow(struct mt_buf *m, size_t n)
{
	if (m->n + n <= m->cap)
		return;
	size_t cap = m->cap ? m->cap : 256;
	while (cap < m->n + n)
		cap *= 2;
	m->b = realloc(m->b, cap);
	assert_non_null(m->b);
	m->cap = cap;
}

void mt_put(struct mt_buf *m, const void *p, size_t n)
{
	grow(m, n);
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void mt_hex(struct mt_buf *m, const char *hex)
{
	int hi = -1;
	for (const char *c = hex; *c; c++) {
		int v = nibble(*c);
		if (v < 0)
			continue;
		if (hi < 0) {
			hi = v;
		} else {
			mt_u8(m, (uint8_t)(hi << 4 | v));
			hi = -1;
		}
	}
	assert_int_equal(hi, -1);
}

void mt_u8(struct mt_buf *m, uint8_t v)
{
	mt_put(m, &v, 1);
}

void mt_u16(struct mt_buf *m, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
	mt_put(m, b, 2);
}

void mt_u32(struct mt_buf *m, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
	mt_put(m, b, 4);
}

void mt_header(struct mt_buf *m, uint32_t time, uint16_t type, uint16_t subtype, uint32_t len)
{
	mt_u32(m, time);
	mt_u16(m, type);
	mt_u16(m, subtype);
	mt_u32(m, len);
}

void mt_free(struct mt_buf *m)
{
	free(m->b);
	memset(m, 0, sizeof(*m));
}

char *mt_dump(const uint8_t *buf, size_t len, enum mrt_status *st, struct mrt_stats *stats)
{
	struct mrt_reader *r = mrt_open_mem(buf, len);
	assert_non_null(r);
	struct mrt_out out;
	struct mrt_bgpdump pr;
	struct mrt_handler h;
	mrt_out_init(&out, -1);
	mrt_bgpdump_init(&pr, &out, &h);
	enum mrt_status s = mrt_walk(r, &h, NULL);
	if (st)
		*st = s;
	if (stats)
		*stats = *mrt_reader_stats(r);
	mrt_bgpdump_fini(&pr);
	char *text = malloc(out.len + 1);
	assert_non_null(text);
	if (out.len)
		memcpy(text, out.buf, out.len);
	text[out.len] = 0;
	mrt_out_fini(&out);
	mrt_close(r);
	return text;
}
