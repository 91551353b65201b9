# SPDX-License-Identifier: MIT
"""/proc and /sys seen from the shell: the processes it started, the harts QEMU was given,
the memory the kernel reports."""
import os
import re
import time

from conftest import ROOT, PROMPT

from test_user import run, shell


def pids_in_proc(k):
    """The pids /proc lists, without that of the ls listing them (the newest)."""
    pids = sorted(int(x) for x in re.findall(r"^(\d+)\r*$", run(k, "ls -1 /proc"), re.M))
    return pids[:-1]


def test_proc_lists_the_processes_the_shell_started(boot):
    k = shell(boot, cpus=3)
    sh_pid = int(re.search(r"(\d+)", run(k, "echo $$")).group(1))
    before = pids_in_proc(k)
    assert 1 in before and sh_pid in before
    sleepers = []
    for _ in range(3):
        run(k, "sleep 30 &")
        sleepers.append(int(re.search(r"(\d+)", run(k, "echo $!")).group(1)))
    after = pids_in_proc(k)
    for pid in sleepers:
        assert pid in after
        stat = run(k, f"cat /proc/{pid}/stat")
        # busybox runs its applets by re-executing /proc/self/exe, so the kernel names the
        # process "exe", as Linux does (the command name is the executed file's basename).
        m = re.search(rf"^{pid} \((?:sleep|exe)\) S {sh_pid} ", stat, re.M)
        assert m, stat
    # Exactly the ones before plus the sleepers, and loadavg agrees.
    assert sorted(set(after) - set(before)) == sorted(sleepers)
    load = run(k, "cat /proc/loadavg")
    m = re.search(r"\d+\.\d\d \d+\.\d\d \d+\.\d\d (\d+)/(\d+) (\d+)", load)
    assert m, load
    # loadavg counts every process, the cat that reads it included
    assert int(m.group(2)) == len(after) + 1, (load, after)
    run(k, "kill " + " ".join(map(str, sleepers)))


def test_cpuinfo_and_sysfs_show_the_harts(boot):
    k = shell(boot, cpus=3)
    cpuinfo = run(k, "cat /proc/cpuinfo")
    assert len(re.findall(r"^processor\t: \d+", cpuinfo, re.M)) == 3, cpuinfo
    assert re.search(r"^isa\t\t: rv64i", cpuinfo, re.M), cpuinfo
    assert re.search(r"^0-2\r*$", run(k, "cat /sys/devices/system/cpu/online"), re.M)
    stat = run(k, "cat /proc/stat")
    assert len(re.findall(r"^cpu\d+ ", stat, re.M)) == 3, stat
    # btime: the wall clock at boot, so btime + uptime is the date now.
    out = run(k, "grep ^btime /proc/stat; cat /proc/uptime; date +%s")
    m = re.search(r"^btime (\d+)\n(\d+)\.\d\d \S+\n(\d+)$", out, re.M)
    assert m, out
    btime, up, now = (int(x) for x in m.groups())
    assert btime > 1600000000 and abs(btime + up - now) <= 2, out


def test_meminfo_total_is_what_the_kernel_manages(boot):
    k = boot(cpus=1)
    k.expect(r"memory: \d+ MiB \((\d+) KiB free in (\d+) pages\)")
    boot_free_kb = int(k.p.match.group(1))
    initrd_kb = os.path.getsize(os.path.join(ROOT, "build", "initrd.cpio")) // 4096 * 4
    k.expect(PROMPT, timeout=60)
    mem = run(k, "cat /proc/meminfo")
    total = int(re.search(r"MemTotal: +(\d+) kB", mem).group(1))
    free = int(re.search(r"MemFree: +(\d+) kB", mem).group(1))
    # The total is what the allocator had at boot plus at most the initrd's pages,
    # freed once its archive was unpacked (or found unused with the ext2 root).
    # tests/gdb/test_procfs_gdb.py checks the figures against the allocator exactly.
    assert boot_free_kb <= total <= boot_free_kb + initrd_kb + 4, \
        (boot_free_kb, initrd_kb, total)
    assert 0 < free < total



def test_asynctop_shows_harts_processes_and_their_futures(boot):
    k = shell(boot, cpus=2)
    run(k, "sleep 30 &")
    sleeper = int(re.search(r"(\d+)", run(k, "echo $!")).group(1))
    out = run(k, "asynctop -b -n 2 -d 0.3", timeout=60)
    assert out.count("HART  QUEUE") == 2, out
    assert re.search(r"^ +0 +\d+ +\d+ ", out, re.M) and re.search(r"^ +1 +\d+ +\d+ ", out, re.M), out
    assert re.search(r"^ +1 init +S .*userloop\[AWAIT_SYSCALL\] -> wait4", out, re.M), out
    assert re.search(rf"^ +{sleeper} (?:sleep|exe) +S .* -> sleep\[SLEEP_WAITING\]", out, re.M), \
        out
    assert re.search(r"^ +\d+ asynctop +R .*userloop\[ENTER_USER\]", out, re.M), out
    # the second refresh has rates: hart 1 (or 0) idled most of the 0.3 s
    idle = [float(x) for x in re.findall(r"^ +[01] +\d+ +\d+ +\d+ +\d+ +([\d.]+)", out, re.M)[2:]]
    assert len(idle) == 2 and max(idle) > 50, out
    run(k, f"kill {sleeper}")


