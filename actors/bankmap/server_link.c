/* SPDX-License-Identifier: GPL-2.0-or-later */
/* server_link.c: the bankd's RSPRO link to the remsim-server (bankd.md §3,
 * client.md §3).  The broker owns TCP, IPA keep-alive and the reconnect
 * back-off of the outgoing connection "server"; this file runs what is
 * RSPRO on it.
 *
 * | state     | event                                  | action                                   | next      |
 * |-----------|----------------------------------------|------------------------------------------|-----------|
 * | DOWN      | UP (new connection)                    | send ConnectBankReq, start T1            | WAIT_RES  |
 * | WAIT_RES  | ConnectBankRes, identity not a server  | log (IP/port mix-up?), CANCEL the link   | STOPPED   |
 * | WAIT_RES  | ConnectBankRes ok                      | stop T1                                  | CONNECTED |
 * | WAIT_RES  | ConnectBankRes not ok                  | CLOSE (the broker reconnects, back-off)  | DOWN      |
 * | WAIT_RES  | T1 expires (no answer)                 | CLOSE (the broker reconnects, back-off)  | DOWN      |
 * | any       | DOWN of the connection                 | stop T1; mappings are kept               | DOWN      |
 * | WAIT_RES, | Create/RemoveMappingReq, ResetStateReq | apply (maptable.c), tell readers, answer | same      |
 * | CONNECTED |                                        | (answers are sent only when CONNECTED)   |           |
 * | STOPPED   | anything                               | nothing until bankmap is restarted       | STOPPED   |
 *
 * On CONNECTED the kept mappings wait to be sent again (reconcile.c).
 *
 * The code is the same table: link_fsm[state][event] below.
 * The table and the state go into the connection's META after every change,
 * so a restarted bankmap resumes on the same connection (persist.c). */
#include <string.h>

#include "bankmap.h"
#include "log.h"

const char *link_state_name(enum bm_link_state s)
{
	static const char *const n[] = { "down", "wait-connect-res", "connected", "stopped" };
	return (unsigned)s < 4 ? n[s] : "?";
}

static void set_state(struct bankmap *bm, enum bm_link_state s)
{
	if (bm->link != s)
		LOGI(NULL, "server link: %s -> %s", link_state_name(bm->link), link_state_name(s));
	bm->link = s;
}

static void persist(struct bankmap *bm)
{
	uint8_t buf[ENV_META_MAX];
	bool cut;
	static bool warned;
	if (!bm->srv_conn)
		return;
	size_t n = persist_encode(bm, buf, sizeof(buf), &cut);
	if (cut && !warned) {
		LOGW(NULL, "mapping table larger than the connection metadata: a restart of bankmap "
			   "keeps only part of it (the server re-sends the rest after a reconnect)");
		warned = true;
	}
	actor_set_meta(bm->a, bm->srv_conn, buf, n);
}

void link_persist(struct bankmap *bm)
{
	persist(bm);
}

static void t1_stop(struct bankmap *bm)
{
	if (bm->t1_timer > 0)
		actor_timer_cancel(bm->a, bm->t1_timer);
	bm->t1_timer = 0;
}

static void link_event(struct bankmap *bm, int ev, const struct rspro_msg *m);

static void t1_expired(struct actor *a, void *arg);

static void t1_start(struct bankmap *bm)
{
	t1_stop(bm);
	bm->t1_timer = actor_timer_add(bm->a, bm->t1_ms, 1, t1_expired, bm);
}

static void send_pdu(struct bankmap *bm, const struct rspro_msg *m)
{
	uint8_t der[RSPRO_PDU_MAX];
	char sum[256];
	int n = rspro_encode(m, der, sizeof(der));
	if (n < 0) {
		LOGE(NULL, "cannot encode %s: %s", rspro_msg_name(m->type), rspro_strerror(n));
		return;
	}
	LOGCD(LC_RSPRO, NULL, "server link: Tx %s", rspro_summary(m, sum, sizeof(sum)));
	if (actor_send_rspro(bm->a, bm->srv_conn, der, (size_t)n) < 0)
		LOGW(NULL, "server link: %s dropped (hub queue full)", rspro_msg_name(m->type));
}

static void send_connect_bank_req(struct bankmap *bm)
{
	struct rspro_ident id;
	static struct rspro_msg m;
	rspro_ident_set(&id, RSPRO_COMP_BANKD, bm->name, BANKD_SOFTWARE, BANKD_SW_VERSION);
	rspro_build_connect_bank_req(&m, &id, bm->bank_id, bm->num_slots);
	send_pdu(bm, &m);
	LOGI(NULL, "server link: ConnectBankReq sent (bank %ld, %ld slots, name \"%s\")",
	     bm->bank_id, bm->num_slots, bm->name);
}

