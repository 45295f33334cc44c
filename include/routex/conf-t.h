/* conf-t.h: the routexd configuration model (types only; prototypes are in conf.h).
 *
 * A struct conf_daemon is built once by conf_load() from the YAML file, fully validated, and is
 * immutable afterwards: a reload loads a second one and compares the two with conf_diff(). Every
 * value is resolved (defaults applied, keepalive derived), so consumers never re-derive
 * defaults. The line each key came from is kept (0: the key was absent and the default applies)
 * so later checks and runtime log lines can point at the file. No sockets, no threads here.
 * The key names, types, defaults and reload behaviour are documented in docs/config.md. */
#ifndef ROUTEX_CONF_T_H
#define ROUTEX_CONF_T_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <routex/policy-t.h>
#include <routex/prefix.h>

/* Defaults: Azure Route Server's ASN and 60/180 s timers. The 4,000-route inbound limit is
 * DESIGN.md's figure; Microsoft's Route Server documentation states 1,000 routes per BGP
 * peer; see docs/config.md: kept at 4,000 until DESIGN.md settles it. */
#define CONF_DEFAULT_ASN	    65515u
#define CONF_DEFAULT_HOLD_TIME	    180u
#define CONF_DEFAULT_PORT	    179u
#define CONF_DEFAULT_METRICS_PORT   9179u
#define CONF_DEFAULT_MAX_PREFIXES   4000u /* Azure roles; rs-client peers: unlimited */
#define CONF_DEFAULT_CONTROL_SOCKET "/run/routex/routex.sock"
/* Linux TCP_MD5SIG_MAXKEYLEN: the kernel refuses longer RFC 2385 keys. */
#define CONF_PASSWORD_MAX 80u
/* Peer names are metric labels and CLI arguments: [A-Za-z0-9._-], at most this many bytes. */
#define CONF_NAME_MAX	     63u
/* BMP Statistics Report interval bound: a day. */
#define CONF_BMP_STATS_MAX 86400u
#define CONF_DESCRIPTION_MAX 255u
/* A sanity bound, far above any core count routexd will meet. */
#define CONF_THREADS_MAX 1024u
/* user/group names: what useradd accepts on Debian (32 bytes, LOGIN_NAME_MAX aside). */
#define CONF_ACCOUNT_MAX 32u
/* mrt-dump: interval bounds in seconds (a dump of a full table takes about a second: more
 * often than every 10 s is a mistake), default hourly; file path length before expansion. */
#define CONF_MRT_INTERVAL_MIN	  10u
#define CONF_MRT_INTERVAL_MAX	  604800u
#define CONF_MRT_INTERVAL_DEFAULT 3600u
#define CONF_MRT_FILE_MAX	  1024u
/* mrt-log: rotation bounds in seconds (a file per 10 s is already a lot of files; a day
 * is as long as collectors keep one), default 15 minutes as RIPE RIS's update files. */
#define CONF_MRT_ROTATE_MIN	10u
#define CONF_MRT_ROTATE_MAX	86400u
#define CONF_MRT_ROTATE_DEFAULT 900u
/* mrt-log types: bits of conf_mrt_log.types and conf_peer.mrt_log. */
#define CONF_MRT_LOG_UPDATE	   0x01u
#define CONF_MRT_LOG_OPEN	   0x02u
#define CONF_MRT_LOG_NOTIFICATION  0x04u
#define CONF_MRT_LOG_KEEPALIVE	   0x08u
#define CONF_MRT_LOG_ROUTE_REFRESH 0x10u
#define CONF_MRT_LOG_ALL	   0x1Fu

enum conf_role {
	CONF_ROLE_NVA,
	CONF_ROLE_EXPRESSROUTE,
	CONF_ROLE_VPN,
	CONF_ROLE_RS_CLIENT,
};

enum conf_route_pref {
	CONF_PREF_EXPRESSROUTE, /* ARS default: ExpressRoute over VPN over NVA */
	CONF_PREF_VPN,
	CONF_PREF_AS_PATH, /* shortest AS_PATH first, whatever the source */
};

