"""UPDATE rules checked end to end, with a raw speaker (harness.RawPeer) for the messages
no daemon sends on request, and BIRD as the receiver.

SameUpdate: RFC 4271 4.3: an UPDATE that lists a prefix both in WITHDRAWN ROUTES and in
NLRI is to be treated as though the withdrawn routes did not contain it: the prefix stays,
with the new attributes.

LimitCount: max-prefixes counts prefixes held plus the new ones of the incoming UPDATE
(Azure's rule): with a limit of 3, the same 3 prefixes announced again with new attributes
keep the session; an UPDATE with 2 more (one already held) is refused whole: Cease/1, and
the monitor never sees either new prefix.

GracefulRestart: RFC 4724 4.2. BIRD with `graceful restart on` (its capability lists IPv4
and IPv6) is killed: the monitor keeps its routes while it is away; it comes back
announcing one prefix fewer: that one is withdrawn at its End-of-RIB, the other stays.
FRR in its default helper mode lists no family: killed, its routes go at once.

Communities (RFC 1997, DESIGN.md: communities pass intact, NO_ADVERTISE and NO_EXPORT
towards eBGP honoured): ExaBGP (an NVA; it sends whatever it is told) announces prefixes
with plain communities, NO_ADVERTISE and NO_EXPORT, route exchange on. BIRD (eBGP NVA)
holds the plain ones with their communities and never the other two; GoBGP (ExpressRoute,
iBGP) holds the NO_EXPORT one too; OpenBGPD's update log shows neither ever went out to it.

RouteRefresh (RFC 2918): BIRD (`reload in`), FRR (`clear bgp X soft in`), OpenBGPD
(`bgpctl neighbor X refresh`) and GoBGP (`neighbor X softresetin`) each ask routexd for its
routes again: by the daemon's own count more UPDATEs arrive (BIRD, FRR, OpenBGPD send a
ROUTE-REFRESH; GoBGP answers from its Adj-RIB-In, so for it only "nothing breaks" is
checked), the routes are all still there, none was withdrawn on the way (OpenBGPD's update
log), and no session resets.

ShowMatches: routexctl tells the truth: `show advertised PEER` lists exactly the routes
(prefix, AS path, next hop) the peer's daemon holds from routexd, and `show learned PEER`
exactly what that daemon announced.
"""
import time
import unittest

import harness as h


class SameUpdate(h.InteropCase):
    SUBNET = 61
    NEEDS = ("bird",)

    def test_withdrawn_and_announced_in_one_update(self):
        e, s = self.env, self.SUBNET
        e.add_peer("raw", 9, 65009, "nva")
        e.add_peer("mon", 3, 65003, "nva")
        raw = e.add(h.RawPeer("raw", 9, 65009))
        mon = e.add(h.Bird("mon-bird", 3, 65003))
        e.start_routexd()
        e.start(mon, raw)
        e.established()
        p, q = "198.51.%d.0/24" % s, "203.0.%d.0/24" % s
        nh = e.nh4(9)
        raw.send(h.bgp_update4(nlri=[p, q], as_path=[65009], next_hop=nh))
        e.wait_routes(mon, {p: h.Route([h.RX_ASN, 65009], nh),
                            q: h.Route([h.RX_ASN, 65009], nh)})
        # p in both fields (announced wins, new path); q only withdrawn.
        raw.send(h.bgp_update4(withdrawn=[p, q], nlri=[p], as_path=[65009, 65010],
                               next_hop=nh))
        e.wait_routes(mon, {p: h.Route([h.RX_ASN, 65009, 65010], nh)}, absent=[q])
        e.hold_still(mon, {p: h.Route([h.RX_ASN, 65009, 65010], nh)}, absent=[q], seconds=1)
        self.assertFalse(raw.eof, "routexd closed the raw session")