/* ---- events and their handlers ------------------------------------------------ */

enum link_event {
	LE_UP,			/* a new connection to the server */
	LE_DOWN,		/* the connection is gone */
	LE_RES_OK,		/* ConnectBankRes ok from a server */
	LE_RES_REFUSED,		/* ConnectBankRes with another result */
	LE_RES_NOT_SERVER,	/* ConnectBankRes from something that is not a server */
	LE_T1,			/* no ConnectBankRes in time */
	LE_MAPPING,		/* CreateMappingReq / RemoveMappingReq */
	LE_RESET,		/* ResetStateReq */
	LE__COUNT
};

static const char *const event_names[LE__COUNT] = {
	"connection up", "connection down", "ConnectBankRes ok", "ConnectBankRes refused",
	"ConnectBankRes from a non-server", "T1 expiry", "mapping request", "ResetStateReq",
};

typedef void link_fn(struct bankmap *bm, const struct rspro_msg *m);

static void h_connect(struct bankmap *bm, const struct rspro_msg *m)
{
	(void)m;
	set_state(bm, LINK_WAIT_RES);
	send_connect_bank_req(bm);
	t1_start(bm);
	persist(bm);
}

static void h_down(struct bankmap *bm, const struct rspro_msg *m)
{
	(void)m;
	t1_stop(bm);
	bm->srv_conn = 0;
	set_state(bm, LINK_DOWN);
}

static void h_connected(struct bankmap *bm, const struct rspro_msg *m)
{
	const struct rspro_ident *id = &m->u.connect_res.identity;
	t1_stop(bm);
	LOGI(NULL, "server link: connected to \"%s\" (%s %s)", id->name, id->software, id->sw_version);
	set_state(bm, LINK_CONNECTED);
	persist(bm);
	reconcile_start(bm);
}

static void h_refused(struct bankmap *bm, const struct rspro_msg *m)
{
	const char *rn = rspro_result_name(m->u.connect_res.result);
	LOGW(NULL, "server link: ConnectBankRes %s%s(%ld) from \"%s\", closing (the broker reconnects)",
	     rn ? rn : "", rn ? " " : "", m->u.connect_res.result, m->u.connect_res.identity.name);
	actor_close(bm->a, bm->srv_conn, "ConnectBankRes not ok");
	h_down(bm, m);
}

static void h_not_server(struct bankmap *bm, const struct rspro_msg *m)
{
	const struct rspro_ident *id = &m->u.connect_res.identity;
	const char *tn = rspro_comp_type_name(id->type);
	LOGE(NULL, "server link: the peer at %s:%u is a %s (\"%s\"), not a remsim-server: wrong "
		   "IP/port (e.g. a bankd's or a client's port)? Giving up until restarted",
	     bm->server_host, bm->server_port, tn ? tn : "component of unknown type", id->software);
	t1_stop(bm);
	actor_cancel(bm->a, BM_SERVER_KEY);
	bm->srv_conn = 0;
	set_state(bm, LINK_STOPPED);
}

static void h_t1(struct bankmap *bm, const struct rspro_msg *m)
{
	LOGW(NULL, "server link: no ConnectBankRes within %u ms, closing (the broker reconnects)", bm->t1_ms);
	actor_close(bm->a, bm->srv_conn, "no ConnectBankRes (T1)");
	h_down(bm, m);
}

/* answers go out only on a CONNECTED link */
static void answer(struct bankmap *bm, const struct rspro_msg *res)
{
	if (bm->link != LINK_CONNECTED) {
		LOGW(NULL, "server link: %s not sent (link %s)", rspro_msg_name(res->type), link_state_name(bm->link));
		return;
	}
	send_pdu(bm, res);
}

static void h_mapping(struct bankmap *bm, const struct rspro_msg *m)
{
	static struct rspro_msg res;
	long changed[2];
	int n;
	struct rspro_client_slot c = m->u.mapping.client;
	struct rspro_bank_slot b = m->u.mapping.bank;
	long rc;
	if (m->type == RSPRO_MSG_CREATE_MAPPING_REQ) {
		rc = mt_create(bm, c, b, changed, &n);
		if (rc == RSPRO_RES_OK)
			reconcile_confirm(bm, b.slot_nr);
		rspro_build_create_mapping_res(&res, rc);
	} else {
		rc = mt_remove(bm, c, b, changed, &n);
		rspro_build_remove_mapping_res(&res, rc);
	}
	res.tag = m->tag;
	if (n)
		persist(bm);
	answer(bm, &res);
	for (int i = 0; i < n; i++)
		readers_tell_mapping(bm, changed[i]);
	if (n && m->type == RSPRO_MSG_CREATE_MAPPING_REQ)
		clients_mapped(bm, c, b.slot_nr);
}

