/* rib.c: Adj-RIB-In and Loc-RIB in one structure: candidate paths per prefix, best path and
 * ECMP set, peer flush, mark and sweep, and the change log for the export stage.
 *
 * Design (see rib-t.h for the memory layout and rib.h for who may call what):
 *   - Every change to one prefix goes through modify(): build the new candidate set in a
 *     scratch array, run the decision (decide_sort), log the change when the ECMP set
 *     (best first) differs, publish the new node, and only then drop the attr references of
 *     removed paths, so a logged old path never points to a set that left the table.
 *   - Attr references: each candidate path holds one; each logged path holds one.
 *   - Peer bulk operations walk the peer's own key list, never the table: flush and sweep
 *     cost O(paths of that peer) tree descents.
 *   - Mark and sweep uses generations: marking bumps the peer's generation (O(1)); a path
 *     announced or re-announced afterwards carries the new one; sweep drops the others. */
#include <stdlib.h>
#include <string.h>

#include <routex/compiler.h>
#include <routex/lpm.h>
#include <routex/rib.h>

/* A peer key list is compacted when it holds this many more entries than live prefixes. */
#define RIB_KEYVEC_SLACK 1024

/* Keys touched at once ahead of a flush or sweep (radix_touch4_w): enough descents in
 * flight to overlap their misses, few enough that the touched nodes are still cached when
 * their turn comes. rib_touch_ahead_w can set it (0: off), for A/B measurements. */
#define RIB_TOUCH_AHEAD 8

void rib_conf_default(struct rib_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->asn = 65515; /* Azure Route Server's ASN */
	c->default_local_pref = 100;
	c->pref = RIB_PREF_EXPRESSROUTE;
	c->multipath = true;
	c->max_ecmp = 64;
}

static void peers_reserve(struct rib *rib, size_t src)
{
	if (src < rib->n_peers)
		return;
	size_t n = rib->n_peers ? rib->n_peers : 16;
	while (n <= src)
		n *= 2;
	rib->peers = realloc(rib->peers, n * sizeof(*rib->peers));
	RX_ASSERT(rib->peers);
	memset(rib->peers + rib->n_peers, 0, (n - rib->n_peers) * sizeof(*rib->peers));
	rib->n_peers = n;
}

void rib_init(struct rib *rib, const struct rib_conf *conf)
{
	memset(rib, 0, sizeof(*rib));
	rib->conf = *conf;
	radix_init(&rib->tree[0], RX_AFI_IPV4);
	radix_init(&rib->tree[1], RX_AFI_IPV6);
	rx_retire_init(&rib->retire);
	attr_table_init(&rib->attrs, &rib->retire);
	rib->touch_ahead = RIB_TOUCH_AHEAD;
	if (conf->lpm_index)
		rib->lpm = lpm_new();
	peers_reserve(rib, 16);
	struct rib_peer *local = &rib->peers[RIB_SRC_LOCAL];
	local->active = true;
	local->info.asn = conf->asn;
	local->info.role = RIB_ROLE_LOCAL;
}

void rib_peer_add_w(struct rib *rib, uint16_t src, const struct rib_peer_info *info)
{
	RX_ASSERT(src != RIB_SRC_LOCAL);
	peers_reserve(rib, src);
	struct rib_peer *p = &rib->peers[src];
	RX_ASSERT(!p->active);
	uint16_t gen = p->gen; /* keep counting: a path of a removed peer can never look fresh */
	memset(p, 0, sizeof(*p));
	p->info = *info;
	p->active = true;
	p->ebgp = info->asn != rib->conf.asn;
	p->gen = (uint16_t)((gen + 1) & RIB_GEN_MASK);
}

/* ---- peer key lists ---- */

static size_t kv_esize(unsigned fam)
{
	return fam == 0 ? 8 : 24;
}

static __attribute__((noinline)) void kv_grow(struct rib_keyvec *kv, size_t es)
{
	kv->cap = kv->cap ? kv->cap * 2 : 64;
	kv->v = realloc(kv->v, kv->cap * es);
	RX_ASSERT(kv->v);
}

static inline void kv_push(struct rib_keyvec *kv, unsigned fam, const struct rib_key *k,
			   uint8_t len)
{
	size_t es = kv_esize(fam);
	if (RX_UNLIKELY(kv->len == kv->cap))
		kv_grow(kv, es);
	uint8_t *e = kv->v + kv->len * es;
	if (fam == 0) {
		uint64_t x = (k->hi >> 32) << 8 | len; /* sorts as (address, length) */
		memcpy(e, &x, 8);
	} else {
		uint64_t x[3] = {k->hi, k->lo, len};
		memcpy(e, x, 24);
	}
	kv->len++;
}

