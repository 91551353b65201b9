/* SPDX-License-Identifier: MIT */
/*
 * The FAT on-disk format, pure parts shared by kernel/fs/vfat and the host
 * test (tests/unit/test_fat.c): the BIOS parameter block, FAT12/16/32 entry
 * coding, VFAT long-name entries (checksum, UCS-2, assembly), 8.3 short-name
 * generation as Linux's vfat does it with shortname=mixed (its default), and
 * FAT dates. Facts from Microsoft's FAT specification (fatgen103).
 */
#ifndef LIB_FAT_H
#define LIB_FAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FAT_DENT_SIZE 32
#define FAT_ATTR_RO 0x01
#define FAT_ATTR_HIDDEN 0x02
#define FAT_ATTR_SYSTEM 0x04
#define FAT_ATTR_VOLUME 0x08
#define FAT_ATTR_DIR 0x10
#define FAT_ATTR_ARCH 0x20
#define FAT_ATTR_LFN 0x0f
#define FAT_DELETED 0xe5
#define FAT_LCASE_BASE 0x08	/* NT: the base of the 8.3 name is lower case */
#define FAT_LCASE_EXT 0x10	/* NT: the extension is lower case */
#define FAT_LFN_CHARS 13	/* UCS-2 characters per long-name entry */
#define FAT_LFN_MAX 255
#define FAT_LFN_LAST 0x40

/* Directory entry fields (byte offsets). */
#define DE_NAME 0
#define DE_ATTR 11
#define DE_LCASE 12
#define DE_CTIME_CS 13
#define DE_CTIME 14
#define DE_CDATE 16
#define DE_ADATE 18
#define DE_START_HI 20
#define DE_TIME 22
#define DE_DATE 24
#define DE_START 26
#define DE_SIZE 28
/* Long-name entry fields. */
#define LFN_ORD 0
#define LFN_NAME1 1
#define LFN_CSUM 13
#define LFN_NAME2 14
#define LFN_NAME3 28

struct fat_geom {
	unsigned type;			/* 12, 16 or 32 */
	uint32_t bps;			/* bytes per sector */
	uint32_t spc;			/* sectors per cluster */
	uint32_t csize;			/* bytes per cluster */
	uint32_t nfats;
	uint64_t fat_off;		/* byte offset of the first FAT */
	uint32_t fat_bytes;		/* bytes of one FAT copy */
	uint64_t root_off;		/* FAT12/16: the fixed root directory */
	uint32_t root_bytes;		/* FAT12/16: its size (entries * 32) */
	uint32_t root_clus;		/* FAT32: the root directory's first cluster */
	uint64_t data_off;		/* byte offset of cluster 2 */
	uint32_t nclusters;		/* data clusters: valid numbers are 2..nclusters+1 */
	uint64_t total_bytes;		/* the volume's size per the BPB */
	uint32_t fsinfo_sec;		/* FAT32: the FSInfo sector, 0 if none */
};

/*
 * Check the boot sector (at least 512 bytes) and derive the layout: 0, or
 * -EINVAL for anything Linux's fat_fill_super refuses or that would make
 * the layout inconsistent (zero or non-power-of-two sizes, no FATs, FATs too
 * small for the clusters, a data area past the volume, a root cluster out of
 * range). dev_bytes (0: unknown) bounds the volume.
 */
int fat_parse_bpb(const uint8_t *bs, uint64_t dev_bytes, struct fat_geom *g);

/* FAT entry n of a FAT image (fat_bytes long): the value, or set it. FAT32
 * keeps the top 4 bits of an entry on set. n must be < fat_entries(g). */
uint32_t fat_get(const struct fat_geom *g, const uint8_t *fat, uint32_t n);
void fat_set(const struct fat_geom *g, uint8_t *fat, uint32_t n, uint32_t v);
/* Byte range of the FAT touched by entry n (FAT12 entries straddle bytes). */
void fat_entry_span(const struct fat_geom *g, uint32_t n, uint32_t *off, uint32_t *len);
/* The end-of-chain mark to write, and "is v an end of chain / bad / free". */
uint32_t fat_eoc(const struct fat_geom *g);
bool fat_is_eoc(const struct fat_geom *g, uint32_t v);
/* Is v a cluster number that can be in a chain (2..nclusters+1)? */
static inline bool fat_valid_clus(const struct fat_geom *g, uint32_t v)
{
	return v >= 2 && v - 2 < g->nclusters;
}

