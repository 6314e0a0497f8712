/* SPDX-License-Identifier: GPL-2.0-or-later */
/* slotmap.h: the server's slot-mapping core (no I/O).
 *
 * A slotmap_table holds every mapping ClientSlot C:S <-> BankSlot B:S, knows
 * which bankds and clients are connected, and runs each mapping through a
 * table-driven state machine (state x event -> next state + action bits; see
 * sm_transition()).  Every operation appends what must happen next to an
 * sm_actions list as plain data: database writes, history records, RSPRO
 * messages to bankds and clients.  The caller (the mapstore actor) executes
 * them, normally in this order:
 *   1. mapdb_apply(db, acts)   all SM_ACT_DB_* and SM_ACT_HISTORY in one
 *                              committed transaction (durable on return);
 *   2. SM_ACT_SEND_* in list order;
 *   3. answer the operator.
 * If step 1 fails the in-memory table is ahead of the database: answer
 * "error" and restart the actor (the restart reloads the durable state).
 *
 * Behaviour follows osmo-remsim's slot-mapping rules (docs/server.md) with the recommended fixes:
 * strict 0..1023 ranges, deleting an UNACKNOWLEDGED map sends a
 * RemoveMappingReq once the bankd answers, unsolicited responses are ignored,
 * an error CreateMappingRes parks the map instead of activating it, pending
 * removals survive a server restart, and a bankd's maps do not outlive its
 * connection (maps being removed are deleted when it goes; a global reset
 * deletes at once what no connected bankd holds). */
#ifndef REMSIM_SLOTMAP_H
#define REMSIM_SLOTMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SM_MAX_ID 1023          /* bank/client ids and slot numbers: 0..1023 */
#define SM_BANKD_PORT 9999      /* port announced to clients (server.md 5.5) */

/* A ClientSlot (id = clientId) or BankSlot (id = bankId). */
struct sm_slot {
	uint16_t id;
	uint16_t nr;
};

/* Mapping states.  Several internal states share one operator-visible
 * (REST) name; hidden states are not listed and not addressable. */
enum sm_state {
	SM_NONE = 0,    /* pseudo state before creation                        */
	SM_NEW,         /* "NEW": never sent to the bankd                        */
	SM_NEW_SENT,    /* "NEW": waiting for its bankd, which may still hold it */
	SM_UNACK,       /* "UNACKNOWLEDGED": CreateMappingReq sent               */
	SM_ACTIVE,      /* "ACTIVE": bankd confirmed                             */
	SM_REFUSED,     /* "NEW": bankd answered an error; parked until the
	                   bankd reconnects                                      */
	SM_UNACK_DEL,   /* hidden: deleted while unacknowledged; a
	                   RemoveMappingReq follows the CreateMappingRes         */
	SM_DELETE_REQ,  /* hidden "DELETE_REQ": RemoveMappingReq still to send  */
	SM_DELETING,    /* hidden "DELETING": RemoveMappingReq sent              */
	SM_GONE,        /* pseudo state: removed from the table                 */
	SM_STATE__NUM
};

enum sm_event {
	SM_EV_CREATE = 0, /* operator creates the map                         */
	SM_EV_PUSH,       /* its bankd is connected: send what is pending       */
	SM_EV_CREATE_OK,  /* CreateMappingRes result ok (FIFO-matched)          */
	SM_EV_CREATE_ERR, /* CreateMappingRes result != ok                      */
	SM_EV_DELETE,     /* operator deletes the map                           */
	SM_EV_RESET,      /* operator global reset                              */
	SM_EV_REMOVE_RES, /* RemoveMappingRes, any result (FIFO-matched)        */
	SM_EV_BANK_LOST,  /* its bankd's connection ended                       */
	SM_EV_BANK_BACK,  /* its bankd (re)connected (PUSH follows)             */
	SM_EV_RESTORE,    /* loaded from the database at server start           */
	SM_EV__NUM
};

/* History event names (stable strings, see docs/mapping-history.md). */
enum sm_hist {
	SM_H_NONE = 0,
	SM_H_CREATED,          /* "created"          */
	SM_H_PUSHED,           /* "pushed"           */
	SM_H_ACKNOWLEDGED,     /* "acknowledged"     */
	SM_H_REFUSED,          /* "refused"          */
	SM_H_ACTIVATED,        /* "activated"        */
	SM_H_RELEASED,         /* "released"         */
	SM_H_DELETE_REQUESTED, /* "delete_requested" */
	SM_H_REMOVING,         /* "removing"         */
	SM_H_DELETED,          /* "deleted"          */
	SM_H_BANK_LOST,        /* "bank_lost"        */
	SM_H_BANK_BACK,        /* "bank_back"        */
	SM_H_RESET,            /* "reset"            */
	SM_H_RESTORED,         /* "restored"         */
	SM_H__NUM
};

