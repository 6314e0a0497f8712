/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_mapdb.c: mapdb on real sqlite files in a temp dir: create/reopen,
 * durability (close/reopen and a killed writer), WAL, schema checks, history
 * filters and times, append-only history, clear open errors, the slotmap
 * glue (mapdb_apply / mapdb_load) and the queries docs/mapping-history.md
 * shows to operators. */
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "tmpdir.h"
#include "log.h"
#include "mapdb.h"

static char tmpdir[64];
static char dbpath[128];

static void rm_db(const char *path)
{
	char p[160];
	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

/* fresh database file name for each test */
static const char *fresh(const char *name)
{
	snprintf(dbpath, sizeof(dbpath), "%s/%s.db", tmpdir, name);
	rm_db(dbpath);
	return dbpath;
}

static struct mapdb *open_ok(const char *path)
{
	char err[400] = "";
	struct mapdb *db = mapdb_open(path, err, sizeof(err));
	if (!db)
		fprintf(stderr, "  open failed: %s\n", err);
	return db;
}

/* one integer from raw SQL on a separate connection */
static long long raw_int(const char *path, const char *sql)
{
	sqlite3 *h;
	sqlite3_stmt *s;
	long long v = -999;
	if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
		return v;
	if (sqlite3_prepare_v2(h, sql, -1, &s, NULL) == SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW)
			v = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
	} else {
		fprintf(stderr, "  raw sql error: %s\n", sqlite3_errmsg(h));
	}
	sqlite3_close(h);
	return v;
}

static int raw_exec(const char *path, const char *sql)
{
	sqlite3 *h;
	if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
		return -1;
	int rc = sqlite3_exec(h, sql, NULL, NULL, NULL);
	sqlite3_close(h);
	return rc == SQLITE_OK ? 0 : -1;
}

static struct mapdb_map mk_map(int64_t id, int c, int cs, int b, int bs, const char *state)
{
	struct mapdb_map m;
	memset(&m, 0, sizeof(m));
	m.id = id;
	m.client_id = (uint16_t)c;
	m.client_slot = (uint16_t)cs;
	m.bank_id = (uint16_t)b;
	m.bank_slot = (uint16_t)bs;
	snprintf(m.state, sizeof(m.state), "%s", state);
	return m;
}

static struct mapdb_event mk_ev(const char *ts, int64_t map_id, const char *event, int c, int cs,
				int b, int bs)
{
	struct mapdb_event e;
	memset(&e, 0, sizeof(e));
	snprintf(e.ts, sizeof(e.ts), "%s", ts ? ts : "");
	e.map_id = map_id;
	snprintf(e.event, sizeof(e.event), "%s", event);
	snprintf(e.actor, sizeof(e.actor), "ctl");
	e.client_id = (uint16_t)c;
	e.client_slot = (uint16_t)cs;
	e.bank_id = (uint16_t)b;
	e.bank_slot = (uint16_t)bs;
	snprintf(e.state, sizeof(e.state), "NEW");
	e.result = -1;
	return e;
}

struct collect {
	struct mapdb_map maps[64];
	struct mapdb_event evs[64];
	int n;
};

static int collect_map(void *arg, const struct mapdb_map *m)
{
	struct collect *c = arg;
	if (c->n < 64)
		c->maps[c->n] = *m;
	c->n++;
	return 0;
}

static int collect_ev(void *arg, const struct mapdb_event *e)
{
	struct collect *c = arg;
	if (c->n < 64)
		c->evs[c->n] = *e;
	c->n++;
	return 0;
}

/* ------------------------------------------------------------------------ */

static void test_create_wal_schema(void)
{
	const char *p = fresh("create");
	struct mapdb *db = open_ok(p);
	CHECK(db != NULL);
	if (!db)
		return;
	char mode[16];
	CHECK_EQ_INT(mapdb_journal_mode(db, mode, sizeof(mode)), 0);
	CHECK_EQ_STR(mode, "wal");
	struct mapdb_map m = mk_map(1, 3, 0, 1, 5, "NEW");
	CHECK_EQ_INT(mapdb_map_put(db, &m), 0);
	/* the WAL file exists next to the database while it is open */
	char wal[160];
	struct stat st;
	snprintf(wal, sizeof(wal), "%s-wal", p);
	CHECK_EQ_INT(stat(wal, &st), 0);
	/* another connection sees the mode persisted in the file and the version */
	CHECK_EQ_INT(raw_int(p, "PRAGMA user_version"), MAPDB_SCHEMA_VERSION);
	mapdb_close(db);
	sqlite3 *h;
	CHECK_EQ_INT(sqlite3_open(p, &h), SQLITE_OK);
	sqlite3_stmt *s;
	CHECK_EQ_INT(sqlite3_prepare_v2(h, "PRAGMA journal_mode", -1, &s, NULL), SQLITE_OK);
	CHECK_EQ_INT(sqlite3_step(s), SQLITE_ROW);
	CHECK_EQ_STR((const char *)sqlite3_column_text(s, 0), "wal");
	sqlite3_finalize(s);
	sqlite3_close(h);
	/* the file permissions are not world-writable */
	CHECK_EQ_INT(stat(p, &st), 0);
	CHECK((st.st_mode & S_IWOTH) == 0);
}

