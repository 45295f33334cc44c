/* dump.c: `dump mrt FILE [--adj-rib-in]`: the RIB as an MRT TABLE_DUMP_V2 file (RFC 6396).
 *
 * Design:
 *  - reader side only: the dump is an RCU reader like `show rib`. It runs on a thread of
 *    its own (ctl.c starts one per dump, at most one at a time) so that the control
 *    thread keeps answering during a dump of millions of prefixes, and it never asks the
 *    decision thread for anything: updates go on while it writes;
 *  - chunks: CTL_DUMP_CHUNK prefixes per read-side section, a quiescent state between
 *    chunks, resuming from the last prefix (a key, never a pointer). Each prefix is written
 *    from one immutable node, so every record is a consistent view of its prefix; the file
 *    as a whole is the table as it was while the dump walked it (a prefix changed after the
 *    walk passed it is dumped as it was). Holding one read-side section for the whole walk
 *    would give one instant's table, but would hold back every grace period, and so all
 *    reclamation, for the whole dump;
 *  - what is written: Loc-RIB (default): each prefix's ECMP set, best path first (just the
 *    best path without multipath): the routes export may send. --adj-rib-in: every
 *    candidate path, i.e. every peer's Adj-RIB-In after import checks (what `show rib`
 *    lists). A prefix whose written paths carry ADD-PATH ids gets the RFC 8050 _ADDPATH
 *    subtype, so that several paths of one peer stay distinct;
 *  - peers: index 0 is `local` (originated prefixes: address 0.0.0.0, our AS, our router
 *    id), index i is RIB source i (peer slot i, de-configured peers included, so indexes
 *    are stable); peers added by a reload during the dump are not in the table and their
 *    paths are skipped (counted);
 *  - attributes: attr_view + the codec's wire_attrs_encode with 4-octet AS numbers; a
 *    16- or 32-octet next hop goes into the abbreviated MP_REACH_NLRI; originated prefixes
 *    get the next hop export gives them: the router id (IPv4), next-hop-ipv6 (IPv6; none
 *    when it is not configured);
 *  - times: every record and entry carries the dump's start time (routex keeps no
 *    per-route arrival time). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <routex/attr.h>
#include <routex/daemon.h>
#include <routex/mrt.h>
#include <routex/rcu.h>
#include <routex/rib.h>
#include <routex/wire.h>

#include "ctl-int.h"

#define CTL_DUMP_CHUNK 4096
/* Encoded attributes of one path: at most 65,535 octets fit an MRT entry; the encoder
 * returns 0 beyond its buffer, and such a path is skipped. */
#define DUMP_ATTR_MAX 65536

struct dump {
	struct rx_daemon *d;
	struct mrt_writer *w;
	bool adj;
	uint16_t npeers;      /* entries of the peer table: sources 0 .. npeers - 1 */
	uint32_t now;
	uint32_t router_id;
	const uint8_t *nh6;   /* config next-hop-ipv6 (originated IPv6 prefixes), or NULL */
	uint64_t skipped;     /* paths not written (not in the peer table, too long) */
	uint8_t *abuf;
};

static uint16_t snapshot_peers(const struct rx_daemon *d, struct mrt_peer **out)
{
	const struct conf_daemon *c = daemon_conf(d);
	size_t np = daemon_npeers(d);
	if (np > 0xFFFE) /* the 2-octet peer count, local included */
		np = 0xFFFE;
	struct mrt_peer *v = calloc(np + 1, sizeof(*v));
	if (!v)
		return 0;
	v[0] = (struct mrt_peer){.afi = RX_AFI_IPV4, .asn = c->asn, .bgp_id = c->router_id};
	for (uint16_t src = 1; src <= np; src++) {
		const struct rx_peer *p = daemon_peer(d, src);
		const struct conf_peer *cp = peer_conf(p);
		v[src].afi = cp->address.afi;
		memcpy(v[src].addr, cp->address.addr, 16);
		v[src].asn = cp->asn;
		v[src].bgp_id = __atomic_load_n(&p->bgp_id, __ATOMIC_RELAXED);
	}
	*out = v;
	return (uint16_t)(np + 1);
}

static void put_path(struct dump *x, const struct rib_path *rp, bool ipv6)
{
	if (rp->src >= x->npeers) {
		x->skipped++;
		return;
	}
	const struct attr_set *a = rp->attrs;
	struct wire_attrs w;
	attr_view(a, &w);
	const uint8_t *mp_nh = NULL;
	uint8_t mp_nh_len = 0;
	if (a->k.nexthop_len == 16 || a->k.nexthop_len == 32) {
		mp_nh = attr_nexthop(a);
		mp_nh_len = a->k.nexthop_len;
	} else if (rp->src == RIB_SRC_LOCAL && a->k.nexthop_len == 0 && !ipv6) {
		w.present |= WIRE_ATTR_BIT(WIRE_ATTR_NEXT_HOP);
		wire_put32(w.nexthop, x->router_id);
	} else if (rp->src == RIB_SRC_LOCAL && a->k.nexthop_len == 0 && x->nh6) {
		mp_nh = x->nh6;
		mp_nh_len = 16;
	}
	struct wire_ctx ctx = {.as4 = true}; /* RFC 6396 4.3.4: 4-octet AS_PATH */
	size_t n = wire_attrs_encode(&w, &ctx, x->abuf, DUMP_ATTR_MAX);
	if (!n || !mrt_writer_rib_entry(x->w, rp->src, x->now, rp->path_id, mp_nh, mp_nh_len,
					x->abuf, n))
		x->skipped++;
}

