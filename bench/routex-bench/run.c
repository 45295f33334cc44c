/* run.c: the session loop: every feeder and monitor session in one epoll loop.
 *
 * Sessions are driven through the session core (peer_session_*: FSM, OPEN negotiation,
 * keepalives, framing, UPDATE parsing); this file owns the sockets, the feed pump and what
 * monitors do with each parsed UPDATE. Active sessions connect with a blocking connect() on
 * loopback (it completes in the kernel's backlog), then go non-blocking.
 *
 * Feed pump: a feeder's pre-encoded stream is queued into its session in message-aligned
 * chunks of BENCH_CHUNK bytes whenever the session's backlog falls under one chunk, so the
 * socket always has data ready and memory stays bounded with hundreds of feeders.
 *
 * Monitors: each UPDATE's NLRI fields are located and validated by the fast decoder
 * (decode.c, through the session core's update_raw hook), which leaves anything it does not
 * vouch for to the full parser (wire_update_parse, ev_update: a malformed UPDATE still
 * resets the session; the decoder does not grade attributes a monitor does not use, see
 * decode.c); then the withdrawn routes and
 * NLRI are applied to the monitor's prefix set; the monitor is complete when its count equals the
 * phase's target, and done_ns keeps the last time it became so. Counting, not comparing
 * against the expected set, keeps the hot path to one bit operation per prefix; the set is
 * compared prefix by prefix after the clock stops (main.c). */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <routex/compiler.h>
#include <routex/peer.h>
#include <routex/wire.h>

#include "run.h"

enum { TAG_CONN = 1, TAG_LISTEN = 2 };
#define RETRY_MS 500
#define TICK_MS 200

struct conn {
	int tag;                 /* TAG_CONN */
	struct peer_session s;
	struct run *r;
	struct loop *l;          /* the loop owning it */
	struct feeder *f;        /* the feeder this session sends for, or NULL */
	struct monitor *m;       /* where received routes go, or NULL */
	uint32_t local_addr, remote_addr;
	uint16_t remote_port;
	bool active;             /* we connect (and reconnect) */
	bool admin_down;         /* closed on purpose: no reconnect */
	bool up;
	uint64_t retry_at_ms;
	uint32_t ev_mask;
	const struct stream *tx; /* stream being queued */
	size_t tx_chunk;         /* next chunk to queue */
	uint64_t tx_first_ns, tx_last_ns;
};

struct lsock {
	int tag;                 /* TAG_LISTEN */
	int fd;
	struct monitor *m;
};

uint64_t bench_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void run_set_target(struct monitor *m, size_t target)
{
	bool lock = m->loop && m->loop->threaded;
	if (lock)
		pthread_mutex_lock(&m->loop->lock);
	m->target = target;
	m->has_target = true;
	__atomic_store_n(&m->done_ns, m->set.count == target ? bench_now_ns() : 0,
			 __ATOMIC_RELAXED);
	if (lock)
		pthread_mutex_unlock(&m->loop->lock);
}

void run_lock_all(struct run *r)
{
	for (unsigned i = 1; i < r->n_loops; i++)
		pthread_mutex_lock(&r->loops[i].lock);
}

void run_unlock_all(struct run *r)
{
	for (unsigned i = 1; i < r->n_loops; i++)
		pthread_mutex_unlock(&r->loops[i].lock);
}

/* ---- Receive side ---- */

/* One NLRI field into the monitor's pending operations (IPv4; other families are not
 * kept); they reach the set when the read batch ends (settle). */
static void apply(struct loop *l, struct monitor *m, const struct wire_nlri *nl, bool add)
{
	size_t n = pset_collect(&m->set, &m->ops, nl, add, l->decode);
	if (add)
		m->nlri_in += n;
	else
		m->withdrawn_in += n;
}

/* The NLRI fields of one UPDATE into monitor m. ann false: RFC 7606 2 treat-as-withdraw
 * turns every announced prefix into a withdrawal. */
static void monitor_apply(struct loop *l, struct monitor *m, const struct mon_update *u,
			  bool ann)
{
	m->updates_in++;
	__atomic_store_n(&m->last_rx_ns, l->now_ns, __ATOMIC_RELAXED);
	if (u->end_of_rib) {
		m->eor_in++;
		return;
	}
	if (u->collected) { /* the decoder wrote them to m->ops already */
		m->withdrawn_in += u->withdrawn.count;
		m->nlri_in += u->nlri.count;
	} else {
		apply(l, m, &u->withdrawn, false);
		apply(l, m, &u->nlri, ann);
	}
	if (u->has_mp_unreach)
		apply(l, m, &u->mp_unreach, false);
	if (u->has_mp_reach)
		apply(l, m, &u->mp_reach, ann);
}

