/* policy.c: `require-policy`, `prefix-lists:` and `route-maps:` (docs/policy.md), compiled
 * into the structures of policy-t.h as they are read: prefixes parsed, communities
 * decoded, regular expressions compiled once (POSIX extended). Names are resolved after the
 * whole file is read (conf_policy_resolve), so the three keys and `peers` may come in any
 * order; the peers' maps in force are decided there too, RFC 8212 included. */
#include <stdlib.h>
#include <string.h>

#include <routex/conf.h>
#include <routex/policy.h>
#include <routex/rib-t.h>

#include "conf-int.h"

/* ---- helpers ---- */

static size_t seq_len(yaml_node_t *v)
{
	return (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
}

/* A scalar or a list of scalars, each handed to fn. */
static int each_scalar(struct conf_parse *p, yaml_node_t *v, void *obj, size_t *count,
		       int (*fn)(struct conf_parse *p, yaml_node_t *item, const char *s, void *obj))
{
	if (v->type == YAML_SCALAR_NODE) {
		*count = 1;
		return fn(p, v, (const char *)v->data.scalar.value, obj);
	}
	if (conf_expect(p, v, YAML_SEQUENCE_NODE))
		return -1;
	*count = seq_len(v);
	if (!*count)
		return conf_fail(p, conf_line(v), "empty list");
	for (size_t i = 0; i < *count; i++) {
		yaml_node_t *item = conf_node(p, v->data.sequence.items.start[i]);
		if (conf_expect(p, item, YAML_SCALAR_NODE))
			return -1;
		if (fn(p, item, (const char *)item->data.scalar.value, obj))
			return -1;
	}
	return 0;
}

static int check_name(struct conf_parse *p, yaml_node_t *k, const char *what)
{
	const char *s = (const char *)k->data.scalar.value;
	size_t ok = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-");
	if (!*s || s[ok] || strlen(s) > CONF_NAME_MAX)
		return conf_fail(p, conf_line(k),
				 "%s name \"%s\": 1..%u letters, digits, '.', '_' or '-'", what, s,
				 CONF_NAME_MAX);
	return 0;
}

/* A list of communities being filled (obj of each_scalar). */
struct comm_vec {
	uint32_t *v;
	size_t n;
};

static int add_comm(struct conf_parse *p, yaml_node_t *item, const char *s, void *obj)
{
	struct comm_vec *cv = obj;
	char err[256];
	uint32_t c;
	if (!policy_community_parse(s, &c, err, sizeof(err)))
		return conf_fail(p, conf_line(item), "%s", err);
	cv->v[cv->n++] = c;
	return 0;
}

static int get_comms(struct conf_parse *p, yaml_node_t *v, uint32_t **out, size_t *n)
{
	size_t cap = v->type == YAML_SEQUENCE_NODE ? seq_len(v) : 1;
	struct comm_vec cv = {calloc(cap ? cap : 1, sizeof(uint32_t)), 0};
	if (!cv.v)
		return conf_fail(p, conf_line(v), "out of memory");
	*out = cv.v; /* owned by the entry from now on (freed with the config) */
	size_t count;
	if (each_scalar(p, v, &cv, &count, add_comm))
		return -1;
	*n = cv.n;
	return 0;
}

struct large_vec {
	struct policy_large *v;
	size_t n;
};

static int add_large(struct conf_parse *p, yaml_node_t *item, const char *s, void *obj)
{
	struct large_vec *lv = obj;
	char err[256];
	if (!policy_large_parse(s, &lv->v[lv->n], err, sizeof(err)))
		return conf_fail(p, conf_line(item), "%s", err);
	lv->n++;
	return 0;
}

static int get_larges(struct conf_parse *p, yaml_node_t *v, struct policy_large **out, size_t *n)
{
	size_t cap = v->type == YAML_SEQUENCE_NODE ? seq_len(v) : 1;
	struct large_vec lv = {calloc(cap ? cap : 1, sizeof(struct policy_large)), 0};
	if (!lv.v)
		return conf_fail(p, conf_line(v), "out of memory");
	*out = lv.v;
	size_t count;
	if (each_scalar(p, v, &lv, &count, add_large))
		return -1;
	*n = lv.n;
	return 0;
}

/* ---- prefix-lists ---- */

static int parse_prefix_list(struct conf_parse *p, yaml_node_t *k, yaml_node_t *v,
			     struct policy_prefix_list *l)
{
	l->line = conf_line(k);
	if (!(l->name = strdup((const char *)k->data.scalar.value)))
		return conf_fail(p, l->line, "out of memory");
	if (conf_expect(p, v, YAML_SEQUENCE_NODE))
		return -1;
	size_t n = seq_len(v);
	if (!n)
		return conf_fail(p, conf_line(v), "%s: empty list", l->name);
	if (!(l->v = calloc(n, sizeof(*l->v))))
		return conf_fail(p, conf_line(v), "out of memory");
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *item = conf_node(p, v->data.sequence.items.start[i]);
		char err[256];
		if (conf_expect(p, item, YAML_SCALAR_NODE))
			return -1;
		if (!policy_pfx_parse((const char *)item->data.scalar.value, &l->v[i], err,
				      sizeof(err)))
			return conf_fail(p, conf_line(item), "%s: %s", l->name, err);
		l->n++;
	}
	return 0;
}

