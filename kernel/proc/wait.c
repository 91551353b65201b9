// SPDX-License-Identifier: MIT
/*
 * wait4 and waitid: a parent learns that a child exited (and reaps the
 * zombie), stopped (WUNTRACED / WSTOPPED) or continued (WCONTINUED).
 *
 * A waiting parent sleeps on one of the queues shared by all parents
 * (proc_child_waitq()); exit, stop and continue wake it (signal_jobctl.c),
 * and it looks at its own children again.
 */
#include "kernel/proc/proc_internal.h"

#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"
#include "kernel/syscall/syscall.h"
#include "lib/errno.h"
#include "lib/string.h"

#define WNOHANG 0x00000001
#define WUNTRACED 0x00000002
#define WSTOPPED WUNTRACED
#define WEXITED 0x00000004
#define WCONTINUED 0x00000008
#define WNOWAIT 0x01000000
#define __WNOTHREAD 0x20000000
#define __WALL 0x40000000
#define __WCLONE 0x80000000

#define P_ALL 0
#define P_PID 1
#define P_PGID 2
#define P_PIDFD 3

/* What one wait asks for. */
struct wait_req {
	int idtype, id;		/* P_ALL, P_PID, P_PGID (id 0: the caller's group) */
	int options;		/* WEXITED is implied for wait4 */
};

/* What it found. */
struct wait_res {
	int pid;
	int wstatus;		/* wait4's status word */
	int code, status;	/* waitid's si_code and si_status */
	uint64_t utime_ns, stime_ns;	/* the child's, its reaped children's included */
};

static bool child_matches(const struct proc *parent, const struct proc *c,
			  const struct wait_req *rq)
{
	switch (rq->idtype) {
	case P_PID:
		return c->pid == rq->id;
	case P_PGID:
		return c->pgid == (rq->id ? rq->id : parent->pgid);
	default:
		return true;
	}
}

static void res_fill(struct wait_res *r, const struct proc *c, int wstatus, int code, int status)
{
	r->pid = c->pid;
	r->wstatus = wstatus;
	r->code = code;
	r->status = status;
	r->utime_ns = c->utime_ns + c->cutime_ns;
	r->stime_ns = c->stime_ns + c->cstime_ns;
}

/*
 * Look for a child with something to report: its pid with *r filled, 0 if
 * there are matching children with nothing to say yet, -ECHILD if none
 * matches. A zombie is reaped (its memory goes) unless WNOWAIT.
 */
static int wait_scan(struct proc *self, const struct wait_req *rq, struct wait_res *r)
{
	struct proc *p = proc_leader(self); /* any thread waits for the process's children */
	struct proc *c, *reaped = NULL;
	bool any = false, keep = rq->options & WNOWAIT;
	int found = 0;
	irqflags_t f = spin_lock_irqsave(&proc_lock);

	list_for_each_entry(c, &p->children, sibling) {
		if (!child_matches(p, c, rq))
			continue;
		any = true;
		if (c->state == PROC_ZOMBIE) {
			int ws = c->wstatus;

			if (!(rq->options & WEXITED))
				continue;
			if (ws & 0x7f)
				res_fill(r, c, ws, (ws & WSTATUS_COREDUMP) ? CLD_DUMPED : CLD_KILLED,
					 ws & 0x7f);
			else
				res_fill(r, c, ws, CLD_EXITED, (ws >> 8) & 0xff);
			if (!keep)
				reaped = c;
		} else if ((rq->options & WSTOPPED) && (c->jobctl & JOBCTL_STOP_REPORT)) {
			res_fill(r, c, WSTATUS_STOPPED(c->stop_sig), CLD_STOPPED, c->stop_sig);
			if (!keep)
				c->jobctl &= ~JOBCTL_STOP_REPORT;
		} else if ((rq->options & WCONTINUED) && (c->jobctl & JOBCTL_CONT_REPORT)) {
			res_fill(r, c, WSTATUS_CONTINUED, CLD_CONTINUED, SIGCONT);
			if (!keep)
				c->jobctl &= ~JOBCTL_CONT_REPORT;
		} else {
			continue;
		}
		found = c->pid;
		break;
	}
	if (reaped) {
		list_del(&reaped->sibling);
		reaped->parent = NULL;
		p->cutime_ns += reaped->utime_ns + reaped->cutime_ns;
		p->cstime_ns += reaped->stime_ns + reaped->cstime_ns;
		p->cmin_flt += reaped->min_flt + reaped->cmin_flt;
		p->cmaj_flt += reaped->maj_flt + reaped->cmaj_flt;
		proc_unhash_locked(reaped);
	}
	spin_unlock_irqrestore(&proc_lock, f);
	if (reaped)
		proc_put(reaped); /* the parent's reference */
	if (found)
		return found;
	return any ? 0 : -ECHILD;
}

