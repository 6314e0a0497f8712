/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rconn.c: the slot's two RSPRO connections, "server" and "bankd" (client.md
 * §3, §4.3).  The broker owns TCP, IPA, keep-alive and the re-establish
 * back-off (OPEN key policy "reconnect"); this file does the rest of
 * osmo-remsim's RSPRO connection FSM:
 *   UP        -> ESTABLISHED: send ConnectClientReq, start T1
 *   Connect*Res, right peer type, ok -> CONNECTED (main FSM event)
 *   Connect*Res not ok, or T1 expiry -> CLOSE (the broker reconnects)
 *   Connect*Res from the wrong kind of peer -> CANCEL: stay in INIT
 *   DOWN      -> REESTABLISH (lost: main FSM event)
 * Keys are "<actor name>:server" / "<actor name>:bankd", so every slot has
 * its own connections.  The slot's state (client slot, bankd assignment,
 * ATR, whether Connect*Res was ok) is stored as META on the connections so a
 * restarted actor resumes them without a new handshake. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "hexstr.h"
#include "usbslot.h"

static const char *const rc_names[] = { "INIT", "REESTABLISH", "ESTABLISHED", "CONNECTED" };

const char *rconn_state_name(enum rconn_state st)
{
	return st <= RC_CONNECTED ? rc_names[st] : "?";
}

void rconn_init(struct slot *s)
{
	const char *name = actor_name(s->a);
	s->srv = (struct rconn){ .what = "server", .expect_type = RSPRO_COMP_SERVER };
	s->bkd = (struct rconn){ .what = "bankd", .expect_type = RSPRO_COMP_BANKD };
	snprintf(s->srv.key, sizeof(s->srv.key), "%.50s:server", name);
	snprintf(s->bkd.key, sizeof(s->bkd.key), "%.50s:bankd", name);
	snprintf(s->srv.host, sizeof(s->srv.host), "%s", s->set.server_host);
	s->srv.port = (uint16_t)s->set.server_port;
}

static struct rconn *by_conn(struct slot *s, uint32_t conn)
{
	if (conn && s->srv.conn == conn)
		return &s->srv;
	if (conn && s->bkd.conn == conn)
		return &s->bkd;
	return NULL;
}

static struct rconn *by_origin(struct slot *s, const char *origin)
{
	size_t l = strlen(ENV_ORIGIN_OUT);
	if (strncmp(origin, ENV_ORIGIN_OUT, l) != 0)
		return NULL;
	if (!strcmp(origin + l, s->srv.key))
		return &s->srv;
	if (!strcmp(origin + l, s->bkd.key))
		return &s->bkd;
	return NULL;
}

static void t1_stop(struct slot *s, struct rconn *c)
{
	if (c->t1 > 0)
		actor_timer_cancel(s->a, c->t1);
	c->t1 = 0;
}

/* ---- META: the slot's state on each connection ------------------------------------ */

static void meta_write(struct slot *s, struct rconn *c)
{
	if (!c->conn)
		return;
	char m[ENV_META_MAX], atr[2 * USBSLOT_ATR_MAX + 1];
	hex_format(s->atr, s->atr_len, atr);
	int n = snprintf(m, sizeof(m), "usbslot1 up=%d cs=%ld:%ld bank=%d bs=%ld:%ld bankd=%s port=%u atr=%s",
			 c->st == RC_CONNECTED, s->cs.client_id, s->cs.slot_nr, s->bank_configured,
			 s->bs.bank_id, s->bs.slot_nr, s->bankd_ip[0] ? s->bankd_ip : "-",
			 (unsigned)s->bankd_port, s->atr_len ? atr : "-");
	actor_set_meta(s->a, c->conn, m, (size_t)n);
}

void rconn_save_meta(struct slot *s)
{
	meta_write(s, &s->srv);
	meta_write(s, &s->bkd);
}

/* Parse what meta_write() stored; 1 if the connection had completed its
 * Connect*Res, 0 if not, -1 if the metadata is not ours. */
static int meta_read(struct slot *s, const uint8_t *meta, size_t len)
{
	char m[ENV_META_MAX + 1], ip[64], atr[128];
	int up, bank;
	long cid, csn, bid, bsn;
	unsigned port;
	if (!meta || len == 0 || len > ENV_META_MAX)
		return -1;
	memcpy(m, meta, len);
	m[len] = '\0';
	if (sscanf(m, "usbslot1 up=%d cs=%ld:%ld bank=%d bs=%ld:%ld bankd=%63s port=%u atr=%127s",
		   &up, &cid, &csn, &bank, &bid, &bsn, ip, &port, atr) != 9)
		return -1;
	s->cs.client_id = cid;
	s->cs.slot_nr = csn;
	s->bank_configured = bank;
	s->bs.bank_id = bid;
	s->bs.slot_nr = bsn;
	snprintf(s->bankd_ip, sizeof(s->bankd_ip), "%s", strcmp(ip, "-") ? ip : "");
	s->bankd_port = (uint16_t)port;
	if (strcmp(atr, "-")) {
		int n = parse_hex(atr, s->atr, sizeof(s->atr));
		s->atr_len = n > 0 ? (size_t)n : 0;
	}
	slot_update_ctx(s);
	return up ? 1 : 0;
}

