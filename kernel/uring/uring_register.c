// SPDX-License-Identifier: MIT
/*
 * io_uring_register: PROBE, FILES / UNREGISTER_FILES (IOSQE_FIXED_FILE),
 * FILES_UPDATE, FILES2 (sparse too), FILES_UPDATE2 (without resource tags),
 * BUFFERS / UNREGISTER_BUFFERS (READ_FIXED, WRITE_FIXED: the iovecs are
 * kept and each fixed request is checked to lie inside its buffer; no pages
 * are pinned), EVENTFD / UNREGISTER_EVENTFD (one write of 1 per CQE).
 * Under the ring's submission lock, so no SQE sees a table half changed.
 */
#include "kernel/uring/uring.h"
#include "kernel/uring/uring_req.h"

#include "kernel/fs/fdtable.h"
#include "kernel/fs/vfs.h"
#include "kernel/ipc/eventfd.h"
#include "kernel/mm/as.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/proc.h"
#include "kernel/syscall/syscall.h"
#include "lib/errno.h"

struct probe_op {
	uint8_t op, resv;
	uint16_t flags;
	uint32_t resv2;
};

static long reg_probe(struct proc *p, uintptr_t arg, unsigned nr)
{
	struct {
		uint8_t last_op, ops_len;
		uint16_t resv;
		uint32_t resv2[3];
	} hdr;
	struct probe_op op;

	if (nr > 256)
		nr = 256;
	if (copy_from_user(proc_as(p), &hdr, arg, sizeof(hdr)))
		return -EFAULT;
	if (hdr.last_op || hdr.ops_len || hdr.resv || hdr.resv2[0] || hdr.resv2[1] || hdr.resv2[2])
		return -EINVAL;
	hdr.last_op = IORING_OP_LAST - 1;
	hdr.ops_len = (uint8_t)(nr < IORING_OP_LAST ? nr : IORING_OP_LAST);
	if (copy_to_user(proc_as(p), arg, &hdr, sizeof(hdr)))
		return -EFAULT;
	for (unsigned i = 0; i < hdr.ops_len; i++) {
		op = (struct probe_op){ .op = (uint8_t)i, .flags = uring_op_supported(i) ? 1 : 0 };
		if (copy_to_user(proc_as(p), arg + sizeof(hdr) + i * sizeof(op), &op, sizeof(op)))
			return -EFAULT;
	}
	return 0;
}

static long reg_files(struct uring *r, struct proc *p, uintptr_t arg, unsigned nr)
{
	struct file **files;

	if (r->files)
		return -EBUSY;
	if (!nr)
		return -EINVAL;
	if (nr > URING_MAX_FILES)
		return -EMFILE;	/* as Linux past its table limit (liburing raises RLIMIT_NOFILE) */
	files = kzalloc(nr * sizeof(*files));
	if (!files)
		return -ENOMEM;
	for (unsigned i = 0; i < nr; i++) {
		int32_t fd;

		if (copy_from_user(proc_as(p), &fd, arg + i * 4, 4)) {
			for (unsigned j = 0; j < i; j++)
				file_put(files[j]);
			kfree(files);
			return -EFAULT;
		}
		if (fd == -1)
			continue;	/* a sparse slot */
		files[i] = fd_get(p, fd);
		if (!files[i] || uring_is_ring(files[i])) {
			for (unsigned j = 0; j <= i; j++)
				file_put(files[j]);
			kfree(files);
			return -EBADF;
		}
	}
	r->files = files;
	r->nfiles = nr;
	return 0;
}

/*
 * Update nr slots of the registered table from the fds at ufds, from slot off on (or, for
 * the FILES_UPDATE op with off IORING_FILE_INDEX_ALLOC, each into a free slot, whose index
 * is written back over its fd): -1 empties a slot, IORING_REGISTER_FILES_SKIP leaves it.
 * Returns how many were done, or the error of the first when none was (Linux's
 * __io_sqe_files_update). Takes the submission lock; the files replaced are put after it.
 */
