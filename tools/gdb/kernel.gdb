# SPDX-License-Identifier: MIT
# gdb-multiarch setup for the kernel: `make gdb` sources this.
set confirm off
set pagination off
set architecture riscv:rv64
set print pretty on
# Each hart is a GDB thread; `info threads` lists them, `thread N` switches.
# Python commands that understand the executor (info tasks, task-bt) and the
# processes (info procs, proc-symbols, user-bt: docs/debugging.md), if present.
python
import os
d = os.path.join(os.path.dirname(os.path.abspath(gdb.current_progspace().filename or ".")), "..", "tools", "gdb")
for f in ("async.py", "uproc.py"):
    for cand in (os.path.join("tools/gdb", f), os.path.join(d, f)):
        if os.path.exists(cand):
            gdb.execute("source " + cand)
            break
end
