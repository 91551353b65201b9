/* SPDX-License-Identifier: MIT */
/*
 * Named FIFOs (mkfifo, mknod S_IFIFO) on any file system: an S_IFIFO inode
 * of ext2 or ramfs gets fifo_fops, and its open files share one pipe ring
 * (pipe_int.h), attached to the inode while any is open (inode->priv) and
 * freed with the last close, its unread bytes too, as Linux.
 *
 * Opening follows Linux's fifo_open: O_RDONLY waits until a writer is
 * there (O_NONBLOCK: does not wait), O_WRONLY waits until a reader is there
 * (O_NONBLOCK: -ENXIO without one), O_RDWR never waits. The wait is the
 * open's own future (file_ops.open_wait): a signal interrupts it and the
 * open is undone as if it never happened.
 */
#ifndef KERNEL_IPC_FIFO_H
#define KERNEL_IPC_FIFO_H

struct file_ops;

extern const struct file_ops fifo_fops;

#endif
