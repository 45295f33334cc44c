/* bench_wire.c: UPDATE parsing throughput of the codec on real and on well-packed IPv4
 * unicast UPDATEs, beside baselines that only walk the same bytes.
 *
 * Data: the IPv4 unicast UPDATEs of bgpdump/updates.et-header.2015.gz (one PCH session,
 * a full table of 577,706 prefixes in ~89,700 UPDATEs: ~6.4 prefixes per message, as a
 * real peer sends them), loaded once into memory. The synthetic set packs ~1,000 /24s per
 * 4,096-octet UPDATE behind one shared attribute set: the shape routex's own export side
 * (and a route server's full-table feed) produces, and the one the 50 Mprefix/s goal is for.
 * One benchmark iteration is one pass over a whole set; items are prefixes (announced and
 * withdrawn). Figures and the machine they came from: docs/wire-bench.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <routex/wire.h>

#include "rxbench.h"

#define DATA_FILE RX_DATA_DIR "/mrt/bgpdump/updates.et-header.2015.gz"
#define MRT_BGP4MP_ET 17
#define MAX_PREFIXES 8192 /* per message: 4096 octets hold at most ~4,070 /0s */

/* A set of UPDATE bodies (no 19-octet header) back to back, with their offsets. */
struct msgset {
	uint8_t *buf;
	size_t len, cap;
	size_t *off; /* n + 1 entries */
	size_t n, ncap;
	uint64_t prefixes;
	struct wire_ctx ctx;
};

static struct msgset real_set, packed_set;
static struct wire_scratch *scratch;
static struct rx_prefix *pfx_out;

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p) {
		perror("bench_wire");
		exit(1);
	}
	return p;
}

static void set_add(struct msgset *s, const uint8_t *body, size_t len)
{
	if (s->len + len > s->cap) {
		s->cap = (s->cap + len) * 2;
		s->buf = xrealloc(s->buf, s->cap);
	}
	if (s->n + 2 > s->ncap) {
		s->ncap = s->ncap ? s->ncap * 2 : 1024;
		s->off = xrealloc(s->off, s->ncap * sizeof(*s->off));
	}
	if (s->n == 0)
		s->off[0] = 0;
	memcpy(s->buf + s->len, body, len);
	s->len += len;
	s->off[++s->n] = s->len;
}

static uint8_t *gz_read_all(const char *path, size_t *len)
{
	gzFile f = gzopen(path, "rb");
	size_t cap = 1 << 24, n = 0;
	uint8_t *buf;
	int r;

	if (!f)
		return NULL;
	buf = xrealloc(NULL, cap);
	while ((r = gzread(f, buf + n, (unsigned)(cap - n))) > 0) {
		n += (size_t)r;
		if (n == cap)
			buf = xrealloc(buf, cap *= 2);
	}
	gzclose(f);
	*len = n;
	return buf;
}

/* Keeps an UPDATE when it parses cleanly and carries only classic IPv4 unicast fields. */
static void keep_if_ipv4(struct msgset *s, const uint8_t *msg, size_t len)
{
	static struct wire_update u;
	struct wire_error err;
	uint8_t type;

	if (len < WIRE_HEADER_LEN ||
	    wire_header_check(msg, len, WIRE_MAX_LEN, &type, &err) != len || type != WIRE_UPDATE)
		return;
	scratch->used = 0;
	if (wire_update_parse(msg + 19, len - 19, &s->ctx, &u, scratch) != WIRE_OK ||
	    u.has_mp_reach || u.has_mp_unreach)
		return;
	set_add(s, msg + 19, len - 19);
	s->prefixes += u.nlri.count + u.withdrawn.count;
}

/* BGP4MP_ET (RFC 6396 3): common header timestamp(4) type(2) subtype(2) length(4), then
 * microseconds(4, counted in length); MESSAGE_AS4 (4): peer AS(4) local AS(4) ifindex(2)
 * AFI(2) peer IP, local IP (4 or 16 by AFI), BGP message. */
