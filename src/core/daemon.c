/* daemon.c: builds a routexd from its configuration, starts and stops its threads.
 *
 * Start-up order: listeners first, BGP then metrics (a bind failure is reported before
 * anything runs), then
 * the decision thread (it originates the configured prefixes), the I/O threads, and last
 * the peers are handed to their loops, so no event can reach a thread that is not running.
 * Peers are spread over the I/O threads round robin; a peer stays on its thread for life. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <routex/bmp.h>
#include <routex/compiler.h>
#include <routex/conf.h>
#include <routex/daemon.h>
#include <routex/log.h>
#include <routex/policy.h>
#include <routex/metrics.h>
#include <routex/rib.h>
#include <routex/wire.h>

/* Output backlog per peer before it is reset (RFC 9687 covers a peer that reads nothing;
 * this covers one that reads too slowly): room for a full table several times over. */
#define DAEMON_MAX_OUT_BYTES (256u << 20)

socklen_t daemon_sockaddr(const struct conf_addr *a, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->afi == RX_AFI_IPV4) {
		struct sockaddr_in *s = (struct sockaddr_in *)ss;
		s->sin_family = AF_INET;
		s->sin_port = htons(port);
		memcpy(&s->sin_addr, a->addr, 4);
		return sizeof(*s);
	}
	struct sockaddr_in6 *s = (struct sockaddr_in6 *)ss;
	s->sin6_family = AF_INET6;
	s->sin6_port = htons(port);
	memcpy(&s->sin6_addr, a->addr, 16);
	return sizeof(*s);
}

uint8_t daemon_rib_role(int r)
{
	switch (r) {
	case CONF_ROLE_NVA:
		return RIB_ROLE_NVA;
	case CONF_ROLE_EXPRESSROUTE:
		return RIB_ROLE_EXPRESSROUTE;
	case CONF_ROLE_VPN:
		return RIB_ROLE_VPN;
	default:
		return RIB_ROLE_RS_CLIENT;
	}
}

struct peer_session_cfg daemon_session_cfg(const struct conf_daemon *c, const struct conf_peer *p)
{
	struct peer_session_cfg s = {
		.local_as = c->asn,
		.router_id = c->router_id,
		.peer_as = p->asn,
		.hold_time = p->hold_time,
		.connect_retry = 5,
		.passive = p->passive,
		.families = RX_FAM_BIT(RX_FAM_IPV4_UNICAST) | RX_FAM_BIT(RX_FAM_IPV6_UNICAST),
		.ext_msg = true,
		.graceful_restart = p->graceful_restart,
		.gr_time = 120,
		.max_out_bytes = DAEMON_MAX_OUT_BYTES,
	};
	/* RFC 7911: what we offer; a side is used where the peer offers the other. */
	uint8_t ap = (p->add_path == CONF_ADD_PATH_SEND || p->add_path == CONF_ADD_PATH_BOTH
			      ? WIRE_ADDPATH_TX
			      : 0) |
		     (p->add_path == CONF_ADD_PATH_RECEIVE || p->add_path == CONF_ADD_PATH_BOTH
			      ? WIRE_ADDPATH_RX
			      : 0);
	s.addpath[RX_FAM_IPV4_UNICAST] = s.addpath[RX_FAM_IPV6_UNICAST] = ap;
	if (p->role == CONF_ROLE_RS_CLIENT) { /* RFC 9234: we are the route server */
		s.role_present = true;
		s.role = WIRE_ROLE_RS;
		s.role_strict = p->bgp_role_strict;
	}
	return s;
}

struct rx_peer *daemon_peer_by_name(struct rx_daemon *d, const char *name)
{
	size_t n = daemon_npeers(d);
	for (uint16_t src = 1; src <= n; src++) {
		struct rx_peer *p = daemon_peer(d, src);
		if (!__atomic_load_n(&p->removed, __ATOMIC_RELAXED) &&
		    strcmp(peer_conf(p)->name, name) == 0)
			return p;
	}
	return NULL;
}

