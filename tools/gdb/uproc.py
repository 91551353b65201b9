# SPDX-License-Identifier: MIT
"""GDB commands for user programs (docs/debugging.md), next to async.py's tasks.

  info procs               every process in the kernel's pid table: pid, parent,
                           state, userloop state, the hart it is on, name,
                           executable and where its program stopped
  proc-symbols [PID|FILE]  load a user program's symbols: the executable of
                           process PID (default: the one on the selected hart),
                           found on the host under build/user/, or FILE
  user-bt [PID]            the user backtrace of a process (default: the one on
                           the selected hart), also while the hart is in the
                           kernel (in a syscall's future, a trap)
  $proc_is("name")         1 if the process on the selected hart has that name:
                           break main if $proc_is("gdbdemo")
  $proc_pid()              its pid, or 0 when the hart runs no process

Everything is read through DWARF from kernel/proc (pid_table and
current_proc in proc.c, struct proc and struct proc_image in
proc_internal.h); nothing in the kernel is called. User programs are static,
non-PIE ELF files (ET_EXEC), so their symbols go at their link addresses.
The user half of memory is the page table of whichever process the hart has
installed: user-bt of another process installs that process's table in
satp for the walk and puts every register back afterwards.
"""

import os
import struct

import gdb

DIRECT_MAP_BASE = 0xffffffc000000000
SATP_SV39 = 8 << 60
USER_TOP = 0x0000004000000000
SSTATUS_SUM = 1 << 18
# GDB's names of x1..x31, in order.
XREGS = ["ra", "sp", "gp", "tp", "t0", "t1", "t2", "fp", "s1", "a0", "a1", "a2", "a3", "a4",
         "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3",
         "t4", "t5", "t6"]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Where the unstripped programs of the initrd are (user/user.mk): /bin/X and
# /sbin/X come from build/user/bin/X; busybox from build/debian/.
SEARCH = ["build/user/bin", "build/debian", "build/user/root/bin", "build/user/root/sbin"]

_loaded = {}	# host path -> True, the user symbol files we added


def _enum_name(tname, val, prefix):
    try:
        for f in gdb.lookup_type(tname).fields():
            if f.enumval == val:
                n = f.name
                return n[len(prefix):].lower() if n.startswith(prefix) else n
    except gdb.error:
        pass
    return str(val)


def _str(v, n=256):
    try:
        if v.type.strip_typedefs().code == gdb.TYPE_CODE_ARRAY:	# char exe[] too
            v = v.address.cast(gdb.lookup_type("char").pointer())
        return v.string(length=n, errors="replace").split("\0", 1)[0]
    except (gdb.error, gdb.MemoryError):
        return "?"


class kernel_view:
    """While a hart is stopped in user mode, QEMU reads memory with the user's
    rights, so the kernel half (no U bit) cannot be read: look at memory as
    the supervisor (QEMU's virtual $priv register) and put the mode back."""

    def __enter__(self):
        try:
            self.priv = int(gdb.parse_and_eval("$priv"))
        except gdb.error:
            self.priv = None
        if self.priv == 0:
            gdb.execute("set $priv = 1", to_string=True)
        return self

    def __exit__(self, *exc):
        if self.priv == 0:
            gdb.execute("set $priv = 0", to_string=True)
        return False


def _hart_of_thread(th=None):
    th = th or gdb.selected_thread()
    return th.num - 1 if th else 0	# QEMU: thread N is hart N - 1


def current_procs():
    """{hart: proc address} of the harts running a process now."""
    cur = gdb.parse_and_eval("current_proc")
    lo, hi = cur.type.range()
    out = {}
    for h in range(lo, hi + 1):
        a = int(cur[h])
        if a:
            out[h] = a
    return out


def procs():
    """(address, struct proc value) for every pid-table entry, by pid."""
    tab = gdb.parse_and_eval("pid_table")
    lo, hi = tab.type.range()
    n = hi - lo + 1
    ptr_t = gdb.lookup_type("struct proc").pointer()
    raw = bytes(gdb.selected_inferior().read_memory(int(tab.address), n * 8))
    for i, a in enumerate(struct.unpack("<%dQ" % n, raw)):
        if a:
            yield a, gdb.Value(a).cast(ptr_t).dereference()


def proc_by_pid(pid):
    for a, p in procs():
        if int(p["pid"]) == pid:
            return a, p
    raise gdb.GdbError("no process %d in pid_table" % pid)