static void kv_get(const struct rib_keyvec *kv, unsigned fam, size_t i, struct rib_key *k,
		   uint8_t *len)
{
	if (fam == 0) {
		uint64_t x;
		memcpy(&x, kv->v + i * 8, 8);
		k->hi = (x >> 8) << 32;
		k->lo = 0;
		*len = (uint8_t)x;
	} else {
		uint64_t x[3];
		memcpy(x, kv->v + i * 24, 24);
		k->hi = x[0];
		k->lo = x[1];
		*len = (uint8_t)x[2];
	}
}

static void kv_free(struct rib_keyvec *kv)
{
	free(kv->v);
	memset(kv, 0, sizeof(*kv));
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x, y;
	memcpy(&x, a, 8);
	memcpy(&y, b, 8);
	return x < y ? -1 : x > y;
}
static int cmp_k6(const void *a, const void *b)
{
	uint64_t x[3], y[3];
	memcpy(x, a, 24);
	memcpy(y, b, 24);
	for (int i = 0; i < 3; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}

static bool has_src(const struct rib_tree *t, const struct rib_node *nd, uint16_t src)
{
	if (!nd)
		return false;
	const struct rib_path *p = rib_node_paths(t, nd);
	for (unsigned i = 0; i < nd->n; i++)
		if (p[i].src == src)
			return true;
	return false;
}

/* Drops stale (withdrawn) and duplicate entries. */
static void kv_compact(struct rib *rib, uint16_t src, unsigned fam)
{
	struct rib_keyvec *kv = &rib->peers[src].keys[fam];
	const struct rib_tree *t = &rib->tree[fam];
	size_t es = kv_esize(fam), out = 0;
	if (kv->len == 0)
		return; /* also keeps a NULL vector away from qsort (UBSan) */
	qsort(kv->v, kv->len, es, fam == 0 ? cmp_u64 : cmp_k6);
	for (size_t i = 0; i < kv->len; i++) {
		if (out && memcmp(kv->v + (out - 1) * es, kv->v + i * es, es) == 0)
			continue;
		struct rib_key k;
		uint8_t len;
		kv_get(kv, fam, i, &k, &len);
		if (!has_src(t, radix_find_rcu(t, &k, len), src))
			continue;
		memmove(kv->v + out * es, kv->v + i * es, es);
		out++;
	}
	kv->len = out;
	if (kv->cap > 2 * out + 64) {
		kv->cap = 2 * out + 64;
		kv->v = realloc(kv->v, kv->cap * es);
		RX_ASSERT(kv->v);
	}
}

/* ---- change log ---- */

/* Growth, out of line: the common append finds room. A batch that starts empty (after
 * rib_changes_take_w) adopts the arrays the last release kept, so steady-state batches
 * allocate nothing. */
static __attribute__((noinline)) void log_grow(struct rib *rib, size_t entries, size_t paths)
{
	struct rib_changes *c = &rib->log, *sp = &rib->log_spare;
	if (!c->v && sp->v) {
		c->v = sp->v;
		c->cap = sp->cap;
		sp->v = NULL;
		sp->cap = 0;
	}
	if (!c->paths && sp->paths) {
		c->paths = sp->paths;
		c->pcap = sp->pcap;
		sp->paths = NULL;
		sp->pcap = 0;
	}
	if (c->len + entries > c->cap) {
		size_t n = c->cap ? c->cap : 1024;
		while (c->len + entries > n)
			n *= 2;
		c->v = realloc(c->v, n * sizeof(*c->v));
		RX_ASSERT(c->v);
		c->cap = n;
	}
	if (c->plen + paths > c->pcap) {
		size_t n = c->pcap ? c->pcap : 2048;
		while (c->plen + paths > n)
			n *= 2;
		c->paths = realloc(c->paths, n * sizeof(*c->paths));
		RX_ASSERT(c->paths);
		c->pcap = n;
	}
}

static inline void log_reserve(struct rib *rib, size_t entries, size_t paths)
{
	struct rib_changes *c = &rib->log;
	if (RX_UNLIKELY(c->len + entries > c->cap || c->plen + paths > c->pcap))
		log_grow(rib, entries, paths);
}

/* A new entry for (k, len) with room for n paths after it; the caller fills them. */
static inline struct rib_path *log_entry(struct rib *rib, unsigned fam, const struct rib_key *k,
					 uint8_t len, unsigned old_n, unsigned new_n)
{
	struct rib_changes *c = &rib->log;
	log_reserve(rib, 1, old_n + new_n);
	struct rib_change *e = &c->v[c->len++];
	if (fam == 0) {
		/* what rib_key_to_prefix writes, without its memset and 128-bit swap */
		uint32_t a = __builtin_bswap32((uint32_t)(k->hi >> 32));
		memset(&e->prefix, 0, sizeof(e->prefix));
		e->prefix.afi = RX_AFI_IPV4;
		e->prefix.len = len;
		memcpy(e->prefix.addr, &a, 4);
	} else {
		rib_key_to_prefix(RX_AFI_IPV6, k, len, &e->prefix);
	}
	e->old_n = (uint16_t)old_n;
	e->new_n = (uint16_t)new_n;
	e->off = (uint32_t)c->plen;
	struct rib_path *out = &c->paths[c->plen];
	c->plen += old_n + new_n;
	return out;
}

/* Logs old -> new; each logged path takes its own attr reference. */
static void log_change(struct rib *rib, unsigned fam, const struct rib_key *k, uint8_t len,
		       const struct rib_path *old, unsigned old_n, const struct rib_path *nw,
		       unsigned new_n)
{
	struct rib_path *out = log_entry(rib, fam, k, len, old_n, new_n);
	for (unsigned i = 0; i < old_n; i++) {
		out[i] = old[i];
		attr_ref_w(&rib->attrs, old[i].attrs);
	}
	out += old_n;
	for (unsigned i = 0; i < new_n; i++) {
		out[i] = nw[i];
		attr_ref_w(&rib->attrs, nw[i].attrs);
	}
}

void rib_changes_take_w(struct rib *rib, struct rib_changes *out)
{
	*out = rib->log;
	memset(&rib->log, 0, sizeof(rib->log));
}

/* Keeps an array of a released batch for the next one when the slot is free and the
 * array is not a giant's (RIB_LOG_KEEP_*); frees it otherwise. */
static void keep_or_free(void **spare, size_t *spare_cap, void *v, size_t cap, size_t max)
{
	if (v && !*spare && cap <= max) {
		*spare = v;
		*spare_cap = cap;
	} else {
		free(v);
	}
}

void rib_changes_release_w(struct rib *rib, struct rib_changes *c)
{
	/* The sets are scattered over the attr table and each unref touches one: prefetch a
	 * few entries ahead so the misses overlap instead of following one another. */
	enum { AHEAD = 8 };
	for (size_t i = 0; i < c->plen; i++) {
		if (i + AHEAD < c->plen)
			__builtin_prefetch(c->paths[i + AHEAD].attrs, 1);
		attr_unref_w(&rib->attrs, c->paths[i].attrs);
	}
	struct rib_changes *sp = &rib->log_spare;
	void *v = sp->v, *paths = sp->paths;
	keep_or_free(&v, &sp->cap, c->v, c->cap, RIB_LOG_KEEP_ENTRIES);
	keep_or_free(&paths, &sp->pcap, c->paths, c->pcap, RIB_LOG_KEEP_PATHS);
	sp->v = v;
	sp->paths = paths;
	memset(c, 0, sizeof(*c));
}

static bool same_set(const struct rib_path *a, unsigned na, const struct rib_path *b, unsigned nb)
{
	if (na != nb)
		return false;
	for (unsigned i = 0; i < na; i++)
		if (a[i].src != b[i].src || a[i].path_id != b[i].path_id ||
		    a[i].attrs != b[i].attrs)
			return false;
	return true;
}

/* The selectable paths of a sorted set: all but the hidden ones, which decide_sort put
 * last. Scanning from the end reads the partition the set was sorted with, even while a
 * policy switch (rib_rpki_policy_w) is being applied prefix by prefix. */
static unsigned selectable(const struct rib *rib, const struct rib_path *v, unsigned n)
{
	/* A: relaxed, as in decide.c; without `invalid: drop` nothing is hidden. */
	if (!__atomic_load_n(&rib->conf.rpki_drop_invalid, __ATOMIC_RELAXED))
		return n;
	while (n && decide_hidden(rib, &v[n - 1]))
		n--;
	return n;
}

unsigned rib_node_selectable(const struct rib *rib, const struct rib_tree *t,
			     const struct rib_node *nd)
{
	return selectable(rib, rib_node_paths(t, nd), nd->n);
}

/* Logs a change when the selectable candidates (not only the ECMP set) moved: export
 * selects per update group from the whole ranked list, so a change of the second path is
 * news to a group the first is not sent to (path hiding, RFC 7947 2.3.2). */
static void log_if_moved(struct rib *rib, unsigned fam, const struct rib_key *k, uint8_t len,
			 const struct rib_path *old, unsigned old_n, const struct rib_path *nw,
			 unsigned new_n)
{
	if (!rib->conf.no_changes && !same_set(old, old_n, nw, new_n))
		log_change(rib, fam, k, len, old, old_n, nw, new_n);
}

/* ---- one prefix ---- */

enum op { OP_UPDATE, OP_WITHDRAW, OP_FLUSH, OP_SWEEP };

static struct rib_path *scratch(struct rib *rib, size_t n)
{
	if (n > rib->scratch_cap) {
		rib->scratch_cap = n * 2;
		rib->scratch = realloc(rib->scratch, rib->scratch_cap * sizeof(*rib->scratch));
		RX_ASSERT(rib->scratch);
	}
	return rib->scratch;
}

/* src got its first path at (k, len): counts it and lists the prefix in its key list. */
static void key_added(struct rib *rib, struct rib_peer *peer, uint16_t src, unsigned fam,
		      const struct rib_key *k, uint8_t len, bool update)
{
	peer->prefixes[fam]++;
	struct rib_keyvec *kv = &peer->keys[fam];
	/* Compact before the push: compaction keeps the keys whose prefix holds a path of
	 * src in the tree, and this prefix's new path is not published yet. */
	if (RX_UNLIKELY(kv->len + 1 >= 2 * peer->prefixes[fam] + RIB_KEYVEC_SLACK) && update)
		kv_compact(rib, src, fam);
	kv_push(kv, fam, k, len);
}

/* The fast path of a table load: a prefix with no path (absent, or a glue node) gets its
 * first. There is nothing to decide (the new path is the best and the ECMP set is itself,
 * unless RPKI hides it) and the change is the simplest entry: no old paths, one new. */
static bool first_path(struct rib *rib, unsigned fam, const struct rib_key *k, uint8_t len,
		       const struct radix_pos *pos, uint16_t src, uint32_t path_id,
		       struct attr_set *a, uint8_t rpki)
{
	struct rib_tree *t = &rib->tree[fam];
	struct rib_peer *peer = &rib->peers[src];
	struct rib_path np;
	np.attrs = attr_ref_w(&rib->attrs, a);
	np.path_id = path_id;
	np.src = src;
	np.gen = peer->gen & RIB_GEN_MASK;
	np.rpki = rpki & 3u;
	peer->invalid += rpki == RIB_RPKI_INVALID;
	peer->paths[fam]++;
	key_added(rib, peer, src, fam, k, len, true);
	unsigned n_ecmp = !decide_hidden(rib, &np);
	if (n_ecmp && !rib->conf.no_changes) {
		*log_entry(rib, fam, k, len, 0, 1) = np;
		attr_ref_w(&rib->attrs, a);
	}
	radix_put_w(t, &rib->retire, k, len, pos, &np, 1, n_ecmp);
	if (rib->lpm && fam == 0)
		rib_lpm_track_w(rib, k, len, true);
	return n_ecmp != 0;
}

/* The fast path of a flush: every path at the prefix was src's and is dropped (dropped[]
 * holds them, in the node's order). Nothing to decide; the logged old set is the node's
 * selectable paths, and their references move to the log instead of being taken there
 * and dropped here (each would touch the attr set: a cache miss per route on a full
 * table). The hidden ones, not logged, are dropped. */
static bool last_paths(struct rib *rib, unsigned fam, const struct rib_key *k, uint8_t len,
		       const struct radix_pos *pos, struct rib_peer *peer,
		       const struct rib_path *dropped, unsigned nd)
{
	struct rib_tree *t = &rib->tree[fam];
	unsigned sel = selectable(rib, dropped, nd), kept = 0;
	bool changed = pos->node->n_ecmp != 0;
	if (sel && !rib->conf.no_changes) {
		struct rib_path *out = log_entry(rib, fam, k, len, sel, 0);
		memcpy(out, dropped, sel * sizeof(*out));
		kept = sel;
	}
	radix_remove_w(t, &rib->retire, pos);
	if (rib->lpm && fam == 0)
		rib_lpm_track_w(rib, k, len, false);
	for (unsigned i = 0; i < nd; i++) {
		peer->invalid -= dropped[i].rpki == RIB_RPKI_INVALID;
		if (i >= kept)
			attr_unref_w(&rib->attrs, dropped[i].attrs);
	}
	return changed;
}

/* Applies op for src at (k, len); returns true when the ECMP set changed. *removed counts
 * the paths taken out. */
static bool modify(struct rib *rib, unsigned fam, const struct rib_key *k, uint8_t len, enum op op,
		   uint16_t src, uint32_t path_id, struct attr_set *a, uint8_t rpki, size_t *removed)
{
	struct rib_tree *t = &rib->tree[fam];
	struct rib_peer *peer = &rib->peers[src];
	struct radix_pos pos;
	radix_seek_w(t, k, len, &pos);
	const struct rib_node *old = pos.node;
	unsigned on = old ? old->n : 0;
	if (on == 0)
		return op == OP_UPDATE &&
		       first_path(rib, fam, k, len, &pos, src, path_id, a, rpki);
	const struct rib_path *ov = rib_node_paths(t, old);
	/* scratch: new set in [0, on + 1), dropped paths in [on + 1, 2 * on + 1) */
	struct rib_path *nv = scratch(rib, 2 * (size_t)on + 1), *dropped = nv + on + 1;
	unsigned nn = 0, nd = 0;
	bool had = false, has = false;
	for (unsigned i = 0; i < on; i++) {
		const struct rib_path *p = &ov[i];
		if (p->src != src) {
			nv[nn++] = *p;
			continue;
		}
		had = true;
		bool drop;
		switch (op) {
		case OP_UPDATE:
			if (p->path_id == path_id && p->attrs == a && p->gen == peer->gen &&
			    p->rpki == rpki)
				return false; /* the same path again: nothing changes */
			drop = p->path_id == path_id;
			break;
		case OP_WITHDRAW:
			drop = p->path_id == path_id;
			break;
		case OP_SWEEP:
			drop = p->gen != peer->gen;
			break;
		case OP_FLUSH:
		default:
			drop = true;
			break;
		}
		if (drop) {
			dropped[nd++] = *p;
		} else {
			nv[nn++] = *p;
			has = true;
		}
	}
	if (op == OP_UPDATE) {
		nv[nn].attrs = attr_ref_w(&rib->attrs, a);
		nv[nn].path_id = path_id;
		nv[nn].src = src;
		nv[nn].gen = peer->gen & RIB_GEN_MASK;
		nv[nn].rpki = rpki & 3u;
		peer->invalid += rpki == RIB_RPKI_INVALID;
		nn++;
		has = true;
	} else if (nd == 0) {
		return false; /* nothing of src's to withdraw here */
	}
	peer->paths[fam] = peer->paths[fam] + (op == OP_UPDATE) - nd;
	if (!had && has)
		key_added(rib, peer, src, fam, k, len, op == OP_UPDATE);
	else if (had && !has)
		peer->prefixes[fam]--;
	if (removed)
		*removed += nd;
	if (nn == 0)
		return last_paths(rib, fam, k, len, &pos, peer, dropped, nd);
	unsigned n_ecmp = decide_sort(rib, nv, nn);
	bool changed = !same_set(ov, old->n_ecmp, nv, n_ecmp);
	log_if_moved(rib, fam, k, len, ov, selectable(rib, ov, on), nv, selectable(rib, nv, nn));
	radix_put_w(t, &rib->retire, k, len, &pos, nv, nn, n_ecmp);
	for (unsigned i = 0; i < nd; i++) {
		peer->invalid -= dropped[i].rpki == RIB_RPKI_INVALID;
		attr_unref_w(&rib->attrs, dropped[i].attrs);
	}
	return changed;
}

static unsigned fam_of(const struct rx_prefix *p)
{
	return p->afi == RX_AFI_IPV4 ? 0 : 1;
}

bool rib_update_w(struct rib *rib, uint16_t src, uint32_t path_id, const struct rx_prefix *p,
		  struct attr_set *a)
{
	return rib_update_rpki_w(rib, src, path_id, p, a, RIB_RPKI_NONE);
}

bool rib_update_rpki_w(struct rib *rib, uint16_t src, uint32_t path_id, const struct rx_prefix *p,
		       struct attr_set *a, uint8_t rpki)
{
	RX_ASSERT(src < rib->n_peers && rib->peers[src].active);
	RX_ASSERT(p->len <= rx_afi_bits(p->afi));
	RX_ASSERT(rpki <= RIB_RPKI_INVALID);
	struct rib_key k = rib_key_of(p);
	return modify(rib, fam_of(p), &k, p->len, OP_UPDATE, src, path_id, a, rpki, NULL);
}

/* The node holding paths for p (NULL: none, or a glue node), with the key and position a
 * rebuild of it needs: the start of the RPKI re-decisions. */
static const struct rib_node *seek_prefix(struct rib *rib, const struct rx_prefix *p,
					  struct rib_key *k, struct radix_pos *pos)
{
	*k = rib_key_of(p);
	radix_seek_w(&rib->tree[fam_of(p)], k, p->len, pos);
	return pos->node && pos->node->n ? pos->node : NULL;
}

bool rib_rpki_update_w(struct rib *rib, const struct rx_prefix *p, rib_rpki_fn fn, void *arg)
{
	unsigned fam = fam_of(p);
	struct rib_tree *t = &rib->tree[fam];
	struct rib_key k;
	struct radix_pos pos;
	const struct rib_node *old = seek_prefix(rib, p, &k, &pos);
	if (!old)
		return false;
	const struct rib_path *ov = rib_node_paths(t, old);
	unsigned n = old->n;
	struct rib_path *nv = scratch(rib, n);
	bool any = false;
	for (unsigned i = 0; i < n; i++) {
		nv[i] = ov[i];
		if (ov[i].rpki == RIB_RPKI_NONE) /* not subject to validation */
			continue;
		uint8_t st = fn(&ov[i], p, arg);
		RX_ASSERT(st >= RIB_RPKI_NOT_FOUND && st <= RIB_RPKI_INVALID);
		if (st == ov[i].rpki)
			continue;
		struct rib_peer *peer = &rib->peers[ov[i].src];
		peer->invalid += (st == RIB_RPKI_INVALID) - (ov[i].rpki == RIB_RPKI_INVALID);
		nv[i].rpki = st & 3u;
		any = true;
	}
	if (!any)
		return false;
	/* The node is rebuilt even when the ECMP set stays: readers (show rib, route maps) see
	 * the new state. Kept paths keep their attr references, as in modify(). The change is
	 * logged even when the candidates stay (invalid: accept): an export map that matches
	 * rpki may now deny, permit or rewrite the same path (docs/policy.md). */
	unsigned n_ecmp = decide_sort(rib, nv, n);
	bool changed = !same_set(ov, old->n_ecmp, nv, n_ecmp);
	if (!rib->conf.no_changes)
		log_change(rib, fam, &k, p->len, ov, selectable(rib, ov, n), nv,
			   selectable(rib, nv, n));
	radix_put_w(t, &rib->retire, &k, p->len, &pos, nv, n, n_ecmp);
	return changed;
}

void rib_rpki_policy_w(struct rib *rib, bool drop_invalid)
{
	__atomic_store_n(&rib->conf.rpki_drop_invalid, drop_invalid, __ATOMIC_RELAXED);
}

bool rib_rpki_redecide_w(struct rib *rib, const struct rx_prefix *p)
{
	unsigned fam = fam_of(p);
	struct rib_tree *t = &rib->tree[fam];
	struct rib_key k;
	struct radix_pos pos;
	const struct rib_node *old = seek_prefix(rib, p, &k, &pos);
	if (!old)
		return false;
	const struct rib_path *ov = rib_node_paths(t, old);
	unsigned n = old->n;
	bool any = false;
	for (unsigned i = 0; i < n && !any; i++)
		any = ov[i].rpki == RIB_RPKI_INVALID;
	if (!any)
		return false; /* the policy changes nothing here */
	struct rib_path *nv = scratch(rib, n);
	memcpy(nv, ov, n * sizeof(*nv));
	unsigned n_ecmp = decide_sort(rib, nv, n);
	/* The node was sorted under the policy before the switch: under `accept` every path
	 * was selectable; under `drop` the invalid ones came last. */
	unsigned o_sel = n, n_sel = selectable(rib, nv, n);
	if (!__atomic_load_n(&rib->conf.rpki_drop_invalid, __ATOMIC_RELAXED))
		while (o_sel && ov[o_sel - 1].rpki == RIB_RPKI_INVALID)
			o_sel--;
	if (same_set(ov, o_sel, nv, n_sel) && same_set(ov, old->n_ecmp, nv, n_ecmp))
		return false; /* show rib computes `hidden` itself: no need to rebuild the node */
	log_if_moved(rib, fam, &k, p->len, ov, o_sel, nv, n_sel);
	radix_put_w(t, &rib->retire, &k, p->len, &pos, nv, n, n_ecmp);
	return !same_set(ov, old->n_ecmp, nv, n_ecmp);
}

bool rib_withdraw_w(struct rib *rib, uint16_t src, uint32_t path_id, const struct rx_prefix *p)
{
	RX_ASSERT(src < rib->n_peers);
	RX_ASSERT(p->len <= rx_afi_bits(p->afi));
	struct rib_key k = rib_key_of(p);
	return modify(rib, fam_of(p), &k, p->len, OP_WITHDRAW, src, path_id, NULL, 0, NULL);
}

/* Touches the tree nodes of IPv4 keys [i, i + n) of a key list (radix_touch4_w). */
static void kv_touch4(const struct rib_tree *t, const struct rib_keyvec *kv, size_t i, unsigned n)
{
	uint32_t k4[RADIX_TOUCH_MAX];
	uint8_t len[RADIX_TOUCH_MAX];
	if (n > RADIX_TOUCH_MAX)
		n = RADIX_TOUCH_MAX;
	for (unsigned j = 0; j < n; j++) {
		uint64_t x;
		memcpy(&x, kv->v + (i + j) * 8, 8);
		k4[j] = (uint32_t)(x >> 8);
		len[j] = (uint8_t)x;
	}
	radix_touch4_w(t, k4, len, n);
}

static size_t peer_pass(struct rib *rib, uint16_t src, enum op op)
{
	struct rib_peer *peer = &rib->peers[src];
	size_t removed = 0;
	unsigned ahead = rib->touch_ahead;
	for (unsigned fam = 0; fam < 2; fam++) {
		struct rib_keyvec *kv = &peer->keys[fam];
		const struct rib_tree *t = &rib->tree[fam];
		if (op == OP_FLUSH && !rib->conf.no_changes)
			/* at most one entry and (sole source) one path per key: one allocation, no
			 * copying on growth */
			log_reserve(rib, kv->len, kv->len);
		unsigned touched = 0;
		for (size_t i = 0; i < kv->len; i++) {
			struct rib_key k;
			uint8_t len;
			if (fam == 0 && ahead && !touched) {
				touched = kv->len - i < ahead ? (unsigned)(kv->len - i) : ahead;
				kv_touch4(t, kv, i, touched);
			}
			touched -= touched > 0;
			kv_get(kv, fam, i, &k, &len);
			modify(rib, fam, &k, len, op, src, 0, NULL, 0, &removed);
		}
		if (op == OP_FLUSH) {
			RX_ASSERT(peer->paths[fam] == 0 && peer->prefixes[fam] == 0);
			kv_free(kv);
		} else {
			kv_compact(rib, src, fam);
		}
	}
	return removed;
}

size_t rib_peer_flush_w(struct rib *rib, uint16_t src)
{
	RX_ASSERT(src < rib->n_peers);
	return peer_pass(rib, src, OP_FLUSH);
}

size_t rib_peer_flush_some_w(struct rib *rib, uint16_t src, size_t budget, bool *done)
{
	RX_ASSERT(src < rib->n_peers);
	struct rib_peer *peer = &rib->peers[src];
	size_t removed = 0, visited = 0;
	unsigned ahead = rib->touch_ahead;
	for (unsigned fam = 0; fam < 2 && visited < budget; fam++) {
		struct rib_keyvec *kv = &peer->keys[fam];
		const struct rib_tree *t = &rib->tree[fam];
		unsigned touched = 0;
		/* From the end, shrinking the list as we go: resumable, nothing revisited. */
		while (kv->len > 0 && visited < budget) {
			struct rib_key k;
			uint8_t len;
			if (fam == 0 && ahead && !touched) {
				size_t left = budget - visited < kv->len ? budget - visited : kv->len;
				touched = left < ahead ? (unsigned)left : ahead;
				kv_touch4(t, kv, kv->len - touched, touched);
			}
			touched -= touched > 0;
			kv_get(kv, fam, kv->len - 1, &k, &len);
			kv->len--;
			modify(rib, fam, &k, len, OP_FLUSH, src, 0, NULL, 0, &removed);
			visited++;
		}
	}
	*done = peer->keys[0].len == 0 && peer->keys[1].len == 0;
	if (*done)
		for (unsigned fam = 0; fam < 2; fam++) {
			RX_ASSERT(peer->paths[fam] == 0 && peer->prefixes[fam] == 0);
			kv_free(&peer->keys[fam]);
		}
	return removed;
}

void rib_touch_ahead_w(struct rib *rib, unsigned n)
{
	rib->touch_ahead = n < RADIX_TOUCH_MAX ? n : RADIX_TOUCH_MAX;
}

void rib_peer_mark_stale_w(struct rib *rib, uint16_t src)
{
	RX_ASSERT(src < rib->n_peers);
	rib->peers[src].gen = (uint16_t)((rib->peers[src].gen + 1) & RIB_GEN_MASK);
}

size_t rib_peer_sweep_w(struct rib *rib, uint16_t src)
{
	RX_ASSERT(src < rib->n_peers);
	return peer_pass(rib, src, OP_SWEEP);
}

void rib_peer_remove_w(struct rib *rib, uint16_t src)
{
	RX_ASSERT(src != RIB_SRC_LOCAL && src < rib->n_peers);
	rib_peer_flush_w(rib, src);
	rib->peers[src].active = false;
}

void rib_quiescent_w(struct rib *rib)
{
	rx_rcu_quiescent();
	rx_retire_flush(&rib->retire);
	rx_retire_poll(&rib->retire);
}

const struct rib_node *rib_find_rcu(const struct rib *rib, const struct rx_prefix *p)
{
	struct rib_key k = rib_key_of(p);
	return radix_find_rcu(rib_tree(rib, p->afi), &k, p->len);
}

const struct rib_node *rib_lpm_rcu(const struct rib *rib, const struct rx_prefix *addr)
{
	struct rx_prefix full = *addr;
	full.len = (uint8_t)rx_afi_bits(addr->afi);
	struct rib_key k = rib_key_of(&full);
	return radix_lpm_rcu(rib_tree(rib, addr->afi), &k);
}

void rib_stats(const struct rib *rib, struct rib_stats *s)
{
	memset(s, 0, sizeof(*s));
	for (unsigned f = 0; f < 2; f++) {
		const struct rib_tree *t = &rib->tree[f];
		s->prefixes[f] = t->prefixes;
		s->nodes[f] = t->nodes;
		s->paths[f] = t->paths;
		s->node_bytes[f] = t->heap_bytes;
		s->node_live[f] = t->live_bytes;
		for (unsigned i = 0; i < RIB_POOL_CLASSES; i++)
			s->node_bytes[f] += pool_bytes(&t->pools[i]);
	}
	for (size_t i = 0; i < rib->n_peers; i++)
		for (unsigned f = 0; f < 2; f++)
			s->key_bytes += rib->peers[i].keys[f].cap * kv_esize(f);
	s->attr_sets = rib->attrs.count;
	s->attr_bytes = attr_table_bytes(&rib->attrs);
	s->attr_refs = rib->attrs.refs;
	s->retired_pending = rib->retire.pending;
	s->changes = rib->log.len;
	s->lpm_bytes = rib->lpm ? lpm_bytes(rib->lpm) : 0;
}

void rib_fini(struct rib *rib)
{
	rib_changes_release_w(rib, &rib->log);
	free(rib->log_spare.v);
	free(rib->log_spare.paths);
	/* Retired nodes and sets go back first, then the live ones are freed whole. */
	rx_retire_sync(&rib->retire);
	lpm_free(rib->lpm);
	for (unsigned f = 0; f < 2; f++)
		radix_fini(&rib->tree[f]);
	attr_table_fini(&rib->attrs);
	rx_retire_fini(&rib->retire);
	for (size_t i = 0; i < rib->n_peers; i++)
		for (unsigned f = 0; f < 2; f++)
			kv_free(&rib->peers[i].keys[f]);
	free(rib->peers);
	free(rib->scratch);
	free(rib->sort_tmp);
	memset(rib, 0, sizeof(*rib));
}
