/* show.c: the `show` commands, as text or JSON.
 *
 * RIB walks run on the control thread as an RCU reader, in chunks of CTL_WALK_CHUNK
 * prefixes with a quiescent state between chunks (resuming from the last key, never a
 * pointer), so a dump of a million prefixes neither blocks the decision thread nor holds
 * back reclamation for its whole length. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <routex/conf.h>
#include <routex/daemon.h>
#include <routex/export.h>
#include <routex/peer.h>
#include <routex/policy.h>
#include <routex/rcu.h>
#include <routex/rib.h>
#include <routex/rpki.h>
#include <routex/wire.h>

#include "ctl-int.h"

#define CTL_WALK_CHUNK 4096

void ctl_json_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static const char *role_name(uint8_t role)
{
	static const char *const n[] = {"local", "nva", "expressroute", "vpn", "rs-client"};
	return role < 5 ? n[role] : "?";
}

static const char *src_name(const struct rx_daemon *d, uint16_t src)
{
	const struct rx_peer *p = daemon_peer(d, src);
	return src == RIB_SRC_LOCAL ? "local" : p ? peer_conf(p)->name : "?";
}

static void fmt_aspath(const uint8_t *p, size_t len, char *buf, size_t size)
{
	size_t o = 0;
	const uint8_t *end = p + len;
	buf[0] = 0;
	while (end - p >= 2 && o + 16 < size) {
		bool set = p[0] == WIRE_AS_SET || p[0] == WIRE_AS_CONFED_SET;
		const char *open = p[0] == WIRE_AS_SET ? "{" : p[0] == WIRE_AS_CONFED_SET ? "[{"
						      : p[0] == WIRE_AS_CONFED_SEQUENCE ? "(" : "";
		o += (size_t)snprintf(buf + o, size - o, "%s%s", o ? " " : "", open);
		for (unsigned i = 0; i < p[1] && o + 16 < size; i++)
			o += (size_t)snprintf(buf + o, size - o, "%s%u", i ? (set ? "," : " ") : "",
					      wire_get32(p + 2 + 4 * i));
		const char *close = p[0] == WIRE_AS_SET ? "}" : p[0] == WIRE_AS_CONFED_SET ? "}]"
						       : p[0] == WIRE_AS_CONFED_SEQUENCE ? ")" : "";
		o += (size_t)snprintf(buf + o, size - o, "%s", close);
		p += 2 + (size_t)p[1] * 4;
	}
}

static void fmt_nexthop(const struct rx_daemon *d, const struct attr_set *a, bool ipv6, char *buf,
			size_t n)
{
	uint8_t nh[4];
	if (a->k.nexthop_len == 4)
		rx_addr_fmt(RX_AFI_IPV4, attr_nexthop(a), buf, n);
	else if (a->k.nexthop_len >= 16)
		rx_addr_fmt(RX_AFI_IPV6, attr_nexthop(a), buf, n);
	else if (ipv6 && daemon_conf(d)->has_next_hop6) /* originated: what export sends */
		rx_addr_fmt(RX_AFI_IPV6, daemon_conf(d)->next_hop6, buf, n);
	else { /* originated: the router id */
		wire_put32(nh, daemon_conf(d)->router_id);
		rx_addr_fmt(RX_AFI_IPV4, nh, buf, n);
	}
}

static void print_communities(FILE *out, const struct attr_set *a, bool json)
{
	const uint8_t *c = attr_communities(a);
	for (unsigned i = 0; i + 4 <= a->k.comm_len; i += 4) {
		if (json)
			fprintf(out, "%s\"%u:%u\"", i ? ", " : "", wire_get16(c + i), wire_get16(c + i + 2));
		else
			fprintf(out, " %u:%u", wire_get16(c + i), wire_get16(c + i + 2));
	}
	const uint8_t *l = attr_large_communities(a);
	for (unsigned i = 0; i + 12 <= a->k.large_comm_len; i += 12) {
		if (json)
			fprintf(out, "%s\"%u:%u:%u\"", i || a->k.comm_len ? ", " : "", wire_get32(l + i),
				wire_get32(l + i + 4), wire_get32(l + i + 8));
		else
			fprintf(out, " %u:%u:%u", wire_get32(l + i), wire_get32(l + i + 4),
				wire_get32(l + i + 8));
	}
}

/* One path, as one text line or one JSON object. `aspath_prepend` shows what a peer is
 * sent (0: as received). */
