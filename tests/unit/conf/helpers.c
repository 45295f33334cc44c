/* helpers.c: temporary config files and error assertions for the config tests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"

static char dir[64];
static char path[128];
static unsigned serial;

int tconf_setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/routex-conf-test.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

int tconf_teardown(void **state)
{
	char p[160];
	for (unsigned i = 0; i < serial; i++) {
		snprintf(p, sizeof(p), "%s/t%u.yaml", dir, i);
		unlink(p);
	}
	return rmdir(dir);
}

const char *tconf_write(const char *text)
{
	snprintf(path, sizeof(path), "%s/t%u.yaml", dir, serial++);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	assert_int_equal(fclose(f), 0);
	return path;
}

struct conf_daemon *tconf_load(const char *text)
{
	struct conf_daemon *c = NULL;
	char err[512] = "";
	const char *p = tconf_write(text);
	if (conf_load(p, &c, err, sizeof(err)))
		fail_msg("unexpected error: %s", err);
	assert_non_null(c);
	return c;
}

void tconf_expect_error(const char *text, unsigned line, const char *reason)
{
	struct conf_daemon *c = NULL;
	char err[512] = "", want[768];
	const char *p = tconf_write(text);
	snprintf(want, sizeof(want), "%s:%u: %s", p, line, reason);
	assert_int_equal(conf_load(p, &c, err, sizeof(err)), -1);
	assert_null(c);
	assert_string_equal(err, want);
}

void tconf_expect_warning(const char *text, unsigned line, const char *warning)
{
	char want[768];
	struct conf_daemon *c = tconf_load(text);
	snprintf(want, sizeof(want), "%s:%u: warning: %s", path, line, warning);
	for (size_t i = 0; i < c->nwarnings; i++)
		if (!strcmp(c->warnings[i], want)) {
			conf_free(c);
			return;
		}
	for (size_t i = 0; i < c->nwarnings; i++)
		print_message("got: %s\n", c->warnings[i]);
	conf_free(c);
	fail_msg("missing warning: %s", want);
}
