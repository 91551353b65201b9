/* SPDX-License-Identifier: MIT */
/*
 * virtio-mmio transport, version 2 (virtio 1.x, "modern" only), and split
 * virtqueues. A driver probes a slot, negotiates features, sets up its
 * queues, then says DRIVER_OK; from there it fills descriptor chains,
 * publishes them with virtq_publish() and reaps completions with
 * virtq_pop_used() from its interrupt handler.
 *
 * Locking: a struct virtq has no lock of its own; the driver serialises every
 * virtq_* call on one queue with its own lock (virtio-blk: vblk->lock).
 * Memory ordering against the device is handled inside virtq_publish() and
 * virtq_pop_used() (see the fences there).
 */
#ifndef KERNEL_DRIVERS_VIRTIO_MMIO_H
#define KERNEL_DRIVERS_VIRTIO_MMIO_H

#include <stdbool.h>
#include <stdint.h>

#define VIRTIO_MMIO_MAGIC 0x74726976u	/* "virt" little-endian */

/* Device ids (virtio 1.x, 5 "Device Types"). */
#define VIRTIO_ID_NONE 0
#define VIRTIO_ID_BLOCK 2

/* Device status bits (virtio 1.x, 2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE 1u
#define VIRTIO_STATUS_DRIVER 2u
#define VIRTIO_STATUS_DRIVER_OK 4u
#define VIRTIO_STATUS_FEATURES_OK 8u
#define VIRTIO_STATUS_NEEDS_RESET 64u
#define VIRTIO_STATUS_FAILED 128u

/* Transport feature bits we know (virtio 1.x, 6). */
#define VIRTIO_F_VERSION_1 32

/* Split virtqueue layout (virtio 1.x, 2.7). */
#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2

struct virtq_desc {
	uint64_t addr;	/* physical */
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
};

struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};

struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[];
};

/* Largest queue we set up: the three rings of 256 entries fit in 8 KiB. */
#define VIRTQ_MAX_SIZE 256

/* Legend: I set at setup; D under the driver's lock. */
struct virtq {
	unsigned index;			/* I: queue number on the device */
	uint16_t num;			/* I: entries (a power of two) */
	uint16_t free_head;		/* D: first free descriptor (chained by .next) */
	uint16_t num_free;		/* D */
	uint16_t last_used;		/* D: used->idx we have consumed up to */
	struct virtq_desc *desc;	/* I: table, in the rings' pages */
	struct virtq_avail *avail;	/* I */
	struct virtq_used *used;	/* I */
	void *pages;			/* I: the allocation backing all three */
};

/* One transport instance (a probed slot). I after probe. */
struct virtio_mmio_dev {
	volatile uint32_t *regs;	/* I: base in the direct map */
	uint64_t base_pa;		/* I */
	uint32_t irq;			/* I: PLIC source */
	uint32_t device_id;		/* I */
	uint64_t features;		/* I: what was negotiated */
};

/*
 * Look at the slot at physical address @pa: 0 and @d filled (the device is
 * not touched beyond its id registers) if it holds a version-2 device;
 * -ENODEV for an empty slot (device id 0) or a bad magic; -EPROTO for a
 * legacy (version 1) transport.
 */
int virtio_mmio_probe(uint64_t pa, uint32_t irq, struct virtio_mmio_dev *d);

/*
 * Reset, ACKNOWLEDGE, DRIVER, then negotiate: accept the offered features
 * that are in @supported (VIRTIO_F_VERSION_1 is required and always
 * requested), write them, set FEATURES_OK and check that the device kept it.
 * Returns 0 (d->features holds the result), -ENODEV if VERSION_1 is not
 * offered, -EIO if the device refused FEATURES_OK; on error the device is
 * left with FAILED set.
 */
int virtio_mmio_negotiate(struct virtio_mmio_dev *d, uint64_t supported);

static inline bool virtio_has_feature(const struct virtio_mmio_dev *d, unsigned bit)
{
	return (d->features >> bit) & 1;
}

/*
 * Allocate and register queue @index with at most @max_size entries (the
 * device's QueueNumMax may lower it). 0, -ENOENT if the device has no such
 * queue, -ENOMEM.
 */
int virtio_mmio_queue_setup(struct virtio_mmio_dev *d, unsigned index, unsigned max_size,
			    struct virtq *q);

void virtio_mmio_driver_ok(struct virtio_mmio_dev *d);
/* Set FAILED (the driver gives up on the device). */
void virtio_mmio_fail(struct virtio_mmio_dev *d);

/* Device-specific configuration space, read consistently (generation
 * counter). @off is relative to the config area; @len is 1, 2, 4 or 8. */
uint64_t virtio_mmio_config_read(struct virtio_mmio_dev *d, unsigned off, unsigned len);

/* Read InterruptStatus and acknowledge those bits; returns them.
 * Interrupt context or polling. */
uint32_t virtio_mmio_ack_irq(struct virtio_mmio_dev *d);

/* Tell the device queue @q has new available buffers. */
void virtio_mmio_notify(struct virtio_mmio_dev *d, struct virtq *q);

/* ---- split virtqueue (caller holds the driver's lock) ---- */

/* Take a chain of @n descriptors linked by .next (the last .next is left
 * as is); returns the head index, or -1 if fewer than @n are free. */
int virtq_alloc_chain(struct virtq *q, unsigned n);
/* Return the chain starting at @head (follows VIRTQ_DESC_F_NEXT). */
void virtq_free_chain(struct virtq *q, uint16_t head);
/* Make the filled chain @head available to the device. Fences: the
 * descriptor writes are ordered before avail->idx, and avail->idx before the
 * caller's virtio_mmio_notify(). */
void virtq_publish(struct virtq *q, uint16_t head);
/* Next completed chain: true with its head and written length, false if the
 * used ring has nothing new. */
bool virtq_pop_used(struct virtq *q, uint16_t *head, uint32_t *len);

#endif
