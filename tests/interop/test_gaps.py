"""Known gaps of routexd. A test that fails today is marked unittest.expectedFailure: when
routexd is fixed it reports an unexpected success (a failure), and the mark is to go.

Originate6: routexd has no IPv6 next hop to give an originated IPv6 prefix on an IPv4
session. Until 7d82e69 it sent an MP_REACH_NLRI with a next hop of length 0 (and a NEXT_HOP
attribute): BIRD answered UPDATE error 3/9, FRR 3/8, and the sessions reset in a loop. Now
it keeps the prefix in its RIB, logs a warning and advertises it to nobody. The first test
guards the session side (passes); the second wants the prefix delivered (fails today);
the third wants `routexctl show advertised` to agree with what was sent (it does since
export_has_nexthop: the withheld prefix is no longer listed).

(MaxPrefixesOut was here until max-prefixes-out was enforced: see test_limits.py.)
"""
import time
import unittest

import harness as h


class Originate6(h.InteropCase):
    SUBNET = 51
    NEEDS = tuple(h.KINDS)

    def start_all(self):
        e, s = self.env, self.SUBNET
        self.v6 = h.norm_prefix("fd00:%x::/48" % s)
        e.originate = ["10.1.0.0/16", self.v6]
        self.ds = []
        for i, kind in enumerate(h.KINDS):
            n = i + 2
            e.add_peer(kind, n, 65000 + n, "nva")
            self.ds.append(e.add(h.KINDS[kind](kind, n, 65000 + n)))
        e.start_routexd()
        e.start(*self.ds)
        e.established(timeout=15)
        v4 = h.Route([h.RX_ASN], "10.255.%d.1" % s)
        for d in self.ds:
            e.wait_routes(d, {"10.1.0.0/16": v4})
        time.sleep(2)

    def flapped(self):
        return {n: "%s flaps, %s, last error: %s" % (p["flaps"], p["state"], p["last_error"])
                for n, p in self.env.rx_peers().items()
                if p["flaps"] or p["state"] != "Established"}

    def test_ipv6_originate_keeps_sessions(self):
        self.start_all()
        self.assertEqual(self.flapped(), {})
        self.assertEqual([d.session()[0] for d in self.ds], [True] * len(self.ds))

    @unittest.expectedFailure
    def test_ipv6_originate_delivered(self):
        self.start_all()
        held = {d.name: d.routes().get(self.v6) for d in self.ds}
        self.assertEqual(held, {d.name: h.Route([h.RX_ASN], held[d.name].next_hop
                                                if held[d.name] else None)
                                for d in self.ds})
        self.assertEqual(self.flapped(), {})


    def test_show_advertised_tells_the_truth(self):
        self.start_all()
        for d in self.ds:
            adv = {h.norm_prefix(r["prefix"]) for r in
                   self.env.ctl("show", "advertised", d.kind)["routes"]}
            self.assertEqual(adv, set(d.routes()), d.name)


if __name__ == "__main__":
    unittest.main()
