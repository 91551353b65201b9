// SPDX-License-Identifier: MIT
/*
 * AF_UNIX sockets: the send and receive tries (unix.h). A sender takes the
 * receiver's lock only, to queue a message; a receiver takes its own, and
 * gives the sender its room back (wmem, wr_wq) after dropping it.
 */
#include "kernel/ipc/unix.h"

#include "kernel/mm/kmalloc.h"
#include "kernel/proc/proc.h"
#include "lib/errno.h"
#include "lib/string.h"

#define SKB_MAX_CHUNK 65536u
#define ERR_SKB_FAULT ((struct unix_skb *)1)

/* ---- send ------------------------------------------------------------------------------ */

static struct unix_skb *skb_new(struct unix_sock *from, struct unix_msg *m, size_t len,
				struct proc *p)
{
	struct unix_skb *skb = kmalloc(sizeof(*skb) + len);
	long r;

	if (!skb)
		return NULL;
	memset(skb, 0, sizeof(*skb));
	list_init(&skb->node);
	skb->len = (uint32_t)len;
	if (len) {
		struct uio peek = *m->uio;

		r = uio_copy_from(&peek, skb->data, len);
		if (r != (long)len) {
			kfree(skb);
			return ERR_SKB_FAULT;
		}
		*m->uio = peek;
	}
	skb->from = unix_sock_get(from);
	skb->cred = (struct ucred){ .pid = p ? proc_pid(p) : 0, .uid = 0, .gid = 0 };
	if (m->has_cred) {
		skb->cred = m->cred;
		skb->has_cred = true;
		m->has_cred = false;
	}
	if (m->nfds) {
		skb->fds = m->fds;
		skb->nfds = (uint16_t)m->nfds;
		m->fds = NULL;
		m->nfds = 0;
	}
	return skb;
}

/* Undo skb_new for a message that could not be queued: the files go back to m. */
static void skb_unsend(struct unix_skb *skb, struct unix_msg *m)
{
	if (skb->fds) {
		m->fds = skb->fds;
		m->nfds = skb->nfds;
		skb->fds = NULL;
	}
	unix_sock_put(skb->from);
	kfree(skb);
}

/* Queue skb on to; false if to can take nothing (closed or shut for reading). */
static bool skb_queue(struct unix_sock *to, struct unix_skb *skb)
{
	irqflags_t fl = spin_lock_irqsave(&to->lock);
	bool ok = !to->dead && !(to->shutdown & RCV_SHUTDOWN);

	if (ok) {
		list_add_tail(&skb->node, &to->rcvq);
		to->rcv_bytes += skb->len;
		to->rcv_msgs++;
		atomic_fetch_add_explicit(&skb->from->wmem, skb->len, memory_order_relaxed);
	}
	spin_unlock_irqrestore(&to->lock, fl);
	if (ok)
		waitq_wake_all(&to->rd_wq);
	return ok;
}

static long send_stream(struct unix_sock *sk, struct unix_msg *m, struct proc *p,
			struct waitq **wq)
{
	struct unix_sock *peer;
	irqflags_t fl;
	long err = 0;

	if (m->has_to && sk->type == SOCK_STREAM)
		return sk->state == UNIX_CONNECTED ? -EISCONN : -EOPNOTSUPP;
	fl = spin_lock_irqsave(&sk->lock);
	if (sk->state != UNIX_CONNECTED) {
		spin_unlock_irqrestore(&sk->lock, fl);
		return -ENOTCONN;
	}
	peer = sk->peer ? unix_sock_get(sk->peer) : NULL;
	if (!peer || (sk->shutdown & SEND_SHUTDOWN))
		err = -EPIPE;
	spin_unlock_irqrestore(&sk->lock, fl);
	if (err)
		goto out;
	if (sk->type == SOCK_SEQPACKET && m->uio->resid > (size_t)sk->sndbuf - 32) {
		err = -EMSGSIZE;
		goto out;
	}
	do {
		size_t len = m->uio->resid, room;
		struct unix_skb *skb;

		if (atomic_load_explicit(&sk->wmem, memory_order_relaxed) >= (size_t)sk->sndbuf) {
			*wq = &sk->wr_wq;
			err = -EAGAIN;
			break;
		}
		if (sk->type == SOCK_STREAM) {
			room = (size_t)sk->sndbuf / 2 - 64;
			if (len > room)
				len = room;
			if (len > SKB_MAX_CHUNK)
				len = SKB_MAX_CHUNK;
		}
		skb = skb_new(sk, m, len, p);
		if (skb == ERR_SKB_FAULT) {
			err = -EFAULT;
			break;
		}
		if (!skb) {
			err = -ENOMEM;
			break;
		}
		if (!skb_queue(peer, skb)) {
			skb_unsend(skb, m);
			err = -EPIPE;
			break;
		}
		m->done += len;
	} while (m->uio->resid && sk->type == SOCK_STREAM);
out:
	unix_sock_put(peer);
	if (err == -EAGAIN)
		return err;	/* m->done says what went already */
	return m->done ? (long)m->done : err;
}

