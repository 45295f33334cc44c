/* bmp.h: the BMP exporter (RFC 7854, RFC 9069 Loc-RIB; src/bmp/): pure message encoders,
 * and the runtime that streams peer state and routes to the configured collectors.
 *
 * Synchronisation:
 *   bmp_*_encode, bmp_msg_*        any thread (pure; refcount atomic)
 *   bmp_prepolicy                  any thread (a relaxed load: a hint, see bmp.c)
 *   *_w                            the decision thread only: it is the one producer of every
 *                                  collector's queue, so what a collector receives is
 *                                  ordered like the RIB changes (docs/bmp.md)
 *   bmp_new, bmp_free              the owner, with no other user
 * The BMP thread (one per daemon, started with the first collector) owns the collector
 * sockets and is the one consumer of their queues. */
#ifndef ROUTEX_BMP_H
#define ROUTEX_BMP_H

#include <routex/bmp-t.h>

struct rib;
struct rib_changes;
struct export_state;

/* ---- Encoders: write into buf, return the length written or 0 when cap is too small ---- */

size_t bmp_common_put(uint8_t *buf, size_t cap, uint8_t type, uint32_t len);
size_t bmp_peer_hdr_put(uint8_t *buf, size_t cap, const struct bmp_peer_hdr *h);
/* Reads a per-peer header (BMP_PEER_HDR_LEN octets) back. */
void bmp_peer_hdr_get(const uint8_t *buf, struct bmp_peer_hdr *h);
/* An information TLV: 2-octet type, 2-octet length, value. */
size_t bmp_tlv_put(uint8_t *buf, size_t cap, uint16_t type, const void *value, size_t len);
/* Initiation with sysDescr and sysName TLVs (RFC 7854 4.3, 4.4). */
size_t bmp_initiation_encode(uint8_t *buf, size_t cap, const char *sys_name, const char *sys_descr);
/* Termination with a reason TLV and, if text is not NULL, a string TLV (4.5). */
size_t bmp_termination_encode(uint8_t *buf, size_t cap, uint16_t reason, const char *text);
/* Peer Up (4.10): local address (16 octets, IPv4 in the last four), ports, the OPEN sent and
 * the OPEN received (whole BGP messages), and a VRF/Table Name TLV when table is not NULL
 * (RFC 9069 5.3). */
size_t bmp_peer_up_encode(uint8_t *buf, size_t cap, const struct bmp_peer_hdr *h,
			  const uint8_t local_addr[16], uint16_t local_port, uint16_t remote_port,
			  const uint8_t *open_sent, size_t sent_len, const uint8_t *open_recv,
			  size_t recv_len, const char *table);
/* Peer Down (4.9): reason and its data (a NOTIFICATION message, or a 2-octet FSM event). */
size_t bmp_peer_down_encode(uint8_t *buf, size_t cap, const struct bmp_peer_hdr *h, uint8_t reason,
			    const uint8_t *data, size_t data_len);
/* Route Monitoring (4.6): the per-peer header and one whole BGP UPDATE message. */
size_t bmp_route_monitoring_encode(uint8_t *buf, size_t cap, const struct bmp_peer_hdr *h,
				   const uint8_t *update, size_t len);
/* Statistics Report (4.8) of n 64-bit gauges or 32-bit counters: types[i], and values[i]
 * written as 8 octets when wide[i], else 4. */
size_t bmp_stats_encode(uint8_t *buf, size_t cap, const struct bmp_peer_hdr *h, size_t n,
			const uint16_t *types, const uint64_t *values, const bool *wide);

/* The per-peer header's timestamp: now (CLOCK_REALTIME). */
void bmp_hdr_stamp(struct bmp_peer_hdr *h);

/* ---- Shared messages ---- */
struct bmp_msg *bmp_msg_new(const uint8_t *data, size_t len);
void bmp_msg_ref(struct bmp_msg *m);
void bmp_msg_unref(struct bmp_msg *m);

/* ---- Runtime ---- */
struct bmp;
typedef void (*bmp_run_fn)(void *arg);
/* Runs fn(arg) on the decision thread, later (the daemon queues it as a control message). */
typedef void (*bmp_defer_fn)(void *ctx, bmp_run_fn fn, void *arg);

struct bmp_params {
	const char *sys_name, *sys_descr;
	uint32_t asn;
	uint32_t router_id; /* host order */
	bool has_nexthop6;  /* next-hop-ipv6: the next hop of originated IPv6 routes */
	uint8_t nexthop6[16];
	struct rib *rib; /* walked on the decision thread (dumps) */
	bmp_defer_fn defer;
	void *defer_ctx;
	struct bmp_totals *totals; /* where to publish the counters; NULL: kept inside */
};

struct bmp *bmp_new(const struct bmp_params *p);
/* Frees a request handed to bmp_params.defer that will never run (the daemon stops). */
void bmp_request_free(void *arg);
/* Stops the thread (collectors get Termination) and frees everything. */
void bmp_free(struct bmp *b);
/* Decision thread: replaces the collectors (start-up, reload). The old ones get a
 * Termination; each new one is connected and, once up, sent the current state. */
void bmp_set_collectors_w(struct bmp *b, const struct bmp_collector_conf *c, size_t n);
/* Whether the I/O threads should build pre-policy Route Monitoring messages at all: false
 * (one relaxed load per UPDATE) while no collector monitors pre-policy. */
bool bmp_prepolicy(const struct bmp *b);

/* Decision thread, in the order of the RIB's own changes. Each takes ownership of msg. */
void bmp_peer_up_w(struct bmp *b, uint16_t src, const struct bmp_peer_hdr *h, uint8_t families,
		   struct bmp_msg *up);
void bmp_peer_down_w(struct bmp *b, uint16_t src, struct bmp_msg *down);
void bmp_route_w(struct bmp *b, uint16_t src, struct bmp_msg *rm);
/* Loc-RIB changes (the RIB's change log, before it is released). */
void bmp_locrib_w(struct bmp *b, const struct rib_changes *c);
/* Timers (the decision thread calls it about once a second): Statistics Reports that are
 * due at now_ms (CLOCK_MONOTONIC). */
void bmp_tick_w(struct bmp *b, uint64_t now_ms);

/* Counters, for tests and logs (relaxed reads). */
struct bmp_counters {
	uint64_t queued, dropped, resets, connects;
};
void bmp_counters(const struct bmp *b, size_t collector, struct bmp_counters *out);

#endif
