#!/usr/bin/env python3
"""Package checks (tests/package/CMakeLists.txt registers one CTest test per command):

  install   `cmake --install` into a fresh DESTDIR gives exactly the expected files, with the
            right modes, and the unit and man pages have every @VAR@ filled in
  examples  every installed example config passes the installed `routexd -n -c`, and a
            broken copy of one fails with FILE:LINE (so the check can fail), as does a
            config whose `user:` does not exist
  manlint   each man page renders with no groff warning (-ww), tbl included, and has the
            sections a reader looks for (NAME, SYNOPSIS, DESCRIPTION, EXAMPLES, SEE ALSO);
            mandoc -T lint too when it is installed
  mankeys   the config keys of the loader's tables (src/conf/load.c, peer.c) and the keys
            routex.yaml(5) and docs/config.md document are the same sets, both ways; each
            key of routex.yaml(5) has an example line, and each example loads (routexd -n)
  systemd   `systemd-analyze verify` of the installed unit prints nothing, and its offline
            `security` exposure stays at or below 2.0 (skipped without systemd-analyze)

Exit 0: pass, 1: fail, 77: skipped."""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

SKIP = 77


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          **kw)


def install(args, dest):
    env = dict(os.environ, DESTDIR=dest)
    p = run(["cmake", "--install", args.build], env=env)
    if p.returncode != 0:
        fail("cmake --install: exit %d\n%s" % (p.returncode, p.stdout))


def under(dest, path):
    return os.path.join(dest, path.lstrip("/"))


def cmd_install(args, dest):
    install(args, dest)
    got = set()
    for root, dirs, files in os.walk(dest):
        for f in files:
            got.add("/" + os.path.relpath(os.path.join(root, f), dest))
    want = set(args.expect.split(":"))
    if got != want:
        fail("installed files differ\n  missing: %s\n  unexpected: %s"
             % (sorted(want - got), sorted(got - want)))
    for path in sorted(want):
        mode = os.stat(under(dest, path)).st_mode & 0o777
        exe = "/bin/" in path or "/sbin/" in path
        if mode != (0o755 if exe else 0o644):
            fail("%s: mode %o, expected %o" % (path, mode, 0o755 if exe else 0o644))
        if path.endswith((".service", ".1", ".5", ".8")):
            with open(under(dest, path)) as f:
                left = re.findall(r"@[A-Z_]+@", f.read())
            if left:
                fail("%s: not substituted: %s" % (path, sorted(set(left))))
    unit = under(dest, os.path.join(args.unitdir, "routexd.service"))
    with open(unit) as f:
        text = f.read()
    routexd = os.path.join(args.sbindir, "routexd")
    for key in ("ExecStart=", "ExecStartPre="):
        m = re.search(r"^%s(\S+)" % key, text, re.M)
        if not m or m.group(1) != routexd:
            fail("%s runs %s, not the installed %s" % (key, m and m.group(1), routexd))
    print("%d files installed as expected" % len(got))


def cmd_examples(args, dest):
    install(args, dest)
    routexd = under(dest, os.path.join(args.sbindir, "routexd"))
    exdir = under(dest, os.path.join(args.docdir, "examples"))
    examples = sorted(f for f in os.listdir(exdir) if f.endswith(".yaml"))
    if len(examples) < 2:
        fail("expected the Azure and IXP examples in %s, found %s" % (exdir, examples))
    for ex in examples:
        path = os.path.join(exdir, ex)
        p = run([routexd, "-n", "-c", path])
        if p.returncode != 0 or "configuration OK" not in p.stdout or "warning" in p.stdout:
            fail("routexd -n -c %s: exit %d\n%s" % (ex, p.returncode, p.stdout))
        with open(path) as f:
            text = f.read()
        # Production-shaped: BGP's own port and the default control socket.
        if not re.search(r"^\s+port: 179\b", text, re.M) or \
                "control-socket: /run/routex/routex.sock" not in text:
            fail("%s: expected a port 179 listener and /run/routex/routex.sock" % ex)
        print("%s: %s" % (ex, p.stdout.strip()))
    # The check must be able to fail: a typo'd key is refused with its line.
    bad = os.path.join(dest, "bad.yaml")
    with open(os.path.join(exdir, examples[0])) as f:
        lines = f.read().splitlines()
    lines.append("    hold_time: 90")
    with open(bad, "w") as f:
        f.write("\n".join(lines) + "\n")
    p = run([routexd, "-n", "-c", bad])
    want = "%s:%d: " % (bad, len(lines))
    if p.returncode != 1 or not p.stdout.startswith(want) or "hold_time" not in p.stdout:
        fail("a broken example was not refused as expected (%s...): exit %d\n%s"
             % (want, p.returncode, p.stdout))
    # `user:` naming an account this host does not have is refused by the check already.
    with open(bad, "w") as f:
        f.write("router-id: 10.0.0.1\nuser: rx-no-such-user\n")
    p = run([routexd, "-n", "-c", bad])
    want = '%s:2: user: no such user "rx-no-such-user"' % bad
    if p.returncode != 1 or p.stdout.strip().splitlines()[-1:] != [want]:
        fail("expected exit 1 and %r, got exit %d: %s" % (want, p.returncode, p.stdout))


