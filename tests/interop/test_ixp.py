"""IXP route server mode (RFC 7947, `transparent: true`) with rs-client peers.

Transparent:

Four rs-clients, one of each of BIRD, FRR, ExaBGP, OpenBGPD (the clients' first-AS check
is off: FRR `no bgp enforce-first-as`, OpenBGPD `enforce neighbor-as no`, as RFC 7947 2.2
asks of route server clients), each announcing one IPv4 and one IPv6 prefix: every client
holds the other three's routes with the AS path exactly as its originator sent it (no
65515) and the originator's next hop; never its own back. An NVA peer on the same route
server gets nothing of theirs and they nothing of its (propagation matrix: rs-client and
the Azure roles do not mix). One client withdraws: gone from the other three.
"""
import unittest

import harness as h


class Transparent(h.InteropCase):
    SUBNET = 71
    NEEDS = ("bird", "frr", "exabgp", "openbgpd", "gobgp")

    def test_rs_clients(self):
        e, s = self.env, self.SUBNET
        e.transparent = True
        kinds = ["bird", "frr", "exabgp", "openbgpd"]
        cs = []
        for i, k in enumerate(kinds):
            n = i + 2
            e.add_peer(k, n, 65100 + n, "rs-client")
            cs.append(e.add(h.KINDS[k]("rs-" + k, n, 65100 + n)))
        e.add_peer("nva", 9, 65009, "nva")
        nva = e.add(h.GoBGP("nva-gobgp", 9, 65009))
        e.start_routexd()
        e.start(*cs, nva)
        e.established()
        pfx = {c.name: ["192.0.%d.0/24" % c.n, "2001:db8:%x:%x::/64" % (s, c.n)] for c in cs}
        for c in cs:
            c.announce(*pfx[c.name])
        nva_pfx = ["10.99.%d.0/24" % s]
        nva.announce(*nva_pfx)
        for c in cs:
            want = {p: o.route(p, to=c) for o in cs if o is not c for p in pfx[o.name]}
            e.wait_routes(c, want, absent=pfx[c.name] + nva_pfx)
        all_rs = [p for c in cs for p in pfx[c.name]]
        e.hold_still(nva, absent=all_rs, seconds=1)
        gone = cs[1]
        gone.withdraw(*pfx[gone.name])
        for c in cs:
            if c is not gone:
                e.wait_routes(c, {p: cs[0].route(p, to=c) for p in pfx[cs[0].name]}
                              if c is not cs[0] else {}, absent=pfx[gone.name])
        self.assertEqual(sum(p["flaps"] for p in e.rx_peers().values()), 0)


class Communities(h.InteropCase):
    """IXP control communities (docs/ixp.md, `ixp-communities`, on by default). Two ExaBGP
    clients announce, a BIRD (AS65104) and a GoBGP (AS65105) client receive:
      P1 from exa (0:65104) and, with a longer path, from exb: BIRD must get exb's path
         (path hiding: the next best, not nothing), GoBGP exa's;
      P2 from exa with large R:0:65105: BIRD only;
      P3 from exa with 0:R and R:65104 (announce to 65104 alone): BIRD only;
      P4 from exa with 65001:7 only: both, the community intact.
    Nothing addressed to the route server reaches a client; `show advertised` agrees with
    what each holds. Then a reload with `ixp-communities: false` gives both clients
    everything, exa's path for P1, communities as sent, without a session reset."""
    SUBNET = 72
    NEEDS = ("exabgp", "bird", "gobgp")

    def test_control_communities(self):
        e = self.env
        e.transparent = True
        for n, k in ((2, "exabgp"), (3, "exabgp"), (4, "bird"), (5, "gobgp")):
            e.add_peer("c%d" % n, n, 65100 + n, "rs-client")
        exa = e.add(h.ExaBGP("c2", 2, 65102))
        exb = e.add(h.ExaBGP("c3", 3, 65103))
        bird = e.add(h.Bird("c4", 4, 65104))
        gob = e.add(h.GoBGP("c5", 5, 65105))
        e.start_routexd()
        e.start(exa, exb, bird, gob)
        e.established()
        P1, P2, P3, P4 = ("193.0.%d.0/24" % i for i in range(1, 5))
        exa.announce(P1, attrs="community [0:65104 65001:7]")
        exb.announce(P1, attrs="as-path [65103 65103 65103]")
        exa.announce(P2, attrs="large-community [65515:0:65105]")
        exa.announce(P3, attrs="community [0:65515 65515:65104]")
        exa.announce(P4, attrs="community [65001:7]")
        via_a = exa.route(P1, to=bird)
        via_b = h.Route((65103, 65103, 65103), exb.nh(P1))
        e.wait_routes(bird, {P1: via_b, P2: via_a, P3: via_a, P4: via_a})
        e.wait_routes(gob, {P1: via_a, P4: via_a}, absent=[P2, P3])
        e.hold_still(gob, absent=[P2, P3], seconds=1)
        for d in (bird, gob):
            for p, r in d.routes().items():
                if r.communities is None:
                    continue
                ours = {c for c in r.communities
                        if c.split(":")[0] in ("0", "65515")}
                self.assertEqual(ours, set(), "%s holds %s with %s" % (d.name, p, ours))
        self.assertEqual(gob.routes()[h.norm_prefix(P1)].communities, {"65001:7"})
        self.assertEqual(gob.routes()[h.norm_prefix(P4)].communities, {"65001:7"})
        for d in (bird, gob):
            adv = {h.norm_prefix(r["prefix"])
                   for r in e.ctl("show", "advertised", d.name)["routes"]}
            self.assertEqual(adv, set(d.routes()))
            self.assertEqual(e.rx_peers()[d.name]["prefixes_advertised"], len(adv))
        # exb withdraws: BIRD loses P1 (its only allowed path), GoBGP keeps exa's.
        exb.withdraw(P1)
        e.wait_routes(bird, {P2: via_a}, absent=[P1])
        e.hold_still(gob, {P1: via_a}, seconds=1)
        exb.announce(P1, attrs="as-path [65103 65103 65103]")
        e.wait_routes(bird, {P1: via_b})
        # Off: the communities are ordinary ones again.
        e.extra = ["ixp-communities: false"]
        e.reload()
        e.wait_routes(bird, {P1: via_a, P2: via_a, P3: via_a, P4: via_a})
        e.wait_routes(gob, {P1: via_a, P2: via_a, P3: via_a, P4: via_a})
        self.assertIn("0:65515", gob.routes()[h.norm_prefix(P3)].communities)
        self.assertEqual(sum(p["flaps"] for p in e.rx_peers().values()), 0)


