/* stress_rib.c: concurrency torture for the RIB (label: stress; run under TSan and ASan).
 *
 * One writer thread (the decision thread's role) applies RX_STRESS_OPS (default 1,000,000)
 * random updates, replacements and withdrawals from three peers over a universe of
 * prefixes with the real IPv4 length mix (plus IPv6, host and default routes), with
 * periodic peer flushes, mark-and-sweep cycles, change-log draining, and attribute sets
 * that are created and die while readers run. Reader threads meanwhile, without locks:
 *   - walk both trees in chunks of 1000, resuming from the last key, and check the order
 *     is strictly increasing (rx_prefix_cmp) within and across chunks;
 *   - look up random prefixes exactly and by longest match, through the tree and through
 *     the IPv4 DIR-24-8 index (lpm.c), and check a match contains the address and is a
 *     prefix the writer had published;
 *   - for every node they see: the prefix is in the universe and the writer had published
 *     it at some point (a flag set before the first publish), the node is well formed
 *     (1 <= n_ecmp <= n, known sources), and every attribute set is intact (a check value
 *     derived from its AS path). Freed or reused memory breaks these checks in release
 *     builds and is reported by ASan in sanitizer builds.
 * At the end the final tree is compared with the writer's own record, and the index with
 * the tree at the edges of every IPv4 prefix of the universe and at 1M random addresses. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <routex/compiler.h>
#include <routex/lpm.h>
#include <routex/rib.h>
#include <routex/wire.h> /* inline byte helpers only */

#define NSRC	  3
#define CHECK_MUL 2654435761u

struct universe {
	struct rx_prefix *p; /* sorted by rx_prefix_cmp, immutable while threads run */
	size_t n;
	uint8_t *ever; /* A: writer stores 1 (release) before first publishing p[i] */
};

static struct universe U;
static struct rib R;
static int writer_done;	       /* A: release by the writer at the end, acquire by readers */
static unsigned long failures; /* A: relaxed counter, read after join */

#define FAILF(...)                                                                                 \
	do {                                                                                       \
		fprintf(stderr, __VA_ARGS__);                                                      \
		__atomic_fetch_add(&failures, 1, __ATOMIC_RELAXED);                                \
	} while (0)

