// SPDX-License-Identifier: MIT
/* Host tests of lib/partition.c on images made by sfdisk and mkfs.vfat (partition.mk). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/partition.h"

struct img {
	uint8_t *data;
	size_t size;
	unsigned reads;
};

static struct img load(const char *name)
{
	char path[512];
	struct img im = { 0 };
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", PART_TEST_DIR, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	im.size = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	im.data = malloc(im.size);
	assert_non_null(im.data);
	assert_int_equal(fread(im.data, 1, im.size, f), im.size);
	fclose(f);
	return im;
}

static int img_read(void *ctx, uint64_t lba, void *buf, unsigned count)
{
	struct img *im = ctx;

	im->reads++;
	if ((lba + count) * PART_SECTOR > im->size)
		return -5; /* EIO */
	memcpy(buf, im->data + lba * PART_SECTOR, (size_t)count * PART_SECTOR);
	return 0;
}

static int scan(struct img *im, struct part_info *out, unsigned *n)
{
	static uint8_t scratch[64 << 10];

	return part_scan(img_read, im, im->size / PART_SECTOR, scratch, sizeof(scratch), out, n);
}

static void expect_part(const struct part_info *p, unsigned no, uint64_t start, uint64_t len,
			uint8_t type)
{
	assert_int_equal(p->partno, no);
	assert_int_equal(p->start, start);
	assert_int_equal(p->sectors, len);
	assert_int_equal(p->mbr_type, type);
}

/* As sfdisk -d lists it, and as Linux numbers it: the extended one is 2 sectors. */
static void test_mbr_lists_primaries_by_slot_then_logicals_from_5(void **state)
{
	struct img im = load("part-mbr.img");
	struct part_info p[PART_MAX];
	unsigned n;

	(void)state;
	assert_int_equal(scan(&im, p, &n), PART_MBR);
	assert_int_equal(n, 5);
	expect_part(&p[0], 1, 2048, 4096, 0x83);
	expect_part(&p[1], 2, 6144, 2, 0x05);
	expect_part(&p[2], 3, 14336, 2048, 0x0c);
	expect_part(&p[3], 5, 6400, 2048, 0x83);
	expect_part(&p[4], 6, 8704, 4096, 0x83);
	free(im.data);
}

/* An EBR whose "next" points back at itself: the chain stops, no repeats. */
static void test_mbr_logical_chain_loop_stops(void **state)
{
	struct img im = load("part-mbr.img");
	struct part_info p[PART_MAX];
	unsigned n;
	uint8_t *ebr2;

	(void)state;
	/* The second EBR (of partition 6) is at ext start + its link from the first. */
	uint8_t *ebr1 = im.data + 6144 * 512;
	uint32_t rel = ebr1[446 + 16 + 8] | ebr1[446 + 16 + 9] << 8 | ebr1[446 + 16 + 10] << 16;

	ebr2 = im.data + (6144 + (uint64_t)rel) * 512;
	ebr2[446 + 16 + 4] = 0x05;
	memcpy(ebr2 + 446 + 16 + 8, &rel, 4); /* next = itself */
	ebr2[446 + 16 + 12] = 8;
	assert_int_equal(scan(&im, p, &n), PART_MBR);
	assert_int_equal(n, 5);
	assert_int_equal(p[4].partno, 6);
	free(im.data);
}

static void test_mbr_entry_past_the_end_is_dropped_or_cut(void **state)
{
	struct img im = load("part-mbr.img");
	struct part_info p[PART_MAX];
	unsigned n;

	(void)state;
	/* The disk is said to end inside partition 3, then before it. */
	assert_int_equal(part_parse_mbr(im.data, 15360, p, &n), PART_MBR);
	assert_int_equal(n, 3);
	assert_int_equal(p[2].sectors, 15360 - 14336);
	assert_int_equal(part_parse_mbr(im.data, 14336, p, &n), PART_MBR);
	assert_int_equal(n, 2);
	free(im.data);
}

static void test_mbr_bad_boot_flag_is_not_a_table(void **state)
{
	struct img im = load("part-mbr.img");
	struct part_info p[PART_MAX];
	unsigned n;

	(void)state;
	im.data[446] = 0x12;
	assert_int_equal(part_parse_mbr(im.data, im.size / 512, p, &n), PART_NONE);
	im.data[446] = 0;
	im.data[511] = 0;
	assert_int_equal(part_parse_mbr(im.data, im.size / 512, p, &n), PART_NONE);
	free(im.data);
}

