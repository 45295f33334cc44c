/* feed.c: the decision thread's side of BMP: the state a collector is sent when its session
 * starts (Peer Ups, then the tables as Route Monitoring, then End-of-RIB), and Loc-RIB
 * monitoring from the RIB's change log (RFC 9069).
 *
 * Why a dump in steps is consistent: the dump walks the tree in key order, BMP_DUMP_CHUNK
 * prefixes per step, and live changes keep being queued between steps. A prefix behind the
 * cursor was dumped, and its later changes follow it in the stream; a prefix ahead of the
 * cursor may get a live change first and the dump later, which then carries the same (or a
 * newer) state. Either way the collector ends with the RIB's state. Steps are paced by the
 * collector's queue: below BMP_QUEUE_LOW the next step runs at once, above it the BMP thread
 * asks for it once the queue has drained.
 *
 * What the dump sends as pre-policy Adj-RIB-In is the RIB's candidate paths per peer, with
 * the attributes as stored (4-octet AS_PATH, so without the A flag): routex keeps no copy of
 * the received UPDATEs, and it applies no inbound policy beyond refusing AS-path loops and
 * unusable next hops, which such routes never reach the RIB through. */
#include <stdlib.h>
#include <string.h>

#include <routex/compiler.h>
#include <routex/attr.h>
#include <routex/rib.h>
#include <routex/wire.h>

#include "bmp-int.h"

/* BMP carries BGP messages of the classic maximum unless extended messages were agreed;
 * Loc-RIB has no session, so it stays within 4096 (RFC 4271 4). */
#define FEED_MSG_MAX WIRE_MAX_LEN

struct item {
	const struct attr_set *attrs; /* NULL: withdrawn */
	struct rx_prefix p;
	uint16_t src; /* pre-policy: the peer; Loc-RIB: 0 */
	uint8_t loc;  /* 1: Loc-RIB */
	uint8_t fam;
};

struct items {
	struct item *v;
	size_t n, cap;
};

static void add(struct items *it, const struct attr_set *a, const struct rx_prefix *p, uint16_t src,
		bool loc)
{
	if (it->n == it->cap) {
		it->cap = it->cap ? it->cap * 2 : 1024;
		it->v = realloc(it->v, it->cap * sizeof(*it->v));
		RX_ASSERT(it->v);
	}
	it->v[it->n++] =
	    (struct item){.attrs = a,
			  .p = *p,
			  .src = loc ? 0 : src,
			  .loc = loc,
			  .fam = p->afi == RX_AFI_IPV4 ? RX_FAM_IPV4_UNICAST : RX_FAM_IPV6_UNICAST};
}

static int item_cmp(const void *x, const void *y)
{
	const struct item *a = x, *b = y;
	if (a->loc != b->loc)
		return a->loc < b->loc ? -1 : 1;
	if (a->src != b->src)
		return a->src < b->src ? -1 : 1;
	if (a->fam != b->fam)
		return a->fam < b->fam ? -1 : 1;
	uintptr_t pa = (uintptr_t)a->attrs, pb = (uintptr_t)b->attrs;
	if (pa != pb)
		return pa < pb ? -1 : 1;
	return rx_prefix_cmp(&a->p, &b->p);
}

static bool same_run(const struct item *a, const struct item *b)
{
	return a->loc == b->loc && a->src == b->src && a->fam == b->fam && a->attrs == b->attrs;
}

/* Where messages go: one collector (its dump), or every synced collector that monitors
 * that kind of route (live Loc-RIB). */
struct sink {
	struct bmp *b;
	struct bmp_collector *one;
};

static void deliver(const struct sink *s, bool loc, struct bmp_msg *m)
{
	if (s->one) {
		bmp_enqueue_w(s->one, m);
	} else {
		uint8_t want = loc ? BMP_MON_LOC_RIB : BMP_MON_PRE_POLICY;
		for (size_t i = 0; i < s->b->n; i++)
			if (s->b->c[i].conf.monitor & want)
				bmp_enqueue_w(&s->b->c[i], m);
	}
	bmp_msg_unref(m);
}

/* RFC 9069 4.1: the Loc-RIB instance's per-peer header: peer type 3, no address, our AS
 * and BGP identifier; F clear, since routex filters nothing out of what it reports. */
