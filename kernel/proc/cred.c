// SPDX-License-Identifier: MIT
/*
 * Credentials (cred.h): allocation and sharing, the current cred, group
 * membership and the rules one process applies to another's ids.
 *
 * Lock legend: a cred is immutable once shared (A for its count only).
 * proc->cred is written by the process's own userloop under proc_lock;
 * that userloop reads it without the lock, anyone else under proc_lock
 * (proc_cred_get), so a reader never sees a cred freed under it.
 * cred_overrides[h] is H (hart h only, within one synchronous call).
 */
#include "kernel/proc/cred.h"

#include "kernel/arch.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/proc/proc_internal.h"
#include "lib/string.h"

/* One reference is the static one, so it is never freed. */
struct cred cred_root = { .refs = 1 };

static const struct cred *cred_overrides[MAX_HARTS]; /* H */

struct cred *cred_alloc(uint32_t ngroups)
{
	struct cred *c = kzalloc(sizeof(*c) + (size_t)ngroups * sizeof(c->groups[0]));

	if (!c)
		return NULL;
	atomic_init(&c->refs, 1);
	c->ngroups = ngroups;
	return c;
}

struct cred *cred_copy(const struct cred *old)
{
	struct cred *c = cred_alloc(old->ngroups);

	if (!c)
		return NULL;
	memcpy(&c->uid, &old->uid, sizeof(*c) - offsetof(struct cred, uid));
	memcpy(c->groups, old->groups, (size_t)old->ngroups * sizeof(c->groups[0]));
	return c;
}

struct cred *cred_get(struct cred *c)
{
	/* relaxed: a new reference needs an existing one; nothing to order. */
	atomic_fetch_add_explicit(&c->refs, 1, memory_order_relaxed);
	return c;
}

void cred_put(struct cred *c)
{
	if (!c)
		return;
	/* acq_rel: the last put sees every holder's reads done (pairs with the
	 * release of the other puts) before the memory is reused. */
	if (atomic_fetch_sub_explicit(&c->refs, 1, memory_order_acq_rel) == 1)
		kfree(c);
}

const struct cred *cred_current(void)
{
	const struct cred *o = cred_overrides[hart_id()];
	struct proc *p;

	if (o)
		return o;
	p = proc_current();
	return p && p->cred ? p->cred : &cred_root;
}

const struct cred *cred_override(const struct cred *c)
{
	const struct cred *old = cred_overrides[hart_id()];

	cred_overrides[hart_id()] = c;
	return old;
}

void cred_revert(const struct cred *old)
{
	cred_overrides[hart_id()] = old;
}

static bool in_groups(const struct cred *c, uint32_t gid)
{
	uint32_t lo = 0, hi = c->ngroups;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (c->groups[mid] == gid)
			return true;
		if (c->groups[mid] < gid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

bool cred_in_group(const struct cred *c, uint32_t gid)
{
	return gid == c->fsgid || in_groups(c, gid);
}

bool cred_in_egroup(const struct cred *c, uint32_t gid)
{
	return gid == c->egid || in_groups(c, gid);
}

const struct cred *proc_cred(struct proc *p)
{
	return p->cred;
}

struct cred *proc_cred_get(struct proc *p)
{
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	struct cred *c = cred_get(p->cred);

	spin_unlock_irqrestore(&proc_lock, f);
	return c;
}

void proc_cred_commit(struct proc *p, struct cred *new)
{
	irqflags_t f = spin_lock_irqsave(&proc_lock);
	struct cred *old = p->cred;

	p->cred = new;
	spin_unlock_irqrestore(&proc_lock, f);
	cred_put(old);
}

bool cred_may_signal(const struct cred *c, const struct cred *t)
{
	return c->euid == t->suid || c->euid == t->uid || c->uid == t->suid || c->uid == t->uid ||
	       cred_capable(c);
}

bool cred_same_owner(const struct cred *c, const struct cred *t)
{
	return c == t || c->euid == t->uid || c->euid == t->euid || cred_capable(c);
}

bool cred_may_prlimit(const struct cred *c, const struct cred *t)
{
	if (c == t || cred_capable(c))
		return true;
	return c->uid == t->euid && c->uid == t->suid && c->uid == t->uid && c->gid == t->egid &&
	       c->gid == t->sgid && c->gid == t->gid;
}
