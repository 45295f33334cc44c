/* test_frame.c: MRT record framing, record decoding and decompression.
 *
 * Byte-level vectors for each record type the reader decodes, truncated and oversized
 * records, unknown types skipped, the short TABLE_DUMP length of the early multi-entry RIS
 * dumps, and gzip / bzip2 input (whole, cut short, and concatenated bzip2 streams). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bzlib.h>
#include <zlib.h>

#include "mtest.h"

/* A BGP4MP_STATE_CHANGE (AS 65001 -> 65000, IPv4) numbered n in its timestamp. */
static void state_record(struct mt_buf *m, uint32_t n)
{
	mt_header(m, 1000000000u + n, MRT_BGP4MP, MRT_BGP4MP_STATE_CHANGE, 20);
	mt_hex(m, "fde9 fde8 0000 0001 0a000001 0a000002");
	mt_u16(m, (uint16_t)(n % 6 + 1));
	mt_u16(m, (uint16_t)(n % 5 + 1));
}

static void test_header_fields(void **state)
{
	struct mt_buf b = {0};
	/* BGP4MP_ET STATE_CHANGE_AS4: microseconds, then the body. */
	mt_header(&b, 1445565678, MRT_BGP4MP_ET, MRT_BGP4MP_STATE_CHANGE_AS4, 28);
	mt_hex(&b, "0007c4b1  00000f10 0000fde8 0000 0001 cedce737 cedce701 0001 0002");
	mt_header(&b, 7, 99, 3, 3); /* unknown type */
	mt_hex(&b, "aabbcc");
	struct mrt_reader *r = mrt_open_mem(b.b, b.n);
	struct mrt_record rec;
	assert_int_equal(mrt_next(r, &rec), MRT_OK);
	assert_int_equal(rec.time, 1445565678);
	assert_int_equal(rec.usec, 509105);
	assert_int_equal(rec.type, MRT_BGP4MP_ET);
	assert_int_equal(rec.subtype, MRT_BGP4MP_STATE_CHANGE_AS4);
	assert_int_equal(rec.len, 24);
	assert_int_equal(rec.offset, 0);
	assert_memory_equal(rec.body, "\x00\x00\x0f\x10", 4);
	struct mrt_message m;
	struct mrt_state_change s;
	assert_int_equal(mrt_bgp4mp_decode(&rec, &m, &s), 2);
	assert_int_equal(s.peer.asn, 3856);
	assert_int_equal(s.local.asn, 65000);
	assert_int_equal(s.peer.afi, RX_AFI_IPV4);
	assert_memory_equal(s.peer.addr, "\xce\xdc\xe7\x37", 4);
	assert_int_equal(s.old_state, 1);
	assert_int_equal(s.new_state, 2);
	assert_int_equal(mrt_next(r, &rec), MRT_OK);
	assert_int_equal(rec.type, 99);
	assert_int_equal(rec.offset, 40);
	assert_int_equal(rec.len, 3);
	assert_int_equal(mrt_next(r, &rec), MRT_END);
	assert_int_equal(mrt_next(r, &rec), MRT_END); /* sticky */
	assert_int_equal(mrt_reader_stats(r)->records, 2);
	assert_string_equal(mrt_error(r), "");
	mrt_close(r);
	mt_free(&b);
}

struct counts {
	unsigned states, messages, updates;
	uint32_t last_new;
};

static int count_state(void *arg, const struct mrt_state_change *s)
{
	struct counts *c = arg;
	c->states++;
	c->last_new = s->new_state;
	return 0;
}

static int count_message(void *arg, const struct mrt_message *m)
{
	struct counts *c = arg;
	c->messages++;
	c->updates += m->msg_type == WIRE_UPDATE;
	return 0;
}

static void test_unknown_skipped(void **state)
{
	struct mt_buf b = {0};
	state_record(&b, 0);
	mt_header(&b, 0, 48, 1, 5); /* ISIS: not decoded */
	mt_hex(&b, "0102030405");
	mt_header(&b, 0, MRT_TABLE_DUMP_V2, 13, 2); /* unknown subtype */
	mt_hex(&b, "0000");
	mt_header(&b, 0, MRT_BGP4MP, 3, 0); /* obsolete BGP4MP_SNAPSHOT */
	state_record(&b, 1);
	struct counts c = {0};
	struct mrt_handler h = {.state = count_state, .arg = &c};
	struct mrt_reader *r = mrt_open_mem(b.b, b.n);
	assert_int_equal(mrt_walk(r, &h, NULL), MRT_END);
	assert_int_equal(c.states, 2);
	assert_int_equal(mrt_reader_stats(r)->records, 5);
	assert_int_equal(mrt_reader_stats(r)->skipped, 3);
	assert_int_equal(mrt_reader_stats(r)->malformed, 0);
	mrt_close(r);
	mt_free(&b);
}

