/* session.c: the BGP session core: FSM (RFC 4271 8), OPEN negotiation, timers, message
 * framing, and the output backlog.
 *
 * Design: the core never blocks and never owns a thread. The I/O loop calls it when the
 * socket is readable or writable and when a deadline passes; it answers through the
 * struct peer_events callbacks. Every peer-caused error ends in a NOTIFICATION and a close
 * (never an abort), and the reason reaches the log callback.
 *
 * Departures from RFC 4271 8: the optional session attributes (DelayOpen, damping of peer
 * oscillations) are not modelled; Connect/Active and connection collision are the I/O
 * loop's business (it owns the sockets), so the core starts at "TCP connection up". */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/uio.h>
#include <unistd.h>

#include <routex/compiler.h>
#include <routex/peer.h>
#include <routex/wire.h>

/* RFC 4271 10: a large hold time while waiting for OPEN. */
#define OPEN_HOLD_MS (240 * 1000)
#define IN_CHUNK 65536
#define READ_CHUNKS_PER_CALL 8
/* Counters of struct peer_stats and the published backlog: this thread is their only
 * writer, so a relaxed load and store (no locked read-modify-write) suffice; readers on
 * other threads (metrics) load them relaxed. */
#define STAT_ADD(field, n) __atomic_store_n(&(field), (field) + (n), __ATOMIC_RELAXED)

uint64_t peer_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

const char *fsm_state_name(enum fsm_state st)
{
	static const char *const names[] = {"Idle",	"Connect",     "Active",
					    "OpenSent", "OpenConfirm", "Established"};
	return (unsigned)st < RX_ARRAY_LEN(names) ? names[st] : "?";
}

void peer_session_init(struct peer_session *s, const struct peer_session_cfg *cfg,
		       const char *name, const struct peer_events *ev, void *ev_ctx,
		       struct wire_scratch *scratch)
{
	memset(s, 0, sizeof(*s));
	s->cfg = *cfg;
	s->fd = -1;
	s->ev = ev;
	s->ev_ctx = ev_ctx;
	s->scratch = scratch;
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->in_cap = 2 * WIRE_EXT_MAX_LEN;
	s->inbuf = malloc(s->in_cap);
	RX_ASSERT(s->inbuf);
}

static void out_clear(struct peer_outbuf *o);

void peer_session_fini(struct peer_session *s)
{
	if (s->fd >= 0)
		close(s->fd);
	free(s->inbuf);
	out_clear(&s->out);
	free(s->out.v);
	free(s->open_sent);
	free(s->open_recv);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}

static void logf_(struct peer_session *s, const char *fmt, ...) RX_PRINTF(2, 3);
static void logf_(struct peer_session *s, const char *fmt, ...)
{
	if (!s->ev->log)
		return;
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	s->ev->log(s->ev_ctx, s, buf);
}

/* ---- Output ---- */

size_t peer_session_backlog(const struct peer_session *s)
{
	return s->out.bytes;
}

static void publish_backlog(struct peer_session *s)
{
	__atomic_store_n(&s->backlog_pub, s->out.bytes, __ATOMIC_RELAXED);
}

static void seg_release(struct peer_outseg *g)
{
	if (g->ref)
		g->unref(g->ref);
	else
		free((void *)g->data);
}

/* Drops everything queued (session down, fini). */
static void out_clear(struct peer_outbuf *o)
{
	for (size_t i = o->head; i < o->tail; i++)
		seg_release(&o->v[i]);
	o->head = o->tail = o->off = o->bytes = 0;
}

static bool out_push(struct peer_outbuf *o, const struct peer_outseg *g)
{
	if (o->head > 0 && o->head == o->tail)
		o->head = o->tail = 0;
	if (o->tail == o->cap && o->head > 0) { /* compact before growing */
		memmove(o->v, o->v + o->head, (o->tail - o->head) * sizeof(*o->v));
		o->tail -= o->head;
		o->head = 0;
	}
	if (o->tail == o->cap) {
		size_t cap = o->cap ? 2 * o->cap : 64;
		struct peer_outseg *v = realloc(o->v, cap * sizeof(*v));
		if (!v)
			return false;
		o->v = v;
		o->cap = cap;
	}
	o->v[o->tail++] = *g;
	o->bytes += g->len;
	return true;
}

