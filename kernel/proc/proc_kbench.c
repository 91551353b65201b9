// SPDX-License-Identifier: MIT
/*
 * Kernel memory held by a process blocked in a syscall, by part, from the
 * sizes the allocators actually hand out (a cache's object stride, a kmalloc
 * size class; not sizeof): struct proc (its slab cache), the executor's task
 * slot and queue slot, the file table with its initial slots, the
 * address-space struct and its VMAs (a static glibc program has 4: text
 * and data, which map the file (struct vma_file, 40 bytes), the bss and
 * heap as one, and the stack), and the pending syscall future (a pipe read: the
 * stream future's cache). Page tables are not counted.
 *
 * The FP state is allocated only when a program first writes an FP register
 * (arch/riscv/uctx.h), so there are two totals: without it (static glibc
 * programs that do no FP arithmetic; glibc's startup only reads the FP
 * registers, in setjmp) and with it.
 */
#include "kernel/async/executor.h"
#include "kernel/fs/fdtable.h"
#include "kernel/kbench.h"
#include "kernel/mm/as.h"
#include "kernel/mm/as_int.h"
#include "kernel/proc/proc_internal.h"

size_t file_stream_future_alloc_size(void); /* kernel/fs/file_rw.c */

KBENCH(proc_state_bytes)
{
	uint64_t proc = proc_alloc_size();
	uint64_t task = 128; /* task slot + queue slot, static_assert'ed in kernel/async */
	uint64_t fdt = fdtable_alloc_size();
	uint64_t as = (sizeof(struct as) + 7) & ~7ul;   /* as.c's cache stride */
	/* text, data: file mappings; bss and heap (one area once brk moved), stack. */
	uint64_t vmas = 2 * as_vma_file_cache.size + 2 * as_vma_cache.size;
	uint64_t fut = file_stream_future_alloc_size();
	uint64_t fp = uctx_fp_alloc_size();
	uint64_t total = proc + task + fdt + as + vmas + fut;

	kbench_report("proc_state_struct_proc", proc, 1, "bytes");
	kbench_report("proc_state_task", task, 1, "bytes");
	kbench_report("proc_state_fdtable", fdt, 1, "bytes");
	kbench_report("proc_state_as_and_vmas", as + vmas, 1, "bytes");
	kbench_report("proc_state_pipe_read_future", fut, 1, "bytes");
	kbench_report("proc_state_fp_state", fp, 1, "bytes (after the first FP write)");
	kbench_report("proc_state_total_blocked", total, 1, "bytes (no FP state; plus page tables)");
	kbench_report("proc_state_total_blocked_fp", total + fp, 1,
		      "bytes (with FP state; plus page tables)");
}
