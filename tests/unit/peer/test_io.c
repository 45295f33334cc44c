/* test_io.c: two I/O loops (two threads) peering over real TCP on loopback: an active peer
 * connects to a passive one, both reach Established, an UPDATE sent with io_send arrives,
 * a stranger's connection is refused with Cease/5, and a close with hold-down keeps the
 * session down until the hold-down ends. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <routex/io.h>
#include <routex/peer.h>
#include <routex/wire.h>

static int established[2], downs[2], updates[2], refused; /* A: relaxed counters */
static struct io_loop la, lb;
static struct io_peer pa, pb; /* pa lives on la (passive), pb on lb (active) */
static uint16_t port;

static int side(struct peer_session *s)
{
	return s == &pa.s ? 0 : 1;
}
static void ev_est(void *ctx, struct peer_session *s)
{
	__atomic_fetch_add(&established[side(s)], 1, __ATOMIC_RELAXED);
}
static void ev_upd(void *ctx, struct peer_session *s, const struct wire_update *u)
{
	__atomic_fetch_add(&updates[side(s)], (int)u->nlri.count, __ATOMIC_RELAXED);
}
static void ev_down(void *ctx, struct peer_session *s, const char *reason)
{
	__atomic_fetch_add(&downs[side(s)], 1, __ATOMIC_RELAXED);
}
static int limit_logged; /* A: relaxed */

static void ev_log(void *ctx, struct peer_session *s, const char *msg)
{
	if (strstr(msg, "received NOTIFICATION 6/1") && strstr(msg, "AFI 1 SAFI 1 limit 3"))
		__atomic_store_n(&limit_logged, 1, __ATOMIC_RELAXED);
	fprintf(stderr, "[%s] %s\n", s->name, msg);
}
static void loop_log(void *ctx, const char *msg)
{
	if (strstr(msg, "unconfigured"))
		__atomic_fetch_add(&refused, 1, __ATOMIC_RELAXED);
	fprintf(stderr, "[loop] %s\n", msg);
}
static const struct peer_events events = {ev_est, ev_upd, NULL, ev_down, ev_log, NULL};

static struct sockaddr_in sin_of(const char *ip, uint16_t p)
{
	struct sockaddr_in s = {.sin_family = AF_INET, .sin_port = htons(p)};
	inet_pton(AF_INET, ip, &s.sin_addr);
	return s;
}

/* Backpressure: the backlog loop A sees (its sessions pause above IO_BACKLOG_PAUSE). */
static size_t backlog_v; /* A: relaxed */

static size_t fake_backlog(void *ctx)
{
	return __atomic_load_n(&backlog_v, __ATOMIC_RELAXED);
}

static struct io_peer *find(void *ctx, const struct sockaddr *sa)
{
	const struct sockaddr_in *s = (const struct sockaddr_in *)sa;
	struct sockaddr_in want = sin_of("127.0.0.2", 0);
	return s->sin_addr.s_addr == want.sin_addr.s_addr ? &pa : NULL;
}

static int get(int *v)
{
	return __atomic_load_n(v, __ATOMIC_RELAXED);
}

/* Polls until *v reaches want or 10 s pass. */
static bool wait_for(int *v, int want)
{
	for (int i = 0; i < 1000; i++) {
		if (get(v) >= want)
			return true;
		usleep(10000);
	}
	return false;
}

static int setup(void **state)
{
	struct peer_session_cfg ca = {.local_as = 65515, .router_id = 1, .peer_as = 65001,
				      .hold_time = 9, .passive = true,
				      .families = RX_FAM_BIT(RX_FAM_IPV4_UNICAST),
				      .max_out_bytes = 1 << 20};
	struct peer_session_cfg cb = ca;
	cb.local_as = 65001, cb.peer_as = 65515, cb.router_id = 2, cb.passive = false;
	cb.connect_retry = 1;
	assert_true(io_loop_init(&la, &events, NULL));
	assert_true(io_loop_init(&lb, &events, NULL));
	la.find_peer = find;
	la.backlog = fake_backlog;
	la.log = lb.log = loop_log;
	static struct io_loop *all_a[1] = {&la}, *all_b[1] = {&lb};
	la.loops = all_a, la.n_loops = 1;
	lb.loops = all_b, lb.n_loops = 1;
	/* A free port: bind port 0 to learn one, then listen on it. */
	for (port = 20179; port < 20279; port++) {
		struct sockaddr_in s = sin_of("127.0.0.1", port);
		if (io_loop_listen(&la, (struct sockaddr *)&s, sizeof(s)))
			break;
	}
	struct sockaddr_in ra = sin_of("127.0.0.2", 0), rb = sin_of("127.0.0.1", port);
	io_peer_init(&pa, &ca, "b-from-a", (struct sockaddr *)&ra, sizeof(ra), NULL);
	io_peer_init(&pb, &cb, "a-from-b", (struct sockaddr *)&rb, sizeof(rb), NULL);
	struct sockaddr_in local = sin_of("127.0.0.2", 0);
	memcpy(&pb.local, &local, sizeof(local));
	assert_true(io_loop_start(&la));
	assert_true(io_loop_start(&lb));
	io_loop_add_peer(&la, &pa);
	io_loop_add_peer(&lb, &pb);
	return 0;
}

