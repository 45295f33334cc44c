/* wire-t.h: types of the BGP message codec (types only; prototypes are in wire.h).
 *
 * The codec is pure: bytes in, structs and RFC 7606 verdicts out. It keeps no globals, starts
 * no threads and never logs. Parsed views point into the caller's message buffer (zero copy)
 * or, where the wire form must be rewritten (2-octet AS_PATH widened to 4 octets and merged
 * with AS4_PATH, unknown attributes re-flagged Partial), into a caller-supplied scratch area.
 * Views stay valid while both the message and the scratch area live. */
#ifndef ROUTEX_WIRE_T_H
#define ROUTEX_WIRE_T_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <routex/prefix.h>

/* RFC 4271 4.1, RFC 8654. */
#define WIRE_HEADER_LEN 19
#define WIRE_MAX_LEN 4096
#define WIRE_EXT_MAX_LEN 65535
#define WIRE_MARKER_LEN 16

enum wire_msg_type {
	WIRE_OPEN = 1,
	WIRE_UPDATE = 2,
	WIRE_NOTIFICATION = 3,
	WIRE_KEEPALIVE = 4,
	WIRE_ROUTE_REFRESH = 5,
};

/* Path attribute type codes (IANA). */
enum wire_attr_type {
	WIRE_ATTR_ORIGIN = 1,
	WIRE_ATTR_AS_PATH = 2,
	WIRE_ATTR_NEXT_HOP = 3,
	WIRE_ATTR_MED = 4,
	WIRE_ATTR_LOCAL_PREF = 5,
	WIRE_ATTR_ATOMIC_AGGREGATE = 6,
	WIRE_ATTR_AGGREGATOR = 7,
	WIRE_ATTR_COMMUNITIES = 8,
	WIRE_ATTR_ORIGINATOR_ID = 9,
	WIRE_ATTR_CLUSTER_LIST = 10,
	WIRE_ATTR_MP_REACH_NLRI = 14,
	WIRE_ATTR_MP_UNREACH_NLRI = 15,
	WIRE_ATTR_EXT_COMMUNITIES = 16,
	WIRE_ATTR_AS4_PATH = 17,
	WIRE_ATTR_AS4_AGGREGATOR = 18,
	WIRE_ATTR_LARGE_COMMUNITIES = 32,
	WIRE_ATTR_OTC = 35,
};

/* Attribute flag bits (RFC 4271 4.3). The low four bits are ignored on receipt. */
#define WIRE_AF_OPTIONAL 0x80
#define WIRE_AF_TRANSITIVE 0x40
#define WIRE_AF_PARTIAL 0x20
#define WIRE_AF_EXT_LEN 0x10

/* AS_PATH segment types (RFC 4271, RFC 5065). */
#define WIRE_AS_SET 1
#define WIRE_AS_SEQUENCE 2
#define WIRE_AS_CONFED_SEQUENCE 3
#define WIRE_AS_CONFED_SET 4
#define WIRE_AS_TRANS 23456 /* RFC 6793 */

#define WIRE_ORIGIN_IGP 0
#define WIRE_ORIGIN_EGP 1
#define WIRE_ORIGIN_INCOMPLETE 2

/* Well-known communities (RFC 1997, RFC 8326). */
#define WIRE_COMM_NO_EXPORT 0xFFFFFF01u
#define WIRE_COMM_NO_ADVERTISE 0xFFFFFF02u
#define WIRE_COMM_NO_EXPORT_SUBCONFED 0xFFFFFF03u
#define WIRE_COMM_GRACEFUL_SHUTDOWN 0xFFFF0000u

