/* SPDX-License-Identifier: GPL-2.0-or-later */
/* st2_tpdu.h: host-side T=0 TPDU handling for one SIMtrace2 cardem slot
 * (spec simtrace2-cardem.md §6, client.md §8.3-8.5).
 *
 * Feed every inbound USB message (bulk IN and interrupt IN) to
 * st2_tpdu_rx_msg().  The engine
 *   - turns RX_DATA (TPDU header, command data) into one complete C-APDU
 *     (header + Lc data) delivered through ops.capdu(), asking the board for
 *     the command data with TX_DATA(PB_AND_RX, [INS]) when the APDU case
 *     needs it;
 *   - sends the card's answer (st2_tpdu_card_response()) back as
 *     TX_DATA(PB_AND_TX, [INS]+data) and TX_DATA(PB_AND_TX|FINAL, SW1 SW2);
 *   - logs PTS indications;
 *   - keeps the slot status (VCC/CLK/RST) and reports only changes through
 *     ops.status(); an RST rising edge or VCC falling edge aborts a TPDU.
 * The TPDU logic is a state x event table (see st2_tpdu.c). */
#ifndef REMSIM_ST2_TPDU_H
#define REMSIM_ST2_TPDU_H

#include <stddef.h>
#include <stdint.h>

#include "st2_msg.h"

#define ST2_CAPDU_MAX   (5 + 255)   /* header + Lc */
#define ST2_RAPDU_MAX   (256 + 2)   /* Le=0 => 256 data octets + SW */

enum st2_tpdu_state {
	ST2_TS_IDLE = 0,       /* waiting for a TPDU header */
	ST2_TS_WAIT_DATA,      /* PB_AND_RX sent, collecting command data */
	ST2_TS_WAIT_RESP,      /* C-APDU delivered, waiting for the card */
	ST2_TS__COUNT
};

/* Slot status as seen by the host (client.md §8.5). */
struct st2_slot_status {
	int valid;             /* 0 until the first STATUS arrived */
	int vcc_present;
	int clk_active;
	int reset_active;
	uint16_t voltage_mv;
	uint8_t fi, di, wi;
	uint32_t waiting_time;
};

/* bits of the `changed` mask passed to ops.status */
#define ST2_CHG_VCC   0x01
#define ST2_CHG_CLK   0x02
#define ST2_CHG_RST   0x04

struct st2_tpdu_ops {
	/* send one encoded host->device message (bulk OUT); return < 0 on error */
	int (*send)(void *priv, const uint8_t *msg, size_t len);
	/* a complete C-APDU (5..260 octets); answer later with
	 * st2_tpdu_card_response(t, id, ...) */
	void (*capdu)(void *priv, uint32_t id, const uint8_t *apdu, size_t len);
	/* VCC/CLK/RST changed (first STATUS: all bits set); optional */
	void (*status)(void *priv, const struct st2_slot_status *st, unsigned changed);
	/* PTS indication; optional (the engine logs it anyway) */
	void (*pts)(void *priv, const uint8_t *req, size_t len);
	/* APDU case 0..4 for a header (0 = unknown); optional, default
	 * st2_apdu_case() */
	int (*apdu_case)(void *priv, const uint8_t hdr[5]);
	void *priv;
};

struct st2_tpdu_counters {
	unsigned capdus, rapdus, pts, resets, aborted, dropped, stale_resp, bad_resp, status_reports;
};

struct st2_tpdu {
	struct st2_tpdu_ops ops;
	char log_ctx[32];
	enum st2_tpdu_state state;
	uint8_t apdu[ST2_CAPDU_MAX];   /* header + collected command data */
	size_t apdu_len;
	size_t lc;                     /* expected command data octets */
	int apdu_case;
	uint32_t id;                   /* id of the current/last C-APDU */
	/* previous command, for the 6Cxx re-issue rule */
	uint8_t prev_hdr[5];
	int prev_case;
	uint8_t prev_sw1;
	int prev_valid;
	struct st2_slot_status status;
	struct st2_tpdu_counters cnt;
	/* scratch for the current event */
	const uint8_t *ev_data;
	size_t ev_len;
	int ev_case;
};

/* Initialise; log_ctx like "C0:0" (copied). */
void st2_tpdu_init(struct st2_tpdu *t, const struct st2_tpdu_ops *ops, const char *log_ctx);

/* One inbound message (from bulk IN or interrupt IN).  Several messages
 * concatenated in one buffer are handled in order.  Returns the number of
 * messages processed, or a negative ST2_E_* for the first malformed one
 * (which is dropped together with anything after it). */
int st2_tpdu_rx_msg(struct st2_tpdu *t, const uint8_t *buf, size_t len);

/* The card's answer for C-APDU `id`: response data + SW1 SW2 (2..258
 * octets).  Answers for another id (stale, after a reset) are dropped.  An
 * answer shorter than 2 or longer than 258 octets is rejected and the
 * modem gets SW 6F 00 instead, so it is not left waiting.  Returns 0 when
 * sent, < 0 when dropped/failed. */
int st2_tpdu_card_response(struct st2_tpdu *t, uint32_t id, const uint8_t *data, size_t len);

/* Abort whatever TPDU is in progress (e.g. the slot leaves OPERATIONAL). */
void st2_tpdu_reset(struct st2_tpdu *t);

const char *st2_tpdu_state_name(enum st2_tpdu_state s);

/* APDU case (1..4, 0 unknown) from CLA/INS/P1/P2/P3 using the UICC+SIM
 * table of client.md §8.3. */
int st2_apdu_case(const uint8_t hdr[5]);

#endif