/* The end of a read batch: the pending prefixes into the set, then the completion check;
 * done_ns keeps the first batch end at which the count reached the target, until it
 * leaves it. */
static void settle(struct monitor *m)
{
	pset_flush(&m->set, &m->ops);
	if (!m->has_target)
		return;
	if (m->set.count == m->target) {
		if (!m->done_ns)
			__atomic_store_n(&m->done_ns, bench_now_ns(), __ATOMIC_RELAXED);
	} else if (m->done_ns) {
		__atomic_store_n(&m->done_ns, 0, __ATOMIC_RELAXED);
	}
}

/* The full parser's path: every message with --full-decode, and every message the fast
 * decoder declined (malformed, or a case it leaves to the codec). */
static void ev_update(void *ctx, struct peer_session *s, const struct wire_update *u)
{
	struct conn *c = ctx;
	if (!c->m)
		return;
	struct mon_update mu = {
		.withdrawn = u->withdrawn,
		.nlri = u->nlri,
		.mp_reach = u->mp_reach,
		.mp_unreach = u->mp_unreach,
		.has_mp_reach = u->has_mp_reach,
		.has_mp_unreach = u->has_mp_unreach,
		.end_of_rib = u->end_of_rib,
	};
	monitor_apply(c->l, c->m, &mu, u->err.action != WIRE_TREAT_AS_WITHDRAW);
}

/* The fast path (decode.c): prefixes only; attributes walked by their lengths, only the
 * MP ones read. */
static bool ev_update_raw(void *ctx, struct peer_session *s, const uint8_t *body, size_t len)
{
	struct conn *c = ctx;
	struct mon_update mu;
	if (c->r->full_decode || !mon_decode(body, len, &s->neg.ctx, &mu, c->m ? &c->m->ops : NULL))
		return false;
	if (c->m)
		monitor_apply(c->l, c->m, &mu, true);
	return true;
}

static void ev_established(void *ctx, struct peer_session *s)
{
	struct conn *c = ctx;
	c->up = true;
	__atomic_fetch_add(&c->r->n_up, 1, __ATOMIC_RELAXED);
	if (!s->neg.ctx.as4)
		bench_log("%s: peer did not negotiate 4-octet AS numbers: feeds are encoded for it",
			  s->name);
}

static void ev_down(void *ctx, struct peer_session *s, const char *reason)
{
	struct conn *c = ctx;
	if (c->up) {
		__atomic_fetch_sub(&c->r->n_up, 1, __ATOMIC_RELAXED);
		if (!c->admin_down)
			__atomic_fetch_add(&c->r->downs, 1, __ATOMIC_RELAXED);
	}
	c->up = false;
	c->tx = NULL;
	c->retry_at_ms = peer_now_ms() + RETRY_MS;
	if (!c->admin_down)
		bench_log("%s: session down: %s", s->name, reason);
}

static void ev_log(void *ctx, struct peer_session *s, const char *msg)
{
	if (bench_verbose)
		bench_log("%s: %s", s->name, msg);
}

static const struct peer_events events = {
	.established = ev_established,
	.update = ev_update,
	.down = ev_down,
	.log = ev_log,
};

/* ---- Sockets ---- */

static void sin_of(struct sockaddr_in *sa, uint32_t addr, uint16_t port)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_addr.s_addr = htonl(addr);
	sa->sin_port = htons(port);
}

static void epoll_set(struct conn *c, bool add)
{
	uint32_t want = EPOLLIN | (peer_session_backlog(&c->s) ? EPOLLOUT : 0);
	if (!add && want == c->ev_mask)
		return;
	struct epoll_event ev = {.events = want, .data.ptr = c};
	if (epoll_ctl(c->l->epfd, add ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, c->s.fd, &ev) < 0)
		bench_die("epoll_ctl: %s", strerror(errno));
	c->ev_mask = want;
}

