"""Interop harness: runs routexd and real BGP daemons (BIRD 2, GoBGP, FRR bgpd, ExaBGP,
OpenBGPD) on loopback, each in its own temporary directory, and reads the routes each daemon
holds through that daemon's own CLI.

Layout of one test environment (class Env):
- every test class picks a distinct /16 inside 127.0.0.0/8 (SUBNET), and each run a random
  third octet R: routexd listens on 127.S.R.1 on a free TCP port, daemon number N uses
  127.S.R.N, so tests run in parallel (ctest -j, or two trees' CI at once) without two
  listeners meeting on one address;
- all five daemons connect actively to routexd's port (each can be told a non-standard
  port); routexd stays passive, as Azure Route Server does;
- announced routes carry next hops 10.254.S.N / 2001:db8:ffff:S::N: FRR and GoBGP refuse
  127/8 next hops as martian, and routexd passes NEXT_HOP unchanged, so we never let a
  daemon default to its 127.S.0.N session address;
- processes are started in the foreground as our children and stopped by their PID
  (SIGTERM, then SIGKILL); nothing else on the machine is touched.

Routes read from a daemon are normalised to {prefix: Route(as_path, next_hop)} for the
routes it learned from routexd.
"""
import ipaddress
import json
import os
import random
import re
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time
import unittest

ROUTEXD = os.environ.get("ROUTEXD", "")
ROUTEXCTL = os.environ.get("ROUTEXCTL", "")
RX_ASN = 65515
HOLD = 30  # hold time for every session (keepalive 10 s): short enough, never reached
WAIT = float(os.environ.get("RX_INTEROP_WAIT", "25"))  # default wait for a condition, s
KEEP = os.environ.get("RX_INTEROP_KEEP") == "1"  # keep the temporary directory

DAEMON_BINARIES = {
    "bird": ["bird", "birdc"],
    "gobgp": ["gobgpd", "gobgp"],
    "frr": ["/usr/lib/frr/bgpd", "vtysh"],
    "exabgp": ["exabgp"],
    "openbgpd": ["bgpd", "bgpctl"],
}


def which(b):
    return shutil.which(b) if "/" not in b else (b if os.access(b, os.X_OK) else None)


def missing(kind):
    """Why a daemon kind cannot run here, or None."""
    for b in DAEMON_BINARIES[kind]:
        if not which(b):
            return "%s not installed (scripts/install-deps.sh installs it)" % b
    return None


def norm_prefix(p):
    return ipaddress.ip_network(p, strict=False).compressed


def norm_addr(a):
    return ipaddress.ip_address(a).compressed


class Route:
    """A route as a daemon holds it. Equality is AS path and next hop; `communities` (a set
    of "A:B" strings, None when the reader does not collect them) is checked separately."""
    __slots__ = ("as_path", "next_hop", "communities")

    def __init__(self, as_path, next_hop, communities=None):
        self.as_path = tuple(int(a) for a in as_path)
        self.next_hop = norm_addr(next_hop) if next_hop else None
        self.communities = communities

    def __eq__(self, o):
        if not isinstance(o, Route):
            return NotImplemented
        return (self.as_path, self.next_hop) == (o.as_path, o.next_hop)

    def __hash__(self):
        return hash((self.as_path, self.next_hop))

    def __repr__(self):
        return "Route(%s, %s)" % (" ".join(map(str, self.as_path)) or "-", self.next_hop)


def run(cmd, timeout=10, check=True):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       timeout=timeout)
    if check and p.returncode != 0:
        raise RuntimeError("%s: exit %d: %s%s" % (" ".join(cmd), p.returncode, p.stdout,
                                                  p.stderr))
    return p


def free_port(addr):
    s = socket.socket()
    s.bind((addr, 0))
    port = s.getsockname()[1]
    s.close()
    return port


def tail(path, n=40):
    try:
        with open(path, errors="replace") as f:
            lines = f.readlines()
        return "".join(lines[-n:])
    except OSError as e:
        return "(%s)" % e


