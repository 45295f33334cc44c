/* metrics.h: the Prometheus endpoint of routexd (src/metrics/).
 *
 * Three parts:
 *   fmt.c      the text exposition format 0.0.4 (escaping, samples, histograms); pure
 *   hist.c     latency histograms: one writer thread, lock-free readers
 *   http.c     request parsing (pure) and the server thread: GET /metrics over HTTP/1.1,
 *              one response per connection, bounded request size and time
 *   collect.c  what a scrape says: published counters of the daemon, read without a lock
 *              and without the RCU read side (see daemon-t.h "Published for readers")
 * The metric names are an interface (DESIGN.md, docs/metrics.md).
 *
 * Synchronisation:
 *   metrics_open, metrics_run, metrics_close   the owner (main thread at start-up and exit,
 *                                              the decision thread in a reload), in order
 *   metrics_move                               the owner, while the server runs; waits for
 *                                              the server thread (which never blocks)
 *   metrics_hist_observe                       the histogram's single writer
 *   metrics_hist_read                          any thread */
#ifndef ROUTEX_METRICS_H
#define ROUTEX_METRICS_H

#include <stdbool.h>
#include <stdio.h>

#include <routex/conf-t.h>
#include <routex/metrics-t.h>

struct rx_daemon;

/* ---- exposition format (fmt.c) ---- */

/* "# HELP name help" and "# TYPE name type" (type: counter, gauge, histogram, untyped). */
void metrics_family(FILE *out, const char *name, const char *type, const char *help);
/* One sample line; labels may be NULL when n is 0. */
void metrics_sample_u64(FILE *out, const char *name, const struct metrics_label *labels,
			size_t n, uint64_t value);
void metrics_sample_double(FILE *out, const char *name, const struct metrics_label *labels,
			   size_t n, double value);
/* name_bucket{labels,le="..."} cumulative counts, the +Inf bucket, name_sum, name_count
 * (equal to the +Inf bucket). */
void metrics_sample_hist(FILE *out, const char *name, const struct metrics_label *labels,
			 size_t n, const struct metrics_hist_snap *h);
/* A finite double, shortest exact form ("0.1", "2.5e-05"); returns buf. */
const char *metrics_fmt_double(double v, char *buf, size_t n);
/* A label value as the format wants it: \\, \" and \n escaped. */
void metrics_escape_label(FILE *out, const char *value);

/* ---- histograms (hist.c) ---- */

extern const uint64_t metrics_hist_bounds_ns[METRICS_HIST_BUCKETS];
/* Single writer: counts one duration. */
void metrics_hist_observe(struct metrics_hist *h, uint64_t ns);
/* Any thread: per-bucket counts and the sum, in seconds; bounds[] gets the bounds in
 * seconds. counts[] has METRICS_HIST_BUCKETS + 1 entries. */
void metrics_hist_read(const struct metrics_hist *h, double *bounds, uint64_t *counts,
		       struct metrics_hist_snap *snap);

/* ---- HTTP (http.c) ---- */

/* Classifies the request in buf[0..len) (a header block, maybe incomplete). `full` says the
 * caller's buffer is full, so an unfinished header block is too large. */
enum metrics_http metrics_http_parse(const char *buf, size_t len, bool full);

/* Opens the listening socket; the thread starts with metrics_run. On failure returns NULL
 * and err says `metrics: cannot listen on ADDRESS:PORT: reason`. */
struct metrics_server *metrics_open(struct rx_daemon *d, const struct conf_endpoint *ep,
				    char *err, size_t errlen);
/* "127.0.0.1:9179", "[::1]:9179" */
void metrics_endpoint_fmt(const struct conf_endpoint *ep, char *buf, size_t n);
bool metrics_run(struct metrics_server *s);
/* Moves the endpoint: the new socket is opened before the old one closes, so scrapes never
 * see a gap (for a new address on the same port, the old socket is closed first). On failure
 * the old endpoint keeps serving and err says why. */
bool metrics_move(struct metrics_server *s, const struct conf_endpoint *ep, char *err,
		  size_t errlen);
/* Stops the thread (if running) and closes every socket. NULL is fine. */
void metrics_close(struct metrics_server *s);

/* ---- the scrape (collect.c) ---- */

/* Writes every metric of the daemon. Any thread; takes no lock. */
void metrics_collect(struct rx_daemon *d, FILE *out);

#endif
