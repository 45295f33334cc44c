/* bmp.c: the BMP runtime: collectors, their bounded queues, and the BMP thread that
 * connects to them and writes.
 *
 * Design (docs/bmp.md has the why at length):
 *   - One producer: the decision thread queues every message (Peer Up/Down, pre-policy
 *     Route Monitoring handed over by the I/O threads, Loc-RIB, table dumps), so a
 *     collector sees the events in the order the RIB applied them, and a table dump taken
 *     there is a consistent cut of the stream.
 *   - One consumer: the BMP thread owns the sockets (non-blocking), reconnects with backoff
 *     and writes what is queued. It never blocks BGP: a queue is bounded (BMP_QUEUE_MAX);
 *     a message that does not fit is dropped and counted, the producer stops queueing to
 *     that collector, and the session is reset so that a full state dump resyncs it.
 *   - Sessions have a generation. After a (re)connect the BMP thread sends Initiation,
 *     discards whatever is queued until the decision thread's SYNC marker of the new
 *     generation, and from the marker on streams: Peer Ups, the dump, then live changes.
 *
 * Thread ownership: fields are tagged in bmp-int.h: W decision thread, T:bmp the BMP
 * thread, A atomics. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <routex/compiler.h>
#include <routex/log.h>

#include "bmp-int.h"

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- Producer side (decision thread) ---- */

static void push_ent(struct bmp_collector *c, uint8_t kind, uint32_t gen, struct bmp_msg *m)
{
	struct bmp_qent *e = calloc(1, sizeof(*e));
	RX_ASSERT(e);
	e->kind = kind;
	e->gen = gen;
	e->m = m;
	mpsc_push(&c->q, &e->node);
}

void bmp_marker_w(struct bmp_collector *c, uint8_t kind, uint32_t gen)
{
	push_ent(c, kind, gen, NULL);
}

void bmp_enqueue_w(struct bmp_collector *c, struct bmp_msg *m)
{
	if (!c->live_w)
		return;
	size_t q = __atomic_load_n(&c->queued, __ATOMIC_RELAXED);
	if (q + m->len > BMP_QUEUE_MAX) {
		/* Too slow: stop queueing and have the BMP thread reset the session; the next
		 * one starts with a full dump, so nothing is silently lost. */
		__atomic_fetch_add(&c->dropped, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&c->b->tot->dropped, 1, __ATOMIC_RELAXED);
		c->live_w = false;
		c->dumping_w = false;
		__atomic_store_n(&c->overflow, 1, __ATOMIC_RELEASE);
		bmp_marker_w(c, BMP_Q_OVERFLOW, c->gen_w); /* rings the BMP thread */
		return;
	}
	__atomic_fetch_add(&c->queued, m->len, __ATOMIC_RELAXED);
	bmp_msg_ref(m);
	push_ent(c, BMP_Q_MSG, c->gen_w, m);
}

bool bmp_prepolicy(const struct bmp *b)
{
	return b && __atomic_load_n(&b->prepolicy, __ATOMIC_RELAXED);
}

static struct bmp_src *src_w(struct bmp *b, uint16_t src)
{
	if (src >= b->nsrc) {
		size_t n = b->nsrc ? b->nsrc : 16;
		while (n <= src)
			n *= 2;
		struct bmp_src *v = realloc(b->src, n * sizeof(*v));
		RX_ASSERT(v);
		memset(v + b->nsrc, 0, (n - b->nsrc) * sizeof(*v));
		b->src = v;
		b->nsrc = n;
	}
	return &b->src[src];
}

void bmp_peer_up_w(struct bmp *b, uint16_t src, const struct bmp_peer_hdr *h, uint8_t families,
		   struct bmp_msg *up)
{
	struct bmp_src *s = src_w(b, src);
	bmp_msg_unref(s->up);
	s->up = up;
	s->hdr = *h;
	s->families = families;
	for (size_t i = 0; i < b->n; i++)
		bmp_enqueue_w(&b->c[i], up);
}

