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
struct slab_cache as_vma_file_cache = SLAB_CACHE_INIT("vma_file", sizeof(struct vma_file), 8);

/* ---- VMA memory --------------------------------------------------------------- */

static struct vma *vma_alloc_small(void)
{
	struct vma *v = slab_alloc(&as_vma_cache);

	if (v)
		v->big = 0;
	return v;
}

struct vma *as_vma_alloc_big(void)
{
	struct vma_file *f = slab_alloc(&as_vma_file_cache);

	if (!f)
		return NULL;
	f->vma.big = 1;
	f->file = NULL;
	return &f->vma;
}

void as_vma_free(struct vma *v)
{
	if (!v)
		return;
	if (v->big)
		slab_free(&as_vma_file_cache, v);
	else
		slab_free(&as_vma_cache, v);
}

struct vma *as_vma_dup(const struct vma *v)
{
	struct vma *c = v->big ? as_vma_alloc_big() : vma_alloc_small();

	if (!c)
		return NULL;
	if (v->big)
		*(struct vma_file *)c = *(const struct vma_file *)v;
	else
		*c = *v;
	as_vma_file_hold(c);
	return c;
}

/* Free VMAs of as taken off its list under the lock (their files are put
 * here, outside it). */
void as_free_vmas(struct as *as, struct list_head *l)
{
	struct vma *v, *t;

	list_for_each_entry_safe(v, t, l, node) {
		list_del(&v->node);
		as_vma_file_release(as, v);
		as_vma_free(v);
	}
}

/* Is [va, va+len) a page-aligned, non-empty piece of the user half? */
bool as_range_ok(uintptr_t va, size_t len)
{
	return !(va & PAGE_MASK) && len && len <= USER_TOP && va <= USER_TOP - len;
}

/* arg: the VMA the leaf is in (file pages report their stores to the cache). */
static void drop_leaf(struct as *as, uintptr_t va, pte_t *pte, void *arg)
{
	struct vma *v = arg;
	void *page = pte_page(*pte);

	if (v && v->kind == VMA_FILE)
		as_file_leaf_gone(v, va, *pte);
	*pte = 0;
	as->nr_pages--;
	page_ref_put(page);
}

