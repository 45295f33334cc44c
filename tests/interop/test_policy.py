"""Route maps (docs/policy.md): per-peer import and export maps, and RFC 8212's
`require-policy`, against real daemons.

Maps: a BIRD feeder (AS 65001, NVA) announces routes with communities and prepended paths
through an import map that denies one community and tags a prefix list's routes; a GoBGP
feeder (AS 65002) has no map. A BIRD receiver (AS 65003) has an export map that hides
GoBGP's routes (as-path contains), denies a path by regular expression, and rewrites a
prefix list's routes (prepend, MED, community add and remove). A GoBGP receiver (AS 65004)
without a map sees what the maps do not touch. What each receiver holds is read from its
own CLI; what routexd accepted from `routexctl -j show rib`. A reload then edits both maps:
the import change reaches the feeder as a ROUTE-REFRESH, the export change re-exports,
and no session resets.

Summarise: an export map's `summarise` towards an ExpressRoute gateway with a route limit.

RequirePolicy: with `require-policy: true` an eBGP peer without an import map accepts
nothing and one without an export map is sent nothing, originated prefixes included; the
warning names them; adding maps by a reload lets routes through without a reset.
"""
import re
import unittest

import harness as h

RX = h.RX_ASN


def bird_attrs(bird):
    """{prefix: {"med": int or None, "large": set of "a:b:c"}} from BIRD's own CLI."""
    out = bird.birdc("show", "route", "all", "protocol", "routex")
    res, cur = {}, None
    for line in out.splitlines():
        m = re.match(r"^([0-9a-fA-F.:]+/\d+)\s", line)
        if m:
            cur = h.norm_prefix(m.group(1))
            res[cur] = {"med": None, "large": set()}
            continue
        line = line.strip()
        if cur and line.startswith("BGP.med:"):
            res[cur]["med"] = int(line.split(":", 1)[1])
        elif cur and line.startswith("BGP.large_community:"):
            res[cur]["large"] = set("%s:%s:%s" % t for t in
                                    re.findall(r"\((\d+), *(\d+), *(\d+)\)", line))
    return res


MAPS_V1 = [
    "prefix-lists:",
    '  customers: ["10.10.0.0/16 le 24", "2001:db8:10::/48 le 64"]',
    "route-maps:",
    "  from-feeder:",
    '    - match: {community: ["65001:666"]}',
    "      action: deny",
    "    - match: {prefix-list: customers}",
    '      set: {community-add: ["65515:100"], large-community-add: ["65515:1:2"]}',
    "  to-receiver:",
    "    - match: {as-path: {contains: 65002}}",
    "      action: deny",
    '    - match: {as-path: {regex: "^65001 65009$"}}',
    "      action: deny",
    "    - match: {prefix-list: customers, role: nva}",
    '      set: {prepend: 2, med: 50, community-add: ["65515:200"], '
    'community-remove: ["65001:1"]}',
]