static long send_dgram(struct unix_sock *sk, struct unix_msg *m, struct proc *p,
		       struct waitq **wq)
{
	struct unix_sock *to = m->to_sk;
	size_t len = m->uio->resid;
	struct unix_skb *skb;
	irqflags_t fl;
	long err = 0;

	if (!to) {
		fl = spin_lock_irqsave(&sk->lock);
		to = sk->peer ? unix_sock_get(sk->peer) : NULL;
		spin_unlock_irqrestore(&sk->lock, fl);
		if (!to)
			return -ENOTCONN;
	} else {
		unix_sock_get(to);
	}
	if (to->type != SOCK_DGRAM) {
		err = -EPROTOTYPE;
		goto out;
	}
	if (len > (size_t)sk->sndbuf - 32) {
		err = -EMSGSIZE;
		goto out;
	}
	if (atomic_load_explicit(&sk->wmem, memory_order_relaxed) + len > (size_t)sk->sndbuf) {
		*wq = &sk->wr_wq;
		err = -EAGAIN;
		goto out;
	}
	fl = spin_lock_irqsave(&to->lock);
	if (to->dead)
		err = -ECONNREFUSED;
	else if (to->peer && to->peer != sk)
		err = -EPERM;	/* connected to another socket */
	else if (to->rcv_msgs >= UNIX_MAX_DGRAM_QLEN || to->rcv_bytes + len > (size_t)to->rcvbuf) {
		*wq = &to->peer_wq;
		err = -EAGAIN;
	}
	spin_unlock_irqrestore(&to->lock, fl);
	if (err)
		goto out;
	skb = skb_new(sk, m, len, p);
	if (skb == ERR_SKB_FAULT) {
		err = -EFAULT;
		goto out;
	}
	if (!skb) {
		err = -ENOMEM;
		goto out;
	}
	if (!skb_queue(to, skb)) {
		skb_unsend(skb, m);
		err = -ECONNREFUSED;
		goto out;
	}
	m->done = len;
out:
	unix_sock_put(to);
	return err ? err : (long)len;
}

long unix_try_send(struct unix_sock *sk, struct unix_msg *m, struct proc *p, struct waitq **wq)
{
	return sk->type == SOCK_DGRAM ? send_dgram(sk, m, p, wq) : send_stream(sk, m, p, wq);
}

/* ---- receive ---------------------------------------------------------------------------- */

/* What a message carries besides bytes, into m (the first time only). */
static void take_extras(struct unix_sock *sk, struct unix_skb *skb, struct unix_msg *m,
			bool peek)
{
	if (skb->nfds && !m->rfds) {
		if (peek) {
			/* A peek sees the files too, as new references. */
			m->rfds = kmalloc(skb->nfds * sizeof(struct file *));
			if (m->rfds) {
				for (unsigned i = 0; i < skb->nfds; i++)
					m->rfds[i] = file_get(skb->fds[i]);
				m->nrfds = skb->nfds;
			}
		} else {
			m->rfds = skb->fds;
			m->nrfds = skb->nfds;
			skb->fds = NULL;
			skb->nfds = 0;
		}
	}
	if (sk->passcred && !m->rcred) {
		m->rcred = true;
		m->rcv_cred = skb->cred;
	}
	if (!m->from.len && skb->from && skb->from->addr)
		m->from = *skb->from->addr;
}

