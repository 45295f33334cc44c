#!/usr/bin/env python3
"""mkcorpus.py: build the fuzz_wire seed corpus from real BGP messages in MRT files.

Reads BGP4MP (type 16) and BGP4MP_ET (type 17, 4 extra octets of microseconds counted in
the record length) records of subtypes MESSAGE (1), MESSAGE_AS4 (4) and their LOCAL and
ADDPATH variants (6-11, RFC 6396 4.4, RFC 8050), and writes each chosen BGP message as one
seed: the fuzz_wire selector octet (message kind, as4, ebgp, add-path) then the message
body without its 19-octet header. Messages are grouped by a shape key (type, session
flags, the set of attribute type codes, MP families, NLRI count class) and a few of each
shape are kept, so the corpus is small but covers what the data holds.

  tests/fuzz/mkcorpus.py [--max N] [--out DIR] MRT_FILE...
"""
import argparse
import bz2
import gzip
import hashlib
import os
import random
import struct
import sys

KIND = {1: 1, 2: 0, 3: 2, 5: 3}  # BGP type -> fuzz_wire selector kind
AS4_SUBTYPES = {4, 7, 9, 11}
ADDPATH_SUBTYPES = {8, 9, 10, 11}
MESSAGE_SUBTYPES = {1, 4, 6, 7, 8, 9, 10, 11}


def open_mrt(path):
    if path.endswith(".gz"):
        return gzip.open(path, "rb")
    if path.endswith(".bz2"):
        return bz2.open(path, "rb")
    return open(path, "rb")


def records(path):
    """Yields (type, subtype, body) of each MRT record; stops at a truncated record."""
    with open_mrt(path) as f:
        while True:
            hdr = f.read(12)
            if len(hdr) < 12:
                return
            _ts, rtype, sub, length = struct.unpack(">IHHI", hdr)
            try:
                body = f.read(length)
            except EOFError:
                return
            if len(body) < length:
                return
            yield rtype, sub, body


def bgp_message(rtype, sub, body):
    """Returns (peer_as, local_as, bgp_message) of a BGP4MP message record, or None."""
    if rtype == 17:
        body = body[4:]  # BGP4MP_ET: microsecond timestamp
    elif rtype != 16:
        return None
    if sub not in MESSAGE_SUBTYPES:
        return None
    asl = 4 if sub in AS4_SUBTYPES else 2
    if len(body) < 2 * asl + 4:
        return None
    fmt = ">I" if asl == 4 else ">H"
    peer_as = struct.unpack(fmt, body[0:asl])[0]
    local_as = struct.unpack(fmt, body[asl:2 * asl])[0]
    afi = struct.unpack(">H", body[2 * asl + 2:2 * asl + 4])[0]
    ipl = 4 if afi == 1 else 16
    msg = body[2 * asl + 4 + 2 * ipl:]
    if len(msg) < 19 or msg[:16] != b"\xff" * 16:
        return None
    return peer_as, local_as, msg


def attr_types(body):
    """Attribute type codes and MP families of an UPDATE body (best effort)."""
    if len(body) < 4:
        return (), ()
    wrl = struct.unpack(">H", body[0:2])[0]
    off = 2 + wrl
    if off + 2 > len(body):
        return (), ()
    tal = struct.unpack(">H", body[off:off + 2])[0]
    p, end = off + 2, min(off + 2 + tal, len(body))
    types, fams = [], []
    while p + 3 <= end:
        flags, t = body[p], body[p + 1]
        if flags & 0x10:
            if p + 4 > end:
                break
            alen, hl = struct.unpack(">H", body[p + 2:p + 4])[0], 4
        else:
            alen, hl = body[p + 2], 3
        types.append(t)
        if t in (14, 15) and alen >= 3:
            fams.append(body[p + hl:p + hl + 3])
        p += hl + alen
    return tuple(sorted(set(types))), tuple(sorted(set(fams)))


def seed_of(peer_as, local_as, sub, msg):
    mtype = msg[18]
    if mtype not in KIND:
        return None, None
    sel = KIND[mtype]
    if sub in AS4_SUBTYPES:
        sel |= 0x04
    if peer_as != local_as:
        sel |= 0x08
    if sub in ADDPATH_SUBTYPES:
        sel |= 0x10
    body = msg[19:]
    key = (mtype, sel)
    if mtype == 2:
        types, fams = attr_types(body)
        wrl = struct.unpack(">H", body[0:2])[0] if len(body) >= 2 else 0
        size_class = min(len(body).bit_length(), 12)
        key += (types, fams, wrl > 0, size_class)
    return key, bytes([sel]) + body


