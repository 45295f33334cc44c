/* test_write.c: the TABLE_DUMP_V2 writer (src/mrt/writer.c).
 *
 * Covered: the exact bytes of a small dump (peer table with an IPv4 and an IPv6 peer,
 * one RIB_IPV4_UNICAST and one RIB_IPV6_UNICAST_ADDPATH record), worked out by hand from
 * RFC 6396 4.3 and RFC 8050 4, and what the bgpdump printer makes of them; a round trip
 * of several thousand routes (both families, ADD-PATH ids, communities, large
 * communities, AS paths of up to 600 ASes, 4-octet ASes) through the project's own reader,
 * entry for entry; the file appears only at commit (PATH.tmp before, replaced atomically,
 * removed on abort); clear errors for a missing directory, a directory as PATH and an
 * unwritable place; entries the format cannot hold are skipped and counted. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <routex/mrt.h>
#include <routex/wire.h>

#include "mtest.h"

#define T0 1600000000u

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/rx-test-mrtw-XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *b = malloc((size_t)n + 1);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return b;
}

static bool exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

static struct rx_prefix pfx(const char *s)
{
	struct rx_prefix p;
	assert_true(rx_prefix_parse(s, &p, false));
	return p;
}

static const struct mrt_peer hand_peers[2] = {
    {.afi = RX_AFI_IPV4, .asn = 65515, .bgp_id = 0x0AFF0001},
    {.afi = RX_AFI_IPV6,
     .addr = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
     .asn = 4200000000u,
     .bgp_id = 0x0A000002},
};

/* The small dump, written by the writer with attributes from the codec's encoder. */
static void write_hand_dump(const char *path)
{
	char err[256];
	struct mrt_writer *w = mrt_writer_open(path, T0, err, sizeof(err));
	assert_non_null(w);
	assert_true(mrt_writer_peer_table(w, 0x0AFF0001, "routex", hand_peers, 2));

	uint8_t path4[] = {WIRE_AS_SEQUENCE, 2, 0, 0, 0xfd, 0xe9, 0xfa, 0x56, 0xea, 0x00};
	uint8_t comm[] = {0xfd, 0xe9, 0x00, 0x64};
	struct wire_attrs a = {
	    .present = WIRE_ATTR_BIT(WIRE_ATTR_ORIGIN) | WIRE_ATTR_BIT(WIRE_ATTR_AS_PATH) |
		       WIRE_ATTR_BIT(WIRE_ATTR_NEXT_HOP) | WIRE_ATTR_BIT(WIRE_ATTR_COMMUNITIES),
	    .origin = WIRE_ORIGIN_IGP,
	    .aspath = path4,
	    .aspath_len = sizeof(path4),
	    .nexthop = {192, 0, 2, 1},
	    .communities = comm,
	    .communities_len = sizeof(comm),
	};
	struct wire_ctx ctx = {.as4 = true};
	uint8_t buf[256];
	size_t n = wire_attrs_encode(&a, &ctx, buf, sizeof(buf));
	assert_int_equal(n, 31);
	struct rx_prefix p4 = pfx("10.1.0.0/16");
	mrt_writer_rib_begin(w, &p4, false);
	assert_true(mrt_writer_rib_entry(w, 1, T0, 0, NULL, 0, buf, n));
	assert_true(mrt_writer_rib_end(w));

	struct wire_attrs b = {
	    .present = WIRE_ATTR_BIT(WIRE_ATTR_ORIGIN) | WIRE_ATTR_BIT(WIRE_ATTR_AS_PATH),
	    .origin = WIRE_ORIGIN_IGP,
	};
	n = wire_attrs_encode(&b, &ctx, buf, sizeof(buf));
	assert_int_equal(n, 7);
	struct rx_prefix p6 = pfx("2001:db8:1::/48");
	mrt_writer_rib_begin(w, &p6, true);
	assert_true(mrt_writer_rib_entry(w, 1, T0, 7, hand_peers[1].addr, 16, buf, n));
	assert_true(mrt_writer_rib_end(w));
	const struct mrt_write_stats *st = mrt_writer_stats(w);
	assert_int_equal(st->records, 3);
	assert_int_equal(st->prefixes, 2);
	assert_int_equal(st->entries, 2);
	assert_int_equal(st->skipped, 0);
	assert_true(mrt_writer_commit(w, err, sizeof(err)));
}

