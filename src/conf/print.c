/* print.c: the config as normalised YAML (routexd -n -v, tests).
 *
 * Every key is printed with its effective value, defaults and derived keepalive included, in
 * the order of docs/config.md, so that conf_load() of the output gives a conf_equal config.
 * Optional keys with no value (local-address, multihop, description, metrics) are left out.
 * Strings that could be misread as another YAML type are double-quoted with escapes.
 * Passwords are printed only on request; otherwise a comment says one is set, so a dump can be
 * pasted into a ticket without leaking TCP-MD5 keys. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <routex/conf.h>

#include "conf-int.h"

static const char *bool_str(bool b)
{
	return b ? "true" : "false";
}

/* Plain only when the text is made of characters that cannot start or form other YAML. */
static bool plain_safe(const char *s)
{
	if (!*s || *s == '-' || *s == '.')
		return false;
	return !s[strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._/-")];
}

static void print_str(FILE *f, const char *s)
{
	if (plain_safe(s)) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if (*c == '"' || *c == '\\')
			fprintf(f, "\\%c", *c);
		else if (*c < 0x20 || *c == 0x7f)
			fprintf(f, "\\x%02x", *c);
		else
			fputc(*c, f);
	}
	fputc('"', f);
}

static void print_addr(FILE *f, const struct conf_addr *a)
{
	char buf[RX_PREFIX_STRLEN];
	print_str(f, conf_addr_str(a, buf, sizeof(buf)));
}

static void print_endpoint(FILE *f, const char *indent, const struct conf_endpoint *ep)
{
	fputs("address: ", f);
	print_addr(f, &ep->addr);
	fprintf(f, "\n%sport: %u\n", indent, ep->port);
}

static void print_listen(FILE *f, const struct conf_daemon *c)
{
	fputs(c->nlisten ? "listen:\n" : "listen: []\n", f);
	for (size_t i = 0; i < c->nlisten; i++) {
		fputs("  - ", f);
		print_endpoint(f, "    ", &c->listen[i]);
	}
}

static void print_originate(FILE *f, const struct conf_daemon *c)
{
	char buf[RX_PREFIX_STRLEN];
	fputs(c->noriginate ? "originate:\n" : "originate: []\n", f);
	for (size_t i = 0; i < c->noriginate; i++) {
		rx_prefix_fmt(&c->originate[i], buf, sizeof(buf));
		fputs("  - ", f);
		print_str(f, buf);
		fputc('\n', f);
	}
}

static void print_globals(FILE *f, const struct conf_daemon *c)
{
	uint32_t id = htonl(c->router_id);
	char buf[INET_ADDRSTRLEN];
	fprintf(f, "router-id: %s\n", inet_ntop(AF_INET, &id, buf, sizeof(buf)));
	fprintf(f, "asn: %u\n", c->asn);
	print_listen(f, c);
	fputs("control-socket: ", f);
	print_str(f, c->control_socket);
	fprintf(f, "\nroute-exchange: %s\n", bool_str(c->route_exchange));
	fprintf(f, "route-preference: %s\n", conf_route_pref_name(c->route_preference));
	fprintf(f, "transparent: %s\n", bool_str(c->transparent));
	fprintf(f, "ixp-communities: %s\n", bool_str(c->ixp_communities));
	if (c->io_mode == CONF_IO_PER_PEER)
		fputs("io-threads: per-peer\n", f);
	else
		fprintf(f, "io-threads: %u\n", c->io_mode == CONF_IO_FIXED ? c->io_threads : 0);
	fprintf(f, "export-threads: %u\n", c->export_threads);
	print_originate(f, c);
	if (c->has_next_hop6) {
		char nh[INET6_ADDRSTRLEN];
		rx_addr_fmt(RX_AFI_IPV6, c->next_hop6, nh, sizeof(nh));
		fprintf(f, "next-hop-ipv6: \"%s\"\n", nh);
	}
	if (c->metrics_enabled) {
		fputs("metrics:\n  ", f);
		print_endpoint(f, "  ", &c->metrics);
	}
	if (c->user) {
		fputs("user: ", f);
		print_str(f, c->user);
		fputc('\n', f);
	}
	if (c->group) {
		fputs("group: ", f);
		print_str(f, c->group);
		fputc('\n', f);
	}
	if (c->mrt_dump_enabled) {
		fputs("mrt-dump:\n  file: ", f);
		print_str(f, c->mrt_dump.file);
		fprintf(f, "\n  interval: %u\n  adj-rib-in: %s\n", c->mrt_dump.interval,
			bool_str(c->mrt_dump.adj_rib_in));
	}
	if (c->mrt_log_enabled) {
		const struct conf_mrt_log *m = &c->mrt_log;
		fputs("mrt-log:\n  file: ", f);
		print_str(f, m->file);
		fprintf(f, "\n  rotate: %u\n  types: [", m->rotate);
		const char *sep = "";
		for (unsigned b = 0; b < 8; b++)
			if (m->types & (1u << b)) {
				fprintf(f, "%s%s", sep, conf_mrt_log_type_name(b));
				sep = ", ";
			}
		fputs("]\n", f);
		if (m->npeers) {
			fputs("  peers: [", f);
			for (size_t i = 0; i < m->npeers; i++) {
				fputs(i ? ", " : "", f);
				print_str(f, m->peers[i]);
			}
			fputs("]\n", f);
		}
	}
	conf_print_bmp(f, c);
	conf_rpki_print(f, &c->rpki);
	conf_policy_print(f, c);
}

