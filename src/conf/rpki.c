/* rpki.c: the `rpki:` mapping: RTR caches (RFC 8210) and the origin validation policy
 * (RFC 6811). See docs/rpki.md and docs/config.md.
 *
 * Rules beyond types: at least one server; a server is an IP address, not a host name (a
 * name would make the session depend on DNS at start and at every reconnection, silently);
 * no server listed twice; the timers in RFC 8210 6's ranges, with expire above refresh and
 * retry (records must not expire between two refresh attempts). */
#include <stdlib.h>
#include <string.h>

#include "conf-int.h"

enum { RK_SERVERS, RK_REFRESH, RK_RETRY, RK_EXPIRE, RK_INVALID, RK_COUNT };
enum { SK_ADDRESS, SK_PORT, SK_PREFERENCE, SK_COUNT };

static const char *const invalid_names[] = {"accept", "drop"};

static int get_u32(struct conf_parse *p, yaml_node_t *v, uint64_t min, uint64_t max,
		   uint32_t *out)
{
	uint64_t n = 0;
	if (conf_get_uint(p, v, min, max, &n))
		return -1;
	*out = (uint32_t)n;
	return 0;
}

static int parse_s_address(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	return conf_get_addr(p, v, 0, &((struct conf_rpki_server *)obj)->addr);
}

static int parse_s_port(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	return conf_get_port(p, v, &((struct conf_rpki_server *)obj)->port);
}

static int parse_s_preference(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	uint64_t n = 0;
	if (conf_get_uint(p, v, 1, 255, &n))
		return -1;
	((struct conf_rpki_server *)obj)->preference = (uint8_t)n;
	return 0;
}

static const struct conf_key server_keys[] = {
    {"address", SK_ADDRESS, parse_s_address},
    {"port", SK_PORT, parse_s_port},
    {"preference", SK_PREFERENCE, parse_s_preference},
};

static int parse_server(struct conf_parse *p, yaml_node_t *v, size_t i, struct conf_rpki_server *s)
{
	unsigned lines[SK_COUNT] = {0};
	p->key = "servers";
	if (conf_expect(p, v, YAML_MAPPING_NODE))
		return -1;
	s->line = conf_line(v);
	s->port = CONF_RPKI_PORT;
	s->preference = 1;
	snprintf(p->where, sizeof(p->where), "rpki: server #%zu: ", i + 1);
	if (conf_walk_map(p, v, server_keys, RX_ARRAY_LEN(server_keys), s, lines))
		return -1;
	if (!lines[SK_ADDRESS])
		return conf_fail_at(p, s->line, "missing key 'address'");
	return 0;
}

static int parse_servers(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	struct conf_rpki *r = obj;
	if (conf_expect(p, v, YAML_SEQUENCE_NODE))
		return -1;
	size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	if (n == 0)
		return conf_fail(p, conf_line(v), "at least one RTR server is needed");
	if (n > CONF_RPKI_MAX_SERVERS)
		return conf_fail(p, conf_line(v), "%zu servers, at most %u", n,
				 CONF_RPKI_MAX_SERVERS);
	if (!(r->servers = calloc(n, sizeof(*r->servers))))
		return conf_fail(p, conf_line(v), "out of memory");
	char where[sizeof(p->where)];
	memcpy(where, p->where, sizeof(where));
	for (size_t i = 0; i < n; i++) {
		struct conf_rpki_server *s = &r->servers[i];
		if (parse_server(p, conf_node(p, v->data.sequence.items.start[i]), i, s))
			return -1;
		r->nservers++;
		for (size_t j = 0; j < i; j++)
			if (r->servers[j].port == s->port && conf_addr_equal(&r->servers[j].addr, &s->addr))
				return conf_fail_at(p, s->line, "listed twice (first on line %u)",
						    r->servers[j].line);
	}
	memcpy(p->where, where, sizeof(where));
	return 0;
}

static int parse_refresh(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	return get_u32(p, v, 1, 86400, &((struct conf_rpki *)obj)->refresh);
}

