/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mapdb.c: sqlite storage of slot mappings and their history (see mapdb.h).
 * The schema text below is the reference; docs/mapping-history.md explains
 * it for operators and must be kept in step with it. */
#include "mapdb.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

#define NOW_SQL "strftime('%Y-%m-%d %H:%M:%f','now')"

/* Schema version 2.  migrations[v] upgrades from user_version v to v+1. */
static const char *const migrations[MAPDB_SCHEMA_VERSION] = {
	/* 0 -> 1: initial schema */
	"CREATE TABLE slotmap ("
	"  id          INTEGER PRIMARY KEY,"
	"  client_id   INTEGER NOT NULL CHECK (client_id BETWEEN 0 AND 1023),"
	"  client_slot INTEGER NOT NULL CHECK (client_slot BETWEEN 0 AND 1023),"
	"  bank_id     INTEGER NOT NULL CHECK (bank_id BETWEEN 0 AND 1023),"
	"  bank_slot   INTEGER NOT NULL CHECK (bank_slot BETWEEN 0 AND 1023),"
	"  state       TEXT NOT NULL CHECK (state IN"
	"              ('NEW','UNACKNOWLEDGED','ACTIVE','DELETE_REQ','DELETING')),"
	"  on_bank     INTEGER NOT NULL DEFAULT 0 CHECK (on_bank IN (0, 1)),"
	"  created_at  TEXT NOT NULL DEFAULT (" NOW_SQL "),"
	"  updated_at  TEXT NOT NULL DEFAULT (" NOW_SQL "));"
	"CREATE UNIQUE INDEX slotmap_live_bank ON slotmap(bank_id, bank_slot)"
	"  WHERE state IN ('NEW','UNACKNOWLEDGED','ACTIVE');"
	"CREATE UNIQUE INDEX slotmap_live_client ON slotmap(client_id, client_slot)"
	"  WHERE state IN ('NEW','UNACKNOWLEDGED','ACTIVE');"
	"CREATE TABLE history ("
	"  seq         INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  ts          TEXT NOT NULL DEFAULT (" NOW_SQL "),"
	"  map_id      INTEGER NOT NULL,"
	"  event       TEXT NOT NULL,"
	"  actor       TEXT NOT NULL,"
	"  client_id   INTEGER NOT NULL,"
	"  client_slot INTEGER NOT NULL,"
	"  bank_id     INTEGER NOT NULL,"
	"  bank_slot   INTEGER NOT NULL,"
	"  state       TEXT NOT NULL,"
	"  result      INTEGER,"
	"  detail      TEXT);"
	"CREATE INDEX history_ts ON history(ts);"
	"CREATE INDEX history_client ON history(client_id, client_slot, ts);"
	"CREATE INDEX history_bank ON history(bank_id, bank_slot, ts);"
	"CREATE INDEX history_map ON history(map_id);"
	"CREATE TRIGGER history_no_update BEFORE UPDATE ON history"
	"  BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;"
	"CREATE TRIGGER history_no_delete BEFORE DELETE ON history"
	"  BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;"
	"CREATE VIEW history_v AS SELECT seq, ts, event, actor,"
	"  client_id || ':' || client_slot AS client, bank_id || ':' || bank_slot AS bank,"
	"  state, map_id, result, detail FROM history;",
	/* 1 -> 2: retention pruning may delete the oldest rows, nothing else may */
	"DROP TRIGGER history_no_delete;"
	"CREATE TABLE history_prune (through_seq INTEGER NOT NULL);"
	"CREATE TRIGGER history_no_delete BEFORE DELETE ON history"
	"  WHEN OLD.seq > COALESCE((SELECT MAX(through_seq) FROM history_prune), 0)"
	"  BEGIN SELECT RAISE(ABORT, 'history is append-only (retention pruning deletes"
	" the oldest rows)'); END;",
};

enum stmt_id {
	ST_BEGIN, ST_COMMIT, ST_ROLLBACK,
	ST_MAP_PUT, ST_MAP_DEL, ST_HIST_ADD, ST_MAPS, ST_MAX_ID, ST_HISTORY, ST_NORM_TIME,
	ST_HIST_BOUNDS, ST_HIST_COUNT, ST_HIST_AGE, ST_PRUNE_MARK, ST_PRUNE_AGE, ST_PRUNE_DEL, ST_PRUNE_UNMARK,
	ST__NUM
};

