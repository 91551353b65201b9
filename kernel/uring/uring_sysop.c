// SPDX-License-Identifier: MIT
/*
 * The io_uring opcodes that are a syscall with other argument registers:
 * OPENAT, STATX, UNLINKAT, RENAMEAT, MKDIRAT, SYMLINKAT, LINKAT run the
 * syscall's own handler (DESIGN.md 9: the very same future), with the
 * SQE's fields as its arguments, in the submitter's context (the request
 * is only ever polled there, uring_ops.c), so an OPENAT installs its fd in
 * the submitter's table as openat(2) would. A disk-cache miss needs no
 * code here: the handler is an FS_SYSCALL, whose fs_call hands back its
 * restart future, which the request awaits like a read's. FSYNC and
 * SYNC_FILE_RANGE start fsync(2)'s sync future on the request's file (a
 * registered one too). REMOVE_BUFFERS is here too: it needs no future.
 *
 * The SQE field each argument comes from is Linux's (io_uring/openclose.c,
 * fs.c, statx.c, sync.c); as there, these ops take no fixed file for their
 * directory (-EBADF) and no ioprio or buf_index (-EINVAL); OPENAT may open into a
 * registered slot (file_index).
 */
#include "kernel/fs/fdtable.h"
#include "kernel/fs/sync.h"
#include "kernel/proc/proc.h"
#include "kernel/syscall/syscall.h"
#include "kernel/uring/uring_req.h"
#include "lib/errno.h"

#define IORING_FSYNC_DATASYNC 1u
/* SYNC_FILE_RANGE_WAIT_BEFORE | _WRITE | _WAIT_AFTER */
#define SYNC_FILE_RANGE_FLAGS 7u

/* The syscall each op runs (asm-generic numbers). */
static unsigned sysop_nr(unsigned op)
{
	switch (op) {
	case IORING_OP_OPENAT:
		return 56;
	case IORING_OP_STATX:
		return 291;
	case IORING_OP_UNLINKAT:
		return 35;
	case IORING_OP_RENAMEAT:
		return 276;
	case IORING_OP_MKDIRAT:
		return 34;
	case IORING_OP_SYMLINKAT:
		return 36;
	case IORING_OP_LINKAT:
		return 37;
	default:
		return 0;
	}
}

bool uring_sysop_supported(unsigned op)
{
	return op == IORING_OP_FSYNC || op == IORING_OP_SYNC_FILE_RANGE ||
	       op == IORING_OP_REMOVE_BUFFERS || sysop_nr(op);
}

/*
 * REMOVE_BUFFERS (fd: how many, buf_index: the group): Linux's checks, then the group is
 * looked up. No ring here can have a provided-buffer group (PROVIDE_BUFFERS and buffer
 * selection are not built: PROBE says so), so the lookup always misses: -ENOENT, as Linux
 * answers for a group nobody provided.
 */
static long remove_buffers(const struct io_uring_sqe *sqe)
{
	if (sqe->op_flags || sqe->addr || sqe->len || sqe->off || sqe->file_index)
		return -EINVAL;
	if (sqe->fd <= 0 || sqe->fd > 1 << 16)
		return -EINVAL;
	return -ENOENT;
}

/* FSYNC (fsync/fdatasync) and SYNC_FILE_RANGE: the whole device, as fsync(2) here. */
static long fsync_op(struct ureq *q, const struct io_uring_sqe *sqe, struct sys_ctx *sys)
{
	bool sfr = sqe->opcode == IORING_OP_SYNC_FILE_RANGE;
	struct inode *root;

	if (sqe->addr || sqe->buf_index || sqe->ioprio ||
	    (sqe->op_flags & ~(sfr ? SYNC_FILE_RANGE_FLAGS : IORING_FSYNC_DATASYNC)))
		return -EINVAL;
	if (!q->file->ops || !q->file->ops->seekable)
		return sfr ? -ESPIPE : -EINVAL;	/* as the syscalls on a stream */
	if (!fs_has_sync(q->file->inode->sb))
		return 0;	/* an in-memory file system: nothing to write */
	root = inode_get(q->file->inode);
	return fs_sync_start(sys, &root, 1, false);
}