void bmp_peer_down_w(struct bmp *b, uint16_t src, struct bmp_msg *down)
{
	if (src < b->nsrc && b->src[src].up) {
		for (size_t i = 0; i < b->n; i++)
			bmp_enqueue_w(&b->c[i], down);
		bmp_msg_unref(b->src[src].up);
		b->src[src].up = NULL;
	}
	bmp_msg_unref(down);
}

void bmp_route_w(struct bmp *b, uint16_t src, struct bmp_msg *rm)
{
	/* Only between the peer's Peer Up and Peer Down (RFC 7854 4.6 needs the OPENs to
	 * parse the UPDATE). */
	if (src < b->nsrc && b->src[src].up)
		for (size_t i = 0; i < b->n; i++)
			if (b->c[i].conf.monitor & BMP_MON_PRE_POLICY)
				bmp_enqueue_w(&b->c[i], rm);
	bmp_msg_unref(rm);
}

/* ---- Requests from the BMP thread, run on the decision thread ---- */

static void run_req(void *arg)
{
	struct bmp_req *r = arg;
	struct bmp *b = r->b;
	/* A request for a collector set that a reload has replaced, or for an older session
	 * of the collector, is stale: the newer one has sent (or will send) its own. */
	if (r->epoch == b->epoch && r->idx < b->n) {
		struct bmp_collector *c = &b->c[r->idx];
		uint32_t gen = __atomic_load_n(&c->gen, __ATOMIC_ACQUIRE);
		if (r->gen == gen) {
			switch (r->kind) {
			case BMP_REQ_SYNC:
				c->gen_w = gen;
				bmp_sync_w(b, c);
				break;
			case BMP_REQ_DOWN:
				c->live_w = c->dumping_w = false;
				break;
			case BMP_REQ_DUMP:
				if (c->live_w && c->gen_w == gen && c->dumping_w)
					bmp_dump_step_w(b, c);
				break;
			}
		}
	}
	free(r);
}

void bmp_request_free(void *arg)
{
	free(arg);
}

static void request(struct bmp *b, uint32_t epoch, size_t idx, uint32_t gen, uint8_t kind)
{
	struct bmp_req *r = malloc(sizeof(*r));
	RX_ASSERT(r);
	*r = (struct bmp_req){.b = b, .epoch = epoch, .idx = idx, .gen = gen, .kind = kind};
	b->p.defer(b->p.defer_ctx, run_req, r);
}

/* ---- The BMP thread ---- */

struct thread_arg {
	struct bmp *b;
	uint32_t epoch; /* of the collector set this thread serves */
};

static void free_ent(struct bmp_collector *c, struct bmp_qent *e)
{
	if (e->m) {
		__atomic_fetch_sub(&c->queued, e->m->len, __ATOMIC_RELAXED);
		bmp_msg_unref(e->m);
	}
	free(e);
}

/* An entry written or abandoned: our own (Initiation) or a queued one. */
static void release(struct bmp_collector *c, struct bmp_qent *e)
{
	if (e->kind != BMP_Q_MSG) {
		bmp_msg_unref(e->m);
		free(e);
	} else {
		free_ent(c, e);
	}
}

static void release_pending(struct bmp_collector *c)
{
	for (unsigned i = 0; i < c->npend; i++)
		release(c, c->pend[i]);
	c->npend = 0;
	c->pend_off = 0;
}

static void close_conn(struct bmp *b, uint32_t epoch, size_t idx, const char *why)
{
	struct bmp_collector *c = &b->c[idx];
	if (c->fd >= 0) {
		close(c->fd);
		rx_log(RX_LOG_WARN, "bmp %s: session closed: %s", c->name, why);
		if (c->state == BMP_C_UP) {
			request(b, epoch, idx, c->gen_t, BMP_REQ_DOWN);
			__atomic_fetch_sub(&b->tot->up, 1, __ATOMIC_RELAXED);
		}
	}
	c->fd = -1;
	c->state = BMP_C_IDLE;
	c->skipping = true;
	release_pending(c);
	c->retry_at = now_ms() + (uint64_t)c->backoff_s * 1000;
	c->backoff_s = c->backoff_s * 2 > BMP_BACKOFF_MAX_S ? BMP_BACKOFF_MAX_S : c->backoff_s * 2;
}

