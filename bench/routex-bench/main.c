/* main.c: routex-bench: drives a BGP route server on loopback with K feeders and M monitors
 * and measures convergence (see docs/bench.md).
 *
 * Scenarios run in this order on one set of sessions, each starting from the state the
 * previous one left:
 *   converge  feeders announce their windows; time from the first UPDATE byte written to the
 *             moment the last monitor holds the whole universe;
 *   flap      feeder 0 closes its session (Cease), time until every monitor has dropped the
 *             prefixes only it announced; it reconnects and re-announces, time until every
 *             monitor is complete again;
 *   withdraw  every feeder withdraws everything, time until every monitor holds nothing;
 *   exchange  routexd only, Azure roles: feeders alternate nva / expressroute, monitors are
 *             nva; time until every peer holds its new set after `routexctl exchange on`,
 *             then after `off`.
 * The route server's CPU seconds and peak RSS come from /proc (server.c); the harness's own
 * CPU time is reported beside them. --server none connects feeders straight to monitors:
 * that is the harness's ceiling. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run.h"

#define DEFAULT_ASPREFIX RX_DATA_DIR "/mrt/as-prefix/as-prefix-2026.tsv.gz"

struct opts {
	enum server_kind server;
	unsigned feeders, monitors;
	size_t prefixes;
	double overlap, per_set;
	uint32_t seed;
	char source[600];
	char scenarios[128];
	unsigned timeout_s, flaps, threads;
	uint16_t port;
	char dir[256], bin[512], ctl[512], conf[512], csv[512], label[64];
	bool json;
	bool full_decode;
};

/* Figures of one run; negative: not measured. */
struct result {
	size_t universe;
	double converge_s, conv_cpu_s, conv_harness_cpu_s, feed_written_s;
	double withdraw_s, wd_cpu_s;
	double flap_down_s, flap_up_s;
	double exch_on_s, exch_off_s;
	double cpu_total_s;
	long long hwm;
	uint64_t stream_bytes, stream_msgs;
	bool verified, verify_run;
	unsigned downs;
	double decode_rate; /* NLRI per second of the monitors' read+decode time */
};

static struct opts o = {
	.server = SRV_ROUTEXD,
	.feeders = 1,
	.monitors = 4,
	.prefixes = 1000000,
	.overlap = 0.5,
	.per_set = 6.456,
	.seed = 1,
	.source = "asprefix",
	.scenarios = "converge,withdraw",
	.timeout_s = 120,
	.flaps = 1,
	.threads = 1,
	.port = 17900,
};

static void usage(void)
{
	fprintf(stderr,
		"usage: routex-bench [options]\n"
		"  -s, --server KIND     none|routexd|bird|gobgp|frr|openbgpd (default routexd)\n"
		"  -k, --feeders K       feeding speakers (default 1)\n"
		"  -m, --monitors M      receiving speakers (default 4)\n"
		"  -p, --prefixes P      prefixes per feeder (default 1000000)\n"
		"  -o, --overlap X       share of a feeder's prefixes its neighbour also sends (0.5)\n"
		"      --source SRC      asprefix[:FILE] | gen | mrt:FILE (default asprefix)\n"
		"      --per-set X       mean prefixes per attribute set (6.456)\n"
		"  -S, --scenarios LIST  converge,flap,withdraw,exchange (default converge,withdraw)\n"
		"      --flaps N         flap cycles (1)\n"
		"      --port N          server port (17900)\n"
		"      --timeout S       per phase (120)\n"
		"      --bin PATH        server binary (routexd: BUILD/src/routexd, else PATH);\n"
		"      --ctl PATH        routexctl (BUILD/src/routexctl, else PATH)\n"
		"      --conf FILE       server configuration to use instead of the generated one\n"
		"                        (same port, peers and ASNs: edit a generated one)\n"
		"      --dir DIR         run folder (configs, logs)\n"
		"      --csv FILE        append a CSV line (header when new)\n"
		"      --json            print the figures as one JSON object\n"
		"      --label TEXT      name of the run in CSV/JSON\n"
		"      --seed N          generator seed (1)\n"
		"      --threads N       1: one loop; N > 1: monitors on N - 1 threads of their own\n"
		"      --full-decode     monitors parse every UPDATE in full (wire_update_parse), as\n"
		"                        before the fast decoder, attributes graded: a cross-check,\n"
		"                        the strict path and a baseline\n"
		"  -v                    log session events\n");
	exit(2);
}

