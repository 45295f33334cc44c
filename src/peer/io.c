/* io.c: the I/O thread loop: epoll over listeners, session sockets, connects in progress
 * and the command queue; timers from the sessions' deadlines.
 *
 * Design: a loop owns its peers outright (T:io), so no session state is ever locked. Other
 * threads reach a peer only by pushing a command (struct io_cmd) to its loop's queue. The
 * first loop also accepts connections and hands each socket to the loop of the peer it
 * belongs to, so every session lives on exactly one thread from its first byte.
 *
 * Connection collisions (RFC 4271 6.8) are settled early and simply: an incoming connection
 * replaces one of ours that has not reached OpenConfirm, and is refused with Cease/7 when a
 * session is already in OpenConfirm or Established. routex peers are passive by default,
 * which avoids collisions altogether. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <routex/compiler.h>
#include <routex/io.h>
#include <routex/peer.h>
#include <routex/wire.h>

#include "net.h"

enum io_cmd_kind {
	IO_CMD_ADD,
	IO_CMD_ACCEPTED,
	IO_CMD_SEND,
	IO_CMD_CLOSE,
	IO_CMD_RECONFIG,
	IO_CMD_DISABLE,
	IO_CMD_REFRESH,
	IO_CMD_STOP,
};

struct io_cmd {
	struct mpsc_node node;
	enum io_cmd_kind kind;
	struct io_peer *peer;
	int fd;
	struct io_out *out;
	uint8_t code, subcode;
	uint8_t data_len;
	uint8_t data[IO_CLOSE_DATA_MAX];
	unsigned hold_down_s;
	struct io_peer_settings *settings; /* RECONFIG */
};

/* epoll tags: the low two bits of data.u64 say what the rest points to. */
enum { TAG_CMDQ = 0, TAG_LISTEN = 1, TAG_SESSION = 2, TAG_CONNECT = 3 };
#define TAG(p, t) ((uint64_t)(uintptr_t)(p) | (t))

static void io_log(struct io_loop *l, const char *fmt, ...) RX_PRINTF(2, 3);
static void io_log(struct io_loop *l, const char *fmt, ...)
{
	if (!l->log)
		return;
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	l->log(l->ev_ctx, buf);
}

static void sa_fmt(const struct sockaddr *sa, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		port = ntohs(s4->sin_port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		port = ntohs(s6->sin6_port);
	}
	snprintf(buf, size, "%s port %u", a, port);
}

static void push_cmd(struct io_loop *l, struct io_cmd *c)
{
	mpsc_push(&l->cmdq, &c->node);
}

static struct io_cmd *cmd_new(enum io_cmd_kind kind, struct io_peer *p)
{
	struct io_cmd *c = calloc(1, sizeof(*c));
	RX_ASSERT(c);
	c->kind = kind;
	c->peer = p;
	c->fd = -1;
	return c;
}

/* ---- shared output buffers ---- */

struct io_out *io_out_new(size_t len)
{
	struct io_out *o = malloc(sizeof(*o) + len);
	RX_ASSERT(o);
	o->refs = 1;
	o->len = len;
	return o;
}

void io_out_ref(struct io_out *o)
{
	__atomic_fetch_add(&o->refs, 1, __ATOMIC_RELAXED); /* the caller already holds one */
}

void io_out_unref(struct io_out *o)
{
	if (__atomic_sub_fetch(&o->refs, 1, __ATOMIC_ACQ_REL) == 0)
		free(o);
}

static void out_unref_cb(void *ref)
{
	io_out_unref(ref);
}

/* ---- session events, seen first by the loop ---- */

static struct io_peer *peer_of(struct peer_session *s)
{
	return caa_container_of(s, struct io_peer, s);
}

static void on_established(void *ctx, struct peer_session *s)
{
	struct io_peer *p = peer_of(s);
	p->backoff_s = 0;
	if (p->loop->ev->established)
		p->loop->ev->established(p->loop->ev_ctx, s);
}

static void on_update(void *ctx, struct peer_session *s, const struct wire_update *u)
{
	struct io_peer *p = peer_of(s);
	if (p->loop->ev->update)
		p->loop->ev->update(p->loop->ev_ctx, s, u);
}

static void on_refresh(void *ctx, struct peer_session *s, const struct wire_route_refresh *rr)
{
	struct io_peer *p = peer_of(s);
	if (p->loop->ev->route_refresh)
		p->loop->ev->route_refresh(p->loop->ev_ctx, s, rr);
}

