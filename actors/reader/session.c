/* SPDX-License-Identifier: GPL-2.0-or-later */
/* session.c: the reader's client side: ConnectClientReq, SetAtrReq, the TPDU
 * relay and resets from ClientSlotStatusInd (bankd.md §5, §6, §8).
 *
 * A reader serves one client connection at a time (the "active" one, whose
 * ConnectClientReq named the client slot mapped to this bank slot).  The card
 * is opened while an active client exists and released (unpowered) when it
 * goes.  Per connection the client slot is stored as broker META ("C3:0"),
 * so a restarted reader gets it back in WELCOME, re-opens the card and sends
 * a fresh SetAtrReq on the same TCP session.
 *
 * Per-APDU path: decode into a preallocated message, SCardTransmit into a
 * preallocated buffer, encode into a preallocated buffer; no allocation of
 * our own and one copy of the response (into the outgoing message). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "actor.h"
#include "hexstr.h"
#include "log.h"
#include "monotime.h"
#include "slotstat.h"
#include "reader.h"

struct client {
	uint32_t conn;			/* 0: free */
	int identified;			/* ConnectClientReq seen (or restored) */
	int answered;			/* ConnectClientRes sent (SetAtrReq may follow) */
	int told_absent;		/* BankSlotStatusInd(cardPresent=0) sent */
	struct rspro_client_slot cs;
	int last_vcc, last_rst;		/* for reset edges; initially VCC on, RST off */
	time_t since;			/* became the active client (wall clock) */
	unsigned long tpdus_base;	/* session tpdus then */
};

struct session {
	struct actor *a;
	const struct rdr_conf *conf;
	struct card *card;
	struct gsmtap *gt;
	struct rspro_ident ident;
	struct rspro_bank_slot bank;
	struct client cl[READER_MAX_CONNS];
	struct client *active;
	int map_known, map_none;
	struct rspro_client_slot mapped;
	unsigned long tpdus, refused, card_losses;
	struct slotstat st;		/* `slot` answer: counters, card round trips */
	int in_transmit;		/* a lost card then closes the connection instead */
	/* what bankmap was last told about the client served (served_report) */
	uint32_t told_conn;
	unsigned long told_tpdus;
	int64_t told_ms;		/* 0: tell at the next tick */
	char ctx[64];
	/* preallocated per-APDU storage */
	struct rspro_msg in, out;
	uint8_t der[RSPRO_PDU_MAX];
	uint8_t resp[READER_RAPDU_MAX];
};

static void card_opened(void *ud);
static void card_lost(void *ud, const char *why);
static const struct card_events card_ev = { .opened = card_opened, .lost = card_lost };

static void set_ctx(struct session *s)
{
	if (s->active)
		snprintf(s->ctx, sizeof(s->ctx), "B%ld:%ld C%ld:%ld", s->bank.bank_id, s->bank.slot_nr,
			 s->active->cs.client_id, s->active->cs.slot_nr);
	else
		snprintf(s->ctx, sizeof(s->ctx), "B%ld:%ld -", s->bank.bank_id, s->bank.slot_nr);
	log_set_context(s->ctx);
}

static const char *hex(const uint8_t *d, size_t n)
{
	static char buf[2 * READER_RAPDU_MAX + 1];
	hex_format(d, n < READER_RAPDU_MAX ? n : READER_RAPDU_MAX, buf);
	return buf;
}

struct session *session_new(struct actor *a, const struct rdr_conf *conf)
{
	struct session *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->a = a;
	s->conf = conf;
	s->bank = (struct rspro_bank_slot){ conf->bank_id, conf->slot };
	char host[256] = "";
	if (gethostname(host, sizeof(host) - 1) != 0)
		snprintf(host, sizeof(host), "remsim-bankd");
	rspro_ident_set(&s->ident, RSPRO_COMP_BANKD, host, READER_SW_NAME, REMSIM_VERSION);
	set_ctx(s);
	s->card = card_new(conf, &card_ev, s);
	if (!s->card) {
		free(s);
		return NULL;
	}
	if (conf->gsmtap_host[0] && (conf->gsmtap_slot < 0 || conf->gsmtap_slot == conf->slot))
		s->gt = gsmtap_open(conf->gsmtap_host);
	/* nothing served yet: nothing to tell before a client comes or bankmap
	 * answers our query (its mapping message asks for a report) */
	s->told_ms = mono_ms();
	return s;
}

