/* test_bmp.c: the BMP encoders against byte layouts written out by hand from RFC 7854 4
 * (common header, per-peer header and its V/L/A flags, Initiation, Termination, Peer Up with
 * both OPENs, Peer Down, Route Monitoring, Statistics Report) and RFC 9069 (Loc-RIB peer
 * type 3, the F flag, the VRF/Table Name TLV); then the runtime against a collector this
 * test runs on a loopback socket: Initiation first, Peer Ups, the table dump and End-of-RIB,
 * live Route Monitoring and Loc-RIB changes, a reconnect getting the full state again, and
 * a collector that reads nothing (drop, count, reset, resync). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <routex/bmp.h>
#include <routex/rib.h>
#include <routex/wire.h>

static void expect_bytes(const uint8_t *got, size_t got_len, const uint8_t *want, size_t want_len)
{
	assert_int_equal(got_len, want_len);
	assert_memory_equal(got, want, want_len);
}

/* ---- encoders ---- */

static void test_common_header(void **state)
{
	uint8_t buf[8];
	/* RFC 7854 4.1: version 3, 4-octet length, type. */
	static const uint8_t want[] = {0x03, 0x01, 0x02, 0x03, 0x04, 0x04};
	expect_bytes(buf, bmp_common_put(buf, sizeof(buf), BMP_INITIATION, 0x01020304), want,
		     sizeof(want));
	assert_int_equal(bmp_common_put(buf, 5, 0, 6), 0);
}

/* A per-peer header for IPv4 peer 192.0.2.1, AS 65001, with the A flag (2-octet AS_PATH). */
static const struct bmp_peer_hdr HDR4 = {
    .type = BMP_PEER_GLOBAL, .flags = BMP_F_A,
    .addr = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 192, 0, 2, 1},
    .asn = 65001, .bgp_id = 0xc0000201, .ts_sec = 0x61000000, .ts_usec = 500000};
static const uint8_t HDR4_BYTES[] = {
    0x00,			    /* peer type: global instance */
    0x20,			    /* flags: A */
    0, 0, 0, 0, 0, 0, 0, 0,	    /* peer distinguisher */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 192, 0, 2, 1, /* IPv4 in the last four octets */
    0x00, 0x00, 0xfd, 0xe9,	    /* peer AS 65001 */
    0xc0, 0x00, 0x02, 0x01,	    /* peer BGP ID */
    0x61, 0x00, 0x00, 0x00,	    /* timestamp, seconds */
    0x00, 0x07, 0xa1, 0x20,	    /* microseconds: 500000 */
};

static void test_peer_header(void **state)
{
	uint8_t buf[64];
	expect_bytes(buf, bmp_peer_hdr_put(buf, sizeof(buf), &HDR4), HDR4_BYTES, sizeof(HDR4_BYTES));
	assert_int_equal(bmp_peer_hdr_put(buf, 41, &HDR4), 0);
	struct bmp_peer_hdr back;
	bmp_peer_hdr_get(HDR4_BYTES, &back);
	assert_int_equal(back.type, HDR4.type);
	assert_int_equal(back.flags, HDR4.flags);
	assert_true(back.distinguisher == 0);
	assert_memory_equal(back.addr, HDR4.addr, 16);
	assert_int_equal(back.asn, HDR4.asn);
	assert_int_equal(back.bgp_id, HDR4.bgp_id);
	assert_int_equal(back.ts_sec, HDR4.ts_sec);
	assert_int_equal(back.ts_usec, HDR4.ts_usec);

	/* IPv6 peer 2001:db8::1, post-policy: V and L set, A clear. */
	struct bmp_peer_hdr h6 = {.type = BMP_PEER_GLOBAL, .flags = BMP_F_V | BMP_F_L,
				  .addr = {0x20, 0x01, 0x0d, 0xb8, [15] = 1}, .asn = 4200000000u,
				  .bgp_id = 0x0a000001};
	assert_int_equal(bmp_peer_hdr_put(buf, sizeof(buf), &h6), 42);
	assert_int_equal(buf[1], 0xc0);
	static const uint8_t addr6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
					  0,	0,    0,    0,	  0, 0, 0, 1};
	assert_memory_equal(buf + 10, addr6, 16);
	static const uint8_t as4[4] = {0xfa, 0x56, 0xea, 0x00}; /* 4200000000 */
	assert_memory_equal(buf + 26, as4, 4);
}