int conf_parse_prefix_lists(struct conf_parse *p, yaml_node_t *map)
{
	struct conf_daemon *c = p->c;
	if (conf_expect(p, map, YAML_MAPPING_NODE))
		return -1;
	size_t n = (size_t)(map->data.mapping.pairs.top - map->data.mapping.pairs.start);
	if (!(c->prefix_lists = calloc(n ? n : 1, sizeof(*c->prefix_lists))))
		return conf_fail(p, conf_line(map), "out of memory");
	for (size_t i = 0; i < n; i++) {
		yaml_node_pair_t *pair = &map->data.mapping.pairs.start[i];
		yaml_node_t *k = conf_node(p, pair->key), *v = conf_node(p, pair->value);
		if (conf_expect(p, k, YAML_SCALAR_NODE) || check_name(p, k, "prefix list"))
			return -1;
		for (size_t j = 0; j < c->nprefix_lists; j++)
			if (!strcmp(c->prefix_lists[j].name, (const char *)k->data.scalar.value))
				return conf_fail(p, conf_line(k), "%s: defined twice (first on line %u)",
						 c->prefix_lists[j].name, c->prefix_lists[j].line);
		if (parse_prefix_list(p, k, v, &c->prefix_lists[c->nprefix_lists++]))
			return -1;
	}
	return 0;
}

/* ---- route-maps: match ---- */

enum { AP_REGEX, AP_CONTAINS, AP_ORIGIN, AP_MAX_LENGTH, AP_COUNT };

static int ap_regex(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	struct policy_match *m = obj;
	if (conf_get_string(p, v, 1024, &m->regex_src))
		return -1;
	int rc = regcomp(&m->regex, m->regex_src, REG_EXTENDED | REG_NOSUB);
	if (rc) {
		char why[160];
		regerror(rc, &m->regex, why, sizeof(why));
		return conf_fail(p, conf_line(v), "\"%s\" is not a valid regular expression: %s",
				 m->regex_src, why);
	}
	m->kinds |= POLICY_M_REGEX;
	return 0;
}

static int ap_contains(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	struct policy_match *m = obj;
	m->kinds |= POLICY_M_CONTAINS;
	return conf_get_asn(p, v, &m->contains);
}

static int ap_origin(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	struct policy_match *m = obj;
	m->kinds |= POLICY_M_ORIGIN;
	return conf_get_asn(p, v, &m->origin);
}

static int ap_max_length(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	struct policy_match *m = obj;
	uint64_t n;
	if (conf_get_uint(p, v, 0, 1023, &n))
		return -1;
	m->kinds |= POLICY_M_MAX_LENGTH;
	m->max_length = (uint16_t)n;
	return 0;
}

static const struct conf_key aspath_keys[] = {
    {"regex", AP_REGEX, ap_regex},
    {"contains", AP_CONTAINS, ap_contains},
    {"origin", AP_ORIGIN, ap_origin},
    {"max-length", AP_MAX_LENGTH, ap_max_length},
};