static void test_reopen_and_durability(void)
{
	const char *p = fresh("reopen");
	struct mapdb *db = open_ok(p);
	CHECK(db != NULL);
	if (!db)
		return;
	struct mapdb_map m1 = mk_map(1, 3, 0, 1, 5, "NEW");
	struct mapdb_map m2 = mk_map(2, 4, 1, 2, 7, "ACTIVE");
	m2.on_bank = 1;
	CHECK_EQ_INT(mapdb_map_put(db, &m1), 0);
	CHECK_EQ_INT(mapdb_map_put(db, &m2), 0);
	struct mapdb_event e = mk_ev(NULL, 1, "created", 3, 0, 1, 5);
	CHECK_EQ_INT(mapdb_history_add(db, &e), 0);
	/* update keeps created_at, changes state */
	snprintf(m1.state, sizeof(m1.state), "UNACKNOWLEDGED");
	m1.on_bank = 1;
	CHECK_EQ_INT(mapdb_map_put(db, &m1), 0);
	mapdb_close(db);

	db = open_ok(p);   /* reopen: schema accepted, data there */
	CHECK(db != NULL);
	if (!db)
		return;
	struct collect c = { .n = 0 };
	CHECK_EQ_INT(mapdb_maps(db, collect_map, &c), 0);
	CHECK_EQ_INT(c.n, 2);
	CHECK_EQ_INT(c.maps[0].id, 1);
	CHECK_EQ_STR(c.maps[0].state, "UNACKNOWLEDGED");
	CHECK_EQ_INT(c.maps[0].on_bank, 1);
	CHECK_EQ_INT(c.maps[0].bank_slot, 5);
	CHECK_EQ_STR(c.maps[1].state, "ACTIVE");
	CHECK_EQ_INT(strlen(c.maps[0].created_at), 23);   /* YYYY-MM-DD HH:MM:SS.SSS */
	CHECK(strcmp(c.maps[0].updated_at, c.maps[0].created_at) >= 0);
	CHECK_EQ_INT(mapdb_max_map_id(db), 2);
	CHECK_EQ_INT(mapdb_map_del(db, 2), 0);
	CHECK_EQ_INT(mapdb_map_del(db, 77), 0);   /* absent: fine */
	mapdb_close(db);
	CHECK_EQ_INT(raw_int(p, "SELECT count(*) FROM slotmap"), 1);
	CHECK_EQ_INT(raw_int(p, "SELECT count(*) FROM history"), 1);
	/* max id also looks at history: a deleted map's id is never reused */
	db = open_ok(p);
	struct mapdb_event e2 = mk_ev(NULL, 9, "deleted", 3, 0, 1, 5);
	CHECK_EQ_INT(mapdb_history_add(db, &e2), 0);
	CHECK_EQ_INT(mapdb_max_map_id(db), 9);
	mapdb_close(db);
}

/* a write that returned is on disk even if the process dies right after */
static void test_durable_when_killed(void)
{
	const char *p = fresh("killed");
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		char err[400];
		struct mapdb *db = mapdb_open(p, err, sizeof(err));
		if (!db)
			_exit(2);
		struct mapdb_map m = mk_map(1, 3, 0, 1, 5, "NEW");
		struct mapdb_event e = mk_ev(NULL, 1, "created", 3, 0, 1, 5);
		if (mapdb_map_put(db, &m) || mapdb_history_add(db, &e))
			_exit(3);
		/* an uncommitted transaction must not survive */
		struct mapdb_map m2 = mk_map(2, 4, 0, 1, 6, "NEW");
		mapdb_begin(db);
		mapdb_map_put(db, &m2);
		kill(getpid(), SIGKILL);
		_exit(4);
	}
	int status = 0;
	CHECK(pid > 0);
	waitpid(pid, &status, 0);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	struct mapdb *db = open_ok(p);
	CHECK(db != NULL);
	if (!db)
		return;
	struct collect c = { .n = 0 };
	mapdb_maps(db, collect_map, &c);
	CHECK_EQ_INT(c.n, 1);
	CHECK_EQ_INT(c.maps[0].id, 1);
	struct mapdb_history_filter f;
	mapdb_history_filter_init(&f);
	struct collect ce = { .n = 0 };
	CHECK_EQ_INT(mapdb_history(db, &f, collect_ev, &ce), 0);
	CHECK_EQ_INT(ce.n, 1);
	mapdb_close(db);
}

