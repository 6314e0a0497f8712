/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_st2_tpdu.c: the host-side T=0 TPDU state machine — all four APDU
 * cases, 255-octet commands, 256-octet responses, PTS followed at once by a
 * header, back-to-back TPDUs, reset in the middle of a TPDU, stale and
 * malformed card responses, the 6Cxx rule, status edge detection. */
#include "check.h"
#include "log.h"
#include "st2_tpdu.h"

#include <stdint.h>
#include <string.h>

#define MAXREC 16

/* what the engine did, recorded by the callbacks */
struct rec {
	int nsent;
	uint8_t sent[MAXREC][ST2_MSG_MAX];
	size_t sent_len[MAXREC];
	int ncapdu;
	uint8_t capdu[ST2_CAPDU_MAX];
	size_t capdu_len;
	uint32_t capdu_id;
	int nstatus;
	struct st2_slot_status status;
	unsigned changed;
	int npts;
	size_t pts_len;
};

static int cb_send(void *priv, const uint8_t *msg, size_t len)
{
	struct rec *r = priv;
	if (r->nsent < MAXREC) {
		memcpy(r->sent[r->nsent], msg, len);
		r->sent_len[r->nsent] = len;
	}
	r->nsent++;
	return 0;
}

static void cb_capdu(void *priv, uint32_t id, const uint8_t *apdu, size_t len)
{
	struct rec *r = priv;
	r->ncapdu++;
	memcpy(r->capdu, apdu, len);
	r->capdu_len = len;
	r->capdu_id = id;
}

static void cb_status(void *priv, const struct st2_slot_status *st, unsigned changed)
{
	struct rec *r = priv;
	r->nstatus++;
	r->status = *st;
	r->changed = changed;
}

static void cb_pts(void *priv, const uint8_t *req, size_t len)
{
	struct rec *r = priv;
	(void)req;
	r->npts++;
	r->pts_len = len;
}

static void setup(struct st2_tpdu *t, struct rec *r)
{
	memset(r, 0, sizeof(*r));
	struct st2_tpdu_ops ops = { .send = cb_send, .capdu = cb_capdu, .status = cb_status,
				    .pts = cb_pts, .priv = r };
	st2_tpdu_init(t, &ops, "T0:0");
}

static void rx(struct st2_tpdu *t, uint32_t flags, const uint8_t *d, size_t n)
{
	uint8_t b[ST2_MSG_MAX];
	int len = st2_enc_rx_data(b, sizeof(b), flags, d, n);
	CHECK(len > 0);
	CHECK_EQ_INT(st2_tpdu_rx_msg(t, b, (size_t)len), 1);
}

static void rx_status(struct st2_tpdu *t, uint32_t flags)
{
	uint8_t b[64];
	struct st2_status st = { .flags = flags, .fi = 1, .di = 1, .wi = 10, .waiting_time = 9600 };
	int len = st2_enc_status(b, sizeof(b), &st);
	CHECK_EQ_INT(st2_tpdu_rx_msg(t, b, (size_t)len), 1);
}

/* check sent message i is TX_DATA with flags and data */
static int sent_is(struct rec *r, int i, uint32_t flags, const uint8_t *d, size_t n)
{
	struct st2_msg m;
	if (i >= r->nsent || i >= MAXREC) return 0;
	if (st2_msg_decode(r->sent[i], r->sent_len[i], &m) <= 0) return 0;
	if (m.hdr.msg_class != ST2_CLASS_CARDEM || m.hdr.msg_type != ST2_CEMU_TX_DATA) return 0;
	if (m.u.data.flags != flags || m.u.data.len != n) return 0;
	return memcmp(m.u.data.data, d, n) == 0;
}

static const uint8_t SW9000[2] = { 0x90, 0x00 };

