// SPDX-License-Identifier: MIT
/*
 * The page-table half of address spaces: walking Sv39 tables, copy-on-write
 * fork, page faults (lazy zero pages, COW breaks), the user-pointer check and
 * the loader's view. The VMA half is as.c; as.h has the invariants.
 *
 * Lock legend
 *   as.lock   the user half of the page tables, the VMA list, brk and stack
 *             fields, the counters. Taken with interrupts off. Order:
 *             as.lock -> slab cache locks -> page allocator locks.
 *   as_destroy() takes no lock: the caller owns the last reference.
 *
 * Empty page tables are kept until as_destroy(); a process rarely unmaps a
 * whole 2 MiB region and maps elsewhere often enough for that to matter.
 */
#include "kernel/mm/as.h"
#include "kernel/mm/as_int.h"

#include "kernel/arch.h"
#include "kernel/mm/page.h"
#include "kernel/mm/slab.h"
#include "kernel/mm/uaccess.h"
#include "kernel/panic.h"
#include "lib/errno.h"
#include "lib/string.h"

/*
 * TLB maintenance is local to the calling hart (kernel/arch.h). An address
 * space is live on one hart at a time; the outermost future flushes when a
 * process arrives on a hart other than the one it last ran on.
 */

/*
 * The leaf PTE flags for a page of an area with `prot`. cow: the page may be
 * shared, so it is never writable here (a write fault sorts it out).
 */
pte_t as_leaf_pte(paddr_t pa, unsigned prot, bool cow)
{
	pte_t f = PTE_V | PTE_A;

	if (prot == AS_PROT_NONE) {
		f |= PTE_R; /* a valid leaf needs R, W or X; no U keeps the user out */
	} else {
		f |= PTE_U;
		if (prot & AS_PROT_READ)
			f |= PTE_R;
		if (prot & AS_PROT_WRITE)
			f |= PTE_R | PTE_W | PTE_D; /* W without R is reserved */
		if (prot & AS_PROT_EXEC)
			f |= PTE_X;
	}
	/* LAB(cow) BEGIN stub: (void)cow; */
	if (cow) {
		f &= ~(PTE_W | PTE_D);
		f |= PTE_RSW_COW;
	}
	/* LAB(cow) END */
	return pte_make(pa, f);
}

/* ---- page tables --------------------------------------------------------------- */

/* The L0 entry for va; with alloc, missing tables are made (NULL: no memory). */
pte_t *as_walk(struct as *as, uintptr_t va, bool alloc)
{
	pte_t *t = as->root;

	for (int level = 2; level > 0; level--) {
		pte_t *e = &t[pt_index(va, level)];

		if (*e & PTE_V) {
			if (*e & PTE_LEAF_MASK)
				return NULL; /* user superpages are never made */
			t = pte_page(*e);
			continue;
		}
		if (!alloc)
			return NULL;
		t = page_alloc();
		if (!t)
			return NULL;
		as->nr_tables++;
		*e = pte_make(va_to_pa(t), PTE_V);
	}
	return &t[pt_index(va, 0)];
}

/*
 * Call fn on every valid leaf in [start, end), skipping absent tables.
 * Returns the number of leaves visited.
 */
size_t as_for_each_leaf(struct as *as, uintptr_t start, uintptr_t end,
			 void (*fn)(struct as *as, uintptr_t va, pte_t *pte, void *arg),
			 void *arg)
{
	size_t n = 0;

	for (uintptr_t va = start; va < end && va >= start;) {
		pte_t e2 = as->root[pt_index(va, 2)];

		if (!(e2 & PTE_V)) {
			va = (va + L2_SPAN) & ~(L2_SPAN - 1);
			continue;
		}
		pte_t e1 = ((pte_t *)pte_page(e2))[pt_index(va, 1)];

		if (!(e1 & PTE_V)) {
			va = (va + L1_SPAN) & ~(L1_SPAN - 1);
			continue;
		}
		pte_t *t0 = pte_page(e1);

		for (unsigned i = pt_index(va, 0); i < PTES_PER_TABLE && va < end;
		     i++, va += PAGE_SIZE) {
			if (t0[i] & PTE_V) {
				fn(as, va, &t0[i], arg);
				n++;
			}
		}
	}
	return n;
}