static int teardown(void **state)
{
	io_loop_stop(&la);
	io_loop_stop(&lb);
	io_loop_fini(&la);
	io_loop_fini(&lb);
	return 0;
}

static void test_active_passive_establish(void **state)
{
	assert_true(wait_for(&established[0], 1));
	assert_true(wait_for(&established[1], 1));
}

/* B sends A one UPDATE of 50 prefixes (10.9.<base + i>.0/24). */
static void send_50(uint8_t base)
{
	uint8_t path[] = {WIRE_AS_SEQUENCE, 1, 0, 0, 0xfd, 0xe9};
	struct wire_attrs at = {.present = WIRE_ATTR_BIT(WIRE_ATTR_ORIGIN) |
					   WIRE_ATTR_BIT(WIRE_ATTR_AS_PATH) |
					   WIRE_ATTR_BIT(WIRE_ATTR_NEXT_HOP),
				.aspath = path, .aspath_len = sizeof(path),
				.nexthop = {127, 0, 0, 2}};
	struct wire_ctx ctx = {.as4 = true};
	uint8_t ab[128], msg[WIRE_MAX_LEN];
	size_t alen = wire_attrs_encode(&at, &ctx, ab, sizeof(ab));
	struct wire_update_builder b;
	wire_update_begin(&b, msg, sizeof(msg), RX_FAM_IPV4_UNICAST, false, false, ab, alen, NULL, 0);
	for (int i = 0; i < 50; i++) {
		struct rx_prefix p = {.afi = RX_AFI_IPV4, .len = 24,
				      .addr = {10, 9, (uint8_t)(base + i), 0}};
		assert_true(wire_update_add(&b, &p, 0));
	}
	size_t n = wire_update_finish(&b);
	struct io_out *o = io_out_new(n);
	memcpy(o->data, msg, n);
	io_send(&pb, o);
	io_out_unref(o);
}

static void test_update_through_io_send(void **state)
{
	send_50(0);
	assert_true(wait_for(&updates[0], 50));
}

/* Above the pause mark A stops reading (the UPDATE waits in the socket, the session stays
 * up); once the backlog falls below the resume mark it is read and delivered. */
static void test_backpressure_pauses_reading(void **state)
{
	int before = get(&updates[0]), down_before = get(&downs[0]);
	__atomic_store_n(&backlog_v, (size_t)IO_BACKLOG_PAUSE, __ATOMIC_RELAXED);
	/* A read already under way (a KEEPALIVE's) may take whatever arrives meanwhile: the
	 * mark is checked per readiness event. Let it end before sending. */
	usleep(300 * 1000);
	send_50(50);
	usleep(500 * 1000);
	assert_int_equal(get(&updates[0]), before);
	__atomic_store_n(&backlog_v, (size_t)IO_BACKLOG_RESUME, __ATOMIC_RELAXED);
	usleep(200 * 1000); /* between the marks: still paused (hysteresis) */
	assert_int_equal(get(&updates[0]), before);
	__atomic_store_n(&backlog_v, (size_t)IO_BACKLOG_RESUME - 1, __ATOMIC_RELAXED);
	assert_true(wait_for(&updates[0], before + 50));
	assert_int_equal(get(&downs[0]), down_before);
	__atomic_store_n(&backlog_v, 0, __ATOMIC_RELAXED);
}

static void test_stranger_refused(void **state)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in me = sin_of("127.0.0.3", 0), srv = sin_of("127.0.0.1", port);
	assert_int_equal(bind(fd, (struct sockaddr *)&me, sizeof(me)), 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&srv, sizeof(srv)), 0);
	uint8_t buf[64];
	ssize_t n = read(fd, buf, sizeof(buf));
	assert_int_equal(n, 21); /* NOTIFICATION Cease / Connection Rejected, then EOF */
	assert_int_equal(buf[18], WIRE_NOTIFICATION);
	assert_int_equal(buf[19], WIRE_ERR_CEASE);
	assert_int_equal(buf[20], WIRE_CEASE_CONN_REJECTED);
	assert_int_equal(read(fd, buf, sizeof(buf)), 0);
	close(fd);
	assert_true(wait_for(&refused, 1));
	assert_int_equal(get(&established[0]), 1); /* the real session is untouched */
}

static void test_close_with_hold_down(void **state)
{
	static const uint8_t limit[7] = {0, 1, 1, 0, 0, 0, 3}; /* IPv4 unicast, 3 prefixes */
	io_close_peer(&pa, WIRE_ERR_CEASE, WIRE_CEASE_MAX_PREFIXES, limit, sizeof(limit), 2);
	assert_true(wait_for(&downs[0], 1));
	assert_true(wait_for(&downs[1], 1));
	assert_true(wait_for(&limit_logged, 1)); /* RFC 4486 data reached the other side */
	usleep(1000 * 1000); /* inside the hold-down: B's retries are refused */
	assert_int_equal(get(&established[0]), 1);
	assert_true(wait_for(&established[0], 2)); /* after it, the session comes back */
	assert_true(wait_for(&established[1], 2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_active_passive_establish),
		cmocka_unit_test(test_update_through_io_send),
		cmocka_unit_test(test_backpressure_pauses_reading),
		cmocka_unit_test(test_stranger_refused),
		cmocka_unit_test(test_close_with_hold_down),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
