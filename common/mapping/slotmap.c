/* SPDX-License-Identifier: GPL-2.0-or-later */
/* slotmap.c: slot-mapping state machine and table (see slotmap.h).
 * Pure logic: the only side effects are log lines and appended actions. */
#include "slotmap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

/* ------------------------------------------------------------------------ */
/* The transition table.  A zero cell means "invalid event in this state";
 * a cell whose next state equals its own state and has no action bits is a
 * deliberate no-op. */

#define D  SM_A_DB_PUT
#define X  SM_A_DB_DEL
#define H  SM_A_HIST
#define SC SM_A_SEND_CREATE
#define SR SM_A_SEND_REMOVE
#define U  SM_A_UPDATE_CLIENT
#define TR(n, a, h) { (n), (a), (h) }
#define NOP(s) { (s), 0, SM_H_NONE }

static const struct sm_transition sm_table[SM_STATE__NUM][SM_EV__NUM] = {
	[SM_NONE] = {
		[SM_EV_CREATE]     = TR(SM_NEW, D | H, SM_H_CREATED),
	},
	[SM_NEW] = {
		[SM_EV_PUSH]       = TR(SM_UNACK, D | H | SC, SM_H_PUSHED),
		[SM_EV_DELETE]     = TR(SM_GONE, X | H | U, SM_H_DELETED),
		[SM_EV_RESET]      = TR(SM_GONE, X | H | U, SM_H_RESET),
		[SM_EV_BANK_LOST]  = NOP(SM_NEW),
		[SM_EV_BANK_BACK]  = NOP(SM_NEW),
		[SM_EV_RESTORE]    = TR(SM_NEW, H, SM_H_RESTORED),
	},
	[SM_NEW_SENT] = {
		[SM_EV_PUSH]       = TR(SM_UNACK, D | H | SC, SM_H_PUSHED),
		/* its bankd is away and forgets its maps when it goes: nothing to remove */
		[SM_EV_DELETE]     = TR(SM_GONE, X | H | U, SM_H_DELETED),
		[SM_EV_RESET]      = TR(SM_GONE, X | H | U, SM_H_RESET),
		[SM_EV_BANK_LOST]  = NOP(SM_NEW_SENT),
		[SM_EV_BANK_BACK]  = TR(SM_NEW_SENT, H, SM_H_BANK_BACK),
		[SM_EV_RESTORE]    = TR(SM_NEW_SENT, H, SM_H_RESTORED),
	},
	[SM_UNACK] = {
		[SM_EV_CREATE_OK]  = TR(SM_ACTIVE, D | H | U, SM_H_ACKNOWLEDGED),
		[SM_EV_CREATE_ERR] = TR(SM_REFUSED, D | H, SM_H_REFUSED),
		[SM_EV_DELETE]     = TR(SM_UNACK_DEL, D | H, SM_H_DELETE_REQUESTED),
		[SM_EV_RESET]      = TR(SM_UNACK_DEL, D | H, SM_H_RESET),
		[SM_EV_BANK_LOST]  = TR(SM_NEW_SENT, D | H, SM_H_BANK_LOST),
		[SM_EV_RESTORE]    = TR(SM_NEW_SENT, D | H, SM_H_RESTORED),
	},
	[SM_ACTIVE] = {
		[SM_EV_DELETE]     = TR(SM_DELETE_REQ, D | H, SM_H_DELETE_REQUESTED),
		[SM_EV_RESET]      = TR(SM_DELETE_REQ, D | H, SM_H_RESET),
		[SM_EV_BANK_LOST]  = TR(SM_NEW_SENT, D | H, SM_H_BANK_LOST),
		[SM_EV_RESTORE]    = TR(SM_NEW_SENT, D | H, SM_H_RESTORED),
	},
	[SM_REFUSED] = {
		[SM_EV_PUSH]       = NOP(SM_REFUSED),
		[SM_EV_DELETE]     = TR(SM_DELETE_REQ, D | H, SM_H_DELETE_REQUESTED),
		[SM_EV_RESET]      = TR(SM_GONE, X | H | U, SM_H_RESET),	/* the bankd refused it */
		[SM_EV_BANK_LOST]  = TR(SM_NEW_SENT, D | H, SM_H_BANK_LOST),
	},
	[SM_UNACK_DEL] = {
		[SM_EV_CREATE_OK]  = TR(SM_DELETING, D | H | SR, SM_H_REMOVING),
		[SM_EV_CREATE_ERR] = TR(SM_DELETING, D | H | SR, SM_H_REMOVING),
		/* a bankd's maps do not outlive its connection: the deletion is done */
		[SM_EV_BANK_LOST]  = TR(SM_GONE, X | H | U, SM_H_DELETED),
	},
	[SM_DELETE_REQ] = {
		[SM_EV_PUSH]       = TR(SM_DELETING, D | H | SR, SM_H_REMOVING),
		[SM_EV_RESET]      = TR(SM_GONE, X | H | U, SM_H_RESET),
		[SM_EV_BANK_LOST]  = TR(SM_GONE, X | H | U, SM_H_DELETED),
		[SM_EV_BANK_BACK]  = TR(SM_DELETE_REQ, H, SM_H_BANK_BACK),
		[SM_EV_RESTORE]    = TR(SM_DELETE_REQ, H, SM_H_RESTORED),
	},
	[SM_DELETING] = {
		[SM_EV_REMOVE_RES] = TR(SM_GONE, X | H | U, SM_H_DELETED),
		[SM_EV_BANK_LOST]  = TR(SM_GONE, X | H | U, SM_H_DELETED),
		[SM_EV_RESTORE]    = TR(SM_DELETE_REQ, D | H, SM_H_RESTORED),
	},
	/* SM_GONE: every event invalid */
};

