// SPDX-License-Identifier: MIT
/*
 * io_uring_register: PROBE, FILES / UNREGISTER_FILES (IOSQE_FIXED_FILE),
 * BUFFERS / UNREGISTER_BUFFERS (READ_FIXED, WRITE_FIXED: the iovecs are
 * kept and each fixed request is checked to lie inside its buffer; no pages
 * are pinned), EVENTFD / UNREGISTER_EVENTFD (one write of 1 per CQE).
 * Under the ring's submission lock, so no SQE sees a table half changed.
 */
#include "kernel/uring/uring.h"

#include "kernel/fs/fdtable.h"
#include "kernel/fs/vfs.h"
#include "kernel/ipc/eventfd.h"
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
	if (!nr || nr > URING_MAX_FILES)
		return -EINVAL;
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
		if (b[i].len > (1ul << 30) || b[i].base + b[i].len < b[i].base ||
		    b[i].base + b[i].len > 0x4000000000ul || (!b[i].base && b[i].len)) {
			kfree(b);
			return b[i].len > (1ul << 30) ? -EFAULT : -EFAULT;
		}
	}
	r->bufs = b;
	r->nbufs = nr;
	return 0;
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
