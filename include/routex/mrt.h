/* mrt.h: MRT routing data reader (RFC 6396, RFC 8050) and bgpdump-compatible printer.
 *
 * Three layers, each usable alone:
 *  - framing: mrt_open / mrt_next yield raw records from a plain, gzip or bzip2 file
 *    (detected by magic number), read in large chunks;
 *  - decoding: mrt_walk decodes records into RIB entries, BGP messages and state changes
 *    with the codec (struct wire_update / struct wire_attrs) and calls a handler;
 *  - printing: mrt_bgpdump_* formats what the walk yields exactly as `bgpdump -m` does.
 * And a TABLE_DUMP_V2 writer (mrt_writer_*), streaming to PATH.tmp renamed to PATH.
 *
 * See docs/mrt.md for the formats handled and the bgpdump behaviour reproduced. */
#ifndef ROUTEX_MRT_H
#define ROUTEX_MRT_H

#include <routex/mrt-t.h>

struct mrt_reader;

/* ---- Framing ---- */

/* Opens a file ("-" is standard input). Returns NULL with a message in err on failure. */
struct mrt_reader *mrt_open(const char *path, char *err, size_t errlen);
/* Reads uncompressed MRT data from memory (not copied: buf must outlive the reader). */
struct mrt_reader *mrt_open_mem(const void *buf, size_t len);
void mrt_close(struct mrt_reader *r);

/* Next record. MRT_OK fills rec (valid until the next call); MRT_END, MRT_TRUNCATED and
 * MRT_ERROR are final (mrt_error() tells why). */
enum mrt_status mrt_next(struct mrt_reader *r, struct mrt_record *rec);
/* Text of the last MRT_TRUNCATED / MRT_ERROR, or "" when none. */
const char *mrt_error(const struct mrt_reader *r);
const struct mrt_stats *mrt_reader_stats(const struct mrt_reader *r);
/* "gzip", "bzip2" or "none". */
const char *mrt_compression(const struct mrt_reader *r);
/* The PEER_INDEX_TABLE last met by mrt_walk (count 0 before any). */
const struct mrt_peer_table *mrt_reader_peers(const struct mrt_reader *r);

/* ---- Decoding ---- */

/* Walks every remaining record, calling h. Returns MRT_END, MRT_TRUNCATED or MRT_ERROR when
 * the input is exhausted, or MRT_OK when a callback returned non-zero (its value is in
 * *stopped if stopped is not NULL). Records of unknown types are skipped (counted). */
enum mrt_status mrt_walk(struct mrt_reader *r, const struct mrt_handler *h, int *stopped);

/* Record decoders used by mrt_walk, for callers that frame records themselves. */
/* PEER_INDEX_TABLE; t->peers is malloc'd (free with mrt_peer_table_fini). */
bool mrt_peer_table_parse(const struct mrt_record *rec, struct mrt_peer_table *t);
void mrt_peer_table_fini(struct mrt_peer_table *t);
/* BGP4MP, BGP4MP_ET and type 5 records. Returns 1 and fills m for a BGP message, 2 and
 * fills s for a state change, 0 for a subtype that carries neither, -1 when malformed.
 * m->u is left NULL: call mrt_message_parse_update for UPDATEs. */
int mrt_bgp4mp_decode(const struct mrt_record *rec, struct mrt_message *m,
		      struct mrt_state_change *s);
/* Frames the UPDATE in m and parses it with the codec (attributes in MRT mode, see wire.h),
 * setting m->u, m->update_ok and m->action. */
void mrt_message_parse_update(struct mrt_message *m, struct wire_update *u,
			      struct wire_scratch *scratch);
/* The codec context for a RIB entry's attributes (TABLE_DUMP: 2-octet AS_PATH; v2: 4). */
void mrt_rib_ctx(const struct mrt_record *rec, struct wire_ctx *ctx);

/* ---- Writing TABLE_DUMP_V2 (writer.c) ---- */

struct mrt_writer;

/* Creates PATH.tmp (mode 0644 less the umask, no symlink followed); every record carries
 * `time`. Returns NULL with a message in err (the path and errno's text) on failure. */
