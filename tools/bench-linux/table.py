#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Side-by-side table of `BENCH name value unit` lines from runs of two kernels.

usage: table.py [--title T] [--noisy] --linux FILE... --ours FILE...

Each FILE is the console output of one run. A figure's value is the median over its runs;
when the runs disagree the cell shows the median and the spread ("1,234 ±5%"), so figures
that are not exact under -icount stand out. The ratio is ours/Linux of the medians; the
last column says which way is better for that unit (times lower, rates higher). Figures
missing on one side are listed with "-".

--noisy (figures taken by host time): ratios only, no absolute figures. The FILEs pair up
in order (run i of Linux with run i of ours, taken one after the other), and the table
gives the median of the per-pair ratios and their range.
"""
import statistics
import sys

# Units where a smaller figure is better; every other unit is a rate or a count.
LOWER_IS_BETTER = ("ns/op", "ns/roundtrip", "ps/byte")
# Units of figures that check the run rather than measure it (pipe_bytes: all data arrived).
CHECKS = ("bytes",)


def parse(path):
    figs = {}
    with open(path, errors="replace") as f:
        for line in f:
            words = line.split()
            if len(words) >= 4 and words[0] == "BENCH":
                try:
                    figs[words[1]] = (float(words[2]), words[3])
                except ValueError:
                    pass
    return figs


def collect(paths):
    runs = [parse(p) for p in paths]
    names, out = [], {}
    for r in runs:
        for name, (value, unit) in r.items():
            if name not in out:
                names.append(name)
                out[name] = ([], unit)
            out[name][0].append(value)
    return names, out


def fmt_value(v):
    if v == int(v):
        return f"{int(v):,}"
    return f"{v:,.3f}"


def cell(values):
    if not values:
        return "-"
    med = statistics.median(values)
    s = fmt_value(med)
    lo, hi = min(values), max(values)
    if hi != lo and med:
        pct = 100 * (hi - lo) / 2 / abs(med)
        s += f" ±{pct:.2f}%" if pct < 0.1 else f" ±{pct:.1f}%" if pct < 10 else f" ±{pct:.0f}%"
    return s


def pair_ratios(name, lruns, oruns):
    """ours/Linux of each interleaved pair of runs (run i of each side) that has the figure."""
    out = []
    for lr, orun in zip(lruns, oruns):
        if name in lr and name in orun and lr[name][0]:
            out.append(orun[name][0] / lr[name][0])
    return out


def print_rows(rows, left):
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for i, r in enumerate(rows):
        print("  ".join(c.ljust(w) if j in left else c.rjust(w)
                        for j, (c, w) in enumerate(zip(r, widths))).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))


def main(argv):
    title, noisy, side, files = None, False, None, {"linux": [], "ours": []}
    args = argv[1:]
    while args:
        a = args.pop(0)
        if a == "--title":
            title = args.pop(0)
        elif a == "--noisy":
            noisy = True
        elif a in ("--linux", "--ours"):
            side = a[2:]
        elif side:
            files[side].append(a)
        else:
            sys.exit(__doc__)
    lnames, linux = collect(files["linux"])
    onames, ours = collect(files["ours"])
    names = onames + [n for n in lnames if n not in ours]
    if title:
        print(title)
    if noisy:
        lruns = [parse(f) for f in files["linux"]]
        oruns = [parse(f) for f in files["ours"]]
        rows = [("figure", "unit", "ours/Linux", "per pair", "better")]
        for n in names:
            unit = (ours.get(n) or linux.get(n))[1]
            r = pair_ratios(n, lruns, oruns)
            med = f"{statistics.median(r):.2f} (noisy)" if r else "-"
            rng = f"{min(r):.2f}-{max(r):.2f}" if len(r) > 1 else "-"
            rows.append((n, unit, med, rng, better_of(unit)))
        print_rows(rows, (0, 1, 4))
        return
    rows = [("figure", "unit", "Linux", "ours", "ours/Linux", "better")]
    for n in names:
        lv = linux.get(n, ([], None))[0]
        ov = ours.get(n, ([], None))[0]
        unit = (ours.get(n) or linux.get(n))[1]
        ratio = "-"
        if lv and ov and statistics.median(lv):
            ratio = f"{statistics.median(ov) / statistics.median(lv):.2f}"
        rows.append((n, unit, cell(lv), cell(ov), ratio, better_of(unit)))
    print_rows(rows, (0, 1, 5))


def better_of(unit):
    return "lower" if unit in LOWER_IS_BETTER else "-" if unit in CHECKS else "higher"


if __name__ == "__main__":
    main(sys.argv)
