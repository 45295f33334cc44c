"""Each BGP implementation against routexd, IPv4 and IPv6 (Azure mode, both peers NVAs).

For a daemon D and a monitor M (BIRD, or GoBGP when D is BIRD), both eBGP NVAs:
1. D announces two IPv4 and two IPv6 prefixes; M holds them with AS_PATH 65515 D and D's
   next hop, as M's own CLI shows them;
2. D holds what M announces (AS_PATH 65515 M, M's next hop) and routexd's originated
   prefix (AS_PATH 65515, next hop = router-id), and never its own prefixes back;
3. D withdraws one prefix of each family: gone from M, the others stay;
4. D stops: every route of D leaves M; M's own session never reset.
"""
import unittest

import harness as h

ORIG = "10.1.0.0/16"


class DaemonCase(h.InteropCase):
    KIND = None

    def test_announce_receive_withdraw(self):
        e = self.env
        kind = self.KIND
        mkind = "gobgp" if kind == "bird" else "bird"
        for k in (kind, mkind):
            if h.missing(k):
                self.skipTest(h.missing(k))
        s = e.subnet
        e.originate = [ORIG]
        e.add_peer("d", 2, 65002, "nva")
        e.add_peer("mon", 3, 65003, "nva")
        d = e.add(h.KINDS[kind]("d-" + kind, 2, 65002))
        mon = e.add(h.KINDS[mkind]("mon-" + mkind, 3, 65003))
        e.start_routexd()
        e.start(d, mon)
        e.established("d", "mon")
        mine = ["192.0.%d.0/24" % s, "198.51.%d.0/24" % s, "2001:db8:%x::/48" % s,
                "2001:db8:%x:100::/56" % s]
        theirs = ["203.0.%d.0/24" % s, "2001:db8:%x:200::/56" % s]
        d.announce(*mine)
        mon.announce(*theirs)
        rid = "10.255.%d.1" % s
        e.wait_routes(mon, {p: d.route(p) for p in mine})
        e.wait_routes(d, dict({p: mon.route(p) for p in theirs},
                              **{ORIG: h.Route([h.RX_ASN], rid)}))
        mon_session = mon.session()
        self.assertTrue(mon_session[0], "monitor session down: %s" % (mon_session,))
        # Never sent back to its source, never counted twice.
        e.hold_still(d, absent=mine, seconds=1)
        peers = e.rx_peers()
        self.assertEqual(peers["d"]["prefixes_accepted"], len(mine))
        self.assertEqual(peers["mon"]["prefixes_accepted"], len(theirs))
        # The routexd RIB agrees: D's path is best, next hop unchanged.
        rib = e.rx_rib()
        for p in mine:
            paths = rib[h.norm_prefix(p)]
            self.assertEqual([(x["peer"], x["status"]) for x in paths], [("d", "best")])
            self.assertEqual(h.norm_addr(paths[0]["next_hop"]), d.nh(p))

        gone = [mine[0], mine[2]]
        d.withdraw(*gone)
        e.wait_routes(mon, {p: d.route(p) for p in mine if p not in gone}, absent=gone)
        self.assertEqual(e.rx_peers()["d"]["prefixes_accepted"], 2)

        d.stop()
        e.wait_routes(mon, absent=mine)
        self.assertEqual(mon.session(), mon_session, "the monitor's session was reset")
        self.assertEqual(e.rx_peers()["mon"]["flaps"], 0)


class Bird(DaemonCase):
    SUBNET, KIND = 11, "bird"


class GoBGP(DaemonCase):
    SUBNET, KIND = 12, "gobgp"


class FRR(DaemonCase):
    SUBNET, KIND = 13, "frr"


class ExaBGP(DaemonCase):
    SUBNET, KIND = 14, "exabgp"


class OpenBGPD(DaemonCase):
    SUBNET, KIND = 15, "openbgpd"


del DaemonCase  # the base class has no daemon of its own

if __name__ == "__main__":
    unittest.main()
