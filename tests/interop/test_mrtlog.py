"""The BGP4MP message log (`mrt-log`, docs/mrt.md "The message log") read by Debian's
bgpdump.

test_log_read_by_bgpdump: GoBGP (AS 65003) and BIRD (AS 65002) feed IPv4 and IPv6 routes
to routexd, which logs every message they send (`types: all`, files rotating every 10 s).
Once the files covering the test's events are complete (renamed from FILE.tmp), `bgpdump
-m` of all of them shows exactly the UPDATEs the daemons sent (prefix, peer address and AS,
AS path, ORIGIN, next hop; GoBGP's withdrawal too) and the state changes (OpenConfirm ->
Established for both, Established -> Idle when GoBGP stops, and again up when it comes
back); bgpdump's verbose output shows the OPEN, KEEPALIVE and NOTIFICATION records; files
are named for multiples of 10 s and hold records of their period; the metrics count what
was logged, nothing dropped. A reload narrows the log to BIRD's UPDATEs (GoBGP's new route
and every KEEPALIVE are then absent), and a reload without the key completes the open file
at once and stops the log.

test_addpath: GoBGP sends with ADD-PATH (routexd `add-path: receive`): its UPDATEs are
recorded as BGP4MP_MESSAGE_AS4_ADDPATH (RFC 8050), which bgpdump prints as BGP4MP_ET_AP
lines with the path id.
"""
import os
import re
import shutil
import subprocess
import time
import unittest

import harness as h

ROTATE = 10
NAME = re.compile(r"updates-(\d{6})\.mrt")


def bgpdump(path, *opts):
    p = subprocess.run(["bgpdump"] + list(opts) + [path], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=60)
    if p.returncode != 0:
        raise AssertionError("bgpdump %s: exit %d: %s" % (path, p.returncode, p.stderr))
    return p.stdout


