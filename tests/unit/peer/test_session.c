/* test_session.c: two session cores talking BGP to each other over a socketpair:
 * negotiation, Established, UPDATE delivery, RFC 7606 outcomes seen from both ends, hold
 * timer and send-backlog bound. No threads: the test pumps both ends. */
#include <fcntl.h>
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
	int established, updates, downs, refreshes;
	uint32_t last_nlri_count;
	enum wire_action last_action;
	char last_log[512];
	char last_down[128];
	uint8_t received[16]; /* types the `received` event saw, in order */
	unsigned nreceived;
	bool received_bad;    /* cur_msg did not hold a whole message of that type */
	enum fsm_state down_from;
};

static void ev_established(void *ctx, struct peer_session *s)
{
	(void)s;
	((struct side *)ctx)->established++;
}
static void ev_update(void *ctx, struct peer_session *s, const struct wire_update *u)
{
	(void)s;
	struct side *sd = ctx;
	sd->updates++;
	sd->last_nlri_count = u->nlri.count + u->mp_reach.count;
	sd->last_action = u->err.action;
}
static void ev_refresh(void *ctx, struct peer_session *s, const struct wire_route_refresh *rr)
{
	(void)s;
	(void)rr;
	((struct side *)ctx)->refreshes++;
}
static void ev_down(void *ctx, struct peer_session *s, const char *reason)
{
	(void)s;
	struct side *sd = ctx;
	sd->downs++;
	sd->down_from = s->down_from;
	snprintf(sd->last_down, sizeof(sd->last_down), "%s", reason);
}
static void ev_log(void *ctx, struct peer_session *s, const char *msg)
{
	(void)s;
	snprintf(((struct side *)ctx)->last_log, sizeof(((struct side *)ctx)->last_log), "%s", msg);
}
static void ev_received(void *ctx, struct peer_session *s, uint8_t type)
{
	struct side *sd = ctx;
	if (sd->nreceived < sizeof(sd->received))
		sd->received[sd->nreceived++] = type;
	if (!s->cur_msg || s->cur_len < WIRE_HEADER_LEN || s->cur_msg[18] != type ||
	    wire_get16(s->cur_msg + 16) != s->cur_len)
		sd->received_bad = true;
}
static const struct peer_events events = {ev_established, ev_update, ev_refresh,
					   ev_down,	   ev_log,    ev_received};

static struct wire_scratch scratch;
static struct side a, b;

static struct peer_session_cfg cfg_for(uint32_t local, uint32_t peer, uint32_t id)
{
	struct peer_session_cfg c = {
		.local_as = local,
		.router_id = id,
		.peer_as = peer,
		.hold_time = 90,
		.families = RX_FAM_BIT(RX_FAM_IPV4_UNICAST) | RX_FAM_BIT(RX_FAM_IPV6_UNICAST),
		.max_out_bytes = 1 << 20,
	};
	return c;
}

static void pump(uint64_t now)
{
	for (int i = 0; i < 20; i++) {
		if (a.s.fd >= 0)
			peer_session_readable(&a.s, now);
		if (b.s.fd >= 0)
			peer_session_readable(&b.s, now);
	}
}

static void connect_pair(struct peer_session_cfg ca, struct peer_session_cfg cb)
{
	int sv[2];
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	peer_session_init(&a.s, &ca, "a", &events, &a, &scratch);
	peer_session_init(&b.s, &cb, "b", &events, &b, &scratch);
	peer_session_connected(&a.s, sv[0], 1000);
	peer_session_connected(&b.s, sv[1], 1000);
	pump(1000);
}

static void teardown_pair(void)
{
	peer_session_fini(&a.s);
	peer_session_fini(&b.s);
}

