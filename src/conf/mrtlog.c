/* mrtlog.c: the `mrt-log:` key (BGP4MP message log, docs/mrt.md "The message log"):
 * parsing, the per-peer selection, comparison for reloads.
 *
 * The peer list is resolved once, here, into each conf_peer's `mrt_log` bits, so that an
 * I/O thread decides whether to record a message with one load of its peer's config
 * rather than a name lookup per message. */
#include <stdlib.h>
#include <string.h>

#include <routex/conf.h>

#include "conf-int.h"

enum { ML_FILE, ML_ROTATE, ML_PEERS, ML_TYPES, ML_COUNT };

/* Indexed by bit position of CONF_MRT_LOG_*. */
static const char *const type_names[] = {"update", "open", "notification", "keepalive",
					 "route-refresh"};

static int parse_file(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	return conf_get_mrt_file(p, v, &((struct conf_mrt_log *)obj)->file);
}

static int parse_rotate(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	uint64_t n;
	if (conf_get_uint(p, v, CONF_MRT_ROTATE_MIN, CONF_MRT_ROTATE_MAX, &n))
		return -1;
	((struct conf_mrt_log *)obj)->rotate = (uint32_t)n;
	return 0;
}

static int parse_peers(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	struct conf_mrt_log *m = obj;
	if (conf_expect(p, v, YAML_SEQUENCE_NODE))
		return -1;
	size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	if (!n)
		return conf_fail(p, conf_line(v),
				 "empty list: name peers, or leave the key out for every peer");
	m->peers = calloc(n, sizeof(*m->peers));
	m->peer_line = calloc(n, sizeof(*m->peer_line));
	if (!m->peers || !m->peer_line)
		return conf_fail(p, conf_line(v), "out of memory");
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *item = conf_node(p, v->data.sequence.items.start[i]);
		if (conf_get_string(p, item, CONF_NAME_MAX, &m->peers[i]))
			return -1;
		m->peer_line[i] = conf_line(item);
		m->npeers++;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(m->peers[j], m->peers[i]))
				return conf_fail(p, conf_line(item), "\"%s\" is listed twice",
						 m->peers[i]);
	}
	return 0;
}

/* `all`, or a list of message types. */
static int parse_types(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	struct conf_mrt_log *m = obj;
	if (v->type == YAML_SCALAR_NODE &&
	    !strcmp((const char *)v->data.scalar.value, "all")) {
		m->types = CONF_MRT_LOG_ALL;
		return 0;
	}
	if (v->type != YAML_SEQUENCE_NODE)
		return conf_fail(p, conf_line(v),
				 "expected `all` or a list of update, open, notification, "
				 "keepalive, route-refresh");
	if (v->data.sequence.items.top == v->data.sequence.items.start)
		return conf_fail(p, conf_line(v), "empty list: name at least one message type");
	m->types = 0;
	for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top;
	     i++) {
		yaml_node_t *item = conf_node(p, *i);
		int e;
		if (conf_get_enum(p, item, type_names, RX_ARRAY_LEN(type_names), &e))
			return -1;
		if (m->types & (1u << e))
			return conf_fail(p, conf_line(item), "\"%s\" is listed twice",
					 type_names[e]);
		m->types |= (uint8_t)(1u << e);
	}
	return 0;
}

static const struct conf_key keys[] = {
    {"file", ML_FILE, parse_file},
    {"rotate", ML_ROTATE, parse_rotate},
    {"peers", ML_PEERS, parse_peers},
    {"types", ML_TYPES, parse_types},
};

int conf_parse_mrt_log(struct conf_parse *p, yaml_node_t *v)
{
	struct conf_daemon *c = p->c;
	struct conf_mrt_log *m = &c->mrt_log;
	unsigned lines[ML_COUNT] = {0};
	if (conf_expect(p, v, YAML_MAPPING_NODE))
		return -1;
	m->line = conf_line(v);
	m->rotate = CONF_MRT_ROTATE_DEFAULT;
	m->types = CONF_MRT_LOG_UPDATE;
	snprintf(p->where, sizeof(p->where), "mrt-log: ");
	if (conf_walk_map(p, v, keys, RX_ARRAY_LEN(keys), m, lines))
		return -1;
	if (!lines[ML_FILE])
		return conf_fail_at(p, m->line, "missing key 'file'");
	p->where[0] = 0;
	c->mrt_log_enabled = true;
	return 0;
}

int conf_mrt_log_resolve(struct conf_parse *p)
{
	struct conf_daemon *c = p->c;
	const struct conf_mrt_log *m = &c->mrt_log;
	if (!c->mrt_log_enabled)
		return 0;
	for (size_t i = 0; i < c->npeers; i++)
		c->peers[i].mrt_log = m->npeers ? 0 : m->types;
	for (size_t j = 0; j < m->npeers; j++) {
		size_t i = 0;
		while (i < c->npeers && strcmp(c->peers[i].name, m->peers[j]))
			i++;
		if (i == c->npeers)
			return conf_fail_at(p, m->peer_line[j], "mrt-log: peers: no peer named \"%s\"",
					    m->peers[j]);
		c->peers[i].mrt_log = m->types;
	}
	return 0;
}

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

bool conf_mrt_log_equal(const struct conf_daemon *a, const struct conf_daemon *b)
{
	const struct conf_mrt_log *x = &a->mrt_log, *y = &b->mrt_log;
	if (a->mrt_log_enabled != b->mrt_log_enabled)
		return false;
	if (!a->mrt_log_enabled)
		return true;
	if (!str_eq(x->file, y->file) || x->rotate != y->rotate || x->types != y->types ||
	    x->npeers != y->npeers)
		return false;
	for (size_t i = 0; i < x->npeers; i++)
		if (strcmp(x->peers[i], y->peers[i]))
			return false;
	return true;
}

const char *conf_mrt_log_type_name(unsigned bit)
{
	return bit < RX_ARRAY_LEN(type_names) ? type_names[bit] : "?";
}

void conf_mrt_log_fini(struct conf_mrt_log *m)
{
	for (size_t i = 0; i < m->npeers; i++)
		free(m->peers[i]);
	free(m->peers);
	free(m->peer_line);
	free(m->file);
}