static void test_transactions(void)
{
	const char *p = fresh("txn");
	struct mapdb *db = open_ok(p);
	if (!db)
		return;
	struct mapdb_map m = mk_map(1, 3, 0, 1, 5, "NEW");
	CHECK_EQ_INT(mapdb_begin(db), 0);
	CHECK_EQ_INT(mapdb_begin(db), -1);
	CHECK_EQ_INT(mapdb_map_put(db, &m), 0);
	mapdb_rollback(db);
	CHECK_EQ_INT(raw_int(p, "SELECT count(*) FROM slotmap"), 0);
	CHECK_EQ_INT(mapdb_begin(db), 0);
	CHECK_EQ_INT(mapdb_map_put(db, &m), 0);
	/* not visible to others before the commit */
	CHECK_EQ_INT(raw_int(p, "SELECT count(*) FROM slotmap"), 0);
	CHECK_EQ_INT(mapdb_commit(db), 0);
	CHECK_EQ_INT(raw_int(p, "SELECT count(*) FROM slotmap"), 1);
	mapdb_close(db);
}

static void test_constraints(void)
{
	const char *p = fresh("constraints");
	struct mapdb *db = open_ok(p);
	if (!db)
		return;
	struct mapdb_map a = mk_map(1, 3, 0, 1, 5, "ACTIVE");
	struct mapdb_map b = mk_map(2, 4, 0, 1, 5, "NEW");    /* same bank slot */
	struct mapdb_map c = mk_map(3, 3, 0, 2, 0, "NEW");    /* same client slot */
	struct mapdb_map d = mk_map(4, 3, 0, 1, 5, "DELETING"); /* hidden: allowed */
	struct mapdb_map e = mk_map(5, 3, 1, 1, 1, "BOGUS");
	struct mapdb_map f = mk_map(6, 3, 1, 1, 2000, "NEW");
	CHECK_EQ_INT(mapdb_map_put(db, &a), 0);
	CHECK_EQ_INT(mapdb_map_put(db, &b), -1);
	CHECK(strstr(mapdb_errmsg(db), "UNIQUE") != NULL);
	CHECK_EQ_INT(mapdb_map_put(db, &c), -1);
	CHECK_EQ_INT(mapdb_map_put(db, &d), 0);
	CHECK_EQ_INT(mapdb_map_put(db, &e), -1);
	CHECK_EQ_INT(mapdb_map_put(db, &f), -1);
	/* history is append-only */
	struct mapdb_event ev = mk_ev(NULL, 1, "created", 3, 0, 1, 5);
	CHECK_EQ_INT(mapdb_history_add(db, &ev), 0);
	mapdb_close(db);
	CHECK_EQ_INT(raw_exec(p, "UPDATE history SET event = 'x'"), -1);
	CHECK_EQ_INT(raw_exec(p, "DELETE FROM history"), -1);
	CHECK_EQ_INT(raw_int(p, "SELECT count(*) FROM history WHERE event = 'created'"), 1);
}

/* retention: by age and by row count, oldest first, in batches; other
 * deletes still refused; a new file is 0640 */
