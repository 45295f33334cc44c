/* run.h: the session loop of routex-bench (run.c): feeders, monitors, and their sockets. */
#ifndef ROUTEX_BENCH_RUN_H
#define ROUTEX_BENCH_RUN_H

#include <pthread.h>

#include "bench.h"

struct loop;

/* What a receiving side (monitor, or a feeder whose input is tracked) holds. */
struct monitor {
	unsigned idx;
	uint32_t addr, asn;  /* host order */
	struct pset set;
	struct pset_ops ops; /* the read batch's prefixes, applied when it ends (run.c) */
	size_t target;       /* count that completes the current phase */
	bool has_target;
	uint64_t done_ns;    /* last time count reached target in this phase; 0: not now */
	uint64_t updates_in, nlri_in, withdrawn_in;
	uint64_t last_rx_ns;
	uint64_t eor_in;
	uint64_t rx_busy_ns; /* time spent reading and decoding (the harness's own cost) */
	int listen_fd;       /* --server none: where feeders connect */
	struct loop *loop;   /* the loop its sessions live in (its lock guards the fields above) */
};

struct feeder {
	unsigned idx;
	uint32_t addr, asn;
	struct stream ann, wd;
	struct monitor rx;   /* what the server sends this feeder (tracked on request) */
};

struct conn;
struct run;

/* One epoll loop and the sessions it owns. Loop 0 runs on the main thread (feeders, and
 * every session with --threads 1); loops 1.. run monitors on threads of their own, each
 * holding its lock while it handles a batch of events, so the main thread can read and set
 * their monitors' figures between batches. */
struct loop {
	int epfd;
	struct run *r;
	struct wire_scratch *scratch;
	struct rx_prefix *decode;  /* NLRI decode buffer */
	struct conn **conns;
	size_t n_conns, cap_conns;
	uint64_t now_ns;           /* start of the read batch being handled */
	uint64_t next_tick;
	pthread_mutex_t lock;
	pthread_t thread;
	bool threaded;
	int stop;                  /* A: relaxed; polled every 20 ms */
};

struct run {
	struct loop *loops;
	unsigned n_loops;
	struct feeder *feeders;
	unsigned n_feeders;
	struct monitor *mons;
	unsigned n_mons;
	bool loopback;       /* feeders connect straight to the monitors (--server none) */
	bool track_feeders;  /* feeders' received routes are kept too (exchange scenario) */
	bool full_decode;    /* every UPDATE through wire_update_parse (--full-decode) */
	uint32_t server_addr;
	uint16_t port;
	unsigned n_up;       /* A: sessions Established (relaxed: a counter polled) */
	unsigned downs;      /* A: sessions that went down after Established */
	unsigned hold_time;
};

/* threads: 1 (everything on the main thread) or more (monitors spread over threads - 1). */
void run_init(struct run *r, unsigned threads);
/* Locks every monitor thread out (between its batches) / lets them go. */
void run_lock_all(struct run *r);
void run_unlock_all(struct run *r);
/* Opens every session (listeners first in loopback mode). */
void run_connect_all(struct run *r);
/* Runs the loop until done(r) or the deadline; returns true when done(r). */
bool run_until(struct run *r, bool (*done)(struct run *r), uint64_t deadline_ns);
/* Starts feeder f's stream on every session of f (announce or withdraw). */
void run_feed(struct run *r, unsigned f, bool withdraw);
/* Closes feeder f's sessions with a Cease (admin shutdown), without reconnecting; reopen
 * reconnects them. */
void run_feeder_down(struct run *r, unsigned f);
void run_feeder_up(struct run *r, unsigned f);
/* Sessions expected Established (n_feeders * (loopback ? n_mons : 1) + monitors). */
unsigned run_sessions(const struct run *r);
/* True when every feeder stream queued has been written to its sockets. */
bool run_feeds_written(const struct run *r);
uint64_t run_first_tx_ns(const struct run *r);
uint64_t run_last_tx_ns(const struct run *r);

/* done_ns and last_rx_ns are written by the monitor's thread and polled by the main thread
 * (relaxed: each is one word read on its own, and a stale value only delays the poll). */
static inline uint64_t run_load(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}
static inline uint64_t run_done_ns(const struct monitor *m)
{
	return run_load(&m->done_ns);
}

/* Sets a monitor's phase target (takes its loop's lock). */
void run_set_target(struct monitor *m, size_t target);
/* Stops the monitor threads (their sessions stay open, unattended). */
void run_stop(struct run *r);
void run_fini(struct run *r);

#endif
