# SPDX-License-Identifier: MIT
"""GDB commands that understand the executor (kernel/async).

  info tasks     every live task: id, name, home hart, state, counters and
                 the await chain (each future's ops->name and its state)
  task-bt ID     the await chain of one task, one future per line, with the
                 future's struct type and address (ID: gen:slot, slot, or
                 the 64-bit id)

Everything is read from memory through DWARF; no kernel function is
called, so the commands work on a kernel stopped anywhere (even in a
panic). Layout facts come from kernel/async/task_internal.h: the task
table is a directory of 4 KiB segments of struct task, the state word
holds the generation in bits 63..32 and the run state in bits 3..0.

A future's state: ops->type names the concrete struct (else the tools try
"<name>_future" and "<name>"); its `state` field, a named enum, is printed
by name. A struct without one shows its enum, bool and integer fields.
"""

import gdb

TS_RUN_MASK = 0xF
TS_FLAGS = ((1 << 4, "timed"), (1 << 8, "cancel_req"), (1 << 9, "join_handle"), (1 << 10, "join_waker"),
            (1 << 11, "finishing"))
RUN_STATES_FALLBACK = ["free", "idle", "scheduled", "running", "notified", "done",
                       "cancelled"]
CHAIN_MAX = 16


def _run_state_name(run):
    try:
        t = gdb.lookup_type("enum task_run_state")
        for f in t.fields():
            if f.enumval == run:
                return f.name[len("TASK_"):].lower()
    except gdb.error:
        pass
    if run < len(RUN_STATES_FALLBACK):
        return RUN_STATES_FALLBACK[run]
    return "?%d" % run


def _cstr(v):
    try:
        if int(v) == 0:
            return None
        raw = v.string(length=64, errors="replace")
        return raw.split("\0", 1)[0]
    except (gdb.error, gdb.MemoryError):
        return "<bad %#x>" % int(v)


def _lookup_struct(tag):
    try:
        return gdb.lookup_type("struct " + tag)
    except gdb.error:
        return None


def future_type(fut):
    """The concrete struct type of a struct future *, or None."""
    ops = fut["ops"]
    cands = []
    try:
        if "type" in [f.name for f in ops.dereference().type.fields()]:
            tag = _cstr(ops["type"])
            if tag:
                cands.append(tag)
    except gdb.MemoryError:
        return None
    name = _cstr(ops["name"]) or ""
    cands += [name + "_future", name]
    for tag in cands:
        t = _lookup_struct(tag)
        if t is not None:
            return t
    return None


def future_state(fut, t):
    """The state of the future as a string, read from its struct."""
    if t is None:
        return "?"
    v = fut.cast(t.pointer()).dereference()
    names = [f.name for f in t.fields()]
    if "state" in names:
        return str(v["state"])
    parts = []
    for f in t.fields():
        if f.name in (None, "base"):
            continue
        code = f.type.strip_typedefs().code
        if code in (gdb.TYPE_CODE_ENUM, gdb.TYPE_CODE_BOOL, gdb.TYPE_CODE_INT):
            parts.append("%s=%s" % (f.name, v[f.name]))
    return ",".join(parts) if parts else "-"


def await_chain(fut):
    """[(address, struct type name, ops name, state)] from @fut down."""
    # LAB(boot) BEGIN stub: return []
    out = []
    seen = set()
    while int(fut) != 0 and len(out) < CHAIN_MAX and int(fut) not in seen:
        seen.add(int(fut))
        try:
            name = _cstr(fut["ops"]["name"]) or "?"
            t = future_type(fut)
            st = future_state(fut, t)
            nxt = fut["awaiting"]
        except gdb.MemoryError:
            out.append((int(fut), "?", "<unreadable>", "?"))
            break
        out.append((int(fut), str(t) if t is not None else "struct future", name, st))
        fut = nxt
    return out
    # LAB(boot) END


TASK_SEG_SHIFT = 6


def live_tasks():
    """Yield (id, slot, gen, run, flags, struct task value) for live tasks."""
    table = gdb.parse_and_eval("task_table")
    task_t = gdb.lookup_type("struct task")
    per = 4096 // task_t.sizeof
    nr = int(table["nr_slots"])
    segs = table["segs"]
    for i in range(nr):
        # task_slot_of_index(): segment i // per, slot = seg << 6 | i % per
        # (TASK_SEG_SHIFT in kernel/async/task_internal.h).
        slot = (i // per) << TASK_SEG_SHIFT | (i % per)
        seg = int(segs[i // per])
        if seg == 0:
            continue
        t = gdb.Value(seg).cast(task_t.pointer())[i % per]
        s = int(t["state"])
        run = s & TS_RUN_MASK
        if run == 0:
            continue
        gen = s >> 32
        yield (gen << 32 | slot, slot, gen, run, s, t)


def _flags(s):
    return ",".join(n for bit, n in TS_FLAGS if s & bit)


class InfoTasks(gdb.Command):
    """List every live task of the executor: info tasks"""

    def __init__(self):
        super().__init__("info tasks", gdb.COMMAND_STATUS)

    def invoke(self, arg, from_tty):
        n = 0
        lines = []
        for tid, slot, gen, run, s, t in live_tasks():
            n += 1
            polls = int(t["polls"])
            w2p = int(t["wake_to_poll_ns"])
            fl = _flags(s)
            # wake_to_poll_ns and poll_ns are sums over the timed polls:
            # 1 in EXEC_TIME_SAMPLE (64), starting with the first.
            lines.append(
                "task %u:%u name=%s hart=%u state=%s%s polls=%u wakes=%u self_wakes=%u "
                "wake_to_poll_ns=%u poll_ns=%u" %
                (gen, slot, _cstr(t["name"]) or "?", int(t["home"]), _run_state_name(run),
                 (" [" + fl + "]") if fl else "", polls, int(t["wakes"]),
                 int(t["self_wakes"]), w2p, int(t["poll_ns"])))
            chain = await_chain(t["fut"])
            if chain:
                lines.append("    await: " + " -> ".join("%s[%s]" % (c[2], c[3]) for c in chain))
            else:
                lines.append("    await: (finished)")
        gdb.write("%d live tasks\n" % n)
        for l in lines:
            gdb.write(l + "\n")


def _parse_id(arg):
    arg = arg.strip()
    if ":" in arg:
        g, s = arg.split(":", 1)
        return int(g, 0), int(s, 0)
    v = int(gdb.parse_and_eval(arg))
    if v >> 32:
        return v >> 32, v & 0xFFFFFFFF
    return None, v


class TaskBt(gdb.Command):
    """Await chain of one task, one future per line: task-bt ID
ID is gen:slot (as info tasks prints it), a slot number, or a task_id_t."""

    def __init__(self):
        super().__init__("task-bt", gdb.COMMAND_STACK)

    def invoke(self, arg, from_tty):
        if not arg.strip():
            raise gdb.GdbError("usage: task-bt ID")
        gen, slot = _parse_id(arg)
        for tid, s_slot, s_gen, run, s, t in live_tasks():
            if s_slot != slot or (gen is not None and gen != s_gen):
                continue
            gdb.write("task %u:%u %s (%s)\n" % (s_gen, s_slot, _cstr(t["name"]) or "?",
                                                _run_state_name(run)))
            for i, (addr, tname, name, st) in enumerate(await_chain(t["fut"])):
                gdb.write("#%d  0x%x in (%s *) %s state=%s\n" % (i, addr, tname, name, st))
            return
        raise gdb.GdbError("no live task %s" % arg.strip())


InfoTasks()
TaskBt()
