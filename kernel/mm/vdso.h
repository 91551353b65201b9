/* SPDX-License-Identifier: MIT */
/* The vDSO's pages and their mapping into programs; see vdso.c. */
#ifndef KERNEL_MM_VDSO_H
#define KERNEL_MM_VDSO_H

#include <stddef.h>
#include <stdint.h>

struct as;

/* Boot, once the clock runs: copy the image, fill the data page. */
void vdso_init(uint64_t boot_ticks, uint64_t ns_per_tick_q32);
/* Bytes the vDSO takes in an address space (the data page included); 0 without one. */
size_t vdso_size(void);
/* Map it where mmap finds room (below the main stack, made first): AT_SYSINFO_EHDR (the
 * image, one page up), 0 without a vDSO, or -errno. */
long vdso_map(struct as *as);
/* /proc/<pid>/maps: "[vvar]" if the area starting at start maps the data page there,
 * "[vdso]" if the image's first page, else NULL. The caller holds as->lock. */
const char *vdso_vma_name_locked(struct as *as, uintptr_t start);
/* CLOCK_REALTIME - CLOCK_MONOTONIC changed (clock_settime, the RTC at boot): the vDSO's
 * copy follows (kernel/time/clock.c). */
void vdso_set_realtime_offset(int64_t ns);

#endif