static void sock_tune(int fd)
{
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

static struct conn *conn_new(struct loop *l, const struct peer_session_cfg *cfg, const char *name)
{
	struct conn *c = calloc(1, sizeof(*c));
	if (!c)
		bench_die("out of memory");
	c->tag = TAG_CONN;
	c->r = l->r;
	c->l = l;
	peer_session_init(&c->s, cfg, name, &events, c, l->scratch);
	c->s.update_raw = ev_update_raw;
	if (l->n_conns == l->cap_conns) {
		l->cap_conns = l->cap_conns ? 2 * l->cap_conns : 64;
		l->conns = realloc(l->conns, l->cap_conns * sizeof(*l->conns));
		if (!l->conns)
			bench_die("out of memory");
	}
	l->conns[l->n_conns++] = c;
	return c;
}

static struct peer_session_cfg cfg_for(uint32_t local_as, uint32_t id, uint32_t peer_as,
				       unsigned hold)
{
	struct peer_session_cfg cfg = {
		.local_as = local_as,
		.router_id = id,
		.peer_as = peer_as,
		.hold_time = (uint16_t)hold,
		.families = RX_FAM_BIT(RX_FAM_IPV4_UNICAST),
		.max_out_bytes = (size_t)1 << 30,
	};
	return cfg;
}

static bool conn_open(struct conn *c, uint64_t now_ms)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		bench_die("socket: %s", strerror(errno));
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in sa;
	sin_of(&sa, c->local_addr, 0);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		bench_die("bind %s: %s", c->s.name, strerror(errno));
	sin_of(&sa, c->remote_addr, c->remote_port);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		c->retry_at_ms = now_ms + RETRY_MS;
		return false;
	}
	sock_tune(fd);
	peer_session_connected(&c->s, fd, now_ms);
	if (c->s.fd < 0)
		return false;
	epoll_set(c, true);
	return true;
}

static void listen_monitor(struct run *r, struct monitor *m)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in sa;
	sin_of(&sa, m->addr, r->port);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1024) < 0)
		bench_die("listen on monitor %u: %s", m->idx, strerror(errno));
	struct lsock *l = calloc(1, sizeof(*l));
	if (!l)
		bench_die("out of memory");
	*l = (struct lsock){TAG_LISTEN, fd, m};
	m->listen_fd = fd;
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = l};
	epoll_ctl(m->loop->epfd, EPOLL_CTL_ADD, fd, &ev);
}

static void on_accept(struct run *r, struct lsock *l)
{
	for (;;) {
		struct sockaddr_in sa;
		socklen_t sl = sizeof(sa);
		int fd = accept4(l->fd, (struct sockaddr *)&sa, &sl, SOCK_CLOEXEC);
		if (fd < 0)
			return;
		uint32_t from = ntohl(sa.sin_addr.s_addr);
		struct feeder *f = NULL;
		for (unsigned i = 0; i < r->n_feeders && !f; i++)
			if (r->feeders[i].addr == from)
				f = &r->feeders[i];
		if (!f) {
			close(fd);
			continue;
		}
		char name[64];
		snprintf(name, sizeof(name), "m%u<-f%u", l->m->idx, f->idx);
		struct peer_session_cfg cfg = cfg_for(l->m->asn, l->m->addr, f->asn, r->hold_time);
		struct conn *c = conn_new(l->m->loop, &cfg, name);
		c->m = l->m;
		sock_tune(fd);
		peer_session_connected(&c->s, fd, peer_now_ms());
		if (c->s.fd >= 0)
			epoll_set(c, true);
	}
}

/* ---- Feed pump ---- */

static void pump(struct conn *c, uint64_t now_ms)
{
	const struct stream *t = c->tx;
	if (!c->up || !t)
		return;
	while (c->tx_chunk < t->n_cut && peer_session_backlog(&c->s) < BENCH_CHUNK) {
		size_t start = c->tx_chunk ? t->cut[c->tx_chunk - 1] : 0;
		size_t end = t->cut[c->tx_chunk];
		if (!c->tx_first_ns)
			c->tx_first_ns = bench_now_ns();
		c->tx_chunk++;
		if (!peer_session_send(&c->s, t->buf + start, end - start, now_ms))
			return;
	}
	if (c->tx_chunk == t->n_cut && peer_session_backlog(&c->s) == 0) {
		c->tx_last_ns = bench_now_ns();
		c->tx = NULL;
	}
}

/* ---- Loops ---- */

static void loop_init(struct loop *l, struct run *r)
{
	memset(l, 0, sizeof(*l));
	l->r = r;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	l->scratch = malloc(sizeof(*l->scratch));
	l->decode = malloc(PSET_DECODE_MAX * sizeof(*l->decode));
	if (l->epfd < 0 || !l->scratch || !l->decode)
		bench_die("epoll_create1 or out of memory");
	pthread_mutex_init(&l->lock, NULL);
}

