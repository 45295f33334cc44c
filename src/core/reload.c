/* reload.c: `routexctl reload` and SIGHUP: re-read the config file and apply what changed,
 * touching nothing else.
 *
 * Runs on the decision thread, which owns the RIB, the export policy and the peers' decision
 * state; sessions are changed through their I/O threads' command queues. What each change
 * costs (conf_diff classifies it, see docs/config.md):
 *   route-exchange, transparent,  a policy walk: exactly the affected routes are announced
 *   ixp-communities               or withdrawn, no session resets
 *   originate                     the added prefixes announced, the removed withdrawn
 *   peer added / removed          a new session / Cease 3 (Peer De-configured) and its routes
 *                                 withdrawn
 *   peer session keys             that session alone: Cease 6 (Other Configuration Change),
 *                                 then it reconnects with the new parameters
 *   peer role                     handled like a session key for now (the session restarts
 *                                 and the peer's routes are re-learned under the new role)
 *   bmp                           collectors' BMP sessions restart (Termination to the
 *                                 old ones, then each new one gets the full state); BGP
 *                                 sessions are untouched
 *   description, max-prefixes,    applied in place
 *   keepalive, passive, max-prefixes-out
 *   import map (or filters)       in place, then ROUTE-REFRESH: the new map judges every route
 *   export map                    the peer is moved to its new update group and sent exactly
 *                                 the difference (export_member_rekey_w)
 *   metrics                       the endpoint opened, moved or closed, before anything
 *                                 else: it is the one change that can fail (the new
 *                                 address may be taken), and then nothing is applied
 * Keys that only a restart applies (router-id, asn, listen, control-socket, threads,
 * route-preference, next-hop-ipv6, user, group) make the reload fail with a message and
 * change nothing.
 * Old configs stay allocated until exit, since other threads may still read them. */
#include <stdlib.h>
#include <string.h>

#include <routex/compiler.h>
#include <routex/conf.h>
#include <routex/daemon.h>
#include <routex/log.h>
#include <routex/metrics.h>
#include <routex/policy.h>
#include <routex/rib.h>

static struct rx_peer *peer_of_conf(struct rx_daemon *d, const struct conf_peer *cp)
{
	for (size_t i = 0; i < d->npeers; i++)
		if (!d->peers[i]->removed && d->peers[i]->conf == cp)
			return d->peers[i];
	return NULL;
}

/* Keys that a running daemon cannot take; returns false and says which. */
static bool needs_restart(const struct conf_diff *df, FILE *out)
{
	static const enum conf_dkey keys[] = {CONF_DK_ROUTER_ID,      CONF_DK_ASN,
					      CONF_DK_LISTEN,	      CONF_DK_CONTROL_SOCKET,
					      CONF_DK_IO_THREADS,     CONF_DK_EXPORT_THREADS,
					      CONF_DK_ROUTE_PREFERENCE, CONF_DK_NEXT_HOP_IPV6, CONF_DK_USER,
					      CONF_DK_GROUP, CONF_DK_RPKI};
	bool any = false;
	for (size_t i = 0; i < RX_ARRAY_LEN(keys); i++)
		if (df->global_changed & (1u << keys[i]) &&
		    !(keys[i] == CONF_DK_RPKI && df->rpki_policy)) { /* `invalid` only: in place */
			fprintf(out, "%s: changed; only a restart applies it\n", conf_dkey_name(keys[i]));
			any = true;
		}
	return any;
}

