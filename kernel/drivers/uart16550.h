/* SPDX-License-Identifier: MIT */
/*
 * NS16550A UART: interrupt-driven receive into a ring, buffered transmit.
 * Transmit never blocks on a full ring in interrupt context: it drains the
 * FIFO by polling instead, so kprintf works from anywhere.
 */
#ifndef KERNEL_DRIVERS_UART16550_H
#define KERNEL_DRIVERS_UART16550_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int uart_init(uint64_t base_pa, unsigned irq);
/* Take up to n received bytes; returns how many. Any context. */
size_t uart_read(char *buf, size_t n);
/* Called (interrupt context) after received bytes were queued. */
void uart_set_rx_notify(void (*fn)(void *arg), void *arg);
/* Queue bytes for transmission, as they are. */
void uart_write(const char *s, size_t n);
/* Transmit everything queued, polling the line (power-off path). */
void uart_flush(void);
/* Bytes dropped because the receive ring was full. */
unsigned long uart_rx_dropped(void);

#endif