long uring_sysop(struct ureq *q, const struct io_uring_sqe *sqe)
{
	struct sys_ctx sys = { .proc = q->p, .arg = q->sargs };
	unsigned long *a = q->sargs;
	const struct syscall_desc *d;
	long res;

	if (sqe->opcode == IORING_OP_FSYNC || sqe->opcode == IORING_OP_SYNC_FILE_RANGE) {
		res = fsync_op(q, sqe, &sys);
		goto out;
	}
	if (sqe->opcode == IORING_OP_REMOVE_BUFFERS)
		return remove_buffers(sqe);
	if (sqe->flags & IOSQE_FIXED_FILE)
		return -EBADF;
	if (sqe->ioprio || sqe->buf_index || (sqe->file_index && sqe->opcode != IORING_OP_OPENAT))
		return -EINVAL;	/* direct descriptors: OPENAT's only */
	q->file_index = sqe->file_index;
	switch (sqe->opcode) {
	case IORING_OP_OPENAT:	/* openat(dirfd, path, flags, mode) */
		a[0] = (unsigned long)(long)sqe->fd;
		a[1] = sqe->addr;
		a[2] = sqe->op_flags;
		a[3] = sqe->len;
		break;
	case IORING_OP_STATX:	/* statx(dirfd, path, flags, mask, buf) */
		a[0] = (unsigned long)(long)sqe->fd;
		a[1] = sqe->addr;
		a[2] = sqe->op_flags;
		a[3] = sqe->len;
		a[4] = sqe->off;
		break;
	case IORING_OP_UNLINKAT:	/* unlinkat(dirfd, path, flags) */
	case IORING_OP_MKDIRAT:		/* mkdirat(dirfd, path, mode) */
		if (sqe->off || (sqe->opcode == IORING_OP_UNLINKAT && sqe->len))
			return -EINVAL;
		a[0] = (unsigned long)(long)sqe->fd;
		a[1] = sqe->addr;
		a[2] = sqe->opcode == IORING_OP_UNLINKAT ? sqe->op_flags : sqe->len;
		break;
	case IORING_OP_RENAMEAT:	/* renameat2(olddirfd, old, newdirfd, new, flags) */
	case IORING_OP_LINKAT:		/* linkat(olddirfd, old, newdirfd, new, flags) */
		a[0] = (unsigned long)(long)sqe->fd;
		a[1] = sqe->addr;
		a[2] = (unsigned long)(long)(int32_t)sqe->len;
		a[3] = sqe->off;
		a[4] = sqe->op_flags;
		break;
	case IORING_OP_SYMLINKAT:	/* symlinkat(target, newdirfd, linkpath) */
		if (sqe->len || sqe->op_flags)
			return -EINVAL;
		a[0] = sqe->addr;
		a[1] = (unsigned long)(long)sqe->fd;
		a[2] = sqe->off;
		break;
	default:
		return -EINVAL;
	}
	d = syscall_lookup(sysop_nr(sqe->opcode));
	if (!d)
		return -EINVAL;
	res = d->fn(&sys);
out:
	if (sys.pending) {
		q->inner = sys.pending;	/* awaited by the request, as a read's future */
		return 0;
	}
	return uring_sysop_result(q, res);
}

/*
 * The result of a syscall-run op. OPENAT with file_index (a direct descriptor): the file
 * the open installed moves from the fd table into registered slot file_index - 1 (0), or
 * into a free one for IORING_FILE_INDEX_ALLOC (its index), where Linux installs it
 * directly; the fd lives only while the submitter runs this (its other threads could see
 * it for that moment).
 */
long uring_sysop_result(struct ureq *q, long res)
{
	struct file *f;

	if (q->op != IORING_OP_OPENAT || !q->file_index || res < 0)
		return res;
	f = fd_get(q->p, (int)res);
	fdtable_close(proc_files(q->p), (int)res);
	return f ? uring_files_install(q->r, f, q->file_index) : -EBADF;
}
