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


def partitioned(tmp_path, name, label, parts, total_mb, extended=None):
    """A disk image with an sfdisk table of (start, sectors) and an ext2 in each partition
    (with /part.txt naming it); returns the path. extended: (start, sectors, logical parts)
    of an MBR extended partition after the primaries, its logical ones numbered from 5."""
    disk = tmp_path / name
    with open(disk, "wb") as f:
        f.truncate(total_mb << 20)
    logical = extended[2] if extended else []
    script = f"label: {label}\n" + "".join(
        f"start={s}, size={n}" + (", type=83" if label == "dos" else "") + "\n"
        for s, n in parts)
    if extended:
        script += f"start={extended[0]}, size={extended[1]}, type=5\n" + "".join(
            f"start={s}, size={n}, type=83\n" for s, n in logical)
    sh("sfdisk", "-q", "--no-reread", "--no-tell-kernel", str(disk), input=script)
    for i, (start, n) in list(enumerate(parts, 1)) + list(enumerate(logical, 5)):
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
    # An extended partition (slot 2, shown as 1 KiB as Linux does) with logical 5 and 6.
    log = partitioned(tmp_path, "log.img", "dos", [(2048, 2048)], 8,
                      extended=(4096, 12288, [(4352, 4096), (8704, 4096)]))
    k = boot_with(boot, [mbr, gpt, log])
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
            f" 254       34 {6144 // 2:10d} vdc2",
            f" 254       48 {8192:10d} vdd",
            f" 254       49 {1024:10d} vdd1",
            f" 254       50 {1:10d} vdd2",
            f" 254       53 {2048:10d} vdd5",
            f" 254       54 {2048:10d} vdd6"]
    assert lines == want, parts
    # Each logical partition is its own file system.
    assert run(k, "mkdir -p /l5 && mount /dev/vdd6 /l5 && cat /l5/part.txt && umount /l5") == \
        "log.img partition 6\n"
    ls = run(k, "ls -l /dev/vdb /dev/vdb2 /dev/vdc1")
    assert re.search(r"^brw-rw---- .* 254, +16 .*/dev/vdb$", ls, re.M), ls
    assert re.search(r"^brw-rw---- .* 254, +18 .*/dev/vdb2$", ls, re.M), ls
    assert re.search(r"^brw-rw---- .* 254, +33 .*/dev/vdc1$", ls, re.M), ls
    # /sys/block lists whole disks only; size is in 512-byte sectors.
    assert run(k, "ls /sys/block").split() == ["vda", "vdb", "vdc", "vdd"]
    assert run(k, "cat /sys/block/vdc/size /sys/block/vdc/dev /sys/block/vdc/ro").split() == \
        ["16384", "254:32", "0"]
    # The BLK* ioctls, through busybox blockdev.
    assert run(k, "blockdev --getsize64 /dev/vdb2").split() == [str(12288 * SECTOR)]
    assert run(k, "blockdev --getsz /dev/vdc1").split() == ["4096"]
    assert run(k, "blockdev --getss /dev/vdb").split() == ["512"]


def test_partition_reads_and_writes_land_in_its_range(boot, tmp_path):
    mbr = partitioned(tmp_path, "mbr.img", "dos", MBR_PARTS, 16)
    k = boot_with(boot, [mbr])
    # Byte 1080 of an ext2 is its magic (0xef53, little-endian): read through the partition.
    # (No pipelines here: ash's job control on the console is not what is tested.)
    out = run(k, "dd if=/dev/vdb2 of=/tmp/x bs=1 skip=1080 count=2 2>/dev/null; od -A n -t x1 /tmp/x")
    assert out.split() == ["53", "ef"], out
    # Past the end: reads give 0 bytes; seek to the end gives the size.
    out = run(k, f"dd if=/dev/vdb1 of=/tmp/y bs=512 skip={8192} count=1 2>/dev/null; wc -c < /tmp/y")
    assert out.split() == ["0"], out
    # A write at an unaligned offset of the second partition, synced with fsync(2).
    run(k, "echo -n PARTITION-TWO-MARK > /tmp/m && "
           "dd if=/tmp/m of=/dev/vdb2 bs=1 seek=5000000 conv=notrunc,fsync 2>/dev/null; echo $?")
    flushes_before = int(run(k, "cat /sys/block/vdb/stat").split()[15])
    run(k, "dd if=/tmp/m of=/dev/vdb bs=1 seek=100 conv=notrunc,fsync 2>/dev/null")
    flushes_after = int(run(k, "cat /sys/block/vdb/stat").split()[15])
    assert flushes_after == flushes_before + 1, (flushes_before, flushes_after)
    # Without fsync: sync(2) writes back what was written through a device node too.
    run(k, "dd if=/tmp/m of=/dev/vdb1 bs=1 seek=3000000 conv=notrunc 2>/dev/null; sync")
    assert int(run(k, "cat /sys/block/vdb/stat").split()[15]) > flushes_after
    k.close()
    data = open(mbr, "rb").read()
    at = MBR_PARTS[1][0] * SECTOR + 5000000
    assert data[at:at + 18] == b"PARTITION-TWO-MARK"
    assert data[100:118] == b"PARTITION-TWO-MARK"
    at = MBR_PARTS[0][0] * SECTOR + 3000000
    assert data[at:at + 18] == b"PARTITION-TWO-MARK"
    # Nothing else of the partition table moved.
    assert data[510:512] == b"\x55\xaa"


