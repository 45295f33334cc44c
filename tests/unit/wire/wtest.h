/* wtest.h: byte builders shared by the wire codec unit tests.
 *
 * Test vectors are written byte by byte from the RFC layouts (hex strings, or the small
 * builders below), never with the codec's own encoders, so that an encoder bug and the
 * matching parser bug cannot cancel out. Only the round-trip tests use the encoders, and
 * they compare against these independently written bytes. */
#ifndef ROUTEX_TESTS_WTEST_H
#define ROUTEX_TESTS_WTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <routex/wire.h>

#define WT_BUF_LEN 70000

struct wt_buf {
	size_t n;
	uint8_t b[WT_BUF_LEN];
};

/* Appends bytes given as hex digits; spaces and '|' are ignored, so vectors can be laid out
 * field by field. Aborts the test on a malformed string (a bug in the test itself). */
void wt_hex(struct wt_buf *b, const char *hex);
void wt_u8(struct wt_buf *b, unsigned v);
void wt_u16(struct wt_buf *b, unsigned v);
void wt_u32(struct wt_buf *b, uint32_t v);
void wt_bytes(struct wt_buf *b, const void *p, size_t n);

/* One path attribute: flags, type, 1- or 2-octet length (2 when flags has WIRE_AF_EXT_LEN),
 * value. */
void wt_attr(struct wt_buf *b, uint8_t flags, uint8_t type, const void *v, size_t len);
void wt_attr_hex(struct wt_buf *b, uint8_t flags, uint8_t type, const char *hex);

/* UPDATE body (after the 19-octet header) from hex fields: Withdrawn Routes, path
 * attributes and NLRI; the two length fields are computed. NULL means empty. */
void wt_update_hex(struct wt_buf *out, const char *wd, const char *attrs, const char *nlri);
/* Same, from binary fields. */
void wt_update(struct wt_buf *out, const uint8_t *wd, size_t wdlen, const uint8_t *attrs,
	       size_t alen, const uint8_t *nlri, size_t nlen);

/* Parses an UPDATE body with a scratch area owned by the test helpers. */
enum wire_action wt_parse(const struct wt_buf *body, const struct wire_ctx *ctx,
			  struct wire_update *u);
struct wire_scratch *wt_scratch(void);

/* "10.0.0.0/8" -> prefix; host bits allowed (aborts on a syntax error). */
struct rx_prefix wt_pfx(const char *s);
/* Decodes every prefix of a validated NLRI field; returns the count. */
size_t wt_decode(const struct wire_nlri *n, struct rx_prefix *out, uint32_t *ids, size_t max);
/* Formats prefix i of out for comparisons in assert_string_equal. */
const char *wt_fmt(const struct rx_prefix *p);

/* Canonical text of a 4-octet-form AS path: sequences as "a b c", AS_SET as "{a b}",
 * AS_CONFED_SEQUENCE as "(a b)", AS_CONFED_SET as "[a b]"; adjacent segments of the same
 * sequence type are joined (their split is not significant, RFC 6793 4.2.3). Returns
 * "MALFORMED" when the bytes do not frame. */
const char *wt_path(const uint8_t *path, size_t len);

#endif
