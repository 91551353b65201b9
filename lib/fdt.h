/* SPDX-License-Identifier: MIT */
/*
 * Read-only flattened device tree (DTB, spec v17) access over a blob pointer:
 * no allocation, no state, every read bounds-checked against the header.
 * fdt_parse_info() distils what the kernel needs at boot into struct fdt_info.
 *
 * Contract: call fdt_check(blob, max_size) once and only use a blob it
 * accepted; from then on no function reads outside [blob, blob + totalsize),
 * whatever the contents. A malformed structure block yields a negative errno.
 *
 * Nodes and properties are named by their offset in the structure block (an
 * int >= 0); the root node is offset 0. Functions returning an offset return a
 * negative errno instead when there is none: -ENOENT (no such node/property),
 * -EINVAL (the offset given is not a node), -EBADMSG (malformed structure).
 */
#ifndef LIB_FDT_H
#define LIB_FDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FDT_MAGIC	0xd00dfeedU
#define FDT_ROOT	0

/*
 * 0 if @blob holds a well-formed v17 device tree of at most @max_size bytes,
 * else -EINVAL (bad magic or NULL), -EOPNOTSUPP (version), -ERANGE (a size or
 * offset in the header out of range) or -EBADMSG (structure or reservation
 * block malformed: bad token, unterminated name, property past the end,
 * unbalanced nodes, string offset outside the strings block).
 */
int fdt_check(const void *blob, size_t max_size);
/* Header fields; only meaningful for a blob fdt_check() accepted. */
uint32_t fdt_total_size(const void *blob);
uint32_t fdt_boot_cpuid(const void *blob);

/* Memory reservation block: entry @n; -ENOENT past the last one. */
int fdt_get_mem_rsv(const void *blob, int n, uint64_t *addr, uint64_t *size);

/* ---- nodes ---- */
/*
 * The node after @node in depth-first order. With @depth non-NULL, *depth is
 * adjusted (+1 into a child, -1 per level left) and the walk ends with -ENOENT
 * once *depth would go below 0; with NULL it runs to the end of the tree.
 */
int fdt_next_node(const void *blob, int node, int *depth);
int fdt_first_child(const void *blob, int node);
int fdt_next_sibling(const void *blob, int node);
/* Walks from the root: O(tree size). -ENOENT for the root. */
int fdt_parent(const void *blob, int node);
/* Child called @name: "memory" also matches "memory@80000000". */
int fdt_subnode(const void *blob, int parent, const char *name);
/* Absolute path, "/" is the root; no aliases. */
int fdt_path_offset(const void *blob, const char *path);
/* Name with unit address ("serial@10000000"), "" for the root; NULL if bad. */
const char *fdt_node_name(const void *blob, int node);
/*
 * The first node after @start_after (-1: search from the root, inclusive)
 * in depth-first order whose "compatible" string list contains @compat.
 */
int fdt_find_compatible(const void *blob, int start_after, const char *compat);
/* False only when "status" exists and is neither "okay" nor "ok". */
bool fdt_node_is_okay(const void *blob, int node);

/* ---- properties ---- */
/* First/next property offset of a node; -ENOENT when there are no more. */
int fdt_first_prop(const void *blob, int node);
int fdt_next_prop(const void *blob, int prop);
/* Value of the property at offset @prop; its name in *name. */
const void *fdt_prop_by_offset(const void *blob, int prop, const char **name, int *len);
/* Value and length of @node's property @name; NULL (and *len < 0) if absent. */
const void *fdt_getprop(const void *blob, int node, const char *name, int *len);
/* The property as a C string, or NULL unless it is NUL-terminated in its length. */
const char *fdt_getprop_string(const void *blob, int node, const char *name);
/* Does the string-list property @prop of @node contain exactly @str? */
bool fdt_prop_has_string(const void *blob, int node, const char *prop, const char *str);
/* Does the string list @list (@len bytes, NUL-separated) contain @str? */
bool fdt_stringlist_contains(const char *list, int len, const char *str);
/* Big-endian cell reads from property values (any alignment). */
uint32_t fdt_read_u32(const void *p);
uint64_t fdt_read_cells(const void *p, int cells);	/* cells 1 or 2 */
/* First cell; 0, -ENOENT (absent) or -EINVAL (shorter than 4 bytes). */
int fdt_get_u32(const void *blob, int node, const char *name, uint32_t *out);
/* A 4- or 8-byte value; 0, -ENOENT or -EINVAL (other length). */
int fdt_get_u64(const void *blob, int node, const char *name, uint64_t *out);