static void print_path(FILE *out, const struct rx_daemon *d, const struct rib_path *p,
		       bool ipv6, const char *tag, uint32_t prepend, bool json, bool first)
{
	const struct attr_set *a = p->attrs;
	char path[2048], nh[64];
	uint8_t tmp[2048];
	const uint8_t *ap = attr_aspath(a);
	size_t alen = a->k.aspath_len;
	if (prepend) {
		alen = wire_aspath_prepend(ap, alen, prepend, 1, tmp, sizeof(tmp));
		ap = tmp;
	}
	fmt_aspath(ap, alen, path, sizeof(path));
	fmt_nexthop(d, a, ipv6, nh, sizeof(nh));
	static const char *const origins[] = {"igp", "egp", "incomplete"};
	const char *origin = a->k.origin < 3 ? origins[a->k.origin] : "?";
	if (!json) {
		fprintf(out, "    %-11s from %-16s next-hop %-18s as-path [%s] origin %s", tag,
			src_name(d, p->src), nh, path, origin);
		if (a->k.flags & ATTR_F_LOCAL_PREF)
			fprintf(out, " local-pref %u", a->k.local_pref);
		if (a->k.flags & ATTR_F_MED)
			fprintf(out, " med %u", a->k.med);
		if (a->k.comm_len || a->k.large_comm_len) {
			fputs(" communities", out);
			print_communities(out, a, false);
		}
		if (p->rpki != RIB_RPKI_NONE)
			fprintf(out, " rpki %s", rpki_state_name(p->rpki));
		fputc('\n', out);
		return;
	}
	fprintf(out, "%s{\"peer\": ", first ? "" : ", ");
	ctl_json_str(out, src_name(d, p->src));
	fprintf(out, ", \"status\": \"%s\", \"next_hop\": \"%s\", \"as_path\": \"%s\", "
		     "\"origin\": \"%s\"",
		tag, nh, path, origin);
	if (a->k.flags & ATTR_F_LOCAL_PREF)
		fprintf(out, ", \"local_pref\": %u", a->k.local_pref);
	if (a->k.flags & ATTR_F_MED)
		fprintf(out, ", \"med\": %u", a->k.med);
	fputs(", \"communities\": [", out);
	print_communities(out, a, true);
	fprintf(out, "], \"rpki\": \"%s\"}", rpki_state_name(p->rpki));
}

/* ---- chunked RIB walks ---- */

typedef void (*visit_fn)(const struct rib_tree *t, const struct rib_node *n,
			 const struct rx_prefix *p, void *arg);

struct walk_ctx {
	visit_fn fn;
	void *arg;
};

static bool walk_cb(const struct rib_tree *t, const struct rib_node *n, const struct rx_prefix *p,
		    void *arg)
{
	struct walk_ctx *w = arg;
	w->fn(t, n, p, w->arg);
	return true;
}

/* Every prefix of both families (or within `within`), in order. */
static void walk_all(const struct rx_daemon *d, const struct rx_prefix *within, visit_fn fn,
		     void *arg)
{
	struct walk_ctx w = {fn, arg};
	for (unsigned f = 0; f < 2; f++) {
		const struct rib_tree *t = &d->rib.tree[f];
		if (within && within->afi != t->afi)
			continue;
		struct rx_prefix last, after;
		bool resume = false;
		for (;;) {
			rx_rcu_read_lock();
			size_t n = radix_walk_rcu(t, within, resume ? &after : NULL, CTL_WALK_CHUNK,
						  walk_cb, &w, &last);
			rx_rcu_read_unlock();
			if (n < CTL_WALK_CHUNK)
				break;
			rx_rcu_quiescent(); /* let reclamation go on between chunks */
			after = last;
			resume = true;
		}
	}
}

/* ---- show peers ---- */

static void fmt_uptime(int64_t since, char *buf, size_t n)
{
	if (!since) {
		snprintf(buf, n, "-");
		return;
	}
	long s = (long)(time(NULL) - since);
	snprintf(buf, n, "%ldd%02ldh%02ldm%02lds", s / 86400, s / 3600 % 24, s / 60 % 60, s % 60);
}

