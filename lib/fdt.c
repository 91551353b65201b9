// SPDX-License-Identifier: MIT
/*
 * Flattened device tree reader: header and structure validation, node and
 * property walks, reg decoding. The boot summary is fdt_info.c.
 */
#include "lib/fdt.h"
#include "lib/errno.h"
#include "lib/string.h"

#define FDT_BEGIN_NODE	1
#define FDT_END_NODE	2
#define FDT_PROP	3
#define FDT_NOP		4
#define FDT_END		9

#define HDR_SIZE	40	/* v17 header: ten big-endian words */
#define INT_MAX		__INT_MAX__

enum hdr_field { H_MAGIC, H_TOTALSIZE, H_OFF_STRUCT, H_OFF_STRINGS, H_OFF_RSVMAP, H_VERSION,
		 H_LAST_COMP, H_BOOT_CPUID, H_SIZE_STRINGS, H_SIZE_STRUCT };

uint32_t fdt_read_u32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

uint64_t fdt_read_cells(const void *p, int cells)
{
	const uint8_t *b = p;

	if (cells == 2)
		return (uint64_t)fdt_read_u32(b) << 32 | fdt_read_u32(b + 4);
	return cells == 1 ? fdt_read_u32(b) : 0;
}

static uint32_t hdr(const void *blob, enum hdr_field f)
{
	return fdt_read_u32((const uint8_t *)blob + 4 * f);
}

uint32_t fdt_total_size(const void *blob)
{
	return hdr(blob, H_TOTALSIZE);
}

uint32_t fdt_boot_cpuid(const void *blob)
{
	return hdr(blob, H_BOOT_CPUID);
}

static const uint8_t *struct_base(const void *blob)
{
	return (const uint8_t *)blob + hdr(blob, H_OFF_STRUCT);
}

/*
 * The token at @off and, in *next, the offset of the one after it. Every
 * byte it looks at is inside the structure block; names are checked to be
 * terminated and property names to lie inside the strings block. Returns the
 * token or -EBADMSG.
 */
static int next_tag(const void *blob, int off, int *next)
{
	const uint8_t *s = struct_base(blob);
	uint32_t size = hdr(blob, H_SIZE_STRUCT);
	uint32_t o = (uint32_t)off, tag;

	if (off < 0 || (o & 3) || o > size || size - o < 4)
		return -EBADMSG;
	tag = fdt_read_u32(s + o);
	o += 4;
	switch (tag) {
	case FDT_BEGIN_NODE: {
		const uint8_t *nul = memchr(s + o, '\0', size - o);

		if (!nul)
			return -EBADMSG;
		o = (uint32_t)(nul - s) + 1;
		break;
	}
	case FDT_PROP: {
		uint32_t len, nameoff, ssize = hdr(blob, H_SIZE_STRINGS);
		const char *strs = (const char *)blob + hdr(blob, H_OFF_STRINGS);

		if (size - o < 8)
			return -EBADMSG;
		len = fdt_read_u32(s + o);
		nameoff = fdt_read_u32(s + o + 4);
		o += 8;
		if (len > size - o || nameoff >= ssize || !memchr(strs + nameoff, '\0', ssize - nameoff))
			return -EBADMSG;
		o += len;
		break;
	}
	case FDT_END_NODE:
	case FDT_NOP:
	case FDT_END:
		break;
	default:
		return -EBADMSG;
	}
	/* Round up to the next token; the padding must still be inside. */
	o = (o + 3) & ~3U;
	if (o > size)
		return -EBADMSG;
	*next = (int)o;
	return (int)tag;
}