static void test_loc_rib_header(void **state)
{
	/* RFC 9069 4.1: peer type 3, F flag (filtered) in the top bit, the distinguisher of the
	 * table (here an RD 65001:100), zero address, the instance's AS and BGP ID. */
	struct bmp_peer_hdr h = {.type = BMP_PEER_LOC_RIB, .flags = BMP_F_F,
				 .distinguisher = 0x0000fde900000064ull, .asn = 65515,
				 .bgp_id = 0x0aff0001, .ts_sec = 1, .ts_usec = 2};
	static const uint8_t want[] = {
	    0x03, 0x80, 0x00, 0x00, 0xfd, 0xe9, 0x00, 0x00, 0x00, 0x64, /* type, F, RD */
	    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,		 /* no address */
	    0x00, 0x00, 0xff, 0xeb,					 /* AS 65515 */
	    0x0a, 0xff, 0x00, 0x01,					 /* 10.255.0.1 */
	    0, 0, 0, 1, 0, 0, 0, 2};
	uint8_t buf[64];
	expect_bytes(buf, bmp_peer_hdr_put(buf, sizeof(buf), &h), want, sizeof(want));
}

static void test_initiation(void **state)
{
	/* RFC 7854 4.3: TLVs type 1 (sysDescr) and 2 (sysName), no NUL. */
	static const uint8_t want[] = {0x03, 0, 0, 0, 17, 0x04,		   /* common header */
				       0, 1, 0, 1, 'd',			   /* sysDescr */
				       0, 2, 0, 2, 'r', 'x'};		   /* sysName */
	uint8_t buf[64];
	expect_bytes(buf, bmp_initiation_encode(buf, sizeof(buf), "rx", "d"), want, sizeof(want));
	assert_int_equal(bmp_initiation_encode(buf, 16, "rx", "d"), 0);
}

static void test_termination(void **state)
{
	/* RFC 7854 4.5: a string TLV (type 0) and the reason TLV (type 1, 2 octets). */
	static const uint8_t want[] = {0x03, 0, 0, 0, 19, 0x05, 0, 0, 0, 3, 'b', 'y', 'e',
				       0,    1, 0, 2, 0, 2};
	uint8_t buf[64];
	expect_bytes(buf, bmp_termination_encode(buf, sizeof(buf), BMP_TERM_OUT_OF_RESOURCES, "bye"),
		     want, sizeof(want));
	static const uint8_t bare[] = {0x03, 0, 0, 0, 12, 0x05, 0, 1, 0, 2, 0, 0};
	expect_bytes(buf, bmp_termination_encode(buf, sizeof(buf), BMP_TERM_ADMIN_CLOSE, NULL), bare,
		     sizeof(bare));
}

/* A minimal OPEN: AS 65001, hold 180, id 192.0.2.1, no optional parameters (29 octets). */
static const uint8_t OPEN[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			       0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x1d, 0x01, 0x04,
			       0xfd, 0xe9, 0x00, 0xb4, 0xc0, 0x00, 0x02, 0x01, 0x00};

static void test_peer_up(void **state)
{
	uint8_t buf[256], want[256];
	static const uint8_t local[16] = {[12] = 192, 0, 2, 254};
	size_t n = bmp_peer_up_encode(buf, sizeof(buf), &HDR4, local, 179, 40000, OPEN,
				      sizeof(OPEN), OPEN, sizeof(OPEN), "global");
	/* RFC 7854 4.10 and RFC 9069 5.3, laid out by hand. */
	size_t k = 0;
	const uint8_t head[] = {0x03, 0, 0, 0, 136, 0x03};
	memcpy(want + k, head, 6), k += 6;
	memcpy(want + k, HDR4_BYTES, 42), k += 42;
	memcpy(want + k, local, 16), k += 16;
	want[k++] = 0x00, want[k++] = 0xb3; /* local port 179 */
	want[k++] = 0x9c, want[k++] = 0x40; /* remote port 40000 */
	memcpy(want + k, OPEN, 29), k += 29;
	memcpy(want + k, OPEN, 29), k += 29;
	const uint8_t tlv[] = {0, 3, 0, 6, 'g', 'l', 'o', 'b', 'a', 'l'}; /* VRF/Table Name */
	memcpy(want + k, tlv, sizeof(tlv)), k += sizeof(tlv);
	assert_int_equal(k, 136);
	expect_bytes(buf, n, want, k);
	/* Without a table name, no TLV. */
	n = bmp_peer_up_encode(buf, sizeof(buf), &HDR4, local, 179, 40000, OPEN, sizeof(OPEN), OPEN,
			       sizeof(OPEN), NULL);
	assert_int_equal(n, 126);
	assert_int_equal(buf[4], 126);
	assert_int_equal(bmp_peer_up_encode(buf, 100, &HDR4, local, 1, 2, OPEN, sizeof(OPEN), OPEN,
					    sizeof(OPEN), NULL),
			 0);
}

