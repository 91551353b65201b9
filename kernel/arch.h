/* SPDX-License-Identifier: MIT */
/*
 * The portable kernel's view of the machine: every function here is implemented
 * in arch/riscv/ for the real kernel and in tests/unit/shim/ for host tests, so
 * code that only needs these (kernel/async, the locks, printk) runs in both.
 */
#ifndef KERNEL_ARCH_H
#define KERNEL_ARCH_H

#define MAX_HARTS 8

#ifndef __ASSEMBLY__
#include <stdbool.h>
#include <stdint.h>

typedef unsigned long irqflags_t;

#ifdef __riscv
#include "arch/riscv/arch_inline.h"
#else
/* Index of the calling hart, 0..hart_count()-1 (dense, not the raw mhartid). */
unsigned hart_id(void);
/* This hart's executor word, as set by arch_set_hart_exec(). Any context. */
void *arch_hart_exec(void);
/* Disable interrupts on this hart and return the previous state. Any context. */
irqflags_t arch_irq_save(void);
/* Restore the state returned by arch_irq_save(). */
void arch_irq_restore(irqflags_t flags);
/* A hint for spin loops (pause on the host, nothing special on RV64GC). */
void arch_cpu_relax(void);
#endif
/*
 * One word per hart for the executor (its struct exec_hart), set before the
 * hart runs tasks; arch_hart_exec() reads this hart's in a single load on the
 * wake and run paths (on RISC-V it lives next to the hart index at tp).
 */
void arch_set_hart_exec(unsigned hart, void *exec);
/* Give other harts the CPU for about @ns (a spin loop's backoff); see timer.c.
 * Returns early if arch_spin_kick() names this hart (or any interrupt is
 * pending). Interrupts stay as they were. */
void arch_spin_pause(uint64_t ns);
/* End @hart's arch_spin_pause() now (an IPI on RISC-V; nothing on the host
 * shim, whose pause is a yield). Any context. */
void arch_spin_kick(unsigned hart);
/* Number of harts online (started and running an executor). */
unsigned hart_count(void);

void arch_irq_enable(void);
void arch_irq_disable(void);
bool arch_irq_enabled(void);

/*
 * Called with interrupts off. Returns once an interrupt is pending for this
 * hart (it is not taken: interrupts stay off). The caller re-enables
 * interrupts to run the handler. This is what makes the executor's
 * check-then-sleep free of lost wakeups.
 */
void arch_wait_for_interrupt(void);

/* Interrupt another hart (by dense index); its handler only acknowledges. */
void arch_send_ipi(unsigned hart);

/* Monotonic time since boot in nanoseconds. Any context. */
uint64_t clock_now_ns(void);
/* The raw monotonic counter clock_now_ns() is made from (the time CSR):
 * one read, no conversion, for counters on paths that must stay short;
 * clock_ticks_to_ns() turns a difference of two into ns. Any context. */
uint64_t clock_ticks(void);
uint64_t clock_ticks_to_ns(uint64_t ticks);

/*
 * Program this hart's timer to interrupt at (or soon after) deadline_ns;
 * UINT64_MAX disarms it. Called with interrupts off.
 */
void arch_timer_set(uint64_t deadline_ns);

/*
 * Attach a handler to a platform interrupt (a PLIC source). The handler runs
 * in interrupt context with interrupts off: acknowledge, record, wake; never
 * poll a future. Returns 0, or -1 if the source is invalid or taken.
 */
int arch_irq_attach(unsigned irq, void (*fn)(void *arg), void *arg);

/*
 * Interrupt counts for /proc/interrupts. what: ARCH_IRQ_IPI, ARCH_IRQ_TIMER,
 * or a platform (PLIC) source >= 1. Taken by hart (dense index) so far; read
 * relaxed from any hart. arch_irq_attached: whether the source has a handler.
 */
#define ARCH_IRQ_IPI (-1)
#define ARCH_IRQ_TIMER (-2)
unsigned long arch_irq_count(int what, unsigned hart);
bool arch_irq_attached(unsigned irq);

/*
 * Device memory barrier for drivers that share memory with a DMA device
 * (virtio rings): every memory and device (MMIO) access before it is ordered
 * before every one after it (RISC-V `fence iorw,iorw`). Any context.
 */
void arch_io_fence(void);

/* Early console output before any driver is up (the SBI legacy console). */
void arch_early_putchar(int c);

/* Stop this hart forever with interrupts off. */
__attribute__((noreturn)) void arch_halt(void);

/*
 * Power the machine off. status 0 = success; otherwise QEMU exits with that
 * status (through the virt test finisher when the device tree has one).
 */
__attribute__((noreturn)) void arch_poweroff(int status);
/* Reset the machine (QEMU restarts it, or exits with 0 under -no-reboot). */
__attribute__((noreturn)) void arch_reboot(void);

/* Ask every other hart to halt (panic path); returns without waiting long. */
void arch_stop_other_harts(void);

/* Bounds of the stack the calling hart runs on, for backtraces. */
void arch_stack_bounds(uintptr_t *lo, uintptr_t *hi);

/* Flush this hart's TLB entries for one virtual page / for everything. */
void arch_flush_tlb_page(uintptr_t va);
void arch_flush_tlb_all(void);

#endif /* __ASSEMBLY__ */

#endif
