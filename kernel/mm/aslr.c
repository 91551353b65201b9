// SPDX-License-Identifier: MIT
/* Address-space layout randomisation: the level and random offsets; see aslr.h. */
#include "kernel/mm/aslr.h"

#include <stdatomic.h>

#include "kernel/boot.h"
#include "kernel/mm/layout.h"
#include "kernel/random.h"
#include "lib/errno.h"

static atomic_int level = 2; /* A: relaxed; Linux's default */

void aslr_init(void)
{
	char buf[4];

	if (bootarg("norandmaps", buf, sizeof(buf)))
		atomic_store_explicit(&level, 0, memory_order_relaxed);
}

int aslr_level(void)
{
	return atomic_load_explicit(&level, memory_order_relaxed);
}

int aslr_set_level(int l)
{
	if (l < 0 || l > 2)
		return -EINVAL;
	atomic_store_explicit(&level, l, memory_order_relaxed);
	return 0;
}

uintptr_t aslr_pages(unsigned bits, int min_level)
{
	if (aslr_level() < min_level)
		return 0;
	return (uintptr_t)(random_u64() & ((1ull << bits) - 1)) << PAGE_SHIFT;
}
