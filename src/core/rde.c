/* rde.c: the decision thread: the single writer of the RIB and of the export groups.
 *
 * Loop: wait on the queue's doorbell (RCU offline while waiting, so grace periods never
 * wait for an idle thread), take everything queued at once, apply it in order, and after
 * every RDE_SLICE_PREFIXES prefixes export the RIB's change log and pass a quiescent state.
 * Slicing bounds the change log's memory and lets packed UPDATEs flow to the peers while a
 * full table is still arriving.
 *
 * Ordering: every message of one session is pushed by one I/O thread, so a peer's UPDATEs
 * arrive after its PEER_UP and before its PEER_DOWN.
 *
 * Instrumentation (docs/metrics.md): two clock reads per slice and two per export of the
 * change log, never per prefix; the counters go out through struct rde_stats once per loop
 * iteration, for the metrics thread. */
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <routex/bmp.h>
#include <routex/compiler.h>
#include <routex/daemon.h>
#include <routex/log.h>
#include <routex/metrics.h>
#include <routex/rib.h>
#include <routex/wire.h>

/* Prefixes applied between two exports: large enough that packing finds many prefixes per
 * attribute set, small enough to bound the change log and keep output flowing. */
#define RDE_SLICE_PREFIXES 4096
/* After max-prefixes, the session stays down this long before the peer may return. */
#define RDE_MAXPFX_HOLD_DOWN_S 60

static uint64_t rde_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t rde_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Relaxed store of a value only this thread writes (see struct rde_stats). */
#define PUB(field, v) __atomic_store_n(&(field), (uint64_t)(v), __ATOMIC_RELAXED)

struct rde_msg *rde_msg_new(uint8_t kind, uint16_t src, size_t n_pfx, size_t attr_bytes)
{
	struct rde_msg *m = calloc(1, sizeof(*m) + n_pfx * sizeof(m->pfx[0]) + attr_bytes);
	RX_ASSERT(m);
	m->kind = kind;
	m->src = src;
	return m;
}

void rde_push(struct rx_daemon *d, struct rde_msg *m)
{
	__atomic_fetch_add(&d->rdeq_pushed, 1, __ATOMIC_RELAXED); /* a gauge: no ordering */
	__atomic_fetch_add(&d->rdeq_prefixes_in, (uint64_t)m->n_ann + m->n_wd, __ATOMIC_RELAXED);
	mpsc_push(&d->rdeq, &m->node);
}

size_t rde_backlog(void *ctx)
{
	struct rx_daemon *d = ctx;
	uint64_t out = __atomic_load_n(&d->rdeq_prefixes_out, __ATOMIC_RELAXED);
	uint64_t in = __atomic_load_n(&d->rdeq_prefixes_in, __ATOMIC_RELAXED);
	return in > out ? (size_t)(in - out) : 0;
}

void rde_msg_free(struct rde_msg *m)
{
	bmp_msg_unref(m->bmp);
	free(m);
}

/* Received: prefixes held (the Adj-RIB-In). Accepted: of those, the ones that can be
 * selected: RPKI invalid paths hidden by `invalid: drop` are not (counted per path; without
 * ADD-PATH a peer has one path per prefix). */
void rde_publish_counts_w(struct rx_daemon *d, struct rx_peer *p)
{
	const struct rib_peer *rp = &d->rib.peers[p->src];
	size_t n = rp->prefixes[0] + rp->prefixes[1];
	size_t hidden = __atomic_load_n(&d->rib.conf.rpki_drop_invalid, __ATOMIC_RELAXED)
				? rp->invalid : 0;
	__atomic_store_n(&p->received, n, __ATOMIC_RELAXED);
	__atomic_store_n(&p->accepted, n > hidden ? n - hidden : 0, __ATOMIC_RELAXED);
}

/* ---- the export worker ----
 * A two-stage pipeline: while the worker packs slice k's changes (selection, attribute
 * rewrite, UPDATE packing: a quarter to a third of the work), the decision thread applies
 * slice k+1 to the RIB. One job at a time, so that exports stay in order and the export
 * state has one user at a time. The job's change log holds references on its attribute
 * sets (taken by the decision thread), so they outlive the job; the decision thread
 * releases the log when the job is done, since attribute references are its alone. */

