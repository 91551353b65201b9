// SPDX-License-Identifier: MIT
/* virtio-mmio version 2 transport and split virtqueues; see virtio_mmio.h. */
#include "kernel/drivers/virtio_mmio.h"

#include "kernel/arch.h"
#include "kernel/mm/layout.h"
#include "kernel/mm/page.h"
#include "lib/errno.h"

/* Register offsets (virtio 1.x, 4.2.2), in bytes. */
enum {
	REG_MAGIC = 0x000,
	REG_VERSION = 0x004,
	REG_DEVICE_ID = 0x008,
	REG_DEVICE_FEATURES = 0x010,
	REG_DEVICE_FEATURES_SEL = 0x014,
	REG_DRIVER_FEATURES = 0x020,
	REG_DRIVER_FEATURES_SEL = 0x024,
	REG_QUEUE_SEL = 0x030,
	REG_QUEUE_NUM_MAX = 0x034,
	REG_QUEUE_NUM = 0x038,
	REG_QUEUE_READY = 0x044,
	REG_QUEUE_NOTIFY = 0x050,
	REG_INTERRUPT_STATUS = 0x060,
	REG_INTERRUPT_ACK = 0x064,
	REG_STATUS = 0x070,
	REG_QUEUE_DESC_LOW = 0x080,
	REG_QUEUE_DESC_HIGH = 0x084,
	REG_QUEUE_DRIVER_LOW = 0x090,
	REG_QUEUE_DRIVER_HIGH = 0x094,
	REG_QUEUE_DEVICE_LOW = 0x0a0,
	REG_QUEUE_DEVICE_HIGH = 0x0a4,
	REG_CONFIG_GENERATION = 0x0fc,
	REG_CONFIG = 0x100,
};

static inline uint32_t rd(struct virtio_mmio_dev *d, unsigned off)
{
	return d->regs[off / 4];
}

static inline void wr(struct virtio_mmio_dev *d, unsigned off, uint32_t v)
{
	d->regs[off / 4] = v;
}

int virtio_mmio_probe(uint64_t pa, uint32_t irq, struct virtio_mmio_dev *d)
{
	d->regs = pa_to_va(pa);
	d->base_pa = pa;
	d->irq = irq;
	d->features = 0;
	if (rd(d, REG_MAGIC) != VIRTIO_MMIO_MAGIC)
		return -ENODEV;
	d->device_id = rd(d, REG_DEVICE_ID);
	if (d->device_id == VIRTIO_ID_NONE)
		return -ENODEV;
	if (rd(d, REG_VERSION) != 2)
		return -EPROTO;
	return 0;
}

static void set_status(struct virtio_mmio_dev *d, uint32_t bits)
{
	wr(d, REG_STATUS, rd(d, REG_STATUS) | bits);
}

void virtio_mmio_fail(struct virtio_mmio_dev *d)
{
	set_status(d, VIRTIO_STATUS_FAILED);
}

int virtio_mmio_negotiate(struct virtio_mmio_dev *d, uint64_t supported)
{
	uint64_t offered, want;

	wr(d, REG_STATUS, 0); /* reset; reads back 0 once done (4.2.3.1.1) */
	while (rd(d, REG_STATUS) != 0)
		arch_cpu_relax();
	set_status(d, VIRTIO_STATUS_ACKNOWLEDGE);
	set_status(d, VIRTIO_STATUS_DRIVER);

	wr(d, REG_DEVICE_FEATURES_SEL, 0);
	offered = rd(d, REG_DEVICE_FEATURES);
	wr(d, REG_DEVICE_FEATURES_SEL, 1);
	offered |= (uint64_t)rd(d, REG_DEVICE_FEATURES) << 32;
	if (!((offered >> VIRTIO_F_VERSION_1) & 1)) {
		virtio_mmio_fail(d);
		return -ENODEV;
	}
	/* Refuse everything we do not implement: only what both sides know. */
	want = offered & (supported | (1ull << VIRTIO_F_VERSION_1));
	wr(d, REG_DRIVER_FEATURES_SEL, 0);
	wr(d, REG_DRIVER_FEATURES, (uint32_t)want);
	wr(d, REG_DRIVER_FEATURES_SEL, 1);
	wr(d, REG_DRIVER_FEATURES, (uint32_t)(want >> 32));
	set_status(d, VIRTIO_STATUS_FEATURES_OK);
	if (!(rd(d, REG_STATUS) & VIRTIO_STATUS_FEATURES_OK)) {
		virtio_mmio_fail(d);
		return -EIO;
	}
	d->features = want;
	return 0;
}

int virtio_mmio_queue_setup(struct virtio_mmio_dev *d, unsigned index, unsigned max_size,
			    struct virtq *q)
{
	unsigned num, max;
	uint8_t *mem;