static void test_gpt_lists_entries(void **state)
{
	struct img im = load("part-gpt.img");
	struct part_info p[PART_MAX];
	unsigned n;

	(void)state;
	assert_int_equal(scan(&im, p, &n), PART_GPT);
	assert_int_equal(n, 2);
	assert_int_equal(p[0].partno, 1);
	assert_int_equal(p[0].start, 2048);
	assert_int_equal(p[0].sectors, 4096);
	assert_int_equal(p[1].partno, 2);
	assert_int_equal(p[1].start, 8192);
	assert_int_equal(p[1].sectors, 4096);
	free(im.data);
}

static void test_gpt_damaged_primary_uses_the_backup(void **state)
{
	struct img im = load("part-gpt-bad-primary.img");
	struct part_info p[PART_MAX];
	unsigned n;

	(void)state;
	assert_int_equal(scan(&im, p, &n), PART_GPT);
	assert_int_equal(n, 2);
	assert_int_equal(p[1].start, 8192);
	free(im.data);
}

static void test_gpt_both_headers_damaged_gives_none(void **state)
{
	struct img im = load("part-gpt-bad-both.img");
	struct part_info p[PART_MAX];
	unsigned n = 99;

	(void)state;
	assert_int_equal(scan(&im, p, &n), PART_NONE);
	assert_int_equal(n, 0);
	free(im.data);
}

static void test_gpt_entry_crc_mismatch_is_rejected(void **state)
{
	struct img im = load("part-gpt.img");
	struct gpt_header h;
	struct part_info p[PART_MAX];
	unsigned n;

	(void)state;
	assert_int_equal(part_gpt_header(im.data + 512, 1, im.size / 512, &h), 0);
	assert_int_equal(part_gpt_entries(im.data + h.entries_lba * 512, &h, p, &n), 0);
	assert_int_equal(n, 2);
	im.data[h.entries_lba * 512 + 40] ^= 1; /* last LBA of entry 1 */
	assert_int_equal(part_gpt_entries(im.data + h.entries_lba * 512, &h, p, &n), -22);
	/* A header at the wrong LBA, or on a disk too small for its usable range. */
	assert_int_equal(part_gpt_header(im.data + 512, 2, im.size / 512, &h), -22);
	assert_int_equal(part_gpt_header(im.data + 512, 1, 100, &h), -22);
	free(im.data);
}

static void test_fat_and_empty_disks_have_no_table(void **state)
{
	struct img fat = load("part-fat.img"), zero = load("part-zero.img");
	struct part_info p[PART_MAX];
	unsigned n = 99;

	(void)state;
	assert_int_equal(fat.data[510], 0x55); /* it does look like an MBR at first */
	assert_int_equal(scan(&fat, p, &n), PART_NONE);
	assert_int_equal(n, 0);
	assert_int_equal(scan(&zero, p, &n), PART_NONE);
	free(fat.data);
	free(zero.data);
}

static void test_read_error_is_passed_up(void **state)
{
	struct img im = load("part-gpt.img");
	struct part_info p[PART_MAX];
	unsigned n;

	(void)state;
	im.size = 1024; /* the entries cannot be read, nor the backup */
	assert_int_equal(part_scan(img_read, &im, 16384, (uint8_t[4096]){ 0 }, 4096, p, &n), -5);
	free(im.data);
}

static void test_crc32_known_value(void **state)
{
	(void)state;
	assert_int_equal(part_crc32(0, "123456789", 9), 0xcbf43926u);
	assert_int_equal(part_crc32(part_crc32(0, "1234", 4), "56789", 5), 0xcbf43926u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mbr_lists_primaries_by_slot_then_logicals_from_5),
		cmocka_unit_test(test_mbr_logical_chain_loop_stops),
		cmocka_unit_test(test_mbr_entry_past_the_end_is_dropped_or_cut),
		cmocka_unit_test(test_mbr_bad_boot_flag_is_not_a_table),
		cmocka_unit_test(test_gpt_lists_entries),
		cmocka_unit_test(test_gpt_damaged_primary_uses_the_backup),
		cmocka_unit_test(test_gpt_both_headers_damaged_gives_none),
		cmocka_unit_test(test_gpt_entry_crc_mismatch_is_rejected),
		cmocka_unit_test(test_fat_and_empty_disks_have_no_table),
		cmocka_unit_test(test_read_error_is_passed_up),
		cmocka_unit_test(test_crc32_known_value),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
