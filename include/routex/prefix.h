/* prefix.h: the IPv4/IPv6 prefix type used by the codec, the RIB and every tool.
 *
 * Design: the address is kept in network byte order, left-aligned in 16 bytes, so that NLRI
 * bytes copy straight in (no byte swapping on the parse hot path) and memcmp gives address
 * order. Total order: AFI, then address, then length (so 10.0.0.0/8 < 10.0.0.0/16 < 10.1/16).
 * A prefix is canonical when every bit after `len` is zero; rx_prefix_mask() makes it so. */
#ifndef ROUTEX_PREFIX_H
#define ROUTEX_PREFIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Address family identifiers, with their IANA (wire) values. */
#define RX_AFI_IPV4 1
#define RX_AFI_IPV6 2
#define RX_SAFI_UNICAST 1
#define RX_SAFI_MULTICAST 2

/* Longest text form: an IPv6 address (45 with an embedded IPv4 form) plus "/128" and NUL. */
#define RX_PREFIX_STRLEN 52

struct rx_prefix {
	uint8_t afi;      /* RX_AFI_IPV4 or RX_AFI_IPV6 */
	uint8_t len;      /* 0..32 or 0..128 */
	uint8_t addr[16]; /* network order; IPv4 uses addr[0..3], the rest stays zero */
};

static inline unsigned rx_afi_bits(uint8_t afi)
{
	return afi == RX_AFI_IPV4 ? 32 : 128;
}

/* Bit `i` (0 = most significant) of the address. */
static inline unsigned rx_prefix_bit(const struct rx_prefix *p, unsigned i)
{
	return (p->addr[i >> 3] >> (7 - (i & 7))) & 1;
}

int rx_prefix_cmp(const struct rx_prefix *a, const struct rx_prefix *b);
bool rx_prefix_equal(const struct rx_prefix *a, const struct rx_prefix *b);
/* Zero every address bit after len. */
void rx_prefix_mask(struct rx_prefix *p);
bool rx_prefix_is_canonical(const struct rx_prefix *p);
/* True when `outer` covers `inner` (same AFI, outer->len <= inner->len, same leading bits). */
bool rx_prefix_contains(const struct rx_prefix *outer, const struct rx_prefix *inner);
/* Parses "a.b.c.d/n", "x::y/n", or a bare address (host route). Host bits must be zero
 * unless allow_host_bits; returns false on any syntax error. */
bool rx_prefix_parse(const char *s, struct rx_prefix *out, bool allow_host_bits);
/* Writes the text form; returns its length (snprintf semantics). */
int rx_prefix_fmt(const struct rx_prefix *p, char *buf, size_t size);
/* Address only (no /len), as inet_ntop would print it. */
int rx_addr_fmt(uint8_t afi, const uint8_t *addr, char *buf, size_t size);

#endif
