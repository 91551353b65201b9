# SPDX-License-Identifier: MIT
"""The virtio and bcache ktest suites with a scratch disk attached: they
write all over build/scratch.img (16 MiB of zeros, made here), so no real
image is ever at risk."""
import os

import pytest

from conftest import ROOT, Kernel

SCRATCH = os.path.join(ROOT, "build", "scratch.img")
DISK = (f"-drive file={SCRATCH},if=none,format=raw,id=scratch0 "
        "-device virtio-blk-device,drive=scratch0")


def make_scratch():
    os.makedirs(os.path.dirname(SCRATCH), exist_ok=True)
    with open(SCRATCH, "wb") as f:
        f.truncate(16 << 20)


@pytest.mark.parametrize("cpus", [1, 4])
def test_disk_ktests_pass(cpus):
    make_scratch()
    k = Kernel(cpus=cpus, append="ktest=virtio,bcache", extra=DISK, timeout=120)
    try:
        if k.expect([r"blkdev: vda: \d+ sectors", r"ktest: running"]) == 1:
            pytest.skip("blkdev_probe_all() is not called at boot yet")
        k.expect(r"ktest: (\d+) passed, (\d+) failed")
        passed, failed = int(k.p.match.group(1)), int(k.p.match.group(2))
        assert failed == 0
        assert passed == 15
        assert k.wait_exit() == 0
        assert b"skipped: no disk" not in (k.p.before or b"")
    finally:
        k.close()


def test_no_disk_skips_cleanly():
    k = Kernel(cpus=1, append="ktest=virtio,bcache", timeout=60)
    try:
        k.expect(r"ktest: (\d+) passed, (\d+) failed")
        assert int(k.p.match.group(2)) == 0
        assert k.wait_exit() == 0
    finally:
        k.close()