#undef D
#undef X
#undef H
#undef SC
#undef SR
#undef U
#undef TR
#undef NOP

#define INVALID(s) [s] = { (s), SM_A_INVALID, SM_H_NONE }
static const struct sm_transition sm_invalid[SM_STATE__NUM] = {
	INVALID(SM_NONE), INVALID(SM_NEW), INVALID(SM_NEW_SENT), INVALID(SM_UNACK),
	INVALID(SM_ACTIVE), INVALID(SM_REFUSED), INVALID(SM_UNACK_DEL),
	INVALID(SM_DELETE_REQ), INVALID(SM_DELETING), INVALID(SM_GONE),
};
#undef INVALID

const struct sm_transition *sm_transition(enum sm_state state, enum sm_event ev)
{
	if ((unsigned)state >= SM_STATE__NUM || (unsigned)ev >= SM_EV__NUM)
		return NULL;
	const struct sm_transition *tr = &sm_table[state][ev];
	if (tr->next == SM_NONE && tr->acts == 0)
		return &sm_invalid[state];
	return tr;
}

/* ------------------------------------------------------------------------ */
/* names */

static const char *const state_names[SM_STATE__NUM] = {
	[SM_NONE] = "NONE", [SM_NEW] = "NEW", [SM_NEW_SENT] = "NEW_SENT",
	[SM_UNACK] = "UNACKNOWLEDGED", [SM_ACTIVE] = "ACTIVE", [SM_REFUSED] = "REFUSED",
	[SM_UNACK_DEL] = "UNACK_DELETE", [SM_DELETE_REQ] = "DELETE_REQ",
	[SM_DELETING] = "DELETING", [SM_GONE] = "GONE",
};
static const char *const state_rest_names[SM_STATE__NUM] = {
	[SM_NONE] = "NONE", [SM_NEW] = "NEW", [SM_NEW_SENT] = "NEW",
	[SM_UNACK] = "UNACKNOWLEDGED", [SM_ACTIVE] = "ACTIVE", [SM_REFUSED] = "NEW",
	[SM_UNACK_DEL] = "DELETE_REQ", [SM_DELETE_REQ] = "DELETE_REQ",
	[SM_DELETING] = "DELETING", [SM_GONE] = "GONE",
};
static const char *const event_names[SM_EV__NUM] = {
	[SM_EV_CREATE] = "CREATE", [SM_EV_PUSH] = "PUSH", [SM_EV_CREATE_OK] = "CREATE_OK",
	[SM_EV_CREATE_ERR] = "CREATE_ERR", [SM_EV_DELETE] = "DELETE", [SM_EV_RESET] = "RESET",
	[SM_EV_REMOVE_RES] = "REMOVE_RES", [SM_EV_BANK_LOST] = "BANK_LOST",
	[SM_EV_BANK_BACK] = "BANK_BACK", [SM_EV_RESTORE] = "RESTORE",
};
static const char *const hist_names[SM_H__NUM] = {
	[SM_H_NONE] = "none", [SM_H_CREATED] = "created", [SM_H_PUSHED] = "pushed",
	[SM_H_ACKNOWLEDGED] = "acknowledged", [SM_H_REFUSED] = "refused",
	[SM_H_ACTIVATED] = "activated", [SM_H_RELEASED] = "released",
	[SM_H_DELETE_REQUESTED] = "delete_requested", [SM_H_REMOVING] = "removing",
	[SM_H_DELETED] = "deleted", [SM_H_BANK_LOST] = "bank_lost",
	[SM_H_BANK_BACK] = "bank_back", [SM_H_RESET] = "reset", [SM_H_RESTORED] = "restored",
};
static const char *const actor_names[SM_ACTOR__NUM] = {
	[SM_ACTOR_SERVER] = "server", [SM_ACTOR_CTL] = "ctl", [SM_ACTOR_REST] = "rest",
	[SM_ACTOR_STARTUP] = "startup", [SM_ACTOR_BANKD] = "bankd", [SM_ACTOR_CLIENT] = "client",
};

