# SPDX-License-Identifier: MIT
"""`make lab-start LAB=name`: write the lab's starting tree.

A copy of this tree in which the lab's regions are replaced by their stubs
(markers.py): everything else, the other labs' solutions included, is the
tested tree itself. The copy is a git repository with one commit, so a
student sees their own work with `git diff`. `.lab` names the lab, so that
`make grade` there grades it.

With share_build (the CI check) the copy also gets this tree's build/,
every file with its time stamp, and the copied sources keep theirs: make then
rebuilds only what the stubbed files feed (a few objects and the links).
"""
import os
import shutil
import subprocess

from labs import ROOT, all_regions, find_lab, load_labs, source_files
from markers import stubbed


def _inside(path, parent):
    path, parent = os.path.realpath(path), os.path.realpath(parent)
    return path == parent or path.startswith(parent + os.sep)


def default_dir(lab, root=ROOT):
    return os.path.join(os.path.dirname(root), "%s-lab-%s" % (os.path.basename(root), lab.name))


def _copy_build(root, dest):
    src = os.path.join(root, "build")
    if not os.path.isdir(src):
        return
    os.makedirs(os.path.join(dest, "build"), exist_ok=True)
    for e in sorted(os.listdir(src)):
        if e in ("labs", "grade") or e.endswith(".log") or e.startswith("pytest-"):
            continue
        # cp keeps sparse images sparse and every time stamp as it was.
        subprocess.run(["cp", "-a", "--sparse=always", os.path.join(src, e),
                        os.path.join(dest, "build", e)], check=True)


def start(name, dest=None, share_build=False, git=True, force=False, root=ROOT, log=print):
    labs = load_labs(root)
    lab = find_lab(labs, name)
    dest = os.path.abspath(dest or default_dir(lab, root))
    build = os.path.join(root, "build")
    if _inside(dest, root) and not _inside(dest, build):
        raise SystemExit("lab-start: %s is inside the source tree; pick a directory outside it "
                         "(LABDIR=...)" % dest)
    if os.path.exists(dest):
        if not force:
            raise SystemExit("lab-start: %s exists; remove it first (or set LABDIR)" % dest)
        shutil.rmtree(dest)
    files = source_files(root)
    regions = all_regions(root, files)
    mine = {p: rs for p, rs in regions.items() if any(r.lab == lab.name for r in rs)}
    os.makedirs(dest)
    for f in files:
        s, d = os.path.join(root, f), os.path.join(dest, f)
        os.makedirs(os.path.dirname(d), exist_ok=True)
        if os.path.islink(s):
            os.symlink(os.readlink(s), d)
            continue
        shutil.copy2(s, d)
    nlines = 0
    where = []
    for f, rs in sorted(mine.items()):
        with open(os.path.join(root, f), encoding="utf-8") as fh:
            text = fh.read()
        out = stubbed(text, rs, lab.name, lab.doc)
        d = os.path.join(dest, f)
        mode = os.stat(d).st_mode
        with open(d, "w", encoding="utf-8") as fh:
            fh.write(out)
        os.chmod(d, mode)
        where += ["%s:%d" % (f, n + 1) for n, line in enumerate(out.split("\n"))
                  if "LAB(%s) BEGIN:" % lab.name in line]
        nlines += sum(r.solution_lines for r in rs if r.lab == lab.name)
    # A stubbed syscall leaves the generated table stale: regenerate it.
    gen = os.path.join(dest, "tools", "gen-syscall-table.sh")
    table = os.path.join(dest, "docs", "syscalls.md")
    if os.path.exists(gen) and os.path.exists(table):
        new = subprocess.run([gen], cwd=dest, capture_output=True, text=True)
        if new.returncode == 0:
            with open(table) as fh:
                old = fh.read()
            if new.stdout != old:
                with open(table, "w") as fh:
                    fh.write(new.stdout)
    with open(os.path.join(dest, ".lab"), "w") as fh:
        fh.write(lab.name + "\n")
    cache = os.path.join(root, ".cache")
    if os.path.isdir(cache) and not os.path.exists(os.path.join(dest, ".cache")):
        os.symlink(cache, os.path.join(dest, ".cache"))	# fetched packages, shared
    if share_build:
        _copy_build(root, dest)
    if git and not _inside(dest, build):
        ident = ["-c", "user.name=lab-start", "-c", "user.email=lab-start@localhost"]
        subprocess.run(["git", "init", "-q", dest], check=True)
        subprocess.run(["git", "add", "-A"], cwd=dest, check=True)
        subprocess.run(["git"] + ident + ["commit", "-q", "-m",
                        "lab %s: the starting tree (make lab-start)" % lab.name],
                       cwd=dest, check=True)
    log("lab %s (%s): %d region(s) in %d file(s), %d line(s) to write, stubbed in %s"
        % (lab.name, lab.title, sum(1 for rs in mine.values() for r in rs if r.lab == lab.name),
           len(mine), nlines, dest))
    for w in where:
        log("  " + w)
    return dest
