# SPDX-License-Identifier: MIT
"""Big directories and the name cache (issue 16 defect 8): the bigdir_30k and dcache_*
usertests on a writable copy of build/fs.img as the root and a fresh ext2 disk as vdb
(30,000 names in one directory: an htree), on 1 and 4 harts; then e2fsck -fn, which
checks every hash range of the index, must find both disks clean."""
import re
import subprocess

import pytest

from test_fs import copy_image, drive, e2fsck, run_qemu

CASES = ("dcache_negative_then_create_elsewhere dcache_unlink_rename_rmdir_seen_at_once "
         "dcache_drop_caches_keeps_answers bigdir_30k")


def make_big_disk(tmp_path):
    img = tmp_path / "big.img"
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext2", "-b", "4096", "-N", "40000",
                    str(img), "64M"], check=True, capture_output=True,
                   env={"E2FSPROGS_FAKE_TIME": "1700000000", "PATH": "/usr/sbin:/sbin:/usr/bin:/bin"})
    return img


@pytest.mark.parametrize("cpus", [1, 4])
def test_bigdir_and_dcache_cases_leave_clean_disks(tmp_path, cpus):
    root = copy_image(tmp_path)
    big = make_big_disk(tmp_path)
    rc, log = run_qemu(cpus, f"init=/bin/usertests {CASES}",
                       drive(root, "vda") + drive(big, "vdb"), 600)
    assert "ext2: root mounted" in log
    assert "# skip" not in log, log[-2000:]
    m = re.search(r"usertests: (\d+) passed, (\d+) failed", log)
    assert m, log[-2000:]
    assert int(m.group(2)) == 0 and int(m.group(1)) == len(CASES.split()), log[-3000:]
    assert rc == 0
    for img in (root, big):
        r = e2fsck(img)
        assert r.returncode == 0, r.stdout + r.stderr
    # the directory is hashed, with the names that should be there
    out = subprocess.run(["debugfs", "-R", "htree /d", str(big)], capture_output=True,
                         text=True).stdout
    assert "Root node dump" in out
    ls = subprocess.run(["debugfs", "-R", "ls -l /d", str(big)], capture_output=True,
                        text=True).stdout
    # "ls -l" also lists a removed entry that starts a block (inode 0, name kept, as
    # Linux leaves it): only live ones count
    names = {m.group(2) for m in re.finditer(r"^\s*(\d+)\s.*\s([fr]\d{5})\s*$", ls, re.M)
             if m.group(1) != "0"}
    want = {("r" if i % 10 == 0 else "f") + f"{i:05d}" for i in range(0, 30000, 2)}
    assert names == want
