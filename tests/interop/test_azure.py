"""Azure Route Server scenarios with real daemons in the roles (DESIGN.md, propagation).

(a) Exchange: an SD-WAN NVA (BIRD, eBGP AS 65001) and the ExpressRoute gateway (GoBGP, iBGP
    AS 65515). Route exchange off: each holds the originated virtual-network prefixes and
    nothing of the other; `exchange on`: each holds the other's routes; `exchange off`: they
    are withdrawn again. No session resets at any step, by routexd's count and by the
    daemons' own.
(b) ActiveActive: the NVA (OpenBGPD), the ExpressRoute gateway (BIRD, iBGP) and the VPN
    gateway's two instances (two FRR bgpd, iBGP from two addresses) announcing the same
    on-premises prefix: as (a), plus an ECMP set of two in `show rib PREFIX`, one path after
    one VPN instance stops, and the NVA still holding the prefix.
(c) NvaEcmp: two NVAs (BIRD AS 65001, ExaBGP AS 65002) announce one prefix with AS paths of
    equal length: an ECMP set of two; one withdraws: the other's path remains, and a third
    NVA (GoBGP) follows.
(d) Preference: the ExpressRoute gateway (BIRD) and a VPN gateway (FRR) announce the same
    on-premises prefix, ExpressRoute's with the longer AS path (12076 65020 against 65020):
    with `route-preference: expressroute` (the default) routexd's best is ExpressRoute's
    and the NVA (ExaBGP) uses its next hop; ExpressRoute withdraws: the NVA moves to the
    VPN path; ExpressRoute announces again: back to it.
"""
import unittest

import harness as h

VNET4 = ["10.1.0.0/16", "10.2.0.0/16"]


def originated(env, to):
    rid = "10.255.%d.1" % env.subnet
    return {p: h.Route(() if to.ibgp else (h.RX_ASN,), rid) for p in VNET4}


def routes_of(src, prefixes, to):
    return {p: src.route(p, to=to) for p in prefixes}


class Sessions:
    """Session state of every peer, by routexd and by each daemon's own CLI."""

    def __init__(self, test, daemons):
        self.t, self.e, self.daemons = test, test.env, daemons
        self.rx = {n: p for n, p in self.e.rx_peers().items()}
        self.own = {d.name: d.session() for d in daemons}
        for d in daemons:
            self.t.assertTrue(self.own[d.name][0], "%s: session not established in its own "
                              "CLI: %s" % (d.name, self.own[d.name]))

    def unchanged(self, step):
        now = self.e.rx_peers()
        for n, before in self.rx.items():
            p = now[n]
            self.t.assertEqual((p["state"], p["flaps"]), ("Established", before["flaps"]),
                               "%s: routexd peer %s reset: %s" % (step, n, p))
            self.t.assertGreaterEqual(p["uptime_seconds"], before["uptime_seconds"],
                                      "%s: routexd peer %s uptime went back" % (step, n))
        for d in self.daemons:
            self.t.assertEqual(d.session(), self.own[d.name],
                               "%s: %s's own session state changed" % (step, d.name))


class Exchange(h.InteropCase):
    SUBNET = 21
    NEEDS = ("bird", "gobgp")

    def test_exchange_toggle(self):
        e, s = self.env, self.SUBNET
        e.originate = VNET4
        e.add_peer("sdwan", 2, 65001, "nva")
        e.add_peer("ergw", 3, 65515, "expressroute")
        nva = e.add(h.Bird("nva-bird", 2, 65001))
        er = e.add(h.GoBGP("er-gobgp", 3, 65515))
        e.start_routexd()
        e.start(nva, er)
        e.established()
        branch = ["192.168.%d.0/24" % s, "2001:db8:%x:b::/64" % s]
        onprem = ["172.16.%d.0/24" % s, "2001:db8:%x:e::/64" % s]
        nva.announce(*branch)
        er.announce(*onprem)
        # Exchange off (default): the originated prefixes only.
        e.wait_routes(nva, originated(e, nva))
        e.wait_routes(er, originated(e, er))
        self.assertEqual(e.rx_peers()["ergw"]["prefixes_accepted"], 2)
        self.assertEqual(e.rx_peers()["sdwan"]["prefixes_accepted"], 2)
        e.hold_still(nva, absent=onprem, seconds=1)
        e.hold_still(er, absent=branch, seconds=1)
        sess = Sessions(self, [nva, er])

        e.set_exchange(True)
        self.assertTrue(e.ctl("show", "peers")["route_exchange"])
        e.wait_routes(nva, dict(originated(e, nva), **routes_of(er, onprem, nva)))
        e.wait_routes(er, dict(originated(e, er), **routes_of(nva, branch, er)))
        sess.unchanged("exchange on")

        e.set_exchange(False)
        self.assertFalse(e.ctl("show", "peers")["route_exchange"])
        e.wait_routes(nva, originated(e, nva), absent=onprem)
        e.wait_routes(er, originated(e, er), absent=branch)
        e.hold_still(nva, originated(e, nva), absent=onprem, seconds=1)
        sess.unchanged("exchange off")