static int parse_retry(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	return get_u32(p, v, 1, 7200, &((struct conf_rpki *)obj)->retry);
}

static int parse_expire(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	return get_u32(p, v, 600, 172800, &((struct conf_rpki *)obj)->expire);
}

static int parse_invalid(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	int e = 0;
	if (conf_get_enum(p, v, invalid_names, RX_ARRAY_LEN(invalid_names), &e))
		return -1;
	((struct conf_rpki *)obj)->drop_invalid = e == 1;
	return 0;
}

static const struct conf_key rpki_keys[] = {
    {"servers", RK_SERVERS, parse_servers},   {"refresh", RK_REFRESH, parse_refresh},
    {"retry", RK_RETRY, parse_retry},	      {"expire", RK_EXPIRE, parse_expire},
    {"invalid", RK_INVALID, parse_invalid},
};

int conf_parse_rpki(struct conf_parse *p, yaml_node_t *map)
{
	struct conf_rpki *r = &p->c->rpki;
	unsigned lines[RK_COUNT] = {0};
	if (conf_expect(p, map, YAML_MAPPING_NODE))
		return -1;
	r->enabled = true;
	r->line = conf_line(map);
	r->refresh = CONF_RPKI_REFRESH;
	r->retry = CONF_RPKI_RETRY;
	r->expire = CONF_RPKI_EXPIRE;
	r->drop_invalid = true;
	snprintf(p->where, sizeof(p->where), "rpki: ");
	if (conf_walk_map(p, map, rpki_keys, RX_ARRAY_LEN(rpki_keys), r, lines))
		return -1;
	if (!lines[RK_SERVERS])
		return conf_fail_at(p, r->line, "missing key 'servers'");
	/* RFC 8210 6: the expire interval must be larger than both the others. */
	/* The line to blame: expire when given, else the key that went above its default. */
	unsigned at = lines[RK_EXPIRE]		 ? lines[RK_EXPIRE]
		      : r->expire <= r->refresh ? lines[RK_REFRESH]
						 : lines[RK_RETRY];
	if (r->expire <= r->refresh || r->expire <= r->retry)
		return conf_fail_at(p, at,
				    "expire: %u must be above refresh (%u) and retry (%u) "
				    "(RFC 8210 6)",
				    r->expire, r->refresh, r->retry);
	p->where[0] = 0;
	return 0;
}

static bool server_equal(const struct conf_rpki_server *a, const struct conf_rpki_server *b)
{
	return a->port == b->port && a->preference == b->preference &&
	       conf_addr_equal(&a->addr, &b->addr);
}

bool conf_rpki_equal(const struct conf_rpki *a, const struct conf_rpki *b)
{
	return conf_rpki_same_caches(a, b) && (!a->enabled || a->drop_invalid == b->drop_invalid);
}

bool conf_rpki_same_caches(const struct conf_rpki *a, const struct conf_rpki *b)
{
	if (a->enabled != b->enabled)
		return false;
	if (!a->enabled)
		return true;
	if (a->refresh != b->refresh ||
	    a->retry != b->retry || a->expire != b->expire || a->nservers != b->nservers)
		return false;
	for (size_t i = 0; i < a->nservers; i++)
		if (!server_equal(&a->servers[i], &b->servers[i]))
			return false;
	return true;
}

void conf_rpki_print(FILE *f, const struct conf_rpki *r)
{
	if (!r->enabled)
		return;
	char buf[RX_PREFIX_STRLEN];
	fputs("rpki:\n  servers:\n", f);
	for (size_t i = 0; i < r->nservers; i++) {
		const struct conf_rpki_server *s = &r->servers[i];
		fprintf(f, "    - {address: \"%s\", port: %u, preference: %u}\n",
			conf_addr_str(&s->addr, buf, sizeof(buf)), s->port, s->preference);
	}
	fprintf(f, "  refresh: %u\n  retry: %u\n  expire: %u\n  invalid: %s\n", r->refresh,
		r->retry, r->expire, invalid_names[r->drop_invalid]);
}