def cmd_manlint(args, dest):
    if not args.pages:
        fail("no man pages given")
    for page in args.pages:
        p = run(["groff", "-t", "-man", "-ww", "-z", page])
        if p.returncode != 0 or p.stdout.strip():
            fail("groff -t -man -ww -z %s: exit %d\n%s" % (page, p.returncode, p.stdout))
        if shutil.which("mandoc"):
            p = run(["mandoc", "-T", "lint", "-W", "warning", page])
            if p.returncode != 0 or p.stdout.strip():
                fail("mandoc -T lint %s:\n%s" % (page, p.stdout))
        with open(page) as f:
            text = f.read()
        sections = set(re.findall(r"^\.SH\s+\"?([A-Z][A-Z ]*)\"?\s*$", text, re.M))
        need = {"NAME", "SYNOPSIS", "DESCRIPTION", "EXAMPLES", "SEE ALSO"}
        if need - sections:
            fail("%s: missing sections %s" % (page, sorted(need - sections)))
        left = re.findall(r"@[A-Z_]+@", text)
        if left:
            fail("%s: not substituted: %s" % (page, sorted(set(left))))
        print("%s: clean" % os.path.basename(page))


def loader_keys(src):
    """{'top': set, 'peer': set, 'endpoint': set} from the loader's key tables."""
    keys = {"top": set(), "peer": set(), "endpoint": set()}
    kinds = {"CONF_DK_": "top", "CONF_PK_": "peer", "EP_": "endpoint"}
    for f in ("load.c", "peer.c"):
        with open(os.path.join(src, "src", "conf", f)) as fh:
            for key, prefix in re.findall(r'\{"([a-z0-9-]+)",\s*(CONF_DK_|CONF_PK_|EP_)',
                                          fh.read()):
                keys[kinds[prefix]].add(key)
    if len(keys["top"]) < 10 or len(keys["peer"]) < 10 or not keys["endpoint"]:
        fail("could not read the key tables of src/conf (found %s)" % keys)
    return keys


def man_section_items(text, title):
    """{key: its one-line example} for the `.TP` / `.B key` items of one .SH section of a
    man page; each item must end with `Example:` and `.BR "key: value"`."""
    m = re.search(r"^\.SH %s\n(.*?)(?=^\.SH )" % re.escape(title), text, re.M | re.S)
    if not m:
        fail("routex.yaml.5 has no section %s" % title)
    items = {}
    for item in re.split(r"(?=^\.TP\n)", m.group(1), flags=re.M)[1:]:
        head = re.match(r"\.TP\n\.B (\S+)\n", item)
        if not head:
            continue
        key = head.group(1).replace("\\-", "-")
        ex = re.search(r'^Example:\n\.BR? "?(.*?)"?$', item, re.M)
        if not ex:
            fail("routex.yaml(5): key %s has no Example: line" % key)
        items[key] = ex.group(1).replace("\\-", "-").replace("\\(dq", '"')
    return items


def check_examples(args, top, peer):
    """Every example line of routex.yaml(5) loads with routexd -n, placed in a minimal
    config (the accounts of user/group examples become nobody/nogroup: they are host
    specific)."""
    routexd = os.path.join(args.build, "src", "routexd")
    tmp = tempfile.mkdtemp(prefix="rx-manex-")
    head = "router-id: 10.0.0.1\n"
    try:
        cases = []
        for key, ex in top.items():
            ex = ex.replace("user: routex", "user: nobody").replace("group: bgp-ops",
                                                                    "group: nogroup")
            pre = "user: nobody\n" if key == "group" else ""
            cases.append((key, (ex + "\n" if key == "router-id" else head + pre + ex + "\n")))
        base = {"name": "p1", "address": "192.0.2.2", "asn": "65001", "role": "nva"}
        # Keys that only an rs-client may carry are tried on one.
        rs_only = {"bgp-role-strict"}
        # Keys naming a route map are tried with a map of that name defined.
        needs_map = {"import", "export"}
        for key, ex in peer.items():
            fields = dict(base)
            if key in rs_only:
                fields["role"] = "rs-client"
            k, _, v = ex.partition(": ")
            fields[k] = v
            maps = ("route-maps: {%s: [{action: permit}]}\n" % v) if key in needs_map else ""
            text = head + maps + "peers:\n  - " + "\n    ".join(
                "%s: %s" % kv for kv in fields.items()) + "\n"
            cases.append(("peer " + key, text))
        for what, text in cases:
            path = os.path.join(tmp, "ex.yaml")
            with open(path, "w") as f:
                f.write(text)
            p = run([routexd, "-n", "-c", path])
            if p.returncode != 0:
                fail("routex.yaml(5) example for %s does not load:\n%s%s"
                     % (what, text, p.stdout))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return len(cases)


