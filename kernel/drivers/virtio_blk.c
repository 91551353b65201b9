// SPDX-License-Identifier: MIT
/*
 * virtio-blk driver; see virtio_blk.h.
 *
 * Lock legend: I set at attach; L vblk->lock (taken with interrupts off, by
 * submitters on any hart and by the interrupt handler).
 */
#include "kernel/drivers/virtio_blk.h"

#include "kernel/arch.h"
#include "kernel/block/blkdev.h"
#include "kernel/drivers/virtio_mmio.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/layout.h"
#include "kernel/printk.h"
#include "kernel/spinlock.h"
#include "lib/errno.h"

/* virtio 1.x, 5.2.3 and 5.2.6 */
#define VIRTIO_BLK_F_RO 5
#define VIRTIO_BLK_F_FLUSH 9
#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4
#define VIRTIO_BLK_S_OK 0
#define VIRTIO_BLK_CFG_CAPACITY 0	/* le64, 512-byte sectors */

struct virtio_blk_outhdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

/* Per head descriptor: what the device reads and writes besides the data,
 * kept here (not in the request) so a request dropped in flight leaves the
 * device nothing of the caller's to scribble on but its data buffer. */
struct vblk_slot {
	struct virtio_blk_outhdr hdr;	/* L, read by the device */
	volatile uint8_t status;	/* written by the device */
	struct blk_req *req;		/* L: NULL when free */
};

struct vblk {
	struct blkdev bdev;		/* I */
	struct virtio_mmio_dev vdev;	/* I */
	struct spinlock lock;
	struct virtq q;			/* L */
	struct vblk_slot *slots;	/* L: q.num of them, by head index */
	struct list_head fifo;		/* L: QUEUED requests, oldest first */
	unsigned inflight;		/* L */
	struct vblk_stats st;		/* L */
};

static struct vblk *to_vblk(struct blkdev *dev)
{
	return dev->priv;
}

/* Put @r on the ring if its descriptors are free (header, one per data
 * segment, status); false otherwise. */
static bool start_locked(struct vblk *vb, struct blk_req *r)
{
	unsigned nd = r->op == BLK_FLUSH ? 0 : r->nsegs ? r->nsegs : 1;
	unsigned n = nd + 2;
	int head = virtq_alloc_chain(&vb->q, n);

	if (head < 0)
		return false;
	struct vblk_slot *s = &vb->slots[head];
	struct virtq_desc *d = vb->q.desc;
	uint16_t i = (uint16_t)head;

	s->hdr.type = r->op == BLK_READ ? VIRTIO_BLK_T_IN
		      : r->op == BLK_WRITE ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_FLUSH;
	s->hdr.reserved = 0;
	s->hdr.sector = r->op == BLK_FLUSH ? 0 : r->sector;
	s->status = 0xff;
	s->req = r;
	d[i].addr = va_to_pa(&s->hdr);
	d[i].len = sizeof(s->hdr);
	/* flags already NEXT from virtq_alloc_chain */
	i = d[i].next;
	for (unsigned k = 0; k < nd; k++) {
		d[i].addr = va_to_pa(r->nsegs ? r->segs[k].buf : r->buf);
		d[i].len = r->nsegs ? r->segs[k].len : r->len;
		d[i].flags = VIRTQ_DESC_F_NEXT | (r->op == BLK_READ ? VIRTQ_DESC_F_WRITE : 0);
		i = d[i].next;
	}
	d[i].addr = va_to_pa((const void *)&s->status);
	d[i].len = 1;
	d[i].flags = VIRTQ_DESC_F_WRITE;
	atomic_store_explicit(&r->state, BLK_REQ_INFLIGHT, memory_order_relaxed);
	virtq_publish(&vb->q, (uint16_t)head);
	vb->st.submitted++;
	if (++vb->inflight > vb->st.max_inflight)
		vb->st.max_inflight = vb->inflight;
	return true;
}