const char *sm_state_name(enum sm_state s)
{
	return (unsigned)s < SM_STATE__NUM ? state_names[s] : "?";
}

const char *sm_state_rest_name(enum sm_state s)
{
	return (unsigned)s < SM_STATE__NUM ? state_rest_names[s] : "?";
}

bool sm_state_visible(enum sm_state s)
{
	return s == SM_NEW || s == SM_NEW_SENT || s == SM_UNACK || s == SM_ACTIVE ||
	       s == SM_REFUSED;
}

int sm_state_on_bank(enum sm_state s)
{
	return !(s == SM_NONE || s == SM_NEW || s == SM_GONE);
}

const char *sm_event_name(enum sm_event e)
{
	return (unsigned)e < SM_EV__NUM ? event_names[e] : "?";
}

const char *sm_hist_name(enum sm_hist h)
{
	return (unsigned)h < SM_H__NUM ? hist_names[h] : "?";
}

int sm_hist_parse(const char *name)
{
	if (!name)
		return -1;
	for (int i = 1; i < SM_H__NUM; i++)
		if (strcmp(name, hist_names[i]) == 0)
			return i;
	return -1;
}

const char *sm_actor_name(enum sm_actor a)
{
	return (unsigned)a < SM_ACTOR__NUM ? actor_names[a] : "?";
}

const char *sm_strerror(int rc)
{
	switch (rc) {
	case SM_OK: return "ok";
	case SM_ERR_RANGE: return "id or slot out of range 0..1023";
	case SM_ERR_SAME: return "this mapping already exists";
	case SM_ERR_BANK_IN_USE: return "bank slot already mapped";
	case SM_ERR_CLIENT_IN_USE: return "client slot already mapped";
	case SM_ERR_NOT_FOUND: return "no such mapping";
	case SM_ERR_UNSOLICITED: return "response without pending request";
	case SM_ERR_INVALID_EVENT: return "event not allowed in this state";
	case SM_ERR_NOMEM: return "out of memory";
	case SM_ERR_BAD_STATE: return "bad stored mapping";
	default: return rc > 0 ? "ok" : "unknown error";
	}
}

uint32_t sm_rest_id(struct sm_slot bank)
{
	return (uint32_t)bank.id * 65536u + bank.nr;
}

static int parse_part(const char *s, size_t len, uint16_t *out)
{
	if (len == 0 || len > 4)
		return -1;
	unsigned v = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > SM_MAX_ID)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

int sm_slot_parse(const char *s, struct sm_slot *out)
{
	if (!s || !out)
		return -1;
	const char *colon = strchr(s, ':');
	if (!colon)
		return -1;
	struct sm_slot r;
	if (parse_part(s, (size_t)(colon - s), &r.id) < 0 ||
	    parse_part(colon + 1, strlen(colon + 1), &r.nr) < 0)
		return -1;
	*out = r;
	return 0;
}

void sm_ctx(char *buf, size_t len, struct sm_slot client, struct sm_slot bank)
{
	snprintf(buf, len, "C%u:%u B%u:%u", client.id, client.nr, bank.id, bank.nr);
}

/* ------------------------------------------------------------------------ */
/* action lists */

void sm_actions_init(struct sm_actions *a)
{
	memset(a, 0, sizeof(*a));
}

void sm_actions_clear(struct sm_actions *a)
{
	a->n = 0;
	a->oom = false;
}

void sm_actions_free(struct sm_actions *a)
{
	free(a->v);
	sm_actions_init(a);
}

