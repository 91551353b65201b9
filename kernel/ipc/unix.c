// SPDX-License-Identifier: MIT
/*
 * AF_UNIX sockets: the socket object, closing, readiness, the accept and
 * connect tries and the file; see unix.h. Sending and receiving are in
 * unix_msg.c, names in unix_bind.c, the syscalls in sys_socket.c.
 *
 * Known limit: a socket whose own file is in flight in its own receive
 * queue (SCM_RIGHTS to itself) is never freed; Linux has a garbage
 * collector for such cycles, this kernel does not.
 */
#include "kernel/ipc/unix.h"

#include "kernel/fs/poll.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/proc.h"
#include "lib/errno.h"
#include "lib/string.h"


static struct superblock sock_sb = { .dev = 8, .name = "sockfs", .next_ino = 1 };

static void sock_evict(struct inode *ino);
static const struct inode_ops sock_iops = { .evict = sock_evict };

void unix_msg_free_fds(struct file **fds, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		file_put(fds[i]);
	kfree(fds);
}

struct unix_sock *unix_sock_new(int type)
{
	struct unix_sock *sk = kzalloc(sizeof(*sk));

	if (!sk)
		return NULL;
	inode_init(&sk->inode, &sock_sb, S_IFSOCK | 0777, &sock_iops, &unix_fops);
	sk->inode.priv = sk;
	spin_init(&sk->lock, "unix_sock");
	sk->type = type;
	sk->state = UNIX_UNCONNECTED;
	list_init(&sk->rcvq);
	list_init(&sk->acceptq);
	list_init(&sk->acc_node);
	list_init(&sk->bind_node);
	atomic_init(&sk->wmem, 0);
	sk->sndbuf = sk->rcvbuf = UNIX_DEFAULT_BUF;
	waitq_init(&sk->rd_wq);
	waitq_init(&sk->wr_wq);
	waitq_init(&sk->peer_wq);
	return sk;
}

void unix_sock_put(struct unix_sock *sk)
{
	if (sk)
		inode_put(&sk->inode);
}

void unix_wake_all(struct unix_sock *sk)
{
	waitq_wake_all(&sk->rd_wq);
	waitq_wake_all(&sk->wr_wq);
	waitq_wake_all(&sk->peer_wq);
}

/* Free a message taken off a queue (no lock held): its sender gets the room back. */
void unix_skb_free(struct unix_skb *skb)
{
	struct unix_sock *from = skb->from;

	if (skb->fds)
		unix_msg_free_fds(skb->fds, skb->nfds);
	if (from) {
		atomic_fetch_sub_explicit(&from->wmem, skb->len, memory_order_relaxed);
		waitq_wake_all(&from->wr_wq);
		unix_sock_put(from);
	}
	kfree(skb);
}

void unix_skb_free_list(struct list_head *l)
{
	while (!list_empty(l)) {
		struct unix_skb *skb = list_first_entry(l, struct unix_skb, node);

		list_del(&skb->node);
		unix_skb_free(skb);
	}
}

static void sock_evict(struct inode *ino)
{
	struct unix_sock *sk = ino->priv;
	LIST_HEAD(q);

	list_splice_tail_init(&sk->rcvq, &q);
	unix_skb_free_list(&q);
	kfree(sk->addr);
	kfree(sk);
}

/* The socket's last file is gone (or an embryo was never accepted). */
static void sock_close(struct unix_sock *sk)
{
	struct unix_sock *peer, *e;
	LIST_HEAD(q);
	LIST_HEAD(acc);
	bool unread;
	irqflags_t fl = spin_lock_irqsave(&sk->lock);

	sk->dead = true;
	sk->shutdown = RCV_SHUTDOWN | SEND_SHUTDOWN;
	peer = sk->peer;
	sk->peer = NULL;
	unread = !list_empty(&sk->rcvq);
	list_splice_tail_init(&sk->rcvq, &q);
	sk->rcv_bytes = 0;
	sk->rcv_msgs = 0;
	list_splice_tail_init(&sk->acceptq, &acc);
	sk->nacc = 0;
	spin_unlock_irqrestore(&sk->lock, fl);

	if (peer) {
		bool drop_back = false;

		fl = spin_lock_irqsave(&peer->lock);
		if (sk->type != SOCK_DGRAM && peer->peer == sk) {
			peer->shutdown = RCV_SHUTDOWN | SEND_SHUTDOWN;
			peer->peer = NULL;
			drop_back = true;
			if (unread)
				peer->err = ECONNRESET;
		}
		spin_unlock_irqrestore(&peer->lock, fl);
		unix_wake_all(peer);
		if (drop_back)
			unix_sock_put(sk);
		unix_sock_put(peer);
	}
	unix_skb_free_list(&q);
	while (!list_empty(&acc)) {
		e = list_first_entry(&acc, struct unix_sock, acc_node);
		list_del(&e->acc_node);
		sock_close(e);
		unix_sock_put(e);
	}
	unix_unbind(sk);
	unix_wake_all(sk);
}

