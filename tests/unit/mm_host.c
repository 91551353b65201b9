// SPDX-License-Identifier: MIT
/* Host harness for the kernel/mm tests; see mm_host.h. */
#include <sched.h>
#include <time.h>
#include "tests/unit/mm_host.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arch/riscv/pte.h"
#include "kernel/arch.h"
#include "kernel/mm/page.h"
#include "kernel/mm/slab.h"
#include "kernel/panic.h"
#include "kernel/printk.h"

_Thread_local unsigned mm_this_hart;
unsigned char *mm_ram;
unsigned char *mm_r0_lo, *mm_r0_hi, *mm_r1_lo, *mm_r1_hi;

unsigned hart_id(void)
{
	return mm_this_hart;
}

unsigned hart_count(void)
{
	return MAX_HARTS;
}

irqflags_t arch_irq_save(void)
{
	return 0;
}

void arch_irq_restore(irqflags_t flags)
{
	(void)flags;
}

/* The host has no TLB to flush; count calls so tests could assert them. */
unsigned long mm_tlb_flushes;

void arch_flush_tlb_page(uintptr_t va)
{
	(void)va;
	__atomic_fetch_add(&mm_tlb_flushes, 1, __ATOMIC_RELAXED);
}

void arch_flush_tlb_all(void)
{
	__atomic_fetch_add(&mm_tlb_flushes, 1, __ATOMIC_RELAXED);
}

void arch_cpu_relax(void)
{
}

void arch_spin_pause(uint64_t ns)
{
	(void)ns;
	sched_yield();
}

void arch_spin_kick(unsigned hart)
{
	(void)hart;	/* the pause above ends by itself */
}

/* Weak: some tests bring their own fake clock. */
__attribute__((weak)) uint64_t clock_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

void panic(const char *fmt, ...)
{
	static _Thread_local char msg[256]; /* cmocka prints it after the longjmp */
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mock_assert(0, msg, __FILE__, __LINE__);
	abort();
}

/* A stand-in kernel root: recognisable entries in the kernel half only. */
static pte_t fake_kroot[PTES_PER_TABLE];

const pte_t *kvm_kernel_root(void)
{
	for (unsigned i = PT_KERNEL_FIRST; i < PTES_PER_TABLE; i++)
		fake_kroot[i] = pte_make((paddr_t)i << 30, PTE_V | PTE_R | PTE_W | PTE_G);
	return fake_kroot;
}

int mm_setup_ram(void **state)
{
	(void)state;
	mm_ram = aligned_alloc(4UL << 20, MM_RAM_SIZE);
	if (!mm_ram)
		return -1;
	memset(mm_ram, MM_CANARY, MM_RAM_SIZE);
	/* Odd bounds: partial pages at both ends must be ignored. */
	mm_r0_lo = mm_ram + 3 * PAGE_SIZE + 123;
	mm_r0_hi = mm_ram + (20UL << 20) - 5000;
	mm_r1_lo = mm_ram + (21UL << 20);
	mm_r1_hi = mm_ram + MM_RAM_SIZE - PAGE_SIZE;
	page_add_range(va_to_pa(mm_r0_lo), va_to_pa(mm_r0_hi));
	page_add_range(va_to_pa(mm_r1_lo), va_to_pa(mm_r1_hi));
	return 0;
}

int mm_teardown_ram(void **state)
{
	(void)state;
	free(mm_ram);
	return 0;
}

bool mm_in_ranges(const void *p, size_t bytes)
{
	uintptr_t b = (uintptr_t)p, e = b + bytes;

	return (b >= PAGE_ALIGN_UP((uintptr_t)mm_r0_lo) &&
		e <= PAGE_ALIGN_DOWN((uintptr_t)mm_r0_hi)) ||
	       (b >= PAGE_ALIGN_UP((uintptr_t)mm_r1_lo) &&
		e <= PAGE_ALIGN_DOWN((uintptr_t)mm_r1_hi));
}

bool mm_all_bytes(const void *p, int v, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != (unsigned char)v)
			return false;
	return true;
}

size_t mm_settled_free_count(void)
{
	slab_shrink_all();
	page_drain_caches();
	return page_free_count();
}
