/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mapstore.h: the server role's brain (osmo-remsim-server's RSPRO side).
 *
 * The broker hands this actor every TCP connection accepted on the server's
 * RSPRO listener.  Each connection runs the SERVER_CONN state machine of
 * osmo-remsim's server (docs/server.md) (conn_fsm.c, a state x event table); identified
 * bankds and clients feed the slot-mapping core (common/mapping/slotmap.h), whose
 * action lists are executed by actions.c: the sqlite store first
 * (common/mapping/mapdb.h, durable), then the RSPRO sends.  The control commands of
 * docs/control.md are in ctl.c.  A peer's identity is kept in the broker's
 * per-connection META (meta.c), so a restarted mapstore gets its connections
 * back with their identities, and its mappings from sqlite.
 *
 * Files: main.c (config, start, callbacks), conn_fsm.c, conntab.c (conn id /
 * client slot / bank id indexes), actions.c, meta.c, ctl.c, json.c. */
#ifndef MAPSTORE_H
#define MAPSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "actor.h"
#include "mapdb.h"
#include "rspro.h"
#include "version.h"
#include "slotmap.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION		remsim_version_short()	/* version.h */
#endif
#define MS_SOFTWARE		"remsim-server"
#define MS_STR_MAX		32	/* identity strings kept (as the REST API shows them) */
#define MS_DEFAULT_STATE_DIR	"/var/lib/remsim"
#define MS_DEFAULT_DATABASE	"@STATE_DIR@/server.db"

/* SERVER_CONN states (server.md 3).  INIT and WAIT_CONFIG_RES of
 * osmo-remsim are not needed: INIT is left at once, WAIT_CONFIG_RES is
 * unreachable there. */
enum sc_state {
	SC_ESTABLISHED = 0,	/* waiting for Connect*Req, identify timer */
	SC_CONNECTED_CLIENT,
	SC_CONNECTED_BANKD,
	SC_REJECTED,		/* identityInUse sent, linger timer */
	SC__NUM,
	SC_CLOSED = SC__NUM,	/* handler result: the connection is gone */
};

enum sc_event {
	SCE_CONNECT_CLIENT = 0,	/* connectClientReq */
	SCE_CONNECT_BANK,	/* connectBankReq */
	SCE_CREATE_RES,		/* createMappingRes */
	SCE_REMOVE_RES,		/* removeMappingRes */
	SCE_CONFIG_BANK_RES,	/* configClientBankRes (result not looked at) */
	SCE_OTHER,		/* any other message type */
	SCE_BAD_VERSION,	/* any message whose RSPRO version is not 2 */
	SCE_TIMER,		/* the state's timer expired */
	SCE_DOWN,		/* the broker reports the TCP connection gone */
	SCE__NUM,
};

/* ComponentIdentity as kept (strings truncated to MS_STR_MAX). */
struct ms_ident {
	long type;
	char name[MS_STR_MAX + 1], software[MS_STR_MAX + 1], sw_version[MS_STR_MAX + 1];
	char hw_manufacturer[MS_STR_MAX + 1], hw_model[MS_STR_MAX + 1];
	char hw_serial_nr[MS_STR_MAX + 1], hw_version[MS_STR_MAX + 1];
	char fw_version[MS_STR_MAX + 1];
};

struct sconn {
	uint32_t id;
	enum sc_state st;
	char peer[ENV_PEER_MAX];	/* "address:port" as the broker saw it */
	uint32_t ipv4;			/* peer IPv4, host order (0: not IPv4) */
	char name[ENV_PEER_MAX];	/* log context: "C3:0", "B1", or the peer */
	bool has_ident;
	struct ms_ident ident;
	struct sm_slot client;		/* CONNECTED_CLIENT */
	uint16_t bank_id;		/* CONNECTED_BANKD */
	long num_slots;
	/* last ConfigClientBankReq sent (clients; kept in META for restarts) */
	bool cfg_sent;
	struct sm_slot cfg_bank;
	uint32_t cfg_ipv4;
	uint16_t cfg_port;
	bool restore_pending;		/* restored identified conn, slotmap not told yet */
	int timer;			/* actor timer id, 0: none */
	struct sconn *next_id;		/* conntab chains */
	struct sconn *next_client;
};

struct mapstore_conf {
	char database[512];
	unsigned identify_timeout_ms;	/* 10000 */
	unsigned reject_linger_ms;	/* 1000 */
	uint16_t bankd_port;		/* 9999, what clients are told */
	bool create_error_activates;	/* osmo-remsim compatibility switch */
	char name[RSPRO_STR_MAX + 1];	/* our identity name (hostname) */
	unsigned bank_grace_ms;		/* 15000: see grace.c; 0: off */
	/* history retention (top-level group `history`) */
	int keep_days;			/* 400; 0: no age limit */
	long long max_rows;		/* 200000; 0: no row limit */
	unsigned prune_interval_ms;	/* 60000 */
	int prune_batch;		/* 500 rows per transaction */
};

