/* test_decode.c: routex-bench's monitor decoder (bench/routex-bench/decode.c) against the
 * codec's full parser, and the monitors' prefix set (pset.c).
 *
 * The decoder's contract: it accepts an UPDATE only when wire_update_parse would not reset
 * the session for it, and then with the same four NLRI fields (same bytes, family, path-id
 * flag and prefix count) and the same End-of-RIB verdict. It does not grade attributes
 * other than MP_REACH / MP_UNREACH, so the parser may treat an accepted UPDATE's routes as
 * withdrawn, but only one that announces something (RFC 7606 5.2). Checked on:
 *   - every UPDATE of real MRT archives as recorded (IPv4 and IPv6, withdrawals, a 2-octet
 *     AS session, routes with AS 0, which the parser treats as withdrawn and the decoder
 *     accepts);
 *   - the re-packed streams routex-bench's feeders send (gen.c), announcements and
 *     withdrawals;
 *   - random well-formed UPDATEs (IPv4 and IPv6, MP_REACH / MP_UNREACH, ADD-PATH, random
 *     optional attributes), which the decoder must all accept;
 *   - random mutations of those (bytes changed, lengths changed, truncation), where it must
 *     never accept what the parser resets on and must stay in bounds (ASan, valgrind);
 *   - by hand, each case the decoder must leave to the parser because the parser resets
 *     (test_resets): declined, and the parser's verdict is indeed a reset, so the monitor's
 *     fallback (run.c: the full parser for every declined message) resets the session. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <routex/compiler.h>
#include <routex/mrt.h>
#include <routex/wire.h>

#include "bench.h"

static struct wire_scratch *scratch;
static struct pset_ops ops;

struct tally {
	size_t accepted, declined, msgs;
	size_t taw; /* accepted, and the parser treats the routes as withdrawn */
};

static bool same_field(const struct wire_nlri *a, const struct wire_nlri *b)
{
	if (a->len != b->len || (a->len && a->data != b->data))
		return false;
	return a->known == b->known && a->afi == b->afi && a->safi == b->safi &&
	       a->addpath == b->addpath && a->count == b->count;
}

/* The contract, for one message. Returns true when the fast decoder accepted it. */
static bool check_one(const uint8_t *body, size_t len, const struct wire_ctx *ctx,
		      struct tally *t)
{
	struct mon_update m, mo;
	struct wire_update u;
	bool fast = mon_decode(body, len, ctx, &m, NULL);
	/* The same with the prefixes written as set operations: the same verdict and fields,
	 * and one operation per classic prefix, or none (declined, path ids, a /25../32). */
	ops.n = 7; /* what an earlier message left pending stays */
	ops.ln = 0;
	bool fast_ops = mon_decode(body, len, ctx, &mo, &ops);
	assert_int_equal(fast, fast_ops);
	if (mo.collected) {
		assert_int_equal(ops.n, 7 + mo.withdrawn.count + mo.nlri.count);
	} else {
		assert_int_equal(ops.n, 7);
		assert_int_equal(ops.ln, 0);
	}
	if (fast) {
		assert_true(same_field(&m.withdrawn, &mo.withdrawn));
		assert_true(same_field(&m.nlri, &mo.nlri));
	}
	enum wire_action a = wire_update_parse(body, len, ctx, &u, scratch);
	t->msgs++;
	if (!fast) {
		t->declined++;
		return false;
	}
	t->accepted++;
	if (a == WIRE_SESSION_RESET)
		fail_msg("fast decoder accepted what the parser resets on (%s, attribute %u)",
			 u.err.reason ? u.err.reason : "?", u.err.attr_type);
	if (a == WIRE_TREAT_AS_WITHDRAW) {
		/* An attribute the decoder leaves alone; never in an UPDATE that announces
		 * nothing, where the parser would reset (RFC 7606 5.2). */
		assert_true(m.nlri.count > 0 || (m.has_mp_reach && m.mp_reach.len > 0));
		t->taw++;
	}
	assert_true(same_field(&m.withdrawn, &u.withdrawn));
	assert_true(same_field(&m.nlri, &u.nlri));
	assert_int_equal(m.has_mp_reach, u.has_mp_reach);
	assert_int_equal(m.has_mp_unreach, u.has_mp_unreach);
	if (u.has_mp_reach)
		assert_true(same_field(&m.mp_reach, &u.mp_reach));
	if (u.has_mp_unreach)
		assert_true(same_field(&m.mp_unreach, &u.mp_unreach));
	assert_int_equal(m.end_of_rib, u.end_of_rib);
	return true;
}

/* ---- Real archives, every UPDATE as recorded ---- */

struct real {
	struct tally t;
	size_t v6_nlri, withdrawn, as0_accepted;
};