/* RFC 7911 ADD-PATH, as advertised for IPv4 and IPv6 unicast. */
enum conf_add_path {
	CONF_ADD_PATH_NONE,
	CONF_ADD_PATH_SEND,
	CONF_ADD_PATH_RECEIVE,
	CONF_ADD_PATH_BOTH,
};

enum conf_io_mode {
	CONF_IO_PER_CORE, /* io-threads: 0 */
	CONF_IO_FIXED,	  /* io-threads: N */
	CONF_IO_PER_PEER, /* io-threads: per-peer */
};

/* Top-level keys, in file order of docs/config.md; indexes conf_daemon.key_line and the bits
 * of conf_diff.global_changed. */
enum conf_dkey {
	CONF_DK_ROUTER_ID,
	CONF_DK_ASN,
	CONF_DK_LISTEN,
	CONF_DK_CONTROL_SOCKET,
	CONF_DK_ROUTE_EXCHANGE,
	CONF_DK_ROUTE_PREFERENCE,
	CONF_DK_TRANSPARENT,
	CONF_DK_IXP_COMMUNITIES,
	CONF_DK_IO_THREADS,
	CONF_DK_EXPORT_THREADS,
	CONF_DK_ORIGINATE,
	CONF_DK_NEXT_HOP_IPV6,
	CONF_DK_METRICS,
	CONF_DK_USER,
	CONF_DK_GROUP,
	CONF_DK_MRT_DUMP,
	CONF_DK_MRT_LOG,
	CONF_DK_BMP,
	CONF_DK_RPKI,
	CONF_DK_REQUIRE_POLICY,
	CONF_DK_PREFIX_LISTS,
	CONF_DK_ROUTE_MAPS,
	CONF_DK_PEERS,
	CONF_DK_COUNT,
};

/* Peer keys; indexes conf_peer.key_line and the bits of conf_peer_diff.changed. */
enum conf_pkey {
	CONF_PK_NAME,
	CONF_PK_ADDRESS,
	CONF_PK_ASN,
	CONF_PK_ROLE,
	CONF_PK_PASSIVE,
	CONF_PK_MAX_PREFIXES,
	CONF_PK_MAX_PREFIXES_OUT,
	CONF_PK_HOLD_TIME,
	CONF_PK_KEEPALIVE,
	CONF_PK_PASSWORD,
	CONF_PK_TTL_SECURITY,
	CONF_PK_MULTIHOP,
	CONF_PK_LOCAL_ADDRESS,
	CONF_PK_PORT,
	CONF_PK_DESCRIPTION,
	CONF_PK_ENABLED,
	CONF_PK_GRACEFUL_RESTART,
	CONF_PK_ADD_PATH,
	CONF_PK_FILTER_BOGONS,
	CONF_PK_MAX_AS_PATH_LENGTH,
	CONF_PK_BGP_ROLE_STRICT,
	CONF_PK_RPKI,
	CONF_PK_IMPORT,
	CONF_PK_EXPORT,
	CONF_PK_COUNT,
};

/* A host address; afi 0 means "not set". */
struct conf_addr {
	uint8_t afi;	  /* RX_AFI_IPV4 or RX_AFI_IPV6 */
	uint8_t addr[16]; /* network order, as in struct rx_prefix */
};

struct conf_endpoint {
	struct conf_addr addr;
	uint16_t port;
	unsigned line;
};

/* A BMP collector (`bmp:`, RFC 7854): routexd connects to it. */
#define CONF_BMP_PRE_POLICY 0x1 /* pre-policy Adj-RIB-In route monitoring */
#define CONF_BMP_LOC_RIB 0x2	/* Loc-RIB route monitoring (RFC 9069) */
struct conf_bmp {
	struct conf_addr addr;
	uint16_t port;
	uint8_t monitor; /* CONF_BMP_* */
	uint32_t statistics; /* seconds between Statistics Reports; 0: none */
	unsigned line;
};

/* RPKI-to-Router (RFC 8210) caches and origin validation policy (`rpki:`, docs/rpki.md).
 * Timer bounds are RFC 8210 6's; 323 is the IANA rpki-rtr port. */
