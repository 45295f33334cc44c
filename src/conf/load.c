/* load.c: reading the config file, its top-level keys and defaults, and freeing a config.
 *
 * Order of work: libyaml builds the document (syntax errors carry libyaml's line), the key
 * tables fill a zeroed struct conf_daemon, defaults fill what was absent, conf_check() runs the
 * whole-config rules (duplicates, cross-key constraints, warnings). The result is complete and
 * immutable; on any error it is freed and the caller's *out is left untouched. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include <routex/conf.h>

#include "conf-int.h"

static int parse_router_id(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	struct conf_daemon *c = obj;
	struct conf_addr a;
	if (conf_get_addr(p, v, RX_AFI_IPV4, &a))
		return -1;
	uint32_t id;
	memcpy(&id, a.addr, 4);
	c->router_id = ntohl(id);
	if (c->router_id == 0)
		return conf_fail(p, conf_line(v),
				 "0.0.0.0 is not a valid BGP identifier (RFC 6286)");
	return 0;
}

static int parse_asn(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	return conf_get_asn(p, v, &((struct conf_daemon *)obj)->asn);
}

/* listen entries and metrics: {address, port}. */
enum { EP_ADDRESS, EP_PORT, EP_COUNT };

static int parse_ep_address(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	return conf_get_addr(p, v, 0, &((struct conf_endpoint *)obj)->addr);
}

static int parse_ep_port(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	return conf_get_port(p, v, &((struct conf_endpoint *)obj)->port);
}

static const struct conf_key endpoint_keys[] = {
    {"address", EP_ADDRESS, parse_ep_address},
    {"port", EP_PORT, parse_ep_port},
};

/* Messages name the outer key as context: "listen: port: 0 is out of range 1..65535". */
static int parse_endpoint(struct conf_parse *p, yaml_node_t *v, uint16_t port,
			  struct conf_endpoint *ep)
{
	const char *outer = p->key;
	unsigned lines[EP_COUNT] = {0};
	if (conf_expect(p, v, YAML_MAPPING_NODE))
		return -1;
	ep->line = conf_line(v);
	ep->port = port;
	snprintf(p->where, sizeof(p->where), "%s: ", outer);
	if (conf_walk_map(p, v, endpoint_keys, RX_ARRAY_LEN(endpoint_keys), ep, lines))
		return -1;
	if (!lines[EP_ADDRESS])
		return conf_fail_at(p, ep->line, "missing key 'address'");
	p->where[0] = 0;
	p->key = outer;
	return 0;
}

static int parse_listen(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	struct conf_daemon *c = obj;
	if (conf_expect(p, v, YAML_SEQUENCE_NODE))
		return -1;
	size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	c->listen = calloc(n ? n : 1, sizeof(*c->listen));
	if (!c->listen)
		return conf_fail(p, conf_line(v), "out of memory");
	for (size_t i = 0; i < n; i++)
		if (parse_endpoint(p, conf_node(p, v->data.sequence.items.start[i]),
				   CONF_DEFAULT_PORT, &c->listen[c->nlisten++]))
			return -1;
	return 0;
}

static int parse_control_socket(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	struct conf_daemon *c = obj;
	/* sun_path holds the path and its NUL. */
	return conf_get_string(p, v, sizeof(((struct sockaddr_un *)0)->sun_path) - 1,
			       &c->control_socket);
}

static int parse_route_exchange(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	return conf_get_bool(p, v, &((struct conf_daemon *)obj)->route_exchange);
}

static int parse_transparent(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	return conf_get_bool(p, v, &((struct conf_daemon *)obj)->transparent);
}

static int parse_ixp_communities(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	return conf_get_bool(p, v, &((struct conf_daemon *)obj)->ixp_communities);
}

static int parse_route_preference(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	int e;
	if (conf_get_enum(p, v, conf_pref_names, RX_ARRAY_LEN(conf_pref_names), &e))
		return -1;
	((struct conf_daemon *)obj)->route_preference = (enum conf_route_pref)e;
	return 0;
}

