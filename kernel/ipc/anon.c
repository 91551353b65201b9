// SPDX-License-Identifier: MIT
/* The shared anonymous inode and files on it; see anon.h. */
#include "kernel/ipc/anon.h"

#include "kernel/fs/fdtable.h"
#include "kernel/fs/vfs.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/spinlock.h"
#include "lib/errno.h"

static struct superblock anon_sb = { .dev = 13, .name = "anon_inodefs", .next_ino = 1 };
static const struct inode_ops anon_iops = { 0 };
static const struct file_ops anon_fops = { 0 };
static struct inode anon_inode;
static struct spinlock anon_lock = SPINLOCK_INIT("anon_inode");
static bool anon_ready;		/* L:anon_lock (read without it once true) */

static struct inode *anon_get(void)
{
	if (!__atomic_load_n(&anon_ready, __ATOMIC_ACQUIRE)) {
		irqflags_t fl = spin_lock_irqsave(&anon_lock);

		if (!anon_ready) {
			/* Its first reference is never put: it lives forever. */
			inode_init(&anon_inode, &anon_sb, 0600, &anon_iops, &anon_fops);
			anon_inode.ino = 1;
			__atomic_store_n(&anon_ready, true, __ATOMIC_RELEASE);
		}
		spin_unlock_irqrestore(&anon_lock, fl);
	}
	return inode_get(&anon_inode);
}

int anon_file_new(const struct file_ops *ops, void *priv, unsigned flags, struct file **out)
{
	struct file *f = kzalloc(sizeof(*f));

	if (!f)
		return -ENOMEM;
	atomic_init(&f->ref, 1);
	f->flags = O_RDWR | (flags & O_NONBLOCK);
	f->inode = anon_get();
	f->ops = ops;
	f->priv = priv;
	*out = f;
	return 0;
}

int anon_fd_new(struct proc *p, const struct file_ops *ops, void *priv, unsigned flags)
{
	struct file *f;
	int fd = anon_file_new(ops, priv, flags, &f);

	if (fd) {
		if (ops->release) {
			struct file tmp = { .ops = ops, .priv = priv, .flags = O_RDWR };

			ops->release(&tmp);
		}
		return fd;
	}
	fd = fd_install(p, f, (int)(flags & O_CLOEXEC));
	if (fd < 0)
		file_put(f);
	return fd;
}
