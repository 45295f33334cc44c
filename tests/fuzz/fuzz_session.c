/* fuzz_session.c: libFuzzer target that drives one whole BGP session core (src/peer/session.c)
 * through the FSM from a byte stream, over a real socketpair, with time passed explicitly.
 *
 * The harness plays the remote peer and the session's owner (the I/O loop). The input is a
 * schedule (see tests/fuzz/README.md for the byte layout):
 *   octets 0-1  the local configuration: 4-octet local AS, iBGP, RFC 8654, RFC 9234 role,
 *               graceful restart, ADD-PATH, IPv6, a small output bound, hold time, role;
 *   then ops    deliver raw bytes or a templated message (OPEN, KEEPALIVE, UPDATE, big
 *               UPDATE, NOTIFICATION, ROUTE-REFRESH, End-of-RIB, a cut message) to the
 *               session's socket, with or without a read; pass time and tick; queue output
 *               as the owner does (UPDATE blocks, ROUTE-REFRESH); stop reading the socket
 *               (the session's output piles up) or drain it; close the remote end; close the
 *               session locally; reconnect after it went down.
 *
 * Invariants (each broken one aborts, so libFuzzer reports it with the input):
 *   - every message the session writes passes the codec: header, then OPEN / UPDATE /
 *     NOTIFICATION / ROUTE-REFRESH parse (UPDATEs with WIRE_OK); the first is an OPEN that
 *     carries our AS and hold time; nothing follows a NOTIFICATION on a connection;
 *   - UPDATE and ROUTE-REFRESH callbacks only in Established; `established` once per
 *     connection and only from OpenConfirm; `down` exactly once per connection that reached
 *     OpenSent, and the socket is closed (the remote end reads EOF) when it is reported;
 *   - timers: the hold deadline is exactly the last message consumed plus the negotiated
 *     hold time (240 s in OpenSent); the keepalive deadline is the last KEEPALIVE sent plus
 *     the keepalive interval; after a tick no deadline is in the past (no busy loop); a 4/0
 *     is never sent before the hold deadline and always by it; the RFC 9687 send hold timer
 *     (8/0) fires only after a hold time without output progress, and always by then;
 *   - the output backlog never exceeds the configured bound. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <routex/peer.h>
#include <routex/wire.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FAIL(...)                                                                                  \
	do {                                                                                       \
		fprintf(stderr, "fuzz_session invariant: " __VA_ARGS__);                           \
		fputc('\n', stderr);                                                               \
		abort();                                                                           \
	} while (0)

#define LOCAL_ID 0x0a000001u
#define PEER_ID 0x0a000002u
#define OPEN_HOLD_MS (240 * 1000) /* session.c: hold time while waiting for the OPEN */
#define RBUF_LEN (4 * 65536)

static bool trace; /* FUZZ_SESSION_TRACE=1: one line per op on stderr, to read a schedule */

static const uint16_t hold_times[8] = {0, 3, 4, 9, 30, 90, 180, 65535};

/* The input, consumed front to back; reads past the end give zeros. */
struct in {
	const uint8_t *p;
	size_t n;
};

