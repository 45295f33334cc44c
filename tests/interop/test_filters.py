"""IXP import filters (peer keys `filter-bogons` and `max-as-path-length`, src/core/filter.c).

An rs-client (ExaBGP, AS 3320) with both filters on announces routed prefixes, bogon
prefixes, prefixes outside /8-/24 and /16-/48, a path through a private ASN and a path
longer than the limit; a second rs-client without filters (GoBGP) announces a private
prefix. The receiving rs-client (BIRD) must hold exactly the routed ones plus the
unfiltered peer's; routexd counts the refused ones as rejected and logs why. A route
accepted once and announced again with a too long path disappears (treat-as-withdraw).
"""
import time
import unittest

import harness as h


class Filters(h.InteropCase):
    SUBNET = 55
    NEEDS = ("exabgp", "gobgp", "bird")

    def test_bogons_and_path_length(self):
        e = self.env
        e.transparent = True
        e.add_peer("filtered", 2, 3320, "rs-client",
                   **{"filter-bogons": True, "max-as-path-length": 5})
        e.add_peer("open", 3, 6939, "rs-client")
        e.add_peer("receiver", 4, 1299, "rs-client")
        fe = e.add(h.ExaBGP("rs-exabgp", 2, 3320))
        op = e.add(h.GoBGP("rs-gobgp", 3, 6939))
        rc = e.add(h.Bird("rs-bird", 4, 1299))
        e.start_routexd()
        e.start(fe, op, rc)
        e.established()
        good = ["193.0.0.0/21", "193.0.8.0/24", "2a00:1450::/32", "2a02:c207:1::/48"]
        refused = ["10.20.0.0/16", "192.0.2.0/24", "100.64.1.0/24", "172.16.5.0/24",
                   "193.0.10.0/25", "4.0.0.0/7", "2001:db8:1::/48", "fd00:1::/32",
                   "2a00:1450:1::/64"]
        fe.announce(*good)
        fe.announce(*refused)
        fe.announce("193.0.20.0/24", attrs="as-path [ 3320 64512 15169 ]")
        fe.announce("193.0.30.0/24", attrs="as-path [ 3320 1 2 3 4 5 ]")
        fe.announce("193.0.40.0/24", attrs="as-path [ 3320 1 2 3 4 ]")
        op.announce("10.30.0.0/16")  # no filter on this peer
        path_refused = ["193.0.20.0/24", "193.0.30.0/24"]
        want = {p: fe.route(p, to=rc) for p in good}
        want["193.0.40.0/24"] = h.Route([3320, 1, 2, 3, 4], fe.nh("193.0.40.0/24"))
        want["10.30.0.0/16"] = op.route("10.30.0.0/16", to=rc)
        e.wait_routes(rc, want, absent=refused + path_refused)
        e.hold_still(rc, want, absent=refused + path_refused, seconds=1.5)
        peer = e.rx_peers()["filtered"]
        self.assertEqual(peer["rejected"], len(refused) + len(path_refused), peer)
        self.assertEqual(peer["prefixes_accepted"], len(good) + 1, peer)
        with open(e.rx_log) as f:
            log = f.read()
        self.assertIn("peer filtered:", log)
        self.assertIn("bogon prefix", log)
        self.assertIn("bogon ASN in AS_PATH", log)
        self.assertIn("AS_PATH longer than max-as-path-length", log)

        # Accepted before, announced again with a path one AS too long: it goes.
        fe.announce("193.0.40.0/24", attrs="as-path [ 3320 1 2 3 4 5 ]")
        del want["193.0.40.0/24"]
        e.wait_routes(rc, want, absent=refused + path_refused + ["193.0.40.0/24"])
        self.assertEqual(sum(p["flaps"] for p in e.rx_peers().values()), 0)

        # Reload: filters off for ExaBGP, on for GoBGP. routexd asks each for its routes
        # again (ROUTE-REFRESH); ExaBGP does not offer route refresh (and ExaBGP 4.2.21
        # raises a TypeError on receiving one), so it is reset instead (Cease/6) and sends
        # them on reconnecting. GoBGP refreshes without a reset.
        e.peers[0].pop("filter-bogons")
        e.peers[0].pop("max-as-path-length")
        e.peers[1]["filter-bogons"] = True
        rep = e.reload()
        self.assertIn("peer filtered: update", rep["report"])
        self.assertIn("peer open: update", rep["report"])
        now = dict(want)
        del now["10.30.0.0/16"]  # private: now refused from GoBGP
        for p in refused:
            now[h.norm_prefix(p)] = fe.route(p, to=rc)
        now["193.0.20.0/24"] = h.Route([3320, 64512, 15169], fe.nh("193.0.20.0/24"))
        now["193.0.30.0/24"] = h.Route([3320, 1, 2, 3, 4, 5], fe.nh("193.0.30.0/24"))
        now["193.0.40.0/24"] = h.Route([3320, 1, 2, 3, 4, 5], fe.nh("193.0.40.0/24"))
        e.wait_routes(rc, now, absent=["10.30.0.0/16"])
        peers = e.rx_peers()
        self.assertEqual((peers["open"]["flaps"], peers["receiver"]["flaps"]), (0, 0), peers)
        self.assertEqual(peers["open"]["rejected"], 1, peers["open"])
        self.assertLessEqual(peers["filtered"]["flaps"], 1, peers["filtered"])
        with open(e.rx_log) as f:
            log = f.read()
        self.assertIn("peer filtered: import filters changed", log)
        self.assertIn("peer open: import filters changed", log)


if __name__ == "__main__":
    unittest.main()
