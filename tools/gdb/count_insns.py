# SPDX-License-Identifier: MIT
"""Count the instructions a hart executes from one function's entry to
another's, exactly, by single-stepping under GDB. Used for the wake-to-poll
figure (tools/count-insns.sh runs it); independent of any clock.

Parameters come as GDB convenience variables, set before sourcing:
  $ci_socket  path of QEMU's gdbstub socket
  $ci_start   function whose entry starts the bench (stepping begins after)
  $ci_from    function whose entry starts one count
  $ci_to      function whose entry ends it
  $ci_n       how many counts
GDB steps an LR/SC sequence as one step; each lr.* counts 3 more (lr,
branch, sc, branch).
"""
import collections
import re

import gdb


def _str(name):
    return gdb.parse_and_eval("$" + name).string()


def _addr(expr):
    return int(gdb.parse_and_eval("(unsigned long)&" + expr)) & 0xFFFFFFFFFFFFFFFF


gdb.execute("set pagination off")
gdb.execute("set suppress-cli-notifications on")
gdb.execute("target remote " + _str("ci_socket"))
gdb.execute("break " + _str("ci_start"))
gdb.execute("continue", to_string=True)
gdb.execute("delete")
to = _addr(_str("ci_to"))
n = int(gdb.parse_and_eval("$ci_n"))
bp = gdb.Breakpoint(_str("ci_from"), internal=True)
counts = []
for _ in range(n):
    gdb.execute("continue", to_string=True)
    bp.enabled = False
    k = 0
    while True:  # at least one step, so FROM and TO may be the same function
        pc = int(gdb.parse_and_eval("$pc")) & 0xFFFFFFFFFFFFFFFF
        if re.search(r"\slr\.", gdb.execute("x/i %d" % pc, to_string=True)):
            k += 3
        k += 1
        gdb.execute("stepi", to_string=True)
        if int(gdb.parse_and_eval("$pc")) & 0xFFFFFFFFFFFFFFFF == to:
            break
    counts.append(k)
    bp.enabled = True
hist = collections.Counter(counts)
print("COUNT %s -> %s over %d: mean %.2f, most often %d; histogram %s" % (
    _str("ci_from"), _str("ci_to"), n, sum(counts) / n, hist.most_common(1)[0][0],
    dict(sorted(hist.items()))))
gdb.execute("kill")
