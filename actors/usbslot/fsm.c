/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fsm.c: the client main FSM ("CLIENT_MAIN", client.md §4) as a table of
 * state x event -> action.  An empty cell is an event that is not permitted
 * in that state: logged and dropped.  Actions change state only through
 * fsm_goto(), which runs the exit and entry actions of §4.2:
 *   UNCONFIGURED entry: cancel the bankd connection;
 *   OPERATIONAL entry:  SIM remote, default ATR, card insert, modem reset;
 *   OPERATIONAL exit:   card remove, SIM local, modem reset;
 * each followed by its event-script call. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <czmq.h>

#include "hexstr.h"
#include "monotime.h"
#include "log.h"
#include "usbslot.h"

#define MDM_RESET_ATR_MS	2000

typedef void (*action_fn)(struct slot *s, const struct ev_args *a);

static const char *const state_names[MS__COUNT] = {
	"INIT", "UNCONFIGURED", "WAIT_BANKD", "OPERATIONAL",
};
static const char *const event_names[EV__COUNT] = {
	"SRVC_CONNECTED", "SRVC_LOST", "SRVC_CONFIG_BANK", "BANKD_CONNECTED", "BANKD_LOST",
	"BANKD_TPDU", "BANKD_ATR", "BANKD_SLOT_STATUS", "MDM_STATUS_IND", "MDM_PTS_IND", "MDM_TPDU",
};

const char *fsm_state_name(enum main_state st)
{
	return st < MS__COUNT ? state_names[st] : "?";
}

char *hexstr(const uint8_t *d, size_t n, char *buf, size_t len)
{
	return hex_format_sep(d, n, " ", buf, len);
}

void slot_update_ctx(struct slot *s)
{
	if (s->bank_configured)
		snprintf(s->ctx, sizeof(s->ctx), "C%ld:%ld B%ld:%ld", s->cs.client_id, s->cs.slot_nr,
			 s->bs.bank_id, s->bs.slot_nr);
	else
		snprintf(s->ctx, sizeof(s->ctx), "C%ld:%ld", s->cs.client_id, s->cs.slot_nr);
}

/* ---- entry / exit --------------------------------------------------------------- */

/* The board actions, each with its event-script call. */
static void card_insert(struct slot *s, int insert)
{
	s->fe->card_insert(s, insert);
	script_run(s, insert ? "request-card-insert" : "request-card-remove");
}

static void modem_reset(struct slot *s)
{
	s->fe->modem_reset(s);
	script_run(s, "request-modem-reset");
}

static void enter_operational(struct slot *s)
{
	s->have_sent_status = 0;	/* a new bankd connection: the next status is an edge */
	s->bankd_atr_seen = 0;
	memcpy(s->atr, s->set.atr, s->set.atr_len);
	s->atr_len = s->set.atr_len;
	s->fe->sim_select(s, 1);
	script_run(s, "request-sim-remote");
	s->fe->set_atr(s, s->atr, s->atr_len);
	card_insert(s, 1);
	modem_reset(s);
}

static void exit_operational(struct slot *s)
{
	card_insert(s, 0);
	s->fe->sim_select(s, 0);
	script_run(s, "request-sim-local");
	modem_reset(s);
}

static void fsm_goto(struct slot *s, enum main_state to)
{
	enum main_state from = s->ms;
	if (to == from) {
		LOGD(SCTX(s), "stays in %s", state_names[from]);
		return;
	}
	LOGI(SCTX(s), "state %s -> %s", state_names[from], state_names[to]);
	if (from == MS_OPERATIONAL)
		exit_operational(s);
	s->ms = to;
	if (to == MS_UNCONFIGURED)
		rconn_cancel_bankd(s);
	else if (to == MS_OPERATIONAL)
		enter_operational(s);
}

void fsm_restore(struct slot *s, enum main_state st)
{
	LOGI(SCTX(s), "state restored: %s", state_names[st]);
	s->ms = st;
}

void fsm_frontend_ready(struct slot *s)
{
	if (s->ms != MS_OPERATIONAL)
		return;
	/* the board (re)appeared while the remote SIM is active: present it */
	LOGI(SCTX(s), "board ready while OPERATIONAL: SIM remote, ATR, card insert, modem reset");
	s->have_sent_status = 0;
	s->fe->sim_select(s, 1);
	s->fe->set_atr(s, s->atr, s->atr_len);
	s->fe->card_insert(s, 1);
	s->fe->modem_reset(s);
}

/* ---- actions ----------------------------------------------------------------------- */

