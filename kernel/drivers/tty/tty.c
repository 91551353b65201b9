// SPDX-License-Identifier: MIT
/*
 * The console line discipline and the tty's file ops; see tty.h. Linux's
 * n_tty is the reference: the same termios flags, control characters,
 * echo and line limits (a canonical line holds 4095 bytes and its end).
 *
 * The input buffer is linear: [0, commit) is ready for readers (whole lines,
 * or anything in raw mode), [commit, len) is the line being edited. Each
 * byte has flags: the end of a line (newline, VEOL, VEOL2, VEOF) and VEOF
 * itself, which ends a line but is not data, so "abc^D" reads as "abc" and
 * a ^D alone reads as 0 bytes (end of file). Readers take from the front and
 * slide the rest down (the buffer is small).
 *
 * Locking: see tty_internal.h.
 */
#include "kernel/drivers/tty/tty_internal.h"

#include <stdatomic.h>

#include "kernel/arch.h"
#include "kernel/fs/poll.h"
#include "kernel/drivers/uart16550.h"
#include "kernel/fs/devfs.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/proc.h"
#include "lib/errno.h"
#include "lib/string.h"

_Static_assert(sizeof(struct ktermios) == 36, "kernel termios is 36 bytes");

#define F_EOL 1		/* ends a line */
#define F_EOF 2		/* VEOF: ends a line, is not data */
#define VTIME_NS 100000000ull	/* VTIME counts tenths of a second */

struct tty tty_console = {
	.lock = SPINLOCK_INIT("tty"),
};
static uint8_t flags[TTY_BUF];	/* L: per byte of tty_console.buf */
static atomic_bool tty_ready;	/* A: init done (release; pairs with acquire) */

/* Linux's tty_std_termios. */
static void default_termios(struct ktermios *t)
{
	static const uint8_t cc[TTY_NCCS] = "\003\034\177\025\004\0\1\0\021\023\032\0\022\017\027\026\0";

	memset(t, 0, sizeof(*t));
	t->c_iflag = ICRNL | IXON;
	t->c_oflag = OPOST | ONLCR;
	t->c_cflag = B38400 | CS8 | CREAD | HUPCL;
	t->c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
	memcpy(t->c_cc, cc, sizeof(cc));
}

static void tty_rx_notify(void *arg)
{
	char b[64];
	size_t n;

	(void)arg;
	while ((n = uart_read(b, sizeof(b))))
		tty_input(b, n);
}

/* ---- the VTIME timer: a waker whose wake is the expiry ---------------------- */

static void vtime_fire(void)
{
	struct tty *t = &tty_console;
	irqflags_t fl = spin_lock_irqsave(&t->lock);

	if (t->vtime_deadline && clock_now_ns() >= t->vtime_deadline)
		t->vtime_expired = true;
	spin_unlock_irqrestore(&t->lock, fl);
	/* Nobody left to see the expiry (its reader was interrupted): forget
	 * it, or the next read would end at once. */
	if (!waitq_wake_all(&t->rd_wq)) {
		fl = spin_lock_irqsave(&t->lock);
		if (t->vtime_expired) {
			t->vtime_expired = false;
			t->vtime_deadline = 0;
		}
		spin_unlock_irqrestore(&t->lock, fl);
	}
}

static struct waker vtime_clone(const struct waker *w)
{
	return *w;
}

static void vtime_wake(struct waker *w)
{
	(void)w;
	vtime_fire();
}

static void vtime_wake_by_ref(const struct waker *w)
{
	(void)w;
	vtime_fire();
}

static void vtime_drop(struct waker *w)
{
	(void)w;
}

static const struct waker_ops vtime_waker_ops = {
	.clone = vtime_clone,
	.wake = vtime_wake,
	.wake_by_ref = vtime_wake_by_ref,
	.drop = vtime_drop,
};

void tty_vtime_arm_locked(struct tty *t, uint64_t deadline)
{
	struct waker w = { .ops = &vtime_waker_ops, .data = 0 };

	if (t->vtime.queued && t->vtime.deadline <= deadline)
		return;
	timerq_cancel(&t->vtime);
	timerq_add(&t->vtime, deadline, &w);
}

