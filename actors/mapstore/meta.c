/* SPDX-License-Identifier: GPL-2.0-or-later */
/* meta.c: what the mapstore stores on a connection with META, so that a
 * restarted mapstore (kill -9) gets its identified peers back from the
 * broker's WELCOME.  Compact JSON, e.g.
 *   {"state":"CONNECTED_CLIENT","component_id":{...},"client":[3,0],
 *    "cfg":[1,5,2130706433,9999]}
 *   {"state":"CONNECTED_BANKD","component_id":{...},"bankId":1,"numberOfSlots":8}
 *   {"state":"REJECTED"}
 * Strings are at most 32 printable characters, so this stays well below
 * ENV_META_MAX. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mapstore.h"

void meta_store(struct mapstore *ms, const struct sconn *c)
{
	json_t *o = json_pack("{s:s}", "state", sc_state_name(c->st));
	if (!o)
		return;
	if (c->has_ident)
		json_object_set_new(o, "component_id", js_component(&c->ident));
	if (c->st == SC_CONNECTED_CLIENT) {
		json_object_set_new(o, "client", json_pack("[i,i]", c->client.id, c->client.nr));
		if (c->cfg_sent)
			json_object_set_new(o, "cfg", json_pack("[i,i,I,i]", c->cfg_bank.id, c->cfg_bank.nr,
								(json_int_t)c->cfg_ipv4, c->cfg_port));
	} else if (c->st == SC_CONNECTED_BANKD) {
		json_object_set_new(o, "bankId", json_integer(c->bank_id));
		json_object_set_new(o, "numberOfSlots", json_integer(c->num_slots));
	}
	char *txt = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (!txt)
		return;
	size_t len = strlen(txt);
	if (len >= ENV_META_MAX)
		LOGE(c->name, "identity too large for META (%zu octets), not stored", len);
	else if (actor_set_meta(ms->a, c->id, txt, len) < 0)
		LOGE(c->name, "cannot store META (hub queue full)");
	free(txt);
}

static int pair(const json_t *a, uint16_t *x, uint16_t *y)
{
	if (!json_is_array(a) || json_array_size(a) < 2 ||
	    !json_is_integer(json_array_get(a, 0)) || !json_is_integer(json_array_get(a, 1)))
		return -1;
	*x = (uint16_t)json_integer_value(json_array_get(a, 0));
	*y = (uint16_t)json_integer_value(json_array_get(a, 1));
	return 0;
}

int meta_load(struct sconn *c, const uint8_t *meta, size_t len)
{
	if (!meta || !len)
		return -1;
	json_t *o = json_loadb((const char *)meta, len, 0, NULL);
	const char *st = json_string_value(json_object_get(o, "state"));
	int rc = -1;
	if (!st)
		goto out;
	if (!strcmp(st, "REJECTED")) {
		c->st = SC_REJECTED;
		rc = 0;
		goto out;
	}
	if (js_ident_parse(json_object_get(o, "component_id"), &c->ident) < 0)
		goto out;
	if (!strcmp(st, "CONNECTED_CLIENT")) {
		if (pair(json_object_get(o, "client"), &c->client.id, &c->client.nr) < 0)
			goto out;
		const json_t *cfg = json_object_get(o, "cfg");
		if (json_array_size(cfg) == 4 && pair(cfg, &c->cfg_bank.id, &c->cfg_bank.nr) == 0) {
			c->cfg_sent = true;
			c->cfg_ipv4 = (uint32_t)json_integer_value(json_array_get(cfg, 2));
			c->cfg_port = (uint16_t)json_integer_value(json_array_get(cfg, 3));
		}
		c->st = SC_CONNECTED_CLIENT;
		snprintf(c->name, sizeof(c->name), "C%u:%u", c->client.id, c->client.nr);
	} else if (!strcmp(st, "CONNECTED_BANKD")) {
		const json_t *b = json_object_get(o, "bankId"), *n = json_object_get(o, "numberOfSlots");
		if (!json_is_integer(b) || !json_is_integer(n))
			goto out;
		c->bank_id = (uint16_t)json_integer_value(b);
		c->num_slots = (long)json_integer_value(n);
		c->st = SC_CONNECTED_BANKD;
		snprintf(c->name, sizeof(c->name), "B%u", c->bank_id);
	} else {
		goto out;
	}
	c->has_ident = true;
	rc = 0;
out:
	json_decref(o);
	return rc;
}
