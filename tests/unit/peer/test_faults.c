/* test_faults.c: a session core facing a faulty peer, with time passed explicitly.
 *
 * The session under test is `a`; its peer is either a second core (`b`) or, once both are
 * Established, the raw other end of the socket, which the test reads, writes, stops reading
 * or closes. Covered: a peer that stops reading (RFC 9687 send hold timer 8/0, and the
 * output bound, Cease/8) and one that reads slowly (no reset), a peer that dies in the
 * middle of an UPDATE (FIN over a socketpair, RST over TCP), hold timer expiry (4/0) at its
 * exact deadline, keepalives while one side is busy, and a jump of the clock.
 *
 * Time: the core takes `now` from its caller; routexd passes peer_now_ms(), which is
 * CLOCK_MONOTONIC. That clock is not moved by settimeofday or NTP steps (NTP only slews
 * it) and stops while the host is suspended, so a wall-clock change never expires a
 * session. It does move forward in one go when the process could not run for a while: a
 * VM paused or migrated, a stopped process, an I/O thread stalled by something else. Then
 * the peer's KEEPALIVEs of that interval are waiting unread in the socket, and a hold
 * deadline that looks past must not count as silence from the peer (test_clock_jump_*). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include <routex/peer.h>
#include <routex/wire.h>

struct side {
	struct peer_session s;
	int established, updates, downs;
	char last_down[128];
};

static void ev_established(void *ctx, struct peer_session *s)
{
	((struct side *)ctx)->established++;
}
static void ev_update(void *ctx, struct peer_session *s, const struct wire_update *u)
{
	((struct side *)ctx)->updates++;
}
static void ev_down(void *ctx, struct peer_session *s, const char *reason)
{
	struct side *sd = ctx;
	sd->downs++;
	snprintf(sd->last_down, sizeof(sd->last_down), "%s", reason);
}
static const struct peer_events events = {ev_established, ev_update, NULL, ev_down, NULL, NULL};

static struct wire_scratch scratch;
static struct side a, b;
static const uint8_t keepalive[WIRE_HEADER_LEN] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x13, WIRE_KEEPALIVE};

#define T0 1000000 /* the tests' time origin, ms */

static struct peer_session_cfg cfg_for(uint32_t local, uint32_t peer, uint32_t id, uint16_t hold)
{
	struct peer_session_cfg c = {
		.local_as = local,
		.router_id = id,
		.peer_as = peer,
		.hold_time = hold,
		.families = RX_FAM_BIT(RX_FAM_IPV4_UNICAST),
		.max_out_bytes = 4 << 20,
	};
	return c;
}

static void pump(uint64_t now)
{
	for (int i = 0; i < 8; i++) {
		if (a.s.fd >= 0)
			peer_session_readable(&a.s, now);
		if (b.s.fd >= 0)
			peer_session_readable(&b.s, now);
	}
}

/* Two cores over fds sv[0] (a) and sv[1] (b), brought to Established at T0. */
static void establish_fds(int fa, int fb, uint16_t hold, size_t max_out)
{
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	struct peer_session_cfg ca = cfg_for(65515, 65001, 0x0a000001, hold);
	struct peer_session_cfg cb = cfg_for(65001, 65515, 0x0a000002, hold);
	ca.max_out_bytes = max_out;
	peer_session_init(&a.s, &ca, "a", &events, &a, &scratch);
	peer_session_init(&b.s, &cb, "b", &events, &b, &scratch);
	peer_session_connected(&a.s, fa, T0);
	peer_session_connected(&b.s, fb, T0);
	pump(T0);
	assert_int_equal(a.s.state, FSM_ESTABLISHED);
	assert_int_equal(b.s.state, FSM_ESTABLISHED);
}

static void establish(uint16_t hold, size_t max_out)
{
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	establish_fds(sv[0], sv[1], hold, max_out);
}

/* b's socket, taken from its core: from now on the test is the peer. */
static int take_peer_fd(void)
{
	int fd = b.s.fd;
	b.s.fd = -1;
	b.s.state = FSM_IDLE;
	peer_session_fini(&b.s);
	return fd;
}

