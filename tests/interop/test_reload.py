"""`routexctl reload` with real daemons: only what changed is applied (docs/config.md,
Reload). BIRD (AS 65001) and ExaBGP (AS 65002) are NVAs from the start; then one reload
adds an originated prefix, changes a description and adds OpenBGPD (AS 65003) as a new
peer; a second removes that peer (Cease/3) and an originated prefix; a third changes
ExaBGP's hold time (Cease/6, that session alone comes back). The untouched sessions never
reset, by routexd's count and by the daemons' own.
"""
import os
import unittest

import harness as h


class Reload(h.InteropCase):
    SUBNET = 41
    NEEDS = ("bird", "exabgp", "openbgpd")

    def test_reload_applies_only_changes(self):
        e, s = self.env, self.SUBNET
        rid = "10.255.%d.1" % s
        e.originate = ["10.1.0.0/16"]
        pa = e.add_peer("a", 2, 65001, "nva")
        pb = e.add_peer("b", 3, 65002, "nva")
        a = e.add(h.Bird("a-bird", 2, 65001))
        b = e.add(h.ExaBGP("b-exabgp", 3, 65002))
        c = e.add(h.OpenBGPD("c-openbgpd", 4, 65003))
        e.start_routexd()
        e.start(a, b)
        e.established()
        pfx = "192.0.%d.0/24" % s
        a.announce(pfx)
        e.wait_routes(b, {pfx: a.route(pfx), "10.1.0.0/16": h.Route([h.RX_ASN], rid)})
        own = {d.name: d.session() for d in (a, b)}

        # 1: new originated prefix, a description, a new peer.
        e.originate.append("10.2.0.0/16")
        pa["description"] = "SD-WAN, reloaded"
        e.add_peer("c", 4, 65003, "nva")
        e.reload()
        c.start()
        e.established("c")
        vnet = {p: h.Route([h.RX_ASN], rid) for p in ("10.1.0.0/16", "10.2.0.0/16")}
        for d in (a, b):
            e.wait_routes(d, vnet)
        e.wait_routes(c, dict(vnet, **{pfx: a.route(pfx)}))
        self.assertEqual({d.name: d.session() for d in (a, b)}, own, "reload 1 reset a or b")
        self.assertEqual([e.rx_peers()[n]["flaps"] for n in "ab"], [0, 0])

        # 2: peer c removed, 10.1.0.0/16 no longer originated.
        e.peers = [p for p in e.peers if p["name"] != "c"]
        e.originate.remove("10.1.0.0/16")
        e.reload()
        self.assertNotIn("c", e.rx_peers())
        for d in (a, b):
            e.wait_routes(d, {"10.2.0.0/16": vnet["10.2.0.0/16"]}, absent=["10.1.0.0/16"])
        clog = os.path.join(c.dir, "log")
        e.wait(lambda: "Peer Unconfigured" in open(clog).read() or
               "unconfigured" in open(clog).read().lower(),
               "OpenBGPD logs Cease/3 (Peer De-configured)", show=lambda: h.tail(clog, 5))
        self.assertEqual({d.name: d.session() for d in (a, b)}, own, "reload 2 reset a or b")

        # 3: b's hold time changes: b alone resets and comes back with the new value.
        pb["hold-time"] = 45
        e.reload()
        e.wait(lambda: b.session()[0] and b.session() != own[b.name],
               "b re-established after its hold-time change", show=b.session)
        e.established("b")
        e.wait_routes(b, {pfx: a.route(pfx)})
        self.assertEqual(a.session(), own[a.name], "reload 3 reset a")
        self.assertEqual(e.rx_peers()["a"]["flaps"], 0)
        self.assertIn("peer b: sent NOTIFICATION 6/6", open(e.rx_log).read())


if __name__ == "__main__":
    unittest.main()
