"""routexd started as root with `user: nobody` (issue 5, docs/packaging.md):

1. it listens on a port below 1024 (bound as root), then /proc/PID/status shows uid and gid
   nobody/nogroup (real, effective, saved, fs), no supplementary groups, only
   CAP_NET_BIND_SERVICE (permitted, effective, bounding) and NoNewPrivs; the decision and I/O
   threads keep that one capability, the control thread none;
2. the control socket belongs to nobody:nogroup (0660) in a folder routexd created (0750);
   routexctl answers as root and as nobody, and refuses another unprivileged user;
3. a real BGP daemon (BIRD) establishes a session on that port: its route reaches routexd's
   RIB and routexd's originated prefix reaches BIRD;
4. a reload, which re-reads the config file as nobody, adds a peer;
5. the same config started by another non-root user is refused with a clear message.

Ambient: the systemd unit's way (User=routex, AmbientCapabilities=CAP_NET_BIND_SERVICE,
CapabilityBoundingSet, NoNewPrivileges), reproduced with setpriv(1) since systemd is not PID 1
here: routexd never root, no `user:` key, still binds a port below 1024 and serves BIRD.

Notify: the sd_notify protocol a Type=notify unit relies on (routexd.service): READY=1 once
routexd serves, RELOADING=1 then READY=1 around a SIGHUP reload, STOPPING=1 on SIGTERM, read
from a datagram socket given in $NOTIFY_SOCKET as systemd would.
"""
import grp
import os
import pwd
import re
import signal
import socket
import subprocess
import time

import harness as h

ORIG = "10.93.0.0/16"
CAP_NET_BIND_SERVICE = 1 << 10


def privileged_port(addr):
    """A free TCP port below 1024 on addr (we are root), away from BGP's 179."""
    for port in range(1000, 600, -1):
        s = socket.socket()
        try:
            s.bind((addr, port))
            return port
        except OSError:
            continue
        finally:
            s.close()
    raise AssertionError("no free port below 1024 on %s" % addr)


def status(path):
    out = {}
    with open(path) as f:
        for line in f:
            k, _, v = line.partition(":")
            out[k] = v.strip()
    return out


class PrivDrop(h.InteropCase):
    SUBNET = 93
    NEEDS = ("bird",)

    def test_drop_root_keep_bgp(self):
        e = self.env
        nobody = pwd.getpwnam("nobody")
        nogroup = grp.getgrnam("nogroup")
        # The unprivileged user must reach the config (reload) and the socket's folder.
        os.chmod(e.dir, 0o711)
        e.sock = os.path.join(e.dir, "run", "routex.sock")  # routexd creates "run"
        e.rx_port = privileged_port(e.rx_addr)
        plain = e.write_config

        def write_config():
            path = plain()
            with open(path, "a") as f:
                f.write("user: nobody\ngroup: nogroup\n")
            os.chmod(path, 0o644)
            return path

        e.write_config = write_config
        e.originate = [ORIG]
        e.add_peer("b1", 2, 65002, "nva")
        bird = e.add(h.Bird("b1-bird", 2, 65002))
        e.start_routexd()

        # 1. The identity and capabilities of the running process and of each thread.
        pid = e.rx.pid
        st = status("/proc/%d/status" % pid)
        self.assertEqual(st["Uid"].split(), [str(nobody.pw_uid)] * 4, st["Uid"])
        self.assertEqual(st["Gid"].split(), [str(nogroup.gr_gid)] * 4, st["Gid"])
        self.assertEqual(st["Groups"], "", "supplementary groups kept: %s" % st["Groups"])
        for k in ("CapPrm", "CapEff", "CapBnd"):
            self.assertEqual(int(st[k], 16), CAP_NET_BIND_SERVICE, "%s %s" % (k, st[k]))
        self.assertEqual(int(st["CapInh"], 16), 0)
        self.assertEqual(int(st["CapAmb"], 16), 0)
        self.assertEqual(st["NoNewPrivs"], "1")
        threads = {}
        for tid in os.listdir("/proc/%d/task" % pid):
            ts = status("/proc/%d/task/%s/status" % (pid, tid))
            self.assertEqual(ts["Uid"].split(), [str(nobody.pw_uid)] * 4, ts)
            threads.setdefault(ts["Name"], []).append(int(ts["CapEff"], 16))
        self.assertEqual(threads.get("rx-decide"), [CAP_NET_BIND_SERVICE], threads)
        io = [c for n, caps in threads.items() if n.startswith("rx-io") for c in caps]
        self.assertTrue(io and all(c == CAP_NET_BIND_SERVICE for c in io), threads)
        self.assertEqual(threads.get("rx-ctl"), [0], threads)
        with open(e.rx_log) as f:
            self.assertRegex(f.read(), r"running as nobody:nogroup \(uid %d gid %d\)"
                             % (nobody.pw_uid, nogroup.gr_gid))

        # 2. The control socket and who may use it.
        sst, dst = os.stat(e.sock), os.stat(os.path.dirname(e.sock))
        self.assertEqual((sst.st_uid, sst.st_gid, sst.st_mode & 0o777),
                         (nobody.pw_uid, nogroup.gr_gid, 0o660))
        self.assertEqual((dst.st_uid, dst.st_gid, dst.st_mode & 0o777),
                         (nobody.pw_uid, nogroup.gr_gid, 0o750))
        ctl = [h.ROUTEXCTL, "-s", e.sock, "-j", "show", "peers"]
        p = subprocess.run(ctl, user="nobody", group="nogroup", extra_groups=[],
                           capture_output=True, text=True, timeout=10)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn('"b1"', p.stdout)
        p = subprocess.run(ctl, user="daemon", group="daemon", extra_groups=[],
                           capture_output=True, text=True, timeout=10)
        self.assertEqual(p.returncode, 2, "another user reached the control socket")
        self.assertIn("Permission denied", p.stderr)

        # 3. A real session on the privileged port, routes both ways.
        e.start(bird)
        e.established("b1")
        mine = "192.0.93.0/24"
        bird.announce(mine)
        e.wait(lambda: [x["peer"] for x in e.rx_rib().get(mine, [])] == ["b1"],
               "routexd's RIB holds %s from b1" % mine)
        e.wait_routes(bird, {ORIG: h.Route([h.RX_ASN], "10.255.93.1")})

        # 4. A reload after the drop: the file is read as nobody.
        e.add_peer("b2", 3, 65003, "nva")
        r = e.reload()
        self.assertTrue(r["reloaded"], r)
        self.assertIn("b2", e.rx_peers())
        self.assertEqual(e.rx_peers()["b1"]["state"], "Established")

        # 5. Another unprivileged user cannot switch to nobody: refused before binding.
        conf = os.path.join(e.dir, "routex.yaml")
        p = subprocess.run([h.ROUTEXD, "-f", "-c", conf], user="daemon", group="daemon",
                           extra_groups=[], capture_output=True, text=True, timeout=10)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertTrue(re.search(r"not root: it cannot become nobody:nogroup", p.stderr),
                        p.stderr)


