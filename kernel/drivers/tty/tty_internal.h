/* SPDX-License-Identifier: MIT */
/*
 * The console tty's state, shared by its files: the line discipline and
 * the file ops (tty.c), the ioctls (tty_ioctl.c) and job control
 * (tty_jobctl.c).
 *
 * Lock legend: tty.lock (irqsave; the UART interrupt takes it) guards every
 * field marked L. Echo and output are written with it held (lock order
 * tty.lock -> uart, tty.lock -> timerq); signals are sent and proc_lock is
 * taken only after it is dropped (proc_lock is never held around tty.lock).
 */
#ifndef KERNEL_DRIVERS_TTY_TTY_INTERNAL_H
#define KERNEL_DRIVERS_TTY_TTY_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/async/timer.h"
#include "kernel/async/waitq.h"
#include "kernel/drivers/tty/tty.h"
#include "kernel/spinlock.h"

/* Linux's N_TTY_BUF_SIZE: a canonical line holds 4095 bytes and its end. */
#define TTY_BUF 4096
#define CTRL(c) ((c)&0x1f)

/* termios bits (Linux values) */
#define IGNBRK 0000001
#define ISTRIP 0000040
#define INLCR 0000100
#define IGNCR 0000200
#define ICRNL 0000400
#define IXON 0002000
#define IXANY 0004000
#define IXOFF 0010000
#define IMAXBEL 0020000
#define IUTF8 0040000
#define OPOST 0000001
#define ONLCR 0000004
#define OCRNL 0000010
#define B38400 0000017
#define CS8 0000060
#define CREAD 0000200
#define HUPCL 0002000
#define ISIG 0000001
#define ICANON 0000002
#define ECHO 0000010
#define ECHOE 0000020
#define ECHOK 0000040
#define ECHONL 0000100
#define NOFLSH 0000200
#define TOSTOP 0000400
#define ECHOCTL 0001000
#define ECHOKE 0004000
#define IEXTEN 0100000
#define VINTR 0
#define VQUIT 1
#define VERASE 2
#define VKILL 3
#define VEOF 4
#define VTIME 5
#define VMIN 6
#define VSTART 8
#define VSTOP 9
#define VSUSP 10
#define VEOL 11
#define VREPRINT 12
#define VWERASE 14
#define VLNEXT 15
#define VEOL2 16

struct winsize {
	uint16_t ws_row, ws_col, ws_xpixel, ws_ypixel;
};

struct tty {
	struct spinlock lock;
	char buf[TTY_BUF];		/* L */
	size_t commit, len;		/* L: see the top of tty.c */
	struct ktermios tio;		/* L */
	struct winsize ws;		/* L */
	bool lnext;			/* L: the next byte is literal (^V) */
	int session;			/* L: the session it controls, 0: none */
	int pgrp;			/* L: its foreground process group, 0: none */
	uint64_t last_input_ns;		/* L: when a byte last came in (VTIME) */
	uint64_t vtime_deadline;	/* L: a VMIN = 0 read's timeout, 0: none */
	bool vtime_expired;		/* L: ... has passed, a reader is to see it */
	struct timer_entry vtime;	/* L: fires at the earliest VTIME deadline */
	struct waitq rd_wq;		/* readers wait for input */
	void (*out)(const char *s, size_t n);	/* L (set by tests) */
};

extern struct tty tty_console;

/* tty.c */
/* Output processing (OPOST: ONLCR, OCRNL) of @n bytes to the device. */
void tty_output_locked(struct tty *t, const char *s, size_t n);
/* Arm the VTIME timer for @deadline (earlier than what is armed). */
void tty_vtime_arm_locked(struct tty *t, uint64_t deadline);
/* Bytes a read could take now (FIONREAD: the VEOF markers not counted). */
size_t tty_inq_locked(struct tty *t);
/* Drop all unread input (TCFLSH, TCSETSF). */
void tty_flush_input(struct tty *t);

/* tty_ioctl.c */
long tty_ioctl(struct file *f, struct proc *p, unsigned cmd, uintptr_t arg);

/* tty_jobctl.c */
/*
 * The background check of a read (SIGTTIN) or of a write with TOSTOP and a
 * changing ioctl (SIGTTOU) by @p (NULL: a kernel caller): 0 to go on,
 * -EIO (SIGTTIN ignored or blocked, or an orphaned group), or
 * -ERESTARTSYS after sending the signal to the caller's group (the call is
 * restarted once the group is continued). Takes tty.lock and proc_lock.
 */
int tty_check_change(struct tty *t, struct proc *p, int sig);
/* The job-control ioctls: TIOCSCTTY, TIOCNOTTY, TIOCGPGRP, TIOCSPGRP,
 * TIOCGSID. -ENOIOCTLCMD for the rest. */
#define ENOIOCTLCMD 515
long tty_jobctl_ioctl(struct tty *t, struct proc *p, unsigned cmd, uintptr_t arg);
/* The foreground group, for signals from the keyboard (0: none). */
int tty_fg_pgrp(struct tty *t);

/* With p == NULL (kernel tests) arg is a kernel pointer. */
int tty_arg_out(struct proc *p, uintptr_t arg, const void *src, size_t n);
int tty_arg_in(struct proc *p, void *dst, uintptr_t arg, size_t n);

#endif
