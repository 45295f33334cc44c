/* ingest.c: the I/O threads' side of the daemon: session events become struct rde_msg for
 * the decision thread.
 *
 * Work done here rather than on the decision thread, because there is one decision thread
 * and many I/O threads: decoding every prefix (canonical, host bits cleared), the canonical
 * attribute encoding and its hash (attr_encode), the Azure-mode AS loop check, and the
 * family filter (a family that was not negotiated is ignored, RFC 4760 6), and the peers'
 * import route maps (docs/policy.md).
 *
 * Why import maps run here and not on the decision thread: they are per peer and pure, so
 * the I/O threads run them in parallel, next to the other import filters, with the same
 * treat-as-withdraw path for a denied route; a route whose attributes a map changes is
 * re-encoded here, where the canonical encoding and its hash are computed anyway, so the
 * decision thread interns the changed set as any other and spends nothing on policy. The
 * one thing not known here is the RPKI state (the decision thread validates at import), so
 * import maps may not match it (the config refuses that). */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <routex/bmp.h>
#include <routex/compiler.h>
#include <routex/daemon.h>
#include <routex/filter.h>
#include <routex/log.h>
#include <routex/peer.h>
#include <routex/policy.h>
#include <routex/wire.h>

static struct rx_peer *rx_peer_of(struct peer_session *s)
{
	return caa_container_of(s, struct rx_peer, io.s);
}

static void publish_state(struct rx_peer *p, int state)
{
	__atomic_store_n(&p->state, state, __ATOMIC_RELAXED);
}

/* BMP: a socket address as 16 octets (IPv4 in the last four, RFC 7854 4.2) and a port. */
static uint16_t bmp_addr(const struct sockaddr_storage *ss, uint8_t out[16])
{
	memset(out, 0, 16);
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s = (const struct sockaddr_in *)ss;
		memcpy(out + 12, &s->sin_addr, 4);
		return ntohs(s->sin_port);
	}
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)ss;
		memcpy(out, &s->sin6_addr, 16);
		return ntohs(s->sin6_port);
	}
	return 0;
}

/* BMP Peer Up (RFC 7854 4.10), built here where the socket and both OPENs are: one per
 * session, whether or not a collector is configured, so a collector added later by a reload
 * still gets every established peer. */
static struct bmp_msg *bmp_peer_up(struct rx_peer *p, struct peer_session *s)
{
	const struct peer_negotiated *n = &s->neg;
	struct bmp_peer_hdr *h = &p->bmp_hdr;
	struct sockaddr_storage local = {0}, remote = {0};
	socklen_t ll = sizeof(local), rl = sizeof(remote);
	if (getsockname(s->fd, (struct sockaddr *)&local, &ll) ||
	    getpeername(s->fd, (struct sockaddr *)&remote, &rl))
		remote = p->io.remote;
	memset(h, 0, sizeof(*h));
	h->type = BMP_PEER_GLOBAL;
	uint16_t rport = bmp_addr(&remote, h->addr);
	h->flags = (uint8_t)((remote.ss_family == AF_INET6 ? BMP_F_V : 0) | (n->ctx.as4 ? 0 : BMP_F_A));
	h->asn = n->peer_open.asn;
	h->bgp_id = n->peer_router_id;
	bmp_hdr_stamp(h);
	uint8_t laddr[16];
	uint16_t lport = bmp_addr(&local, laddr);
	size_t cap = BMP_COMMON_LEN + BMP_PEER_HDR_LEN + 20 + s->open_sent_len + s->open_recv_len;
	struct bmp_msg *m = bmp_msg_new(NULL, cap);
	RX_ASSERT(m);
	size_t len = bmp_peer_up_encode(m->data, cap, h, laddr, lport, rport, s->open_sent,
					s->open_sent_len, s->open_recv, s->open_recv_len, NULL);
	RX_ASSERT(len == cap);
	return m;
}

/* BMP Peer Down (RFC 7854 4.9): who closed, and the NOTIFICATION if there was one (its code
 * and subcode: the session keeps no data of it). */
