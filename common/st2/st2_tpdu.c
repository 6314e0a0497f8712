/* SPDX-License-Identifier: GPL-2.0-or-later */
/* st2_tpdu.c: host-side T=0 TPDU state machine for a SIMtrace2 cardem slot
 * (see st2_tpdu.h).  Inbound happenings are first classified into events;
 * the transition table st2_fsm[state][event] then gives the action and the
 * next state.  The next state is set before the action runs, so an action
 * may re-enter the engine (e.g. a C-APDU callback answering at once). */
#include "st2_tpdu.h"

#include <stdio.h>
#include <string.h>

#include "log.h"

enum st2_tpdu_event {
	EV_HDR_DONE = 0,   /* header that completes the command (case 0/1/2, Lc=0) */
	EV_HDR_MORE,       /* header of a command that needs Lc data octets */
	EV_DATA_MORE,      /* command data, still incomplete */
	EV_DATA_DONE,      /* command data completing the command */
	EV_RESP,           /* card answer for the pending C-APDU */
	EV_RESP_BAD,       /* card answer for the pending C-APDU, malformed */
	EV_RESP_STALE,     /* card answer for no/another C-APDU */
	EV_PTS,            /* PTS indication */
	EV_RESET,          /* RST asserted / VCC off / explicit reset */
	EV__COUNT
};

static const char *const st2_ev_names[EV__COUNT] = {
	"HDR_DONE", "HDR_MORE", "DATA_MORE", "DATA_DONE", "RESP", "RESP_BAD",
	"RESP_STALE", "PTS", "RESET",
};

static const char *const st2_state_names[ST2_TS__COUNT] = {
	"IDLE", "WAIT_DATA", "WAIT_RESP",
};

const char *st2_tpdu_state_name(enum st2_tpdu_state s)
{
	return (unsigned)s < ST2_TS__COUNT ? st2_state_names[s] : "?";
}

/* ---- helpers ---------------------------------------------------------------- */

static void hexstr(char *out, size_t outlen, const uint8_t *d, size_t n)
{
	size_t o = 0;
	out[0] = '\0';
	for (size_t i = 0; i < n && o + 4 < outlen; i++)
		o += (size_t)snprintf(out + o, outlen - o, "%02x ", d[i]);
	if (o && out[o - 1] == ' ')
		out[o - 1] = '\0';
}

static int send_tx(struct st2_tpdu *t, uint32_t flags, const uint8_t *d, size_t n)
{
	uint8_t msg[ST2_MSG_MAX];
	int len = st2_enc_tx_data(msg, sizeof(msg), flags, d, n);
	if (len < 0) {
		LOGCE(LC_ST2, t->log_ctx, "TX_DATA encode failed: %s", st2_strerror(len));
		return len;
	}
	if (!t->ops.send || t->ops.send(t->ops.priv, msg, (size_t)len) < 0) {
		LOGCE(LC_ST2, t->log_ctx, "TX_DATA (flags 0x%02x, %zu octets) could not be sent", (unsigned)flags, n);
		return -1;
	}
	return 0;
}

static int decide_case(struct st2_tpdu *t, const uint8_t hdr[5])
{
	/* 6Cxx re-issue: same CLA/INS/P1/P2 after SW1=6C keeps the case */
	if (t->prev_valid && t->prev_sw1 == 0x6c && t->prev_case >= 1 && t->prev_case <= 3 &&
	    memcmp(hdr, t->prev_hdr, 4) == 0)
		return t->prev_case;
	if (t->ops.apdu_case)
		return t->ops.apdu_case(t->ops.priv, hdr);
	return st2_apdu_case(hdr);
}

/* ---- actions ------------------------------------------------------------------ */

typedef void (*st2_action)(struct st2_tpdu *t);

static void act_none(struct st2_tpdu *t) { (void)t; }

static void act_drop(struct st2_tpdu *t)
{
	t->cnt.dropped++;
	LOGCW(LC_ST2, t->log_ctx, "unexpected command data (%zu octets) in state %s, dropped",
	     t->ev_len, st2_tpdu_state_name(t->state));
}

static void act_stale(struct st2_tpdu *t)
{
	t->cnt.stale_resp++;
	LOGCN(LC_ST2, t->log_ctx, "card response (%zu octets) for no pending TPDU, dropped", t->ev_len);
}

