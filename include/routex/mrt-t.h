/* mrt-t.h: types of the MRT reader (RFC 6396, RFC 8050); prototypes are in mrt.h.
 *
 * The reader hands out views: a record's body points into the reader's input buffer and a
 * parsed entry's attributes point into the record or into the reader's codec scratch area.
 * Views stay valid until the next call that advances the reader (mrt_next, mrt_walk's next
 * callback). Nothing here is shared between threads: one reader per thread. */
#ifndef ROUTEX_MRT_T_H
#define ROUTEX_MRT_T_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <routex/prefix.h>
#include <routex/wire-t.h>

/* MRT types (RFC 6396 4; type 5 "BGP" is the deprecated one of RFC 6396 B.2.2). */
enum mrt_type {
	MRT_BGP = 5,
	MRT_TABLE_DUMP = 12,
	MRT_TABLE_DUMP_V2 = 13,
	MRT_BGP4MP = 16,
	MRT_BGP4MP_ET = 17,
};

/* TABLE_DUMP_V2 subtypes (RFC 6396 4.3, RFC 8050 4). */
enum mrt_td2_subtype {
	MRT_PEER_INDEX_TABLE = 1,
	MRT_RIB_IPV4_UNICAST = 2,
	MRT_RIB_IPV4_MULTICAST = 3,
	MRT_RIB_IPV6_UNICAST = 4,
	MRT_RIB_IPV6_MULTICAST = 5,
	MRT_RIB_GENERIC = 6,
	MRT_RIB_IPV4_UNICAST_ADDPATH = 8,
	MRT_RIB_IPV4_MULTICAST_ADDPATH = 9,
	MRT_RIB_IPV6_UNICAST_ADDPATH = 10,
	MRT_RIB_IPV6_MULTICAST_ADDPATH = 11,
	MRT_RIB_GENERIC_ADDPATH = 12,
};

/* BGP4MP and BGP4MP_ET subtypes (RFC 6396 4.4, RFC 8050 3). */
enum mrt_bgp4mp_subtype {
	MRT_BGP4MP_STATE_CHANGE = 0,
	MRT_BGP4MP_MESSAGE = 1,
	MRT_BGP4MP_MESSAGE_AS4 = 4,
	MRT_BGP4MP_STATE_CHANGE_AS4 = 5,
	MRT_BGP4MP_MESSAGE_LOCAL = 6,
	MRT_BGP4MP_MESSAGE_AS4_LOCAL = 7,
	MRT_BGP4MP_MESSAGE_ADDPATH = 8,
	MRT_BGP4MP_MESSAGE_AS4_ADDPATH = 9,
	MRT_BGP4MP_MESSAGE_LOCAL_ADDPATH = 10,
	MRT_BGP4MP_MESSAGE_AS4_LOCAL_ADDPATH = 11,
};

/* Deprecated type 5 subtypes (RFC 6396 B.2.2). */
enum mrt_bgp_subtype {
	MRT_BGP_UPDATE = 1,
	MRT_BGP_STATE_CHANGE = 3,
	MRT_BGP_OPEN = 5,
	MRT_BGP_NOTIFY = 6,
	MRT_BGP_KEEPALIVE = 7,
};

#define MRT_HEADER_LEN 12
/* Largest record accepted. RIB records of a full table are a few hundred KiB; a declared
 * length beyond this is corrupt framing, not data. */
#define MRT_MAX_RECORD (64u << 20)

/* Result of advancing a reader. */
enum mrt_status {
	MRT_OK = 0,        /* a record (or entry) was produced */
	MRT_END = 1,       /* clean end of input */
	MRT_TRUNCATED = 2, /* input ended inside a record or a compressed stream: every complete
			    * record before it was produced; mrt_error() says where */
	MRT_ERROR = 3,     /* unreadable input or framing that cannot be followed */
};

/* One MRT record as framed (RFC 6396 2). For BGP4MP_ET the 4-octet microsecond field is
 * consumed: `usec` holds it and `body` starts after it. */
struct mrt_record {
	uint32_t time;
	uint32_t usec;         /* BGP4MP_ET only, as recorded (not range-checked) */
	uint16_t type;
	uint16_t subtype;
	uint32_t len;          /* bytes at body */
	const uint8_t *body;
	uint64_t offset;       /* of the record header in the decompressed stream */
	bool td1_len_fixed;    /* TABLE_DUMP record whose declared length was 4 short (see
				* docs/mrt.md: early RIS multi-entry records) */
};

/* A BGP speaker as MRT names it. */
struct mrt_peer {
	uint8_t afi;       /* RX_AFI_IPV4 or RX_AFI_IPV6 */
	uint8_t addr[16];  /* network order; IPv4 in addr[0..3] */
	uint32_t asn;
	uint32_t bgp_id;   /* host order; 0 where the record does not carry it */
};

