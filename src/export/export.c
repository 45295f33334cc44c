/* export.c: update groups, packing and distribution (see export.h).
 *
 * Each group turns every change of a batch into a few items (announce or withdraw, with a
 * class), threaded into runs of the same attribute set, source, family and class; at flush
 * each run is packed behind one encoding of its attributes, as many NLRI per message as
 * fit, and the packed bytes of one class form one struct io_out, queued by reference to
 * every member the class includes. Packing reorders prefixes across runs, so a prefix that
 * comes back within one batch flushes the batch first (seen_before): no member can see two
 * messages for one prefix out of order.
 *
 * Classes (split horizon without giving up sharing):
 *   ALL       every member (the route's source is not a member)
 *   EXCEPT s  every member but s (s is a member and the route's source)
 *   ONLY s    member s alone (s lost the route it was sent because it became the source)
 *   EXCEPT_SET i  every member but those of the batch's set i (per-member policy below)
 *
 * Per-member policy. Members of one group may still be due different routes when a path
 * carries IXP control communities ("do not announce to AS X"): such a prefix is handled
 * member by member (members_change). Members whose route did not change are left out, the
 * route most of the others are due is packed once for all of them (EXCEPT_SET the rest),
 * and each remaining member is sent its own (ONLY). Prefixes whose selected paths carry no
 * such community, nearly all of them, never pay for it. A member's advertised count is the
 * group's, less its own routes, plus hidden_adj: the routes per-member policy added to or
 * took from what the group selection alone would give it. */
#include <stdlib.h>
#include <string.h>

#include <routex/compiler.h>
#include <routex/export.h>
#include <routex/policy.h>
#include <routex/rib.h>
#include <routex/wire.h>

enum cls { CLS_ALL, CLS_EXCEPT, CLS_ONLY, CLS_EXCEPT_SET };

/* A run: the prefixes that go into one message stream (same attribute set, source,
 * family and class). Its prefixes are a list threaded through the item array, in the order
 * they were added. */
struct run {
	const struct rib_path *path; /* NULL: withdrawals */
	uint8_t fam;                 /* enum rx_family */
	uint8_t cls;
	uint16_t cls_src;
	uint32_t head, tail, n;
};

struct item {
	struct rx_prefix p;
	uint32_t path_id;            /* ADD-PATH groups: the id it is sent with */
	uint32_t next;               /* next item of the same run; UINT32_MAX: none */
};

/* One class's packed bytes. */
struct chunk {
	uint8_t cls;
	uint16_t cls_src;
	uint8_t *buf;
	size_t len, cap;
};

/* Open addressing over runs; a slot is live only when its generation is the current one,
 * so emptying the table between batches costs nothing. */
struct run_slot {
	uint32_t gen;
	uint32_t run;
};

struct export_pack {
	struct item *items;
	size_t n_items, cap_items;
	struct run *runs;
	size_t n_runs, cap_runs;
	struct run_slot *slots;
	size_t mask;
	uint32_t gen;
	size_t last_run;             /* the run found last: checked first */
	struct chunk *chunks;
	size_t n_chunks, cap_chunks;
	uint16_t *set_src;           /* EXCEPT_SET member lists, back to back */
	size_t n_set_src, cap_set_src;
	struct pack_set *sets;       /* EXCEPT_SET i: set_src[sets[i].off ..][0 .. n) */
	size_t n_sets, cap_sets;
};

struct pack_set {
	uint32_t off, n;
};

/* ---- small helpers ---- */