static int on_message(void *arg, const struct mrt_message *msg)
{
	struct real *r = arg;
	if (msg->msg_type != WIRE_UPDATE || !msg->body)
		return 0;
	/* The session as the collector had it: 2- or 4-octet AS, ADD-PATH per the subtype. */
	struct wire_ctx ctx = {.as4 = msg->as4, .ebgp = msg->peer.asn != msg->local.asn};
	if (msg->addpath)
		ctx.addpath_rx = RX_FAM_BIT(RX_FAM_IPV4_UNICAST) | RX_FAM_BIT(RX_FAM_IPV6_UNICAST);
	struct wire_update u;
	enum wire_action a = wire_update_parse(msg->body, msg->body_len, &ctx, &u, scratch);
	bool fast = check_one(msg->body, msg->body_len, &ctx, &r->t);
	if (fast) {
		if (u.has_mp_reach && u.mp_reach.afi == RX_AFI_IPV6)
			r->v6_nlri += u.mp_reach.count;
		r->withdrawn += u.withdrawn.count + (u.has_mp_unreach ? u.mp_unreach.count : 0);
		if (a == WIRE_TREAT_AS_WITHDRAW && u.err.reason && strstr(u.err.reason, "AS 0"))
			r->as0_accepted++;
	} else if (a == WIRE_OK) {
		fail_msg("fast decoder declined a message the parser accepts without remark");
	}
	return 0;
}

static struct real walk_file(const char *name)
{
	char path[512], err[256];
	snprintf(path, sizeof(path), "%s/mrt/%s", RX_DATA_DIR, name);
	struct mrt_reader *rd = mrt_open(path, err, sizeof(err));
	if (!rd)
		fail_msg("%s: %s", path, err);
	struct real r = {0};
	struct mrt_handler h = {.message = on_message, .arg = &r};
	mrt_walk(rd, &h, NULL);
	mrt_close(rd);
	return r;
}

static void test_real_ipv4_table(void **state)
{
	(void)state;
	struct real r = walk_file("bgpdump/updates.et-header.2015.gz");
	/* 577,737 announcements in ~89,600 UPDATEs, all well framed: none declined. Four
	 * routes carry AS 0 (RFC 7607): the parser treats them as withdrawn; the decoder does
	 * not read AS paths and accepts them (decode.c: left to the route server). */
	assert_true(r.t.accepted > 89000);
	assert_int_equal(r.t.declined, 0);
	assert_true(r.as0_accepted > 0);
	assert_int_equal(r.t.taw, r.as0_accepted);
}

static void test_real_ipv4_ipv6_withdrawals(void **state)
{
	(void)state;
	struct real r = walk_file("dfz_name_and_shame/rrc23.updates.20220421.0200.gz");
	assert_true(r.t.accepted > 1000);
	assert_true(r.v6_nlri > 0);
	assert_true(r.withdrawn > 0);
	struct real w = walk_file("bgpdump/updates.long_withdrawal.gz"); /* 4,096 in one */
	assert_true(w.withdrawn >= 4096);
	struct real old = walk_file("bgpdump/updates.20070211.0141.gz"); /* 2-octet sessions */
	assert_true(old.t.accepted > 1000);
}

/* ---- The feeders' streams (gen.c) ---- */

static void check_stream(const struct stream *s, const struct wire_ctx *ctx, size_t *nlri,
			 size_t *withdrawn)
{
	struct tally t = {0};
	for (size_t off = 0; off < s->len;) {
		size_t len = wire_get16(s->buf + off + 16);
		const uint8_t *body = s->buf + off + 19;
		struct mon_update m;
		assert_true(check_one(body, len - 19, ctx, &t));
		assert_true(mon_decode(body, len - 19, ctx, &m, NULL));
		*nlri += m.nlri.count;
		*withdrawn += m.withdrawn.count;
		off += len;
	}
	assert_int_equal(t.declined, 0);
}

static void test_feeder_streams(void **state)
{
	(void)state;
	struct universe u;
	assert_int_equal(universe_generate(&u, 50000, 7), 0);
	universe_make_sets(&u, 6.456, 7);
	struct feed_params fp = {.per_feeder = 20000, .overlap = 0.5, .feeders = 2, .seed = 7};
	struct wire_ctx ctx = {.as4 = true, .ebgp = true};
	for (unsigned k = 0; k < fp.feeders; k++) {
		struct stream ann = {0}, wd = {0};
		stream_build_announce(&ann, &u, &fp, k, BENCH_FEEDER_AS0 + k, BENCH_NH_NET + k + 1);
		stream_build_withdraw(&wd, &u, &fp, k);
		size_t n = 0, w = 0;
		check_stream(&ann, &ctx, &n, &w);
		assert_int_equal(n, ann.prefixes);
		n = w = 0;
		check_stream(&wd, &ctx, &n, &w);
		assert_int_equal(w, wd.prefixes);
		stream_free(&ann);
		stream_free(&wd);
	}
	universe_free(&u);
}

/* ---- Random UPDATEs ---- */

static uint64_t rng = 0x2545F4914F6CDD1Dull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

static void rnd_prefix(struct rx_prefix *p, uint8_t afi)
{
	memset(p, 0, sizeof(*p));
	p->afi = afi;
	unsigned max = afi == RX_AFI_IPV4 ? 32 : 128;
	p->len = (uint8_t)(rnd() % 4 ? 8 + rnd() % (max - 7) : rnd() % (max + 1));
	for (unsigned i = 0; i < max / 8; i++)
		p->addr[i] = (uint8_t)rnd();
	rx_prefix_mask(p);
}

