// SPDX-License-Identifier: MIT
/*
 * The vDSO: user code the kernel maps into every process (kernel/mm/vdso.c) so that glibc
 * reads the clocks without a trap. It reads the time CSR (allowed to user mode by
 * scounteren.TM) and scales it with the kernel's factors from the data page just below it
 * (vdso_data.h). Clocks it does not know, and bad pointers, fall back to the syscall.
 * Built as a shared object on its own (no libc), position independent; exported as Linux
 * riscv64 exports them (version LINUX_4.15).
 */
#include <stdint.h>

#include "arch/riscv/vdso/vdso_data.h"

#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_MONOTONIC_RAW 4
#define CLOCK_BOOTTIME 7
#define CLOCK_TAI 11
#define NSEC_PER_SEC 1000000000ull

#define NR_gettimeofday 169
#define NR_clock_gettime 113
#define NR_clock_getres 114

struct kernel_timespec {
	int64_t tv_sec;
	int64_t tv_nsec;
};

struct kernel_timeval {
	int64_t tv_sec;
	int64_t tv_usec;
};

/* The data page, one page below the image (vdso.lds). */
extern const volatile struct vdso_data vdso_data __attribute__((visibility("hidden")));

static long syscall2(long nr, long a0, long a1)
{
	register long r_a0 __asm__("a0") = a0;
	register long r_a1 __asm__("a1") = a1;
	register long r_a7 __asm__("a7") = nr;

	__asm__ volatile("ecall" : "+r"(r_a0) : "r"(r_a1), "r"(r_a7) : "memory");
	return r_a0;
}

static inline uint64_t rdtime(void)
{
	uint64_t t;

	__asm__ volatile("rdtime %0" : "=r"(t));
	return t;
}

/* CLOCK_MONOTONIC and the realtime offset, consistent with each other. */
static uint64_t monotonic_ns(int64_t *offset)
{
	uint32_t seq;
	uint64_t ns;

	do {
		while ((seq = vdso_data.seq) & 1)
			;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		ns = (uint64_t)(((unsigned __int128)(rdtime() - vdso_data.boot_ticks) *
				 vdso_data.ns_per_tick_q32) >> 32);
		*offset = vdso_data.realtime_offset_ns;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while (seq != vdso_data.seq);
	return ns;
}

/* The clock's value in ns, or false for a clock only the kernel knows (the
 * coarse ones, which tick, and the CPU-time clocks). */
static int read_clock(long clk, uint64_t *ns)
{
	int64_t off;
	uint64_t mono;

	switch (clk) {
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_BOOTTIME:
		*ns = monotonic_ns(&off);
		return 1;
	case CLOCK_REALTIME:
	case CLOCK_TAI:
		mono = monotonic_ns(&off);
		*ns = mono + (uint64_t)off;
		return 1;
	default:
		return 0;
	}
}

int __vdso_clock_gettime(long clk, struct kernel_timespec *ts)
{
	uint64_t ns;

	/* An unknown clock, or no buffer: the kernel answers (and faults). */
	if (!ts || !read_clock(clk, &ns))
		return (int)syscall2(NR_clock_gettime, clk, (long)ts);
	ts->tv_sec = (int64_t)(ns / NSEC_PER_SEC);
	ts->tv_nsec = (int64_t)(ns % NSEC_PER_SEC);
	return 0;
}

int __vdso_gettimeofday(struct kernel_timeval *tv, void *tz)
{
	uint64_t ns;

	if (tz || !tv || !read_clock(CLOCK_REALTIME, &ns))
		return (int)syscall2(NR_gettimeofday, (long)tv, (long)tz);
	tv->tv_sec = (int64_t)(ns / NSEC_PER_SEC);
	tv->tv_usec = (int64_t)(ns % NSEC_PER_SEC / 1000);
	return 0;
}

int __vdso_clock_getres(long clk, struct kernel_timespec *res)
{
	uint64_t ns;

	if (!read_clock(clk, &ns))
		return (int)syscall2(NR_clock_getres, clk, (long)res);
	if (res) {
		/* 1 ns for every clock here, as the syscall says (sys_time.c). */
		res->tv_sec = 0;
		res->tv_nsec = 1;
	}
	return 0;
}