static int parse_io_threads(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	struct conf_daemon *c = obj;
	uint64_t n;
	if (v->type == YAML_SCALAR_NODE) {
		const char *s = (const char *)v->data.scalar.value;
		if (!strcmp(s, "per-peer")) {
			c->io_mode = CONF_IO_PER_PEER;
			return 0;
		}
		if (*s && (*s < '0' || *s > '9'))
			return conf_fail(p, conf_line(v),
					 "expected 0, a number of threads or per-peer, got \"%s\"",
					 s);
	}
	if (conf_get_uint(p, v, 0, CONF_THREADS_MAX, &n))
		return -1;
	c->io_mode = n ? CONF_IO_FIXED : CONF_IO_PER_CORE;
	c->io_threads = (unsigned)n;
	return 0;
}

static int parse_export_threads(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	uint64_t n;
	if (conf_get_uint(p, v, 0, CONF_THREADS_MAX, &n))
		return -1;
	((struct conf_daemon *)obj)->export_threads = (unsigned)n;
	return 0;
}

/* A global unicast IPv6 address: what a receiver can use as next hop on any session. */
static int parse_next_hop6(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	struct conf_daemon *c = obj;
	struct conf_addr a;
	if (conf_get_addr(p, v, RX_AFI_IPV6, &a))
		return -1;
	static const uint8_t zero[16];
	const char *s = (const char *)v->data.scalar.value;
	if (!memcmp(a.addr, zero, 16) || a.addr[0] == 0xff)
		return conf_fail(p, conf_line(v), "%s is not a unicast address", s);
	if (a.addr[0] == 0xfe && (a.addr[1] & 0xc0) == 0x80)
		return conf_fail(p, conf_line(v),
				 "%s is link-local: a route server's peers are not all on one link "
				 "(RFC 2545 3), give a global address", s);
	if (!memcmp(a.addr, zero, 10) && a.addr[10] == 0xff && a.addr[11] == 0xff)
		return conf_fail(p, conf_line(v), "%s is IPv4-mapped, which BIRD refuses as an "
						  "IPv6 next hop: give an IPv6 address", s);
	memcpy(c->next_hop6, a.addr, 16);
	c->has_next_hop6 = true;
	return 0;
}

static int parse_originate(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	struct conf_daemon *c = obj;
	if (conf_expect(p, v, YAML_SEQUENCE_NODE))
		return -1;
	size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	c->originate = calloc(n ? n : 1, sizeof(*c->originate));
	c->originate_line = calloc(n ? n : 1, sizeof(*c->originate_line));
	if (!c->originate || !c->originate_line)
		return conf_fail(p, conf_line(v), "out of memory");
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *item = conf_node(p, v->data.sequence.items.start[i]);
		if (conf_get_prefix(p, item, &c->originate[i]))
			return -1;
		c->originate_line[i] = conf_line(item);
		c->noriginate++;
	}
	return 0;
}

static int parse_metrics(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	struct conf_daemon *c = obj;
	if (parse_endpoint(p, v, CONF_DEFAULT_METRICS_PORT, &c->metrics))
		return -1;
	c->metrics_enabled = true;
	return 0;
}

/* An account name as useradd takes it: letters, digits, '_', '-', '.', not starting with
 * '-' (it would read as an option in tools) and not all digits (getpwnam would take it for a
 * name while an operator meant a uid). */
static int parse_account(struct conf_parse *p, yaml_node_t *v, char **out)
{
	if (conf_get_string(p, v, CONF_ACCOUNT_MAX, out))
		return -1;
	const char *s = *out;
	size_t ok = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-");
	if (!*s || s[ok] || *s == '-')
		return conf_fail(p, conf_line(v),
				 "\"%s\" is not an account name (letters, digits, '_', '.', '-'; "
				 "not starting with '-')",
				 s);
	if (!s[strspn(s, "0123456789")])
		return conf_fail(p, conf_line(v), "\"%s\": give a name, not a numeric id", s);
	return 0;
}

static int parse_user(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	struct conf_daemon *c = obj;
	if (parse_account(p, v, &c->user))
		return -1;
	if (!strcmp(c->user, "root"))
		return conf_fail(p, conf_line(v),
				 "root gives up nothing: name an unprivileged user, or leave the "
				 "key out");
	return 0;
}