static void test_case1(void)
{
	struct st2_tpdu t; struct rec r;
	setup(&t, &r);
	rx(&t, ST2_DATA_F_TPDU_HDR, (const uint8_t *)"\xa0\x04\x00\x00\x00", 5);
	CHECK_EQ_INT(r.ncapdu, 1);
	CHECK_EQ_INT(r.capdu_len, 5);
	CHECK_EQ_INT(r.nsent, 0);
	CHECK_EQ_INT(t.state, ST2_TS_WAIT_RESP);
	CHECK_EQ_INT(st2_tpdu_card_response(&t, r.capdu_id, SW9000, 2), 0);
	CHECK_EQ_INT(r.nsent, 1);
	CHECK(sent_is(&r, 0, ST2_DATA_F_PB_AND_TX | ST2_DATA_F_FINAL, SW9000, 2));
	/* byte-exact as in the spec's case 1 example */
	CHECK_EQ_INT(r.sent_len[0], 16);
	CHECK(memcmp(r.sent[0], "\x01\x01\x00\x00\x00\x00\x10\x00\x06\x00\x00\x00\x02\x00\x90\x00", 16) == 0);
	CHECK_EQ_INT(t.state, ST2_TS_IDLE);
}

static void test_case2(void)
{
	struct st2_tpdu t; struct rec r;
	setup(&t, &r);
	rx(&t, ST2_DATA_F_TPDU_HDR, (const uint8_t *)"\x00\xb0\x00\x00\x04", 5);
	CHECK_EQ_INT(r.ncapdu, 1);
	CHECK_EQ_INT(r.capdu_len, 5);
	CHECK_EQ_INT(st2_tpdu_card_response(&t, r.capdu_id, (const uint8_t *)"\x01\x02\x03\x04\x90\x00", 6), 0);
	CHECK_EQ_INT(r.nsent, 2);
	CHECK(sent_is(&r, 0, ST2_DATA_F_PB_AND_TX, (const uint8_t *)"\xb0\x01\x02\x03\x04", 5));
	CHECK(sent_is(&r, 1, ST2_DATA_F_PB_AND_TX | ST2_DATA_F_FINAL, SW9000, 2));
	CHECK_EQ_INT(t.state, ST2_TS_IDLE);
}

static void test_case3(void)
{
	struct st2_tpdu t; struct rec r;
	setup(&t, &r);
	rx(&t, ST2_DATA_F_TPDU_HDR, (const uint8_t *)"\x00\x20\x00\x01\x08", 5);
	CHECK_EQ_INT(r.ncapdu, 0);
	CHECK_EQ_INT(r.nsent, 1);
	CHECK(sent_is(&r, 0, ST2_DATA_F_PB_AND_RX, (const uint8_t *)"\x20", 1));
	CHECK(memcmp(r.sent[0], "\x01\x01\x00\x00\x00\x00\x0f\x00\x08\x00\x00\x00\x01\x00\x20", 15) == 0);
	CHECK_EQ_INT(t.state, ST2_TS_WAIT_DATA);
	rx(&t, ST2_DATA_F_FINAL, (const uint8_t *)"1234\xff\xff\xff\xff", 8);
	CHECK_EQ_INT(r.ncapdu, 1);
	CHECK_EQ_INT(r.capdu_len, 13);
	CHECK(memcmp(r.capdu, "\x00\x20\x00\x01\x08" "1234\xff\xff\xff\xff", 13) == 0);
	CHECK_EQ_INT(st2_tpdu_card_response(&t, r.capdu_id, SW9000, 2), 0);
	CHECK_EQ_INT(r.nsent, 2);
	CHECK(sent_is(&r, 1, ST2_DATA_F_PB_AND_TX | ST2_DATA_F_FINAL, SW9000, 2));
}

