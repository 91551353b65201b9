// SPDX-License-Identifier: MIT
/* The FAT format's pure parts (lib/fat.h): BPB, FAT entries, long names, 8.3 names, dates. */
#include "lib/fat.h"

#include "lib/errno.h"
#include "lib/string.h"

/* ---- the BIOS parameter block ------------------------------------------------------ */

static bool is_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

int fat_parse_bpb(const uint8_t *bs, uint64_t dev_bytes, struct fat_geom *g)
{
	uint32_t bps = fat_le16(bs + 11), spc = bs[13], rsvd = fat_le16(bs + 14);
	uint32_t nfats = bs[16], root_ents = fat_le16(bs + 17), media = bs[21];
	uint32_t fatsz16 = fat_le16(bs + 22), fatsz = fatsz16 ? fatsz16 : fat_le32(bs + 36);
	uint64_t totsec = fat_le16(bs + 19) ? fat_le16(bs + 19) : fat_le32(bs + 32);
	uint64_t rootsec, meta, entries;

	memset(g, 0, sizeof(*g));
	if (!is_pow2(bps) || bps < 512 || bps > 4096 || !is_pow2(spc) || bps * spc > 65536)
		return -EINVAL;
	if (!rsvd || !nfats || !fatsz || !totsec)
		return -EINVAL;
	if (media != 0xf0 && media < 0xf8)
		return -EINVAL;
	g->bps = bps;
	g->spc = spc;
	g->csize = bps * spc;
	g->nfats = nfats;
	g->fat_off = (uint64_t)rsvd * bps;
	if ((uint64_t)fatsz * bps > 0xffffffffu)
		return -EINVAL;
	g->fat_bytes = fatsz * bps;
	g->type = fatsz16 ? 16 : 32;
	if (g->type == 32 && root_ents)
		return -EINVAL;
	rootsec = ((uint64_t)root_ents * FAT_DENT_SIZE + bps - 1) / bps;
	if (g->type == 16 && !root_ents)
		return -EINVAL;
	if ((uint64_t)root_ents * FAT_DENT_SIZE % bps)
		return -EINVAL; /* Linux: "bogus number of directory entries" */
	meta = rsvd + (uint64_t)nfats * fatsz + rootsec;
	if (meta >= totsec)
		return -EINVAL;
	g->root_off = g->fat_off + (uint64_t)nfats * g->fat_bytes;
	g->root_bytes = (uint32_t)(rootsec * bps);
	g->data_off = meta * bps;
	g->total_bytes = totsec * bps;
	if ((totsec - meta) / spc > 0x0ffffff5u)
		return -EINVAL;
	g->nclusters = (uint32_t)((totsec - meta) / spc);
	if (!g->nclusters)
		return -EINVAL;
	if (g->type == 16 && g->nclusters < 4085)
		g->type = 12;
	if (g->type == 16 && g->nclusters >= 65525)
		return -EINVAL; /* too many clusters for 16-bit entries */
	entries = (uint64_t)g->fat_bytes * 8 / g->type;
	if (g->nclusters + 2ull > entries)
		return -EINVAL; /* the FAT cannot hold every cluster */
	if (dev_bytes && g->total_bytes > dev_bytes)
		return -EINVAL; /* a truncated image */
	if (g->type == 32) {
		uint32_t fsi = fat_le16(bs + 48);

		g->root_clus = fat_le32(bs + 44) & 0x0fffffff;
		if (!fat_valid_clus(g, g->root_clus))
			return -EINVAL;
		g->fsinfo_sec = fsi && fsi < rsvd ? fsi : 0;
	}
	return 0;
}

/* ---- FAT entries ------------------------------------------------------------------- */

uint32_t fat_get(const struct fat_geom *g, const uint8_t *fat, uint32_t n)
{
	uint32_t v;

	switch (g->type) {
	case 12:
		v = fat_le16(fat + n + n / 2);
		return n & 1 ? v >> 4 : v & 0xfff;
	case 16:
		return fat_le16(fat + 2 * n);
	default:
		return fat_le32(fat + 4 * n) & 0x0fffffff;
	}
}

