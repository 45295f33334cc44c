/* test_log.c: the message log's runtime (src/mrt/log.c): I/O-thread buffers, the writer
 * thread and its files.
 *
 * Covered: two producer threads record concurrently and every record reaches the file,
 * readable by the project's MRT reader, in each thread's order; the file appears under its
 * name only once complete (FILE.tmp before) when the config changes or the log stops; the
 * bound on queued bytes drops and counts records instead of growing; a restart within a
 * period appends to that period's file; a file that cannot be created drops and counts,
 * with an error. */
#include <dirent.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <routex/mrtlog.h>
#include <routex/wire.h>

static char dir[64];
static struct conf_daemon conf_on, conf_off, *cur;

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/rx-test-mrtlog-XXXXXX");
	assert_non_null(mkdtemp(dir));
	static char file[128];
	snprintf(file, sizeof(file), "%s/u.%%Y%%m%%d.mrt", dir);
	memset(&conf_on, 0, sizeof(conf_on));
	conf_on.mrt_log_enabled = true;
	conf_on.mrt_log.file = file;
	conf_on.mrt_log.rotate = 86400; /* one file for the whole test */
	memset(&conf_off, 0, sizeof(conf_off));
	__atomic_store_n(&cur, &conf_on, __ATOMIC_RELEASE);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static void final_name(char *out, size_t n, const char *pattern)
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	assert_true(strftime(out, n, pattern, &tm) > 0);
#pragma GCC diagnostic pop
}

static struct mrt_bgp4mp_peer peer(uint8_t n)
{
	struct mrt_bgp4mp_peer p = {.peer_as = 65000u + n, .local_as = 65515, .afi = RX_AFI_IPV4,
				    .as4 = true};
	p.peer_ip[0] = 192, p.peer_ip[1] = 0, p.peer_ip[2] = 2, p.peer_ip[3] = n;
	return p;
}

/* A KEEPALIVE-sized message whose marker's last octet carries a sequence number, so that
 * the order can be checked (the reader does not check the marker). */
static void msg(uint8_t *m, unsigned seq)
{
	memset(m, 0xff, 16);
	m[14] = (uint8_t)(seq >> 8);
	m[15] = (uint8_t)seq;
	m[16] = 0, m[17] = 19, m[18] = WIRE_KEEPALIVE;
}

#define PER_THREAD 20000

struct prod {
	struct mrtlog *l;
	unsigned t;
};

static void *producer(void *arg)
{
	struct prod *pr = arg;
	struct mrt_bgp4mp_peer p = peer((uint8_t)(pr->t + 1));
	uint8_t m[19];
	mrtlog_state(pr->l, pr->t, &p, 5, 6);
	for (unsigned i = 0; i < PER_THREAD; i++) {
		msg(m, i);
		mrtlog_message(pr->l, pr->t, &p, false, m, sizeof(m));
		if (i % 1000 == 999) /* an I/O loop round ends */
			mrtlog_flush(pr->l, pr->t);
	}
	mrtlog_flush(pr->l, pr->t);
	return NULL;
}

struct seen {
	unsigned next[3];
	unsigned states, msgs, bad;
};

static int on_msg(void *arg, const struct mrt_message *m)
{
	struct seen *s = arg;
	unsigned who = m->peer.addr[3];
	const uint8_t *marker = m->body - WIRE_HEADER_LEN;
	unsigned seq = (unsigned)marker[14] << 8 | marker[15];
	if (who < 1 || who > 2 || seq != (s->next[who] & 0xffff) || m->peer.asn != 65000u + who ||
	    m->local.asn != 65515 || m->msg_type != WIRE_KEEPALIVE)
		s->bad++;
	s->next[who < 3 ? who : 0]++;
	s->msgs++;
	return 0;
}

static int on_state(void *arg, const struct mrt_state_change *st)
{
	struct seen *s = arg;
	s->states += st->old_state == 5 && st->new_state == 6;
	return 0;
}

static bool exists(const char *p)
{
	struct stat sb;
	return stat(p, &sb) == 0;
}

