/* daemon-t.h: the routexd context (types only; prototypes in daemon.h).
 *
 * Everything the daemon owns hangs off one struct rx_daemon, so tests can build as many as
 * they like; there is no other mutable global state.
 *
 * Threads and ownership:
 *   main thread      builds the context, starts and stops the others, handles signals
 *   I/O threads      struct io_loop each; own their peers' sessions (rx_peer.io, T:io) and
 *                    turn UPDATEs into struct rde_msg for the decision thread
 *   decision thread  owns the RIB and the export groups (W); applies rde_msg in order;
 *                    packs UPDATEs and queues them to the I/O threads
 *   control thread   answers routexctl: RCU reads of the Loc-RIB, atomic peer counters;
 *                    requests that change state go to the decision thread as rde_msg
 *   metrics thread   answers scrapes from published counters only (rx_peer "Published
 *                    for readers", struct rde_stats, session counters): no lock, no RCU
 *   BMP thread       (src/bmp, with `bmp:` collectors) owns the collector sockets and
 *                    writes what the decision thread queued for them (docs/bmp.md) */
#ifndef ROUTEX_DAEMON_T_H
#define ROUTEX_DAEMON_T_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <routex/bmp-t.h>
#include <routex/conf-t.h>
#include <routex/export.h>
#include <routex/io.h>
#include <routex/metrics-t.h>
#include <routex/mpsc.h>
#include <routex/mrtlog.h>
#include <routex/rib-t.h>
#include <routex/rpki.h>

struct rx_daemon;

struct rx_peer {
	uint16_t src;              /* RIB source index (1 ..) */
	uint8_t role;              /* enum rib_role; A: relaxed (reload may change it) */
	const struct conf_peer *conf; /* A: acquire/release; swapped by reload, the old config
				       * stays alive until exit (daemon.old_confs) */
	struct rx_daemon *d;
	bool removed;              /* A: relaxed; de-configured by a reload (slot kept) */
	struct io_peer io;         /* T:io */
	/* Published for readers (control socket, metrics). A: relaxed; display values. */
	int state;                 /* enum fsm_state */
	int64_t up_since;          /* wall-clock seconds of the last Established, 0: down */
	size_t received;           /* prefixes in the Adj-RIB-In */
	size_t accepted;           /* of those, in the Loc-RIB candidates (after policy) */
	size_t advertised;         /* prefixes the peer is sent */
	uint64_t rejected;         /* announcements refused (AS loop, limits) */
	uint64_t flaps;            /* sessions lost */
	bool out_limited;          /* max-prefixes-out reached: routes are being withheld */
	struct bmp_peer_hdr bmp_hdr; /* T:io: BMP per-peer header of the current session */
	const char *last_reason;   /* static text of the last session loss */
	uint8_t last_code, last_subcode;
	struct mrt_bgp4mp_peer mrt_hdr; /* T:io: the MRT message log's peer fields of the
				    * current connection, valid when mrt_hdr_ok */
	bool mrt_hdr_ok;           /* T:io */
	uint32_t bgp_id;           /* BGP identifier of its last session, host order; 0: none
				    * yet (MRT dumps name it in their peer table) */
	/* Decision thread (W). */
	bool up_w;
	bool limit_hit_w;          /* max-prefixes passed: the session is being closed */
	struct export_key key_w;
	bool stale_w;              /* graceful restart: its routes are kept as stale */
	uint8_t eor_pending_w;     /* families whose End-of-RIB ends the stale period */
	uint64_t stale_until_w;    /* ms (CLOCK_MONOTONIC): stale routes go then */
};

/* Messages to the decision thread. One per UPDATE, or per peer event. */
enum rde_kind {
	RDE_UPDATE,
	RDE_PEER_UP,
	RDE_PEER_DOWN,
	RDE_REFRESH,    /* the peer asked for our routes again (RFC 2918) */
	RDE_EOR,        /* the peer's End-of-RIB for a family (RFC 4724 2) */
	RDE_CTL,        /* a control request to run on the decision thread */
	RDE_BMP,        /* an UPDATE as received, as a BMP Route Monitoring message (bmp) */
	RDE_STOP,
};

struct rde_pfx {
	struct rx_prefix p;
	uint32_t path_id;
};

struct rde_msg {
	struct mpsc_node node;
	uint8_t kind;              /* enum rde_kind */
	uint16_t src;
	uint32_t n_ann, n_wd;      /* UPDATE: announced, then withdrawn, in pfx[] */
	struct attr_buf attrs;     /* UPDATE with n_ann > 0; data points after pfx[] */
	struct export_key key;     /* PEER_UP */
	uint32_t router_id;        /* PEER_UP */
	bool peer_gr;              /* PEER_UP: the new session announced graceful restart */
	bool graceful;             /* PEER_DOWN: keep the routes as stale (RFC 4724 4.2) */
	uint16_t restart_time;     /* PEER_DOWN: seconds the peer asked us to wait */
	uint8_t family;            /* EOR: enum rx_family */
	void (*run)(struct rx_daemon *d, void *arg); /* CTL: runs on the decision thread */
	void *arg;
	struct bmp_msg *bmp;       /* PEER_UP: BMP Peer Up; PEER_DOWN: Peer Down; BMP: the RM.
				    * The decision thread hands it to src/bmp (or drops it). */
	struct rde_pfx pfx[];
};

