/* server.c: adapters for the route server under test: routexd, BIRD 2, GoBGP, FRR bgpd and
 * OpenBGPD. Each writes a configuration in a run folder with every feeder and monitor as a
 * passive neighbour and accept-all policies, in the daemon's route-server mode (RFC 7947:
 * own AS not prepended, NEXT_HOP and MED untouched), starts the daemon in the foreground as
 * our child, waits until it listens, and stops it by PID (SIGTERM, then SIGKILL).
 *
 * Figures that do not depend on the harness come from /proc/PID: CPU seconds as utime +
 * stime of the process (which sums every thread) and peak RSS as VmHWM. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

static const char *const kind_names[] = {"none", "routexd", "bird", "gobgp", "frr", "openbgpd"};

enum server_kind server_kind_parse(const char *s)
{
	for (unsigned i = 0; i < sizeof(kind_names) / sizeof(kind_names[0]); i++)
		if (!strcmp(s, kind_names[i]))
			return (enum server_kind)i;
	bench_die("unknown server '%s' (none, routexd, bird, gobgp, frr, openbgpd)", s);
}

const char *server_kind_name(enum server_kind k)
{
	return kind_names[k];
}

static void ip_str(uint32_t a, char *buf)
{
	sprintf(buf, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

/* Opens the configuration file to write, or, with --conf, copies the user's file there and
 * returns NULL (the caller then writes nothing). */
static FILE *conf_open(const struct server *sv, const char *name, char *path)
{
	snprintf(path, 600, "%s/%s", sv->dir, name);
	FILE *f = fopen(path, "w");
	if (!f)
		bench_die("%s: %s", path, strerror(errno));
	if (!sv->conf[0])
		return f;
	FILE *in = fopen(sv->conf, "r");
	if (!in)
		bench_die("%s: %s", sv->conf, strerror(errno));
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, f);
	fclose(in);
	fclose(f);
	return NULL;
}

/* ---- Configurations ---- */

static void conf_routexd(const struct server *sv, const struct peer_addr *p, size_t n, FILE *f)
{
	fprintf(f, "router-id: 10.255.255.1\nasn: %u\n", BENCH_SERVER_AS);
	fprintf(f, "listen:\n  - address: 127.0.0.1\n    port: %u\n", sv->port);
	fprintf(f, "control-socket: %s/routexd.sock\n", sv->dir);
	fprintf(f, "transparent: %s\nroute-exchange: %s\npeers:\n",
		sv->transparent ? "true" : "false", sv->exchange ? "true" : "false");
	for (size_t i = 0; i < n; i++) {
		char a[16];
		ip_str(p[i].addr, a);
		fprintf(f,
			"  - name: p%zu\n    address: %s\n    asn: %u\n    role: %s\n"
			"    max-prefixes: 0\n",
			i, a, p[i].asn, p[i].role);
	}
}

static void conf_bird(const struct server *sv, const struct peer_addr *p, size_t n, FILE *f)
{
	fprintf(f, "log \"%s/bird.log\" { warning, error, fatal, bug };\n", sv->dir);
	/* BIRD takes no neighbour on lo as directly connected: sessions are multihop, so next
	 * hops (the feeders' own addresses) resolve recursively. They resolve in a small IGP
	 * table of their own: with the default (master4, the table receiving the full feed)
	 * next-hop tracking runs against every route and BIRD spent ~30% more CPU here. */
	fprintf(f, "router id 10.255.255.1;\nprotocol device { }\nipv4 table igp4;\n"
		   "protocol static { ipv4 { table igp4; }; route 127.0.0.0/8 via \"lo\"; }\n");
	/* rs client: RFC 7947 behaviour (no AS prepend, next hop and MED kept). */
	fprintf(f,
		"template bgp rsc {\n  local 127.0.0.1 port %u as %u;\n  passive on;\n"
		"  rs client;\n  multihop;\n  hold time 180;\n"
		"  ipv4 { import all; export all; igp table igp4; };\n}\n",
		sv->port, BENCH_SERVER_AS);
	for (size_t i = 0; i < n; i++) {
		char a[16];
		ip_str(p[i].addr, a);
		fprintf(f, "protocol bgp p%zu from rsc { neighbor %s as %u; }\n", i, a, p[i].asn);
	}
}

