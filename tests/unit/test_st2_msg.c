/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_st2_msg.c: SIMtrace2 cardem message codec — byte-exact encodings
 * from the spec, a round trip for every message type, and malformed
 * lengths mapping to defined errors. */
#include "check.h"
#include "st2_msg.h"

#include <stdint.h>
#include <string.h>

static int hexeq(const uint8_t *got, int gotlen, const char *hex)
{
	uint8_t want[600];
	int n = 0;
	for (const char *p = hex; *p;) {
		while (*p == ' ') p++;
		if (!*p) break;
		unsigned v;
		if (sscanf(p, "%2x", &v) != 1) return 0;
		want[n++] = (uint8_t)v;
		p += 2;
	}
	if (gotlen != n) {
		fprintf(stderr, "  length %d != %d\n", gotlen, n);
		return 0;
	}
	return memcmp(got, want, (size_t)n) == 0;
}

static void test_spec_examples(void)
{
	uint8_t b[ST2_MSG_MAX];
	int n;
	n = st2_enc_config(b, sizeof(b), ST2_FEAT_STATUS_IRQ, 0, 0);
	CHECK(hexeq(b, n, "01 08 00 00 00 00 0e 00  01 00 00 00  00  00"));
	n = st2_enc_config(b, sizeof(b), ST2_FEAT_STATUS_IRQ, 0, ST2_PRES_POL_VALID | ST2_PRES_POL_HIGH);
	CHECK(hexeq(b, n, "01 08 00 00 00 00 0e 00  01 00 00 00  00  03"));
	n = st2_enc_set_atr(b, sizeof(b), (const uint8_t *)"\x3b\x00", 2);
	CHECK(hexeq(b, n, "01 02 00 00 00 00 0b 00  02 3b 00"));
	n = st2_enc_cardinsert(b, sizeof(b), 1);
	CHECK(hexeq(b, n, "01 05 00 00 00 00 09 00  01"));
	n = st2_enc_cardinsert(b, sizeof(b), 0);
	CHECK(hexeq(b, n, "01 05 00 00 00 00 09 00  00"));
	n = st2_enc_sim_select(b, sizeof(b), 1);
	CHECK(hexeq(b, n, "02 02 00 00 00 00 09 00  01"));
	n = st2_enc_sim_select(b, sizeof(b), 0);
	CHECK(hexeq(b, n, "02 02 00 00 00 00 09 00  00"));
	n = st2_enc_modem_reset(b, sizeof(b), ST2_RESET_PULSE, 300);
	CHECK(hexeq(b, n, "02 01 00 00 00 00 0b 00  02 2c 01"));
	n = st2_enc_modem_reset(b, sizeof(b), ST2_RESET_ASSERT, 0);
	CHECK(hexeq(b, n, "02 01 00 00 00 00 0b 00  01 00 00"));
	n = st2_enc_tx_data(b, sizeof(b), ST2_DATA_F_PB_AND_RX, (const uint8_t *)"\xa4", 1);
	CHECK(hexeq(b, n, "01 01 00 00 00 00 0f 00  08 00 00 00  01 00  a4"));
	n = st2_enc_tx_data(b, sizeof(b), ST2_DATA_F_PB_AND_TX | ST2_DATA_F_FINAL, (const uint8_t *)"\x9f\x17", 2);
	CHECK(hexeq(b, n, "01 01 00 00 00 00 10 00  06 00 00 00  02 00  9f 17"));
	n = st2_enc_rx_data(b, sizeof(b), ST2_DATA_F_TPDU_HDR, (const uint8_t *)"\x00\xa4\x00\x04\x02", 5);
	CHECK(hexeq(b, n, "01 06 00 00 00 00 13 00  01 00 00 00  05 00  00 a4 00 04 02"));
	n = st2_enc_pts(b, sizeof(b), (const uint8_t *)"\xff\x10\x94\x7b", 4);
	CHECK(hexeq(b, n, "01 07 00 00 00 00 15 00  04  ff 10 94 7b 00 00  ff 10 94 7b 00 00"));
	struct st2_status st = { .flags = 0x13, .voltage_mv = 0, .fi = 9, .di = 4, .wi = 10, .waiting_time = 9600 };
	n = st2_enc_status(b, sizeof(b), &st);
	CHECK(hexeq(b, n, "01 04 00 00 00 00 15 00  13 00 00 00  00 00  09 04 0a  80 25 00 00"));
	st.waiting_time = 76800; st.flags = 0x03;
	n = st2_enc_status(b, sizeof(b), &st);
	CHECK(hexeq(b, n, "01 04 00 00 00 00 15 00  03 00 00 00  00 00  09 04 0a  00 2c 01 00"));
	n = st2_enc_status_req(b, sizeof(b));
	CHECK(hexeq(b, n, "01 04 00 00 00 00 08 00"));
}

