// SPDX-License-Identifier: MIT
/*
 * PLIC: every source is routed to every hart's S-mode context; the first hart
 * to claim an interrupt handles it. On QEMU virt the S-mode context of hart h
 * is 2h + 1 (context 2h is M-mode), as the PLIC node's interrupts-extended lists.
 */
#include "arch/riscv/plic.h"

#include "arch/riscv/csr.h"
#include "arch/riscv/hart.h"
#include "kernel/arch.h"
#include "kernel/mm/layout.h"
#include "kernel/panic.h"
#include "kernel/printk.h"

#define PLIC_MAX_IRQ 128

struct irq_slot {
	void (*fn)(void *arg); /* I: set before the source is enabled */
	void *arg;             /* I */
	unsigned long count[MAX_HARTS]; /* A, by dense hart index: claims handled */
};

static volatile uint32_t *plic; /* I */
static unsigned plic_ndev;      /* I */
static struct irq_slot irq_table[PLIC_MAX_IRQ];

static unsigned s_context(unsigned long hartid)
{
	return 2 * hartid + 1;
}

static volatile uint32_t *reg(unsigned long off)
{
	return (volatile uint32_t *)((uintptr_t)plic + off);
}

void plic_init(uint64_t base_pa, unsigned ndev)
{
	plic = pa_to_va(base_pa);
	plic_ndev = ndev < PLIC_MAX_IRQ ? ndev : PLIC_MAX_IRQ - 1;
}

void plic_init_hart(void)
{
	unsigned ctx = s_context(this_hart()->hartid);

	/* Enable every source that has a handler; threshold 0 lets all through. */
	for (unsigned irq = 1; irq <= plic_ndev; irq++) {
		volatile uint32_t *en = reg(0x2000 + ctx * 0x80 + (irq / 32) * 4);

		if (irq_table[irq].fn)
			*en |= 1u << (irq % 32);
	}
	*reg(0x200000 + ctx * 0x1000) = 0;
	csr_set(sie, SIE_SEIE);
}

int arch_irq_attach(unsigned irq, void (*fn)(void *arg), void *arg)
{
	if (irq == 0 || irq > plic_ndev || irq_table[irq].fn)
		return -1;
	irq_table[irq].arg = arg;
	irq_table[irq].fn = fn;
	*reg(irq * 4) = 1; /* priority */
	/* Route it to every hart that is already up. */
	for (unsigned h = 0; h < hart_count() || h == 0; h++) {
		unsigned ctx = s_context(hart_raw_id(h));
		volatile uint32_t *en = reg(0x2000 + ctx * 0x80 + (irq / 32) * 4);

		*en |= 1u << (irq % 32);
	}
	return 0;
}

bool arch_irq_attached(unsigned irq)
{
	return irq > 0 && irq < PLIC_MAX_IRQ && irq <= plic_ndev && irq_table[irq].fn;
}

unsigned long arch_irq_count(int what, unsigned hart)
{
	if (hart >= MAX_HARTS)
		return 0;
	if (what == ARCH_IRQ_IPI)
		return __atomic_load_n(&hart_locals[hart].irq_count[0], __ATOMIC_RELAXED);
	if (what == ARCH_IRQ_TIMER)
		return __atomic_load_n(&hart_locals[hart].irq_count[1], __ATOMIC_RELAXED);
	if (what <= 0 || what >= PLIC_MAX_IRQ)
		return 0;
	return __atomic_load_n(&irq_table[what].count[hart], __ATOMIC_RELAXED);
}

void plic_handle(void)
{
	unsigned ctx = s_context(this_hart()->hartid);
	volatile uint32_t *claim = reg(0x200004 + ctx * 0x1000);
	uint32_t irq;

	while ((irq = *claim) != 0) {
		if (irq < PLIC_MAX_IRQ && irq_table[irq].fn) {
			/* Only this hart writes its count: a plain add. */
			unsigned long *c = &irq_table[irq].count[this_hart()->index];

			__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + 1, __ATOMIC_RELAXED);
			irq_table[irq].fn(irq_table[irq].arg);
		} else {
			kprintf("plic: spurious irq %u\n", irq);
		}
		*claim = irq; /* complete */
	}
}
