// SPDX-License-Identifier: MIT
/*
 * futex(2): a keyed wait queue. A waiter is a future linked on one of a few
 * hashed buckets under the key of its user word; a wake unlinks matching
 * waiters and wakes their tasks; a timeout is a timer whose cancel is the
 * future's drop. No kernel thread ever blocks.
 *
 * Keys: a private futex (FUTEX_PRIVATE_FLAG), and a shared one on memory
 * that is not shared between address spaces, key on (address space, user
 * address), as Linux; a shared futex on a VMA_SHARED page keys on (the
 * page, the offset in it), so every address space mapping that page meets
 * on it. Memory shared between processes is only VMA_SHARED here today;
 * other shared mappings (MAP_SHARED files, shared anonymous memory) key the
 * same way once they exist: add their kind to key_of().
 *
 * Lock legend: L = the waiter's bucket lock. A waiter's bucket changes
 * only under both buckets' locks (requeue), so whoever wants to lock a
 * waiter's bucket reads it, locks it and checks it did not move.
 * The word is read under the bucket lock, and a waker's store precedes its
 * FUTEX_WAKE taking that lock: no wake between the check and the queueing
 * is lost.
 */
#include "kernel/proc/proc_internal.h"

#include "kernel/async/timer.h"
#include "kernel/mm/as.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/cred.h"
#include "kernel/syscall/syscall.h"
#include "kernel/time/clock.h"
#include "lib/errno.h"

#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_CMD_MASK (~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME))
#define FUTEX_BITSET_MATCH_ANY 0xffffffffu

#define FUTEX_WAITERS 0x80000000u
#define FUTEX_OWNER_DIED 0x40000000u
#define FUTEX_TID_MASK 0x3fffffffu

struct futex_key {
	const void *obj;        /* the struct as, or the shared page */
	uintptr_t off;          /* the user address, or the offset in the page */
};

struct futex_bucket {
	struct spinlock lock;
	struct list_head waiters; /* L: of futex_wait.node */
};

#define FUTEX_BUCKETS 64
static struct futex_bucket buckets[FUTEX_BUCKETS];
static bool buckets_ready;      /* I: set by the first futex call's init */
static struct spinlock init_lock = SPINLOCK_INIT("futex_init");

static void buckets_init(void)
{
	irqflags_t f;

	if (__atomic_load_n(&buckets_ready, __ATOMIC_ACQUIRE))
		return;
	f = spin_lock_irqsave(&init_lock);
	if (!buckets_ready) {
		for (int i = 0; i < FUTEX_BUCKETS; i++) {
			spin_init(&buckets[i].lock, "futex");
			list_init(&buckets[i].waiters);
		}
		__atomic_store_n(&buckets_ready, true, __ATOMIC_RELEASE);
	}
	spin_unlock_irqrestore(&init_lock, f);
}

static unsigned hash_key(const struct futex_key *k)
{
	uint64_t h = (uint64_t)(uintptr_t)k->obj * 0x9e3779b97f4a7c15ull ^ (k->off >> 2) * 0xff51afd7ed558ccdull;

	return (unsigned)(h >> 58) & (FUTEX_BUCKETS - 1);
}

static bool key_eq(const struct futex_key *a, const struct futex_key *b)
{
	return a->obj == b->obj && a->off == b->off;
}

/*
 *   QUEUED --wake--> WOKEN --poll--> DONE (0)
 *      |--timer--> (poll) --> DONE (-ETIMEDOUT)
 *      |--drop (signal, exit)--> DONE; a WOKEN one passes its wake on
 */
enum futex_wait_state {
	FW_QUEUED,
	FW_WOKEN,
	FW_DONE,
};

struct futex_wait {
	struct future base;
	struct list_head node;          /* L */
	struct futex_key key;           /* L: requeue changes it */
	uint32_t bitset;                /* I */
	uint8_t bucket;                 /* L (A: read before locking) */
	uint8_t state;                  /* L: enum futex_wait_state */
	bool timed;                     /* I */
	struct waker waker;             /* L */
	struct timer_entry te;          /* the timeout, if timed */
};

