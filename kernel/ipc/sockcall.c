// SPDX-License-Identifier: MIT
/*
 * The socket call that may wait; see sockcall.h. A call that would block
 * becomes one future around the socket's try (unix.h): it registers on the
 * queue the last try named, then tries again (register first, then check),
 * until the try stops saying -EAGAIN.
 *
 *   (syscall: the first try would block) --> WAITING(queue q)
 *   WAITING --(woken: try again)--> WAITING(q') | DONE (results copied out)
 *   WAITING --(a signal)--> dropped: bytes already moved are the result;
 *                           otherwise restarted (SA_RESTART) or -EINTR
 */
#include "kernel/ipc/sockcall.h"

#include "kernel/async/waitq.h"
#include "kernel/fs/fdtable.h"
#include "kernel/fs/vfs.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/proc.h"
#include "lib/errno.h"
#include "lib/string.h"

struct ucred sock_caller_cred(struct proc *p)
{
	return (struct ucred){ .pid = proc_pid(p), .uid = 0, .gid = 0 };
}

/* The socket at fd, counted: -EBADF, -ENOTSOCK. */
int sock_fd_get(struct proc *p, int fd, struct file **out)
{
	struct file *f = fd_get(p, fd);

	if (!f)
		return -EBADF;
	if (!unix_is_socket(f)) {
		file_put(f);
		return -ENOTSOCK;
	}
	*out = f;
	return 0;
}

/* ---- the call that may wait --------------------------------------------------------- */

void sockcall_free(struct sockcall *c)
{
	if (c->m.fds)
		unix_msg_free_fds(c->m.fds, c->m.nfds);
	if (c->m.rfds)
		unix_msg_free_fds(c->m.rfds, c->m.nrfds);
	if (c->iov != &c->iov1)
		kfree(c->iov);
	unix_sock_put(c->other);
	file_put(c->file);
	kfree(c);
}

long sockcall_try(struct sockcall *c, struct waitq **wq)
{
	long r;

	switch (c->kind) {
	case SK_SEND:
		r = unix_try_send(c->sk, &c->m, c->p, wq);
		if (r == -EPIPE && !(c->m.flags & MSG_NOSIGNAL))
			proc_signal(c->p, SIGPIPE);
		return r;
	case SK_RECV:
		return unix_try_recv(c->sk, &c->m, c->p, wq);
	case SK_ACCEPT: {
		struct unix_sock *e;
		struct file *f;
		int fd;

		r = unix_try_accept(c->sk, &e, wq);
		if (r)
			return r;
		r = unix_file_new(e, c->aflags, &f);
		unix_sock_put(e);	/* the file holds it now (or nothing does) */
		if (r)
			return r;
		fd = fd_install(c->p, f, (int)(c->aflags & SOCK_CLOEXEC));
		if (fd < 0) {
			file_put(f);
			return fd;
		}
		if (c->uname) {
			struct unix_sock *peer = e->peer;

			/* Linux does not undo the accept when this fails. */
			if (unix_addr_to_user(c->p, peer ? peer->addr : NULL, c->uname,
					      c->unamelen))
				return -EFAULT;
		}
		return fd;
	}
	case SK_CONNECT: {
		struct ucred cr = sock_caller_cred(c->p);

		return unix_try_connect(c->sk, c->other, &cr, wq);
	}
	}
	return -EINVAL;
}

/* Install received files and write the control messages; the msg_flags to report. */
static long put_control(struct sockcall *c)
{
	struct as *as = proc_as(c->p);
	uintptr_t at = c->msg.control;
	size_t left = c->msg.control ? c->msg.controllen : 0, used = 0;
	unsigned flags = c->m.out_flags;

	if (c->m.rcred) {
		if (left < CMSG_LEN(sizeof(struct ucred))) {
			flags |= MSG_CTRUNC;
		} else {
			struct kcmsghdr h = { CMSG_LEN(sizeof(struct ucred)), SOL_SOCKET,
					      SCM_CREDENTIALS };

			if (copy_to_user(as, at, &h, sizeof(h)) ||
			    copy_to_user(as, at + sizeof(h), &c->m.rcv_cred, sizeof(c->m.rcv_cred)))
				return -EFAULT;
			size_t sp = CMSG_SPACE(sizeof(struct ucred));

			sp = sp < left ? sp : left;
			at += sp;
			left -= sp;
			used += sp;
		}
	}
	if (c->m.nrfds) {
		unsigned max = left > sizeof(struct kcmsghdr)
				       ? (unsigned)((left - sizeof(struct kcmsghdr)) / sizeof(int))
				       : 0;
		unsigned n = 0;

		if (max < c->m.nrfds)
			flags |= MSG_CTRUNC;
		for (unsigned i = 0; i < c->m.nrfds && n < max; i++) {
			int fd = fd_install(c->p, c->m.rfds[i],
					    (c->m.flags & MSG_CMSG_CLOEXEC) ? O_CLOEXEC : 0);

			if (fd < 0) {
				flags |= MSG_CTRUNC;
				break;
			}
			c->m.rfds[i] = NULL;	/* the table holds it now */
			if (copy_to_user(as, at + sizeof(struct kcmsghdr) + n * sizeof(int), &fd,
					 sizeof(fd)))
				return -EFAULT;
			n++;
		}
		if (n) {
			struct kcmsghdr h = { CMSG_LEN(n * sizeof(int)), SOL_SOCKET, SCM_RIGHTS };
			size_t sp = CMSG_SPACE(n * sizeof(int));

			if (copy_to_user(as, at, &h, sizeof(h)))
				return -EFAULT;
			used += sp < left ? sp : left;
		}
		for (unsigned i = 0; i < c->m.nrfds; i++)
			if (c->m.rfds[i])
				file_put(c->m.rfds[i]);
		kfree(c->m.rfds);
		c->m.rfds = NULL;
		c->m.nrfds = 0;
	}
	c->msg.controllen = used;
	return flags;
}