class ActiveActive(h.InteropCase):
    SUBNET = 22
    NEEDS = ("bird", "frr", "openbgpd")

    def test_vpn_active_active(self):
        e, s = self.env, self.SUBNET
        e.originate = VNET4
        e.add_peer("sdwan", 2, 65001, "nva")
        e.add_peer("ergw", 3, 65515, "expressroute")
        e.add_peer("vpngw-0", 4, 65515, "vpn")
        e.add_peer("vpngw-1", 5, 65515, "vpn")
        nva = e.add(h.OpenBGPD("nva-openbgpd", 2, 65001))
        er = e.add(h.Bird("er-bird", 3, 65515))
        vpn0 = e.add(h.FRR("vpn0-frr", 4, 65515))
        vpn1 = e.add(h.FRR("vpn1-frr", 5, 65515))
        e.start_routexd()
        e.start(nva, er, vpn0, vpn1)
        e.established()
        branch = ["192.168.%d.0/24" % s]
        er_pfx = ["172.16.%d.0/24" % s]
        site = "172.17.%d.0/24" % s  # the on-premises site behind both VPN instances
        nva.announce(*branch)
        er.announce(*er_pfx)
        vpn0.announce(site)
        vpn1.announce(site)
        e.wait(lambda: len(e.rx_rib(site).get(site, [])) == 2,
               "routexd holds two paths for %s" % site, show=lambda: e.rx_rib(site))
        # Exchange off: each holds the virtual network only.
        for d in (nva, er, vpn0, vpn1):
            e.wait_routes(d, originated(e, d))
        e.hold_still(nva, absent=er_pfx + [site], seconds=1)
        e.hold_still(er, absent=branch + [site], seconds=0.5)
        e.hold_still(vpn0, absent=branch + er_pfx, seconds=0.5)
        sess = Sessions(self, [nva, er, vpn0, vpn1])

        # ECMP across the two VPN instances (same attributes, two iBGP sessions).
        paths = e.rx_rib(site)[site]
        self.assertEqual(sorted(p["peer"] for p in paths), ["vpngw-0", "vpngw-1"])
        self.assertEqual(sorted(p["status"] for p in paths), ["best", "ecmp"], paths)

        e.set_exchange(True)
        site_nhs = {vpn0.nh(site), vpn1.nh(site)}
        e.wait(lambda: site in nva.routes() and nva.routes()[site].next_hop in site_nhs
               and nva.routes()[site].as_path == (h.RX_ASN,),
               "%s holds %s from a VPN instance" % (nva.name, site),
               show=lambda: nva.routes().get(site))
        e.wait_routes(nva, dict(originated(e, nva), **routes_of(er, er_pfx, nva)))
        e.wait_routes(er, dict(originated(e, er), **routes_of(nva, branch, er)))
        self.assertIn(er.routes().get(site).next_hop, site_nhs)
        for v in (vpn0, vpn1):
            e.wait_routes(v, dict(routes_of(nva, branch, v), **routes_of(er, er_pfx, v)))
        sess.unchanged("exchange on")

        # One VPN instance fails: one path left, the NVA keeps the prefix through the other.
        vpn1.kill()
        e.wait(lambda: [p["peer"] for p in e.rx_rib(site)[site]] == ["vpngw-0"],
               "routexd's ECMP set for %s shrinks to vpngw-0" % site,
               show=lambda: e.rx_rib(site), timeout=10)
        self.assertEqual(e.rx_rib(site)[site][0]["status"], "best")
        e.wait_routes(nva, {site: vpn0.route(site, to=nva)})
        e.wait_routes(er, {site: vpn0.route(site, to=er)})
        sess.daemons.remove(vpn1)
        del sess.rx["vpngw-1"]
        sess.unchanged("vpngw-1 down")

        e.set_exchange(False)
        e.wait_routes(nva, originated(e, nva), absent=er_pfx + [site])
        e.wait_routes(er, originated(e, er), absent=branch + [site])
        e.wait_routes(vpn0, originated(e, vpn0), absent=branch + er_pfx)
        sess.unchanged("exchange off")


