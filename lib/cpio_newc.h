/* SPDX-License-Identifier: MIT */
/*
 * A bounds-checked reader of cpio "newc" archives (magic 070701, or 070702
 * with checksums, which are not verified). Pure: no allocation, no global
 * state, never reads outside [buf, buf + len).
 *
 * Layout of one entry: a 110-byte header of ASCII hex fields, the name
 * (c_namesize bytes including its NUL) padded so header + name is a multiple
 * of 4, then c_filesize bytes of data padded to 4. The archive ends with an
 * entry named "TRAILER!!!".
 */
#ifndef LIB_CPIO_NEWC_H
#define LIB_CPIO_NEWC_H

#include <stddef.h>
#include <stdint.h>

#define CPIO_NEWC_HDR_SIZE 110

struct cpio_newc_entry {
	uint32_t ino, mode, uid, gid, nlink, mtime, filesize;
	uint32_t devmajor, devminor, rdevmajor, rdevminor;
	const char *name;	/* NUL-terminated, inside the archive */
	size_t namelen;		/* strlen(name), >= 1 */
	const void *data;	/* filesize bytes, inside the archive */
};

/*
 * Parse the entry at *off. Returns 1 and advances *off past the entry (and
 * its padding); 0 at the trailer; a negative errno (-EINVAL) when the entry
 * is malformed or truncated: bad magic, a non-hex digit, a name that is
 * empty, unterminated or holds a NUL, a name or data running past len.
 */
int cpio_newc_next(const void *buf, size_t len, size_t *off, struct cpio_newc_entry *e);

#endif
