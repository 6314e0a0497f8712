/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bankmap.h: the bankd's mapping actor.  It holds the link to the
 * remsim-server (ConnectBankReq, Create/RemoveMappingReq, ResetStateReq),
 * the table "bank slot -> client slot" the server pushes, and every client
 * connection that has not been handed to a reader yet (waiting for its
 * ConnectClientReq, or parked with cardNotPresent until a mapping arrives).
 * It tells reader/N when the mapping of bank slot N changes.
 *
 * Files: main.c (start, config, callback dispatch), maptable.c (mapping
 * rules), server_link.c (server connection states), persist.c (table in the
 * server connection's META), clients.c (client side), conntab.c (conn-id
 * hash), readers.c (messages to/from reader/N), ctl.c (remsim-ctl). */
#ifndef BANKMAP_H
#define BANKMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "actor.h"
#include "rspro.h"
#include "version.h"

#define BANKD_SOFTWARE		"remsim-bankd"
#define BANKD_SW_VERSION	remsim_version_short()	/* version.h */
#define BM_SERVER_KEY		"server"	/* actor_open() key of the server link */

/* One bank slot's mapping. */
struct bm_map {
	bool used;
	bool unconfirmed;		/* kept from before a reconnect, not re-sent yet (reconcile.c) */
	struct rspro_client_slot client;
};

enum bm_link_state {
	LINK_DOWN,		/* no TCP connection (the broker is (re)connecting) */
	LINK_WAIT_RES,		/* ConnectBankReq sent, T1 running */
	LINK_CONNECTED,		/* ConnectBankRes ok */
	LINK_STOPPED,		/* the peer is not a remsim-server: cancelled for good */
};

struct conntab;

struct bm_stats {
	unsigned long accepted, parked, rejected, bound, closed, timed_out;
};

struct bankmap {
	struct actor *a;
	/* configuration */
	long bank_id, num_slots;
	char server_host[256];
	uint16_t server_port;
	char name[RSPRO_STR_MAX + 1];		/* ComponentIdentity name toward the server */
	char hostname[RSPRO_STR_MAX + 1];	/* ... and toward clients */
	unsigned t1_ms;				/* ConnectBankRes timeout */
	unsigned stats_ms;			/* client activity summary period (0: off) */
	unsigned ident_ms;			/* ConnectClientReq within, else closed */
	unsigned reconcile_ms;			/* after a reconnect, maps not re-sent within are dropped (0: kept) */
	int reconcile_timer;
	/* mapping table, index = bank slot number */
	struct bm_map *map;
	/* server link */
	enum bm_link_state link;
	uint32_t srv_conn;			/* 0: none */
	int t1_timer;				/* 0: not running */
	/* client connections still owned by us */
	struct conntab *clients;
	/* per bank slot: the client its reader serves (served.c) */
	struct bm_served *served;
	struct bm_stats st, st_reported;
};

/* reconcile.c: after the server link is (re)established, the server sends
 * its mappings again; the ones it does not send within reconcile_ms are
 * gone (deleted while the link was down, or the server forgot them). */
void reconcile_start(struct bankmap *bm);
void reconcile_confirm(struct bankmap *bm, long slot);

/* maptable.c: results are RSPRO ResultCodes.  changed[] receives the bank
 * slots whose mapping changed (at most 2), so their readers can be told. */
long mt_create(struct bankmap *bm, struct rspro_client_slot c, struct rspro_bank_slot b,
	       long changed[2], int *nchanged);
long mt_remove(struct bankmap *bm, struct rspro_client_slot c, struct rspro_bank_slot b,
	       long changed[2], int *nchanged);
void mt_reset(struct bankmap *bm);
/* Bank slot mapped to client c, or -1. */
long mt_slot_of_client(const struct bankmap *bm, struct rspro_client_slot c);
size_t mt_count(const struct bankmap *bm);

/* persist.c: the table and link state as opaque META octets.  Returns the
 * length; when not every mapping fits, *truncated is set. */
size_t persist_encode(const struct bankmap *bm, uint8_t *buf, size_t cap, bool *truncated);
/* 0 ok, -1 not ours / malformed (table untouched). */
int persist_decode(struct bankmap *bm, const uint8_t *buf, size_t len);

/* server_link.c */
void link_up(struct bankmap *bm, const struct actor_conn *c, int restored);
void link_down(struct bankmap *bm, uint32_t conn, const char *reason);
void link_rspro(struct bankmap *bm, uint32_t conn, const uint8_t *der, size_t len);
const char *link_state_name(enum bm_link_state s);
void link_persist(struct bankmap *bm);	/* the table into the link's META */

/* clients.c */
void clients_up(struct bankmap *bm, const struct actor_conn *c, int restored);
void clients_down(struct bankmap *bm, uint32_t conn);
void clients_rspro(struct bankmap *bm, uint32_t conn, const uint8_t *der, size_t len);
/* A mapping for c now points at bank slot `slot`: hand parked connections over. */
void clients_mapped(struct bankmap *bm, struct rspro_client_slot c, long slot);
size_t clients_parked(const struct bankmap *bm);
void clients_stats_tick(struct actor *a, void *arg);
/* Close connections that did not identify within ident_ms (a periodic timer). */
void clients_ident_sweep(struct actor *a, void *arg);
json_t *clients_json(const struct bankmap *bm);

/* conntab.c: client connections we own, by conn id. */
enum cl_state { CL_WAIT_ID, CL_PARKED };
struct cl {
	uint32_t conn;
	enum cl_state state;
	struct rspro_client_slot slot;	/* valid when PARKED */
	uint8_t *der;			/* the ConnectClientReq (PARKED) */
	size_t der_len;
	char peer[64];
	int64_t since;			/* UP, monotonic ms (WAIT_ID deadline base) */
	struct cl *next;		/* hash chain */
};
struct conntab *conntab_new(void);
void conntab_free(struct conntab **t);
struct cl *conntab_get(struct conntab *t, uint32_t conn);
struct cl *conntab_add(struct conntab *t, uint32_t conn);	/* NULL: no memory */
void conntab_del(struct conntab *t, uint32_t conn);
size_t conntab_count(const struct conntab *t);
/* Iterate: fn may not modify the table. */
typedef void (conntab_fn)(struct cl *c, void *arg);
void conntab_each(struct conntab *t, conntab_fn *fn, void *arg);

/* served.c: the clients the readers serve (their "serving" reports) */
struct bm_served;
int served_init(struct bankmap *bm);
void served_free(struct bankmap *bm);
void served_told(struct bankmap *bm, const char *from, json_t *msg);
void served_json(const struct bankmap *bm, json_t *arr);
void served_row_waiting(json_t *arr, uint32_t conn, const char *peer, const char *state, const char *client,
			int64_t since_mono);

/* readers.c */
void readers_tell_mapping(struct bankmap *bm, long slot);
void readers_tell_all(struct bankmap *bm);
void readers_tell_reset(struct bankmap *bm);
void readers_told(struct bankmap *bm, const char *from, const uint8_t *data, size_t len);

/* ctl.c */
json_t *bm_ctl(struct actor *a, const char *cmd, json_t *args, int want_json,
		      char *err, size_t errlen, void *ud);

/* Log context "B1:3 C23:0" style. */
const char *bm_ctx(const struct bankmap *bm, long slot, const struct rspro_client_slot *c, char *buf, size_t len);

#endif