static void report(const struct conf_diff *df, const struct conf_daemon *nc, FILE *out)
{
	for (size_t i = 0; i < df->npeers; i++) {
		const struct conf_peer_diff *pd = &df->peers[i];
		if (pd->change == CONF_CHANGE_NONE)
			continue;
		const struct conf_peer *cp = pd->new_peer ? pd->new_peer : pd->old_peer;
		fprintf(out, "peer %s: %s", cp->name, conf_change_name(pd->change));
		for (int k = 0; k < CONF_PK_COUNT; k++)
			if (pd->changed & (1u << k))
				fprintf(out, " %s", conf_pkey_name((enum conf_pkey)k));
		fputc('\n', out);
	}
	if (df->global_changed & (1u << CONF_DK_ROUTE_EXCHANGE))
		fprintf(out, "route-exchange: changed\n");
	if (df->global_changed & (1u << CONF_DK_TRANSPARENT))
		fprintf(out, "transparent: changed\n");
	if (df->global_changed & (1u << CONF_DK_IXP_COMMUNITIES))
		fprintf(out, "ixp-communities: changed\n");
	if (df->rebind_metrics) {
		char a[80] = "off";
		if (nc->metrics_enabled)
			metrics_endpoint_fmt(&nc->metrics, a, sizeof(a));
		fprintf(out, "metrics: changed (now %s)\n", a);
	}
	if (df->global_changed & (1u << CONF_DK_MRT_DUMP)) {
		if (nc->mrt_dump_enabled)
			fprintf(out, "mrt-dump: changed (now %s every %u s%s)\n", nc->mrt_dump.file,
				nc->mrt_dump.interval, nc->mrt_dump.adj_rib_in ? ", adj-rib-in" : "");
		else
			fprintf(out, "mrt-dump: changed (now off)\n");
	}
	if (df->global_changed & (1u << CONF_DK_MRT_LOG)) {
		const struct conf_mrt_log *m = &nc->mrt_log;
		if (nc->mrt_log_enabled) {
			fprintf(out, "mrt-log: changed (now %s every %u s, types", m->file, m->rotate);
			for (unsigned b = 0; b < 8; b++)
				if (m->types & (1u << b))
					fprintf(out, " %s", conf_mrt_log_type_name(b));
			if (m->npeers) {
				fputs(", peers", out);
				for (size_t i = 0; i < m->npeers; i++)
					fprintf(out, " %s", m->peers[i]);
			}
			fputs(")\n", out);
		} else {
			fprintf(out, "mrt-log: changed (now off)\n");
		}
	}
	if (df->rebind_bmp)
		fprintf(out, "bmp: changed: collector sessions restart\n");
	if (df->noriginate_added || df->noriginate_removed)
		fprintf(out, "originate: %zu added, %zu removed\n", df->noriginate_added,
			df->noriginate_removed);
	if (df->rpki_policy)
		fprintf(out, "rpki: invalid routes now %s (applied in place; the dry run below does "
			     "not count it)\n",
			nc->rpki.drop_invalid ? "dropped" : "accepted");
}

/* Opens, moves or closes the metrics endpoint. False (nothing changed, err set) when the
 * new endpoint cannot be opened. */
static bool apply_metrics(struct rx_daemon *d, const struct conf_daemon *nc, char *err,
			  size_t errlen)
{
	if (!nc->metrics_enabled) {
		metrics_close(d->metrics);
		d->metrics = NULL;
		rx_log(RX_LOG_INFO, "metrics: endpoint closed");
		return true;
	}
	if (d->metrics)
		return metrics_move(d->metrics, &nc->metrics, err, errlen);
	struct metrics_server *m = metrics_open(d, &nc->metrics, err, errlen);
	if (m && !metrics_run(m)) {
		snprintf(err, errlen, "metrics: cannot start its thread");
		metrics_close(m);
		m = NULL;
	}
	d->metrics = m;
	return m != NULL;
}