class MrtLog(h.InteropCase):
    SUBNET = 107
    NEEDS = ("bird", "gobgp")

    def setUp(self):
        super().setUp()
        if not shutil.which("bgpdump"):
            self.skipTest("bgpdump not installed (scripts/install-deps.sh installs it)")
        if not shutil.which("curl"):
            self.skipTest("curl not installed (scripts/install-deps.sh installs it)")

    def config(self, log):
        """Appends `log` (a YAML line, or None) to every config the Env writes."""
        e, write = self.env, self.env.write_config
        self.log_line = log

        def write_config():
            path = write()
            if self.log_line:
                with open(path, "a") as f:
                    f.write(self.log_line + "\n")
            return path
        e.write_config = write_config

    def files(self):
        """Completed log files, oldest first."""
        return sorted(f for f in os.listdir(self.env.dir) if NAME.fullmatch(f))

    def tmps(self):
        return [f for f in os.listdir(self.env.dir) if f.endswith(".mrt.tmp")]

    def wait_complete(self, t):
        """Waits until the file of the period holding time t has been completed."""
        name = "updates-%s.mrt" % time.strftime("%H%M%S", time.gmtime(t - t % ROTATE))
        self.env.wait(lambda: any(f >= name for f in self.files()),
                      "the log file of the period of %d (%s) completed" % (t, name),
                      timeout=3 * ROTATE)

    def lines(self, names):
        """bgpdump -m lines of the files `names`, as field lists; checks each record's time
        against its file's period."""
        out = []
        for name in names:
            path = os.path.join(self.env.dir, name)
            start = NAME.fullmatch(name).group(1)
            self.assertEqual(int(start) % ROTATE, 0, "%s: named for a multiple of %d s"
                             % (name, ROTATE))
            for line in bgpdump(path, "-m").splitlines():
                f = line.split("|")
                self.assertEqual(f[0], "BGP4MP_ET", line)
                t = float(f[1])
                # The file of a period holds its records; one stamped just before the
                # boundary may be written just after it (docs/mrt.md).
                lo = time.strftime("%H%M%S", time.gmtime(int(t) - int(t) % ROTATE))
                hi = time.strftime("%H%M%S", time.gmtime(int(t) - int(t) % ROTATE + ROTATE))
                self.assertIn(start, (lo, hi), "%s: record at %s: %s" % (name, f[1], line))
                out.append(f)
        return out

    def scrape(self):
        p = h.run(["curl", "-s", "http://%s:%d/metrics" % self.env.metrics])
        vals = {}
        for line in p.stdout.splitlines():
            m = re.fullmatch(r"(routex_mrt_log_\w+) (\d+)", line)
            if m:
                vals[m.group(1)] = int(m.group(2))
        return vals

    def test_log_read_by_bgpdump(self):
        e, s = self.env, self.SUBNET
        e.metrics = (e.rx_addr, h.free_port(e.rx_addr))
        pattern = os.path.join(e.dir, "updates-%H%M%S.mrt")
        self.config("mrt-log: {file: %s, rotate: %d, types: all}" % (pattern, ROTATE))
        e.add_peer("gobgp", 3, 65003, "nva")
        e.add_peer("bird", 2, 65002, "nva")
        gob = e.add(h.GoBGP("gobgp", 3, 65003))
        bird = e.add(h.Bird("bird", 2, 65002))
        t0 = time.time()
        e.start_routexd()
        e.start(gob, bird)
        e.established()

        g4 = ["198.18.%d.0/24" % i for i in range(5)]
        g6 = ["2001:db8:%x:%x::/64" % (s, i) for i in range(3)]
        b4 = ["198.19.%d.0/24" % i for i in range(3)]
        gob.announce(*(g4 + g6))
        bird.announce(*b4)
        e.wait(lambda: all(h.norm_prefix(p) in e.rx_rib() for p in g4 + g6 + b4),
               "routexd holds every announced prefix")
        gob.withdraw(g4[4])
        e.wait(lambda: h.norm_prefix(g4[4]) not in e.rx_rib(), "the withdrawal applied")
        # GoBGP goes (a NOTIFICATION Cease, then down) and comes back.
        gob.stop()
        e.wait(lambda: e.rx_peers()["gobgp"]["state"] != "Established", "gobgp down")
        gob.start()
        e.established()
        t1 = time.time()
        self.wait_complete(t1)
        names = self.files()
        recs = self.lines(names)

        for f in recs:
            self.assertTrue(t0 - 1 <= float(f[1]) <= time.time(), f)
        ann = sorted((h.norm_prefix(f[5]), h.norm_addr(f[3]), int(f[4]), f[6], f[7],
                      h.norm_addr(f[8])) for f in recs if f[2] == "A")
        # GoBGP's `global rib add` routes are ORIGIN INCOMPLETE, BIRD's static ones IGP. The
        # second GoBGP process starts with an empty RIB: it sends no routes.
        want = sorted([(h.norm_prefix(p), gob.addr, 65003, "65003", "INCOMPLETE", gob.nh(p))
                       for p in g4 + g6]
                      + [(h.norm_prefix(p), bird.addr, 65002, "65002", "IGP", bird.nh(p))
                         for p in b4])
        self.assertEqual(ann, want)
        wd = [(h.norm_prefix(f[5]), h.norm_addr(f[3]), int(f[4])) for f in recs if f[2] == "W"]
        self.assertEqual(wd, [(h.norm_prefix(g4[4]), gob.addr, 65003)])
        states = [(h.norm_addr(f[3]), int(f[4]), f[5], f[6]) for f in recs if f[2] == "STATE"]
        self.assertEqual([x for x in states if x[0] == bird.addr],
                         [(bird.addr, 65002, "5", "6")])
        self.assertEqual([x for x in states if x[0] == gob.addr],
                         [(gob.addr, 65003, "5", "6"), (gob.addr, 65003, "6", "1"),
                          (gob.addr, 65003, "5", "6")])
        # Messages bgpdump -m does not print: its verbose form names them, with both ends.
        text = "".join(bgpdump(os.path.join(e.dir, n)) for n in names)
        for what, n in (("Open", 3), ("Keepalive", 3), ("Notify", 1)):
            self.assertGreaterEqual(text.count("TYPE: BGP4MP_ET/MESSAGE/%s\n" % what), n, what)
        self.assertIn("FROM: %s AS65003\nTO: %s AS%d\n" % (gob.addr, e.rx_addr, h.RX_ASN), text)
        self.assertIn("FROM: %s AS65002\nTO: %s AS%d\n" % (bird.addr, e.rx_addr, h.RX_ASN), text)
        m = self.scrape()
        self.assertEqual(m["routex_mrt_log_dropped_total"], 0)
        self.assertGreaterEqual(m["routex_mrt_log_state_changes_total"], 4)
        self.assertGreaterEqual(m["routex_mrt_log_files_total"], len(names))
        self.assertGreater(m["routex_mrt_log_messages_total"], len(ann) // 4)
        with open(e.rx_log) as f:
            self.assertIn("info: mrt-log: %s written" % os.path.join(e.dir, names[0]), f.read())

        # Narrowed by a reload: BIRD's UPDATEs only.
        self.log_line = ("mrt-log: {file: %s, rotate: %d, peers: [bird], types: [update]}"
                         % (pattern, ROTATE))
        rep = e.reload()["report"]
        self.assertIn("mrt-log: changed (now %s every %d s, types update, peers bird)"
                      % (pattern, ROTATE), rep)
        # The file open at the reload holds records from before it: count from the next
        # (nothing is recorded meanwhile, so once it is complete no FILE.tmp is left).
        e.wait(lambda: not self.tmps(), "the file open at the reload completed",
               timeout=2 * ROTATE)
        done = set(self.files())
        gob.announce("198.18.100.0/24")
        bird.announce(*(b4 + ["198.19.100.0/24"]))
        e.wait(lambda: all(h.norm_prefix(p) in e.rx_rib()
                           for p in ("198.18.100.0/24", "198.19.100.0/24")), "new routes")
        t2 = time.time()
        self.wait_complete(t2)
        new = sorted(set(self.files()) - done)
        recs = self.lines(new)
        self.assertEqual([(f[2], h.norm_prefix(f[5]), h.norm_addr(f[3])) for f in recs],
                         [("A", "198.19.100.0/24", bird.addr)])
        text = "".join(bgpdump(os.path.join(e.dir, n)) for n in new)
        self.assertEqual(re.findall(r"TYPE: (\S+)", text), ["BGP4MP_ET/MESSAGE/Update"])

        # Off: the open file (if any) is completed within a second or so, then nothing.
        self.log_line = None
        self.assertIn("mrt-log: changed (now off)", e.reload()["report"])
        e.wait(lambda: not self.tmps(), "no FILE.tmp left", timeout=5)
        n = len(self.files())
        bird.announce(*(b4 + ["198.19.101.0/24"]))
        time.sleep(ROTATE + 1)
        self.assertEqual(len(self.files()), n)
        self.assertFalse(self.tmps())

    def test_addpath(self):
        """A session that receives ADD-PATH is logged with the RFC 8050 subtype: bgpdump
        prints BGP4MP_ET_AP lines with the path id."""
        e, s = self.env, self.SUBNET
        pattern = os.path.join(e.dir, "updates-%H%M%S.mrt")
        self.config("mrt-log: {file: %s, rotate: %d}" % (pattern, ROTATE))
        e.add_peer("ap", 3, 65003, "nva", **{"add-path": "receive"})
        gob = e.add(h.GoBGP("ap", 3, 65003, send_paths=4))
        e.start_routexd()
        e.start(gob)
        e.established()
        pfx = ["198.18.7.0/24", "2001:db8:%x:7::/64" % s]
        gob.announce(*pfx)
        e.wait(lambda: all(h.norm_prefix(p) in e.rx_rib() for p in pfx), "routes in")
        self.wait_complete(time.time())
        out = "".join(bgpdump(os.path.join(e.dir, n), "-m") for n in self.files())
        ap = [l.split("|") for l in out.splitlines() if l.split("|")[2] == "A"]
        self.assertEqual([f[0] for f in ap], ["BGP4MP_ET_AP"] * 2, out)
        # BGP4MP_ET_AP|time|A|peer|AS|prefix|path id|AS path|ORIGIN|next hop|...
        self.assertEqual(sorted((h.norm_prefix(f[5]), f[7], h.norm_addr(f[9])) for f in ap),
                         sorted((h.norm_prefix(p), "65003", gob.nh(p)) for p in pfx))
        self.assertTrue(all(f[6].isdigit() for f in ap), ap)


if __name__ == "__main__":
    unittest.main()