static int parse_group(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	struct conf_daemon *c = obj;
	if (parse_account(p, v, &c->group))
		return -1;
	if (!strcmp(c->group, "root"))
		return conf_fail(p, conf_line(v),
				 "root gives the control socket to root's group: name another group, "
				 "or leave the key out");
	return 0;
}

/* mrt-dump: {file, interval, adj-rib-in}. */
enum { MD_FILE, MD_INTERVAL, MD_ADJ, MD_COUNT };

/* An absolute path without white space or control characters (the dump request is one
 * line of words) whose only % conversions are date and time fields: anything else would
 * make strftime produce names nobody asked for (%c has spaces, %n a newline). */
int conf_get_mrt_file(struct conf_parse *p, yaml_node_t *v, char **out)
{
	if (conf_get_string(p, v, CONF_MRT_FILE_MAX, out))
		return -1;
	const char *f = *out;
	if (f[0] != '/')
		return conf_fail(p, conf_line(v), "\"%s\" is not an absolute path", f);
	if (f[strlen(f) - 1] == '/')
		return conf_fail(p, conf_line(v), "\"%s\" names a directory, not a file", f);
	for (const char *c = f; *c; c++) {
		if ((unsigned char)*c <= ' ' || *c == 0x7f)
			return conf_fail(p, conf_line(v),
					 "white space and control characters are not allowed");
		if (*c != '%')
			continue;
		if (!c[1] || !strchr("YmdHMSs%", c[1]))
			return conf_fail(p, conf_line(v),
					 "%%%.1s is not supported (use %%Y %%m %%d %%H %%M %%S %%s %%%%)",
					 c + 1);
		c++;
	}
	return 0;
}

static int parse_md_file(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	return conf_get_mrt_file(p, v, &((struct conf_mrt_dump *)obj)->file);
}

static int parse_md_interval(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	uint64_t n;
	if (conf_get_uint(p, v, CONF_MRT_INTERVAL_MIN, CONF_MRT_INTERVAL_MAX, &n))
		return -1;
	((struct conf_mrt_dump *)obj)->interval = (uint32_t)n;
	return 0;
}

static int parse_md_adj(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	return conf_get_bool(p, v, &((struct conf_mrt_dump *)obj)->adj_rib_in);
}

static const struct conf_key mrt_dump_keys[] = {
    {"file", MD_FILE, parse_md_file},
    {"interval", MD_INTERVAL, parse_md_interval},
    {"adj-rib-in", MD_ADJ, parse_md_adj},
};

static int parse_mrt_dump(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	struct conf_daemon *c = obj;
	struct conf_mrt_dump *m = &c->mrt_dump;
	unsigned lines[MD_COUNT] = {0};
	if (conf_expect(p, v, YAML_MAPPING_NODE))
		return -1;
	m->line = conf_line(v);
	m->interval = CONF_MRT_INTERVAL_DEFAULT;
	snprintf(p->where, sizeof(p->where), "mrt-dump: ");
	if (conf_walk_map(p, v, mrt_dump_keys, RX_ARRAY_LEN(mrt_dump_keys), m, lines))
		return -1;
	if (!lines[MD_FILE])
		return conf_fail_at(p, m->line, "missing key 'file'");
	p->where[0] = 0;
	c->mrt_dump_enabled = true;
	return 0;
}

static int parse_mrt_log(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	return conf_parse_mrt_log(p, v);
}

static int parse_bmp(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	return conf_parse_bmp(p, v);
}

static int parse_rpki(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	return conf_parse_rpki(p, v);
}

static int parse_require_policy(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	return conf_get_bool(p, v, &((struct conf_daemon *)obj)->require_policy);
}

static int parse_prefix_lists(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	return conf_parse_prefix_lists(p, v);
}

static int parse_route_maps(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	return conf_parse_route_maps(p, v);
}

static int parse_peers(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	return conf_parse_peers(p, v);
}