void fat_set(const struct fat_geom *g, uint8_t *fat, uint32_t n, uint32_t v)
{
	uint8_t *p;

	switch (g->type) {
	case 12:
		p = fat + n + n / 2;
		if (n & 1) {
			p[0] = (uint8_t)((p[0] & 0x0f) | (v & 0x0f) << 4);
			p[1] = (uint8_t)(v >> 4);
		} else {
			p[0] = (uint8_t)v;
			p[1] = (uint8_t)((p[1] & 0xf0) | ((v >> 8) & 0x0f));
		}
		break;
	case 16:
		fat_put16(fat + 2 * n, (uint16_t)v);
		break;
	default:
		p = fat + 4 * n;
		fat_put32(p, (fat_le32(p) & 0xf0000000u) | (v & 0x0fffffff));
		break;
	}
}

void fat_entry_span(const struct fat_geom *g, uint32_t n, uint32_t *off, uint32_t *len)
{
	switch (g->type) {
	case 12:
		*off = n + n / 2;
		*len = 2;
		break;
	case 16:
		*off = 2 * n;
		*len = 2;
		break;
	default:
		*off = 4 * n;
		*len = 4;
		break;
	}
}

uint32_t fat_eoc(const struct fat_geom *g)
{
	return g->type == 12 ? 0xfff : g->type == 16 ? 0xffff : 0x0fffffff;
}

bool fat_is_eoc(const struct fat_geom *g, uint32_t v)
{
	return v >= (g->type == 12 ? 0xff8u : g->type == 16 ? 0xfff8u : 0x0ffffff8u);
}

/* ---- long names -------------------------------------------------------------------- */

uint8_t fat_lfn_csum(const uint8_t name11[11])
{
	uint8_t sum = 0;

	for (int i = 0; i < 11; i++)
		sum = (uint8_t)(((sum & 1) << 7) + (sum >> 1) + name11[i]);
	return sum;
}

/* Offsets of the 13 characters of a long-name entry. */
static const uint8_t lfn_off[FAT_LFN_CHARS] = { 1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30 };

void fat_lfn_reset(struct fat_lfn *l)
{
	l->next = 0;
	l->count = 0;
	l->len = 0;
}

void fat_lfn_feed(struct fat_lfn *l, const uint8_t *de)
{
	int ord = de[LFN_ORD] & 0x3f;

	if (de[LFN_ORD] & FAT_LFN_LAST) {
		if (ord < 1 || ord > 20) {
			fat_lfn_reset(l);
			return;
		}
		l->count = ord;
		l->csum = de[LFN_CSUM];
	} else if (!l->next || ord != l->next || de[LFN_CSUM] != l->csum) {
		fat_lfn_reset(l); /* out of order or from another set: an orphan */
		return;
	}
	for (int j = 0; j < FAT_LFN_CHARS; j++)
		l->name[(ord - 1) * FAT_LFN_CHARS + j] = fat_le16(de + lfn_off[j]);
	l->next = ord - 1;
	if (!l->next)
		l->next = -1; /* complete: waiting for the short entry */
}

bool fat_lfn_take(struct fat_lfn *l, const uint8_t *de, unsigned *len)
{
	bool ok = l->next == -1 && l->count > 0 && l->csum == fat_lfn_csum(de);
	unsigned n = 0, max = (unsigned)l->count * FAT_LFN_CHARS;

	if (ok) {
		while (n < max && l->name[n])
			n++;
		ok = n > 0 && n <= FAT_LFN_MAX;
	}
	l->len = ok ? n : 0;
	*len = l->len;
	l->next = 0;
	l->count = 0;
	return ok;
}

void fat_lfn_build(uint8_t *de, const uint16_t *name, unsigned len, unsigned i, unsigned n,
		   uint8_t csum)
{
	memset(de, 0, FAT_DENT_SIZE);
	de[LFN_ORD] = (uint8_t)((i + 1) | (i + 1 == n ? FAT_LFN_LAST : 0));
	de[DE_ATTR] = FAT_ATTR_LFN;
	de[LFN_CSUM] = csum;
	for (unsigned j = 0; j < FAT_LFN_CHARS; j++) {
		unsigned k = i * FAT_LFN_CHARS + j;

		fat_put16(de + lfn_off[j], k < len ? name[k] : k == len ? 0 : 0xffff);
	}
}

/* ---- names ------------------------------------------------------------------------- */

static bool bad_char(uint32_t c)
{
	return c < 0x20 || c == '*' || c == '?' || c == '<' || c == '>' || c == '|' || c == '"' ||
	       c == ':' || c == '/' || c == '\\';
}

