// SPDX-License-Identifier: MIT
/* MBR and GPT partition tables; see partition.h. Field offsets are the UEFI spec's. */
#include "lib/partition.h"

#include "lib/errno.h"

static uint16_t ld16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t ld32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t ld64(const uint8_t *p)
{
	return ld32(p) | (uint64_t)ld32(p + 4) << 32;
}

uint32_t part_crc32(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	crc = ~crc;
	while (len--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
	}
	return ~crc;
}

#define MBR_TABLE 446
#define MBR_SIG 510
#define MBR_TYPE_GPT 0xee

static bool is_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

/*
 * A FAT boot sector also ends in 55 aa: one whose BIOS parameter block makes
 * sense (a jump, a sector size of 512..4096, a power-of-two cluster, reserved
 * sectors and FATs) is a file system, not a partition table (Linux's check).
 */
static bool is_fat_boot_sector(const uint8_t *s0)
{
	uint16_t bps = ld16(s0 + 11);

	return (s0[0] == 0xeb || s0[0] == 0xe9) && bps >= 512 && bps <= 4096 && is_pow2(bps) &&
	       is_pow2(s0[13]) && ld16(s0 + 14) != 0 && s0[16] != 0 && s0[21] >= 0xf0;
}

bool part_is_extended(uint8_t t)
{
	return t == 0x05 || t == 0x0f || t == 0x85;
}

/* Keep [start, start + len) inside the disk: false to drop it. */
static bool clamp(uint64_t start, uint64_t *len, uint64_t disk)
{
	if (!*len || start >= disk)
		return false;
	if (*len > disk - start)
		*len = disk - start;
	return true;
}

enum part_kind part_parse_mbr(const uint8_t *s0, uint64_t disk_sectors, struct part_info *out,
			      unsigned *n)
{
	*n = 0;
	if (s0[MBR_SIG] != 0x55 || s0[MBR_SIG + 1] != 0xaa)
		return PART_NONE;
	for (int i = 0; i < 4; i++) {
		uint8_t boot = s0[MBR_TABLE + 16 * i];

		if (boot != 0 && boot != 0x80)
			return PART_NONE;
	}
	for (int i = 0; i < 4; i++)
		if (s0[MBR_TABLE + 16 * i + 4] == MBR_TYPE_GPT)
			return PART_GPT;
	if (is_fat_boot_sector(s0))
		return PART_NONE;
	for (int i = 0; i < 4; i++) {
		const uint8_t *e = s0 + MBR_TABLE + 16 * i;
		uint64_t start = ld32(e + 8), len = ld32(e + 12);

		if (!e[4] || !clamp(start, &len, disk_sectors))
			continue;
		if (part_is_extended(e[4]) && len > 2)
			len = 2; /* Linux shows the container as 1 KiB */
		out[(*n)++] = (struct part_info){
			.partno = (unsigned)i + 1, .start = start, .sectors = len, .mbr_type = e[4],
		};
	}
	return PART_MBR;
}

#define GPT_HDR_SIZE_MIN 92

int part_gpt_header(const uint8_t *s, uint64_t lba, uint64_t disk_sectors, struct gpt_header *h)
{
	static const char sig[8] = { 'E', 'F', 'I', ' ', 'P', 'A', 'R', 'T' };
	uint8_t copy[PART_SECTOR];
	uint32_t hsize = ld32(s + 12);

	for (int i = 0; i < 8; i++)
		if (s[i] != (uint8_t)sig[i])
			return -EINVAL;
	if (hsize < GPT_HDR_SIZE_MIN || hsize > PART_SECTOR)
		return -EINVAL;
	for (uint32_t i = 0; i < hsize; i++)
		copy[i] = i >= 16 && i < 20 ? 0 : s[i];
	if (part_crc32(0, copy, hsize) != ld32(s + 16))
		return -EINVAL;
	h->my_lba = ld64(s + 24);
	h->alt_lba = ld64(s + 32);
	h->first_usable = ld64(s + 40);
	h->last_usable = ld64(s + 48);
	h->entries_lba = ld64(s + 72);
	h->nentries = ld32(s + 80);
	h->entry_size = ld32(s + 84);
	h->entries_crc = ld32(s + 88);
	if (h->my_lba != lba || h->first_usable > h->last_usable || h->last_usable >= disk_sectors)
		return -EINVAL;
	if (h->entry_size < 128 || !is_pow2(h->entry_size) || h->entry_size > 4096)
		return -EINVAL;
	/* At most 1 MiB of entries (128 KiB is already ten times the usual). */
	if (!h->nentries || h->nentries > (1u << 20) / h->entry_size)
		return -EINVAL;
	uint64_t esec = (part_gpt_entries_bytes(h) + PART_SECTOR - 1) / PART_SECTOR;

	if (h->entries_lba < 2 || h->entries_lba >= disk_sectors ||
	    esec > disk_sectors - h->entries_lba)
		return -EINVAL;
	return 0;
}

size_t part_gpt_entries_bytes(const struct gpt_header *h)
{
	return (size_t)h->nentries * h->entry_size;
}