enum { MK_PREFIX_LIST, MK_AS_PATH, MK_COMMUNITY, MK_LARGE, MK_RPKI, MK_ROLE, MK_COUNT };

static int mk_prefix_list(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	struct policy_match *m = obj;
	m->kinds |= POLICY_M_PREFIX_LIST;
	return conf_get_string(p, v, CONF_NAME_MAX, &m->plist_name);
}

static int mk_as_path(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	unsigned lines[AP_COUNT] = {0};
	const char *outer = p->key;
	if (conf_walk_map(p, v, aspath_keys, RX_ARRAY_LEN(aspath_keys), obj, lines))
		return -1;
	p->key = outer;
	if (!(((struct policy_match *)obj)->kinds &
	      (POLICY_M_REGEX | POLICY_M_CONTAINS | POLICY_M_ORIGIN | POLICY_M_MAX_LENGTH)))
		return conf_fail(p, conf_line(v), "give regex, contains, origin or max-length");
	return 0;
}

static int mk_community(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	struct policy_match *m = obj;
	m->kinds |= POLICY_M_COMMUNITY;
	return get_comms(p, v, &m->comm, &m->ncomm);
}

static int mk_large(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	struct policy_match *m = obj;
	m->kinds |= POLICY_M_LARGE;
	return get_larges(p, v, &m->large, &m->nlarge);
}

static const char *const rpki_names[] = {"none", "not-found", "valid", "invalid"};

static int mk_rpki(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	struct policy_match *m = obj;
	int e;
	if (conf_get_enum(p, v, rpki_names, RX_ARRAY_LEN(rpki_names), &e))
		return -1;
	m->kinds |= POLICY_M_RPKI;
	m->rpki = (uint8_t)e; /* the names are in enum rib_rpki order */
	return 0;
}

static const char *const role_names[] = {"local", "nva", "expressroute", "vpn", "rs-client"};

static int add_role(struct conf_parse *p, yaml_node_t *item, const char *s, void *obj)
{
	struct policy_match *m = obj;
	int e;
	if (conf_get_enum(p, item, role_names, RX_ARRAY_LEN(role_names), &e))
		return -1;
	m->roles |= (uint8_t)(1u << e); /* the names are in enum rib_role order */
	return 0;
}

static int mk_role(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	struct policy_match *m = obj;
	size_t n;
	m->kinds |= POLICY_M_ROLE;
	return each_scalar(p, v, m, &n, add_role);
}

static const struct conf_key match_keys[] = {
    {"prefix-list", MK_PREFIX_LIST, mk_prefix_list},
    {"as-path", MK_AS_PATH, mk_as_path},
    {"community", MK_COMMUNITY, mk_community},
    {"large-community", MK_LARGE, mk_large},
    {"rpki", MK_RPKI, mk_rpki},
    {"role", MK_ROLE, mk_role},
};

/* ---- route-maps: set ---- */

enum { SK_COMM_ADD, SK_COMM_REMOVE, SK_COMM_SET, SK_LARGE_ADD, SK_LARGE_REMOVE, SK_PREPEND,
       SK_MED, SK_SUMMARISE, SK_COUNT };

static int sk_comm_add(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	struct policy_set *s = obj;
	s->kinds |= POLICY_S_COMM_ADD;
	return get_comms(p, v, &s->comm_add, &s->ncomm_add);
}

static int sk_comm_remove(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	struct policy_set *s = obj;
	s->kinds |= POLICY_S_COMM_REMOVE;
	return get_comms(p, v, &s->comm_remove, &s->ncomm_remove);
}

/* community-set: [] is allowed: it removes every community. */
static int sk_comm_set(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	struct policy_set *s = obj;
	s->kinds |= POLICY_S_COMM_SET;
	if (v->type == YAML_SEQUENCE_NODE && seq_len(v) == 0) {
		s->ncomm_set = 0;
		return 0;
	}
	return get_comms(p, v, &s->comm_set, &s->ncomm_set);
}