static void loc_hdr(const struct bmp *b, struct bmp_peer_hdr *h)
{
	memset(h, 0, sizeof(*h));
	h->type = BMP_PEER_LOC_RIB;
	h->asn = b->p.asn;
	h->bgp_id = b->p.router_id;
	bmp_hdr_stamp(h);
}

static void hdr_for(const struct bmp *b, bool loc, uint16_t src, struct bmp_peer_hdr *h)
{
	if (loc) {
		loc_hdr(b, h);
		return;
	}
	*h = b->src[src].hdr;
	h->flags &= (uint8_t) ~(BMP_F_A | BMP_F_L); /* pre-policy, 4-octet AS_PATH */
	bmp_hdr_stamp(h);
}

static void emit_update(const struct sink *s, bool loc, const struct bmp_peer_hdr *h,
			const uint8_t *upd, size_t len)
{
	uint8_t buf[BMP_COMMON_LEN + BMP_PEER_HDR_LEN + FEED_MSG_MAX];
	size_t n = bmp_route_monitoring_encode(buf, sizeof(buf), h, upd, len);
	RX_ASSERT(n);
	struct bmp_msg *m = bmp_msg_new(buf, n);
	RX_ASSERT(m);
	deliver(s, loc, m);
}

/* The attributes of a stored path as a BGP speaker with 4-octet ASes would send them
 * unchanged; originated routes name the router id (IPv4) or next-hop-ipv6 as next hop, as
 * export does. */
static size_t path_attrs(const struct bmp *b, const struct attr_set *a, bool ipv6, uint8_t *out,
			 size_t cap, uint8_t *nh, uint8_t *nh_len)
{
	struct wire_attrs w;
	attr_view(a, &w);
	*nh_len = 0;
	if (a->k.nexthop_len >= 16) {
		memcpy(nh, attr_nexthop(a), a->k.nexthop_len);
		*nh_len = a->k.nexthop_len;
	} else if (ipv6 && b->p.has_nexthop6) { /* originated, with next-hop-ipv6 */
		memcpy(nh, b->p.nexthop6, 16);
		*nh_len = 16;
	} else if (ipv6) {
		return 0; /* no IPv6 next hop (originated): not advertised, not reported */
	}
	if (!ipv6 && a->k.nexthop_len == 0) {
		w.present |= WIRE_ATTR_BIT(WIRE_ATTR_NEXT_HOP);
		wire_put32(w.nexthop, b->p.router_id);
	}
	struct wire_ctx ctx = {.as4 = true};
	return wire_attrs_encode(&w, &ctx, out, cap);
}

/* Packs one run of items (same kind, source, family and attributes) into UPDATEs. */
static void emit_run(const struct sink *s, const struct item *v, size_t n)
{
	const struct item *f = &v[0];
	bool ipv6 = f->fam == RX_FAM_IPV6_UNICAST;
	uint8_t attrs[FEED_MSG_MAX], nh[32], nh_len = 0;
	size_t alen = 0;
	if (f->attrs) {
		alen = path_attrs(s->b, f->attrs, ipv6, attrs, sizeof(attrs), nh, &nh_len);
		if (!alen)
			return;
	}
	struct bmp_peer_hdr h;
	hdr_for(s->b, f->loc, f->src, &h);
	uint8_t msg[FEED_MSG_MAX];
	struct wire_update_builder ub;
	size_t i = 0;
	while (i < n) {
		wire_update_begin(&ub, msg, sizeof(msg), (enum rx_family)f->fam, !f->attrs, false,
				  attrs, alen, nh, nh_len);
		size_t start = i;
		while (i < n && wire_update_add(&ub, &v[i].p, 0))
			i++;
		if (i == start)
			return; /* attributes leave no room for a prefix */
		size_t len = wire_update_finish(&ub);
		if (len)
			emit_update(s, f->loc, &h, msg, len);
	}
}

static void emit_all(const struct sink *s, struct items *it)
{
	if (!it->n)
		return; /* qsort wants a non-NULL base even for nothing */
	qsort(it->v, it->n, sizeof(*it->v), item_cmp);
	for (size_t i = 0; i < it->n;) {
		size_t j = i + 1;
		while (j < it->n && same_run(&it->v[i], &it->v[j]))
			j++;
		emit_run(s, &it->v[i], j - i);
		i = j;
	}
	it->n = 0;
}

/* ---- Session start: Peer Ups, dump, End-of-RIB ---- */

