/* test_conf.c: the config module's unit tests (load, validation, print, diff). */
#include "helpers.h"

int main(void)
{
	int failed = 0;
	failed += tconf_run_load_ok();
	failed += tconf_run_load_errors();
	failed += tconf_run_diff();
	return failed ? 1 : 0;
}
