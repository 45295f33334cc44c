"""The Prometheus endpoint (docs/metrics.md) scraped with curl, with real daemons behind it.

BIRD (AS 65002) announces IPv4 and IPv6 prefixes, GoBGP (AS 65003) announces one and receives
everything; both are NVAs, and routexd originates one prefix. Then:
1. the scrape is HTTP 200 with the 0.0.4 text content type, parses, and passes
   `promtool check metrics` (Debian package prometheus; skipped with a message without it);
2. per peer, state, up, uptime and prefixes received/accepted/advertised equal
   `routexctl -j show peers`; the advertised count equals what GoBGP holds from routexd;
   the RIB gauges equal what was announced; UPDATE counters equal GoBGP's own message
   counts; nothing is left queued; bytes cover at least the 19-byte header of every message;
   the latency histograms have cumulative buckets ending in +Inf == _count; route exchange
   on shows as 1;
3. the endpoint under abuse: 404, 405, 400, 431, a silent client and a trickling one (both
   dropped, neither delaying a scrape), 16 scrapes at once;
4. reloads: the endpoint moved to another port (old port refused, new one answers), moved
   to a port already taken (reload refused, old endpoint still serving), closed, opened
   again; and a start-up whose metrics port is taken fails with a clear error.
"""
import json
import os
import re
import shutil
import socket
import subprocess
import threading
import time
import unittest

import harness as h

STATES = ["Idle", "Connect", "Active", "OpenSent", "OpenConfirm", "Established"]
TYPE_04 = "text/plain; version=0.0.4"


def unescape(v):
    return re.sub(r'\\(.)', lambda m: {"n": "\n"}.get(m.group(1), m.group(1)), v)


LABEL = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,|$)')
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')


