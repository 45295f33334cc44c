/* collect.c: what a scrape says (every name is listed in docs/metrics.md).
 *
 * Everything read here is published for readers: the peers' slots (append-only, never
 * freed while running) and their "Published for readers" fields, the sessions' counters
 * (relaxed stores by their I/O thread), struct rde_stats (relaxed stores by the decision
 * thread), and the config (replaced configs live until exit). No lock is taken and the RCU
 * read side is not needed, so a scrape can never delay the decision thread.
 *
 * The text format wants every sample of a family together, so each peer is read once into
 * a snapshot and the families are then written family by family. */
#include <dirent.h>
#include <dlfcn.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <routex/compiler.h>
#include <routex/daemon.h>
#include <routex/metrics.h>
#include <routex/wire.h>

#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)

struct peer_snap {
	const char *name;
	char addr[64], asn[16];
	const char *role;
	int state;                 /* enum fsm_state */
	int64_t since;
	uint64_t received, accepted, advertised, rejected, flaps, established;
	uint64_t msgs[2][WIRE_ROUTE_REFRESH + 1]; /* [0] in, [1] out */
	uint64_t bytes[2];
	uint64_t malformed, queued;
};

static const char *role_name(uint8_t role)
{
	static const char *const n[] = {"local", "nva", "expressroute", "vpn", "rs-client"};
	return role < RX_ARRAY_LEN(n) ? n[role] : "unknown";
}

static void snap_peer(struct rx_peer *p, struct peer_snap *s)
{
	const struct conf_peer *cp = peer_conf(p);
	const struct peer_stats *st = &p->io.s.stats;
	s->name = cp->name;
	rx_addr_fmt(cp->address.afi, cp->address.addr, s->addr, sizeof(s->addr));
	snprintf(s->asn, sizeof(s->asn), "%u", cp->asn);
	s->role = role_name(LOAD(p->role));
	s->state = LOAD(p->state);
	s->since = LOAD(p->up_since);
	s->received = LOAD(p->received);
	s->accepted = LOAD(p->accepted);
	s->advertised = LOAD(p->advertised);
	s->rejected = LOAD(p->rejected);
	s->flaps = LOAD(p->flaps);
	s->established = LOAD(st->established_count);
	for (int t = WIRE_OPEN; t <= WIRE_ROUTE_REFRESH; t++) {
		s->msgs[0][t] = LOAD(st->msgs_in[t]);
		s->msgs[1][t] = LOAD(st->msgs_out[t]);
	}
	s->bytes[0] = LOAD(st->bytes_in);
	s->bytes[1] = LOAD(st->bytes_out);
	s->malformed = LOAD(st->updates_malformed);
	s->queued = io_peer_queued_bytes(&p->io);
}

/* One per-peer family whose value is a uint64_t field of struct peer_snap. */
struct peer_family {
	const char *name, *type, *help;
	size_t off;
};

#define PF(name, type, field, help) {name, type, help, offsetof(struct peer_snap, field)}

static const struct peer_family peer_families[] = {
	PF("routex_peer_prefixes_received", "gauge", received,
	   "Prefixes the peer announced and holds in the Adj-RIB-In."),
	PF("routex_peer_prefixes_accepted", "gauge", accepted,
	   "Prefixes of the peer that are candidates in the Loc-RIB (after policy)."),
	PF("routex_peer_prefixes_advertised", "gauge", advertised,
	   "Prefixes routexd advertises to the peer."),
	PF("routex_peer_prefixes_rejected_total", "counter", rejected,
	   "Announcements refused (AS_PATH loop, limits)."),
	PF("routex_peer_flaps_total", "counter", flaps, "Sessions lost."),
	PF("routex_peer_established_total", "counter", established,
	   "Times the session reached Established."),
	PF("routex_peer_updates_malformed_total", "counter", malformed,
	   "UPDATE messages with an RFC 7606 error (reset, treat-as-withdraw or attribute "
	   "discard)."),
	PF("routex_peer_output_queue_bytes", "gauge", queued,
	   "Bytes queued for the peer (mostly packed UPDATEs) not yet written to its socket."),
};

static void peer_labels(const struct peer_snap *s, struct metrics_label *l)
{
	l[0] = (struct metrics_label){"peer", s->name};
	l[1] = (struct metrics_label){"address", s->addr};
}

