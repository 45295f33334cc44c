/* policy.c: route map evaluation and set actions (see policy.h and docs/policy.md).
 *
 * Cost: an entry's matches are tested cheapest first (role, RPKI state, prefix list,
 * communities, the AS path walks of contains/origin/max-length) and the first that fails
 * ends the entry, so the regular expression, the one expensive test, runs only on routes
 * that passed everything else. Its input, the AS path as text, is built once per route
 * (not per entry, not per prefix of an UPDATE: callers keep the struct policy_route across
 * the prefixes of one attribute set); text and regexec for a 5-ASN path measured 2.8 us,
 * `contains` 66 ns (docs/policy.md "Cost"), which is why those simple forms (contains,
 * origin, max-length) exist beside the regex. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <routex/compiler.h>
#include <routex/policy.h>
#include <routex/wire.h>

static const struct policy_entry reject_entry = {.action = POLICY_DENY};
const struct policy_map policy_reject_all = {
    .name = (char *)"rfc8212-reject-all", .v = (struct policy_entry *)&reject_entry, .n = 1};

void policy_route_init(struct policy_route *r, const struct rx_prefix *prefix,
		       const uint8_t *aspath, size_t aspath_len, const uint8_t *comm,
		       size_t comm_len, const uint8_t *large, size_t large_len, uint8_t rpki,
		       uint8_t role, char *text)
{
	r->prefix = prefix;
	r->aspath = aspath;
	r->aspath_len = aspath_len;
	r->comm = comm;
	r->comm_len = comm_len;
	r->large = large;
	r->large_len = large_len;
	r->rpki = rpki;
	r->role = role;
	r->text = text;
	r->text_len = -1;
}

const char *policy_aspath_text(struct policy_route *r)
{
	RX_ASSERT(r->text); /* a map with a regex needs the buffer: a caller's bug */
	if (r->text_len >= 0)
		return r->text;
	size_t o = 0, cap = POLICY_TEXT_MAX;
	const uint8_t *p = r->aspath;
	size_t i = 0;
	r->text[0] = 0;
	while (i + 2 <= r->aspath_len) {
		uint8_t type = p[i], n = p[i + 1];
		bool set = type == WIRE_AS_SET || type == WIRE_AS_CONFED_SET;
		bool confed = type == WIRE_AS_CONFED_SEQUENCE || type == WIRE_AS_CONFED_SET;
		const char *open = set ? (confed ? "[" : "{") : (confed ? "(" : "");
		const char *close = set ? (confed ? "]" : "}") : (confed ? ")" : "");
		i += 2;
		int w = snprintf(r->text + o, cap - o, "%s%s", o ? " " : "", open);
		o += (size_t)w;
		for (unsigned k = 0; k < n && i + 4 <= r->aspath_len && o < cap; k++, i += 4) {
			w = snprintf(r->text + o, cap - o, "%s%u", k ? (set ? "," : " ") : "",
				     wire_get32(p + i));
			o += (size_t)w;
		}
		if (o < cap) {
			w = snprintf(r->text + o, cap - o, "%s", close);
			o += (size_t)w;
		}
		if (o >= cap) { /* cannot happen for a valid path (see POLICY_TEXT_MAX) */
			o = cap - 1;
			break;
		}
	}
	r->text_len = (int)o;
	return r->text;
}

static bool pfx_match(const struct policy_prefix_list *l, const struct rx_prefix *p)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct policy_pfx *e = &l->v[i];
		if (e->p.afi == p->afi && p->len >= e->ge && p->len <= e->le &&
		    rx_prefix_contains(&e->p, p))
			return true;
	}
	return false;
}

static bool comm_any(const uint32_t *want, size_t n, const uint8_t *have, size_t len)
{
	for (size_t i = 0; i + 4 <= len; i += 4) {
		uint32_t c = wire_get32(have + i);
		for (size_t k = 0; k < n; k++)
			if (want[k] == c)
				return true;
	}
	return false;
}

static bool large_eq(const struct policy_large *l, const uint8_t *p)
{
	return l->ga == wire_get32(p) && l->l1 == wire_get32(p + 4) && l->l2 == wire_get32(p + 8);
}

