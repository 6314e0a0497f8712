/* SPDX-License-Identifier: GPL-2.0-or-later */
/* modem.c: st2sim's modem, the T=0 side of the line: it sends TPDU
 * headers and command data, follows procedure bytes (ACK, NULL, SW1),
 * collects response data, fetches 61xx/9Fxx answers with GET RESPONSE and
 * re-issues after 6Cxx, does PPS, and checks every R-APDU against the test
 * card with --verify. */
#include <string.h>

#include "st2sim.h"
#include "testcard.h"

/* ---- the modem ----------------------------------------------------------------------------- */

struct sim_modem mo;

void push_to_card(const uint8_t *d, int n)
{
	if (to_card_n + n > (int)sizeof(to_card))
		return;
	memcpy(to_card + to_card_n, d, (size_t)n);
	to_card_n += n;
}

void job_add(const char *hdr, const uint8_t *data, int lc, int le)
{
	if (mo.njobs >= MAXJOBS)
		return;
	struct job *j = &mo.jobs[mo.njobs++];
	memset(j, 0, sizeof(*j));
	memcpy(j->hdr, hdr, 5);
	j->lc = lc;
	j->le = le;
	if (lc)
		memcpy(j->data, data, (size_t)lc);
}

/* insert a follow-up TPDU right after the current one */
static void job_insert_next(const uint8_t hdr[5], int le)
{
	if (mo.njobs >= MAXJOBS)
		return;
	memmove(&mo.jobs[mo.cur + 2], &mo.jobs[mo.cur + 1], sizeof(struct job) * (size_t)(mo.njobs - mo.cur - 1));
	mo.njobs++;
	struct job *j = &mo.jobs[mo.cur + 1];
	memset(j, 0, sizeof(*j));
	memcpy(j->hdr, hdr, 5);
	j->le = le;
}

void job_start(int idx)
{
	mo.cur = idx;
	mo.j = &mo.jobs[idx];
	mo.resp_n = 0;
	mo.sent_data = 0;
	mo.s = M_WAIT_PB;
	mo.t0 = now_ms();
	st.tpdus++;
	push_to_card(mo.j->hdr, 5);
}

static void job_done(void)
{
	struct job *j = mo.j;
	double lat = now_ms() - mo.t0;
	if (mo.lat && mo.nlat < mo.maxlat)
		mo.lat[mo.nlat++] = lat;
	uint8_t capdu[260];
	memcpy(capdu, j->hdr, 5);
	memcpy(capdu + 5, j->data, (size_t)j->lc);
	say_hex("C-APDU", capdu, 5 + (size_t)j->lc);
	say_hex("R-APDU", mo.resp, (size_t)mo.resp_n);
	st.ok++;
	if (opt.verify) {
		uint8_t want[260];
		size_t wn = testcard_answer(capdu, 5 + (size_t)j->lc, want);
		if (wn != (size_t)mo.resp_n || memcmp(want, mo.resp, wn) != 0) {
			st.verify_err++;
			say("# VERIFY FAILED (expected %zu octets)\n", wn);
		}
	}
	uint8_t sw1 = mo.resp[mo.resp_n - 2], sw2 = mo.resp[mo.resp_n - 1];
	uint8_t h[5] = { j->hdr[0], 0xc0, 0, 0, sw2 };
	if (sw1 == 0x61 || sw1 == 0x9f) {   /* fetch the response data (9F: GSM 11.11) */
		job_insert_next(h, sw2 ? sw2 : 256);
	} else if (sw1 == 0x6c) {     /* wrong Le: re-issue with Le = SW2 */
		memcpy(h, j->hdr, 4);
		job_insert_next(h, sw2 ? sw2 : 256);
	}
	mo.s = M_IDLE;
	mo.j = NULL;
}

static void proto_error(const char *what, uint8_t b)
{
	st.proto_err++;
	say("# PROTOCOL ERROR: %s (octet %02x)\n", what, b);
}

void modem_rx(uint8_t b)
{
	switch (mo.s) {
	case M_IDLE:
		if (mo.atr_n < (int)sizeof(mo.atr))
			mo.atr[mo.atr_n++] = b;   /* ATR octets */
		break;
	case M_PPS:
		if (mo.pps_n < 6 && b != mo.pps[mo.pps_n]) proto_error("PPS response differs", b);
		if (++mo.pps_n == mo.pps_len) {
			say_hex("PPS", mo.pps, (size_t)mo.pps_len);
			mo.s = M_IDLE;
			job_start(mo.cur);        /* the next TPDU header follows at once */
		}
		break;
	case M_WAIT_PB:
		if (b == 0x60) {
			st.nulls++;
		} else if (b == mo.j->hdr[1]) {       /* ACK */
			if (mo.j->lc > mo.sent_data) {
				if (mo.j->reset_after_ack) {
					mo.want_reset = 1;
				} else {
					push_to_card(mo.j->data + mo.sent_data, mo.j->lc - mo.sent_data);
					mo.sent_data = mo.j->lc;
				}
			} else if (mo.j->le >= 0 && mo.resp_n == 0) {
				mo.rx_need = mo.j->le;
				mo.s = M_RX_DATA;
			} else {
				proto_error("unexpected ACK", b);
			}
		} else if ((b & 0xf0) == 0x60 || (b & 0xf0) == 0x90) {
			mo.sw1 = b;
			mo.s = M_WAIT_SW2;
		} else {
			proto_error("unexpected procedure byte", b);
		}
		break;
	case M_RX_DATA:
		mo.resp[mo.resp_n++] = b;
		if (mo.resp_n == mo.rx_need)
			mo.s = M_WAIT_PB;
		break;
	case M_WAIT_SW2:
		mo.resp[mo.resp_n++] = mo.sw1;
		mo.resp[mo.resp_n++] = b;
		job_done();
		break;
	}
}

/* ---- modem actions used by the director ---------------------------------------------- */

void modem_warm_reset(void)
{
	mo.atr_n = 0;
	card_set_lines(1, 1);
	card_set_lines(1, 0);
	say_hex("ATR", mo.atr, (size_t)mo.atr_n);
}

/* PPS ff 10 94 7b; the modem sends job 0's header as soon as the response is in */
void modem_pps_then_job0(void)
{
	static const uint8_t pps[] = { 0xff, 0x10, 0x94, 0x7b };
	memcpy(mo.pps, pps, sizeof(pps));
	mo.pps_len = 4;
	mo.pps_n = 0;
	mo.cur = 0;
	mo.s = M_PPS;
	push_to_card(pps, 4);
	pump();
}

