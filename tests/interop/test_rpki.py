"""RPKI route origin validation (docs/rpki.md): a real RTR cache (stayrtr, serving a JSON ROA
file this test writes and rewrites), a real feeder (GoBGP, AS 65001) announcing routes whose
origin is valid, invalid (wrong origin; too long for the ROA's max length) and not found,
and a real receiver (BIRD). routexd validates each route at import, marks it in `show rib`,
drops invalids from what it advertises when `invalid: drop` (keeping them in the Adj-RIB-In),
and re-validates when a ROA changes: a route that turns valid reaches the receiver, one that
turns invalid is withdrawn from it, with no BGP session reset anywhere."""
import json
import os
import shutil
import urllib.request

import harness as h

FEED_AS = 65001
ORIGIN = 64500  # the AS the ROAs authorise
OTHER = 64501   # a different origin


class StayRTR(h.Daemon):
    """stayrtr serving self.roas (a list of (prefix, max_length, asn)) from a JSON file it
    re-reads every second (-refresh 1); a change goes to the RTR clients as a new serial
    (Serial Notify, then the client's Serial Query)."""
    kind = "stayrtr"

    def __init__(self, name, n):
        super().__init__(name, n, 0)
        self.roas = []

    def write(self):
        data = {"roas": [{"prefix": p, "maxLength": m, "asn": "AS%d" % a}
                         for p, m, a in self.roas]}
        tmp = os.path.join(self.dir, "roas.json.tmp")
        with open(tmp, "w") as f:
            json.dump(data, f)
        os.replace(tmp, self.file)  # never a half-written file for stayrtr to read

    def start(self):
        self.file = os.path.join(self.dir, "roas.json")
        self.write()
        self.port = h.free_port(self.addr)
        metrics = h.free_port(self.addr)
        self.proc = h.Proc(["stayrtr", "-cache", self.file, "-checktime=false", "-refresh", "1",
                            "-bind", "%s:%d" % (self.addr, self.port),
                            "-metrics.addr", "%s:%d" % (self.addr, metrics)],
                           os.path.join(self.dir, "log"))
        self.env.wait(lambda: "Updated added" in open(os.path.join(self.dir, "log")).read(),
                      "stayrtr loaded %s" % self.file, timeout=10)


def gobgp_announce(feed, prefix, origin):
    """GoBGP originates prefix with AS_PATH [origin]; it prepends its own AS towards us."""
    p = h.norm_prefix(prefix)
    fam = "ipv6" if ":" in p else "ipv4"
    feed.gobgp("global", "rib", "add", "-a", fam, p, "aspath", str(origin),
               "nexthop", feed.nh(p))
    feed.announced.add(p)