static void test_bytes(void **state)
{
	(void)state;
	char path[128];
	snprintf(path, sizeof(path), "%s/hand.mrt", dir);
	write_hand_dump(path);
	struct mt_buf want = {0};
	/* PEER_INDEX_TABLE: header, collector id, view "routex", 2 peers. */
	mt_hex(&want, "5f5e1000 000d 0001 00000034"
		      "0aff0001 0006 726f75746578 0002"
		      "02 0aff0001 00000000 0000ffeb"
		      "03 0a000002 20010db8000000000000000000000001 fa56ea00");
	/* RIB_IPV4_UNICAST: seq 0, 10.1/16, 1 entry: peer 1, originated, 31 octets of
	 * ORIGIN IGP, AS_PATH (65001 4200000000), NEXT_HOP 192.0.2.1, COMMUNITIES 65001:100. */
	mt_hex(&want, "5f5e1000 000d 0002 00000030"
		      "00000000 10 0a01 0001"
		      "0001 5f5e1000 001f"
		      "40010100 40020a 02 02 0000fde9 fa56ea00 400304 c0000201 c00804 fde90064");
	/* RIB_IPV6_UNICAST_ADDPATH: seq 1, 2001:db8:1::/48, 1 entry with path id 7 and the
	 * abbreviated MP_REACH_NLRI (next-hop length 16, next hop) before ORIGIN and AS_PATH. */
	mt_hex(&want, "5f5e1000 000d 000a 00000034"
		      "00000001 30 20010db80001 0001"
		      "0001 5f5e1000 00000007 001b"
		      "800e11 10 20010db8000000000000000000000001 40010100 400200");
	size_t len;
	uint8_t *got = slurp(path, &len);
	assert_int_equal(len, want.n);
	assert_memory_equal(got, want.b, want.n);
	/* And the project's bgpdump -m printer reads it as bgpdump 1.6.2 would. */
	enum mrt_status st;
	char *text = mt_dump(got, len, &st, NULL);
	assert_int_equal(st, MRT_END);
	assert_string_equal(
	    text,
	    "TABLE_DUMP2|1600000000|B|2001:db8::1|4200000000|10.1.0.0/16|65001 4200000000|IGP|"
	    "192.0.2.1|0|0|65001:100|NAG||\n"
	    "TABLE_DUMP2_AP|1600000000|B|2001:db8::1|4200000000|2001:db8:1::/48|7||IGP|"
	    "2001:db8::1|0|0||NAG||\n");
	free(text);
	free(got);
	mt_free(&want);
}

/* ---- round trip ---- */

#define RT_N 3000
#define RT_PEERS 5

struct rt_route {
	struct rx_prefix p;
	uint16_t peer;
	uint32_t path_id;
	uint32_t origin_as;
	uint16_t hops;
	uint8_t ncomm;
	bool large;
};

static void rt_routes(struct rt_route *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		memset(&r[i], 0, sizeof(r[i]));
		bool v6 = i % 3 == 2;
		r[i].p.afi = v6 ? RX_AFI_IPV6 : RX_AFI_IPV4;
		if (v6) {
			r[i].p.len = (uint8_t)(32 + i % 97);
			r[i].p.addr[0] = 0x20;
			r[i].p.addr[1] = 0x01;
			r[i].p.addr[2] = (uint8_t)(i >> 8);
			r[i].p.addr[3] = (uint8_t)i;
		} else {
			r[i].p.len = (uint8_t)(8 + i % 25);
			r[i].p.addr[0] = (uint8_t)(1 + i % 223);
			r[i].p.addr[1] = (uint8_t)(i >> 4);
			r[i].p.addr[2] = (uint8_t)(i * 7);
			r[i].p.addr[3] = (uint8_t)(i * 13);
		}
		rx_prefix_mask(&r[i].p);
		r[i].peer = (uint16_t)(i % RT_PEERS);
		r[i].path_id = i % 4 == 1 ? (uint32_t)(i * 2654435761u) : 0;
		r[i].origin_as = i % 5 == 0 ? 4200000000u + (uint32_t)i : 64512 + (uint32_t)(i % 1000);
		r[i].hops = (uint16_t)(i % 50 == 0 ? 600 : i % 9);
		r[i].ncomm = (uint8_t)(i % 6);
		r[i].large = i % 7 == 3;
	}
}