static void test_establish_and_negotiate(void **state)
{
	(void)state;
	struct peer_session_cfg ca = cfg_for(65001, 65515, 0x0a000001);
	struct peer_session_cfg cb = cfg_for(65515, 65001, 0x0a000002);
	ca.hold_time = 30; /* the smaller hold time wins */
	cb.families = RX_FAM_BIT(RX_FAM_IPV4_UNICAST);
	connect_pair(ca, cb);
	assert_int_equal(a.s.state, FSM_ESTABLISHED);
	assert_int_equal(b.s.state, FSM_ESTABLISHED);
	assert_int_equal(a.established, 1);
	assert_int_equal(b.s.neg.hold_time, 30);
	assert_int_equal(b.s.neg.keepalive, 10);
	assert_int_equal(a.s.neg.families, RX_FAM_BIT(RX_FAM_IPV4_UNICAST));
	assert_true(a.s.neg.ctx.as4);
	assert_true(a.s.neg.ctx.ebgp);
	assert_int_equal(a.s.neg.peer_router_id, 0x0a000002);
	teardown_pair();
}

static void test_bad_peer_as(void **state)
{
	(void)state;
	connect_pair(cfg_for(65001, 65515, 1), cfg_for(65515, 65002, 2));
	/* b expected AS 65002: OPEN error 2/2 sent by b, received by a. */
	assert_int_equal(b.s.stats.last_error_code, WIRE_ERR_OPEN);
	assert_int_equal(b.s.stats.last_error_subcode, WIRE_OPEN_BAD_PEER_AS);
	assert_true(b.s.stats.last_error_sent);
	assert_int_equal(a.s.stats.last_error_code, WIRE_ERR_OPEN);
	assert_false(a.s.stats.last_error_sent);
	assert_int_equal(a.s.state, FSM_IDLE);
	assert_int_equal(a.established + b.established, 0);
	teardown_pair();
}

static size_t build_update(uint8_t *buf, const struct peer_session *s, int nprefixes)
{
	uint8_t path[] = {WIRE_AS_SEQUENCE, 1, 0, 0, 0xfd, 0xe9}; /* 65001 */
	struct wire_attrs at = {0};
	at.present = WIRE_ATTR_BIT(WIRE_ATTR_ORIGIN) | WIRE_ATTR_BIT(WIRE_ATTR_AS_PATH) |
		     WIRE_ATTR_BIT(WIRE_ATTR_NEXT_HOP);
	at.aspath = path;
	at.aspath_len = sizeof(path);
	memcpy(at.nexthop, (uint8_t[]){127, 0, 0, 2}, 4);
	uint8_t ab[256];
	size_t alen = wire_attrs_encode(&at, &s->neg.ctx, ab, sizeof(ab));
	assert_true(alen > 0);
	struct wire_update_builder bld;
	wire_update_begin(&bld, buf, WIRE_MAX_LEN, RX_FAM_IPV4_UNICAST, false, false, ab, alen,
			  NULL, 0);
	for (int i = 0; i < nprefixes; i++) {
		struct rx_prefix p = {.afi = RX_AFI_IPV4, .len = 24, .addr = {10, 1, (uint8_t)i, 0}};
		assert_true(wire_update_add(&bld, &p, 0));
	}
	return wire_update_finish(&bld);
}

/* The `received` event (the MRT message log's hook): every message but UPDATEs, whole in
 * cur_msg, before it is acted on; `down_from` names the state the session left. */
static void test_received_event(void **state)
{
	(void)state;
	connect_pair(cfg_for(65001, 65515, 1), cfg_for(65515, 65001, 2));
	assert_int_equal(b.nreceived, 2);
	assert_int_equal(b.received[0], WIRE_OPEN);
	assert_int_equal(b.received[1], WIRE_KEEPALIVE);
	uint8_t buf[WIRE_MAX_LEN];
	size_t n = build_update(buf, &a.s, 10);
	assert_true(peer_session_send(&a.s, buf, n, 2000));
	pump(2000);
	assert_int_equal(b.updates, 1);
	assert_int_equal(b.nreceived, 2); /* UPDATEs go to `update` only */
	peer_session_close(&a.s, WIRE_ERR_CEASE, 2, NULL, 0, "test");
	pump(2000);
	assert_int_equal(b.nreceived, 3);
	assert_int_equal(b.received[2], WIRE_NOTIFICATION);
	assert_false(b.received_bad);
	assert_int_equal(b.downs, 1);
	assert_int_equal(b.down_from, FSM_ESTABLISHED);
	teardown_pair();
}