/* arg: the VMA, its new protection set. */
static void reprotect_leaf(struct as *as, uintptr_t va, pte_t *pte, void *arg)
{
	struct vma *v = arg;
	pte_t n = as_leaf_pte(pte_pa(*pte), v->prot, *pte & PTE_RSW_COW);

	(void)as;
	(void)va;
	/* A shared file page not stored into yet stays read-only: the first
	 * store faults, and that is what puts it on its cache's dirty list. */
	if (v->kind == VMA_FILE && v->shared && !(*pte & PTE_D))
		n &= ~(pte_t)(PTE_W | PTE_D);
	*pte = n;
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

bool as_range_is_free_locked(struct as *as, uintptr_t start, uintptr_t end)
{
	struct vma *v;

	list_for_each_entry(v, &as->vmas, node)
		if (v->start < end && start < v->end)
			return false;
	return true;
}

/* Insert a (non-overlapping) area in address order. */
void as_vma_insert_locked(struct as *as, struct vma *n)
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

/* Split v at `at` (inside it); the upper part goes into spare (a big VMA,
 * so it can hold either kind). */
static void vma_split_locked(struct as *as, struct vma *v, uintptr_t at, struct vma *spare)
{
	struct file *f = vma_file(v);

	spare->start = at;
	spare->end = v->end;
	spare->prot = v->prot;
	spare->kind = v->kind;
	spare->shared = v->shared;
	vma_set_pgoff(spare, v->kind == VMA_FILE ? vma_pgoff(v) + ((at - v->start) >> PAGE_SHIFT)
						 : 0);
	((struct vma_file *)spare)->file = f;
	as_vma_file_hold(spare);
	/* The file's mapper entry for this as exists: counting cannot fail. */
	spare->tracked = v->tracked;
	if (spare->tracked)
		(void)as_vma_file_track(as, spare);
	v->end = at;
	list_add(&spare->node, &v->node);
}

/* Drop the pages of v in [s, e) (inside it). */
size_t as_drop_pages_locked(struct as *as, struct vma *v, uintptr_t s, uintptr_t e)
{
	return as_for_each_leaf(as, s, e, drop_leaf, v);
}

/*
 * Remove [s, e) from the areas and their pages. *spare is used (and set to
 * NULL) if an area has to be split in two; areas removed go on *freed, to
 * be freed (free_list) once the lock is dropped.
 */
void as_unmap_locked(struct as *as, uintptr_t s, uintptr_t e, struct vma **spare,
			 struct list_head *freed)
{
	struct vma *v, *tmp;
	size_t n = 0;

	list_for_each_entry_safe(v, tmp, &as->vmas, node) {
		if (v->end <= s || v->start >= e)
			continue;
		uintptr_t ds = v->start > s ? v->start : s, de = v->end < e ? v->end : e;

		n += as_drop_pages_locked(as, v, ds, de);
		if (v->start < s && v->end > e) {
			vma_split_locked(as, v, e, *spare);
			*spare = NULL;
			v->end = s;
			break;
		} else if (v->start < s) {
			v->end = s;
		} else if (v->end > e) {
			if (v->kind == VMA_FILE)
				vma_set_pgoff(v, vma_pgoff(v) + ((e - v->start) >> PAGE_SHIFT));
			v->start = e;
		} else {
			list_del(&v->node);
			list_add_tail(&v->node, freed);
		}
	}
	if (n)
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

static void harvest_leaf(struct as *as, uintptr_t va, pte_t *pte, void *arg)
{
	(void)as;
	as_file_leaf_gone(arg, va, *pte);
}

void as_destroy(struct as *as)
{
	struct vma *v, *tmp;

	/* Out of the files' mappers first: a truncation may not touch these
	 * tables once they go (its round holds the mappers' lock). Then the
	 * stores into shared file pages reach their caches. */
	list_for_each_entry(v, &as->vmas, node) {
		as_vma_file_untrack(as, v);
		if (v->kind == VMA_FILE && v->shared)
			as_for_each_leaf(as, v->start, v->end, harvest_leaf, v);
	}
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
	list_for_each_entry_safe(v, tmp, &as->vmas, node) {
		list_del(&v->node);
		as_vma_file_release(as, v);
		as_vma_free(v);
	}
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
	if (!as_range_is_free_locked(as, va, end))
		return -EEXIST;
	n->start = va;
	n->end = end;
	n->prot = prot;
	n->kind = kind;
	n->shared = 0;
	n->tracked = 0;
	vma_set_pgoff(n, 0);
	as_vma_insert_locked(as, n);
	return 0;
}

int as_map(struct as *as, uintptr_t va, size_t len, unsigned prot, enum vma_kind kind)
{
	len = PAGE_ALIGN_UP(len);
	if (!as_range_ok(va, len) || (prot & ~7u))
		return -EINVAL;
	struct vma *n = vma_alloc_small();

	if (!n)
		return -ENOMEM;
	irqflags_t fl = spin_lock_irqsave(&as->lock);
	int err = map_locked(as, va, va + len, prot, kind, n);

	spin_unlock_irqrestore(&as->lock, fl);
	if (err)
		as_vma_free(n);
	return err;
}

int as_unmap(struct as *as, uintptr_t va, size_t len)
{
	len = PAGE_ALIGN_UP(len);
	if (!as_range_ok(va, len))
		return -EINVAL;
	struct vma *spare = as_vma_alloc_big();
	struct list_head freed;

	if (!spare)
		return -ENOMEM;
	list_init(&freed);
	irqflags_t fl = spin_lock_irqsave(&as->lock);

	as_unmap_locked(as, va, va + len, &spare, &freed);
	spin_unlock_irqrestore(&as->lock, fl);
	as_free_vmas(as, &freed);
	as_vma_free(spare);
	return 0;
}

int as_protect(struct as *as, uintptr_t va, size_t len, unsigned prot)
{
	uintptr_t s = va, e;
	struct vma *v, *spare[2];
	int err = 0;

	len = PAGE_ALIGN_UP(len);
	if (!as_range_ok(va, len) || (prot & ~7u))
		return -EINVAL;
	e = va + len;
	spare[0] = as_vma_alloc_big();
	spare[1] = as_vma_alloc_big();
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
			vma_split_locked(as, v, s, spare[0]);
			spare[0] = NULL;
			continue; /* the upper part comes next in the list */
		}
		if (v->end > e) {
			vma_split_locked(as, v, e, spare[1]);
			spare[1] = NULL;
		}
		v->prot = prot;
	}
	size_t n = 0;

	list_for_each_entry(v, &as->vmas, node)
		if (v->end > s && v->start < e)
			n += as_for_each_leaf(as, v->start, v->end, reprotect_leaf, v);
	if (n)
		flush_all();
out_unlock:
	spin_unlock_irqrestore(&as->lock, fl);
out_free_spares:
	for (int i = 0; i < 2; i++)
		as_vma_free(spare[i]);
	return err;
}

