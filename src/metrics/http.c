/* http.c: the metrics endpoint's HTTP/1.1 server: one thread, one poll loop, never blocking.
 *
 * A scrape is one connection: the client sends a request, gets one response with
 * Content-Length and `Connection: close`, and the server closes (Prometheus and curl both
 * accept that; keep-alive would buy nothing at one scrape every few seconds). Every socket
 * is non-blocking and the loop multiplexes up to METRICS_MAX_CLIENTS connections, so a
 * slow or hostile client delays nobody: its request must fit in METRICS_MAX_REQUEST bytes
 * and arrive within METRICS_REQUEST_MS, and it must read its answer within
 * METRICS_RESPONSE_MS, else it is dropped. With every slot taken, new connections wait in
 * the listen backlog until one frees up.
 *
 * A response is the whole scrape built in memory (metrics_collect reads published counters
 * only: no lock, no RCU read side, nothing that waits for the decision thread), then sent
 * as the socket takes it. After the last byte the write side is shut and input drained for
 * a moment before close(): closing with unread input would make the kernel send a reset,
 * which can destroy the response before the client has read it.
 *
 * Moving the endpoint (reload) is done by this thread on request, between events, while the
 * caller waits: the loop never blocks, so the wait is short. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <routex/compiler.h>
#include <routex/prefix.h>
#include <routex/log.h>
#include <routex/metrics.h>

#define METRICS_MAX_CLIENTS 16
#define METRICS_MAX_REQUEST 8192   /* bytes of request line and headers */
#define METRICS_REQUEST_MS 5000    /* to send the whole request */
#define METRICS_RESPONSE_MS 30000  /* to read the whole response (a big scrape, slow link) */
#define METRICS_LINGER_MS 1000     /* draining input after the response, before close */

/* ---- request parsing (pure) ---- */

static bool tchar(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* The end of the header block (an empty line, CRLF or bare LF), or NULL. */
static const char *header_end(const char *buf, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++) {
		if (buf[i] != '\n')
			continue;
		if (buf[i + 1] == '\n')
			return buf + i + 2;
		if (buf[i + 1] == '\r' && i + 2 < len && buf[i + 2] == '\n')
			return buf + i + 3;
	}
	return NULL;
}

enum metrics_http metrics_http_parse(const char *buf, size_t len, bool full)
{
	if (!header_end(buf, len))
		return full ? METRICS_HTTP_TOO_LARGE : METRICS_HTTP_INCOMPLETE;
	/* RFC 9112 3: method SP request-target SP HTTP-version CRLF */
	const char *p = buf, *end = memchr(buf, '\n', len);
	const char *m = p;
	while (p < end && tchar(*p))
		p++;
	size_t mlen = (size_t)(p - m);
	if (!mlen || p == end || *p++ != ' ')
		return METRICS_HTTP_BAD_REQUEST;
	const char *t = p;
	while (p < end && *p != ' ' && (unsigned char)*p > ' ' && *p != 0x7f)
		p++;
	size_t tlen = (size_t)(p - t);
	if (!tlen || p == end || *p++ != ' ')
		return METRICS_HTTP_BAD_REQUEST;
	size_t vlen = (size_t)(end - p);
	if (vlen && p[vlen - 1] == '\r')
		vlen--;
	if (vlen != 8 || memcmp(p, "HTTP/1.", 7) != 0 || p[7] < '0' || p[7] > '9')
		return METRICS_HTTP_BAD_REQUEST;
	if (t[0] != '/') /* origin-form only: no proxy requests */
		return METRICS_HTTP_BAD_REQUEST;
	const char *q = memchr(t, '?', tlen); /* a query string is ignored */
	size_t plen = q ? (size_t)(q - t) : tlen;
	if (plen != 8 || memcmp(t, "/metrics", 8) != 0)
		return METRICS_HTTP_NOT_FOUND;
	if (mlen == 3 && memcmp(m, "GET", 3) == 0)
		return METRICS_HTTP_OK;
	if (mlen == 4 && memcmp(m, "HEAD", 4) == 0)
		return METRICS_HTTP_HEAD;
	return METRICS_HTTP_BAD_METHOD;
}

/* ---- the server ---- */

enum client_state { C_FREE, C_READ, C_WRITE, C_LINGER };