static void vblk_submit(struct blkdev *dev, struct blk_req *r)
{
	struct vblk *vb = to_vblk(dev);
	irqflags_t fl = spin_lock_irqsave(&vb->lock);
	bool started = false;

	/* FIFO: nobody overtakes a request already waiting for room. */
	if (list_empty(&vb->fifo) && start_locked(vb, r)) {
		started = true;
	} else {
		atomic_store_explicit(&r->state, BLK_REQ_QUEUED, memory_order_relaxed);
		list_add_tail(&r->wait_node, &vb->fifo);
		vb->st.queued++;
	}
	spin_unlock_irqrestore(&vb->lock, fl);
	/*
	 * Notify with the lock dropped: the device may complete the request
	 * and interrupt another hart at once, and QEMU may switch harts right
	 * after this MMIO store; either way that hart must not find the lock
	 * held. (Under -icount a hart spinning on it spun for a whole time
	 * slice, tens of millions of instructions.) The ring is published
	 * under the lock; a notify after someone else's is harmless.
	 */
	if (started)
		virtio_mmio_notify(&vb->vdev, &vb->q);
}

static bool vblk_set_waker(struct blkdev *dev, struct blk_req *r, const struct waker *w)
{
	struct vblk *vb = to_vblk(dev);
	irqflags_t fl = spin_lock_irqsave(&vb->lock);
	bool done = atomic_load_explicit(&r->state, memory_order_relaxed) == BLK_REQ_DONE;

	if (!done) {
		if (!r->has_waker || !waker_will_wake(&r->waker, w)) {
			if (r->has_waker)
				waker_drop(&r->waker);
			r->waker = waker_clone(w);
			r->has_waker = true;
		}
	}
	spin_unlock_irqrestore(&vb->lock, fl);
	return done;
}

static void vblk_cancel(struct blkdev *dev, struct blk_req *r)
{
	struct vblk *vb = to_vblk(dev);
	irqflags_t fl = spin_lock_irqsave(&vb->lock);
	int st = atomic_load_explicit(&r->state, memory_order_relaxed);

	if (st == BLK_REQ_QUEUED) {
		list_del(&r->wait_node);
		atomic_store_explicit(&r->state, BLK_REQ_IDLE, memory_order_relaxed);
	}
	if (st != BLK_REQ_DONE && r->has_waker) {
		waker_drop(&r->waker);
		r->has_waker = false;
	}
	spin_unlock_irqrestore(&vb->lock, fl);
}

#define VBLK_FIN_BATCH 16

/* Reap the used ring (in batches) and refill the ring from the FIFO, then
 * finish the completed requests with the lock dropped, so ->done hooks and
 * wakers may take other locks. Interrupt handler and poll path. */
static void vblk_reap(struct vblk *vb, bool from_irq)
{
	struct blk_fin fin[VBLK_FIN_BATCH];
	unsigned n;

	do {
		irqflags_t fl = spin_lock_irqsave(&vb->lock);
		bool started = false;
		uint16_t head;
		uint32_t len;

		/* Ack before reading the ring: a completion after our last read
		 * raises the interrupt again, so none is left behind. */
		if (virtio_mmio_ack_irq(&vb->vdev) && from_irq)
			vb->st.irqs++;
		n = 0;
		while (n < VBLK_FIN_BATCH && virtq_pop_used(&vb->q, &head, &len)) {
			struct vblk_slot *s = head < vb->q.num ? &vb->slots[head] : NULL;
			struct blk_req *r = s ? s->req : NULL;

			if (!r) {
				kprintf("%s: bogus used id %u\n", vb->bdev.name, head);
				continue;
			}
			s->req = NULL;
			blk_req_complete_locked(r, s->status == VIRTIO_BLK_S_OK ? 0 : -EIO,
						&fin[n++]);
			virtq_free_chain(&vb->q, head);
			vb->inflight--;
			vb->st.completed++;
		}
		while (!list_empty(&vb->fifo)) {
			struct blk_req *r = list_first_entry(&vb->fifo, struct blk_req, wait_node);

			if (!start_locked(vb, r))
				break;
			list_del(&r->wait_node);
			started = true;
		}
		spin_unlock_irqrestore(&vb->lock, fl);
		if (started)	/* outside the lock, as in vblk_submit() */
			virtio_mmio_notify(&vb->vdev, &vb->q);
		for (unsigned i = 0; i < n; i++)
			blk_fin_run(&fin[i]);
	} while (n == VBLK_FIN_BATCH);
}