static void write_peers(FILE *out, const struct peer_snap *ps, size_t n)
{
	struct metrics_label l[4];
	int64_t now = (int64_t)time(NULL);
	metrics_family(out, "routex_peer_info", "gauge",
		       "Configured peer (value 1), with its AS number and role.");
	for (size_t i = 0; i < n; i++) {
		peer_labels(&ps[i], l);
		l[2] = (struct metrics_label){"asn", ps[i].asn};
		l[3] = (struct metrics_label){"role", ps[i].role};
		metrics_sample_u64(out, "routex_peer_info", l, 4, 1);
	}
	metrics_family(out, "routex_peer_up", "gauge", "1 when the session is Established.");
	for (size_t i = 0; i < n; i++) {
		peer_labels(&ps[i], l);
		metrics_sample_u64(out, "routex_peer_up", l, 2, ps[i].state == FSM_ESTABLISHED);
	}
	metrics_family(out, "routex_peer_state", "gauge",
		       "Session state, numbered as BGP4-MIB bgpPeerState: 1 Idle, 2 Connect, "
		       "3 Active, 4 OpenSent, 5 OpenConfirm, 6 Established.");
	for (size_t i = 0; i < n; i++) {
		peer_labels(&ps[i], l);
		metrics_sample_u64(out, "routex_peer_state", l, 2, (uint64_t)ps[i].state + 1);
	}
	metrics_family(out, "routex_peer_uptime_seconds", "gauge",
		       "Seconds since the session reached Established; 0 when down.");
	for (size_t i = 0; i < n; i++) {
		peer_labels(&ps[i], l);
		int64_t up = ps[i].since ? now - ps[i].since : 0;
		metrics_sample_u64(out, "routex_peer_uptime_seconds", l, 2, up > 0 ? (uint64_t)up : 0);
	}
	for (size_t f = 0; f < RX_ARRAY_LEN(peer_families); f++) {
		const struct peer_family *pf = &peer_families[f];
		metrics_family(out, pf->name, pf->type, pf->help);
		for (size_t i = 0; i < n; i++) {
			peer_labels(&ps[i], l);
			uint64_t v;
			memcpy(&v, (const char *)&ps[i] + pf->off, sizeof(v));
			metrics_sample_u64(out, pf->name, l, 2, v);
		}
	}
	static const char *const dirs[] = {"in", "out"};
	static const char *const types[] = {NULL, "open", "update", "notification", "keepalive",
					    "route_refresh"};
	metrics_family(out, "routex_peer_messages_total", "counter",
		       "BGP messages received (direction in) and sent (out), by type.");
	for (size_t i = 0; i < n; i++)
		for (int d = 0; d < 2; d++)
			for (int t = WIRE_OPEN; t <= WIRE_ROUTE_REFRESH; t++) {
				peer_labels(&ps[i], l);
				l[2] = (struct metrics_label){"direction", dirs[d]};
				l[3] = (struct metrics_label){"type", types[t]};
				metrics_sample_u64(out, "routex_peer_messages_total", l, 4, ps[i].msgs[d][t]);
			}
	metrics_family(out, "routex_peer_bytes_total", "counter",
		       "Bytes read from (in) and written to (out) the peer's TCP connections.");
	for (size_t i = 0; i < n; i++)
		for (int d = 0; d < 2; d++) {
			peer_labels(&ps[i], l);
			l[2] = (struct metrics_label){"direction", dirs[d]};
			metrics_sample_u64(out, "routex_peer_bytes_total", l, 3, ps[i].bytes[d]);
		}
}

static void gauge(FILE *out, const char *name, const char *help, uint64_t v)
{
	metrics_family(out, name, "gauge", help);
	metrics_sample_u64(out, name, NULL, 0, v);
}

static void counter(FILE *out, const char *name, const char *help, uint64_t v)
{
	metrics_family(out, name, "counter", help);
	metrics_sample_u64(out, name, NULL, 0, v);
}

static void per_afi(FILE *out, const char *name, const char *help, const uint64_t v[2])
{
	static const struct metrics_label afi[2] = {{"afi", "ipv4"}, {"afi", "ipv6"}};
	metrics_family(out, name, "gauge", help);
	metrics_sample_u64(out, name, &afi[0], 1, LOAD(v[0]));
	metrics_sample_u64(out, name, &afi[1], 1, LOAD(v[1]));
}