static uint8_t take(struct in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static uint16_t take16(struct in *in)
{
	uint16_t hi = take(in);
	return (uint16_t)(hi << 8 | take(in));
}

/* Everything the harness knows about the session and the current connection. */
static struct h {
	struct peer_session s;
	struct wire_scratch scratch, rscratch;
	int peer;                 /* the remote end, -1 when none */
	uint64_t now;
	bool stalled;             /* the remote stopped reading */
	bool in_conn;             /* a connection was handed to the session */
	bool established_seen;
	unsigned downs;           /* down events of this connection */
	uint64_t conn_at;         /* when it was handed over */
	uint64_t last_in;         /* op time the session last consumed a message */
	uint64_t last_ka;         /* op time the session last sent a KEEPALIVE */
	uint64_t sh_anchor;       /* op time of the last output progress (send hold) */
	/* What the remote end read on this connection. */
	uint8_t rbuf[RBUF_LEN];
	size_t rlen;
	bool r_open, r_notif, r_eof;
	struct wire_ctx rctx;     /* to parse what the session sends */
} h;

/* ---- events ---- */

static void ev_established(void *ctx, struct peer_session *s)
{
	if (s->state != FSM_ESTABLISHED || h.established_seen)
		FAIL("established event in %s (seen before: %d)", fsm_state_name(s->state),
		     h.established_seen);
	h.established_seen = true;
}

static void ev_update(void *ctx, struct peer_session *s, const struct wire_update *u)
{
	if (s->state != FSM_ESTABLISHED)
		FAIL("UPDATE delivered in %s", fsm_state_name(s->state));
	if (u->err.action == WIRE_SESSION_RESET)
		FAIL("UPDATE delivered with action session reset");
}

static void ev_refresh(void *ctx, struct peer_session *s, const struct wire_route_refresh *rr)
{
	if (s->state != FSM_ESTABLISHED)
		FAIL("ROUTE-REFRESH delivered in %s", fsm_state_name(s->state));
}

static void ev_down(void *ctx, struct peer_session *s, const char *reason)
{
	if (!h.in_conn)
		FAIL("down event without a connection");
	if (s->fd >= 0)
		FAIL("down event with the socket still open");
	if (!reason || !reason[0])
		FAIL("down event without a reason");
	h.downs++;
}

static void ev_log(void *ctx, struct peer_session *s, const char *msg)
{
}

static const struct peer_events events = {ev_established, ev_update, ev_refresh,
					   ev_down,	   ev_log,    NULL};

/* ---- the remote end: reading and checking what the session sends ---- */

static void check_msg(const uint8_t *m, size_t len, uint8_t type)
{
	const uint8_t *body = m + WIRE_HEADER_LEN;
	size_t blen = len - WIRE_HEADER_LEN;
	struct wire_error err;
	if (h.r_notif)
		FAIL("%s sent after a NOTIFICATION", wire_msg_name(type));
	if (!h.r_open && type != WIRE_OPEN)
		FAIL("%s sent before the OPEN", wire_msg_name(type));
	switch (type) {
	case WIRE_OPEN: {
		struct wire_open o;
		if (h.r_open)
			FAIL("second OPEN on a connection");
		if (!wire_open_parse(body, blen, &o, &err))
			FAIL("our OPEN does not parse: %s", err.reason ? err.reason : "?");
		if (o.asn != h.s.cfg.local_as || o.hold_time != h.s.cfg.hold_time ||
		    o.bgp_id != h.s.cfg.router_id || o.caps.ext_msg != h.s.cfg.ext_msg)
			FAIL("our OPEN does not say what the configuration does");
		h.r_open = true;
		break;
	}
	case WIRE_UPDATE: {
		struct wire_update u;
		if (!h.established_seen)
			FAIL("UPDATE sent before Established");
		enum wire_action a = wire_update_parse(body, blen, &h.rctx, &u, &h.rscratch);
		if (a != WIRE_OK)
			FAIL("UPDATE sent that parses with action %d (%s)", a,
			     u.err.reason ? u.err.reason : "?");
		break;
	}
	case WIRE_NOTIFICATION: {
		struct wire_notification n;
		if (!wire_notification_parse(body, blen, &n))
			FAIL("NOTIFICATION sent that does not parse");
		if (n.code < WIRE_ERR_HEADER || n.code > WIRE_ERR_SEND_HOLD)
			FAIL("NOTIFICATION with code %u", n.code);
		h.r_notif = true;
		break;
	}
	case WIRE_ROUTE_REFRESH: {
		struct wire_route_refresh rr;
		if (!wire_route_refresh_parse(body, blen, &rr, &err))
			FAIL("ROUTE-REFRESH sent that does not parse");
		break;
	}
	default: /* KEEPALIVE: the header check saw to its length */
		break;
	}
}

/* Reads what the remote end has and checks every complete message. */
static void remote_read(void)
{
	if (h.peer < 0 || h.r_eof)
		return;
	for (;;) {
		if (h.rlen == RBUF_LEN)
			FAIL("remote buffer full without a complete message");
		ssize_t n = read(h.peer, h.rbuf + h.rlen, RBUF_LEN - h.rlen);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			h.r_eof = true;
			break;
		}
		h.rlen += (size_t)n;
		size_t off = 0;
		while (h.rlen - off >= WIRE_HEADER_LEN) {
			uint8_t type;
			struct wire_error err;
			size_t max = h.rctx.ext_msg ? WIRE_EXT_MAX_LEN : WIRE_MAX_LEN;
			size_t mlen = wire_header_check(h.rbuf + off, h.rlen - off, max, &type, &err);
			if (!mlen)
				FAIL("the session sent a bad header: %s", err.reason ? err.reason : "?");
			if (h.rlen - off < mlen)
				break;
			check_msg(h.rbuf + off, mlen, type);
			off += mlen;
		}
		memmove(h.rbuf, h.rbuf + off, h.rlen - off);
		h.rlen -= off;
	}
	/* A connection reset with a backlog may end inside a message; nothing else may. */
	if (h.r_eof && h.s.fd >= 0)
		FAIL("EOF on the remote end while the session is up");
}

