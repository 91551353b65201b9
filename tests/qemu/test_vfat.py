# SPDX-License-Identifier: MIT
"""vfat end to end, judged by dosfstools and mtools: FAT12, FAT16 and FAT32 images made on
the host with mkfs.vfat and filled with mcopy (long and short names, subdirectories, a file
over many clusters) are attached as vdb, vdc, vdd; a busybox script in the guest mounts each,
prints what it reads, writes, renames and deletes, and unmounts; then fsck.vfat -n must be
clean and mtools must read back exactly what the kernel wrote. Then corrupted images (seeded
damage to the BPB, the FAT, directory entries, FAT-chain loops, truncation) must mount with a
clear error or work, never panic or hang, and leave the root fs alone."""
import hashlib
import os
import random
import re
import shlex
import shutil
import struct
import subprocess

import pytest

from conftest import CONSOLE, ROOT

ENV = dict(os.environ, MTOOLS_SKIP_CHECK="1", TZ="UTC", LC_ALL="C.UTF-8")
DISKS = ["vdb", "vdc", "vdd", "vde", "vdf", "vdg", "vdh"]

# (mkfs -F, size in KiB, extra mkfs args)
TYPES = {12: (12, 2048, []), 16: (16, 8192, ["-s", "1"]), 32: (32, 34 * 1024, ["-s", "1"])}


def drive(path, name):
    return ["-drive", f"file={path},if=none,format=raw,id={name}",
            "-device", f"virtio-blk-device,drive={name}"]


def run_guest(tmp_path, script, images, timeout=120, cpus=1):
    """Boot a copy of the ext2 root with script as init (busybox sh), images as vdb...;
    returns (exit status, console, the root copy)."""
    img = os.path.join(ROOT, "build", "fs.img")
    assert os.path.exists(img), "build/fs.img missing: run make"
    root = tmp_path / "root.img"
    shutil.copyfile(img, root)
    sh = tmp_path / "t.sh"
    sh.write_text(script)
    subprocess.run(["debugfs", "-w", "-R", f"write {sh} t.sh", str(root)], check=True,
                   capture_output=True)
    out = subprocess.run(["make", "-s", "--no-print-directory", "qemu-cmd", f"CPUS={cpus}",
                          f"QEMU_CONSOLE={CONSOLE}", "APPEND=", "QEMU_DISKS=",
                          "QEMU_INITRD="], cwd=ROOT, check=True, capture_output=True,
                         text=True).stdout
    disks = drive(root, "vda")
    for name, path in zip(DISKS, images):
        disks += drive(path, name)
    cmd = shlex.split(out.strip()) + ["-append", "init=/bin/sh /t.sh"] + disks
    p = subprocess.run(["timeout", str(timeout)] + cmd, cwd=ROOT, stdin=subprocess.DEVNULL,
                       capture_output=True, timeout=timeout + 10)
    return p.returncode, p.stdout.decode(errors="replace"), root


def mtools(*args, check=True):
    return subprocess.run(list(args), env=ENV, capture_output=True, check=check)


def make_image(path, fat):
    ftype, kb, extra = TYPES[fat]
    subprocess.run(["mkfs.vfat", "-C", "-F", str(ftype), *extra, str(path), str(kb)],
                   check=True, capture_output=True)


def content(name, size):
    """Deterministic bytes for a file."""
    r = random.Random(name)
    return bytes(r.getrandbits(8) for _ in range(size))


# Files put on each image by mtools: path -> bytes.
HOST_FILES = {
    "README.TXT": b"upper-case 8.3 name\n",
    "lower.txt": b"lower-case 8.3 name\n",
    "A Long File Name With Spaces.bin": None,  # filled per image below
    "SubDir/inner file.txt": b"in a subdirectory\n",
    "SubDir/Deeper/x.c": b"int main(void) { return 0; }\n",
    "empty": b"",
    "archive.tar.gz": b"not really\n",
}