static void ensure_init(void)
{
	static struct spinlock init_lock = SPINLOCK_INIT("tty_init");

	if (atomic_load_explicit(&tty_ready, memory_order_acquire))
		return;
	irqflags_t fl = spin_lock_irqsave(&init_lock);

	if (!atomic_load_explicit(&tty_ready, memory_order_relaxed)) {
		waitq_init(&tty_console.rd_wq);
		timer_entry_init(&tty_console.vtime);
		default_termios(&tty_console.tio);
		tty_console.ws = (struct winsize){ .ws_row = 24, .ws_col = 80 };
		tty_console.out = uart_write;
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
	irqflags_t fl = spin_lock_irqsave(&tty_console.lock);

	tty_console.out = out ? out : uart_write;
	spin_unlock_irqrestore(&tty_console.lock, fl);
}

void tty_reset(void)
{
	struct tty *t = &tty_console;

	ensure_init();
	irqflags_t fl = spin_lock_irqsave(&t->lock);

	default_termios(&t->tio);
	t->ws = (struct winsize){ .ws_row = 24, .ws_col = 80 };
	t->commit = t->len = 0;
	t->lnext = false;
	t->session = t->pgrp = 0;
	t->vtime_deadline = 0;
	t->vtime_expired = false;
	spin_unlock_irqrestore(&t->lock, fl);
}

/* ---- output ------------------------------------------------------------------ */

/* OPOST processing of @n bytes into @dst (room for 2n); its length. */
static size_t opost(uint32_t oflag, const char *s, size_t n, char *dst)
{
	size_t m = 0;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if ((oflag & OPOST) && c == '\n' && (oflag & ONLCR))
			dst[m++] = '\r';
		else if ((oflag & OPOST) && c == '\r' && (oflag & OCRNL))
			c = '\n';
		dst[m++] = c;
	}
	return m;
}

void tty_output_locked(struct tty *t, const char *s, size_t n)
{
	char b[128];

	while (n) {
		size_t k = n < sizeof(b) / 2 ? n : sizeof(b) / 2;

		t->out(b, opost(t->tio.c_oflag, s, k, b));
		s += k;
		n -= k;
	}
}

/* ---- the line discipline ------------------------------------------------------ */

static bool is_cc(const struct tty *t, uint8_t c, int which)
{
	return t->tio.c_cc[which] && c == t->tio.c_cc[which]; /* 0 disables it */
}

/* Echo one received byte as Linux does: controls as ^X under ECHOCTL. */
static void echo_char_locked(struct tty *t, uint8_t c)
{
	if ((t->tio.c_lflag & ECHOCTL) && (c < 0x20 || c == 0x7f) && c != '\t' && c != '\n') {
		char s[2] = { '^', (char)(c ^ 0100) };

		tty_output_locked(t, s, 2);
	} else {
		tty_output_locked(t, (const char *)&c, 1);
	}
}

/* Columns the echo of byte @i of the edited line took (for erasing). */
static unsigned echo_width(const struct tty *t, size_t i)
{
	uint8_t c = (uint8_t)t->buf[i];

	if ((t->tio.c_iflag & IUTF8) && (c & 0xc0) == 0x80)
		return 0;
	if (c == '\t') {
		unsigned col = 0;

		for (size_t j = t->commit; j < i; j++)
			col = t->buf[j] == '\t' ? (col | 7) + 1 : col + echo_width(t, j);
		return 8 - (col & 7);
	}
	if (c < 0x20 || c == 0x7f)
		return (t->tio.c_lflag & ECHOCTL) ? 2 : 0;
	return 1;
}

/* Erase the last character of the edited line (a whole UTF-8 sequence
 * under IUTF8); false if the line is empty. */
static bool erase_one_locked(struct tty *t, bool visual)
{
	unsigned cols = 0;

	if (t->len <= t->commit)
		return false;
	do {
		t->len--;
		cols += echo_width(t, t->len);
	} while ((t->tio.c_iflag & IUTF8) && t->len > t->commit &&
		 ((uint8_t)t->buf[t->len] & 0xc0) == 0x80);
	if (visual && (t->tio.c_lflag & ECHO))
		while (cols--)
			tty_output_locked(t, "\b \b", 3);
	return true;
}