/* Keys with no value to print are skipped. */
static void print_optional(FILE *f, const struct conf_peer *peer, unsigned flags)
{
	if (peer->password && (flags & CONF_PRINT_SECRETS)) {
		fputs("    password: ", f);
		print_str(f, peer->password);
		fputc('\n', f);
	} else if (peer->password) {
		fputs("    # password: set, not shown\n", f);
	}
	if (peer->multihop)
		fprintf(f, "    multihop: %u\n", peer->multihop);
	if (peer->local_address.afi) {
		fputs("    local-address: ", f);
		print_addr(f, &peer->local_address);
		fputc('\n', f);
	}
	if (peer->description) {
		fputs("    description: ", f);
		print_str(f, peer->description);
		fputc('\n', f);
	}
}

static void print_peer(FILE *f, const struct conf_peer *peer, unsigned flags)
{
	fputs("  - name: ", f);
	print_str(f, peer->name);
	fputs("\n    address: ", f);
	print_addr(f, &peer->address);
	fprintf(f, "\n    asn: %u\n", peer->asn);
	fprintf(f, "    role: %s\n", conf_role_name(peer->role));
	fprintf(f, "    passive: %s\n", bool_str(peer->passive));
	fprintf(f, "    max-prefixes: %u\n", peer->max_prefixes);
	fprintf(f, "    max-prefixes-out: %u\n", peer->max_prefixes_out);
	fprintf(f, "    hold-time: %u\n", peer->hold_time);
	if (peer->hold_time) /* with hold-time 0 keepalive may not be given */
		fprintf(f, "    keepalive: %u\n", peer->keepalive);
	fprintf(f, "    ttl-security: %s\n", bool_str(peer->ttl_security));
	print_optional(f, peer, flags);
	fprintf(f, "    port: %u\n", peer->port);
	fprintf(f, "    enabled: %s\n", bool_str(peer->enabled));
	fprintf(f, "    graceful-restart: %s\n", bool_str(peer->graceful_restart));
	fprintf(f, "    add-path: %s\n", conf_add_path_name(peer->add_path));
	fprintf(f, "    filter-bogons: %s\n", bool_str(peer->filter_bogons));
	fprintf(f, "    max-as-path-length: %u\n", peer->max_as_path_length);
	if (peer->role == CONF_ROLE_RS_CLIENT)
		fprintf(f, "    bgp-role-strict: %s\n", bool_str(peer->bgp_role_strict));
	fprintf(f, "    rpki: %s\n", bool_str(peer->rpki));
	if (peer->import_name)
		fprintf(f, "    import: %s\n", peer->import_name);
	if (peer->export_name)
		fprintf(f, "    export: %s\n", peer->export_name);
}

void conf_print(FILE *f, const struct conf_daemon *c, unsigned flags)
{
	fputs("# ", f);
	for (const char *s = c->file; *s; s++) /* a comment ends at a newline */
		fputc((unsigned char)*s < 0x20 ? '?' : *s, f);
	fputs(", as routexd reads it (defaults included)\n", f);
	print_globals(f, c);
	fputs(c->npeers ? "peers:\n" : "peers: []\n", f);
	for (size_t i = 0; i < c->npeers; i++)
		print_peer(f, &c->peers[i], flags);
}
