/* routexctl: talks to a running routexd over its control socket (see include/routex/ctl.h
 * for the protocol).
 *
 *   routexctl [-s SOCKET] [-j] COMMAND ...
 * Exit status: 0 when routexd answered ok, 1 on an error answer, 2 when it could not ask. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define DEFAULT_SOCKET "/run/routex/routex.sock"

static void usage(void)
{
	fprintf(stderr,
		"usage: routexctl [-s SOCKET] [-j] COMMAND\n"
		"commands: show peers | show rib [PREFIX] | show learned PEER |\n"
		"          show advertised PEER | show rpki | show route-maps |\n"
		"          exchange on|off [--dry-run] |\n"
		"          reload [--dry-run] | dump mrt FILE [--adj-rib-in]\n"
		"dump mrt: routexd writes the Loc-RIB (best path or ECMP set of each prefix), or\n"
		"          every peer's Adj-RIB-In, to FILE as MRT TABLE_DUMP_V2 (FILE.tmp, renamed\n"
		"          when complete); a relative FILE is taken from this directory\n");
	exit(2);
}

/* `dump mrt FILE`: routexd resolves nothing against its own working directory (/ once
 * daemonised), so a relative FILE is made absolute here, against ours. The protocol
 * separates words by white space, so a FILE containing any cannot be sent. */
static bool absolute_dump_path(int argc, char **argv)
{
	if (argc < 3 || strcmp(argv[0], "dump") != 0 || strcmp(argv[1], "mrt") != 0)
		return true;
	for (int i = 2; i < argc; i++) {
		if (argv[i][0] == '-')
			continue; /* an option (routexd checks which) */
		if (strpbrk(argv[i], " \t\r\n")) {
			fprintf(stderr, "routexctl: dump mrt: FILE may not contain white space\n");
			return false;
		}
		if (argv[i][0] == '/')
			continue;
		char cwd[4096];
		if (!getcwd(cwd, sizeof(cwd))) {
			fprintf(stderr, "routexctl: getcwd: %s\n", strerror(errno));
			return false;
		}
		size_t n = strlen(cwd) + 1 + strlen(argv[i]) + 1;
		char *abs = malloc(n);
		if (!abs)
			return false;
		snprintf(abs, n, "%s/%s", strcmp(cwd, "/") ? cwd : "", argv[i]);
		argv[i] = abs; /* lives until exit */
	}
	return true;
}

int main(int argc, char **argv)
{
	const char *path = DEFAULT_SOCKET;
	bool json = false;
	int opt;
	while ((opt = getopt(argc, argv, "+s:jh")) != -1) {
		if (opt == 's')
			path = optarg;
		else if (opt == 'j')
			json = true;
		else
			usage();
	}
	if (optind >= argc)
		usage();
	if (!absolute_dump_path(argc - optind, argv + optind))
		return 2;
	char req[4096];
	size_t n = (size_t)snprintf(req, sizeof(req), "%s", json ? "json" : "");
	for (int i = optind; i < argc && n < sizeof(req); i++)
		n += (size_t)snprintf(req + n, sizeof(req) - n, "%s%s", n ? " " : "", argv[i]);
	if (n + 2 > sizeof(req)) {
		fprintf(stderr, "routexctl: command too long\n");
		return 2;
	}
	req[n++] = '\n';
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "routexctl: socket path too long\n");
		return 2;
	}
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "routexctl: %s: %s (is routexd running?)\n", path, strerror(errno));
		return 2;
	}
	if (write(fd, req, n) != (ssize_t)n) {
		fprintf(stderr, "routexctl: write: %s\n", strerror(errno));
		return 2;
	}
	shutdown(fd, SHUT_WR);
	/* First line: "ok" or "error: ..."; the body follows. */
	FILE *in = fdopen(fd, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len = getline(&line, &cap, in);
	if (len <= 0) {
		fprintf(stderr, "routexctl: no answer from routexd\n");
		return 2;
	}
	int rc = strncmp(line, "ok", 2) == 0 ? 0 : 1;
	if (rc)
		fputs(line, stderr);
	char buf[65536];
	size_t got;
	while ((got = fread(buf, 1, sizeof(buf), in)) > 0)
		if (rc == 0 || json)
			fwrite(buf, 1, got, stdout);
	free(line);
	fclose(in);
	return rc;
}
