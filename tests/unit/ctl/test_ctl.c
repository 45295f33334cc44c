/* test_ctl.c: the control socket under abuse, over the real Unix socket of a routexd built
 * in-process (one passive peer, no BGP listener, a few thousand originated prefixes).
 *
 * Covered: the socket file's mode (0660, whatever the umask) and a stale file in its place;
 * well-formed requests in text and JSON; empty, unknown, malformed, binary and oversized
 * requests, and too many words, each answered with one `error:` line; clients that connect
 * and say nothing, close early, or trickle their request a byte at a time; clients that go
 * away before reading the answer; many clients from several threads at once. After every
 * abuse the server must still answer a plain `show peers`. `dump mrt`: the file read back
 * through the MRT reader, the answer, bad arguments and paths, dumps racing each other.
 * The process does not ignore SIGPIPE, as routexd does: the control thread must not
 * depend on it. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <routex/conf.h>
#include <routex/ctl.h>
#include <routex/daemon.h>
#include <routex/mrt.h>

#define N_ORIGINATE 3000

static struct rx_daemon daemon_ctx;
static struct ctl_server *srv;
static char dir[32], sock_path[64];

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int connect_ctl(void)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static void send_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* the server may drop an abusive client: that is fine */
		c += w;
		n -= (size_t)w;
	}
}