static void handle(struct loop *l, struct conn *c, uint32_t ev, uint64_t now_ms)
{
	bool ok = true;
	if (ev & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
		l->now_ns = bench_now_ns();
		ok = peer_session_readable(&c->s, now_ms);
		if (c->m) {
			settle(c->m);
			c->m->rx_busy_ns += bench_now_ns() - l->now_ns;
		}
	}
	if (ok && (ev & EPOLLOUT))
		ok = peer_session_writable(&c->s, now_ms);
	if (ok && c->s.fd >= 0) {
		pump(c, now_ms);
		if (c->s.fd >= 0)
			epoll_set(c, false);
	}
}

static void housekeeping(struct loop *l, uint64_t now_ms)
{
	for (size_t i = 0; i < l->n_conns; i++) {
		struct conn *c = l->conns[i];
		if (c->s.fd >= 0) {
			l->now_ns = bench_now_ns();
			bool up = peer_session_tick(&c->s, now_ms);
			if (c->m) /* the tick may have read what the socket held */
				settle(c->m);
			if (up && c->s.fd >= 0)
				epoll_set(c, false);
		} else if (c->active && !c->admin_down && now_ms >= c->retry_at_ms) {
			conn_open(c, now_ms);
		}
	}
}

/* One round: wait up to 20 ms, handle what is ready, fire timers. */
static void loop_once(struct loop *l, bool lock)
{
	struct epoll_event evs[256];
	int n = epoll_wait(l->epfd, evs, 256, 20);
	if (lock)
		pthread_mutex_lock(&l->lock);
	uint64_t now_ms = peer_now_ms();
	for (int i = 0; i < n; i++) {
		int *tag = evs[i].data.ptr;
		if (*tag == TAG_LISTEN)
			on_accept(l->r, (struct lsock *)tag);
		else
			handle(l, (struct conn *)tag, evs[i].events, now_ms);
	}
	if (now_ms >= l->next_tick) {
		housekeeping(l, now_ms);
		l->next_tick = now_ms + TICK_MS;
	}
	if (lock)
		pthread_mutex_unlock(&l->lock);
}

static void *loop_thread(void *arg)
{
	struct loop *l = arg;
	while (!__atomic_load_n(&l->stop, __ATOMIC_RELAXED))
		loop_once(l, true);
	return NULL;
}

/* ---- Public ---- */

void run_init(struct run *r, unsigned threads)
{
	memset(r, 0, sizeof(*r));
	r->n_loops = threads ? threads : 1;
	r->loops = calloc(r->n_loops, sizeof(*r->loops));
	if (!r->loops)
		bench_die("out of memory");
	for (unsigned i = 0; i < r->n_loops; i++)
		loop_init(&r->loops[i], r);
	r->hold_time = 180;
}

static struct loop *monitor_loop(struct run *r, const struct monitor *m)
{
	return r->n_loops > 1 ? &r->loops[1 + m->idx % (r->n_loops - 1)] : &r->loops[0];
}

static void add_active(struct run *r, struct feeder *f, struct monitor *m, uint32_t remote,
		       uint32_t remote_as)
{
	char name[64];
	struct peer_session_cfg cfg;
	if (f) {
		snprintf(name, sizeof(name), m ? "f%u->m%u" : "f%u", f->idx, m ? m->idx : 0);
		cfg = cfg_for(f->asn, f->addr, remote_as, r->hold_time);
	} else {
		snprintf(name, sizeof(name), "m%u", m->idx);
		cfg = cfg_for(m->asn, m->addr, remote_as, r->hold_time);
	}
	/* Feeders (and what they receive) stay on the main loop. */
	struct conn *c = conn_new(f ? &r->loops[0] : m->loop, &cfg, name);
	c->f = f;
	c->m = f ? (r->track_feeders ? &f->rx : NULL) : m;
	c->local_addr = f ? f->addr : m->addr;
	c->remote_addr = remote;
	c->remote_port = r->port;
	c->active = true;
}

void run_connect_all(struct run *r)
{
	for (unsigned i = 0; i < r->n_mons; i++)
		r->mons[i].loop = monitor_loop(r, &r->mons[i]);
	for (unsigned k = 0; k < r->n_feeders; k++)
		r->feeders[k].rx.loop = &r->loops[0];
	if (r->loopback) {
		for (unsigned i = 0; i < r->n_mons; i++)
			listen_monitor(r, &r->mons[i]);
		for (unsigned k = 0; k < r->n_feeders; k++)
			for (unsigned i = 0; i < r->n_mons; i++)
				add_active(r, &r->feeders[k], &r->mons[i], r->mons[i].addr,
					   r->mons[i].asn);
	} else {
		for (unsigned i = 0; i < r->n_mons; i++)
			add_active(r, NULL, &r->mons[i], r->server_addr, BENCH_SERVER_AS);
		for (unsigned k = 0; k < r->n_feeders; k++)
			add_active(r, &r->feeders[k], NULL, r->server_addr, BENCH_SERVER_AS);
	}
	uint64_t now = peer_now_ms();
	for (unsigned j = 0; j < r->n_loops; j++)
		for (size_t i = 0; i < r->loops[j].n_conns; i++)
			conn_open(r->loops[j].conns[i], now);
	for (unsigned j = 1; j < r->n_loops; j++) {
		r->loops[j].threaded = true;
		if (pthread_create(&r->loops[j].thread, NULL, loop_thread, &r->loops[j]))
			bench_die("pthread_create failed");
	}
}