static void test_peer_down(void **state)
{
	/* Reason 1 (local system closed, NOTIFICATION follows): Cease / Administrative
	 * Shutdown, a 21-octet NOTIFICATION. */
	uint8_t notif[32];
	size_t nl = wire_notification_encode(notif, sizeof(notif), 6, 2, NULL, 0);
	assert_int_equal(nl, 21);
	uint8_t buf[128], want[128];
	size_t k = 0;
	const uint8_t head[] = {0x03, 0, 0, 0, 70, 0x02};
	memcpy(want + k, head, 6), k += 6;
	memcpy(want + k, HDR4_BYTES, 42), k += 42;
	want[k++] = 1;
	memcpy(want + k, notif, 21), k += 21;
	expect_bytes(buf, bmp_peer_down_encode(buf, sizeof(buf), &HDR4, 1, notif, nl), want, k);
	assert_int_equal(notif[18], 3); /* the data is a whole NOTIFICATION message */
	assert_int_equal(notif[19], 6);
	assert_int_equal(notif[20], 2);
	/* Reason 4 (remote closed, no data): 49 octets. */
	assert_int_equal(bmp_peer_down_encode(buf, sizeof(buf), &HDR4, 4, NULL, 0), 49);
	assert_int_equal(buf[48], 4);
}

static void test_route_monitoring(void **state)
{
	/* An End-of-RIB for IPv4 unicast: an UPDATE with nothing in it (RFC 4724 2). */
	uint8_t eor[32];
	size_t el = wire_eor_encode(eor, sizeof(eor), RX_FAM_IPV4_UNICAST);
	assert_int_equal(el, 23);
	uint8_t buf[128], want[128];
	size_t k = 0;
	const uint8_t head[] = {0x03, 0, 0, 0, 71, 0x00};
	memcpy(want + k, head, 6), k += 6;
	memcpy(want + k, HDR4_BYTES, 42), k += 42;
	memcpy(want + k, eor, 23), k += 23;
	expect_bytes(buf, bmp_route_monitoring_encode(buf, sizeof(buf), &HDR4, eor, el), want, k);
	assert_int_equal(bmp_route_monitoring_encode(buf, 70, &HDR4, eor, el), 0);
}

static void test_stats(void **state)
{
	/* RFC 7854 4.8: a count, then type / length / value; a 32-bit counter (type 0) and a
	 * 64-bit gauge (type 7). */
	uint16_t types[] = {0, 7};
	uint64_t values[] = {7, 0x100000000ull};
	bool wide[] = {false, true};
	uint8_t buf[128];
	size_t n = bmp_stats_encode(buf, sizeof(buf), &HDR4, 2, types, values, wide);
	static const uint8_t body[] = {0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 7,
				       0, 7, 0, 8, 0, 0, 0, 1, 0, 0, 0, 0};
	assert_int_equal(n, 6 + 42 + sizeof(body));
	static const uint8_t head[] = {0x03, 0, 0, 0, 72, 0x01};
	assert_memory_equal(buf, head, 6);
	assert_memory_equal(buf + 48, body, sizeof(body));
}

static void test_msg_refs(void **state)
{
	struct bmp_msg *m = bmp_msg_new(OPEN, sizeof(OPEN));
	assert_non_null(m);
	assert_int_equal(m->len, sizeof(OPEN));
	bmp_msg_ref(m);
	bmp_msg_unref(m);
	assert_memory_equal(m->data, OPEN, sizeof(OPEN)); /* still held once */
	bmp_msg_unref(m);
	bmp_msg_unref(NULL);
}

/* ---- runtime, against a collector on a loopback socket ---- */

/* Deferred calls: this test's thread plays the decision thread. */
static struct {
	bmp_run_fn fn[64];
	void *arg[64];
	int n;
} deferred;
static pthread_mutex_t defer_lock = PTHREAD_MUTEX_INITIALIZER;

static void defer(void *ctx, bmp_run_fn fn, void *arg)
{
	pthread_mutex_lock(&defer_lock);
	assert_true(deferred.n < 64);
	deferred.fn[deferred.n] = fn;
	deferred.arg[deferred.n++] = arg;
	pthread_mutex_unlock(&defer_lock);
}

