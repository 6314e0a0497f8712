/* SPDX-License-Identifier: GPL-2.0-or-later */
/* conn_fsm.c: the per-connection SERVER_CONN state machine (osmo-remsim's
 * server, docs/server.md) as a table state x event -> handler.  An empty cell means "event
 * not allowed in this state": logged and ignored, the connection is kept.
 * Handlers return the state the connection is in afterwards, or SC_CLOSED
 * when they closed (and freed) it.  Per-state timers are in state_timer_ms().
 *
 *   ESTABLISHED       ConnectClientReq -> CONNECTED_CLIENT | REJECTED | closed
 *                     ConnectBankReq   -> CONNECTED_BANKD  | REJECTED | closed
 *                     RSPRO version != 2: Connect*Res unsupportedProtocolVersion -> REJECTED
 *   CONNECTED_*       RSPRO version != 2: logged, dropped
 *                     timer (10 s)     -> closed
 *   CONNECTED_CLIENT  (ConfigClientBankRes ignored)
 *   CONNECTED_BANKD   CreateMappingRes / RemoveMappingRes -> slotmap core
 *   REJECTED          every message ignored; timer (1 s) -> closed
 *   any               TCP gone -> bank maps back to NEW / client forgotten */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "mapstore.h"

typedef enum sc_state (*sc_fn)(struct mapstore *ms, struct sconn *c, const struct rspro_msg *m);

static const char *const state_names[SC__NUM] = {
	[SC_ESTABLISHED] = "ESTABLISHED",
	[SC_CONNECTED_CLIENT] = "CONNECTED_CLIENT",
	[SC_CONNECTED_BANKD] = "CONNECTED_BANKD",
	[SC_REJECTED] = "REJECTED",
};
static const char *const event_names[SCE__NUM] = {
	[SCE_CONNECT_CLIENT] = "connectClientReq", [SCE_CONNECT_BANK] = "connectBankReq",
	[SCE_CREATE_RES] = "createMappingRes", [SCE_REMOVE_RES] = "removeMappingRes",
	[SCE_CONFIG_BANK_RES] = "configClientBankRes", [SCE_OTHER] = "other message",
	[SCE_BAD_VERSION] = "unsupported RSPRO version",
	[SCE_TIMER] = "timer", [SCE_DOWN] = "connection down",
};

const char *sc_state_name(enum sc_state s)
{
	return (unsigned)s < SC__NUM ? state_names[s] : "CLOSED";
}

static unsigned state_timer_ms(const struct mapstore *ms, enum sc_state s)
{
	switch (s) {
	case SC_ESTABLISHED: return ms->cf.identify_timeout_ms;
	case SC_REJECTED: return ms->cf.reject_linger_ms;
	default: return 0;
	}
}

static void timer_cb(struct actor *a, void *arg);

static void enter(struct mapstore *ms, struct sconn *c, enum sc_state st)
{
	if (c->timer > 0)
		actor_timer_cancel(ms->a, c->timer);
	c->timer = 0;
	if (c->st != st)
		LOGD(c->name, "%s -> %s", state_names[c->st], state_names[st]);
	c->st = st;
	unsigned t = state_timer_ms(ms, st);
	if (t)
		c->timer = actor_timer_add(ms->a, t, 1, timer_cb, (void *)(uintptr_t)c->id);
	if (st == SC_REJECTED)
		meta_store(ms, c);
}

/* Close a connection that holds no slotmap state (not identified). */
static enum sc_state close_conn(struct mapstore *ms, struct sconn *c, const char *reason)
{
	LOGI(c->name, "closing connection: %s", reason);
	actor_close(ms->a, c->id, reason);
	if (c->timer > 0)
		actor_timer_cancel(ms->a, c->timer);
	if (c->st == SC_CONNECTED_CLIENT || c->st == SC_CONNECTED_BANKD)
		c->st = SC_ESTABLISHED;	/* callers close only unindexed conns */
	ct_del(ms->ct, c->id);
	return SC_CLOSED;
}

/* ---- handlers ------------------------------------------------------------ */

static enum sc_state ignore(struct mapstore *ms, struct sconn *c, const struct rspro_msg *m)
{
	(void)ms;
	LOGD(c->name, "%s ignored in state %s", rspro_msg_name(m->type), state_names[c->st]);
	return c->st;
}

static enum sc_state unhandled(struct mapstore *ms, struct sconn *c, const struct rspro_msg *m)
{
	ms->rx_unhandled++;
	LOGE(c->name, "%s: message type not handled, ignored", rspro_msg_name(m->type));
	return c->st;
}