int part_gpt_entries(const uint8_t *buf, const struct gpt_header *h, struct part_info *out,
		     unsigned *n)
{
	*n = 0;
	if (part_crc32(0, buf, part_gpt_entries_bytes(h)) != h->entries_crc)
		return -EINVAL;
	for (uint32_t i = 0; i < h->nentries && i < PART_MAX; i++) {
		const uint8_t *e = buf + (size_t)i * h->entry_size;
		uint64_t first = ld64(e + 32), last = ld64(e + 40), len;
		bool used = false;

		for (int k = 0; k < 16; k++)
			used |= e[k] != 0;
		/* Inside the usable range, as the spec requires. */
		if (!used || first > last || first < h->first_usable || last > h->last_usable)
			continue;
		len = last - first + 1;
		out[(*n)++] = (struct part_info){ .partno = i + 1, .start = first, .sectors = len };
	}
	return 0;
}

static int scan_gpt(part_read_fn read, void *ctx, uint64_t lba, uint64_t disk, uint8_t *scratch,
		    size_t len, struct part_info *out, unsigned *n)
{
	struct gpt_header h;
	int err = read(ctx, lba, scratch, 1);

	if (err)
		return err;
	err = part_gpt_header(scratch, lba, disk, &h);
	if (err)
		return err;
	size_t bytes = part_gpt_entries_bytes(&h);
	unsigned secs = (unsigned)((bytes + PART_SECTOR - 1) / PART_SECTOR);

	if ((size_t)secs * PART_SECTOR > len)
		return -EINVAL;
	err = read(ctx, h.entries_lba, scratch, secs);
	if (err)
		return err;
	return part_gpt_entries(scratch, &h, out, n);
}

/*
 * Linux's parse_extended over the first extended partition: each EBR's data
 * entries (start relative to the EBR) are logical partitions, its first
 * extended entry (start relative to the extended partition) the next EBR.
 * A chain that loops or leaves the extended partition stops; so does one
 * past PART_MAX. The extended partition's full extent is re-read from
 * sector 0 (out[] holds it cut to 2 sectors).
 */
static int scan_logical(part_read_fn read, void *ctx, uint64_t disk, uint8_t *scratch,
			struct part_info *out, unsigned *n)
{
	uint64_t ext_start = 0, ext_len = 0, ebr;
	unsigned next_no = 5;

	for (int i = 0; i < 4 && !ext_len; i++) {
		const uint8_t *e = scratch + MBR_TABLE + 16 * i;

		if (part_is_extended(e[4])) {
			ext_start = ld32(e + 8);
			ext_len = ld32(e + 12);
			if (!clamp(ext_start, &ext_len, disk))
				ext_len = 0;
		}
	}
	ebr = ext_start;
	for (unsigned hops = 0; ext_len && hops < PART_MAX && next_no <= PART_MAX; hops++) {
		uint64_t next = 0;
		int err = read(ctx, ebr, scratch, 1);

		if (err)
			return err;
		if (scratch[MBR_SIG] != 0x55 || scratch[MBR_SIG + 1] != 0xaa)
			break;
		for (int i = 0; i < 4 && next_no <= PART_MAX; i++) {
			const uint8_t *e = scratch + MBR_TABLE + 16 * i;
			uint64_t start = ebr + ld32(e + 8), len = ld32(e + 12);

			if (!e[4] || !len)
				continue;
			if (part_is_extended(e[4])) {
				if (!next)
					next = ext_start + ld32(e + 8);
				continue;
			}
			if (start >= ext_start + ext_len || !clamp(start, &len, disk))
				continue;
			if (len > ext_start + ext_len - start)
				len = ext_start + ext_len - start;
			out[(*n)++] = (struct part_info){
				.partno = next_no++, .start = start, .sectors = len, .mbr_type = e[4],
			};
		}
		/* Forward only, inside the extended partition: no loops. */
		if (next <= ebr || next >= ext_start + ext_len)
			break;
		ebr = next;
	}
	return PART_MBR;
}

int part_scan(part_read_fn read, void *ctx, uint64_t disk_sectors, uint8_t *scratch,
	      size_t scratch_len, struct part_info *out, unsigned *n)
{
	enum part_kind k;
	int err;

	*n = 0;
	if (disk_sectors < 1 || scratch_len < 2 * PART_SECTOR)
		return PART_NONE;
	err = read(ctx, 0, scratch, 1);
	if (err)
		return err;
	k = part_parse_mbr(scratch, disk_sectors, out, n);
	if (k == PART_MBR)
		return scan_logical(read, ctx, disk_sectors, scratch, out, n);
	if (k != PART_GPT)
		return k;
	if (disk_sectors < 3)
		return PART_NONE;
	err = scan_gpt(read, ctx, 1, disk_sectors, scratch, scratch_len, out, n);
	if (err == -EINVAL) /* damaged: the backup header in the last sector */
		err = scan_gpt(read, ctx, disk_sectors - 1, disk_sectors, scratch, scratch_len, out,
			       n);
	if (err == -EINVAL) {
		*n = 0;
		return PART_NONE;
	}
	return err ? err : PART_GPT;
}