/* Closes out a connection the session has left: the remote end must read EOF. */
static void remote_finish(void)
{
	if (h.peer < 0)
		return;
	remote_read();
	if (!h.r_eof)
		FAIL("the session went down without closing its socket");
	close(h.peer);
	h.peer = -1;
}

/* Writes bytes to the session, letting it read when the socket is full. */
static void remote_write(const uint8_t *b, size_t n, bool read_after)
{
	if (h.peer < 0)
		return;
	while (n) {
		ssize_t w = send(h.peer, b, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (h.s.fd < 0 || !peer_session_readable(&h.s, h.now))
				return;
			continue;
		}
		if (w <= 0)
			return; /* the session closed its end */
		b += w;
		n -= (size_t)w;
	}
	if (read_after && h.s.fd >= 0)
		peer_session_readable(&h.s, h.now);
}

/* ---- templated messages from the remote ---- */

static size_t tpl_open(uint8_t *buf, struct in *in)
{
	uint8_t p = take(in), q = take(in);
	struct wire_open o;
	memset(&o, 0, sizeof(o));
	o.version = (p & 0x11) == 0x11 ? 3 : 4; /* wrong AS and our identifier: also version 3 */
	o.asn = (p & 1) ? h.s.cfg.peer_as + 1 : h.s.cfg.peer_as;
	o.hold_time = hold_times[(p >> 1) & 7];
	o.bgp_id = (p & 0x10) ? h.s.cfg.router_id : PEER_ID;
	struct wire_caps *c = &o.caps;
	c->mp_present = !(q & 1);
	c->mp = (uint8_t)((q >> 1) & 3);
	c->as4_present = !(p & 0x20);
	c->as4 = o.asn;
	if (!c->as4_present && o.asn > 0xFFFF)
		o.asn = WIRE_AS_TRANS; /* a 2-octet speaker with a 4-octet AS cannot say it */
	c->route_refresh = true;
	c->enhanced_refresh = q & 8;
	c->ext_msg = p & 0x40;
	c->role_present = p & 0x80;
	c->role = (uint8_t)((q >> 4) & 7);
	c->gr_present = q & 8;
	c->gr_time = 120;
	c->gr_fams = c->mp;
	for (int f = 0; f < RX_FAM_COUNT; f++)
		c->addpath[f] = (uint8_t)((q & 0x80) ? WIRE_ADDPATH_RX | WIRE_ADDPATH_TX : 0);
	return wire_open_encode(buf, WIRE_MAX_LEN, &o);
}

