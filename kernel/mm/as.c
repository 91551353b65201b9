// SPDX-License-Identifier: MIT
/*
 * Per-process address spaces, the VMA half: creation and destruction, areas
 * (map, unmap, protect, mmap's placement), brk and the stack. Page tables,
 * faults and fork are as_pt.c. See as.h for the invariants.
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
#include "kernel/panic.h"
#include "lib/errno.h"
#include "lib/string.h"

static struct slab_cache as_cache = SLAB_CACHE_INIT("as", sizeof(struct as), 8);
struct slab_cache as_vma_cache = SLAB_CACHE_INIT("vma", sizeof(struct vma), 8);

/* Is [va, va+len) a page-aligned, non-empty piece of the user half? */
static bool user_range_ok(uintptr_t va, size_t len)
{
	return !(va & PAGE_MASK) && len && len <= USER_TOP && va <= USER_TOP - len;
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
	*pte = as_leaf_pte(pte_pa(*pte), *(unsigned *)arg, *pte & PTE_RSW_COW);
}

/* ---- VMAs (as.lock held) ------------------------------------------------------- */

struct vma *as_vma_find_locked(struct as *as, uintptr_t va)
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
			slab_free(&as_vma_cache, v);
		}
	}
	if (as_for_each_leaf(as, s, e, drop_leaf, NULL))
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
	as->users = 1;
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
		slab_free(&as_vma_cache, v);
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
	struct vma *n = slab_alloc(&as_vma_cache);

	if (!n)
		return -ENOMEM;
	irqflags_t fl = spin_lock_irqsave(&as->lock);
	int err = map_locked(as, va, va + len, prot, kind, n);

	spin_unlock_irqrestore(&as->lock, fl);
	if (err)
		slab_free(&as_vma_cache, n);
	return err;
}

int as_unmap(struct as *as, uintptr_t va, size_t len)
{
	len = PAGE_ALIGN_UP(len);
	if (!user_range_ok(va, len))
		return -EINVAL;
	struct vma *spare = slab_alloc(&as_vma_cache);

	if (!spare)
		return -ENOMEM;
	irqflags_t fl = spin_lock_irqsave(&as->lock);

	unmap_locked(as, va, va + len, &spare);
	spin_unlock_irqrestore(&as->lock, fl);
	if (spare)
		slab_free(&as_vma_cache, spare);
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
	spare[0] = slab_alloc(&as_vma_cache);
	spare[1] = slab_alloc(&as_vma_cache);
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
	if (as_for_each_leaf(as, s, e, reprotect_leaf, &prot))
		flush_all();
out_unlock:
	spin_unlock_irqrestore(&as->lock, fl);
out_free_spares:
	for (int i = 0; i < 2; i++)
		if (spare[i])
			slab_free(&as_vma_cache, spare[i]);
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

static long mmap_kind(struct as *as, uintptr_t addr, size_t len, unsigned prot, unsigned flags,
		      enum vma_kind kind)
{
	bool fixed = flags & (AS_MAP_FIXED | AS_MAP_NOREPLACE);

	if (!len || len > USER_TOP || (prot & ~7u))
		return -EINVAL;
	len = PAGE_ALIGN_UP(len);
	if (fixed && !user_range_ok(addr, len))
		return fixed && (addr & PAGE_MASK) ? -EINVAL : -ENOMEM;

	struct vma *n = slab_alloc(&as_vma_cache), *spare = slab_alloc(&as_vma_cache);
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
		ret = map_locked(as, addr, addr + len, prot, kind, n);
		if (ret == 0) {
			ret = (long)addr;
			n = NULL;
		}
	}
	spin_unlock_irqrestore(&as->lock, fl);
out_free:
	if (n)
		slab_free(&as_vma_cache, n);
	if (spare)
		slab_free(&as_vma_cache, spare);
	return ret;
}

/* ---- brk and stack ---------------------------------------------------------------- */

void as_brk_init(struct as *as, uintptr_t start)
{
	irqflags_t fl = spin_lock_irqsave(&as->lock);

	as->brk_start = as->brk = PAGE_ALIGN_UP(start);
	spin_unlock_irqrestore(&as->lock, fl);
}

size_t as_vm_bytes(struct as *as)
{
	irqflags_t fl = spin_lock_irqsave(&as->lock);
	struct vma *v;
	size_t n = 0;

	list_for_each_entry(v, &as->vmas, node)
		if (v->kind != VMA_STACK)
			n += v->end - v->start;
	spin_unlock_irqrestore(&as->lock, fl);
	return n;
}

uintptr_t as_brk(struct as *as, uintptr_t newbrk)
{
	struct vma *n = slab_alloc(&as_vma_cache), *spare = slab_alloc(&as_vma_cache);
	irqflags_t fl = spin_lock_irqsave(&as->lock);
	uintptr_t old_end = PAGE_ALIGN_UP(as->brk), new_end = PAGE_ALIGN_UP(newbrk);
	struct vma *heap = old_end > as->brk_start ? as_vma_find_locked(as, old_end - 1) : NULL;

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
		slab_free(&as_vma_cache, n);
	if (spare)
		slab_free(&as_vma_cache, spare);
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

long as_mmap(struct as *as, uintptr_t addr, size_t len, unsigned prot, unsigned flags)
{
	return mmap_kind(as, addr, len, prot, flags, VMA_ANON);
}

long as_mmap_shared(struct as *as, uintptr_t addr, size_t len, unsigned prot, unsigned flags,
		    void *const *pages, size_t npages)
{
	long va = mmap_kind(as, addr, len, prot, flags, VMA_SHARED);

	if (va < 0)
		return va;
	for (size_t i = 0; i < npages && i * PAGE_SIZE < PAGE_ALIGN_UP(len); i++) {
		page_ref_get(pages[i]);
		int err = as_map_page(as, (uintptr_t)va + i * PAGE_SIZE, pages[i]);

		if (err) {
			page_ref_put(pages[i]);
			as_unmap(as, (uintptr_t)va, len);
			return err;
		}
	}
	return va;
}