/* ---- the results, as each call writes them ------------------------------------ */

struct krusage {		/* struct rusage on riscv64: 144 bytes */
	int64_t utime_sec, utime_usec, stime_sec, stime_usec;
	int64_t rest[14];
};

static int put_rusage(struct proc *p, uintptr_t uru, const struct wait_res *r)
{
	struct krusage ru;

	if (!uru)
		return 0;
	memset(&ru, 0, sizeof(ru));
	if (r) {
		ru.utime_sec = (int64_t)(r->utime_ns / 1000000000);
		ru.utime_usec = (int64_t)(r->utime_ns % 1000000000 / 1000);
		ru.stime_sec = (int64_t)(r->stime_ns / 1000000000);
		ru.stime_usec = (int64_t)(r->stime_ns % 1000000000 / 1000);
	}
	return copy_to_user(p->as, uru, &ru, sizeof(ru));
}

/* wait4: the pid (0 with WNOHANG and nothing yet), status and rusage. */
static long wait4_result(struct proc *p, long found, const struct wait_res *r, uintptr_t ustatus,
			 uintptr_t uru)
{
	if (found > 0 && ustatus && copy_to_user(p->as, ustatus, &r->wstatus, sizeof(int)))
		return -EFAULT;
	if (found >= 0 && put_rusage(p, uru, found > 0 ? r : NULL))
		return -EFAULT;
	return found;
}

/* waitid: 0, with the siginfo fields Linux writes (all zero with WNOHANG
 * and nothing yet): si_signo, si_errno, si_code, si_pid, si_uid, si_status. */
static long waitid_result(struct proc *p, long found, const struct wait_res *r, uintptr_t uinfo,
			  uintptr_t uru)
{
	int32_t head[3] = { 0, 0, 0 }, body[3] = { 0, 0, 0 };

	if (found < 0)
		return found;
	if (found > 0) {
		head[0] = SIGCHLD;
		head[2] = r->code;
		body[0] = r->pid;
		body[1] = 0; /* uid: everyone is root until credentials land */
		body[2] = r->status;
	}
	if (uru && put_rusage(p, uru, found > 0 ? r : NULL))
		return -EFAULT;
	if (uinfo && (copy_to_user(p->as, uinfo, head, sizeof(head)) ||
		      copy_to_user(p->as, uinfo + 16, body, sizeof(body))))
		return -EFAULT;
	return 0;
}

/* ---- the future ----------------------------------------------------------------- */

struct wait_future {
	struct future base;
	struct proc *p;
	struct wait_req rq;
	bool waitid;
	uintptr_t uout, urusage;	/* status (wait4) or siginfo (waitid) */
	bool registered;
	struct waitq_wait_future w;
};

static long finish(struct wait_future *wf, long found, const struct wait_res *r)
{
	if (wf->waitid)
		return waitid_result(wf->p, found, r, wf->uout, wf->urusage);
	return wait4_result(wf->p, found, r, wf->uout, wf->urusage);
}

