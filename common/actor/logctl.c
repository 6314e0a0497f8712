/* SPDX-License-Identifier: GPL-2.0-or-later */
/* logctl.c: the `log` control command of every process (see logctl.h). */
#include "logctl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "logmask.h"
#include "suggest.h"

int logctl_parse_names(const char *cat, const char *level, int *catp, int *levelp,
		       char *err, size_t errlen)
{
	int c = cat && !strcasecmp(cat, "all") ? LC_COUNT : log_cat_parse(cat);
	if (c < 0) {
		const char *const *names = log_cat_names();
		const char *best = cat ? suggest_nearest(cat, names, 1) : NULL;
		char list[200];
		suggest_list(names, list, sizeof(list));
		snprintf(err, errlen, "unknown log category '%s' (%s%s%sknown: all, %s)", cat ? cat : "",
			 best ? "did you mean '" : "", best ? best : "", best ? "'?; " : "", list);
		return -1;
	}
	char *end = NULL;
	long n = level ? strtol(level, &end, 10) : -1;
	int l = level && *level && end && !*end ? (n >= 0 && n <= 8 ? log_level_from_osmo((int)n) : -1)
						: log_level_parse(level);
	if (l < 0) {
		snprintf(err, errlen, "unknown log level '%s' (known: debug, info, notice, warn, error, "
			 "fatal, or an osmocom number 0..8)", level ? level : "");
		return -1;
	}
	*catp = c;
	*levelp = l;
	return 0;
}

int logctl_parse(const json_t *args, int *set, int *catp, int *levelp, char *err, size_t errlen)
{
	size_t n = json_is_array(args) ? json_array_size(args) : 0;
	if (args && !json_is_null(args) && !json_is_array(args)) {
		snprintf(err, errlen, "usage: log [CATEGORY LEVEL]");
		return -1;
	}
	*set = 0;
	if (n == 0)
		return 0;
	const char *c = json_string_value(json_array_get(args, 0));
	const char *l = json_string_value(json_array_get(args, 1));
	if (n != 2 || !c || !l) {
		snprintf(err, errlen, "usage: log [CATEGORY LEVEL] (CATEGORY: all or a category name)");
		return -1;
	}
	*set = 1;
	return logctl_parse_names(c, l, catp, levelp, err, errlen);
}

json_t *logctl_levels(void)
{
	int lv[LC_COUNT];
	log_get_levels(lv);
	json_t *levels = json_object(), *over = json_array();
	for (int i = 0; i < LC_COUNT; i++) {
		json_object_set_new(levels, log_cat_name((enum log_cat)i),
				    json_string(log_level_name((enum log_level)lv[i])));
		if (log_overridden(i))
			json_array_append_new(over, json_string(log_cat_name((enum log_cat)i)));
	}
	return json_pack("{s:s, s:o, s:o}", "default", log_cat_name(log_default_cat()),
			 "levels", levels, "overridden", over);
}

json_t *logctl_handle(const json_t *args, char *err, size_t errlen)
{
	int set, cat, level;
	if (logctl_parse(args, &set, &cat, &level, err, errlen) < 0)
		return NULL;
	if (set) {
		log_override(cat, (enum log_level)level);
		LOGN(NULL, "log level of %s set to %s at run time", cat == LC_COUNT ? "every category" :
		     log_cat_name((enum log_cat)cat), log_level_name((enum log_level)level));
	}
	return logctl_levels();
}
