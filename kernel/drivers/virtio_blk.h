/* SPDX-License-Identifier: MIT */
/*
 * virtio-blk over virtio-mmio: one request queue, interrupt-driven, as many
 * requests in flight as the ring holds (three descriptors each: header,
 * data, status); further requests wait in a FIFO and are started, in order,
 * by the interrupt handler as descriptors free up. Each disk registers as a
 * struct blkdev (blkdev.h).
 */
#ifndef KERNEL_DRIVERS_VIRTIO_BLK_H
#define KERNEL_DRIVERS_VIRTIO_BLK_H

#include <stdint.h>

struct virtio_mmio_dev;
struct blkdev;

/* Set up the block device found in @d (copied) and register it. 0 or -Exxx. */
int vblk_attach(const struct virtio_mmio_dev *d);

struct vblk_stats {
	uint64_t submitted;	/* requests put on the ring */
	uint64_t completed;	/* requests taken off the used ring */
	uint64_t irqs;		/* interrupts handled */
	uint64_t queued;	/* requests that had to wait for room */
	unsigned max_inflight;	/* most requests on the ring at once */
	unsigned ring_slots;	/* requests the ring can hold at once */
};
/* Counters of a virtio-blk blkdev; -ENODEV for any other device. */
int vblk_get_stats(struct blkdev *dev, struct vblk_stats *out);

#endif
