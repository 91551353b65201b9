# SPDX-License-Identifier: MIT
"""Debian's own dynamically linked programs (bash, coreutils, python3 from trixie riscv64
.debs, tools/debian-root.mk) in a chroot on a second disk: each script of tests/debian gives
the output recorded on Linux (tests/debian/expected/, `make debian-root-linux`)."""
import os
import re

import pytest

from conftest import ROOT

IMG = os.path.join(ROOT, "build", "debian-root.img")
EXPECTED = os.path.join(ROOT, "tests", "debian", "expected")
SCRIPTS = ["bash.sh", "coreutils.sh", "python.py"]


def sections(log):
    """{script: its output lines and a last line 'status N'} from run.sh's markers."""
    out, cur = {}, None
    for line in (l.rstrip("\r") for l in log.split("\n")):
        m = re.match(r"@@@ (begin|end) (\S+)(?: status (\d+))?$", line)
        if m and m.group(1) == "begin":
            cur = out.setdefault(m.group(2), [])
        elif m and cur is not None:
            cur.append(f"status {m.group(3)}")
            cur = None
        elif cur is not None:
            cur.append(line)
    return out




@pytest.mark.parametrize("cpus", [1, 4])
def test_debian_programs_match_linux(boot, cpus):
    assert os.path.exists(IMG), "build/debian-root.img missing: make debian-root"
    disk = f"-drive file={IMG},if=none,format=raw,id=deb,snapshot=on -device virtio-blk-device,drive=deb"
    k = boot(cpus=cpus, mem="512M", extra=disk, timeout=600,
             append='init=/bin/sh -c "mount -t ext2 /dev/vdb /mnt && '
                    'exec chroot /mnt /usr/bin/env -i /usr/bin/bash /t/run.sh"')
    k.expect(r"@@@ end python\.py status \d+", timeout=600)
    got = sections(k.p.before.decode(errors="replace") + k.p.after.decode())
    assert k.wait_exit(timeout=60) == 0
    for s in SCRIPTS:
        with open(os.path.join(EXPECTED, s + ".out")) as f:
            want = f.read().rstrip("\n").split("\n")
        assert s in got, f"{s} did not run"
        assert got[s] == want, f"{s} differs from Linux:\n" + "\n".join(
            f"line {i + 1}: got {g!r} want {w!r}"
            for i, (g, w) in enumerate(zip(got[s] + [""] * len(want), want + [""] * len(got[s])))
            if g != w)
