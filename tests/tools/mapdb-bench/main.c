/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mapdb-bench: latency of durable mapping operations (slotmap + mapdb);
 * with --history, the database size after create/delete cycles (history.c).
 * Creates 1,024 mappings (bankd connected, so each create also records the
 * CreateMappingReq push), then acknowledges them, each operation committed
 * to sqlite (WAL, synchronous=FULL) on its own as the mapstore does.
 * Prints per-operation p50/p99/max and total time; no asserts.
 *   mapdb-bench [DIR]   (database directory; default: a new dir in $TMPDIR or /tmp)
 *   mapdb-bench --history CYCLES KEEP_DAYS MAX_ROWS [DIR] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "tmpdir.h"
#include "monotime.h"
#include "log.h"
#include "mapdb.h"
#include "slotmap.h"

#define N 1024

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void report(const char *what, double *lat, size_t n, double total_us)
{
	qsort(lat, n, sizeof(*lat), cmp_double);
	printf("%-8s n=%zu  p50=%.1f us  p99=%.1f us  max=%.1f us  total=%.1f ms  (%.0f ops/s)\n",
	       what, n, lat[n / 2], lat[(n * 99) / 100], lat[n - 1], total_us / 1e3,
	       n / (total_us / 1e6));
}

struct mapdb *bench_open(const char *dir_arg, char *dir, size_t dirlen, const char *file,
			 char *path, size_t pathlen)
{
	char err[400];
	if (!dir_arg) {
		if (!tmp_mkdtemp("mapdb-bench", dir, dirlen)) {
			perror("mkdtemp");
			return NULL;
		}
	} else {
		snprintf(dir, dirlen, "%s", dir_arg);
	}
	snprintf(path, pathlen, "%s/%s", dir, file);
	unlink(path);
	struct mapdb *db = mapdb_open(path, err, sizeof(err));
	if (!db)
		fprintf(stderr, "%s\n", err);
	return db;
}

void bench_cleanup(const char *dir, const char *path, int own_dir)
{
	char p[320];
	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
	if (own_dir)
		rmdir(dir);
}

int main(int argc, char **argv)
{
	log_init("mapdb-bench");
	log_set_level(LL_ERROR);
	if (argc > 1 && !strcmp(argv[1], "--history"))
		return history_bench(argc - 1, argv + 1);
	char dir[256], path[300];
	int own_dir = argc < 2;
	struct mapdb *db = bench_open(own_dir ? NULL : argv[1], dir, sizeof(dir), "bench-maps.db", path,
				      sizeof(path));
	if (!db)
		return 1;
	struct slotmap_table *t = slotmap_new();
	struct sm_actions a;
	sm_actions_init(&a);
	static double create_lat[N], ack_lat[N];
	int failures = 0;

	for (uint16_t b = 0; b < 4; b++)
		slotmap_bank_up(t, b, 0x0a000002u + b, SM_BANKD_PORT, &a);
	sm_actions_clear(&a);

	double t0 = mono_usf();
	for (int i = 0; i < N; i++) {
		double s = mono_usf();
		struct sm_slot c = { (uint16_t)i, 0 }, bk = { (uint16_t)(i % 4), (uint16_t)(i / 4) };
		if (slotmap_create(t, c, bk, SM_ACTOR_CTL, &a, NULL) != SM_OK || mapdb_apply(db, &a) < 0)
			failures++;
		sm_actions_clear(&a);
		create_lat[i] = mono_usf() - s;
	}
	double t1 = mono_usf();
	for (int i = 0; i < N; i++) {
		double s = mono_usf();
		if (slotmap_create_res(t, (uint16_t)(i % 4), 0, &a) != SM_OK || mapdb_apply(db, &a) < 0)
			failures++;
		sm_actions_clear(&a);
		ack_lat[i] = mono_usf() - s;
	}
	double t2 = mono_usf();

	/* bankd 0..3 reconnect: 1,024 re-pushes, one transaction per bankd */
	double r0 = mono_usf();
	for (uint16_t b = 0; b < 4; b++) {
		slotmap_bank_up(t, b, 0x0a000002u + b, SM_BANKD_PORT, &a);
		if (mapdb_apply(db, &a) < 0)
			failures++;
		sm_actions_clear(&a);
	}
	double r1 = mono_usf();
	/* the 1,024 acks again, all in one transaction (what an actor can do for
	 * responses that arrive together; no operator waits on them) */
	if (mapdb_begin(db) < 0)
		failures++;
	for (int i = 0; i < N; i++) {
		if (slotmap_create_res(t, (uint16_t)(i % 4), 0, &a) != SM_OK || mapdb_apply(db, &a) < 0)
			failures++;
		sm_actions_clear(&a);
	}
	if (mapdb_commit(db) < 0)
		failures++;
	double r2 = mono_usf();

	printf("mapdb-bench: %d mappings, database %s (WAL, synchronous=FULL)\n", N, path);
	report("create", create_lat, N, t1 - t0);
	report("ack", ack_lat, N, t2 - t1);
	printf("total    %.1f ms for %d operations, one commit each\n", (t2 - t0) / 1e3, 2 * N);
	printf("reconnect 4 bankds, %d re-pushes: %.1f ms (one commit per bankd)\n", N, (r1 - r0) / 1e3);
	printf("ack-batch %d acks in one commit: %.1f ms\n", N, (r2 - r1) / 1e3);
	printf("failures %d\n", failures);

	sm_actions_free(&a);
	slotmap_free(t);
	mapdb_close(db);
	bench_cleanup(dir, path, own_dir);
	return 0;
}