/* RFC 9069 5.3: the Loc-RIB instance's Peer Up: no addresses or ports, a fabricated OPEN
 * (4-octet AS and the families reported) as both sent and received, and its table name. */
static struct bmp_msg *loc_peer_up(const struct bmp *b)
{
	struct wire_open o = {.version = 4, .asn = b->p.asn, .bgp_id = b->p.router_id};
	o.my_as = b->p.asn > 65535 ? WIRE_AS_TRANS : (uint16_t)b->p.asn;
	o.caps.mp_present = true;
	o.caps.mp = RX_FAM_BIT(RX_FAM_IPV4_UNICAST) | RX_FAM_BIT(RX_FAM_IPV6_UNICAST);
	o.caps.as4_present = true;
	o.caps.as4 = b->p.asn;
	uint8_t open[WIRE_MAX_LEN], buf[2 * WIRE_MAX_LEN + 256];
	size_t on = wire_open_encode(open, sizeof(open), &o);
	RX_ASSERT(on);
	struct bmp_peer_hdr h;
	loc_hdr(b, &h);
	static const uint8_t zero[16];
	size_t n =
	    bmp_peer_up_encode(buf, sizeof(buf), &h, zero, 0, 0, open, on, open, on, "global");
	RX_ASSERT(n);
	struct bmp_msg *m = bmp_msg_new(buf, n);
	RX_ASSERT(m);
	return m;
}

struct dump_ctx {
	struct bmp *b;
	struct bmp_collector *c;
	struct items it;
};

static bool dump_cb(const struct rib_tree *t, const struct rib_node *nd, const struct rx_prefix *p,
		    void *arg)
{
	struct dump_ctx *d = arg;
	const struct rib_path *ps = rib_node_paths(t, nd);
	if (d->c->conf.monitor & BMP_MON_PRE_POLICY)
		for (unsigned i = 0; i < nd->n; i++) {
			uint16_t src = ps[i].src;
			if (src != RIB_SRC_LOCAL && src < d->b->nsrc && d->b->src[src].up)
				add(&d->it, ps[i].attrs, p, src, false);
		}
	if ((d->c->conf.monitor & BMP_MON_LOC_RIB) && nd->n)
		add(&d->it, ps[0].attrs, p, 0, true);
	return true;
}

static void emit_eor(const struct sink *s, bool loc, uint16_t src, uint8_t families)
{
	struct bmp_peer_hdr h;
	hdr_for(s->b, loc, src, &h);
	for (int f = RX_FAM_IPV4_UNICAST; f <= RX_FAM_IPV6_UNICAST; f++) {
		if (!(families & RX_FAM_BIT(f)))
			continue;
		uint8_t msg[64];
		size_t len = wire_eor_encode(msg, sizeof(msg), (enum rx_family)f);
		if (len)
			emit_update(s, loc, &h, msg, len);
	}
}

void bmp_dump_step_w(struct bmp *b, struct bmp_collector *c)
{
	struct dump_ctx d = {.b = b, .c = c};
	struct sink s = {.b = b, .one = c};
	while (c->live_w && c->dumping_w) {
		size_t budget = BMP_DUMP_CHUNK;
		while (c->dump_fam_w < 2 && budget) {
			const struct rib_tree *t = &b->p.rib->tree[c->dump_fam_w];
			struct rx_prefix last;
			size_t got = radix_walk_rcu(t, NULL, c->have_cursor_w ? &c->cursor_w : NULL,
						    budget, dump_cb, &d, &last);
			if (got)
				c->cursor_w = last, c->have_cursor_w = true;
			if (got < budget) { /* this family is done */
				c->dump_fam_w++;
				c->have_cursor_w = false;
			}
			budget -= got < budget ? got : budget;
		}
		emit_all(&s, &d.it);
		if (c->dump_fam_w >= 2) {
			if (c->conf.monitor & BMP_MON_PRE_POLICY)
				for (size_t src = 1; src < b->nsrc; src++)
					if (b->src[src].up)
						emit_eor(&s, false, (uint16_t)src,
							 b->src[src].families);
			if (c->conf.monitor & BMP_MON_LOC_RIB)
				emit_eor(&s, true, 0,
					 RX_FAM_BIT(RX_FAM_IPV4_UNICAST) |
					     RX_FAM_BIT(RX_FAM_IPV6_UNICAST));
			c->dumping_w = false;
			break;
		}
		if (__atomic_load_n(&c->queued, __ATOMIC_RELAXED) >= BMP_QUEUE_LOW) {
			/* Room first: the BMP thread asks for the next step (BMP_REQ_DUMP). */
			__atomic_store_n(&c->dump_wait, 1, __ATOMIC_RELEASE);
			break;
		}
	}
	free(d.it.v);
}