/* Incoming connections: the configured peer with that address (any port). */
static struct io_peer *find_peer(void *ctx, const struct sockaddr *sa)
{
	struct rx_daemon *d = ctx;
	size_t n = daemon_npeers(d);
	for (uint16_t src = 1; src <= n; src++) {
		struct rx_peer *p = daemon_peer(d, src);
		const struct conf_peer *cp = peer_conf(p);
		if (__atomic_load_n(&p->removed, __ATOMIC_RELAXED) || !cp->enabled)
			continue;
		struct sockaddr_storage want;
		daemon_sockaddr(&cp->address, 0, &want);
		if (want.ss_family != sa->sa_family)
			continue;
		if (sa->sa_family == AF_INET &&
		    ((const struct sockaddr_in *)&want)->sin_addr.s_addr ==
			    ((const struct sockaddr_in *)sa)->sin_addr.s_addr)
			return &p->io;
		if (sa->sa_family == AF_INET6 &&
		    memcmp(&((const struct sockaddr_in6 *)&want)->sin6_addr,
			   &((const struct sockaddr_in6 *)sa)->sin6_addr, 16) == 0)
			return &p->io;
	}
	return NULL;
}

static void loop_log(void *ctx, const char *msg)
{
	RX_LOG_LIMITED(RX_LOG_WARN, "%s", msg);
}

static unsigned io_thread_count(const struct conf_daemon *c)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	switch (c->io_mode) {
	case CONF_IO_FIXED:
		return c->io_threads;
	case CONF_IO_PER_PEER:
		return c->npeers ? (unsigned)c->npeers : 1;
	default:
		return cores > 0 ? (unsigned)cores : 1;
	}
}

void daemon_io_settings(const struct conf_daemon *c, const struct conf_peer *cp,
			struct io_peer_settings *st)
{
	memset(st, 0, sizeof(*st));
	st->cfg = daemon_session_cfg(c, cp);
	st->remote_len = daemon_sockaddr(&cp->address, cp->port, &st->remote);
	if (cp->local_address.afi)
		daemon_sockaddr(&cp->local_address, 0, &st->local);
	if (cp->password)
		snprintf(st->password, sizeof(st->password), "%s", cp->password);
	st->ttl_security = cp->ttl_security;
	st->enabled = cp->enabled;
}

/* Fills a peer's I/O side from its config entry. */
static void peer_settings(struct rx_daemon *d, struct rx_peer *p, const struct conf_peer *cp)
{
	struct io_peer_settings st;
	daemon_io_settings(d->conf, cp, &st);
	io_peer_init(&p->io, &st.cfg, cp->name, (struct sockaddr *)&st.remote, st.remote_len, p);
	memcpy(&p->io.local, &st.local, sizeof(p->io.local));
	memcpy(p->io.password, st.password, sizeof(p->io.password));
	p->io.ttl_security = st.ttl_security;
	p->io.admin_down = !st.enabled;
	p->state = p->io.passive ? FSM_ACTIVE : FSM_IDLE;
}

struct rx_peer *daemon_add_peer(struct rx_daemon *d, const struct conf_peer *cp)
{
	size_t n = d->npeers; /* only the main thread (start) or the decision thread (reload) */
	if (n == DAEMON_MAX_PEERS)
		return NULL;
	struct rx_peer *p = calloc(1, sizeof(*p));
	RX_ASSERT(p);
	p->src = (uint16_t)(n + 1);
	p->role = daemon_rib_role(cp->role);
	p->conf = cp;
	p->d = d;
	peer_settings(d, p, cp);
	/* Handed to its loop before it is published: an I/O thread that accepts a connection
	 * from its address (find_peer) must find p->io.loop set and the loop's ADD command
	 * queued ahead of its own ACCEPTED one. */
	if (d->started)
		io_loop_add_peer(&d->loops[n % d->nloops], &p->io);
	__atomic_store_n(&d->peers[n], p, __ATOMIC_RELEASE);
	__atomic_store_n(&d->npeers, n + 1, __ATOMIC_RELEASE);
	return p;
}

/* BMP requests run on the decision thread as control messages; the request rides inside
 * the message, so a message never run (at stop) is freed with its request. */
struct bmp_call {
	bmp_run_fn fn;
	void *arg;
};

static void bmp_call_run(struct rx_daemon *d, void *arg)
{
	struct bmp_call *c = arg;
	c->fn(c->arg);
	c->arg = NULL;
}

static void bmp_defer(void *ctx, bmp_run_fn fn, void *arg)
{
	struct rde_msg *m = rde_msg_new(RDE_CTL, 0, 0, sizeof(struct bmp_call));
	struct bmp_call *c = (struct bmp_call *)m->pfx;
	c->fn = fn;
	c->arg = arg;
	m->run = bmp_call_run;
	m->arg = c;
	rde_push(ctx, m);
}

