// SPDX-License-Identifier: MIT
/*
 * TLB shootdown: after changing page-table entries of an address space that
 * another hart may be running (a truncated file's pages unmapped from every
 * process that maps it; threads later), every other hart flushes its TLB
 * before the caller frees the pages those entries named.
 *
 * A request is a generation number: the requester bumps tlb_gen and raises
 * an IPI on every other online hart; each hart, in its IPI handler, in its
 * idle wfi and while it waits for a shootdown of its own, flushes everything
 * (sfence.vma) and records the generation it caught up with in tlb_seen.
 * The requester waits until every other hart's tlb_seen reaches its
 * generation, servicing requests aimed at itself meanwhile, so two harts
 * shooting at each other never wait for one another. Call it with no lock
 * that a hart with interrupts off might be spinning on (a spinning waiter
 * pauses in wfi with interrupts off, which takes no IPI handler).
 */
#include "arch/riscv/hart.h"
#include "arch/riscv/ipi.h"
#include "kernel/arch.h"

#include <stdatomic.h>

/* A: the latest request; release by the requester (its PTE stores before),
 * acquire by the flusher. */
static atomic_ulong tlb_gen;
/* A: the generation each hart flushed for; release by the flusher (after
 * its sfence), acquire by the requester. */
static atomic_ulong tlb_seen[MAX_HARTS];

void arch_tlb_shootdown_service(void)
{
	unsigned me = hart_id();
	unsigned long g = atomic_load_explicit(&tlb_gen, memory_order_acquire);

	if (me >= MAX_HARTS || atomic_load_explicit(&tlb_seen[me], memory_order_relaxed) >= g)
		return;
	arch_flush_tlb_all();
	atomic_store_explicit(&tlb_seen[me], g, memory_order_release);
}

void arch_tlb_shootdown(void)
{
	unsigned me = hart_id(), n = hart_count();
	/* seq_cst: our PTE changes are visible before any hart sees the bump. */
	unsigned long g = atomic_fetch_add_explicit(&tlb_gen, 1, memory_order_seq_cst) + 1;

	arch_flush_tlb_all();
	atomic_store_explicit(&tlb_seen[me], g, memory_order_relaxed);
	for (unsigned h = 0; h < n; h++)
		if (h != me)
			arch_send_ipi(h);
	for (unsigned h = 0; h < n; h++) {
		for (unsigned spins = 0;
		     h != me && atomic_load_explicit(&tlb_seen[h], memory_order_acquire) < g;
		     spins++) {
			arch_tlb_shootdown_service();
			/* Under -icount the harts run in turns: let the others run. */
			if (spins >= 64)
				arch_spin_pause(10000);
			else
				arch_cpu_relax();
		}
	}
}
