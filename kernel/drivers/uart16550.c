// SPDX-License-Identifier: MIT
/*
 * NS16550A driver. Register layout and bits are the 16550 data sheet's.
 *
 * Lock legend: uart_lock (irqsave) guards both rings and IER.
 * The receive interrupt moves bytes from the FIFO into rx; the transmit path
 * fills tx and pushes as much as the FIFO takes, leaving the rest to the
 * THR-empty interrupt.
 */
#include "kernel/drivers/uart16550.h"

#include "kernel/arch.h"
#include "kernel/console.h"
#include "kernel/mm/layout.h"
#include "kernel/spinlock.h"

#define RBR 0 /* receive buffer (read) */
#define THR 0 /* transmit holding (write) */
#define IER 1
#define FCR 2
#define LCR 3
#define MCR 4
#define LSR 5

#define IER_RX 0x01
#define IER_THRE 0x02
#define LSR_DR 0x01
#define LSR_THRE 0x20
#define FIFO_DEPTH 16

#define RX_RING 4096
#define TX_RING 8192

struct ring {
	unsigned head, tail; /* L:uart_lock; free-running, size a power of two */
};

static volatile uint8_t *regs; /* I */
static struct spinlock uart_lock = SPINLOCK_INIT("uart");
static char rx_buf[RX_RING], tx_buf[TX_RING];
static struct ring rx, tx;
static uint8_t ier;                   /* L */
static unsigned long rx_dropped;      /* L */
static void (*rx_notify)(void *);     /* L */
static void *rx_notify_arg;           /* L */

static void tx_pump_locked(void)
{
	while (tx.head != tx.tail && (regs[LSR] & LSR_THRE)) {
		for (int i = 0; i < FIFO_DEPTH && tx.head != tx.tail; i++)
			regs[THR] = tx_buf[tx.tail++ % TX_RING];
	}
	uint8_t want = tx.head != tx.tail ? (ier | IER_THRE) : (ier & ~IER_THRE);
	if (want != ier) {
		ier = want;
		regs[IER] = ier;
	}
}

static void tx_put_locked(char c)
{
	/* Full ring: make room by waiting on the FIFO (bounded by the line rate). */
	while (tx.head - tx.tail == TX_RING) {
		while (!(regs[LSR] & LSR_THRE))
			arch_cpu_relax();
		tx_pump_locked();
	}
	tx_buf[tx.head++ % TX_RING] = c;
}

void uart_write(const char *s, size_t n)
{
	irqflags_t f = spin_lock_irqsave(&uart_lock);

	for (size_t i = 0; i < n; i++)
		tx_put_locked(s[i]);
	tx_pump_locked();
	spin_unlock_irqrestore(&uart_lock, f);
}

size_t uart_read(char *buf, size_t n)
{
	irqflags_t f = spin_lock_irqsave(&uart_lock);
	size_t got = 0;

	while (got < n && rx.tail != rx.head)
		buf[got++] = rx_buf[rx.tail++ % RX_RING];
	spin_unlock_irqrestore(&uart_lock, f);
	return got;
}

void uart_set_rx_notify(void (*fn)(void *arg), void *arg)
{
	irqflags_t f = spin_lock_irqsave(&uart_lock);

	rx_notify = fn;
	rx_notify_arg = arg;
	spin_unlock_irqrestore(&uart_lock, f);
}

unsigned long uart_rx_dropped(void)
{
	return rx_dropped;
}

static void uart_interrupt(void *arg)
{
	void (*notify)(void *) = 0;
	void *notify_arg = 0;
	bool got = false;
	irqflags_t f;

	(void)arg;
	f = spin_lock_irqsave(&uart_lock);
	while (regs[LSR] & LSR_DR) {
		char c = (char)regs[RBR];

		if (rx.head - rx.tail < RX_RING)
			rx_buf[rx.head++ % RX_RING] = c;
		else
			rx_dropped++;
		got = true;
	}
	tx_pump_locked();
	if (got) {
		notify = rx_notify;
		notify_arg = rx_notify_arg;
	}
	spin_unlock_irqrestore(&uart_lock, f);
	if (notify)
		notify(notify_arg);
}

/* kprintf output: "\n" becomes "\r\n" (the tty does its own for user output). */
static void console_write(const char *s, size_t n)
{
	size_t start = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\n')
			continue;
		uart_write(s + start, i - start);
		uart_write("\r\n", 2);
		start = i + 1;
	}
	uart_write(s + start, n - start);
}

void uart_flush(void)
{
	irqflags_t f = spin_lock_irqsave(&uart_lock);

	while (tx.head != tx.tail) {
		while (!(regs[LSR] & LSR_THRE))
			arch_cpu_relax();
		tx_pump_locked();
	}
	spin_unlock_irqrestore(&uart_lock, f);
}

static const struct console_ops uart_console = {
	.write = console_write,
	.flush = uart_flush,
};

int uart_init(uint64_t base_pa, unsigned irq)
{
	regs = pa_to_va(base_pa);
	regs[IER] = 0;
	regs[LCR] = 0x80;     /* DLAB: set the divisor */
	regs[0] = 1;          /* 115200 baud from a 1.8432 MHz clock */
	regs[1] = 0;
	regs[LCR] = 0x03;     /* 8 data bits, no parity, one stop bit */
	/* Enable and clear both FIFOs; interrupt at 14 received bytes (or after
	 * the 4-character timeout), so a flood costs one interrupt per 14 bytes. */
	regs[FCR] = 0xc7;
	regs[MCR] = 0x0b;     /* DTR, RTS, OUT2 (routes the interrupt) */
	ier = IER_RX;
	regs[IER] = ier;
	if (arch_irq_attach(irq, uart_interrupt, 0) != 0)
		return -1;
	console_register(&uart_console);
	return 0;
}