def proc_here():
    cur = current_procs().get(_hart_of_thread())
    if not cur:
        raise gdb.GdbError("the selected hart (thread %d) runs no process now; give a PID "
                           "(info procs)" % gdb.selected_thread().num)
    p = gdb.Value(cur).cast(gdb.lookup_type("struct proc").pointer()).dereference()
    return cur, p


def exe_path(p):
    img = int(p["image"])
    if img:
        return _str(p["image"].dereference()["exe"])
    return None


def proc_pc(p):
    return int(p["uc"]["pc"])


def _where(pc):
    try:
        b = gdb.block_for_pc(pc)
        while b is not None and b.function is None:
            b = b.superblock
        if b is not None:
            return "%s+%d" % (b.function.name, pc - b.start)
    except RuntimeError:
        pass
    s = gdb.execute("info symbol %#x" % pc, to_string=True).strip()
    if s.startswith("No symbol"):
        return ""
    return s.split(" in section", 1)[0].replace(" + ", "+")


class InfoProcs(gdb.Command):
    """List every process of the kernel's pid table: info procs
A * marks the process on the selected hart. PC is where its program resumes."""

    def __init__(self):
        super().__init__("info procs", gdb.COMMAND_STATUS)

    def invoke(self, arg, from_tty):
        with kernel_view():
            return self._invoke(arg, from_tty)

    def _invoke(self, arg, from_tty):
        on = {a: h for h, a in current_procs().items()}
        here = current_procs().get(_hart_of_thread())
        rows = []
        for a, p in procs():
            parent = int(p["parent"])
            ppid = int(p["parent"].dereference()["pid"]) if parent else 0
            state = _enum_name("enum proc_state", int(p["state"]), "PROC_")
            ustate = _enum_name("enum uloop_state", int(p["ustate"]), "ULOOP_")
            pc = proc_pc(p)
            rows.append("%s%5d %5d %-6s %-14s %-4s %-15s %-20s %#x %s" % (
                "*" if a == here else " ", int(p["pid"]), ppid, state, ustate,
                str(on[a]) if a in on else "-", _str(p["name"], 16), exe_path(p) or "-", pc,
                _where(pc)))
        gdb.write("%d processes\n  PID  PPID STATE  ULOOP          HART NAME            "
                  "EXE                  PC\n" % len(rows))
        for r in rows:
            gdb.write(r + "\n")


def host_file(guest):
    """The host file with the symbols of guest executable @guest."""
    base = os.path.basename(guest)
    for d in SEARCH:
        cand = os.path.join(ROOT, d, base)
        if os.path.isfile(cand):
            return cand
    return None


def elf_sections(path):
    """(e_type, {name: addr}) of the allocated sections of an ELF64 file."""
    with open(path, "rb") as fh:
        data = fh.read()
    if data[:4] != b"\x7fELF" or data[4] != 2:
        raise gdb.GdbError("%s: not an ELF64 file" % path)
    e_type, = struct.unpack_from("<H", data, 16)
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3a)
    hdrs = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    stroff = hdrs[shstrndx][4] if shnum else 0
    out = {}
    for name, typ, flags, addr, off, size, *_ in hdrs:
        if flags & 2 and addr:	# SHF_ALLOC
            end = data.index(b"\0", stroff + name)
            out[data[stroff + name:end].decode()] = addr
    return e_type, out


def load_symbols(path):
    path = os.path.abspath(path)
    e_type, secs = elf_sections(path)
    if e_type != 2:
        raise gdb.GdbError("%s: not ET_EXEC (a PIE or a library): only static non-PIE programs "
                           "are supported" % path)
    if ".text" not in secs:
        raise gdb.GdbError("%s: no .text section" % path)
    for old in list(_loaded):
        if old != path:	# programs share addresses: one at a time
            gdb.execute("remove-symbol-file %s" % old, to_string=True)
            del _loaded[old]
    if path in _loaded:
        return False
    args = " ".join("-s %s %#x" % (n, a) for n, a in sorted(secs.items()) if n != ".text")
    gdb.execute("add-symbol-file %s %#x %s" % (path, secs[".text"], args), to_string=True)
    _loaded[path] = True
    return True