#define CONF_RPKI_PORT		 323u
#define CONF_RPKI_MAX_SERVERS	 8u
#define CONF_RPKI_REFRESH	 3600u /* 1..86400 */
#define CONF_RPKI_RETRY		 600u  /* 1..7200 */
#define CONF_RPKI_EXPIRE	 7200u /* 600..172800, above refresh and retry */

struct conf_rpki_server {
	struct conf_addr addr;
	uint16_t port;
	uint8_t preference; /* 1..255, lower first; servers of one preference form one group */
	unsigned line;
};

struct conf_rpki {
	bool enabled; /* the key is present */
	bool drop_invalid; /* `invalid: drop` (default) or `accept` (only marked) */
	struct conf_rpki_server *servers;
	size_t nservers;
	uint32_t refresh, retry, expire; /* seconds */
	unsigned line;
};

struct conf_peer {
	char *name;
	char *description; /* NULL: none */
	char *password;	   /* NULL: no TCP-MD5; else 1..CONF_PASSWORD_MAX bytes */
	struct conf_addr address;
	struct conf_addr local_address; /* afi 0: chosen by the kernel */
	uint32_t asn;
	enum conf_role role;
	enum conf_add_path add_path;
	uint32_t max_prefixes;	   /* 0: unlimited */
	uint32_t max_prefixes_out; /* 0: unlimited */
	uint16_t hold_time;	   /* seconds: 0 (no keepalives) or 3..65535 */
	uint16_t keepalive;	   /* seconds: explicit, or hold_time / 3 */
	uint16_t port;		   /* remote TCP port for active opens */
	uint8_t multihop;	   /* 0: directly connected (eBGP TTL 1); else max hops 1..255 */
	bool passive;
	bool ttl_security;
	bool enabled;
	bool graceful_restart;
	bool filter_bogons;	       /* import filters (filter.h), default off */
	uint8_t max_as_path_length;    /* 0 (default): no limit */
	bool bgp_role_strict;	       /* rs-client: the peer must announce its RFC 9234 role */
	bool rpki;		   /* validate its routes when `rpki` is configured (default) */
	uint8_t mrt_log;	   /* derived from `mrt-log`: CONF_MRT_LOG_* bits recorded for
				    * this peer (0: not logged); not a peer key, not diffed */
	/* Route maps (docs/policy.md): the names as written (NULL: none) and the maps in
	 * force, resolved by the loader: NULL (none), a map of conf_daemon.route_maps, or
	 * policy_reject_all for an eBGP peer without one under `require-policy` (RFC 8212). */
	char *import_name, *export_name;
	const struct policy_map *import_map, *export_map;
	unsigned line;			  /* where the peer's mapping starts */
	unsigned key_line[CONF_PK_COUNT]; /* 0: key absent, default applied */
};

/* Periodic MRT dump (`mrt-dump:`, docs/mrt.md "Periodic dumps"). */
struct conf_mrt_dump {
	char *file;	   /* absolute; strftime conversions %Y %m %d %H %M %S %s %% (UTC) */
	uint32_t interval; /* seconds; dumps at the multiples of it since the epoch */
	bool adj_rib_in;   /* every candidate path, not the Loc-RIB */
	unsigned line;
};

/* BGP4MP message log (`mrt-log:`, docs/mrt.md "The message log"). */
struct conf_mrt_log {
	char *file;	 /* absolute; strftime conversions as mrt-dump's, of the period's start */
	uint32_t rotate; /* seconds; files cover the multiples of it since the epoch */
	uint8_t types;	 /* CONF_MRT_LOG_* bits */
	char **peers;	 /* names; none: every peer */
	unsigned *peer_line;
	size_t npeers;
	unsigned line;
};

