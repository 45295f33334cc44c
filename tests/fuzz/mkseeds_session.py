#!/usr/bin/env python3
"""mkseeds_session.py: writes the seed schedules of fuzz_session (tests/fuzz/README.md has the layout).

Each seed is a short conversation: the two configuration octets, then ops. Deterministic:
running it again rewrites the same files. Usage: tests/fuzz/mkseeds_session.py [OUTDIR] (default: tests/fuzz/corpus/session).
"""
import os
import struct
import sys

# ops (low nibble) and their flags
RAW, MSG, TIME, SEND, STALL, DRAIN, READ, CLOSE_REMOTE, CLOSE_LOCAL, RECONNECT = range(10)
NOREAD = 0x10        # RAW / MSG: deliver without calling peer_session_readable
RAW16 = 0x20         # RAW: 2-octet length
FULLCLOSE = 0x10     # CLOSE_REMOTE: close() instead of shutdown(SHUT_WR)
MS, DS, SEC, MIN = 0x00, 0x10, 0x20, 0x30  # TIME scale: 1 ms, 100 ms, 1 s, 1 min
# MSG kinds
K_OPEN, K_KEEPALIVE, K_UPDATE, K_BIGUPDATE, K_NOTIFICATION, K_RR, K_EOR, K_CUT = range(8)
# hold time indexes (fuzz_session.c hold_times): 0 3 4 9 30 90 180 65535
H0, H3, H4, H9, H30, H90, H180, HMAX = range(8)


def cfg(as4=False, ibgp=False, ext=False, role=None, gr=False, addpath=False, v6=False,
        small_out=False, hold=H90):
    a = (as4 * 1) | (ibgp * 2) | (ext * 4) | ((role is not None) * 8) | (gr * 16) | \
        (addpath * 32) | (v6 * 64) | (small_out * 128)
    b = hold | ((role or 0) << 3)
    return bytes([a, b])


def open_(wrong_as=False, hold=H90, same_id=False, no_as4=False, ext=False, role=None,
          no_mp=False, fams=1, err_gr=False, addpath=False, flags=0):
    p = wrong_as | (hold << 1) | (same_id << 4) | (no_as4 << 5) | (ext << 6) | \
        ((role is not None) << 7)
    q = no_mp | (fams << 1) | (err_gr << 3) | ((role or 0) << 4) | (addpath << 7)
    return bytes([MSG | flags, K_OPEN, p, q])


def msg(kind, p=0, flags=0):
    return bytes([MSG | flags, kind, p])


def time_(n, scale=SEC):
    return bytes([TIME | scale]) + struct.pack(">H", n)


def send(p):
    return bytes([SEND, p])


def raw(data, flags=0):
    if len(data) > 255:
        return bytes([RAW | RAW16 | flags]) + struct.pack(">H", len(data)) + data
    return bytes([RAW | flags, len(data)]) + data


def establish(**kw):
    return open_(**kw) + msg(K_KEEPALIVE)


KEEPALIVE = b"\xff" * 16 + b"\x00\x13\x04"

