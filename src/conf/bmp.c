/* bmp.c: the `bmp:` key: BMP collectors (RFC 7854) that routexd connects to.
 *
 *   bmp:
 *     - address: 192.0.2.10     # required: the collector listens, routexd connects
 *       port: 11019             # required: BMP has no assigned port
 *       monitor: [pre-policy, loc-rib]   # optional; both by default
 *       statistics: 60          # optional: seconds between Statistics Reports; 0 (default): none
 *
 * Validation is strict like every other key: unknown keys, a missing address or port, an
 * empty or repeated monitor entry, and the same collector twice are errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <routex/conf.h>

#include "conf-int.h"

static const char *const monitor_names[] = {"pre-policy", "loc-rib"};

enum { BK_ADDRESS, BK_PORT, BK_MONITOR, BK_STATISTICS, BK_COUNT };

static int parse_address(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	return conf_get_addr(p, v, 0, &((struct conf_bmp *)obj)->addr);
}

static int parse_port(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	return conf_get_port(p, v, &((struct conf_bmp *)obj)->port);
}

static int parse_monitor(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	struct conf_bmp *b = obj;
	if (conf_expect(p, v, YAML_SEQUENCE_NODE))
		return -1;
	if (v->data.sequence.items.top == v->data.sequence.items.start)
		return conf_fail(p, conf_line(v),
				 "empty list: name pre-policy, loc-rib or both (or leave the key "
				 "out for both)");
	for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top;
	     i++) {
		yaml_node_t *item = conf_node(p, *i);
		int e;
		if (conf_get_enum(p, item, monitor_names, RX_ARRAY_LEN(monitor_names), &e))
			return -1;
		uint8_t bit = e == 0 ? CONF_BMP_PRE_POLICY : CONF_BMP_LOC_RIB;
		if (b->monitor & bit)
			return conf_fail(p, conf_line(item), "\"%s\" is listed twice",
					 monitor_names[e]);
		b->monitor |= bit;
	}
	return 0;
}

static int parse_statistics(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	uint64_t n;
	if (conf_get_uint(p, v, 0, CONF_BMP_STATS_MAX, &n))
		return -1;
	((struct conf_bmp *)obj)->statistics = (uint32_t)n;
	return 0;
}

static const struct conf_key bmp_keys[] = {
    {"address", BK_ADDRESS, parse_address},
    {"port", BK_PORT, parse_port},
    {"monitor", BK_MONITOR, parse_monitor},
    {"statistics", BK_STATISTICS, parse_statistics},
};

static int parse_one(struct conf_parse *p, yaml_node_t *v, struct conf_bmp *b)
{
	unsigned lines[BK_COUNT] = {0};
	if (conf_expect(p, v, YAML_MAPPING_NODE))
		return -1;
	b->line = conf_line(v);
	snprintf(p->where, sizeof(p->where), "bmp: ");
	if (conf_walk_map(p, v, bmp_keys, RX_ARRAY_LEN(bmp_keys), b, lines))
		return -1;
	if (!lines[BK_ADDRESS])
		return conf_fail_at(p, b->line, "missing key 'address'");
	if (!lines[BK_PORT])
		return conf_fail_at(p, b->line, "missing key 'port' (BMP has no default port)");
	if (!lines[BK_MONITOR])
		b->monitor = CONF_BMP_PRE_POLICY | CONF_BMP_LOC_RIB;
	p->where[0] = 0;
	return 0;
}

int conf_parse_bmp(struct conf_parse *p, yaml_node_t *v)
{
	struct conf_daemon *c = p->c;
	const char *outer = p->key;
	if (conf_expect(p, v, YAML_SEQUENCE_NODE))
		return -1;
	size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	c->bmp = calloc(n ? n : 1, sizeof(*c->bmp));
	if (!c->bmp)
		return conf_fail(p, conf_line(v), "out of memory");
	char buf[RX_PREFIX_STRLEN];
	for (size_t i = 0; i < n; i++) {
		struct conf_bmp *b = &c->bmp[i];
		if (parse_one(p, conf_node(p, v->data.sequence.items.start[i]), b))
			return -1;
		p->key = outer;
		c->nbmp++;
		for (size_t j = 0; j < i; j++)
			if (conf_addr_equal(&c->bmp[j].addr, &b->addr) && c->bmp[j].port == b->port)
				return conf_fail_at(
				    p, b->line,
				    "bmp: collector %s port %u is listed twice (first "
				    "on line %u)",
				    conf_addr_str(&b->addr, buf, sizeof(buf)), b->port,
				    c->bmp[j].line);
	}
	return 0;
}

bool conf_bmp_equal(const struct conf_daemon *a, const struct conf_daemon *b)
{
	if (a->nbmp != b->nbmp)
		return false;
	for (size_t i = 0; i < a->nbmp; i++)
		if (!conf_addr_equal(&a->bmp[i].addr, &b->bmp[i].addr) ||
		    a->bmp[i].port != b->bmp[i].port || a->bmp[i].monitor != b->bmp[i].monitor ||
		    a->bmp[i].statistics != b->bmp[i].statistics)
			return false;
	return true;
}

void conf_print_bmp(FILE *f, const struct conf_daemon *c)
{
	char buf[RX_PREFIX_STRLEN];
	if (!c->nbmp)
		return;
	fputs("bmp:\n", f);
	for (size_t i = 0; i < c->nbmp; i++) {
		const struct conf_bmp *b = &c->bmp[i];
		fprintf(f, "  - address: \"%s\"\n    port: %u\n    monitor: [",
			conf_addr_str(&b->addr, buf, sizeof(buf)), b->port);
		const char *sep = "";
		if (b->monitor & CONF_BMP_PRE_POLICY) {
			fputs("pre-policy", f);
			sep = ", ";
		}
		if (b->monitor & CONF_BMP_LOC_RIB)
			fprintf(f, "%sloc-rib", sep);
		fputs("]\n", f);
		if (b->statistics)
			fprintf(f, "    statistics: %u\n", b->statistics);
	}
}