struct conf_daemon {
	char *file;	    /* the path the config came from, for messages */
	uint32_t router_id; /* host order, never 0 */
	uint32_t asn;
	struct conf_endpoint *listen; /* may be empty: active sessions only */
	size_t nlisten;
	char *control_socket;
	bool route_exchange;
	bool transparent;
	bool ixp_communities; /* act on IXP control communities towards rs-clients (default) */
	enum conf_route_pref route_preference;
	enum conf_io_mode io_mode;
	unsigned io_threads;	 /* CONF_IO_FIXED only */
	unsigned export_threads; /* 0: one per core */
	struct rx_prefix *originate;
	unsigned *originate_line;
	size_t noriginate;
	struct rx_prefix *originate_sorted; /* the same, in rx_prefix_cmp order (diffs search it) */
	bool has_next_hop6;	/* next-hop-ipv6 given */
	uint8_t next_hop6[16];	/* the next hop of originated IPv6 prefixes */
	bool metrics_enabled;
	struct conf_endpoint metrics;
	/* Privilege drop (routexd, docs/packaging.md): names only, resolved by routexd, not
	 * here (no system lookups in conf). NULL: keep the identity routexd started with. */
	char *user;
	char *group; /* NULL with a user: the user's primary group */
	bool mrt_dump_enabled;
	struct conf_mrt_dump mrt_dump;
	bool mrt_log_enabled;
	struct conf_mrt_log mrt_log;
	struct conf_bmp *bmp; /* BMP collectors; may be empty */
	size_t nbmp;
	struct conf_rpki rpki;
	bool require_policy; /* RFC 8212: eBGP peers without a map get nothing in or out */
	struct policy_prefix_list *prefix_lists; /* in file order; names unique */
	size_t nprefix_lists;
	struct policy_map *route_maps; /* in file order; names unique; compiled */
	size_t nroute_maps;
	struct conf_peer *peers;
	size_t npeers;
	char **warnings; /* "FILE:LINE: warning: ..." for legal but suspicious setups */
	size_t nwarnings;
	unsigned key_line[CONF_DK_COUNT];
};

/* What a peer needs after a reload, from the least to the most disruptive. */
enum conf_peer_change {
	CONF_CHANGE_NONE,     /* identical */
	CONF_CHANGE_UPDATE,   /* applied in place: no reset, no re-export (description, ...) */
	CONF_CHANGE_REEXPORT, /* policy changed: recompute and send this peer's Adj-RIB-Out */
	CONF_CHANGE_RESET,    /* session parameters changed: close with Cease and reconnect */
	CONF_CHANGE_ADDED,    /* new, or enabled again: start the session */
	CONF_CHANGE_REMOVED,  /* gone, or disabled: Cease/3 (RFC 4486) and withdraw its routes */
};

struct conf_peer_diff {
	const struct conf_peer *old_peer; /* NULL when added */
	const struct conf_peer *new_peer; /* NULL when removed */
	enum conf_peer_change change;
	uint32_t changed; /* bit (1u << enum conf_pkey) per key whose value differs */
};

struct conf_diff {
	uint32_t global_changed; /* bit (1u << enum conf_dkey) per top-level key that differs */
	bool reset_all;		 /* router-id or asn: every OPEN changes, every session restarts */
	bool redecide;		 /* route-preference: best paths must be recomputed */
	bool reexport_all;   /* route-exchange, transparent, route-preference or a role changed */
	bool rebind_listen;  /* listen sockets to open/close; sessions are kept */
	bool rebind_control; /* control socket moved */
	bool rebind_metrics; /* metrics endpoint changed, added or removed */
	bool rebind_bmp;     /* BMP collectors changed: their sessions restart */
	bool restart_needed; /* io-threads, export-threads, user, group, rpki caches or
			      * timers: only a restart applies them */
	bool rpki_policy;    /* only rpki.invalid changed: applied in place (re-decision) */
	struct rx_prefix *originate_added; /* announce to every peer */
	size_t noriginate_added;
	struct rx_prefix *originate_removed; /* withdraw from every peer */
	size_t noriginate_removed;
	/* Every peer of both configs once: old order first, then added peers in new order. */
	struct conf_peer_diff *peers;
	size_t npeers;
};

/* conf_print() flags. */
#define CONF_PRINT_SECRETS 0x1u /* print passwords (round trips); else only note they are set */

#endif