/* ---- fork ------------------------------------------------------------------------ */

struct fork_ctx {
	struct as *child;
	bool shared;		/* the VMA is MAP_SHARED: both keep the same page */
	int err;
};

static void fork_leaf(struct as *parent, uintptr_t va, pte_t *pte, void *arg)
{
	struct fork_ctx *fc = arg;

	(void)parent;
	if (fc->err)
		return;
	pte_t *cpte = as_walk(fc->child, va, true);

	if (!cpte) {
		fc->err = -ENOMEM;
		return;
	}
	/* LAB(cow) BEGIN stub:
	 * if (fc->shared) {
	 * 	page_ref_get(pte_page(*pte));
	 * 	*cpte = *pte & ~(pte_t)(PTE_W | PTE_D);
	 * } else {
	 * 	void *copy = page_alloc_order_nozero(0);
	 *
	 * 	if (!copy) {
	 * 		fc->err = -ENOMEM;
	 * 		return;
	 * 	}
	 * 	memcpy(copy, pte_page(*pte), PAGE_SIZE);
	 * 	*cpte = pte_make(va_to_pa(copy), *pte & ((1u << 10) - 1));
	 * }
	 */
	/* Private: both sides lose W, the page is copy-on-write from now on. */
	if (!fc->shared && !(*pte & PTE_RSW_COW))
		*pte = (*pte & ~(PTE_W | PTE_D)) | PTE_RSW_COW;
	page_ref_get(pte_page(*pte));
	*cpte = *pte;
	/* A shared page's stores are the parent's to report (its D bit). */
	if (fc->shared)
		*cpte &= ~(pte_t)(PTE_W | PTE_D);
	/* LAB(cow) END */
	fc->child->nr_pages++;
}

struct as *as_fork(struct as *parent)
{
	struct as *child = as_create();
	struct fork_ctx fc = { .child = child, .err = 0 };
	struct vma *v;
	size_t n = 0;

	if (!child)
		return NULL;
	irqflags_t fl = spin_lock_irqsave(&parent->lock);

	list_for_each_entry(v, &parent->vmas, node) {
		struct vma *c = as_vma_dup(v);

		if (!c) {
			fc.err = -ENOMEM;
			goto out_unlock;
		}
		/* The child's own place among the file's mappers. */
		c->tracked = 0;
		list_add_tail(&c->node, &child->vmas);
		if (v->tracked) {
			if (as_vma_file_track(child, c)) {
				fc.err = -ENOMEM;
				goto out_unlock;
			}
			c->tracked = 1;
		}
	}
	child->brk_start = parent->brk_start;
	child->brk = parent->brk;
	list_for_each_entry(v, &parent->vmas, node) {
		fc.shared = v->shared;
		n += as_for_each_leaf(parent, v->start, v->end, fork_leaf, &fc);
	}
	if (n)
		flush_all();
out_unlock:
	spin_unlock_irqrestore(&parent->lock, fl);
	if (fc.err) {
		as_destroy(child);
		return NULL;
	}
	return child;
}

/* ---- faults ---------------------------------------------------------------------- */

/* May an area with prot be accessed this way? Write implies read (as in the PTE). */
bool as_prot_allows(unsigned prot, unsigned access)
{
	if (access == AS_PROT_READ)
		return prot & (AS_PROT_READ | AS_PROT_WRITE);
	return prot & access;
}

/*
 * Give *pte a page of its own that may be written: take the page over when
 * this is the last reference, copy it otherwise.
 */