static void conf_gobgp(const struct server *sv, const struct peer_addr *p, size_t n, FILE *f)
{
	fprintf(f,
		"[global.config]\n  as = %u\n  router-id = \"10.255.255.1\"\n  port = %u\n"
		"  local-address-list = [\"127.0.0.1\"]\n",
		BENCH_SERVER_AS, sv->port);
	for (size_t i = 0; i < n; i++) {
		char a[16];
		ip_str(p[i].addr, a);
		fprintf(f,
			"[[neighbors]]\n  [neighbors.config]\n    neighbor-address = \"%s\"\n"
			"    peer-as = %u\n  [neighbors.transport.config]\n    passive-mode = true\n"
			"  [neighbors.route-server.config]\n    route-server-client = true\n"
			"  [[neighbors.afi-safis]]\n    [neighbors.afi-safis.config]\n"
			"      afi-safi-name = \"ipv4-unicast\"\n",
			a, p[i].asn);
	}
}

static void conf_frr(const struct server *sv, const struct peer_addr *p, size_t n, FILE *f)
{
	/* Without zebra (-Z) every route's next-hop registration fails and bgpd logs an error
	 * line for it (1M lines, 100 MB for a full table): log critical messages only. */
	fprintf(f, "frr defaults traditional\nhostname routex-bench\nlog file %s/bgpd.log critical\n",
		sv->dir);
	fprintf(f, "router bgp %u\n bgp router-id 10.255.255.1\n no bgp ebgp-requires-policy\n"
		   " no bgp network import-check\n",
		BENCH_SERVER_AS);
	for (size_t i = 0; i < n; i++) {
		char a[16];
		ip_str(p[i].addr, a);
		fprintf(f, " neighbor %s remote-as %u\n neighbor %s passive\n", a, p[i].asn, a);
	}
	fprintf(f, " address-family ipv4 unicast\n");
	for (size_t i = 0; i < n; i++) {
		char a[16];
		ip_str(p[i].addr, a);
		fprintf(f, "  neighbor %s activate\n  neighbor %s route-server-client\n", a, a);
	}
	fprintf(f, " exit-address-family\n");
}

static void conf_openbgpd(const struct server *sv, const struct peer_addr *p, size_t n, FILE *f)
{
	fprintf(f, "AS %u\nrouter-id 10.255.255.1\nlisten on 127.0.0.1 port %u\nfib-update no\n",
		BENCH_SERVER_AS, sv->port);
	fprintf(f, "socket \"%s/bgpd.sock\"\nnexthop qualify via default\n", sv->dir);
	/* transparent-as: the RFC 7947 AS path rule; the next hop of eBGP routes is kept on a
	 * shared network, and the rs-clients all are on 127/8. */
	fprintf(f, "group \"rs\" {\n  transparent-as yes\n  passive\n  announce IPv4 unicast\n");
	for (size_t i = 0; i < n; i++) {
		char a[16];
		ip_str(p[i].addr, a);
		fprintf(f, "  neighbor %s {\n    remote-as %u\n    descr \"p%zu\"\n  }\n", a,
			p[i].asn, i);
	}
	fprintf(f, "}\nallow from any\nallow to any\n");
}

/* ---- Process ---- */