static void teardown(int peer_fd)
{
	peer_session_fini(&a.s);
	peer_session_fini(&b.s);
	if (peer_fd >= 0)
		close(peer_fd);
}

static size_t build_update(uint8_t *buf, size_t cap, int nprefixes)
{
	uint8_t path[] = {WIRE_AS_SEQUENCE, 1, 0, 0, 0xfd, 0xe9}; /* 65001 */
	struct wire_attrs at = {0};
	at.present = WIRE_ATTR_BIT(WIRE_ATTR_ORIGIN) | WIRE_ATTR_BIT(WIRE_ATTR_AS_PATH) |
		     WIRE_ATTR_BIT(WIRE_ATTR_NEXT_HOP);
	at.aspath = path;
	at.aspath_len = sizeof(path);
	memcpy(at.nexthop, (uint8_t[]){127, 0, 0, 2}, 4);
	uint8_t ab[256];
	struct wire_ctx ctx = {.as4 = true, .ebgp = true};
	size_t alen = wire_attrs_encode(&at, &ctx, ab, sizeof(ab));
	assert_true(alen > 0);
	struct wire_update_builder bld;
	wire_update_begin(&bld, buf, cap, RX_FAM_IPV4_UNICAST, false, false, ab, alen, NULL, 0);
	for (int i = 0; i < nprefixes; i++) {
		struct rx_prefix p = {.afi = RX_AFI_IPV4, .len = 24,
				      .addr = {10, (uint8_t)(i >> 8), (uint8_t)i, 0}};
		if (!wire_update_add(&bld, &p, 0))
			break;
	}
	return wire_update_finish(&bld);
}

/* Queues UPDATEs on a until the socket no longer takes them and `backlog` bytes wait. */
static void fill_until_backlog(size_t backlog, uint64_t now)
{
	uint8_t buf[WIRE_MAX_LEN];
	size_t n = build_update(buf, sizeof(buf), 900);
	while (peer_session_backlog(&a.s) < backlog)
		assert_true(peer_session_send(&a.s, buf, n, now));
}

/* Reads whatever the peer end holds; returns the byte count (EOF sets *eof). */
static size_t drain_fd(int fd, size_t max, bool *eof)
{
	static uint8_t buf[65536];
	size_t total = 0;
	while (total < max) {
		size_t want = max - total < sizeof(buf) ? max - total : sizeof(buf);
		ssize_t n = read(fd, buf, want);
		if (n == 0 && eof)
			*eof = true;
		if (n <= 0)
			break;
		total += (size_t)n;
	}
	return total;
}

static void write_all(int fd, const void *p, size_t n)
{
	assert_int_equal(write(fd, p, n), (ssize_t)n);
}

/* ---- a peer that stops reading ---- */

/* RFC 9687: a session whose output makes no progress for the hold time is reset with 8/0,
 * even though the peer's KEEPALIVEs keep our hold timer running; any progress restarts
 * the timer. */
static void test_send_hold_timer(void **state)
{
	establish(30, 4 << 20);
	int peer = take_peer_fd();
	uint64_t t = T0 + 1000;
	fill_until_backlog(100000, t);
	uint64_t stuck = t;
	assert_int_equal(a.s.send_hold_deadline, stuck + 30000);
	/* The peer is alive (KEEPALIVE every 10 s) but reads nothing. */
	for (t = stuck + 10000; t < stuck + 30000; t += 10000) {
		write_all(peer, keepalive, sizeof(keepalive));
		assert_true(peer_session_readable(&a.s, t));
		assert_true(peer_session_tick(&a.s, t));
	}
	/* Progress at +25 s (the peer reads a little) restarts the timer. */
	assert_true(drain_fd(peer, 32768, NULL) > 0);
	assert_true(peer_session_writable(&a.s, stuck + 25000));
	assert_true(peer_session_backlog(&a.s) > 0);
	assert_int_equal(a.s.send_hold_deadline, stuck + 25000 + 30000);
	write_all(peer, keepalive, sizeof(keepalive));
	assert_true(peer_session_readable(&a.s, stuck + 30000));
	assert_true(peer_session_tick(&a.s, stuck + 30000)); /* the old deadline: still up */
	write_all(peer, keepalive, sizeof(keepalive));
	assert_true(peer_session_readable(&a.s, stuck + 50000));
	assert_true(peer_session_tick(&a.s, stuck + 54999));
	assert_int_equal(a.downs, 0);
	/* One hold time without progress: 8/0, down, socket closed. */
	assert_false(peer_session_tick(&a.s, stuck + 55000));
	assert_int_equal(a.downs, 1);
	assert_string_equal(a.last_down, "send hold timer expired");
	assert_int_equal(a.s.stats.last_error_code, WIRE_ERR_SEND_HOLD);
	assert_int_equal(a.s.stats.last_error_subcode, 0);
	assert_true(a.s.stats.last_error_sent);
	assert_int_equal(a.s.fd, -1);
	assert_int_equal(peer_session_backlog(&a.s), 0);
	bool eof = false;
	drain_fd(peer, SIZE_MAX, &eof);
	assert_true(eof);
	teardown(peer);
}

