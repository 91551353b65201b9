# SPDX-License-Identifier: MIT
"""User space through the console: usertests on 1 and 4 harts, the shell."""
import re
import time

import pytest

from conftest import PROMPT


@pytest.mark.parametrize("cpus", [1, 4])
def test_usertests_pass(boot, cpus):
    k = boot(cpus=cpus, append="init=/bin/usertests", timeout=300)
    k.expect(r"usertests: (\d+) passed, (\d+) failed")
    passed, failed = (int(x) for x in k.p.match.groups())
    # Name the failed cases (and what they printed) in the assertion.
    log = k.p.before if isinstance(k.p.before, str) else k.p.before.decode(errors="replace")
    bad = [l for l in log.splitlines() if "not ok" in l or "FAIL" in l]
    assert failed == 0 and passed >= 30, "\n".join(bad[-20:])
    # init exits with usertests' status and the kernel powers off with it.
    assert k.wait_exit() == 0


def test_init_program_status_reaches_qemu_exit_status(boot):
    # init= runs the program; its exit status becomes QEMU's.
    k = boot(cpus=1, append="init=/bin/false")
    assert k.wait_exit() == 1
    k = boot(cpus=1, append="init=/bin/true")
    assert k.wait_exit() == 0


def shell(boot, cpus=2):
    k = boot(cpus=cpus)
    k.expect(PROMPT, timeout=60)
    return k


# Terminal control sequences a shell writes around its prompt (ash asks where the cursor
# is with ESC [ 6 n): not part of any command's output.
CSI = re.compile(r"\x1b\[[0-9;?]*[@-~]")


def run(k, line, timeout=30):
    """Run one shell line; its output with the line ends as "\n" and no control sequences.
    The guest tty sends "\r\n" (ONLCR, as Linux) and the host pty pexpect reads through adds
    its own "\r"."""
    k.send(line + "\r")
    k.expect(PROMPT, timeout=timeout)
    return CSI.sub("", k.p.before.decode(errors="replace")).replace("\r", "")


def test_shell_pipeline_redirection_and_status(boot):
    k = shell(boot)
    assert "hello world" in run(k, "echo hello world | cat | cat")
    run(k, "echo one > /tmp/f; echo two >> /tmp/f")
    out = run(k, "cat < /tmp/f")
    assert re.search(r"one\s+two", out), out
    assert re.search(r"\n\s*2\s", run(k, "cat /tmp/f | wc -l"))
    run(k, "false")
    assert "1" in run(k, "echo $?")
    assert "tmp" in run(k, "cd /; ls")


def test_ctrl_c_interrupts_foreground_program(boot):
    k = shell(boot)
    k.send("sleep 100\r")
    k.expect("sleep 100")
    time.sleep(1)  # let the shell start it: ^C reaches only running programs
    k.send("\x03")
    k.expect(PROMPT, timeout=20)
    assert "130" in run(k, "echo $?")


def test_background_job_and_wait(boot):
    k = shell(boot)
    run(k, "sleep 1 &")
    out = run(k, "echo fg-done")
    assert "fg-done" in out
    run(k, "wait", timeout=30)
