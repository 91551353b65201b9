// SPDX-License-Identifier: MIT
/*
 * signalfd4: the caller's pending signals of a set, read as 128-byte
 * struct signalfd_siginfo records. As on Linux the file reads the pending
 * signals of whoever reads (or polls) it, and only signals kept blocked
 * stay pending long enough to be read. A read takes the lowest-numbered
 * pending signals of the set, as many records as fit.
 *
 * Wakes: signals are bits in each process (kernel/proc/signal.c), with no
 * queue of their own, so every signalfd waits on one shared queue that
 * proc_signal wakes through signalfd_notify() while any signalfd is open.
 * A waiter woken for another process's signal re-checks and waits again.
 *
 * Each record carries the signal's queued information (who sent it, why:
 * kernel/proc's signal_dequeue).
 */
#include "kernel/ipc/signalfd.h"

#include "kernel/async/waitq.h"
#include "kernel/fs/fdtable.h"
#include "kernel/fs/poll.h"
#include "kernel/fs/vfs.h"
#include "kernel/ipc/anon.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/proc.h"
#include "kernel/syscall/syscall.h"
#include "lib/errno.h"
#include "lib/string.h"

#define SFD_CLOEXEC O_CLOEXEC
#define SFD_NONBLOCK O_NONBLOCK
#define SIG_BIT(sig) (1ull << ((sig)-1))

struct signalfd_siginfo {
	uint32_t ssi_signo;
	int32_t ssi_errno;
	int32_t ssi_code;
	uint32_t ssi_pid;
	uint32_t ssi_uid;
	int32_t ssi_fd;
	uint32_t ssi_tid;
	uint32_t ssi_band;
	uint32_t ssi_overrun;
	uint32_t ssi_trapno;
	int32_t ssi_status;
	int32_t ssi_int;
	uint64_t ssi_ptr;
	uint64_t ssi_utime;
	uint64_t ssi_stime;
	uint64_t ssi_addr;
	uint16_t ssi_addr_lsb;
	uint16_t pad2;
	int32_t ssi_syscall;
	uint64_t ssi_call_addr;
	uint32_t ssi_arch;
	uint8_t pad[28];
};
_Static_assert(sizeof(struct signalfd_siginfo) == 128, "signalfd_siginfo is 128 bytes");

struct signalfd {
	uint64_t mask;		/* A (relaxed): the set; signalfd4 on the fd may change it */
};

static struct waitq sfd_wq;
static atomic_uint sfd_open;	/* A: open signalfds; sfd_wq is initialised before the first */
static atomic_bool sfd_wq_ready;

void signalfd_notify(void)
{
	/* acquire: pairs with the release that published sfd_wq. */
	if (atomic_load_explicit(&sfd_open, memory_order_acquire))
		waitq_wake_all(&sfd_wq);
}

static uint64_t sfd_mask(struct file *f)
{
	return __atomic_load_n(&((struct signalfd *)f->priv)->mask, __ATOMIC_RELAXED);
}

static long signalfd_read(struct file *f, struct uio *u, uint64_t *pos)
{
	struct proc *p = proc_current();
	long done = 0;

	(void)pos;
	if (u->resid < sizeof(struct signalfd_siginfo))
		return -EINVAL;
	if (!p)
		return -EAGAIN;
	while (u->resid >= sizeof(struct signalfd_siginfo)) {
		uint64_t set = signal_pending_set(p) & sfd_mask(f);
		struct signalfd_siginfo si;
		struct ksiginfo ki;
		int sig;

		if (!set)
			break;
		sig = signal_dequeue(p, set, &ki);
		if (!sig)
			continue;	/* taken meanwhile (delivered): look again */
		memset(&si, 0, sizeof(si));
		si.ssi_signo = (uint32_t)sig;
		si.ssi_errno = ki.err;
		si.ssi_code = ki.code;
		si.ssi_pid = (uint32_t)ki.pid;
		si.ssi_uid = ki.uid;
		si.ssi_tid = (uint32_t)ki.timerid;
		si.ssi_overrun = (uint32_t)ki.overrun;
		si.ssi_status = ki.status;
		si.ssi_int = (int32_t)ki.value;
		si.ssi_ptr = ki.value;
		si.ssi_utime = (uint64_t)ki.utime;
		si.ssi_stime = (uint64_t)ki.stime;
		si.ssi_addr = ki.addr;
		if (uio_copy_to(u, &si, sizeof(si)) != sizeof(si))
			return done ? done : -EFAULT;
		done += sizeof(si);
	}
	return done ? done : -EAGAIN;
}

static unsigned signalfd_ready(struct file *f)
{
	struct proc *p = proc_current();

	return p && (signal_pending_set(p) & sfd_mask(f)) ? POLLIN | POLLRDNORM : 0;
}

static struct waitq *signalfd_waitq(struct file *f, bool write)
{
	(void)f;
	(void)write;
	return &sfd_wq;
}

static void signalfd_release(struct file *f)
{
	kfree(f->priv);
	atomic_fetch_sub_explicit(&sfd_open, 1, memory_order_relaxed);
}

static const struct file_ops signalfd_fops = {
	.read = signalfd_read,
	.release = signalfd_release,
	.waitq = signalfd_waitq,
	.ready = signalfd_ready,
	.anon_name = "signalfd",
};

/* signalfd4(fd, mask, sizemask, flags) */
SYSCALL(74, signalfd4)
{
	int fd = (int)sc->arg[0];
	unsigned flags = (unsigned)sc->arg[3];
	struct signalfd *s;
	uint64_t mask;

	if (flags & ~(unsigned)(SFD_CLOEXEC | SFD_NONBLOCK))
		return -EINVAL;
	if (sc->arg[2] != sizeof(uint64_t))
		return -EINVAL;
	if (copy_from_user(proc_as(sc->proc), &mask, sc->arg[1], sizeof(mask)))
		return -EFAULT;
	mask &= ~(SIG_BIT(SIGKILL) | SIG_BIT(SIGSTOP));
	if (fd != -1) {
		struct file *f = fd_get(sc->proc, fd);

		if (!f)
			return -EBADF;
		if (f->ops != &signalfd_fops) {
			file_put(f);
			return -EINVAL;
		}
		__atomic_store_n(&((struct signalfd *)f->priv)->mask, mask, __ATOMIC_RELAXED);
		file_put(f);
		waitq_wake_all(&sfd_wq);	/* the set changed: pollers look again */
		return fd;
	}
	s = kzalloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->mask = mask;
	if (!atomic_load_explicit(&sfd_wq_ready, memory_order_acquire)) {
		static struct spinlock init_lock = SPINLOCK_INIT("signalfd_init");
		irqflags_t fl = spin_lock_irqsave(&init_lock);

		if (!atomic_load_explicit(&sfd_wq_ready, memory_order_relaxed)) {
			waitq_init(&sfd_wq);
			atomic_store_explicit(&sfd_wq_ready, true, memory_order_release);
		}
		spin_unlock_irqrestore(&init_lock, fl);
	}
	/* release: publishes sfd_wq to signalfd_notify (above). */
	atomic_fetch_add_explicit(&sfd_open, 1, memory_order_release);
	return anon_fd_new(sc->proc, &signalfd_fops, s, flags);
}
