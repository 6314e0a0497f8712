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

static void t1_stop(struct bankmap *bm)
{
	if (bm->t1_timer > 0)
		actor_timer_cancel(bm->a, bm->t1_timer);
	bm->t1_timer = 0;
}

static void t1_expired(struct actor *a, void *arg)
{
	(void)a;
	struct bankmap *bm = arg;
	bm->t1_timer = 0;
	if (bm->link != LINK_WAIT_RES || !bm->srv_conn)
		return;
	LOGW(NULL, "server link: no ConnectBankRes within %u ms, closing (the broker reconnects)", bm->t1_ms);
	actor_close(bm->a, bm->srv_conn, "no ConnectBankRes (T1)");
	bm->srv_conn = 0;
	set_state(bm, LINK_DOWN);
}

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
	LOGD(NULL, "server link: tx %s", rspro_summary(m, sum, sizeof(sum)));
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

void link_up(struct bankmap *bm, const struct actor_conn *c, int restored)
{
	t1_stop(bm);
	bm->srv_conn = c->id;
	if (restored && persist_decode(bm, c->meta, c->meta_len) == 0) {
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
	bm->link = LINK_DOWN;
	set_state(bm, LINK_WAIT_RES);
	send_connect_bank_req(bm);
	t1_start(bm);
	persist(bm);
}

void link_down(struct bankmap *bm, uint32_t conn, const char *reason)
{
	if (conn != bm->srv_conn)
		return;
	t1_stop(bm);
	bm->srv_conn = 0;
	LOGI(NULL, "server link down: %s (%zu mapping(s) kept)", reason, mt_count(bm));
	if (bm->link != LINK_STOPPED)
		set_state(bm, LINK_DOWN);
}

static void on_connect_bank_res(struct bankmap *bm, const struct rspro_msg *m)
{
	const struct rspro_ident *id = &m->u.connect_res.identity;
	const char *rn = rspro_result_name(m->u.connect_res.result);
	if (bm->link != LINK_WAIT_RES) {
		LOGW(NULL, "server link: unexpected ConnectBankRes in state %s, ignored", link_state_name(bm->link));
		return;
	}
	if (id->type != RSPRO_COMP_SERVER) {
		const char *tn = rspro_comp_type_name(id->type);
		LOGE(NULL, "server link: the peer at %s:%u is a %s (\"%s\"), not a remsim-server: wrong "
			   "IP/port (e.g. a bankd's or a client's port)? Giving up until restarted",
		     bm->server_host, bm->server_port, tn ? tn : "component of unknown type", id->software);
		t1_stop(bm);
		actor_cancel(bm->a, BM_SERVER_KEY);
		bm->srv_conn = 0;
		set_state(bm, LINK_STOPPED);
		return;
	}
	if (m->u.connect_res.result != RSPRO_RES_OK) {
		LOGW(NULL, "server link: ConnectBankRes %s%s(%ld) from \"%s\", closing (the broker reconnects)",
		     rn ? rn : "", rn ? " " : "", m->u.connect_res.result, id->name);
		t1_stop(bm);
		actor_close(bm->a, bm->srv_conn, "ConnectBankRes not ok");
		bm->srv_conn = 0;
		set_state(bm, LINK_DOWN);
		return;
	}
	t1_stop(bm);
	LOGI(NULL, "server link: connected to \"%s\" (%s %s)", id->name, id->software, id->sw_version);
	set_state(bm, LINK_CONNECTED);
	persist(bm);
}

static void answer(struct bankmap *bm, const struct rspro_msg *res)
{
	if (bm->link != LINK_CONNECTED) {
		LOGW(NULL, "server link: %s not sent (link %s)", rspro_msg_name(res->type), link_state_name(bm->link));
		return;
	}
	send_pdu(bm, res);
}

static void on_mapping(struct bankmap *bm, const struct rspro_msg *m)
{
	static struct rspro_msg res;
	long changed[2];
	int n;
	struct rspro_client_slot c = m->u.mapping.client;
	struct rspro_bank_slot b = m->u.mapping.bank;
	long rc;
	if (m->type == RSPRO_MSG_CREATE_MAPPING_REQ) {
		rc = mt_create(bm, c, b, changed, &n);
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

static void on_reset(struct bankmap *bm, const struct rspro_msg *m)
{
	static struct rspro_msg res;
	mt_reset(bm);
	persist(bm);
	rspro_build_reset_state_res(&res, RSPRO_RES_OK);
	res.tag = m->tag;
	answer(bm, &res);
	readers_tell_reset(bm);
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
	LOGD(NULL, "server link: rx %s", rspro_summary(&m, sum, sizeof(sum)));
	switch (m.type) {
	case RSPRO_MSG_CONNECT_BANK_RES:
		on_connect_bank_res(bm, &m);
		break;
	case RSPRO_MSG_CREATE_MAPPING_REQ:
	case RSPRO_MSG_REMOVE_MAPPING_REQ:
		on_mapping(bm, &m);
		break;
	case RSPRO_MSG_RESET_STATE_REQ:
		on_reset(bm, &m);
		break;
	default:
		LOGE(NULL, "server link: unsupported message %s ignored", rspro_msg_name(m.type));
		break;
	}
}
