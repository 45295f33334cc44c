"""bulk.py: a raw BGP speaker fast enough for full tables, for the load and fault tests
(tests/interop/test_faults.py, docs/faults.md).

speaker.py checks every attribute of every UPDATE it receives, which is right for crafted
input and too slow for hundreds of thousands of prefixes. This one pre-encodes its tables
(many prefixes per UPDATE, one attribute block per set of prefixes) and sends them with
sendall; as a receiver it keeps {NLRI bytes: attribute block} and decodes an attribute block
(AS_PATH, NEXT_HOP) once however many prefixes share it. IPv4 unicast only.

What a fault test needs beyond a plain speaker:
- keepalives come from a thread of their own, so a receiver that stops reading (pause())
  still keeps its session alive: routexd alone must decide what to do with it;
- the receive buffer can be made small (rcvbuf) and reads slow (read_delay), so a slow
  consumer really pushes back on routexd instead of parking the table in the kernel;
- every KEEPALIVE's arrival time is kept (liveness: were they sent on time?).

Prefixes are synthetic /24s from 20.0.0.0 upwards (table(n)), each an NLRI key of 4 bytes.
Python 3 standard library only.
"""
import socket
import struct
import threading
import time

OPEN, UPDATE, NOTIFICATION, KEEPALIVE = 1, 2, 3, 4
MAX_MSG = 4096


def msg(typ, body=b""):
    return b"\xff" * 16 + struct.pack("!HB", 19 + len(body), typ) + body


def open_msg(asn, bgp_id, hold):
    """OPEN: multiprotocol IPv4 unicast and 4-octet AS capabilities."""
    caps = bytes([1, 4, 0, 1, 0, 1]) + bytes([65, 4]) + struct.pack("!I", asn)
    opt = bytes([2, len(caps)]) + caps
    return msg(OPEN, struct.pack("!BHH4sB", 4, asn if asn < 65536 else 23456, hold,
                                 socket.inet_aton(bgp_id), len(opt)) + opt)


def table(n, first=0):
    """n distinct /24 NLRI keys (length byte + 3 address bytes), 20.0.0.0/24 upwards."""
    base = 20 << 16
    return [bytes([24]) + (base + i).to_bytes(3, "big") for i in range(first, first + n)]


def key_str(k):
    """An NLRI key as text, for messages."""
    a = k[1:] + bytes(4 - len(k[1:]))
    return "%s/%d" % (socket.inet_ntoa(a), k[0])


def attrs(as_path, next_hop):
    """ORIGIN IGP, AS_PATH (one AS_SEQUENCE, 4-octet ASNs), NEXT_HOP."""
    seg = bytes([2, len(as_path)]) + b"".join(struct.pack("!I", a) for a in as_path)
    return (bytes([0x40, 1, 1, 0]) + bytes([0x40, 2, len(seg)]) + seg +
            bytes([0x40, 3, 4]) + socket.inet_aton(next_hop))


def decode_attrs(block):
    """(AS path tuple, next hop) of an attribute block as routexd sends it."""
    i, path, nh = 0, (), None
    while i < len(block):
        flags, typ = block[i], block[i + 1]
        if flags & 0x10:
            n = struct.unpack_from("!H", block, i + 2)[0]
            v = block[i + 4:i + 4 + n]
            i += 4 + n
        else:
            n = block[i + 2]
            v = block[i + 3:i + 3 + n]
            i += 3 + n
        if typ == 2:
            j, asns = 0, []
            while j < len(v):
                cnt = v[j + 1]
                asns += struct.unpack_from("!%dI" % cnt, v, j + 2)
                j += 2 + 4 * cnt
            path = tuple(asns)
        elif typ == 3:
            nh = socket.inet_ntoa(v)
    return path, nh


