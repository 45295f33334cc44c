/* log.c: the BGP4MP message log (mrtlog.h; docs/mrt.md "The message log").
 *
 * Design:
 *  - I/O side: each I/O thread owns one chunk (struct mrtlog_tl.cur) and appends records
 *    to it; a full chunk, and at the end of each loop round a non-empty one, is pushed to
 *    the writer's queue (wfcqueue: wait-free, no lock). A chunk is charged to `queued`
 *    when allocated and discharged when the writer frees it, so memory held by the log
 *    never passes MRTLOG_QUEUE_MAX plus one chunk per thread: when a new chunk would pass
 *    it, the record is dropped and counted instead (a slow disk must not hold a session);
 *  - writer thread (T:w): the only one that touches files. It takes the whole queue at
 *    once, writes each chunk with write(2) to FILE.tmp of the current period, and renames
 *    FILE.tmp to FILE (after fdatasync) when the period ends, the key changes or routexd
 *    stops, so a reader never sees a file that is still growing. Periods are the multiples
 *    of `rotate` since the epoch, named by strftime of their start in UTC. A file is
 *    created by the first record of its period: quiet periods leave no empty files;
 *  - the period a record lands in is the writer's clock when it writes it, not the
 *    record's timestamp: I/O threads' chunks interleave, and rotating on record times
 *    would flip back and forth between periods. A record stamped up to a round's time
 *    before the boundary can land in the next file;
 *  - the config is read through the daemon's config pointer on both sides at every use,
 *    so a reload takes effect at the next message (I/O threads) or the next second
 *    (writer), and the key can be added, changed or removed at run time. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <routex/compiler.h>
#include <routex/log.h>
#include <routex/mpsc.h>
#include <routex/mrtlog.h>

struct chunk {
	struct mpsc_node node;
	size_t len, cap;
	uint32_t nrec;
	uint8_t data[];
};

/* One I/O thread's side. Own cache lines: the threads write their counters constantly. */
struct mrtlog_tl {
	struct chunk *cur; /* T:io */
	uint64_t messages, states, dropped; /* A: relaxed stores by the owner, relaxed loads */
} __attribute__((aligned(64)));

struct mrtlog {
	struct conf_daemon *const *conf;
	struct mrtlog_tl *tl;
	unsigned ntl;
	struct mpsc_queue q;
	size_t queued; /* A: relaxed RMW; bytes of chunks allocated and not yet freed */
	/* Writer totals (A: relaxed stores by the writer). */
	uint64_t w_dropped, bytes, files, errors;
	pthread_t thread;
	bool running;
	int stop; /* A: relaxed; the push that follows it wakes the writer */
	/* T:w: the file being written. */
	int fd;
	char *pattern; /* conf file pattern the file was opened for */
	uint32_t rotate;
	int64_t period_end;
	char path[CONF_MRT_FILE_MAX + 256], tmp[CONF_MRT_FILE_MAX + 256 + 4];
	int64_t retry_at; /* after a failed create: not before (s) */
	uint64_t dropped_seen;
};

static uint64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void bump(uint64_t *c, uint64_t n)
{
	/* Single writer: a relaxed load and store, not an RMW. */
	__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + n, __ATOMIC_RELAXED);
}

struct mrtlog *mrtlog_new(struct conf_daemon *const *conf, unsigned nthreads)
{
	struct mrtlog *l = calloc(1, sizeof(*l));
	RX_ASSERT(l);
	l->conf = conf;
	l->ntl = nthreads;
	l->fd = -1;
	RX_ASSERT(!posix_memalign((void **)&l->tl, 64, (nthreads ? nthreads : 1) * sizeof(*l->tl)));
	memset(l->tl, 0, (nthreads ? nthreads : 1) * sizeof(*l->tl));
	if (!mpsc_init(&l->q)) {
		free(l->tl);
		free(l);
		return NULL;
	}
	return l;
}

/* ---- I/O threads ---- */

