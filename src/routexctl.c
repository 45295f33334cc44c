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
		"          show advertised PEER | exchange on|off [--dry-run] | reload [--dry-run]\n");
	exit(2);
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