static void start_connect(struct bmp_collector *c)
{
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	socklen_t len;
	if (c->conf.afi == RX_AFI_IPV4) {
		struct sockaddr_in *s = (struct sockaddr_in *)&ss;
		s->sin_family = AF_INET;
		s->sin_port = htons(c->conf.port);
		memcpy(&s->sin_addr, c->conf.addr, 4);
		len = sizeof(*s);
	} else {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)&ss;
		s->sin6_family = AF_INET6;
		s->sin6_port = htons(c->conf.port);
		memcpy(&s->sin6_addr, c->conf.addr, 16);
		len = sizeof(*s);
	}
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		c->retry_at = now_ms() + (uint64_t)c->backoff_s * 1000;
		return;
	}
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->fd = fd;
	c->state = BMP_C_CONNECTING;
	if (connect(fd, (struct sockaddr *)&ss, len) == 0 || errno == EINPROGRESS)
		return;
	close(fd);
	c->fd = -1;
	c->state = BMP_C_IDLE;
	c->retry_at = now_ms() + (uint64_t)c->backoff_s * 1000;
	c->backoff_s = c->backoff_s * 2 > BMP_BACKOFF_MAX_S ? BMP_BACKOFF_MAX_S : c->backoff_s * 2;
}

/* The connection is up: Initiation first (RFC 7854 4.3), then ask for the state. */
static void connected(struct bmp *b, uint32_t epoch, size_t idx)
{
	struct bmp_collector *c = &b->c[idx];
	uint8_t buf[1024];
	size_t n = bmp_initiation_encode(buf, sizeof(buf), b->sys_name, b->sys_descr);
	RX_ASSERT(n);
	struct bmp_qent *e = calloc(1, sizeof(*e));
	RX_ASSERT(e);
	e->kind = BMP_Q_SYNC; /* marks it as ours: not counted in queued */
	e->m = bmp_msg_new(buf, n);
	RX_ASSERT(e->m);
	release_pending(c);
	c->pend[0] = e;
	c->npend = 1;
	c->state = BMP_C_UP;
	c->skipping = true;
	c->gen_t++;
	c->backoff_s = BMP_BACKOFF_MIN_S;
	__atomic_store_n(&c->gen, c->gen_t, __ATOMIC_RELEASE);
	__atomic_fetch_add(&c->connects, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&b->tot->connects, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&b->tot->up, 1, __ATOMIC_RELAXED);
	rx_log(RX_LOG_INFO, "bmp %s: connected", c->name);
	request(b, epoch, idx, c->gen_t, BMP_REQ_SYNC);
}

/* Next entry to write, or NULL when the queue is empty. Handles markers. Returns false
 * when the session must be reset (overflow). */
static bool next_ent(struct bmp_collector *c, struct bmp_qent **out)
{
	*out = NULL;
	for (;;) {
		struct mpsc_node *n = c->have_batch ? mpsc_batch_next(&c->batch) : NULL;
		if (!n) {
			c->have_batch = mpsc_take(&c->q, &c->batch);
			if (!c->have_batch)
				return true;
			continue;
		}
		struct bmp_qent *e = caa_container_of(n, struct bmp_qent, node);
		if (e->kind == BMP_Q_SYNC) {
			if (e->gen == c->gen_t)
				c->skipping = false;
			free_ent(c, e);
			continue;
		}
		if (e->kind == BMP_Q_OVERFLOW) {
			bool ours = e->gen == c->gen_t && c->state == BMP_C_UP;
			free_ent(c, e);
			if (ours)
				return false;
			continue;
		}
		if (c->skipping || c->state != BMP_C_UP) {
			free_ent(c, e);
			continue;
		}
		*out = e;
		return true;
	}
}