static const char *const stmt_sql[ST__NUM] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_MAP_PUT] =
		"INSERT INTO slotmap (id, client_id, client_slot, bank_id, bank_slot, state, on_bank)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
		" ON CONFLICT(id) DO UPDATE SET client_id = ?2, client_slot = ?3, bank_id = ?4,"
		" bank_slot = ?5, state = ?6, on_bank = ?7, updated_at = " NOW_SQL,
	[ST_MAP_DEL] = "DELETE FROM slotmap WHERE id = ?1",
	[ST_HIST_ADD] =
		"INSERT INTO history (ts, map_id, event, actor, client_id, client_slot, bank_id,"
		" bank_slot, state, result, detail)"
		" VALUES (COALESCE(?1, " NOW_SQL "), ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
	[ST_MAPS] =
		"SELECT id, client_id, client_slot, bank_id, bank_slot, state, on_bank, created_at,"
		" updated_at FROM slotmap ORDER BY id",
	[ST_MAX_ID] =
		"SELECT MAX(COALESCE((SELECT MAX(id) FROM slotmap), 0),"
		" COALESCE((SELECT MAX(map_id) FROM history), 0))",
	[ST_HISTORY] =
		"SELECT seq, ts, map_id, event, actor, client_id, client_slot, bank_id, bank_slot,"
		" state, result, detail FROM ("
		"  SELECT * FROM history WHERE"
		"  (?1 IS NULL OR client_id = ?1) AND (?2 IS NULL OR client_slot = ?2) AND"
		"  (?3 IS NULL OR bank_id = ?3) AND (?4 IS NULL OR bank_slot = ?4) AND"
		"  (?5 IS NULL OR map_id = ?5) AND (?6 IS NULL OR event = ?6) AND"
		"  (?7 IS NULL OR ts >= ?7) AND (?8 IS NULL OR ts < ?8)"
		"  ORDER BY seq DESC LIMIT ?9"
		") ORDER BY seq ASC",
	[ST_NORM_TIME] =
		"SELECT CASE WHEN substr(?1, 1, 1) = '@'"
		" THEN datetime(CAST(substr(?1, 2) AS INTEGER), 'unixepoch')"
		" ELSE COALESCE(datetime(?1), datetime('now', ?1)) END",
	/* two subqueries: each is one b-tree lookup (min and max together would scan) */
	[ST_HIST_BOUNDS] = "SELECT (SELECT MIN(seq) FROM history), (SELECT MAX(seq) FROM history)",
	[ST_HIST_COUNT] = "SELECT count(*) FROM history",
	/* is any row too old?  (index history_ts) */
	[ST_HIST_AGE] =
		"SELECT count(*) FROM (SELECT 1 FROM history"
		" WHERE ts < strftime('%Y-%m-%d %H:%M:%f', 'now', ?1) LIMIT 1)",
	[ST_PRUNE_MARK] = "INSERT INTO history_prune (through_seq) VALUES (?1)",
	[ST_PRUNE_AGE] =
		"DELETE FROM history WHERE seq IN (SELECT seq FROM history"
		" WHERE ts < strftime('%Y-%m-%d %H:%M:%f', 'now', ?1) ORDER BY ts LIMIT ?2)",
	[ST_PRUNE_DEL] =
		"DELETE FROM history WHERE seq IN (SELECT seq FROM history WHERE seq <= ?1"
		" ORDER BY seq LIMIT ?2)",
	[ST_PRUNE_UNMARK] = "DELETE FROM history_prune",
};

struct mapdb {
	sqlite3 *h;
	sqlite3_stmt *st[ST__NUM];
	int in_txn;
	char path[256];
	char err[320];
};

static void set_err(struct mapdb *db, const char *what)
{
	snprintf(db->err, sizeof(db->err), "%s: %s", what, db->h ? sqlite3_errmsg(db->h) : "?");
	LOGE(NULL, "mapping database %s: %s", db->path, db->err);
}

const char *mapdb_errmsg(const struct mapdb *db)
{
	return db ? db->err : "no database";
}