static void schedule_retry(struct io_peer *p, uint64_t now)
{
	/* Repeated failures back off exponentially (RFC 4271 8: IdleHoldTimer). */
	p->backoff_s = p->backoff_s ? p->backoff_s * 2 : IO_BACKOFF_MIN_S;
	if (p->backoff_s > IO_BACKOFF_MAX_S)
		p->backoff_s = IO_BACKOFF_MAX_S;
	p->retry_at = now + (uint64_t)p->backoff_s * 1000;
}

static void on_down(void *ctx, struct peer_session *s, const char *reason)
{
	struct io_peer *p = peer_of(s);
	p->events = 0; /* close() dropped the fd from epoll */
	p->registered = false;
	if (p->paused) {
		p->paused = false;
		p->loop->n_paused--;
	}
	schedule_retry(p, peer_now_ms());
	if (p->loop->ev->down)
		p->loop->ev->down(p->loop->ev_ctx, s, reason);
}

static void on_log(void *ctx, struct peer_session *s, const char *msg)
{
	struct io_peer *p = peer_of(s);
	if (p->loop->ev->log)
		p->loop->ev->log(p->loop->ev_ctx, s, msg);
}

static void on_received(void *ctx, struct peer_session *s, uint8_t type)
{
	struct io_peer *p = peer_of(s);
	if (p->loop->ev->received)
		p->loop->ev->received(p->loop->ev_ctx, s, type);
}

static const struct peer_events loop_events = {on_established, on_update, on_refresh, on_down,
					       on_log,	       on_received};

/* ---- peers ---- */

void io_peer_init(struct io_peer *p, const struct peer_session_cfg *cfg, const char *name,
		  const struct sockaddr *remote, socklen_t remote_len, void *owner)
{
	memset(p, 0, sizeof(*p));
	peer_session_init(&p->s, cfg, name, &loop_events, NULL, NULL);
	memcpy(&p->remote, remote, remote_len);
	p->remote_len = remote_len;
	p->passive = cfg->passive;
	p->connecting_fd = -1;
	p->owner = owner;
}

static void set_events(struct io_peer *p)
{
	if (p->s.fd < 0)
		return;
	uint32_t want = (p->paused ? 0 : EPOLLIN) | (peer_session_backlog(&p->s) ? EPOLLOUT : 0);
	if (p->registered && want == p->events)
		return;
	struct epoll_event e = {.events = want, .data.u64 = TAG(p, TAG_SESSION)};
	int op = p->registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
	if (epoll_ctl(p->loop->epfd, op, p->s.fd, &e) == 0) {
		p->events = want;
		p->registered = true;
	}
}

static bool backlog_over(struct io_loop *l, size_t mark)
{
	return l->backlog && l->backlog(l->ev_ctx) >= mark;
}

/* The backlog went down: paused sessions read again (their data waited in the socket). */
static void resume_reading(struct io_loop *l)
{
	if (!l->n_paused || backlog_over(l, IO_BACKLOG_RESUME))
		return;
	for (size_t i = 0; i < l->n_peers; i++) {
		struct io_peer *p = l->peers[i];
		if (p->paused) {
			p->paused = false;
			set_events(p);
		}
	}
	l->n_paused = 0;
}

static void drop_connect(struct io_peer *p)
{
	if (p->connecting_fd >= 0)
		close(p->connecting_fd);
	p->connecting_fd = -1;
}

/* A TCP connection (either direction) becomes the peer's session. */
static void start_session(struct io_peer *p, int fd, uint64_t now)
{
	if (p->ttl_security)
		net_gtsm(fd, p->remote.ss_family);
	p->events = 0;
	p->registered = false;
	peer_session_connected(&p->s, fd, now);
	set_events(p);
}

static void try_connect(struct io_peer *p, uint64_t now)
{
	const struct sockaddr *local = p->local.ss_family ? (const struct sockaddr *)&p->local : NULL;
	socklen_t llen = p->local.ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
							: sizeof(struct sockaddr_in);
	int fd = net_connect((const struct sockaddr *)&p->remote, p->remote_len, local, llen,
			     p->password, p->ttl_security);
	if (fd < 0) {
		io_log(p->loop, "peer %s: connect: %s", p->s.name, strerror(errno));
		schedule_retry(p, now);
		return;
	}
	struct epoll_event e = {.events = EPOLLOUT, .data.u64 = TAG(p, TAG_CONNECT)};
	epoll_ctl(p->loop->epfd, EPOLL_CTL_ADD, fd, &e);
	p->connecting_fd = fd;
	p->s.state = FSM_CONNECT;
	p->retry_at = now + (uint64_t)(p->s.cfg.connect_retry ? p->s.cfg.connect_retry : 30) * 1000;
}