/* A random but valid attribute block for a 4-octet external session. */
static size_t rnd_attrs(uint8_t *out, size_t cap)
{
	uint8_t path[2 + 4 * 16], comm[4 * 8], large[12 * 3];
	unsigned hops = 1 + rnd() % 16;
	path[0] = WIRE_AS_SEQUENCE;
	path[1] = (uint8_t)hops;
	for (unsigned i = 0; i < hops; i++)
		wire_put32(path + 2 + 4 * i, 1 + rnd() % 400000);
	struct wire_attrs a = {0};
	a.present = WIRE_ATTR_BIT(WIRE_ATTR_ORIGIN) | WIRE_ATTR_BIT(WIRE_ATTR_AS_PATH) |
		    WIRE_ATTR_BIT(WIRE_ATTR_NEXT_HOP);
	a.origin = (uint8_t)(rnd() % 3);
	a.aspath = path;
	a.aspath_len = (uint16_t)(2 + 4 * hops);
	wire_put32(a.nexthop, 0x0A000001u + rnd() % 1000);
	if (rnd() & 1) {
		a.present |= WIRE_ATTR_BIT(WIRE_ATTR_MED);
		a.med = rnd();
	}
	if (rnd() & 1) {
		unsigned n = 1 + rnd() % 8;
		for (unsigned i = 0; i < 4 * n; i++)
			comm[i] = (uint8_t)rnd();
		a.present |= WIRE_ATTR_BIT(WIRE_ATTR_COMMUNITIES);
		a.communities = comm;
		a.communities_len = (uint16_t)(4 * n);
	}
	if (rnd() % 4 == 0) {
		unsigned n = 1 + rnd() % 3;
		for (unsigned i = 0; i < 12 * n; i++)
			large[i] = (uint8_t)rnd();
		a.present |= WIRE_ATTR_BIT(WIRE_ATTR_LARGE_COMMUNITIES);
		a.large_communities = large;
		a.large_communities_len = (uint16_t)(12 * n);
	}
	struct wire_ctx ctx = {.as4 = true, .ebgp = true};
	size_t n = wire_attrs_encode(&a, &ctx, out, cap);
	assert_true(n > 0);
	/* Sometimes an unknown optional transitive attribute, which the parser keeps. */
	if (rnd() % 4 == 0 && n + 3 + 8 <= cap) {
		out[n] = WIRE_AF_OPTIONAL | WIRE_AF_TRANSITIVE;
		out[n + 1] = (uint8_t)(200 + rnd() % 50);
		out[n + 2] = 8;
		for (unsigned i = 0; i < 8; i++)
			out[n + 3 + i] = (uint8_t)rnd();
		n += 11;
	}
	return n;
}

/* One random well-formed UPDATE (whole message); returns its length. */
static size_t rnd_update(uint8_t *msg, bool *addpath_out)
{
	static const uint8_t nh6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	uint8_t attrs[512];
	bool v6 = rnd() & 1, withdraw = rnd() % 3 == 0, addpath = rnd() % 5 == 0;
	enum rx_family fam = v6 ? RX_FAM_IPV6_UNICAST : RX_FAM_IPV4_UNICAST;
	size_t alen = withdraw ? 0 : rnd_attrs(attrs, sizeof(attrs));
	struct wire_update_builder b;
	wire_update_begin(&b, msg, WIRE_MAX_LEN, fam, withdraw, addpath, withdraw ? NULL : attrs,
			  alen, v6 ? nh6 : NULL, v6 ? 16 : 0);
	unsigned n = rnd() % 3 == 0 ? 1 + rnd() % 400 : 1 + rnd() % 8;
	struct rx_prefix p;
	for (unsigned i = 0; i < n; i++) {
		rnd_prefix(&p, v6 ? RX_AFI_IPV6 : RX_AFI_IPV4);
		if (!wire_update_add(&b, &p, rnd()))
			break;
	}
	*addpath_out = addpath;
	return wire_update_finish(&b);
}

static void test_random_updates(void **state)
{
	(void)state;
	uint8_t msg[WIRE_MAX_LEN];
	struct tally t = {0};
	size_t eor = 0;
	for (unsigned i = 0; i < 20000; i++) {
		bool ap;
		size_t len = rnd_update(msg, &ap);
		assert_true(len > 19);
		struct wire_ctx ctx = {.as4 = true, .ebgp = true};
		if (ap)
			ctx.addpath_rx = RX_FAM_BIT(RX_FAM_IPV4_UNICAST) |
					 RX_FAM_BIT(RX_FAM_IPV6_UNICAST);
		if (!check_one(msg + 19, len - 19, &ctx, &t))
			fail_msg("message %u declined", i);
	}
	/* End-of-RIB markers of both families. */
	struct wire_ctx ctx = {.as4 = true, .ebgp = true};
	for (int f = RX_FAM_IPV4_UNICAST; f <= RX_FAM_IPV6_UNICAST; f++) {
		size_t len = wire_eor_encode(msg, sizeof(msg), (enum rx_family)f);
		struct mon_update m;
		assert_true(check_one(msg + 19, len - 19, &ctx, &t));
		assert_true(mon_decode(msg + 19, len - 19, &ctx, &m, NULL));
		eor += m.end_of_rib;
	}
	assert_int_equal(eor, 2);
	assert_int_equal(t.declined, 0);
}