/* NOTIFICATION error codes and the subcodes the codec emits (RFC 4271 4.5, 6). */
enum wire_err_code {
	WIRE_ERR_HEADER = 1,
	WIRE_ERR_OPEN = 2,
	WIRE_ERR_UPDATE = 3,
	WIRE_ERR_HOLD = 4,
	WIRE_ERR_FSM = 5,
	WIRE_ERR_CEASE = 6,
	WIRE_ERR_ROUTE_REFRESH = 7, /* RFC 7313 */
	WIRE_ERR_SEND_HOLD = 8,     /* RFC 9687 */
};
enum {
	WIRE_HDR_NOT_SYNC = 1,
	WIRE_HDR_BAD_LEN = 2,
	WIRE_HDR_BAD_TYPE = 3,
};
enum {
	WIRE_OPEN_UNSPECIFIC = 0,
	WIRE_OPEN_BAD_VERSION = 1,
	WIRE_OPEN_BAD_PEER_AS = 2,
	WIRE_OPEN_BAD_BGP_ID = 3,
	WIRE_OPEN_UNSUP_OPT_PARAM = 4,
	WIRE_OPEN_BAD_HOLD = 6,
	WIRE_OPEN_UNSUP_CAPABILITY = 7,
	WIRE_OPEN_ROLE_MISMATCH = 11,
};
enum {
	WIRE_UPD_MALFORMED_ATTR_LIST = 1,
	WIRE_UPD_UNRECOGNIZED_WELLKNOWN = 2,
	WIRE_UPD_MISSING_WELLKNOWN = 3,
	WIRE_UPD_ATTR_FLAGS = 4,
	WIRE_UPD_ATTR_LEN = 5,
	WIRE_UPD_INVALID_ORIGIN = 6,
	WIRE_UPD_INVALID_NEXT_HOP = 8,
	WIRE_UPD_OPTIONAL_ATTR = 9,
	WIRE_UPD_INVALID_NETWORK = 10,
	WIRE_UPD_MALFORMED_AS_PATH = 11,
};
enum {
	WIRE_CEASE_MAX_PREFIXES = 1,
	WIRE_CEASE_ADMIN_SHUTDOWN = 2,
	WIRE_CEASE_PEER_DECONFIGURED = 3,
	WIRE_CEASE_ADMIN_RESET = 4,
	WIRE_CEASE_CONN_REJECTED = 5,
	WIRE_CEASE_OTHER_CONFIG_CHANGE = 6,
	WIRE_CEASE_COLLISION = 7,
	WIRE_CEASE_OUT_OF_RESOURCES = 8,
	WIRE_CEASE_HARD_RESET = 9,
};

/* RFC 7606 2: what to do about a malformed message, weakest first so that the strongest
 * of several errors is the numeric maximum (RFC 7606 3.h). */
enum wire_action {
	WIRE_OK = 0,
	WIRE_ATTR_DISCARD = 1,      /* drop the attribute, keep the routes */
	WIRE_TREAT_AS_WITHDRAW = 2, /* every NLRI of the UPDATE is withdrawn */
	WIRE_SESSION_RESET = 3,     /* send the NOTIFICATION below and close */
};

/* The verdict of a parse: the strongest action met, and for that action the first error's
 * NOTIFICATION code, subcode and data (the data points into the message or into `small`). */
struct wire_error {
	enum wire_action action;
	uint8_t code;
	uint8_t subcode;
	uint8_t attr_type;   /* attribute concerned, 0 when none */
	uint16_t data_len;
	const uint8_t *data; /* NOTIFICATION data, or NULL */
	uint8_t small[8];    /* storage for short data that is not in the message */
	const char *reason;  /* static text for the log line */
	unsigned count;      /* how many errors were found in total */
};

/* Address families the codec knows NLRI encodings for. */
enum rx_family {
	RX_FAM_IPV4_UNICAST = 0,
	RX_FAM_IPV6_UNICAST = 1,
	RX_FAM_IPV4_MULTICAST = 2,
	RX_FAM_IPV6_MULTICAST = 3,
	RX_FAM_COUNT = 4,
};
#define RX_FAM_BIT(f) (1u << (f))

/* What the session negotiated; steers parsing and encoding of UPDATEs. */
struct wire_ctx {
	bool as4;             /* RFC 6793 4-octet AS numbers */
	bool ebgp;            /* peer AS differs from ours (RFC 7606 7.5, 7.9, 7.10) */
	bool ext_msg;         /* RFC 8654: messages up to 65535 octets */
	uint8_t addpath_rx;   /* RX_FAM_BIT()s whose NLRI carry path ids (RFC 7911) */
	uint8_t addpath_tx;   /* same, for what we send */
};