/*
 * Highest address below which nothing is placed by search: the guard gap
 * below the main stack, whose areas (VMA_STACK, split by mprotect perhaps)
 * are the last ones, up to USER_TOP. Found, not stored: struct as stays
 * small, and the list's tail is at hand.
 */
uintptr_t as_mmap_top_locked(struct as *as)
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
uintptr_t as_find_hole_locked(struct as *as, size_t len)
{
	uintptr_t gap_top = as_mmap_top_locked(as);
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

/*
 * mmap's placement and area for n (a new VMA with kind, shared and pgoff
 * set; n is the list's on success, NULL'ed then). Returns the address or
 * -errno.
 */
static long mmap_area(struct as *as, uintptr_t addr, size_t len, unsigned prot, unsigned flags,
		      struct vma **np)
{
	bool fixed = flags & (AS_MAP_FIXED | AS_MAP_NOREPLACE);
	struct vma *n = *np, *spare;
	struct list_head freed;
	long ret;

	if (!len || len > USER_TOP || (prot & ~7u))
		return -EINVAL;
	len = PAGE_ALIGN_UP(len);
	if (fixed && !as_range_ok(addr, len))
		return fixed && (addr & PAGE_MASK) ? -EINVAL : -ENOMEM;
	spare = as_vma_alloc_big();
	if (!spare)
		return -ENOMEM;
	list_init(&freed);
	irqflags_t fl = spin_lock_irqsave(&as->lock);

	if (flags & AS_MAP_FIXED) {
		as_unmap_locked(as, addr, addr + len, &spare, &freed);
	} else if (!fixed) {
		/* A free, aligned hint is taken as is (as Linux does). */
		addr = PAGE_ALIGN_DOWN(addr);
		if (addr < AS_MMAP_MIN || !as_range_ok(addr, len) ||
		    addr + len > as_mmap_top_locked(as) ||
		    !as_range_is_free_locked(as, addr, addr + len))
			addr = as_find_hole_locked(as, len);
	}
	if (!addr) {
		ret = -ENOMEM;
	} else if (!as_range_is_free_locked(as, addr, addr + len)) {
		ret = -EEXIST;
	} else if ((flags & AS_MAP_TRACKED) && as_vma_file_track(as, n)) {
		ret = -ENOMEM;
	} else {
		n->start = addr;
		n->end = addr + len;
		n->prot = prot;
		n->tracked = !!(flags & AS_MAP_TRACKED);
		as_vma_insert_locked(as, n);
		*np = NULL;
		ret = (long)addr;
	}
	spin_unlock_irqrestore(&as->lock, fl);
	as_free_vmas(as, &freed);
	as_vma_free(spare);
	return ret;
}

long as_mmap(struct as *as, uintptr_t addr, size_t len, unsigned prot, unsigned flags)
{
	struct vma *n = vma_alloc_small();
	long ret;

	if (!n)
		return -ENOMEM;
	n->kind = (flags & AS_MAP_GROWSDOWN) ? VMA_STACK : VMA_ANON;
	n->shared = 0;
	n->tracked = 0;
	vma_set_pgoff(n, 0);
	ret = mmap_area(as, addr, len, prot, flags & ~AS_MAP_TRACKED, &n);
	as_vma_free(n);
	return ret;
}

long as_mmap_shared(struct as *as, uintptr_t addr, size_t len, unsigned prot, unsigned flags,
		    void *const *pages, size_t npages)
{
	struct vma *n = vma_alloc_small();
	long va;

	if (!n)
		return -ENOMEM;
	n->kind = VMA_ANON;
	n->shared = 1;
	n->tracked = 0;
	vma_set_pgoff(n, 0);
	va = mmap_area(as, addr, len, prot, flags & ~(AS_MAP_TRACKED | AS_MAP_GROWSDOWN), &n);
	as_vma_free(n);
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

long as_mmap_file(struct as *as, uintptr_t addr, size_t len, unsigned prot, unsigned flags,
		  struct file *file, uint64_t pgoff, bool shared)
{
	struct vma *n;
	long ret;

	if (pgoff > VMA_PGOFF_MAX || (PAGE_ALIGN_UP(len) >> PAGE_SHIFT) > VMA_PGOFF_MAX - pgoff)
		return -EOVERFLOW;
	n = as_vma_alloc_big();
	if (!n)
		return -ENOMEM;
	n->kind = VMA_FILE;
	n->shared = shared;
	n->tracked = 0;
	vma_set_pgoff(n, pgoff);
	((struct vma_file *)n)->file = file;
	as_vma_file_hold(n);
	ret = mmap_area(as, addr, len, prot, flags, &n);
	if (n) {
		as_vma_file_release(as, n);
		as_vma_free(n);
	}
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
	struct vma *n = vma_alloc_small(), *spare = as_vma_alloc_big();
	struct list_head freed;

	list_init(&freed);
	irqflags_t fl = spin_lock_irqsave(&as->lock);
	uintptr_t old_end = PAGE_ALIGN_UP(as->brk), new_end = PAGE_ALIGN_UP(newbrk);
	struct vma *heap = old_end > as->brk_start ? as_vma_find_locked(as, old_end - 1) : NULL;

	if (!n || !spare || newbrk < as->brk_start || newbrk > as_mmap_top_locked(as) ||
	    (heap && heap->kind != VMA_HEAP))
		goto out;
	if (new_end > old_end) {
		if (!as_range_is_free_locked(as, old_end, new_end))
			goto out;
		struct vma *below = as->brk_start ? as_vma_find_locked(as, as->brk_start - 1) : NULL;

		if (heap) {
			heap->end = new_end;
		} else if (below && below->end == as->brk_start &&
			   (below->kind == VMA_ANON || below->kind == VMA_HEAP) && !below->shared &&
			   below->prot == (AS_PROT_READ | AS_PROT_WRITE)) {
			/* The bss ends where the heap starts: one area for both
			 * (a VMA fewer per process). */
			below->kind = VMA_HEAP;
			below->end = new_end;
		} else {
			if (map_locked(as, as->brk_start, new_end, AS_PROT_READ | AS_PROT_WRITE,
				       VMA_HEAP, n))
				goto out;
			n = NULL;
		}
	} else if (new_end < old_end) {
		as_unmap_locked(as, new_end, old_end, &spare, &freed);
	}
	as->brk = newbrk;
out:
	newbrk = as->brk;
	spin_unlock_irqrestore(&as->lock, fl);
	as_free_vmas(as, &freed);
	as_vma_free(n);
	as_vma_free(spare);
	return newbrk;
}

long as_stack_init_at(struct as *as, uintptr_t top, size_t size)
{
	size = PAGE_ALIGN_UP(size);
	top = PAGE_ALIGN_DOWN(top);
	if (!size || size > USER_TOP / 2 || top > USER_TOP || top < size + USER_TOP / 2)
		return -EINVAL;
	uintptr_t lo = top - size;
	int err = as_map(as, lo, size, AS_PROT_READ | AS_PROT_WRITE, VMA_STACK);

	return err ? err : (long)top;
}

long as_stack_init(struct as *as, size_t size)
{
	return as_stack_init_at(as, USER_TOP, size);
}
