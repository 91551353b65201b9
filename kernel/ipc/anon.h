/* SPDX-License-Identifier: MIT */
/*
 * Files of objects with no name (eventfd, epoll, timerfd, signalfd), as
 * Linux's anon_inode: every one on one shared inode of mode 0600 with no
 * file type, on its own pseudo file system.
 */
#ifndef KERNEL_IPC_ANON_H
#define KERNEL_IPC_ANON_H

struct file;
struct file_ops;
struct proc;

/*
 * A new O_RDWR file with ops and priv (flags may add O_NONBLOCK), installed
 * in p's lowest free fd (O_CLOEXEC in flags: close-on-exec). Returns the fd;
 * on failure (-EMFILE, -ENOMEM) ops->release has been called on the file,
 * so it must free priv.
 */
int anon_fd_new(struct proc *p, const struct file_ops *ops, void *priv, unsigned flags);
/* The same without installing it: 0 or -ENOMEM (priv not freed then). */
int anon_file_new(const struct file_ops *ops, void *priv, unsigned flags, struct file **out);

#endif