int as_cow_break_locked(pte_t *pte, unsigned prot)
{
	void *old = pte_page(*pte);

	/* LAB(cow) BEGIN stub:
	 * void *copy = page_alloc_order_nozero(0);
	 *
	 * if (!copy)
	 * 	return -ENOMEM;
	 * memcpy(copy, old, PAGE_SIZE);
	 * *pte = as_leaf_pte(va_to_pa(copy), prot, false);
	 * page_ref_put(old);
	 * return 0;
	 */
	/*
	 * A count of 1 cannot rise under us: a new reference comes only from
	 * forking an address space that maps the page, and this one is locked.
	 */
	if (page_ref_count(old) == 1) {
		*pte = as_leaf_pte(pte_pa(*pte), prot, false);
		return 0;
	}
	void *copy = page_alloc_order_nozero(0);

	if (!copy)
		return -ENOMEM;
	memcpy(copy, old, PAGE_SIZE);
	*pte = as_leaf_pte(va_to_pa(copy), prot, false);
	page_ref_put(old);
	return 0;
	/* LAB(cow) END */
}

/*
 * A fault just below a stack area (the main stack, or a MAP_GROWSDOWN one)
 * grows it down to cover va, while the area stays within the stack limit
 * and a guard gap stays free below it (Linux's stack_guard_gap). The grown
 * area, or NULL.
 */
static struct vma *grow_stack_locked(struct as *as, uintptr_t va)
{
	struct vma *v, *below = NULL;
	uintptr_t lo = PAGE_ALIGN_DOWN(va);

	list_for_each_entry(v, &as->vmas, node) {
		if (v->start > va)
			break;
		below = v;
	}
	if (&v->node == &as->vmas || v->kind != VMA_STACK || v->end - lo > AS_STACK_MAX_SIZE)
		return NULL;
	if (below && below->end + AS_STACK_GUARD_GAP > lo)
		return NULL;
	v->start = lo;
	return v;
}

static int fault_locked(struct as *as, uintptr_t va, unsigned access)
{
	struct vma *v = va < USER_TOP ? as_vma_find_locked(as, va) : NULL;

	if (!v && va < USER_TOP)
		v = grow_stack_locked(as, va);
	if (!v || !as_prot_allows(v->prot, access))
		return -EFAULT;
	pte_t *pte = as_walk(as, va, true);

	if (!pte)
		return -ENOMEM;
	if (v->kind == VMA_FILE) {
		int err = as_file_fault_locked(as, v, va & ~PAGE_MASK, access, pte);

		if (!err)
			flush_page(va & ~PAGE_MASK);
		return err;
	}
	if (!(*pte & PTE_V)) {
		void *page = page_alloc();

		if (!page)
			return -ENOMEM;
		*pte = as_leaf_pte(va_to_pa(page), v->prot, false);
		as->nr_pages++;
	} else if (access == AS_PROT_WRITE && (*pte & PTE_RSW_COW)) {
		int err = as_cow_break_locked(pte, v->prot);

		if (err)
			return err;
	} else {
		/* Permitted already (a stale TLB entry) or A/D missing: make it whole. */
		*pte = as_leaf_pte(pte_pa(*pte), v->prot, *pte & PTE_RSW_COW);
	}
	/* Also invalid -> valid: RISC-V allows caching of invalid entries. */
	flush_page(va & ~PAGE_MASK);
	return 0;
}

int as_handle_fault(struct as *as, uintptr_t va, unsigned access)
{
	irqflags_t fl = spin_lock_irqsave(&as->lock);
	int err = fault_locked(as, va, access);

	spin_unlock_irqrestore(&as->lock, fl);
	return err;
}

/* Does this leaf let user mode make `access`? */
bool as_pte_allows(pte_t pte, unsigned access)
{
	if ((pte & (PTE_V | PTE_U)) != (PTE_V | PTE_U))
		return false;
	switch (access) {
	case AS_PROT_READ:
		return pte & PTE_R;
	case AS_PROT_WRITE:
		return pte & PTE_W;
	default:
		return pte & PTE_X;
	}
}

/* The leaf user mode may make `access` through (resolving it as a fault
 * would), or NULL with *err set. */