static void connect_done(struct io_peer *p, uint64_t now)
{
	int fd = p->connecting_fd, err = net_connect_result(fd);
	epoll_ctl(p->loop->epfd, EPOLL_CTL_DEL, fd, NULL);
	p->connecting_fd = -1;
	if (err) {
		io_log(p->loop, "peer %s: connect: %s", p->s.name, strerror(err));
		close(fd);
		p->s.state = FSM_ACTIVE;
		schedule_retry(p, now);
		return;
	}
	start_session(p, fd, now);
}

static void set_md5_on_listeners(struct io_loop *l, struct io_peer *p)
{
	for (unsigned i = 0; i < l->n_loops; i++)
		for (unsigned j = 0; j < l->loops[i]->n_listen; j++)
			if (net_md5(l->loops[i]->listen_fd[j], (struct sockaddr *)&p->remote, p->remote_len,
				    p->password) < 0)
				io_log(l, "peer %s: TCP-MD5 on listener: %s", p->s.name, strerror(errno));
}

static void adopt(struct io_loop *l, struct io_peer *p)
{
	if (l->n_peers == l->cap_peers) {
		l->cap_peers = l->cap_peers ? 2 * l->cap_peers : 16;
		l->peers = realloc(l->peers, l->cap_peers * sizeof(*l->peers));
		RX_ASSERT(l->peers);
	}
	RX_ASSERT(p->loop == l); /* set by io_loop_add_peer, read by every thread */
	p->index = l->n_peers;
	l->peers[l->n_peers++] = p;
	p->s.scratch = l->scratch;
	p->s.state = p->passive ? FSM_ACTIVE : FSM_IDLE;
	if (p->password[0]) /* listeners must know the key before the peer's SYN arrives */
		set_md5_on_listeners(l, p);
}

static void reject(int fd, uint8_t subcode)
{
	uint8_t buf[64];
	size_t n = wire_notification_encode(buf, sizeof(buf), WIRE_ERR_CEASE, subcode, NULL, 0);
	if (write(fd, buf, n) < 0) { /* best effort */
	}
	close(fd);
}

static void accepted(struct io_peer *p, int fd, uint64_t now)
{
	if (p->admin_down || now < p->hold_down_until) {
		io_log(p->loop, "peer %s: connection refused while held down", p->s.name);
		return reject(fd, WIRE_CEASE_CONN_REJECTED);
	}
	if (p->s.fd >= 0 && p->s.state >= FSM_OPENCONFIRM) { /* RFC 4271 6.8 */
		io_log(p->loop, "peer %s: connection collision, keeping the %s session", p->s.name,
		       fsm_state_name(p->s.state));
		return reject(fd, WIRE_CEASE_COLLISION);
	}
	drop_connect(p);
	if (p->s.fd >= 0)
		peer_session_close(&p->s, WIRE_ERR_CEASE, WIRE_CEASE_COLLISION, NULL, 0,
				   "connection collision: the peer's connection wins");
	start_session(p, fd, now);
}

static void do_accept(struct io_loop *l, int lfd)
{
	for (;;) {
		struct sockaddr_storage ss;
		socklen_t len;
		int fd = net_accept(lfd, &ss, &len);
		if (fd < 0)
			return;
		struct io_peer *p = l->find_peer ? l->find_peer(l->ev_ctx, (struct sockaddr *)&ss)
						 : NULL;
		/* The daemon hands each peer to its loop before find_peer can return it (before
		 * the loops start, or before a reloaded peer is published), so owner is set and
		 * the ADD is queued ahead of this ACCEPTED; a peer without a loop (an embedder
		 * that orders things otherwise) is refused, and retries. */
		struct io_loop *owner = p ? __atomic_load_n(&p->loop, __ATOMIC_ACQUIRE) : NULL;
		if (p && !owner) {
			reject(fd, WIRE_CEASE_CONN_REJECTED);
			continue;
		}
		if (!p) {
			char a[80];
			sa_fmt((struct sockaddr *)&ss, a, sizeof(a));
			io_log(l, "connection from unconfigured address %s refused", a);
			reject(fd, WIRE_CEASE_CONN_REJECTED);
			continue;
		}
		struct io_cmd *c = cmd_new(IO_CMD_ACCEPTED, p);
		c->fd = fd;
		push_cmd(owner, c);
	}
}

