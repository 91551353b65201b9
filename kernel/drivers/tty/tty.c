// SPDX-License-Identifier: MIT
/*
 * The console line discipline; see tty.h.
 *
 * The input buffer is linear: [0, commit) is ready for readers (whole lines,
 * or anything in raw mode), [commit, len) is the line being edited. A ^D is
 * stored in the ready part as a terminator, so "abc^D" reads as "abc" and a
 * ^D alone reads as 0 bytes (end of file). Readers take from the front and
 * slide the rest down (the buffer is small).
 *
 * Lock legend: tty.lock (irqsave; the UART interrupt takes it) guards every
 * field of struct tty. Echo is written with the lock held (lock order
 * tty.lock -> uart); signals are sent after it is dropped.
 */
#include "kernel/drivers/tty/tty.h"

#include <stdatomic.h>

#include "kernel/async/waitq.h"
#include "kernel/fs/poll.h"
#include "kernel/drivers/uart16550.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/proc.h"
#include "kernel/spinlock.h"
#include "lib/errno.h"
#include "lib/string.h"

_Static_assert(sizeof(struct ktermios) == 36, "kernel termios is 36 bytes");

#define TTY_BUF 1024
#define CTRL(c) ((c)&0x1f)

/* termios bits (Linux values) */
#define ICRNL 0000400
#define IXON 0002000
#define OPOST 0000001
#define ONLCR 0000004
#define B38400 0000017
#define CS8 0000060
#define CREAD 0000200
#define ISIG 0000001
#define ICANON 0000002
#define ECHO 0000010
#define ECHOE 0000020
#define ECHOK 0000040
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

struct tty {
	struct spinlock lock;
	char buf[TTY_BUF];		/* L */
	size_t commit, len;		/* L: see the top of the file */
	struct ktermios tio;		/* L */
	struct waitq rd_wq;		/* readers wait for a line */
	void (*out)(const char *s, size_t n);	/* L (set by tests) */
};

static struct tty console = {
	.lock = SPINLOCK_INIT("tty"),
};
static atomic_bool tty_ready;	/* A: init done (release; pairs with acquire) */

static void default_termios(struct ktermios *t)
{
	memset(t, 0, sizeof(*t));
	t->c_iflag = ICRNL | IXON;
	t->c_oflag = OPOST | ONLCR;
	t->c_cflag = B38400 | CS8 | CREAD;
	t->c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
	t->c_cc[VINTR] = CTRL('C');
	t->c_cc[VQUIT] = CTRL('\\');
	t->c_cc[VERASE] = 0x7f;
	t->c_cc[VKILL] = CTRL('U');
	t->c_cc[VEOF] = CTRL('D');
	t->c_cc[VTIME] = 0;
	t->c_cc[VMIN] = 1;
}

static void tty_rx_notify(void *arg)
{
	char b[64];
	size_t n;

	(void)arg;
	while ((n = uart_read(b, sizeof(b))))
		tty_input(b, n);
}

static void ensure_init(void)
{
	static struct spinlock init_lock = SPINLOCK_INIT("tty_init");

	if (atomic_load_explicit(&tty_ready, memory_order_acquire))
		return;
	irqflags_t fl = spin_lock_irqsave(&init_lock);

	if (!atomic_load_explicit(&tty_ready, memory_order_relaxed)) {
		waitq_init(&console.rd_wq);
		default_termios(&console.tio);
		console.out = uart_write;
		atomic_store_explicit(&tty_ready, true, memory_order_release);
	}
	spin_unlock_irqrestore(&init_lock, fl);
}

void tty_init(void)
{
	static atomic_uint notify_set;

	ensure_init();
	if (!atomic_exchange_explicit(&notify_set, 1u, memory_order_relaxed)) {
		uart_set_rx_notify(tty_rx_notify, NULL);
		tty_rx_notify(NULL); /* bytes that arrived before */
	}
}

void tty_set_output(void (*out)(const char *s, size_t n))
{
	ensure_init();
	irqflags_t fl = spin_lock_irqsave(&console.lock);

	console.out = out ? out : uart_write;
	spin_unlock_irqrestore(&console.lock, fl);
}

