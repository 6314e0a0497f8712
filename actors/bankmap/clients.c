/* SPDX-License-Identifier: GPL-2.0-or-later */
/* clients.c: client connections accepted on the bankd listener (port 9999)
 * until they are handed to their reader (bankd.md §4.3, §5.1).  Each event
 * costs constant work; per-connection lines are DEBUG, and a summary of the
 * activity is logged at INFO every stats period (a reconnecting client storm
 * must not flood the log).
 *
 * | state   | event                                          | action                                        |
 * |---------|------------------------------------------------|-----------------------------------------------|
 * | -       | UP                                             | record it                       -> WAIT_ID    |
 * | WAIT_ID | no ConnectClientReq within identify_timeout_ms | CLOSE (a sweep timer checks every <= 1 s)     |
 * | WAIT_ID | a PDU whose version is not 2                   | ConnectClientRes unsupportedProtocolVersion   |
 * |         |                                                | (for a ConnectClientReq), CLOSE               |
 * | WAIT_ID | ConnectClientReq without clientSlot            | ConnectClientRes illegalClientId, CLOSE       |
 * | WAIT_ID | ConnectClientReq, identity not a client        | ConnectClientRes illegalClientId, CLOSE       |
 * | WAIT_ID | ConnectClientReq, slot C mapped to bank slot N | BIND to reader/N with the ConnectClientReq    |
 * |         |                                                | (reader/N answers ConnectClientRes, SetAtrReq)|
 * | WAIT_ID | ConnectClientReq, C not mapped                 | ConnectClientRes cardNotPresent, META = the   |
 * |         |                                                | request                         -> PARKED     |
 * | PARKED  | a mapping C -> N is created                    | BIND to reader/N with the ConnectClientReq    |
 * | PARKED  | ConnectClientReq again                         | ConnectClientRes illegalClientId, CLOSE       |
 * | any     | ClientSlotStatusInd, SetAtrRes                 | ignored (no card yet)                         |
 * | any     | TpduModemToCard, anything else, undecodable    | CLOSE (no card: protocol error); undecodable: |
 * |         |                                                | the decoder's reason at INFO, rate-limited    |
 * | any     | DOWN                                           | forget                                        |
 *
 * A parked connection keeps its ConnectClientReq in the broker's META, so a
 * restarted bankmap finds it in WELCOME and goes on waiting for its mapping. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bankmap.h"
#include "log.h"
#include "monotime.h"
#include "ratelim.h"

/* lines a hostile or broken client can repeat at will: 10 per 10 s each */
static struct ratelim rl_bad = RATELIM_INIT(10, 10000), rl_version = RATELIM_INIT(10, 10000),
		      rl_late = RATELIM_INIT(10, 10000);

static void close_conn(struct bankmap *bm, struct cl *c, const char *why)
{
	actor_close(bm->a, c->conn, why);
	conntab_del(bm->clients, c->conn);
	bm->st.closed++;
}

static void send_res(struct bankmap *bm, uint32_t conn, long result)
{
	static struct rspro_msg m;
	struct rspro_ident id;
	uint8_t der[RSPRO_PDU_MAX];
	rspro_ident_set(&id, RSPRO_COMP_BANKD, bm->hostname, BANKD_SOFTWARE, BANKD_SW_VERSION);
	rspro_build_connect_client_res(&m, &id, result);
	int n = rspro_encode(&m, der, sizeof(der));
	if (n > 0 && actor_send_rspro(bm->a, conn, der, (size_t)n) == 0)
		LOGCD(LC_RSPRO, NULL, "Tx connectClientRes(%s) (conn %u, %d octets)",
		      rspro_result_name(result) ? rspro_result_name(result) : "?", conn, n);
}

static void bind_to_reader(struct bankmap *bm, struct cl *c, long slot, const uint8_t *der, size_t len)
{
	char name[ENV_NAME_MAX], ctx[64];
	snprintf(name, sizeof(name), "reader/%ld", slot);
	LOGD(bm_ctx(bm, slot, &c->slot, ctx, sizeof(ctx)), "conn %u %s handed to %s", c->conn, c->peer, name);
	if (actor_bind(bm->a, c->conn, name, der, len) < 0) {
		LOGW(ctx, "conn %u: BIND to %s failed (hub queue full), closing", c->conn, name);
		close_conn(bm, c, "cannot hand over to reader");
		return;
	}
	conntab_del(bm->clients, c->conn);
	bm->st.bound++;
}

static int park(struct bankmap *bm, struct cl *c, const uint8_t *der, size_t len)
{
	uint8_t *copy = malloc(len);
	if (!copy)
		return -1;
	memcpy(copy, der, len);
	free(c->der);
	c->der = copy;
	c->der_len = len;
	c->state = CL_PARKED;
	if (len <= ENV_META_MAX)
		actor_set_meta(bm->a, c->conn, der, len);
	return 0;
}

/* A DER ConnectClientReq with a client slot (from the wire or from META). */
static int parse_req(const uint8_t *der, size_t len, struct rspro_msg *m)
{
	return rspro_decode(der, len, m, NULL) == RSPRO_OK && m->type == RSPRO_MSG_CONNECT_CLIENT_REQ ? 0 : -1;
}

