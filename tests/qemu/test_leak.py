# SPDX-License-Identifier: MIT
"""The leak check (issue 16; user/fuzz/leakcheck.c, docs/reliability.md): in one boot, with
caches dropped before and after, a workload gives back every page and every slab object it
took. `fuzz leak` is init on a writable copy of the ext2 image; it prints what differs and a
LEAK: line. One allowance, read from the kernel: the task table's pages, which never shrink
(a task id names its slot for good), may grow by the segments a workload added."""
import re

from test_fs import copy_image, drive, e2fsck, run_qemu

LEAK_LINE = re.compile(r"LEAK: free_kb_before=(\d+) free_kb_after=(\d+) allowed_kb=(\d+) "
                       r"slab_changed=(\d+) tries=(\d+) result=(\w+)")


def leak_check(tmp_path, cmds, timeout=600, cpus=4):
    root = copy_image(tmp_path)
    # "++" separates the commands (the kernel keeps "--" for itself).
    rc, log = run_qemu(cpus, "init=/bin/fuzz leak " + " ++ ".join(cmds), drive(root, "vda"),
                       timeout)
    assert "KERNEL PANIC" not in log, log[-4000:]
    m = LEAK_LINE.search(log)
    assert m, log[-3000:]
    return rc, log, m, root


def test_running_programs_leaks_nothing(tmp_path):
    # Each first run of a program faults its text in; once that leaked a page-cache
    # reference per page (see uloop.c handle_fault). /proc/mounts right after a drop
    # misses the disk cache for two mount points; once the second miss's parked read
    # replaced the first, which leaked with its buffer (proc_sys.c mounts_snapshot).
    rc, log, m, _ = leak_check(tmp_path, ["/bin/true", "/bin/fsload", "/bin/usertests exit_status", "/bin/cat /proc/mounts"])
    assert m.group(6) == "ok", log[log.find("leak: measuring"):]
    assert rc == 0


def test_usertests_and_fuzzer_in_one_boot_leak_nothing(tmp_path):
    # The whole usertests, then a fuzzer campaign, in one boot: MemFree and every slab
    # cache's objects are back to their starting figures once caches are dropped.
    rc, log, m, root = leak_check(tmp_path, ["/bin/usertests", "/bin/fuzz -s 11 -n 20000 -q"],
                                  timeout=900)
    assert re.search(r"usertests: \d+ passed", log), log[-3000:]
    assert "FUZZ: " in log and "result=ok" in log, log[-3000:]
    # Every slab cache's objects are back, exactly. Free memory too, but for the task
    # table's growth (allowed_kb) and at most one page: one run in three leaves a page
    # that the same workload run three times in a row does not (thread_stress_many
    # alone shows it too); not explained yet (docs/reliability.md).
    before, after, allowed, slabs = (int(m.group(i)) for i in (1, 2, 3, 4))
    tail = log[log.find("leak: /bin/fuzz ended"):]
    assert slabs == 0, tail
    assert 0 <= before - after - allowed <= 4, tail
    r = e2fsck(root)
    assert r.returncode == 0, r.stdout + r.stderr
