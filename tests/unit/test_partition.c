// SPDX-License-Identifier: MIT
/* Host tests of lib/partition.c on images made by sfdisk and mkfs.vfat (partition.mk). */
#include <setjmp.h>
#include <stdbool.h>
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

static uint32_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (uint32_t)*s;
}

/*
 * Hostile disks: random tables (MBR entries with random types, starts and
 * lengths, EBR chains, GPT headers with matching CRCs over random fields).
 * Whatever they say, every partition found lies inside the disk, has a
 * number in 1..PART_MAX used once, and nothing reads out of bounds (ASan).
 */
static void test_random_tables_stay_inside_the_disk(void **state)
{
	enum { SECTORS = 256 };
	static uint8_t disk[SECTORS * PART_SECTOR];
	struct img im = { .data = disk, .size = sizeof(disk) };
	struct part_info p[PART_MAX];
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	unsigned n, found = 0;

	(void)state;
	for (int iter = 0; iter < 3000; iter++) {
		for (size_t i = 0; i < sizeof(disk); i += 4) {
			uint32_t v = rnd(&seed);

			memcpy(disk + i, &v, 4);
		}
		/* Make the interesting paths likely: signatures, small numbers. */
		for (int s = 0; s < SECTORS; s += 1 + (int)(rnd(&seed) % 8)) {
			uint8_t *sec = disk + (size_t)s * PART_SECTOR;

			sec[510] = 0x55;
			sec[511] = 0xaa;
			for (int e = 0; e < 4; e++) {
				uint8_t *ent = sec + 446 + 16 * e;
				static const uint8_t types[] = { 0, 0x83, 0x05, 0x0f, 0xee, 0x0c };

				ent[0] = rnd(&seed) % 4 ? 0 : 0x80;
				ent[4] = types[rnd(&seed) % 6];
				uint32_t start = rnd(&seed) % (SECTORS + 16), len = rnd(&seed) % SECTORS;

				memcpy(ent + 8, &start, 4);
				memcpy(ent + 12, &len, 4);
			}
		}
		if (iter % 3 == 0) { /* a GPT header that passes its CRC */
			uint8_t *h = disk + PART_SECTOR;
			uint32_t v;
			uint64_t q;

			memcpy(h, "EFI PART", 8);
			v = 92;
			memcpy(h + 12, &v, 4);
			q = 1;
			memcpy(h + 24, &q, 8);
			q = rnd(&seed) % (SECTORS + 8);
			memcpy(h + 40, &q, 8);
			q = rnd(&seed) % (SECTORS + 8);
			memcpy(h + 48, &q, 8);
			q = 2 + rnd(&seed) % 8;
			memcpy(h + 72, &q, 8);
			v = 1 + rnd(&seed) % 200;
			memcpy(h + 80, &v, 4);
			v = 128u << (rnd(&seed) % 3);
			memcpy(h + 84, &v, 4);
			memset(h + 16, 0, 4);
			v = part_crc32(0, h, 92);
			memcpy(h + 16, &v, 4);
		}
		int kind = scan(&im, p, &n);
		bool seen[PART_MAX + 1] = { false };

		assert_true(kind == PART_NONE || kind == PART_MBR || kind == PART_GPT);
		assert_true(n <= PART_MAX);
		for (unsigned i = 0; i < n; i++) {
			assert_true(p[i].partno >= 1 && p[i].partno <= PART_MAX);
			assert_false(seen[p[i].partno]);
			seen[p[i].partno] = true;
			assert_true(p[i].sectors > 0 && p[i].start < SECTORS);
			assert_true(p[i].sectors <= SECTORS - p[i].start);
		}
		found += n;
	}
	assert_true(found > 100); /* the tables were not all rejected */
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
		cmocka_unit_test(test_random_tables_stay_inside_the_disk),
		cmocka_unit_test(test_crc32_known_value),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