static void hand_over(struct mrtlog *l, struct mrtlog_tl *tl)
{
	if (tl->cur && tl->cur->len) {
		mpsc_push(&l->q, &tl->cur->node);
		tl->cur = NULL;
	}
}

/* Room for n bytes in t's chunk, or NULL when the bound forbids another chunk. */
static uint8_t *reserve(struct mrtlog *l, struct mrtlog_tl *tl, size_t n)
{
	if (tl->cur && tl->cur->cap - tl->cur->len >= n)
		return tl->cur->data + tl->cur->len;
	hand_over(l, tl);
	if (tl->cur) { /* empty, yet too small: a record larger than a chunk */
		__atomic_fetch_sub(&l->queued, tl->cur->cap, __ATOMIC_RELAXED);
		free(tl->cur);
		tl->cur = NULL;
	}
	size_t cap = n > MRTLOG_CHUNK ? n : MRTLOG_CHUNK;
	if (__atomic_load_n(&l->queued, __ATOMIC_RELAXED) + cap > MRTLOG_QUEUE_MAX)
		return NULL;
	__atomic_fetch_add(&l->queued, cap, __ATOMIC_RELAXED);
	struct chunk *c = malloc(sizeof(*c) + cap);
	RX_ASSERT(c);
	c->len = 0;
	c->cap = cap;
	c->nrec = 0;
	tl->cur = c;
	return c->data;
}

void mrtlog_message(struct mrtlog *l, unsigned t, const struct mrt_bgp4mp_peer *p, bool addpath,
		    const uint8_t *msg, size_t len)
{
	struct mrtlog_tl *tl = &l->tl[t];
	size_t n = mrt_bgp4mp_message_len(p, len);
	uint8_t *dst = reserve(l, tl, n);
	if (!dst) {
		bump(&tl->dropped, 1);
		return;
	}
	size_t w = mrt_bgp4mp_message_encode(dst, n, p, addpath, now_us(), msg, len);
	RX_ASSERT(w == n);
	tl->cur->len += n;
	tl->cur->nrec++;
	bump(&tl->messages, 1);
}

void mrtlog_state(struct mrtlog *l, unsigned t, const struct mrt_bgp4mp_peer *p,
		  uint16_t old_state, uint16_t new_state)
{
	struct mrtlog_tl *tl = &l->tl[t];
	size_t n = mrt_bgp4mp_state_len(p);
	uint8_t *dst = reserve(l, tl, n);
	if (!dst) {
		bump(&tl->dropped, 1);
		return;
	}
	size_t w = mrt_bgp4mp_state_encode(dst, n, p, now_us(), old_state, new_state);
	RX_ASSERT(w == n);
	tl->cur->len += n;
	tl->cur->nrec++;
	bump(&tl->states, 1);
}

void mrtlog_flush(struct mrtlog *l, unsigned t)
{
	hand_over(l, &l->tl[t]);
}

void mrtlog_totals(const struct mrtlog *l, struct mrtlog_totals *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned i = 0; i < l->ntl; i++) {
		out->messages += __atomic_load_n(&l->tl[i].messages, __ATOMIC_RELAXED);
		out->states += __atomic_load_n(&l->tl[i].states, __ATOMIC_RELAXED);
		out->dropped += __atomic_load_n(&l->tl[i].dropped, __ATOMIC_RELAXED);
	}
	out->dropped += __atomic_load_n(&l->w_dropped, __ATOMIC_RELAXED);
	out->bytes = __atomic_load_n(&l->bytes, __ATOMIC_RELAXED);
	out->files = __atomic_load_n(&l->files, __ATOMIC_RELAXED);
	out->errors = __atomic_load_n(&l->errors, __ATOMIC_RELAXED);
}

/* ---- The writer thread ---- */

static const struct conf_daemon *conf_now(const struct mrtlog *l)
{
	return __atomic_load_n(l->conf, __ATOMIC_ACQUIRE);
}

/* Completes the current file: data on disk, then the name, so a crash leaves FILE.tmp
 * (never a FILE with less in it than it had). */
