#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The course labs: make lab-start, make grade, and the CI check of make test.

  lab.py list                      the labs, in course order
  lab.py check                     markers well formed, every lab graded to 100, its tests exist
  lab.py start LAB [--dir D]       write LAB's starting tree (start.py)
  lab.py grade [LAB...]            grade LAB (default: the lab of this tree, else all)
  lab.py ci [--results FILE] [--keep] [LAB...]
                                   every stubbed tree builds, boots and scores < 100;
                                   this tree scores 100 on every lab (the stubbed trees
                                   in build/labs/ are removed unless they fail, or --keep)
"""
import argparse
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import grade  # noqa: E402
from labs import ROOT, check, find_lab, load_labs  # noqa: E402
from start import start  # noqa: E402


def this_lab(root):
    p = os.path.join(root, ".lab")
    if os.path.exists(p):
        with open(p) as fh:
            return fh.read().strip()
    return None


def cmd_list(args):
    for lab in load_labs():
        print("%02d %-10s %-58s %s" % (lab.num, lab.name, lab.title, lab.doc))


def cmd_check(args):
    problems = check()
    for p in problems:
        print("labs: " + p)
    if not problems:
        print("labs: %d labs, markers and grading tables in order" % len(load_labs()))
    return 1 if problems else 0


def cmd_start(args):
    if not args.lab:
        raise SystemExit("lab-start: which lab? make lab-start LAB=name (make labs lists them)")
    dest = start(args.lab, args.dir, share_build=args.share_build, git=not args.no_git,
                 force=args.force)
    if not args.quiet:
        lab = find_lab(load_labs(), args.lab)
        print("next: cd %s && make qemu   (read %s; make grade scores your work)" % (dest, lab.doc))


def grade_labs(root, labs, until_fail=False):
    items = [i for lab in labs for i in lab.items]
    t0 = time.monotonic()
    results = grade.run(root, items, until_fail=until_fail)
    scores = {}
    for lab in labs:
        scores[lab.name] = grade.report(lab, results)
    if len(labs) > 1:
        print("labs: %s (%.0f s)" % (", ".join("%s %d" % (n, s) for n, s in scores.items()),
                                    time.monotonic() - t0))
    return scores


def cmd_grade(args):
    labs = load_labs()
    names = [n for n in args.lab if n] or ([this_lab(ROOT)] if this_lab(ROOT) else [])
    chosen = [find_lab(labs, n) for n in names] if names else labs
    scores = grade_labs(ROOT, chosen)
    return 0 if all(s == 100 for s in scores.values()) else 1


def _make(cwd, args, log, timeout=1800):
    with open(log, "a") as fh:
        r = subprocess.run(["make", "--no-print-directory"] + args, cwd=cwd, stdout=fh,
                           stderr=subprocess.STDOUT, timeout=timeout)
    return r.returncode == 0


def _boots(tree, log):
    """The stubbed tree boots to user space: init runs /bin/true and the kernel
    powers off with its status, 0."""
    cmd = grade.qemu_command(tree, 2, "init=/bin/true")
    with open(log, "a") as fh:
        try:
            r = subprocess.run(cmd, cwd=tree, stdin=subprocess.DEVNULL, stdout=fh,
                               stderr=subprocess.STDOUT, timeout=120)
        except subprocess.TimeoutExpired:
            fh.write("*** boot timed out\n")
            return False
    return r.returncode == 0


def cmd_ci(args):
    """One RESULT line per check: labs-check, labs-stubbed (one per lab), labs-full."""
    passed = failed = 0
    lines = []

    def result(ok, what):
        nonlocal passed, failed
        print("%s %s" % ("ok  " if ok else "FAIL", what), flush=True)
        if ok:
            passed += 1
        else:
            failed += 1

    if this_lab(ROOT):
        print("labs: a lab tree (.lab): the CI check runs in the full tree only")
        return 0
    problems = check()
    for p in problems:
        print("labs: " + p)
    result(not problems, "markers and grading tables")
    labs = load_labs()
    chosen = [find_lab(labs, n) for n in args.lab] if args.lab else labs
    base = os.path.join(ROOT, "build", "labs")
    os.makedirs(base, exist_ok=True)
    for lab in chosen:
        t0 = time.monotonic()
        tree = os.path.join(base, lab.name)
        log = os.path.join(base, lab.name + ".log")
        if os.path.exists(log):
            os.unlink(log)
        start(lab.name, tree, share_build=True, git=False, force=True, log=lambda s: None)
        built = _make(tree, ["-s", "-j2", "all"], log)
        booted = built and _boots(tree, log)
        score = None
        if booted:
            results = grade.run(tree, lab.items, until_fail=True)
            score = sum(i.points for i in lab.items if results.get(i.key) and results[i.key].ok)
            failing = [i.label for i in lab.items if i.key in results and not results[i.key].ok]
            # Not yet run (after the first failure) counts as not earned.
            ok = bool(failing)
        else:
            ok = False
        if ok and not args.keep:
            shutil.rmtree(tree)	# ~80 MB each; a failing one stays to be looked at
        result(ok, "lab %s stubbed: builds %s, boots %s, %s (%.0f s; %s)" % (
            lab.name, "yes" if built else "NO", "yes" if booted else "NO",
            ("first failing test: %s" % failing[0]) if booted and failing else
            ("scores full marks: the stub solves the lab" if booted else "not graded"),
            time.monotonic() - t0, log))
    t0 = time.monotonic()
    scores = grade_labs(ROOT, chosen)
    for lab in chosen:
        result(scores[lab.name] == 100, "lab %s full tree: %d/100" % (lab.name, scores[lab.name]))
    print("labs: CI check %d passed, %d failed (full-tree grading %.0f s)"
          % (passed, failed, time.monotonic() - t0))
    if args.results:
        with open(args.results, "a") as fh:
            fh.write("RESULT labs %d %d\n" % (passed, failed))
    return 1 if failed else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("list").set_defaults(fn=cmd_list)
    sub.add_parser("check").set_defaults(fn=cmd_check)
    s = sub.add_parser("start")
    s.add_argument("lab", nargs="?")
    s.add_argument("--dir")
    s.add_argument("--share-build", action="store_true")
    s.add_argument("--no-git", action="store_true")
    s.add_argument("--force", action="store_true")
    s.add_argument("--quiet", action="store_true")
    s.set_defaults(fn=cmd_start)
    g = sub.add_parser("grade")
    g.add_argument("lab", nargs="*")
    g.set_defaults(fn=cmd_grade)
    c = sub.add_parser("ci")
    c.add_argument("lab", nargs="*")
    c.add_argument("--results")
    c.add_argument("--keep", action="store_true", help="keep every stubbed tree in build/labs/")
    c.set_defaults(fn=cmd_ci)
    args = ap.parse_args()
    sys.exit(args.fn(args) or 0)


if __name__ == "__main__":
    main()