static void copy_text(char *dst, size_t len, const unsigned char *src)
{
	snprintf(dst, len, "%s", src ? (const char *)src : "");
}

/* Run a statement without results; 0 or -1. */
static int step_done(struct mapdb *db, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		set_err(db, what);
		return -1;
	}
	return 0;
}

static int exec_sql(struct mapdb *db, const char *sql, const char *what)
{
	char *msg = NULL;
	if (sqlite3_exec(db->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(db->err, sizeof(db->err), "%s: %s", what, msg ? msg : "?");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int pragma_int(struct mapdb *db, const char *sql, int *out)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db->h, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

int mapdb_journal_mode(struct mapdb *db, char *out, size_t len)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db->h, "PRAGMA journal_mode", -1, &s, NULL) != SQLITE_OK)
		return -1;
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		copy_text(out, len, sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* Explain a failed open in terms an operator can act on. */
static void explain_open_failure(struct mapdb *db, const char *path)
{
	char dir[256];
	snprintf(dir, sizeof(dir), "%s", path);
	const char *d = dirname(dir);
	struct stat st;
	char extra[300] = "";
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		snprintf(extra, sizeof(extra), " (%s is a directory)", path);
	else if (stat(d, &st) != 0)
		snprintf(extra, sizeof(extra), " (directory %s: %s)", d, strerror(errno));
	else if (!S_ISDIR(st.st_mode))
		snprintf(extra, sizeof(extra), " (%s is not a directory)", d);
	snprintf(db->err, sizeof(db->err), "%s%s", db->h ? sqlite3_errmsg(db->h) : "open failed",
		 extra);
}

static int create_or_check_schema(struct mapdb *db)
{
	int version = 0, ntables = 0;
	if (pragma_int(db, "PRAGMA user_version", &version) < 0 ||
	    pragma_int(db, "SELECT count(*) FROM sqlite_master", &ntables) < 0) {
		set_err(db, "reading schema");
		return -1;
	}
	if (version > MAPDB_SCHEMA_VERSION) {
		snprintf(db->err, sizeof(db->err),
			 "schema version %d is newer than this program supports (%d)", version,
			 MAPDB_SCHEMA_VERSION);
		return -1;
	}
	if (version == 0 && ntables > 0) {
		snprintf(db->err, sizeof(db->err),
			 "not a remsim mapping database (has tables but no schema version)");
		return -1;
	}
	while (version < MAPDB_SCHEMA_VERSION) {
		char setv[48];
		snprintf(setv, sizeof(setv), "PRAGMA user_version = %d", version + 1);
		if (exec_sql(db, "BEGIN IMMEDIATE", "begin schema") < 0)
			return -1;
		if (exec_sql(db, migrations[version], "creating schema") < 0 ||
		    exec_sql(db, setv, "setting schema version") < 0 ||
		    exec_sql(db, "COMMIT", "commit schema") < 0) {
			sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
		LOGI(NULL, "mapping database %s: schema version %d", db->path, version + 1);
		version++;
	}
	return 0;
}

struct mapdb *mapdb_open(const char *path, char *err, size_t errlen)
{
	struct mapdb *db = calloc(1, sizeof(*db));
	if (!db) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (!path || !*path) {
		snprintf(err, errlen, "cannot open mapping database: no path given");
		free(db);
		return NULL;
	}
	snprintf(db->path, sizeof(db->path), "%s", path);
	/* a new file: 0640 (sqlite gives -wal and -shm the database's mode) */
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	if (fd >= 0)
		close(fd);
	int rc = sqlite3_open_v2(path, &db->h,
				 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		explain_open_failure(db, path);
		goto fail;
	}
	sqlite3_extended_result_codes(db->h, 1);
	sqlite3_busy_timeout(db->h, 5000);
	char mode[16] = "";
	/* the first statement also detects "file is not a database" */
	if (exec_sql(db, "PRAGMA journal_mode = WAL", "enabling WAL") < 0)
		goto fail;
	if (mapdb_journal_mode(db, mode, sizeof(mode)) < 0 || strcmp(mode, "wal") != 0) {
		snprintf(db->err, sizeof(db->err), "WAL journal mode not available (got '%s')",
			 mode);
		goto fail;
	}
	/* FULL: in WAL mode the log is synced on every commit, so a commit that
	 * returned survives a power loss, not just a crash */
	if (exec_sql(db, "PRAGMA synchronous = FULL", "setting synchronous") < 0 ||
	    create_or_check_schema(db) < 0)
		goto fail;
	for (int i = 0; i < ST__NUM; i++) {
		if (sqlite3_prepare_v3(db->h, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &db->st[i],
				       NULL) != SQLITE_OK) {
			snprintf(db->err, sizeof(db->err), "preparing statement %d: %s", i,
				 sqlite3_errmsg(db->h));
			goto fail;
		}
	}
	return db;
fail:
	snprintf(err, errlen, "cannot open mapping database '%s': %s", path, db->err);
	mapdb_close(db);
	return NULL;
}

void mapdb_close(struct mapdb *db)
{
	if (!db)
		return;
	if (db->in_txn)
		mapdb_rollback(db);
	for (int i = 0; i < ST__NUM; i++)
		sqlite3_finalize(db->st[i]);
	if (db->h)
		sqlite3_close(db->h);
	free(db);
}

int mapdb_begin(struct mapdb *db)
{
	if (db->in_txn) {
		snprintf(db->err, sizeof(db->err), "transaction already open");
		return -1;
	}
	if (step_done(db, db->st[ST_BEGIN], "begin") < 0)
		return -1;
	db->in_txn = 1;
	return 0;
}

int mapdb_commit(struct mapdb *db)
{
	if (!db->in_txn)
		return 0;
	if (step_done(db, db->st[ST_COMMIT], "commit") < 0) {
		mapdb_rollback(db);
		return -1;
	}
	db->in_txn = 0;
	return 0;
}

void mapdb_rollback(struct mapdb *db)
{
	if (!db->in_txn)
		return;
	if (sqlite3_get_autocommit(db->h) == 0) {
		sqlite3_step(db->st[ST_ROLLBACK]);
		sqlite3_reset(db->st[ST_ROLLBACK]);
	}
	db->in_txn = 0;
}

int mapdb_map_put(struct mapdb *db, const struct mapdb_map *m)
{
	sqlite3_stmt *s = db->st[ST_MAP_PUT];
	sqlite3_bind_int64(s, 1, m->id);
	sqlite3_bind_int(s, 2, m->client_id);
	sqlite3_bind_int(s, 3, m->client_slot);
	sqlite3_bind_int(s, 4, m->bank_id);
	sqlite3_bind_int(s, 5, m->bank_slot);
	sqlite3_bind_text(s, 6, m->state, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 7, m->on_bank ? 1 : 0);
	return step_done(db, s, "storing map");
}

int mapdb_map_del(struct mapdb *db, int64_t id)
{
	sqlite3_stmt *s = db->st[ST_MAP_DEL];
	sqlite3_bind_int64(s, 1, id);
	return step_done(db, s, "deleting map");
}

int mapdb_history_add(struct mapdb *db, const struct mapdb_event *ev)
{
	sqlite3_stmt *s = db->st[ST_HIST_ADD];
	if (ev->ts[0])
		sqlite3_bind_text(s, 1, ev->ts, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, ev->map_id);
	sqlite3_bind_text(s, 3, ev->event, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, ev->actor, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 5, ev->client_id);
	sqlite3_bind_int(s, 6, ev->client_slot);
	sqlite3_bind_int(s, 7, ev->bank_id);
	sqlite3_bind_int(s, 8, ev->bank_slot);
	sqlite3_bind_text(s, 9, ev->state, -1, SQLITE_TRANSIENT);
	if (ev->result >= 0)
		sqlite3_bind_int(s, 10, ev->result);
	if (ev->detail[0])
		sqlite3_bind_text(s, 11, ev->detail, -1, SQLITE_TRANSIENT);
	return step_done(db, s, "adding history");
}

int mapdb_maps(struct mapdb *db, mapdb_map_cb cb, void *arg)
{
	sqlite3_stmt *s = db->st[ST_MAPS];
	int rc, ret = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct mapdb_map m;
		memset(&m, 0, sizeof(m));
		m.id = sqlite3_column_int64(s, 0);
		m.client_id = (uint16_t)sqlite3_column_int(s, 1);
		m.client_slot = (uint16_t)sqlite3_column_int(s, 2);
		m.bank_id = (uint16_t)sqlite3_column_int(s, 3);
		m.bank_slot = (uint16_t)sqlite3_column_int(s, 4);
		copy_text(m.state, sizeof(m.state), sqlite3_column_text(s, 5));
		m.on_bank = sqlite3_column_int(s, 6);
		copy_text(m.created_at, sizeof(m.created_at), sqlite3_column_text(s, 7));
		copy_text(m.updated_at, sizeof(m.updated_at), sqlite3_column_text(s, 8));
		if ((ret = cb(arg, &m)) != 0)
			break;
	}
	if (ret == 0 && rc != SQLITE_DONE) {
		set_err(db, "reading maps");
		ret = -1;
	}
	sqlite3_reset(s);
	return ret;
}

int64_t mapdb_max_map_id(struct mapdb *db)
{
	sqlite3_stmt *s = db->st[ST_MAX_ID];
	int64_t v = -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	else
		set_err(db, "reading max map id");
	sqlite3_reset(s);
	return v;
}

int mapdb_normalize_time(struct mapdb *db, const char *in, char *out, size_t len)
{
	if (!in || !*in)
		return -1;
	sqlite3_stmt *s = db->st[ST_NORM_TIME];
	sqlite3_bind_text(s, 1, in, -1, SQLITE_TRANSIENT);
	int ok = -1;
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) == SQLITE_TEXT) {
		copy_text(out, len, sqlite3_column_text(s, 0));
		ok = 0;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return ok;
}

void mapdb_history_filter_init(struct mapdb_history_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->client_id = f->client_slot = f->bank_id = f->bank_slot = -1;
}

int mapdb_history(struct mapdb *db, const struct mapdb_history_filter *f,
		  mapdb_event_cb cb, void *arg)
{
	char since[32], until[32];
	if (f->since && mapdb_normalize_time(db, f->since, since, sizeof(since)) < 0) {
		snprintf(db->err, sizeof(db->err), "cannot parse time '%s'", f->since);
		return -2;
	}
	if (f->until && mapdb_normalize_time(db, f->until, until, sizeof(until)) < 0) {
		snprintf(db->err, sizeof(db->err), "cannot parse time '%s'", f->until);
		return -2;
	}
	sqlite3_stmt *s = db->st[ST_HISTORY];
	if (f->client_id >= 0)
		sqlite3_bind_int(s, 1, f->client_id);
	if (f->client_slot >= 0)
		sqlite3_bind_int(s, 2, f->client_slot);
	if (f->bank_id >= 0)
		sqlite3_bind_int(s, 3, f->bank_id);
	if (f->bank_slot >= 0)
		sqlite3_bind_int(s, 4, f->bank_slot);
	if (f->map_id > 0)
		sqlite3_bind_int64(s, 5, f->map_id);
	if (f->event)
		sqlite3_bind_text(s, 6, f->event, -1, SQLITE_TRANSIENT);
	if (f->since)
		sqlite3_bind_text(s, 7, since, -1, SQLITE_TRANSIENT);
	if (f->until)
		sqlite3_bind_text(s, 8, until, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 9, f->limit > 0 ? f->limit : -1);

	int rc, ret = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct mapdb_event ev;
		memset(&ev, 0, sizeof(ev));
		ev.seq = sqlite3_column_int64(s, 0);
		copy_text(ev.ts, sizeof(ev.ts), sqlite3_column_text(s, 1));
		ev.map_id = sqlite3_column_int64(s, 2);
		copy_text(ev.event, sizeof(ev.event), sqlite3_column_text(s, 3));
		copy_text(ev.actor, sizeof(ev.actor), sqlite3_column_text(s, 4));
		ev.client_id = (uint16_t)sqlite3_column_int(s, 5);
		ev.client_slot = (uint16_t)sqlite3_column_int(s, 6);
		ev.bank_id = (uint16_t)sqlite3_column_int(s, 7);
		ev.bank_slot = (uint16_t)sqlite3_column_int(s, 8);
		copy_text(ev.state, sizeof(ev.state), sqlite3_column_text(s, 9));
		ev.result = sqlite3_column_type(s, 10) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 10);
		copy_text(ev.detail, sizeof(ev.detail), sqlite3_column_text(s, 11));
		if ((ret = cb(arg, &ev)) != 0)
			break;
	}
	if (ret == 0 && rc != SQLITE_DONE) {
		set_err(db, "reading history");
		ret = -1;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return ret;
}

