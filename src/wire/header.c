/* header.c: the BGP message header (RFC 4271 4.1) and its errors (RFC 4271 6.1), plus the
 * error bookkeeping shared by the codec. */
#include <string.h>

#include "wire-int.h"

void wire_err_clear(struct wire_error *e)
{
	memset(e, 0, sizeof(*e));
}

void wire_err_note(struct wire_error *e, enum wire_action action, uint8_t code, uint8_t subcode,
		   uint8_t attr_type, const uint8_t *data, size_t data_len, const char *reason)
{
	e->count++;
	if (action <= e->action && e->action != WIRE_OK)
		return;
	e->action = action;
	e->code = code;
	e->subcode = subcode;
	e->attr_type = attr_type;
	e->reason = reason;
	/* NOTIFICATION data can never exceed a message; clamp so that encoding always fits. */
	if (data_len > WIRE_MAX_LEN - 21)
		data_len = WIRE_MAX_LEN - 21;
	e->data_len = (uint16_t)data_len;
	e->data = data;
}

/* Small data that is not in the message (a type code, a length field copy). */
static void err_small(struct wire_error *e, const uint8_t *bytes, size_t n)
{
	memcpy(e->small, bytes, n);
	e->data = e->small;
	e->data_len = (uint16_t)n;
}

/* Smallest legal total length per message type (RFC 4271 4.2-4.5, RFC 2918 3). */
static const uint16_t min_len[] = {
	[WIRE_OPEN] = 29,	  [WIRE_UPDATE] = 23,	     [WIRE_NOTIFICATION] = 21,
	[WIRE_KEEPALIVE] = 19, [WIRE_ROUTE_REFRESH] = 23,
};

size_t wire_header_check(const uint8_t *buf, size_t len, size_t max_len, uint8_t *type,
			 struct wire_error *err)
{
	wire_err_clear(err);
	RX_ASSERT(len >= WIRE_HEADER_LEN);
	static const uint8_t ones[WIRE_MARKER_LEN] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	};
	if (memcmp(buf, ones, WIRE_MARKER_LEN) != 0) {
		wire_err_note(err, WIRE_SESSION_RESET, WIRE_ERR_HEADER, WIRE_HDR_NOT_SYNC, 0, NULL, 0,
			      "marker is not all ones");
		return 0;
	}
	size_t mlen = wire_get16(buf + 16);
	uint8_t t = buf[18];
	if (t < WIRE_OPEN || t > WIRE_ROUTE_REFRESH) {
		wire_err_note(err, WIRE_SESSION_RESET, WIRE_ERR_HEADER, WIRE_HDR_BAD_TYPE, 0, NULL, 0,
			      "unknown message type");
		err_small(err, &buf[18], 1);
		return 0;
	}
	/* RFC 8654 4: OPEN and KEEPALIVE never exceed 4096 octets, even when extended. */
	size_t max = (t == WIRE_OPEN || t == WIRE_KEEPALIVE) ? WIRE_MAX_LEN : max_len;
	bool bad = mlen < min_len[t] || mlen > max || (t == WIRE_KEEPALIVE && mlen != 19);
	if (bad) {
		wire_err_note(err, WIRE_SESSION_RESET, WIRE_ERR_HEADER, WIRE_HDR_BAD_LEN, 0, NULL, 0,
			      "bad message length");
		err_small(err, buf + 16, 2);
		return 0;
	}
	*type = t;
	return mlen;
}

size_t wire_header_put(uint8_t *buf, size_t msg_len, uint8_t type)
{
	memset(buf, 0xff, WIRE_MARKER_LEN);
	wire_put16(buf + 16, (uint16_t)msg_len);
	buf[18] = type;
	return WIRE_HEADER_LEN;
}

uint8_t *wire_scratch_alloc(struct wire_scratch *s, size_t n)
{
	if (n > sizeof(s->buf) - s->used)
		return NULL;
	uint8_t *p = s->buf + s->used;
	s->used += n;
	return p;
}
