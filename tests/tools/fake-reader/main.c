/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fake-reader: a stand-in for reader/N in the bankd mapping tests, without
 * PC/SC.  It speaks the bankmap contract (docs/bankd.md): asks bankmap for
 * its mapping at start ({"op":"query","slot":N}), takes handed-over client
 * connections (answers their ConnectClientReq with ConnectClientRes ok and
 * SetAtrReq 3B00 when the client is the mapped one, else cardNotPresent),
 * answers every TpduModemToCard with 9000, and closes a held connection as
 * soon as its client is no longer the mapped one ({"op":"mapping"} or
 * {"op":"reset"}).  Every message from bankmap is logged as
 *   told mapping C3:0 | told mapping none | told reset
 * so that tests can follow them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actor.h"
#include "log.h"
#include "rspro.h"

#define MAXC 64

struct held { uint32_t conn; struct rspro_client_slot c; int identified; };

static struct {
	long slot, bank_id;
	int mapped;
	struct rspro_client_slot client;
	struct held h[MAXC];
	int n;
} R = { .bank_id = 1 };

static struct held *find(uint32_t conn)
{
	for (int i = 0; i < R.n; i++)
		if (R.h[i].conn == conn)
			return &R.h[i];
	return NULL;
}

static void forget(uint32_t conn)
{
	struct held *h = find(conn);
	if (h)
		*h = R.h[--R.n];
}

static void send_msg(struct actor *a, uint32_t conn, struct rspro_msg *m)
{
	uint8_t der[RSPRO_PDU_MAX];
	int n = rspro_encode(m, der, sizeof(der));
	if (n > 0)
		actor_send_rspro(a, conn, der, (size_t)n);
}

static int is_mapped(const struct rspro_client_slot *c)
{
	return R.mapped && c->client_id == R.client.client_id && c->slot_nr == R.client.slot_nr;
}

/* Close every identified connection whose client is not the mapped one. */
static void enforce(struct actor *a)
{
	for (int i = R.n; i-- > 0;) {
		if (!R.h[i].identified || is_mapped(&R.h[i].c))
			continue;
		LOGI(NULL, "closing conn %u of C%ld:%ld (no longer mapped)", R.h[i].conn, R.h[i].c.client_id,
		     R.h[i].c.slot_nr);
		actor_close(a, R.h[i].conn, "mapping changed");
		R.h[i] = R.h[--R.n];
	}
}

static void on_tell(struct actor *a, const char *from, const uint8_t *d, size_t len, void *ud)
{
	(void)ud;
	json_t *j = json_loadb((const char *)d, len, 0, NULL);
	const char *op = json_string_value(json_object_get(j, "op"));
	if (op && !strcmp(op, "mapping")) {
		const char *c = json_string_value(json_object_get(j, "client"));
		long ci, cs;
		if (c && rspro_parse_slot_pair(c, &ci, &cs) == 0) {
			R.mapped = 1;
			R.client.client_id = ci;
			R.client.slot_nr = cs;
			LOGI(NULL, "told mapping C%ld:%ld (from %s)", ci, cs, from);
		} else {
			R.mapped = 0;
			LOGI(NULL, "told mapping none (from %s)", from);
		}
		enforce(a);
	} else if (op && !strcmp(op, "reset")) {
		R.mapped = 0;
		LOGI(NULL, "told reset (from %s)", from);
		enforce(a);
	} else {
		LOGW(NULL, "unknown message from %s: %.*s", from, (int)len, (const char *)d);
	}
	json_decref(j);
}

static void on_up(struct actor *a, const struct actor_conn *c, int restored, void *ud)
{
	(void)ud;
	if (R.n == MAXC) {
		actor_close(a, c->id, "fake-reader: too many connections");
		return;
	}
	struct held *h = &R.h[R.n++];
	memset(h, 0, sizeof(*h));
	h->conn = c->id;
	LOGI(NULL, "conn %u %s up%s", c->id, c->peer, restored ? " (restored)" : "");
}

static void on_down(struct actor *a, uint32_t conn, const char *peer, const char *origin,
		    const char *reason, void *ud)
{
	(void)a; (void)origin; (void)ud;
	LOGI(NULL, "conn %u %s down: %s", conn, peer, reason);
	forget(conn);
}

static void on_rspro(struct actor *a, uint32_t conn, const uint8_t *der, size_t len, void *ud)
{
	(void)ud;
	static struct rspro_msg m, r;
	struct held *h = find(conn);
	if (!h || rspro_decode(der, len, &m, NULL) != RSPRO_OK)
		return;
	if (m.type == RSPRO_MSG_CONNECT_CLIENT_REQ && m.u.connect_client_req.has_client_slot) {
		struct rspro_ident id;
		h->c = m.u.connect_client_req.client_slot;
		h->identified = 1;
		rspro_ident_set(&id, RSPRO_COMP_BANKD, "fake-reader", "remsim-bankd", "0.1.0");
		int ok = is_mapped(&h->c);
		LOGI(NULL, "ConnectClientReq C%ld:%ld on conn %u: %s", h->c.client_id, h->c.slot_nr, conn,
		     ok ? "mapped, ok" : "not mapped");
		rspro_build_connect_client_res(&r, &id, ok ? RSPRO_RES_OK : RSPRO_RES_CARD_NOT_PRESENT);
		send_msg(a, conn, &r);
		if (ok) {
			static const uint8_t atr[] = { 0x3b, 0x00 };
			rspro_build_set_atr_req(&r, h->c, atr, sizeof(atr));
			send_msg(a, conn, &r);
		}
	} else if (m.type == RSPRO_MSG_TPDU_MODEM_TO_CARD) {
		static const uint8_t sw[] = { 0x90, 0x00 };
		struct rspro_bank_slot b = { R.bank_id, R.slot };
		rspro_build_tpdu_card_to_modem(&r, b, m.u.tpdu.client, (struct rspro_tpdu_flags){ 0 }, sw, 2);
		send_msg(a, conn, &r);
	}
}

int main(int argc, char **argv)
{
	struct actor_args args;
	if (actor_parse_args(argc, argv, &args, "fake-reader",
			     "A PC/SC-less reader/N for the bankd mapping tests (see the source)."))
		return args.exit_code;
	const char *sl = strrchr(args.name, '/');
	R.slot = sl ? atol(sl + 1) : 0;
	struct actor_cbs cbs = { .on_rspro = on_rspro, .on_conn_up = on_up, .on_conn_down = on_down,
				 .on_tell = on_tell };
	struct actor *a = actor_new(&args, &cbs, NULL);
	if (!a)
		return 1;
	char q[64];
	snprintf(q, sizeof(q), "{\"op\":\"query\",\"slot\":%ld}", R.slot);
	actor_tell(a, "bankmap", q, strlen(q));
	actor_run(a);
	actor_destroy(&a);
	return 0;
}