/* A validated NLRI field (IPv4 NLRI, Withdrawn Routes, or MP_(UN)REACH NLRI). */
struct wire_nlri {
	const uint8_t *data;
	uint16_t len;
	uint16_t afi;
	uint8_t safi;
	bool addpath;    /* each prefix is preceded by a 4-octet path id */
	bool known;      /* the codec understands this AFI/SAFI (see enum rx_family) */
	uint32_t count;  /* number of prefixes, valid when known */
};

struct wire_nlri_iter {
	const uint8_t *p, *end;
	uint8_t afi;
	bool addpath;
};

/* Decoded path attributes of one UPDATE (or one MRT RIB entry). Variable-length values are
 * views; AS paths are always in 4-octet form (RFC 6793 merged when the session is 2-octet).
 * `present` has bit (1ull << type) set for each attribute kept after RFC 7606 handling. */
struct wire_attrs {
	uint64_t present;
	uint8_t origin;
	bool atomic_aggregate;
	uint16_t aspath_len;        /* bytes of segments: type, count, count * 4-octet AS */
	const uint8_t *aspath;
	uint8_t nexthop[4];         /* NEXT_HOP, network order */
	uint32_t med;
	uint32_t local_pref;
	uint32_t aggregator_as;     /* AS4_AGGREGATOR merged in when AGGREGATOR holds AS_TRANS */
	uint8_t aggregator_addr[4];
	uint32_t originator_id;     /* host order */
	uint32_t otc;               /* RFC 9234 Only To Customer, host order */
	uint16_t communities_len;   /* bytes, 4 per community */
	uint16_t ext_communities_len;
	uint16_t large_communities_len;
	uint16_t cluster_list_len;
	uint16_t unknown_len;       /* bytes of raw optional transitive attributes, Partial set */
	uint16_t as4_path_len;      /* raw AS4_PATH as received (2-octet sessions, MRT printing) */
	const uint8_t *communities;
	const uint8_t *ext_communities;
	const uint8_t *large_communities;
	const uint8_t *cluster_list;
	const uint8_t *unknown;     /* whole attributes (flags, type, length, value), re-encoded */
	const uint8_t *as4_path;
};

#define WIRE_ATTR_BIT(t) (1ull << (t))
#define WIRE_HAS(a, t) (((a)->present & WIRE_ATTR_BIT(t)) != 0)

/* A parsed UPDATE. IPv4 unicast routes use `withdrawn` and `nlri`; every other family uses
 * MP_REACH / MP_UNREACH. mp_nexthop holds the MP_REACH next hop as received (4, 16 or 32
 * octets: global and link-local for IPv6). */
struct wire_update {
	struct wire_nlri withdrawn;
	struct wire_nlri nlri;
	struct wire_nlri mp_reach;
	struct wire_nlri mp_unreach;
	bool has_mp_reach, has_mp_unreach;
	uint8_t mp_nexthop_len;
	uint8_t mp_nexthop[32];
	bool end_of_rib;            /* RFC 4724 2: empty UPDATE, or only an empty MP_UNREACH */
	uint16_t eor_afi;
	uint8_t eor_safi;
	struct wire_attrs attrs;
	struct wire_error err;
};

/* Scratch space for rewritten attributes; one per parsing thread, reused per message.
 * Sized for the worst case of a 65535-octet message: every AS widened to 4 octets, plus a
 * copy of every unknown attribute. */
#define WIRE_SCRATCH_LEN (3 * 65536)
struct wire_scratch {
	size_t used;
	uint8_t buf[WIRE_SCRATCH_LEN];
};

