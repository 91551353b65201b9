# SPDX-License-Identifier: MIT
"""tmpfs from busybox's shell: /tmp and /dev/shm are tmpfs at boot, `mount -t tmpfs -o size=`
makes one with that size (df agrees), a write past it fails with ENOSPC, and rm gives the
space back."""
import re

from test_user import run, shell


def df_line(k, path):
    out = run(k, f"df -k {path}")
    m = re.search(r"^\S+\s+(\d+)\s+(\d+)\s+(\d+)\s+\d+%\s+(\S+)\s*$", out, re.M)
    assert m, out
    return int(m.group(1)), int(m.group(2)), int(m.group(3)), m.group(4)


def test_busybox_mount_tmpfs_size_enospc_and_df(boot):
    k = shell(boot)
    out = run(k, "stat -f -c '%T %t' /tmp /dev/shm")
    assert out.count("1021994") == 2, out
    run(k, "mkdir -p /tmp/m")
    out = run(k, "mount -t tmpfs -o size=256k,mode=0700 none /tmp/m; echo rc=$?")
    assert "rc=0" in out, out
    total, used, avail, mnt = df_line(k, "/tmp/m")
    assert (total, used, avail, mnt) == (256, 0, 256, "/tmp/m")
    out = run(k, "dd if=/dev/zero of=/tmp/m/f bs=1024 count=400; echo rc=$?")
    assert "No space left on device" in out and "rc=1" in out, out
    assert re.search(r"^262144$", run(k, "stat -c %s /tmp/m/f"), re.M)
    assert df_line(k, "/tmp/m")[1:3] == (256, 0)
    run(k, "rm /tmp/m/f")
    assert df_line(k, "/tmp/m")[1:3] == (0, 256)
    assert re.search(r"^700$", run(k, "stat -c %a /tmp/m"), re.M)
    out = run(k, "umount /tmp/m; echo rc=$?")
    assert "rc=0" in out, out
    out = run(k, "mount -t tmpfs -o size=1x none /tmp/m; echo rc=$?")
    assert "Invalid argument" in out and "rc=0" not in out, out
