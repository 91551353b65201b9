// SPDX-License-Identifier: MIT
/*
 * Host tests for lib/fdt.c and lib/fdt_info.c: real device trees dumped by QEMU's virt machine,
 * hand-built trees for the corner cases, and a mutation/truncation sweep that
 * ASan watches for any out-of-bounds read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include "lib/errno.h"
#include "lib/fdt.h"

#ifndef FDT_TEST_DIR
#define FDT_TEST_DIR "build/test"
#endif

/* The blob in a heap buffer of exactly its totalsize, so ASan sees overruns. */
static uint8_t *load_dtb(const char *name, size_t *size)
{
	char path[512];
	uint8_t hdr[8], *buf;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", FDT_TEST_DIR, name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s (make generates it with QEMU)", path);
	assert_int_equal(fread(hdr, 1, 8, f), 8);
	*size = fdt_read_u32(hdr + 4);
	assert_true(*size >= 40 && *size < (1u << 20) + 1);
	buf = malloc(*size);
	assert_non_null(buf);
	rewind(f);
	assert_int_equal(fread(buf, 1, *size, f), *size);
	fclose(f);
	return buf;
}

static void test_fdt_virt4_summary_matches_qemu(void **state)
{
	size_t size;
	uint8_t *b = load_dtb("virt-4.dtb", &size);
	struct fdt_info in;
	(void)state;

	assert_int_equal(fdt_check(b, size), 0);
	assert_int_equal(fdt_total_size(b), size);
	assert_int_equal(fdt_parse_info(b, &in), 0);
	assert_int_equal(in.mem_count, 1);
	assert_int_equal(in.mem_base[0], 0x80000000);
	assert_int_equal(in.mem_size[0], 128 << 20);
	assert_int_equal(in.hart_count, 4);
	for (int i = 0; i < 4; i++)
		assert_int_equal(in.hart_ids[i], i);
	assert_int_equal(in.timebase_hz, 10000000);
	assert_non_null(in.isa);
	assert_memory_equal(in.isa, "rv64i", 5);
	assert_int_equal(in.uart_base, 0x10000000);
	assert_int_equal(in.uart_irq, 10);
	assert_int_equal(in.plic_base, 0x0c000000);
	assert_int_equal(in.plic_size, 0x600000);
	assert_int_equal(in.plic_ndev, 0x60);
	assert_int_equal(in.test_base, 0x100000);
	assert_int_equal(in.virtio_count, 8);
	for (int i = 0; i < 8; i++) {
		assert_int_equal(in.virtio_base[i], 0x10001000 + 0x1000 * i);
		assert_int_equal(in.virtio_irq[i], 1 + i);
	}
	assert_null(in.bootargs);
	assert_int_equal(in.initrd_start, 0);
	assert_int_equal(in.initrd_end, 0);
	assert_int_equal(in.resv_count, 0);
	assert_int_equal(in.sswi_base, 0);	/* no ACLINT without aclint=on */
	assert_int_equal(in.sswi_count, 0);
	free(b);
}