static int sk_large_add(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	struct policy_set *s = obj;
	s->kinds |= POLICY_S_LARGE_ADD;
	return get_larges(p, v, &s->large_add, &s->nlarge_add);
}

static int sk_large_remove(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	struct policy_set *s = obj;
	s->kinds |= POLICY_S_LARGE_REMOVE;
	return get_larges(p, v, &s->large_remove, &s->nlarge_remove);
}

static int sk_prepend(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	struct policy_set *s = obj;
	uint64_t n;
	if (conf_get_uint(p, v, 1, POLICY_PREPEND_MAX, &n))
		return -1;
	s->kinds |= POLICY_S_PREPEND;
	s->prepend = (uint8_t)n;
	return 0;
}

static int sk_med(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	struct policy_set *s = obj;
	uint64_t n;
	if (conf_get_uint(p, v, 0, UINT32_MAX, &n))
		return -1;
	s->kinds |= POLICY_S_MED;
	s->med = (uint32_t)n;
	return 0;
}

static int sk_summarise(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	struct policy_set *s = obj;
	if (conf_get_prefix(p, v, &s->summarise))
		return -1;
	s->kinds |= POLICY_S_SUMMARISE;
	return 0;
}

static const struct conf_key set_keys[] = {
    {"community-add", SK_COMM_ADD, sk_comm_add},
    {"community-remove", SK_COMM_REMOVE, sk_comm_remove},
    {"community-set", SK_COMM_SET, sk_comm_set},
    {"large-community-add", SK_LARGE_ADD, sk_large_add},
    {"large-community-remove", SK_LARGE_REMOVE, sk_large_remove},
    {"prepend", SK_PREPEND, sk_prepend},
    {"med", SK_MED, sk_med},
    {"summarise", SK_SUMMARISE, sk_summarise},
};

/* ---- route-maps: entries ---- */

enum { EK_MATCH, EK_ACTION, EK_SET, EK_COUNT };

static int ek_match(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	struct policy_entry *e = obj;
	unsigned lines[MK_COUNT] = {0};
	if (conf_walk_map(p, v, match_keys, RX_ARRAY_LEN(match_keys), &e->m, lines))
		return -1;
	return 0;
}

static int ek_action(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	static const char *const names[] = {"permit", "deny"};
	int a;
	if (conf_get_enum(p, v, names, RX_ARRAY_LEN(names), &a))
		return -1;
	((struct policy_entry *)obj)->action = (uint8_t)a;
	return 0;
}

static int ek_set(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	struct policy_entry *e = obj;
	unsigned lines[SK_COUNT] = {0};
	if (conf_walk_map(p, v, set_keys, RX_ARRAY_LEN(set_keys), &e->s, lines))
		return -1;
	if (lines[SK_COMM_SET] && lines[SK_COMM_REMOVE])
		return conf_fail_at(p, lines[SK_COMM_REMOVE],
				    "community-remove: has no effect with community-set");
	return 0;
}

static const struct conf_key entry_keys[] = {
    {"match", EK_MATCH, ek_match},
    {"action", EK_ACTION, ek_action},
    {"set", EK_SET, ek_set},
};

static int parse_route_map(struct conf_parse *p, yaml_node_t *k, yaml_node_t *v,
			   struct policy_map *m)
{
	m->line = conf_line(k);
	if (!(m->name = strdup((const char *)k->data.scalar.value)))
		return conf_fail(p, m->line, "out of memory");
	if (conf_expect(p, v, YAML_SEQUENCE_NODE))
		return -1;
	size_t n = seq_len(v);
	if (!n)
		return conf_fail(p, conf_line(v), "%s: a map needs at least one entry", m->name);
	if (!(m->v = calloc(n, sizeof(*m->v))))
		return conf_fail(p, conf_line(v), "out of memory");
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *item = conf_node(p, v->data.sequence.items.start[i]);
		struct policy_entry *e = &m->v[m->n++];
		unsigned lines[EK_COUNT] = {0};
		e->line = conf_line(item);
		snprintf(p->where, sizeof(p->where), "route-maps: %s: entry %zu: ", m->name, i + 1);
		if (conf_walk_map(p, item, entry_keys, RX_ARRAY_LEN(entry_keys), e, lines))
			return -1;
		if (e->action == POLICY_DENY && e->s.kinds)
			return conf_fail_at(p, lines[EK_SET], "set: has no effect with action deny");
		if (!lines[EK_MATCH] && !lines[EK_SET] && !lines[EK_ACTION])
			return conf_fail_at(p, e->line, "empty entry");
		m->match_kinds |= e->m.kinds;
		m->has_set |= e->s.kinds != 0;
		m->has_summarise |= (e->s.kinds & POLICY_S_SUMMARISE) != 0;
	}
	p->where[0] = 0;
	return 0;
}

