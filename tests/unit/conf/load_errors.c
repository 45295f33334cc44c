/* load_errors.c: one bad config per validation rule, each checked against the exact
 * `FILE:LINE: reason` message routexd -n prints. */
#include <string.h>

#include "helpers.h"

/* Line 1. */
#define HEAD "router-id: 10.0.0.1\n"
/* Lines 2..6; a key appended after it is on line 7. */
#define P1 "peers:\n" PEER("p1", "192.0.2.1", "65001", "nva")
/* Lines 7..10 when it follows HEAD P1. */
#define P2 PEER("p2", "192.0.2.2", "65002", "nva")

struct bad {
	const char *text;
	unsigned line;
	const char *reason;
};

static void run(const struct bad *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		print_message("case %zu: %s\n", i, cases[i].reason);
		tconf_expect_error(cases[i].text, cases[i].line, cases[i].reason);
	}
}

static void test_unknown_keys(void **state)
{
	static const struct bad cases[] = {
	    {HEAD "routerid: 1.1.1.1\n", 2, "unknown key 'routerid' (did you mean 'router-id'?)"},
	    {HEAD "frobnicate: 1\n", 2, "unknown key 'frobnicate'"},
	    {HEAD P1 "    hold_time: 90\n", 7,
	     "peer p1: unknown key 'hold_time' (did you mean 'hold-time'?)"},
	    {HEAD P1 "    next-hop-self: true\n", 7, "peer p1: unknown key 'next-hop-self'"},
	    {HEAD "listen: [{address: 127.0.0.1, prot: 179}]\n", 2,
	     "listen: unknown key 'prot' (did you mean 'port'?)"},
	    {HEAD "metrics:\n  address: 127.0.0.1\n  path: /metrics\n", 4,
	     "metrics: unknown key 'path'"},
	    {HEAD "asn: 65001\nasn: 65002\n", 3, "duplicate key 'asn' (first on line 2)"},
	    {HEAD P1 "    role: vpn\n", 7, "peer p1: duplicate key 'role' (first on line 6)"},
	    {HEAD "? [a, b]\n: 1\n", 2, "a key must be a scalar"},
	};
	run(cases, RX_ARRAY_LEN(cases));
}

static void test_types(void **state)
{
	static const struct bad cases[] = {
	    {HEAD "asn: \"65001\"\n", 2,
	     "asn: expected an AS number (1..4294967294, or asdot X.Y), got \"65001\""},
	    {HEAD "asn: [1]\n", 2, "asn: expected a scalar, got a list"},
	    {HEAD "route-exchange: yes\n", 2,
	     "route-exchange: expected true or false, got \"yes\""},
	    {HEAD "transparent: \"true\"\n", 2,
	     "transparent: expected true or false, got \"true\""},
	    {HEAD "peers: none\n", 2, "peers: expected a list, got a scalar"},
	    {HEAD "peers:\n  - just-a-name\n", 3, "peers: expected a mapping, got a scalar"},
	    {HEAD "listen: {address: 127.0.0.1}\n", 2, "listen: expected a list, got a mapping"},
	    {HEAD "originate: 10.0.0.0/8\n", 2, "originate: expected a list, got a scalar"},
	    {HEAD "metrics: 127.0.0.1\n", 2, "metrics: expected a mapping, got a scalar"},
	    {HEAD "export-threads: -1\n", 2,
	     "export-threads: expected a decimal integer (no sign, no leading zero), got \"-1\""},
	    {HEAD "export-threads: 010\n", 2,
	     "export-threads: expected a decimal integer (no sign, no leading zero), got \"010\""},
	    {HEAD "export-threads: 1025\n", 2, "export-threads: 1025 is out of range 0..1024"},
	    {HEAD "io-threads: many\n", 2,
	     "io-threads: expected 0, a number of threads or per-peer, got \"many\""},
	    {HEAD "route-preference: shortest\n", 2,
	     "route-preference: unknown value \"shortest\" (expected expressroute | vpn | "
	     "as-path)"},
	    {HEAD "control-socket:\n", 2, "control-socket: missing value"},
	    {HEAD
	     "control-socket: /"
	     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	     "aaaaaaaaaaaaaaaaaaaaaaa.sock\n",
	     2, "control-socket: longer than 107 bytes"},
	    {HEAD P1 "    passive: 1\n", 7, "peer p1: passive: expected true or false, got \"1\""},
	    {HEAD P1 "    max-prefixes: 4294967296\n", 7,
	     "peer p1: max-prefixes: 4294967296 is out of range 0..4294967295"},
	    {HEAD P1 "    description: [a]\n", 7,
	     "peer p1: description: expected a scalar, got a list"},
	    {HEAD P1 "    password:\n", 7, "peer p1: password: missing value"},
	};
	run(cases, RX_ARRAY_LEN(cases));
}