/* ---- opening / cancelling ------------------------------------------------------------ */

static void open_key(struct slot *s, struct rconn *c)
{
	if (c->st == RC_INIT)
		c->st = RC_REESTABLISH;
	actor_open(s->a, c->key, c->host, c->port, ENV_POLICY_RECONNECT);
}

static void cancel_key(struct slot *s, struct rconn *c)
{
	t1_stop(s, c);
	if (c->st != RC_INIT)
		actor_cancel(s->a, c->key);
	c->st = RC_INIT;
	c->conn = 0;		/* its DOWN ("cancelled") is then ignored */
}

void rconn_open_bankd(struct slot *s, int force_new)
{
	if (force_new || s->bkd.st == RC_ESTABLISHED || s->bkd.st == RC_CONNECTED)
		cancel_key(s, &s->bkd);	/* osmo-remsim: ESTABLISH tears the connection down */
	snprintf(s->bkd.host, sizeof(s->bkd.host), "%s", s->bankd_ip);
	s->bkd.port = s->bankd_port;
	LOGI(SCTX(s), "connecting to the bankd at %s:%u", s->bkd.host, (unsigned)s->bkd.port);
	open_key(s, &s->bkd);
}

void rconn_cancel_bankd(struct slot *s)
{
	if (s->bkd.st != RC_INIT)
		LOGI(SCTX(s), "disconnecting from the bankd");
	cancel_key(s, &s->bkd);
}

/* Called once after the restored connections were reported: work out the
 * main state, then OPEN (or re-claim) the connections. */
void rconn_start(struct slot *s)
{
	enum main_state st = MS_INIT;
	if (s->bkd.st == RC_CONNECTED)
		st = MS_OPERATIONAL;
	else if (s->bank_configured)
		st = MS_WAIT_BANKD;
	else if (s->srv.st == RC_CONNECTED)
		st = MS_UNCONFIGURED;
	if (st != MS_INIT)
		fsm_restore(s, st);
	LOGI(SCTX(s), "connecting to the server at %s:%u", s->srv.host, (unsigned)s->srv.port);
	open_key(s, &s->srv);
	if (s->bank_configured) {
		snprintf(s->bkd.host, sizeof(s->bkd.host), "%s", s->bankd_ip);
		s->bkd.port = s->bankd_port;
		open_key(s, &s->bkd);
	}
}

/* ---- sending -------------------------------------------------------------------------- */

static int send_raw(struct slot *s, struct rconn *c, const struct rspro_msg *m)
{
	uint8_t der[RSPRO_PDU_MAX];
	int n = rspro_encode(m, der, sizeof(der));
	if (n < 0) {
		LOGE(SCTX(s), "cannot encode %s: %s", rspro_msg_name(m->type), rspro_strerror(n));
		return -1;
	}
	if (actor_send_rspro(s->a, c->conn, der, (size_t)n) < 0) {
		LOGE(SCTX(s), "%s to the %s dropped: hub queue full", rspro_msg_name(m->type), c->what);
		return -1;
	}
	LOGCD(LC_RSPRO, SCTX(s), "Tx %s to the %s (%d octets)", rspro_msg_name(m->type), c->what, n);
	return 0;
}

int rconn_send(struct slot *s, struct rconn *c, const struct rspro_msg *m)
{
	if (c->st != RC_CONNECTED || !c->conn) {
		/* never queued (osmo-remsim's RSPRO_TX refusal) */
		LOGE(SCTX(s), "%s not sent: %s connection is %s", rspro_msg_name(m->type), c->what,
		     rc_names[c->st]);
		return -1;
	}
	return send_raw(s, c, m);
}

/* ---- broker events ------------------------------------------------------------------------ */

static void t1_expired(struct slot *s, struct rconn *c)
{
	c->t1 = 0;		/* a one-shot timer: gone after this call */
	if (c->st != RC_ESTABLISHED || !c->conn)
		return;
	LOGE(SCTX(s), "no connectClientRes from the %s within %d ms: closing, will reconnect", c->what,
	     s->set.conn_res_timeout_ms);
	actor_close(s->a, c->conn, "connectClientRes timeout");
}