static void abort_current(struct st2_tpdu *t, const char *why)
{
	t->cnt.aborted++;
	LOGCN(LC_ST2, t->log_ctx, "TPDU %02x %02x aborted: %s", t->apdu[0], t->apdu[1], why);
	t->apdu_len = 0;
	t->lc = 0;
	t->prev_valid = 0;
}

static void deliver(struct st2_tpdu *t)
{
	char hex[3 * 64 + 8];
	t->id++;
	t->cnt.capdus++;
	hexstr(hex, sizeof(hex), t->apdu, t->apdu_len < 64 ? t->apdu_len : 64);
	LOGCD(LC_ST2, t->log_ctx, "C-APDU #%u case %d (%zu octets): %s%s", (unsigned)t->id, t->apdu_case,
	     t->apdu_len, hex, t->apdu_len > 64 ? " ..." : "");
	if (t->ops.capdu)
		t->ops.capdu(t->ops.priv, t->id, t->apdu, t->apdu_len);
}

/* start a new command from the header event (ev_data: header [+ data]) */
static void start_cmd(struct st2_tpdu *t)
{
	memcpy(t->apdu, t->ev_data, 5);
	t->apdu_len = 5;
	t->apdu_case = t->ev_case;   /* decided when the event was classified */
	if (t->apdu_case == 0)
		LOGCN(LC_ST2, t->log_ctx, "APDU case of %02x %02x unknown: forwarding the header only",
		     t->apdu[0], t->apdu[1]);
	t->lc = (t->apdu_case == 3 || t->apdu_case == 4) ? t->apdu[4] : 0;
	memcpy(t->prev_hdr, t->apdu, 5);
	t->prev_case = t->apdu_case;
	t->prev_sw1 = 0;
	t->prev_valid = 1;
	/* octets beyond the header in the same message count as data */
	size_t extra = t->ev_len - 5;
	if (extra > t->lc)
		extra = t->lc;
	memcpy(t->apdu + 5, t->ev_data + 5, extra);
	t->apdu_len += extra;
}

static void act_start_deliver(struct st2_tpdu *t)
{
	start_cmd(t);
	deliver(t);
}

static void act_start_request(struct st2_tpdu *t)
{
	start_cmd(t);
	uint8_t ins = t->apdu[1];
	send_tx(t, ST2_DATA_F_PB_AND_RX, &ins, 1);
}

static void act_abort_start_deliver(struct st2_tpdu *t)
{
	abort_current(t, "new TPDU header");
	act_start_deliver(t);
}

static void act_abort_start_request(struct st2_tpdu *t)
{
	abort_current(t, "new TPDU header");
	act_start_request(t);
}

static void append_data(struct st2_tpdu *t)
{
	size_t have = t->apdu_len - 5;
	size_t room = t->lc > have ? t->lc - have : 0;
	size_t n = t->ev_len;
	if (n > room) {
		LOGCW(LC_ST2, t->log_ctx, "%zu surplus command data octets dropped", n - room);
		n = room;
	}
	memcpy(t->apdu + t->apdu_len, t->ev_data, n);
	t->apdu_len += n;
}

static void act_append(struct st2_tpdu *t) { append_data(t); }

static void act_append_deliver(struct st2_tpdu *t)
{
	append_data(t);
	if (t->apdu_len - 5 < t->lc)
		LOGCW(LC_ST2, t->log_ctx, "FINAL after %zu of %zu command data octets", t->apdu_len - 5, t->lc);
	deliver(t);
}

static void act_send_resp(struct st2_tpdu *t)
{
	const uint8_t *d = t->ev_data;
	size_t n = t->ev_len;
	uint8_t buf[1 + 256];
	char hex[3 * 64 + 8];

	t->cnt.rapdus++;
	hexstr(hex, sizeof(hex), d, n < 64 ? n : 64);
	LOGCD(LC_ST2, t->log_ctx, "R-APDU #%u (%zu octets): %s%s", (unsigned)t->id, n, hex, n > 64 ? " ..." : "");
	t->prev_sw1 = d[n - 2];
	if (n > 2) {
		buf[0] = t->apdu[1];   /* INS as ACK procedure byte */
		memcpy(buf + 1, d, n - 2);
		send_tx(t, ST2_DATA_F_PB_AND_TX, buf, n - 1);
	}
	send_tx(t, ST2_DATA_F_PB_AND_TX | ST2_DATA_F_FINAL, d + n - 2, 2);
}