static pid_t spawn(const struct server *sv, char *const argv[])
{
	char log[600];
	snprintf(log, sizeof(log), "%s/stdout.log", sv->dir);
	pid_t pid = fork();
	if (pid < 0)
		bench_die("fork: %s", strerror(errno));
	if (pid == 0) {
		FILE *f = fopen(log, "w");
		if (f) {
			dup2(fileno(f), 1);
			dup2(fileno(f), 2);
		}
		setpgid(0, 0);
		execvp(argv[0], argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	return pid;
}

/* True when a socket listens on port (any address), from /proc/net/tcp. */
static bool listening(uint16_t port)
{
	FILE *f = fopen("/proc/net/tcp", "r");
	if (!f)
		return false;
	char line[512];
	bool found = false;
	while (!found && fgets(line, sizeof(line), f)) {
		unsigned lport, st;
		if (sscanf(line, " %*d: %*x:%x %*x:%*x %x", &lport, &st) == 2 && lport == port &&
		    st == 0x0A)
			found = true;
	}
	fclose(f);
	return found;
}

int server_start(struct server *sv, const struct peer_addr *peers, size_t n)
{
	char conf[600], port[16], sock[600], api[64];
	char parent[sizeof(sv->dir)];
	snprintf(parent, sizeof(parent), "%s", sv->dir);
	for (char *p = parent + 1; *p; p++) { /* mkdir -p */
		if (*p != '/')
			continue;
		*p = 0;
		mkdir(parent, 0755);
		*p = '/';
	}
	mkdir(sv->dir, 0777);
	chmod(sv->dir, 0777); /* FRR's bgpd drops to user frr and writes its log there */
	FILE *f;
	if (listening(sv->port)) {
		bench_log("port %u is already in use: a server left running?", sv->port);
		return -1;
	}
	snprintf(port, sizeof(port), "%u", sv->port);
	switch (sv->kind) {
	case SRV_ROUTEXD: {
		f = conf_open(sv, "routexd.yaml", conf);
		if (f) {
			conf_routexd(sv, peers, n, f);
			fclose(f);
		}
		char *argv[] = {sv->bin[0] ? sv->bin : "routexd", "-f", "-c", conf, NULL};
		sv->pid = spawn(sv, argv);
		break;
	}
	case SRV_BIRD: {
		f = conf_open(sv, "bird.conf", conf);
		if (f) {
			conf_bird(sv, peers, n, f);
			fclose(f);
		}
		snprintf(sock, sizeof(sock), "%s/bird.ctl", sv->dir);
		char *argv[] = {sv->bin[0] ? sv->bin : "bird", "-f", "-c", conf, "-s", sock, NULL};
		sv->pid = spawn(sv, argv);
		break;
	}
	case SRV_GOBGP: {
		f = conf_open(sv, "gobgpd.toml", conf);
		if (f) {
			conf_gobgp(sv, peers, n, f);
			fclose(f);
		}
		snprintf(api, sizeof(api), "127.0.0.1:%u", sv->port + 1000u);
		char *argv[] = {sv->bin[0] ? sv->bin : "gobgpd", "-f", conf, "-t", "toml",
				"--api-hosts", api, "-l", "warn", NULL};
		sv->pid = spawn(sv, argv);
		break;
	}
	case SRV_FRR: {
		f = conf_open(sv, "bgpd.conf", conf);
		if (f) {
			conf_frr(sv, peers, n, f);
			fclose(f);
		}
		char pidf[600], zs[600];
		snprintf(pidf, sizeof(pidf), "%s/bgpd.pid", sv->dir);
		snprintf(zs, sizeof(zs), "%s/zserv.api", sv->dir);
		char *argv[] = {sv->bin[0] ? sv->bin : "/usr/lib/frr/bgpd", "-f", conf, "-i", pidf,
				"-z", zs, "--vty_socket", sv->dir, "-p", port, "-l", "127.0.0.1",
				"-Z", "-u", "frr", "-g", "frr", "-A", "127.0.0.1", "-P", "0",
				NULL};
		sv->pid = spawn(sv, argv);
		break;
	}
	case SRV_OPENBGPD: {
		f = conf_open(sv, "bgpd.conf", conf);
		if (f) {
			conf_openbgpd(sv, peers, n, f);
			fclose(f);
		}
		char *argv[] = {sv->bin[0] ? sv->bin : "bgpd", "-d", "-f", conf, NULL};
		sv->pid = spawn(sv, argv);
		break;
	}
	case SRV_NONE:
		return 0;
	}
	for (int i = 0; i < 300; i++) { /* 30 s */
		int st;
		if (waitpid(sv->pid, &st, WNOHANG) == sv->pid) {
			sv->pid = 0;
			bench_log("%s exited at start: see %s/stdout.log", kind_names[sv->kind],
				  sv->dir);
			return -1;
		}
		if (listening(sv->port))
			return 0;
		struct timespec ts = {0, 100000000};
		nanosleep(&ts, NULL);
	}
	bench_log("%s does not listen on port %u after 30 s", kind_names[sv->kind], sv->port);
	server_stop(sv);
	return -1;
}

void server_stop(struct server *sv)
{
	if (sv->pid <= 0)
		return;
	kill(sv->pid, SIGTERM);
	for (int i = 0; i < 50; i++) {
		if (waitpid(sv->pid, NULL, WNOHANG) == sv->pid) {
			sv->pid = 0;
			return;
		}
		struct timespec ts = {0, 100000000};
		nanosleep(&ts, NULL);
	}
	kill(sv->pid, SIGKILL);
	waitpid(sv->pid, NULL, 0);
	sv->pid = 0;
}

/* The daemon and its descendants (OpenBGPD runs as three processes). */
static size_t proc_tree(pid_t root, pid_t *out, size_t max)
{
	size_t n = 0;
	out[n++] = root;
	DIR *d = opendir("/proc");
	if (!d)
		return n;
	pid_t pids[4096], ppids[4096];
	size_t np = 0;
	struct dirent *e;
	while ((e = readdir(d)) && np < 4096) {
		char path[300], buf[512];
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		size_t len = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[len] = 0;
		char *p = strrchr(buf, ')');
		int ppid;
		if (p && sscanf(p + 2, "%*c %d", &ppid) == 1) {
			pids[np] = (pid_t)atoi(e->d_name);
			ppids[np++] = ppid;
		}
	}
	closedir(d);
	for (size_t i = 0; i < n && n < max; i++) /* breadth first over the tree */
		for (size_t j = 0; j < np && n < max; j++)
			if (ppids[j] == out[i])
				out[n++] = pids[j];
	return n;
}

static double proc_cpu_s(pid_t pid)
{
	char path[64], buf[2048];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	char *p = strrchr(buf, ')'); /* the command name may hold spaces */
	if (!p)
		return -1;
	unsigned long ut, stt;
	/* Fields 3..13 after the name, then utime (14) and stime (15). */
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &stt) != 2)
		return -1;
	return (double)(ut + stt) / (double)sysconf(_SC_CLK_TCK);
}

