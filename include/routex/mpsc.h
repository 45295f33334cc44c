/* mpsc.h: multi-producer, single-consumer queue with an eventfd doorbell (src/conc/).
 *
 * Built on liburcu's wait-free concurrent queue (wfcqueue). Producers (any thread) enqueue
 * one node per item; the consumer takes everything queued at once with mpsc_take (a
 * splice: O(1) however long the queue) and then walks the batch privately. The doorbell
 * rings only on the empty -> non-empty transition, so a burst of 10,000 UPDATE batches
 * costs one eventfd write and one wake-up.
 *
 * Synchronisation:
 *   mpsc_push            any thread, concurrently with everything else
 *   mpsc_take, mpsc_fd   the single consumer only
 *   mpsc_init/fini       no concurrent user
 * Ordering: a node's contents, written before mpsc_push, are visible to the consumer after
 * mpsc_take (wfcqueue's enqueue is a full barrier; TSan builds add an explicit
 * release/acquire pair per node, since TSan cannot see liburcu's inline assembly). */
#ifndef ROUTEX_MPSC_H
#define ROUTEX_MPSC_H

#include <stdbool.h>
#include <stddef.h>

#include <urcu/wfcqueue.h>

struct mpsc_node {
	struct cds_wfcq_node wfcq;
};

struct mpsc_queue {
	struct cds_wfcq_head head;
	struct cds_wfcq_tail tail;
	int efd; /* eventfd, readable while the queue may hold items */
};

/* A batch taken by the consumer: a private list, walked with mpsc_batch_next. */
struct mpsc_batch {
	struct cds_wfcq_head head;
	struct cds_wfcq_tail tail;
};

/* Returns false when the eventfd cannot be created. */
bool mpsc_init(struct mpsc_queue *q);
/* The queue must be empty (or its nodes owned elsewhere). */
void mpsc_fini(struct mpsc_queue *q);
static inline int mpsc_fd(const struct mpsc_queue *q)
{
	return q->efd;
}
void mpsc_push(struct mpsc_queue *q, struct mpsc_node *n);
/* Moves everything queued into b (initialised by the call); returns false when empty.
 * Clears the doorbell first, so an item pushed during the call rings it again. */
bool mpsc_take(struct mpsc_queue *q, struct mpsc_batch *b);
/* Pops the next node of a taken batch, NULL at the end. */
struct mpsc_node *mpsc_batch_next(struct mpsc_batch *b);

#endif