static void close_file(struct mrtlog *l)
{
	if (l->fd < 0)
		return;
	bool ok = fdatasync(l->fd) == 0;
	int e = errno;
	ok = close(l->fd) == 0 && ok;
	l->fd = -1;
	if (!ok || rename(l->tmp, l->path) != 0) {
		if (ok)
			e = errno;
		rx_log(RX_LOG_WARN, "mrt-log: cannot complete %s: %s (left as %s)", l->path,
		       strerror(e), l->tmp);
		bump(&l->errors, 1);
	} else {
		bump(&l->files, 1);
		rx_log(RX_LOG_INFO, "mrt-log: %s written", l->path);
	}
	free(l->pattern);
	l->pattern = NULL;
}

static bool open_file(struct mrtlog *l, const struct conf_mrt_log *m, int64_t now)
{
	if (now < l->retry_at)
		return false;
	int64_t start = now - now % m->rotate;
	time_t ts = (time_t)start;
	struct tm tm;
	gmtime_r(&ts, &tm);
	/* The format is the config's, which conf allows only %Y %m %d %H %M %S %s %% in. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	size_t n = strftime(l->path, sizeof(l->path), m->file, &tm);
#pragma GCC diagnostic pop
	if (!n) { /* the conversions are date fields: the expansion is bounded, but say so */
		RX_LOG_LIMITED(RX_LOG_WARN, "mrt-log: %s: the expanded name is too long", m->file);
		l->retry_at = now + 1;
		return false;
	}
	snprintf(l->tmp, sizeof(l->tmp), "%s.tmp", l->path);
	/* FILE already complete for this period: routexd was restarted within it (stopping
	 * completes the file early), or the name has no conversion. Its records are kept:
	 * it goes back to FILE.tmp and this run appends, rather than replacing it at the end
	 * of the period. A FILE.tmp without FILE is a crash's leftover, possibly ending in
	 * half a record: it is started anew. */
	struct stat sb;
	int flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK;
	if (lstat(l->path, &sb) == 0 && S_ISREG(sb.st_mode) && rename(l->path, l->tmp) == 0) {
		flags |= O_APPEND;
		rx_log(RX_LOG_INFO, "mrt-log: %s exists (this period's, from before): appending",
		       l->path);
	} else {
		flags |= O_TRUNC;
	}
	/* As the TABLE_DUMP_V2 writer: no symlink followed, and a FIFO at the name must not
	 * block the writer (O_NONBLOCK, then regular files only). */
	int fd = open(l->tmp, flags, 0644);
	if (fd >= 0 && (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))) {
		close(fd);
		fd = -1;
		errno = EINVAL;
	}
	if (fd < 0) {
		RX_LOG_LIMITED(RX_LOG_WARN, "mrt-log: cannot create %s: %s", l->tmp,
			       errno == EINVAL ? "not a regular file" : strerror(errno));
		bump(&l->errors, 1);
		l->retry_at = now + 1; /* records meanwhile are dropped, not queued without end */
		return false;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK); /* O_APPEND stays */
	l->fd = fd;
	l->pattern = strdup(m->file);
	RX_ASSERT(l->pattern);
	l->rotate = m->rotate;
	l->period_end = start + m->rotate;
	return true;
}

/* The current file no longer matches the config or the clock: complete it. */
static void maintain(struct mrtlog *l, int64_t now)
{
	if (l->fd < 0)
		return;
	const struct conf_daemon *c = conf_now(l);
	if (!c->mrt_log_enabled || strcmp(l->pattern, c->mrt_log.file) ||
	    l->rotate != c->mrt_log.rotate || now >= l->period_end)
		close_file(l);
}

static bool write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