struct mrt_writer *mrt_writer_open(const char *path, uint32_t time, char *err, size_t errlen);
/* The PEER_INDEX_TABLE (RFC 6396 4.3.1): first and once. bgp_id is host order; every peer
 * is written with a 4-octet AS. Returns false once a write has failed. */
bool mrt_writer_peer_table(struct mrt_writer *w, uint32_t collector_id, const char *view,
			   const struct mrt_peer *peers, uint16_t n);
/* One RIB_IPV4_UNICAST / RIB_IPV6_UNICAST record (their RFC 8050 _ADDPATH forms when
 * addpath, entries then carrying path ids): begin, entries, end. p must be canonical. */
void mrt_writer_rib_begin(struct mrt_writer *w, const struct rx_prefix *p, bool addpath);
/* One RIB entry. attrs is an encoded attribute block with 4-octet AS numbers (RFC 6396
 * 4.3.4) and without MP_REACH_NLRI; a non-zero mp_nexthop_len puts the abbreviated
 * MP_REACH_NLRI (next-hop length and next hop) in front of it. Returns false, counting the
 * entry in stats.skipped, when it cannot be represented: the 65,535th entry of a record,
 * a peer index beyond the peer table, or attributes longer than 65,535 octets. */
bool mrt_writer_rib_entry(struct mrt_writer *w, uint16_t peer_index, uint32_t originated,
			  uint32_t path_id, const uint8_t *mp_nexthop, uint8_t mp_nexthop_len,
			  const uint8_t *attrs, size_t attrs_len);
/* Writes the record (none when every entry was skipped; the sequence number counts only
 * written ones). Returns false once a write has failed. */
bool mrt_writer_rib_end(struct mrt_writer *w);
const struct mrt_write_stats *mrt_writer_stats(const struct mrt_writer *w);
/* A write has failed: nothing more will reach the file; mrt_writer_commit will say why. */
bool mrt_writer_failed(const struct mrt_writer *w);
/* Flushes, fdatasyncs, closes and renames PATH.tmp to PATH, then frees w. On failure
 * PATH.tmp is removed, PATH is left as it was, and err says what failed. */
bool mrt_writer_commit(struct mrt_writer *w, char *err, size_t errlen);
/* Gives up: removes PATH.tmp and frees w (NULL is fine). */
void mrt_writer_abort(struct mrt_writer *w);

/* ---- bgpdump -m printing ---- */

/* An output buffer drained to a file descriptor in large writes; with fd < 0 it only grows
 * (tests read buf/len). */
struct mrt_out {
	char *buf;
	size_t len, cap;
	int fd;
	bool failed;       /* a write failed (errno kept in err) */
	int err;
};
void mrt_out_init(struct mrt_out *o, int fd);
/* Room for n more bytes at o->buf + o->len (flushing or growing first). */
char *mrt_out_reserve(struct mrt_out *o, size_t n);
bool mrt_out_flush(struct mrt_out *o);
void mrt_out_fini(struct mrt_out *o);

/* Hand-rolled formatters: each writes at p and returns the end (no NUL). */
char *mrt_fmt_u32(char *p, uint32_t v);
char *mrt_fmt_ipv4(char *p, const uint8_t *a);
/* The text inet_ntop(AF_INET6) gives (RFC 5952 zero compression, IPv4-mapped and
 * IPv4-compatible forms as glibc prints them). At most 45 characters. */
char *mrt_fmt_ipv6(char *p, const uint8_t *a);
char *mrt_fmt_addr(char *p, uint8_t afi, const uint8_t *a);
char *mrt_fmt_prefix(char *p, const struct rx_prefix *pfx);

/* An AS path of as_size-octet AS numbers (4 for struct wire_attrs) as bgpdump prints it:
 * sequences space-separated, AS_SET {a,b}, AS_CONFED_SEQUENCE (a b), AS_CONFED_SET [a,b],
 * empty segments skipped, and "! Error !" for the whole path when a segment is malformed.
 * Needs 11 bytes per AS plus 3 per segment. */
