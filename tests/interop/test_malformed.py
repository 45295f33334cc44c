"""Bad input, end to end: a raw speaker (speaker.py) completes a session with routexd and
sends crafted bytes; each case checks, through live sessions, what RFC 4271 6, RFC 7606 and
the RFCs they name require. See docs/malformed.md for the case table.

Setup, shared by every case of a class (one routexd, so the suite stays fast):
- feeder: BIRD (AS 65002) announcing an IPv4 and an IPv6 prefix: the other peers' routes;
- mon: BIRD (AS 65003), a real peer that must keep the feeder's routes, never reset, and
  holds (or not) what the raw speaker announced;
- bad: the raw speaker under test (AS 65004, eBGP; reconnects after each reset, and with
  the capabilities a case needs: 4-octet AS (default), 2-octet AS, extended messages);
- rcv: a second raw speaker (AS 65005) that only receives: it sees the exact attribute
  bytes routexd relays, and checks every UPDATE against the RFCs (nothing malformed may
  ever reach another peer; no message above 4096 octets, it has no extended messages);
- frr: FRR bgpd (Update and Attrs, when installed), a second real receiver, the strictest
  about what it accepts (it resets on what it considers malformed);
- ibgp: a raw speaker in routexd's own AS (65515, role expressroute; route exchange on),
  for the attributes whose rules differ on iBGP; as4: a raw speaker configured with a
  4-octet AS (4200000007), for AS_TRANS in OPEN.

Every case asserts its exact outcome:
- Reset: the raw speaker receives NOTIFICATION code/subcode (and data where the RFC fixes
  it), then EOF; its canary route is withdrawn at mon (BIRD) and rcv;
- Withdraw (treat-as-withdraw): exactly the prefixes of that UPDATE, announced before,
  disappear from routexd (`show learned bad`), mon and rcv; a bystander announced in
  another UPDATE stays; the session stays up;
- Discard (attribute discard): the route arrives at rcv and mon without that attribute,
  and no UPDATE rcv received carries it;
- Accept: the route arrives with the attributes the case checks (e.g. an unknown optional
  transitive attribute with the Partial bit set);
- Quiet (NOTIFICATION from the raw speaker): routexd answers nothing, closes, and logs the
  shutdown communication sanitised.
and then that routexd still runs (PID, control socket), that the feeder's routes are
unchanged at mon and rcv and no other session reset (routexd's flaps, BIRD's own session
markers, rcv's socket), that routexd's log names the peer and the reason, and that no log
line was suppressed by the rate limit.

Adding a case is one line in a CASES table: name, RFC section, bytes builder, outcome.
"""
import ipaddress
import os
import re
import struct
import time
import unittest

import harness as h
import speaker as sp

RX = h.RX_ASN
BAD_AS, RCV_AS, IBGP_AS, AS4_AS = 65004, 65005, h.RX_ASN, 4200000007
PACE = 0.45  # s per case at least: routexd allows 10 peer log lines a second per call site


# --- outcomes ------------------------------------------------------------------------------
class Reset:
    def __init__(self, code, sub, log, data=None):
        self.code, self.sub, self.log, self.data = code, sub, log, data


class OpenErr(Reset):
    """The case's bytes are the OPEN itself: routexd refuses the session."""


class Withdraw:
    def __init__(self, log, v6=False, plain_log=False):
        self.log, self.v6 = log, v6
        self.plain_log = plain_log  # the log line is not routexd's "malformed UPDATE" one


class Discard:
    def __init__(self, types, log, check=None):
        self.types, self.log, self.check = types, log, check


class Accept:
    def __init__(self, check=None, log=None, count=1, established=False, mon_path=None,
                 absent=None):
        self.check, self.log, self.count = check, log, count
        self.established = established  # OPEN case: the session must come up
        self.mon_path = mon_path  # AS path after the peer's AS when not just [peer AS]
        self.absent = absent      # builder of prefixes that must be gone afterwards


class Withheld:
    """RFC 8654 4: a route routexd holds (`show learned`) but cannot send to a peer without
    extended messages: rcv and mon must not hold it. With `pre`, an earlier version that
    fitted was announced first and must be withdrawn, not left stale."""

    def __init__(self, pre):
        self.pre = pre


class Quiet:
    def __init__(self, log, absent=None):
        self.log, self.absent = log, absent


class Split:
    """Bytes to send one octet per TCP segment."""

    def __init__(self, data):
        self.data = data


class Case:
    def __init__(self, name, rfc, build, expect, session="as4", xfail=None, xfail_frr=False):
        self.name, self.rfc, self.build, self.expect = name, rfc, build, expect
        self.session = session  # as4 | as2 | ext | ibgp | as4peer
        self.xfail = xfail  # a known routexd bug: the case must fail until it is fixed
        self.xfail_frr = xfail_frr  # ... and it shows only with FRR as a receiver


# --- per-case values -----------------------------------------------------------------------
class Ctx:
    """What a builder needs: the case's prefixes, next hop, AS, and valid attributes."""

    def __init__(self, env, i, session):
        s = env.subnet
        self.i, self.env = i, env
        self.as4 = session != "as2"
        self.ibgp = session == "ibgp"
        self.asn = {"ibgp": IBGP_AS, "as4peer": AS4_AS}.get(session, BAD_AS)
        self.v = "198.18.%d.0/24" % i           # victim: the case's route
        self.v2 = "198.18.%d.128/25" % i        # a second victim in the same UPDATE
        self.b = "198.19.%d.0/24" % i           # bystander: another UPDATE, must stay
        self.v6 = "2001:db8:ca5e:%x::/64" % i
        self.b6 = "2001:db8:ca5f:%x::/64" % i
        n = {"ibgp": 6, "as4peer": 7}.get(session, 4)
        self.nh = env.nh4(n)
        self.nh6 = env.nh6(n)

    def path(self, extra=()):
        return [] if self.ibgp else [self.asn] + list(extra)

    def base(self, origin=True, aspath=True, nh=True):
        """ORIGIN IGP, AS_PATH (our AS), NEXT_HOP: a valid IPv4 attribute set."""
        return ((sp.origin(0) if origin else b"") +
                (sp.as_path(self.path(), self.as4) if aspath else b"") +
                (sp.next_hop(self.nh) if nh else b""))

    def upd(self, attrs, *prefixes):
        return sp.update(attrs=attrs, nlri_bytes=sp.nlri(*(prefixes or (self.v,))))

    def good(self, *prefixes):
        return self.upd(self.base(), *prefixes)

    def good6(self, *prefixes):
        return sp.update(attrs=sp.mp_reach6(self.nh6, prefixes or (self.v6,)) +
                         sp.origin(0) + sp.as_path(self.path(), self.as4))

    def opn(self, **kw):
        """An OPEN from the bad peer (keywords: speaker.open_msg / open_body)."""
        return sp.open_msg(BAD_AS, "10.253.%d.4" % self.env.subnet, **kw)


def has(typ, flags=None, value=None):
    """Accept/Discard check: the relayed path carries attribute typ (with flags/value)."""
    def check(p):
        a = p.get(typ)
        assert a is not None, "attribute %d missing: %s" % (typ, p)
        if flags is not None:
            assert a[0] == flags, "attribute %d flags 0x%02x, want 0x%02x" % (typ, a[0], flags)
        if value is not None:
            assert a[2] == value, "attribute %d value %s, want %s" % (typ, a[2].hex(),
                                                                     value.hex())
    return check


def lacks(typ):
    def check(p):
        assert p.get(typ) is None, "attribute %d relayed: %s" % (typ, p)
    return check


def shutdown(text):
    """RFC 9003 2: a length octet, then the communication."""
    return bytes([len(text)]) + text


def aspath_is(*asns):
    def check(p):
        assert p.as_path() == list(asns), "AS_PATH %s, want %s" % (p.as_path(), list(asns))
    return check


def both(*checks):
    def check(p):
        for c in checks:
            c(p)
    return check


