/* diff.c: what a reload has to do, from comparing the running config with the new one.
 *
 * The point is to leave untouched sessions alone. A peer key belongs to one of three classes:
 *  - reset: the value is part of the session itself: sent in OPEN (asn, hold-time,
 *    graceful-restart and add-path capabilities), or a property of the TCP connection
 *    (address, port, local-address, TCP-MD5 password, TTL/GTSM). Only a new session applies it.
 *  - re-export: the value changes what the peer should be sent (role, max-prefixes-out).
 *    A role change also changes where the peer's own routes go, so it re-exports to everyone.
 *  - update: applied in place (description; keepalive, which is never negotiated; passive,
 *    which only matters for the next connection; max-prefixes, re-checked against the current
 *    count by the session, which resets the peer if it is now over the limit).
 * `enabled` turns a peer into added (false -> true) or removed (true -> false).
 * Sets (listen, originate) compare without regard to order. */
#include <stdlib.h>
#include <string.h>

#include <routex/conf.h>
#include <routex/policy.h>

#include "conf-int.h"

#define BIT(k) (1u << (k))

static const uint32_t reset_keys =
    BIT(CONF_PK_ADDRESS) | BIT(CONF_PK_ASN) | BIT(CONF_PK_HOLD_TIME) | BIT(CONF_PK_PASSWORD) |
    BIT(CONF_PK_TTL_SECURITY) | BIT(CONF_PK_MULTIHOP) | BIT(CONF_PK_LOCAL_ADDRESS) |
    BIT(CONF_PK_PORT) | BIT(CONF_PK_GRACEFUL_RESTART) | BIT(CONF_PK_ADD_PATH) |
    BIT(CONF_PK_BGP_ROLE_STRICT) | /* checked in OPEN */
    /* the session's routes are learned again, validated (or not) on the way in */
    BIT(CONF_PK_RPKI);
static const uint32_t reexport_keys =
    BIT(CONF_PK_ROLE) | BIT(CONF_PK_MAX_PREFIXES_OUT) | BIT(CONF_PK_EXPORT);

static bool str_equal(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

uint32_t conf_peer_changes(const struct conf_peer *a, const struct conf_peer *b)
{
	uint32_t m = 0;
	m |= str_equal(a->name, b->name) ? 0 : BIT(CONF_PK_NAME);
	m |= conf_addr_equal(&a->address, &b->address) ? 0 : BIT(CONF_PK_ADDRESS);
	m |= a->asn == b->asn ? 0 : BIT(CONF_PK_ASN);
	m |= a->role == b->role ? 0 : BIT(CONF_PK_ROLE);
	m |= a->passive == b->passive ? 0 : BIT(CONF_PK_PASSIVE);
	m |= a->max_prefixes == b->max_prefixes ? 0 : BIT(CONF_PK_MAX_PREFIXES);
	m |= a->max_prefixes_out == b->max_prefixes_out ? 0 : BIT(CONF_PK_MAX_PREFIXES_OUT);
	m |= a->hold_time == b->hold_time ? 0 : BIT(CONF_PK_HOLD_TIME);
	m |= a->keepalive == b->keepalive ? 0 : BIT(CONF_PK_KEEPALIVE);
	m |= str_equal(a->password, b->password) ? 0 : BIT(CONF_PK_PASSWORD);
	m |= a->ttl_security == b->ttl_security ? 0 : BIT(CONF_PK_TTL_SECURITY);
	m |= a->multihop == b->multihop ? 0 : BIT(CONF_PK_MULTIHOP);
	m |= conf_addr_equal(&a->local_address, &b->local_address) ? 0 : BIT(CONF_PK_LOCAL_ADDRESS);
	m |= a->port == b->port ? 0 : BIT(CONF_PK_PORT);
	m |= str_equal(a->description, b->description) ? 0 : BIT(CONF_PK_DESCRIPTION);
	m |= a->enabled == b->enabled ? 0 : BIT(CONF_PK_ENABLED);
	m |= a->graceful_restart == b->graceful_restart ? 0 : BIT(CONF_PK_GRACEFUL_RESTART);
	m |= a->add_path == b->add_path ? 0 : BIT(CONF_PK_ADD_PATH);
	m |= a->filter_bogons == b->filter_bogons ? 0 : BIT(CONF_PK_FILTER_BOGONS);
	m |= a->max_as_path_length == b->max_as_path_length ? 0 : BIT(CONF_PK_MAX_AS_PATH_LENGTH);
	m |= a->bgp_role_strict == b->bgp_role_strict ? 0 : BIT(CONF_PK_BGP_ROLE_STRICT);
	m |= a->rpki == b->rpki ? 0 : BIT(CONF_PK_RPKI);
	/* The maps in force, by content: editing a map or a prefix list it uses, or turning
	 * require-policy on or off, changes the peers concerned, as renaming the map does. */
	m |= policy_map_equal(a->import_map, b->import_map) ? 0 : BIT(CONF_PK_IMPORT);
	m |= policy_map_equal(a->export_map, b->export_map) ? 0 : BIT(CONF_PK_EXPORT);
	return m;
}

static bool has_endpoint(const struct conf_endpoint *v, size_t n, const struct conf_endpoint *e)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].port == e->port && conf_addr_equal(&v[i].addr, &e->addr))
			return true;
	return false;
}

