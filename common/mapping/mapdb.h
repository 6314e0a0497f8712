/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mapdb.h: sqlite storage of the server's slot mappings and their history.
 *
 * One database file (WAL journal, synchronous=FULL) with two tables:
 *   slotmap  the current mappings, one row per map uid (incl. maps whose
 *            removal from a bankd is still pending);
 *   history  append-only log of every mapping event.
 * History rows are only ever deleted by retention pruning, oldest first
 * (mapdb_history_prune(); a trigger refuses any other DELETE).  A new
 * database file is created with mode 0640 (its -wal and -shm files follow).
 * The schema is versioned with PRAGMA user_version and documented for
 * operators in docs/mapping-history.md.  Every write function commits before
 * it returns (unless inside mapdb_begin()/mapdb_commit()), so a caller may
 * answer "ok" as soon as it returns 0.  All SQL is prepared with bound
 * parameters. Not thread-safe: one struct mapdb per thread. */
#ifndef REMSIM_MAPDB_H
#define REMSIM_MAPDB_H

#include <stddef.h>
#include <stdint.h>

#include "slotmap.h"

#define MAPDB_SCHEMA_VERSION 2

struct mapdb;

/* A row of table slotmap. */
struct mapdb_map {
	int64_t id;
	uint16_t client_id, client_slot, bank_id, bank_slot;
	char state[16];        /* NEW UNACKNOWLEDGED ACTIVE DELETE_REQ DELETING */
	int on_bank;           /* 1: the bankd may hold this map */
	char created_at[32];   /* UTC "YYYY-MM-DD HH:MM:SS.SSS" */
	char updated_at[32];
};

/* A row of table history. */
struct mapdb_event {
	int64_t seq;           /* increasing, assigned on insert */
	char ts[32];           /* UTC "YYYY-MM-DD HH:MM:SS.SSS"; empty on insert = now */
	int64_t map_id;
	char event[24];        /* sm_hist_name() */
	char actor[12];        /* sm_actor_name() */
	uint16_t client_id, client_slot, bank_id, bank_slot;
	char state[16];        /* state after the event, or GONE */
	int result;            /* bankd ResultCode, -1 if none (stored as NULL) */
	char detail[96];       /* free text, may be empty (stored as NULL) */
};

/* Open (creating if needed) the database at path, enable WAL, check or
 * create the schema.  On failure returns NULL and writes a one-line reason
 * mentioning the path into err. */
struct mapdb *mapdb_open(const char *path, char *err, size_t errlen);
void mapdb_close(struct mapdb *db);
/* Last error message of this handle. */
const char *mapdb_errmsg(const struct mapdb *db);
/* Journal mode as sqlite reports it ("wal"); for checks and tests. */
int mapdb_journal_mode(struct mapdb *db, char *out, size_t len);

/* Group several writes in one transaction (BEGIN IMMEDIATE ... COMMIT). */
int mapdb_begin(struct mapdb *db);
int mapdb_commit(struct mapdb *db);
void mapdb_rollback(struct mapdb *db);

/* Insert or update a map row (created_at is kept on update). */
int mapdb_map_put(struct mapdb *db, const struct mapdb_map *m);
int mapdb_map_del(struct mapdb *db, int64_t id);
/* Append a history row; ev->ts empty means now.  ev->seq is ignored. */
int mapdb_history_add(struct mapdb *db, const struct mapdb_event *ev);

/* Callback per row; return non-zero to stop (that value is returned). */
typedef int (*mapdb_map_cb)(void *arg, const struct mapdb_map *m);
typedef int (*mapdb_event_cb)(void *arg, const struct mapdb_event *ev);

/* All map rows in id (= creation) order.  Returns 0, a callback's non-zero
 * value, or -1 on error. */
int mapdb_maps(struct mapdb *db, mapdb_map_cb cb, void *arg);
/* Highest map uid ever used (slotmap and history), 0 if none. */
int64_t mapdb_max_map_id(struct mapdb *db);

/* Filter for mapdb_history(): -1 (or NULL / 0) means "any". */
struct mapdb_history_filter {
	int client_id, client_slot;  /* client_slot -1 with client_id set: any slot */
	int bank_id, bank_slot;
	int64_t map_id;              /* 0: any */
	const char *event;           /* NULL: any */
	const char *since;           /* NULL: any; see mapdb_normalize_time() */
	const char *until;           /* NULL: any; exclusive */
	int limit;                   /* <= 0: no limit; else the newest N */
};
void mapdb_history_filter_init(struct mapdb_history_filter *f);
/* Matching events in chronological order (with a limit: the newest `limit`
 * of them, still oldest first).  Returns 0, a callback's non-zero value, -1
 * on error, -2 if since/until cannot be parsed. */
int mapdb_history(struct mapdb *db, const struct mapdb_history_filter *f,
		  mapdb_event_cb cb, void *arg);

/* Retention: delete, in one transaction, at most `batch` history rows:
 * first those older than keep_days days (0: no age limit, oldest ts first),
 * then those not among the newest max_rows rows (0: no row limit, oldest seq
 * first).  Without anything to prune no transaction is opened.  Returns the
 * number of rows deleted (call again while it returns `batch`), or -1. */
int mapdb_history_prune(struct mapdb *db, int keep_days, int64_t max_rows, int batch);
/* Rows in table history (a count: O(rows)), or -1. */
int64_t mapdb_history_rows(struct mapdb *db);

/* Normalise a time for history filters into "YYYY-MM-DD HH:MM:SS" UTC.
 * Accepts what sqlite's datetime() accepts ("2026-11-29", "2026-11-29
 * 06:40", "2026-11-29T06:40:00Z", "2026-11-29T08:40:00+02:00", unix epoch
 * "@1764398400") and a modifier relative to now ("-7 days", "-2 hours").
 * 0, or -1 if not a time. */
int mapdb_normalize_time(struct mapdb *db, const char *in, char *out, size_t len);

/* Execute the storage part of an action list from slotmap.h: every
 * SM_ACT_DB_PUT, SM_ACT_DB_DEL and SM_ACT_HISTORY, in order, in one
 * transaction that is committed before returning 0.  Other actions are
 * skipped.  On error everything is rolled back and -1 returned. */
int mapdb_apply(struct mapdb *db, const struct sm_actions *acts);

/* Restart recovery: set the table's next uid, slotmap_restore() every
 * stored map and apply the resulting storage actions.  The returned actions
 * (no sends: no bankd is up yet) are left in out for logging.  Returns the
 * number of maps restored, or -1. */
int mapdb_load(struct mapdb *db, struct slotmap_table *t, struct sm_actions *out);

#endif