static bool large_any(const struct policy_large *want, size_t n, const uint8_t *have, size_t len)
{
	for (size_t i = 0; i + 12 <= len; i += 12)
		for (size_t k = 0; k < n; k++)
			if (large_eq(&want[k], have + i))
				return true;
	return false;
}

static bool entry_matches(const struct policy_match *m, struct policy_route *r)
{
	uint32_t k = m->kinds;
	if ((k & POLICY_M_ROLE) && !(m->roles & (1u << r->role)))
		return false;
	if ((k & POLICY_M_RPKI) && m->rpki != r->rpki)
		return false;
	if ((k & POLICY_M_PREFIX_LIST) && !pfx_match(m->plist, r->prefix))
		return false;
	if ((k & POLICY_M_COMMUNITY) && !comm_any(m->comm, m->ncomm, r->comm, r->comm_len))
		return false;
	if ((k & POLICY_M_LARGE) && !large_any(m->large, m->nlarge, r->large, r->large_len))
		return false;
	if ((k & POLICY_M_CONTAINS) && !wire_aspath_contains(r->aspath, r->aspath_len, m->contains))
		return false;
	if ((k & POLICY_M_ORIGIN) && wire_aspath_origin_as(r->aspath, r->aspath_len) != m->origin)
		return false;
	if ((k & POLICY_M_MAX_LENGTH) && wire_aspath_length(r->aspath, r->aspath_len) > m->max_length)
		return false;
	if ((k & POLICY_M_REGEX) && regexec(&m->regex, policy_aspath_text(r), 0, NULL, 0) != 0)
		return false;
	return true;
}

int policy_eval(const struct policy_map *m, struct policy_route *r)
{
	for (size_t i = 0; i < m->n; i++)
		if (entry_matches(&m->v[i].m, r))
			return (int)i;
	return POLICY_NO_MATCH;
}

/* ---- set actions ---- */

static bool has32(const uint32_t *v, size_t n, uint32_t c)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == c)
			return true;
	return false;
}

/* COMMUNITIES after set, remove and add, in that order, without duplicates added. */
static bool apply_comm(const struct policy_set *s, struct wire_attrs *w, uint8_t *buf, size_t cap,
		       size_t *used)
{
	uint8_t *out = buf + *used;
	size_t o = 0, room = cap - *used;
	const uint8_t *src = w->communities;
	size_t len = WIRE_HAS(w, WIRE_ATTR_COMMUNITIES) ? w->communities_len : 0;
	uint8_t tmp[4];
	if (s->kinds & POLICY_S_COMM_SET) {
		for (size_t i = 0; i < s->ncomm_set; i++) {
			if (o + 4 > room)
				return false;
			wire_put32(out + o, s->comm_set[i]);
			o += 4;
		}
	} else {
		for (size_t i = 0; i + 4 <= len; i += 4) {
			if (has32(s->comm_remove, s->ncomm_remove, wire_get32(src + i)))
				continue;
			if (o + 4 > room)
				return false;
			memcpy(out + o, src + i, 4);
			o += 4;
		}
	}
	for (size_t i = 0; i < s->ncomm_add; i++) {
		bool dup = false;
		wire_put32(tmp, s->comm_add[i]);
		for (size_t k = 0; k + 4 <= o && !dup; k += 4)
			dup = !memcmp(out + k, tmp, 4);
		if (dup)
			continue;
		if (o + 4 > room || o + 4 > 65535)
			return false;
		memcpy(out + o, tmp, 4);
		o += 4;
	}
	w->communities = out;
	w->communities_len = (uint16_t)o;
	if (o)
		w->present |= WIRE_ATTR_BIT(WIRE_ATTR_COMMUNITIES);
	else
		w->present &= ~WIRE_ATTR_BIT(WIRE_ATTR_COMMUNITIES);
	*used += o;
	return true;
}