static struct sm_action *act_push(struct sm_actions *a, enum sm_action_type type,
				  const struct sm_map *m, enum sm_state state)
{
	if (!a)
		return NULL;
	if (a->n == a->cap) {
		size_t ncap = a->cap ? a->cap * 2 : 16;
		struct sm_action *nv = realloc(a->v, ncap * sizeof(*nv));
		if (!nv) {
			a->oom = true;
			return NULL;
		}
		a->v = nv;
		a->cap = ncap;
	}
	struct sm_action *x = &a->v[a->n++];
	memset(x, 0, sizeof(*x));
	x->type = type;
	x->map_id = m->id;
	x->client = m->client;
	x->bank = m->bank;
	x->state = state;
	x->prev = m->state;
	x->result = -1;
	return x;
}

/* ------------------------------------------------------------------------ */
/* the table of maps, banks and clients */

struct sm_bank {
	uint16_t id;
	uint32_t ipv4;
	uint16_t port;
};

struct sm_client {
	struct sm_slot slot;
	struct sm_slot last_bank;   /* last ConfigClientBankReq sent */
	uint32_t last_ipv4;
	uint16_t last_port;
};

struct slotmap_table {
	struct sm_map *maps;        /* creation order */
	size_t n, cap;
	struct sm_bank *banks;
	size_t nbanks, capbanks;
	struct sm_client *clients;
	size_t nclients, capclients;
	uint64_t next_id;
	uint64_t seq;               /* request order for FIFO matching */
	bool create_error_activates;
};

static bool slot_eq(struct sm_slot a, struct sm_slot b)
{
	return a.id == b.id && a.nr == b.nr;
}

static bool slot_in_range(struct sm_slot s)
{
	return s.id <= SM_MAX_ID && s.nr <= SM_MAX_ID;
}

static int grow(void **v, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : 16;
	void *nv = realloc(*v, ncap * elem);
	if (!nv)
		return -1;
	*v = nv;
	*cap = ncap;
	return 0;
}

struct slotmap_table *slotmap_new(void)
{
	struct slotmap_table *t = calloc(1, sizeof(*t));
	if (t)
		t->next_id = 1;
	return t;
}

void slotmap_free(struct slotmap_table *t)
{
	if (!t)
		return;
	free(t->maps);
	free(t->banks);
	free(t->clients);
	free(t);
}

void slotmap_set_create_error_activates(struct slotmap_table *t, bool on)
{
	t->create_error_activates = on;
}

void slotmap_set_next_id(struct slotmap_table *t, uint64_t next_id)
{
	t->next_id = next_id ? next_id : 1;
}

static struct sm_map *map_by_id(const struct slotmap_table *t, uint64_t id, size_t *idx)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->maps[i].id == id) {
			if (idx)
				*idx = i;
			return &t->maps[i];
		}
	return NULL;
}

static struct sm_bank *bank_find(const struct slotmap_table *t, uint16_t id)
{
	for (size_t i = 0; i < t->nbanks; i++)
		if (t->banks[i].id == id)
			return &t->banks[i];
	return NULL;
}

static struct sm_client *client_find(const struct slotmap_table *t, struct sm_slot s)
{
	for (size_t i = 0; i < t->nclients; i++)
		if (slot_eq(t->clients[i].slot, s))
			return &t->clients[i];
	return NULL;
}

static struct sm_map *visible_by_client(const struct slotmap_table *t, struct sm_slot c)
{
	for (size_t i = 0; i < t->n; i++)
		if (sm_state_visible(t->maps[i].state) && slot_eq(t->maps[i].client, c))
			return &t->maps[i];
	return NULL;
}

static struct sm_map *visible_by_bank(const struct slotmap_table *t, struct sm_slot b)
{
	for (size_t i = 0; i < t->n; i++)
		if (sm_state_visible(t->maps[i].state) && slot_eq(t->maps[i].bank, b))
			return &t->maps[i];
	return NULL;
}

/* server.md 5.5 "update client for slotmap", for the client of map m.  The
 * client's current visible map decides the target; if it has none (m was
 * just removed) the target is {m.bank, 0.0.0.0, 0}. */
static void update_client(struct slotmap_table *t, const struct sm_map *m, enum sm_actor actor,
			  struct sm_actions *out)
{
	struct sm_client *c = client_find(t, m->client);
	if (!c)
		return;
	const struct sm_map *v = visible_by_client(t, m->client);
	const struct sm_map *ref = v ? v : m;
	uint32_t ip = 0;
	uint16_t port = 0;
	if (v) {
		const struct sm_bank *b = bank_find(t, v->bank.id);
		if (b) {
			ip = b->ipv4;
			port = b->port;
		}
	}
	if (slot_eq(c->last_bank, ref->bank) && c->last_ipv4 == ip && c->last_port == port)
		return;
	bool was_connected = c->last_ipv4 != 0 || c->last_port != 0;
	c->last_bank = ref->bank;
	c->last_ipv4 = ip;
	c->last_port = port;