static void *exporter_main(void *arg)
{
	struct rx_daemon *d = arg;
	struct rde_exporter *x = &d->exporter;
	rx_rcu_register(); /* refills of limited peers walk the RIB */
	rx_rcu_offline();
	pthread_mutex_lock(&x->mu);
	for (;;) {
		while (!x->has_job && !x->stop)
			pthread_cond_wait(&x->cv, &x->mu);
		if (x->stop)
			break;
		pthread_mutex_unlock(&x->mu);
		rx_rcu_online();
		uint64_t t0 = rde_now_ns();
		export_changes_w(&d->exp, &d->rib, &x->job);
		x->ns = rde_now_ns() - t0;
		rx_rcu_offline();
		pthread_mutex_lock(&x->mu);
		x->has_job = false;
		pthread_cond_broadcast(&x->cv);
	}
	pthread_mutex_unlock(&x->mu);
	rx_rcu_unregister();
	return NULL;
}

/* Waits for the running job, releases its change log and publishes export counters. */
static void rde_export_wait_w(struct rx_daemon *d)
{
	struct rde_exporter *x = &d->exporter;
	if (!x->running)
		return;
	pthread_mutex_lock(&x->mu);
	bool had = x->has_job || x->job.len;
	while (x->has_job)
		pthread_cond_wait(&x->cv, &x->mu);
	pthread_mutex_unlock(&x->mu);
	if (!had)
		return;
	metrics_hist_observe(&d->stats.export_, x->ns);
	rib_changes_release_w(&d->rib, &x->job);
	memset(&x->job, 0, sizeof(x->job));
	PUB(d->stats.updates_packed, d->exp.msgs_packed);
	PUB(d->stats.routes_withheld, d->exp.routes_withheld);
}

/* Hands the changes logged so far to the worker (after the previous job) and returns. */
static void rde_export_async_w(struct rx_daemon *d)
{
	struct rde_exporter *x = &d->exporter;
	if (!x->running) {
		rde_export_pending_w(d);
		return;
	}
	rde_export_wait_w(d);
	rib_changes_take_w(&d->rib, &x->job);
	if (!x->job.len) {
		rib_changes_release_w(&d->rib, &x->job);
		memset(&x->job, 0, sizeof(x->job));
		return;
	}
	/* RFC 9069 Loc-RIB monitoring here, before the worker has the log: BMP keeps the
	 * decision thread's order, and the log is not shared while it is read. */
	bmp_locrib_w(d->bmp, &x->job);
	pthread_mutex_lock(&x->mu);
	x->has_job = true;
	pthread_cond_signal(&x->cv);
	pthread_mutex_unlock(&x->mu);
}

static bool exporter_start(struct rx_daemon *d)
{
	struct rde_exporter *x = &d->exporter;
	pthread_mutex_init(&x->mu, NULL);
	pthread_cond_init(&x->cv, NULL);
	x->running = pthread_create(&x->thread, NULL, exporter_main, d) == 0;
	if (x->running)
		pthread_setname_np(x->thread, "rx-export");
	return x->running;
}

static void exporter_stop(struct rx_daemon *d)
{
	struct rde_exporter *x = &d->exporter;
	if (!x->running)
		return;
	pthread_mutex_lock(&x->mu);
	x->stop = true;
	pthread_cond_signal(&x->cv);
	pthread_mutex_unlock(&x->mu);
	pthread_join(x->thread, NULL);
	x->running = false;
	pthread_mutex_destroy(&x->mu);
	pthread_cond_destroy(&x->cv);
}

void rde_export_pending_w(struct rx_daemon *d)
{
	rde_export_wait_w(d);
	struct rib_changes c = {0};
	rib_changes_take_w(&d->rib, &c);
	if (c.len) {
		bmp_locrib_w(d->bmp, &c); /* RFC 9069: the Loc-RIB as it changes */
		uint64_t t0 = rde_now_ns();
		export_changes_w(&d->exp, &d->rib, &c);
		uint64_t dt = rde_now_ns() - t0;
		metrics_hist_observe(&d->stats.export_, dt);
		d->export_ns_w += dt; /* not decision time: the slice subtracts it */
	}
	rib_changes_release_w(&d->rib, &c);
	PUB(d->stats.updates_packed, d->exp.msgs_packed);
	PUB(d->stats.routes_withheld, d->exp.routes_withheld);
}

/* The end of a slice that began at t0: its time, less the exports run inside it. */
static void slice_done(struct rx_daemon *d, uint64_t t0)
{
	uint64_t dt = rde_now_ns() - t0;
	metrics_hist_observe(&d->stats.decide, dt > d->export_ns_w ? dt - d->export_ns_w : 0);
}

