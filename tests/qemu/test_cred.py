# SPDX-License-Identifier: MIT
"""Users on the console: /etc/passwd and /etc/group in the image, `id`, and `su` to the
unprivileged user, who then gets EACCES on a root-only file; on the ext2 root and on the
initramfs root (no disk)."""
import os
import shlex
import subprocess

import pexpect
import pytest

from conftest import CONSOLE, ROOT


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
    p.expect(r"\$ ", timeout=timeout)
    return p.before.decode(errors="replace")


@pytest.mark.parametrize("disk", [True, False], ids=["ext2", "initramfs"])
def test_su_to_user_gets_eacces_on_root_only_file(disk):
    p, log = spawn(2, disk)
    try:
        p.expect(r"\$ ", timeout=60)
        assert "uid=0(root) gid=0(root)" in run(p, "id")
        assert "uid=1000(user) gid=1000(user) groups=1000(user),100(users)" in \
            run(p, "su user -c id")
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
