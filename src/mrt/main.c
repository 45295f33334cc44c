/* routex-mrt: reads MRT files (RFC 6396, RFC 8050; plain, gzip or bzip2).
 *
 *   routex-mrt -m FILE...   one line per route, exactly as `bgpdump -m` prints it
 *   routex-mrt FILE...      a summary per file: records, routes, unique prefixes, peers,
 *                           unique attribute sets, time
 *
 * Exit status: 0 when every file was read to its end; 3 when some input was cut short (a
 * truncated gzip/bzip2 stream or a final partial record: every complete record before the
 * cut was processed, and stderr says where it stopped); 1 when a file cannot be opened or
 * its framing cannot be followed; 2 on a usage error. bgpdump exits 0 for a cut file:
 * routex-mrt says so distinctly instead, and prints the same lines. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xxhash.h>

#include "mrt-int.h"

/* A set of 64-bit hashes (open addressing, linear probing; 0 marks an empty slot). */
struct hset {
	uint64_t *slot;
	size_t cap, n;
};

static void hset_add(struct hset *s, uint64_t h)
{
	if (h == 0)
		h = 1;
	if (2 * (s->n + 1) > s->cap) {
		struct hset g = {.cap = s->cap ? 2 * s->cap : 1024};
		g.slot = calloc(g.cap, sizeof(*g.slot));
		RX_ASSERT(g.slot);
		for (size_t i = 0; i < s->cap; i++)
			if (s->slot[i])
				hset_add(&g, s->slot[i]);
		free(s->slot);
		*s = g;
	}
	size_t i = h & (s->cap - 1);
	while (s->slot[i]) {
		if (s->slot[i] == h)
			return;
		i = (i + 1) & (s->cap - 1);
	}
	s->slot[i] = h;
	s->n++;
}

static void hset_free(struct hset *s)
{
	free(s->slot);
	memset(s, 0, sizeof(*s));
}

struct summary {
	uint64_t by_type[5]; /* TABLE_DUMP, TABLE_DUMP_V2, BGP4MP, BGP4MP_ET, other */
	uint64_t announced, withdrawn, rib;
	struct hset prefixes, peers, attrsets;
	char *tail;
	size_t tail_cap;
};

static uint64_t hash_prefix(const struct rx_prefix *p)
{
	return XXH3_64bits(p, sizeof(*p));
}

static void add_peer(struct summary *s, const struct mrt_peer *pe)
{
	struct mrt_peer k = {.afi = pe->afi, .asn = pe->asn};
	memcpy(k.addr, pe->addr, sizeof(k.addr));
	hset_add(&s->peers, XXH3_64bits(&k, sizeof(k)));
}

/* Attribute sets are counted as bgpdump prints them: the hash of the attribute columns. */
static void add_attrs(struct summary *s, const struct wire_attrs *a, const uint8_t *nh,
		      uint8_t nh_len)
{
	size_t need = mrt_fmt_attrs_max(a);
	if (need > s->tail_cap) {
		free(s->tail);
		s->tail = malloc(need);
		RX_ASSERT(s->tail);
		s->tail_cap = need;
	}
	char *e = mrt_fmt_attrs(s->tail, a, nh, nh_len, false);
	hset_add(&s->attrsets, XXH3_64bits(s->tail, (size_t)(e - s->tail)));
}

static int sum_record(void *arg, const struct mrt_record *rec)
{
	struct summary *s = arg;
	int i = rec->type == MRT_TABLE_DUMP	 ? 0
		: rec->type == MRT_TABLE_DUMP_V2 ? 1
		: rec->type == MRT_BGP4MP	 ? 2
		: rec->type == MRT_BGP4MP_ET	 ? 3
						 : 4;
	s->by_type[i]++;
	return 0;
}

static int sum_rib(void *arg, const struct mrt_rib_entry *e)
{
	struct summary *s = arg;
	s->rib++;
	hset_add(&s->prefixes, hash_prefix(&e->prefix));
	add_peer(s, e->peer);
	const struct wire_update *u = e->u;
	if (u->has_mp_reach)
		add_attrs(s, &u->attrs, u->mp_nexthop, u->mp_nexthop_len);
	else
		add_attrs(s, &u->attrs,
			  WIRE_HAS(&u->attrs, WIRE_ATTR_NEXT_HOP) ? u->attrs.nexthop : NULL, 4);
	return 0;
}

static void sum_field(struct summary *s, const struct wire_nlri *n, uint64_t *counter)
{
	struct wire_nlri_iter it;
	struct rx_prefix p;
	wire_nlri_iter_init(&it, n);
	while (wire_nlri_next(&it, &p, NULL)) {
		(*counter)++;
		hset_add(&s->prefixes, hash_prefix(&p));
	}
}