struct client {
	int fd;
	enum client_state st;
	uint64_t deadline;
	size_t len;               /* C_READ: bytes in req; C_WRITE: bytes in out */
	size_t off;               /* C_WRITE: bytes sent */
	char *out;
	char req[METRICS_MAX_REQUEST];
};

struct metrics_server {
	struct rx_daemon *d;
	int lfd;                  /* T:metrics once running */
	struct conf_endpoint ep;  /* T:metrics once running */
	int wake;                 /* eventfd: a move or a stop is waiting */
	pthread_t thread;
	bool running;
	pthread_mutex_t mu;       /* the request below */
	pthread_cond_t cv;
	bool stop;                /* under mu */
	bool move_pending;        /* under mu */
	struct conf_endpoint move_to;
	bool move_ok;
	char move_err[160];
	struct client c[METRICS_MAX_CLIENTS];
};

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void metrics_endpoint_fmt(const struct conf_endpoint *ep, char *buf, size_t n)
{
	char a[64];
	rx_addr_fmt(ep->addr.afi, ep->addr.addr, a, sizeof(a));
	snprintf(buf, n, ep->addr.afi == RX_AFI_IPV6 ? "[%s]:%u" : "%s:%u", a, ep->port);
}

static socklen_t sockaddr_of(const struct conf_endpoint *ep, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (ep->addr.afi == RX_AFI_IPV6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(ep->port);
		memcpy(&s6->sin6_addr, ep->addr.addr, 16);
		return sizeof(*s6);
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	s4->sin_family = AF_INET;
	s4->sin_port = htons(ep->port);
	memcpy(&s4->sin_addr, ep->addr.addr, 4);
	return sizeof(*s4);
}

/* A listening socket, or -1 with errno set. */
static int listen_on(const struct conf_endpoint *ep)
{
	struct sockaddr_storage ss;
	socklen_t sl = sockaddr_of(ep, &ss);
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	int one = 1; /* a restart must not wait for TIME_WAIT connections of the last run */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6) /* [::] is IPv6 only, as BGP listeners are */
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sl) != 0 || listen(fd, 64) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static void client_close(struct client *c)
{
	close(c->fd);
	free(c->out);
	c->out = NULL;
	c->fd = -1;
	c->st = C_FREE;
}

static const char *status_line(enum metrics_http r)
{
	switch (r) {
	case METRICS_HTTP_OK:
	case METRICS_HTTP_HEAD:
		return "200 OK";
	case METRICS_HTTP_NOT_FOUND:
		return "404 Not Found";
	case METRICS_HTTP_BAD_METHOD:
		return "405 Method Not Allowed";
	case METRICS_HTTP_TOO_LARGE:
		return "431 Request Header Fields Too Large";
	default:
		return "400 Bad Request";
	}
}

/* Builds the whole response in c->out and switches the client to writing. */
static void respond(struct metrics_server *s, struct client *c, enum metrics_http r)
{
	char *body = NULL;
	size_t blen = 0;
	FILE *b = open_memstream(&body, &blen);
	FILE *h = NULL;
	if (!b)
		goto fail;
	const char *type = "text/plain; version=0.0.4; charset=utf-8";
	if (r == METRICS_HTTP_OK || r == METRICS_HTTP_HEAD) {
		metrics_collect(s->d, b);
	} else {
		type = "text/plain; charset=utf-8";
		fprintf(b, "%s\n", status_line(r));
		if (r == METRICS_HTTP_NOT_FOUND)
			fputs("the metrics are at /metrics\n", b);
	}
	if (fclose(b) != 0) {
		b = NULL;
		goto fail;
	}
	b = NULL;
	h = open_memstream(&c->out, &c->len);
	if (!h)
		goto fail;
	fprintf(h, "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
		   "Connection: close\r\n%s\r\n",
		status_line(r), type, blen,
		r == METRICS_HTTP_BAD_METHOD ? "Allow: GET, HEAD\r\n" : "");
	if (r != METRICS_HTTP_HEAD)
		fwrite(body, 1, blen, h);
	if (fclose(h) != 0)
		goto fail;
	free(body);
	c->off = 0;
	c->st = C_WRITE;
	c->deadline = now_ms() + METRICS_RESPONSE_MS;
	return;
fail:
	if (b)
		fclose(b);
	free(body);
	RX_LOG_LIMITED(RX_LOG_WARN, "metrics: out of memory building a response");
	client_close(c);
}