def dumpe2fs(img):
    out = sh("dumpe2fs", "-h", str(img)).stdout
    return {k.strip(): v.strip() for k, v in
            (l.split(":", 1) for l in out.splitlines() if ":" in l)}


def linux_statfs(img):
    """What Linux's ext2_statfs reports for img, from e2fsprogs' view of it: f_blocks less
    the overhead (first data block, each superblock copy and its descriptor blocks, two
    bitmaps and the inode table per group), free and available blocks, inodes."""
    h = dumpe2fs(img)
    bsize, blocks = int(h["Block size"]), int(h["Block count"])
    bpg, ipg, isize = int(h["Blocks per group"]), int(h["Inodes per group"]), int(h["Inode size"])
    first = int(h["First block"])
    groups = (blocks - first + bpg - 1) // bpg
    gdb = (groups * 32 + bsize - 1) // bsize
    itb = (ipg * isize + bsize - 1) // bsize
    sparse = "sparse_super" in h["Filesystem features"]

    def has_super(g):
        if not sparse or g <= 1:
            return True
        for p in (3, 5, 7):
            v = p
            while v < g:
                v *= p
            if v == g:
                return True
        return False
    over = first + groups * (2 + itb) + sum(1 + gdb for g in range(groups) if has_super(g))
    free, resv = int(h["Free blocks"]), int(h["Reserved block count"])
    return {"bsize": bsize, "blocks": blocks - over, "bfree": free,
            "bavail": max(free - resv, 0), "files": int(h["Inode count"]),
            "ffree": int(h["Free inodes"])}


def df_line(k, path):
    """busybox df -k's numbers for path: (1K-blocks, used, available)."""
    out = run(k, f"df -k {path}")
    m = re.search(r"^\S+\s+(\d+)\s+(\d+)\s+(\d+)\s+\d+%\s+" + re.escape(path) + r"$", out, re.M)
    assert m, out
    return tuple(int(x) for x in m.groups())