def _die_with_parent():
    """In the child before exec: SIGKILL when the test process dies (PR_SET_PDEATHSIG), so
    a test killed by CTest's timeout leaves no daemon behind."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)
    except Exception:
        pass


class Proc:
    """A child process started in the foreground, stopped by its PID."""

    def __init__(self, cmd, log, env=None, cwd=None):
        self.cmd = cmd
        self.log = log
        with open(log, "ab") as out:
            self.p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT,
                                      stdin=subprocess.DEVNULL, env=env, cwd=cwd,
                                      start_new_session=True, preexec_fn=_die_with_parent)

    @property
    def pid(self):
        return self.p.pid

    def alive(self):
        return self.p.poll() is None

    def stop(self, sig=signal.SIGTERM):
        if self.p.poll() is not None:
            return
        # The process leads its own session (start_new_session), so the group holds it and
        # only the helpers it forked (OpenBGPD's engines, ExaBGP's API process).
        try:
            os.killpg(self.p.pid, sig)
        except ProcessLookupError:
            return
        try:
            self.p.wait(5)
        except subprocess.TimeoutExpired:
            os.killpg(self.p.pid, signal.SIGKILL)
            self.p.wait(5)
        # Reap helpers that outlive their leader (they are still in its group).
        try:
            os.killpg(self.p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


class Env:
    """One routexd plus daemons, in one temporary directory."""

    def __init__(self, subnet, name):
        if not ROUTEXD or not ROUTEXCTL:
            raise unittest.SkipTest("ROUTEXD and ROUTEXCTL must name the binaries")
        self.subnet = subnet
        # Third octet drawn at random: two trees running the same test at once (two CI
        # jobs on one machine) then almost never share an address.
        self.octet = random.randint(1, 254)
        self.dir = tempfile.mkdtemp(prefix="rx-interop-%s-" % name)
        self.rx_addr = self.addr(1)
        self.rx_port = free_port(self.rx_addr)
        self.sock = os.path.join(self.dir, "routex.sock")
        self.rx = None
        self.daemons = []
        self.peers = []  # routexd peer entries (dicts)
        self.originate = []
        self.exchange = False
        self.transparent = False
        self.next_hop6 = None  # config next-hop-ipv6
        self.metrics = None  # (address, port) of the metrics endpoint, None: off
        self.extra = []  # further top-level config lines, as written

    # --- addresses -----------------------------------------------------------------------
    def addr(self, n):
        return "127.%d.%d.%d" % (self.subnet, self.octet, n)

    def nh4(self, n):
        return "10.254.%d.%d" % (self.subnet, n)

    def nh6(self, n):
        return "2001:db8:ffff:%x::%x" % (self.subnet, n)

    # --- routexd -------------------------------------------------------------------------
    def add_peer(self, name, n, asn, role, **extra):
        p = {"name": name, "address": self.addr(n), "asn": asn, "role": role,
             "hold-time": HOLD}
        p.update(extra)
        self.peers.append(p)
        return p

    def write_config(self):
        lines = ["router-id: 10.255.%d.1" % self.subnet, "asn: %d" % RX_ASN,
                 "listen: [{address: %s, port: %d}]" % (self.rx_addr, self.rx_port),
                 "control-socket: %s" % self.sock,
                 "route-exchange: %s" % ("true" if self.exchange else "false"),
                 "transparent: %s" % ("true" if self.transparent else "false"),
                 "originate: [%s]" % ", ".join('"%s"' % p for p in self.originate)]
        if self.metrics:
            lines.append('metrics: {address: "%s", port: %d}' % self.metrics)
        if self.next_hop6:
            lines.append('next-hop-ipv6: "%s"' % self.next_hop6)
        lines += self.extra
        lines.append("peers:")
        for p in self.peers:
            lines.append("  - name: %s" % p["name"])
            for k, v in p.items():
                if k == "name":
                    continue
                if isinstance(v, bool):
                    v = "true" if v else "false"
                elif isinstance(v, str):
                    v = '"%s"' % v
                lines.append("    %s: %s" % (k, v))
        path = os.path.join(self.dir, "routex.yaml")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        return path

    def start_routexd(self):
        conf = self.write_config()
        run([ROUTEXD, "-n", "-c", conf])
        self.rx_log = os.path.join(self.dir, "routexd.log")
        self.rx = Proc([ROUTEXD, "-f", "-c", conf], self.rx_log)
        self.wait(lambda: self.rx.alive() and
                  run([ROUTEXCTL, "-s", self.sock, "show", "peers"], check=False)
                  .returncode == 0, "routexd control socket answers", timeout=10)

    def ctl(self, *args, check=True):
        p = run([ROUTEXCTL, "-s", self.sock, "-j"] + list(args), check=check)
        if not check:
            return p
        return json.loads(p.stdout) if p.stdout.strip() else None

    def rx_peers(self):
        return {p["name"]: p for p in self.ctl("show", "peers")["peers"]}

    def rx_rib(self, prefix=None):
        args = ["show", "rib"] + ([prefix] if prefix else [])
        return {norm_prefix(r["prefix"]): r["paths"] for r in self.ctl(*args)["routes"]}

    def reload(self):
        """Rewrite the config from self.peers/originate/exchange and `routexctl reload`."""
        self.write_config()
        return self.ctl("reload")

    def set_exchange(self, on):
        self.ctl("exchange", "on" if on else "off")

    # --- daemons -------------------------------------------------------------------------
    def add(self, daemon):
        daemon.env = self
        daemon.dir = os.path.join(self.dir, daemon.name)
        os.makedirs(daemon.dir)
        os.chmod(daemon.dir, 0o755)
        self.daemons.append(daemon)
        return daemon

    def start(self, *daemons):
        for d in daemons:
            d.start()

    def established(self, *names, timeout=None):
        names = names or [p["name"] for p in self.peers]
        self.wait(lambda: all(self.rx_peers()[n]["state"] == "Established" for n in names),
                  "routexd has %s Established" % ", ".join(names), timeout=timeout,
                  show=lambda: {n: (p["state"], p["last_error"])
                                for n, p in self.rx_peers().items()})

    # --- waiting -------------------------------------------------------------------------
    def logs(self):
        out = []
        if self.rx:
            out.append("--- routexd (%s)\n%s" % (self.rx_log, tail(self.rx_log)))
        for d in self.daemons:
            for path in d.logfiles():
                out.append("--- %s (%s)\n%s" % (d.name, path, tail(path, 25)))
        return "\n".join(out)

    def wait(self, cond, what, timeout=None, show=None):
        """Poll cond() until it is true; fail naming what was awaited, the last value
        seen and every log."""
        deadline = time.monotonic() + (timeout or WAIT)
        last = None
        while True:
            if self.rx and not self.rx.alive():
                raise AssertionError("routexd exited (status %s) while waiting for: %s\n%s"
                                     % (self.rx.p.returncode, what, self.logs()))
            try:
                if cond():
                    return
                last = show() if show else None
            except Exception as e:  # a CLI not answering yet counts as "not yet"
                last = "%s: %s" % (type(e).__name__, e)
            if time.monotonic() > deadline:
                raise AssertionError("timed out after %.0f s waiting for: %s\nlast seen: %s\n%s"
                                     % (timeout or WAIT, what, last, self.logs()))
            time.sleep(0.25)

    def wait_routes(self, d, present=None, absent=(), timeout=None):
        """Wait until daemon d holds every route of present ({prefix: Route}) exactly and
        none of absent (prefixes), as its own CLI shows them."""
        present = {norm_prefix(p): r for p, r in (present or {}).items()}
        absent = [norm_prefix(p) for p in absent]

        def ok():
            rt = d.routes()
            return (all(rt.get(p) == r for p, r in present.items())
                    and not any(p in rt for p in absent))

        def show():
            rt = d.routes()
            return {p: rt.get(p) for p in list(present) + absent}

        self.wait(ok, "%s holds %s and not %s" % (d.name, present, absent), timeout, show)

    def hold_still(self, d, present=None, absent=(), seconds=2.0):
        """The negative check: for `seconds`, d keeps holding present and none of absent
        (so a route that is late to arrive is caught, not missed)."""
        present = {norm_prefix(p): r for p, r in (present or {}).items()}
        absent = [norm_prefix(p) for p in absent]
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            rt = d.routes()
            bad = [p for p in absent if p in rt] + [p for p, r in present.items()
                                                     if rt.get(p) != r]
            if bad:
                raise AssertionError("%s: unexpected state for %s: %s\n%s" % (
                    d.name, bad, {p: rt.get(p) for p in bad}, self.logs()))
            time.sleep(0.25)

    def close(self, failed=False):
        """Stop everything. Then routexd must have exited 0 on SIGTERM with no sanitizer
        report in its log (make test also runs this suite on the ASan+UBSan build)."""
        for d in reversed(self.daemons):
            try:
                d.stop()
            except Exception:
                pass
        problem = None
        if self.rx:
            alive = self.rx.alive()
            self.rx.stop()
            with open(self.rx_log, errors="replace") as f:
                log = f.read()
            m = re.search(r"ERROR: \w*Sanitizer|runtime error:|WARNING: ThreadSanitizer", log)
            if m:
                problem = "routexd's log has a sanitizer report:\n" + log[m.start():][:4000]
            elif not alive or self.rx.p.returncode != 0:
                problem = "routexd %s (status %s)\n%s" % (
                    "had exited before the end of the test" if not alive else
                    "did not exit cleanly on SIGTERM", self.rx.p.returncode, tail(self.rx_log))
        failed = failed or problem is not None
        if failed or KEEP:
            print("interop: kept %s" % self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)
        if problem:
            raise AssertionError(problem)


class Daemon:
    """One BGP daemon with one session to routexd. Subclasses implement the kind."""
    kind = None

    def __init__(self, name, n, asn):
        self.name, self.n, self.asn = name, n, asn
        self.hold = HOLD  # hold time this daemon proposes (BIRD, GoBGP)
        self.proc = None
        self.announced = set()

    @property
    def addr(self):
        return self.env.addr(self.n)

    @property
    def rid(self):
        return "10.253.%d.%d" % (self.env.subnet, self.n)

    @property
    def ibgp(self):
        return self.asn == RX_ASN

    def nh(self, prefix):
        v6 = ipaddress.ip_network(prefix).version == 6
        return self.env.nh6(self.n) if v6 else self.env.nh4(self.n)

    def route(self, prefix, to=None):
        """The Route a peer `to` of routexd should see for our prefix (Azure mode: 65515
        prepended towards eBGP peers, nothing towards iBGP ones; transparent mode (RFC
        7947): never prepended; next hop unchanged)."""
        own = () if self.ibgp else (self.asn,)
        plain = (to is not None and to.ibgp) or self.env.transparent
        return Route(own if plain else (RX_ASN,) + own, self.nh(prefix))

    def logfiles(self):
        return [os.path.join(self.dir, "log")]

    def stop(self):
        if self.proc:
            self.proc.stop()

    def alive(self):
        return self.proc is not None and self.proc.alive()

    def kill(self):
        """Stop abruptly (SIGKILL): the session drops without a NOTIFICATION."""
        self.proc.stop(signal.SIGKILL)

    def start(self):
        raise NotImplementedError

    def announce(self, *prefixes):
        raise NotImplementedError

    def withdraw(self, *prefixes):
        raise NotImplementedError

    def routes(self):
        raise NotImplementedError

    def session(self):
        """(established, marker): marker changes whenever the session is re-established."""
        raise NotImplementedError

    def ask_refresh(self):
        """Ask routexd to send its routes again (ROUTE-REFRESH, RFC 2918)."""
        raise NotImplementedError

    def updates_received(self):
        """UPDATE messages received from routexd so far, by the daemon's own count."""
        raise NotImplementedError


