// SPDX-License-Identifier: MIT
/*
 * Shared anonymous memory: mmap(MAP_SHARED | MAP_ANONYMOUS) maps an unnamed
 * file whose data is a memory-only page cache (kernel/mm/pcache.h), as
 * Linux maps a shmem file. So the mapping is a shared file mapping like any
 * other: fork keeps parent and child on the same pages, and the pages go
 * with the last mapping (the file's last reference).
 */
#include "kernel/mm/shmem.h"

#include "kernel/fs/vfs.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/layout.h"
#include "kernel/mm/pcache.h"
#include "lib/errno.h"

static struct superblock shmem_sb = { .name = "shmem", .next_ino = 1 };

static void shmem_evict(struct inode *ino)
{
	if (ino->pcache) {
		(void)pcache_truncate(ino->pcache, 0); /* memory only: never waits */
		pcache_detach(ino);
	}
	kfree(ino);
}

static const struct inode_ops shmem_iops = {
	.evict = shmem_evict,
};

static long shmem_read(struct file *f, struct uio *u, uint64_t *pos)
{
	return pcache_read(f->inode, u, pos);
}

static const struct file_ops shmem_fops = {
	.read = shmem_read,
	.seekable = true,
};

int shmem_file_create(uint64_t size, struct file **out)
{
	struct inode *ino = kzalloc(sizeof(*ino));
	int err;

	if (!ino)
		return -ENOMEM;
	inode_init(ino, &shmem_sb, S_IFREG | 0600, &shmem_iops, &shmem_fops);
	ino->size = size;
	err = pcache_attach(ino, NULL, NULL, PAGE_SIZE);
	if (err) {
		kfree(ino);
		return err;
	}
	err = file_open_inode(ino, O_RDWR, out);
	inode_put(ino); /* the file's reference is the one that stays */
	return err;
}