SEEDS = {
    # a plain eBGP session: up, routes both ways, keepalives over time, the peer ceases
    "ebgp-basic": cfg() + establish() + msg(K_UPDATE, 5) + send(0x08) + time_(25) +
                  time_(25) + msg(K_KEEPALIVE) + time_(40) + msg(K_RR, 0) + msg(K_EOR, 0) +
                  msg(K_NOTIFICATION, 0x62),
    # RFC 8654 both sides: extended UPDATEs in and out
    "ext-msg": cfg(ext=True) + establish(ext=True) + msg(K_BIGUPDATE, 0x20) +
               send(0x7b) + msg(K_KEEPALIVE) + time_(60),
    # the remote stops reading: the output grows to the small bound (Cease/8)
    "backlog-bound": cfg(small_out=True) + establish() + bytes([STALL]) +
                     send(0x7f) * 12 + time_(10),
    # the remote stops reading: no progress for a hold time (8/0)
    "send-hold": cfg(hold=H9) + establish(hold=H9) + bytes([STALL]) + send(0x7f) * 16 +
                 msg(K_KEEPALIVE) + time_(3) + msg(K_KEEPALIVE) + time_(3) +
                 msg(K_KEEPALIVE) + time_(4),
    # nothing from the remote after OPEN: 4/0
    "hold-expiry": cfg(hold=H30) + establish(hold=H30) + time_(10) + time_(10) + time_(11),
    # no OPEN at all: 4/0 after 240 s
    "open-hold": cfg() + time_(4, MIN) + time_(1, MIN),
    # half an UPDATE then the remote closes
    "half-update": cfg() + establish() + msg(K_CUT, 30) + bytes([CLOSE_REMOTE | FULLCLOSE]),
    # half-closed remote (FIN) in OpenConfirm
    "fin-openconfirm": cfg() + open_() + bytes([CLOSE_REMOTE]),
    # OPEN errors: bad peer AS, our own identifier on iBGP, role mismatch, version 3
    "open-bad-as": cfg() + open_(wrong_as=True),
    "open-same-id": cfg(ibgp=True) + open_(same_id=True),
    "open-role": cfg(role=1) + open_(role=1),
    "open-version": cfg() + open_(wrong_as=True, same_id=True),
    # down, reconnect, up again; the local side closes the second time
    "reconnect": cfg() + establish() + msg(K_NOTIFICATION, 0x64) + bytes([RECONNECT]) +
                 establish() + send(0x01) + bytes([CLOSE_LOCAL, 3]),
    # 4-octet AS, iBGP, ADD-PATH, IPv6
    "ibgp-as4-addpath": cfg(as4=True, ibgp=True, addpath=True, v6=True) +
                        establish(addpath=True, fams=3) + msg(K_UPDATE, 0x45) +
                        send(0x4a) + msg(K_EOR, 1) + time_(30),
    # AS_TRANS from a 2-octet speaker
    "as-trans": cfg(as4=True) + establish(no_as4=True),
    # hold time 0: no keepalives, no hold timer, hours pass
    "hold-zero": cfg(hold=H0) + establish(hold=H0) + time_(600, MIN) + msg(K_UPDATE, 1),
    # RFC 9234 roles agree (RS and RS client) and graceful restart
    "role-gr": cfg(role=1, gr=True) + establish(role=2, err_gr=True) + msg(K_RR, 4),
    # everything in one read: OPEN, KEEPALIVE, UPDATE, then one read
    "one-read": cfg() + open_(flags=NOREAD) + msg(K_KEEPALIVE, flags=NOREAD) +
                msg(K_UPDATE, 3, flags=NOREAD) + bytes([READ]),
    # raw bytes: a KEEPALIVE in OpenSent (5/1), and a broken marker
    "raw-keepalive-opensent": cfg() + raw(KEEPALIVE),
    "raw-bad-marker": cfg() + establish() + raw(b"\xfe" + KEEPALIVE[1:]),
    # a clock jump with the remote's keepalives waiting in the socket
    "clock-jump": cfg(hold=H30) + establish(hold=H30) + msg(K_KEEPALIVE, flags=NOREAD) +
                  time_(2, MIN) + bytes([READ]),
    # stall, drain, stall: the send hold timer restarts on progress
    "stall-drain": cfg(hold=H9) + establish(hold=H9) + bytes([STALL]) + send(0x7f) * 30 +
                   time_(8) + bytes([DRAIN]) + msg(K_KEEPALIVE) + bytes([STALL]) +
                   send(0x7f) * 30 + time_(8) + bytes([DRAIN]),
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "corpus", "session")
    for name, data in sorted(SEEDS.items()):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    print(f"{len(SEEDS)} seeds written to {out}")


if __name__ == "__main__":
    main()
