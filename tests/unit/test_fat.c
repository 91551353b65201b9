// SPDX-License-Identifier: MIT
/* Host tests for lib/fat.c: BPB checks, FAT12/16/32 entries, long names, 8.3 names, dates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "lib/errno.h"
#include "lib/fat.h"

/* A FAT16 boot sector like mkfs.vfat -F 16 makes for 16 MiB (512 B sectors, 4 per cluster). */
static void bpb16(uint8_t *bs)
{
	memset(bs, 0, 512);
	bs[0] = 0xeb;
	fat_put16(bs + 11, 512);
	bs[13] = 4;
	fat_put16(bs + 14, 4);
	bs[16] = 2;
	fat_put16(bs + 17, 512);
	fat_put16(bs + 19, 32768);
	bs[21] = 0xf8;
	fat_put16(bs + 22, 32);
	bs[510] = 0x55;
	bs[511] = 0xaa;
}

static void bpb32(uint8_t *bs)
{
	memset(bs, 0, 512);
	fat_put16(bs + 11, 512);
	bs[13] = 1;
	fat_put16(bs + 14, 32);
	bs[16] = 2;
	bs[21] = 0xf8;
	fat_put32(bs + 32, 80000);
	fat_put32(bs + 36, 620);
	fat_put32(bs + 44, 2);
	fat_put16(bs + 48, 1);
}

static void test_fat_bpb_fat16_layout(void **state)
{
	uint8_t bs[512];
	struct fat_geom g;

	(void)state;
	bpb16(bs);
	assert_int_equal(fat_parse_bpb(bs, 16 << 20, &g), 0);
	assert_int_equal(g.type, 16);
	assert_int_equal(g.csize, 2048);
	assert_int_equal(g.fat_off, 4 * 512);
	assert_int_equal(g.root_off, (4 + 64) * 512);
	assert_int_equal(g.root_bytes, 512 * 32);
	assert_int_equal(g.data_off, (4 + 64 + 32) * 512);
	assert_int_equal(g.nclusters, (32768 - 100) / 4);
}

static void test_fat_bpb_small_volume_is_fat12(void **state)
{
	uint8_t bs[512];
	struct fat_geom g;

	(void)state;
	bpb16(bs);
	fat_put16(bs + 19, 8192); /* 4 MiB: 2023 clusters */
	fat_put16(bs + 22, 6);
	assert_int_equal(fat_parse_bpb(bs, 0, &g), 0);
	assert_int_equal(g.type, 12);
}

static void test_fat_bpb_fat32_root_cluster(void **state)
{
	uint8_t bs[512];
	struct fat_geom g;

	(void)state;
	bpb32(bs);
	assert_int_equal(fat_parse_bpb(bs, 0, &g), 0);
	assert_int_equal(g.type, 32);
	assert_int_equal(g.root_clus, 2);
	assert_int_equal(g.fsinfo_sec, 1);
	fat_put32(bs + 44, 0);
	assert_int_equal(fat_parse_bpb(bs, 0, &g), -EINVAL);
	fat_put32(bs + 44, 0x0ffffff0);
	assert_int_equal(fat_parse_bpb(bs, 0, &g), -EINVAL);
}

static void test_fat_bpb_rejects_bad_fields(void **state)
{
	uint8_t bs[512];
	struct fat_geom g;
	struct {
		unsigned off, size;
		uint32_t v;
	} bad[] = {
		{ 11, 2, 0 }, { 11, 2, 500 }, { 11, 2, 8192 }, { 13, 1, 0 }, { 13, 1, 3 },
		{ 14, 2, 0 }, { 16, 1, 0 }, { 17, 2, 7 }, { 19, 2, 50 }, { 21, 1, 0x12 },
		{ 22, 2, 1 }, /* FAT too small for the clusters */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		bpb16(bs);
		if (bad[i].size == 1)
			bs[bad[i].off] = (uint8_t)bad[i].v;
		else
			fat_put16(bs + bad[i].off, (uint16_t)bad[i].v);
		assert_int_equal(fat_parse_bpb(bs, 0, &g), -EINVAL);
	}
	bpb16(bs);
	/* The image is smaller than the BPB says: truncated. */
	assert_int_equal(fat_parse_bpb(bs, 8 << 20, &g), -EINVAL);
}

