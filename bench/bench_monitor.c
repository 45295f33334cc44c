/* bench_monitor.c: routex-bench's monitor receive path (issue 7: monitors must decode well
 * over 50 M NLRI/s per core, so that the harness is never what is measured).
 *
 * Data: real tables re-packed the way a route server sends them. Every IPv4 announcement of
 * bgpdump/updates.et-header.2015.gz (one PCH session, a full table: 577,706 prefixes in
 * ~89,600 attribute sets) and every IPv6 RIB entry of pyasn/rib6.20151101.0600_firstMB (a
 * RouteViews TABLE_DUMP_V2 dump cut at 1 MiB: 6,870 prefixes from 27 peers), read with the
 * codec's MRT reader; the last announcement (or entry) of each prefix is kept, prefixes
 * are grouped by their real attribute block (re-encoded for a 4-octet AS session) and packed
 * into 4,096-octet UPDATEs, one attribute block per group (IPv6 in MP_REACH_NLRI); the
 * withdrawal streams carry the same prefixes in packed withdrawn-routes / MP_UNREACH fields.
 *
 * Benchmarks (one iteration is one pass over a whole stream; items are NLRI, announced or
 * withdrawn), each on announce4, withdraw4, announce6, withdraw6:
 *   walk         baseline: the message framing only (a bound no decoder can pass);
 *   full         the old monitor path: wire_update_parse, then the prefixes into the set;
 *   fast         the monitor path now: mon_decode (decode.c) writing the prefixes as
 *                pending set operations while it validates them, applied per read batch
 *                with prefetching (pset_flush);
 *   fast_direct  mon_decode, then each prefix applied at once (the set's baseline);
 *   full_decode, fast_decode: the two decoders alone, without the set.
 * The monitors keep IPv4 only: the IPv6 streams measure decoding. Figures: docs/bench.md,
 * bench/RESULTS.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <routex/mrt.h>
#include <routex/wire.h>

#include "bench.h"
#include "rxbench.h"

#define FILE4 RX_DATA_DIR "/mrt/bgpdump/updates.et-header.2015.gz"
#define FILE6 RX_DATA_DIR "/mrt/pyasn/rib6.20151101.0600_firstMB.bz2"
#define HDR 19

/* ---- A table grouped by attribute block ---- */

struct entry {
	struct rx_prefix p;
	uint32_t grp;
	uint32_t seq; /* announcement order: the last one of a prefix wins */
};

struct table {
	uint8_t afi;
	uint8_t *blocks;     /* attribute blocks (and for IPv6 the next hop) back to back */
	size_t blen, bcap;
	size_t *boff;        /* group g: blocks[boff[g] .. boff[g + 1]) */
	uint8_t *nhlen;      /* group g: MP next hop length (IPv6), at the block's end */
	size_t ng, gcap;
	uint32_t *slot;      /* hash of blocks: group + 1, 0 empty */
	size_t scap;
	struct entry *e;
	size_t ne, ecap;
	size_t dropped;      /* prefixes whose routes the codec treats as withdrawn */
};

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p)
		bench_die("out of memory");
	return p;
}

static uint64_t hash_bytes(const uint8_t *p, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h;
}

static uint32_t group_of(struct table *t, const uint8_t *b, size_t n, uint8_t nhlen)
{
	if (2 * (t->ng + 1) > t->scap) { /* rehash */
		size_t cap = t->scap ? 2 * t->scap : 1 << 16;
		uint32_t *s = calloc(cap, sizeof(*s));
		if (!s)
			bench_die("out of memory");
		for (size_t g = 0; g < t->ng; g++) {
			size_t j = hash_bytes(t->blocks + t->boff[g], t->boff[g + 1] - t->boff[g]) &
				   (cap - 1);
			while (s[j])
				j = (j + 1) & (cap - 1);
			s[j] = (uint32_t)g + 1;
		}
		free(t->slot);
		t->slot = s;
		t->scap = cap;
	}
	size_t j = hash_bytes(b, n) & (t->scap - 1);
	for (; t->slot[j]; j = (j + 1) & (t->scap - 1)) {
		size_t g = t->slot[j] - 1;
		if (t->boff[g + 1] - t->boff[g] == n && !memcmp(t->blocks + t->boff[g], b, n))
			return (uint32_t)g;
	}
	if (t->ng + 2 > t->gcap) {
		t->gcap = t->gcap ? 2 * t->gcap : 1024;
		t->boff = xrealloc(t->boff, t->gcap * sizeof(*t->boff));
		t->nhlen = xrealloc(t->nhlen, t->gcap);
	}
	if (t->blen + n > t->bcap) {
		t->bcap = 2 * (t->bcap + n);
		t->blocks = xrealloc(t->blocks, t->bcap);
	}
	if (!t->ng)
		t->boff[0] = 0;
	memcpy(t->blocks + t->blen, b, n);
	t->blen += n;
	t->boff[t->ng + 1] = t->blen;
	t->nhlen[t->ng] = nhlen;
	t->slot[j] = (uint32_t)t->ng + 1;
	return (uint32_t)t->ng++;
}