/* Under the table, the peers that have route maps (the table stays as scripts parse it). */
static void show_peer_maps(struct rx_daemon *d, FILE *out)
{
	size_t npeers = daemon_npeers(d);
	for (uint16_t src = 1; src <= npeers; src++) {
		struct rx_peer *p = daemon_peer(d, src);
		if (__atomic_load_n(&p->removed, __ATOMIC_RELAXED))
			continue;
		const struct conf_peer *cp = peer_conf(p);
		if (cp->import_map || cp->export_map)
			fprintf(out, "peer %s: import map %s, export map %s\n", cp->name,
				cp->import_map ? cp->import_map->name : "-",
				cp->export_map ? cp->export_map->name : "-");
	}
}

bool ctl_show_peers(struct rx_daemon *d, const struct ctl_args *a, FILE *out)
{
	bool json = a->json;
	if (json)
		fprintf(out, "{\"route_exchange\": %s, \"peers\": [",
			__atomic_load_n(&d->exchange, __ATOMIC_RELAXED) ? "true" : "false");
	else
		fprintf(out, "%-16s %-20s %-10s %-12s %-11s %-13s %8s %8s %8s %s\n", "peer", "address",
			"asn", "role", "state", "uptime", "received", "accepted", "advert.",
			"last error");
	size_t npeers = daemon_npeers(d);
	bool first = true;
	for (uint16_t src = 1; src <= npeers; src++) {
		struct rx_peer *p = daemon_peer(d, src);
		if (__atomic_load_n(&p->removed, __ATOMIC_RELAXED))
			continue;
		const struct conf_peer *cp = peer_conf(p);
		char addr[64], up[32], err[160] = "";
		rx_addr_fmt(cp->address.afi, cp->address.addr, addr, sizeof(addr));
		int64_t since = __atomic_load_n(&p->up_since, __ATOMIC_RELAXED);
		fmt_uptime(since, up, sizeof(up));
		const char *reason = __atomic_load_n(&p->last_reason, __ATOMIC_RELAXED);
		uint8_t code = __atomic_load_n(&p->last_code, __ATOMIC_RELAXED);
		uint8_t sub = __atomic_load_n(&p->last_subcode, __ATOMIC_RELAXED);
		if (reason)
			snprintf(err, sizeof(err), "%s%s%s", reason, code ? ": " : "",
				 code ? wire_suberr_name(code, sub) : "");
		int st = __atomic_load_n(&p->state, __ATOMIC_RELAXED);
		size_t rcv = __atomic_load_n(&p->received, __ATOMIC_RELAXED);
		size_t acc = __atomic_load_n(&p->accepted, __ATOMIC_RELAXED);
		size_t adv = __atomic_load_n(&p->advertised, __ATOMIC_RELAXED);
		bool out_lim = __atomic_load_n(&p->out_limited, __ATOMIC_RELAXED);
		if (!json) {
			if (out_lim) /* the routes it is not sent matter more than an old error */
				snprintf(err, sizeof(err), "max-prefixes-out %u reached",
					 cp->max_prefixes_out);
			fprintf(out, "%-16s %-20s %-10u %-12s %-11s %-13s %8zu %8zu %8zu %s\n",
				cp->name, addr, cp->asn, role_name(__atomic_load_n(&p->role, __ATOMIC_RELAXED)),
				fsm_state_name((enum fsm_state)st), up, rcv, acc, adv, err);
			continue;
		}
		fprintf(out, "%s{\"name\": ", first ? "" : ", ");
		first = false;
		ctl_json_str(out, cp->name);
		fprintf(out, ", \"address\": \"%s\", \"asn\": %u, \"role\": \"%s\", \"state\": \"%s\", "
			     "\"uptime_seconds\": %lld, \"prefixes_received\": %zu, "
			     "\"prefixes_accepted\": %zu, \"prefixes_advertised\": %zu, "
			     "\"max_prefixes_out\": %u, \"max_prefixes_out_reached\": %s, "
			     "\"rejected\": %llu, \"flaps\": %llu, \"last_error\": ",
			addr, cp->asn, role_name(__atomic_load_n(&p->role, __ATOMIC_RELAXED)), fsm_state_name((enum fsm_state)st),
			since ? (long long)(time(NULL) - since) : 0LL, rcv, acc, adv,
			cp->max_prefixes_out, out_lim ? "true" : "false",
			(unsigned long long)__atomic_load_n(&p->rejected, __ATOMIC_RELAXED),
			(unsigned long long)__atomic_load_n(&p->flaps, __ATOMIC_RELAXED));
		ctl_json_str(out, err);
		/* The route maps in force (docs/policy.md): rfc8212-reject-all when
		 * require-policy gave an eBGP peer nothing; null: none. */
		const struct policy_map *maps[2] = {cp->import_map, cp->export_map};
		for (int k = 0; k < 2; k++) {
			fputs(k ? ", \"export\": " : ", \"import\": ", out);
			if (maps[k])
				ctl_json_str(out, maps[k]->name);
			else
				fputs("null", out);
		}
		fputc('}', out);
	}
	if (json)
		fputs("]}\n", out);
	else
		show_peer_maps(d, out);
	return true;
}

