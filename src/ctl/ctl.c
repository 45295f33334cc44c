/* ctl.c: the control socket: request parsing, the command table, and the server thread
 * (see ctl.h for the protocol and the threading rules). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <routex/compiler.h>
#include <routex/ctl.h>
#include <routex/daemon.h>
#include <routex/log.h>
#include <routex/rcu.h>

#include "ctl-int.h"

#define CTL_MAX_REQUEST 4096
#define CTL_REQUEST_MS 2000 /* to send a whole request line */
/* Sending the answer: the one control thread serves one client at a time, so a client that
 * asks for a big answer (show rib of a full table) and then does not read it must not keep
 * it forever. The client is dropped when it takes no byte for CTL_SEND_STALL_MS, or has not
 * taken the whole answer after CTL_SEND_MS; routexctl reading into a pipe takes a 100 MB
 * answer in a few seconds. */
#define CTL_SEND_STALL_MS 2000
#define CTL_SEND_MS 30000

enum { WORKER_IDLE, WORKER_RUNNING, WORKER_DONE };

struct ctl_server {
	struct rx_daemon *d;
	int fd;
	int stop_pipe[2];
	pthread_t thread;
	char path[108];
	/* The worker answering an own_thread command (a dump), one at a time. Started and
	 * joined by the control thread, then by ctl_stop after the control thread ended. */
	pthread_t worker;
	int worker_state; /* A: release by the worker at DONE (its dump is over, its answer
			   * may still be on its way out: joining waits for that) */
	bool cancel;      /* A: release: the server is stopping, the worker gives up */
	/* Periodic dumps (config mrt-dump), scheduled by the control thread alone. */
	time_t md_next;        /* when the next one is due; 0: not scheduled */
	uint32_t md_interval;  /* the interval md_next was computed with */
};

/* What a worker needs: the connection and the request line (its own copy). */
struct ctl_work {
	struct ctl_server *s;
	int fd;
	char line[CTL_MAX_REQUEST + 1];
};