static void test_truncated(void **state)
{
	struct mt_buf b = {0};
	state_record(&b, 0);
	state_record(&b, 1);
	/* Cut inside the second record's body, then inside its header. */
	size_t cuts[] = {b.n - 1, 32 + 5};
	for (size_t i = 0; i < 2; i++) {
		struct mrt_reader *r = mrt_open_mem(b.b, cuts[i]);
		struct mrt_record rec;
		assert_int_equal(mrt_next(r, &rec), MRT_OK);
		assert_int_equal(mrt_next(r, &rec), MRT_TRUNCATED);
		assert_non_null(strstr(mrt_error(r), "offset 32"));
		assert_int_equal(mrt_next(r, &rec), MRT_TRUNCATED);
		assert_int_equal(mrt_reader_stats(r)->records, 1);
		mrt_close(r);
	}
	/* A record declaring more than MRT_MAX_RECORD: framing cannot be followed. */
	struct mt_buf big = {0};
	mt_header(&big, 0, MRT_BGP4MP, 1, MRT_MAX_RECORD + 1);
	mt_hex(&big, "00000000");
	struct mrt_reader *r = mrt_open_mem(big.b, big.n);
	struct mrt_record rec;
	assert_int_equal(mrt_next(r, &rec), MRT_ERROR);
	assert_non_null(strstr(mrt_error(r), "corrupt framing"));
	mrt_close(r);
	mt_free(&big);
	mt_free(&b);
}

/* One TABLE_DUMP entry after the view/sequence fields (RFC 6396 4.2). */
static void td1_entry(struct mt_buf *m, uint8_t third_octet, uint16_t peer_as)
{
	mt_hex(m, "0a00");
	mt_u8(m, third_octet);
	mt_hex(m, "00 18 01 38 79 c8 b4"); /* /24, status 1, originated */
	mt_hex(m, "c0000201");		   /* peer 192.0.2.1 */
	mt_u16(m, peer_as);
	mt_hex(m, "0016 400101 00 400208 0203 0ddd 02bd 0050 400304 c0000201");
}

static void test_td1_short_length(void **state)
{
	struct mt_buf b = {0};
	/* Three entries of 18 + 22 octets after the 4-octet view/sequence: 124 octets, declared
	 * as 120, as in the RIS dumps of 2000. */
	mt_header(&b, 947550744, MRT_TABLE_DUMP, RX_AFI_IPV4, 120);
	mt_hex(&b, "0000 0000");
	td1_entry(&b, 1, 3549);
	td1_entry(&b, 2, 3549);
	td1_entry(&b, 3, 3356);
	/* A normal record after it. */
	mt_header(&b, 947550744, MRT_TABLE_DUMP, RX_AFI_IPV4, 44);
	mt_hex(&b, "0000 0001");
	td1_entry(&b, 4, 701);
	struct mrt_reader *r = mrt_open_mem(b.b, b.n);
	struct mrt_record rec;
	assert_int_equal(mrt_next(r, &rec), MRT_OK);
	assert_true(rec.td1_len_fixed);
	assert_int_equal(rec.len, 124);
	assert_int_equal(mrt_next(r, &rec), MRT_OK);
	assert_false(rec.td1_len_fixed);
	assert_int_equal(rec.offset, 136);
	assert_int_equal(mrt_next(r, &rec), MRT_END);
	mrt_close(r);

	enum mrt_status st;
	struct mrt_stats stats;
	char *got = mt_dump(b.b, b.n, &st, &stats);
	assert_int_equal(st, MRT_END);
	assert_string_equal(got, "TABLE_DUMP|947550744|B|192.0.2.1|3549|10.0.1.0/24|3549 701 "
				 "80|IGP|192.0.2.1|0|0||NAG||\n"
				 "TABLE_DUMP|947550744|B|192.0.2.1|3549|10.0.2.0/24|3549 701 "
				 "80|IGP|192.0.2.1|0|0||NAG||\n"
				 "TABLE_DUMP|947550744|B|192.0.2.1|3356|10.0.3.0/24|3549 701 "
				 "80|IGP|192.0.2.1|0|0||NAG||\n"
				 "TABLE_DUMP|947550744|B|192.0.2.1|701|10.0.4.0/24|3549 701 "
				 "80|IGP|192.0.2.1|0|0||NAG||\n");
	assert_int_equal(stats.td1_fixed, 1);
	assert_int_equal(stats.rib_entries, 4);
	free(got);
	mt_free(&b);
}