static void publish_stats(struct rx_daemon *d)
{
	struct rib_stats rs;
	struct rde_stats *st = &d->stats;
	rib_stats(&d->rib, &rs);
	for (unsigned f = 0; f < 2; f++) {
		PUB(st->rib_prefixes[f], rs.prefixes[f]);
		PUB(st->rib_paths[f], rs.paths[f]);
		PUB(st->rib_nodes[f], rs.nodes[f]);
		PUB(st->rib_node_bytes[f], rs.node_bytes[f]);
	}
	PUB(st->rib_key_bytes, rs.key_bytes);
	PUB(st->attr_sets, rs.attr_sets);
	PUB(st->attr_bytes, rs.attr_bytes);
	PUB(st->retired_pending, rs.retired_pending);
	PUB(st->batches, d->batches); /* export counters: rde_export_wait_w */
}

/* Does peer src hold a path for p? The decision thread is the RIB's only writer: it reads
 * without the RCU lock. */
static bool holds_w(const struct rib *rib, uint16_t src, const struct rx_prefix *p)
{
	const struct rib_node *n = rib_find_rcu(rib, p);
	if (!n)
		return false;
	const struct rib_path *ps = rib_node_paths(rib_tree(rib, p->afi), n);
	for (unsigned i = 0; i < n->n; i++)
		if (ps[i].src == src)
			return true;
	return false;
}

/* Would the announcements of m take the peer over max-prefixes? Azure counts the routes
 * held plus those in the incoming UPDATE (RPKI invalid routes hidden by `invalid: drop`
 * count too: they are held, and cost memory, so a peer cannot flood them unbounded): the UPDATE that crosses the limit is refused
 * whole, so no prefix beyond the limit ever reaches another peer. The per-prefix count
 * (new prefixes only, each once) runs only when the plain sum is over. */
static bool over_limit(struct rx_daemon *d, struct rx_peer *p, const struct rde_msg *m)
{
	uint32_t max = peer_conf(p)->max_prefixes;
	const struct rib_peer *rp = &d->rib.peers[p->src];
	size_t held = rp->prefixes[0] + rp->prefixes[1], added = 0;
	if (!max || held + m->n_ann <= max)
		return false;
	for (uint32_t i = 0; i < m->n_ann && held + added <= max; i++) {
		const struct rx_prefix *x = &m->pfx[i].p;
		bool known = holds_w(&d->rib, m->src, x);
		for (uint32_t j = 0; j < i && !known; j++)
			known = memcmp(&m->pfx[j].p, x, sizeof(*x)) == 0;
		added += !known;
	}
	return held + added > max;
}

static void limit_hit(struct rx_peer *p, const struct rde_msg *m)
{
	uint32_t max = peer_conf(p)->max_prefixes;
	/* RFC 4486 4: Cease / Maximum Number of Prefixes Reached, with the AFI, SAFI and upper
	 * bound as data (the family of the UPDATE that crossed it), then a restart delay. */
	uint8_t data[7];
	wire_put16(data, m->n_ann && m->pfx[0].p.afi == RX_AFI_IPV6 ? RX_AFI_IPV6 : RX_AFI_IPV4);
	data[2] = RX_SAFI_UNICAST;
	wire_put32(data + 3, max);
	p->limit_hit_w = true;
	rx_log(RX_LOG_WARN, "peer %s: more than %u prefixes (max-prefixes): closing for %u s",
	       peer_conf(p)->name, max, RDE_MAXPFX_HOLD_DOWN_S);
	io_close_peer(&p->io, WIRE_ERR_CEASE, WIRE_CEASE_MAX_PREFIXES, data, sizeof(data),
		      RDE_MAXPFX_HOLD_DOWN_S);
}

static void apply_update(struct rx_daemon *d, struct rde_msg *m)
{
	struct rx_peer *p = daemon_peer(d, m->src);
	if (!p || !p->up_w || p->limit_hit_w)
		return; /* a session being closed: its last words do not count */
	struct rib *rib = &d->rib;
	/* RFC 4271 4.3: a prefix both withdrawn and announced in one UPDATE is treated as
	 * announced, so the withdrawals go first. */
	for (uint32_t i = m->n_ann; i < m->n_ann + m->n_wd; i++)
		rib_withdraw_w(rib, m->src, m->pfx[i].path_id, &m->pfx[i].p);
	if (over_limit(d, p, m)) {
		limit_hit(p, m);
		return;
	}
	if (m->n_ann) {
		struct attr_set *a = attr_intern_w(&rib->attrs, &m->attrs);
		for (uint32_t i = 0; i < m->n_ann; i++)
			rib_update_rpki_w(rib, m->src, m->pfx[i].path_id, &m->pfx[i].p, a,
					  rde_rpki_import_w(d, p, a, &m->pfx[i].p));
		attr_unref_w(&rib->attrs, a);
	}
}

