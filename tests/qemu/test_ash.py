# SPDX-License-Identifier: MIT
"""Busybox's ash as the console's login shell, driven as a person would drive it: line
editing and history, read, a #! script, trap, wait, and job control (Ctrl-C reaches only the
foreground job; sleep &, jobs, fg, Ctrl-Z, bg, kill %1)."""
import re
import time

from conftest import PROMPT
from test_user import run, shell

UP = "\x1b[A"
LEFT = "\x1b[D"


def test_prompt_line_editing_and_history(boot):
    k = shell(boot)
    assert "first-line" in run(k, "echo first-line")
    # Up arrow brings the last line back (ash redraws it after its prompt, so wait for the
    # command's own output line, not for a prompt); editing in its middle: left arrow, insert.
    k.send(UP)
    k.expect("echo first-line")
    k.send(LEFT * 4 + "X" + "\r")
    k.expect(r"\nfirst-Xline\r")
    k.expect(PROMPT)
    # Backspace (DEL, as a terminal sends it) erases before the cursor.
    k.send("echo abcd\x7f\x7fZ\r")
    k.expect(r"\nabZ\r")
    k.expect(PROMPT)
    assert re.search(r"^\s*\d+\s+echo first-line$", run(k, "history"), re.M)


def test_read_script_with_shebang_and_trap(boot):
    k = shell(boot)
    k.send("read x y\r")
    time.sleep(0.5)
    k.send("hello world and more\r")
    k.expect(PROMPT)
    assert "[hello][world and more]" in run(k, 'echo "[$x][$y]"')
    run(k, "printf '#!/bin/sh -e\\necho script:$0:$1\\nexit 7\\n' > /tmp/s.sh; chmod +x /tmp/s.sh")
    out = run(k, "/tmp/s.sh arg1; echo status=$?")
    assert "script:/tmp/s.sh:arg1" in out and "status=7" in out, out
    # trap runs the handler when the signal arrives, and on EXIT.
    out = run(k, "sh -c 'trap \"echo got-usr1\" USR1; trap \"echo at-exit\" EXIT; "
                 "kill -USR1 $$; echo after'")
    assert re.search(r"got-usr1\s+after\s+at-exit", out), out


def test_wait_for_background_jobs(boot):
    k = shell(boot)
    run(k, "(sleep 1; echo bg-one-done) & (sleep 2; exit 3) &")
    out = run(k, "wait %2; echo wait2=$?", timeout=30)
    assert "wait2=3" in out, out
    out = run(k, "wait; echo all-done", timeout=30)
    assert "all-done" in out


def test_ctrl_c_kills_only_the_foreground_job(boot):
    k = shell(boot)
    run(k, "sleep 100 &")
    bg = int(re.search(r"(\d+)", run(k, "echo $!")).group(1))
    k.send("sleep 200\r")
    time.sleep(1)  # let ash start it in its own foreground process group
    k.send("\x03")
    k.expect(PROMPT, timeout=20)
    assert "130" in run(k, "echo $?")
    # The background job, in another process group, did not get the SIGINT.
    out = run(k, f"kill -0 {bg}; echo alive=$?")
    assert "alive=0" in out, out
    assert "sleep 100" in run(k, "jobs")
    run(k, "kill %1")
    out = run(k, "jobs; sleep 1; jobs")
    assert "sleep 100" not in out.split("jobs")[-1] or "Terminated" in out, out


def test_job_control_ctrl_z_bg_fg(boot):
    k = shell(boot)
    k.send("sleep 100\r")
    time.sleep(1)
    k.send("\x1a")  # Ctrl-Z: SIGTSTP to the foreground group, the shell takes the terminal
    k.expect(PROMPT, timeout=20)
    out = run(k, "jobs")
    assert re.search(r"\[1\]\+?\s+Stopped\s+sleep 100", out), out
    run(k, "bg %1")
    out = run(k, "jobs")
    assert re.search(r"\[1\]\+?\s+Running\s+sleep 100", out), out
    # fg brings it back; Ctrl-C then ends it and the shell is in charge again.
    k.send("fg %1\r")
    k.expect("sleep 100")
    time.sleep(1)
    k.send("\x03")
    k.expect(PROMPT, timeout=20)
    assert "130" in run(k, "echo $?")
    assert "sleep 100" not in run(k, "jobs")