/* ------------------------------------------------------------------------ */
/* glue to slotmap.h action lists */

static const char *result_name(int r)
{
	switch (r) {
	case 0: return "ok";
	case 1: return "illegalClientId";
	case 2: return "illegalBankId";
	case 3: return "illegalSlotId";
	case 4: return "unsupportedProtocolVersion";
	case 5: return "unknownSlotmap";
	case 6: return "identityInUse";
	case 100: return "cardNotPresent";
	case 101: return "cardUnresponsive";
	case 102: return "cardTransmissionError";
	default: return "unknown";
	}
}

static void fill_event(struct mapdb_event *ev, const struct sm_action *a)
{
	memset(ev, 0, sizeof(*ev));
	ev->map_id = (int64_t)a->map_id;
	snprintf(ev->event, sizeof(ev->event), "%s", sm_hist_name(a->hist));
	snprintf(ev->actor, sizeof(ev->actor), "%s", sm_actor_name(a->actor));
	ev->client_id = a->client.id;
	ev->client_slot = a->client.nr;
	ev->bank_id = a->bank.id;
	ev->bank_slot = a->bank.nr;
	snprintf(ev->state, sizeof(ev->state), "%s", sm_state_rest_name(a->state));
	ev->result = a->result;
	if (a->hist == SM_H_ACTIVATED || a->hist == SM_H_RELEASED)
		snprintf(ev->detail, sizeof(ev->detail), "bankd %u.%u.%u.%u:%u", a->ipv4 >> 24,
			 (a->ipv4 >> 16) & 255, (a->ipv4 >> 8) & 255, a->ipv4 & 255, a->port);
	else if (a->result >= 0)
		snprintf(ev->detail, sizeof(ev->detail), "result %s", result_name(a->result));
	else if (a->prev != SM_NONE &&
		 strcmp(sm_state_rest_name(a->prev), sm_state_rest_name(a->state)) != 0)
		snprintf(ev->detail, sizeof(ev->detail), "was %s", sm_state_rest_name(a->prev));
}

