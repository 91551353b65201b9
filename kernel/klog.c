// SPDX-License-Identifier: MIT
/*
 * The kernel log ring (klog.h) and syslog(2), as Linux's printk ring and
 * do_syslog: READ_ALL and READ_CLEAR copy the newest whole lines that fit,
 * READ takes unread bytes (waiting for some), CLEAR, SIZE_UNREAD,
 * SIZE_BUFFER, CONSOLE_OFF/ON/LEVEL. With Debian's kernel.dmesg_restrict = 1
 * (the reference machine's too) every action needs CAP_SYSLOG: -EPERM.
 *
 * Lock legend: klog_lock (irqsave) guards the ring and its positions, which
 * count bytes ever written (so they never wrap): [head, tail) is in the
 * ring, rd is where READ goes on, clr where READ_ALL starts after a CLEAR;
 * rd and clr are kept >= head. console_level is A.
 */
#include "kernel/klog.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>

#include "kernel/arch.h"
#include "kernel/async/waitq.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/layout.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/cred.h"
#include "kernel/proc/proc.h"
#include "kernel/spinlock.h"
#include "kernel/syscall/syscall.h"
#include "kernel/trapdefs.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

#define DEFAULT_LEVEL 4		/* Linux's default_message_loglevel */
#define CONSOLE_DEFAULT 7	/* Linux's default console_loglevel */
#define CONSOLE_MIN 1		/* minimum_console_loglevel (CONSOLE_OFF) */

static struct spinlock klog_lock = SPINLOCK_INIT("klog");
static char ring[KLOG_SIZE];		/* L */
static uint64_t head, tail, rd, clr;	/* L */
static bool at_line_start = true;	/* L */
static _Atomic int console_level = CONSOLE_DEFAULT;	/* A */
static _Atomic int readers;		/* A: blocked READs, so a print wakes only when needed */
static struct waitq klog_wq = {
	.lock = SPINLOCK_INIT("klog_wq"),
	.waiters = { &klog_wq.waiters, &klog_wq.waiters },
};

static void put_locked(char c)
{
	ring[tail % KLOG_SIZE] = c;
	tail++;
	if (tail - head > KLOG_SIZE) {
		/* Full: drop the oldest line whole. */
		head = tail - KLOG_SIZE;
		while (head < tail && ring[(head - 1) % KLOG_SIZE] != '\n')
			head++;
		if (rd < head)
			rd = head;
		if (clr < head)
			clr = head;
	}
}

struct prefix {
	char buf[32];
	size_t n;
};

static void prefix_out(void *ctx, const char *s, size_t n)
{
	struct prefix *p = ctx;

	while (n-- && p->n < sizeof(p->buf))
		p->buf[p->n++] = *s++;
}

static void prefix_fmt(struct prefix *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vformat(prefix_out, p, fmt, ap);
	va_end(ap);
}

void klog_write(const char *s, size_t n)
{
	uint64_t now = clock_now_ns();
	struct prefix pre = { .n = 0 };
	irqflags_t f;

	prefix_fmt(&pre, "<%d>[%5lu.%06lu] ", DEFAULT_LEVEL, (unsigned long)(now / 1000000000u),
		   (unsigned long)(now % 1000000000u / 1000u));
	/* A panicking hart must not wait for a lock a stopped hart may hold:
	 * its report goes to the console, the log may miss it. */
	if (panic_in_progress()) {
		if (!spin_trylock_irqsave(&klog_lock, &f))
			return;
	} else {
		f = spin_lock_irqsave(&klog_lock);
	}
	for (size_t i = 0; i < n; i++) {
		if (at_line_start) {
			for (size_t k = 0; k < pre.n; k++)
				put_locked(pre.buf[k]);
			at_line_start = false;
		}
		if (s[i] == '\r')
			continue; /* the console's, not the log's */
		put_locked(s[i]);
		at_line_start = s[i] == '\n';
	}
	spin_unlock_irqrestore(&klog_lock, f);
}