static void test_case4(void)
{
	struct st2_tpdu t; struct rec r;
	setup(&t, &r);
	rx(&t, ST2_DATA_F_TPDU_HDR, (const uint8_t *)"\x00\xa4\x00\x04\x02", 5);
	CHECK(sent_is(&r, 0, ST2_DATA_F_PB_AND_RX, (const uint8_t *)"\xa4", 1));
	rx(&t, ST2_DATA_F_FINAL, (const uint8_t *)"\x3f\x00", 2);
	CHECK_EQ_INT(r.ncapdu, 1);
	CHECK_EQ_INT(r.capdu_len, 7);
	CHECK_EQ_INT(st2_tpdu_card_response(&t, r.capdu_id, (const uint8_t *)"\x61\x1e", 2), 0);
	CHECK(sent_is(&r, 1, ST2_DATA_F_PB_AND_TX | ST2_DATA_F_FINAL, (const uint8_t *)"\x61\x1e", 2));
	/* GET RESPONSE follows, case 2 */
	rx(&t, ST2_DATA_F_TPDU_HDR, (const uint8_t *)"\x00\xc0\x00\x00\x1e", 5);
	CHECK_EQ_INT(r.ncapdu, 2);
	uint8_t resp[32];
	memset(resp, 0x55, 30); resp[30] = 0x90; resp[31] = 0x00;
	CHECK_EQ_INT(st2_tpdu_card_response(&t, r.capdu_id, resp, 32), 0);
	CHECK_EQ_INT(r.nsent, 4);
	struct st2_msg m;
	CHECK(st2_msg_decode(r.sent[2], r.sent_len[2], &m) > 0);
	CHECK_EQ_INT(m.u.data.len, 31);
	CHECK_EQ_INT(m.u.data.data[0], 0xc0);
	/* case 4 with data in the answer (not T=0 typical, relayed anyway) */
	rx(&t, ST2_DATA_F_TPDU_HDR, (const uint8_t *)"\xa0\x88\x00\x00\x10", 5);
	rx(&t, ST2_DATA_F_FINAL, resp, 16);
	CHECK_EQ_INT(r.ncapdu, 3);
	CHECK_EQ_INT(r.capdu_len, 21);
}

static void test_split_command_data(void)
{
	/* data may arrive in several RX_DATA (flags 0, then FINAL) */
	struct st2_tpdu t; struct rec r;
	setup(&t, &r);
	uint8_t data[255];
	for (int i = 0; i < 255; i++) data[i] = (uint8_t)i;
	rx(&t, ST2_DATA_F_TPDU_HDR, (const uint8_t *)"\x00\xd6\x00\x00\xff", 5);
	CHECK_EQ_INT(t.state, ST2_TS_WAIT_DATA);
	rx(&t, 0, data, 100);
	CHECK_EQ_INT(r.ncapdu, 0);
	CHECK_EQ_INT(t.state, ST2_TS_WAIT_DATA);
	rx(&t, ST2_DATA_F_FINAL, data + 100, 155);
	CHECK_EQ_INT(r.ncapdu, 1);
	CHECK_EQ_INT(r.capdu_len, 260);
	CHECK(memcmp(r.capdu + 5, data, 255) == 0);
}

static void test_255_command(void)
{
	struct st2_tpdu t; struct rec r;
	setup(&t, &r);
	uint8_t data[255];
	memset(data, 0xa5, sizeof(data));
	rx(&t, ST2_DATA_F_TPDU_HDR, (const uint8_t *)"\x80\xc2\x00\x00\xff", 5);
	CHECK(sent_is(&r, 0, ST2_DATA_F_PB_AND_RX, (const uint8_t *)"\xc2", 1));
	rx(&t, ST2_DATA_F_FINAL, data, 255);
	CHECK_EQ_INT(r.ncapdu, 1);
	CHECK_EQ_INT(r.capdu_len, 260);
	CHECK_EQ_INT(st2_tpdu_card_response(&t, r.capdu_id, (const uint8_t *)"\x91\x10", 2), 0);
	CHECK(sent_is(&r, 1, ST2_DATA_F_PB_AND_TX | ST2_DATA_F_FINAL, (const uint8_t *)"\x91\x10", 2));
}

static void test_256_response(void)
{
	struct st2_tpdu t; struct rec r;
	setup(&t, &r);
	rx(&t, ST2_DATA_F_TPDU_HDR, (const uint8_t *)"\x00\xb0\x00\x00\x00", 5);   /* Le=0 => 256 */
	CHECK_EQ_INT(r.ncapdu, 1);
	uint8_t resp[258];
	for (int i = 0; i < 256; i++) resp[i] = (uint8_t)i;
	resp[256] = 0x90; resp[257] = 0x00;
	CHECK_EQ_INT(st2_tpdu_card_response(&t, r.capdu_id, resp, 258), 0);
	CHECK_EQ_INT(r.nsent, 2);
	struct st2_msg m;
	CHECK(st2_msg_decode(r.sent[0], r.sent_len[0], &m) > 0);
	CHECK_EQ_INT(m.u.data.len, 257);
	CHECK_EQ_INT(m.u.data.flags, ST2_DATA_F_PB_AND_TX);
	CHECK_EQ_INT(m.u.data.data[0], 0xb0);
	CHECK_EQ_INT(m.u.data.data[256], 0xff);
	CHECK_EQ_INT(r.sent_len[0], 14 + 257);
	CHECK(sent_is(&r, 1, ST2_DATA_F_PB_AND_TX | ST2_DATA_F_FINAL, SW9000, 2));
}

