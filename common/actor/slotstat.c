/* SPDX-License-Identifier: GPL-2.0-or-later */
/* slotstat.c: see slotstat.h. */
#include "slotstat.h"
#include "monotime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <czmq.h>

int64_t slotstat_now_us(void)
{
	return mono_us();	/* monotonic */
}

void slotstat_tx(struct slotstat *st)
{
	st->tpdus_tx++;
	st->pending_us = slotstat_now_us();
	st->last_tpdu_us = st->pending_us;
}

void slotstat_rx(struct slotstat *st)
{
	int64_t now = slotstat_now_us();
	st->tpdus_rx++;
	st->last_tpdu_us = now;
	if (!st->pending_us)
		return;
	int64_t d = now - st->pending_us;
	st->pending_us = 0;
	st->ring[st->pos] = d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
	st->pos = (st->pos + 1) % SLOTSTAT_RING;
	if (st->nring < SLOTSTAT_RING)
		st->nring++;
}

void slotstat_error(struct slotstat *st, const char *text)
{
	st->errors++;
	snprintf(st->last_error, sizeof(st->last_error), "%s", text ? text : "");
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

void slotstat_json(const struct slotstat *st, json_t *o)
{
	json_int_t p50 = -1, p99 = -1, age = -1;
	if (st->nring) {
		uint32_t v[SLOTSTAT_RING];
		memcpy(v, st->ring, st->nring * sizeof(v[0]));
		qsort(v, st->nring, sizeof(v[0]), cmp_u32);
		/* nearest rank */
		p50 = v[(st->nring * 50 + 99) / 100 - 1];
		p99 = v[(st->nring * 99 + 99) / 100 - 1];
	}
	if (st->last_tpdu_us)
		age = (slotstat_now_us() - st->last_tpdu_us) / 1000000;
	json_object_set_new(o, "tpdus_tx", json_integer((json_int_t)st->tpdus_tx));
	json_object_set_new(o, "tpdus_rx", json_integer((json_int_t)st->tpdus_rx));
	json_object_set_new(o, "errors", json_integer((json_int_t)st->errors));
	json_object_set_new(o, "resets", json_integer((json_int_t)st->resets));
	json_object_set_new(o, "reconnects", json_integer((json_int_t)st->reconnects));
	json_object_set_new(o, "last_tpdu_s", json_integer(age));
	json_object_set_new(o, "rtt_p50_us", json_integer(p50));
	json_object_set_new(o, "rtt_p99_us", json_integer(p99));
	json_object_set_new(o, "last_error", json_string(st->last_error));
}