/* A slow consumer is not a dead one: a peer that takes 128 KB every 20 s (hold 30) drains a
 * 2 MB backlog over minutes without the send hold timer firing. (Over a Unix socket the
 * writer sees room only once whole skbs are consumed, hence reads that large.) */
static void test_slow_consumer_keeps_session(void **state)
{
	establish(30, 4 << 20);
	int peer = take_peer_fd();
	uint64_t t = T0 + 1000;
	fill_until_backlog(2000000, t);
	int rounds = 0;
	while (peer_session_backlog(&a.s) > 0) {
		t += 20000;
		assert_true(drain_fd(peer, 131072, NULL) > 0);
		write_all(peer, keepalive, sizeof(keepalive));
		assert_true(peer_session_readable(&a.s, t));
		uint64_t out = a.s.stats.bytes_out;
		assert_true(peer_session_writable(&a.s, t));
		assert_true(a.s.stats.bytes_out > out); /* progress each round */
		assert_true(peer_session_tick(&a.s, t));
		assert_true(++rounds < 200);
	}
	assert_true(rounds >= 10); /* it did take a while */
	assert_int_equal(a.downs, 0);
	assert_int_equal(a.s.send_hold_deadline, 0);
	teardown(peer);
}

/* With hold time 0 there is no send hold timer (RFC 9687 follows the hold time); the
 * output bound is then what stops a peer that reads nothing: Cease/8 once passed, and
 * exactly at the bound a send is still taken. */
static void test_backlog_bound_cease(void **state)
{
	establish(0, 256 * 1024);
	int peer = take_peer_fd();
	uint64_t t = T0 + 1000;
	fill_until_backlog(1, t);
	assert_int_equal(a.s.send_hold_deadline, 0); /* hold time 0: none */
	/* Hours pass: nothing expires, the backlog stays. */
	assert_true(peer_session_tick(&a.s, t + 6 * 3600 * 1000));
	size_t room = a.s.cfg.max_out_bytes - peer_session_backlog(&a.s);
	static uint8_t big[256 * 1024];
	uint8_t one[WIRE_MAX_LEN];
	size_t n = build_update(one, sizeof(one), 900);
	size_t fill = 0;
	while (fill + n <= room) { /* whole messages up to the bound exactly */
		memcpy(big + fill, one, n);
		fill += n;
	}
	assert_true(peer_session_send(&a.s, big, fill, t));
	assert_true(peer_session_backlog(&a.s) <= a.s.cfg.max_out_bytes);
	assert_int_equal(a.downs, 0);
	/* One more message passes the bound. */
	assert_false(peer_session_send(&a.s, one, n, t));
	assert_int_equal(a.downs, 1);
	assert_string_equal(a.last_down, "output backlog bound exceeded");
	assert_int_equal(a.s.stats.last_error_code, WIRE_ERR_CEASE);
	assert_int_equal(a.s.stats.last_error_subcode, WIRE_CEASE_OUT_OF_RESOURCES);
	/* Down means down: nothing more is taken or written. */
	assert_false(peer_session_send(&a.s, keepalive, sizeof(keepalive), t));
	assert_false(peer_session_writable(&a.s, t));
	assert_false(peer_session_tick(&a.s, t));
	assert_int_equal(a.downs, 1);
	bool eof = false;
	drain_fd(peer, SIZE_MAX, &eof);
	assert_true(eof);
	teardown(peer);
}