static void test_prune(void)
{
	const char *p = fresh("prune");
	struct mapdb *db = open_ok(p);
	CHECK(db != NULL);
	if (!db)
		return;
	struct stat st;
	CHECK(stat(p, &st) == 0 && !(st.st_mode & 0027));	/* 0640 less the umask */
	CHECK_EQ_INT(mapdb_history_prune(db, 30, 0, 100), 0);	/* empty: nothing */
	CHECK(mapdb_begin(db) == 0);
	for (int i = 0; i < 50; i++) {	/* 50 rows from 2020, then 30 of today */
		struct mapdb_event ev = mk_ev("2020-01-01 00:00:00.000", i + 1, "created", 1, 0, 1, 0);
		CHECK_EQ_INT(mapdb_history_add(db, &ev), 0);
	}
	for (int i = 0; i < 30; i++) {
		struct mapdb_event ev = mk_ev(NULL, 100 + i, "created", 1, 0, 1, 0);
		CHECK_EQ_INT(mapdb_history_add(db, &ev), 0);
	}
	CHECK(mapdb_commit(db) == 0);
	CHECK_EQ_INT(mapdb_history_rows(db), 80);
	/* by age, 20 at a time: 20, 20, 10, then nothing */
	CHECK_EQ_INT(mapdb_history_prune(db, 30, 0, 20), 20);
	CHECK_EQ_INT(mapdb_history_prune(db, 30, 0, 20), 20);
	CHECK_EQ_INT(mapdb_history_prune(db, 30, 0, 20), 10);
	CHECK_EQ_INT(mapdb_history_prune(db, 30, 0, 20), 0);
	CHECK_EQ_INT(mapdb_history_rows(db), 30);
	/* by row count: keep the newest 25 */
	CHECK_EQ_INT(mapdb_history_prune(db, 0, 25, 1000), 5);
	CHECK_EQ_INT(mapdb_history_prune(db, 0, 25, 1000), 0);
	CHECK_EQ_INT(mapdb_history_rows(db), 25);
	/* no limits: nothing */
	CHECK_EQ_INT(mapdb_history_prune(db, 0, 0, 1000), 0);
	/* an old row written last (clock set back, an import) goes by age too */
	struct mapdb_event late = mk_ev("2021-06-01 00:00:00.000", 999, "created", 1, 0, 1, 0);
	CHECK_EQ_INT(mapdb_history_add(db, &late), 0);
	CHECK_EQ_INT(mapdb_history_prune(db, 30, 0, 1000), 1);
	CHECK_EQ_INT(mapdb_history_rows(db), 25);
	mapdb_close(db);
	CHECK_EQ_INT(raw_int(p, "SELECT min(map_id) FROM history"), 105);	/* the oldest went */
	CHECK_EQ_INT(raw_int(p, "SELECT count(*) FROM history_prune"), 0);
	CHECK_EQ_INT(raw_exec(p, "DELETE FROM history WHERE seq = (SELECT max(seq) FROM history)"), -1);
	CHECK_EQ_INT(raw_int(p, "SELECT count(*) FROM history"), 25);
}

/* a version-1 database (history without pruning) is upgraded on open */
static void test_upgrade_v1(void)
{
	const char *p = fresh("upgrade");
	struct mapdb *db = open_ok(p);
	CHECK(db != NULL);
	if (!db)
		return;
	struct mapdb_event ev = mk_ev("2019-01-01 00:00:00.000", 1, "created", 1, 0, 1, 0);
	CHECK_EQ_INT(mapdb_history_add(db, &ev), 0);
	mapdb_close(db);
	/* back to what version 1 had */
	CHECK_EQ_INT(raw_exec(p, "DROP TRIGGER history_no_delete; DROP TABLE history_prune;"
				 "CREATE TRIGGER history_no_delete BEFORE DELETE ON history"
				 "  BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;"
				 "PRAGMA user_version = 1;"), 0);
	db = open_ok(p);
	CHECK(db != NULL);
	if (!db)
		return;
	CHECK_EQ_INT(mapdb_history_prune(db, 30, 0, 10), 1);
	mapdb_close(db);
	CHECK_EQ_INT(raw_int(p, "PRAGMA user_version"), 2);
	CHECK_EQ_INT(raw_int(p, "SELECT count(*) FROM history"), 0);
}