static void send_to_peer(void *ctx, struct io_out *o)
{
	io_send(&((struct rx_peer *)ctx)->io, o);
}

void rde_out_limit(void *ctx, uint16_t src, uint32_t limit, bool reached)
{
	struct rx_peer *p = daemon_peer(ctx, src);
	if (!p)
		return;
	__atomic_store_n(&p->out_limited, reached, __ATOMIC_RELAXED);
	if (reached)
		rx_log(RX_LOG_WARN, "peer %s: max-prefixes-out %u reached: further routes are "
				    "withheld until some of the %u advertised are withdrawn",
		       peer_conf(p)->name, limit, limit);
	else
		rx_log(RX_LOG_INFO, "peer %s: back under max-prefixes-out %u: every route is "
				    "advertised", peer_conf(p)->name, limit);
}

/* Graceful restart over: the stale routes that were not announced again go. */
static void stale_end(struct rx_daemon *d, struct rx_peer *p, const char *why)
{
	size_t n = p->up_w ? rib_peer_sweep_w(&d->rib, p->src) : rib_peer_flush_w(&d->rib, p->src);
	if (!p->up_w)
		rib_peer_remove_w(&d->rib, p->src);
	p->stale_w = false;
	rde_export_pending_w(d);
	rde_publish_counts_w(d, p);
	rx_log(RX_LOG_INFO, "peer %s: graceful restart %s: %zu stale routes withdrawn",
	       peer_conf(p)->name, why, n);
}

static void peer_up(struct rx_daemon *d, struct rde_msg *m)
{
	struct rx_peer *p = daemon_peer(d, m->src);
	if (!p)
		return;
	rde_export_pending_w(d); /* the feed must start from a flushed state */
	if (m->bmp) { /* BMP Peer Up before any of the session's routes */
		struct bmp_peer_hdr h;
		bmp_peer_hdr_get(m->bmp->data + BMP_COMMON_LEN, &h);
		bmp_peer_up_w(d->bmp, p->src, &h, m->key.families, m->bmp);
		m->bmp = NULL;
	}
	struct rib_peer_info info = {.asn = peer_conf(p)->asn, .router_id = m->router_id,
				     .afi = peer_conf(p)->address.afi, .role = p->role};
	memcpy(info.addr, peer_conf(p)->address.addr, 16);
	if (p->stale_w) {
		/* RFC 4724 4.2: the peer is back; its routes stay stale until its End-of-RIB,
		 * unless it no longer announces graceful restart. */
		p->eor_pending_w = m->key.families;
		if (!m->peer_gr) {
			p->up_w = true;
			stale_end(d, p, "not announced again");
		}
	} else {
		rib_peer_add_w(&d->rib, p->src, &info);
	}
	p->up_w = true;
	p->limit_hit_w = false;
	p->key_w = m->key;
	__atomic_store_n(&p->bgp_id, m->router_id, __ATOMIC_RELAXED); /* display value */
	export_member_up_w(&d->exp, &d->rib, &m->key, p->src, send_to_peer, p, &p->advertised);
}

