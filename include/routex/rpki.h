/* rpki.h: RPKI route origin validation (RFC 6811) with ROAs from RTR caches (RFC 8210)
 * through librtr's rtr_mgr (src/rpki/). docs/rpki.md has the design.
 *
 * Synchronisation table:
 *   rpki_origin_as, rpki_state   pure, any thread.
 *   rpki_new, rpki_start,        main thread (start-up and shutdown); rpki_free stops
 *   rpki_free                    librtr's threads, so no callback runs after it returns.
 *   rpki_validate                any thread, concurrently with librtr's updates (librtr's
 *                                pfx_table has its own read-write lock).
 *   rpki_take                    the consumer (the decision thread), concurrently with
 *                                librtr's threads appending ROA changes (a mutex).
 *   rpki_show                    any thread: reads counters and states that librtr's
 *                                threads publish with relaxed atomics (display values).
 * The notify callback given to rpki_new runs on a librtr thread when ROA changes wait to be
 * taken (after each cache response; see rtr.c); it must not block. */
#ifndef ROUTEX_RPKI_H
#define ROUTEX_RPKI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <routex/conf-t.h>
#include <routex/prefix.h>

/* ---- pure (origin.c) ---- */

/* RFC 6811 2: the route's origin AS: the last AS of the AS_PATH when its final segment is an
 * AS_SEQUENCE; own_as when the path is empty or ends in a confederation segment (a route
 * from inside our AS or confederation); false ("NONE") when it ends in an AS_SET. aspath is
 * in routex's 4-octet segment form. */
bool rpki_origin_as(const uint8_t *aspath, size_t len, uint32_t own_as, uint32_t *origin);

/* What the ROA table says of (prefix, origin): no VRP covers it, a VRP matches, or VRPs
 * cover it but none matches. */
enum rpki_verdict { RPKI_NOT_FOUND, RPKI_VALID, RPKI_INVALID };
/* The enum rib_rpki state of a route from the table's verdict for (prefix, asn), where asn
 * is the origin AS, or 0 for NONE: a VRP can never match NONE, and RFC 6483 4 AS 0 VRPs
 * can never match anything, so "valid" for AS 0 is invalid (covered, not matched). */
uint8_t rpki_state(enum rpki_verdict v, uint32_t asn);
const char *rpki_state_name(uint8_t rib_rpki);

/* ---- RTR client (rtr.c; a stub without librtr) ---- */

/* A ROA change, as librtr reports it (one VRP added to or removed from the table). */
struct rpki_roa {
	struct rx_prefix p;
	uint8_t max_len;
	bool added;
	uint32_t asn;
};

typedef void (*rpki_notify_fn)(void *ctx);
struct rpki;

/* Built with librtr? */
bool rpki_supported(void);
/* NULL with a reason in err when it cannot be built (no librtr, or librtr refuses). */
struct rpki *rpki_new(const struct conf_rpki *c, rpki_notify_fn notify, void *ctx, char *err,
		      size_t errlen);
/* Starts librtr's threads: connections, then ROAs flow in. */
bool rpki_start(struct rpki *r, char *err, size_t errlen);
void rpki_free(struct rpki *r);
/* enum rib_rpki state (never RIB_RPKI_NONE) of prefix p with this AS path. */
uint8_t rpki_validate(struct rpki *r, const struct rx_prefix *p, const uint8_t *aspath,
		      size_t len, uint32_t own_as);
/* Takes every ROA change reported since the last call: *v (free() it) and the count. */
size_t rpki_take(struct rpki *r, struct rpki_roa **v);
/* Counters for the metrics endpoint (any thread; display values). */
struct rpki_stats {
	size_t roas[2];	  /* VRPs in the table, IPv4 and IPv6 */
	uint64_t changes; /* VRP additions and removals since start */
	size_t caches;	  /* configured caches: rpki_cache takes 0 .. caches - 1 */
};
void rpki_stats(struct rpki *r, struct rpki_stats *s);
/* Cache i: its "address port" label, whether it is in sync, its serial. */
void rpki_cache(struct rpki *r, size_t i, char *name, size_t len, bool *in_sync,
		uint32_t *serial);
/* RTR sessions and ROA counts, as text or a JSON object. */
void rpki_show(struct rpki *r, FILE *out, bool json);

#endif
