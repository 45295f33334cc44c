/* node.c: walking the libyaml document and typed scalar values, with the error and warning
 * messages every config key shares.
 *
 * Typing is strict so that a typo is an error rather than a surprise: integers and booleans
 * must be plain (unquoted) scalars, booleans are true/false only (YAML 1.1's yes/no/on/off are
 * refused: `no` meaning false has bitten too many operators), integers are decimal without
 * leading zeros (YAML 1.1 reads 010 as octal 8). Strings and addresses take any scalar style. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf-int.h"

static void vfail(struct conf_parse *p, unsigned line, const char *key, const char *fmt, va_list ap)
    RX_PRINTF(4, 0);

static void vfail(struct conf_parse *p, unsigned line, const char *key, const char *fmt, va_list ap)
{
	int n = snprintf(p->err, p->errlen, "%s:%u: %s%s%s", p->file, line, p->where,
			 key ? key : "", key ? ": " : "");
	if (n >= 0 && (size_t)n < p->errlen)
		vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
}

int conf_fail(struct conf_parse *p, unsigned line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(p, line, p->key, fmt, ap);
	va_end(ap);
	return -1;
}

int conf_fail_at(struct conf_parse *p, unsigned line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(p, line, NULL, fmt, ap);
	va_end(ap);
	return -1;
}

int conf_warn(struct conf_parse *p, unsigned line, const char *fmt, ...)
{
	struct conf_daemon *c = p->c;
	char buf[512];
	int n = snprintf(buf, sizeof(buf), "%s:%u: warning: ", p->file, line);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
	va_end(ap);
	char **w = reallocarray(c->warnings, c->nwarnings + 1, sizeof(*w));
	if (!w)
		return conf_fail_at(p, line, "out of memory");
	c->warnings = w;
	if (!(w[c->nwarnings] = strdup(buf)))
		return conf_fail_at(p, line, "out of memory");
	c->nwarnings++;
	return 0;
}

unsigned conf_line(const yaml_node_t *n)
{
	return (unsigned)n->start_mark.line + 1;
}

yaml_node_t *conf_node(struct conf_parse *p, int index)
{
	return yaml_document_get_node(p->doc, index);
}

static const char *type_name(yaml_node_type_t t)
{
	switch (t) {
	case YAML_SCALAR_NODE:
		return "a scalar";
	case YAML_SEQUENCE_NODE:
		return "a list";
	case YAML_MAPPING_NODE:
		return "a mapping";
	default:
		return "nothing";
	}
}

int conf_expect(struct conf_parse *p, yaml_node_t *n, yaml_node_type_t type)
{
	if (n->type == type)
		return 0;
	return conf_fail(p, conf_line(n), "expected %s, got %s", type_name(type),
			 type_name(n->type));
}

/* The scalar's text, or NULL after an error: a value must be a scalar and not empty. */
static const char *scalar(struct conf_parse *p, yaml_node_t *n)
{
	if (conf_expect(p, n, YAML_SCALAR_NODE))
		return NULL;
	if (n->data.scalar.length == 0) {
		conf_fail(p, conf_line(n), "missing value");
		return NULL;
	}
	/* Scalars are NUL-terminated, but an escaped "\0" inside one would cut it short. */
	if (strlen((const char *)n->data.scalar.value) != n->data.scalar.length) {
		conf_fail(p, conf_line(n), "value contains a NUL character");
		return NULL;
	}
	return (const char *)n->data.scalar.value;
}