static void unix_release(struct file *f)
{
	sock_close(unix_sk(f));
}

int unix_file_new(struct unix_sock *sk, unsigned flags, struct file **out)
{
	struct file *f = kzalloc(sizeof(*f));

	if (!f)
		return -ENOMEM;
	atomic_init(&f->ref, 1);
	f->flags = O_RDWR | (flags & O_NONBLOCK);
	f->inode = &unix_sock_get(sk)->inode;
	f->ops = &unix_fops;
	f->priv = sk;
	*out = f;
	return 0;
}

void unix_pair(struct unix_sock *a, struct unix_sock *b, const struct ucred *cred)
{
	a->peer = unix_sock_get(b);
	b->peer = unix_sock_get(a);
	a->state = b->state = UNIX_CONNECTED;
	a->peercred = b->peercred = *cred;
	a->has_peercred = b->has_peercred = true;
}

/* ---- readiness ------------------------------------------------------------------------ */

unsigned unix_ready(struct file *f)
{
	struct unix_sock *sk = unix_sk(f);
	unsigned ev = 0;
	irqflags_t fl = spin_lock_irqsave(&sk->lock);

	if (sk->err)
		ev |= POLLERR;
	if (sk->shutdown == (RCV_SHUTDOWN | SEND_SHUTDOWN))
		ev |= POLLHUP;
	if (sk->shutdown & RCV_SHUTDOWN)
		ev |= POLLRDHUP | POLLIN | POLLRDNORM;
	if (!list_empty(&sk->rcvq) || (sk->state == UNIX_LISTEN && sk->nacc))
		ev |= POLLIN | POLLRDNORM;
	if (sk->type != SOCK_DGRAM && sk->state == UNIX_UNCONNECTED)
		ev |= POLLHUP;
	if (sk->state != UNIX_LISTEN &&
	    atomic_load_explicit(&sk->wmem, memory_order_relaxed) * 4 <= (size_t)sk->sndbuf)
		ev |= POLLOUT | POLLWRNORM | POLLWRBAND;
	spin_unlock_irqrestore(&sk->lock, fl);
	return ev;
}

/* ---- connections ----------------------------------------------------------------------- */

int unix_listen(struct unix_sock *sk, int backlog, const struct ucred *cred)
{
	int err = 0;
	irqflags_t fl;

	if (sk->type == SOCK_DGRAM)
		return -EOPNOTSUPP;
	if (!sk->addr)
		return -EINVAL;
	if ((unsigned)backlog > 4096)
		backlog = 4096;	/* net.core.somaxconn */
	fl = spin_lock_irqsave(&sk->lock);
	if (sk->state == UNIX_CONNECTED) {
		err = -EINVAL;
	} else {
		sk->state = UNIX_LISTEN;
		sk->backlog = backlog;
		sk->peercred = *cred;
		sk->has_peercred = true;
	}
	spin_unlock_irqrestore(&sk->lock, fl);
	waitq_wake_all(&sk->peer_wq);	/* connectors waiting for room */
	waitq_wake_all(&sk->rd_wq);	/* readiness changed (no more POLLHUP) */
	return err;
}

long unix_try_accept(struct unix_sock *sk, struct unix_sock **out, struct waitq **wq)
{
	struct unix_sock *e = NULL;
	irqflags_t fl;

	if (sk->type == SOCK_DGRAM)
		return -EOPNOTSUPP;
	fl = spin_lock_irqsave(&sk->lock);
	if (sk->state != UNIX_LISTEN) {
		spin_unlock_irqrestore(&sk->lock, fl);
		return -EINVAL;
	}
	if (!list_empty(&sk->acceptq)) {
		e = list_first_entry(&sk->acceptq, struct unix_sock, acc_node);
		list_del(&e->acc_node);
		sk->nacc--;
	}
	spin_unlock_irqrestore(&sk->lock, fl);
	if (!e) {
		*wq = &sk->rd_wq;
		return -EAGAIN;
	}
	waitq_wake_all(&sk->peer_wq);
	*out = e;
	return 0;
}

long unix_try_connect(struct unix_sock *sk, struct unix_sock *other, const struct ucred *cred,
		      struct waitq **wq)
{
	struct unix_sock *e;
	irqflags_t fl;
	long err = 0;

