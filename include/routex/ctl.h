/* ctl.h: the control socket of routexd (src/ctl/) and its protocol.
 *
 * Protocol: the client connects to the Unix socket, writes one request line and reads the
 * answer until EOF. A request is `[json ]COMMAND ARGS...`. The answer's first line is
 * `ok` or `error: REASON`; the rest is the body (text, or one JSON document with `json`).
 *
 * Threads: a control thread accepts and answers. Reads (peers, RIB, learned routes) run on
 * it as an RCU reader and never block the decision thread; requests that change state or
 * need the decision thread's view (route exchange, advertised routes) are queued to the
 * decision thread as RDE_CTL messages and run there by ctl_run_w, while the control thread
 * waits offline. `dump mrt` (src/ctl/dump.c), long on a big table, is answered by a worker
 * thread of its own, an RCU reader too, one dump at a time; ctl_stop cancels it and waits
 * for it. The socket is created with mode 0660.
 *
 * One client is served at a time, so each is bounded: 2 s to send its request line, and
 * its answer is sent without blocking, the client dropped (and logged) when it takes no
 * byte for 2 s or has not taken the whole answer after 30 s. */
#ifndef ROUTEX_CTL_H
#define ROUTEX_CTL_H

#include <stdbool.h>
#include <stdio.h>

struct rx_daemon;
struct ctl_server;
struct ctl_req;

/* Opens the socket (replacing a stale one) and starts the thread. */
struct ctl_server *ctl_start(struct rx_daemon *d, const char *path);
void ctl_stop(struct ctl_server *s);
/* Runs a queued request on the decision thread and wakes its waiter. */
void ctl_run_w(struct rx_daemon *d, struct ctl_req *r);
/* Answers one request line into out (also used by tests without a socket). Returns false
 * when the answer is an error. */
bool ctl_answer(struct rx_daemon *d, const char *line, FILE *out);

#endif
