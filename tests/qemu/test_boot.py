# SPDX-License-Identifier: MIT
"""Boot, banner, console echo, ktest exit status, and a console flood."""
import os
import re

import pexpect
import pytest


@pytest.mark.parametrize("cpus", [1, 4])
def test_banner_counts_every_hart(boot, cpus):
    k = boot(cpus=cpus)
    k.expect(r"harts online: (\d+) of (\d+)")
    online, total = (int(x) for x in k.p.match.groups())
    assert online == cpus and total == cpus
    k.expect(r"memory: (\d+) MiB")
    assert int(k.p.match.group(1)) == 128


def test_console_echoes_typed_text(boot):
    # No initrd: the kernel's own echo task owns the console.
    k = boot(cpus=4, initrd=False)
    k.expect("cmdline:")
    k.expect(r"\n")
    for word in ("hello", "async", "kernel"):
        k.send(word)
        k.expect_exact = None
        k.expect(word, timeout=10)


def test_failing_ktest_makes_qemu_exit_nonzero(boot):
    k = boot(cpus=1, append="ktest=failing:fails")
    k.expect(r"not ok 1 failing:")
    k.expect(r"ktest: 0 passed, 1 failed")
    assert k.wait_exit() != 0


def test_passing_ktest_makes_qemu_exit_zero(boot):
    k = boot(cpus=1, append="ktest=failing:passes")
    k.expect(r"ok 1 failing:passes")
    assert k.wait_exit() == 0


def test_console_survives_one_megabyte_of_random_bytes(boot):
    k = boot(cpus=4, timeout=120, initrd=False)
    k.expect("cmdline:")
    data = os.urandom(1 << 20)
    chunk = 4096
    for off in range(0, len(data), chunk):
        k.send(data[off:off + chunk])
        # Drain the echo as we go so neither side's buffers fill up.
        try:
            while True:
                k.p.read_nonblocking(65536, timeout=0)
        except (pexpect.TIMEOUT, pexpect.EOF):
            pass
        assert k.p.isalive(), "QEMU died during the flood"
    marker = "still-alive-%d" % os.getpid()
    k.send(marker)
    k.expect(re.escape(marker), timeout=120)
    assert k.p.isalive()


def test_kernel_fault_prints_full_report_and_fails(boot):
    k = boot(cpus=2, append="ktest=failing:kernel_fault")
    k.expect(r"kernel exception on hart 0 \(hartid \d+\): load page fault")
    k.expect(r"sepc [0-9a-f]{16} <ktest_failing_kernel_fault\+0x[0-9a-f]+>")
    k.expect(r"stval 0000000000000010")
    k.expect(r"ra +[0-9a-f]{16} +sp +[0-9a-f]{16}")
    k.expect(r"backtrace:")
    k.expect(r"<ktest_run\+0x[0-9a-f]+>")
    k.expect(r"KERNEL PANIC")
    assert k.wait_exit() != 0


def test_stack_overflow_hits_guard_page_and_is_reported(boot):
    k = boot(cpus=2, append="ktest=failing:stack_overflow")
    k.expect(r"kernel exception on hart 0 .*: store/AMO page fault")
    k.expect(r"sepc [0-9a-f]{16} <recurse\+0x[0-9a-f]+>")
    k.expect(r"KERNEL PANIC")
    assert k.wait_exit() != 0