	char ctx[40];
	sm_ctx(ctx, sizeof(ctx), ref->client, ref->bank);
	LOGI(ctx, "client configured for bankd %u.%u.%u.%u:%u", ip >> 24, (ip >> 16) & 255,
	     (ip >> 8) & 255, ip & 255, port);
	struct sm_action *a = act_push(out, SM_ACT_CONFIG_CLIENT, ref, ref->state);
	if (a) {
		a->ipv4 = ip;
		a->port = port;
	}
	if (ip != 0 || port != 0 || was_connected) {
		a = act_push(out, SM_ACT_HISTORY, ref, ref->state);
		if (a) {
			a->hist = (ip != 0 || port != 0) ? SM_H_ACTIVATED : SM_H_RELEASED;
			a->actor = actor;
			a->ipv4 = ip;
			a->port = port;
		}
	}
}

static bool pushable(enum sm_state s)
{
	return s == SM_NEW || s == SM_NEW_SENT || s == SM_DELETE_REQ;
}

/* Apply one event to the map at index idx.  Returns SM_OK, or
 * SM_ERR_INVALID_EVENT.  auto_push: dispatch PUSH afterwards if the map is
 * pushable and its bankd is up. */
static int apply(struct slotmap_table *t, size_t idx, enum sm_event ev, enum sm_actor actor,
		 int result, bool auto_push, struct sm_actions *out)
{
	struct sm_map *m = &t->maps[idx];
	const struct sm_transition *tr = sm_transition(m->state, ev);
	char ctx[40];
	sm_ctx(ctx, sizeof(ctx), m->client, m->bank);
	if (!tr || (tr->acts & SM_A_INVALID)) {
		LOGN(ctx, "map %llu: event %s not allowed in state %s, ignored",
		     (unsigned long long)m->id, sm_event_name(ev), sm_state_name(m->state));
		return SM_ERR_INVALID_EVENT;
	}
	if (tr->acts == 0 && tr->next == m->state)
		return SM_OK;

	enum sm_state old = m->state;
	m->state = tr->next;
	if (old != m->state)
		LOGI(ctx, "map %llu: %s -> %s (%s by %s)", (unsigned long long)m->id,
		     sm_state_name(old), sm_state_name(m->state), sm_event_name(ev),
		     sm_actor_name(actor));
	struct sm_action *a;
	struct sm_map before = *m;
	before.state = old;
	if (tr->acts & SM_A_DB_PUT)
		act_push(out, SM_ACT_DB_PUT, &before, m->state);
	if (tr->acts & SM_A_DB_DEL)
		act_push(out, SM_ACT_DB_DEL, &before, SM_GONE);
	if ((tr->acts & SM_A_HIST) && (a = act_push(out, SM_ACT_HISTORY, &before, m->state))) {
		a->hist = tr->hist;
		a->actor = actor;
		a->result = result;
	}
	if (tr->acts & (SM_A_SEND_CREATE | SM_A_SEND_REMOVE)) {
		m->sent_seq = ++t->seq;
		act_push(out, (tr->acts & SM_A_SEND_CREATE) ? SM_ACT_SEND_CREATE : SM_ACT_SEND_REMOVE,
			 &before, m->state);
	}
	if (m->state == SM_GONE) {
		struct sm_map gone = *m;
		memmove(&t->maps[idx], &t->maps[idx + 1], (t->n - idx - 1) * sizeof(*m));
		t->n--;
		if (tr->acts & SM_A_UPDATE_CLIENT)
			update_client(t, &gone, actor, out);
		return SM_OK;
	}
	if (tr->acts & SM_A_UPDATE_CLIENT)
		update_client(t, m, actor, out);
	if (auto_push && pushable(m->state) && bank_find(t, m->bank.id))
		return apply(t, idx, SM_EV_PUSH, actor, -1, false, out);
	return SM_OK;
}

int slotmap_event(struct slotmap_table *t, uint64_t map_id, enum sm_event ev,
		  enum sm_actor actor, int result, struct sm_actions *out)
{
	size_t idx;
	if (!map_by_id(t, map_id, &idx))
		return SM_ERR_NOT_FOUND;
	return apply(t, idx, ev, actor, result, true, out);
}

