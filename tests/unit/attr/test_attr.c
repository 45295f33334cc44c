/* test_attr.c: canonical encoding, interning (one copy per distinct set), reference counts,
 * removal through RCU retirement, and the AS path measures the decision process uses. */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <routex/attr.h>

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

struct fixture {
	struct rx_retire retire;
	struct attr_table t;
	uint8_t data[4096];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	rx_retire_init(&f->retire);
	attr_table_init(&f->t, &f->retire);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	rx_retire_sync(&f->retire);
	attr_table_fini(&f->t);
	rx_retire_fini(&f->retire);
	free(f);
	return 0;
}

/* An UPDATE-like attribute set: AS_SEQUENCE of n ASes starting at first, a MED, a
 * community. */
static void mk(struct wire_attrs *wa, uint8_t *aspath, uint32_t first, unsigned n, uint32_t med,
	       uint8_t *comm, uint32_t community)
{
	memset(wa, 0, sizeof(*wa));
	wa->present = WIRE_ATTR_BIT(WIRE_ATTR_ORIGIN) | WIRE_ATTR_BIT(WIRE_ATTR_AS_PATH) |
		      WIRE_ATTR_BIT(WIRE_ATTR_NEXT_HOP) | WIRE_ATTR_BIT(WIRE_ATTR_MED);
	aspath[0] = WIRE_AS_SEQUENCE;
	aspath[1] = (uint8_t)n;
	for (unsigned i = 0; i < n; i++)
		put32(aspath + 2 + 4 * i, first + i);
	wa->aspath = aspath;
	wa->aspath_len = (uint16_t)(2 + 4 * n);
	wa->med = med;
	put32(wa->nexthop, 0xc0000201);
	if (community) {
		put32(comm, community);
		wa->present |= WIRE_ATTR_BIT(WIRE_ATTR_COMMUNITIES);
		wa->communities = comm;
		wa->communities_len = 4;
	}
}

static struct attr_set *intern(struct fixture *f, const struct wire_attrs *wa)
{
	struct attr_buf b = {.data = f->data, .cap = sizeof(f->data)};
	assert_true(attr_encode(wa, NULL, 0, &b));
	return attr_intern_w(&f->t, &b);
}

static void test_intern_dedup(void **state)
{
	struct fixture *f = *state;
	uint8_t p1[64], p2[64], c1[4], c2[4];
	struct wire_attrs a, b;
	mk(&a, p1, 65001, 3, 10, c1, 0xfde80001);
	mk(&b, p2, 65001, 3, 10, c2, 0xfde80001); /* equal content, other buffers */
	struct attr_set *x = intern(f, &a), *y = intern(f, &b);
	assert_ptr_equal(x, y);
	assert_int_equal(x->refcnt, 2);
	assert_int_equal(f->t.count, 1);
	assert_int_equal(x->k.aspath_hops, 3);
	assert_int_equal(x->k.neighbour_as, 65001);
	assert_true(x->k.flags & ATTR_F_MED);
	assert_int_equal(x->k.comm_len, 4);
	assert_memory_equal(attr_communities(x), c1, 4);
	assert_int_equal(x->k.nexthop_len, 4);
	assert_memory_equal(attr_nexthop(x), a.nexthop, 4);
	assert_memory_equal(attr_aspath(x), p1, a.aspath_len);
	/* each field that differs makes another set */
	mk(&b, p2, 65001, 3, 11, c2, 0xfde80001);
	struct attr_set *z = intern(f, &b);
	assert_ptr_not_equal(z, x);
	mk(&b, p2, 65001, 3, 10, c2, 0xfde80002);
	struct attr_set *w = intern(f, &b);
	assert_ptr_not_equal(w, x);
	assert_ptr_not_equal(w, z);
	mk(&b, p2, 65001, 3, 10, c2, 0);
	struct attr_set *v = intern(f, &b);
	assert_ptr_not_equal(v, x);
	/* an IPv6 next hop (MP_REACH) is part of the set */
	uint8_t nh6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	struct attr_buf buf = {.data = f->data, .cap = sizeof(f->data)};
	assert_true(attr_encode(&a, nh6, 16, &buf));
	struct attr_set *u = attr_intern_w(&f->t, &buf);
	assert_ptr_not_equal(u, x);
	assert_int_equal(u->k.nexthop_len, 16);
	assert_int_equal(f->t.count, 5);
	attr_unref_w(&f->t, u);
	attr_unref_w(&f->t, v);
	attr_unref_w(&f->t, w);
	attr_unref_w(&f->t, z);
	attr_unref_w(&f->t, y);
	assert_int_equal(f->t.count, 1);
	assert_int_equal(x->refcnt, 1);
	attr_unref_w(&f->t, x);
	assert_int_equal(f->t.count, 0);
	assert_int_equal(f->t.refs, 0);
	assert_int_equal(f->t.bytes, 0);
	/* freed after a grace period, not before */
	assert_int_equal(f->retire.pending, 5);
	rx_retire_sync(&f->retire);
	assert_int_equal(f->retire.pending, 0);
	assert_null(attr_find_w(&f->t, &buf));
}

static void test_table_growth(void **state)
{
	struct fixture *f = *state;
	enum { N = 5000 };
	static struct attr_set *sets[N];
	uint8_t p[64], c[4];
	struct wire_attrs a;
	for (unsigned i = 0; i < N; i++) {
		mk(&a, p, 64512 + i, 1 + i % 5, i, c, i);
		sets[i] = intern(f, &a);
	}
	assert_int_equal(f->t.count, N);
	assert_true(f->t.mask + 1 >= N);
	for (unsigned i = 0; i < N; i++) {
		mk(&a, p, 64512 + i, 1 + i % 5, i, c, i);
		assert_ptr_equal(intern(f, &a), sets[i]);
		assert_int_equal(sets[i]->refcnt, 2);
	}
	for (unsigned i = 0; i < N; i++) {
		attr_unref_w(&f->t, sets[i]);
		attr_unref_w(&f->t, sets[i]);
	}
	assert_int_equal(f->t.count, 0);
}