/* Lock w's bucket (it may move under a requeue until it is locked). */
static struct futex_bucket *lock_waiter(struct futex_wait *w, irqflags_t *f)
{
	for (;;) {
		unsigned b = __atomic_load_n(&w->bucket, __ATOMIC_ACQUIRE);
		struct futex_bucket *fb = &buckets[b];

		*f = spin_lock_irqsave(&fb->lock);
		if (__atomic_load_n(&w->bucket, __ATOMIC_RELAXED) == b)
			return fb;
		spin_unlock_irqrestore(&fb->lock, *f);
	}
}

/* Wake up to n waiters of key whose bitset meets bitset. Bucket locked. */
static int wake_locked(struct futex_bucket *fb, const struct futex_key *key, int n,
		       uint32_t bitset)
{
	struct futex_wait *w, *tmp;
	int woken = 0;

	list_for_each_entry_safe(w, tmp, &fb->waiters, node) {
		if (woken >= n)
			break;
		if (!key_eq(&w->key, key) || !(w->bitset & bitset))
			continue;
		list_del(&w->node);
		w->state = FW_WOKEN;
		waker_wake_by_ref(&w->waker);
		woken++;
	}
	return woken;
}

static int wake_key(const struct futex_key *key, int n, uint32_t bitset)
{
	struct futex_bucket *fb = &buckets[hash_key(key)];
	irqflags_t f = spin_lock_irqsave(&fb->lock);
	int woken = wake_locked(fb, key, n, bitset);

	spin_unlock_irqrestore(&fb->lock, f);
	return woken;
}

static enum poll futex_wait_poll(struct future *f, struct context *cx)
{
	struct futex_wait *w = container_of(f, struct futex_wait, base);
	irqflags_t fl;
	struct futex_bucket *fb;
	bool fired;

	if (w->state == FW_DONE)
		return POLL_READY;
	/* The timer first (it takes its own lock), then the state: a wake
	 * that meets the timeout wins, as on Linux. */
	fired = w->timed && timerq_check(&w->te, cx->waker);
	fb = lock_waiter(w, &fl);
	if (w->state == FW_WOKEN) {
		w->state = FW_DONE;
		f->result = 0;
	} else if (fired) {
		list_del(&w->node);
		w->state = FW_DONE;
		f->result = -ETIMEDOUT;
	} else {
		if (!waker_will_wake(&w->waker, cx->waker)) {
			waker_drop(&w->waker);
			w->waker = waker_clone(cx->waker);
		}
		spin_unlock_irqrestore(&fb->lock, fl);
		return POLL_PENDING;
	}
	spin_unlock_irqrestore(&fb->lock, fl);
	if (w->timed)
		timerq_cancel(&w->te);
	return POLL_READY;
}

static void futex_wait_drop(struct future *f)
{
	struct futex_wait *w = container_of(f, struct futex_wait, base);
	bool pass_on = false;
	irqflags_t fl;
	struct futex_bucket *fb;

	if (w->timed)
		timerq_cancel(&w->te);
	if (w->state == FW_DONE)
		return;
	fb = lock_waiter(w, &fl);
	if (w->state == FW_QUEUED)
		list_del(&w->node);
	else if (w->state == FW_WOKEN)
		pass_on = true; /* woken, but will not return 0: another may */
	w->state = FW_DONE;
	spin_unlock_irqrestore(&fb->lock, fl);
	if (pass_on)
		(void)wake_key(&w->key, 1, FUTEX_BITSET_MATCH_ANY);
}

static void futex_wait_release(struct future *f)
{
	struct futex_wait *w = container_of(f, struct futex_wait, base);

	waker_drop(&w->waker);
	kfree(w);
}

static const char *futex_state_name(const struct future *f)
{
	static const char *const names[] = { "QUEUED", "WOKEN", "DONE" };

	return names[container_of(f, struct futex_wait, base)->state];
}

static const struct future_ops futex_wait_ops = {
	.name = "futex_wait",
	.type = "futex_wait",
	.poll = futex_wait_poll,
	.drop = futex_wait_drop,
	.release = futex_wait_release,
	.state_name = futex_state_name,
};

