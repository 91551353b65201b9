// SPDX-License-Identifier: MIT
/*
 * The boot summary: fdt_parse_info() distils what the kernel needs from the
 * device tree (memory, reserved ranges, harts, devices, the ACLINT SSWI,
 * /chosen) into struct fdt_info, with the reader of fdt.c.
 */
#include "lib/fdt.h"
#include "lib/errno.h"
#include "lib/string.h"

/* The first enabled node compatible with any of @compats (NULL-terminated). */
static int find_device(const void *blob, const char *const *compats)
{
	for (; *compats; compats++) {
		int off = -1;

		while ((off = fdt_find_compatible(blob, off, *compats)) >= 0) {
			if (fdt_node_is_okay(blob, off))
				return off;
		}
	}
	return -ENOENT;
}

static void info_memory(const void *blob, struct fdt_info *out)
{
	uint64_t a, s;

	for (int n = fdt_first_child(blob, FDT_ROOT); n >= 0; n = fdt_next_sibling(blob, n)) {
		if (!fdt_prop_has_string(blob, n, "device_type", "memory") || !fdt_node_is_okay(blob, n))
			continue;
		for (int i = 0; out->mem_count < FDT_MAX_MEM && !fdt_get_reg(blob, n, i, &a, &s); i++) {
			out->mem_base[out->mem_count] = a;
			out->mem_size[out->mem_count++] = s;
		}
	}
}

static void add_resv(struct fdt_info *out, uint64_t a, uint64_t s)
{
	if (out->resv_count < FDT_MAX_RESV) {
		out->resv_base[out->resv_count] = a;
		out->resv_size[out->resv_count++] = s;
	}
}

static void info_reserved(const void *blob, struct fdt_info *out)
{
	uint64_t a, s;
	int rm = fdt_path_offset(blob, "/reserved-memory");

	for (int i = 0; i < FDT_MAX_RESV && !fdt_get_mem_rsv(blob, i, &a, &s); i++)
		add_resv(out, a, s);
	for (int n = rm >= 0 ? fdt_first_child(blob, rm) : rm; n >= 0; n = fdt_next_sibling(blob, n)) {
		for (int i = 0; !fdt_get_reg(blob, n, i, &a, &s); i++)
			add_resv(out, a, s);
	}
}

static void info_cpus(const void *blob, struct fdt_info *out)
{
	int cpus = fdt_path_offset(blob, "/cpus");
	uint64_t id, unused;

	if (cpus < 0)
		return;
	(void)fdt_get_u64(blob, cpus, "timebase-frequency", &out->timebase_hz);
	for (int n = fdt_first_child(blob, cpus); n >= 0; n = fdt_next_sibling(blob, n)) {
		if (!fdt_prop_has_string(blob, n, "device_type", "cpu") || !fdt_node_is_okay(blob, n))
			continue;
		if (fdt_get_reg(blob, n, 0, &id, &unused))
			continue;
		if (!out->isa)
			out->isa = fdt_getprop_string(blob, n, "riscv,isa");
		if (!out->timebase_hz)
			(void)fdt_get_u64(blob, n, "timebase-frequency", &out->timebase_hz);
		if (out->hart_count < FDT_MAX_HARTS)
			out->hart_ids[out->hart_count] = (uint32_t)id;
		out->hart_count++;
	}
}

