/* daemon.h: build, run and stop a routexd (src/core/). */
#ifndef ROUTEX_DAEMON_H
#define ROUTEX_DAEMON_H

#include <stdio.h>

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
/* io_loop.iter_end: hands the loop's MRT message log buffer to the writer (ingest.c). */
void daemon_loop_round_end(void *ctx, struct io_loop *l);

/* Decision thread (rde.c). */
bool rde_start(struct rx_daemon *d);
void rde_stop(struct rx_daemon *d);
void rde_push(struct rx_daemon *d, struct rde_msg *m);
struct rde_msg *rde_msg_new(uint8_t kind, uint16_t src, size_t n_pfx, size_t attr_bytes);
/* Frees a message and what it carries (a BMP message). */
void rde_msg_free(struct rde_msg *m);
/* Frees a message that will never be applied (at stop), with any request it carries. */
void daemon_msg_drop(struct rde_msg *m);
/* BMP: the collectors of a config, as the exporter takes them (decision thread). */
void daemon_bmp_configure_w(struct rx_daemon *d, const struct conf_daemon *c);

/* Readers on any thread. */
struct rx_peer *daemon_peer_by_name(struct rx_daemon *d, const char *name);
static inline size_t daemon_npeers(const struct rx_daemon *d)
{
	return __atomic_load_n(&d->npeers, __ATOMIC_ACQUIRE);
}
/* The peer of RIB source src (1 ..), or NULL. */
static inline struct rx_peer *daemon_peer(const struct rx_daemon *d, uint16_t src)
{
	return src >= 1 && src <= daemon_npeers(d) ? __atomic_load_n(&d->peers[src - 1], __ATOMIC_ACQUIRE)
						   : NULL;
}
static inline const struct conf_peer *peer_conf(const struct rx_peer *p)
{
	return __atomic_load_n(&p->conf, __ATOMIC_ACQUIRE);
}
static inline const struct conf_daemon *daemon_conf(const struct rx_daemon *d)
{
	return __atomic_load_n(&d->conf, __ATOMIC_ACQUIRE);
}

/* Creates the peer for a config entry in the next slot and hands it to an I/O thread.
 * Returns NULL when every slot is taken. */
struct rx_peer *daemon_add_peer(struct rx_daemon *d, const struct conf_peer *cp);
/* Session parameters of a peer, from its config. */
struct peer_session_cfg daemon_session_cfg(const struct conf_daemon *c, const struct conf_peer *p);
/* Everything about a peer's connection, from its config (start-up and reload). */
void daemon_io_settings(const struct conf_daemon *c, const struct conf_peer *cp,
			struct io_peer_settings *st);
socklen_t daemon_sockaddr(const struct conf_addr *a, uint16_t port, struct sockaddr_storage *ss);
/* Decision thread: exports the RIB's change log (waiting for the export worker first, so
 * that everything is sent when it returns); announces / withdraws originated prefixes. */
void rde_export_pending_w(struct rx_daemon *d);
void rde_originate_w(struct rx_daemon *d, const struct rx_prefix *add, size_t n_add,
		     const struct rx_prefix *del, size_t n_del);
uint8_t daemon_rib_role(int conf_role);
/* io_loop.backlog: prefixes queued to the decision thread and not yet applied. */
size_t rde_backlog(void *ctx);
/* Export's max-prefixes-out callback (export_limit_fn): logs and publishes the state. */
void rde_out_limit(void *ctx, uint16_t src, uint32_t limit, bool reached);

/* RPKI (rde_rpki.c). notify: librtr's threads, when ROA changes wait (rpki_new's callback);
 * the rest on the decision thread: the state of a route at import (RIB_RPKI_NONE when RPKI
 * is off or the peer is not validated), and the start-up / shutdown of the client. */
void rde_rpki_notify(void *ctx);
uint8_t rde_rpki_import_w(struct rx_daemon *d, const struct rx_peer *p, const struct attr_set *a,
			  const struct rx_prefix *pfx);
bool daemon_rpki_init(struct rx_daemon *d);
/* Reload: `invalid` switched between accept and drop; re-decides and exports. */
void rde_rpki_policy_w(struct rx_daemon *d, bool drop_invalid);
/* Publishes a peer's received and accepted counts (decision thread). */
void rde_publish_counts_w(struct rx_daemon *d, struct rx_peer *p);

/* Reload (reload.c): re-reads the config file and applies what changed. Runs on the
 * decision thread; writes a per-peer report to out. */
bool daemon_reload_w(struct rx_daemon *d, bool dry_run, FILE *out);
/* Prints, per established peer, what policy pol and the export limits (limits[src], when not
 * NULL) would send it, changing nothing: a table, or with json a JSON array. */
void daemon_dry_run_w(struct rx_daemon *d, const struct export_policy *pol,
		      const uint32_t *limits, size_t n_limits, FILE *out, bool json);

#endif
