/* run.h: the session loop of routex-bench (run.c): feeders, monitors, and their sockets. */
#ifndef ROUTEX_BENCH_RUN_H
#define ROUTEX_BENCH_RUN_H

#include "bench.h"

/* What a receiving side (monitor, or a feeder whose input is tracked) holds. */
struct monitor {
	unsigned idx;
	uint32_t addr, asn;  /* host order */
	struct pset set;
	size_t target;       /* count that completes the current phase */
	bool has_target;
	uint64_t done_ns;    /* last time count reached target in this phase; 0: not now */
	uint64_t updates_in, nlri_in, withdrawn_in;
	uint64_t last_rx_ns;
	uint64_t eor_in;
	uint64_t rx_busy_ns; /* time spent reading and decoding (the harness's own cost) */
	int listen_fd;       /* --server none: where feeders connect */
};

struct feeder {
	unsigned idx;
	uint32_t addr, asn;
	struct stream ann, wd;
	struct monitor rx;   /* what the server sends this feeder (tracked on request) */
};

struct conn;

struct run {
	int epfd;
	struct wire_scratch *scratch;
	struct feeder *feeders;
	unsigned n_feeders;
	struct monitor *mons;
	unsigned n_mons;
	struct conn **conns;
	size_t n_conns, cap_conns;
	bool loopback;       /* feeders connect straight to the monitors (--server none) */
	bool track_feeders;  /* feeders' received routes are kept too (exchange scenario) */
	uint32_t server_addr;
	uint16_t port;
	unsigned n_up;       /* sessions Established */
	unsigned downs;      /* sessions that went down after Established */
	unsigned hold_time;
	uint64_t now_ns;     /* start of the read batch being handled */
};

void run_init(struct run *r);
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
void run_set_target(struct monitor *m, size_t target);
void run_fini(struct run *r);

#endif