static void peer_down(struct rx_daemon *d, struct rde_msg *m)
{
	struct rx_peer *p = daemon_peer(d, m->src);
	if (p && m->bmp) { /* BMP Peer Down, then the Loc-RIB changes its routes cause */
		rde_export_pending_w(d);
		bmp_peer_down_w(d->bmp, p->src, m->bmp);
		m->bmp = NULL;
	}
	if (!p || !p->up_w)
		return;
	rde_export_pending_w(d);
	export_member_down_w(&d->exp, p->src);
	__atomic_store_n(&p->out_limited, false, __ATOMIC_RELAXED);
	p->up_w = false;
	size_t n = d->rib.peers[p->src].prefixes[0] + d->rib.peers[p->src].prefixes[1];
	if (m->graceful) {
		/* RFC 4724 4.2: keep them, marked stale, for the peer's restart time. */
		if (p->stale_w) /* restarted again before its End-of-RIB: the old stale ones go */
			rib_peer_sweep_w(&d->rib, p->src);
		rib_peer_mark_stale_w(&d->rib, p->src);
		p->stale_w = true;
		p->stale_until_w = rde_now_ms() + (uint64_t)m->restart_time * 1000;
		rde_export_pending_w(d);
		__atomic_store_n(&p->advertised, 0, __ATOMIC_RELAXED);
		rx_log(RX_LOG_INFO, "peer %s: %zu routes kept as stale for %u s (graceful restart)",
		       peer_conf(p)->name, n, m->restart_time);
		return;
	}
	p->stale_w = false;
	/* In slices, exporting in between: withdrawing a full table at once would hold a
	 * change log of a million entries (about 45 MB). */
	bool done = false;
	while (!done) {
		rib_peer_flush_some_w(&d->rib, p->src, RDE_SLICE_PREFIXES, &done);
		rde_export_pending_w(d);
	}
	rib_peer_remove_w(&d->rib, p->src);
	rde_export_pending_w(d); /* the others lose its routes */
	__atomic_store_n(&p->advertised, 0, __ATOMIC_RELAXED);
	rde_publish_counts_w(d, p);
	rx_log(RX_LOG_INFO, "peer %s: %zu prefixes withdrawn", peer_conf(p)->name, n);
}

static void end_of_rib(struct rx_daemon *d, struct rde_msg *m)
{
	struct rx_peer *p = daemon_peer(d, m->src);
	if (!p || !p->up_w || !p->stale_w)
		return;
	p->eor_pending_w &= (uint8_t)~RX_FAM_BIT(m->family);
	if (!p->eor_pending_w)
		stale_end(d, p, "complete");
}

/* Restart timers (RFC 4724 4.2): stale routes of a peer that did not come back in time,
 * or did not finish with End-of-RIB, go. */
static void stale_timers(struct rx_daemon *d)
{
	uint64_t now = rde_now_ms();
	for (size_t i = 0; i < d->npeers; i++) {
		struct rx_peer *p = d->peers[i];
		if (p->stale_w && now >= p->stale_until_w)
			stale_end(d, p, "timer expired");
	}
}

static void refresh(struct rx_daemon *d, struct rde_msg *m)
{
	struct rx_peer *p = daemon_peer(d, m->src);
	if (!p || !p->up_w)
		return;
	/* RFC 2918: send our routes again. */
	rde_export_pending_w(d);
	export_member_refresh_w(&d->exp, &d->rib, p->src);
}

/* The virtual network's prefixes (config `originate`): source RIB_SRC_LOCAL, ORIGIN IGP, an
 * empty AS_PATH and no next hop (export names the server's own). */
void rde_originate_w(struct rx_daemon *d, const struct rx_prefix *add, size_t n_add,
		     const struct rx_prefix *del, size_t n_del)
{
	for (size_t i = 0; i < n_del; i++)
		rib_withdraw_w(&d->rib, RIB_SRC_LOCAL, 0, &del[i]);
	if (n_add) {
		struct wire_attrs wa = {.present = WIRE_ATTR_BIT(WIRE_ATTR_ORIGIN) |
						   WIRE_ATTR_BIT(WIRE_ATTR_AS_PATH),
					.origin = WIRE_ORIGIN_IGP};
		uint8_t buf[256];
		static const uint8_t no_nexthop[1];
		struct attr_buf ab = {.data = buf, .cap = sizeof(buf)};
		bool ok = attr_encode(&wa, no_nexthop, 0, &ab);
		RX_ASSERT(ok);
		struct attr_set *a = attr_intern_w(&d->rib.attrs, &ab);
		size_t v6 = 0;
		for (size_t i = 0; i < n_add; i++) {
			rib_update_w(&d->rib, RIB_SRC_LOCAL, 0, &add[i], a);
			v6 += add[i].afi == RX_AFI_IPV6;
		}
		attr_unref_w(&d->rib.attrs, a);
		if (v6 && !d->exp.pol.has_nexthop6)
			rx_log(RX_LOG_WARN, "originate: %zu IPv6 prefixes are kept in the RIB but "
					    "advertised to nobody: set next-hop-ipv6 to give them a "
					    "next hop", v6);
	}
	rde_export_pending_w(d);
}