static const struct conf_key top_keys[] = {
    {"router-id", CONF_DK_ROUTER_ID, parse_router_id},
    {"asn", CONF_DK_ASN, parse_asn},
    {"listen", CONF_DK_LISTEN, parse_listen},
    {"control-socket", CONF_DK_CONTROL_SOCKET, parse_control_socket},
    {"route-exchange", CONF_DK_ROUTE_EXCHANGE, parse_route_exchange},
    {"route-preference", CONF_DK_ROUTE_PREFERENCE, parse_route_preference},
    {"transparent", CONF_DK_TRANSPARENT, parse_transparent},
    {"ixp-communities", CONF_DK_IXP_COMMUNITIES, parse_ixp_communities},
    {"io-threads", CONF_DK_IO_THREADS, parse_io_threads},
    {"export-threads", CONF_DK_EXPORT_THREADS, parse_export_threads},
    {"originate", CONF_DK_ORIGINATE, parse_originate},
    {"next-hop-ipv6", CONF_DK_NEXT_HOP_IPV6, parse_next_hop6},
    {"metrics", CONF_DK_METRICS, parse_metrics},
    {"user", CONF_DK_USER, parse_user},
    {"group", CONF_DK_GROUP, parse_group},
    {"mrt-dump", CONF_DK_MRT_DUMP, parse_mrt_dump},
    {"mrt-log", CONF_DK_MRT_LOG, parse_mrt_log},
    {"bmp", CONF_DK_BMP, parse_bmp},
    {"rpki", CONF_DK_RPKI, parse_rpki},
    {"require-policy", CONF_DK_REQUIRE_POLICY, parse_require_policy},
    {"prefix-lists", CONF_DK_PREFIX_LISTS, parse_prefix_lists},
    {"route-maps", CONF_DK_ROUTE_MAPS, parse_route_maps},
    {"peers", CONF_DK_PEERS, parse_peers},
};

const char *conf_dkey_name(enum conf_dkey k)
{
	return (unsigned)k < RX_ARRAY_LEN(top_keys) ? top_keys[k].name : "?";
}

/* Values for keys the file left out. Peers have their own defaults (peer.c). */
static int apply_defaults(struct conf_parse *p, unsigned root_line)
{
	struct conf_daemon *c = p->c;
	if (!c->key_line[CONF_DK_ROUTER_ID])
		return conf_fail_at(p, root_line, "missing key 'router-id'");
	if (!c->key_line[CONF_DK_ASN])
		c->asn = CONF_DEFAULT_ASN;
	if (!c->key_line[CONF_DK_IXP_COMMUNITIES])
		c->ixp_communities = true;
	if (!c->key_line[CONF_DK_LISTEN]) {
		if (!(c->listen = calloc(1, sizeof(*c->listen))))
			return conf_fail_at(p, root_line, "out of memory");
		c->listen[0].addr.afi = RX_AFI_IPV4; /* 0.0.0.0 */
		c->listen[0].port = CONF_DEFAULT_PORT;
		c->nlisten = 1;
	}
	if (c->key_line[CONF_DK_GROUP] && !c->key_line[CONF_DK_USER])
		return conf_fail_at(p, c->key_line[CONF_DK_GROUP],
				    "group: needs 'user' (the group is what routexd switches to "
				    "with it)");
	if (!c->control_socket && !(c->control_socket = strdup(CONF_DEFAULT_CONTROL_SOCKET)))
		return conf_fail_at(p, root_line, "out of memory");
	return 0;
}

static int parse_root(struct conf_parse *p)
{
	yaml_node_t *root = yaml_document_get_root_node(p->doc);
	if (!root)
		return conf_fail_at(p, 1, "empty config: missing key 'router-id'");
	if (root->type != YAML_MAPPING_NODE)
		return conf_fail_at(p, conf_line(root),
				    "the config must be a mapping of keys, got %s",
				    root->type == YAML_SEQUENCE_NODE ? "a list" : "a scalar");
	if (conf_walk_map(p, root, top_keys, RX_ARRAY_LEN(top_keys), p->c, p->c->key_line))
		return -1;
	if (apply_defaults(p, conf_line(root)))
		return -1;
	return conf_check(p);
}