static int finish(const struct sm_actions *out, int rc)
{
	return (out && out->oom) ? SM_ERR_NOMEM : rc;
}

/* ------------------------------------------------------------------------ */
/* operator operations */

int slotmap_create(struct slotmap_table *t, struct sm_slot client, struct sm_slot bank,
		   enum sm_actor actor, struct sm_actions *out, uint64_t *id_out)
{
	char ctx[40];
	sm_ctx(ctx, sizeof(ctx), client, bank);
	if (!slot_in_range(client) || !slot_in_range(bank)) {
		LOGN(ctx, "create refused: %s", sm_strerror(SM_ERR_RANGE));
		return SM_ERR_RANGE;
	}
	const struct sm_map *b = visible_by_bank(t, bank);
	const struct sm_map *c = visible_by_client(t, client);
	int rc = SM_OK;
	if (b && b == c)
		rc = SM_ERR_SAME;
	else if (b)
		rc = SM_ERR_BANK_IN_USE;
	else if (c)
		rc = SM_ERR_CLIENT_IN_USE;
	if (rc != SM_OK) {
		LOGN(ctx, "create refused: %s", sm_strerror(rc));
		return rc;
	}
	if (grow((void **)&t->maps, &t->cap, t->n, sizeof(*t->maps)) < 0)
		return SM_ERR_NOMEM;
	struct sm_map *m = &t->maps[t->n++];
	memset(m, 0, sizeof(*m));
	m->id = t->next_id++;
	m->client = client;
	m->bank = bank;
	m->state = SM_NONE;
	if (id_out)
		*id_out = m->id;
	rc = apply(t, t->n - 1, SM_EV_CREATE, actor, -1, true, out);
	return finish(out, rc);
}

static int delete_at(struct slotmap_table *t, struct sm_map *m, enum sm_event ev,
		     enum sm_actor actor, struct sm_actions *out)
{
	return apply(t, (size_t)(m - t->maps), ev, actor, -1, true, out);
}

int slotmap_delete_bank(struct slotmap_table *t, struct sm_slot bank, enum sm_actor actor,
			struct sm_actions *out)
{
	struct sm_map *m = visible_by_bank(t, bank);
	if (!m)
		return SM_ERR_NOT_FOUND;
	return finish(out, delete_at(t, m, SM_EV_DELETE, actor, out));
}

int slotmap_delete_client(struct slotmap_table *t, struct sm_slot client, enum sm_actor actor,
			  struct sm_actions *out)
{
	struct sm_map *m = visible_by_client(t, client);
	if (!m)
		return SM_ERR_NOT_FOUND;
	return finish(out, delete_at(t, m, SM_EV_DELETE, actor, out));
}

int slotmap_reset(struct slotmap_table *t, enum sm_actor actor, struct sm_actions *out)
{
	int count = 0;
	/* snapshot the ids first: maps may disappear while we go */
	size_t nids = 0;
	uint64_t *ids = malloc((t->n ? t->n : 1) * sizeof(*ids));
	if (!ids)
		return SM_ERR_NOMEM;
	/* every map a reset applies to: the listed ones and pending removals
	 * (nothing queued for a bankd survives); in-flight ones finish */
	for (size_t i = 0; i < t->n; i++)
		if (!(sm_transition(t->maps[i].state, SM_EV_RESET)->acts & SM_A_INVALID))
			ids[nids++] = t->maps[i].id;
	for (size_t i = 0; i < nids; i++) {
		size_t idx;
		if (map_by_id(t, ids[i], &idx) && apply(t, idx, SM_EV_RESET, actor, -1, true, out) == SM_OK)
			count++;
	}
	free(ids);
	LOGI(NULL, "global reset by %s: %d maps deleted", sm_actor_name(actor), count);
	return finish(out, count);
}

/* ------------------------------------------------------------------------ */
/* bankd and client events */

/* Apply ev to every map of bank_id (creation order) whose state is in the
 * bit set `states` (0: all), without auto-push. */
static void for_bank(struct slotmap_table *t, uint16_t bank_id, enum sm_event ev,
		     unsigned states, struct sm_actions *out)
{
	for (size_t i = 0; i < t->n;) {
		struct sm_map *m = &t->maps[i];
		uint64_t id = m->id;
		if (m->bank.id == bank_id && (!states || (states & (1u << m->state))))
			apply(t, i, ev, SM_ACTOR_BANKD, -1, false, out);
		/* the map may have been removed: only advance if it is still here */
		if (i < t->n && t->maps[i].id == id)
			i++;
	}
}