static void vblk_irq(void *arg)
{
	vblk_reap(arg, true);
}

static void vblk_poll(struct blkdev *dev)
{
	vblk_reap(to_vblk(dev), false);
}

static const struct blkdev_ops vblk_ops = {
	.submit = vblk_submit,
	.set_waker = vblk_set_waker,
	.cancel = vblk_cancel,
	.poll = vblk_poll,
};

int vblk_attach(const struct virtio_mmio_dev *d)
{
	struct vblk *vb = kzalloc(sizeof(*vb));
	int err;

	if (!vb)
		return -ENOMEM;
	vb->vdev = *d;
	spin_init(&vb->lock, "vblk");
	list_init(&vb->fifo);
	err = virtio_mmio_negotiate(&vb->vdev, (1ull << VIRTIO_BLK_F_FLUSH) |
						       (1ull << VIRTIO_BLK_F_RO));
	if (err)
		goto out_free;
	err = virtio_mmio_queue_setup(&vb->vdev, 0, VIRTQ_MAX_SIZE, &vb->q);
	if (err)
		goto out_fail;
	vb->slots = kzalloc(sizeof(*vb->slots) * vb->q.num);
	err = -ENOMEM;
	if (!vb->slots)
		goto out_fail;	/* the rings stay with the failed device */
	vb->st.ring_slots = vb->q.num / 3;
	vb->bdev.sectors = virtio_mmio_config_read(&vb->vdev, VIRTIO_BLK_CFG_CAPACITY, 8);
	vb->bdev.has_flush = virtio_has_feature(&vb->vdev, VIRTIO_BLK_F_FLUSH);
	vb->bdev.read_only = virtio_has_feature(&vb->vdev, VIRTIO_BLK_F_RO);
	vb->bdev.ops = &vblk_ops;
	vb->bdev.priv = vb;
	if (arch_irq_attach(vb->vdev.irq, vblk_irq, vb) != 0) {
		err = -EBUSY;
		goto out_slots;
	}
	virtio_mmio_driver_ok(&vb->vdev);
	err = blkdev_register(&vb->bdev);
	if (err)
		goto out_slots;	/* the irq stays attached to a FAILED device */
	kprintf("blkdev: %s: %lu sectors (%lu KiB), virtio-mmio@%#lx irq %u, queue %u%s%s\n",
		vb->bdev.name, (unsigned long)vb->bdev.sectors,
		(unsigned long)(vb->bdev.sectors / 2), (unsigned long)vb->vdev.base_pa,
		vb->vdev.irq, vb->q.num, vb->bdev.has_flush ? ", flush" : "",
		vb->bdev.read_only ? ", read-only" : "");
	return 0;

	/* A device that saw FEATURES_OK keeps pointers to our rings: on failure
	 * it is marked FAILED and the rings (and vb) are leaked on purpose. */
out_slots:
	kfree(vb->slots);
out_fail:
	virtio_mmio_fail(&vb->vdev);
	return err;
out_free:
	kfree(vb);
	return err;
}

int vblk_get_stats(struct blkdev *dev, struct vblk_stats *out)
{
	if (!dev || dev->ops != &vblk_ops)
		return -ENODEV;
	struct vblk *vb = to_vblk(dev);
	irqflags_t fl = spin_lock_irqsave(&vb->lock);

	*out = vb->st;
	spin_unlock_irqrestore(&vb->lock, fl);
	return 0;
}