static int sum_message(void *arg, const struct mrt_message *m)
{
	struct summary *s = arg;
	if (m->msg_type != WIRE_UPDATE || !m->update_ok)
		return 0;
	const struct wire_update *u = m->u;
	add_peer(s, &m->peer);
	sum_field(s, &u->withdrawn, &s->withdrawn);
	if (u->has_mp_unreach)
		sum_field(s, &u->mp_unreach, &s->withdrawn);
	if (u->nlri.count) {
		sum_field(s, &u->nlri, &s->announced);
		bool nh = WIRE_HAS(&u->attrs, WIRE_ATTR_NEXT_HOP);
		add_attrs(s, &u->attrs, nh ? u->attrs.nexthop : NULL, 4);
	}
	if (u->has_mp_reach && u->mp_reach.count) {
		sum_field(s, &u->mp_reach, &s->announced);
		add_attrs(s, &u->attrs, u->mp_nexthop, u->mp_nexthop_len);
	}
	return 0;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void print_summary(const char *path, struct mrt_reader *r, const struct summary *s,
			  double secs)
{
	const struct mrt_stats *st = mrt_reader_stats(r);
	printf("file: %s (%s)\n", path, mrt_compression(r));
	printf("records: %llu (TABLE_DUMP %llu, TABLE_DUMP_V2 %llu, BGP4MP %llu, BGP4MP_ET %llu, "
	       "other %llu)\n",
	       (unsigned long long)st->records, (unsigned long long)s->by_type[0],
	       (unsigned long long)s->by_type[1], (unsigned long long)s->by_type[2],
	       (unsigned long long)s->by_type[3], (unsigned long long)s->by_type[4]);
	printf("bytes: %llu\n", (unsigned long long)st->bytes);
	printf("rib_entries: %llu\n", (unsigned long long)s->rib);
	printf("announcements: %llu\n", (unsigned long long)s->announced);
	printf("withdrawals: %llu\n", (unsigned long long)s->withdrawn);
	printf("state_changes: %llu\n", (unsigned long long)st->state_changes);
	printf("prefixes: %zu\n", s->prefixes.n);
	printf("peers: %zu\n", s->peers.n);
	printf("attribute_sets: %zu\n", s->attrsets.n);
	printf("skipped: %llu\n", (unsigned long long)st->skipped);
	printf("malformed: %llu\n", (unsigned long long)st->malformed);
	if (st->td1_fixed)
		printf("td1_length_fixed: %llu\n", (unsigned long long)st->td1_fixed);
	printf("time: %.3f s\n", secs);
}

static void usage(void)
{
	fprintf(stderr, "usage: routex-mrt [-m] FILE...\n"
			"  -m  one line per route, as bgpdump -m prints it\n"
			"  without -m: a summary of each file\n");
}

/* Reads one file; returns its exit status contribution (0, 1 or 3). */
static int run_file(const char *path, bool dump, struct mrt_out *out)
{
	char err[256];
	struct mrt_reader *r = mrt_open(path, err, sizeof(err));
	if (!r) {
		fprintf(stderr, "routex-mrt: %s: %s\n", path, err);
		return 1;
	}
	double t0 = now();
	struct mrt_handler h;
	struct mrt_bgpdump pr;
	struct summary s;
	memset(&s, 0, sizeof(s));
	if (dump) {
		mrt_bgpdump_init(&pr, out, &h);
	} else {
		memset(&h, 0, sizeof(h));
		h.record = sum_record;
		h.rib_entry = sum_rib;
		h.message = sum_message;
		h.arg = &s;
	}
	enum mrt_status st = mrt_walk(r, &h, NULL);
	int rc = 0;
	if (dump) {
		mrt_bgpdump_fini(&pr);
		mrt_out_flush(out);
	} else {
		print_summary(path, r, &s, now() - t0);
		hset_free(&s.prefixes);
		hset_free(&s.peers);
		hset_free(&s.attrsets);
		free(s.tail);
	}
	if (st == MRT_TRUNCATED) {
		fprintf(stderr,
			"routex-mrt: %s: truncated: %s; stopped after %llu complete records\n",
			path, mrt_error(r), (unsigned long long)mrt_reader_stats(r)->records);
		rc = 3;
	} else if (st == MRT_ERROR) {
		fprintf(stderr, "routex-mrt: %s: %s; stopped after %llu records\n", path,
			mrt_error(r), (unsigned long long)mrt_reader_stats(r)->records);
		rc = 1;
	}
	mrt_close(r);
	return rc;
}

int main(int argc, char **argv)
{
	bool dump = false;
	int c;
	while ((c = getopt(argc, argv, "mh")) != -1) {
		switch (c) {
		case 'm':
			dump = true;
			break;
		default:
			usage();
			return 2;
		}
	}
	if (optind >= argc) {
		usage();
		return 2;
	}
	struct mrt_out out;
	mrt_out_init(&out, STDOUT_FILENO);
	int rc = 0;
	for (int i = optind; i < argc; i++) {
		int f = run_file(argv[i], dump, &out);
		if (f == 1 || (f == 3 && rc == 0))
			rc = f;
	}
	mrt_out_fini(&out);
	if (out.failed) {
		fprintf(stderr, "routex-mrt: write error: %s\n", strerror(out.err));
		return 1;
	}
	return rc;
}
