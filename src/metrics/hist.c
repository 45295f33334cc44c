/* hist.c: latency histograms with one writer and lock-free readers (see metrics-t.h).
 *
 * The writer is the only thread that stores, so an increment is a relaxed load and a
 * relaxed store, not an atomic read-modify-write; it runs once per batch, not per prefix. */
#include <routex/metrics.h>

const uint64_t metrics_hist_bounds_ns[METRICS_HIST_BUCKETS] = {
	25000ull,     50000ull,	   100000ull,	  250000ull,	500000ull,    1000000ull,
	2500000ull,   5000000ull,  10000000ull,	  25000000ull,	50000000ull,  100000000ull,
	250000000ull, 500000000ull, 1000000000ull, 2500000000ull, 5000000000ull,
};

static void bump(uint64_t *c, uint64_t n)
{
	__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + n, __ATOMIC_RELAXED);
}

void metrics_hist_observe(struct metrics_hist *h, uint64_t ns)
{
	size_t i = 0;
	while (i < METRICS_HIST_BUCKETS && ns > metrics_hist_bounds_ns[i]) /* le: "<=" */
		i++;
	bump(&h->count[i], 1);
	bump(&h->sum_ns, ns);
}

void metrics_hist_read(const struct metrics_hist *h, double *bounds, uint64_t *counts,
		       struct metrics_hist_snap *snap)
{
	for (size_t i = 0; i < METRICS_HIST_BUCKETS; i++)
		bounds[i] = (double)metrics_hist_bounds_ns[i] / 1e9;
	for (size_t i = 0; i <= METRICS_HIST_BUCKETS; i++)
		counts[i] = __atomic_load_n(&h->count[i], __ATOMIC_RELAXED);
	snap->n = METRICS_HIST_BUCKETS;
	snap->bounds = bounds;
	snap->counts = counts;
	snap->sum = (double)__atomic_load_n(&h->sum_ns, __ATOMIC_RELAXED) / 1e9;
}