static void test_pts_then_header(void)
{
	/* PTS and the next header arrive back to back (OS#4409 scenario),
	 * here even concatenated in one buffer */
	struct st2_tpdu t; struct rec r;
	setup(&t, &r);
	uint8_t b[64];
	int n1 = st2_enc_pts(b, sizeof(b), (const uint8_t *)"\xff\x10\x94\x7b", 4);
	int n2 = st2_enc_rx_data(b + n1, sizeof(b) - (size_t)n1, ST2_DATA_F_TPDU_HDR,
				 (const uint8_t *)"\x00\xa4\x00\x04\x02", 5);
	CHECK_EQ_INT(st2_tpdu_rx_msg(&t, b, (size_t)(n1 + n2)), 2);
	CHECK_EQ_INT(r.npts, 1);
	CHECK_EQ_INT(r.pts_len, 4);
	CHECK_EQ_INT(t.cnt.pts, 1);
	CHECK(sent_is(&r, 0, ST2_DATA_F_PB_AND_RX, (const uint8_t *)"\xa4", 1));
	CHECK_EQ_INT(t.state, ST2_TS_WAIT_DATA);
}

static void test_back_to_back(void)
{
	struct st2_tpdu t; struct rec r;
	setup(&t, &r);
	for (int i = 0; i < 50; i++) {
		rx(&t, ST2_DATA_F_TPDU_HDR, (const uint8_t *)"\xa0\xf2\x00\x00\x16", 5);
		CHECK_EQ_INT(r.ncapdu, i + 1);
		CHECK_EQ_INT(r.capdu_id, (uint32_t)(i + 1));
		CHECK_EQ_INT(st2_tpdu_card_response(&t, r.capdu_id, SW9000, 2), 0);
		CHECK_EQ_INT(t.state, ST2_TS_IDLE);
	}
	CHECK_EQ_INT(t.cnt.capdus, 50);
	CHECK_EQ_INT(t.cnt.rapdus, 50);
}

/* a capdu callback answering synchronously (re-entrancy) */
static struct st2_tpdu *sync_t;
static void cb_capdu_sync(void *priv, uint32_t id, const uint8_t *apdu, size_t len)
{
	cb_capdu(priv, id, apdu, len);
	st2_tpdu_card_response(sync_t, id, SW9000, 2);
}

static void test_sync_answer(void)
{
	struct st2_tpdu t; struct rec r;
	memset(&r, 0, sizeof(r));
	struct st2_tpdu_ops ops = { .send = cb_send, .capdu = cb_capdu_sync, .priv = &r };
	st2_tpdu_init(&t, &ops, "T0:0");
	sync_t = &t;
	rx(&t, ST2_DATA_F_TPDU_HDR, (const uint8_t *)"\x00\x20\x00\x01\x02", 5);
	rx(&t, ST2_DATA_F_FINAL, (const uint8_t *)"\x31\x32", 2);
	CHECK_EQ_INT(r.ncapdu, 1);
	CHECK_EQ_INT(r.nsent, 2);
	CHECK_EQ_INT(t.state, ST2_TS_IDLE);
}