/* Who caused an event ("the actor who asked"). */
enum sm_actor {
	SM_ACTOR_SERVER = 0, /* "server"  */
	SM_ACTOR_CTL,        /* "ctl"     remsim-ctl */
	SM_ACTOR_REST,       /* "rest"    REST API */
	SM_ACTOR_STARTUP,    /* "startup" restart recovery */
	SM_ACTOR_BANKD,      /* "bankd"   a bankd's message or connection */
	SM_ACTOR_CLIENT,     /* "client"  a client's connection */
	SM_ACTOR__NUM
};

/* Action bits of a transition (executed in this order). */
enum {
	SM_A_INVALID = 1u << 0, /* event not allowed here: logged, nothing done */
	SM_A_DB_PUT  = 1u << 1, /* persist the map row                          */
	SM_A_DB_DEL  = 1u << 2, /* delete the map row                           */
	SM_A_HIST    = 1u << 3, /* record history event tr->hist                */
	SM_A_SEND_CREATE = 1u << 4, /* CreateMappingReq to the bankd            */
	SM_A_SEND_REMOVE = 1u << 5, /* RemoveMappingReq to the bankd            */
	SM_A_UPDATE_CLIENT = 1u << 6, /* server.md 5.5 for the map's client     */
};

struct sm_transition {
	enum sm_state next;
	unsigned acts;       /* SM_A_* bits; 0 with next == state: no-op      */
	enum sm_hist hist;   /* with SM_A_HIST                                */
};

/* One action for the caller to execute. */
enum sm_action_type {
	SM_ACT_DB_PUT = 1,    /* insert/update map row: map_id, client, bank, state */
	SM_ACT_DB_DEL,        /* delete map row map_id                               */
	SM_ACT_HISTORY,       /* append history row: hist, actor, map fields, state,
	                         result, ipv4/port (activated/released)             */
	SM_ACT_SEND_CREATE,   /* CreateMappingReq{client, bank} to bankd bank.id     */
	SM_ACT_SEND_REMOVE,   /* RemoveMappingReq{client, bank} to bankd bank.id     */
	SM_ACT_CONFIG_CLIENT, /* ConfigClientBankReq{bank, ipv4:port} to client
	                         (ipv4 0 and port 0: "disconnect from the bankd")   */
};

struct sm_action {
	enum sm_action_type type;
	uint64_t map_id;
	struct sm_slot client;
	struct sm_slot bank;
	enum sm_state state;   /* state after the event (SM_GONE when removed) */
	enum sm_state prev;    /* state before the event */
	enum sm_hist hist;     /* SM_ACT_HISTORY */
	enum sm_actor actor;   /* SM_ACT_HISTORY */
	int result;            /* bankd ResultCode for acknowledged/refused/deleted
	                          history; -1 if none */
	uint32_t ipv4;         /* host byte order (SM_ACT_CONFIG_CLIENT, activated) */
	uint16_t port;
};

/* Growable action list.  Operations append; the caller clears after use. */
struct sm_actions {
	struct sm_action *v;
	size_t n, cap;
	bool oom;              /* an append failed: the list is incomplete */
};

void sm_actions_init(struct sm_actions *a);
void sm_actions_clear(struct sm_actions *a);   /* n = 0, keeps memory */
void sm_actions_free(struct sm_actions *a);

/* A mapping as seen by callers (read-only). */
struct sm_map {
	uint64_t id;            /* stable uid, also the database row id */
	struct sm_slot client;
	struct sm_slot bank;
	enum sm_state state;
	uint64_t sent_seq;      /* order of the last request sent (FIFO matching) */
};

/* Return codes (0 or positive: success). */
enum {
	SM_OK = 0,
	SM_ERR_RANGE = -1,        /* an id/slot outside 0..1023               REST 400 */
	SM_ERR_SAME = -2,         /* exactly this mapping already exists      REST 400 */
	SM_ERR_BANK_IN_USE = -3,  /* bank slot already mapped (other client)  REST 400 */
	SM_ERR_CLIENT_IN_USE = -4,/* client slot already mapped (other bank)  REST 400 */
	SM_ERR_NOT_FOUND = -5,    /* no such (visible) mapping                REST 404 */
	SM_ERR_UNSOLICITED = -6,  /* response with nothing pending: ignored          */
	SM_ERR_INVALID_EVENT = -7,/* event not allowed in the state: ignored         */
	SM_ERR_NOMEM = -8,
	SM_ERR_BAD_STATE = -9,    /* unknown state string at restore                 */
};
const char *sm_strerror(int rc);

struct slotmap_table;

struct slotmap_table *slotmap_new(void);
void slotmap_free(struct slotmap_table *t);

/* Compatibility switch: osmo-remsim activates a map even when the bankd
 * answers CreateMappingRes with an error.  Default false (park as REFUSED). */
void slotmap_set_create_error_activates(struct slotmap_table *t, bool on);
/* The next map uid (restart: max uid ever used + 1).  Default 1. */
void slotmap_set_next_id(struct slotmap_table *t, uint64_t next_id);

/* --- operator operations ------------------------------------------------ */
/* Create C:S -> B:S.  Rejects out-of-range values and conflicts with a
 * visible map (maps being deleted do not conflict).  If the bankd is
 * connected the CreateMappingReq is in the actions.  *id_out may be NULL. */
