# SPDX-License-Identifier: MIT
"""Debian's busybox reading /proc and /sys: ps, top, free, uptime, df, mount, pidof, killall,
nproc and cat /proc/self/status, each checked for the right numbers: the processes the test
started, memory against the page allocator (read by GDB), the harts QEMU was given, the root
file system against the image the host made."""
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time

import pytest

from conftest import ROOT
from test_user import run, shell

sys.path.insert(0, os.path.join(ROOT, "tests", "gdb"))
from test_gdb import gdb_batch  # noqa: E402


def shell_pid(k):
    return int(re.search(r"(\d+)", run(k, "echo $$")).group(1))


def start_sleepers(k, n, secs=300):
    pids = []
    for _ in range(n):
        run(k, f"sleep {secs} &")
        pids.append(int(re.search(r"(\d+)", run(k, "echo $!")).group(1)))
    return pids


def ps_table(k):
    """busybox ps -o pid,ppid,stat,comm: {pid: (ppid, stat, comm)}."""
    out = run(k, "ps -o pid,ppid,stat,comm")
    rows = {}
    for m in re.finditer(r"^ *(\d+) +(\d+) +(\S+) +(\S+) *$", out, re.M):
        rows[int(m.group(1))] = (int(m.group(2)), m.group(3), m.group(4))
    return rows, out


@pytest.mark.parametrize("cpus", [1, 4])
def test_ps_shows_exactly_the_processes_started(boot, cpus):
    k = shell(boot, cpus=cpus)
    sh = shell_pid(k)
    sleepers = start_sleepers(k, 3)
    rows, out = ps_table(k)
    # init, the shell, the three sleepers, and ps itself (ash forks it without an exec: a
    # child of the shell named sh, running).
    others = set(rows) - {1, sh} - set(sleepers)
    assert set(sleepers) <= set(rows) and 1 in rows and sh in rows, out
    assert len(others) == 1, out
    me = others.pop()
    assert rows[me][0] == sh and rows[me][1].startswith("R"), out
    for pid in sleepers:
        assert rows[pid][0] == sh and rows[pid][1].startswith("S"), out
    assert rows[sh][0] == 1 and rows[1][0] == 0, out
    # Killed ones go: after kill and wait, ps shows init, the shell and itself.
    run(k, "kill " + " ".join(map(str, sleepers)) + "; wait")
    rows, out = ps_table(k)
    assert len(rows) == 3 and {1, sh} <= set(rows), out


@pytest.mark.parametrize("cpus", [1, 4])
def test_top_once_counts_processes_memory_and_load(boot, cpus):
    k = shell(boot, cpus=cpus)
    sh = shell_pid(k)
    sleepers = start_sleepers(k, 2)
    out = run(k, "top -b -n 1")
    # Load average: three figures, then running/total and the last pid handed out.
    m = re.search(r"^Load average: [\d.]+ [\d.]+ [\d.]+ (\d+)/(\d+) (\d+)", out, re.M)
    assert m, out
    running, total, last = (int(x) for x in m.groups())
    # init, the shell, two sleepers and top; top is the one running (and the last pid).
    assert total == 5 and running == 1, out
    procs = re.findall(r"^ *(\d+) +(\d+) +\S+ +([RSZT])", out, re.M)
    pids = {int(p) for p, _, _ in procs}
    assert pids == {1, sh, last} | set(sleepers), out
    assert [s for p, _, s in procs if int(p) == last] == ["R"], out
    # Mem: used + free is MemTotal (top reads /proc/meminfo).
    mem = re.search(r"^Mem: (\d+)K used, (\d+)K free", out, re.M)
    assert mem, out
    meminfo = run(k, "cat /proc/meminfo")
    memtotal = int(re.search(r"MemTotal: +(\d+) kB", meminfo).group(1))
    assert int(mem.group(1)) + int(mem.group(2)) == memtotal, (out, meminfo)
    assert re.search(r"^CPU: +\d+% usr +\d+% sys .* \d+% idle", out, re.M), out
    # On the terminal (not batch): the same list, drawn with the console's size.
    out = run(k, "top -n 1")
    m = re.search(r"Load average: [\d.]+ [\d.]+ [\d.]+ (\d+)/(\d+) (\d+)", out)
    assert m and int(m.group(2)) == 5, out
    pids = {int(p) for p in re.findall(r"^ *(\d+) +\d+ +root ", out, re.M)}
    assert pids == {1, sh, int(m.group(3))} | set(sleepers), out
    run(k, "kill " + " ".join(map(str, sleepers)))