/*
 * The key of the word at uaddr. Shared memory (VMA_SHARED) keys on the
 * page, everything else on the address space: a shared futex in private
 * memory is private to it (Linux's get_futex_key, anonymous private case).
 */
static int key_of(struct as *as, uintptr_t uaddr, bool private, struct futex_key *k)
{
	struct vma *v;
	irqflags_t f;
	int err = 0;

	if (uaddr & 3)
		return -EINVAL;
	k->obj = as;
	k->off = uaddr;
	if (private)
		return 0;
	f = spin_lock_irqsave(&as->lock);
	list_for_each_entry(v, &as->vmas, node) {
		if (uaddr < v->start)
			break;
		if (uaddr < v->end) {
			if (v->shared) {
				char *kp = as_user_ptr_locked(as, uaddr, AS_PROT_READ, &err);

				if (kp) {
					k->obj = (const void *)((uintptr_t)kp & ~(uintptr_t)(PAGE_SIZE - 1));
					k->off = uaddr & (PAGE_SIZE - 1);
				}
			}
			break;
		}
	}
	spin_unlock_irqrestore(&as->lock, f);
	return err;
}

static int get_word(struct as *as, uintptr_t uaddr, uint32_t *val)
{
	return copy_from_user(as, val, uaddr, sizeof(*val));
}

/* Read a timespec into ns (-EINVAL for a bad one, as Linux). */
static int get_timeout(struct as *as, uintptr_t uts, uint64_t *ns)
{
	struct {
		int64_t sec, nsec;
	} ts;

	if (copy_from_user(as, &ts, uts, sizeof(ts)))
		return -EFAULT;
	if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= 1000000000)
		return -EINVAL;
	if ((uint64_t)ts.sec > (UINT64_MAX - 1000000000ull) / 1000000000ull)
		*ns = UINT64_MAX;
	else
		*ns = (uint64_t)ts.sec * 1000000000ull + (uint64_t)ts.nsec;
	return 0;
}

static long do_wait(struct sys_ctx *sc, uintptr_t uaddr, uint32_t val, bool has_deadline,
		    uint64_t deadline, uint32_t bitset, bool private)
{
	struct as *as = proc_as(sc->proc);
	struct futex_wait *w;
	struct futex_bucket *fb;
	struct futex_key key;
	irqflags_t f;
	uint32_t cur;
	int err;

	if (!bitset)
		return -EINVAL;
	err = key_of(as, uaddr, private, &key);
	if (err)
		return err;
	w = kmalloc(sizeof(*w));
	if (!w)
		return -ENOMEM;
	future_init(&w->base, &futex_wait_ops);
	w->key = key;
	w->bitset = bitset;
	w->bucket = (uint8_t)hash_key(&key);
	w->timed = has_deadline;
	w->waker = waker_noop(); /* the first poll puts the task's in */
	fb = &buckets[w->bucket];
	f = spin_lock_irqsave(&fb->lock);
	err = get_word(as, uaddr, &cur);
	if (!err && cur != val)
		err = -EAGAIN;
	if (err) {
		spin_unlock_irqrestore(&fb->lock, f);
		kfree(w);
		return err;
	}
	w->state = FW_QUEUED;
	list_add_tail(&w->node, &fb->waiters);
	spin_unlock_irqrestore(&fb->lock, f);
	if (has_deadline) {
		struct waker nobody = waker_noop();

		timer_entry_init(&w->te);
		timerq_add(&w->te, deadline, &nobody);
	}
	sc->pending = &w->base;
	return 0;
}

/* Lock two buckets in index order (once if they are one). */
struct two_flags {
	irqflags_t a, b;
};

static void lock_two(struct futex_bucket *a, struct futex_bucket *b, struct two_flags *f)
{
	struct futex_bucket *lo = a < b ? a : b, *hi = a < b ? b : a;

	f->b = 0;
	f->a = spin_lock_irqsave(&lo->lock);
	if (hi != lo)
		f->b = spin_lock_irqsave(&hi->lock);
}

