/* bmp-t.h: types of the BGP Monitoring Protocol exporter (RFC 7854, RFC 9069; src/bmp/).
 * Prototypes are in bmp.h; the design is in docs/bmp.md. */
#ifndef ROUTEX_BMP_T_H
#define ROUTEX_BMP_T_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <routex/mpsc.h>
#include <routex/prefix.h>

#define BMP_VERSION	 3
#define BMP_COMMON_LEN	 6  /* version, length, type (RFC 7854 4.1) */
#define BMP_PEER_HDR_LEN 42 /* RFC 7854 4.2 */

/* Message types (RFC 7854 4.1). */
enum bmp_type {
	BMP_ROUTE_MONITORING = 0,
	BMP_STATS_REPORT = 1,
	BMP_PEER_DOWN = 2,
	BMP_PEER_UP = 3,
	BMP_INITIATION = 4,
	BMP_TERMINATION = 5,
};

/* Peer types (RFC 7854 4.2; 3 is RFC 9069's Loc-RIB instance). */
enum bmp_peer_type {
	BMP_PEER_GLOBAL = 0,
	BMP_PEER_LOC_RIB = 3,
};

/* Per-peer header flags (RFC 7854 4.2; F: RFC 9069 4.2, where it is the same top bit as V,
 * whose meaning depends on the peer type). */
#define BMP_F_V 0x80 /* the peer address is IPv6 */
#define BMP_F_L 0x40 /* post-policy Adj-RIB-In */
#define BMP_F_A 0x20 /* the UPDATE uses the legacy 2-octet AS_PATH */
#define BMP_F_F 0x80 /* Loc-RIB: filtered */

/* Statistics Report types used (RFC 7854 4.8). */
#define BMP_STAT_ADJ_RIB_IN 7 /* 64-bit gauge: routes in the peer's Adj-RIB-In */
#define BMP_STAT_LOC_RIB    8 /* 64-bit gauge: routes in the Loc-RIB */

/* Information TLVs (Initiation: RFC 7854 4.4; Peer Up: 4.10; RFC 9069 5.3). */
#define BMP_INFO_STRING	    0
#define BMP_INFO_SYSDESCR   1
#define BMP_INFO_SYSNAME    2
#define BMP_INFO_TABLE_NAME 3 /* RFC 9069: VRF/Table Name */

/* Termination TLVs and reasons (RFC 7854 4.5). */
#define BMP_TERM_STRING		  0
#define BMP_TERM_REASON		  1
#define BMP_TERM_ADMIN_CLOSE	  0
#define BMP_TERM_UNSPECIFIED	  1
#define BMP_TERM_OUT_OF_RESOURCES 2

/* Peer Down reasons (RFC 7854 4.9). */
#define BMP_DOWN_LOCAL_NOTIFY	  1 /* data: the NOTIFICATION we sent */
#define BMP_DOWN_LOCAL_NO_NOTIFY  2 /* data: 2-octet FSM event code (0: none defined) */
#define BMP_DOWN_REMOTE_NOTIFY	  3 /* data: the NOTIFICATION received */
#define BMP_DOWN_REMOTE_NO_NOTIFY 4
#define BMP_DOWN_DECONFIGURED	  5

/* What a collector is sent (config `monitor:`). Peer Up/Down always go. */
#define BMP_MON_PRE_POLICY 0x1
#define BMP_MON_LOC_RIB	   0x2

/* Tunables. A collector's queue holds at most BMP_QUEUE_MAX bytes: past it the decision
 * thread stops queueing to it and the session is reset, so a slow collector costs memory
 * bounded by this and never slows BGP (a full table of 1M prefixes is about 100 MB as BMP:
 * the table dump is paced by BMP_QUEUE_LOW instead). */
#define BMP_QUEUE_MAX	  (64u << 20)
#define BMP_QUEUE_LOW	  (8u << 20)
#define BMP_DUMP_CHUNK	  4096u /* prefixes per table dump step on the decision thread */
#define BMP_BACKOFF_MIN_S 1
#define BMP_BACKOFF_MAX_S 30

/* The per-peer header (RFC 7854 4.2). */
struct bmp_peer_hdr {
	uint8_t type;  /* enum bmp_peer_type */
	uint8_t flags; /* BMP_F_* */
	uint64_t distinguisher;
	uint8_t addr[16]; /* IPv6, or IPv4 in the last four octets; zero for Loc-RIB */
	uint32_t asn;
	uint32_t bgp_id; /* host order */
	uint32_t ts_sec, ts_usec;
};

/* An encoded BMP message, immutable and shared by every collector queue it is in. */
struct bmp_msg {
	int refs; /* A: acq_rel on the last unref so the freeing thread sees all reads done */
	uint32_t len;
	uint8_t data[];
};

/* Counters over every collector, published for readers (the metrics thread). A: relaxed
 * (display values); written by the BMP thread and, for drops, the decision thread. */
struct bmp_totals {
	uint64_t collectors; /* configured */
	uint64_t up;	     /* sessions up */
	uint64_t connects;   /* sessions opened */
	uint64_t resets;     /* sessions closed by routexd: write error, or a drop */
	uint64_t sent;	     /* messages written */
	uint64_t dropped;    /* messages dropped at a full queue */
};

/* One collector (config `bmp:` entry). */
struct bmp_collector_conf {
	uint8_t afi;
	uint8_t addr[16];
	uint16_t port;
	uint8_t monitor;  /* BMP_MON_* */
	uint32_t stats_s; /* seconds between Statistics Reports; 0: none */
};

#endif