static void act_send_err(struct st2_tpdu *t)
{
	static const uint8_t sw[2] = { 0x6f, 0x00 };
	t->cnt.bad_resp++;
	LOGCE(LC_ST2, t->log_ctx, "card response of %zu octets is malformed (need 2..%d): answering 6f 00",
	     t->ev_len, ST2_RAPDU_MAX);
	t->prev_sw1 = sw[0];
	send_tx(t, ST2_DATA_F_PB_AND_TX | ST2_DATA_F_FINAL, sw, 2);
}

static void log_pts(struct st2_tpdu *t)
{
	char hex[3 * ST2_PTS_MAX + 2];
	t->cnt.pts++;
	hexstr(hex, sizeof(hex), t->ev_data, t->ev_len);
	LOGCI(LC_ST2, t->log_ctx, "PTS indication: %s", hex);
	if (t->ops.pts)
		t->ops.pts(t->ops.priv, t->ev_data, t->ev_len);
}

static void act_pts(struct st2_tpdu *t) { log_pts(t); }

static void act_abort_pts(struct st2_tpdu *t)
{
	abort_current(t, "PTS (card was reset)");
	log_pts(t);
}

static void act_reset_idle(struct st2_tpdu *t)
{
	t->cnt.resets++;
	t->prev_valid = 0;
}

static void act_reset_abort(struct st2_tpdu *t)
{
	t->cnt.resets++;
	abort_current(t, "reset");
}

/* ---- the transition table -------------------------------------------------------- */

struct st2_trans {
	st2_action action;
	enum st2_tpdu_state next;
};

#define T_(a, s) { act_##a, ST2_TS_##s }
static const struct st2_trans st2_fsm[ST2_TS__COUNT][EV__COUNT] = {
	[ST2_TS_IDLE] = {
		[EV_HDR_DONE]   = T_(start_deliver, WAIT_RESP),
		[EV_HDR_MORE]   = T_(start_request, WAIT_DATA),
		[EV_DATA_MORE]  = T_(drop, IDLE),
		[EV_DATA_DONE]  = T_(drop, IDLE),
		[EV_RESP]       = T_(stale, IDLE),
		[EV_RESP_BAD]   = T_(stale, IDLE),
		[EV_RESP_STALE] = T_(stale, IDLE),
		[EV_PTS]        = T_(pts, IDLE),
		[EV_RESET]      = T_(reset_idle, IDLE),
	},
	[ST2_TS_WAIT_DATA] = {
		[EV_HDR_DONE]   = T_(abort_start_deliver, WAIT_RESP),
		[EV_HDR_MORE]   = T_(abort_start_request, WAIT_DATA),
		[EV_DATA_MORE]  = T_(append, WAIT_DATA),
		[EV_DATA_DONE]  = T_(append_deliver, WAIT_RESP),
		[EV_RESP]       = T_(stale, WAIT_DATA),
		[EV_RESP_BAD]   = T_(stale, WAIT_DATA),
		[EV_RESP_STALE] = T_(stale, WAIT_DATA),
		[EV_PTS]        = T_(abort_pts, IDLE),
		[EV_RESET]      = T_(reset_abort, IDLE),
	},
	[ST2_TS_WAIT_RESP] = {
		[EV_HDR_DONE]   = T_(abort_start_deliver, WAIT_RESP),
		[EV_HDR_MORE]   = T_(abort_start_request, WAIT_DATA),
		[EV_DATA_MORE]  = T_(drop, WAIT_RESP),
		[EV_DATA_DONE]  = T_(drop, WAIT_RESP),
		[EV_RESP]       = T_(send_resp, IDLE),
		[EV_RESP_BAD]   = T_(send_err, IDLE),
		[EV_RESP_STALE] = T_(stale, WAIT_RESP),
		[EV_PTS]        = T_(abort_pts, IDLE),
		[EV_RESET]      = T_(reset_abort, IDLE),
	},
};
#undef T_

static void st2_fsm_dispatch(struct st2_tpdu *t, enum st2_tpdu_event ev, const uint8_t *d, size_t n)
{
	const struct st2_trans *tr = &st2_fsm[t->state][ev];
	enum st2_tpdu_state from = t->state;
	LOGCD(LC_ST2, t->log_ctx, "tpdu %s --%s--> %s", st2_tpdu_state_name(from), st2_ev_names[ev],
	     st2_tpdu_state_name(tr->next));
	t->ev_data = d;
	t->ev_len = n;
	t->state = tr->next;
	(tr->action ? tr->action : act_none)(t);
}