class Maps(h.InteropCase):
    SUBNET = 111
    NEEDS = ("bird", "gobgp")

    def test_import_export_reload(self):
        e = self.env
        e.extra = list(MAPS_V1)
        e.add_peer("feeder", 2, 65001, "nva", **{"import": "from-feeder"})
        e.add_peer("gfeed", 3, 65002, "nva")
        e.add_peer("receiver", 4, 65003, "nva", **{"export": "to-receiver"})
        e.add_peer("plain", 5, 65004, "nva")
        fb = e.add(h.Bird("feeder-bird", 2, 65001))
        gf = e.add(h.GoBGP("feeder-gobgp", 3, 65002))
        rc = e.add(h.Bird("recv-bird", 4, 65003))
        pl = e.add(h.GoBGP("plain-gobgp", 5, 65004))
        tagged, denied, regexed, untouched = ("10.10.1.0/24", "10.20.0.0/24", "10.30.0.0/24",
                                              "10.40.0.0/24")
        tagged6 = "2001:db8:10:1::/64"
        fb.attrs[tagged] = "bgp_community.add((65001,1));"
        fb.attrs[tagged6] = "bgp_community.add((65001,1));"
        fb.attrs[denied] = "bgp_community.add((65001,666));"
        fb.attrs[regexed] = "bgp_path.prepend(65009);"
        # Both feeders: GoBGP's path is shorter, so best; the receiver's map denies it and
        # gets BIRD's instead (path hiding), the plain receiver gets GoBGP's.
        both = "10.70.0.0/24"
        fb.attrs[both] = "bgp_path.prepend(65010);"
        fb.announced.update(h.norm_prefix(p) for p in (tagged, tagged6, denied, regexed,
                                                       untouched, both))
        e.start_routexd()
        e.start(fb, gf, rc, pl)
        e.established()
        gf.announce("10.50.0.0/24", both)

        nh = fb.nh(tagged)
        want_rc = {
            tagged: h.Route([RX, RX, RX, 65001], nh),
            tagged6: h.Route([RX, RX, RX, 65001], fb.nh(tagged6)),
            untouched: h.Route([RX, 65001], fb.nh(untouched)),
            both: h.Route([RX, 65001, 65010], fb.nh(both)),
        }
        want_pl = {
            tagged: h.Route([RX, 65001], nh),
            regexed: h.Route([RX, 65001, 65009], fb.nh(regexed)),
            untouched: h.Route([RX, 65001], fb.nh(untouched)),
            "10.50.0.0/24": gf.route("10.50.0.0/24", to=pl),
            both: gf.route(both, to=pl),
        }
        absent_rc = [denied, regexed, "10.50.0.0/24"]
        e.wait_routes(rc, want_rc, absent=absent_rc)
        e.wait_routes(pl, want_pl, absent=[denied])
        e.hold_still(rc, want_rc, absent=absent_rc, seconds=1.5)

        # Import: the denied route never reached the RIB, counted as rejected; the tagged
        # one is stored with the import map's communities.
        rib = e.rx_rib()
        self.assertNotIn(denied, rib)
        self.assertEqual(e.rx_peers()["feeder"]["rejected"], 1)
        stored = rib[tagged][0]
        self.assertEqual(set(stored["communities"]), {"65001:1", "65515:100", "65515:1:2"},
                         stored)
        self.assertEqual(set(rib[untouched][0]["communities"]), set(), rib[untouched])
        # Export: the receiver sees the rewrite, the plain receiver the route as stored.
        rt = rc.routes()
        self.assertEqual(rt[tagged].communities, {"65515:100", "65515:200"})
        self.assertEqual(rt[untouched].communities, set())
        attrs = bird_attrs(rc)
        self.assertEqual(attrs[tagged]["med"], 50)
        self.assertEqual(attrs[tagged6]["med"], 50)
        self.assertEqual(attrs[tagged]["large"], {"65515:1:2"})
        self.assertIsNone(attrs[untouched]["med"])  # eBGP MED not passed on (RFC 4271)
        self.assertEqual(pl.routes()[tagged].communities, {"65001:1", "65515:100"})
        peers = e.rx_peers()
        self.assertEqual((peers["feeder"]["import"], peers["receiver"]["export"]),
                         ("from-feeder", "to-receiver"))
        self.assertIsNone(peers["plain"]["export"])
        maps = {m["name"]: m for m in e.ctl("show", "route-maps")["route_maps"]}
        self.assertEqual(sorted(maps), ["from-feeder", "to-receiver"])
        self.assertEqual((maps["from-feeder"]["import"], maps["to-receiver"]["export"]),
                         (["feeder"], ["receiver"]))
        self.assertEqual([x["action"] for x in maps["to-receiver"]["entries"]],
                         ["deny", "deny", "permit"])
        self.assertEqual(maps["to-receiver"]["entries"][0]["match"],
                         "{as-path: {contains: 65002}}")
        text = h.run([h.ROUTEXCTL, "-s", e.sock, "show", "peers"]).stdout
        self.assertIn("peer feeder: import map from-feeder, export map -", text)
        self.assertIn("peer receiver: import map -, export map to-receiver", text)
        self.assertNotIn("peer plain:", text)
        text = h.run([h.ROUTEXCTL, "-s", e.sock, "show", "route-maps"]).stdout
        self.assertIn("route map to-receiver: import by -, export to receiver", text)
        self.assertIn("3 permit match {prefix-list: customers, role: [nva]} set {community-remove: "
                      "[\"65001:1\"], community-add: [\"65515:200\"], prepend: 2, med: 50}", text)

        # Reload: the import map no longer denies 65001:666 (the feeder is asked for its
        # routes again); the export map no longer hides AS 65002 and sets MED 70.
        e.extra = [l for l in MAPS_V1 if "65001:666" not in l]
        e.extra.remove("      action: deny")  # the first deny went with its match
        e.extra = [l.replace("contains: 65002", "contains: 65099").replace("med: 50", "med: 70")
                   for l in e.extra]
        rep = e.reload()
        self.assertIn("peer feeder: update import", rep["report"])
        self.assertIn("peer receiver: re-export export", rep["report"])
        want_rc[denied] = h.Route([RX, 65001], fb.nh(denied))
        want_rc["10.50.0.0/24"] = h.Route([RX, 65002], gf.nh("10.50.0.0/24"))
        want_rc[both] = h.Route([RX, 65002], gf.nh(both))  # the best path, no longer hidden
        want_pl[denied] = h.Route([RX, 65001], fb.nh(denied))
        e.wait_routes(rc, want_rc, absent=[regexed])
        e.wait_routes(pl, want_pl)
        e.wait(lambda: bird_attrs(rc)[tagged]["med"] == 70, "MED 70 at the receiver",
               show=lambda: bird_attrs(rc).get(tagged))
        peers = e.rx_peers()
        self.assertEqual(sum(p["flaps"] for p in peers.values()), 0, peers)
        with open(e.rx_log) as f:
            log = f.read()
        self.assertIn("peer feeder: import map changed: its routes are requested again", log)
        self.assertIn("denied by import map from-feeder", log)


