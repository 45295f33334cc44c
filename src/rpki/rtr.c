/* rtr.c: the RTR client (RFC 8210) over librtr's rtr_mgr, and validation against its table.
 *
 * Threads: librtr runs one thread per cache; it calls back here (pfx_changed, sock_state) on
 * those threads. Everything they write that others read is either under `lock` (the list of
 * pending ROA changes) or a relaxed atomic (display values: session state, serial, counts).
 * The decision thread validates with pfx_table_validate, which takes the table's read lock.
 *
 * Hand-off: librtr reports every VRP added or removed, one call each (a full load is one
 * call per VRP), while it applies a cache's response. They are appended to `pend`, and the
 * consumer is rung (notify) when the response is complete: librtr changes the socket's state
 * after applying it (SYNC -> ESTABLISHED, or an error state after a purge of expired
 * records), and sock_state rings when changes wait. sock_state is the socket's own state
 * callback (public rtr_socket.connection_state_fp), put in front of rtr_mgr's after
 * rtr_mgr_init: rtr_mgr's status callback is not called for a group that stays
 * established, so an incremental update (serial query) would go unnoticed there. The consumer then takes the
 * whole list at once: a full load of hundreds of thousands of VRPs costs one message to the
 * decision thread and one re-validation pass. Ringing at the first change instead was
 * measured to give one message per VRP (the decision thread keeps pace with librtr: 9,000
 * VRPs arrived as 5,630 + 3,370 one-VRP batches). A response larger than RPKI_RING_AT
 * changes rings early, every RPKI_RING_AT, to bound the list's memory. */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rtrlib/rtrlib.h>
#include <urcu/compiler.h>

#include <routex/compiler.h>
#include <routex/log.h>
#include <routex/rib-t.h>
#include <routex/rpki.h>

#include "rpki-int.h"

#define RPKI_RING_AT 65536 /* pending changes: about 1.5 MiB */

struct rpki_server {
	struct rpki *r;
	char host[INET6_ADDRSTRLEN];
	char port[8];
	uint8_t preference;
	struct tr_tcp_config tcp;
	struct tr_socket tr;
	struct rtr_socket rtr;
	rtr_connection_state_fp mgr_fp; /* rtr_mgr's own callback, called after ours */
	/* A: relaxed; written by this cache's librtr thread, read by show. */
	int state;	  /* enum rtr_socket_state */
	uint32_t serial;  /* of the last synchronised data */
	uint32_t session; /* RTR session id */
	bool in_sync;	  /* has had a complete data set since it last connected */
	int64_t since;	  /* wall clock of the last in_sync change */
	/* That thread only. */
	bool logged_down; /* a loss is logged once until the next sync */
};

struct rpki {
	struct rtr_mgr_config *mgr;
	struct rtr_mgr_group *groups;
	unsigned ngroups;
	struct rpki_server *srv;
	size_t nsrv;
	rpki_notify_fn notify;
	void *ctx;
	bool started;
	pthread_mutex_t lock; /* protects pend, npend, cap */
	struct rpki_roa *pend;
	size_t npend, cap;
	size_t roas[2]; /* A: relaxed; VRPs in the table, IPv4 and IPv6 */
	uint64_t changes; /* A: relaxed; VRP additions and removals since start */
};

bool rpki_supported(void)
{
	return true;
}

static void to_lrtr(const struct rx_prefix *p, struct lrtr_ip_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (p->afi == RX_AFI_IPV4) {
		a->ver = LRTR_IPV4;
		uint32_t x;
		memcpy(&x, p->addr, 4);
		a->u.addr4.addr = ntohl(x);
		return;
	}
	a->ver = LRTR_IPV6;
	for (unsigned i = 0; i < 4; i++) { /* librtr keeps IPv6 as 4 host-order words */
		uint32_t x;
		memcpy(&x, p->addr + 4 * i, 4);
		a->u.addr6.addr[i] = ntohl(x);
	}
}

static void from_lrtr(const struct lrtr_ip_addr *a, uint8_t len, struct rx_prefix *p)
{
	memset(p, 0, sizeof(*p));
	p->len = len;
	if (a->ver == LRTR_IPV4) {
		p->afi = RX_AFI_IPV4;
		uint32_t x = htonl(a->u.addr4.addr);
		memcpy(p->addr, &x, 4);
		return;
	}
	p->afi = RX_AFI_IPV6;
	for (unsigned i = 0; i < 4; i++) {
		uint32_t x = htonl(a->u.addr6.addr[i]);
		memcpy(p->addr + 4 * i, &x, 4);
	}
}