/* Writes what the socket takes without blocking. Returns false on a socket error. */
static bool flush(struct peer_session *s, uint64_t now)
{
	struct peer_outbuf *o = &s->out;
	while (o->head < o->tail) {
		struct iovec iov[64];
		int n_iov = 0;
		for (size_t i = o->head; i < o->tail && n_iov < (int)RX_ARRAY_LEN(iov); i++) {
			size_t skip = i == o->head ? o->off : 0;
			iov[n_iov].iov_base = (void *)(o->v[i].data + skip);
			iov[n_iov++].iov_len = o->v[i].len - skip;
		}
		ssize_t n = writev(s->fd, iov, n_iov);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			return false;
		}
		STAT_ADD(s->stats.bytes_out, (uint64_t)n);
		o->bytes -= (size_t)n;
		size_t left = (size_t)n;
		while (left) {
			struct peer_outseg *g = &o->v[o->head];
			size_t rest = g->len - o->off;
			if (left < rest) {
				o->off += left;
				break;
			}
			left -= rest;
			seg_release(g);
			o->head++;
			o->off = 0;
		}
		/* RFC 9687: progress restarts the send hold timer. */
		s->send_hold_deadline = 0;
	}
	if (o->head < o->tail && !s->send_hold_deadline && s->neg.hold_time)
		s->send_hold_deadline = now + (uint64_t)s->neg.hold_time * 1000;
	publish_backlog(s);
	return true;
}

/* Queues a copy of msg as the session's own segment. */
static bool out_copy(struct peer_outbuf *o, const uint8_t *msg, size_t len)
{
	uint8_t *c = malloc(len);
	if (!c)
		return false;
	memcpy(c, msg, len);
	struct peer_outseg g = {.data = c, .len = len};
	if (!out_push(o, &g)) {
		free(c);
		return false;
	}
	return true;
}

static void count_out(struct peer_session *s, const uint8_t *msg, size_t len)
{
	/* Count every message in the block (packed UPDATE blocks carry many). */
	for (size_t off = 0; off + WIRE_HEADER_LEN <= len;) {
		size_t mlen = wire_get16(msg + off + 16);
		uint8_t t = msg[off + 18];
		if (t <= WIRE_ROUTE_REFRESH)
			STAT_ADD(s->stats.msgs_out[t], 1);
		if (mlen < WIRE_HEADER_LEN)
			break;
		off += mlen;
	}
}

static void session_down(struct peer_session *s, const char *reason)
{
	bool was_up = s->state >= FSM_OPENSENT;
	s->down_from = s->state;
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->state = FSM_IDLE;
	s->hold_deadline = s->keepalive_due = s->send_hold_deadline = 0;
	s->in_len = 0;
	out_clear(&s->out);
	publish_backlog(s);
	if (was_up && s->ev->down)
		s->ev->down(s->ev_ctx, s, reason);
}

/* Queues g (taking it over: released on failure) and writes what the socket takes. */
static bool send_seg(struct peer_session *s, struct peer_outseg *g, uint64_t now)
{
	if (s->fd < 0) {
		seg_release(g);
		return false;
	}
	if (s->cfg.max_out_bytes && peer_session_backlog(s) + g->len > s->cfg.max_out_bytes) {
		seg_release(g);
		/* A peer that does not read must not make us buffer without bound. */
		peer_session_close(s, WIRE_ERR_CEASE, WIRE_CEASE_OUT_OF_RESOURCES, NULL, 0,
				   "output backlog bound exceeded");
		return false;
	}
	if (!out_push(&s->out, g)) {
		seg_release(g);
		peer_session_close(s, WIRE_ERR_CEASE, WIRE_CEASE_OUT_OF_RESOURCES, NULL, 0,
				   "out of memory for output");
		return false;
	}
	count_out(s, g->data, g->len);
	if (!flush(s, now)) {
		session_down(s, "write error");
		return false;
	}
	return true;
}

bool peer_session_send(struct peer_session *s, const uint8_t *msg, size_t len, uint64_t now)
{
	if (s->fd < 0)
		return false;
	uint8_t *c = malloc(len);
	if (!c) {
		peer_session_close(s, WIRE_ERR_CEASE, WIRE_CEASE_OUT_OF_RESOURCES, NULL, 0,
				   "out of memory for output");
		return false;
	}
	memcpy(c, msg, len);
	struct peer_outseg g = {.data = c, .len = len};
	return send_seg(s, &g, now);
}

