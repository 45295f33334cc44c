"""A raw BGP speaker for end-to-end error-handling tests (tests/interop/test_malformed.py).

It connects from a chosen 127.x source address to routexd, sends an OPEN with the
capabilities a test chooses (or any bytes at all in its place), answers KEEPALIVEs, sends
arbitrary bytes (whole, or split at every byte boundary), and decodes everything routexd
sends back: UPDATEs (withdrawn and announced prefixes, IPv4 and MP_REACH/MP_UNREACH IPv6,
and the raw attributes in the order and with the flags they came in), NOTIFICATIONs
(code, subcode, data) and EOF.

As a receiver it keeps the routes it was sent (`rib`: prefix -> Path) and checks every
UPDATE it receives against RFC 4271 / RFC 7606 (`problems`): a malformed attribute that
routexd accepted must never reach another peer.

Python 3 standard library only. Builders at module level make the bytes; nothing here
decides what a test expects.
"""
import ipaddress
import socket
import struct
import threading
import time

# Message types (RFC 4271 4.1, RFC 2918)
OPEN, UPDATE, NOTIFICATION, KEEPALIVE, ROUTE_REFRESH = 1, 2, 3, 4, 5
# Attribute flags (RFC 4271 4.3)
F_OPT, F_TRANS, F_PARTIAL, F_EXT = 0x80, 0x40, 0x20, 0x10
WK = F_TRANS            # well-known
OPT = F_OPT             # optional non-transitive
OPT_T = F_OPT | F_TRANS  # optional transitive
# Attribute type codes
ORIGIN, AS_PATH, NEXT_HOP, MED, LOCAL_PREF, ATOMIC_AGGREGATE, AGGREGATOR = 1, 2, 3, 4, 5, 6, 7
COMMUNITIES, ORIGINATOR_ID, CLUSTER_LIST, MP_REACH, MP_UNREACH = 8, 9, 10, 14, 15
EXT_COMMUNITIES, AS4_PATH, AS4_AGGREGATOR, BGP_LS, LARGE_COMMUNITIES, OTC = 16, 17, 18, 29, 32, 35
AS_TRANS = 23456

# What a conforming UPDATE may carry (RFC 4271 5, RFC 7606 7, RFC 8092, RFC 9234):
# type -> (Optional/Transitive flags, check(value_len, as4) -> bool)
KNOWN = {
    ORIGIN: (WK, lambda n, as4: n == 1),
    AS_PATH: (WK, lambda n, as4: True),  # segments checked separately
    NEXT_HOP: (WK, lambda n, as4: n == 4),
    MED: (OPT, lambda n, as4: n == 4),
    LOCAL_PREF: (WK, lambda n, as4: n == 4),
    ATOMIC_AGGREGATE: (WK, lambda n, as4: n == 0),
    AGGREGATOR: (OPT_T, lambda n, as4: n == (8 if as4 else 6)),
    COMMUNITIES: (OPT_T, lambda n, as4: n > 0 and n % 4 == 0),
    ORIGINATOR_ID: (OPT, lambda n, as4: n == 4),
    CLUSTER_LIST: (OPT, lambda n, as4: n > 0 and n % 4 == 0),
    MP_REACH: (OPT, lambda n, as4: n >= 5),
    MP_UNREACH: (OPT, lambda n, as4: n >= 3),
    EXT_COMMUNITIES: (OPT_T, lambda n, as4: n > 0 and n % 8 == 0),
    AS4_PATH: (OPT_T, lambda n, as4: not as4),  # never between two 4-octet speakers
    AS4_AGGREGATOR: (OPT_T, lambda n, as4: not as4 and n == 8),
    LARGE_COMMUNITIES: (OPT_T, lambda n, as4: n > 0 and n % 12 == 0),
    OTC: (OPT_T, lambda n, as4: n == 4),
}


# --- builders ------------------------------------------------------------------------------
def msg(typ, body=b"", length=None, marker=b"\xff" * 16):
    """A whole message; `length` overrides the header's length field."""
    n = 19 + len(body) if length is None else length
    return marker + struct.pack("!HB", n, typ) + body


