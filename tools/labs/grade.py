# SPDX-License-Identifier: MIT
"""`make grade`: run the graded tests of one lab or of all, print each test
with its points, pass or FAIL and time, then `score: N/100` per lab.

Tests of one kind share runs: a lab's ktests boot once (ktest=a:b,c:d), its
usertests cases boot once (init=/bin/usertests a b), its pytests run in one
pytest, a host binary runs once. A boot that ends before reporting every test
it was given (a hang, a panic) is retried one test per boot, so a stub that
hangs in one test costs only that test. Logs: build/grade/.
"""
import os
import queue
import re
import shlex
import subprocess
import threading
import time
import xml.etree.ElementTree as ET

from labs import ROOT

CONSOLE = "-display none -monitor none -serial stdio"
RESULT_RE = re.compile(r"^(?P<not>not )?ok \d+ (?P<name>\S+)\s*$")


class Result:
    def __init__(self, ok, secs, note=""):
        self.ok, self.secs, self.note = ok, secs, note


def _logdir(root):
    d = os.path.join(root, "build", "grade")
    os.makedirs(d, exist_ok=True)
    return d


def qemu_command(root, cpus, append):
    out = subprocess.run(["make", "-s", "--no-print-directory", "qemu-cmd", "CPUS=%d" % cpus,
                          "QEMU_CONSOLE=" + CONSOLE, "APPEND=" + append],
                         cwd=root, check=True, capture_output=True, text=True).stdout
    return shlex.split(out.strip().splitlines()[-1])


def _run_lines(cmd, root, timeout, logpath, env=None):
    """Run cmd; yield (time, line) as lines arrive, then ("exit", status or
    None on a timeout). The log gets everything."""
    p = subprocess.Popen(cmd, cwd=root, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, env=env)
    q = queue.Queue()

    def reader():
        for raw in iter(p.stdout.readline, b""):
            q.put((time.monotonic(), raw.decode(errors="replace").rstrip("\r\n")))
        q.put(None)

    threading.Thread(target=reader, daemon=True).start()
    deadline = time.monotonic() + timeout
    with open(logpath, "a") as log:
        log.write("$ %s\n" % " ".join(shlex.quote(c) for c in cmd))
        while True:
            left = deadline - time.monotonic()
            try:
                ev = q.get(timeout=max(0.05, left))
            except queue.Empty:
                ev = "timeout"
            if ev == "timeout" or (left <= 0 and ev is not None):
                p.kill()
                p.wait()
                log.write("*** timed out after %d s\n" % timeout)
                yield ("exit", None)
                return
            if ev is None:
                break
            log.write(ev[1] + "\n")
            yield ev
    yield ("exit", p.wait())


def _boot_batch(root, items, append_of, timeout, logpath):
    """Boot once for items (same cpus); {item.key: Result} for those reported."""
    names = {i.spec: i for i in items}
    got = {}
    t0 = last = time.monotonic()
    cmd = qemu_command(root, items[0].cpus, append_of([i.spec for i in items]))
    status = None
    for ev in _run_lines(cmd, root, timeout, logpath):
        if ev[0] == "exit":
            status = ev[1]
            break
        now, line = ev
        m = RESULT_RE.match(line.strip())
        if m and m.group("name") in names and names[m.group("name")].key not in got:
            got[names[m.group("name")].key] = Result(not m.group("not"), now - last)
            last = now
        elif line.startswith(("ktest: running", "usertests")) and not got:
            last = now
    return got, status, time.monotonic() - t0


def _run_boots(root, items, append_of, kind, log_name):
    """Every item of one boot kind, batched by cpus, retried alone on a lost batch."""
    results = {}
    logpath = os.path.join(_logdir(root), log_name)
    by_cpus = {}
    for i in items:
        by_cpus.setdefault(i.cpus, []).append(i)
    batches = []
    for cpus, group in sorted(by_cpus.items()):
        # The kernel keeps 511 bytes of a ktest= list (and 1,023 of the command line).
        cur = []
        for i in group:
            if cur and len(append_of([j.spec for j in cur + [i]])) > 500:
                batches.append(cur)
                cur = []
            cur.append(i)
        batches.append(cur)
    for group in batches:
        timeout = 60 + sum(i.timeout for i in group)
        got, status, secs = _boot_batch(root, group, append_of, timeout, logpath)
        results.update(got)
        missing = [i for i in group if i.key not in got]
        if not missing:
            continue
        why = "timed out" if status is None else "exit status %s" % status
        if len(group) > 1:
            for i in missing:	# one per boot: a hang costs only its own test
                got1, status1, secs1 = _boot_batch(root, [i], append_of, 60 + i.timeout, logpath)
                if i.key in got1:
                    results[i.key] = got1[i.key]
                else:
                    results[i.key] = Result(False, secs1, "not reported (%s)" % (
                        "timed out" if status1 is None else "exit status %s" % status1))
        else:
            results[missing[0].key] = Result(False, secs, "not reported (%s)" % why)
    return results