bool peer_session_send_shared(struct peer_session *s, const uint8_t *msg, size_t len, void *ref,
			      void (*unref)(void *ref), uint64_t now)
{
	struct peer_outseg g = {.data = msg, .len = len, .ref = ref, .unref = unref};
	return send_seg(s, &g, now);
}

void peer_session_close(struct peer_session *s, uint8_t code, uint8_t subcode,
			const uint8_t *data, size_t data_len, const char *reason)
{
	if (s->fd >= 0) {
		uint8_t buf[WIRE_MAX_LEN];
		size_t n = wire_notification_encode(buf, sizeof(buf), code, subcode, data, data_len);
		/* Best effort: the NOTIFICATION goes after what is queued, without waiting. */
		if (n && out_copy(&s->out, buf, n)) {
			STAT_ADD(s->stats.msgs_out[WIRE_NOTIFICATION], 1);
			flush(s, 0);
		}
		s->stats.last_error_code = code;
		s->stats.last_error_subcode = subcode;
		s->stats.last_error_sent = true;
		s->notified = true;
		logf_(s, "sent NOTIFICATION %u/%u (%s/%s): %s", code, subcode, wire_err_name(code),
		      wire_suberr_name(code, subcode), reason);
	}
	session_down(s, reason);
}

static void close_err(struct peer_session *s, const struct wire_error *e)
{
	peer_session_close(s, e->code, e->subcode, e->data, e->data_len,
			   e->reason ? e->reason : "protocol error");
}

/* ---- OPEN ---- */

void peer_open_build(const struct peer_session_cfg *cfg, struct wire_open *o)
{
	memset(o, 0, sizeof(*o));
	o->version = 4;
	o->asn = cfg->local_as;
	o->hold_time = cfg->hold_time;
	o->bgp_id = cfg->router_id;
	struct wire_caps *c = &o->caps;
	c->mp = cfg->families;
	c->mp_present = true;
	c->as4_present = true;
	c->as4 = cfg->local_as;
	c->route_refresh = true;
	c->enhanced_refresh = true;
	c->ext_msg = cfg->ext_msg;
	memcpy(c->addpath, cfg->addpath, sizeof(c->addpath));
	if (cfg->graceful_restart) {
		c->gr_present = true;
		c->gr_time = cfg->gr_time;
		c->gr_fams = cfg->families;
	}
	c->role_present = cfg->role_present;
	c->role = cfg->role;
}

static bool neg_error(struct wire_error *err, uint8_t subcode, const char *reason)
{
	memset(err, 0, sizeof(*err));
	err->action = WIRE_SESSION_RESET;
	err->code = WIRE_ERR_OPEN;
	err->subcode = subcode;
	err->reason = reason;
	return false;
}

/* RFC 9234 4.2: the pairs of roles that make sense. */
static bool roles_match(uint8_t ours, uint8_t theirs)
{
	switch (ours) {
	case WIRE_ROLE_PROVIDER:
		return theirs == WIRE_ROLE_CUSTOMER;
	case WIRE_ROLE_CUSTOMER:
		return theirs == WIRE_ROLE_PROVIDER;
	case WIRE_ROLE_RS:
		return theirs == WIRE_ROLE_RS_CLIENT;
	case WIRE_ROLE_RS_CLIENT:
		return theirs == WIRE_ROLE_RS;
	case WIRE_ROLE_PEER:
		return theirs == WIRE_ROLE_PEER;
	default:
		return false;
	}
}

