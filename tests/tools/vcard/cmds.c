/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmds.c: the card's command table and one handler per command.
 *
 * CLA A0 is GSM 11.11 (SWs 9Fxx / 94xx / 67xx); CLA 00 and 80 are
 * TS 102 221 (61xx / 6Cxx / 6Axx).  SELECT and RUN GSM ALGORITHM leave their
 * answer for GET RESPONSE, as a T=0 card does; with a T=1 ATR (--t1) a
 * CLA 00 SELECT that carries Le gets its FCP directly. */
#include "vcard.h"

#include <string.h>

enum cla_kind { K_GSM = 1, K_UICC = 2, K_UICC80 = 4 };

struct cmd {
	uint8_t ins;
	unsigned classes;                 /* enum cla_kind bits accepted */
	const char *name;
	uint16_t (*fn)(struct card *c, const struct apdu *a, struct rapdu *r);
};

static uint16_t put(struct rapdu *r, const uint8_t *d, size_t len)
{
	memcpy(r->buf, d, len);
	r->len = len;
	return 0x9000;
}

/* Leave data for GET RESPONSE and return 9Fxx (GSM) or 61xx (UICC). */
static uint16_t defer(struct card *c, const struct apdu *a, const uint8_t *d, size_t len)
{
	memcpy(c->pending, d, len);
	c->pending_len = len;
	return (uint16_t)((a->gsm ? 0x9F00 : 0x6100) | (len & 0xFF));
}

/* Answer 'len' octets of 'd' to a command whose P3/Le asks for a->le octets. */
static uint16_t give(const struct apdu *a, struct rapdu *r, const uint8_t *d, size_t len)
{
	if (!a->has_le || a->le > len)       /* P3 = 0 also lands here (le 256) */
		return (uint16_t)((a->gsm ? 0x6700 : 0x6C00) | (len & 0xFF));
	return put(r, d, a->le);
}

static void select_file(struct card *c, const struct fs_file *f)
{
	if (f->type == FS_EF_TRANSPARENT) {
		c->cur_ef = f;
		c->cur_df = f->parent;
	} else {
		c->cur_df = f;
		c->cur_ef = NULL;
	}
}

static uint16_t cmd_select(struct card *c, const struct apdu *a, struct rapdu *r)
{
	uint8_t d[64];
	const struct fs_file *f = NULL;
	if (a->gsm) {
		if (a->p1 || a->p2)
			return 0x6B00;
		if (a->lc != 2)
			return 0x6700;
		f = fs_select_fid(c->cur_df, (uint16_t)(a->data[0] << 8 | a->data[1]));
		if (!f)
			return 0x9404;
		select_file(c, f);
		return defer(c, a, d, fs_gsm_response(f, d, sizeof(d)));
	}
	if (a->p2 != 0x00 && a->p2 != 0x04 && a->p2 != 0x0C)
		return 0x6A86;
	if (a->p1 == 0x04)
		return 0x6A82;                        /* no applications on this card */
	if (a->p1 != 0x00 && a->p1 != 0x08 && a->p1 != 0x09)
		return 0x6A86;
	if (a->lc < 2 || a->lc % 2 || (a->p1 == 0x00 && a->lc != 2))
		return 0x6700;
	const struct fs_file *df = a->p1 == 0x09 ? c->cur_df : fs_mf();
	for (size_t i = 0; i < a->lc; i += 2) {
		uint16_t fid = (uint16_t)(a->data[i] << 8 | a->data[i + 1]);
		if (a->p1 == 0x08 && i == 0 && fid == 0x3F00)
			continue;
		if (f && f->type == FS_EF_TRANSPARENT)
			return 0x6A82;                /* path continues below an EF */
		f = fs_select_fid(a->p1 == 0x00 ? c->cur_df : df, fid);
		if (!f)
			return 0x6A82;
		df = f;
	}
	if (!f)
		f = fs_mf();
	select_file(c, f);
	if (a->p2 == 0x0C)
		return 0x9000;
	size_t n = fs_fcp(f, d, sizeof(d));
	if (c->t1 && a->has_le)
		return put(r, d, a->le < n ? a->le : n);
	return defer(c, a, d, n);
}