static void test_reset_mid_tpdu(void)
{
	struct st2_tpdu t; struct rec r;
	setup(&t, &r);
	rx_status(&t, 0x11);  /* VCC on, RST asserted */
	rx_status(&t, 0x13);
	rx_status(&t, 0x03);  /* RST released */
	/* reset while collecting command data */
	rx(&t, ST2_DATA_F_TPDU_HDR, (const uint8_t *)"\x00\x20\x00\x01\x08", 5);
	CHECK_EQ_INT(t.state, ST2_TS_WAIT_DATA);
	rx_status(&t, 0x13);  /* RST rising edge */
	CHECK_EQ_INT(t.state, ST2_TS_IDLE);
	CHECK_EQ_INT(t.cnt.aborted, 1);
	rx(&t, ST2_DATA_F_FINAL, (const uint8_t *)"12345678", 8);   /* late data: dropped */
	CHECK_EQ_INT(r.ncapdu, 0);
	rx_status(&t, 0x03);
	/* reset while waiting for the card: the late answer is dropped */
	rx(&t, ST2_DATA_F_TPDU_HDR, (const uint8_t *)"\x00\xb0\x00\x00\x04", 5);
	uint32_t old = r.capdu_id;
	CHECK_EQ_INT(t.state, ST2_TS_WAIT_RESP);
	rx_status(&t, 0x00);  /* VCC falling edge */
	CHECK_EQ_INT(t.state, ST2_TS_IDLE);
	int sent = r.nsent;
	CHECK(st2_tpdu_card_response(&t, old, SW9000, 2) < 0);
	CHECK_EQ_INT(r.nsent, sent);
	CHECK_EQ_INT(t.cnt.stale_resp, 1);
	/* new header while waiting for an old answer: the old id is stale */
	rx(&t, ST2_DATA_F_TPDU_HDR, (const uint8_t *)"\x00\xb0\x00\x00\x04", 5);
	old = r.capdu_id;
	rx(&t, ST2_DATA_F_TPDU_HDR, (const uint8_t *)"\xa0\x04\x00\x00\x00", 5);
	CHECK(r.capdu_id != old);
	CHECK(st2_tpdu_card_response(&t, old, SW9000, 2) < 0);
	CHECK_EQ_INT(st2_tpdu_card_response(&t, r.capdu_id, SW9000, 2), 0);
	/* explicit reset from the actor */
	rx(&t, ST2_DATA_F_TPDU_HDR, (const uint8_t *)"\x00\xa4\x00\x04\x02", 5);
	st2_tpdu_reset(&t);
	CHECK_EQ_INT(t.state, ST2_TS_IDLE);
	/* PTS while mid-TPDU means the card was reset too */
	rx(&t, ST2_DATA_F_TPDU_HDR, (const uint8_t *)"\x00\xa4\x00\x04\x02", 5);
	uint8_t b[64];
	int n = st2_enc_pts(b, sizeof(b), (const uint8_t *)"\xff\x10\x94\x7b", 4);
	st2_tpdu_rx_msg(&t, b, (size_t)n);
	CHECK_EQ_INT(t.state, ST2_TS_IDLE);
}

static void test_bad_responses(void)
{
	struct st2_tpdu t; struct rec r;
	setup(&t, &r);
	/* response without a pending TPDU */
	CHECK(st2_tpdu_card_response(&t, 0, SW9000, 2) < 0);
	CHECK_EQ_INT(r.nsent, 0);
	/* response shorter than SW1 SW2: modem gets 6f 00, no out-of-bounds read */
	rx(&t, ST2_DATA_F_TPDU_HDR, (const uint8_t *)"\xa0\x04\x00\x00\x00", 5);
	CHECK(st2_tpdu_card_response(&t, r.capdu_id, SW9000, 1) < 0);
	CHECK(sent_is(&r, 0, ST2_DATA_F_PB_AND_TX | ST2_DATA_F_FINAL, (const uint8_t *)"\x6f\x00", 2));
	CHECK_EQ_INT(t.state, ST2_TS_IDLE);
	rx(&t, ST2_DATA_F_TPDU_HDR, (const uint8_t *)"\xa0\x04\x00\x00\x00", 5);
	static uint8_t big[300];
	CHECK(st2_tpdu_card_response(&t, r.capdu_id, big, 259) < 0);
	CHECK_EQ_INT(t.cnt.bad_resp, 2);
	/* header shorter than 5 octets / data while idle: dropped */
	rx(&t, ST2_DATA_F_TPDU_HDR, (const uint8_t *)"\xa0\x04\x00", 3);
	rx(&t, ST2_DATA_F_FINAL, (const uint8_t *)"\x01", 1);
	CHECK_EQ_INT(t.state, ST2_TS_IDLE);
	CHECK_EQ_INT(t.cnt.dropped, 2);
	/* malformed message: defined error, nothing happens */
	CHECK_EQ_INT(st2_tpdu_rx_msg(&t, (const uint8_t *)"\x01\x06\x00\x00\x00\x00\x00\x00", 8), ST2_E_MSGLEN);
	CHECK_EQ_INT(st2_tpdu_rx_msg(&t, (const uint8_t *)"\x01\x06", 2), ST2_E_SHORT);
	/* surplus data beyond Lc is cut */
	rx(&t, ST2_DATA_F_TPDU_HDR, (const uint8_t *)"\x00\x20\x00\x01\x02", 5);
	rx(&t, ST2_DATA_F_FINAL, (const uint8_t *)"\x31\x32\x33\x34", 4);
	CHECK_EQ_INT(r.capdu_len, 7);
}