static long recv_stream(struct unix_sock *sk, struct unix_msg *m, struct waitq **wq)
{
	bool peek = m->flags & MSG_PEEK;
	struct list_head *pos;
	LIST_HEAD(done_q);
	long err = 0;
	irqflags_t fl = spin_lock_irqsave(&sk->lock);

	if (sk->state == UNIX_LISTEN || (sk->state == UNIX_UNCONNECTED && !sk->dead)) {
		spin_unlock_irqrestore(&sk->lock, fl);
		return -EINVAL;
	}
	pos = sk->rcvq.next;
	while (m->uio->resid) {
		struct unix_skb *skb;
		size_t n;
		long r;

		if (pos == &sk->rcvq) {
			if (m->done && !(m->flags & MSG_WAITALL))
				break;
			if (!m->done && sk->err) {
				err = -sk->err;	/* ECONNRESET: the peer left data unread */
				sk->err = 0;
				break;
			}
			if ((sk->shutdown & RCV_SHUTDOWN) || !sk->peer)
				break;	/* end of file */
			*wq = &sk->rd_wq;
			err = -EAGAIN;
			break;
		}
		skb = list_entry(pos, struct unix_skb, node);
		if (m->done && skb->nfds)
			break;	/* files start a read of their own */
		n = skb->len - skb->off;
		if (n > m->uio->resid)
			n = m->uio->resid;
		r = n ? uio_copy_to(m->uio, skb->data + skb->off, n) : 0;
		if (r < 0 || (size_t)r < n) {
			err = -EFAULT;
			break;
		}
		bool had_fds = skb->nfds;

		take_extras(sk, skb, m, peek);
		m->done += n;
		pos = pos->next;
		if (!peek) {
			skb->off += (uint32_t)n;
			sk->rcv_bytes -= n;
			if (skb->off == skb->len) {
				list_del(&skb->node);
				sk->rcv_msgs--;
				list_add_tail(&skb->node, &done_q);
			} else {
				break;	/* the buffer is full */
			}
		}
		if (had_fds)
			break;
	}
	spin_unlock_irqrestore(&sk->lock, fl);
	unix_skb_free_list(&done_q);
	if (err == -EFAULT && m->done)
		err = 0;
	if (err == -EAGAIN)
		return err;	/* m->done says what a partial MSG_WAITALL got */
	return err ? err : (long)m->done;
}

static long recv_msg(struct unix_sock *sk, struct unix_msg *m, struct waitq **wq)
{
	bool peek = m->flags & MSG_PEEK;
	struct unix_skb *skb;
	size_t n;
	long r;
	irqflags_t fl = spin_lock_irqsave(&sk->lock);

	if (list_empty(&sk->rcvq)) {
		bool eof = (sk->shutdown & RCV_SHUTDOWN) ||
			   (sk->type == SOCK_SEQPACKET && sk->state == UNIX_CONNECTED && !sk->peer);

		if (sk->type == SOCK_SEQPACKET && sk->state != UNIX_CONNECTED && !sk->dead) {
			spin_unlock_irqrestore(&sk->lock, fl);
			return sk->state == UNIX_LISTEN ? -EINVAL : -ENOTCONN;
		}
		spin_unlock_irqrestore(&sk->lock, fl);
		if (eof)
			return 0;
		*wq = &sk->rd_wq;
		return -EAGAIN;
	}
	skb = list_first_entry(&sk->rcvq, struct unix_skb, node);
	n = skb->len < m->uio->resid ? skb->len : m->uio->resid;
	r = n ? uio_copy_to(m->uio, skb->data, n) : 0;
	if (r < 0 || (size_t)r < n) {
		spin_unlock_irqrestore(&sk->lock, fl);
		return -EFAULT;
	}
	if (n < skb->len)
		m->out_flags |= MSG_TRUNC;
	take_extras(sk, skb, m, peek);
	m->done = n;
	r = (m->flags & MSG_TRUNC) ? (long)skb->len : (long)n;
	if (!peek) {
		list_del(&skb->node);
		sk->rcv_msgs--;
		sk->rcv_bytes -= skb->len;
	}
	spin_unlock_irqrestore(&sk->lock, fl);
	if (!peek) {
		unix_skb_free(skb);
		waitq_wake_all(&sk->peer_wq);
	}
	return r;
}

long unix_try_recv(struct unix_sock *sk, struct unix_msg *m, struct proc *p, struct waitq **wq)
{
	(void)p;
	if (m->flags & MSG_OOB)
		return -EOPNOTSUPP;
	return sk->type == SOCK_STREAM ? recv_stream(sk, m, wq) : recv_msg(sk, m, wq);
}