/* The long-name checksum of an 11-byte short name. */
uint8_t fat_lfn_csum(const uint8_t name11[11]);

/* Long-name assembly over the entries before a short entry. */
struct fat_lfn {
	uint16_t name[FAT_LFN_MAX + 1 + FAT_LFN_CHARS];
	int next;	/* the ord expected next, 0: none pending */
	int count;	/* entries in the set */
	uint8_t csum;
	unsigned len;	/* characters */
};
void fat_lfn_reset(struct fat_lfn *l);
/* Feed one long-name entry (out of order or damaged sets are dropped). */
void fat_lfn_feed(struct fat_lfn *l, const uint8_t *de);
/* At the short entry de: true with the long name (l->name, l->len) if a
 * complete set with the right checksum preceded it. Resets l either way. */
bool fat_lfn_take(struct fat_lfn *l, const uint8_t *de, unsigned *len);
/* Long-name entry i (0-based from the name's start) of a set of n for name
 * (len UCS-2 chars) with checksum csum, into de (32 bytes). */
void fat_lfn_build(uint8_t *de, const uint16_t *name, unsigned len, unsigned i, unsigned n,
		   uint8_t csum);
/* Entries a long name of len characters needs. */
static inline unsigned fat_lfn_entries(unsigned len)
{
	return (len + FAT_LFN_CHARS - 1) / FAT_LFN_CHARS;
}

/*
 * A name from the VFS (UTF-8, len bytes) as vfat stores it: UCS-2, trailing
 * dots and spaces removed (as Linux). -EINVAL for characters FAT forbids
 * (control characters, " * / : < > ? \ |), code points outside the BMP,
 * or bad UTF-8; -ENAMETOOLONG past 255 characters. Returns the length.
 */
int fat_name_from_utf8(const char *s, size_t len, uint16_t *out);
/* UCS-2 to UTF-8 into out (3 * len + 1 bytes at most); returns the bytes. */
size_t fat_name_to_utf8(const uint16_t *name, unsigned len, char *out);
/* Case-insensitive equality of two UCS-2 names (ASCII letters fold). */
bool fat_name_eq(const uint16_t *a, unsigned alen, const uint16_t *b, unsigned blen);

/* The 8.3 name as Linux shows it with shortname=mixed: "NAME.EXT", the
 * NT lower-case flags applied, 0x05 as 0xe5; into UCS-2 out (12 chars). */
unsigned fat_short_display(const uint8_t name11[11], uint8_t lcase, uint16_t *out);

/*
 * The short name for a new entry called name (as fat_name_from_utf8 gives
 * it), as Linux's vfat_create_shortname with shortname=mixed: returns 0 when
 * the short entry alone holds the name (a valid 8.3 name in upper case,
 * *lcase = 0), 1 when a long name is needed too (name11 is then the 8.3
 * form, with a ~N tail when the name does not fit 8.3 or lost characters),
 * -EEXIST when the 8.3 form is the name and is taken. exists(ctx, n11) says
 * whether a short name is taken in the directory. seed varies the hex tail
 * used after ~1..~9 (Linux uses jiffies).
 */
int fat_make_short(const uint16_t *name, unsigned len, uint8_t name11[11], uint8_t *lcase,
		   bool (*exists)(void *ctx, const uint8_t *n11), void *ctx, unsigned seed);

/* FAT date and time (local time, which is UTC here) <-> Unix seconds. */
int64_t fat_time_to_unix(uint16_t date, uint16_t time, uint8_t cs, uint32_t *nsec);
void fat_time_from_unix(int64_t secs, uint16_t *date, uint16_t *time, uint8_t *cs);

static inline uint16_t fat_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}
static inline uint32_t fat_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline void fat_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}
static inline void fat_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

#endif
