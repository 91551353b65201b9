// SPDX-License-Identifier: MIT
/*
 * The socket syscalls over unix.h: socket, socketpair, bind, listen,
 * accept4, connect, shutdown, getsockname, getpeername, sendto, recvfrom,
 * sendmsg, recvmsg. Those that may wait run through sockcall.c; the
 * options are in sys_sockopt.c.
 */
#include "kernel/fs/fdtable.h"
#include "kernel/fs/fs_syscall.h"
#include "kernel/fs/vfs.h"
#include "kernel/ipc/sockcall.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/proc.h"
#include "kernel/syscall/syscall.h"
#include "lib/errno.h"
#include "lib/string.h"

/* ---- creating and naming -------------------------------------------------------------- */

static int check_type(long domain, long type, long protocol, int *base)
{
	if (type & ~(long)(SOCK_TYPE_MASK | SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	if (domain != AF_UNIX)
		return -EAFNOSUPPORT;
	*base = (int)(type & SOCK_TYPE_MASK);
	if (*base == SOCK_RAW)
		*base = SOCK_DGRAM;	/* as Linux for AF_UNIX */
	if (*base != SOCK_STREAM && *base != SOCK_DGRAM && *base != SOCK_SEQPACKET)
		return -ESOCKTNOSUPPORT;
	if (protocol != 0 && protocol != AF_UNIX)
		return -EPROTONOSUPPORT;
	return 0;
}

static int install_new(struct proc *p, struct unix_sock *sk, unsigned flags)
{
	struct file *f;
	int fd, err = unix_file_new(sk, flags, &f);

	unix_sock_put(sk);
	if (err)
		return err;
	fd = fd_install(p, f, (int)(flags & SOCK_CLOEXEC));
	if (fd < 0)
		file_put(f);
	return fd;
}

SYSCALL(198, socket)
{
	int type, err = check_type((long)(int)sc->arg[0], (long)(int)sc->arg[1],
				   (long)(int)sc->arg[2], &type);
	struct unix_sock *sk;

	if (err)
		return err;
	sk = unix_sock_new(type);
	if (!sk)
		return -ENOMEM;
	return install_new(sc->proc, sk, (unsigned)sc->arg[1]);
}

SYSCALL(199, socketpair)
{
	struct proc *p = sc->proc;
	unsigned flags = (unsigned)sc->arg[1];
	int type, fds[2], err = check_type((long)(int)sc->arg[0], (long)(int)sc->arg[1],
					   (long)(int)sc->arg[2], &type);
	struct unix_sock *a, *b;
	struct ucred cr = sock_caller_cred(p);

	if (err)
		return err;
	a = unix_sock_new(type);
	b = unix_sock_new(type);
	if (!a || !b) {
		unix_sock_put(a);
		unix_sock_put(b);
		return -ENOMEM;
	}
	unix_pair(a, b, &cr);
	fds[0] = install_new(p, a, flags);
	if (fds[0] < 0) {
		unix_sock_put(b);
		return fds[0];
	}
	fds[1] = install_new(p, b, flags);
	if (fds[1] < 0) {
		fdtable_close(proc_files(p), fds[0]);
		return fds[1];
	}
	if (copy_to_user(proc_as(p), sc->arg[3], fds, sizeof(fds))) {
		fdtable_close(proc_files(p), fds[0]);
		fdtable_close(proc_files(p), fds[1]);
		return -EFAULT;
	}
	return 0;
}

FS_SYSCALL(200, bind)
{
	struct unix_addr a;
	struct file *f;
	int err = sock_fd_get(sc->proc, (int)sc->arg[0], &f);

	if (err)
		return err;
	err = unix_addr_from_user(sc->proc, sc->arg[1], (uint32_t)sc->arg[2], &a);
	if (!err)
		err = unix_bind(sc->proc, unix_sk(f), &a);
	file_put(f);
	return err;
}

SYSCALL(201, listen)
{
	struct ucred cr = sock_caller_cred(sc->proc);
	struct file *f;
	int err = sock_fd_get(sc->proc, (int)sc->arg[0], &f);

	if (err)
		return err;
	err = unix_listen(unix_sk(f), (int)sc->arg[1], &cr);
	file_put(f);
	return err;
}

static long do_accept(struct sys_ctx *sc, unsigned flags)
{
	struct sockcall *c;
	struct file *f;
	int err;

	if (flags & ~(unsigned)(SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	err = sock_fd_get(sc->proc, (int)sc->arg[0], &f);
	if (err)
		return err;
	c = sockcall_new(sc, SK_ACCEPT, f);
	if (!c)
		return -ENOMEM;
	c->aflags = flags;
	c->uname = sc->arg[1];
	c->unamelen = sc->arg[2];
	return sockcall_run(sc, c, f->flags & O_NONBLOCK);
}

SYSCALL_ASYNC(202, accept)
{
	return do_accept(sc, 0);
}

SYSCALL_ASYNC(242, accept4)
{
	return do_accept(sc, (unsigned)sc->arg[3]);
}

FS_SYSCALL(203, connect)
{
	struct unix_addr a;
	struct unix_sock *other;
	struct sockcall *c;
	struct file *f;
	int err = sock_fd_get(sc->proc, (int)sc->arg[0], &f);

	if (err)
		return err;
	if (sc->arg[2] >= 2 && unix_sk(f)->type == SOCK_DGRAM) {
		uint16_t family;

		if (copy_from_user(proc_as(sc->proc), &family, sc->arg[1], sizeof(family))) {
			file_put(f);
			return -EFAULT;
		}
		if (family == 0) {
			/* AF_UNSPEC: forget the default peer. */
			struct unix_sock *sk = unix_sk(f), *old;
			irqflags_t fl = spin_lock_irqsave(&sk->lock);

			old = sk->peer;
			sk->peer = NULL;
			sk->state = UNIX_UNCONNECTED;
			spin_unlock_irqrestore(&sk->lock, fl);
			unix_sock_put(old);
			file_put(f);
			return 0;
		}
	}
	err = unix_addr_from_user(sc->proc, sc->arg[1], (uint32_t)sc->arg[2], &a);
	if (!err)
		err = unix_lookup(sc->proc, &a, &other);
	if (err) {
		file_put(f);
		return err;
	}
	c = sockcall_new(sc, SK_CONNECT, f);
	if (!c) {
		unix_sock_put(other);
		return -ENOMEM;
	}
	c->other = other;
	return sockcall_run(sc, c, f->flags & O_NONBLOCK);
}

SYSCALL(210, shutdown)
{
	struct file *f;
	int err = sock_fd_get(sc->proc, (int)sc->arg[0], &f);

	if (err)
		return err;
	/* Unconnected sockets too: Linux's AF_UNIX says 0, not ENOTCONN. */
	err = unix_shutdown(unix_sk(f), (int)sc->arg[1]);
	file_put(f);
	return err;
}

static long get_name(struct sys_ctx *sc, bool peer)
{
	struct unix_sock *sk, *other = NULL;
	struct unix_addr *a = NULL;
	struct file *f;
	int err = sock_fd_get(sc->proc, (int)sc->arg[0], &f);

	if (err)
		return err;
	sk = unix_sk(f);
	if (peer) {
		irqflags_t fl = spin_lock_irqsave(&sk->lock);

		if (sk->peer) {
			other = sk->peer;
			inode_get(&other->inode);
		}
		spin_unlock_irqrestore(&sk->lock, fl);
		if (!other) {
			file_put(f);
			return -ENOTCONN;
		}
		a = other->addr;
	} else {
		a = sk->addr;
	}
	err = unix_addr_to_user(sc->proc, a, sc->arg[1], sc->arg[2]);
	unix_sock_put(other);
	file_put(f);
	return err;
}

SYSCALL(204, getsockname)
{
	return get_name(sc, false);
}

SYSCALL(205, getpeername)
{
	return get_name(sc, true);
}

/* ---- data -------------------------------------------------------------------------------- */

/* Parse sendmsg's control messages into c->m: -EINVAL, -EBADF, -EFAULT, -ENOMEM. */
static int get_control(struct sockcall *c)
{
	struct as *as = proc_as(c->p);
	uintptr_t at = c->msg.control;
	size_t left = c->msg.controllen;

	if (!at || left < sizeof(struct kcmsghdr))
		return 0;
	while (left >= sizeof(struct kcmsghdr)) {
		struct kcmsghdr h;
		size_t n;

		if (copy_from_user(as, &h, at, sizeof(h)))
			return -EFAULT;
		if (h.len < sizeof(h) || h.len > left)
			return -EINVAL;
		n = h.len - sizeof(h);
		if (h.level != SOL_SOCKET)
			return -EINVAL;
		if (h.type == SCM_RIGHTS) {
			unsigned cnt = (unsigned)(n / sizeof(int));

			if (!cnt || c->m.nfds + cnt > SCM_MAX_FD)
				return -EINVAL;
			struct file **fds = kmalloc((c->m.nfds + cnt) * sizeof(*fds));

			if (!fds)
				return -ENOMEM;
			for (unsigned i = 0; i < c->m.nfds; i++)
				fds[i] = c->m.fds[i];
			kfree(c->m.fds);
			c->m.fds = fds;
			for (unsigned i = 0; i < cnt; i++) {
				int fd;

				if (copy_from_user(as, &fd, at + sizeof(h) + i * sizeof(int),
						   sizeof(fd)))
					return -EFAULT;
				fds[c->m.nfds] = fd_get(c->p, fd);
				if (!fds[c->m.nfds])
					return -EBADF;
				c->m.nfds++;
			}
		} else if (h.type == SCM_CREDENTIALS) {
			if (n != sizeof(struct ucred))
				return -EINVAL;
			if (copy_from_user(as, &c->m.cred, at + sizeof(h), sizeof(c->m.cred)))
				return -EFAULT;
			/* Everyone is root today: any pid and ids may be claimed
			 * (Linux checks CAP_SYS_ADMIN / CAP_SETUID). */
			c->m.has_cred = true;
		} else {
			return -EINVAL;
		}
		size_t step = CMSG_ALIGN(h.len);

		if (step >= left)
			break;
		at += step;
		left -= step;
	}
	return 0;
}

/* The iovec array of a msghdr into c (kernel copy): -EMSGSIZE, -EFAULT, -ENOMEM. */
static int get_iov(struct sockcall *c)
{
	struct as *as = proc_as(c->p);
	size_t total = 0;

	if (c->msg.iovlen > IOV_MAX)
		return -EMSGSIZE;
	if (c->msg.iovlen > 1) {
		c->iov = kmalloc(c->msg.iovlen * sizeof(struct iovec));
		if (!c->iov) {
			c->iov = &c->iov1;
			return -ENOMEM;
		}
	}
	if (c->msg.iovlen &&
	    copy_from_user(as, c->iov, c->msg.iov, c->msg.iovlen * sizeof(struct iovec)))
		return -EFAULT;
	for (size_t i = 0; i < c->msg.iovlen; i++) {
		if ((int64_t)c->iov[i].len < 0 || total + c->iov[i].len < total)
			return -EINVAL;
		total += c->iov[i].len;
	}
	uio_init_user(&c->uio, as, c->iov, (unsigned)c->msg.iovlen);
	return 0;
}

/* A datagram destination named by (uaddr, len) into c->other. */
static int get_dest(struct sockcall *c, uintptr_t uaddr, uint32_t len)
{
	struct unix_addr a;
	int err;

	if (!uaddr || !len)
		return 0;
	c->m.has_to = true;
	if (c->sk->type != SOCK_DGRAM)
		return 0;	/* streams say EISCONN / EOPNOTSUPP, seqpacket ignores it */
	err = unix_addr_from_user(c->p, uaddr, len, &a);
	if (!err)
		err = unix_lookup(c->p, &a, &c->other);
	if (!err)
		c->m.to_sk = c->other;
	return err;
}

static long do_send(struct sys_ctx *sc, struct sockcall *c, uintptr_t uaddr, uint32_t alen)
{
	int err = get_dest(c, uaddr, alen);

	if (err == -EIOWAIT) {
		sockcall_free(c);
		return err;
	}
	if (err) {
		sockcall_free(c);
		return err;
	}
	return sockcall_run(sc, c, sockcall_nonblock(c));
}

int sockcall_msghdr(struct sockcall *c, uintptr_t umsg, bool send)
{
	int err = 0;

	if (copy_from_user(proc_as(c->p), &c->msg, umsg, sizeof(c->msg)))
		return -EFAULT;
	err = get_iov(c);
	if (!err && send)
		err = get_control(c);
	if (!err && send)
		err = get_dest(c, c->msg.name, c->msg.namelen);
	if (!send)
		c->umsg = umsg;
	return err;
}

/* sendto(fd, buf, len, flags, addr, addrlen) */
FS_SYSCALL(206, sendto)
{
	struct sockcall *c;
	struct file *f;
	int err = sock_fd_get(sc->proc, (int)sc->arg[0], &f);

	if (err)
		return err;
	c = sockcall_new(sc, SK_SEND, f);
	if (!c)
		return -ENOMEM;
	c->m.flags = (unsigned)sc->arg[3];
	c->iov1 = (struct iovec){ .base = sc->arg[1], .len = sc->arg[2] };
	uio_init_user(&c->uio, proc_as(sc->proc), &c->iov1, 1);
	return do_send(sc, c, sc->arg[4], (uint32_t)sc->arg[5]);
}

/* sendmsg(fd, msg, flags) */
FS_SYSCALL(211, sendmsg)
{
	struct sockcall *c;
	struct file *f;
	int err = sock_fd_get(sc->proc, (int)sc->arg[0], &f);

	if (err)
		return err;
	c = sockcall_new(sc, SK_SEND, f);
	if (!c)
		return -ENOMEM;
	c->m.flags = (unsigned)sc->arg[2];
	if (copy_from_user(proc_as(sc->proc), &c->msg, sc->arg[1], sizeof(c->msg)))
		err = -EFAULT;
	if (!err)
		err = get_iov(c);
	if (!err)
		err = get_control(c);
	if (err) {
		sockcall_free(c);
		return err;
	}
	return do_send(sc, c, c->msg.name, c->msg.namelen);
}

/* recvfrom(fd, buf, len, flags, addr, addrlen) */
SYSCALL_ASYNC(207, recvfrom)
{
	struct sockcall *c;
	struct file *f;
	int err = sock_fd_get(sc->proc, (int)sc->arg[0], &f);

	if (err)
		return err;
	c = sockcall_new(sc, SK_RECV, f);
	if (!c)
		return -ENOMEM;
	c->m.flags = (unsigned)sc->arg[3];
	c->iov1 = (struct iovec){ .base = sc->arg[1], .len = sc->arg[2] };
	uio_init_user(&c->uio, proc_as(sc->proc), &c->iov1, 1);
	if (sc->arg[4] && sc->arg[5]) {
		c->uname = sc->arg[4];
		c->unamelen = sc->arg[5];
	}
	return sockcall_run(sc, c, sockcall_nonblock(c));
}

/* recvmsg(fd, msg, flags) */
SYSCALL_ASYNC(212, recvmsg)
{
	struct sockcall *c;
	struct file *f;
	int err = sock_fd_get(sc->proc, (int)sc->arg[0], &f);

	if (err)
		return err;
	c = sockcall_new(sc, SK_RECV, f);
	if (!c)
		return -ENOMEM;
	c->m.flags = (unsigned)sc->arg[2];
	c->umsg = sc->arg[1];
	if (copy_from_user(proc_as(sc->proc), &c->msg, sc->arg[1], sizeof(c->msg)))
		err = -EFAULT;
	if (!err)
		err = get_iov(c);
	if (err) {
		sockcall_free(c);
		return err;
	}
	return sockcall_run(sc, c, sockcall_nonblock(c));
}
