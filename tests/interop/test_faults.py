"""Load and fault scenarios against a live routexd (docs/faults.md): full tables from raw
speakers (bulk.py) beside real BIRD and GoBGP sessions.

Tables are synthetic /24s (bulk.table), 200,000 prefixes by default rather than a million, so
that the whole file stays within the CI budget on a 2-core machine; RX_FAULTS_PREFIXES
changes it (the assertions do not depend on the size).

Every class checks, beyond its own scenario, what the harness checks for every interop test:
routexd exits 0 on SIGTERM at the end and its log holds no sanitizer report.
"""
import os
import re
import socket
import threading
import time

import bulk
import harness as h

N = int(os.environ.get("RX_FAULTS_PREFIXES", "200000"))
LOAD_WAIT = 120  # s: a phase that takes this long has failed, not just been slow


def key(prefix):
    """The NLRI key (bulk.py) of an IPv4 prefix."""
    addr, plen = prefix.split("/")
    plen = int(plen)
    return bytes([plen]) + socket.inet_aton(addr)[:(plen + 7) // 8]


class FaultCase(h.InteropCase):
    NEEDS = ()

    def rss_kb(self):
        """routexd's resident set, from /proc."""
        with open("/proc/%d/status" % self.env.rx.pid) as f:
            return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))

    def sanitized(self):
        """True when routexd runs under ASan or TSan: their allocators keep freed memory
        in quarantine, so RSS says nothing about leaks there (the sanitizer itself does)."""
        with open("/proc/%d/maps" % self.env.rx.pid) as f:
            return bool(re.search(r"lib[at]san", f.read()))

    def bulk(self, name, n, asn, role, hold=h.HOLD, rcvbuf=None, **extra):
        """A raw full-table speaker, configured in routexd with no prefix limit."""
        extra.setdefault("max-prefixes", 0)
        self.env.add_peer(name, n, asn, role, **{"hold-time": hold}, **extra)
        return self.env.add(bulk.BulkPeer(self.env, name, n, asn, hold=hold, rcvbuf=rcvbuf))

    def wait_count(self, peer, n, what, timeout=LOAD_WAIT):
        self.env.wait(lambda: peer.count() == n, "%s holds %d prefixes (%s)" % (
            peer.name, n, what), timeout=timeout, show=lambda: peer.count())

    def flaps(self):
        return {n: (p["state"], p["flaps"]) for n, p in self.env.rx_peers().items()}


def bird_count(b):
    """Routes BIRD holds from routexd, by its own count."""
    out = b.birdc("show", "route", "protocol", "routex", "count")
    # One line per table, then a "Total:" line when there are several: count the tables.
    return sum(int(m) for m in re.findall(r"^(\d+) of \d+ routes for \d+ networks in table",
                                           out, re.M))


def bird_prefixes(b):
    """The set of prefixes BIRD holds from routexd (one line each in the short format)."""
    out = b.birdc("show", "route", "protocol", "routex")
    return set(h.norm_prefix(m) for m in re.findall(r"^([0-9.]+/\d+)\s", out, re.M))


class CtlNoReader(FaultCase):
    """A control client that asks for a big answer (`show rib` of a 50,000-prefix table) and
    never reads it must not keep the control socket from other clients: routexd drops it
    (src/ctl/ctl.c: no byte taken for 2 s) and logs it, and `routexctl show peers` from
    another client answers meanwhile."""
    SUBNET = 99

    def test_big_answer_not_read(self):
        e = self.env
        feed = self.bulk("feed", 2, 65102, "nva")
        e.start_routexd()
        feed.connect()
        e.established()
        keys = bulk.table(50000)
        feed.send(bulk.announce_stream(keys, feed.asn, feed.nh())[0])
        e.wait(lambda: e.rx_peers()["feed"]["prefixes_accepted"] == len(keys),
               "routexd holds the 50,000 prefixes", timeout=60)
        full = len(h.run([h.ROUTEXCTL, "-s", e.sock, "-j", "show", "rib"], timeout=60).stdout)

        stuck = socket.socket(socket.AF_UNIX)
        stuck.connect(e.sock)
        stuck.sendall(b"json show rib\n")
        time.sleep(0.5)  # the control thread is now sending to it
        t0 = time.monotonic()
        p = h.run([h.ROUTEXCTL, "-s", e.sock, "-j", "show", "peers"], timeout=20)
        took = time.monotonic() - t0
        self.assertIn('"feed"', p.stdout)
        self.assertLess(took, 5.0, "show peers waited %.1f s behind a client that does not "
                        "read" % took)
        e.wait(lambda: "control client dropped" in open(e.rx_log).read(),
               "routexd logs the dropped control client", timeout=5)
        # The stuck client was cut off: it can read what the socket held, then EOF.
        got = 0
        stuck.settimeout(5)
        while True:
            b = stuck.recv(1 << 20)
            if not b:
                break
            got += len(b)
        stuck.close()
        self.assertLess(got, full, "the client that did not read got the whole answer "
                        "(%d bytes): the test did not fill the socket" % got)
        # And the control socket still serves big answers to a client that reads.
        again = h.run([h.ROUTEXCTL, "-s", e.sock, "-j", "show", "rib"], timeout=60).stdout
        self.assertEqual(len(again), full)


