# SPDX-License-Identifier: MIT
"""Boot the kernel in QEMU under pexpect. The command line comes from
`make qemu-cmd`, so the tests run exactly what `make qemu` runs, except that
the console is a plain stdio chardev (no -nographic mux, whose Ctrl-A escape
and Ctrl-C handling would eat test input)."""
import os
import shlex
import subprocess

import pexpect
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The console shell's prompt: busybox ash with /etc/profile's PS1 ("\w \$ "): "# " for root,
# "$ " for everyone else.
PROMPT = r"[#$] "
CONSOLE = "-display none -monitor none -chardev stdio,id=con0,signal=off -serial chardev:con0"


def qemu_command(cpus=4, append="", mem=None, extra="", initrd=True):
    args = ["make", "-s", "--no-print-directory", "qemu-cmd", f"CPUS={cpus}",
            f"QEMU_CONSOLE={CONSOLE}", f"APPEND={append}"]
    if not initrd:
        args.append("QEMU_INITRD=")
    if mem:
        args.append(f"MEM={mem}")
    out = subprocess.run(args, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return shlex.split(out.strip()) + shlex.split(extra)


class Kernel:
    def __init__(self, cpus=4, append="", mem=None, extra="", timeout=60, initrd=True):
        cmd = qemu_command(cpus, append, mem, extra, initrd)
        self.log = open(os.path.join(ROOT, "build", f"pytest-console-{os.getpid()}.log"), "ab")
        self.p = pexpect.spawn(cmd[0], cmd[1:], cwd=ROOT, timeout=timeout, logfile=self.log)
        self.p.delaybeforesend = None

    def expect(self, pattern, timeout=-1):
        return self.p.expect(pattern, timeout=timeout)

    def send(self, data):
        return self.p.send(data)

    def wait_exit(self, timeout=60):
        """QEMU's exit status once it powers off (the kernel's verdict)."""
        self.p.expect(pexpect.EOF, timeout=timeout)
        self.p.close()
        return self.p.exitstatus

    def close(self):
        if self.p.isalive():
            self.p.terminate(force=True)
        self.log.close()


@pytest.fixture
def boot():
    kernels = []

    def start(**kw):
        k = Kernel(**kw)
        kernels.append(k)
        return k

    yield start
    for k in kernels:
        k.close()