/* ---- Mutations ---- */

static void test_mutations(void **state)
{
	(void)state;
	uint8_t msg[WIRE_MAX_LEN], bad[WIRE_MAX_LEN];
	struct tally t = {0};
	for (unsigned i = 0; i < 200000; i++) {
		bool ap;
		size_t len = rnd_update(msg, &ap) - 19;
		memcpy(bad, msg + 19, len);
		struct wire_ctx ctx = {.as4 = rnd() % 4 != 0, .ebgp = rnd() % 4 != 0};
		if (ap != (rnd() % 8 == 0)) /* mostly the right ADD-PATH state, sometimes not */
			ctx.addpath_rx = RX_FAM_BIT(RX_FAM_IPV4_UNICAST) |
					 RX_FAM_BIT(RX_FAM_IPV6_UNICAST);
		unsigned edits = 1 + rnd() % 3;
		for (unsigned e = 0; e < edits; e++) {
			switch (rnd() % 4) {
			case 0: /* any byte */
				bad[rnd() % len] = (uint8_t)rnd();
				break;
			case 1: /* a byte near the front: lengths, flags, types */
				bad[rnd() % (len < 64 ? len : 64)] ^= (uint8_t)(1u << (rnd() % 8));
				break;
			case 2: /* truncated */
				len = rnd() % len;
				break;
			default: /* off by one in the attribute block length */
				if (len >= 4 && wire_get16(bad) + 4u <= len) {
					uint8_t *al = bad + 2 + wire_get16(bad);
					int d = rnd() & 1 ? 1 : -1;
					wire_put16(al, (uint16_t)(wire_get16(al) + d));
				}
				break;
			}
			if (!len)
				break;
		}
		/* A copy of exactly len bytes, so that ASan sees any read past the message. */
		uint8_t *exact = malloc(len ? len : 1);
		memcpy(exact, bad, len);
		check_one(exact, len, &ctx, &t);
		free(exact);
	}
	/* Both outcomes happened, so the check above was exercised both ways. */
	assert_true(t.accepted > 1000);
	assert_true(t.declined > 1000);
}

/* ---- Hand-made cases ---- */

/* An UPDATE body: withdrawn routes wd, then (when base) ORIGIN IGP, AS_PATH 65000 and
 * NEXT_HOP 10.0.0.1 for a 4-octet session, then the attributes extra, then the NLRI. */
static size_t body_of(uint8_t *out, const uint8_t *wd, size_t wl, bool base,
		      const uint8_t *extra, size_t el, const uint8_t *nlri, size_t nl)
{
	static const uint8_t head[] = {0x40, 1, 1, 0,                      /* ORIGIN */
				       0x40, 2, 6, 2, 1, 0, 0, 0xFD, 0xE8, /* AS_PATH */
				       0x40, 3, 4, 10, 0, 0, 1};           /* NEXT_HOP */
	size_t n = 0, hl = base ? sizeof(head) : 0;
	wire_put16(out, (uint16_t)wl);
	if (wl) /* memcpy from NULL is undefined even for 0 octets */
		memcpy(out + 2, wd, wl);
	n = 2 + wl;
	wire_put16(out + n, (uint16_t)(hl + el));
	n += 2;
	memcpy(out + n, head, hl);
	n += hl;
	if (el)
		memcpy(out + n, extra, el);
	n += el;
	if (nl)
		memcpy(out + n, nlri, nl);
	return n + nl;
}

static const uint8_t nlri24[] = {24, 10, 1, 2}; /* 10.1.2.0/24 */
static const uint8_t wd8[] = {8, 10};           /* 10.0.0.0/8 */
/* MP_REACH_NLRI for IPv6 unicast, next hop 2001:db8::1, 2001:db8::/32; flags at [0]. */
#define MP6(flags) flags, 14, 26, 0, 2, 1, 16, 0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, \
		   0, 0, 0, 1, 0, 32, 0x20, 1, 0x0d, 0xb8
/* MP_UNREACH_NLRI for IPv6 unicast withdrawing 2001:db8::/32. */
#define MPU6(flags) flags, 15, 8, 0, 2, 1, 32, 0x20, 1, 0x0d, 0xb8

/* Must the decoder decline body (b, n), and what does the parser make of it? */
static enum wire_action declined(const uint8_t *b, size_t n)
{
	struct wire_ctx ctx = {.as4 = true, .ebgp = true};
	struct tally t = {0};
	uint8_t *exact = malloc(n ? n : 1); /* exactly n octets: ASan sees any overread */
	memcpy(exact, b, n);
	bool fast = check_one(exact, n, &ctx, &t);
	struct wire_update u;
	enum wire_action a = wire_update_parse(exact, n, &ctx, &u, scratch);
	free(exact);
	if (fast)
		fail_msg("accepted, parser action %d", a);
	return a;
}

