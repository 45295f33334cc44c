#!/usr/bin/env python3
"""The main job, shown on the Azure example: `make run`.

Starts this build's routexd on examples/azure.yaml, then one BGP speaker per peer of the
config (tests/interop/speaker.py: a raw speaker in Python), each from that peer's address
and ASN (TCP-MD5 when the peer has a password), connecting to routexd's listen address.
Each speaker announces a few prefixes of its role (branches behind the SD-WAN NVA,
on-premises networks behind ExpressRoute, branch sites behind the VPN gateway: both
active/active instances announce the same ones) and records every UPDATE routexd sends it.

It prints what each peer holds (1) after initial convergence with route exchange off,
(2) after `routexctl exchange on`, (3) after `routexctl exchange off`, and checks each
table against the propagation matrix of DESIGN.md (computed here from the roles, not
hard-coded): any difference, a session reset or a malformed UPDATE is an error (exit 1).
Then it leaves routexd and the speakers running for routexctl until Ctrl-C or SIGTERM,
and stops them by PID. With --check it stops after the three tables instead (CTest:
interop_demo).

Python 3 standard library only.
"""
import argparse
import fcntl
import ipaddress
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "interop"))
import harness  # noqa: E402  (Proc: child stopped by PID, dies with us)
import speaker as sp  # noqa: E402

HOLD = 90  # offered in our OPENs; routexd keeps the smaller of this and its own

# Propagation matrix (DESIGN.md, "Propagation"): source role -> destination role.
MATRIX = {
    "local": {"nva": "yes", "expressroute": "yes", "vpn": "yes", "rs-client": "yes"},
    "nva": {"nva": "yes", "expressroute": "exchange", "vpn": "exchange", "rs-client": "no"},
    "expressroute": {"nva": "exchange", "expressroute": "no", "vpn": "exchange",
                     "rs-client": "no"},
    "vpn": {"nva": "exchange", "expressroute": "exchange", "vpn": "no", "rs-client": "no"},
    "rs-client": {"nva": "no", "expressroute": "no", "vpn": "no", "rs-client": "yes"},
}


def allowed(src, dst, exchange):
    v = MATRIX[src][dst]
    return v == "yes" or (v == "exchange" and exchange)


# What each role announces. k: the peer's index among the config's peers of that role.
# Returns (prefixes, AS path as sent, next hop). Next hops are the appliance's or the
# gateway instance's address in the hub (routexd refuses 127/8 next hops as martian).
def role_routes(role, k, asn, ibgp):
    if role == "nva":  # SD-WAN branches, behind the appliance (10.1.1.4 in the hub)
        return (["192.168.%d.0/24" % (10 + 10 * k + i) for i in range(3)],
                [] if ibgp else [asn], "10.1.1.%d" % (4 + k))
    if role == "expressroute":  # on-premises data centre, via MSEE (AS 12076), AS 65020
        return (["172.%d.0.0/16" % (16 + 2 * k + i) for i in range(2)],
                [12076, 65020], "10.1.254.%d" % (4 + k))
    if role == "vpn":  # branch sites behind the on-premises VPN device (AS 65030); every
        # instance of an active/active gateway announces the same ones
        return (["192.168.100.0/24", "192.168.101.0/24"], [65030], "10.1.254.%d" % (12 + k))
    if role == "rs-client":
        return (["203.0.113.%d/32" % (k + 1)], [asn], "10.1.2.%d" % (4 + k))
    raise SystemExit("demo: no routes for role %s" % role)


def shown(path):
    """A path as the user would type it from here."""
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel if "/" in rel and rel.startswith(".") \
        else "./" + rel


def say(text):
    """The one-line explanation under a table, wrapped for a terminal."""
    print(textwrap.fill(text, 92, initial_indent="=> ", subsequent_indent="   "))


def fmt_route(r):
    path, nh = r
    return "[%s] via %s" % (" ".join(map(str, path)), nh)