static bool is_word_char(char c)
{
	return c != ' ' && c != '\t';
}

/* VERASE, VKILL, VWERASE. */
static void eraser_locked(struct tty *t, uint8_t c, int which)
{
	uint32_t lflag = t->tio.c_lflag;

	if (which == VERASE) {
		if ((lflag & ECHO) && !(lflag & ECHOE)) {
			if (t->len > t->commit)
				echo_char_locked(t, c);
			erase_one_locked(t, false);
			return;
		}
		erase_one_locked(t, true);
	} else if (which == VKILL) {
		if (t->len == t->commit)
			return;
		if (!(lflag & ECHO) || ((lflag & ECHOK) && (lflag & ECHOKE) && (lflag & ECHOE))) {
			while (erase_one_locked(t, true))
				;
			return;
		}
		t->len = t->commit;
		echo_char_locked(t, c);
		if (lflag & ECHOK)
			tty_output_locked(t, "\n", 1);
	} else { /* VWERASE: the spaces, then the word before them */
		while (t->len > t->commit && !is_word_char(t->buf[t->len - 1]))
			erase_one_locked(t, lflag & ECHOE);
		while (t->len > t->commit && is_word_char(t->buf[t->len - 1]))
			erase_one_locked(t, lflag & ECHOE);
	}
}

static void flush_input_locked(struct tty *t)
{
	t->commit = t->len = 0;
	t->lnext = false;
}

/* Append a byte; @f are its flags (F_EOL ends the line: it becomes ready). */
static void put_locked(struct tty *t, uint8_t c, uint8_t f, bool *wake)
{
	flags[t->len] = f;
	t->buf[t->len++] = (char)c;
	if (f & F_EOL || !(t->tio.c_lflag & ICANON)) {
		t->commit = t->len;
		*wake = true;
	}
}

/* One input byte; returns a signal to send, or 0. Sets *wake on new data. */
static int input_locked(struct tty *t, uint8_t c, bool *wake)
{
	uint32_t iflag = t->tio.c_iflag, lflag = t->tio.c_lflag;
	bool canon = lflag & ICANON;

	if (iflag & ISTRIP)
		c &= 0x7f;
	if (t->lnext) {
		t->lnext = false;
		goto literal;
	}
	if (lflag & ISIG) {
		int sig = is_cc(t, c, VINTR) ? SIGINT : is_cc(t, c, VQUIT) ? SIGQUIT
			: is_cc(t, c, VSUSP) ? SIGTSTP : 0;

		if (sig) {
			if (!(lflag & NOFLSH))
				flush_input_locked(t);
			if (lflag & ECHO)
				echo_char_locked(t, c);
			return sig;
		}
	}
	if (iflag & IXON) {
		/* Flow control characters are consumed (output is never
		 * actually held back: the UART drains regardless). */
		if (is_cc(t, c, VSTART) || is_cc(t, c, VSTOP))
			return 0;
	}
	if (c == '\r') {
		if (iflag & IGNCR)
			return 0;
		if (iflag & ICRNL)
			c = '\n';
	} else if (c == '\n' && (iflag & INLCR)) {
		c = '\r';
	}
	if (canon) {
		if (is_cc(t, c, VERASE) || is_cc(t, c, VKILL) ||
		    (is_cc(t, c, VWERASE) && (lflag & IEXTEN))) {
			eraser_locked(t, c, is_cc(t, c, VERASE) ? VERASE
					    : is_cc(t, c, VKILL) ? VKILL : VWERASE);
			return 0;
		}
		if (is_cc(t, c, VLNEXT) && (lflag & IEXTEN)) {
			t->lnext = true;
			if ((lflag & ECHO) && (lflag & ECHOCTL))
				tty_output_locked(t, "^\b", 2);
			return 0;
		}
		if (is_cc(t, c, VREPRINT) && (lflag & ECHO) && (lflag & IEXTEN)) {
			echo_char_locked(t, c);
			tty_output_locked(t, "\n", 1);
			for (size_t i = t->commit; i < t->len; i++)
				echo_char_locked(t, (uint8_t)t->buf[i]);
			return 0;
		}
		/* The last byte is kept for the line's end, so a full line
		 * can always be ended (Linux: 4095 bytes and a newline). */
		if (c == '\n' || is_cc(t, c, VEOF) || is_cc(t, c, VEOL) ||
		    (is_cc(t, c, VEOL2) && (lflag & IEXTEN))) {
			if (t->len >= TTY_BUF)
				return 0;
			if (c == '\n' ? (lflag & (ECHO | ECHONL)) : (lflag & ECHO) && !is_cc(t, c, VEOF))
				echo_char_locked(t, c);
			put_locked(t, c, is_cc(t, c, VEOF) && c != '\n' ? F_EOL | F_EOF : F_EOL, wake);
			return 0;
		}
	}
literal:
	if (t->len >= (canon ? TTY_BUF - 1 : TTY_BUF))
		return 0; /* full: dropped */
	if (lflag & ECHO)
		echo_char_locked(t, c);
	put_locked(t, c, 0, wake); /* a literal newline (^V) does not end the line */
	if (!canon)
		t->last_input_ns = clock_now_ns();
	return 0;
}

