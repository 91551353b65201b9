// SPDX-License-Identifier: MIT
/* getsockopt and setsockopt of AF_UNIX sockets (SOL_SOCKET), as Linux. */
#include "kernel/ipc/sockcall.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/proc.h"
#include "kernel/syscall/syscall.h"
#include "lib/errno.h"

#define SO_TYPE 3
#define SO_ERROR 4
#define SO_SNDBUF 7
#define SO_RCVBUF 8
#define SO_PASSCRED 16
#define SO_PEERCRED 17
#define SO_PROTOCOL 38
#define SO_DOMAIN 39
#define SO_ACCEPTCONN 30
#define SOCK_MIN_BUF 4608
#define SOCK_MAX_BUF (2 * 212992)

SYSCALL(209, getsockopt)
{
	struct proc *p = sc->proc;
	struct as *as = proc_as(p);
	int level = (int)sc->arg[1], name = (int)sc->arg[2];
	struct unix_sock *sk;
	struct file *f;
	int32_t len, v = 0;
	struct ucred cr;
	const void *src = &v;
	size_t size = sizeof(v);
	int err = sock_fd_get(p, (int)sc->arg[0], &f);

	if (err)
		return err;
	sk = unix_sk(f);
	if (copy_from_user(as, &len, sc->arg[4], sizeof(len))) {
		err = -EFAULT;
		goto out;
	}
	if (len < 0) {
		err = -EINVAL;
		goto out;
	}
	if (level != SOL_SOCKET) {
		err = -EOPNOTSUPP;
		goto out;
	}
	irqflags_t fl = spin_lock_irqsave(&sk->lock);

	switch (name) {
	case SO_TYPE:
		v = sk->type;
		break;
	case SO_ERROR:
		v = sk->err;
		sk->err = 0;
		break;
	case SO_SNDBUF:
		v = sk->sndbuf;
		break;
	case SO_RCVBUF:
		v = sk->rcvbuf;
		break;
	case SO_PASSCRED:
		v = sk->passcred;
		break;
	case SO_ACCEPTCONN:
		v = sk->state == UNIX_LISTEN;
		break;
	case SO_DOMAIN:
		v = AF_UNIX;
		break;
	case SO_PROTOCOL:
		v = 0;
		break;
	case SO_PEERCRED:
		/* No peer: pid 0 and the overflow ids, as Linux. */
		cr = sk->has_peercred ? sk->peercred
				      : (struct ucred){ .pid = 0, .uid = 65534, .gid = 65534 };
		src = &cr;
		size = sizeof(cr);
		break;
	default:
		err = -ENOPROTOOPT;
		break;
	}
	spin_unlock_irqrestore(&sk->lock, fl);
	if (err)
		goto out;
	if ((size_t)len > size)
		len = (int32_t)size;
	if (copy_to_user(as, sc->arg[3], src, (size_t)len) ||
	    copy_to_user(as, sc->arg[4], &len, sizeof(len)))
		err = -EFAULT;
out:
	file_put(f);
	return err;
}

SYSCALL(208, setsockopt)
{
	struct proc *p = sc->proc;
	int level = (int)sc->arg[1], name = (int)sc->arg[2];
	struct unix_sock *sk;
	struct file *f;
	int32_t v;
	int err = sock_fd_get(p, (int)sc->arg[0], &f);

	if (err)
		return err;
	sk = unix_sk(f);
	if (level != SOL_SOCKET) {
		err = -EOPNOTSUPP;
		goto out;
	}
	if ((int)sc->arg[4] < (int)sizeof(v)) {
		err = -EINVAL;
		goto out;
	}
	if (copy_from_user(proc_as(p), &v, sc->arg[3], sizeof(v))) {
		err = -EFAULT;
		goto out;
	}
	irqflags_t fl = spin_lock_irqsave(&sk->lock);
	int64_t b = (int64_t)(v < 0 ? 0 : v) * 2;

	if (b < SOCK_MIN_BUF)
		b = SOCK_MIN_BUF;
	if (b > SOCK_MAX_BUF)
		b = SOCK_MAX_BUF;
	switch (name) {
	case SO_SNDBUF:
		sk->sndbuf = (int)b;
		break;
	case SO_RCVBUF:
		sk->rcvbuf = (int)b;
		break;
	case SO_PASSCRED:
		sk->passcred = v != 0;
		break;
	default:
		err = -ENOPROTOOPT;
		break;
	}
	spin_unlock_irqrestore(&sk->lock, fl);
	/* A bigger buffer may let a blocked sender go on. */
	waitq_wake_all(&sk->wr_wq);
out:
	file_put(f);
	return err;
}