static enum sc_state identify_timeout(struct mapstore *ms, struct sconn *c, const struct rspro_msg *m)
{
	(void)m;
	LOGN(c->name, "no ConnectClientReq/ConnectBankReq within %u ms",
	     ms->cf.identify_timeout_ms);
	return close_conn(ms, c, "identification timeout");
}

static enum sc_state linger_over(struct mapstore *ms, struct sconn *c, const struct rspro_msg *m)
{
	(void)m;
	return close_conn(ms, c, "identity in use");
}

static enum sc_state forget(struct mapstore *ms, struct sconn *c, const struct rspro_msg *m)
{
	(void)m;
	if (c->timer > 0)
		actor_timer_cancel(ms->a, c->timer);
	ct_del(ms->ct, c->id);
	return SC_CLOSED;
}

static enum sc_state client_down(struct mapstore *ms, struct sconn *c, const struct rspro_msg *m)
{
	slotmap_client_down(ms->t, c->client);
	return forget(ms, c, m);
}

static enum sc_state bank_down(struct mapstore *ms, struct sconn *c, const struct rspro_msg *m)
{
	slotmap_bank_down(ms->t, c->bank_id, &ms->acts);
	ms_run_actions(ms);
	return forget(ms, c, m);
}

static void reply_connect(struct mapstore *ms, struct sconn *c, enum rspro_msg_type type, long result)
{
	struct rspro_ident self;
	struct rspro_msg res;
	rspro_ident_set(&self, RSPRO_COMP_SERVER, ms->cf.name, MS_SOFTWARE, PACKAGE_VERSION);
	if (type == RSPRO_MSG_CONNECT_CLIENT_RES)
		rspro_build_connect_client_res(&res, &self, result);	/* tag 2342 */
	else
		rspro_build_connect_bank_res(&res, &self, result);
	ms_send(ms, c, &res);
}

static enum sc_state bad_version(struct mapstore *ms, struct sconn *c, const struct rspro_msg *m)
{
	LOGN(c->name, "%s with RSPRO version %ld (we speak %d): %s", rspro_msg_name(m->type), m->version,
	     RSPRO_VERSION, c->st == SC_ESTABLISHED ? "rejected" : "dropped");
	if (c->st != SC_ESTABLISHED)
		return c->st;
	if (m->type == RSPRO_MSG_CONNECT_CLIENT_REQ)
		reply_connect(ms, c, RSPRO_MSG_CONNECT_CLIENT_RES, RSPRO_RES_UNSUPPORTED_PROTOCOL_VERSION);
	else if (m->type == RSPRO_MSG_CONNECT_BANK_REQ)
		reply_connect(ms, c, RSPRO_MSG_CONNECT_BANK_RES, RSPRO_RES_UNSUPPORTED_PROTOCOL_VERSION);
	else
		return c->st;	/* not identified yet: the identify timer still runs */
	enter(ms, c, SC_REJECTED);
	return SC_REJECTED;
}

static const char *type_name(long type)
{
	const char *n = rspro_comp_type_name(type);
	return n ? n : "unknown";
}

static enum sc_state est_connect_client(struct mapstore *ms, struct sconn *c, const struct rspro_msg *m)
{
	const __typeof__(m->u.connect_client_req) *r = &m->u.connect_client_req;
	ms_ident_from_rspro(&c->ident, &r->identity);
	c->has_ident = true;
	if (r->has_client_slot)	/* for the log lines */
		snprintf(c->name, sizeof(c->name), "C%u:%u", (uint16_t)r->client_slot.client_id,
			 (uint16_t)r->client_slot.slot_nr);
	if (r->identity.type != RSPRO_COMP_CLIENT) {
		LOGN(c->name, "connectClientReq from a %s (\"%s\"): wrong identity type",
		     type_name(r->identity.type), c->ident.name);
		return close_conn(ms, c, "connectClientReq identity is not a client");
	}
	if (!r->has_client_slot) {
		LOGN(c->name, "connectClientReq without clientSlot (client ids are not assigned "
			      "by the server)");
		return close_conn(ms, c, "connectClientReq without clientSlot");
	}
	c->client.id = (uint16_t)r->client_slot.client_id;
	c->client.nr = (uint16_t)r->client_slot.slot_nr;
	snprintf(c->name, sizeof(c->name), "C%u:%u", c->client.id, c->client.nr);
	struct sconn *old = ct_client(ms->ct, c->client);
	if (old) {
		LOGN(c->name, "identity in use (conn %u from %s stays); rejecting conn %u from %s",
		     old->id, old->peer, c->id, c->peer);
		reply_connect(ms, c, RSPRO_MSG_CONNECT_CLIENT_RES, RSPRO_RES_IDENTITY_IN_USE);
		enter(ms, c, SC_REJECTED);
		return SC_REJECTED;
	}
	enter(ms, c, SC_CONNECTED_CLIENT);
	ct_index_client(ms->ct, c);
	meta_store(ms, c);
	reply_connect(ms, c, RSPRO_MSG_CONNECT_CLIENT_RES, RSPRO_RES_OK);
	LOGI(c->name, "client connected from %s: \"%s\" %s %s", c->peer, c->ident.name,
	     c->ident.software, c->ident.sw_version);
	slotmap_client_up(ms->t, c->client, &ms->acts);
	ms_run_actions(ms);
	return SC_CONNECTED_CLIENT;
}