static void on_connect_client_req(struct bankmap *bm, struct cl *c, const struct rspro_msg *m,
				  const uint8_t *der, size_t len)
{
	char ctx[64];
	const struct rspro_ident *id = &m->u.connect_client_req.identity;
	if (c->state != CL_WAIT_ID) {
		LOGD(bm_ctx(bm, -1, &c->slot, ctx, sizeof(ctx)), "conn %u: second ConnectClientReq", c->conn);
		send_res(bm, c->conn, RSPRO_RES_ILLEGAL_CLIENT_ID);
		bm->st.rejected++;
		close_conn(bm, c, "ConnectClientReq in wrong state");
		return;
	}
	if (!m->u.connect_client_req.has_client_slot || id->type != RSPRO_COMP_CLIENT) {
		LOGD(NULL, "conn %u %s: ConnectClientReq %s, rejected", c->conn, c->peer,
		     id->type != RSPRO_COMP_CLIENT ? "from a non-client identity" : "without clientSlot");
		send_res(bm, c->conn, RSPRO_RES_ILLEGAL_CLIENT_ID);
		bm->st.rejected++;
		close_conn(bm, c, "illegalClientId");
		return;
	}
	c->slot = m->u.connect_client_req.client_slot;
	long slot = mt_slot_of_client(bm, c->slot);
	if (slot >= 0) {
		bind_to_reader(bm, c, slot, der, len);
		return;
	}
	LOGD(bm_ctx(bm, -1, &c->slot, ctx, sizeof(ctx)), "conn %u %s (\"%s\" %s): not mapped, parked",
	     c->conn, c->peer, id->name, id->software);
	/* META before the answer: a client that closes on cardNotPresent must not
	 * find its connection gone before the broker stored the META */
	if (park(bm, c, der, len) < 0) {
		close_conn(bm, c, "out of memory");
		return;
	}
	send_res(bm, c->conn, RSPRO_RES_CARD_NOT_PRESENT);
	bm->st.parked++;
}

void clients_rspro(struct bankmap *bm, uint32_t conn, const uint8_t *der, size_t len)
{
	static struct rspro_msg m;
	struct rspro_decode_info info;
	unsigned long held;
	char note[RATELIM_NOTE_MAX];
	struct cl *c = conntab_get(bm->clients, conn);
	if (!c)
		return;		/* closed by us a moment ago, or handed over */
	int rc = rspro_decode(der, len, &m, &info);
	if (rc != RSPRO_OK) {
		if (ratelim_pass(&rl_bad, &held))
			LOGI(NULL, "conn %u %s: undecodable RSPRO PDU (%zu octets), closing: %s%s", conn,
			     c->peer, len, info.reason[0] ? info.reason : rspro_strerror(rc),
			     ratelim_note(held, note, sizeof(note)));
		close_conn(bm, c, "undecodable RSPRO PDU");
		return;
	}
	if (m.version != RSPRO_VERSION) {
		if (ratelim_pass(&rl_version, &held))
			LOGI(NULL, "conn %u %s: %s with RSPRO version %ld (we speak %d), closing%s", conn,
			     c->peer, rspro_msg_name(m.type), m.version, RSPRO_VERSION,
			     ratelim_note(held, note, sizeof(note)));
		if (m.type == RSPRO_MSG_CONNECT_CLIENT_REQ)
			send_res(bm, conn, RSPRO_RES_UNSUPPORTED_PROTOCOL_VERSION);
		bm->st.rejected++;
		close_conn(bm, c, "unsupported RSPRO version");
		return;
	}
	LOGCD(LC_RSPRO, NULL, "Rx %s (conn %u %s, %zu octets)", rspro_msg_name(m.type), conn, c->peer, len);
	switch (m.type) {
	case RSPRO_MSG_CONNECT_CLIENT_REQ:
		on_connect_client_req(bm, c, &m, der, len);
		break;
	case RSPRO_MSG_CLIENT_SLOT_STATUS_IND:
	case RSPRO_MSG_SET_ATR_RES:
		LOGD(NULL, "conn %u: %s ignored (no card for this connection)", conn, rspro_msg_name(m.type));
		break;
	default:
		LOGD(NULL, "conn %u %s: %s before a mapping, closing", conn, c->peer, rspro_msg_name(m.type));
		close_conn(bm, c, "unexpected message");
		break;
	}
}

void clients_up(struct bankmap *bm, const struct actor_conn *ac, int restored)
{
	struct cl *c = conntab_add(bm->clients, ac->id);
	if (!c) {
		actor_close(bm->a, ac->id, "out of memory");
		return;
	}
	snprintf(c->peer, sizeof(c->peer), "%s", ac->peer);
	c->state = CL_WAIT_ID;
	c->since = mono_ms();
	if (!restored) {
		bm->st.accepted++;
		LOGD(NULL, "conn %u from %s", ac->id, ac->peer);
		return;
	}
	/* restart: a parked connection has its ConnectClientReq in META */
	static struct rspro_msg m;
	if (ac->meta_len && parse_req(ac->meta, ac->meta_len, &m) == 0 && m.u.connect_client_req.has_client_slot) {
		c->slot = m.u.connect_client_req.client_slot;
		if (park(bm, c, ac->meta, ac->meta_len) < 0) {
			close_conn(bm, c, "out of memory");
			return;
		}
		long slot = mt_slot_of_client(bm, c->slot);
		if (slot >= 0)
			bind_to_reader(bm, c, slot, c->der, c->der_len);
	}
}

