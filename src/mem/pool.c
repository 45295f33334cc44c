/* pool.c: fixed-size object pools over slabs (see pool.h).
 *
 * Design: a free list threaded through freed objects, then a bump pointer into the newest
 * slab. Slabs are never returned before pool_fini: a RIB that shrank usually grows back
 * (a peer flapping), and returning half-empty slabs would need per-slab counts on the hot
 * path. Owner thread only; no locks. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <routex/compiler.h>
#include <routex/pool.h>

struct rx_pool_slab {
	struct rx_pool_slab *next;
	/* objects follow, 16-byte aligned */
};
#define SLAB_HDR 16

void pool_init(struct rx_pool *p, const char *name, size_t obj_size)
{
	memset(p, 0, sizeof(*p));
	p->name = name;
	p->obj_size = (obj_size + 7) & ~(size_t)7;
	if (p->obj_size < sizeof(void *))
		p->obj_size = sizeof(void *);
	p->slab_size = RX_POOL_SLAB_BYTES;
}

void pool_set_huge(struct rx_pool *p)
{
	RX_ASSERT(p->in_use == 0 && p->slabs == NULL);
	p->slab_size = RX_POOL_HUGE_SLAB_BYTES;
	p->huge = true;
}

#ifdef RX_POOL_MALLOC
void *pool_alloc(struct rx_pool *p)
{
	void *o = malloc(p->obj_size);
	RX_ASSERT(o);
	p->in_use++;
	p->slab_bytes += p->obj_size;
	return o;
}

void pool_free(struct rx_pool *p, void *obj)
{
	RX_ASSERT(p->in_use > 0);
	p->in_use--;
	p->slab_bytes -= p->obj_size;
	free(obj);
}

void pool_fini(struct rx_pool *p)
{
	/* malloc mode cannot find live objects: their owners must have freed them. */
	p->in_use = 0;
	p->slab_bytes = 0;
}
#else
static void pool_grow(struct rx_pool *p)
{
	struct rx_pool_slab *s;
	if (p->huge) {
		s = aligned_alloc(RX_POOL_HUGE_SLAB_BYTES, p->slab_size);
		RX_ASSERT(s);
		/* advice only: without THP the slab still works with 4 KiB pages */
		(void)madvise(s, p->slab_size, MADV_HUGEPAGE);
	} else {
		s = malloc(p->slab_size);
		RX_ASSERT(s);
	}
	s->next = p->slabs;
	p->slabs = s;
	p->slab_bytes += p->slab_size;
	p->cur = (char *)s + SLAB_HDR;
	p->cur_left = (p->slab_size - SLAB_HDR) / p->obj_size;
}

void *pool_alloc(struct rx_pool *p)
{
	void *o = p->free_list;
	if (o) {
		memcpy(&p->free_list, o, sizeof(void *));
	} else {
		if (RX_UNLIKELY(p->cur_left == 0))
			pool_grow(p);
		o = p->cur;
		p->cur += p->obj_size;
		p->cur_left--;
	}
	p->in_use++;
	return o;
}

void pool_free(struct rx_pool *p, void *obj)
{
	RX_ASSERT(p->in_use > 0);
	memcpy(obj, &p->free_list, sizeof(void *));
	p->free_list = obj;
	p->in_use--;
}

void pool_fini(struct rx_pool *p)
{
	struct rx_pool_slab *s = p->slabs, *n;
	for (; s; s = n) {
		n = s->next;
		free(s);
	}
	p->slabs = NULL;
	p->free_list = NULL;
	p->cur = NULL;
	p->cur_left = 0;
	p->in_use = 0;
	p->slab_bytes = 0;
}
#endif

size_t pool_bytes(const struct rx_pool *p)
{
	return p->slab_bytes;
}