/* Writes what it can. Returns false on a socket error or an overflow. */
static bool pump(struct bmp_collector *c, const char **why)
{
	for (;;) {
		while (c->npend < BMP_IOV) {
			struct bmp_qent *e;
			if (!next_ent(c, &e)) {
				*why = "collector too slow: queue bound reached, messages dropped";
				return false;
			}
			if (!e)
				break;
			c->pend[c->npend++] = e;
		}
		if (!c->npend || c->state != BMP_C_UP)
			return true;
		struct iovec iov[BMP_IOV];
		for (unsigned i = 0; i < c->npend; i++) {
			size_t off = i ? 0 : c->pend_off;
			iov[i].iov_base = c->pend[i]->m->data + off;
			iov[i].iov_len = c->pend[i]->m->len - off;
		}
		struct msghdr mh = {.msg_iov = iov, .msg_iovlen = c->npend};
		ssize_t w = sendmsg(c->fd, &mh, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return true;
			*why = strerror(errno);
			return false;
		}
		/* Release what went out whole; keep the offset into a partly written one. */
		size_t left = (size_t)w;
		unsigned done = 0;
		while (done < c->npend) {
			size_t rem = c->pend[done]->m->len - (done ? 0 : c->pend_off);
			if (left < rem) {
				c->pend_off = (done ? 0 : c->pend_off) + left;
				break;
			}
			left -= rem;
			__atomic_fetch_add(&c->sent, 1, __ATOMIC_RELAXED);
			__atomic_fetch_add(&c->b->tot->sent, 1, __ATOMIC_RELAXED);
			release(c, c->pend[done]);
			done++;
			if (done < c->npend)
				c->pend_off = 0;
		}
		if (done == c->npend)
			c->pend_off = 0;
		memmove(c->pend, c->pend + done, (c->npend - done) * sizeof(c->pend[0]));
		c->npend -= done;
		if (c->npend) /* the socket took less than offered: wait for POLLOUT */
			return true;
	}
}

/* Discards what is queued while not connected (the producer is told to stop). */
static void drain_idle(struct bmp_collector *c)
{
	struct bmp_qent *e;
	while (next_ent(c, &e) && e)
		free_ent(c, e);
}

/* The collector may only close or send nothing (RFC 7854 3.2): read and discard. */
static bool readable(struct bmp_collector *c)
{
	uint8_t buf[4096];
	for (;;) {
		ssize_t r = read(c->fd, buf, sizeof(buf));
		if (r > 0)
			continue;
		if (r == 0)
			return false;
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
	}
}

static void terminate(struct bmp_collector *c)
{
	if (c->fd < 0 || c->state != BMP_C_UP)
		return;
	/* Best effort, a bounded wait: finish the message being written, then Termination
	 * (RFC 7854 4.5: administratively closed). */
	int flags = fcntl(c->fd, F_GETFL);
	fcntl(c->fd, F_SETFL, flags & ~O_NONBLOCK);
	struct timeval tv = {.tv_sec = 1};
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	for (unsigned i = 0; i < c->npend; i++) { /* what was being written goes out whole */
		struct bmp_msg *m = c->pend[i]->m;
		size_t off = i ? 0 : c->pend_off;
		if (send(c->fd, m->data + off, m->len - off, MSG_NOSIGNAL) !=
		    (ssize_t)(m->len - off))
			return;
	}
	uint8_t buf[256];
	size_t n = bmp_termination_encode(buf, sizeof(buf), BMP_TERM_ADMIN_CLOSE,
					  "routexd: collector removed or daemon stopping");
	if (send(c->fd, buf, n, MSG_NOSIGNAL) == (ssize_t)n)
		shutdown(c->fd, SHUT_WR);
}