class RpkiBase(h.InteropCase):
    NEEDS = ("gobgp", "bird")

    def setUp(self):
        if not shutil.which("stayrtr"):
            self.skipTest("stayrtr not installed (scripts/install-deps.sh installs it)")
        super().setUp()

    def setup_env(self, invalid, cache_first=True, filler=0):
        e, s = self.env, self.SUBNET
        self.invalid = invalid  # the config's `invalid:`, read at every (re)write
        self.p = {"valid": "10.%d.1.0/24" % s, "wrong_origin": "10.%d.2.0/24" % s,
                  "too_long": "10.%d.3.128/25" % s, "not_found": "10.%d.4.0/24" % s,
                  "valid6": "2001:db8:%x:1::/64" % s, "wrong_origin6": "2001:db8:%x:2::/64" % s}
        self.rtr = e.add(StayRTR("stayrtr", 9))
        self.rtr.roas = [("10.%d.1.0/24" % s, 24, ORIGIN), ("10.%d.2.0/24" % s, 24, ORIGIN),
                         ("10.%d.3.0/24" % s, 24, ORIGIN),
                         # the receiver's own route: invalid if it were validated
                         ("10.%d.5.0/24" % s, 24, ORIGIN),
                         ("2001:db8:%x::/48" % s, 64, ORIGIN)]
        # VRPs that cover none of the routes (a bigger table: a load above 8,192 changes
        # re-validates the whole RIB in one walk instead of one walk per VRP)
        self.rtr.roas += [("100.%d.%d.0/24" % (64 + i // 256, i % 256), 24, 64999)
                          for i in range(filler)]
        e.add_peer("feed", 2, FEED_AS, "rs-client")
        e.add_peer("recv", 3, 65003, "rs-client", rpki=False)
        self.feed = e.add(h.GoBGP("feed-gobgp", 2, FEED_AS))
        self.recv = e.add(h.Bird("recv-bird", 3, 65003))
        if cache_first:
            self.rtr.start()
            port = self.rtr.port
        else:
            port = h.free_port(self.rtr.addr)  # stayrtr comes later, on this port
        orig_write = e.write_config

        def write_config():
            path = orig_write()
            with open(path) as f:
                text = f.read()
            rpki = ("rpki:\n  servers: [{address: %s, port: %d}]\n  retry: 1\n"
                    "  invalid: %s\n" % (self.rtr.addr, port, self.invalid))
            with open(path, "w") as f:
                f.write(text.replace("peers:\n", rpki + "peers:\n", 1))
            return path
        e.write_config = write_config
        e.metrics = (e.rx_addr, h.free_port(e.rx_addr))
        e.start_routexd()
        e.start(self.feed, self.recv)
        e.established()
        self.sessions = (self.feed.session()[1], self.recv.session()[1])
        gobgp_announce(self.feed, self.p["valid"], ORIGIN)
        gobgp_announce(self.feed, self.p["wrong_origin"], OTHER)
        gobgp_announce(self.feed, self.p["too_long"], ORIGIN)
        gobgp_announce(self.feed, self.p["not_found"], ORIGIN)
        gobgp_announce(self.feed, self.p["valid6"], ORIGIN)
        gobgp_announce(self.feed, self.p["wrong_origin6"], OTHER)
        self.own = "10.%d.5.0/24" % s
        self.recv.announce(self.own)
        return port

    def rpki_states(self):
        """{prefix: (rpki state, status)} of the feeder's paths in `show rib`."""
        out = {}
        for pfx, paths in self.env.rx_rib().items():
            for path in paths:
                if path["peer"] == "feed":
                    out[pfx] = (path["rpki"], path["status"])
        return out

    def wait_states(self, want):
        want = {h.norm_prefix(p): v for p, v in want.items()}
        self.env.wait(lambda: all(self.rpki_states().get(p) == v for p, v in want.items()),
                      "show rib states %s" % want, show=self.rpki_states)

    def wait_in_sync(self):
        self.env.wait(lambda: self.env.ctl("show", "rpki")["rtr"]["servers"][0]["in_sync"],
                      "routexd's RTR session in sync", show=lambda: self.env.ctl("show", "rpki"))

    def assert_no_reset(self):
        self.assertEqual((self.feed.session()[1], self.recv.session()[1]), self.sessions)
        peers = self.env.rx_peers()
        self.assertEqual((peers["feed"]["flaps"], peers["recv"]["flaps"]), (0, 0), peers)

    def metrics(self):
        """{(name, label values...): value} of the routex_rpki_ samples."""
        url = "http://%s:%d/metrics" % self.env.metrics
        text = urllib.request.urlopen(url, timeout=5).read().decode()
        out = {}
        for line in text.splitlines():
            if line.startswith("routex_rpki_"):
                key, value = line.rsplit(" ", 1)
                out[key] = float(value)
        return out

    def log(self):
        with open(self.env.rx_log, errors="replace") as f:
            return f.read()


class Drop(RpkiBase):
    """invalid: drop. Invalids are held but not advertised; ROA changes move routes both
    ways without a session reset."""
    SUBNET = 101

    def test_drop_and_roa_changes(self):
        e = self.env
        self.setup_env("drop")
        p = self.p
        self.wait_in_sync()
        self.wait_states({p["valid"]: ("valid", "best"),
                          p["wrong_origin"]: ("invalid", "hidden"),
                          p["too_long"]: ("invalid", "hidden"),
                          p["not_found"]: ("not-found", "best"),
                          p["valid6"]: ("valid", "best"),
                          p["wrong_origin6"]: ("invalid", "hidden")})
        want = set(map(h.norm_prefix, (p["valid"], p["not_found"], p["valid6"])))
        e.wait(lambda: want <= set(self.recv.routes()),
               "the receiver has the valid and the not-found routes", show=self.recv.routes)
        e.hold_still(self.recv, absent=[p["wrong_origin"], p["too_long"], p["wrong_origin6"]],
                     seconds=2)
        got = self.recv.routes()[h.norm_prefix(p["valid"])]
        self.assertEqual(list(got.as_path), [h.RX_ASN, FEED_AS, ORIGIN])
        feed = e.rx_peers()["feed"]
        self.assertEqual((feed["prefixes_received"], feed["prefixes_accepted"]), (6, 3), feed)
        # rpki: false: the receiver's route is not validated, so not dropped
        e.wait(lambda: h.norm_prefix(self.own) in self.feed.routes(),
               "the feeder has the receiver's unvalidated route", show=self.feed.routes)
        own = e.rx_rib(self.own)[h.norm_prefix(self.own)]
        self.assertEqual([(x["peer"], x["status"], x["rpki"]) for x in own],
                         [("recv", "best", "none")])
        rpki = e.ctl("show", "rpki")
        self.assertEqual((rpki["invalid"], rpki["rtr"]["roas_ipv4"], rpki["rtr"]["roas_ipv6"]),
                         ("drop", 4, 1), rpki)
        self.assertIn("rpki: cache %s port %d up: in sync" % (self.rtr.addr, self.rtr.port),
                      self.log())
        cache = 'cache="%s port %d"' % (self.rtr.addr, self.rtr.port)
        m = self.metrics()
        self.assertEqual(m['routex_rpki_roas{afi="ipv4"}'], 4, m)
        self.assertEqual(m['routex_rpki_cache_up{%s}' % cache], 1, m)
        hidden = e.rx_rib(p["wrong_origin"])[h.norm_prefix(p["wrong_origin"])]
        self.assertEqual([(x["peer"], x["status"], x["rpki"]) for x in hidden],
                         [("feed", "hidden", "invalid")])

        # ROA file rewritten: the wrong-origin route becomes valid, the valid one invalid.
        s = self.SUBNET
        self.rtr.roas = [("10.%d.1.0/24" % s, 24, 64999), ("10.%d.2.0/24" % s, 24, OTHER),
                         ("10.%d.3.0/24" % s, 24, ORIGIN), ("10.%d.5.0/24" % s, 24, ORIGIN),
                         ("2001:db8:%x::/48" % s, 64, ORIGIN),
                         ("2001:db8:%x:2::/64" % s, 64, OTHER)]
        self.rtr.write()
        self.wait_states({p["valid"]: ("invalid", "hidden"),
                          p["wrong_origin"]: ("valid", "best"),
                          p["too_long"]: ("invalid", "hidden"),
                          p["not_found"]: ("not-found", "best"),
                          p["wrong_origin6"]: ("valid", "best")})
        e.wait(lambda: h.norm_prefix(p["wrong_origin6"]) in self.recv.routes(),
               "the receiver gained the newly valid IPv6 route", show=self.recv.routes)
        e.wait(lambda: h.norm_prefix(p["wrong_origin"]) in self.recv.routes() and
               h.norm_prefix(p["valid"]) not in self.recv.routes(),
               "the receiver gained the newly valid route and lost the newly invalid one",
               show=self.recv.routes)
        e.hold_still(self.recv, absent=[p["valid"], p["too_long"]], seconds=2)

        # The ROA covering the too-long route goes: not found, so it is advertised.
        self.rtr.roas = self.rtr.roas[:2] + self.rtr.roas[3:]
        self.rtr.write()
        self.wait_states({p["too_long"]: ("not-found", "best")})
        e.wait(lambda: h.norm_prefix(p["too_long"]) in self.recv.routes(),
               "the receiver gets the route no ROA covers any more", show=self.recv.routes)
        feed = e.rx_peers()["feed"]
        self.assertEqual((feed["prefixes_received"], feed["prefixes_accepted"]), (6, 5), feed)
        self.assert_no_reset()

        # The cache goes away: logged, shown; the ROAs stay until they expire (RFC 8210 6).
        self.rtr.stop()
        e.wait(lambda: "rpki: cache %s port %d down" % (self.rtr.addr, self.rtr.port)
               in self.log(), "the cache's loss is logged")
        rpki = e.ctl("show", "rpki")
        self.assertFalse(rpki["rtr"]["servers"][0]["in_sync"], rpki)
        self.assertEqual(self.metrics()['routex_rpki_cache_up{%s}' % cache], 0)
        self.assertEqual(self.rpki_states()[h.norm_prefix(p["valid"])], ("invalid", "hidden"))


class Accept(RpkiBase):
    """invalid: accept, and a cache that comes up after the routes are in: every route is
    advertised; the states go from not-found to what the ROAs say once the cache syncs."""
    SUBNET = 102

    def test_accept_and_late_cache(self):
        e = self.env
        port = self.setup_env("accept", cache_first=False, filler=9000)
        p = self.p
        self.wait_states({x: ("not-found", "best") for x in p.values()})
        e.wait(lambda: set(map(h.norm_prefix, p.values())) <= set(self.recv.routes()),
               "the receiver has all six routes", show=self.recv.routes)
        # The cache starts on the port routexd has been retrying.
        self.rtr.file = os.path.join(self.rtr.dir, "roas.json")
        self.rtr.write()
        metrics = h.free_port(self.rtr.addr)
        self.rtr.proc = h.Proc(["stayrtr", "-cache", self.rtr.file, "-checktime=false",
                                "-refresh", "1", "-bind", "%s:%d" % (self.rtr.addr, port),
                                "-metrics.addr", "%s:%d" % (self.rtr.addr, metrics)],
                               os.path.join(self.rtr.dir, "log"))
        self.wait_in_sync()
        e.wait(lambda: e.ctl("show", "rpki")["rtr"]["roas_ipv4"] == 9004, "9,004 VRPs loaded",
               show=lambda: e.ctl("show", "rpki"))
        self.wait_states({p["valid"]: ("valid", "best"),
                          p["wrong_origin"]: ("invalid", "best"),
                          p["too_long"]: ("invalid", "best"),
                          p["not_found"]: ("not-found", "best"),
                          p["valid6"]: ("valid", "best"),
                          p["wrong_origin6"]: ("invalid", "best")})
        e.hold_still(self.recv, present=None, absent=(), seconds=1)
        self.assertTrue(set(map(h.norm_prefix, p.values())) <= set(self.recv.routes()))
        feed = e.rx_peers()["feed"]
        self.assertEqual((feed["prefixes_received"], feed["prefixes_accepted"]), (6, 6), feed)

        # Reload with invalid: drop (the usual rollout: mark first, then drop): applied in
        # place, the three invalid routes leave the receiver, no session resets.
        self.invalid = "drop"
        out = e.reload()
        self.assertIn("rpki: invalid routes now dropped (applied in place", str(out))
        self.wait_states({p["wrong_origin"]: ("invalid", "hidden"),
                          p["too_long"]: ("invalid", "hidden"),
                          p["wrong_origin6"]: ("invalid", "hidden"),
                          p["valid"]: ("valid", "best")})
        gone = [p["wrong_origin"], p["too_long"], p["wrong_origin6"]]
        e.wait(lambda: not set(map(h.norm_prefix, gone)) & set(self.recv.routes()),
               "the receiver lost the invalid routes", show=self.recv.routes)
        e.hold_still(self.recv, absent=gone, seconds=1)
        feed = e.rx_peers()["feed"]
        self.assertEqual((feed["prefixes_received"], feed["prefixes_accepted"]), (6, 3), feed)
        self.assertEqual(e.ctl("show", "rpki")["invalid"], "drop")
        # A change of the caches still needs a restart: refused, nothing changed.
        self.invalid = "accept\n  refresh: 60"
        e.write_config()
        out = e.ctl("reload", check=False)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("rpki: changed; only a restart applies it", out.stdout + out.stderr)
        self.assertEqual(e.ctl("show", "rpki")["invalid"], "drop")
        self.assert_no_reset()
