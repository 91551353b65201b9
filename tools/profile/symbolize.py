#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Per-function instruction profile from two insnprof dumps (tools/profile/insnprof.c).

usage: symbolize.py SMALL.txt BIG.txt OPS ELF... [--top N]

Counts of BIG minus SMALL, divided by OPS (the operations BIG ran more than SMALL), are
summed per function: each address goes to the symbol at or below it among the text symbols
of the ELF files (the kernel, the user binaries; `nm -n`). Prints instructions per operation
by function, largest first, with the kernel and user totals."""
import bisect
import subprocess
import sys


def load(path):
    counts = {}
    with open(path) as f:
        for line in f:
            a, c = line.split()
            counts[int(a, 16)] = int(c)
    return counts


def symbols(elfs):
    syms = []
    for elf in elfs:
        out = subprocess.run(["riscv64-unknown-elf-nm", "-n", "--defined-only", elf],
                             capture_output=True, text=True, check=True).stdout
        tag = "" if "kernel" in elf else elf.rsplit("/", 1)[-1] + ":"
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[1] in "tTwW":
                syms.append((int(parts[0], 16), tag + parts[2]))
    syms.sort()
    return [s[0] for s in syms], [s[1] for s in syms]


def main():
    args = sys.argv[1:]
    top = 40
    if "--top" in args:
        i = args.index("--top")
        top = int(args[i + 1])
        del args[i:i + 2]
    small, big, ops, elfs = load(args[0]), load(args[1]), float(args[2]), args[3:]
    addrs, names = symbols(elfs)
    per = {}
    kernel = user = 0.0
    for a, c in big.items():
        d = (c - small.get(a, 0)) / ops
        if d == 0:
            continue
        i = bisect.bisect_right(addrs, a) - 1
        name = names[i] if i >= 0 else "?"
        if a >= 0xffffffc000000000:
            kernel += d
        else:
            user += d
            if i < 0 or ":" not in name:
                name = "user:?"
        per[name] = per.get(name, 0.0) + d
    print(f"# per operation: {kernel + user:,.0f} instructions, kernel {kernel:,.0f}, user {user:,.0f}")
    for name, d in sorted(per.items(), key=lambda kv: -kv[1])[:top]:
        print(f"{d:12,.1f}  {name}")


main()
