// SPDX-License-Identifier: MIT
/* /dev/null and /dev/zero: reads give nothing or zeros, writes are consumed. */
#include "kernel/drivers/char/mem.h"

#include "kernel/fs/vfs.h"

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
