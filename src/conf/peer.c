/* peer.c: the `peers:` list: each peer's keys, its defaults and the rules that concern one
 * peer alone (rules across peers are in check.c).
 *
 * Defaults follow Azure Route Server: hold 180 s and keepalive a third of it (RFC 4271 10
 * suggests both), passive (the peer opens the session, as DESIGN.md's example has it), a
 * 4,000-route inbound limit for Azure roles (see conf-t.h); IXP rs-client peers carry full
 * tables, so theirs is unlimited. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <routex/conf.h>

#include "conf-int.h"

static int parse_name(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	struct conf_peer *peer = obj;
	if (conf_get_string(p, v, CONF_NAME_MAX, &peer->name))
		return -1;
	size_t ok = strspn(peer->name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				       "0123456789._-");
	if (peer->name[ok])
		return conf_fail(p, conf_line(v),
				 "\"%s\" may only hold letters, digits, '.', '_' and '-' (it is a "
				 "metrics label and a routexctl argument)",
				 peer->name);
	return 0;
}

/* A peer address must name one remote host. */
static int parse_address(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	struct conf_peer *peer = obj;
	static const uint8_t zero[16];
	if (conf_get_addr(p, v, 0, &peer->address))
		return -1;
	const uint8_t *a = peer->address.addr;
	bool v4 = peer->address.afi == RX_AFI_IPV4;
	if (!memcmp(a, zero, v4 ? 4 : 16))
		return conf_fail(p, conf_line(v), "the unspecified address is not a peer");
	if ((v4 && a[0] >= 224) || (!v4 && a[0] == 0xff))
		return conf_fail(p, conf_line(v), "%s is not a unicast address",
				 (const char *)v->data.scalar.value);
	/* fe80::/10 needs an interface to connect to, which the config cannot name yet. */
	if (!v4 && a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
		return conf_fail(p, conf_line(v), "%s is link-local, which is not supported",
				 (const char *)v->data.scalar.value);
	/* ::ffff:0:0/96 would make one peer look like two (duplicate checks, connection
	 * matching). */
	if (!v4 && !memcmp(a, zero, 10) && a[10] == 0xff && a[11] == 0xff)
		return conf_fail(p, conf_line(v), "%s is IPv4-mapped: write it as %u.%u.%u.%u",
				 (const char *)v->data.scalar.value, a[12], a[13], a[14], a[15]);
	return 0;
}

static int parse_asn(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	return conf_get_asn(p, v, &((struct conf_peer *)obj)->asn);
}

static int parse_role(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	int e;
	if (conf_get_enum(p, v, conf_role_names, RX_ARRAY_LEN(conf_role_names), &e))
		return -1;
	((struct conf_peer *)obj)->role = (enum conf_role)e;
	return 0;
}

static int parse_passive(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	return conf_get_bool(p, v, &((struct conf_peer *)obj)->passive);
}

static int parse_u32(struct conf_parse *p, yaml_node_t *v, uint32_t *out)
{
	uint64_t n;
	if (conf_get_uint(p, v, 0, UINT32_MAX, &n))
		return -1;
	*out = (uint32_t)n;
	return 0;
}

static int parse_max_prefixes(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	return parse_u32(p, v, &((struct conf_peer *)obj)->max_prefixes);
}

static int parse_max_prefixes_out(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	return parse_u32(p, v, &((struct conf_peer *)obj)->max_prefixes_out);
}

static int parse_hold_time(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	uint64_t n;
	if (conf_get_uint(p, v, 0, 65535, &n))
		return -1;
	/* RFC 4271 4.2: "The Hold Time MUST be either zero or at least three seconds." */
	if (n == 1 || n == 2)
		return conf_fail(p, conf_line(v),
				 "%u is not allowed: use 0 or 3..65535 (RFC 4271 4.2)",
				 (unsigned)n);
	((struct conf_peer *)obj)->hold_time = (uint16_t)n;
	return 0;
}

static int parse_keepalive(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	uint64_t n;
	if (conf_get_uint(p, v, 1, 65535, &n))
		return -1;
	((struct conf_peer *)obj)->keepalive = (uint16_t)n;
	return 0;
}

static int parse_password(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	return conf_get_string(p, v, CONF_PASSWORD_MAX, &((struct conf_peer *)obj)->password);
}

static int parse_ttl_security(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	return conf_get_bool(p, v, &((struct conf_peer *)obj)->ttl_security);
}

static int parse_multihop(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	uint64_t n;
	if (conf_get_uint(p, v, 1, 255, &n))
		return -1;
	((struct conf_peer *)obj)->multihop = (uint8_t)n;
	return 0;
}

static int parse_local_address(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	return conf_get_addr(p, v, 0, &((struct conf_peer *)obj)->local_address);
}

static int parse_port(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	return conf_get_port(p, v, &((struct conf_peer *)obj)->port);
}

static int parse_description(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	return conf_get_string(p, v, CONF_DESCRIPTION_MAX, &((struct conf_peer *)obj)->description);
}

static int parse_enabled(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	return conf_get_bool(p, v, &((struct conf_peer *)obj)->enabled);
}

static int parse_graceful_restart(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	return conf_get_bool(p, v, &((struct conf_peer *)obj)->graceful_restart);
}

static int parse_filter_bogons(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	return conf_get_bool(p, v, &((struct conf_peer *)obj)->filter_bogons);
}

static int parse_max_as_path_length(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	uint64_t n;
	if (conf_get_uint(p, v, 0, 255, &n))
		return -1;
	((struct conf_peer *)obj)->max_as_path_length = (uint8_t)n;
	return 0;
}

static int parse_bgp_role_strict(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	return conf_get_bool(p, v, &((struct conf_peer *)obj)->bgp_role_strict);
}

static int parse_add_path(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	int e;
	if (conf_get_enum(p, v, conf_add_path_names, RX_ARRAY_LEN(conf_add_path_names), &e))
		return -1;
	((struct conf_peer *)obj)->add_path = (enum conf_add_path)e;
	return 0;
}

static int parse_rpki(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	return conf_get_bool(p, v, &((struct conf_peer *)obj)->rpki);
}

static int parse_import(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	return conf_get_string(p, v, CONF_NAME_MAX, &((struct conf_peer *)obj)->import_name);
}

static int parse_export(struct conf_parse *p, yaml_node_t *v, void *obj)
{
	return conf_get_string(p, v, CONF_NAME_MAX, &((struct conf_peer *)obj)->export_name);
}

static const struct conf_key peer_keys[] = {
    {"name", CONF_PK_NAME, parse_name},
    {"address", CONF_PK_ADDRESS, parse_address},
    {"asn", CONF_PK_ASN, parse_asn},
    {"role", CONF_PK_ROLE, parse_role},
    {"passive", CONF_PK_PASSIVE, parse_passive},
    {"max-prefixes", CONF_PK_MAX_PREFIXES, parse_max_prefixes},
    {"max-prefixes-out", CONF_PK_MAX_PREFIXES_OUT, parse_max_prefixes_out},
    {"hold-time", CONF_PK_HOLD_TIME, parse_hold_time},
    {"keepalive", CONF_PK_KEEPALIVE, parse_keepalive},
    {"password", CONF_PK_PASSWORD, parse_password},
    {"ttl-security", CONF_PK_TTL_SECURITY, parse_ttl_security},
    {"multihop", CONF_PK_MULTIHOP, parse_multihop},
    {"local-address", CONF_PK_LOCAL_ADDRESS, parse_local_address},
    {"port", CONF_PK_PORT, parse_port},
    {"description", CONF_PK_DESCRIPTION, parse_description},
    {"enabled", CONF_PK_ENABLED, parse_enabled},
    {"graceful-restart", CONF_PK_GRACEFUL_RESTART, parse_graceful_restart},
    {"add-path", CONF_PK_ADD_PATH, parse_add_path},
    {"filter-bogons", CONF_PK_FILTER_BOGONS, parse_filter_bogons},
    {"max-as-path-length", CONF_PK_MAX_AS_PATH_LENGTH, parse_max_as_path_length},
    {"bgp-role-strict", CONF_PK_BGP_ROLE_STRICT, parse_bgp_role_strict},
    {"rpki", CONF_PK_RPKI, parse_rpki},
    {"import", CONF_PK_IMPORT, parse_import},
    {"export", CONF_PK_EXPORT, parse_export},
};

const char *conf_pkey_name(enum conf_pkey k)
{
	return (unsigned)k < RX_ARRAY_LEN(peer_keys) ? peer_keys[k].name : "?";
}

static void peer_init(struct conf_peer *peer, unsigned line)
{
	memset(peer, 0, sizeof(*peer));
	peer->line = line;
	peer->hold_time = CONF_DEFAULT_HOLD_TIME;
	peer->port = CONF_DEFAULT_PORT;
	peer->passive = true;
	peer->enabled = true;
	peer->graceful_restart = true;
	peer->rpki = true;
}

static const char *const required[] = {"name", "address", "asn", "role"};

/* Defaults that depend on other keys, and rules joining two keys of one peer. */
static int peer_finish(struct conf_parse *p, struct conf_peer *peer)
{
	const unsigned *kl = peer->key_line;
	for (size_t i = 0; i < RX_ARRAY_LEN(required); i++)
		if (!kl[i]) /* CONF_PK_NAME..CONF_PK_ROLE are 0..3 */
			return conf_fail_at(p, peer->line, "missing key '%s'", required[i]);
	if (!kl[CONF_PK_MAX_PREFIXES])
		peer->max_prefixes =
		    peer->role == CONF_ROLE_RS_CLIENT ? 0 : CONF_DEFAULT_MAX_PREFIXES;
	if (peer->bgp_role_strict && peer->role != CONF_ROLE_RS_CLIENT)
		return conf_fail_at(p, kl[CONF_PK_BGP_ROLE_STRICT],
				    "bgp-role-strict: only for role rs-client (routexd announces "
				    "the RFC 9234 route server role to rs-client peers only)");
	/* The import filters are opt-in (examples/ixp.yaml turns them on): Azure's roles carry
	 * private space (an NVA announces RFC 1918 branches), and labs and tests peer with
	 * private ASNs, which are bogons on the Internet. */
	if (!kl[CONF_PK_KEEPALIVE])
		peer->keepalive = peer->hold_time / 3;
	else if (peer->hold_time == 0)
		return conf_fail_at(
		    p, kl[CONF_PK_KEEPALIVE],
		    "keepalive: not allowed with hold-time 0, which turns keepalives "
		    "off (RFC 4271 4.4)");
	else if (peer->keepalive >= peer->hold_time)
		return conf_fail_at(p, kl[CONF_PK_KEEPALIVE],
				    "keepalive: %u must be below hold-time %u", peer->keepalive,
				    peer->hold_time);
	if (peer->local_address.afi && peer->local_address.afi != peer->address.afi)
		return conf_fail_at(p, kl[CONF_PK_LOCAL_ADDRESS],
				    "local-address: not the same address family as address");
	return 0;
}

/* Messages name the peer; its name is read ahead so that even keys before it can. */
static void set_context(struct conf_parse *p, yaml_node_t *map, size_t index)
{
	yaml_node_t *name = conf_map_find(p, map, "name");
	if (name && name->type == YAML_SCALAR_NODE && name->data.scalar.length &&
	    name->data.scalar.length <= CONF_NAME_MAX &&
	    !name->data.scalar.value[strcspn((const char *)name->data.scalar.value, " \t:\"'")])
		snprintf(p->where, sizeof(p->where), "peer %s: ", name->data.scalar.value);
	else
		snprintf(p->where, sizeof(p->where), "peer #%zu: ", index + 1);
}

static int parse_peer(struct conf_parse *p, yaml_node_t *map, size_t index)
{
	struct conf_peer *peer = &p->c->peers[p->c->npeers];
	p->key = "peers";
	if (conf_expect(p, map, YAML_MAPPING_NODE))
		return -1;
	peer_init(peer, conf_line(map));
	p->c->npeers++; /* from now on conf_free() releases it */
	set_context(p, map, index);
	if (conf_walk_map(p, map, peer_keys, RX_ARRAY_LEN(peer_keys), peer, peer->key_line))
		return -1;
	if (peer_finish(p, peer))
		return -1;
	p->where[0] = 0;
	return 0;
}

int conf_parse_peers(struct conf_parse *p, yaml_node_t *seq)
{
	struct conf_daemon *c = p->c;
	if (conf_expect(p, seq, YAML_SEQUENCE_NODE))
		return -1;
	size_t n = (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
	if (!(c->peers = calloc(n ? n : 1, sizeof(*c->peers))))
		return conf_fail(p, conf_line(seq), "out of memory");
	for (size_t i = 0; i < n; i++)
		if (parse_peer(p, conf_node(p, seq->data.sequence.items.start[i]), i))
			return -1;
	return 0;
}

const struct conf_peer *conf_peer_find(const struct conf_daemon *c, const char *name)
{
	for (size_t i = 0; i < c->npeers; i++)
		if (!strcmp(c->peers[i].name, name))
			return &c->peers[i];
	return NULL;
}