# --- the suite -----------------------------------------------------------------------------
class MalformedSuite(unittest.TestCase):
    """One routexd and its peers for all the cases of a subclass (CASES, SUBNET)."""
    SUBNET = None
    CASES = ()
    WITH_FRR = False  # FRR as a second real receiver (the strictest about what it gets)
    failed = False

    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise unittest.SkipTest("interop tests run as root")
        why = h.missing("bird")
        if why:
            raise unittest.SkipTest(why)
        e = cls.env = h.Env(cls.SUBNET, "malformed-%s" % cls.__name__.lower())
        try:
            cls._start(e)
        except BaseException:
            e.close(True)
            raise

    @classmethod
    def _start(cls, e):
        s = e.subnet
        e.exchange = True  # the iBGP (expressroute) speaker's routes reach the NVAs
        e.add_peer("feeder", 2, 65002, "nva")
        e.add_peer("mon", 3, 65003, "nva")
        # 65535-octet UPDATEs carry 13,000 prefixes: above the default limit (4,000)
        e.add_peer("bad", 4, BAD_AS, "nva", **{"max-prefixes": 100000})
        e.add_peer("rcv", 5, RCV_AS, "nva")
        e.add_peer("ibgp", 6, IBGP_AS, "expressroute")
        e.add_peer("as4", 7, AS4_AS, "nva")
        cls.feeder = e.add(h.Bird("feeder", 2, 65002))
        cls.mon = e.add(h.Bird("mon", 3, 65003))
        cls.frr = None
        if cls.WITH_FRR and not h.missing("frr"):
            e.add_peer("frr", 8, 65008, "nva")
            cls.frr = e.add(h.FRR("frr", 8, 65008))
        e.start_routexd()
        cls.rx_pid = e.rx.pid
        e.start(cls.feeder, cls.mon, *([cls.frr] if cls.frr else []))

        def spk(name, n, asn):
            return sp.Speaker(name, e.addr(n), e.rx_addr, e.rx_port, asn,
                              "10.253.%d.%d" % (s, n))
        cls.bad = spk("bad", 4, BAD_AS)
        cls.rcv = spk("rcv", 5, RCV_AS)
        cls.ibgp = spk("ibgp", 6, IBGP_AS)
        cls.as4 = spk("as4", 7, AS4_AS)
        cls.bad_mode = None
        cls.rcv.connect()
        e.established("feeder", "mon", "rcv")
        cls.feed = ["192.0.%d.0/24" % s, "2001:db8:%x::/48" % s]
        cls.feeder.announce(*cls.feed)
        cls.feed_routes = {p: cls.feeder.route(p) for p in cls.feed}
        e.wait_routes(cls.mon, cls.feed_routes)
        cls.others = [cls.feeder, cls.mon]
        if cls.frr:
            e.established("frr")
            e.wait_routes(cls.frr, cls.feed_routes)
            cls.others.append(cls.frr)
        e.wait(lambda: all(p in cls.rcv.routes() for p in cls.feed),
               "rcv holds the feeder's routes")
        peers = e.rx_peers()
        cls.flaps = {n: peers[n]["flaps"] for n in ["feeder", "mon", "rcv"] +
                     (["frr"] if cls.frr else [])}
        cls.bird_sessions = [d.session() for d in cls.others]

    @classmethod
    def tearDownClass(cls):
        for x in ("bad", "rcv", "ibgp", "as4"):
            spk = getattr(cls, x, None)
            if spk:
                spk.close()
        cls.env.close(cls.failed)

    def run(self, result=None):
        n = len(result.failures) + len(result.errors) if result else 0
        r = super().run(result)
        if result and len(result.failures) + len(result.errors) > n:
            type(self).failed = True
        return r

    def rebaseline(self):
        e, cls = self.env, type(self)
        if self.bad.sock:  # its routes go, and with them what made the others reset
            self.disconnect(self.bad, "bad")
        e.established(*cls.flaps)
        for d in self.others[1:]:
            e.wait_routes(d, self.feed_routes)
        peers = e.rx_peers()
        cls.flaps = {n: peers[n]["flaps"] for n in cls.flaps}
        cls.bird_sessions = [d.session() for d in self.others]

    # sessions --------------------------------------------------------------------------
    def disconnect(self, spk, name):
        spk.close()
        self.env.wait(lambda: self.env.rx_peers()[name]["state"] != "Established",
                      "routexd sees %s down" % name)

    def session(self, mode):
        """The speaker a case sends with, established with the capabilities it needs."""
        e = self.env
        if mode == "ibgp":
            if not self.ibgp.up or self.ibgp.eof:
                self.ibgp.connect()
            return self.ibgp, "ibgp"
        if mode == "as4peer":
            return self.as4, "as4"
        cls = type(self)
        if cls.bad_mode != mode or not self.bad.up or self.bad.eof:
            if self.bad.sock:
                self.disconnect(self.bad, "bad")
            caps = sp.default_caps(BAD_AS, as4=mode != "as2", ext_msg=mode == "ext")
            self.bad.connect(sp.open_msg(BAD_AS, self.bad.bgp_id, caps=caps),
                             as4=mode != "as2")
            cls.bad_mode = mode
        return self.bad, "bad"

    # checks ----------------------------------------------------------------------------
    def log_since(self, off):
        with open(self.env.rx_log, "rb") as f:
            f.seek(off)
            return f.read().decode("utf-8", "replace")

    def assert_logged(self, off, name, what):
        self.env.wait(lambda: any(("peer %s: " % name) in l and what in l
                                  for l in self.log_since(off).splitlines()),
                      "routexd logs 'peer %s: ... %s'" % (name, what), timeout=5)

    def mon_route(self, ctx, prefix, path=None):
        asns = (RX,) + tuple(path if path is not None else ctx.path())
        nh = ctx.nh6 if ":" in prefix else ctx.nh
        return h.Route(asns, nh)

    def wait_at_peers(self, ctx, present=(), absent=(), path=None, timeout=None):
        e = self.env
        e.wait(lambda: all(p in self.rcv.routes() for p in present) and
               not any(p in self.rcv.routes() for p in absent),
               "rcv holds %s and not %s" % (list(present), list(absent)),
               timeout=timeout,
               show=lambda: {p: self.rcv.routes().get(p) for p in list(present) + list(absent)})
        e.wait_routes(self.mon, {p: self.mon_route(ctx, p, path) for p in present}, absent,
                      timeout=timeout)

    def learned(self, name):
        return {h.norm_prefix(r["prefix"]) for r in self.env.ctl("show", "learned", name)["routes"]}

    def assert_others_unchanged(self):
        e = self.env
        # routexd runs: its PID, its control socket
        self.assertTrue(e.rx.alive(), "routexd exited\n" + e.logs())
        os.kill(self.rx_pid, 0)
        peers = e.rx_peers()
        for n, f in self.flaps.items():
            self.assertEqual((peers[n]["state"], peers[n]["flaps"]), ("Established", f),
                             "peer %s: %s" % (n, peers[n]))
        self.assertEqual([d.session() for d in self.others], self.bird_sessions,
                         "a daemon's own session was reset")
        for d in self.others[1:]:
            rt = d.routes()
            for p, r in self.feed_routes.items():
                self.assertEqual(rt.get(h.norm_prefix(p)), r, "%s: feeder's %s" % (d.name, p))
        rr = self.rcv.routes()
        for p in self.feed:
            self.assertIn(h.norm_prefix(p), rr, "rcv lost the feeder's %s" % p)
            self.assertEqual(rr[h.norm_prefix(p)].as_path(), [RX, 65002])
        self.assertFalse(self.rcv.eof or self.rcv.notifications,
                         "rcv's session ended: %s" % self.rcv.notifications)
        self.assertEqual(self.rcv.problems, [], "routexd sent rcv a malformed UPDATE")
        self.assertLessEqual(self.rcv.max_len, 4096, "rcv has no extended messages")
        if not self.frr:  # FRR sends everything back: routexd's AS-loop lines are limited
            self.assertNotIn("suppressed", self.log_since(0), "log lines were rate-limited away")

    def updates_since(self, mark, prefix):
        """UPDATEs rcv received since `mark` that announce `prefix`."""
        out = []
        for typ, body in self.rcv.msgs[mark:]:
            if typ == sp.UPDATE:
                u = sp.Update(body)
                if any(p == prefix for p, _ in u.announced):
                    out.append(u)
        return out

    # one case --------------------------------------------------------------------------
    def run_case(self, i, case):
        t0 = time.monotonic()
        e = self.env
        x = case.expect
        if isinstance(x, OpenErr) or (isinstance(x, Accept) and x.established):
            return self.run_open_case(i, case, t0)
        spk, name = self.session(case.session)
        c = Ctx(e, i, case.session)
        path = c.path()
        off = os.path.getsize(e.rx_log)
        mark = len(self.rcv.msgs)
        data = case.build(c)
        send = (lambda: spk.send_split(data.data)) if isinstance(data, Split) else \
            (lambda: spk.send(data))
        if isinstance(x, Reset):
            spk.send(c.good(c.b))
            self.wait_at_peers(c, [c.b], path=path)
            send()
            got = spk.wait_notification()
            self.assertIsNotNone(got, "EOF without a NOTIFICATION")
            self.assertEqual(got[:2], (x.code, x.sub), "NOTIFICATION %s" % (got,))
            if x.data is not None:
                self.assertEqual(got[2], x.data, "NOTIFICATION data")
            self.assertEqual(len(spk.notifications), 1)
            self.wait_at_peers(c, absent=[c.b])
            p = e.rx_peers()[name]
            self.assertNotEqual(p["state"], "Established")
            self.assert_logged(off, name, "sent NOTIFICATION %d/%d" % (x.code, x.sub))
            self.assert_logged(off, name, x.log)
        elif isinstance(x, Withdraw):
            victims, by = ([c.v6], c.b6) if x.v6 else ([c.v, c.v2], c.b)
            good = c.good6 if x.v6 else c.good
            spk.send(good(*victims) + good(by))
            self.wait_at_peers(c, victims + [by], path=path)
            self.assertTrue(set(victims + [by]) <= self.learned(name))
            send()
            self.wait_at_peers(c, [by], victims, path=path)
            e.wait(lambda: not set(victims) & self.learned(name),
                   "routexd withdrew %s from %s" % (victims, name))
            self.assertIn(by, self.learned(name))
            self.assert_logged(off, name, x.log if x.plain_log else
                               "malformed UPDATE (treat-as-withdraw): " + x.log)
        elif isinstance(x, Withheld):
            first = [c.v, c.b] if x.pre else [c.b]
            spk.send(b"".join(c.good(p) for p in first))
            self.wait_at_peers(c, first, path=path)
            send()
            e.wait(lambda: c.v in self.learned(name), "routexd learned %s" % c.v)
            self.wait_at_peers(c, [c.b], [c.v], path=path, timeout=5)
            e.hold_still(self.mon, absent=[c.v], seconds=1)
            self.assertNotIn(c.v, self.rcv.routes())
            self.assertFalse(spk.eof or spk.notifications)
        elif isinstance(x, Quiet):
            spk.quiet = True
            spk.send(data)
            spk.wait(lambda: spk.eof, "routexd closes after our NOTIFICATION")
            time.sleep(0.1)
            self.assertEqual(spk.count(sp.NOTIFICATION), 0,
                             "routexd answered a NOTIFICATION with one")
            self.assert_logged(off, name, x.log)
            line = [l for l in self.log_since(off).splitlines() if "received NOTIFICATION" in l]
            self.assertTrue(line)
            if x.absent:
                self.assertNotIn(x.absent, line[0])
            raw = open(e.rx_log, "rb").read()
            self.assertFalse(re.search(rb"[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]", raw),
                             "control characters reached routexd's log")
        else:  # Accept, Discard
            send()
            want = [c.v] if not isinstance(x, Accept) or x.count == 1 else x.count(c)
            if isinstance(x, Accept) and x.mon_path:
                path = path + x.mon_path
            gone = x.absent(c) if isinstance(x, Accept) and x.absent else []
            self.wait_at_peers(c, want, gone, path=path)
            p = self.rcv.routes()[want[0]]
            if isinstance(x, Discard):
                for t in x.types:
                    self.assertIsNone(p.get(t), "attribute %d relayed: %s" % (t, p))
                    for u in self.updates_since(mark, c.v):
                        self.assertIsNone(u.attr(t), "attribute %d was relayed" % t)
                self.assert_logged(off, name, "malformed UPDATE (attribute discard): " + x.log)
            if x.check:
                x.check(p)
            if isinstance(x, Accept):
                if x.log:
                    self.assert_logged(off, name, x.log)
                else:
                    self.assertNotIn("peer %s: malformed" % name, self.log_since(off))
            self.assertFalse(spk.eof or spk.notifications, "session reset: %s" %
                             spk.notifications)
        self.assert_others_unchanged()
        time.sleep(max(0.0, PACE - (time.monotonic() - t0)))

    def run_open_case(self, i, case, t0):
        e = self.env
        x = case.expect
        c = Ctx(e, i, case.session)
        spk, name = (self.as4, "as4") if case.session == "as4peer" else (self.bad, "bad")
        if spk.sock:
            self.disconnect(spk, name)
        type(self).bad_mode = None
        off = os.path.getsize(e.rx_log)
        data = case.build(c)
        if isinstance(data, Split):
            spk.connect(b"", establish=False)
            spk.send_split(data.data)
        else:
            spk.connect(data, establish=False)
        if isinstance(x, Accept):
            # the speaker answers routexd's KEEPALIVE with its own
            spk.wait(lambda: spk.up, "Established")
            e.established(name)
            spk.send(c.good(c.v))
            self.wait_at_peers(c, [c.v])
            self.disconnect(spk, name)
            self.wait_at_peers(c, absent=[c.v])
        else:
            got = spk.wait_notification()
            self.assertIsNotNone(got, "EOF without a NOTIFICATION")
            self.assertEqual(got[:2], (x.code, x.sub), "NOTIFICATION %s" % (got,))
            if x.data is not None:
                self.assertEqual(got[2], x.data, "NOTIFICATION data")
            self.assertNotEqual(e.rx_peers()[name]["state"], "Established")
            self.assert_logged(off, name, "sent NOTIFICATION %d/%d" % (x.code, x.sub))
            self.assert_logged(off, name, x.log)
            spk.close()
        self.assert_others_unchanged()
        time.sleep(max(0.0, PACE - (time.monotonic() - t0)))