static void test_6c_rule(void)
{
	/* GP GET DATA 81 CA DF 20 00 is case 2; answered 6C 0B, re-sent with
	 * P3=0B it must stay case 2 (the table alone says case 4) */
	struct st2_tpdu t; struct rec r;
	setup(&t, &r);
	CHECK_EQ_INT(st2_apdu_case((const uint8_t *)"\x81\xca\xdf\x20\x0b"), 4);
	rx(&t, ST2_DATA_F_TPDU_HDR, (const uint8_t *)"\x81\xca\xdf\x20\x00", 5);
	CHECK_EQ_INT(r.ncapdu, 1);
	st2_tpdu_card_response(&t, r.capdu_id, (const uint8_t *)"\x6c\x0b", 2);
	rx(&t, ST2_DATA_F_TPDU_HDR, (const uint8_t *)"\x81\xca\xdf\x20\x0b", 5);
	CHECK_EQ_INT(r.ncapdu, 2);
	CHECK_EQ_INT(t.state, ST2_TS_WAIT_RESP);
	CHECK_EQ_INT(t.apdu_case, 2);
	/* after a 90 00 the table decides again */
	st2_tpdu_card_response(&t, r.capdu_id, SW9000, 2);
	rx(&t, ST2_DATA_F_TPDU_HDR, (const uint8_t *)"\x81\xca\xdf\x20\x0b", 5);
	CHECK_EQ_INT(t.state, ST2_TS_WAIT_DATA);
}

static void test_case_table(void)
{
	struct { const char *h; int c; } v[] = {
		{ "\xa0\xa4\x00\x00\x02", 4 }, { "\xa0\xb0\x00\x00\x10", 2 }, { "\xa0\xd6\x00\x00\x10", 3 },
		{ "\xa0\x20\x00\x01\x08", 3 }, { "\xa0\x88\x00\x00\x10", 4 }, { "\xa0\xc0\x00\x00\x0c", 2 },
		{ "\xa0\xf2\x00\x00\x16", 2 }, { "\xa0\x04\x00\x00\x00", 1 }, { "\x80\x10\x00\x00\x14", 3 },
		{ "\x80\xc2\x00\x00\x20", 4 }, { "\x80\x12\x00\x00\x20", 2 }, { "\x80\x14\x00\x00\x0c", 3 },
		{ "\x00\xa4\x00\x04\x02", 4 }, { "\x01\xb0\x00\x00\x10", 2 }, { "\x40\xd6\x00\x00\x10", 3 },
		{ "\x00\x73\x00\x00\x00", 2 }, { "\x00\x73\x01\x80\x10", 3 }, { "\x00\x73\x01\x20\x10", 2 },
		{ "\x00\x73\x01\x60\x10", 0 }, { "\x00\x73\x04\x60\x10", 3 },
		{ "\x00\x75\x04\x00\x10", 3 }, { "\x00\x75\x00\x00\x10", 2 },
		{ "\x80\xe2\x01\x00\x10", 4 }, { "\x80\xe2\x00\x00\x10", 3 }, { "\x80\xf2\x40\x00\x10", 4 },
		{ "\x80\xf2\x00\x00\x10", 2 }, { "\x80\xca\x00\x66\x00", 2 }, { "\xc0\xe4\x00\x00\x02", 4 },
		{ "\x81\xdb\x00\x00\x10", 3 }, { "\xe0\x78\x00\x00\x10", 4 }, { "\x00\xca\x00\x66\x10", 2 },
		{ "\x00\x12\x00\x00\x10", 0 }, { "\xb0\xa4\x00\x00\x02", 0 },
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		int c = st2_apdu_case((const uint8_t *)v[i].h);
		if (c != v[i].c)
			fprintf(stderr, "  row %zu: %02x %02x -> %d, want %d\n", i,
				(uint8_t)v[i].h[0], (uint8_t)v[i].h[1], c, v[i].c);
		CHECK_EQ_INT(c, v[i].c);
	}
}