static void t1_srv(struct actor *a, void *arg)
{
	(void)a;
	struct slot *s = arg;
	t1_expired(s, &s->srv);
}

static void t1_bkd(struct actor *a, void *arg)
{
	(void)a;
	struct slot *s = arg;
	t1_expired(s, &s->bkd);
}

void rconn_on_up(struct actor *a, const struct actor_conn *ac, int restored, void *ud)
{
	struct slot *s = ud;
	struct rconn *c = by_origin(s, ac->origin);
	if (!c) {
		LOGW(SCTX(s), "connection %u from %s (%s) is not ours: closing", ac->id, ac->peer, ac->origin);
		actor_close(a, ac->id, "not a usbslot connection");
		return;
	}
	if (restored) {
		int up = meta_read(s, ac->meta, ac->meta_len);
		if (up == 1) {
			c->conn = ac->id;
			c->st = RC_CONNECTED;
			LOGI(SCTX(s), "%s connection %u to %s resumed after a restart", c->what, ac->id, ac->peer);
		} else {
			LOGI(SCTX(s), "%s connection %u to %s was not connected yet: re-connecting", c->what,
			     ac->id, ac->peer);
			actor_close(a, ac->id, "restarted before connectClientRes");
			c->st = RC_REESTABLISH;
		}
		return;
	}
	if (c == &s->bkd && (!s->bank_configured || c->st == RC_INIT)) {
		/* e.g. a key left from before a restart that lost the assignment */
		LOGI(SCTX(s), "bankd connection %u up but no bankd is assigned: cancelling", ac->id);
		t1_stop(s, c);
		actor_cancel(a, c->key);
		c->st = RC_INIT;
		c->conn = 0;
		return;
	}
	c->conn = ac->id;
	c->st = RC_ESTABLISHED;
	LOGI(SCTX(s), "%s connection %u to %s up: Tx connectClientReq", c->what, ac->id, ac->peer);
	struct rspro_msg m;
	rspro_build_connect_client_req(&m, &s->ident, &s->cs);
	send_raw(s, c, &m);
	t1_stop(s, c);
	c->t1 = actor_timer_add(a, (unsigned)s->set.conn_res_timeout_ms, 1, c == &s->srv ? t1_srv : t1_bkd, s);
	meta_write(s, c);
}

void rconn_on_down(struct actor *a, uint32_t conn, const char *peer, const char *origin,
		   const char *reason, void *ud)
{
	(void)a;
	(void)origin;
	struct slot *s = ud;
	struct rconn *c = by_conn(s, conn);
	if (!c) {
		LOGD(SCTX(s), "connection %u (%s) down: %s (not current)", conn, peer, reason);
		return;
	}
	enum rconn_state was = c->st;
	t1_stop(s, c);
	c->conn = 0;
	c->st = strcmp(reason, "cancelled") ? RC_REESTABLISH : RC_INIT;
	LOGN(SCTX(s), "%s connection %u to %s down: %s", c->what, conn, peer, reason);
	if (was == RC_CONNECTED) {
		s->st.reconnects++;
		snprintf(s->st.last_error, sizeof(s->st.last_error), "%s connection lost: %.120s", c->what,
			 reason);
	}
	if (was == RC_CONNECTED)
		fsm_event(s, c == &s->srv ? EV_SRV_LOST : EV_BANKD_LOST, NULL);
}

/* ---- received PDUs ------------------------------------------------------------------------ */

static void connect_res(struct slot *s, struct rconn *c, const struct rspro_msg *m)
{
	if (c->st != RC_ESTABLISHED) {
		LOGE(SCTX(s), "connectClientRes from the %s in state %s: ignored", c->what, rc_names[c->st]);
		return;
	}
	long type = m->u.connect_res.identity.type;
	if (type != c->expect_type) {
		const char *tn = rspro_comp_type_name(type);
		LOGE(SCTX(s), "the %s at %s:%u answered as %s (%s \"%s\"), not as %s: IP/port mix-up? "
		     "Not reconnecting%s", c->what, c->host, (unsigned)c->port, tn ? tn : "unknown type",
		     m->u.connect_res.identity.software, m->u.connect_res.identity.name,
		     rspro_comp_type_name(c->expect_type),
		     c == &s->srv ? " (restart needed)" : " until the next configClientBankReq");
		cancel_key(s, c);
		return;
	}
	long res = m->u.connect_res.result;
	if (res != RSPRO_RES_OK) {
		const char *rn = rspro_result_name(res);
		LOGE(SCTX(s), "connectClientRes from the %s: %s (%ld): closing, will reconnect", c->what,
		     rn ? rn : "unknown result", res);
		t1_stop(s, c);
		actor_close(s->a, c->conn, "connectClientRes not ok");
		return;
	}
	t1_stop(s, c);
	c->st = RC_CONNECTED;
	LOGI(SCTX(s), "connected to the %s (%s \"%s\" %s)", c->what, m->u.connect_res.identity.software,
	     m->u.connect_res.identity.name, m->u.connect_res.identity.sw_version);
	meta_write(s, c);
	fsm_event(s, c == &s->srv ? EV_SRV_CONNECTED : EV_BANKD_CONNECTED, NULL);
}

