/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ctl.c: remsim-ctl commands answered by bankmap (routed by the broker's
 * `commands` table): `maps` (the mapping table), `banks` (this bank and its
 * server link), `clients` (the clients the readers serve, from their
 * reports (served.c), then the connections waiting for an identity or a
 * mapping). */
#include <string.h>

#include "bankmap.h"

static json_t *maps_json(const struct bankmap *bm)
{
	json_t *arr = json_array();
	for (long i = 0; i < bm->num_slots; i++) {
		if (!bm->map[i].used)
			continue;
		char b[32], c[48];
		snprintf(b, sizeof(b), "%ld:%ld", bm->bank_id, i);
		snprintf(c, sizeof(c), "%ld:%ld", bm->map[i].client.client_id, bm->map[i].client.slot_nr);
		json_array_append_new(arr, json_pack("{s:s, s:s}", "bank", b, "client", c));
	}
	return arr;
}

json_t *bm_ctl(struct actor *a, const char *cmd, json_t *args, int want_json,
	       char *err, size_t errlen, void *ud)
{
	(void)a;
	(void)args;
	(void)want_json;
	struct bankmap *bm = ud;
	if (!strcmp(cmd, "maps"))
		return maps_json(bm);
	if (!strcmp(cmd, "clients"))
		return clients_json(bm);
	if (!strcmp(cmd, "banks")) {
		char srv[300];
		snprintf(srv, sizeof(srv), "%s:%u", bm->server_host, bm->server_port);
		return json_pack("[{s:I, s:I, s:I, s:s, s:s, s:I}]", "bank", (json_int_t)bm->bank_id,
				 "slots", (json_int_t)bm->num_slots, "mapped", (json_int_t)mt_count(bm),
				 "server", srv, "link", link_state_name(bm->link),
				 "parked", (json_int_t)clients_parked(bm));
	}
	snprintf(err, errlen, "bankmap does not know '%s'", cmd);
	return NULL;
}
