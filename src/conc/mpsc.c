/* mpsc.c: the MPSC queue with an eventfd doorbell (see mpsc.h). */
#include <errno.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <routex/compiler.h>
#include <routex/mpsc.h>
#include <routex/rcu.h> /* RX_TSAN detection */

#ifdef RX_TSAN
#define NODE_RELEASE(n) __tsan_release(n)
#define NODE_ACQUIRE(n) __tsan_acquire(n)
#else
#define NODE_RELEASE(n) ((void)0)
#define NODE_ACQUIRE(n) ((void)0)
#endif

bool mpsc_init(struct mpsc_queue *q)
{
	cds_wfcq_init(&q->head, &q->tail);
	q->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	return q->efd >= 0;
}

void mpsc_fini(struct mpsc_queue *q)
{
	if (q->efd >= 0)
		close(q->efd);
	q->efd = -1;
	cds_wfcq_destroy(&q->head, &q->tail);
}

void mpsc_push(struct mpsc_queue *q, struct mpsc_node *n)
{
	cds_wfcq_node_init(&n->wfcq);
	NODE_RELEASE(n);
	/* cds_wfcq_enqueue returns false when the queue was empty: ring only then. */
	if (!cds_wfcq_enqueue(&q->head, &q->tail, &n->wfcq)) {
		uint64_t one = 1;
		ssize_t r;
		do
			r = write(q->efd, &one, sizeof(one));
		while (r < 0 && errno == EINTR);
		/* EAGAIN means the counter is saturated: the consumer will wake anyway. */
	}
}

bool mpsc_take(struct mpsc_queue *q, struct mpsc_batch *b)
{
	uint64_t v;
	/* Clear the doorbell before splicing: a push after the splice finds the queue empty
	 * and rings again, so no item is ever left without a wake-up. */
	while (read(q->efd, &v, sizeof(v)) < 0 && errno == EINTR)
		;
	cds_wfcq_init(&b->head, &b->tail);
	enum cds_wfcq_ret r = cds_wfcq_splice_blocking(&b->head, &b->tail, &q->head, &q->tail);
	return r != CDS_WFCQ_RET_SRC_EMPTY;
}

struct mpsc_node *mpsc_batch_next(struct mpsc_batch *b)
{
	struct cds_wfcq_node *n = __cds_wfcq_dequeue_blocking(&b->head, &b->tail);
	if (!n)
		return NULL;
	struct mpsc_node *m = caa_container_of(n, struct mpsc_node, wfcq);
	NODE_ACQUIRE(m);
	return m;
}