class FlapFullTable(FaultCase):
    """A full table flaps ten times (five times withdrawn and announced again in UPDATEs,
    five times by a session drop with Cease and a reconnect) while a BIRD peer and a raw
    receiver stay up: routexd keeps running, its RSS after the last load is back at the
    level of the first, both receivers end with exactly the table (prefixes, AS paths, next
    hops), and neither uninvolved session ever drops."""
    SUBNET = 94
    NEEDS = ("bird",)

    def test_ten_flaps(self):
        e = self.env
        feed = self.bulk("feed", 2, 65101, "nva")
        recv = self.bulk("recv", 3, 65102, "nva")
        bird = e.add(h.Bird("bird", 4, 65103))
        e.add_peer("bird", 4, 65103, "nva")
        e.start_routexd()
        recv.connect()
        feed.connect()
        bird.start()
        e.established()
        own = ["100.94.1.0/24", "100.94.2.0/24"]
        bird.announce(*own)
        bird_routes = {key(p): ((h.RX_ASN, bird.asn), e.nh4(bird.n)) for p in own}
        self.wait_count(recv, 2, "BIRD's own prefixes")
        marker = bird.session()[1]
        before = self.flaps()

        keys = bulk.table(N)
        ann, sent = bulk.announce_stream(keys, feed.asn, feed.nh())
        wd = bulk.withdraw_stream(keys)
        rss = []
        t_load = []
        for cycle in range(11):
            if cycle:
                # Flap: withdraw everything, or drop the session and come back.
                if cycle <= 5:
                    feed.send(wd)
                else:
                    feed.close()
                self.wait_count(recv, 2, "flap %d: the table withdrawn" % cycle)
                e.wait(lambda: bird_count(bird) == 0, "BIRD lost the table (flap %d)" % cycle,
                       timeout=LOAD_WAIT, show=lambda: bird_count(bird))
                if cycle > 5:
                    feed.connect()
                    e.established("feed")
            t0 = time.monotonic()
            feed.send(ann)
            self.wait_count(recv, N + 2, "load %d" % (cycle + 1))
            e.wait(lambda: bird_count(bird) == N, "BIRD holds the table (load %d)" % (cycle + 1),
                   timeout=LOAD_WAIT, show=lambda: bird_count(bird))
            t_load.append(time.monotonic() - t0)
            rss.append(self.rss_kb())
        print("faults: %d prefixes, load times %s s, routexd RSS after each load %s MB" % (
            N, " ".join("%.1f" % t for t in t_load), " ".join("%.0f" % (r / 1024) for r in rss)))

        # Exactly the table, with the right attributes, at both receivers.
        expected = {k: ((h.RX_ASN,) + r[0], r[1]) for k, r in sent.items()}
        expected.update(bird_routes)
        problem = bulk.diff(recv.routes(), expected)
        self.assertEqual(problem, "", "the raw receiver's table after 10 flaps")
        want = set(bulk.key_str(k) for k in keys)
        got = bird_prefixes(bird)
        self.assertEqual(len(got ^ want), 0, "BIRD: %d missing, %d unexpected" % (
            len(want - got), len(got - want)))
        # The uninvolved sessions never dropped.
        self.assertEqual(bird.session()[1], marker, "BIRD's session was re-established")
        after = self.flaps()
        for name in ("bird", "recv"):
            self.assertEqual(after[name], before[name], "%s flapped" % name)
        self.assertFalse(recv.eof or recv.notifications)
        # No leak: the first load sets the level (attribute sets interned, pools grown);
        # ten flaps later routexd holds the same table in about the same memory.
        if not self.sanitized():
            self.assertLess(rss[-1], rss[0] * 1.15 + 16 * 1024,
                            "RSS grew from %d to %d kB over 10 flaps" % (rss[0], rss[-1]))
