// SPDX-License-Identifier: MIT
/*
 * The monotonic clock (the time CSR scaled by the device tree's timebase) and
 * the per-hart timer: stimecmp when the hart has Sstc, SBI TIME otherwise.
 */
#include "arch/riscv/timer.h"

#include "arch/riscv/csr.h"
#include "arch/riscv/sbi.h"
#include "kernel/compiler.h"

static uint64_t timebase_hz; /* I */
static uint64_t boot_ticks;  /* I */
static bool have_sstc;       /* I */
/*
 * Fixed-point scale factors (32 fractional bits), so that the clock, read on
 * every trap for CPU-time accounting, costs a multiply instead of a 128-bit
 * division. With QEMU's 10 MHz timebase both are exact.
 */
static uint64_t ns_per_tick_q32; /* I */
static uint64_t ticks_per_ns_q32; /* I */

void timer_init(uint64_t hz, bool sstc)
{
	timebase_hz = hz;
	have_sstc = sstc;
	ns_per_tick_q32 = (uint64_t)(((unsigned __int128)1000000000u << 32) / hz);
	ticks_per_ns_q32 = (uint64_t)(((unsigned __int128)hz << 32) / 1000000000u);
	boot_ticks = rdtime();
}

bool timer_has_sstc(void)
{
	return have_sstc;
}

uint64_t timer_timebase_hz(void)
{
	return timebase_hz;
}

/* A leaf on many paths (timed polls, sleeps, spin waits): no frame. */
KERNEL_NO_FRAME uint64_t clock_now_ns(void)
{
	uint64_t ticks = rdtime() - boot_ticks;

	return (uint64_t)(((unsigned __int128)ticks * ns_per_tick_q32) >> 32);
}

KERNEL_NO_FRAME uint64_t clock_ticks(void)
{
	return rdtime();
}

uint64_t clock_ticks_to_ns(uint64_t ticks)
{
	return (uint64_t)(((unsigned __int128)ticks * ns_per_tick_q32) >> 32);
}

static uint64_t ns_to_ticks_abs(uint64_t ns)
{
	unsigned __int128 t = ((unsigned __int128)ns * ticks_per_ns_q32) >> 32;

	/* One tick more, so the interrupt never arrives before the deadline
	 * (clock_now_ns() at that tick is >= ns despite the rounding). */
	t += 1 + boot_ticks;
	return t > UINT64_MAX ? UINT64_MAX : (uint64_t)t;
}

void arch_timer_set(uint64_t deadline_ns)
{
	uint64_t when = deadline_ns == UINT64_MAX ? UINT64_MAX : ns_to_ticks_abs(deadline_ns);

	if (have_sstc)
		csr_write(0x14d, when);
	else
		sbi_set_timer(when);
}

/*
 * Give way for about @ns: for spin loops whose other party may not be
 * running. Under `-icount` QEMU runs the harts in turn, and a spinning hart
 * keeps the lock holder off the CPU until its time slice ends (tens of
 * millions of instructions); a hart in wfi gives way at once. On hardware it
 * is a short sleep. Arms the timer for now + @ns, waits, and puts the hart's
 * own deadline back (a deadline already due then raises its interrupt as
 * usual). Sstc only: an SBI timer cannot be read back, so without Sstc this
 * returns at once and the caller just spins.
 */
void arch_spin_pause(uint64_t ns)
{
	irqflags_t fl;
	uint64_t saved;

	if (!have_sstc)
		return;
	fl = arch_irq_save();
	saved = csr_read(0x14d);
	csr_write(0x14d, rdtime() + (uint64_t)(((unsigned __int128)ns * ticks_per_ns_q32) >> 32) + 1);
	__asm__ volatile("wfi" ::: "memory");
	csr_write(0x14d, saved);
	arch_irq_restore(fl);
}

void timer_init_hart(void)
{
	arch_timer_set(UINT64_MAX);
	csr_set(sie, SIE_STIE);
}
