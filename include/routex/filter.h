/* filter.h: import filters of an IXP route server (src/core/filter.c), applied by the I/O
 * threads as UPDATEs are parsed, before anything reaches the decision thread.
 *
 * - Bogon prefixes (peer key `filter-bogons`): special-purpose and unallocated space that
 *   must never be routed between networks (RFC 6890 registries: private, shared, loopback,
 *   link-local, documentation, benchmarking, multicast, reserved), the default routes, and
 *   prefixes more specific than /24 (IPv4) or /48 (IPv6) or less specific than /8 or /16,
 *   the limits IXP route servers apply.
 * - Bogon ASNs in the AS_PATH (same key): 0 (RFC 7607), AS_TRANS 23456 (RFC 6793), the
 *   documentation, private and reserved ranges (RFC 5398, 6996, 7300, and IANA's reserved
 *   65552-131071): a path through them is leaked or forged.
 * - AS path length (peer key `max-as-path-length`): longer paths are refused (prepending
 *   storms, RFC 9319's advice).
 * A filtered prefix is handled as withdrawn (RFC 7606 treat-as-withdraw semantics): if the
 * peer had it accepted before, it goes. Pure functions, any thread. */
#ifndef ROUTEX_FILTER_H
#define ROUTEX_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <routex/prefix.h>

/* Why a route is filtered, or FILTER_OK. */
enum filter_reason {
	FILTER_OK,
	FILTER_BOGON_PREFIX,
	FILTER_PREFIX_LENGTH,
	FILTER_BOGON_ASN,
	FILTER_AS_PATH_LENGTH,
};

const char *filter_reason_name(enum filter_reason r);
/* A bogon prefix or one outside the length limits. */
enum filter_reason filter_prefix(const struct rx_prefix *p);
bool filter_bogon_asn(uint32_t asn);
/* The AS path (4-octet segment form of struct wire_attrs): a bogon ASN, or longer than
 * max_len (0: no limit; RFC 4271 9.1.2.2 length, a set counting as one). */
enum filter_reason filter_aspath(const uint8_t *path, size_t len, bool bogons, unsigned max_len);

#endif