int slotmap_create(struct slotmap_table *t, struct sm_slot client, struct sm_slot bank,
		   enum sm_actor actor, struct sm_actions *out, uint64_t *id_out);
/* Delete the visible map of a bank slot (REST DELETE) / client slot (unmap). */
int slotmap_delete_bank(struct slotmap_table *t, struct sm_slot bank, enum sm_actor actor,
			struct sm_actions *out);
int slotmap_delete_client(struct slotmap_table *t, struct sm_slot client, enum sm_actor actor,
			  struct sm_actions *out);
/* Delete every visible map (global reset).  Returns how many. */
int slotmap_reset(struct slotmap_table *t, enum sm_actor actor, struct sm_actions *out);

/* --- peer events ------------------------------------------------------------ */
/* A bankd identified itself.  ipv4 (host order) and port are what clients
 * are told to connect to (spec: the bankd's peer address and SM_BANKD_PORT).
 * All its maps get BANK_BACK, then the PUSH: CreateMappingReqs first, then
 * RemoveMappingReqs, each in FIFO order.  If the bank is already up it is
 * taken down first. */
int slotmap_bank_up(struct slotmap_table *t, uint16_t bank_id, uint32_t ipv4, uint16_t port,
		    struct sm_actions *out);
/* A bankd's connection ended. */
int slotmap_bank_down(struct slotmap_table *t, uint16_t bank_id, struct sm_actions *out);
bool slotmap_bank_is_up(const struct slotmap_table *t, uint16_t bank_id);
/* CreateMappingRes / RemoveMappingRes (result: RSPRO ResultCode, 0 = ok) from
 * bankd bank_id, matched to its oldest pending request.  Nothing pending:
 * SM_ERR_UNSOLICITED, logged, nothing changed. */
int slotmap_create_res(struct slotmap_table *t, uint16_t bank_id, int result,
		       struct sm_actions *out);
int slotmap_remove_res(struct slotmap_table *t, uint16_t bank_id, int result,
		       struct sm_actions *out);
/* A client identified itself: "last sent" starts at {B0:0, 0.0.0.0, 0}; if it
 * has a visible map, it is configured (ConfigClientBankReq) as in 5.5. */
int slotmap_client_up(struct slotmap_table *t, struct sm_slot client, struct sm_actions *out);
void slotmap_client_down(struct slotmap_table *t, struct sm_slot client);

/* --- restart recovery ------------------------------------------------------- */
/* Re-insert a map loaded from the database (db_state as stored: NEW,
 * UNACKNOWLEDGED, ACTIVE, DELETE_REQ, DELETING; on_bank as stored) and apply
 * RESTORE: ACTIVE/UNACKNOWLEDGED become NEW (re-pushed when the bankd comes
 * back), pending deletes stay pending.  Call before any bank_up. */
int slotmap_restore(struct slotmap_table *t, uint64_t id, struct sm_slot client,
		    struct sm_slot bank, const char *db_state, int on_bank,
		    struct sm_actions *out);

/* --- low level ---------------------------------------------------------------- */
/* The transition table cell for (state, event). */
const struct sm_transition *sm_transition(enum sm_state state, enum sm_event ev);
/* Apply one event to one map by uid, exactly as the table says (plus the
 * automatic PUSH when the result is pushable and its bankd is up).
 * result: the bankd ResultCode for response events, else -1. */
int slotmap_event(struct slotmap_table *t, uint64_t map_id, enum sm_event ev,
		  enum sm_actor actor, int result, struct sm_actions *out);

/* --- queries ---------------------------------------------------------------- */
size_t slotmap_count(const struct slotmap_table *t, bool include_hidden);
/* i-th map in creation order (include_hidden as in slotmap_count). */
const struct sm_map *slotmap_at(const struct slotmap_table *t, size_t i, bool include_hidden);
const struct sm_map *slotmap_get(const struct slotmap_table *t, uint64_t map_id);
const struct sm_map *slotmap_find_bank(const struct slotmap_table *t, struct sm_slot bank);
const struct sm_map *slotmap_find_client(const struct slotmap_table *t, struct sm_slot client);

/* --- names -------------------------------------------------------------------- */
const char *sm_state_name(enum sm_state s);      /* internal, e.g. "NEW_SENT" */
const char *sm_state_rest_name(enum sm_state s); /* "NEW", ..., "DELETING", "GONE" */
bool sm_state_visible(enum sm_state s);          /* listed in REST / ctl maps */
int sm_state_on_bank(enum sm_state s);           /* bankd may hold it: 0/1 */
const char *sm_event_name(enum sm_event e);
const char *sm_hist_name(enum sm_hist h);
int sm_hist_parse(const char *name);             /* -1 if unknown */
const char *sm_actor_name(enum sm_actor a);
/* REST slotmap id = bankId * 65536 + slotNr. */
uint32_t sm_rest_id(struct sm_slot bank);
/* Parse "3:0" (each part 0..1023).  0 or -1. */
int sm_slot_parse(const char *s, struct sm_slot *out);
/* "C3:0 B1:5" style context for logs. */
void sm_ctx(char *buf, size_t len, struct sm_slot client, struct sm_slot bank);

#endif