/* ---- show rib ---- */

struct rib_show {
	struct rx_daemon *d;
	FILE *out;
	bool json;
	size_t n;
	int src;           /* show learned: only this source's paths; -1: all */
};

static void show_node(const struct rib_tree *t, const struct rib_node *nd, const struct rx_prefix *p,
		      void *arg)
{
	struct rib_show *s = arg;
	const struct rib_path *paths = rib_node_paths(t, nd);
	char pfx[RX_PREFIX_STRLEN];
	bool any = s->src < 0;
	for (unsigned i = 0; i < nd->n && !any; i++)
		any = paths[i].src == s->src;
	if (!any)
		return;
	rx_prefix_fmt(p, pfx, sizeof(pfx));
	if (s->json)
		fprintf(s->out, "%s{\"prefix\": \"%s\", \"paths\": [", s->n ? ", " : "", pfx);
	else
		fprintf(s->out, "%s (%u path%s, %u in ECMP set)\n", pfx, nd->n, nd->n == 1 ? "" : "s",
			nd->n_ecmp);
	unsigned shown = 0;
	for (unsigned i = 0; i < nd->n; i++) {
		if (s->src >= 0 && paths[i].src != s->src)
			continue;
		/* hidden: kept (RPKI invalid under `invalid: drop`) but not selectable */
		const char *tag = i < nd->n_ecmp		     ? (i == 0 ? "best" : "ecmp")
				  : decide_hidden(&s->d->rib, &paths[i]) ? "hidden"
									 : "candidate";
		print_path(s->out, s->d, &paths[i], p->afi == RX_AFI_IPV6, tag, 0, s->json,
			   shown++ == 0);
	}
	if (s->json)
		fputs("]}", s->out);
	s->n++;
}

bool ctl_show_rib(struct rx_daemon *d, const struct ctl_args *a, FILE *out)
{
	struct rib_show s = {.d = d, .out = out, .json = a->json, .src = -1};
	struct rx_prefix want;
	if (a->nargs && !rx_prefix_parse(a->arg[0], &want, true))
		return ctl_error(out, a, "not a prefix or address"), false;
	if (a->json)
		fputs("{\"routes\": [", out);
	if (a->nargs) {
		/* An exact prefix, else the longest match of the address it names. */
		rx_prefix_mask(&want);
		rx_rcu_read_lock();
		const struct rib_node *nd = rib_find_rcu(&d->rib, &want);
		if (!nd)
			nd = rib_lpm_rcu(&d->rib, &want);
		if (nd) {
			const struct rib_tree *t = rib_tree(&d->rib, want.afi);
			struct rx_prefix p;
			rib_node_prefix(t, nd, &p);
			show_node(t, nd, &p, &s);
		}
		rx_rcu_read_unlock();
	} else {
		walk_all(d, NULL, show_node, &s);
	}
	if (a->json)
		fputs("]}\n", out);
	else if (!s.n)
		fputs("no route\n", out);
	return true;
}

bool ctl_show_learned(struct rx_daemon *d, const struct ctl_args *a, FILE *out)
{
	struct rx_peer *p = daemon_peer_by_name(d, a->arg[0]);
	if (!p)
		return ctl_error(out, a, "no such peer"), false;
	struct rib_show s = {.d = d, .out = out, .json = a->json, .src = p->src};
	if (a->json) {
		fputs("{\"peer\": ", out);
		ctl_json_str(out, peer_conf(p)->name);
		fputs(", \"routes\": [", out);
	}
	walk_all(d, NULL, show_node, &s);
	if (a->json)
		fputs("]}\n", out);
	else
		fprintf(out, "%zu prefixes learned from %s\n", s.n, peer_conf(p)->name);
	return true;
}

/* ---- show advertised (decision thread: it reads the export state) ---- */

struct adv_show {
	struct rx_daemon *d;
	struct rx_peer *p;
	FILE *out;
	bool json;
	size_t n;    /* routes printed (with ADD-PATH, several per prefix) */
	size_t npfx; /* prefixes */
};

