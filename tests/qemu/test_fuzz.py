# SPDX-License-Identifier: MIT
"""The syscall fuzzer (user/fuzz/, issue 16): a short campaign with /bin/fuzz as init on a
writable copy of the ext2 image. No panic, no hang (QEMU's timeout, the fuzzer's watchdog),
every call counted, and e2fsck -fn finds the image clean afterwards. `make fuzz` runs a
long one (docs/reliability.md)."""
import re

import pytest

from test_fs import copy_image, drive, e2fsck, run_qemu

FUZZ_LINE = re.compile(r"FUZZ: seed=(\d+) calls=(\d+) errors=(\d+) syscalls=(\d+) workers=(\d+) "
                       r"watchdog=(\d+) sigdeaths=(\d+) secs=([\d.]+) result=(\w+)")


def fuzz(tmp_path, seed, calls, extra=""):
    root = copy_image(tmp_path)
    rc, log = run_qemu(4, f"init=/bin/fuzz -s {seed} -n {calls} {extra}", drive(root, "vda"),
                       600)
    assert "KERNEL PANIC" not in log, log[-4000:]
    m = FUZZ_LINE.search(log)
    assert m, log[-3000:]
    return rc, log, m, root


@pytest.mark.parametrize("seed", [1, 7])
def test_fuzz_campaign_leaves_kernel_and_disk_sound(tmp_path, seed):
    calls = 20000
    rc, log, m, root = fuzz(tmp_path, seed, calls)
    assert m.group(9) == "ok", log[-3000:]
    assert rc == 0, log[-3000:]
    # Each ticket is a call, except those of workers killed inside one (a few per worker).
    made = int(m.group(2))
    assert calls * 0.9 <= made <= calls, m.group(0)
    assert int(m.group(4)) >= 150, m.group(0)  # nearly every syscall of the table was made
    assert "/var/var/tmp/fz not removed" not in log, log[-3000:]
    r = e2fsck(root)
    assert r.returncode == 0, r.stdout + r.stderr


def test_fuzz_counts_each_syscall(tmp_path):
    # -c: only the calls named; the table has one line per syscall made.
    rc, log, m, _ = fuzz(tmp_path, 3, 2000, "-c getpid,read,openat")
    assert rc == 0 and m.group(4) == "3", m.group(0)
    rows = dict(re.findall(r"^\s+(\w+)\s+(\d+) calls", log, re.M))
    assert set(rows) == {"getpid", "read", "openat"}, rows
    assert sum(int(v) for v in rows.values()) == int(m.group(2))
