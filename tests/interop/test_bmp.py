"""BMP export (RFC 7854, RFC 9069 Loc-RIB) to a real collector: pmbmpd from Debian's pmacct,
logging every BMP message it decodes as JSON lines (bmp_daemon_msglog_file).

routexd connects to pmbmpd (started here on a loopback address and port, stopped by PID);
BIRD (AS 65001) and GoBGP (AS 65002) announce routes to routexd. The test reads pmbmpd's
log and asserts, from what pmbmpd itself decoded:
- Peer Up for each BGP peer, with routexd's AS and BGP identifier as local side;
- route monitoring of every announced prefix, pre-policy Adj-RIB-In (is_in, from the peer
  that sent it) and Loc-RIB (is_loc, RFC 9069 peer type 3) with the right AS path;
- a withdrawal, in both;
- a collector restarted mid-way is sent the whole state again (Peer Ups and tables, and
  not the withdrawn prefix);
- Peer Down when a peer stops;
- Statistics Reports (routes in a peer's Adj-RIB-In, in the Loc-RIB) at the interval set;
- a collector added by reload gets the state; removed, a Termination; BGP is untouched.
"""
import json
import os
import signal
import urllib.request

import harness as h

PMBMPD = "pmbmpd"


class Collector:
    """One pmbmpd instance: its own config and JSON message log."""

    def __init__(self, env, n, port, run):
        self.env = env
        self.addr = env.addr(n)
        self.port = port
        self.dir = os.path.join(env.dir, "pmbmpd-%d" % run)
        os.makedirs(self.dir)
        self.log = os.path.join(self.dir, "bmp.json")
        conf = os.path.join(self.dir, "pmbmpd.conf")
        with open(conf, "w") as f:
            f.write("bmp_daemon_ip: %s\nbmp_daemon_port: %d\n"
                    "bmp_daemon_msglog_file: %s\nbmp_daemon_msglog_output: json\n"
                    "logfile: %s\npidfile: %s\n"
                    % (self.addr, port, self.log, os.path.join(self.dir, "pmbmpd.log"),
                       os.path.join(self.dir, "pid")))
        self.proc = h.Proc([PMBMPD, "-f", conf], os.path.join(self.dir, "out"))
        env.wait(lambda: self._listening(), "pmbmpd listens on %s:%d" % (self.addr, port),
                 timeout=10)

    def _listening(self):
        # A probe connection would open a BMP session of its own: read /proc/net/tcp for a
        # listening socket (state 0A) on our address and port instead.
        a = [int(x) for x in self.addr.split(".")]
        want = "%02X%02X%02X%02X:%04X" % (a[3], a[2], a[1], a[0], self.port)
        with open("/proc/net/tcp") as f:
            return any(l.split()[1] == want and l.split()[3] == "0A" for l in list(f)[1:])

    def stop(self):
        self.proc.stop(signal.SIGTERM)

    def messages(self):
        out = []
        try:
            with open(self.log) as f:
                for line in f:
                    line = line.strip()
                    if line:
                        try:
                            out.append(json.loads(line))
                        except ValueError:
                            pass  # a line being written
        except FileNotFoundError:
            pass
        return out

    def of_type(self, t):
        return [m for m in self.messages() if m.get("bmp_msg_type") == t]

    def routes(self, loc):
        """{prefix: (as_path, peer_ip)} of the route monitoring log, replaying
        announcements and withdrawals in order; loc: Loc-RIB, else pre-policy."""
        rib = {}
        for m in self.of_type("route_monitor"):
            if bool(m.get("is_loc")) != loc or "ip_prefix" not in m:
                continue
            key = (h.norm_prefix(m["ip_prefix"]), m.get("peer_ip"))
            if m.get("log_type") == "withdraw":
                rib.pop(key, None)
            else:
                rib[key] = m.get("as_path", "")
        return rib

    def logfiles(self):
        return [self.log, os.path.join(self.dir, "pmbmpd.log"), os.path.join(self.dir, "out")]


