/* encode.c: BMP message encoders (RFC 7854 4, RFC 9069 4-5). Pure: no globals, no threads;
 * every function writes into the caller's buffer and returns the length, or 0 when the
 * buffer is too small (nothing useful is written then). Lengths in BMP are whole-message
 * lengths, common header included (RFC 7854 4.1). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <routex/bmp.h>
#include <routex/compiler.h>
#include <routex/wire.h>

size_t bmp_common_put(uint8_t *buf, size_t cap, uint8_t type, uint32_t len)
{
	if (cap < BMP_COMMON_LEN)
		return 0;
	buf[0] = BMP_VERSION;
	wire_put32(buf + 1, len);
	buf[5] = type;
	return BMP_COMMON_LEN;
}

size_t bmp_peer_hdr_put(uint8_t *buf, size_t cap, const struct bmp_peer_hdr *h)
{
	if (cap < BMP_PEER_HDR_LEN)
		return 0;
	buf[0] = h->type;
	buf[1] = h->flags;
	wire_put32(buf + 2, (uint32_t)(h->distinguisher >> 32));
	wire_put32(buf + 6, (uint32_t)h->distinguisher);
	memcpy(buf + 10, h->addr, 16);
	wire_put32(buf + 26, h->asn);
	wire_put32(buf + 30, h->bgp_id);
	wire_put32(buf + 34, h->ts_sec);
	wire_put32(buf + 38, h->ts_usec);
	return BMP_PEER_HDR_LEN;
}

void bmp_peer_hdr_get(const uint8_t *buf, struct bmp_peer_hdr *h)
{
	h->type = buf[0];
	h->flags = buf[1];
	h->distinguisher = (uint64_t)wire_get32(buf + 2) << 32 | wire_get32(buf + 6);
	memcpy(h->addr, buf + 10, 16);
	h->asn = wire_get32(buf + 26);
	h->bgp_id = wire_get32(buf + 30);
	h->ts_sec = wire_get32(buf + 34);
	h->ts_usec = wire_get32(buf + 38);
}

size_t bmp_tlv_put(uint8_t *buf, size_t cap, uint16_t type, const void *value, size_t len)
{
	if (len > 65535 || cap < 4 + len)
		return 0;
	wire_put16(buf, type);
	wire_put16(buf + 2, (uint16_t)len);
	if (len)
		memcpy(buf + 4, value, len);
	return 4 + len;
}

void bmp_hdr_stamp(struct bmp_peer_hdr *h)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	h->ts_sec = (uint32_t)ts.tv_sec;
	h->ts_usec = (uint32_t)(ts.tv_nsec / 1000);
}

/* Appends a string TLV; strings are sent without a terminating NUL (RFC 7854 4.4). */
static bool put_str(uint8_t *buf, size_t cap, size_t *off, uint16_t type, const char *s)
{
	size_t n = bmp_tlv_put(buf + *off, cap - *off, type, s, strlen(s));
	*off += n;
	return n != 0;
}

size_t bmp_initiation_encode(uint8_t *buf, size_t cap, const char *sys_name, const char *sys_descr)
{
	size_t off = BMP_COMMON_LEN;
	if (cap < off || !put_str(buf, cap, &off, BMP_INFO_SYSDESCR, sys_descr) ||
	    !put_str(buf, cap, &off, BMP_INFO_SYSNAME, sys_name))
		return 0;
	bmp_common_put(buf, cap, BMP_INITIATION, (uint32_t)off);
	return off;
}

size_t bmp_termination_encode(uint8_t *buf, size_t cap, uint16_t reason, const char *text)
{
	size_t off = BMP_COMMON_LEN;
	uint8_t r[2];
	wire_put16(r, reason);
	if (cap < off || (text && !put_str(buf, cap, &off, BMP_TERM_STRING, text)))
		return 0;
	size_t n = bmp_tlv_put(buf + off, cap - off, BMP_TERM_REASON, r, 2);
	if (!n)
		return 0;
	off += n;
	bmp_common_put(buf, cap, BMP_TERMINATION, (uint32_t)off);
	return off;
}