long uring_files_update(struct uring *r, struct proc *p, uint32_t off, uintptr_t ufds,
			unsigned nr, bool op)
{
	bool alloc = op && off == IORING_FILE_INDEX_ALLOC;
	struct file **old;
	unsigned done = 0, nold = 0;
	long err = 0;
	irqflags_t fl;

	if (!nr || nr > URING_MAX_FILES)
		return -EINVAL;
	old = kmalloc(nr * sizeof(*old));
	if (!old)
		return -ENOMEM;
	fl = spin_lock_irqsave(&r->sq_lock);
	if (!r->files)
		err = -ENXIO;
	else if (!alloc && ((uint64_t)off + nr > r->nfiles))
		err = -EINVAL;
	for (; !err && done < nr; done++) {
		struct file *nf = NULL;
		int32_t fd;
		unsigned i = off + done;

		if (copy_from_user(proc_as(p), &fd, ufds + done * 4, 4)) {
			err = -EFAULT;
			break;
		}
		if (fd == IORING_REGISTER_FILES_SKIP && !alloc)
			continue;
		if (fd != -1 || alloc) {
			nf = fd_get(p, fd);
			if (!nf || uring_is_ring(nf)) {
				file_put(nf);
				err = -EBADF;
				break;
			}
		}
		if (alloc) {
			for (i = 0; i < r->nfiles && r->files[i]; i++)
				;
			if (i == r->nfiles) {
				file_put(nf);
				err = -ENFILE;
				break;
			}
			int32_t idx = (int32_t)i;

			if (copy_to_user(proc_as(p), ufds + done * 4, &idx, 4)) {
				file_put(nf);
				err = -EFAULT;
				break;
			}
		}
		if (r->files[i])
			old[nold++] = r->files[i];
		r->files[i] = nf;
	}
	spin_unlock_irqrestore(&r->sq_lock, fl);
	while (nold)
		file_put(old[--nold]);
	kfree(old);
	return done ? (long)done : err;
}

/* CLOSE of a registered slot: Linux's errors (no table, out of it, empty). */
int uring_close_fixed(struct uring *r, uint32_t slot)
{
	struct file *f;
	irqflags_t fl = spin_lock_irqsave(&r->sq_lock);

	if (!r->files) {
		spin_unlock_irqrestore(&r->sq_lock, fl);
		return -ENXIO;
	}
	if (slot >= r->nfiles || !r->files[slot]) {
		spin_unlock_irqrestore(&r->sq_lock, fl);
		return slot >= r->nfiles ? -EINVAL : -EBADF;
	}
	f = r->files[slot];
	r->files[slot] = NULL;
	spin_unlock_irqrestore(&r->sq_lock, fl);
	file_put(f);	/* after the lock: a release may do anything */
	return 0;
}

long uring_files_install(struct uring *r, struct file *f, uint32_t file_index)
{
	struct file *old = NULL;
	long res;
	irqflags_t fl = spin_lock_irqsave(&r->sq_lock);
	uint32_t i = file_index - 1;

	if (!r->files) {
		res = -ENXIO;
	} else if (file_index == IORING_FILE_INDEX_ALLOC) {
		for (i = 0; i < r->nfiles && r->files[i]; i++)
			;
		res = i < r->nfiles ? (long)i : -ENFILE;
	} else {
		res = i < r->nfiles ? 0 : -EINVAL;
	}
	if (res >= 0) {
		old = r->files[i];
		r->files[i] = f;
		f = NULL;
	}
	spin_unlock_irqrestore(&r->sq_lock, fl);
	file_put(old);	/* after the lock: a release may do anything */
	file_put(f);	/* not installed */
	return res;
}

static long reg_bufs(struct uring *r, struct proc *p, uintptr_t arg, unsigned nr)
{
	struct iovec *b;

	if (r->bufs)
		return -EBUSY;
	if (!nr || nr > URING_MAX_BUFS)
		return -EINVAL;
	b = kmalloc(nr * sizeof(*b));
	if (!b)
		return -ENOMEM;
	if (copy_from_user(proc_as(p), b, arg, nr * sizeof(*b))) {
		kfree(b);
		return -EFAULT;
	}
	for (unsigned i = 0; i < nr; i++) {
		if (!b[i].base && !b[i].len)
			continue;	/* a sparse slot, as Linux */
		if (!b[i].len || b[i].len > (1ul << 30) || b[i].base + b[i].len < b[i].base ||
		    b[i].base + b[i].len > 0x4000000000ul || !b[i].base) {
			kfree(b);
			return -EFAULT;
		}
		/* Every page must be there and writable, as Linux's pinning asks (the
		 * pages are faulted in, not pinned: a later munmap gives -EFAULT then). */
		for (uintptr_t va = b[i].base & ~4095ul; va < b[i].base + b[i].len; va += 4096) {
			if (as_handle_fault(proc_as(p), va, AS_PROT_WRITE)) {
				kfree(b);
				return -EFAULT;
			}
		}
	}
	r->bufs = b;
	r->nbufs = nr;
	return 0;
}

/*
 * FILES_UPDATE (struct io_uring_files_update, nr fds), FILES2 and FILES_UPDATE2 (struct
 * io_uring_rsrc_register / io_uring_rsrc_update2, nr its size). Resource tags (a CQE when
 * a file leaves its slot) are not kept here: a non-zero tags pointer is -EINVAL.
 */