void tty_reset(void)
{
	ensure_init();
	irqflags_t fl = spin_lock_irqsave(&console.lock);

	default_termios(&console.tio);
	console.commit = console.len = 0;
	spin_unlock_irqrestore(&console.lock, fl);
}

static void echo_locked(struct tty *t, const char *s, size_t n)
{
	if (t->tio.c_lflag & ECHO)
		t->out(s, n);
}

static void erase_one_locked(struct tty *t)
{
	if (t->len > t->commit) {
		t->len--;
		echo_locked(t, "\b \b", 3);
	}
}

/* One input byte; returns a signal to send, or 0. Sets *wake on new data. */
static int input_locked(struct tty *t, char c, bool *wake)
{
	const uint8_t *cc = t->tio.c_cc;
	uint32_t lflag = t->tio.c_lflag;

	if (c == '\r' && (t->tio.c_iflag & ICRNL))
		c = '\n';
	if (lflag & ISIG) {
		if (c == (char)cc[VINTR] || c == (char)cc[VQUIT]) {
			t->len = t->commit; /* discard the line being edited */
			echo_locked(t, c == CTRL('C') ? "^C\n" : "^\\\n", 3);
			return c == (char)cc[VINTR] ? SIGINT : SIGQUIT;
		}
	}
	if (!(lflag & ICANON)) {
		if (t->len < TTY_BUF) {
			t->buf[t->len++] = c;
			t->commit = t->len;
			*wake = true;
			echo_locked(t, &c, 1);
		}
		return 0;
	}
	if (c == (char)cc[VERASE] || c == '\b') {
		erase_one_locked(t);
	} else if (c == (char)cc[VKILL]) {
		while (t->len > t->commit)
			erase_one_locked(t);
	} else if (t->len >= TTY_BUF) {
		/* full (raw-mode leftovers): drop */
	} else if (c == (char)cc[VEOF]) {
		/* Deliver the line so far; alone it is end of file. Room for the
		 * terminator is always kept (see below). */
		t->buf[t->len++] = c;
		t->commit = t->len;
		*wake = true;
	} else if (c == '\n') {
		t->buf[t->len++] = c;
		t->commit = t->len;
		*wake = true;
		echo_locked(t, "\n", 1);
	} else if (t->len < TTY_BUF - 1) {
		/* The last byte is kept for a terminator, so a full line can
		 * still be ended. */
		t->buf[t->len++] = c;
		echo_locked(t, &c, 1);
	}
	return 0;
}

void tty_input(const char *s, size_t n)
{
	struct tty *t = &console;
	bool wake = false;
	int sigs[4];
	unsigned nsig = 0;

	ensure_init();
	irqflags_t fl = spin_lock_irqsave(&t->lock);

	for (size_t i = 0; i < n; i++) {
		int sig = input_locked(t, s[i], &wake);

		if (sig && nsig < 4)
			sigs[nsig++] = sig;
	}
	spin_unlock_irqrestore(&t->lock, fl);
	for (unsigned i = 0; i < nsig; i++)
		proc_signal_foreground(sigs[i]);
	if (wake)
		waitq_wake_all(&t->rd_wq);
}

static long tty_read(struct file *f, struct uio *u, uint64_t *pos)
{
	struct tty *t = &console;
	size_t take, consume;
	long r;

	(void)f;
	(void)pos;
	irqflags_t fl = spin_lock_irqsave(&t->lock);

	if (!t->commit) {
		spin_unlock_irqrestore(&t->lock, fl);
		return -EAGAIN;
	}
	if (t->tio.c_lflag & ICANON) {
		size_t end = 0;

		while (end < t->commit && t->buf[end] != '\n' && t->buf[end] != (char)t->tio.c_cc[VEOF])
			end++;
		if (end == t->commit) {
			/* Raw-mode leftovers without a terminator: hand them out. */
			take = consume = end;
		} else if (t->buf[end] == '\n') {
			take = end + 1;
			consume = take;
		} else {
			take = end;	   /* the ^D itself is not data */
			consume = end + 1;
		}
		if (take > u->resid) {
			take = u->resid; /* the rest of the line stays for the next read */
			consume = take;
		}
	} else {
		take = consume = t->commit < u->resid ? t->commit : u->resid;
	}
	r = take ? uio_copy_to(u, t->buf, take) : 0;
	if (r >= 0) {
		if ((size_t)r < take)
			consume = (size_t)r;
		memmove(t->buf, t->buf + consume, t->len - consume);
		t->commit -= consume;
		t->len -= consume;
	}
	spin_unlock_irqrestore(&t->lock, fl);
	return r;
}

