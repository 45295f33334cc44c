/* pool.h: typed fixed-size object pools (src/mem/).
 *
 * A pool hands out objects of one size from 64 KiB slabs with no per-object header, so a
 * 24-byte RIB node costs 24 bytes (jemalloc would round it to 32). It is single-owner: one
 * thread allocates and frees (the RIB's pools belong to the decision thread; objects that
 * RCU readers may still see are handed to rx_retire first and come back through the owner).
 *
 * Sanitizer builds (RX_POOL_MALLOC) give every object its own malloc() so ASan sees a
 * use-after-free by a reader that outlived its grace period; counters are kept either way. */
#ifndef ROUTEX_POOL_H
#define ROUTEX_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rx_pool_slab;

struct rx_pool {
	const char *name;
	size_t obj_size;	    /* rounded up to 8 */
	void *free_list;	    /* next pointer kept in the first word of a free object */
	char *cur;		    /* bump pointer into the newest slab */
	size_t cur_left;	    /* objects left at cur */
	struct rx_pool_slab *slabs; /* every slab, for pool_fini */
	size_t in_use;		    /* objects handed out and not yet freed */
	size_t slab_bytes;	    /* bytes of slabs held (malloc mode: in_use * obj_size) */
	size_t slab_size;	    /* bytes per slab: RX_POOL_SLAB_BYTES unless set */
	bool huge;		    /* 2 MiB aligned slabs advised for huge pages */
};

/* Bytes of one slab: big enough to amortise the allocator, small enough for jemalloc's
 * large-size classes to reuse. */
#define RX_POOL_SLAB_BYTES (64 * 1024)

void pool_init(struct rx_pool *p, const char *name, size_t obj_size);
/* Big, randomly accessed pools (RIB nodes): 2 MiB slabs advised for transparent huge
 * pages, so a lookup's descent through a million nodes is not dominated by TLB misses.
 * Call before the first allocation. */
#define RX_POOL_HUGE_SLAB_BYTES (2u << 20)
void pool_set_huge(struct rx_pool *p);
/* Frees every slab, including objects still in use. */
void pool_fini(struct rx_pool *p);
void *pool_alloc(struct rx_pool *p);
void pool_free(struct rx_pool *p, void *obj);
/* Bytes this pool holds from the allocator. */
size_t pool_bytes(const struct rx_pool *p);

#endif
