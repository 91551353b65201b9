# SPDX-License-Identifier: MIT
"""/proc/meminfo against the page allocator's own count, read by GDB at the moment the
file is generated: `cat /proc/meminfo` runs as init's program on one hart, GDB stops at
procfs_show_meminfo, calls page_free_count() and page_total_count(), and detaches."""
import os
import re
import shlex
import subprocess
import tempfile
import time

from test_gdb import ROOT, gdb_batch


def test_meminfo_is_within_a_page_of_the_allocator():
    tmp = tempfile.mkdtemp(prefix="kgdb")
    sock, log = os.path.join(tmp, "gdb.sock"), os.path.join(tmp, "console.log")
    out = subprocess.run(["make", "-s", "--no-print-directory", "qemu-cmd", "CPUS=1",
                          f"QEMU_CONSOLE=-display none -monitor none -serial file:{log}",
                          "APPEND=init=/bin/cat /proc/meminfo"],
                         cwd=ROOT, check=True, capture_output=True, text=True).stdout
    cmd = shlex.split(out.strip()) + ["-S", "-chardev", f"socket,path={sock},server=on,wait=off,id=g0",
                                      "-gdb", "chardev:g0"]
    p = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if os.path.exists(sock):
                break
            time.sleep(0.05)
        g = gdb_batch(sock, ["break procfs_show_meminfo", "continue", "print page_free_count()",
                             "print page_total_count()", "detach"])
        p.wait(timeout=120)
    finally:
        p.kill()
        p.wait()
    free_pages = int(re.search(r"^\$1 = (\d+)", g, re.M).group(1))
    total_pages = int(re.search(r"^\$2 = (\d+)", g, re.M).group(1))
    text = open(log, errors="replace").read()
    total = int(re.search(r"^MemTotal: +(\d+) kB", text, re.M).group(1))
    free = int(re.search(r"^MemFree: +(\d+) kB", text, re.M).group(1))
    assert total == total_pages * 4, (total, total_pages, g)
    assert abs(free - free_pages * 4) <= 4, (free, free_pages, g)
    assert "init exited with status 0" in text, text[-2000:]