void klog_wake(void)
{
	if (atomic_load_explicit(&readers, memory_order_relaxed) && !panic_in_progress())
		waitq_wake_all(&klog_wq);
}

bool klog_console_on(void)
{
	return DEFAULT_LEVEL < atomic_load_explicit(&console_level, memory_order_relaxed);
}

/* ---- syslog(2) ----------------------------------------------------------------- */

#define SYSLOG_ACTION_CLOSE 0
#define SYSLOG_ACTION_OPEN 1
#define SYSLOG_ACTION_READ 2
#define SYSLOG_ACTION_READ_ALL 3
#define SYSLOG_ACTION_READ_CLEAR 4
#define SYSLOG_ACTION_CLEAR 5
#define SYSLOG_ACTION_CONSOLE_OFF 6
#define SYSLOG_ACTION_CONSOLE_ON 7
#define SYSLOG_ACTION_CONSOLE_LEVEL 8
#define SYSLOG_ACTION_SIZE_UNREAD 9
#define SYSLOG_ACTION_SIZE_BUFFER 10

/* Copy [from, to) of the ring out to ubuf; its bytes leave the lock first. */
static long copy_out(struct sys_ctx *sc, uintptr_t ubuf, uint64_t from, uint64_t to)
{
	size_t n = (size_t)(to - from);
	char *k = kmalloc(n ? n : 1);
	irqflags_t f;
	int err;

	if (!k)
		return -ENOMEM;
	f = spin_lock_irqsave(&klog_lock);
	if (from < head) {
		/* Overwritten meanwhile: what is left of it. */
		n = from + n > head ? (size_t)(from + n - head) : 0;
		from = head;
	}
	for (size_t i = 0; i < n; i++)
		k[i] = ring[(from + i) % KLOG_SIZE];
	spin_unlock_irqrestore(&klog_lock, f);
	err = copy_to_user(proc_as(sc->proc), ubuf, k, n);
	kfree(k);
	return err ? err : (long)n;
}

/* READ_ALL: the newest whole lines since the last CLEAR that fit in len. */
static long read_all(struct sys_ctx *sc, uintptr_t ubuf, size_t len, bool clear)
{
	uint64_t from, to;
	irqflags_t f = spin_lock_irqsave(&klog_lock);

	to = tail;
	from = clr > head ? clr : head;
	if (to - from > len) {
		from = to - len;
		while (from < to && ring[(from - 1) % KLOG_SIZE] != '\n')
			from++;
	}
	if (clear)
		clr = tail;
	spin_unlock_irqrestore(&klog_lock, f);
	return copy_out(sc, ubuf, from, to);
}

/* READ: unread bytes, at most len, moving the read position. -EAGAIN if none. */
static long read_unread(struct sys_ctx *sc, uintptr_t ubuf, size_t len)
{
	uint64_t from, to;
	irqflags_t f = spin_lock_irqsave(&klog_lock);

	from = rd;
	to = tail - rd > len ? rd + len : tail;
	rd = to;
	spin_unlock_irqrestore(&klog_lock, f);
	if (from == to)
		return -EAGAIN;
	return copy_out(sc, ubuf, from, to);
}

/*
 *   WAIT --(new log bytes)--> READY (bytes copied, or -EFAULT)
 *   WAIT --(drop: a signal)--> nothing read
 */
struct klog_read {
	struct future base;
	struct sys_ctx sc;
	uintptr_t ubuf;
	size_t len;
	bool registered;
	struct waitq_wait_future w;
};

static void klog_read_unregister(struct klog_read *r)
{
	if (r->registered) {
		future_drop(&r->w.base);
		atomic_fetch_sub_explicit(&readers, 1, memory_order_relaxed);
		r->registered = false;
	}
	r->base.awaiting = NULL;
}

static enum poll klog_read_poll(struct future *f, struct context *cx)
{
	struct klog_read *r = container_of(f, struct klog_read, base);