int conf_parse_route_maps(struct conf_parse *p, yaml_node_t *map)
{
	struct conf_daemon *c = p->c;
	if (conf_expect(p, map, YAML_MAPPING_NODE))
		return -1;
	size_t n = (size_t)(map->data.mapping.pairs.top - map->data.mapping.pairs.start);
	if (!(c->route_maps = calloc(n ? n : 1, sizeof(*c->route_maps))))
		return conf_fail(p, conf_line(map), "out of memory");
	for (size_t i = 0; i < n; i++) {
		yaml_node_pair_t *pair = &map->data.mapping.pairs.start[i];
		yaml_node_t *k = conf_node(p, pair->key), *v = conf_node(p, pair->value);
		if (conf_expect(p, k, YAML_SCALAR_NODE) || check_name(p, k, "route map"))
			return -1;
		for (size_t j = 0; j < c->nroute_maps; j++)
			if (!strcmp(c->route_maps[j].name, (const char *)k->data.scalar.value))
				return conf_fail(p, conf_line(k), "%s: defined twice (first on line %u)",
						 c->route_maps[j].name, c->route_maps[j].line);
		if (parse_route_map(p, k, v, &c->route_maps[c->nroute_maps++]))
			return -1;
	}
	return 0;
}

/* ---- resolution ---- */

static const struct policy_map *map_find(const struct conf_daemon *c, const char *name)
{
	for (size_t i = 0; i < c->nroute_maps; i++)
		if (!strcmp(c->route_maps[i].name, name))
			return &c->route_maps[i];
	return NULL;
}

static int resolve_peer(struct conf_parse *p, struct conf_peer *peer)
{
	struct conf_daemon *c = p->c;
	const char *dir[2] = {"import", "export"};
	char *names[2] = {peer->import_name, peer->export_name};
	const struct policy_map **maps[2] = {&peer->import_map, &peer->export_map};
	unsigned lines[2] = {peer->key_line[CONF_PK_IMPORT], peer->key_line[CONF_PK_EXPORT]};
	bool ebgp = peer->asn != c->asn;
	for (int i = 0; i < 2; i++) {
		if (names[i]) {
			*maps[i] = map_find(c, names[i]);
			if (!*maps[i])
				return conf_fail_at(p, lines[i], "peer %s: %s: no route map named \"%s\"",
						    peer->name, dir[i], names[i]);
		} else if (c->require_policy && ebgp) {
			*maps[i] = &policy_reject_all;
		}
	}
	/* The RPKI state of a route is known only once the decision thread validates it, after
	 * import maps have run (on the I/O threads): an import map cannot ask for it. */
	if (peer->import_map && (peer->import_map->match_kinds & POLICY_M_RPKI))
		return conf_fail_at(p, lines[0],
				    "peer %s: import: route map \"%s\" matches rpki, which is only "
				    "known after import: use it in an export map (or rpki: "
				    "{invalid: drop})",
				    peer->name, names[0]);
	if (peer->import_map && peer->import_map->has_summarise)
		return conf_fail_at(p, lines[0],
				    "peer %s: import: route map \"%s\" summarises, which only an export "
				    "map can (the summary is what the route server sends)",
				    peer->name, names[0]);
	if (c->require_policy && ebgp && peer->enabled && (!names[0] || !names[1]) &&
	    conf_warn(p, peer->line,
		      "peer %s: eBGP without %s%s%s map: with require-policy (RFC 8212) it %s", peer->name,
		      names[0] ? "" : "an import", !names[0] && !names[1] ? " or an " : "",
		      names[1] ? "" : (names[0] ? "an export" : "export"),
		      !names[0] && !names[1] ? "accepts nothing and is sent nothing"
		      : !names[0]	     ? "accepts nothing"
					     : "is sent nothing"))
		return -1;
	return 0;
}