/* What the decoder must leave to the parser because the parser resets the session: each
 * is declined, and the parser's verdict is a reset, which the monitor's fallback (run.c,
 * ev_update through the session core) then carries out. Each case is an UPDATE that would
 * be accepted without the one fault, so that it is that check which declines it. */
static void test_resets(void **state)
{
	(void)state;
	uint8_t b[512];
	struct wire_ctx ctx = {.as4 = true, .ebgp = true};
	struct mon_update m;
	static const uint8_t mp6[] = {MP6(0x80)}, mpu6[] = {MPU6(0x80)};
	/* The baselines: accepted. */
	assert_true(mon_decode(b, body_of(b, NULL, 0, true, NULL, 0, nlri24, 4), &ctx, &m, NULL));
	assert_true(mon_decode(b, body_of(b, NULL, 0, true, mp6, sizeof(mp6), NULL, 0), &ctx, &m,
			       NULL));
	assert_int_equal(m.mp_reach.count, 1);
	assert_true(mon_decode(b, body_of(b, NULL, 0, false, mpu6, sizeof(mpu6), NULL, 0), &ctx,
			       &m, NULL));
	assert_int_equal(m.mp_unreach.count, 1);
	/* Flags with the extended-length or partial bits are still optional non-transitive. */
	static const uint8_t mp6x[] = {0x90, 14, 0, 26, 0, 2, 1, 16, 0x20, 1, 0x0d, 0xb8, 0, 0,
				       0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 32, 0x20, 1, 0x0d, 0xb8};
	assert_true(mon_decode(b, body_of(b, NULL, 0, true, mp6x, sizeof(mp6x), NULL, 0), &ctx,
			       &m, NULL));

	/* RFC 4271 6.3: an unrecognized well-known attribute (type 99, flags 0x40). */
	static const uint8_t wk[] = {0x40, 99, 1, 0};
	assert_int_equal(declined(b, body_of(b, NULL, 0, true, wk, 4, nlri24, 4)),
			 WIRE_SESSION_RESET);
	/* The MP attributes' flags: optional non-transitive, else a reset. */
	static const uint8_t mp6_t[] = {MP6(0xC0)}, mp6_wk[] = {MP6(0x40)}, mpu6_t[] = {MPU6(0xC0)};
	assert_int_equal(declined(b, body_of(b, NULL, 0, true, mp6_t, sizeof(mp6_t), NULL, 0)),
			 WIRE_SESSION_RESET);
	assert_int_equal(declined(b, body_of(b, NULL, 0, true, mp6_wk, sizeof(mp6_wk), NULL, 0)),
			 WIRE_SESSION_RESET);
	assert_int_equal(declined(b, body_of(b, NULL, 0, false, mpu6_t, sizeof(mpu6_t), NULL, 0)),
			 WIRE_SESSION_RESET);
	/* RFC 7606 3.g: a second MP_REACH. */
	static const uint8_t mp6_2[] = {MP6(0x80), MP6(0x80)};
	assert_int_equal(declined(b, body_of(b, NULL, 0, true, mp6_2, sizeof(mp6_2), NULL, 0)),
			 WIRE_SESSION_RESET);
	/* RFC 7606 7.11: an IPv6 next hop of 15 octets (the attribute shortened to match). */
	uint8_t mp6_nh[sizeof(mp6)];
	memcpy(mp6_nh, mp6, sizeof(mp6));
	mp6_nh[2] = 25;
	mp6_nh[6] = 15;
	memmove(mp6_nh + 3 + 4 + 15, mp6 + 3 + 4 + 16, sizeof(mp6) - 3 - 4 - 16);
	assert_int_equal(declined(b, body_of(b, NULL, 0, true, mp6_nh, sizeof(mp6) - 1, NULL, 0)),
			 WIRE_SESSION_RESET);
	/* RFC 7606 5.3: an MP_REACH prefix of /129, an MP_UNREACH prefix past its field. */
	uint8_t mp6_129[sizeof(mp6)], mpu6_over[sizeof(mpu6)];
	memcpy(mp6_129, mp6, sizeof(mp6));
	mp6_129[sizeof(mp6) - 5] = 129;
	assert_int_equal(declined(b, body_of(b, NULL, 0, true, mp6_129, sizeof(mp6), NULL, 0)),
			 WIRE_SESSION_RESET);
	memcpy(mpu6_over, mpu6, sizeof(mpu6));
	mpu6_over[sizeof(mpu6) - 5] = 48;
	assert_int_equal(declined(b, body_of(b, NULL, 0, false, mpu6_over, sizeof(mpu6), NULL, 0)),
			 WIRE_SESSION_RESET);
	/* RFC 7606 5.2: a withdrawal whose attributes (not read by the decoder) are bad: an
	 * ORIGIN of value 7, an ORIGIN of 2 octets, a header cut short after a good one. */
	static const uint8_t origin7[] = {0x40, 1, 1, 7}, origin2[] = {0x40, 1, 2, 0, 0},
			     cut[] = {0x40, 1, 1, 0, 0x50, 2};
	assert_int_equal(declined(b, body_of(b, wd8, 2, false, origin7, 4, NULL, 0)),
			 WIRE_SESSION_RESET);
	assert_int_equal(declined(b, body_of(b, wd8, 2, false, origin2, 5, NULL, 0)),
			 WIRE_SESSION_RESET);
	assert_int_equal(declined(b, body_of(b, wd8, 2, false, cut, 6, NULL, 0)),
			 WIRE_SESSION_RESET);
	/* RFC 7606 3.j, 5.3: classic fields: a /33, a withdrawn /24 past its field, the NLRI's
	 * last prefix cut short. */
	static const uint8_t p33[] = {33, 10, 0, 0, 0, 0}, wd_over[] = {24, 10, 0};
	assert_int_equal(declined(b, body_of(b, NULL, 0, true, NULL, 0, p33, 6)),
			 WIRE_SESSION_RESET);
	assert_int_equal(declined(b, body_of(b, wd_over, 3, false, NULL, 0, NULL, 0)),
			 WIRE_SESSION_RESET);
	assert_int_equal(declined(b, body_of(b, NULL, 0, true, NULL, 0, nlri24, 3)),
			 WIRE_SESSION_RESET);
	/* RFC 7606 3.b: lengths that do not add up. */
	size_t n = body_of(b, NULL, 0, true, NULL, 0, nlri24, 4);
	assert_int_equal(declined(b, 3), WIRE_SESSION_RESET);
	wire_put16(b, 40); /* withdrawn routes past the message */
	assert_int_equal(declined(b, n), WIRE_SESSION_RESET);
	n = body_of(b, NULL, 0, true, NULL, 0, nlri24, 4);
	wire_put16(b + 2, (uint16_t)(n)); /* attributes past the message */
	assert_int_equal(declined(b, n), WIRE_SESSION_RESET);
}

