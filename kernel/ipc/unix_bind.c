// SPDX-License-Identifier: MIT
/*
 * Names of AF_UNIX sockets, as Linux keeps them. A path name is an S_IFSOCK
 * inode made by bind in whatever file system holds the path (ext2, ramfs);
 * the socket holds a reference on it, and connect finds the socket by that
 * inode. The inode stays after the socket closes (as on Linux: unlink it);
 * connecting to it then gives ECONNREFUSED. An abstract name (sun_path[0]
 * == 0) lives only in the table below. bind with just the family
 * (addrlen 2) picks a free abstract name of five hex digits (autobind).
 *
 * Lock legend: bind_lock guards the table and each socket's addr,
 * bind_inode and bind_node; no socket lock is taken under it.
 */
#include "kernel/fs/vfs.h"
#include "kernel/ipc/unix.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/proc.h"
#include "lib/errno.h"
#include "lib/string.h"

static struct spinlock bind_lock = SPINLOCK_INIT("unix_bind");
static LIST_HEAD(bound);	/* of unix_sock.bind_node */
static uint32_t autobind_next;	/* bind_lock */

int unix_addr_from_user(struct proc *p, uintptr_t uaddr, uint32_t len, struct unix_addr *a)
{
	uint16_t family;

	if (len < 2 || len > UNIX_ADDR_MAX)
		return -EINVAL;
	memset(a, 0, sizeof(*a));
	if (copy_from_user(proc_as(p), a->name, uaddr, len))
		return -EFAULT;
	memcpy(&family, a->name, sizeof(family));
	if (family != AF_UNIX)
		return -EINVAL;
	if (len == 2) {
		a->len = 2;
		return 0;
	}
	if (a->name[2] == 0) {
		a->abstract = 1;
		a->len = len;
	} else {
		a->name[len] = 0;
		a->len = (uint32_t)strlen(a->name + 2) + 2 + 1;
	}
	return 0;
}

/* The socket bound to a in the table (bind_lock held), or NULL. */
static struct unix_sock *find_locked(const struct unix_addr *a, const struct inode *ino)
{
	struct unix_sock *sk;

	list_for_each_entry(sk, &bound, bind_node) {
		if (ino) {
			if (sk->bind_inode == ino)
				return sk;
		} else if (sk->addr->abstract && sk->addr->len == a->len &&
			   !memcmp(sk->addr->name, a->name, a->len)) {
			return sk;
		}
	}
	return NULL;
}

static int autoname_locked(struct unix_addr *a)
{
	for (unsigned tries = 0; tries < 0x100000; tries++) {
		uint32_t n = autobind_next++ & 0xfffff;
		static const char hex[] = "0123456789abcdef";

		memset(a, 0, sizeof(*a));
		a->name[0] = AF_UNIX;
		for (int i = 0; i < 5; i++)
			a->name[3 + i] = hex[(n >> (4 * (4 - i))) & 0xf];
		a->len = 2 + 1 + 5;
		a->abstract = 1;
		if (!find_locked(a, NULL))
			return 0;
	}
	return -ENOSPC;
}

int unix_bind(struct proc *p, struct unix_sock *sk, struct unix_addr *a)
{
	struct unix_addr *copy;
	struct inode *ino = NULL;
	irqflags_t fl;
	int err = 0;

	/* A bound socket: -EINVAL, but for a path name only after trying to
	 * make the node (EADDRINUSE if it exists), as Linux. */
	if ((a->len == 2 || a->abstract) && __atomic_load_n(&sk->addr, __ATOMIC_ACQUIRE))
		return -EINVAL;
	copy = kmalloc(sizeof(*copy));
	if (!copy)
		return -ENOMEM;
	*copy = *a;
	if (a->len > 2 && !a->abstract) {
		/* The inode first: it may need the disk (-EIOWAIT restarts the
		 * call, and nothing else has changed yet). */
		err = vfs_mknod_inode(p, NULL, a->name + 2, S_IFSOCK | 0777, 0, &ino);
		if (err == -EEXIST)
			err = -EADDRINUSE;
		if (err) {
			kfree(copy);
			return err;
		}
		copy->dev = ino->sb ? ino->sb->dev : 0;
		copy->ino = ino->ino;
	}
	fl = spin_lock_irqsave(&bind_lock);
	if (sk->addr)
		err = -EINVAL;
	else if (a->len == 2)
		err = autoname_locked(copy);
	else if (a->abstract && find_locked(copy, NULL))
		err = -EADDRINUSE;
	if (!err) {
		sk->bind_inode = ino;
		__atomic_store_n(&sk->addr, copy, __ATOMIC_RELEASE);
		list_add_tail(&sk->bind_node, &bound);
	}
	spin_unlock_irqrestore(&bind_lock, fl);
	if (err) {
		/* Already bound: the node made on the way goes again, as Linux. */
		if (ino) {
			inode_put(ino);
			(void)vfs_unlink(p, NULL, a->name + 2, false);
		}
		kfree(copy);
	}
	return err;
}

int unix_lookup(struct proc *p, const struct unix_addr *a, struct unix_sock **out)
{
	struct inode *ino = NULL;
	struct unix_sock *sk;
	irqflags_t fl;
	int err;

	if (a->len <= 2)
		return -EINVAL;
	if (!a->abstract) {
		err = vfs_lookup(p, NULL, a->name + 2, 0, &ino);
		if (err)
			return err;
		if (!S_ISSOCK(ino->mode)) {
			inode_put(ino);
			return -ECONNREFUSED;
		}
	}
	fl = spin_lock_irqsave(&bind_lock);
	sk = find_locked(a, ino);
	if (sk)
		inode_get(&sk->inode);
	spin_unlock_irqrestore(&bind_lock, fl);
	if (ino)
		inode_put(ino);
	if (!sk)
		return -ECONNREFUSED;
	*out = sk;
	return 0;
}

void unix_unbind(struct unix_sock *sk)
{
	struct inode *ino;
	irqflags_t fl = spin_lock_irqsave(&bind_lock);

	if (list_is_linked(&sk->bind_node))
		list_del(&sk->bind_node);
	ino = sk->bind_inode;
	sk->bind_inode = NULL;
	spin_unlock_irqrestore(&bind_lock, fl);
	if (ino)
		inode_put(ino);
}

int unix_addr_to_user(struct proc *p, const struct unix_addr *a, uintptr_t uaddr,
		      uintptr_t ulen)
{
	static const struct unix_addr unnamed = { .len = 2, .name = { AF_UNIX } };
	struct as *as = proc_as(p);
	int32_t len;

	if (!a || !a->len)
		a = &unnamed;
	if (copy_from_user(as, &len, ulen, sizeof(len)))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	if (copy_to_user(as, uaddr, a->name, (uint32_t)len < a->len ? (size_t)len : a->len))
		return -EFAULT;
	len = (int32_t)a->len;
	if (copy_to_user(as, ulen, &len, sizeof(len)))
		return -EFAULT;
	return 0;
}