def fmt_choices(rs):
    return " or ".join(sorted(fmt_route(r) if r else "nothing" for r in rs))


class DemoError(Exception):
    pass


class Skip(Exception):
    pass


# --- config: the few keys the demo needs (routexd itself is the judge of the rest) ---------
def scalar(v):
    v = v.strip()
    if len(v) >= 2 and v[0] == v[-1] and v[0] in "\"'":
        return v[1:-1]
    return v


def strip_comment(line):
    out, q = [], None
    for i, c in enumerate(line):
        if q:
            q = None if c == q else q
        elif c in "\"'":
            q = c
        elif c == "#" and (i == 0 or line[i - 1] in " \t"):
            break
        out.append(c)
    return "".join(out).rstrip()


def flow(v):
    """[a, b] -> list, {a: b, c: d} -> dict, else a scalar."""
    v = v.strip()
    if v.startswith("[") and v.endswith("]"):
        inner = v[1:-1].strip()
        if not inner:
            return []
        if inner.startswith("{"):
            return [flow("{" + x.strip(" {}") + "}") for x in re.split(r"\}\s*,", inner)]
        return [scalar(x) for x in inner.split(",")]
    if v.startswith("{") and v.endswith("}"):
        d = {}
        for kv in v[1:-1].split(","):
            if kv.strip():
                k, _, x = kv.partition(":")
                d[k.strip()] = scalar(x)
        return d
    return scalar(v)


def read_config(path):
    """Top-level keys of a routex YAML config: scalars, flow values, and block lists of
    scalars or of mappings (listen, originate, peers), as this project's examples write
    them."""
    conf, key, item = {}, None, None
    with open(path) as f:
        for raw in f:
            line = strip_comment(raw.rstrip("\n"))
            if not line.strip():
                continue
            ind = len(line) - len(line.lstrip())
            text = line.strip()
            if ind == 0:
                key, _, v = text.partition(":")
                key, item = key.strip(), None
                conf[key] = flow(v) if v.strip() else []
            elif text.startswith("- "):
                body = text[2:]
                k, sep, v = body.partition(":")
                if sep and not body.startswith(("[", "{", '"', "'")):
                    item = {k.strip(): flow(v)}
                    conf[key].append(item)
                else:
                    item = None
                    conf[key].append(flow(body))
            elif item is not None:
                k, _, v = text.partition(":")
                item[k.strip()] = flow(v)
    return conf