static void a_srv_connected(struct slot *s, const struct ev_args *a)
{
	(void)a;
	fsm_goto(s, MS_UNCONFIGURED);
	script_run(s, "event-server-connect");
}

static void a_srv_reconnected(struct slot *s, const struct ev_args *a)
{
	(void)a;
	/* osmo-remsim: not permitted outside INIT; nothing changes locally */
	LOGI(SCTX(s), "server connection re-established in %s: nothing to do", state_names[s->ms]);
}

static void a_srv_lost(struct slot *s, const struct ev_args *a)
{
	(void)a;
	LOGN(SCTX(s), "server connection lost (the bankd connection is kept)");
}

static void a_config_bank(struct slot *s, const struct ev_args *a)
{
	const struct rspro_msg *m = a->msg;
	const struct rspro_ipport *ip = &m->u.config_client_bank_req.bankd;
	char addr[INET6_ADDRSTRLEN] = "";
	inet_ntop(ip->is_ipv6 ? AF_INET6 : AF_INET, ip->addr, addr, sizeof(addr));
	struct rspro_bank_slot bs = m->u.config_client_bank_req.bank_slot;
	LOGCI(LC_RSPRO, SCTX(s), "Rx configClientBankReq(%s:%ld / B%ld:%ld)", addr, ip->port, bs.bank_id, bs.slot_nr);

	int same = s->bank_configured && ip->port != 0 && !strcmp(addr, s->bankd_ip) &&
		   (long)s->bankd_port == ip->port && s->bs.bank_id == bs.bank_id &&
		   s->bs.slot_nr == bs.slot_nr && s->bkd.st != RC_INIT;
	int slot_changed = s->bank_configured && (s->bs.bank_id != bs.bank_id || s->bs.slot_nr != bs.slot_nr);
	snprintf(s->bankd_ip, sizeof(s->bankd_ip), "%s", addr);
	s->bankd_port = (uint16_t)ip->port;
	s->bs = bs;
	if (ip->port == 0) {
		s->bank_configured = 0;
		slot_update_ctx(s);
		LOGI(SCTX(s), "bankd assignment removed: disconnecting from the bankd");
		fsm_goto(s, MS_UNCONFIGURED);
	} else if (same) {
		/* unlike osmo-remsim, an unchanged assignment (e.g. re-sent after a
		 * server reconnect) keeps the working bankd connection */
		LOGI(SCTX(s), "bankd assignment unchanged: keeping the bankd connection");
	} else {
		s->bank_configured = 1;
		slot_update_ctx(s);
		fsm_goto(s, MS_WAIT_BANKD);	/* from OPERATIONAL: card removed, modem reset */
		rconn_open_bankd(s, slot_changed);
	}
	rconn_save_meta(s);
	struct rspro_msg res;
	rspro_build_config_client_bank_res(&res, RSPRO_RES_OK);
	rconn_send(s, &s->srv, &res);
	script_run(s, "event-config-bankd");
}

static void a_bankd_connected(struct slot *s, const struct ev_args *a)
{
	(void)a;
	fsm_goto(s, MS_OPERATIONAL);
	script_run(s, "event-bankd-connect");
}

static void a_bankd_lost(struct slot *s, const struct ev_args *a)
{
	(void)a;
	LOGN(SCTX(s), "Connection to bankd lost");
	fsm_goto(s, MS_WAIT_BANKD);
}

/* A DTPDU line's hex (compact, as the bankd's reader logs it); buf holds
 * 2 * RSPRO_DATA_MAX + 1 characters. */
static const char *tpdu_hex(const uint8_t *d, size_t n, char *buf)
{
	hex_format(d, n < RSPRO_DATA_MAX ? n : RSPRO_DATA_MAX, buf);
	return buf;
}

static void a_bankd_tpdu(struct slot *s, const struct ev_args *a)
{
	char h[2 * RSPRO_DATA_MAX + 1];
	const struct rspro_msg *m = a->msg;
	LOGCI(LC_TPDU, SCTX(s), "rsp %s", tpdu_hex(m->u.tpdu.data, m->u.tpdu.len, h));
	s->cnt.tpdu_rx++;
	slotstat_rx(&s->st);
	s->fe->card2modem(s, m->u.tpdu.data, m->u.tpdu.len);
}

/* A second SetAtrReq on one bankd connection: the bank re-opened (reset)
 * the card under the modem: its reader restarted, or the card was lost and
 * came back.  Whatever the modem was doing with it is void (an in-flight
 * TPDU will never be answered), so rather than leaving it to its own
 * timeout it is shown what happened: card removed, card inserted with the
 * new ATR, modem reset (as on a bankd reconnect; a modem re-reads a SIM
 * after a reset, while hot-swap support varies). */