static void test_update_delivered(void **state)
{
	(void)state;
	connect_pair(cfg_for(65001, 65515, 1), cfg_for(65515, 65001, 2));
	uint8_t buf[WIRE_MAX_LEN];
	size_t n = build_update(buf, &a.s, 100);
	assert_true(peer_session_send(&a.s, buf, n, 2000));
	pump(2000);
	assert_int_equal(b.updates, 1);
	assert_int_equal(b.last_nlri_count, 100);
	assert_int_equal(b.last_action, WIRE_OK);
	assert_int_equal(b.s.stats.msgs_in[WIRE_UPDATE], 1);
	teardown_pair();
}

/* update_raw: a message it takes never reaches the parser or update(); one it declines is
 * parsed and delivered as before (a malformed one still resets the session). */
static unsigned raw_calls;
static bool raw_take;
static bool raw_update(void *ctx, struct peer_session *s, const uint8_t *body, size_t len)
{
	(void)ctx;
	(void)s;
	raw_calls++;
	return raw_take && len >= 4;
}

static void test_update_raw_hook(void **state)
{
	(void)state;
	connect_pair(cfg_for(65001, 65515, 1), cfg_for(65515, 65001, 2));
	b.s.update_raw = raw_update;
	raw_calls = 0;
	uint8_t buf[WIRE_MAX_LEN];
	size_t n = build_update(buf, &a.s, 10);
	raw_take = true;
	assert_true(peer_session_send(&a.s, buf, n, 2000));
	pump(2000);
	assert_int_equal(raw_calls, 1);
	assert_int_equal(b.updates, 0);
	raw_take = false;
	assert_true(peer_session_send(&a.s, buf, n, 2000));
	pump(2000);
	assert_int_equal(raw_calls, 2);
	assert_int_equal(b.updates, 1);
	assert_int_equal(b.last_nlri_count, 10);
	buf[WIRE_HEADER_LEN + 3] = 0xF0; /* declined and malformed: the parser resets (3/1) */
	assert_true(peer_session_send(&a.s, buf, n, 2000));
	pump(2000);
	assert_int_equal(raw_calls, 3);
	assert_int_equal(b.downs, 1);
	assert_int_equal(a.s.stats.last_error_subcode, WIRE_UPD_MALFORMED_ATTR_LIST);
	teardown_pair();
}

static void test_malformed_update_resets_with_notification(void **state)
{
	(void)state;
	connect_pair(cfg_for(65001, 65515, 1), cfg_for(65515, 65001, 2));
	uint8_t buf[WIRE_MAX_LEN];
	size_t n = build_update(buf, &a.s, 1);
	buf[WIRE_HEADER_LEN + 3] = 0xF0; /* total path attribute length overruns: 3/1 */
	assert_true(peer_session_send(&a.s, buf, n, 2000));
	pump(2000);
	assert_int_equal(b.updates, 0);
	assert_int_equal(b.downs, 1);
	assert_int_equal(a.s.stats.last_error_code, WIRE_ERR_UPDATE);
	assert_int_equal(a.s.stats.last_error_subcode, WIRE_UPD_MALFORMED_ATTR_LIST);
	assert_non_null(strstr(b.last_log, "NOTIFICATION 3/1"));
	teardown_pair();
}

