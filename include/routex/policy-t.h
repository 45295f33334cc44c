/* policy-t.h: route maps and prefix lists (types only; prototypes in policy.h).
 *
 * A map is compiled once, when the config is loaded (src/conf/policy.c builds it: prefixes
 * parsed, regular expressions compiled, names resolved to pointers), and is immutable from
 * then on: the I/O threads (import maps) and the export worker (export maps) read it
 * without locks. It lives as long as the config that holds it, which a reload keeps until
 * exit (daemon.old_confs), so a thread still holding the old map never reads freed memory.
 *
 * Semantics (docs/policy.md): entries are tried in order; the first entry whose every
 * match holds applies its action (permit or deny) and its set actions, and ends the
 * evaluation. A route no entry matches passes unchanged. An entry without matches matches
 * every route. */
#ifndef ROUTEX_POLICY_T_H
#define ROUTEX_POLICY_T_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <routex/prefix.h>

/* One prefix-list line: `P`, `P le N`, `P ge N`, `P ge N le M`. A route's prefix matches
 * when P covers it and ge <= its length <= le (without ge/le: exactly P's length). */
struct policy_pfx {
	struct rx_prefix p;
	uint8_t ge, le;
};

struct policy_prefix_list {
	char *name;
	struct policy_pfx *v;
	size_t n;
	unsigned line;
};

/* Match kinds present in an entry (struct policy_match.kinds). */
#define POLICY_M_PREFIX_LIST 0x001u
#define POLICY_M_REGEX	     0x002u /* as-path regex */
#define POLICY_M_CONTAINS    0x004u /* as-path contains */
#define POLICY_M_ORIGIN	     0x008u /* as-path origin */
#define POLICY_M_MAX_LENGTH  0x010u /* as-path max-length */
#define POLICY_M_COMMUNITY   0x020u
#define POLICY_M_LARGE	     0x040u
#define POLICY_M_RPKI	     0x080u
#define POLICY_M_ROLE	     0x100u

/* A large community (RFC 8092): global administrator, two local data parts. */
struct policy_large {
	uint32_t ga, l1, l2;
};

struct policy_match {
	uint32_t kinds;			      /* POLICY_M_* */
	const struct policy_prefix_list *plist; /* owned by the config */
	char *plist_name;
	char *regex_src;
	regex_t regex; /* compiled once (POSIX extended, REG_NOSUB) */
	uint32_t contains, origin;
	uint16_t max_length; /* RFC 4271 9.1.2.2 a length: an AS_SET counts 1 */
	uint32_t *comm;	     /* any of these (RFC 1997, host order) */
	size_t ncomm;
	struct policy_large *large; /* any of these */
	size_t nlarge;
	uint8_t rpki;  /* enum rib_rpki */
	uint8_t roles; /* bit (1u << enum rib_role) per source role matched (any of them) */
};

/* Set kinds present in an entry (struct policy_set.kinds). */
#define POLICY_S_COMM_ADD     0x01u
#define POLICY_S_COMM_REMOVE  0x02u
#define POLICY_S_COMM_SET     0x04u
#define POLICY_S_LARGE_ADD    0x08u
#define POLICY_S_LARGE_REMOVE 0x10u
#define POLICY_S_PREPEND      0x20u
#define POLICY_S_MED	      0x40u
/* `summarise: P` (export maps only): the routes the entry permits that P covers are not sent;
 * P is, once, originated by the route server, while at least one of them exists (as Azure
 * Route Server summarises towards ExpressRoute's 1,000-route limit). src/export/export.c. */
#define POLICY_S_SUMMARISE 0x80u

#define POLICY_PREPEND_MAX 16u

struct policy_set {
	uint32_t kinds; /* POLICY_S_* */
	uint32_t *comm_add, *comm_remove, *comm_set;
	size_t ncomm_add, ncomm_remove, ncomm_set;
	struct policy_large *large_add, *large_remove;
	size_t nlarge_add, nlarge_remove;
	uint8_t prepend; /* 1..POLICY_PREPEND_MAX */
	uint32_t med;
	struct rx_prefix summarise; /* POLICY_S_SUMMARISE: the summary prefix */
};

enum policy_action {
	POLICY_PERMIT,
	POLICY_DENY,
};

struct policy_entry {
	struct policy_match m;
	struct policy_set s;
	uint8_t action; /* enum policy_action */
	unsigned line;
};

struct policy_map {
	char *name;
	struct policy_entry *v;
	size_t n;
	uint32_t match_kinds; /* union of the entries' kinds: what evaluation needs */
	bool has_set;	      /* some permit entry changes attributes */
	bool has_summarise;   /* some entry summarises (an export map's only) */
	unsigned line;
};

/* What a route map looks at. Fill with policy_route_init; the AS path text a regular
 * expression needs is built on first use into the caller's buffer (of POLICY_TEXT_MAX
 * bytes, needed only when the map's match_kinds has POLICY_M_REGEX, so that maps without
 * one cost no 12 KiB per route), once per route however many entries ask. */
#define POLICY_TEXT_MAX (12 * 1024) /* 4,096 octets of AS path: at most 1,023 ASNs of 11 */
struct policy_route {
	const struct rx_prefix *prefix;
	const uint8_t *aspath; /* 4-octet segment form */
	size_t aspath_len;
	const uint8_t *comm; /* COMMUNITIES value, 4 octets each */
	size_t comm_len;
	const uint8_t *large; /* LARGE_COMMUNITY value, 12 octets each */
	size_t large_len;
	uint8_t rpki; /* enum rib_rpki */
	uint8_t role; /* enum rib_role of the route's source */
	int text_len; /* -1: not built yet */
	char *text;   /* POLICY_TEXT_MAX bytes, or NULL when the map has no regex */
};

/* policy_eval's answer when no entry matched. */
#define POLICY_NO_MATCH (-1)

#endif