static int check_header(const void *blob, size_t max_size)
{
	uint32_t total, off, sz;

	if (!blob || max_size < HDR_SIZE || hdr(blob, H_MAGIC) != FDT_MAGIC)
		return -EINVAL;
	if (hdr(blob, H_VERSION) < 17 || hdr(blob, H_LAST_COMP) > 17)
		return -EOPNOTSUPP;
	total = hdr(blob, H_TOTALSIZE);
	if (total < HDR_SIZE || total > max_size || total > (uint32_t)INT_MAX)
		return -ERANGE;
	off = hdr(blob, H_OFF_STRUCT);
	sz = hdr(blob, H_SIZE_STRUCT);
	if (off < HDR_SIZE || (off & 3) || off > total || sz > total - off)
		return -ERANGE;
	off = hdr(blob, H_OFF_STRINGS);
	sz = hdr(blob, H_SIZE_STRINGS);
	if (off < HDR_SIZE || off > total || sz > total - off)
		return -ERANGE;
	off = hdr(blob, H_OFF_RSVMAP);
	if (off < HDR_SIZE || (off & 7) || off > total)
		return -ERANGE;
	return 0;
}

int fdt_get_mem_rsv(const void *blob, int n, uint64_t *addr, uint64_t *size)
{
	uint32_t total = hdr(blob, H_TOTALSIZE);
	uint32_t off = hdr(blob, H_OFF_RSVMAP);

	if (n < 0)
		return -EINVAL;
	for (int i = 0;; i++, off += 16) {
		const uint8_t *e = (const uint8_t *)blob + off;
		uint64_t a, s;

		if (off > total || total - off < 16)
			return -EBADMSG;
		a = fdt_read_cells(e, 2);
		s = fdt_read_cells(e + 8, 2);
		if (!a && !s)
			return -ENOENT;
		if (i == n) {
			*addr = a;
			*size = s;
			return 0;
		}
	}
}

int fdt_check(const void *blob, size_t max_size)
{
	int off = 0, next, tag, depth = 0, err;
	bool root_done = false;
	uint32_t total, rsv;

	err = check_header(blob, max_size);
	if (err)
		return err;
	/* The reservation block must end with its (0, 0) entry in bounds. */
	total = hdr(blob, H_TOTALSIZE);
	for (rsv = hdr(blob, H_OFF_RSVMAP);; rsv += 16) {
		const uint8_t *e = (const uint8_t *)blob + rsv;

		if (total - rsv < 16)
			return -EBADMSG;
		if (!fdt_read_cells(e, 2) && !fdt_read_cells(e + 8, 2))
			break;
	}

	if (next_tag(blob, 0, &next) != FDT_BEGIN_NODE)
		return -EBADMSG;
	for (;;) {
		tag = next_tag(blob, off, &next);
		switch (tag) {
		case FDT_BEGIN_NODE:
			if (root_done)
				return -EBADMSG;	/* a second root */
			depth++;
			break;
		case FDT_END_NODE:
			if (--depth < 0)
				return -EBADMSG;
			if (depth == 0)
				root_done = true;
			break;
		case FDT_PROP:
			if (depth == 0)
				return -EBADMSG;	/* outside any node */
			break;
		case FDT_NOP:
			break;
		case FDT_END:
			return root_done ? 0 : -EBADMSG;
		default:
			return tag < 0 ? tag : -EBADMSG;
		}
		off = next;
	}
}

/* -EINVAL unless @node is the offset of a BEGIN_NODE token. */
static int node_body(const void *blob, int node)
{
	int next;

	return next_tag(blob, node, &next) == FDT_BEGIN_NODE ? next : -EINVAL;
}

int fdt_next_node(const void *blob, int node, int *depth)
{
	int off = node_body(blob, node), next, tag;

	if (off < 0)
		return off;
	for (;;) {
		tag = next_tag(blob, off, &next);
		if (tag < 0)
			return tag;
		if (tag == FDT_BEGIN_NODE) {
			if (depth)
				++*depth;
			return off;
		}
		if (tag == FDT_END_NODE && depth && --*depth < 0)
			return -ENOENT;
		if (tag == FDT_END)
			return -ENOENT;
		off = next;
	}
}

int fdt_first_child(const void *blob, int node)
{
	int depth = 0;
	int off = fdt_next_node(blob, node, &depth);

	if (off < 0)
		return off;
	return depth == 1 ? off : -ENOENT;
}

int fdt_next_sibling(const void *blob, int node)
{
	int depth = 1;
	int off = node;

	do {
		off = fdt_next_node(blob, off, &depth);
		if (off < 0)
			return off;
		if (depth < 1)
			return -ENOENT;
	} while (depth > 1);
	return off;
}