/* encode m, decode it again, re-encode: identical bytes and fields */
static int roundtrip(struct st2_msg *m, struct st2_msg *out, uint8_t *b, size_t cap)
{
	int n = st2_msg_encode(m, b, cap);
	if (n < ST2_HDR_LEN) return -1;
	int r = st2_msg_decode(b, (size_t)n, out);
	if (r != n) return -2;
	uint8_t b2[ST2_MSG_MAX + 64];
	int n2 = st2_msg_encode(out, b2, sizeof(b2));
	if (n2 != n || memcmp(b, b2, (size_t)n) != 0) return -3;
	if (out->hdr.msg_class != m->hdr.msg_class || out->hdr.msg_type != m->hdr.msg_type) return -4;
	return n;
}

static void test_roundtrip_all_types(void)
{
	uint8_t b[ST2_MSG_MAX + 64];
	struct st2_msg m, d;
	static const uint8_t data[ST2_TX_DATA_MAX] = { 1, 2, 3 };
	static const uint8_t atr[33] = { 0x3b, 0x9f, 0x96 };

	memset(&m, 0, sizeof(m));
	m.hdr.msg_class = ST2_CLASS_GENERIC; m.hdr.msg_type = ST2_GEN_DO_ERROR;
	m.u.error.severity = 2; m.u.error.subsystem = 3; m.u.error.code = 0x1234;
	m.u.error.len = 3; m.u.error.msg = (const uint8_t *)"abc";
	CHECK(roundtrip(&m, &d, b, sizeof(b)) == 8 + 8);
	CHECK_EQ_INT(d.u.error.code, 0x1234);
	CHECK(memcmp(d.u.error.msg, "abc", 3) == 0);

	memset(&m, 0, sizeof(m));
	m.hdr.msg_class = ST2_CLASS_GENERIC; m.hdr.msg_type = ST2_GEN_BD_BOARD_INFO; m.is_request = 1;
	CHECK(roundtrip(&m, &d, b, sizeof(b)) == 8);
	CHECK(d.is_request);

	uint32_t dflags[] = { ST2_DATA_F_TPDU_HDR, ST2_DATA_F_FINAL, ST2_DATA_F_PB_AND_TX,
			      ST2_DATA_F_PB_AND_RX, ST2_DATA_F_PB_AND_TX | ST2_DATA_F_FINAL, 0 };
	uint8_t dtypes[] = { ST2_CEMU_TX_DATA, ST2_CEMU_RX_DATA };
	for (size_t t = 0; t < 2; t++)
		for (size_t f = 0; f < sizeof(dflags) / sizeof(dflags[0]); f++) {
			size_t lens[] = { 0, 1, 5, 255, 257, ST2_TX_DATA_MAX };
			for (size_t l = 0; l < 6; l++) {
				memset(&m, 0, sizeof(m));
				m.hdr.msg_class = ST2_CLASS_CARDEM; m.hdr.msg_type = dtypes[t];
				m.u.data.flags = dflags[f]; m.u.data.len = (uint16_t)lens[l]; m.u.data.data = data;
				CHECK_EQ_INT(roundtrip(&m, &d, b, sizeof(b)), 14 + (int)lens[l]);
				CHECK_EQ_INT(d.u.data.flags, dflags[f]);
				CHECK_EQ_INT(d.u.data.len, lens[l]);
			}
		}

	memset(&m, 0, sizeof(m));
	m.hdr.msg_class = ST2_CLASS_CARDEM; m.hdr.msg_type = ST2_CEMU_SET_ATR;
	m.u.atr.len = 33; m.u.atr.atr = atr;
	CHECK_EQ_INT(roundtrip(&m, &d, b, sizeof(b)), 8 + 34);
	CHECK_EQ_INT(d.u.atr.len, 33);
	CHECK(memcmp(d.u.atr.atr, atr, 33) == 0);

	memset(&m, 0, sizeof(m));
	m.hdr.msg_class = ST2_CLASS_CARDEM; m.hdr.msg_type = ST2_CEMU_STATS;
	CHECK_EQ_INT(roundtrip(&m, &d, b, sizeof(b)), 8);

	memset(&m, 0, sizeof(m));
	m.hdr.msg_class = ST2_CLASS_CARDEM; m.hdr.msg_type = ST2_CEMU_STATUS;
	m.u.status = (struct st2_status){ 0x11, 3300, 9, 4, 10, 0x01020304 };
	CHECK_EQ_INT(roundtrip(&m, &d, b, sizeof(b)), 21);
	CHECK(!d.is_request);
	CHECK_EQ_INT(d.u.status.voltage_mv, 3300);
	CHECK_EQ_INT(d.u.status.waiting_time, 0x01020304);
	m.is_request = 1;
	CHECK_EQ_INT(roundtrip(&m, &d, b, sizeof(b)), 8);
	CHECK(d.is_request);

	memset(&m, 0, sizeof(m));
	m.hdr.msg_class = ST2_CLASS_CARDEM; m.hdr.msg_type = ST2_CEMU_CARDINSERT; m.u.card_insert = 1;
	CHECK_EQ_INT(roundtrip(&m, &d, b, sizeof(b)), 9);
	CHECK_EQ_INT(d.u.card_insert, 1);

	memset(&m, 0, sizeof(m));
	m.hdr.msg_class = ST2_CLASS_CARDEM; m.hdr.msg_type = ST2_CEMU_PTS;
	m.u.pts.len = 3; memcpy(m.u.pts.req, "\xff\x00\xff", 3); memcpy(m.u.pts.resp, "\xff\x00\xff", 3);
	CHECK_EQ_INT(roundtrip(&m, &d, b, sizeof(b)), 21);
	CHECK_EQ_INT(d.u.pts.len, 3);
	CHECK_EQ_INT(d.u.pts.req[2], 0xff);

	memset(&m, 0, sizeof(m));
	m.hdr.msg_class = ST2_CLASS_CARDEM; m.hdr.msg_type = ST2_CEMU_CONFIG;
	m.u.config.features = 1; m.u.config.slot_mux_nr = 2; m.u.config.pres_pol = 3;
	CHECK_EQ_INT(roundtrip(&m, &d, b, sizeof(b)), 14);
	CHECK_EQ_INT(d.u.config.nfields, 3);
	CHECK_EQ_INT(d.u.config.slot_mux_nr, 2);

	memset(&m, 0, sizeof(m));
	m.hdr.msg_class = ST2_CLASS_MODEM; m.hdr.msg_type = ST2_MODEM_RESET;
	m.u.reset.asserted = 2; m.u.reset.pulse_ms = 0xbeef;
	CHECK_EQ_INT(roundtrip(&m, &d, b, sizeof(b)), 11);
	CHECK_EQ_INT(d.u.reset.pulse_ms, 0xbeef);

	memset(&m, 0, sizeof(m));
	m.hdr.msg_class = ST2_CLASS_MODEM; m.hdr.msg_type = ST2_MODEM_SIM_SELECT; m.u.remote_sim = 1;
	CHECK_EQ_INT(roundtrip(&m, &d, b, sizeof(b)), 9);
	CHECK_EQ_INT(d.u.remote_sim, 1);

	memset(&m, 0, sizeof(m));
	m.hdr.msg_class = ST2_CLASS_MODEM; m.hdr.msg_type = ST2_MODEM_STATUS; m.is_request = 1;
	CHECK_EQ_INT(roundtrip(&m, &d, b, sizeof(b)), 8);
	m.is_request = 0; m.u.mstatus = (struct st2_modem_status){ 3, 2, 1 };
	CHECK_EQ_INT(roundtrip(&m, &d, b, sizeof(b)), 11);
	CHECK_EQ_INT(d.u.mstatus.changed, 1);
}