static uint16_t cmd_get_response(struct card *c, const struct apdu *a, struct rapdu *r)
{
	if (a->lc)
		return 0x6700;
	if (!c->pending_len)
		return a->gsm ? 0x6F00 : 0x6985;
	uint16_t sw = give(a, r, c->pending, c->pending_len);
	if (sw == 0x9000)
		c->pending_len = 0;
	return sw;
}

static uint16_t cmd_read_binary(struct card *c, const struct apdu *a, struct rapdu *r)
{
	if (a->lc)
		return 0x6700;
	if (!a->gsm && (a->p1 & 0x80))
		return 0x6A81;                        /* short file identifiers not supported */
	const struct fs_file *f = c->cur_ef;
	if (!f)
		return a->gsm ? 0x9400 : 0x6986;
	if (f->type != FS_EF_TRANSPARENT)
		return a->gsm ? 0x9408 : 0x6981;
	size_t off = (size_t)a->p1 << 8 | a->p2;
	size_t le = a->has_le ? a->le : 256;
	if (off >= f->size)
		return a->gsm ? 0x9402 : 0x6B00;
	if (off + le > f->size) {
		if (a->gsm)
			return 0x9402;
		put(r, f->data + off, f->size - off);
		return 0x6282;                        /* end of file reached before Le */
	}
	return put(r, f->data + off, le);
}

static uint16_t cmd_status(struct card *c, const struct apdu *a, struct rapdu *r)
{
	uint8_t d[64];
	if (a->lc)
		return 0x6700;
	if (a->gsm) {
		if (a->p1 || a->p2)
			return 0x6B00;
		return give(a, r, d, fs_gsm_response(c->cur_df, d, sizeof(d)));
	}
	if (a->p2 == 0x0C)
		return 0x9000;
	if (a->p2 != 0x00)
		return 0x6A86;
	return give(a, r, d, fs_fcp(c->cur_df, d, sizeof(d)));
}

static uint16_t cmd_run_gsm_algorithm(struct card *c, const struct apdu *a, struct rapdu *r)
{
	(void)r;
	if (a->p1 || a->p2)
		return 0x6B00;
	if (a->lc != 16)
		return 0x6700;
	uint8_t out[12];
	gsm_algo(c->ki, a->data, out, out + 4);
	return defer(c, a, out, sizeof(out));
}

static const struct cmd commands[] = {
	{ 0xA4, K_GSM | K_UICC, "SELECT", cmd_select },
	{ 0xC0, K_GSM | K_UICC, "GET RESPONSE", cmd_get_response },
	{ 0xB0, K_GSM | K_UICC, "READ BINARY", cmd_read_binary },
	{ 0xF2, K_GSM | K_UICC80, "STATUS", cmd_status },
	{ 0x88, K_GSM, "RUN GSM ALGORITHM", cmd_run_gsm_algorithm },
};

uint16_t cmds_dispatch(struct card *c, const struct apdu *a, struct rapdu *r)
{
	unsigned kind;
	if (a->cla == 0xA0)
		kind = K_GSM;
	else if ((a->cla & 0xF0) == 0x00)
		kind = K_UICC;
	else if ((a->cla & 0xF0) == 0x80)
		kind = K_UICC80;
	else
		return 0x6E00;                        /* class not supported */
	if (kind != K_GSM && (a->cla & 0x03))
		return 0x6881;                        /* logical channels not supported */
	int ins_known = 0;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (commands[i].ins != a->ins)
			continue;
		ins_known = 1;
		if (commands[i].classes & kind)
			return commands[i].fn(c, a, r);
	}
	return ins_known ? 0x6E00 : 0x6D00;
}
