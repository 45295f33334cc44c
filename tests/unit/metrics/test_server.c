/* test_server.c: the metrics endpoint over real sockets, against a routexd built in-process
 * (one passive peer, no BGP listener, 300 originated prefixes).
 *
 * Covered: a scrape's status, headers, Content-Length and values (the RIB gauge equals the
 * originated prefixes, the peer's state is Active); 404, 405 with Allow, 400, 431, HEAD
 * without a body; moves of the endpoint: to a port that is taken (refused, the old one keeps
 * serving), to the wildcard address on the same port and back (the overlapping case, where
 * the old socket must close first); every slot held by a silent client (the next scrape
 * waits in the backlog and is answered once they are dropped); a server closed while a
 * client is in the middle of its request. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <routex/conf.h>
#include <routex/daemon.h>
#include <routex/metrics.h>

#define N_ORIGINATE 300

static struct rx_daemon daemon_ctx;
static uint16_t port;

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* A port nobody listens on right now (127.0.0.1). */
static uint16_t free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	close(fd);
	return ntohs(sa.sin_port);
}

static int connect_to(uint16_t p)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(p),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_true(fd >= 0);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	struct timeval tv = {.tv_sec = 20};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

/* Sends req, reads until EOF; returns the malloc'ed answer (NUL-terminated). */
static char *ask_port(uint16_t p, const char *req, size_t reqlen)
{
	int fd = connect_to(p);
	assert_true(fd >= 0);
	assert_int_equal(send(fd, req, reqlen, MSG_NOSIGNAL), (ssize_t)reqlen);
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	assert_non_null(buf);
	for (;;) {
		if (len + 1 == cap) {
			buf = realloc(buf, cap *= 2);
			assert_non_null(buf);
		}
		ssize_t n = recv(fd, buf + len, cap - len - 1, 0);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = 0;
	close(fd);
	return buf;
}

static char *ask(const char *req)
{
	return ask_port(port, req, strlen(req));
}

static const char *body_of(const char *ans)
{
	const char *b = strstr(ans, "\r\n\r\n");
	assert_non_null(b);
	return b + 4;
}

static struct conf_endpoint endpoint(const char *addr, uint16_t p)
{
	struct conf_endpoint ep = {.port = p};
	ep.addr.afi = RX_AFI_IPV4;
	assert_int_equal(inet_pton(AF_INET, addr, ep.addr.addr), 1);
	return ep;
}

static int setup(void **state)
{
	port = free_port();
	size_t cap = 4096 + N_ORIGINATE * 24;
	char *y = malloc(cap);
	assert_non_null(y);
	int n = snprintf(y, cap,
			 "router-id: 10.255.0.1\n"
			 "listen: []\n"
			 "io-threads: 1\n"
			 "control-socket: /nonexistent/unused.sock\n"
			 "metrics: {address: 127.0.0.1, port: %u}\n"
			 "peers:\n"
			 "  - {name: nva1, address: 127.0.0.2, asn: 65001, role: nva}\n"
			 "originate:\n",
			 port);
	for (int i = 0; i < N_ORIGINATE; i++)
		n += snprintf(y + n, cap - (size_t)n, "  - 10.%d.%d.0/24\n", 100 + i / 256, i % 256);
	struct conf_daemon *conf;
	char err[512];
	if (conf_load_buffer("test_server.yaml", y, (size_t)n, &conf, err, sizeof(err)) != 0)
		fail_msg("config: %s", err);
	free(y);
	assert_true(daemon_init(&daemon_ctx, conf));
	assert_true(daemon_start(&daemon_ctx));
	assert_non_null(daemon_ctx.metrics);
	return 0;
}

static int teardown(void **state)
{
	daemon_fini(&daemon_ctx);
	return 0;
}

static void test_scrape(void **state)
{
	/* The decision thread publishes the originated prefixes at its first iteration. */
	char want[64];
	snprintf(want, sizeof(want), "\nroutex_rib_prefixes{afi=\"ipv4\"} %d\n", N_ORIGINATE);
	char *ans = NULL;
	for (int i = 0; i < 300; i++) {
		free(ans);
		ans = ask("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
		if (strstr(ans, want))
			break;
		usleep(10000);
	}
	assert_non_null(strstr(ans, want));
	assert_true(strncmp(ans, "HTTP/1.1 200 OK\r\n", 17) == 0);
	assert_non_null(strstr(ans, "\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"));
	assert_non_null(strstr(ans, "\r\nConnection: close\r\n"));
	const char *cl = strstr(ans, "\r\nContent-Length: ");
	assert_non_null(cl);
	assert_int_equal(strtoul(cl + 18, NULL, 10), strlen(body_of(ans)));
	assert_non_null(strstr(ans, "\nroutex_peer_state{peer=\"nva1\",address=\"127.0.0.2\"} 3\n"));
	assert_non_null(strstr(ans, "\nroutex_peer_up{peer=\"nva1\",address=\"127.0.0.2\"} 0\n"));
	assert_non_null(strstr(ans, "\nroutex_rib_prefixes{afi=\"ipv6\"} 0\n"));
	assert_non_null(strstr(ans, "\n# TYPE routex_decision_duration_seconds histogram\n"));
	free(ans);
}

static void test_errors(void **state)
{
	char *a = ask("GET /other HTTP/1.1\r\n\r\n");
	assert_true(strncmp(a, "HTTP/1.1 404 Not Found\r\n", 24) == 0);
	free(a);
	a = ask("PUT /metrics HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc");
	assert_true(strncmp(a, "HTTP/1.1 405 Method Not Allowed\r\n", 33) == 0);
	assert_non_null(strstr(a, "\r\nAllow: GET, HEAD\r\n"));
	free(a);
	a = ask("hello\r\n\r\n");
	assert_true(strncmp(a, "HTTP/1.1 400 Bad Request\r\n", 26) == 0);
	free(a);
	a = ask("HEAD /metrics HTTP/1.0\r\n\r\n");
	assert_true(strncmp(a, "HTTP/1.1 200 OK\r\n", 17) == 0);
	assert_string_equal(body_of(a), "");
	assert_null(strstr(a, "Content-Length: 0\r\n"));
	free(a);
	/* A header block over the 8 KiB bound. */
	size_t big = 10000;
	char *req = malloc(big + 64);
	assert_non_null(req);
	int n = snprintf(req, 64, "GET /metrics HTTP/1.1\r\nX: ");
	memset(req + n, 'a', big);
	memcpy(req + n + big, "\r\n\r\n", 4);
	a = ask_port(port, req, (size_t)n + big + 4);
	assert_true(strncmp(a, "HTTP/1.1 431 ", 13) == 0);
	free(a);
	free(req);
}

static void test_move(void **state)
{
	char err[200];
	/* A port that is taken: refused, and the endpoint stays where it was. */
	int taken = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);
	assert_int_equal(bind(taken, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(taken, 1), 0);
	assert_int_equal(getsockname(taken, (struct sockaddr *)&sa, &len), 0);
	struct conf_endpoint ep = endpoint("127.0.0.1", ntohs(sa.sin_port));
	assert_false(metrics_move(daemon_ctx.metrics, &ep, err, sizeof(err)));
	char want[100];
	snprintf(want, sizeof(want), "metrics: cannot listen on 127.0.0.1:%u: Address already in use",
		 ntohs(sa.sin_port));
	assert_string_equal(err, want);
	close(taken);
	char *a = ask("GET /metrics HTTP/1.1\r\n\r\n");
	assert_true(strncmp(a, "HTTP/1.1 200 OK\r\n", 17) == 0);
	free(a);
	/* The same port on the wildcard address overlaps the old socket: it is closed first. */
	ep = endpoint("0.0.0.0", port);
	assert_true(metrics_move(daemon_ctx.metrics, &ep, err, sizeof(err)));
	a = ask("GET /metrics HTTP/1.1\r\n\r\n");
	assert_true(strncmp(a, "HTTP/1.1 200 OK\r\n", 17) == 0);
	free(a);
	/* And back. */
	ep = endpoint("127.0.0.1", port);
	assert_true(metrics_move(daemon_ctx.metrics, &ep, err, sizeof(err)));
	a = ask("GET /metrics HTTP/1.1\r\n\r\n");
	assert_true(strncmp(a, "HTTP/1.1 200 OK\r\n", 17) == 0);
	free(a);
	/* A plain move: the old port is closed, the new one answers. */
	uint16_t p2 = free_port();
	ep = endpoint("127.0.0.1", p2);
	assert_true(metrics_move(daemon_ctx.metrics, &ep, err, sizeof(err)));
	assert_int_equal(connect_to(port), -1);
	assert_int_equal(errno, ECONNREFUSED);
	uint16_t old = port;
	port = p2;
	a = ask("GET /metrics HTTP/1.1\r\n\r\n");
	assert_true(strncmp(a, "HTTP/1.1 200 OK\r\n", 17) == 0);
	free(a);
	ep = endpoint("127.0.0.1", old);
	if (metrics_move(daemon_ctx.metrics, &ep, err, sizeof(err))) /* (someone may have it) */
		port = old;
}

static void test_slots_held(void **state)
{
	/* 16 silent clients take every slot; a scrape then waits in the listen backlog and is
	 * answered once the silent ones are dropped at the request deadline (5 s). */
	int silent[16];
	for (int i = 0; i < 16; i++)
		assert_true((silent[i] = connect_to(port)) >= 0);
	uint64_t t0 = now_ms();
	char *a = ask("GET /metrics HTTP/1.1\r\n\r\n");
	uint64_t took = now_ms() - t0;
	assert_true(strncmp(a, "HTTP/1.1 200 OK\r\n", 17) == 0);
	free(a);
	assert_true(took >= 3000 && took < 15000);
	char c;
	for (int i = 0; i < 16; i++) {
		assert_int_equal(recv(silent[i], &c, 1, 0), 0); /* dropped: EOF, no answer */
		close(silent[i]);
	}
}

static void test_close_mid_request(void **state)
{
	uint16_t p = free_port();
	struct conf_endpoint ep = endpoint("127.0.0.1", p);
	char err[200];
	struct metrics_server *s = metrics_open(&daemon_ctx, &ep, err, sizeof(err));
	assert_non_null(s);
	assert_true(metrics_run(s));
	int fd = connect_to(p);
	assert_true(fd >= 0);
	assert_int_equal(send(fd, "GET /metr", 9, 0), 9);
	usleep(100000);
	uint64_t t0 = now_ms();
	metrics_close(s);
	assert_true(now_ms() - t0 < 1000);
	char c;
	assert_true(recv(fd, &c, 1, 0) <= 0); /* closed without an answer */
	close(fd);
	assert_int_equal(connect_to(p), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scrape),	   cmocka_unit_test(test_errors),
		cmocka_unit_test(test_move),	   cmocka_unit_test(test_slots_held),
		cmocka_unit_test(test_close_mid_request),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