void session_free(struct session **sp)
{
	struct session *s = *sp;
	if (!s)
		return;
	card_free(&s->card);
	gsmtap_close(&s->gt);
	free(s);
	*sp = NULL;
}

static struct client *find(struct session *s, uint32_t conn)
{
	for (int i = 0; i < READER_MAX_CONNS; i++)
		if (s->cl[i].conn == conn)
			return &s->cl[i];
	return NULL;
}

static int send_msg(struct session *s, struct client *c, const struct rspro_msg *m)
{
	int n = rspro_encode(m, s->der, sizeof(s->der));
	if (n < 0) {
		LOGE(NULL, "cannot encode %s: %s", rspro_msg_name(m->type), rspro_strerror(n));
		return -1;
	}
	if (actor_send_rspro(s->a, c->conn, s->der, (size_t)n) < 0) {
		LOGW(NULL, "conn %u: %s dropped (hub queue full)", c->conn, rspro_msg_name(m->type));
		return -1;
	}
	LOGCD(LC_RSPRO, NULL, "Tx %s (conn %u, %d octets)", rspro_msg_name(m->type), c->conn, n);
	return 0;
}

/* c becomes the client served; bankmap hears of it at the next tick */
static void activate(struct session *s, struct client *c)
{
	s->active = c;
	c->since = time(NULL);
	c->tpdus_base = s->tpdus;
	s->told_ms = 0;
	set_ctx(s);
}

/* Tell bankmap which client this slot serves (for `remsim-ctl clients` on
 * the bankd; docs/bankd.md): when the client or its TPDU count changed,
 * else every SERVED_REFRESH_MS (a restarted bankmap learns it again; it
 * forgets a report older than 3 of these). */
#define SERVED_REFRESH_MS 10000
static void served_report(struct session *s)
{
	uint32_t conn = s->active ? s->active->conn : 0;
	unsigned long n = s->active ? s->tpdus - s->active->tpdus_base : 0;
	int64_t now = mono_ms();
	if (s->told_ms && conn == s->told_conn && n == s->told_tpdus && now - s->told_ms < SERVED_REFRESH_MS)
		return;
	json_t *j;
	if (s->active) {
		const struct actor_conn *ac = actor_conn_find(s->a, conn);
		char cl[48];
		snprintf(cl, sizeof(cl), "%ld:%ld", s->active->cs.client_id, s->active->cs.slot_nr);
		j = json_pack("{s:s, s:I, s:I, s:s, s:s, s:I, s:I}", "op", "serving", "slot",
			      (json_int_t)s->bank.slot_nr, "conn", (json_int_t)conn, "client", cl, "peer",
			      ac ? ac->peer : "", "since", (json_int_t)s->active->since, "tpdus", (json_int_t)n);
	} else {
		j = json_pack("{s:s, s:I, s:n}", "op", "serving", "slot", (json_int_t)s->bank.slot_nr, "client");
	}
	char *txt = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (txt && actor_tell(s->a, "bankmap", txt, strlen(txt)) == 0) {
		s->told_conn = conn;
		s->told_tpdus = n;
		s->told_ms = now;
	}
	free(txt);
}

/* Forget a client record (the connection is gone or being closed). */
static void forget(struct session *s, struct client *c)
{
	int was_active = c == s->active;
	memset(c, 0, sizeof(*c));
	if (was_active) {
		s->active = NULL;
		card_release(s->card);
		set_ctx(s);
	}
}

/* Close a client connection; nothing more is sent on it. */
static void drop(struct session *s, struct client *c, const char *reason)
{
	LOGN(NULL, "closing client connection %u: %s", c->conn, reason);
	slotstat_error(&s->st, reason);
	actor_close(s->a, c->conn, reason);
	forget(s, c);
}