/* Encodes the attributes of route r the way the daemon's dump does (the codec, as4). */
static size_t rt_attrs(const struct rt_route *r, uint8_t *out, size_t cap)
{
	static uint8_t path[4096], comm[64], large[12];
	size_t pl = 0;
	for (unsigned left = r->hops; left;) {
		unsigned seg = left > 255 ? 255 : left;
		path[pl++] = WIRE_AS_SEQUENCE;
		path[pl++] = (uint8_t)seg;
		for (unsigned k = 0; k < seg; k++, pl += 4)
			wire_put32(path + pl, left - k == 1 ? r->origin_as : 65000 + left - k);
		left -= seg;
	}
	for (unsigned k = 0; k < r->ncomm; k++)
		wire_put32(comm + 4 * k, (65000u + k) << 16 | (uint32_t)r->p.len);
	wire_put32(large, r->origin_as);
	wire_put32(large + 4, 1);
	wire_put32(large + 8, r->peer);
	struct wire_attrs a = {
	    .present = WIRE_ATTR_BIT(WIRE_ATTR_ORIGIN) | WIRE_ATTR_BIT(WIRE_ATTR_AS_PATH) |
		       WIRE_ATTR_BIT(WIRE_ATTR_MED),
	    .origin = (uint8_t)(r->hops % 3),
	    .aspath = path,
	    .aspath_len = (uint16_t)pl,
	    .med = r->hops * 10u,
	};
	if (r->p.afi == RX_AFI_IPV4) {
		a.present |= WIRE_ATTR_BIT(WIRE_ATTR_NEXT_HOP);
		memcpy(a.nexthop, (uint8_t[]){10, 0, 0, (uint8_t)(1 + r->peer)}, 4);
	}
	if (r->ncomm) {
		a.present |= WIRE_ATTR_BIT(WIRE_ATTR_COMMUNITIES);
		a.communities = comm;
		a.communities_len = (uint16_t)(4 * r->ncomm);
	}
	if (r->large) {
		a.present |= WIRE_ATTR_BIT(WIRE_ATTR_LARGE_COMMUNITIES);
		a.large_communities = large;
		a.large_communities_len = 12;
	}
	struct wire_ctx ctx = {.as4 = true};
	return wire_attrs_encode(&a, &ctx, out, cap);
}

static void rt_nexthop6(uint16_t peer, uint8_t *nh)
{
	memset(nh, 0, 16);
	nh[0] = 0x20;
	nh[1] = 0x01;
	nh[2] = 0x0d;
	nh[3] = 0xb8;
	nh[15] = (uint8_t)(1 + peer);
}

struct rt_check {
	const struct rt_route *r;
	size_t n, next;
	size_t tables;
};

static int rt_peer_table(void *arg, const struct mrt_peer_table *t)
{
	struct rt_check *c = arg;
	c->tables++;
	assert_int_equal(t->count, RT_PEERS);
	assert_int_equal(t->collector_id, 0x0AFF0001);
	assert_string_equal(t->view, "");
	for (unsigned i = 0; i < RT_PEERS; i++) {
		assert_int_equal(t->peers[i].asn, 65000 + i * 100000u);
		assert_int_equal(t->peers[i].bgp_id, 0x0A000000u + i);
		assert_int_equal(t->peers[i].afi, i % 2 ? RX_AFI_IPV6 : RX_AFI_IPV4);
	}
	return 0;
}

static int rt_entry(void *arg, const struct mrt_rib_entry *e)
{
	struct rt_check *c = arg;
	assert_true(c->next < c->n);
	const struct rt_route *r = &c->r[c->next++];
	assert_true(rx_prefix_equal(&e->prefix, &r->p));
	assert_int_equal(e->peer_index, r->peer);
	assert_int_equal(e->seq, c->next - 1);
	assert_int_equal(e->originated, T0 - 60);
	assert_int_equal(e->has_path_id, r->path_id != 0);
	if (e->has_path_id)
		assert_int_equal(e->path_id, r->path_id);
	assert_int_equal(e->action, WIRE_OK);
	const struct wire_attrs *a = &e->u->attrs;
	uint8_t want[8192];
	size_t wl = rt_attrs(r, want, sizeof(want));
	/* Same attributes after a decode: re-encoding the decoded view gives the same bytes. */
	uint8_t again[8192];
	struct wire_ctx ctx = {.as4 = true};
	size_t al = wire_attrs_encode(a, &ctx, again, sizeof(again));
	assert_int_equal(al, wl);
	assert_memory_equal(again, want, wl);
	assert_int_equal(wire_aspath_length(a->aspath, a->aspath_len), r->hops);
	if (r->hops)
		assert_int_equal(wire_aspath_origin_as(a->aspath, a->aspath_len), r->origin_as);
	if (r->p.afi == RX_AFI_IPV6) {
		uint8_t nh[16];
		rt_nexthop6(r->peer, nh);
		assert_int_equal(e->u->mp_nexthop_len, 16);
		assert_memory_equal(e->u->mp_nexthop, nh, 16);
	} else {
		assert_int_equal(e->u->mp_nexthop_len, 0);
		assert_int_equal(a->nexthop[3], 1 + r->peer);
	}
	return 0;
}