class NvaEcmp(h.InteropCase):
    SUBNET = 23
    NEEDS = ("bird", "exabgp", "gobgp")

    def test_two_nvas_same_prefix(self):
        e, s = self.env, self.SUBNET
        e.add_peer("nva-a", 2, 65001, "nva")
        e.add_peer("nva-b", 3, 65002, "nva")
        e.add_peer("nva-c", 4, 65003, "nva")
        a = e.add(h.Bird("a-bird", 2, 65001))
        b = e.add(h.ExaBGP("b-exabgp", 3, 65002))
        c = e.add(h.GoBGP("c-gobgp", 4, 65003))
        e.start_routexd()
        e.start(a, b, c)
        e.established()
        pfx = ["10.50.%d.0/24" % s, "2001:db8:%x:50::/64" % s]
        a.announce(*pfx)
        b.announce(*pfx)
        for p in pfx:
            e.wait(lambda: len(e.rx_rib(p).get(h.norm_prefix(p), [])) == 2,
                   "two paths for %s" % p, show=lambda: e.rx_rib(p))
            paths = e.rx_rib(p)[h.norm_prefix(p)]
            self.assertEqual(sorted(x["peer"] for x in paths), ["nva-a", "nva-b"])
            self.assertEqual(sorted(x["status"] for x in paths), ["best", "ecmp"], paths)
        # The third NVA gets one of the two (BGP sends one path per prefix).
        e.wait(lambda: all(c.routes().get(h.norm_prefix(p)) in (a.route(p), b.route(p))
                           for p in pfx), "%s holds %s" % (c.name, pfx),
               show=lambda: c.routes())
        sess = Sessions(self, [a, c])

        a.withdraw(*pfx)
        for p in pfx:
            e.wait(lambda: [(x["peer"], x["status"]) for x in
                            e.rx_rib(p).get(h.norm_prefix(p), [])] == [("nva-b", "best")],
                   "only nva-b's path left for %s" % p, show=lambda: e.rx_rib(p))
        e.wait_routes(c, {p: b.route(p) for p in pfx})
        # nva-a now learns the prefix from nva-b.
        e.wait_routes(a, {p: b.route(p) for p in pfx})
        sess.unchanged("withdraw")



class Preference(h.InteropCase):
    SUBNET = 24
    NEEDS = ("bird", "frr", "exabgp")

    def test_expressroute_preferred(self):
        e, s = self.env, self.SUBNET
        e.exchange = True
        e.add_peer("sdwan", 2, 65001, "nva")
        e.add_peer("ergw", 3, 65515, "expressroute")
        e.add_peer("vpngw", 4, 65515, "vpn")
        nva = e.add(h.ExaBGP("nva-exabgp", 2, 65001))
        er = e.add(h.Bird("er-bird", 3, 65515))
        vpn = e.add(h.FRR("vpn-frr", 4, 65515))
        e.start_routexd()
        e.start(nva, er, vpn)
        e.established()
        site = "172.18.%d.0/24" % s
        er.attrs[h.norm_prefix(site)] = "bgp_path.prepend(65020); bgp_path.prepend(12076);"
        er.announce(site)
        vpn.announce(site)
        via_er = h.Route([h.RX_ASN, 12076, 65020], er.nh(site))
        via_vpn = h.Route([h.RX_ASN], vpn.nh(site))
        e.wait(lambda: len(e.rx_rib(site).get(site, [])) == 2, "two paths for %s" % site,
               show=lambda: e.rx_rib(site))
        best = [p for p in e.rx_rib(site)[site] if p["status"] == "best"]
        self.assertEqual([p["peer"] for p in best], ["ergw"], e.rx_rib(site))
        e.wait_routes(nva, {site: via_er})
        er.withdraw(site)
        e.wait_routes(nva, {site: via_vpn})
        er.announce(site)
        e.wait_routes(nva, {site: via_er})


if __name__ == "__main__":
    unittest.main()