class ProcSymbols(gdb.Command):
    """Load a user program's symbols at its link addresses: proc-symbols [PID|FILE]
Without an argument: the program of the process on the selected hart. PID: that
process's executable, looked for on the host in build/user/bin and build/debian.
FILE: a host ELF file (to set breakpoints before the process exists). One user
program's symbols are loaded at a time; loading another replaces them."""

    def __init__(self):
        super().__init__("proc-symbols", gdb.COMMAND_FILES, gdb.COMPLETE_FILENAME)

    def invoke(self, arg, from_tty):
        with kernel_view():
            return self._invoke(arg, from_tty)

    def _invoke(self, arg, from_tty):
        arg = arg.strip()
        if arg and not arg.isdigit():
            path = arg
            if not os.path.isfile(path):
                raise gdb.GdbError("no file %s" % path)
        else:
            _, p = proc_by_pid(int(arg)) if arg else proc_here()
            guest = exe_path(p)
            if not guest:
                raise gdb.GdbError("process %d has no executable yet" % int(p["pid"]))
            path = host_file(guest)
            if not path:
                raise gdb.GdbError("%s: not found under %s; give the file" % (guest, ", ".join(SEARCH)))
        new = load_symbols(path)
        gdb.write("%s symbols of %s\n" % ("loaded" if new else "already loaded",
                                           os.path.relpath(os.path.abspath(path))))


def _get(reg):
    return int(gdb.parse_and_eval("$" + reg)) & (2**64 - 1)


def _set(reg, val):
    gdb.execute("set $%s = %d" % (reg, val), to_string=True)


class UserBt(gdb.Command):
    """Backtrace of a process's user program: user-bt [PID]
In user mode, the plain backtrace. In the kernel (a trap, a syscall's future),
the program's registers saved in struct proc's uc are put in the hart for the
walk (with that process's page table in satp and sstatus.SUM set, so the
supervisor may read user pages), then every register is put back."""

    def __init__(self):
        super().__init__("user-bt", gdb.COMMAND_STACK)

    def invoke(self, arg, from_tty):
        arg = arg.strip()
        with kernel_view():
            a, p = proc_by_pid(int(arg)) if arg else proc_here()
            here = current_procs().get(_hart_of_thread()) == a
            if int(p["state"]) != 0:
                raise gdb.GdbError("process %d is a zombie: it has no program" % int(p["pid"]))
            root = int(p["as"].dereference()["root"])
            x = [int(v) & (2**64 - 1) for v in (p["uc"]["x"][i] for i in range(1, 32))]
            pc = proc_pc(p)
            head = "process %d (%s), pc %#x, userloop %s\n" % (
                int(p["pid"]), _str(p["name"], 16), pc,
                _enum_name("enum uloop_state", int(p["ustate"]), "ULOOP_"))
        if here and _get("pc") < USER_TOP:
            gdb.execute("backtrace", from_tty)	# the program itself is stopped
            return
        gdb.write(head)
        regs = ["pc"] + XREGS + ["satp", "sstatus"]
        saved = {r: _get(r) for r in regs}
        try:
            _set("satp", SATP_SV39 | ((root - DIRECT_MAP_BASE) >> 12))
            if _get("priv") != 0:
                _set("sstatus", saved["sstatus"] | SSTATUS_SUM)
            for r, v in zip(XREGS, x):
                _set(r, v)
            _set("pc", pc)
            gdb.execute("backtrace", from_tty)
        finally:
            for r in reversed(regs):
                _set(r, saved[r])
            gdb.execute("maintenance flush register-cache", to_string=True)


class ProcIs(gdb.Function):
    """$proc_is("name"): 1 if the process on the selected hart is called name."""

    def __init__(self):
        super().__init__("proc_is")

    def invoke(self, name):
        with kernel_view():
            return self._invoke(name)

    def _invoke(self, name):
        a = current_procs().get(_hart_of_thread())
        if not a:
            return 0
        p = gdb.Value(a).cast(gdb.lookup_type("struct proc").pointer()).dereference()
        return 1 if _str(p["name"], 16) == name.string() else 0


class ProcPid(gdb.Function):
    """$proc_pid(): the pid of the process on the selected hart, 0 if none."""

    def __init__(self):
        super().__init__("proc_pid")

    def invoke(self):
        with kernel_view():
            return self._invoke()

    def _invoke(self):
        a = current_procs().get(_hart_of_thread())
        if not a:
            return 0
        return int(gdb.Value(a).cast(gdb.lookup_type("struct proc").pointer())["pid"])


InfoProcs()
ProcSymbols()
UserBt()
ProcIs()
ProcPid()
