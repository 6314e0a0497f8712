/* SPDX-License-Identifier: GPL-2.0-or-later */
/* readers.c: the messages between bankmap and reader/N (actor_tell, JSON).
 *
 * | direction          | message                                  | when                                   |
 * |--------------------|------------------------------------------|----------------------------------------|
 * | bankmap -> reader/N| {"op":"mapping","client":"C3:0"}         | the mapping of bank slot N changed     |
 * | bankmap -> reader/N| {"op":"mapping","client":null}           | ... was removed (or reset)             |
 * | bankmap -> reader/N| {"op":"reset"}                           | ResetStateReq (after the mapping null) |
 * | reader/N -> bankmap| {"op":"query","slot":N}                  | the reader starts: answered by mapping |
 * | reader/N -> bankmap| {"op":"serving","slot":N,"client":"3:0", | the client it serves (or null), its    |
 * |                    |  "conn":C,"peer":..,"since":T,"tpdus":N} | TPDU count: on change, every 10 s      |
 *
 * A reader holding a connection of a client that is no longer its mapped
 * client closes it (within 5 s).  Tells to an absent reader are dropped by
 * the broker; the reader asks again when it starts. */
#include <stdlib.h>
#include <string.h>

#include "bankmap.h"
#include "log.h"

static void tell(struct bankmap *bm, long slot, json_t *msg)
{
	char name[ENV_NAME_MAX];
	char *s = json_dumps(msg, JSON_COMPACT);
	json_decref(msg);
	if (!s)
		return;
	snprintf(name, sizeof(name), "reader/%ld", slot);
	if (actor_tell(bm->a, name, s, strlen(s)) < 0)
		LOGW(NULL, "tell %s %s: dropped (hub queue full)", name, s);
	else
		LOGD(NULL, "tell %s %s", name, s);
	free(s);
}

void readers_tell_mapping(struct bankmap *bm, long slot)
{
	if (slot < 0 || slot >= bm->num_slots)
		return;
	const struct bm_map *m = &bm->map[slot];
	json_t *cl;
	if (m->used) {
		char c[48];
		snprintf(c, sizeof(c), "C%ld:%ld", m->client.client_id, m->client.slot_nr);
		cl = json_string(c);
	} else {
		cl = json_null();
	}
	tell(bm, slot, json_pack("{s:s, s:o}", "op", "mapping", "client", cl));
}

void readers_tell_all(struct bankmap *bm)
{
	for (long i = 0; i < bm->num_slots; i++)
		readers_tell_mapping(bm, i);
}

void readers_tell_reset(struct bankmap *bm)
{
	for (long i = 0; i < bm->num_slots; i++) {
		readers_tell_mapping(bm, i);
		tell(bm, i, json_pack("{s:s}", "op", "reset"));
	}
}

void readers_told(struct bankmap *bm, const char *from, const uint8_t *data, size_t len)
{
	json_error_t jerr;
	json_t *j = json_loadb((const char *)data, len, 0, &jerr);
	const char *op = json_string_value(json_object_get(j, "op"));
	if (!op) {
		LOGW(NULL, "message from %s is not a JSON object with \"op\": %.*s", from, (int)(len > 80 ? 80 : len),
		     (const char *)data);
		json_decref(j);
		return;
	}
	if (!strcmp(op, "query")) {
		json_t *s = json_object_get(j, "slot");
		long slot = json_is_integer(s) ? (long)json_integer_value(s) : -1;
		if (slot < 0 || slot >= bm->num_slots)
			LOGW(NULL, "query from %s for slot %ld: not a slot of this bank (0..%ld)", from, slot,
			     bm->num_slots - 1);
		else
			readers_tell_mapping(bm, slot);
	} else if (!strcmp(op, "serving")) {
		served_told(bm, from, j);
	} else {
		LOGD(NULL, "message \"%s\" from %s ignored", op, from);
	}
	json_decref(j);
}
