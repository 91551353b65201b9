// SPDX-License-Identifier: MIT
/*
 * Per-process Sv39 address spaces: page tables, VMAs, lazy zero pages,
 * copy-on-write fork, brk/mmap/munmap/mprotect. See as.h for the invariants.
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

#include "kernel/arch.h"
#include "kernel/mm/page.h"
#include "kernel/mm/slab.h"
#include "kernel/panic.h"
#include "lib/errno.h"
#include "lib/string.h"

/*
 * TLB maintenance is local to the calling hart (kernel/arch.h). An address
 * space is live on one hart at a time; the outermost future flushes when a
 * process arrives on a hart other than the one it last ran on.
 */

#define PAGE_MASK (PAGE_SIZE - 1)
#define L1_SPAN (1UL << (PAGE_SHIFT + 9))       /* 2 MiB: one L0 table */
#define L2_SPAN (1UL << (PAGE_SHIFT + 18))      /* 1 GiB: one L1 table */

static struct slab_cache as_cache = SLAB_CACHE_INIT("as", sizeof(struct as), 8);
static struct slab_cache vma_cache = SLAB_CACHE_INIT("vma", sizeof(struct vma), 8);

static void flush_page(uintptr_t va)
{
	arch_flush_tlb_page(va);
}

static void flush_all(void)
{
	arch_flush_tlb_all();
}

static inline void *pte_page(pte_t pte)
{
	return pa_to_va(pte_pa(pte));
}

/* Is [va, va+len) a page-aligned, non-empty piece of the user half? */
static bool user_range_ok(uintptr_t va, size_t len)
{
	return !(va & PAGE_MASK) && len && len <= USER_TOP && va <= USER_TOP - len;
}

/*
 * The leaf PTE flags for a page of an area with `prot`. cow: the page may be
 * shared, so it is never writable here (a write fault sorts it out).
 */
static pte_t leaf(paddr_t pa, unsigned prot, bool cow)
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
	if (cow) {
		f &= ~(PTE_W | PTE_D);
		f |= PTE_RSW_COW;
	}
	return pte_make(pa, f);
}

/* ---- page tables --------------------------------------------------------------- */

