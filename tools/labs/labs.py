# SPDX-License-Identifier: MIT
"""The labs: their pages in docs/labs/, the graded tests each page lists, and
the regions of the source they own (markers.py).

A lab is docs/labs/NN-name.md. Its grading table is the list the grader
runs, so the page cannot drift from the grader: every row whose first cell
is a backquoted `KIND SPEC [key=value...]` and whose second cell is a number
of points is one graded test. KIND is one of

    ktest   suite:case            an in-kernel test (one boot for all of a lab's)
    user    case                  a usertests case (one boot for all of a lab's)
    pytest  path::test[param]     a QEMU or GDB pytest (tests/qemu, tests/gdb)
    host    build/host/bin:test   a cmocka host test (the binary is built first)

Options: cpus=N (ktest, user: default 2), timeout=S (seconds for that test).
The points of a lab add up to 100.
"""
import os
import re
import subprocess

from markers import MarkerError, parse, style_of

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LAB_DOC_RE = re.compile(r"^(\d\d)-([a-z][a-z0-9_-]*)\.md$")
ROW_RE = re.compile(r"^\|\s*`(?P<kind>ktest|user|pytest|host) (?P<spec>[^`]+)`\s*\|\s*(?P<pts>\d+)\s*\|"
                    r"(?P<rest>.*)$")
KINDS = ("ktest", "user", "pytest", "host")
DEFAULT_TIMEOUT = {"ktest": 120, "user": 120, "pytest": 300, "host": 300}


class Item:
    """One graded test of a lab."""

    def __init__(self, lab, kind, spec, points, what, opts):
        self.lab, self.kind, self.spec, self.points, self.what = lab, kind, spec, points, what
        self.opts = opts
        self.cpus = int(opts.get("cpus", 2))
        self.timeout = int(opts.get("timeout", DEFAULT_TIMEOUT[kind]))

    @property
    def key(self):
        """Identity across labs: the same test with the same options runs once."""
        return (self.kind, self.spec, self.cpus)

    @property
    def label(self):
        extra = " cpus=%d" % self.cpus if "cpus" in self.opts else ""
        return "%s %s%s" % (self.kind, self.spec, extra)


class Lab:
    def __init__(self, num, name, path):
        self.num, self.name, self.path = num, name, path
        self.title = name
        self.items = []

    @property
    def doc(self):
        return os.path.relpath(self.path, ROOT)


def parse_doc(lab, text):
    for line in text.split("\n"):
        if line.startswith("# ") and lab.title == lab.name:
            lab.title = line[2:].strip()
        m = ROW_RE.match(line.strip())
        if not m:
            continue
        words = m.group("spec").split()
        opts = {}
        for w in words[1:]:
            k, _, v = w.partition("=")
            if k not in ("cpus", "timeout") or not v.isdigit():
                raise ValueError("%s: bad option %r in `%s`" % (lab.doc, w, m.group("spec")))
            opts[k] = v
        what = m.group("rest").strip().strip("|").strip()
        lab.items.append(Item(lab.name, m.group("kind"), words[0], int(m.group("pts")), what, opts))


def load_labs(root=ROOT):
    d = os.path.join(root, "docs", "labs")
    labs = []
    for f in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        m = LAB_DOC_RE.match(f)
        if not m:
            continue
        lab = Lab(int(m.group(1)), m.group(2), os.path.join(d, f))
        with open(lab.path) as fh:
            parse_doc(lab, fh.read())
        labs.append(lab)
    return labs


def find_lab(labs, name):
    for lab in labs:
        if lab.name == name or "%02d" % lab.num == name or str(lab.num) == name:
            return lab
    raise KeyError("no lab %r (labs: %s)" % (name, ", ".join(l.name for l in labs)))