/* Entries are unique within one config (check.c), so equal counts and inclusion make a set
 * equality. */
static bool listen_equal(const struct conf_daemon *a, const struct conf_daemon *b)
{
	if (a->nlisten != b->nlisten)
		return false;
	for (size_t i = 0; i < a->nlisten; i++)
		if (!has_endpoint(b->listen, b->nlisten, &a->listen[i]))
			return false;
	return true;
}

static int pfx_cmp(const void *a, const void *b)
{
	return rx_prefix_cmp(a, b);
}

static bool has_prefix(const struct conf_daemon *c, const struct rx_prefix *p)
{
	return c->noriginate &&
	       bsearch(p, c->originate_sorted, c->noriginate, sizeof(*p), pfx_cmp) != NULL;
}

static bool originate_equal(const struct conf_daemon *a, const struct conf_daemon *b)
{
	if (a->noriginate != b->noriginate)
		return false;
	for (size_t i = 0; i < a->noriginate; i++)
		if (!has_prefix(b, &a->originate[i]))
			return false;
	return true;
}

static bool metrics_equal(const struct conf_daemon *a, const struct conf_daemon *b)
{
	if (a->metrics_enabled != b->metrics_enabled)
		return false;
	return !a->metrics_enabled || (a->metrics.port == b->metrics.port &&
				       conf_addr_equal(&a->metrics.addr, &b->metrics.addr));
}

static bool mrt_dump_equal(const struct conf_daemon *a, const struct conf_daemon *b)
{
	const struct conf_mrt_dump *x = &a->mrt_dump, *y = &b->mrt_dump;
	if (a->mrt_dump_enabled != b->mrt_dump_enabled)
		return false;
	return !a->mrt_dump_enabled || (str_equal(x->file, y->file) &&
					x->interval == y->interval &&
					x->adj_rib_in == y->adj_rib_in);
}

/* Every top-level key but peers. */
static uint32_t global_changes(const struct conf_daemon *a, const struct conf_daemon *b)
{
	uint32_t m = 0;
	m |= a->router_id == b->router_id ? 0 : BIT(CONF_DK_ROUTER_ID);
	m |= a->asn == b->asn ? 0 : BIT(CONF_DK_ASN);
	m |= listen_equal(a, b) ? 0 : BIT(CONF_DK_LISTEN);
	m |= str_equal(a->control_socket, b->control_socket) ? 0 : BIT(CONF_DK_CONTROL_SOCKET);
	m |= a->route_exchange == b->route_exchange ? 0 : BIT(CONF_DK_ROUTE_EXCHANGE);
	m |= a->route_preference == b->route_preference ? 0 : BIT(CONF_DK_ROUTE_PREFERENCE);
	m |= a->transparent == b->transparent ? 0 : BIT(CONF_DK_TRANSPARENT);
	m |= a->ixp_communities == b->ixp_communities ? 0 : BIT(CONF_DK_IXP_COMMUNITIES);
	m |= a->io_mode == b->io_mode && a->io_threads == b->io_threads ? 0
									: BIT(CONF_DK_IO_THREADS);
	m |= a->export_threads == b->export_threads ? 0 : BIT(CONF_DK_EXPORT_THREADS);
	m |= originate_equal(a, b) ? 0 : BIT(CONF_DK_ORIGINATE);
	m |= a->has_next_hop6 == b->has_next_hop6 && !memcmp(a->next_hop6, b->next_hop6, 16)
		     ? 0
		     : BIT(CONF_DK_NEXT_HOP_IPV6);
	m |= metrics_equal(a, b) ? 0 : BIT(CONF_DK_METRICS);
	m |= str_equal(a->user, b->user) ? 0 : BIT(CONF_DK_USER);
	m |= str_equal(a->group, b->group) ? 0 : BIT(CONF_DK_GROUP);
	m |= mrt_dump_equal(a, b) ? 0 : BIT(CONF_DK_MRT_DUMP);
	m |= conf_mrt_log_equal(a, b) ? 0 : BIT(CONF_DK_MRT_LOG);
	m |= conf_bmp_equal(a, b) ? 0 : BIT(CONF_DK_BMP);
	m |= conf_rpki_equal(&a->rpki, &b->rpki) ? 0 : BIT(CONF_DK_RPKI);
	/* Applied through the peers that use them (their import/export changes); the three
	 * keys are compared as one. */
	if (!conf_policy_equal(a, b))
		m |= BIT(CONF_DK_REQUIRE_POLICY) | BIT(CONF_DK_PREFIX_LISTS) | BIT(CONF_DK_ROUTE_MAPS);
	return m;
}

