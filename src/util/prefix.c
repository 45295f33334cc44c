/* prefix.c: IPv4/IPv6 prefix ordering, masking, parsing and printing (see prefix.h). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <routex/prefix.h>

int rx_prefix_cmp(const struct rx_prefix *a, const struct rx_prefix *b)
{
	if (a->afi != b->afi)
		return a->afi < b->afi ? -1 : 1;
	int c = memcmp(a->addr, b->addr, a->afi == RX_AFI_IPV4 ? 4 : 16);
	if (c)
		return c < 0 ? -1 : 1;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return 0;
}

bool rx_prefix_equal(const struct rx_prefix *a, const struct rx_prefix *b)
{
	return rx_prefix_cmp(a, b) == 0;
}

void rx_prefix_mask(struct rx_prefix *p)
{
	unsigned bytes = p->len / 8, bits = p->len % 8;
	if (bits) {
		p->addr[bytes] &= (uint8_t)(0xFF00 >> bits);
		bytes++;
	}
	if (bytes < sizeof(p->addr))
		memset(p->addr + bytes, 0, sizeof(p->addr) - bytes);
}

bool rx_prefix_is_canonical(const struct rx_prefix *p)
{
	struct rx_prefix m = *p;
	rx_prefix_mask(&m);
	return memcmp(m.addr, p->addr, sizeof(m.addr)) == 0;
}

bool rx_prefix_contains(const struct rx_prefix *outer, const struct rx_prefix *inner)
{
	if (outer->afi != inner->afi || outer->len > inner->len)
		return false;
	unsigned bytes = outer->len / 8, bits = outer->len % 8;
	if (memcmp(outer->addr, inner->addr, bytes))
		return false;
	if (!bits)
		return true;
	uint8_t m = (uint8_t)(0xFF00 >> bits);
	return (outer->addr[bytes] & m) == (inner->addr[bytes] & m);
}

bool rx_prefix_parse(const char *s, struct rx_prefix *out, bool allow_host_bits)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	if (alen == 0 || alen >= INET6_ADDRSTRLEN)
		return false;
	memcpy(buf, s, alen);
	buf[alen] = 0;
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, buf, out->addr) == 1)
		out->afi = RX_AFI_IPV4;
	else if (inet_pton(AF_INET6, buf, out->addr) == 1)
		out->afi = RX_AFI_IPV6;
	else
		return false;
	unsigned max = rx_afi_bits(out->afi);
	unsigned len = max;
	if (slash) {
		const char *d = slash + 1;
		if (*d < '0' || *d > '9' || strlen(d) > 3)
			return false;
		char *end;
		unsigned long v = strtoul(d, &end, 10);
		if (*end || v > max)
			return false;
		len = (unsigned)v;
	}
	out->len = (uint8_t)len;
	return allow_host_bits || rx_prefix_is_canonical(out);
}

int rx_addr_fmt(uint8_t afi, const uint8_t *addr, char *buf, size_t size)
{
	char tmp[INET6_ADDRSTRLEN];
	if (!inet_ntop(afi == RX_AFI_IPV4 ? AF_INET : AF_INET6, addr, tmp, sizeof(tmp)))
		tmp[0] = 0;
	return snprintf(buf, size, "%s", tmp);
}

int rx_prefix_fmt(const struct rx_prefix *p, char *buf, size_t size)
{
	char tmp[INET6_ADDRSTRLEN];
	rx_addr_fmt(p->afi, p->addr, tmp, sizeof(tmp));
	return snprintf(buf, size, "%s/%u", tmp, p->len);
}
