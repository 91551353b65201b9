# SPDX-License-Identifier: MIT
"""Crash consistency (issue 16): QEMU is SIGKILLed at a random moment of /bin/crashload's
write / rename / unlink / fsync workload on a second ext2 disk (1 KiB blocks, so files reach
their indirect blocks). The disk QEMU leaves behind must need only what `e2fsck -p` repairs on
its own (exit 0 or 1), be clean for `e2fsck -fn` after that, and hold every file the workload
said was fsync'd ("FSYNCED name crc size") with exactly those bytes (read with debugfs).

A kill is seeded: seed s picks the workload's seed and the delay of the kill, so a failing
case reruns alone with CRASH_SEEDS=s. `make test` runs CRASH_N kills (24); the long run is
`make test-crash N=200` (this file run as a script, figures printed at the end)."""
import os
import random
import re
import shlex
import signal
import subprocess
import sys
import time
import zlib

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONSOLE = "-display none -monitor none -serial stdio"


def qemu_base():
    out = subprocess.run(["make", "-s", "--no-print-directory", "qemu-cmd", "CPUS=1",
                          f"QEMU_CONSOLE={CONSOLE}", "APPEND=", "QEMU_DISKS=", "QEMU_INITRD="],
                         cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return shlex.split(out.strip())


def drive(path, name, extra=""):
    return ["-drive", f"file={path},if=none,format=raw,id={name}{extra}",
            "-device", f"virtio-blk-device,drive={name}"]


# ext3 (ext2 with a JBD2 log): the kernel commits each sync as one transaction. CRASH_FS=ext2
# runs the same kills on a disk without a log (the ordered write-back, osync.c).
FSTYPE = os.environ.get("CRASH_FS", "ext3")


def make_disk(path):
    subprocess.run(["mke2fs", "-q", "-F", "-t", FSTYPE, "-b", "1024", str(path), "8M"],
                   check=True, capture_output=True)


class Expect:
    """What each durable name may hold: the fsync'd state, plus any change begun since."""

    def __init__(self):
        self.ok = {}        # name -> set of (crc, size) or None (absent)
        self.fsynced = 0

    def line(self, ln):
        w = ln.split()
        if len(w) == 4 and w[0] in ("PENDING", "FSYNCED"):
            v = (int(w[2], 16), int(w[3]))
        elif len(w) == 2 and w[0] in ("PENDINGDEL", "DELETED"):
            v = None
        else:
            return
        name = w[1]
        if w[0].startswith("PENDING"):
            self.ok.setdefault(name, {None}).add(v)
        else:
            self.ok[name] = {v}
            self.fsynced += 1


def debugfs_cat(img, name):
    p = subprocess.run(["debugfs", "-R", f"cat /{name}", str(img)], capture_output=True)
    err = p.stderr.decode(errors="replace")
    if "File not found" in err or "not found by ext2_lookup" in err:
        return None
    return p.stdout


def one_kill(base, seed, workdir):
    """One kill; returns a dict of what happened (raises nothing for a bad disk)."""
    rnd = random.Random(seed)
    img = os.path.join(workdir, f"crash-{seed}.img")
    make_disk(img)
    delay = rnd.uniform(0.0, 1.5)
    # Odd seeds run two workload processes, so syncs overlap (a commit waits for another).
    procs = 2 if seed % 2 else 1
    cmd = base + ["-append", f"init=/bin/crashload vdb {seed} 0 {procs}"] + \
        drive(os.path.join(ROOT, "build", "fs.img"), "vda", ",snapshot=on") + drive(img, "vdb")
    p = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    out = b""
    started = None
    deadline = time.monotonic() + 60
    os.set_blocking(p.stdout.fileno(), False)
    while time.monotonic() < deadline:
        try:
            chunk = p.stdout.read()
        except BlockingIOError:
            chunk = None
        if chunk:
            out += chunk
        if started is None and b"crashload: start" in out:
            started = time.monotonic()
        if started is not None and time.monotonic() - started >= delay:
            break
        if p.poll() is not None:
            break
        time.sleep(0.002)
    p.send_signal(signal.SIGKILL)
    p.wait()
    rest = p.stdout.read()
    if rest:
        out += rest
    p.stdout.close()
    text = out.decode(errors="replace")
    lines = text.split("\n")[:-1]   # the last, unterminated line may be cut by the kill
    exp = Expect()
    for ln in lines:
        exp.line(ln.strip())
    res = {"seed": seed, "delay": delay, "started": started is not None,
           "fsynced": exp.fsynced, "panic": "panic" in text.lower(), "log": text[-1500:]}
    pre = subprocess.run(["e2fsck", "-p", img], capture_output=True, text=True)
    res["preen_rc"] = pre.returncode
    res["preen_out"] = pre.stdout + pre.stderr
    chk = subprocess.run(["e2fsck", "-fn", img], capture_output=True, text=True)
    res["fn_rc"] = chk.returncode
    res["fn_out"] = chk.stdout[-1500:]
    lost = []
    for name, allowed in sorted(exp.ok.items()):
        data = debugfs_cat(img, name)
        got = None if data is None else (zlib.crc32(data), len(data))
        if got not in allowed:
            lost.append((name, got, sorted(allowed, key=str)))
    res["lost"] = lost
    keep = os.environ.get("CRASH_KEEP")
    if keep and (lost or res["preen_rc"] not in (0, 1) or res["fn_rc"]):
        os.replace(img, os.path.join(keep, f"crash-{seed}.img"))
        with open(os.path.join(keep, f"crash-{seed}.log"), "w") as f:
            f.write(text)
    else:
        os.unlink(img)
    return res


def needs_repair(r):
    """Did e2fsck -p fix anything beyond the state flag of a disk in use (every kill)?"""
    lines = [ln for ln in r["preen_out"].splitlines() if ln.strip()]
    noise = ("was not cleanly unmounted", "files (", "e2fsck ", "recovering journal",
             "clean,")
    return any(not any(n in ln for n in noise) for ln in lines)


def verdict(r):
    """None if the kill was survived, else why not."""
    if not r["started"]:
        return "workload never started:\n" + r["log"]
    if r["panic"]:
        return "kernel panic:\n" + r["log"]
    if r["preen_rc"] not in (0, 1):
        return f"e2fsck -p exit {r['preen_rc']}:\n{r['preen_out']}"
    if r["fn_rc"] != 0:
        return f"e2fsck -fn after -p exit {r['fn_rc']}:\n{r['fn_out']}"
    if r["lost"]:
        return f"fsync'd data lost: {r['lost']}\n{r['preen_out']}"
    return None


def seeds():
    env = os.environ.get("CRASH_SEEDS")
    if env:
        return [int(s) for s in env.split(",")]
    return list(range(1, int(os.environ.get("CRASH_N", "24")) + 1))


@pytest.fixture(scope="module")
def base():
    assert os.path.exists(os.path.join(ROOT, "build", "fs.img")), "run make first"
    return qemu_base()


@pytest.mark.parametrize("seed", seeds())
def test_kill_during_fs_workload_leaves_a_repairable_disk(base, tmp_path, seed):
    r = one_kill(base, seed, str(tmp_path))
    why = verdict(r)
    assert why is None, f"seed {seed} (kill {r['delay']:.3f}s after start): {why}"


def main(n, first):
    import tempfile
    b = qemu_base()
    tried = repaired = lost_runs = lost_files = failed = fsynced = replayed = 0
    with tempfile.TemporaryDirectory() as d:
        for seed in range(first, first + n):
            r = one_kill(b, seed, d)
            why = verdict(r)
            tried += 1
            fsynced += r["fsynced"]
            repaired += needs_repair(r)
            replayed += "recovering journal" in r["preen_out"]
            lost_files += len(r["lost"])
            lost_runs += bool(r["lost"])
            if why:
                failed += 1
                print(f"FAIL seed {seed} (kill at {r['delay']:.3f}s): {why}", flush=True)
            else:
                print(f"ok seed {seed}: kill at {r['delay']:.3f}s, {r['fsynced']} fsyncs, "
                      f"e2fsck -p exit {r['preen_rc']}"
                      + (": " + " | ".join(r["preen_out"].split("\n")[:4]) if needs_repair(r)
                         else ""), flush=True)
    print(f"CRASH fs={FSTYPE} kills={tried} survived={tried - failed} journal_replays={replayed} "
          f"repairs_needed={repaired} "
          f"fsyncs_checked={fsynced} data_lost_files={lost_files} runs_with_loss={lost_runs}")
    return 1 if failed else 0


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    first = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    sys.exit(main(n, first))