static void test_fat_entries_round_trip_all_widths(void **state)
{
	uint8_t fat[3 * 1024];
	struct fat_geom g = { 0 };

	(void)state;
	for (unsigned type = 12; type <= 32; type += type == 12 ? 4 : 16) {
		g.type = type;
		memset(fat, 0, sizeof(fat));
		for (uint32_t n = 0; n < 500; n++)
			fat_set(&g, fat, n, (n * 7 + 3) & (type == 12 ? 0xfff : 0xffff));
		for (uint32_t n = 0; n < 500; n++)
			assert_int_equal(fat_get(&g, fat, n), (n * 7 + 3) & (type == 12 ? 0xfff : 0xffff));
		assert_true(fat_is_eoc(&g, fat_eoc(&g)));
		assert_false(fat_is_eoc(&g, 2));
	}
	/* FAT32 keeps the reserved top nibble. */
	g.type = 32;
	fat_put32(fat, 0xa0000000);
	fat_set(&g, fat, 0, 0x123);
	assert_int_equal(fat_le32(fat), 0xa0000123);
	assert_int_equal(fat_get(&g, fat, 0), 0x123);
	/* FAT12: odd and even neighbours share a byte and stay apart. */
	g.type = 12;
	memset(fat, 0, 8);
	fat_set(&g, fat, 2, 0xabc);
	fat_set(&g, fat, 3, 0x123);
	assert_int_equal(fat_get(&g, fat, 2), 0xabc);
	assert_int_equal(fat_get(&g, fat, 3), 0x123);
	assert_int_equal(fat[3], 0xbc);
	assert_int_equal(fat[4], 0x3a);
	assert_int_equal(fat[5], 0x12);
}

static void test_fat_lfn_checksum_known_value(void **state)
{
	(void)state;
	/* Computed by hand with the spec's rotate-right-and-add over "FOO     BAR". */
	const uint8_t n[11] = { 'F', 'O', 'O', ' ', ' ', ' ', ' ', ' ', 'B', 'A', 'R' };
	uint8_t sum = 0;

	for (int i = 0; i < 11; i++)
		sum = (uint8_t)(((sum & 1) ? 0x80 : 0) + (sum >> 1) + n[i]);
	assert_int_equal(fat_lfn_csum(n), sum);
	assert_int_not_equal(fat_lfn_csum(n), fat_lfn_csum((const uint8_t *)"FOO     BAS"));
}

static int to_ucs(const char *s, uint16_t *out)
{
	return fat_name_from_utf8(s, strlen(s), out);
}

static void test_fat_lfn_build_then_assemble(void **state)
{
	uint16_t name[300], got[300];
	uint8_t de[8][32], sde[32] = "LONGFI~1TXT";
	struct fat_lfn l;
	unsigned len;
	int n = to_ucs("a long file name, 30 chars.txt", name);
	unsigned cnt = fat_lfn_entries((unsigned)n);
	uint8_t cs = fat_lfn_csum(sde);

	(void)state;
	assert_int_equal(n, 30);
	assert_int_equal(cnt, 3);
	for (unsigned i = 0; i < cnt; i++)
		fat_lfn_build(de[cnt - 1 - i], name, (unsigned)n, i, cnt, cs);
	assert_int_equal(de[0][0], 0x43);
	assert_int_equal(de[2][0], 0x01);
	fat_lfn_reset(&l);
	for (unsigned i = 0; i < cnt; i++)
		fat_lfn_feed(&l, de[i]);
	assert_true(fat_lfn_take(&l, sde, &len));
	assert_int_equal(len, 30);
	memcpy(got, l.name, len * 2);
	assert_memory_equal(got, name, 60);
	/* Wrong checksum: the short name is used. */
	fat_lfn_reset(&l);
	for (unsigned i = 0; i < cnt; i++)
		fat_lfn_feed(&l, de[i]);
	sde[0] = 'X';
	assert_false(fat_lfn_take(&l, sde, &len));
	/* A missing middle entry: dropped. */
	sde[0] = 'L';
	fat_lfn_reset(&l);
	fat_lfn_feed(&l, de[0]);
	fat_lfn_feed(&l, de[2]);
	assert_false(fat_lfn_take(&l, sde, &len));
	/* A bogus sequence number. */
	de[0][0] = 0x40 | 25;
	fat_lfn_reset(&l);
	fat_lfn_feed(&l, de[0]);
	assert_false(fat_lfn_take(&l, sde, &len));
}