char *mrt_fmt_aspath(char *p, const uint8_t *path, size_t len, unsigned as_size);

/* Upper bound on the bytes mrt_fmt_attrs writes for a. */
size_t mrt_fmt_attrs_max(const struct wire_attrs *a);
/* The attribute columns of a bgpdump -m route line, newline included:
 *   AS_PATH|ORIGIN|NEXT_HOP|LOCAL_PREF|MED|COMMUNITIES|AG or NAG|AGGREGATOR|\n
 * nh/nh_len is the next hop to print (4: IPv4; 16 or 32: the IPv6 global address); NULL
 * prints 255.255.255.255 as bgpdump does when it has none. `legacy` selects the deprecated
 * BGP type's layout, which has no separator between MED and COMMUNITIES. */
char *mrt_fmt_attrs(char *p, const struct wire_attrs *a, const uint8_t *nh, uint8_t nh_len,
		    bool legacy);

/* The printer: pass mrt_bgpdump_handler's handler to mrt_walk. */
struct mrt_bgpdump {
	struct mrt_out *out;
	uint64_t lines;
	char *tail;           /* attribute columns, formatted once per route set */
	size_t tail_cap;
};
void mrt_bgpdump_init(struct mrt_bgpdump *p, struct mrt_out *out, struct mrt_handler *h);
void mrt_bgpdump_fini(struct mrt_bgpdump *p);
/* Lines for one item (what the handler calls). */
void mrt_bgpdump_rib_entry(struct mrt_bgpdump *p, const struct mrt_rib_entry *e);
void mrt_bgpdump_message(struct mrt_bgpdump *p, const struct mrt_message *m);
void mrt_bgpdump_state(struct mrt_bgpdump *p, const struct mrt_state_change *s);


/* ---- Encoding BGP4MP_ET records (bgp4mp_enc.c): the message log ---- */

/* Who a record is about (RFC 6396 4.4.2, 4.4.3): the fields every BGP4MP record carries. */
struct mrt_bgp4mp_peer {
	uint32_t peer_as, local_as;
	uint16_t ifindex;	/* 0: not known */
	uint16_t afi;		/* RX_AFI_IPV4 or RX_AFI_IPV6: the addresses' family */
	uint8_t peer_ip[16];	/* network order; IPv4 in the first 4 octets */
	uint8_t local_ip[16];
	bool as4;		/* the session negotiated 4-octet ASes: the _AS4 subtypes */
};

/* The largest record header before the BGP message: MRT header, microseconds, IPv6 AS4
 * common fields. */
#define MRT_BGP4MP_HDR_MAX (MRT_HEADER_LEN + 4 + 8 + 4 + 32)

/* BGP4MP_MESSAGE (1), _AS4 (4), or with `addpath` (the message's NLRI carry path ids, RFC
 * 8050 3) _ADDPATH (8) and _AS4_ADDPATH (9). */
uint16_t mrt_bgp4mp_message_subtype(const struct mrt_bgp4mp_peer *p, bool addpath);
size_t mrt_bgp4mp_message_len(const struct mrt_bgp4mp_peer *p, size_t msg_len);
/* A BGP4MP_ET message record of `msg` (a whole BGP message, marker included) stamped
 * time_us (microseconds since the epoch). Returns its length, 0 if cap is too small. */
size_t mrt_bgp4mp_message_encode(uint8_t *out, size_t cap, const struct mrt_bgp4mp_peer *p,
				 bool addpath, uint64_t time_us, const uint8_t *msg,
				 size_t msg_len);
size_t mrt_bgp4mp_state_len(const struct mrt_bgp4mp_peer *p);
/* A BGP4MP_ET STATE_CHANGE_AS4 record; states are RFC 6396 4.4.1's codes (1 Idle ..
 * 6 Established). Returns its length, 0 if cap is too small. */
size_t mrt_bgp4mp_state_encode(uint8_t *out, size_t cap, const struct mrt_bgp4mp_peer *p,
			       uint64_t time_us, uint16_t old_state, uint16_t new_state);

#endif
