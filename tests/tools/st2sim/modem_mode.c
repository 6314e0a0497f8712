/* SPDX-License-Identifier: GPL-2.0-or-later */
/* modem_mode.c: st2sim --modem, a modem that follows what the host does to
 * the board (card-insert control, modem reset, SIM select) instead of a
 * fixed script: power-up, ATR, PPS, a GSM session, periodic STATUS and
 * re-authentication; card removal and reboots. */
#include "st2sim.h"

/* ---- modem mode: a modem that follows what the host does to the board ---------------- */

enum mdm { MD_OFF, MD_BOOT, MD_SESSION, MD_IDLE };
static struct { enum mdm st; double until, resession_at; } md;

/* the start of a GSM session: SELECT MF, DF GSM, EF IMSI, READ BINARY,
 * RUN GSM ALGORITHM (GET RESPONSE follows 61xx / 9Fxx by itself) */
static void session_jobs(void)
{
	static const uint8_t rand16[16] = { 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
					    0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10 };
	mo.njobs = 0;
	job_add("\xa0\xa4\x00\x00\x02", (const uint8_t *)"\x3f\x00", 2, -1);
	job_add("\xa0\xa4\x00\x00\x02", (const uint8_t *)"\x7f\x20", 2, -1);
	job_add("\xa0\xa4\x00\x00\x02", (const uint8_t *)"\x6f\x07", 2, -1);
	job_add("\xa0\xb0\x00\x00\x09", NULL, 0, 9);
	job_add("\xa0\x88\x00\x00\x10", rand16, 16, -1);
}

/* the card-presence line as the modem sees it: driven by CARDINSERT on
 * boards with a card-insert output, else the card is always there */
static int modem_sees_card(void)
{
	return board.b->card_insert ? st.card_inserted : 1;
}

/* the card goes unpowered; a TPDU in progress is abandoned */
static void modem_power_off(const char *why)
{
	if (mo.j) {
		st.aborted++;
		st.tpdus--;
		mo.j = NULL;
	}
	mo.s = M_IDLE;
	say("# modem: %s%s\n", why, card.vcc ? ": card off" : "");
	card_set_lines(0, 0);
}

/* one pass; returns 1 when the run is over (end time reached, no TPDU open).
 * The run's time starts when a host first enables emulation. */
int modem_director(double *end_at)
{
	double t = now_ms();
	if (!*end_at && card.enabled)
		*end_at = t + opt.modem_s * 1000;
	double end_t = *end_at ? *end_at : t + 1e9;
	if (board_ev.insert_changed) {
		board_ev.insert_changed = 0;
		if (!modem_sees_card() && (md.st == MD_SESSION || md.st == MD_IDLE)) {
			st.removals++;
			modem_power_off("card removed");
			md.st = MD_OFF;
		}
	}
	if (board_ev.modem_reset) {
		board_ev.modem_reset = 0;
		st.reboots++;
		modem_power_off("modem reset, rebooting");
		md.st = MD_BOOT;
		md.until = t + board_ev.held_ms + opt.boot_ms;   /* it boots once the reset is released */
	}
	if (!card.enabled && (md.st == MD_SESSION || md.st == MD_IDLE)) {
		modem_power_off("emulation off (SIM_SELECT local)");
		md.st = MD_OFF;
	}
	switch (md.st) {
	case MD_OFF:
		if (modem_sees_card() && card.enabled && t < end_t) {
			md.st = MD_BOOT;
			md.until = t + opt.boot_ms;
		}
		break;
	case MD_BOOT:
		if (t < md.until)
			break;
		if (!modem_sees_card() || !card.enabled || t >= end_t) {
			md.st = MD_OFF;
			break;
		}
		st.sessions++;
		mo.atr_n = 0;
		card_set_lines(1, 1);
		card_set_lines(1, 0);
		say_hex("ATR", mo.atr, (size_t)mo.atr_n);
		session_jobs();
		md.resession_at = t + opt.resession_ms;
		if (opt.no_pps)
			job_start(0);
		else
			modem_pps_then_job0();
		md.st = MD_SESSION;
		break;
	case MD_SESSION:
		if (mo.s == M_IDLE && !mo.j) {
			if (mo.cur + 1 < mo.njobs) {
				job_start(mo.cur + 1);
			} else {
				md.st = MD_IDLE;
				md.until = t + opt.status_ms;
			}
		}
		break;
	case MD_IDLE:
		if (opt.resession_ms > 0 && t >= md.resession_at && t < end_t) {
			session_jobs();          /* authenticate again (no reset) */
			md.resession_at = t + opt.resession_ms;
			job_start(0);
			md.st = MD_SESSION;
		} else if (t >= md.until && t < end_t) {
			mo.njobs = 0;
			job_add("\xa0\xf2\x00\x00\x16", NULL, 0, 0x16);   /* STATUS */
			job_start(0);
			md.st = MD_SESSION;
		}
		break;
	}
	pump();
	return t >= end_t && !mo.j && mo.s == M_IDLE;
}

