/* gen.c: the prefix universe and the feeders' pre-encoded UPDATE streams.
 *
 * Sources: a synthetic table drawn from measured distributions, the as-prefix list (real
 * routed IPv4 prefixes with their origin AS), or the IPv4 prefixes announced in an MRT file
 * (read with rx_mrt). Whatever the source, the universe is sorted and duplicate-free, and
 * cut into attribute sets: runs of neighbouring prefixes that share one attribute block,
 * sized so that the mean is ~6.5 prefixes per set with half the sets holding one prefix,
 * as in the 2015 full table (/work/shared/data/mrt/stats/distributions.json,
 * full_table_ipv4_2015_pch_as3856: 577,706 routes, 89,480 sets, 44,359 used by one prefix).
 *
 * Feeders: feeder k announces the window [k * stride, k * stride + P) of the universe,
 * stride = P * (1 - overlap), so overlap is the share of a feeder's prefixes its neighbour
 * also announces. The AS path of a set differs per feeder (length drawn per feeder and set),
 * so the decision process has real work to do where windows overlap.
 *
 * Every message is encoded here, before any clock starts; the session loop only copies. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <routex/mrt.h>
#include <routex/wire.h>

#include "bench.h"

/* Prefix lengths of the 2015 full table (distributions.json, prefix_len_v4; /0 dropped). */
static const uint32_t len_hist[33] = {
	[8] = 18,      [9] = 13,      [10] = 35,     [11] = 97,     [12] = 262,
	[13] = 504,    [14] = 1017,   [15] = 1787,   [16] = 13048,  [17] = 7464,
	[18] = 12618,  [19] = 25658,  [20] = 37164,  [21] = 39480,  [22] = 63428,
	[23] = 54283,  [24] = 311954, [25] = 706,    [26] = 325,    [27] = 425,
	[28] = 490,    [29] = 1551,   [30] = 1703,   [31] = 24,     [32] = 3651,
};
/* AS path lengths without prepending, same table (as_path_len_no_prepend; 0 dropped). */
static const uint32_t path_hist[9] = {
	[1] = 94400, [2] = 224760, [3] = 183322, [4] = 60850,
	[5] = 12569, [6] = 1383,   [7] = 419,	 [8] = 1,
};

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

struct rng {
	uint64_t s;
};
static uint64_t rng_next(struct rng *r)
{
	r->s += 0x9e3779b97f4a7c15ull;
	return mix64(r->s);
}
static double rng_unit(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}
static unsigned rng_hist(struct rng *r, const uint32_t *h, unsigned n)
{
	uint64_t total = 0;
	for (unsigned i = 0; i < n; i++)
		total += h[i];
	uint64_t x = rng_next(r) % total;
	for (unsigned i = 0; i < n; i++) {
		if (x < h[i])
			return i;
		x -= h[i];
	}
	return n - 1;
}

size_t feed_stride(const struct feed_params *fp)
{
	double ov = fp->overlap < 0 ? 0 : fp->overlap > 1 ? 1 : fp->overlap;
	return (size_t)llround((double)fp->per_feeder * (1.0 - ov));
}

size_t feed_universe_size(const struct feed_params *fp)
{
	return fp->per_feeder + (size_t)(fp->feeders - 1) * feed_stride(fp);
}

/* ---- Universe ---- */

static void u_alloc(struct universe *u, size_t cap)
{
	memset(u, 0, sizeof(*u));
	u->addr = malloc(cap * sizeof(*u->addr));
	u->len = malloc(cap);
	u->origin = malloc(cap * sizeof(*u->origin));
	if (!u->addr || !u->len || !u->origin)
		bench_die("out of memory for %zu prefixes", cap);
}

struct upfx {
	uint32_t addr, origin;
	uint8_t len;
};
static int upfx_cmp(const void *a, const void *b)
{
	const struct upfx *x = a, *y = b;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return (int)x->len - (int)y->len;
}

/* Sorts, drops duplicates and keeps n prefixes spread evenly over the list. */
static void u_from(struct universe *u, struct upfx *v, size_t nv, size_t n)
{
	qsort(v, nv, sizeof(*v), upfx_cmp);
	size_t m = 0;
	for (size_t i = 0; i < nv; i++)
		if (m == 0 || v[i].addr != v[m - 1].addr || v[i].len != v[m - 1].len)
			v[m++] = v[i];
	if (n == 0 || n > m)
		n = m;
	u_alloc(u, n);
	for (size_t j = 0; j < n; j++) {
		size_t i = (size_t)((double)j * (double)m / (double)n);
		u->addr[j] = v[i].addr;
		u->len[j] = v[i].len;
		u->origin[j] = v[i].origin;
	}
	u->n = n;
}

