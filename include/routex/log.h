/* log.h: one line per event that matters, to stderr (foreground) or syslog.
 *
 * Lines about a peer carry its name. Peer-caused lines go through rx_log_peer_limited,
 * which allows a burst and then at most a few lines per second per call site, so that a
 * hostile peer cannot flood the log (RFC 7606 6 asks for logs; it does not ask for floods).
 * Thread-safe: each line is one write. */
#ifndef ROUTEX_LOG_H
#define ROUTEX_LOG_H

#include <stdbool.h>
#include <stdint.h>

#include <routex/compiler.h>

enum rx_log_level { RX_LOG_ERR, RX_LOG_WARN, RX_LOG_INFO, RX_LOG_DEBUG };

/* Per call site budget for rate-limited lines. */
struct rx_log_limit {
	uint64_t window_start_ms; /* A: relaxed, racing updates only blur the limit */
	unsigned count;           /* A: relaxed */
	unsigned suppressed;      /* A: relaxed */
};

void rx_log_open(bool to_stderr, enum rx_log_level max_level);
void rx_log(enum rx_log_level lvl, const char *fmt, ...) RX_PRINTF(2, 3);
void rx_log_limited(struct rx_log_limit *lim, enum rx_log_level lvl, const char *fmt, ...)
	RX_PRINTF(3, 4);

#define RX_LOG_LIMITED(lvl, ...)                                                          \
	do {                                                                              \
		static struct rx_log_limit rx_lim_;                                        \
		rx_log_limited(&rx_lim_, lvl, __VA_ARGS__);                               \
	} while (0)

#endif