/* An UPDATE as the remote would send it on this session (n IPv4 or IPv6 prefixes). */
static size_t tpl_update(uint8_t *buf, size_t cap, const struct wire_ctx *ctx, bool tx, unsigned n,
			 bool v6)
{
	uint8_t path4[] = {WIRE_AS_SEQUENCE, 1, 0, 0, 0xfd, 0xe9};
	struct wire_attrs at;
	memset(&at, 0, sizeof(at));
	at.present = WIRE_ATTR_BIT(WIRE_ATTR_ORIGIN) | WIRE_ATTR_BIT(WIRE_ATTR_AS_PATH);
	if (!v6)
		at.present |= WIRE_ATTR_BIT(WIRE_ATTR_NEXT_HOP);
	at.aspath = path4;
	at.aspath_len = ctx->ebgp ? sizeof(path4) : 0;
	memcpy(at.nexthop, (uint8_t[]){127, 0, 0, 2}, 4);
	uint8_t ab[256];
	size_t alen = wire_attrs_encode(&at, ctx, ab, sizeof(ab));
	if (!alen)
		return 0;
	enum rx_family fam = v6 ? RX_FAM_IPV6_UNICAST : RX_FAM_IPV4_UNICAST;
	bool ap = ((tx ? ctx->addpath_tx : ctx->addpath_rx) & RX_FAM_BIT(fam)) != 0;
	static const uint8_t nh6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	struct wire_update_builder b;
	wire_update_begin(&b, buf, cap, fam, false, ap, ab, alen, v6 ? nh6 : NULL, v6 ? 16 : 0);
	for (unsigned i = 0; i < n; i++) {
		struct rx_prefix p = {.afi = v6 ? RX_AFI_IPV6 : RX_AFI_IPV4, .len = 24};
		p.addr[0] = v6 ? 0x20 : 10;
		p.addr[1] = (uint8_t)(i >> 8);
		p.addr[2] = (uint8_t)i;
		if (v6)
			p.len = 48;
		if (!wire_update_add(&b, &p, i))
			break;
	}
	return wire_update_finish(&b);
}

/* The remote's view of the session: what it receives is what the session transmits. */
static struct wire_ctx remote_ctx(void)
{
	struct wire_ctx c = h.s.neg.ctx;
	c.addpath_rx = h.s.neg.ctx.addpath_tx;
	c.addpath_tx = h.s.neg.ctx.addpath_rx;
	return c;
}

static void op_msg(struct in *in, uint8_t op)
{
	static uint8_t buf[WIRE_EXT_MAX_LEN];
	uint8_t kind = take(in) & 7;
	uint8_t p = kind ? take(in) : 0; /* the OPEN reads its own two parameter octets */
	size_t n = 0;
	struct wire_ctx rc = remote_ctx();
	switch (kind) {
	case 0:
		n = tpl_open(buf, in);
		break;
	case 1:
		n = wire_keepalive_encode(buf, sizeof(buf));
		break;
	case 2:
		n = tpl_update(buf, WIRE_MAX_LEN, &rc, true, p & 63, p & 64);
		break;
	case 3: /* as big as the session allows, or (p bit 7) always extended */
		n = tpl_update(buf, (rc.ext_msg || (p & 0x80)) ? WIRE_EXT_MAX_LEN : WIRE_MAX_LEN, &rc,
			       true, 600u + (unsigned)(p & 0x7f) * 64, p & 64);
		break;
	case 4:
		if (p & 0x80)
			n = wire_shutdown_encode(buf, sizeof(buf), WIRE_CEASE_ADMIN_SHUTDOWN, "fuzz\x07");
		else
			n = wire_notification_encode(buf, sizeof(buf), (uint8_t)(p >> 4), p & 15, NULL, 0);
		break;
	case 5:
		n = wire_route_refresh_encode(buf, sizeof(buf), (p & 1) ? RX_AFI_IPV6 : RX_AFI_IPV4,
					      (uint8_t)(1 + ((p >> 1) & 1)), (uint8_t)((p >> 2) & 3));
		break;
	case 6:
		n = wire_eor_encode(buf, sizeof(buf), (p & 1) ? RX_FAM_IPV6_UNICAST : RX_FAM_IPV4_UNICAST);
		break;
	default: /* an UPDATE cut short: the rest may never come */
		n = tpl_update(buf, WIRE_MAX_LEN, &rc, true, 8, false);
		if (n)
			n = 1 + (p % n);
		break;
	}
	remote_write(buf, n, !(op & 0x10));
}

