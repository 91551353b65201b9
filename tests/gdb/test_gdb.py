# SPDX-License-Identifier: MIT
"""gdb-multiarch in batch mode against QEMU's gdb stub (a unix socket)."""
import os
import re
import shlex
import subprocess
import tempfile
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ELF = os.path.join(ROOT, "build", "kernel.elf")


def qemu_cmd(cpus, append=""):
    out = subprocess.run(["make", "-s", "--no-print-directory", "qemu-cmd", f"CPUS={cpus}",
                          "QEMU_CONSOLE=-display none -monitor none -serial null",
                          f"APPEND={append}"],
                         cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return shlex.split(out.strip())


@pytest.fixture
def qemu_halted():
    procs = []

    def start(cpus=4, append=""):
        sock = os.path.join(tempfile.mkdtemp(prefix="kgdb"), "gdb.sock")
        cmd = qemu_cmd(cpus, append) + ["-S", "-chardev",
                                        f"socket,path={sock},server=on,wait=off,id=g0",
                                        "-gdb", "chardev:g0"]
        p = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(p)
        for _ in range(100):
            if os.path.exists(sock):
                break
            time.sleep(0.05)
        return sock

    yield start
    for p in procs:
        p.kill()
        p.wait()


def gdb_batch(sock, commands, timeout=120):
    args = ["gdb-multiarch", "-nx", "-batch", "-x", os.path.join(ROOT, "tools/gdb/kernel.gdb"),
            ELF, "-ex", f"target remote {sock}"]
    for c in commands:
        args += ["-ex", c]
    r = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    return r.stdout + r.stderr


def test_stop_at_kernel_entry_on_boot_hart(qemu_halted):
    sock = qemu_halted(cpus=4)
    # OpenSBI enters _start at its physical address, with the MMU off.
    out = gdb_batch(sock, ["break *(unsigned long)&_start_pa", "continue", "print/x $pc", "print/x $a0",
                           "info threads"])
    assert re.search(r"\$1 = 0x80200000", out), out
    m = re.search(r"\$2 = 0x([0-9a-f]+)", out)
    assert m, out
    assert len(re.findall(r"Thread 1\.\d+", out)) >= 4, out


def test_break_in_secondary_hart_init_shows_file_and_line(qemu_halted):
    sock = qemu_halted(cpus=4)
    out = gdb_batch(sock, ["break secondary_main", "continue", "bt", "info threads",
                           "print hart_locals[0].hartid", "print $a0"])
    assert re.search(r"Breakpoint 1, secondary_main \(index=[1-3]\) at arch/riscv/boot\.c:\d+", out), out
    assert re.search(r"#1 .* kmain_hart .* at arch/riscv/boot\.c:\d+", out), out
    threads = re.findall(r"^\*?\s+(\d+)\s+Thread 1\.(\d+)", out, re.M)
    assert len(threads) == 4, out


def test_info_threads_lists_every_hart_while_running(qemu_halted):
    sock = qemu_halted(cpus=3)
    out = gdb_batch(sock, ["break kernel_main", "continue", "info threads"])
    assert "kernel_main" in out, out
    threads = re.findall(r"^\*?\s+(\d+)\s+Thread 1\.(\d+)", out, re.M)
    assert len(threads) == 3, out