struct rib_seen {
	unsigned n;
	struct mrt_rib_entry e[4];
	struct mrt_peer peer[4];
};

static int keep_rib(void *arg, const struct mrt_rib_entry *e)
{
	struct rib_seen *s = arg;
	if (s->n < 4) {
		s->e[s->n] = *e;
		s->peer[s->n] = *e->peer;
		s->e[s->n].u = NULL; /* views end with the callback */
	}
	s->n++;
	return 0;
}

static void test_td2(void **state)
{
	struct mt_buf b = {0};
	/* PEER_INDEX_TABLE: collector 1.2.3.4, view "v1", peers: IPv4 with 2-octet AS,
	 * IPv6 with 4-octet AS. */
	mt_header(&b, 1452169448, MRT_TABLE_DUMP_V2, MRT_PEER_INDEX_TABLE, 46);
	mt_hex(&b, "01020304 0002 7631 0002");
	mt_hex(&b, "00 0a000f01 0a000f01 fdf7");
	mt_hex(&b, "03 0a001101 20010db8001600000000000000000002 fa56ea00");
	/* RIB_IPV6_UNICAST_ADDPATH: 2001:db8:28::/48, two paths from peer 1. */
	mt_header(&b, 1452169448, MRT_TABLE_DUMP_V2, MRT_RIB_IPV6_UNICAST_ADDPATH, 57);
	mt_hex(&b, "00000007 30 20010db80028 0002");
	mt_hex(&b, "0001 56900575 0000003b 0007 400101 00 400200");
	mt_hex(&b, "0001 56900577 0000003d 000d 400101 02 400206 0201fa56ea00");
	/* RIB_IPV4_MULTICAST and RIB_GENERIC (AFI 1 SAFI 2): decoded for library users. */
	mt_header(&b, 1452169448, MRT_TABLE_DUMP_V2, MRT_RIB_IPV4_MULTICAST, 16);
	mt_hex(&b, "00000008 08 0a 0001 0000 00000001 0000");
	mt_header(&b, 1452169448, MRT_TABLE_DUMP_V2, MRT_RIB_GENERIC, 20);
	mt_hex(&b, "00000009 0001 02 10 0a01 0001 0000 00000001 0000");
	struct rib_seen seen = {0};
	struct mrt_handler h = {.rib_entry = keep_rib, .arg = &seen};
	struct mrt_reader *r = mrt_open_mem(b.b, b.n);
	assert_int_equal(mrt_walk(r, &h, NULL), MRT_END);
	const struct mrt_peer_table *t = mrt_reader_peers(r);
	assert_int_equal(t->count, 2);
	assert_string_equal(t->view, "v1");
	assert_int_equal(t->collector_id, 0x01020304);
	assert_int_equal(t->peers[0].asn, 65015);
	assert_int_equal(t->peers[0].afi, RX_AFI_IPV4);
	assert_int_equal(t->peers[1].asn, 4200000000u);
	assert_int_equal(t->peers[1].afi, RX_AFI_IPV6);
	assert_int_equal(t->peers[1].bgp_id, 0x0a001101);
	assert_int_equal(seen.n, 4);
	assert_true(seen.e[0].has_path_id);
	assert_int_equal(seen.e[0].path_id, 59);
	assert_int_equal(seen.e[1].path_id, 61);
	assert_int_equal(seen.e[1].originated, 0x56900577);
	assert_int_equal(seen.e[0].seq, 7);
	assert_int_equal(seen.e[0].prefix.len, 48);
	assert_int_equal(seen.e[0].afi, RX_AFI_IPV6);
	assert_int_equal(seen.e[1].index, 1);
	assert_int_equal(seen.e[1].count, 2);
	assert_int_equal(seen.peer[1].asn, 4200000000u);
	assert_int_equal(seen.e[2].safi, RX_SAFI_MULTICAST);
	assert_int_equal(seen.e[2].afi, RX_AFI_IPV4);
	assert_int_equal(seen.e[3].afi, RX_AFI_IPV4);
	assert_int_equal(seen.e[3].safi, RX_SAFI_MULTICAST);
	assert_int_equal(seen.e[3].prefix.len, 16);
	assert_int_equal(mrt_reader_stats(r)->malformed, 0);
	mrt_close(r);

	/* The printer shows the unicast ADD-PATH entries only, the second path's AS_PATH in
	 * 4-octet form, and 255.255.255.255 where no next hop was recorded. */
	char *got = mt_dump(b.b, b.n, NULL, NULL);
	assert_string_equal(
	    got, "TABLE_DUMP2_AP|1452169448|B|2001:db8:16::2|4200000000|"
		 "2001:db8:28::/48|59||IGP|255.255.255.255|0|0||NAG||\n"
		 "TABLE_DUMP2_AP|1452169448|B|2001:db8:16::2|4200000000|"
		 "2001:db8:28::/48|61|4200000000|INCOMPLETE|255.255.255.255|0|0||NAG||\n");
	free(got);
	mt_free(&b);
}