class AddPath(h.InteropCase):
    """ADD-PATH send (RFC 7911, peer key `add-path: send`): BIRD and GoBGP clients that
    negotiate it hold every path of a prefix, not only the best, each under its own path id;
    a client without it (a second GoBGP) holds the best alone. A path carrying 0:65104 is
    not among those BIRD (AS65104) is sent; a withdrawn path goes from every client while
    the others stay; `show advertised` lists each path with its id."""
    SUBNET = 73
    NEEDS = ("exabgp", "bird", "gobgp")

    def test_several_paths(self):
        e = self.env
        e.transparent = True
        feeders = [e.add(h.ExaBGP("c%d" % n, n, 65100 + n)) for n in (2, 3, 6)]
        for f in feeders:
            e.add_peer(f.name, f.n, f.asn, "rs-client")
        e.add_peer("c4", 4, 65104, "rs-client", **{"add-path": "send"})
        e.add_peer("c5", 5, 65105, "rs-client", **{"add-path": "send"})
        e.add_peer("c7", 7, 65107, "rs-client")
        bird = e.add(h.Bird("c4", 4, 65104, add_paths=True))
        gob = e.add(h.GoBGP("c5", 5, 65105, add_paths=True))
        plain = e.add(h.GoBGP("c7", 7, 65107))
        e.start_routexd()
        e.start(*feeders, bird, gob, plain)
        e.established()
        P1, P2 = "193.1.1.0/24", "193.1.2.0/24"
        exa, exb, exc = feeders
        exa.announce(P1, P2)
        exb.announce(P1, attrs="as-path [65103 65103]")
        exc.announce(P1, attrs="as-path [65106 65106 65106] community [0:65104]")
        three = sorted([(65102,), (65103, 65103), (65106, 65106, 65106)])
        p1, p2 = h.norm_prefix(P1), h.norm_prefix(P2)
        e.wait(lambda: gob.paths().get(p1) == three and gob.paths().get(p2) == [(65102,)],
               "GoBGP holds the three paths of P1", show=gob.paths)
        e.wait(lambda: bird.paths().get(p1) == three[:2] and bird.paths().get(p2) == [(65102,)],
               "BIRD holds the two paths of P1 not hidden from it", show=bird.paths)
        e.wait_routes(plain, {P1: exa.route(P1, to=plain), P2: exa.route(P2, to=plain)})
        self.assertEqual(plain.paths().get(p1), [(65102,)])
        adv = e.ctl("show", "advertised", "c5")["routes"]
        ids = sorted(r["path_id"] for r in adv if h.norm_prefix(r["prefix"]) == p1)
        self.assertEqual(len(ids), 3)
        self.assertEqual(len(set(ids)), 3, "each path has its own id")
        self.assertEqual(e.rx_peers()["c5"]["prefixes_advertised"], 2)
        # The best path goes: the other two stay with the ADD-PATH clients; the plain
        # client is moved to the next best.
        exa.withdraw(P1)
        e.wait(lambda: gob.paths().get(p1) == three[1:], "GoBGP drops exa's path",
               show=gob.paths)
        e.wait(lambda: bird.paths().get(p1) == [(65103, 65103)], "BIRD drops exa's path",
               show=bird.paths)
        e.wait_routes(plain, {P1: h.Route((65103, 65103), exb.nh(P1))})
        self.assertEqual(sum(p["flaps"] for p in e.rx_peers().values()), 0)


if __name__ == "__main__":
    unittest.main()