static struct bmp_msg *bmp_peer_down(struct rx_peer *p, struct peer_session *s, const char *reason)
{
	uint8_t data[WIRE_HEADER_LEN + 2], buf[BMP_COMMON_LEN + BMP_PEER_HDR_LEN + 64];
	size_t dlen = 0;
	uint8_t why;
	if (__atomic_load_n(&p->removed, __ATOMIC_RELAXED)) {
		why = BMP_DOWN_DECONFIGURED;
	} else if (s->notified) {
		why = s->stats.last_error_sent ? BMP_DOWN_LOCAL_NOTIFY : BMP_DOWN_REMOTE_NOTIFY;
		dlen = wire_notification_encode(data, sizeof(data), s->stats.last_error_code,
						s->stats.last_error_subcode, NULL, 0);
	} else if (!strcmp(reason, "connection closed by peer")) {
		why = BMP_DOWN_REMOTE_NO_NOTIFY;
	} else {
		why = BMP_DOWN_LOCAL_NO_NOTIFY; /* an I/O error: no FSM event code fits (0) */
		memset(data, 0, 2);
		dlen = 2;
	}
	struct bmp_peer_hdr h = p->bmp_hdr;
	bmp_hdr_stamp(&h);
	size_t n = bmp_peer_down_encode(buf, sizeof(buf), &h, why, data, dlen);
	RX_ASSERT(n);
	struct bmp_msg *m = bmp_msg_new(buf, n);
	RX_ASSERT(m);
	return m;
}

/* ---- MRT message log (mrtlog.h) ---- */

static unsigned loop_index(const struct rx_peer *p)
{
	return (unsigned)(p->io.loop - p->d->loops);
}

/* The record fields of the current connection, worked out once per connection. Before the
 * socket is known (or after it closed) the configured address stands for the peer and the
 * local address is left zero. */
static const struct mrt_bgp4mp_peer *mrt_hdr(struct rx_peer *p, struct peer_session *s)
{
	struct mrt_bgp4mp_peer *h = &p->mrt_hdr;
	if (p->mrt_hdr_ok)
		return h;
	struct sockaddr_storage local = {0}, remote = p->io.remote;
	socklen_t ll = sizeof(local), rl = sizeof(remote);
	if (s->fd >= 0 && (getsockname(s->fd, (struct sockaddr *)&local, &ll) ||
			   getpeername(s->fd, (struct sockaddr *)&remote, &rl))) {
		memset(&local, 0, sizeof(local));
		remote = p->io.remote;
	}
	memset(h, 0, sizeof(*h));
	h->peer_as = peer_conf(p)->asn;
	h->local_as = daemon_conf(p->d)->asn;
	uint8_t a[16];
	bmp_addr(&remote, a);
	if (remote.ss_family == AF_INET6) {
		h->afi = RX_AFI_IPV6;
		memcpy(h->peer_ip, a, 16);
		if (local.ss_family == AF_INET6)
			bmp_addr(&local, h->local_ip);
	} else {
		h->afi = RX_AFI_IPV4;
		memcpy(h->peer_ip, a + 12, 4);
		if (local.ss_family == AF_INET) {
			bmp_addr(&local, a);
			memcpy(h->local_ip, a + 12, 4);
		}
	}
	p->mrt_hdr_ok = s->fd >= 0;
	return h;
}

/* RFC 6396 4.4.1 numbers the RFC 4271 states from 1 (Idle). */
static uint16_t mrt_state(enum fsm_state st)
{
	return (uint16_t)(st + 1);
}

static void mrt_log_state(struct rx_peer *p, struct peer_session *s, enum fsm_state from,
			  enum fsm_state to)
{
	if (!peer_conf(p)->mrt_log)
		return;
	mrtlog_state(p->d->mrtlog, loop_index(p), mrt_hdr(p, s), mrt_state(from), mrt_state(to));
}