/* Asks the peer for its routes again (RFC 2918, one ROUTE-REFRESH per family), or, when it
 * cannot do that, resets the session so that it sends them on reconnecting. */
static void request_refresh(struct io_peer *p, uint64_t now)
{
	struct peer_session *s = &p->s;
	if (s->fd < 0 || s->state != FSM_ESTABLISHED)
		return; /* a new session sends everything anyway */
	if (!s->neg.route_refresh) {
		peer_session_close(s, WIRE_ERR_CEASE, WIRE_CEASE_OTHER_CONFIG_CHANGE, NULL, 0,
				   "import policy changed and the peer cannot refresh");
		return;
	}
	for (int fam = 0; fam < RX_FAM_COUNT; fam++) {
		uint16_t afi;
		uint8_t safi;
		if (!(s->neg.families & RX_FAM_BIT(fam)))
			continue;
		wire_family_afi_safi((enum rx_family)fam, &afi, &safi);
		uint8_t msg[32];
		size_t n = wire_route_refresh_encode(msg, sizeof(msg), afi, safi, WIRE_RR_NORMAL);
		if (n && !peer_session_send(s, msg, n, now))
			return;
	}
	set_events(p);
}

static void reconfigure(struct io_loop *l, struct io_peer *p, const struct io_peer_settings *st,
			uint64_t now)
{
	drop_connect(p);
	if (p->s.fd >= 0)
		peer_session_close(&p->s, WIRE_ERR_CEASE, WIRE_CEASE_OTHER_CONFIG_CHANGE, NULL, 0,
				   "configuration changed");
	bool had_md5 = p->password[0];
	p->s.cfg = st->cfg;
	memcpy(&p->remote, &st->remote, sizeof(p->remote));
	p->remote_len = st->remote_len;
	memcpy(&p->local, &st->local, sizeof(p->local));
	memcpy(p->password, st->password, sizeof(p->password));
	p->ttl_security = st->ttl_security;
	p->passive = st->cfg.passive;
	p->admin_down = !st->enabled;
	p->s.state = p->passive ? FSM_ACTIVE : FSM_IDLE;
	p->backoff_s = 0;
	p->retry_at = now;
	if (had_md5 || p->password[0]) /* install, change or remove the key */
		set_md5_on_listeners(l, p);
}

static void run_cmd(struct io_loop *l, struct io_cmd *c, uint64_t now)
{
	struct io_peer *p = c->peer;
	switch (c->kind) {
	case IO_CMD_ADD:
		adopt(l, p);
		break;
	case IO_CMD_ACCEPTED:
		accepted(p, c->fd, now);
		break;
	case IO_CMD_SEND:
		__atomic_fetch_sub(&p->cmd_bytes, c->out->len, __ATOMIC_RELAXED); /* a gauge */
		if (p->s.fd >= 0 && p->s.state == FSM_ESTABLISHED)
			/* The session queues the shared bytes themselves and drops the command's
			 * reference once they are written. */
			peer_session_send_shared(&p->s, c->out->data, c->out->len, c->out,
						 out_unref_cb, now);
		else
			io_out_unref(c->out);
		set_events(p);
		break;
	case IO_CMD_CLOSE:
		p->hold_down_until = now + (uint64_t)c->hold_down_s * 1000;
		drop_connect(p);
		if (p->s.fd >= 0)
			peer_session_close(&p->s, c->code, c->subcode, c->data, c->data_len,
					   "closed by routexd");
		if (c->hold_down_s)
			p->retry_at = p->hold_down_until;
		break;
	case IO_CMD_RECONFIG:
		reconfigure(l, p, c->settings, now);
		free(c->settings);
		break;
	case IO_CMD_DISABLE:
		p->admin_down = true;
		drop_connect(p);
		if (p->s.fd >= 0)
			peer_session_close(&p->s, WIRE_ERR_CEASE, WIRE_CEASE_PEER_DECONFIGURED, NULL, 0,
					   "peer removed from the configuration");
		break;
	case IO_CMD_REFRESH:
		request_refresh(p, now);
		break;
	case IO_CMD_STOP:
		__atomic_store_n(&l->stop, 1, __ATOMIC_RELAXED);
		break;
	}
	free(c);
}