/* Common header and per-peer header in front of a body of body_len octets. */
static size_t peer_msg_start(uint8_t *buf, size_t cap, uint8_t type, const struct bmp_peer_hdr *h,
			     size_t body_len)
{
	size_t len = BMP_COMMON_LEN + BMP_PEER_HDR_LEN + body_len;
	if (cap < len || len > UINT32_MAX)
		return 0;
	bmp_common_put(buf, cap, type, (uint32_t)len);
	bmp_peer_hdr_put(buf + BMP_COMMON_LEN, cap - BMP_COMMON_LEN, h);
	return BMP_COMMON_LEN + BMP_PEER_HDR_LEN;
}

size_t bmp_peer_up_encode(uint8_t *buf, size_t cap, const struct bmp_peer_hdr *h,
			  const uint8_t local_addr[16], uint16_t local_port, uint16_t remote_port,
			  const uint8_t *open_sent, size_t sent_len, const uint8_t *open_recv,
			  size_t recv_len, const char *table)
{
	size_t tlv = table ? 4 + strlen(table) : 0;
	size_t body = 16 + 2 + 2 + sent_len + recv_len + tlv;
	size_t off = peer_msg_start(buf, cap, BMP_PEER_UP, h, body);
	if (!off)
		return 0;
	memcpy(buf + off, local_addr, 16);
	wire_put16(buf + off + 16, local_port);
	wire_put16(buf + off + 18, remote_port);
	off += 20;
	memcpy(buf + off, open_sent, sent_len);
	off += sent_len;
	memcpy(buf + off, open_recv, recv_len);
	off += recv_len;
	if (table && !put_str(buf, cap, &off, BMP_INFO_TABLE_NAME, table))
		return 0;
	return off;
}

size_t bmp_peer_down_encode(uint8_t *buf, size_t cap, const struct bmp_peer_hdr *h, uint8_t reason,
			    const uint8_t *data, size_t data_len)
{
	size_t off = peer_msg_start(buf, cap, BMP_PEER_DOWN, h, 1 + data_len);
	if (!off)
		return 0;
	buf[off++] = reason;
	if (data_len)
		memcpy(buf + off, data, data_len);
	return off + data_len;
}

size_t bmp_route_monitoring_encode(uint8_t *buf, size_t cap, const struct bmp_peer_hdr *h,
				   const uint8_t *update, size_t len)
{
	size_t off = peer_msg_start(buf, cap, BMP_ROUTE_MONITORING, h, len);
	if (!off)
		return 0;
	memcpy(buf + off, update, len);
	return off + len;
}

size_t bmp_stats_encode(uint8_t *buf, size_t cap, const struct bmp_peer_hdr *h, size_t n,
			const uint16_t *types, const uint64_t *values, const bool *wide)
{
	size_t body = 4;
	for (size_t i = 0; i < n; i++)
		body += 4 + (wide[i] ? 8 : 4);
	size_t off = peer_msg_start(buf, cap, BMP_STATS_REPORT, h, body);
	if (!off || n > UINT32_MAX)
		return 0;
	wire_put32(buf + off, (uint32_t)n);
	off += 4;
	for (size_t i = 0; i < n; i++) {
		wire_put16(buf + off, types[i]);
		wire_put16(buf + off + 2, wide[i] ? 8 : 4);
		off += 4;
		if (wide[i]) {
			wire_put32(buf + off, (uint32_t)(values[i] >> 32));
			wire_put32(buf + off + 4, (uint32_t)values[i]);
			off += 8;
		} else {
			wire_put32(buf + off, (uint32_t)values[i]);
			off += 4;
		}
	}
	return off;
}

struct bmp_msg *bmp_msg_new(const uint8_t *data, size_t len)
{
	struct bmp_msg *m = malloc(sizeof(*m) + len);
	if (!m)
		return NULL;
	m->refs = 1;
	m->len = (uint32_t)len;
	if (data)
		memcpy(m->data, data, len);
	return m;
}

void bmp_msg_ref(struct bmp_msg *m)
{
	__atomic_fetch_add(&m->refs, 1, __ATOMIC_RELAXED); /* the caller already holds one */
}

void bmp_msg_unref(struct bmp_msg *m)
{
	if (m && __atomic_sub_fetch(&m->refs, 1, __ATOMIC_ACQ_REL) == 0)
		free(m);
}
