// SPDX-License-Identifier: MIT
/*
 * The vDSO (arch/riscv/vdso/): its image is embedded in the kernel (blob.S); at boot its
 * pages and one data page are set up once, and execve maps them into every new program,
 * shared by all (the data page read-only, "[vvar]" in /proc/<pid>/maps, then the image,
 * read and execute, "[vdso]"), announcing
 * the image with AT_SYSINFO_EHDR. glibc then reads CLOCK_MONOTONIC, CLOCK_REALTIME and
 * gettimeofday from the time CSR without a trap. See vdso.h.
 */
#include "kernel/mm/vdso.h"

#include <stdatomic.h>

#include "arch/riscv/vdso/vdso_data.h"
#include "kernel/arch.h"
#include "kernel/mm/as.h"
#include "kernel/mm/as_int.h"
#include "kernel/mm/page.h"
#include "kernel/printk.h"
#include "kernel/spinlock.h"
#include "lib/errno.h"
#include "lib/string.h"

extern const char vdso_image_start[], vdso_image_end[];

#define VDSO_MAX_PAGES 4

static void *pages[1 + VDSO_MAX_PAGES];	/* I: the data page, then the image's */
static unsigned npages;			/* I: all of them; 0 when there is no vDSO */
static struct spinlock data_lock = SPINLOCK_INIT("vdso"); /* the data page's writers */

/* The clock's scale in the data page (arch/riscv/timer.c's, for the vDSO's copy). */
void vdso_init(uint64_t boot_ticks, uint64_t ns_per_tick_q32)
{
	size_t len = (size_t)(vdso_image_end - vdso_image_start);
	unsigned n = (unsigned)(PAGE_ALIGN_UP(len) >> PAGE_SHIFT);
	struct vdso_data *d;

	if (!len || n > VDSO_MAX_PAGES || memcmp(vdso_image_start, "\177ELF", 4)) {
		kprintf("vdso: no usable image (%lu bytes)\n", (unsigned long)len);
		return;
	}
	for (unsigned i = 0; i <= n; i++) {
		pages[i] = page_alloc();
		if (!pages[i]) {
			kprintf("vdso: out of memory\n");
			while (i--)
				page_free(pages[i]);
			return;
		}
	}
	for (unsigned i = 0; i < n; i++) {
		size_t off = (size_t)i << PAGE_SHIFT;

		memcpy(pages[1 + i], vdso_image_start + off, len - off < PAGE_SIZE ? len - off : PAGE_SIZE);
	}
	d = pages[0];
	d->boot_ticks = boot_ticks;
	d->ns_per_tick_q32 = ns_per_tick_q32;
	d->realtime_offset_ns = 0;
	atomic_thread_fence(memory_order_release);
	npages = 1 + n;
}

size_t vdso_size(void)
{
	return (size_t)npages << PAGE_SHIFT;
}

long vdso_map(struct as *as)
{
	long at;
	int err = 0;

	if (!npages)
		return 0;
	/* Where mmap would put it: the top of the mmap area, below the stack. */
	at = as_mmap(as, 0, vdso_size(), AS_PROT_READ | AS_PROT_EXEC, 0);
	if (at < 0)
		return at;
	for (unsigned i = 0; !err && i < npages; i++) {
		page_ref_get(pages[i]); /* the leaf's; the kernel keeps its own */
		err = as_map_page(as, (uintptr_t)at + ((uintptr_t)i << PAGE_SHIFT), pages[i]);
		if (err)
			page_ref_put(pages[i]);
	}
	/* The data page is read, never run: an area of its own, as Linux's [vvar]. */
	if (!err)
		err = as_protect(as, (uintptr_t)at, PAGE_SIZE, AS_PROT_READ);
	return err ? err : at + (long)PAGE_SIZE;
}

const char *vdso_vma_name_locked(struct as *as, uintptr_t start)
{
	pte_t *pte = npages ? as_walk(as, start, false) : NULL;

	if (!pte || !(*pte & PTE_V))
		return NULL;
	if (pte_page(*pte) == pages[0])
		return "[vvar]";
	return pte_page(*pte) == pages[1] ? "[vdso]" : NULL;
}

void vdso_set_realtime_offset(int64_t ns)
{
	struct vdso_data *d = pages[0];

	if (!npages)
		return;
	/* One writer at a time; readers retry around it (seq odd or changed). */
	irqflags_t fl = spin_lock_irqsave(&data_lock);

	atomic_store_explicit((_Atomic uint32_t *)&d->seq, d->seq + 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	d->realtime_offset_ns = ns;
	atomic_thread_fence(memory_order_release);
	atomic_store_explicit((_Atomic uint32_t *)&d->seq, d->seq + 1, memory_order_relaxed);
	spin_unlock_irqrestore(&data_lock, fl);
}
