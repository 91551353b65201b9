// SPDX-License-Identifier: MIT
/*
 * File mappings in address spaces: faults in a VMA_FILE are served from the
 * file's page cache (kernel/mm/pcache.h). Private mappings map the cached
 * page itself, read-only and copy-on-write (a store copies it; the cache
 * never sees it), and map the cached neighbours of a read fault along
 * (fault-around). Shared mappings map the cached page read-only until the
 * first store, which allocates its blocks and dirties it in the cache, then
 * writable with D set; when the leaf goes (munmap, exit, msync) a D bit
 * dirties the page again, so stores made after a write-back still reach the
 * file. See as.h for the invariants.
 *
 * Lock legend: as.lock held by the callers (as.c, as_pt.c); the cache's and
 * the fs's locks nest inside it (order: as.lock -> fs lock -> pc->lock).
 */
#include "kernel/mm/as.h"
#include "kernel/mm/as_int.h"

#include "kernel/fs/vfs.h"
#include "kernel/mm/page.h"
#include "kernel/mm/pcache.h"
#include "lib/errno.h"
#include "lib/string.h"

/* A read or exec fault maps this many cached pages about it (16: 64 KiB). */
#define FAULT_AROUND 16

void as_vma_file_hold(struct vma *v)
{
	struct file *f = vma_file(v);

	if (f)
		file_get(f);
}

void as_vma_file_untrack(struct as *as, struct vma *v)
{
	struct file *f = vma_file(v);

	if (v->tracked && f && f->inode->pcache)
		pcache_mapper_del(f->inode->pcache, as);
	v->tracked = 0;
}

void as_vma_file_release(struct as *as, struct vma *v)
{
	struct vma_file *vf = (struct vma_file *)v;

	if (v->kind == VMA_FILE && vf->file) {
		as_vma_file_untrack(as, v);
		file_put(vf->file);
		vf->file = NULL;
	}
}

int as_vma_file_track(struct as *as, struct vma *v)
{
	struct file *f = vma_file(v);

	if (!f || !f->inode->pcache)
		return 0;
	return pcache_mapper_add(f->inode->pcache, as);
}

static uint64_t file_index(const struct vma *v, uintptr_t va)
{
	return vma_pgoff(v) + ((va - v->start) >> PAGE_SHIFT);
}

/* Map the cached, not yet mapped pages about va (a read fault there just
 * mapped its own), read-only: copy-on-write if private. */
static void fault_around_locked(struct as *as, struct vma *v, struct pcache *pc, uintptr_t va)
{
	uintptr_t lo = va & ~(uintptr_t)(FAULT_AROUND * PAGE_SIZE - 1), hi = lo + FAULT_AROUND * PAGE_SIZE;
	pte_t *t0 = as_walk(as, va, false) - pt_index(va, 0);

	if (lo < v->start)
		lo = v->start;
	if (hi > v->end)
		hi = v->end;
	/* The leaf table covers va's 2 MiB, and a 64 KiB window stays in it. */
	for (uintptr_t a = lo; a < hi; a += PAGE_SIZE) {
		pte_t *pte = &t0[pt_index(a, 0)];
		struct pcpage *pg;

		if (*pte & PTE_V)
			continue;
		pg = pcache_find_page(pc, file_index(v, a));
		if (!pg)
			continue;
		*pte = as_leaf_pte(va_to_pa(pcpage_data(pg)), v->prot & ~AS_PROT_WRITE, !v->shared);
		as->nr_pages++;
	}
}

int as_file_fault_locked(struct as *as, struct vma *v, uintptr_t va, unsigned access, pte_t *pte)
{
	struct inode *ino = vma_file(v)->inode;
	struct pcpage *pg;
	int err;

	if (!ino->pcache)
		return -EIO;
	if (*pte & PTE_V) {
		if (access != AS_PROT_WRITE) {
			/* Permitted already (a stale TLB entry) or A missing. */
			*pte |= PTE_A;
			return 0;
		}
		if (!v->shared)
			return as_cow_break_locked(pte, v->prot);
		if (*pte & PTE_W)
			return 0; /* stale TLB entry */
		pg = pcache_find_page(ino->pcache, file_index(v, va));
		if (!pg || va_to_pa(pcpage_data(pg)) != pte_pa(*pte)) {
			/* Truncated away meanwhile: the page is an orphan now;
			 * past the end of the file, as Linux, it is SIGBUS. */
			if (pg)
				pcache_page_put(pg);
			return -EIO;
		}
		err = pcache_page_mkwrite(ino, pg);
		pcache_page_put(pg);
		if (err)
			return err;
		*pte = as_leaf_pte(pte_pa(*pte), v->prot, false);
		return 0;
	}
	err = pcache_get_page(ino, file_index(v, va), &pg);
	if (err)
		return err == -EFAULT ? -EIO : err; /* past the end of the file: SIGBUS */
	if (access == AS_PROT_WRITE && !v->shared) {
		/* A private store: a copy of its own, the cache untouched. */
		void *copy = page_alloc_order_nozero(0);

		if (!copy) {
			pcache_page_put(pg);
			return -ENOMEM;
		}
		memcpy(copy, pcpage_data(pg), PAGE_SIZE);
		pcache_page_put(pg);
		*pte = as_leaf_pte(va_to_pa(copy), v->prot, false);
		as->nr_pages++;
		return 0;
	}
	if (access == AS_PROT_WRITE) {
		err = pcache_page_mkwrite(ino, pg);
		if (err) {
			pcache_page_put(pg);
			return err;
		}
		/* The reference from pcache_get_page is the PTE's. */
		*pte = as_leaf_pte(va_to_pa(pcpage_data(pg)), v->prot, false);
		as->nr_pages++;
		return 0;
	}
	*pte = as_leaf_pte(va_to_pa(pcpage_data(pg)), v->prot & ~AS_PROT_WRITE, !v->shared);
	as->nr_pages++;
	fault_around_locked(as, v, ino->pcache, va);
	return 0;
}

struct truncate_ctx {
	struct vma *v;
	void **pages;
	unsigned *n, max;
	bool full;
};

static void truncate_leaf(struct as *as, uintptr_t va, pte_t *pte, void *arg)
{
	struct truncate_ctx *c = arg;

	if (*c->n == c->max) {
		c->full = true;
		return;
	}
	as_file_leaf_gone(c->v, va, *pte);
	c->pages[(*c->n)++] = pte_page(*pte);
	*pte = 0;
	as->nr_pages--;
}

bool as_unmap_file_from_locked(struct as *as, struct pcache *pc, uint64_t idx, void **pages,
			       unsigned *n, unsigned max)
{
	struct truncate_ctx c = { .pages = pages, .n = n, .max = max };
	struct vma *v;

	list_for_each_entry(v, &as->vmas, node) {
		struct file *f = vma_file(v);
		uint64_t first = vma_pgoff(v), npages = (v->end - v->start) >> PAGE_SHIFT;

		if (!f || f->inode->pcache != pc || first + npages <= idx)
			continue;
		c.v = v;
		as_for_each_leaf(as, idx > first ? v->start + ((idx - first) << PAGE_SHIFT) : v->start,
				 v->end, truncate_leaf, &c);
	}
	return !c.full;
}

void as_file_leaf_gone(struct vma *v, uintptr_t va, pte_t pte)
{
	struct file *f = vma_file(v);

	if (v->shared && (pte & PTE_D) && f && f->inode->pcache)
		pcache_mark_dirty_idx(f->inode->pcache, file_index(v, va));
}
