/* policy.h: route maps: evaluation and set actions (src/policy/; types in policy-t.h,
 * semantics and YAML in docs/policy.md).
 *
 * Pure and thread-safe for reading: evaluation reads only the immutable map and the
 * caller's struct policy_route (regexec on a compiled regex_t is thread-safe), so any
 * number of I/O threads and the export worker evaluate the same map at once. The parsers
 * are the config loader's; they allocate nothing. */
#ifndef ROUTEX_POLICY_H
#define ROUTEX_POLICY_H

#include <stdio.h>

#include <routex/policy-t.h>
#include <routex/wire-t.h>

/* RFC 8212: what an eBGP peer without an explicit map gets with `require-policy: true`:
 * one entry that denies everything. */
extern const struct policy_map policy_reject_all;

void policy_route_init(struct policy_route *r, const struct rx_prefix *prefix,
		       const uint8_t *aspath, size_t aspath_len, const uint8_t *comm,
		       size_t comm_len, const uint8_t *large, size_t large_len, uint8_t rpki,
		       uint8_t role, char *text);
/* The index of the entry that applies to the route, or POLICY_NO_MATCH. r->prefix may be
 * changed between calls (the rest of the route kept): the AS path text is reused. */
int policy_eval(const struct policy_map *m, struct policy_route *r);
/* Whether the result of policy_eval lets the route through. */
static inline bool policy_permits(const struct policy_map *m, int idx)
{
	return idx < 0 || m->v[idx].action == POLICY_PERMIT;
}
/* Whether the result of policy_eval changes the route's attributes. */
static inline bool policy_changes(const struct policy_map *m, int idx)
{
	return idx >= 0 && m->v[idx].action == POLICY_PERMIT && m->v[idx].s.kinds != 0;
}
/* Applies an entry's set actions to decoded attributes: new community lists and AS path
 * are written into buf (w then points there; the old views are left alone), prepending
 * `prepend_asn`. Returns false when buf (or the attribute's 65,535-octet limit) is too
 * small, leaving w in an unspecified state. */
#define POLICY_APPLY_BUF (2 * 65536 + 4096)
bool policy_apply(const struct policy_entry *e, struct wire_attrs *w, uint32_t prepend_asn,
		  uint8_t *buf, size_t cap);

/* The AS path as regular expressions see it: ASNs in decimal separated by one space,
 * an AS_SET as "{a,b}", confederation segments as "(a b)" and "[a,b]". Builds r->text,
 * which must be set (see struct policy_route). */
const char *policy_aspath_text(struct policy_route *r);

/* Parsers for the config; false with a reason in err. */
bool policy_pfx_parse(const char *s, struct policy_pfx *out, char *err, size_t errlen);
bool policy_community_parse(const char *s, uint32_t *out, char *err, size_t errlen);
bool policy_large_parse(const char *s, struct policy_large *out, char *err, size_t errlen);
/* Text forms, as the parsers take them (buf of at least 48 bytes). */
const char *policy_pfx_fmt(const struct policy_pfx *e, char *buf, size_t size);
const char *policy_community_fmt(uint32_t c, char *buf, size_t size);
const char *policy_role_name(uint8_t role);
const char *policy_rpki_name(uint8_t rpki);

/* Value equality (names included; prefix lists by content). */
bool policy_prefix_list_equal(const struct policy_prefix_list *a,
			      const struct policy_prefix_list *b);
bool policy_map_equal(const struct policy_map *a, const struct policy_map *b);
bool policy_set_equal(const struct policy_set *a, const struct policy_set *b);
void policy_prefix_list_fini(struct policy_prefix_list *l);
void policy_map_fini(struct policy_map *m);

#endif