# --- processes -----------------------------------------------------------------------------
class Demo:
    def __init__(self, a):
        self.a = a
        self.conf = read_config(a.config)
        self.asn = int(self.conf.get("asn", 65515))
        self.router_id = self.conf["router-id"]
        self.sock = self.conf["control-socket"]
        lst = self.conf["listen"][0]
        self.rx_addr, self.rx_port = lst["address"], int(lst.get("port", 179))
        self.originate = [ipaddress.ip_network(p).compressed for p in self.conf.get(
            "originate", [])]
        self.metrics = self.conf.get("metrics") or None
        self.rx = None
        self.speakers = []
        self.dir = tempfile.mkdtemp(prefix="routex-demo-")
        self.log = os.path.join(self.dir, "routexd.log")

    def ctl(self, *args, json_out=True, check=True):
        cmd = [self.a.routexctl, "-s", self.sock] + (["-j"] if json_out else []) + list(args)
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           timeout=10)
        if check and p.returncode != 0:
            raise DemoError("%s: exit %d: %s" % (" ".join(cmd), p.returncode,
                                                 (p.stderr or p.stdout).strip()))
        return json.loads(p.stdout) if json_out and p.returncode == 0 else p

    def rx_peers(self):
        return {p["name"]: p for p in self.ctl("show", "peers")["peers"]}

    def preflight(self):
        """Refuse to disturb another routexd on the same example (routexd would unlink its
        control socket): one demo at a time per control socket."""
        self.lockf = open(os.path.splitext(self.sock)[0] + ".demo.lock", "w")
        deadline = time.monotonic() + (self.a.lock_wait if self.a.check else 0)
        while True:
            try:
                fcntl.flock(self.lockf, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise DemoError("another demo is running on %s (lock %s)"
                                    % (self.sock, self.lockf.name))
                time.sleep(0.5)
        if os.path.exists(self.sock):
            s = socket.socket(socket.AF_UNIX)
            try:
                s.connect(self.sock)
                raise DemoError("a routexd already answers on %s (make run-daemon?): stop "
                                "it first" % self.sock)
            except (ConnectionRefusedError, FileNotFoundError):
                pass  # stale: routexd replaces it
            finally:
                s.close()
        for addr, port, what in [(self.rx_addr, self.rx_port, "BGP")] + (
                [(self.metrics["address"], int(self.metrics["port"]), "metrics")]
                if self.metrics else []):
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind((addr, port))
            except OSError as e:
                raise DemoError("%s address %s:%d is taken (%s)" % (what, addr, port, e))
            finally:
                s.close()

    def start_routexd(self):
        for b in (self.a.routexd, self.a.routexctl):
            if not os.access(b, os.X_OK):
                raise DemoError("%s: not built (make build, or --routexd/--routexctl)" % b)
        harness.run([self.a.routexd, "-n", "-c", self.a.config])
        self.rx = harness.Proc([self.a.routexd, "-f", "-c", self.a.config], self.log)
        deadline = time.monotonic() + 10
        while True:
            if not self.rx.alive():
                raise DemoError("routexd exited (status %s):\n%s"
                                % (self.rx.p.returncode, harness.tail(self.log)))
            if os.path.exists(self.sock) and self.ctl("show", "peers", json_out=False,
                                                      check=False).returncode == 0:
                return
            if time.monotonic() > deadline:
                raise DemoError("routexd's control socket %s never answered" % self.sock)
            time.sleep(0.1)

    def start_speakers(self):
        """One speaker per peer of routexd (as routexctl shows them: name, address, ASN,
        role), TCP-MD5 from the config's password."""
        pw = {p["name"]: p.get("password") for p in self.conf["peers"]}
        count = {}
        for p in self.ctl("show", "peers")["peers"]:
            k = count.get(p["role"], 0)
            count[p["role"]] = k + 1
            ibgp = p["asn"] == self.asn
            prefixes, path, nh = role_routes(p["role"], k, p["asn"], ibgp)
            s = sp.Speaker(p["name"], p["address"], self.rx_addr, self.rx_port, p["asn"], nh,
                           password=pw.get(p["name"]))
            s.role, s.ibgp, s.prefixes, s.path, s.nh = p["role"], ibgp, prefixes, path, nh
            try:
                s.connect(open_bytes=sp.open_msg(p["asn"], nh, hold=HOLD))
            except OSError as e:
                if s.password and e.errno in (92, 22, 1):  # ENOPROTOOPT, EINVAL, EPERM
                    raise Skip("TCP-MD5 (%s) is not available here: %s" % (s.name, e))
                raise DemoError("%s: cannot connect from %s to %s:%d: %s"
                                % (s.name, s.local, self.rx_addr, self.rx_port, e))
            self.speakers.append(s)
        for s in self.speakers:
            attrs = sp.origin(0) + sp.as_path(s.path) + sp.next_hop(s.nh)
            if s.ibgp:  # RFC 4271 5.1.5: LOCAL_PREF on every iBGP UPDATE
                attrs += sp.attr(sp.WK, sp.LOCAL_PREF, (100).to_bytes(4, "big"))
            s.send(sp.update(attrs=attrs, nlri_bytes=sp.nlri(*s.prefixes)))
            s.send(sp.update())  # End-of-RIB (RFC 4724 2)
        want = {s.name: len(s.prefixes) for s in self.speakers}
        self.wait(lambda: {n: p["prefixes_accepted"] for n, p in self.rx_peers().items()}
                  == want, "routexd accepted every route (%s)" % want)

    # --- what each peer should hold ----------------------------------------------------
    def expected(self, dst, exchange):
        """{prefix: set of acceptable (AS path, next hop)}: routexd sends one path per
        prefix (the best of an ECMP set: either VPN instance's). A prefix dst announces
        itself is never sent back to it; when another peer that the matrix lets through
        announces it too, it may also be absent (None): which path routexd prefers is
        not the matrix's business. Not the case in the Azure example."""
        own = () if dst.ibgp else (self.asn,)  # ARS mode: 65515 prepended towards eBGP
        exp = {p: {(own, self.router_id)} for p in self.originate}
        for src in self.speakers:
            if src is dst or not allowed(src.role, dst.role, exchange):
                continue
            for p in src.prefixes:
                exp.setdefault(p, set()).add((own + tuple(src.path), src.nh))
                if p in dst.prefixes:
                    exp[p].add(None)
        return exp

    def diff(self, s, exp):
        got = {p: (tuple(r.as_path()), r.next_hop) for p, r in s.routes().items()}
        bad = []
        for p in sorted(set(got) | set(exp), key=ipaddress.ip_network):
            if p not in got:
                if None in exp[p]:
                    continue
                bad.append("%s missing (want %s)" % (p, fmt_choices(exp[p])))
            elif p not in exp:
                bad.append("%s unexpected: %s" % (p, fmt_route(got[p])))
            elif got[p] not in exp[p]:
                bad.append("%s is %s, want %s" % (p, fmt_route(got[p]), fmt_choices(exp[p])))
        return bad

    def health(self):
        bad = []
        for s in self.speakers:
            if s.eof or s.notifications:
                bad.append("%s: session closed by routexd (NOTIFICATION %s)"
                           % (s.name, s.notifications))
            if s.problems:
                bad.append("%s: malformed UPDATE from routexd: %s" % (s.name, s.problems[0]))
        return bad

    def converge(self, exchange, what):
        """Wait until every peer holds exactly what the matrix says, then hold still for
        a second (a late extra route is caught, not missed)."""
        exps = {s.name: self.expected(s, exchange) for s in self.speakers}

        def problems():
            return self.health() + ["%s: %s" % (s.name, b) for s in self.speakers
                                    for b in self.diff(s, exps[s.name])]
        self.wait(lambda: not problems(), what, show=problems)
        end = time.monotonic() + self.a.settle
        while time.monotonic() < end:
            bad = problems()
            if bad:
                raise DemoError("%s: changed while it should hold still:\n  %s"
                                % (what, "\n  ".join(bad)))
            time.sleep(0.1)

    def wait(self, cond, what, show=None, timeout=20):
        deadline = time.monotonic() + timeout
        while not cond():
            if self.rx and not self.rx.alive():
                raise DemoError("routexd exited (status %s) while waiting for: %s\n%s"
                                % (self.rx.p.returncode, what, harness.tail(self.log)))
            if time.monotonic() > deadline:
                last = show() if show else []
                raise DemoError("timed out after %d s waiting for: %s\n  %s\n--- routexd log "
                                "(%s)\n%s" % (timeout, what, "\n  ".join(map(str, last)),
                                              self.log, harness.tail(self.log, 15)))
            time.sleep(0.1)

    def sessions_kept(self, flaps, step):
        now = self.rx_peers()
        reset = ["%s (%s, flaps %d -> %d)" % (n, p["state"], flaps[n], p["flaps"])
                 for n, p in now.items() if p["state"] != "Established"
                 or p["flaps"] != flaps[n]]
        if reset:
            raise DemoError("%s reset a session: %s" % (step, ", ".join(reset)))

    # --- output --------------------------------------------------------------------------
    def table(self, title, before):
        """Prints what every peer holds; '+' new since the previous table, '-' gone."""
        print("\n%s" % title)
        print("  %-9s %-19s   %-18s %-18s %s" % ("peer", "role", "prefix", "AS path",
                                                 "next hop"))
        now = {}
        for s in self.speakers:
            rt = {p: (tuple(r.as_path()), r.next_hop) for p, r in s.routes().items()}
            now[s.name] = rt
            old = before.get(s.name, {}) if before is not None else rt
            rows = [(p, "+" if p not in old else " ", rt[p]) for p in rt]
            rows += [(p, "-", old[p]) for p in old if p not in rt]
            rows.sort(key=lambda r: ipaddress.ip_network(r[0]))
            label = "%s (%s)" % (s.role, "iBGP" if s.ibgp else "eBGP")
            for i, (p, mark, (path, nh)) in enumerate(rows):
                print("  %-9s %-19s %s %-18s %-18s %s" % (s.name if i == 0 else "",
                                                          label if i == 0 else "", mark, p,
                                                          " ".join(map(str, path)) or "-",
                                                          nh))
            if not rows:
                print("  %-9s %-19s   (nothing)" % (s.name, label))
        return now

    def changes(self, before, after):
        added = sum(1 for n in after for p in after[n] if p not in before[n])
        gone = sum(1 for n in before for p in before[n] if p not in after[n])
        return added, gone

    # --- the demo ------------------------------------------------------------------------
    def run(self):
        self.preflight()
        print("$ %s -f -c %s    # log: %s" % (shown(self.a.routexd), shown(self.a.config),
                                               self.log))
        self.start_routexd()
        self.start_speakers()
        print("peers: a Python BGP speaker each (tests/interop/speaker.py), all Established:")
        for s in self.speakers:
            print("  %-9s %-10s AS%-6d %-13s %-8s announces %s via %s" % (
                s.name, s.local, s.asn, s.role, "TCP-MD5" if s.password else "",
                " ".join(s.prefixes), s.nh))
        vnet = ", ".join(self.originate)

        self.converge(False, "initial convergence, route exchange off")
        flaps = {n: p["flaps"] for n, p in self.rx_peers().items()}
        t1 = self.table("(1) route exchange off (the default), after initial convergence",
                        None)
        say("every peer holds only the virtual network's prefixes routexd originates "
              "(%s): route exchange is off, so the NVA and the gateways do not learn each "
              "other's routes, and ExpressRoute and VPN not each other's." % vnet)

        print("\n$ routexctl -s %s exchange on" % self.sock)
        print(self.ctl("exchange", "on", json_out=False).stdout.rstrip())
        self.converge(True, "route exchange on")
        self.sessions_kept(flaps, "exchange on")
        t2 = self.table("(2) after `routexctl exchange on`", t1)
        add, _ = self.changes(t1, t2)
        say("%d routes added (+), no session reset: with route exchange on the NVA learns "
              "the ExpressRoute and VPN routes and they learn its branches, and ExpressRoute "
              "and VPN learn each other's; the two VPN instances still never get each other's "
              "(vpn -> vpn: no), and eBGP peers see 65515 prepended." % add)

        print("\n$ routexctl -s %s exchange off" % self.sock)
        print(self.ctl("exchange", "off", json_out=False).stdout.rstrip())
        self.converge(False, "route exchange off again")
        self.sessions_kept(flaps, "exchange off")
        t3 = self.table("(3) after `routexctl exchange off`", t2)
        _, gone = self.changes(t2, t3)
        say("%d routes withdrawn (-), no session reset: route exchange is off again, so "
              "every peer is back to the virtual network's prefixes alone, as in (1)." % gone)
        print("\nchecked: every peer held exactly what DESIGN.md's propagation matrix says, "
              "at each step.")

    def explore(self):
        ctl = shown(self.a.routexctl)
        print("\nroutexd (pid %d) and the %d speakers keep running. Explore from another "
              "shell:" % (self.rx.pid, len(self.speakers)))
        for c in ("show peers", "show rib", "show rib 192.168.100.0/24",
                  "show advertised ergw", "show learned vpngw-0", "exchange on --dry-run"):
            print("  %s -s %s %s" % (ctl, self.sock, c))
        if self.metrics:
            print("  curl -s %s:%s/metrics | head" % (self.metrics["address"],
                                                    self.metrics["port"]))
        print("routexd's log: %s\nCtrl-C stops the speakers and routexd." % self.log)
        sys.stdout.flush()
        said, tick = set(), time.monotonic()
        while True:
            time.sleep(1)
            if not self.rx.alive():
                raise DemoError("routexd exited (status %s)\n%s"
                                % (self.rx.p.returncode, harness.tail(self.log)))
            for s in self.speakers:
                if s.eof and s.name not in said:
                    said.add(s.name)
                    print("%s: session closed by routexd %s" % (s.name, s.notifications))
            if time.monotonic() - tick >= HOLD / 3:  # our own KEEPALIVEs, besides replies
                tick = time.monotonic()
                for s in self.speakers:
                    if not s.eof:
                        try:
                            s.send(sp.keepalive())
                        except OSError:
                            pass

    def stop(self):
        """Cease (administrative shutdown) from every speaker, then routexd by its PID;
        routexd must exit 0 with no sanitizer report in its log."""
        for s in self.speakers:
            try:
                if s.sock and not s.eof:
                    s.send(sp.notification(6, 2))
            except OSError:
                pass
            s.close()
        if not self.rx:
            return True
        alive = self.rx.alive()
        self.rx.stop()
        with open(self.log, errors="replace") as f:
            log = f.read()
        m = re.search(r"ERROR: \w*Sanitizer|runtime error:|WARNING: ThreadSanitizer", log)
        if m:
            print("demo: routexd's log has a sanitizer report:\n" + log[m.start():][:4000])
            return False
        if not alive or self.rx.p.returncode != 0:
            print("demo: routexd %s (status %s)" % (
                "had exited" if not alive else "did not exit cleanly on SIGTERM",
                self.rx.p.returncode))
            return False
        print("stopped: speakers (Cease) and routexd (pid %d, exit 0)" % self.rx.pid)
        return True


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--routexd", default=os.environ.get(
        "ROUTEXD", os.path.join(ROOT, "build", "src", "routexd")))
    ap.add_argument("--routexctl", default=os.environ.get(
        "ROUTEXCTL", os.path.join(ROOT, "build", "src", "routexctl")))
    ap.add_argument("-c", "--config", default=os.path.join(ROOT, "examples", "azure.yaml"))
    ap.add_argument("--check", action="store_true",
                    help="stop after the three tables: exit 0 if every peer held what it "
                    "should, 1 if not (77: cannot run here)")
    ap.add_argument("--settle", type=float, default=1.0,
                    help="seconds each table must hold still (default 1)")
    ap.add_argument("--lock-wait", type=float, default=90,
                    help="--check: seconds to wait for another demo on the same socket")
    a = ap.parse_args()
    a.routexd, a.routexctl = os.path.abspath(a.routexd), os.path.abspath(a.routexctl)

    stopping = []

    def on_term(sig, frame):
        if not stopping:
            stopping.append(sig)
            raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_term)
    d, status = None, 0
    try:
        d = Demo(a)
        d.run()
        if not a.check:
            d.explore()
    except KeyboardInterrupt:
        print("\nstopping")
    except Skip as e:
        print("demo: skipped: %s" % e)
        status = 77
    except (DemoError, OSError, AssertionError, RuntimeError) as e:
        print("demo: FAILED: %s" % e)
        status = 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if d is not None:
            if not d.stop() and status == 0:
                status = 1
            if status == 0:
                shutil.rmtree(d.dir, ignore_errors=True)
            elif os.path.exists(d.log):
                print("demo: kept %s" % d.dir)
            else:
                shutil.rmtree(d.dir, ignore_errors=True)
    sys.exit(status)


if __name__ == "__main__":
    main()