void rpki_roa_of(const struct pfx_record *rec, bool added, struct rpki_roa *roa)
{
	memset(roa, 0, sizeof(*roa));
	roa->max_len = rec->max_len;
	roa->added = added;
	roa->asn = rec->asn;
	from_lrtr(&rec->prefix, rec->min_len, &roa->p);
}

/* librtr thread: one VRP added or removed. The record names the socket it came from, which
 * is embedded in our server: the only way back to our context (the callback has no user
 * pointer). */
static void pfx_changed(struct pfx_table *t, const struct pfx_record rec, const bool added)
{
	if (!rec.socket)
		return;
	struct rpki_server *s = caa_container_of(rec.socket, struct rpki_server, rtr);
	struct rpki *r = s->r;
	struct rpki_roa roa;
	rpki_roa_of(&rec, added, &roa);
	unsigned fam = roa.p.afi == RX_AFI_IPV4 ? 0 : 1;
	if (added)
		__atomic_add_fetch(&r->roas[fam], 1, __ATOMIC_RELAXED);
	else
		__atomic_sub_fetch(&r->roas[fam], 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&r->changes, 1, __ATOMIC_RELAXED);
	pthread_mutex_lock(&r->lock);
	bool ring = r->npend + 1 == RPKI_RING_AT;
	if (r->npend == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 1024;
		r->pend = realloc(r->pend, r->cap * sizeof(*r->pend));
		RX_ASSERT(r->pend);
	}
	r->pend[r->npend++] = roa;
	pthread_mutex_unlock(&r->lock);
	if (ring)
		r->notify(r->ctx);
}

size_t rpki_take(struct rpki *r, struct rpki_roa **v)
{
	pthread_mutex_lock(&r->lock);
	size_t n = r->npend;
	*v = r->pend;
	r->pend = NULL;
	r->npend = r->cap = 0;
	pthread_mutex_unlock(&r->lock);
	return n;
}

/* librtr thread of socket `sock`: its state changed to st. Hands over waiting ROA changes,
 * logs a cache coming into sync and the loss of one (once, not at every retry). */
static void track_state(struct rpki_server *s, const struct rtr_socket *sock, int state)
{
	struct rpki *r = s->r;
	__atomic_store_n(&s->state, state, __ATOMIC_RELAXED);
	bool was = __atomic_load_n(&s->in_sync, __ATOMIC_RELAXED);
	if (state == RTR_ESTABLISHED) {
		__atomic_store_n(&s->serial, sock->serial_number, __ATOMIC_RELAXED);
		__atomic_store_n(&s->session, sock->session_id, __ATOMIC_RELAXED);
		if (!was) {
			__atomic_store_n(&s->since, (int64_t)time(NULL), __ATOMIC_RELAXED);
			__atomic_store_n(&s->in_sync, true, __ATOMIC_RELAXED);
			s->logged_down = false;
			rx_log(RX_LOG_INFO,
			       "rpki: cache %s port %s up: in sync, serial %u, %zu IPv4 and %zu "
			       "IPv6 ROAs",
			       s->host, s->port, sock->serial_number,
			       __atomic_load_n(&r->roas[0], __ATOMIC_RELAXED),
			       __atomic_load_n(&r->roas[1], __ATOMIC_RELAXED));
		}
		return;
	}
	bool down = state == RTR_ERROR_FATAL || state == RTR_ERROR_TRANSPORT ||
		    state == RTR_ERROR_NO_DATA_AVAIL || state == RTR_ERROR_NO_INCR_UPDATE_AVAIL ||
		    state == RTR_CONNECTING || state == RTR_SHUTDOWN || state == RTR_CLOSED;
	if (!down || state == RTR_SHUTDOWN)
		return; /* RESET/SYNC are steps of a session that stays up */
	if (was) {
		__atomic_store_n(&s->in_sync, false, __ATOMIC_RELAXED);
		__atomic_store_n(&s->since, (int64_t)time(NULL), __ATOMIC_RELAXED);
	}
	if ((was || !s->logged_down) && state != RTR_CONNECTING) {
		s->logged_down = true;
		rx_log(RX_LOG_WARN, "rpki: cache %s port %s down: %s (retrying)", s->host, s->port,
		       rtr_state_to_str((enum rtr_socket_state)state));
	}
}