/* The message being dispatched (s->cur_msg). `as4`: the session's AS_PATH width, which the
 * subtype states for UPDATEs; other messages carry no AS_PATH and are always _AS4. */
static void mrt_log_msg(struct rx_peer *p, struct peer_session *s, bool as4, bool addpath)
{
	struct mrt_bgp4mp_peer h = *mrt_hdr(p, s);
	h.as4 = as4;
	mrtlog_message(p->d->mrtlog, loop_index(p), &h, addpath, s->cur_msg, s->cur_len);
}

/* RFC 8050 3: the _ADDPATH subtypes say the NLRI carry path ids. One flag covers the whole
 * message: it is set when any prefix field of the UPDATE has them (a session that receives
 * ADD-PATH for one family only and mixes families in one UPDATE cannot be described). */
static bool update_addpath(const struct wire_update *u)
{
	return (u->nlri.addpath && u->nlri.count) || (u->withdrawn.addpath && u->withdrawn.count) ||
	       (u->mp_reach.addpath && u->mp_reach.count) ||
	       (u->mp_unreach.addpath && u->mp_unreach.count);
}

static void ev_received(void *ctx, struct peer_session *s, uint8_t type)
{
	struct rx_peer *p = rx_peer_of(s);
	static const uint8_t bit[] = {
	    [WIRE_OPEN] = CONF_MRT_LOG_OPEN,
	    [WIRE_NOTIFICATION] = CONF_MRT_LOG_NOTIFICATION,
	    [WIRE_KEEPALIVE] = CONF_MRT_LOG_KEEPALIVE,
	    [WIRE_ROUTE_REFRESH] = CONF_MRT_LOG_ROUTE_REFRESH,
	};
	if (type < RX_ARRAY_LEN(bit) && (peer_conf(p)->mrt_log & bit[type]) && s->cur_msg)
		mrt_log_msg(p, s, true, false);
}

void daemon_loop_round_end(void *ctx, struct io_loop *l)
{
	struct rx_daemon *d = ctx;
	mrtlog_flush(d->mrtlog, (unsigned)(l - d->loops));
}

static void ev_established(void *ctx, struct peer_session *s)
{
	struct rx_peer *p = rx_peer_of(s);
	const struct peer_negotiated *n = &s->neg;
	struct rde_msg *m = rde_msg_new(RDE_PEER_UP, p->src, 0, 0);
	m->key = (struct export_key){
		.role = __atomic_load_n(&p->role, __ATOMIC_RELAXED),
		.families = n->families,
		.as4 = n->ctx.as4,
		.ebgp = n->ctx.ebgp,
		.ext_msg = n->ctx.ext_msg,
		.limit = peer_conf(p)->max_prefixes_out,
		.addpath = n->ctx.addpath_tx & n->families,
		.map = peer_conf(p)->export_map,
	};
	m->router_id = n->peer_router_id;
	m->peer_gr = n->peer_gr;
	m->bmp = bmp_peer_up(p, s);
	p->mrt_hdr_ok = false; /* this connection's addresses (and the peer's AS) */
	mrt_log_state(p, s, FSM_OPENCONFIRM, FSM_ESTABLISHED);
	publish_state(p, FSM_ESTABLISHED);
	__atomic_store_n(&p->up_since, (int64_t)time(NULL), __ATOMIC_RELAXED);
	rx_log(RX_LOG_INFO, "peer %s: session established (AS%u, hold %us%s%s)", peer_conf(p)->name,
	       n->peer_open.asn, n->hold_time, n->ctx.as4 ? ", 4-octet AS" : "",
	       n->ctx.ext_msg ? ", extended messages" : "");
	rde_push(p->d, m);
}