# --- BIRD 2 ------------------------------------------------------------------------------
class Bird(Daemon):
    kind = "bird"

    def __init__(self, name, n, asn, password=None, graceful_restart=False, add_paths=False):
        super().__init__(name, n, asn)
        self.password = password
        self.gr = graceful_restart  # `graceful restart on`: lists IPv4 and IPv6
        self.add_paths = add_paths  # RFC 7911: receive several paths per prefix
        self.attrs = {}  # prefix -> BIRD filter statements for its static route

    def start(self):
        self.conf = os.path.join(self.dir, "bird.conf")
        self.sock = os.path.join(self.dir, "bird.ctl")
        self.write_routes()
        e = self.env
        pw = 'password "%s";' % self.password if self.password else ""
        if self.gr:
            pw += " graceful restart on; graceful restart time 60;"
        # multihop: BIRD does not treat 127/8 on lo as a directly connected neighbour.
        # `strict bind`: listen only on our own address, so several BIRDs share port 179.
        conf = """router id %(rid)s;
log "%(dir)s/log" all;
protocol device {}
include "%(dir)s/routes.conf";
filter to_rs { if source != RTS_STATIC then reject;
  if net.type = NET_IP4 then bgp_next_hop = %(nh4)s; else bgp_next_hop = %(nh6)s; accept; }
protocol bgp routex {
  local %(addr)s as %(asn)d;
  neighbor %(rx)s port %(port)d as %(rxasn)d;
  strict bind yes;
  multihop 2;
  debug { states };
  hold time %(hold)d;
  connect delay time 1; connect retry time 2; error wait time 1, 4;
  %(pw)s
  ipv4 { import all; export filter to_rs; %(ap)s };
  ipv6 { import all; export filter to_rs; next hop address %(nh6)s; %(ap)s };
}
""" % dict(rid=self.rid, dir=self.dir, addr=self.addr, asn=self.asn, rx=e.rx_addr,
           port=e.rx_port, rxasn=RX_ASN, hold=self.hold, nh4=e.nh4(self.n), nh6=e.nh6(self.n),
           pw=pw, ap="add paths rx;" if self.add_paths else "")
        with open(self.conf, "w") as f:
            f.write(conf)
        self.proc = Proc(["bird", "-f", "-c", self.conf, "-s", self.sock, "-P",
                          os.path.join(self.dir, "pid")], os.path.join(self.dir, "out"))
        e.wait(lambda: run(["birdc", "-s", self.sock, "show", "status"], check=False)
               .returncode == 0, "%s: birdc answers" % self.name, timeout=10)

    def logfiles(self):
        return [os.path.join(self.dir, "log"), os.path.join(self.dir, "out")]

    def birdc(self, *args):
        return run(["birdc", "-s", self.sock] + list(args)).stdout

    def write_routes(self):
        v4 = sorted(p for p in self.announced if ":" not in p)
        v6 = sorted(p for p in self.announced if ":" in p)
        with open(os.path.join(self.dir, "routes.conf"), "w") as f:
            def r(p):
                a = self.attrs.get(p)
                return "route %s blackhole%s;" % (p, " { %s }" % a if a else "")
            f.write("protocol static st4 { ipv4; %s }\n" % " ".join(r(p) for p in v4))
            f.write("protocol static st6 { ipv6; %s }\n" % " ".join(r(p) for p in v6))

    def _reconfigure(self):
        self.write_routes()
        out = self.birdc("configure")
        if "Reconfigured" not in out and "Reconfiguration in progress" not in out:
            raise RuntimeError("%s: birdc configure: %s" % (self.name, out))

    def announce(self, *prefixes):
        self.announced.update(norm_prefix(p) for p in prefixes)
        self._reconfigure()

    def withdraw(self, *prefixes):
        self.announced.difference_update(norm_prefix(p) for p in prefixes)
        self._reconfigure()

    def routes(self):
        out = self.birdc("show", "route", "all", "protocol", "routex")
        rt, cur, path, nh, comms = {}, None, None, None, set()

        def flush():
            if cur is not None:
                rt[cur] = Route(path or (), nh, comms)
        for line in out.splitlines():
            m = re.match(r"^([0-9a-fA-F.:]+/\d+)\s", line)
            if m:
                flush()
                cur, path, nh, comms = norm_prefix(m.group(1)), None, None, set()
                continue
            line = line.strip()
            if line.startswith("BGP.community:"):
                comms = set("%s:%s" % c for c in re.findall(r"\((\d+),(\d+)\)", line))
            elif line.startswith("BGP.as_path:"):
                path = [int(a) for a in re.findall(r"\d+", line.split(":", 1)[1])]
            elif line.startswith("BGP.next_hop:"):
                nh = line.split(":", 1)[1].split()[0]
        flush()
        return rt

    def paths(self):
        """prefix -> sorted AS paths of every path held from routexd (ADD-PATH)."""
        out = self.birdc("show", "route", "all", "protocol", "routex")
        rt, cur = {}, None
        for line in out.splitlines():
            m = re.match(r"^([0-9a-fA-F.:]+/\d+)\s", line)
            if m:
                cur = norm_prefix(m.group(1))
                continue
            line = line.strip()
            if line.startswith("BGP.as_path:") and cur:
                rt.setdefault(cur, []).append(
                    tuple(int(a) for a in re.findall(r"\d+", line.split(":", 1)[1])))
        return {p: sorted(v) for p, v in rt.items()}

    def ask_refresh(self):
        self.birdc("reload", "in", "routex")

    def updates_received(self):
        # "Import updates:  received rejected filtered ignored accepted", one per channel
        out = self.birdc("show", "protocols", "all", "routex")
        return sum(int(m) for m in re.findall(r"Import updates:\s+(\d+)", out))

    def session(self):
        """Up by `show protocols`; the marker counts "State changed to up" in BIRD's log
        (`debug { states }`); the Since column moves on channel changes too."""
        out = self.birdc("show", "protocols", "routex")
        up = False
        for line in out.splitlines():
            f = line.split()
            if f and f[0] == "routex":
                # routex BGP --- up 20:00:47.971 Established
                up = f[3] == "up" and "Established" in line
        with open(os.path.join(self.dir, "log"), errors="replace") as f:
            ups = f.read().count("routex: State changed to up")
        return (up, ups)