static void apply_peer(struct rx_daemon *d, const struct conf_daemon *nc,
		       const struct conf_peer_diff *pd)
{
	struct rx_peer *p = pd->old_peer ? peer_of_conf(d, pd->old_peer) : NULL;
	struct io_peer_settings st;
	switch (pd->change) {
	case CONF_CHANGE_ADDED:
		if (!daemon_add_peer(d, pd->new_peer))
			rx_log(RX_LOG_ERR, "reload: peer %s: no free peer slot", pd->new_peer->name);
		return;
	case CONF_CHANGE_REMOVED:
		if (!p)
			return;
		__atomic_store_n(&p->removed, true, __ATOMIC_RELAXED);
		io_disable_peer(&p->io); /* its routes go when the session-down message arrives */
		return;
	default:
		break;
	}
	if (!p)
		return;
	bool reset = pd->change == CONF_CHANGE_RESET ||
		     (pd->changed & (1u << CONF_PK_ROLE)) != 0;
	__atomic_store_n(&p->conf, pd->new_peer, __ATOMIC_RELEASE);
	if (!reset && p->up_w &&
	    (pd->changed & ((1u << CONF_PK_FILTER_BOGONS) | (1u << CONF_PK_MAX_AS_PATH_LENGTH) |
			    (1u << CONF_PK_IMPORT)))) {
		/* Import filters or map changed: routes refused before were not kept, and kept
		 * ones were stored as the old map left them, so the peer is asked for all of them
		 * again and the new filters judge each (a peer that cannot refresh is reset
		 * instead; see io_refresh_peer). */
		rx_log(RX_LOG_INFO, "peer %s: import %s changed: its routes are requested again",
		       pd->new_peer->name,
		       pd->changed & (1u << CONF_PK_IMPORT) ? "map" : "filters");
		io_refresh_peer(&p->io);
	}
	if (!reset && p->up_w &&
	    (p->key_w.limit != pd->new_peer->max_prefixes_out ||
	     !policy_map_equal(p->key_w.map, pd->new_peer->export_map))) {
		/* Re-export, no reset: the peer is sent the difference the new limit or export
		 * map makes (routes now denied withdrawn, newly permitted or rewritten sent). */
		rde_export_pending_w(d);
		p->key_w.limit = pd->new_peer->max_prefixes_out;
		p->key_w.map = pd->new_peer->export_map;
		export_member_rekey_w(&d->exp, &d->rib, p->src, &p->key_w);
	}
	if (!reset)
		return;
	__atomic_store_n(&p->role, daemon_rib_role(pd->new_peer->role), __ATOMIC_RELAXED);
	daemon_io_settings(nc, pd->new_peer, &st);
	io_reconfigure_peer(&p->io, &st);
}

static int dry_by_src(const void *a, const void *b)
{
	const struct export_dry *x = a, *y = b;
	return (x->src > y->src) - (x->src < y->src);
}

void daemon_dry_run_w(struct rx_daemon *d, const struct export_policy *pol,
		      const uint32_t *limits, size_t n_limits, FILE *out, bool json)
{
	size_t cap = d->npeers ? d->npeers : 1;
	struct export_dry *dry = calloc(cap, sizeof(*dry));
	RX_ASSERT(dry);
	size_t n = export_dry_run_w(&d->exp, &d->rib, pol, limits, n_limits, dry, cap);
	qsort(dry, n, sizeof(*dry), dry_by_src);
	if (json)
		fputc('[', out);
	else
		fprintf(out, "%-16s %10s %10s %10s %10s %s\n", "peer", "announce", "withdraw",
			"holds now", "then", "limit");
	for (size_t i = 0; i < n; i++) {
		const struct export_dry *x = &dry[i];
		struct rx_peer *p = daemon_peer(d, x->src);
		const char *name = p ? peer_conf(p)->name : "?"; /* names need no JSON escaping */
		if (json) {
			fprintf(out, "%s{\"name\": \"%s\", \"announce\": %zu, \"withdraw\": %zu, "
				     "\"before\": %zu, \"after\": %zu, \"max_prefixes_out\": %u, "
				     "\"withheld\": %zu}",
				i ? ", " : "", name, x->announce, x->withdraw, x->before, x->after,
				x->limit, x->withheld);
			continue;
		}
		fprintf(out, "%-16s %10zu %10zu %10zu %10zu ", name, x->announce, x->withdraw,
			x->before, x->after);
		if (!x->limit)
			fputs("-\n", out);
		else if (x->withheld)
			fprintf(out, "%u reached: %zu routes withheld\n", x->limit, x->withheld);
		else
			fprintf(out, "%u\n", x->limit);
	}
	if (json)
		fputc(']', out);
	else if (!n)
		fputs("(no established peer)\n", out);
	free(dry);
}