def test_free_is_the_page_allocators_count():
    """busybox free as init, one hart: GDB stops it in sysinfo, where free takes its total
    and free figures, and reads the page allocator's own counts."""
    tmp = tempfile.mkdtemp(prefix="kgdb")
    sock, log = os.path.join(tmp, "gdb.sock"), os.path.join(tmp, "console.log")
    out = subprocess.run(["make", "-s", "--no-print-directory", "qemu-cmd", "CPUS=1",
                          f"QEMU_CONSOLE=-display none -monitor none -serial file:{log}",
                          "APPEND=init=/usr/bin/free"],
                         cwd=ROOT, check=True, capture_output=True, text=True).stdout
    cmd = shlex.split(out.strip()) + ["-S", "-chardev",
                                      f"socket,path={sock},server=on,wait=off,id=g0",
                                      "-gdb", "chardev:g0"]
    p = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if os.path.exists(sock):
                break
            time.sleep(0.05)
        g = gdb_batch(sock, ["break sys_sysinfo", "continue", "print page_free_count()",
                             "print page_total_count()", "detach"])
        p.wait(timeout=120)
    finally:
        p.kill()
        p.wait()
    free_pages = int(re.search(r"^\$1 = (\d+)", g, re.M).group(1))
    total_pages = int(re.search(r"^\$2 = (\d+)", g, re.M).group(1))
    text = open(log, errors="replace").read()
    m = re.search(r"^Mem: +(\d+) +(\d+) +(\d+) +(\d+) +(\d+) +(\d+)", text, re.M)
    assert m, text[-2000:]
    total, used, free, shared, buffcache, avail = (int(x) for x in m.groups())
    assert total == total_pages * 4, (total, total_pages, g)
    assert abs(free - free_pages * 4) <= 4, (free, free_pages, g)
    assert used == total - free - buffcache and shared == 0, text
    assert free <= avail <= total, text
    assert re.search(r"^Swap: +0 +0 +0", text, re.M), text


def test_uptime_agrees_with_proc_uptime_and_loadavg(boot):
    k = shell(boot, cpus=2)
    # A busy loop for 11 s: two samples of one runnable process move the 1-minute load.
    run(k, "(while :; do :; done) &")
    spinner = int(re.search(r"(\d+)", run(k, "echo $!")).group(1))
    time.sleep(11)
    out = run(k, "uptime; cat /proc/uptime /proc/loadavg")
    m = re.search(r"up +(\d+) min, +\d+ users?, +load average: ([\d.]+), ([\d.]+), ([\d.]+)",
                  out)
    assert m, out
    up = re.search(r"^(\d+)\.\d\d (\d+)\.\d\d$", out, re.M)
    la = re.search(r"^([\d.]+) ([\d.]+) ([\d.]+) \d+/\d+ \d+$", out, re.M)
    assert up and la, out
    assert int(m.group(1)) == int(up.group(1)) // 60, out
    # sysinfo (uptime) and /proc/loadavg (top) give the same averages, now above 0.
    assert m.groups()[1:] == la.groups(), out
    assert 0.05 <= float(la.group(1)) <= 1.5, out
    run(k, f"kill {spinner}")


def test_df_reports_the_root_image(boot):
    dump = subprocess.run(["dumpe2fs", "-h", os.path.join(ROOT, "build", "fs.img")],
                          capture_output=True, text=True).stdout
    field = lambda name: int(re.search(rf"^{name}: +(\d+)", dump, re.M).group(1))
    bsize_kb = field("Block size") // 1024
    blocks, reserved, free = (field(n) * bsize_kb for n in
                              ("Block count", "Reserved block count", "Free blocks"))
    k = shell(boot, cpus=1)
    out = run(k, "df")
    m = re.search(r"^(\S+) +(\d+) +(\d+) +(\d+) +\d+% /$", out, re.M)
    assert m, out
    size, used, avail = (int(x) for x in m.groups()[1:])
    assert m.group(1).startswith("/dev/vd"), out
    # Linux leaves the metadata out of the size (ext2's default bsddf): at most the image.
    assert blocks * 0.9 <= size <= blocks, (out, blocks)
    assert used + avail + reserved == size or size - used - avail == reserved, out
    # The boot writes a few blocks (logs, /tmp): free within 2 MiB of the image's.
    assert abs((avail + reserved) - free) <= 2048, (out, free, reserved)
    # df of a file system without blocks: /proc shows 0 (busybox omits it from the list).
    assert "/proc" not in out, out


