// SPDX-License-Identifier: MIT
/*
 * Area operations of the memory syscalls over address spaces: discarding
 * pages (madvise MADV_DONTNEED), reporting residency (mincore), collecting a
 * shared mapping's stores for msync, and moving or resizing an area
 * (mremap). The VMA and page-table basics are as.c and as_pt.c; as.h has
 * the invariants.
 *
 * Lock legend: as.lock, as in as.c.
 */
#include "kernel/mm/as.h"
#include "kernel/mm/as_int.h"

#include "kernel/mm/page.h"
#include "lib/errno.h"
#include "lib/string.h"

/* Do the areas cover [s, e) without a hole? as.lock held. */
static bool covered_locked(struct as *as, uintptr_t s, uintptr_t e)
{
	struct vma *v;

	list_for_each_entry(v, &as->vmas, node) {
		if (v->end <= s)
			continue;
		if (v->start > s)
			return false;
		s = v->end;
		if (s >= e)
			return true;
	}
	return false;
}

int as_discard(struct as *as, uintptr_t va, size_t len)
{
	uintptr_t e = va + PAGE_ALIGN_UP(len);
	struct vma *v;
	size_t n = 0;
	bool whole;

	if (!as_range_ok(va, PAGE_ALIGN_UP(len)))
		return -EINVAL;
	irqflags_t fl = spin_lock_irqsave(&as->lock);

	whole = covered_locked(as, va, e);
	list_for_each_entry(v, &as->vmas, node) {
		if (v->end <= va || v->start >= e)
			continue;
		/* The pages go, the areas stay: later touches see zeros (anonymous)
		 * or the file's bytes again (a private copy is dropped). */
		n += as_drop_pages_locked(as, v, v->start > va ? v->start : va, v->end < e ? v->end : e);
	}
	if (n)
		arch_flush_tlb_all();
	spin_unlock_irqrestore(&as->lock, fl);
	/* Linux: -ENOMEM if part of the range was not mapped (the rest is done). */
	return whole ? 0 : -ENOMEM;
}

int as_mincore(struct as *as, uintptr_t va, size_t len, uint8_t *vec)
{
	uintptr_t e = va + PAGE_ALIGN_UP(len);
	int err = 0;

	if (!as_range_ok(va, PAGE_ALIGN_UP(len)))
		return -ENOMEM;
	irqflags_t fl = spin_lock_irqsave(&as->lock);

	if (!covered_locked(as, va, e)) {
		err = -ENOMEM;
	} else {
		for (uintptr_t a = va; a < e; a += PAGE_SIZE) {
			pte_t *pte = as_walk(as, a, false);

			vec[(a - va) >> PAGE_SHIFT] = pte && (*pte & PTE_V) ? 1 : 0;
		}
	}
	spin_unlock_irqrestore(&as->lock, fl);
	return err;
}

struct harvest_ctx {
	struct vma *v;
	bool any;
};

/* A page stored into through a shared mapping: to its cache's dirty list,
 * and read-only again so the next store reports itself once more. */
static void harvest_leaf(struct as *as, uintptr_t va, pte_t *pte, void *arg)
{
	struct harvest_ctx *c = arg;

	(void)as;
	if (!(*pte & PTE_D))
		return;
	as_file_leaf_gone(c->v, va, *pte);
	*pte &= ~(pte_t)(PTE_W | PTE_D);
	c->any = true;
}

int as_msync_collect(struct as *as, uintptr_t va, size_t len, struct file **files, unsigned max,
		     unsigned *n)
{
	uintptr_t e = va + PAGE_ALIGN_UP(len);
	struct harvest_ctx c = { 0 };
	struct vma *v;
	int err = 0;

	*n = 0;
	if (!as_range_ok(va, PAGE_ALIGN_UP(len)))
		return -ENOMEM;
	irqflags_t fl = spin_lock_irqsave(&as->lock);

	if (!covered_locked(as, va, e))
		err = -ENOMEM;
	list_for_each_entry(v, &as->vmas, node) {
		struct file *f = vma_file(v);
		bool seen = false;

		if (err || v->end <= va || v->start >= e || !f || !v->shared)
			continue;
		c.v = v;
		as_for_each_leaf(as, v->start > va ? v->start : va, v->end < e ? v->end : e,
				 harvest_leaf, &c);
		for (unsigned k = 0; k < *n; k++)
			seen |= files[k] == f;
		if (!seen && *n < max) {
			as_vma_file_hold(v); /* a reference for the caller */
			files[(*n)++] = f;
		}
	}
	if (c.any)
		arch_flush_tlb_all();
	spin_unlock_irqrestore(&as->lock, fl);
	return err;
}

