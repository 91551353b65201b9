// SPDX-License-Identifier: MIT
/*
 * The console echo task: what the kernel runs when there is no user space
 * (no initrd). It is the smallest complete example of a driver-woken future:
 * read what the UART interrupt queued, else register the waker, re-check,
 * and return PENDING.
 *
 * Lock legend: echo_lock (irqsave) guards the registered waker, which the
 * UART interrupt wakes from any hart.
 */
#include "kernel/echo.h"

#include "kernel/async/future.h"
#include "kernel/async/task.h"
#include "kernel/drivers/uart16550.h"
#include "kernel/spinlock.h"

static struct spinlock echo_lock = SPINLOCK_INIT("echo");
static struct waker rx_waker;   /* L:echo_lock */
static bool rx_waker_set;       /* L:echo_lock */

static void rx_notify(void *arg)
{
	irqflags_t f;

	(void)arg;
	f = spin_lock_irqsave(&echo_lock);
	if (rx_waker_set)
		waker_wake_by_ref(&rx_waker);
	spin_unlock_irqrestore(&echo_lock, f);
}

static void set_waker(const struct waker *w)
{
	irqflags_t f = spin_lock_irqsave(&echo_lock);

	if (!rx_waker_set || !waker_will_wake(&rx_waker, w)) {
		if (rx_waker_set)
			waker_drop(&rx_waker);
		rx_waker = waker_clone(w);
		rx_waker_set = true;
	}
	spin_unlock_irqrestore(&echo_lock, f);
}

static void clear_waker(void)
{
	irqflags_t f = spin_lock_irqsave(&echo_lock);

	if (rx_waker_set)
		waker_drop(&rx_waker);
	rx_waker_set = false;
	spin_unlock_irqrestore(&echo_lock, f);
}

static enum poll echo_poll(struct future *fut, struct context *cx)
{
	char buf[64];
	size_t n;

	(void)fut;
	for (;;) {
		n = uart_read(buf, sizeof(buf));
		if (n) {
			uart_write(buf, n);
			continue;
		}
		/* Register first, then re-check: a byte that arrived in between
		 * has either been seen by the re-check or will wake us. */
		set_waker(cx->waker);
		n = uart_read(buf, sizeof(buf));
		if (!n)
			return POLL_PENDING;
		uart_write(buf, n);
	}
}

static void echo_drop(struct future *fut)
{
	(void)fut;
	clear_waker();
}

static const struct future_ops echo_ops = {
	.name = "console_echo",
	.poll = echo_poll,
	.drop = echo_drop,
};

static struct future echo_future;

void echo_start(void)
{
	future_init(&echo_future, &echo_ops);
	uart_set_rx_notify(rx_notify, 0);
	task_spawn(&echo_future, 0, "console_echo");
}
