/* ctl-int.h: what the control socket's files share (not part of the interface). */
#ifndef ROUTEX_CTL_INT_H
#define ROUTEX_CTL_INT_H

#include <stdbool.h>
#include <stdio.h>

#include <routex/prefix.h>

struct rx_daemon;

#define CTL_MAX_WORDS 16

struct ctl_args {
	char *w[CTL_MAX_WORDS];
	unsigned n;
	char **arg;     /* the words after the command's name */
	unsigned nargs;
	bool json;
	const bool *cancel; /* A (acquire): set when the server stops; NULL: never */
};

struct ctl_cmd {
	const char *name;
	unsigned min_args, max_args;
	bool on_rde;    /* runs on the decision thread */
	bool (*fn)(struct rx_daemon *d, const struct ctl_args *a, FILE *out);
	bool own_thread; /* long: answered on a worker thread of its own (one at a time), so
			  * that the control thread goes on answering the rest */
};

void ctl_error(FILE *out, const struct ctl_args *a, const char *msg);
void ctl_json_str(FILE *out, const char *s);

/* show.c */
bool ctl_show_peers(struct rx_daemon *d, const struct ctl_args *a, FILE *out);
bool ctl_show_rpki(struct rx_daemon *d, const struct ctl_args *a, FILE *out);
bool ctl_show_route_maps(struct rx_daemon *d, const struct ctl_args *a, FILE *out);
bool ctl_show_rib(struct rx_daemon *d, const struct ctl_args *a, FILE *out);
bool ctl_show_learned(struct rx_daemon *d, const struct ctl_args *a, FILE *out);
bool ctl_show_advertised_w(struct rx_daemon *d, const struct ctl_args *a, FILE *out);

/* dump.c */
bool ctl_dump_mrt(struct rx_daemon *d, const struct ctl_args *a, FILE *out);

#endif
