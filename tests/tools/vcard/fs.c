/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fs.c: the card's file tree and the SELECT/STATUS answers describing it.
 *
 *   3F00 MF
 *   ├── 2FE2 EF.ICCID   10 octets (BCD, from --iccid)
 *   ├── 2F99 EF.TEST   512 octets, octet i = (i mod 256) XOR (i div 256)
 *   ├── 7F10 DF.TELECOM (empty)
 *   └── 7F20 DF.GSM
 *       └── 6F07 EF.IMSI  9 octets (from --imsi)
 *
 * All EFs are transparent and readable without PIN. */
#include "vcard.h"

#include <string.h>

#define TEST_EF_SIZE 512

static uint8_t iccid[10];
static uint8_t imsi[9];
static uint8_t test_ef[TEST_EF_SIZE];

static struct fs_file files[] = {
	{ .fid = 0x3F00, .type = FS_MF },
	{ .fid = 0x2FE2, .type = FS_EF_TRANSPARENT, .size = sizeof(iccid), .data = iccid },
	{ .fid = 0x2F99, .type = FS_EF_TRANSPARENT, .size = TEST_EF_SIZE, .data = test_ef },
	{ .fid = 0x7F10, .type = FS_DF },
	{ .fid = 0x7F20, .type = FS_DF },
	{ .fid = 0x6F07, .type = FS_EF_TRANSPARENT, .size = sizeof(imsi), .data = imsi },
};
#define N_FILES (sizeof(files) / sizeof(files[0]))

/* Swapped-nibble BCD, 'F' filler (GSM 11.11 EF.ICCID / EF.IMSI coding). */
static void bcd_swapped(const char *digits, uint8_t *out, size_t len, int first_nibble)
{
	memset(out, 0xFF, len);
	size_t pos = 0;
	if (first_nibble >= 0)
		out[pos / 2] = (uint8_t)(0xF0 | first_nibble), pos++;
	for (const char *d = digits; *d && pos < 2 * len; d++, pos++) {
		uint8_t v = (uint8_t)(*d - '0') & 0x0F;
		if (pos % 2 == 0)
			out[pos / 2] = (uint8_t)((out[pos / 2] & 0xF0) | v);
		else
			out[pos / 2] = (uint8_t)((out[pos / 2] & 0x0F) | v << 4);
	}
}

void fs_init(const char *iccid_digits, const char *imsi_digits)
{
	files[1].parent = files[2].parent = files[3].parent = files[4].parent = &files[0];
	files[5].parent = &files[4];
	bcd_swapped(iccid_digits, iccid, sizeof(iccid), -1);
	/* EF.IMSI: length octet, then parity/type nibble (odd count: 9) + digits */
	size_t n = strlen(imsi_digits);
	imsi[0] = (uint8_t)((n + 2) / 2);
	bcd_swapped(imsi_digits, imsi + 1, sizeof(imsi) - 1, n % 2 ? 0x9 : 0x1);
	for (size_t i = 0; i < TEST_EF_SIZE; i++)
		test_ef[i] = (uint8_t)((i & 0xFF) ^ (i >> 8));
}

const struct fs_file *fs_mf(void)
{
	return &files[0];
}

static int is_df(const struct fs_file *f)
{
	return f->type == FS_MF || f->type == FS_DF;
}

static const struct fs_file *child(const struct fs_file *df, uint16_t fid)
{
	for (size_t i = 0; i < N_FILES; i++)
		if (files[i].parent == df && files[i].fid == fid)
			return &files[i];
	return NULL;
}

const struct fs_file *fs_select_fid(const struct fs_file *cur_df, uint16_t fid)
{
	const struct fs_file *f;
	if (fid == 0x3F00)
		return fs_mf();
	if ((f = child(cur_df, fid)))
		return f;
	if (fid == cur_df->fid)
		return cur_df;
	if (cur_df->parent && fid == cur_df->parent->fid)
		return cur_df->parent;
	if (cur_df->parent && (f = child(cur_df->parent, fid)) && is_df(f))
		return f;
	return NULL;
}

static void count_children(const struct fs_file *df, uint8_t *n_df, uint8_t *n_ef)
{
	*n_df = *n_ef = 0;
	for (size_t i = 0; i < N_FILES; i++)
		if (files[i].parent == df)
			(*(is_df(&files[i]) ? n_df : n_ef))++;
}

size_t fs_gsm_response(const struct fs_file *f, uint8_t *out, size_t max)
{
	uint8_t r[23] = { 0 };
	size_t len;
	r[4] = (uint8_t)(f->fid >> 8);
	r[5] = (uint8_t)f->fid;
	if (is_df(f)) {
		r[2] = 0x10;                 /* 4 KiB "free memory" */
		r[6] = f->type == FS_MF ? 0x01 : 0x02;
		r[12] = 10;                  /* length of the GSM specific data */
		r[13] = 0x13;                /* file characteristics */
		count_children(f, &r[14], &r[15]);
		r[16] = 4;                   /* CHVs, unblock CHVs, admin codes */
		r[18] = 0x83;                /* CHV1 initialised, 3 attempts left */
		r[19] = 0x8A;                /* UNBLOCK CHV1: 10 attempts */
		r[20] = 0x83;
		r[21] = 0x8A;
		len = 23;
	} else {
		r[2] = (uint8_t)(f->size >> 8);
		r[3] = (uint8_t)f->size;
		r[6] = 0x04;                 /* EF */
		r[8] = 0x0F;                 /* READ: ALW, UPDATE: NEV */
		r[9] = 0xFF;
		r[10] = 0x44;
		r[11] = 0x01;                /* not invalidated */
		r[12] = 2;
		r[13] = 0x00;                /* transparent */
		len = 15;
	}
	if (len > max)
		len = max;
	memcpy(out, r, len);
	return len;
}

size_t fs_fcp(const struct fs_file *f, uint8_t *out, size_t max)
{
	uint8_t r[64];
	size_t n = 2;
	if (is_df(f)) {
		static const uint8_t d[] = { 0x82, 0x02, 0x78, 0x21 };
		memcpy(r + n, d, sizeof(d)), n += sizeof(d);
	} else {
		static const uint8_t d[] = { 0x82, 0x02, 0x41, 0x21 };
		memcpy(r + n, d, sizeof(d)), n += sizeof(d);
	}
	r[n++] = 0x83, r[n++] = 2, r[n++] = (uint8_t)(f->fid >> 8), r[n++] = (uint8_t)f->fid;
	r[n++] = 0x8A, r[n++] = 1, r[n++] = 0x05;                 /* LCSI: operational, activated */
	r[n++] = 0x8B, r[n++] = 3, r[n++] = 0x2F, r[n++] = 0x06, r[n++] = 0x01;
	if (is_df(f)) {
		static const uint8_t pin[] = { 0xC6, 0x06, 0x90, 0x01, 0x40, 0x83, 0x01, 0x01 };
		memcpy(r + n, pin, sizeof(pin)), n += sizeof(pin);
	} else {
		r[n++] = 0x80, r[n++] = 2, r[n++] = (uint8_t)(f->size >> 8), r[n++] = (uint8_t)f->size;
	}
	r[0] = 0x62;
	r[1] = (uint8_t)(n - 2);
	if (n > max)
		n = max;
	memcpy(out, r, n);
	return n;
}