def parse(text):
    """Text format 0.0.4 -> ({(name, frozenset(labels)): value}, {family: type}). Strict:
    any line that is not HELP, TYPE or a sample fails the test."""
    samples, types = {}, {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, typ = line.split(" ", 3)
            types[name] = typ
            continue
        if line.startswith("# HELP ") or not line:
            continue
        m = SAMPLE.match(line)
        if not m:
            raise AssertionError("not a sample line: %r" % line)
        labels, rest = {}, m.group(2) or ""
        while rest:
            lm = LABEL.match(rest)
            if not lm:
                raise AssertionError("bad labels in %r" % line)
            labels[lm.group(1)] = unescape(lm.group(2))
            rest = rest[lm.end():]
        key = (m.group(1), frozenset(labels.items()))
        if key in samples:
            raise AssertionError("duplicate series %r" % (key,))
        samples[key] = float(m.group(3))
    return samples, types


def get(samples, name, **labels):
    return samples[(name, frozenset(labels.items()))]


def curl(url, *extra):
    """(status, headers {lower name: value}, body) of one request made by curl."""
    # Bytes, not text: universal newlines would turn the CRLFs of the head into LFs.
    p = subprocess.run(["curl", "-sS", "--max-time", "10", "-i"] + list(extra) + [url],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=20)
    if p.returncode != 0:
        raise RuntimeError("curl %s: exit %d: %s" % (url, p.returncode, p.stderr.strip()))
    head, _, body = p.stdout.decode().partition("\r\n\r\n")
    lines = head.split("\r\n")
    status = int(lines[0].split()[1])
    hdrs = {k.strip().lower(): v.strip() for k, v in (ln.split(":", 1) for ln in lines[1:])}
    return status, hdrs, body


def raw(addr, port, data, timeout=10):
    """Sends data, reads until the server closes; returns what it answered."""
    with socket.create_connection((addr, port), timeout=timeout) as s:
        s.sendall(data)
        out = b""
        while True:
            b = s.recv(65536)
            if not b:
                return out
            out += b


class Metrics(h.InteropCase):
    SUBNET = 91
    NEEDS = ("bird", "gobgp")

    def url(self, port=None):
        return "http://%s:%d/metrics" % (self.env.metrics[0], port or self.env.metrics[1])

    def scrape(self, port=None):
        status, hdrs, body = curl(self.url(port))
        self.assertEqual(status, 200, body)
        self.assertTrue(hdrs.get("content-type", "").startswith(TYPE_04), hdrs)
        self.assertEqual(int(hdrs["content-length"]), len(body.encode()))
        return parse(body)[0]

    def free_port(self, *avoid):
        while True:
            p = h.free_port(self.env.rx_addr)
            if p not in avoid and p != self.env.rx_port:
                return p

    def test_metrics(self):
        if not shutil.which("curl"):
            self.skipTest("curl not installed (scripts/install-deps.sh installs it)")
        e, s = self.env, self.SUBNET
        e.originate = ["10.1.0.0/16"]
        e.metrics = (e.rx_addr, self.free_port())
        e.add_peer("feed", 2, 65002, "nva")
        e.add_peer("mon", 3, 65003, "nva")
        feed = e.add(h.Bird("feed-bird", 2, 65002))
        mon = e.add(h.GoBGP("mon-gobgp", 3, 65003))
        e.start_routexd()
        e.start(feed, mon)
        e.established()
        mine = ["192.0.%d.0/24" % s, "198.51.%d.0/24" % s, "203.0.%d.0/25" % s,
                "2001:db8:%x::/48" % s, "2001:db8:%x:100::/56" % s]
        theirs = ["100.64.%d.0/24" % s]
        feed.announce(*mine)
        mon.announce(*theirs)
        e.wait_routes(mon, {p: feed.route(p) for p in mine})
        e.wait(lambda: e.rx_peers()["mon"]["prefixes_accepted"] == 1, "mon's prefix accepted")

        self.check_format()
        self.check_peers(e, feed, mon, mine, theirs)
        self.check_core(e, mine, theirs)
        self.check_abuse(e)
        self.check_reload(e)
        self.check_startup_failure(e)

    # --- 1. format ------------------------------------------------------------------------
    def check_format(self):
        status, hdrs, body = curl(self.url())
        self.assertEqual(status, 200)
        self.assertEqual(hdrs["content-type"], TYPE_04 + "; charset=utf-8")
        samples, types = parse(body)
        for fam, typ in [("routex_peer_up", "gauge"), ("routex_peer_messages_total", "counter"),
                         ("routex_decision_duration_seconds", "histogram"),
                         ("routex_export_duration_seconds", "histogram"),
                         ("routex_rib_prefixes", "gauge"),
                         ("routex_route_exchange_enabled", "gauge"),
                         ("process_cpu_seconds_total", "counter")]:
            self.assertEqual(types.get(fam), typ, fam)
        # HEAD: the same headers, no body.
        p = h.run(["curl", "-sS", "--max-time", "10", "-I", self.url()])
        self.assertIn("200 OK", p.stdout)
        self.assertIn("Content-Type: " + TYPE_04, p.stdout)
        if not shutil.which("promtool"):
            print("test_metrics: promtool not installed (Debian package prometheus): "
                  "`promtool check metrics` skipped")
            return
        p = subprocess.run(["promtool", "check", "metrics"], input=body, text=True,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30)
        self.assertEqual(p.returncode, 0, "promtool check metrics:\n" + p.stdout)
        self.assertEqual(p.stdout.strip(), "", "promtool has remarks:\n" + p.stdout)

    # --- 2. values against routexctl and the daemons --------------------------------------
    def check_peers(self, e, feed, mon, mine, theirs):
        def disagree():
            """What differs between one scrape and one `show peers` (empty: nothing)."""
            m, peers = self.scrape(), e.rx_peers()
            bad = []
            for name, p in peers.items():
                lab = dict(peer=name, address=p["address"])
                want = {"routex_peer_state": STATES.index(p["state"]) + 1,
                        "routex_peer_up": int(p["state"] == "Established"),
                        "routex_peer_prefixes_received": p["prefixes_received"],
                        "routex_peer_prefixes_accepted": p["prefixes_accepted"],
                        "routex_peer_prefixes_advertised": p["prefixes_advertised"],
                        "routex_peer_flaps_total": p["flaps"],
                        "routex_peer_prefixes_rejected_total": p["rejected"]}
                for k, v in want.items():
                    if get(m, k, **lab) != v:
                        bad.append((name, k, get(m, k, **lab), v))
                up = get(m, "routex_peer_uptime_seconds", **lab)
                if abs(up - p["uptime_seconds"]) > 1 or up < 1:
                    bad.append((name, "uptime", up, p["uptime_seconds"]))
                info = dict(lab, asn=str(p["asn"]), role=p["role"])
                if get(m, "routex_peer_info", **info) != 1:
                    bad.append((name, "info"))
            return bad
        e.wait(lambda: not disagree(), "metrics agree with show peers", show=disagree)

        m = self.scrape()
        fl = dict(peer="feed", address=e.addr(2))
        ml = dict(peer="mon", address=e.addr(3))
        self.assertEqual(get(m, "routex_peer_prefixes_received", **fl), len(mine))
        self.assertEqual(get(m, "routex_peer_prefixes_accepted", **fl), len(mine))
        self.assertEqual(get(m, "routex_peer_prefixes_received", **ml), len(theirs))
        # What routexd says it advertises to GoBGP is what GoBGP holds from it.
        self.assertEqual(get(m, "routex_peer_prefixes_advertised", **ml), len(mon.routes()))
        self.assertEqual(get(m, "routex_peer_prefixes_advertised", **ml),
                         len(mine) + len(e.originate))

        # UPDATE counts against GoBGP's own counters (polled: the last KEEPALIVE or UPDATE
        # may be in flight between the two reads).
        def updates():
            m = self.scrape()
            msgs = json.loads(mon.gobgp("neighbor", e.rx_addr, "-j"))["state"]["messages"]
            return ((get(m, "routex_peer_messages_total", direction="out", type="update", **ml),
                     get(m, "routex_peer_messages_total", direction="in", type="update", **ml)),
                    (msgs["received"].get("update", 0), msgs["sent"].get("update", 0)))
        e.wait(lambda: updates()[0] == updates()[1], "UPDATE counts equal GoBGP's",
               show=updates)
        for lab in (fl, ml):
            for d in ("in", "out"):
                self.assertEqual(get(m, "routex_peer_messages_total", direction=d, type="open",
                                     **lab), 1)
                self.assertEqual(get(m, "routex_peer_messages_total", direction=d,
                                     type="notification", **lab), 0)
        self.assertGreaterEqual(get(m, "routex_peer_messages_total", direction="in",
                                    type="update", **fl), 1)
        self.assertEqual(get(m, "routex_peer_established_total", **fl), 1)
        self.assertEqual(get(m, "routex_peer_updates_malformed_total", **fl), 0)

        def quiet():
            m = self.scrape()
            return [(lab["peer"], d, get(m, "routex_peer_bytes_total", direction=d, **lab),
                     sum(get(m, "routex_peer_messages_total", direction=d, type=t, **lab)
                         for t in ("open", "update", "notification", "keepalive",
                                   "route_refresh")),
                     get(m, "routex_peer_output_queue_bytes", **lab))
                    for lab in (fl, ml) for d in ("in", "out")]
        # Converged: nothing queued for either peer; every message has its 19-byte header
        # in the byte counts.
        e.wait(lambda: all(q == 0 for *_, q in quiet()), "output queues empty", show=quiet)
        for peer, d, nbytes, nmsgs, _ in quiet():
            self.assertGreaterEqual(nbytes, 19 * nmsgs, (peer, d))
            self.assertGreater(nmsgs, 0, (peer, d))

    def check_core(self, e, mine, theirs):
        v4 = [p for p in mine + theirs + e.originate if ":" not in p]
        v6 = [p for p in mine + theirs + e.originate if ":" in p]
        e.wait(lambda: get(self.scrape(), "routex_decision_queue_messages") == 0,
               "decision queue empty")
        m = self.scrape()
        self.assertEqual(get(m, "routex_rib_prefixes", afi="ipv4"), len(v4))
        self.assertEqual(get(m, "routex_rib_prefixes", afi="ipv6"), len(v6))
        self.assertEqual(get(m, "routex_rib_paths", afi="ipv4"), len(v4))
        self.assertEqual(len(e.rx_rib()), len(v4) + len(v6))
        self.assertGreater(get(m, "routex_rib_node_bytes", afi="ipv4"), 0)
        self.assertGreater(get(m, "routex_decision_messages_total"), 0)
        self.assertGreaterEqual(get(m, "routex_decision_prefixes_total"), len(mine) + 1)
        self.assertGreater(get(m, "routex_export_updates_total"), 0)
        for hist in ("routex_decision_duration_seconds", "routex_export_duration_seconds"):
            buckets = sorted(((float(dict(k[1])["le"]), v) for k, v in m.items()
                              if k[0] == hist + "_bucket"))
            self.assertEqual(buckets[-1][0], float("inf"), hist)
            counts = [v for _, v in buckets]
            self.assertEqual(counts, sorted(counts), hist + ": buckets not cumulative")
            self.assertEqual(counts[-1], get(m, hist + "_count"), hist)
            self.assertGreater(counts[-1], 0, hist)
            self.assertGreater(get(m, hist + "_sum"), 0, hist)
            self.assertLess(get(m, hist + "_sum"), 60, hist)
        self.assertEqual(get(m, "routex_route_exchange_enabled"), 0)
        e.set_exchange(True)
        self.assertEqual(get(self.scrape(), "routex_route_exchange_enabled"), 1)
        e.set_exchange(False)
        self.assertGreater(get(m, "process_resident_memory_bytes"), 1 << 20)
        self.assertGreater(get(m, "process_cpu_seconds_total"), 0)
        self.assertLess(abs(get(m, "process_start_time_seconds") - time.time()), 600)
        self.assertEqual(get(m, "routex_build_info", version="0.1.0"), 1)

    # --- 3. abuse -------------------------------------------------------------------------
    def check_abuse(self, e):
        addr, port = e.metrics
        base = "http://%s:%d" % (addr, port)
        self.assertEqual(curl(base + "/")[0], 404)
        self.assertEqual(curl(base + "/metricsx")[0], 404)
        status, hdrs, _ = curl(self.url(), "-X", "POST", "-d", "x=1")
        self.assertEqual((status, hdrs.get("allow")), (405, "GET, HEAD"))
        self.assertEqual(curl(self.url(), "-X", "DELETE")[0], 405)
        self.assertTrue(raw(addr, port, b"\x16\x03\x01\x00\x05hello\r\n\r\n")
                        .startswith(b"HTTP/1.1 400 "))
        self.assertTrue(raw(addr, port, b"GET /metrics HTTP/1.1\r\n" +
                            b"X-Pad: " + b"a" * 9000 + b"\r\n\r\n")
                        .startswith(b"HTTP/1.1 431 "))
        # A silent client and a trickling one hold a connection each; scrapes go on at
        # once, and the server drops both after its 5 s request deadline.
        silent = socket.create_connection((addr, port))
        trickle = socket.create_connection((addr, port))
        t0 = time.monotonic()
        dropped = {}

        def trickler():
            try:
                for c in b"GET /metrics HTTP/1.1\r\nHost: x\r\n" * 20:
                    trickle.sendall(bytes([c]))
                    time.sleep(0.25)
            except OSError:
                pass
            dropped["trickle"] = time.monotonic() - t0
        th = threading.Thread(target=trickler)
        th.start()
        t1 = time.monotonic()
        self.scrape()
        self.assertLess(time.monotonic() - t1, 2, "a scrape waited for a silent client")
        silent.settimeout(15)
        self.assertEqual(silent.recv(100), b"", "the silent client was answered")
        waited = time.monotonic() - t0
        self.assertTrue(4 <= waited < 10, "silent client dropped after %.1f s" % waited)
        th.join(20)
        self.assertLess(dropped.get("trickle", 99), 12, "the trickling client was not dropped")
        silent.close()
        trickle.close()
        # 16 scrapes at once: every one complete.
        results = []

        def one():
            try:
                results.append(len(self.scrape()))
            except Exception as x:  # reported below
                results.append(x)
        ts = [threading.Thread(target=one) for _ in range(16)]
        for t in ts:
            t.start()
        for t in ts:
            t.join(30)
        self.assertEqual(len(results), 16)
        self.assertTrue(all(isinstance(r, int) and r > 50 for r in results), results)

    # --- 4. reload and start-up -----------------------------------------------------------
    def refused(self, port):
        try:
            socket.create_connection((self.env.rx_addr, port), timeout=5).close()
        except ConnectionRefusedError:
            return True
        return False

    def check_reload(self, e):
        old = e.metrics[1]
        new = self.free_port(old)
        e.metrics = (e.rx_addr, new)
        rep = e.reload()
        self.assertTrue(rep["reloaded"], rep)
        self.assertIn("metrics: changed (now %s:%d)" % (e.rx_addr, new), rep["report"])
        self.assertTrue(self.refused(old), "old metrics port still open after the move")
        self.assertEqual(get(self.scrape(new), "routex_peer_up", peer="feed",
                             address=e.addr(2)), 1)
        # A port that is taken: the reload is refused, the endpoint stays where it was.
        taken = socket.socket()
        taken.bind((e.rx_addr, 0))
        taken.listen(1)
        e.metrics = (e.rx_addr, taken.getsockname()[1])
        e.write_config()
        p = e.ctl("reload", check=False)
        taken.close()
        said = p.stdout + p.stderr  # (routexctl puts the answer's first line on stderr)
        self.assertNotEqual(p.returncode, 0, said)
        self.assertIn("metrics: cannot listen on %s:%d: Address already in use"
                      % e.metrics, said)
        self.assertIn("reload refused", said)
        self.scrape(new)
        # Closed, then opened again on a third port.
        e.metrics = None
        self.assertTrue(e.reload()["reloaded"])
        self.assertTrue(self.refused(new), "metrics port still open after it was removed")
        third = self.free_port(old, new)
        e.metrics = (e.rx_addr, third)
        self.assertTrue(e.reload()["reloaded"])
        m = self.scrape(third)
        self.assertEqual(get(m, "routex_peer_up", peer="mon", address=e.addr(3)), 1)
        self.assertEqual(e.rx_peers()["feed"]["flaps"], 0, "a metrics reload reset a session")
        self.assertIn("metrics: serving on http://%s:%d/metrics" % (e.rx_addr, third),
                      open(e.rx_log).read())

    def check_startup_failure(self, e):
        taken = e.metrics
        conf = os.path.join(e.dir, "second.yaml")
        with open(conf, "w") as f:
            f.write("router-id: 10.255.%d.2\nlisten: []\ncontrol-socket: %s\n"
                    "metrics: {address: %s, port: %d}\n"
                    % (self.SUBNET, os.path.join(e.dir, "second.sock"), taken[0], taken[1]))
        p = h.run([h.ROUTEXD, "-f", "-c", conf], check=False, timeout=20)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("%s:4: metrics: cannot listen on %s:%d: Address already in use"
                      % (conf, taken[0], taken[1]), p.stderr)
        self.scrape(taken[1])  # the first routexd is untouched


if __name__ == "__main__":
    unittest.main()
