/* mtest.h: helpers for the MRT unit tests: hex vectors, record building, printing a walk. */
#ifndef ROUTEX_MTEST_H
#define ROUTEX_MTEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <routex/mrt.h>

struct mt_buf {
	uint8_t *b;
	size_t n, cap;
};

/* Appends bytes given as hex text (spaces and newlines ignored). */
void mt_hex(struct mt_buf *m, const char *hex);
void mt_put(struct mt_buf *m, const void *p, size_t n);
void mt_u8(struct mt_buf *m, uint8_t v);
void mt_u16(struct mt_buf *m, uint16_t v);
void mt_u32(struct mt_buf *m, uint32_t v);
/* Appends an MRT header for a body of len bytes. */
void mt_header(struct mt_buf *m, uint32_t time, uint16_t type, uint16_t subtype, uint32_t len);
void mt_free(struct mt_buf *m);

/* Runs the bgpdump printer over an MRT image in memory; returns the text (malloc'd,
 * NUL-terminated) and the walk's status in *st. */
char *mt_dump(const uint8_t *buf, size_t len, enum mrt_status *st, struct mrt_stats *stats);

#endif