static void hist(FILE *out, const char *name, const char *help, const struct metrics_hist *h)
{
	double bounds[METRICS_HIST_BUCKETS];
	uint64_t counts[METRICS_HIST_BUCKETS + 1];
	struct metrics_hist_snap snap;
	metrics_hist_read(h, bounds, counts, &snap);
	metrics_family(out, name, "histogram", help);
	metrics_sample_hist(out, name, NULL, 0, &snap);
}

static void write_core(FILE *out, struct rx_daemon *d)
{
	struct rde_stats *st = &d->stats;
	uint64_t pushed = LOAD(d->rdeq_pushed), taken = LOAD(st->msgs);
	gauge(out, "routex_route_exchange_enabled",
	      "1 while route exchange (branch-to-branch) is on.", LOAD(d->exchange));
	gauge(out, "routex_decision_queue_messages",
	      "Messages (UPDATEs, session events) queued for the decision thread.",
	      pushed > taken ? pushed - taken : 0);
	counter(out, "routex_decision_messages_total", "Messages the decision thread applied.",
		taken);
	counter(out, "routex_decision_prefixes_total",
		"Prefixes announced or withdrawn by the messages applied.", LOAD(st->prefixes));
	counter(out, "routex_decision_batches_total",
		"Times the decision thread woke up and found messages.", LOAD(st->batches));
	hist(out, "routex_decision_duration_seconds",
	     "Time the decision thread spent applying one slice of queued messages (at most "
	     "4096 prefixes, or what was queued), export excluded.",
	     &st->decide);
	hist(out, "routex_export_duration_seconds",
	     "Time one export of the RIB's change log took: selection per update group, "
	     "UPDATE packing, queueing to the peers.",
	     &st->export_);
	counter(out, "routex_export_updates_total", "UPDATE messages packed for update groups.",
		LOAD(st->updates_packed));
	counter(out, "routex_export_routes_withheld_total",
		"Routes not sent because their attributes do not fit the group's message size.",
		LOAD(st->routes_withheld));
	per_afi(out, "routex_rib_prefixes", "Prefixes in the Loc-RIB.", st->rib_prefixes);
	per_afi(out, "routex_rib_paths", "Candidate paths in the Loc-RIB.", st->rib_paths);
	per_afi(out, "routex_rib_nodes", "Radix tree nodes, glue nodes included.", st->rib_nodes);
	per_afi(out, "routex_rib_node_bytes",
		"Bytes the radix tree holds for its nodes (pool slabs, free space included, and "
		"individually allocated nodes).",
		st->rib_node_bytes);
	gauge(out, "routex_rib_prefix_list_bytes",
	      "Bytes of the per-peer prefix lists (used to flush a peer's routes).",
	      LOAD(st->rib_key_bytes));
	gauge(out, "routex_rib_attribute_sets", "Interned path attribute sets.",
	      LOAD(st->attr_sets));
	gauge(out, "routex_rib_attribute_bytes", "Bytes of the interned path attribute sets and of their table.",
	      LOAD(st->attr_bytes));
	gauge(out, "routex_rib_retired_pending",
	      "RIB objects retired and not yet freed (waiting for an RCU grace period).",
	      LOAD(st->retired_pending));
}

/* BMP export (docs/bmp.md): the exporter's published totals. */
static void write_bmp(FILE *out, struct rx_daemon *d)
{
	const struct bmp_totals *t = &d->bmp_totals;
	gauge(out, "routex_bmp_collectors", "BMP collectors configured.", LOAD(t->collectors));
	gauge(out, "routex_bmp_collectors_up", "BMP collector sessions up.", LOAD(t->up));
	counter(out, "routex_bmp_connects_total", "BMP sessions opened to collectors.",
		LOAD(t->connects));
	counter(out, "routex_bmp_resets_total",
		"BMP sessions routexd closed: a write error, or a full queue (then resynced).",
		LOAD(t->resets));
	counter(out, "routex_bmp_messages_total", "BMP messages written to collectors.",
		LOAD(t->sent));
	counter(out, "routex_bmp_messages_dropped_total",
		"BMP messages dropped because a collector's queue was full.", LOAD(t->dropped));
}

/* The BGP4MP message log (docs/mrt.md "The message log"): always exported, so that a
 * dashboard's rate of drops reads 0 rather than nothing while the log is off. */