/* Subtype flags of BGP4MP message records and the type 5 layout. */
static void test_bgp4mp_subtypes(void **state)
{
	static const struct {
		uint16_t subtype;
		bool as4, local, addpath;
	} v[] = {
	    {MRT_BGP4MP_MESSAGE, false, false, false},
	    {MRT_BGP4MP_MESSAGE_AS4, true, false, false},
	    {MRT_BGP4MP_MESSAGE_LOCAL, false, true, false},
	    {MRT_BGP4MP_MESSAGE_AS4_LOCAL, true, true, false},
	    {MRT_BGP4MP_MESSAGE_ADDPATH, false, false, true},
	    {MRT_BGP4MP_MESSAGE_AS4_ADDPATH, true, false, true},
	    {MRT_BGP4MP_MESSAGE_LOCAL_ADDPATH, false, true, true},
	    {MRT_BGP4MP_MESSAGE_AS4_LOCAL_ADDPATH, true, true, true},
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct mt_buf b = {0};
		size_t as = v[i].as4 ? 4 : 2;
		mt_header(&b, 1, MRT_BGP4MP, v[i].subtype, (uint32_t)(2 * as + 12 + 19));
		if (v[i].as4)
			mt_hex(&b, "0000fde9 0000fde8");
		else
			mt_hex(&b, "fde9 fde8");
		mt_hex(&b, "0005 0001 0a000001 0a000002");
		mt_hex(&b, "ffffffffffffffffffffffffffffffff 0013 04"); /* KEEPALIVE */
		struct mrt_reader *r = mrt_open_mem(b.b, b.n);
		struct mrt_record rec;
		struct mrt_message m;
		struct mrt_state_change s;
		assert_int_equal(mrt_next(r, &rec), MRT_OK);
		assert_int_equal(mrt_bgp4mp_decode(&rec, &m, &s), 1);
		assert_int_equal(m.as4, v[i].as4);
		assert_int_equal(m.is_local, v[i].local);
		assert_int_equal(m.addpath, v[i].addpath);
		assert_int_equal(m.msg_type, WIRE_KEEPALIVE);
		assert_int_equal(m.body_len, 0);
		assert_int_equal(m.peer.asn, 65001);
		assert_int_equal(m.local.asn, 65000);
		assert_int_equal(m.ifindex, 5);
		mrt_close(r);
		mt_free(&b);
	}
	/* A message whose BGP length overruns the record is malformed, not read past. */
	struct mt_buf b = {0};
	mt_header(&b, 1, MRT_BGP4MP, MRT_BGP4MP_MESSAGE, 35);
	mt_hex(&b,
	       "fde9 fde8 0000 0001 0a000001 0a000002 ffffffffffffffffffffffffffffffff 0014 04");
	struct counts c = {0};
	struct mrt_handler h = {.message = count_message, .arg = &c};
	struct mrt_reader *r = mrt_open_mem(b.b, b.n);
	assert_int_equal(mrt_walk(r, &h, NULL), MRT_END);
	assert_int_equal(c.messages, 0);
	assert_int_equal(mrt_reader_stats(r)->malformed, 1);
	mrt_close(r);
	mt_free(&b);
	/* Type 5 UPDATE: peer AS, peer, local AS, local, then the UPDATE body (no header). */
	mt_header(&b, 945188493, MRT_BGP, MRT_BGP_UPDATE, 32);
	mt_hex(&b, "0ddd cefb0055 316e c1000001 0010 15ca18f0 15ca3078 18caec21 15caf208 0000");
	memset(&c, 0, sizeof(c));
	r = mrt_open_mem(b.b, b.n);
	assert_int_equal(mrt_walk(r, &h, NULL), MRT_END);
	assert_int_equal(c.updates, 1);
	mrt_close(r);
	char *got = mt_dump(b.b, b.n, NULL, NULL);
	/* bgpdump prints the peer's address in place of each withdrawn prefix. */
	assert_string_equal(got, "BGP|945188493|W|206.251.0.85|3549|206.251.0.85/21\n"
				 "BGP|945188493|W|206.251.0.85|3549|206.251.0.85/21\n"
				 "BGP|945188493|W|206.251.0.85|3549|206.251.0.85/24\n"
				 "BGP|945188493|W|206.251.0.85|3549|206.251.0.85/21\n");
	free(got);
	mt_free(&b);
}

