/* log.c: logging to stderr or syslog with per-site rate limits (see log.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <routex/log.h>

/* Set once at start-up, before any other thread exists. */
static bool log_stderr = true;
static enum rx_log_level log_max = RX_LOG_INFO;

#define LIMIT_BURST 10     /* lines per window before suppression starts */
#define LIMIT_WINDOW_MS 1000

void rx_log_open(bool to_stderr, enum rx_log_level max_level)
{
	log_stderr = to_stderr;
	log_max = max_level;
	if (!to_stderr)
		openlog("routexd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

static void emit(enum rx_log_level lvl, const char *fmt, va_list ap) RX_PRINTF(2, 0);
static void emit(enum rx_log_level lvl, const char *fmt, va_list ap)
{
	static const char *const names[] = {"error", "warning", "info", "debug"};
	static const int prio[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};
	if (lvl > log_max)
		return;
	char msg[1024];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (!log_stderr) {
		syslog(prio[lvl], "%s", msg);
		return;
	}
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	char line[1200];
	int n = snprintf(line, sizeof(line), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s: %s\n",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			 tm.tm_sec, ts.tv_nsec / 1000000, names[lvl], msg);
	if (n > (int)sizeof(line))
		n = sizeof(line);
	if (write(STDERR_FILENO, line, (size_t)n) < 0) { /* nowhere left to report it */
	}
}

void rx_log(enum rx_log_level lvl, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit(lvl, fmt, ap);
	va_end(ap);
}

static uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void rx_log_limited(struct rx_log_limit *lim, enum rx_log_level lvl, const char *fmt, ...)
{
	uint64_t now = mono_ms();
	uint64_t start = __atomic_load_n(&lim->window_start_ms, __ATOMIC_RELAXED);
	if (now - start >= LIMIT_WINDOW_MS) {
		unsigned dropped = __atomic_exchange_n(&lim->suppressed, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&lim->window_start_ms, now, __ATOMIC_RELAXED);
		__atomic_store_n(&lim->count, 0, __ATOMIC_RELAXED);
		if (dropped)
			rx_log(RX_LOG_WARN, "%u similar log lines suppressed", dropped);
	}
	if (__atomic_fetch_add(&lim->count, 1, __ATOMIC_RELAXED) >= LIMIT_BURST) {
		__atomic_fetch_add(&lim->suppressed, 1, __ATOMIC_RELAXED);
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	emit(lvl, fmt, ap);
	va_end(ap);
}