static void test_bad_paths(void)
{
	char err[400] = "";
	char p[200];
	/* missing directory */
	snprintf(p, sizeof(p), "%s/no/such/dir/maps.db", tmpdir);
	CHECK(mapdb_open(p, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "cannot open mapping database") != NULL);
	CHECK(strstr(err, p) != NULL);
	CHECK(strstr(err, "No such file or directory") != NULL);
	fprintf(stderr, "  (message: %s)\n", err);
	/* a directory */
	err[0] = 0;
	CHECK(mapdb_open(tmpdir, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "is a directory") != NULL);
	/* empty path */
	err[0] = 0;
	CHECK(mapdb_open("", err, sizeof(err)) == NULL);
	CHECK(strstr(err, "no path") != NULL);
	/* not a database */
	snprintf(p, sizeof(p), "%s/garbage.db", tmpdir);
	FILE *f = fopen(p, "w");
	CHECK(f != NULL);
	if (f) {
		for (int i = 0; i < 200; i++)
			fputs("this is not sqlite ", f);
		fclose(f);
	}
	err[0] = 0;
	CHECK(mapdb_open(p, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "not a database") != NULL);
	unlink(p);
	/* someone else's sqlite database */
	snprintf(p, sizeof(p), "%s/foreign.db", tmpdir);
	rm_db(p);
	sqlite3 *h;
	sqlite3_open(p, &h);
	sqlite3_exec(h, "CREATE TABLE t(x)", NULL, NULL, NULL);
	sqlite3_close(h);
	err[0] = 0;
	CHECK(mapdb_open(p, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "not a remsim mapping database") != NULL);
	rm_db(p);
	/* a newer schema */
	const char *q = fresh("newer");
	struct mapdb *db = open_ok(q);
	mapdb_close(db);
	CHECK_EQ_INT(raw_exec(q, "PRAGMA user_version = 99"), 0);
	err[0] = 0;
	CHECK(mapdb_open(q, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "newer") != NULL);
}

static void test_times(void)
{
	struct mapdb *db = open_ok(fresh("times"));
	if (!db)
		return;
	char out[32];
	CHECK_EQ_INT(mapdb_normalize_time(db, "2026-11-29", out, sizeof(out)), 0);
	CHECK_EQ_STR(out, "2026-11-29 00:00:00");
	CHECK_EQ_INT(mapdb_normalize_time(db, "2026-11-29 06:40", out, sizeof(out)), 0);
	CHECK_EQ_STR(out, "2026-11-29 06:40:00");
	CHECK_EQ_INT(mapdb_normalize_time(db, "2026-11-29T06:40:00Z", out, sizeof(out)), 0);
	CHECK_EQ_STR(out, "2026-11-29 06:40:00");
	CHECK_EQ_INT(mapdb_normalize_time(db, "2026-11-29T08:40:00+02:00", out, sizeof(out)), 0);
	CHECK_EQ_STR(out, "2026-11-29 06:40:00");
	CHECK_EQ_INT(mapdb_normalize_time(db, "@0", out, sizeof(out)), 0);
	CHECK_EQ_STR(out, "1970-01-01 00:00:00");
	CHECK_EQ_INT(mapdb_normalize_time(db, "-7 days", out, sizeof(out)), 0);
	CHECK_EQ_INT(strlen(out), 19);
	char now[32];
	CHECK_EQ_INT(mapdb_normalize_time(db, "+0 seconds", now, sizeof(now)), 0);
	CHECK(strcmp(out, now) < 0);
	CHECK_EQ_INT(mapdb_normalize_time(db, "yesterday-ish", out, sizeof(out)), -1);
	CHECK_EQ_INT(mapdb_normalize_time(db, "", out, sizeof(out)), -1);
	CHECK_EQ_INT(mapdb_normalize_time(db, NULL, out, sizeof(out)), -1);
	CHECK_EQ_INT(mapdb_normalize_time(db, "'; DROP TABLE history; --", out, sizeof(out)), -1);
	mapdb_close(db);
}