/* Reads until EOF; returns a malloc'ed NUL-terminated string. */
static char *read_all(int fd, size_t *len_out)
{
	size_t cap = 65536, len = 0;
	char *buf = malloc(cap);
	assert_non_null(buf);
	for (;;) {
		if (len + 1 == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		ssize_t n = read(fd, buf + len, cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = 0;
	if (len_out)
		*len_out = len;
	return buf;
}

/* One request of `len` bytes (sent as is), the whole answer back. */
static char *ask_raw(const void *req, size_t len)
{
	int fd = connect_ctl();
	send_all(fd, req, len);
	shutdown(fd, SHUT_WR);
	char *ans = read_all(fd, NULL);
	close(fd);
	return ans;
}

static char *ask(const char *line)
{
	return ask_raw(line, strlen(line));
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void assert_answer(const char *line, const char *first_line_prefix)
{
	char *ans = ask(line);
	if (!starts_with(ans, first_line_prefix))
		fail_msg("request \"%.60s\": answer \"%.200s\", wanted \"%s...\"", line, ans,
			 first_line_prefix);
	free(ans);
}

/* The server is still there and sane. */
static void assert_alive(void)
{
	char *ans = ask("show peers\n");
	assert_true(starts_with(ans, "ok\n"));
	assert_non_null(strstr(ans, "nva1"));
	free(ans);
}

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/rx-test-ctl-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(sock_path, sizeof(sock_path), "%s/ctl.sock", dir);
	size_t cap = 64 * 1024 + N_ORIGINATE * 24;
	char *y = malloc(cap);
	assert_non_null(y);
	int n = snprintf(y, cap,
			 "router-id: 10.255.0.1\n"
			 "asn: 65515\n"
			 "listen: []\n"
			 "io-threads: 1\n"
			 "control-socket: %s\n"
			 "peers:\n"
			 "  - name: nva1\n"
			 "    address: 127.0.0.2\n"
			 "    asn: 65001\n"
			 "    role: nva\n"
			 "originate:\n",
			 sock_path);
	for (int i = 0; i < N_ORIGINATE; i++)
		n += snprintf(y + n, cap - (size_t)n, "  - 10.%d.%d.0/24\n", 100 + i / 256, i % 256);
	struct conf_daemon *conf;
	char err[512];
	if (conf_load_buffer("test_ctl.yaml", y, (size_t)n, &conf, err, sizeof(err)) != 0)
		fail_msg("config: %s", err);
	free(y);
	assert_true(daemon_init(&daemon_ctx, conf));
	assert_true(daemon_start(&daemon_ctx));
	mode_t old = umask(0); /* the most permissive umask: the socket must still be 0660 */
	srv = ctl_start(&daemon_ctx, sock_path);
	assert_int_equal(umask(old), 0); /* and ctl_start left the process umask as it was */
	assert_non_null(srv);
	/* The originated prefixes reach the RIB through the decision thread. */
	for (int i = 0; i < 500; i++) {
		char *ans = ask("show rib 10.111.183.0/24\n");
		bool there = strstr(ans, "10.111.183.0/24") != NULL;
		free(ans);
		if (there)
			break;
		usleep(10000);
	}
	return 0;
}

static int teardown(void **state)
{
	ctl_stop(srv);
	daemon_fini(&daemon_ctx);
	rmdir(dir);
	return 0;
}

/* ---- tests ---- */

static void test_socket_mode(void **state)
{
	struct stat st;
	assert_int_equal(stat(sock_path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0660);
}

static void test_wellformed(void **state)
{
	char *ans = ask("show peers\n");
	assert_true(starts_with(ans, "ok\n"));
	assert_non_null(strstr(ans, "nva1"));
	free(ans);
	ans = ask("json show peers\n");
	assert_true(starts_with(ans, "ok\n{"));
	assert_non_null(strstr(ans, "\"name\": \"nva1\""));
	free(ans);
	ans = ask("show rib 10.100.5.0/24"); /* no newline: EOF ends the line too */
	assert_true(starts_with(ans, "ok\n"));
	assert_non_null(strstr(ans, "10.100.5.0/24"));
	free(ans);
	assert_answer("show learned nva1\n", "ok\n");
	assert_answer("show advertised nva1\n", "ok\n");
	assert_answer("  \t show   peers \r\n", "ok\n");
	/* One request line per connection: what follows it is not part of the request. */
	assert_answer("show peers\nreload\n", "ok\n");
	assert_answer("exchange off\non\n", "ok\n");
}

static void test_empty_and_unknown(void **state)
{
	assert_answer("", "error: empty or oversized request\n");
	assert_answer("\n", "error: empty or oversized request\n");
	assert_answer(" \t\r\n", "error: empty or oversized request\n");
	assert_answer("json\n", "error: empty or oversized request\n");
	assert_answer("frobnicate\n", "error: unknown command");
	assert_answer("show\n", "error: unknown command");
	assert_answer("SHOW PEERS\n", "error: unknown command");
	assert_answer("json json show peers\n", "error: unknown command");
	assert_answer("show peers extra\n", "error: wrong number of arguments\n");
	assert_answer("show learned\n", "error: wrong number of arguments\n");
	assert_answer("show learned nosuchpeer\n", "error: no such peer\n");
	assert_answer("show advertised nosuchpeer\n", "error: no such peer\n");
	assert_answer("show rib not-a-prefix\n", "error: not a prefix or address\n");
	assert_answer("show rib 10.0.0.0/33\n", "error: not a prefix or address\n");
	assert_answer("exchange maybe\n", "error: exchange takes on or off\n");
	assert_answer("reload --now\n", "error: reload: unknown option\n");
	/* JSON callers get the reason as a document as well. */
	char *ans = ask("json frobnicate\n");
	assert_true(starts_with(ans, "error: unknown command"));
	assert_non_null(strstr(ans, "{\"error\": \"unknown command"));
	free(ans);
	assert_alive();
}

static void test_malformed_bytes(void **state)
{
	static const char nul[] = "show\0peers\n";
	char *ans = ask_raw(nul, sizeof(nul) - 1); /* the NUL ends the request: "show" */
	assert_true(starts_with(ans, "error: "));
	free(ans);
	uint8_t bin[512];
	for (size_t i = 0; i < sizeof(bin); i++)
		bin[i] = (uint8_t)(i * 37 + 11);
	bin[sizeof(bin) - 1] = '\n';
	ans = ask_raw(bin, sizeof(bin));
	assert_true(starts_with(ans, "error: "));
	free(ans);
	assert_answer("show rib \xff\xfe\x01\x1b[2J\n", "error: not a prefix or address\n");
	assert_answer("show learned \"\\\x01\n", "error: no such peer\n");
	/* more words than a request may have */
	assert_answer("show rib a b c d e f g h i j k l m n o p q r s t\n",
		      "error: empty or oversized request\n");
	assert_alive();
}

static void test_oversized(void **state)
{
	static char big[256 * 1024];
	/* a line longer than the limit, never ending */
	memset(big, 'a', sizeof(big));
	char *ans = ask_raw(big, 5000);
	assert_string_equal(ans, "error: request too long\n");
	free(ans);
	/* a flood far past it: the server answers, closes, and reads no more */
	ans = ask_raw(big, sizeof(big));
	assert_string_equal(ans, "error: request too long\n");
	free(ans);
	/* just under the limit with its newline: a (long) unknown command */
	memcpy(big, "show rib ", 9);
	big[4094] = '\n';
	ans = ask_raw(big, 4095);
	assert_true(starts_with(ans, "error: "));
	free(ans);
	/* a valid request padded with spaces up to the limit */
	memset(big, ' ', 4096);
	memcpy(big + 4000, "show peers\n", 11);
	ans = ask_raw(big, 4011);
	assert_true(starts_with(ans, "ok\n"));
	free(ans);
	memset(big, ' ', 4096); /* exactly the limit, newline last */
	memcpy(big + 4085, "show peers\n", 11);
	ans = ask_raw(big, 4096);
	assert_true(starts_with(ans, "ok\n"));
	free(ans);
	assert_alive();
}

/* A client that connects and says nothing, or closes at once, costs the server at most its
 * short wait. */
static void test_silent_and_vanishing_clients(void **state)
{
	for (int i = 0; i < 20; i++) /* connect, close at once */
		close(connect_ctl());
	int silent = connect_ctl();
	uint64_t t0 = now_ms();
	assert_alive(); /* waits behind the silent one */
	uint64_t waited = now_ms() - t0;
	assert_true(waited < 5000);
	/* The server has given up on it: EOF without an answer, or an error line. */
	char *ans = read_all(silent, NULL);
	assert_true(ans[0] == 0 || starts_with(ans, "error: "));
	free(ans);
	close(silent);
}

/* Clients that send a request and leave before the answer (a big one, or a small one),
 * and one that never reads a large answer until the end. */
static void test_client_leaves_before_answer(void **state)
{
	for (int i = 0; i < 10; i++) {
		int fd = connect_ctl();
		send_all(fd, i % 2 ? "show rib\n" : "show peers\n", i % 2 ? 9 : 11);
		close(fd); /* the server writes to a closed socket: EPIPE, not a signal */
	}
	assert_alive();
	/* The whole table in one answer, read slowly. */
	int fd = connect_ctl();
	send_all(fd, "show rib\n", 9);
	usleep(200000);
	size_t len;
	char *ans = read_all(fd, &len);
	close(fd);
	assert_true(starts_with(ans, "ok\n"));
	assert_true(len > 100000);
	assert_non_null(strstr(ans, "10.111.183.0/24"));
	free(ans);
	assert_alive();
}

struct trickle {
	int fd;
	bool stop; /* A: relaxed, a plain flag between two threads */
};

static void *trickle_main(void *arg)
{
	struct trickle *t = arg;
	for (int i = 0; i < 40 && !__atomic_load_n(&t->stop, __ATOMIC_RELAXED); i++) {
		send_all(t->fd, "s", 1);
		usleep(150000);
	}
	return NULL;
}

/* A client sending a byte every 150 ms never completes its line. The server's wait for a
 * request is bounded in total, not per byte: another client is answered within a few
 * seconds, not after the trickler's six. */
static void test_trickling_client(void **state)
{
	struct trickle t = {.fd = connect_ctl()};
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, trickle_main, &t), 0);
	usleep(50000);
	uint64_t t0 = now_ms();
	assert_alive();
	uint64_t waited = now_ms() - t0;
	__atomic_store_n(&t.stop, true, __ATOMIC_RELAXED);
	pthread_join(th, NULL);
	close(t.fd);
	if (waited >= 4000)
		fail_msg("a trickling client held the control socket for %llu ms",
			 (unsigned long long)waited);
}

#define N_THREADS 6
#define N_REQ 40

struct worker {
	int id;
	int bad;
	char what[256];
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	static const struct {
		const char *req, *want;
		const char *body;
	} reqs[] = {
		{"show peers\n", "ok\n", "nva1"},
		{"json show peers\n", "ok\n{", "\"route_exchange\""},
		{"show rib 10.100.7.0/24\n", "ok\n", "10.100.7.0/24"},
		{"json show rib 10.101.7.9\n", "ok\n{", "10.101.7.0/24"},
		{"show learned nva1\n", "ok\n", "0 prefixes learned from nva1"},
		{"show advertised nva1\n", "ok\n", "(session not established)"},
		{"exchange on\n", "ok\n", "route exchange on"},
		{"exchange off\n", "ok\n", "route exchange off"},
		{"frobnicate\n", "error: unknown command", NULL},
		{"\n", "error: empty or oversized request", NULL},
		{"show learned ghost\n", "error: no such peer", NULL},
	};
	for (int i = 0; i < N_REQ; i++) {
		size_t k = (size_t)(w->id * 7 + i) % (sizeof(reqs) / sizeof(reqs[0]));
		char *ans = ask(reqs[k].req);
		if (!starts_with(ans, reqs[k].want) || (reqs[k].body && !strstr(ans, reqs[k].body))) {
			w->bad++;
			snprintf(w->what, sizeof(w->what), "%s-> %.120s", reqs[k].req, ans);
		}
		free(ans);
	}
	return NULL;
}

/* Several threads at once, mixing reads, decision-thread commands and errors: every one
 * gets its own complete answer. */
static void test_concurrent_clients(void **state)
{
	pthread_t th[N_THREADS];
	struct worker w[N_THREADS];
	for (int i = 0; i < N_THREADS; i++) {
		w[i] = (struct worker){.id = i};
		assert_int_equal(pthread_create(&th[i], NULL, worker_main, &w[i]), 0);
	}
	for (int i = 0; i < N_THREADS; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < N_THREADS; i++)
		if (w[i].bad)
			fail_msg("thread %d: %d bad answers, e.g. %s", i, w[i].bad, w[i].what);
	assert_alive();
}

/* ---- dump mrt ---- */

struct dump_seen {
	size_t tables, entries, bad;
};

static int seen_table(void *arg, const struct mrt_peer_table *t)
{
	struct dump_seen *s = arg;
	s->tables++;
	/* local (index 0: 0.0.0.0, our AS and router id), then nva1 */
	assert_int_equal(t->count, 2);
	assert_int_equal(t->collector_id, 0x0AFF0001);
	assert_int_equal(t->peers[0].asn, 65515);
	assert_int_equal(t->peers[0].bgp_id, 0x0AFF0001);
	static const uint8_t zero[4], nva1[4] = {127, 0, 0, 2};
	assert_memory_equal(t->peers[0].addr, zero, 4);
	assert_int_equal(t->peers[1].asn, 65001);
	assert_memory_equal(t->peers[1].addr, nva1, 4);
	return 0;
}

static int seen_entry(void *arg, const struct mrt_rib_entry *e)
{
	struct dump_seen *s = arg;
	size_t i = s->entries++;
	/* The originated prefixes, in order, each from `local` with the router id as next
	 * hop, ORIGIN IGP and an empty AS_PATH. */
	uint8_t want[4] = {10, (uint8_t)(100 + i / 256), (uint8_t)(i % 256), 0};
	static const uint8_t rid[4] = {10, 255, 0, 1};
	const struct wire_attrs *a = &e->u->attrs;
	if (e->prefix.afi != RX_AFI_IPV4 || e->prefix.len != 24 ||
	    memcmp(e->prefix.addr, want, 4) != 0 || e->peer_index != 0 || e->has_path_id ||
	    e->action != WIRE_OK || memcmp(a->nexthop, rid, 4) != 0 ||
	    a->aspath_len != 0 || a->origin != WIRE_ORIGIN_IGP)
		s->bad++;
	return 0;
}

static void check_dump_file(const char *path)
{
	char err[256];
	struct mrt_reader *r = mrt_open(path, err, sizeof(err));
	if (!r)
		fail_msg("%s", err);
	struct dump_seen s = {0};
	struct mrt_handler h = {.peer_table = seen_table, .rib_entry = seen_entry, .arg = &s};
	assert_int_equal(mrt_walk(r, &h, NULL), MRT_END);
	mrt_close(r);
	assert_int_equal(s.tables, 1);
	assert_int_equal(s.entries, N_ORIGINATE);
	assert_int_equal(s.bad, 0);
	char tmp[160];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	struct stat st;
	assert_int_equal(stat(tmp, &st), -1); /* renamed, nothing left behind */
}

static void test_dump_mrt(void **state)
{
	char path[96], req[160], want[200];
	snprintf(path, sizeof(path), "%s/loc.mrt", dir);
	snprintf(req, sizeof(req), "dump mrt %s\n", path);
	char *ans = ask(req);
	snprintf(want, sizeof(want), "ok\n%s: loc-rib, %d prefixes, %d entries, 2 peers, ", path,
		 N_ORIGINATE, N_ORIGINATE);
	if (!starts_with(ans, want))
		fail_msg("answer \"%s\", wanted \"%s...\"", ans, want);
	free(ans);
	check_dump_file(path);
	/* The Adj-RIB-In of this RIB is the same routes; JSON answer; option first. */
	snprintf(req, sizeof(req), "json dump mrt --adj-rib-in %s\n", path);
	ans = ask(req);
	assert_true(starts_with(ans, "ok\n{\"file\": "));
	assert_non_null(strstr(ans, "\"rib\": \"adj-rib-in\", \"peers\": 2, \"prefixes\": 3000, "
				    "\"entries\": 3000, \"skipped\": 0, \"bytes\": "));
	free(ans);
	check_dump_file(path);
	unlink(path);

	assert_answer("dump mrt\n", "error: wrong number of arguments\n");
	assert_answer("dump mrt a b c\n", "error: wrong number of arguments\n");
	assert_answer("dump mrt relative.mrt\n", "error: dump mrt: FILE must be an absolute path\n");
	assert_answer("dump mrt /tmp/a /tmp/b\n", "error: usage: dump mrt FILE [--adj-rib-in]\n");
	assert_answer("dump mrt /tmp/a --all\n", "error: usage: dump mrt FILE [--adj-rib-in]\n");
	assert_answer("dump mrt --adj-rib-in\n", "error: usage: dump mrt FILE [--adj-rib-in]\n");
	assert_answer("dump mrt /nonexistent-dir-rx/x.mrt\n",
		      "error: dump mrt: cannot create /nonexistent-dir-rx/x.mrt.tmp: No such file "
		      "or directory\n");
	snprintf(req, sizeof(req), "dump mrt %s\n", dir);
	snprintf(want, sizeof(want), "error: dump mrt: %s: Is a directory\n", dir);
	assert_answer(req, want);
	assert_answer("json dump mrt x\n", "error: dump mrt: FILE must be an absolute path\n{\"error\"");
	assert_alive();
}

struct dumper {
	int id, ok, busy, bad;
	char what[200];
};

static void *dumper_main(void *arg)
{
	struct dumper *w = arg;
	char path[96], req[128];
	snprintf(path, sizeof(path), "%s/d%d.mrt", dir, w->id);
	bool json = w->id == 2;
	snprintf(req, sizeof(req), "%sdump mrt %s%s\n", json ? "json " : "", path,
		 w->id % 2 ? " --adj-rib-in" : "");
	for (int i = 0; i < 10; i++) {
		char *ans = ask(req);
		if (starts_with(ans, "ok\n"))
			w->ok++;
		else if (starts_with(ans, "error: a dump is already running\n") &&
			 (!json || strstr(ans, "{\"error\": \"a dump is already running\"}")))
			w->busy++;
		else
			snprintf(w->what, sizeof(w->what), "%.190s", ans), w->bad++;
		free(ans);
	}
	unlink(path);
	return NULL;
}

/* Dumps from several clients at once, beside other commands: each dump is done whole or
 * refused as busy (one at a time), and the other commands are answered meanwhile. */
static void test_dump_concurrent(void **state)
{
	enum { N = 3 };
	pthread_t th[N];
	struct dumper w[N];
	for (int i = 0; i < N; i++) {
		w[i] = (struct dumper){.id = i};
		assert_int_equal(pthread_create(&th[i], NULL, dumper_main, &w[i]), 0);
	}
	for (int i = 0; i < 20; i++)
		assert_alive();
	int ok = 0;
	for (int i = 0; i < N; i++) {
		pthread_join(th[i], NULL);
		if (w[i].bad)
			fail_msg("dumper %d: %d bad answers, e.g. %s", i, w[i].bad, w[i].what);
		ok += w[i].ok;
	}
	assert_true(ok > 0);
	assert_alive();
}

/* ctl_start replaces a stale socket file (a crashed earlier run) and ctl_stop removes it. */
static void test_stale_socket_replaced(void **state)
{
	char path[96];
	snprintf(path, sizeof(path), "%s/stale.sock", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	struct ctl_server *s2 = ctl_start(&daemon_ctx, path);
	assert_non_null(s2);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0660);
	ctl_stop(s2);
	assert_int_equal(stat(path, &st), -1);
	/* A path too long for sun_path is refused, not truncated. */
	char longp[200];
	memset(longp, 'x', sizeof(longp) - 1);
	longp[0] = '/';
	longp[sizeof(longp) - 1] = 0;
	assert_null(ctl_start(&daemon_ctx, longp));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_socket_mode),
		cmocka_unit_test(test_wellformed),
		cmocka_unit_test(test_empty_and_unknown),
		cmocka_unit_test(test_malformed_bytes),
		cmocka_unit_test(test_oversized),
		cmocka_unit_test(test_silent_and_vanishing_clients),
		cmocka_unit_test(test_client_leaves_before_answer),
		cmocka_unit_test(test_trickling_client),
		cmocka_unit_test(test_concurrent_clients),
		cmocka_unit_test(test_stale_socket_replaced),
		cmocka_unit_test(test_dump_mrt),
		cmocka_unit_test(test_dump_concurrent),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
