/* aspath.c: AS_PATH handling (RFC 4271 4.3 and 9.1.2.2, RFC 5065, RFC 6793).
 *
 * Inside routex an AS path is always kept in 4-octet form: a sequence of segments
 * (type, count, count * 4-octet AS). Paths from 2-octet sessions are widened once at parse
 * time and merged with AS4_PATH there, so that nothing downstream cares about the session. */
#include <string.h>

#include "wire-int.h"

bool wire_aspath_valid(const uint8_t *p, size_t len, unsigned as_size, bool *has_as0,
		       bool *has_confed)
{
	const uint8_t *end = p + len;
	*has_as0 = false;
	*has_confed = false;
	while (p < end) {
		if (end - p < 2)
			return false; /* RFC 7606 7.2: segment header overrun */
		uint8_t type = p[0], count = p[1];
		if (type < WIRE_AS_SET || type > WIRE_AS_CONFED_SET || count == 0)
			return false; /* unknown type, or zero-length segment */
		size_t n = (size_t)count * as_size;
		if (n > (size_t)(end - p - 2))
			return false; /* segment overrun */
		if (type >= WIRE_AS_CONFED_SEQUENCE)
			*has_confed = true;
		for (const uint8_t *a = p + 2; a < p + 2 + n; a += as_size)
			if ((as_size == 4 ? wire_get32(a) : wire_get16(a)) == 0)
				*has_as0 = true; /* RFC 7607 */
		p += 2 + n;
	}
	return true;
}

size_t wire_aspath_widen(const uint8_t *p, size_t len, uint8_t *out)
{
	const uint8_t *end = p + len;
	uint8_t *o = out;
	while (p < end) {
		uint8_t count = p[1];
		*o++ = p[0];
		*o++ = count;
		p += 2;
		for (unsigned i = 0; i < count; i++, p += 2, o += 4)
			wire_put32(o, wire_get16(p));
	}
	return (size_t)(o - out);
}

/* AS count for RFC 6793 4.2.3: a set counts as one, confederation segments as zero, as in
 * the path length of the decision process. */
static unsigned seg_weight(uint8_t type, uint8_t count)
{
	switch (type) {
	case WIRE_AS_SEQUENCE:
		return count;
	case WIRE_AS_SET:
		return 1;
	default:
		return 0;
	}
}

unsigned wire_aspath_length(const uint8_t *p, size_t len)
{
	if (len == 0)
		return 0; /* an absent path is (NULL, 0): no arithmetic on NULL */
	const uint8_t *end = p + len;
	unsigned n = 0;
	while (end - p >= 2) {
		n += seg_weight(p[0], p[1]);
		p += 2 + (size_t)p[1] * 4;
	}
	return n;
}

size_t wire_aspath_merge4(const uint8_t *path, size_t len, const uint8_t *as4, size_t as4_len,
			  uint8_t *out, size_t cap)
{
	unsigned n_path = wire_aspath_length(path, len);
	unsigned n_as4 = wire_aspath_length(as4, as4_len);
	if (n_path < n_as4) { /* RFC 6793 4.2.3: AS4_PATH is ignored */
		if (len > cap)
			return 0;
		memcpy(out, path, len);
		return len;
	}
	/* Keep the leading (n_path - n_as4) ASes of AS_PATH, then append AS4_PATH. A
	 * confederation segment is kept when it leads the path or follows a kept segment
	 * (RFC 6793 4.2.3), even when no AS at all is taken from AS_PATH. */
	unsigned keep = n_path - n_as4;
	const uint8_t *p = path, *end = path + len;
	uint8_t *o = out, *oend = out + cap;
	while (end - p >= 2 &&
	       (keep > 0 || p[0] == WIRE_AS_CONFED_SEQUENCE || p[0] == WIRE_AS_CONFED_SET)) {
		uint8_t type = p[0], count = p[1];
		unsigned w = seg_weight(type, count);
		uint8_t take = count;
		if (type == WIRE_AS_SEQUENCE && w > keep)
			take = (uint8_t)keep;
		if ((size_t)(oend - o) < 2 + (size_t)take * 4)
			return 0;
		o[0] = type;
		o[1] = take;
		memcpy(o + 2, p + 2, (size_t)take * 4);
		o += 2 + (size_t)take * 4;
		keep -= w < keep ? w : keep;
		p += 2 + (size_t)count * 4;
	}
	if ((size_t)(oend - o) < as4_len)
		return 0;
	memcpy(o, as4, as4_len);
	return (size_t)(o - out) + as4_len;
}

/* As wire.h promises, the leftmost AS_SEQUENCE: leading confederation segments (RFC 5065)
 * are skipped, so a route from a confederation peer still yields its neighbour AS. */
uint32_t wire_aspath_first_as(const uint8_t *p, size_t len)
{
	if (len == 0)
		return 0;
	const uint8_t *end = p + len;
	while (end - p >= 2 &&
	       (p[0] == WIRE_AS_CONFED_SEQUENCE || p[0] == WIRE_AS_CONFED_SET))
		p += 2 + (size_t)p[1] * 4;
	if (end - p < 6 || p[0] != WIRE_AS_SEQUENCE || p[1] == 0)
		return 0;
	return wire_get32(p + 2);
}

uint32_t wire_aspath_origin_as(const uint8_t *p, size_t len)
{
	if (len == 0)
		return 0;
	const uint8_t *end = p + len, *last = NULL;
	while (end - p >= 2) {
		last = p;
		p += 2 + (size_t)p[1] * 4;
	}
	if (!last || last[0] != WIRE_AS_SEQUENCE || last[1] == 0)
		return 0;
	return wire_get32(last + 2 + ((size_t)last[1] - 1) * 4);
}

bool wire_aspath_contains(const uint8_t *p, size_t len, uint32_t asn)
{
	if (len == 0)
		return false;
	const uint8_t *end = p + len;
	while (end - p >= 2) {
		const uint8_t *a = p + 2, *segend = a + (size_t)p[1] * 4;
		for (; a < segend && a < end; a += 4)
			if (wire_get32(a) == asn)
				return true;
		p = segend;
	}
	return false;
}

size_t wire_aspath_prepend(const uint8_t *path, size_t len, uint32_t asn, unsigned count,
			   uint8_t *out, size_t cap)
{
	uint8_t *o = out, *oend = out + cap;
	unsigned lead = (len >= 2 && path[0] == WIRE_AS_SEQUENCE) ? path[1] : 0;
	if (lead > 0 && count + lead <= 255) {
		/* Common case: the prepends join the leading AS_SEQUENCE. */
		size_t need = len + (size_t)count * 4;
		if (need > cap)
			return 0;
		o[0] = WIRE_AS_SEQUENCE;
		o[1] = (uint8_t)(count + lead);
		o += 2;
		for (unsigned i = 0; i < count; i++, o += 4)
			wire_put32(o, asn);
		memcpy(o, path + 2, len - 2);
		return need;
	}
	while (count > 0) { /* segments of at most 255 ASes in front of the path */
		unsigned n = count < 255 ? count : 255;
		if ((size_t)(oend - o) < 2 + (size_t)n * 4)
			return 0;
		o[0] = WIRE_AS_SEQUENCE;
		o[1] = (uint8_t)n;
		o += 2;
		for (unsigned i = 0; i < n; i++, o += 4)
			wire_put32(o, asn);
		count -= n;
	}
	if ((size_t)(oend - o) < len)
		return 0;
	if (len)
		memcpy(o, path, len); /* path may be NULL when len is 0 */
	return (size_t)(o - out) + len;
}
