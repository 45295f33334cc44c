/* notify.c: NOTIFICATION (RFC 4271 4.5, RFC 9003 shutdown communication), KEEPALIVE
 * (RFC 4271 4.4) and ROUTE-REFRESH (RFC 2918, RFC 7313). */
#include <string.h>

#include "wire-int.h"

bool wire_notification_parse(const uint8_t *body, size_t len, struct wire_notification *n)
{
	if (len < 2)
		return false;
	n->code = body[0];
	n->subcode = body[1];
	n->data = body + 2;
	n->data_len = (uint16_t)(len - 2);
	return true;
}

size_t wire_notification_encode(uint8_t *buf, size_t cap, uint8_t code, uint8_t subcode,
				const uint8_t *data, size_t data_len)
{
	size_t total = WIRE_HEADER_LEN + 2 + data_len;
	if (total > WIRE_MAX_LEN) { /* data is informational: trim rather than fail */
		data_len = WIRE_MAX_LEN - WIRE_HEADER_LEN - 2;
		total = WIRE_MAX_LEN;
	}
	if (total > cap)
		return 0;
	buf[WIRE_HEADER_LEN] = code;
	buf[WIRE_HEADER_LEN + 1] = subcode;
	if (data_len)
		memcpy(buf + WIRE_HEADER_LEN + 2, data, data_len);
	wire_header_put(buf, total, WIRE_NOTIFICATION);
	return total;
}

/* Length of the UTF-8 sequence starting at p (at most n bytes), 0 if invalid. */
static size_t utf8_seq(const uint8_t *p, size_t n)
{
	size_t len = p[0] < 0x80 ? 1 : p[0] >= 0xF0 && p[0] < 0xF5 ? 4
				     : p[0] >= 0xE0		? 3
				     : p[0] >= 0xC2		? 2
							: 0;
	if (len == 0 || len > n)
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((p[i] & 0xC0) != 0x80)
			return 0;
	return len;
}

bool wire_shutdown_msg(const struct wire_notification *n, char *out, size_t size)
{
	if (size == 0)
		return false;
	out[0] = 0;
	if (n->code != WIRE_ERR_CEASE ||
	    (n->subcode != WIRE_CEASE_ADMIN_SHUTDOWN && n->subcode != WIRE_CEASE_ADMIN_RESET))
		return false;
	if (n->data_len == 0 || (size_t)n->data[0] + 1 > n->data_len)
		return false; /* RFC 9003 2: the length octet must fit what was received */
	const uint8_t *p = n->data + 1, *end = p + n->data[0];
	size_t o = 0;
	while (p < end) {
		size_t k = utf8_seq(p, (size_t)(end - p));
		/* C0 and DEL, and C1 (U+0080..U+009F: 0xC2 0x80..0x9F), which terminals take
		 * as controls too (U+009B is CSI, U+0085 a line break). */
		bool control = (k == 1 && (p[0] < 0x20 || p[0] == 0x7F)) ||
			       (k == 2 && p[0] == 0xC2 && p[1] < 0xA0);
		if (o + (k == 0 || control ? 1 : k) + 1 > size)
			break; /* only whole characters, and room for the NUL */
		if (k == 0 || control) { /* never let a peer write control characters into logs */
			out[o++] = '?';
			p += k ? k : 1; /* one '?' per character, or per invalid octet */
			continue;
		}
		memcpy(out + o, p, k);
		o += k;
		p += k;
	}
	out[o] = 0;
	return true;
}

size_t wire_shutdown_encode(uint8_t *buf, size_t cap, uint8_t subcode, const char *msg)
{
	uint8_t data[256];
	size_t len = msg ? strlen(msg) : 0;
	if (len > 255) /* RFC 9003 2: at most 255 octets; cut on a character boundary */
		for (len = 255; len > 0 && ((uint8_t)msg[len] & 0xC0) == 0x80; len--)
			;
	data[0] = (uint8_t)len;
	if (len)
		memcpy(data + 1, msg, len);
	return wire_notification_encode(buf, cap, WIRE_ERR_CEASE, subcode, data, len + 1);
}

size_t wire_keepalive_encode(uint8_t *buf, size_t cap)
{
	if (cap < WIRE_HEADER_LEN)
		return 0;
	return wire_header_put(buf, WIRE_HEADER_LEN, WIRE_KEEPALIVE);
}

bool wire_route_refresh_parse(const uint8_t *body, size_t len, struct wire_route_refresh *rr,
			      struct wire_error *err)
{
	wire_err_clear(err);
	/* RFC 7313 5: a length other than 4 (23 in all) is an error, except that ORF entries
	 * (RFC 5291) may follow a normal request; we do not use ORF and ignore them. */
	if (len < 4 || (len != 4 && body[2] != WIRE_RR_NORMAL)) {
		wire_err_note(err, WIRE_SESSION_RESET, WIRE_ERR_ROUTE_REFRESH, 1, 0, body, len,
			      "ROUTE-REFRESH of invalid length");
		return false;
	}
	rr->afi = wire_get16(body);
	rr->subtype = body[2];
	rr->safi = body[3];
	return true;
}

size_t wire_route_refresh_encode(uint8_t *buf, size_t cap, uint16_t afi, uint8_t safi,
				 uint8_t subtype)
{
	if (cap < WIRE_HEADER_LEN + 4)
		return 0;
	wire_put16(buf + WIRE_HEADER_LEN, afi);
	buf[WIRE_HEADER_LEN + 2] = subtype;
	buf[WIRE_HEADER_LEN + 3] = safi;
	return wire_header_put(buf, WIRE_HEADER_LEN + 4, WIRE_ROUTE_REFRESH) + 4;
}