int slotmap_bank_down(struct slotmap_table *t, uint16_t bank_id, struct sm_actions *out)
{
	struct sm_bank *b = bank_find(t, bank_id);
	if (!b)
		return SM_ERR_NOT_FOUND;
	*b = t->banks[--t->nbanks];
	LOGI(NULL, "bankd B%u lost", bank_id);
	for_bank(t, bank_id, SM_EV_BANK_LOST, 0, out);
	return finish(out, SM_OK);
}

int slotmap_bank_up(struct slotmap_table *t, uint16_t bank_id, uint32_t ipv4, uint16_t port,
		    struct sm_actions *out)
{
	if (bank_find(t, bank_id))
		slotmap_bank_down(t, bank_id, out);
	if (grow((void **)&t->banks, &t->capbanks, t->nbanks, sizeof(*t->banks)) < 0)
		return SM_ERR_NOMEM;
	t->banks[t->nbanks++] = (struct sm_bank){ .id = bank_id, .ipv4 = ipv4, .port = port };
	LOGI(NULL, "bankd B%u up, clients use %u.%u.%u.%u:%u", bank_id, ipv4 >> 24,
	     (ipv4 >> 16) & 255, (ipv4 >> 8) & 255, ipv4 & 255, port);
	for_bank(t, bank_id, SM_EV_BANK_BACK, 0, out);
	/* PUSH: creates first, then removes (server.md 5.4), each in creation order */
	for_bank(t, bank_id, SM_EV_PUSH, (1u << SM_NEW) | (1u << SM_NEW_SENT), out);
	for_bank(t, bank_id, SM_EV_PUSH, 1u << SM_DELETE_REQ, out);
	return finish(out, SM_OK);
}

bool slotmap_bank_is_up(const struct slotmap_table *t, uint16_t bank_id)
{
	return bank_find(t, bank_id) != NULL;
}

/* Oldest request of bank_id in one of the given states. */
static struct sm_map *fifo_first(struct slotmap_table *t, uint16_t bank_id, enum sm_state s1,
				 enum sm_state s2, size_t *idx)
{
	struct sm_map *best = NULL;
	for (size_t i = 0; i < t->n; i++) {
		struct sm_map *m = &t->maps[i];
		if (m->bank.id != bank_id || (m->state != s1 && m->state != s2))
			continue;
		if (!best || m->sent_seq < best->sent_seq) {
			best = m;
			*idx = i;
		}
	}
	return best;
}

int slotmap_create_res(struct slotmap_table *t, uint16_t bank_id, int result,
		       struct sm_actions *out)
{
	size_t idx = 0;
	struct sm_map *m = bank_find(t, bank_id) ?
		fifo_first(t, bank_id, SM_UNACK, SM_UNACK_DEL, &idx) : NULL;
	if (!m) {
		LOGN(NULL, "B%u: CreateMappingRes (result %d) without pending request, ignored",
		     bank_id, result);
		return SM_ERR_UNSOLICITED;
	}
	enum sm_event ev = (result == 0 || t->create_error_activates) ? SM_EV_CREATE_OK
								       : SM_EV_CREATE_ERR;
	if (result != 0) {
		char ctx[40];
		sm_ctx(ctx, sizeof(ctx), m->client, m->bank);
		LOGN(ctx, "bankd answered CreateMappingRes with error result %d", result);
	}
	return finish(out, apply(t, idx, ev, SM_ACTOR_BANKD, result, true, out));
}

int slotmap_remove_res(struct slotmap_table *t, uint16_t bank_id, int result,
		       struct sm_actions *out)
{
	size_t idx = 0;
	struct sm_map *m = bank_find(t, bank_id) ?
		fifo_first(t, bank_id, SM_DELETING, SM_DELETING, &idx) : NULL;
	if (!m) {
		LOGN(NULL, "B%u: RemoveMappingRes (result %d) without pending request, ignored",
		     bank_id, result);
		return SM_ERR_UNSOLICITED;
	}
	return finish(out, apply(t, idx, SM_EV_REMOVE_RES, SM_ACTOR_BANKD, result, true, out));
}

