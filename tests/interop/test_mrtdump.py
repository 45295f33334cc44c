"""`routexctl dump mrt` read back by Debian's bgpdump, compared route for route with
`routexctl -j show rib` (docs/mrt.md, "routexctl dump mrt").

test_dump_matches_show_rib: BIRD (NVA, AS 65002) and GoBGP (NVA, AS 65003) feed IPv4 and
IPv6 routes with communities (large ones too), MED (GoBGP's), ORIGIN EGP and INCOMPLETE, a
long AS path (40 prepends of 4-octet ASes) and overlapping prefixes, so that some prefixes
have two candidate paths of which only one is best; routexd also originates IPv4 prefixes
and an IPv6 one (with next-hop-ipv6). `routexctl dump mrt FILE` (FILE relative: routexctl
makes it absolute) is read by `bgpdump -m`: every line must be one of the Loc-RIB paths
`show rib` marks best or ecmp, and every such path must have its line (prefix, peer address
and AS, AS path, ORIGIN, next hop, LOCAL_PREF, MED, communities); the dump time lies between
the request and the answer. `--adj-rib-in` likewise with every candidate path. A second dump
replaces the first whole. Then the errors: a directory that does not exist, a FILE that is a
directory.

test_replayed_table: GoBGP injects the best paths of a real RIB dump from RX_DATA_DIR
(pyasn/rib.20140523.0600_firstMB.bz2, TABLE_DUMP_V2, 9,072 prefixes in its whole records,
`gobgp mrt inject --only-best`) and announces them to routexd (rs-client, transparent);
dumps taken while the table is still arriving are whole and readable; once it has
settled, the `--adj-rib-in` dump matches `show rib` line for line (real AS paths, AS_SETs,
well-known communities), and other commands are answered while the dump runs.

test_periodic_dump: `mrt-dump: {file: DIR/periodic-%H%M%S.mrt, interval: 10, adj-rib-in:
true}`: a dump appears, named for a multiple of 10 s (its records' time at most 5 s later), bgpdump reads
what `show rib` holds, the log line says so; a reload without the key stops the dumps.
"""
import bz2
import json
import os
import re
import subprocess
import time
import unittest

import harness as h

ORIGINS = {"igp": "IGP", "egp": "EGP", "incomplete": "INCOMPLETE"}
# bgpdump names these three; show rib prints every community as numbers.
WELL_KNOWN = {"no-export": "65535:65281", "no-advertise": "65535:65282",
              "local-AS": "65535:65283"}


def bgpdump(path):
    """bgpdump -m lines as tuples: (prefix, peer address, peer AS, AS path, ORIGIN,
    next hop, LOCAL_PREF, MED, sorted communities); and the set of record times."""
    p = subprocess.run(["bgpdump", "-m", path], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=120)
    if p.returncode != 0:
        raise AssertionError("bgpdump -m %s: exit %d: %s" % (path, p.returncode, p.stderr))
    routes, times = [], set()
    for line in p.stdout.splitlines():
        f = line.split("|")
        if f[0] != "TABLE_DUMP2" or f[2] != "B":
            raise AssertionError("unexpected bgpdump line: %r" % line)
        times.add(int(f[1]))
        comms = [WELL_KNOWN.get(c, c) for c in f[11].split()]
        routes.append((h.norm_prefix(f[5]), h.norm_addr(f[3]), int(f[4]), f[6], f[7],
                       h.norm_addr(f[8]), int(f[9]), int(f[10]), tuple(sorted(comms))))
    return routes, times


def rib_routes(env, statuses):
    """`routexctl -j show rib` paths with one of `statuses`, as bgpdump tuples."""
    peers = {p["name"]: (p["address"], p["asn"]) for p in env.ctl("show", "peers")["peers"]}
    peers["local"] = ("0.0.0.0", h.RX_ASN)  # the dump's peer index 0 (docs/mrt.md)
    out = []
    for r in env.ctl("show", "rib")["routes"]:
        for p in r["paths"]:
            if p["status"] not in statuses:
                continue
            addr, asn = peers[p["peer"]]
            # bgpdump prints standard communities only (no large ones without -l).
            comms = tuple(sorted(c for c in p["communities"] if c.count(":") == 1))
            out.append((h.norm_prefix(r["prefix"]), h.norm_addr(addr), asn, p["as_path"],
                        ORIGINS[p["origin"]], h.norm_addr(p["next_hop"]),
                        p.get("local_pref", 0), p.get("med", 0), comms))
    return out


