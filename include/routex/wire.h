/* wire.h: the BGP-4 message codec (RFC 4271, 4760, 6793, 7606, 7911, 8654, 9072, 9234).
 *
 * Parsing never reads outside [buf, buf+len) and never aborts: every malformed input yields a
 * struct wire_error with the RFC 7606 action and the NOTIFICATION to send. Encoding writes
 * into caller buffers and returns the number of bytes written, or 0 when it does not fit. */
#ifndef ROUTEX_WIRE_H
#define ROUTEX_WIRE_H

#include <routex/wire-t.h>

/* ---- Header (RFC 4271 4.1, 6.1) ---- */

/* Checks one message header. `max_len` is 4096, or 65535 once RFC 8654 is negotiated.
 * Returns the total message length (>= 19) and sets *type, or 0 with err filled in
 * (always WIRE_SESSION_RESET). `len` must be at least WIRE_HEADER_LEN. */
size_t wire_header_check(const uint8_t *buf, size_t len, size_t max_len, uint8_t *type,
			 struct wire_error *err);
/* Writes marker, length and type; returns WIRE_HEADER_LEN. */
size_t wire_header_put(uint8_t *buf, size_t msg_len, uint8_t type);

/* ---- OPEN (RFC 4271 4.2, RFC 5492, RFC 9072) ---- */

/* Parses an OPEN body (after the header). Checks version, hold time (0 or >= 3), BGP
 * identifier (non-zero), AS 0, and the optional parameters' framing. Policy checks (peer AS
 * matches the configuration, AS_TRANS without the AS4 capability) are the session's. */
bool wire_open_parse(const uint8_t *body, size_t len, struct wire_open *open,
		     struct wire_error *err);
/* Encodes a whole OPEN message with the capabilities in open->caps (unknown ones are not
 * sent). Returns the message length or 0 if cap is too small. */
size_t wire_open_encode(uint8_t *buf, size_t cap, const struct wire_open *open);

/* ---- UPDATE (RFC 4271 4.3, RFC 4760, RFC 7606) ---- */

/* Parses an UPDATE body. Returns u->err.action; when it is WIRE_SESSION_RESET the other
 * fields are unspecified. With WIRE_TREAT_AS_WITHDRAW every NLRI field is valid and every
 * announced prefix must be handled as withdrawn. */
enum wire_action wire_update_parse(const uint8_t *body, size_t len, const struct wire_ctx *ctx,
				   struct wire_update *u, struct wire_scratch *scratch);

/* Parses a bare path attribute block, as found in MRT RIB entries (RFC 6396 4.3.4) or in
 * an UPDATE. MP_REACH in MRT RIB entries holds only the next hop (mrt_mode). */
enum wire_action wire_attrs_parse(const uint8_t *buf, size_t len, const struct wire_ctx *ctx,
				  bool mrt_mode, struct wire_update *u,
				  struct wire_scratch *scratch);

/* Validates an NLRI field (prefix lengths, overruns) and fills n. Returns false when it
 * cannot be parsed (RFC 7606 5.3). */
bool wire_nlri_check(const uint8_t *data, size_t len, uint16_t afi, uint8_t safi, bool addpath,
		     struct wire_nlri *n);
void wire_nlri_iter_init(struct wire_nlri_iter *it, const struct wire_nlri *n);
/* Next prefix of a validated field, exactly as on the wire (host bits are not cleared; call
 * rx_prefix_mask when a canonical prefix is needed). path_id may be NULL. */
bool wire_nlri_next(struct wire_nlri_iter *it, struct rx_prefix *p, uint32_t *path_id);
/* Decodes up to max prefixes of a validated field into out (and path ids, if wanted),
 * canonical (host bits cleared). Returns the number decoded. */
size_t wire_nlri_decode(const struct wire_nlri *n, struct rx_prefix *out, uint32_t *path_ids,
			size_t max);