static long tty_write(struct file *f, struct uio *u, uint64_t *pos)
{
	char b[256];
	size_t done = 0;

	(void)f;
	(void)pos;
	while (u->resid) {
		long r = uio_copy_from(u, b, sizeof(b));

		if (r <= 0)
			return done ? (long)done : r;
		irqflags_t fl = spin_lock_irqsave(&console.lock);
		void (*out)(const char *, size_t) = console.out;

		spin_unlock_irqrestore(&console.lock, fl);
		out(b, (size_t)r);
		done += (size_t)r;
	}
	return (long)done;
}

static int tty_open(struct inode *ino, struct file *f)
{
	(void)ino;
	(void)f;
	tty_init();
	return 0;
}

/* With p == NULL (kernel tests) arg is a kernel pointer. */
static int arg_out(struct proc *p, uintptr_t arg, const void *src, size_t n)
{
	if (!p) {
		memcpy((void *)arg, src, n);
		return 0;
	}
	return copy_to_user(proc_as(p), arg, src, n);
}

static int arg_in(struct proc *p, void *dst, uintptr_t arg, size_t n)
{
	if (!p) {
		memcpy(dst, (const void *)arg, n);
		return 0;
	}
	return copy_from_user(proc_as(p), dst, arg, n);
}

static long tty_ioctl(struct file *f, struct proc *p, unsigned cmd, uintptr_t arg)
{
	struct tty *t = &console;
	struct ktermios tio;
	irqflags_t fl;
	int v, err;

	(void)f;
	switch (cmd) {
	case TCGETS:
		fl = spin_lock_irqsave(&t->lock);
		tio = t->tio;
		spin_unlock_irqrestore(&t->lock, fl);
		return arg_out(p, arg, &tio, sizeof(tio));
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		err = arg_in(p, &tio, arg, sizeof(tio));
		if (err)
			return err;
		fl = spin_lock_irqsave(&t->lock);
		if (cmd == TCSETSF)
			t->commit = t->len = 0;
		else if (!(tio.c_lflag & ICANON))
			t->commit = t->len; /* the edited line becomes readable */
		t->tio = tio;
		spin_unlock_irqrestore(&t->lock, fl);
		waitq_wake_all(&t->rd_wq);
		return 0;
	case TIOCGWINSZ: {
		static const uint16_t ws[4] = { 24, 80, 0, 0 };

		return arg_out(p, arg, ws, sizeof(ws));
	}
	case TIOCSWINSZ:
		return 0;
	case TIOCGPGRP:
		v = p ? proc_pid(p) : 1;
		return arg_out(p, arg, &v, sizeof(v));
	case TIOCSPGRP:
		return arg_in(p, &v, arg, sizeof(v));
	case FIONREAD:
		fl = spin_lock_irqsave(&t->lock);
		v = (int)t->commit;
		spin_unlock_irqrestore(&t->lock, fl);
		return arg_out(p, arg, &v, sizeof(v));
	case TIOCSCTTY:
	case TIOCNOTTY:
		return 0;
	default:
		return -ENOTTY;
	}
}

static struct waitq *tty_waitq(struct file *f, bool write)
{
	(void)f;
	(void)write; /* writes never block */
	return &console.rd_wq;
}

/* Input committed to readers (a line in canonical mode); output never waits. */
static unsigned tty_poll_ready(struct file *f)
{
	struct tty *t = &console;
	unsigned ev = POLLOUT | POLLWRNORM;

	(void)f;
	irqflags_t fl = spin_lock_irqsave(&t->lock);

	if (t->commit)
		ev |= POLLIN | POLLRDNORM;
	spin_unlock_irqrestore(&t->lock, fl);
	return ev;
}

const struct file_ops tty_fops = {
	.open = tty_open,
	.read = tty_read,
	.write = tty_write,
	.ioctl = tty_ioctl,
	.waitq = tty_waitq,
	.ready = tty_poll_ready,
};