def fill(img, tmp_path, fat):
    files = dict(HOST_FILES)
    files["A Long File Name With Spaces.bin"] = content(f"big{fat}", 150000)
    mtools("mmd", "-i", str(img), "::SubDir", "::SubDir/Deeper")
    for name, data in files.items():
        src = tmp_path / "src.bin"
        src.write_bytes(data)
        mtools("mcopy", "-i", str(img), str(src), "::" + name)
    return files


GUEST_RW = r"""
d={disk}
mount -t vfat /dev/$d /mnt; echo "MOUNT $d $?"
cd /mnt && find . | sort | sed "s|^|NAME $d |"
find . -type f | sort | while read f; do echo "SUM $d $(md5sum "$f")"; done
stat -f -c "STATFS $d %t %S %b %f" /mnt
echo "kernel wrote this" > "/mnt/Kernel Long Name.txt"
echo "UPPER" > /mnt/UPPER.TXT
echo "lower" > /mnt/klower.txt
head -c 70000 "/mnt/A Long File Name With Spaces.bin" > /mnt/head.bin
mkdir -p "/mnt/kdir/sub dir"
echo "nested" > "/mnt/kdir/sub dir/Mixed Case Name.TXT"
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo "file $i" > "/mnt/kdir/many long names number $i.txt"; done
mv "/mnt/A Long File Name With Spaces.bin" "/mnt/kdir/moved big file.bin"
mv /mnt/SubDir/Deeper /mnt/kdir/Deeper
rm /mnt/README.TXT
rm "/mnt/SubDir/inner file.txt"
rmdir /mnt/SubDir
echo "replaced" > /mnt/archive.tar.gz
echo "appended" >> /mnt/lower.txt
mv /mnt/klower.txt /mnt/KLOWER.TXT
echo "RENAMECASE $d $(ls /mnt | grep -i klower)"
cd /
umount /mnt; echo "UMOUNT $d $?"
mount -t vfat /dev/$d /mnt; echo "REMOUNT $d $?"
echo "REREAD $d $(md5sum '/mnt/kdir/moved big file.bin')"
umount /mnt
"""


def kernel_files(fat):
    """What each image must hold after GUEST_RW: path -> bytes."""
    big = content(f"big{fat}", 150000)
    f = {
        "lower.txt": b"lower-case 8.3 name\nappended\n",
        "empty": b"",
        "archive.tar.gz": b"replaced\n",
        "Kernel Long Name.txt": b"kernel wrote this\n",
        "UPPER.TXT": b"UPPER\n",
        "KLOWER.TXT": b"lower\n",
        "head.bin": big[:70000],
        "kdir/sub dir/Mixed Case Name.TXT": b"nested\n",
        "kdir/moved big file.bin": big,
        "kdir/Deeper/x.c": b"int main(void) { return 0; }\n",
    }
    for i in range(1, 13):
        f[f"kdir/many long names number {i}.txt"] = f"file {i}\n".encode()
    return f


def mdir_tree(img):
    """Every path on the image, by its long name, as mtools lists it (mdir -/ -b)."""
    out = mtools("mdir", "-/", "-b", "-i", str(img), "::").stdout.decode()
    paths = set()
    for line in out.splitlines():
        line = line.strip()
        if line.startswith("::/"):
            p = line[3:].rstrip("/")
            if p and not p.endswith("/.") and not p.endswith("/..") and p not in (".", ".."):
                paths.add(p)
    return paths


