/* names.c: the spellings of enumerated values (the config file's and the CLI's) and small
 * address helpers shared by parsing, printing and diffing. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <routex/conf.h>

#include "conf-int.h"

/* Indexed by the enums of conf-t.h. */
const char *const conf_role_names[4] = {"nva", "expressroute", "vpn", "rs-client"};
const char *const conf_pref_names[3] = {"expressroute", "vpn", "as-path"};
const char *const conf_add_path_names[4] = {"none", "send", "receive", "both"};

static const char *const change_names[] = {"unchanged", "update", "re-export",
					   "reset",	"added",  "removed"};

const char *conf_role_name(enum conf_role r)
{
	return (unsigned)r < RX_ARRAY_LEN(conf_role_names) ? conf_role_names[r] : "?";
}

const char *conf_route_pref_name(enum conf_route_pref p)
{
	return (unsigned)p < RX_ARRAY_LEN(conf_pref_names) ? conf_pref_names[p] : "?";
}

const char *conf_add_path_name(enum conf_add_path a)
{
	return (unsigned)a < RX_ARRAY_LEN(conf_add_path_names) ? conf_add_path_names[a] : "?";
}

const char *conf_change_name(enum conf_peer_change ch)
{
	return (unsigned)ch < RX_ARRAY_LEN(change_names) ? change_names[ch] : "?";
}

bool conf_addr_equal(const struct conf_addr *a, const struct conf_addr *b)
{
	return a->afi == b->afi && !memcmp(a->addr, b->addr, sizeof(a->addr));
}

const char *conf_addr_str(const struct conf_addr *a, char *buf, size_t size)
{
	if (!a->afi ||
	    !inet_ntop(a->afi == RX_AFI_IPV4 ? AF_INET : AF_INET6, a->addr, buf, (socklen_t)size))
		snprintf(buf, size, "?");
	return buf;
}