static void card_reopened(struct slot *s)
{
	LOGN(SCTX(s), "the bank re-opened the card (new ATR mid-session): presenting card removal, "
	     "re-insertion and a modem reset");
	s->st.resets++;
	card_insert(s, 0);
	card_insert(s, 1);
	modem_reset(s);
	s->have_sent_status = 0;
}

static void a_bankd_atr(struct slot *s, const struct ev_args *a)
{
	char h[200];
	const struct rspro_msg *m = a->msg;
	LOGCI(LC_RSPRO, SCTX(s), "Rx setAtrReq(%s)", hexstr(m->u.set_atr_req.atr, m->u.set_atr_req.atr_len, h, sizeof(h)));
	if (s->set.atr_ignore_rspro) {
		LOGI(SCTX(s), "ATR from the bankd ignored (atr_ignore_rspro)");
	} else if (m->u.set_atr_req.atr_len < 1 || m->u.set_atr_req.atr_len > USBSLOT_ATR_MAX) {
		LOGE(SCTX(s), "ATR of %zu octets not presented (1..%d)", m->u.set_atr_req.atr_len, USBSLOT_ATR_MAX);
	} else {
		/* The bankd re-sends the ATR after the modem's own reset only when
		 * the reset changed it: a changed ATR right after such a reset is
		 * that reset's; an unchanged one, or one long after, is a re-open. */
		int same = s->atr_len == m->u.set_atr_req.atr_len &&
			   !memcmp(s->atr, m->u.set_atr_req.atr, s->atr_len);
		int reopened = s->bankd_atr_seen &&
			       (same || mono_ms() - s->mdm_reset_ms > MDM_RESET_ATR_MS);
		memcpy(s->atr, m->u.set_atr_req.atr, m->u.set_atr_req.atr_len);
		s->atr_len = m->u.set_atr_req.atr_len;
		s->fe->set_atr(s, s->atr, s->atr_len);
		rconn_save_meta(s);
		if (reopened)
			card_reopened(s);
		s->bankd_atr_seen = 1;
	}
	struct rspro_msg res;
	rspro_build_set_atr_res(&res, RSPRO_RES_OK);
	rconn_send(s, &s->bkd, &res);
}

static void a_bankd_slot_status(struct slot *s, const struct ev_args *a)
{
	const struct rspro_phys_status *st = &a->msg->u.slot_status.status;
	LOGCI(LC_RSPRO, SCTX(s), "Rx bankSlotStatusInd(rst=%d vcc=%d clk=%d card=%d)", st->reset_active,
	     st->vcc_present, st->clk_active, st->card_present);
	if (st->card_present == 0) {
		/* the bank's card is gone: so is the modem's (a fresh SetAtrReq
		 * follows when it is back, presented as a re-insertion) */
		LOGN(SCTX(s), "the bank's card is absent: presenting card removal");
		card_insert(s, 0);
		s->bankd_atr_seen = 1;
	}
}

static int status_equal(const struct rspro_phys_status *x, const struct rspro_phys_status *y)
{
	return x->reset_active == y->reset_active && x->vcc_present == y->vcc_present &&
	       x->clk_active == y->clk_active && x->card_present == y->card_present;
}

static void a_mdm_status(struct slot *s, const struct ev_args *a)
{
	const struct rspro_phys_status *st = a->status;
	if (s->have_sent_status && status_equal(st, &s->sent_status)) {
		LOGD(SCTX(s), "modem status unchanged: no clientSlotStatusInd");
		return;
	}
	LOGCI(LC_RSPRO, SCTX(s), "Tx clientSlotStatusInd(reset_act=%d, vcc_act=%d, clk_act=%d, card_pres=%d)",
	     st->reset_active, st->vcc_present, st->clk_active, st->card_present);
	struct rspro_msg m;
	rspro_build_client_slot_status_ind(&m, s->cs, s->bs, *st);
	if (st->reset_active || st->vcc_present == 0) {
		s->mdm_reset_ms = mono_ms();
		s->st.resets++;
	}
	if (rconn_send(s, &s->bkd, &m) == 0) {
		s->sent_status = *st;
		s->have_sent_status = 1;
		s->cnt.status_tx++;
	}
	script_run(s, "event-modem-status");
}

static void a_mdm_pts(struct slot *s, const struct ev_args *a)
{
	char h[64];
	LOGI(SCTX(s), "PTS Indication (%s)", hexstr(a->data, a->len, h, sizeof(h)));
}