int conf_policy_resolve(struct conf_parse *p)
{
	struct conf_daemon *c = p->c;
	for (size_t i = 0; i < c->nroute_maps; i++) {
		struct policy_map *m = &c->route_maps[i];
		for (size_t k = 0; k < m->n; k++) {
			struct policy_match *x = &m->v[k].m;
			if (!x->plist_name)
				continue;
			for (size_t j = 0; j < c->nprefix_lists && !x->plist; j++)
				if (!strcmp(c->prefix_lists[j].name, x->plist_name))
					x->plist = &c->prefix_lists[j];
			if (!x->plist)
				return conf_fail_at(p, m->v[k].line,
						    "route-maps: %s: entry %zu: prefix-list: no prefix "
						    "list named \"%s\"",
						    m->name, k + 1, x->plist_name);
		}
	}
	for (size_t i = 0; i < c->npeers; i++)
		if (resolve_peer(p, &c->peers[i]))
			return -1;
	return 0;
}

/* ---- compare, print, free ---- */

bool conf_policy_equal(const struct conf_daemon *a, const struct conf_daemon *b)
{
	if (a->require_policy != b->require_policy || a->nprefix_lists != b->nprefix_lists ||
	    a->nroute_maps != b->nroute_maps)
		return false;
	for (size_t i = 0; i < a->nprefix_lists; i++)
		if (!policy_prefix_list_equal(&a->prefix_lists[i], &b->prefix_lists[i]))
			return false;
	for (size_t i = 0; i < a->nroute_maps; i++)
		if (!policy_map_equal(&a->route_maps[i], &b->route_maps[i]))
			return false;
	return true;
}

static void print_comms(FILE *f, const char *key, const uint32_t *v, size_t n)
{
	char buf[32];
	fprintf(f, "%s: [", key);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s\"%s\"", i ? ", " : "", policy_community_fmt(v[i], buf, sizeof(buf)));
	fputc(']', f);
}

static void print_larges(FILE *f, const char *key, const struct policy_large *v, size_t n)
{
	fprintf(f, "%s: [", key);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s\"%u:%u:%u\"", i ? ", " : "", v[i].ga, v[i].l1, v[i].l2);
	fputc(']', f);
}