bool peer_negotiate(const struct peer_session_cfg *cfg, const struct wire_open *p,
		    struct peer_negotiated *neg, struct wire_error *err)
{
	memset(neg, 0, sizeof(*neg));
	const struct wire_caps *c = &p->caps;
	/* RFC 6793 4.2.1: AS_TRANS in My AS is only meaningful with the AS4 capability. */
	if (p->asn != cfg->peer_as || (p->my_as == WIRE_AS_TRANS && !c->as4_present))
		return neg_error(err, WIRE_OPEN_BAD_PEER_AS, "peer AS does not match the configuration");
	bool ebgp = p->asn != cfg->local_as;
	/* RFC 6286 2.2: identifiers must differ within an AS. */
	if (!ebgp && p->bgp_id == cfg->router_id)
		return neg_error(err, WIRE_OPEN_BAD_BGP_ID, "peer uses our BGP identifier");
	if (cfg->role_present && c->role_present && !roles_match(cfg->role, c->role))
		return neg_error(err, WIRE_OPEN_ROLE_MISMATCH, "BGP role mismatch (RFC 9234)");
	if (cfg->role_present && cfg->role_strict && !c->role_present)
		return neg_error(err, WIRE_OPEN_ROLE_MISMATCH,
				 "the peer sends no BGP role, which strict mode requires (RFC 9234 4.2)");
	uint8_t theirs = c->mp_present ? c->mp : (uint8_t)RX_FAM_BIT(RX_FAM_IPV4_UNICAST);
	neg->families = cfg->families & theirs;
	neg->hold_time = p->hold_time < cfg->hold_time ? p->hold_time : cfg->hold_time;
	neg->keepalive = neg->hold_time / 3;
	neg->route_refresh = c->route_refresh || c->enhanced_refresh;
	neg->enhanced_refresh = c->enhanced_refresh;
	neg->peer_gr = c->gr_present;
	neg->peer_gr_time = c->gr_time;
	neg->peer_gr_fams = c->gr_fams;
	neg->peer_router_id = p->bgp_id;
	neg->ctx.as4 = c->as4_present;
	neg->ctx.ebgp = ebgp;
	neg->ctx.ext_msg = cfg->ext_msg && c->ext_msg;
	for (int f = 0; f < RX_FAM_COUNT; f++) { /* RFC 7911 4 */
		if ((cfg->addpath[f] & WIRE_ADDPATH_RX) && (c->addpath[f] & WIRE_ADDPATH_TX))
			neg->ctx.addpath_rx |= (uint8_t)RX_FAM_BIT(f);
		if ((cfg->addpath[f] & WIRE_ADDPATH_TX) && (c->addpath[f] & WIRE_ADDPATH_RX))
			neg->ctx.addpath_tx |= (uint8_t)RX_FAM_BIT(f);
	}
	neg->peer_open = *p;
	/* Views into the peer's OPEN die with the message; unknown capabilities are not kept. */
	neg->peer_open.caps.n_unknown = 0;
	return true;
}

/* Keeps a copy of a whole OPEN message (BMP Peer Up). Without memory the copy is dropped:
 * BMP then sends an empty OPEN field rather than failing the session. */
static void keep_open(uint8_t **dst, size_t *dst_len, const uint8_t *msg, size_t len)
{
	uint8_t *p = realloc(*dst, len);
	if (!p) {
		*dst_len = 0;
		return;
	}
	memcpy(p, msg, len);
	*dst = p;
	*dst_len = len;
}

static void send_keepalive(struct peer_session *s, uint64_t now)
{
	uint8_t ka[WIRE_HEADER_LEN];
	wire_keepalive_encode(ka, sizeof(ka));
	if (peer_session_send(s, ka, sizeof(ka), now) && s->neg.keepalive)
		s->keepalive_due = now + (uint64_t)s->neg.keepalive * 1000;
}

void peer_session_connected(struct peer_session *s, int fd, uint64_t now)
{
	s->fd = fd;
	s->notified = false;
	s->in_len = 0;
	out_clear(&s->out);
	memset(&s->neg, 0, sizeof(s->neg));
	s->state = FSM_OPENSENT;
	struct wire_open o;
	peer_open_build(&s->cfg, &o);
	uint8_t buf[WIRE_MAX_LEN];
	size_t n = wire_open_encode(buf, sizeof(buf), &o);
	RX_ASSERT(n > 0);
	s->hold_deadline = now + OPEN_HOLD_MS;
	s->open_recv_len = 0;
	keep_open(&s->open_sent, &s->open_sent_len, buf, n);
	peer_session_send(s, buf, n, now);
}

/* ---- Input ---- */

static void restart_hold(struct peer_session *s, uint64_t now)
{
	if (s->state == FSM_OPENSENT)
		return;
	s->hold_deadline = s->neg.hold_time ? now + (uint64_t)s->neg.hold_time * 1000 : 0;
}

static bool on_open(struct peer_session *s, const uint8_t *body, size_t len, uint64_t now)
{
	struct wire_open o;
	struct wire_error err;
	if (!wire_open_parse(body, len, &o, &err) || !peer_negotiate(&s->cfg, &o, &s->neg, &err)) {
		close_err(s, &err);
		return false;
	}
	keep_open(&s->open_recv, &s->open_recv_len, body - WIRE_HEADER_LEN, len + WIRE_HEADER_LEN);
	s->state = FSM_OPENCONFIRM;
	restart_hold(s, now);
	send_keepalive(s, now);
	return s->fd >= 0;
}

