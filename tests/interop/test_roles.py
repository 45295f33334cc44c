"""BGP roles and Only To Customer (RFC 9234) with rs-client peers.

routexd announces the route server role to rs-clients. A client that announces RS-Client
establishes; one that announces another role gets NOTIFICATION 2/11 (Role Mismatch); with
`bgp-role-strict` a client must announce its role at all. Ingress: a route carrying OTC from
a client is a leak and is refused (counted as rejected), a clean one passes. Egress: every
route routexd sends a client carries OTC with routexd's AS (a client's own OTC is kept).
The clients are raw speakers (speaker.py), so that both the capability and the attribute
are under the test's control, plus ExaBGP as the leaking feeder."""
import time
import unittest

import harness as h
import speaker as sp

ROLE_RS_CLIENT, ROLE_CUSTOMER = 2, 3
OTC = 35


def role_cap(role):
    return sp.cap(9, bytes([role]))


class Roles(h.InteropCase):
    SUBNET = 56
    NEEDS = ("exabgp",)

    def spk(self, name, n, asn):
        e = self.env
        return sp.Speaker(name, e.addr(n), e.rx_addr, e.rx_port, asn,
                          "10.253.%d.%d" % (self.SUBNET, n))

    def test_roles_and_otc(self):
        e = self.env
        e.transparent = True
        e.add_peer("leaker", 2, 3320, "rs-client")
        e.add_peer("client", 3, 1299, "rs-client")
        e.add_peer("strict", 4, 6939, "rs-client", **{"bgp-role-strict": True})
        e.add_peer("wrong", 5, 2914, "rs-client")
        feeder = e.add(h.ExaBGP("rs-exabgp", 2, 3320))
        e.start_routexd()
        e.start(feeder)

        # Roles in OPEN.
        client = self.spk("client", 3, 1299)
        client.connect(open_bytes=sp.open_msg(1299, client.bgp_id,
                                              caps=sp.default_caps(1299) +
                                              role_cap(ROLE_RS_CLIENT)))
        wrong = self.spk("wrong", 5, 2914)
        wrong.connect(open_bytes=sp.open_msg(2914, wrong.bgp_id,
                                             caps=sp.default_caps(2914) +
                                             role_cap(ROLE_CUSTOMER)), establish=False)
        wrong.wait(lambda: wrong.notifications, "NOTIFICATION for the wrong role")
        self.assertEqual(wrong.notifications[0][:2], (2, 11), wrong.notifications)
        strict = self.spk("strict", 4, 6939)
        strict.connect(establish=False)  # default OPEN: no role capability
        strict.wait(lambda: strict.notifications, "NOTIFICATION for the missing role")
        self.assertEqual(strict.notifications[0][:2], (2, 11), strict.notifications)
        strict.connect(open_bytes=sp.open_msg(6939, strict.bgp_id,
                                              caps=sp.default_caps(6939) +
                                              role_cap(ROLE_RS_CLIENT)))
        e.established("leaker", "client", "strict")

        # Ingress: OTC from a client is a leak; egress: OTC = routexd's AS added.
        e.wait(lambda: e.rx_peers()["leaker"]["state"] == "Established", "leaker up")
        clean, leak = "193.0.0.0/21", "193.0.64.0/20"
        feeder.announce(clean)
        feeder.announce(leak, attrs="attribute [ 0x23 0xc0 0x00000d0f ]")  # OTC 3343
        client.wait(lambda: clean in client.routes(), "the clean route at the client")
        time.sleep(1.5)
        held = client.routes()
        self.assertNotIn(leak, held)
        otc = held[clean].get(OTC)
        self.assertIsNotNone(otc, held[clean])
        self.assertEqual(int.from_bytes(otc[2], "big"), h.RX_ASN)
        self.assertEqual(otc[0] & 0xc0, 0xc0)  # optional transitive
        self.assertEqual(e.rx_peers()["leaker"]["rejected"], 1)
        with open(e.rx_log) as f:
            self.assertIn("route leak, OTC 3343 from a route server client", f.read())
        self.assertEqual(sum(p["flaps"] for n, p in e.rx_peers().items()
                             if n in ("leaker", "client")), 0)
        for s in (client, wrong, strict):
            s.close()


if __name__ == "__main__":
    unittest.main()