/* The sets of the model test, encoded once: set i's hash is forced into one of a few values
 * when crowd is set, so that probe sequences run long, cross each other and wrap around the
 * table's end. */
enum { MODEL_N = 1500 };
static uint8_t model_data[MODEL_N][64];
static struct attr_buf model_bufs[MODEL_N];

static void model_bufs_make(bool crowd)
{
	for (unsigned i = 0; i < MODEL_N; i++) {
		uint8_t p[64], c[4];
		struct wire_attrs a;
		mk(&a, p, 64512 + i, 1 + i % 3, i, c, 0);
		struct attr_buf *b = &model_bufs[i];
		*b = (struct attr_buf){.data = model_data[i], .cap = sizeof(model_data[i])};
		assert_true(attr_encode(&a, NULL, 0, b));
		/* homes near the end and the start; 0 is kept as 1 (0 marks an empty slot) */
		static const uint32_t crowded[5] = {0xfffffffe, 0xffffffff, 0, 1, 0x1fe};
		if (crowd)
			b->hash = crowded[i % 5];
	}
}

/* Random interning and releasing against a reference (the set each index must map to, or
 * none): every lookup is checked after every release, so a removal that breaks another
 * set's probe sequence is caught at once. Spread hashes: 1,500 sets, the table grows from
 * 1,024 slots; crowded hashes: 300 sets on five hashes. */
static void test_table_model(void **state)
{
	struct fixture *f = *state;
	enum { STEPS = 5000 };
	static struct attr_set *ref[MODEL_N];
	static unsigned refs[MODEL_N];
	for (int crowd = 0; crowd < 2; crowd++) {
		unsigned n = crowd ? 300 : MODEL_N;
		model_bufs_make(crowd);
		memset(ref, 0, sizeof(ref));
		memset(refs, 0, sizeof(refs));
		uint32_t rng = 12345;
		size_t peak = 0;
		for (int step = 0; step < STEPS; step++) {
			rng = rng * 1103515245u + 12345u;
			unsigned i = (rng >> 8) % n;
			bool release = refs[i] && (rng >> 4) % 4 == 0;
			if (!release) {
				struct attr_set *a = attr_intern_w(&f->t, &model_bufs[i]);
				if (ref[i])
					assert_ptr_equal(a, ref[i]);
				ref[i] = a;
				refs[i]++;
			} else {
				attr_unref_w(&f->t, ref[i]);
				if (!--refs[i])
					ref[i] = NULL;
			}
			if (!release && step % 16)
				continue;
			size_t live = 0;
			for (unsigned k = 0; k < MODEL_N; k++) {
				assert_ptr_equal(attr_find_w(&f->t, &model_bufs[k]), ref[k]);
				live += ref[k] != NULL;
			}
			assert_int_equal(f->t.count, live);
			assert_true(4 * f->t.count <= 3 * (f->t.mask + 1));
			peak = live > peak ? live : peak;
		}
		assert_true(crowd || peak > 3 * 1024 / 4); /* the table grew under the test */
		for (unsigned k = 0; k < MODEL_N; k++)
			for (; refs[k]; refs[k]--)
				attr_unref_w(&f->t, ref[k]);
		assert_int_equal(f->t.count, 0);
	}
}

static void test_aspath_measures(void **state)
{
	(void)state;
	/* SEQ(1 2 3) SET(4 5) CONFED_SEQ(6) : 3 + 1 + 0 hops */
	uint8_t p[64];
	size_t l = 0;
	p[l++] = WIRE_AS_SEQUENCE;
	p[l++] = 3;
	for (uint32_t as = 1; as <= 3; as++, l += 4)
		put32(p + l, as);
	p[l++] = WIRE_AS_SET;
	p[l++] = 2;
	put32(p + l, 4);
	put32(p + l + 4, 5);
	l += 8;
	p[l++] = WIRE_AS_CONFED_SEQUENCE;
	p[l++] = 1;
	put32(p + l, 6);
	l += 4;
	assert_int_equal(attr_aspath_hops(p, l), 4);
	assert_int_equal(attr_aspath_first_as(p, l), 1);
	assert_int_equal(attr_aspath_hops(p, 0), 0);
	assert_int_equal(attr_aspath_first_as(p, 0), 0);
	/* a leading set has no neighbour AS; truncated input stops without overrun */
	assert_int_equal(attr_aspath_first_as(p + 14, l - 14), 0);
	assert_int_equal(attr_aspath_hops(p, 7), 3);
}

static void test_encode_overflow(void **state)
{
	(void)state;
	uint8_t p[64], c[4], small[8];
	struct wire_attrs a;
	mk(&a, p, 65001, 3, 0, c, 1);
	struct attr_buf b = {.data = small, .cap = sizeof(small)};
	assert_false(attr_encode(&a, NULL, 0, &b));
}

int main(void)
{
	rx_rcu_register();
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_intern_dedup, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_table_growth, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_table_model, setup, teardown),
	    cmocka_unit_test(test_aspath_measures),
	    cmocka_unit_test(test_encode_overflow),
	};
	int r = cmocka_run_group_tests_name("attr", tests, NULL, NULL);
	rx_rcu_unregister();
	return r;
}