/* After the try: copy out what the call reports besides its result. */
long sockcall_finish(struct sockcall *c, long r)
{
	struct as *as = proc_as(c->p);

	if (c->kind != SK_RECV || r < 0)
		return r;
	if (c->uname && unix_addr_to_user(c->p, &c->m.from, c->uname, c->unamelen))
		return -EFAULT;
	if (c->umsg) {
		long flags = put_control(c);
		uint32_t namelen = 0;

		if (flags < 0)
			return flags;
		if (c->msg.name && c->m.from.len) {
			namelen = c->m.from.len < c->msg.namelen ? c->m.from.len : c->msg.namelen;
			if (copy_to_user(as, c->msg.name, c->m.from.name, namelen))
				return -EFAULT;
			namelen = c->m.from.len;
		}
		int32_t fl32 = (int32_t)flags;

		if (copy_to_user(as, c->umsg + offsetof(struct kmsghdr, namelen), &namelen,
				 sizeof(namelen)) ||
		    copy_to_user(as, c->umsg + offsetof(struct kmsghdr, controllen),
				 &c->msg.controllen, sizeof(c->msg.controllen)) ||
		    copy_to_user(as, c->umsg + offsetof(struct kmsghdr, flags), &fl32,
				 sizeof(fl32)))
			return -EFAULT;
	}
	return r;
}

struct sock_future {
	struct future base;
	struct sockcall *c;
	struct waitq *wq;		/* the queue the last try named */
	bool done;
	struct waitq_wait_future wait;
};

static void sockf_drop(struct future *f)
{
	struct sock_future *s = (struct sock_future *)f;

	future_drop(&s->wait.base);
	if (s->c) {
		sockcall_free(s->c);
		s->c = NULL;
	}
	s->done = true;
}

static enum poll sockf_poll(struct future *f, struct context *cx)
{
	struct sock_future *s = (struct sock_future *)f;
	long r;

	if (s->done)
		return POLL_READY;
	for (;;) {
		struct waitq *wq = s->wq;

		future_drop(&s->wait.base);
		waitq_wait_init(&s->wait, s->wq);
		f->awaiting = &s->wait.base;
		future_poll(&s->wait.base, cx);
		r = sockcall_try(s->c, &wq);
		if (r != -EAGAIN)
			break;
		if (wq == s->wq)
			return POLL_PENDING;
		s->wq = wq;	/* another queue this time: register there, try again */
	}
	f->awaiting = NULL;
	f->result = sockcall_finish(s->c, r);
	sockf_drop(f);
	return POLL_READY;
}

static long sockf_progress(const struct future *f)
{
	const struct sock_future *s = (const struct sock_future *)f;

	return s->c && (s->c->kind == SK_SEND || s->c->kind == SK_RECV) ? (long)s->c->m.done : 0;
}

static void sockf_release(struct future *f)
{
	kfree(f);
}

static const struct future_ops sockf_ops = {
	.name = "socket_wait",
	.type = "sock_future",
	.poll = sockf_poll,
	.drop = sockf_drop,
	.release = sockf_release,
	.progress = sockf_progress,
};

/* Try once; wait if it would block and the call may; otherwise finish. */
long sockcall_run(struct sys_ctx *sc, struct sockcall *c, bool nonblock)
{
	struct waitq *wq = NULL;
	struct sock_future *s;
	long r = sockcall_try(c, &wq);

	if (r == -EAGAIN && !nonblock) {
		s = kzalloc(sizeof(*s));
		if (s) {
			future_init(&s->base, &sockf_ops);
			s->c = c;
			s->wq = wq;
			waitq_wait_init(&s->wait, wq);
			sc->pending = &s->base;
			return 0;
		}
		r = -ENOMEM;
	}
	if (r == -EAGAIN && (c->kind == SK_SEND || c->kind == SK_RECV) && c->m.done)
		r = (long)c->m.done;	/* a partial non-blocking transfer */
	if (r == -EAGAIN && c->kind == SK_CONNECT)
		r = -EAGAIN;	/* as Linux for a full backlog, not EINPROGRESS */
	r = sockcall_finish(c, r);
	sockcall_free(c);
	return r;
}

struct sockcall *sockcall_new(struct sys_ctx *sc, enum sock_kind kind, struct file *f)
{
	struct sockcall *c = kzalloc(sizeof(*c));

	if (!c) {
		file_put(f);
		return NULL;
	}
	c->kind = kind;
	c->p = sc->proc;
	c->file = f;
	c->sk = unix_sk(f);
	c->iov = &c->iov1;
	c->m.uio = &c->uio;
	return c;
}

bool sockcall_nonblock(struct sockcall *c)
{
	return (c->file->flags & O_NONBLOCK) || (c->m.flags & MSG_DONTWAIT);
}
