/* SPDX-License-Identifier: MIT */
/*
 * The vDSO's data page ([vvar]), shared read-only into every process just below the vDSO's
 * code: what user code needs to turn the time CSR into the kernel's clocks. The kernel
 * (kernel/mm/vdso.c) writes it; the vDSO (vdso.c) reads it. A writer bumps seq to odd
 * before changing the fields and to even after; a reader retries while seq is odd or
 * changed under it.
 */
#ifndef ARCH_RISCV_VDSO_VDSO_DATA_H
#define ARCH_RISCV_VDSO_VDSO_DATA_H

#include <stdint.h>

struct vdso_data {
	uint32_t seq;			/* even when consistent */
	uint32_t pad;
	uint64_t boot_ticks;		/* the time CSR at boot: CLOCK_MONOTONIC 0 */
	uint64_t ns_per_tick_q32;	/* ns per tick, 32 fractional bits */
	int64_t realtime_offset_ns;	/* CLOCK_REALTIME - CLOCK_MONOTONIC */
};

#endif