def keepalive():
    return msg(KEEPALIVE)


def notification(code, subcode, data=b""):
    return msg(NOTIFICATION, bytes([code, subcode]) + data)


def cap(code, value=b""):
    return bytes([code, len(value)]) + value


def cap_mp(afi, safi):
    return cap(1, struct.pack("!HBB", afi, 0, safi))


def cap_as4(asn):
    return cap(65, struct.pack("!I", asn))


def cap_ext_msg():
    return cap(6)


def cap_rr():
    return cap(2)


def default_caps(asn, as4=True, v6=True, ext_msg=False):
    c = cap_mp(1, 1) + (cap_mp(2, 1) if v6 else b"") + cap_rr()
    if as4:
        c += cap_as4(asn)
    if ext_msg:
        c += cap_ext_msg()
    return c


def open_body(my_as, bgp_id, hold=30, caps=b"", version=4, params=None, opt_len=None):
    """OPEN body. `params` (bytes) replaces the optional parameters built from `caps`
    (one Capabilities parameter); `opt_len` overrides the Opt Parm Len octet."""
    if params is None:
        params = bytes([2, len(caps)]) + caps if caps else b""
    n = len(params) if opt_len is None else opt_len
    return struct.pack("!BHH4sB", version, my_as, hold, socket.inet_aton(bgp_id), n) + params


def open_msg(asn, bgp_id, hold=30, caps=None, **kw):
    if caps is None:
        caps = default_caps(asn)
    my_as = kw.pop("my_as", asn if asn < 65536 else AS_TRANS)
    return msg(OPEN, open_body(my_as, bgp_id, hold, caps, **kw))


def attr(flags, typ, value=b"", length=None):
    """One path attribute. The Extended Length bit in `flags` picks the 2-octet length;
    `length` overrides the length field (to make it lie)."""
    ext = bool(flags & F_EXT)
    n = len(value) if length is None else length
    return bytes([flags, typ]) + (struct.pack("!H", n) if ext else bytes([n])) + value


def origin(v=0, flags=WK):
    return attr(flags, ORIGIN, bytes([v]))


def seg(asns, typ=2, as4=True):
    return bytes([typ, len(asns)]) + b"".join(
        struct.pack("!I" if as4 else "!H", a) for a in asns)


def as_path(asns, as4=True, flags=WK):
    return attr(flags, AS_PATH, seg(asns, as4=as4) if asns else b"")


def next_hop(addr, flags=WK):
    return attr(flags, NEXT_HOP, socket.inet_aton(addr))


def communities(*pairs, flags=OPT_T):
    return attr(flags, COMMUNITIES, b"".join(struct.pack("!HH", a, b) for a, b in pairs))


