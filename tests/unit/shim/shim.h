/* SPDX-License-Identifier: MIT */
/*
 * Host shim for kernel/arch.h, printk, panic and kmalloc: a hart is a
 * pthread. hart_id() comes from a thread-local; "interrupts off" is a
 * per-thread flag; arch_wait_for_interrupt() waits on the hart's condition
 * variable until an IPI or its timer deadline is pending; pending interrupts
 * are taken (their handlers run, with interrupts off) whenever the thread
 * turns interrupts back on, and before each wait returns to code that then
 * enables them.
 */
#ifndef TESTS_UNIT_SHIM_SHIM_H
#define TESTS_UNIT_SHIM_SHIM_H

#include <pthread.h>
#include <stdint.h>

/* Reset the shim for @nharts harts; the calling thread becomes hart 0. */
void shim_init(unsigned nharts);
/* Make the calling thread hart @id (interrupts on). */
void shim_become_hart(unsigned id);
/* Start a thread as hart @id running fn(arg). */
pthread_t shim_start_hart(unsigned id, void *(*fn)(void *), void *arg);
/* Start hart @id running exec_run() (it exits on exec_host_stop()). */
pthread_t shim_start_exec_hart(unsigned id);
/* Interrupt handlers (run with interrupts off on the interrupted hart). */
void shim_set_handlers(void (*timer)(void), void (*ipi)(void));
/* Counters per hart. */
uint64_t shim_ipis_sent(unsigned hart);
uint64_t shim_timer_irqs(unsigned hart);
/* Exit the calling hart thread. */
__attribute__((noreturn)) void shim_hart_exit(void);

#endif
