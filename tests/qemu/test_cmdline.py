# SPDX-License-Identifier: MIT
"""The kernel command line as Linux splits it: double quotes group words (and are removed),
`init=PROG ARGS...` runs PROG under init with ARGS, and the words after `--` are init's
arguments too, not kernel options."""
import shlex
import subprocess

from conftest import CONSOLE, ROOT


def boot(append, timeout=60):
    out = subprocess.run(["make", "-s", "--no-print-directory", "qemu-cmd", "CPUS=1",
                          f"QEMU_CONSOLE={CONSOLE}", "APPEND="], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    cmd = shlex.split(out.strip()) + ["-append", append]
    p = subprocess.run(["timeout", str(timeout)] + cmd, cwd=ROOT, stdin=subprocess.DEVNULL,
                       capture_output=True, timeout=timeout + 10)
    return p.returncode, p.stdout.decode(errors="replace")


def test_quotes_group_and_words_after_dashes_go_to_init():
    rc, out = boot('init=/bin/sh -c "echo [$#] [$1] [$2] [$3]" x "a b" -- c "d e"')
    assert rc == 0, out
    assert "[3] [a b] [c] [d e]" in out, out


def test_quoted_option_value_is_one_word():
    # A quoted value keeps its blanks: the program named is "/bin/echo" with one argument.
    rc, out = boot('init="/bin/echo" "one  two"')
    assert rc == 0, out
    assert "one  two" in out, out


def test_dashes_without_init_are_not_kernel_options():
    # "ktest" after "--" is an argument for init, not the in-kernel tests: init runs it
    # as its program (here it does not exist: status 127).
    rc, out = boot('-- ktest')
    assert "init: ktest: No such file" in out and " passed, " not in out, out
    assert rc == 127, out
