// SPDX-License-Identifier: MIT
/* cpio newc header parsing; see cpio_newc.h. */
#include "lib/cpio_newc.h"

#include <stdbool.h>

#include "lib/errno.h"
#include "lib/string.h"

static bool parse_hex8(const char *s, uint32_t *out)
{
	uint32_t v = 0;

	for (int i = 0; i < 8; i++) {
		char c = s[i];
		uint32_t d;

		if (c >= '0' && c <= '9')
			d = (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (uint32_t)(c - 'A' + 10);
		else
			return false;
		v = v << 4 | d;
	}
	*out = v;
	return true;
}

static size_t align4(size_t x)
{
	return (x + 3) & ~(size_t)3;
}

int cpio_newc_next(const void *buf, size_t len, size_t *off, struct cpio_newc_entry *e)
{
	const char *base = buf;
	size_t pos = *off;
	uint32_t f[13];
	uint32_t namesize;

	if (pos > len || len - pos < CPIO_NEWC_HDR_SIZE)
		return -EINVAL;
	const char *h = base + pos;

	if (memcmp(h, "07070", 5) != 0 || (h[5] != '1' && h[5] != '2'))
		return -EINVAL;
	for (int i = 0; i < 13; i++)
		if (!parse_hex8(h + 6 + 8 * i, &f[i]))
			return -EINVAL;
	e->ino = f[0];
	e->mode = f[1];
	e->uid = f[2];
	e->gid = f[3];
	e->nlink = f[4];
	e->mtime = f[5];
	e->filesize = f[6];
	e->devmajor = f[7];
	e->devminor = f[8];
	e->rdevmajor = f[9];
	e->rdevminor = f[10];
	namesize = f[11];
	/* f[12] is the checksum: not verified. */

	pos += CPIO_NEWC_HDR_SIZE;
	if (namesize < 2 || namesize > len - pos)
		return -EINVAL;
	e->name = base + pos;
	e->namelen = namesize - 1;
	if (e->name[e->namelen] != '\0' || memchr(e->name, 0, e->namelen))
		return -EINVAL;
	/* Header + name padded to 4 from the entry's start (pos is relative
	 * to the archive start, which is where alignment counts). */
	pos = align4(pos + namesize);
	if (pos > len)
		return -EINVAL;
	if (e->namelen == 10 && memcmp(e->name, "TRAILER!!!", 10) == 0) {
		e->data = base + pos;
		*off = pos;
		return 0;
	}
	if (e->filesize > len - pos)
		return -EINVAL;
	e->data = base + pos;
	pos += e->filesize;
	/* The last entry's data padding may be cut off; that is harmless. */
	pos = align4(pos);
	*off = pos > len ? len : pos;
	return 1;
}