def future_of(k, pid):
    return dict(re.findall(r"^(\w+):\t(.*)$", run(k, f"cat /proc/{pid}/future"), re.M))


def test_future_and_async_show_each_task_and_hart(boot):
    k = shell(boot, cpus=2)
    run(k, "sleep 100 &")
    sleeper = int(re.search(r"(\d+)", run(k, "echo $!")).group(1))
    run(k, "sleep 100 | cat &")
    reader = int(re.search(r"(\d+)", run(k, "echo $!")).group(1))
    run(k, "(while :; do :; done) &")
    spinner = int(re.search(r"(\d+)", run(k, "echo $!")).group(1))
    run(k, "(while :; do sleep 0.1; done) &")
    waker = int(re.search(r"(\d+)", run(k, "echo $!")).group(1))
    time.sleep(1)
    f = future_of(k, sleeper)
    # The outermost future (the userloop, awaiting a syscall) and the one it is blocked on.
    assert f["outermost"] == "userloop[AWAIT_SYSCALL]", f
    assert f["blocked_on"] == "sleep[SLEEP_WAITING]", f
    assert f["state"] == "idle" and int(f["hart"]) in (0, 1) and int(f["polls"]) >= 1, f
    r = future_of(k, reader)
    assert r["outermost"] == "userloop[AWAIT_SYSCALL]", r
    assert r["chain"].startswith("userloop[AWAIT_SYSCALL] -> stream_read["), r
    assert r["blocked_on"] == r["chain"].split(" -> ")[-1] != r["outermost"], r
    # The waker's shell is woken by each sleep's exit: wakes and polls go up.
    w1 = future_of(k, waker)
    time.sleep(1)
    w2 = future_of(k, waker)
    assert int(w2["wakes"]) >= int(w1["wakes"]) + 3, (w1, w2)
    assert int(w2["polls"]) >= int(w1["polls"]) + 3, (w1, w2)
    # The spinner never blocks: preemption makes it wake itself.
    s1 = future_of(k, spinner)
    time.sleep(0.5)
    s2 = future_of(k, spinner)
    assert int(s2["self_wakes"]) > int(s1["self_wakes"]), (s1, s2)
    assert s2["blocked_on"] in ("-", "(running)"), s2
    # /proc/async: a line per hart, the histogram per hart, and each task as its future says.
    a = run(k, "cat /proc/async")
    harts = re.findall(r"^ +(\d) +(\d+) +(\d+) +(\d+) +(\d+) +(\d+) +(\d+)$", a, re.M)
    assert [h[0] for h in harts] == ["0", "1"], a
    assert sum(int(h[3]) for h in harts) > 0, a
    assert re.search(r"^hart 0:( (>=)?\d+:\d+)+$", a, re.M) or re.search(r"^hart 1:( (>=)?\d+:\d+)+$", a, re.M), a
    gen, slot = f["task"].split(":")
    assert re.search(rf"^  task {gen}:{slot} userloop hart {f['hart']} idle polls \d+ wakes \d+ "
                     rf"self \d+ wake_to_poll_ns \d+ poll_ns \d+: userloop\[AWAIT_SYSCALL\] -> sys_sleep -> sleep\[SLEEP_WAITING\]$",
                     a, re.M), a
    run(k, f"kill {spinner} {waker} {sleeper}")


def cpu_times(k):
    """(uptime in ticks, {hart: (user, system, idle)}) read in one go."""
    out = run(k, "cat /proc/uptime /proc/stat")
    up = re.search(r"^(\d+)\.(\d\d) ", out, re.M)
    harts = {int(m.group(1)): (int(m.group(2)), int(m.group(4)), int(m.group(5)))
             for m in re.finditer(r"^cpu(\d+) (\d+) (\d+) (\d+) (\d+) ", out, re.M)}
    return int(up.group(1)) * 100 + int(up.group(2)), harts


def test_proc_stat_accounts_each_harts_time(boot):
    k = shell(boot, cpus=2)
    run(k, "(while :; do :; done) &")
    spinner = int(re.search(r"(\d+)", run(k, "echo $!")).group(1))
    t0, h0 = cpu_times(k)
    time.sleep(3)
    t1, h1 = cpu_times(k)
    run(k, f"kill {spinner}")
    elapsed = t1 - t0
    assert sorted(h0) == sorted(h1) == [0, 1], (h0, h1)
    d = {h: [b - a for a, b in zip(h0[h], h1[h])] for h in h0}
    # One spinner: one hart's worth of user time; each hart's user + system + idle is the
    # time that passed (ticks are cut per process and per wfi, so a few are lost).
    user = sum(x[0] for x in d.values())
    assert 0.8 * elapsed <= user <= 1.1 * elapsed, (elapsed, d)
    for h, (u, s, i) in d.items():
        assert 0.8 * elapsed <= u + s + i <= 1.1 * elapsed, (elapsed, d)
