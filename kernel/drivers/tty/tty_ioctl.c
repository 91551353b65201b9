// SPDX-License-Identifier: MIT
/*
 * The console's ioctls: termios (TCGETS/TCSETS*, and the termios2 forms
 * newer glibc uses), the window size (TIOCGWINSZ/TIOCSWINSZ, SIGWINCH to
 * the foreground group on a change), FIONREAD, TCFLSH, tcdrain and tcflow;
 * the job-control ones are tty_jobctl.c's. A process of a background group
 * changing the terminal gets SIGTTOU first (tty_check_change), as on Linux.
 */
#include "kernel/drivers/tty/tty_internal.h"

#include "kernel/proc/proc.h"
#include "lib/errno.h"
#include "lib/string.h"

/* struct termios2: the kernel termios and the two speeds. */
struct ktermios2 {
	struct ktermios t;
	uint32_t c_ispeed, c_ospeed;
};
_Static_assert(sizeof(struct ktermios2) == 44, "termios2 is 44 bytes");

#define TCGETS2 0x802c542a
#define TCSETS2 0x402c542b
#define TCSETSW2 0x402c542c
#define TCSETSF2 0x402c542d
#define TCSBRK 0x5409
#define TCXONC 0x540a
#define TCFLSH 0x540b
#define TIOCOUTQ 0x5411
#define TIOCGETD 0x5424
#define TCSBRKP 0x5425

#define TCIFLUSH 0
#define TCOFLUSH 1
#define TCIOFLUSH 2
#define TCOOFF 0
#define TCION 3

#define CBAUD 0010017
#define CBAUDEX 0010000
#define BOTHER 0010000

/* The speed a c_cflag's CBAUD bits stand for (Linux's table). */
static uint32_t cflag_speed(uint32_t cflag)
{
	static const uint32_t low[16] = { 0, 50, 75, 110, 134, 150, 200, 300,
					  600, 1200, 1800, 2400, 4800, 9600, 19200, 38400 };
	static const uint32_t high[16] = { 0, 57600, 115200, 230400, 460800, 500000, 576000,
					   921600, 1000000, 1152000, 1500000, 2000000, 2500000,
					   3000000, 3500000, 4000000 };
	uint32_t b = cflag & CBAUD;

	return (b & CBAUDEX) ? high[b & 15] : low[b & 15];
}

static long get_termios(struct tty *t, struct proc *p, uintptr_t arg, bool v2)
{
	struct ktermios2 t2;
	irqflags_t fl = spin_lock_irqsave(&t->lock);

	t2.t = t->tio;
	spin_unlock_irqrestore(&t->lock, fl);
	t2.c_ispeed = t2.c_ospeed = cflag_speed(t2.t.c_cflag);
	return tty_arg_out(p, arg, &t2, v2 ? sizeof(t2) : sizeof(t2.t));
}

static long set_termios(struct tty *t, struct proc *p, uintptr_t arg, bool v2, bool flush)
{
	struct ktermios2 t2;
	irqflags_t fl;
	int err = tty_arg_in(p, &t2, arg, v2 ? sizeof(t2) : sizeof(t2.t));

	if (err)
		return err;
	err = tty_check_change(t, p, SIGTTOU);
	if (err)
		return err;
	/* TCSETSW / TCSETSF wait for output to drain: the UART's ring
	 * drains on its own, so nothing is pending from the tty's side. */
	if (flush)
		tty_flush_input(t);
	fl = spin_lock_irqsave(&t->lock);
	if (!(t2.t.c_lflag & ICANON))
		t->commit = t->len; /* the edited line becomes readable */
	t->tio = t2.t;
	t->lnext = false;
	t->vtime_deadline = 0;
	t->vtime_expired = false;
	spin_unlock_irqrestore(&t->lock, fl);
	waitq_wake_all(&t->rd_wq);
	return 0;
}

static long set_winsize(struct tty *t, struct proc *p, uintptr_t arg)
{
	struct winsize ws;
	irqflags_t fl;
	bool changed;
	int pgrp, err = tty_arg_in(p, &ws, arg, sizeof(ws));

	if (err)
		return err;
	fl = spin_lock_irqsave(&t->lock);
	changed = memcmp(&ws, &t->ws, sizeof(ws)) != 0;
	t->ws = ws;
	pgrp = t->pgrp;
	spin_unlock_irqrestore(&t->lock, fl);
	if (changed && pgrp)
		proc_signal_pgrp(pgrp, SIGWINCH);
	return 0;
}

long tty_ioctl(struct file *f, struct proc *p, unsigned cmd, uintptr_t arg)
{
	struct tty *t = &tty_console;
	irqflags_t fl;
	long r;
	int v;

	(void)f;
	switch (cmd) {
	case TCGETS:
		return get_termios(t, p, arg, false);
	case TCGETS2:
		return get_termios(t, p, arg, true);
	case TCSETS:
	case TCSETSW:
		return set_termios(t, p, arg, false, false);
	case TCSETSF:
		return set_termios(t, p, arg, false, true);
	case TCSETS2:
	case TCSETSW2:
		return set_termios(t, p, arg, true, false);
	case TCSETSF2:
		return set_termios(t, p, arg, true, true);
	case TIOCGWINSZ: {
		struct winsize ws;

		fl = spin_lock_irqsave(&t->lock);
		ws = t->ws;
		spin_unlock_irqrestore(&t->lock, fl);
		return tty_arg_out(p, arg, &ws, sizeof(ws));
	}
	case TIOCSWINSZ:
		return set_winsize(t, p, arg);
	case FIONREAD:
		fl = spin_lock_irqsave(&t->lock);
		v = (int)tty_inq_locked(t);
		spin_unlock_irqrestore(&t->lock, fl);
		return tty_arg_out(p, arg, &v, sizeof(v));
	case TIOCOUTQ:
		v = 0; /* written straight to the UART's ring */
		return tty_arg_out(p, arg, &v, sizeof(v));
	case TIOCGETD:
		v = 0; /* N_TTY */
		return tty_arg_out(p, arg, &v, sizeof(v));
	case TCFLSH:
		if (arg > TCIOFLUSH)
			return -EINVAL;
		r = tty_check_change(t, p, SIGTTOU);
		if (r)
			return r;
		if (arg == TCIFLUSH || arg == TCIOFLUSH)
			tty_flush_input(t);
		return 0;
	case TCXONC:
		if (arg > TCION)
			return -EINVAL;
		return tty_check_change(t, p, SIGTTOU);
	case TCSBRK:
	case TCSBRKP:
		return 0; /* tcdrain; no line break on this UART */
	default:
		r = tty_jobctl_ioctl(t, p, cmd, arg);
		return r == -ENOIOCTLCMD ? -ENOTTY : r;
	}
}