static void test_user_group(void **state)
{
	static const struct bad cases[] = {
	    {HEAD "user: root\n", 2,
	     "user: root gives up nothing: name an unprivileged user, or leave the key out"},
	    {HEAD "user: 65534\n", 2, "user: \"65534\": give a name, not a numeric id"},
	    {HEAD "user: -routex\n", 2,
	     "user: \"-routex\" is not an account name (letters, digits, '_', '.', '-'; not "
	     "starting with '-')"},
	    {HEAD "user: \"rou tex\"\n", 2,
	     "user: \"rou tex\" is not an account name (letters, digits, '_', '.', '-'; not "
	     "starting with '-')"},
	    {HEAD "user: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", 2, "user: longer than 32 bytes"},
	    {HEAD "user: [routex]\n", 2, "user: expected a scalar, got a list"},
	    {HEAD "user:\n", 2, "user: missing value"},
	    {HEAD "group: routex\n", 2,
	     "group: needs 'user' (the group is what routexd switches to with it)"},
	    {HEAD "user: routex\ngroup: root\n", 3,
	     "group: root gives the control socket to root's group: name another group, or "
	     "leave the key out"},
	    {HEAD "user: routex\nuser: nobody\n", 3, "duplicate key 'user' (first on line 2)"},
	};
	run(cases, RX_ARRAY_LEN(cases));
}

static void test_router_id_and_asn(void **state)
{
	static const struct bad cases[] = {
	    {"asn: 65001\n", 1, "missing key 'router-id'"},
	    {"router-id: 0.0.0.0\n", 1,
	     "router-id: 0.0.0.0 is not a valid BGP identifier (RFC 6286)"},
	    {"router-id: 2001:db8::1\n", 1, "router-id: \"2001:db8::1\" is not an IPv4 address"},
	    {"router-id: 10.0.0.256\n", 1, "router-id: \"10.0.0.256\" is not an IP address"},
	    {HEAD "asn: 0\n", 2, "asn: AS 0 is reserved and may not be used (RFC 7607)"},
	    {HEAD "asn: 23456\n", 2,
	     "asn: AS 23456 is AS_TRANS, a placeholder for 4-octet ASNs (RFC 6793)"},
	    {HEAD "asn: 65535\n", 2, "asn: AS 65535 is reserved (RFC 7300)"},
	    {HEAD "asn: 4294967295\n", 2, "asn: AS 4294967295 is reserved (RFC 7300)"},
	    {HEAD "asn: 4294967296\n", 2,
	     "asn: expected an AS number (1..4294967294, or asdot X.Y), got \"4294967296\""},
	    {HEAD "asn: 1.65536\n", 2,
	     "asn: expected an AS number (1..4294967294, or asdot X.Y), got \"1.65536\""},
	    {HEAD P1 "  - name: p2\n    address: 192.0.2.2\n    asn: 0\n    role: nva\n", 9,
	     "peer p2: asn: AS 0 is reserved and may not be used (RFC 7607)"},
	    {HEAD P1 "  - name: p2\n    address: 192.0.2.2\n    asn: 23456\n    role: nva\n", 9,
	     "peer p2: asn: AS 23456 is AS_TRANS, a placeholder for 4-octet ASNs (RFC 6793)"},
	    {HEAD P1 "  - name: p2\n    address: 192.0.2.2\n    asn: 0.65535\n    role: nva\n", 9,
	     "peer p2: asn: AS 65535 is reserved (RFC 7300)"},
	};
	run(cases, RX_ARRAY_LEN(cases));
}

