/* SPDX-License-Identifier: GPL-2.0-or-later */
/* history.c: mapdb-bench --history: database size after many mapping
 * create/delete cycles, with
 * and without history retention (the numbers of docs/mapping-history.md
 * "Retention").  Each cycle is what the mapstore does for `map` + `unmap` of
 * a mapping whose bankd is away (slotmap core + mapdb_apply: a map row, two
 * history rows); cycles are committed 100 at a time (the size does not depend
 * on it, the run time does).  With retention, one prune batch runs every
 * 100 cycles, as the mapstore's timer would between requests.  Prints the
 * rows and the file size (database + WAL after a checkpoint); no asserts.
 *   mapdb-bench --history CYCLES KEEP_DAYS MAX_ROWS [DIR]   (0 0: no retention) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "monotime.h"
#include "log.h"
#include "mapdb.h"
#include "slotmap.h"

#define PER_COMMIT 100
#define PRUNE_BATCH 500

static long long file_size(const char *path, const char *suffix)
{
	char p[400];
	struct stat st;
	snprintf(p, sizeof(p), "%s%s", path, suffix);
	return stat(p, &st) == 0 ? (long long)st.st_size : 0;
}

static double now_s(void)
{
	return mono_usf() / 1e6;
}

int history_bench(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: mapdb-bench --history CYCLES KEEP_DAYS MAX_ROWS [DIR]\n");
		return 2;
	}
	long cycles = atol(argv[1]);
	int keep = atoi(argv[2]);
	long long max_rows = atoll(argv[3]);
	char dir[256], path[300];
	struct mapdb *db = bench_open(argc > 4 ? argv[4] : NULL, dir, sizeof(dir), "history.db", path,
				      sizeof(path));
	if (!db)
		return 1;
	struct slotmap_table *t = slotmap_new();
	struct sm_actions a;
	sm_actions_init(&a);
	long failures = 0, pruned = 0;
	double t0 = now_s();
	for (long i = 0; i < cycles; i++) {
		if (i % PER_COMMIT == 0) {
			if (i && mapdb_commit(db) < 0)
				failures++;
			if (keep || max_rows) {
				int n = mapdb_history_prune(db, keep, max_rows, PRUNE_BATCH);
				pruned += n > 0 ? n : 0;
				failures += n < 0;
			}
			if (mapdb_begin(db) < 0)
				failures++;
		}
		struct sm_slot c = { (uint16_t)(i % 1024), 0 }, b = { 1, (uint16_t)(i % 1024) };
		if (slotmap_create(t, c, b, SM_ACTOR_CTL, &a, NULL) != SM_OK ||
		    slotmap_delete_bank(t, b, SM_ACTOR_CTL, &a) != SM_OK || mapdb_apply(db, &a) < 0)
			failures++;
		sm_actions_clear(&a);
	}
	if (cycles && mapdb_commit(db) < 0)
		failures++;
	double t1 = now_s();
	mapdb_close(db);	/* the last close checkpoints the WAL into the database */
	long long size = file_size(path, "") + file_size(path, "-wal");
	printf("mapdb-bench --history cycles=%ld keep_days=%d max_rows=%lld rows_pruned=%ld "
	       "db_bytes=%lld bytes_per_cycle=%.1f seconds=%.1f failures=%ld\n",
	       cycles, keep, max_rows, pruned, size, cycles ? (double)size / (double)cycles : 0.0,
	       t1 - t0, failures);
	sm_actions_free(&a);
	slotmap_free(t);
	bench_cleanup(dir, path, argc <= 4);
	return failures ? 1 : 0;
}