static void client_read(struct metrics_server *s, struct client *c)
{
	for (;;) {
		ssize_t n = recv(c->fd, c->req + c->len, sizeof(c->req) - c->len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) /* gone before finishing its request */
			return client_close(c);
		c->len += (size_t)n;
		enum metrics_http r = metrics_http_parse(c->req, c->len, c->len == sizeof(c->req));
		if (r != METRICS_HTTP_INCOMPLETE)
			return respond(s, c, r);
	}
}

static void client_linger(struct client *c)
{
	shutdown(c->fd, SHUT_WR);
	free(c->out);
	c->out = NULL;
	c->st = C_LINGER;
	c->deadline = now_ms() + METRICS_LINGER_MS;
}

static void client_write(struct client *c)
{
	while (c->off < c->len) {
		ssize_t n = send(c->fd, c->out + c->off, c->len - c->off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0)
			return client_close(c);
		c->off += (size_t)n;
	}
	client_linger(c);
}

static void client_drain(struct client *c)
{
	char buf[4096];
	for (;;) {
		ssize_t n = recv(c->fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) /* the client has read everything and closed */
			return client_close(c);
	}
}

static void do_accept(struct metrics_server *s)
{
	for (size_t i = 0; i < METRICS_MAX_CLIENTS; i++) {
		struct client *c = &s->c[i];
		if (c->st != C_FREE)
			continue;
		int fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return; /* EAGAIN, or a connection that went away meanwhile */
		c->fd = fd;
		c->st = C_READ;
		c->len = 0;
		c->deadline = now_ms() + METRICS_REQUEST_MS;
	}
}

/* On this thread: the endpoint moves (see metrics_move). */
static void do_move(struct metrics_server *s, const struct conf_endpoint *ep, bool *ok,
		    char *err, size_t errlen)
{
	char a[80];
	metrics_endpoint_fmt(ep, a, sizeof(a));
	int fd = listen_on(ep);
	if (fd < 0 && errno == EADDRINUSE && s->lfd >= 0 && ep->port == s->ep.port) {
		/* Same port, another address overlapping the old one (127.0.0.1 -> 0.0.0.0): the
		 * old socket must go first. If the new one still fails, the old comes back. */
		close(s->lfd);
		s->lfd = -1;
		fd = listen_on(ep);
		if (fd < 0) {
			int e = errno;
			s->lfd = listen_on(&s->ep);
			if (s->lfd < 0) { /* taken meanwhile by another process: say so */
				char o[80];
				metrics_endpoint_fmt(&s->ep, o, sizeof(o));
				rx_log(RX_LOG_ERR, "metrics: the old endpoint %s cannot be reopened "
						   "either (%s): no metrics until the next reload",
				       o, strerror(errno));
			}
			errno = e;
		}
	}
	if (fd < 0) {
		snprintf(err, errlen, "metrics: cannot listen on %s: %s", a, strerror(errno));
		*ok = false;
		return;
	}
	if (s->lfd >= 0)
		close(s->lfd);
	s->lfd = fd;
	s->ep = *ep;
	*ok = true;
	rx_log(RX_LOG_INFO, "metrics: serving on http://%s/metrics", a);
}

/* Handles a pending move or stop; returns false to stop. */
static bool requests(struct metrics_server *s)
{
	uint64_t v;
	if (read(s->wake, &v, sizeof(v)) < 0) { /* nothing pending: EAGAIN */
	}
	pthread_mutex_lock(&s->mu);
	bool stop = s->stop;
	if (s->move_pending) {
		do_move(s, &s->move_to, &s->move_ok, s->move_err, sizeof(s->move_err));
		s->move_pending = false;
		pthread_cond_broadcast(&s->cv);
	}
	pthread_mutex_unlock(&s->mu);
	return !stop;
}