# --- GoBGP -------------------------------------------------------------------------------
class GoBGP(Daemon):
    kind = "gobgp"

    def __init__(self, name, n, asn, add_paths=False, send_paths=0):
        super().__init__(name, n, asn)
        self.add_paths = add_paths  # RFC 7911: receive several paths per prefix
        self.send_paths = send_paths  # > 0: send ADD-PATH, up to this many paths per prefix

    def start(self):
        e = self.env
        self.api = [ "-u", self.addr, "-p", str(free_port(self.addr))]
        conf = """[global.config]
  as = %(asn)d
  router-id = "%(rid)s"
  port = -1
  local-address-list = ["%(addr)s"]
[[neighbors]]
  [neighbors.config]
    neighbor-address = "%(rx)s"
    peer-as = %(rxasn)d
  [neighbors.transport.config]
    local-address = "%(addr)s"
    remote-port = %(port)d
  [neighbors.timers.config]
    hold-time = %(hold)d
    keepalive-interval = %(ka)d
    connect-retry = 2
%(multihop)s
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
%(ap)s  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv6-unicast"
%(ap)s""" % dict(asn=self.asn, rid=self.rid, addr=self.addr, rx=e.rx_addr, rxasn=RX_ASN,
           port=e.rx_port, hold=self.hold, ka=self.hold // 3,
           ap=("    [neighbors.afi-safis.add-paths.config]\n"
               + ("      receive = true\n" if self.add_paths else "")
               + ("      send-max = %d\n" % self.send_paths if self.send_paths else ""))
           if self.add_paths or self.send_paths else "",
           multihop="" if self.ibgp else
           "  [neighbors.ebgp-multihop.config]\n    enabled = true\n    multihop-ttl = 2")
        self.conf = os.path.join(self.dir, "gobgpd.toml")
        with open(self.conf, "w") as f:
            f.write(conf)
        self.proc = Proc(["gobgpd", "-f", self.conf, "-t", "toml", "-p", "--pprof-disable",
                          "--api-hosts", "%s:%s" % (self.addr, self.api[3])],
                         os.path.join(self.dir, "log"))
        e.wait(lambda: self.gobgp("neighbor") is not None, "%s: gobgp answers" % self.name,
               timeout=10)

    def gobgp(self, *args):
        return run(["gobgp"] + self.api + list(args)).stdout

    def _rib(self, verb, prefixes):
        for p in prefixes:
            p = norm_prefix(p)
            fam = "ipv6" if ":" in p else "ipv4"
            if verb == "add":
                self.gobgp("global", "rib", "add", "-a", fam, p, "nexthop", self.nh(p))
                self.announced.add(p)
            else:
                self.gobgp("global", "rib", "del", "-a", fam, p)
                self.announced.discard(p)

    def announce(self, *prefixes):
        self._rib("add", prefixes)

    def withdraw(self, *prefixes):
        self._rib("del", prefixes)

    def _held(self):
        """(prefix, Route) for every path held from routexd, several per prefix with
        ADD-PATH."""
        for fam in ("ipv4", "ipv6"):
            out = self.gobgp("global", "rib", "-a", fam, "-j").strip()
            data = json.loads(out) if out and out != "null" else {}
            for prefix, paths in data.items():
                for path in paths:
                    if path.get("neighbor-ip") != self.env.rx_addr:
                        continue
                    asp, nh, comms = [], None, set()
                    for a in path["attrs"]:
                        if a["type"] == 8:
                            comms = set("%d:%d" % (c >> 16, c & 0xFFFF)
                                        for c in a.get("communities") or [])
                        if a["type"] == 2:
                            for seg in a.get("as_paths") or []:
                                asp += seg["asns"]
                        elif a["type"] == 3:
                            nh = a["nexthop"]
                        elif a["type"] == 14:
                            nh = a.get("nexthop") or (a.get("nexthops") or [None])[0]
                    yield norm_prefix(prefix), Route(asp, nh, comms)

    def paths(self):
        """prefix -> sorted AS paths of every path held from routexd (ADD-PATH)."""
        rt = {}
        for prefix, r in self._held():
            rt.setdefault(prefix, []).append(r.as_path)
        return {p: sorted(v) for p, v in rt.items()}

    def routes(self):
        return dict(self._held())

    def ask_refresh(self):
        self.gobgp("neighbor", self.env.rx_addr, "softresetin")

    def updates_received(self):
        data = json.loads(self.gobgp("neighbor", self.env.rx_addr, "-j"))
        return data["state"]["messages"]["received"].get("update", 0)

    def session(self):
        data = json.loads(self.gobgp("neighbor", self.env.rx_addr, "-j"))
        st = data.get("state", {})
        up = (data.get("timers", {}).get("state", {}).get("uptime"))
        return (st.get("session_state") == 6, up)


