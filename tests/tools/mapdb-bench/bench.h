/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bench.h: what the two mapdb-bench modes share: a database in a scratch
 * directory (main.c: latency of mapping operations; history.c: database
 * size after create/delete cycles, --history). */
#ifndef MAPDB_BENCH_H
#define MAPDB_BENCH_H

#include <stddef.h>

#include "mapdb.h"

/* Open DIR/file (dir_arg NULL: a new directory in $TMPDIR or /tmp, in dir).
 * path receives the file name.  NULL on error (printed). */
struct mapdb *bench_open(const char *dir_arg, char *dir, size_t dirlen, const char *file,
			 char *path, size_t pathlen);
/* Remove the database files (and the directory if it was ours). */
void bench_cleanup(const char *dir, const char *path, int own_dir);

/* history.c */
int history_bench(int argc, char **argv);

#endif