def test_mount_lists_and_follows_mounts(boot):
    k = shell(boot, cpus=1)
    out = run(k, "mount")
    assert re.search(r"^/dev/vd\S* on / type ext2 \(rw", out, re.M), out
    assert re.search(r"^proc on /proc type proc \(rw", out, re.M), out
    assert re.search(r"^sysfs on /sys type sysfs \(rw", out, re.M), out
    run(k, "mkdir -p /tmp/sysmnt && mount -t sysfs sysfs /tmp/sysmnt")
    out = run(k, "mount; cat /tmp/sysmnt/devices/system/cpu/online")
    assert re.search(r"^sysfs on /tmp/sysmnt type sysfs \(rw", out, re.M), out
    assert re.search(r"^0$", out, re.M), out
    run(k, "umount /tmp/sysmnt")
    assert "/tmp/sysmnt" not in run(k, "mount")


@pytest.mark.parametrize("cpus", [1, 4])
def test_pidof_and_killall_find_processes_by_name(boot, cpus):
    k = shell(boot, cpus=cpus)
    sleepers = start_sleepers(k, 3)
    out = run(k, "pidof sleep")
    assert sorted(int(x) for x in re.findall(r"\d+", out)) == sorted(sleepers), out
    # An unknown name: nothing, status 1.
    assert re.search(r"^status=1$", run(k, "pidof no-such-program; echo status=$?"), re.M)
    out = run(k, "killall sleep; echo status=$?")
    assert "status=0" in out, out
    run(k, "wait")
    assert "status=1" in run(k, "pidof sleep; echo status=$?")
    # Nothing else was killed: init and the shell are still there.
    assert re.search(r"^ +1 ", run(k, "ps"), re.M)
    assert "status=1" in run(k, "killall sleep; echo status=$?")


@pytest.mark.parametrize("cpus", [1, 4])
def test_nproc_is_the_hart_count(boot, cpus):
    k = shell(boot, cpus=cpus)
    # nproc: the affinity mask; --all: /sys/devices/system/cpu/cpu<N>; getconf-like readers
    # use /sys/devices/system/cpu/online.
    out = run(k, "nproc; nproc --all; cat /sys/devices/system/cpu/online")
    want_online = "0" if cpus == 1 else f"0-{cpus - 1}"
    assert re.findall(r"^(\S+)$", out, re.M)[-3:] == [str(cpus), str(cpus), want_online], out
    cpuinfo = run(k, "grep -c ^processor /proc/cpuinfo")
    assert re.search(rf"^{cpus}$", cpuinfo, re.M), cpuinfo


def test_cat_proc_self_status_describes_cat(boot):
    k = shell(boot, cpus=2)
    sh = shell_pid(k)
    # The subshell prints its pid, then becomes cat: /proc/self is then that same pid.
    out = run(k, "sh -c 'echo pid=$$; exec cat /proc/self/status'")
    pid = int(re.search(r"pid=(\d+)", out).group(1))
    st = dict(re.findall(r"^(\w+):\t(.*)$", out, re.M))
    # busybox runs its applets by executing /proc/self/exe: the name is "exe", as on Linux.
    assert st["Name"] in ("cat", "exe"), out
    assert st["State"] == "R (running)", out
    assert int(st["Pid"]) == pid == int(st["Tgid"]), out
    assert int(st["PPid"]) == sh, out
    assert st["Uid"].split() == ["0"] * 4 and st["Threads"] == "1", out
    assert st["Cpus_allowed_list"] == "0-1" and st["Cpus_allowed"] == "3", out
    rss, size = (int(st[f].split()[0]) for f in ("VmRSS", "VmSize"))
    assert 0 < rss <= size, out
    # The same process seen by ps from outside is another one: its status says so.
    other = run(k, f"cat /proc/{sh}/status")
    assert re.search(rf"^Pid:\t{sh}$", other, re.M) and re.search(r"^Name:\tsh$", other, re.M)


