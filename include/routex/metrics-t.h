/* metrics-t.h: types of the Prometheus metrics module (types only; prototypes in metrics.h).
 *
 * A latency histogram has one writer (the decision thread) and any number of readers (the
 * metrics thread). The writer bumps plain counters with relaxed atomic stores (no
 * read-modify-write: it is the only writer, so a load and a store are enough and cost no
 * bus lock); readers load them relaxed. A reader may see a bucket bumped and the sum not
 * yet, or the reverse: the exposition derives _count from the buckets it read, so every
 * scrape is self-consistent (+Inf bucket == _count), and _sum may lag by one observation. */
#ifndef ROUTEX_METRICS_T_H
#define ROUTEX_METRICS_T_H

#include <stddef.h>
#include <stdint.h>

/* Latency buckets: the decision and export stages take tens of microseconds for one small
 * UPDATE and up to seconds for a full table's slice on a busy core, so the finite upper
 * bounds (metrics_hist_bounds_ns, hist.c) run from 25 us to 5 s in steps of 2 to 2.5. */
#define METRICS_HIST_BUCKETS 17

struct metrics_hist {
	uint64_t count[METRICS_HIST_BUCKETS + 1]; /* A: per bucket (not cumulative); last: +Inf */
	uint64_t sum_ns;                          /* A */
};

/* A histogram as the exposition writer takes it: n finite upper bounds (ascending, in the
 * metric's unit), n + 1 per-bucket counts (the last one above every bound), and the sum. */
struct metrics_hist_snap {
	size_t n;
	const double *bounds;
	const uint64_t *counts;
	double sum;
};

/* One label of a sample. Values are escaped by the writer; names must be valid. */
struct metrics_label {
	const char *name;
	const char *value;
};

/* What an HTTP request asks for (metrics_http_parse). */
enum metrics_http {
	METRICS_HTTP_INCOMPLETE,   /* the header block has not ended yet */
	METRICS_HTTP_OK,	   /* GET /metrics */
	METRICS_HTTP_HEAD,	   /* HEAD /metrics: headers only */
	METRICS_HTTP_BAD_REQUEST,  /* 400: not an HTTP/1.x request line */
	METRICS_HTTP_NOT_FOUND,	   /* 404: another path */
	METRICS_HTTP_BAD_METHOD,   /* 405: another method */
	METRICS_HTTP_TOO_LARGE,	   /* 431: header block larger than the buffer */
};

struct metrics_server;

#endif