static void run_cmds(struct io_loop *l, uint64_t now)
{
	struct mpsc_batch b;
	if (!mpsc_take(&l->cmdq, &b))
		return;
	for (struct mpsc_node *n; (n = mpsc_batch_next(&b));)
		run_cmd(l, caa_container_of(n, struct io_cmd, node), now);
}

/* ---- the loop ---- */

static void on_event(struct io_loop *l, const struct epoll_event *e, uint64_t now)
{
	uint64_t tag = e->data.u64 & 3;
	void *ptr = (void *)(uintptr_t)(e->data.u64 & ~(uint64_t)3);
	struct io_peer *p = ptr;
	switch (tag) {
	case TAG_CMDQ:
		run_cmds(l, now);
		break;
	case TAG_LISTEN:
		do_accept(l, l->listen_fd[e->data.u64 >> 2]);
		break;
	case TAG_CONNECT:
		connect_done(p, now);
		break;
	case TAG_SESSION:
		if ((e->events & EPOLLIN) && !(e->events & (EPOLLERR | EPOLLHUP)) && !p->paused &&
		    backlog_over(l, IO_BACKLOG_PAUSE)) {
			p->paused = true; /* set_events below stops EPOLLIN until resume_reading */
			l->n_paused++;
		} else if ((e->events & (EPOLLIN | EPOLLERR | EPOLLHUP)) &&
			   !peer_session_readable(&p->s, now)) {
			break;
		}
		if (e->events & EPOLLOUT)
			peer_session_writable(&p->s, now);
		set_events(p);
		break;
	}
}

static void tick_peer(struct io_peer *p, uint64_t now)
{
	if (p->s.fd >= 0) {
		peer_session_tick(&p->s, now);
		set_events(p);
		return;
	}
	if (p->connecting_fd >= 0 && now >= p->retry_at) { /* connect timed out */
		drop_connect(p);
		schedule_retry(p, now);
		return;
	}
	if (!p->passive && !p->admin_down && p->connecting_fd < 0 && now >= p->retry_at &&
	    now >= p->hold_down_until)
		try_connect(p, now);
}

static int next_timeout(struct io_loop *l, uint64_t now)
{
	uint64_t best = now + (l->n_paused ? 1 : 1000); /* paused: poll the backlog each ms */
	for (size_t i = 0; i < l->n_peers; i++) {
		struct io_peer *p = l->peers[i];
		uint64_t d = p->s.fd >= 0 ? peer_session_next_deadline(&p->s) : p->retry_at;
		if (d && d < best)
			best = d;
	}
	return best > now ? (int)(best - now) : 0;
}

static void *loop_main(void *arg)
{
	struct io_loop *l = arg;
	struct epoll_event evs[64];
	while (!__atomic_load_n(&l->stop, __ATOMIC_RELAXED)) {
		uint64_t now = peer_now_ms();
		int n = epoll_wait(l->epfd, evs, RX_ARRAY_LEN(evs), next_timeout(l, now));
		now = peer_now_ms();
		for (int i = 0; i < n; i++)
			on_event(l, &evs[i], now);
		resume_reading(l);
		for (size_t i = 0; i < l->n_peers; i++)
			tick_peer(l->peers[i], now);
		if (l->iter_end)
			l->iter_end(l->ev_ctx, l);
	}
	if (l->iter_end) /* what the last iteration produced */
		l->iter_end(l->ev_ctx, l);
	return NULL;
}

bool io_loop_init(struct io_loop *l, const struct peer_events *ev, void *ev_ctx)
{
	memset(l, 0, sizeof(*l));
	l->ev = ev;
	l->ev_ctx = ev_ctx;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	l->scratch = malloc(sizeof(*l->scratch));
	if (l->epfd < 0 || !l->scratch || !mpsc_init(&l->cmdq))
		return false;
	struct epoll_event e = {.events = EPOLLIN, .data.u64 = TAG_CMDQ};
	return epoll_ctl(l->epfd, EPOLL_CTL_ADD, mpsc_fd(&l->cmdq), &e) == 0;
}