static void unlock_two(struct futex_bucket *a, struct futex_bucket *b, struct two_flags *f)
{
	struct futex_bucket *lo = a < b ? a : b, *hi = a < b ? b : a;

	if (hi != lo)
		spin_unlock_irqrestore(&hi->lock, f->b);
	spin_unlock_irqrestore(&lo->lock, f->a);
}

static long do_requeue(struct sys_ctx *sc, uintptr_t uaddr, int nr_wake, int nr_requeue,
		       uintptr_t uaddr2, bool cmp, uint32_t val3, bool private)
{
	struct as *as = proc_as(sc->proc);
	struct futex_key k1, k2;
	struct futex_bucket *b1, *b2;
	struct futex_wait *w, *tmp;
	struct two_flags f;
	int err, woken = 0, moved = 0;
	uint32_t cur;

	if (nr_wake < 0 || nr_requeue < 0)
		return -EINVAL;
	err = key_of(as, uaddr, private, &k1);
	if (!err)
		err = key_of(as, uaddr2, private, &k2);
	if (err)
		return err;
	b1 = &buckets[hash_key(&k1)];
	b2 = &buckets[hash_key(&k2)];
	lock_two(b1, b2, &f);
	if (cmp) {
		err = get_word(as, uaddr, &cur);
		if (!err && cur != val3)
			err = -EAGAIN;
		if (err) {
			unlock_two(b1, b2, &f);
			return err;
		}
	}
	list_for_each_entry_safe(w, tmp, &b1->waiters, node) {
		if (!key_eq(&w->key, &k1))
			continue;
		if (woken < nr_wake) {
			list_del(&w->node);
			w->state = FW_WOKEN;
			waker_wake_by_ref(&w->waker);
			woken++;
		} else if (moved < nr_requeue) {
			list_del(&w->node);
			w->key = k2;
			__atomic_store_n(&w->bucket, (uint8_t)(b2 - buckets), __ATOMIC_RELEASE);
			list_add_tail(&w->node, &b2->waiters);
			moved++;
		} else {
			break;
		}
	}
	unlock_two(b1, b2, &f);
	return woken + moved;
}

/* FUTEX_WAKE_OP's operation on the word at uaddr2: its old value. */
static int wake_op_apply(struct as *as, uintptr_t uaddr, uint32_t encoded, uint32_t *old)
{
	unsigned op = (encoded >> 28) & 7, shift = (encoded >> 28) & 8;
	int32_t oparg = ((int32_t)(encoded << 8)) >> 20;
	uint32_t *kp, v;
	irqflags_t f;
	int err = 0;

	if (shift)
		oparg = (oparg < 0 || oparg > 31) ? 0 : (int32_t)(1u << oparg);
	if (op > 4)
		return -ENOSYS;
	if (uaddr & 3)
		return -EINVAL;
	f = spin_lock_irqsave(&as->lock);
	kp = as_user_ptr_locked(as, uaddr, AS_PROT_WRITE, &err);
	if (kp) {
		switch (op) {
		case 0: v = __atomic_exchange_n(kp, (uint32_t)oparg, __ATOMIC_SEQ_CST); break;
		case 1: v = __atomic_fetch_add(kp, (uint32_t)oparg, __ATOMIC_SEQ_CST); break;
		case 2: v = __atomic_fetch_or(kp, (uint32_t)oparg, __ATOMIC_SEQ_CST); break;
		case 3: v = __atomic_fetch_and(kp, ~(uint32_t)oparg, __ATOMIC_SEQ_CST); break;
		default: v = __atomic_fetch_xor(kp, (uint32_t)oparg, __ATOMIC_SEQ_CST); break;
		}
		*old = v;
	}
	spin_unlock_irqrestore(&as->lock, f);
	return kp ? 0 : (err ? err : -EFAULT);
}

static int wake_op_cmp(uint32_t encoded, int32_t old, bool *yes)
{
	unsigned cmp = (encoded >> 24) & 15;
	int32_t arg = ((int32_t)(encoded << 20)) >> 20;

	switch (cmp) {
	case 0: *yes = old == arg; return 0;
	case 1: *yes = old != arg; return 0;
	case 2: *yes = old < arg; return 0;
	case 3: *yes = old <= arg; return 0;
	case 4: *yes = old > arg; return 0;
	case 5: *yes = old >= arg; return 0;
	}
	return -ENOSYS;
}

