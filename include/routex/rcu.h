/* rcu.h: the RCU flavour routex uses, and batched retirement (src/conc/).
 *
 * Flavour: QSBR (liburcu-qsbr). Every routex thread that reads the RIB is one of the daemon's
 * own loops (I/O, decision, export, control), each of which passes a quiescent point between
 * events anyway, so read-side sections cost nothing at all (rcu_read_lock is a compiler
 * barrier), which matters for the 20M/s longest-prefix-match target. The price: a
 * registered thread that blocks must go offline first (rx_rcu_offline) or grace periods
 * stall; long walks are chunked for the same reason (see rib_walk_rcu).
 *
 * Pointer publication uses C11 atomics (release store, acquire load) rather than liburcu's
 * volatile macros, so that ThreadSanitizer understands it. Reclamation goes through
 * liburcu, which TSan cannot see into; in TSan builds every quiescent point releases and
 * every reclamation acquires one annotation address, which is exactly the order RCU
 * guarantees (a reader's accesses before its quiescent state happen before the free).
 *
 * Synchronisation:
 *   rx_rcu_deref            any registered thread, inside a read-side section
 *   rx_rcu_assign           the single writer of the structure holding the pointer
 *   rx_retire_*             the owner of the struct rx_retire only (the decision thread)
 *   the call_rcu callback   liburcu's worker thread; touches only batch->done */
#ifndef ROUTEX_RCU_H
#define ROUTEX_RCU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__SANITIZE_THREAD__)
#define RX_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define RX_TSAN 1
#endif
#endif

#ifndef RX_TSAN
/* Inline the read-side fast paths (TSan builds call into the uninstrumented library). */
#define _LGPL_SOURCE 1
#endif
#include <urcu-qsbr.h>

#include <routex/pool.h>

#ifdef RX_TSAN
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
extern char rx_rcu_tsan_sync;
#define RX_TSAN_RELEASE() __tsan_release(&rx_rcu_tsan_sync)
#define RX_TSAN_ACQUIRE() __tsan_acquire(&rx_rcu_tsan_sync)
#else
#define RX_TSAN_RELEASE() ((void)0)
#define RX_TSAN_ACQUIRE() ((void)0)
#endif

/* Consume ordering is promoted to acquire by every compiler; on x86 both are plain loads. */
#define rx_rcu_deref(p) __atomic_load_n(&(p), __ATOMIC_ACQUIRE)
/* Release: the object's fields, written before, are visible to whoever loads the pointer. */
#define rx_rcu_assign(p, v) __atomic_store_n(&(p), (v), __ATOMIC_RELEASE)

static inline void rx_rcu_register(void)
{
	rcu_register_thread();
}
static inline void rx_rcu_unregister(void)
{
	RX_TSAN_RELEASE();
	rcu_unregister_thread();
}
static inline void rx_rcu_read_lock(void)
{
	rcu_read_lock();
}
static inline void rx_rcu_read_unlock(void)
{
	rcu_read_unlock();
}
/* QSBR: the thread holds no RCU-protected pointer at this point. */
static inline void rx_rcu_quiescent(void)
{
	RX_TSAN_RELEASE();
	rcu_quiescent_state();
}
static inline void rx_rcu_offline(void)
{
	RX_TSAN_RELEASE();
	rcu_thread_offline();
}
static inline void rx_rcu_online(void)
{
	rcu_thread_online();
}

/* ---- Batched retirement ----
 * The writer retires objects into the open batch; a full batch is handed to call_rcu as
 * one callback, which only marks it done. The writer frees done batches from its own loop
 * (rx_retire_poll), into the pools the objects came from, so the pools stay single-owner
 * and the single call_rcu worker does one tiny job per few thousand objects. */
#define RX_RETIRE_BATCH 4096

struct rx_retire_item {
	void *obj;
	struct rx_pool *pool; /* NULL: obj came from malloc() */
};

struct rx_retire_batch {
	struct rcu_head head;
	struct rx_retire_batch *next; /* W: FIFO of batches waiting for their grace period */
	int done; /* A: set by the callback (release), read by the writer (acquire) */
	unsigned n;
	struct rx_retire_item items[RX_RETIRE_BATCH];
};

struct rx_retire {
	struct rx_retire_batch *open;		       /* W */
	struct rx_retire_batch *wait_head, *wait_tail; /* W */
	struct rx_retire_batch *spare;		       /* W: one recycled batch */
	size_t pending; /* W: retired, not yet freed (exported as a metric) */
	size_t freed;	/* W: total freed so far */
};

void rx_retire_init(struct rx_retire *r);
/* Waits for every grace period (rcu_barrier) and frees everything. */
void rx_retire_fini(struct rx_retire *r);
/* Hands obj (from pool, or from malloc when pool is NULL) to RCU. */
void rx_retire(struct rx_retire *r, void *obj, struct rx_pool *pool);
/* Starts the grace period of the open batch, even when it is not full. */
void rx_retire_flush(struct rx_retire *r);
/* Frees every batch whose grace period has ended; returns objects freed. Cheap when none. */
size_t rx_retire_poll(struct rx_retire *r);
/* Flushes, waits for the grace period (synchronize_rcu) and frees all: tests and shutdown. */
void rx_retire_sync(struct rx_retire *r);

#endif
