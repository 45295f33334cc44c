/* bmp-int.h: the BMP runtime's private types, shared by bmp.c (the BMP thread and the
 * collector queues) and feed.c (the decision thread's side: table dumps, Loc-RIB). */
#ifndef ROUTEX_BMP_INT_H
#define ROUTEX_BMP_INT_H

#include <pthread.h>

#include <routex/bmp.h>

/* A queue entry: a message, or a marker from the decision thread. */
enum bmp_qkind {
	BMP_Q_MSG,
	BMP_Q_SYNC,	/* what follows belongs to the session of generation gen */
	BMP_Q_OVERFLOW, /* the producer dropped a message: reset the session */
};

struct bmp_qent {
	struct mpsc_node node;
	uint8_t kind;
	uint32_t gen;
	struct bmp_msg *m;
};

enum bmp_cstate { BMP_C_IDLE, BMP_C_CONNECTING, BMP_C_UP };

#define BMP_IOV 64

struct bmp_collector {
	struct bmp *b;
	struct bmp_collector_conf conf;
	struct mpsc_queue q;
	size_t queued;	  /* A: bytes in q and not yet written; relaxed (a bound, not a sync) */
	uint32_t gen;	  /* A: the current session's generation; release/acquire */
	uint64_t dropped; /* A: messages dropped (relaxed counters) */
	uint64_t resets, connects, sent;
	int dump_wait; /* A: the decision thread waits for the queue to drain (dump) */
	int overflow;  /* A: a message was dropped: reset now, without writing the rest */
	/* Decision thread (W). */
	bool live_w; /* queueing to it: its session is synced */
	uint32_t gen_w;
	bool dumping_w;
	uint8_t dump_fam_w; /* 0: IPv4, 1: IPv6, 2: done */
	bool have_cursor_w;
	uint64_t stats_due_w; /* ms: next Statistics Report; 0: at the first tick */
	struct rx_prefix cursor_w;
	/* BMP thread (T:bmp). */
	enum bmp_cstate state;
	int fd;
	uint32_t gen_t;
	bool skipping; /* discard queued entries until the SYNC of gen_t */
	/* Being written, in order, with one writev: BMP_IOV entries per system call (one
	 * send per message cost more than the encoding in a full-table load). */
	struct bmp_qent *pend[BMP_IOV];
	unsigned npend;
	size_t pend_off; /* bytes of pend[0] already written */
	struct mpsc_batch batch;
	bool have_batch;
	uint64_t retry_at; /* ms, CLOCK_MONOTONIC */
	unsigned backoff_s;
	char name[64]; /* address and port, for logs */
};

/* What the decision thread knows of a source (a BGP peer) for BMP. */
struct bmp_src {
	struct bmp_msg *up; /* W: its Peer Up while established, else NULL */
	struct bmp_peer_hdr hdr;
	uint8_t families; /* RX_FAM_BIT()s negotiated: End-of-RIB after a dump */
};

struct bmp {
	struct bmp_params p;
	char *sys_name, *sys_descr;
	struct bmp_collector *c; /* W: replaced by bmp_set_collectors_w only */
	size_t n;
	uint32_t epoch;		     /* W: bumped when the collector set changes */
	int prepolicy;		     /* A: relaxed */
	struct bmp_totals own, *tot; /* tot: the params' or own */
	struct bmp_src *src;	     /* W: indexed by RIB source */
	size_t nsrc;
	/* The thread. */
	pthread_t thread;
	bool running;
	int stop_efd;
	int stop; /* A */
};

/* A request the BMP thread sends to the decision thread (bmp_params.defer). */
enum bmp_req_kind { BMP_REQ_SYNC, BMP_REQ_DOWN, BMP_REQ_DUMP };
struct bmp_req {
	struct bmp *b;
	uint32_t epoch;
	size_t idx;
	uint32_t gen;
	uint8_t kind;
};

/* bmp.c: queues a message to a collector (decision thread; takes a reference). */
void bmp_enqueue_w(struct bmp_collector *c, struct bmp_msg *m);
void bmp_marker_w(struct bmp_collector *c, uint8_t kind, uint32_t gen);
/* feed.c */
void bmp_sync_w(struct bmp *b, struct bmp_collector *c);
void bmp_dump_step_w(struct bmp *b, struct bmp_collector *c);

#endif