/* ---- a peer that dies mid-UPDATE ---- */

static void half_update_then(int how)
{
	establish(90, 4 << 20);
	int peer = take_peer_fd();
	uint8_t buf[WIRE_MAX_LEN];
	size_t n = build_update(buf, sizeof(buf), 200);
	assert_true(n > 100);
	write_all(peer, buf, how == 0 ? WIRE_HEADER_LEN : n / 2);
	assert_true(peer_session_readable(&a.s, T0 + 1000)); /* waits for the rest */
	assert_int_equal(a.updates, 0);
	assert_int_equal(a.s.state, FSM_ESTABLISHED);
	if (how == 2)
		shutdown(peer, SHUT_WR); /* FIN, the peer still reads */
	else
		close(peer);
	assert_false(peer_session_readable(&a.s, T0 + 2000));
	assert_int_equal(a.updates, 0);
	assert_int_equal(a.downs, 1);
	assert_string_equal(a.last_down, "connection closed by peer");
	assert_int_equal(a.s.state, FSM_IDLE);
	assert_int_equal(a.s.in_len, 0); /* the half message is gone with the connection */
	/* RFC 4271 8.2.2: a TCP close is no error to report; no NOTIFICATION is sent. */
	assert_int_equal(a.s.stats.msgs_out[WIRE_NOTIFICATION], 0);
	assert_false(peer_session_tick(&a.s, T0 + 1000000));
	teardown(how == 2 ? peer : -1);
}

static void test_peer_closes_after_header(void **state)
{
	half_update_then(0);
}

static void test_peer_closes_mid_update(void **state)
{
	half_update_then(1);
}

static void test_peer_half_closes_mid_update(void **state)
{
	half_update_then(2);
}

/* Over TCP, a peer killed with unread data or SO_LINGER 0 resets the connection: the read
 * fails with ECONNRESET instead of returning EOF. */
static void test_peer_reset_mid_update_tcp(void **state)
{
	int l = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(l >= 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);
	assert_int_equal(bind(l, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(l, 1), 0);
	assert_int_equal(getsockname(l, (struct sockaddr *)&sa, &len), 0);
	int c = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(c, (struct sockaddr *)&sa, sizeof(sa)), 0);
	int s = accept(l, NULL, NULL);
	assert_true(s >= 0);
	close(l);
	fcntl(c, F_SETFL, O_NONBLOCK);
	fcntl(s, F_SETFL, O_NONBLOCK);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	struct peer_session_cfg ca = cfg_for(65515, 65001, 0x0a000001, 90);
	struct peer_session_cfg cb = cfg_for(65001, 65515, 0x0a000002, 90);
	peer_session_init(&a.s, &ca, "a", &events, &a, &scratch);
	peer_session_init(&b.s, &cb, "b", &events, &b, &scratch);
	peer_session_connected(&a.s, s, T0);
	peer_session_connected(&b.s, c, T0);
	for (int i = 0; i < 200 && (a.s.state != FSM_ESTABLISHED || b.s.state != FSM_ESTABLISHED); i++) {
		pump(T0);
		usleep(1000); /* loopback TCP: give the segments a moment */
	}
	assert_int_equal(a.s.state, FSM_ESTABLISHED);
	int peer = take_peer_fd();
	uint8_t buf[WIRE_MAX_LEN];
	size_t n = build_update(buf, sizeof(buf), 200);
	write_all(peer, buf, n / 2);
	struct linger lg = {.l_onoff = 1, .l_linger = 0};
	assert_int_equal(setsockopt(peer, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)), 0);
	close(peer); /* RST */
	for (int i = 0; i < 200 && a.s.fd >= 0; i++) {
		peer_session_readable(&a.s, T0 + 1000);
		usleep(1000);
	}
	assert_int_equal(a.s.fd, -1);
	assert_int_equal(a.updates, 0);
	assert_int_equal(a.downs, 1);
	assert_true(strcmp(a.last_down, "read error") == 0 ||
		    strcmp(a.last_down, "connection closed by peer") == 0);
	teardown(-1);
}