static void test_treat_as_withdraw_keeps_session(void **state)
{
	(void)state;
	connect_pair(cfg_for(65001, 65515, 1), cfg_for(65515, 65001, 2));
	uint8_t buf[WIRE_MAX_LEN];
	size_t n = build_update(buf, &a.s, 3);
	/* ORIGIN value 7 (first attribute: flags, type, len, value at offset 23+3). */
	assert_int_equal(buf[WIRE_HEADER_LEN + 4 + 1], WIRE_ATTR_ORIGIN);
	buf[WIRE_HEADER_LEN + 4 + 3] = 7;
	assert_true(peer_session_send(&a.s, buf, n, 2000));
	pump(2000);
	assert_int_equal(b.updates, 1);
	assert_int_equal(b.last_action, WIRE_TREAT_AS_WITHDRAW);
	assert_int_equal(b.s.state, FSM_ESTABLISHED);
	assert_int_equal(b.s.stats.updates_malformed, 1);
	assert_non_null(strstr(b.last_log, "treat-as-withdraw"));
	teardown_pair();
}

static void test_hold_timer_expires(void **state)
{
	(void)state;
	connect_pair(cfg_for(65001, 65515, 1), cfg_for(65515, 65001, 2));
	uint64_t deadline = peer_session_next_deadline(&b.s);
	assert_true(deadline > 1000);
	/* Before the hold time, only keepalives go out; after it, 4/0. */
	assert_true(peer_session_tick(&b.s, 1000 + 89 * 1000));
	assert_false(peer_session_tick(&b.s, 1000 + 91 * 1000));
	assert_int_equal(b.s.stats.last_error_code, WIRE_ERR_HOLD);
	pump(100000);
	assert_int_equal(a.s.stats.last_error_code, WIRE_ERR_HOLD);
	teardown_pair();
}

static void test_keepalives_keep_session(void **state)
{
	(void)state;
	connect_pair(cfg_for(65001, 65515, 1), cfg_for(65515, 65001, 2));
	for (uint64_t t = 1000; t < 400 * 1000; t += 5000) {
		peer_session_tick(&a.s, t);
		peer_session_tick(&b.s, t);
		pump(t);
	}
	assert_int_equal(a.s.state, FSM_ESTABLISHED);
	assert_int_equal(b.s.state, FSM_ESTABLISHED);
	assert_true(b.s.stats.msgs_in[WIRE_KEEPALIVE] > 10);
	teardown_pair();
}

static void test_backlog_bound_resets(void **state)
{
	(void)state;
	struct peer_session_cfg ca = cfg_for(65001, 65515, 1);
	ca.max_out_bytes = 64 * 1024;
	connect_pair(ca, cfg_for(65515, 65001, 2));
	uint8_t buf[WIRE_MAX_LEN];
	size_t n = build_update(buf, &a.s, 500);
	bool ok = true;
	/* b never reads: the socket buffer fills, then the bound. */
	for (int i = 0; i < 10000 && ok; i++)
		ok = peer_session_send(&a.s, buf, n, 2000);
	assert_false(ok);
	assert_int_equal(a.s.stats.last_error_code, WIRE_ERR_CEASE);
	assert_int_equal(a.s.stats.last_error_subcode, WIRE_CEASE_OUT_OF_RESOURCES);
	teardown_pair();
}

static void test_route_refresh_and_fsm_error(void **state)
{
	(void)state;
	connect_pair(cfg_for(65001, 65515, 1), cfg_for(65515, 65001, 2));
	uint8_t buf[64];
	size_t n = wire_route_refresh_encode(buf, sizeof(buf), RX_AFI_IPV4, RX_SAFI_UNICAST, 0);
	peer_session_send(&a.s, buf, n, 2000);
	pump(2000);
	assert_int_equal(b.refreshes, 1);
	/* An OPEN in Established is an FSM error (RFC 6608 subcode 3). */
	struct wire_open o;
	peer_open_build(&a.s.cfg, &o);
	n = wire_open_encode(buf, sizeof(buf), &o);
	peer_session_send(&a.s, buf, n, 2000);
	pump(2000);
	assert_int_equal(b.s.stats.last_error_code, WIRE_ERR_FSM);
	assert_int_equal(b.s.stats.last_error_subcode, 3);
	teardown_pair();
}