static void print_regex(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

void conf_policy_match_print(FILE *f, const struct policy_match *m)
{
	const char *sep = "";
	fputs("{", f);
	if (m->kinds & POLICY_M_PREFIX_LIST) {
		fprintf(f, "prefix-list: %s", m->plist_name);
		sep = ", ";
	}
	if (m->kinds & (POLICY_M_REGEX | POLICY_M_CONTAINS | POLICY_M_ORIGIN |
			POLICY_M_MAX_LENGTH)) {
		const char *s2 = "";
		fprintf(f, "%sas-path: {", sep);
		if (m->kinds & POLICY_M_REGEX) {
			fputs("regex: ", f);
			print_regex(f, m->regex_src);
			s2 = ", ";
		}
		if (m->kinds & POLICY_M_CONTAINS)
			fprintf(f, "%scontains: %u", s2, m->contains), s2 = ", ";
		if (m->kinds & POLICY_M_ORIGIN)
			fprintf(f, "%sorigin: %u", s2, m->origin), s2 = ", ";
		if (m->kinds & POLICY_M_MAX_LENGTH)
			fprintf(f, "%smax-length: %u", s2, m->max_length);
		fputc('}', f);
		sep = ", ";
	}
	if (m->kinds & POLICY_M_COMMUNITY) {
		fputs(sep, f);
		print_comms(f, "community", m->comm, m->ncomm);
		sep = ", ";
	}
	if (m->kinds & POLICY_M_LARGE) {
		fputs(sep, f);
		print_larges(f, "large-community", m->large, m->nlarge);
		sep = ", ";
	}
	if (m->kinds & POLICY_M_RPKI) {
		fprintf(f, "%srpki: %s", sep, rpki_names[m->rpki]);
		sep = ", ";
	}
	if (m->kinds & POLICY_M_ROLE) {
		const char *s2 = "";
		fprintf(f, "%srole: [", sep);
		for (unsigned r = 0; r < RX_ARRAY_LEN(role_names); r++)
			if (m->roles & (1u << r))
				fprintf(f, "%s%s", s2, role_names[r]), s2 = ", ";
		fputc(']', f);
	}
	fputs("}", f);
}

void conf_policy_set_print(FILE *f, const struct policy_set *s)
{
	const char *sep = "";
	fputs("{", f);
	if (s->kinds & POLICY_S_COMM_SET)
		print_comms(f, "community-set", s->comm_set, s->ncomm_set), sep = ", ";
	if (s->kinds & POLICY_S_COMM_REMOVE)
		fputs(sep, f), print_comms(f, "community-remove", s->comm_remove, s->ncomm_remove),
		    sep = ", ";
	if (s->kinds & POLICY_S_COMM_ADD)
		fputs(sep, f), print_comms(f, "community-add", s->comm_add, s->ncomm_add), sep = ", ";
	if (s->kinds & POLICY_S_LARGE_REMOVE)
		fputs(sep, f),
		    print_larges(f, "large-community-remove", s->large_remove, s->nlarge_remove),
		    sep = ", ";
	if (s->kinds & POLICY_S_LARGE_ADD)
		fputs(sep, f), print_larges(f, "large-community-add", s->large_add, s->nlarge_add),
		    sep = ", ";
	if (s->kinds & POLICY_S_PREPEND)
		fprintf(f, "%sprepend: %u", sep, s->prepend), sep = ", ";
	if (s->kinds & POLICY_S_MED)
		fprintf(f, "%smed: %u", sep, s->med), sep = ", ";
	if (s->kinds & POLICY_S_SUMMARISE) {
		char b[RX_PREFIX_STRLEN];
		rx_prefix_fmt(&s->summarise, b, sizeof(b));
		fprintf(f, "%ssummarise: %s", sep, b);
	}
	fputs("}", f);
}

void conf_policy_print(FILE *f, const struct conf_daemon *c)
{
	char buf[80];
	fprintf(f, "require-policy: %s\n", c->require_policy ? "true" : "false");
	fputs(c->nprefix_lists ? "prefix-lists:\n" : "prefix-lists: {}\n", f);
	for (size_t i = 0; i < c->nprefix_lists; i++) {
		const struct policy_prefix_list *l = &c->prefix_lists[i];
		fprintf(f, "  %s:\n", l->name);
		for (size_t k = 0; k < l->n; k++)
			fprintf(f, "    - \"%s\"\n", policy_pfx_fmt(&l->v[k], buf, sizeof(buf)));
	}
	fputs(c->nroute_maps ? "route-maps:\n" : "route-maps: {}\n", f);
	for (size_t i = 0; i < c->nroute_maps; i++) {
		const struct policy_map *m = &c->route_maps[i];
		fprintf(f, "  %s:\n", m->name);
		for (size_t k = 0; k < m->n; k++) {
			const struct policy_entry *e = &m->v[k];
			fputs("    - match: ", f);
			conf_policy_match_print(f, &e->m);
			fprintf(f, "\n      action: %s\n", e->action == POLICY_DENY ? "deny" : "permit");
			if (e->s.kinds) {
				fputs("      set: ", f);
				conf_policy_set_print(f, &e->s);
				fputc('\n', f);
			}
		}
	}
}

void conf_policy_free(struct conf_daemon *c)
{
	for (size_t i = 0; i < c->nprefix_lists; i++)
		policy_prefix_list_fini(&c->prefix_lists[i]);
	free(c->prefix_lists);
	for (size_t i = 0; i < c->nroute_maps; i++)
		policy_map_fini(&c->route_maps[i]);
	free(c->route_maps);
}