static void send_atr(struct session *s, struct client *c)
{
	size_t len;
	const uint8_t *atr = card_atr(s->card, &len);
	rspro_build_set_atr_req(&s->out, c->cs, atr, len);
	if (send_msg(s, c, &s->out) == 0)
		LOGI(NULL, "SetAtrReq sent: ATR %s (%s)", hex(atr, len), card_proto_name(s->card));
	gsmtap_atr(s->gt, atr, len);
}

static void send_bank_status(struct session *s, struct client *c, int present)
{
	struct rspro_phys_status st = { .reset_active = false, .vcc_present = -1, .clk_active = -1,
					.card_present = (int8_t)present };
	rspro_build_bank_slot_status_ind(&s->out, s->bank, c->cs, st);
	send_msg(s, c, &s->out);
}

static void card_opened(void *ud)
{
	struct session *s = ud;
	struct client *c = s->active;
	if (!c || !c->answered)
		return;		/* ConnectClientReq handling answers itself */
	if (c->told_absent) {
		send_bank_status(s, c, 1);
		c->told_absent = 0;
	}
	LOGN(NULL, "card opened: sending a fresh ATR");
	send_atr(s, c);
}

static void card_lost(void *ud, const char *why)
{
	struct session *s = ud;
	s->card_losses++;
	struct client *c = s->active;
	if (!c || !c->answered || s->in_transmit) {
		LOGN(NULL, "card lost (%s)", why);
		return;
	}
	LOGN(NULL, "card lost (%s): client told with BankSlotStatusInd(cardPresent=0); "
	     "a fresh ATR follows when the card is back", why);
	send_bank_status(s, c, 0);
	c->told_absent = 1;
}

/* --- connections ------------------------------------------------------------------ */
static int parse_meta(const struct actor_conn *ac, struct rspro_client_slot *cs)
{
	char m[64];
	if (!ac->meta || ac->meta_len == 0 || ac->meta_len >= sizeof(m))
		return -1;
	memcpy(m, ac->meta, ac->meta_len);
	m[ac->meta_len] = '\0';
	return rspro_parse_slot_pair(m, &cs->client_id, &cs->slot_nr);
}

void session_conn_up(struct session *s, const struct actor_conn *ac, int restored)
{
	struct client *c = find(s, 0);
	if (!c) {
		LOGE(NULL, "conn %u from %s: already holding %d connections; closing it", ac->id, ac->peer,
		     READER_MAX_CONNS);
		actor_close(s->a, ac->id, "too many connections for one reader");
		return;
	}
	*c = (struct client){ .conn = ac->id, .last_vcc = 1, .last_rst = 0 };
	struct rspro_client_slot cs;
	if (restored && parse_meta(ac, &cs) == 0) {
		/* We crashed while serving it: it got ConnectClientRes already. */
		if (s->active)
			drop(s, s->active, "replaced by a restored connection");
		c->identified = c->answered = 1;
		c->cs = cs;
		activate(s, c);
		LOGN(NULL, "conn %u from %s restored after a restart: re-opening the card", ac->id, ac->peer);
		card_tick(s->card, 1);	/* card_opened() sends the fresh ATR */
		if (card_state(s->card) != CS_OPEN)
			LOGW(NULL, "card not available (%s): ATR follows when it is", card_state_name(card_state(s->card)));
		return;
	}
	LOGI(NULL, "conn %u from %s (%s)%s: waiting for ConnectClientReq", ac->id, ac->peer, ac->origin,
	     restored ? " restored" : "");
}

void session_conn_down(struct session *s, uint32_t conn, const char *reason)
{
	struct client *c = find(s, conn);
	if (!c || !conn)
		return;
	LOGI(NULL, "client connection %u gone: %s", conn, reason);
	forget(s, c);
}

