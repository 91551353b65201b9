/* SPDX-License-Identifier: MIT */
/*
 * The name hashes of ext2/3/4 hashed (htree, dir_index) directories, as the ext2 layout
 * defines them: legacy (dx_hack), half-MD4 and TEA, each over signed or unsigned chars.
 * Freestanding; host-tested against debugfs's dx_hash (tests/unit/test_dirhash.c).
 */
#ifndef LIB_DIRHASH_H
#define LIB_DIRHASH_H

#include <stddef.h>
#include <stdint.h>

/* Hash versions as stored in s_def_hash_version and dx_root_info.hash_version. */
enum dirhash_version {
	DIRHASH_LEGACY = 0,
	DIRHASH_HALF_MD4 = 1,
	DIRHASH_TEA = 2,
	DIRHASH_LEGACY_UNSIGNED = 3,
	DIRHASH_HALF_MD4_UNSIGNED = 4,
	DIRHASH_TEA_UNSIGNED = 5,
};

/*
 * Hash name (len bytes) with version v and the superblock's s_hash_seed (4 words as read
 * little-endian; all zero or NULL: the default seed). *hash gets the major hash with the
 * low bit clear (0xfffffffe is reserved for end of directory and becomes 0xfffffffc),
 * *minor (may be NULL) the minor hash. Returns 0, or -1 for an unknown version.
 */
int dirhash(unsigned v, const char *name, size_t len, const uint32_t seed[4], uint32_t *hash,
	    uint32_t *minor);

#endif
