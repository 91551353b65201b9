// SPDX-License-Identifier: MIT
/*
 * In-kernel tests of SMP boot (suite `boot`). The race itself (the firmware
 * sending a second hart to _start, entry.S) cannot be provoked from here; these
 * check the hand-off it relies on: one hart won the _start lottery, and every
 * secondary's index was published in boot_adopt[] where a hart that lost the
 * lottery would look for it.
 */
#include "arch/riscv/hart.h"
#include "kernel/ktest.h"

extern uint32_t boot_entries;
extern uint32_t boot_adopt[MAX_HARTS];

KTEST(boot, one_hart_won_the_start_lottery)
{
	uint32_t n = __atomic_load_n(&boot_entries, __ATOMIC_RELAXED);

	/* More than one is a firmware race the kernel survived (boot prints it). */
	EXPECT(n >= 1 && n <= MAX_HARTS);
	EXPECT(hart_raw_id(0) >= MAX_HARTS || boot_adopt[hart_raw_id(0)] == 0);
}

KTEST(boot, every_secondary_index_is_published_by_hartid)
{
	for (unsigned i = 1; i < hart_count(); i++) {
		unsigned long id = hart_raw_id(i);

		if (id < MAX_HARTS)
			EXPECT(__atomic_load_n(&boot_adopt[id], __ATOMIC_ACQUIRE) == i + 1);
	}
}