/* ---- the owner's side ---- */

static void op_send(uint8_t op, struct in *in)
{
	static uint8_t block[8 * WIRE_EXT_MAX_LEN];
	uint8_t p = take(in);
	/* io.c sends only in Established (IO_CMD_SEND). */
	if (h.s.fd < 0 || h.s.state != FSM_ESTABLISHED)
		return;
	size_t cap = h.s.neg.ctx.ext_msg ? WIRE_EXT_MAX_LEN : WIRE_MAX_LEN;
	struct wire_ctx c = h.s.neg.ctx; /* what we transmit uses our tx side */
	size_t len = 0;
	unsigned count = 1 + (p & 7);
	for (unsigned i = 0; i < count; i++) {
		size_t m;
		if (p & 0x80)
			m = wire_route_refresh_encode(block + len, cap, RX_AFI_IPV4, 1, 0);
		else
			m = tpl_update(block + len, cap, &c, true, 1u + ((p >> 3) & 15) * 40, p & 0x40);
		if (!m)
			break;
		len += m;
	}
	if (len)
		peer_session_send(&h.s, block, len, h.now);
}

static void op_time(struct in *in, uint8_t op)
{
	uint16_t v = take16(in);
	static const uint64_t scale[4] = {1, 100, 1000, 60000};
	h.now += (uint64_t)v * scale[(op >> 4) & 3];
	if (h.s.fd >= 0)
		peer_session_tick(&h.s, h.now);
}

static void op_close_local(struct in *in)
{
	uint8_t p = take(in);
	if (h.s.fd >= 0)
		peer_session_close(&h.s, WIRE_ERR_CEASE, (uint8_t)(1 + p % 9), NULL, 0, "fuzz close");
}

static void op_close_remote(uint8_t op)
{
	if (h.peer < 0)
		return;
	if (op & 0x10) {
		remote_read();
		close(h.peer);
		h.peer = -1;
	} else {
		shutdown(h.peer, SHUT_WR);
	}
	if (h.s.fd >= 0)
		peer_session_readable(&h.s, h.now);
}

static void connect_new(void)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) != 0)
		FAIL("socketpair: %s", strerror(errno));
	h.peer = sv[1];
	h.in_conn = true;
	h.established_seen = false;
	h.downs = 0;
	h.stalled = false;
	h.rlen = 0;
	h.r_open = h.r_notif = h.r_eof = false;
	memset(&h.rctx, 0, sizeof(h.rctx));
	h.conn_at = h.last_in = h.last_ka = h.sh_anchor = h.now;
	peer_session_connected(&h.s, sv[0], h.now);
}

static void op_reconnect(void)
{
	if (h.s.fd >= 0)
		return;
	remote_finish();
	connect_new();
}

/* ---- invariants after each op ---- */

static uint64_t msgs_in_total(void)
{
	uint64_t t = 0;
	for (int i = 0; i <= WIRE_ROUTE_REFRESH; i++)
		t += h.s.stats.msgs_in[i];
	return t;
}

struct before {
	bool up;
	enum fsm_state state;
	uint64_t msgs_in, ka_out, bytes_out, notif_out;
	size_t backlog;
	uint64_t hold_due, send_hold_due; /* what the harness expects, 0: none */
	uint16_t hold;
};

static uint64_t expected_hold(void)
{
	if (h.s.state == FSM_OPENSENT)
		return h.conn_at + OPEN_HOLD_MS;
	return h.s.neg.hold_time ? h.last_in + (uint64_t)h.s.neg.hold_time * 1000 : 0;
}

static uint64_t expected_send_hold(size_t backlog)
{
	if (!backlog || !h.s.neg.hold_time || h.s.state < FSM_OPENCONFIRM)
		return 0;
	return h.sh_anchor + (uint64_t)h.s.neg.hold_time * 1000;
}

