// SPDX-License-Identifier: MIT
/*
 * kprintf: format the whole call into a buffer on the stack, then emit it
 * under one lock, so output from several harts or from interrupt handlers
 * never interleaves within a call (up to PRINTK_BUF bytes; longer output is
 * emitted in chunks). Goes to the SBI console until the UART driver is up.
 *
 * Everything printed also goes to the kernel log ring (kernel/klog.c, for
 * syslog and dmesg).
 *
 * Lock legend: console_lock (irqsave) serialises all console output.
 */
#include "kernel/printk.h"

#include "kernel/console.h"
#include "kernel/klog.h"
#include "kernel/spinlock.h"
#include "kernel/trapdefs.h"
#include "lib/printf.h"

#define PRINTK_BUF 512

static struct spinlock console_lock = SPINLOCK_INIT("console");
static const struct console_ops *console; /* L:console_lock, NULL = early SBI output */

struct pk_buf {
	char buf[PRINTK_BUF];
	size_t len;
};

static void emit_locked(const char *s, size_t n)
{
	if (console) {
		console->write(s, n);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			arch_early_putchar('\r');
		arch_early_putchar(s[i]);
	}
}

static void flush(struct pk_buf *b)
{
	irqflags_t f;

	if (!b->len)
		return;
	klog_write(b->buf, b->len); /* the log ring first (its own lock) */
	if (!klog_console_on() && !panic_in_progress()) {
		b->len = 0; /* syslog's CONSOLE_OFF */
		return;
	}
	/* A panicking hart must get its report out even if a stopped hart
	 * died holding the lock: after a bounded wait, write regardless. */
	if (panic_in_progress()) {
		bool locked = false;
		for (int i = 0; i < 1000000 && !locked; i++)
			locked = spin_trylock_irqsave(&console_lock, &f);
		emit_locked(b->buf, b->len);
		if (locked)
			spin_unlock_irqrestore(&console_lock, f);
	} else {
		f = spin_lock_irqsave(&console_lock);
		emit_locked(b->buf, b->len);
		spin_unlock_irqrestore(&console_lock, f);
	}
	b->len = 0;
}

static void collect(void *ctx, const char *s, size_t n)
{
	struct pk_buf *b = ctx;

	while (n) {
		size_t room = PRINTK_BUF - b->len;
		size_t take = n < room ? n : room;

		for (size_t i = 0; i < take; i++)
			b->buf[b->len + i] = s[i];
		b->len += take;
		s += take;
		n -= take;
		if (b->len == PRINTK_BUF)
			flush(b);
	}
}

int kvprintf(const char *fmt, va_list ap)
{
	struct pk_buf b;
	int n;

	b.len = 0;
	n = fmt_vformat(collect, &b, fmt, ap);
	flush(&b);
	klog_wake();
	return n;
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvprintf(fmt, ap);
	va_end(ap);
	return n;
}

void console_register(const struct console_ops *ops)
{
	irqflags_t f = spin_lock_irqsave(&console_lock);

	console = ops;
	spin_unlock_irqrestore(&console_lock, f);
}

void printk_flush(void)
{
	irqflags_t f;
	bool locked = false;

	/* As in flush(): a panicking hart must not wait forever on the lock. */
	if (panic_in_progress()) {
		for (int i = 0; i < 1000000 && !locked; i++)
			locked = spin_trylock_irqsave(&console_lock, &f);
	} else {
		f = spin_lock_irqsave(&console_lock);
		locked = true;
	}
	if (console && console->flush)
		console->flush();
	if (locked)
		spin_unlock_irqrestore(&console_lock, f);
}
