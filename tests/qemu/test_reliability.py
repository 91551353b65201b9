# SPDX-License-Identifier: MIT
"""Reliability (issue 16): the reliab_* usertests on a writable copy of build/fs.img as the
root, judged afterwards by e2fsck -fn; and what a clean shutdown leaves on the disk."""
import re
import subprocess

import pytest

from test_fs import copy_image, drive, e2fsck, run_qemu

RELIAB_CASES = ("reliab_special_unlink reliab_shared_offset reliab_shared_offset_small "
                "reliab_append_atomic reliab_creat_emfile reliab_creat_readonly "
                "reliab_deep_dirs reliab_getcwd_edges")


def test_reliab_cases_on_ext2_root_leave_a_clean_fs(tmp_path):
    root = copy_image(tmp_path)
    rc, log = run_qemu(4, f"init=/bin/usertests {RELIAB_CASES}", drive(root, "vda"), 300)
    assert "ext2: root mounted" in log
    m = re.search(r"usertests: (\d+) passed, (\d+) failed", log)
    assert m, log[-2000:]
    assert int(m.group(2)) == 0 and int(m.group(1)) == len(RELIAB_CASES.split()), log[-3000:]
    assert rc == 0
    r = e2fsck(root)
    assert r.returncode == 0, r.stdout + r.stderr


def block_size(img):
    out = subprocess.run(["dumpe2fs", "-h", str(img)], capture_output=True, text=True).stdout
    return int(re.search(r"^Block size:\s+(\d+)", out, re.M).group(1))


def free_blocks(img):
    out = subprocess.run(["dumpe2fs", "-h", str(img)], capture_output=True, text=True).stdout
    return int(re.search(r"^Free blocks:\s+(\d+)", out, re.M).group(1))


@pytest.mark.parametrize("how", ["init_exits", "poweroff", "restart", "bomb"])
def test_clean_shutdown_finishes_deferred_frees(tmp_path, how):
    # Defect 2: big files synced, then unlinked (one still open in a process that never
    # exits), and no sync: the shutdown (init exiting, or reboot(2) POWER_OFF or RESTART)
    # must kill every process, finish the frees and write them back.
    root = copy_image(tmp_path)
    before = free_blocks(root)
    # bomb: init exits with an unprivileged fork bomb running (tables walked while
    # processes are made: a half-made one in the pid table panicked the kernel).
    args = "shutdown" + ("" if how == "init_exits" else " " + how)
    # -no-reboot: a reset ends QEMU (status 0) instead of booting again.
    rc, log = run_qemu(4, f"init=/bin/fsload {args}", ["-no-reboot"] + drive(root, "vda"), 300)
    assert "fsload: shutdown done" in log, log[-2000:]
    assert rc == 0, log[-2000:]
    r = e2fsck(root)
    assert r.returncode == 0, r.stdout + r.stderr
    # The file written after the last sync is on the disk, whole.
    kept = subprocess.run(["debugfs", "-R", "cat /var/tmp/fsload_kept", str(root)],
                          capture_output=True, text=True).stdout
    assert kept == "".join(f"kept line {i}\n" for i in range(20000)), kept[-200:]
    st = subprocess.run(["debugfs", "-R", "stat /var/tmp/fsload_kept", str(root)],
                        capture_output=True, text=True).stdout
    kept_blocks = int(re.search(r"Blockcount: (\d+)", st).group(1)) * 512 // block_size(root)
    assert free_blocks(root) == before - kept_blocks
