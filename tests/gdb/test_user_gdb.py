# SPDX-License-Identifier: MIT
"""GDB for user programs (tools/gdb/uproc.py, docs/debugging.md) against a
stopped kernel running /bin/gdbdemo (user/tools/gdbdemo.c) as its first
program: main -> gdbdemo_middle -> gdbdemo_leaf -> read() of a pipe that a
forked child writes 100 ms later.
"""
import re

from test_gdb import ROOT, gdb_batch, qemu_halted  # noqa: F401 (fixture)

DEMO = "build/user/bin/gdbdemo"
PROC_RE = r"^(\*| )\s*(\d+)\s+(\d+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+0x([0-9a-f]+)"
USER_FRAMES = (r"#\d+\s+(?:0x[0-9a-f]+ in )?gdbdemo_leaf \(.*\) at user/tools/gdbdemo\.c:\d+\n"
               r"#\d+\s+0x[0-9a-f]+ in gdbdemo_middle \(.*\) at user/tools/gdbdemo\.c:\d+\n"
               r"#\d+\s+0x[0-9a-f]+ in main \(\) at user/tools/gdbdemo\.c:\d+")
# Set a temporary breakpoint on glibc's ecall in read() and keep its address in $ecall.
BREAK_ECALL = ("python exec(\"a = int(gdb.parse_and_eval('(long)&read'))\\n"
               "for i in gdb.selected_frame().architecture().disassemble(a, count=40):\\n"
               "    if i['asm'].startswith('ecall'):\\n"
               "        gdb.execute('tbreak *%d' % i['addr'])\\n"
               "        gdb.set_convenience_variable('ecall', i['addr'])\\n"
               "        break\")")


def procs(out):
    return {int(m[1]): m for m in re.findall(PROC_RE, out, re.M)}


def test_break_main_of_a_user_program_and_list_processes(qemu_halted):  # noqa: F811
    sock = qemu_halted(cpus=2, append="init=/bin/gdbdemo")
    out = gdb_batch(sock, ["proc-symbols " + DEMO,
                           'break main if $proc_is("gdbdemo")', "continue",
                           "print $proc_pid()", "info procs",
                           "break gdbdemo_leaf", "continue", "bt", "user-bt",
                           "proc-symbols", "proc-symbols 99", "info procs"])
    assert "loaded symbols of " + DEMO in out, out
    assert re.search(r"Breakpoint 1, main \(\) at user/tools/gdbdemo\.c:\d+", out), out
    m = re.search(r"^\$1 = (\d+)$", out, re.M)
    assert m and int(m.group(1)) >= 1, out
    pid = int(m.group(1))
    ps = procs(out.split("Breakpoint 2,")[0])
    assert pid in ps, out
    mark, _, ppid, state, uloop, hart, name, exe, pc = ps[pid]
    assert (mark, state, uloop, name, exe) == ("*", "alive", "enter_user", "gdbdemo",
                                               "/bin/gdbdemo"), out
    assert hart.isdigit() and int(ppid) in ps, out
    # The user backtrace at a user breakpoint, plain and through user-bt.
    assert re.search(r"Breakpoint 2, gdbdemo_leaf \(fd=3, depth=(?:depth@entry=)?2\)", out), out
    assert len(re.findall(USER_FRAMES, out)) == 2, out
    # By the current process: the same file, already loaded; a bad pid is an error.
    assert "already loaded symbols of " in out, out
    assert "no process 99 in pid_table" in out, out
    # After the fork: the child is listed too, with the same program.
    after = procs(out.split("Breakpoint 2,")[1])
    kids = [p for p in after.values() if int(p[2]) == pid]
    assert len(kids) == 1 and kids[0][6] == "gdbdemo" and kids[0][0] == " ", out


def test_step_from_user_code_through_the_trap_into_the_future_and_back(qemu_halted):  # noqa: F811
    sock = qemu_halted(cpus=2, append="init=/bin/gdbdemo")
    out = gdb_batch(sock, ["proc-symbols " + DEMO, "break gdbdemo_leaf", "continue", "delete",
                           BREAK_ECALL, "continue", "print/x $ecall",
                           "tbreak user_trap_vector", "continue", "print $priv",
                           "tbreak sys_read", "continue", "bt 4", "user-bt",
                           "break stream_poll", "continue", "bt 3", "info tasks", "delete",
                           "tbreak *($ecall + 4)", "continue", "print $priv", "bt", "info procs"])
    m = re.search(r"^\$1 = (0x[0-9a-f]+)$", out, re.M)
    assert m, out
    ecall = int(m.group(1), 16)
    assert re.search(r"Temporary breakpoint \d+, 0x0*%x in read \(\)" % ecall, out), out
    # The trap: the kernel's user vector, in supervisor mode.
    assert re.search(r"Temporary breakpoint \d+, user_trap_vector \(\) at arch/riscv/uentry\.S", out), out
    assert re.search(r"^\$2 = 1$", out, re.M), out
    # The syscall, called by the userloop's poll; user-bt shows the program below it.
    assert re.search(r"sys_read \(sc=.*\) at kernel/fs/sys_rw\.c:\d+\n#1 .* do_syscall .*\n"
                     r"#2 .* uloop_run .*\n#3 .* uloop_poll ", out), out
    assert re.search(r"process \d+ \(gdbdemo\), pc 0x0*%x, userloop enter_user\n"
                     r"#0\s+0x0*%x in read \(\)\n" % (ecall + 4, ecall + 4) + USER_FRAMES, out), out
    # The future the read waits in, polled by the userloop, and in its task's await chain.
    assert re.search(r"Breakpoint \d+, stream_poll \(.*\) at kernel/fs/file_rw\.c", out), out
    assert re.search(r"^#0\s+stream_poll .*\n(?:#[12] .*\n)?#[12] .* uloop_run ", out, re.M), out
    assert re.search(r"name=userloop .*\n    await: userloop\[.*\] -> stream_read\[", out), out
    # Back in the program, just after the ecall, in user mode, the same stack.
    assert re.search(r"Temporary breakpoint \d+, 0x0*%x in read \(\)" % (ecall + 4), out), out
    assert re.search(r"^\$3 = 0$", out, re.M), out
    assert re.search(r"#0\s+0x0*%x in read \(\)\n" % (ecall + 4) + USER_FRAMES, out), out