/* Malformed attributes that do not reset: an attribute past the block (the last value
 * cut, or its header), which the parser treats as withdraw: declined all the same, since
 * without the block's framing the fast path cannot vouch for anything. */
static void test_truncated_attrs(void **state)
{
	(void)state;
	uint8_t b[512];
	/* A COMMUNITIES attribute whose length says 8, with 4 octets left in the block. */
	static const uint8_t comm[] = {0xC0, 8, 8, 0, 1, 0, 2};
	/* An extended-length header with 3 of its 4 octets, and a 3-octet header alone. */
	static const uint8_t ext3[] = {0xD0, 8, 0}, hdr2[] = {0xC0, 8};
	enum wire_action a = declined(b, body_of(b, NULL, 0, true, comm, 7, nlri24, 4));
	assert_true(a == WIRE_TREAT_AS_WITHDRAW || a == WIRE_SESSION_RESET);
	a = declined(b, body_of(b, NULL, 0, true, ext3, 3, nlri24, 4));
	assert_true(a == WIRE_TREAT_AS_WITHDRAW || a == WIRE_SESSION_RESET);
	a = declined(b, body_of(b, NULL, 0, true, hdr2, 2, nlri24, 4));
	assert_true(a == WIRE_TREAT_AS_WITHDRAW || a == WIRE_SESSION_RESET);
	/* The same cut at the very end of the message (no NLRI after it): no read past it. */
	a = declined(b, body_of(b, NULL, 0, true, ext3, 3, NULL, 0));
	assert_true(a >= WIRE_TREAT_AS_WITHDRAW);
}

/* What the decoder leaves alone (decode.c): attribute contents. Accepted, with the NLRI
 * counted as announced, where the parser treats the routes as withdrawn; the last case is
 * a 3-octet attribute closing the block (ATOMIC_AGGREGATE), read without going past it. */
static void test_left_to_the_server(void **state)
{
	(void)state;
	uint8_t b[512];
	struct wire_ctx ctx = {.as4 = true, .ebgp = true};
	struct wire_update u;
	struct mon_update m;
	static const uint8_t origin7[] = {0x40, 1, 1, 7},
			     as0[] = {0x40, 1, 1, 0, 0x40, 2, 6, 2, 1, 0, 0, 0, 0},
			     med_wk[] = {0x40, 4, 4, 0, 0, 0, 1}, comm3[] = {0xC0, 8, 3, 0, 0, 1},
			     atomic[] = {0x40, 6, 0};
	const struct {
		const uint8_t *a;
		size_t n;
		bool base;
	} cases[] = {
		{origin7, sizeof(origin7), false}, /* and AS_PATH, NEXT_HOP missing */
		{as0, sizeof(as0), false},         /* AS 0 (RFC 7607) */
		{NULL, 0, false},                  /* no attributes at all */
		{med_wk, sizeof(med_wk), true},    /* MED flagged well-known */
		{comm3, sizeof(comm3), true},      /* COMMUNITIES of 3 octets */
	};
	for (size_t i = 0; i < RX_ARRAY_LEN(cases); i++) {
		size_t n = body_of(b, NULL, 0, cases[i].base, cases[i].a, cases[i].n, nlri24, 4);
		struct tally t = {0};
		assert_true(check_one(b, n, &ctx, &t));
		assert_int_equal(t.taw, 1);
		assert_true(mon_decode(b, n, &ctx, &m, NULL));
		assert_int_equal(m.nlri.count, 1);
		assert_int_equal(wire_update_parse(b, n, &ctx, &u, scratch),
				 WIRE_TREAT_AS_WITHDRAW);
	}
	uint8_t *exact = malloc(64);
	size_t n = body_of(b, NULL, 0, true, atomic, 3, NULL, 0);
	memcpy(exact, b, n);
	struct tally t = {0};
	assert_false(check_one(exact, n, &ctx, &t)); /* announces nothing: 5.2, declined */
	n = body_of(b, NULL, 0, true, atomic, 3, nlri24, 4);
	memcpy(exact, b, n);
	assert_true(check_one(exact, n, &ctx, &t));
	free(exact);
}

