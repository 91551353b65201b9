/* SPDX-License-Identifier: MIT */
/* Inter-processor interrupts: ACLINT SSWI when present, else SBI. */
#ifndef ARCH_RISCV_IPI_H
#define ARCH_RISCV_IPI_H

#include <stdbool.h>

#include "lib/fdt.h"

/* Map each of the first @nharts dense hart indexes to its SSWI register. */
void ipi_init(const struct fdt_info *fi, unsigned nharts);
/* Whether IPIs to @hart go through the SSWI (for the boot report). */
bool ipi_uses_sswi(unsigned hart);

#endif
