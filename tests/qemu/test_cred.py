# SPDX-License-Identifier: MIT
"""Users on the console: /etc/passwd and /etc/group in the image, `id`, and `su` to the
unprivileged user, who then gets EACCES on a root-only file; on the ext2 root and on the
initramfs root (no disk)."""
import os
import shlex
import subprocess

import pexpect
import pytest

from conftest import CONSOLE, ROOT, PROMPT
from test_user import CSI


def spawn(cpus, disk):
    args = ["make", "-s", "--no-print-directory", "qemu-cmd", f"CPUS={cpus}",
            f"QEMU_CONSOLE={CONSOLE}", "APPEND="]
    if not disk:
        args.append("QEMU_DISKS=")
    out = subprocess.run(args, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    cmd = shlex.split(out.strip())
    log = open(os.path.join(ROOT, "build", f"pytest-console-{os.getpid()}.log"), "ab")
    p = pexpect.spawn(cmd[0], cmd[1:], cwd=ROOT, timeout=60, logfile=log)
    p.delaybeforesend = None
    return p, log


def run(p, line, timeout=30):
    p.send(line + "\r")
    p.expect(PROMPT, timeout=timeout)
    return CSI.sub("", p.before.decode(errors="replace")).replace("\r", "")


@pytest.mark.parametrize("disk", [True, False], ids=["ext2", "initramfs"])
def test_su_to_user_gets_eacces_on_root_only_file(disk):
    p, log = spawn(2, disk)
    try:
        p.expect(PROMPT, timeout=60)
        assert "uid=0(root) gid=0(root)" in run(p, "id")
        out = run(p, "su user -c id")
        # busybox id lists getgroups() in the kernel's order: sorted, as Linux keeps it.
        assert "uid=1000(user) gid=1000(user) groups=100(users),1000(user)" in out, out
        out = run(p, "su user -c 'cat /etc/shadow; echo status=$?'")
        assert "Permission denied" in out and "status=1" in out, out
        out = run(p, "su user -c 'cat /root/x; echo status=$?'")
        assert "Permission denied" in out, out
        out = run(p, "su user -c 'echo hi > /etc/owned; echo status=$?'")
        assert "Permission denied" in out, out
        # The user's own home is writable, and what it makes is its own.
        run(p, "su - user -c 'echo mine > note'")
        out = run(p, "cat /home/user/note")
        assert "mine" in out, out
        assert "uid=0(root)" in run(p, "id")
    finally:
        if p.isalive():
            p.terminate(force=True)
        log.close()


def test_cred_and_fifo_cases_on_the_initramfs_root():
    # usertests' own runs (test_user.py) boot the ext2 root; these cases also on ramfs.
    listing = subprocess.run(["qemu-riscv64", os.path.join(ROOT, "build/user/bin/usertests"),
                              "-l"], capture_output=True, text=True)
    if listing.returncode != 0:
        cases = "cred_file_permissions cred_sticky_dir cred_chown_and_chmod fifo_poll"
    else:
        cases = " ".join(c for c in listing.stdout.split()
                         if c.startswith(("cred_", "fifo_", "exec_script")))
    args = ["make", "-s", "--no-print-directory", "qemu-cmd", "CPUS=2",
            f"QEMU_CONSOLE={CONSOLE}", "APPEND=", "QEMU_DISKS="]
    out = subprocess.run(args, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    cmd = shlex.split(out.strip()) + ["-append", f"init=/bin/usertests {cases}"]
    p = subprocess.run(["timeout", "200"] + cmd, cwd=ROOT, stdin=subprocess.DEVNULL,
                       capture_output=True, timeout=210)
    text = p.stdout.decode(errors="replace")
    assert " 0 failed" in text and p.returncode == 0, text[-3000:]
