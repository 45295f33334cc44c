/* peer-t.h: types of the BGP session layer (RFC 4271 8: the FSM; timers; OPEN negotiation).
 *
 * A struct peer_session is owned by exactly one I/O thread for its whole life (fields are
 * all T:io). The session core is driven by plain calls (bytes arrived, socket writable,
 * time passed) and reports what happened through struct peer_events callbacks, so it can be
 * tested over a socketpair without threads, and run unchanged inside the epoll loop. */
#ifndef ROUTEX_PEER_T_H
#define ROUTEX_PEER_T_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <routex/wire-t.h>

/* RFC 4271 8.2.2 states. */
enum fsm_state {
	FSM_IDLE = 0,
	FSM_CONNECT,
	FSM_ACTIVE,
	FSM_OPENSENT,
	FSM_OPENCONFIRM,
	FSM_ESTABLISHED,
};

/* What a session offers and expects; built from the configuration by the daemon. */
struct peer_session_cfg {
	uint32_t local_as;
	uint32_t router_id;       /* host order */
	uint32_t peer_as;
	uint16_t hold_time;       /* offered, seconds; 0 disables keepalives (RFC 4271 4.2) */
	uint16_t connect_retry;   /* seconds between active connection attempts */
	bool passive;             /* wait for the peer to connect */
	uint8_t families;         /* RX_FAM_BIT()s offered */
	uint8_t addpath[RX_FAM_COUNT]; /* WIRE_ADDPATH_RX / _TX offered per family */
	bool ext_msg;             /* offer RFC 8654 */
	bool graceful_restart;    /* offer RFC 4724 (helper mode: restart time 0 for us) */
	uint16_t gr_time;         /* advertised restart time */
	bool role_present;        /* send an RFC 9234 role */
	uint8_t role;
	bool role_strict;         /* RFC 9234 4.2 strict mode: the peer must send its role */
	size_t max_out_bytes;     /* output backlog bound; past it the peer is reset */
};

/* What both sides agreed on, valid from OpenConfirm on. */
struct peer_negotiated {
	struct wire_ctx ctx;      /* for parsing and encoding this session's UPDATEs */
	uint16_t hold_time;       /* min of both, 0: no hold timer */
	uint16_t keepalive;       /* hold_time / 3 */
	uint8_t families;         /* intersection of offered families */
	bool route_refresh;
	bool enhanced_refresh;
	bool peer_gr;             /* the peer announced graceful restart */
	uint16_t peer_gr_time;
	uint8_t peer_gr_fams;     /* families it can preserve (RX_FAM_BIT) */
	uint32_t peer_router_id;
	struct wire_open peer_open;
};

struct peer_session;

/* Callbacks from the session core. `ctx` is the owner's pointer given at init. An UPDATE
 * callback's views are valid only during the call. */
struct peer_events {
	void (*established)(void *ctx, struct peer_session *s);
	/* A parsed UPDATE whose action is WIRE_OK, WIRE_ATTR_DISCARD or
	 * WIRE_TREAT_AS_WITHDRAW (then every NLRI in it must be handled as withdrawn). */
	void (*update)(void *ctx, struct peer_session *s, const struct wire_update *u);
	void (*route_refresh)(void *ctx, struct peer_session *s,
			      const struct wire_route_refresh *rr);
	/* The session left Established or OpenSent/OpenConfirm; reason is static text. */
	void (*down)(void *ctx, struct peer_session *s, const char *reason);
	/* A line worth logging (malformed input classified, NOTIFICATION received...). */
	void (*log)(void *ctx, struct peer_session *s, const char *msg);
	/* A framed message other than UPDATE, before it is acted on (cur_msg/cur_len hold
	 * it): the MRT message log records what a peer sent. UPDATEs reach `update`. */
	void (*received)(void *ctx, struct peer_session *s, uint8_t type);
};

/* Counters kept per session, across its connections. Written by the owning I/O thread
 * only, with relaxed atomic stores; A: relaxed loads from other threads (metrics) see
 * exact, monotonic values. */
struct peer_stats {
	uint64_t msgs_in[WIRE_ROUTE_REFRESH + 1];
	uint64_t msgs_out[WIRE_ROUTE_REFRESH + 1];
	uint64_t bytes_in, bytes_out;
	uint64_t updates_malformed;
	uint32_t established_count;
	uint8_t last_error_code, last_error_subcode; /* last NOTIFICATION sent or received */
	bool last_error_sent;
};

/* Output backlog: a queue of byte ranges, drained from the front with writev. A range is
 * either the session's own copy (ref NULL: freed when written) or bytes shared with other
 * sessions (packed UPDATEs of an update group: ref is released with unref when written), so
 * that hundreds of peers of one group queue one copy of a table, not one each. */
struct peer_outseg {
	const uint8_t *data;
	size_t len;
	void *ref;
	void (*unref)(void *ref);
};

struct peer_outbuf {
	struct peer_outseg *v;
	size_t head, tail, cap; /* segments v[head .. tail) */
	size_t off;             /* bytes of v[head] already written */
	size_t bytes;           /* queued and not yet written */
};

struct peer_session {
	struct peer_session_cfg cfg;
	struct peer_negotiated neg;
	enum fsm_state state;
	int fd;                   /* -1 when not connected */
	/* Timers: absolute CLOCK_MONOTONIC milliseconds, 0 when not running. */
	uint64_t hold_deadline;
	uint64_t keepalive_due;
	uint64_t send_hold_deadline; /* RFC 9687: output not drained for too long */
	uint64_t established_at;
	/* Input framing. */
	uint8_t *inbuf;
	size_t in_len, in_cap;
	struct peer_outbuf out;
	size_t backlog_pub;       /* A: relaxed; out.bytes as of the last change */
	struct peer_stats stats;
	/* The current connection ended with a NOTIFICATION (sent or received): RFC 4724 4
	 * graceful restart applies only to sessions that end without one. */
	bool notified;
	const struct peer_events *ev;
	void *ev_ctx;
	struct wire_scratch *scratch; /* per I/O thread, shared by its sessions */
	char name[64];            /* for logs */
	/* The OPEN messages of the current connection, whole (header included), for BMP's
	 * Peer Up (RFC 7854 4.10). Kept always: two small copies per connection. */
	uint8_t *open_sent, *open_recv;
	size_t open_sent_len, open_recv_len;
	/* The message being dispatched, whole, valid only during an event callback: BMP
	 * route monitoring forwards UPDATEs as received (RFC 7854 4.6). */
	const uint8_t *cur_msg;
	size_t cur_len;
	/* The state the session was in when it last went down (valid in `down`): the MRT
	 * message log's state change record names it. */
	enum fsm_state down_from;
	/* Optional, for receivers that keep only prefixes (routex-bench's monitors): sees each
	 * UPDATE body before it is parsed (with ev_ctx). Returns true when it handled the
	 * message; false parses it as usual (wire_update_parse, then ev->update), so malformed
	 * input still gets its RFC 7606 verdict from the codec. Set after peer_session_init. */
	bool (*update_raw)(void *ctx, struct peer_session *s, const uint8_t *body, size_t len);
};

#endif