static void test_round_trip(void **state)
{
	(void)state;
	struct rt_route *r = calloc(RT_N, sizeof(*r));
	assert_non_null(r);
	rt_routes(r, RT_N);
	char path[128], err[256];
	snprintf(path, sizeof(path), "%s/rt.mrt", dir);
	struct mrt_writer *w = mrt_writer_open(path, T0, err, sizeof(err));
	assert_non_null(w);
	struct mrt_peer peers[RT_PEERS];
	for (unsigned i = 0; i < RT_PEERS; i++) {
		memset(&peers[i], 0, sizeof(peers[i]));
		peers[i].afi = i % 2 ? RX_AFI_IPV6 : RX_AFI_IPV4;
		peers[i].addr[0] = 10;
		peers[i].addr[3] = (uint8_t)i;
		peers[i].asn = 65000 + i * 100000u;
		peers[i].bgp_id = 0x0A000000u + i;
	}
	assert_true(mrt_writer_peer_table(w, 0x0AFF0001, NULL, peers, RT_PEERS));
	/* One record per route (prefixes repeat across families only by accident, and the
	 * reader does not mind order). */
	for (size_t i = 0; i < RT_N; i++) {
		uint8_t attrs[8192], nh[16];
		size_t n = rt_attrs(&r[i], attrs, sizeof(attrs));
		assert_true(n > 0);
		bool v6 = r[i].p.afi == RX_AFI_IPV6;
		rt_nexthop6(r[i].peer, nh);
		mrt_writer_rib_begin(w, &r[i].p, r[i].path_id != 0);
		assert_true(mrt_writer_rib_entry(w, r[i].peer, T0 - 60, r[i].path_id, v6 ? nh : NULL,
						 v6 ? 16 : 0, attrs, n));
		assert_true(mrt_writer_rib_end(w));
	}
	assert_int_equal(mrt_writer_stats(w)->entries, RT_N);
	char tmp[160];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	assert_true(exists(tmp));   /* written under the temporary name ... */
	assert_false(exists(path)); /* ... and not yet visible */
	uint64_t bytes = mrt_writer_stats(w)->bytes;
	assert_true(mrt_writer_commit(w, err, sizeof(err)));
	assert_false(exists(tmp));
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal((uint64_t)st.st_size, bytes);

	struct mrt_reader *rd = mrt_open(path, err, sizeof(err));
	assert_non_null(rd);
	struct rt_check c = {.r = r, .n = RT_N};
	struct mrt_handler h = {.peer_table = rt_peer_table, .rib_entry = rt_entry, .arg = &c};
	assert_int_equal(mrt_walk(rd, &h, NULL), MRT_END);
	assert_int_equal(c.next, RT_N);
	assert_int_equal(c.tables, 1);
	assert_int_equal(mrt_reader_stats(rd)->malformed, 0);
	mrt_close(rd);
	free(r);
}

/* Several entries in one record, in the order given, and the skips. */
static void test_entries_and_skips(void **state)
{
	(void)state;
	char path[128], err[256];
	snprintf(path, sizeof(path), "%s/multi.mrt", dir);
	struct mrt_writer *w = mrt_writer_open(path, T0, err, sizeof(err));
	assert_non_null(w);
	assert_true(mrt_writer_peer_table(w, 1, "v", hand_peers, 2));
	static const uint8_t attrs[] = {0x40, 1, 1, 2, 0x40, 2, 0, 0x40, 3, 4, 192, 0, 2, 9};
	struct rx_prefix p = pfx("192.0.2.0/24");
	mrt_writer_rib_begin(w, &p, false);
	assert_true(mrt_writer_rib_entry(w, 1, T0, 0, NULL, 0, attrs, sizeof(attrs)));
	assert_false(mrt_writer_rib_entry(w, 2, T0, 0, NULL, 0, attrs, sizeof(attrs))); /* no peer 2 */
	static uint8_t huge[70000];
	assert_false(mrt_writer_rib_entry(w, 0, T0, 0, NULL, 0, huge, sizeof(huge)));
	assert_true(mrt_writer_rib_entry(w, 0, T0, 0, NULL, 0, attrs, sizeof(attrs)));
	assert_true(mrt_writer_rib_end(w));
	/* A prefix whose every entry was skipped writes no record at all. */
	struct rx_prefix q = pfx("198.51.100.0/24");
	mrt_writer_rib_begin(w, &q, false);
	assert_false(mrt_writer_rib_entry(w, 9, T0, 0, NULL, 0, attrs, sizeof(attrs)));
	assert_true(mrt_writer_rib_end(w));
	const struct mrt_write_stats *st = mrt_writer_stats(w);
	assert_int_equal(st->prefixes, 1);
	assert_int_equal(st->entries, 2);
	assert_int_equal(st->skipped, 3);
	assert_true(mrt_writer_commit(w, err, sizeof(err)));
	size_t len;
	uint8_t *b = slurp(path, &len);
	char *text = mt_dump(b, len, NULL, NULL);
	assert_string_equal(text, "TABLE_DUMP2|1600000000|B|2001:db8::1|4200000000|192.0.2.0/24||"
				  "INCOMPLETE|192.0.2.9|0|0||NAG||\n"
				  "TABLE_DUMP2|1600000000|B|0.0.0.0|65515|192.0.2.0/24||"
				  "INCOMPLETE|192.0.2.9|0|0||NAG||\n");
	free(text);
	free(b);
}