class Bmp(h.InteropCase):
    SUBNET = 104
    NEEDS = ("bird", "gobgp")

    def setUp(self):
        if not h.which(PMBMPD):
            self.skipTest("pmbmpd not installed (scripts/install-deps.sh installs pmacct)")
        super().setUp()

    def start(self, collector_n=10, statistics=0):
        e = self.env
        self.cport = h.free_port(e.addr(collector_n))
        write = self.plain_write = e.write_config

        def write_with_bmp():
            path = write()
            with open(path, "a") as f:
                f.write("bmp:\n  - address: \"%s\"\n    port: %d\n"
                        "    monitor: [pre-policy, loc-rib]\n    statistics: %d\n"
                        % (e.addr(collector_n), self.cport, statistics))
            return path
        e.write_config = write_with_bmp

    def test_bmp_pmbmpd(self):
        e, s = self.env, self.SUBNET
        self.start(statistics=1)
        runs = [Collector(e, 10, self.cport, 1)]
        self.addCleanup(lambda: [c.stop() for c in runs])
        e.add_peer("a", 2, 65001, "nva")
        e.add_peer("b", 3, 65002, "nva")
        a = e.add(h.Bird("a-bird", 2, 65001))
        b = e.add(h.GoBGP("b-gobgp", 3, 65002))
        e.metrics = (e.rx_addr, h.free_port(e.rx_addr))
        e.start_routexd()
        e.start(a, b)
        e.established()
        c = runs[0]
        rid = "10.255.%d.1" % s

        def show():
            return "\n".join(json.dumps(m) for m in c.messages()[-15:])

        # Peer Up for both sessions, with their identifiers and our end of each session.
        e.wait(lambda: {m.get("peer_ip") for m in c.of_type("peer_up")} >= {a.addr, b.addr},
               "pmbmpd logs Peer Up for both peers", show=show)
        up = {m["peer_ip"]: m for m in c.of_type("peer_up")}
        self.assertEqual(int(up[a.addr]["peer_asn"]), 65001)
        self.assertEqual(up[a.addr]["bgp_id"], a.rid)
        self.assertEqual(up[a.addr]["local_ip"], e.rx_addr)
        self.assertEqual(up[a.addr]["local_port"], e.rx_port)
        self.assertEqual(up[a.addr]["peer_type"], 0)
        # Initiation came first, with our sysDescr.
        init = c.messages()[1]
        self.assertEqual(init.get("bmp_msg_type"), "init", show())
        self.assertIn("routexd", init.get("bmp_init_info_sysdescr", ""))

        pa = ["192.0.%d.0/24" % s, "198.51.%d.0/24" % s]
        pb = ["203.0.%d.0/24" % s]
        a.announce(*pa)
        b.announce(*pb)
        want_in = {(pa[0], a.addr): "65001", (pa[1], a.addr): "65001", (pb[0], b.addr): "65002"}
        want_loc = {(pa[0], "0.0.0.0"): "65001", (pa[1], "0.0.0.0"): "65001",
                    (pb[0], "0.0.0.0"): "65002"}
        e.wait(lambda: c.routes(False) == want_in,
               "pre-policy route monitoring of every prefix", show=lambda: c.routes(False))
        e.wait(lambda: self.loc(c) == want_loc,
               "Loc-RIB route monitoring of every prefix", show=lambda: c.routes(True))
        # RFC 9069: the Loc-RIB instance has its own Peer Up, with the table name.
        self.assertTrue(any(m.get("is_loc") for m in c.of_type("peer_up")), show())
        # `statistics: 1`: RFC 7854 4.8 reports every second: the routes in BIRD's
        # Adj-RIB-In (type 7) and in the Loc-RIB (type 8) as they are now.
        def stat(ip, t):
            v = [m["counter_value"] for m in c.of_type("stats")
                 if m.get("peer_ip") == ip and m.get("counter_type") == t]
            return v[-1] if v else None
        e.wait(lambda: stat(a.addr, 7) == 2 and stat("0.0.0.0", 8) == 3,
               "Statistics Reports: 2 routes from BIRD, 3 in the Loc-RIB",
               show=lambda: (stat(a.addr, 7), stat("0.0.0.0", 8)))

        # A withdrawal reaches both views.
        a.withdraw(pa[1])
        del want_in[(pa[1], a.addr)]
        del want_loc[(pa[1], "0.0.0.0")]
        e.wait(lambda: c.routes(False) == want_in, "pre-policy withdrawal",
               show=lambda: c.routes(False))
        e.wait(lambda: self.loc(c) == want_loc, "Loc-RIB withdrawal",
               show=lambda: c.routes(True))

        # The collector restarts: the new session gets the whole state, from routexd's
        # table dump (the withdrawn prefix not in it), then End-of-RIB.
        c.stop()
        c2 = Collector(e, 10, self.cport, 2)
        runs.append(c2)
        e.wait(lambda: {m.get("peer_ip") for m in c2.of_type("peer_up")} >= {a.addr, b.addr},
               "restarted pmbmpd gets Peer Up for both peers", timeout=60,
               show=lambda: h.tail(e.rx_log, 10))
        e.wait(lambda: c2.routes(False) == want_in and self.loc(c2) == want_loc,
               "restarted pmbmpd gets both tables again",
               show=lambda: (c2.routes(False), c2.routes(True)))
        self.assertNotIn(pa[1], [p for p, _ in c2.routes(False)])
        self.assertTrue(any(m.get("is_loc") for m in c2.of_type("peer_up")))
        # The metrics endpoint counts both sessions, the messages, no drop.
        m = self.metrics()
        self.assertEqual(m["routex_bmp_collectors"], 1)
        self.assertEqual(m["routex_bmp_collectors_up"], 1)
        self.assertGreaterEqual(m["routex_bmp_connects_total"], 2)
        self.assertGreater(m["routex_bmp_messages_total"], 10)
        self.assertEqual(m["routex_bmp_messages_dropped_total"], 0)

        # A peer stops: Peer Down, and its route leaves the Loc-RIB.
        b.stop()
        e.wait(lambda: b.addr in {m.get("peer_ip") for m in c2.of_type("peer_down")},
               "pmbmpd logs Peer Down for GoBGP", show=lambda: c2.of_type("peer_down"))
        del want_loc[(pb[0], "0.0.0.0")]
        e.wait(lambda: self.loc(c2) == want_loc, "Loc-RIB withdrawal after Peer Down",
               show=lambda: c2.routes(True))

    def metrics(self):
        url = "http://%s:%d/metrics" % self.env.metrics
        with urllib.request.urlopen(url, timeout=5) as r:
            text = r.read().decode()
        return {l.split()[0]: float(l.split()[1]) for l in text.splitlines()
                if l.startswith("routex_bmp_")}

    def loc(self, c):
        """Loc-RIB routes keyed by the peer address pmbmpd gives the Loc-RIB instance
        (the all-zero address of RFC 9069 4.1), normalised to 0.0.0.0."""
        return {(p, "0.0.0.0" if ip in ("0.0.0.0", "::", None) else ip): path
                for (p, ip), path in c.routes(True).items()}

    def test_bmp_added_by_reload(self):
        """A collector added by `routexctl reload` gets the sessions already up and their
        routes; removing it ends its session with a Termination. BGP sessions stay up."""
        e, s = self.env, self.SUBNET
        e.add_peer("a", 2, 65001, "nva")
        a = e.add(h.Bird("a-bird", 2, 65001))
        e.start_routexd()
        e.start(a)
        e.established()
        pfx = "192.0.%d.0/24" % s
        a.announce(pfx)
        e.wait(lambda: h.norm_prefix(pfx) in e.rx_rib(), "routexd has the route")
        own = a.session()
        self.start(11)
        c = Collector(e, 11, self.cport, 1)
        self.addCleanup(c.stop)
        e.reload()
        e.wait(lambda: a.addr in {m.get("peer_ip") for m in c.of_type("peer_up")},
               "the collector added by reload gets Peer Up", show=lambda: c.messages()[-5:])
        e.wait(lambda: c.routes(False) == {(pfx, a.addr): "65001"} and
               self.loc(c) == {(pfx, "0.0.0.0"): "65001"},
               "and the routes, pre-policy and Loc-RIB", show=lambda: c.messages()[-5:])
        # Removed again: Termination (RFC 7854 4.5), and BGP was never touched.
        e.write_config = self.plain_write
        e.reload()
        e.wait(lambda: c.of_type("term"), "pmbmpd logs the Termination",
               show=lambda: c.messages()[-3:])
        self.assertEqual(a.session(), own, "the BGP session was reset by a BMP reload")
        self.assertEqual(e.rx_peers()["a"]["flaps"], 0)