static void ev_down(void *ctx, struct peer_session *s, const char *reason)
{
	struct rx_peer *p = rx_peer_of(s);
	publish_state(p, FSM_IDLE);
	__atomic_store_n(&p->up_since, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&p->last_reason, reason, __ATOMIC_RELAXED);
	__atomic_store_n(&p->last_code, s->stats.last_error_code, __ATOMIC_RELAXED);
	__atomic_store_n(&p->last_subcode, s->stats.last_error_subcode, __ATOMIC_RELAXED);
	__atomic_fetch_add(&p->flaps, 1, __ATOMIC_RELAXED);
	struct rde_msg *m = rde_msg_new(RDE_PEER_DOWN, p->src, 0, 0);
	if (s->established_at) /* only a session that had its Peer Up gets a Peer Down */
		m->bmp = bmp_peer_down(p, s, reason);
	/* RFC 4724 4.2: a session of a restart-capable peer that ends without a NOTIFICATION
	 * leaves its routes in place, as stale, for the restart time it announced, but only
	 * for the families its capability lists: a helper-only peer (FRR's default: no
	 * <AFI, SAFI> at all) preserves nothing, so its routes go at once. A peer listing
	 * some of the session's families keeps all of its routes (no per-family stale yet). */
	const struct peer_negotiated *n = &s->neg;
	m->graceful = peer_conf(p)->graceful_restart && n->peer_gr && n->peer_gr_time > 0 &&
		      (n->peer_gr_fams & n->families) && !s->notified && s->established_at != 0;
	m->restart_time = n->peer_gr_time;
	mrt_log_state(p, s, s->down_from, FSM_IDLE);
	p->mrt_hdr_ok = false;
	rx_log(RX_LOG_INFO, "peer %s: session down: %s%s", peer_conf(p)->name, reason,
	       m->graceful ? " (graceful restart: routes kept as stale)" : "");
	rde_push(p->d, m);
}

static void ev_log(void *ctx, struct peer_session *s, const char *msg)
{
	struct rx_peer *p = rx_peer_of(s);
	RX_LOG_LIMITED(RX_LOG_WARN, "peer %s: %s", peer_conf(p)->name, msg);
}

static void ev_refresh(void *ctx, struct peer_session *s, const struct wire_route_refresh *rr)
{
	struct rx_peer *p = rx_peer_of(s);
	rde_push(p->d, rde_msg_new(RDE_REFRESH, p->src, 0, 0));
}

/* The families of an UPDATE that this session negotiated. */
static bool usable(const struct peer_session *s, const struct wire_nlri *n)
{
	enum rx_family fam;
	if (!n->known || n->count == 0 || !wire_family(n->afi, n->safi, &fam))
		return false;
	return fam <= RX_FAM_IPV6_UNICAST && (s->neg.families & RX_FAM_BIT(fam));
}

static size_t decode(const struct wire_nlri *n, struct rde_pfx *out)
{
	struct wire_nlri_iter it;
	wire_nlri_iter_init(&it, n);
	size_t i = 0;
	while (wire_nlri_next(&it, &out[i].p, &out[i].path_id)) {
		rx_prefix_mask(&out[i].p);
		i++;
	}
	return i;
}

/* A prefix whose attributes the import map changes, and the entry that does it. */
struct moved {
	struct rde_pfx pfx;
	int idx;
};

static int moved_cmp(const void *a, const void *b)
{
	const struct moved *x = a, *y = b;
	return (x->idx > y->idx) - (x->idx < y->idx);
}

/* The peer's import map over the announced prefixes m->pfx[0 .. *n_ann): denied ones join
 * the withdrawn (treat-as-withdraw: a route accepted before goes), ones whose attributes an
 * entry changes are taken out into *out (sorted by entry, for one message per entry); the
 * rest stay as they are. Returns how many were taken out. */
