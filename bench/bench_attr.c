/* bench_attr.c: the attribute table (src/attr) as the decision thread uses it on a full
 * table: 160,000 distinct attribute sets (about what a 1M-prefix feed carries, ~6.5
 * prefixes per set), encoded beforehand as the I/O threads do.
 *   attr/intern_new     intern every set into an empty table (a feed's first sight of
 *                       each set: the table grows from its minimum), then release them
 *   attr/intern_hit     intern every set again into the full table (the same set arriving
 *                       from another peer), releasing the extra reference
 *   attr/baseline_read  read every encoded set once (the floor: the bytes are cold too) */
#include <stdlib.h>
#include <string.h>

#include <routex/attr.h>
#include <routex/compiler.h>
#include <routex/wire.h>

#include "rxbench.h"

#define N_SETS 160000

static struct attr_buf bufs[N_SETS];

static void make_sets(void)
{
	uint64_t s = 42;
	for (size_t i = 0; i < N_SETS; i++) {
		uint8_t path[2 + 4 * 8], comm[8], data[256];
		unsigned hops = 2 + (unsigned)(i % 6);
		path[0] = WIRE_AS_SEQUENCE;
		path[1] = (uint8_t)hops;
		for (unsigned h = 0; h < hops; h++) {
			s = s * 6364136223846793005ull + 1442695040888963407ull;
			wire_put32(path + 2 + 4 * h, h == hops - 1 ? 64512 + (uint32_t)i
								  : 1000 + (uint32_t)(s >> 40) % 5000);
		}
		struct wire_attrs wa;
		memset(&wa, 0, sizeof(wa));
		wa.present = WIRE_ATTR_BIT(WIRE_ATTR_ORIGIN) | WIRE_ATTR_BIT(WIRE_ATTR_AS_PATH) |
			     WIRE_ATTR_BIT(WIRE_ATTR_NEXT_HOP) | WIRE_ATTR_BIT(WIRE_ATTR_COMMUNITIES);
		wa.aspath = path;
		wa.aspath_len = (uint16_t)(2 + 4 * hops);
		wire_put32(comm, 65001u << 16 | (uint32_t)(i % 300));
		wire_put32(comm + 4, 65001u << 16 | 1000);
		wa.communities = comm;
		wa.communities_len = 8;
		wire_put32(wa.nexthop, 0xc0000201);
		struct attr_buf b = {.data = data, .cap = sizeof(data)};
		RX_ASSERT(attr_encode(&wa, NULL, 4, &b));
		bufs[i] = b;
		bufs[i].data = malloc(b.k.data_len);
		RX_ASSERT(bufs[i].data);
		memcpy(bufs[i].data, data, b.k.data_len);
	}
}

static struct attr_set *held[N_SETS];

static void intern_new(struct rxb_state *st, void *arg)
{
	while (rxb_keep_running(st)) {
		struct attr_table t;
		attr_table_init(&t, NULL);
		for (size_t i = 0; i < N_SETS; i++)
			held[i] = attr_intern_w(&t, &bufs[i]);
		rxb_pause(st);
		for (size_t i = 0; i < N_SETS; i++)
			attr_unref_w(&t, held[i]);
		attr_table_fini(&t);
		rxb_resume(st);
	}
	rxb_set_items(st, rxb_iterations(st) * N_SETS);
}

static void intern_hit(struct rxb_state *st, void *arg)
{
	struct attr_table t;
	attr_table_init(&t, NULL);
	for (size_t i = 0; i < N_SETS; i++)
		held[i] = attr_intern_w(&t, &bufs[i]);
	while (rxb_keep_running(st))
		for (size_t i = 0; i < N_SETS; i++)
			attr_unref_w(&t, attr_intern_w(&t, &bufs[i]));
	for (size_t i = 0; i < N_SETS; i++)
		attr_unref_w(&t, held[i]);
	attr_table_fini(&t);
	rxb_set_items(st, rxb_iterations(st) * N_SETS);
}

static void baseline_read(struct rxb_state *st, void *arg)
{
	uint64_t sum = 0;
	while (rxb_keep_running(st))
		for (size_t i = 0; i < N_SETS; i++)
			sum += bufs[i].hash + bufs[i].data[bufs[i].k.data_len - 1];
	rxb_do_not_optimize(&sum);
	rxb_set_items(st, rxb_iterations(st) * N_SETS);
}

int main(int argc, char **argv)
{
	make_sets();
	rxb_register("attr/baseline_read", baseline_read, NULL, NULL, 0, 0);
	rxb_register("attr/intern_new", intern_new, NULL, NULL, 0, 0);
	rxb_register("attr/intern_hit", intern_hit, NULL, NULL, 0, 0);
	return rxb_main(argc, argv);
}
