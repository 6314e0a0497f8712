/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rest_json.c: JSON in and out of the REST API.  Incoming POST /slotmaps
 * bodies are checked strictly (objects, JSON integers, 0..1023); outgoing
 * objects are rebuilt with exactly the keys, in exactly the order, that
 * osmo-remsim-server emits, whatever order the control reply used. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rest.h"

static const char *const slot_bank_keys[] = { "bankId", "slotNr", NULL };
static const char *const slot_client_keys[] = { "clientId", "slotNr", NULL };
static const char *const component_keys[] = {
	"type_", "name", "software", "swVersion", NULL,
};
/* present only when non-empty */
static const char *const component_opt_keys[] = {
	"hwManufacturer", "hwModel", "hwSerialNr", "hwVersion", "fwVersion", NULL,
};

/* Copy the listed keys of src that exist into dst, in list order. */
static void copy_keys(json_t *dst, const json_t *src, const char *const *keys)
{
	for (; *keys; keys++) {
		json_t *v = json_object_get(src, *keys);
		if (v)
			json_object_set(dst, *keys, v);
	}
}

static json_t *canon_sub(const json_t *in, const char *const *keys)
{
	if (!json_is_object(in))
		return NULL;
	json_t *o = json_object();
	copy_keys(o, in, keys);
	return o;
}

static void set_sub(json_t *dst, const char *key, json_t *sub)
{
	if (sub)
		json_object_set_new(dst, key, sub);
}

json_t *rj_slotmap(const json_t *in)
{
	if (!json_is_object(in))
		return NULL;
	json_t *o = json_object();
	set_sub(o, "bank", canon_sub(json_object_get(in, "bank"), slot_bank_keys));
	set_sub(o, "client", canon_sub(json_object_get(in, "client"), slot_client_keys));
	copy_keys(o, in, (const char *const[]){ "state", NULL });
	return o;
}

static json_t *rj_component(const json_t *in)
{
	if (!json_is_object(in))
		return NULL;
	json_t *o = json_object();
	copy_keys(o, in, component_keys);
	for (const char *const *k = component_opt_keys; *k; k++) {
		json_t *v = json_object_get(in, *k);
		if (v && !(json_is_string(v) && json_string_length(v) == 0) && !json_is_null(v))
			json_object_set(o, *k, v);
	}
	return o;
}

/* peer, state, component_id: common to <client> and <bank> */
static json_t *canon_peer(const json_t *in)
{
	if (!json_is_object(in))
		return NULL;
	json_t *o = json_object();
	copy_keys(o, in, (const char *const[]){ "peer", "state", NULL });
	set_sub(o, "component_id", rj_component(json_object_get(in, "component_id")));
	return o;
}

json_t *rj_client(const json_t *in)
{
	return canon_peer(in);
}

json_t *rj_bank(const json_t *in)
{
	json_t *o = canon_peer(in);
	if (o)
		copy_keys(o, in, (const char *const[]){ "bankId", "numberOfSlots", NULL });
	return o;
}

json_t *rj_wrap_list(const char *name, const json_t *list, json_t *(*canon)(const json_t *))
{
	if (!json_is_array(list))
		return NULL;
	json_t *arr = json_array();
	size_t i;
	json_t *e;
	json_array_foreach(list, i, e) {
		json_t *c = canon(e);
		if (!c) {
			json_decref(arr);
			return NULL;
		}
		json_array_append_new(arr, c);
	}
	json_t *o = json_object();
	json_object_set_new(o, name, arr);
	return o;
}

char *rj_dump(const json_t *j)
{
	return json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
}

static int get_id(const json_t *obj, const char *objname, const char *key, unsigned *out,
		  char *err, size_t errlen)
{
	json_t *v = json_object_get(obj, key);
	if (!v) {
		snprintf(err, errlen, "'%s.%s' missing", objname, key);
		return -1;
	}
	if (!json_is_integer(v)) {
		snprintf(err, errlen, "'%s.%s' is not an integer", objname, key);
		return -1;
	}
	json_int_t n = json_integer_value(v);
	if (n < 0 || n > REST_MAX_ID) {
		snprintf(err, errlen, "'%s.%s' = %lld outside 0..%d", objname, key, (long long)n,
			 REST_MAX_ID);
		return -1;
	}
	*out = (unsigned)n;
	return 0;
}

int rj_parse_slotmap_post(const char *body, size_t len, unsigned ids[4], char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *root = json_loadb(body ? body : "", len, 0, &jerr);
	if (!root) {
		snprintf(err, errlen, "body is not JSON: %s", jerr.text);
		return -1;
	}
	int rc = -1;
	json_t *bank = json_object_get(root, "bank");
	json_t *client = json_object_get(root, "client");
	if (!json_is_object(root))
		snprintf(err, errlen, "body is not a JSON object");
	else if (!json_is_object(bank))
		snprintf(err, errlen, "'bank' missing or not an object");
	else if (!json_is_object(client))
		snprintf(err, errlen, "'client' missing or not an object");
	else if (!get_id(bank, "bank", "bankId", &ids[0], err, errlen) &&
		 !get_id(bank, "bank", "slotNr", &ids[1], err, errlen) &&
		 !get_id(client, "client", "clientId", &ids[2], err, errlen) &&
		 !get_id(client, "client", "slotNr", &ids[3], err, errlen))
		rc = 0;
	json_decref(root);
	return rc;
}

int rj_parse_map_args(const char *body, size_t len, char client[32], char bank[32], char *err,
		      size_t errlen)
{
	unsigned ids[4];
	if (rj_parse_slotmap_post(body, len, ids, err, errlen))
		return -1;
	snprintf(client, 32, "%u:%u", ids[2], ids[3]);
	snprintf(bank, 32, "%u:%u", ids[0], ids[1]);
	return 0;
}

long long rj_parse_uint(const char *s, unsigned long long max)
{
	if (!s || !*s)
		return -1;
	unsigned long long v = 0;
	int big = 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		if (!big) {
			v = v * 10 + (unsigned long long)(*p - '0');
			if (v > max)
				big = 1;	/* keep scanning: junk later is still junk */
		}
	}
	return big ? -2 : (long long)v;
}

long rj_client_id(const json_t *client)
{
	const char *peer = json_string_value(json_object_get(client, "peer"));
	if (!peer || peer[0] != 'C')
		return -1;
	const char *colon = strchr(peer, ':');
	if (!colon || colon == peer + 1 || colon - peer > 12)
		return -1;
	char num[16];
	memcpy(num, peer + 1, (size_t)(colon - peer - 1));
	num[colon - peer - 1] = '\0';
	long long v = rj_parse_uint(num, 65535);
	return v < 0 ? -1 : (long)v;
}