int fat_name_from_utf8(const char *s, size_t len, uint16_t *out)
{
	const uint8_t *p = (const uint8_t *)s;
	unsigned n = 0;

	while (len && s[len - 1] == '.')
		len--; /* Linux's vfat_striptail_len */
	if (!len || s[len - 1] == ' ')
		return -EINVAL;
	for (size_t i = 0; i < len;) {
		uint32_t c = p[i];
		unsigned more = c < 0x80 ? 0 : (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 : 9;

		if (more == 9 || i + more >= len)
			return -EINVAL;
		if (more)
			c &= more == 1 ? 0x1f : 0x0f;
		for (unsigned k = 1; k <= more; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return -EINVAL;
			c = c << 6 | (p[i + k] & 0x3f);
		}
		if ((more == 1 && c < 0x80) || (more == 2 && (c < 0x800 || (c >= 0xd800 && c < 0xe000))))
			return -EINVAL; /* overlong, or a surrogate */
		if (bad_char(c))
			return -EINVAL;
		if (n >= FAT_LFN_MAX)
			return -ENAMETOOLONG;
		out[n++] = (uint16_t)c;
		i += 1 + more;
	}
	return (int)n;
}

size_t fat_name_to_utf8(const uint16_t *name, unsigned len, char *out)
{
	size_t o = 0;

	for (unsigned i = 0; i < len; i++) {
		uint32_t c = name[i];

		if (c < 0x80) {
			out[o++] = (char)c;
		} else if (c < 0x800) {
			out[o++] = (char)(0xc0 | c >> 6);
			out[o++] = (char)(0x80 | (c & 0x3f));
		} else {
			out[o++] = (char)(0xe0 | c >> 12);
			out[o++] = (char)(0x80 | ((c >> 6) & 0x3f));
			out[o++] = (char)(0x80 | (c & 0x3f));
		}
	}
	out[o] = '\0';
	return o;
}

static uint16_t fold(uint16_t c)
{
	return c >= 'a' && c <= 'z' ? (uint16_t)(c - 32) : c;
}

bool fat_name_eq(const uint16_t *a, unsigned alen, const uint16_t *b, unsigned blen)
{
	if (alen != blen)
		return false;
	for (unsigned i = 0; i < alen; i++)
		if (fold(a[i]) != fold(b[i]))
			return false;
	return true;
}

unsigned fat_short_display(const uint8_t name11[11], uint8_t lcase, uint16_t *out)
{
	unsigned n = 0, bl = 8, el = 3;

	while (bl && name11[bl - 1] == ' ')
		bl--;
	while (el && name11[8 + el - 1] == ' ')
		el--;
	for (unsigned i = 0; i < bl; i++) {
		uint16_t c = i == 0 && name11[0] == 0x05 ? 0xe5 : name11[i];

		out[n++] = (lcase & FAT_LCASE_BASE) && c >= 'A' && c <= 'Z' ? (uint16_t)(c + 32) : c;
	}
	if (el) {
		out[n++] = '.';
		for (unsigned i = 0; i < el; i++) {
			uint16_t c = name11[8 + i];

			out[n++] = (lcase & FAT_LCASE_EXT) && c >= 'A' && c <= 'Z' ? (uint16_t)(c + 32)
										   : c;
		}
	}
	return n;
}

/* Case seen in one part of a name: a letter of the other case clears a flag. */
struct case_info {
	bool upper, lower;
};

/* One character of a name as an 8.3 character: 0 (skipped), or the byte;
 * *lossy when the name cannot be kept as is. */
static uint8_t short_char(uint16_t c, struct case_info *ci, bool *lossy)
{
	if (c == '.' || c == ' ') {
		*lossy = true;
		return 0;
	}
	if (c >= 0x80 || c == '+' || c == ',' || c == ';' || c == '=' || c == '[' || c == ']') {
		*lossy = true;
		return '_';
	}
	if (c >= 'a' && c <= 'z') {
		ci->upper = false;
		return (uint8_t)(c - 32);
	}
	if (c >= 'A' && c <= 'Z')
		ci->lower = false;
	return (uint8_t)c;
}

static const char hexd[] = "0123456789ABCDEF";

int fat_make_short(const uint16_t *name, unsigned len, uint8_t name11[11], uint8_t *lcase,
		   bool (*exists)(void *ctx, const uint8_t *n11), void *ctx, unsigned seed)
{
	struct case_info bi = { true, true }, ei = { true, true };
	bool lossy = false;
	int ext = -1; /* index of the extension's dot */
	unsigned sz = len, baselen = 0, extlen = 0, i;
	const unsigned tail1 = 6, tail2 = 2; /* base kept before ~N, before the hex tail */

	for (int k = (int)len - 1; k >= 0; k--)
		if (name[k] == '.') {
			ext = k;
			break;
		}
	if (ext >= 0) {
		/* A name that is only dots and spaces before its last dot is
		 * all extension: Win95 makes it the base ("...test"). */
		unsigned s = 0;

		while (s < (unsigned)ext && (name[s] == '.' || name[s] == ' '))
			s++;
		if (s != (unsigned)ext && (unsigned)ext + 1 < len)
			sz = (unsigned)ext;
		else
			ext = -1;
	}
	memset(name11, ' ', 11);
	for (i = 0; i < sz; i++) {
		uint8_t c = short_char(name[i], &bi, &lossy);

		if (!c)
			continue;
		name11[baselen++] = c;
		if (baselen >= 8) {
			if (i + 1 < sz)
				lossy = true;
			break;
		}
	}
	if (!baselen)
		return -EINVAL;
	if (ext >= 0) {
		for (i = (unsigned)ext + 1; i < len; i++) {
			uint8_t c = short_char(name[i], &ei, &lossy);

			if (!c)
				continue;
			if (extlen == 3) {
				lossy = true;
				break;
			}
			name11[8 + extlen++] = c;
		}
	}
	if (name11[0] == FAT_DELETED)
		name11[0] = 0x05;
	*lcase = 0;
	if (!lossy) {
		if (exists(ctx, name11))
			return -EEXIST;
		return bi.upper && ei.upper ? 0 : 1;
	}
	/* ~1..~9 after at most 6 characters of the base. */
	if (baselen > 6) {
		baselen = tail1;
		name11[7] = ' ';
	}
	name11[baselen] = '~';
	for (i = 1; i < 10; i++) {
		name11[baselen + 1] = (uint8_t)('0' + i);
		if (!exists(ctx, name11))
			return 1;
	}
	/* Then 2 characters, four hex digits and ~1..~8, as Linux does. */
	if (baselen > 2) {
		baselen = tail2;
		name11[7] = ' ';
	}
	name11[baselen + 4] = '~';
	name11[baselen + 5] = (uint8_t)('1' + ((seed >> 16) & 7));
	for (unsigned t = 0; t < 0x10000; t++, seed -= 11) {
		for (int d = 0; d < 4; d++)
			name11[baselen + d] = (uint8_t)hexd[(seed >> (12 - 4 * d)) & 0xf];
		if (!exists(ctx, name11))
			return 1;
	}
	return -EEXIST;
}

/* ---- dates ------------------------------------------------------------------------- */

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + (int64_t)doe - 719468;
}