/* ---- event classification ----------------------------------------------------------- */

static void on_rx_data(struct st2_tpdu *t, const struct st2_data *rx)
{
	if (rx->flags & ST2_DATA_F_TPDU_HDR) {
		if (rx->len < 5) {
			t->cnt.dropped++;
			LOGCE(LC_ST2, t->log_ctx, "TPDU header of %u octets dropped", rx->len);
			return;
		}
		/* peek at the case without touching the current command */
		int c = decide_case(t, rx->data);
		t->ev_case = c;
		size_t lc = (c == 3 || c == 4) ? rx->data[4] : 0;
		enum st2_tpdu_event ev = (size_t)(rx->len - 5) >= lc ? EV_HDR_DONE : EV_HDR_MORE;
		st2_fsm_dispatch(t, ev, rx->data, rx->len);
		return;
	}
	enum st2_tpdu_event ev = EV_DATA_MORE;
	if (t->state == ST2_TS_WAIT_DATA) {
		size_t have = t->apdu_len - 5;
		if ((rx->flags & ST2_DATA_F_FINAL) || have + rx->len >= t->lc)
			ev = EV_DATA_DONE;
	}
	st2_fsm_dispatch(t, ev, rx->data, rx->len);
}

static void on_status(struct st2_tpdu *t, const struct st2_status *s)
{
	struct st2_slot_status old = t->status, *n = &t->status;
	n->valid = 1;
	n->vcc_present = !!(s->flags & ST2_STATUS_F_VCC_PRESENT);
	n->clk_active = !!(s->flags & ST2_STATUS_F_CLK_ACTIVE);
	n->reset_active = !!(s->flags & ST2_STATUS_F_RESET_ACTIVE);
	n->voltage_mv = s->voltage_mv;
	n->fi = s->fi;
	n->di = s->di;
	n->wi = s->wi;
	n->waiting_time = s->waiting_time;

	unsigned changed = 0;
	if (!old.valid || old.vcc_present != n->vcc_present) changed |= ST2_CHG_VCC;
	if (!old.valid || old.clk_active != n->clk_active)   changed |= ST2_CHG_CLK;
	if (!old.valid || old.reset_active != n->reset_active) changed |= ST2_CHG_RST;
	if (!changed) {
		LOGCD(LC_ST2, t->log_ctx, "STATUS 0x%02x unchanged, not reported", (unsigned)s->flags);
		return;
	}
	LOGCI(LC_ST2, t->log_ctx, "slot status: VCC=%d CLK=%d RST=%d (%u mV, Fi %u Di %u WI %u)",
	     n->vcc_present, n->clk_active, n->reset_active, n->voltage_mv, n->fi, n->di, n->wi);
	t->cnt.status_reports++;
	if (t->ops.status)
		t->ops.status(t->ops.priv, n, changed);
	int rst_rise = old.valid && !old.reset_active && n->reset_active;
	int vcc_fall = old.valid && old.vcc_present && !n->vcc_present;
	if (rst_rise || vcc_fall)
		st2_fsm_dispatch(t, EV_RESET, NULL, 0);
}

/* ---- public API ---------------------------------------------------------------------- */

void st2_tpdu_init(struct st2_tpdu *t, const struct st2_tpdu_ops *ops, const char *log_ctx)
{
	memset(t, 0, sizeof(*t));
	if (ops)
		t->ops = *ops;
	snprintf(t->log_ctx, sizeof(t->log_ctx), "%s", log_ctx ? log_ctx : "-");
	t->state = ST2_TS_IDLE;
}