/* ---- mremap ----------------------------------------------------------------------- */

struct move_ctx {
	struct as *as;
	intptr_t delta;		/* new address - old */
	int err;
};

static void move_leaf(struct as *as, uintptr_t va, pte_t *pte, void *arg)
{
	struct move_ctx *c = arg;
	pte_t *dst;

	(void)as;
	if (c->err)
		return;
	dst = as_walk(c->as, (uintptr_t)((intptr_t)va + c->delta), true);
	if (!dst) {
		c->err = -ENOMEM;
		return;
	}
	*dst = *pte; /* the page's reference moves along */
	*pte = 0;
}

long as_mremap(struct as *as, uintptr_t old, size_t old_len, size_t new_len, unsigned flags,
	       uintptr_t new_addr)
{
	struct vma *v, *n = as_vma_alloc_big(), *spare = as_vma_alloc_big();
	struct list_head freed;
	long ret;

	old_len = PAGE_ALIGN_UP(old_len);
	new_len = PAGE_ALIGN_UP(new_len);
	list_init(&freed);
	if (!n || !spare) {
		ret = -ENOMEM;
		goto out_free;
	}
	irqflags_t fl = spin_lock_irqsave(&as->lock);

	v = as_vma_find_locked(as, old);
	/* The old range must lie in one area (Linux: EFAULT otherwise). */
	if (!v || old + old_len > v->end) {
		ret = -EFAULT;
		goto out_unlock;
	}
	if (!(flags & AS_REMAP_FIXED)) {
		if (new_len <= old_len) {
			as_unmap_locked(as, old + new_len, old + old_len, &spare, &freed);
			ret = (long)old;
			goto out_unlock;
		}
		/* Grow in place when the area ends here and room follows. */
		if (old + old_len == v->end && as_range_ok(old, new_len) &&
		    old + new_len <= as_mmap_top_locked(as) &&
		    as_range_is_free_locked(as, old + old_len, old + new_len)) {
			v->end = old + new_len;
			ret = (long)old;
			goto out_unlock;
		}
		if (!(flags & AS_REMAP_MAYMOVE)) {
			ret = -ENOMEM;
			goto out_unlock;
		}
		new_addr = as_find_hole_locked(as, new_len);
		if (!new_addr) {
			ret = -ENOMEM;
			goto out_unlock;
		}
	} else {
		if (!as_range_ok(new_addr, new_len) ||
		    (new_addr < old + old_len && old < new_addr + new_len)) {
			ret = -EINVAL;
			goto out_unlock;
		}
		as_unmap_locked(as, new_addr, new_addr + new_len, &spare, &freed);
		if (!spare)
			spare = as_vma_alloc_big(); /* may be needed for the old range */
		v = as_vma_find_locked(as, old); /* the list may have changed */
		if (!v || !spare) {
			ret = v ? -ENOMEM : -EFAULT;
			goto out_unlock;
		}
	}
	/* Move: a new area like the old one at new_addr, the pages along. */
	size_t moved = old_len < new_len ? old_len : new_len;
	struct move_ctx mc = { .as = as, .delta = (intptr_t)new_addr - (intptr_t)old };

	((struct vma_file *)n)->file = vma_file(v);
	n->kind = v->kind == VMA_STACK || v->kind == VMA_HEAP ? VMA_ANON : v->kind;
	n->prot = v->prot;
	n->shared = v->shared;
	vma_set_pgoff(n, v->kind == VMA_FILE ? vma_pgoff(v) + ((old - v->start) >> PAGE_SHIFT) : 0);
	n->tracked = 0;
	n->start = new_addr;
	n->end = new_addr + new_len;
	if (v->tracked && as_vma_file_track(as, n)) {
		ret = -ENOMEM;
		goto out_unlock;
	}
	n->tracked = v->tracked;
	as_vma_file_hold(n);
	as_vma_insert_locked(as, n);
	as_for_each_leaf(as, old, old + moved, move_leaf, &mc);
	/* The pages that did not move (a failed table allocation) go with the
	 * old range, which is unmapped now either way. */
	as_unmap_locked(as, old, old + old_len, &spare, &freed);
	arch_flush_tlb_all();
	n = NULL;
	ret = mc.err ? mc.err : (long)new_addr;
out_unlock:
	spin_unlock_irqrestore(&as->lock, fl);
out_free:
	as_free_vmas(as, &freed);
	as_vma_free(n);
	as_vma_free(spare);
	return ret;
}
