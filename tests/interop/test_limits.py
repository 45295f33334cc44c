"""Export limits: `max-prefixes-out` (docs/config.md). An ExpressRoute gateway (GoBGP) with a
limit of 3 is offered 6 routes of an NVA (ExaBGP) with route exchange on: it must hold exactly
3 at every moment we look, `show advertised` must list exactly those, the state must show in
`show peers` and the log; a withdrawn held route is replaced by a withheld one; a reload
raising or lowering the limit re-exports without resetting the session."""
import time

import harness as h


def nva_and_gateway(e, limit):
    """An NVA (ExaBGP, `sdwan`) and an ExpressRoute gateway (GoBGP, `ergw`) limited to
    `limit` routes, both Established; returns (gateway's config entry, nva, gateway)."""
    e.add_peer("sdwan", 2, 65001, "nva")
    erp = e.add_peer("ergw", 3, 65515, "expressroute", **{"max-prefixes-out": limit})
    nva = e.add(h.ExaBGP("nva-exabgp", 2, 65001))
    er = e.add(h.GoBGP("er-gobgp", 3, 65515))
    e.start_routexd()
    e.start(nva, er)
    e.established()
    return erp, nva, er


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
        erp, nva, er = nva_and_gateway(e, 3)
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


class DryRun(h.InteropCase):
    """`exchange on|off --dry-run` and `reload --dry-run` forecast, per peer, what would be
    announced and withdrawn and which limits would be hit, and change nothing; the forecast
    is then checked against what the gateway really receives."""
    SUBNET = 53
    NEEDS = ("exabgp", "gobgp")

    def test_forecasts(self):
        e, s = self.env, self.SUBNET
        erp, nva, er = nva_and_gateway(e, 4)
        six = ["10.%d.%d.0/24" % (s, i) for i in range(6)]
        nva.announce(*six)
        e.wait(lambda: e.rx_peers()["sdwan"]["prefixes_accepted"] == 6, "6 accepted")

        out = e.ctl("exchange", "on", "--dry-run")
        self.assertEqual((out["route_exchange"], out["dry_run"], out["changed"]),
                         (True, True, False))
        fc = {p["name"]: p for p in out["peers"]}
        self.assertEqual({k: fc["ergw"][k] for k in
                          ("announce", "withdraw", "before", "after", "max_prefixes_out",
                           "withheld")},
                         {"announce": 4, "withdraw": 0, "before": 0, "after": 4,
                          "max_prefixes_out": 4, "withheld": 2})
        self.assertEqual((fc["sdwan"]["announce"], fc["sdwan"]["withdraw"]), (0, 0))
        text = h.run([h.ROUTEXCTL, "-s", e.sock, "exchange", "on", "--dry-run"]).stdout
        self.assertIn("ergw                      4          0          0          4 "
                      "4 reached: 2 routes withheld", text)
        time.sleep(1.5)  # nothing changed
        self.assertEqual([p for p in er.routes() if p in six], [])
        self.assertFalse(e.rx_peers()["ergw"]["max_prefixes_out_reached"])

        e.set_exchange(True)
        e.wait(lambda: len([p for p in er.routes() if p in six]) == 4, "4 routes at the gateway")
        time.sleep(1)
        self.assertEqual(len([p for p in er.routes() if p in six]), 4)

        # reload --dry-run: limit 10 would announce the 2 withheld routes.
        erp["max-prefixes-out"] = 10
        e.exchange = True  # the file must say what the running daemon does
        e.write_config()
        rep = e.ctl("reload", "--dry-run")
        self.assertFalse(rep["reloaded"])
        line = [l.split() for l in rep["report"].splitlines() if l.startswith("ergw ")]
        self.assertEqual(len(line), 1, rep["report"])
        self.assertEqual(line[0][1:6], ["2", "0", "4", "6", "10"], rep["report"])
        self.assertIn("dry run: nothing changed", rep["report"])

        # exchange off --dry-run: all 4 would go.
        fc = {p["name"]: p for p in e.ctl("exchange", "off", "--dry-run")["peers"]}
        self.assertEqual((fc["ergw"]["announce"], fc["ergw"]["withdraw"], fc["ergw"]["after"]),
                         (0, 4, 0))
        time.sleep(1)
        self.assertEqual(len([p for p in er.routes() if p in six]), 4)
        self.assertEqual(e.rx_peers()["ergw"]["flaps"], 0)


if __name__ == "__main__":
    import unittest
    unittest.main()