static size_t import_map(struct rx_peer *p, const struct policy_map *map,
			 const struct wire_update *u, struct rde_msg *m, size_t *n_ann,
			 size_t *n_wd, struct moved **out)
{
	/* The AS path text (12 KiB) only for a map with a regex; built once for the UPDATE. */
	char *text = map->match_kinds & POLICY_M_REGEX ? malloc(POLICY_TEXT_MAX) : NULL;
	struct policy_route route, *r = &route;
	struct rde_pfx *ann = malloc(*n_ann * sizeof(*ann));
	struct moved *mv = NULL;
	RX_ASSERT(ann && (text || !(map->match_kinds & POLICY_M_REGEX)));
	const struct wire_attrs *a = &u->attrs;
	policy_route_init(r, NULL, a->aspath, a->aspath_len,
			  WIRE_HAS(a, WIRE_ATTR_COMMUNITIES) ? a->communities : NULL,
			  WIRE_HAS(a, WIRE_ATTR_COMMUNITIES) ? a->communities_len : 0,
			  WIRE_HAS(a, WIRE_ATTR_LARGE_COMMUNITIES) ? a->large_communities : NULL,
			  WIRE_HAS(a, WIRE_ATTR_LARGE_COMMUNITIES) ? a->large_communities_len : 0,
			  0, __atomic_load_n(&p->role, __ATOMIC_RELAXED), text);
	memcpy(ann, m->pfx, *n_ann * sizeof(*ann));
	size_t keep = 0, denied = 0, moved = 0, wd = *n_wd;
	/* Denied prefixes go right behind the kept ones, before the withdrawn: collected
	 * apart, then copied in once the kept ones are in place. */
	struct rde_pfx *deny = malloc(*n_ann * sizeof(*deny));
	RX_ASSERT(deny);
	for (size_t i = 0; i < *n_ann; i++) {
		r->prefix = &ann[i].p;
		int idx = policy_eval(map, r);
		if (!policy_permits(map, idx)) {
			deny[denied++] = ann[i];
		} else if (policy_changes(map, idx)) {
			if (!mv) {
				mv = malloc(*n_ann * sizeof(*mv));
				RX_ASSERT(mv);
			}
			mv[moved++] = (struct moved){ann[i], idx};
		} else {
			m->pfx[keep++] = ann[i];
		}
	}
	if (denied || moved) {
		/* [kept][denied][withdrawn as received] */
		memmove(&m->pfx[keep + denied], &m->pfx[*n_ann], wd * sizeof(m->pfx[0]));
		memcpy(&m->pfx[keep], deny, denied * sizeof(*deny));
	}
	if (denied) {
		char pfx[RX_PREFIX_STRLEN];
		rx_prefix_fmt(&deny[0].p, pfx, sizeof(pfx));
		RX_LOG_LIMITED(RX_LOG_INFO, "peer %s: %zu prefixes denied by import map %s (e.g. %s)",
			       peer_conf(p)->name, denied, map->name, pfx);
		__atomic_fetch_add(&p->rejected, denied, __ATOMIC_RELAXED);
	}
	*n_ann = keep;
	*n_wd = wd + denied;
	if (moved > 1)
		qsort(mv, moved, sizeof(*mv), moved_cmp);
	free(deny);
	free(ann);
	free(text);
	*out = mv;
	return moved;
}

/* One message per import-map entry for the prefixes it changed: the attributes with the
 * entry's set actions applied, encoded again. */
static void push_moved(struct rx_peer *p, const struct policy_map *map,
		       const struct wire_update *u, const uint8_t *nh, uint8_t nh_len,
		       const struct moved *mv, size_t n)
{
	uint8_t *buf = p->d->ingest_buf[p->io.loop - p->d->loops];
	uint8_t *scratch = buf + ATTR_BUF_MAX;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && mv[j].idx == mv[i].idx)
			j++;
		struct wire_attrs w = u->attrs;
		struct attr_buf ab = {.data = buf, .cap = ATTR_BUF_MAX};
		bool ok = policy_apply(&map->v[mv[i].idx], &w, peer_conf(p)->asn, scratch,
				       POLICY_APPLY_BUF) &&
			  attr_encode(&w, nh, nh_len, &ab);
		size_t cnt = j - i, attr_len = ok ? ab.k.data_len : 0;
		struct rde_msg *m = rde_msg_new(RDE_UPDATE, p->src, cnt, attr_len);
		for (size_t k = 0; k < cnt; k++)
			m->pfx[k] = mv[i + k].pfx;
		if (ok) {
			m->n_ann = (uint32_t)cnt;
			m->attrs = ab;
			m->attrs.data = (uint8_t *)&m->pfx[cnt];
			memcpy(m->attrs.data, buf, attr_len);
			m->attrs.cap = attr_len;
		} else { /* the changed attributes do not fit in an UPDATE: unusable */
			RX_LOG_LIMITED(RX_LOG_WARN, "peer %s: import map %s entry %d makes "
						    "attributes too large: %zu prefixes treated as "
						    "withdrawn",
				       peer_conf(p)->name, map->name, mv[i].idx + 1, cnt);
			__atomic_fetch_add(&p->rejected, cnt, __ATOMIC_RELAXED);
			m->n_wd = (uint32_t)cnt;
		}
		rde_push(p->d, m);
		i = j;
	}
}