def test_stat_and_ps_show_the_controlling_terminal(boot):
    k = shell(boot, cpus=1)
    # cat in the foreground: its terminal is the console (5:1, Linux's encoding 1281) and
    # the terminal's foreground group is cat's own; init has none (0, -1).
    out = run(k, "cat /proc/self/stat")
    f = re.search(r"^\d+ \(\w+\) R (\d+) (\d+) (\d+) (\d+) (-?\d+) ", out, re.M)
    assert f, out
    ppid, pgrp, sid, tty, tpgid = (int(x) for x in f.groups())
    assert tty == 1281 and tpgid == pgrp and sid == shell_pid(k), out
    init = run(k, "cat /proc/1/stat")
    assert re.search(r"^1 \(init\) S 0 1 1 0 -1 ", init, re.M), init
    # wchan (field 35): 1 for a task waiting in the kernel, 0 running (Linux's, no address).
    field35 = lambda text: re.search(r"^\d+ \(\w+\) (.*)$", text, re.M).group(1).split()[32]
    assert field35(init) == "1" and field35(out) == "0", (init, out)
    rows = re.findall(r"^ *(\d+) +(\S+) +\S+$", run(k, "ps -o pid,tty,comm"), re.M)
    ttys = {int(p): t for p, t in rows}
    assert ttys[1] == "?" and ttys[shell_pid(k)] == "5,1", rows


def test_taskset_shows_in_status_and_nproc(boot):
    k = shell(boot, cpus=4)
    out = run(k, "taskset 0xd sh -c 'nproc; grep ^Cpus /proc/self/status'")
    assert re.search(r"^3$", out, re.M), out
    assert re.search(r"^Cpus_allowed:\td$", out, re.M), out
    assert re.search(r"^Cpus_allowed_list:\t0,2-3$", out, re.M), out
    out = run(k, "taskset 0x2 grep ^Cpus_allowed_list /proc/self/status")
    assert re.search(r"^Cpus_allowed_list:\t1$", out, re.M), out


def test_nice_shows_in_stat_and_ps(boot):
    k = shell(boot, cpus=1)
    # (busybox has no nice applet here: renice the shell that becomes cat)
    out = run(k, "sh -c 'renice -n 5 -p $$>/dev/null; exec cat /proc/self/stat'")
    f = re.search(r"\) R(?: -?\d+){14} (-?\d+) (-?\d+) ", out)
    assert f and f.groups() == ("25", "5"), out
    run(k, "sleep 100 &")
    pid = int(re.search(r"(\d+)", run(k, "echo $!")).group(1))
    run(k, f"renice -n 7 -p {pid}")
    rows = dict(re.findall(r"^ *(\d+) +(-?\d+) *$", run(k, "ps -o pid,nice"), re.M))
    assert rows[str(pid)] == "7" and rows["1"] == "0", rows
    run(k, f"kill {pid}")


def test_ps_pidof_top_and_killall_with_a_thousand_processes(boot):
    k = boot(cpus=2, mem="256M")
    k.expect(r"[#$] ", timeout=60)
    run(k, "i=0; while [ $i -lt 1000 ]; do sleep 1000 & i=$((i+1)); done", timeout=600)
    # ps alone (a pipe's wc may start before or after ps reads /proc): its header, init,
    # the shell, the thousand and itself (a forked shell).
    out = run(k, "ps > /tmp/ps.txt; wc -l < /tmp/ps.txt; pidof sleep > /tmp/pidof.txt; "
                 "wc -w < /tmp/pidof.txt", timeout=300)
    assert re.findall(r"^ *(\d+)$", out, re.M) == ["1004", "1000"], out
    out = run(k, "top -b -n 1 | grep -c ' sleep 1000$'; grep -o ' [0-9]*/[0-9]* ' /proc/loadavg",
              timeout=300)
    m = re.search(r"^(\d+)\n (\d+)/(\d+) $", out, re.M)
    assert m and m.group(1) == "1000" and 1003 <= int(m.group(3)) <= 1005, out
    run(k, "killall sleep; wait", timeout=300)
    # All gone: the header, init, the shell and ps.
    assert re.search(r"^ *4$", run(k, "ps > /tmp/ps.txt; wc -l < /tmp/ps.txt"), re.M)
