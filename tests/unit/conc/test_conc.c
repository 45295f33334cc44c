/* test_conc.c: object pools (reuse, counters) and batched RCU retirement (nothing is freed
 * before its grace period; everything is freed after one; a reader thread holding a
 * quiescent-state-free section delays reclamation). */
#include <pthread.h>
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <routex/pool.h>
#include <routex/rcu.h>

static void test_pool(void **state)
{
	(void)state;
	struct rx_pool p;
	pool_init(&p, "test", 20);
	assert_int_equal(p.obj_size, 24);
	void *v[5000];
	for (int i = 0; i < 5000; i++) {
		v[i] = pool_alloc(&p);
		memset(v[i], 0xab, 24);
	}
	assert_int_equal(p.in_use, 5000);
	assert_true(pool_bytes(&p) >= 5000 * 24);
	for (int i = 0; i < 5000; i += 2)
		pool_free(&p, v[i]);
	assert_int_equal(p.in_use, 2500);
	for (int i = 0; i < 5000; i += 2)
		v[i] = pool_alloc(&p);
	for (int i = 0; i < 5000; i++)
		pool_free(&p, v[i]);
	assert_int_equal(p.in_use, 0);
	pool_fini(&p);
	assert_int_equal(pool_bytes(&p), 0);
}

static int reader_go;	  /* A: test -> reader, relaxed is enough (polling flag) */
static int reader_inside; /* A: reader -> test */

static void *reader(void *arg)
{
	(void)arg;
	rx_rcu_register();
	__atomic_store_n(&reader_inside, 1, __ATOMIC_RELEASE);
	/* no quiescent state until told: grace periods must wait for us */
	while (!__atomic_load_n(&reader_go, __ATOMIC_ACQUIRE))
		usleep(1000);
	rx_rcu_quiescent();
	rx_rcu_unregister();
	return NULL;
}

static void test_retire(void **state)
{
	(void)state;
	struct rx_pool p;
	struct rx_retire r;
	pool_init(&p, "test", 32);
	rx_retire_init(&r);
	pthread_t th;
	__atomic_store_n(&reader_go, 0, __ATOMIC_RELAXED);
	assert_int_equal(pthread_create(&th, NULL, reader, NULL), 0);
	while (!__atomic_load_n(&reader_inside, __ATOMIC_ACQUIRE))
		usleep(1000);
	for (int i = 0; i < 3 * RX_RETIRE_BATCH + 10; i++)
		rx_retire(&r, pool_alloc(&p), &p);
	rx_retire(&r, malloc(100), NULL);
	rx_retire_flush(&r);
	rx_rcu_quiescent();
	usleep(20000);
	/* the reader has not passed a quiescent state: nothing may be freed */
	assert_int_equal(rx_retire_poll(&r), 0);
	assert_int_equal(r.pending, 3 * RX_RETIRE_BATCH + 11);
	assert_int_equal(p.in_use, 3 * RX_RETIRE_BATCH + 10);
	__atomic_store_n(&reader_go, 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	rx_retire_sync(&r);
	assert_int_equal(r.pending, 0);
	assert_int_equal(r.freed, 3 * RX_RETIRE_BATCH + 11);
	assert_int_equal(p.in_use, 0);
	rx_retire_fini(&r);
	pool_fini(&p);
}

int main(void)
{
	rx_rcu_register();
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pool),
	    cmocka_unit_test(test_retire),
	};
	int rc = cmocka_run_group_tests_name("conc", tests, NULL, NULL);
	rx_rcu_unregister();
	return rc;
}
