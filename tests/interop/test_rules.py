"""UPDATE rules checked end to end, with a raw speaker (harness.RawPeer) for the messages
no daemon sends on request, and BIRD as the receiver.

SameUpdate: RFC 4271 4.3: an UPDATE that lists a prefix both in WITHDRAWN ROUTES and in
NLRI is to be treated as though the withdrawn routes did not contain it: the prefix stays,
with the new attributes.
"""
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


if __name__ == "__main__":
    unittest.main()