static void on_connect_client_req(struct session *s, struct client *c)
{
	const struct rspro_msg *m = &s->in;
	if (c->identified || !m->u.connect_client_req.has_client_slot) {
		LOGW(NULL, "conn %u: %s: illegalClientId", c->conn,
		     c->identified ? "second ConnectClientReq" : "ConnectClientReq without clientSlot");
		rspro_build_connect_client_res(&s->out, &s->ident, RSPRO_RES_ILLEGAL_CLIENT_ID);
		send_msg(s, c, &s->out);
		drop(s, c, "illegal ConnectClientReq");
		return;
	}
	const struct rspro_ident *id = &m->u.connect_client_req.identity;
	struct rspro_client_slot cs = m->u.connect_client_req.client_slot;
	if (s->active && s->active != c)
		drop(s, s->active, "replaced by a new connection of the mapped client");
	c->identified = 1;
	c->cs = cs;
	activate(s, c);
	s->st.reconnects++;	/* (client connections served; the first counts too) */
	LOGI(NULL, "conn %u: ConnectClientReq from %s \"%s\" %s %s", c->conn,
	     rspro_comp_type_name(id->type) ? rspro_comp_type_name(id->type) : "?", id->name, id->software,
	     id->sw_version);
	/* The bankmap binds a connection only after checking its mapping. */
	s->map_known = 1;
	s->map_none = 0;
	s->mapped = cs;
	char meta[48];
	int n = snprintf(meta, sizeof(meta), "C%ld:%ld", cs.client_id, cs.slot_nr);
	actor_set_meta(s->a, c->conn, meta, (size_t)n);
	card_tick(s->card, 1);
	int ok = card_state(s->card) == CS_OPEN;
	rspro_build_connect_client_res(&s->out, &s->ident, ok ? RSPRO_RES_OK : RSPRO_RES_CARD_NOT_PRESENT);
	if (send_msg(s, c, &s->out) < 0) {
		drop(s, c, "cannot send ConnectClientRes");
		return;
	}
	c->answered = 1;
	if (ok) {
		LOGI(NULL, "ConnectClientRes ok (reader '%s')", card_reader_name(s->card));
		send_atr(s, c);
	} else {
		LOGN(NULL, "ConnectClientRes cardNotPresent (card %s); connection kept, ATR follows when "
		     "the card is available", card_state_name(card_state(s->card)));
	}
}

static void on_tpdu(struct session *s, struct client *c)
{
	const struct rspro_msg *m = &s->in;
	size_t len = m->u.tpdu.len;
	LOGCI(LC_TPDU, NULL, "cmd %s", hex(m->u.tpdu.data, len));
	if (c != s->active) {
		drop(s, c, "TPDU before ConnectClientReq");
		return;
	}
	if (m->u.tpdu.client.client_id != c->cs.client_id || m->u.tpdu.client.slot_nr != c->cs.slot_nr ||
	    m->u.tpdu.bank.bank_id != s->bank.bank_id || m->u.tpdu.bank.slot_nr != s->bank.slot_nr) {
		LOGE(NULL, "TPDU for C%ld:%ld -> B%ld:%ld does not match this connection", m->u.tpdu.client.client_id,
		     m->u.tpdu.client.slot_nr, m->u.tpdu.bank.bank_id, m->u.tpdu.bank.slot_nr);
		drop(s, c, "TPDU slots do not match the connection");
		return;
	}
	if (len < READER_TPDU_MIN || len > READER_TPDU_MAX) {
		s->refused++;
		LOGE(NULL, "illegal TPDU length %zu (allowed %d..%d): refused, not passed to the reader", len,
		     READER_TPDU_MIN, READER_TPDU_MAX);
		drop(s, c, "illegal TPDU length");
		return;
	}
	if (card_state(s->card) != CS_OPEN) {
		LOGE(NULL, "TPDU while the card is not available (%s)", card_state_name(card_state(s->card)));
		drop(s, c, "TPDU without a card");
		return;
	}
	size_t rlen = sizeof(s->resp);
	s->in_transmit = 1;
	slotstat_tx(&s->st);
	int rc = card_transmit(s->card, m->u.tpdu.data, len, s->resp, &rlen);
	s->in_transmit = 0;
	if (rc < 0) {
		s->st.pending_us = 0;
		drop(s, c, "card transmission failed");
		return;
	}
	slotstat_rx(&s->st);
	s->tpdus++;
	rspro_build_tpdu_card_to_modem(&s->out, m->u.tpdu.bank, m->u.tpdu.client,
				       (struct rspro_tpdu_flags){ 0 }, s->resp, rlen);
	send_msg(s, c, &s->out);
	LOGCI(LC_TPDU, NULL, "rsp %s", hex(s->resp, rlen));
	gsmtap_apdu(s->gt, m->u.tpdu.data, len, s->resp, rlen);
}