static void test_addresses_and_prefixes(void **state)
{
	static const struct bad cases[] = {
	    {HEAD "listen: [{address: 127.0.0.1.1}]\n", 2,
	     "listen: address: \"127.0.0.1.1\" is not an IP address"},
	    {HEAD "listen: [{port: 179}]\n", 2, "listen: missing key 'address'"},
	    {HEAD "listen: [{address: 127.0.0.1, port: 0}]\n", 2,
	     "listen: port: 0 is out of range 1..65535"},
	    {HEAD "listen:\n  - address: 127.0.0.1\n  - address: 127.0.0.1\n    port: 179\n", 4,
	     "listen: 127.0.0.1 port 179 is listed twice (first on line 3)"},
	    {HEAD "metrics: {port: 9100}\n", 2, "metrics: missing key 'address'"},
	    {HEAD "mrt-dump: {interval: 60}\n", 2, "mrt-dump: missing key 'file'"},
	    {HEAD "mrt-dump: /var/lib/routex/rib.mrt\n", 2,
	     "mrt-dump: expected a mapping, got a scalar"},
	    {HEAD "mrt-dump: {file: rib.mrt}\n", 2,
	     "mrt-dump: file: \"rib.mrt\" is not an absolute path"},
	    {HEAD "mrt-dump: {file: /var/lib/routex/}\n", 2,
	     "mrt-dump: file: \"/var/lib/routex/\" names a directory, not a file"},
	    {HEAD "mrt-dump: {file: \"/tmp/a b.mrt\"}\n", 2,
	     "mrt-dump: file: white space and control characters are not allowed"},
	    {HEAD "mrt-dump: {file: /tmp/%c.mrt}\n", 2,
	     "mrt-dump: file: %c is not supported (use %Y %m %d %H %M %S %s %%)"},
	    {HEAD "mrt-dump: {file: /tmp/rib.mrt%}\n", 2,
	     "mrt-dump: file: % is not supported (use %Y %m %d %H %M %S %s %%)"},
	    {HEAD "mrt-dump: {file: /tmp/r.mrt, interval: 9}\n", 2,
	     "mrt-dump: interval: 9 is out of range 10..604800"},
	    {HEAD "mrt-dump: {file: /tmp/r.mrt, adj-rib-in: 1}\n", 2,
	     "mrt-dump: adj-rib-in: expected true or false, got \"1\""},
	    {HEAD "mrt-dump: {file: /tmp/r.mrt, every: 60}\n", 2, "mrt-dump: unknown key 'every'"},
	    {HEAD "mrt-log: {rotate: 60}\n", 2, "mrt-log: missing key 'file'"},
	    {HEAD "mrt-log: {file: u.mrt}\n", 2, "mrt-log: file: \"u.mrt\" is not an absolute path"},
	    {HEAD "mrt-log: {file: /tmp/%c.mrt}\n", 2,
	     "mrt-log: file: %c is not supported (use %Y %m %d %H %M %S %s %%)"},
	    {HEAD "mrt-log: {file: /tmp/u.mrt, rotate: 5}\n", 2,
	     "mrt-log: rotate: 5 is out of range 10..86400"},
	    {HEAD "mrt-log: {file: /tmp/u.mrt, types: [update, withdraw]}\n", 2,
	     "mrt-log: types: unknown value \"withdraw\" (expected update | open | notification | "
	     "keepalive | route-refresh)"},
	    {HEAD "mrt-log: {file: /tmp/u.mrt, types: some}\n", 2,
	     "mrt-log: types: expected `all` or a list of update, open, notification, keepalive, "
	     "route-refresh"},
	    {HEAD "mrt-log: {file: /tmp/u.mrt, types: []}\n", 2,
	     "mrt-log: types: empty list: name at least one message type"},
	    {HEAD "mrt-log: {file: /tmp/u.mrt, types: [open, open]}\n", 2,
	     "mrt-log: types: \"open\" is listed twice"},
	    {HEAD "mrt-log: {file: /tmp/u.mrt, peers: []}\n", 2,
	     "mrt-log: peers: empty list: name peers, or leave the key out for every peer"},
	    {HEAD "mrt-log:\n  file: /tmp/u.mrt\n  peers: [p1, p1]\n", 4,
	     "mrt-log: peers: \"p1\" is listed twice"},
	    {HEAD "mrt-log:\n  file: /tmp/u.mrt\n  peers:\n    - p1\n    - nobody\n" P1, 6,
	     "mrt-log: peers: no peer named \"nobody\""},
	    {HEAD "metrics: {address: 127.0.0.1, port: 179}\n", 2,
	     "metrics: port 179 is also the default BGP listen port"},
	    {HEAD
	     "listen: [{address: \"::\", port: 1179}]\nmetrics: {address: \"::1\", port: 1179}\n",
	     3, "metrics: port 1179 is also a BGP listen port (line 2)"},
	    {HEAD "originate: [10.1.0.1/16]\n", 2,
	     "originate: \"10.1.0.1/16\" has host bits set (did you mean 10.1.0.0/16?)"},
	    {HEAD "originate: [\"2001:db8::1/32\"]\n", 2,
	     "originate: \"2001:db8::1/32\" has host bits set (did you mean 2001:db8::/32?)"},
	    {HEAD "originate: [10.1.0.0]\n", 2, "originate: \"10.1.0.0\" has no /length"},
	    {HEAD "next-hop-ipv6: \"fe80::1\"\n", 2,
	     "next-hop-ipv6: fe80::1 is link-local: a route server's peers are not all on one "
	     "link (RFC 2545 3), give a global address"},
	    {HEAD "next-hop-ipv6: \"::ffff:192.0.2.1\"\n", 2,
	     "next-hop-ipv6: ::ffff:192.0.2.1 is IPv4-mapped, which BIRD refuses as an IPv6 "
	     "next hop: give an IPv6 address"},
	    {HEAD "next-hop-ipv6: \"::\"\n", 2, "next-hop-ipv6: :: is not a unicast address"},
	    {HEAD "originate: [10.1.0.0/33]\n", 2, "originate: \"10.1.0.0/33\" is not a prefix"},
	    {HEAD "originate:\n  - 10.1.0.0/16\n  - 10.2.0.0/16\n  - 10.1.0.0/16\n", 5,
	     "originate: 10.1.0.0/16 is listed twice (first on line 3)"},
	    {HEAD P1 "  - name: p2\n    address: 192.0.2.\n", 8,
	     "peer p2: address: \"192.0.2.\" is not an IP address"},
	    {HEAD P1 "  - name: p2\n    address: 0.0.0.0\n", 8,
	     "peer p2: address: the unspecified address is not a peer"},
	    {HEAD P1 "  - name: p2\n    address: \"::\"\n", 8,
	     "peer p2: address: the unspecified address is not a peer"},
	    {HEAD P1 "  - name: p2\n    address: 224.0.0.5\n", 8,
	     "peer p2: address: 224.0.0.5 is not a unicast address"},
	    {HEAD P1 "  - name: p2\n    address: ff02::2\n", 8,
	     "peer p2: address: ff02::2 is not a unicast address"},
	    {HEAD P1 "  - name: p2\n    address: fe80::1\n", 8,
	     "peer p2: address: fe80::1 is link-local, which is not supported"},
	    {HEAD P1 "  - name: p2\n    address: \"::ffff:192.0.2.9\"\n", 8,
	     "peer p2: address: ::ffff:192.0.2.9 is IPv4-mapped: write it as 192.0.2.9"},
	    {HEAD P1 "    local-address: 2001:db8::1\n", 7,
	     "peer p1: local-address: not the same address family as address"},
	};
	run(cases, RX_ARRAY_LEN(cases));
}

