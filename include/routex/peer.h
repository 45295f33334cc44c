/* peer.h: the BGP session core (see peer-t.h for the ownership rules). */
#ifndef ROUTEX_PEER_H
#define ROUTEX_PEER_H

#include <routex/peer-t.h>

void peer_session_init(struct peer_session *s, const struct peer_session_cfg *cfg,
		       const char *name, const struct peer_events *ev, void *ev_ctx,
		       struct wire_scratch *scratch);
void peer_session_fini(struct peer_session *s);

/* A TCP connection to the peer is up (either direction): sends OPEN, enters OpenSent. */
void peer_session_connected(struct peer_session *s, int fd, uint64_t now_ms);
/* Reads what the socket has and processes every complete message. Returns false when the
 * session went down (the fd is closed then). */
bool peer_session_readable(struct peer_session *s, uint64_t now_ms);
/* Writes as much backlog as the socket takes. Returns false when the session went down. */
bool peer_session_writable(struct peer_session *s, uint64_t now_ms);
/* Fires due timers (hold, keepalive, send hold). A hold deadline found past first reads what
 * the socket holds (a late caller must not take unread messages for silence). Returns false
 * when the session went down. */
bool peer_session_tick(struct peer_session *s, uint64_t now_ms);
/* Earliest timer deadline, 0 when none runs. */
uint64_t peer_session_next_deadline(const struct peer_session *s);

/* Queues bytes of whole messages (e.g. packed UPDATEs). Returns false and resets the session
 * (Cease / Out of Resources) when the backlog would pass cfg.max_out_bytes. */
bool peer_session_send(struct peer_session *s, const uint8_t *msg, size_t len, uint64_t now_ms);
/* The same without a copy: the bytes stay where they are and unref(ref) is called once they
 * are written or dropped (also when this returns false). */
bool peer_session_send_shared(struct peer_session *s, const uint8_t *msg, size_t len, void *ref,
			      void (*unref)(void *ref), uint64_t now_ms);
/* Sends a NOTIFICATION, flushes what the socket takes, closes, and reports down. */
void peer_session_close(struct peer_session *s, uint8_t code, uint8_t subcode,
			const uint8_t *data, size_t data_len, const char *reason);
/* Bytes queued and not yet written. */
size_t peer_session_backlog(const struct peer_session *s);
const char *fsm_state_name(enum fsm_state st);

/* Negotiation (pure, exposed for tests): checks the peer's OPEN against cfg and fills neg.
 * Returns false with err set to the NOTIFICATION to send. */
bool peer_negotiate(const struct peer_session_cfg *cfg, const struct wire_open *peer,
		    struct peer_negotiated *neg, struct wire_error *err);
/* Our OPEN for cfg. */
void peer_open_build(const struct peer_session_cfg *cfg, struct wire_open *open);

/* CLOCK_MONOTONIC in milliseconds. */
uint64_t peer_now_ms(void);

#endif
