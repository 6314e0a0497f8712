/* SPDX-License-Identifier: GPL-2.0-or-later */
/* spawn.h: starting and signalling one actor process. */
#ifndef REMSIMD_SPAWN_H
#define REMSIMD_SPAWN_H

#include <stddef.h>
#include "sup.h"

/* Fork and exec actor a as
 *   PROGRAM --hub HUB --name NAME --config CFG ARGS...
 * with REMSIM_HUB/_NAME/_CONFIG/_RUN_DIR/_CONTROL (and _INDEX for expanded
 * kinds) in its environment, stdin on /dev/null, in its own process group,
 * and with PR_SET_PDEATHSIG(SIGKILL) so it dies with remsimd.
 * Returns the pid, or -1 with the reason (e.g. "exec ...: No such file or
 * directory") in err; a failed exec is detected synchronously. */
pid_t spawn_actor(const struct sup *s, const struct actor *a, char *err, size_t errlen);

/* Signal the actor's process group (falls back to the pid). */
void signal_actor(const struct actor *a, int sig);

/* "exit status N" / "killed by signal N" for a waitpid() status. */
void describe_status(int wstatus, char *buf, size_t len);

/* The actor's reason to exit: its last FATAL log line (common/base/log.c writes
 * it to REMSIM_REASON_FILE), or "" when it left none.  Removes the file. */
void read_reason(const struct actor *a, char *buf, size_t len);

#endif