static int load_real(struct msgset *s)
{
	size_t len, off = 0;
	uint8_t *d = gz_read_all(DATA_FILE, &len);

	if (!d)
		return -1;
	s->ctx = (struct wire_ctx){.as4 = true};
	while (off + 12 <= len) {
		uint16_t type = wire_get16(d + off + 4), sub = wire_get16(d + off + 6);
		size_t rlen = wire_get32(d + off + 8);
		const uint8_t *r = d + off + 12;
		off += 12 + rlen;
		if (off > len)
			break;
		if (type != MRT_BGP4MP_ET || (sub != 4 && sub != 1) || rlen < 4)
			continue;
		r += 4; /* microseconds */
		size_t asl = sub == 4 ? 4 : 2, hdr = 2 * asl + 4;
		if (rlen - 4 < hdr)
			continue;
		size_t ipl = wire_get16(r + 2 * asl + 2) == 1 ? 4 : 16;
		hdr += 2 * ipl;
		if (rlen - 4 < hdr)
			continue;
		s->ctx.as4 = sub == 4;
		/* The PCH session is iBGP (AS3856 both sides): LOCAL_PREF is legitimate. */
		s->ctx.ebgp = sub == 4 ? wire_get32(r) != wire_get32(r + 4)
				       : wire_get16(r) != wire_get16(r + 2);
		keep_if_ipv4(s, r + hdr, rlen - 4 - hdr);
	}
	free(d);
	return s->n ? 0 : -1;
}

/* ~1,000 /24s per 4,096-octet UPDATE behind one attribute set (ORIGIN, a 3-AS path,
 * NEXT_HOP, MED, one community), written byte by byte. 1,000 messages: ~1 M prefixes. */
static void build_packed(struct msgset *s)
{
	static const uint8_t attrs[] = {
		0x40, 0x01, 0x01, 0x00,                                     /* ORIGIN IGP */
		0x40, 0x02, 0x0e, 0x02, 0x03, 0x00, 0x00, 0xfd, 0xe9, 0x00, /* AS_PATH */
		0x00, 0x0d, 0x1c, 0x00, 0x00, 0x00, 0x64,                   /* 65001 3356 100 */
		0x40, 0x03, 0x04, 0xc0, 0x00, 0x02, 0x01,                   /* NEXT_HOP */
		0x80, 0x04, 0x04, 0x00, 0x00, 0x00, 0x00,                   /* MED 0 */
		0xc0, 0x08, 0x04, 0xfd, 0xe9, 0x00, 0x01,                   /* COMMUNITIES */
	};
	static uint8_t body[WIRE_MAX_LEN];
	uint32_t next = 0;

	s->ctx = (struct wire_ctx){.as4 = true, .ebgp = true};
	for (int m = 0; m < 1000; m++) {
		size_t n = 0;
		wire_put16(body, 0);
		wire_put16(body + 2, sizeof(attrs));
		memcpy(body + 4, attrs, sizeof(attrs));
		n = 4 + sizeof(attrs);
		while (n + 4 <= WIRE_MAX_LEN - WIRE_HEADER_LEN) {
			uint32_t a = 0x01000000u + (next++ << 8); /* 1.0.0.0/24 upwards */
			body[n] = 24;
			body[n + 1] = (uint8_t)(a >> 24);
			body[n + 2] = (uint8_t)(a >> 16);
			body[n + 3] = (uint8_t)(a >> 8);
			n += 4;
			s->prefixes++;
		}
		set_add(s, body, n);
	}
}

static void report(struct rxb_state *st, const struct msgset *s)
{
	int64_t it = rxb_iterations(st);

	rxb_set_items(st, it * (int64_t)s->prefixes);
	rxb_set_bytes(st, it * (int64_t)(s->len + s->n * WIRE_HEADER_LEN));
	rxb_counter(st, "bytes_per_prefix", (double)(s->len + s->n * WIRE_HEADER_LEN) /
						    (double)s->prefixes, false);
	rxb_counter(st, "msgs", (double)s->n, false);
}

/* Baseline: read every octet once (a sum), the least any parser must do. */
static void bm_baseline_sum(struct rxb_state *st, void *arg)
{
	const struct msgset *s = arg;

	if (!s->n)
		return rxb_skip(st, "no data");
	while (rxb_keep_running(st)) {
		uint64_t sum = 0;
		for (size_t i = 0; i < s->len; i++)
			sum += s->buf[i];
		rxb_do_not_optimize(&sum);
	}
	report(st, s);
}

/* Baseline: hop from NLRI length octet to length octet, counting prefixes, with no checks
 * at all: the cost of merely locating every prefix. */