static void collect(struct table *t, const struct wire_nlri *nl, uint32_t g)
{
	if (!nl->known || nl->afi != t->afi || nl->safi != RX_SAFI_UNICAST)
		return;
	struct wire_nlri_iter it;
	struct rx_prefix p;
	wire_nlri_iter_init(&it, nl);
	while (wire_nlri_next(&it, &p, NULL)) {
		rx_prefix_mask(&p);
		if (t->ne == t->ecap) {
			t->ecap = t->ecap ? 2 * t->ecap : 1 << 16;
			t->e = xrealloc(t->e, t->ecap * sizeof(*t->e));
		}
		t->e[t->ne] = (struct entry){p, g, (uint32_t)t->ne};
		t->ne++;
	}
}

static int on_message(void *arg, const struct mrt_message *m)
{
	struct table *t = arg;
	if (!m->u || !m->update_ok || m->addpath || m->u->err.action != WIRE_OK)
		return 0;
	const struct wire_nlri *nl = t->afi == RX_AFI_IPV4 ? &m->u->nlri : &m->u->mp_reach;
	if (t->afi == RX_AFI_IPV6 && (!m->u->has_mp_reach || m->u->mp_nexthop_len != 16))
		return 0; /* one global next hop: what a route server sends on a LAN */
	if (!nl->count)
		return 0;
	/* As the route server would send it: a 4-octet AS session, external. */
	struct wire_ctx ctx = {.as4 = true, .ebgp = true};
	uint8_t b[4096 + 16];
	size_t n = wire_attrs_encode(&m->u->attrs, &ctx, b, 4096);
	if (!n || n > 2048)
		return 0; /* leave room for a useful number of prefixes per message */
	uint8_t nhlen = 0;
	if (t->afi == RX_AFI_IPV6) {
		memcpy(b + n, m->u->mp_nexthop, 16);
		n += 16;
		nhlen = 16;
	}
	collect(t, nl, group_of(t, b, n, nhlen));
	return 0;
}

/* TABLE_DUMP_V2 entries (the IPv6 table): the codec parsed each entry's attributes. */
static int on_rib(void *arg, const struct mrt_rib_entry *e)
{
	struct table *t = arg;
	if (!e->u || e->action != WIRE_OK || e->has_path_id || e->afi != t->afi ||
	    e->safi != RX_SAFI_UNICAST || e->u->mp_nexthop_len < 16)
		return 0;
	struct wire_ctx c = {.as4 = true, .ebgp = true};
	uint8_t b[4096 + 16];
	size_t n = wire_attrs_encode(&e->u->attrs, &c, b, 4096);
	if (!n || n > 2048)
		return 0;
	memcpy(b + n, e->u->mp_nexthop, 16); /* the global next hop only */
	uint32_t g = group_of(t, b, n + 16, 16);
	struct rx_prefix p = e->prefix;
	rx_prefix_mask(&p);
	if (t->ne == t->ecap) {
		t->ecap = t->ecap ? 2 * t->ecap : 1 << 16;
		t->e = xrealloc(t->e, t->ecap * sizeof(*t->e));
	}
	t->e[t->ne] = (struct entry){p, g, (uint32_t)t->ne};
	t->ne++;
	return 0;
}