def xfail_then_rebaseline(f):
    """A known-bug case may reset the others' sessions: wait until they are back and take
    their counters afresh, so that the next cases check their own effect only."""
    def run(self):
        try:
            f(self)
        finally:
            self.rebaseline()
    return run


def make_tests(cls):
    """One test method per case of cls.CASES, in table order."""
    for i, case in enumerate(cls.CASES):
        slug = re.sub(r"[^a-z0-9]+", "_", case.name.lower()).strip("_")
        f = lambda self, i=i, case=case: self.run_case(i + 1, case)
        if case.xfail and (not case.xfail_frr or (cls.WITH_FRR and not h.missing("frr"))):
            f = unittest.expectedFailure(xfail_then_rebaseline(f))
        setattr(cls, "test_%02d_%s" % (i, slug), f)
    return cls


# --- the case tables -----------------------------------------------------------------------
def hdr_len(n):
    return struct.pack("!H", n)


def big_update(c, total):
    """An UPDATE of exactly `total` octets: one attribute set and /28 prefixes of
    100.64/10, padded to the exact length with a COMMUNITIES attribute."""
    base = c.base()
    room = total - 23 - len(base)
    n = (room - 8) // 5  # each /28 is 5 octets
    while True:
        pad = room - 5 * n
        hdr = 3 if pad - 3 <= 255 else 4
        if pad - hdr > 0 and (pad - hdr) % 4 == 0:
            break
        n -= 1
    first = int(ipaddress.ip_address("100.64.0.0")) + (c.i % 4) * 2 ** 20
    prefixes = ["%s/28" % ipaddress.ip_address(first + 16 * k) for k in range(n)]
    attrs = base + sp.attr(sp.OPT_T | (sp.F_EXT if hdr == 4 else 0), sp.COMMUNITIES,
                           b"\xfd\xe8\x00\x01" * ((pad - hdr) // 4))
    m = sp.update(attrs=attrs, nlri_bytes=sp.nlri(*prefixes))
    assert len(m) == total, (len(m), total)
    c.big = prefixes
    return m


def open_cases():
    ok = lambda c: c.opn()
    sid = lambda c: "10.253.%d.4" % c.env.subnet
    caps = lambda: sp.default_caps(BAD_AS)
    return [
        Case("OPEN version 3", "RFC 4271 6.2", lambda c: c.opn(version=3),
             OpenErr(2, 1, "unsupported BGP version", data=b"\x00\x04")),
        Case("OPEN My AS 0", "RFC 7607 2", lambda c: c.opn(my_as=0, caps=sp.default_caps(
            BAD_AS, as4=False)), OpenErr(2, 2, "AS 0")),
        Case("OPEN AS4 capability 0", "RFC 7607 2", lambda c: c.opn(
            caps=sp.default_caps(BAD_AS, as4=False) + sp.cap_as4(0)), OpenErr(2, 2, "AS 0")),
        Case("OPEN wrong peer AS", "RFC 4271 6.2", lambda c: c.opn(
            my_as=65099, caps=sp.default_caps(65099)), OpenErr(2, 2, "peer AS does not match")),
        Case("OPEN AS_TRANS without AS4 capability", "RFC 6793 4.2.1",
             lambda c: sp.open_msg(AS4_AS, "10.253.%d.7" % c.env.subnet,
                                   caps=sp.default_caps(AS4_AS, as4=False)),
             OpenErr(2, 2, "peer AS does not match"), session="as4peer"),
        Case("OPEN AS_TRANS with AS4 capability comes up", "RFC 6793 4.2.1",
             lambda c: sp.open_msg(AS4_AS, "10.253.%d.7" % c.env.subnet),
             Accept(established=True), session="as4peer"),
        Case("OPEN hold time 1", "RFC 4271 6.2", lambda c: c.opn(hold=1),
             OpenErr(2, 6, "hold time of 1 or 2")),
        Case("OPEN hold time 2", "RFC 4271 6.2", lambda c: c.opn(hold=2),
             OpenErr(2, 6, "hold time of 1 or 2")),
        Case("OPEN BGP identifier 0", "RFC 6286 2.2", lambda c: sp.open_msg(
            BAD_AS, "0.0.0.0"), OpenErr(2, 3, "BGP identifier is zero")),
        Case("OPEN optional parameters truncated", "RFC 4271 6.2", lambda c: c.opn(
            opt_len=len(caps()) + 2 + 6), OpenErr(2, 0, "optional parameters length mismatch")),
        Case("OPEN optional parameters shorter than sent", "RFC 4271 6.2", lambda c: c.opn(
            opt_len=len(caps())), OpenErr(2, 0, "optional parameters length mismatch")),
        Case("OPEN parameter overruns its length", "RFC 5492 4", lambda c: c.opn(
            params=bytes([2, 40]) + caps()[:20] + b"\x02\x00", opt_len=None),
             OpenErr(2, 0, "optional parameter overrun")),
        Case("OPEN capability overruns its parameter", "RFC 5492 4", lambda c: c.opn(
            params=bytes([2, 8]) + sp.cap_mp(1, 1) + bytes([65, 4, 0, 0])),
             OpenErr(2, 0, "capability overruns its parameter")),
        Case("OPEN AS4 capability of length 2", "RFC 6793 3", lambda c: c.opn(
            caps=sp.cap_mp(1, 1) + sp.cap(65, b"\xfd\xec")), OpenErr(2, 0, "malformed capability")),
        Case("OPEN unsupported optional parameter", "RFC 4271 6.2", lambda c: c.opn(
            params=bytes([1, 2, 0, 0]) + bytes([2, len(caps())]) + caps()),
             OpenErr(2, 4, "unsupported optional parameter")),
        Case("OPEN RFC 9072 extended, cut after 0xFF 0xFF", "RFC 9072 2", lambda c: sp.msg(
            sp.OPEN, sp.open_body(BAD_AS, sid(c), 30, params=b"\xff", opt_len=255)),
             OpenErr(2, 0, "extended parameters truncated")),
        Case("OPEN RFC 9072 extended, cut in the length", "RFC 9072 2", lambda c: sp.msg(
            sp.OPEN, sp.open_body(BAD_AS, sid(c), 30, params=b"\xff\x00", opt_len=255)),
             OpenErr(2, 0, "extended parameters truncated")),
        Case("OPEN RFC 9072 extended length overruns", "RFC 9072 2", lambda c: sp.msg(
            sp.OPEN, sp.open_body(BAD_AS, sid(c), 30, opt_len=255, params=b"\xff" +
                                  struct.pack("!H", 200) + b"\x02" +
                                  struct.pack("!H", len(caps())) + caps())),
             OpenErr(2, 0, "optional parameters length mismatch")),
        Case("OPEN RFC 9072 parameter length overruns", "RFC 9072 2", lambda c: sp.msg(
            sp.OPEN, sp.open_body(BAD_AS, sid(c), 30, opt_len=255, params=b"\xff" +
                                  struct.pack("!H", 3 + len(caps())) + b"\x02" +
                                  struct.pack("!H", len(caps()) + 1) + caps())),
             OpenErr(2, 0, "optional parameter overrun")),
        Case("OPEN RFC 9072 extended, well formed, comes up", "RFC 9072 2", lambda c: sp.msg(
            sp.OPEN, sp.open_body(BAD_AS, sid(c), 30, opt_len=255, params=b"\xff" +
                                  struct.pack("!H", 3 + len(caps())) + b"\x02" +
                                  struct.pack("!H", len(caps())) + caps())),
             Accept(established=True)),
        Case("OPEN one octet per segment", "RFC 4271 4.1",
             lambda c: Split(c.opn()), Accept(established=True)),
        Case("KEEPALIVE instead of OPEN", "RFC 6608 3", lambda c: sp.keepalive(),
             OpenErr(5, 1, "unexpected message for the state")),
        Case("UPDATE in OpenConfirm", "RFC 6608 3", lambda c: c.opn() + c.good(),
             OpenErr(5, 2, "unexpected message for the state")),
        Case("OPEN again in OpenConfirm", "RFC 6608 3", lambda c: c.opn() + c.opn(),
             OpenErr(5, 2, "unexpected message for the state")),
        Case("OPEN shorter than 29 octets", "RFC 4271 6.1",
             lambda c: sp.msg(sp.OPEN, c.opn()[19:28]), OpenErr(1, 2, "bad message length",
                                                               data=hdr_len(28))),
    ]


def header_cases():
    return [
        Case("header marker not all ones", "RFC 4271 6.1",
             lambda c: sp.msg(sp.KEEPALIVE, marker=b"\xff" * 15 + b"\xfe"),
             Reset(1, 1, "marker is not all ones")),
        Case("header length 18", "RFC 4271 6.1", lambda c: sp.msg(sp.KEEPALIVE, length=18),
             Reset(1, 2, "bad message length", data=hdr_len(18))),
        Case("header UPDATE length 22", "RFC 4271 6.1",
             lambda c: sp.msg(sp.UPDATE, b"\x00\x00\x00", length=22),
             Reset(1, 2, "bad message length", data=hdr_len(22))),
        Case("header length 4097 without extended messages", "RFC 4271 6.1, RFC 8654 4",
             lambda c: sp.msg(sp.UPDATE, length=4097) + bytes(4078),
             Reset(1, 2, "bad message length", data=hdr_len(4097))),
        Case("header unknown type 7", "RFC 4271 6.1", lambda c: sp.msg(7),
             Reset(1, 3, "unknown message type", data=b"\x07")),
        Case("header unknown type 255", "RFC 4271 6.1", lambda c: sp.msg(255, b"abc"),
             Reset(1, 3, "unknown message type", data=b"\xff")),
        Case("KEEPALIVE with a body", "RFC 4271 6.1", lambda c: sp.msg(sp.KEEPALIVE, b"\x00"),
             Reset(1, 2, "bad message length", data=hdr_len(20))),
        Case("OPEN in Established", "RFC 6608 4", lambda c: c.opn(),
             Reset(5, 3, "unexpected message for the state")),
        Case("ROUTE-REFRESH of length 22", "RFC 4271 6.1, RFC 2918 3",
             lambda c: sp.msg(sp.ROUTE_REFRESH, b"\x00\x01\x00"),
             Reset(1, 2, "bad message length", data=hdr_len(22))),
        Case("ROUTE-REFRESH BoRR of length 24", "RFC 7313 5",
             lambda c: sp.msg(sp.ROUTE_REFRESH, b"\x00\x01\x01\x01\x00"),
             Reset(7, 1, "ROUTE-REFRESH of invalid length")),
        Case("UPDATE one octet per segment", "RFC 4271 4.1", lambda c: Split(c.good()),
             Accept(check=aspath_is(RX, BAD_AS))),
        Case("256 UPDATEs in one segment", "RFC 4271 4.1",
             lambda c: b"".join(c.good("100.%d.%d.0/24" % (100 + c.i % 20, k))
                                for k in range(255)) + c.good(),
             Accept(check=aspath_is(RX, BAD_AS), count=lambda c: [c.v] + [
                 "100.%d.%d.0/24" % (100 + c.i % 20, k) for k in range(255)])),
        Case("extended messages: UPDATE of 5000 octets", "RFC 8654 3",
             lambda c: big_update(c, 5000), Accept(count=lambda c: c.big[::97] + [c.big[-1]]),
             session="ext"),
        Case("extended messages: UPDATE of 65535 octets", "RFC 8654 3",
             lambda c: big_update(c, 65535), Accept(count=lambda c: c.big[::997] + [c.big[-1]]),
             session="ext"),
        Case("extended messages: attributes over 4096 withheld", "RFC 8654 4",
             lambda c: c.upd(c.base() + sp.attr(sp.OPT_T | sp.F_EXT, 250, bytes(4100))),
             Withheld(pre=False), session="ext"),
        Case("extended messages: grown over 4096, withdrawn", "RFC 8654 4",
             lambda c: c.upd(c.base() + sp.attr(sp.OPT_T | sp.F_EXT, 250, bytes(4100))),
             Withheld(pre=True), session="ext"),
        Case("extended messages: KEEPALIVE of 4097 octets", "RFC 8654 4",
             lambda c: sp.msg(sp.KEEPALIVE, bytes(4078)),
             Reset(1, 2, "bad message length", data=hdr_len(4097)), session="ext"),
        Case("extended messages: OPEN of 4097 octets", "RFC 8654 4",
             lambda c: sp.msg(sp.OPEN, bytes(4078)),
             Reset(1, 2, "bad message length", data=hdr_len(4097)), session="ext"),
        Case("NOTIFICATION: control characters sanitised", "RFC 9003 2",
             lambda c: sp.notification(6, 2, shutdown(b"\x1b[31mred\x07\nline\x7f end")),
             Quiet('6/2 (Cease/Administrative Shutdown): "?[31mred??line? end"')),
        Case("NOTIFICATION: C1 control characters sanitised", "RFC 9003 2",
             lambda c: sp.notification(6, 2, shutdown("a\u009b2Jb\u0085c".encode())),
             Quiet('6/2 (Cease/Administrative Shutdown): "a?2Jb?c"')),
        Case("NOTIFICATION: shutdown communication longer than the data", "RFC 9003 2",
             lambda c: sp.notification(6, 2, bytes([255]) + b"short\x1b[2J"),
             Quiet("received NOTIFICATION 6/2 (Cease/Administrative Shutdown)",
                   absent="short")),
        Case("NOTIFICATION: 255-octet communication, cut UTF-8", "RFC 9003 2",
             lambda c: sp.notification(6, 4, bytes([255]) + "é".encode() * 128),
             Quiet('6/4 (Cease/Administrative Reset): "%s?"' % ("é" * 127))),
        Case("NOTIFICATION: UPDATE error from the peer", "RFC 4271 6",
             lambda c: sp.notification(3, 1, b"\x00" * 3000),
             Quiet("received NOTIFICATION 3/1")),
    ]


def update_cases():
    W = Withdraw
    return [
        Case("withdrawn routes length overruns", "RFC 4271 6.3, RFC 7606 3.b",
             lambda c: sp.update(sp.nlri(c.v), wrl=200),
             Reset(3, 1, "withdrawn routes length overrun")),
        Case("withdrawn routes length underruns", "RFC 7606 3.b",
             lambda c: sp.update(sp.nlri("198.18.0.0/24"), c.base(), sp.nlri(c.v), wrl=0),
             Reset(3, 1, "attribute length overrun")),
        Case("total attribute length overruns", "RFC 7606 3.b",
             lambda c: sp.update(attrs=c.base(), nlri_bytes=sp.nlri(c.v), tal=100),
             Reset(3, 1, "attribute length overrun")),
        Case("attribute overruns the attribute block", "RFC 7606 4",
             lambda c: c.upd(c.base() + sp.attr(sp.OPT, sp.MED, b"\x00\x00\x00\x01",
                                                length=8), c.v, c.v2),
             W("attribute overruns the attribute block")),
        Case("two octets left in the attribute block", "RFC 7606 4",
             lambda c: c.upd(c.base() + b"\x80\x04", c.v, c.v2),
             W("attribute overruns the attribute block")),
        Case("NLRI prefix length 33", "RFC 7606 5.3",
             lambda c: sp.update(attrs=c.base(), nlri_bytes=b"\x21\xc6\x12\x00\x00\x00"),
             Reset(3, 10, "malformed NLRI")),
        Case("NLRI last prefix overruns", "RFC 7606 5.3",
             lambda c: sp.update(attrs=c.base(), nlri_bytes=sp.nlri(c.v) + b"\x18\xc6\x12"),
             Reset(3, 10, "malformed NLRI")),
        Case("withdrawn prefix length 33", "RFC 7606 3.i, 5.3",
             lambda c: sp.update(b"\x21\xc6\x12\x00\x00\x00"),
             Reset(3, 10, "malformed withdrawn routes")),
        Case("MP_REACH IPv6 prefix length 129", "RFC 7606 5.3, RFC 4760 7",
             lambda c: sp.update(attrs=sp.mp_reach6(c.nh6, (), raw_nlri=b"\x81" + bytes(17)) +
                                 sp.origin(0) + sp.as_path(c.path())),
             Reset(3, 9, "MP_REACH_NLRI prefix is malformed")),
        Case("MP_REACH IPv6 next-hop length 4", "RFC 7606 7.11",
             lambda c: sp.update(attrs=sp.mp_reach6(b"\x0a\xfe\x00\x04", [c.v6]) +
                                 sp.origin(0) + sp.as_path(c.path())),
             Reset(3, 9, "next-hop length does not fit the family")),
        Case("MP_REACH next hop overruns the attribute", "RFC 7606 7.11",
             lambda c: sp.update(attrs=sp.attr(sp.OPT, sp.MP_REACH, b"\x00\x02\x01\x10" +
                                               bytes(8)) + sp.origin(0) + sp.as_path(c.path())),
             Reset(3, 9, "next hop overruns the attribute")),
        Case("MP_REACH of length 3", "RFC 7606 5.3",
             lambda c: sp.update(attrs=sp.attr(sp.OPT, sp.MP_REACH, b"\x00\x02\x01") +
                                 sp.origin(0) + sp.as_path(c.path())),
             Reset(3, 9, "MP_REACH_NLRI shorter than 5 octets")),
        Case("MP_UNREACH of length 2", "RFC 7606 5.3",
             lambda c: sp.update(attrs=sp.attr(sp.OPT, sp.MP_UNREACH, b"\x00\x02")),
             Reset(3, 9, "MP_UNREACH_NLRI shorter than 3 octets")),
        Case("MP_REACH with unknown AFI/SAFI ignored", "RFC 4760 6",
             lambda c: c.upd(sp.attr(sp.OPT, sp.MP_REACH, struct.pack("!HBB", 9999, 77, 4) +
                                     b"\x0a\x00\x00\x01\x00\x08\x0a") + c.base()),
             Accept(check=aspath_is(RX, BAD_AS))),
        Case("MP_REACH IPv4 with an IPv6 next hop, RFC 8950 not negotiated", "RFC 8950 4",
             lambda c: sp.update(attrs=sp.mp_reach6(c.nh6, [c.v, c.v2], afi=1) +
                                 sp.origin(0) + sp.as_path(c.path())),
             W("IPv4 prefixes with a 16-octet next hop", plain_log=True)),
        Case("MP_REACH IPv6 next hop ::", "RFC 4271 6.3, RFC 2545 3",
             lambda c: sp.update(attrs=sp.mp_reach6("::", [c.v6]) + sp.origin(0) +
                                 sp.as_path(c.path())),
             W("MP_REACH_NLRI next hop is not a unicast address", v6=True)),
        Case("MP_REACH IPv6 next hop multicast", "RFC 4271 6.3, RFC 2545 3",
             lambda c: sp.update(attrs=sp.mp_reach6("ff02::1", [c.v6]) + sp.origin(0) +
                                 sp.as_path(c.path())),
             W("MP_REACH_NLRI next hop is not a unicast address", v6=True)),
        Case("MP_REACH IPv6 next hop link-local alone", "RFC 2545 3",
             lambda c: sp.update(attrs=sp.mp_reach6("fe80::4", [c.v6]) + sp.origin(0) +
                                 sp.as_path(c.path())),
             W("MP_REACH_NLRI next hop is not a unicast address", v6=True)),
        Case("MP_REACH IPv6 next hop IPv4-mapped", "RFC 4291 2.5.5.2",
             lambda c: sp.update(attrs=sp.mp_reach6("::ffff:10.254.0.4", [c.v6]) + sp.origin(0) +
                                 sp.as_path(c.path())),
             W("MP_REACH_NLRI next hop is not a unicast address", v6=True)),
        Case("MP_REACH IPv6 global and link-local next hops", "RFC 2545 3",
             lambda c: sp.update(attrs=sp.mp_reach6(
                 sp.ipaddress.ip_address(c.nh6).packed + sp.ipaddress.ip_address("fe80::4").packed,
                 [c.v6]) + sp.origin(0) + sp.as_path(c.path())),
             Accept(count=lambda c: [c.v6])),
        Case("duplicate MP_REACH", "RFC 7606 3.g",
             lambda c: sp.update(attrs=sp.mp_reach6(c.nh6, [c.v6]) + sp.mp_reach6(
                 c.nh6, [c.b6]) + sp.origin(0) + sp.as_path(c.path())),
             Reset(3, 1, "duplicate MP attribute")),
        Case("duplicate MP_UNREACH", "RFC 7606 3.g",
             lambda c: sp.update(attrs=sp.mp_unreach6([c.v6]) + sp.mp_unreach6([c.b6])),
             Reset(3, 1, "duplicate MP attribute")),
        Case("missing ORIGIN", "RFC 7606 3.d", lambda c: c.upd(c.base(origin=False), c.v, c.v2),
             W("missing well-known mandatory attribute")),
        Case("missing AS_PATH", "RFC 7606 3.d", lambda c: c.upd(c.base(aspath=False), c.v, c.v2),
             W("missing well-known mandatory attribute")),
        Case("missing NEXT_HOP", "RFC 7606 3.d", lambda c: c.upd(c.base(nh=False), c.v, c.v2),
             W("missing well-known mandatory attribute")),
        Case("missing ORIGIN with MP_REACH", "RFC 7606 3.d",
             lambda c: sp.update(attrs=sp.mp_reach6(c.nh6, [c.v6]) + sp.as_path(c.path())),
             W("missing well-known mandatory attribute", v6=True)),
        Case("MP_REACH without NEXT_HOP is fine", "RFC 4760 3",
             lambda c: c.good6(), Accept(count=lambda c: [c.v6])),
        Case("attributes without NLRI: reset", "RFC 7606 5.2",
             lambda c: sp.update(attrs=sp.attr(sp.WK, sp.ORIGIN, b"\x00\x00") +
                                 sp.as_path(c.path()) + sp.next_hop(c.nh)),
             Reset(3, 5, "ORIGIN length is not 1")),
        Case("unrecognized well-known attribute", "RFC 4271 6.3",
             lambda c: c.upd(c.base() + sp.attr(sp.WK, 200, b"abcd")),
             Reset(3, 2, "unrecognized well-known attribute")),
        Case("unrecognized attribute, no flags", "RFC 4271 6.3",
             lambda c: c.upd(c.base() + sp.attr(0, 201, b"abcd")),
             Reset(3, 2, "unrecognized well-known attribute")),
        Case("duplicate MP_REACH after a TAW error", "RFC 7606 3.g, 3.h",
             lambda c: sp.update(attrs=sp.attr(sp.WK, sp.ORIGIN, b"\x07") +
                                 sp.mp_reach6(c.nh6, [c.v6]) + sp.mp_reach6(c.nh6, [c.v6]) +
                                 sp.as_path(c.path())),
             Reset(3, 1, "duplicate MP attribute")),
    ]


def attr_cases():
    W, D = Withdraw, Discard
    comm = sp.communities((65000, 1))
    unk = b"\x01\x02\x03\x04\x05"
    return [
        Case("ORIGIN with the Optional bit", "RFC 7606 3.c",
             lambda c: c.upd(sp.origin(0, flags=sp.OPT_T) + c.base(origin=False), c.v, c.v2),
             W("attribute flags conflict")),
        Case("ORIGIN length 2", "RFC 7606 7.1",
             lambda c: c.upd(sp.attr(sp.WK, sp.ORIGIN, b"\x00\x00") + c.base(origin=False),
                             c.v, c.v2), W("ORIGIN length is not 1")),
        Case("ORIGIN value 3", "RFC 7606 7.1",
             lambda c: c.upd(sp.origin(3) + c.base(origin=False), c.v, c.v2),
             W("undefined ORIGIN value")),
        Case("AS_PATH segment overrun", "RFC 7606 7.2",
             lambda c: c.upd(sp.origin(0) + sp.attr(sp.WK, sp.AS_PATH, b"\x02\x03" +
                                                    struct.pack("!II", BAD_AS, 1)) +
                             sp.next_hop(c.nh), c.v, c.v2), W("malformed AS_PATH segment")),
        Case("AS_PATH zero-length segment", "RFC 7606 7.2",
             lambda c: c.upd(sp.origin(0) + sp.attr(sp.WK, sp.AS_PATH, sp.seg([BAD_AS]) +
                                                    b"\x02\x00") + sp.next_hop(c.nh),
                             c.v, c.v2), W("malformed AS_PATH segment")),
        Case("AS_PATH segment type 5", "RFC 7606 7.2",
             lambda c: c.upd(sp.origin(0) + sp.attr(sp.WK, sp.AS_PATH, sp.seg([BAD_AS], 5)) +
                             sp.next_hop(c.nh), c.v, c.v2), W("malformed AS_PATH segment")),
        Case("AS_PATH with AS 0", "RFC 7607 2",
             lambda c: c.upd(sp.origin(0) + sp.as_path([BAD_AS, 0]) + sp.next_hop(c.nh),
                             c.v, c.v2), W("AS 0 in AS_PATH")),
        Case("NEXT_HOP length 5", "RFC 7606 7.3",
             lambda c: c.upd(c.base(nh=False) + sp.attr(sp.WK, sp.NEXT_HOP, b"\x0a\xfe\x00\x04\x00"),
                             c.v, c.v2), W("NEXT_HOP length is not 4")),
        Case("NEXT_HOP 0.0.0.0", "RFC 4271 6.3",
             lambda c: c.upd(c.base(nh=False) + sp.next_hop("0.0.0.0"), c.v, c.v2),
             W("NEXT_HOP is not a unicast host address")),
        Case("NEXT_HOP 127.0.0.1 (loopback)", "RFC 4271 6.3, RFC 1122 3.2.1.3",
             lambda c: c.upd(c.base(nh=False) + sp.next_hop("127.0.0.1"), c.v, c.v2),
             W("prefixes with NEXT_HOP 127.0.0.1 (RFC 1122 3.2.1.3)", plain_log=True)),
        Case("NEXT_HOP 0.1.2.3 (this network)", "RFC 4271 6.3, RFC 1122 3.2.1.3",
             lambda c: c.upd(c.base(nh=False) + sp.next_hop("0.1.2.3"), c.v, c.v2),
             W("prefixes with NEXT_HOP 0.1.2.3 (RFC 1122 3.2.1.3)", plain_log=True)),
        Case("NEXT_HOP 255.255.255.255", "RFC 4271 6.3",
             lambda c: c.upd(c.base(nh=False) + sp.next_hop("255.255.255.255"), c.v, c.v2),
             W("NEXT_HOP is not a unicast host address")),
        Case("MULTI_EXIT_DISC length 3", "RFC 7606 7.4",
             lambda c: c.upd(c.base() + sp.attr(sp.OPT, sp.MED, b"\x00\x00\x01"), c.v, c.v2),
             W("MULTI_EXIT_DISC length is not 4")),
        Case("MULTI_EXIT_DISC transitive", "RFC 7606 3.c",
             lambda c: c.upd(c.base() + sp.attr(sp.OPT_T, sp.MED, b"\x00\x00\x00\x01"), c.v, c.v2),
             W("attribute flags conflict")),
        Case("LOCAL_PREF length 3 from iBGP", "RFC 7606 7.5",
             lambda c: c.upd(c.base() + sp.attr(sp.WK, sp.LOCAL_PREF, b"\x00\x00\x64"),
                             c.v, c.v2), W("LOCAL_PREF length is not 4"), session="ibgp"),
        Case("ORIGINATOR_ID length 3 from iBGP", "RFC 7606 7.9",
             lambda c: c.upd(c.base() + sp.attr(sp.OPT, sp.ORIGINATOR_ID, b"\x0a\x00\x00"),
                             c.v, c.v2), W("ORIGINATOR_ID length is not 4"), session="ibgp"),
        Case("CLUSTER_LIST length 5 from iBGP", "RFC 7606 7.10",
             lambda c: c.upd(c.base() + sp.attr(sp.OPT, sp.CLUSTER_LIST, bytes(5)), c.v, c.v2),
             W("CLUSTER_LIST length"), session="ibgp"),
        Case("LOCAL_PREF from eBGP", "RFC 7606 7.5",
             lambda c: c.upd(c.base() + sp.attr(sp.WK, sp.LOCAL_PREF, b"\x00\x00\x64")),
             D([sp.LOCAL_PREF], "LOCAL_PREF from an external peer")),
        Case("ATOMIC_AGGREGATE length 1", "RFC 7606 7.6",
             lambda c: c.upd(c.base() + sp.attr(sp.WK, sp.ATOMIC_AGGREGATE, b"\x01")),
             D([sp.ATOMIC_AGGREGATE], "ATOMIC_AGGREGATE length is not 0")),
        Case("AGGREGATOR length 6 on a 4-octet session", "RFC 7606 7.7",
             lambda c: c.upd(c.base() + sp.attr(sp.OPT_T, sp.AGGREGATOR, b"\xfd\xec\x0a\x00\x00\x01")),
             D([sp.AGGREGATOR], "AGGREGATOR length does not match")),
        Case("AGGREGATOR length 8 on a 2-octet session", "RFC 7606 7.7",
             lambda c: c.upd(c.base() + sp.attr(sp.OPT_T, sp.AGGREGATOR,
                                                b"\x00\x00\xfd\xec\x0a\x00\x00\x01")),
             D([sp.AGGREGATOR], "AGGREGATOR length does not match"), session="as2"),
        Case("AGGREGATOR not transitive", "RFC 7606 3.c, 7.7",
             lambda c: c.upd(c.base() + sp.attr(sp.OPT, sp.AGGREGATOR,
                                                struct.pack("!I", BAD_AS) + b"\x0a\x00\x00\x01")),
             D([sp.AGGREGATOR], "attribute flags conflict")),
        Case("AS4_PATH on a 4-octet session", "RFC 6793 4.2.2",
             lambda c: c.upd(c.base() + sp.attr(sp.OPT_T, sp.AS4_PATH, sp.seg([4200000001]))),
             D([sp.AS4_PATH], "AS4_PATH on a 4-octet AS session",
               check=aspath_is(RX, BAD_AS))),
        Case("AS4_PATH longer than AS_PATH is ignored", "RFC 6793 4.2.3",
             lambda c: c.upd(c.base() + sp.attr(sp.OPT_T, sp.AS4_PATH, sp.seg(
                 [4200000001, 4200000002, 4200000003]))),
             Accept(check=both(aspath_is(RX, BAD_AS), lacks(sp.AS4_PATH))),
             session="as2"),
        Case("AS4_PATH merged on a 2-octet session", "RFC 6793 4.2.3",
             lambda c: c.upd(sp.origin(0) + sp.as_path([BAD_AS, sp.AS_TRANS], as4=False) +
                             sp.next_hop(c.nh) + sp.attr(sp.OPT_T, sp.AS4_PATH,
                                                         sp.seg([4200000001]))),
             Accept(check=both(aspath_is(RX, BAD_AS, 4200000001), lacks(sp.AS4_PATH)),
                    mon_path=[4200000001]), session="as2"),
        Case("AS4_PATH segment overrun on a 2-octet session", "RFC 6793 6",
             lambda c: c.upd(c.base() + sp.attr(sp.OPT_T, sp.AS4_PATH, b"\x02\x02" +
                                                struct.pack("!I", 4200000001))),
             D([sp.AS4_PATH], "malformed AS4_PATH", check=aspath_is(RX, BAD_AS)),
             session="as2"),
        Case("COMMUNITIES length 5", "RFC 7606 7.8",
             lambda c: c.upd(c.base() + sp.attr(sp.OPT_T, sp.COMMUNITIES, bytes(5)), c.v, c.v2),
             W("COMMUNITIES length is not a non-zero multiple of 4")),
        Case("COMMUNITIES length 0", "RFC 7606 7.8",
             lambda c: c.upd(c.base() + sp.attr(sp.OPT_T, sp.COMMUNITIES), c.v, c.v2),
             W("COMMUNITIES length is not a non-zero multiple of 4")),
        Case("COMMUNITIES not transitive", "RFC 7606 3.c",
             lambda c: c.upd(c.base() + sp.communities((65000, 1), flags=sp.OPT), c.v, c.v2),
             W("attribute flags conflict")),
        Case("EXTENDED_COMMUNITIES length 7", "RFC 7606 7.14",
             lambda c: c.upd(c.base() + sp.attr(sp.OPT_T, sp.EXT_COMMUNITIES, bytes(7)),
                             c.v, c.v2), W("EXTENDED_COMMUNITIES length")),
        Case("LARGE_COMMUNITIES length 11 (2023)", "RFC 8092 5, RFC 7606 7",
             lambda c: c.upd(c.base() + sp.attr(sp.OPT_T, sp.LARGE_COMMUNITIES, bytes(11)),
                             c.v, c.v2), W("LARGE_COMMUNITIES length")),
        Case("LARGE_COMMUNITIES length 0", "RFC 8092 5",
             lambda c: c.upd(c.base() + sp.attr(sp.OPT_T, sp.LARGE_COMMUNITIES), c.v, c.v2),
             W("LARGE_COMMUNITIES length")),
        Case("OTC length 3", "RFC 9234 5",
             lambda c: c.upd(c.base() + sp.attr(sp.OPT_T, sp.OTC, b"\x00\xfd\xec"), c.v, c.v2),
             W("OTC length is not 4")),
        Case("BGP-LS attribute 29, corrupt, transitive (2023)", "RFC 9552 5.3",
             lambda c: c.upd(c.base() + sp.attr(sp.OPT_T, sp.BGP_LS, b"\x04\x04\x00\x09junk")),
             D([sp.BGP_LS], "BGP-LS attribute outside BGP-LS")),
        Case("BGP-LS attribute 29 on a withdrawal (2023)", "RFC 9552 5.3, RFC 7606 5.2",
             lambda c: c.good(c.b) + c.good() + sp.update(sp.nlri(c.b), sp.attr(
                 sp.OPT_T, sp.BGP_LS, b"\xff")),
             Accept(log="BGP-LS attribute outside BGP-LS", absent=lambda c: [c.b])),
        Case("duplicate ORIGIN: first kept", "RFC 7606 3.g",
             lambda c: c.upd(sp.origin(0) + sp.origin(2) + c.base(origin=False)),
             D([], "duplicate attribute: first kept", check=has(sp.ORIGIN, sp.WK, b"\x00"))),
        Case("duplicate COMMUNITIES: first kept", "RFC 7606 3.g",
             lambda c: c.upd(c.base() + comm + sp.communities((65000, 2))),
             D([], "duplicate attribute: first kept", check=has(sp.COMMUNITIES, sp.OPT_T,
                                                                 b"\xfd\xe8\x00\x01"))),
        Case("duplicate unknown attribute: first kept", "RFC 7606 3.g",
             lambda c: c.upd(c.base() + sp.attr(sp.OPT_T, 240, b"one") +
                             sp.attr(sp.OPT_T, 240, b"two")),
             D([], "duplicate attribute: first kept",
               check=has(240, sp.OPT_T | sp.F_PARTIAL, b"one"))),
        Case("unknown optional transitive: Partial set", "RFC 4271 5, 9",
             lambda c: c.upd(c.base() + sp.attr(sp.OPT_T, 241, unk)),
             Accept(check=has(241, sp.OPT_T | sp.F_PARTIAL, unk))),
        Case("unknown optional transitive Partial: kept", "RFC 4271 5",
             lambda c: c.upd(c.base() + sp.attr(sp.OPT_T | sp.F_PARTIAL, 242, unk)),
             Accept(check=has(242, sp.OPT_T | sp.F_PARTIAL, unk))),
        Case("unknown optional transitive, extended length", "RFC 4271 4.3, 5",
             lambda c: c.upd(c.base() + sp.attr(sp.OPT_T | sp.F_EXT, 243, unk)),
             Accept(check=has(243, sp.OPT_T | sp.F_PARTIAL | sp.F_EXT, unk))),
        Case("unknown optional transitive, 300 octets", "RFC 4271 5",
             lambda c: c.upd(c.base() + sp.attr(sp.OPT_T | sp.F_EXT, 244, bytes(range(250)) +
                                                bytes(50))),
             Accept(check=has(244, sp.OPT_T | sp.F_PARTIAL | sp.F_EXT,
                              bytes(range(250)) + bytes(50)))),
        Case("unknown optional non-transitive: dropped", "RFC 4271 5",
             lambda c: c.upd(c.base() + sp.attr(sp.OPT, 245, unk)),
             Accept(check=lacks(245))),
        Case("unknown optional non-transitive, extended: dropped", "RFC 4271 5",
             lambda c: c.upd(c.base() + sp.attr(sp.OPT | sp.F_EXT, 246, unk)),
             Accept(check=lacks(246))),
        Case("ORIGIN with the Extended Length bit", "RFC 4271 4.3",
             lambda c: c.upd(sp.origin(0, flags=sp.WK | sp.F_EXT) + c.base(origin=False)),
             Accept(check=has(sp.ORIGIN, sp.WK, b"\x00"))),
        Case("ORIGIN with the Partial bit", "RFC 7606 3.c",
             lambda c: c.upd(sp.origin(0, flags=sp.WK | sp.F_PARTIAL) + c.base(origin=False)),
             Accept(check=has(sp.ORIGIN, sp.WK, b"\x00"))),
        Case("extended attribute header cut (3 octets left)", "RFC 7606 4",
             lambda c: c.upd(c.base() + b"\x90\x04\x00", c.v, c.v2),
             W("attribute overruns the attribute block")),
        Case("AGGREGATOR with AS 0", "RFC 7607 2, RFC 7606 7.7",
             lambda c: c.upd(c.base() + sp.attr(sp.OPT_T, sp.AGGREGATOR, bytes(4) +
                                                b"\x0a\x00\x00\x01")),
             D([sp.AGGREGATOR], "AS 0 in AGGREGATOR")),
        Case("AS4_AGGREGATOR length 7 on a 2-octet session", "RFC 6793 6",
             lambda c: c.upd(c.base() + sp.attr(sp.OPT_T, sp.AGGREGATOR,
                                                struct.pack("!H", sp.AS_TRANS) + b"\x0a\x00\x00\x01")
                             + sp.attr(sp.OPT_T, sp.AS4_AGGREGATOR, bytes(7))),
             D([sp.AS4_AGGREGATOR], "malformed AS4_AGGREGATOR",
               check=has(sp.AGGREGATOR, sp.OPT_T, b"\x00\x00\x5b\xa0\x0a\x00\x00\x01")),
             session="as2"),
        Case("LARGE_COMMUNITIES corrupt without NLRI", "RFC 7606 5.2",
             lambda c: sp.update(sp.nlri(c.b), sp.origin(0) + sp.attr(
                 sp.OPT_T, sp.LARGE_COMMUNITIES, bytes(11))),
             Reset(3, 9, "LARGE_COMMUNITIES length")),
        Case("MP_UNREACH with a malformed ORIGIN", "RFC 7606 5.2",
             lambda c: sp.update(attrs=sp.mp_unreach6([c.b6]) + sp.origin(5)),
             Reset(3, 6, "undefined ORIGIN value")),
        Case("unknown transitive with low flag bits: relayed clear", "RFC 4271 4.3",
             lambda c: c.upd(c.base() + sp.attr(sp.OPT_T | 0x0F, 247, unk)),
             Accept(check=has(247, sp.OPT_T | sp.F_PARTIAL, unk))),
        Case("discard and treat-as-withdraw: withdraw", "RFC 7606 3.h",
             lambda c: c.upd(c.base() + sp.attr(sp.WK, sp.ATOMIC_AGGREGATE, b"\x01") +
                             sp.attr(sp.OPT_T, sp.COMMUNITIES, bytes(5)), c.v, c.v2),
             W("COMMUNITIES length is not a non-zero multiple of 4")),
        Case("malformed first, valid duplicate: withdraw", "RFC 7606 3.g, 3.h",
             lambda c: c.upd(c.base() + sp.attr(sp.OPT_T, sp.COMMUNITIES, bytes(5)) + comm,
                             c.v, c.v2),
             W("COMMUNITIES length is not a non-zero multiple of 4")),
        Case("low flag bits ignored", "RFC 4271 4.3",
             lambda c: c.upd(sp.origin(0, flags=sp.WK | 0x0F) + c.base(origin=False)),
             Accept(check=has(sp.ORIGIN, sp.WK, b"\x00"))),
    ]


@make_tests
class Session(MalformedSuite):
    """OPEN errors and RFC 9072 parameters."""
    SUBNET = 81
    CASES = open_cases()


@make_tests
class Header(MalformedSuite):
    """Header errors, framing (split and packed segments), extended messages, KEEPALIVE,
    NOTIFICATION from the peer."""
    SUBNET = 82
    CASES = header_cases()


@make_tests
class Update(MalformedSuite):
    """UPDATE lengths, NLRI, MP_REACH/MP_UNREACH, mandatory attributes, 3/2."""
    SUBNET = 83
    CASES = update_cases()
    WITH_FRR = True


@make_tests
class Attrs(MalformedSuite):
    """Per-attribute rules (RFC 7606 7) and what is relayed to the other peers."""
    SUBNET = 84
    CASES = attr_cases()
    WITH_FRR = True


def load_tests(loader, tests, pattern):
    return tests


if __name__ == "__main__":
    unittest.main()