int fdt_parent(const void *blob, int node)
{
	int depth = 0, target, off = FDT_ROOT, last = -ENOENT;

	if (node_body(blob, node) < 0)
		return -EINVAL;
	if (node == FDT_ROOT)
		return -ENOENT;
	/* Pass 1: the depth of @node. */
	while (off >= 0 && off != node)
		off = fdt_next_node(blob, off, &depth);
	if (off < 0)
		return off == -ENOENT ? -EINVAL : off;
	target = depth - 1;
	/* Pass 2: the last node at depth target before @node is its parent. */
	depth = 0;
	off = FDT_ROOT;
	while (off >= 0 && off != node) {
		if (depth == target)
			last = off;
		off = fdt_next_node(blob, off, &depth);
	}
	return off < 0 ? off : last;
}

const char *fdt_node_name(const void *blob, int node)
{
	if (node_body(blob, node) < 0)
		return NULL;
	/* next_tag() has checked that the name is terminated inside the block. */
	return (const char *)struct_base(blob) + node + 4;
}

static bool name_matches(const char *node_name, const char *name, size_t len)
{
	if (strncmp(node_name, name, len) != 0)
		return false;
	if (node_name[len] == '\0')
		return true;
	/* "memory" matches "memory@80000000" when no unit address was given. */
	return node_name[len] == '@' && !memchr(name, '@', len);
}

static int subnode_len(const void *blob, int parent, const char *name, size_t len)
{
	int off;

	for (off = fdt_first_child(blob, parent); off >= 0; off = fdt_next_sibling(blob, off)) {
		if (name_matches(fdt_node_name(blob, off), name, len))
			return off;
	}
	return off;
}

int fdt_subnode(const void *blob, int parent, const char *name)
{
	return subnode_len(blob, parent, name, strlen(name));
}

int fdt_path_offset(const void *blob, const char *path)
{
	int node = FDT_ROOT;

	if (!path || *path != '/')
		return -EINVAL;
	if (node_body(blob, node) < 0)
		return -EINVAL;
	while (*path) {
		const char *end;

		while (*path == '/')
			path++;
		if (!*path)
			break;
		end = strchr(path, '/');
		if (!end)
			end = path + strlen(path);
		node = subnode_len(blob, node, path, (size_t)(end - path));
		if (node < 0)
			return node;
		path = end;
	}
	return node;
}

int fdt_first_prop(const void *blob, int node)
{
	int off = node_body(blob, node), next, tag;

	if (off < 0)
		return off;
	while ((tag = next_tag(blob, off, &next)) == FDT_NOP)
		off = next;
	if (tag < 0)
		return tag;
	return tag == FDT_PROP ? off : -ENOENT;
}

int fdt_next_prop(const void *blob, int prop)
{
	int off, tag;

	if (next_tag(blob, prop, &off) != FDT_PROP)
		return -EINVAL;
	while ((tag = next_tag(blob, off, &prop)) == FDT_NOP)
		off = prop;
	if (tag < 0)
		return tag;
	return tag == FDT_PROP ? off : -ENOENT;
}

const void *fdt_prop_by_offset(const void *blob, int prop, const char **name, int *len)
{
	const uint8_t *p;
	int next;

	if (next_tag(blob, prop, &next) != FDT_PROP) {
		if (len)
			*len = -EINVAL;
		return NULL;
	}
	/* next_tag() checked the length and that the name is in bounds. */
	p = struct_base(blob) + prop;
	if (name)
		*name = (const char *)blob + hdr(blob, H_OFF_STRINGS) + fdt_read_u32(p + 8);
	if (len)
		*len = (int)fdt_read_u32(p + 4);
	return p + 12;
}

const void *fdt_getprop(const void *blob, int node, const char *name, int *len)
{
	int off;

	for (off = fdt_first_prop(blob, node); off >= 0; off = fdt_next_prop(blob, off)) {
		const char *pname;
		const void *v = fdt_prop_by_offset(blob, off, &pname, len);

		if (v && strcmp(pname, name) == 0)
			return v;
	}
	if (len)
		*len = off;
	return NULL;
}