/* AS path helpers over the 4-octet segment form used in struct wire_attrs. */
/* RFC 4271 9.1.2.2 a: path length, an AS_SET counting as one, confederation segments as 0. */
unsigned wire_aspath_length(const uint8_t *path, size_t len);
/* First AS of the leftmost AS_SEQUENCE (the neighbour AS), 0 when none. */
uint32_t wire_aspath_first_as(const uint8_t *path, size_t len);
/* Origin AS: last AS of the last AS_SEQUENCE, 0 when the path ends in a set or is empty. */
uint32_t wire_aspath_origin_as(const uint8_t *path, size_t len);
bool wire_aspath_contains(const uint8_t *path, size_t len, uint32_t asn);
/* Writes `asn` prepended `count` times in front of path into out; returns the new length,
 * or 0 if it does not fit in cap. */
size_t wire_aspath_prepend(const uint8_t *path, size_t len, uint32_t asn, unsigned count,
			   uint8_t *out, size_t cap);

/* Encodes a path attribute block for a session (AS_PATH as 2-octet plus AS4_PATH when the
 * session is not as4; AGGREGATOR likewise). MP attributes are not written here (see the
 * builder). Returns the byte count, or 0 if it does not fit. */
size_t wire_attrs_encode(const struct wire_attrs *a, const struct wire_ctx *ctx, uint8_t *out,
			 size_t cap);

/* UPDATE builder: begin with an encoded attribute block (announcements) or none
 * (withdrawals), then add prefixes until wire_update_add returns false (message full),
 * then finish. IPv4 unicast uses the classic fields; other families are packed into an
 * MP_REACH (written first, as RFC 7606 5.1 asks) or MP_UNREACH attribute. */
void wire_update_begin(struct wire_update_builder *b, uint8_t *buf, size_t max_len,
		       enum rx_family fam, bool withdraw, bool addpath, const uint8_t *attrs,
		       size_t attrs_len, const uint8_t *mp_nexthop, uint8_t mp_nexthop_len);
bool wire_update_add(struct wire_update_builder *b, const struct rx_prefix *p, uint32_t path_id);
/* Completes the message; returns its length (0 if no prefix was added). */
size_t wire_update_finish(struct wire_update_builder *b);
/* End-of-RIB marker for a family (RFC 4724 2). */
size_t wire_eor_encode(uint8_t *buf, size_t cap, enum rx_family fam);

/* ---- NOTIFICATION, KEEPALIVE, ROUTE-REFRESH ---- */

bool wire_notification_parse(const uint8_t *body, size_t len, struct wire_notification *n);
size_t wire_notification_encode(uint8_t *buf, size_t cap, uint8_t code, uint8_t subcode,
				const uint8_t *data, size_t data_len);
/* RFC 9003 shutdown communication of a Cease/2 or Cease/4 NOTIFICATION, sanitised for logs:
 * control characters and invalid UTF-8 become '?', text is NUL-terminated. Returns false if
 * the notification carries none or its length octet is inconsistent. */
bool wire_shutdown_msg(const struct wire_notification *n, char *out, size_t size);
size_t wire_shutdown_encode(uint8_t *buf, size_t cap, uint8_t subcode, const char *msg);
size_t wire_keepalive_encode(uint8_t *buf, size_t cap);
bool wire_route_refresh_parse(const uint8_t *body, size_t len, struct wire_route_refresh *rr,
			      struct wire_error *err);
size_t wire_route_refresh_encode(uint8_t *buf, size_t cap, uint16_t afi, uint8_t safi,
				 uint8_t subtype);

/* ---- Families ---- */

/* Maps AFI/SAFI to enum rx_family; returns false for families the codec does not know. */
bool wire_family(uint16_t afi, uint8_t safi, enum rx_family *fam);
void wire_family_afi_safi(enum rx_family fam, uint16_t *afi, uint8_t *safi);

/* Static name for logs ("OPEN", "UPDATE", ...). */
const char *wire_msg_name(uint8_t type);
/* "Message Header Error/Bad Message Length" style text for a code/subcode. */
const char *wire_err_name(uint8_t code);
const char *wire_suberr_name(uint8_t code, uint8_t subcode);

/* Big-endian readers and writers. */
static inline uint16_t wire_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}
static inline uint32_t wire_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void wire_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}
static inline void wire_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

#endif