static void fsm_error(struct peer_session *s, uint8_t type)
{
	/* RFC 6608: which state the unexpected message arrived in. */
	uint8_t sub = s->state == FSM_OPENSENT ? 1 : s->state == FSM_OPENCONFIRM ? 2 : 3;
	logf_(s, "unexpected %s in %s", wire_msg_name(type), fsm_state_name(s->state));
	peer_session_close(s, WIRE_ERR_FSM, sub, NULL, 0, "unexpected message for the state");
}

static void on_notification(struct peer_session *s, const uint8_t *body, size_t len)
{
	struct wire_notification n = {0};
	char text[300] = "";
	if (!wire_notification_parse(body, len, &n)) {
		session_down(s, "NOTIFICATION too short");
		return;
	}
	char detail[320] = "";
	if (wire_shutdown_msg(&n, text, sizeof(text)) && text[0])
		snprintf(detail, sizeof(detail), ": \"%s\"", text);
	else if (n.code == WIRE_ERR_CEASE && n.subcode == WIRE_CEASE_MAX_PREFIXES &&
		 n.data_len == 7) /* RFC 4486 4: AFI, SAFI, upper bound */
		snprintf(detail, sizeof(detail), ": AFI %u SAFI %u limit %u", wire_get16(n.data),
			 n.data[2], wire_get32(n.data + 3));
	s->stats.last_error_code = n.code;
	s->stats.last_error_subcode = n.subcode;
	s->stats.last_error_sent = false;
	s->notified = true;
	logf_(s, "received NOTIFICATION %u/%u (%s/%s)%s", n.code, n.subcode, wire_err_name(n.code),
	      wire_suberr_name(n.code, n.subcode), detail);
	/* RFC 4271 6: never answer a NOTIFICATION with one. */
	session_down(s, "NOTIFICATION received");
}

static bool on_update(struct peer_session *s, const uint8_t *body, size_t len)
{
	if (s->update_raw && s->update_raw(s->ev_ctx, s, body, len))
		return s->fd >= 0;
	struct wire_update u;
	enum wire_action a = wire_update_parse(body, len, &s->neg.ctx, &u, s->scratch);
	if (a != WIRE_OK) {
		STAT_ADD(s->stats.updates_malformed, 1);
		logf_(s, "malformed UPDATE (%s): %s, %u/%u attribute %u",
		      a == WIRE_SESSION_RESET	 ? "session reset"
		      : a == WIRE_TREAT_AS_WITHDRAW ? "treat-as-withdraw"
						    : "attribute discard",
		      u.err.reason ? u.err.reason : "?", u.err.code, u.err.subcode, u.err.attr_type);
	}
	if (a == WIRE_SESSION_RESET) {
		close_err(s, &u.err);
		return false;
	}
	if (s->ev->update)
		s->ev->update(s->ev_ctx, s, &u);
	return s->fd >= 0;
}

static bool on_route_refresh(struct peer_session *s, const uint8_t *body, size_t len)
{
	struct wire_route_refresh rr;
	struct wire_error err;
	if (!wire_route_refresh_parse(body, len, &rr, &err)) {
		close_err(s, &err);
		return false;
	}
	if (s->ev->route_refresh)
		s->ev->route_refresh(s->ev_ctx, s, &rr);
	return s->fd >= 0;
}

/* One complete message. Returns false when the session went down. */
static bool dispatch(struct peer_session *s, uint8_t type, const uint8_t *body, size_t len,
		     uint64_t now)
{
	STAT_ADD(s->stats.msgs_in[type], 1);
	if (type == WIRE_NOTIFICATION) {
		on_notification(s, body, len);
		return false;
	}
	switch (s->state) {
	case FSM_OPENSENT:
		if (type == WIRE_OPEN)
			return on_open(s, body, len, now);
		break;
	case FSM_OPENCONFIRM:
		if (type == WIRE_KEEPALIVE) {
			s->state = FSM_ESTABLISHED;
			s->established_at = now;
			STAT_ADD(s->stats.established_count, 1);
			restart_hold(s, now);
			if (s->ev->established)
				s->ev->established(s->ev_ctx, s);
			return s->fd >= 0;
		}
		break;
	case FSM_ESTABLISHED:
		restart_hold(s, now); /* RFC 4271 8.2.2: KEEPALIVE and UPDATE restart it */
		if (type == WIRE_KEEPALIVE)
			return true;
		if (type == WIRE_UPDATE)
			return on_update(s, body, len);
		if (type == WIRE_ROUTE_REFRESH)
			return on_route_refresh(s, body, len);
		break;
	default:
		break;
	}
	fsm_error(s, type);
	return false;
}