void daemon_msg_drop(struct rde_msg *m)
{
	if (m->kind == RDE_CTL && m->run == bmp_call_run)
		bmp_request_free(((struct bmp_call *)m->arg)->arg);
	rde_msg_free(m);
}

void daemon_bmp_configure_w(struct rx_daemon *d, const struct conf_daemon *c)
{
	struct bmp_collector_conf *v = calloc(c->nbmp ? c->nbmp : 1, sizeof(*v));
	RX_ASSERT(v);
	for (size_t i = 0; i < c->nbmp; i++) {
		v[i].afi = c->bmp[i].addr.afi;
		memcpy(v[i].addr, c->bmp[i].addr.addr, 16);
		v[i].port = c->bmp[i].port;
		v[i].stats_s = c->bmp[i].statistics;
		v[i].monitor = (uint8_t)((c->bmp[i].monitor & CONF_BMP_PRE_POLICY ? BMP_MON_PRE_POLICY : 0) |
					 (c->bmp[i].monitor & CONF_BMP_LOC_RIB ? BMP_MON_LOC_RIB : 0));
	}
	bmp_set_collectors_w(d->bmp, v, c->nbmp);
	free(v);
}

bool daemon_init(struct rx_daemon *d, struct conf_daemon *conf)
{
	memset(d, 0, sizeof(*d));
	d->conf = conf;
	d->start_time = (int64_t)time(NULL);
	d->exchange = conf->route_exchange;
	struct rib_conf rc;
	rib_conf_default(&rc);
	rc.asn = conf->asn;
	rc.pref = conf->route_preference == CONF_PREF_VPN	 ? RIB_PREF_VPN
		  : conf->route_preference == CONF_PREF_AS_PATH ? RIB_PREF_AS_PATH
								 : RIB_PREF_EXPRESSROUTE;
	rc.rpki_drop_invalid = conf->rpki.enabled && conf->rpki.drop_invalid;
	rib_init(&d->rib, &rc);
	struct export_policy pol = {.asn = conf->asn, .router_id = conf->router_id,
				    .exchange = conf->route_exchange, .transparent = conf->transparent,
				    .ixp_communities = conf->ixp_communities};
	pol.has_nexthop6 = conf->has_next_hop6;
	memcpy(pol.nexthop6, conf->next_hop6, 16);
	export_init(&d->exp, &pol);
	d->exp.limit_cb = rde_out_limit;
	d->exp.limit_ctx = d;
	char name[256] = "routexd";
	gethostname(name, sizeof(name) - 1);
	struct bmp_params bp = {.sys_name = name, .sys_descr = "routexd BGP route server",
				.asn = conf->asn, .router_id = conf->router_id, .rib = &d->rib,
				.defer = bmp_defer, .defer_ctx = d};
	bp.totals = &d->bmp_totals;
	bp.has_nexthop6 = conf->has_next_hop6;
	memcpy(bp.nexthop6, conf->next_hop6, 16);
	d->bmp = bmp_new(&bp);
	if (!mpsc_init(&d->rdeq) || !daemon_rpki_init(d))
		return false;
	d->peers = calloc(DAEMON_MAX_PEERS, sizeof(*d->peers));
	RX_ASSERT(d->peers);
	for (size_t i = 0; i < conf->npeers; i++)
		daemon_add_peer(d, &conf->peers[i]);
	d->nloops = io_thread_count(conf);
	d->loops = calloc(d->nloops, sizeof(*d->loops));
	d->loop_ptrs = calloc(d->nloops, sizeof(*d->loop_ptrs));
	d->ingest_buf = calloc(d->nloops, sizeof(*d->ingest_buf));
	RX_ASSERT(d->loops && d->loop_ptrs && d->ingest_buf);
	if (!(d->mrtlog = mrtlog_new(&d->conf, d->nloops)))
		return false;
	for (unsigned i = 0; i < d->nloops; i++) {
		d->ingest_buf[i] = malloc(ATTR_BUF_MAX + POLICY_APPLY_BUF);
		RX_ASSERT(d->ingest_buf[i]);
		if (!io_loop_init(&d->loops[i], &daemon_peer_events, d))
			return false;
		d->nloops_ready = i + 1;
		d->loops[i].find_peer = find_peer;
		d->loops[i].iter_end = daemon_loop_round_end;
		d->loops[i].backlog = rde_backlog;
		d->loops[i].log = loop_log;
		d->loops[i].loops = d->loop_ptrs;
		d->loops[i].n_loops = d->nloops;
		d->loop_ptrs[i] = &d->loops[i];
	}
	for (size_t i = 0; i < conf->nlisten; i++) {
		struct sockaddr_storage ss;
		socklen_t len = daemon_sockaddr(&conf->listen[i].addr, conf->listen[i].port, &ss);
		if (!io_loop_listen(&d->loops[0], (struct sockaddr *)&ss, len)) {
			rx_log(RX_LOG_ERR, "%s:%u: cannot listen there", conf->file, conf->listen[i].line);
			return false;
		}
	}
	if (conf->metrics_enabled) {
		char err[200];
		if (!(d->metrics = metrics_open(d, &conf->metrics, err, sizeof(err)))) {
			rx_log(RX_LOG_ERR, "%s:%u: %s", conf->file, conf->metrics.line, err);
			return false;
		}
	}
	return true;
}

