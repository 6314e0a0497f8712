/* SPDX-License-Identifier: GPL-2.0-or-later */
/* grace.c: the banks' grace period after a restart.  When the server (or
 * its mapstore, or its broker) restarts, clients and bankds reconnect in any
 * order.  A client that comes back before the bankd of its mapping would be
 * told ConfigClientBankReq(0.0.0.0:0) by the slotmap rules and drop a bankd
 * link that still works.  For bank_grace_ms (default 15 s) after a restart,
 * such a "disconnect" for a client whose bank is not up is held back: if the
 * bank re-registers in time, the client is told its (usually unchanged)
 * bankd instead; if not, it is told to disconnect when the period ends. */
#include <stdlib.h>
#include <string.h>

#include <czmq.h>

#include "log.h"
#include "monotime.h"
#include "mapstore.h"

struct ms_grace {
	int64_t until_ms;		/* monotonic; 0: no grace period running */
	int timer;
	struct sm_action *held;		/* at most one per client slot */
	size_t n, cap;
};

static void held_remove(struct ms_grace *g, size_t i)
{
	g->held[i] = g->held[--g->n];
}

static void grace_over(struct actor *a, void *arg)
{
	(void)a;
	struct mapstore *ms = arg;
	struct ms_grace *g = ms->grace;
	g->timer = 0;
	g->until_ms = 0;
	LOGI(NULL, "bank grace period over: %zu client(s) still waiting for their bankd", g->n);
	while (g->n) {
		struct sm_action x = g->held[g->n - 1];
		g->n--;
		char ctx[40];
		sm_ctx(ctx, sizeof(ctx), x.client, x.bank);
		if (slotmap_bank_is_up(ms->t, x.bank.id))
			continue;	/* (its up-to-date configuration was sent when it came) */
		LOGN(ctx, "bankd B%u did not re-register within %u ms: telling the client to disconnect",
		     x.bank.id, ms->cf.bank_grace_ms);
		ms_config_client(ms, &x);
	}
}

void grace_start(struct mapstore *ms, const char *why)
{
	struct ms_grace *g = ms->grace;
	if (!g && !(g = ms->grace = calloc(1, sizeof(*g))))
		return;
	if (!ms->cf.bank_grace_ms)
		return;
	int64_t now = mono_ms();
	if (g->until_ms && g->until_ms - now > (int64_t)ms->cf.bank_grace_ms - 1000)
		return;		/* just started (e.g. one call per connection of a restart) */
	if (g->timer > 0)
		actor_timer_cancel(ms->a, g->timer);
	g->until_ms = now + ms->cf.bank_grace_ms;
	g->timer = actor_timer_add(ms->a, ms->cf.bank_grace_ms, 1, grace_over, ms);
	LOGI(NULL, "%s: banks have %u ms to re-register before their clients are told to disconnect",
	     why, ms->cf.bank_grace_ms);
}

bool grace_hold(struct mapstore *ms, const struct sm_action *x)
{
	struct ms_grace *g = ms->grace;
	if (!g || !g->until_ms || x->ipv4 || x->port || mono_ms() >= g->until_ms ||
	    slotmap_bank_is_up(ms->t, x->bank.id))
		return false;
	size_t i = 0;
	while (i < g->n && !(g->held[i].client.id == x->client.id && g->held[i].client.nr == x->client.nr))
		i++;
	if (i == g->n) {
		if (g->n == g->cap) {
			size_t cap = g->cap ? 2 * g->cap : 16;
			struct sm_action *v = realloc(g->held, cap * sizeof(*v));
			if (!v)
				return false;
			g->held = v;
			g->cap = cap;
		}
		g->n++;
	}
	g->held[i] = *x;
	char ctx[40];
	sm_ctx(ctx, sizeof(ctx), x->client, x->bank);
	LOGI(ctx, "bankd B%u not re-registered yet: client keeps its bankd for up to %lld ms more",
	     x->bank.id, (long long)(g->until_ms - mono_ms()));
	return true;
}

void grace_supersede(struct mapstore *ms, struct sm_slot client)
{
	struct ms_grace *g = ms->grace;
	for (size_t i = 0; g && i < g->n; i++)
		if (g->held[i].client.id == client.id && g->held[i].client.nr == client.nr) {
			held_remove(g, i);
			return;
		}
}

void grace_free(struct mapstore *ms)
{
	if (ms->grace)
		free(ms->grace->held);
	free(ms->grace);
	ms->grace = NULL;
}
