/* retire.c: batched RCU retirement (see rcu.h for the design and synchronisation table).
 *
 * Invariants: every object in a batch was unreachable for new readers when it was retired;
 * a batch is freed only after its call_rcu callback ran, i.e. after a full grace period that
 * started after its last retire. Only the owner thread touches the lists. */
#include <stdlib.h>
#include <string.h>

#include <routex/compiler.h>
#include <routex/rcu.h>

#ifdef RX_TSAN
char rx_rcu_tsan_sync;
#endif

static void batch_done_cb(struct rcu_head *head)
{
	struct rx_retire_batch *b = caa_container_of(head, struct rx_retire_batch, head);
	RX_TSAN_ACQUIRE();
#ifdef RX_TSAN
	__tsan_acquire(b); /* the hand-over through call_rcu's queue (see rx_retire_flush) */
#endif
	/* Release: pairs with the writer's acquire in rx_retire_poll. */
	__atomic_store_n(&b->done, 1, __ATOMIC_RELEASE);
}

static struct rx_retire_batch *batch_new(struct rx_retire *r)
{
	struct rx_retire_batch *b = r->spare;
	if (b)
		r->spare = NULL;
	else
		b = malloc(sizeof(*b));
	RX_ASSERT(b);
	b->next = NULL;
	b->done = 0;
	b->n = 0;
	return b;
}

void rx_retire_init(struct rx_retire *r)
{
	memset(r, 0, sizeof(*r));
}

void rx_retire_flush(struct rx_retire *r)
{
	struct rx_retire_batch *b = r->open;
	if (!b || b->n == 0)
		return;
	r->open = NULL;
	if (r->wait_tail)
		r->wait_tail->next = b;
	else
		r->wait_head = b;
	r->wait_tail = b;
#ifdef RX_TSAN
	/* liburcu's call_rcu queue is invisible to TSan: the batch, written here, is handed to
	 * its worker thread, whose callback acquires it. */
	__tsan_release(b);
#endif
	call_rcu(&b->head, batch_done_cb);
}

void rx_retire(struct rx_retire *r, void *obj, struct rx_pool *pool)
{
	if (RX_UNLIKELY(!r->open))
		r->open = batch_new(r);
	struct rx_retire_batch *b = r->open;
	b->items[b->n].obj = obj;
	b->items[b->n].pool = pool;
	b->n++;
	r->pending++;
	if (b->n == RX_RETIRE_BATCH) {
		rx_retire_flush(r);
		rx_retire_poll(r);
	}
}

static void batch_free_items(struct rx_retire *r, struct rx_retire_batch *b)
{
	RX_TSAN_ACQUIRE();
	for (unsigned i = 0; i < b->n; i++) {
		if (b->items[i].pool)
			pool_free(b->items[i].pool, b->items[i].obj);
		else
			free(b->items[i].obj);
	}
	r->pending -= b->n;
	r->freed += b->n;
}

size_t rx_retire_poll(struct rx_retire *r)
{
	size_t n = 0;
	/* Batches finish in call_rcu order; stop at the first one still waiting. */
	while (r->wait_head && __atomic_load_n(&r->wait_head->done, __ATOMIC_ACQUIRE)) {
		struct rx_retire_batch *b = r->wait_head;
		r->wait_head = b->next;
		if (!r->wait_head)
			r->wait_tail = NULL;
		n += b->n;
		batch_free_items(r, b);
		if (!r->spare)
			r->spare = b;
		else
			free(b);
	}
	return n;
}

void rx_retire_sync(struct rx_retire *r)
{
	rx_retire_flush(r);
	/* rcu_barrier waits for every queued callback, so every waiting batch is done. */
	rcu_barrier();
	rx_retire_poll(r);
	RX_ASSERT(r->wait_head == NULL);
}

void rx_retire_fini(struct rx_retire *r)
{
	rx_retire_sync(r);
	if (r->open) {
		free(r->open);
		r->open = NULL;
	}
	free(r->spare);
	r->spare = NULL;
}