static bool adv_cb(const struct rib_tree *t, const struct rib_node *nd, const struct rx_prefix *p,
		   void *arg)
{
	struct adv_show *s = arg;
	unsigned n = rib_node_selectable(&s->d->rib, t, nd);
	const struct rib_path *held[n + 1];
	uint32_t ids[n + 1];
	unsigned nh = export_held_paths(&s->d->exp, &s->d->rib, s->p->src, &s->p->key_w, p,
					rib_node_paths(t, nd), n, held, ids);
	if (!nh)
		return true; /* not sent: its own route, or withheld (see export_held) */
	char pfx[RX_PREFIX_STRLEN];
	rx_prefix_fmt(p, pfx, sizeof(pfx));
	bool prepend = !s->d->exp.pol.transparent && s->p->key_w.ebgp;
	bool addpath = s->p->key_w.addpath &
		       RX_FAM_BIT(p->afi == RX_AFI_IPV4 ? RX_FAM_IPV4_UNICAST : RX_FAM_IPV6_UNICAST);
	s->npfx++;
	if (!s->json)
		fprintf(s->out, "%s\n", pfx);
	for (unsigned i = 0; i < nh; i++) { /* with ADD-PATH, each path under its id */
		if (s->json) {
			fprintf(s->out, "%s{\"prefix\": \"%s\", ", s->n ? ", " : "", pfx);
			if (addpath)
				fprintf(s->out, "\"path_id\": %u, ", ids[i]);
			fputs("\"path\": ", s->out);
		} else if (addpath) {
			fprintf(s->out, "  path id %u\n", ids[i]);
		}
		print_path(s->out, s->d, held[i], p->afi == RX_AFI_IPV6, "advertised",
			   prepend ? daemon_conf(s->d)->asn : 0, s->json, true);
		if (s->json)
			fputc('}', s->out);
		s->n++;
	}
	return true;
}

/* The summaries its export map sends in place of the routes they cover (docs/policy.md). */
static void adv_summaries(struct adv_show *s)
{
	const struct rib_path *agg;
	unsigned n = export_summaries_held(&s->d->exp, s->p->src, NULL, 0, &agg);
	if (!n)
		return;
	const struct rx_prefix **sp = calloc(n, sizeof(*sp));
	if (!sp)
		return;
	n = export_summaries_held(&s->d->exp, s->p->src, sp, n, &agg);
	bool prepend = !s->d->exp.pol.transparent && s->p->key_w.ebgp;
	for (unsigned i = 0; i < n; i++) {
		char pfx[RX_PREFIX_STRLEN];
		rx_prefix_fmt(sp[i], pfx, sizeof(pfx));
		if (s->json)
			fprintf(s->out, "%s{\"prefix\": \"%s\", \"summary\": true, \"path\": ",
				s->n ? ", " : "", pfx);
		else
			fprintf(s->out, "%s (summary)\n", pfx);
		print_path(s->out, s->d, agg, sp[i]->afi == RX_AFI_IPV6, "advertised",
			   prepend ? daemon_conf(s->d)->asn : 0, s->json, true);
		if (s->json)
			fputc('}', s->out);
		s->n++;
		s->npfx++;
	}
	free(sp);
}

bool ctl_show_advertised_w(struct rx_daemon *d, const struct ctl_args *a, FILE *out)
{
	struct rx_peer *p = daemon_peer_by_name(d, a->arg[0]);
	if (!p)
		return ctl_error(out, a, "no such peer"), false;
	struct adv_show s = {.d = d, .p = p, .out = out, .json = a->json};
	if (a->json) {
		fputs("{\"peer\": ", out);
		ctl_json_str(out, peer_conf(p)->name);
		fputs(", \"routes\": [", out);
	}
	if (p->up_w) {
		for (unsigned f = 0; f < 2; f++)
			if (p->key_w.families &
			    RX_FAM_BIT(f == 0 ? RX_FAM_IPV4_UNICAST : RX_FAM_IPV6_UNICAST))
				radix_walk_rcu(&d->rib.tree[f], NULL, NULL, 0, adv_cb, &s, NULL);
		adv_summaries(&s);
	}
	if (a->json)
		fputs("]}\n", out);
	else
		fprintf(out, "%zu prefixes advertised to %s%s\n", s.npfx, peer_conf(p)->name,
			p->up_w ? "" : " (session not established)");
	return true;
}

