// SPDX-License-Identifier: MIT
/*
 * The dispatch table, built at boot from the SYSCALL() descriptors in the
 * .syscalls section.
 */
#include "kernel/syscall/syscall.h"

#include <stddef.h>

#include "kernel/panic.h"
#include "lib/errno.h"

extern const struct syscall_desc __syscalls_start[], __syscalls_end[];

static const struct syscall_desc *table[SYSCALL_MAX]; /* I */

void syscall_init(void)
{
	for (const struct syscall_desc *d = __syscalls_start; d < __syscalls_end; d++) {
		if (d->nr >= SYSCALL_MAX)
			panic("syscall %s: number %u out of range", d->name, d->nr);
		if (table[d->nr])
			panic("syscall %u defined twice: %s and %s", d->nr, table[d->nr]->name,
			      d->name);
		table[d->nr] = d;
	}
}

bool syscall_try_fast(unsigned long nr, struct sys_ctx *sc, long *ret)
{
	const struct syscall_desc *d = nr < SYSCALL_MAX ? table[nr] : NULL;

	if (!d || d->kind != SYSCALL_KIND_FAST)
		return false;
	*ret = d->fn(sc);
	BUG_ON(sc->pending);
	return true;
}

const struct syscall_desc *syscall_lookup(unsigned long nr)
{
	return nr < SYSCALL_MAX ? table[nr] : NULL;
}

const char *syscall_name(unsigned long nr)
{
	return nr < SYSCALL_MAX && table[nr] ? table[nr]->name : "?";
}