int slotmap_client_up(struct slotmap_table *t, struct sm_slot client, struct sm_actions *out)
{
	struct sm_client *c = client_find(t, client);
	if (!c) {
		if (grow((void **)&t->clients, &t->capclients, t->nclients, sizeof(*t->clients)) < 0)
			return SM_ERR_NOMEM;
		c = &t->clients[t->nclients++];
	}
	memset(c, 0, sizeof(*c));
	c->slot = client;
	const struct sm_map *v = visible_by_client(t, client);
	if (v)
		update_client(t, v, SM_ACTOR_CLIENT, out);
	return finish(out, SM_OK);
}

void slotmap_client_down(struct slotmap_table *t, struct sm_slot client)
{
	struct sm_client *c = client_find(t, client);
	if (c)
		*c = t->clients[--t->nclients];
}

/* ------------------------------------------------------------------------ */
/* restart recovery */

int slotmap_restore(struct slotmap_table *t, uint64_t id, struct sm_slot client,
		    struct sm_slot bank, const char *db_state, int on_bank,
		    struct sm_actions *out)
{
	char ctx[40];
	sm_ctx(ctx, sizeof(ctx), client, bank);
	enum sm_state s;
	if (!db_state)
		return SM_ERR_BAD_STATE;
	if (strcmp(db_state, "NEW") == 0)
		s = on_bank ? SM_NEW_SENT : SM_NEW;
	else if (strcmp(db_state, "UNACKNOWLEDGED") == 0)
		s = SM_UNACK;
	else if (strcmp(db_state, "ACTIVE") == 0)
		s = SM_ACTIVE;
	else if (strcmp(db_state, "DELETE_REQ") == 0)
		s = SM_DELETE_REQ;
	else if (strcmp(db_state, "DELETING") == 0)
		s = SM_DELETING;
	else {
		LOGE(ctx, "stored map %llu has unknown state '%s', skipped",
		     (unsigned long long)id, db_state);
		return SM_ERR_BAD_STATE;
	}
	if (!slot_in_range(client) || !slot_in_range(bank)) {
		LOGE(ctx, "stored map %llu out of range, skipped", (unsigned long long)id);
		return SM_ERR_RANGE;
	}
	if (id == 0 || map_by_id(t, id, NULL)) {
		LOGE(ctx, "stored map %llu: duplicate id, skipped", (unsigned long long)id);
		return SM_ERR_BAD_STATE;
	}
	if (sm_state_visible(s) && (visible_by_bank(t, bank) || visible_by_client(t, client))) {
		LOGE(ctx, "stored map %llu conflicts with another map, skipped",
		     (unsigned long long)id);
		return visible_by_bank(t, bank) ? SM_ERR_BANK_IN_USE : SM_ERR_CLIENT_IN_USE;
	}
	if (grow((void **)&t->maps, &t->cap, t->n, sizeof(*t->maps)) < 0)
		return SM_ERR_NOMEM;
	/* keep creation (id) order */
	size_t pos = t->n;
	while (pos > 0 && t->maps[pos - 1].id > id)
		pos--;
	memmove(&t->maps[pos + 1], &t->maps[pos], (t->n - pos) * sizeof(*t->maps));
	t->n++;
	struct sm_map *m = &t->maps[pos];
	memset(m, 0, sizeof(*m));
	m->id = id;
	m->client = client;
	m->bank = bank;
	m->state = s;
	if (id >= t->next_id)
		t->next_id = id + 1;
	return finish(out, apply(t, pos, SM_EV_RESTORE, SM_ACTOR_STARTUP, -1, true, out));
}

/* ------------------------------------------------------------------------ */
/* queries */

size_t slotmap_count(const struct slotmap_table *t, bool include_hidden)
{
	if (include_hidden)
		return t->n;
	size_t k = 0;
	for (size_t i = 0; i < t->n; i++)
		if (sm_state_visible(t->maps[i].state))
			k++;
	return k;
}

const struct sm_map *slotmap_at(const struct slotmap_table *t, size_t i, bool include_hidden)
{
	if (include_hidden)
		return i < t->n ? &t->maps[i] : NULL;
	for (size_t j = 0; j < t->n; j++)
		if (sm_state_visible(t->maps[j].state) && i-- == 0)
			return &t->maps[j];
	return NULL;
}

const struct sm_map *slotmap_get(const struct slotmap_table *t, uint64_t map_id)
{
	return map_by_id(t, map_id, NULL);
}

const struct sm_map *slotmap_find_bank(const struct slotmap_table *t, struct sm_slot bank)
{
	return visible_by_bank(t, bank);
}

const struct sm_map *slotmap_find_client(const struct slotmap_table *t, struct sm_slot client)
{
	return visible_by_client(t, client);
}