def test_vfat_read_write_fat12_16_32_checked_by_dosfstools(tmp_path):
    imgs, files = {}, {}
    for fat in (12, 16, 32):
        img = tmp_path / f"fat{fat}.img"
        make_image(img, fat)
        files[fat] = fill(img, tmp_path, fat)
        imgs[fat] = img
    script = "echo START\n" + "".join(GUEST_RW.format(disk=d) for d in DISKS[:3]) + \
        "echo END\n"
    rc, log, _ = run_guest(tmp_path, script, [imgs[12], imgs[16], imgs[32]], timeout=240)
    assert "END" in log, log[-3000:]
    assert "panic" not in log.lower(), log[-3000:]
    for fat, d in zip((12, 16, 32), DISKS):
        assert f"MOUNT {d} 0" in log, log[-3000:]
        # Names as Linux's vfat shows them (shortname=mixed): long names, 8.3 as stored.
        names = set(re.findall(rf"^NAME {d} \./(.*?)\r?$", log, re.M))
        want = set(files[fat]) | {"SubDir", "SubDir/Deeper"}
        assert names == want, (fat, names ^ want)
        sums = dict((p, s) for s, p in re.findall(rf"^SUM {d} ([0-9a-f]{{32}})  \./(.*?)\r?$",
                                                  log, re.M))
        for p, data in files[fat].items():
            assert sums.get(p) == hashlib.md5(data).hexdigest(), (fat, p)
        st = re.search(rf"^STATFS {d} (\w+) (\d+) (\d+) (\d+)", log, re.M)
        assert st and st.group(1) == "4d44", log[-2000:]
        assert f"UMOUNT {d} 0" in log and f"REMOUNT {d} 0" in log
        assert f"RENAMECASE {d} KLOWER.TXT" in log
        big = hashlib.md5(content(f"big{fat}", 150000)).hexdigest()
        assert f"REREAD {d} {big}" in log
        # The host's tools agree.
        r = subprocess.run(["fsck.vfat", "-n", str(imgs[fat])], capture_output=True, text=True)
        assert r.returncode == 0, (fat, r.stdout + r.stderr)
        want = kernel_files(fat)
        tree = mdir_tree(imgs[fat])
        dirs = {"kdir", "kdir/sub dir", "kdir/Deeper"}
        assert tree == set(want) | dirs, (fat, tree ^ (set(want) | dirs))
        for p, data in want.items():
            got = mtools("mcopy", "-n", "-i", str(imgs[fat]), "::" + p, "-").stdout
            assert got == data, (fat, p)
        # statfs's free count is the FAT's (fsck counts it too).
        info = r.stdout.splitlines()[-1]
        used, total = map(int, re.search(r"(\d+)/(\d+) clusters", info).groups())
        assert int(st.group(3)) == total