/* Queues prefixes announced with one next hop (and, with the first message, the
 * withdrawals). `nh` NULL means the IPv4 NEXT_HOP attribute. */
static void push_update(struct rx_peer *p, const struct wire_update *u,
			const struct wire_nlri *const *ann, size_t n_ann_fields,
			const struct wire_nlri *const *wd, size_t n_wd_fields, const uint8_t *nh,
			uint8_t nh_len, bool withdraw_all)
{
	struct peer_session *s = &p->io.s;
	size_t n_ann = 0, n_wd = 0;
	for (size_t i = 0; i < n_ann_fields; i++)
		n_ann += usable(s, ann[i]) ? ann[i]->count : 0;
	for (size_t i = 0; i < n_wd_fields; i++)
		n_wd += usable(s, wd[i]) ? wd[i]->count : 0;
	if (n_ann + n_wd == 0)
		return;
	size_t attr_len = 0;
	/* Encode the attributes into this I/O thread's buffer, then copy just what is used. */
	uint8_t *buf = p->d->ingest_buf[p->io.loop - p->d->loops];
	struct attr_buf ab = {0};
	if (!withdraw_all && n_ann) {
		ab.data = buf;
		ab.cap = ATTR_BUF_MAX;
		bool ok = attr_encode(&u->attrs, nh, nh_len, &ab);
		RX_ASSERT(ok); /* the buffer holds any attribute block a message can carry */
		attr_len = ab.k.data_len;
	}
	struct rde_msg *m = rde_msg_new(RDE_UPDATE, p->src, n_ann + n_wd, attr_len);
	size_t k = 0;
	for (size_t i = 0; i < n_ann_fields; i++)
		if (usable(s, ann[i]))
			k += decode(ann[i], &m->pfx[k]);
	for (size_t i = 0; i < n_wd_fields; i++)
		if (usable(s, wd[i]))
			k += decode(wd[i], &m->pfx[k]);
	RX_ASSERT(k == n_ann + n_wd);
	if (!withdraw_all && peer_conf(p)->filter_bogons) {
		/* Import filter: a bogon announced is handled as withdrawn (moved behind the
		 * announcements, whose order does not matter). */
		size_t refused = 0;
		enum filter_reason why = FILTER_OK;
		for (size_t i = 0; i < n_ann;) {
			enum filter_reason r = filter_prefix(&m->pfx[i].p);
			if (r == FILTER_OK) {
				i++;
				continue;
			}
			why = r;
			struct rde_pfx t = m->pfx[i];
			m->pfx[i] = m->pfx[n_ann - 1];
			m->pfx[n_ann - 1] = t;
			n_ann--;
			n_wd++;
			refused++;
		}
		if (refused) {
			char pfx[RX_PREFIX_STRLEN];
			rx_prefix_fmt(&m->pfx[n_ann].p, pfx, sizeof(pfx));
			RX_LOG_LIMITED(RX_LOG_WARN, "peer %s: %zu prefixes refused (%s, e.g. %s)",
				       peer_conf(p)->name, refused, filter_reason_name(why), pfx);
			__atomic_fetch_add(&p->rejected, refused, __ATOMIC_RELAXED);
		}
	}
	struct moved *mv = NULL;
	size_t n_moved = 0;
	const struct policy_map *map = peer_conf(p)->import_map;
	if (!withdraw_all && n_ann && map) {
		n_moved = import_map(p, map, u, m, &n_ann, &n_wd, &mv);
		k = n_ann + n_wd;
	}
	if (withdraw_all) { /* RFC 7606 2: every NLRI of the UPDATE is withdrawn */
		m->n_wd = (uint32_t)k;
	} else {
		m->n_ann = (uint32_t)n_ann;
		m->n_wd = (uint32_t)n_wd;
	}
	if (attr_len) {
		m->attrs = ab;
		m->attrs.data = (uint8_t *)&m->pfx[k];
		memcpy(m->attrs.data, buf, attr_len);
		m->attrs.cap = attr_len;
	}
	if (m->n_ann + m->n_wd)
		rde_push(p->d, m);
	else /* every prefix was moved to a message of its own */
		rde_msg_free(m);
	if (n_moved)
		push_moved(p, map, u, nh, nh_len, mv, n_moved);
	free(mv);
}