void clients_down(struct bankmap *bm, uint32_t conn)
{
	if (conntab_get(bm->clients, conn)) {
		LOGD(NULL, "conn %u gone", conn);
		conntab_del(bm->clients, conn);
		bm->st.closed++;
	}
}

/* Collect first, then hand over: binding removes entries from the table. */
struct match { struct rspro_client_slot c; uint32_t *ids; size_t n, cap; };

static void collect(struct cl *c, void *arg)
{
	struct match *mt = arg;
	if (c->state != CL_PARKED || c->slot.client_id != mt->c.client_id || c->slot.slot_nr != mt->c.slot_nr)
		return;
	if (mt->n == mt->cap) {
		size_t cap = mt->cap ? mt->cap * 2 : 4;
		uint32_t *n = realloc(mt->ids, cap * sizeof(*n));
		if (!n)
			return;
		mt->ids = n;
		mt->cap = cap;
	}
	mt->ids[mt->n++] = c->conn;
}

void clients_mapped(struct bankmap *bm, struct rspro_client_slot cs, long slot)
{
	struct match mt = { .c = cs };
	char ctx[64];
	conntab_each(bm->clients, collect, &mt);
	for (size_t i = 0; i < mt.n; i++) {
		struct cl *c = conntab_get(bm->clients, mt.ids[i]);
		if (!c)
			continue;
		LOGI(bm_ctx(bm, slot, &cs, ctx, sizeof(ctx)), "parked client %s (conn %u) now mapped",
		     c->peer, c->conn);
		bind_to_reader(bm, c, slot, c->der, c->der_len);
	}
	free(mt.ids);
}

struct late { int64_t before; uint32_t *ids; size_t n, cap; };

static void collect_late(struct cl *c, void *arg)
{
	struct late *l = arg;
	if (c->state != CL_WAIT_ID || c->since > l->before)
		return;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		uint32_t *n = realloc(l->ids, cap * sizeof(*n));
		if (!n)
			return;
		l->ids = n;
		l->cap = cap;
	}
	l->ids[l->n++] = c->conn;
}

void clients_ident_sweep(struct actor *a, void *arg)
{
	(void)a;
	struct bankmap *bm = arg;
	struct late l = { .before = mono_ms() - bm->ident_ms };
	unsigned long held;
	char note[RATELIM_NOTE_MAX];
	conntab_each(bm->clients, collect_late, &l);
	for (size_t i = 0; i < l.n; i++) {
		struct cl *c = conntab_get(bm->clients, l.ids[i]);
		if (!c)
			continue;
		if (ratelim_pass(&rl_late, &held))
			LOGI(NULL, "conn %u %s: no ConnectClientReq within %u ms, closing%s", c->conn, c->peer,
			     bm->ident_ms, ratelim_note(held, note, sizeof(note)));
		bm->st.timed_out++;
		close_conn(bm, c, "no ConnectClientReq in time");
	}
	free(l.ids);
}

static void count_parked(struct cl *c, void *arg)
{
	*(size_t *)arg += c->state == CL_PARKED;
}

size_t clients_parked(const struct bankmap *bm)
{
	size_t n = 0;
	conntab_each(bm->clients, count_parked, &n);
	return n;
}

void clients_stats_tick(struct actor *a, void *arg)
{
	(void)a;
	struct bankmap *bm = arg;
	struct bm_stats *s = &bm->st, *r = &bm->st_reported;
	if (!memcmp(s, r, sizeof(*s)))
		return;
	LOGI(NULL, "clients in the last %u s: %lu connected, %lu parked (not mapped), %lu rejected, "
		   "%lu handed to readers, %lu closed (%lu did not identify in time); now %zu waiting",
	     bm->stats_ms / 1000, s->accepted - r->accepted, s->parked - r->parked, s->rejected - r->rejected,
	     s->bound - r->bound, s->closed - r->closed, s->timed_out - r->timed_out,
	     conntab_count(bm->clients));
	*r = *s;
}

static void add_json(struct cl *c, void *arg)
{
	char cs[32] = "";
	if (c->state == CL_PARKED)
		snprintf(cs, sizeof(cs), "%ld:%ld", c->slot.client_id, c->slot.slot_nr);
	served_row_waiting(arg, c->conn, c->peer, c->state == CL_PARKED ? "parked" : "wait-id", cs, c->since);
}

/* The clients the readers serve, then the connections still ours. */
json_t *clients_json(const struct bankmap *bm)
{
	json_t *arr = json_array();
	served_json(bm, arr);
	conntab_each(bm->clients, add_json, arr);
	return arr;
}