/* The dry run of a reload: the new policy, and each established peer's new export limit. */
static void reload_dry_run(struct rx_daemon *d, const struct conf_daemon *nc,
			   const struct conf_diff *df, FILE *out)
{
	struct export_policy pol = d->exp.pol;
	pol.exchange = nc->route_exchange;
	pol.transparent = nc->transparent;
	pol.ixp_communities = nc->ixp_communities;
	size_t n_limits = 1;
	for (size_t i = 0; i < d->npeers; i++)
		if (d->peers[i]->src >= n_limits)
			n_limits = d->peers[i]->src + 1u;
	uint32_t *limits = calloc(n_limits, sizeof(*limits));
	RX_ASSERT(limits);
	for (size_t i = 0; i < d->npeers; i++)
		limits[d->peers[i]->src] = d->peers[i]->key_w.limit;
	for (size_t i = 0; i < df->npeers; i++) {
		const struct conf_peer_diff *pd = &df->peers[i];
		struct rx_peer *p = pd->old_peer ? peer_of_conf(d, pd->old_peer) : NULL;
		if (p && pd->new_peer && pd->change != CONF_CHANGE_RESET)
			limits[p->src] = pd->new_peer->max_prefixes_out;
	}
	fputs("routes each established peer would be sent (peers that reset or go are not "
	      "counted):\n", out);
	daemon_dry_run_w(d, &pol, limits, n_limits, out, false);
	free(limits);
}

bool daemon_reload_w(struct rx_daemon *d, bool dry_run, FILE *out)
{
	struct conf_daemon *old = d->conf, *nc;
	char err[1024];
	if (conf_load(old->file, &nc, err, sizeof(err)) != 0) {
		fprintf(out, "%s\n", err);
		rx_log(RX_LOG_ERR, "reload failed: %s", err);
		return false;
	}
	struct conf_diff df;
	if (conf_diff(old, nc, &df) != 0) {
		fprintf(out, "cannot compare the configurations\n");
		conf_free(nc);
		return false;
	}
	bool ok = !needs_restart(&df, out);
	report(&df, nc, out);
	if (ok && dry_run)
		reload_dry_run(d, nc, &df, out);
	if (!ok || dry_run) {
		fprintf(out, ok ? "dry run: nothing changed\n" : "reload refused: nothing changed\n");
		conf_diff_fini(&df);
		conf_free(nc);
		return ok;
	}
	if (df.rebind_metrics && !apply_metrics(d, nc, err, sizeof(err))) {
		fprintf(out, "%s\nreload refused: nothing changed\n", err);
		rx_log(RX_LOG_ERR, "reload refused: %s:%u: %s", nc->file, nc->metrics.line, err);
		conf_diff_fini(&df);
		conf_free(nc);
		return false;
	}
	/* Readers may still hold pointers into the old config: keep it until exit. */
	d->old_confs = realloc(d->old_confs, (d->n_old_confs + 1) * sizeof(*d->old_confs));
	RX_ASSERT(d->old_confs);
	d->old_confs[d->n_old_confs++] = old;
	__atomic_store_n(&d->conf, nc, __ATOMIC_RELEASE);
	for (size_t i = 0; i < df.npeers; i++)
		apply_peer(d, nc, &df.peers[i]);
	rde_originate_w(d, df.originate_added, df.noriginate_added, df.originate_removed,
			df.noriginate_removed);
	if (df.rpki_policy)
		rde_rpki_policy_w(d, nc->rpki.drop_invalid);
	/* Only what the file changed: a reload that leaves route-exchange alone keeps the state
	 * `routexctl exchange` set (the running value may differ from the file's). */
	struct export_policy pol = d->exp.pol;
	if (df.global_changed & (1u << CONF_DK_ROUTE_EXCHANGE))
		pol.exchange = nc->route_exchange;
	if (df.global_changed & (1u << CONF_DK_TRANSPARENT))
		pol.transparent = nc->transparent;
	pol.ixp_communities = nc->ixp_communities;
	if (pol.exchange != d->exp.pol.exchange || pol.transparent != d->exp.pol.transparent ||
	    pol.ixp_communities != d->exp.pol.ixp_communities) {
		export_policy_change_w(&d->exp, &d->rib, &pol);
		__atomic_store_n(&d->exchange, pol.exchange, __ATOMIC_RELAXED);
	}
	if (df.rebind_bmp)
		daemon_bmp_configure_w(d, nc);
	rx_log(RX_LOG_INFO, "configuration reloaded from %s", nc->file);
	fprintf(out, "reloaded\n");
	conf_diff_fini(&df);
	return true;
}