static void test_header_fields_little_endian(void)
{
	/* msg_len 0x0113 = 275 octets: 14 + 261 data */
	uint8_t b[300];
	static uint8_t data[261];
	int n = st2_enc_tx_data(b, sizeof(b), 0x01020304u, data, sizeof(data));
	CHECK_EQ_INT(n, 275);
	CHECK_EQ_INT(b[6], 0x13);
	CHECK_EQ_INT(b[7], 0x01);
	CHECK(b[8] == 0x04 && b[9] == 0x03 && b[10] == 0x02 && b[11] == 0x01);
	CHECK(b[12] == 0x05 && b[13] == 0x01);
	CHECK(strcmp(st2_msg_name(1, 6), "CARDEM/RX_DATA") == 0);
	CHECK(strcmp(st2_msg_name(9, 9), "UNKNOWN") == 0);
}

static void test_malformed(void)
{
	struct st2_msg m;
	uint8_t b[64];

	CHECK_EQ_INT(st2_msg_decode(NULL, 0, &m), ST2_E_SHORT);
	CHECK_EQ_INT(st2_msg_decode((const uint8_t *)"\x01\x06\x00\x00\x00\x00\x13", 7, &m), ST2_E_SHORT);
	/* msg_len below 8 (0 would hang the firmware's splitter) */
	memcpy(b, "\x01\x06\x00\x00\x00\x00\x00\x00", 8);
	CHECK_EQ_INT(st2_msg_decode(b, 8, &m), ST2_E_MSGLEN);
	memcpy(b, "\x01\x06\x00\x00\x00\x00\x07\x00", 8);
	CHECK_EQ_INT(st2_msg_decode(b, 8, &m), ST2_E_MSGLEN);
	/* msg_len beyond what was received */
	int n = st2_enc_rx_data(b, sizeof(b), 1, (const uint8_t *)"\x00\xa4\x00\x04\x02", 5);
	CHECK_EQ_INT(n, 19);
	CHECK_EQ_INT(st2_msg_decode(b, 18, &m), ST2_E_MSGLEN);
	CHECK_EQ_INT(st2_msg_decode(b, 19, &m), 19);
	/* data_len disagreeing with msg_len */
	b[12] = 6;
	CHECK_EQ_INT(st2_msg_decode(b, 19, &m), ST2_E_PAYLOAD);
	b[12] = 4;
	CHECK_EQ_INT(st2_msg_decode(b, 19, &m), ST2_E_PAYLOAD);
	/* RX_DATA payload shorter than flags + len */
	memcpy(b, "\x01\x06\x00\x00\x00\x00\x0d\x00\x01\x00\x00\x00\x05", 13);
	CHECK_EQ_INT(st2_msg_decode(b, 13, &m), ST2_E_PAYLOAD);
	/* STATUS with a truncated payload */
	memcpy(b, "\x01\x04\x00\x00\x00\x00\x0c\x00\x13\x00\x00\x00", 12);
	CHECK_EQ_INT(st2_msg_decode(b, 12, &m), ST2_E_PAYLOAD);
	/* PTS: too short, and pts_len > 6 */
	memset(b, 0, sizeof(b));
	memcpy(b, "\x01\x07\x00\x00\x00\x00\x10\x00\x04", 9);
	CHECK_EQ_INT(st2_msg_decode(b, 16, &m), ST2_E_PAYLOAD);
	memcpy(b, "\x01\x07\x00\x00\x00\x00\x15\x00\x07", 9);
	CHECK_EQ_INT(st2_msg_decode(b, 21, &m), ST2_E_PAYLOAD);
	/* SET_ATR with atr_len beyond payload, empty payload */
	memcpy(b, "\x01\x02\x00\x00\x00\x00\x0a\x00\x05\x3b", 10);
	CHECK_EQ_INT(st2_msg_decode(b, 10, &m), ST2_E_PAYLOAD);
	memcpy(b, "\x01\x02\x00\x00\x00\x00\x08\x00", 8);
	CHECK_EQ_INT(st2_msg_decode(b, 8, &m), ST2_E_PAYLOAD);
	/* CARDINSERT / SIM_SELECT / MODEM_RESET with no or short payload */
	memcpy(b, "\x01\x05\x00\x00\x00\x00\x08\x00", 8);
	CHECK_EQ_INT(st2_msg_decode(b, 8, &m), ST2_E_PAYLOAD);
	memcpy(b, "\x02\x02\x00\x00\x00\x00\x08\x00", 8);
	CHECK_EQ_INT(st2_msg_decode(b, 8, &m), ST2_E_PAYLOAD);
	memcpy(b, "\x02\x01\x00\x00\x00\x00\x0a\x00\x02\x2c", 10);
	CHECK_EQ_INT(st2_msg_decode(b, 10, &m), ST2_E_PAYLOAD);
	/* CONFIG: partial payloads as the firmware accepts; 1..3 octets are not a field */
	memcpy(b, "\x01\x08\x00\x00\x00\x00\x0c\x00\x01\x00\x00\x00", 12);
	CHECK_EQ_INT(st2_msg_decode(b, 12, &m), 12);
	CHECK_EQ_INT(m.u.config.nfields, 1);
	memcpy(b, "\x01\x08\x00\x00\x00\x00\x0a\x00\x01\x00", 10);
	CHECK_EQ_INT(st2_msg_decode(b, 10, &m), ST2_E_PAYLOAD);
	/* DO_ERROR with text beyond the payload */
	memcpy(b, "\x00\x00\x00\x00\x00\x00\x0e\x00\x01\x02\x03\x04\x09\x41", 14);
	CHECK_EQ_INT(st2_msg_decode(b, 14, &m), ST2_E_PAYLOAD);
	/* unknown class/type: header decoded, length usable to skip */
	memcpy(b, "\x7f\x42\x00\x00\x00\x00\x0a\x00\xaa\xbb", 10);
	CHECK_EQ_INT(st2_msg_decode(b, 10, &m), ST2_E_UNKNOWN);
	CHECK_EQ_INT(m.hdr.msg_len, 10);
	memcpy(b, "\x03\x01\x00\x00\x00\x00\x08\x00", 8);
	CHECK_EQ_INT(st2_msg_decode(b, 8, &m), ST2_E_UNKNOWN);
	CHECK(st2_strerror(ST2_E_PAYLOAD)[0] != '\0');
}

