#!/usr/bin/env python3
"""Flame graphs from `perf script` output, with no outside tools.

    perf script -i perf.data | flamegraph.py fold > stacks.folded
    flamegraph.py svg < stacks.folded > flame.svg

fold: one line per distinct stack, "thread;outermost;...;innermost COUNT".
svg:  an icicle-style SVG: width is the share of samples, the root at the bottom, each
      frame's tooltip (<title>) gives its samples and percentage.
"""
import collections
import html
import sys


def fold(lines):
    """perf script prints a header line per sample, then one frame per line, innermost
    first, then a blank line."""
    counts = collections.Counter()
    comm, frames = None, []

    def flush():
        if comm is not None:
            counts[";".join([comm] + frames[::-1])] += 1

    for line in lines:
        line = line.rstrip("\n")
        if not line.strip():
            flush()
            comm, frames = None, []
        elif not line.startswith((" ", "\t")):
            comm, frames = line.split()[0], []
        else:
            parts = line.split(None, 1)
            sym = parts[1] if len(parts) > 1 else "?"
            sym = sym.split(" (")[0].split("+0x")[0] or "?"
            frames.append(sym)
    flush()
    for stack, n in sorted(counts.items()):
        print(f"{stack} {n}")


def build(lines):
    root = {"n": 0, "kids": {}}
    for line in lines:
        stack, _, n = line.rstrip("\n").rpartition(" ")
        if not stack or not n.isdigit():
            continue
        n = int(n)
        node = root
        root["n"] += n
        for f in stack.split(";"):
            node = node["kids"].setdefault(f, {"n": 0, "kids": {}})
            node["n"] += n
    return root


def svg(lines, width=1200, row=16):
    root = build(lines)
    total = max(root["n"], 1)
    rects = []

    def depth(node):
        return 1 + max((depth(k) for k in node["kids"].values()), default=0)

    levels = depth(root)
    height = levels * row + 40

    def walk(node, name, x, level):
        w = node["n"] / total * width
        if w < 0.3:
            return
        y = height - 20 - (level + 1) * row
        pct = 100.0 * node["n"] / total
        hue = 10 + (hash(name) % 50)
        rects.append(
            f'<g><title>{html.escape(name)}: {node["n"]} samples ({pct:.2f}%)</title>'
            f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{row - 1}" '
            f'fill="hsl({hue},80%,60%)"/>'
            + (f'<text x="{x + 2:.1f}" y="{y + row - 4}" font-size="11">'
               f'{html.escape(name[: int(w / 7)])}</text>' if w > 30 else "")
            + "</g>")
        cx = x
        for kname, kid in sorted(node["kids"].items()):
            walk(kid, kname, cx, level + 1)
            cx += kid["n"] / total * width

    cx = 0.0
    for kname, kid in sorted(root["kids"].items()):
        walk(kid, kname, cx, 0)
        cx += kid["n"] / total * width
    print(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
          f'font-family="monospace">')
    print(f'<text x="4" y="14" font-size="12">{total} samples; hover a frame for its share'
          f'</text>')
    print("\n".join(rects))
    print("</svg>")


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode == "fold":
        fold(sys.stdin)
    elif mode == "svg":
        svg(sys.stdin)
    else:
        sys.exit("usage: flamegraph.py fold|svg < input")
