/* io.h: I/O threads: each owns an epoll loop and the sessions of its peers (src/peer/).
 *
 * A peer belongs to exactly one loop for its life; everything in struct io_peer is T:io
 * (its loop's thread) once io_loop_add_peer has queued it. Other threads talk to a loop only
 * through its command queue (struct mpsc_queue: wait-free push + eventfd doorbell): add or
 * remove a peer, hand over an accepted socket, send bytes, close a session. Session events
 * (established, update, down, ...) are delivered on the loop's thread through the
 * struct peer_events given at io_loop_init; handlers must not block.
 *
 * Synchronisation:
 *   io_loop_init/start/stop/fini   the owner (main thread), not concurrently
 *   io_loop_add_peer, io_send, io_close_peer, io_reconfigure_peer, io_disable_peer,
 *   io_refresh_peer
 *                                  any thread, any time
 *   io_loop_listen                 before io_loop_start
 *   struct io_peer fields          its loop's thread only, after io_loop_add_peer
 *   io_out.refs                    A: atomic; acq_rel on the last unref so the freeing
 *                                  thread sees every user's reads finished */
#ifndef ROUTEX_IO_H
#define ROUTEX_IO_H

#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include <routex/mpsc.h>
#include <routex/peer-t.h>

/* Connection retry backoff for active peers and after errors (RFC 4271 8: ConnectRetry,
 * IdleHoldTime): doubles from MIN to MAX on every failed attempt, reset once Established. */
#define IO_BACKOFF_MIN_S 1
#define IO_BACKOFF_MAX_S 120
#define IO_MAX_LISTEN 8
/* Backpressure marks, in queued prefixes: a 1M-prefix table load otherwise queued up to half
 * of itself (about 25 MB) ahead of the decision thread. 65,536 prefixes are ~25 ms of its
 * work, so it never waits for input while sessions are paused. */
#define IO_BACKLOG_PAUSE 65536
#define IO_BACKLOG_RESUME 32768

struct io_loop;

/* Bytes to send, shared by every peer of an update group (refcounted, immutable). */
struct io_out {
	int refs; /* A */
	size_t len;
	uint8_t data[];
};

struct io_peer {
	struct peer_session s;
	struct io_loop *loop;
	struct sockaddr_storage remote;  /* address and port */
	socklen_t remote_len;
	struct sockaddr_storage local;   /* family 0: the kernel chooses */
	char password[81];               /* TCP-MD5 key, empty: none */
	bool ttl_security;               /* GTSM (RFC 5082) */
	bool passive;
	bool admin_down;                 /* closed on purpose: no reconnect */
	int connecting_fd;               /* active connect in progress, -1 when none */
	uint64_t retry_at;               /* ms: next connect attempt; idle hold after errors */
	uint64_t hold_down_until;        /* ms: refuse sessions until then (max-prefixes) */
	unsigned backoff_s;
	uint32_t events;                 /* epoll events currently registered for s.fd */
	bool registered;                 /* s.fd is in the epoll set */
	bool paused;                     /* not reading: the backlog is too deep (io_loop.backlog) */
	void *owner;                     /* the daemon's peer */
	uint64_t cmd_bytes;              /* A: relaxed RMW; bytes io_send queued that the loop
					  * has not taken yet (sent or dropped) */
	size_t index;                    /* in loop->peers */
};

struct io_loop {
	int epfd;
	pthread_t thread;
	bool running;
	struct mpsc_queue cmdq;
	struct io_peer **peers;    /* T:io */
	size_t n_peers, cap_peers; /* T:io */
	int listen_fd[IO_MAX_LISTEN];
	unsigned n_listen;
	struct io_loop **loops;    /* every loop, for handing accepted sockets over */
	unsigned n_loops;
	const struct peer_events *ev;
	void *ev_ctx;
	/* Finds the configured peer for an incoming connection's address (any loop's peers);
	 * called on this loop's thread; returns NULL for strangers. */
	struct io_peer *(*find_peer)(void *ctx, const struct sockaddr *sa);
	void (*log)(void *ctx, const char *msg);
	/* Backpressure (optional): the work parsed input has queued downstream (the decision
	 * thread's queue, in prefixes). Above IO_BACKLOG_PAUSE sessions stop reading (TCP flow
	 * control then slows the senders); they resume below IO_BACKLOG_RESUME. Any thread. */
	size_t (*backlog)(void *ctx);
	size_t n_paused;           /* T:io: sessions not reading because of the backlog */
	/* Optional, called on the loop's thread after each round of events and timers and
	 * once as it stops: the MRT message log hands over what the round recorded. */
	void (*iter_end)(void *ctx, struct io_loop *l);
	struct wire_scratch *scratch;
	int stop; /* A: relaxed; the doorbell write orders it */
};

bool io_loop_init(struct io_loop *l, const struct peer_events *ev, void *ev_ctx);
/* Opens a listening socket (before start). Returns false and logs on failure. */
bool io_loop_listen(struct io_loop *l, const struct sockaddr *sa, socklen_t len);
bool io_loop_start(struct io_loop *l);
void io_loop_stop(struct io_loop *l);
void io_loop_fini(struct io_loop *l);

/* Fills a peer from its settings; the session is not started until io_loop_add_peer. */
void io_peer_init(struct io_peer *p, const struct peer_session_cfg *cfg, const char *name,
		  const struct sockaddr *remote, socklen_t remote_len, void *owner);
/* Queues the peer to its loop, which adopts it and, if active, starts connecting. */
void io_loop_add_peer(struct io_loop *l, struct io_peer *p);
/* Closes the session with a NOTIFICATION (if up; data is copied) and keeps the peer down
 * for hold_down_s seconds (0: reconnect with the usual backoff). */
void io_close_peer(struct io_peer *p, uint8_t code, uint8_t subcode, const uint8_t *data,
		   size_t data_len, unsigned hold_down_s);
#define IO_CLOSE_DATA_MAX 16 /* NOTIFICATION data io_close_peer carries (longer is cut) */

/* Everything a reload may change about a peer's connection. */
struct io_peer_settings {
	struct peer_session_cfg cfg;
	struct sockaddr_storage remote;
	socklen_t remote_len;
	struct sockaddr_storage local; /* family 0: the kernel chooses */
	char password[81];
	bool ttl_security;
	bool enabled;
};

/* Applies new settings: a session that is up is closed first (Cease / Other Configuration
 * Change, RFC 4486), then the peer reconnects (or waits, if passive) with the new ones. */
void io_reconfigure_peer(struct io_peer *p, const struct io_peer_settings *st);
/* The peer was removed from the configuration: Cease / Peer De-configured, never again. */
void io_disable_peer(struct io_peer *p);
/* Asks the peer to send its routes again (ROUTE-REFRESH per family, RFC 2918); a peer that
 * did not negotiate route refresh is reset (Cease/6) instead. */
void io_refresh_peer(struct io_peer *p);

struct io_out *io_out_new(size_t len);
void io_out_ref(struct io_out *o);
void io_out_unref(struct io_out *o);
/* Queues o (taking one reference) for p's session; dropped if the session is not up. */
void io_send(struct io_peer *p, struct io_out *o);
/* Any thread: bytes queued for the peer and not yet written to its socket (in the loop's
 * command queue, then in the session's output backlog). Two relaxed loads: a value
 * between two events may count a message in both places or in neither, never more. */
size_t io_peer_queued_bytes(const struct io_peer *p);

#endif