int mapdb_apply(struct mapdb *db, const struct sm_actions *acts)
{
	if (acts->oom) {
		snprintf(db->err, sizeof(db->err), "incomplete action list (out of memory)");
		return -1;
	}
	int own = !db->in_txn;
	if (own && mapdb_begin(db) < 0)
		return -1;
	for (size_t i = 0; i < acts->n; i++) {
		const struct sm_action *a = &acts->v[i];
		int rc = 0;
		if (a->type == SM_ACT_DB_PUT) {
			struct mapdb_map m;
			memset(&m, 0, sizeof(m));
			m.id = (int64_t)a->map_id;
			m.client_id = a->client.id;
			m.client_slot = a->client.nr;
			m.bank_id = a->bank.id;
			m.bank_slot = a->bank.nr;
			snprintf(m.state, sizeof(m.state), "%s", sm_state_rest_name(a->state));
			m.on_bank = sm_state_on_bank(a->state);
			rc = mapdb_map_put(db, &m);
		} else if (a->type == SM_ACT_DB_DEL) {
			rc = mapdb_map_del(db, (int64_t)a->map_id);
		} else if (a->type == SM_ACT_HISTORY) {
			struct mapdb_event ev;
			fill_event(&ev, a);
			rc = mapdb_history_add(db, &ev);
		}
		if (rc < 0) {
			mapdb_rollback(db);
			return -1;
		}
	}
	return own ? mapdb_commit(db) : 0;
}

