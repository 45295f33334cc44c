/* rde_rpki.c: RPKI origin validation on the decision thread (docs/rpki.md).
 *
 * At import every route of a validated peer gets its state from the ROA table
 * (rde_rpki_import_w), stored in the path's two spare bits. librtr's threads report ROA
 * changes into a list (src/rpki/rtr.c) and ring us once per batch with an RDE_CTL message;
 * we then re-validate the prefixes each changed ROA covers (the ROA's prefix and its
 * more-specifics: a ROA decides nothing outside its prefix), rebuilding a node only when a
 * state changes and exporting whatever moved. A batch larger than RDE_RPKI_FULL_WALK ROAs
 * (a cache's initial load, a reset) re-validates the whole table in one walk instead.
 *
 * A reload that switches `invalid` between accept and drop (rde_rpki_policy_w) runs the
 * decision again on every prefix with an invalid path, in one walk of the table.
 *
 * Walks go in chunks of RDE_RPKI_CHUNK prefixes: the keys are collected first and changed
 * afterwards (a walk never sees a tree it is modifying), the change log is exported after
 * each chunk and a quiescent state passed, holding no node pointer. */
#include <stdlib.h>

#include <routex/compiler.h>
#include <routex/daemon.h>
#include <routex/log.h>
#include <routex/rib.h>

#define RDE_RPKI_CHUNK 4096
/* Above this many ROA changes in one batch, one walk of the table costs less than a walk per
 * ROA (each ROA's walk descends the tree from the root; covering ROAs revisit prefixes). */
#define RDE_RPKI_FULL_WALK 8192

uint8_t rde_rpki_import_w(struct rx_daemon *d, const struct rx_peer *p, const struct attr_set *a,
			  const struct rx_prefix *pfx)
{
	if (!d->rpki || !peer_conf(p)->rpki)
		return RIB_RPKI_NONE;
	return rpki_validate(d->rpki, pfx, attr_aspath(a), a->k.aspath_len, d->rib.conf.asn);
}

static uint8_t path_state(const struct rib_path *path, const struct rx_prefix *p, void *arg)
{
	struct rx_daemon *d = arg;
	return rpki_validate(d->rpki, p, attr_aspath(path->attrs), path->attrs->k.aspath_len,
			     d->rib.conf.asn);
}

struct collect {
	struct rx_prefix v[RDE_RPKI_CHUNK];
	size_t n;
};

static bool collect_cb(const struct rib_tree *t, const struct rib_node *n, const struct rx_prefix *p,
		       void *arg)
{
	struct collect *c = arg;
	c->v[c->n++] = *p;
	return true;
}

struct reval_stats {
	size_t checked, changed;
};

static bool revalidate_one(struct rx_daemon *d, const struct rx_prefix *p)
{
	return rib_rpki_update_w(&d->rib, p, path_state, d);
}

static bool redecide_one(struct rx_daemon *d, const struct rx_prefix *p)
{
	return rib_rpki_redecide_w(&d->rib, p);
}

/* Applies fn to every prefix within `within` (NULL: the whole table). */
static void walk(struct rx_daemon *d, struct collect *c, const struct rx_prefix *within,
		 bool (*fn)(struct rx_daemon *, const struct rx_prefix *), struct reval_stats *st)
{
	for (unsigned f = 0; f < 2; f++) {
		const struct rib_tree *t = &d->rib.tree[f];
		if (within && within->afi != t->afi)
			continue;
		struct rx_prefix after, last;
		bool resume = false;
		for (;;) {
			c->n = 0;
			size_t n = radix_walk_rcu(t, within, resume ? &after : NULL, RDE_RPKI_CHUNK,
						  collect_cb, c, &last);
			for (size_t i = 0; i < c->n; i++)
				st->changed += fn(d, &c->v[i]);
			st->checked += c->n;
			if (n < RDE_RPKI_CHUNK)
				break;
			rde_export_pending_w(d);
			rib_quiescent_w(&d->rib);
			after = last;
			resume = true;
		}
	}
}

static void rde_rpki_changes_w(struct rx_daemon *d, void *arg)
{
	if (!d->rpki)
		return;
	struct rpki_roa *v;
	size_t n = rpki_take(d->rpki, &v);
	if (!n)
		return;
	struct collect *c = malloc(sizeof(*c));
	RX_ASSERT(c);
	struct reval_stats st = {0};
	if (n > RDE_RPKI_FULL_WALK)
		walk(d, c, NULL, revalidate_one, &st);
	else
		for (size_t i = 0; i < n; i++)
			walk(d, c, &v[i].p, revalidate_one, &st);
	rde_export_pending_w(d);
	for (size_t i = 0; i < daemon_npeers(d); i++)
		if (d->peers[i]->up_w)
			rde_publish_counts_w(d, d->peers[i]);
	free(c);
	free(v);
	rx_log(RX_LOG_INFO, "rpki: %zu ROA changes: %zu prefixes re-validated, %zu best path "
			    "changes",
	       n, st.checked, st.changed);
}

void rde_rpki_notify(void *ctx)
{
	struct rx_daemon *d = ctx;
	struct rde_msg *m = rde_msg_new(RDE_CTL, 0, 0, 0);
	m->run = rde_rpki_changes_w;
	rde_push(d, m);
}

void rde_rpki_policy_w(struct rx_daemon *d, bool drop_invalid)
{
	rib_rpki_policy_w(&d->rib, drop_invalid);
	struct collect *c = malloc(sizeof(*c));
	RX_ASSERT(c);
	struct reval_stats st = {0};
	walk(d, c, NULL, redecide_one, &st);
	free(c);
	rde_export_pending_w(d);
	for (size_t i = 0; i < daemon_npeers(d); i++)
		if (d->peers[i]->up_w)
			rde_publish_counts_w(d, d->peers[i]);
	rx_log(RX_LOG_INFO, "rpki: invalid routes now %s: %zu prefixes changed best path",
	       drop_invalid ? "dropped" : "accepted", st.changed);
}

bool daemon_rpki_init(struct rx_daemon *d)
{
	const struct conf_daemon *c = d->conf;
	if (!c->rpki.enabled)
		return true;
	char err[256];
	d->rpki = rpki_new(&c->rpki, rde_rpki_notify, d, err, sizeof(err));
	if (!d->rpki) {
		rx_log(RX_LOG_ERR, "%s:%u: %s", c->file, c->rpki.line, err);
		return false;
	}
	return true;
}
