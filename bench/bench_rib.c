/* bench_rib.c: the RIB core on a realistic table: 1,000,000 IPv4 prefixes sampled (fixed
 * seed) from the 2026 prefix list in ../shared/data/mrt/as-prefix/ (63.5% /24), one
 * attribute set per origin AS (as a route server's feed shares them), beside baselines
 * from the same run:
 *   insert/...      load the table into an empty RIB (sorted = table-transfer order, random)
 *   lpm/...         longest-prefix match (addresses inside random table prefixes, uniform
 *                  random addresses, ascending addresses), through the tree and through
 *                  the DIR-24-8 index (lpm.h; index_node_*: the index, then the node by
 *                  exact lookup); insert/sorted_with_index: the load with the index kept
 *   churn/replace  replace the path of random prefixes with another attribute set
 *   flush/...      peer down: withdraw all 1M routes of one peer (sole source, or with a
 *                  second peer taking over every best path); sole_peer_slices: as the
 *                  daemon does it (rde.c), 4096 prefixes at a time, the log drained between
 *   memory/...      bytes per prefix with one path; 10 peers x 1M prefixes
 * Every update runs the decision process and logs the change; the log is drained every
 * 4096 updates, as the decision thread does per batch. If the data file is missing, a
 * generator with the same length mix stands in (the label says so). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include <routex/compiler.h>
#include <routex/lpm.h>
#include <routex/rib.h>
#include <routex/wire.h>

#include "rxbench.h"

#define DATA_FILE   RX_DATA_DIR "/mrt/as-prefix/as-prefix-2026.tsv.gz"
#define TABLE_N	    1000000
#define DRAIN_EVERY 4096

struct route {
	struct rx_prefix p;
	uint32_t origin;
	uint32_t attr; /* index into the attribute array */
};

static struct route *table;	   /* sorted by prefix */
static struct route *table_random; /* same routes, shuffled */
static size_t table_n;
static const char *table_label = "as-prefix-2026";

