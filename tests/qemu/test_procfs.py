# SPDX-License-Identifier: MIT
"""/proc and /sys seen from the shell: the processes it started, the harts QEMU was given,
the memory the kernel reports."""
import os
import re

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