static void write_mrtlog(FILE *out, struct rx_daemon *d)
{
	if (!d->mrtlog)
		return;
	struct mrtlog_totals t;
	mrtlog_totals(d->mrtlog, &t);
	counter(out, "routex_mrt_log_messages_total",
		"BGP messages received from peers and recorded in the MRT message log.",
		t.messages);
	counter(out, "routex_mrt_log_state_changes_total",
		"Session state changes recorded in the MRT message log.", t.states);
	counter(out, "routex_mrt_log_dropped_total",
		"MRT message log records dropped: the writer was behind (queue bound) or the file "
		"could not be written.",
		t.dropped);
	counter(out, "routex_mrt_log_bytes_total", "Bytes written to MRT message log files.",
		t.bytes);
	counter(out, "routex_mrt_log_files_total", "MRT message log files completed (renamed into place).",
		t.files);
	counter(out, "routex_mrt_log_errors_total",
		"MRT message log files that could not be created, written or renamed.", t.errors);
}

/* One gauge family with a sample per RTR cache: whether it is up, or its serial. A family's
 * samples must stand together in the exposition format, so each family reads the caches. */
static void rpki_caches(FILE *out, struct rpki *r, size_t n, const char *family,
			const char *help, bool serial)
{
	metrics_family(out, family, "gauge", help);
	for (size_t i = 0; i < n; i++) {
		char name[80];
		bool up;
		uint32_t sn;
		rpki_cache(r, i, name, sizeof(name), &up, &sn);
		struct metrics_label l = {"cache", name};
		metrics_sample_u64(out, family, &l, 1, serial ? sn : up);
	}
}

/* RPKI (docs/rpki.md): only when `rpki` is configured. */
static void write_rpki(FILE *out, struct rx_daemon *d)
{
	if (!d->rpki)
		return;
	struct rpki_stats s;
	rpki_stats(d->rpki, &s);
	uint64_t roas[2] = {s.roas[0], s.roas[1]};
	per_afi(out, "routex_rpki_roas", "Validated ROA payloads (VRPs) from the RTR caches.", roas);
	counter(out, "routex_rpki_roa_changes_total",
		"VRPs added or removed by the RTR caches since start.", s.changes);
	rpki_caches(out, d->rpki, s.caches, "routex_rpki_cache_up",
		    "1 while the RTR cache is in sync (a complete data set since it connected).",
		    false);
	rpki_caches(out, d->rpki, s.caches, "routex_rpki_cache_serial",
		    "Serial number of the RTR cache's last complete data set.", true);
}

/* ---- memory: the allocator's own statistics ---- */

/* routexd links jemalloc (rx_link_allocator) except in sanitizer builds; the library does
 * not, so it looks mallctl up at run time instead of depending on the final link. */
typedef int (*mallctl_fn)(const char *, void *, size_t *, void *, size_t);

static bool je_read(mallctl_fn ctl, const char *name, uint64_t *v)
{
	size_t x, len = sizeof(x);
	if (ctl(name, &x, &len, NULL, 0) != 0)
		return false;
	*v = x;
	return true;
}

static void write_memory(FILE *out)
{
	static const struct metrics_label je = {"allocator", "jemalloc"};
	mallctl_fn ctl = (mallctl_fn)(uintptr_t)dlsym(RTLD_DEFAULT, "mallctl");
	if (ctl) {
		uint64_t epoch = 1, v;
		size_t elen = sizeof(epoch);
		ctl("epoch", &epoch, &elen, &epoch, elen); /* refresh the statistics */
		static const char *const stats[][3] = {
			{"stats.active", "routex_jemalloc_active_bytes",
			 "Bytes in active pages (jemalloc stats.active)."},
			{"stats.resident", "routex_jemalloc_resident_bytes",
			 "Bytes in physically resident data pages (jemalloc stats.resident)."},
			{"stats.mapped", "routex_jemalloc_mapped_bytes",
			 "Bytes in active extents mapped by the allocator (jemalloc stats.mapped)."},
			{"stats.retained", "routex_jemalloc_retained_bytes",
			 "Bytes in virtual memory retained, not returned to the OS (stats.retained)."},
			{"stats.metadata", "routex_jemalloc_metadata_bytes",
			 "Bytes of allocator metadata (jemalloc stats.metadata)."},
		};
		if (je_read(ctl, "stats.allocated", &v)) {
			metrics_family(out, "routex_heap_allocated_bytes", "gauge",
				       "Bytes allocated by the application, as its allocator counts.");
			metrics_sample_u64(out, "routex_heap_allocated_bytes", &je, 1, v);
		}
		for (size_t i = 0; i < RX_ARRAY_LEN(stats); i++)
			if (je_read(ctl, stats[i][0], &v))
				gauge(out, stats[i][1], stats[i][2], v);
		return;
	}
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
	/* glibc malloc. (Under a sanitizer the allocator is the sanitizer's, and glibc's
	 * figures would describe almost nothing: the metric is left out.) */
	static const struct metrics_label gl = {"allocator", "glibc"};
	struct mallinfo2 mi = mallinfo2();
	metrics_family(out, "routex_heap_allocated_bytes", "gauge",
		       "Bytes allocated by the application, as its allocator counts.");
	metrics_sample_u64(out, "routex_heap_allocated_bytes", &gl, 1,
			   (uint64_t)mi.uordblks + (uint64_t)mi.hblkhd);
#endif
}