static void snapshot(struct before *b)
{
	b->up = h.s.fd >= 0;
	b->state = h.s.state;
	b->msgs_in = msgs_in_total();
	b->ka_out = h.s.stats.msgs_out[WIRE_KEEPALIVE];
	b->bytes_out = h.s.stats.bytes_out;
	b->notif_out = h.s.stats.msgs_out[WIRE_NOTIFICATION];
	b->backlog = peer_session_backlog(&h.s);
	b->hold_due = b->up ? expected_hold() : 0;
	b->send_hold_due = b->up ? expected_send_hold(b->backlog) : 0;
	b->hold = h.s.neg.hold_time;
}

static void check_after(const struct before *b, bool ticked)
{
	struct peer_session *s = &h.s;
	bool up = s->fd >= 0;
	if (!b->up)
		return;
	if (!up) {
		/* It went down during this op: once, with the socket closed. */
		if (h.downs != 1)
			FAIL("%u down events for one connection", h.downs);
		if (s->state != FSM_IDLE || peer_session_backlog(s) || peer_session_next_deadline(s))
			FAIL("a closed session keeps state, backlog or timers");
		bool notified = s->stats.msgs_out[WIRE_NOTIFICATION] != b->notif_out;
		if (notified && s->stats.last_error_code == WIRE_ERR_HOLD &&
		    msgs_in_total() == b->msgs_in && (!b->hold_due || h.now < b->hold_due))
			FAIL("4/0 sent at %llu before the hold deadline %llu",
			     (unsigned long long)h.now, (unsigned long long)b->hold_due);
		if (notified && s->stats.last_error_code == WIRE_ERR_SEND_HOLD &&
		    (!b->send_hold_due || h.now < b->send_hold_due))
			FAIL("8/0 sent at %llu before the send hold deadline %llu",
			     (unsigned long long)h.now, (unsigned long long)b->send_hold_due);
		remote_finish();
		return;
	}
	if (h.downs)
		FAIL("down event while the session is up");
	if (s->state < FSM_OPENSENT)
		FAIL("connected session in %s", fsm_state_name(s->state));
	if (s->state == FSM_ESTABLISHED && !h.established_seen)
		FAIL("Established without the event");
	/* Book-keeping for the timer oracles. */
	if (msgs_in_total() != b->msgs_in)
		h.last_in = h.now;
	if (s->stats.msgs_out[WIRE_KEEPALIVE] != b->ka_out)
		h.last_ka = h.now;
	if (s->stats.bytes_out != b->bytes_out || !b->backlog)
		h.sh_anchor = h.now;
	if (s->state >= FSM_OPENCONFIRM)
		h.rctx = remote_ctx();
	/* A tick leaves no expired timer behind. */
	if (ticked) {
		uint64_t next = peer_session_next_deadline(s);
		if (next && next <= h.now)
			FAIL("deadline %llu not after now %llu after a tick", (unsigned long long)next,
			     (unsigned long long)h.now);
		if (b->hold_due && h.now >= b->hold_due && msgs_in_total() == b->msgs_in)
			FAIL("hold deadline %llu passed at %llu and the session is still up",
			     (unsigned long long)b->hold_due, (unsigned long long)h.now);
		if (b->send_hold_due && h.now >= b->send_hold_due && s->stats.bytes_out == b->bytes_out)
			FAIL("send hold deadline %llu passed at %llu without progress, still up",
			     (unsigned long long)b->send_hold_due, (unsigned long long)h.now);
	}
	if (s->hold_deadline != expected_hold())
		FAIL("hold deadline %llu, expected %llu (%s)", (unsigned long long)s->hold_deadline,
		     (unsigned long long)expected_hold(), fsm_state_name(s->state));
	uint64_t ka = s->state >= FSM_OPENCONFIRM && s->neg.keepalive
			      ? h.last_ka + (uint64_t)s->neg.keepalive * 1000
			      : 0;
	if (s->keepalive_due != ka)
		FAIL("keepalive deadline %llu, expected %llu", (unsigned long long)s->keepalive_due,
		     (unsigned long long)ka);
	if (s->cfg.max_out_bytes && peer_session_backlog(s) > s->cfg.max_out_bytes)
		FAIL("backlog %zu over the bound %zu", peer_session_backlog(s), s->cfg.max_out_bytes);
	if (!h.stalled)
		remote_read();
}

