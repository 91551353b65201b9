# SPDX-License-Identifier: MIT
"""More disks than the root: block device nodes for each virtio disk and its MBR or GPT
partitions, read and written through /dev, and ext2 file systems on them mounted with busybox
`mount`, written, unmounted, checked by the host's e2fsck and read back. The images are made
here with mke2fs and sfdisk (util-linux), small, and attached after the root (vda)."""
import os
import re
import subprocess

import pytest

from conftest import Kernel, PROMPT
from test_user import run as run_line

SECTOR = 512


def run(k, cmd, timeout=60):
    """The output of cmd alone: between two markers that the echoed line does not contain."""
    out = run_line(k, f"printf '\\100B\\n'; {cmd}; printf '\\100E\\n'", timeout)
    return out[out.index("@B\n") + 3:out.rindex("@E")]


def sh(*args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw)


def drive(path, name):
    return (f"-drive file={path},if=none,format=raw,id={name} "
            f"-device virtio-blk-device,drive={name}")


def ext2_image(path, size, files=None):
    """An ext2 of size ("4M") with files {name: text}."""
    src = str(path) + ".src"
    os.makedirs(src, exist_ok=True)
    for name, text in (files or {}).items():
        with open(os.path.join(src, name), "w") as f:
            f.write(text)
    sh("mke2fs", "-q", "-F", "-t", "ext2", "-d", src, str(path), size)
    return path


def partitioned(tmp_path, name, label, parts, total_mb):
    """A disk image with an sfdisk table of (start, sectors) and an ext2 in each partition
    (with /part.txt naming it); returns the path."""
    disk = tmp_path / name
    with open(disk, "wb") as f:
        f.truncate(total_mb << 20)
    script = f"label: {label}\n" + "".join(
        f"start={s}, size={n}" + (", type=83" if label == "dos" else "") + "\n"
        for s, n in parts)
    sh("sfdisk", "-q", "--no-reread", "--no-tell-kernel", str(disk), input=script)
    for i, (start, n) in enumerate(parts, 1):
        img = ext2_image(tmp_path / f"{name}.p{i}", f"{n * SECTOR // 1024}k",
                         {"part.txt": f"{name} partition {i}\n"})
        with open(img, "rb") as src, open(disk, "r+b") as dst:
            dst.seek(start * SECTOR)
            dst.write(src.read())
    return disk


def extract(disk, start, n, out):
    with open(disk, "rb") as src, open(out, "wb") as dst:
        src.seek(start * SECTOR)
        dst.write(src.read(n * SECTOR))
    return out


def e2fsck_ok(img):
    r = subprocess.run(["e2fsck", "-fn", str(img)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def debugfs_cat(img, path):
    return subprocess.run(["debugfs", "-R", f"cat {path}", str(img)], capture_output=True,
                          text=True).stdout


def boot_with(boot, disks, cpus=2):
    extra = " ".join(drive(p, f"d{i}") for i, p in enumerate(disks, 1))
    k = boot(cpus=cpus, extra=extra, timeout=60)
    k.expect(PROMPT, timeout=60)
    return k


MBR_PARTS = [(2048, 8192), (10240, 12288)]
GPT_PARTS = [(2048, 4096), (8192, 6144)]


def test_disks_and_partitions_appear_in_dev_proc_and_sys(boot, tmp_path):
    mbr = partitioned(tmp_path, "mbr.img", "dos", MBR_PARTS, 16)
    gpt = partitioned(tmp_path, "gpt.img", "gpt", GPT_PARTS, 8)
    k = boot_with(boot, [mbr, gpt])
    parts = run(k, "cat /proc/partitions")
    lines = [l for l in parts.splitlines() if re.match(r"^ +\d+ ", l)]
    # Linux's format: "%4d  %7d %10llu %s", 1 KiB blocks; each disk, then its partitions.
    assert "major minor  #blocks  name" in parts, parts
    vda = os.path.getsize(os.path.join(os.path.dirname(__file__), "..", "..", "build",
                                       "fs.img")) // 1024
    want = [f" 254        0 {vda:10d} vda",
            f" 254       16 {16384:10d} vdb",
            f" 254       17 {8192 // 2:10d} vdb1",
            f" 254       18 {12288 // 2:10d} vdb2",
            f" 254       32 {8192:10d} vdc",
            f" 254       33 {4096 // 2:10d} vdc1",
            f" 254       34 {6144 // 2:10d} vdc2"]
    assert lines == want, parts
    ls = run(k, "ls -l /dev/vdb /dev/vdb2 /dev/vdc1")
    assert re.search(r"^brw-rw---- .* 254, +16 .*/dev/vdb$", ls, re.M), ls
    assert re.search(r"^brw-rw---- .* 254, +18 .*/dev/vdb2$", ls, re.M), ls
    assert re.search(r"^brw-rw---- .* 254, +33 .*/dev/vdc1$", ls, re.M), ls
    # /sys/block lists whole disks only; size is in 512-byte sectors.
    assert run(k, "ls /sys/block").split() == ["vda", "vdb", "vdc"]
    assert run(k, "cat /sys/block/vdc/size").split() == ["16384"]
    # The BLK* ioctls, through busybox blockdev.
    assert run(k, "blockdev --getsize64 /dev/vdb2").split() == [str(12288 * SECTOR)]
    assert run(k, "blockdev --getsz /dev/vdc1").split() == ["4096"]
    assert run(k, "blockdev --getss /dev/vdb").split() == ["512"]


def test_partition_reads_and_writes_land_in_its_range(boot, tmp_path):
    mbr = partitioned(tmp_path, "mbr.img", "dos", MBR_PARTS, 16)
    k = boot_with(boot, [mbr])
    # Byte 1080 of an ext2 is its magic (0xef53, little-endian): read through the partition.
    out = run(k, "dd if=/dev/vdb2 bs=1 skip=1080 count=2 2>/dev/null | od -A n -t x1")
    assert out.split() == ["53", "ef"], out
    # Past the end: reads give 0 bytes; seek to the end gives the size.
    out = run(k, f"dd if=/dev/vdb1 bs=512 skip={8192} count=1 2>/dev/null | wc -c")
    assert out.split() == ["0"], out
    # A write at an unaligned offset of the second partition, synced with fsync(2).
    run(k, "echo -n PARTITION-TWO-MARK > /tmp/m && "
           "dd if=/tmp/m of=/dev/vdb2 bs=1 seek=5000000 conv=notrunc,fsync 2>/dev/null; echo $?")
    flushes_before = int(run(k, "cat /sys/block/vdb/stat").split()[15])
    run(k, "dd if=/tmp/m of=/dev/vdb bs=1 seek=100 conv=notrunc,fsync 2>/dev/null")
    flushes_after = int(run(k, "cat /sys/block/vdb/stat").split()[15])
    assert flushes_after == flushes_before + 1, (flushes_before, flushes_after)
    k.close()
    data = open(mbr, "rb").read()
    at = MBR_PARTS[1][0] * SECTOR + 5000000
    assert data[at:at + 18] == b"PARTITION-TWO-MARK"
    assert data[100:118] == b"PARTITION-TWO-MARK"
    # Nothing else of the partition table moved.
    assert data[510:512] == b"\x55\xaa"