static void rx_one(struct st2_tpdu *t, const struct st2_msg *m)
{
	if (m->hdr.msg_class != ST2_CLASS_CARDEM) {
		LOGCD(LC_ST2, t->log_ctx, "ignoring %s", st2_msg_name(m->hdr.msg_class, m->hdr.msg_type));
		return;
	}
	switch (m->hdr.msg_type) {
	case ST2_CEMU_RX_DATA:
		on_rx_data(t, &m->u.data);
		break;
	case ST2_CEMU_PTS: {
		size_t n = m->u.pts.len;
		st2_fsm_dispatch(t, EV_PTS, m->u.pts.req, n);
		break;
	}
	case ST2_CEMU_STATUS:
		if (!m->is_request)
			on_status(t, &m->u.status);
		break;
	case ST2_CEMU_CONFIG:
		LOGCI(LC_ST2, t->log_ctx, "board config: features 0x%08x, mux slot %u, presence polarity 0x%02x",
		     (unsigned)m->u.config.features, m->u.config.slot_mux_nr, m->u.config.pres_pol);
		break;
	default:
		LOGCD(LC_ST2, t->log_ctx, "ignoring %s", st2_msg_name(m->hdr.msg_class, m->hdr.msg_type));
		break;
	}
}

int st2_tpdu_rx_msg(struct st2_tpdu *t, const uint8_t *buf, size_t len)
{
	int count = 0;
	while (len > 0) {
		struct st2_msg m;
		int rc = st2_msg_decode(buf, len, &m);
		if (rc == ST2_E_UNKNOWN) {
			LOGCD(LC_ST2, t->log_ctx, "unknown message %u:%u dropped", m.hdr.msg_class, m.hdr.msg_type);
			rc = m.hdr.msg_len;
		} else if (rc < 0) {
			t->cnt.dropped++;
			LOGCE(LC_ST2, t->log_ctx, "malformed message (%zu octets) dropped: %s", len, st2_strerror(rc));
			return rc;
		} else {
			rx_one(t, &m);
		}
		count++;
		buf += rc;
		len -= (size_t)rc;
	}
	return count;
}

int st2_tpdu_card_response(struct st2_tpdu *t, uint32_t id, const uint8_t *data, size_t len)
{
	enum st2_tpdu_event ev;
	if (t->state != ST2_TS_WAIT_RESP || id != t->id)
		ev = EV_RESP_STALE;
	else if (!data || len < 2 || len > ST2_RAPDU_MAX)
		ev = EV_RESP_BAD;
	else
		ev = EV_RESP;
	st2_fsm_dispatch(t, ev, data, data ? len : 0);
	return ev == EV_RESP ? 0 : -1;
}

void st2_tpdu_reset(struct st2_tpdu *t)
{
	st2_fsm_dispatch(t, EV_RESET, NULL, 0);
}

/* ---- APDU case table (client.md §8.3, "UICC+SIM") ---------------------------------------- */

enum cla_kind { CLA_A0, CLA_80, CLA_UICC, CLA_GP8, CLA_ETSI, CLA_GPCE, CLA_00 };

static int cla_match(enum cla_kind k, uint8_t cla)
{
	uint8_t hi = cla & 0xf0;
	switch (k) {
	case CLA_A0:   return cla == 0xa0;
	case CLA_80:   return cla == 0x80;
	case CLA_UICC: return hi == 0x00 || hi == 0x40 || hi == 0x60;
	case CLA_GP8:  return hi == 0x80;
	case CLA_ETSI: return hi == 0x80 || hi == 0xc0 || hi == 0xe0;
	case CLA_GPCE: return hi == 0xc0 || hi == 0xe0;
	case CLA_00:   return cla == 0x00;
	}
	return 0;
}

static int case_msc(const uint8_t *h)     /* MANAGE SECURE CHANNEL */
{
	uint8_t p1 = h[2], p2 = h[3];
	if (p1 == 0)
		return 2;
	switch (p1 & 7) {
	case 1: case 2: case 3:
		if (p2 == 0x80 || (p2 >> 5) == 0)
			return 3;
		if ((p2 >> 5) == 1 || (p2 >> 5) == 5)
			return 2;
		return 0;
	case 4:
		return 3;
	default:
		return 0;
	}
}
static int case_transact(const uint8_t *h) { return (h[2] & 4) ? 3 : 2; }
static int case_store_data(const uint8_t *h) { return (h[2] & 1) ? 4 : 3; }
static int case_get_data(const uint8_t *h) { return h[4] == 0 ? 2 : 4; }
static int case_gp_status(const uint8_t *h) { return (h[2] & 0xf0) ? 4 : 2; }

struct case_rule {
	uint8_t kind;     /* enum cla_kind */
	uint8_t ins;
	uint8_t cs;       /* fixed case, or 0 when fn decides */
	int (*fn)(const uint8_t *hdr);
};

