/* SPDX-License-Identifier: GPL-2.0-or-later */
/* logenv.c: -d MASK / -e N handed from a launcher to the role's processes
 * (see logenv.h). */
#include "logenv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "logmask.h"

int logenv_export(const char *mask, char *err, size_t errlen)
{
	int levels[LC_COUNT];
	log_levels_default(levels);
	if (log_mask_parse(mask, levels, err, errlen) < 0)
		return -1;
	int lowest = LL_FATAL;
	for (int i = 0; i < LC_COUNT; i++)
		if (levels[i] < lowest)
			lowest = levels[i];
	setenv(LOGENV_MASK_VAR, mask, 1);
	setenv("REMSIM_LOG_LEVEL", log_level_name((enum log_level)lowest), 1);
	log_reload_env();
	return 0;
}

const char *logenv_launch_mask(const char *mask, long osmo_level, char *out, size_t outlen)
{
	if (osmo_level < 0) {
		if (!mask)
			return NULL;
		snprintf(out, outlen, "%s", mask);
		return out;
	}
	int floor = log_level_from_osmo((int)osmo_level);
	if (!mask) {
		snprintf(out, outlen, "%s", log_level_name((enum log_level)floor));
		return out;
	}
	int levels[LC_COUNT];
	log_levels_default(levels);
	if (log_mask_parse(mask, levels, NULL, 0) < 0)
		return NULL;
	for (int i = 0; i < LC_COUNT; i++)
		if (levels[i] < floor)
			levels[i] = floor;
	return log_mask_format(levels, out, outlen);
}