static enum sc_state est_connect_bank(struct mapstore *ms, struct sconn *c, const struct rspro_msg *m)
{
	const __typeof__(m->u.connect_bank_req) *r = &m->u.connect_bank_req;
	ms_ident_from_rspro(&c->ident, &r->identity);
	c->has_ident = true;
	snprintf(c->name, sizeof(c->name), "B%u", (uint16_t)r->bank_id);
	if (r->identity.type != RSPRO_COMP_BANKD) {
		LOGN(c->name, "connectBankReq from a %s (\"%s\"): wrong identity type",
		     type_name(r->identity.type), c->ident.name);
		return close_conn(ms, c, "connectBankReq identity is not a bankd");
	}
	c->bank_id = (uint16_t)r->bank_id;
	c->num_slots = r->num_slots;
	snprintf(c->name, sizeof(c->name), "B%u", c->bank_id);
	if ((c->ipv4 >> 24) == 127)
		LOGN(c->name, "bankd connects from %s: clients can only reach it if they run on "
			      "this host too", c->peer);
	else if (!c->ipv4)
		LOGW(c->name, "bankd address %s is not IPv4: clients are told 0.0.0.0", c->peer);
	struct sconn *old = ct_bank(ms->ct, c->bank_id);
	if (old) {
		LOGN(c->name, "identity in use (conn %u from %s stays); rejecting conn %u from %s",
		     old->id, old->peer, c->id, c->peer);
		reply_connect(ms, c, RSPRO_MSG_CONNECT_BANK_RES, RSPRO_RES_IDENTITY_IN_USE);
		enter(ms, c, SC_REJECTED);
		return SC_REJECTED;
	}
	enter(ms, c, SC_CONNECTED_BANKD);
	ct_index_bank(ms->ct, c);
	meta_store(ms, c);
	reply_connect(ms, c, RSPRO_MSG_CONNECT_BANK_RES, RSPRO_RES_OK);
	LOGI(c->name, "bankd connected from %s: \"%s\" %s %s, %ld slots", c->peer, c->ident.name,
	     c->ident.software, c->ident.sw_version, c->num_slots);
	slotmap_bank_up(ms->t, c->bank_id, c->ipv4, ms->cf.bankd_port, &ms->acts);
	ms_run_actions(ms);
	return SC_CONNECTED_BANKD;
}

static enum sc_state bank_create_res(struct mapstore *ms, struct sconn *c, const struct rspro_msg *m)
{
	LOGD(c->name, "createMappingRes result %ld", m->u.res.result);
	if (slotmap_create_res(ms->t, c->bank_id, (int)m->u.res.result, &ms->acts) == SM_ERR_UNSOLICITED) {
		ms->unsolicited++;
		LOGN(c->name, "unsolicited createMappingRes ignored");
	}
	ms_run_actions_soon(ms);	/* group commit: bankds answer in bursts */
	return c->st;
}

static enum sc_state bank_remove_res(struct mapstore *ms, struct sconn *c, const struct rspro_msg *m)
{
	LOGD(c->name, "removeMappingRes result %ld", m->u.res.result);
	if (slotmap_remove_res(ms->t, c->bank_id, (int)m->u.res.result, &ms->acts) == SM_ERR_UNSOLICITED) {
		ms->unsolicited++;
		LOGN(c->name, "unsolicited removeMappingRes ignored");
	}
	ms_run_actions_soon(ms);	/* group commit: bankds answer in bursts */
	return c->st;
}

/* ---- the table ------------------------------------------------------------ */