class RequirePolicy(h.InteropCase):
    SUBNET = 112
    NEEDS = ("bird",)

    def test_rfc8212(self):
        e = self.env
        e.extra = ["require-policy: true"]
        e.originate = ["10.99.0.0/16"]
        e.add_peer("feeder", 2, 65001, "nva")
        e.add_peer("receiver", 3, 65003, "nva")
        fb = e.add(h.Bird("feeder-bird", 2, 65001))
        rc = e.add(h.Bird("recv-bird", 3, 65003))
        fb.announced.add("10.60.0.0/24")
        e.start_routexd()
        e.start(fb, rc)
        e.established()
        # Nothing in, nothing out: give the feeder time to send, then check both ends.
        e.wait(lambda: e.rx_peers()["feeder"]["rejected"] >= 1, "the feeder's route refused",
               show=lambda: e.rx_peers()["feeder"])
        e.hold_still(rc, {}, absent=["10.60.0.0/24", "10.99.0.0/16"], seconds=1.5)
        self.assertNotIn("10.60.0.0/24", e.rx_rib())
        peers = e.rx_peers()
        self.assertEqual(peers["feeder"]["import"], "rfc8212-reject-all")
        self.assertEqual(peers["receiver"]["export"], "rfc8212-reject-all")
        maps = e.ctl("show", "route-maps")
        self.assertTrue(maps["require_policy"])
        self.assertEqual([(m["name"], m["import"], m["export"]) for m in maps["route_maps"]],
                         [("rfc8212-reject-all", ["feeder", "receiver"],
                           ["feeder", "receiver"])])
        with open(e.rx_log) as f:
            log = f.read()
        self.assertIn("peer feeder: eBGP without an import or an export map: with "
                      "require-policy (RFC 8212) it accepts nothing and is sent nothing", log)

        # Explicit maps by a reload: routes flow, no session resets.
        e.extra += ["route-maps:", "  any: [{action: permit}]"]
        e.peers[0]["import"] = "any"
        e.peers[1]["export"] = "any"
        e.reload()
        want = {"10.60.0.0/24": fb.route("10.60.0.0/24", to=rc),
                "10.99.0.0/16": h.Route([RX], "10.255.%d.1" % e.subnet)}
        e.wait_routes(rc, want)
        self.assertEqual(sum(p["flaps"] for p in e.rx_peers().values()), 0)


class Summarise(h.InteropCase):
    """`summarise` (Azure Route Server's way to stay under ExpressRoute's route limit): an
    ExpressRoute gateway (GoBGP, iBGP, max-prefixes-out 3) with an export map summarising
    10.60.0.0/16 holds the summary instead of the NVA's four /24s under it, plus the one
    route outside it; the summary is the route server's own (empty AS path towards iBGP,
    next hop its router id, ATOMIC_AGGREGATE); it goes when the last /24 does; a reload
    without the map sends the routes themselves, as many as the limit lets through (in
    prefix order, as any change of a limited peer's export key), without a reset."""
    SUBNET = 114
    NEEDS = ("exabgp", "gobgp")

    def test_summary_under_a_limit(self):
        e, s = self.env, self.SUBNET
        e.exchange = True
        e.extra = ["prefix-lists:", '  vnet: ["10.60.0.0/16 le 32"]', "route-maps:",
                   "  to-er:", "    - match: {prefix-list: vnet}",
                   "      set: {summarise: 10.60.0.0/16}"]
        e.add_peer("sdwan", 2, 65001, "nva")
        erp = e.add_peer("ergw", 3, RX, "expressroute", **{"max-prefixes-out": 3,
                                                            "export": "to-er"})
        nva = e.add(h.ExaBGP("nva-exabgp", 2, 65001))
        er = e.add(h.GoBGP("er-gobgp", 3, RX))
        e.start_routexd()
        e.start(nva, er)
        e.established()
        subs = ["10.60.%d.0/24" % i for i in range(1, 5)]
        nva.announce(*subs, "10.80.1.0/24")
        summary = h.Route((), "10.255.%d.1" % s)
        e.wait_routes(er, {"10.60.0.0/16": summary,
                           "10.80.1.0/24": nva.route("10.80.1.0/24", to=er)}, absent=subs)
        e.hold_still(er, absent=subs, seconds=1)
        self.assertEqual(len(er.routes()), 2)
        adv = e.ctl("show", "advertised", "ergw")["routes"]
        self.assertEqual(sorted(r["prefix"] for r in adv if r.get("summary")), ["10.60.0.0/16"])
        self.assertEqual(e.rx_peers()["ergw"]["prefixes_advertised"], 2)
        # ATOMIC_AGGREGATE and AGGREGATOR as GoBGP holds them.
        out = er.gobgp("global", "rib", "-a", "ipv4", "10.60.0.0/16", "-j")
        self.assertIn('"type":6', out.replace(" ", ""))
        self.assertIn('"type":7', out.replace(" ", ""))
        # The summary stays while one /24 does.
        nva.withdraw(*subs[:3])
        e.hold_still(er, {"10.60.0.0/16": summary}, absent=subs, seconds=1)
        nva.withdraw(subs[3])
        e.wait_routes(er, {"10.80.1.0/24": nva.route("10.80.1.0/24", to=er)},
                      absent=["10.60.0.0/16"])
        nva.announce(*subs)
        e.wait_routes(er, {"10.60.0.0/16": summary}, absent=subs)
        # Without the map: the /24s themselves, as many as the limit lets through.
        del erp["export"]
        e.reload()
        e.wait(lambda: len(er.routes()) == 3 and "10.60.0.0/16" not in er.routes(),
               "the gateway holds three of the NVA's routes, not the summary",
               show=er.routes)
        self.assertTrue(set(er.routes()) <= set(subs) | {"10.80.1.0/24"})
        self.assertEqual(sum(p["flaps"] for p in e.rx_peers().values()), 0)