static void test_shutdown_message_logged_sanitised(void **state)
{
	(void)state;
	connect_pair(cfg_for(65001, 65515, 1), cfg_for(65515, 65001, 2));
	uint8_t buf[512];
	size_t n = wire_shutdown_encode(buf, sizeof(buf), WIRE_CEASE_ADMIN_SHUTDOWN,
					"maintenance\x1b[2J now");
	peer_session_send(&a.s, buf, n, 2000);
	pump(2000);
	assert_int_equal(b.s.state, FSM_IDLE);
	assert_non_null(strstr(b.last_log, "maintenance?[2J now"));
	assert_null(strchr(b.last_log, 0x1b));
	/* RFC 4271: no NOTIFICATION in answer to one. */
	assert_int_equal(b.s.stats.msgs_out[WIRE_NOTIFICATION], 0);
	teardown_pair();
}

/* RFC 9234 4.2: the route server's role against what a client announces, with and
 * without strict mode. */
static void test_role_negotiation(void **state)
{
	struct peer_session_cfg cfg = {.local_as = 64500, .peer_as = 64496, .router_id = 1,
				       .hold_time = 90, .role_present = true,
				       .role = WIRE_ROLE_RS,
				       .families = RX_FAM_BIT(RX_FAM_IPV4_UNICAST)};
	struct wire_open o = {.version = 4, .my_as = 64496, .asn = 64496, .hold_time = 90,
			      .bgp_id = 2};
	struct peer_negotiated neg;
	struct wire_error err;
	static const struct {
		bool strict, present;
		uint8_t role;
		bool ok;
	} cases[] = {
	    {false, false, 0, true},                     /* no role sent: fine unless strict */
	    {true, false, 0, false},                     /* strict: it must send one */
	    {false, true, WIRE_ROLE_RS_CLIENT, true},
	    {true, true, WIRE_ROLE_RS_CLIENT, true},
	    {false, true, WIRE_ROLE_CUSTOMER, false},    /* a mismatch, strict or not */
	    {false, true, WIRE_ROLE_RS, false},
	    {true, true, WIRE_ROLE_PEER, false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("case %zu\n", i);
		cfg.role_strict = cases[i].strict;
		o.caps.role_present = cases[i].present;
		o.caps.role = cases[i].role;
		assert_int_equal(peer_negotiate(&cfg, &o, &neg, &err), cases[i].ok);
		if (!cases[i].ok) {
			assert_int_equal(err.code, WIRE_ERR_OPEN);
			assert_int_equal(err.subcode, WIRE_OPEN_ROLE_MISMATCH);
		}
	}
	/* Without a local role nothing is checked. */
	cfg.role_present = false;
	cfg.role_strict = true;
	o.caps.role_present = true;
	o.caps.role = WIRE_ROLE_CUSTOMER;
	assert_true(peer_negotiate(&cfg, &o, &neg, &err));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_establish_and_negotiate),
		cmocka_unit_test(test_bad_peer_as),
		cmocka_unit_test(test_update_delivered),
		cmocka_unit_test(test_update_raw_hook),
		cmocka_unit_test(test_received_event),
		cmocka_unit_test(test_malformed_update_resets_with_notification),
		cmocka_unit_test(test_treat_as_withdraw_keeps_session),
		cmocka_unit_test(test_hold_timer_expires),
		cmocka_unit_test(test_keepalives_keep_session),
		cmocka_unit_test(test_backlog_bound_resets),
		cmocka_unit_test(test_route_refresh_and_fsm_error),
		cmocka_unit_test(test_shutdown_message_logged_sanitised),
		cmocka_unit_test(test_role_negotiation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