static const sc_fn fsm[SC__NUM][SCE__NUM] = {
	[SC_ESTABLISHED] = {
		[SCE_CONNECT_CLIENT] = est_connect_client,
		[SCE_CONNECT_BANK] = est_connect_bank,
		[SCE_CONFIG_BANK_RES] = ignore,
		[SCE_OTHER] = unhandled,
		[SCE_BAD_VERSION] = bad_version,
		[SCE_TIMER] = identify_timeout,
		[SCE_DOWN] = forget,
	},
	[SC_CONNECTED_CLIENT] = {
		[SCE_CONFIG_BANK_RES] = ignore,
		[SCE_OTHER] = unhandled,
		[SCE_BAD_VERSION] = bad_version,
		[SCE_DOWN] = client_down,
	},
	[SC_CONNECTED_BANKD] = {
		[SCE_CREATE_RES] = bank_create_res,
		[SCE_REMOVE_RES] = bank_remove_res,
		[SCE_CONFIG_BANK_RES] = ignore,
		[SCE_OTHER] = unhandled,
		[SCE_BAD_VERSION] = bad_version,
		[SCE_DOWN] = bank_down,
	},
	[SC_REJECTED] = {
		[SCE_CONNECT_CLIENT] = ignore,
		[SCE_CONNECT_BANK] = ignore,
		[SCE_CREATE_RES] = ignore,
		[SCE_REMOVE_RES] = ignore,
		[SCE_CONFIG_BANK_RES] = ignore,
		[SCE_OTHER] = ignore,
		[SCE_BAD_VERSION] = ignore,
		[SCE_TIMER] = linger_over,
		[SCE_DOWN] = forget,
	},
};

static void dispatch(struct mapstore *ms, struct sconn *c, enum sc_event ev, const struct rspro_msg *m)
{
	sc_fn fn = fsm[c->st][ev];
	if (!fn) {
		LOGN(c->name, "%s not allowed in state %s, ignored",
		     m ? rspro_msg_name(m->type) : event_names[ev], state_names[c->st]);
		return;
	}
	fn(ms, c, m);
}

static enum sc_event event_of(enum rspro_msg_type t)
{
	switch (t) {
	case RSPRO_MSG_CONNECT_CLIENT_REQ: return SCE_CONNECT_CLIENT;
	case RSPRO_MSG_CONNECT_BANK_REQ: return SCE_CONNECT_BANK;
	case RSPRO_MSG_CREATE_MAPPING_RES: return SCE_CREATE_RES;
	case RSPRO_MSG_REMOVE_MAPPING_RES: return SCE_REMOVE_RES;
	case RSPRO_MSG_CONFIG_CLIENT_BANK_RES: return SCE_CONFIG_BANK_RES;
	default: return SCE_OTHER;
	}
}

static void timer_cb(struct actor *a, void *arg)
{
	(void)a;
	struct mapstore *ms = ms_self;
	struct sconn *c = ct_get(ms->ct, (uint32_t)(uintptr_t)arg);
	if (!c)
		return;
	c->timer = 0;
	sc_restore_flush(ms);
	dispatch(ms, c, SCE_TIMER, NULL);
}

/* ---- entry points ------------------------------------------------------------ */

/* IPv4 of "a.b.c.d:port" or "[::ffff:a.b.c.d]:port", host order; 0 otherwise. */
static uint32_t peer_ipv4(const char *peer)
{
	char host[ENV_PEER_MAX];
	const char *p = peer;
	if (*p == '[') {
		p++;
		if (strncasecmp(p, "::ffff:", 7) != 0)
			return 0;
		p += 7;
	}
	size_t n = strcspn(p, "]:");
	if (n >= sizeof(host))
		return 0;
	memcpy(host, p, n);
	host[n] = '\0';
	struct in_addr in;
	return inet_pton(AF_INET, host, &in) == 1 ? ntohl(in.s_addr) : 0;
}

