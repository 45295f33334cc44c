/* check.c: rules that span several keys or peers, run once the whole file is parsed, and the
 * warnings for setups that are legal but probably not meant.
 *
 * Errors point at the second of two clashing entries and name the line of the first. The
 * quadratic scans are deliberate: a config holds at most a few hundred peers and is checked
 * once per load. */
#include <stdio.h>
#include <string.h>

#include <routex/conf.h>

#include "conf-int.h"

static bool is_unspecified(const struct conf_addr *a)
{
	static const uint8_t zero[16];
	return !memcmp(a->addr, zero, sizeof(zero));
}

/* Two listening sockets clash on the same port when one address is the other's or a wildcard
 * (a Linux IPv6 wildcard socket also takes IPv4 unless IPV6_V6ONLY is set). */
static bool endpoints_clash(const struct conf_endpoint *a, const struct conf_endpoint *b)
{
	if (a->port != b->port)
		return false;
	return conf_addr_equal(&a->addr, &b->addr) || is_unspecified(&a->addr) ||
	       is_unspecified(&b->addr);
}

static int check_listen(struct conf_parse *p)
{
	const struct conf_daemon *c = p->c;
	char buf[RX_PREFIX_STRLEN];
	for (size_t i = 0; i < c->nlisten; i++)
		for (size_t j = 0; j < i; j++)
			if (conf_addr_equal(&c->listen[i].addr, &c->listen[j].addr) &&
			    c->listen[i].port == c->listen[j].port)
				return conf_fail_at(
				    p, c->listen[i].line,
				    "listen: %s port %u is listed twice (first on line %u)",
				    conf_addr_str(&c->listen[i].addr, buf, sizeof(buf)),
				    c->listen[i].port, c->listen[j].line);
	if (!c->metrics_enabled)
		return 0;
	for (size_t i = 0; i < c->nlisten; i++) {
		if (!endpoints_clash(&c->metrics, &c->listen[i]))
			continue;
		if (!c->listen[i].line) /* listen was left out */
			return conf_fail_at(p, c->metrics.line,
					    "metrics: port %u is also the default BGP listen port",
					    c->metrics.port);
		return conf_fail_at(p, c->metrics.line,
				    "metrics: port %u is also a BGP listen port (line %u)",
				    c->metrics.port, c->listen[i].line);
	}
	return 0;
}

struct opos {
	struct rx_prefix p;
	size_t i; /* position in the file's list */
};

static int opos_cmp(const void *a, const void *b)
{
	const struct opos *x = a, *y = b;
	int c = rx_prefix_cmp(&x->p, &y->p);
	return c ? c : (x->i > y->i) - (x->i < y->i);
}

/* Duplicates by sorting (a virtual network may originate hundreds of thousands of prefixes:
 * comparing every pair took minutes); reports the first repeat in file order, and keeps the
 * sorted list for diffs. */
static int check_originate(struct conf_parse *p)
{
	struct conf_daemon *c = p->c;
	size_t n = c->noriginate;
	if (!n)
		return 0;
	struct opos *v = malloc(n * sizeof(*v));
	if (!v)
		return conf_fail_at(p, c->key_line[CONF_DK_ORIGINATE], "originate: out of memory");
	for (size_t i = 0; i < n; i++)
		v[i] = (struct opos){c->originate[i], i};
	qsort(v, n, sizeof(*v), opos_cmp);
	size_t dup = SIZE_MAX, first = 0, run = 0;
	for (size_t k = 1; k < n; k++) {
		if (!rx_prefix_equal(&v[k].p, &v[k - 1].p)) {
			run = k;
			continue;
		}
		if (v[k].i < dup) {
			dup = v[k].i;
			first = v[run].i;
		}
	}
	if (dup != SIZE_MAX) {
		char buf[RX_PREFIX_STRLEN];
		free(v);
		return conf_fail_at(p, c->originate_line[dup],
				    "originate: %s is listed twice (first on line %u)",
				    (rx_prefix_fmt(&c->originate[dup], buf, sizeof(buf)), buf),
				    c->originate_line[first]);
	}
	c->originate_sorted = malloc(n * sizeof(*c->originate_sorted));
	if (!c->originate_sorted) {
		free(v);
		return conf_fail_at(p, c->key_line[CONF_DK_ORIGINATE], "originate: out of memory");
	}
	for (size_t k = 0; k < n; k++)
		c->originate_sorted[k] = v[k].p;
	free(v);
	return 0;
}

/* Incoming connections are matched to peers by source address only (the source port is
 * ephemeral), so two peers on one address need distinct ports and must open the session. */