/* ---- hold timer ---- */

/* 4/0 exactly at the last message plus the hold time; each KEEPALIVE or UPDATE restarts
 * it; the peer receives the NOTIFICATION. */
static void test_hold_timer_expiry(void **state)
{
	establish(30, 4 << 20);
	assert_int_equal(a.s.hold_deadline, T0 + 30000);
	/* b sends a KEEPALIVE at +20 s (b's own timers are not ticked: only this one). */
	assert_true(peer_session_send(&b.s, keepalive, sizeof(keepalive), T0 + 20000));
	assert_true(peer_session_readable(&a.s, T0 + 20000));
	assert_int_equal(a.s.hold_deadline, T0 + 50000);
	/* and an UPDATE at +45 s */
	uint8_t buf[WIRE_MAX_LEN];
	size_t n = build_update(buf, sizeof(buf), 3);
	assert_true(peer_session_send(&b.s, buf, n, T0 + 45000));
	assert_true(peer_session_readable(&a.s, T0 + 45000));
	assert_int_equal(a.updates, 1);
	assert_true(peer_session_tick(&a.s, T0 + 74999));
	assert_int_equal(a.downs, 0);
	assert_false(peer_session_tick(&a.s, T0 + 75000));
	assert_int_equal(a.downs, 1);
	assert_string_equal(a.last_down, "hold timer expired");
	assert_int_equal(a.s.stats.last_error_code, WIRE_ERR_HOLD);
	assert_true(a.s.stats.last_error_sent);
	assert_false(peer_session_readable(&b.s, T0 + 75000));
	assert_int_equal(b.s.stats.last_error_code, WIRE_ERR_HOLD);
	assert_false(b.s.stats.last_error_sent);
	teardown(-1);
}

/* Before the OPEN, RFC 4271 8 suggests a large hold time: 4 minutes. */
static void test_hold_timer_waiting_for_open(void **state)
{
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	memset(&a, 0, sizeof(a));
	struct peer_session_cfg ca = cfg_for(65515, 65001, 0x0a000001, 9);
	peer_session_init(&a.s, &ca, "a", &events, &a, &scratch);
	peer_session_connected(&a.s, sv[0], T0);
	assert_int_equal(a.s.state, FSM_OPENSENT);
	assert_int_equal(peer_session_next_deadline(&a.s), T0 + 240000);
	assert_true(peer_session_tick(&a.s, T0 + 239999));
	assert_false(peer_session_tick(&a.s, T0 + 240000));
	assert_int_equal(a.s.stats.last_error_code, WIRE_ERR_HOLD);
	assert_int_equal(a.downs, 1); /* OpenSent counts as up for the down event */
	teardown(sv[1]);
}

/* ---- keepalives while one side is busy ---- */

/* b's I/O thread is busy 5 s out of every 10 (it neither reads nor ticks); hold time 9 s,
 * KEEPALIVE every 3 s. a keeps sending KEEPALIVEs on time into the socket, b finds them
 * when it comes back (its own KEEPALIVEs go out late, but within the hold time), and
 * neither side expires over ten minutes. */
static void test_keepalives_while_peer_busy(void **state)
{
	establish(9, 4 << 20);
	assert_int_equal(a.s.neg.keepalive, 3);
	for (uint64_t t = T0 + 1000; t <= T0 + 600000; t += 1000) {
		assert_true(peer_session_readable(&a.s, t));
		assert_true(peer_session_tick(&a.s, t));
		bool b_busy = (t - T0) % 10000 >= 1000 && (t - T0) % 10000 <= 5000;
		if (!b_busy) {
			assert_true(peer_session_readable(&b.s, t));
			assert_true(peer_session_tick(&b.s, t));
		}
	}
	assert_int_equal(a.s.state, FSM_ESTABLISHED);
	assert_int_equal(b.s.state, FSM_ESTABLISHED);
	/* One KEEPALIVE per interval from a (plus the one answering the OPEN). */
	assert_int_equal(a.s.stats.msgs_out[WIRE_KEEPALIVE], 1 + 600 / 3);
	assert_true(b.s.stats.msgs_in[WIRE_KEEPALIVE] >= 600 / 3);
	assert_int_equal(a.downs + b.downs, 0);
	teardown(-1);
}