static bool apply_large(const struct policy_set *s, struct wire_attrs *w, uint8_t *buf, size_t cap,
			size_t *used)
{
	uint8_t *out = buf + *used;
	size_t o = 0, room = cap - *used;
	const uint8_t *src = w->large_communities;
	size_t len = WIRE_HAS(w, WIRE_ATTR_LARGE_COMMUNITIES) ? w->large_communities_len : 0;
	for (size_t i = 0; i + 12 <= len; i += 12) {
		if (large_any(s->large_remove, s->nlarge_remove, src + i, 12))
			continue;
		if (o + 12 > room)
			return false;
		memcpy(out + o, src + i, 12);
		o += 12;
	}
	for (size_t i = 0; i < s->nlarge_add; i++) {
		if (large_any(&s->large_add[i], 1, out, o))
			continue;
		if (o + 12 > room || o + 12 > 65535)
			return false;
		wire_put32(out + o, s->large_add[i].ga);
		wire_put32(out + o + 4, s->large_add[i].l1);
		wire_put32(out + o + 8, s->large_add[i].l2);
		o += 12;
	}
	w->large_communities = out;
	w->large_communities_len = (uint16_t)o;
	if (o)
		w->present |= WIRE_ATTR_BIT(WIRE_ATTR_LARGE_COMMUNITIES);
	else
		w->present &= ~WIRE_ATTR_BIT(WIRE_ATTR_LARGE_COMMUNITIES);
	*used += o;
	return true;
}

bool policy_apply(const struct policy_entry *e, struct wire_attrs *w, uint32_t prepend_asn,
		  uint8_t *buf, size_t cap)
{
	const struct policy_set *s = &e->s;
	size_t used = 0;
	if ((s->kinds & (POLICY_S_COMM_ADD | POLICY_S_COMM_REMOVE | POLICY_S_COMM_SET)) &&
	    !apply_comm(s, w, buf, cap, &used))
		return false;
	if ((s->kinds & (POLICY_S_LARGE_ADD | POLICY_S_LARGE_REMOVE)) &&
	    !apply_large(s, w, buf, cap, &used))
		return false;
	if (s->kinds & POLICY_S_PREPEND) {
		size_t room = cap - used;
		if (room > 65535)
			room = 65535;
		size_t n = wire_aspath_prepend(w->aspath, w->aspath_len, prepend_asn, s->prepend,
					       buf + used, room);
		if (!n)
			return false;
		w->aspath = buf + used;
		w->aspath_len = (uint16_t)n;
		w->present |= WIRE_ATTR_BIT(WIRE_ATTR_AS_PATH);
		used += n;
	}
	if (s->kinds & POLICY_S_MED) {
		w->med = s->med;
		w->present |= WIRE_ATTR_BIT(WIRE_ATTR_MED);
	}
	return true;
}

/* ---- parsers and names ---- */

static bool parse_u8(const char *s, unsigned max, uint8_t *out, const char **end)
{
	char *e;
	if (*s < '0' || *s > '9')
		return false;
	unsigned long v = strtoul(s, &e, 10);
	if (v > max || (e - s > 1 && *s == '0'))
		return false;
	*out = (uint8_t)v;
	*end = e;
	return true;
}