static void test_history_filters(void)
{
	const char *p = fresh("history");
	struct mapdb *db = open_ok(p);
	if (!db)
		return;
	struct mapdb_event evs[] = {
		mk_ev("2026-01-01 10:00:00.000", 1, "created", 3, 0, 1, 5),
		mk_ev("2026-01-02 10:00:00.000", 1, "acknowledged", 3, 0, 1, 5),
		mk_ev("2026-01-03 10:00:00.000", 2, "created", 3, 1, 1, 6),
		mk_ev("2026-01-04 10:00:00.000", 3, "created", 4, 0, 2, 5),
		mk_ev("2026-01-05 10:00:00.000", 1, "deleted", 3, 0, 1, 5),
		mk_ev(NULL, 4, "created", 5, 0, 1, 5),
	};
	evs[1].result = 0;
	snprintf(evs[1].detail, sizeof(evs[1].detail), "result ok");
	for (size_t i = 0; i < sizeof(evs) / sizeof(evs[0]); i++)
		CHECK_EQ_INT(mapdb_history_add(db, &evs[i]), 0);

	struct mapdb_history_filter f;
	struct collect c;
#define Q(expect) do { c.n = 0; CHECK_EQ_INT(mapdb_history(db, &f, collect_ev, &c), 0); \
	CHECK_EQ_INT(c.n, expect); } while (0)
	mapdb_history_filter_init(&f);
	Q(6);
	CHECK(c.evs[0].seq < c.evs[5].seq);               /* chronological */
	CHECK_EQ_STR(c.evs[0].ts, "2026-01-01 10:00:00.000");
	CHECK_EQ_INT(c.evs[1].result, 0);
	CHECK_EQ_STR(c.evs[1].detail, "result ok");
	CHECK_EQ_INT(c.evs[0].result, -1);
	CHECK_EQ_STR(c.evs[0].detail, "");
	CHECK_EQ_INT(strlen(c.evs[5].ts), 23);            /* now, with ms */
	/* --client 3:0 */
	f.client_id = 3;
	f.client_slot = 0;
	Q(3);
	/* --client 3 (any slot) */
	f.client_slot = -1;
	Q(4);
	/* --bank 1:5 */
	mapdb_history_filter_init(&f);
	f.bank_id = 1;
	f.bank_slot = 5;
	Q(4);
	/* --client 3:0 --bank 1:5 --since 2026-01-02 */
	f.client_id = 3;
	f.client_slot = 0;
	f.since = "2026-01-02";
	Q(2);
	CHECK_EQ_STR(c.evs[0].event, "acknowledged");
	/* until (exclusive) */
	mapdb_history_filter_init(&f);
	f.since = "2026-01-02 10:00";
	f.until = "2026-01-04T10:00:00Z";
	Q(2);
	/* --limit 2: the newest two, oldest first */
	mapdb_history_filter_init(&f);
	f.limit = 2;
	Q(2);
	CHECK_EQ_STR(c.evs[0].event, "deleted");
	CHECK_EQ_INT(c.evs[1].map_id, 4);
	/* by event and by map */
	mapdb_history_filter_init(&f);
	f.event = "created";
	Q(4);
	f.event = NULL;
	f.map_id = 1;
	Q(3);
	/* relative since: only the row written now */
	mapdb_history_filter_init(&f);
	f.since = "-1 hours";
	Q(1);
	/* bad time */
	f.since = "not a time";
	c.n = 0;
	CHECK_EQ_INT(mapdb_history(db, &f, collect_ev, &c), -2);
	CHECK(strstr(mapdb_errmsg(db), "not a time") != NULL);
	/* hostile strings are data, not SQL */
	mapdb_history_filter_init(&f);
	f.event = "x' OR '1'='1";
	Q(0);
#undef Q
	mapdb_close(db);
	CHECK_EQ_INT(raw_int(p, "SELECT count(*) FROM history"), 6);
}

static int stop_after_one(void *arg, const struct mapdb_event *e)
{
	(void)e;
	(*(int *)arg)++;
	return 7;
}

static void test_history_callback_stop(void)
{
	struct mapdb *db = open_ok(fresh("stop"));
	if (!db)
		return;
	struct mapdb_event e = mk_ev(NULL, 1, "created", 3, 0, 1, 5);
	mapdb_history_add(db, &e);
	mapdb_history_add(db, &e);
	struct mapdb_history_filter f;
	mapdb_history_filter_init(&f);
	int n = 0;
	CHECK_EQ_INT(mapdb_history(db, &f, stop_after_one, &n), 7);
	CHECK_EQ_INT(n, 1);
	/* the statement was reset: a second query works */
	n = 0;
	CHECK_EQ_INT(mapdb_history(db, &f, stop_after_one, &n), 7);
	mapdb_close(db);
}

/* ------------------------------------------------------------------------ */
/* glue with slotmap.h */

