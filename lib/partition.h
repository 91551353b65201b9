/* SPDX-License-Identifier: MIT */
/*
 * Partition tables, parsed from sectors the caller read: the MBR (sector 0,
 * primary entries only) and GPT (UEFI 2.x chapter 5: the header at LBA 1, or
 * the backup at the last LBA, and its entry array, both CRC32-checked).
 * Freestanding: the kernel's block layer (kernel/block/partition.c) does the
 * reading; tests/unit/test_partition.c feeds images made by sfdisk.
 */
#ifndef LIB_PARTITION_H
#define LIB_PARTITION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PART_SECTOR 512
/* Partitions per disk: Linux's virtio-blk gives each disk 16 minors. */
#define PART_MAX 15

struct part_info {
	unsigned partno;	/* 1..PART_MAX: the MBR slot or GPT entry index + 1 */
	uint64_t start;		/* first sector */
	uint64_t sectors;	/* length in sectors */
	uint8_t mbr_type;	/* MBR system id; 0 for GPT */
};

enum part_kind {
	PART_NONE,	/* no partition table (a whole-disk file system, FAT included) */
	PART_MBR,	/* *out holds the primary partitions */
	PART_GPT,	/* a protective MBR: read the GPT (part_gpt_header) */
};

/*
 * Sector 0 of a disk of disk_sectors sectors. Fills out[] (PART_MAX room)
 * and *n for PART_MBR with the primary partitions. An extended one (types
 * 0x05, 0x0f, 0x85) is listed as Linux lists it, 2 sectors long, with
 * mbr_type saying what it is: part_scan reads its logical partitions (5, 6,
 * ...). Entries past the disk's end are dropped, entries running over it are
 * cut to fit, as Linux does.
 */
enum part_kind part_parse_mbr(const uint8_t *s0, uint64_t disk_sectors, struct part_info *out,
			      unsigned *n);

struct gpt_header {
	uint64_t my_lba, alt_lba;
	uint64_t first_usable, last_usable;
	uint64_t entries_lba;
	uint32_t nentries, entry_size, entries_crc;
};

/* Check the GPT header in sector (512 bytes) found at lba: signature, header
 * CRC, my_lba == lba, entry size 128 * 2^k, usable range inside the disk.
 * 0 or -EINVAL. */
int part_gpt_header(const uint8_t *sector, uint64_t lba, uint64_t disk_sectors,
		    struct gpt_header *h);
/* Bytes of the entry array h names (what to read from h->entries_lba). */
size_t part_gpt_entries_bytes(const struct gpt_header *h);
/* The entries (part_gpt_entries_bytes of them): CRC check, then each used
 * entry (type GUID not zero) with index < PART_MAX into out[]. 0 or -EINVAL. */
int part_gpt_entries(const uint8_t *buf, const struct gpt_header *h, struct part_info *out,
		     unsigned *n);

/* Is an MBR system id an extended partition (a chain of logical ones)? */
bool part_is_extended(uint8_t type);

/*
 * The whole scan: sector 0 and the chain of extended boot records of an
 * extended partition (logical partitions numbered from 5 in chain order), or
 * for a protective MBR the primary GPT (LBA 1) or, when it is damaged, the
 * backup in the last sector. read(ctx, lba, buf,
 * count) reads count sectors, 0 or -errno. scratch (scratch_len bytes, at
 * least 1024) holds what is read. Returns the kind found with out[0..*n),
 * or -errno from a read (PART_NONE and *n = 0 when the GPT is unreadable).
 */
typedef int (*part_read_fn)(void *ctx, uint64_t lba, void *buf, unsigned count);
int part_scan(part_read_fn read, void *ctx, uint64_t disk_sectors, uint8_t *scratch,
	      size_t scratch_len, struct part_info *out, unsigned *n);

/* CRC-32 (IEEE 802.3, reflected, as GPT uses it) of buf, continuing from crc (0 to start). */
uint32_t part_crc32(uint32_t crc, const void *buf, size_t len);

#endif