static bool dump_node(const struct rib_tree *t, const struct rib_node *nd,
		      const struct rx_prefix *p, void *arg)
{
	struct dump *x = arg;
	const struct rib_path *paths = rib_node_paths(t, nd);
	unsigned n = nd->n;
	if (!x->adj && nd->n_ecmp && nd->n_ecmp < n)
		n = nd->n_ecmp;
	else if (!x->adj && !nd->n_ecmp && n)
		n = 1;
	bool addpath = false;
	for (unsigned i = 0; i < n; i++)
		addpath |= paths[i].path_id != 0;
	mrt_writer_rib_begin(x->w, p, addpath);
	for (unsigned i = 0; i < n; i++)
		put_path(x, &paths[i], p->afi == RX_AFI_IPV6);
	return mrt_writer_rib_end(x->w); /* false: a write failed, stop walking */
}

/* Walks both trees in chunks. Returns false when cancelled. */
static bool dump_walk(struct dump *x, const bool *cancel)
{
	for (unsigned f = 0; f < 2; f++) {
		const struct rib_tree *t = &x->d->rib.tree[f];
		struct rx_prefix last, after;
		bool resume = false;
		for (;;) {
			if (cancel && __atomic_load_n(cancel, __ATOMIC_ACQUIRE))
				return false;
			rx_rcu_read_lock();
			size_t n = radix_walk_rcu(t, NULL, resume ? &after : NULL, CTL_DUMP_CHUNK,
						  dump_node, x, &last);
			rx_rcu_read_unlock();
			rx_rcu_quiescent(); /* let reclamation go on between chunks */
			if (n < CTL_DUMP_CHUNK || mrt_writer_failed(x->w))
				break;
			after = last;
			resume = true;
		}
	}
	return true;
}

static double elapsed(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void report(FILE *out, const struct ctl_args *a, const char *path, bool adj,
		   uint16_t npeers, const struct mrt_write_stats *st, uint64_t skipped,
		   double secs)
{
	const char *rib = adj ? "adj-rib-in" : "loc-rib";
	if (a->json) {
		fputs("{\"file\": ", out);
		ctl_json_str(out, path);
		fprintf(out, ", \"rib\": \"%s\", \"peers\": %u, \"prefixes\": %llu, "
			     "\"entries\": %llu, \"skipped\": %llu, \"bytes\": %llu, "
			     "\"seconds\": %.3f}\n",
			rib, npeers, (unsigned long long)st->prefixes,
			(unsigned long long)st->entries, (unsigned long long)skipped,
			(unsigned long long)st->bytes, secs);
		return;
	}
	fprintf(out, "%s: %s, %llu prefixes, %llu entries, %u peers, %llu bytes in %.3f s\n",
		path, rib, (unsigned long long)st->prefixes, (unsigned long long)st->entries,
		npeers, (unsigned long long)st->bytes, secs);
	if (skipped)
		fprintf(out, "%llu paths not written (peer added during the dump, or attributes "
			     "over 65,535 octets)\n",
			(unsigned long long)skipped);
}

bool ctl_dump_mrt(struct rx_daemon *d, const struct ctl_args *a, FILE *out)
{
	/* FILE and the option, in either order. */
	const char *path = NULL;
	bool adj = false;
	for (unsigned i = 0; i < a->nargs; i++) {
		if (strcmp(a->arg[i], "--adj-rib-in") == 0 && !adj)
			adj = true;
		else if (a->arg[i][0] == '-' || path)
			return ctl_error(out, a, "usage: dump mrt FILE [--adj-rib-in]"), false;
		else
			path = a->arg[i];
	}
	if (!path)
		return ctl_error(out, a, "usage: dump mrt FILE [--adj-rib-in]"), false;
	if (path[0] != '/') /* routexd's cwd is / once daemonised: relative means nothing */
		return ctl_error(out, a, "dump mrt: FILE must be an absolute path"), false;
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	const struct conf_daemon *c = daemon_conf(d); /* kept alive until exit (reload) */
	struct dump x = {.d = d, .adj = adj, .now = (uint32_t)time(NULL),
			 .router_id = c->router_id, .nh6 = c->has_next_hop6 ? c->next_hop6 : NULL};
	char err[512];
	struct mrt_peer *peers = NULL;
	x.abuf = malloc(DUMP_ATTR_MAX);
	x.npeers = snapshot_peers(d, &peers);
	if (!x.abuf || !x.npeers) {
		free(x.abuf);
		free(peers);
		return ctl_error(out, a, "out of memory"), false;
	}
	x.w = mrt_writer_open(path, x.now, err, sizeof(err));
	bool ok = x.w != NULL;
	if (ok)
		mrt_writer_peer_table(x.w, x.router_id, "", peers, x.npeers);
	free(peers);
	if (ok && !dump_walk(&x, a->cancel)) {
		mrt_writer_abort(x.w);
		snprintf(err, sizeof(err), "dump cancelled: routexd is stopping");
		ok = false;
	} else if (ok) {
		struct mrt_write_stats st = *mrt_writer_stats(x.w);
		ok = mrt_writer_commit(x.w, err, sizeof(err));
		if (ok)
			report(out, a, path, adj, x.npeers, &st, x.skipped, elapsed(&t0));
	}
	free(x.abuf);
	if (!ok) {
		char msg[600];
		snprintf(msg, sizeof(msg), "dump mrt: %s", err);
		ctl_error(out, a, msg);
	}
	return ok;
}