/* ---- the schedule ---- */

static void setup(struct in *in)
{
	uint8_t a = take(in), b = take(in);
	struct peer_session_cfg c;
	memset(&c, 0, sizeof(c));
	c.local_as = (a & 1) ? 4200000001u : 65515;
	c.peer_as = (a & 2) ? c.local_as : 65001;
	c.router_id = LOCAL_ID;
	c.ext_msg = a & 4;
	c.role_present = a & 8;
	c.role = (uint8_t)((b >> 3) & 7);
	c.graceful_restart = a & 16;
	c.gr_time = 120;
	c.families = (uint8_t)(RX_FAM_BIT(RX_FAM_IPV4_UNICAST) |
			       ((a & 64) ? RX_FAM_BIT(RX_FAM_IPV6_UNICAST) : 0));
	if (a & 32)
		for (int f = 0; f < RX_FAM_COUNT; f++)
			c.addpath[f] = WIRE_ADDPATH_RX | WIRE_ADDPATH_TX;
	c.max_out_bytes = (a & 128) ? 16384 : (1u << 20);
	c.hold_time = hold_times[b & 7];
	c.connect_retry = 5;
	peer_session_init(&h.s, &c, "fuzz", &events, NULL, &h.scratch);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* As routexd does: a write to a socket the remote closed is an error, not a signal. */
	signal(SIGPIPE, SIG_IGN);
	trace = getenv("FUZZ_SESSION_TRACE") != NULL;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = {data, size};
	h.peer = -1;
	h.now = 1000000;
	h.in_conn = false;
	setup(&in);
	connect_new();
	for (unsigned steps = 0; in.n && steps < 4096; steps++) {
		struct before b;
		snapshot(&b);
		uint8_t op = take(&in);
		bool ticked = false;
		switch (op & 15) {
		case 0: { /* raw bytes */
			size_t n = (op & 0x20) ? take16(&in) : take(&in);
			if (n > in.n)
				n = in.n;
			remote_write(in.p, n, !(op & 0x10));
			in.p += n;
			in.n -= n;
			break;
		}
		case 1:
			op_msg(&in, op);
			break;
		case 2:
			op_time(&in, op);
			ticked = true;
			break;
		case 3:
			op_send(op, &in);
			break;
		case 4:
			h.stalled = true;
			break;
		case 5:
			h.stalled = false;
			remote_read();
			if (h.s.fd >= 0)
				peer_session_writable(&h.s, h.now);
			break;
		case 6:
			if (h.s.fd >= 0)
				peer_session_readable(&h.s, h.now);
			break;
		case 7:
			op_close_remote(op);
			break;
		case 8:
			op_close_local(&in);
			break;
		case 9:
			op_reconnect();
			break;
		default: /* 10-15: more time, the most useful op */
			op_time(&in, op);
			ticked = true;
			break;
		}
		check_after(&b, ticked);
		if (trace)
			fprintf(stderr, "op %2u t=%llu %s backlog %zu in %llu out %llu/%llu ka last err %s%u/%u\n",
				op & 15, (unsigned long long)h.now, fsm_state_name(h.s.state),
				peer_session_backlog(&h.s), (unsigned long long)msgs_in_total(),
				(unsigned long long)h.s.stats.bytes_out,
				(unsigned long long)h.s.stats.msgs_out[WIRE_KEEPALIVE],
				h.s.stats.last_error_sent ? "sent " : "recv ", h.s.stats.last_error_code,
				h.s.stats.last_error_subcode);
	}
	if (h.s.fd < 0)
		remote_finish();
	if (h.peer >= 0)
		close(h.peer);
	peer_session_fini(&h.s);
	return 0;
}