def run_ktests(root, items):
    return _run_boots(root, items, lambda specs: "ktest=" + ",".join(specs), "ktest",
                      "ktest.log")


def run_usertests(root, items):
    return _run_boots(root, items, lambda specs: "init=/bin/usertests " + " ".join(specs),
                      "user", "usertests.log")


def run_pytests(root, items):
    d = _logdir(root)
    xml = os.path.join(d, "pytest.xml")
    if os.path.exists(xml):
        os.unlink(xml)
    cmd = ["/usr/bin/python3", "-m", "pytest", "-q", "-p", "no:cacheprovider",
           "--junitxml=" + xml] + [i.spec for i in items]
    timeout = 60 + sum(i.timeout for i in items)
    status = None
    for ev in _run_lines(cmd, root, timeout, os.path.join(d, "pytest.log")):
        if ev[0] == "exit":
            status = ev[1]
    results = {}
    cases = {}
    if os.path.exists(xml):
        for tc in ET.parse(xml).getroot().iter("testcase"):
            path = tc.get("classname", "").replace(".", "/") + ".py"
            bad = any(c.tag in ("failure", "error", "skipped") for c in tc)
            cases[path + "::" + tc.get("name", "")] = Result(not bad, float(tc.get("time", 0)))
    for i in items:
        r = cases.get(i.spec)
        results[i.key] = r or Result(False, 0.0, "not run (pytest %s)" % (
            "timed out" if status is None else "exit status %s" % status))
    return results


CMOCKA_RE = re.compile(r"^\[\s*(?P<what>RUN|OK|FAILED|ERROR)\s*\] (?P<name>\S+)\s*$")


def run_host(root, items):
    d = _logdir(root)
    results = {}
    by_bin = {}
    for i in items:
        by_bin.setdefault(i.spec.partition(":")[0], []).append(i)
    for binary, group in sorted(by_bin.items()):
        logpath = os.path.join(d, os.path.basename(binary) + ".log")
        b = subprocess.run(["make", "-s", "--no-print-directory", binary], cwd=root,
                           capture_output=True, text=True)
        with open(logpath, "a") as log:
            log.write(b.stdout + b.stderr)
        if b.returncode != 0:
            for i in group:
                results[i.key] = Result(False, 0.0, "does not build (%s)" % logpath)
            continue
        env = dict(os.environ, CMOCKA_MESSAGE_OUTPUT="stdout")
        started, got = {}, {}
        timeout = 60 + sum(i.timeout for i in group)
        for ev in _run_lines([os.path.join(root, binary)], root, timeout, logpath, env):
            if ev[0] == "exit":
                break
            m = CMOCKA_RE.match(ev[1].strip())
            if not m:
                continue
            if m.group("what") == "RUN":
                started[m.group("name")] = ev[0]
            else:
                got[m.group("name")] = Result(m.group("what") == "OK",
                                              ev[0] - started.get(m.group("name"), ev[0]))
        for i in group:
            test = i.spec.partition(":")[2]
            results[i.key] = got.get(test) or Result(False, 0.0, "not reported (crash?)")
    return results


RUNNERS = {"ktest": run_ktests, "user": run_usertests, "pytest": run_pytests, "host": run_host}


def run(root, items, until_fail=False):
    """{item.key: Result}. Kinds run in the order they first appear; with
    until_fail, stop after the first run that has a failure."""
    order, by_kind, seen = [], {}, set()
    for i in items:
        if i.key in seen:
            continue
        seen.add(i.key)
        if i.kind not in by_kind:
            order.append(i.kind)
            by_kind[i.kind] = []
        by_kind[i.kind].append(i)
    results = {}
    for kind in order:
        group = by_kind[kind]
        if until_fail:
            for i in group:	# one at a time: stop at the first failure
                results.update(RUNNERS[kind](root, [i]))
                if not results[i.key].ok:
                    return results
        else:
            results.update(RUNNERS[kind](root, group))
    return results


def report(lab, results, out=print):
    """Print the lab's table; return its score."""
    out("lab %s: %s (%s)" % (lab.name, lab.title, lab.doc))
    score = 0
    w = max(len(i.label) for i in lab.items)
    for i in lab.items:
        r = results.get(i.key)
        if r is None:
            out("  %-*s %3s/%-3d %-4s" % (w, i.label, "-", i.points, "skip"))
            continue
        pts = i.points if r.ok else 0
        score += pts
        out("  %-*s %3d/%-3d %-4s %6.1f s%s" % (w, i.label, pts, i.points, "pass" if r.ok else "FAIL",
                                              r.secs, "  " + r.note if r.note else ""))
    out("score: %d/100" % score)
    return score