static void a_mdm_tpdu(struct slot *s, const struct ev_args *a)
{
	char h[2 * RSPRO_DATA_MAX + 1];
	/* a relay: lengths are the bankd reader's business (it protects the card) */
	if (a->len < 1 || a->len > RSPRO_DATA_MAX) {
		LOGE(SCTX(s), "TPDU of %zu octets cannot be carried (1..%d): dropped", a->len, RSPRO_DATA_MAX);
		s->cnt.dropped++;
		return;
	}
	LOGCI(LC_TPDU, SCTX(s), "cmd %s", tpdu_hex(a->data, a->len, h));
	struct rspro_msg m;
	struct rspro_tpdu_flags fl = { false, false, false, false };
	rspro_build_tpdu_modem_to_card(&m, s->cs, s->bs, fl, a->data, a->len);
	if (rconn_send(s, &s->bkd, &m) == 0) {
		s->cnt.tpdu_tx++;
		slotstat_tx(&s->st);
	} else {
		s->cnt.dropped++;
		slotstat_error(&s->st, "TPDU not sent: bankd connection not ready");
	}
}

/* ---- the table ------------------------------------------------------------------- */

#define ANY_CONNECTED_STATE(fn) { [MS_UNCONFIGURED] = fn, [MS_WAIT_BANKD] = fn, [MS_OPERATIONAL] = fn }
#define OPERATIONAL_ONLY(fn) { [MS_OPERATIONAL] = fn }

static const action_fn table[EV__COUNT][MS__COUNT] = {
	[EV_SRV_CONNECTED]     = { [MS_INIT] = a_srv_connected, [MS_UNCONFIGURED] = a_srv_reconnected,
				   [MS_WAIT_BANKD] = a_srv_reconnected, [MS_OPERATIONAL] = a_srv_reconnected },
	[EV_SRV_LOST]          = { a_srv_lost, a_srv_lost, a_srv_lost, a_srv_lost },
	[EV_CONFIG_BANK]       = ANY_CONNECTED_STATE(a_config_bank),
	[EV_BANKD_CONNECTED]   = { [MS_WAIT_BANKD] = a_bankd_connected },
	[EV_BANKD_LOST]        = OPERATIONAL_ONLY(a_bankd_lost),
	[EV_BANKD_TPDU]        = OPERATIONAL_ONLY(a_bankd_tpdu),
	[EV_BANKD_ATR]         = OPERATIONAL_ONLY(a_bankd_atr),
	[EV_BANKD_SLOT_STATUS] = OPERATIONAL_ONLY(a_bankd_slot_status),
	[EV_MDM_STATUS]        = OPERATIONAL_ONLY(a_mdm_status),
	[EV_MDM_PTS]           = OPERATIONAL_ONLY(a_mdm_pts),
	[EV_MDM_TPDU]          = OPERATIONAL_ONLY(a_mdm_tpdu),
};

void fsm_event(struct slot *s, enum main_event ev, const struct ev_args *args)
{
	static const struct ev_args none = { NULL, NULL, 0, NULL };
	if (ev >= EV__COUNT)
		return;
	action_fn fn = table[ev][s->ms];
	if (!fn) {
		if (ev == EV_BANKD_LOST) {
			LOGD(SCTX(s), "bankd connection lost in %s", state_names[s->ms]);
		} else {
			LOGE(SCTX(s), "event %s not permitted in state %s: dropped", event_names[ev],
			     state_names[s->ms]);
			s->cnt.dropped++;
			char why[96];
			snprintf(why, sizeof(why), "%s dropped in %s", event_names[ev], state_names[s->ms]);
			slotstat_error(&s->st, why);
		}
		return;
	}
	fn(s, args ? args : &none);
}

/* ---- frontend -> core ---------------------------------------------------------------- */

void slot_mdm_tpdu(struct slot *s, const uint8_t *apdu, size_t len)
{
	struct ev_args a = { .data = apdu, .len = len };
	fsm_event(s, EV_MDM_TPDU, &a);
}

void slot_mdm_status(struct slot *s, const struct rspro_phys_status *st)
{
	s->last_status = *st;
	s->have_status = 1;
	struct ev_args a = { .status = st };
	fsm_event(s, EV_MDM_STATUS, &a);
}

void slot_mdm_pts(struct slot *s, const uint8_t *pts, size_t len)
{
	struct ev_args a = { .data = pts, .len = len };
	fsm_event(s, EV_MDM_PTS, &a);
}