/* Replacing an existing dump is atomic; an abort leaves the old one and no PATH.tmp. */
static void test_replace_and_abort(void **state)
{
	(void)state;
	char path[128], tmp[160], err[256];
	snprintf(path, sizeof(path), "%s/replace.mrt", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("old", f);
	fclose(f);
	struct mrt_writer *w = mrt_writer_open(path, T0, err, sizeof(err));
	assert_non_null(w);
	assert_true(mrt_writer_peer_table(w, 1, NULL, hand_peers, 2));
	mrt_writer_abort(w);
	assert_false(exists(tmp));
	size_t len;
	uint8_t *b = slurp(path, &len);
	assert_int_equal(len, 3); /* untouched */
	free(b);
	write_hand_dump(path);
	b = slurp(path, &len);
	assert_int_equal(len, 64 + 60 + 64);
	free(b);
	assert_false(exists(tmp));
}

static void test_errors(void **state)
{
	(void)state;
	char path[128], err[256];
	snprintf(path, sizeof(path), "%s/no/such/dir/x.mrt", dir);
	assert_null(mrt_writer_open(path, T0, err, sizeof(err)));
	char want[256];
	snprintf(want, sizeof(want), "cannot create %s.tmp: No such file or directory", path);
	assert_string_equal(err, want);
	/* A directory where the file should go: refused before any work. */
	assert_null(mrt_writer_open(dir, T0, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s: Is a directory", dir);
	assert_string_equal(err, want);
	/* A symlink at PATH.tmp is not followed. */
	char tmp[160], target[128];
	snprintf(path, sizeof(path), "%s/link.mrt", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	snprintf(target, sizeof(target), "%s/target", dir);
	assert_int_equal(symlink(target, tmp), 0);
	assert_null(mrt_writer_open(path, T0, err, sizeof(err)));
	assert_non_null(strstr(err, "cannot create"));
	assert_false(exists(target));
	/* The symlink was not ours: it is left alone. */
	struct stat st;
	assert_int_equal(lstat(tmp, &st), 0);
	unlink(tmp);
	/* Nor a FIFO: it would block the dump until someone reads it. */
	assert_int_equal(mkfifo(tmp, 0600), 0);
	assert_null(mrt_writer_open(path, T0, err, sizeof(err)));
	snprintf(want, sizeof(want), "cannot create %s: No such device or address", tmp);
	assert_string_equal(err, want);
	assert_int_equal(lstat(tmp, &st), 0);
	unlink(tmp);
	/* A directory at PATH.tmp. */
	assert_int_equal(mkdir(tmp, 0700), 0);
	assert_null(mrt_writer_open(path, T0, err, sizeof(err)));
	snprintf(want, sizeof(want), "cannot create %s: Is a directory", tmp);
	assert_string_equal(err, want);
	rmdir(tmp);
	/* A FIFO with a reader opens; it is still no regular file. */
	assert_int_equal(mkfifo(tmp, 0600), 0);
	int rd = open(tmp, O_RDONLY | O_NONBLOCK);
	assert_true(rd >= 0);
	assert_null(mrt_writer_open(path, T0, err, sizeof(err)));
	snprintf(want, sizeof(want), "cannot create %s: not a regular file", tmp);
	assert_string_equal(err, want);
	close(rd);
	assert_int_equal(lstat(tmp, &st), 0);
	unlink(tmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bytes),
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_entries_and_skips),
	    cmocka_unit_test(test_replace_and_abort),
	    cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