void tty_input(const char *s, size_t n)
{
	struct tty *t = &tty_console;
	bool wake = false;
	int sigs[4], pgrp;
	unsigned nsig = 0;

	ensure_init();
	irqflags_t fl = spin_lock_irqsave(&t->lock);

	for (size_t i = 0; i < n; i++) {
		int sig = input_locked(t, (uint8_t)s[i], &wake);

		if (sig && nsig < 4)
			sigs[nsig++] = sig;
	}
	pgrp = t->pgrp;
	spin_unlock_irqrestore(&t->lock, fl);
	/* To the foreground group of the session it controls; without one
	 * (no controlling process yet) the keys do nothing, as on Linux. */
	for (unsigned i = 0; i < nsig && pgrp; i++)
		proc_signal_pgrp(pgrp, sigs[i]);
	if (wake || nsig)
		waitq_wake_all(&t->rd_wq);
}

/* ---- read and write -------------------------------------------------------------- */

/* How much a canonical read takes (*take) and consumes (*consume). */
static void canon_read_size(struct tty *t, size_t resid, size_t *take, size_t *consume)
{
	size_t end = 0;

	while (end < t->commit && !(flags[end] & F_EOL))
		end++;
	if (end == t->commit) {
		*take = *consume = end; /* raw-mode leftovers without an end */
	} else if (flags[end] & F_EOF) {
		*take = end; /* the ^D itself is not data */
		*consume = end + 1;
	} else {
		*take = *consume = end + 1;
	}
	if (*take > resid)
		*take = *consume = resid; /* the rest of the line stays for the next read */
}

/* VMIN / VTIME in raw mode: how much to take now, or -EAGAIN to wait. */
static long raw_read_size(struct tty *t, size_t resid)
{
	unsigned min = t->tio.c_cc[VMIN], time = t->tio.c_cc[VTIME];
	size_t avail = t->commit, need;
	uint64_t now;

	if (!resid)
		return 0;
	if (!min && !time)
		return (long)(avail < resid ? avail : resid); /* never waits */
	now = clock_now_ns();
	if (!min) {
		/* The first byte, or nothing once TIME has passed since the
		 * read began. */
		if (avail || t->vtime_expired) {
			t->vtime_deadline = 0;
			t->vtime_expired = false;
			return (long)(avail < resid ? avail : resid);
		}
		if (!t->vtime_deadline)
			t->vtime_deadline = now + time * VTIME_NS;
		tty_vtime_arm_locked(t, t->vtime_deadline);
		return -EAGAIN;
	}
	need = min < resid ? min : resid;
	if (avail >= need)
		return (long)(avail < resid ? avail : resid);
	/* MIN > 0, TIME > 0: TIME is a timer between bytes, from the last. */
	if (time && avail) {
		uint64_t when = t->last_input_ns + time * VTIME_NS;

		if (now >= when)
			return (long)avail;
		tty_vtime_arm_locked(t, when);
	}
	return -EAGAIN;
}