static void info_devices(const void *blob, struct fdt_info *out)
{
	static const char *const uart[] = { "ns16550a", "ns16550", NULL };
	static const char *const plic[] = { "riscv,plic0", "sifive,plic-1.0.0", NULL };
	static const char *const test[] = { "sifive,test0", "syscon", NULL };
	uint64_t a, s;
	int n;

	n = find_device(blob, uart);
	if (n >= 0 && !fdt_get_reg(blob, n, 0, &a, &s)) {
		out->uart_base = a;
		(void)fdt_get_u32(blob, n, "interrupts", &out->uart_irq);
	}
	n = find_device(blob, plic);
	if (n >= 0 && !fdt_get_reg(blob, n, 0, &a, &s)) {
		out->plic_base = a;
		out->plic_size = s;
		(void)fdt_get_u32(blob, n, "riscv,ndev", &out->plic_ndev);
	}
	n = find_device(blob, test);
	if (n >= 0 && !fdt_get_reg(blob, n, 0, &a, &s))
		out->test_base = a;

	for (n = -1; (n = fdt_find_compatible(blob, n, "virtio,mmio")) >= 0;) {
		uint32_t irq = 0;
		int i;

		if (!fdt_node_is_okay(blob, n) || fdt_get_reg(blob, n, 0, &a, &s))
			continue;
		(void)fdt_get_u32(blob, n, "interrupts", &irq);
		/* Insertion sort by address; past the limit the highest drop out. */
		i = out->virtio_count < FDT_MAX_VIRTIO ? out->virtio_count++ : FDT_MAX_VIRTIO;
		for (; i > 0 && out->virtio_base[i - 1] > a; i--) {
			if (i < FDT_MAX_VIRTIO) {
				out->virtio_base[i] = out->virtio_base[i - 1];
				out->virtio_irq[i] = out->virtio_irq[i - 1];
			}
		}
		if (i < FDT_MAX_VIRTIO) {
			out->virtio_base[i] = a;
			out->virtio_irq[i] = irq;
		}
	}
}

/*
 * The ACLINT SSWI: register i belongs to the hart whose interrupt controller
 * is the i-th (phandle, cells...) entry of interrupts-extended. Stops at the
 * first entry it cannot resolve, so the registers kept are exactly 0..count-1.
 */
static void info_sswi(const void *blob, struct fdt_info *out)
{
	static const char *const sswi[] = { "riscv,aclint-sswi", NULL };
	const uint8_t *p;
	uint64_t a, s;
	int n = find_device(blob, sswi), len, off = 0;

	if (n < 0 || fdt_get_reg(blob, n, 0, &a, &s))
		return;
	p = fdt_getprop(blob, n, "interrupts-extended", &len);
	if (!p)
		return;
	while (off + 4 <= len && out->sswi_count < FDT_MAX_HARTS) {
		int intc = fdt_node_by_phandle(blob, fdt_read_u32(p + off)), cpu;
		uint32_t cells;
		uint64_t id, unused;

		if (intc < 0 || fdt_get_u32(blob, intc, "#interrupt-cells", &cells) || cells > 4)
			break;
		cpu = fdt_parent(blob, intc);
		if (cpu < 0 || fdt_get_reg(blob, cpu, 0, &id, &unused))
			break;
		out->sswi_hart_ids[out->sswi_count++] = (uint32_t)id;
		off += 4 + 4 * (int)cells;
	}
	if (out->sswi_count)
		out->sswi_base = a;
}

static void info_chosen(const void *blob, struct fdt_info *out)
{
	int chosen = fdt_path_offset(blob, "/chosen");
	uint64_t start, end;

	if (chosen < 0)
		return;
	out->bootargs = fdt_getprop_string(blob, chosen, "bootargs");
	if (!fdt_get_u64(blob, chosen, "linux,initrd-start", &start) &&
	    !fdt_get_u64(blob, chosen, "linux,initrd-end", &end) && end >= start) {
		out->initrd_start = start;
		out->initrd_end = end;
	}
}

int fdt_parse_info(const void *blob, struct fdt_info *out)
{
	int err;

	memset(out, 0, sizeof(*out));
	if (!blob)
		return -EINVAL;
	/* Re-walk the structure, trusting only the caller-checked totalsize. */
	err = fdt_check(blob, fdt_total_size(blob));
	if (err)
		return err;
	info_memory(blob, out);
	info_reserved(blob, out);
	info_cpus(blob, out);
	info_devices(blob, out);
	info_sswi(blob, out);
	info_chosen(blob, out);
	return 0;
}