static long do_wake_op(struct sys_ctx *sc, uintptr_t uaddr, int n, int n2, uintptr_t uaddr2,
		       uint32_t val3, bool private)
{
	struct as *as = proc_as(sc->proc);
	struct futex_key k1, k2;
	struct futex_bucket *b1, *b2;
	struct two_flags f;
	uint32_t old;
	bool yes;
	int err, woken;

	err = key_of(as, uaddr, private, &k1);
	if (!err)
		err = key_of(as, uaddr2, private, &k2);
	if (err)
		return err;
	b1 = &buckets[hash_key(&k1)];
	b2 = &buckets[hash_key(&k2)];
	lock_two(b1, b2, &f);
	err = wake_op_apply(as, uaddr2, val3, &old);
	if (!err)
		err = wake_op_cmp(val3, (int32_t)old, &yes);
	if (err) {
		unlock_two(b1, b2, &f);
		return err;
	}
	woken = wake_locked(b1, &k1, n, FUTEX_BITSET_MATCH_ANY);
	if (yes)
		woken += wake_locked(b2, &k2, n2, FUTEX_BITSET_MATCH_ANY);
	unlock_two(b1, b2, &f);
	return woken;
}

/*
 * futex(uaddr, op, val, timeout or val2, uaddr2, val3). FUTEX_WAIT's
 * timeout is relative (CLOCK_MONOTONIC, or CLOCK_REALTIME with that flag:
 * the same length); FUTEX_WAIT_BITSET's is absolute, on CLOCK_MONOTONIC or
 * CLOCK_REALTIME. The PI operations and FUTEX_FD are -ENOSYS, as on a Linux
 * built without them.
 */
SYSCALL_ASYNC(98, futex)
{
	uintptr_t uaddr = sc->arg[0], uts = sc->arg[3], uaddr2 = sc->arg[4];
	int op = (int)sc->arg[1], cmd = op & FUTEX_CMD_MASK;
	uint32_t val = (uint32_t)sc->arg[2], val3 = (uint32_t)sc->arg[5];
	bool private = op & FUTEX_PRIVATE_FLAG, realtime = op & FUTEX_CLOCK_REALTIME;
	struct as *as = proc_as(sc->proc);
	uint64_t ns = 0, deadline = 0;
	int err;

	buckets_init();
	if (realtime && cmd != FUTEX_WAIT && cmd != FUTEX_WAIT_BITSET)
		return -ENOSYS;
	switch (cmd) {
	case FUTEX_WAIT:
		val3 = FUTEX_BITSET_MATCH_ANY;
		/* fall through */
	case FUTEX_WAIT_BITSET:
		if (uts) {
			err = get_timeout(as, uts, &ns);
			if (err)
				return err;
			if (cmd == FUTEX_WAIT)
				deadline = clock_now_ns() + (ns > UINT64_MAX / 2 ? UINT64_MAX / 2 : ns);
			else
				deadline = clock_abs_to_mono(realtime ? CLOCK_REALTIME
								      : CLOCK_MONOTONIC, ns);
		}
		return do_wait(sc, uaddr, val, uts != 0, deadline, val3, private);
	case FUTEX_WAKE:
		val3 = FUTEX_BITSET_MATCH_ANY;
		/* fall through */
	case FUTEX_WAKE_BITSET: {
		struct futex_key key;

		if (!val3)
			return -EINVAL;
		err = key_of(as, uaddr, private, &key);
		if (err)
			return err;
		return wake_key(&key, (int)val < 0 ? INT32_MAX : (int)val, val3);
	}
	case FUTEX_REQUEUE:
	case FUTEX_CMP_REQUEUE:
		return do_requeue(sc, uaddr, (int)val, (int)(uintptr_t)uts, uaddr2,
				  cmd == FUTEX_CMP_REQUEUE, val3, private);
	case FUTEX_WAKE_OP:
		return do_wake_op(sc, uaddr, (int)val, (int)(uintptr_t)uts, uaddr2, val3, private);
	default:
		return -ENOSYS;
	}
}