class Notify(h.InteropCase):
    SUBNET = 93

    def test_ready_reload_stopping(self):
        e = self.env
        path = os.path.join(e.dir, "notify")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.addCleanup(sock.close)
        sock.bind(path)
        sock.settimeout(h.WAIT)
        e.add_peer("p", 2, 65002, "nva")
        old = os.environ.get("NOTIFY_SOCKET")
        os.environ["NOTIFY_SOCKET"] = path
        try:
            e.start_routexd()
        finally:
            if old is None:
                del os.environ["NOTIFY_SOCKET"]
            else:
                os.environ["NOTIFY_SOCKET"] = old

        def expect(state):
            msg = sock.recv(4096).decode()
            self.assertEqual(msg, state)

        expect("READY=1")
        e.rx.p.send_signal(signal.SIGHUP)
        expect("RELOADING=1")
        expect("READY=1")
        with open(e.rx_log) as f:
            self.assertIn("SIGHUP: ok", f.read())
        e.rx.p.send_signal(signal.SIGTERM)
        expect("STOPPING=1")
        self.assertEqual(e.rx.p.wait(10), 0)
        with open(e.rx_log) as f:
            log = f.read()
        self.assertNotRegex(log, r"ERROR: \w*Sanitizer|runtime error:")
        e.rx = None  # stopped and checked here; nothing left for Env.close


class Ambient(h.InteropCase):
    SUBNET = 93
    NEEDS = ("bird",)

    def test_unit_identity(self):
        e = self.env
        setpriv = h.which("setpriv")
        if not setpriv:
            self.skipTest("setpriv (util-linux) not installed")
        nobody = pwd.getpwnam("nobody")
        nogroup = grp.getgrnam("nogroup")
        os.chmod(e.dir, 0o711)
        run = os.path.join(e.dir, "run")  # what RuntimeDirectory=routex provides
        os.mkdir(run, 0o750)
        os.chown(run, nobody.pw_uid, nogroup.gr_gid)
        e.sock = os.path.join(run, "routex.sock")
        e.rx_port = privileged_port(e.rx_addr)
        e.originate = [ORIG]
        e.add_peer("b1", 2, 65002, "nva")
        bird = e.add(h.Bird("b1-bird", 2, 65002))
        conf = e.write_config()
        os.chmod(conf, 0o644)
        e.rx_log = os.path.join(e.dir, "routexd.log")
        e.rx = h.Proc([setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                       "--inh-caps=+net_bind_service", "--ambient-caps=+net_bind_service",
                       "--bounding-set=-all,+net_bind_service", "--no-new-privs",
                       h.ROUTEXD, "-f", "-c", conf], e.rx_log)
        e.wait(lambda: h.run([h.ROUTEXCTL, "-s", e.sock, "show", "peers"], check=False)
               .returncode == 0, "routexd control socket answers", timeout=10)
        st = status("/proc/%d/status" % e.rx.pid)
        self.assertEqual(st["Uid"].split(), [str(nobody.pw_uid)] * 4, st["Uid"])
        self.assertEqual(int(st["CapEff"], 16), CAP_NET_BIND_SERVICE, st["CapEff"])
        self.assertEqual(int(st["CapBnd"], 16), CAP_NET_BIND_SERVICE, st["CapBnd"])
        sst = os.stat(e.sock)
        self.assertEqual((sst.st_uid, sst.st_mode & 0o777), (nobody.pw_uid, 0o660))
        e.start(bird)
        e.established("b1")
        bird.announce("192.0.93.0/24")
        e.wait(lambda: "192.0.93.0/24" in e.rx_rib(), "routexd learns 192.0.93.0/24")
        e.wait_routes(bird, {ORIG: h.Route([h.RX_ASN], "10.255.93.1")})