/* Hand-made cases from before: withdrawals, End-of-RIB, IPv6 next hops. */
static void test_declines(void **state)
{
	(void)state;
	struct wire_ctx ctx = {.as4 = true, .ebgp = true};
	struct mon_update m;
	/* Withdrawal of 10.0.0.0/8 accepted; bare UPDATE is IPv4 End-of-RIB. */
	const uint8_t wd[] = {0, 2, 8, 10, 0, 0};
	assert_true(mon_decode(wd, sizeof(wd), &ctx, &m, NULL));
	assert_int_equal(m.withdrawn.count, 1);
	const uint8_t eor[] = {0, 0, 0, 0};
	assert_true(mon_decode(eor, sizeof(eor), &ctx, &m, NULL));
	assert_true(m.end_of_rib);
	/* Too short to hold the two lengths. */
	assert_false(mon_decode(eor, 3, &ctx, &m, NULL));
	/* Two MP_UNREACH attributes (RFC 7606 3.g: a reset); one alone is an IPv6 End-of-RIB. */
	const uint8_t dup[] = {0, 0, 0, 12, 0x80, 15, 3, 0, 2, 1, 0x80, 15, 3, 0, 2, 1};
	assert_false(mon_decode(dup, sizeof(dup), &ctx, &m, NULL));
	assert_true(mon_decode(dup, 10, &ctx, &m, NULL) == false); /* attribute length says 12 */
	const uint8_t eor6[] = {0, 0, 0, 6, 0x80, 15, 3, 0, 2, 1};
	assert_true(mon_decode(eor6, sizeof(eor6), &ctx, &m, NULL));
	assert_true(m.end_of_rib);
	/* An empty MP_UNREACH beside another attribute: no End-of-RIB for the parser, and the
	 * decoder leaves it to the parser (it announces nothing). */
	const uint8_t eor6_more[] = {0, 0, 0, 10, 0x80, 15, 3, 0, 2, 1, 0x40, 1, 1, 0};
	assert_false(mon_decode(eor6_more, sizeof(eor6_more), &ctx, &m, NULL));
	/* IPv6 routes whose next hop is link-local or unspecified (RFC 2545 3): the parser
	 * treats them as withdrawn; the decoder reads MP_REACH in full and declines them; a
	 * global one passes. */
	static const uint8_t nh[3][16] = {
		{0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
		{0},
		{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
	};
	uint8_t attrs[512], msg[WIRE_MAX_LEN];
	size_t alen = rnd_attrs(attrs, sizeof(attrs));
	for (int i = 0; i < 3; i++) {
		struct wire_update_builder b;
		struct rx_prefix p;
		rnd_prefix(&p, RX_AFI_IPV6);
		wire_update_begin(&b, msg, sizeof(msg), RX_FAM_IPV6_UNICAST, false, false, attrs,
				  alen, nh[i], 16);
		assert_true(wire_update_add(&b, &p, 0));
		size_t len = wire_update_finish(&b);
		struct tally t = {0};
		assert_int_equal(check_one(msg + 19, len - 19, &ctx, &t), i == 2);
	}
}

/* ---- The prefix set ---- */

static void test_pset(void **state)
{
	(void)state;
	struct pset s;
	pset_init(&s);
	/* Every prefix of /0../15 and every prefix of two /16s down to /24 (and some longer)
	 * maps to a bit of its own: the count is exact. */
	size_t n = 0;
	for (unsigned len = 0; len < 16; len++)
		for (uint32_t i = 0; i < (1u << len); i++, n++)
			assert_true(pset_add(&s, len ? i << (32 - len) : 0, (uint8_t)len));
	static const uint32_t blocks[] = {0x0A000000u, 0xC0A80000u};
	for (unsigned b = 0; b < 2; b++)
		for (unsigned len = 16; len <= 26; len++)
			for (uint32_t i = 0; i < (1u << (len - 16)); i++, n++)
				assert_true(pset_add(&s, blocks[b] | i << (32 - len), (uint8_t)len));
	assert_int_equal(s.count, n);
	assert_false(pset_add(&s, 0x0A000000u, 24));     /* again: no change */
	assert_true(pset_has(&s, 0xC0A8FF00u, 24));
	assert_false(pset_has(&s, 0xC0A90000u, 16));     /* the next /16 */
	assert_false(pset_has(&s, 0x0A000000u, 27));
	assert_true(pset_del(&s, 0xC0A8FFC0u, 26));
	assert_false(pset_del(&s, 0xC0A8FFC0u, 26));
	assert_true(pset_del(&s, 0, 0));
	assert_int_equal(s.count, n - 2);
	pset_clear(&s);
	assert_int_equal(s.count, 0);
	assert_false(pset_has(&s, 0x0A000000u, 16));
	pset_fini(&s);
}

/* The monitors' set paths against a reference: random fields added and removed, count
 * and membership checked. s: operations written by the decoder (/25../32 diverted to their
 * own list), one flush per message; s3: pset_collect's path (what a field the decoder did
 * not collect takes); s4: the decoder's, flushed only after each withdrawal, so that an
 * announcement and its withdrawal wait in one batch and must apply in order; s2: each prefix
 * applied at once. */
static void test_pset_apply(void **state)
{
	(void)state;
	struct pset s, s2, s3, s4;
	pset_init(&s);
	pset_init(&s2);
	pset_init(&s3);
	pset_init(&s4);
	struct rx_prefix *dec = malloc(PSET_DECODE_MAX * sizeof(*dec));
	uint8_t msg[WIRE_MAX_LEN];
	struct wire_ctx ctx = {.as4 = true, .ebgp = true};
	struct rx_prefix keep[300];
	unsigned nk = 0;
	size_t collected = 0, longs = 0;
	struct pset_ops o4 = {0};
	for (unsigned round = 0; round < 4; round++) {
		/* Even rounds announce 300 random IPv4 prefixes, odd ones withdraw them; rounds
		 * 2 and 3 only up to /24. */
		bool wd = round & 1;
		struct wire_update_builder b;
		uint8_t attrs[512];
		size_t alen = wd ? 0 : rnd_attrs(attrs, sizeof(attrs));
		wire_update_begin(&b, msg, WIRE_MAX_LEN, RX_FAM_IPV4_UNICAST, wd, false,
				  wd ? NULL : attrs, alen, NULL, 0);
		if (!wd)
			nk = 0;
		for (unsigned i = 0; i < 300; i++) {
			if (!wd) {
				do
					rnd_prefix(&keep[nk], RX_AFI_IPV4);
				while (round == 2 && keep[nk].len > 24);
				longs += keep[nk].len > 24;
				nk++;
			}
			if (!wire_update_add(&b, &keep[i], 0))
				fail_msg("300 prefixes do not fit");
		}
		size_t len = wire_update_finish(&b);
		struct mon_update m;
		struct pset_ops o = {0};
		assert_true(mon_decode(msg + 19, len - 19, &ctx, &m, &o));
		collected += m.collected;
		pset_flush(&s, &o);
		pset_ops_fini(&o);
		assert_true(mon_decode(msg + 19, len - 19, &ctx, &m, NULL));
		pset_collect(&s3, &o, &m.withdrawn, false, dec);
		pset_collect(&s3, &o, &m.nlri, true, dec);
		pset_flush(&s3, &o);
		pset_ops_fini(&o);
		assert_true(mon_decode(msg + 19, len - 19, &ctx, &m, &o4));
		if (wd)
			pset_flush(&s4, &o4);
		pset_apply(&s2, &m.nlri, true, dec);
		pset_apply(&s2, &m.withdrawn, false, dec);
		assert_int_equal(s.count, s2.count);
		assert_int_equal(s3.count, s2.count);
		size_t distinct = 0;
		for (unsigned i = 0; i < nk; i++) {
			bool dup = false;
			for (unsigned j = 0; j < i && !dup; j++)
				dup = !rx_prefix_cmp(&keep[i], &keep[j]);
			distinct += !dup;
			uint32_t a = wire_get32(keep[i].addr);
			assert_int_equal(pset_has(&s, a, keep[i].len), !wd);
			assert_int_equal(pset_has(&s2, a, keep[i].len), !wd);
			assert_int_equal(pset_has(&s3, a, keep[i].len), !wd);
			if (wd)
				assert_false(pset_has(&s4, a, keep[i].len));
		}
		assert_int_equal(s.count, wd ? 0 : distinct);
		if (wd)
			assert_int_equal(s4.count, 0);
	}
	assert_int_equal(collected, 4); /* /25../32 included: the decoder's own path */
	assert_true(longs > 0);
	free(dec);
	pset_ops_fini(&o4);
	pset_fini(&s);
	pset_fini(&s2);
	pset_fini(&s3);
	pset_fini(&s4);
}

int main(void)
{
	scratch = malloc(sizeof(*scratch));
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_declines),
		cmocka_unit_test(test_resets),
		cmocka_unit_test(test_truncated_attrs),
		cmocka_unit_test(test_left_to_the_server),
		cmocka_unit_test(test_random_updates),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_feeder_streams),
		cmocka_unit_test(test_real_ipv4_table),
		cmocka_unit_test(test_real_ipv4_ipv6_withdrawals),
		cmocka_unit_test(test_pset),
		cmocka_unit_test(test_pset_apply),
	};
	pset_ops_reserve(&ops, 8);
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	free(scratch);
	pset_ops_fini(&ops);
	return rc;
}