/* OPEN capabilities (RFC 5492) that the codec understands; everything else is kept raw. */
enum wire_cap_code {
	WIRE_CAP_MP = 1,
	WIRE_CAP_ROUTE_REFRESH = 2,
	WIRE_CAP_EXT_NEXTHOP = 5,
	WIRE_CAP_EXT_MSG = 6,
	WIRE_CAP_ROLE = 9,
	WIRE_CAP_GRACEFUL_RESTART = 64,
	WIRE_CAP_AS4 = 65,
	WIRE_CAP_ADDPATH = 69,
	WIRE_CAP_ENHANCED_REFRESH = 70,
	WIRE_CAP_FQDN = 73,
	WIRE_CAP_ROUTE_REFRESH_OLD = 128, /* pre-standard Cisco code, still sent */
};

/* RFC 9234 roles. */
enum wire_role {
	WIRE_ROLE_PROVIDER = 0,
	WIRE_ROLE_RS = 1,
	WIRE_ROLE_RS_CLIENT = 2,
	WIRE_ROLE_CUSTOMER = 3,
	WIRE_ROLE_PEER = 4,
};

/* ADD-PATH send/receive bits (RFC 7911 4). */
#define WIRE_ADDPATH_RX 1
#define WIRE_ADDPATH_TX 2

#define WIRE_MAX_UNKNOWN_CAPS 16

struct wire_cap_raw {
	uint8_t code;
	uint8_t len;
	const uint8_t *value;
};

struct wire_caps {
	uint8_t mp;                    /* RX_FAM_BIT()s announced with the MP capability */
	bool mp_present;               /* any MP capability at all (none: IPv4 unicast implied) */
	bool as4_present;
	uint32_t as4;                  /* the speaker's 4-octet AS */
	bool route_refresh;
	bool enhanced_refresh;
	bool ext_msg;
	bool role_present;
	uint8_t role;
	bool gr_present;
	uint8_t gr_flags;              /* R (0x8) and N (0x4) bits of the restart flags nibble */
	uint16_t gr_time;              /* seconds, 12 bits */
	uint8_t gr_fams;               /* families listed */
	uint8_t gr_fam_forwarding;     /* of those, with the F bit */
	uint8_t addpath[RX_FAM_COUNT]; /* WIRE_ADDPATH_RX | WIRE_ADDPATH_TX per family */
	uint8_t fqdn_host_len, fqdn_domain_len;
	char fqdn_host[256];
	char fqdn_domain[256];
	unsigned n_unknown;
	struct wire_cap_raw unknown[WIRE_MAX_UNKNOWN_CAPS]; /* kept, not rejected (RFC 5492 3) */
};

struct wire_open {
	uint8_t version;
	uint16_t my_as;     /* the 2-octet field: AS_TRANS for a 4-octet AS */
	uint16_t hold_time;
	uint32_t bgp_id;    /* host order */
	uint32_t asn;       /* the speaker's real AS: caps.as4 when present, else my_as */
	bool extended_params; /* RFC 9072 encoding was used */
	struct wire_caps caps;
};

struct wire_notification {
	uint8_t code;
	uint8_t subcode;
	uint16_t data_len;
	const uint8_t *data;
};

/* ROUTE-REFRESH subtypes (RFC 7313 3). */
enum { WIRE_RR_NORMAL = 0, WIRE_RR_BORR = 1, WIRE_RR_EORR = 2 };

struct wire_route_refresh {
	uint16_t afi;
	uint8_t subtype;
	uint8_t safi;
};

/* Builds UPDATE messages for one attribute set, packing as many NLRI as fit. */
struct wire_update_builder {
	uint8_t *buf;          /* caller's buffer, at least max_len bytes */
	size_t max_len;        /* 4096, or 65535 with RFC 8654 */
	size_t len;            /* current message length */
	size_t attr_len_off;   /* offset of Total Path Attribute Length */
	size_t mp_len_off;     /* offset of the MP attribute's 2-octet length, 0 when unused */
	uint8_t family;        /* enum rx_family being packed */
	bool withdraw;         /* packing withdrawals */
	bool addpath;
	uint32_t count;        /* prefixes in this message */
	const uint8_t *attrs;  /* attributes written after MP_REACH at finish */
	size_t attrs_len;
};

#endif