# --- FRR bgpd (standalone: no zebra, no watchfrr) ----------------------------------------
class FRR(Daemon):
    kind = "frr"

    def start(self):
        e = self.env
        rx = e.rx_addr
        self.vty = self.dir
        conf = """hostname %(name)s
log file %(dir)s/log
route-map NH permit 10
 set ip next-hop %(nh4)s
 set ipv6 next-hop global %(nh6)s
exit
router bgp %(asn)d
 bgp router-id %(rid)s
 no bgp ebgp-requires-policy
 no bgp network import-check
 no bgp enforce-first-as
 neighbor %(rx)s remote-as %(rxasn)d
 neighbor %(rx)s port %(port)d
 neighbor %(rx)s update-source %(addr)s
 %(multihop)s
 neighbor %(rx)s timers %(ka)d %(hold)d
 neighbor %(rx)s timers connect 2
 address-family ipv4 unicast
  neighbor %(rx)s route-map NH out
 exit-address-family
 address-family ipv6 unicast
  neighbor %(rx)s activate
  neighbor %(rx)s route-map NH out
 exit-address-family
exit
""" % dict(name=self.name, dir=self.dir, nh4=e.nh4(self.n), nh6=e.nh6(self.n), asn=self.asn,
           rid=self.rid, rx=rx, rxasn=RX_ASN, port=e.rx_port, addr=self.addr, ka=HOLD // 3,
           hold=HOLD,
           multihop="" if self.ibgp else "neighbor %s ebgp-multihop 2" % rx)
        self.conf = os.path.join(self.dir, "bgpd.conf")
        with open(self.conf, "w") as f:
            f.write(conf)
        # -Z: no zebra; -n: no kernel; -p 0: no listener; -P 0: no TCP vty; -S: stay root.
        self.proc = Proc(["/usr/lib/frr/bgpd", "-f", self.conf, "-i",
                          os.path.join(self.dir, "bgpd.pid"), "-z",
                          os.path.join(self.dir, "zserv.api"), "--vty_socket", self.vty,
                          "-Z", "-n", "-p", "0", "-P", "0", "-S"],
                         os.path.join(self.dir, "out"))
        e.wait(lambda: self.vtysh("show bgp summary") is not None,
               "%s: vtysh answers" % self.name, timeout=10)

    def logfiles(self):
        return [os.path.join(self.dir, "log"), os.path.join(self.dir, "out")]

    def vtysh(self, *cmds):
        args = ["vtysh", "--vty_socket", self.vty]
        for c in cmds:
            args += ["-c", c]
        return run(args).stdout

    def _net(self, prefixes, no):
        for p in prefixes:
            p = norm_prefix(p)
            fam = "ipv6" if ":" in p else "ipv4"
            self.vtysh("configure terminal", "router bgp %d" % self.asn,
                       "address-family %s unicast" % fam, ("no " if no else "") +
                       "network %s" % p)
            (self.announced.discard if no else self.announced.add)(p)

    def announce(self, *prefixes):
        self._net(prefixes, False)

    def withdraw(self, *prefixes):
        self._net(prefixes, True)

    def routes(self):
        rt = {}
        for fam in ("ipv4", "ipv6"):
            data = json.loads(self.vtysh("show bgp %s unicast json" % fam))
            for prefix, paths in (data.get("routes") or {}).items():
                for path in paths:
                    if path.get("peerId") != self.env.rx_addr:
                        continue
                    asp = [int(a) for a in path.get("path", "").split() if a.isdigit()]
                    nhs = path.get("nexthops") or [{}]
                    g = [h for h in nhs if h.get("scope", "global") == "global"] or nhs
                    rt[norm_prefix(prefix)] = Route(asp, g[0].get("ip"))
        return rt

    def ask_refresh(self):
        self.vtysh("clear bgp %s soft in" % self.env.rx_addr)

    def updates_received(self):
        data = json.loads(self.vtysh("show bgp neighbors %s json" % self.env.rx_addr))
        return data.get(self.env.rx_addr, {}).get("messageStats", {}).get("updatesRecv")

    def session(self):
        data = json.loads(self.vtysh("show bgp neighbors %s json" % self.env.rx_addr))
        nb = data.get(self.env.rx_addr, {})
        return (nb.get("bgpState") == "Established", nb.get("connectionsEstablished"))


