/* SPDX-License-Identifier: MIT */
/* SBI calls (spec 1.0): legacy console, TIME, IPI, HSM, SRST. */
#ifndef ARCH_RISCV_SBI_H
#define ARCH_RISCV_SBI_H

#include <stdint.h>

struct sbiret {
	long error;
	long value;
};

void sbi_console_putchar(int c);
long sbi_probe_extension(long eid);
void sbi_set_timer(uint64_t stime_value);
long sbi_send_ipi(unsigned long hart_mask, unsigned long hart_mask_base);
/* SBI_ERR_ALREADY_AVAILABLE: the hart is already started (or starting). */
#define SBI_ERR_ALREADY_AVAILABLE (-6)
long sbi_hart_start(unsigned long hartid, unsigned long start_pa, unsigned long opaque);
long sbi_hart_get_status(unsigned long hartid);

#define SBI_SRST_SHUTDOWN 0
#define SBI_SRST_COLD_REBOOT 1
#define SBI_SRST_REASON_NONE 0
#define SBI_SRST_REASON_FAILURE 1
void sbi_system_reset(uint32_t type, uint32_t reason);

#endif