static void run_deferred(void)
{
	for (;;) {
		pthread_mutex_lock(&defer_lock);
		if (!deferred.n) {
			pthread_mutex_unlock(&defer_lock);
			return;
		}
		bmp_run_fn fn = deferred.fn[0];
		void *arg = deferred.arg[0];
		memmove(deferred.fn, deferred.fn + 1, (size_t)(deferred.n - 1) * sizeof(fn));
		memmove(deferred.arg, deferred.arg + 1, (size_t)(deferred.n - 1) * sizeof(arg));
		deferred.n--;
		pthread_mutex_unlock(&defer_lock);
		fn(arg);
	}
}

static int listener(uint16_t *port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 4), 0);
	socklen_t l = sizeof(sa);
	getsockname(fd, (struct sockaddr *)&sa, &l);
	*port = ntohs(sa.sin_port);
	return fd;
}

/* Waits for fd to be readable, running deferred calls meanwhile; false after 10 s. */
static bool wait_readable(int fd)
{
	for (int i = 0; i < 1000; i++) {
		run_deferred();
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, 10) > 0)
			return true;
	}
	return false;
}

static int accept_one(int lfd)
{
	assert_true(wait_readable(lfd));
	int fd = accept(lfd, NULL, NULL);
	assert_true(fd >= 0);
	return fd;
}

/* Reads one whole BMP message into buf; returns its length, 0 at EOF. */
static size_t read_msg(int fd, uint8_t *buf, size_t cap)
{
	size_t have = 0, want = BMP_COMMON_LEN;
	while (have < want) {
		assert_true(wait_readable(fd));
		ssize_t r = read(fd, buf + have, want - have);
		if (r <= 0)
			return 0;
		have += (size_t)r;
		if (have == BMP_COMMON_LEN) {
			assert_int_equal(buf[0], 3);
			want = wire_get32(buf + 1);
			assert_true(want >= BMP_COMMON_LEN && want <= cap);
		}
	}
	return have;
}

/* The totals are written by the BMP thread: read them as the metrics thread does. */
#define LD(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)

static struct rib rib;
static const struct bmp_peer_hdr PEER1 = {
    .type = BMP_PEER_GLOBAL, .addr = {[12] = 192, 0, 2, 1}, .asn = 65001, .bgp_id = 0xc0000201};

static struct attr_set *attrs_as(uint32_t as)
{
	uint8_t path[6] = {WIRE_AS_SEQUENCE, 1};
	wire_put32(path + 2, as);
	struct wire_attrs wa = {.present = WIRE_ATTR_BIT(WIRE_ATTR_ORIGIN) |
					   WIRE_ATTR_BIT(WIRE_ATTR_AS_PATH) |
					   WIRE_ATTR_BIT(WIRE_ATTR_NEXT_HOP),
				.aspath = path, .aspath_len = 6, .nexthop = {198, 51, 100, 1}};
	static uint8_t data[512];
	struct attr_buf ab = {.data = data, .cap = sizeof(data)};
	assert_true(attr_encode(&wa, NULL, 4, &ab));
	return attr_intern_w(&rib.attrs, &ab);
}

static struct bmp_msg *peer_up_msg(void)
{
	uint8_t buf[256];
	static const uint8_t local[16] = {[12] = 192, 0, 2, 254};
	size_t n = bmp_peer_up_encode(buf, sizeof(buf), &PEER1, local, 179, 40000, OPEN,
				      sizeof(OPEN), OPEN, sizeof(OPEN), NULL);
	return bmp_msg_new(buf, n);
}

/* The UPDATEs of Route Monitoring messages, as "L|prefix" or "L|-prefix" (L: loc or in),
 * "L|eor" for End-of-RIB; checks the per-peer header of each. */
