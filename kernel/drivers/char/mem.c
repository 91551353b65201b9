// SPDX-License-Identifier: MIT
/*
 * The memory character devices: /dev/null and /dev/zero (reads give nothing
 * or zeros, writes are consumed), /dev/full (zeros, and every write fails
 * with ENOSPC), /dev/random and /dev/urandom (the kernel's generator,
 * kernel/random.h: always ready, as Linux's once seeded; writes are mixed
 * into it, crediting nothing).
 */
#include "kernel/drivers/char/mem.h"

#include "kernel/fs/poll.h"
#include "kernel/fs/vfs.h"
#include "kernel/random.h"
#include "lib/errno.h"
#include "lib/string.h"

static long null_read(struct file *f, struct uio *u, uint64_t *pos)
{
	(void)f;
	(void)u;
	(void)pos;
	return 0;
}

static long null_write(struct file *f, struct uio *u, uint64_t *pos)
{
	size_t n = u->resid;

	(void)f;
	(void)pos;
	/* Consume without touching the bytes (Linux does not check them either). */
	u->resid = 0;
	u->iovcnt = 0;
	return (long)n;
}

static long zero_read(struct file *f, struct uio *u, uint64_t *pos)
{
	(void)f;
	(void)pos;
	return uio_zero(u, u->resid);
}

const struct file_ops mem_null_fops = {
	.read = null_read,
	.write = null_write,
	.seekable = true,
};

const struct file_ops mem_zero_fops = {
	.read = zero_read,
	.write = null_write,
	.seekable = true,
};

static long full_write(struct file *f, struct uio *u, uint64_t *pos)
{
	(void)f;
	(void)u;
	(void)pos;
	return -ENOSPC;
}

const struct file_ops mem_full_fops = {
	.read = zero_read,
	.write = full_write,
	.seekable = true,
};

/*
 * At most this much per read: a read runs inside one poll of the hart, and
 * Linux may return less too (when a signal comes). Callers loop.
 */
#define RANDOM_READ_MAX (16UL << 20)

static long random_read(struct file *f, struct uio *u, uint64_t *pos)
{
	uint8_t chunk[256];
	size_t want = u->resid < RANDOM_READ_MAX ? u->resid : RANDOM_READ_MAX, done = 0;

	(void)f;
	(void)pos;
	while (done < want) {
		size_t n = want - done < sizeof(chunk) ? want - done : sizeof(chunk);
		long r;

		random_bytes(chunk, n);
		r = uio_copy_to(u, chunk, n);
		if (r < 0) {
			memset(chunk, 0, sizeof(chunk));
			return done ? (long)done : r;
		}
		done += (size_t)r;
		if ((size_t)r < n)
			break;
	}
	memset(chunk, 0, sizeof(chunk));
	return (long)done;
}

static long random_write(struct file *f, struct uio *u, uint64_t *pos)
{
	uint8_t chunk[256];
	size_t done = 0;

	(void)f;
	(void)pos;
	while (u->resid) {
		long r = uio_copy_from(u, chunk, sizeof(chunk));

		if (r <= 0)
			return done ? (long)done : r;
		random_init(chunk, (size_t)r);
		done += (size_t)r;
	}
	return (long)done;
}

/* As Linux's random_poll once the generator is seeded: readable, and not
 * writable (writing never blocks, but only urandom says so). */
static unsigned random_ready(struct file *f)
{
	(void)f;
	return POLLIN | POLLRDNORM;
}

const struct file_ops mem_random_fops = {
	.read = random_read,
	.write = random_write,
	.seekable = true,
	.ready = random_ready,
};

/* Linux's urandom_fops has no poll: the default mask, read and write. */
const struct file_ops mem_urandom_fops = {
	.read = random_read,
	.write = random_write,
	.seekable = true,
};