void sc_up(struct mapstore *ms, const struct actor_conn *ac, int restored)
{
	struct sconn *c = ct_get(ms->ct, ac->id);
	if (c) {	/* the broker re-announced one we hold: keep our state */
		LOGD(c->name, "conn %u announced again", ac->id);
		return;
	}
	if (!(c = ct_add(ms->ct, ac->id))) {
		LOGE(NULL, "out of memory: closing conn %u from %s", ac->id, ac->peer);
		actor_close(ms->a, ac->id, "out of memory");
		return;
	}
	snprintf(c->peer, sizeof(c->peer), "%s", ac->peer);
	snprintf(c->name, sizeof(c->name), "%s", ac->peer);
	c->ipv4 = peer_ipv4(ac->peer);
	c->st = SC_ESTABLISHED;
	if (restored && meta_load(c, ac->meta, ac->meta_len) == 0) {
		if (c->st == SC_REJECTED) {
			close_conn(ms, c, "identity in use");
			return;
		}
		bool dup = c->st == SC_CONNECTED_CLIENT ? ct_client(ms->ct, c->client) != NULL
							: ct_bank(ms->ct, c->bank_id) != NULL;
		if (dup) {
			close_conn(ms, c, "identity in use (restored twice)");
			return;
		}
		if (c->st == SC_CONNECTED_CLIENT)
			ct_index_client(ms->ct, c);
		else
			ct_index_bank(ms->ct, c);
		c->restore_pending = true;
		ms->restore_pending = true;
		LOGI(c->name, "restored connection %u from %s (%s)", c->id, c->peer, state_names[c->st]);
		return;
	}
	enter(ms, c, SC_ESTABLISHED);
	LOGI(c->name, "%s connection %u", restored ? "restored unidentified" : "new", c->id);
}

void sc_rspro(struct mapstore *ms, uint32_t conn, const uint8_t *der, size_t len)
{
	struct sconn *c = ct_get(ms->ct, conn);
	if (!c) {
		LOGD(NULL, "PDU on conn %u which is not ours (closed), dropped", conn);
		return;
	}
	static struct rspro_msg m;
	struct rspro_decode_info info;
	int rc = rspro_decode(der, len, &m, &info);
	if (rc != RSPRO_OK) {
		ms->rx_undecodable++;
		LOGE(c->name, "undecodable RSPRO PDU (%zu octets) dropped: %s", len,
		     info.reason[0] ? info.reason : rspro_strerror(rc));
		return;
	}
	char text[512];
	LOGCD(LC_RSPRO, c->name, "Rx %s", rspro_summary(&m, text, sizeof(text)));
	dispatch(ms, c, m.version == RSPRO_VERSION ? event_of(m.type) : SCE_BAD_VERSION, &m);
}

void sc_down(struct mapstore *ms, uint32_t conn, const char *reason)
{
	struct sconn *c = ct_get(ms->ct, conn);
	if (!c)
		return;
	LOGI(c->name, "connection %u gone (%s): %s", conn, state_names[c->st], reason);
	dispatch(ms, c, SCE_DOWN, NULL);
}

/* Drop the ConfigClientBankReq (and its history row) that would repeat what
 * the restored client was last told, so a mapstore restart does not disturb
 * it (osmo-remsim clients reset the modem on every ConfigClientBankReq). */
static void drop_repeats(struct mapstore *ms)
{
	struct sm_actions *l = &ms->acts;
	size_t w = 0;
	for (size_t i = 0; i < l->n; i++) {
		const struct sm_action *x = &l->v[i];
		if (x->type == SM_ACT_CONFIG_CLIENT) {
			const struct sconn *c = ct_client(ms->ct, x->client);
			if (c && c->cfg_sent && c->cfg_bank.id == x->bank.id && c->cfg_bank.nr == x->bank.nr &&
			    c->cfg_ipv4 == x->ipv4 && c->cfg_port == x->port) {
				LOGI(c->name, "still configured for B%u:%u, nothing re-sent", x->bank.id,
				     x->bank.nr);
				if (i + 1 < l->n && l->v[i + 1].type == SM_ACT_HISTORY &&
				    l->v[i + 1].map_id == x->map_id &&
				    (l->v[i + 1].hist == SM_H_ACTIVATED || l->v[i + 1].hist == SM_H_RELEASED))
					i++;
				continue;
			}
		}
		l->v[w++] = *x;
	}
	l->n = w;
}

void sc_restore_flush(struct mapstore *ms)
{
	if (!ms->restore_pending)
		return;
	ms->restore_pending = false;
	struct sconn **v;
	size_t n = ct_list(ms->ct, SC_CONNECTED_BANKD, &v);
	for (size_t i = 0; i < n; i++) {
		if (!v[i]->restore_pending)
			continue;
		v[i]->restore_pending = false;
		slotmap_bank_up(ms->t, v[i]->bank_id, v[i]->ipv4, ms->cf.bankd_port, &ms->acts);
		ms_run_actions(ms);
	}
	free(v);
	n = ct_list(ms->ct, SC_CONNECTED_CLIENT, &v);
	for (size_t i = 0; i < n; i++) {
		if (!v[i]->restore_pending)
			continue;
		v[i]->restore_pending = false;
		slotmap_client_up(ms->t, v[i]->client, &ms->acts);
		drop_repeats(ms);
		ms_run_actions(ms);
	}
	free(v);
}