static uint64_t xorshift(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_pfx(const void *a, const void *b)
{
	return rx_prefix_cmp(a, b);
}

/* Real IPv4 mix (RouteViews 2025: ~60% /24, then /22, /23, /21, /20 ...). */
static uint8_t v4_len(uint64_t *s)
{
	unsigned r = (unsigned)(xorshift(s) % 1000);
	static const struct {
		unsigned upto;
		uint8_t len;
	} mix[] = {{600, 24}, {690, 23}, {780, 22}, {830, 21}, {870, 20}, {895, 19},
		   {915, 18}, {930, 17}, {950, 16}, {960, 15}, {970, 14}, {976, 13},
		   {982, 12}, {988, 11}, {992, 10}, {995, 8},  {998, 32}, {1000, 28}};
	for (unsigned i = 0; i < RX_ARRAY_LEN(mix); i++)
		if (r < mix[i].upto)
			return mix[i].len;
	return 24;
}

static void make_universe(size_t n4, size_t n6)
{
	uint64_t s = 0x9e3779b97f4a7c15ull;
	size_t cap = n4 + n6 + 4, n = 0;
	U.p = calloc(cap, sizeof(*U.p));
	for (size_t i = 0; i < n4; i++) {
		struct rx_prefix *p = &U.p[n++];
		p->afi = RX_AFI_IPV4;
		p->len = v4_len(&s);
		uint32_t a = (uint32_t)xorshift(&s);
		a = (a & 0x00ffffff) | ((uint32_t)(1 + (a >> 24) % 223) << 24); /* 1..223 */
		memcpy(p->addr,
		       (uint8_t[4]){(uint8_t)(a >> 24), (uint8_t)(a >> 16), (uint8_t)(a >> 8),
				    (uint8_t)a},
		       4);
		rx_prefix_mask(p);
	}
	for (size_t i = 0; i < n6; i++) {
		struct rx_prefix *p = &U.p[n++];
		p->afi = RX_AFI_IPV6;
		unsigned r = (unsigned)(xorshift(&s) % 10);
		p->len = r < 5 ? 48 : r < 8 ? 32 + (uint8_t)(xorshift(&s) % 17) : r < 9 ? 128 : 64;
		uint64_t hi = xorshift(&s), lo = xorshift(&s);
		hi = (hi & 0x0000ffffffffffffull) | 0x2a00000000000000ull;
		for (int b = 0; b < 8; b++) {
			p->addr[b] = (uint8_t)(hi >> (56 - 8 * b));
			p->addr[8 + b] = (uint8_t)(lo >> (56 - 8 * b));
		}
		rx_prefix_mask(p);
	}
	rx_prefix_parse("0.0.0.0/0", &U.p[n++], false);
	rx_prefix_parse("::/0", &U.p[n++], false);
	rx_prefix_parse("255.255.255.255/32", &U.p[n++], false);
	rx_prefix_parse("2a00::1/128", &U.p[n++], false);
	qsort(U.p, n, sizeof(*U.p), cmp_pfx);
	size_t m = 0; /* unique */
	for (size_t i = 0; i < n; i++)
		if (!m || !rx_prefix_equal(&U.p[m - 1], &U.p[i]))
			U.p[m++] = U.p[i];
	U.n = m;
	U.ever = calloc(m, 1);
}

static long u_index(const struct rx_prefix *p)
{
	size_t lo = 0, hi = U.n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = rx_prefix_cmp(&U.p[mid], p);
		if (!c)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* ---- attribute sets with a check value: community = first AS * CHECK_MUL ---- */

static struct attr_set *make_attr(uint32_t as, unsigned hops)
{
	uint8_t path[2 + 4 * 8], comm[4], data[256];
	path[0] = WIRE_AS_SEQUENCE;
	path[1] = (uint8_t)hops;
	for (unsigned i = 0; i < hops; i++)
		wire_put32(path + 2 + 4 * i, as + i);
	wire_put32(comm, as * CHECK_MUL);
	struct wire_attrs wa;
	memset(&wa, 0, sizeof(wa));
	wa.present = WIRE_ATTR_BIT(WIRE_ATTR_ORIGIN) | WIRE_ATTR_BIT(WIRE_ATTR_AS_PATH) |
		     WIRE_ATTR_BIT(WIRE_ATTR_NEXT_HOP) | WIRE_ATTR_BIT(WIRE_ATTR_COMMUNITIES);
	wa.aspath = path;
	wa.aspath_len = (uint16_t)(2 + 4 * hops);
	wa.communities = comm;
	wa.communities_len = 4;
	wire_put32(wa.nexthop, 0x0a000000 | (as & 0xffff));
	struct attr_buf b = {.data = data, .cap = sizeof(data)};
	RX_ASSERT(attr_encode(&wa, NULL, 0, &b));
	return attr_intern_w(&R.attrs, &b);
}

static bool attr_ok(const struct attr_set *a)
{
	if (a->k.aspath_len < 6 || a->k.comm_len != 4 || a->k.nexthop_len != 4)
		return false;
	const uint8_t *p = attr_aspath(a);
	uint32_t as = wire_get32(p + 2);
	return p[0] == WIRE_AS_SEQUENCE && a->k.aspath_hops == p[1] &&
	       wire_get32(attr_communities(a)) == as * CHECK_MUL && a->k.neighbour_as == as;
}

/* ---- readers ---- */

struct reader_stats {
	unsigned long nodes, lookups, hits, walks, chunks;
};

static void check_node(const struct rib_tree *t, const struct rib_node *nd,
		       const struct rx_prefix *p)
{
	long i = u_index(p);
	if (i < 0) {
		FAILF("reader: prefix not in universe\n");
		return;
	}
	if (!__atomic_load_n(&U.ever[i], __ATOMIC_ACQUIRE))
		FAILF("reader: prefix %ld seen before the writer published it\n", i);
	if (nd->n < 1 || nd->n_ecmp < 1 || nd->n_ecmp > nd->n || nd->n > NSRC + 1)
		FAILF("reader: malformed node n=%u n_ecmp=%u\n", nd->n, nd->n_ecmp);
	const struct rib_path *v = rib_node_paths(t, nd);
	for (unsigned j = 0; j < nd->n && j <= NSRC; j++) {
		if (v[j].src < 1 || v[j].src > NSRC)
			FAILF("reader: bad source %u\n", v[j].src);
		if (!attr_ok(v[j].attrs))
			FAILF("reader: attribute set damaged\n");
	}
}

struct walk_ctx {
	struct rx_prefix prev;
	bool have_prev;
	struct reader_stats *st;
};

static bool walk_cb(const struct rib_tree *t, const struct rib_node *nd, const struct rx_prefix *p,
		    void *arg)
{
	struct walk_ctx *w = arg;
	if (w->have_prev && rx_prefix_cmp(&w->prev, p) >= 0)
		FAILF("reader: walk out of order\n");
	w->prev = *p;
	w->have_prev = true;
	w->st->nodes++;
	check_node(t, nd, p);
	return true;
}

static void *reader(void *arg)
{
	struct reader_stats *st = arg;
	uint64_t s = 0x1234567ull + (uintptr_t)arg;
	rx_rcu_register();
	struct rx_prefix last;
	bool resume[2] = {false, false};
	struct walk_ctx w[2] = {{.st = st}, {.st = st}};
	while (!__atomic_load_n(&writer_done, __ATOMIC_ACQUIRE)) {
		rx_rcu_read_lock();
		for (unsigned f = 0; f < 2; f++) {
			const struct rib_tree *t = &R.tree[f];
			size_t n = radix_walk_rcu(t, NULL, resume[f] ? &w[f].prev : NULL, 1000,
						  walk_cb, &w[f], &last);
			st->chunks++;
			if (n < 1000) { /* reached the end: start over */
				resume[f] = false;
				w[f].have_prev = false;
				st->walks++;
			} else {
				resume[f] = true;
			}
		}
		for (unsigned q = 0; q < 500; q++) {
			const struct rx_prefix *p = &U.p[xorshift(&s) % U.n];
			const struct rib_tree *t = rib_tree(&R, p->afi);
			const struct rib_node *nd = rib_find_rcu(&R, p);
			struct rx_prefix got;
			st->lookups++;
			if (nd) {
				st->hits++;
				rib_node_prefix(t, nd, &got);
				if (!rx_prefix_equal(&got, p))
					FAILF("reader: exact lookup found another prefix\n");
				check_node(t, nd, &got);
			}
			struct rx_prefix a = *p;
			a.addr[15] ^= (uint8_t)xorshift(&s);
			if (a.afi == RX_AFI_IPV4)
				a.addr[3] ^= (uint8_t)xorshift(&s);
			memset(a.addr + (a.afi == RX_AFI_IPV4 ? 4 : 16), 0,
			       a.afi == RX_AFI_IPV4 ? 12 : 0);
			a.len = (uint8_t)rx_afi_bits(a.afi);
			nd = rib_lpm_rcu(&R, &a);
			st->lookups++;
			if (nd) {
				st->hits++;
				rib_node_prefix(t, nd, &got);
				if (!rx_prefix_contains(&got, &a))
					FAILF(
					    "reader: longest match does not contain the address\n");
				check_node(t, nd, &got);
			}
			/* the index: its answer was a longest match of the tree at some moment, so
			 * at least a published prefix of the universe holding the address */
			if (rib_lpm_prefix_rcu(&R, &a, &got)) {
				st->hits++;
				long k = u_index(&got);
				if (!rx_prefix_contains(&got, &a))
					FAILF("reader: index match does not contain the address\n");
				else if (k < 0 || !__atomic_load_n(&U.ever[k], __ATOMIC_ACQUIRE))
					FAILF("reader: index match never published\n");
			}
			st->lookups++;
		}
		rx_rcu_read_unlock();
		/* QSBR: no node pointer is held past this point */
		rx_rcu_quiescent();
		/* a resumed walk restarts from a key, never a pointer */
		(void)last;
	}
	rx_rcu_unregister();
	return NULL;
}

/* ---- final check of the index ---- */

static void index_vs_tree(uint32_t addr)
{
	struct rx_prefix a, got, tree;
	memset(&a, 0, sizeof(a));
	a.afi = RX_AFI_IPV4;
	a.len = 32;
	wire_put32(a.addr, addr);
	bool hit = rib_lpm_prefix_rcu(&R, &a, &got);
	const struct rib_node *nd = rib_lpm_rcu(&R, &a);
	if (hit != (nd != NULL)) {
		FAILF("final: index %s, tree %s at %08x\n", hit ? "hit" : "miss",
		      nd ? "hit" : "miss", addr);
		return;
	}
	if (!nd)
		return;
	rib_node_prefix(&R.tree[0], nd, &tree);
	if (!rx_prefix_equal(&got, &tree))
		FAILF("final: index /%u, tree /%u at %08x\n", got.len, tree.len, addr);
}

/* The writer alone now: the index must equal the tree wherever its ranges begin or end,
 * and at random addresses. Returns the addresses checked. */
static size_t check_index(uint64_t *s)
{
	size_t n = 0;
	if (lpm_overflowed(R.lpm))
		FAILF("final: the index overflowed\n");
	for (size_t i = 0; i < U.n; i++) {
		if (U.p[i].afi != RX_AFI_IPV4)
			continue;
		uint32_t lo = wire_get32(U.p[i].addr);
		uint32_t hi = lo | (uint32_t)(0xffffffffull >> U.p[i].len);
		index_vs_tree(lo);
		index_vs_tree(hi);
		index_vs_tree(hi + 1);
		n += 3;
	}
	for (unsigned i = 0; i < 1000000; i++, n++)
		index_vs_tree((uint32_t)xorshift(s));
	return n;
}

/* ---- group churn: tbl8 groups made and dropped under a reader ----
 * The main phase's readers synchronise with the writer all the time (every node they
 * follow), which would hide a group published without ordering. Here one reader does
 * nothing but look up one address through the index while the writer makes and drops
 * the group of its /24 over and over; under TSan an unordered publication is a report,
 * and in any build a torn or reused group gives a length that was never there. */

#define CHURN_ADDR 0xf0120080u /* 240.18.0.128, under 240.18.0.0/15, /24 and /25: outside
				* the universe (1-223.x and four fixed prefixes) */
static int churn_done;	       /* A: release by the writer, acquire by the reader */

static void *churn_reader(void *arg)
{
	unsigned long *n = arg;
	rx_rcu_register();
	while (!__atomic_load_n(&churn_done, __ATOMIC_ACQUIRE)) {
		for (unsigned q = 0; q < 256; q++) {
			int len = lpm4_find_rcu(R.lpm, CHURN_ADDR + (q & 127));
			if (len != 15 && len != 24 && len != 25)
				FAILF("churn: index gave /%d under 240.18.0.128/25\n", len);
			(*n)++;
		}
		rx_rcu_quiescent();
	}
	rx_rcu_unregister();
	return NULL;
}

static void group_churn(struct attr_set *a, unsigned long rounds)
{
	struct rx_prefix p15, p24, p25;
	rx_prefix_parse("240.18.0.0/15", &p15, false);
	rx_prefix_parse("240.18.0.0/24", &p24, false);
	rx_prefix_parse("240.18.0.128/25", &p25, false);
	rib_update_w(&R, 1, 0, &p15, a);
	unsigned long looked = 0;
	pthread_t th;
	pthread_create(&th, NULL, churn_reader, &looked);
	size_t made = R.lpm->retired;
	for (unsigned long i = 0; i < rounds; i++) {
		rib_update_w(&R, 1, 0, &p25, a); /* a group appears */
		if (i & 1)
			rib_update_w(&R, 1, 0, &p24, a);
		rib_withdraw_w(&R, 1, 0, &p25); /* and goes */
		if (i & 1)
			rib_withdraw_w(&R, 1, 0, &p24);
		if (i % 16 == 15)
			rib_quiescent_w(&R);
	}
	__atomic_store_n(&churn_done, 1, __ATOMIC_RELEASE);
	rx_rcu_offline();
	pthread_join(th, NULL);
	rx_rcu_online();
	rib_withdraw_w(&R, 1, 0, &p15);
	printf("stress_rib: group churn: %zu groups made and dropped, %lu index lookups\n",
	       R.lpm->retired - made, looked);
}

/* ---- writer ---- */

static unsigned long env_ul(const char *name, unsigned long def)
{
	const char *v = getenv(name);
	return v ? strtoul(v, NULL, 10) : def;
}

int main(void)
{
	unsigned long ops = env_ul("RX_STRESS_OPS", 1000000);
	unsigned long n4 = env_ul("RX_STRESS_UNIVERSE", 200000);
	unsigned readers = (unsigned)env_ul("RX_STRESS_READERS", 3);
	make_universe(n4, n4 / 8);
	rx_rcu_register();
	struct rib_conf conf;
	rib_conf_default(&conf);
	conf.lpm_index = true;
	rib_init(&R, &conf);
	for (uint16_t s = 1; s <= NSRC; s++) {
		struct rib_peer_info pi = {
		    .asn = 65000u + s, .router_id = s, .afi = RX_AFI_IPV4, .role = RIB_ROLE_NVA};
		pi.addr[0] = 10;
		pi.addr[3] = (uint8_t)s;
		rib_peer_add_w(&R, s, &pi);
	}
	struct attr_set *pool[32];
	for (unsigned i = 0; i < 32; i++)
		pool[i] = make_attr(64512 + i * 16, 1 + i % 4);

	/* present[i * NSRC + s - 1]: the writer's record of who has a path where */
	uint8_t *present = calloc(U.n * NSRC, 1);
	pthread_t th[16];
	struct reader_stats rst[16];
	memset(rst, 0, sizeof(rst));
	if (readers > 16)
		readers = 16;
	for (unsigned i = 0; i < readers; i++)
		pthread_create(&th[i], NULL, reader, &rst[i]);

	uint64_t s = 42;
	uint32_t fresh_as = 100000;
	unsigned long flushes = 0, sweeps = 0;
	double t0 = now();
	for (unsigned long op = 0; op < ops; op++) {
		size_t i = xorshift(&s) % U.n;
		uint16_t src = (uint16_t)(1 + xorshift(&s) % NSRC);
		unsigned r = (unsigned)(xorshift(&s) % 100);
		if (r < 65) {
			struct attr_set *a;
			bool own = r < 5; /* a set of its own: dies when replaced or withdrawn */
			a = own ? make_attr(fresh_as += 16, 2) : pool[xorshift(&s) % 32];
			if (!U.ever[i])
				__atomic_store_n(&U.ever[i], 1, __ATOMIC_RELEASE);
			rib_update_w(&R, src, 0, &U.p[i], a);
			if (own)
				attr_unref_w(&R.attrs, a);
			present[i * NSRC + src - 1] = 1;
		} else {
			rib_withdraw_w(&R, src, 0, &U.p[i]);
			present[i * NSRC + src - 1] = 0;
		}
		if (op % 200000 == 199999) {
			/* peer 3 goes down */
			rib_peer_flush_w(&R, 3);
			for (size_t j = 0; j < U.n; j++)
				present[j * NSRC + 2] = 0;
			flushes++;
		} else if (op % 200000 == 99999) {
			/* peer 2 refreshes half of its routes, then the rest is swept */
			rib_peer_mark_stale_w(&R, 2);
			for (size_t j = 0; j < U.n; j += 2)
				if (present[j * NSRC + 1])
					rib_update_w(&R, 2, 0, &U.p[j], pool[j % 32]);
			rib_peer_sweep_w(&R, 2);
			for (size_t j = 1; j < U.n; j += 2)
				present[j * NSRC + 1] = 0;
			sweeps++;
		}
		if (op % 256 == 255) {
			struct rib_changes c;
			memset(&c, 0, sizeof(c));
			rib_changes_take_w(&R, &c);
			rib_changes_release_w(&R, &c);
			rib_quiescent_w(&R);
		}
	}
	double t1 = now();
	__atomic_store_n(&writer_done, 1, __ATOMIC_RELEASE);
	rx_rcu_offline(); /* the readers' last grace periods must not wait for us */
	for (unsigned i = 0; i < readers; i++)
		pthread_join(th[i], NULL);
	rx_rcu_online();

	/* the final tree agrees with the writer's record */
	size_t want = 0, got = 0;
	for (size_t i = 0; i < U.n; i++) {
		unsigned k = 0;
		for (unsigned j = 0; j < NSRC; j++)
			k += present[i * NSRC + j];
		want += k > 0;
		const struct rib_node *nd = rib_find_rcu(&R, &U.p[i]);
		if ((nd ? nd->n : 0) != k)
			FAILF("final: prefix %zu has %u paths, expected %u\n", i, nd ? nd->n : 0,
			      k);
		got += nd != NULL;
	}
	size_t lpm_checked = check_index(&s);
	group_churn(pool[0], env_ul("RX_STRESS_CHURN", 100000));
	{
		struct rib_changes c;
		memset(&c, 0, sizeof(c));
		rib_changes_take_w(&R, &c);
		rib_changes_release_w(&R, &c);
	}
	struct rib_stats st;
	rib_stats(&R, &st);
	if (got != want || st.prefixes[0] + st.prefixes[1] != want)
		FAILF("final: %zu prefixes, expected %zu\n", got, want);
	unsigned long nodes = 0, lookups = 0, hits = 0, walks = 0, chunks = 0;
	for (unsigned i = 0; i < readers; i++) {
		nodes += rst[i].nodes;
		lookups += rst[i].lookups;
		hits += rst[i].hits;
		walks += rst[i].walks;
		chunks += rst[i].chunks;
	}
	printf("stress_rib: universe %zu prefixes, %lu writer ops in %.2f s (%.0f ops/s), "
	       "%lu flushes, %lu sweeps\n",
	       U.n, ops, t1 - t0, ops / (t1 - t0), flushes, sweeps);
	printf("stress_rib: index agrees with the tree at %zu addresses (%zu groups, %zu "
	       "retired)\n",
	       lpm_checked, R.lpm->n_groups, R.lpm->retired);
	printf("stress_rib: %u readers: %lu lookups (%lu hits), %lu nodes walked in %lu chunks, "
	       "%lu full walks; final %zu prefixes, %zu attr sets, %zu retired pending\n",
	       readers, lookups, hits, nodes, chunks, walks, want, st.attr_sets,
	       st.retired_pending);
	for (unsigned i = 0; i < 32; i++)
		attr_unref_w(&R.attrs, pool[i]);
	rib_fini(&R);
	rx_rcu_unregister();
	free(present);
	free(U.p);
	free(U.ever);
	unsigned long f = __atomic_load_n(&failures, __ATOMIC_RELAXED);
	if (f || walks == 0) {
		printf("stress_rib: FAILED (%lu failures, %lu full walks)\n", f, walks);
		return 1;
	}
	printf("stress_rib: 1 passed, 0 failed\n");
	return 0;
}
