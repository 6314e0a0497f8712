/* SPDX-License-Identifier: GPL-2.0-or-later */
/* logenv.h: how an osmo-style `-d MASK` reaches every process of a role.
 *
 * The launchers validate the mask and hand it on unchanged (remsimd -d MASK);
 * remsimd (and remsim-client-shell, which runs its actors itself) exports it
 * as REMSIM_LOG_MASK to every child, whose log_init() applies it per
 * category.  REMSIM_LOG_LEVEL is set as well, to the lowest level the mask
 * implies, for programs that know only one level. */
#ifndef REMSIM_LOGENV_H
#define REMSIM_LOGENV_H

#include <stddef.h>

#define LOGENV_MASK_VAR "REMSIM_LOG_MASK"

/* Validate mask (log_mask_parse), export REMSIM_LOG_MASK=mask and
 * REMSIM_LOG_LEVEL=<lowest level>, and apply them to this process's own
 * levels (log_reload_env).  0, or -1 with the parser's message in err. */
int logenv_export(const char *mask, char *err, size_t errlen);

/* The mask a launcher passes on for `-d MASK` and/or `-e N` (osmocom level
 * number; NULL/-1 when not given): the mask unchanged, or with -e alone the
 * level name (every category at that level), or with both the mask with
 * each category raised to at least level N (as osmo's -e filters after
 * -d).  Returns out, or NULL when neither was given. */
const char *logenv_launch_mask(const char *mask, long osmo_level, char *out, size_t outlen);

#endif
