// SPDX-License-Identifier: MIT
/*
 * The console as a controlling terminal: the session it belongs to, its
 * foreground process group, and the checks that keep background groups
 * off it (SIGTTIN for reads, SIGTTOU for writes under TOSTOP and for
 * changes), as Linux's tty_jobctrl.c.
 *
 * A session leader makes the console its controlling terminal with
 * TIOCSCTTY (opening /dev/console never does, as on Linux); every process
 * of that session then has it, unless it gave it up with TIOCNOTTY. The
 * leader's exit (or its TIOCNOTTY) ends that: the foreground group gets
 * SIGHUP (and SIGCONT after TIOCNOTTY) and the console is free again.
 *
 * Locking: session and pgrp are tty.lock's; the process side is asked
 * after dropping it (proc_lock is never taken inside tty.lock).
 */
#include "kernel/drivers/tty/tty_internal.h"

#include "kernel/proc/proc.h"
#include "lib/errno.h"

#define TIOCGSID 0x5429

static void snapshot(struct tty *t, int *session, int *pgrp)
{
	irqflags_t fl = spin_lock_irqsave(&t->lock);

	*session = t->session;
	*pgrp = t->pgrp;
	spin_unlock_irqrestore(&t->lock, fl);
}

int tty_fg_pgrp(struct tty *t)
{
	int session, pgrp;

	snapshot(t, &session, &pgrp);
	return pgrp;
}

/* Whether @ids's process has the console as its controlling terminal. */
static bool is_ctty(int session, const struct proc_ids *ids)
{
	return session && session == ids->sid && !ids->noctty;
}

bool tty_console_is_ctty(struct proc *p)
{
	struct proc_ids ids;
	int session, pgrp;

	if (!p)
		return false;
	proc_get_ids(p, &ids);
	snapshot(&tty_console, &session, &pgrp);
	return is_ctty(session, &ids);
}

int tty_console_fg_pgrp_of(struct proc *p)
{
	struct proc_ids ids;
	int session, pgrp;

	if (!p)
		return 0;
	proc_get_ids(p, &ids);
	snapshot(&tty_console, &session, &pgrp);
	return is_ctty(session, &ids) ? (pgrp ? pgrp : -1) : 0;
}

int tty_check_change(struct tty *t, struct proc *p, int sig)
{
	struct proc_ids ids;
	int session, pgrp;

	if (!p)
		return 0; /* the kernel's own use (tests) */
	proc_get_ids(p, &ids);
	snapshot(t, &session, &pgrp);
	if (!is_ctty(session, &ids) || !pgrp || ids.pgid == pgrp)
		return 0; /* not our terminal, or we are in the foreground */
	if (proc_sig_blocked_or_ignored(p, sig))
		return sig == SIGTTIN ? -EIO : 0;
	if (proc_pgrp_orphaned(ids.pgid))
		return -EIO; /* nobody would continue a stopped orphan */
	proc_signal_pgrp(ids.pgid, sig);
	return -ERESTARTSYS;
}

/* SIGHUP (and SIGCONT) to the foreground group, and the console is free. */
static void disassociate(struct tty *t, int sid, bool cont)
{
	irqflags_t fl = spin_lock_irqsave(&t->lock);
	int pgrp = 0;

	if (t->session == sid) {
		pgrp = t->pgrp;
		t->session = 0;
		t->pgrp = 0;
	}
	spin_unlock_irqrestore(&t->lock, fl);
	if (pgrp) {
		proc_signal_pgrp(pgrp, SIGHUP);
		if (cont)
			proc_signal_pgrp(pgrp, SIGCONT);
	}
}

void tty_session_leader_exit(int sid)
{
	struct tty *t = &tty_console;
	int session, pgrp;

	snapshot(t, &session, &pgrp);
	if (session == sid)
		disassociate(t, sid, false);
}

/* TIOCSCTTY: a session leader without a terminal takes the console; one
 * that another session holds only with arg 1 (root: everyone, for now). */
static long set_ctty(struct tty *t, struct proc *p, uintptr_t arg)
{
	struct proc_ids ids;
	irqflags_t fl;
	long err = 0;

	proc_get_ids(p, &ids);
	fl = spin_lock_irqsave(&t->lock);
	if (is_ctty(t->session, &ids) && ids.pid == ids.sid)
		goto out; /* already ours */
	err = -EPERM;
	if (ids.pid != ids.sid)
		goto out;
	if (t->session && arg != 1)
		goto out;
	t->session = ids.sid;
	t->pgrp = ids.pgid;
	err = 0;
out:
	spin_unlock_irqrestore(&t->lock, fl);
	return err;
}

long tty_jobctl_ioctl(struct tty *t, struct proc *p, unsigned cmd, uintptr_t arg)
{
	struct proc_ids ids;
	int session, pgrp, v;
	long err;

	if (cmd != TIOCSCTTY && cmd != TIOCNOTTY && cmd != TIOCGPGRP && cmd != TIOCSPGRP &&
	    cmd != TIOCGSID)
		return -ENOIOCTLCMD;
	if (!p) {
		/* Kernel tests: no process, so no session; answer plainly. */
		if (cmd == TIOCGPGRP || cmd == TIOCGSID) {
			v = cmd == TIOCGPGRP ? tty_fg_pgrp(t) : t->session;
			return tty_arg_out(p, arg, &v, sizeof(v));
		}
		return -ENOTTY;
	}
	if (cmd == TIOCSCTTY)
		return set_ctty(t, p, arg);
	if (cmd == TIOCSPGRP) {
		/* Linux's order: the background check first (-EIO becomes
		 * -ENOTTY), then the argument, then whose terminal it is. */
		err = tty_check_change(t, p, SIGTTOU);
		if (err)
			return err == -EIO ? -ENOTTY : err;
		if (tty_arg_in(p, &v, arg, sizeof(v)))
			return -EFAULT;
		if (v < 0)
			return -EINVAL;
	}
	proc_get_ids(p, &ids);
	snapshot(t, &session, &pgrp);
	if (!is_ctty(session, &ids))
		return -ENOTTY; /* not the caller's controlling terminal */
	switch (cmd) {
	case TIOCNOTTY:
		if (ids.pid == ids.sid)
			disassociate(t, ids.sid, true);
		else
			proc_drop_ctty(p);
		return 0;
	case TIOCGPGRP:
		return tty_arg_out(p, arg, &pgrp, sizeof(pgrp));
	case TIOCGSID:
		return tty_arg_out(p, arg, &session, sizeof(session));
	default: { /* TIOCSPGRP */
		int sid = proc_pgrp_session(v);
		irqflags_t fl;

		if (sid < 0)
			return sid; /* -ESRCH: no such group or process */
		if (sid != ids.sid)
			return -EPERM;
		fl = spin_lock_irqsave(&t->lock);
		if (t->session == session)
			t->pgrp = v;
		spin_unlock_irqrestore(&t->lock, fl);
		return 0;
	}
	}
}