/* The session's own loop is late (busy for 2.5 keepalive intervals, less than the hold
 * time): the next tick sends one KEEPALIVE, not a burst, and re-arms from now. */
static void test_late_tick_sends_one_keepalive(void **state)
{
	establish(90, 4 << 20);
	uint64_t before = a.s.stats.msgs_out[WIRE_KEEPALIVE];
	assert_int_equal(a.s.keepalive_due, T0 + 30000);
	assert_true(peer_session_tick(&a.s, T0 + 75000));
	assert_int_equal(a.s.stats.msgs_out[WIRE_KEEPALIVE], before + 1);
	assert_int_equal(a.s.keepalive_due, T0 + 75000 + 30000);
	assert_true(peer_session_readable(&b.s, T0 + 75000));
	assert_int_equal(b.s.hold_deadline, T0 + 75000 + 90000);
	teardown(-1);
}

/* ---- clock jumps ---- */

/* a's thread could not run for 100 s (hold 90) while b sent its KEEPALIVEs (at 30 and
 * 60 s); they wait in a's socket. When a runs again its first call may well be the tick
 * (io.c ticks every peer after at most 64 events per epoll_wait, and a resumed VM finds
 * its clock already past the deadline): the session must read what is waiting before it
 * decides that the peer has been silent for a hold time. (b's own view of a's silence is
 * not the point here: b is not ticked past its deadline.) */
static void test_clock_jump_pending_keepalives(void **state)
{
	establish(90, 4 << 20);
	for (uint64_t t = T0 + 30000; t <= T0 + 60000; t += 30000)
		assert_true(peer_session_tick(&b.s, t)); /* b sends, a does not run */
	assert_true(peer_session_tick(&a.s, T0 + 100000));
	assert_int_equal(a.s.state, FSM_ESTABLISHED);
	assert_int_equal(a.downs, 0);
	assert_int_equal(a.s.hold_deadline, T0 + 100000 + 90000);
	assert_int_equal(a.s.stats.msgs_in[WIRE_KEEPALIVE], 1 + 2);
	/* The tick also sent a's own overdue KEEPALIVE. */
	assert_true(peer_session_readable(&b.s, T0 + 100000));
	assert_int_equal(b.s.hold_deadline, T0 + 100000 + 90000);
	teardown(-1);
}

/* The same jump with nothing waiting: the peer really was silent for longer than the
 * hold time, and the session expires (4/0). */
static void test_clock_jump_silent_peer_expires(void **state)
{
	establish(90, 4 << 20);
	assert_false(peer_session_tick(&a.s, T0 + 100000));
	assert_int_equal(a.s.stats.last_error_code, WIRE_ERR_HOLD);
	assert_int_equal(a.downs, 1);
	teardown(-1);
}

/* Half a KEEPALIVE is no message: it does not restart the hold timer. */
static void test_clock_jump_partial_message_expires(void **state)
{
	establish(90, 4 << 20);
	int peer = take_peer_fd();
	write_all(peer, keepalive, 10);
	assert_false(peer_session_tick(&a.s, T0 + 100000));
	assert_int_equal(a.s.stats.last_error_code, WIRE_ERR_HOLD);
	teardown(peer);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_send_hold_timer),
		cmocka_unit_test(test_slow_consumer_keeps_session),
		cmocka_unit_test(test_backlog_bound_cease),
		cmocka_unit_test(test_peer_closes_after_header),
		cmocka_unit_test(test_peer_closes_mid_update),
		cmocka_unit_test(test_peer_half_closes_mid_update),
		cmocka_unit_test(test_peer_reset_mid_update_tcp),
		cmocka_unit_test(test_hold_timer_expiry),
		cmocka_unit_test(test_hold_timer_waiting_for_open),
		cmocka_unit_test(test_keepalives_while_peer_busy),
		cmocka_unit_test(test_late_tick_sends_one_keepalive),
		cmocka_unit_test(test_clock_jump_pending_keepalives),
		cmocka_unit_test(test_clock_jump_silent_peer_expires),
		cmocka_unit_test(test_clock_jump_partial_message_expires),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
