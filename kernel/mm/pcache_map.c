// SPDX-License-Identifier: MIT
/*
 * The mappers of a page cache: the address spaces that mmap(2) the file,
 * each counted once with its number of such mappings, so that truncating
 * the file can unmap the pages past its new end from all of them (a later
 * access is SIGBUS, as Linux). See pcache.h.
 *
 * Lock legend: M pc->maps_lock. Order: as->lock -> M (the mapping side adds
 * and removes entries under as->lock); pcache_unmap_from() holds M and only
 * trylocks an address space, frees the pages it unmapped only after a TLB
 * shootdown, with every lock dropped.
 */
#include "kernel/mm/pcache.h"
#include "kernel/mm/pcache_int.h"

#include "kernel/arch.h"
#include "kernel/mm/as.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/layout.h"
#include "kernel/mm/page.h"
#include "lib/errno.h"

/* M: pc->maps_lock. One per (cache, address space) with tracked mappings. */
struct pcache_mapper {
	struct list_head node;	/* M */
	struct as *as;		/* M */
	unsigned nvmas;		/* M: its tracked VMAs of this file */
};

int pcache_mapper_add(struct pcache *pc, struct as *as)
{
	struct pcache_mapper *m, *fresh = kmalloc(sizeof(*fresh));
	irqflags_t fl = spin_lock_irqsave(&pc->maps_lock);

	list_for_each_entry(m, &pc->maps, node) {
		if (m->as == as) {
			m->nvmas++;
			spin_unlock_irqrestore(&pc->maps_lock, fl);
			kfree(fresh);
			return 0;
		}
	}
	if (fresh) {
		fresh->as = as;
		fresh->nvmas = 1;
		list_add(&fresh->node, &pc->maps);
	}
	spin_unlock_irqrestore(&pc->maps_lock, fl);
	return fresh ? 0 : -ENOMEM;
}

void pcache_mapper_del(struct pcache *pc, struct as *as)
{
	struct pcache_mapper *m, *gone = NULL;
	irqflags_t fl = spin_lock_irqsave(&pc->maps_lock);

	list_for_each_entry(m, &pc->maps, node) {
		if (m->as == as) {
			if (--m->nvmas == 0) {
				list_del(&m->node);
				gone = m;
			}
			break;
		}
	}
	spin_unlock_irqrestore(&pc->maps_lock, fl);
	kfree(gone);
}

/* Pages taken out of mappings per round, freed after a TLB shootdown. */
#define UNMAP_BATCH 64

void pcache_unmap_from(struct pcache *pc, uint64_t size)
{
	uint64_t idx = (size + PAGE_SIZE - 1) >> PAGE_SHIFT;
	void *pages[UNMAP_BATCH];
	struct pcache_mapper *m;
	bool more;

	do {
		unsigned n = 0;
		irqflags_t fl = spin_lock_irqsave(&pc->maps_lock);

		more = false;
		list_for_each_entry(m, &pc->maps, node) {
			irqflags_t f2;

			/* Trylock only (the mapping side takes as->lock first): on
			 * a busy address space, finish this round and go again. */
			if (!spin_trylock_irqsave(&m->as->lock, &f2)) {
				more = true;
				continue;
			}
			if (!as_unmap_file_from_locked(m->as, pc, idx, pages, &n, UNMAP_BATCH))
				more = true;
			spin_unlock_irqrestore(&m->as->lock, f2);
			if (n == UNMAP_BATCH)
				break;
		}
		spin_unlock_irqrestore(&pc->maps_lock, fl);
		if (!n) {
			if (more)
				arch_cpu_relax();
			continue;
		}
		/* Another hart may still map the pages through its TLB. */
		arch_tlb_shootdown();
		for (unsigned k = 0; k < n; k++)
			page_ref_put(pages[k]);
	} while (more);
}