	for (;;) {
		enum poll wr;
		long n;

		/* Register, then look: a line printed in between wakes us. */
		if (!r->registered) {
			waitq_wait_init(&r->w, &klog_wq);
			atomic_fetch_add_explicit(&readers, 1, memory_order_relaxed);
			r->registered = true;
			f->awaiting = &r->w.base;
		}
		wr = future_poll(&r->w.base, cx);
		n = read_unread(&r->sc, r->ubuf, r->len);
		if (n != -EAGAIN) {
			klog_read_unregister(r);
			f->result = n;
			return POLL_READY;
		}
		if (wr == POLL_PENDING)
			return POLL_PENDING;
		klog_read_unregister(r);
	}
}

static void klog_read_drop(struct future *f)
{
	klog_read_unregister(container_of(f, struct klog_read, base));
}

static void klog_read_release(struct future *f)
{
	kfree(container_of(f, struct klog_read, base));
}

static const struct future_ops klog_read_ops = {
	.name = "syslog_read",
	.poll = klog_read_poll,
	.drop = klog_read_drop,
	.release = klog_read_release,
};

/* syslog(type, buf, len) */
SYSCALL_ASYNC(116, syslog)
{
	int type = (int)sc->arg[0], len = (int)sc->arg[2];
	uintptr_t ubuf = sc->arg[1];
	struct klog_read *r;
	irqflags_t f;
	long n;

	if (!cred_capable(proc_cred(sc->proc)))
		return -EPERM; /* CAP_SYSLOG, with dmesg_restrict */
	switch (type) {
	case SYSLOG_ACTION_CLOSE:
	case SYSLOG_ACTION_OPEN:
		return 0;
	case SYSLOG_ACTION_READ:
	case SYSLOG_ACTION_READ_ALL:
	case SYSLOG_ACTION_READ_CLEAR:
		if (!ubuf || len < 0)
			return -EINVAL;
		if (!len)
			return 0;
		if (ubuf + (size_t)len > USER_TOP || ubuf + (size_t)len < ubuf)
			return -EFAULT; /* Linux's access_ok, before anything is read */
		if (type != SYSLOG_ACTION_READ)
			return read_all(sc, ubuf, (size_t)len, type == SYSLOG_ACTION_READ_CLEAR);
		n = read_unread(sc, ubuf, (size_t)len);
		if (n != -EAGAIN)
			return n;
		r = kzalloc(sizeof(*r));
		if (!r)
			return -ENOMEM;
		future_init(&r->base, &klog_read_ops);
		r->sc = *sc;
		r->ubuf = ubuf;
		r->len = (size_t)len;
		sc->pending = &r->base;
		return 0;
	case SYSLOG_ACTION_CLEAR:
		f = spin_lock_irqsave(&klog_lock);
		clr = tail;
		spin_unlock_irqrestore(&klog_lock, f);
		return 0;
	case SYSLOG_ACTION_CONSOLE_OFF:
		atomic_store_explicit(&console_level, CONSOLE_MIN, memory_order_relaxed);
		return 0;
	case SYSLOG_ACTION_CONSOLE_ON:
		atomic_store_explicit(&console_level, CONSOLE_DEFAULT, memory_order_relaxed);
		return 0;
	case SYSLOG_ACTION_CONSOLE_LEVEL:
		if (len < 1 || len > 8)
			return -EINVAL;
		atomic_store_explicit(&console_level, len < CONSOLE_MIN ? CONSOLE_MIN : len,
				      memory_order_relaxed);
		return 0;
	case SYSLOG_ACTION_SIZE_UNREAD:
		f = spin_lock_irqsave(&klog_lock);
		n = (long)(tail - rd);
		spin_unlock_irqrestore(&klog_lock, f);
		return n;
	case SYSLOG_ACTION_SIZE_BUFFER:
		return KLOG_SIZE;
	default:
		return -EINVAL;
	}
}