/* ---- show rpki ---- */

bool ctl_show_rpki(struct rx_daemon *d, const struct ctl_args *a, FILE *out)
{
	if (!d->rpki) {
		if (a->json)
			fputs("{\"enabled\": false}\n", out);
		else
			fputs("rpki: not configured\n", out);
		return true;
	}
	const struct conf_daemon *c = daemon_conf(d);
	if (a->json)
		fprintf(out, "{\"enabled\": true, \"invalid\": \"%s\", \"rtr\": ",
			c->rpki.drop_invalid ? "drop" : "accept");
	else
		fprintf(out, "rpki: origin validation on, invalid routes %s\n",
			c->rpki.drop_invalid ? "dropped" : "accepted (marked only)");
	rpki_show(d->rpki, out, a->json);
	if (a->json)
		fputs("}\n", out);
	return true;
}

/* ---- show route-maps ---- */

/* The peers of the running config whose import (or export) map in force is m. */
static void map_users(const struct conf_daemon *c, const struct policy_map *m, bool exp,
		      FILE *out, bool json)
{
	bool first = true;
	for (size_t i = 0; i < c->npeers; i++) {
		const struct conf_peer *cp = &c->peers[i];
		if ((exp ? cp->export_map : cp->import_map) != m || !cp->enabled)
			continue;
		fputs(first ? "" : json ? ", " : " ", out);
		if (json)
			ctl_json_str(out, cp->name);
		else
			fputs(cp->name, out);
		first = false;
	}
	if (first && !json)
		fputc('-', out);
}

/* An entry's match or set, as the config writes it, for JSON (a string) or text. */
static void entry_part(const struct policy_entry *e, bool set, FILE *out, bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	if (!m)
		return;
	if (set)
		conf_policy_set_print(m, &e->s);
	else
		conf_policy_match_print(m, &e->m);
	fclose(m);
	if (json)
		ctl_json_str(out, buf);
	else
		fputs(buf, out);
	free(buf);
}

static void show_map(const struct conf_daemon *c, const struct policy_map *m, bool first,
		     FILE *out, bool json)
{
	if (json) {
		fprintf(out, "%s{\"name\": ", first ? "" : ", ");
		ctl_json_str(out, m->name);
		fputs(", \"import\": [", out);
		map_users(c, m, false, out, true);
		fputs("], \"export\": [", out);
		map_users(c, m, true, out, true);
		fputs("], \"entries\": [", out);
	} else {
		fprintf(out, "route map %s: import by ", m->name);
		map_users(c, m, false, out, false);
		fputs(", export to ", out);
		map_users(c, m, true, out, false);
		fputc('\n', out);
	}
	for (size_t i = 0; i < m->n; i++) {
		const struct policy_entry *e = &m->v[i];
		const char *act = e->action == POLICY_DENY ? "deny" : "permit";
		if (json) {
			fprintf(out, "%s{\"action\": \"%s\", \"match\": ", i ? ", " : "", act);
			entry_part(e, false, out, true);
			fputs(", \"set\": ", out);
			entry_part(e, true, out, true);
			fputc('}', out);
			continue;
		}
		fprintf(out, "  %zu %-6s match ", i + 1, act);
		entry_part(e, false, out, false);
		if (e->s.kinds) {
			fputs(" set ", out);
			entry_part(e, true, out, false);
		}
		fputc('\n', out);
	}
	if (json)
		fputs("]}", out);
}

bool ctl_show_route_maps(struct rx_daemon *d, const struct ctl_args *a, FILE *out)
{
	const struct conf_daemon *c = daemon_conf(d);
	bool any8212 = false;
	for (size_t i = 0; i < c->npeers; i++)
		any8212 |= c->peers[i].import_map == &policy_reject_all ||
			   c->peers[i].export_map == &policy_reject_all;
	if (a->json)
		fprintf(out, "{\"require_policy\": %s, \"route_maps\": [",
			c->require_policy ? "true" : "false");
	for (size_t i = 0; i < c->nroute_maps; i++)
		show_map(c, &c->route_maps[i], i == 0, out, a->json);
	if (any8212) /* RFC 8212's implicit map, with the peers it applies to */
		show_map(c, &policy_reject_all, c->nroute_maps == 0, out, a->json);
	if (a->json)
		fputs("]}\n", out);
	else if (!c->nroute_maps && !any8212)
		fputs("no route maps\n", out);
	return true;
}
