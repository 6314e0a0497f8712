/* SPDX-License-Identifier: GPL-2.0-or-later */
/* logctl.h: the `log` control command every process of a role answers
 * (docs/logging.md, docs/control.md).
 *
 *   args []                  -> this process's levels
 *   args [CATEGORY, LEVEL]   -> set CATEGORY ("all": every one) to LEVEL as
 *                               a run-time override, then its levels
 *
 * The result is {"default":"DMAIN","levels":{"DMAIN":"INFO",...},
 * "overridden":["DTPDU"]}. */
#ifndef REMSIM_LOGCTL_H
#define REMSIM_LOGCTL_H

#include <stddef.h>
#include <jansson.h>

/* CATEGORY and LEVEL by name: 0 with *cat (LC_COUNT for "all") and *level,
 * or -1 with a message naming the known names in err. */
int logctl_parse_names(const char *cat, const char *level, int *catp, int *levelp,
		       char *err, size_t errlen);
/* The same for a request's args (an empty array or two strings): 0 and
 * *set = 0 (show) or 1 (set cat/level), or -1 with err. */
int logctl_parse(const json_t *args, int *set, int *catp, int *levelp, char *err, size_t errlen);
/* This process's levels (the result above), a new reference. */
json_t *logctl_levels(void);
/* Answer a `log` request in this process: NULL with err on bad args. */
json_t *logctl_handle(const json_t *args, char *err, size_t errlen);

#endif