static const char *tri(int v, const char *t, const char *f)
{
	return v < 0 ? "NULL" : v ? t : f;
}

static void on_slot_status(struct session *s, struct client *c)
{
	const struct rspro_phys_status *st = &s->in.u.slot_status.status;
	LOGI(NULL, "clientSlotStatusInd(RST=%s, VCC=%s, CLK=%s)", st->reset_active ? "ACTIVE" : "INACTIVE",
	     tri(st->vcc_present, "PRESENT", "ABSENT"), tri(st->clk_active, "ACTIVE", "INACTIVE"));
	int cold = st->vcc_present == 0 && c->last_vcc == 1;
	int warm = !cold && st->reset_active && !c->last_rst;
	if (st->vcc_present >= 0)
		c->last_vcc = st->vcc_present;
	c->last_rst = st->reset_active;
	if (!cold && !warm)
		return;
	if (c != s->active) {
		LOGW(NULL, "%s reset ignored: connection not identified", cold ? "cold" : "warm");
		return;
	}
	size_t olen, nlen;
	uint8_t old[READER_ATR_MAX];
	const uint8_t *cur = card_atr(s->card, &olen);
	memcpy(old, cur, olen);
	LOGI(NULL, "%s: %s reset", cold ? "VCC falling edge" : "RST rising edge", cold ? "cold" : "warm");
	if (card_reset(s->card, cold) < 0)
		return;
	s->st.resets++;
	const uint8_t *atr = card_atr(s->card, &nlen);
	if (nlen != olen || memcmp(atr, old, olen) != 0) {
		LOGN(NULL, "ATR changed by the reset");
		send_atr(s, c);
	}
}

void session_rspro(struct session *s, uint32_t conn, const uint8_t *der, size_t len)
{
	struct client *c = find(s, conn);
	if (!c || !conn) {
		LOGW(NULL, "PDU on unknown connection %u ignored", conn);
		return;
	}
	struct rspro_decode_info info;
	if (rspro_decode(der, len, &s->in, &info) != RSPRO_OK) {
		LOGE(NULL, "conn %u: undecodable RSPRO PDU: %s", conn, info.reason);
		drop(s, c, "undecodable RSPRO PDU");
		return;
	}
	if (s->in.version != RSPRO_VERSION) {	/* a protocol error, as an undecodable PDU */
		LOGE(NULL, "conn %u: %s with RSPRO version %ld (we speak %d), closing", conn,
		     rspro_msg_name(s->in.type), s->in.version, RSPRO_VERSION);
		drop(s, c, "unsupported RSPRO version");
		return;
	}
	LOGCD(LC_RSPRO, NULL, "Rx %s (conn %u, %zu octets)", rspro_msg_name(s->in.type), conn, len);
	switch (s->in.type) {
	case RSPRO_MSG_TPDU_MODEM_TO_CARD:
		on_tpdu(s, c);
		break;
	case RSPRO_MSG_CONNECT_CLIENT_REQ:
		on_connect_client_req(s, c);
		break;
	case RSPRO_MSG_CLIENT_SLOT_STATUS_IND:
		on_slot_status(s, c);
		break;
	case RSPRO_MSG_SET_ATR_RES:
		LOGD(NULL, "setAtrRes(%s)", rspro_result_name(s->in.u.res.result) ?
		     rspro_result_name(s->in.u.res.result) : "?");
		break;
	case RSPRO_MSG_ERROR_IND:
		LOGW(NULL, "errorInd from the client (code %ld, \"%s\") ignored", s->in.u.error_ind.code,
		     s->in.u.error_ind.error_string);
		break;
	default:
		LOGE(NULL, "conn %u: unexpected %s from a client", conn, rspro_msg_name(s->in.type));
		drop(s, c, "unexpected RSPRO message");
		break;
	}
}