static void *bmp_main(void *arg)
{
	struct thread_arg ta = *(struct thread_arg *)arg;
	free(arg);
	struct bmp *b = ta.b;
	size_t n = b->n;
	struct pollfd *pfd = calloc(1 + 2 * n, sizeof(*pfd));
	RX_ASSERT(pfd);
	while (!__atomic_load_n(&b->stop, __ATOMIC_ACQUIRE)) {
		uint64_t now = now_ms();
		int timeout = 1000;
		pfd[0] = (struct pollfd){.fd = b->stop_efd, .events = POLLIN};
		for (size_t i = 0; i < n; i++) {
			struct bmp_collector *c = &b->c[i];
			const char *why = NULL;
			if (c->state == BMP_C_IDLE) {
				drain_idle(c);
				if (now >= c->retry_at)
					start_connect(c);
			}
			/* A drop means the collector is behind by the whole queue: writing the
			 * rest first would only delay the resync. */
			if (__atomic_exchange_n(&c->overflow, 0, __ATOMIC_ACQ_REL) &&
			    c->state == BMP_C_UP) {
				__atomic_fetch_add(&c->resets, 1, __ATOMIC_RELAXED);
				__atomic_fetch_add(&b->tot->resets, 1, __ATOMIC_RELAXED);
				close_conn(
				    b, ta.epoch, i,
				    "collector too slow: queue bound reached, messages dropped");
			}
			if (c->state == BMP_C_UP && !pump(c, &why)) {
				__atomic_fetch_add(&c->resets, 1, __ATOMIC_RELAXED);
				__atomic_fetch_add(&b->tot->resets, 1, __ATOMIC_RELAXED);
				close_conn(b, ta.epoch, i, why);
			}
			/* The dump waits for room: ask for the next step once below the low mark.
			 */
			if (c->state == BMP_C_UP &&
			    __atomic_load_n(&c->queued, __ATOMIC_RELAXED) < BMP_QUEUE_LOW &&
			    __atomic_exchange_n(&c->dump_wait, 0, __ATOMIC_ACQ_REL))
				request(b, ta.epoch, i, c->gen_t, BMP_REQ_DUMP);
			pfd[1 + 2 * i] = (struct pollfd){.fd = mpsc_fd(&c->q), .events = POLLIN};
			short ev = 0;
			if (c->state == BMP_C_CONNECTING || (c->state == BMP_C_UP && c->npend))
				ev |= POLLOUT;
			if (c->state == BMP_C_UP)
				ev |= POLLIN;
			pfd[2 + 2 * i] = (struct pollfd){.fd = ev ? c->fd : -1, .events = ev};
			if (c->state == BMP_C_IDLE) {
				int64_t wait = (int64_t)(c->retry_at - now);
				if (wait < 0)
					wait = 0;
				if (wait < timeout)
					timeout = (int)wait;
			}
			if (c->state == BMP_C_UP &&
			    __atomic_load_n(&c->dump_wait, __ATOMIC_RELAXED))
				timeout =
				    timeout > 50 ? 50 : timeout; /* queue draining: look again */
		}
		poll(pfd, 1 + 2 * n, timeout);
		for (size_t i = 0; i < n; i++) {
			struct bmp_collector *c = &b->c[i];
			short re = pfd[2 + 2 * i].revents;
			if (c->state == BMP_C_CONNECTING && re) {
				int err = 0;
				socklen_t el = sizeof(err);
				getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el);
				if (err) {
					close(c->fd);
					c->fd = -1;
					c->state = BMP_C_IDLE;
					c->retry_at = now_ms() + (uint64_t)c->backoff_s * 1000;
					c->backoff_s = c->backoff_s * 2 > BMP_BACKOFF_MAX_S
							   ? BMP_BACKOFF_MAX_S
							   : c->backoff_s * 2;
				} else {
					connected(b, ta.epoch, i);
				}
			} else if (c->state == BMP_C_UP && (re & (POLLIN | POLLHUP | POLLERR)) &&
				   !readable(c)) {
				close_conn(b, ta.epoch, i, "closed by the collector");
			}
		}
		if (pfd[0].revents) {
			uint64_t v;
			if (read(b->stop_efd, &v, sizeof(v)) < 0)
				continue;
		}
	}
	for (size_t i = 0; i < n; i++) {
		terminate(&b->c[i]);
		if (b->c[i].fd >= 0)
			close(b->c[i].fd);
		b->c[i].fd = -1;
	}
	free(pfd);
	return NULL;
}

/* ---- Life cycle ---- */

struct bmp *bmp_new(const struct bmp_params *p)
{
	struct bmp *b = calloc(1, sizeof(*b));
	RX_ASSERT(b);
	b->p = *p;
	b->sys_name = strdup(p->sys_name ? p->sys_name : "routexd");
	b->sys_descr = strdup(p->sys_descr ? p->sys_descr : "routexd");
	RX_ASSERT(b->sys_name && b->sys_descr);
	b->stop_efd = -1;
	b->tot = p->totals ? p->totals : &b->own;
	return b;
}

