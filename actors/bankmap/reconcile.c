/* SPDX-License-Identifier: GPL-2.0-or-later */
/* reconcile.c: the bankd's mapping table after a reconnect to the server.
 * The table survives a lost server link (and a bankmap restart, in META),
 * so that clients keep being served meanwhile; but mappings the server
 * deleted while the link was down would then stay for good (the server
 * has no way left to remove them).  When the link comes up, every mapping
 * is marked unconfirmed; each CreateMappingReq the server sends again
 * confirms its slot; reconcile_ms (default 5 s) after the ConnectBankRes,
 * the ones still unconfirmed are removed and their readers told (their
 * clients are disconnected).  reconcile_ms = 0 keeps them, as
 * osmo-remsim's bankd does until the server overwrites them. */
#include "bankmap.h"
#include "log.h"

static void reconcile_end(struct actor *a, void *arg)
{
	(void)a;
	struct bankmap *bm = arg;
	bm->reconcile_timer = 0;
	if (bm->link != LINK_CONNECTED)
		return;		/* the link went down again: the next reconnect decides */
	size_t n = 0;
	for (long i = 0; i < bm->num_slots; i++) {
		struct bm_map *m = &bm->map[i];
		if (!m->used || !m->unconfirmed)
			continue;
		char ctx[64];
		LOGN(bm_ctx(bm, i, &m->client, ctx, sizeof(ctx)),
		     "mapping not sent again by the server within %u ms of the reconnect: removed",
		     bm->reconcile_ms);
		m->used = false;
		m->unconfirmed = false;
		n++;
		readers_tell_mapping(bm, i);
	}
	if (n)
		link_persist(bm);
}

void reconcile_start(struct bankmap *bm)
{
	if (!bm->reconcile_ms)
		return;
	size_t n = 0;
	for (long i = 0; i < bm->num_slots; i++)
		if (bm->map[i].used) {
			bm->map[i].unconfirmed = true;
			n++;
		}
	if (bm->reconcile_timer > 0)
		actor_timer_cancel(bm->a, bm->reconcile_timer);
	bm->reconcile_timer = 0;
	if (!n)
		return;
	LOGI(NULL, "server link up: %zu mapping(s) kept meanwhile wait %u ms to be sent again", n,
	     bm->reconcile_ms);
	bm->reconcile_timer = actor_timer_add(bm->a, bm->reconcile_ms, 1, reconcile_end, bm);
}

void reconcile_confirm(struct bankmap *bm, long slot)
{
	if (slot >= 0 && slot < bm->num_slots)
		bm->map[slot].unconfirmed = false;
}
