/* bench.h: internals of routex-bench, the load generator and convergence harness (issue 7).
 *
 * Layout: gen.c builds the prefix universe and pre-encodes every feeder's UPDATE streams
 * before the clock starts; pset.c is the monitors' prefix set; run.c owns the sockets and the
 * single epoll loop that drives every session through the session core (src/peer); server.c
 * writes a configuration for, starts and stops the route server under test; main.c parses
 * options, runs the scenarios and prints the figures.
 *
 * Threads: one. Every session (feeder or monitor) lives in the one loop, so nothing here is
 * shared between threads. The harness ceiling mode (--server none) measures what that loop
 * can do on its own. */
#ifndef ROUTEX_BENCH_H
#define ROUTEX_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <routex/peer-t.h>
#include <routex/wire-t.h>

#define BENCH_SERVER_AS 65000u
#define BENCH_FEEDER_AS0 4200000001u  /* feeder k has AS BENCH_FEEDER_AS0 + k */
#define BENCH_MONITOR_AS0 4200100001u /* monitor m has AS BENCH_MONITOR_AS0 + m */
#define BENCH_NH_NET 0x0a000000u      /* GoBGP, FRR: feeder k's NEXT_HOP is 10.0.0.0 + k + 1
				       * (they refuse 127/8 next hops) */
#define BENCH_CHUNK (256 * 1024)      /* feeder streams are queued in message-aligned chunks */

/* ---- The prefix universe and the feeds (gen.c) ---- */

/* IPv4 prefixes, sorted by address then length; addr in host order. */
struct universe {
	uint32_t *addr;
	uint8_t *len;
	uint32_t *origin;   /* origin AS per prefix */
	size_t n;
	uint32_t *set_end;  /* attribute sets: set i covers [set_end[i-1], set_end[i]) */
	size_t n_sets;
	char source[256];   /* what it was built from, for the report */
};

/* A pre-encoded byte stream of whole BGP messages, cut in message-aligned chunks. */
struct stream {
	uint8_t *buf;
	size_t len, cap;
	size_t *cut;        /* chunk ends (offsets), ascending, last == len */
	size_t n_cut, cap_cut;
	uint64_t msgs, prefixes;
};

struct feed_params {
	size_t per_feeder;  /* P: prefixes each feeder announces */
	double overlap;     /* 0: disjoint windows, 1: every feeder the same prefixes */
	unsigned feeders;
	uint32_t seed;
};

/* Feeder k announces universe indices [feed_first(k), feed_first(k) + P). */
size_t feed_stride(const struct feed_params *fp);
size_t feed_universe_size(const struct feed_params *fp);

int universe_generate(struct universe *u, size_t n, uint32_t seed);
int universe_load_asprefix(struct universe *u, const char *path, size_t n);
int universe_load_mrt(struct universe *u, const char *path, size_t n);
void universe_make_sets(struct universe *u, double per_set, uint32_t seed);
void universe_free(struct universe *u);

/* Announcements (packed, one attribute block per set) and End-of-RIB, and the matching
 * withdrawals, for feeder k whose next hop is nh (host order). */
void stream_build_announce(struct stream *s, const struct universe *u,
			   const struct feed_params *fp, unsigned k, uint32_t asn, uint32_t nh);
void stream_build_withdraw(struct stream *s, const struct universe *u,
			   const struct feed_params *fp, unsigned k);
void stream_free(struct stream *s);

/* ---- Prefix sets (pset.c) ---- */

/* Bitmap over every prefix up to /24 plus an open-addressing hash set for /25../32. The
 * bitmap keeps each /16 with everything inside it down to /24 in one 64-octet line (511
 * bits), so neighbouring prefixes share a cache line whatever their lengths; /0../15 follow
 * in 8 KB. See pset.c for why. */
#define PSET_BLOCK_WORDS 8                              /* one /16: 512 bits */
#define PSET_SHORT_WORDS ((1u << 16) / 64)              /* /0../15: 2^16 bits */
#define PSET_WORDS ((1u << 16) * PSET_BLOCK_WORDS + PSET_SHORT_WORDS)
struct pset {
	uint64_t *bits;     /* PSET_WORDS, 2 MB aligned (huge pages), zero pages until used */
	void *map;          /* the mapping bits lies in */
	size_t map_len;
	uint64_t *hash;     /* keys addr << 8 | len; 0: empty */
	size_t hash_cap, hash_n;
	size_t count;       /* prefixes held */
};
void pset_init(struct pset *s);
void pset_fini(struct pset *s);
void pset_clear(struct pset *s);
/* Returns true when the set changed. */
bool pset_add(struct pset *s, uint32_t addr, uint8_t len);
bool pset_del(struct pset *s, uint32_t addr, uint8_t len);
bool pset_has(const struct pset *s, uint32_t addr, uint8_t len);
/* Adds (or removes) the IPv4 unicast prefixes of a validated NLRI field; other families
 * are left alone. Returns the number of prefixes in the field. decode: room for
 * PSET_DECODE_MAX prefixes (used for fields with path ids). */
#define PSET_DECODE_MAX WIRE_EXT_MAX_LEN /* a 65535-octet message: at most this many */
size_t pset_apply(struct pset *s, const struct wire_nlri *nl, bool add, struct rx_prefix *decode);
/* The monitors' path: a read batch's prefixes are collected as pending bitmap operations,
 * then applied in one pass that prefetches a few lines ahead. A route server sends its
 * attribute groups in no address order, so nearly every group is a cache miss in the 4 MB
 * bitmap; applied one by one they wait for each other, collected they overlap. /25../32
 * wait too, in a list of their own (lv), applied in order in the same flush: their keys are
 * never in the bitmap, so the order between operations on any one prefix is kept. Path-id
 * fields are applied at once, after a flush of what is pending. Readers of count must
 * flush first. */