/* routexd and routexctl default to the ones built beside routex-bench (BUILD/src/), then to
 * PATH. */
static void default_tool(char *out, size_t size, const char *name)
{
	char exe[400];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (out[0] || n <= 0)
		return;
	exe[n] = 0;
	char *slash = strrchr(exe, '/');
	if (!slash)
		return;
	*slash = 0;
	char path[400];
	int n2 = snprintf(path, sizeof(path), "%s/../src/%s", exe, name);
	if (n2 > 0 && (size_t)n2 < sizeof(path) && (size_t)n2 < size && access(path, X_OK) == 0)
		memcpy(out, path, (size_t)n2 + 1);
}

static void parse_opts(int argc, char **argv)
{
	enum { O_SOURCE = 256, O_PERSET, O_FLAPS, O_PORT, O_TIMEOUT, O_BIN, O_CTL, O_DIR, O_CSV,
	       O_JSON, O_LABEL, O_SEED, O_CONF, O_THREADS, O_FULL_DECODE };
	static const struct option lo[] = {
		{"server", 1, 0, 's'},	    {"feeders", 1, 0, 'k'},    {"monitors", 1, 0, 'm'},
		{"prefixes", 1, 0, 'p'},    {"overlap", 1, 0, 'o'},    {"scenarios", 1, 0, 'S'},
		{"source", 1, 0, O_SOURCE}, {"per-set", 1, 0, O_PERSET}, {"flaps", 1, 0, O_FLAPS},
		{"port", 1, 0, O_PORT},	    {"timeout", 1, 0, O_TIMEOUT}, {"bin", 1, 0, O_BIN},
		{"ctl", 1, 0, O_CTL},	    {"dir", 1, 0, O_DIR},      {"csv", 1, 0, O_CSV},
		{"json", 0, 0, O_JSON},	    {"label", 1, 0, O_LABEL},  {"seed", 1, 0, O_SEED},
		{"conf", 1, 0, O_CONF},	    {"threads", 1, 0, O_THREADS},
		{"full-decode", 0, 0, O_FULL_DECODE},			    {"help", 0, 0, 'h'},
		{0, 0, 0, 0},
	};
	int c;
	while ((c = getopt_long(argc, argv, "s:k:m:p:o:S:vh", lo, NULL)) != -1) {
		switch (c) {
		case 's': o.server = server_kind_parse(optarg); break;
		case 'k': o.feeders = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'm': o.monitors = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'p': o.prefixes = strtoull(optarg, NULL, 10); break;
		case 'o': o.overlap = strtod(optarg, NULL); break;
		case 'S': snprintf(o.scenarios, sizeof(o.scenarios), "%s", optarg); break;
		case 'v': bench_verbose = 1; break;
		case O_SOURCE: snprintf(o.source, sizeof(o.source), "%s", optarg); break;
		case O_PERSET: o.per_set = strtod(optarg, NULL); break;
		case O_FLAPS: o.flaps = (unsigned)strtoul(optarg, NULL, 10); break;
		case O_PORT: o.port = (uint16_t)strtoul(optarg, NULL, 10); break;
		case O_TIMEOUT: o.timeout_s = (unsigned)strtoul(optarg, NULL, 10); break;
		case O_BIN: snprintf(o.bin, sizeof(o.bin), "%s", optarg); break;
		case O_CTL: snprintf(o.ctl, sizeof(o.ctl), "%s", optarg); break;
		case O_CONF: snprintf(o.conf, sizeof(o.conf), "%s", optarg); break;
		case O_THREADS: o.threads = (unsigned)strtoul(optarg, NULL, 10); break;
		case O_FULL_DECODE: o.full_decode = true; break;
		case O_DIR: snprintf(o.dir, sizeof(o.dir), "%s", optarg); break;
		case O_CSV: snprintf(o.csv, sizeof(o.csv), "%s", optarg); break;
		case O_JSON: o.json = true; break;
		case O_LABEL: snprintf(o.label, sizeof(o.label), "%s", optarg); break;
		case O_SEED: o.seed = (uint32_t)strtoul(optarg, NULL, 10); break;
		default: usage();
		}
	}
	if (optind != argc || !o.feeders || !o.prefixes || o.feeders > 60000 || o.monitors > 60000 ||
	    !o.threads || o.threads > 64)
		usage();
	if (o.server == SRV_NONE && !o.monitors)
		bench_die("--server none needs at least one monitor");
	if (o.server == SRV_ROUTEXD)
		default_tool(o.bin, sizeof(o.bin), "routexd");
	default_tool(o.ctl, sizeof(o.ctl), "routexctl");
	if (!o.dir[0])
		snprintf(o.dir, sizeof(o.dir), "/tmp/routex-bench.%d", (int)getpid());
	if (!o.label[0])
		snprintf(o.label, sizeof(o.label), "%s", server_kind_name(o.server));
}

