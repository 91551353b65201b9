// SPDX-License-Identifier: MIT
/*
 * Symbol lookup over the table tools/gen-ksyms.sh emits into the .ksyms
 * section: ksyms_count entries sorted by address, names as offsets into one
 * string blob. The first link has an empty table (tools/gen-ksyms.sh -); only text symbols are
 * listed, and .ksyms sits after .text and .rodata, so they do not move when
 * the second link fills it in.
 */
#include "kernel/ksyms.h"

#include "lib/printf.h"

struct ksym {
	uint64_t addr;
	uint32_t name;
	uint32_t size;
};

extern const struct ksym ksyms_table[];
extern const unsigned long ksyms_count;
extern const char ksyms_names[];

const char *ksyms_lookup(uintptr_t addr, uintptr_t *offset)
{
	unsigned long lo = 0, hi;

	extern const char _text_start[], _text_end[];

	if (ksyms_count == 0 || addr < (uintptr_t)_text_start || addr >= (uintptr_t)_text_end)
		return NULL;
	hi = ksyms_count;
	while (hi - lo > 1) {
		unsigned long mid = lo + (hi - lo) / 2;

		if (ksyms_table[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	const struct ksym *s = &ksyms_table[lo];
	if (addr < s->addr || (s->size && addr >= s->addr + s->size))
		return NULL;
	*offset = addr - s->addr;
	return ksyms_names + s->name;
}

void ksyms_describe(uintptr_t addr, char *buf, size_t size)
{
	uintptr_t off;
	const char *name = ksyms_lookup(addr, &off);

	if (name)
		fmt_snprintf(buf, size, "<%s+%#lx>", name, (unsigned long)off);
	else
		fmt_snprintf(buf, size, "<?>");
}