static void from_server(struct slot *s, const struct rspro_msg *m)
{
	struct ev_args a = { .msg = m };
	switch (m->type) {
	case RSPRO_MSG_CONNECT_CLIENT_RES:
		connect_res(s, &s->srv, m);
		break;
	case RSPRO_MSG_CONFIG_CLIENT_ID_REQ: {
		s->cs = m->u.config_client_id_req.client_slot;
		slot_update_ctx(s);
		LOGI(SCTX(s), "Rx configClientIdReq: client slot is now C%ld:%ld", s->cs.client_id, s->cs.slot_nr);
		rconn_save_meta(s);
		struct rspro_msg res;
		rspro_build_config_client_id_res(&res, RSPRO_RES_OK);
		rconn_send(s, &s->srv, &res);
		break;
	}
	case RSPRO_MSG_CONFIG_CLIENT_BANK_REQ:
		fsm_event(s, EV_CONFIG_BANK, &a);
		break;
	default:
		LOGE(SCTX(s), "unsupported %s from the server: ignored", rspro_msg_name(m->type));
		break;
	}
}

static int for_us(struct slot *s, const struct rspro_client_slot *to)
{
	return to->client_id == s->cs.client_id && to->slot_nr == s->cs.slot_nr;
}

static void from_bankd(struct slot *s, const struct rspro_msg *m)
{
	struct ev_args a = { .msg = m };
	switch (m->type) {
	case RSPRO_MSG_CONNECT_CLIENT_RES:
		connect_res(s, &s->bkd, m);
		break;
	case RSPRO_MSG_TPDU_CARD_TO_MODEM:
		if (!for_us(s, &m->u.tpdu.client) || m->u.tpdu.bank.bank_id != s->bs.bank_id ||
		    m->u.tpdu.bank.slot_nr != s->bs.slot_nr) {
			LOGE(SCTX(s), "tpduCardToModem B%ld:%ld -> C%ld:%ld is not for this slot: dropped",
			     m->u.tpdu.bank.bank_id, m->u.tpdu.bank.slot_nr, m->u.tpdu.client.client_id,
			     m->u.tpdu.client.slot_nr);
			s->cnt.dropped++;
			break;
		}
		fsm_event(s, EV_BANKD_TPDU, &a);
		break;
	case RSPRO_MSG_SET_ATR_REQ:
		if (!for_us(s, &m->u.set_atr_req.slot)) {
			LOGE(SCTX(s), "setAtrReq for C%ld:%ld is not for this slot: dropped",
			     m->u.set_atr_req.slot.client_id, m->u.set_atr_req.slot.slot_nr);
			s->cnt.dropped++;
			break;
		}
		fsm_event(s, EV_BANKD_ATR, &a);
		break;
	case RSPRO_MSG_BANK_SLOT_STATUS_IND:
		fsm_event(s, EV_BANKD_SLOT_STATUS, &a);
		break;
	default:
		LOGE(SCTX(s), "unsupported %s from the bankd: ignored", rspro_msg_name(m->type));
		break;
	}
}

void rconn_on_rspro(struct actor *a, uint32_t conn, const uint8_t *der, size_t len, void *ud)
{
	(void)a;
	struct slot *s = ud;
	static struct rspro_msg m;	/* large; one at a time */
	struct rconn *c = by_conn(s, conn);
	if (!c) {
		LOGW(SCTX(s), "PDU on connection %u which is not current: dropped", conn);
		return;
	}
	struct rspro_decode_info info;
	if (rspro_decode(der, len, &m, &info) != RSPRO_OK) {
		LOGE(SCTX(s), "undecodable PDU from the %s: %s", c->what, info.reason);
		return;
	}
	LOGCD(LC_RSPRO, SCTX(s), "Rx %s from the %s (%zu octets)", rspro_msg_name(m.type), c->what, len);
	if (c == &s->srv)
		from_server(s, &m);
	else
		from_bankd(s, &m);
}