struct load_ctx {
	struct mapdb_map *v;
	size_t n, cap;
};

static int load_cb(void *arg, const struct mapdb_map *m)
{
	struct load_ctx *c = arg;
	if (c->n == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 64;
		struct mapdb_map *nv = realloc(c->v, ncap * sizeof(*nv));
		if (!nv)
			return -1;
		c->v = nv;
		c->cap = ncap;
	}
	c->v[c->n++] = *m;
	return 0;
}

int mapdb_load(struct mapdb *db, struct slotmap_table *t, struct sm_actions *out)
{
	int64_t max = mapdb_max_map_id(db);
	if (max < 0)
		return -1;
	slotmap_set_next_id(t, (uint64_t)max + 1);
	struct load_ctx c = { 0 };
	if (mapdb_maps(db, load_cb, &c) != 0) {
		free(c.v);
		return -1;
	}
	int restored = 0;
	for (size_t i = 0; i < c.n; i++) {
		const struct mapdb_map *m = &c.v[i];
		struct sm_slot cs = { m->client_id, m->client_slot };
		struct sm_slot bs = { m->bank_id, m->bank_slot };
		if (slotmap_restore(t, (uint64_t)m->id, cs, bs, m->state, m->on_bank, out) == SM_OK)
			restored++;
	}
	free(c.v);
	if (mapdb_apply(db, out) < 0)
		return -1;
	LOGI(NULL, "mapping database %s: %d maps restored", db->path, restored);
	return restored;
}