static int yaml_fail(struct conf_parse *p, yaml_parser_t *y, const char *buf, size_t len)
{
	unsigned line = (unsigned)y->problem_mark.line + 1;
	/* Reader errors (bad encoding) carry a byte offset instead of a mark. */
	if (y->error == YAML_READER_ERROR) {
		line = 1;
		for (size_t i = 0; i < y->problem_offset && i < len; i++)
			line += buf[i] == '\n';
	}
	if (y->context)
		return conf_fail_at(p, line, "invalid YAML: %s (%s)", y->problem, y->context);
	return conf_fail_at(p, line, "invalid YAML: %s", y->problem ? y->problem : "parse error");
}

/* Loads the single document of the buffer into *doc. */
static int load_document(struct conf_parse *p, const char *buf, size_t len, yaml_document_t *doc)
{
	yaml_parser_t y;
	yaml_document_t extra;
	int rc = 0;
	if (!yaml_parser_initialize(&y))
		return conf_fail_at(p, 0, "out of memory");
	yaml_parser_set_input_string(&y, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&y, doc)) {
		rc = yaml_fail(p, &y, buf, len);
		yaml_parser_delete(&y);
		return rc;
	}
	if (!yaml_parser_load(&y, &extra)) {
		rc = yaml_fail(p, &y, buf, len);
	} else {
		yaml_node_t *r = yaml_document_get_root_node(&extra);
		if (r)
			rc = conf_fail_at(p, conf_line(r), "more than one YAML document");
		yaml_document_delete(&extra);
	}
	if (rc)
		yaml_document_delete(doc);
	yaml_parser_delete(&y);
	return rc;
}

int conf_load_buffer(const char *name, const char *buf, size_t len, struct conf_daemon **out,
		     char *err, size_t errlen)
{
	char dummy[1];
	yaml_document_t doc;
	struct conf_parse p = {
	    .doc = &doc, .file = name, .err = errlen ? err : dummy, .errlen = errlen ? errlen : 1};
	p.c = calloc(1, sizeof(*p.c));
	if (!p.c || !(p.c->file = strdup(name))) {
		free(p.c);
		snprintf(p.err, p.errlen, "%s: out of memory", name);
		return -1;
	}
	if (load_document(&p, buf, len, &doc)) {
		conf_free(p.c);
		return -1;
	}
	int rc = parse_root(&p);
	yaml_document_delete(&doc);
	if (rc) {
		conf_free(p.c);
		return -1;
	}
	*out = p.c;
	return 0;
}

/* The whole file in memory; NULL with errno set on failure. */
static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	size_t cap = 0, n = 0;
	char *buf = NULL;
	for (;;) {
		if (n == cap) {
			char *grown = realloc(buf, cap = cap ? cap * 2 : 4096);
			if (!grown)
				break;
			buf = grown;
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0) {
			if (!ferror(f)) {
				fclose(f);
				*len = n;
				return buf;
			}
			errno = EIO;
			break;
		}
	}
	int saved = errno;
	free(buf);
	fclose(f);
	errno = saved;
	return NULL;
}

int conf_load(const char *path, struct conf_daemon **out, char *err, size_t errlen)
{
	size_t len;
	char *buf = read_file(path, &len);
	if (!buf) {
		if (errlen)
			snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		return -1;
	}
	int rc = conf_load_buffer(path, buf, len, out, err, errlen);
	free(buf);
	return rc;
}

void conf_peer_fini(struct conf_peer *peer)
{
	free(peer->name);
	free(peer->description);
	if (peer->password) /* do not leave the key in freed memory */
		explicit_bzero(peer->password, strlen(peer->password));
	free(peer->password);
	free(peer->import_name);
	free(peer->export_name);
}

void conf_free(struct conf_daemon *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->npeers; i++)
		conf_peer_fini(&c->peers[i]);
	for (size_t i = 0; i < c->nwarnings; i++)
		free(c->warnings[i]);
	free(c->warnings);
	free(c->peers);
	free(c->listen);
	free(c->bmp);
	free(c->originate);
	free(c->originate_line);
	free(c->originate_sorted);
	free(c->rpki.servers);
	conf_policy_free(c);
	free(c->control_socket);
	free(c->user);
	free(c->group);
	free(c->mrt_dump.file);
	conf_mrt_log_fini(&c->mrt_log);
	free(c->file);
	free(c);
}