static void describe_rm(const uint8_t *m, size_t len, char *out, size_t cap)
{
	assert_int_equal(m[5], BMP_ROUTE_MONITORING);
	const uint8_t *ph = m + BMP_COMMON_LEN;
	bool loc = ph[0] == BMP_PEER_LOC_RIB;
	if (loc) {
		assert_int_equal(wire_get32(ph + 26), 65515);
		assert_int_equal(wire_get32(ph + 30), 0x0aff0001);
		assert_int_equal(ph[1], 0); /* F clear: nothing filtered */
	} else {
		assert_int_equal(ph[0], BMP_PEER_GLOBAL);
		assert_memory_equal(ph + 10, PEER1.addr, 16);
		assert_int_equal(ph[1] & BMP_F_L, 0); /* pre-policy */
	}
	const uint8_t *u = ph + BMP_PEER_HDR_LEN;
	size_t ul = len - BMP_COMMON_LEN - BMP_PEER_HDR_LEN;
	struct wire_ctx ctx = {.as4 = true};
	static struct wire_scratch sc;
	struct wire_update up;
	assert_int_equal(wire_header_check(u, ul, WIRE_MAX_LEN, &(uint8_t){0},
					   &(struct wire_error){0}),
			 ul);
	assert_int_equal(wire_update_parse(u + WIRE_HEADER_LEN, ul - WIRE_HEADER_LEN, &ctx, &up, &sc),
			 WIRE_OK);
	size_t o = (size_t)snprintf(out, cap, "%s|", loc ? "loc" : "in");
	if (up.end_of_rib) {
		snprintf(out + o, cap - o, "eor%u", up.eor_afi);
		return;
	}
	struct rx_prefix p[8];
	bool wd = false;
	size_t n = wire_nlri_decode(&up.nlri, p, NULL, 8);
	if (!n) {
		n = wire_nlri_decode(&up.withdrawn, p, NULL, 8);
		wd = true;
	}
	assert_true(n >= 1);
	for (size_t i = 0; i < n; i++) {
		o += (size_t)snprintf(out + o, cap - o, "%s%s", i ? "," : "", wd ? "-" : "");
		rx_prefix_fmt(&p[i], out + o, cap - o);
		o += strlen(out + o);
	}
}

/* Reads messages until one of type t; returns its length. Route Monitoring messages read on
 * the way are described into seen (joined with spaces). */
static size_t read_until(int fd, uint8_t type, uint8_t *buf, size_t cap, char *seen, size_t scap)
{
	for (;;) {
		size_t n = read_msg(fd, buf, cap);
		assert_true(n > 0);
		if (buf[5] == type)
			return n;
		if (buf[5] == BMP_ROUTE_MONITORING && seen) {
			char d[128];
			describe_rm(buf, n, d, sizeof(d));
			size_t l = strlen(seen);
			snprintf(seen + l, scap - l, "%s%s", l ? " " : "", d);
		}
	}
}

/* The session start as RFC 7854 and docs/bmp.md say: Initiation, Peer Up of the peer, the
 * Loc-RIB Peer Up, then the dump and End-of-RIB markers. */