static int check_peer_pair(struct conf_parse *p, const struct conf_peer *a,
			   const struct conf_peer *b)
{
	char buf[RX_PREFIX_STRLEN];
	if (!strcmp(a->name, b->name))
		return conf_fail_at(p, b->key_line[CONF_PK_NAME],
				    "peer %s: name: already used by the peer on line %u", b->name,
				    a->line);
	if (!conf_addr_equal(&a->address, &b->address))
		return 0;
	conf_addr_str(&b->address, buf, sizeof(buf));
	if (a->port == b->port)
		return conf_fail_at(p, b->key_line[CONF_PK_ADDRESS],
				    "peer %s: address: %s port %u is already peer %s (line %u)",
				    b->name, buf, b->port, a->name, a->line);
	if ((a->passive || b->passive) && conf_addr_equal(&a->local_address, &b->local_address))
		return conf_warn(p, b->key_line[CONF_PK_ADDRESS],
				 "peer %s: shares address %s with peer %s (line %u): an incoming "
				 "connection cannot tell them apart, set passive: false on both",
				 b->name, buf, a->name, a->line);
	return 0;
}

static int check_peers(struct conf_parse *p)
{
	const struct conf_daemon *c = p->c;
	for (size_t i = 0; i < c->npeers; i++) {
		const struct conf_peer *q = &c->peers[i];
		/* A limit counts prefixes and keeps one route of each (export.h): several
		 * paths per prefix would make "the first N routes" meaningless. */
		if (q->max_prefixes_out &&
		    (q->add_path == CONF_ADD_PATH_SEND || q->add_path == CONF_ADD_PATH_BOTH))
			return conf_fail_at(p, q->key_line[CONF_PK_ADD_PATH],
					    "peer %s: add-path %s and max-prefixes-out cannot be "
					    "combined (a limited peer is sent one path per prefix)",
					    q->name, conf_add_path_name(q->add_path));
	}
	for (size_t i = 0; i < c->npeers; i++)
		for (size_t j = 0; j < i; j++)
			if (check_peer_pair(p, &c->peers[j], &c->peers[i]))
				return -1;
	return 0;
}

/* Whether some listener takes connections from the peer's address family. An IPv6 wildcard
 * counts for IPv4 too: Linux sockets are dual-stack unless IPV6_V6ONLY is set. */
static bool can_accept(const struct conf_daemon *c, const struct conf_peer *peer)
{
	for (size_t i = 0; i < c->nlisten; i++) {
		const struct conf_addr *l = &c->listen[i].addr;
		if (l->afi == peer->address.afi || (l->afi == RX_AFI_IPV6 && is_unspecified(l)))
			return true;
	}
	return false;
}

/* Legal but suspicious: each of these is a setup someone wrote by mistake more often than
 * on purpose. */
static int warn_peer(struct conf_parse *p, const struct conf_peer *peer)
{
	const struct conf_daemon *c = p->c;
	unsigned line = peer->key_line[CONF_PK_ASN];
	bool ibgp = peer->asn == c->asn;
	if (ibgp && peer->role == CONF_ROLE_NVA &&
	    conf_warn(p, line,
		      "peer %s: iBGP session (asn %u is our own) with role nva; NVAs "
		      "are normally eBGP",
		      peer->name, peer->asn))
		return -1;
	if (ibgp && peer->role == CONF_ROLE_RS_CLIENT &&
	    conf_warn(p, line,
		      "peer %s: iBGP session with role rs-client; route server clients "
		      "are eBGP (RFC 7947)",
		      peer->name))
		return -1;
	if (c->transparent && peer->role != CONF_ROLE_RS_CLIENT &&
	    conf_warn(p, peer->key_line[CONF_PK_ROLE],
		      "peer %s: role %s with transparent: true; Azure Route Server prepends its "
		      "ASN",
		      peer->name, conf_role_names[peer->role]))
		return -1;
	if (peer->passive && peer->enabled && !can_accept(c, peer) &&
	    conf_warn(p, peer->line,
		      c->nlisten ? "peer %s: passive, but no listen address of its family: the "
				   "session can never come up"
				 : "peer %s: passive, but listen is empty: the session can never "
				   "come up",
		      peer->name))
		return -1;
	return 0;
}

static int warn_config(struct conf_parse *p)
{
	const struct conf_daemon *c = p->c;
	if (c->npeers == 0 &&
	    conf_warn(p, c->key_line[CONF_DK_PEERS] ? c->key_line[CONF_DK_PEERS] : 1, "no peers"))
		return -1;
	for (size_t i = 0; i < c->npeers; i++)
		if (warn_peer(p, &c->peers[i]))
			return -1;
	return 0;
}

int conf_check(struct conf_parse *p)
{
	if (check_listen(p) || check_originate(p) || check_peers(p) || conf_mrt_log_resolve(p) ||
	    conf_policy_resolve(p))
		return -1;
	return warn_config(p);
}