static bool public_v4(uint32_t a)
{
	unsigned o = a >> 24;
	if (o == 0 || o == 10 || o == 127 || o >= 224)
		return false;
	if ((a & 0xffc00000u) == 0x64400000u || (a & 0xfff00000u) == 0xac100000u ||
	    (a & 0xffff0000u) == 0xc0a80000u || (a & 0xffff0000u) == 0xa9fe0000u)
		return false; /* 100.64/10, 172.16/12, 192.168/16, 169.254/16 */
	return true;
}

int universe_generate(struct universe *u, size_t n, uint32_t seed)
{
	struct rng r = {seed * 0x51ull + 7};
	struct pset seen;
	pset_init(&seen);
	size_t cap = n + n / 8 + 16, nv = 0;
	struct upfx *v = malloc(cap * sizeof(*v));
	if (!v)
		bench_die("out of memory");
	while (nv < n) {
		uint8_t len = (uint8_t)rng_hist(&r, len_hist, 33);
		uint32_t a = (uint32_t)rng_next(&r);
		a &= len ? ~0u << (32 - len) : 0;
		if (!public_v4(a) || !pset_add(&seen, a, len))
			continue;
		v[nv].addr = a;
		v[nv].len = len;
		v[nv].origin = 1000 + (uint32_t)(rng_next(&r) % 60000);
		nv++;
	}
	pset_fini(&seen);
	u_from(u, v, nv, n);
	free(v);
	snprintf(u->source, sizeof(u->source), "synthetic (2015 length distribution, seed %u)",
		 seed);
	return 0;
}

int universe_load_asprefix(struct universe *u, const char *path, size_t n)
{
	gzFile f = gzopen(path, "rb");
	if (!f)
		return -1;
	size_t cap = 1 << 21, nv = 0;
	struct upfx *v = malloc(cap * sizeof(*v));
	char line[256];
	while (v && gzgets(f, line, sizeof(line))) {
		char *tab = strchr(line, '\t');
		if (!tab)
			continue;
		*tab = 0;
		struct rx_prefix p;
		if (!rx_prefix_parse(line, &p, false) || p.afi != RX_AFI_IPV4 || p.len == 0)
			continue;
		if (nv == cap)
			v = realloc(v, (cap *= 2) * sizeof(*v));
		if (!v)
			break;
		v[nv].addr = wire_get32(p.addr);
		v[nv].len = p.len;
		v[nv].origin = (uint32_t)strtoul(tab + 1, NULL, 10);
		nv++;
	}
	gzclose(f);
	if (!v)
		bench_die("out of memory");
	u_from(u, v, nv, n);
	free(v);
	snprintf(u->source, sizeof(u->source), "%s (%zu of %zu IPv4 prefixes)", path, u->n, nv);
	return 0;
}

struct mrt_collect {
	struct upfx *v;
	size_t n, cap;
	struct pset seen;
};

static void collect_nlri(struct mrt_collect *c, const struct wire_nlri *nl, uint32_t origin)
{
	if (!nl->known || nl->afi != RX_AFI_IPV4 || !nl->count)
		return;
	struct wire_nlri_iter it;
	struct rx_prefix p;
	wire_nlri_iter_init(&it, nl);
	while (wire_nlri_next(&it, &p, NULL)) {
		rx_prefix_mask(&p);
		uint32_t a = wire_get32(p.addr);
		if (p.len == 0 || !pset_add(&c->seen, a, p.len))
			continue;
		if (c->n == c->cap) {
			c->cap = c->cap ? 2 * c->cap : 1 << 20;
			c->v = realloc(c->v, c->cap * sizeof(*c->v));
			if (!c->v)
				bench_die("out of memory");
		}
		c->v[c->n++] = (struct upfx){a, origin ? origin : 64496, p.len};
	}
}

static int on_message(void *arg, const struct mrt_message *m)
{
	if (!m->u || !m->update_ok)
		return 0;
	const struct wire_attrs *a = &m->u->attrs;
	uint32_t origin = wire_aspath_origin_as(a->aspath, a->aspath_len);
	collect_nlri(arg, &m->u->nlri, origin);
	if (m->u->has_mp_reach)
		collect_nlri(arg, &m->u->mp_reach, origin);
	return 0;
}