static void ev_update(void *ctx, struct peer_session *s, const struct wire_update *u)
{
	struct rx_peer *p = rx_peer_of(s);
	struct rx_daemon *d = p->d;
	enum rx_family fam;
	/* BMP pre-policy Adj-RIB-In: the message as received, with this session's header. Costs
	 * one relaxed load when no collector wants it; ordered before the UPDATE's effects. */
	if (bmp_prepolicy(d->bmp) && s->cur_msg) {
		struct bmp_peer_hdr h = p->bmp_hdr;
		bmp_hdr_stamp(&h);
		size_t cap = BMP_COMMON_LEN + BMP_PEER_HDR_LEN + s->cur_len;
		struct rde_msg *m = rde_msg_new(RDE_BMP, p->src, 0, 0);
		m->bmp = bmp_msg_new(NULL, cap);
		RX_ASSERT(m->bmp);
		bmp_route_monitoring_encode(m->bmp->data, cap, &h, s->cur_msg, s->cur_len);
		rde_push(d, m);
	}
	/* The MRT message log, at the same point and for the same reason (as received,
	 * before its effects): one load of the peer's config when it is off. */
	if ((peer_conf(p)->mrt_log & CONF_MRT_LOG_UPDATE) && s->cur_msg)
		mrt_log_msg(p, s, s->neg.ctx.as4, update_addpath(u));
	if (u->end_of_rib) {
		if (wire_family(u->eor_afi, u->eor_safi, &fam)) {
			struct rde_msg *m = rde_msg_new(RDE_EOR, p->src, 0, 0);
			m->family = (uint8_t)fam;
			rde_push(d, m);
		}
		return;
	}
	const struct wire_nlri *v4[] = {&u->nlri}, *mp[] = {&u->mp_reach};
	const struct wire_nlri *wd[] = {&u->withdrawn, &u->mp_unreach};
	bool withdraw_all = u->err.action == WIRE_TREAT_AS_WITHDRAW;
	size_t n_ann = (usable(s, &u->nlri) ? u->nlri.count : 0) +
		       (usable(s, &u->mp_reach) ? u->mp_reach.count : 0);
	/* Azure mode: a path through our own AS is a loop (RFC 4271 9.1.2). */
	if (!withdraw_all && n_ann && !daemon_conf(d)->transparent &&
	    wire_aspath_contains(u->attrs.aspath, u->attrs.aspath_len, daemon_conf(d)->asn)) {
		RX_LOG_LIMITED(RX_LOG_WARN, "peer %s: %zu prefixes with our AS %u in AS_PATH: rejected",
			       peer_conf(p)->name, n_ann, daemon_conf(d)->asn);
		__atomic_fetch_add(&p->rejected, n_ann, __ATOMIC_RELAXED);
		withdraw_all = true;
	}
	const struct conf_peer *cp = peer_conf(p);
	/* RFC 9234 5, ingress 1: a route with OTC from an RS-Client is a leak (it came from a
	 * provider, peer or route server of the client): ineligible. */
	if (!withdraw_all && n_ann && cp->role == CONF_ROLE_RS_CLIENT &&
	    WIRE_HAS(&u->attrs, WIRE_ATTR_OTC)) {
		RX_LOG_LIMITED(RX_LOG_WARN, "peer %s: %zu prefixes refused: route leak, OTC %u from "
					    "a route server client (RFC 9234 5)",
			       cp->name, n_ann, u->attrs.otc);
		__atomic_fetch_add(&p->rejected, n_ann, __ATOMIC_RELAXED);
		withdraw_all = true;
	}
	if (!withdraw_all && n_ann && (cp->filter_bogons || cp->max_as_path_length)) {
		enum filter_reason r = filter_aspath(u->attrs.aspath, u->attrs.aspath_len,
						     cp->filter_bogons, cp->max_as_path_length);
		if (r != FILTER_OK) {
			RX_LOG_LIMITED(RX_LOG_WARN, "peer %s: %zu prefixes refused (%s)", cp->name,
				       n_ann, filter_reason_name(r));
			__atomic_fetch_add(&p->rejected, n_ann, __ATOMIC_RELAXED);
			withdraw_all = true;
		}
	}
	/* IPv4 NLRI use NEXT_HOP, MP_REACH NLRI their own next hop: two attribute sets when
	 * a sender combines both in one UPDATE (RFC 7606 5.1 lets it). */
	/* RFC 1122 3.2.1.3: 0/8 and 127/8 never appear outside a host, so as NEXT_HOP they
	 * are unusable (RFC 4271 6.3), and relayed they make FRR reset its session with us
	 * (3/8, "martian next hop"): the IPv4 NLRI are treated as withdrawn. */
	bool v4_withdraw = withdraw_all;
	if (!withdraw_all && usable(s, &u->nlri) && WIRE_HAS(&u->attrs, WIRE_ATTR_NEXT_HOP) &&
	    (u->attrs.nexthop[0] == 0 || u->attrs.nexthop[0] == 127)) {
		RX_LOG_LIMITED(RX_LOG_WARN,
			       "peer %s: %u prefixes with NEXT_HOP %u.%u.%u.%u (RFC 1122 3.2.1.3): "
			       "treated as withdrawn",
			       peer_conf(p)->name, u->nlri.count, u->attrs.nexthop[0],
			       u->attrs.nexthop[1], u->attrs.nexthop[2], u->attrs.nexthop[3]);
		v4_withdraw = true;
	}
	push_update(p, u, v4, 1, wd, 2, NULL, 4, v4_withdraw);
	/* RFC 8950 4: IPv4 NLRI with an IPv6 next hop need the Extended Next Hop capability,
	 * which routexd does not advertise, and an IPv4 route goes out with a 4-octet
	 * NEXT_HOP or none: relayed, it would be an UPDATE without NEXT_HOP. Such routes are
	 * unusable, like an invalid NEXT_HOP (RFC 4271 6.3): treated as withdrawn. */
	bool mp_withdraw = withdraw_all;
	if (!withdraw_all && u->mp_reach.afi == RX_AFI_IPV4 && u->mp_nexthop_len != 4 &&
	    usable(s, &u->mp_reach)) {
		RX_LOG_LIMITED(RX_LOG_WARN,
			       "peer %s: %u IPv4 prefixes with a %u-octet next hop (RFC 8950 not "
			       "negotiated): treated as withdrawn",
			       peer_conf(p)->name, u->mp_reach.count, u->mp_nexthop_len);
		mp_withdraw = true;
	}
	push_update(p, u, mp, 1, NULL, 0, u->mp_nexthop, u->mp_nexthop_len, mp_withdraw);
}

const struct peer_events daemon_peer_events = {ev_established, ev_update, ev_refresh,
					       ev_down,	       ev_log,	  ev_received};