class LimitCount(h.InteropCase):
    SUBNET = 62
    NEEDS = ("openbgpd",)

    def test_limit_counts_new_prefixes_only(self):
        e, s = self.env, self.SUBNET
        e.add_peer("raw", 9, 65009, "nva", **{"max-prefixes": 3})
        e.add_peer("mon", 3, 65003, "nva")
        raw = e.add(h.RawPeer("raw", 9, 65009))
        mon = e.add(h.OpenBGPD("mon-openbgpd", 3, 65003))
        e.start_routexd()
        e.start(mon, raw)
        e.established()
        nh = e.nh4(9)
        three = ["198.18.%d.0/24" % i for i in range(3)]
        raw.send(h.bgp_update4(nlri=three, as_path=[65009], next_hop=nh))
        e.wait_routes(mon, {p: h.Route([h.RX_ASN, 65009], nh) for p in three})
        raw.send(h.bgp_update4(nlri=three, as_path=[65009, 65009], next_hop=nh))
        e.wait_routes(mon, {p: h.Route([h.RX_ASN, 65009, 65009], nh) for p in three})
        self.assertEqual(e.rx_peers()["raw"]["state"], "Established")
        more = ["198.18.3.0/24", "198.18.4.0/24"]
        raw.send(h.bgp_update4(nlri=[three[0]] + more, as_path=[65009], next_hop=nh))
        e.wait(lambda: raw.eof, "routexd closes the raw session")
        notes = [b[:2] for t, b in raw.received if t == 3]
        self.assertEqual(notes, [bytes([6, 1])], "NOTIFICATIONs received: %s" % notes)
        e.wait_routes(mon, absent=three + more)
        seen = set(h.norm_prefix(p) for p in more) & mon.updates_logged()
        self.assertEqual(seen, set(), "prefixes beyond the limit reached the monitor")



class GracefulRestart(h.InteropCase):
    SUBNET = 63
    NEEDS = ("bird", "frr", "openbgpd")

    def test_restart_capable_and_helper_only(self):
        e, s = self.env, self.SUBNET
        e.add_peer("gr", 2, 65002, "nva")
        e.add_peer("helper", 4, 65004, "nva")
        e.add_peer("mon", 3, 65003, "nva")
        gr = e.add(h.Bird("gr-bird", 2, 65002, graceful_restart=True))
        helper = e.add(h.FRR("helper-frr", 4, 65004))
        mon = e.add(h.OpenBGPD("mon-openbgpd", 3, 65003))
        e.start_routexd()
        e.start(gr, helper, mon)
        e.established()
        keep, drop = "192.0.%d.0/24" % s, "2001:db8:%x::/48" % s
        hp = ["198.51.%d.0/24" % s, "2001:db8:%x:4::/64" % s]
        gr.announce(keep, drop)
        helper.announce(*hp)
        e.wait_routes(mon, dict({p: gr.route(p) for p in (keep, drop)},
                                **{p: helper.route(p) for p in hp}))
        # Helper only: nothing preserved, the routes go as the session drops.
        helper.kill()
        e.wait_routes(mon, absent=hp, timeout=5)
        # Restart-capable: killed, its routes stay (stale) while it is away.
        gr.kill()
        e.wait(lambda: e.rx_peers()["gr"]["state"] != "Established", "gr down in routexd")
        e.hold_still(mon, {p: gr.route(p) for p in (keep, drop)}, seconds=2)
        gr.announced = {h.norm_prefix(keep)}
        gr.start()
        e.established("gr")
        e.wait_routes(mon, {keep: gr.route(keep)}, absent=[drop])
        self.assertIn("graceful restart", open(e.rx_log).read())



class Communities(h.InteropCase):
    SUBNET = 64
    NEEDS = ("exabgp", "bird", "gobgp", "openbgpd")

    def test_well_known_communities(self):
        e, s = self.env, self.SUBNET
        e.exchange = True
        e.add_peer("src", 2, 65001, "nva")
        e.add_peer("mon", 3, 65003, "nva")
        e.add_peer("er", 4, 65515, "expressroute")
        e.add_peer("log", 5, 65005, "nva")
        src = e.add(h.ExaBGP("src-exabgp", 2, 65001))
        mon = e.add(h.Bird("mon-bird", 3, 65003))
        er = e.add(h.GoBGP("er-gobgp", 4, 65515))
        log = e.add(h.OpenBGPD("log-openbgpd", 5, 65005))
        e.start_routexd()
        e.start(src, mon, er, log)
        e.established()
        plain4, plain6 = "192.0.%d.0/24" % s, "2001:db8:%x::/48" % s
        noadv, noexp = "198.51.%d.0/24" % s, "203.0.%d.0/24" % s
        src.announce(plain4, plain6, attrs="community [65001:100 65001:200]")
        src.announce(noadv, attrs="community [65001:100 no-advertise]")
        src.announce(noexp, attrs="community [65001:100 no-export]")
        e.wait(lambda: all(h.norm_prefix(p) in e.rx_rib() for p in
                           (plain4, plain6, noadv, noexp)),
               "routexd learned all four", show=lambda: list(e.rx_rib()))
        e.wait_routes(mon, {p: src.route(p, to=mon) for p in (plain4, plain6)})
        e.wait_routes(er, {p: src.route(p, to=er) for p in (plain4, plain6, noexp)})
        e.hold_still(mon, absent=[noadv, noexp], seconds=1)
        e.hold_still(er, absent=[noadv], seconds=0.5)
        want = {"65001:100", "65001:200"}
        self.assertEqual(mon.routes()[h.norm_prefix(plain4)].communities, want)
        self.assertEqual(mon.routes()[h.norm_prefix(plain6)].communities, want)
        self.assertEqual(er.routes()[h.norm_prefix(plain4)].communities, want)
        self.assertEqual(er.routes()[h.norm_prefix(noexp)].communities,
                         {"65001:100", "65535:65281"})
        e.wait(lambda: h.norm_prefix(plain4) in log.updates_logged(), "OpenBGPD got plain4")
        self.assertEqual({h.norm_prefix(noadv), h.norm_prefix(noexp)} & log.updates_logged(),
                         set(), "NO_ADVERTISE / NO_EXPORT route sent to an eBGP peer")