def source_files(root=ROOT):
    """The tree's files, relative paths: git's tracked and untracked-but-not-
    ignored files (so work not yet committed is included), else a walk."""
    try:
        out = subprocess.run(["git", "ls-files", "-z", "-co", "--exclude-standard"], cwd=root,
                             check=True, capture_output=True).stdout.decode()
        files = sorted(set(f for f in out.split("\0") if f and os.path.isfile(os.path.join(root, f))))
        if files:
            return files
    except (OSError, subprocess.CalledProcessError):
        pass
    files = []
    for dp, dns, fns in os.walk(root):
        dns[:] = [d for d in dns if d not in ("build", ".git", ".cache", "__pycache__",
                                              ".pytest_cache")]
        files += [os.path.relpath(os.path.join(dp, f), root) for f in fns]
    return sorted(files)


def all_regions(root=ROOT, files=None):
    """{path: [Region]} for every file that has a region."""
    out = {}
    for f in files if files is not None else source_files(root):
        if style_of(f) is None or f.startswith("tools/labs/"):
            continue	# docs and the lab tools themselves show markers as examples
        p = os.path.join(root, f)
        try:
            with open(p, encoding="utf-8") as fh:
                text = fh.read()
        except (UnicodeDecodeError, OSError):
            continue
        if "LAB(" not in text:
            continue
        regions = parse(f, text)
        if regions:
            out[f] = regions
    return out


# ---- checks -------------------------------------------------------------------------------

def _grep(root, paths, pattern):
    rx = re.compile(pattern)
    for sub in paths:
        base = os.path.join(root, sub)
        for dp, _, fns in os.walk(base):
            for f in fns:
                if not f.endswith((".c", ".py", ".mk")):
                    continue
                try:
                    with open(os.path.join(dp, f), encoding="utf-8") as fh:
                        if rx.search(fh.read()):
                            return True
                except (UnicodeDecodeError, OSError):
                    pass
    return False


def item_exists(root, item):
    """Whether the test an item names is in the tree (a typo must not grade 0)."""
    if item.kind == "ktest":
        suite, _, case = item.spec.partition(":")
        return bool(case) and _grep(root, ["kernel", "arch"],
                                    r"KTEST\(\s*%s\s*,\s*%s\s*\)" % (re.escape(suite), re.escape(case)))
    if item.kind == "user":
        return _grep(root, ["user/tests"], r"UT_CASE\(\s*%s\s*," % re.escape(item.spec))
    if item.kind == "pytest":
        path, _, name = item.spec.partition("::")
        name = name.split("[", 1)[0]
        p = os.path.join(root, path)
        if not name or not os.path.isfile(p):
            return False
        with open(p) as fh:
            return re.search(r"^def %s\(" % re.escape(name), fh.read(), re.M) is not None
    if item.kind == "host":
        binary, _, test = item.spec.partition(":")
        if not test or not binary.startswith("build/host/"):
            return False
        target = "$(B)/host/" + binary[len("build/host/"):]
        return (_grep(root, ["tests/unit"], re.escape(target) + r"\s*:")
                and _grep(root, ["tests/unit"], r"\b%s\b" % re.escape(test)))
    return False


def check(root=ROOT):
    """Problems with the labs of this tree, as a list of strings (empty: fine)."""
    problems = []
    try:
        labs = load_labs(root)
    except ValueError as e:
        return [str(e)]
    if not labs:
        return ["no labs in docs/labs/"]
    try:
        regions = all_regions(root)
    except MarkerError as e:
        return [str(e)]
    names = {l.name for l in labs}
    per_lab = {n: 0 for n in names}
    for path, rs in regions.items():
        for r in rs:
            if r.lab not in names:
                problems.append("%s:%d: region of unknown lab %r" % (path, r.begin + 1, r.lab))
            else:
                per_lab[r.lab] += 1
    for lab in labs:
        if not per_lab.get(lab.name):
            problems.append("lab %s: no region in the source" % lab.name)
        total = sum(i.points for i in lab.items)
        if total != 100:
            problems.append("lab %s: points add up to %d, not 100 (%s)" % (lab.name, total, lab.doc))
        seen = set()
        for i in lab.items:
            if i.key in seen:
                problems.append("lab %s: %s listed twice" % (lab.name, i.label))
            seen.add(i.key)
            if not item_exists(root, i):
                problems.append("lab %s: no such test: %s" % (lab.name, i.label))
    return problems
