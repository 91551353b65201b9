# SPDX-License-Identifier: MIT
"""Corrupted disks (issue 16): a few hundred small ext2 images, each with a seeded corruption
of its metadata (bit flips in the superblock, group descriptors, bitmaps, inode table,
directory and indirect blocks; a block of random bytes; an extreme value in one field; a
directory loop; a truncated image), mounted one after another by /bin/badfs from memory
disks (kernel/block/memdisk.c: a second virtio disk holds the images back to back). Each
must give a clear error (EUCLEAN, EIO, EINVAL) or a mount that can be walked, read,
written and unmounted; never a panic or a hang; the root file system stays as it was.

Rerun: `CORRUPT_SEED=s CORRUPT_N=n python3 -m pytest tests/qemu/test_corrupt.py`; a failing
image is named by its number and corruption, and `tools/...` is not needed: the image is
rebuilt from (seed, number) by make_image()."""
import os
import random
import re
import shlex
import shutil
import struct
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONSOLE = "-display none -monitor none -serial stdio"
SEED = int(os.environ.get("CORRUPT_SEED", "16"))
N = int(os.environ.get("CORRUPT_N", "300"))
IMG_SECTORS = 2048                      # 1 MiB per image slot
MOUNT_ERRORS = {"EUCLEAN", "EIO", "EINVAL"}


