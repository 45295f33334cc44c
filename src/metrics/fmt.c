/* fmt.c: the Prometheus text exposition format, version 0.0.4.
 *
 * Lines: `# HELP name text`, `# TYPE name type`, then samples `name{l="v",...} value`.
 * Escaping differs by place: HELP text escapes backslash and newline; label values also
 * escape the double quote. Values are Go-style floats: +Inf, -Inf and NaN spelled so.
 * A histogram's buckets are cumulative, the last one is le="+Inf", and _count must equal
 * it; _count is therefore written from the buckets, never from a separate counter. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <routex/metrics.h>

static void escape(FILE *out, const char *s, bool quote)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", out);
		else if (*s == '\n')
			fputs("\\n", out);
		else if (*s == '"' && quote)
			fputs("\\\"", out);
		else
			fputc(*s, out);
	}
}

void metrics_escape_label(FILE *out, const char *value)
{
	escape(out, value, true);
}

void metrics_family(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s ", name);
	escape(out, help, false);
	fprintf(out, "\n# TYPE %s %s\n", name, type);
}

/* name{labels[,extra="value"]} with the separating space. */
static void head(FILE *out, const char *name, const struct metrics_label *labels, size_t n,
		 const char *extra, const char *extra_value)
{
	fputs(name, out);
	if (n || extra) {
		fputc('{', out);
		for (size_t i = 0; i < n; i++) {
			fprintf(out, "%s%s=\"", i ? "," : "", labels[i].name);
			escape(out, labels[i].value, true);
			fputc('"', out);
		}
		if (extra)
			fprintf(out, "%s%s=\"%s\"", n ? "," : "", extra, extra_value);
		fputc('}', out);
	}
	fputc(' ', out);
}

/* The shortest of %.15g .. %.17g that reads back as v: 0.1 stays "0.1", and every value
 * survives the round trip. */
const char *metrics_fmt_double(double v, char *buf, size_t n)
{
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, n, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	return buf;
}

static void value(FILE *out, double v)
{
	char buf[40];
	if (isnan(v))
		fputs("NaN", out);
	else if (isinf(v))
		fputs(v > 0 ? "+Inf" : "-Inf", out);
	else
		fputs(metrics_fmt_double(v, buf, sizeof(buf)), out);
}

void metrics_sample_u64(FILE *out, const char *name, const struct metrics_label *labels,
			size_t n, uint64_t v)
{
	head(out, name, labels, n, NULL, NULL);
	fprintf(out, "%llu\n", (unsigned long long)v); /* exact, unlike a double past 2^53 */
}

void metrics_sample_double(FILE *out, const char *name, const struct metrics_label *labels,
			   size_t n, double v)
{
	head(out, name, labels, n, NULL, NULL);
	value(out, v);
	fputc('\n', out);
}

void metrics_sample_hist(FILE *out, const char *name, const struct metrics_label *labels,
			 size_t n, const struct metrics_hist_snap *h)
{
	char metric[128], le[32];
	uint64_t cum = 0;
	snprintf(metric, sizeof(metric), "%s_bucket", name);
	for (size_t i = 0; i <= h->n; i++) {
		cum += h->counts[i];
		if (i < h->n)
			metrics_fmt_double(h->bounds[i], le, sizeof(le));
		head(out, metric, labels, n, "le", i < h->n ? le : "+Inf");
		fprintf(out, "%llu\n", (unsigned long long)cum);
	}
	snprintf(metric, sizeof(metric), "%s_sum", name);
	metrics_sample_double(out, metric, labels, n, h->sum);
	snprintf(metric, sizeof(metric), "%s_count", name);
	metrics_sample_u64(out, metric, labels, n, cum);
}