static void test_fat_name_from_utf8_rules(void **state)
{
	uint16_t u[300];
	char longname[300];

	(void)state;
	assert_int_equal(to_ucs("abc...", u), 3); /* trailing dots go */
	assert_int_equal(to_ucs("a b", u), 3);
	assert_int_equal(to_ucs("ab ", u), -EINVAL);
	assert_int_equal(to_ucs("...", u), -EINVAL);
	assert_int_equal(to_ucs("a:b", u), -EINVAL);
	assert_int_equal(to_ucs("a*b", u), -EINVAL);
	assert_int_equal(to_ucs("a\x01", u), -EINVAL);
	assert_int_equal(to_ucs("\xc3\xa9t\xc3\xa9", u), 3); /* été */
	assert_int_equal(u[0], 0xe9);
	assert_int_equal(to_ucs("\xc3", u), -EINVAL);
	assert_int_equal(to_ucs("\xf0\x9f\x98\x80", u), -EINVAL); /* outside the BMP */
	memset(longname, 'x', 256);
	longname[256] = 0;
	assert_int_equal(to_ucs(longname, u), -ENAMETOOLONG);
	longname[255] = 0;
	assert_int_equal(to_ucs(longname, u), 255);
	char back[800];
	to_ucs("\xc3\xa9t\xc3\xa9-\xe2\x82\xac", u);
	assert_int_equal(fat_name_to_utf8(u, 5, back), 9);
	assert_string_equal(back, "\xc3\xa9t\xc3\xa9-\xe2\x82\xac");
}

static void test_fat_short_display_applies_case_flags(void **state)
{
	uint16_t out[13];
	char s[40];
	unsigned n;

	(void)state;
	n = fat_short_display((const uint8_t *)"README  TXT", 0, out);
	fat_name_to_utf8(out, n, s);
	assert_string_equal(s, "README.TXT");
	n = fat_short_display((const uint8_t *)"README  TXT", FAT_LCASE_BASE, out);
	fat_name_to_utf8(out, n, s);
	assert_string_equal(s, "readme.TXT");
	n = fat_short_display((const uint8_t *)"MAKEFILE   ", FAT_LCASE_BASE | FAT_LCASE_EXT, out);
	fat_name_to_utf8(out, n, s);
	assert_string_equal(s, "makefile");
}

/* A directory of taken short names for fat_make_short. */
struct taken {
	const char *names[16];
	unsigned n;
};

static bool taken_has(void *ctx, const uint8_t *n11)
{
	struct taken *t = ctx;

	for (unsigned i = 0; i < t->n; i++)
		if (!memcmp(t->names[i], n11, 11))
			return true;
	return false;
}

static int mk(const char *name, struct taken *t, char out[12])
{
	uint16_t u[300];
	uint8_t n11[11], lc;
	int r = fat_make_short(u, (unsigned)to_ucs(name, u), n11, &lc, taken_has, t, 0x12345);

	memcpy(out, n11, 11);
	out[11] = 0;
	return r;
}

