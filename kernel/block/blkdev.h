/* SPDX-License-Identifier: MIT */
/*
 * Block devices: a name ("vda"), a size in 512-byte sectors, and
 * asynchronous requests. A request (struct blk_req) is started with
 * blkdev_submit() and completed by the driver's interrupt handler, which
 * stores the result, wakes the request's waker and calls its ->done hook.
 * struct blk_req is also a future (base first): polling it submits it if
 * needed and is ready once the device answered; ->base.result is then 0,
 * -EIO (device error, or a range beyond the device's end: such requests
 * complete at once without reaching the device) or -EINVAL (a length that is
 * not a multiple of 512, zero, or above BLK_MAX_BYTES).
 *
 * Ownership: the request, and the buffer it names, belong to the device from
 * submission until completion. Dropping a request future that is still in
 * flight does not cancel the I/O: the caller must keep the buffer (and the
 * request) alive until it completes. A request still waiting for room in the
 * queue is simply taken off the wait list.
 *
 * Lock legend: I set before registration; D the driver's lock; A atomic.
 */
#ifndef KERNEL_BLOCK_BLKDEV_H
#define KERNEL_BLOCK_BLKDEV_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "kernel/async/future.h"
#include "lib/list.h"

#define BLK_SECTOR_SIZE 512
#define BLK_MAX_BYTES (1u << 20)
/* Disks and their partitions together. */
#define BLKDEV_MAX 64
/* Linux's numbers: virtio-blk's major, and the minors of one disk (the disk
 * and 15 partitions). */
#define BLKDEV_MAJOR 254
#define BLKDEV_MINORS 16

enum blk_op {
	BLK_READ,
	BLK_WRITE,
	BLK_FLUSH,	/* everything completed before is on stable storage */
};

struct blkdev;

/*
 *   IDLE --submit--> QUEUED (no room in the ring) --room--> INFLIGHT --irq--> DONE
 *       \------------------------------------------------/
 *   IDLE --bad range/len-----------------------------------------------> DONE
 */
enum blk_req_state {
	BLK_REQ_IDLE,
	BLK_REQ_QUEUED,
	BLK_REQ_INFLIGHT,
	BLK_REQ_DONE,
};

/* One piece of a scatter-gather request's buffer (kernel memory). */
struct blk_seg {
	void *buf;			/* direct-map address */
	uint32_t len;			/* bytes, a multiple of BLK_SECTOR_SIZE */
};

/* Most segments one request may have (each is a descriptor on the ring). */
#define BLK_MAX_SEGS 32

struct blk_req {
	struct future base;		/* result at DONE: 0, -EIO, -EINVAL */
	struct blkdev *dev;		/* I */
	enum blk_op op;			/* I */
	uint64_t sector;		/* I */
	void *buf;			/* I: direct-map address (kernel memory) */
	uint32_t len;			/* I: bytes (all segments together when nsegs) */
	/* I: scatter-gather (blk_req_init_sg): the data is segs[0..nsegs) in
	 * order, consecutive on the disk; buf is unused. 0: the one buf. */
	uint32_t nsegs;
	const struct blk_seg *segs;	/* I: owned by the caller, like buf */
	/* Called once at completion, in interrupt context or from a polling
	 * loop, without driver locks: record and wake only. May be NULL. */
	void (*done)(struct blk_req *r);
	void *done_arg;			/* I: for ->done */
	atomic_int state;		/* A (D to change): enum blk_req_state */
	struct waker waker;		/* D */
	bool has_waker;			/* D */
	struct list_head wait_node;	/* D: on the driver's FIFO while QUEUED */
	uint64_t submit_ns;		/* D: when it was submitted (statistics) */
};

struct blkdev_ops {
	/* Start @r (state IDLE, range checked): put it in flight or on the
	 * FIFO. Any context. */
	void (*submit)(struct blkdev *dev, struct blk_req *r);
	/* Register/replace r's waker unless already DONE; true if DONE. */
	bool (*set_waker)(struct blkdev *dev, struct blk_req *r, const struct waker *w);
	/* Take r off the FIFO if still QUEUED; forget its waker. */
	void (*cancel)(struct blkdev *dev, struct blk_req *r);
	/* Reap completions without waiting for the interrupt (power-off path,
	 * interrupts may be off). */
	void (*poll)(struct blkdev *dev);
};

