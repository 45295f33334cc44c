"""High availability, as Azure runs it: two routexd instances, every peer connected to both.

A feeding NVA (BIRD, AS 65001) and a receiving NVA (BIRD, AS 65002) each peer with routexd A
and routexd B, without graceful restart (with it, BIRD would keep A's routes as stale and
the fail-over would not be exercised). Once the receiver holds every prefix through both (two paths each), routexd A
is killed with SIGKILL, and the receiver's table is sampled every 20 ms throughout: not one
prefix may go missing at any sample, its paths through A must go, and B's sessions must not
move. Then A is started again and the receiver is back to two paths per prefix.
"""
import json
import os
import random
import re
import signal
import tempfile
import threading
import time
import unittest

import harness as h

PREFIXES = 300


class HA(unittest.TestCase):
    SUBNET = 61

    def setUp(self):
        if not h.ROUTEXD or not h.ROUTEXCTL:
            raise unittest.SkipTest("ROUTEXD and ROUTEXCTL must name the binaries")
        why = h.missing("bird")
        if why:
            raise unittest.SkipTest(why)
        self.dir = tempfile.mkdtemp(prefix="rx-interop-ha-")
        octet = random.randint(1, 254)
        self.ip = lambda n: "127.%d.%d.%d" % (self.SUBNET, octet, n)
        self.procs = []

    def tearDown(self):
        for p in reversed(self.procs):
            p.stop()

    def start(self, cmd, name):
        p = h.Proc(cmd, os.path.join(self.dir, name + ".log"))
        self.procs.append(p)
        return p

    def routexd(self, name, n, router_id):
        port = h.free_port(self.ip(n))
        conf = os.path.join(self.dir, name + ".yaml")
        sock = os.path.join(self.dir, name + ".sock")
        with open(conf, "w") as f:
            f.write("router-id: %s\nasn: 65515\nlisten: [{address: %s, port: %d}]\n"
                    "control-socket: %s\npeers:\n" % (router_id, self.ip(n), port, sock))
            for peer, m, asn in (("feeder", 2, 65001), ("receiver", 3, 65002)):
                # No graceful restart: otherwise BIRD would keep the dead instance's routes
                # as stale and the fail-over would not be exercised at all.
                f.write("  - {name: %s, address: %s, asn: %d, role: nva, hold-time: 30, "
                        "graceful-restart: false}\n" % (peer, self.ip(m), asn))
        h.run([h.ROUTEXD, "-n", "-c", conf])
        proc = self.start([h.ROUTEXD, "-f", "-c", conf], name)
        return {"proc": proc, "conf": conf, "sock": sock, "port": port, "n": n, "name": name}

    def bird(self, name, n, asn, routes, servers):
        sock = os.path.join(self.dir, name + ".ctl")
        conf = os.path.join(self.dir, name + ".conf")
        # The receiver cannot resolve the feeder's next hop (multihop on lo): its routes are
        # "unreachable" in BIRD's table, but they are there, and counted, which is all this
        # test reads.
        static = "".join("route 100.%d.%d.%d/26 blackhole; " % (self.SUBNET, i // 4, i % 4 * 64)
                         for i in range(routes))
        lport = h.free_port(self.ip(n))  # BIRD listens too; never on the real 179
        with open(conf, "w") as f:
            f.write('router id %s;\nlog "%s" all;\nprotocol device {}\n'
                    "protocol static feed { ipv4; %s}\n"
                    % (self.ip(n), os.path.join(self.dir, name + ".bird.log"), static))
            for s in servers:
                # routexd treats 127/8 next hops as martian (RFC 1122): announce another.
                export = ("filter { if source = RTS_STATIC then { bgp_next_hop = 10.254.%d.%d; "
                          "accept; } reject; }" % (self.SUBNET, n)) if routes else "none"
                # strict bind: listen on our own address only. Without it BIRD listens on
                # 0.0.0.0:lport, which collides with the other BIRD here (free_port may give
                # both the same number) or with another test's listener on that port.
                f.write("protocol bgp %s {\n  local %s port %d as %d;\n  strict bind yes;\n"
                        "  neighbor %s port %d as 65515;\n  multihop 2;\n  hold time 30;\n"
                        "  ipv4 { import all; export %s; };\n}\n"
                        % (s["name"], self.ip(n), lport, asn, self.ip(s["n"]), s["port"], export))
        self.start(["bird", "-f", "-c", conf, "-s", sock,
                    "-P", os.path.join(self.dir, name + ".pid")], name)
        return sock

    def count(self, sock):
        """(routes, networks) of master4 as `birdc show route count` gives them."""
        out = h.run(["birdc", "-s", sock, "show", "route", "count"], check=False).stdout
        m = re.search(r"(\d+) of (\d+) routes for (\d+) networks in table master4", out)
        return (int(m.group(1)), int(m.group(3))) if m else (0, 0)

    def wait(self, cond, what, timeout=30):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if cond():
                return
            time.sleep(0.2)
        logs = "\n".join("--- %s\n%s" % (f, h.tail(os.path.join(self.dir, f)))
                         for f in sorted(os.listdir(self.dir)) if f.endswith(".log"))
        self.fail("timed out waiting for: %s\n%s" % (what, logs))

    def peers(self, rx):
        p = h.run([h.ROUTEXCTL, "-s", rx["sock"], "-j", "show", "peers"], check=False)
        if p.returncode != 0:
            return {}
        return {x["name"]: x for x in json.loads(p.stdout)["peers"]}

    def test_kill_one_instance_loses_no_route(self):
        a = self.routexd("rxa", 1, "10.255.61.1")
        b = self.routexd("rxb", 11, "10.255.61.2")
        for rx in (a, b):
            self.wait(lambda rx=rx: self.peers(rx) != {}, "%s answers" % rx["name"])
        self.bird("feeder", 2, 65001, PREFIXES, [a, b])
        recv = self.bird("receiver", 3, 65002, 0, [a, b])
        # Every prefix through both instances: two paths each (the receiver's own table).
        self.wait(lambda: self.count(recv) == (2 * PREFIXES, PREFIXES),
                  "receiver holds %d prefixes with two paths each" % PREFIXES)
        b_before = self.peers(b)

        samples, stop = [], threading.Event()

        def sample():
            while not stop.is_set():
                samples.append(self.count(recv))
                time.sleep(0.02)

        t = threading.Thread(target=sample, daemon=True)
        t.start()
        try:
            time.sleep(0.5)
            a["proc"].stop(signal.SIGKILL)
            # The paths through A go (BIRD sees the TCP session close); B's stay.
            self.wait(lambda: self.count(recv) == (PREFIXES, PREFIXES),
                      "receiver down to one path per prefix after routexd A died")
            time.sleep(1.0)
        finally:
            stop.set()
            t.join()
        lost = [s for s in samples if s[1] != PREFIXES]
        self.assertEqual(lost, [], "prefixes went missing at some sample after the kill")
        self.assertGreater(len(samples), 20)
        b_after = self.peers(b)
        for name in ("feeder", "receiver"):
            self.assertEqual(b_after[name]["state"], "Established")
            self.assertEqual(b_after[name]["flaps"], b_before[name]["flaps"],
                             "routexd B's session with %s moved" % name)
            self.assertGreaterEqual(b_after[name]["uptime_seconds"],
                                    b_before[name]["uptime_seconds"])

        # A comes back: two paths per prefix again.
        proc = self.start([h.ROUTEXD, "-f", "-c", a["conf"]], "rxa-again")
        self.wait(lambda: self.count(recv) == (2 * PREFIXES, PREFIXES),
                  "receiver back to two paths per prefix after routexd A restarted", timeout=60)
        self.assertTrue(proc.alive())


if __name__ == "__main__":
    unittest.main()
