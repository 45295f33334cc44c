/* log.c: routex-bench's messages and fatal exit, apart from main.c so that the parts built
 * into the benchmark and unit tests (gen.c, pset.c, decode.c) link without the harness. */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"

int bench_verbose;
volatile pid_t bench_server_pid;

/* One line to stderr, prefixed with the program's name. */
static __attribute__((format(printf, 1, 0))) void vlog(const char *fmt, va_list ap)
{
	fputs("routex-bench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void bench_log(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void bench_die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
	if (bench_server_pid > 0) /* the server under test is our child: never leave it behind */
		kill(bench_server_pid, SIGTERM);
	exit(2);
}