/* ---- Files: plain, gzip, bzip2 ---- */

static void make_records(struct mt_buf *b, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		state_record(b, i);
}

static char *write_temp(const void *data, size_t len)
{
	char *path = strdup("/tmp/rx-mrt-test-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	return path;
}

/* Reads a file with mrt_next; returns the status, counting records and checking they are
 * state_record(i % period) in order. */
static enum mrt_status read_file(const char *path, unsigned *records, const char *want_kind,
				 unsigned period)
{
	char err[256];
	struct mrt_reader *r = mrt_open(path, err, sizeof(err));
	assert_non_null(r);
	if (want_kind)
		assert_string_equal(mrt_compression(r), want_kind);
	struct mrt_record rec;
	enum mrt_status st;
	unsigned n = 0;
	while ((st = mrt_next(r, &rec)) == MRT_OK) {
		assert_int_equal(rec.time, 1000000000u + n % period);
		assert_int_equal(rec.len, 20);
		n++;
	}
	if (st == MRT_TRUNCATED)
		assert_true(strlen(mrt_error(r)) > 0);
	*records = n;
	mrt_close(r);
	return st;
}

static char *gzip_file(const struct mt_buf *b)
{
	char *path = write_temp("", 0);
	gzFile gz = gzopen(path, "wb");
	assert_non_null(gz);
	assert_int_equal(gzwrite(gz, b->b, (unsigned)b->n), (int)b->n);
	gzclose(gz);
	return path;
}

static void bzip2_buf(const struct mt_buf *in, struct mt_buf *out, int block100k)
{
	unsigned len = (unsigned)(in->n + in->n / 50 + 1024);
	char *tmp = malloc(len);
	assert_int_equal(
	    BZ2_bzBuffToBuffCompress(tmp, &len, (char *)in->b, (unsigned)in->n, block100k, 0, 0),
	    BZ_OK);
	mt_put(out, tmp, len);
	free(tmp);
}

static void test_files(void **state)
{
	enum { N = 20000 }; /* 640,000 bytes: several 100k bzip2 blocks */
	struct mt_buf b = {0};
	make_records(&b, N);
	unsigned n;

	char *plain = write_temp(b.b, b.n);
	assert_int_equal(read_file(plain, &n, "none", N), MRT_END);
	assert_int_equal(n, N);

	char *gz = gzip_file(&b);
	assert_int_equal(read_file(gz, &n, "gzip", N), MRT_END);
	assert_int_equal(n, N);

	struct mt_buf z = {0};
	bzip2_buf(&b, &z, 1);
	char *bz = write_temp(z.b, z.n);
	assert_int_equal(read_file(bz, &n, "bzip2", N), MRT_END);
	assert_int_equal(n, N);

	/* Two bzip2 streams back to back (pbzip2) read as one; trailing junk after the last
	 * stream is ignored, as bzip2 ignores it. */
	struct mt_buf two = {0};
	mt_put(&two, z.b, z.n);
	mt_put(&two, z.b, z.n);
	mt_hex(&two, "00 00 00");
	char *bz2x = write_temp(two.b, two.n);
	assert_int_equal(read_file(bz2x, &n, "bzip2", N), MRT_END);
	assert_int_equal(n, 2 * N);

	char err[128];
	assert_null(mrt_open("/nonexistent/x.mrt", err, sizeof(err)));
	assert_non_null(strstr(err, "No such file"));

	unlink(plain);
	unlink(gz);
	unlink(bz);
	unlink(bz2x);
	free(plain);
	free(gz);
	free(bz);
	free(bz2x);
	mt_free(&two);
	mt_free(&z);
	mt_free(&b);
}

/* Decompressed bytes a cut bzip2 stream yields, by plain BZ2_bzDecompress. */
static size_t bzip2_yield(const uint8_t *data, size_t len, size_t cap)
{
	bz_stream s;
	memset(&s, 0, sizeof(s));
	assert_int_equal(BZ2_bzDecompressInit(&s, 0, 0), BZ_OK);
	char *out = malloc(cap);
	s.next_in = (char *)data;
	s.avail_in = (unsigned)len;
	s.next_out = out;
	s.avail_out = (unsigned)cap;
	while (BZ2_bzDecompress(&s) == BZ_OK && s.avail_in > 0)
		;
	size_t got = cap - s.avail_out;
	BZ2_bzDecompressEnd(&s);
	free(out);
	return got;
}

/* A cut compressed file: every complete record before the cut, then MRT_TRUNCATED. */
static void test_cut_files(void **state)
{
	enum { N = 20000 };
	struct mt_buf b = {0};
	make_records(&b, N);
	unsigned n;

	struct mt_buf z = {0};
	bzip2_buf(&b, &z, 1);
	size_t cut = z.n * 6 / 10;
	char *bz = write_temp(z.b, cut);
	size_t yield = bzip2_yield(z.b, cut, b.n);
	assert_true(yield > 0 && yield < b.n);
	assert_int_equal(read_file(bz, &n, "bzip2", N), MRT_TRUNCATED);
	assert_int_equal(n, yield / 32); /* nothing lost beyond the partial record */

	char *gz = gzip_file(&b);
	FILE *f = fopen(gz, "rb");
	uint8_t *gzdata = malloc(b.n + 1024);
	size_t gzlen = fread(gzdata, 1, b.n + 1024, f);
	fclose(f);
	char *gzcut = write_temp(gzdata, gzlen / 2);
	assert_int_equal(read_file(gzcut, &n, "gzip", N), MRT_TRUNCATED);
	assert_true(n > 0 && n < N);

	/* A plain file that ends inside a record. */
	char *plain = write_temp(b.b, b.n - 7);
	assert_int_equal(read_file(plain, &n, "none", N), MRT_TRUNCATED);
	assert_int_equal(n, N - 1);

	unlink(bz);
	unlink(gz);
	unlink(gzcut);
	unlink(plain);
	free(bz);
	free(gz);
	free(gzcut);
	free(plain);
	free(gzdata);
	mt_free(&z);
	mt_free(&b);
}

/* A record larger than the reader's initial buffer (1 MiB) grows it. */
static void test_big_record(void **state)
{
	struct mt_buf b = {0};
	uint32_t len = 3u << 20;
	mt_header(&b, 1, 99, 0, len);
	uint8_t *zero = calloc(1, len);
	mt_put(&b, zero, len);
	free(zero);
	state_record(&b, 0);
	char *path = write_temp(b.b, b.n);
	char err[128];
	struct mrt_reader *r = mrt_open(path, err, sizeof(err));
	struct mrt_record rec;
	assert_int_equal(mrt_next(r, &rec), MRT_OK);
	assert_int_equal(rec.len, len);
	assert_int_equal(mrt_next(r, &rec), MRT_OK);
	assert_int_equal(rec.type, MRT_BGP4MP);
	assert_int_equal(rec.offset, 12 + (uint64_t)len);
	assert_int_equal(mrt_next(r, &rec), MRT_END);
	mrt_close(r);
	unlink(path);
	free(path);
	mt_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_header_fields), cmocka_unit_test(test_unknown_skipped),
	    cmocka_unit_test(test_truncated),	  cmocka_unit_test(test_td1_short_length),
	    cmocka_unit_test(test_td2),		  cmocka_unit_test(test_bgp4mp_subtypes),
	    cmocka_unit_test(test_files),	  cmocka_unit_test(test_cut_files),
	    cmocka_unit_test(test_big_record),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