int64_t fat_time_to_unix(uint16_t date, uint16_t time, uint8_t cs, uint32_t *nsec)
{
	unsigned y = 1980 + (date >> 9), m = (date >> 5) & 0xf, d = date & 0x1f;
	int64_t secs;

	if (m < 1)
		m = 1;
	if (m > 12)
		m = 12;
	if (d < 1)
		d = 1;
	secs = days_from_civil(y, m, d) * 86400 + (time >> 11) * 3600 + ((time >> 5) & 0x3f) * 60 +
	       (time & 0x1f) * 2;
	if (cs > 199)
		cs = 0;
	secs += cs / 100;
	if (nsec)
		*nsec = (uint32_t)(cs % 100) * 10000000u;
	return secs;
}

void fat_time_from_unix(int64_t secs, uint16_t *date, uint16_t *time, uint8_t *cs)
{
	const int64_t lo = 315532800;	/* 1980-01-01 */
	const int64_t hi = 4354819199;	/* 2107-12-31 23:59:59 */
	int64_t days, rem;

	if (secs < lo)
		secs = lo;
	if (secs > hi)
		secs = hi;
	days = secs / 86400;
	rem = secs % 86400;
	/* civil_from_days */
	int64_t z = days + 719468, era = z / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	unsigned d = doy - (153 * mp + 2) / 5 + 1;
	unsigned m = mp < 10 ? mp + 3 : mp - 9;
	int64_t y = (int64_t)yoe + era * 400 + (m <= 2);

	*date = (uint16_t)((y - 1980) << 9 | m << 5 | d);
	*time = (uint16_t)((rem / 3600) << 11 | ((rem / 60) % 60) << 5 | (rem % 60) / 2);
	if (cs)
		*cs = (uint8_t)((rem % 2) * 100);
}