bool conf_equal(const struct conf_daemon *a, const struct conf_daemon *b)
{
	if (global_changes(a, b) || a->npeers != b->npeers)
		return false;
	for (size_t i = 0; i < a->npeers; i++)
		if (conf_peer_changes(&a->peers[i], &b->peers[i]))
			return false;
	return true;
}

/* old_peer or new_peer may be NULL (absent from that config). */
static enum conf_peer_change classify(const struct conf_peer *o, const struct conf_peer *n,
				      uint32_t changed)
{
	bool was = o && o->enabled, is = n && n->enabled;
	if (!was && !is) /* nothing ran, nothing will */
		return changed ? CONF_CHANGE_UPDATE : CONF_CHANGE_NONE;
	if (!was)
		return CONF_CHANGE_ADDED;
	if (!is)
		return CONF_CHANGE_REMOVED;
	if (changed & reset_keys)
		return CONF_CHANGE_RESET;
	if (changed & reexport_keys)
		return CONF_CHANGE_REEXPORT;
	return changed ? CONF_CHANGE_UPDATE : CONF_CHANGE_NONE;
}

static void add_peer_diff(struct conf_diff *d, const struct conf_peer *o, const struct conf_peer *n)
{
	struct conf_peer_diff *pd = &d->peers[d->npeers++];
	pd->old_peer = o;
	pd->new_peer = n;
	pd->changed = o && n ? conf_peer_changes(o, n) : 0;
	pd->change = classify(o, n, pd->changed);
	if (pd->changed & BIT(CONF_PK_ROLE) && pd->change == CONF_CHANGE_REEXPORT)
		d->reexport_all = true;
	if (pd->change != CONF_CHANGE_NONE)
		d->global_changed |= BIT(CONF_DK_PEERS);
}

static int diff_peers(const struct conf_daemon *a, const struct conf_daemon *b, struct conf_diff *d)
{
	d->peers = calloc(a->npeers + b->npeers + 1, sizeof(*d->peers));
	if (!d->peers)
		return -1;
	for (size_t i = 0; i < a->npeers; i++)
		add_peer_diff(d, &a->peers[i], conf_peer_find(b, a->peers[i].name));
	for (size_t i = 0; i < b->npeers; i++)
		if (!conf_peer_find(a, b->peers[i].name))
			add_peer_diff(d, NULL, &b->peers[i]);
	return 0;
}

/* Prefixes of `from` missing in `in`, as a new array in *out. */
static int prefix_minus(const struct conf_daemon *from, const struct conf_daemon *in,
			struct rx_prefix **out, size_t *n)
{
	*out = calloc(from->noriginate + 1, sizeof(**out));
	if (!*out)
		return -1;
	for (size_t i = 0; i < from->noriginate; i++)
		if (!has_prefix(in, &from->originate[i]))
			(*out)[(*n)++] = from->originate[i];
	return 0;
}

int conf_diff(const struct conf_daemon *old_conf, const struct conf_daemon *new_conf,
	      struct conf_diff *out)
{
	struct conf_diff *d = out;
	memset(d, 0, sizeof(*d));
	d->global_changed = global_changes(old_conf, new_conf);
	uint32_t g = d->global_changed;
	d->reset_all = g & (BIT(CONF_DK_ROUTER_ID) | BIT(CONF_DK_ASN));
	d->redecide = g & BIT(CONF_DK_ROUTE_PREFERENCE);
	d->reexport_all = g & (BIT(CONF_DK_ROUTE_EXCHANGE) | BIT(CONF_DK_ROUTE_PREFERENCE) |
			       BIT(CONF_DK_TRANSPARENT) | BIT(CONF_DK_IXP_COMMUNITIES));
	d->rebind_listen = g & BIT(CONF_DK_LISTEN);
	d->rebind_control = g & BIT(CONF_DK_CONTROL_SOCKET);
	d->rebind_metrics = g & BIT(CONF_DK_METRICS);
	d->rebind_bmp = g & BIT(CONF_DK_BMP);
	d->restart_needed = g & (BIT(CONF_DK_IO_THREADS) | BIT(CONF_DK_EXPORT_THREADS) |
				 BIT(CONF_DK_USER) | BIT(CONF_DK_GROUP) |
				 BIT(CONF_DK_NEXT_HOP_IPV6));
	/* rpki: the caches and timers need a restart (a new librtr manager); `invalid` alone is
	 * a re-decision of the prefixes with invalid paths, done in place. */
	if (g & BIT(CONF_DK_RPKI)) {
		if (conf_rpki_same_caches(&old_conf->rpki, &new_conf->rpki))
			d->rpki_policy = true;
		else
			d->restart_needed = true;
	}
	if (prefix_minus(new_conf, old_conf, &d->originate_added, &d->noriginate_added) ||
	    prefix_minus(old_conf, new_conf, &d->originate_removed, &d->noriginate_removed) ||
	    diff_peers(old_conf, new_conf, d)) {
		conf_diff_fini(d);
		return -1;
	}
	return 0;
}

void conf_diff_fini(struct conf_diff *d)
{
	free(d->originate_added);
	free(d->originate_removed);
	free(d->peers);
	memset(d, 0, sizeof(*d));
}