/*
 * #address-cells / #size-cells that @node declares for its children
 * (defaults 2 and 1); -EINVAL if outside 1..2 resp. 0..2.
 */
int fdt_address_cells(const void *blob, int node);
int fdt_size_cells(const void *blob, int node);
/*
 * Entry @index of @node's "reg", decoded with its parent's cell counts.
 * Addresses are as the parent bus sees them: "ranges" are not applied (on
 * QEMU virt every bus maps 1:1). -ENOENT past the last entry.
 */
int fdt_get_reg(const void *blob, int node, int index, uint64_t *addr, uint64_t *size);

/* The node whose "phandle" is @ph, or -ENOENT. */
int fdt_node_by_phandle(const void *blob, uint32_t ph);

/* ---- boot summary ---- */
#define FDT_MAX_MEM	4
#define FDT_MAX_RESV	16
#define FDT_MAX_HARTS	8
#define FDT_MAX_VIRTIO	8

struct fdt_info {
	/* RAM: "reg" entries of device_type = "memory" nodes, in tree order. */
	uint64_t mem_base[FDT_MAX_MEM], mem_size[FDT_MAX_MEM];
	int mem_count;			/* entries stored (at most FDT_MAX_MEM) */
	/* Memory reservation block first, then /reserved-memory children. */
	uint64_t resv_base[FDT_MAX_RESV], resv_size[FDT_MAX_RESV];
	int resv_count;			/* entries stored (at most FDT_MAX_RESV) */
	/* /cpus children with device_type "cpu" and status okay or absent. */
	int hart_count;			/* all such harts, may exceed FDT_MAX_HARTS */
	uint32_t hart_ids[FDT_MAX_HARTS];	/* the first FDT_MAX_HARTS, tree order */
	const char *isa;		/* riscv,isa of the first such cpu, or NULL */
	uint64_t timebase_hz;		/* /cpus timebase-frequency, 0 if absent */
	uint64_t uart_base;		/* first ns16550a (or ns16550), 0 if none */
	uint32_t uart_irq;
	uint64_t plic_base, plic_size;	/* riscv,plic0 or sifive,plic-1.0.0 */
	uint32_t plic_ndev;		/* riscv,ndev */
	uint64_t test_base;		/* sifive,test0 (else syscon), 0 if none */
	/*
	 * ACLINT SSWI (riscv,aclint-sswi; QEMU virt with aclint=on): S-mode
	 * writes 1 to the 32-bit register at sswi_base + 4 * i to raise the
	 * supervisor software interrupt of hart sswi_hart_ids[i]. 0 if absent.
	 */
	uint64_t sswi_base;
	uint32_t sswi_hart_ids[FDT_MAX_HARTS];	/* register i -> hartid, tree order */
	int sswi_count;			/* registers resolved (at most FDT_MAX_HARTS) */
	/* virtio,mmio transports sorted by address (all slots, used or not). */
	uint64_t virtio_base[FDT_MAX_VIRTIO];
	uint32_t virtio_irq[FDT_MAX_VIRTIO];
	int virtio_count;		/* entries stored (at most FDT_MAX_VIRTIO) */
	const char *bootargs;		/* /chosen bootargs (points into the blob), or NULL */
	uint64_t initrd_start, initrd_end;	/* /chosen linux,initrd-*, 0 when absent */
};

/*
 * Fill @out from the blob (which must have passed fdt_check; it is checked
 * again against its own totalsize). Strings point into the blob. Missing
 * devices leave zeros: the caller decides what it cannot boot without.
 * Returns 0 or a negative errno from fdt_check().
 */
int fdt_parse_info(const void *blob, struct fdt_info *out);

#endif /* LIB_FDT_H */