/* A request handed to the decision thread. */
struct ctl_req {
	const struct ctl_cmd *cmd;
	struct ctl_args args;
	FILE *out;
	bool ok;
	bool done;           /* under mu */
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

static bool cmd_exchange_w(struct rx_daemon *d, const struct ctl_args *a, FILE *out);
static bool cmd_reload_w(struct rx_daemon *d, const struct ctl_args *a, FILE *out);

static const struct ctl_cmd commands[] = {
	{"show peers", 0, 0, false, ctl_show_peers, false},
	{"show rib", 0, 1, false, ctl_show_rib, false},
	{"show learned", 1, 1, false, ctl_show_learned, false},
	{"show advertised", 1, 1, true, ctl_show_advertised_w, false},
	{"show rpki", 0, 0, false, ctl_show_rpki, false},
	{"show route-maps", 0, 0, false, ctl_show_route_maps, false},
	{"exchange", 1, 2, true, cmd_exchange_w, false},
	{"reload", 0, 1, true, cmd_reload_w, false},
	{"dump mrt", 1, 2, false, ctl_dump_mrt, true},
};

/* Splits the line into words; recognises the leading "json". */
static bool parse(char *line, struct ctl_args *a)
{
	memset(a, 0, sizeof(*a));
	for (char *save = NULL, *w = strtok_r(line, " \t\r\n", &save); w;
	     w = strtok_r(NULL, " \t\r\n", &save)) {
		if (a->n == CTL_MAX_WORDS)
			return false;
		a->w[a->n++] = w;
	}
	if (a->n && strcmp(a->w[0], "json") == 0) {
		a->json = true;
		memmove(a->w, a->w + 1, --a->n * sizeof(a->w[0]));
	}
	return true;
}

/* The command whose words begin the request; args start after them. */
static const struct ctl_cmd *lookup(struct ctl_args *a)
{
	for (size_t i = 0; i < RX_ARRAY_LEN(commands); i++) {
		char name[64];
		snprintf(name, sizeof(name), "%s", commands[i].name);
		unsigned k = 0;
		bool match = true;
		for (char *save = NULL, *w = strtok_r(name, " ", &save); w;
		     w = strtok_r(NULL, " ", &save), k++)
			if (k >= a->n || strcmp(a->w[k], w) != 0)
				match = false;
		if (!match)
			continue;
		a->arg = a->w + k;
		a->nargs = a->n - k;
		return &commands[i];
	}
	return NULL;
}

void ctl_error(FILE *out, const struct ctl_args *a, const char *msg)
{
	/* The status line says it; JSON callers also get the reason as a document. */
	fprintf(out, "error: %s\n", msg);
	if (a && a->json) {
		fputs("{\"error\": ", out);
		ctl_json_str(out, msg);
		fputs("}\n", out);
	}
}

static void run_w(struct rx_daemon *d, void *arg)
{
	ctl_run_w(d, arg);
}

static bool run_on_rde(struct rx_daemon *d, const struct ctl_cmd *c, const struct ctl_args *a,
		       FILE *out)
{
	struct ctl_req r = {.cmd = c, .args = *a, .out = out};
	pthread_mutex_init(&r.mu, NULL);
	pthread_cond_init(&r.cv, NULL);
	struct rde_msg *m = rde_msg_new(RDE_CTL, 0, 0, 0);
	m->run = run_w;
	m->arg = &r;
	rde_push(d, m);
	rx_rcu_offline(); /* waiting: do not hold grace periods back */
	pthread_mutex_lock(&r.mu);
	while (!r.done)
		pthread_cond_wait(&r.cv, &r.mu);
	pthread_mutex_unlock(&r.mu);
	rx_rcu_online();
	pthread_mutex_destroy(&r.mu);
	pthread_cond_destroy(&r.cv);
	return r.ok;
}

void ctl_run_w(struct rx_daemon *d, struct ctl_req *r)
{
	bool ok = r->cmd->fn(d, &r->args, r->out);
	pthread_mutex_lock(&r->mu);
	r->ok = ok;
	r->done = true;
	pthread_cond_signal(&r->cv);
	pthread_mutex_unlock(&r->mu);
}

/* The command a request line names, or NULL. */
static const struct ctl_cmd *command_of(const char *line)
{
	char buf[CTL_MAX_REQUEST + 1];
	struct ctl_args a;
	snprintf(buf, sizeof(buf), "%s", line);
	return parse(buf, &a) && a.n ? lookup(&a) : NULL;
}

static bool answer(struct rx_daemon *d, const char *line, FILE *out, const bool *cancel)
{
	char buf[CTL_MAX_REQUEST];
	struct ctl_args a;
	snprintf(buf, sizeof(buf), "%s", line);
	if (!parse(buf, &a) || a.n == 0) {
		ctl_error(out, NULL, "empty or oversized request");
		return false;
	}
	const struct ctl_cmd *c = lookup(&a);
	if (!c) {
		ctl_error(out, &a, "unknown command (try: show peers, show rib [PREFIX], "
				   "show learned PEER, show advertised PEER, show rpki, show route-maps, exchange on|off [--dry-run], "
				   "reload [--dry-run], dump mrt FILE [--adj-rib-in])");
		return false;
	}
	if (a.nargs < c->min_args || a.nargs > c->max_args) {
		ctl_error(out, &a, "wrong number of arguments");
		return false;
	}
	a.cancel = cancel;
	/* The body goes to a buffer so that the status line can come first. */
	char *body = NULL;
	size_t len = 0;
	FILE *b = open_memstream(&body, &len);
	if (!b) {
		ctl_error(out, &a, "out of memory");
		return false;
	}
	bool ok = c->on_rde ? run_on_rde(d, c, &a, b) : c->fn(d, &a, b);
	fclose(b);
	if (ok)
		fputs("ok\n", out);
	fwrite(body, 1, len, out);
	free(body);
	return ok;
}

bool ctl_answer(struct rx_daemon *d, const char *line, FILE *out)
{
	return answer(d, line, out, NULL);
}

/* ---- exchange on|off ---- */

static bool cmd_exchange_w(struct rx_daemon *d, const struct ctl_args *a, FILE *out)
{
	bool on;
	if (strcmp(a->arg[0], "on") == 0)
		on = true;
	else if (strcmp(a->arg[0], "off") == 0)
		on = false;
	else
		return ctl_error(out, a, "exchange takes on or off"), false;
	bool dry = a->nargs == 2 && strcmp(a->arg[1], "--dry-run") == 0;
	if (a->nargs == 2 && !dry)
		return ctl_error(out, a, "exchange: unknown option"), false;
	struct export_policy pol = d->exp.pol;
	bool was = pol.exchange;
	if (dry) {
		pol.exchange = on;
		if (a->json) {
			fprintf(out, "{\"route_exchange\": %s, \"dry_run\": true, \"changed\": false, "
				     "\"peers\": ", on ? "true" : "false");
			daemon_dry_run_w(d, &pol, NULL, 0, out, true);
			fputs("}\n", out);
		} else {
			fprintf(out, "dry run: route exchange %s%s, nothing changed\n", on ? "on" : "off",
				was == on ? " (already)" : "");
			daemon_dry_run_w(d, &pol, NULL, 0, out, false);
		}
		return true;
	}
	if (was != on) {
		pol.exchange = on;
		uint64_t before = d->exp.msgs_packed;
		export_policy_change_w(&d->exp, &d->rib, &pol);
		__atomic_store_n(&d->exchange, on, __ATOMIC_RELAXED);
		rx_log(RX_LOG_INFO, "route exchange %s (%llu UPDATE messages sent)", on ? "on" : "off",
		       (unsigned long long)(d->exp.msgs_packed - before));
	}
	if (a->json)
		fprintf(out, "{\"route_exchange\": %s, \"changed\": %s}\n", on ? "true" : "false",
			was != on ? "true" : "false");
	else
		fprintf(out, "route exchange %s%s\n", on ? "on" : "off",
			was == on ? " (unchanged)" : "");
	return true;
}

/* ---- reload [--dry-run] ---- */

static bool cmd_reload_w(struct rx_daemon *d, const struct ctl_args *a, FILE *out)
{
	bool dry = a->nargs == 1 && strcmp(a->arg[0], "--dry-run") == 0;
	if (a->nargs == 1 && !dry)
		return ctl_error(out, a, "reload: unknown option"), false;
	/* The report is plain text; with json it is wrapped as one string. */
	char *text = NULL;
	size_t len = 0;
	FILE *t = open_memstream(&text, &len);
	if (!t)
		return ctl_error(out, a, "out of memory"), false;
	bool ok = daemon_reload_w(d, dry, t);
	fclose(t);
	if (a->json) {
		fprintf(out, "{\"reloaded\": %s, \"report\": ", ok && !dry ? "true" : "false");
		ctl_json_str(out, text);
		fputs("}\n", out);
	} else {
		fputs(text, out);
	}
	if (!ok)
		ctl_error(out, NULL, "reload refused");
	free(text);
	return ok;
}

/* ---- the server ---- */

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The answer to a request line (too_long: it had no end), built in memory. */
static char *build_answer(struct ctl_server *s, const char *line, bool too_long, size_t *alen)
{
	char *ans = NULL;
	FILE *out = open_memstream(&ans, alen);
	if (!out)
		return NULL;
	if (too_long)
		ctl_error(out, NULL, "request too long");
	else
		answer(s->d, line, out, &s->cancel);
	fclose(out);
	return ans;
}

/* Sends without blocking, waiting in poll between sends within the bounds above, and with
 * MSG_NOSIGNAL: a client that left before reading its answer is an EPIPE for us, never a
 * SIGPIPE for the process. Frees ans, closes fd. */
static void send_and_close(int fd, char *ans, size_t alen)
{
	uint64_t start = now_ms(), stall = start + CTL_SEND_STALL_MS;
	for (size_t off = 0; ans && off < alen;) {
		ssize_t n = send(fd, ans + off, alen - off, MSG_NOSIGNAL | MSG_DONTWAIT);
		uint64_t now = now_ms();
		if (n > 0) {
			off += (size_t)n;
			stall = now + CTL_SEND_STALL_MS;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
			break; /* the client left */
		uint64_t until = stall < start + CTL_SEND_MS ? stall : start + CTL_SEND_MS;
		struct pollfd p = {.fd = fd, .events = POLLOUT};
		if (now >= until || poll(&p, 1, (int)(until - now)) == 0) {
			rx_log(RX_LOG_WARN, "control client dropped: %zu of %zu answer bytes "
					    "taken in %llu ms (%s)", off, alen,
			       (unsigned long long)(now_ms() - start),
			       now_ms() - start >= CTL_SEND_MS ? "too slow" : "not reading");
			break;
		}
	}
	free(ans);
	close(fd);
}

static void *worker_main(void *arg)
{
	struct ctl_work *w = arg;
	rx_rcu_register(); /* the dump is an RCU reader of the RIB */
	size_t alen = 0;
	char *ans = build_answer(w->s, w->line, false, &alen);
	rx_rcu_unregister();
	/* Done before the client can read the answer, so that a client asking for another
	 * dump right after this one is never told a dump is running. */
	__atomic_store_n(&w->s->worker_state, WORKER_DONE, __ATOMIC_RELEASE);
	if (w->fd >= 0) {
		send_and_close(w->fd, ans, alen);
	} else { /* a periodic dump: the answer goes to the log */
		bool ok = ans && strncmp(ans, "ok\n", 3) == 0;
		const char *text = !ans ? "out of memory" : ok ? ans + 3 : ans;
		rx_log(ok ? RX_LOG_INFO : RX_LOG_WARN, "mrt-dump: %.*s", (int)strcspn(text, "\n"),
		       text);
		free(ans);
	}
	free(w);
	return NULL;
}

static void worker_join(struct ctl_server *s)
{
	if (__atomic_load_n(&s->worker_state, __ATOMIC_ACQUIRE) == WORKER_IDLE)
		return;
	pthread_join(s->worker, NULL); /* DONE: at most a short send is left */
	__atomic_store_n(&s->worker_state, WORKER_IDLE, __ATOMIC_RELAXED);
}

/* Hands an own_thread request to the worker. Returns NULL when it did, else the error to
 * answer with at once (rather than queue a second dump behind the first). */
static const char *start_worker(struct ctl_server *s, int fd, const char *line)
{
	int st = __atomic_load_n(&s->worker_state, __ATOMIC_ACQUIRE);
	if (st == WORKER_RUNNING)
		return "a dump is already running";
	if (st == WORKER_DONE)
		worker_join(s);
	struct ctl_work *w = malloc(sizeof(*w));
	if (!w)
		return "out of memory";
	w->s = s;
	w->fd = fd;
	snprintf(w->line, sizeof(w->line), "%s", line);
	__atomic_store_n(&s->worker_state, WORKER_RUNNING, __ATOMIC_RELAXED);
	if (pthread_create(&s->worker, NULL, worker_main, w) != 0) {
		__atomic_store_n(&s->worker_state, WORKER_IDLE, __ATOMIC_RELAXED);
		free(w);
		return "cannot start a thread for the dump";
	}
	pthread_setname_np(s->worker, "rx-ctl-dump");
	return NULL;
}

static void serve_one(struct ctl_server *s, int fd)
{
	char line[CTL_MAX_REQUEST + 1];
	size_t len = 0;
	/* A client gets a short while in all to send its line; a slow or silent one is dropped.
	 * The bound is on the whole line, not per read: a client trickling a byte now and then
	 * would otherwise hold this (only) control thread for as long as it likes. */
	uint64_t deadline = now_ms() + CTL_REQUEST_MS;
	while (len < CTL_MAX_REQUEST) {
		uint64_t now = now_ms();
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (now >= deadline || poll(&p, 1, (int)(deadline - now)) <= 0)
			break;
		ssize_t n = read(fd, line + len, CTL_MAX_REQUEST - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		if (memchr(line, '\n', len))
			break;
	}
	line[len] = 0;
	char *nl = memchr(line, '\n', len);
	if (nl) /* one request per connection: what follows its line is not part of it */
		*nl = 0;
	bool too_long = len == CTL_MAX_REQUEST && !nl;
	const struct ctl_cmd *c = too_long ? NULL : command_of(line);
	if (c && c->own_thread) {
		const char *why = start_worker(s, fd, line);
		if (!why)
			return;
		char *ans = NULL;
		size_t alen = 0;
		FILE *out = open_memstream(&ans, &alen);
		struct ctl_args ja = {.json = strncmp(line + strspn(line, " \t"), "json", 4) == 0};
		if (out) {
			ctl_error(out, &ja, why); /* with the JSON document when asked for JSON */
			fclose(out);
		}
		send_and_close(fd, ans, alen);
		return;
	}
	size_t alen = 0;
	char *ans = build_answer(s, line, too_long, &alen);
	send_and_close(fd, ans, alen);
}

/* Periodic dumps (config mrt-dump): due at the multiples of the interval since the epoch
 * (so that hourly dumps fall on the hour), run by the same worker as `dump mrt`, with the
 * file name's strftime conversions expanded for the due time in UTC. The config is read
 * anew at every tick: a reload applies at once. A dump still running (or a client's) when
 * one is due delays it to the next tick, not to the next interval. */
static void mrt_dump_tick(struct ctl_server *s)
{
	const struct conf_daemon *c = daemon_conf(s->d);
	time_t now = time(NULL);
	if (!c->mrt_dump_enabled) {
		s->md_next = 0;
		return;
	}
	uint32_t iv = c->mrt_dump.interval;
	if (!s->md_next || iv != s->md_interval) {
		s->md_interval = iv;
		s->md_next = (now / iv + 1) * iv;
		return;
	}
	if (now < s->md_next)
		return;
	char path[CTL_MAX_REQUEST - 96], line[CTL_MAX_REQUEST];
	struct tm tm;
	gmtime_r(&s->md_next, &tm);
	/* The format is the config's, which conf allows only %Y %m %d %H %M %S %s %% in. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	size_t n = strftime(path, sizeof(path), c->mrt_dump.file, &tm);
#pragma GCC diagnostic pop
	if (!n) {
		rx_log(RX_LOG_WARN, "mrt-dump: %s: the expanded name is too long", c->mrt_dump.file);
	} else {
		snprintf(line, sizeof(line), "dump mrt %s%s", path,
			 c->mrt_dump.adj_rib_in ? " --adj-rib-in" : "");
		const char *why = start_worker(s, -1, line);
		if (why && strcmp(why, "a dump is already running") == 0)
			return; /* try again at the next tick */
		if (why)
			rx_log(RX_LOG_WARN, "mrt-dump: %s: %s", path, why);
	}
	s->md_next = (now / iv + 1) * iv;
}

static void *ctl_main(void *arg)
{
	struct ctl_server *s = arg;
	rx_rcu_register();
	for (;;) {
		struct pollfd p[2] = {{.fd = s->fd, .events = POLLIN},
				      {.fd = s->stop_pipe[0], .events = POLLIN}};
		rx_rcu_offline();
		/* Wake every second for mrt_dump_tick: a reload may turn periodic dumps on. */
		int n = poll(p, 2, 1000);
		rx_rcu_online();
		if (n < 0 && errno != EINTR)
			break;
		if (n > 0 && p[1].revents)
			break;
		mrt_dump_tick(s);
		if (n <= 0 || !(p[0].revents & POLLIN))
			continue;
		int fd = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0)
			serve_one(s, fd);
		rx_rcu_quiescent();
	}
	rx_rcu_unregister();
	return NULL;
}

struct ctl_server *ctl_start(struct rx_daemon *d, const char *path)
{
	struct ctl_server *s = calloc(1, sizeof(*s));
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (!s || strlen(path) >= sizeof(sa.sun_path)) {
		rx_log(RX_LOG_ERR, "control socket %s: path too long", path);
		free(s);
		return NULL;
	}
	s->d = d;
	snprintf(s->path, sizeof(s->path), "%s", path);
	memcpy(sa.sun_path, path, strlen(path));
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	unlink(path); /* a stale socket of an earlier run */
	mode_t old = umask(0117); /* 0660: owner and group only */
	bool ok = s->fd >= 0 && bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
		  listen(s->fd, 16) == 0 && pipe2(s->stop_pipe, O_CLOEXEC) == 0;
	umask(old);
	if (!ok || pthread_create(&s->thread, NULL, ctl_main, s) != 0) {
		rx_log(RX_LOG_ERR, "control socket %s: %s", path, strerror(errno));
		if (s->fd >= 0)
			close(s->fd);
		free(s);
		return NULL;
	}
	chmod(path, 0660);
	pthread_setname_np(s->thread, "rx-ctl");
	return s;
}

void ctl_stop(struct ctl_server *s)
{
	if (!s)
		return;
	if (write(s->stop_pipe[1], "x", 1) < 0) { /* the thread also ends on EOF */
	}
	pthread_join(s->thread, NULL);
	/* A dump in progress gives up at its next chunk (removing its PATH.tmp) and answers
	 * its client; it must be gone before the RIB is freed. */
	__atomic_store_n(&s->cancel, true, __ATOMIC_RELEASE);
	worker_join(s);
	close(s->fd);
	close(s->stop_pipe[0]);
	close(s->stop_pipe[1]);
	unlink(s->path);
	free(s);
}
