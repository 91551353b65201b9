# SPDX-License-Identifier: MIT
"""The file-system lab's cases (user/tests/t_ext2big.c: blocks at every level of ext2's block
map, fast and slow symlinks) on a writable copy of build/fs.img; afterwards the image must
pass e2fsck, and debugfs must see no trace of the files."""
import re
import subprocess

from test_fs import copy_image, drive, e2fsck, run_qemu

CASES = "fs_large_file_double_indirect fs_large_file_triple_indirect fs_symlink_fast_and_slow"


def test_large_files_and_symlinks_leave_a_clean_fs(tmp_path):
    root = copy_image(tmp_path)
    rc, log = run_qemu(2, f"init=/bin/usertests {CASES}", drive(root, "vda"), 240)
    m = re.search(r"usertests: (\d+) passed, (\d+) failed", log)
    assert m, log[-2000:]
    assert m.groups() == (str(len(CASES.split())), "0"), log[-3000:]
    assert rc == 0
    r = e2fsck(root)
    assert r.returncode == 0, r.stdout + r.stderr
    ls = subprocess.run(["debugfs", "-R", "ls /", str(root)], capture_output=True, text=True)
    assert "lab_" not in ls.stdout, ls.stdout