struct blkdev {
	char name[8];			/* I: "vda", "vda1", ... */
	uint32_t devt;			/* I: st_rdev of /dev/<name> (Linux's encoding) */
	/* A partition is a range of its disk: requests are checked against the
	 * partition and moved by ->start onto the disk (blkdev_submit). */
	struct blkdev *parent;		/* I: the disk of a partition, or NULL */
	uint64_t start;			/* I: a partition's first sector on the disk */
	unsigned partno;		/* I: 1.. for a partition, 0 for a disk */
	/* The block size that reads and writes of /dev/<name> use in the cache:
	 * 4096, or the block size of the file system mounted on it (the cache
	 * names blocks by size, so both must agree; Linux's set_blocksize). */
	atomic_uint bsize;		/* A */
	/* File systems alive on it (kernel/fs/sys_mount.c): one a lazily
	 * unmounted fs still holds keeps a new mount(2) out (-EBUSY). */
	atomic_int fs_count;		/* A */
	/* Written through /dev/<name> since the last sync(2) saw it: sync
	 * writes such a device back too (as Linux's sync writes every bdev). */
	atomic_uint raw_dirty;		/* A: 0 or 1 */
	uint64_t sectors;		/* I: capacity in 512-byte sectors */
	bool read_only;			/* I */
	bool has_flush;			/* I: BLK_FLUSH reaches the device */
	const struct blkdev_ops *ops;	/* I */
	void *priv;			/* I: the driver's state */
	atomic_uint write_errors;	/* A: failed BLK_WRITEs so far (bcache_sync) */
	/* I/O statistics for /sys/block/<dev>/stat, counted at completion
	 * (as Linux): per enum blk_op, requests, sectors and the ns they took
	 * from submission; requests in flight, and the ns with any in flight. */
	struct {
		atomic_ullong ios[3], sectors[3], ns[3];
		atomic_uint in_flight;
		atomic_ullong busy_ns, busy_since;
	} stats;
};

/* Prepare @r (any previous use must be DONE or never submitted). */
void blk_req_init(struct blk_req *r, struct blkdev *dev, enum blk_op op, uint64_t sector,
		  void *buf, uint32_t len);
/* The same for a scatter-gather request: nsegs (1..BLK_MAX_SEGS) pieces of
 * memory read into or written from consecutive sectors from @sector on. */
void blk_req_init_sg(struct blk_req *r, struct blkdev *dev, enum blk_op op, uint64_t sector,
		     const struct blk_seg *segs, uint32_t nsegs);
/* Start @r now (IDLE only); completion as described at the top. */
void blkdev_submit(struct blk_req *r);
static inline bool blk_req_is_done(const struct blk_req *r)
{
	return atomic_load_explicit(&r->state, memory_order_acquire) == BLK_REQ_DONE;
}

/*
 * For drivers. Completion happens in two steps so that no waker registered
 * in between is lost and nothing of a request is touched once its owner may
 * free it:
 *  - blk_req_complete_locked(), under the driver lock (which set_waker
 *    takes too): store @result, take the waker and the ->done hook into
 *    @fin, publish DONE;
 *  - blk_fin_run(), with no driver lock: wake, then call the hook. The owner
 *    of a request with a ->done hook must not free or reuse it before the
 *    hook has run; a hook-less request may be freed as soon as it is DONE.
 */
struct blk_fin {
	struct blk_req *r;
	void (*done)(struct blk_req *r);
	struct waker w;
	bool has_waker;
};
void blk_req_complete_locked(struct blk_req *r, long result, struct blk_fin *fin);
void blk_fin_run(struct blk_fin *fin);

/* Give the disk @dev the next free name "vd<letter>" and number, and make it
 * findable. 0 or -ENOSPC. */
int blkdev_register(struct blkdev *dev);
/* A partition partno (1..15) of @disk over sectors [start, start + sectors):
 * registered as "<disk><partno>". 0, -ENOMEM or -ENOSPC. */
int blkdev_add_partition(struct blkdev *disk, unsigned partno, uint64_t start, uint64_t sectors);
/* Read @disk's partition table (lib/partition.h) and add its partitions, by
 * polling the device (boot, interrupts may be off). How many were added. */
unsigned blkdev_scan_partitions(struct blkdev *disk);
struct blkdev *blkdev_find(const char *name);
/* The device with that st_rdev, or NULL. */
struct blkdev *blkdev_find_devt(uint32_t devt);
/* The block size raw access to @dev uses in the cache (see ->bsize). */
unsigned blkdev_bsize(struct blkdev *dev);
void blkdev_set_bsize(struct blkdev *dev, unsigned bsize);

/* The file ops of a block device node: read, write, lseek, fsync, ioctl
 * BLKGETSIZE64 and friends over the buffer cache (blkdev_file.c). */
struct file_ops;
struct file;
extern const struct file_ops blkdev_fops;
/* The device an open block device file is on, or NULL for any other file. */
struct blkdev *blkdev_of_file(const struct file *f);
/* Its size in bytes (lseek's SEEK_END), 0 for any other file. */
uint64_t blkdev_file_size(const struct file *f);
struct seqbuf;
/* /proc/partitions: Linux's header and one line per device, each disk
 * followed by its partitions. */
void blkdev_show_partitions(struct seqbuf *s);
/* The i-th registered device (registration order), or NULL. */
struct blkdev *blkdev_get(unsigned i);
unsigned blkdev_count(void);

struct boot_info;
/* Probe every virtio-mmio slot of the device tree and register each disk;
 * the first -drive of the QEMU command line becomes "vda" (slots are taken
 * from the highest address down). Once, on the boot hart; a second call
 * does nothing. */
void blkdev_probe_all(const struct boot_info *bi);

/* Run @r to completion from a non-task context (exec_block_on); its result. */
long blk_req_block_on(struct blk_req *r);
/* Same, by polling the device: for paths where interrupts may be off.
 * -ETIMEDOUT after @timeout_ns (the request stays owned by the device). */
long blk_req_poll_wait(struct blk_req *r, uint64_t timeout_ns);

#endif
