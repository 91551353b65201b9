// SPDX-License-Identifier: MIT
/*
 * panic(): print the message and a backtrace, stop the other harts, then
 * power off with a failure status (or halt, with `panic=halt` on the command
 * line, so a debugger can look at the corpse). A panic inside a panic halts.
 */
#include "kernel/panic.h"

#include <stdarg.h>
#include <stdatomic.h>

#include "kernel/arch.h"
#include "kernel/backtrace.h"
#include "kernel/printk.h"
#include "kernel/trapdefs.h"

static atomic_int panicking; /* A: set once by the first hart to panic */
bool panic_halts;            /* I: `panic=halt` */

bool panic_in_progress(void)
{
	return atomic_load_explicit(&panicking, memory_order_relaxed) != 0;
}

void panic(const char *fmt, ...)
{
	va_list ap;
	int expected = 0;

	arch_irq_disable();
	if (!atomic_compare_exchange_strong(&panicking, &expected, 1)) {
		/* Someone else is already reporting (or we panicked inside panic). */
		arch_halt();
	}
	arch_stop_other_harts();
	kprintf("\n*** KERNEL PANIC on hart %u: ", hart_id());
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
	backtrace_print_here();
	if (panic_halts) {
		kprintf("*** halted (panic=halt); attach a debugger\n");
		arch_halt();
	}
	printk_flush();
	arch_poweroff(99);
}