#define GP_ROWS(K) \
	{ K, 0xe4, 4, NULL }, { K, 0xe2, 0, case_store_data }, { K, 0xca, 0, case_get_data }, \
	{ K, 0xcb, 0, case_get_data }, { K, 0xf2, 0, case_gp_status }, { K, 0xe6, 4, NULL }, \
	{ K, 0xe8, 4, NULL }, { K, 0xd8, 4, NULL }, { K, 0xf0, 3, NULL }, { K, 0xc0, 2, NULL }

static const struct case_rule case_rules[] = {
	{ CLA_A0, 0xa4, 4, NULL }, { CLA_A0, 0xf2, 2, NULL }, { CLA_A0, 0xb0, 2, NULL },
	{ CLA_A0, 0xd6, 3, NULL }, { CLA_A0, 0xb2, 2, NULL }, { CLA_A0, 0xdc, 3, NULL },
	{ CLA_A0, 0xa2, 4, NULL }, { CLA_A0, 0x32, 4, NULL }, { CLA_A0, 0x20, 3, NULL },
	{ CLA_A0, 0x24, 3, NULL }, { CLA_A0, 0x26, 3, NULL }, { CLA_A0, 0x28, 3, NULL },
	{ CLA_A0, 0x2c, 3, NULL }, { CLA_A0, 0x04, 1, NULL }, { CLA_A0, 0x44, 1, NULL },
	{ CLA_A0, 0x88, 4, NULL }, { CLA_A0, 0xfa, 1, NULL }, { CLA_A0, 0xc0, 2, NULL },
	{ CLA_A0, 0x10, 3, NULL }, { CLA_A0, 0xc2, 4, NULL }, { CLA_A0, 0x12, 2, NULL },
	{ CLA_A0, 0x14, 3, NULL },
	{ CLA_80, 0x10, 3, NULL }, { CLA_80, 0xc2, 4, NULL }, { CLA_80, 0x12, 2, NULL },
	{ CLA_80, 0x14, 3, NULL }, { CLA_80, 0x76, 4, NULL }, { CLA_80, 0x7a, 4, NULL },
	{ CLA_UICC, 0xa4, 4, NULL }, { CLA_UICC, 0xb0, 2, NULL }, { CLA_UICC, 0xd6, 3, NULL },
	{ CLA_UICC, 0xb2, 2, NULL }, { CLA_UICC, 0xdc, 3, NULL }, { CLA_UICC, 0xa2, 4, NULL },
	{ CLA_UICC, 0x20, 3, NULL }, { CLA_UICC, 0x24, 3, NULL }, { CLA_UICC, 0x26, 3, NULL },
	{ CLA_UICC, 0x28, 3, NULL }, { CLA_UICC, 0x2c, 3, NULL }, { CLA_UICC, 0x04, 1, NULL },
	{ CLA_UICC, 0x44, 1, NULL }, { CLA_UICC, 0x88, 4, NULL }, { CLA_UICC, 0x89, 4, NULL },
	{ CLA_UICC, 0x84, 2, NULL }, { CLA_UICC, 0x70, 2, NULL }, { CLA_UICC, 0xc0, 2, NULL },
	{ CLA_UICC, 0x73, 0, case_msc }, { CLA_UICC, 0x75, 0, case_transact },
	GP_ROWS(CLA_GP8),
	{ CLA_ETSI, 0xf2, 2, NULL }, { CLA_ETSI, 0x32, 4, NULL }, { CLA_ETSI, 0xcb, 4, NULL },
	{ CLA_ETSI, 0xdb, 3, NULL }, { CLA_ETSI, 0xaa, 3, NULL }, { CLA_ETSI, 0x78, 4, NULL },
	GP_ROWS(CLA_GPCE),
	{ CLA_00, 0xa4, 4, NULL }, { CLA_00, 0xca, 2, NULL }, { CLA_00, 0xc0, 2, NULL },
};

int st2_apdu_case(const uint8_t hdr[5])
{
	for (size_t i = 0; i < sizeof(case_rules) / sizeof(case_rules[0]); i++) {
		const struct case_rule *r = &case_rules[i];
		if (r->ins != hdr[1] || !cla_match((enum cla_kind)r->kind, hdr[0]))
			continue;
		int c = r->fn ? r->fn(hdr) : r->cs;
		if (c)
			return c;   /* case 0 falls through to later rows */
	}
	return 0;
}
