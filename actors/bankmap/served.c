/* SPDX-License-Identifier: GPL-2.0-or-later */
/* served.c: which client each reader serves, for `remsim-ctl clients` on a
 * bankd.  Once bankmap hands a connection to reader/N (BIND) it no longer
 * owns it; reader/N reports what it serves (readers.c, op "serving"): when
 * its client or TPDU count changes, and every 10 s.  A report older than
 * SERVED_STALE_MS (the reader is gone or given up) is not listed. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bankmap.h"
#include "log.h"
#include "monotime.h"

#define SERVED_STALE_MS 30000

struct bm_served {
	int used;
	uint32_t conn;
	char client[48];
	char peer[64];
	time_t since;
	json_int_t tpdus;
	int64_t seen_ms;
};

int served_init(struct bankmap *bm)
{
	bm->served = calloc((size_t)bm->num_slots, sizeof(*bm->served));
	return bm->served ? 0 : -1;
}

void served_free(struct bankmap *bm)
{
	free(bm->served);
	bm->served = NULL;
}

static void copy_str(char *dst, size_t len, json_t *v)
{
	snprintf(dst, len, "%s", json_is_string(v) ? json_string_value(v) : "");
}

/* {"op":"serving","slot":N,"client":"3:0"|null,"conn":C,"peer":"..","since":T,"tpdus":N} */
void served_told(struct bankmap *bm, const char *from, json_t *j)
{
	json_t *sl = json_object_get(j, "slot"), *cl = json_object_get(j, "client");
	long slot = json_is_integer(sl) ? (long)json_integer_value(sl) : -1;
	if (slot < 0 || slot >= bm->num_slots || (!json_is_null(cl) && !json_is_string(cl))) {
		LOGW(NULL, "\"serving\" from %s ignored: bad slot or client", from);
		return;
	}
	struct bm_served *v = &bm->served[slot];
	if (json_is_null(cl)) {
		v->used = 0;
		return;
	}
	v->used = 1;
	v->conn = (uint32_t)json_integer_value(json_object_get(j, "conn"));
	copy_str(v->client, sizeof(v->client), cl);
	copy_str(v->peer, sizeof(v->peer), json_object_get(j, "peer"));
	v->since = (time_t)json_integer_value(json_object_get(j, "since"));
	v->tpdus = json_integer_value(json_object_get(j, "tpdus"));
	v->seen_ms = mono_ms();
}

/* ISO 8601 UTC, as the mapping history writes times */
static const char *iso(time_t t, char *buf, size_t len)
{
	struct tm tm;
	if (!gmtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, len, "-");
	return buf;
}

/* One row per reader slot serving a client, bank slot order. */
void served_json(const struct bankmap *bm, json_t *arr)
{
	int64_t now = mono_ms();
	for (long i = 0; i < bm->num_slots; i++) {
		const struct bm_served *v = &bm->served[i];
		if (!v->used || now - v->seen_ms > SERVED_STALE_MS)
			continue;
		char bank[48], since[32], reader[32];
		snprintf(bank, sizeof(bank), "%ld:%ld", bm->bank_id, i);
		snprintf(reader, sizeof(reader), "reader/%ld", i);
		json_array_append_new(arr, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:s}", "conn",
						     (json_int_t)v->conn, "peer", v->peer, "state", "served",
						     "client", v->client, "bank_slot", bank, "since",
						     iso(v->since, since, sizeof(since)), "tpdus", v->tpdus, "reader", reader));
	}
}

/* Rows of connections not handed to a reader yet have the same keys. */
void served_row_waiting(json_t *arr, uint32_t conn, const char *peer, const char *state, const char *client,
			int64_t since_mono)
{
	char since[32];
	time_t t = time(NULL) - (time_t)((mono_ms() - since_mono) / 1000);
	json_array_append_new(arr, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:s}", "conn", (json_int_t)conn,
					     "peer", peer, "state", state, "client", client, "bank_slot", "", "since",
					     iso(t, since, sizeof(since)), "tpdus", (json_int_t)0, "reader", ""));
}