# --- ExaBGP ------------------------------------------------------------------------------
EXA_API = r'''
# ExaBGP API process: writes every JSON message ExaBGP sends us to OUT, and forwards to
# ExaBGP every complete line appended to CMDS (the harness's announce/withdraw commands).
# stdin is read with os.read: a buffered readline would keep lines select() cannot see.
import os, select, sys
out_path, cmd_path = sys.argv[1], sys.argv[2]
pos = 0
with open(out_path, "ab", buffering=0) as out:
    while True:
        r, _, _ = select.select([0], [], [], 0.1)
        if r:
            data = os.read(0, 65536)
            if not data:
                break
            out.write(data)
        with open(cmd_path, "rb") as c:
            c.seek(pos)
            data = c.read()
        complete = data[:data.rfind(b"\n") + 1]
        if complete:
            pos += len(complete)
            os.write(1, complete)
'''


class ExaBGP(Daemon):
    kind = "exabgp"

    def start(self):
        e = self.env
        self.recv = os.path.join(self.dir, "received.json")
        self.cmds = os.path.join(self.dir, "commands")
        open(self.cmds, "w").close()
        open(self.recv, "w").close()
        api = os.path.join(self.dir, "api.py")
        with open(api, "w") as f:
            f.write(EXA_API)
        conf = """process api {
  run %(py)s %(api)s %(recv)s %(cmds)s;
  encoder json;
}
neighbor %(rx)s {
  router-id %(rid)s;
  local-address %(addr)s;
  local-as %(asn)d;
  peer-as %(rxasn)d;
  connect %(port)d;
  hold-time %(hold)d;
  family { ipv4 unicast; ipv6 unicast; }
  api { processes [ api ]; receive { parsed; update; } neighbor-changes; }
}
""" % dict(py=shutil.which("python3"), api=api, recv=self.recv, cmds=self.cmds, rx=e.rx_addr,
           rid=self.rid, addr=self.addr, asn=self.asn, rxasn=RX_ASN, port=e.rx_port,
           hold=HOLD)
        self.conf = os.path.join(self.dir, "exabgp.conf")
        with open(self.conf, "w") as f:
            f.write(conf)
        env = dict(os.environ)
        env.update({"exabgp.daemon.user": "root", "exabgp.api.cli": "false",
                    "exabgp.log.destination": os.path.join(self.dir, "log"),
                    "exabgp.daemon.pid": os.path.join(self.dir, "pid"),
                    "exabgp.tcp.bind": "", "exabgp.daemon.daemonize": "false"})
        self.proc = Proc(["exabgp", self.conf], os.path.join(self.dir, "out"), env=env,
                         cwd=self.dir)

    def logfiles(self):
        return [os.path.join(self.dir, "log"), os.path.join(self.dir, "out")]

    def command(self, line):
        with open(self.cmds, "a") as f:
            f.write(line + "\n")

    def announce(self, *prefixes, attrs=""):
        """attrs: ExaBGP route attributes, e.g. "community [65535:65282]"."""
        for p in prefixes:
            p = norm_prefix(p)
            self.command("announce route %s next-hop %s %s" % (p, self.nh(p), attrs))
            self.announced.add(p)

    def withdraw(self, *prefixes):
        for p in prefixes:
            p = norm_prefix(p)
            self.command("withdraw route %s next-hop %s" % (p, self.nh(p)))
            self.announced.discard(p)

    def _messages(self):
        with open(self.recv) as f:
            for line in f:
                line = line.strip()
                if line.startswith("{"):
                    try:
                        yield json.loads(line)
                    except ValueError:
                        pass  # a line still being written

    def routes(self):
        """Replays the received UPDATEs: the table as of the last message."""
        rt = {}
        for m in self._messages():
            if m.get("type") == "state" and m["neighbor"].get("state") != "up":
                rt = {}
            if m.get("type") != "update":
                continue
            u = m["neighbor"].get("message", {}).get("update", {})
            attr = u.get("attribute", {})
            for fam, nlris in u.get("withdraw", {}).items():
                for x in nlris:
                    rt.pop(norm_prefix(x["nlri"]), None)
            for fam, by_nh in u.get("announce", {}).items():
                for nh, nlris in by_nh.items():
                    for x in nlris:
                        rt[norm_prefix(x["nlri"])] = Route(attr.get("as-path", []), nh)
        return rt

    def session(self):
        state, marker = False, None
        for m in self._messages():
            if m.get("type") == "state":
                state = m["neighbor"].get("state") == "up"
                marker = m.get("counter") if state else None
        return (state, marker)


