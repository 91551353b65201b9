#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The modules to load for a set of wanted ones, in load order, from depmod's output.

usage: modorder.py MODDIR NAME...   (MODDIR = lib/modules/<release> with modules.dep)

Prints one path a line, relative to MODDIR, every module after the ones it needs: its
modules.dep dependencies and its modules.softdep `pre:` ones (names or aliases, resolved
through modules.alias, as modprobe does; `post:` ones follow it). Built-in modules
(modules.builtin) are left out. Exits 1 naming any module it cannot find.
"""
import os
import sys


def modname(path):
    base = os.path.basename(path)
    base = base.split(".ko")[0]
    return base.replace("-", "_")


def read_lines(path):
    try:
        with open(path) as f:
            return [ln.strip() for ln in f if ln.strip() and not ln.startswith("#")]
    except FileNotFoundError:
        return []


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    moddir, wanted = argv[1], argv[2:]
    path_of, deps = {}, {}
    for ln in read_lines(os.path.join(moddir, "modules.dep")):
        mod, _, rest = ln.partition(":")
        name = modname(mod)
        path_of[name] = mod
        deps[name] = [modname(d) for d in rest.split()]
    pre, post = {}, {}
    for ln in read_lines(os.path.join(moddir, "modules.softdep")):
        words = ln.split()
        if len(words) < 2 or words[0] != "softdep":
            continue
        name, into = modname(words[1]), None
        for w in words[2:]:
            if w in ("pre:", "post:"):
                into = pre if w == "pre:" else post
            elif into is not None:
                into.setdefault(name, []).append(w)
    alias = {}
    for ln in read_lines(os.path.join(moddir, "modules.alias")):
        words = ln.split()
        if len(words) == 3 and words[0] == "alias":
            alias.setdefault(words[1], []).append(modname(words[2]))
    builtin = {modname(p) for p in read_lines(os.path.join(moddir, "modules.builtin"))}

    def resolve(word):
        name = modname(word)
        if name in path_of or name in builtin:
            return [name]
        return sorted(set(alias.get(word, [])))

    order, seen, missing = [], set(), []

    def visit(name):
        if name in seen:
            return
        seen.add(name)
        if name in builtin:
            return
        if name not in path_of:
            missing.append(name)
            return
        for s in pre.get(name, []):
            for m in resolve(s) or [s]:
                visit(m)
        for d in deps[name]:
            visit(d)
        order.append(name)
        for s in post.get(name, []):
            for m in resolve(s) or [s]:
                visit(m)

    for w in wanted:
        for m in resolve(w) or [w]:
            visit(m)
    if missing:
        sys.exit("modorder: not found: " + " ".join(missing))
    for name in order:
        print(path_of[name])


if __name__ == "__main__":
    main(sys.argv)