static void sock_state(const struct rtr_socket *sock, const enum rtr_socket_state st,
		       void *cfg, void *grp)
{
	struct rpki_server *s = caa_container_of(sock, struct rpki_server, rtr);
	struct rpki *r = s->r;
	pthread_mutex_lock(&r->lock);
	bool ring = r->npend > 0;
	pthread_mutex_unlock(&r->lock);
	if (ring) /* a response was applied, or records purged: hand the changes over */
		r->notify(r->ctx);
	track_state(s, sock, (int)st);
	s->mgr_fp(sock, st, cfg, grp);
}

/* Servers of one preference form one librtr group. */
static bool build_groups(struct rpki *r)
{
	r->groups = calloc(r->nsrv, sizeof(*r->groups));
	if (!r->groups)
		return false;
	for (size_t i = 0; i < r->nsrv; i++) {
		struct rtr_mgr_group *g = NULL;
		for (unsigned j = 0; j < r->ngroups && !g; j++)
			if (r->groups[j].preference == r->srv[i].preference)
				g = &r->groups[j];
		if (!g) {
			g = &r->groups[r->ngroups++];
			g->preference = r->srv[i].preference;
			g->sockets = calloc(r->nsrv, sizeof(*g->sockets));
			if (!g->sockets)
				return false;
		}
		g->sockets[g->sockets_len++] = &r->srv[i].rtr;
	}
	return true;
}

struct rpki *rpki_new(const struct conf_rpki *c, rpki_notify_fn notify, void *ctx, char *err,
		      size_t errlen)
{
	struct rpki *r = calloc(1, sizeof(*r));
	RX_ASSERT(r);
	r->notify = notify;
	r->ctx = ctx;
	pthread_mutex_init(&r->lock, NULL);
	r->nsrv = c->nservers;
	r->srv = calloc(r->nsrv, sizeof(*r->srv));
	RX_ASSERT(r->srv);
	for (size_t i = 0; i < r->nsrv; i++) {
		struct rpki_server *s = &r->srv[i];
		const struct conf_rpki_server *cs = &c->servers[i];
		s->r = r;
		s->preference = cs->preference;
		s->state = RTR_CLOSED;
		inet_ntop(cs->addr.afi == RX_AFI_IPV4 ? AF_INET : AF_INET6, cs->addr.addr, s->host,
			  sizeof(s->host));
		snprintf(s->port, sizeof(s->port), "%u", cs->port);
		s->tcp.host = s->host;
		s->tcp.port = s->port;
		if (tr_tcp_init(&s->tcp, &s->tr) != TR_SUCCESS) {
			snprintf(err, errlen, "rpki: cannot set up the connection to %s port %s",
				 s->host, s->port);
			rpki_free(r);
			return NULL;
		}
		s->rtr.tr_socket = &s->tr;
	}
	RX_ASSERT(build_groups(r));
	if (rtr_mgr_init(&r->mgr, r->groups, r->ngroups, c->refresh, c->expire, c->retry,
			 pfx_changed, NULL, NULL, NULL) != RTR_SUCCESS) {
		snprintf(err, errlen, "rpki: librtr refused the configuration");
		r->mgr = NULL;
		rpki_free(r);
		return NULL;
	}
	for (size_t i = 0; i < r->nsrv; i++) { /* set by rtr_mgr_init (rtr_init) */
		r->srv[i].mgr_fp = r->srv[i].rtr.connection_state_fp;
		RX_ASSERT(r->srv[i].mgr_fp);
		r->srv[i].rtr.connection_state_fp = sock_state;
	}
	return r;
}

bool rpki_start(struct rpki *r, char *err, size_t errlen)
{
	if (rtr_mgr_start(r->mgr) != RTR_SUCCESS) {
		snprintf(err, errlen, "rpki: cannot start librtr's sessions");
		return false;
	}
	r->started = true;
	return true;
}