static void test_two_threads_to_one_file(void **state)
{
	(void)state;
	struct mrtlog *l = mrtlog_new(&cur, 2);
	assert_non_null(l);
	assert_true(mrtlog_start(l));
	pthread_t th[2];
	struct prod pr[2] = {{l, 0}, {l, 1}};
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&th[i], NULL, producer, &pr[i]), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	char path[256], tmp[300];
	final_name(path, sizeof(path), conf_on.mrt_log.file);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	/* Everything is handed over; the writer writes it to FILE.tmp. */
	struct mrt_bgp4mp_peer p = peer(1);
	uint64_t want = 2 * (PER_THREAD * mrt_bgp4mp_message_len(&p, 19) + mrt_bgp4mp_state_len(&p));
	struct mrtlog_totals t;
	for (int i = 0; i < 1000; i++) { /* up to 10 s: valgrind, a loaded CI */
		mrtlog_totals(l, &t);
		if (t.bytes == want)
			break;
		usleep(10000);
	}
	assert_int_equal(t.bytes, want);
	assert_true(exists(tmp));
	assert_false(exists(path));
	/* A reload turns the log off: the writer completes the file within a second. */
	__atomic_store_n(&cur, &conf_off, __ATOMIC_RELEASE);
	for (int i = 0; i < 1000 && !exists(path); i++)
		usleep(10000);
	assert_true(exists(path));
	assert_false(exists(tmp));
	mrtlog_totals(l, &t);
	assert_int_equal(t.messages, 2 * PER_THREAD);
	assert_int_equal(t.states, 2);
	assert_int_equal(t.dropped, 0);
	assert_int_equal(t.files, 1);
	assert_int_equal(t.errors, 0);
	struct stat sb;
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal((uint64_t)sb.st_size, t.bytes);
	mrtlog_free(l);

	char err[256];
	struct mrt_reader *r = mrt_open(path, err, sizeof(err));
	assert_non_null(r);
	struct seen s = {0};
	struct mrt_handler h = {.message = on_msg, .state = on_state, .arg = &s};
	assert_int_equal(mrt_walk(r, &h, NULL), MRT_END);
	mrt_close(r);
	assert_int_equal(s.msgs, 2 * PER_THREAD);
	assert_int_equal(s.states, 2);
	assert_int_equal(s.bad, 0);
	unlink(path);
}

/* The writer never runs: chunks pile up to the bound, then records are dropped. */
static void test_bound(void **state)
{
	(void)state;
	struct mrtlog *l = mrtlog_new(&cur, 1);
	struct mrt_bgp4mp_peer p = peer(1);
	static uint8_t big[4096];
	memset(big, 0xff, 16);
	wire_put16(big + 16, sizeof(big));
	big[18] = WIRE_UPDATE;
	size_t rec = mrt_bgp4mp_message_len(&p, sizeof(big));
	struct mrtlog_totals t;
	unsigned n = 0;
	do {
		mrtlog_message(l, 0, &p, false, big, sizeof(big));
		mrtlog_totals(l, &t);
		n++;
	} while (!t.dropped && n < 100000);
	assert_int_equal(t.dropped, 1);
	/* Whole chunks up to the bound, each holding as many whole records as fit. */
	assert_int_equal(t.messages, (MRTLOG_QUEUE_MAX / MRTLOG_CHUNK) * (MRTLOG_CHUNK / rec));
	for (int i = 0; i < 10; i++)
		mrtlog_message(l, 0, &p, false, big, sizeof(big));
	mrtlog_totals(l, &t);
	assert_int_equal(t.dropped, 11);
	mrtlog_free(l); /* frees what was queued */
}

/* Stopping completes the file; a file that cannot be created costs its records. */
static void test_stop_and_errors(void **state)
{
	(void)state;
	struct mrtlog *l = mrtlog_new(&cur, 1);
	assert_true(mrtlog_start(l));
	struct mrt_bgp4mp_peer p = peer(1);
	uint8_t m[19];
	msg(m, 0);
	mrtlog_message(l, 0, &p, false, m, sizeof(m));
	mrtlog_flush(l, 0);
	mrtlog_stop(l);
	char path[256];
	final_name(path, sizeof(path), conf_on.mrt_log.file);
	assert_true(exists(path));
	struct mrtlog_totals t;
	mrtlog_totals(l, &t);
	assert_int_equal(t.files, 1);
	mrtlog_free(l);
	/* A restart within the period appends to the file rather than replacing it. */
	struct stat sb;
	assert_int_equal(stat(path, &sb), 0);
	off_t first = sb.st_size;
	l = mrtlog_new(&cur, 1);
	assert_true(mrtlog_start(l));
	msg(m, 1);
	mrtlog_message(l, 0, &p, false, m, sizeof(m));
	mrtlog_flush(l, 0);
	mrtlog_stop(l);
	mrtlog_free(l);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_size, 2 * first);
	char err[256];
	struct mrt_reader *r = mrt_open(path, err, sizeof(err));
	assert_non_null(r);
	struct seen s = {0};
	struct mrt_handler h = {.message = on_msg, .arg = &s};
	assert_int_equal(mrt_walk(r, &h, NULL), MRT_END);
	mrt_close(r);
	assert_int_equal(s.msgs, 2);
	assert_int_equal(s.bad, 0); /* sequence 0 then 1 from peer 1 */
	unlink(path);

	static struct conf_daemon bad;
	bad = conf_on;
	bad.mrt_log.file = "/nonexistent-rx-dir/u.mrt";
	__atomic_store_n(&cur, &bad, __ATOMIC_RELEASE);
	l = mrtlog_new(&cur, 1);
	assert_true(mrtlog_start(l));
	for (int i = 0; i < 3; i++)
		mrtlog_message(l, 0, &p, false, m, sizeof(m));
	mrtlog_flush(l, 0);
	mrtlog_stop(l);
	mrtlog_totals(l, &t);
	assert_int_equal(t.messages, 3);
	assert_int_equal(t.dropped, 3);
	assert_true(t.errors >= 1);
	assert_int_equal(t.files, 0);
	mrtlog_free(l);
	__atomic_store_n(&cur, &conf_on, __ATOMIC_RELEASE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_two_threads_to_one_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bound, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stop_and_errors, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