if __name__ == "__main__":
    unittest.main()


class RpkiExport(h.InteropCase):
    """An export map on RPKI state, with a real RTR cache (stayrtr) and `invalid: accept`:
    invalid routes are kept selectable, the receiver's map denies them and tags valid ones;
    a ROA change that makes an invalid route valid sends it, tagged, without a reset."""
    SUBNET = 113
    NEEDS = ("gobgp", "bird")

    def test_rpki_match(self):
        import shutil
        if not shutil.which("stayrtr"):
            self.skipTest("stayrtr not installed (scripts/install-deps.sh installs it)")
        import test_rpki as r
        e, s = self.env, self.SUBNET
        valid, invalid, unknown = "10.%d.1.0/24" % s, "10.%d.2.0/24" % s, "10.%d.4.0/24" % s
        rtr = e.add(r.StayRTR("stayrtr", 9))
        rtr.roas = [(valid, 24, r.ORIGIN), (invalid, 24, r.ORIGIN)]
        rtr.start()
        e.extra = ["rpki: {servers: [{address: %s, port: %d}], retry: 1, invalid: accept}"
                   % (rtr.addr, rtr.port),
                   "route-maps:",
                   "  to-recv:",
                   "    - {match: {rpki: invalid}, action: deny}",
                   '    - {match: {rpki: valid}, set: {community-add: ["65515:7"]}}']
        e.add_peer("feed", 2, 65001, "nva")
        e.add_peer("recv", 3, 65003, "nva", rpki=False, export="to-recv")
        feed = e.add(h.GoBGP("feed-gobgp", 2, 65001))
        recv = e.add(h.Bird("recv-bird", 3, 65003))
        e.start_routexd()
        e.start(feed, recv)
        e.established()
        sessions = (feed.session()[1], recv.session()[1])
        r.gobgp_announce(feed, valid, r.ORIGIN)
        r.gobgp_announce(feed, invalid, r.OTHER)
        r.gobgp_announce(feed, unknown, r.ORIGIN)
        nh = feed.nh(valid)
        want = {valid: h.Route([RX, 65001, r.ORIGIN], nh),
                unknown: h.Route([RX, 65001, r.ORIGIN], nh)}
        e.wait_routes(recv, want, absent=[invalid])
        e.hold_still(recv, want, absent=[invalid], seconds=1.5)
        rt = recv.routes()
        self.assertEqual(rt[valid].communities, {"65515:7"})
        self.assertEqual(rt[unknown].communities, set())
        self.assertEqual(e.rx_rib()[invalid][0]["rpki"], "invalid")  # kept: accept

        # The cache now authorises the other origin (the invalid route turns valid and goes
        # out, tagged) and covers the not-found one (valid: sent again, now tagged; the path
        # did not change, only its state).
        rtr.roas += [(invalid, 24, r.OTHER), (unknown, 24, r.ORIGIN)]
        rtr.write()
        want[invalid] = h.Route([RX, 65001, r.OTHER], nh)
        e.wait_routes(recv, want)
        for p in (invalid, unknown):
            e.wait(lambda: recv.routes()[p].communities == {"65515:7"},
                   "%s turned valid is tagged" % p, show=lambda: recv.routes().get(p))
        self.assertEqual((feed.session()[1], recv.session()[1]), sessions)
