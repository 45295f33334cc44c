"""IXP route server mode (RFC 7947, `transparent: true`) with rs-client peers.

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


if __name__ == "__main__":
    unittest.main()