def test_ext2_second_disk_mount_write_umount_fsck_and_read_back(boot, tmp_path):
    img = ext2_image(tmp_path / "second.img", "8M", {"hello.txt": "hello from vdb\n"})
    k = boot_with(boot, [img])
    assert run(k, "mkdir -p /mnt /mnt2 && mount -t ext2 /dev/vdb /mnt && echo ok").split() == ["ok"]
    assert run(k, "cat /mnt/hello.txt") == "hello from vdb\n"
    # What busybox mount and /proc show, in Linux's formats.
    assert re.search(r"^/dev/vdb on /mnt type ext2 \(rw,relatime\)$", run(k, "mount"), re.M)
    assert re.search(r"^/dev/vdb /mnt ext2 rw,relatime 0 0$", run(k, "cat /proc/mounts"), re.M)
    info = run(k, "cat /proc/self/mountinfo")
    assert re.search(r"^\d+ 20 254:16 / /mnt rw,relatime - ext2 /dev/vdb rw$", info, re.M), info
    # st_dev of each file is its disk's number (254:0 the root's, 254:16 vdb's), as on Linux.
    assert run(k, "stat -c %t:%T:%d /dev/vdb /mnt/hello.txt").split() == \
        ["fe:10:65024", "0:0:65040"]
    run(k, "echo written > /mnt/new.txt && mkdir /mnt/sub /mnt/sub2 && "
           "dd if=/dev/zero of=/mnt/sub/big bs=1024 count=300 2>/dev/null && sync")
    # syncfs(2) (busybox sync -f) writes the fs back and flushes its disk.
    flushes = int(run(k, "cat /sys/block/vdb/stat").split()[15])
    run(k, "echo dirty > /mnt/dirty.txt && sync -f /mnt/dirty.txt")
    assert int(run(k, "cat /sys/block/vdb/stat").split()[15]) == flushes + 1
    total, used, avail = df_line(k, "/mnt")
    # The numbers statfs gives are Linux's for the image as it is now on the disk.
    want = linux_statfs(img)
    kb = want["bsize"] // 1024
    assert (total, used, avail) == (want["blocks"] * kb, (want["blocks"] - want["bfree"]) * kb,
                                    want["bavail"] * kb), (total, used, avail, want)
    inodes = run(k, "df -i /mnt")
    assert re.search(rf"^/dev/vdb\s+{want['files']}\s+{want['files'] - want['ffree']}\s+"
                     rf"{want['ffree']}\s", inodes, re.M), (inodes, want)

    # Read-only: writes give EROFS, statfs says so, and it comes back read-write.
    assert "rc=0" in run(k, "mount -o remount,ro /mnt; echo rc=$?")
    assert "Read-only file system" in run(k, "echo x > /mnt/ro.txt")
    out = run(k, "mkdir /mnt/rodir; rm -f /mnt/new.txt; touch /mnt/new.txt; chmod 600 /mnt/new.txt")
    assert out.count("Read-only file system") == 4, out
    assert re.search(r"^/dev/vdb /mnt ext2 ro,relatime 0 0$", run(k, "cat /proc/mounts"), re.M)
    assert run(k, "stat -f -c %T /mnt; cat /mnt/new.txt").split() == ["ext2/ext3", "written"]
    assert "rc=0" in run(k, "mount -o remount,rw /mnt; echo rc=$?")
    # ...but not while a file is open for writing.
    out = run(k, "exec 3>>/mnt/new.txt; mount -o remount,ro /mnt; echo rc=$?; exec 3>&-")
    assert "rc=255" in out and "busy" in out, out
    assert run(k, "echo more >> /mnt/new.txt && cat /mnt/new.txt") == "written\nmore\n"

    # Busy: a cwd, an open file, a mount below; umount says so and leaves it mounted.
    assert "busy" in run(k, "cd /mnt/sub && umount /mnt; cd /")
    assert "busy" in run(k, "exec 4</mnt/hello.txt; umount /mnt; exec 4<&-")
    run(k, "mount -t proc proc /mnt/sub2")
    assert "busy" in run(k, "umount /mnt")
    assert run(k, "umount /mnt/sub2; echo rc=$?").split() == ["rc=0"]
    assert run(k, "cat /mnt/hello.txt") == "hello from vdb\n"

    # A bind mount of a directory of it: same files, mountinfo names the directory.
    run(k, "mount --bind /mnt/sub /mnt2 && echo via-bind > /mnt2/b.txt")
    assert run(k, "cat /mnt/sub/b.txt") == "via-bind\n"
    info = run(k, "cat /proc/self/mountinfo")
    assert re.search(r"^\d+ \d+ 254:16 /sub /mnt2 rw,relatime - ext2 /dev/vdb rw$", info, re.M), info
    assert "busy" not in run(k, "umount /mnt2")
    assert run(k, "umount /mnt; echo rc=$?").split() == ["rc=0"]
    assert "/mnt" not in run(k, "cat /proc/mounts")
    assert "new.txt" not in run(k, "ls /mnt")
    k.close()
    # umount wrote everything back: the host's e2fsck finds it clean, the files are there.
    e2fsck_ok(img)
    assert debugfs_cat(img, "/new.txt") == "written\nmore\n"
    assert debugfs_cat(img, "/sub/b.txt") == "via-bind\n"
    assert len(debugfs_cat(img, "/sub/big")) == 300 * 1024

    # Again, from a fresh boot: a raw write into hello.txt's block (left in the cache, at
    # another block size than the fs's 1 KiB) is on the disk before mount reads it.
    blk = int(sh("debugfs", "-R", "bmap /hello.txt 0", str(img)).stdout.split()[0])
    k = boot_with(boot, [img])
    run(k, f"printf HELLO > /tmp/h; dd if=/tmp/h of=/dev/vdb bs=1 seek={blk * 1024} conv=notrunc "
           "2>/dev/null")
    run(k, "mkdir -p /mnt && mount /dev/vdb /mnt")
    assert run(k, "cat /mnt/hello.txt") == "HELLO from vdb\n"
    assert run(k, "cat /mnt/new.txt /mnt/sub/b.txt") == "written\nmore\nvia-bind\n"
    # Lazy: with a mount below it (detached with it, as Linux does) and a file open.
    run(k, "mount -t proc proc /mnt/sub2")
    out = run(k, "exec 3</mnt/hello.txt; umount -l /mnt; echo rc=$?; ls -A /mnt; echo ls-done; "
                 "cat <&3")
    assert out.split("\n")[:3] == ["rc=0", "ls-done", "HELLO from vdb"], out
    assert "/mnt" not in run(k, "cat /proc/mounts")
    # The device stays taken until the last user of the detached fs is gone.
    assert "busy" in run(k, "mount /dev/vdb /mnt")
    run(k, "exec 3<&-; sleep 2")  # the reaper tries at 0.1, 0.3, 0.7, 1.5 s...
    assert run(k, "mount /dev/vdb /mnt && cat /mnt/hello.txt") == "HELLO from vdb\n"
    assert run(k, "echo lazy > /mnt/lazy.txt; umount /mnt; echo rc=$?").split() == ["rc=0"]
    k.close()
    e2fsck_ok(img)
    assert debugfs_cat(img, "/lazy.txt") == "lazy\n"