/* --- bankmap ---------------------------------------------------------------------- */
static int same_slot(const struct rspro_client_slot *a, const struct rspro_client_slot *b)
{
	return a->client_id == b->client_id && a->slot_nr == b->slot_nr;
}

void session_mapping(struct session *s, const struct rspro_client_slot *client)
{
	s->map_known = 1;
	s->map_none = client == NULL;
	if (client)
		s->mapped = *client;
	s->told_ms = 0;		/* (bankmap may be new: tell it what we serve) */
	if (client)
		LOGI(NULL, "bankmap: C%ld:%ld is mapped to this slot", client->client_id, client->slot_nr);
	else
		LOGI(NULL, "bankmap: no client mapped to this slot");
	for (int i = 0; i < READER_MAX_CONNS; i++) {
		struct client *c = &s->cl[i];
		if (!c->conn || !c->identified || (client && same_slot(&c->cs, client)))
			continue;
		char why[96];
		snprintf(why, sizeof(why), "mapping of C%ld:%ld %s", c->cs.client_id, c->cs.slot_nr,
			 client ? "changed" : "removed");
		drop(s, c, why);
	}
	if (s->active && card_state(s->card) != CS_OPEN)
		card_tick(s->card, 1);
}

void session_reset_state(struct session *s)
{
	LOGN(NULL, "bankmap: reset state: closing every client connection");
	s->map_known = 0;
	for (int i = 0; i < READER_MAX_CONNS; i++)
		if (s->cl[i].conn)
			drop(s, &s->cl[i], "bankd state reset");
}

void session_tick(struct session *s)
{
	card_tick(s->card, s->active != NULL);
	served_report(s);
}

json_t *session_status(const struct session *s)
{
	size_t alen;
	const uint8_t *atr = card_atr(s->card, &alen);
	char bank[32], client[32] = "", mapped[32] = "", slot[48], mapped_c[48] = "";
	snprintf(bank, sizeof(bank), "%ld:%ld", s->bank.bank_id, s->bank.slot_nr);
	snprintf(slot, sizeof(slot), "B%ld:%ld", s->bank.bank_id, s->bank.slot_nr);
	if (s->active)
		snprintf(client, sizeof(client), "%ld:%ld", s->active->cs.client_id, s->active->cs.slot_nr);
	if (s->map_known && !s->map_none) {
		snprintf(mapped, sizeof(mapped), "%ld:%ld", s->mapped.client_id, s->mapped.slot_nr);
		snprintf(mapped_c, sizeof(mapped_c), "C%s", mapped);
	}
	const struct actor_conn *ac = s->active ? actor_conn_find(s->a, s->active->conn) : NULL;
	char state[64];
	snprintf(state, sizeof(state), "%s%s", card_state_name(card_state(s->card)),
		 s->active ? ", serving" : "");
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:s, s:s, s:s, s:s}",
			 "bank_slot", bank, "card", card_state_name(card_state(s->card)),
			 "reader", card_reader_name(s->card), "protocol", card_proto_name(s->card),
			 "atr", card_state(s->card) == CS_OPEN ? hex(atr, alen) : "",
			 "client", client, "mapped", mapped_c, "tpdus", (json_int_t)s->tpdus,
			 "refused", (json_int_t)s->refused, "resets_total", (json_int_t)s->st.resets,
			 "card_losses", (json_int_t)s->card_losses, "slot", slot, "state", state,
			 "peer", ac ? ac->peer : "", "client_slot", client);
	if (o)
		slotstat_json(&s->st, o);
	return o;
}
