"""Export limits: `max-prefixes-out` (docs/config.md). An ExpressRoute gateway (GoBGP) with a
limit of 3 is offered 6 routes of an NVA (ExaBGP) with route exchange on: it must hold exactly
3 at every moment we look, `show advertised` must list exactly those, the state must show in
`show peers` and the log; a withdrawn held route is replaced by a withheld one; a reload
raising or lowering the limit re-exports without resetting the session."""
import time

import harness as h


class MaxPrefixesOut(h.InteropCase):
    SUBNET = 52
    NEEDS = ("exabgp", "gobgp")

    def held(self, er, universe):
        return sorted(p for p in er.routes() if p in universe)

    def advertised(self, name):
        return sorted(h.norm_prefix(r["prefix"]) for r in
                      self.env.ctl("show", "advertised", name)["routes"])

    def settle(self, er, universe, n):
        """Waits until the gateway holds n of the routes, then checks it stays there and
        agrees with routexd's own account."""
        e = self.env
        e.wait(lambda: len(self.held(er, universe)) == n, "the gateway holds %d routes" % n,
               show=lambda: self.held(er, universe))
        e.wait(lambda: e.rx_peers()["ergw"]["prefixes_advertised"] == n,
               "routexd counts %d advertised" % n)
        time.sleep(1.5)
        held = self.held(er, universe)
        self.assertEqual(len(held), n, held)
        self.assertEqual(self.advertised("ergw"), held)
        return held

    def test_limit_and_reload(self):
        e, s = self.env, self.SUBNET
        e.exchange = True
        e.add_peer("sdwan", 2, 65001, "nva")
        erp = e.add_peer("ergw", 3, 65515, "expressroute", **{"max-prefixes-out": 3})
        nva = e.add(h.ExaBGP("nva-exabgp", 2, 65001))
        er = e.add(h.GoBGP("er-gobgp", 3, 65515))
        e.start_routexd()
        e.start(nva, er)
        e.established()
        six = ["10.%d.%d.0/24" % (s, i) for i in range(6)]
        universe = set(six)
        nva.announce(*six)
        e.wait(lambda: e.rx_peers()["sdwan"]["prefixes_accepted"] == 6, "6 accepted")
        held = self.settle(er, universe, 3)
        peer = e.rx_peers()["ergw"]
        self.assertTrue(peer["max_prefixes_out_reached"], peer)
        self.assertEqual(peer["max_prefixes_out"], 3)
        with open(e.rx_log) as f:
            self.assertIn("peer ergw: max-prefixes-out 3 reached", f.read())

        # A held route goes: another takes its place, still 3.
        nva.withdraw(held[0])
        universe.discard(held[0])
        after = self.settle(er, universe, 3)
        self.assertNotIn(held[0], after)

        # Reload: limit 10 -> every remaining route (5), no reset.
        erp["max-prefixes-out"] = 10
        e.reload()
        self.settle(er, universe, 5)
        peer = e.rx_peers()["ergw"]
        self.assertFalse(peer["max_prefixes_out_reached"], peer)
        # Reload: limit 2 -> withdrawals down to 2, no reset.
        erp["max-prefixes-out"] = 2
        e.reload()
        self.settle(er, universe, 2)
        self.assertTrue(e.rx_peers()["ergw"]["max_prefixes_out_reached"])
        peers = e.rx_peers()
        self.assertEqual((peers["ergw"]["flaps"], peers["sdwan"]["flaps"]), (0, 0), peers)
        self.assertEqual(er.session()[0], True)


if __name__ == "__main__":
    import unittest
    unittest.main()