static void test_apply_and_load(void)
{
	const char *p = fresh("apply");
	struct mapdb *db = open_ok(p);
	if (!db)
		return;
	struct slotmap_table *t = slotmap_new();
	struct sm_actions a;
	sm_actions_init(&a);
	uint64_t id_active, id_new, id_del, id_gone;
	slotmap_bank_up(t, 1, 0x0a000002, SM_BANKD_PORT, &a);
	slotmap_client_up(t, (struct sm_slot){ 3, 0 }, &a);
	slotmap_create(t, (struct sm_slot){ 3, 0 }, (struct sm_slot){ 1, 5 }, SM_ACTOR_CTL, &a, &id_active);
	slotmap_create_res(t, 1, 0, &a);
	slotmap_create(t, (struct sm_slot){ 4, 0 }, (struct sm_slot){ 2, 0 }, SM_ACTOR_REST, &a, &id_new);
	slotmap_create(t, (struct sm_slot){ 5, 0 }, (struct sm_slot){ 1, 6 }, SM_ACTOR_REST, &a, &id_del);
	slotmap_create_res(t, 1, 0, &a);
	slotmap_delete_bank(t, (struct sm_slot){ 1, 6 }, SM_ACTOR_REST, &a);   /* DELETING */
	slotmap_create(t, (struct sm_slot){ 6, 0 }, (struct sm_slot){ 3, 0 }, SM_ACTOR_CTL, &a, &id_gone);
	slotmap_delete_client(t, (struct sm_slot){ 6, 0 }, SM_ACTOR_CTL, &a);   /* never sent: gone */
	CHECK_EQ_INT(mapdb_apply(db, &a), 0);
	sm_actions_clear(&a);
	slotmap_free(t);
	mapdb_close(db);   /* "server restart" */

	CHECK_EQ_INT(raw_int(p, "SELECT count(*) FROM slotmap"), 3);
	CHECK_EQ_INT(raw_int(p, "SELECT on_bank FROM slotmap WHERE state = 'ACTIVE'"), 1);
	CHECK_EQ_INT(raw_int(p, "SELECT on_bank FROM slotmap WHERE client_id = 4"), 0);
	CHECK_EQ_INT(raw_int(p, "SELECT count(*) FROM history WHERE event = 'activated'"
			     " AND detail = 'bankd 10.0.0.2:9999' AND client_id = 3"), 1);
	CHECK_EQ_INT(raw_int(p, "SELECT count(*) FROM history WHERE event = 'acknowledged'"
			     " AND result = 0 AND actor = 'bankd'"), 2);
	CHECK_EQ_INT(raw_int(p, "SELECT count(*) FROM history WHERE event = 'removing'"
			     " AND detail = 'was DELETE_REQ'"), 1);
	CHECK_EQ_INT(raw_int(p, "SELECT count(*) FROM history WHERE map_id = 4 AND event = 'deleted'"
			     " AND state = 'GONE'"), 1);

	db = open_ok(p);
	t = slotmap_new();
	CHECK_EQ_INT(mapdb_load(db, t, &a), 3);
	CHECK_EQ_INT(slotmap_get(t, id_active)->state, SM_NEW_SENT);
	CHECK_EQ_INT(slotmap_get(t, id_new)->state, SM_NEW);
	CHECK_EQ_INT(slotmap_get(t, id_del)->state, SM_DELETE_REQ);
	CHECK(slotmap_get(t, id_gone) == NULL);
	CHECK_EQ_INT(raw_int(p, "SELECT count(*) FROM history WHERE event = 'restored'"
			     " AND actor = 'startup'"), 3);
	CHECK_EQ_INT(raw_int(p, "SELECT count(*) FROM slotmap WHERE state = 'ACTIVE'"), 0);
	CHECK_EQ_INT(raw_int(p, "SELECT count(*) FROM history WHERE event = 'restored'"
			     " AND detail = 'was ACTIVE'"), 1);
	/* ids continue after the highest ever used (4 was deleted) */
	uint64_t id;
	sm_actions_clear(&a);
	slotmap_create(t, (struct sm_slot){ 7, 0 }, (struct sm_slot){ 7, 0 }, SM_ACTOR_CTL, &a, &id);
	CHECK_EQ_INT(id, 5);
	CHECK_EQ_INT(mapdb_apply(db, &a), 0);
	/* bankd returns: re-push; the pending removal is sent again */
	sm_actions_clear(&a);
	slotmap_bank_up(t, 1, 0x0a000002, SM_BANKD_PORT, &a);
	CHECK_EQ_INT(mapdb_apply(db, &a), 0);
	size_t creates = 0, removes = 0;
	for (size_t i = 0; i < a.n; i++) {
		creates += a.v[i].type == SM_ACT_SEND_CREATE;
		removes += a.v[i].type == SM_ACT_SEND_REMOVE;
	}
	CHECK_EQ_INT(creates, 1);
	CHECK_EQ_INT(removes, 1);
	CHECK_EQ_INT(raw_int(p, "SELECT count(*) FROM slotmap WHERE state = 'UNACKNOWLEDGED'"), 1);
	sm_actions_free(&a);
	slotmap_free(t);
	mapdb_close(db);
}