static void test_peer_rules(void **state)
{
	static const struct bad cases[] = {
	    {HEAD "peers:\n  - address: 192.0.2.1\n    asn: 65001\n    role: nva\n", 3,
	     "peer #1: missing key 'name'"},
	    {HEAD P1 "  - name: p2\n    asn: 65001\n    role: nva\n", 7,
	     "peer p2: missing key 'address'"},
	    {HEAD "peers:\n  - name: p1\n    address: 192.0.2.1\n    role: nva\n", 3,
	     "peer p1: missing key 'asn'"},
	    {HEAD "peers:\n  - name: p1\n    address: 192.0.2.1\n    asn: 65001\n", 3,
	     "peer p1: missing key 'role'"},
	    {HEAD P1 "  - name: \"my peer\"\n", 7,
	     "peer #2: name: \"my peer\" may only hold letters, digits, '.', '_' and '-' (it is a "
	     "metrics label and a routexctl argument)"},
	    {HEAD P1 "  - name: "
		     "a234567890123456789012345678901234567890123456789012345678901234\n",
	     7, "peer #2: name: longer than 63 bytes"},
	    {HEAD "peers:\n" PEER("p1", "192.0.2.1", "65001", "firewall"), 6,
	     "peer p1: role: unknown value \"firewall\" (expected nva | expressroute | vpn | "
	     "rs-client)"},
	    {HEAD P1 PEER("p1", "192.0.2.2", "65002", "nva"), 7,
	     "peer p1: name: already used by the peer on line 3"},
	    {HEAD P1 PEER("p2", "192.0.2.1", "65002", "vpn"), 8,
	     "peer p2: address: 192.0.2.1 port 179 is already peer p1 (line 3)"},
	    {HEAD P1 "    hold-time: 1\n", 7,
	     "peer p1: hold-time: 1 is not allowed: use 0 or 3..65535 (RFC 4271 4.2)"},
	    {HEAD P1 "    hold-time: 2\n", 7,
	     "peer p1: hold-time: 2 is not allowed: use 0 or 3..65535 (RFC 4271 4.2)"},
	    {HEAD P1 "    hold-time: 65536\n", 7,
	     "peer p1: hold-time: 65536 is out of range 0..65535"},
	    {HEAD P1 "    hold-time: 9\n    keepalive: 9\n", 8,
	     "peer p1: keepalive: 9 must be below hold-time 9"},
	    {HEAD P1 "    keepalive: 0\n", 7, "peer p1: keepalive: 0 is out of range 1..65535"},
	    {HEAD P1 "    hold-time: 0\n    keepalive: 10\n", 8,
	     "peer p1: keepalive: not allowed with hold-time 0, which turns keepalives off "
	     "(RFC 4271 4.4)"},
	    {HEAD P1
	     "    password: "
	     "\"012345678901234567890123456789012345678901234567890123456789012345678901234567"
	     "89X\"\n",
	     7, "peer p1: password: longer than 80 bytes"},
	    {HEAD P1 "    multihop: 0\n", 7, "peer p1: multihop: 0 is out of range 1..255"},
	    {HEAD P1 "    multihop: 256\n", 7, "peer p1: multihop: 256 is out of range 1..255"},
	    {HEAD P1 "    port: 65536\n", 7, "peer p1: port: 65536 is out of range 1..65535"},
	    {HEAD P1 "    add-path: all\n", 7,
	     "peer p1: add-path: unknown value \"all\" (expected none | send | receive | both)"},
	    {HEAD P1 "    max-prefixes-out: 1000\n    add-path: send\n", 8,
	     "peer p1: add-path send and max-prefixes-out cannot be combined (a limited peer is "
	     "sent one path per prefix)"},
	    {HEAD P1 "    description: \"a\\0b\"\n", 7,
	     "peer p1: description: value contains a NUL character"},
	};
	run(cases, RX_ARRAY_LEN(cases));
}