def md_table_keys(text, heading):
    m = re.search(r"^## %s\n(.*?)(?=^## )" % re.escape(heading), text, re.M | re.S)
    if not m:
        fail("docs/config.md has no section '%s'" % heading)
    return set(re.findall(r"^\| `([a-z0-9-]+)` \|", m.group(1), re.M))


def compare(what, documented, real):
    if documented != real:
        fail("%s: undocumented %s; documented but not in src/conf: %s"
             % (what, sorted(real - documented), sorted(documented - real)))


def cmd_mankeys(args, dest):
    keys = loader_keys(args.source)
    with open(os.path.join(args.source, "man", "routex.yaml.5")) as f:
        man = f.read()
    top = man_section_items(man, "TOP-LEVEL KEYS")
    peer = man_section_items(man, "PEER KEYS")
    compare("routex.yaml(5) TOP-LEVEL KEYS", set(top), keys["top"] | keys["endpoint"])
    compare("routex.yaml(5) PEER KEYS", set(peer), keys["peer"])
    n = check_examples(args, top, peer)
    with open(os.path.join(args.source, "docs", "config.md")) as f:
        md = f.read()
    compare("docs/config.md Top-level keys", md_table_keys(md, "Top-level keys"), keys["top"])
    compare("docs/config.md Peer keys", md_table_keys(md, "Peer keys"), keys["peer"])
    print("%d top-level, %d peer and %d endpoint keys documented in both; %d man page "
          "examples load" % (len(keys["top"]), len(keys["peer"]), len(keys["endpoint"]), n))


def cmd_systemd(args, dest):
    if not shutil.which("systemd-analyze"):
        print("systemd-analyze not installed: skipped")
        sys.exit(SKIP)
    install(args, dest)
    # An offline root: the installed files, the host's own units (the targets the unit
    # orders itself against) and the kill(1) that ExecReload names.
    root = os.path.join(dest, "root")
    shutil.copytree(dest, root, symlinks=True, ignore=lambda d, f: ["root"] if d == dest else [])
    shutil.copytree("/usr/lib/systemd/system", os.path.join(root, "usr/lib/systemd/system"),
                    symlinks=True, dirs_exist_ok=True)
    os.makedirs(os.path.join(root, "bin"), exist_ok=True)
    shutil.copy(shutil.which("kill") or "/bin/kill", os.path.join(root, "bin", "kill"))
    unit = os.path.join(args.unitdir, "routexd.service")
    p = run(["systemd-analyze", "verify", "--man=no", "--root=" + root, "routexd.service"])
    if p.returncode != 0 or p.stdout.strip():
        fail("systemd-analyze verify %s: exit %d\n%s" % (unit, p.returncode, p.stdout))
    p = run(["systemd-analyze", "security", "--offline=yes", "--threshold=20",
             under(dest, unit)])
    score = [l for l in p.stdout.splitlines() if "Overall exposure level" in l]
    print(score[0] if score else p.stdout[-2000:])
    if p.returncode != 0:
        fail("systemd-analyze security: exposure above 2.0 (exit %d)\n%s"
             % (p.returncode, p.stdout[-3000:]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("command", choices=["install", "examples", "manlint", "mankeys", "systemd"])
    ap.add_argument("--build", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--sbindir", required=True)
    ap.add_argument("--docdir", required=True)
    ap.add_argument("--unitdir", required=True)
    ap.add_argument("--expect", default="")
    ap.add_argument("pages", nargs="*")
    args = ap.parse_intermixed_args()
    dest = tempfile.mkdtemp(prefix="rx-package-")
    try:
        globals()["cmd_" + args.command](args, dest)
    finally:
        shutil.rmtree(dest, ignore_errors=True)


if __name__ == "__main__":
    main()
