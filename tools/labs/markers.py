# SPDX-License-Identifier: MIT
"""Lab solution regions in the source, and the stubbed copy of a file.

A region is marked with one comment at its start and one at its end, naming
the lab; the start carries the stub that replaces the region in that lab's
starting tree (docs/labs/README.md has the syntax with examples):

    /* LAB(name) BEGIN stub: return -ENOSYS; */        C, headers, assembly
    /* LAB(name) BEGIN stub:
     * void *copy = page_alloc();                       a stub of several
     * if (!copy)                                       lines: each after
     * 	return -ENOMEM;                                 " * " (tabs kept)
     */
    ...the solution...
    /* LAB(name) END */

    # LAB(name) BEGIN stub: return []                   Python, shell, make
    #| more stub lines, each after "#| "
    ...
    # LAB(name) END

A BEGIN without "stub:" removes the region. The stub is indented like the
BEGIN comment. clang-format leaves all of this alone: the markers are
comments and the stub is comment text.
"""
import re

NAME = r"[a-z][a-z0-9_-]*"
C_BEGIN = re.compile(r"^(?P<ind>[ \t]*)/\* LAB\((?P<lab>" + NAME + r")\) BEGIN(?P<rest>.*)$")
C_END = re.compile(r"^[ \t]*/\* LAB\((?P<lab>" + NAME + r")\) END \*/[ \t]*$")
PY_BEGIN = re.compile(r"^(?P<ind>[ \t]*)# LAB\((?P<lab>" + NAME + r")\) BEGIN(?P<rest>.*)$")
PY_CONT = re.compile(r"^[ \t]*#\|(?: (?P<text>.*))?$")
PY_END = re.compile(r"^[ \t]*# LAB\((?P<lab>" + NAME + r")\) END[ \t]*$")
ANY = re.compile(r"LAB\((" + NAME + r")\) (BEGIN|END)")

# Files that may hold regions, by suffix or name, and their comment style.
C_SUFFIXES = (".c", ".h", ".S", ".ld")
PY_SUFFIXES = (".py", ".sh", ".mk", ".gdb")
PY_NAMES = ("Makefile",)


class MarkerError(Exception):
    pass


class Region:
    """Lines [begin, end] (0-based, inclusive) of a file: the BEGIN comment
    (begin .. body - 1), the solution (body .. end - 1) and the END line."""

    def __init__(self, path, lab, begin, body, end, indent, stub, style):
        self.path, self.lab = path, lab
        self.begin, self.body, self.end = begin, body, end
        self.indent, self.stub, self.style = indent, stub, style

    @property
    def solution_lines(self):
        return self.end - self.body


def style_of(path):
    base = path.rsplit("/", 1)[-1]
    if base.endswith(C_SUFFIXES):
        return "c"
    if base.endswith(PY_SUFFIXES) or base in PY_NAMES:
        return "py"
    return None


def _stub_after(rest):
    """The text after "stub:" of a BEGIN line's tail, or None (no stub)."""
    rest = rest.strip()
    if not rest or rest in ("*/",) or rest.startswith(":"):
        return None	# no stub, or a region already stubbed by lab-start
    if not rest.startswith("stub:"):
        raise MarkerError("expected 'stub:' or the end of the comment after BEGIN, got %r" % rest)
    return rest[len("stub:"):]


def _parse_c_begin(path, lines, i, m):
    """(stub lines or None, index of the first body line) of a C BEGIN at i."""
    rest = m.group("rest")
    closed = rest.rstrip().endswith("*/")
    if closed:
        rest = rest.rstrip()[:-2]
    stub = _stub_after(rest)
    if stub is None and not closed and rest.strip() and not rest.strip().startswith(":"):
        raise MarkerError("%s:%d: bad BEGIN comment" % (path, i + 1))
    out = [] if stub is None else ([stub.strip()] if stub.strip() else [])
    j = i + 1
    if not closed:
        if stub is None:
            raise MarkerError("%s:%d: a BEGIN without a stub must close on its line" % (path, i + 1))
        while True:
            if j >= len(lines):
                raise MarkerError("%s:%d: BEGIN comment never closed" % (path, i + 1))
            line = lines[j]
            if line.strip() == "*/":
                j += 1
                break
            cm = re.match(r"^[ \t]*\*(?: (?P<text>.*))?$", line)
            if not cm or "*/" in line:
                raise MarkerError("%s:%d: stub lines go after ' * ', and '*/' on its own line"
                                  % (path, j + 1))
            out.append(cm.group("text") or "")
            j += 1
    return (out if stub is not None else None), j


def _parse_py_begin(path, lines, i, m):
    stub = _stub_after(m.group("rest"))
    out = None if stub is None else ([stub.strip()] if stub.strip() else [])
    j = i + 1
    while j < len(lines) and PY_CONT.match(lines[j]):
        if out is None:
            raise MarkerError("%s:%d: '#|' stub lines after a BEGIN without stub:" % (path, j + 1))
        out.append(PY_CONT.match(lines[j]).group("text") or "")
        j += 1
    return out, j


def parse(path, text):
    """Every region of one file, in order. Raises MarkerError on a malformed,
    unbalanced or nested marker."""
    style = style_of(path)
    lines = text.split("\n")
    regions = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not ANY.search(line):
            i += 1
            continue
        if style is None:
            raise MarkerError("%s:%d: lab marker in a file of unknown comment style" % (path, i + 1))
        begin_re, end_re = (C_BEGIN, C_END) if style == "c" else (PY_BEGIN, PY_END)
        m = begin_re.match(line)
        if not m:
            raise MarkerError("%s:%d: unexpected lab marker: %s" % (path, i + 1, line.strip()))
        lab = m.group("lab")
        parse_begin = _parse_c_begin if style == "c" else _parse_py_begin
        try:
            stub, body = parse_begin(path, lines, i, m)
        except MarkerError as e:
            if str(e).startswith(path):
                raise
            raise MarkerError("%s:%d: %s" % (path, i + 1, e))
        j = body
        while j < len(lines) and not ANY.search(lines[j]):
            j += 1
        if j == len(lines):
            raise MarkerError("%s:%d: LAB(%s) BEGIN without END" % (path, i + 1, lab))
        em = end_re.match(lines[j])
        if not em or em.group("lab") != lab:
            raise MarkerError("%s:%d: LAB(%s) BEGIN at line %d needs its END before: %s"
                              % (path, j + 1, lab, i + 1, lines[j].strip()))
        regions.append(Region(path, lab, i, body, j, m.group("ind"), stub, style))
        i = j + 1
    return regions


def stubbed(text, regions, lab, doc):
    """The text with every region of @lab replaced by its stub, between
    markers that say so."""
    lines = text.split("\n")
    out = []
    pos = 0
    for r in regions:
        if r.lab != lab:
            continue
        out.extend(lines[pos:r.begin])
        ind = r.indent
        if r.style == "c":
            out.append("%s/* LAB(%s) BEGIN: your code, %s; a stub until then */" % (ind, lab, doc))
        else:
            out.append("%s# LAB(%s) BEGIN: your code, %s; a stub until then" % (ind, lab, doc))
        for s in r.stub or []:
            out.append(ind + s if s else "")
        out.append(lines[r.end])
        pos = r.end + 1
    out.extend(lines[pos:])
    return "\n".join(out)