static void test_bmp(void **state)
{
	static const struct bad cases[] = {
	    {HEAD "bmp: {address: 127.0.0.1, port: 11019}\n", 2,
	     "bmp: expected a list, got a mapping"},
	    {HEAD "bmp: [{port: 11019}]\n", 2, "bmp: missing key 'address'"},
	    {HEAD "bmp: [{address: 127.0.0.1}]\n", 2,
	     "bmp: missing key 'port' (BMP has no default port)"},
	    {HEAD "bmp: [{address: 127.0.0.1, port: 0}]\n", 2,
	     "bmp: port: 0 is out of range 1..65535"},
	    {HEAD "bmp: [{address: collector, port: 1}]\n", 2,
	     "bmp: address: \"collector\" is not an IP address"},
	    {HEAD "bmp: [{address: 127.0.0.1, port: 1, monitor: [post-policy]}]\n", 2,
	     "bmp: monitor: unknown value \"post-policy\" (expected pre-policy | loc-rib)"},
	    {HEAD "bmp: [{address: 127.0.0.1, port: 1, monitor: []}]\n", 2,
	     "bmp: monitor: empty list: name pre-policy, loc-rib or both (or leave the key out "
	     "for both)"},
	    {HEAD "bmp: [{address: 127.0.0.1, port: 1, monitor: [loc-rib, loc-rib]}]\n", 2,
	     "bmp: monitor: \"loc-rib\" is listed twice"},
	    {HEAD "bmp: [{address: 127.0.0.1, port: 1, monitor: loc-rib}]\n", 2,
	     "bmp: monitor: expected a list, got a scalar"},
	    {HEAD "bmp: [{address: 127.0.0.1, port: 1, statistics: 86401}]\n", 2,
	     "bmp: statistics: 86401 is out of range 0..86400"},
	    {HEAD "bmp: [{address: 127.0.0.1, port: 1, queue: 5}]\n", 2,
	     "bmp: unknown key 'queue'"},
	    {HEAD "bmp:\n  - {address: 127.0.0.1, port: 1}\n  - {address: 127.0.0.1, port: 1}\n", 4,
	     "bmp: collector 127.0.0.1 port 1 is listed twice (first on line 3)"},
	};
	run(cases, RX_ARRAY_LEN(cases));
}