static void test_fat_make_short_as_linux_mixed(void **state)
{
	struct taken t = { .n = 0 };
	char s[12];

	(void)state;
	/* Upper-case 8.3: the short entry alone. */
	assert_int_equal(mk("README.TXT", &t, s), 0);
	assert_string_equal(s, "README  TXT");
	assert_int_equal(mk("123", &t, s), 0);
	assert_string_equal(s, "123        ");
	/* Lower or mixed case 8.3: same short name, plus a long name. */
	assert_int_equal(mk("readme.txt", &t, s), 1);
	assert_string_equal(s, "README  TXT");
	assert_int_equal(mk("Makefile", &t, s), 1);
	assert_string_equal(s, "MAKEFILE   ");
	/* Too long, or lossy: ~1, then ~2 when taken. */
	assert_int_equal(mk("longfilename.text", &t, s), 1);
	assert_string_equal(s, "LONGFI~1TEX");
	t.names[t.n++] = "LONGFI~1TEX";
	assert_int_equal(mk("longfilename.texas", &t, s), 1);
	assert_string_equal(s, "LONGFI~2TEX");
	assert_int_equal(mk("a b.c", &t, s), 1);
	assert_string_equal(s, "AB~1    C  ");
	assert_int_equal(mk("x+y=z", &t, s), 1);
	assert_string_equal(s, "X_Y_Z~1    ");
	assert_int_equal(mk(".bashrc", &t, s), 1);
	assert_string_equal(s, "BASHRC~1   ");
	assert_int_equal(mk("archive.tar.gz", &t, s), 1);
	assert_string_equal(s, "ARCHIV~1GZ ");
	/* ~1..~9 all taken: the hex form after two characters. */
	static const char *nine[] = { "LONGFI~1TEX", "LONGFI~2TEX", "LONGFI~3TEX", "LONGFI~4TEX",
				      "LONGFI~5TEX", "LONGFI~6TEX", "LONGFI~7TEX", "LONGFI~8TEX",
				      "LONGFI~9TEX" };
	t.n = 0;
	for (unsigned i = 0; i < 9; i++)
		t.names[t.n++] = nine[i];
	assert_int_equal(mk("longfilename.text", &t, s), 1);
	assert_memory_equal(s, "LO2345~2TEX", 11);
	/* The 8.3 form taken by another entry's alias. */
	t.names[t.n++] = "HELLO   TXT";
	assert_int_equal(mk("HELLO.TXT", &t, s), -EEXIST);
	/* 0xe5 first is stored as 0x05. */
	char e5[] = "\xc3\xa5x"; /* å: not 8.3, so lossy anyway */
	assert_int_equal(mk(e5, &t, s), 1);
	assert_string_equal(s, "_X~1       ");
}

static void test_fat_dates_round_trip(void **state)
{
	uint16_t d, t;
	uint8_t cs;
	uint32_t ns;

	(void)state;
	/* 2024-02-29 13:45:58 UTC = 1709214358 */
	fat_time_from_unix(1709214358, &d, &t, &cs);
	assert_int_equal(d >> 9, 44);
	assert_int_equal((d >> 5) & 15, 2);
	assert_int_equal(d & 31, 29);
	assert_int_equal(t >> 11, 13);
	assert_int_equal((t >> 5) & 63, 45);
	assert_int_equal((t & 31) * 2, 58);
	assert_int_equal(fat_time_to_unix(d, t, cs, &ns), 1709214358);
	fat_time_from_unix(1709214359, &d, &t, &cs);
	assert_int_equal(cs, 100);
	assert_int_equal(fat_time_to_unix(d, t, cs, &ns), 1709214359);
	/* Before 1980 clamps to the epoch of FAT; a zero date reads as 1980-01-01. */
	fat_time_from_unix(0, &d, &t, &cs);
	assert_int_equal(fat_time_to_unix(d, t, 0, NULL), 315532800);
	assert_int_equal(fat_time_to_unix(0, 0, 0, NULL), 315532800);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fat_bpb_fat16_layout),
		cmocka_unit_test(test_fat_bpb_small_volume_is_fat12),
		cmocka_unit_test(test_fat_bpb_fat32_root_cluster),
		cmocka_unit_test(test_fat_bpb_rejects_bad_fields),
		cmocka_unit_test(test_fat_entries_round_trip_all_widths),
		cmocka_unit_test(test_fat_lfn_checksum_known_value),
		cmocka_unit_test(test_fat_lfn_build_then_assemble),
		cmocka_unit_test(test_fat_name_from_utf8_rules),
		cmocka_unit_test(test_fat_short_display_applies_case_flags),
		cmocka_unit_test(test_fat_make_short_as_linux_mixed),
		cmocka_unit_test(test_fat_dates_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
