// rxbench.cc: the C++ side of the C benchmark shim (see rxbench.h). It owns nothing but the
// adaptation; every measurement is written in C.
#include "rxbench.h"

#include <benchmark/benchmark.h>

struct rxb_state {
	benchmark::State *st;
	bool started;
};

// KeepRunning() costs a few nanoseconds more per iteration than the range-for form; C
// benchmarks do a batch of work per iteration, so that is noise.
extern "C" bool rxb_keep_running(struct rxb_state *s)
{
	s->started = true;
	return s->st->KeepRunning();
}

extern "C" int64_t rxb_range(struct rxb_state *s, int idx)
{
	return s->st->range(idx);
}
extern "C" int64_t rxb_iterations(struct rxb_state *s)
{
	return s->st->iterations();
}
extern "C" void rxb_set_items(struct rxb_state *s, int64_t items)
{
	s->st->SetItemsProcessed(items);
}
extern "C" void rxb_set_bytes(struct rxb_state *s, int64_t bytes)
{
	s->st->SetBytesProcessed(bytes);
}
extern "C" void rxb_counter(struct rxb_state *s, const char *name, double value, bool is_rate)
{
	s->st->counters[name] = benchmark::Counter(
		value, is_rate ? benchmark::Counter::kIsRate : benchmark::Counter::kDefaults);
}
extern "C" void rxb_set_label(struct rxb_state *s, const char *label)
{
	s->st->SetLabel(label);
}
extern "C" void rxb_pause(struct rxb_state *s)
{
	s->st->PauseTiming();
}
extern "C" void rxb_resume(struct rxb_state *s)
{
	s->st->ResumeTiming();
}
extern "C" void rxb_skip(struct rxb_state *s, const char *why)
{
	s->st->SkipWithError(why);
}
extern "C" void rxb_do_not_optimize(const void *p)
{
	benchmark::DoNotOptimize(p);
	benchmark::ClobberMemory();
}

extern "C" void rxb_register(const char *name, rxb_fn fn, void *arg, const int64_t *args,
			     int n_args, int64_t iterations)
{
	auto *b = benchmark::RegisterBenchmark(name, [fn, arg](benchmark::State &st) {
		struct rxb_state s{&st, false};
		fn(&s, arg);
		// A benchmark that returned early must still drain the loop google-benchmark expects.
		if (!s.started)
			for (auto _ : st)
				benchmark::DoNotOptimize(_);
	});
	for (int i = 0; i < n_args; i++)
		b->Arg(args[i]);
	if (iterations > 0)
		b->Iterations(iterations);
	b->Unit(benchmark::kMillisecond);
}

extern "C" int rxb_main(int argc, char **argv)
{
	benchmark::Initialize(&argc, argv);
	if (benchmark::ReportUnrecognizedArguments(argc, argv))
		return 1;
	benchmark::RunSpecifiedBenchmarks();
	benchmark::Shutdown();
	return 0;
}