# Hand-written seeds for what the MRT files rarely or never hold (selector octet first).
SYNTHETIC = [
    # OPEN with every capability the codec decodes, one type-2 parameter.
    "01 04 5ba0 005a c0000201 49 02 47 01040001 0001 01040002 0001 0200 4600 0600 090102"
    " 400a 80b4 0001 0180 0002 0100 4104 00030d40 4508 0001 0103 0002 0101"
    " 4910 03727331 0b6578616d706c652e6e6574 8302abcd",
    # RFC 9072 extended optional parameters.
    "01 04 fde9 00b4 0a000001 ff ff 0009 02 0006 4104 0000fde9",
    # NOTIFICATION Cease/2 with a shutdown communication, and a header error with data.
    "02 06 02 0b 6d61696e74656e616e6365",
    "02 01 02 0012",
    # ROUTE-REFRESH: normal, BoRR.
    "03 0001 00 01",
    "03 0002 01 01",
    # UPDATE, 4-octet iBGP, every attribute plus an unknown transitive one.
    "04 0000 0092 400101 01 4002 24 0202 0000fde9 fa56ea01 0102 00000064 000000c8"
    " 0301 0000fc00 0402 0000fc01 0000fc02 400304 c0000201 800404 00000064"
    " 400504 000000c8 400600 c00708 fa56ea00 c6336401 c00808 ffffff01 fde80001"
    " 800904 0a000009 800a08 0a00000a 0a00000b c01008 0002fde8 00000064"
    " c0200c 0000fde9 00000001 00000002 c02304 0000fde9 c06303 010203 18c00002",
    # UPDATE, 2-octet session, AS4_PATH and AS4_AGGREGATOR to merge.
    "08 0000 003d 40010100 40020a 0204 fde9 5ba0 5ba0 0064 400304 c0000201"
    " c00706 5ba0 c6336401 c0110e 0203 fa56ea01 fa56ea02 00000064"
    " c01208 fa56ea00 c6336402 18c00002",
    # UPDATE, IPv6 MP_REACH and MP_UNREACH, ADD-PATH on.
    "1c 0000 0047 900e 0020 0002 01 10 20010db8000000000000000000000001 00"
    " 00000007 30 20010db80001 900f 000e 0002 01 00000001 30 20010db80002"
    " 40010100 40020a 0202 0000fde9 0000fdea",
    # End-of-RIB, IPv4 and IPv6.
    "0c 0000 0000",
    "0c 0000 0006 800f03 000201",
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "corpus", "wire"))
    ap.add_argument("--max", type=int, default=400, help="seeds to write")
    ap.add_argument("--per-shape", type=int, default=3)
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()

    rng = random.Random(7)  # reproducible choice
    shapes = {}
    for path in args.files:
        for rtype, sub, body in records(path):
            m = bgp_message(rtype, sub, body)
            if not m:
                continue
            key, seed = seed_of(m[0], m[1], sub, m[2])
            if not key:
                continue
            bucket = shapes.setdefault(key, [])
            if len(bucket) < args.per_shape:
                bucket.append(seed)
            elif rng.random() < 0.01:  # keep some variety inside common shapes
                bucket[rng.randrange(len(bucket))] = seed
    # Rare shapes first (OPEN, NOTIFICATION, unusual attribute sets), then the rest.
    keys = sorted(shapes, key=lambda k: (k[0] == 2, len(shapes[k]), repr(k)))
    chosen = []
    for depth in range(args.per_shape):
        for k in keys:
            if depth < len(shapes[k]):
                chosen.append(shapes[k][depth])
    chosen = chosen[:args.max]
    chosen += [bytes.fromhex(h) for h in SYNTHETIC]
    os.makedirs(args.out, exist_ok=True)
    total = 0
    for seed in chosen:
        name = hashlib.sha1(seed).hexdigest()
        with open(os.path.join(args.out, name), "wb") as f:
            f.write(seed)
        total += len(seed)
    print(f"{len(chosen)} seeds from {len(shapes)} shapes, {total} bytes in {args.out}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