static void expect_session_start(int fd, const char *dump)
{
	static uint8_t buf[1 << 17];
	size_t n = read_msg(fd, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(buf[5], BMP_INITIATION);
	n = read_msg(fd, buf, sizeof(buf));
	assert_int_equal(buf[5], BMP_PEER_UP);
	assert_memory_equal(buf + BMP_COMMON_LEN + 10, PEER1.addr, 16);
	n = read_msg(fd, buf, sizeof(buf));
	assert_int_equal(buf[5], BMP_PEER_UP);
	assert_int_equal(buf[BMP_COMMON_LEN], BMP_PEER_LOC_RIB);
	/* Its VRF/Table Name TLV closes the message (RFC 9069 5.3). */
	static const uint8_t tlv[] = {0, 3, 0, 6, 'g', 'l', 'o', 'b', 'a', 'l'};
	assert_memory_equal(buf + n - sizeof(tlv), tlv, sizeof(tlv));
	char seen[1024] = "";
	for (int i = 0; i < 64 && !strstr(seen, "loc|eor2"); i++) {
		n = read_msg(fd, buf, sizeof(buf));
		char d[128];
		describe_rm(buf, n, d, sizeof(d));
		size_t l = strlen(seen);
		snprintf(seen + l, sizeof(seen) - l, "%s%s", l ? " " : "", d);
	}
	assert_string_equal(seen, dump);
}

static void test_runtime(void **state)
{
	rx_rcu_register();
	struct rib_conf rc;
	rib_conf_default(&rc);
	rc.asn = 65515;
	rib_init(&rib, &rc);
	struct rib_peer_info info = {.asn = 65001, .router_id = 0xc0000201, .afi = RX_AFI_IPV4,
				     .role = RIB_ROLE_NVA, .addr = {192, 0, 2, 1}};
	rib_peer_add_w(&rib, 1, &info);
	struct rx_prefix p1, p2;
	rx_prefix_parse("203.0.113.0/24", &p1, false);
	rx_prefix_parse("198.51.100.0/24", &p2, false);
	struct attr_set *a = attrs_as(65001);
	rib_update_w(&rib, 1, 0, &p1, a);
	rib_update_w(&rib, 1, 0, &p2, a);
	attr_unref_w(&rib.attrs, a);
	struct rib_changes ch = {0};
	rib_changes_take_w(&rib, &ch);
	rib_changes_release_w(&rib, &ch);

	static struct bmp_totals tot;
	struct bmp_params bp = {.sys_name = "test", .sys_descr = "test", .asn = 65515,
				.router_id = 0x0aff0001, .rib = &rib, .defer = defer, .totals = &tot};
	struct bmp *b = bmp_new(&bp);
	assert_false(bmp_prepolicy(b));
	bmp_peer_up_w(b, 1, &PEER1, RX_FAM_BIT(RX_FAM_IPV4_UNICAST), peer_up_msg());
	uint16_t port;
	int lfd = listener(&port);
	struct bmp_collector_conf cc = {.afi = RX_AFI_IPV4, .addr = {127, 0, 0, 1}, .port = port,
					.monitor = BMP_MON_PRE_POLICY | BMP_MON_LOC_RIB};
	bmp_set_collectors_w(b, &cc, 1);
	assert_true(bmp_prepolicy(b));
	int fd = accept_one(lfd);
	/* The dump: both prefixes pre-policy (one UPDATE) and in the Loc-RIB, then End-of-RIB
	 * of the peer's IPv4 and of the Loc-RIB's two families. */
	const char *dump = "in|198.51.100.0/24,203.0.113.0/24 loc|198.51.100.0/24,203.0.113.0/24 "
			   "in|eor1 loc|eor1 loc|eor2";
	expect_session_start(fd, dump);

	/* Live: an UPDATE as received goes through byte for byte. */
	uint8_t eor[32], buf[4096];
	size_t el = wire_eor_encode(eor, sizeof(eor), RX_FAM_IPV6_UNICAST);
	uint8_t rm[128];
	size_t rl = bmp_route_monitoring_encode(rm, sizeof(rm), &PEER1, eor, el);
	bmp_route_w(b, 1, bmp_msg_new(rm, rl));
	size_t n = read_msg(fd, buf, sizeof(buf));
	expect_bytes(buf, n, rm, rl);

	/* A Loc-RIB change: p1 withdrawn. */
	rib_withdraw_w(&rib, 1, 0, &p1);
	rib_changes_take_w(&rib, &ch);
	bmp_locrib_w(b, &ch);
	rib_changes_release_w(&rib, &ch);
	n = read_msg(fd, buf, sizeof(buf));
	char d[128];
	describe_rm(buf, n, d, sizeof(d));
	assert_string_equal(d, "loc|-203.0.113.0/24");

	/* The collector goes away: the next session gets the state again. */
	close(fd);
	fd = accept_one(lfd);
	expect_session_start(fd, "in|198.51.100.0/24 loc|198.51.100.0/24 in|eor1 loc|eor1 loc|eor2");

	/* Peer Down ends the peer's monitoring: its later UPDATEs are not sent. */
	uint8_t down[128];
	size_t dl = bmp_peer_down_encode(down, sizeof(down), &PEER1, BMP_DOWN_REMOTE_NO_NOTIFY,
					 NULL, 0);
	bmp_peer_down_w(b, 1, bmp_msg_new(down, dl));
	bmp_route_w(b, 1, bmp_msg_new(rm, rl));
	bmp_peer_up_w(b, 1, &PEER1, RX_FAM_BIT(RX_FAM_IPV4_UNICAST), peer_up_msg());
	n = read_msg(fd, buf, sizeof(buf));
	expect_bytes(buf, n, down, dl);
	n = read_msg(fd, buf, sizeof(buf));
	assert_int_equal(buf[5], BMP_PEER_UP); /* not the Route Monitoring in between */

	/* A collector that reads nothing: the queue bound is reached, messages are dropped and
	 * counted, the session is reset, and the next one is complete again. */
	static uint8_t big[60000];
	struct bmp_peer_hdr h = PEER1;
	size_t bl = bmp_route_monitoring_encode(big, sizeof(big), &h, eor, el);
	wire_put32(big + 1, (uint32_t)sizeof(big)); /* pad the message: a bulk of bytes */
	bl = sizeof(big);
	struct bmp_msg *bm = bmp_msg_new(big, bl);
	for (size_t i = 0; i < 2 * (BMP_QUEUE_MAX / bl); i++) { /* twice: socket buffers too */
		bmp_msg_ref(bm);
		bmp_route_w(b, 1, bm);
	}
	bmp_msg_unref(bm);
	struct bmp_counters cn;
	bmp_counters(b, 0, &cn);
	assert_true(cn.dropped >= 1);
	/* The reset closes the connection; drain it to EOF. */
	for (;;) {
		assert_true(wait_readable(fd));
		ssize_t r = read(fd, buf, sizeof(buf));
		if (r <= 0)
			break;
	}
	close(fd);
	fd = accept_one(lfd);
	expect_session_start(fd, "in|198.51.100.0/24 loc|198.51.100.0/24 in|eor1 loc|eor1 loc|eor2");
	bmp_counters(b, 0, &cn);
	assert_true(cn.resets >= 1);
	assert_true(cn.connects >= 3);
	/* The published totals (metrics) say the same. */
	assert_int_equal(LD(tot.collectors), 1);
	assert_int_equal(LD(tot.up), 1);
	assert_int_equal(LD(tot.dropped), cn.dropped);
	assert_int_equal(LD(tot.resets), cn.resets);
	assert_int_equal(LD(tot.connects), cn.connects);
	assert_true(LD(tot.sent) >= 20);

	/* Statistics Reports: none configured, none sent; then (below) with an interval. */
	bmp_tick_w(b, UINT64_MAX / 2);

	/* Stopping ends the session with Termination. */
	bmp_set_collectors_w(b, NULL, 0);
	assert_false(bmp_prepolicy(b));
	assert_int_equal(LD(tot.collectors), 0);
	assert_int_equal(LD(tot.up), 0);
	n = read_until(fd, BMP_TERMINATION, buf, sizeof(buf), NULL, 0);
	assert_int_equal(n, 6 + 4 + strlen("routexd: collector removed or daemon stopping") + 6);
	close(fd);

	/* With `statistics`: a report per interval, RFC 7854 4.8 type 7 (the peer's
	 * Adj-RIB-In: one route left) and type 8 for the Loc-RIB instance (one prefix). */
	cc.stats_s = 5;
	bmp_set_collectors_w(b, &cc, 1);
	fd = accept_one(lfd);
	expect_session_start(fd, "in|198.51.100.0/24 loc|198.51.100.0/24 in|eor1 loc|eor1 loc|eor2");
	bmp_tick_w(b, 1000);  /* the first tick arms the timer */
	bmp_tick_w(b, 5999);  /* not yet */
	bmp_tick_w(b, 6000);  /* due */
	n = read_msg(fd, buf, sizeof(buf));
	assert_int_equal(buf[5], BMP_STATS_REPORT);
	assert_memory_equal(buf + BMP_COMMON_LEN + 10, PEER1.addr, 16);
	static const uint8_t adj[] = {0, 0, 0, 1, 0, 7, 0, 8, 0, 0, 0, 0, 0, 0, 0, 1};
	assert_int_equal(n, BMP_COMMON_LEN + BMP_PEER_HDR_LEN + sizeof(adj));
	assert_memory_equal(buf + BMP_COMMON_LEN + BMP_PEER_HDR_LEN, adj, sizeof(adj));
	n = read_msg(fd, buf, sizeof(buf));
	assert_int_equal(buf[5], BMP_STATS_REPORT);
	assert_int_equal(buf[BMP_COMMON_LEN], BMP_PEER_LOC_RIB);
	static const uint8_t loc[] = {0, 0, 0, 1, 0, 8, 0, 8, 0, 0, 0, 0, 0, 0, 0, 1};
	assert_memory_equal(buf + BMP_COMMON_LEN + BMP_PEER_HDR_LEN, loc, sizeof(loc));
	bmp_set_collectors_w(b, NULL, 0);
	n = read_msg(fd, buf, sizeof(buf)); /* nothing else came before the Termination */
	assert_int_equal(buf[5], BMP_TERMINATION);
	close(fd);
	close(lfd);
	run_deferred(); /* requests of the old collector set: stale, ignored */
	bmp_free(b);
	rib_fini(&rib);
	rx_rcu_unregister();
}

/* Originated prefixes in the Loc-RIB carry the next hop export gives them: the router id
 * for IPv4, next-hop-ipv6 for IPv6 (RFC 9069 reports the Loc-RIB as it is advertised). */
static void test_locrib_originated(void **state)
{
	rx_rcu_register();
	struct rib_conf rc;
	rib_conf_default(&rc);
	rib_init(&rib, &rc);
	struct wire_attrs wa = {.present = WIRE_ATTR_BIT(WIRE_ATTR_ORIGIN) |
					   WIRE_ATTR_BIT(WIRE_ATTR_AS_PATH)};
	static uint8_t data[64];
	static const uint8_t none[1];
	struct attr_buf ab = {.data = data, .cap = sizeof(data)};
	assert_true(attr_encode(&wa, none, 0, &ab));
	struct attr_set *a = attr_intern_w(&rib.attrs, &ab);
	struct rx_prefix p4, p6;
	rx_prefix_parse("10.1.0.0/16", &p4, false);
	rx_prefix_parse("2001:db8:1::/48", &p6, false);
	rib_update_w(&rib, RIB_SRC_LOCAL, 0, &p4, a);
	rib_update_w(&rib, RIB_SRC_LOCAL, 0, &p6, a);
	attr_unref_w(&rib.attrs, a);
	struct rib_changes ch = {0};
	rib_changes_take_w(&rib, &ch);
	rib_changes_release_w(&rib, &ch);
	struct bmp_params bp = {.sys_name = "t", .sys_descr = "t", .asn = 65515,
				.router_id = 0x0aff0001, .rib = &rib, .defer = defer,
				.has_nexthop6 = true, .nexthop6 = {0x20, 0x01, 0x0d, 0xb8, [15] = 0xfe}};
	struct bmp *b = bmp_new(&bp);
	uint16_t port;
	int lfd = listener(&port);
	struct bmp_collector_conf cc = {.afi = RX_AFI_IPV4, .addr = {127, 0, 0, 1}, .port = port,
					.monitor = BMP_MON_LOC_RIB};
	bmp_set_collectors_w(b, &cc, 1);
	assert_false(bmp_prepolicy(b)); /* loc-rib only: the I/O threads copy nothing */
	int fd = accept_one(lfd);
	static uint8_t buf[8192];
	assert_int_equal((read_msg(fd, buf, sizeof(buf)), buf[5]), BMP_INITIATION);
	assert_int_equal((read_msg(fd, buf, sizeof(buf)), buf[5]), BMP_PEER_UP);
	static struct wire_scratch sc;
	struct wire_ctx ctx = {.as4 = true};
	bool seen4 = false, seen6 = false;
	for (int i = 0; i < 4; i++) { /* the two routes, then End-of-RIB twice */
		size_t n = read_msg(fd, buf, sizeof(buf));
		assert_int_equal(buf[5], BMP_ROUTE_MONITORING);
		assert_int_equal(buf[BMP_COMMON_LEN], BMP_PEER_LOC_RIB);
		const uint8_t *u = buf + BMP_COMMON_LEN + BMP_PEER_HDR_LEN;
		size_t ul = n - BMP_COMMON_LEN - BMP_PEER_HDR_LEN;
		struct wire_update up;
		assert_int_equal(wire_update_parse(u + WIRE_HEADER_LEN, ul - WIRE_HEADER_LEN, &ctx,
						   &up, &sc),
				 WIRE_OK);
		if (up.end_of_rib)
			continue;
		if (up.nlri.count == 1) {
			static const uint8_t rid[4] = {10, 255, 0, 1};
			assert_memory_equal(up.attrs.nexthop, rid, 4);
			seen4 = true;
		} else {
			assert_int_equal(up.mp_reach.count, 1);
			assert_int_equal(up.mp_nexthop_len, 16);
			assert_memory_equal(up.mp_nexthop, bp.nexthop6, 16);
			seen6 = true;
		}
	}
	assert_true(seen4 && seen6);
	close(fd);
	close(lfd);
	bmp_set_collectors_w(b, NULL, 0);
	run_deferred();
	bmp_free(b);
	rib_fini(&rib);
	rx_rcu_unregister();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_common_header), cmocka_unit_test(test_peer_header),
	    cmocka_unit_test(test_loc_rib_header), cmocka_unit_test(test_initiation),
	    cmocka_unit_test(test_termination),	  cmocka_unit_test(test_peer_up),
	    cmocka_unit_test(test_peer_down),	  cmocka_unit_test(test_route_monitoring),
	    cmocka_unit_test(test_stats),	  cmocka_unit_test(test_msg_refs),
	    cmocka_unit_test(test_runtime),	  cmocka_unit_test(test_locrib_originated),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
