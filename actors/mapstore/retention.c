/* SPDX-License-Identifier: GPL-2.0-or-later */
/* retention.c: the history retention of the mapstore (docs/mapping-history.md
 * "Retention"): rows older than history.keep_days or beyond the newest
 * history.max_rows are deleted, oldest first, in batches of prune_batch rows,
 * each its own short transaction, from a timer (every prune_interval_s, and
 * again after 20 ms while a batch came back full), so that mapping traffic
 * and readers never wait long for the database.  `history --prune` runs
 * batches for at most PRUNE_BUDGET_MS and leaves the rest to the timer. */
#include <stdio.h>

#include "log.h"
#include "mapstore.h"
#include "monotime.h"

#define PRUNE_BUDGET_MS 250
#define PRUNE_AGAIN_MS 20

static void prune_tick(struct actor *a, void *arg);

static void arm(struct mapstore *ms, unsigned ms_later)
{
	if (ms->prune_timer > 0)
		actor_timer_cancel(ms->a, ms->prune_timer);
	ms->prune_timer = actor_timer_add(ms->a, ms_later, 1, prune_tick, ms);
}

/* One batch; the number deleted, or -1 (logged). */
static int batch(struct mapstore *ms)
{
	const struct mapstore_conf *cf = &ms->cf;
	int n = mapdb_history_prune(ms->db, cf->keep_days, cf->max_rows, cf->prune_batch);
	if (n < 0) {
		LOGE(NULL, "history pruning failed: %s", mapdb_errmsg(ms->db));
		return -1;
	}
	ms->pruned_run += (unsigned long)n;
	return n;
}

static void run_done(struct mapstore *ms)
{
	if (ms->pruned_run)
		LOGI(NULL, "history: %lu old row(s) pruned (keep %d days, at most %lld rows); %lld left",
		     ms->pruned_run, ms->cf.keep_days, (long long)ms->cf.max_rows,
		     (long long)mapdb_history_rows(ms->db));
	ms->pruned_total += ms->pruned_run;
	ms->pruned_run = 0;
}

static void prune_tick(struct actor *a, void *arg)
{
	(void)a;
	struct mapstore *ms = arg;
	ms->prune_timer = 0;
	int n = batch(ms);
	if (n == ms->cf.prune_batch) {
		arm(ms, PRUNE_AGAIN_MS);	/* more to do: let other work in first */
		return;
	}
	run_done(ms);
	arm(ms, ms->cf.prune_interval_ms);
}

void retention_start(struct mapstore *ms)
{
	if (!ms->cf.keep_days && !ms->cf.max_rows) {
		LOGN(NULL, "history retention off (history.keep_days = 0, history.max_rows = 0): "
			   "the history grows without limit");
		return;
	}
	LOGI(NULL, "history retention: %d days, at most %lld rows; pruned every %u s, %d rows "
		   "per transaction", ms->cf.keep_days, (long long)ms->cf.max_rows,
	     ms->cf.prune_interval_ms / 1000, ms->cf.prune_batch);
	arm(ms, 1000);	/* soon after start, once the connections are back */
}

json_t *retention_prune_now(struct mapstore *ms)
{
	int64_t t0 = mono_ms();
	unsigned long before = ms->pruned_run;
	int n, full = 0;
	while ((n = batch(ms)) == ms->cf.prune_batch && mono_ms() - t0 < PRUNE_BUDGET_MS)
		;
	if (n < 0)
		return NULL;
	full = n == ms->cf.prune_batch;
	unsigned long now = ms->pruned_run - before;
	if (full) {
		arm(ms, PRUNE_AGAIN_MS);	/* the rest in the background */
	} else {
		run_done(ms);
		if (ms->cf.keep_days || ms->cf.max_rows)
			arm(ms, ms->cf.prune_interval_ms);
	}
	return json_pack("{s:I, s:b, s:I, s:i, s:I}", "pruned", (json_int_t)now, "more", full,
			 "rows", (json_int_t)mapdb_history_rows(ms->db), "keep_days", ms->cf.keep_days,
			 "max_rows", (json_int_t)ms->cf.max_rows);
}