static void *server_main(void *arg)
{
	struct metrics_server *s = arg;
	struct pollfd p[METRICS_MAX_CLIENTS + 2];
	for (;;) {
		uint64_t now = now_ms(), next = UINT64_MAX;
		size_t np = 0, busy = 0;
		p[np++] = (struct pollfd){.fd = s->wake, .events = POLLIN};
		for (size_t i = 0; i < METRICS_MAX_CLIENTS; i++) {
			struct client *c = &s->c[i];
			if (c->st != C_FREE && now >= c->deadline) /* too slow: dropped */
				client_close(c);
			if (c->st == C_FREE)
				continue;
			busy++;
			next = c->deadline < next ? c->deadline : next;
		}
		/* Every slot taken: new connections wait in the backlog. */
		bool listening = s->lfd >= 0 && busy < METRICS_MAX_CLIENTS;
		if (listening)
			p[np++] = (struct pollfd){.fd = s->lfd, .events = POLLIN};
		size_t first = np;
		for (size_t i = 0; i < METRICS_MAX_CLIENTS; i++)
			if (s->c[i].st != C_FREE)
				p[np++] = (struct pollfd){
					.fd = s->c[i].fd,
					.events = s->c[i].st == C_WRITE ? POLLOUT : POLLIN};
		int timeout = next == UINT64_MAX ? -1 : (int)(next - now);
		if (poll(p, np, timeout) < 0) {
			/* Never leave the loop on an error: metrics_move and metrics_close wait
			 * for this thread to answer. */
			if (errno != EINTR) {
				RX_LOG_LIMITED(RX_LOG_WARN, "metrics: poll: %s", strerror(errno));
				usleep(10000);
			}
			continue;
		}
		if ((p[0].revents & POLLIN) && !requests(s))
			break;
		for (size_t i = 0, k = first; i < METRICS_MAX_CLIENTS; i++) {
			struct client *c = &s->c[i];
			if (c->st == C_FREE || k >= np || p[k].fd != c->fd)
				continue;
			short re = p[k++].revents;
			if (!re)
				continue;
			if (c->st == C_READ)
				client_read(s, c);
			else if (c->st == C_WRITE)
				client_write(c);
			else
				client_drain(c);
		}
		/* (After a move, p[1] was the old socket: its readiness says nothing.) */
		if (listening && p[1].fd == s->lfd && (p[1].revents & POLLIN))
			do_accept(s);
	}
	for (size_t i = 0; i < METRICS_MAX_CLIENTS; i++)
		if (s->c[i].st != C_FREE)
			client_close(&s->c[i]);
	return NULL;
}

struct metrics_server *metrics_open(struct rx_daemon *d, const struct conf_endpoint *ep,
				    char *err, size_t errlen)
{
	char a[80];
	metrics_endpoint_fmt(ep, a, sizeof(a));
	struct metrics_server *s = calloc(1, sizeof(*s));
	RX_ASSERT(s);
	s->d = d;
	s->ep = *ep;
	s->lfd = listen_on(ep);
	if (s->lfd < 0) {
		snprintf(err, errlen, "metrics: cannot listen on %s: %s", a, strerror(errno));
		free(s);
		return NULL;
	}
	s->wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	RX_ASSERT(s->wake >= 0);
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	for (size_t i = 0; i < METRICS_MAX_CLIENTS; i++)
		s->c[i].fd = -1;
	return s;
}

bool metrics_run(struct metrics_server *s)
{
	char a[80];
	metrics_endpoint_fmt(&s->ep, a, sizeof(a));
	if (pthread_create(&s->thread, NULL, server_main, s) != 0) {
		rx_log(RX_LOG_ERR, "metrics: cannot start its thread");
		return false;
	}
	s->running = true;
	pthread_setname_np(s->thread, "rx-metrics");
	rx_log(RX_LOG_INFO, "metrics: serving on http://%s/metrics", a);
	return true;
}

static void wake(struct metrics_server *s)
{
	uint64_t one = 1;
	if (write(s->wake, &one, sizeof(one)) < 0) { /* the counter cannot overflow here */
	}
}

bool metrics_move(struct metrics_server *s, const struct conf_endpoint *ep, char *err,
		  size_t errlen)
{
	RX_ASSERT(s->running);
	pthread_mutex_lock(&s->mu);
	s->move_to = *ep;
	s->move_pending = true;
	wake(s);
	while (s->move_pending)
		pthread_cond_wait(&s->cv, &s->mu);
	bool ok = s->move_ok;
	if (!ok)
		snprintf(err, errlen, "%s", s->move_err);
	pthread_mutex_unlock(&s->mu);
	return ok;
}

void metrics_close(struct metrics_server *s)
{
	if (!s)
		return;
	if (s->running) {
		pthread_mutex_lock(&s->mu);
		s->stop = true;
		wake(s);
		pthread_mutex_unlock(&s->mu);
		pthread_join(s->thread, NULL);
	}
	if (s->lfd >= 0)
		close(s->lfd);
	close(s->wake);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	free(s);
}
