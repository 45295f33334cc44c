/* mrtlog.h: the BGP4MP message log (`mrt-log:`, src/mrt/log.c, docs/mrt.md "The message
 * log"): every message peers send, and their sessions' state changes, as MRT BGP4MP_ET
 * records in files that rotate on an interval.
 *
 * I/O threads encode records into a buffer of their own (no lock, no system call) and hand
 * full buffers, and at the end of every loop round the partial one, to the writer thread
 * (rx-mrt-log) through one wait-free queue. The writer alone touches files: it writes
 * FILE.tmp and renames it to FILE when the period ends or the key changes. The bytes
 * handed over and not yet written are bounded (MRTLOG_QUEUE_MAX): past the bound records
 * are dropped and counted, never waited for.
 *
 * Synchronisation:
 *   mrtlog_new/start/stop/free     the main thread, not concurrently
 *   mrtlog_message, mrtlog_state,  I/O thread `t` only (its own buffer), concurrently
 *   mrtlog_flush                   with the other I/O threads and the writer
 *   mrtlog_totals                  any thread (relaxed loads of counters)
 *   the config                     read by every side through *conf (acquire), which a
 *                                  reload swaps (the old one stays alive until exit) */
#ifndef ROUTEX_MRTLOG_H
#define ROUTEX_MRTLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <routex/conf-t.h>
#include <routex/mrt.h>

/* One I/O thread's hand-over buffer: at 1M prefixes/s of small UPDATEs (~50 bytes of
 * record per prefix, several prefixes per message) a buffer is handed over a few hundred
 * times a second, so the queue costs nothing next to the parsing. */
#define MRTLOG_CHUNK (256u << 10)
/* Bytes handed over and not yet written: 64 MiB is about a second of a full-table load
 * at disk speed, far more than a healthy disk ever lets pile up. */
#define MRTLOG_QUEUE_MAX (64u << 20)

struct mrtlog;

struct mrtlog_totals {
	uint64_t messages; /* BGP messages recorded (queued for the file) */
	uint64_t states;   /* state changes recorded */
	uint64_t dropped;  /* records lost: queue full, or the file could not be written */
	uint64_t bytes;	   /* written to files */
	uint64_t files;	   /* files completed (renamed into place) */
	uint64_t errors;   /* failed creates, writes and renames */
};

/* `conf` points at the daemon's current config pointer; `nthreads` I/O threads. */
struct mrtlog *mrtlog_new(struct conf_daemon *const *conf, unsigned nthreads);
bool mrtlog_start(struct mrtlog *l);
/* After the I/O threads have stopped (and flushed): writes what is queued, completes the
 * current file, stops the writer. */
void mrtlog_stop(struct mrtlog *l);
void mrtlog_free(struct mrtlog *l);

void mrtlog_message(struct mrtlog *l, unsigned t, const struct mrt_bgp4mp_peer *p, bool addpath,
		    const uint8_t *msg, size_t len);
void mrtlog_state(struct mrtlog *l, unsigned t, const struct mrt_bgp4mp_peer *p,
		  uint16_t old_state, uint16_t new_state);
void mrtlog_flush(struct mrtlog *l, unsigned t);
void mrtlog_totals(const struct mrtlog *l, struct mrtlog_totals *out);

#endif