/* What the decision thread publishes for the metrics thread, once per loop iteration
 * (after every batch, and at least every second when idle). A: relaxed stores by the
 * decision thread, relaxed loads by readers: each value is exact when stored; a scrape
 * may mix two iterations, which its counters and gauges tolerate. */
struct rde_stats {
	uint64_t batches;            /* queue takes that found messages */
	uint64_t msgs;               /* messages applied */
	uint64_t prefixes;           /* prefixes announced or withdrawn by those messages */
	uint64_t rib_prefixes[2];    /* [0] IPv4, [1] IPv6, as struct rib_stats */
	uint64_t rib_paths[2];
	uint64_t rib_nodes[2];
	uint64_t rib_node_bytes[2];  /* held by the trees: pool slabs and malloc'd nodes */
	uint64_t rib_key_bytes;      /* peers' prefix lists */
	uint64_t attr_sets, attr_bytes;
	uint64_t retired_pending;    /* retired, not yet freed (grace period not over) */
	uint64_t updates_packed;     /* UPDATE messages export built */
	uint64_t routes_withheld;
	struct metrics_hist decide;  /* time per slice of applied messages, export excluded */
	struct metrics_hist export_; /* time per export of the change log */
};

/* Peer slots: peers[i]->src == i + 1. Slots are appended by reload (release store of the
 * pointer, then of npeers) and never reused or freed while running, so readers on any thread
 * may walk 0 .. npeers (acquire) without a lock. */
#define DAEMON_MAX_PEERS (RIB_MAX_PEERS - 1)

struct rx_daemon {
	struct conf_daemon *conf;  /* A: acquire/release; replaced by reload */
	struct conf_daemon **old_confs; /* W: every replaced config, freed at exit */
	size_t n_old_confs;
	struct rx_peer **peers;    /* DAEMON_MAX_PEERS slots */
	size_t npeers;             /* A */
	struct io_loop *loops;
	unsigned nloops;
	unsigned nloops_ready;     /* initialised, for a clean stop after a failed start */
	struct io_loop **loop_ptrs;
	uint8_t **ingest_buf;      /* per I/O thread: attr_encode scratch (ATTR_BUF_MAX), then
				    * the import maps' set actions (POLICY_APPLY_BUF) */
	struct mpsc_queue rdeq;    /* to the decision thread */
	pthread_t rde_thread;
	bool rde_running;
	bool rde_stopping;         /* A: set by rde_stop; relaxed, it only makes the decision
				    * thread leave its backlog sooner (RDE_STOP still wakes it) */
	struct rib rib;            /* W */
	struct export_state exp;   /* W, and X while an export job runs (struct rde_exporter) */
	/* The export worker (rde.c): the decision thread hands it one slice's change log at a
	 * time and applies the next slice meanwhile. The export state is the worker's while a
	 * job runs (X) and the decision thread's otherwise: the decision thread waits for the
	 * job (rde_export_wait_w) before any other use of it. */
	struct rde_exporter {
		pthread_t thread;
		bool running;
		pthread_mutex_t mu;
		pthread_cond_t cv;
		bool has_job;             /* under mu: job is to be exported or is being */
		bool stop;                /* under mu */
		struct rib_changes job;   /* W when !has_job, X otherwise; released by W */
		uint64_t ns;              /* X: time the job took */
	} exporter;
	struct bmp *bmp;           /* BMP exporter (src/bmp); always there, idle without
				    * collectors */
	struct bmp_totals bmp_totals; /* A: its counters, for the metrics thread */
	struct rpki *rpki;         /* NULL: RPKI off; see rpki.h for its threads */
	struct mrtlog *mrtlog;     /* the BGP4MP message log (mrtlog.h); always there, idle
				    * without `mrt-log` */
	bool exchange;             /* A: route exchange state, relaxed (display) */
	uint64_t batches;          /* W */
	bool started;              /* peers added from now on go straight to an I/O thread */
	int stop;                  /* A */
	uint64_t rdeq_pushed;      /* A: relaxed RMW; messages pushed to rdeq (a gauge's half) */
	/* Backpressure (io_loop.backlog): prefixes queued to the decision thread, as prefixes
	 * pushed (A: relaxed RMW by I/O threads) minus prefixes applied (A: relaxed store by
	 * the decision thread). Relaxed: a stale value only moves a pause by a few messages. */
	uint64_t rdeq_prefixes_in;
	uint64_t rdeq_prefixes_out;
	uint64_t export_ns_w;      /* W: export time inside the current slice */
	struct rde_stats stats;    /* A: see struct rde_stats */
	/* The metrics endpoint, NULL when off. Main thread at start and exit; in between the
	 * decision thread (reload) opens, moves and closes it. */
	struct metrics_server *metrics;
	int64_t start_time;        /* wall-clock seconds of daemon_init */
};

#endif