bool io_loop_listen(struct io_loop *l, const struct sockaddr *sa, socklen_t len)
{
	char a[80];
	sa_fmt(sa, a, sizeof(a));
	if (l->n_listen == IO_MAX_LISTEN) {
		io_log(l, "listen %s: too many listeners", a);
		return false;
	}
	int fd = net_listen(sa, len);
	if (fd < 0) {
		io_log(l, "listen %s: %s", a, strerror(errno));
		return false;
	}
	struct epoll_event e = {.events = EPOLLIN, .data.u64 = ((uint64_t)l->n_listen << 2) | TAG_LISTEN};
	epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &e);
	l->listen_fd[l->n_listen++] = fd;
	return true;
}

bool io_loop_start(struct io_loop *l)
{
	l->running = pthread_create(&l->thread, NULL, loop_main, l) == 0;
	if (l->running) { /* named for top -H, perf and perf/threads.sh */
		static int n;
		char name[16];
		snprintf(name, sizeof(name), "rx-io%d", __atomic_fetch_add(&n, 1, __ATOMIC_RELAXED));
		pthread_setname_np(l->thread, name);
	}
	return l->running;
}

void io_loop_stop(struct io_loop *l)
{
	if (!l->running)
		return;
	push_cmd(l, cmd_new(IO_CMD_STOP, NULL));
	pthread_join(l->thread, NULL);
	l->running = false;
}

void io_loop_fini(struct io_loop *l)
{
	struct mpsc_batch b;
	if (mpsc_take(&l->cmdq, &b)) /* commands that arrived after the stop */
		for (struct mpsc_node *n; (n = mpsc_batch_next(&b));) {
			struct io_cmd *c = caa_container_of(n, struct io_cmd, node);
			if (c->out)
				io_out_unref(c->out);
			free(c->settings);
			if (c->fd >= 0)
				close(c->fd);
			free(c);
		}
	for (size_t i = 0; i < l->n_peers; i++) {
		drop_connect(l->peers[i]);
		peer_session_fini(&l->peers[i]->s);
	}
	for (unsigned i = 0; i < l->n_listen; i++)
		close(l->listen_fd[i]);
	mpsc_fini(&l->cmdq);
	if (l->epfd >= 0)
		close(l->epfd);
	free(l->peers);
	free(l->scratch);
}

void io_loop_add_peer(struct io_loop *l, struct io_peer *p)
{
	/* Release: another loop's accept may read it (do_accept) before this loop runs the ADD. */
	__atomic_store_n(&p->loop, l, __ATOMIC_RELEASE);
	push_cmd(l, cmd_new(IO_CMD_ADD, p));
}

void io_close_peer(struct io_peer *p, uint8_t code, uint8_t subcode, const uint8_t *data,
		   size_t data_len, unsigned hold_down_s)
{
	struct io_cmd *c = cmd_new(IO_CMD_CLOSE, p);
	c->code = code;
	c->subcode = subcode;
	c->data_len = (uint8_t)(data_len < IO_CLOSE_DATA_MAX ? data_len : IO_CLOSE_DATA_MAX);
	if (c->data_len)
		memcpy(c->data, data, c->data_len);
	c->hold_down_s = hold_down_s;
	push_cmd(p->loop, c);
}

void io_reconfigure_peer(struct io_peer *p, const struct io_peer_settings *st)
{
	struct io_cmd *c = cmd_new(IO_CMD_RECONFIG, p);
	c->settings = malloc(sizeof(*st));
	RX_ASSERT(c->settings);
	*c->settings = *st;
	push_cmd(p->loop, c);
}

void io_disable_peer(struct io_peer *p)
{
	push_cmd(p->loop, cmd_new(IO_CMD_DISABLE, p));
}

void io_refresh_peer(struct io_peer *p)
{
	push_cmd(p->loop, cmd_new(IO_CMD_REFRESH, p));
}

void io_send(struct io_peer *p, struct io_out *o)
{
	struct io_cmd *c = cmd_new(IO_CMD_SEND, p);
	io_out_ref(o);
	c->out = o;
	__atomic_fetch_add(&p->cmd_bytes, o->len, __ATOMIC_RELAXED); /* a gauge: no ordering */
	push_cmd(p->loop, c);
}

size_t io_peer_queued_bytes(const struct io_peer *p)
{
	return __atomic_load_n(&p->cmd_bytes, __ATOMIC_RELAXED) +
	       __atomic_load_n(&p->s.backlog_pub, __ATOMIC_RELAXED);
}