static int on_rib(void *arg, const struct mrt_rib_entry *e)
{
	struct mrt_collect *c = arg;
	struct rx_prefix p = e->prefix;
	if (p.afi != RX_AFI_IPV4 || p.len == 0)
		return 0;
	rx_prefix_mask(&p);
	uint32_t a = wire_get32(p.addr);
	if (!pset_add(&c->seen, a, p.len))
		return 0;
	uint32_t origin = e->u ? wire_aspath_origin_as(e->u->attrs.aspath, e->u->attrs.aspath_len)
			       : 0;
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 1 << 20;
		c->v = realloc(c->v, c->cap * sizeof(*c->v));
		if (!c->v)
			bench_die("out of memory");
	}
	c->v[c->n++] = (struct upfx){a, origin ? origin : 64496, p.len};
	return 0;
}

int universe_load_mrt(struct universe *u, const char *path, size_t n)
{
	char err[256];
	struct mrt_reader *r = mrt_open(path, err, sizeof(err));
	if (!r) {
		bench_log("%s: %s", path, err);
		return -1;
	}
	struct mrt_collect c = {0};
	pset_init(&c.seen);
	struct mrt_handler h = {.message = on_message, .rib_entry = on_rib, .arg = &c};
	mrt_walk(r, &h, NULL);
	mrt_close(r);
	pset_fini(&c.seen);
	if (c.n == 0) {
		free(c.v);
		return -1;
	}
	u_from(u, c.v, c.n, n);
	free(c.v);
	snprintf(u->source, sizeof(u->source), "%s (%zu of %zu announced IPv4 prefixes)", path,
		 u->n, c.n);
	return 0;
}

void universe_make_sets(struct universe *u, double per_set, uint32_t seed)
{
	struct rng r = {seed * 0x9e37ull + 3};
	free(u->set_end);
	u->set_end = malloc((u->n + 1) * sizeof(*u->set_end));
	if (!u->set_end)
		bench_die("out of memory");
	/* Half the sets hold one prefix; the rest are geometric with the mean that makes the
	 * overall mean per_set. */
	double q = per_set > 1 ? 1.0 / (2 * per_set - 1) : 1;
	size_t i = 0, k = 0;
	while (i < u->n) {
		size_t sz = 1;
		if (q < 1 && (rng_next(&r) & 1))
			sz = 1 + (size_t)floor(log(1 - rng_unit(&r)) / log(1 - q));
		i = i + sz > u->n ? u->n : i + sz;
		u->set_end[k++] = (uint32_t)i;
	}
	u->n_sets = k;
}

void universe_free(struct universe *u)
{
	free(u->addr);
	free(u->len);
	free(u->origin);
	free(u->set_end);
	memset(u, 0, sizeof(*u));
}

/* ---- Streams ---- */

static void s_append(struct stream *s, const uint8_t *m, size_t len)
{
	if (s->len + len > s->cap) {
		s->cap = s->cap ? s->cap * 2 : 1 << 20;
		s->buf = realloc(s->buf, s->cap);
		if (!s->buf)
			bench_die("out of memory for a stream");
	}
	/* Cut before this message if the current chunk would pass BENCH_CHUNK. */
	size_t last = s->n_cut ? s->cut[s->n_cut - 1] : 0;
	if (s->len - last + len > BENCH_CHUNK && s->len > last) {
		if (s->n_cut == s->cap_cut) {
			s->cap_cut = s->cap_cut ? 2 * s->cap_cut : 64;
			s->cut = realloc(s->cut, s->cap_cut * sizeof(*s->cut));
			if (!s->cut)
				bench_die("out of memory");
		}
		s->cut[s->n_cut++] = s->len;
	}
	memcpy(s->buf + s->len, m, len);
	s->len += len;
	s->msgs++;
}

static void s_close(struct stream *s)
{
	if (s->n_cut == s->cap_cut) {
		s->cap_cut = s->cap_cut ? 2 * s->cap_cut : 64;
		s->cut = realloc(s->cut, s->cap_cut * sizeof(*s->cut));
		if (!s->cut)
			bench_die("out of memory");
	}
	if (!s->n_cut || s->cut[s->n_cut - 1] != s->len)
		s->cut[s->n_cut++] = s->len;
}

static void u_prefix(const struct universe *u, size_t i, struct rx_prefix *p)
{
	memset(p, 0, sizeof(*p));
	p->afi = RX_AFI_IPV4;
	p->len = u->len[i];
	wire_put32(p->addr, u->addr[i]);
}