static pte_t *user_pte_locked(struct as *as, uintptr_t va, unsigned access, int *err)
{
	pte_t *pte;

	if (va >= USER_TOP) {
		*err = -EFAULT;
		return NULL;
	}
	pte = as_walk(as, va, false);
	if (!pte || !as_pte_allows(*pte, access)) {
		int e = fault_locked(as, va, access);

		if (e) {
			/* Past the end of a mapped file: SIGBUS for the program,
			 * -EFAULT for a syscall (as Linux). */
			*err = e == -EIO ? -EFAULT : e;
			return NULL;
		}
		pte = as_walk(as, va, false);
		if (!pte || !as_pte_allows(*pte, access)) {
			*err = -EFAULT;
			return NULL;
		}
	}
	return pte;
}

void *as_user_ptr_locked(struct as *as, uintptr_t va, unsigned access, int *err)
{
	pte_t *pte = user_pte_locked(as, va, access, err);

	return pte ? (char *)pte_page(*pte) + (va & PAGE_MASK) : NULL;
}

void *as_user_ptr_cursor_locked(struct as *as, uintptr_t va, unsigned access,
				struct as_cursor *cur, int *err)
{
	pte_t *pte;

	if (cur->table && (va & ~(L1_SPAN - 1)) == cur->base && va < USER_TOP) {
		pte_t e = cur->table[pt_index(va, 0)];

		if (as_pte_allows(e, access))
			return (char *)pte_page(e) + (va & PAGE_MASK);
	}
	pte = user_pte_locked(as, va, access, err);
	if (!pte)
		return NULL;
	cur->base = va & ~(L1_SPAN - 1);
	cur->table = (uint64_t *)(pte - pt_index(va, 0));
	return (char *)pte_page(*pte) + (va & PAGE_MASK);
}

/* ---- the loader's view ----------------------------------------------------------- */

int as_map_page(struct as *as, uintptr_t va, void *page)
{
	irqflags_t fl = spin_lock_irqsave(&as->lock);
	struct vma *v = va < USER_TOP ? as_vma_find_locked(as, va) : NULL;
	pte_t *pte = v ? as_walk(as, va, true) : NULL;
	int err = 0;

	if (!pte) {
		err = v ? -ENOMEM : -EFAULT;
		goto out;
	}
	pte_t old = *pte;

	*pte = as_leaf_pte(va_to_pa(page), v->prot,
			   !v->shared && page_ref_count(page) > 1);
	if (old & PTE_V) {
		page_ref_put(pte_page(old));
		flush_page(va & ~PAGE_MASK);
	} else {
		as->nr_pages++;
	}
out:
	spin_unlock_irqrestore(&as->lock, fl);
	return err;
}

int as_fill(struct as *as, uintptr_t va, const void *src, size_t n)
{
	const char *s = src;
	int err = 0;
	irqflags_t fl = spin_lock_irqsave(&as->lock);

	while (n) {
		struct vma *v = va < USER_TOP ? as_vma_find_locked(as, va) : NULL;
		size_t chunk = PAGE_SIZE - (va & PAGE_MASK);
		pte_t *pte;

		if (!v) {
			err = -EFAULT;
			break;
		}
		pte = as_walk(as, va, true);
		if (!pte) {
			err = -ENOMEM;
			break;
		}
		if (!(*pte & PTE_V)) {
			void *page = page_alloc();

			if (!page) {
				err = -ENOMEM;
				break;
			}
			*pte = as_leaf_pte(va_to_pa(page), v->prot, false);
			as->nr_pages++;
		} else if (*pte & PTE_RSW_COW) {
			err = as_cow_break_locked(pte, v->prot);
			if (err)
				break;
			flush_page(va & ~PAGE_MASK);
		}
		if (chunk > n)
			chunk = n;
		memcpy((char *)pte_page(*pte) + (va & PAGE_MASK), s, chunk);
		s += chunk;
		va += chunk;
		n -= chunk;
	}
	spin_unlock_irqrestore(&as->lock, fl);
	return err;
}

pte_t as_lookup_pte(struct as *as, uintptr_t va)
{
	irqflags_t fl = spin_lock_irqsave(&as->lock);
	pte_t *pte = va < USER_TOP ? as_walk(as, va, false) : NULL;
	pte_t ret = pte ? *pte : 0;

	spin_unlock_irqrestore(&as->lock, fl);
	return ret;
}
