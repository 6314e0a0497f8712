/* SPDX-License-Identifier: GPL-2.0-or-later */
/* actions.c: executes the action lists of common/mapping/slotmap.h in the order
 * the protocol requires: (1) mapdb_apply() - every storage action in one
 * committed, fsynced transaction; (2) the RSPRO sends in list order.  The
 * caller answers the operator only afterwards.  A storage failure leaves the
 * in-memory table ahead of the database: the actor stops (exit 1) and
 * remsimd restarts it, which reloads the durable state. */
#include <stdio.h>

#include "log.h"
#include "mapstore.h"

int ms_send(struct mapstore *ms, struct sconn *c, const struct rspro_msg *m)
{
	uint8_t der[RSPRO_PDU_MAX];
	char text[512];
	int n = rspro_encode(m, der, sizeof(der));
	if (n < 0) {
		LOGE(c->name, "cannot encode %s: %s", rspro_msg_name(m->type), rspro_strerror(n));
		return -1;
	}
	LOGCD(LC_RSPRO, c->name, "Tx %s", rspro_summary(m, text, sizeof(text)));
	if (actor_send_rspro(ms->a, c->id, der, (size_t)n) < 0) {
		LOGE(c->name, "%s dropped: hub queue full", rspro_msg_name(m->type));
		return -1;
	}
	return 0;
}

static void send_mapping(struct mapstore *ms, const struct sm_action *x)
{
	struct sconn *b = ct_bank(ms->ct, x->bank.id);
	char ctx[40];
	sm_ctx(ctx, sizeof(ctx), x->client, x->bank);
	if (!b) {	/* cannot happen: slotmap only pushes to banks that are up */
		LOGE(ctx, "no connection for bankd B%u, mapping request not sent", x->bank.id);
		return;
	}
	struct rspro_msg m;
	struct rspro_client_slot cs = { x->client.id, x->client.nr };
	struct rspro_bank_slot bs = { x->bank.id, x->bank.nr };
	if (x->type == SM_ACT_SEND_CREATE)
		rspro_build_create_mapping_req(&m, cs, bs);
	else
		rspro_build_remove_mapping_req(&m, cs, bs);
	LOGI(b->name, "%s C%u:%u B%u:%u", rspro_msg_name(m.type), x->client.id, x->client.nr,
	     x->bank.id, x->bank.nr);
	ms_send(ms, b, &m);
}

void ms_config_client(struct mapstore *ms, const struct sm_action *x)
{
	struct sconn *c = ct_client(ms->ct, x->client);
	if (!c)
		return;
	grace_supersede(ms, x->client);
	uint8_t ip[4] = { x->ipv4 >> 24, (x->ipv4 >> 16) & 255, (x->ipv4 >> 8) & 255, x->ipv4 & 255 };
	struct rspro_msg m;
	rspro_build_config_client_bank_req(&m, (struct rspro_bank_slot){ x->bank.id, x->bank.nr }, ip,
					   x->port);
	LOGI(c->name, "configClientBankReq B%u:%u bankd %u.%u.%u.%u:%u", x->bank.id, x->bank.nr,
	     ip[0], ip[1], ip[2], ip[3], x->port);
	if (ms_send(ms, c, &m) == 0) {
		c->cfg_sent = true;
		c->cfg_bank = x->bank;
		c->cfg_ipv4 = x->ipv4;
		c->cfg_port = x->port;
		meta_store(ms, c);
	}
}

int ms_run_actions(struct mapstore *ms)
{
	struct sm_actions *acts = &ms->acts;
	if (acts->n == 0 && !acts->oom)
		return 0;
	if (acts->oom || mapdb_apply(ms->db, acts) < 0) {
		LOGF(NULL, "storing mapping changes failed: %s; stopping (the restart reloads the "
			   "database)", acts->oom ? "out of memory" : mapdb_errmsg(ms->db));
		ms->fatal = true;
		sm_actions_clear(acts);
		acts->oom = false;
		actor_stop(ms->a);
		return -1;
	}
	for (size_t i = 0; i < acts->n; i++) {
		const struct sm_action *x = &acts->v[i];
		switch (x->type) {
		case SM_ACT_SEND_CREATE:
		case SM_ACT_SEND_REMOVE:
			send_mapping(ms, x);
			break;
		case SM_ACT_CONFIG_CLIENT:
			if (!grace_hold(ms, x))
				ms_config_client(ms, x);
			break;
		default:
			break;
		}
	}
	sm_actions_clear(acts);
	return 0;
}

#define FLUSH_MS 1		/* group commit window */
#define FLUSH_MAX_ACTIONS 8192	/* ... or this many pending actions */

static void flush_tick(struct actor *a, void *arg)
{
	(void)a;
	struct mapstore *ms = arg;
	ms->flush_timer = 0;
	ms_run_actions(ms);
}

void ms_run_actions_soon(struct mapstore *ms)
{
	if (ms->acts.n == 0 && !ms->acts.oom)
		return;
	if (ms->acts.n >= FLUSH_MAX_ACTIONS || ms->acts.oom) {
		ms_run_actions(ms);
		return;
	}
	if (!ms->flush_timer)
		ms->flush_timer = actor_timer_add(ms->a, FLUSH_MS, 1, flush_tick, ms);
	if (ms->flush_timer < 0) {
		ms->flush_timer = 0;
		ms_run_actions(ms);
	}
}