bool policy_pfx_parse(const char *s, struct policy_pfx *out, char *err, size_t errlen)
{
	char buf[RX_PREFIX_STRLEN + 1];
	size_t n = strcspn(s, " \t");
	if (n >= sizeof(buf)) {
		snprintf(err, errlen, "\"%s\" is not a prefix", s);
		return false;
	}
	memcpy(buf, s, n);
	buf[n] = 0;
	if (!rx_prefix_parse(buf, &out->p, false)) {
		snprintf(err, errlen, "\"%s\" is not a prefix (address/length, no host bits)", buf);
		return false;
	}
	unsigned max = out->p.afi == RX_AFI_IPV4 ? 32 : 128;
	bool has_ge = false, has_le = false;
	out->ge = out->le = out->p.len;
	const char *c = s + n;
	for (;;) {
		c += strspn(c, " \t");
		if (!*c)
			break;
		const char *e;
		uint8_t v;
		bool ge = !strncmp(c, "ge", 2), le = !strncmp(c, "le", 2);
		if ((!ge && !le) || (c[2] != ' ' && c[2] != '\t')) {
			snprintf(err, errlen, "\"%s\": expected 'ge N' or 'le N' after the prefix", s);
			return false;
		}
		c += 2 + strspn(c + 2, " \t");
		if (!parse_u8(c, max, &v, &e) || (*e && *e != ' ' && *e != '\t')) {
			snprintf(err, errlen, "\"%s\": %s needs a length 0..%u", s, ge ? "ge" : "le",
				 max);
			return false;
		}
		if ((ge && (has_ge || has_le)) || (le && has_le)) {
			snprintf(err, errlen, "\"%s\": write ge before le, each once", s);
			return false;
		}
		if (ge) {
			has_ge = true;
			out->ge = v;
			out->le = (uint8_t)max;
		} else {
			has_le = true;
			out->le = v;
		}
		c = e;
	}
	if (out->ge < out->p.len || out->le < out->ge) {
		snprintf(err, errlen, "\"%s\": lengths out of range: need %u <= ge <= le <= %u", s,
			 out->p.len, max);
		return false;
	}
	return true;
}

static bool parse_u32(const char *s, uint32_t max, uint32_t *out, const char **end)
{
	char *e;
	if (*s < '0' || *s > '9')
		return false;
	unsigned long long v = strtoull(s, &e, 10);
	if (v > max || e - s > 10)
		return false;
	*out = (uint32_t)v;
	*end = e;
	return true;
}

static const struct {
	const char *name;
	uint32_t value;
} well_known[] = {
    {"no-export", WIRE_COMM_NO_EXPORT},
    {"no-advertise", WIRE_COMM_NO_ADVERTISE},
    {"no-export-subconfed", WIRE_COMM_NO_EXPORT_SUBCONFED},
    {"graceful-shutdown", WIRE_COMM_GRACEFUL_SHUTDOWN},
    {"blackhole", 0xFFFF029Au}, /* RFC 7999 */
};

bool policy_community_parse(const char *s, uint32_t *out, char *err, size_t errlen)
{
	for (size_t i = 0; i < RX_ARRAY_LEN(well_known); i++)
		if (!strcmp(s, well_known[i].name)) {
			*out = well_known[i].value;
			return true;
		}
	uint32_t a, b;
	const char *e;
	if (!parse_u32(s, 65535, &a, &e) || *e != ':' || !parse_u32(e + 1, 65535, &b, &e) || *e) {
		snprintf(err, errlen,
			 "\"%s\" is not a community (ASN:VALUE, each 0..65535, or no-export, "
			 "no-advertise, no-export-subconfed, graceful-shutdown, blackhole)",
			 s);
		return false;
	}
	*out = a << 16 | b;
	return true;
}

bool policy_large_parse(const char *s, struct policy_large *out, char *err, size_t errlen)
{
	const char *e;
	if (!parse_u32(s, UINT32_MAX, &out->ga, &e) || *e != ':' ||
	    !parse_u32(e + 1, UINT32_MAX, &out->l1, &e) || *e != ':' ||
	    !parse_u32(e + 1, UINT32_MAX, &out->l2, &e) || *e) {
		snprintf(err, errlen,
			 "\"%s\" is not a large community (ASN:DATA1:DATA2, each 0..4294967295)", s);
		return false;
	}
	return true;
}

const char *policy_pfx_fmt(const struct policy_pfx *e, char *buf, size_t size)
{
	char p[RX_PREFIX_STRLEN];
	rx_prefix_fmt(&e->p, p, sizeof(p));
	unsigned max = e->p.afi == RX_AFI_IPV4 ? 32 : 128;
	if (e->ge == e->p.len && e->le == e->p.len)
		snprintf(buf, size, "%s", p);
	else if (e->ge == e->p.len)
		snprintf(buf, size, "%s le %u", p, e->le);
	else if (e->le == max)
		snprintf(buf, size, "%s ge %u", p, e->ge);
	else
		snprintf(buf, size, "%s ge %u le %u", p, e->ge, e->le);
	return buf;
}

