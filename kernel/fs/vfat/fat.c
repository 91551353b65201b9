// SPDX-License-Identifier: MIT
/*
 * vfat: cluster chains over the in-memory FAT (vfat_int.h). Nothing here
 * waits; every walk is bounded by the cluster count, so a loop or a number
 * out of range in a hostile FAT is -EIO, never a hang. Callers hold fs->lock.
 */
#include "kernel/fs/vfat/vfat_int.h"

#include "lib/errno.h"

static void mark(struct vfat_fs *fs, uint32_t n)
{
	uint32_t off, len;

	fat_entry_span(&fs->g, n, &off, &len);
	for (uint32_t c = off / VFAT_BSIZE; c <= (off + len - 1) / VFAT_BSIZE; c++)
		fs->fat_dirty[c / 8] |= (uint8_t)(1u << (c % 8));
}

static void set(struct vfat_fs *fs, uint32_t n, uint32_t v)
{
	fat_set(&fs->g, fs->fat, n, v);
	mark(fs, n);
}

static uint32_t get(struct vfat_fs *fs, uint32_t n)
{
	return fat_get(&fs->g, fs->fat, n);
}

int vfat_chain_nth(struct vfat_fs *fs, struct vfat_inode *hint, uint32_t start, uint32_t idx,
		   uint32_t *out)
{
	uint32_t c = start, i = 0;

	if (!start) {
		*out = 0;
		return 1;
	}
	if (!fat_valid_clus(&fs->g, start))
		return -EIO;
	if (hint && hint->start == start && hint->hint_clus && hint->hint_idx <= idx) {
		c = hint->hint_clus;
		i = hint->hint_idx;
	}
	while (i < idx) {
		uint32_t nx = get(fs, c);

		if (fat_is_eoc(&fs->g, nx)) {
			if (hint && hint->start == start) {
				hint->hint_idx = i; /* the last cluster: appends start here */
				hint->hint_clus = c;
			}
			*out = c;
			return 1;
		}
		if (!fat_valid_clus(&fs->g, nx) || ++i > fs->g.nclusters)
			return -EIO; /* free, bad, reserved, out of range, or a loop */
		c = nx;
	}
	if (hint && hint->start == start) {
		hint->hint_idx = idx;
		hint->hint_clus = c;
	}
	*out = c;
	return 0;
}

long vfat_chain_len(struct vfat_fs *fs, uint32_t start)
{
	uint32_t c = start;
	long n = 0;

	if (!start)
		return 0;
	if (!fat_valid_clus(&fs->g, start))
		return -EIO;
	for (;;) {
		uint32_t nx = get(fs, c);

		n++;
		if (fat_is_eoc(&fs->g, nx))
			return n;
		if (!fat_valid_clus(&fs->g, nx) || n > (long)fs->g.nclusters)
			return -EIO;
		c = nx;
	}
}

int vfat_find_free(struct vfat_fs *fs, unsigned n, uint32_t *out)
{
	uint32_t total = fs->g.nclusters, c = fs->next_free, found = 0;

	if (fs->free_count < n)
		return -ENOSPC;
	for (uint32_t k = 0; k < total && found < n; k++, c++) {
		if (!fat_valid_clus(&fs->g, c))
			c = 2;
		if (get(fs, c) == 0)
			out[found++] = c;
	}
	return found == n ? 0 : -ENOSPC;
}

void vfat_link(struct vfat_fs *fs, uint32_t prev, uint32_t c)
{
	set(fs, c, fat_eoc(&fs->g));
	if (prev)
		set(fs, prev, c);
	fs->free_count--;
	fs->next_free = c + 1;
	fs->fsinfo_dirty = true;
}

int vfat_free_chain(struct vfat_fs *fs, uint32_t start)
{
	uint32_t c = start;

	for (uint32_t steps = 0; fat_valid_clus(&fs->g, c); steps++) {
		uint32_t nx = get(fs, c);

		if (nx == 0 || steps > fs->g.nclusters)
			return -EIO; /* already free: a cross-link or a loop; stop */
		set(fs, c, 0);
		fs->free_count++;
		fs->fsinfo_dirty = true;
		if (fat_is_eoc(&fs->g, nx))
			return 0;
		c = nx;
	}
	return c ? -EIO : 0;
}

int vfat_cut_after(struct vfat_fs *fs, uint32_t c)
{
	uint32_t nx = get(fs, c);

	set(fs, c, fat_eoc(&fs->g));
	if (fat_is_eoc(&fs->g, nx))
		return 0;
	return vfat_free_chain(fs, nx);
}