	if (sk->type == SOCK_DGRAM) {
		if (other->type != SOCK_DGRAM)
			return -EPROTOTYPE;
		fl = spin_lock_irqsave(&sk->lock);
		struct unix_sock *old = sk->peer;

		sk->peer = unix_sock_get(other);
		sk->state = UNIX_CONNECTED;
		spin_unlock_irqrestore(&sk->lock, fl);
		unix_sock_put(old);
		return 0;
	}
	fl = spin_lock_irqsave(&sk->lock);
	if (sk->state == UNIX_CONNECTED)
		err = -EISCONN;
	else if (sk->state == UNIX_LISTEN)
		err = -EINVAL;
	spin_unlock_irqrestore(&sk->lock, fl);
	if (err)
		return err;
	if (other->type != sk->type)
		return -EPROTOTYPE;
	e = unix_sock_new(sk->type);
	if (!e)
		return -ENOMEM;
	e->state = UNIX_CONNECTED;
	e->peer = unix_sock_get(sk);
	e->peercred = *cred;
	e->has_peercred = true;
	fl = spin_lock_irqsave(&other->lock);
	if (other->dead || other->state != UNIX_LISTEN) {
		err = -ECONNREFUSED;
	} else if (other->nacc > (unsigned)other->backlog) {
		*wq = &other->peer_wq;
		err = -EAGAIN;
	} else {
		if (other->addr) {
			e->addr = kmalloc(sizeof(*e->addr));
			if (e->addr)
				*e->addr = *other->addr;
		}
		e->sndbuf = other->sndbuf;
		e->rcvbuf = other->rcvbuf;
		e->passcred = other->passcred;
		list_add_tail(&e->acc_node, &other->acceptq);
		other->nacc++;
	}
	struct ucred lcred = other->peercred;

	spin_unlock_irqrestore(&other->lock, fl);
	if (err) {
		unix_sock_put(e->peer);
		e->peer = NULL;
		unix_sock_put(e);
		return err;
	}
	fl = spin_lock_irqsave(&sk->lock);
	sk->peer = unix_sock_get(e);
	sk->state = UNIX_CONNECTED;
	sk->peercred = lcred;
	sk->has_peercred = true;
	spin_unlock_irqrestore(&sk->lock, fl);
	waitq_wake_all(&other->rd_wq);
	unix_wake_all(sk);
	return 0;
}

int unix_shutdown(struct unix_sock *sk, int how)
{
	unsigned mask;
	struct unix_sock *peer;
	irqflags_t fl;

	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	mask = (unsigned)how + 1;	/* SHUT_RD 1, SHUT_WR 2, SHUT_RDWR 3 */
	fl = spin_lock_irqsave(&sk->lock);
	sk->shutdown |= (uint8_t)mask;
	peer = sk->peer && sk->type != SOCK_DGRAM ? unix_sock_get(sk->peer) : NULL;
	spin_unlock_irqrestore(&sk->lock, fl);
	if (peer) {
		fl = spin_lock_irqsave(&peer->lock);
		if (mask & RCV_SHUTDOWN)
			peer->shutdown |= SEND_SHUTDOWN;
		if (mask & SEND_SHUTDOWN)
			peer->shutdown |= RCV_SHUTDOWN;
		spin_unlock_irqrestore(&peer->lock, fl);
		unix_wake_all(peer);
		unix_sock_put(peer);
	}
	unix_wake_all(sk);
	return 0;
}

/* ---- the file ---------------------------------------------------------------------------- */

static long unix_read(struct file *f, struct uio *u, uint64_t *pos)
{
	struct unix_msg m = { .uio = u };
	struct waitq *wq;

	(void)pos;
	return unix_try_recv(unix_sk(f), &m, proc_current(), &wq);
}

static long unix_write(struct file *f, struct uio *u, uint64_t *pos)
{
	struct unix_msg m = { .uio = u };
	struct waitq *wq;
	long r;

	(void)pos;
	r = unix_try_send(unix_sk(f), &m, proc_current(), &wq);
	return r == -EAGAIN && m.done ? (long)m.done : r;
}

static struct waitq *unix_waitq(struct file *f, bool write)
{
	return write ? &unix_sk(f)->wr_wq : &unix_sk(f)->rd_wq;
}

const struct file_ops unix_fops = {
	.read = unix_read,
	.write = unix_write,
	.release = unix_release,
	.waitq = unix_waitq,
	.ready = unix_ready,
};

bool unix_is_socket(const struct file *f)
{
	return f->ops == &unix_fops;
}