int futex_wake_addr(struct as *as, uintptr_t uaddr, int n)
{
	struct futex_key key;
	int err;

	buckets_init();
	err = key_of(as, uaddr, false, &key);
	if (err)
		return err;
	return wake_key(&key, n, FUTEX_BITSET_MATCH_ANY);
}

/* ---- robust futexes ------------------------------------------------------------ */

#define ROBUST_LIST_LIMIT 2048

/* One robust lock at uaddr held by the exiting thread tid: mark its owner
 * dead and wake a waiter (Linux's handle_futex_death). */
static void robust_release(struct as *as, uintptr_t uaddr, uint32_t tid, bool pending)
{
	uint32_t *kp, old;
	irqflags_t f;
	int err = 0;
	bool wake = false;

	if (uaddr & 3)
		return;
	f = spin_lock_irqsave(&as->lock);
	kp = as_user_ptr_locked(as, uaddr, AS_PROT_WRITE, &err);
	if (kp) {
		old = __atomic_load_n(kp, __ATOMIC_RELAXED);
		for (;;) {
			if (pending && old == 0) {
				wake = true; /* a lock being taken when it died */
				break;
			}
			if ((old & FUTEX_TID_MASK) != tid)
				break;
			uint32_t nv = (old & FUTEX_WAITERS) | FUTEX_OWNER_DIED;

			if (__atomic_compare_exchange_n(kp, &old, nv, false, __ATOMIC_SEQ_CST,
							__ATOMIC_RELAXED)) {
				wake = old & FUTEX_WAITERS;
				break;
			}
		}
	}
	spin_unlock_irqrestore(&as->lock, f);
	if (wake)
		(void)futex_wake_addr(as, uaddr, 1);
}

void futex_exit_robust(struct proc *p)
{
	struct {
		uint64_t next;
		int64_t futex_offset;
		uint64_t pending;
	} head;
	uintptr_t uhead = p->robust_list, entry;
	struct as *as = p->as;

	p->robust_list = 0;
	if (!uhead || copy_from_user(as, &head, uhead, sizeof(head)))
		return;
	entry = head.next & ~1ull;
	head.pending &= ~1ull;
	/* The list is the program's: bounded, and any fault ends the walk. */
	for (int i = 0; entry != uhead && i < ROBUST_LIST_LIMIT; i++) {
		uint64_t next;

		if (copy_from_user(as, &next, entry, sizeof(next)))
			return;
		if (entry != head.pending)
			robust_release(as, (entry & ~1ull) + (uintptr_t)head.futex_offset,
				       (uint32_t)p->pid, false);
		entry = next & ~1ull; /* bit 0: a PI futex (none here) */
	}
	if (head.pending)
		robust_release(as, head.pending + (uintptr_t)head.futex_offset, (uint32_t)p->pid,
			       true);
}

/* get_robust_list(pid, &head, &len): a thread's own, or another's with
 * the right to signal it (Linux: ptrace_may_access; here the same process
 * or root). */
SYSCALL(100, get_robust_list)
{
	int pid = (int)sc->arg[0];
	uint64_t head, len = 24;
	irqflags_t f;
	struct proc *p;
	int err = 0;

	f = spin_lock_irqsave(&proc_lock);
	p = pid ? proc_lookup_locked(pid) : sc->proc;
	if (!p || p->state != PROC_ALIVE)
		err = -ESRCH;
	else if (p->tgid != sc->proc->tgid && sc->proc->cred->euid != 0)
		err = -EPERM;
	else
		head = p->robust_list;
	spin_unlock_irqrestore(&proc_lock, f);
	if (err)
		return err;
	if (copy_to_user(proc_as(sc->proc), sc->arg[1], &head, sizeof(head)) ||
	    copy_to_user(proc_as(sc->proc), sc->arg[2], &len, sizeof(len)))
		return -EFAULT;
	return 0;
}
