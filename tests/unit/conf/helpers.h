/* helpers.h: shared by the config unit tests: configs are written to files in a private
 * temporary folder (the loader is tested the way routexd uses it), and errors are compared
 * with the exact `FILE:LINE: reason` text. */
#ifndef TEST_CONF_HELPERS_H
#define TEST_CONF_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <routex/compiler.h>
#include <routex/conf.h>

/* One peer list item with the four required keys (four lines). */
#define PEER(name, addr, asn, role)                                                                \
	"  - name: " name "\n    address: " addr "\n    asn: " asn "\n    role: " role "\n"

int tconf_setup(void **state);
int tconf_teardown(void **state);
/* Writes text to a fresh file in the test folder; returns its path (valid until the next
 * call). */
const char *tconf_write(const char *text);
/* Loads text; fails the test when it does not load. */
struct conf_daemon *tconf_load(const char *text);
/* Asserts that text fails with exactly "<its path>:<line>: <reason>". */
void tconf_expect_error(const char *text, unsigned line, const char *reason);
/* Asserts that text loads with a warning "<path>:<line>: warning: <text>". */
void tconf_expect_warning(const char *text, unsigned line, const char *warning);

/* The test groups, one per file. */
int tconf_run_load_ok(void);
int tconf_run_load_errors(void);
int tconf_run_diff(void);

#endif
