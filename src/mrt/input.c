/* input.c: the byte source under the MRT reader: plain, gzip or bzip2, by magic number.
 *
 * Design: the reader asks for large chunks (a megabyte at a time) and this layer hands
 * them out decompressed, so the per-record cost is a pointer bump in the reader's buffer.
 * gzip and plain files both go through zlib's gzread (its transparent mode passes plain data
 * through); bzip2 goes through libbz2's BZ2_bzDecompress (see bz_read for why not
 * BZ2_bzRead), decompressing straight into the reader's buffer.
 *
 * A compressed file that ends early is not an error of the data before the cut: the bytes
 * decompressed so far are handed out, then the end is reported as truncated, so the reader
 * can deliver every complete record before the cut (as bgpdump does). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mrt-int.h"

#define GZ_BUFFER (256u << 10)
#define BZ_INPUT  (256u << 10)

const char *mrt_input_kind_name(enum mrt_input_kind k)
{
	switch (k) {
	case MRT_IN_GZIP:
		return "gzip";
	case MRT_IN_BZIP2:
		return "bzip2";
	default:
		return "none";
	}
}

/* Sniffs the first bytes without consuming them (pread), so both libraries start at 0. */
static enum mrt_input_kind sniff(int fd)
{
	uint8_t m[3];
	ssize_t n = pread(fd, m, sizeof(m), 0);
	if (n >= 2 && m[0] == 0x1f && m[1] == 0x8b)
		return MRT_IN_GZIP;
	if (n == 3 && m[0] == 'B' && m[1] == 'Z' && m[2] == 'h')
		return MRT_IN_BZIP2;
	return MRT_IN_PLAIN; /* includes pipes, which cannot be sniffed: zlib sorts it out */
}

/* (Re)starts decompression, keeping the input not yet consumed (the next stream's start). */
static bool bz_start(struct mrt_input *in)
{
	char *next_in = in->bz.next_in, *next_out = in->bz.next_out;
	unsigned avail_in = in->bz.avail_in, avail_out = in->bz.avail_out;
	memset(&in->bz, 0, sizeof(in->bz));
	in->bz.next_in = next_in;
	in->bz.avail_in = avail_in;
	in->bz.next_out = next_out;
	in->bz.avail_out = avail_out;
	int e = BZ2_bzDecompressInit(&in->bz, 0, 0);
	if (e != BZ_OK) {
		snprintf(in->err, sizeof(in->err), "bzip2: cannot start decompression (%d)", e);
		return false;
	}
	in->bz_live = true;
	return true;
}

bool mrt_input_open(struct mrt_input *in, const char *path)
{
	memset(in, 0, sizeof(*in));
	in->fd = strcmp(path, "-") == 0 ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC);
	if (in->fd < 0) {
		snprintf(in->err, sizeof(in->err), "%s", strerror(errno));
		return false;
	}
	in->kind = sniff(in->fd);
	if (in->kind == MRT_IN_BZIP2) {
		in->raw = malloc(BZ_INPUT);
		if (!in->raw || !bz_start(in)) {
			if (!in->raw)
				snprintf(in->err, sizeof(in->err), "out of memory");
			free(in->raw);
			close(in->fd);
			return false;
		}
		return true;
	}
	in->gz = gzdopen(in->fd, "rb");
	if (!in->gz) {
		snprintf(in->err, sizeof(in->err), "zlib: cannot open");
		close(in->fd);
		return false;
	}
	gzbuffer(in->gz, GZ_BUFFER);
	return true;
}

static size_t gz_read(struct mrt_input *in, uint8_t *buf, size_t n)
{
	size_t got = 0;
	while (got < n) {
		unsigned ask = n - got > (1u << 30) ? 1u << 30 : (unsigned)(n - got);
		int r = gzread(in->gz, buf + got, ask);
		if (r > 0) {
			got += (size_t)r;
			continue;
		}
		int errnum;
		const char *msg = gzerror(in->gz, &errnum);
		if (r < 0 || (errnum != Z_OK && errnum != Z_STREAM_END)) {
			in->truncated = true;
			snprintf(in->err, sizeof(in->err), "gzip: %s after %llu bytes",
				 errnum == Z_BUF_ERROR ? "compressed data ends unexpectedly" : msg,
				 (unsigned long long)(in->produced + got));
		}
		in->eof = true;
		break;
	}
	return got;
}

/* Refills the compressed input; false at the end of the file. */
static bool bz_refill(struct mrt_input *in)
{
	for (;;) {
		ssize_t n = read(in->fd, in->raw, BZ_INPUT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(in->err, sizeof(in->err), "read: %s", strerror(errno));
			in->truncated = true;
			return false;
		}
		in->bz.next_in = (char *)in->raw;
		in->bz.avail_in = (unsigned)n;
		return n > 0;
	}
}

/* libbz2's low-level interface rather than BZ2_bzRead: on a cut file BZ2_bzRead returns 0
 * for the whole call that meets the cut, dropping data it had already decompressed into
 * the caller's buffer, up to a whole chunk of complete records. Here every byte of every
 * complete block is handed out. Streams that follow one another (pbzip2) are read as one;
 * bytes after the last stream that are not a stream are ignored, as bzip2 does. */
static size_t bz_read(struct mrt_input *in, uint8_t *buf, size_t n)
{
	in->bz.next_out = (char *)buf;
	in->bz.avail_out = n > (1u << 30) ? 1u << 30 : (unsigned)n;
	unsigned want = in->bz.avail_out;
	while (in->bz.avail_out > 0) {
		if (in->bz.avail_in == 0 && !bz_refill(in)) {
			if (in->bz_live && in->bz_started && !in->truncated) {
				in->truncated = true;
				snprintf(
				    in->err, sizeof(in->err),
				    "bzip2: compressed data ends unexpectedly after %llu "
				    "bytes",
				    (unsigned long long)(in->produced + want - in->bz.avail_out));
			}
			in->eof = true;
			break;
		}
		if (!in->bz_live) { /* a stream ended and more bytes follow */
			if (!bz_start(in)) {
				in->truncated = in->eof = true;
				break;
			}
		}
		in->bz_started = true;
		int e = BZ2_bzDecompress(&in->bz);
		if (e == BZ_STREAM_END) {
			BZ2_bzDecompressEnd(&in->bz);
			in->bz_live = in->bz_started = false;
			in->streams++;
			continue;
		}
		if (e != BZ_OK) {
			in->eof = true;
			if (e == BZ_DATA_ERROR_MAGIC && in->streams > 0)
				break; /* trailing bytes after the last stream */
			in->truncated = true;
			snprintf(in->err, sizeof(in->err),
				 "bzip2: compressed data is damaged (%d) after %llu bytes", e,
				 (unsigned long long)(in->produced + want - in->bz.avail_out));
			break;
		}
	}
	return want - in->bz.avail_out;
}

size_t mrt_input_read(struct mrt_input *in, uint8_t *buf, size_t n)
{
	if (in->eof || n == 0)
		return 0;
	size_t got = in->kind == MRT_IN_BZIP2 ? bz_read(in, buf, n) : gz_read(in, buf, n);
	in->produced += got;
	return got;
}

void mrt_input_close(struct mrt_input *in)
{
	if (in->bz_live)
		BZ2_bzDecompressEnd(&in->bz);
	if (in->kind == MRT_IN_BZIP2 && in->fd >= 0)
		close(in->fd);
	free(in->raw);
	if (in->gz)
		gzclose(in->gz);
	memset(in, 0, sizeof(*in));
	in->fd = -1;
}