bool daemon_start(struct rx_daemon *d)
{
	/* Before the decision thread runs, which owns the exporter from then on. */
	daemon_bmp_configure_w(d, d->conf);
	if (!rde_start(d))
		return false;
	/* Before the I/O threads, which hand it what they record. */
	if (!mrtlog_start(d->mrtlog))
		return false;
	if (d->rpki) {
		char err[256];
		if (!rpki_start(d->rpki, err, sizeof(err))) {
			rx_log(RX_LOG_ERR, "%s", err);
			return false;
		}
		rx_log(RX_LOG_INFO, "rpki: origin validation on, %zu RTR caches, invalid routes %s",
		       d->conf->rpki.nservers, d->conf->rpki.drop_invalid ? "dropped" : "accepted");
	}
	/* Peers first, loops second: each peer's loop is set (and its ADD queued) before any
	 * I/O thread can accept a connection from it. */
	for (size_t i = 0; i < d->npeers; i++)
		io_loop_add_peer(&d->loops[i % d->nloops], &d->peers[i]->io);
	d->started = true;
	for (unsigned i = 0; i < d->nloops; i++)
		if (!io_loop_start(&d->loops[i]))
			return false;
	if (d->metrics && !metrics_run(d->metrics))
		return false;
	/* The threads run: a reload may already swap the config and add peers. */
	const struct conf_daemon *c = daemon_conf(d);
	rx_log(RX_LOG_INFO, "routexd running: AS%u, router id %u.%u.%u.%u, %zu peers, %u I/O threads, "
			    "route exchange %s",
	       c->asn, c->router_id >> 24, c->router_id >> 16 & 255, c->router_id >> 8 & 255,
	       c->router_id & 255, daemon_npeers(d), d->nloops, c->route_exchange ? "on" : "off");
	return true;
}

void daemon_fini(struct rx_daemon *d)
{
	metrics_close(d->metrics); /* first: it reads the peers and the decision thread's stats */
	d->metrics = NULL;
	for (unsigned i = 0; i < d->nloops_ready; i++)
		io_loop_stop(&d->loops[i]);
	/* The loops handed over their last buffers as they stopped: the log writes them
	 * and completes its file. */
	mrtlog_free(d->mrtlog);
	d->mrtlog = NULL;
	rde_stop(d);
	bmp_free(d->bmp); /* after the decision thread, its only other user */
	d->bmp = NULL;
	rpki_free(d->rpki); /* stops librtr's threads; what they queued is freed below */
	d->rpki = NULL;
	for (unsigned i = 0; i < d->nloops_ready; i++)
		io_loop_fini(&d->loops[i]);
	/* Messages the decision thread never took. */
	struct mpsc_batch b;
	if (mpsc_take(&d->rdeq, &b))
		for (struct mpsc_node *n; (n = mpsc_batch_next(&b));)
			daemon_msg_drop(caa_container_of(n, struct rde_msg, node));
	mpsc_fini(&d->rdeq);
	export_fini(&d->exp);
	rib_fini(&d->rib);
	for (unsigned i = 0; d->ingest_buf && i < d->nloops; i++)
		free(d->ingest_buf[i]);
	free(d->ingest_buf);
	free(d->loops);
	free(d->loop_ptrs);
	for (size_t i = 0; i < d->npeers; i++)
		free(d->peers[i]);
	free(d->peers);
	conf_free(d->conf);
	for (size_t i = 0; i < d->n_old_confs; i++)
		conf_free(d->old_confs[i]);
	free(d->old_confs);
	memset(d, 0, sizeof(*d));
}