double server_cpu_s(const struct server *sv)
{
	if (sv->pid <= 0)
		return -1;
	pid_t t[64];
	size_t n = proc_tree(sv->pid, t, 64);
	double sum = 0;
	for (size_t i = 0; i < n; i++) {
		double x = proc_cpu_s(t[i]);
		sum += x > 0 ? x : 0;
	}
	return sum;
}

static long long proc_hwm(pid_t pid)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	long long kb = -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %lld kB", &kb) == 1)
			break;
	fclose(f);
	return kb < 0 ? -1 : kb * 1024;
}

/* Sum of every process's peak: an upper bound of the tree's peak when it has several. */
long long server_hwm_bytes(const struct server *sv)
{
	if (sv->pid <= 0)
		return -1;
	pid_t t[64];
	size_t n = proc_tree(sv->pid, t, 64);
	long long sum = 0;
	for (size_t i = 0; i < n; i++) {
		long long x = proc_hwm(t[i]);
		sum += x > 0 ? x : 0;
	}
	return sum;
}

int server_exchange(struct server *sv, bool on)
{
	if (sv->kind != SRV_ROUTEXD)
		return -1;
	char sock[600];
	snprintf(sock, sizeof(sock), "%s/routexd.sock", sv->dir);
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);
		if (fd >= 0)
			dup2(fd, 1);
		execlp(sv->ctl[0] ? sv->ctl : "routexctl", "routexctl", "-s", sock, "exchange",
		       on ? "on" : "off", (char *)NULL);
		_exit(127);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}