static void write_chunk(struct mrtlog *l, struct chunk *c)
{
	if (!c->len) { /* mrtlog_stop's wake-up */
		__atomic_fetch_sub(&l->queued, c->cap, __ATOMIC_RELAXED);
		free(c);
		return;
	}
	int64_t now = (int64_t)time(NULL);
	maintain(l, now);
	const struct conf_daemon *cf = conf_now(l);
	/* Records made just before a reload turned the log off still go to the open file;
	 * with none open they have nowhere to go. */
	if (l->fd < 0 && cf->mrt_log_enabled)
		open_file(l, &cf->mrt_log, now);
	if (l->fd < 0) {
		bump(&l->w_dropped, c->nrec);
	} else if (!write_all(l->fd, c->data, c->len)) {
		/* A short write leaves part of a record: the file would be unreadable from
		 * there on. Give it up (it stays as FILE.tmp) and start a new one. */
		RX_LOG_LIMITED(RX_LOG_WARN, "mrt-log: writing %s: %s (this file is abandoned)",
			       l->tmp, strerror(errno));
		bump(&l->errors, 1);
		bump(&l->w_dropped, c->nrec);
		close(l->fd);
		l->fd = -1;
		free(l->pattern);
		l->pattern = NULL;
		l->retry_at = now + 1;
	} else {
		bump(&l->bytes, c->len);
	}
	__atomic_fetch_sub(&l->queued, c->cap, __ATOMIC_RELAXED);
	free(c);
}

static void drain(struct mrtlog *l)
{
	struct mpsc_batch b;
	if (!mpsc_take(&l->q, &b))
		return;
	for (struct mpsc_node *n; (n = mpsc_batch_next(&b));)
		write_chunk(l, caa_container_of(n, struct chunk, node));
}

/* One line per second at most when records were dropped, with the count since the last. */
static void report_drops(struct mrtlog *l)
{
	struct mrtlog_totals t;
	mrtlog_totals(l, &t);
	if (t.dropped == l->dropped_seen)
		return;
	RX_LOG_LIMITED(RX_LOG_WARN,
		       "mrt-log: %llu records dropped (%llu in all): the writer is behind or the "
		       "file cannot be written",
		       (unsigned long long)(t.dropped - l->dropped_seen),
		       (unsigned long long)t.dropped);
	l->dropped_seen = t.dropped;
}

static void *writer_main(void *arg)
{
	struct mrtlog *l = arg;
	struct pollfd pfd = {.fd = mpsc_fd(&l->q), .events = POLLIN};
	for (;;) {
		/* Wake at least every second: rotation and reloads need no record to happen. */
		poll(&pfd, 1, 1000);
		drain(l);
		maintain(l, (int64_t)time(NULL));
		report_drops(l);
		/* After the drain: a stop whose wake-up that drain consumed is seen now, not a
		 * poll timeout later. */
		if (__atomic_load_n(&l->stop, __ATOMIC_RELAXED))
			break;
	}
	drain(l); /* pushed after the last take */
	close_file(l);
	report_drops(l);
	return NULL;
}

bool mrtlog_start(struct mrtlog *l)
{
	if (pthread_create(&l->thread, NULL, writer_main, l) != 0)
		return false;
	pthread_setname_np(l->thread, "rx-mrt-log");
	l->running = true;
	return true;
}

void mrtlog_stop(struct mrtlog *l)
{
	if (!l || !l->running)
		return;
	__atomic_store_n(&l->stop, 1, __ATOMIC_RELAXED);
	/* An empty chunk rings the doorbell; the writer frees it like any other. */
	struct chunk *c = calloc(1, sizeof(*c));
	RX_ASSERT(c);
	mpsc_push(&l->q, &c->node);
	pthread_join(l->thread, NULL);
	l->running = false;
}

void mrtlog_free(struct mrtlog *l)
{
	if (!l)
		return;
	mrtlog_stop(l);
	struct mpsc_batch b;
	if (mpsc_take(&l->q, &b))
		for (struct mpsc_node *n; (n = mpsc_batch_next(&b));)
			free(caa_container_of(n, struct chunk, node));
	for (unsigned i = 0; i < l->ntl; i++)
		free(l->tl[i].cur);
	if (l->fd >= 0) /* never started, or stopped mid-way: nothing complete to publish */
		close(l->fd);
	free(l->pattern);
	mpsc_fini(&l->q);
	free(l->tl);
	free(l);
}