static bool is_plain(const yaml_node_t *n)
{
	return n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

/* Levenshtein distance, capped: enough to suggest "hold-time" for "hold_time" or "holdtime". */
static unsigned distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 31 || lb > 31)
		return 99;
	unsigned row[32];
	for (size_t j = 0; j <= lb; j++)
		row[j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		unsigned diag = row[0];
		row[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned up = row[j];
			unsigned best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

static int unknown_key(struct conf_parse *p, yaml_node_t *k, const struct conf_key *keys,
		       size_t nkeys)
{
	const char *name = (const char *)k->data.scalar.value;
	for (size_t i = 0; i < nkeys; i++)
		if (distance(name, keys[i].name) <= 2)
			return conf_fail_at(p, conf_line(k),
					    "unknown key '%s' (did you mean '%s'?)", name,
					    keys[i].name);
	return conf_fail_at(p, conf_line(k), "unknown key '%s'", name);
}

static const struct conf_key *find_key(const struct conf_key *keys, size_t nkeys, const char *name)
{
	for (size_t i = 0; i < nkeys; i++)
		if (!strcmp(keys[i].name, name))
			return &keys[i];
	return NULL;
}

int conf_walk_map(struct conf_parse *p, yaml_node_t *map, const struct conf_key *keys, size_t nkeys,
		  void *obj, unsigned *key_line)
{
	if (conf_expect(p, map, YAML_MAPPING_NODE))
		return -1;
	for (yaml_node_pair_t *pair = map->data.mapping.pairs.start;
	     pair < map->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = conf_node(p, pair->key), *v = conf_node(p, pair->value);
		if (k->type != YAML_SCALAR_NODE)
			return conf_fail_at(p, conf_line(k), "a key must be a scalar");
		const struct conf_key *key =
		    find_key(keys, nkeys, (const char *)k->data.scalar.value);
		if (!key)
			return unknown_key(p, k, keys, nkeys);
		if (key_line[key->id])
			return conf_fail_at(p, conf_line(k),
					    "duplicate key '%s' (first on line %u)", key->name,
					    key_line[key->id]);
		key_line[key->id] = conf_line(k);
		p->key = key->name;
		if (key->fn(p, v, obj))
			return -1;
		p->key = NULL;
	}
	return 0;
}

yaml_node_t *conf_map_find(struct conf_parse *p, yaml_node_t *map, const char *name)
{
	if (map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *pair = map->data.mapping.pairs.start;
	     pair < map->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = conf_node(p, pair->key);
		if (k->type == YAML_SCALAR_NODE &&
		    !strcmp((const char *)k->data.scalar.value, name))
			return conf_node(p, pair->value);
	}
	return NULL;
}

int conf_get_bool(struct conf_parse *p, yaml_node_t *n, bool *out)
{
	const char *s = scalar(p, n);
	if (!s)
		return -1;
	/* YAML 1.2 core schema spellings only. */
	if (is_plain(n) && (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE")))
		*out = true;
	else if (is_plain(n) && (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE")))
		*out = false;
	else
		return conf_fail(p, conf_line(n), "expected true or false, got \"%s\"", s);
	return 0;
}

/* Decimal digits only, no sign, no leading zero; false when s is not such a number or is
 * above UINT64_MAX. */
static bool parse_decimal(const char *s, uint64_t *out)
{
	if (s[0] < '0' || s[0] > '9' || (s[0] == '0' && s[1]))
		return false;
	for (const char *c = s; *c; c++)
		if (*c < '0' || *c > '9')
			return false;
	errno = 0;
	unsigned long long v = strtoull(s, NULL, 10);
	if (errno)
		return false;
	*out = v;
	return true;
}

int conf_get_uint(struct conf_parse *p, yaml_node_t *n, uint64_t min, uint64_t max, uint64_t *out)
{
	const char *s = scalar(p, n);
	if (!s)
		return -1;
	uint64_t v;
	if (!is_plain(n))
		return conf_fail(p, conf_line(n),
				 "expected an integer, got the quoted string \"%s\"", s);
	if (!parse_decimal(s, &v))
		return conf_fail(
		    p, conf_line(n),
		    "expected a decimal integer (no sign, no leading zero), got \"%s\"", s);
	if (v < min || v > max)
		return conf_fail(p, conf_line(n), "%s is out of range %llu..%llu", s,
				 (unsigned long long)min, (unsigned long long)max);
	*out = v;
	return 0;
}

/* RFC 5396: asplain ("4200000000") or asdot ("64086.59904", both halves 0..65535). */
static bool parse_asn_text(const char *s, uint32_t *out)
{
	char hi[8];
	const char *dot = strchr(s, '.');
	uint64_t a, b;
	if (!dot) {
		if (!parse_decimal(s, &a) || a > UINT32_MAX)
			return false;
		*out = (uint32_t)a;
		return true;
	}
	size_t hl = (size_t)(dot - s);
	if (hl == 0 || hl >= sizeof(hi))
		return false;
	memcpy(hi, s, hl);
	hi[hl] = 0;
	if (!parse_decimal(hi, &a) || !parse_decimal(dot + 1, &b) || a > 65535 || b > 65535)
		return false;
	*out = (uint32_t)(a << 16 | b);
	return true;
}

int conf_get_asn(struct conf_parse *p, yaml_node_t *n, uint32_t *out)
{
	const char *s = scalar(p, n);
	if (!s)
		return -1;
	uint32_t v;
	if (!is_plain(n) || !parse_asn_text(s, &v))
		return conf_fail(p, conf_line(n),
				 "expected an AS number (1..4294967294, or asdot X.Y), got \"%s\"",
				 s);
	if (v == 0)
		return conf_fail(p, conf_line(n),
				 "AS 0 is reserved and may not be used (RFC 7607)");
	if (v == 23456)
		return conf_fail(p, conf_line(n),
				 "AS 23456 is AS_TRANS, a placeholder for 4-octet ASNs (RFC 6793)");
	if (v == 65535 || v == UINT32_MAX)
		return conf_fail(p, conf_line(n), "AS %u is reserved (RFC 7300)", v);
	if (v >= 65552 && v <= 131071 &&
	    conf_warn(p, conf_line(n), "%s%s: AS %u is in the IANA reserved block 65552-131071",
		      p->where, p->key, v))
		return -1;
	*out = v;
	return 0;
}

int conf_get_addr(struct conf_parse *p, yaml_node_t *n, uint8_t afi, struct conf_addr *out)
{
	const char *s = scalar(p, n);
	if (!s)
		return -1;
	struct conf_addr a = {0};
	if (inet_pton(AF_INET, s, a.addr) == 1)
		a.afi = RX_AFI_IPV4;
	else if (inet_pton(AF_INET6, s, a.addr) == 1)
		a.afi = RX_AFI_IPV6;
	else
		return conf_fail(p, conf_line(n), "\"%s\" is not an IP address", s);
	if (afi && a.afi != afi)
		return conf_fail(p, conf_line(n), "\"%s\" is not an %s address", s,
				 afi == RX_AFI_IPV4 ? "IPv4" : "IPv6");
	*out = a;
	return 0;
}

int conf_get_port(struct conf_parse *p, yaml_node_t *n, uint16_t *out)
{
	uint64_t v = 0; /* gcc 12 -O3 cannot see conf_get_uint set it on success */
	if (conf_get_uint(p, n, 1, 65535, &v))
		return -1;
	*out = (uint16_t)v;
	return 0;
}

int conf_get_string(struct conf_parse *p, yaml_node_t *n, size_t maxlen, char **out)
{
	const char *s = scalar(p, n);
	if (!s)
		return -1;
	if (strlen(s) > maxlen)
		return conf_fail(p, conf_line(n), "longer than %zu bytes", maxlen);
	char *dup = strdup(s);
	if (!dup)
		return conf_fail(p, conf_line(n), "out of memory");
	free(*out); /* a default may have been set before */
	*out = dup;
	return 0;
}

int conf_get_enum(struct conf_parse *p, yaml_node_t *n, const char *const *names, size_t count,
		  int *out)
{
	const char *s = scalar(p, n);
	if (!s)
		return -1;
	char list[128] = "";
	for (size_t i = 0; i < count; i++) {
		if (!strcmp(s, names[i])) {
			*out = (int)i;
			return 0;
		}
		size_t used = strlen(list);
		snprintf(list + used, sizeof(list) - used, "%s%s", i ? " | " : "", names[i]);
	}
	return conf_fail(p, conf_line(n), "unknown value \"%s\" (expected %s)", s, list);
}

int conf_get_prefix(struct conf_parse *p, yaml_node_t *n, struct rx_prefix *out)
{
	const char *s = scalar(p, n);
	if (!s)
		return -1;
	char buf[RX_PREFIX_STRLEN];
	if (!strchr(s, '/'))
		return conf_fail(p, conf_line(n), "\"%s\" has no /length", s);
	if (!rx_prefix_parse(s, out, true))
		return conf_fail(p, conf_line(n), "\"%s\" is not a prefix", s);
	if (!rx_prefix_is_canonical(out)) {
		rx_prefix_mask(out);
		rx_prefix_fmt(out, buf, sizeof(buf));
		return conf_fail(p, conf_line(n), "\"%s\" has host bits set (did you mean %s?)", s,
				 buf);
	}
	return 0;
}