# --- OpenBGPD ----------------------------------------------------------------------------
class OpenBGPD(Daemon):
    kind = "openbgpd"

    def start(self):
        e = self.env
        # bgpd chroots its engines into _openbgpd's home; Debian creates it only through
        # systemd-tmpfiles, which a container does not run.
        os.makedirs("/run/openbgpd", exist_ok=True)
        self.sock = os.path.join(self.dir, "bgpd.sock")
        conf = """AS %(asn)d
router-id %(rid)s
socket "%(sock)s"
listen on %(addr)s
fib-update no
nexthop qualify via default
log updates
neighbor %(rx)s {
  remote-as %(rxasn)d
  local-address %(addr)s
  port %(port)d
  %(multihop)s
  holdtime %(hold)d
  set nexthop no-modify
  enforce neighbor-as no
  announce IPv4 unicast
  announce IPv6 unicast
}
allow from any
allow to any
""" % dict(asn=self.asn, rid=self.rid, sock=self.sock, addr=self.addr, rx=e.rx_addr,
           rxasn=RX_ASN, port=e.rx_port, hold=HOLD,
           multihop="" if self.ibgp else "multihop 2")
        self.conf = os.path.join(self.dir, "bgpd.conf")
        with open(self.conf, "w") as f:
            f.write(conf)
        os.chmod(self.conf, 0o600)
        run(["bgpd", "-n", "-f", self.conf])
        self.proc = Proc(["bgpd", "-d", "-f", self.conf], os.path.join(self.dir, "log"))
        e.wait(lambda: self.bgpctl("show") is not None, "%s: bgpctl answers" % self.name,
               timeout=10)

    def bgpctl(self, *args):
        return run(["bgpctl", "-s", self.sock] + list(args)).stdout

    def announce(self, *prefixes):
        for p in prefixes:
            p = norm_prefix(p)
            self.bgpctl("network", "add", p, "nexthop", self.nh(p))
            self.announced.add(p)

    def withdraw(self, *prefixes):
        for p in prefixes:
            p = norm_prefix(p)
            self.bgpctl("network", "delete", p)
            self.announced.discard(p)

    def updates_logged(self):
        """Every prefix routexd announced to us so far, from bgpd's `log updates` lines
        (catches a route that came and went between two looks at the RIB)."""
        with open(os.path.join(self.dir, "log"), errors="replace") as f:
            return set(norm_prefix(m) for m in
                       re.findall(r"neighbor \S+ AS%d: update (\S+) via" % RX_ASN, f.read()))

    def withdraws_logged(self):
        """Every prefix routexd withdrew from us so far (`log updates`)."""
        with open(os.path.join(self.dir, "log"), errors="replace") as f:
            return set(norm_prefix(m) for m in
                       re.findall(r"neighbor \S+ AS%d: withdraw (\S+)" % RX_ASN, f.read()))

    def routes(self):
        data = json.loads(self.bgpctl("-j", "show", "rib", "in"))
        rt = {}
        for r in data.get("rib") or []:
            if r.get("neighbor", {}).get("remote_addr") != self.env.rx_addr:
                continue
            asp = [int(a) for a in r.get("aspath", "").split() if a.isdigit()]
            rt[norm_prefix(r["prefix"])] = Route(asp, r.get("exit_nexthop"))
        return rt

    def ask_refresh(self):
        self.bgpctl("neighbor", self.env.rx_addr, "refresh")

    def updates_received(self):
        data = json.loads(self.bgpctl("-j", "show", "neighbor", self.env.rx_addr))
        for nb in data.get("neighbors") or []:
            return nb["stats"]["message"]["received"]["updates"]

    def session(self):
        data = json.loads(self.bgpctl("-j", "show", "neighbor", self.env.rx_addr))
        for nb in data.get("neighbors") or []:
            # OPENs received so far and the session's local port: both change on a
            # new session.
            return (nb.get("state") == "Established",
                    (nb.get("stats", {}).get("message", {}).get("received", {}).get("open"),
                     nb.get("session", {}).get("local", {}).get("port")))
        return (False, None)


