/* SPDX-License-Identifier: GPL-2.0-or-later */
/* json.c: the JSON objects of docs/control.md (the shapes osmo-remsim's REST
 * API returns), in osmo-remsim's key order, plus identity <-> JSON for META. */
#include <stdio.h>
#include <string.h>

#include "mapstore.h"

/* Copy an IA5String, at most MS_STR_MAX characters, control characters
 * replaced (keeps META and JSON small and printable). */
static void copy_str(char *dst, const char *src)
{
	size_t i = 0;
	for (; src && src[i] && i < MS_STR_MAX; i++)
		dst[i] = (src[i] < 0x20 || src[i] == 0x7f) ? '?' : src[i];
	dst[i] = '\0';
}

void ms_ident_from_rspro(struct ms_ident *dst, const struct rspro_ident *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->type = src->type;
	copy_str(dst->name, src->name);
	copy_str(dst->software, src->software);
	copy_str(dst->sw_version, src->sw_version);
	copy_str(dst->hw_manufacturer, src->hw_manufacturer);
	copy_str(dst->hw_model, src->hw_model);
	copy_str(dst->hw_serial_nr, src->hw_serial_nr);
	copy_str(dst->hw_version, src->hw_version);
	copy_str(dst->fw_version, src->fw_version);
}

json_t *js_slotmap(const struct sm_map *m)
{
	return json_pack("{s:{s:i,s:i},s:{s:i,s:i},s:s}",
			 "bank", "bankId", (int)m->bank.id, "slotNr", (int)m->bank.nr,
			 "client", "clientId", (int)m->client.id, "slotNr", (int)m->client.nr,
			 "state", sm_state_rest_name(m->state));
}

static void opt(json_t *o, const char *key, const char *v)
{
	if (v[0])
		json_object_set_new(o, key, json_string(v));
}

json_t *js_component(const struct ms_ident *id)
{
	const char *type = rspro_comp_type_name(id->type);
	json_t *o = json_pack("{s:s,s:s,s:s,s:s}", "type_", type ? type : "unknown",
			      "name", id->name, "software", id->software, "swVersion", id->sw_version);
	if (!o)
		return NULL;
	opt(o, "hwManufacturer", id->hw_manufacturer);
	opt(o, "hwModel", id->hw_model);
	opt(o, "hwSerialNr", id->hw_serial_nr);
	opt(o, "hwVersion", id->hw_version);
	opt(o, "fwVersion", id->fw_version);
	return o;
}

static int get_str(const json_t *o, const char *key, char *dst, int required)
{
	const json_t *v = json_object_get(o, key);
	if (!v)
		return required ? -1 : 0;
	if (!json_is_string(v))
		return -1;
	copy_str(dst, json_string_value(v));
	return 0;
}

int js_ident_parse(const json_t *o, struct ms_ident *id)
{
	memset(id, 0, sizeof(*id));
	const char *type = json_string_value(json_object_get(o, "type_"));
	if (!type)
		return -1;
	if (!strcmp(type, "remsimClient"))
		id->type = RSPRO_COMP_CLIENT;
	else if (!strcmp(type, "remsimServer"))
		id->type = RSPRO_COMP_SERVER;
	else if (!strcmp(type, "remsimBankd"))
		id->type = RSPRO_COMP_BANKD;
	else
		return -1;
	if (get_str(o, "name", id->name, 1) || get_str(o, "software", id->software, 1) ||
	    get_str(o, "swVersion", id->sw_version, 1) ||
	    get_str(o, "hwManufacturer", id->hw_manufacturer, 0) ||
	    get_str(o, "hwModel", id->hw_model, 0) || get_str(o, "hwSerialNr", id->hw_serial_nr, 0) ||
	    get_str(o, "hwVersion", id->hw_version, 0) || get_str(o, "fwVersion", id->fw_version, 0))
		return -1;
	return 0;
}

json_t *js_client(const struct sconn *c)
{
	return json_pack("{s:s,s:s,s:o}", "peer", c->name, "state", sc_state_name(c->st),
			 "component_id", js_component(&c->ident));
}

json_t *js_bank(const struct sconn *c)
{
	return json_pack("{s:s,s:s,s:o,s:i,s:I}", "peer", c->name, "state", sc_state_name(c->st),
			 "component_id", js_component(&c->ident), "bankId", (int)c->bank_id,
			 "numberOfSlots", (json_int_t)c->num_slots);
}

json_t *js_event(const struct mapdb_event *ev)
{
	char client[24], bank[24];
	snprintf(client, sizeof(client), "C%u:%u", ev->client_id, ev->client_slot);
	snprintf(bank, sizeof(bank), "B%u:%u", ev->bank_id, ev->bank_slot);
	json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:I}", "time", ev->ts, "event",
			      ev->event, "client", client, "bank", bank, "origin", ev->actor,
			      "state", ev->state, "detail", ev->detail, "map_id",
			      (json_int_t)ev->map_id);
	if (o && ev->result >= 0)
		json_object_set_new(o, "result", json_integer(ev->result));
	return o;
}
