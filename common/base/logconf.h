/* SPDX-License-Identifier: GPL-2.0-or-later */
/* logconf.h: the role config's top-level `log` group (docs/logging.md).
 *
 *   log: {
 *     level = "info";                       # every category but DTPDU
 *     categories = "DMAIN,1:DRSPRO,3";      # an osmo -d mask, or
 *     # categories = { DTPDU = "info"; DRSPRO = "debug"; };  # only these
 *     target = "stderr";                    # or "syslog"
 *     timestamps = true;                    # default: off under the journal
 *     syslog_facility = "daemon";           # user, daemon, local0..local7
 *   };
 *
 * Read strictly (unknown keys, bad values: file:line errors) by remsimd for
 * the whole role and applied by every process of the role at start. */
#ifndef REMSIM_LOGCONF_H
#define REMSIM_LOGCONF_H

#include <stddef.h>

#include "config.h"
#include "logmask.h"

struct logconf {
	int levels[LC_COUNT];	/* enum log_level per category */
	int timestamps;		/* 0/1, -1: automatic */
	int syslog;		/* target syslog instead of stderr */
	int facility;		/* LOG_DAEMON ... */
};

/* Read and check the `log` group of c (absent: the defaults).  0, or -1 with
 * "file:line: ..." in cfg_error(c). */
int logconf_read(struct cfg *c, struct logconf *out);
/* Make it this process's: levels (under REMSIM_LOG_LEVEL/MASK and the
 * run-time overrides), timestamps, target. */
void logconf_apply(const struct logconf *lc);
/* Load the file at path, read its `log` group and apply it; 0 (also when
 * path is NULL or empty), or -1 with the file:line error in err. */
int logconf_apply_file(const char *path, char *err, size_t errlen);

#endif
