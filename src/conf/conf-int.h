/* conf-int.h: what the files of the config module share (not an interface for other modules).
 *
 * Parsing walks a libyaml document (the whole file is small, and having every node at hand
 * lets a peer's name be read before its other keys, so errors can name the peer). Parsing
 * stops at the first error: conf_fail() writes `FILE:LINE: [context: ][key: ]reason` into the
 * caller's buffer and returns -1, which every parse function passes straight up. */
#ifndef ROUTEX_CONF_INT_H
#define ROUTEX_CONF_INT_H

#include <stdint.h>
#include <stdio.h>

#include <yaml.h>

#include <routex/compiler.h>
#include <routex/conf-t.h>

struct conf_parse {
	yaml_document_t *doc;
	const char *file;
	char *err;
	size_t errlen;
	struct conf_daemon *c;
	const char *key; /* the key whose value is being parsed, named in messages */
	char where[96];	 /* context prefix, "peer sdwan1: " or "", named in messages */
};

/* One known key of a mapping; fn parses its value into obj. */
struct conf_key {
	const char *name;
	int id; /* index into the mapping's key_line array */
	int (*fn)(struct conf_parse *p, yaml_node_t *val, void *obj);
};

int conf_fail(struct conf_parse *p, unsigned line, const char *fmt, ...) RX_PRINTF(3, 4);
/* Like conf_fail, but without the current key: for errors about a mapping as a whole. */
int conf_fail_at(struct conf_parse *p, unsigned line, const char *fmt, ...) RX_PRINTF(3, 4);
/* Appends a warning to p->c; returns 0, or -1 (with an error) when out of memory. */
int conf_warn(struct conf_parse *p, unsigned line, const char *fmt, ...) RX_PRINTF(3, 4);

unsigned conf_line(const yaml_node_t *n);
yaml_node_t *conf_node(struct conf_parse *p, int index);
/* Calls each key's fn; rejects unknown and repeated keys, and records each key's line. */
int conf_walk_map(struct conf_parse *p, yaml_node_t *map, const struct conf_key *keys, size_t nkeys,
		  void *obj, unsigned *key_line);
/* The value of `name` in a mapping, or NULL. */
yaml_node_t *conf_map_find(struct conf_parse *p, yaml_node_t *map, const char *name);
int conf_expect(struct conf_parse *p, yaml_node_t *n, yaml_node_type_t type);

/* Scalar values; each names p->key in its messages. */
int conf_get_bool(struct conf_parse *p, yaml_node_t *n, bool *out);
int conf_get_uint(struct conf_parse *p, yaml_node_t *n, uint64_t min, uint64_t max, uint64_t *out);
int conf_get_asn(struct conf_parse *p, yaml_node_t *n, uint32_t *out);
/* afi 0 accepts either family. */
int conf_get_addr(struct conf_parse *p, yaml_node_t *n, uint8_t afi, struct conf_addr *out);
int conf_get_port(struct conf_parse *p, yaml_node_t *n, uint16_t *out);
int conf_get_string(struct conf_parse *p, yaml_node_t *n, size_t maxlen, char **out);
int conf_get_enum(struct conf_parse *p, yaml_node_t *n, const char *const *names, size_t count,
		  int *out);
int conf_get_prefix(struct conf_parse *p, yaml_node_t *n, struct rx_prefix *out);

/* `rpki:` (rpki.c). */
int conf_parse_rpki(struct conf_parse *p, yaml_node_t *map);
bool conf_rpki_equal(const struct conf_rpki *a, const struct conf_rpki *b);
/* Equal but for `invalid` (which a reload applies in place). */
bool conf_rpki_same_caches(const struct conf_rpki *a, const struct conf_rpki *b);
void conf_rpki_print(FILE *f, const struct conf_rpki *r);

/* Prefix lists and route maps (policy.c): parsed as they come, names resolved (and the
 * RFC 8212 default applied to peers) by conf_policy_resolve once everything is read. */
int conf_parse_prefix_lists(struct conf_parse *p, yaml_node_t *map);
int conf_parse_route_maps(struct conf_parse *p, yaml_node_t *map);
int conf_policy_resolve(struct conf_parse *p);
bool conf_policy_equal(const struct conf_daemon *a, const struct conf_daemon *b);
void conf_policy_print(FILE *f, const struct conf_daemon *c);
void conf_policy_free(struct conf_daemon *c);

/* Per-peer parsing (peer.c) and whole-config checks (check.c). */
int conf_parse_peers(struct conf_parse *p, yaml_node_t *seq);
/* An MRT file name (mrt-dump, mrt-log): absolute, no white space, strftime date fields only. */
int conf_get_mrt_file(struct conf_parse *p, yaml_node_t *v, char **out);
/* `mrt-log:` (mrtlog.c); _resolve, after the peers are parsed, sets each conf_peer.mrt_log. */
int conf_parse_mrt_log(struct conf_parse *p, yaml_node_t *v);
int conf_mrt_log_resolve(struct conf_parse *p);
bool conf_mrt_log_equal(const struct conf_daemon *a, const struct conf_daemon *b);
void conf_mrt_log_fini(struct conf_mrt_log *m);
int conf_parse_bmp(struct conf_parse *p, yaml_node_t *seq); /* bmp.c */
bool conf_bmp_equal(const struct conf_daemon *a, const struct conf_daemon *b);
void conf_print_bmp(FILE *f, const struct conf_daemon *c);
int conf_check(struct conf_parse *p);

/* Shared by parse and print. */
extern const char *const conf_role_names[4];
extern const char *const conf_pref_names[3];
extern const char *const conf_add_path_names[4];

bool conf_addr_equal(const struct conf_addr *a, const struct conf_addr *b);
/* inet_ntop of a conf_addr into buf (at least RX_PREFIX_STRLEN bytes). */
const char *conf_addr_str(const struct conf_addr *a, char *buf, size_t size);
void conf_peer_fini(struct conf_peer *peer);

#endif
