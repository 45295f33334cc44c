/* routexd: the route server. A thin main: arguments, config, signals; the daemon itself is
 * src/core (see docs/ARCHITECTURE.md).
 *
 *   routexd -c FILE [-f]   run (-f: stay in the foreground, log to stderr)
 *   routexd -n -c FILE     check the config and exit: 0 good, 1 with FILE:LINE: reason
 *
 * Start-up order with `user:` (docs/packaging.md): listeners and the control socket are
 * opened as root, then the identity drops (src/core/priv.c), then the decision and I/O
 * threads start, so they inherit only CAP_NET_BIND_SERVICE. Under systemd (Type=notify)
 * readiness, reloads and shutdown are reported through $NOTIFY_SOCKET. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <routex/conf.h>
#include <routex/ctl.h>
#include <routex/daemon.h>
#include <routex/log.h>
#include <routex/rcu.h>
#include <routex/service.h>

#ifdef RX_JEMALLOC
/* jemalloc's options, read at its start (MALLOC_CONF in the environment overrides them).
 * Dirty pages go back to the kernel after 1 s instead of 10 s: a table load or withdrawal
 * frees its transient buffers (parsed UPDATEs, change logs, packed messages) within a second,
 * and keeping them ten seconds made peak RSS 20-25% higher (1M prefixes -> 4 peers: 117-120
 * MB against 93-100 MB) for no measurable CPU gain. Muzzy pages are skipped (decay 0): they
 * only delay the same return. */
const char *malloc_conf = "dirty_decay_ms:1000,muzzy_decay_ms:0";
#endif

static void usage(void)
{
	fprintf(stderr, "usage: routexd -c FILE [-f] [-d]\n"
			"       routexd -n -c FILE   (check the configuration and exit)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *file = NULL;
	bool check = false, foreground = false, debug = false;
	int opt;
	while ((opt = getopt(argc, argv, "c:fnd")) != -1) {
		switch (opt) {
		case 'c':
			file = optarg;
			break;
		case 'f':
			foreground = true;
			break;
		case 'n':
			check = true;
			break;
		case 'd':
			debug = true;
			break;
		default:
			usage();
		}
	}
	if (!file || optind != argc)
		usage();
	char err[1024];
	struct conf_daemon *conf;
	if (conf_load(file, &conf, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	for (size_t i = 0; i < conf->nwarnings; i++)
		fprintf(stderr, "%s\n", conf->warnings[i]);
	struct priv_target priv;
	if (priv_resolve(conf, &priv, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		conf_free(conf);
		return 1;
	}
	if (check) {
		printf("%s: configuration OK (%zu peers)\n", file, conf->npeers);
		conf_free(conf);
		return 0;
	}
	int drop = priv_needed(&priv, err, sizeof(err));
	if (drop < 0) {
		fprintf(stderr, "routexd: %s\n", err);
		conf_free(conf);
		return 1;
	}
	if (!foreground && daemon(0, 0) != 0) {
		perror("routexd: daemon");
		return 1;
	}
	rx_log_open(foreground, debug ? RX_LOG_DEBUG : RX_LOG_INFO);
	/* Signals are taken synchronously by this thread; every other thread blocks them. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* One descriptor per session plus listeners, sockets of the control and metrics
	 * servers and files: hundreds of peers pass the usual soft limit of 1,024. */
	struct rlimit nofile;
	if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
		nofile.rlim_cur = nofile.rlim_max;
		setrlimit(RLIMIT_NOFILE, &nofile);
	}
	static struct rx_daemon d;
	struct ctl_server *ctl = NULL;
	/* Sockets first (listeners in daemon_init, then the control socket), while we may still
	 * be root; then the drop; then the threads. A routexctl request arriving before
	 * daemon_start waits for the decision thread, which starts right after. */
	bool started = daemon_init(&d, conf);
	err[0] = 0;
	if (started && conf->control_socket) {
		started = priv_socket_dir(conf->control_socket, &priv, drop, err, sizeof(err)) == 0 &&
			  (ctl = ctl_start(&d, conf->control_socket)) != NULL &&
			  (!drop || priv_socket_owner(conf->control_socket, &priv, err,
						      sizeof(err)) == 0);
		if (!started && err[0])
			rx_log(RX_LOG_ERR, "routexd: %s", err);
	}
	if (started && drop) {
		started = priv_drop(&priv, err, sizeof(err)) == 0;
		if (started)
			rx_log(RX_LOG_INFO, "running as %s:%s (uid %u gid %u), keeping only "
					    "CAP_NET_BIND_SERVICE",
			       priv.user, priv.group, (unsigned)priv.uid, (unsigned)priv.gid);
		else
			rx_log(RX_LOG_ERR, "routexd: privilege drop failed: %s", err);
	}
	started = started && daemon_start(&d);
	if (!started) {
		service_notify("STATUS=start-up failed");
		rx_log(RX_LOG_ERR, "routexd: start-up failed");
		ctl_stop(ctl);
		daemon_fini(&d);
		return 1;
	}
	/* This thread asks the decision thread for reloads, as the control socket does. */
	rx_rcu_register();
	rx_rcu_offline();
	service_notify("READY=1");
	for (;;) {
		int sig;
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			char *report = NULL;
			size_t len = 0;
			service_notify("RELOADING=1");
			FILE *f = open_memstream(&report, &len);
			rx_rcu_online();
			bool ok = f && ctl_answer(&d, "reload", f);
			rx_rcu_offline();
			if (f)
				fclose(f);
			for (char *c = report; c && *c; c++) /* one log line */
				if (*c == '\n')
					*c = c[1] ? ';' : 0;
			rx_log(ok ? RX_LOG_INFO : RX_LOG_ERR, "SIGHUP: %s", report ? report : "reload failed");
			free(report);
			service_notify("READY=1");
			continue;
		}
		rx_log(RX_LOG_INFO, "signal %d: shutting down", sig);
		service_notify("STOPPING=1");
		break;
	}
	rx_rcu_online();
	rx_rcu_unregister();
	ctl_stop(ctl);
	daemon_fini(&d);
	return 0;
}
