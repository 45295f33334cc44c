/* rxbench.h: write google-benchmark benchmarks as C functions.
 *
 * A benchmark is `void fn(struct rxb_state *st, void *arg)` that loops
 * `while (rxb_keep_running(st)) { ... }` and reports work with rxb_set_items / rxb_set_bytes
 * (google-benchmark turns them into items/s and bytes/s). Register from main() before
 * rxb_main(), or with RXB_REGISTER at file scope. Every benchmark file is expected to register
 * a baseline beside the real measurement (e.g. merely walking the bytes), so that figures can
 * be quoted as ratios on a noisy machine. */
#ifndef ROUTEX_RXBENCH_H
#define ROUTEX_RXBENCH_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct rxb_state;
typedef void (*rxb_fn)(struct rxb_state *st, void *arg);

bool rxb_keep_running(struct rxb_state *st);
int64_t rxb_range(struct rxb_state *st, int idx);
int64_t rxb_iterations(struct rxb_state *st);
void rxb_set_items(struct rxb_state *st, int64_t items);
void rxb_set_bytes(struct rxb_state *st, int64_t bytes);
/* A named figure: plain value (is_rate false) or per-second rate (is_rate true). */
void rxb_counter(struct rxb_state *st, const char *name, double value, bool is_rate);
void rxb_set_label(struct rxb_state *st, const char *label);
void rxb_pause(struct rxb_state *st);
void rxb_resume(struct rxb_state *st);
void rxb_skip(struct rxb_state *st, const char *why);
/* Keeps the compiler from optimising a value away. */
void rxb_do_not_optimize(const void *p);

/* Registers fn under name; args (may be NULL) lists n_args values for rxb_range(st, 0),
 * each giving one benchmark instance. iterations > 0 fixes the iteration count (useful for
 * benchmarks whose one iteration is a whole table load). */
void rxb_register(const char *name, rxb_fn fn, void *arg, const int64_t *args, int n_args,
		  int64_t iterations);
int rxb_main(int argc, char **argv);

#define RXB_REGISTER(fn)                                                                 \
	__attribute__((constructor)) static void rxb_reg_##fn(void)                       \
	{                                                                                 \
		rxb_register(#fn, fn, 0, 0, 0, 0);                                        \
	}

#ifdef __cplusplus
}
#endif
#endif
