/* test_metrics.c: the Prometheus text format as routexd writes it, byte for byte: label
 * and HELP escaping, sample values (integers past 2^53, +Inf, -Inf, NaN, shortest exact
 * decimals), histograms (cumulative buckets, the +Inf bucket, _sum, _count equal to +Inf);
 * the latency histogram's bucket boundaries; and HTTP request classification (200, HEAD,
 * 404, 405, 400, 431, incomplete). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <routex/metrics.h>

/* Captures what fn writes. */
struct cap {
	char *buf;
	size_t len;
	FILE *f;
};

static FILE *cap_open(struct cap *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	assert_non_null(c->f);
	return c->f;
}

static void cap_check(struct cap *c, const char *want)
{
	fclose(c->f);
	assert_string_equal(c->buf, want);
	free(c->buf);
}

static void test_label_escaping(void **state)
{
	struct cap c;
	struct metrics_label l[] = {{"peer", "a\\b\"c\nd"}, {"address", "2001:db8::1"}};
	metrics_sample_u64(cap_open(&c), "routex_x", l, 2, 7);
	cap_check(&c, "routex_x{peer=\"a\\\\b\\\"c\\nd\",address=\"2001:db8::1\"} 7\n");
	/* Other bytes, UTF-8 included, pass as they are. */
	struct metrics_label u = {"peer", "caf\xc3\xa9 {x}=,"};
	metrics_sample_u64(cap_open(&c), "m", &u, 1, 0);
	cap_check(&c, "m{peer=\"caf\xc3\xa9 {x}=,\"} 0\n");
	metrics_escape_label(cap_open(&c), "\\\\\"\n\n");
	cap_check(&c, "\\\\\\\\\\\"\\n\\n");
}

static void test_help_escaping(void **state)
{
	struct cap c;
	/* HELP escapes backslash and newline, not the double quote. */
	metrics_family(cap_open(&c), "routex_y", "counter", "a \"quoted\" \\ word\nnext");
	cap_check(&c, "# HELP routex_y a \"quoted\" \\\\ word\\nnext\n# TYPE routex_y counter\n");
}

static void test_values(void **state)
{
	struct cap c;
	metrics_sample_u64(cap_open(&c), "big", NULL, 0, UINT64_MAX);
	cap_check(&c, "big 18446744073709551615\n");
	metrics_sample_u64(cap_open(&c), "exact", NULL, 0, (1ull << 53) + 1);
	cap_check(&c, "exact 9007199254740993\n");
	metrics_sample_double(cap_open(&c), "d", NULL, 0, 0.1);
	cap_check(&c, "d 0.1\n");
	metrics_sample_double(cap_open(&c), "d", NULL, 0, 2.5e-05);
	cap_check(&c, "d 2.5e-05\n");
	metrics_sample_double(cap_open(&c), "d", NULL, 0, 1.0 / 3);
	cap_check(&c, "d 0.3333333333333333\n");
	metrics_sample_double(cap_open(&c), "d", NULL, 0, INFINITY);
	cap_check(&c, "d +Inf\n");
	metrics_sample_double(cap_open(&c), "d", NULL, 0, -INFINITY);
	cap_check(&c, "d -Inf\n");
	metrics_sample_double(cap_open(&c), "d", NULL, 0, NAN);
	cap_check(&c, "d NaN\n");
	metrics_sample_double(cap_open(&c), "d", NULL, 0, 0);
	cap_check(&c, "d 0\n");
	/* Every value reads back exactly. */
	char buf[40];
	for (double v = 1e-9; v < 1e12; v *= 3.3)
		assert_true(strtod(metrics_fmt_double(v, buf, sizeof(buf)), NULL) == v);
}

static void test_histogram(void **state)
{
	struct cap c;
	const double bounds[] = {0.1, 0.5, 1};
	const uint64_t counts[] = {1, 0, 2, 3}; /* per bucket; the last is above 1 */
	struct metrics_hist_snap h = {3, bounds, counts, 4.25};
	metrics_sample_hist(cap_open(&c), "lat_seconds", NULL, 0, &h);
	cap_check(&c, "lat_seconds_bucket{le=\"0.1\"} 1\n"
		      "lat_seconds_bucket{le=\"0.5\"} 1\n"
		      "lat_seconds_bucket{le=\"1\"} 3\n"
		      "lat_seconds_bucket{le=\"+Inf\"} 6\n"
		      "lat_seconds_sum 4.25\n"
		      "lat_seconds_count 6\n");
	/* With labels, le comes last; an empty histogram is all zeros. */
	const uint64_t none[] = {0, 0};
	struct metrics_hist_snap e = {1, bounds, none, 0};
	struct metrics_label l = {"stage", "x\"y"};
	metrics_sample_hist(cap_open(&c), "h", &l, 1, &e);
	cap_check(&c, "h_bucket{stage=\"x\\\"y\",le=\"0.1\"} 0\n"
		      "h_bucket{stage=\"x\\\"y\",le=\"+Inf\"} 0\n"
		      "h_sum{stage=\"x\\\"y\"} 0\n"
		      "h_count{stage=\"x\\\"y\"} 0\n");
}

