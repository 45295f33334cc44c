/* filter.c: IXP import filters (see filter.h). The bogon lists are the IANA special-purpose
 * registries (RFC 6890 and its updates) restricted to what is never globally routed. */
#include <pthread.h>
#include <string.h>

#include <routex/compiler.h>
#include <routex/filter.h>
#include <routex/wire.h>

static const char *const bogons4[] = {
    "0.0.0.0/8",       /* "this network" (RFC 791) */
    "10.0.0.0/8",      /* private (RFC 1918) */
    "100.64.0.0/10",   /* shared address space, CGN (RFC 6598) */
    "127.0.0.0/8",     /* loopback (RFC 1122) */
    "169.254.0.0/16",  /* link-local (RFC 3927) */
    "172.16.0.0/12",   /* private (RFC 1918) */
    "192.0.0.0/24",    /* IETF protocol assignments (RFC 6890) */
    "192.0.2.0/24",    /* TEST-NET-1 (RFC 5737) */
    "192.168.0.0/16",  /* private (RFC 1918) */
    "198.18.0.0/15",   /* benchmarking (RFC 2544) */
    "198.51.100.0/24", /* TEST-NET-2 (RFC 5737) */
    "203.0.113.0/24",  /* TEST-NET-3 (RFC 5737) */
    "224.0.0.0/4",     /* multicast (RFC 5771) */
    "240.0.0.0/4",     /* reserved, and limited broadcast (RFC 1112, 919) */
};

static const char *const bogons6[] = {
    "::/8",           /* unspecified, loopback, IPv4-mapped and -compatible (RFC 4291) */
    "100::/64",       /* discard-only (RFC 6666) */
    "2001:2::/48",    /* benchmarking (RFC 5180) */
    "2001:10::/28",   /* ORCHID (RFC 4843) */
    "2001:db8::/32",  /* documentation (RFC 3849) */
    "3ffe::/16",      /* former 6bone (RFC 3701) */
    "fc00::/7",       /* unique local (RFC 4193) */
    "fe80::/10",      /* link-local (RFC 4291) */
    "fec0::/10",      /* site-local, deprecated (RFC 3879) */
    "ff00::/8",       /* multicast (RFC 4291) */
};

/* The lists parsed once (every I/O thread filters; pthread_once orders the first use). */
static struct rx_prefix parsed4[RX_ARRAY_LEN(bogons4)], parsed6[RX_ARRAY_LEN(bogons6)];
static pthread_once_t parsed_once = PTHREAD_ONCE_INIT;

static void parse_lists(void)
{
	for (size_t i = 0; i < RX_ARRAY_LEN(bogons4); i++)
		RX_ASSERT(rx_prefix_parse(bogons4[i], &parsed4[i], false));
	for (size_t i = 0; i < RX_ARRAY_LEN(bogons6); i++)
		RX_ASSERT(rx_prefix_parse(bogons6[i], &parsed6[i], false));
}

static bool covered_by(const struct rx_prefix *list, size_t n, const struct rx_prefix *p)
{
	for (size_t i = 0; i < n; i++)
		if (rx_prefix_contains(&list[i], p))
			return true;
	return false;
}

const char *filter_reason_name(enum filter_reason r)
{
	switch (r) {
	case FILTER_OK:
		return "accepted";
	case FILTER_BOGON_PREFIX:
		return "bogon prefix";
	case FILTER_PREFIX_LENGTH:
		return "prefix length outside /8-/24 (IPv4) or /16-/48 (IPv6)";
	case FILTER_BOGON_ASN:
		return "bogon ASN in AS_PATH";
	case FILTER_AS_PATH_LENGTH:
		return "AS_PATH longer than max-as-path-length";
	}
	return "?";
}

enum filter_reason filter_prefix(const struct rx_prefix *p)
{
	bool v4 = p->afi == RX_AFI_IPV4;
	if (v4 ? p->len < 8 || p->len > 24 : p->len < 16 || p->len > 48)
		return FILTER_PREFIX_LENGTH;
	pthread_once(&parsed_once, parse_lists);
	if (v4 ? covered_by(parsed4, RX_ARRAY_LEN(parsed4), p)
	       : covered_by(parsed6, RX_ARRAY_LEN(parsed6), p))
		return FILTER_BOGON_PREFIX;
	return FILTER_OK;
}

bool filter_bogon_asn(uint32_t a)
{
	return a == 0 || a == 23456 ||                  /* RFC 7607, RFC 6793 AS_TRANS */
	       (a >= 64496 && a <= 131071) ||           /* documentation, private, reserved */
	       a >= 4200000000u;                        /* private (RFC 6996), last (RFC 7300) */
}

enum filter_reason filter_aspath(const uint8_t *path, size_t len, bool bogons, unsigned max_len)
{
	if (max_len && wire_aspath_length(path, len) > max_len)
		return FILTER_AS_PATH_LENGTH;
	if (!bogons)
		return FILTER_OK;
	for (const uint8_t *q = path, *end = path + len; end - q >= 2; q += 2 + (size_t)q[1] * 4)
		for (unsigned i = 0; i < q[1] && q + 2 + 4 * (i + 1) <= end; i++)
			if (filter_bogon_asn(wire_get32(q + 2 + 4 * i)))
				return FILTER_BOGON_ASN;
	return FILTER_OK;
}