static void test_yaml_errors(void **state)
{
	static const struct bad cases[] = {
	    {HEAD "asn: 65001\n  bad: indent\n", 3,
	     "invalid YAML: mapping values are not allowed in this context"},
	    {HEAD "peers: [\n  a,\n", 4,
	     "invalid YAML: did not find expected node content (while parsing a flow node)"},
	    {HEAD "asn: \"65001\n", 3,
	     "invalid YAML: found unexpected end of stream (while scanning a quoted scalar)"},
	    {HEAD "peers: *undefined\n", 2, "invalid YAML: found undefined alias"},
	    {HEAD "asn: \xff\n", 2, "invalid YAML: invalid leading UTF-8 octet"},
	    {"", 1, "empty config: missing key 'router-id'"},
	    {"# only a comment\n", 1, "empty config: missing key 'router-id'"},
	    {"- router-id: 1.1.1.1\n", 1, "the config must be a mapping of keys, got a list"},
	    {"10.0.0.1\n", 1, "the config must be a mapping of keys, got a scalar"},
	    {HEAD "---\nasn: 1\n", 3, "more than one YAML document"},
	};
	run(cases, RX_ARRAY_LEN(cases));
}

static void test_missing_file(void **state)
{
	struct conf_daemon *c = NULL;
	char err[256];
	assert_int_equal(conf_load("/nonexistent/routex.yaml", &c, err, sizeof(err)), -1);
	assert_null(c);
	assert_string_equal(err,
			    "/nonexistent/routex.yaml: cannot read: No such file or directory");
}