/* First set whose end is past index i. */
static size_t set_of(const struct universe *u, size_t i)
{
	size_t lo = 0, hi = u->n_sets;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (u->set_end[mid] <= i)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The attribute block feeder k (AS asn, next hop nh) sends for set si. */
static size_t set_attrs(const struct universe *u, size_t si, unsigned k, uint32_t asn, uint32_t nh,
			uint32_t seed, uint8_t *out, size_t cap)
{
	struct rng r = {mix64(((uint64_t)si << 20) ^ k ^ ((uint64_t)seed << 48))};
	unsigned plen = rng_hist(&r, path_hist, 9);
	size_t first = si ? u->set_end[si - 1] : 0;
	uint8_t path[2 + 4 * 8];
	path[0] = WIRE_AS_SEQUENCE;
	path[1] = (uint8_t)plen;
	wire_put32(path + 2, asn);
	for (unsigned j = 1; j < plen; j++) {
		uint32_t as = j == plen - 1 ? u->origin[first]
					    : 1000 + (uint32_t)(rng_next(&r) % 60000);
		if (as == WIRE_AS_TRANS || as == asn)
			as = 64496;
		wire_put32(path + 2 + 4 * j, as);
	}
	struct wire_attrs a = {0};
	a.present = WIRE_ATTR_BIT(WIRE_ATTR_ORIGIN) | WIRE_ATTR_BIT(WIRE_ATTR_AS_PATH) |
		    WIRE_ATTR_BIT(WIRE_ATTR_NEXT_HOP);
	a.origin = WIRE_ORIGIN_IGP;
	a.aspath = path;
	a.aspath_len = (uint16_t)(2 + 4 * plen);
	wire_put32(a.nexthop, nh);
	struct wire_ctx ctx = {.as4 = true, .ebgp = true};
	size_t n = wire_attrs_encode(&a, &ctx, out, cap);
	if (!n)
		bench_die("attribute block does not fit");
	return n;
}

void stream_build_announce(struct stream *s, const struct universe *u,
			   const struct feed_params *fp, unsigned k, uint32_t asn, uint32_t nh)
{
	size_t first = (size_t)k * feed_stride(fp), end = first + fp->per_feeder;
	if (end > u->n)
		end = u->n;
	uint8_t msg[WIRE_MAX_LEN], attrs[256];
	struct wire_update_builder b;
	struct rx_prefix p;
	size_t i = first;
	while (i < end) {
		size_t si = set_of(u, i);
		size_t se = u->set_end[si] < end ? u->set_end[si] : end;
		size_t alen = set_attrs(u, si, k, asn, nh, fp->seed, attrs, sizeof(attrs));
		wire_update_begin(&b, msg, WIRE_MAX_LEN, RX_FAM_IPV4_UNICAST, false, false, attrs,
				  alen, NULL, 0);
		for (; i < se; i++) {
			u_prefix(u, i, &p);
			if (wire_update_add(&b, &p, 0))
				continue;
			s_append(s, msg, wire_update_finish(&b));
			wire_update_begin(&b, msg, WIRE_MAX_LEN, RX_FAM_IPV4_UNICAST, false, false,
					  attrs, alen, NULL, 0);
			wire_update_add(&b, &p, 0);
		}
		s_append(s, msg, wire_update_finish(&b));
	}
	s->prefixes = end > first ? end - first : 0;
	s_append(s, msg, wire_eor_encode(msg, sizeof(msg), RX_FAM_IPV4_UNICAST));
	s_close(s);
}

void stream_build_withdraw(struct stream *s, const struct universe *u,
			   const struct feed_params *fp, unsigned k)
{
	size_t first = (size_t)k * feed_stride(fp), end = first + fp->per_feeder;
	if (end > u->n)
		end = u->n;
	uint8_t msg[WIRE_MAX_LEN];
	struct wire_update_builder b;
	struct rx_prefix p;
	wire_update_begin(&b, msg, WIRE_MAX_LEN, RX_FAM_IPV4_UNICAST, true, false, NULL, 0, NULL,
			  0);
	for (size_t i = first; i < end; i++) {
		u_prefix(u, i, &p);
		if (wire_update_add(&b, &p, 0))
			continue;
		s_append(s, msg, wire_update_finish(&b));
		wire_update_begin(&b, msg, WIRE_MAX_LEN, RX_FAM_IPV4_UNICAST, true, false, NULL, 0,
				  NULL, 0);
		wire_update_add(&b, &p, 0);
	}
	if (b.count)
		s_append(s, msg, wire_update_finish(&b));
	s->prefixes = end > first ? end - first : 0;
	s_close(s);
}

void stream_free(struct stream *s)
{
	free(s->buf);
	free(s->cut);
	memset(s, 0, sizeof(*s));
}