static void h_reset(struct bankmap *bm, const struct rspro_msg *m)
{
	static struct rspro_msg res;
	mt_reset(bm);
	persist(bm);
	rspro_build_reset_state_res(&res, RSPRO_RES_OK);
	res.tag = m->tag;
	answer(bm, &res);
	readers_tell_reset(bm);
}

/* The server link, state x event.  NULL: not expected there, logged and
 * ignored.  STOPPED (the peer was not a server) ignores everything until
 * bankmap is restarted; its connection was cancelled. */
static link_fn *const link_fsm[LINK_STOPPED + 1][LE__COUNT] = {
	[LINK_DOWN] = {
		[LE_UP] = h_connect,
	},
	[LINK_WAIT_RES] = {
		[LE_UP] = h_connect, [LE_DOWN] = h_down, [LE_RES_OK] = h_connected,
		[LE_RES_REFUSED] = h_refused, [LE_RES_NOT_SERVER] = h_not_server, [LE_T1] = h_t1,
		[LE_MAPPING] = h_mapping, [LE_RESET] = h_reset,
	},
	[LINK_CONNECTED] = {
		[LE_UP] = h_connect, [LE_DOWN] = h_down, [LE_MAPPING] = h_mapping, [LE_RESET] = h_reset,
	},
	[LINK_STOPPED] = { 0 },
};

static void link_event(struct bankmap *bm, int ev, const struct rspro_msg *m)
{
	link_fn *fn = link_fsm[bm->link][ev];
	if (!fn) {
		if (bm->link != LINK_STOPPED)
			LOGW(NULL, "server link: %s unexpected in state %s, ignored", event_names[ev],
			     link_state_name(bm->link));
		return;
	}
	fn(bm, m);
}

static void t1_expired(struct actor *a, void *arg)
{
	(void)a;
	struct bankmap *bm = arg;
	bm->t1_timer = 0;
	if (bm->srv_conn)
		link_event(bm, LE_T1, NULL);
}

/* ---- entry points from the actor ---------------------------------------------- */

void link_up(struct bankmap *bm, const struct actor_conn *c, int restored)
{
	t1_stop(bm);
	bm->srv_conn = c->id;
	if (restored && persist_decode(bm, c->meta, c->meta_len) == 0) {
		/* a restarted bankmap resumes where it was (not an FSM event) */
		LOGI(NULL, "server link %s restored (%s) with %zu mapping(s)", c->peer,
		     link_state_name(bm->link), mt_count(bm));
		if (bm->link == LINK_WAIT_RES)
			t1_start(bm);
		readers_tell_all(bm);
		for (long i = 0; i < bm->num_slots; i++)	/* parked ones restored before us */
			if (bm->map[i].used)
				clients_mapped(bm, bm->map[i].client, i);
		return;
	}
	LOGI(NULL, "server link up: %s", c->peer);
	if (bm->link == LINK_STOPPED)
		bm->link = LINK_DOWN;	/* a fresh connection after a restart of bankmap */
	link_event(bm, LE_UP, NULL);
}

void link_down(struct bankmap *bm, uint32_t conn, const char *reason)
{
	if (conn != bm->srv_conn)
		return;
	LOGI(NULL, "server link down: %s (%zu mapping(s) kept)", reason, mt_count(bm));
	link_event(bm, LE_DOWN, NULL);
}

void link_rspro(struct bankmap *bm, uint32_t conn, const uint8_t *der, size_t len)
{
	static struct rspro_msg m;
	struct rspro_decode_info info;
	char sum[256];
	if (conn != bm->srv_conn || bm->link == LINK_STOPPED)
		return;
	if (rspro_decode(der, len, &m, &info) != RSPRO_OK) {
		LOGW(NULL, "server link: undecodable PDU dropped: %s", info.reason);
		return;
	}
	LOGCD(LC_RSPRO, NULL, "server link: Rx %s", rspro_summary(&m, sum, sizeof(sum)));
	switch (m.type) {
	case RSPRO_MSG_CONNECT_BANK_RES:
		link_event(bm, m.u.connect_res.identity.type != RSPRO_COMP_SERVER ? LE_RES_NOT_SERVER
			       : m.u.connect_res.result == RSPRO_RES_OK ? LE_RES_OK : LE_RES_REFUSED, &m);
		break;
	case RSPRO_MSG_CREATE_MAPPING_REQ:
	case RSPRO_MSG_REMOVE_MAPPING_REQ:
		link_event(bm, LE_MAPPING, &m);
		break;
	case RSPRO_MSG_RESET_STATE_REQ:
		link_event(bm, LE_RESET, &m);
		break;
	default:
		LOGE(NULL, "server link: unsupported message %s ignored", rspro_msg_name(m.type));
		break;
	}
}