struct pset_ops {
	uint32_t *v;        /* bitmap operations (below) */
	size_t n, cap;
	uint64_t *lv;       /* /25../32: addr << 8 | len, PSET_LONG_ADD for an addition */
	size_t ln, lcap;
};
#define PSET_LONG_ADD (1ull << 40)
/* Appends a /25../32 operation (addr's host bits already clear). */
void pset_ops_long(struct pset_ops *o, uint32_t addr, unsigned len, bool add);
/* An operation: the prefix's bit (below), PSET_OP_ADD for an addition. */
#define PSET_OP_ADD 0x80000000u
/* The prefix's bit: for /16../24, the /16's line, then 1 << (len - 16) | the len - 16 bits
 * after the /16, which is (0x10000 | the low 16 bits) >> (32 - len): one shift for both;
 * /0../15 the same in the short region. The bits of addr past len are ignored (shifted
 * out), so callers need not clear host bits first. Any len gives a defined value (the
 * shift is masked) below 2^26, which for len 25..255 means nothing (another prefix's bit,
 * or past the bitmap): the decoder computes it before it has judged the length, and never
 * lets it reach the set (a /25../32's slot becomes a no-op, a bad length declines). */
static inline uint32_t pset_bit(uint32_t addr, unsigned len)
{
	if (__builtin_expect(len >= 16, 1))
		return (addr >> 16) * (PSET_BLOCK_WORDS * 64) +
		       ((0x10000u | (addr & 0xFFFF)) >> ((32 - len) & 31));
	return (1u << 16) * (PSET_BLOCK_WORDS * 64) + (uint32_t)(((1ull << 32) | addr) >> (32 - len));
}
/* Lines prefetched ahead while applying: enough to cover a DRAM miss. */
#define PSET_PREFETCH_AHEAD 16
void pset_ops_grow(struct pset_ops *o, size_t need);
/* Room for more operations at v[n..] (and PSET_PREFETCH_AHEAD past them: pset_flush pads
 * the operations with that many harmless ones so that it can prefetch without a bounds
 * test per operation). Inline: the decoder asks once per UPDATE. */
static inline void pset_ops_reserve(struct pset_ops *o, size_t more)
{
	size_t need = o->n + more + PSET_PREFETCH_AHEAD;
	if (__builtin_expect(need > o->cap, 0))
		pset_ops_grow(o, need);
}
size_t pset_collect(struct pset *s, struct pset_ops *o, const struct wire_nlri *nl, bool add,
		    struct rx_prefix *decode);
void pset_flush(struct pset *s, struct pset_ops *o);
void pset_ops_fini(struct pset_ops *o);

/* ---- The monitors' UPDATE decoder (decode.c) ---- */

/* The NLRI fields of one UPDATE, as wire_update_parse would locate them. */
struct mon_update {
	struct wire_nlri withdrawn, nlri, mp_reach, mp_unreach;
	bool has_mp_reach, has_mp_unreach;
	bool end_of_rib;
	bool collected;     /* the withdrawn and NLRI fields are in ops already */
};
/* Locates and validates the NLRI fields of an UPDATE body without decoding attributes.
 * Returns true only when wire_update_parse would not reset the session for the message
 * (it may treat its routes as withdrawn: the attribute contents are not checked, see
 * decode.c), with the same fields and End-of-RIB verdict; false: let the full parser
 * classify it.
 * ops (may be NULL): the classic IPv4 fields' prefixes are appended to it as pending set
 * operations while they are validated (m->collected), saving the monitor a second walk;
 * nothing is appended when the message is declined, nor when a field holds path ids
 * (pset_collect then). */
bool mon_decode(const uint8_t *body, size_t len, const struct wire_ctx *ctx,
		struct mon_update *m, struct pset_ops *ops);

/* ---- The route server under test (server.c) ---- */

enum server_kind { SRV_NONE, SRV_ROUTEXD, SRV_BIRD, SRV_GOBGP, SRV_FRR, SRV_OPENBGPD };

struct peer_addr {
	uint32_t addr;      /* host order */
	uint32_t asn;
	const char *role;   /* routexd role */
};

struct server {
	enum server_kind kind;
	pid_t pid;
	uint16_t port;
	char dir[256];      /* run folder: config, logs, sockets */
	char bin[512];      /* binary (overrides the default) */
	char ctl[512];      /* routexctl, for the exchange scenario */
	char conf[512];     /* a configuration to use instead of the generated one */
	bool exchange;      /* routexd: route-exchange at start */
	bool transparent;   /* routexd: RFC 7947 mode (rs-client peers) */
};

enum server_kind server_kind_parse(const char *s);
const char *server_kind_name(enum server_kind k);
/* Writes the configuration for every peer and starts the daemon; waits until it listens. */
int server_start(struct server *sv, const struct peer_addr *peers, size_t n);
void server_stop(struct server *sv);
/* utime + stime of every thread, seconds; peak RSS (VmHWM), bytes. -1 when unknown. */
double server_cpu_s(const struct server *sv);
long long server_hwm_bytes(const struct server *sv);
/* routexd only: routexctl exchange on|off. */
int server_exchange(struct server *sv, bool on);

/* ---- Misc ---- */
uint64_t bench_now_ns(void);
void bench_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void bench_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
extern int bench_verbose;
extern volatile pid_t bench_server_pid; /* stopped by bench_die (log.c) */

#endif