def test_ext2_on_mbr_and_gpt_partitions(boot, tmp_path):
    mbr = partitioned(tmp_path, "mbr.img", "dos", MBR_PARTS, 16)
    gpt = partitioned(tmp_path, "gpt.img", "gpt", GPT_PARTS, 8)
    table = open(mbr, "rb").read(SECTOR)
    k = boot_with(boot, [mbr, gpt])
    run(k, "mkdir -p /m1 /m2 /m3 && mount -t ext2 /dev/vdb1 /m1 && mount -t ext2 /dev/vdb2 /m2"
           " && mount -t ext2 /dev/vdc2 /m3")
    assert run(k, "cat /m1/part.txt /m2/part.txt /m3/part.txt") == \
        "mbr.img partition 1\nmbr.img partition 2\ngpt.img partition 2\n"
    mounts = run(k, "cat /proc/mounts")
    for dev, mp in (("vdb1", "/m1"), ("vdb2", "/m2"), ("vdc2", "/m3")):
        assert re.search(rf"^/dev/{dev} {mp} ext2 rw,relatime 0 0$", mounts, re.M), mounts
    # The whole disk is taken while a partition of it is mounted.
    assert "busy" in run(k, "mount -t ext2 /dev/vdb /mnt")
    for i, mp in enumerate(("/m1", "/m2", "/m3"), 1):
        run(k, f"echo written {i} > {mp}/w.txt && dd if=/dev/urandom of={mp}/r bs=1024 "
               f"count={40 * i} 2>/dev/null")
    sums = run(k, "md5sum /m1/r /m2/r /m3/r")
    assert run(k, "umount /m1 && umount /m2 && umount /m3 && echo ok").split() == ["ok"]
    k.close()
    parts = {"/m1": extract(mbr, *MBR_PARTS[0], tmp_path / "c1"),
             "/m2": extract(mbr, *MBR_PARTS[1], tmp_path / "c2"),
             "/m3": extract(gpt, *GPT_PARTS[1], tmp_path / "c3")}
    for i, (mp, img) in enumerate(parts.items(), 1):
        e2fsck_ok(img)
        assert debugfs_cat(img, "/w.txt") == f"written {i}\n"
        data = subprocess.run(["debugfs", "-R", "cat /r", str(img)], capture_output=True).stdout
        import hashlib
        assert hashlib.md5(data).hexdigest() in sums, (mp, sums)
    # Untouched: the table and the GPT's first partition.
    assert open(mbr, "rb").read(SECTOR) == table
    e2fsck_ok(extract(gpt, *GPT_PARTS[0], tmp_path / "c4"))