static void test_rpki(void **state)
{
#define RS "rpki:\n  servers: [{address: 127.0.0.1}]\n"
	static const struct bad cases[] = {
	    {HEAD "rpki: true\n", 2, "rpki: expected a mapping, got a scalar"},
	    {HEAD "rpki: {refresh: 60}\n", 2, "rpki: missing key 'servers'"},
	    {HEAD "rpki: {servers: []}\n", 2, "rpki: servers: at least one RTR server is needed"},
	    {HEAD "rpki: {servers: [{port: 323}]}\n", 2, "rpki: server #1: missing key 'address'"},
	    {HEAD "rpki: {servers: [{address: rtr.example.net}]}\n", 2,
	     "rpki: server #1: address: \"rtr.example.net\" is not an IP address"},
	    {HEAD "rpki:\n  servers:\n  - {address: 127.0.0.1}\n  - {address: 127.0.0.1, port: 323}\n",
	     5, "rpki: server #2: listed twice (first on line 4)"},
	    {HEAD "rpki: {servers: [{address: 127.0.0.1, preference: 0}]}\n", 2,
	     "rpki: server #1: preference: 0 is out of range 1..255"},
	    {HEAD RS "  refresh: 0\n", 4, "rpki: refresh: 0 is out of range 1..86400"},
	    {HEAD RS "  retry: 7201\n", 4, "rpki: retry: 7201 is out of range 1..7200"},
	    {HEAD RS "  expire: 599\n", 4, "rpki: expire: 599 is out of range 600..172800"},
	    {HEAD RS "  refresh: 7200\n", 4,
	     "rpki: expire: 7200 must be above refresh (7200) and retry (600) (RFC 8210 6)"},
	    {HEAD RS "  refresh: 600\n  expire: 600\n", 5,
	     "rpki: expire: 600 must be above refresh (600) and retry (600) (RFC 8210 6)"},
	    {HEAD RS "  invalid: reject\n", 4,
	     "rpki: invalid: unknown value \"reject\" (expected accept | drop)"},
	    {HEAD RS "  refesh: 60\n", 4, "rpki: unknown key 'refesh' (did you mean 'refresh'?)"},
	    {HEAD P1 "    rpki: no\n", 7, "peer p1: rpki: expected true or false, got \"no\""},
	};
#undef RS
	run(cases, RX_ARRAY_LEN(cases));
}

