/* mrt-int.h: pieces shared by the MRT module's source files (not part of the interface). */
#ifndef ROUTEX_MRT_INT_H
#define ROUTEX_MRT_INT_H

#include <stdio.h>

#include <bzlib.h>
#include <zlib.h>

#include <routex/compiler.h>
#include <routex/mrt.h>
#include <routex/wire.h>

/* ---- input.c: byte source with transparent decompression ---- */

enum mrt_input_kind {
	MRT_IN_PLAIN,
	MRT_IN_GZIP,
	MRT_IN_BZIP2,
};

struct mrt_input {
	enum mrt_input_kind kind;
	int fd;
	gzFile gz;       /* plain and gzip files both go through zlib (transparent mode) */
	bz_stream bz;    /* bzip2 */
	uint8_t *raw;    /* bzip2 input buffer */
	bool bz_live;    /* bz is initialised */
	bool bz_started; /* the current stream has consumed input */
	uint64_t produced; /* decompressed bytes handed out */
	unsigned streams;  /* bzip2 streams finished */
	bool eof;
	bool truncated;  /* compressed data ended early or is damaged after good data */
	char err[192];
};

/* Opens path ("-": standard input). Returns false with in->err set. */
bool mrt_input_open(struct mrt_input *in, const char *path);
/* Reads up to n bytes. Returns the count; 0 at the end (then in->truncated and in->err say
 * whether the end was clean). */
size_t mrt_input_read(struct mrt_input *in, uint8_t *buf, size_t n);
void mrt_input_close(struct mrt_input *in);
const char *mrt_input_kind_name(enum mrt_input_kind k);

/* ---- fmt.c ---- */

/* mrt_fmt_attrs, printing raw_path (AS numbers of raw_as_size octets, as recorded) when
 * the codec kept no AS_PATH: bgpdump prints what it can of a path the codec rejected
 * ("! Error !" for a bad segment, nothing for an empty one). Needs 3 * raw_len + 16 bytes
 * beyond mrt_fmt_attrs_max. */
char *mrt_fmt_attrs_raw(char *p, const struct wire_attrs *a, const uint8_t *nh,
			uint8_t nh_len, bool legacy, const uint8_t *raw_path, size_t raw_len,
			unsigned raw_as_size);
/* Finds attribute `type` in a raw attribute block (first occurrence). */
bool mrt_raw_attr(const uint8_t *attrs, size_t len, uint8_t type, const uint8_t **val,
		  size_t *vlen);

/* ---- reader.c ---- */

/* TABLE_DUMP framing check (docs/mrt.md): given a record body whose declared length is len
 * and `avail` readable bytes from body (avail >= len), returns the number of bytes to add to
 * the declared length (0 or 4). */
uint32_t mrt_td1_extra(const uint8_t *body, uint32_t len, size_t avail, uint16_t subtype);

#endif