KINDS = {c.kind: c for c in (Bird, GoBGP, FRR, ExaBGP, OpenBGPD)}


# --- a raw BGP speaker, for messages no daemon sends on request ----------------------------
def bgp_msg(typ, body=b""):
    return b"\xff" * 16 + struct.pack("!HB", 19 + len(body), typ) + body


def bgp_open(asn, bgp_id, hold=HOLD, v6=False):
    """OPEN with multiprotocol IPv4 (and IPv6) unicast and 4-octet AS capabilities."""
    caps = bytes([1, 4, 0, 1, 0, 1]) + (bytes([1, 4, 0, 2, 0, 1]) if v6 else b"")
    caps += bytes([65, 4]) + struct.pack("!I", asn)
    opt = bytes([2, len(caps)]) + caps
    return bgp_msg(1, struct.pack("!BHH4sB", 4, asn if asn < 65536 else 23456, hold,
                                  socket.inet_aton(bgp_id), len(opt)) + opt)


def nlri4(prefixes):
    out = b""
    for p in prefixes:
        n = ipaddress.ip_network(p)
        out += bytes([n.prefixlen]) + n.network_address.packed[:(n.prefixlen + 7) // 8]
    return out


def bgp_update4(withdrawn=(), nlri=(), as_path=(), next_hop=None):
    """An IPv4 UPDATE: ORIGIN IGP, AS_PATH (one AS_SEQUENCE, 4-octet), NEXT_HOP."""
    attrs = b""
    if nlri:
        seg = bytes([2, len(as_path)]) + b"".join(struct.pack("!I", a) for a in as_path)
        attrs = (bytes([0x40, 1, 1, 0]) + bytes([0x40, 2, len(seg)]) + seg +
                 bytes([0x40, 3, 4]) + socket.inet_aton(next_hop))
    w = nlri4(withdrawn)
    return bgp_msg(2, struct.pack("!H", len(w)) + w + struct.pack("!H", len(attrs)) + attrs +
                   nlri4(nlri))


class RawPeer(Daemon):
    """A minimal speaker on a plain socket: OPEN, KEEPALIVE, the UPDATEs a test builds;
    what routexd sends is read and kept (self.received) by a background thread."""
    kind = "raw"

    def start(self):
        import threading
        e = self.env
        self.sock = socket.socket()
        self.sock.bind((self.addr, 0))
        self.sock.connect((e.rx_addr, e.rx_port))
        self.sock.sendall(bgp_open(self.asn, self.rid) + bgp_msg(4))
        self.received = []
        self.eof = False
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        buf = b""
        while True:
            try:
                chunk = self.sock.recv(65536)
            except OSError:
                chunk = b""
            if not chunk:
                self.eof = True
                return
            buf += chunk
            while len(buf) >= 19 and len(buf) >= struct.unpack("!H", buf[16:18])[0]:
                n, typ = struct.unpack("!HB", buf[16:19])
                with self.lock:
                    self.received.append((typ, buf[19:n]))
                if typ == 4:
                    try:
                        self.sock.sendall(bgp_msg(4))
                    except OSError:
                        pass
                buf = buf[n:]

    def send(self, data):
        self.sock.sendall(data)

    def stop(self):
        if getattr(self, "sock", None):
            self.sock.close()

    def logfiles(self):
        return []

    def session(self):
        return (not self.eof, None)


class InteropCase(unittest.TestCase):
    """A test case with one Env per test method: self.env, closed in tearDown."""
    SUBNET = None
    NEEDS = ()  # daemon kinds this class needs

    def setUp(self):
        if os.geteuid() != 0:
            self.skipTest("interop tests run as root (daemons drop privileges, bind, chroot)")
        for k in self.NEEDS:
            why = missing(k)
            if why:
                self.skipTest(why)
        self.env = Env(self.SUBNET, type(self).__name__.lower())
        self.addCleanup(self._close)

    def _close(self):
        # Did this test fail? The result already lists it (Python 3.11 records failures as
        # they happen; _outcome.success is reset while a cleanup runs).
        res = getattr(getattr(self, "_outcome", None), "result", None)
        failed = res is not None and any(t is self for t, _ in
                                         list(res.failures) + list(res.errors))
        self.env.close(failed)