class RouteRefresh(h.InteropCase):
    SUBNET = 65
    NEEDS = ("bird", "frr", "openbgpd", "gobgp", "exabgp")

    def test_refresh_requests(self):
        e, s = self.env, self.SUBNET
        e.originate = ["10.1.0.0/16"]
        kinds = ["bird", "frr", "openbgpd", "gobgp"]
        ds = []
        for i, k in enumerate(kinds):
            n = i + 2
            e.add_peer(k, n, 65000 + n, "nva")
            ds.append(e.add(h.KINDS[k]("%s" % k, n, 65000 + n)))
        e.add_peer("src", 9, 65009, "nva")
        src = e.add(h.ExaBGP("src-exabgp", 9, 65009))
        e.start_routexd()
        e.start(src, *ds)
        e.established()
        pfx = ["192.0.%d.0/24" % s, "2001:db8:%x::/48" % s]
        src.announce(*pfx)
        want = dict({p: src.route(p) for p in pfx},
                    **{"10.1.0.0/16": h.Route([h.RX_ASN], "10.255.%d.1" % s)})
        for d in ds:
            e.wait_routes(d, want)
        time.sleep(1)
        before = {d.name: (d.session(), d.updates_received()) for d in ds}
        for d in ds:
            d.ask_refresh()
        for d in ds:
            if d.kind == "gobgp":
                continue
            e.wait(lambda: d.updates_received() > before[d.name][1],
                   "%s receives UPDATEs again after its refresh request" % d.name,
                   show=lambda: (before[d.name][1], d.updates_received()))
        for d in ds:
            e.wait_routes(d, want)
            self.assertEqual(d.session(), before[d.name][0], "%s: session reset" % d.name)
        self.assertEqual(sum(p["flaps"] for p in e.rx_peers().values()), 0)
        # A refresh resends; it never withdraws first (the routes would blink).
        ob = [d for d in ds if d.kind == "openbgpd"][0]
        self.assertEqual(ob.withdraws_logged() & set(want), set())



def advertised(env, peer):
    return {h.norm_prefix(r["prefix"]):
            h.Route([int(a) for a in r["path"]["as_path"].split()], r["path"]["next_hop"])
            for r in env.ctl("show", "advertised", peer)["routes"]}


class ShowMatches(h.InteropCase):
    SUBNET = 66
    NEEDS = ("exabgp", "bird", "frr")

    def test_show_advertised_and_learned(self):
        e, s = self.env, self.SUBNET
        e.originate = ["10.1.0.0/16", "10.2.0.0/16"]
        e.add_peer("src", 2, 65002, "nva")
        e.add_peer("mon", 3, 65003, "nva")
        e.add_peer("frr", 4, 65004, "nva")
        src = e.add(h.ExaBGP("src-exabgp", 2, 65002))
        mon = e.add(h.Bird("mon-bird", 3, 65003))
        frr = e.add(h.FRR("frr", 4, 65004))
        e.start_routexd()
        e.start(src, mon, frr)
        e.established()
        a = ["192.0.%d.0/24" % s, "2001:db8:%x::/48" % s]
        b = ["198.51.%d.0/24" % s, "2001:db8:%x:f::/64" % s]
        src.announce(*a)
        frr.announce(*b)
        e.wait_routes(mon, dict({p: src.route(p) for p in a}, **{p: frr.route(p) for p in b}))
        time.sleep(1)
        self.assertEqual(advertised(e, "mon"), mon.routes())
        self.assertEqual(advertised(e, "frr"), frr.routes())
        learned = {h.norm_prefix(r["prefix"]) for r in e.ctl("show", "learned", "src")["routes"]}
        self.assertEqual(learned, src.announced)


if __name__ == "__main__":
    unittest.main()
