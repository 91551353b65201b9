# SPDX-License-Identifier: MIT
"""ext2 end to end: usertests' fs_* cases on a writable copy of build/fs.img as the root,
judged afterwards by e2fsck; and a second ext2 disk made here with mke2fs -d, mounted and
read through mount(2)."""
import os
import re
import shlex
import shutil
import subprocess

import pytest

from conftest import CONSOLE, ROOT

FS_CASES = ("fs_bigrand fs_small_files fs_deep_dirs fs_unlink_open fs_concurrent fs_errors "
            "fs_enospc fs_rename fs_symlink fs_holes fs_sync fs_utimens fs_mount")


def drive(path, name):
    return ["-drive", f"file={path},if=none,format=raw,id={name}",
            "-device", f"virtio-blk-device,drive={name}"]


def run_qemu(cpus, append, disks, timeout):
    """Run QEMU (no initrd, no default disks) to power-off; (exit status, console)."""
    out = subprocess.run(["make", "-s", "--no-print-directory", "qemu-cmd", f"CPUS={cpus}",
                          f"QEMU_CONSOLE={CONSOLE}", "APPEND=", "QEMU_DISKS=",
                          "QEMU_INITRD="], cwd=ROOT, check=True, capture_output=True,
                         text=True).stdout
    cmd = shlex.split(out.strip()) + ["-append", append] + disks
    p = subprocess.run(["timeout", str(timeout)] + cmd, cwd=ROOT, stdin=subprocess.DEVNULL,
                       capture_output=True, timeout=timeout + 10)
    return p.returncode, p.stdout.decode(errors="replace")


def copy_image(tmp_path):
    img = os.path.join(ROOT, "build", "fs.img")
    assert os.path.exists(img), "build/fs.img missing: run make"
    dst = tmp_path / "fs.img"
    shutil.copyfile(img, dst)
    return dst


def e2fsck(path):
    return subprocess.run(["e2fsck", "-fn", str(path)], capture_output=True, text=True)


def test_fs_cases_on_ext2_root_leave_a_clean_fs(tmp_path):
    root = copy_image(tmp_path)
    rc, log = run_qemu(1, f"init=/bin/usertests {FS_CASES}", drive(root, "vda"), 300)
    assert "ext2: root mounted" in log
    m = re.search(r"usertests: (\d+) passed, (\d+) failed", log)
    assert m, log[-2000:]
    assert int(m.group(2)) == 0 and int(m.group(1)) == len(FS_CASES.split()), log[-3000:]
    assert rc == 0
    r = e2fsck(root)
    assert r.returncode == 0, r.stdout + r.stderr


def test_mount_second_ext2_disk(tmp_path):
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    (src / "hello.txt").write_text("hello from vdb\n")
    (src / "sub" / "deep.txt").write_text("deep file\n")
    second = tmp_path / "second.img"
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext2", "-d", str(src), str(second), "8M"],
                   check=True, capture_output=True)
    root = copy_image(tmp_path)
    rc, log = run_qemu(2, "init=/bin/usertests fs_mount",
                   drive(root, "vda") + drive(second, "vdb"), 120)
    assert "read: hello from vdb" in log, log[-2000:]
    assert "usertests: 1 passed, 0 failed" in log, log[-2000:]
    assert rc == 0
    # The file the case wrote through the mount is on the second disk, and it is clean.
    r = e2fsck(second)
    assert r.returncode == 0, r.stdout + r.stderr
    cat = subprocess.run(["debugfs", "-R", "cat /new.txt", str(second)], capture_output=True,
                         text=True)
    assert cat.stdout == "written\n"