static bool apply(struct rx_daemon *d, struct rde_msg *m)
{
	switch (m->kind) {
	case RDE_UPDATE:
		apply_update(d, m);
		break;
	case RDE_PEER_UP:
		peer_up(d, m);
		break;
	case RDE_PEER_DOWN:
		peer_down(d, m);
		break;
	case RDE_REFRESH:
		refresh(d, m);
		break;
	case RDE_EOR:
		end_of_rib(d, m);
		break;
	case RDE_CTL:
		rde_export_pending_w(d); /* requests see every change applied before them */
		m->run(d, m->arg);
		break;
	case RDE_BMP:
		bmp_route_w(d->bmp, m->src, m->bmp);
		m->bmp = NULL;
		break;
	case RDE_STOP:
		return false;
	}
	return true;
}

static void *rde_main(void *arg)
{
	struct rx_daemon *d = arg;
	rx_rcu_register();
	rde_originate_w(d, d->conf->originate, d->conf->noriginate, NULL, 0);
	bool running = true;
	uint64_t msgs = 0, prefixes = 0;
	while (running) {
		rib_quiescent_w(&d->rib);
		stale_timers(d);
		publish_stats(d);
		bmp_tick_w(d->bmp, rde_now_ms());
		struct mpsc_batch b;
		if (!mpsc_take(&d->rdeq, &b)) {
			/* Idle: the last export finishes before the thread sleeps. */
			rde_export_wait_w(d);
			struct pollfd pfd = {.fd = mpsc_fd(&d->rdeq), .events = POLLIN};
			rx_rcu_offline(); /* an idle writer must not hold grace periods back */
			poll(&pfd, 1, 1000);
			rx_rcu_online();
			continue;
		}
		size_t n = 0;
		uint64_t t0 = rde_now_ns();
		d->export_ns_w = 0;
		for (struct mpsc_node *node; running && (node = mpsc_batch_next(&b));) {
			struct rde_msg *m = caa_container_of(node, struct rde_msg, node);
			if (m->kind != RDE_UPDATE && m->kind != RDE_BMP)
				rde_export_wait_w(d); /* peer events and requests use the export state */
			running = apply(d, m) && !__atomic_load_n(&d->rde_stopping, __ATOMIC_RELAXED);
			n += m->n_ann + m->n_wd;
			PUB(d->stats.msgs, ++msgs);
			PUB(d->stats.prefixes, prefixes += m->n_ann + m->n_wd);
			__atomic_store_n(&d->rdeq_prefixes_out,
					 d->rdeq_prefixes_out + m->n_ann + m->n_wd, __ATOMIC_RELAXED);
			rde_msg_free(m);
			if (n >= RDE_SLICE_PREFIXES) {
				slice_done(d, t0);
				rde_export_async_w(d);
				rib_quiescent_w(&d->rib);
				n = 0;
				t0 = rde_now_ns();
				d->export_ns_w = 0;
			}
		}
		for (struct mpsc_node *node; (node = mpsc_batch_next(&b));) { /* after a stop */
			PUB(d->stats.msgs, ++msgs);
			daemon_msg_drop(caa_container_of(node, struct rde_msg, node));
		}
		slice_done(d, t0);
		if (running)
			rde_export_async_w(d);
		for (size_t i = 0; i < d->npeers; i++)
			if (d->peers[i]->up_w)
				rde_publish_counts_w(d, d->peers[i]);
		d->batches++;
	}
	rde_export_pending_w(d); /* waits for the worker, then sends what is left */
	rx_rcu_unregister();
	return NULL;
}

bool rde_start(struct rx_daemon *d)
{
	if (!exporter_start(d))
		return false;
	d->rde_running = pthread_create(&d->rde_thread, NULL, rde_main, d) == 0;
	if (d->rde_running)
		pthread_setname_np(d->rde_thread, "rx-decide");
	return d->rde_running;
}

void rde_stop(struct rx_daemon *d)
{
	if (!d->rde_running) {
		exporter_stop(d); /* started before a decision thread that failed to */
		return;
	}
	/* Stop now, not after the backlog: under load the queue can hold seconds of UPDATEs,
	 * and applying them only to free the RIB afterwards kept SIGTERM waiting. What is left
	 * in the queue is freed by daemon_fini. */
	__atomic_store_n(&d->rde_stopping, true, __ATOMIC_RELAXED);
	rde_push(d, rde_msg_new(RDE_STOP, 0, 0, 0));
	pthread_join(d->rde_thread, NULL);
	d->rde_running = false;
	exporter_stop(d);
}