const char *policy_community_fmt(uint32_t c, char *buf, size_t size)
{
	for (size_t i = 0; i < RX_ARRAY_LEN(well_known); i++)
		if (well_known[i].value == c) {
			snprintf(buf, size, "%s", well_known[i].name);
			return buf;
		}
	snprintf(buf, size, "%u:%u", c >> 16, c & 0xffff);
	return buf;
}

const char *policy_role_name(uint8_t role)
{
	static const char *const names[] = {"local", "nva", "expressroute", "vpn", "rs-client"};
	return role < RX_ARRAY_LEN(names) ? names[role] : "?";
}

const char *policy_rpki_name(uint8_t rpki)
{
	static const char *const names[] = {"none", "not-found", "valid", "invalid"};
	return rpki < RX_ARRAY_LEN(names) ? names[rpki] : "?";
}

/* ---- equality and release ---- */

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool arr_eq(const void *a, size_t na, const void *b, size_t nb, size_t size)
{
	return na == nb && (!na || !memcmp(a, b, na * size));
}

bool policy_prefix_list_equal(const struct policy_prefix_list *a,
			      const struct policy_prefix_list *b)
{
	if (a == b)
		return true;
	if (!a || !b || !str_eq(a->name, b->name) || a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (!rx_prefix_equal(&a->v[i].p, &b->v[i].p) || a->v[i].ge != b->v[i].ge ||
		    a->v[i].le != b->v[i].le)
			return false;
	return true;
}

static bool match_equal(const struct policy_match *a, const struct policy_match *b)
{
	return a->kinds == b->kinds && policy_prefix_list_equal(a->plist, b->plist) &&
	       str_eq(a->regex_src, b->regex_src) && a->contains == b->contains &&
	       a->origin == b->origin && a->max_length == b->max_length &&
	       arr_eq(a->comm, a->ncomm, b->comm, b->ncomm, sizeof(*a->comm)) &&
	       arr_eq(a->large, a->nlarge, b->large, b->nlarge, sizeof(*a->large)) &&
	       a->rpki == b->rpki && a->roles == b->roles;
}

bool policy_set_equal(const struct policy_set *a, const struct policy_set *b)
{
	return a->kinds == b->kinds &&
	       arr_eq(a->comm_add, a->ncomm_add, b->comm_add, b->ncomm_add, 4) &&
	       arr_eq(a->comm_remove, a->ncomm_remove, b->comm_remove, b->ncomm_remove, 4) &&
	       arr_eq(a->comm_set, a->ncomm_set, b->comm_set, b->ncomm_set, 4) &&
	       arr_eq(a->large_add, a->nlarge_add, b->large_add, b->nlarge_add,
		      sizeof(*a->large_add)) &&
	       arr_eq(a->large_remove, a->nlarge_remove, b->large_remove, b->nlarge_remove,
		      sizeof(*a->large_remove)) &&
	       a->prepend == b->prepend && a->med == b->med &&
	       (!(a->kinds & POLICY_S_SUMMARISE) || rx_prefix_equal(&a->summarise, &b->summarise));
}

bool policy_map_equal(const struct policy_map *a, const struct policy_map *b)
{
	if (a == b)
		return true;
	if (!a || !b || !str_eq(a->name, b->name) || a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (a->v[i].action != b->v[i].action || !match_equal(&a->v[i].m, &b->v[i].m) ||
		    !policy_set_equal(&a->v[i].s, &b->v[i].s))
			return false;
	return true;
}

void policy_prefix_list_fini(struct policy_prefix_list *l)
{
	free(l->name);
	free(l->v);
}

void policy_map_fini(struct policy_map *m)
{
	for (size_t i = 0; i < m->n; i++) {
		struct policy_match *x = &m->v[i].m;
		struct policy_set *s = &m->v[i].s;
		if (x->kinds & POLICY_M_REGEX)
			regfree(&x->regex);
		free(x->regex_src);
		free(x->plist_name);
		free(x->comm);
		free(x->large);
		free(s->comm_add);
		free(s->comm_remove);
		free(s->comm_set);
		free(s->large_add);
		free(s->large_remove);
	}
	free(m->v);
	free(m->name);
}