struct conntab;

/* The one mapstore of this process (for timer callbacks). */
extern struct mapstore *ms_self;

struct mapstore {
	struct actor *a;
	struct mapstore_conf cf;
	struct mapdb *db;
	struct slotmap_table *t;
	struct conntab *ct;
	struct sm_actions acts;		/* scratch list, cleared after each use */
	bool restore_pending;		/* some restored conns wait for restore_flush() */
	bool fatal;			/* storage failed: stop, let remsimd restart us */
	unsigned long rx_undecodable, rx_unhandled, unsolicited;
	struct ms_grace *grace;		/* grace.c */
	int flush_timer;		/* ms_run_actions_soon() armed it (timer id) */
	int prune_timer;		/* retention timer id, 0: none */
	unsigned long pruned_run, pruned_total;
};

/* conntab.c */
struct conntab *ct_new(void);
void ct_free(struct conntab **t);
struct sconn *ct_get(const struct conntab *t, uint32_t id);
struct sconn *ct_add(struct conntab *t, uint32_t id);	/* zeroed; NULL: no memory */
void ct_del(struct conntab *t, uint32_t id);		/* unindexes and frees */
/* Identified peers: at most one per client slot / bank id. */
void ct_index_client(struct conntab *t, struct sconn *c);
void ct_index_bank(struct conntab *t, struct sconn *c);
struct sconn *ct_client(const struct conntab *t, struct sm_slot s);
struct sconn *ct_bank(const struct conntab *t, uint16_t bank_id);
/* Connections in state st, by conn id (= connection order).  Caller frees
 * *out.  Returns the count (0 with *out NULL when none or out of memory). */
size_t ct_list(const struct conntab *t, enum sc_state st, struct sconn ***out);
size_t ct_count(const struct conntab *t);

/* conn_fsm.c */
const char *sc_state_name(enum sc_state s);
void sc_up(struct mapstore *ms, const struct actor_conn *ac, int restored);
void sc_rspro(struct mapstore *ms, uint32_t conn, const uint8_t *der, size_t len);
void sc_down(struct mapstore *ms, uint32_t conn, const char *reason);
/* Tell the slotmap core about restored identified connections: banks first
 * (they re-push), then clients.  Idempotent; called before any other event. */
void sc_restore_flush(struct mapstore *ms);

/* grace.c: hold back "disconnect" configurations while banks re-register
 * after a restart.  grace_hold() returns true when it kept x for later. */
void grace_start(struct mapstore *ms, const char *why);
bool grace_hold(struct mapstore *ms, const struct sm_action *x);
void grace_supersede(struct mapstore *ms, struct sm_slot client);
void grace_free(struct mapstore *ms);

/* Send a ConfigClientBankReq as action x says (if the client is connected). */
void ms_config_client(struct mapstore *ms, const struct sm_action *x);

/* actions.c: execute ms->acts (storage, then sends) and clear it.  0, or -1
 * when storage failed (ms->fatal set, the actor is stopped). */
int ms_run_actions(struct mapstore *ms);
/* Group commit for bursts of bankd answers: run the pending actions within
 * a millisecond, together with whatever else arrives meanwhile (one
 * transaction, one fsync).  Every ms_run_actions() call flushes them too,
 * in order, so nothing overtakes them. */
void ms_run_actions_soon(struct mapstore *ms);
/* Send one RSPRO message on conn (logged at debug with the peer's name). */
int ms_send(struct mapstore *ms, struct sconn *c, const struct rspro_msg *m);

/* meta.c: a connection's identity as META (JSON text, < ENV_META_MAX). */
void meta_store(struct mapstore *ms, const struct sconn *c);
/* Fill c from META; 0 ok, -1 not usable (c left ESTABLISHED). */
int meta_load(struct sconn *c, const uint8_t *meta, size_t len);

/* json.c: the shapes of docs/control.md */
json_t *js_slotmap(const struct sm_map *m);
json_t *js_component(const struct ms_ident *id);
json_t *js_client(const struct sconn *c);
json_t *js_bank(const struct sconn *c);
json_t *js_event(const struct mapdb_event *ev);
int js_ident_parse(const json_t *o, struct ms_ident *id);	/* 0 or -1 */
void ms_ident_from_rspro(struct ms_ident *dst, const struct rspro_ident *src);

/* retention.c: history pruning (timer) and `history --prune`. */
void retention_start(struct mapstore *ms);
/* Prune now for a short while; {"pruned":N,"more":B,"rows":N,...} or NULL. */
json_t *retention_prune_now(struct mapstore *ms);

/* ctl.c */
json_t *ms_ctl(struct actor *a, json_t *req, void *ud);

/* "3:0", "C3:0" (prefix given), "B1:5": 0 ok, -1 malformed, -2 outside 0..1023. */
int ms_parse_slot(const char *s, char prefix, struct sm_slot *out);

#endif