static void wait_unregister(struct wait_future *wf)
{
	if (wf->registered) {
		future_drop(&wf->w.base);
		wf->registered = false;
	}
}

static enum poll wait_poll(struct future *f, struct context *cx)
{
	struct wait_future *wf = container_of(f, struct wait_future, base);

	for (;;) {
		struct wait_res r;
		enum poll wr;
		int found;

		/* Register before looking, so a change in between wakes us. */
		if (!wf->registered) {
			waitq_wait_init(&wf->w, proc_child_waitq(proc_leader(wf->p)));
			wf->registered = true;
		}
		wr = future_poll(&wf->w.base, cx);
		found = wait_scan(wf->p, &wf->rq, &r);
		if (found != 0) {
			wait_unregister(wf);
			wf->base.result = finish(wf, found, &r);
			return POLL_READY;
		}
		if (wr == POLL_PENDING)
			return POLL_PENDING;
		wait_unregister(wf); /* woken: look again */
	}
}

static void wait_drop(struct future *f)
{
	wait_unregister(container_of(f, struct wait_future, base));
}

static void wait_release(struct future *f)
{
	kfree(container_of(f, struct wait_future, base));
}

static const struct future_ops wait_ops = {
	.name = "wait4",
	.type = "wait_future",
	.poll = wait_poll,
	.drop = wait_drop,
	.release = wait_release,
};

/* Both calls: an answer now, or a future that waits for one. */
static long wait_start(struct sys_ctx *sc, const struct wait_req *rq, bool waitid,
		       uintptr_t uout, uintptr_t uru)
{
	struct wait_future *wf;
	struct wait_res r;
	long found = wait_scan(sc->proc, rq, &r);

	if (found != 0 || (rq->options & WNOHANG))
		return waitid ? waitid_result(sc->proc, found, &r, uout, uru)
			      : wait4_result(sc->proc, found, &r, uout, uru);
	wf = kmalloc(sizeof(*wf));
	if (!wf)
		return -ENOMEM;
	future_init(&wf->base, &wait_ops);
	wf->p = sc->proc;
	wf->rq = *rq;
	wf->waitid = waitid;
	wf->uout = uout;
	wf->urusage = uru;
	wf->registered = false;
	sc->pending = &wf->base;
	return 0;
}

SYSCALL_ASYNC(260, wait4)
{
	int pid = (int)sc->arg[0];
	int options = (int)sc->arg[2];
	struct wait_req rq = { .options = options | WEXITED };

	if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WALL | __WCLONE))
		return -EINVAL;
	if (pid == INT32_MIN)
		return -ESRCH;
	if (pid > 0) {
		rq.idtype = P_PID;
		rq.id = pid;
	} else if (pid == 0) {
		rq.idtype = P_PGID;
		rq.id = 0;
	} else if (pid == -1) {
		rq.idtype = P_ALL;
	} else {
		rq.idtype = P_PGID;
		rq.id = -pid;
	}
	return wait_start(sc, &rq, false, sc->arg[1], sc->arg[3]);
}

SYSCALL_ASYNC(95, waitid)
{
	int idtype = (int)sc->arg[0], id = (int)sc->arg[1];
	int options = (int)sc->arg[3];
	struct wait_req rq = { .idtype = idtype, .id = id, .options = options };

	if (options & ~(WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED | __WNOTHREAD |
			__WALL | __WCLONE))
		return -EINVAL;
	if (!(options & (WEXITED | WSTOPPED | WCONTINUED)))
		return -EINVAL;
	switch (idtype) {
	case P_ALL:
		break;
	case P_PID:
		if (id <= 0)
			return -EINVAL;
		break;
	case P_PGID:
		if (id < 0)
			return -EINVAL;
		break;
	case P_PIDFD:
		return -EBADF; /* there are no pidfds, so no fd is one */
	default:
		return -EINVAL;
	}
	return wait_start(sc, &rq, true, sc->arg[2], sc->arg[4]);
}