static uint64_t xs(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static int cmp_route(const void *a, const void *b)
{
	return rx_prefix_cmp(&((const struct route *)a)->p, &((const struct route *)b)->p);
}

static size_t load_file(struct route **out)
{
	gzFile f = gzopen(DATA_FILE, "rb");
	if (!f)
		return 0;
	size_t cap = 1 << 21, n = 0;
	struct route *v = malloc(cap * sizeof(*v));
	char line[256];
	while (gzgets(f, line, sizeof(line))) {
		char *tab = strchr(line, '\t');
		if (!tab || strchr(line, ':'))
			continue; /* IPv4 only */
		*tab = 0;
		struct route r;
		memset(&r, 0, sizeof(r));
		if (!rx_prefix_parse(line, &r.p, false))
			continue;
		r.origin = (uint32_t)strtoul(tab + 1, NULL, 10);
		if (n && rx_prefix_equal(&v[n - 1].p, &r.p))
			continue; /* several origins: keep the first */
		if (n == cap)
			v = realloc(v, (cap *= 2) * sizeof(*v));
		v[n++] = r;
	}
	gzclose(f);
	*out = v;
	return n;
}

static size_t generate(struct route **out)
{
	uint64_t s = 99;
	struct route *v = calloc(TABLE_N, sizeof(*v));
	for (size_t i = 0; i < TABLE_N; i++) {
		unsigned r = (unsigned)(xs(&s) % 100);
		uint8_t len = r < 60   ? 24
			      : r < 70 ? 23
			      : r < 80 ? 22
			      : r < 88 ? 21
			      : r < 94 ? 20
				       : 16;
		uint32_t a = (uint32_t)xs(&s);
		wire_put32(v[i].p.addr, a);
		v[i].p.afi = RX_AFI_IPV4;
		v[i].p.len = len;
		rx_prefix_mask(&v[i].p);
		v[i].origin = 64512 + (uint32_t)(xs(&s) % 70000);
	}
	*out = v;
	table_label = "generated";
	return TABLE_N;
}

static struct rib rib;
static struct attr_set **attrs; /* one per distinct origin, held by the bench */
static size_t n_attrs;
static struct attr_set **attrs_alt; /* a second set per origin, for churn */
static struct attr_set **attrs_ix;  /* the same sets, interned in rib_ix */
static struct rib rib_ix;	    /* a RIB with the DIR-24-8 index (lpm.h) */

static struct attr_set *mk_attr_in(struct rib *r, uint32_t peer_as, uint32_t origin,
				   uint32_t tag)
{
	uint8_t path[2 + 12], comm[4], data[128];
	path[0] = WIRE_AS_SEQUENCE;
	path[1] = 3;
	wire_put32(path + 2, peer_as);
	wire_put32(path + 6, 1000 + origin % 97); /* a transit AS */
	wire_put32(path + 10, origin);
	wire_put32(comm, (peer_as << 16) | (tag & 0xffff));
	struct wire_attrs wa;
	memset(&wa, 0, sizeof(wa));
	wa.present = WIRE_ATTR_BIT(WIRE_ATTR_ORIGIN) | WIRE_ATTR_BIT(WIRE_ATTR_AS_PATH) |
		     WIRE_ATTR_BIT(WIRE_ATTR_NEXT_HOP) | WIRE_ATTR_BIT(WIRE_ATTR_COMMUNITIES);
	wa.aspath = path;
	wa.aspath_len = sizeof(path);
	wa.communities = comm;
	wa.communities_len = 4;
	wire_put32(wa.nexthop, 0xc0000200 | (peer_as & 0xff));
	struct attr_buf b = {.data = data, .cap = sizeof(data)};
	RX_ASSERT(attr_encode(&wa, NULL, 0, &b));
	return attr_intern_w(&r->attrs, &b);
}

static struct attr_set *mk_attr(uint32_t peer_as, uint32_t origin, uint32_t tag)
{
	return mk_attr_in(&rib, peer_as, origin, tag);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static void setup_table(void)
{
	struct route *all;
	size_t n = load_file(&all);
	if (n < TABLE_N / 2)
		n = generate(&all);
	/* a fixed-seed sample of TABLE_N keeps the real length and address mix */
	uint64_t s = 7;
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = xs(&s) % (i + 1);
		struct route t = all[i];
		all[i] = all[j];
		all[j] = t;
	}
	table_n = n < TABLE_N ? n : TABLE_N;
	table_random = malloc(table_n * sizeof(*table_random));
	memcpy(table_random, all, table_n * sizeof(*table_random));
	table = all;
	qsort(table, table_n, sizeof(*table), cmp_route);
	/* distinct origins -> attribute index */
	uint32_t *o = malloc(table_n * sizeof(*o));
	for (size_t i = 0; i < table_n; i++)
		o[i] = table[i].origin;
	qsort(o, table_n, sizeof(*o), cmp_u32);
	size_t m = 0;
	for (size_t i = 0; i < table_n; i++)
		if (!m || o[m - 1] != o[i])
			o[m++] = o[i];
	n_attrs = m;
	attrs = malloc(m * sizeof(*attrs));
	attrs_alt = malloc(m * sizeof(*attrs_alt));
	attrs_ix = malloc(m * sizeof(*attrs_ix));
	for (size_t i = 0; i < m; i++) {
		attrs[i] = mk_attr(65001, o[i], 1);
		attrs_alt[i] = mk_attr(65001, o[i], 2);
		attrs_ix[i] = mk_attr_in(&rib_ix, 65001, o[i], 1);
	}
	for (size_t i = 0; i < table_n; i++) {
		uint32_t *hit = bsearch(&table[i].origin, o, m, sizeof(*o), cmp_u32);
		table[i].attr = (uint32_t)(hit - o);
	}
	/* the shuffled copy needs the same attribute index */
	for (size_t i = 0; i < table_n; i++) {
		struct route *r =
		    bsearch(&table_random[i], table, table_n, sizeof(*table), cmp_route);
		table_random[i].attr = r->attr;
	}
	free(o);
}

static void drain(void)
{
	struct rib_changes c;
	memset(&c, 0, sizeof(c));
	rib_changes_take_w(&rib, &c);
	rib_changes_release_w(&rib, &c);
	rib_quiescent_w(&rib);
}

static void add_peers(unsigned n)
{
	for (unsigned s = 1; s <= n; s++) {
		struct rib_peer_info pi = {.asn = 65000 + s,
					   .router_id = s,
					   .afi = RX_AFI_IPV4,
					   .role = RIB_ROLE_RS_CLIENT};
		pi.addr[0] = 192;
		pi.addr[3] = (uint8_t)s;
		if (!rib.peers[s].active)
			rib_peer_add_w(&rib, (uint16_t)s, &pi);
	}
}

static void load(const struct route *v, uint16_t src, struct attr_set **set)
{
	for (size_t i = 0; i < table_n; i++) {
		rib_update_w(&rib, src, 0, &v[i].p, set[v[i].attr]);
		if ((i & (DRAIN_EVERY - 1)) == DRAIN_EVERY - 1)
			drain();
	}
	drain();
}

static void unload(void)
{
	for (unsigned s = 1; s < rib.n_peers; s++)
		if (rib.peers[s].active)
			rib_peer_flush_w(&rib, (uint16_t)s);
	drain();
	rx_retire_sync(&rib.retire);
}

/* Live bytes (exact node sizes plus the peers' key lists) per prefix; attribute sets are
 * counted apart. */
static double mem_per_prefix(void)
{
	struct rib_stats s;
	rib_stats(&rib, &s);
	return (double)(s.node_live[0] + s.key_bytes) / (double)(s.prefixes[0] ? s.prefixes[0] : 1);
}

/* Everything the RIB holds from the allocator (free pool space too) per prefix. */
static double held_per_prefix(void)
{
	struct rib_stats s;
	rib_stats(&rib, &s);
	return (double)(s.node_bytes[0] + s.key_bytes) /
	       (double)(s.prefixes[0] ? s.prefixes[0] : 1);
}

/* ---- baselines ---- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Building the simplest ordered table there is: copy the keys and sort them. */
static void bm_baseline_sort(struct rxb_state *st, void *arg)
{
	uint64_t *k = malloc(table_n * sizeof(*k));
	while (rxb_keep_running(st)) {
		for (size_t i = 0; i < table_n; i++)
			k[i] = (uint64_t)wire_get32(table_random[i].p.addr) << 8 |
			       table_random[i].p.len;
		qsort(k, table_n, sizeof(*k), cmp_u64);
		rxb_do_not_optimize(k);
	}
	rxb_set_items(st, rxb_iterations(st) * (int64_t)table_n);
	free(k);
}

static void bm_insert(struct rxb_state *st, void *arg)
{
	const struct route *v = arg;
	add_peers(1);
	double bpp = 0, held = 0, npp = 0;
	while (rxb_keep_running(st)) {
		load(v, 1, attrs);
		rxb_pause(st);
		bpp = mem_per_prefix();
		held = held_per_prefix();
		npp = (double)rib.tree[0].nodes / (double)rib.tree[0].prefixes;
		unload();
		rxb_resume(st);
	}
	rxb_set_items(st, rxb_iterations(st) * (int64_t)table_n);
	rxb_counter(st, "bytes_per_prefix", bpp, false);
	rxb_counter(st, "held_per_prefix", held, false);
	rxb_counter(st, "nodes_per_prefix", npp, false);
	rxb_set_label(st, table_label);
}

/* ---- longest match ---- */

static uint32_t *addr_hit, *addr_any, *addr_seq, *starts;
#define NLOOK (1 << 20)

static void setup_addrs(void)
{
	uint64_t s = 1234;
	addr_hit = malloc(NLOOK * sizeof(uint32_t));
	addr_any = malloc(NLOOK * sizeof(uint32_t));
	addr_seq = malloc(NLOOK * sizeof(uint32_t));
	for (size_t i = 0; i < NLOOK; i++) {
		const struct rx_prefix *p = &table[xs(&s) % table_n].p;
		uint32_t host = p->len == 32 ? 0 : (uint32_t)xs(&s) & (0xffffffffu >> p->len);
		addr_hit[i] = wire_get32(p->addr) | host;
		addr_any[i] = (uint32_t)xs(&s);
		addr_seq[i] = (uint32_t)(i * 4093u);
	}
	qsort(addr_seq, NLOOK, sizeof(uint32_t), cmp_u32);
	starts = malloc(table_n * sizeof(uint32_t));
	for (size_t i = 0; i < table_n; i++)
		starts[i] = wire_get32(table[i].p.addr);
}

static void ensure_loaded(unsigned peers)
{
	if (rib.tree[0].prefixes == table_n && rib.peers[1].active && rib.peers[1].paths[0])
		return;
	unload();
	add_peers(peers);
	load(table, 1, attrs);
}

/* A binary search over the sorted prefix start addresses: the cost of finding a slot in
 * a flat array of the same table (not a longest match: a reference point). */
static void bm_baseline_bsearch(struct rxb_state *st, void *arg)
{
	const uint32_t *a = arg;
	uint64_t sum = 0;
	while (rxb_keep_running(st)) {
		for (size_t i = 0; i < NLOOK; i++) {
			size_t lo = 0, hi = table_n;
			uint32_t x = a[i];
			while (lo < hi) {
				size_t mid = (lo + hi) / 2;
				if (starts[mid] <= x)
					lo = mid + 1;
				else
					hi = mid;
			}
			sum += lo;
		}
	}
	rxb_do_not_optimize(&sum);
	rxb_set_items(st, rxb_iterations(st) * NLOOK);
}

static void bm_lpm(struct rxb_state *st, void *arg)
{
	const uint32_t *a = arg;
	ensure_loaded(1);
	const struct rib_tree *t = rib_tree(&rib, RX_AFI_IPV4);
	size_t hits = 0;
	while (rxb_keep_running(st)) {
		rx_rcu_read_lock();
		for (size_t i = 0; i < NLOOK; i++)
			hits += radix_lpm4_rcu(t, a[i]) != NULL;
		rx_rcu_read_unlock();
		rx_rcu_quiescent();
	}
	rxb_do_not_optimize(&hits);
	rxb_set_items(st, rxb_iterations(st) * NLOOK);
	rxb_counter(st, "hit_ratio", (double)hits / (double)(rxb_iterations(st) * NLOOK), false);
}

/* ---- the DIR-24-8 index (a second RIB with rib_conf.lpm_index) ---- */

static void ix_drain(void)
{
	struct rib_changes c;
	memset(&c, 0, sizeof(c));
	rib_changes_take_w(&rib_ix, &c);
	rib_changes_release_w(&rib_ix, &c);
	rib_quiescent_w(&rib_ix);
}

static void ix_load(void)
{
	for (size_t i = 0; i < table_n; i++) {
		rib_update_w(&rib_ix, 1, 0, &table[i].p, attrs_ix[table[i].attr]);
		if ((i & (DRAIN_EVERY - 1)) == DRAIN_EVERY - 1)
			ix_drain();
	}
	ix_drain();
}

static void ix_unload(void)
{
	rib_peer_flush_w(&rib_ix, 1);
	ix_drain();
	rx_retire_sync(&rib_ix.retire);
}

static void ix_peer(void)
{
	if (rib_ix.peers[1].active)
		return;
	struct rib_peer_info pi = {
	    .asn = 65001, .router_id = 1, .afi = RX_AFI_IPV4, .role = RIB_ROLE_RS_CLIENT};
	pi.addr[0] = 192;
	pi.addr[3] = 1;
	rib_peer_add_w(&rib_ix, 1, &pi);
}

static void ix_ensure_loaded(void)
{
	ix_peer();
	if (rib_ix.tree[0].prefixes != table_n)
		ix_load();
}

/* What keeping the index costs a table load: compare with insert/sorted. */
static void bm_insert_index(struct rxb_state *st, void *arg)
{
	ix_peer();
	struct rib_stats s;
	memset(&s, 0, sizeof(s));
	while (rxb_keep_running(st)) {
		rxb_pause(st);
		if (rib_ix.tree[0].prefixes)
			ix_unload();
		rxb_resume(st);
		ix_load();
		rxb_pause(st);
		rib_stats(&rib_ix, &s);
		rxb_resume(st);
	}
	rxb_set_items(st, rxb_iterations(st) * (int64_t)table_n);
	rxb_counter(st, "index_MiB", (double)s.lpm_bytes / 1048576.0, false);
	rxb_counter(st, "groups", (double)rib_ix.lpm->n_groups, false);
}

static void bm_lpm_index(struct rxb_state *st, void *arg)
{
	const uint32_t *a = arg;
	ix_ensure_loaded();
	const struct rib_lpm *l = rib_ix.lpm;
	RX_ASSERT(!lpm_overflowed(l));
	size_t hits = 0;
	while (rxb_keep_running(st)) {
		rx_rcu_read_lock();
		for (size_t i = 0; i < NLOOK; i++)
			hits += lpm4_find_rcu(l, a[i]) >= 0;
		rx_rcu_read_unlock();
		rx_rcu_quiescent();
	}
	rxb_do_not_optimize(&hits);
	rxb_set_items(st, rxb_iterations(st) * NLOOK);
	rxb_counter(st, "hit_ratio", (double)hits / (double)(rxb_iterations(st) * NLOOK), false);
}

/* The index's answer, then the node (paths) by exact lookup: what a caller that needs the
 * route and not only the prefix pays. */
static void bm_lpm_index_node(struct rxb_state *st, void *arg)
{
	const uint32_t *a = arg;
	ix_ensure_loaded();
	const struct rib_lpm *l = rib_ix.lpm;
	const struct rib_tree *t = rib_tree(&rib_ix, RX_AFI_IPV4);
	size_t hits = 0;
	while (rxb_keep_running(st)) {
		rx_rcu_read_lock();
		for (size_t i = 0; i < NLOOK; i++) {
			int len = lpm4_find_rcu(l, a[i]);
			if (len < 0)
				continue;
			struct rib_key k = {.hi = (uint64_t)(len ? a[i] & ~0u << (32 - len) : 0) << 32};
			hits += radix_find_rcu(t, &k, (uint8_t)len) != NULL;
		}
		rx_rcu_read_unlock();
		rx_rcu_quiescent();
	}
	rxb_do_not_optimize(&hits);
	rxb_set_items(st, rxb_iterations(st) * NLOOK);
	rxb_counter(st, "hit_ratio", (double)hits / (double)(rxb_iterations(st) * NLOOK), false);
}

/* ---- churn ---- */

static void bm_churn(struct rxb_state *st, void *arg)
{
	ensure_loaded(1);
	uint64_t s = 5;
	uint32_t *pick = malloc(NLOOK * sizeof(*pick));
	for (size_t i = 0; i < NLOOK; i++)
		pick[i] = (uint32_t)(xs(&s) % table_n);
	unsigned flip = 0;
	while (rxb_keep_running(st)) {
		struct attr_set **set = (flip++ & 1) ? attrs : attrs_alt;
		for (size_t i = 0; i < NLOOK; i++) {
			const struct route *r = &table[pick[i]];
			rib_update_w(&rib, 1, 0, &r->p, set[r->attr]);
			if ((i & (DRAIN_EVERY - 1)) == DRAIN_EVERY - 1)
				drain();
		}
		drain();
	}
	rxb_set_items(st, rxb_iterations(st) * NLOOK);
	free(pick);
}

/* ---- peer flush ---- */

static void bm_flush(struct rxb_state *st, void *arg)
{
	bool second = arg != NULL;
	unload();
	add_peers(2);
	while (rxb_keep_running(st)) {
		rxb_pause(st);
		unload();
		load(table, 1, attrs);
		if (second)
			load(table_random, 2, attrs_alt);
		rxb_resume(st);
		size_t n = rib_peer_flush_w(&rib, 1);
		drain();
		RX_ASSERT(n == table_n);
	}
	rxb_set_items(st, rxb_iterations(st) * (int64_t)table_n);
	unload();
}

/* The daemon's peer down (src/core/rde.c peer_down): rib_peer_flush_some_w in slices of
 * 4096 prefixes, the change log taken and released and a quiescent state between slices,
 * so the log never holds more than a slice. */
static void bm_flush_slices(struct rxb_state *st, void *arg)
{
	unload();
	add_peers(1);
	while (rxb_keep_running(st)) {
		rxb_pause(st);
		unload();
		load(table, 1, attrs);
		rxb_resume(st);
		size_t n = 0;
		bool done = false;
		while (!done) {
			n += rib_peer_flush_some_w(&rib, 1, DRAIN_EVERY, &done);
			drain();
		}
		RX_ASSERT(n == table_n);
	}
	rxb_set_items(st, rxb_iterations(st) * (int64_t)table_n);
	unload();
}

/* ---- memory ---- */

static size_t rss_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	unsigned long pages = 0, rss = 0;
	if (f) {
		if (fscanf(f, "%lu %lu", &pages, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return rss * 4096;
}

static void bm_memory_peers(struct rxb_state *st, void *arg)
{
	unsigned peers = (unsigned)(uintptr_t)arg;
	unload();
	add_peers(peers);
	/* each peer its own attribute sets (its own AS first in the path) */
	struct attr_set ***sets = calloc(peers + 1, sizeof(*sets));
	for (unsigned p = 2; p <= peers; p++) {
		sets[p] = malloc(n_attrs * sizeof(**sets));
		for (size_t i = 0; i < n_attrs; i++)
			sets[p][i] = NULL;
		for (size_t i = 0; i < table_n; i++)
			if (!sets[p][table[i].attr])
				sets[p][table[i].attr] = mk_attr(65000 + p, table[i].origin, 1);
	}
	sets[1] = attrs;
	size_t rss0 = rss_bytes();
	struct rib_stats s;
	while (rxb_keep_running(st)) {
		for (unsigned p = 1; p <= peers; p++)
			load(table, (uint16_t)p, sets[p]);
		rxb_pause(st);
		rib_stats(&rib, &s);
		rxb_counter(st, "rib_MiB", (double)(s.node_live[0] + s.key_bytes) / 1048576.0,
			    false);
		rxb_counter(st, "held_MiB", (double)(s.node_bytes[0] + s.key_bytes) / 1048576.0,
			    false);
		rxb_counter(st, "attr_MiB", (double)s.attr_bytes / 1048576.0, false);
		rxb_counter(st, "attr_sets", (double)s.attr_sets, false);
		rxb_counter(st, "bytes_per_prefix", mem_per_prefix(), false);
		rxb_counter(st, "bytes_per_path",
			    (double)(s.node_live[0] + s.key_bytes) / (double)s.paths[0], false);
		rxb_counter(st, "rss_growth_MiB", ((double)rss_bytes() - (double)rss0) / 1048576.0,
			    false);
		unload();
		rxb_resume(st);
	}
	rxb_set_items(st, rxb_iterations(st) * (int64_t)table_n * peers);
	for (unsigned p = 2; p <= peers; p++) {
		for (size_t i = 0; i < n_attrs; i++)
			if (sets[p][i])
				attr_unref_w(&rib.attrs, sets[p][i]);
		free(sets[p]);
	}
	free(sets);
	drain();
}

int main(int argc, char **argv)
{
	rx_rcu_register();
	struct rib_conf conf;
	rib_conf_default(&conf);
	conf.asn = 64999;
	rib_init(&rib, &conf);
	conf.lpm_index = true;
	rib_init(&rib_ix, &conf);
	setup_table();
	setup_addrs();
	fprintf(stderr, "bench_rib: %zu IPv4 prefixes (%s), %zu attribute sets per peer\n", table_n,
		table_label, n_attrs);
	rxb_register("insert/baseline_sort", bm_baseline_sort, NULL, NULL, 0, 3);
	rxb_register("insert/sorted", bm_insert, table, NULL, 0, 3);
	rxb_register("insert/random", bm_insert, table_random, NULL, 0, 3);
	rxb_register("lpm/baseline_bsearch_hit", bm_baseline_bsearch, addr_hit, NULL, 0, 0);
	rxb_register("lpm/hit", bm_lpm, addr_hit, NULL, 0, 0);
	rxb_register("lpm/any", bm_lpm, addr_any, NULL, 0, 0);
	rxb_register("lpm/ascending", bm_lpm, addr_seq, NULL, 0, 0);
	rxb_register("lpm/index_hit", bm_lpm_index, addr_hit, NULL, 0, 0);
	rxb_register("lpm/index_any", bm_lpm_index, addr_any, NULL, 0, 0);
	rxb_register("lpm/index_ascending", bm_lpm_index, addr_seq, NULL, 0, 0);
	rxb_register("lpm/index_node_hit", bm_lpm_index_node, addr_hit, NULL, 0, 0);
	rxb_register("lpm/index_node_any", bm_lpm_index_node, addr_any, NULL, 0, 0);
	rxb_register("insert/sorted_with_index", bm_insert_index, NULL, NULL, 0, 3);
	rxb_register("churn/replace", bm_churn, NULL, NULL, 0, 0);
	rxb_register("flush/sole_peer", bm_flush, NULL, NULL, 0, 3);
	rxb_register("flush/second_peer_takes_over", bm_flush, (void *)1, NULL, 0, 3);
	rxb_register("flush/sole_peer_slices", bm_flush_slices, NULL, NULL, 0, 3);
	rxb_register("memory/1_peer", bm_memory_peers, (void *)(uintptr_t)1, NULL, 0, 1);
	rxb_register("memory/10_peers", bm_memory_peers, (void *)(uintptr_t)10, NULL, 0, 1);
	int rc = rxb_main(argc, argv);
	unload();
	for (size_t i = 0; i < n_attrs; i++) {
		attr_unref_w(&rib.attrs, attrs[i]);
		attr_unref_w(&rib.attrs, attrs_alt[i]);
		attr_unref_w(&rib_ix.attrs, attrs_ix[i]);
	}
	rib_fini(&rib);
	if (rib_ix.peers[1].active)
		ix_unload();
	rib_fini(&rib_ix);
	rx_rcu_unregister();
	return rc;
}