/* ---- process_*: the names every Prometheus client library uses ---- */

static bool proc_start_time(double *t)
{
	char buf[1024];
	FILE *f = fopen("/proc/self/stat", "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	if (f)
		fclose(f);
	buf[n] = 0;
	char *p = strrchr(buf, ')'); /* the command name may hold spaces and parentheses */
	unsigned long long start = 0, btime = 0;
	/* proc(5): after "(comm)", field 3 is the state; starttime is field 22. */
	for (int field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p, " %llu", &start) != 1)
		return false;
	f = fopen("/proc/stat", "r");
	if (!f)
		return false;
	char line[256];
	while (fgets(line, sizeof(line), f) && sscanf(line, "btime %llu", &btime) != 1)
		;
	fclose(f);
	long hz = sysconf(_SC_CLK_TCK);
	if (!btime || hz <= 0)
		return false;
	*t = (double)btime + (double)start / (double)hz;
	return true;
}

static void write_process(FILE *out)
{
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) == 0) {
		double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
			     (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
		metrics_family(out, "process_cpu_seconds_total", "counter",
			       "Total user and system CPU time spent in seconds.");
		metrics_sample_double(out, "process_cpu_seconds_total", NULL, 0, cpu);
	}
	unsigned long long vsz, rss;
	FILE *f = fopen("/proc/self/statm", "r");
	if (f && fscanf(f, "%llu %llu", &vsz, &rss) == 2) {
		uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
		gauge(out, "process_virtual_memory_bytes", "Virtual memory size in bytes.", vsz * page);
		gauge(out, "process_resident_memory_bytes", "Resident memory size in bytes.",
		      rss * page);
	}
	if (f)
		fclose(f);
	DIR *dir = opendir("/proc/self/fd");
	if (dir) {
		uint64_t n = 0;
		for (struct dirent *e; (e = readdir(dir));)
			n += e->d_name[0] != '.';
		closedir(dir);
		gauge(out, "process_open_fds", "Number of open file descriptors.",
		      n ? n - 1 : 0); /* less the one opendir holds */
	}
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
		gauge(out, "process_max_fds", "Maximum number of open file descriptors.",
		      (uint64_t)rl.rlim_cur);
	double start;
	if (proc_start_time(&start)) {
		metrics_family(out, "process_start_time_seconds", "gauge",
			       "Start time of the process since unix epoch in seconds.");
		metrics_sample_double(out, "process_start_time_seconds", NULL, 0, start);
	}
}

void metrics_collect(struct rx_daemon *d, FILE *out)
{
	static const struct metrics_label version = {"version", ROUTEX_VERSION};
	metrics_family(out, "routex_build_info", "gauge", "routexd's version (value 1).");
	metrics_sample_u64(out, "routex_build_info", &version, 1, 1);
	size_t n = daemon_npeers(d), k = 0;
	struct peer_snap *ps = calloc(n ? n : 1, sizeof(*ps));
	if (ps) {
		for (uint16_t src = 1; src <= n; src++) {
			struct rx_peer *p = daemon_peer(d, src);
			if (!LOAD(p->removed))
				snap_peer(p, &ps[k++]);
		}
		write_peers(out, ps, k);
		free(ps);
	}
	write_core(out, d);
	write_bmp(out, d);
	write_mrtlog(out, d);
	write_rpki(out, d);
	write_memory(out);
	write_process(out);
}