/* aclint=on adds an SSWI whose interrupts-extended names each hart's intc. */
static void test_fdt_virt_aclint_sswi(void **state)
{
	size_t size;
	uint8_t *b = load_dtb("virt-aclint-3.dtb", &size);
	struct fdt_info in;
	int cpu0;
	uint32_t ph;
	(void)state;

	assert_int_equal(fdt_parse_info(b, &in), 0);
	assert_int_equal(in.hart_count, 3);
	assert_int_equal(in.sswi_base, 0x2f00000);
	assert_int_equal(in.sswi_count, 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(in.sswi_hart_ids[i], i);
	assert_int_equal(in.plic_base, 0x0c000000);	/* the PLIC stays */
	cpu0 = fdt_path_offset(b, "/cpus/cpu@0/interrupt-controller");
	assert_true(cpu0 >= 0);
	assert_int_equal(fdt_get_u32(b, cpu0, "phandle", &ph), 0);
	assert_int_equal(fdt_node_by_phandle(b, ph), cpu0);
	assert_int_equal(fdt_node_by_phandle(b, 0xdeadbeef), -ENOENT);
	free(b);
}

static void test_fdt_virt1_bootargs_and_initrd(void **state)
{
	size_t size;
	uint8_t *b = load_dtb("virt-1-initrd.dtb", &size);
	struct fdt_info in;
	(void)state;

	assert_int_equal(fdt_check(b, size), 0);
	assert_int_equal(fdt_parse_info(b, &in), 0);
	assert_int_equal(in.hart_count, 1);
	assert_int_equal(in.hart_ids[0], 0);
	assert_string_equal(in.bootargs, "ktest init=/bin/sh");
	/* QEMU loads the 4096-byte initrd somewhere in RAM. */
	assert_true(in.initrd_start >= 0x80000000 && in.initrd_start < 0x88000000);
	assert_int_equal(in.initrd_end - in.initrd_start, 4096);
	free(b);
}

static void test_fdt_virt_blk_two_harts_256m(void **state)
{
	size_t size;
	uint8_t *b = load_dtb("virt-blk.dtb", &size);
	struct fdt_info in;
	(void)state;

	assert_int_equal(fdt_check(b, size), 0);
	assert_int_equal(fdt_parse_info(b, &in), 0);
	assert_int_equal(in.hart_count, 2);
	assert_int_equal(in.mem_size[0], 256 << 20);
	assert_int_equal(in.virtio_count, 8);
	assert_int_equal(in.uart_base, 0x10000000);
	free(b);
}

static void test_fdt_node_and_property_walks(void **state)
{
	size_t size;
	uint8_t *b = load_dtb("virt-4.dtb", &size);
	int cpus, cpu0, serial, n, count, len;
	uint64_t a, s;
	uint32_t v;
	const char *name;
	(void)state;

	assert_int_equal(fdt_path_offset(b, "/"), 0);
	assert_string_equal(fdt_node_name(b, 0), "");
	cpus = fdt_path_offset(b, "/cpus");
	assert_true(cpus > 0);
	assert_string_equal(fdt_node_name(b, cpus), "cpus");
	assert_int_equal(fdt_parent(b, cpus), 0);
	assert_int_equal(fdt_parent(b, 0), -ENOENT);
	cpu0 = fdt_path_offset(b, "/cpus/cpu@0");
	assert_true(cpu0 > cpus);
	assert_int_equal(fdt_first_child(b, cpus), cpu0);
	assert_int_equal(fdt_parent(b, cpu0), cpus);
	assert_int_equal(fdt_path_offset(b, "//cpus/"), cpus);
	assert_int_equal(fdt_path_offset(b, "/cpus/cpu@9"), -ENOENT);
	assert_int_equal(fdt_path_offset(b, "/nothing"), -ENOENT);
	assert_int_equal(fdt_path_offset(b, "cpus"), -EINVAL);
	/* "serial" matches "serial@10000000"; "cpu" matches the first cpu@N. */
	serial = fdt_path_offset(b, "/soc/serial");
	assert_true(serial > 0);
	assert_string_equal(fdt_node_name(b, serial), "serial@10000000");
	assert_int_equal(fdt_path_offset(b, "/soc/serial@10000000"), serial);
	assert_int_equal(fdt_subnode(b, cpus, "cpu"), cpu0);
	assert_int_equal(fdt_path_offset(b, "/soc/serial@1"), -ENOENT);

	/* children of /cpus: cpu@0..3 and cpu-map; the intc is a grandchild */
	count = 0;
	for (n = fdt_first_child(b, cpus); n >= 0; n = fdt_next_sibling(b, n))
		count++;
	assert_int_equal(n, -ENOENT);
	assert_int_equal(count, 5);
	assert_int_equal(fdt_first_child(b, fdt_path_offset(b, "/cpus/cpu-map/cluster0/core0")),
			 -ENOENT);

	assert_int_equal(fdt_get_reg(b, serial, 0, &a, &s), 0);
	assert_int_equal(a, 0x10000000);
	assert_int_equal(s, 0x100);
	assert_int_equal(fdt_get_reg(b, serial, 1, &a, &s), -ENOENT);
	assert_int_equal(fdt_get_reg(b, cpu0, 0, &a, &s), 0);	/* 1 addr cell, 0 size */
	assert_int_equal(a, 0);
	assert_int_equal(s, 0);
	n = fdt_path_offset(b, "/flash");
	assert_int_equal(fdt_get_reg(b, n, 1, &a, &s), 0);
	assert_int_equal(a, 0x22000000);
	assert_int_equal(s, 0x2000000);
	assert_int_equal(fdt_address_cells(b, cpus), 1);
	assert_int_equal(fdt_size_cells(b, cpus), 0);
	assert_int_equal(fdt_address_cells(b, serial), 2);	/* default */
	assert_int_equal(fdt_size_cells(b, serial), 1);	/* default */

	assert_true(fdt_prop_has_string(b, fdt_path_offset(b, "/soc/test"), "compatible", "sifive,test0"));
	assert_true(fdt_prop_has_string(b, fdt_path_offset(b, "/soc/test"), "compatible", "syscon"));
	assert_false(fdt_prop_has_string(b, fdt_path_offset(b, "/soc/test"), "compatible", "sifive"));
	assert_false(fdt_prop_has_string(b, serial, "nonexistent", "x"));
	assert_int_equal(fdt_get_u32(b, serial, "interrupts", &v), 0);
	assert_int_equal(v, 10);
	assert_int_equal(fdt_get_u32(b, serial, "missing", &v), -ENOENT);
	assert_null(fdt_getprop(b, serial, "missing", &len));
	assert_int_equal(len, -ENOENT);
	assert_non_null(fdt_getprop(b, serial, "reg", &len));
	assert_int_equal(len, 16);
	assert_string_equal(fdt_getprop_string(b, serial, "compatible"), "ns16550a");
	assert_true(fdt_node_is_okay(b, serial));
	assert_true(fdt_node_is_okay(b, cpu0));

	/* root properties in order */
	n = fdt_first_prop(b, 0);
	assert_true(n >= 0);
	fdt_prop_by_offset(b, n, &name, &len);
	assert_string_equal(name, "#address-cells");
	count = 0;
	for (; n >= 0; n = fdt_next_prop(b, n))
		count++;
	assert_int_equal(count, 4);

	/* eight virtio transports, found one after another */
	count = 0;
	for (n = -1; (n = fdt_find_compatible(b, n, "virtio,mmio")) >= 0;)
		count++;
	assert_int_equal(count, 8);
	assert_int_equal(fdt_find_compatible(b, -1, "no,such"), -ENOENT);

	/* offsets that are not nodes */
	assert_null(fdt_node_name(b, 3));
	assert_null(fdt_node_name(b, -4));
	assert_null(fdt_node_name(b, (int)size * 4));
	assert_int_equal(fdt_first_child(b, n = fdt_first_prop(b, cpus)), -EINVAL);
	assert_int_equal(fdt_parent(b, 2), -EINVAL);
	free(b);
}

/* ---- a tiny DTB writer for hand-made trees ---- */

struct builder {
	uint8_t st[8192];
	size_t stlen;
	char strs[1024];
	size_t strslen;
	uint64_t rsv[8][2];
	int nrsv;
};

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void b_u32(struct builder *b, uint32_t v)
{
	assert_true(b->stlen + 4 <= sizeof(b->st));
	put32(b->st + b->stlen, v);
	b->stlen += 4;
}

static void b_bytes(struct builder *b, const void *p, size_t n)
{
	assert_true(b->stlen + n + 4 <= sizeof(b->st));
	memcpy(b->st + b->stlen, p, n);
	b->stlen += n;
	while (b->stlen & 3)
		b->st[b->stlen++] = 0;
}

static void b_begin(struct builder *b, const char *name)
{
	b_u32(b, 1);
	b_bytes(b, name, strlen(name) + 1);
}

static void b_end(struct builder *b)
{
	b_u32(b, 2);
}

static void b_prop(struct builder *b, const char *name, const void *val, size_t len)
{
	size_t off = b->strslen;

	assert_true(off + strlen(name) + 1 <= sizeof(b->strs));
	strcpy(b->strs + off, name);
	b->strslen += strlen(name) + 1;
	b_u32(b, 3);
	b_u32(b, (uint32_t)len);
	b_u32(b, (uint32_t)off);
	b_bytes(b, val, len);
}

static void b_str(struct builder *b, const char *name, const char *s)
{
	b_prop(b, name, s, strlen(s) + 1);
}

/* A property of @n 32-bit cells. */
static void b_cells(struct builder *b, const char *name, int n, ...)
{
	uint8_t v[64];
	va_list ap;

	va_start(ap, n);
	for (int i = 0; i < n; i++)
		put32(v + 4 * i, va_arg(ap, uint32_t));
	va_end(ap);
	b_prop(b, name, v, 4 * (size_t)n);
}

static uint8_t *b_finish(struct builder *b, size_t *size)
{
	size_t rsv_off = 40, st_off, str_off, total;
	uint8_t *blob;

	b_u32(b, 9);
	st_off = rsv_off + 16 * ((size_t)b->nrsv + 1);
	str_off = st_off + b->stlen;
	total = str_off + b->strslen;
	blob = calloc(1, total);
	assert_non_null(blob);
	put32(blob, FDT_MAGIC);
	put32(blob + 4, (uint32_t)total);
	put32(blob + 8, (uint32_t)st_off);
	put32(blob + 12, (uint32_t)str_off);
	put32(blob + 16, (uint32_t)rsv_off);
	put32(blob + 20, 17);
	put32(blob + 24, 16);
	put32(blob + 28, 0);
	put32(blob + 32, (uint32_t)b->strslen);
	put32(blob + 36, (uint32_t)b->stlen);
	for (int i = 0; i < b->nrsv; i++) {
		put32(blob + rsv_off + 16 * i, (uint32_t)(b->rsv[i][0] >> 32));
		put32(blob + rsv_off + 16 * i + 4, (uint32_t)b->rsv[i][0]);
		put32(blob + rsv_off + 16 * i + 8, (uint32_t)(b->rsv[i][1] >> 32));
		put32(blob + rsv_off + 16 * i + 12, (uint32_t)b->rsv[i][1]);
	}
	memcpy(blob + st_off, b->st, b->stlen);
	memcpy(blob + str_off, b->strs, b->strslen);
	*size = total;
	return blob;
}

static void test_fdt_handmade_reserved_cpus_initrd32(void **state)
{
	struct builder *b = calloc(1, sizeof(*b));
	struct fdt_info in;
	uint8_t *blob;
	size_t size;
	char name[16];
	(void)state;

	b->rsv[0][0] = 0x80000000;
	b->rsv[0][1] = 0x40000;
	b->nrsv = 1;
	b_begin(b, "");
	b_cells(b, "#address-cells", 1, 1);
	b_cells(b, "#size-cells", 1, 1);
	b_begin(b, "chosen");
	b_str(b, "bootargs", "console=ttyS0");
	b_cells(b, "linux,initrd-start", 1, 0x88000000);	/* 32-bit form */
	b_cells(b, "linux,initrd-end", 1, 0x88100000);
	b_end(b);
	b_begin(b, "memory@80000000");
	b_str(b, "device_type", "memory");
	b_cells(b, "reg", 4, 0x80000000, 0x10000000, 0xa0000000, 0x1000);	/* 2 banks */
	b_end(b);
	b_begin(b, "reserved-memory");
	b_cells(b, "#address-cells", 1, 2);
	b_cells(b, "#size-cells", 1, 2);
	b_begin(b, "mmode_resv0@80000000");
	b_cells(b, "reg", 4, 0, 0x80000000, 0, 0x20000);
	b_end(b);
	b_begin(b, "mmode_resv1@80040000");
	b_cells(b, "reg", 4, 0, 0x80040000, 0, 0x10000);
	b_end(b);
	b_end(b);
	b_begin(b, "cpus");
	b_cells(b, "#address-cells", 1, 1);
	b_cells(b, "#size-cells", 1, 0);
	b_cells(b, "timebase-frequency", 2, 0, 1000000);	/* 64-bit form */
	/* ten harts: id 1 disabled, id 2 has no status, ids 0..10 otherwise okay */
	for (int i = 0; i < 11; i++) {
		snprintf(name, sizeof(name), "cpu@%d", i);
		b_begin(b, name);
		b_str(b, "device_type", "cpu");
		b_cells(b, "reg", 1, i);
		if (i == 1)
			b_str(b, "status", "disabled");
		else if (i != 2)
			b_str(b, "status", "okay");
		b_str(b, "riscv,isa", i == 0 ? "rv64imafdc_zicsr" : "rv64gc");
		b_end(b);
	}
	b_begin(b, "cpu-map");
	b_end(b);
	b_end(b);
	b_begin(b, "uart@1000");
	b_str(b, "compatible", "ns16550a");
	b_str(b, "status", "disabled");
	b_cells(b, "reg", 2, 0x1000, 0x100);
	b_end(b);
	b_begin(b, "uart@2000");
	b_prop(b, "compatible", "vendor,uart\0ns16550a", 21);
	b_cells(b, "reg", 2, 0x2000, 0x100);
	b_cells(b, "interrupts", 1, 33);
	b_end(b);
	b_end(b);
	blob = b_finish(b, &size);

	assert_int_equal(fdt_check(blob, size), 0);
	assert_int_equal(fdt_parse_info(blob, &in), 0);
	assert_int_equal(in.mem_count, 2);
	assert_int_equal(in.mem_base[1], 0xa0000000);
	assert_int_equal(in.mem_size[1], 0x1000);
	assert_int_equal(in.resv_count, 3);
	assert_int_equal(in.resv_base[0], 0x80000000);
	assert_int_equal(in.resv_size[0], 0x40000);
	assert_int_equal(in.resv_base[2], 0x80040000);
	assert_int_equal(in.resv_size[2], 0x10000);
	assert_int_equal(in.hart_count, 10);
	assert_int_equal(in.hart_ids[0], 0);
	assert_int_equal(in.hart_ids[1], 2);
	assert_int_equal(in.hart_ids[7], 8);
	assert_string_equal(in.isa, "rv64imafdc_zicsr");
	assert_int_equal(in.timebase_hz, 1000000);
	assert_string_equal(in.bootargs, "console=ttyS0");
	assert_int_equal(in.initrd_start, 0x88000000);
	assert_int_equal(in.initrd_end, 0x88100000);
	assert_int_equal(in.uart_base, 0x2000);	/* the disabled one is skipped */
	assert_int_equal(in.uart_irq, 33);
	assert_int_equal(in.plic_base, 0);
	assert_int_equal(in.virtio_count, 0);
	uint64_t a, s;
	assert_int_equal(fdt_get_mem_rsv(blob, 0, &a, &s), 0);
	assert_int_equal(fdt_get_mem_rsv(blob, 1, &a, &s), -ENOENT);
	free(blob);
	free(b);
}

static void test_fdt_check_rejects_bad_headers(void **state)
{
	size_t size;
	uint8_t *b = load_dtb("virt-4.dtb", &size);
	uint8_t *c = malloc(size);
	(void)state;

	assert_int_equal(fdt_check(NULL, size), -EINVAL);
	assert_int_equal(fdt_check(b, 39), -EINVAL);
	assert_int_equal(fdt_check(b, size - 1), -ERANGE);
#define MUTATE(field, val, err)                              \
	do {                                                 \
		memcpy(c, b, size);                          \
		put32(c + 4 * (field), (val));               \
		assert_int_equal(fdt_check(c, size), (err)); \
	} while (0)
	MUTATE(0, 0xd00dfeee, -EINVAL);
	MUTATE(5, 16, -EOPNOTSUPP);
	MUTATE(6, 18, -EOPNOTSUPP);
	MUTATE(1, 0xffffffff, -ERANGE);
	MUTATE(2, (uint32_t)size, -ERANGE);	/* struct block past the end */
	MUTATE(2, 0x3a, -ERANGE);		/* misaligned struct block */
	MUTATE(9, (uint32_t)size, -ERANGE);
	MUTATE(3, 0xfffffff0, -ERANGE);
	MUTATE(8, 0x7ffffff0, -ERANGE);
	MUTATE(4, 0x2c, -ERANGE);		/* misaligned reservation map */
	MUTATE(9, 4, -EBADMSG);			/* structure block cut short */
	MUTATE(8, 0, -EBADMSG);			/* every name offset now out of range */
	free(c);
	free(b);
}

/* Exercise every read path on a blob that fdt_check() accepted. */
static void walk_everything(const uint8_t *b)
{
	struct fdt_info in;
	int n, p, steps = 0, depth = 0;
	uint64_t a, s;
	uint32_t v;

	assert_int_equal(fdt_parse_info(b, &in), 0);
	assert_true(in.hart_count >= 0 && in.mem_count <= FDT_MAX_MEM);
	if (in.bootargs)
		(void)strlen(in.bootargs);
	if (in.isa)
		(void)strlen(in.isa);
	for (n = 0; n >= 0 && steps < 10000; n = fdt_next_node(b, n, &depth), steps++) {
		const char *name = fdt_node_name(b, n);
		int len;

		assert_non_null(name);
		(void)strlen(name);
		for (p = fdt_first_prop(b, n); p >= 0; p = fdt_next_prop(b, p)) {
			const char *pn;
			const uint8_t *val = fdt_prop_by_offset(b, p, &pn, &len);

			assert_non_null(val);
			(void)strlen(pn);
			if (len > 0)
				(void)*(volatile const uint8_t *)(val + len - 1);
		}
		if (steps < 12) {
			(void)fdt_get_reg(b, n, 0, &a, &s);
			(void)fdt_parent(b, n);
		}
		(void)fdt_get_u32(b, n, "interrupts", &v);
		(void)fdt_getprop_string(b, n, "compatible");
	}
	(void)fdt_path_offset(b, "/soc/serial@10000000");
	(void)fdt_find_compatible(b, -1, "virtio,mmio");
}

static void test_fdt_mutations_never_read_out_of_bounds(void **state)
{
	size_t size;
	uint8_t *orig = load_dtb("virt-4.dtb", &size);
	static const uint8_t xors[] = { 0x01, 0x80, 0xff };
	static const uint32_t words[] = { 0, 1, 2, 3, 4, 9, 0x7fffffff, 0xffffffff, 0x10, 0xfffffffc };
	int accepted = 0, rejected = 0;
	(void)state;

	for (size_t off = 0; off < size; off++) {
		int kinds = 3 + ((off & 3) || off + 4 > size ? 0 : (int)(sizeof(words) / sizeof(words[0])));

		for (int k = 0; k < kinds; k++) {
			uint8_t *c = malloc(size);

			memcpy(c, orig, size);
			if (k < 3)
				c[off] ^= xors[k];
			else
				put32(c + off, words[k - 3]);
			if (fdt_check(c, size) == 0) {
				accepted++;
				walk_everything(c);
			} else {
				rejected++;
			}
			free(c);
		}
	}
	/* Both paths must have been taken for the sweep to mean anything. */
	assert_true(accepted > 1000);
	assert_true(rejected > 1000);
	free(orig);
}

static void test_fdt_truncations_are_rejected_or_safe(void **state)
{
	size_t size;
	uint8_t *orig = load_dtb("virt-4.dtb", &size);
	int accepted = 0;
	(void)state;

	for (size_t n = 0; n < size; n++) {
		uint8_t *c = malloc(n ? n : 1);

		memcpy(c, orig, n);
		/* As given: the header's totalsize exceeds what we have. */
		assert_int_not_equal(fdt_check(c, n), 0);
		/* With totalsize claiming just n, and struct/strings sizes clipped to fit. */
		if (n >= 40) {
			uint32_t st = fdt_read_u32(c + 8), ss = fdt_read_u32(c + 36);
			uint32_t so = fdt_read_u32(c + 12), sss = fdt_read_u32(c + 32);

			put32(c + 4, (uint32_t)n);
			if (st + ss > n)
				put32(c + 36, st < n ? (uint32_t)n - st : 0);
			if (so + sss > n)
				put32(c + 32, so < n ? (uint32_t)n - so : 0);
			if (fdt_check(c, n) == 0) {
				accepted++;
				walk_everything(c);
			}
		}
		free(c);
	}
	/* Only the full-size blob can be complete. */
	assert_true(accepted <= 1);
	free(orig);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fdt_virt4_summary_matches_qemu),
		cmocka_unit_test(test_fdt_virt_aclint_sswi),
		cmocka_unit_test(test_fdt_virt1_bootargs_and_initrd),
		cmocka_unit_test(test_fdt_virt_blk_two_harts_256m),
		cmocka_unit_test(test_fdt_node_and_property_walks),
		cmocka_unit_test(test_fdt_handmade_reserved_cpus_initrd32),
		cmocka_unit_test(test_fdt_check_rejects_bad_headers),
		cmocka_unit_test(test_fdt_mutations_never_read_out_of_bounds),
		cmocka_unit_test(test_fdt_truncations_are_rejected_or_safe),
	};

	return cmocka_run_group_tests_name("fdt", tests, NULL, NULL);
}