/* Prefix lists, route maps and the peers' import/export keys. */
static void test_policy(void **state)
{
#define PL "prefix-lists:\n  c: [10.0.0.0/8 le 24]\n"
#define RM "route-maps:\n  m:\n"
	static const struct bad cases[] = {
	    {HEAD P1 "    import: nosuch\n", 7, "peer p1: import: no route map named \"nosuch\""},
	    {HEAD RM "    - match: {prefix-list: nope}\n", 4,
	     "route-maps: m: entry 1: prefix-list: no prefix list named \"nope\""},
	    {HEAD "prefix-lists:\n  c: [10.0.0.0/33]\n", 3,
	     "prefix-lists: c: \"10.0.0.0/33\" is not a prefix (address/length, no host bits)"},
	    {HEAD "prefix-lists:\n  c: [\"10.0.0.0/16 le 8\"]\n", 3,
	     "prefix-lists: c: \"10.0.0.0/16 le 8\": lengths out of range: need 16 <= ge <= le "
	     "<= 32"},
	    {HEAD "prefix-lists:\n  c: [\"10.0.0.0/8 le 33\"]\n", 3,
	     "prefix-lists: c: \"10.0.0.0/8 le 33\": le needs a length 0..32"},
	    {HEAD "prefix-lists:\n  c: []\n", 3, "prefix-lists: c: empty list"},
	    {HEAD PL "prefix-lists: {}\n", 4, "duplicate key 'prefix-lists' (first on line 2)"},
	    {HEAD "prefix-lists:\n  \"a b\": [10.0.0.0/8]\n", 3,
	     "prefix-lists: prefix list name \"a b\": 1..63 letters, digits, '.', '_' or '-'"},
	    {HEAD RM "    - match: {as-path: {regex: \"(65001\"}}\n", 4,
	     "route-maps: m: entry 1: regex: \"(65001\" is not a valid regular expression: "
	     "Unmatched ( or \\("},
	    {HEAD RM "    - match: {community: [\"65536:1\"]}\n", 4,
	     "route-maps: m: entry 1: community: \"65536:1\" is not a community (ASN:VALUE, each "
	     "0..65535, or no-export, no-advertise, no-export-subconfed, graceful-shutdown, "
	     "blackhole)"},
	    {HEAD RM "    - match: {large-community: \"1:2\"}\n", 4,
	     "route-maps: m: entry 1: large-community: \"1:2\" is not a large community "
	     "(ASN:DATA1:DATA2, each 0..4294967295)"},
	    {HEAD RM "    - match: {rpki: bogus}\n", 4,
	     "route-maps: m: entry 1: rpki: unknown value \"bogus\" (expected none | not-found | "
	     "valid | invalid)"},
	    {HEAD RM "    - match: {role: [nva, gateway]}\n", 4,
	     "route-maps: m: entry 1: role: unknown value \"gateway\" (expected local | nva | "
	     "expressroute | vpn | rs-client)"},
	    {HEAD RM "    - match: {as-path: {}}\n", 4,
	     "route-maps: m: entry 1: as-path: give regex, contains, origin or max-length"},
	    {HEAD RM "    - action: deny\n      set: {med: 1}\n", 5,
	     "route-maps: m: entry 1: set: has no effect with action deny"},
	    {HEAD RM "    - set: {prepend: 17}\n", 4,
	     "route-maps: m: entry 1: prepend: 17 is out of range 1..16"},
	    {HEAD RM "    - set: {summarise: 10.0.0.1/8}\n", 4,
	     "route-maps: m: entry 1: summarise: \"10.0.0.1/8\" has host bits set (did you mean "
	     "10.0.0.0/8?)"},
	    {HEAD RM "    - set: {summarise: 10.0.0.0/8}\n" P1 "    import: m\n", 10,
	     "peer p1: import: route map \"m\" summarises, which only an export map can (the "
	     "summary is what the route server sends)"},
	    {HEAD RM "    - set: {comunity-add: [\"1:1\"]}\n", 4,
	     "route-maps: m: entry 1: unknown key 'comunity-add' (did you mean 'community-add'?)"},
	    {HEAD RM "    - action: allow\n", 4,
	     "route-maps: m: entry 1: action: unknown value \"allow\" (expected permit | deny)"},
	    {HEAD "route-maps:\n  m: []\n", 3, "route-maps: m: a map needs at least one entry"},
	    {HEAD RM "    - {}\n", 4, "route-maps: m: entry 1: empty entry"},
	    {HEAD RM "    - match: {rpki: invalid}\n" P1 "    import: m\n", 10,
	     "peer p1: import: route map \"m\" matches rpki, which is only known after import: "
	     "use it in an export map (or rpki: {invalid: drop})"},
	};
#undef PL
#undef RM
	run(cases, RX_ARRAY_LEN(cases));
}

int tconf_run_load_errors(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_unknown_keys),      cmocka_unit_test(test_types),
	    cmocka_unit_test(test_router_id_and_asn), cmocka_unit_test(test_addresses_and_prefixes),
	    cmocka_unit_test(test_peer_rules),	      cmocka_unit_test(test_yaml_errors),
	    cmocka_unit_test(test_missing_file),      cmocka_unit_test(test_user_group),
	    cmocka_unit_test(test_bmp),
	    cmocka_unit_test(test_rpki),
	    cmocka_unit_test(test_policy),
	};
	return cmocka_run_group_tests_name("conf_load_errors", tests, tconf_setup, tconf_teardown);
}
