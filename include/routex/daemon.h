/* daemon.h: build, run and stop a routexd (src/core/). */
#ifndef ROUTEX_DAEMON_H
#define ROUTEX_DAEMON_H

#include <routex/daemon-t.h>

/* Builds the context from a loaded config (the daemon takes ownership of conf). Opens the
 * listeners; returns false (with a log line) when it cannot. */
bool daemon_init(struct rx_daemon *d, struct conf_daemon *conf);
/* Starts the I/O threads, the decision thread and the control socket. */
bool daemon_start(struct rx_daemon *d);
/* Stops every thread and frees everything. */
void daemon_fini(struct rx_daemon *d);

/* I/O side: the peer events that feed the decision thread (ingest.c). */
extern const struct peer_events daemon_peer_events;

/* Decision thread (rde.c). */
bool rde_start(struct rx_daemon *d);
void rde_stop(struct rx_daemon *d);
void rde_push(struct rx_daemon *d, struct rde_msg *m);
struct rde_msg *rde_msg_new(uint8_t kind, uint16_t src, size_t n_pfx, size_t attr_bytes);

struct rx_peer *daemon_peer_by_name(struct rx_daemon *d, const char *name);

#endif
