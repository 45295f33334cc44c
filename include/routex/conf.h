/* conf.h: load, validate, compare and print the routexd YAML configuration (see conf-t.h and
 * docs/config.md).
 *
 * Errors are one line, `FILE:LINE: reason`, naming the key (and the peer) at fault; loading
 * stops at the first error. Warnings do not fail a load: they are kept in
 * conf_daemon.warnings in the same format. The module opens no sockets and starts no threads. */
#ifndef ROUTEX_CONF_H
#define ROUTEX_CONF_H

#include <stdio.h>

#include <routex/conf-t.h>

/* Reads and validates `path`. Returns 0 and a new config in *out, or -1 with the message in
 * err (truncated to errlen) and *out untouched. */
int conf_load(const char *path, struct conf_daemon **out, char *err, size_t errlen);
/* The same from memory; `name` stands for the file in messages. */
int conf_load_buffer(const char *name, const char *buf, size_t len, struct conf_daemon **out,
		     char *err, size_t errlen);
void conf_free(struct conf_daemon *c);

/* Normalised YAML: every key, defaults included, in docs/config.md order, so that
 * conf_load(conf_print(c)) is conf_equal to c (passwords only with CONF_PRINT_SECRETS). */
void conf_print(FILE *f, const struct conf_daemon *c, unsigned flags);

/* Value equality (key lines and warnings are ignored; peers compared in order). */
bool conf_equal(const struct conf_daemon *a, const struct conf_daemon *b);
/* Bit (1u << enum conf_pkey) per key whose value differs between two peers. */
uint32_t conf_peer_changes(const struct conf_peer *a, const struct conf_peer *b);

/* Classifies a reload: peers are matched by name (a renamed peer is removed and added).
 * Returns 0, or -1 when out of memory. Release with conf_diff_fini(); the diff points into
 * both configs, which must outlive it. */
int conf_diff(const struct conf_daemon *old_conf, const struct conf_daemon *new_conf,
	      struct conf_diff *out);
void conf_diff_fini(struct conf_diff *d);

const struct conf_peer *conf_peer_find(const struct conf_daemon *c, const char *name);

/* A route map entry's match and set as one line of YAML flow syntax (show route-maps). */
void conf_policy_match_print(FILE *f, const struct policy_match *m);
void conf_policy_set_print(FILE *f, const struct policy_set *s);

const char *conf_role_name(enum conf_role r);
const char *conf_route_pref_name(enum conf_route_pref p);
const char *conf_add_path_name(enum conf_add_path a);
const char *conf_change_name(enum conf_peer_change ch);
const char *conf_dkey_name(enum conf_dkey k);
/* The mrt-log type name of bit position `bit` of CONF_MRT_LOG_* ("update", ...). */
const char *conf_mrt_log_type_name(unsigned bit);
const char *conf_pkey_name(enum conf_pkey k);

#endif