/* Frames and dispatches every complete message in the input buffer. */
static bool drain_input(struct peer_session *s, uint64_t now)
{
	size_t off = 0;
	size_t max = s->neg.ctx.ext_msg ? WIRE_EXT_MAX_LEN : WIRE_MAX_LEN;
	bool up = true;
	while (up && s->in_len - off >= WIRE_HEADER_LEN) {
		uint8_t type;
		struct wire_error err;
		size_t mlen = wire_header_check(s->inbuf + off, s->in_len - off, max, &type, &err);
		if (!mlen) {
			close_err(s, &err);
			return false;
		}
		if (s->in_len - off < mlen)
			break;
		const uint8_t *body = s->inbuf + off + WIRE_HEADER_LEN;
		s->cur_msg = s->inbuf + off;
		s->cur_len = mlen;
		off += mlen;
		if (type != WIRE_UPDATE && s->ev->received)
			s->ev->received(s->ev_ctx, s, type);
		up = dispatch(s, type, body, mlen - WIRE_HEADER_LEN, now);
		s->cur_msg = NULL;
		s->cur_len = 0;
	}
	if (!up || s->fd < 0)
		return false;
	memmove(s->inbuf, s->inbuf + off, s->in_len - off);
	s->in_len -= off;
	return true;
}

bool peer_session_readable(struct peer_session *s, uint64_t now)
{
	/* A bounded share per call: a fast sender cannot hold its loop's other sessions (and
	 * the backlog check between calls, see io.c) off while the socket keeps refilling;
	 * epoll is level-triggered, so what is left is reported again. */
	for (unsigned reads = 0; reads < READ_CHUNKS_PER_CALL; reads++) {
		if (s->fd < 0)
			return false;
		size_t room = s->in_cap - s->in_len;
		ssize_t n = read(s->fd, s->inbuf + s->in_len, room < IN_CHUNK ? room : IN_CHUNK);
		if (n == 0) {
			session_down(s, "connection closed by peer");
			return false;
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return true;
			session_down(s, "read error");
			return false;
		}
		s->in_len += (size_t)n;
		STAT_ADD(s->stats.bytes_in, (uint64_t)n);
		if (!drain_input(s, now))
			return false;
	}
	return true;
}

bool peer_session_writable(struct peer_session *s, uint64_t now)
{
	if (s->fd < 0)
		return false;
	if (!flush(s, now)) {
		session_down(s, "write error");
		return false;
	}
	return true;
}

bool peer_session_tick(struct peer_session *s, uint64_t now)
{
	if (s->fd < 0)
		return false;
	/* Messages already in the socket were received in time: when the caller comes late (a
	 * stalled thread, a resumed VM, a tick before the read events), read them before
	 * calling the peer silent. Reading restarts the hold timer for each one. */
	if (s->hold_deadline && now >= s->hold_deadline && !peer_session_readable(s, now))
		return false;
	if (s->hold_deadline && now >= s->hold_deadline) {
		peer_session_close(s, WIRE_ERR_HOLD, 0, NULL, 0, "hold timer expired");
		return false;
	}
	if (s->send_hold_deadline && now >= s->send_hold_deadline) {
		/* RFC 9687: the peer has not taken our data for a whole hold time. */
		peer_session_close(s, WIRE_ERR_SEND_HOLD, 0, NULL, 0, "send hold timer expired");
		return false;
	}
	if (s->keepalive_due && now >= s->keepalive_due && s->state >= FSM_OPENCONFIRM)
		send_keepalive(s, now);
	return s->fd >= 0;
}

uint64_t peer_session_next_deadline(const struct peer_session *s)
{
	uint64_t d[] = {s->hold_deadline, s->keepalive_due, s->send_hold_deadline};
	uint64_t best = 0;
	for (unsigned i = 0; i < RX_ARRAY_LEN(d); i++)
		if (d[i] && (!best || d[i] < best))
			best = d[i];
	return best;
}
