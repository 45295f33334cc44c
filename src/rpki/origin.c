/* origin.c: the pure part of origin validation: which AS originated a route (RFC 6811 2)
 * and how the ROA table's verdict becomes a path's state. No librtr here, so it is unit
 * tested on its own. */
#include <routex/rib-t.h>
#include <routex/rpki.h>
#include <routex/wire-t.h>

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

bool rpki_origin_as(const uint8_t *aspath, size_t len, uint32_t own_as, uint32_t *origin)
{
	const uint8_t *last = NULL, *p = aspath, *end = aspath + len;
	/* Segments were validated by the codec; a count of 0 is legal but carries no AS. */
	while (end - p >= 2 && (size_t)(end - p) >= 2 + (size_t)p[1] * 4) {
		if (p[1])
			last = p;
		p += 2 + (size_t)p[1] * 4;
	}
	if (!last || last[0] == WIRE_AS_CONFED_SEQUENCE || last[0] == WIRE_AS_CONFED_SET) {
		*origin = own_as; /* our AS or confederation originated it */
		return true;
	}
	if (last[0] != WIRE_AS_SEQUENCE)
		return false; /* AS_SET: NONE */
	*origin = get32(last + 2 + ((size_t)last[1] - 1) * 4);
	return true;
}

uint8_t rpki_state(enum rpki_verdict v, uint32_t asn)
{
	switch (v) {
	case RPKI_VALID:
		return asn == 0 ? RIB_RPKI_INVALID : RIB_RPKI_VALID;
	case RPKI_INVALID:
		return RIB_RPKI_INVALID;
	case RPKI_NOT_FOUND:
	default:
		return RIB_RPKI_NOT_FOUND;
	}
}

const char *rpki_state_name(uint8_t s)
{
	static const char *const names[] = {"none", "not-found", "valid", "invalid"};
	return s < 4 ? names[s] : "?";
}