/* The PEER_INDEX_TABLE in force (RFC 6396 4.3.1). */
struct mrt_peer_table {
	uint32_t collector_id; /* host order */
	uint16_t count;
	struct mrt_peer *peers;
	char view[256];        /* view name, NUL-terminated (truncated if longer) */
};

/* One route of a RIB dump: a TABLE_DUMP record, or one RIB entry of a TABLE_DUMP_V2 record. */
struct mrt_rib_entry {
	const struct mrt_record *rec;
	const struct mrt_peer *peer;
	uint16_t peer_index;       /* TABLE_DUMP_V2 */
	uint16_t view;             /* TABLE_DUMP */
	uint8_t status;            /* TABLE_DUMP */
	uint32_t seq;              /* TABLE_DUMP_V2 sequence number, TABLE_DUMP's 16 bits */
	uint32_t originated;
	uint16_t afi;
	uint8_t safi;
	struct rx_prefix prefix;   /* as recorded: host bits are not cleared */
	bool has_path_id;          /* RFC 8050 subtypes */
	uint32_t path_id;
	const uint8_t *attrs_raw;  /* the attribute block as recorded */
	uint16_t attrs_len;
	const struct wire_update *u; /* attributes parsed by the codec (u->attrs, u->mp_nexthop);
				      * NULL when the walk was asked not to parse them */
	enum wire_action action;   /* the codec's verdict on the attribute block */
	uint16_t index;            /* entry number within its record */
	uint16_t count;            /* entries in its record */
};

/* A BGP message recorded by BGP4MP, BGP4MP_ET or the deprecated BGP type. */
struct mrt_message {
	const struct mrt_record *rec;
	struct mrt_peer peer;      /* the remote side */
	struct mrt_peer local;     /* the collector's side */
	uint16_t ifindex;
	bool as4;                  /* AS numbers (and AS_PATH) are 4 octets */
	bool is_local;             /* *_LOCAL subtypes: sent, not received */
	bool addpath;              /* RFC 8050 ADD-PATH subtypes: NLRI carry path ids */
	uint8_t msg_type;          /* enum wire_msg_type */
	const uint8_t *body;       /* message after the 19-octet header (type 5: as recorded) */
	size_t body_len;
	const uint8_t *attrs_raw;  /* UPDATE: the path attribute block as recorded */
	uint16_t attrs_len;
	/* UPDATE only: framed and parsed. Prefix fields (withdrawn, nlri, mp_reach, mp_unreach)
	 * are valid when `update_ok`; iterate them with wire_nlri_iter_init/wire_nlri_next. */
	const struct wire_update *u;
	bool update_ok;
	bool nlri_cut;             /* the withdrawn or NLRI field ended in a malformed prefix:
				    * the well-formed ones before it are kept (bgpdump prints
				    * them) and the rest ignored */
	enum wire_action action;
};

/* A session state change (RFC 6396 4.4.1). */
struct mrt_state_change {
	const struct mrt_record *rec;
	struct mrt_peer peer;
	struct mrt_peer local;     /* zero for the deprecated BGP type */
	uint16_t old_state;
	uint16_t new_state;
};

/* Callbacks for mrt_walk. Each may be NULL. A non-zero return stops the walk, which returns
 * that value. Views passed in are valid during the call only. */
struct mrt_handler {
	int (*record)(void *arg, const struct mrt_record *rec);
	int (*peer_table)(void *arg, const struct mrt_peer_table *t);
	int (*rib_entry)(void *arg, const struct mrt_rib_entry *e);
	int (*message)(void *arg, const struct mrt_message *m);
	int (*state)(void *arg, const struct mrt_state_change *s);
	void *arg;
	bool raw_attrs_only;       /* do not run the codec on RIB entries (e->u is NULL) */
};

/* Counters kept by the reader. */
struct mrt_stats {
	uint64_t records;          /* framed records */
	uint64_t bytes;            /* decompressed bytes consumed */
	uint64_t rib_entries;      /* TABLE_DUMP / TABLE_DUMP_V2 entries produced */
	uint64_t messages;         /* BGP messages produced */
	uint64_t updates;          /* of which UPDATEs */
	uint64_t state_changes;
	uint64_t skipped;          /* records of a type or subtype this reader does not decode */
	uint64_t malformed;        /* records or entries that could not be decoded */
	uint64_t td1_fixed;        /* TABLE_DUMP records whose length was corrected */
};

/* What a writer has produced (mrt.h, "Writing"). */
struct mrt_write_stats {
	uint64_t records;          /* MRT records, the PEER_INDEX_TABLE included */
	uint64_t prefixes;         /* RIB records (one per prefix) */
	uint64_t entries;          /* RIB entries over all of them */
	uint64_t bytes;            /* bytes written, headers included */
	uint64_t skipped;          /* entries left out (see mrt_writer_rib_entry) */
};

#endif