class MrtDump(h.InteropCase):
    SUBNET = 92
    NEEDS = ("bird", "gobgp")

    def dump(self, name, *opts, cwd=None):
        """Runs routexctl dump mrt NAME (relative to cwd); returns (answer, path, t0, t1)."""
        t0 = int(time.time())
        p = subprocess.run([h.ROUTEXCTL, "-s", self.env.sock, "-j", "dump", "mrt", name]
                           + list(opts), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=120, cwd=cwd or self.env.dir)
        t1 = int(time.time())
        self.assertEqual(p.returncode, 0, p.stderr)
        ans = json.loads(p.stdout)
        path = os.path.join(cwd or self.env.dir, name)
        self.assertEqual(ans["file"], path)
        self.assertTrue(os.path.isfile(path))
        self.assertFalse(os.path.exists(path + ".tmp"))
        return ans, path, t0, t1

    def assert_same(self, dumped, want, what):
        """Same multiset of routes; on failure, show the first differences."""
        if sorted(dumped) == sorted(want):
            return
        d, w = set(dumped), set(want)
        self.fail("%s: %d dumped, %d in show rib\nonly in the dump: %s\nonly in show rib: %s"
                  % (what, len(dumped), len(want), sorted(d - w)[:10], sorted(w - d)[:10]))

    def test_dump_matches_show_rib(self):
        e, s = self.env, self.SUBNET
        e.originate = ["10.%d.0.0/16" % s, "10.%d.1.0/24" % s, "2001:db8:%x:100::/56" % s]
        e.next_hop6 = "2001:db8:ffff:%x::1" % s  # the originated IPv6 prefix's next hop
        e.add_peer("bird", 2, 65002, "nva")
        e.add_peer("gobgp", 3, 65003, "nva")
        bird = e.add(h.Bird("bird", 2, 65002))
        gob = e.add(h.GoBGP("gobgp", 3, 65003))
        e.start_routexd()
        e.start(bird, gob)
        e.established()

        v4 = ["198.18.%d.0/24" % i for i in range(12)]
        v6 = ["2001:db8:%x:%x::/64" % (s, i) for i in range(6)]
        both = v4[:4] + v6[:2]  # announced by both: two candidate paths
        long_path = " ".join("bgp_path.prepend(%d);" % (4200000000 + i) for i in range(40))
        for i, p in enumerate(v4 + v6):
            a = ["bgp_community.add((65002,%d));" % i, "bgp_med = %d;" % (10 * i)]
            if p in both:
                a.append("bgp_path.prepend(65002);")  # GoBGP's path is shorter: best
            if i % 5 == 4:
                a.append(long_path)
            if i % 3 == 1:
                a.append("bgp_large_community.add((65002,%d,7));" % i)
            if i % 4 == 2:
                a.append("bgp_origin = ORIGIN_INCOMPLETE;")
            bird.attrs[h.norm_prefix(p)] = " ".join(a)
        bird.announce(*(v4 + v6))
        only_gobgp = ["203.0.113.0/24", "2001:db8:%x:ff::/64" % s]
        for i, p in enumerate(both + only_gobgp):
            fam = "ipv6" if ":" in p else "ipv4"
            gob.gobgp("global", "rib", "add", "-a", fam, p, "nexthop", gob.nh(p), "origin",
                      "egp" if i % 2 else "igp", "med", str(5 * i + 1),
                      "community", "65003:%d,65003:1000" % i)
        every = set(map(h.norm_prefix, v4 + v6 + only_gobgp + e.originate))
        e.wait(lambda: set(e.rx_rib()) == every and
               all(len(e.rx_rib()[h.norm_prefix(p)]) == 2 for p in both),
               "routexd holds every prefix, two paths for %s" % both,
               show=lambda: sorted(e.rx_rib()))

        # Loc-RIB: relative name (routexctl resolves it against its own cwd).
        ans, path, t0, t1 = self.dump("loc.mrt")
        dumped, times = bgpdump(path)
        want = rib_routes(e, ("best", "ecmp"))
        self.assert_same(dumped, want, "Loc-RIB")
        self.assertEqual(ans["rib"], "loc-rib")
        self.assertEqual(ans["prefixes"], len(every))
        self.assertEqual(ans["entries"], len(dumped))
        self.assertEqual(ans["peers"], 3)  # local, bird, gobgp
        self.assertEqual(ans["skipped"], 0)
        self.assertEqual(ans["bytes"], os.path.getsize(path))
        self.assertEqual(len(times), 1)
        self.assertTrue(t0 <= times.pop() <= t1)
        # The content the feeders sent is there, not only what show rib says.
        long_seen = [r for r in dumped if r[3].count("42000000") == 40]
        self.assertTrue(long_seen, "no 40-AS path in the dump")
        self.assertTrue(any(r[2] == 65003 and r[7] > 0 and r[4] == "EGP" for r in dumped),
                        "GoBGP's MED and ORIGIN EGP")
        self.assertTrue(any(r[0] == h.norm_prefix(v6[3]) and r[5] == h.norm_addr(e.nh6(2))
                            for r in dumped), "IPv6 route with BIRD's next hop")
        self.assertTrue(any(r[0] == h.norm_prefix(both[0]) and r[2] == 65003 for r in dumped))
        self.assertIn((h.norm_prefix(e.originate[2]), "0.0.0.0", h.RX_ASN, "", "IGP",
                       h.norm_addr(e.next_hop6), 0, 0, ()), dumped)
        self.assertFalse(any(r[0] == h.norm_prefix(both[0]) and r[2] == 65002
                             for r in dumped), "the worse path is in the Loc-RIB dump")

        # Adj-RIB-In: every candidate path; an absolute path this time.
        adj_path = os.path.join(e.dir, "adj.mrt")
        ans, path, _, _ = self.dump(adj_path, "--adj-rib-in", cwd="/")
        dumped_adj, _ = bgpdump(path)
        self.assert_same(dumped_adj, rib_routes(e, ("best", "ecmp", "candidate")),
                         "Adj-RIB-In")
        self.assertEqual(ans["rib"], "adj-rib-in")
        self.assertEqual(ans["entries"], len(dumped) + len(both))
        self.assertTrue(any(r[0] == h.norm_prefix(both[0]) and r[2] == 65002
                            for r in dumped_adj))

        # A dump replaces the previous file whole.
        before = os.path.getsize(path)
        self.dump(adj_path)  # now the Loc-RIB under the same name
        self.assertLess(os.path.getsize(adj_path), before)

        # Errors are clear, and nothing is left behind.
        for bad, why in ((os.path.join(e.dir, "nope", "x.mrt"),
                          "cannot create %s.tmp: No such file or directory"
                          % os.path.join(e.dir, "nope", "x.mrt")),
                         (e.dir, "%s: Is a directory" % e.dir)):
            p = h.run([h.ROUTEXCTL, "-s", e.sock, "dump", "mrt", bad], check=False)
            self.assertEqual(p.returncode, 1)
            self.assertEqual(p.stderr, "error: dump mrt: %s\n" % why)
        self.assertEqual(e.rx_peers()["bird"]["flaps"] + e.rx_peers()["gobgp"]["flaps"], 0)

    def test_periodic_dump(self):
        e, s = self.env, self.SUBNET
        e.originate = ["10.%d.%d.0/24" % (s, i) for i in range(5)]
        e.add_peer("idle", 2, 65002, "nva")  # never connects: the dump has local routes
        pattern = os.path.join(e.dir, "periodic-%H%M%S.mrt")
        extra = ["mrt-dump: {file: %s, interval: 10, adj-rib-in: true}" % pattern]
        write = e.write_config

        def write_config():
            path = write()
            with open(path, "a") as f:
                f.write("".join(x + "\n" for x in extra))
            return path
        e.write_config = write_config

        def dumps():
            return sorted(f for f in os.listdir(e.dir) if re.fullmatch(r"periodic-\d{6}\.mrt", f))
        e.start_routexd()
        e.wait(lambda: dumps(), "a periodic dump in %s" % e.dir, timeout=25)
        first = dumps()[0]
        self.assertEqual(int(first[len("periodic-"):-4]) % 10, 0,
                         "dumps fall on the multiples of the interval")
        path = os.path.join(e.dir, first)
        routes, times = bgpdump(path)
        self.assertEqual(len(routes), 5)
        self.assert_same(routes, rib_routes(e, ("best", "ecmp", "candidate")), "periodic")
        # The records carry the time the dump started: the due time, or a tick later.
        t = times.pop()
        due = [x for x in range(t - 5, t + 1)
               if time.strftime("%H%M%S", time.gmtime(x)) == first[len("periodic-"):-4]]
        self.assertTrue(due, "record time %d, file %s" % (t, first))
        with open(e.rx_log) as f:
            self.assertIn("info: mrt-dump: %s: adj-rib-in, 5 prefixes, 5 entries, 2 peers, "
                          % path, f.read())
        # A reload turns it off at once.
        extra.clear()
        self.assertIn("mrt-dump: changed (now off)", e.reload()["report"])
        n = len(dumps())
        time.sleep(11)
        self.assertEqual(len(dumps()), n)
        self.assertFalse([f for f in os.listdir(e.dir) if f.endswith(".tmp")])

    SOURCE = "pyasn/rib.20140523.0600_firstMB.bz2"
    MIN_PREFIXES = 8000  # 9,072 prefixes in the file's whole records (2014 AS paths, some
                         # refused or not chosen by GoBGP's best-path selection)

    def test_replayed_table(self):
        data = os.environ.get("RX_DATA_DIR", "")
        src = os.path.join(data, "mrt", self.SOURCE)
        if not data or not os.path.exists(src):
            self.skipTest("%s not found (RX_DATA_DIR)" % src)
        e = self.env
        # gobgp reads plain MRT: decompress what bzip2 can of the cut file, and cut it at
        # the last whole record.
        raw = bytearray()
        d = bz2.BZ2Decompressor()
        with open(src, "rb") as f:
            try:
                raw += d.decompress(f.read())
            except (EOFError, OSError):
                pass
        off = 0
        while off + 12 <= len(raw):
            n = int.from_bytes(raw[off + 8:off + 12], "big")
            if off + 12 + n > len(raw):
                break
            off += 12 + n
        plain = os.path.join(e.dir, "source.mrt")
        with open(plain, "wb") as f:
            f.write(raw[:off])
        e.add_peer("feed", 2, 65002, "rs-client")
        e.transparent = True
        gob = e.add(h.GoBGP("feed", 2, 65002))
        e.start_routexd()
        e.start(gob)
        e.established()
        gob.gobgp("mrt", "inject", "global", "--only-best", plain)
        # Dumps while the decision thread is still writing the table (the ASan run of this
        # test checks the reader side): each is whole, and bgpdump reads it.
        sizes = []
        for i in range(8):
            ans, path, _, _ = self.dump("churn-%d.mrt" % i, *(["--adj-rib-in"] if i % 2 else []))
            lines, _ = bgpdump(path)
            self.assertEqual(len(lines), ans["entries"])
            sizes.append(ans["prefixes"])
        print("replay: dumps during the load saw %s prefixes" % sizes)
        last = [-1]

        def settled():  # the count has stopped growing for a second
            time.sleep(0.75)
            n = e.rx_peers()["feed"]["prefixes_accepted"]
            done, last[0] = n == last[0] and n >= self.MIN_PREFIXES, n
            return done
        e.wait(settled, "routexd has the injected table (>= %d prefixes), stable"
               % self.MIN_PREFIXES, show=lambda: last[0], timeout=60)
        n = e.rx_peers()["feed"]["prefixes_accepted"]

        # Other commands are answered while the dump runs (it has a thread of its own).
        proc = subprocess.Popen([h.ROUTEXCTL, "-s", e.sock, "-j", "dump", "mrt",
                                 os.path.join(e.dir, "big.mrt"), "--adj-rib-in"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(5):
            self.assertIn("feed", e.rx_peers())
        out, err = proc.communicate(timeout=120)
        self.assertEqual(proc.returncode, 0, err)
        ans = json.loads(out)
        self.assertEqual(ans["prefixes"], n)
        dumped, _ = bgpdump(ans["file"])
        self.assert_same(dumped, rib_routes(e, ("best", "ecmp", "candidate")),
                         "replayed Adj-RIB-In")
        print("replay: %d prefixes, %d bytes, dumped in %.3f s"
              % (ans["prefixes"], ans["bytes"], ans["seconds"]))


if __name__ == "__main__":
    unittest.main()