def announce_stream(keys, asn, next_hop, per_set=16, extra=()):
    """UPDATEs announcing keys: every per_set consecutive prefixes share one attribute set,
    AS path [asn, *extra, origin] with the origin cycling over 4,096 private ASes, so a
    table has thousands of distinct attribute sets as a real one does. Returns (bytes,
    {key: (as_path, next_hop)})."""
    out, sent = [], {}
    for s in range(0, len(keys), per_set):
        path = (asn,) + tuple(extra) + (4200000000 + (s // per_set) % 4096,)
        a = attrs(path, next_hop)
        chunk = keys[s:s + per_set]
        out.append(msg(UPDATE, b"\0\0" + struct.pack("!H", len(a)) + a + b"".join(chunk)))
        for k in chunk:
            sent[k] = (path, next_hop)
    return b"".join(out), sent


def withdraw_stream(keys):
    """UPDATEs withdrawing keys, as many per message as fit."""
    out, cur, room = [], [], MAX_MSG - 19 - 4
    for k in keys:
        if len(cur) * 4 + len(k) > room:
            w = b"".join(cur)
            out.append(msg(UPDATE, struct.pack("!H", len(w)) + w + b"\0\0"))
            cur = []
        cur.append(k)
    if cur:
        w = b"".join(cur)
        out.append(msg(UPDATE, struct.pack("!H", len(w)) + w + b"\0\0"))
    return b"".join(out)


class BulkPeer:
    """One session with routexd from env.addr(n). rib: {NLRI key: attribute block}."""

    def __init__(self, env, name, n, asn, hold=30, rcvbuf=None):
        self.env, self.name, self.n, self.asn = env, name, n, asn
        self.hold, self.rcvbuf = hold, rcvbuf
        self.sock = None
        self.read_delay = 0.0      # seconds to sleep between reads (a slow consumer)
        self.discard = False       # read and drop everything (a feeder's inbound side)
        self.read_size = 65536
        self._go = threading.Event()  # cleared: reading paused
        self._go.set()
        self._wlock = threading.Lock()
        self._reset()

    @property
    def addr(self):
        return self.env.addr(self.n)

    @property
    def rid(self):
        return "10.253.%d.%d" % (self.env.subnet, self.n)

    def nh(self):
        return self.env.nh4(self.n)

    def _reset(self):
        self.rib = {}
        self.updates = 0
        self.keepalives = []       # arrival times (time.monotonic())
        self.notifications = []    # (code, subcode)
        self.got_open = False
        self.eof = False
        self.bytes_in = 0

    # --- session ---------------------------------------------------------------------------
    def connect(self):
        self._reset()
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if self.rcvbuf:  # before connect: the window is negotiated at the handshake
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.rcvbuf)
        s.bind((self.addr, 0))
        s.connect((self.env.rx_addr, self.env.rx_port))
        self.sock = s
        self.send(open_msg(self.asn, self.rid, self.hold) + msg(KEEPALIVE))
        self._stop = threading.Event()
        self._reader = threading.Thread(target=self._read, args=(s,), daemon=True)
        self._reader.start()
        self._ka = threading.Thread(target=self._keepalive, args=(s, self._stop), daemon=True)
        self._ka.start()

    def close(self, notify=True):
        """Ends the session (Cease/2 Administrative Shutdown first, unless notify is False:
        then the TCP connection just closes)."""
        s = self.sock
        if not s:
            return
        self.sock = None
        self._stop.set()
        self._go.set()
        try:
            if notify:
                with self._wlock:
                    s.sendall(msg(NOTIFICATION, bytes([6, 2])))
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        s.close()
        self._reader.join(5)

    stop = close

    def send(self, data):
        with self._wlock:
            self.sock.sendall(data)

    def _keepalive(self, s, stop):
        while not stop.wait(max(self.hold / 3.0, 0.5)):
            try:
                with self._wlock:
                    s.sendall(msg(KEEPALIVE))
            except OSError:
                return

    # --- receiving -------------------------------------------------------------------------
    def pause(self):
        self._go.clear()

    def resume(self):
        self._go.set()

    def _read(self, s):
        buf = b""
        while True:
            self._go.wait()
            if self.read_delay:
                time.sleep(self.read_delay)
            try:
                chunk = s.recv(self.read_size)
            except OSError:
                chunk = b""
            if not chunk:
                self.eof = True
                return
            self.bytes_in += len(chunk)
            if self.discard:
                continue
            buf += chunk
            i = 0
            while len(buf) - i >= 19:
                n = struct.unpack_from("!H", buf, i + 16)[0]
                if len(buf) - i < n:
                    break
                typ = buf[i + 18]
                if typ == UPDATE:
                    self._update(buf[i + 19:i + n])
                elif typ == KEEPALIVE:
                    self.keepalives.append(time.monotonic())
                elif typ == OPEN:
                    self.got_open = True
                elif typ == NOTIFICATION:
                    self.notifications.append((buf[i + 19], buf[i + 20]))
                i += n
            buf = buf[i:]

    def _update(self, b):
        self.updates += 1
        rib = self.rib
        wl = (b[0] << 8) | b[1]
        i, end = 2, 2 + wl
        while i < end:
            j = i + 1 + ((b[i] + 7) >> 3)
            rib.pop(b[i:j], None)
            i = j
        al = (b[end] << 8) | b[end + 1]
        a = b[end + 2:end + 2 + al]
        i, n = end + 2 + al, len(b)
        while i < n:
            j = i + 1 + ((b[i] + 7) >> 3)
            rib[b[i:j]] = a
            i = j

    # --- what it holds ---------------------------------------------------------------------
    def count(self):
        return len(self.rib)

    def routes(self):
        """{NLRI key: (AS path, next hop)}, each attribute block decoded once."""
        dec, out = {}, {}
        for k, a in list(self.rib.items()):
            r = dec.get(a)
            if r is None:
                r = dec[a] = decode_attrs(a)
            out[k] = r
        return out

    def session(self):
        return (self.sock is not None and not self.eof, id(self.sock))

    def logfiles(self):
        return []


def diff(held, expected, limit=5):
    """'' when held == expected ({key: route}), else a short description of the difference."""
    if held == expected:
        return ""
    missing = [k for k in expected if k not in held]
    extra = [k for k in held if k not in expected]
    wrong = [k for k in expected if k in held and held[k] != expected[k]]
    parts = []
    for what, ks in (("missing", missing), ("unexpected", extra), ("different", wrong)):
        if ks:
            parts.append("%d %s (e.g. %s)" % (len(ks), what, ", ".join(
                "%s %s" % (key_str(k), held.get(k, expected.get(k))) for k in ks[:limit])))
    return "; ".join(parts)