static long reg_rsrc(struct uring *r, struct proc *p, unsigned op, uintptr_t arg, unsigned nr)
{
	struct {
		uint32_t off_or_nr, flags_or_resv;
		uint64_t a, b, c;	/* update2: data, tags, nr|resv2; register: resv2, data, tags */
	} u = { 0 };
	irqflags_t fl;
	long err;

	if (op == IORING_REGISTER_FILES_UPDATE) {
		if (!nr)
			return -EINVAL;
		if (copy_from_user(proc_as(p), &u, arg, 16))
			return -EFAULT;
		if (u.flags_or_resv)
			return -EINVAL;
		return uring_files_update(r, p, u.off_or_nr, u.a, nr, false);
	}
	if (nr != 32)
		return -EINVAL;
	if (copy_from_user(proc_as(p), &u, arg, 32))
		return -EFAULT;
	if (op == IORING_REGISTER_FILES_UPDATE2) {
		uint32_t n = (uint32_t)u.c;

		if (u.flags_or_resv || (u.c >> 32))
			return -EINVAL;
		if (u.b)
			return -EINVAL;	/* tags */
		return uring_files_update(r, p, u.off_or_nr, u.a, n, false);
	}
	/* FILES2: nr slots, from data (or all empty with IORING_RSRC_REGISTER_SPARSE). */
	if (!u.off_or_nr || u.a || (u.flags_or_resv & ~IORING_RSRC_REGISTER_SPARSE) || u.c)
		return -EINVAL;
	if (u.flags_or_resv & IORING_RSRC_REGISTER_SPARSE) {
		struct file **files;

		if (u.b)
			return -EINVAL;
		if (u.off_or_nr > URING_MAX_FILES)
			return -EMFILE;
		files = kzalloc(u.off_or_nr * sizeof(*files));
		if (!files)
			return -ENOMEM;
		fl = spin_lock_irqsave(&r->sq_lock);
		err = r->files ? -EBUSY : 0;
		if (!err) {
			r->files = files;
			r->nfiles = u.off_or_nr;
		}
		spin_unlock_irqrestore(&r->sq_lock, fl);
		if (err)
			kfree(files);
		return err;
	}
	fl = spin_lock_irqsave(&r->sq_lock);
	err = reg_files(r, p, u.b, u.off_or_nr);
	spin_unlock_irqrestore(&r->sq_lock, fl);
	return err;
}

SYSCALL(427, io_uring_register)
{
	struct proc *p = sc->proc;
	unsigned op = (unsigned)sc->arg[1], nr = (unsigned)sc->arg[3];
	uintptr_t arg = sc->arg[2];
	struct file *f, *efd, *old_efd = NULL, **old_files = NULL;
	unsigned old_n = 0;
	struct uring *r;
	long err;

	r = uring_of(p, (int)sc->arg[0], &f, &err);
	if (!r)
		return err;
	if (op == IORING_REGISTER_FILES_UPDATE || op == IORING_REGISTER_FILES_UPDATE2 ||
	    op == IORING_REGISTER_FILES2) {
		err = reg_rsrc(r, p, op, arg, nr);	/* takes the lock itself */
		file_put(f);
		return err;
	}
	irqflags_t fl = spin_lock_irqsave(&r->sq_lock);

	switch (op) {
	case IORING_REGISTER_PROBE:
		err = reg_probe(p, arg, nr);
		break;
	case IORING_REGISTER_FILES:
		err = reg_files(r, p, arg, nr);
		break;
	case IORING_UNREGISTER_FILES:
		/* Put after the lock: a release may do anything. */
		err = r->files ? 0 : -ENXIO;
		old_files = r->files;
		old_n = r->nfiles;
		r->files = NULL;
		r->nfiles = 0;
		break;
	case IORING_REGISTER_BUFFERS:
		err = reg_bufs(r, p, arg, nr);
		break;
	case IORING_UNREGISTER_BUFFERS:
		err = r->bufs ? 0 : -ENXIO;
		kfree(r->bufs);
		r->bufs = NULL;
		r->nbufs = 0;
		break;
	case IORING_REGISTER_EVENTFD: {
		int32_t fd;

		err = 0;
		if (nr != 1)
			err = -EINVAL;
		else if (copy_from_user(proc_as(p), &fd, arg, 4))
			err = -EFAULT;
		else if (r->eventfd)
			err = -EBUSY;
		else if (!(efd = fd_get(p, fd)))
			err = -EBADF;
		else if (!eventfd_is(efd)) {
			file_put(efd);
			err = -EINVAL;
		} else {
			irqflags_t fl2 = spin_lock_irqsave(&r->lock);

			r->eventfd = efd;
			spin_unlock_irqrestore(&r->lock, fl2);
		}
		break;
	}
	case IORING_UNREGISTER_EVENTFD: {
		irqflags_t fl2 = spin_lock_irqsave(&r->lock);

		efd = r->eventfd;
		r->eventfd = NULL;
		spin_unlock_irqrestore(&r->lock, fl2);
		err = efd ? 0 : -ENXIO;
		old_efd = efd;
		break;
	}
	default:
		err = -EINVAL;
		break;
	}
	spin_unlock_irqrestore(&r->sq_lock, fl);
	for (unsigned i = 0; i < old_n; i++)
		file_put(old_files[i]);
	kfree(old_files);
	file_put(old_efd);
	file_put(f);
	return err;
}
