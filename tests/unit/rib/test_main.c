/* test_main.c: test_rib runs every group; the thread is an RCU reader and the writer. */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <cmocka.h>

#include <routex/rcu.h>

#include "tests.h"

int main(void)
{
	rx_rcu_register();
	int fails = 0;
	fails += run_radix_tests();
	fails += run_decide_tests();
	fails += run_rib_tests();
	fails += run_model_tests();
	fails += run_lpm_tests();
	rx_rcu_unregister();
	return fails ? 1 : 0;
}