static void test_encode_limits(void)
{
	uint8_t b[ST2_MSG_MAX + 16];
	static const uint8_t big[300];
	CHECK_EQ_INT(st2_enc_tx_data(b, sizeof(b), 0, big, ST2_TX_DATA_MAX), ST2_MSG_MAX);
	CHECK_EQ_INT(st2_enc_tx_data(b, sizeof(b), 0, big, ST2_TX_DATA_MAX + 1), ST2_E_TOOLONG);
	CHECK_EQ_INT(st2_enc_set_atr(b, sizeof(b), big, 34), ST2_E_TOOLONG);
	CHECK_EQ_INT(st2_enc_set_atr(b, sizeof(b), big, 33), 8 + 34);
	CHECK_EQ_INT(st2_enc_pts(b, sizeof(b), big, 7), ST2_E_TOOLONG);
	CHECK_EQ_INT(st2_enc_tx_data(b, 20, 0, big, 13), ST2_E_BUFSZ);
	CHECK_EQ_INT(st2_enc_tx_data(b, 4, 0, big, 0), ST2_E_BUFSZ);
	CHECK_EQ_INT(st2_enc_tx_data(b, sizeof(b), 0, NULL, 3), ST2_E_INVAL);
	CHECK_EQ_INT(st2_enc_modem_reset(b, sizeof(b), (enum st2_modem_reset_op)7, 0), ST2_E_INVAL);
	struct st2_msg m;
	memset(&m, 0, sizeof(m));
	m.hdr.msg_class = 5;
	CHECK_EQ_INT(st2_msg_encode(&m, b, sizeof(b)), ST2_E_UNKNOWN);
}

static void test_concatenated(void)
{
	/* several messages in one OUT read: split by msg_len */
	uint8_t b[128];
	int n1 = st2_enc_sim_select(b, sizeof(b), 1);
	int n2 = st2_enc_set_atr(b + n1, sizeof(b) - (size_t)n1, (const uint8_t *)"\x3b\x00", 2);
	int n3 = st2_enc_cardinsert(b + n1 + n2, sizeof(b) - (size_t)(n1 + n2), 1);
	size_t total = (size_t)(n1 + n2 + n3), off = 0;
	int count = 0;
	struct st2_msg m;
	while (off < total) {
		int r = st2_msg_decode(b + off, total - off, &m);
		CHECK(r > 0);
		if (r <= 0) break;
		off += (size_t)r;
		count++;
	}
	CHECK_EQ_INT(count, 3);
	CHECK_EQ_INT(m.hdr.msg_type, ST2_CEMU_CARDINSERT);
}

int main(void)
{
	RUN(test_spec_examples);
	RUN(test_roundtrip_all_types);
	RUN(test_header_fields_little_endian);
	RUN(test_malformed);
	RUN(test_encode_limits);
	RUN(test_concatenated);
	return check_summary();
}