def test_vfat_short_names_and_case_as_linux(tmp_path):
    img = tmp_path / "f16.img"
    make_image(img, 16)
    script = r"""
mount -t vfat /dev/vdb /mnt; echo "MOUNT $?"
for n in README.TXT hello.txt Makefile "Long Name.html" "longfilename.text" \
         "longfilename.texas" "x+y=z" ".bashrc" "a b.c"; do echo x > "/mnt/$n"; done
echo y > /mnt/HELLO.TXT; echo "SAMEFILE $?"
cat /mnt/hello.txt
ls -A /mnt | sed "s/^/LS /"
touch -d "2021-06-15 10:20:30" /mnt/Makefile
mkdir /mnt/bad:name; echo "BADNAME $?"
mknod /mnt/fifo p; echo "MKNOD $?"
ln /mnt/Makefile /mnt/hard; echo "LINK $?"
echo one > /mnt/r1; echo two > /mnt/r2; mv /mnt/r1 /mnt/r2; echo "REPLACED $(cat /mnt/r2)"
echo head > /mnt/grown; truncate -s 100000 /mnt/grown; echo "TRUNC $?"
echo tail | dd of=/mnt/gap bs=1 seek=70000 2>/dev/null; echo "GAP $?"
yes abcdefgh | head -c 50000 > /mnt/shrunk; truncate -s 3000 /mnt/shrunk
mkdir /mnt/a /mnt/a/b /mnt/a/c /mnt/a/d; rmdir /mnt/a/d; echo "NLINK $(stat -c %h /mnt/a)"
mkdir /mnt/e; mv /mnt/a/c /mnt/e/; echo "NLINK2 $(stat -c %h /mnt/a) $(stat -c %h /mnt/e)"
umount /mnt; mount -t vfat /dev/vdb /mnt
echo "NLINK3 $(stat -c %h /mnt/a) $(stat -c %h /mnt/e) $(stat -c %h /mnt)"
umount /mnt; echo "UMOUNT $?"
"""
    rc, log, _ = run_guest(tmp_path, script, [img])
    # Directory link counts as Linux's vfat: 2 + subdirectories.
    assert "NLINK 4" in log and "NLINK2 3 3" in log and "NLINK3 3 3 4" in log, log[-2000:]
    assert re.search(r"REPLACED one", log) and "TRUNC 0" in log and "GAP 0" in log, log[-2000:]
    def host(name):
        return mtools("mcopy", "-n", "-i", str(img), "::" + name, "-").stdout
    assert host("grown") == b"head\n" + bytes(100000 - 5)
    assert host("gap") == bytes(70000) + b"tail\n"
    assert host("shrunk") == (b"abcdefgh\n" * 400)[:3000]
    assert mtools("mdir", "-i", str(img), "::r1", check=False).returncode != 0
    assert "MOUNT 0" in log and "UMOUNT 0" in log, log[-2000:]
    # "HELLO.TXT" is the same file as "hello.txt" (names compare without case).
    assert re.search(r"SAMEFILE 0\r?\ny\r?\n", log), log[-2000:]
    ls = set(re.findall(r"^LS (.*?)\r?$", log, re.M))
    assert ls == {"README.TXT", "hello.txt", "Makefile", "Long Name.html", "longfilename.text",
                  "longfilename.texas", "x+y=z", ".bashrc", "a b.c"}, ls
    assert "BADNAME 1" in log and "MKNOD 1" in log and "LINK 1" in log
    out = mtools("mdir", "-i", str(img), "::").stdout.decode()
    shorts = {}
    for line in out.splitlines():
        m = re.search(r"\d\d:\d\d(?:  (.+?))?\s*$", line)
        if not m or line.startswith((" ", "Directory")):
            continue
        base, ext = line[0:8].rstrip(), line[9:12].rstrip()
        short = base + ("." + ext if ext else "")
        shorts[m.group(1) or short] = short
    # 8.3 aliases as Linux's vfat makes them.
    assert shorts.get("README.TXT") == "README.TXT"
    assert shorts.get("hello.txt") == "HELLO.TXT"
    assert shorts.get("Makefile") == "MAKEFILE"
    assert shorts.get("Long Name.html") == "LONGNA~1.HTM"
    assert shorts.get("longfilename.text") == "LONGFI~1.TEX"
    assert shorts.get("longfilename.texas") == "LONGFI~2.TEX"
    assert shorts.get("x+y=z") == "X_Y_Z~1"
    assert shorts.get(".bashrc") == "BASHRC~1"
    assert shorts.get("a b.c") == "AB~1.C"
    assert "2021-06-15  10:20" in out
    r = subprocess.run(["fsck.vfat", "-n", str(img)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_vfat_full_disk_enospc_and_free_count(tmp_path):
    img = tmp_path / "f12.img"
    make_image(img, 12)
    script = r"""
mount -t vfat /dev/vdb /mnt; echo "MOUNT $?"
stat -f -c "FREE0 %f" /mnt
dd if=/dev/zero of=/mnt/fill bs=4096 count=10000 2>/dev/null; echo "DD $?"
stat -f -c "FREE1 %f" /mnt
echo x > /mnt/more; echo "MORE $?"
rm /mnt/fill /mnt/more
stat -f -c "FREE2 %f" /mnt
umount /mnt; echo "UMOUNT $?"
"""
    rc, log, _ = run_guest(tmp_path, script, [img])
    assert "MOUNT 0" in log and "UMOUNT 0" in log, log[-2000:]
    f0 = int(re.search(r"FREE0 (\d+)", log).group(1))
    assert "DD 1" in log  # No space left on device
    assert int(re.search(r"FREE1 (\d+)", log).group(1)) == 0
    assert int(re.search(r"FREE2 (\d+)", log).group(1)) == f0
    r = subprocess.run(["fsck.vfat", "-n", str(img)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


# ---- hostile images ---------------------------------------------------------------------


def bpb(data):
    bps, spc, rsvd, nfats, rootents = struct.unpack_from("<HBHBH", data, 11)
    fatsz = struct.unpack_from("<H", data, 22)[0] or struct.unpack_from("<I", data, 36)[0]
    return bps, spc, rsvd, nfats, rootents, fatsz


def corrupt(base, kind, seed):
    """A damaged copy of base (bytes) of the given kind."""
    r = random.Random(seed)
    d = bytearray(base)
    bps, spc, rsvd, nfats, rootents, fatsz = bpb(d)
    fat_off, fat_len = rsvd * bps, fatsz * bps
    root_off = fat_off + nfats * fat_len
    if kind == "bpb":
        for _ in range(r.randint(1, 4)):
            d[r.randrange(11, 62)] = r.randrange(256)
    elif kind == "fat":
        for _ in range(r.randint(1, 40)):
            i = fat_off + r.randrange(fat_len)
            d[i] ^= 1 << r.randrange(8)
    elif kind == "fatrand":
        n = r.randrange(64, min(2048, fat_len - 1))
        i = fat_off + r.randrange(fat_len - n)
        d[i:i + n] = bytes(r.getrandbits(8) for _ in range(n))
    elif kind == "dir":
        for _ in range(r.randint(1, 30)):
            i = root_off + r.randrange(32 * 16)
            d[i] = r.randrange(256)
    elif kind == "loop":
        # The chains of the first FAT copy run into loops back to cluster 2.
        fat16 = len(d) > 4 << 20
        for c in range(2, 40):
            v = c + 1 if c % 3 else 2
            if fat16:
                struct.pack_into("<H", d, fat_off + 2 * c, v)
            else:
                o = fat_off + c + c // 2
                w = struct.unpack_from("<H", d, o)[0]
                w = (w & 0x000f) | (v << 4) if c & 1 else (w & 0xf000) | v
                struct.pack_into("<H", d, o, w)
    elif kind == "trunc":
        d = d[:r.randrange(512, len(d) // 2)]
        d += bytes((-len(d)) % 1024)
    elif kind == "random":
        d = bytearray(r.getrandbits(8) for _ in range(len(d) // 8)) + bytearray(len(d) * 7 // 8)
    elif kind == "startclus":
        for e in range(16):
            struct.pack_into("<H", d, root_off + 32 * e + 26, r.randrange(65536))
    elif kind == "size":
        for e in range(16):
            struct.pack_into("<I", d, root_off + 32 * e + 28, r.getrandbits(32))
    return bytes(d)


KINDS = ["bpb", "fat", "fatrand", "dir", "loop", "trunc", "random", "startclus", "size"]


GUEST_HOSTILE = r"""
d={disk}
mount -t vfat /dev/$d /mnt 2>/tmp/err; rc=$?
echo "HMOUNT $d $rc $(cat /tmp/err)"
if [ $rc = 0 ]; then
  ls -laR /mnt 2>/dev/null | head -300 >/dev/null
  find /mnt -type f 2>/dev/null | head -50 | while read f; do cat "$f" >/dev/null 2>&1; done
  echo new > /mnt/newfile 2>/dev/null
  mkdir /mnt/newdir 2>/dev/null
  rm -rf /mnt/SubDir 2>/dev/null
  mv /mnt/lower.txt /mnt/newdir/ 2>/dev/null
  cd /; umount /mnt; echo "HUMOUNT $d $?"
fi
"""


def test_vfat_hostile_images_never_panic_or_hang(tmp_path):
    bases = {}
    for fat in (12, 16):
        img = tmp_path / f"base{fat}.img"
        make_image(img, fat)
        fill(img, tmp_path, fat)
        bases[fat] = img.read_bytes()
    cases = []
    for i in range(48):
        fat = (12, 16)[i % 2]
        kind = KINDS[i % len(KINDS)]
        cases.append((fat, kind, 1000 + i))
    cases.append((16, "loop", 7))
    passes = [cases[i:i + 7] for i in range(0, len(cases), 7)]
    errors = {"Invalid argument", "Structure needs cleaning", "I/O error"}
    outcomes = []
    for n, group in enumerate(passes):
        paths = []
        for fat, kind, seed in group:
            p = tmp_path / f"bad{n}_{len(paths)}.img"
            p.write_bytes(corrupt(bases[fat], kind, seed))
            paths.append(p)
        script = "echo START\nmd5sum /bin/busybox > /tmp/root.sum\n" + \
            "".join(GUEST_HOSTILE.format(disk=d) for d in DISKS[:len(paths)]) + \
            'echo "ROOT $(md5sum /bin/busybox)"\necho END\n'
        rc, log, root = run_guest(tmp_path, script, paths, timeout=180)
        assert "END" in log, (group, log[-3000:])
        assert "panic" not in log.lower(), (group, log[-3000:])
        for d, (fat, kind, seed) in zip(DISKS, group):
            m = re.search(rf"^HMOUNT {d} (\d+) ?(.*?)\r?$", log, re.M)
            assert m, (d, kind, log[-2000:])
            outcomes.append((kind, m.group(1) == "0"))
            if m.group(1) != "0":
                assert any(e in m.group(2) for e in errors), (kind, seed, m.group(2))
            else:
                assert f"HUMOUNT {d} 0" in log, (kind, seed, log[-2000:])
        # The root fs is untouched: still clean.
        r = subprocess.run(["e2fsck", "-fn", str(root)], capture_output=True, text=True)
        assert r.returncode == 0, r.stdout + r.stderr
    # Both ways were taken: some images are refused, some mount and are used.
    refused = {k for k, ok in outcomes if not ok}
    assert refused >= {"random", "trunc"}, outcomes
    assert any(ok for _, ok in outcomes), outcomes
    print("hostile images:", len(outcomes), "refused:", sum(1 for _, ok in outcomes if not ok))


def test_vfat_power_off_without_umount_keeps_what_was_written(tmp_path):
    # No sync, no umount: init's exit shuts down with a sync of every fs, which writes the
    # in-memory FAT and FSInfo (super_ops.flush) and then the cache.
    img = tmp_path / "f16.img"
    make_image(img, 16)
    script = r"""
mount -t vfat /dev/vdb /mnt; echo "MOUNT $?"
mkdir "/mnt/Some Dir"
yes 0123456789abcde | head -c 40000 > "/mnt/Some Dir/forty k.txt"
echo "short lived" > "/mnt/Some Dir/note.txt"
echo DONE
"""
    rc, log, _ = run_guest(tmp_path, script, [img])
    assert "MOUNT 0" in log and "DONE" in log, log[-2000:]
    r = subprocess.run(["fsck.vfat", "-n", str(img)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    got = mtools("mcopy", "-n", "-i", str(img), "::Some Dir/note.txt", "-").stdout
    assert got == b"short lived\n"
    got = mtools("mcopy", "-n", "-i", str(img), "::Some Dir/forty k.txt", "-").stdout
    assert got == (b"0123456789abcde\n" * 2500)[:40000]


def test_vfat_concurrent_writers_on_four_harts(tmp_path):
    img = tmp_path / "f32.img"
    make_image(img, 32)
    script = r"""
mount -t vfat /dev/vdb /mnt; echo "MOUNT $?"
mkdir /mnt/shared
for w in 1 2 3 4; do
  (for i in $(seq 1 25); do
     yes "writer $w file $i" | head -c $((i * 700)) > "/mnt/shared/Writer $w long name $i.txt"
     mkdir "/mnt/shared/dir $w $i"
     [ $((i % 2)) = 0 ] && mv "/mnt/shared/Writer $w long name $i.txt" "/mnt/shared/dir $w $i/moved.txt"
     [ $((i % 5)) = 0 ] && rm -r "/mnt/shared/dir $w $i"
     ls /mnt/shared > /dev/null
   done; echo "WRITER $w done") &
done
wait
ls /mnt/shared | wc -l | sed "s/^/COUNT /"
cd /; umount /mnt; echo "UMOUNT $?"
"""
    rc, log, _ = run_guest(tmp_path, script, [img], timeout=240, cpus=4)
    assert "MOUNT 0" in log and "UMOUNT 0" in log, log[-3000:]
    for w in range(1, 5):
        assert f"WRITER {w} done" in log
    # Per writer: 25 directories less the 5 removed, and the 13 odd-numbered files (the
    # even ones moved into their directories): 33, 132 in all.
    assert re.search(r"COUNT\s+132", log), log[-2000:]
    r = subprocess.run(["fsck.vfat", "-n", str(img)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    for w in range(1, 5):
        for i in range(1, 26):
            if i % 2:
                p = f"shared/Writer {w} long name {i}.txt"
            elif i % 5:
                p = f"shared/dir {w} {i}/moved.txt"
            else:
                continue
            want = (f"writer {w} file {i}\n".encode() * 2000)[:i * 700]
            got = mtools("mcopy", "-n", "-i", str(img), "::" + p, "-").stdout
            assert got == want, p


def test_vfat_fat32_bad_root_cluster_refused(tmp_path):
    base = tmp_path / "f32.img"
    make_image(base, 32)
    fill(base, tmp_path, 32)
    data = bytearray(base.read_bytes())
    bps, spc, rsvd, nfats, rootents, fatsz = bpb(data)
    root = struct.unpack_from("<I", data, 44)[0]
    loop = bytearray(data)
    struct.pack_into("<I", loop, rsvd * bps + 4 * root, root)  # the root chain loops on itself
    far = bytearray(data)
    struct.pack_into("<I", far, 44, 0x0ffffff0)  # past the last cluster
    paths = []
    for name, img in (("loop", loop), ("far", far)):
        p = tmp_path / f"{name}.img"
        p.write_bytes(img)
        paths.append(p)
    script = "".join(GUEST_HOSTILE.format(disk=d) for d in DISKS[:2]) + "echo END\n"
    rc, log, _ = run_guest(tmp_path, script, paths)
    assert "END" in log and "panic" not in log.lower(), log[-2000:]
    assert re.search(r"^HMOUNT vdb \d+ .*Structure needs cleaning", log, re.M), log[-2000:]
    assert re.search(r"^HMOUNT vdc \d+ .*Invalid argument", log, re.M), log[-2000:]


def test_vfat_big_directory_under_a_dirty_cache(tmp_path):
    # 300 long names (about 1,000 entries, 32 KiB of directory: more blocks than one syscall
    # pins) created after 3 MiB of data filled the buffer cache with dirty blocks.
    img = tmp_path / "f16.img"
    make_image(img, 16)
    script = r"""
mount -t vfat /dev/vdb /mnt; echo "MOUNT $?"
mkdir /mnt/big
dd if=/dev/zero of=/mnt/fill bs=65536 count=48 2>/dev/null
i=0; while [ $i -lt 300 ]; do echo $i > "/mnt/big/a rather long file name number $i.text"; i=$((i+1)); done
echo "COUNT $(ls /mnt/big | wc -l)"
rm /mnt/big/*1.text
echo "COUNT2 $(ls /mnt/big | wc -l)"
cd /; umount /mnt; echo "UMOUNT $?"
"""
    rc, log, _ = run_guest(tmp_path, script, [img], timeout=240)
    assert "MOUNT 0" in log and "UMOUNT 0" in log, log[-2000:]
    assert re.search(r"COUNT\s+300", log) and re.search(r"COUNT2\s+270", log), log[-2000:]
    r = subprocess.run(["fsck.vfat", "-n", str(img)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    names = mdir_tree(img)
    assert len([n for n in names if n.startswith("big/")]) == 270
    assert mtools("mcopy", "-n", "-i", str(img), "::big/a rather long file name number 299.text",
                  "-").stdout == b"299\n"
