# SPDX-License-Identifier: MIT
"""Reliability (issue 16): the reliab_* usertests on a writable copy of build/fs.img as the
root, judged afterwards by e2fsck -fn; and what a clean shutdown leaves on the disk."""
import re

from test_fs import copy_image, drive, e2fsck, run_qemu

RELIAB_CASES = "reliab_special_unlink reliab_shared_offset reliab_append_atomic reliab_creat_emfile"


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