/* ---- Statistics Reports (RFC 7854 4.8) ---- */

static void send_stats(struct bmp *b, struct bmp_collector *c)
{
	const struct rib *rib = b->p.rib;
	uint8_t buf[256];
	uint16_t type;
	uint64_t val;
	bool wide = true;
	for (size_t src = 1; src < b->nsrc; src++) {
		if (!b->src[src].up || src >= rib->n_peers)
			continue;
		struct bmp_peer_hdr h;
		hdr_for(b, false, (uint16_t)src, &h);
		type = BMP_STAT_ADJ_RIB_IN;
		val = rib->peers[src].paths[0] + rib->peers[src].paths[1];
		size_t n = bmp_stats_encode(buf, sizeof(buf), &h, 1, &type, &val, &wide);
		struct bmp_msg *m = bmp_msg_new(buf, n);
		RX_ASSERT(m);
		bmp_enqueue_w(c, m);
		bmp_msg_unref(m);
	}
	if (c->conf.monitor & BMP_MON_LOC_RIB) {
		struct bmp_peer_hdr h;
		loc_hdr(b, &h);
		type = BMP_STAT_LOC_RIB;
		val = rib->tree[0].prefixes + rib->tree[1].prefixes;
		size_t n = bmp_stats_encode(buf, sizeof(buf), &h, 1, &type, &val, &wide);
		struct bmp_msg *m = bmp_msg_new(buf, n);
		RX_ASSERT(m);
		bmp_enqueue_w(c, m);
		bmp_msg_unref(m);
	}
}

void bmp_tick_w(struct bmp *b, uint64_t now)
{
	for (size_t i = 0; i < b->n; i++) {
		struct bmp_collector *c = &b->c[i];
		if (!c->live_w || !c->conf.stats_s || now < c->stats_due_w)
			continue;
		if (c->stats_due_w) /* not the first tick of the session: one interval passed */
			send_stats(b, c);
		c->stats_due_w = now + (uint64_t)c->conf.stats_s * 1000;
	}
}

void bmp_sync_w(struct bmp *b, struct bmp_collector *c)
{
	bmp_marker_w(c, BMP_Q_SYNC, c->gen_w);
	c->live_w = true;
	for (size_t src = 1; src < b->nsrc; src++)
		if (b->src[src].up)
			bmp_enqueue_w(c, b->src[src].up);
	if (c->conf.monitor & BMP_MON_LOC_RIB) {
		struct bmp_msg *m = loc_peer_up(b);
		bmp_enqueue_w(c, m);
		bmp_msg_unref(m);
	}
	c->stats_due_w = 0;
	c->dumping_w = true;
	c->dump_fam_w = 0;
	c->have_cursor_w = false;
	__atomic_store_n(&c->dump_wait, 0, __ATOMIC_RELAXED);
	bmp_dump_step_w(b, c);
}

/* ---- Loc-RIB changes ---- */

void bmp_locrib_w(struct bmp *b, const struct rib_changes *ch)
{
	bool any = false;
	for (size_t i = 0; i < b->n; i++)
		any |= b->c[i].live_w && (b->c[i].conf.monitor & BMP_MON_LOC_RIB);
	if (!any || !ch->len)
		return;
	struct items it = {0};
	for (size_t i = 0; i < ch->len; i++) {
		const struct rib_change *x = &ch->v[i];
		const struct rib_path *old = &ch->paths[x->off],
				      *nw = &ch->paths[x->off + x->old_n];
		if (!x->new_n) {
			if (x->old_n)
				add(&it, NULL, &x->prefix, 0, true);
			continue;
		}
		/* Only the best path is the Loc-RIB's route: an ECMP set change behind it is
		 * not a Loc-RIB change. */
		if (x->old_n && old[0].src == nw[0].src && old[0].attrs == nw[0].attrs &&
		    old[0].path_id == nw[0].path_id)
			continue;
		add(&it, nw[0].attrs, &x->prefix, 0, true);
	}
	struct sink s = {.b = b};
	emit_all(&s, &it);
	free(it.v);
}