static void stop_thread(struct bmp *b)
{
	if (!b->running)
		return;
	__atomic_store_n(&b->stop, 1, __ATOMIC_RELEASE);
	uint64_t one = 1;
	if (write(b->stop_efd, &one, sizeof(one)) < 0)
		rx_log(RX_LOG_WARN, "bmp: cannot wake the BMP thread: %s", strerror(errno));
	pthread_join(b->thread, NULL);
	b->running = false;
	__atomic_store_n(&b->tot->up, 0, __ATOMIC_RELAXED);
	close(b->stop_efd);
	b->stop_efd = -1;
}

static void collectors_free(struct bmp *b)
{
	for (size_t i = 0; i < b->n; i++) {
		struct bmp_collector *c = &b->c[i];
		release_pending(c);
		c->state = BMP_C_IDLE;
		c->skipping = true;
		struct bmp_qent *e;
		while (next_ent(c, &e) && e)
			free_ent(c, e);
		mpsc_fini(&c->q);
	}
	free(b->c);
	b->c = NULL;
	b->n = 0;
}

void bmp_set_collectors_w(struct bmp *b, const struct bmp_collector_conf *cc, size_t n)
{
	stop_thread(b);
	collectors_free(b);
	b->epoch++;
	__atomic_store_n(&b->stop, 0, __ATOMIC_RELAXED);
	uint8_t mon = 0;
	if (n) {
		b->c = calloc(n, sizeof(*b->c));
		RX_ASSERT(b->c);
	}
	for (size_t i = 0; i < n; i++) {
		struct bmp_collector *c = &b->c[i];
		c->b = b;
		c->conf = cc[i];
		c->fd = -1;
		c->state = BMP_C_IDLE;
		c->skipping = true;
		c->backoff_s = BMP_BACKOFF_MIN_S;
		if (!mpsc_init(&c->q))
			RX_ASSERT(!"bmp: cannot create an eventfd");
		char a[INET6_ADDRSTRLEN];
		inet_ntop(c->conf.afi == RX_AFI_IPV4 ? AF_INET : AF_INET6, c->conf.addr, a,
			  sizeof(a));
		snprintf(c->name, sizeof(c->name), c->conf.afi == RX_AFI_IPV4 ? "%s:%u" : "[%s]:%u",
			 a, c->conf.port);
		mon |= c->conf.monitor;
		b->n++;
	}
	__atomic_store_n(&b->prepolicy, (mon & BMP_MON_PRE_POLICY) != 0, __ATOMIC_RELAXED);
	__atomic_store_n(&b->tot->collectors, (uint64_t)n, __ATOMIC_RELAXED);
	if (!n)
		return;
	b->stop_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	RX_ASSERT(b->stop_efd >= 0);
	struct thread_arg *ta = malloc(sizeof(*ta));
	RX_ASSERT(ta);
	*ta = (struct thread_arg){.b = b, .epoch = b->epoch};
	b->running = pthread_create(&b->thread, NULL, bmp_main, ta) == 0;
	if (b->running)
		pthread_setname_np(b->thread, "rx-bmp");
	else
		free(ta);
}

void bmp_free(struct bmp *b)
{
	if (!b)
		return;
	stop_thread(b);
	collectors_free(b);
	for (size_t i = 0; i < b->nsrc; i++)
		bmp_msg_unref(b->src[i].up);
	free(b->src);
	free(b->sys_name);
	free(b->sys_descr);
	free(b);
}

void bmp_counters(const struct bmp *b, size_t i, struct bmp_counters *out)
{
	memset(out, 0, sizeof(*out));
	if (i >= b->n)
		return;
	const struct bmp_collector *c = &b->c[i];
	out->queued = __atomic_load_n(&c->queued, __ATOMIC_RELAXED);
	out->dropped = __atomic_load_n(&c->dropped, __ATOMIC_RELAXED);
	out->resets = __atomic_load_n(&c->resets, __ATOMIC_RELAXED);
	out->connects = __atomic_load_n(&c->connects, __ATOMIC_RELAXED);
}