static long tty_read(struct file *f, struct uio *u, uint64_t *pos)
{
	struct tty *t = &tty_console;
	struct proc *p = proc_current();
	size_t take, consume;
	long r;
	int err;

	(void)f;
	(void)pos;
	err = tty_check_change(t, p, SIGTTIN);
	if (err)
		return err;
	irqflags_t fl = spin_lock_irqsave(&t->lock);

	if (t->tio.c_lflag & ICANON) {
		if (!t->commit) {
			spin_unlock_irqrestore(&t->lock, fl);
			return -EAGAIN;
		}
		canon_read_size(t, u->resid, &take, &consume);
	} else {
		r = raw_read_size(t, u->resid);
		if (r < 0) {
			spin_unlock_irqrestore(&t->lock, fl);
			return r;
		}
		take = consume = (size_t)r;
	}
	r = take ? uio_copy_to(u, t->buf, take) : 0;
	if (r >= 0) {
		if ((size_t)r < take)
			consume = (size_t)r;
		memmove(t->buf, t->buf + consume, t->len - consume);
		memmove(flags, flags + consume, t->len - consume);
		t->commit -= consume;
		t->len -= consume;
	}
	spin_unlock_irqrestore(&t->lock, fl);
	return r;
}

static long tty_write(struct file *f, struct uio *u, uint64_t *pos)
{
	struct tty *t = &tty_console;
	char b[256], o[512];
	size_t done = 0;
	int err;

	(void)f;
	(void)pos;
	irqflags_t fl = spin_lock_irqsave(&t->lock);
	bool tostop = t->tio.c_lflag & TOSTOP;

	spin_unlock_irqrestore(&t->lock, fl);
	if (tostop) {
		err = tty_check_change(t, proc_current(), SIGTTOU);
		if (err)
			return err;
	}
	while (u->resid) {
		long r = uio_copy_from(u, b, sizeof(b));
		uint32_t oflag;
		void (*out)(const char *, size_t);

		if (r <= 0)
			return done ? (long)done : r;
		fl = spin_lock_irqsave(&t->lock);
		out = t->out;
		oflag = t->tio.c_oflag;
		spin_unlock_irqrestore(&t->lock, fl);
		out(o, opost(oflag, b, (size_t)r, o));
		done += (size_t)r;
	}
	return (long)done;
}

static int tty_open(struct inode *ino, struct file *f)
{
	struct proc *p = proc_current();

	(void)f;
	/* /dev/tty is the caller's controlling terminal: without one, ENXIO
	 * (Linux). The console is the only terminal, so that is all /dev/tty
	 * needs to know. */
	if (ino->rdev == DEV_TTY && p && !tty_console_is_ctty(p))
		return -ENXIO;
	tty_init();
	return 0;
}

int tty_arg_out(struct proc *p, uintptr_t arg, const void *src, size_t n)
{
	if (!p) {
		memcpy((void *)arg, src, n);
		return 0;
	}
	return copy_to_user(proc_as(p), arg, src, n);
}

int tty_arg_in(struct proc *p, void *dst, uintptr_t arg, size_t n)
{
	if (!p) {
		memcpy(dst, (const void *)arg, n);
		return 0;
	}
	return copy_from_user(proc_as(p), dst, arg, n);
}

size_t tty_inq_locked(struct tty *t)
{
	size_t n = 0;

	for (size_t i = 0; i < t->commit; i++)
		n += !(flags[i] & F_EOF);
	return n;
}

void tty_flush_input(struct tty *t)
{
	irqflags_t fl = spin_lock_irqsave(&t->lock);

	flush_input_locked(t);
	spin_unlock_irqrestore(&t->lock, fl);
}

static struct waitq *tty_waitq(struct file *f, bool write)
{
	(void)f;
	(void)write; /* writes never block */
	return &tty_console.rd_wq;
}

/* Input committed to readers (a line in canonical mode; in raw mode VMIN
 * bytes when VTIME is 0, as Linux's n_tty_poll); output never waits. */
static unsigned tty_poll_ready(struct file *f)
{
	struct tty *t = &tty_console;
	unsigned ev = POLLOUT | POLLWRNORM;
	size_t amt = 1;

	(void)f;
	irqflags_t fl = spin_lock_irqsave(&t->lock);

	if (!(t->tio.c_lflag & ICANON) && !t->tio.c_cc[VTIME] && t->tio.c_cc[VMIN])
		amt = t->tio.c_cc[VMIN];
	if (t->commit >= amt)
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