	wr(d, REG_QUEUE_SEL, index);
	if (rd(d, REG_QUEUE_READY) != 0)
		return -EBUSY;
	max = rd(d, REG_QUEUE_NUM_MAX);
	if (max == 0)
		return -ENOENT;
	if (max_size > VIRTQ_MAX_SIZE)
		max_size = VIRTQ_MAX_SIZE;
	/* A power of two no larger than either limit. */
	for (num = 1; num * 2 <= max && num * 2 <= max_size; num *= 2)
		;
	/* desc 16n (align 16), avail 6+2n (align 2), used 6+8n (align 4):
	 * 8 KiB holds all three for n = 256; zeroed by the allocator. */
	mem = page_alloc_order(1);
	if (!mem)
		return -ENOMEM;
	q->index = index;
	q->num = num;
	q->pages = mem;
	q->desc = (struct virtq_desc *)mem;
	q->avail = (struct virtq_avail *)(mem + 16 * num);
	q->used = (struct virtq_used *)(mem + ((16 * num + 6 + 2 * num + 3) & ~3u));
	for (unsigned i = 0; i < num; i++)
		q->desc[i].next = (uint16_t)(i + 1);
	q->free_head = 0;
	q->num_free = num;
	q->last_used = 0;

	wr(d, REG_QUEUE_NUM, num);
	uint64_t pa = va_to_pa(q->desc);
	wr(d, REG_QUEUE_DESC_LOW, (uint32_t)pa);
	wr(d, REG_QUEUE_DESC_HIGH, (uint32_t)(pa >> 32));
	pa = va_to_pa(q->avail);
	wr(d, REG_QUEUE_DRIVER_LOW, (uint32_t)pa);
	wr(d, REG_QUEUE_DRIVER_HIGH, (uint32_t)(pa >> 32));
	pa = va_to_pa(q->used);
	wr(d, REG_QUEUE_DEVICE_LOW, (uint32_t)pa);
	wr(d, REG_QUEUE_DEVICE_HIGH, (uint32_t)(pa >> 32));
	/* The rings (zeroed) must be visible before the device may use them. */
	arch_io_fence();
	wr(d, REG_QUEUE_READY, 1);
	return 0;
}

void virtio_mmio_driver_ok(struct virtio_mmio_dev *d)
{
	arch_io_fence();
	set_status(d, VIRTIO_STATUS_DRIVER_OK);
}

uint64_t virtio_mmio_config_read(struct virtio_mmio_dev *d, unsigned off, unsigned len)
{
	volatile uint8_t *cfg = (volatile uint8_t *)d->regs + REG_CONFIG + off;
	uint32_t gen;
	uint64_t v;

	do {
		gen = rd(d, REG_CONFIG_GENERATION);
		switch (len) {
		case 1:
			v = cfg[0];
			break;
		case 2:
			v = *(volatile uint16_t *)cfg;
			break;
		case 4:
			v = *(volatile uint32_t *)cfg;
			break;
		default:
			v = *(volatile uint32_t *)cfg |
			    (uint64_t) * (volatile uint32_t *)(cfg + 4) << 32;
			break;
		}
	} while (rd(d, REG_CONFIG_GENERATION) != gen);
	return v;
}

uint32_t virtio_mmio_ack_irq(struct virtio_mmio_dev *d)
{
	uint32_t st = rd(d, REG_INTERRUPT_STATUS);

	if (st)
		wr(d, REG_INTERRUPT_ACK, st);
	return st;
}

void virtio_mmio_notify(struct virtio_mmio_dev *d, struct virtq *q)
{
	/* avail->idx (memory) before the notify (device write): fence w,o. */
	arch_io_fence();
	wr(d, REG_QUEUE_NOTIFY, q->index);
}

int virtq_alloc_chain(struct virtq *q, unsigned n)
{
	uint16_t head = q->free_head, i = head;

	if (n == 0 || q->num_free < n)
		return -1;
	for (unsigned k = 1; k < n; k++) {
		q->desc[i].flags = VIRTQ_DESC_F_NEXT;
		i = q->desc[i].next;
	}
	q->desc[i].flags = 0;
	q->free_head = q->desc[i].next;
	q->num_free -= n;
	return head;
}

void virtq_free_chain(struct virtq *q, uint16_t head)
{
	uint16_t i = head;
	unsigned n = 1;

	while (q->desc[i].flags & VIRTQ_DESC_F_NEXT) {
		i = q->desc[i].next;
		n++;
	}
	q->desc[i].next = q->free_head;
	q->free_head = head;
	q->num_free += n;
}

void virtq_publish(struct virtq *q, uint16_t head)
{
	uint16_t idx = q->avail->idx;

	q->avail->ring[idx & (q->num - 1)] = head;
	/* Descriptors and the ring slot before the index that publishes them
	 * (pairs with the device reading avail->idx, then the ring). */
	arch_io_fence();
	*(volatile uint16_t *)&q->avail->idx = (uint16_t)(idx + 1);
}

bool virtq_pop_used(struct virtq *q, uint16_t *head, uint32_t *len)
{
	uint16_t idx = *(volatile uint16_t *)&q->used->idx;

	if (idx == q->last_used)
		return false;
	/* used->idx before the element it covers (the device wrote the element,
	 * then the index). */
	arch_io_fence();
	struct virtq_used_elem *e = &q->used->ring[q->last_used & (q->num - 1)];
	*head = (uint16_t)e->id;
	*len = e->len;
	q->last_used++;
	return true;
}