const char *fdt_getprop_string(const void *blob, int node, const char *name)
{
	int len;
	const char *s = fdt_getprop(blob, node, name, &len);

	if (!s || len < 1 || s[len - 1] != '\0')
		return NULL;
	return s;
}

bool fdt_stringlist_contains(const char *list, int len, const char *str)
{
	size_t want = strlen(str) + 1;

	while (len > 0) {
		const char *nul = memchr(list, '\0', (size_t)len);
		size_t n;

		if (!nul)
			return false;
		n = (size_t)(nul - list) + 1;
		if (n == want && memcmp(list, str, n) == 0)
			return true;
		list += n;
		len -= (int)n;
	}
	return false;
}

bool fdt_prop_has_string(const void *blob, int node, const char *prop, const char *str)
{
	int len;
	const char *list = fdt_getprop(blob, node, prop, &len);

	return list && fdt_stringlist_contains(list, len, str);
}

bool fdt_node_is_okay(const void *blob, int node)
{
	int len;
	const char *s = fdt_getprop(blob, node, "status", &len);

	if (!s)
		return true;
	return fdt_stringlist_contains(s, len, "okay") || fdt_stringlist_contains(s, len, "ok");
}

int fdt_get_u32(const void *blob, int node, const char *name, uint32_t *out)
{
	int len;
	const void *p = fdt_getprop(blob, node, name, &len);

	if (!p)
		return -ENOENT;
	if (len < 4)
		return -EINVAL;
	*out = fdt_read_u32(p);
	return 0;
}

int fdt_get_u64(const void *blob, int node, const char *name, uint64_t *out)
{
	int len;
	const void *p = fdt_getprop(blob, node, name, &len);

	if (!p)
		return -ENOENT;
	if (len != 4 && len != 8)
		return -EINVAL;
	*out = fdt_read_cells(p, len / 4);
	return 0;
}

static int cells(const void *blob, int node, const char *name, int dflt, int min)
{
	uint32_t v;
	int err = fdt_get_u32(blob, node, name, &v);

	if (err == -ENOENT)
		return dflt;
	if (err)
		return err;
	return v >= (uint32_t)min && v <= 2 ? (int)v : -EINVAL;
}

int fdt_address_cells(const void *blob, int node)
{
	return cells(blob, node, "#address-cells", 2, 1);
}

int fdt_size_cells(const void *blob, int node)
{
	return cells(blob, node, "#size-cells", 1, 0);
}

int fdt_get_reg(const void *blob, int node, int index, uint64_t *addr, uint64_t *size)
{
	int parent = fdt_parent(blob, node);
	int ac, sc, len, entry;
	const uint8_t *reg;

	if (parent < 0)
		return parent == -ENOENT ? -EINVAL : parent;	/* the root has no reg */
	ac = fdt_address_cells(blob, parent);
	sc = fdt_size_cells(blob, parent);
	if (ac < 0 || sc < 0)
		return -EINVAL;
	reg = fdt_getprop(blob, node, "reg", &len);
	if (!reg)
		return -ENOENT;
	entry = (ac + sc) * 4;
	if (index < 0 || index >= len / entry)
		return -ENOENT;
	reg += index * entry;
	*addr = fdt_read_cells(reg, ac);
	*size = sc ? fdt_read_cells(reg + ac * 4, sc) : 0;
	return 0;
}

int fdt_find_compatible(const void *blob, int start_after, const char *compat)
{
	int off = start_after < 0 ? FDT_ROOT : fdt_next_node(blob, start_after, NULL);

	for (; off >= 0; off = fdt_next_node(blob, off, NULL)) {
		if (fdt_prop_has_string(blob, off, "compatible", compat))
			return off;
	}
	return off;
}

int fdt_node_by_phandle(const void *blob, uint32_t ph)
{
	int depth = 0;
	uint32_t v;

	for (int n = FDT_ROOT; n >= 0; n = fdt_next_node(blob, n, &depth)) {
		if (!fdt_get_u32(blob, n, "phandle", &v) && v == ph)
			return n;
	}
	return -ENOENT;
}