/* The L0 entry for va; with alloc, missing tables are made (NULL: no memory). */
static pte_t *walk(struct as *as, uintptr_t va, bool alloc)
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
static size_t for_each_leaf(struct as *as, uintptr_t start, uintptr_t end,
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

static void drop_leaf(struct as *as, uintptr_t va, pte_t *pte, void *arg)
{
	(void)va;
	(void)arg;
	void *page = pte_page(*pte);

	*pte = 0;
	as->nr_pages--;
	page_ref_put(page);
}

static void reprotect_leaf(struct as *as, uintptr_t va, pte_t *pte, void *arg)
{
	(void)as;
	(void)va;
	*pte = leaf(pte_pa(*pte), *(unsigned *)arg, *pte & PTE_RSW_COW);
}

/* ---- VMAs (as.lock held) ------------------------------------------------------- */

static struct vma *vma_find_locked(struct as *as, uintptr_t va)
{
	struct vma *v;

	list_for_each_entry(v, &as->vmas, node) {
		if (va < v->start)
			return NULL;
		if (va < v->end)
			return v;
	}
	return NULL;
}

static bool range_is_free_locked(struct as *as, uintptr_t start, uintptr_t end)
{
	struct vma *v;

	list_for_each_entry(v, &as->vmas, node)
		if (v->start < end && start < v->end)
			return false;
	return true;
}

/* Insert a (non-overlapping) area in address order. */
static void vma_insert_locked(struct as *as, struct vma *n)
{
	struct vma *v;

	list_for_each_entry(v, &as->vmas, node) {
		if (v->start > n->start) {
			list_insert_between(&n->node, v->node.prev, &v->node);
			return;
		}
	}
	list_add_tail(&n->node, &as->vmas);
}

/* Split v at `at` (inside it); the upper part goes into spare. */
static void vma_split_locked(struct vma *v, uintptr_t at, struct vma *spare)
{
	spare->start = at;
	spare->end = v->end;
	spare->prot = v->prot;
	spare->kind = v->kind;
	v->end = at;
	list_add(&spare->node, &v->node);
}

/*
 * Remove [s, e) from the areas and their pages. *spare is used (and set to
 * NULL) if an area has to be split in two.
 */
static void unmap_locked(struct as *as, uintptr_t s, uintptr_t e, struct vma **spare)
{
	struct vma *v, *tmp;

	list_for_each_entry_safe(v, tmp, &as->vmas, node) {
		if (v->end <= s || v->start >= e)
			continue;
		if (v->start < s && v->end > e) {
			vma_split_locked(v, e, *spare);
			*spare = NULL;
			v->end = s;
			break;
		} else if (v->start < s) {
			v->end = s;
		} else if (v->end > e) {
			v->start = e;
		} else {
			list_del(&v->node);
			slab_free(&vma_cache, v);
		}
	}
	if (for_each_leaf(as, s, e, drop_leaf, NULL))
		flush_all();
}

/* ---- creation and destruction ------------------------------------------------- */

struct as *as_create(void)
{
	struct as *as = slab_alloc(&as_cache);

	if (!as)
		return NULL;
	memset(as, 0, sizeof(*as));
	as->root = page_alloc();
	if (!as->root) {
		slab_free(&as_cache, as);
		return NULL;
	}
	/* The kernel half is shared: its lower-level tables never change. */
	memcpy(&as->root[PT_KERNEL_FIRST], &kvm_kernel_root()[PT_KERNEL_FIRST],
	       (PTES_PER_TABLE - PT_KERNEL_FIRST) * sizeof(pte_t));
	as->nr_tables = 1;
	spin_init(&as->lock, "as");
	list_init(&as->vmas);
	return as;
}

void as_destroy(struct as *as)
{
	struct vma *v, *tmp;

	for (unsigned i = 0; i < PT_KERNEL_FIRST; i++) {
		pte_t e2 = as->root[i];

		if (!(e2 & PTE_V))
			continue;
		pte_t *t1 = pte_page(e2);

		for (unsigned j = 0; j < PTES_PER_TABLE; j++) {
			if (!(t1[j] & PTE_V))
				continue;
			pte_t *t0 = pte_page(t1[j]);

			for (unsigned k = 0; k < PTES_PER_TABLE; k++)
				if (t0[k] & PTE_V)
					page_ref_put(pte_page(t0[k]));
			page_free(t0);
		}
		page_free(t1);
	}
	page_free(as->root);
	list_for_each_entry_safe(v, tmp, &as->vmas, node)
		slab_free(&vma_cache, v);
	slab_free(&as_cache, as);
}

paddr_t as_root_pa(const struct as *as)
{
	return va_to_pa(as->root);
}

/* ---- areas ------------------------------------------------------------------------ */

static int map_locked(struct as *as, uintptr_t va, uintptr_t end, unsigned prot,
		      enum vma_kind kind, struct vma *n)
{
	if (!range_is_free_locked(as, va, end))
		return -EEXIST;
	n->start = va;
	n->end = end;
	n->prot = prot;
	n->kind = kind;
	vma_insert_locked(as, n);
	return 0;
}

int as_map(struct as *as, uintptr_t va, size_t len, unsigned prot, enum vma_kind kind)
{
	len = PAGE_ALIGN_UP(len);
	if (!user_range_ok(va, len) || (prot & ~7u))
		return -EINVAL;
	struct vma *n = slab_alloc(&vma_cache);

	if (!n)
		return -ENOMEM;
	irqflags_t fl = spin_lock_irqsave(&as->lock);
	int err = map_locked(as, va, va + len, prot, kind, n);

	spin_unlock_irqrestore(&as->lock, fl);
	if (err)
		slab_free(&vma_cache, n);
	return err;
}

int as_unmap(struct as *as, uintptr_t va, size_t len)
{
	len = PAGE_ALIGN_UP(len);
	if (!user_range_ok(va, len))
		return -EINVAL;
	struct vma *spare = slab_alloc(&vma_cache);

	if (!spare)
		return -ENOMEM;
	irqflags_t fl = spin_lock_irqsave(&as->lock);

	unmap_locked(as, va, va + len, &spare);
	spin_unlock_irqrestore(&as->lock, fl);
	if (spare)
		slab_free(&vma_cache, spare);
	return 0;
}

int as_protect(struct as *as, uintptr_t va, size_t len, unsigned prot)
{
	uintptr_t s = va, e;
	struct vma *v, *spare[2];
	int err = 0;

	len = PAGE_ALIGN_UP(len);
	if (!user_range_ok(va, len) || (prot & ~7u))
		return -EINVAL;
	e = va + len;
	spare[0] = slab_alloc(&vma_cache);
	spare[1] = slab_alloc(&vma_cache);
	if (!spare[0] || !spare[1]) {
		err = -ENOMEM;
		goto out_free_spares;
	}

	irqflags_t fl = spin_lock_irqsave(&as->lock);
	uintptr_t covered = s;

	/* Linux: -ENOMEM unless areas cover the whole range without holes. */
	list_for_each_entry(v, &as->vmas, node) {
		if (v->end <= covered)
			continue;
		if (v->start > covered)
			break;
		covered = v->end;
		if (covered >= e)
			break;
	}
	if (covered < e) {
		err = -ENOMEM;
		goto out_unlock;
	}
	list_for_each_entry(v, &as->vmas, node) {
		if (v->end <= s || v->start >= e)
			continue;
		if (v->start < s) {
			vma_split_locked(v, s, spare[0]);
			spare[0] = NULL;
			continue; /* the upper part comes next in the list */
		}
		if (v->end > e) {
			vma_split_locked(v, e, spare[1]);
			spare[1] = NULL;
		}
		v->prot = prot;
	}
	if (for_each_leaf(as, s, e, reprotect_leaf, &prot))
		flush_all();
out_unlock:
	spin_unlock_irqrestore(&as->lock, fl);
out_free_spares:
	for (int i = 0; i < 2; i++)
		if (spare[i])
			slab_free(&vma_cache, spare[i]);
	return err;
}

/*
 * Highest address below which nothing is placed by search: the guard gap
 * below the main stack, whose areas (VMA_STACK, split by mprotect perhaps)
 * are the last ones, up to USER_TOP. Found, not stored: struct as stays
 * small, and the list's tail is at hand.
 */
static uintptr_t mmap_top_locked(struct as *as)
{
	uintptr_t lo = 0;
	struct vma *v;

	for (v = list_last_entry(&as->vmas, struct vma, node);
	     &v->node != &as->vmas && v->kind == VMA_STACK;
	     v = list_entry(v->node.prev, struct vma, node))
		lo = v->start;
	return lo ? lo - AS_STACK_GUARD_GAP : USER_TOP;
}

/* The highest free [a, a+len) below the top, or 0. */
static uintptr_t find_hole_locked(struct as *as, size_t len)
{
	uintptr_t gap_top = mmap_top_locked(as);
	struct vma *v;

	for (v = list_last_entry(&as->vmas, struct vma, node); &v->node != &as->vmas;
	     v = list_entry(v->node.prev, struct vma, node)) {
		if (v->start >= gap_top)
			continue;
		if (v->end <= gap_top && gap_top - v->end >= len)
			return gap_top - len;
		gap_top = v->start;
	}
	return gap_top >= AS_MMAP_MIN + len ? gap_top - len : 0;
}

long as_mmap(struct as *as, uintptr_t addr, size_t len, unsigned prot, unsigned flags)
{
	bool fixed = flags & (AS_MAP_FIXED | AS_MAP_NOREPLACE);

	if (!len || len > USER_TOP || (prot & ~7u))
		return -EINVAL;
	len = PAGE_ALIGN_UP(len);
	if (fixed && !user_range_ok(addr, len))
		return fixed && (addr & PAGE_MASK) ? -EINVAL : -ENOMEM;

	struct vma *n = slab_alloc(&vma_cache), *spare = slab_alloc(&vma_cache);
	long ret;

	if (!n || !spare) {
		ret = -ENOMEM;
		goto out_free;
	}
	irqflags_t fl = spin_lock_irqsave(&as->lock);

	if (flags & AS_MAP_FIXED) {
		unmap_locked(as, addr, addr + len, &spare);
	} else if (!fixed) {
		/* A free, aligned hint is taken as is (as Linux does). */
		addr = PAGE_ALIGN_DOWN(addr);
		if (addr < AS_MMAP_MIN || !user_range_ok(addr, len) ||
		    addr + len > mmap_top_locked(as) ||
		    !range_is_free_locked(as, addr, addr + len))
			addr = find_hole_locked(as, len);
	}
	if (!addr) {
		ret = -ENOMEM;
	} else {
		ret = map_locked(as, addr, addr + len, prot, VMA_ANON, n);
		if (ret == 0) {
			ret = (long)addr;
			n = NULL;
		}
	}
	spin_unlock_irqrestore(&as->lock, fl);
out_free:
	if (n)
		slab_free(&vma_cache, n);
	if (spare)
		slab_free(&vma_cache, spare);
	return ret;
}

/* ---- brk and stack ---------------------------------------------------------------- */

void as_brk_init(struct as *as, uintptr_t start)
{
	irqflags_t fl = spin_lock_irqsave(&as->lock);

	as->brk_start = as->brk = PAGE_ALIGN_UP(start);
	spin_unlock_irqrestore(&as->lock, fl);
}

uintptr_t as_brk(struct as *as, uintptr_t newbrk)
{
	struct vma *n = slab_alloc(&vma_cache), *spare = slab_alloc(&vma_cache);
	irqflags_t fl = spin_lock_irqsave(&as->lock);
	uintptr_t old_end = PAGE_ALIGN_UP(as->brk), new_end = PAGE_ALIGN_UP(newbrk);
	struct vma *heap = old_end > as->brk_start ? vma_find_locked(as, old_end - 1) : NULL;

	if (!n || !spare || newbrk < as->brk_start || newbrk > mmap_top_locked(as) ||
	    (heap && heap->kind != VMA_HEAP))
		goto out;
	if (new_end > old_end) {
		if (!range_is_free_locked(as, old_end, new_end))
			goto out;
		if (heap) {
			heap->end = new_end;
		} else {
			if (map_locked(as, as->brk_start, new_end, AS_PROT_READ | AS_PROT_WRITE,
				       VMA_HEAP, n))
				goto out;
			n = NULL;
		}
	} else if (new_end < old_end) {
		unmap_locked(as, new_end, old_end, &spare);
	}
	as->brk = newbrk;
out:
	newbrk = as->brk;
	spin_unlock_irqrestore(&as->lock, fl);
	if (n)
		slab_free(&vma_cache, n);
	if (spare)
		slab_free(&vma_cache, spare);
	return newbrk;
}

long as_stack_init(struct as *as, size_t size)
{
	size = PAGE_ALIGN_UP(size);
	if (!size || size > USER_TOP / 2)
		return -EINVAL;
	uintptr_t lo = USER_TOP - size;
	int err = as_map(as, lo, size, AS_PROT_READ | AS_PROT_WRITE, VMA_STACK);

	return err ? err : (long)USER_TOP;
}

/* ---- fork ------------------------------------------------------------------------ */

struct fork_ctx {
	struct as *child;
	int err;
};

static void fork_leaf(struct as *parent, uintptr_t va, pte_t *pte, void *arg)
{
	struct fork_ctx *fc = arg;

	(void)parent;
	if (fc->err)
		return;
	pte_t *cpte = walk(fc->child, va, true);

	if (!cpte) {
		fc->err = -ENOMEM;
		return;
	}
	/* Both sides lose W: the page is shared from now on. */
	if (!(*pte & PTE_RSW_COW))
		*pte = (*pte & ~(PTE_W | PTE_D)) | PTE_RSW_COW;
	page_ref_get(pte_page(*pte));
	*cpte = *pte;
	fc->child->nr_pages++;
}

struct as *as_fork(struct as *parent)
{
	struct as *child = as_create();
	struct fork_ctx fc = { .child = child, .err = 0 };
	struct vma *v;

	if (!child)
		return NULL;
	irqflags_t fl = spin_lock_irqsave(&parent->lock);

	list_for_each_entry(v, &parent->vmas, node) {
		struct vma *c = slab_alloc(&vma_cache);

		if (!c) {
			fc.err = -ENOMEM;
			goto out_unlock;
		}
		*c = *v;
		list_add_tail(&c->node, &child->vmas);
	}
	child->brk_start = parent->brk_start;
	child->brk = parent->brk;
	if (for_each_leaf(parent, 0, USER_TOP, fork_leaf, &fc))
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
static bool prot_allows(unsigned prot, unsigned access)
{
	if (access == AS_PROT_READ)
		return prot & (AS_PROT_READ | AS_PROT_WRITE);
	return prot & access;
}

/*
 * Give *pte a page of its own that may be written: take the page over when
 * this is the last reference, copy it otherwise.
 */
static int cow_break_locked(pte_t *pte, unsigned prot)
{
	void *old = pte_page(*pte);

	/*
	 * A count of 1 cannot rise under us: a new reference comes only from
	 * forking an address space that maps the page, and this one is locked.
	 */
	if (page_ref_count(old) == 1) {
		*pte = leaf(pte_pa(*pte), prot, false);
		return 0;
	}
	void *copy = page_alloc_order_nozero(0);

	if (!copy)
		return -ENOMEM;
	memcpy(copy, old, PAGE_SIZE);
	*pte = leaf(va_to_pa(copy), prot, false);
	page_ref_put(old);
	return 0;
}

static int fault_locked(struct as *as, uintptr_t va, unsigned access)
{
	struct vma *v = va < USER_TOP ? vma_find_locked(as, va) : NULL;

	if (!v || !prot_allows(v->prot, access))
		return -EFAULT;
	pte_t *pte = walk(as, va, true);

	if (!pte)
		return -ENOMEM;
	if (!(*pte & PTE_V)) {
		void *page = page_alloc();

		if (!page)
			return -ENOMEM;
		*pte = leaf(va_to_pa(page), v->prot, false);
		as->nr_pages++;
	} else if (access == AS_PROT_WRITE && (*pte & PTE_RSW_COW)) {
		int err = cow_break_locked(pte, v->prot);

		if (err)
			return err;
	} else {
		/* Permitted already (a stale TLB entry) or A/D missing: make it whole. */
		*pte = leaf(pte_pa(*pte), v->prot, *pte & PTE_RSW_COW);
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
static bool pte_allows(pte_t pte, unsigned access)
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

void *as_user_ptr_locked(struct as *as, uintptr_t va, unsigned access, int *err)
{
	if (va >= USER_TOP) {
		*err = -EFAULT;
		return NULL;
	}
	pte_t *pte = walk(as, va, false);

	if (!pte || !pte_allows(*pte, access)) {
		int e = fault_locked(as, va, access);

		if (e) {
			*err = e;
			return NULL;
		}
		pte = walk(as, va, false);
		if (!pte || !pte_allows(*pte, access)) {
			*err = -EFAULT;
			return NULL;
		}
	}
	return (char *)pte_page(*pte) + (va & PAGE_MASK);
}

/* ---- the loader's view ----------------------------------------------------------- */

int as_map_page(struct as *as, uintptr_t va, void *page)
{
	irqflags_t fl = spin_lock_irqsave(&as->lock);
	struct vma *v = va < USER_TOP ? vma_find_locked(as, va) : NULL;
	pte_t *pte = v ? walk(as, va, true) : NULL;
	int err = 0;

	if (!pte) {
		err = v ? -ENOMEM : -EFAULT;
		goto out;
	}
	pte_t old = *pte;

	*pte = leaf(va_to_pa(page), v->prot, page_ref_count(page) > 1);
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
		struct vma *v = va < USER_TOP ? vma_find_locked(as, va) : NULL;
		size_t chunk = PAGE_SIZE - (va & PAGE_MASK);
		pte_t *pte;

		if (!v) {
			err = -EFAULT;
			break;
		}
		pte = walk(as, va, true);
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
			*pte = leaf(va_to_pa(page), v->prot, false);
			as->nr_pages++;
		} else if (*pte & PTE_RSW_COW) {
			err = cow_break_locked(pte, v->prot);
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
	pte_t *pte = va < USER_TOP ? walk(as, va, false) : NULL;
	pte_t ret = pte ? *pte : 0;

	spin_unlock_irqrestore(&as->lock, fl);
	return ret;
}