static void *grow(void *p, size_t *cap, size_t need, size_t esize)
{
	if (need <= *cap)
		return p;
	size_t c = *cap ? *cap : 16;
	while (c < need)
		c *= 2;
	p = realloc(p, c * esize);
	RX_ASSERT(p);
	*cap = c;
	return p;
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

static uint64_t pfx_hash(const struct rx_prefix *p)
{
	uint64_t a, b;
	memcpy(&a, p->addr, 8);
	memcpy(&b, p->addr + 8, 8);
	return mix(a ^ mix(b ^ ((uint64_t)p->len << 8 | p->afi)));
}

/* ---- what a limited member holds ---- */

/* A set of prefixes: linear probing, an empty slot has afi 0, and deletion shifts the
 * following entries back (no tombstones, so a long-lived set with churn never degrades). */
struct export_held {
	struct rx_prefix *v;
	size_t mask, n;
};

static struct export_held *held_new(void)
{
	struct export_held *h = calloc(1, sizeof(*h));
	RX_ASSERT(h);
	h->mask = 15;
	h->v = calloc(h->mask + 1, sizeof(*h->v));
	RX_ASSERT(h->v);
	return h;
}

static void held_free(struct export_held *h)
{
	if (h)
		free(h->v);
	free(h);
}

/* The slot holding p, or the empty slot where it would go. */
static size_t held_slot(const struct export_held *h, const struct rx_prefix *p)
{
	for (size_t i = pfx_hash(p) & h->mask;; i = (i + 1) & h->mask)
		if (!h->v[i].afi || rx_prefix_equal(&h->v[i], p))
			return i;
}

static bool held_has(const struct export_held *h, const struct rx_prefix *p)
{
	return h->v[held_slot(h, p)].afi != 0;
}

static void held_add(struct export_held *h, const struct rx_prefix *p)
{
	if (2 * (h->n + 1) > h->mask + 1) {
		struct export_held old = *h;
		h->mask = 2 * h->mask + 1;
		h->v = calloc(h->mask + 1, sizeof(*h->v));
		RX_ASSERT(h->v);
		for (size_t i = 0; i <= old.mask; i++)
			if (old.v[i].afi)
				h->v[held_slot(h, &old.v[i])] = old.v[i];
		free(old.v);
	}
	size_t i = held_slot(h, p);
	if (!h->v[i].afi) {
		h->v[i] = *p;
		h->n++;
	}
}

static void held_del(struct export_held *h, const struct rx_prefix *p)
{
	size_t i = held_slot(h, p);
	if (!h->v[i].afi)
		return;
	/* Move back every later entry of the cluster whose home slot is not in (i, j]. */
	for (size_t j = (i + 1) & h->mask; h->v[j].afi; j = (j + 1) & h->mask) {
		size_t home = pfx_hash(&h->v[j]) & h->mask;
		bool stays = i < j ? (home > i && home <= j) : (home > i || home <= j);
		if (!stays) {
			h->v[i] = h->v[j];
			i = j;
		}
	}
	h->v[i] = (struct rx_prefix){0};
	h->n--;
}


static enum rx_family fam_of(const struct rx_prefix *p)
{
	return p->afi == RX_AFI_IPV4 ? RX_FAM_IPV4_UNICAST : RX_FAM_IPV6_UNICAST;
}

static struct export_member *member(const struct export_state *e, struct export_group *g,
				    uint16_t src)
{
	if (src < e->n_where && e->where[src].g == g)
		return &g->m[e->where[src].i];
	return NULL;
}

static void where_set(struct export_state *e, uint16_t src, struct export_group *g, unsigned i)
{
	if (src >= e->n_where) {
		size_t n = e->n_where ? e->n_where : 64;
		while (n <= src)
			n *= 2;
		e->where = realloc(e->where, n * sizeof(*e->where));
		RX_ASSERT(e->where);
		memset(e->where + e->n_where, 0, (n - e->n_where) * sizeof(*e->where));
		e->n_where = n;
	}
	e->where[src] = (struct export_where){g, i};
}

static uint64_t run_hash(const struct rib_path *path, uint8_t fam, uint8_t cls, uint16_t s)
{
	uint64_t a = path ? (uint64_t)(uintptr_t)path->attrs ^ ((uint64_t)path->src << 48) : 0;
	return mix(a ^ ((uint64_t)fam << 40 | (uint64_t)cls << 32 | s));
}

static bool run_match(const struct run *r, const struct rib_path *path, uint8_t fam, uint8_t cls,
		      uint16_t s)
{
	if (r->fam != fam || r->cls != cls || r->cls_src != s || !r->path != !path)
		return false;
	/* The RPKI state too: an export map may rewrite paths of one attribute set apart by it. */
	return !path || (r->path->attrs == path->attrs && r->path->src == path->src &&
			 r->path->rpki == path->rpki);
}

static void slots_rebuild(struct export_pack *pk, size_t cap)
{
	free(pk->slots);
	pk->slots = calloc(cap, sizeof(*pk->slots));
	RX_ASSERT(pk->slots);
	pk->mask = cap - 1;
	pk->gen = 1;
	for (size_t r = 0; r < pk->n_runs; r++) {
		const struct run *ru = &pk->runs[r];
		size_t i = run_hash(ru->path, ru->fam, ru->cls, ru->cls_src) & pk->mask;
		while (pk->slots[i].gen == pk->gen)
			i = (i + 1) & pk->mask;
		pk->slots[i] = (struct run_slot){pk->gen, (uint32_t)r};
	}
}

static struct run *run_get(struct export_pack *pk, const struct rib_path *path, uint8_t fam,
			   uint8_t cls, uint16_t s)
{
	/* Prefixes of one UPDATE share their attributes: most lookups hit the previous run. */
	if (pk->last_run < pk->n_runs && run_match(&pk->runs[pk->last_run], path, fam, cls, s))
		return &pk->runs[pk->last_run];
	if (2 * (pk->n_runs + 1) > pk->mask + 1)
		slots_rebuild(pk, pk->mask ? 2 * (pk->mask + 1) : 1024);
	size_t i = run_hash(path, fam, cls, s) & pk->mask;
	for (; pk->slots[i].gen == pk->gen; i = (i + 1) & pk->mask) {
		struct run *r = &pk->runs[pk->slots[i].run];
		if (run_match(r, path, fam, cls, s)) {
			pk->last_run = pk->slots[i].run;
			return r;
		}
	}
	pk->runs = grow(pk->runs, &pk->cap_runs, pk->n_runs + 1, sizeof(*pk->runs));
	pk->slots[i] = (struct run_slot){pk->gen, (uint32_t)pk->n_runs};
	pk->last_run = pk->n_runs;
	struct run *r = &pk->runs[pk->n_runs++];
	*r = (struct run){.path = path, .fam = fam, .cls = cls, .cls_src = s, .head = UINT32_MAX};
	return r;
}

static void item_add_id(struct export_pack *pk, const struct rib_path *path,
			const struct rx_prefix *p, uint32_t path_id, uint8_t cls, uint16_t s)
{
	struct run *r = run_get(pk, path, (uint8_t)fam_of(p), cls, s);
	pk->items = grow(pk->items, &pk->cap_items, pk->n_items + 1, sizeof(*pk->items));
	uint32_t idx = (uint32_t)pk->n_items++;
	pk->items[idx] = (struct item){.p = *p, .path_id = path_id, .next = UINT32_MAX};
	if (r->head == UINT32_MAX)
		r->head = idx;
	else
		pk->items[r->tail].next = idx;
	r->tail = idx;
	r->n++;
}

static void item_add(struct export_pack *pk, const struct rib_path *path, const struct rx_prefix *p,
		     uint8_t cls, uint16_t s)
{
	item_add_id(pk, path, p, 0, cls, s);
}

/* Ends a batch: the next one starts with an empty run table. */
static void pack_reset(struct export_pack *pk)
{
	pk->n_items = 0;
	pk->n_runs = 0;
	if (++pk->gen == 0) { /* wrapped: every slot must look stale again */
		memset(pk->slots, 0, (pk->mask + 1) * sizeof(*pk->slots));
		pk->gen = 1;
	}
}

/* ---- packing ---- */

static struct chunk *chunk_for(struct export_pack *pk, uint8_t cls, uint16_t s)
{
	for (size_t i = 0; i < pk->n_chunks; i++)
		if (pk->chunks[i].cls == cls && pk->chunks[i].cls_src == s)
			return &pk->chunks[i];
	pk->chunks = grow(pk->chunks, &pk->cap_chunks, pk->n_chunks + 1, sizeof(*pk->chunks));
	struct chunk *c = &pk->chunks[pk->n_chunks++];
	*c = (struct chunk){.cls = cls, .cls_src = s};
	return c;
}

/* Packs the items from `head` (a list of run r) into its class's chunk, with the set
 * actions of an export map entry (NULL: none). */
static void pack_items(struct export_state *e, const struct rib *rib, const struct export_group *g,
		       const struct run *r, uint32_t head, uint32_t n_items,
		       const struct policy_entry *set)
{
	uint8_t attrs[WIRE_EXT_MAX_LEN], nh[32], nh_len = 0;
	size_t alen = 0, max_msg = g->key.ext_msg ? WIRE_EXT_MAX_LEN : WIRE_MAX_LEN;
	bool withdraw = r->path == NULL;
	if (r->path) {
		alen = export_attrs_encode_set(e, rib, &g->key, r->path,
					       r->fam != RX_FAM_IPV4_UNICAST, set, attrs,
					       sizeof(attrs), nh, &nh_len);
		/* RFC 8654 4: a route whose attributes cannot fit is withheld from the group; so is
		 * an IPv6 route without an IPv6 next hop (an originated one), which a receiver
		 * would have to treat as malformed (RFC 7606 7.11). Withheld means withdrawn: the
		 * members may hold an earlier version that did fit. */
		bool no_nh = !export_has_nexthop(&e->pol, r->path, r->fam != RX_FAM_IPV4_UNICAST);
		if (!alen || alen + 64 > max_msg || no_nh) {
			e->routes_withheld += n_items;
			withdraw = true;
			alen = 0;
		}
	}
	const struct item *items = g->pack->items;
	struct chunk *c = chunk_for(g->pack, r->cls, r->cls_src);
	struct wire_update_builder b;
	uint32_t i = head;
	while (i != UINT32_MAX) {
		c->buf = grow(c->buf, &c->cap, c->len + max_msg, 1);
		wire_update_begin(&b, c->buf + c->len, max_msg, (enum rx_family)r->fam, withdraw,
				  (g->key.addpath & RX_FAM_BIT(r->fam)) != 0, attrs, alen, nh, nh_len);
		while (i != UINT32_MAX && wire_update_add(&b, &items[i].p, items[i].path_id))
			i = items[i].next;
		c->len += wire_update_finish(&b);
		e->msgs_packed++;
	}
}

struct entry_item {
	int idx;      /* export map entry */
	uint32_t pos; /* order in the run: prefixes stay in the order they came */
	uint32_t item;
};

static int entry_item_cmp(const void *a, const void *b)
{
	const struct entry_item *x = a, *y = b;
	if (x->idx != y->idx)
		return (x->idx > y->idx) - (x->idx < y->idx);
	return (x->pos > y->pos) - (x->pos < y->pos);
}

/* Packs one run. With an export map that changes attributes, which entry applies depends
 * on the prefix too (prefix lists), so the run is split by entry, each part packed behind
 * its own encoding; the run table itself stays keyed by path only. */
static void pack_run(struct export_state *e, const struct rib *rib, const struct export_group *g,
		     const struct run *r)
{
	const struct policy_map *map = g->key.map;
	if (!r->path || !map || !map->has_set) {
		pack_items(e, rib, g, r, r->head, r->n, NULL);
		return;
	}
	struct item *items = g->pack->items;
	struct entry_item *v = malloc(r->n * sizeof(*v));
	RX_ASSERT(v);
	uint32_t n = 0;
	for (uint32_t i = r->head; i != UINT32_MAX; i = items[i].next, n++)
		v[n] = (struct entry_item){export_map_eval(rib, &g->key, &items[i].p, r->path), n, i};
	qsort(v, n, sizeof(*v), entry_item_cmp);
	for (uint32_t a = 0; a < n;) {
		uint32_t b = a;
		while (b < n && v[b].idx == v[a].idx)
			b++;
		for (uint32_t k = a; k < b; k++) /* re-thread this part as a list of its own */
			items[v[k].item].next = k + 1 < b ? v[k + 1].item : UINT32_MAX;
		pack_items(e, rib, g, r, v[a].item, b - a,
			   policy_changes(map, v[a].idx) ? &map->v[v[a].idx] : NULL);
		a = b;
	}
	free(v);
}

static bool in_set(const struct export_pack *pk, uint16_t set, uint16_t src)
{
	const struct pack_set *ps = &pk->sets[set];
	for (uint32_t i = 0; i < ps->n; i++)
		if (pk->set_src[ps->off + i] == src)
			return true;
	return false;
}

static bool includes(const struct export_pack *pk, const struct chunk *c, uint16_t src)
{
	switch (c->cls) {
	case CLS_ALL:
		return true;
	case CLS_EXCEPT:
		return c->cls_src != src;
	case CLS_ONLY:
		return c->cls_src == src;
	default:
		return !in_set(pk, c->cls_src, src);
	}
}

/* Interns a member list as the batch's EXCEPT_SET; the same list as the last one (runs
 * of prefixes hidden from the same client) is shared. */
/* Whether another EXCEPT_SET list fits the batch (its index is 16 bits). When it does not,
 * callers send each member its own message instead: correct, only less shared. */
static bool set_room(const struct export_pack *pk)
{
	return pk->n_sets < UINT16_MAX - 1;
}

static uint16_t set_add(struct export_pack *pk, const uint16_t *v, uint32_t n)
{
	if (pk->n_sets) {
		const struct pack_set *l = &pk->sets[pk->n_sets - 1];
		if (l->n == n && !memcmp(pk->set_src + l->off, v, n * sizeof(*v)))
			return (uint16_t)(pk->n_sets - 1);
	}
	RX_ASSERT(pk->n_sets < UINT16_MAX); /* callers check set_room first */
	pk->set_src = grow(pk->set_src, &pk->cap_set_src, pk->n_set_src + n, sizeof(*v));
	memcpy(pk->set_src + pk->n_set_src, v, n * sizeof(*v));
	pk->sets = grow(pk->sets, &pk->cap_sets, pk->n_sets + 1, sizeof(*pk->sets));
	pk->sets[pk->n_sets] = (struct pack_set){(uint32_t)pk->n_set_src, n};
	pk->n_set_src += n;
	return (uint16_t)pk->n_sets++;
}

/* Encodes everything pending for g and queues it to the members. */
static void flush_group(struct export_state *e, const struct rib *rib, struct export_group *g)
{
	struct export_pack *pk = g->pack;
	for (size_t r = 0; r < pk->n_runs; r++)
		pack_run(e, rib, g, &pk->runs[r]);
	pack_reset(pk);
	for (size_t i = 0; i < pk->n_chunks; i++) {
		struct chunk *c = &pk->chunks[i];
		if (c->len) {
			struct io_out *o = io_out_new(c->len);
			memcpy(o->data, c->buf, c->len);
			for (unsigned m = 0; m < g->n; m++)
				if (includes(pk, c, g->m[m].src))
					g->m[m].send(g->m[m].send_ctx, o);
			io_out_unref(o);
		}
		free(c->buf);
	}
	pk->n_chunks = 0;
	pk->n_sets = 0;
	pk->n_set_src = 0;
}

/* ---- groups ---- */

static bool key_equal(const struct export_key *a, const struct export_key *b)
{
	return a->role == b->role && a->families == b->families && a->as4 == b->as4 &&
	       a->ebgp == b->ebgp && a->ext_msg == b->ext_msg && a->limit == b->limit &&
	       a->addpath == b->addpath &&
	       policy_map_equal(a->map, b->map); /* by content: a reload compiles maps anew */
}

void export_init(struct export_state *e, const struct export_policy *pol)
{
	memset(e, 0, sizeof(*e));
	e->pol = *pol;
}

static void pack_free(struct export_pack *pk)
{
	free(pk->set_src);
	free(pk->sets);
	free(pk->items);
	free(pk->runs);
	free(pk->slots);
	free(pk->chunks);
}

static void group_free(struct export_group *g)
{
	if (g->agg.attrs)
		attr_unref_w(g->agg_table, g->agg.attrs);
	free(g->sums);
	held_free(g->held);
	pack_free(g->pack);
	free(g->pack);
	free(g->m);
	free(g);
}

void export_fini(struct export_state *e)
{
	for (unsigned i = 0; i < e->n_groups; i++)
		group_free(e->groups[i]);
	free(e->groups);
	free(e->where);
	free(e->seen);
	memset(e, 0, sizeof(*e));
}

/* The group of key k; a limited key always gets a new group (its member's own). */
/* ---- summaries (export map `summarise`, docs/policy.md) ----
 * A group whose export map summarises keeps, per summary prefix S, the number of prefixes
 * whose selected route S stands for: a route the summarising entry permits and S covers, or
 * any permitted route for S itself (so that S is never sent twice). Those routes are not
 * sent; S is, as a route the server originates, while its count is above 0. The count moves
 * with the group's selection (group_prefix), so it follows changes, policy walks and feeds;
 * S's own announce and withdraw go through group_change like any prefix's, which gives
 * limited members (max-prefixes-out: the ARS case of summarising towards ExpressRoute) the
 * summary within their limit. Per-member choices (IXP control communities) follow the
 * group's: a route that is summarised is summarised for every member. */

/* The summaries' attributes: ORIGIN IGP, an empty AS_PATH (our AS is prepended towards
 * eBGP), ATOMIC_AGGREGATE and AGGREGATOR (RFC 4271 5.1.6, 5.1.7); the next hop is the
 * originated routes' (export_attrs_encode). */
static void summaries_init(struct export_state *e, struct rib *rib, struct export_group *g)
{
	const struct policy_map *m = g->key.map;
	if (!m || !m->has_summarise || g->key.addpath)
		return;
	g->sums = calloc(m->n, sizeof(*g->sums));
	RX_ASSERT(g->sums);
	for (size_t i = 0; i < m->n; i++) {
		if (!(m->v[i].s.kinds & POLICY_S_SUMMARISE) || m->v[i].action != POLICY_PERMIT)
			continue;
		unsigned j = 0;
		while (j < g->n_sums && !rx_prefix_equal(&g->sums[j].p, &m->v[i].s.summarise))
			j++;
		if (j == g->n_sums)
			g->sums[g->n_sums++].p = m->v[i].s.summarise;
	}
	struct wire_attrs wa = {.present = WIRE_ATTR_BIT(WIRE_ATTR_ORIGIN) |
					   WIRE_ATTR_BIT(WIRE_ATTR_AS_PATH) |
					   WIRE_ATTR_BIT(WIRE_ATTR_ATOMIC_AGGREGATE) |
					   WIRE_ATTR_BIT(WIRE_ATTR_AGGREGATOR),
				.origin = WIRE_ORIGIN_IGP, .atomic_aggregate = true,
				.aggregator_as = e->pol.asn};
	wire_put32(wa.aggregator_addr, e->pol.router_id);
	uint8_t buf[256];
	static const uint8_t no_nexthop[1];
	struct attr_buf ab = {.data = buf, .cap = sizeof(buf)};
	RX_ASSERT(attr_encode(&wa, no_nexthop, 0, &ab));
	g->agg = (struct rib_path){.attrs = attr_intern_w(&rib->attrs, &ab), .src = RIB_SRC_LOCAL};
	g->agg_table = &rib->attrs;
}

/* Whether p is one of g's summary prefixes. */
static bool is_summary(const struct export_group *g, const struct rx_prefix *p)
{
	for (unsigned i = 0; i < g->n_sums; i++)
		if (rx_prefix_equal(&g->sums[i].p, p))
			return true;
	return false;
}

/* The summary (index into g->sums) that the group's route `sel` for p stands for, or -1. */
static int summary_of(const struct export_group *g, const struct rib *rib,
		      const struct rx_prefix *p, const struct rib_path *sel)
{
	if (!sel)
		return -1;
	int idx = export_map_eval(rib, &g->key, p, sel);
	const struct policy_set *st = idx >= 0 ? &g->key.map->v[idx].s : NULL;
	bool by_entry = st && (st->kinds & POLICY_S_SUMMARISE) && rx_prefix_contains(&st->summarise, p);
	for (unsigned i = 0; i < g->n_sums; i++)
		if (rx_prefix_equal(&g->sums[i].p, by_entry ? &st->summarise : p))
			return (int)i;
	return -1;
}

static void flush_all(struct export_state *e, const struct rib *rib);
static bool seen_before(struct export_state *e, const struct rx_prefix *p);
static void group_change(struct export_state *e, struct export_group *g,
			 const struct rx_prefix *p, const struct rib_path *old,
			 const struct rib_path *nw);

/* Summary i of g gains (delta 1) or loses (-1) a route; at 0 <-> 1 it is announced or
 * withdrawn. cur is the prefix being handled: a summary sent twice in one batch flushes it
 * first, as export_changes_w does for any prefix, and cur is marked again after the flush. */
static void summary_move(struct export_state *e, const struct rib *rib, struct export_group *g,
			 int i, int delta, const struct rx_prefix *cur)
{
	if (i < 0)
		return;
	struct export_summary *s = &g->sums[i];
	if (delta > 0 ? s->count++ != 0 : --s->count != 0)
		return;
	if (seen_before(e, &s->p)) {
		flush_all(e, rib);
		seen_before(e, &s->p);
		seen_before(e, cur);
	}
	group_change(e, g, &s->p, delta > 0 ? NULL : &g->agg, delta > 0 ? &g->agg : NULL);
}

static struct export_group *group_get(struct export_state *e, struct rib *rib,
				      const struct export_key *k)
{
	for (unsigned i = 0; i < e->n_groups && !k->limit; i++)
		if (key_equal(&e->groups[i]->key, k))
			return e->groups[i];
	struct export_group *g = calloc(1, sizeof(*g));
	RX_ASSERT(g);
	g->key = *k;
	if (k->limit)
		g->held = held_new();
	g->pack = calloc(1, sizeof(*g->pack));
	RX_ASSERT(g->pack);
	summaries_init(e, rib, g);
	size_t cap = e->cap_groups;
	e->groups = grow(e->groups, &cap, e->n_groups + 1, sizeof(*e->groups));
	e->cap_groups = (unsigned)cap;
	e->groups[e->n_groups++] = g;
	return g;
}

static void publish(struct export_group *g, struct export_member *m)
{
	size_t n = g->held ? g->held->n : (size_t)((long)(g->selected - m->self_selected) + m->hidden_adj);
	if (m->advertised) /* A: relaxed, a counter for readers */
		__atomic_store_n(m->advertised, n, __ATOMIC_RELAXED);
}

static struct export_group *group_of(const struct export_state *e, uint16_t src,
				     struct export_member **m)
{
	if (src >= e->n_where || !e->where[src].g)
		return NULL;
	struct export_group *g = e->where[src].g;
	if (m)
		*m = &g->m[e->where[src].i];
	return g;
}

/* ---- limited members ---- */

static bool same_route(const struct rib_path *a, const struct rib_path *b)
{
	return a == b || (a && b && a->attrs == b->attrs && a->src == b->src);
}

/* What member src is due of its group's path for p: nothing when the path is its own (split
 * horizon) or has no next hop it could be sent with (see export_has_nexthop). */
static const struct rib_path *due(const struct export_state *e, const struct rib_path *sel, uint16_t src,
				  const struct rx_prefix *p)
{
	if (!sel || sel->src == src || !export_has_nexthop(&e->pol, sel, p->afi == RX_AFI_IPV6))
		return NULL;
	return sel;
}

static void limit_state(struct export_state *e, struct export_group *g, bool reached)
{
	if (g->overflow == reached)
		return;
	g->overflow = reached;
	if (e->limit_cb)
		e->limit_cb(e->limit_ctx, g->m[0].src, g->key.limit, reached);
}

/* A limited group's change for p: the held set, not the old selection, says what the member
 * has. A route that does not fit is withheld; losing a held prefix while routes are withheld
 * asks for a refill at the end of the batch. */
static void limited_change(struct export_state *e, struct export_group *g,
			   const struct rx_prefix *p, const struct rib_path *old,
			   const struct rib_path *nw)
{
	uint16_t src = g->m[0].src;
	old = due(e, old, src, p);
	nw = due(e, nw, src, p);
	if (held_has(g->held, p)) {
		if (!nw) {
			held_del(g->held, p);
			item_add(g->pack, NULL, p, CLS_ALL, 0);
			g->refill = g->overflow;
		} else if (!same_route(old, nw)) {
			item_add(g->pack, nw, p, CLS_ALL, 0);
		}
	} else if (nw) {
		if (g->held->n < g->key.limit) {
			held_add(g->held, p);
			item_add(g->pack, nw, p, CLS_ALL, 0);
		} else {
			limit_state(e, g, true);
		}
	}
}

/* ---- one prefix, one group ---- */

/* Queues what moving from `old` to `nw` (the paths the group selects) means for g. */
static void group_change(struct export_state *e, struct export_group *g,
			 const struct rx_prefix *p, const struct rib_path *old,
			 const struct rib_path *nw)
{
	if (g->held) {
		limited_change(e, g, p, old, nw);
		return;
	}
	if (same_route(old, nw))
		return;
	struct export_pack *pk = g->pack;
	struct export_member *mo = old ? member(e, g, old->src) : NULL;
	struct export_member *mn = nw ? member(e, g, nw->src) : NULL;
	g->selected += (nw != NULL) - (old != NULL);
	if (mo)
		mo->self_selected--;
	if (mn)
		mn->self_selected++;
	if (nw) {
		item_add(pk, nw, p, mn ? CLS_EXCEPT : CLS_ALL, mn ? mn->src : 0);
		/* The new source had the old route from us: it must lose it (split horizon). */
		if (mn && old && mo != mn)
			item_add(pk, NULL, p, CLS_ONLY, mn->src);
	} else {
		/* Withdraw from everyone who had it: all but the old source. */
		item_add(pk, NULL, p, mo ? CLS_EXCEPT : CLS_ALL, mo ? mo->src : 0);
	}
	if (mo)
		publish(g, mo);
	if (mn && mn != mo)
		publish(g, mn);
}

/* The same route encoded anew for everyone who holds it (the attribute rewrite changed). */
static void resend(const struct export_state *e, struct export_group *g, const struct rx_prefix *p,
		   const struct rib_path *sel)
{
	if (!g->held) {
		struct export_member *ms = member(e, g, sel->src);
		item_add(g->pack, sel, p, ms ? CLS_EXCEPT : CLS_ALL, ms ? ms->src : 0);
	} else if (held_has(g->held, p)) {
		item_add(g->pack, sel, p, CLS_ALL, 0);
	}
}

/* ---- per-member policy ---- */

/* Whether members of g may be due something else than the group's path sel: it carries
 * IXP control communities and the group is of rs-clients. */
static inline __attribute__((always_inline)) bool
member_policy(const struct export_policy *pol, const struct export_key *k,
	      const struct rib_path *sel)
{
	return sel && k->role == RIB_ROLE_RS_CLIENT && pol->ixp_communities &&
	       (sel->attrs->k.comm_len || sel->attrs->k.large_comm_len) &&
	       export_ixp_control(pol->asn, sel->attrs);
}

/* The path member src picks from set[0 .. n), given the group's pick sel (a pointer into
 * set, or NULL): sel itself unless per-member policy hides it, then the next path the group
 * and the member may have. Split horizon is the caller's (due, or a source check). */
static const struct rib_path *member_pick(const struct export_state *e, const struct rib *rib,
					  const struct export_key *k, const struct rx_prefix *p,
					  uint16_t src,
					  const struct rib_path *set, unsigned n,
					  const struct rib_path *sel)
{
	if (!member_policy(&e->pol, k, sel))
		return sel;
	uint32_t asn = rib->peers[src].info.asn;
	for (unsigned i = (unsigned)(sel - set); i < n; i++) {
		const struct rib_path *c = &set[i];
		if (export_select(e, rib, k, p, c, 1) &&
		    !export_ixp_hidden(e->pol.asn, c->attrs, asn))
			return c;
	}
	return NULL;
}

/* The route member src (of a group with key k) is due at the node nd: its pick, split
 * horizon and next hop applied (due). */
static const struct rib_path *member_route(const struct export_state *e, const struct rib *rib,
					   const struct export_key *k, uint16_t src,
					   const struct rx_prefix *p, const struct rib_tree *t,
					   const struct rib_node *nd)
{
	const struct rib_path *set = rib_node_paths(t, nd);
	unsigned n = rib_node_selectable(rib, t, nd);
	return due(e, member_pick(e, rib, k, p, src, set, n, export_select(e, rib, k, p, set, n)), src, p);
}

/* Whether m holds a route from the group's pick sel alone (before per-member policy). */
static bool holds(const struct rib_path *sel, uint16_t src)
{
	return sel && sel->src != src;
}

/* Whether a member must be sent something: its route changed, or (force) it has one or
 * had one. */
static bool moved(const struct rib_path *o, const struct rib_path *n, bool force)
{
	return force ? o || n : !same_route(o, n);
}

/* Up to this many distinct routes are told apart when choosing the one packed for most
 * members; members due another go alone, which is correct, only less shared. */
#define MEMBERS_TARGETS 8

/* g's change at p, member by member (see the top of the file). go and gn are the group's
 * picks from the old and new candidates; opol, when not NULL, is the policy the old
 * candidates are to be judged under (a policy walk); force: the encoding changed, so a
 * member still due the same route is sent it again. */
static __attribute__((noinline)) void
members_change(struct export_state *e, const struct rib *rib, struct export_group *g,
			   const struct rx_prefix *p, const struct export_policy *opol, bool force,
			   const struct rib_path *ov, unsigned on, const struct rib_path *go,
			   const struct rib_path *nv, unsigned nn, const struct rib_path *gn)
{
	struct export_policy now = e->pol;
	const struct rib_path *ao[g->n], *an[g->n];
	for (unsigned i = 0; i < g->n; i++) {
		uint16_t src = g->m[i].src;
		if (opol && opol != &e->pol)
			e->pol = *opol;
		ao[i] = member_pick(e, rib, &g->key, p, src, ov, on, go);
		e->pol = now;
		an[i] = member_pick(e, rib, &g->key, p, src, nv, nn, gn);
	}
	if (g->held) { /* one member; its held set says what it has */
		limited_change(e, g, p, ao[0], an[0]);
		return;
	}
	/* The group's own count moves with its picks, as in group_change. */
	struct export_member *mo = go ? member(e, g, go->src) : NULL;
	struct export_member *mn = gn ? member(e, g, gn->src) : NULL;
	if (!same_route(go, gn)) {
		g->selected += (gn != NULL) - (go != NULL);
		if (mo)
			mo->self_selected--;
		if (mn)
			mn->self_selected++;
	}
	const struct rib_path *tgt[MEMBERS_TARGETS];
	unsigned count[MEMBERS_TARGETS] = {0}, n_tgt = 0, best = 0;
	for (unsigned i = 0; i < g->n; i++) {
		struct export_member *m = &g->m[i];
		if (!holds(ao[i], m->src))
			ao[i] = NULL;
		if (!holds(an[i], m->src))
			an[i] = NULL;
		m->hidden_adj += ((an[i] != NULL) - (long)holds(gn, m->src)) -
				 ((ao[i] != NULL) - (long)holds(go, m->src));
		if (!moved(ao[i], an[i], force))
			continue;
		unsigned t = 0;
		while (t < n_tgt && !same_route(tgt[t], an[i]))
			t++;
		if (t == n_tgt && n_tgt < MEMBERS_TARGETS)
			tgt[n_tgt++] = an[i];
		if (t < n_tgt && ++count[t] > count[best])
			best = t;
	}
	if (!n_tgt)
		return;
	/* The most shared route goes to its members in one message; the rest one by one. */
	uint16_t except[g->n];
	unsigned n_except = 0, n_in = 0, only = 0;
	for (unsigned i = 0; i < g->n; i++) {
		bool in = moved(ao[i], an[i], force) && same_route(an[i], tgt[best]);
		if (!in)
			except[n_except++] = g->m[i].src;
		else
			only = g->m[i].src, n_in++;
	}
	bool sets = set_room(g->pack);
	if (n_in == 1)
		item_add(g->pack, tgt[best], p, CLS_ONLY, only);
	else if (n_except == 0)
		item_add(g->pack, tgt[best], p, CLS_ALL, 0);
	else if (n_except == 1)
		item_add(g->pack, tgt[best], p, CLS_EXCEPT, except[0]);
	else if (sets)
		item_add(g->pack, tgt[best], p, CLS_EXCEPT_SET, set_add(g->pack, except, n_except));
	for (unsigned i = 0; i < g->n; i++)
		if (moved(ao[i], an[i], force) &&
		    (!same_route(an[i], tgt[best]) || (n_in > 1 && n_except > 1 && !sets)))
			item_add(g->pack, an[i], p, CLS_ONLY, g->m[i].src);
}

/* The same path whose RPKI state changed, for a group whose export map matches on it: the
 * map may rewrite it differently now, so it is sent again. */
static bool rpki_moved(const struct export_key *k, const struct rib_path *go,
		       const struct rib_path *gn)
{
	return RX_UNLIKELY(k->map != NULL) && (k->map->match_kinds & POLICY_M_RPKI) && go && gn &&
	       go->rpki != gn->rpki;
}

/* ---- ADD-PATH send (RFC 7911) ----
 * A member that negotiated ADD-PATH send for a family is sent every path its policy allows
 * for each prefix, each under its own path id, instead of the best one alone: the other
 * remedy for path hiding (RFC 7947 2.3.2.1), which leaves the choice to the client. The unit
 * of change is then the path: a changed prefix's old and new allowed paths are matched by
 * (source, received path id); new or changed ones are announced, gone ones withdrawn. Split
 * horizon and IXP control communities act per path (a path is never sent to its source, nor
 * to a client it is hidden from). A member holds a prefix when it is sent at least one path
 * of it, which keeps the advertised count's formula: its own routes are the prefixes whose
 * allowed paths all come from it. */

/* The path id a path is sent with: its source and the low 16 bits of the id it came with,
 * stable for the path's life. Two paths of one source whose ids differ only above bit 15
 * would share it; sources do not number their paths that far. */
static uint32_t send_id(const struct rib_path *p)
{
	return (uint32_t)p->src << 16 | (p->path_id & 0xffffu);
}

static bool ap_family(const struct export_key *k, const struct rx_prefix *p)
{
	return (k->addpath & RX_FAM_BIT(fam_of(p))) != 0;
}

/* The paths of set[0 .. n) the group may be sent, best first, into out. */
static unsigned ap_allowed(const struct export_state *e, const struct rib *rib,
			   const struct export_key *k, const struct rx_prefix *p,
			   const struct rib_path *set, unsigned n,
			   const struct rib_path **out)
{
	unsigned m = 0;
	for (unsigned i = 0; i < n; i++)
		if (export_select(e, rib, k, p, &set[i], 1))
			out[m++] = &set[i];
	return m;
}

/* The source every one of v[0 .. n) comes from, or -1 (none, or several). */
static int sole_src(const struct rib_path *const *v, unsigned n)
{
	for (unsigned i = 1; i < n; i++)
		if (v[i]->src != v[0]->src)
			return -1;
	return n ? v[0]->src : -1;
}

static const struct rib_path *ap_find(const struct rib_path *const *v, unsigned n,
				      const struct rib_path *c)
{
	for (unsigned i = 0; i < n; i++)
		if (v[i]->src == c->src && v[i]->path_id == c->path_id)
			return v[i];
	return NULL;
}

/* Whether member src (AS asn) is sent c, an allowed path, under policy pol. */
static bool ap_to(const struct export_policy *pol, const struct export_key *k,
		  const struct rib_path *c, uint16_t src, uint32_t asn)
{
	return c && c->src != src &&
	       !(member_policy(pol, k, c) && export_ixp_hidden(pol->asn, c->attrs, asn));
}

static bool ap_any_to(const struct export_policy *pol, const struct export_key *k,
		      const struct rib_path *const *v, unsigned n, uint16_t src, uint32_t asn)
{
	for (unsigned i = 0; i < n; i++)
		if (ap_to(pol, k, v[i], src, asn))
			return true;
	return false;
}

/* Queues path (NULL: a withdrawal) with id to the n members in list. */
static void ap_emit(struct export_group *g, const struct rib_path *path, const struct rx_prefix *p,
		    uint32_t id, const uint16_t *list, unsigned n)
{
	if (n == 0)
		return;
	if (n == 1) {
		item_add_id(g->pack, path, p, id, CLS_ONLY, list[0]);
		return;
	}
	uint16_t out[g->n];
	unsigned n_out = 0;
	for (unsigned i = 0, j = 0; i < g->n; i++) { /* list is in member order */
		if (j < n && list[j] == g->m[i].src)
			j++;
		else
			out[n_out++] = g->m[i].src;
	}
	if (n_out == 0)
		item_add_id(g->pack, path, p, id, CLS_ALL, 0);
	else if (n_out == 1)
		item_add_id(g->pack, path, p, id, CLS_EXCEPT, out[0]);
	else if (set_room(g->pack))
		item_add_id(g->pack, path, p, id, CLS_EXCEPT_SET, set_add(g->pack, out, n_out));
	else
		for (unsigned i = 0; i < n; i++)
			item_add_id(g->pack, path, p, id, CLS_ONLY, list[i]);
}

/* Queues one path's change (a: as it was allowed, b: as it is, either may be NULL) member
 * by member. */
static void ap_path_members(struct export_state *e, const struct rib *rib, struct export_group *g,
			    const struct rx_prefix *p, const struct export_policy *opol, bool force,
			    const struct rib_path *a, const struct rib_path *b)
{
	uint16_t ann[g->n], wd[g->n];
	unsigned n_ann = 0, n_wd = 0;
	for (unsigned i = 0; i < g->n; i++) {
		uint16_t src = g->m[i].src;
		uint32_t asn = rib->peers[src].info.asn;
		bool had = ap_to(opol, &g->key, a, src, asn), has = ap_to(&e->pol, &g->key, b, src, asn);
		if (has && (!had || force || a->attrs != b->attrs || rpki_moved(&g->key, a, b)))
			ann[n_ann++] = src;
		else if (!has && had)
			wd[n_wd++] = src;
	}
	const struct rib_path *c = b ? b : a;
	ap_emit(g, b, p, send_id(c), ann, n_ann);
	ap_emit(g, NULL, p, send_id(c), wd, n_wd);
}

/* g's change at p for an ADD-PATH family (see group_prefix). */
static __attribute__((noinline)) void
ap_change(struct export_state *e, const struct rib *rib, struct export_group *g,
		      const struct rx_prefix *p, const struct export_policy *opol, bool force,
		      const struct rib_path *ov, unsigned on, const struct rib_path *nv, unsigned nn)
{
	const struct rib_path *A[on + 1], *B[nn + 1];
	struct export_policy now = e->pol;
	if (!opol)
		opol = &now;
	e->pol = *opol;
	unsigned na = ap_allowed(e, rib, &g->key, p, ov, on, A);
	e->pol = now;
	unsigned nb = ap_allowed(e, rib, &g->key, p, nv, nn, B);
	bool per_member = false;
	for (unsigned i = 0; i < na && !per_member; i++)
		per_member = member_policy(opol, &g->key, A[i]);
	for (unsigned i = 0; i < nb && !per_member; i++)
		per_member = member_policy(&now, &g->key, B[i]);
	/* The group's count, and its members' own prefixes (all paths theirs). */
	g->selected += (nb > 0) - (na > 0);
	int so = sole_src(A, na), sn = sole_src(B, nb);
	struct export_member *mo = so >= 0 ? member(e, g, (uint16_t)so) : NULL;
	struct export_member *mn = sn >= 0 ? member(e, g, (uint16_t)sn) : NULL;
	if (mo)
		mo->self_selected--;
	if (mn)
		mn->self_selected++;
	if (per_member) {
		for (unsigned i = 0; i < g->n; i++) {
			struct export_member *m = &g->m[i];
			uint32_t asn = rib->peers[m->src].info.asn;
			m->hidden_adj += ((long)ap_any_to(&now, &g->key, B, nb, m->src, asn) -
					  (long)(nb && sn != m->src)) -
					 ((long)ap_any_to(opol, &g->key, A, na, m->src, asn) -
					  (long)(na && so != m->src));
		}
		for (unsigned i = 0; i < nb; i++)
			ap_path_members(e, rib, g, p, opol, force, ap_find(A, na, B[i]), B[i]);
		for (unsigned i = 0; i < na; i++)
			if (!ap_find(B, nb, A[i]))
				ap_path_members(e, rib, g, p, opol, force, A[i], NULL);
		return;
	}
	for (unsigned i = 0; i < nb; i++) {
		const struct rib_path *a = ap_find(A, na, B[i]);
		if (a && a->attrs == B[i]->attrs && !force && !rpki_moved(&g->key, a, B[i]))
			continue;
		struct export_member *ms = member(e, g, B[i]->src);
		item_add_id(g->pack, B[i], p, send_id(B[i]), ms ? CLS_EXCEPT : CLS_ALL,
			    ms ? ms->src : 0);
	}
	for (unsigned i = 0; i < na; i++) {
		if (ap_find(B, nb, A[i]))
			continue;
		struct export_member *ms = member(e, g, A[i]->src);
		item_add_id(g->pack, NULL, p, send_id(A[i]), ms ? CLS_EXCEPT : CLS_ALL,
			    ms ? ms->src : 0);
	}
}

/* export_select under another policy (a policy walk's old one). */
static __attribute__((noinline)) const struct rib_path *
select_under(struct export_state *e, const struct export_policy *pol, const struct rib *rib,
	     const struct export_key *k, const struct rx_prefix *p, const struct rib_path *set,
	     unsigned n)
{
	struct export_policy now = e->pol;
	e->pol = *pol;
	const struct rib_path *sel = export_select(e, rib, k, p, set, n);
	e->pol = now;
	return sel;
}


/* g's change at p from the old candidates (judged under opol, or the current policy) to
 * the new ones. The common case (one path per group, no per-member policy) stays here and
 * small: the per-member and ADD-PATH cases are out of line. */
static void group_prefix(struct export_state *e, const struct rib *rib, struct export_group *g,
			 const struct rx_prefix *p, const struct export_policy *opol, bool force,
			 const struct rib_path *ov, unsigned on, const struct rib_path *nv,
			 unsigned nn)
{
	if (RX_UNLIKELY(ap_family(&g->key, p))) {
		ap_change(e, rib, g, p, opol, force, ov, on, nv, nn);
		return;
	}
	const struct rib_path *go;
	if (opol)
		go = select_under(e, opol, rib, &g->key, p, ov, on);
	else
		go = export_select(e, rib, &g->key, p, ov, on), opol = &e->pol;
	const struct rib_path *gn = export_select(e, rib, &g->key, p, nv, nn);
	if (RX_UNLIKELY(g->n_sums)) { /* a summarised route is not sent: its summary is */
		int so = summary_of(g, rib, p, go), sn = summary_of(g, rib, p, gn);
		go = so >= 0 ? NULL : go;
		gn = sn >= 0 ? NULL : gn;
		if (so != sn) {
			summary_move(e, rib, g, so, -1, p);
			summary_move(e, rib, g, sn, 1, p);
		}
		/* At a summary's own prefix only the summary is ever sent (a route there is
		 * summarised or denied): the route's change must not touch it (a limited
		 * member's held set is keyed by prefix). */
		if (is_summary(g, p))
			return;
	}
	if (RX_UNLIKELY(member_policy(opol, &g->key, go) || member_policy(&e->pol, &g->key, gn)))
		members_change(e, rib, g, p, opol, force, ov, on, go, nv, nn, gn);
	else if ((force || rpki_moved(&g->key, go, gn)) && gn && same_route(go, gn))
		resend(e, g, p, gn);
	else
		group_change(e, g, p, go, gn);
}

static void prefix_change(struct export_state *e, const struct rib *rib, const struct rx_prefix *p,
			  const struct rib_path *ov, unsigned on, const struct rib_path *nv,
			  unsigned nn)
{
	for (unsigned i = 0; i < e->n_groups; i++) {
		struct export_group *g = e->groups[i];
		if (!(g->key.families & RX_FAM_BIT(fam_of(p))) || g->n == 0)
			continue;
		group_prefix(e, rib, g, p, NULL, false, ov, on, nv, nn);
	}
}


/* Prefixes already exported in the current batch, by 64-bit hash, generation-tagged so that
 * a new batch starts empty for free. A hit (or a false hit) flushes every group first, so a
 * prefix never has two messages in one batch, where packing could reorder them. */

/* A slot holds the batch generation in its top 16 bits and 48 bits of the prefix hash. */
static bool seen_before(struct export_state *e, const struct rx_prefix *p)
{
	if (!e->seen) {
		e->seen = calloc(EXPORT_SEEN_SLOTS, sizeof(*e->seen));
		RX_ASSERT(e->seen);
		e->seen_gen = 1; /* calloc'd slots (generation 0) are empty */
	}
	if (2 * (e->n_seen + 1) > EXPORT_SEEN_SLOTS)
		return true; /* full: treat as a repeat, which flushes and empties it */
	uint64_t h = pfx_hash(p), tag = (uint64_t)e->seen_gen << 48 | (h >> 16);
	for (size_t i = h & (EXPORT_SEEN_SLOTS - 1);; i = (i + 1) & (EXPORT_SEEN_SLOTS - 1)) {
		if (e->seen[i] >> 48 != e->seen_gen) {
			e->seen[i] = tag;
			e->n_seen++;
			return false;
		}
		if (e->seen[i] == tag)
			return true;
	}
}

static void seen_clear(struct export_state *e)
{
	e->n_seen = 0;
	if (!e->seen)
		return;
	if (++e->seen_gen == 1u << 16) { /* wrapped: every slot must look stale again */
		memset(e->seen, 0, EXPORT_SEEN_SLOTS * sizeof(*e->seen));
		e->seen_gen = 1;
	}
}

static void flush_all(struct export_state *e, const struct rib *rib)
{
	for (unsigned i = 0; i < e->n_groups; i++) {
		flush_group(e, rib, e->groups[i]);
		for (unsigned m = 0; m < e->groups[i]->n; m++)
			publish(e->groups[i], &e->groups[i]->m[m]);
	}
	seen_clear(e);
}

static void refill(struct export_state *e, const struct rib *rib, struct export_group *g);

/* a < b in rx_prefix_cmp's order, IPv4 without the call and its memcmp */
static inline bool ascends(const struct rx_prefix *a, const struct rx_prefix *b)
{
	if (a->afi == RX_AFI_IPV4 && b->afi == RX_AFI_IPV4)
		return ((uint64_t)wire_get32(a->addr) << 8 | a->len) <
		       ((uint64_t)wire_get32(b->addr) << 8 | b->len);
	return rx_prefix_cmp(a, b) < 0;
}

/* Whether the batch that began at c->v[from] already holds v[i]'s prefix (or is full): the
 * batch must then be flushed before v[i]. Table transfers arrive in address order, and
 * while the batch ascends no prefix can repeat, so the seen set is left alone; when the
 * order first breaks (*ascending turns false) the batch so far goes into the seen set, and
 * from then on every prefix is added to it as it is checked. */
static bool batch_repeats(struct export_state *e, const struct rib_changes *c, size_t from,
			  size_t i, bool *ascending)
{
	if (*ascending) {
		if (i == from || ascends(&c->v[i - 1].prefix, &c->v[i].prefix))
			return i - from >= EXPORT_SEEN_SLOTS / 2; /* as the set's bound: flush */
		*ascending = false;
		for (size_t j = from; j < i; j++)
			seen_before(e, &c->v[j].prefix);
	}
	return seen_before(e, &c->v[i].prefix);
}

void export_changes_w(struct export_state *e, struct rib *rib, const struct rib_changes *c)
{
	size_t from = 0;
	bool ascending = true;
	for (size_t i = 0; i < c->len; i++) {
		const struct rib_change *ch = &c->v[i];
		if (batch_repeats(e, c, from, i, &ascending)) {
			flush_all(e, rib); /* empties the seen set: a new batch begins here */
			from = i;
			ascending = true;
		}
		const struct rib_path *ov = &c->paths[ch->off], *nv = ov + ch->old_n;
		prefix_change(e, rib, &ch->prefix, ov, ch->old_n, nv, ch->new_n);
	}
	flush_all(e, rib);
	for (unsigned i = 0; i < e->n_groups; i++)
		refill(e, rib, e->groups[i]);
}

/* ---- walks: initial feed, refill, rekey, refresh and policy changes ---- */

struct feed_ctx {
	struct export_state *e;
	const struct rib *rib;
	struct export_group *g;
	struct export_member *m;   /* feed: the new member */
	struct export_pack *pk;    /* feed: a private pack for the member */
	struct export_group *from; /* rekey: the member's group before */
	size_t n;
	size_t self;               /* rekey: prefixes whose selected route is the member's */
	long adj;                  /* rekey: the member's hidden_adj in its new group */
	bool full;                 /* refill: stopped at the limit */
};

static void walk_families(const struct rib *rib, uint8_t families, rib_walk_cb cb, void *arg)
{
	for (unsigned t = 0; t < 2; t++)
		if (families & RX_FAM_BIT(t == 0 ? RX_FAM_IPV4_UNICAST : RX_FAM_IPV6_UNICAST))
			radix_walk_rcu(&rib->tree[t], NULL, NULL, 0, cb, arg, NULL);
}

static void send_eor(const struct export_key *k, export_send_fn send, void *send_ctx)
{
	for (int fam = 0; fam < RX_FAM_COUNT; fam++) { /* RFC 4724 2: End-of-RIB per family */
		if (!(k->families & RX_FAM_BIT(fam)))
			continue;
		struct io_out *o = io_out_new(32);
		o->len = wire_eor_encode(o->data, 32, (enum rx_family)fam);
		send(send_ctx, o);
		io_out_unref(o);
	}
}

/* The feed of an ADD-PATH family: every path the member may have. */
static bool ap_feed(struct feed_ctx *f, const struct rx_prefix *p, const struct rib_path *set,
		    unsigned n)
{
	const struct rib_path *B[n + 1];
	unsigned nb = ap_allowed(f->e, f->rib, &f->g->key, p, set, n, B);
	if (!nb)
		return true;
	struct export_member *m = f->m;
	uint32_t asn = f->rib->peers[m->src].info.asn;
	bool holds_any = false;
	for (unsigned i = 0; i < nb; i++)
		if (ap_to(&f->e->pol, &f->g->key, B[i], m->src, asn)) {
			item_add_id(f->pk, B[i], p, send_id(B[i]), CLS_ALL, 0);
			holds_any = true;
		}
	int so = sole_src(B, nb);
	m->self_selected += so == m->src;
	m->hidden_adj += (long)holds_any - (long)(so != m->src);
	if (++f->n % 65536 == 0) /* bound the pending state on big tables */
		flush_group(f->e, f->rib, f->g);
	return true;
}

static bool feed_cb(const struct rib_tree *t, const struct rib_node *nd, const struct rx_prefix *p,
		    void *arg)
{
	struct feed_ctx *f = arg;
	const struct rib_path *set = rib_node_paths(t, nd);
	unsigned n = rib_node_selectable(f->rib, t, nd);
	if (ap_family(&f->g->key, p))
		return ap_feed(f, p, set, n);
	const struct rib_path *sel = export_select(f->e, f->rib, &f->g->key, p, set, n);
	if (!sel)
		return true;
	if (RX_UNLIKELY(f->g->n_sums)) {
		int si = summary_of(f->g, f->rib, p, sel);
		if (si >= 0) { /* counted; the summaries are fed at the end */
			f->g->sums[si].count++;
			return true;
		}
	}
	const struct rib_path *pick = member_pick(f->e, f->rib, &f->g->key, p, f->m->src, set, n, sel);
	if (f->g->held) { /* a limited member: the first routes in prefix order, up to the limit */
		if (!(sel = due(f->e, pick, f->m->src, p)))
			return true;
		if (f->g->held->n >= f->g->key.limit) {
			limit_state(f->e, f->g, true);
			return f->g->n_sums != 0; /* summaries still need their counts */
		}
		held_add(f->g->held, p);
		item_add(f->pk, sel, p, CLS_ALL, 0);
	} else {
		f->m->self_selected += sel->src == f->m->src; /* its own route is not sent back */
		f->m->hidden_adj += (long)holds(pick, f->m->src) - (long)holds(sel, f->m->src);
		if (holds(pick, f->m->src))
			item_add(f->pk, pick, p, CLS_ALL, 0);
	}
	if (++f->n % 65536 == 0) /* bound the pending state on big tables */
		flush_group(f->e, f->rib, f->g);
	return true;
}

/* The end of a feed (or a refill, or a rekey) of a limited member: the active summaries it
 * does not hold yet, within its limit. */
static bool held_summaries(struct export_state *e, struct export_group *g, struct export_pack *pk)
{
	bool all = true;
	for (unsigned i = 0; i < g->n_sums; i++) {
		const struct export_summary *sm = &g->sums[i];
		if (!sm->count || held_has(g->held, &sm->p) ||
		    !export_has_nexthop(&e->pol, &g->agg, sm->p.afi == RX_AFI_IPV6))
			continue;
		if (g->held->n >= g->key.limit) {
			limit_state(e, g, true);
			all = false;
			continue;
		}
		held_add(g->held, &sm->p);
		item_add(pk, &g->agg, &sm->p, CLS_ALL, 0);
	}
	return all;
}

/* Whether the route group g selects at node nd is summarised (not sent itself). */
static bool summarised(const struct export_state *e, const struct rib *rib,
		       const struct export_group *g, const struct rx_prefix *p,
		       const struct rib_tree *t, const struct rib_node *nd)
{
	if (!g->n_sums)
		return false;
	const struct rib_path *sel = export_select(e, rib, &g->key, p, rib_node_paths(t, nd),
						   rib_node_selectable(rib, t, nd));
	return summary_of(g, rib, p, sel) >= 0;
}

void export_member_up_w(struct export_state *e, struct rib *rib, const struct export_key *k,
			uint16_t src, export_send_fn send, void *send_ctx, size_t *advertised)
{
	struct export_group *g = group_get(e, rib, k);
	size_t cap = g->cap;
	g->m = grow(g->m, &cap, g->n + 1, sizeof(*g->m));
	g->cap = (unsigned)cap;
	struct export_member *m = &g->m[g->n];
	*m = (struct export_member){.src = src, .send = send, .send_ctx = send_ctx,
				    .advertised = advertised};
	if (g->held) {
		/* Its own group, nothing pending: fed through the group itself. */
		g->n = 1;
		struct feed_ctx f = {.e = e, .rib = rib, .g = g, .m = m, .pk = g->pack};
		walk_families(rib, k->families, feed_cb, &f);
		held_summaries(e, g, g->pack);
		flush_group(e, rib, g);
	} else {
		/* The feed is packed apart (only for the new member) through a one-member group
		 * view, so that the group's own pending batch is untouched. */
		struct export_group solo = {.key = *k, .m = m, .n = 1, .cap = 1, .agg = g->agg,
					    .n_sums = g->n_sums};
		struct export_pack pk = {0};
		solo.pack = &pk;
		if (g->n_sums) { /* the view counts for itself: the group's counts stay */
			solo.sums = calloc(g->n_sums, sizeof(*solo.sums));
			RX_ASSERT(solo.sums);
			for (unsigned i = 0; i < g->n_sums; i++)
				solo.sums[i].p = g->sums[i].p;
		}
		struct feed_ctx f = {.e = e, .rib = rib, .g = &solo, .m = m, .pk = &pk};
		walk_families(rib, k->families, feed_cb, &f);
		for (unsigned i = 0; i < solo.n_sums; i++)
			if (solo.sums[i].count) {
				item_add(&pk, &g->agg, &solo.sums[i].p, CLS_ALL, 0);
				f.n++;
			}
		flush_group(e, rib, &solo);
		pack_free(&pk);
		if (g->n == 0) {
			g->selected = f.n; /* a new group learns its counts from its first feed */
			for (unsigned i = 0; i < g->n_sums; i++)
				g->sums[i].count = solo.sums[i].count;
		}
		free(solo.sums);
		g->n++;
	}
	where_set(e, src, g, g->n - 1);
	send_eor(k, send, send_ctx);
	publish(g, &g->m[g->n - 1]);
}

/* Removes m (a member of g) from g, freeing g when it empties; g must have nothing pending. */
static void member_remove(struct export_state *e, struct export_group *g,
			  struct export_member *m)
{
	RX_ASSERT(g->pack->n_items == 0); /* batches are flushed before peer events */
	where_set(e, m->src, NULL, 0);
	*m = g->m[--g->n];
	if (m != &g->m[g->n]) /* the last member took the hole */
		where_set(e, m->src, g, (unsigned)(m - g->m));
	if (g->n)
		return;
	for (unsigned i = 0; i < e->n_groups; i++)
		if (e->groups[i] == g) {
			e->groups[i] = e->groups[--e->n_groups];
			break;
		}
	group_free(g);
}

void export_member_down_w(struct export_state *e, uint16_t src)
{
	struct export_member *m;
	struct export_group *g = group_of(e, src, &m);
	if (g)
		member_remove(e, g, m);
}

/* Refill: a limited group lost held prefixes while it was withholding others; it takes the
 * first due ones in prefix order until it is full again, or stops withholding. */
static bool refill_cb(const struct rib_tree *t, const struct rib_node *nd,
		      const struct rx_prefix *p, void *arg)
{
	struct feed_ctx *f = arg;
	struct export_group *g = f->g;
	const struct rib_path *sel = member_route(f->e, f->rib, &g->key, g->m[0].src, p, t, nd);
	if (!sel || held_has(g->held, p) || summarised(f->e, f->rib, g, p, t, nd))
		return true;
	if (g->held->n >= g->key.limit) {
		f->full = true;
		return false;
	}
	held_add(g->held, p);
	item_add(g->pack, sel, p, CLS_ALL, 0);
	return true;
}

static void refill(struct export_state *e, const struct rib *rib, struct export_group *g)
{
	if (!g->held || !g->refill)
		return;
	g->refill = false;
	struct feed_ctx f = {.e = e, .rib = rib, .g = g};
	walk_families(rib, g->key.families, refill_cb, &f);
	if (!f.full && held_summaries(e, g, g->pack))
		limit_state(e, g, false);
	flush_group(e, rib, g);
	publish(g, &g->m[0]);
}

/* The set actions the map of key k applies to path for p (NULL: none). */
static const struct policy_set *applied_set(const struct rib *rib, const struct export_key *k,
					    const struct rx_prefix *p, const struct rib_path *path)
{
	int idx = export_map_eval(rib, k, p, path);
	return policy_changes(k->map, idx) ? &k->map->v[idx].s : NULL;
}

/* Whether the same path goes out with other attributes under the new key's export map. */
static bool rewritten(const struct feed_ctx *f, const struct rx_prefix *p, const struct rib_path *path)
{
	const struct export_key *a = &f->from->key, *b = &f->g->key;
	if (policy_map_equal(a->map, b->map))
		return false;
	const struct policy_set *x = applied_set(f->rib, a, p, path);
	const struct policy_set *y = applied_set(f->rib, b, p, path);
	return x != y && (!x || !y || !policy_set_equal(x, y));
}

/* Rekey: what the member holds under its old group, against what it is due in the new. */
/* Rekey of an ADD-PATH family: the paths it holds under the old key against those it is
 * due under the new one, by path id (a limited key, the other kind of rekey, never has
 * ADD-PATH, and the ADD-PATH families do not change without a new session). */
static bool ap_rekey(struct feed_ctx *f, const struct rx_prefix *p, const struct rib_path *set,
		     unsigned n)
{
	const struct rib_path *A[n + 1], *B[n + 1];
	const struct export_policy *pol = &f->e->pol;
	const struct export_key *ko = &f->from->key, *kn = &f->g->key;
	uint16_t src = f->m->src;
	uint32_t asn = f->rib->peers[src].info.asn;
	unsigned na = ap_allowed(f->e, f->rib, ko, p, set, n, A);
	unsigned nb = ap_allowed(f->e, f->rib, kn, p, set, n, B);
	bool holds_any = false;
	for (unsigned i = 0; i < nb; i++) {
		if (!ap_to(pol, kn, B[i], src, asn))
			continue;
		holds_any = true;
		if (!ap_to(pol, ko, ap_find(A, na, B[i]), src, asn) || rewritten(f, p, B[i]))
			item_add_id(f->pk, B[i], p, send_id(B[i]), CLS_ALL, 0);
	}
	for (unsigned i = 0; i < na; i++)
		if (ap_to(pol, ko, A[i], src, asn) && !ap_to(pol, kn, ap_find(B, nb, A[i]), src, asn))
			item_add_id(f->pk, NULL, p, send_id(A[i]), CLS_ALL, 0);
	int so = sole_src(B, nb);
	f->n += nb > 0;
	f->self += so == src;
	f->adj += (long)holds_any - (long)(nb && so != src);
	if (f->pk->n_items >= 65536) /* bound the pending state on big tables */
		flush_group(f->e, f->rib, f->g);
	return true;
}

static bool rekey_cb(const struct rib_tree *t, const struct rib_node *nd,
		     const struct rx_prefix *p, void *arg)
{
	struct feed_ctx *f = arg;
	const struct rib_path *set = rib_node_paths(t, nd);
	unsigned n = rib_node_selectable(f->rib, t, nd);
	if (ap_family(&f->g->key, p))
		return ap_rekey(f, p, set, n);
	uint16_t src = f->m->src;
	const struct rib_path *old = member_route(f->e, f->rib, &f->from->key, src, p, t, nd);
	if ((f->from->held && !held_has(f->from->held, p)) ||
	    summarised(f->e, f->rib, f->from, p, t, nd))
		old = NULL;
	const struct rib_path *raw = export_select(f->e, f->rib, &f->g->key, p, set, n);
	if (RX_UNLIKELY(f->g->n_sums)) {
		int si = summary_of(f->g, f->rib, p, raw);
		if (si >= 0) { /* counted; the summaries are sent at the end */
			f->g->sums[si].count++;
			raw = NULL;
		}
	}
	const struct rib_path *pick = member_pick(f->e, f->rib, &f->g->key, p, src, set, n, raw);
	const struct rib_path *nw = due(f->e, pick, src, p);
	f->n += raw != NULL;
	f->self += raw && raw->src == src;
	f->adj += (long)holds(pick, src) - (long)holds(raw, src);
	if (nw && f->g->held) {
		if (f->g->held->n < f->g->key.limit)
			held_add(f->g->held, p);
		else
			nw = NULL, f->full = true;
	}
	if (nw && (!same_route(old, nw) || rewritten(f, p, nw)))
		item_add(f->pk, nw, p, CLS_ALL, 0);
	else if (!nw && old)
		item_add(f->pk, NULL, p, CLS_ALL, 0);
	if (f->pk->n_items >= 65536) /* bound the pending state on big tables */
		flush_group(f->e, f->rib, f->g);
	return true;
}

/* Whether group g has summary p active for its member (held, for a limited one). */
static bool summary_held(const struct export_group *g, const struct rx_prefix *p)
{
	for (unsigned i = 0; i < g->n_sums; i++)
		if (g->sums[i].count && rx_prefix_equal(&g->sums[i].p, p))
			return !g->held || held_has(g->held, p);
	return false;
}

/* The summaries' part of a rekey, after the walk (whose messages are flushed): the new
 * group's active summaries are held (within a limit) and sent, again when the map changed
 * (their set actions may differ); the old group's that the member no longer holds are
 * withdrawn, unless a route of its own now stands at that prefix. */
static void rekey_summaries(struct export_state *e, const struct rib *rib,
			    const struct export_group *from, struct export_group *solo,
			    struct feed_ctx *f)
{
	uint16_t src = solo->m[0].src;
	bool same_map = policy_map_equal(from->key.map, solo->key.map);
	bool kept[solo->n_sums + 1];
	for (unsigned j = 0; j < solo->n_sums; j++) {
		const struct rx_prefix *sp = &solo->sums[j].p;
		kept[j] = false;
		if (!solo->sums[j].count)
			continue;
		f->n++;
		if (solo->held && !held_has(solo->held, sp)) {
			if (solo->held->n >= solo->key.limit) {
				f->full = true;
				continue;
			}
			held_add(solo->held, sp);
		}
		kept[j] = true;
		if (!summary_held(from, sp) || !same_map)
			item_add(solo->pack, &solo->agg, sp, CLS_ALL, 0);
	}
	for (unsigned i = 0; i < from->n_sums; i++) {
		const struct rx_prefix *sp = &from->sums[i].p;
		if (!summary_held(from, sp))
			continue;
		bool still = false;
		for (unsigned j = 0; j < solo->n_sums; j++)
			still |= kept[j] && rx_prefix_equal(&solo->sums[j].p, sp);
		const struct rib_tree *t = rib_tree(rib, sp->afi);
		const struct rib_node *nd = rib_find_rcu(rib, sp);
		bool own = nd && nd->n && member_route(e, rib, &solo->key, src, sp, t, nd) &&
			   !summarised(e, rib, solo, sp, t, nd) &&
			   (!solo->held || held_has(solo->held, sp));
		if (!still && !own)
			item_add(solo->pack, NULL, sp, CLS_ALL, 0);
	}
	flush_group(e, rib, solo);
}

void export_member_rekey_w(struct export_state *e, struct rib *rib, uint16_t src,
			   const struct export_key *k)
{
	struct export_member *mp;
	struct export_group *from = group_of(e, src, &mp);
	if (!from || key_equal(&from->key, k))
		return;
	struct export_member m = *mp;
	struct export_group *to = group_get(e, rib, k);
	/* Sent through a one-member view of the new group (its own pending batch untouched);
	 * a limited group is new and the view shares its held set. */
	struct export_group solo = {.key = *k, .m = &m, .n = 1, .cap = 1, .held = to->held,
				    .agg = to->agg, .n_sums = to->n_sums};
	struct export_pack pk = {0};
	solo.pack = &pk;
	if (to->n_sums) {
		solo.sums = calloc(to->n_sums, sizeof(*solo.sums));
		RX_ASSERT(solo.sums);
		for (unsigned i = 0; i < to->n_sums; i++)
			solo.sums[i].p = to->sums[i].p;
	}
	struct feed_ctx f = {.e = e, .rib = rib, .g = &solo, .m = &m, .pk = &pk, .from = from};
	walk_families(rib, k->families, rekey_cb, &f);
	flush_group(e, rib, &solo);
	if (from->n_sums || solo.n_sums)
		rekey_summaries(e, rib, from, &solo, &f);
	if (to->n == 0)
		for (unsigned i = 0; i < to->n_sums; i++)
			to->sums[i].count = solo.sums[i].count;
	free(solo.sums);
	pack_free(&pk);
	bool was = from->held && from->overflow;
	uint32_t was_limit = from->key.limit;
	member_remove(e, from, mp);
	size_t cap = to->cap;
	to->m = grow(to->m, &cap, to->n + 1, sizeof(*to->m));
	to->cap = (unsigned)cap;
	m.self_selected = f.self;
	m.hidden_adj = to->held ? 0 : f.adj;
	if (to->n == 0)
		to->selected = f.n;
	to->m[to->n++] = m;
	where_set(e, src, to, to->n - 1);
	if (to->held)
		to->overflow = f.full;
	if (was != f.full && e->limit_cb) /* f.full is only ever set for a limited group */
		e->limit_cb(e->limit_ctx, src, f.full ? k->limit : was_limit, f.full);
	publish(to, &to->m[to->n - 1]);
}

static bool resend_cb(const struct rib_tree *t, const struct rib_node *nd,
		      const struct rx_prefix *p, void *arg)
{
	struct feed_ctx *f = arg;
	const struct rib_path *sel = member_route(f->e, f->rib, &f->g->key, f->m->src, p, t, nd);
	if (sel && held_has(f->g->held, p) && !summarised(f->e, f->rib, f->g, p, t, nd))
		item_add(f->g->pack, sel, p, CLS_ALL, 0);
	return true;
}

void export_member_refresh_w(struct export_state *e, struct rib *rib, uint16_t src)
{
	struct export_member *m;
	struct export_group *g = group_of(e, src, &m);
	if (!g)
		return;
	if (!g->held) { /* leaving and rejoining the group resends everything */
		struct export_member copy = *m;
		struct export_key k = g->key;
		member_remove(e, g, m);
		export_member_up_w(e, rib, &k, src, copy.send, copy.send_ctx, copy.advertised);
		return;
	}
	/* A limited member keeps what it holds: a fresh feed could pick other prefixes and
	 * leave it holding more than its limit. */
	struct feed_ctx f = {.e = e, .rib = rib, .g = g, .m = m};
	walk_families(rib, g->key.families, resend_cb, &f);
	for (unsigned i = 0; i < g->n_sums; i++)
		if (g->sums[i].count && held_has(g->held, &g->sums[i].p))
			item_add(g->pack, &g->agg, &g->sums[i].p, CLS_ALL, 0);
	flush_group(e, rib, g);
	send_eor(&g->key, m->send, m->send_ctx);
}

unsigned export_held_paths(const struct export_state *e, const struct rib *rib, uint16_t src,
			   const struct export_key *k, const struct rx_prefix *p,
			   const struct rib_path *set, unsigned n, const struct rib_path **out,
			   uint32_t *ids)
{
	if (!ap_family(k, p)) {
		out[0] = export_held(e, rib, src, k, p, set, n);
		ids[0] = 0;
		return out[0] != NULL;
	}
	const struct rib_path *B[n + 1];
	unsigned nb = ap_allowed(e, rib, k, p, set, n, B), m = 0;
	uint32_t asn = rib->peers[src].info.asn;
	for (unsigned i = 0; i < nb; i++)
		if (ap_to(&e->pol, k, B[i], src, asn) &&
		    export_has_nexthop(&e->pol, B[i], p->afi == RX_AFI_IPV6)) {
			ids[m] = send_id(B[i]);
			out[m++] = B[i];
		}
	return m;
}

const struct rib_path *export_held(const struct export_state *e, const struct rib *rib,
				   uint16_t src, const struct export_key *k,
				   const struct rx_prefix *p, const struct rib_path *set,
				   unsigned n)
{
	if (ap_family(k, p)) { /* the best of the paths it is sent */
		const struct rib_path *v[n + 1];
		uint32_t ids[n + 1];
		return export_held_paths(e, rib, src, k, p, set, n, v, ids) ? v[0] : NULL;
	}
	const struct rib_path *gsel = export_select(e, rib, k, p, set, n);
	const struct rib_path *sel = due(e, member_pick(e, rib, k, p, src, set, n, gsel), src, p);
	const struct export_group *g = group_of(e, src, NULL);
	if (sel && g && g->held && !held_has(g->held, p))
		return NULL;
	if (sel && g && g->n_sums && summary_of(g, rib, p, gsel) >= 0)
		return NULL; /* its summary is sent instead (export_summaries_held) */
	return sel;
}

unsigned export_summaries_held(const struct export_state *e, uint16_t src,
			       const struct rx_prefix **out, unsigned cap,
			       const struct rib_path **path)
{
	const struct export_group *g = group_of(e, src, NULL);
	unsigned n = 0;
	for (unsigned i = 0; g && i < g->n_sums; i++)
		if (summary_held(g, &g->sums[i].p) &&
		    export_has_nexthop(&e->pol, &g->agg, g->sums[i].p.afi == RX_AFI_IPV6)) {
			if (n < cap)
				out[n] = &g->sums[i].p;
			n++;
		}
	*path = g ? &g->agg : NULL;
	return n;
}

/* A policy change: one walk of the table serves every group (the walk and the candidates'
 * cache misses are most of its cost, paid once instead of once per group). A group looks
 * at a prefix only if the change can move it there: its attribute rewrite changed (every
 * route is sent again), or a candidate comes from a source role that the group's role may
 * now receive and could not before, or the reverse. Route exchange, for one, leaves the
 * NVAs' own routes to the NVAs and everything of the rs-clients alone. */
struct policy_walk {
	struct export_state *e;
	const struct rib *rib;
	struct export_policy old; /* the policy before */
	struct {
		bool force;       /* the rewrite changed: every route is sent again */
		uint8_t moved;    /* source roles (bits) allowed under one policy only */
	} to[RIB_ROLE_RS_CLIENT + 1]; /* by the group's role */
	size_t n;
};

static bool policy_cb(const struct rib_tree *t, const struct rib_node *nd,
		      const struct rx_prefix *p, void *arg)
{
	struct policy_walk *w = arg;
	struct export_state *e = w->e;
	const struct rib_path *set = rib_node_paths(t, nd);
	unsigned n = rib_node_selectable(w->rib, t, nd);
	unsigned from = 0; /* the candidates' source roles */
	for (unsigned i = 0; i < n; i++)
		from |= 1u << w->rib->peers[set[i].src].info.role;
	bool flush = ++w->n % 65536 == 0; /* bounds the pending state on big tables */
	for (unsigned i = 0; i < e->n_groups; i++) {
		struct export_group *g = e->groups[i];
		if (!(g->key.families & RX_FAM_BIT(fam_of(p))))
			continue;
		if (w->to[g->key.role].force || (w->to[g->key.role].moved & from))
			group_prefix(e, w->rib, g, p, &w->old, w->to[g->key.role].force, set, n,
				     set, n);
		/* ... and the batch's member lists to their 16-bit index */
		if (flush || g->pack->n_sets >= 32768)
			flush_group(e, w->rib, g);
	}
	return true;
}

void export_policy_change_w(struct export_state *e, struct rib *rib,
			    const struct export_policy *pol)
{
	struct policy_walk w = {.e = e, .rib = rib, .old = e->pol};
	e->pol = *pol;
	/* The rewrite changes with transparent, and for rs-clients with ixp-communities (the
	 * control communities are stripped only while it is on). */
	uint8_t roles = 0; /* group roles the change touches */
	for (uint8_t to = 0; to <= RIB_ROLE_RS_CLIENT; to++) {
		w.to[to].force = w.old.transparent != pol->transparent ||
				 (to == RIB_ROLE_RS_CLIENT &&
				  w.old.ixp_communities != pol->ixp_communities);
		for (uint8_t from = 0; from <= RIB_ROLE_RS_CLIENT; from++)
			if (export_allowed(&w.old, from, to) != export_allowed(pol, from, to))
				w.to[to].moved |= (uint8_t)(1u << from);
		if (w.to[to].force || w.to[to].moved)
			roles |= (uint8_t)(1u << to);
	}
	uint8_t families = 0;
	for (unsigned i = 0; i < e->n_groups; i++) {
		flush_group(e, rib, e->groups[i]);
		if (roles & (1u << e->groups[i]->key.role))
			families |= e->groups[i]->key.families;
	}
	walk_families(rib, families, policy_cb, &w);
	for (unsigned i = 0; i < e->n_groups; i++) {
		struct export_group *g = e->groups[i];
		flush_group(e, rib, g);
		/* The summaries are the route server's own routes: the walk resends what stands
		 * for them, not them; a new rewrite (transparent) must reach them too. */
		if (w.old.transparent != pol->transparent)
			for (unsigned j = 0; j < g->n_sums; j++)
				if (g->sums[j].count)
					resend(e, g, &g->sums[j].p, &g->agg);
		flush_group(e, rib, g);
		refill(e, rib, g);
		for (unsigned m = 0; m < g->n; m++)
			publish(g, &g->m[m]);
	}
}

/* ---- dry run ---- */

struct dry_ctx {
	const struct export_state *e;
	const struct rib *rib;
	const struct export_group *g;
	struct export_policy pol;    /* the policy to try */
	struct export_dry *d;        /* one per member of g */
	size_t *due;                 /* per member: due routes seen so far (limit order) */
	size_t *kept, *fresh;        /* per member, same limit: held and still due; newly due */
	uint32_t *sum_new;           /* per summary of g: routes it would stand for */
	bool force;                  /* the attribute rewrite changes: every route is sent again */
};

/* Member i of the dry run's group: from o (what it holds) to n (what it would be due). */
static void dry_account(struct dry_ctx *c, unsigned i, const struct rib_path *o,
			const struct rib_path *n)
{
	struct export_dry *d = &c->d[i];
	const struct export_group *g = c->g;
	d->before += o != NULL;
	bool changed = c->force || !same_route(o, n);
	if (!d->limit) {
		d->announce += n && changed;
		d->withdraw += o && !n;
		d->after += n != NULL;
	} else if (d->limit == g->key.limit) {
		/* Same limit: the held routes still due stay, newly due ones fill the room
		 * left (which ones depends on order, how many does not). */
		c->kept[i] += o && n;
		d->announce += o && n && changed;
		d->withdraw += o && !n;
		c->fresh[i] += n && !o;
	} else {
		/* New limit: the member is refilled in prefix order, summaries last
		 * (export_member_rekey_w). */
		bool in = n && c->due[i] < d->limit;
		c->due[i] += n != NULL;
		d->announce += in && (changed || !o);
		d->withdraw += o && !in;
		d->after += in;
		d->withheld += n && !in;
	}
}

/* The dry run of an ADD-PATH family: paths announced and withdrawn, prefixes held. */
static void ap_dry(struct dry_ctx *c, const struct rx_prefix *p, const struct rib_path *set,
		   unsigned n)
{
	const struct export_group *g = c->g;
	struct export_state tried = *c->e;
	tried.pol = c->pol;
	const struct rib_path *A[n + 1], *B[n + 1];
	unsigned na = ap_allowed(c->e, c->rib, &g->key, p, set, n, A);
	unsigned nb = ap_allowed(&tried, c->rib, &g->key, p, set, n, B);
	for (unsigned i = 0; i < g->n; i++) {
		uint16_t src = g->m[i].src;
		uint32_t asn = c->rib->peers[src].info.asn;
		struct export_dry *d = &c->d[i];
		bool before = false, after = false;
		for (unsigned j = 0; j < nb; j++) {
			if (!ap_to(&c->pol, &g->key, B[j], src, asn))
				continue;
			const struct rib_path *a = ap_find(A, na, B[j]);
			bool had = ap_to(&c->e->pol, &g->key, a, src, asn);
			d->announce += !had || c->force || a->attrs != B[j]->attrs ||
				       rpki_moved(&g->key, a, B[j]);
			after = true;
		}
		for (unsigned j = 0; j < na; j++) {
			if (!ap_to(&c->e->pol, &g->key, A[j], src, asn))
				continue;
			before = true;
			d->withdraw += !ap_to(&c->pol, &g->key, ap_find(B, nb, A[j]), src, asn);
		}
		d->before += before;
		d->after += after;
	}
}

static bool dry_cb(const struct rib_tree *t, const struct rib_node *nd, const struct rx_prefix *p,
		   void *arg)
{
	struct dry_ctx *c = arg;
	const struct rib_path *set = rib_node_paths(t, nd);
	unsigned ns = rib_node_selectable(c->rib, t, nd);
	const struct export_group *g = c->g;
	const struct rib_path *o_raw = export_select(c->e, c->rib, &g->key, p, set, ns);
	struct export_state tried = *c->e;
	tried.pol = c->pol;
	const struct rib_path *n_raw = export_select(&tried, c->rib, &g->key, p, set, ns);
	if (ap_family(&g->key, p)) {
		ap_dry(c, p, set, ns);
		return true;
	}
	if (RX_UNLIKELY(g->n_sums)) { /* summarised routes are not sent: their summary is */
		if (summary_of(g, c->rib, p, o_raw) >= 0)
			o_raw = NULL;
		int sn = summary_of(g, c->rib, p, n_raw);
		if (sn >= 0) {
			c->sum_new[sn]++;
			n_raw = NULL;
		}
	}
	for (unsigned i = 0; i < g->n; i++) {
		uint16_t src = g->m[i].src;
		const struct rib_path *o =
			due(c->e, member_pick(c->e, c->rib, &g->key, p, src, set, ns, o_raw), src, p);
		const struct rib_path *n =
			due(&tried, member_pick(&tried, c->rib, &g->key, p, src, set, ns, n_raw), src, p);
		if (o && g->held && !held_has(g->held, p))
			o = NULL;
		dry_account(c, i, o, n);
	}
	return true;
}

/* The summaries, after the walk: held now (active, and within a limit), due then. */
static void dry_summaries(struct dry_ctx *c)
{
	const struct export_group *g = c->g;
	bool force = c->force;
	c->force = c->pol.transparent != c->e->pol.transparent; /* they carry no communities */
	for (unsigned j = 0; j < g->n_sums; j++) {
		const struct rx_prefix *sp = &g->sums[j].p;
		bool ipv6 = sp->afi == RX_AFI_IPV6;
		if (!export_has_nexthop(&c->e->pol, &g->agg, ipv6))
			continue;
		for (unsigned i = 0; i < g->n; i++)
			dry_account(c, i, summary_held(g, sp) ? &g->agg : NULL,
				    c->sum_new[j] ? &g->agg : NULL);
	}
	c->force = force;
}

size_t export_dry_run_w(const struct export_state *e, const struct rib *rib,
			const struct export_policy *pol, const uint32_t *limits, size_t n_limits,
			struct export_dry *out, size_t cap)
{
	size_t n_out = 0;
	for (unsigned gi = 0; gi < e->n_groups && n_out < cap; gi++) {
		const struct export_group *g = e->groups[gi];
		unsigned n = g->n < cap - n_out ? g->n : (unsigned)(cap - n_out);
		struct export_group view = *g;
		view.n = n;
		struct dry_ctx c = {.e = e, .rib = rib, .g = &view, .pol = *pol, .d = out + n_out,
				    .force = pol->transparent != e->pol.transparent ||
					     (g->key.role == RIB_ROLE_RS_CLIENT &&
					      pol->ixp_communities != e->pol.ixp_communities)};
		c.due = calloc(3 * (size_t)n + 1, sizeof(size_t));
		RX_ASSERT(c.due);
		c.sum_new = calloc(g->n_sums + 1, sizeof(*c.sum_new));
		RX_ASSERT(c.sum_new);
		c.kept = c.due + n;
		c.fresh = c.kept + n;
		for (unsigned i = 0; i < n; i++) {
			uint16_t src = g->m[i].src;
			c.d[i] = (struct export_dry){.src = src, .limit = g->key.limit};
			if (limits && src < n_limits)
				c.d[i].limit = limits[src];
		}
		walk_families(rib, g->key.families, dry_cb, &c);
		dry_summaries(&c);
		for (unsigned i = 0; i < n; i++) {
			struct export_dry *d = &c.d[i];
			if (d->limit && d->limit == g->key.limit) {
				size_t room = d->limit - c.kept[i];
				size_t added = c.fresh[i] < room ? c.fresh[i] : room;
				d->announce += added;
				d->after = c.kept[i] + added;
				d->withheld = c.fresh[i] - added;
			}
		}
		free(c.due);
		free(c.sum_new);
		n_out += n;
	}
	return n_out;
}