static void test_latency_buckets(void **state)
{
	struct metrics_hist h = {0};
	/* A bucket counts durations <= its bound (Prometheus "le"). */
	metrics_hist_observe(&h, 0);
	metrics_hist_observe(&h, 25000);      /* 25 us: first bucket */
	metrics_hist_observe(&h, 25001);      /* just above: second */
	metrics_hist_observe(&h, 1000000);    /* 1 ms */
	metrics_hist_observe(&h, 5000000001); /* above 5 s: +Inf only */
	double bounds[METRICS_HIST_BUCKETS];
	uint64_t counts[METRICS_HIST_BUCKETS + 1];
	struct metrics_hist_snap s;
	metrics_hist_read(&h, bounds, counts, &s);
	assert_int_equal(s.n, METRICS_HIST_BUCKETS);
	assert_true(bounds[0] == 25e-6 && bounds[5] == 1e-3 && bounds[METRICS_HIST_BUCKETS - 1] == 5);
	for (size_t i = 1; i < METRICS_HIST_BUCKETS; i++)
		assert_true(bounds[i] > bounds[i - 1]);
	assert_int_equal(counts[0], 2);
	assert_int_equal(counts[1], 1);
	assert_int_equal(counts[5], 1);
	assert_int_equal(counts[METRICS_HIST_BUCKETS], 1);
	uint64_t total = 0;
	for (size_t i = 0; i <= METRICS_HIST_BUCKETS; i++)
		total += counts[i];
	assert_int_equal(total, 5);
	assert_true(fabs(s.sum - (25000 + 25001 + 1000000 + 5000000001.0) / 1e9) < 1e-12);
	/* As written: le="2.5e-05" holds 2, le="5e-05" 3, le="0.001" 4, +Inf and _count 5. */
	struct cap c;
	metrics_sample_hist(cap_open(&c), "t", NULL, 0, &s);
	fclose(c.f);
	assert_non_null(strstr(c.buf, "t_bucket{le=\"2.5e-05\"} 2\n"));
	assert_non_null(strstr(c.buf, "t_bucket{le=\"5e-05\"} 3\n"));
	assert_non_null(strstr(c.buf, "t_bucket{le=\"0.00025\"} 3\n"));
	assert_non_null(strstr(c.buf, "t_bucket{le=\"0.001\"} 4\n"));
	assert_non_null(strstr(c.buf, "t_bucket{le=\"5\"} 4\n"));
	assert_non_null(strstr(c.buf, "t_bucket{le=\"+Inf\"} 5\nt_sum 5.001050002\nt_count 5\n"));
	free(c.buf);
}

static enum metrics_http parse(const char *req)
{
	return metrics_http_parse(req, strlen(req), false);
}

static void test_http_parse(void **state)
{
	assert_int_equal(parse("GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n"),
			 METRICS_HTTP_OK);
	assert_int_equal(parse("GET /metrics HTTP/1.0\n\n"), METRICS_HTTP_OK); /* bare LF */
	assert_int_equal(parse("GET /metrics?name[]=x HTTP/1.1\r\n\r\n"), METRICS_HTTP_OK);
	assert_int_equal(parse("HEAD /metrics HTTP/1.1\r\n\r\n"), METRICS_HTTP_HEAD);
	assert_int_equal(parse("POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n"),
			 METRICS_HTTP_BAD_METHOD);
	assert_int_equal(parse("get /metrics HTTP/1.1\r\n\r\n"), METRICS_HTTP_BAD_METHOD);
	assert_int_equal(parse("DELETE /metrics HTTP/1.1\r\n\r\n"), METRICS_HTTP_BAD_METHOD);
	assert_int_equal(parse("GET / HTTP/1.1\r\n\r\n"), METRICS_HTTP_NOT_FOUND);
	assert_int_equal(parse("GET /metricsx HTTP/1.1\r\n\r\n"), METRICS_HTTP_NOT_FOUND);
	assert_int_equal(parse("GET /metrics/ HTTP/1.1\r\n\r\n"), METRICS_HTTP_NOT_FOUND);
	assert_int_equal(parse("POST /other HTTP/1.1\r\n\r\n"), METRICS_HTTP_NOT_FOUND);
	/* Not HTTP/1.x request lines. */
	assert_int_equal(parse("GET /metrics\r\n\r\n"), METRICS_HTTP_BAD_REQUEST);
	assert_int_equal(parse("GET /metrics HTTP/2.0\r\n\r\n"), METRICS_HTTP_BAD_REQUEST);
	assert_int_equal(parse("GET  /metrics HTTP/1.1\r\n\r\n"), METRICS_HTTP_BAD_REQUEST);
	assert_int_equal(parse("GET http://h/metrics HTTP/1.1\r\n\r\n"), METRICS_HTTP_BAD_REQUEST);
	assert_int_equal(parse("\r\n\r\n"), METRICS_HTTP_BAD_REQUEST);
	assert_int_equal(parse("\x16\x03\x01\x02\x01\n\n"), METRICS_HTTP_BAD_REQUEST); /* TLS */
	assert_int_equal(parse("GET /metrics HTTP/1.1 extra\r\n\r\n"), METRICS_HTTP_BAD_REQUEST);
	/* The header block has not ended: wait, unless the buffer is full. */
	const char *part = "GET /metrics HTTP/1.1\r\nHost: x\r\n";
	assert_int_equal(parse(part), METRICS_HTTP_INCOMPLETE);
	assert_int_equal(parse("GET /metr"), METRICS_HTTP_INCOMPLETE);
	assert_int_equal(parse(""), METRICS_HTTP_INCOMPLETE);
	assert_int_equal(metrics_http_parse(part, strlen(part), true), METRICS_HTTP_TOO_LARGE);
	/* A request line alone with a NUL in it is not taken as text. */
	const char nul[] = "GET /metrics\0 HTTP/1.1\r\n\r\n";
	assert_int_equal(metrics_http_parse(nul, sizeof(nul) - 1, false), METRICS_HTTP_BAD_REQUEST);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_label_escaping), cmocka_unit_test(test_help_escaping),
		cmocka_unit_test(test_values),	       cmocka_unit_test(test_histogram),
		cmocka_unit_test(test_latency_buckets), cmocka_unit_test(test_http_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