def nlri(*prefixes):
    out = b""
    for p in prefixes:
        n = ipaddress.ip_network(p)
        out += bytes([n.prefixlen]) + n.network_address.packed[:(n.prefixlen + 7) // 8]
    return out


def mp_reach6(nh, prefixes, flags=OPT | F_EXT, nh_len=None, afi=2, safi=1, raw_nlri=None):
    nhb = ipaddress.ip_address(nh).packed if isinstance(nh, str) else nh
    v = struct.pack("!HBB", afi, safi, len(nhb) if nh_len is None else nh_len) + nhb + b"\x00"
    v += nlri(*prefixes) if raw_nlri is None else raw_nlri
    return attr(flags, MP_REACH, v)


def mp_unreach6(prefixes, flags=OPT | F_EXT, afi=2, safi=1):
    return attr(flags, MP_UNREACH, struct.pack("!HB", afi, safi) + nlri(*prefixes))


def update_body(withdrawn=b"", attrs=b"", nlri_bytes=b"", wrl=None, tal=None):
    """UPDATE body; `wrl` and `tal` override the two length fields."""
    return (struct.pack("!H", len(withdrawn) if wrl is None else wrl) + withdrawn +
            struct.pack("!H", len(attrs) if tal is None else tal) + attrs + nlri_bytes)


def update(withdrawn=b"", attrs=b"", nlri_bytes=b"", **kw):
    return msg(UPDATE, update_body(withdrawn, attrs, nlri_bytes, **kw))


# --- decoding ------------------------------------------------------------------------------
def split_attrs(block):
    """[(flags, type, value)] of an attribute block; raises ValueError on bad framing."""
    out, i = [], 0
    while i < len(block):
        if len(block) - i < 3:
            raise ValueError("attribute header cut at offset %d" % i)
        flags, typ = block[i], block[i + 1]
        if flags & F_EXT:
            if len(block) - i < 4:
                raise ValueError("extended attribute header cut at offset %d" % i)
            n, h = struct.unpack("!H", block[i + 2:i + 4])[0], 4
        else:
            n, h = block[i + 2], 3
        if i + h + n > len(block):
            raise ValueError("attribute %d overruns the block" % typ)
        out.append((flags, typ, block[i + h:i + h + n]))
        i += h + n
    return out


def parse_prefixes(data, afi):
    bits = 32 if afi == 1 else 128
    size = bits // 8
    out, i = [], 0
    while i < len(data):
        plen = data[i]
        nb = (plen + 7) // 8
        if plen > bits or i + 1 + nb > len(data):
            raise ValueError("bad prefix at offset %d" % i)
        addr = data[i + 1:i + 1 + nb] + bytes(size - nb)
        net = ipaddress.ip_network((addr, plen), strict=False)
        out.append(net.compressed)
        i += 1 + nb
    return out


def aspath_segments(value, as4=True):
    """[(type, [ASes])]; raises ValueError when malformed (RFC 7606 7.2)."""
    w = 4 if as4 else 2
    segs, i = [], 0
    while i < len(value):
        if len(value) - i < 2:
            raise ValueError("segment header cut")
        t, n = value[i], value[i + 1]
        if t not in (1, 2, 3, 4) or n == 0 or i + 2 + n * w > len(value):
            raise ValueError("bad segment type %d count %d" % (t, n))
        segs.append((t, [int.from_bytes(value[i + 2 + k * w:i + 2 + (k + 1) * w], "big")
                         for k in range(n)]))
        i += 2 + n * w
    return segs


class Update:
    """A decoded UPDATE. `attrs`: [(flags, type, value)] as received."""

    def __init__(self, body):
        self.body = body
        wl = struct.unpack("!H", body[:2])[0]
        self.withdrawn = parse_prefixes(body[2:2 + wl], 1)
        tl = struct.unpack("!H", body[2 + wl:4 + wl])[0]
        self.attr_block = body[4 + wl:4 + wl + tl]
        self.attrs = split_attrs(self.attr_block)
        self.announced = parse_prefixes(body[4 + wl + tl:], 1)
        self.next_hop = None
        for flags, typ, v in self.attrs:
            if typ == NEXT_HOP and len(v) == 4:
                self.next_hop = socket.inet_ntoa(v)
            elif typ == MP_REACH:
                afi, safi, nl = struct.unpack("!HBB", v[:4])
                if (afi, safi) == (2, 1):
                    nh = v[4:4 + nl]
                    self.mp_next_hop = ipaddress.ip_address(nh[:16]).compressed
                    self.announced += [(p, self.mp_next_hop)
                                       for p in parse_prefixes(v[5 + nl:], 2)]
            elif typ == MP_UNREACH:
                afi, safi = struct.unpack("!HB", v[:3])
                if (afi, safi) == (2, 1):
                    self.withdrawn += parse_prefixes(v[3:], 2)
        self.announced = [(p, self.next_hop) if isinstance(p, str) else p
                          for p in self.announced]

    def attr(self, typ):
        for a in self.attrs:
            if a[1] == typ:
                return a
        return None


def check_update(body, as4=True):
    """What is wrong with an UPDATE a conforming speaker sends ([] when nothing): framing,
    flags and lengths of known attributes, duplicates, AS_PATH segments, unknown
    attributes that are not optional transitive, BGP-LS outside BGP-LS."""
    try:
        u = Update(body)
    except (ValueError, struct.error, IndexError) as e:
        return ["framing: %s" % e]
    bad, seen = [], set()
    for flags, typ, v in u.attrs:
        if typ in seen:
            bad.append("duplicate attribute %d" % typ)
        seen.add(typ)
        if flags & 0x0F:
            bad.append("attribute %d: low flag bits 0x%02x" % (typ, flags))
        if typ in KNOWN:
            want, ok = KNOWN[typ]
            if flags & (F_OPT | F_TRANS) != want:
                bad.append("attribute %d: flags 0x%02x" % (typ, flags))
            if flags & F_PARTIAL and want != OPT_T:
                bad.append("attribute %d: Partial on a non-transitive attribute" % typ)
            if not ok(len(v), as4):
                bad.append("attribute %d: length %d" % (typ, len(v)))
            if typ in (AS_PATH, AS4_PATH):
                try:
                    aspath_segments(v, as4 or typ == AS4_PATH)
                except ValueError as e:
                    bad.append("attribute %d: %s" % (typ, e))
        elif not (flags & F_OPT and flags & F_TRANS):
            bad.append("unknown attribute %d relayed with flags 0x%02x" % (typ, flags))
        elif typ == BGP_LS:
            bad.append("BGP-LS attribute relayed in a unicast UPDATE")
    if u.announced:
        for t in (ORIGIN, AS_PATH):
            if t not in seen:
                bad.append("mandatory attribute %d missing" % t)
        if any(nh is None for _, nh in u.announced):
            bad.append("IPv4 NLRI without NEXT_HOP")
    return bad


class Path:
    """A route as the receiving speaker holds it."""

    def __init__(self, u, next_hop):
        self.attrs = list(u.attrs)
        self.next_hop = next_hop

    def get(self, typ):
        for a in self.attrs:
            if a[1] == typ:
                return a
        return None

    def types(self):
        return [a[1] for a in self.attrs]

    def as_path(self, as4=True):
        a = self.get(AS_PATH)
        return [x for _, asns in aspath_segments(a[2], as4) for x in asns] if a else None

    def __repr__(self):
        return "Path(nh=%s, %s)" % (self.next_hop, ", ".join(
            "%d/0x%02x:%s" % (t, f, v.hex()) for f, t, v in self.attrs))


# --- the speaker ---------------------------------------------------------------------------
TCP_MD5SIG = getattr(socket, "TCP_MD5SIG", 14)  # linux/tcp.h


def set_tcp_md5(sock, peer, key):
    """TCP-MD5 (RFC 2385) towards `peer` on `sock`, before connect: Linux TCP_MD5SIG with
    struct tcp_md5sig {sockaddr_storage addr (128 octets); u8 flags; u8 prefixlen;
    u16 keylen; int ifindex; u8 key[80]} (native byte order, port ignored)."""
    k = key.encode() if isinstance(key, str) else key
    a = ipaddress.ip_address(peer)
    if a.version == 4:
        sa = struct.pack("=H", socket.AF_INET) + b"\0\0" + a.packed
    else:
        sa = struct.pack("=H", socket.AF_INET6) + b"\0\0" + bytes(4) + a.packed
    sock.setsockopt(socket.IPPROTO_TCP, TCP_MD5SIG,
                    sa.ljust(128, b"\0") + struct.pack("=BBHi80s", 0, 0, len(k), 0, k))


class Speaker:
    """One BGP session from `local` to routexd (`remote`:`port`); `password`: TCP-MD5."""

    def __init__(self, name, local, remote, port, asn, bgp_id, password=None):
        self.name, self.local, self.remote, self.port = name, local, remote, port
        self.asn, self.bgp_id, self.password = asn, bgp_id, password
        self.sock = None
        self.cond = threading.Condition()
        # Held for a whole message (or a whole split send): the reader's KEEPALIVE replies
        # must never land between the octets of a message being sent.
        self.send_lock = threading.RLock()
        self._reset_state()

    def _reset_state(self):
        self.msgs = []          # (type, body) in arrival order
        self.notifications = []  # (code, subcode, data)
        self.eof = False
        self.up = False
        self.peer_open = None
        self.rib = {}           # prefix -> Path
        self.problems = []      # what was wrong with UPDATEs received
        self.max_len = 0        # longest message received
        self.quiet = False      # True: send nothing more, not even KEEPALIVE
        self.as4 = True

    # session ---------------------------------------------------------------------------
    def connect(self, open_bytes=None, establish=True, timeout=10, as4=True):
        """TCP connect, send OPEN (or `open_bytes`), and with `establish` complete the
        handshake (routexd's OPEN, our KEEPALIVE, its KEEPALIVE)."""
        self.close()
        with self.cond:
            self._reset_state()
        self.as4 = as4
        s = socket.socket()
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.bind((self.local, 0))
        if self.password:
            set_tcp_md5(s, self.remote, self.password)
        s.settimeout(timeout)
        s.connect((self.remote, self.port))
        s.settimeout(None)
        self.sock = s
        self.thread = threading.Thread(target=self._read, args=(s,), daemon=True)
        self.thread.start()
        self.send(open_bytes if open_bytes is not None else open_msg(self.asn, self.bgp_id))
        if establish:
            self.wait(lambda: self.peer_open is not None, "OPEN from routexd", timeout)
            self.send(keepalive())
            self.wait(lambda: self.up, "KEEPALIVE from routexd (Established)", timeout)

    def close(self):
        s, self.sock = self.sock, None
        if s:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()
            self.thread.join(5)

    def send(self, data):
        with self.send_lock:
            self.sock.sendall(data)

    def send_split(self, data, step=1, delay=0.0005):
        """Sends `data` in pieces of `step` octets, each its own TCP segment (TCP_NODELAY,
        a pause after each)."""
        with self.send_lock:
            for i in range(0, len(data), step):
                self.sock.sendall(data[i:i + step])
                time.sleep(delay)

    def _read(self, s):
        buf = b""
        while True:
            try:
                chunk = s.recv(65536)
            except OSError:
                chunk = b""
            if not chunk:
                with self.cond:
                    if s is self.sock or self.sock is None:
                        self.eof = True
                    self.cond.notify_all()
                return
            buf += chunk
            while len(buf) >= 19:
                n = struct.unpack("!H", buf[16:18])[0]
                if n < 19 or len(buf) < n:
                    break
                self._got(s, buf[18], buf[19:n], n)
                buf = buf[n:]

    def _got(self, s, typ, body, n):
        reply = None
        with self.cond:
            self.msgs.append((typ, body))
            self.max_len = max(self.max_len, n)
            if typ == OPEN:
                self.peer_open = body
            elif typ == KEEPALIVE:
                if self.peer_open is not None:
                    self.up = True
                if not self.quiet:
                    reply = keepalive()
            elif typ == NOTIFICATION:
                self.notifications.append((body[0], body[1], body[2:]))
            elif typ == UPDATE:
                self._apply(body)
            self.cond.notify_all()
        if reply:
            try:
                with self.send_lock:
                    s.sendall(reply)
            except OSError:
                pass

    def _apply(self, body):
        bad = check_update(body, self.as4)
        if bad:
            self.problems.append((body.hex(), bad))
            return
        u = Update(body)
        for p in u.withdrawn:
            self.rib.pop(p, None)
        for p, nh in u.announced:
            self.rib[p] = Path(u, nh)

    # waiting ----------------------------------------------------------------------------
    def wait(self, cond, what, timeout=10):
        end = time.monotonic() + timeout
        with self.cond:
            while not cond():
                left = end - time.monotonic()
                if left <= 0:
                    raise AssertionError("%s: timed out after %.0f s waiting for %s (eof=%s, "
                                         "notifications=%s)" % (self.name, timeout, what,
                                                                self.eof, self.notifications))
                self.cond.wait(min(left, 0.2))

    def wait_notification(self, timeout=10):
        """The first NOTIFICATION routexd sent, then EOF."""
        self.wait(lambda: self.notifications or self.eof, "a NOTIFICATION", timeout)
        self.wait(lambda: self.eof, "EOF after the NOTIFICATION", timeout)
        return self.notifications[0] if self.notifications else None

    def routes(self):
        with self.cond:
            return dict(self.rib)

    def count(self, typ):
        with self.cond:
            return sum(1 for t, _ in self.msgs if t == typ)