unsigned run_sessions(const struct run *r)
{
	if (r->loopback)
		return 2 * r->n_feeders * r->n_mons;
	return r->n_feeders + r->n_mons;
}

bool run_until(struct run *r, bool (*done)(struct run *r), uint64_t deadline_ns)
{
	for (;;) {
		if (done(r)) /* reads only what run_load / atomics make safe to poll */
			return true;
		if (bench_now_ns() >= deadline_ns)
			return false;
		loop_once(&r->loops[0], false);
	}
}

/* Feeder sessions all live in loop 0 (the main thread). */
void run_feed(struct run *r, unsigned f, bool withdraw)
{
	struct loop *l = &r->loops[0];
	uint64_t now_ms = peer_now_ms();
	for (size_t i = 0; i < l->n_conns; i++) {
		struct conn *c = l->conns[i];
		if (c->f != &r->feeders[f])
			continue;
		c->tx = withdraw ? &c->f->wd : &c->f->ann;
		c->tx_chunk = 0;
		c->tx_first_ns = c->tx_last_ns = 0;
		pump(c, now_ms);
		if (c->s.fd >= 0)
			epoll_set(c, false);
	}
}

void run_feeder_down(struct run *r, unsigned f)
{
	struct loop *l = &r->loops[0];
	for (size_t i = 0; i < l->n_conns; i++) {
		struct conn *c = l->conns[i];
		if (c->f != &r->feeders[f] || c->s.fd < 0)
			continue;
		c->admin_down = true;
		peer_session_close(&c->s, WIRE_ERR_CEASE, WIRE_CEASE_ADMIN_SHUTDOWN, NULL, 0,
				   "routex-bench: flap");
	}
}

void run_feeder_up(struct run *r, unsigned f)
{
	struct loop *l = &r->loops[0];
	uint64_t now_ms = peer_now_ms();
	for (size_t i = 0; i < l->n_conns; i++) {
		struct conn *c = l->conns[i];
		if (c->f != &r->feeders[f])
			continue;
		c->admin_down = false;
		if (c->s.fd < 0)
			conn_open(c, now_ms);
	}
}

bool run_feeds_written(const struct run *r)
{
	const struct loop *l = &r->loops[0];
	for (size_t i = 0; i < l->n_conns; i++)
		if (l->conns[i]->tx)
			return false;
	return true;
}

uint64_t run_first_tx_ns(const struct run *r)
{
	const struct loop *l = &r->loops[0];
	uint64_t t = 0;
	for (size_t i = 0; i < l->n_conns; i++) {
		uint64_t x = l->conns[i]->tx_first_ns;
		if (x && (!t || x < t))
			t = x;
	}
	return t;
}

uint64_t run_last_tx_ns(const struct run *r)
{
	const struct loop *l = &r->loops[0];
	uint64_t t = 0;
	for (size_t i = 0; i < l->n_conns; i++)
		if (l->conns[i]->tx_last_ns > t)
			t = l->conns[i]->tx_last_ns;
	return t;
}

void run_stop(struct run *r)
{
	for (unsigned j = 1; j < r->n_loops; j++) {
		if (!r->loops[j].threaded)
			continue;
		__atomic_store_n(&r->loops[j].stop, 1, __ATOMIC_RELAXED);
		pthread_join(r->loops[j].thread, NULL);
		r->loops[j].threaded = false;
	}
}

void run_fini(struct run *r)
{
	run_stop(r);
	for (unsigned j = 0; j < r->n_loops; j++) {
		struct loop *l = &r->loops[j];
		for (size_t i = 0; i < l->n_conns; i++) {
			peer_session_fini(&l->conns[i]->s);
			free(l->conns[i]);
		}
		free(l->conns);
		free(l->scratch);
		free(l->decode);
		close(l->epfd);
		pthread_mutex_destroy(&l->lock);
	}
	free(r->loops);
}