void rpki_free(struct rpki *r)
{
	if (!r)
		return;
	if (r->started)
		rtr_mgr_stop(r->mgr); /* joins the cache threads: no callback after this */
	if (r->mgr) /* frees the transports too */
		rtr_mgr_free(r->mgr);
	else /* tr_free is not exported: the transport's own free function */
		for (size_t i = 0; i < r->nsrv; i++)
			if (r->srv[i].rtr.tr_socket && r->srv[i].tr.free_fp)
				r->srv[i].tr.free_fp(&r->srv[i].tr);
	for (unsigned j = 0; j < r->ngroups; j++)
		free(r->groups[j].sockets);
	free(r->groups);
	free(r->srv);
	free(r->pend);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

uint8_t rpki_validate(struct rpki *r, const struct rx_prefix *p, const uint8_t *aspath,
		      size_t len, uint32_t own_as)
{
	return rpki_table_validate(r->mgr->pfx_table, p, aspath, len, own_as);
}

uint8_t rpki_table_validate(struct pfx_table *t, const struct rx_prefix *p, const uint8_t *aspath,
			    size_t len, uint32_t own_as)
{
	uint32_t asn = 0; /* NONE: validated as AS 0, which no VRP matches (rpki_state) */
	if (!rpki_origin_as(aspath, len, own_as, &asn))
		asn = 0;
	struct lrtr_ip_addr a;
	to_lrtr(p, &a);
	enum pfxv_state st = BGP_PFXV_STATE_NOT_FOUND;
	if (pfx_table_validate(t, asn, &a, p->len, &st) != PFX_SUCCESS)
		return RIB_RPKI_NOT_FOUND;
	return rpki_state(st == BGP_PFXV_STATE_VALID	 ? RPKI_VALID
			  : st == BGP_PFXV_STATE_INVALID ? RPKI_INVALID
							 : RPKI_NOT_FOUND,
			  asn);
}

void rpki_stats(struct rpki *r, struct rpki_stats *s)
{
	s->roas[0] = __atomic_load_n(&r->roas[0], __ATOMIC_RELAXED);
	s->roas[1] = __atomic_load_n(&r->roas[1], __ATOMIC_RELAXED);
	s->changes = __atomic_load_n(&r->changes, __ATOMIC_RELAXED);
	s->caches = r->nsrv;
}

void rpki_cache(struct rpki *r, size_t i, char *name, size_t len, bool *in_sync,
		uint32_t *serial)
{
	const struct rpki_server *s = &r->srv[i];
	snprintf(name, len, "%s port %s", s->host, s->port);
	*in_sync = __atomic_load_n(&s->in_sync, __ATOMIC_RELAXED);
	*serial = __atomic_load_n(&s->serial, __ATOMIC_RELAXED);
}

void rpki_show(struct rpki *r, FILE *out, bool json)
{
	size_t v4 = __atomic_load_n(&r->roas[0], __ATOMIC_RELAXED);
	size_t v6 = __atomic_load_n(&r->roas[1], __ATOMIC_RELAXED);
	uint64_t ch = __atomic_load_n(&r->changes, __ATOMIC_RELAXED);
	if (json)
		fprintf(out, "{\"roas_ipv4\": %zu, \"roas_ipv6\": %zu, \"roa_changes\": %llu, "
			     "\"servers\": [",
			v4, v6, (unsigned long long)ch);
	else
		fprintf(out, "%-40s %-6s %-4s %-22s %-7s %10s %10s %s\n", "cache", "port", "pref",
			"state", "in-sync", "serial", "session", "since");
	for (size_t i = 0; i < r->nsrv; i++) {
		struct rpki_server *s = &r->srv[i];
		int st = __atomic_load_n(&s->state, __ATOMIC_RELAXED);
		bool sync = __atomic_load_n(&s->in_sync, __ATOMIC_RELAXED);
		uint32_t serial = __atomic_load_n(&s->serial, __ATOMIC_RELAXED);
		uint32_t session = __atomic_load_n(&s->session, __ATOMIC_RELAXED);
		int64_t since = __atomic_load_n(&s->since, __ATOMIC_RELAXED);
		const char *name = rtr_state_to_str((enum rtr_socket_state)st);
		long ago = since ? (long)(time(NULL) - since) : -1;
		if (json) {
			fprintf(out, "%s{\"address\": \"%s\", \"port\": %s, \"preference\": %u, "
				     "\"state\": \"%s\", \"in_sync\": %s, \"serial\": %u, "
				     "\"session_id\": %u, \"since_seconds\": %ld}",
				i ? ", " : "", s->host, s->port, s->preference, name ? name : "?",
				sync ? "true" : "false", serial, session, ago);
			continue;
		}
		char ago_s[32] = "-";
		if (ago >= 0)
			snprintf(ago_s, sizeof(ago_s), "%lds ago", ago);
		fprintf(out, "%-40s %-6s %-4u %-22s %-7s %10u %10u %s\n", s->host, s->port,
			s->preference, name ? name : "?", sync ? "yes" : "no", serial, session,
			ago_s);
	}
	if (json)
		fputs("]}\n", out);
	else
		fprintf(out, "%zu IPv4 and %zu IPv6 ROAs, %llu changes since start\n", v4, v6,
			(unsigned long long)ch);
}