/* a failing action list leaves the database as it was */
static void test_apply_is_atomic(void)
{
	const char *p = fresh("atomic");
	struct mapdb *db = open_ok(p);
	if (!db)
		return;
	struct sm_actions a;
	sm_actions_init(&a);
	struct slotmap_table *t = slotmap_new();
	slotmap_create(t, (struct sm_slot){ 3, 0 }, (struct sm_slot){ 1, 5 }, SM_ACTOR_CTL, &a, NULL);
	CHECK_EQ_INT(mapdb_apply(db, &a), 0);
	slotmap_free(t);
	/* a second table that knows nothing of the first: conflicting row */
	t = slotmap_new();
	slotmap_set_next_id(t, 10);
	sm_actions_clear(&a);
	slotmap_create(t, (struct sm_slot){ 4, 0 }, (struct sm_slot){ 2, 0 }, SM_ACTOR_CTL, &a, NULL);
	slotmap_create(t, (struct sm_slot){ 3, 0 }, (struct sm_slot){ 1, 6 }, SM_ACTOR_CTL, &a, NULL);
	CHECK_EQ_INT(mapdb_apply(db, &a), -1);
	CHECK_EQ_INT(raw_int(p, "SELECT count(*) FROM slotmap"), 1);
	CHECK_EQ_INT(raw_int(p, "SELECT count(*) FROM history"), 1);
	/* still usable */
	sm_actions_clear(&a);
	slotmap_create(t, (struct sm_slot){ 8, 0 }, (struct sm_slot){ 8, 0 }, SM_ACTOR_CTL, &a, NULL);
	CHECK_EQ_INT(mapdb_apply(db, &a), 0);
	/* an incomplete list is refused */
	a.oom = true;
	CHECK_EQ_INT(mapdb_apply(db, &a), -1);
	sm_actions_free(&a);
	slotmap_free(t);
	mapdb_close(db);
}

/* the example queries of docs/mapping-history.md run and give sane answers */
static void test_doc_queries(void)
{
	const char *p = fresh("docs");
	struct mapdb *db = open_ok(p);
	if (!db)
		return;
	struct mapdb_event old = mk_ev("2000-01-01 00:00:00.000", 1, "activated", 9, 0, 1, 5);
	struct mapdb_event e1 = mk_ev(NULL, 2, "activated", 3, 0, 1, 5);
	struct mapdb_event e2 = mk_ev(NULL, 2, "created", 3, 0, 1, 5);
	struct mapdb_map m = mk_map(2, 3, 0, 1, 5, "ACTIVE");
	mapdb_history_add(db, &old);
	mapdb_history_add(db, &e2);
	mapdb_history_add(db, &e1);
	mapdb_map_put(db, &m);
	mapdb_close(db);
	/* which client used bank 1 slot 5 last week */
	CHECK_EQ_INT(raw_int(p,
		"SELECT count(DISTINCT client_id || ':' || client_slot) FROM history"
		" WHERE bank_id = 1 AND bank_slot = 5 AND event = 'activated'"
		"   AND ts >= datetime('now', '-7 days')"), 1);
	/* all events for client 3:0 today */
	CHECK_EQ_INT(raw_int(p,
		"SELECT count(*) FROM history WHERE client_id = 3 AND client_slot = 0"
		" AND ts >= date('now')"), 2);
	/* the same through the view */
	CHECK_EQ_INT(raw_int(p, "SELECT count(*) FROM history_v WHERE client = '3:0'"), 2);
	/* maps currently active */
	CHECK_EQ_INT(raw_int(p, "SELECT count(*) FROM slotmap WHERE state = 'ACTIVE'"), 1);
}

int main(void)
{
	log_init("test_mapdb");
	log_set_level(LL_FATAL);
	if (!tmp_mkdtemp("test_mapdb", tmpdir, sizeof(tmpdir))) {
		perror("mkdtemp");
		return 1;
	}
	umask(022);
	RUN(test_create_wal_schema);
	RUN(test_reopen_and_durability);
	RUN(test_durable_when_killed);
	RUN(test_transactions);
	RUN(test_constraints);
	RUN(test_bad_paths);
	RUN(test_prune);
	RUN(test_upgrade_v1);
	RUN(test_times);
	RUN(test_history_filters);
	RUN(test_history_callback_stop);
	RUN(test_apply_and_load);
	RUN(test_apply_is_atomic);
	RUN(test_doc_queries);
	/* clean up */
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cleanup of %s failed\n", tmpdir);
	return check_summary();
}