static int by_prefix(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = rx_prefix_cmp(&x->p, &y->p);
	return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

static int by_group(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	if (x->grp != y->grp)
		return x->grp < y->grp ? -1 : 1;
	return rx_prefix_cmp(&x->p, &y->p);
}

/* Archives hold routes a route server would not pass on (AS 0 in a path from 2015, RFC
 * 7607): routes whose attribute block the codec would treat as withdrawn on a monitor's
 * session are dropped, group by group. */
static void drop_unusable(struct table *t)
{
	enum rx_family fam = t->afi == RX_AFI_IPV4 ? RX_FAM_IPV4_UNICAST : RX_FAM_IPV6_UNICAST;
	struct wire_ctx c = {.as4 = true, .ebgp = true};
	struct wire_scratch *sc = malloc(sizeof(*sc));
	bool *bad = calloc(t->ng ? t->ng : 1, sizeof(*bad));
	uint8_t msg[WIRE_MAX_LEN];
	struct wire_update u;
	struct wire_update_builder b;
	if (!sc || !bad)
		bench_die("out of memory");
	for (size_t i = 0; i < t->ne; i++) {
		uint32_t g = t->e[i].grp;
		if (i && g == t->e[i - 1].grp)
			continue;
		const uint8_t *blk = t->blocks + t->boff[g];
		size_t bl = t->boff[g + 1] - t->boff[g] - t->nhlen[g];
		wire_update_begin(&b, msg, sizeof(msg), fam, false, false, blk, bl, blk + bl,
				  t->nhlen[g]);
		wire_update_add(&b, &t->e[i].p, 0);
		size_t n = wire_update_finish(&b);
		bad[g] = wire_update_parse(msg + HDR, n - HDR, &c, &u, sc) > WIRE_ATTR_DISCARD;
	}
	size_t k = 0;
	for (size_t i = 0; i < t->ne; i++)
		if (!bad[t->e[i].grp])
			t->e[k++] = t->e[i];
	t->dropped = t->ne - k;
	t->ne = k;
	free(bad);
	free(sc);
}

static void table_load(struct table *t, const char *path, uint8_t afi)
{
	memset(t, 0, sizeof(*t));
	t->afi = afi;
	char err[256];
	struct mrt_reader *r = mrt_open(path, err, sizeof(err));
	if (!r)
		bench_die("%s: %s", path, err);
	struct mrt_handler h = {.message = on_message, .rib_entry = on_rib, .arg = t};
	mrt_walk(r, &h, NULL);
	mrt_close(r);
	/* Keep each prefix's last announcement, then order by group as a packer would. */
	qsort(t->e, t->ne, sizeof(*t->e), by_prefix);
	size_t k = 0;
	for (size_t i = 0; i < t->ne; i++) {
		if (k && !rx_prefix_cmp(&t->e[k - 1].p, &t->e[i].p))
			t->e[k - 1] = t->e[i];
		else
			t->e[k++] = t->e[i];
	}
	t->ne = k;
	qsort(t->e, t->ne, sizeof(*t->e), by_group);
	drop_unusable(t);
	if (!t->ne)
		bench_die("%s: no usable prefixes", path);
}

static void table_free(struct table *t)
{
	free(t->blocks);
	free(t->boff);
	free(t->nhlen);
	free(t->slot);
	free(t->e);
}

/* ---- Streams of whole messages ---- */

struct msgs {
	const char *name;
	uint8_t *buf;
	size_t len, cap;
	uint64_t msgs, nlri;
	uint8_t afi;
	bool withdraw;
};

static void put(struct msgs *s, const uint8_t *m, size_t n)
{
	if (!n)
		return;
	if (s->len + n > s->cap) {
		s->cap = 2 * (s->cap + n);
		s->buf = xrealloc(s->buf, s->cap);
	}
	memcpy(s->buf + s->len, m, n);
	s->len += n;
	s->msgs++;
}

static void build(struct msgs *s, const struct table *t, bool withdraw)
{
	enum rx_family fam = t->afi == RX_AFI_IPV4 ? RX_FAM_IPV4_UNICAST : RX_FAM_IPV6_UNICAST;
	uint8_t msg[WIRE_MAX_LEN];
	struct wire_update_builder b;
	s->afi = t->afi;
	s->withdraw = withdraw;
	uint32_t cur = UINT32_MAX;
	for (size_t i = 0; i < t->ne; i++) {
		const struct entry *e = &t->e[i];
		uint32_t g = withdraw ? 0 : e->grp;
		if (g != cur || !wire_update_add(&b, &e->p, 0)) {
			if (cur != UINT32_MAX)
				put(s, msg, wire_update_finish(&b));
			const uint8_t *blk = t->blocks + t->boff[g];
			size_t bl = t->boff[g + 1] - t->boff[g] - t->nhlen[g];
			if (withdraw)
				wire_update_begin(&b, msg, sizeof(msg), fam, true, false, NULL, 0,
						  NULL, 0);
			else
				wire_update_begin(&b, msg, sizeof(msg), fam, false, false, blk, bl,
						  blk + bl, t->nhlen[g]);
			cur = g;
			if (!wire_update_add(&b, &e->p, 0))
				bench_die("a prefix does not fit an empty UPDATE");
		}
		s->nlri++;
	}
	if (cur != UINT32_MAX)
		put(s, msg, wire_update_finish(&b));
}

static struct msgs streams[4] = {
	{.name = "announce4"}, {.name = "withdraw4"}, {.name = "announce6"}, {.name = "withdraw6"}};

/* ---- The monitor's work on one stream ---- */

static const struct wire_ctx ctx = {.as4 = true, .ebgp = true};
static struct wire_scratch *scratch;
static struct rx_prefix *decode_buf;

typedef size_t (*pass_fn)(const struct msgs *s, struct pset *set);

/* Every message of stream s: body and blen (after the 19-octet header). */
#define EACH_MSG(s, body, blen)                                                          \
	for (size_t off_ = 0, blen = 0; off_ < (s)->len; off_ += blen + HDR)             \
		for (const uint8_t *body = (s)->buf + off_ + HDR;                        \
		     (blen = wire_get16((s)->buf + off_ + 16) - HDR, body); body = NULL)

/* The monitor's set update for one field (IPv4 kept, other families counted only). */
static size_t keep(struct pset *set, const struct wire_nlri *nl, bool add)
{
	pset_apply(set, nl, add, decode_buf);
	return nl->count;
}

static size_t pass_walk(const struct msgs *s, struct pset *set)
{
	(void)set;
	size_t n = 0;
	EACH_MSG(s, body, blen)
	{
		n += body[0] + blen; /* touch the message as any reader must */
	}
	return n;
}

static size_t pass_full(const struct msgs *s, struct pset *set)
{
	struct wire_update u;
	size_t n = 0;
	EACH_MSG(s, body, blen)
	{
		if (wire_update_parse(body, blen, &ctx, &u, scratch) > WIRE_ATTR_DISCARD)
			bench_die("%s: the full parser refused a message", s->name);
		bool ann = u.err.action != WIRE_TREAT_AS_WITHDRAW;
		n += keep(set, &u.withdrawn, false) + keep(set, &u.nlri, ann);
		if (u.has_mp_unreach)
			n += keep(set, &u.mp_unreach, false);
		if (u.has_mp_reach)
			n += keep(set, &u.mp_reach, ann);
	}
	return n;
}

/* The monitor now (run.c): mon_decode, the prefixes collected as pending operations and
 * applied at the end of each read batch (READ_BATCH octets, what one read takes). */
#define READ_BATCH (2 * WIRE_EXT_MAX_LEN)
static struct pset_ops ops;

static size_t pass_fast(const struct msgs *s, struct pset *set)
{
	struct mon_update u;
	size_t n = 0, batch_end = READ_BATCH;
	EACH_MSG(s, body, blen)
	{
		if (!mon_decode(body, blen, &ctx, &u, &ops))
			bench_die("%s: the fast decoder declined a message", s->name);
		if (u.collected)
			n += u.withdrawn.count + u.nlri.count;
		else
			n += pset_collect(set, &ops, &u.withdrawn, false, decode_buf) +
			     pset_collect(set, &ops, &u.nlri, true, decode_buf);
		if (u.has_mp_unreach)
			n += pset_collect(set, &ops, &u.mp_unreach, false, decode_buf) +
			     (u.mp_unreach.afi != RX_AFI_IPV4) * u.mp_unreach.count;
		if (u.has_mp_reach)
			n += pset_collect(set, &ops, &u.mp_reach, true, decode_buf) +
			     (u.mp_reach.afi != RX_AFI_IPV4) * u.mp_reach.count;
		if (off_ >= batch_end) {
			pset_flush(set, &ops);
			batch_end += READ_BATCH;
		}
	}
	pset_flush(set, &ops);
	return n;
}

/* The same, each prefix applied at once (the monitors before pending operations): the
 * set's own baseline. */
static size_t pass_fast_direct(const struct msgs *s, struct pset *set)
{
	struct mon_update u;
	size_t n = 0;
	EACH_MSG(s, body, blen)
	{
		if (!mon_decode(body, blen, &ctx, &u, NULL))
			bench_die("%s: the fast decoder declined a message", s->name);
		n += keep(set, &u.withdrawn, false) + keep(set, &u.nlri, true);
		if (u.has_mp_unreach)
			n += keep(set, &u.mp_unreach, false);
		if (u.has_mp_reach)
			n += keep(set, &u.mp_reach, true);
	}
	return n;
}

static size_t pass_full_decode(const struct msgs *s, struct pset *set)
{
	(void)set;
	struct wire_update u;
	size_t n = 0;
	EACH_MSG(s, body, blen)
	{
		wire_update_parse(body, blen, &ctx, &u, scratch);
		n += u.withdrawn.count + u.nlri.count + u.mp_reach.count + u.mp_unreach.count;
	}
	return n;
}

static size_t pass_fast_decode(const struct msgs *s, struct pset *set)
{
	(void)set;
	struct mon_update u;
	size_t n = 0;
	EACH_MSG(s, body, blen)
	{
		mon_decode(body, blen, &ctx, &u, NULL);
		n += u.withdrawn.count + u.nlri.count + u.mp_reach.count + u.mp_unreach.count;
	}
	return n;
}

/* The benchmarks: a pass over a stream, and what the run checks of it. */
struct bench {
	const char *name;
	pass_fn fn;
	bool checks;   /* the pass's own NLRI count must match the stream's */
	bool uses_set; /* the set must hold the stream's result afterwards */
};

static const struct bench benches[] = {
	{"monitor_walk", pass_walk, false, false},
	{"monitor_full", pass_full, true, true},
	{"monitor_fast", pass_fast, true, true},
	{"monitor_fast_direct", pass_fast_direct, true, true},
	{"monitor_full_decode", pass_full_decode, true, false},
	{"monitor_fast_decode", pass_fast_decode, true, false},
};

/* Every benchmark, on stream rxb_range(0): one helper, so that each gets the same setup. A
 * withdrawal stream starts from a set that holds its prefixes, an announcement stream from
 * an empty one, both set up while paused. */
static void bm_run(struct rxb_state *st, void *arg)
{
	const struct bench *b = arg;
	const struct msgs *s = &streams[rxb_range(st, 0)];
	const struct msgs *fill = s->withdraw ? s - 1 : NULL;
	struct pset set;
	pset_init(&set);
	size_t total = 0;
	while (rxb_keep_running(st)) {
		rxb_pause(st);
		pset_clear(&set);
		if (fill)
			pass_fast(fill, &set);
		rxb_resume(st);
		size_t n = b->fn(s, &set);
		rxb_do_not_optimize(&n);
		total += s->nlri;
		/* The monitor's own figure must match the stream's: a wrong decode fails loudly. */
		if (b->checks && n != s->nlri)
			bench_die("%s: %zu NLRI counted, %llu sent", s->name, n,
				  (unsigned long long)s->nlri);
	}
	if (b->uses_set && s->afi == RX_AFI_IPV4 && set.count != (s->withdraw ? 0 : s->nlri))
		bench_die("%s: the set holds %zu prefixes", s->name, set.count);
	rxb_set_items(st, (int64_t)total);
	rxb_counter(st, "msgs", (double)s->msgs, false);
	rxb_counter(st, "nlri_per_msg", (double)s->nlri / (double)s->msgs, false);
	rxb_set_label(st, s->name);
	pset_fini(&set);
}

int main(int argc, char **argv)
{
	struct table t[2];
	table_load(&t[0], FILE4, RX_AFI_IPV4);
	table_load(&t[1], FILE6, RX_AFI_IPV6);
	fprintf(stderr,
		"bench_monitor: IPv4 %zu prefixes (%zu unusable left out), IPv6 %zu (%zu left out)\n",
		t[0].ne, t[0].dropped, t[1].ne, t[1].dropped);
	/* streams[]: announce4, withdraw4, announce6, withdraw6 (a withdrawal right after its
	 * announcement: bm_run fills the set from s - 1). */
	for (int i = 0; i < 4; i++) {
		build(&streams[i], &t[i / 2], i & 1);
		fprintf(stderr, "  %s: %llu UPDATEs, %llu NLRI, %.1f per UPDATE\n", streams[i].name,
			(unsigned long long)streams[i].msgs, (unsigned long long)streams[i].nlri,
			(double)streams[i].nlri / (double)streams[i].msgs);
	}
	table_free(&t[0]);
	table_free(&t[1]);
	scratch = malloc(sizeof(*scratch));
	decode_buf = malloc(PSET_DECODE_MAX * sizeof(*decode_buf));
	if (!scratch || !decode_buf)
		bench_die("out of memory");
	/* Fixed iteration counts: every iteration sets its set up while paused (a clear, and
	 * for a withdrawal a whole announcement pass), which google-benchmark's own choice of
	 * hundreds of thousands of iterations for the small IPv6 streams turns into minutes. */
	static const int64_t which[] = {0, 1, 2, 3};
	static const int64_t iters[] = {30, 30, 2000, 2000};
	for (size_t b = 0; b < sizeof(benches) / sizeof(benches[0]); b++)
		for (int i = 0; i < 4; i++)
			rxb_register(benches[b].name, bm_run, (void *)&benches[b], &which[i], 1,
				     iters[i]);
	int rc = rxb_main(argc, argv);
	for (int i = 0; i < 4; i++)
		free(streams[i].buf);
	free(scratch);
	free(decode_buf);
	pset_ops_fini(&ops);
	return rc;
}
