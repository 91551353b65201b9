# SPDX-License-Identifier: MIT
"""The console as a terminal, through the shell init starts on it: ^C, ^Z and
^\\ go to the foreground job only; job control (jobs, fg, bg, kill %n,
SIGTTIN for a background reader); line editing; termios modes (raw with
VMIN, VTIME, no echo) through `usertests --tty-helper`; a 4095-byte line, and a
4000-byte one read in pieces."""
import re
import time

from conftest import PROMPT
from test_user import run, shell


def status(k):
    return re.findall(r"^(\d+)$", run(k, "echo $?"), re.M)[-1]


def until_reported(k, first, pattern, tries=10):
    """The output of `first` and then of `jobs` (a job's end is reported
    before the next prompt once the shell has reaped it) until pattern shows."""
    out = run(k, first)
    for _ in range(tries):
        if re.search(pattern, out):
            return out
        time.sleep(0.5)
        out += run(k, "jobs")
    return out


def fg_then(k, cmd, key):
    """Start cmd in the foreground, then type key once it runs."""
    k.send(cmd + "\r")
    k.expect(re.escape(cmd))
    time.sleep(1)  # let the shell start it
    k.send(key)


def test_ctrl_c_reaches_only_the_foreground_job(boot):
    k = shell(boot)
    run(k, "sleep 100 &")
    assert re.search(r"\[1\]\+?\s+Running\s+sleep 100", run(k, "jobs"))
    fg_then(k, "sleep 50", "\x03")
    k.expect(PROMPT, timeout=20)
    assert status(k) == "130"
    assert re.search(r"\[1\]\+?\s+Running\s+sleep 100", run(k, "jobs"))
    out = until_reported(k, "kill %1", r"\[1\]\+?\s+Terminated\s+sleep 100")
    assert re.search(r"\[1\]\+?\s+Terminated\s+sleep 100", out), out
    assert "Running" not in run(k, "jobs")


def test_ctrl_z_then_bg_and_fg(boot):
    k = shell(boot)
    fg_then(k, "sleep 100", "\x1a")
    k.expect(r"\[1\]\+\s+Stopped\s+sleep 100", timeout=20)
    k.expect(PROMPT)
    assert status(k) == "148"  # 128 + SIGTSTP
    assert re.search(r"Stopped\s+sleep 100", run(k, "jobs"))
    assert re.search(r"\[1\]\+?\s+sleep 100", run(k, "bg"))  # ash names the job it resumes
    assert re.search(r"Running\s+sleep 100", run(k, "jobs"))
    k.send("fg\r")
    k.expect("sleep 100")
    time.sleep(1)
    k.send("\x03")
    k.expect(PROMPT, timeout=20)
    assert status(k) == "130"
    assert "sleep" not in run(k, "jobs")


def test_ctrl_backslash_quits_the_foreground_job(boot):
    k = shell(boot)
    fg_then(k, "sleep 100", "\x1c")
    k.expect(PROMPT, timeout=20)
    assert status(k) == "131"  # 128 + SIGQUIT


def test_background_reader_stops_on_sigttin(boot):
    k = shell(boot)
    out = until_reported(k, "cat &", r"Stopped \(tty input\)\s+cat")
    assert re.search(r"Stopped \(tty input\)\s+cat", out), out
    # A stopped job keeps a SIGTERM pending until it runs again (Linux; ash's kill does not
    # add a SIGCONT): SIGKILL ends it at once.
    out = until_reported(k, "kill -KILL %1", r"Killed\s+cat")
    assert re.search(r"Killed\s+cat", out), out
    assert "cat" not in run(k, "jobs")


def test_line_editing(boot):
    """The shell's own line editor (ash redraws its prompt while editing, so each case
    waits for the command's output line rather than for a prompt)."""
    k = shell(boot)
    for typed, shown in (("echo abX\x7fc", "abc"),          # erase
                         ("echo junk\x15echo ok", "ok"),    # kill the line
                         ("echo one two\x17three", "one three")):  # erase a word
        k.send(typed + "\r")
        k.expect(r"\n" + re.escape(shown) + r"\r")
        k.expect(PROMPT)


def test_raw_mode_reads_vmin_bytes_without_echo(boot):
    k = shell(boot)
    k.send("usertests --tty-helper raw\r")
    k.expect("ready")
    k.send("ab")
    time.sleep(0.5)
    k.send("c")
    k.expect(r"got 3: 61 62 63")
    assert b"abc" not in k.p.before
    k.expect(PROMPT)
    assert "done" in run(k, "echo done")  # cooked mode is back


def test_vtime_read_times_out(boot):
    k = shell(boot)
    k.send("usertests --tty-helper vtime\r")
    k.expect("ready")
    k.expect(r"vtime read 0 after (\d+) ms", timeout=20)
    assert int(k.p.match.group(1)) >= 450


def test_noecho_line(boot):
    k = shell(boot)
    k.send("usertests --tty-helper noecho\r")
    k.expect("ready")
    k.send("hunter2\r")
    k.expect(r"secret was \[hunter2\]")
    assert b"hunter2" not in k.p.before


def test_4095_byte_line(boot):
    k = shell(boot)
    k.send("usertests --tty-helper line\r")
    k.expect("ready")
    # Linux's limit: 4095 bytes and the newline; what is typed beyond is dropped.
    k.send("a" * 5000 + "\r")
    k.expect(r"line of (\d+) bytes, last (\w+)", timeout=60)
    assert k.p.match.groups() == (b"4096", b"0a")


def test_4000_byte_line_read_in_pieces(boot):
    # Issue 16 defect 9: a line of 4,000 bytes reaches ordinary programs that read it in
    # 100-byte reads (the rest of the line stays for the next read), then ^D.
    k = shell(boot)
    k.send("dd bs=100 2>/dev/null | wc -c\r")
    k.expect("wc -c")
    time.sleep(0.5)  # let the shell start it
    k.send("x" * 4000 + "\r")
    k.send("\x04")
    k.expect(r"\n\s*(\d+)\s*\r?\n", timeout=60)
    assert k.p.match.group(1) == b"4001"
    k.expect(PROMPT)