static void bm_baseline_hop(struct rxb_state *st, void *arg)
{
	const struct msgset *s = arg;

	if (!s->n)
		return rxb_skip(st, "no data");
	while (rxb_keep_running(st)) {
		uint64_t count = 0;
		for (size_t m = 0; m < s->n; m++) {
			const uint8_t *b = s->buf + s->off[m], *end = s->buf + s->off[m + 1];
			const uint8_t *p = b + 4 + wire_get16(b) + wire_get16(b + 2 + wire_get16(b));
			for (; p < end; count++)
				p += 1 + (*p + 7) / 8;
		}
		rxb_do_not_optimize(&count);
	}
	report(st, s);
}

static size_t parse_one(const struct msgset *s, size_t m, struct wire_update *u)
{
	const uint8_t *b = s->buf + s->off[m];

	scratch->used = 0;
	if (wire_update_parse(b, s->off[m + 1] - s->off[m], &s->ctx, u, scratch) != WIRE_OK)
		return 0;
	return wire_nlri_decode(&u->withdrawn, pfx_out, NULL, MAX_PREFIXES) +
	       wire_nlri_decode(&u->nlri, pfx_out, NULL, MAX_PREFIXES);
}

/* wire_update_parse (full RFC 7606 validation, attribute decoding) plus decoding every
 * withdrawn and announced prefix into struct rx_prefix. */
static void bm_parse_decode(struct rxb_state *st, void *arg)
{
	const struct msgset *s = arg;
	static struct wire_update u;

	if (!s->n)
		return rxb_skip(st, "no data");
	while (rxb_keep_running(st)) {
		uint64_t count = 0;
		for (size_t m = 0; m < s->n; m++)
			count += parse_one(s, m, &u);
		if (count != s->prefixes)
			return rxb_skip(st, "prefix count differs from the load-time parse");
		rxb_do_not_optimize(&count);
	}
	report(st, s);
}

/* wire_update_parse alone (the NLRI are validated and counted, not decoded). */
static void bm_parse_only(struct rxb_state *st, void *arg)
{
	const struct msgset *s = arg;
	static struct wire_update u;

	if (!s->n)
		return rxb_skip(st, "no data");
	while (rxb_keep_running(st)) {
		uint64_t count = 0;
		for (size_t m = 0; m < s->n; m++) {
			const uint8_t *b = s->buf + s->off[m];
			scratch->used = 0;
			wire_update_parse(b, s->off[m + 1] - s->off[m], &s->ctx, &u, scratch);
			count += u.nlri.count + u.withdrawn.count;
		}
		rxb_do_not_optimize(&count);
	}
	report(st, s);
}

int main(int argc, char **argv)
{
	scratch = xrealloc(NULL, sizeof(*scratch));
	pfx_out = xrealloc(NULL, MAX_PREFIXES * sizeof(*pfx_out));
	if (load_real(&real_set) < 0)
		fprintf(stderr, "bench_wire: cannot load %s: real-data benchmarks skip\n",
			DATA_FILE);
	build_packed(&packed_set);
	fprintf(stderr, "bench_wire: real: %zu UPDATEs, %llu prefixes, %zu octets; packed: %zu "
			"UPDATEs, %llu prefixes\n",
		real_set.n, (unsigned long long)real_set.prefixes, real_set.len, packed_set.n,
		(unsigned long long)packed_set.prefixes);

	rxb_register("real/baseline_sum", bm_baseline_sum, &real_set, NULL, 0, 0);
	rxb_register("real/baseline_hop", bm_baseline_hop, &real_set, NULL, 0, 0);
	rxb_register("real/parse_only", bm_parse_only, &real_set, NULL, 0, 0);
	rxb_register("real/parse_decode", bm_parse_decode, &real_set, NULL, 0, 0);
	rxb_register("packed/baseline_sum", bm_baseline_sum, &packed_set, NULL, 0, 0);
	rxb_register("packed/baseline_hop", bm_baseline_hop, &packed_set, NULL, 0, 0);
	rxb_register("packed/parse_only", bm_parse_only, &packed_set, NULL, 0, 0);
	rxb_register("packed/parse_decode", bm_parse_decode, &packed_set, NULL, 0, 0);
	return rxb_main(argc, argv);
}