static void test_unknown_case_forwards_header(void)
{
	struct st2_tpdu t; struct rec r;
	setup(&t, &r);
	rx(&t, ST2_DATA_F_TPDU_HDR, (const uint8_t *)"\xb0\x12\x00\x00\x10", 5);
	CHECK_EQ_INT(r.ncapdu, 1);
	CHECK_EQ_INT(r.capdu_len, 5);
	CHECK_EQ_INT(r.nsent, 0);
}

static void test_status_edges(void)
{
	struct st2_tpdu t; struct rec r;
	setup(&t, &r);
	rx_status(&t, 0x11);
	CHECK_EQ_INT(r.nstatus, 1);
	CHECK_EQ_INT(r.changed, ST2_CHG_VCC | ST2_CHG_CLK | ST2_CHG_RST);
	CHECK(r.status.vcc_present && !r.status.clk_active && r.status.reset_active);
	rx_status(&t, 0x11);  /* duplicate: not reported */
	CHECK_EQ_INT(r.nstatus, 1);
	rx_status(&t, 0x13);
	CHECK_EQ_INT(r.nstatus, 2);
	CHECK_EQ_INT(r.changed, ST2_CHG_CLK);
	rx_status(&t, 0x13);
	rx_status(&t, 0x13);
	CHECK_EQ_INT(r.nstatus, 2);
	rx_status(&t, 0x03);
	CHECK_EQ_INT(r.nstatus, 3);
	CHECK_EQ_INT(r.changed, ST2_CHG_RST);
	CHECK(!r.status.reset_active);
	/* RCEMU_ACTIVE / CARD_INSERT bits are not part of the slot status */
	rx_status(&t, 0x03 | ST2_STATUS_F_RCEMU_ACTIVE | ST2_STATUS_F_CARD_INSERT);
	CHECK_EQ_INT(r.nstatus, 3);
	rx_status(&t, 0x00);
	CHECK_EQ_INT(r.nstatus, 4);
	CHECK_EQ_INT(r.changed, ST2_CHG_VCC | ST2_CHG_CLK);
	CHECK_EQ_INT(t.cnt.resets, 1);   /* VCC falling edge */
	/* a STATUS request echo (no payload) is ignored */
	uint8_t b[16];
	int n = st2_enc_status_req(b, sizeof(b));
	CHECK_EQ_INT(st2_tpdu_rx_msg(&t, b, (size_t)n), 1);
	CHECK_EQ_INT(r.nstatus, 4);
	/* other inbound messages: CONFIG answer logged, unknown ignored */
	n = st2_enc_config(b, sizeof(b), 1, 0, 3);
	CHECK_EQ_INT(st2_tpdu_rx_msg(&t, b, (size_t)n), 1);
	CHECK_EQ_INT(st2_tpdu_rx_msg(&t, (const uint8_t *)"\x7f\x01\x00\x00\x00\x00\x08\x00", 8), 1);
}

int main(void)
{
	log_init("test_st2_tpdu");
	log_set_level(LL_ERROR);
	RUN(test_case1);
	RUN(test_case2);
	RUN(test_case3);
	RUN(test_case4);
	RUN(test_split_command_data);
	RUN(test_255_command);
	RUN(test_256_response);
	RUN(test_pts_then_header);
	RUN(test_back_to_back);
	RUN(test_sync_answer);
	RUN(test_reset_mid_tpdu);
	RUN(test_bad_responses);
	RUN(test_6c_rule);
	RUN(test_case_table);
	RUN(test_unknown_case_forwards_header);
	RUN(test_status_edges);
	return check_summary();
}