/* ---- retention ------------------------------------------------------------- */

static int64_t col_or(sqlite3_stmt *s, int i, int64_t dflt)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? dflt : sqlite3_column_int64(s, i);
}

/* One integer from a statement with an optional text ?1; -1 on error. */
static int64_t query_int(struct mapdb *db, sqlite3_stmt *s, const char *arg, int col, const char *what)
{
	sqlite3_reset(s);
	if (arg)
		sqlite3_bind_text(s, 1, arg, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(s);
	int64_t v = rc == SQLITE_ROW ? col_or(s, col, 0) : -1;
	sqlite3_reset(s);
	if (v < 0)
		set_err(db, what);
	return v;
}

/* Run a DELETE with ?1 (text or integer) and ?2 = limit; rows deleted or -1. */
static int prune_step(struct mapdb *db, sqlite3_stmt *s, const char *text, int64_t num, int limit)
{
	sqlite3_reset(s);
	if (text)
		sqlite3_bind_text(s, 1, text, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_int64(s, 1, num);
	sqlite3_bind_int(s, 2, limit);
	if (step_done(db, s, "prune history") < 0)
		return -1;
	return sqlite3_changes(db->h);
}

int64_t mapdb_history_rows(struct mapdb *db)
{
	return query_int(db, db->st[ST_HIST_COUNT], NULL, 0, "history rows");
}

int mapdb_history_prune(struct mapdb *db, int keep_days, int64_t max_rows, int batch)
{
	char mod[32];
	snprintf(mod, sizeof(mod), "-%d days", keep_days);
	int64_t lo = query_int(db, db->st[ST_HIST_BOUNDS], NULL, 0, "history bounds");
	int64_t hi = query_int(db, db->st[ST_HIST_BOUNDS], NULL, 1, "history bounds");
	if (lo < 0 || hi < 0)
		return -1;
	int old = 0;
	if (keep_days > 0 && lo && (old = (int)query_int(db, db->st[ST_HIST_AGE], mod, 0, "history age")) < 0)
		return -1;
	int over = max_rows > 0 && lo && hi - lo + 1 > max_rows;
	if (!old && !over)
		return 0;	/* nothing to do: no write transaction */
	if (batch <= 0)
		batch = INT32_MAX;
	if (mapdb_begin(db) < 0)
		return -1;
	sqlite3_stmt *m = db->st[ST_PRUNE_MARK];
	sqlite3_reset(m);
	sqlite3_bind_int64(m, 1, hi);
	int n = 0, k = 0;
	if (step_done(db, m, "prune mark") < 0 ||
	    (old && (k = prune_step(db, db->st[ST_PRUNE_AGE], mod, 0, batch)) < 0))
		goto fail;
	n += k;
	k = 0;
	if (over && n < batch && (k = prune_step(db, db->st[ST_PRUNE_DEL], NULL, hi - max_rows, batch - n)) < 0)
		goto fail;
	n += k;
	if (step_done(db, db->st[ST_PRUNE_UNMARK], "prune unmark") < 0 || mapdb_commit(db) < 0)
		goto fail;
	return n;
fail:
	mapdb_rollback(db);
	return -1;
}