def qemu_base(cpus=1):
    out = subprocess.run(["make", "-s", "--no-print-directory", "qemu-cmd", f"CPUS={cpus}",
                          f"QEMU_CONSOLE={CONSOLE}", "APPEND=", "QEMU_DISKS=", "QEMU_INITRD="],
                         cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return shlex.split(out.strip())


def drive(path, name, extra=""):
    return ["-drive", f"file={path},if=none,format=raw,id={name}{extra}",
            "-device", f"virtio-blk-device,drive={name}"]


# ---- the clean images --------------------------------------------------------------------

def make_tree(d):
    os.makedirs(os.path.join(d, "a", "b", "c"))
    os.makedirs(os.path.join(d, "big"))
    with open(os.path.join(d, "small.txt"), "w") as f:
        f.write("hello\n")
    open(os.path.join(d, "empty"), "w").close()
    rnd = random.Random(1)
    for name, size in (("ind.bin", 40000), ("dind.bin", 300000), ("a/b/c/deep.bin", 5000)):
        with open(os.path.join(d, name), "wb") as f:
            f.write(bytes(rnd.getrandbits(8) for _ in range(size)))
    for i in range(90):     # a directory of several blocks
        with open(os.path.join(d, "big", f"file-with-a-long-name-{i:03d}"), "w") as f:
            f.write(str(i))
    os.symlink("small.txt", os.path.join(d, "fast-link"))
    os.symlink("a/" + "x" * 120, os.path.join(d, "slow-link"))


def clean_images(tmp):
    tree = os.path.join(tmp, "tree")
    if not os.path.isdir(tree):
        make_tree(tree)
    imgs = []
    for bs in (1024, 4096):
        p = os.path.join(tmp, f"clean-{bs}.img")
        if not os.path.exists(p):
            subprocess.run(["mke2fs", "-q", "-F", "-t", "ext2", "-b", str(bs), "-N", "128",
                            "-d", tree, p, "1M"], check=True, capture_output=True)
        imgs.append(open(p, "rb").read())
    return imgs


# ---- where the metadata is ---------------------------------------------------------------

def layout(img):
    """Metadata regions of a clean image: {kind: [(offset, length)]}."""
    sb = img[1024:2048]
    bs = 1024 << struct.unpack_from("<I", sb, 24)[0]
    blocks, fdb = struct.unpack_from("<I", sb, 4)[0], struct.unpack_from("<I", sb, 20)[0]
    bpg, ipg = struct.unpack_from("<I", sb, 32)[0], struct.unpack_from("<I", sb, 40)[0]
    isz = struct.unpack_from("<H", sb, 88)[0]
    ngroups = (blocks - fdb + bpg - 1) // bpg
    gdt = (fdb + 1) * bs
    r = {"sb": [(1024, 264)], "gdt": [(gdt, 32 * ngroups)], "bitmap": [], "itable": [],
         "dir": [], "ind": []}
    tables = []
    for g in range(ngroups):
        bb, ib, it = struct.unpack_from("<III", img, gdt + 32 * g)
        r["bitmap"] += [(bb * bs, bs), (ib * bs, bs)]
        tables.append(it)
    used = min(ipg, 24)
    for g, it in enumerate(tables):
        r["itable"].append((it * bs, used * isz))
        for i in range(used):
            off = it * bs + i * isz
            mode = struct.unpack_from("<H", img, off)[0]
            blk = struct.unpack_from("<15I", img, off + 40)
            if mode & 0xF000 == 0x4000:
                r["dir"] += [(b * bs, bs) for b in blk[:12] if b]
            size = struct.unpack_from("<I", img, off + 4)[0]
            nblk = (size + bs - 1) // bs
            apb = bs // 4
            if mode & 0xF000 == 0x8000 and blk[12]:
                # the part of the indirect block in use (flips past it change nothing)
                r["ind"].append((blk[12] * bs, 4 * min(apb, max(1, nblk - 12))))
            if mode & 0xF000 == 0x8000 and blk[13]:
                used = max(1, nblk - 12 - apb)
                r["ind"].append((blk[13] * bs, 4 * ((used + apb - 1) // apb)))
                first = struct.unpack_from("<I", img, blk[13] * bs)[0]
                if first:
                    r["ind"].append((first * bs, 4 * min(apb, used)))
    return r, bs


def flip_bits(img, region, rnd, nbits):
    off, length = region
    for _ in range(nbits):
        byte = off + rnd.randrange(length)
        img[byte] ^= 1 << rnd.randrange(8)


FIELDS_SB = [(4, "I"), (0, "I"), (20, "I"), (24, "I"), (32, "I"), (40, "I"), (76, "I"),
             (84, "I"), (88, "H"), (96, "I"), (100, "I"), (12, "I"), (16, "I")]
FIELDS_INODE = [(0, "H"), (4, "I"), (26, "H"), (28, "I"), (40, "I"), (44, "I"), (88, "I"),
                (92, "I"), (96, "I"), (104, "I"), (108, "I")]
EXTREMES = [0, 1, 2, 3, 7, 0xFF, 0x7FFF, 0xFFFF, 0x10000, 0x7FFFFFFF, 0xFFFFFFFF]


def set_field(img, off, fmt, v):
    v &= 0xFFFF if fmt == "H" else 0xFFFFFFFF
    struct.pack_into("<" + fmt, img, off, v)


KINDS = ["sb", "gdt", "bitmap", "itable", "dir", "ind", "random-block", "field-sb",
         "field-inode", "field-dirent", "dir-loop", "truncate"]


def make_image(seed, n, clean):
    """Image n of the run with seed: (bytes, what was done). One image in four gets two to
    four corruptions at once."""
    rnd = random.Random(seed * 100003 + n)
    base = clean[n % len(clean)]
    img = bytearray(base)
    whats = []
    for _ in range(1 if rnd.random() < 0.75 else rnd.randrange(2, 5)):
        img, what = corrupt(img, base, rnd)
        whats.append(what)
        if what.startswith("truncate"):
            break
    return bytes(img), "; ".join(whats)


def corrupt(img, base, rnd):
    regions, bs = layout(base)
    kind = KINDS[rnd.randrange(len(KINDS))]
    what = kind
    if kind in ("sb", "gdt", "bitmap", "itable", "dir", "ind"):
        reg = rnd.choice(regions[kind])
        nbits = rnd.choice([1, 1, 2, 3, 8, 32, 128])
        flip_bits(img, reg, rnd, nbits)
        what += f" {nbits} bits at {reg[0]:#x}+{reg[1]}"
    elif kind == "random-block":
        allr = [x for k in ("gdt", "bitmap", "itable", "dir", "ind") for x in regions[k]]
        off, length = rnd.choice(allr)
        img[off:off + length] = bytes(rnd.getrandbits(8) for _ in range(length))
        what += f" at {off:#x}+{length}"
    elif kind == "field-sb":
        off, fmt = rnd.choice(FIELDS_SB)
        v = rnd.choice(EXTREMES)
        set_field(img, 1024 + off, fmt, v)
        what += f" sb+{off}={v:#x}"
    elif kind == "field-inode":
        off, length = rnd.choice(regions["itable"])
        ino = rnd.choice([2, 11] + list(range(12, 24)))  # root, lost+found, the tree's
        f_off, fmt = rnd.choice(FIELDS_INODE)
        isz = struct.unpack_from("<H", base, 1024 + 88)[0]
        v = rnd.choice(EXTREMES + [struct.unpack_from("<I", base, 1024 + 4)[0] - 1])
        set_field(img, off + (ino - 1) * isz + f_off, fmt, v)
        what += f" inode {ino}+{f_off}={v:#x}"
    elif kind == "field-dirent":
        off, length = rnd.choice(regions["dir"])
        # walk the entries to a real one, then break one field
        pos, ents = 0, []
        while pos + 8 <= length:
            rec = struct.unpack_from("<H", base, off + pos + 4)[0]
            ents.append(pos)
            if rec < 8:
                break
            pos += rec
        e = off + rnd.choice(ents)
        which = rnd.choice(["inode", "rec_len", "name_len", "type"])
        if which == "inode":
            set_field(img, e, "I", rnd.choice(EXTREMES))
        elif which == "rec_len":
            set_field(img, e + 4, "H", rnd.choice([0, 1, 4, 7, 9, 12, bs - 4, bs, bs + 4, 0xFFFC]))
        elif which == "name_len":
            img[e + 6] = rnd.choice([0, 1, 200, 255])
        else:
            img[e + 7] = rnd.choice([0, 2, 7, 8, 255])
        what += f" {which} at {e:#x}"
    elif kind == "dir-loop":
        # a directory's ".." (or its first entry after it) made to point at itself, a
        # descendant or the root: a cycle in the tree
        off, length = rnd.choice(regions["dir"][:8])
        e = off + 12
        if rnd.random() < 0.4:
            e += struct.unpack_from("<H", base, e + 4)[0]
        if e + 8 <= off + length:
            set_field(img, e, "I", rnd.choice([2, 12, 13, 14, 15, 16]))
            img[e + 7] = 2
        what += f" entry at {e:#x}"
    else:
        keep = rnd.randrange(1, len(img) // 512)
        what += f" to {keep} sectors"
        return img[:keep * 512], what
    return img, what


# ---- targeted cases: each found a missing check (kernel/fs/ext2/super.c), or guards one --

def sb_get(img, off, fmt="I"):
    return struct.unpack_from("<" + fmt, img, 1024 + off)[0]


def gd_off(img):
    bs = 1024 << sb_get(img, 24)
    return (sb_get(img, 20) + 1) * bs


def dir_inode(path, img_path):
    out = subprocess.run(["debugfs", "-R", f"stat {path}", img_path], capture_output=True,
                         text=True).stdout
    return int(re.search(r"Inode: (\d+)", out).group(1))


def t_blocks_past_device(img, ctx):
    struct.pack_into("<I", img, 1024 + 4, sb_get(img, 4) * 4)


def t_bitmap_at_zero(img, ctx):
    struct.pack_into("<I", img, gd_off(img), 0)


def t_bitmap_in_itable(img, ctx):
    struct.pack_into("<I", img, gd_off(img) + 4, struct.unpack_from("<I", img, gd_off(img) + 8)[0] + 1)


def t_first_ino_past_end(img, ctx):
    struct.pack_into("<I", img, 1024 + 84, sb_get(img, 0) + 5)


def t_inode_count_short(img, ctx):
    struct.pack_into("<I", img, 1024 + 0, sb_get(img, 0) - 8)


def t_dotdot_loop(img, ctx):
    """/a/b's ".." names /a/b/c: climbing ".." from c cycles (getcwd, rename checks)."""
    bs = 1024 << sb_get(img, 24)
    ipg, isz = sb_get(img, 40), sb_get(img, 88, "H")
    b, c = ctx["ino"]["/a/b"], ctx["ino"]["/a/b/c"]
    it = struct.unpack_from("<I", img, gd_off(img) + 32 * ((b - 1) // ipg) + 8)[0]
    blk0 = struct.unpack_from("<I", img, it * bs + ((b - 1) % ipg) * isz + 40)[0]
    struct.pack_into("<I", img, blk0 * bs + 12, c)


def t_self_parent(img, ctx):
    """/a/b/c's ".." names itself."""
    bs = 1024 << sb_get(img, 24)
    ipg, isz = sb_get(img, 40), sb_get(img, 88, "H")
    c = ctx["ino"]["/a/b/c"]
    it = struct.unpack_from("<I", img, gd_off(img) + 32 * ((c - 1) // ipg) + 8)[0]
    blk0 = struct.unpack_from("<I", img, it * bs + ((c - 1) % ipg) * isz + 40)[0]
    struct.pack_into("<I", img, blk0 * bs + 12, c)


# (name, change, the mount's expected result or None for "any clear outcome")
TARGETED = [
    ("blocks past the device", t_blocks_past_device, "EINVAL"),
    ("block bitmap at block 0", t_bitmap_at_zero, "EINVAL"),
    ("inode bitmap inside the inode table", t_bitmap_in_itable, "EINVAL"),
    ("first inode past the inode count", t_first_ino_past_end, "EINVAL"),
    ("inode count short of the groups'", t_inode_count_short, "EINVAL"),
    ("'..' loop between /a/b and /a/b/c", t_dotdot_loop, None),
    ("'..' of /a/b/c is itself", t_self_parent, None),
]


def targeted_images(tmp, clean):
    out = []
    for k, base in enumerate(clean):
        p = os.path.join(tmp, f"t{k}.img")
        with open(p, "wb") as f:
            f.write(base)
        ctx = {"ino": {d: dir_inode(d, p) for d in ("/a", "/a/b", "/a/b/c")}}
        for name, fn, want in TARGETED:
            img = bytearray(base)
            fn(img, ctx)
            out.append((bytes(img), f"targeted {name} ({len(base) // 1024} KiB, "
                        f"{1024 << sb_get(base, 24)}-byte blocks)", want))
    return out


# ---- a boot ----------------------------------------------------------------------------

def pack(path, images):
    hdr = bytearray(8 * 512)
    hdr[:16] = b"ASYNCRV-MEMDISK\0"
    struct.pack_into("<II", hdr, 16, len(images), IMG_SECTORS)
    with open(path, "wb") as f:
        f.write(b"\0" * (8 * 512 + len(images) * IMG_SECTORS * 512))
        for i, img in enumerate(images):
            struct.pack_into("<I", hdr, 24 + 4 * i, (len(img) + 511) // 512)
            f.seek(8 * 512 + i * IMG_SECTORS * 512)
            f.write(img)
        f.seek(0)
        f.write(hdr)


def boot(base, root, root_extra, disk, timeout=90):
    cmd = base + ["-append", "init=/bin/badfs"] + drive(root, "vda", root_extra) + \
        drive(disk, "vdb", ",snapshot=on")
    try:
        p = subprocess.run(cmd, cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=timeout)
        return p.returncode, p.stdout.decode(errors="replace"), False
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode(errors="replace") if e.stdout else ""
        return None, out, True


def check_image(idx, what, log, dev):
    """None if image idx (on dev) was handled well, else why not."""
    m = re.search(rf"^BADFS {dev} mount=(\S+)(.*)$", log, re.M)
    if not m:
        return f"image {idx} ({what}) on {dev}: no result (hang or crash)"
    if m.group(1) != "OK":
        if m.group(1) not in MOUNT_ERRORS:
            return f"image {idx} ({what}): mount failed with {m.group(1)}"
        return None
    rest = m.group(2)
    u = re.search(r"umount=(\S+)", rest)
    if not u or u.group(1) != "OK":
        return f"image {idx} ({what}): mounted, then umount {u.group(1) if u else '?'}"
    return None


def run_all(tmp, n=N, seed=SEED):
    clean = clean_images(tmp)
    base = qemu_base()
    images = [make_image(seed, i, clean) + (None,) for i in range(n)]
    images += targeted_images(tmp, clean)
    # A truncated image is smaller than its file system: the mount must say so.
    # (EIO when even the superblock is cut off.)
    images = [(b, w, ("EINVAL", "EIO") if "truncate" in w else want) for b, w, want in images]
    todo = list(range(len(images)))
    results, failures, boots = {}, [], 0
    root_copy = os.path.join(tmp, "root.img")
    shutil.copyfile(os.path.join(ROOT, "build", "fs.img"), root_copy)
    while todo:
        batch = todo[:60]
        disk = os.path.join(tmp, "images.img")
        pack(disk, [images[i][0] for i in batch])
        last = len(todo) <= 60
        # The root is a real copy (checked by e2fsck at the end); the images disk is
        # a snapshot, and memdisks never write it anyway.
        rc, log, hung = boot(base, root_copy, "", disk)
        boots += 1
        devs = dict((int(i), d) for d, i in re.findall(r"memdisk: (\w+) is image (\d+)", log))
        if "panic" in log.lower() or "exception" in log.lower():
            first = batch[0] if not devs else None
            cur = re.findall(r"^BADFS (\w+) begin", log, re.M)
            dev = cur[-1] if cur else "?"
            bad = [batch[i] for i, d in devs.items() if d == dev]
            failures.append(f"kernel panic at image {bad} ({[images[b][1] for b in bad]}): "
                            + log[-3000:])
            break
        if hung or not devs:
            failures.append(f"boot {boots} hung or mounted nothing: " + log[-3000:])
            break
        if "BADFS root intact" not in log:
            failures.append("the root file system changed: " + log[-2000:])
        for i, dev in sorted(devs.items()):
            idx = batch[i]
            why = check_image(idx, images[idx][1], log, dev)
            m = re.search(rf"^BADFS {dev} mount=(\S+)", log, re.M)
            results[idx] = m.group(1) if m else "none"
            want = images[idx][2]
            if isinstance(want, str):
                want = (want,)
            if not why and want and results[idx] not in want:
                why = f"image {idx} ({images[idx][1]}): mount gave {results[idx]}, not {want}"
            if why:
                failures.append(why)
        done = {batch[i] for i in devs}
        todo = [i for i in todo if i not in done]
    r = subprocess.run(["e2fsck", "-fn", root_copy], capture_output=True, text=True)
    if r.returncode != 0:
        failures.append("root e2fsck -fn: " + r.stdout[-1500:])
    return results, failures, boots


def test_corrupted_images_fail_cleanly_or_mount(tmp_path):
    assert os.path.exists(os.path.join(ROOT, "build", "fs.img")), "run make first"
    results, failures, boots = run_all(str(tmp_path))
    assert not failures, "\n".join(failures[:20])
    assert len(results) == N + 2 * len(TARGETED)
    mounted = sum(1 for v in results.values() if v == "OK")
    # The corruptions must reach both outcomes, or the test tests nothing.
    assert 0 < mounted < N


if __name__ == "__main__":
    import tempfile
    n = int(sys.argv[1]) if len(sys.argv) > 1 else N
    with tempfile.TemporaryDirectory() as d:
        results, failures, boots = run_all(d, n)
    for f in failures:
        print("FAIL", f[:3000])
    kinds = {}
    for v in results.values():
        kinds[v] = kinds.get(v, 0) + 1
    print(f"CORRUPT images={len(results)} boots={boots} outcomes={kinds} failures={len(failures)}")
    sys.exit(1 if failures else 0)