static bool has_scenario(const char *name)
{
	char buf[128];
	snprintf(buf, sizeof(buf), "%s", o.scenarios);
	for (char *save, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if (!strcmp(t, name))
			return true;
	return false;
}

/* 127.B.x.y with y in 1..250, so no address ends in .0 or .255. */
static uint32_t loop_addr(unsigned b, unsigned i)
{
	return 127u << 24 | b << 16 | (i / 250) << 8 | (i % 250 + 1);
}

static double cpu_self(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* ---- Phase helpers ---- */

static struct run R;

/* Interrupted or over the global time limit: the server is our child, stop it first. */
static void on_signal(int sig)
{
	if (bench_server_pid > 0)
		kill(bench_server_pid, SIGTERM);
	static const char msg[] = "routex-bench: interrupted, server stopped\n";
	(void)!write(2, msg, sizeof(msg) - 1);
	_exit(128 + sig);
}

static bool all_up(struct run *r)
{
	return __atomic_load_n(&r->n_up, __ATOMIC_RELAXED) == run_sessions(r);
}

static bool quiet(struct run *r)
{
	uint64_t now = bench_now_ns(), last = 0;
	for (unsigned i = 0; i < r->n_mons; i++)
		if (run_load(&r->mons[i].last_rx_ns) > last)
			last = run_load(&r->mons[i].last_rx_ns);
	for (unsigned i = 0; i < r->n_feeders; i++)
		if (r->feeders[i].rx.last_rx_ns > last)
			last = r->feeders[i].rx.last_rx_ns;
	return now - last > 300000000ull && run_feeds_written(r);
}

static bool mon_done(const struct monitor *m)
{
	return !m->has_target || run_done_ns(m);
}

static bool all_done(struct run *r)
{
	for (unsigned i = 0; i < r->n_mons; i++)
		if (!mon_done(&r->mons[i]))
			return false;
	for (unsigned i = 0; i < r->n_feeders; i++)
		if (!mon_done(&r->feeders[i].rx))
			return false;
	return true;
}

static uint64_t last_done(const struct run *r)
{
	uint64_t t = 0;
	for (unsigned i = 0; i < r->n_mons; i++)
		if (r->mons[i].has_target && run_done_ns(&r->mons[i]) > t)
			t = run_done_ns(&r->mons[i]);
	for (unsigned i = 0; i < r->n_feeders; i++)
		if (r->feeders[i].rx.has_target && run_done_ns(&r->feeders[i].rx) > t)
			t = run_done_ns(&r->feeders[i].rx);
	return t;
}

static uint64_t deadline(void)
{
	return bench_now_ns() + (uint64_t)o.timeout_s * 1000000000ull;
}

static void report_stuck(const char *phase)
{
	bench_log("%s: timed out after %u s", phase, o.timeout_s);
	run_lock_all(&R);
	for (unsigned i = 0; i < R.n_mons; i++) {
		struct monitor *m = &R.mons[i];
		if (!mon_done(m))
			bench_log("  monitor %u holds %zu prefixes, expects %zu", i, m->set.count,
				  m->target);
	}
	for (unsigned i = 0; i < R.n_feeders; i++) {
		struct monitor *m = &R.feeders[i].rx;
		if (!mon_done(m))
			bench_log("  feeder %u holds %zu prefixes, expects %zu", i, m->set.count,
				  m->target);
	}
	run_unlock_all(&R);
}

/* Times one phase from t0 (or the first byte fed after it) to the last target reached. */
static double phase(const char *name, uint64_t t0)
{
	if (!run_until(&R, all_done, deadline())) {
		report_stuck(name);
		return -1;
	}
	uint64_t first = run_first_tx_ns(&R);
	if (first && first > t0)
		t0 = first;
	run_lock_all(&R);
	uint64_t end = last_done(&R);
	run_unlock_all(&R);
	return end > t0 ? (double)(end - t0) / 1e9 : 0;
}

/* After convergence: every monitor holds exactly the universe's first n prefixes. */
static bool verify(const struct universe *u, size_t n)
{
	bool ok = true;
	run_lock_all(&R);
	for (unsigned i = 0; i < R.n_mons; i++) {
		struct monitor *m = &R.mons[i];
		size_t missing = 0;
		for (size_t j = 0; j < n; j++)
			missing += !pset_has(&m->set, u->addr[j], u->len[j]);
		if (missing || m->set.count != n) {
			bench_log("monitor %u: %zu prefixes missing, %zu held, %zu expected", i,
				  missing, m->set.count, n);
			ok = false;
		}
	}
	run_unlock_all(&R);
	return ok;
}

/* ---- Scenarios ---- */

static void set_targets(size_t n)
{
	for (unsigned i = 0; i < R.n_mons; i++)
		run_set_target(&R.mons[i], n);
}

static void sc_converge(struct server *sv, const struct universe *u, struct result *res)
{
	set_targets(res->universe);
	double cpu0 = server_cpu_s(sv), self0 = cpu_self();
	uint64_t t0 = bench_now_ns();
	for (unsigned k = 0; k < R.n_feeders; k++)
		run_feed(&R, k, false);
	res->converge_s = phase("converge", t0);
	res->conv_cpu_s = sv->pid > 0 ? server_cpu_s(sv) - cpu0 : -1;
	res->conv_harness_cpu_s = cpu_self() - self0;
	uint64_t first = run_first_tx_ns(&R);
	run_until(&R, quiet, deadline());
	uint64_t last = run_last_tx_ns(&R);
	res->feed_written_s = last > first ? (double)(last - first) / 1e9 : -1;
	if (res->converge_s >= 0) {
		res->verified = verify(u, res->universe);
		res->verify_run = true;
	}
}

static void sc_withdraw(struct server *sv, struct result *res)
{
	set_targets(0);
	double cpu0 = server_cpu_s(sv);
	uint64_t t0 = bench_now_ns();
	for (unsigned k = 0; k < R.n_feeders; k++)
		run_feed(&R, k, true);
	res->withdraw_s = phase("withdraw", t0);
	res->wd_cpu_s = sv->pid > 0 ? server_cpu_s(sv) - cpu0 : -1;
	run_until(&R, quiet, deadline());
}

static void sc_flap(const struct feed_params *fp, struct result *res)
{
	size_t only0 = o.feeders > 1 ? (feed_stride(fp) < fp->per_feeder ? feed_stride(fp)
									  : fp->per_feeder)
				     : fp->per_feeder;
	double down = 0, up = 0;
	for (unsigned i = 0; i < o.flaps; i++) {
		set_targets(res->universe - only0);
		uint64_t t0 = bench_now_ns();
		run_feeder_down(&R, 0);
		double d = phase("flap down", t0);
		run_until(&R, quiet, deadline());
		set_targets(res->universe);
		run_feeder_up(&R, 0);
		if (!run_until(&R, all_up, deadline()))
			bench_die("feeder 0 does not come back up");
		t0 = bench_now_ns();
		run_feed(&R, 0, false);
		double x = phase("flap up", t0);
		run_until(&R, quiet, deadline());
		if (d < 0 || x < 0) {
			down = up = -1;
			break;
		}
		down += d / o.flaps;
		up += x / o.flaps;
	}
	res->flap_down_s = down;
	res->flap_up_s = up;
}

/* Route exchange toggle (routexd, Azure roles, disjoint windows): feeder k is nva when k is
 * even, expressroute when odd; monitors are nva. DESIGN.md's matrix: nva -> nva always,
 * nva <-> expressroute only with exchange on, expressroute -> expressroute never. */
static void exchange_targets(const struct feed_params *fp, bool on)
{
	size_t nva = 0, er = 0;
	for (unsigned k = 0; k < o.feeders; k++)
		*(k % 2 ? &er : &nva) += fp->per_feeder;
	for (unsigned i = 0; i < R.n_mons; i++)
		run_set_target(&R.mons[i], nva + (on ? er : 0));
	for (unsigned k = 0; k < o.feeders; k++)
		run_set_target(&R.feeders[k].rx, k % 2 ? (on ? nva : 0)
						       : nva - fp->per_feeder + (on ? er : 0));
}

static void sc_exchange(struct server *sv, const struct feed_params *fp, struct result *res)
{
	exchange_targets(fp, false);
	for (unsigned k = 0; k < R.n_feeders; k++)
		run_feed(&R, k, false);
	if (phase("exchange: initial feed", bench_now_ns()) < 0)
		return;
	run_until(&R, quiet, deadline());
	for (int on = 1; on >= 0; on--) {
		exchange_targets(fp, on);
		uint64_t t0 = bench_now_ns();
		if (server_exchange(sv, on) < 0)
			bench_die("routexctl exchange %s failed", on ? "on" : "off");
		double t = phase(on ? "exchange on" : "exchange off", t0);
		*(on ? &res->exch_on_s : &res->exch_off_s) = t;
		run_until(&R, quiet, deadline());
	}
}

/* ---- Output ---- */

static void fmt_s(char *b, size_t n, double v)
{
	if (v < 0)
		snprintf(b, n, "-");
	else
		snprintf(b, n, "%.4f", v);
}

static void print_results(const struct result *r, const struct universe *u)
{
	char cv[32], wd[32], fd[32], fu[32], eon[32], eoff[32], cpu[32], fw[32];
	fmt_s(cv, sizeof(cv), r->converge_s);
	fmt_s(wd, sizeof(wd), r->withdraw_s);
	fmt_s(fd, sizeof(fd), r->flap_down_s);
	fmt_s(fu, sizeof(fu), r->flap_up_s);
	fmt_s(eon, sizeof(eon), r->exch_on_s);
	fmt_s(eoff, sizeof(eoff), r->exch_off_s);
	fmt_s(cpu, sizeof(cpu), r->conv_cpu_s);
	fmt_s(fw, sizeof(fw), r->feed_written_s);
	double rate = r->converge_s > 0 ? (double)r->universe / r->converge_s : -1;
	printf("%s: server=%s feeders=%u monitors=%u prefixes=%zu universe=%zu converge=%ss "
	       "rate=%.0f/s withdraw=%ss flap=%s/%ss exchange=%s/%ss cpu=%ss total_cpu=%.3fs "
	       "rss=%.1fMB feed_written=%ss harness_cpu=%.3fs monitor_decode=%.1fM/s verified=%s "
	       "downs=%u\n",
	       o.label, server_kind_name(o.server), o.feeders, o.monitors, o.prefixes, r->universe,
	       cv, rate, wd, fd, fu, eon, eoff, cpu, r->cpu_total_s,
	       r->hwm > 0 ? (double)r->hwm / 1048576.0 : -1.0, fw, r->conv_harness_cpu_s,
	       r->decode_rate / 1e6, !r->verify_run ? "-" : r->verified ? "yes" : "no", r->downs);
	if (o.json)
		printf("{\"label\":\"%s\",\"server\":\"%s\",\"feeders\":%u,\"monitors\":%u,"
		       "\"prefixes\":%zu,\"universe\":%zu,\"overlap\":%.3f,\"source\":\"%s\","
		       "\"converge_s\":%.6f,\"rate\":%.0f,\"withdraw_s\":%.6f,\"flap_down_s\":%.6f,"
		       "\"flap_up_s\":%.6f,\"exchange_on_s\":%.6f,\"exchange_off_s\":%.6f,"
		       "\"converge_cpu_s\":%.3f,\"withdraw_cpu_s\":%.3f,\"total_cpu_s\":%.3f,"
		       "\"peak_rss_bytes\":%lld,\"feed_written_s\":%.6f,\"harness_cpu_s\":%.3f,"
		       "\"stream_bytes\":%llu,\"stream_msgs\":%llu,\"decode_rate\":%.0f,\"verified\":%s,"
		       "\"downs\":%u}\n",
		       o.label, server_kind_name(o.server), o.feeders, o.monitors, o.prefixes,
		       r->universe, o.overlap, u->source, r->converge_s, rate, r->withdraw_s,
		       r->flap_down_s, r->flap_up_s, r->exch_on_s, r->exch_off_s, r->conv_cpu_s,
		       r->wd_cpu_s, r->cpu_total_s, r->hwm, r->feed_written_s,
		       r->conv_harness_cpu_s, (unsigned long long)r->stream_bytes,
		       (unsigned long long)r->stream_msgs, r->decode_rate,
		       r->verified ? "true" : "false",
		       r->downs);
	if (o.csv[0]) {
		struct stat st;
		bool fresh = stat(o.csv, &st) != 0 || st.st_size == 0;
		FILE *f = fopen(o.csv, "a");
		if (!f)
			bench_die("%s: %s", o.csv, strerror(errno));
		if (fresh)
			fprintf(f, "label,server,feeders,monitors,prefixes,universe,overlap,converge_s,"
				   "rate,withdraw_s,flap_down_s,flap_up_s,exchange_on_s,exchange_off_s,"
				   "converge_cpu_s,withdraw_cpu_s,total_cpu_s,peak_rss_bytes,"
				   "feed_written_s,harness_cpu_s,verified\n");
		fprintf(f, "%s,%s,%u,%u,%zu,%zu,%.3f,%.6f,%.0f,%.6f,%.6f,%.6f,%.6f,%.6f,%.3f,%.3f,"
			   "%.3f,%lld,%.6f,%.3f,%s\n",
			o.label, server_kind_name(o.server), o.feeders, o.monitors, o.prefixes,
			r->universe, o.overlap, r->converge_s, rate, r->withdraw_s, r->flap_down_s,
			r->flap_up_s, r->exch_on_s, r->exch_off_s, r->conv_cpu_s, r->wd_cpu_s,
			r->cpu_total_s, r->hwm, r->feed_written_s, r->conv_harness_cpu_s,
			r->verified ? "yes" : "no");
		fclose(f);
	}
}

/* ---- Setup ---- */

static void load_universe(struct universe *u, size_t n)
{
	int rc;
	if (!strcmp(o.source, "gen"))
		rc = universe_generate(u, n, o.seed);
	else if (!strncmp(o.source, "asprefix", 8))
		rc = universe_load_asprefix(u, o.source[8] == ':' ? o.source + 9 : DEFAULT_ASPREFIX,
					    n);
	else if (!strncmp(o.source, "mrt:", 4))
		rc = universe_load_mrt(u, o.source + 4, n);
	else
		bench_die("unknown --source %s", o.source);
	if (rc < 0)
		bench_die("cannot read the source %s", o.source);
	if (u->n < n)
		bench_die("the source has %zu prefixes, %zu needed (prefixes + (feeders - 1) * "
			  "stride)",
			  u->n, n);
	universe_make_sets(u, o.per_set, o.seed);
}

static void build_peers(const struct universe *u, const struct feed_params *fp,
			struct result *res, bool exchange)
{
	R.n_feeders = o.feeders;
	R.n_mons = o.monitors;
	R.feeders = calloc(o.feeders, sizeof(*R.feeders));
	R.mons = calloc(o.monitors ? o.monitors : 1, sizeof(*R.mons));
	if (!R.feeders || !R.mons)
		bench_die("out of memory");
	for (unsigned k = 0; k < o.feeders; k++) {
		struct feeder *f = &R.feeders[k];
		f->idx = k;
		f->addr = loop_addr(1, k);
		f->asn = BENCH_FEEDER_AS0 + k;
		f->rx.idx = k;
		pset_init(&f->rx.set);
		/* NEXT_HOP: the feeder's own address, as a real rs-client sends; routexd, GoBGP
		 * and FRR refuse loopback next hops (RFC 1122 3.2.1.3; FRR: NOTIFICATION 3/8), so
		 * they get addresses in BENCH_NH_NET instead. */
		bool no_lo = o.server == SRV_GOBGP || o.server == SRV_FRR || o.server == SRV_ROUTEXD;
		uint32_t nh = no_lo ? BENCH_NH_NET + k + 1 : f->addr;
		stream_build_announce(&f->ann, u, fp, k, f->asn, nh);
		stream_build_withdraw(&f->wd, u, fp, k);
		res->stream_bytes += f->ann.len;
		res->stream_msgs += f->ann.msgs;
	}
	for (unsigned i = 0; i < o.monitors; i++) {
		struct monitor *m = &R.mons[i];
		m->idx = i;
		m->addr = loop_addr(2, i);
		m->asn = BENCH_MONITOR_AS0 + i;
		pset_init(&m->set);
	}
	R.track_feeders = exchange;
	R.full_decode = o.full_decode;
}

int main(int argc, char **argv)
{
	parse_opts(argc, argv);
	/* Without a server every feeder talks to every monitor: 200 x 200 = 40,000 sockets,
	 * past the usual hard limit; root may raise it (the kernel caps it at fs.nr_open). */
	struct rlimit nofile;
	rlim_t want = 2 * (rlim_t)o.feeders * (o.monitors + 1) + 256;
	if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < want) {
		struct rlimit up = {want, want > nofile.rlim_max ? want : nofile.rlim_max};
		if (setrlimit(RLIMIT_NOFILE, &up) != 0) { /* not root: as far as allowed */
			nofile.rlim_cur = nofile.rlim_max;
			setrlimit(RLIMIT_NOFILE, &nofile);
		}
	}
	bool exchange = has_scenario("exchange");
	if (exchange) {
		if (o.server != SRV_ROUTEXD)
			bench_die("the exchange scenario needs --server routexd");
		if (o.feeders < 2)
			bench_die("the exchange scenario needs at least 2 feeders");
		o.overlap = 0; /* disjoint windows: every peer's target is a plain sum */
	}
	struct feed_params fp = {o.prefixes, o.overlap, o.feeders, o.seed};
	struct universe u;
	struct result res;
	memset(&res, 0, sizeof(res));
	res.converge_s = res.withdraw_s = res.flap_down_s = res.flap_up_s = -1;
	res.exch_on_s = res.exch_off_s = res.conv_cpu_s = res.wd_cpu_s = res.feed_written_s = -1;
	res.universe = feed_universe_size(&fp);

	uint64_t tb = bench_now_ns();
	run_init(&R, o.threads);
	load_universe(&u, res.universe);
	build_peers(&u, &fp, &res, exchange);
	bench_log("universe: %s; %zu attribute sets; feeds: %llu messages, %.1f MB, "
		  "%.1f prefixes/message, encoded in %.2f s",
		  u.source, u.n_sets, (unsigned long long)res.stream_msgs,
		  (double)res.stream_bytes / 1048576.0,
		  (double)o.prefixes * o.feeders / (double)(res.stream_msgs ? res.stream_msgs : 1),
		  (double)(bench_now_ns() - tb) / 1e9);

	struct server sv = {.kind = o.server, .port = o.port, .transparent = !exchange};
	snprintf(sv.dir, sizeof(sv.dir), "%s", o.dir);
	snprintf(sv.bin, sizeof(sv.bin), "%s", o.bin);
	snprintf(sv.ctl, sizeof(sv.ctl), "%s", o.ctl);
	snprintf(sv.conf, sizeof(sv.conf), "%s", o.conf);
	R.loopback = o.server == SRV_NONE;
	R.server_addr = 127u << 24 | 1;
	R.port = o.port;
	if (!R.loopback) {
		size_t n = o.feeders + o.monitors;
		struct peer_addr *pa = calloc(n, sizeof(*pa));
		for (unsigned k = 0; k < o.feeders; k++)
			pa[k] = (struct peer_addr){R.feeders[k].addr, R.feeders[k].asn,
						   exchange ? (k % 2 ? "expressroute" : "nva")
							    : "rs-client"};
		for (unsigned i = 0; i < o.monitors; i++)
			pa[o.feeders + i] = (struct peer_addr){R.mons[i].addr, R.mons[i].asn,
								exchange ? "nva" : "rs-client"};
		signal(SIGINT, on_signal);
		signal(SIGTERM, on_signal);
		signal(SIGALRM, on_signal);
		/* Every phase is bounded by --timeout; the whole run by a multiple of it. */
		alarm(o.timeout_s * 8 + 120);
		if (server_start(&sv, pa, n) < 0)
			bench_die("cannot start %s", server_kind_name(o.server));
		bench_server_pid = sv.pid;
		free(pa);
	}
	run_connect_all(&R);
	if (!run_until(&R, all_up, bench_now_ns() + 60000000000ull)) {
		server_stop(&sv);
		bench_die("only %u of %u sessions Established after 60 s", R.n_up,
			  run_sessions(&R));
	}
	run_until(&R, quiet, bench_now_ns() + 5000000000ull);
	bench_log("%u sessions Established; feeding", R.n_up);

	if (exchange) {
		sc_exchange(&sv, &fp, &res);
	} else {
		sc_converge(&sv, &u, &res);
		/* Without a server nobody withdraws a closed session's routes from the monitors:
		 * the flap has nothing to measure. */
		if (has_scenario("flap") && R.loopback)
			bench_log("flap: not measured with --server none");
		else if (has_scenario("flap") && res.converge_s >= 0) {
			sc_flap(&fp, &res);
			/* The flap phases end on counts; after the last one every monitor must
			 * again hold exactly the universe, prefix by prefix. */
			if (res.flap_up_s >= 0)
				res.verified = verify(&u, res.universe) && res.verified;
		}
		if (has_scenario("withdraw") && res.converge_s >= 0)
			sc_withdraw(&sv, &res);
	}
	run_stop(&R); /* the monitor threads must not see the server go */
	res.hwm = server_hwm_bytes(&sv);
	res.cpu_total_s = sv.pid > 0 ? server_cpu_s(&sv) : -1;
	run_lock_all(&R);
	res.downs = R.downs;
	uint64_t nl = 0, busy = 0;
	for (unsigned i = 0; i < R.n_mons; i++) {
		nl += R.mons[i].nlri_in + R.mons[i].withdrawn_in;
		busy += R.mons[i].rx_busy_ns;
	}
	res.decode_rate = busy ? (double)nl / ((double)busy / 1e9) : -1;
	if (R.n_mons)
		bench_log("monitor 0 received %llu UPDATEs, %.1f prefixes per UPDATE",
			  (unsigned long long)R.mons[0].updates_in,
			  (double)(R.mons[0].nlri_in + R.mons[0].withdrawn_in) /
				  (double)(R.mons[0].updates_in ? R.mons[0].updates_in : 1));
	run_unlock_all(&R);
	server_stop(&sv);
	bench_server_pid = 0;
	print_results(&res, &u);
	run_fini(&R);
	universe_free(&u); /* the sanitizer builds run the harness with LeakSanitizer too */
	bool ok = res.converge_s >= 0 || res.exch_on_s >= 0;
	return ok ? 0 : 1;
}
