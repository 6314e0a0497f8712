/* SPDX-License-Identifier: GPL-2.0-or-later */
/* logmask.c: log categories and osmo-style category masks (see logmask.h). */
#include "logmask.h"
#include "log.h"
#include "suggest.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const cat_names[LC_COUNT + 1] = {
	[LC_MAIN] = "DMAIN", [LC_ST2] = "DST2", [LC_RSPRO] = "DRSPRO",
	[LC_REST] = "DREST", [LC_SLOTMAP] = "DSLOTMAP", [LC_BANKDW] = "DBANKDW",
	[LC_GSMTAP] = "DGSMTAP", [LC_BROKER] = "DBROKER", [LC_SUP] = "DSUP",
	[LC_TPDU] = "DTPDU", [LC_COUNT] = NULL,
};

const char *log_cat_name(enum log_cat cat)
{
	return (int)cat >= 0 && cat < LC_COUNT ? cat_names[cat] : "?";
}

int log_cat_parse(const char *name)
{
	if (!name || !*name)
		return -1;
	for (int i = 0; i < LC_COUNT; i++)
		if (!strcasecmp(name, cat_names[i]) || !strcasecmp(name, cat_names[i] + 1))
			return i;
	return -1;
}

const char *const *log_cat_names(void)
{
	return cat_names;
}

enum log_cat log_cat_for_component(const char *component)
{
	static const struct { const char *name; enum log_cat cat; } by_name[] = {
		{ "broker", LC_BROKER }, { "remsimd", LC_SUP }, { "mapstore", LC_SLOTMAP },
		{ "rest", LC_REST }, { "reader", LC_BANKDW },
	};
	size_t n = component ? strcspn(component, "/") : 0;
	for (size_t i = 0; i < sizeof(by_name) / sizeof(by_name[0]); i++)
		if (n == strlen(by_name[i].name) && !strncmp(component, by_name[i].name, n))
			return by_name[i].cat;
	return LC_MAIN;
}

int log_cat_default_level(enum log_cat cat)
{
	return cat == LC_TPDU ? LL_NOTICE : LL_INFO;
}

int log_level_from_osmo(int n)
{
	/* libosmocore: 1 DEBUG, 3 INFO, 5 NOTICE, 7 ERROR, 8 FATAL */
	return n <= 1 ? LL_DEBUG : n <= 3 ? LL_INFO : n <= 5 ? LL_NOTICE : n <= 7 ? LL_ERROR : LL_FATAL;
}

int log_level_any(const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);
	if (*s && !*end)
		return n >= 0 && n <= 8 ? log_level_from_osmo((int)n) : -1;
	return log_level_parse(s);
}

void log_levels_default(int levels[LC_COUNT])
{
	for (int i = 0; i < LC_COUNT; i++)
		levels[i] = log_cat_default_level((enum log_cat)i);
}

void log_levels_all(int levels[LC_COUNT], int level)
{
	for (int i = 0; i < LC_COUNT; i++)
		if (i != LC_TPDU)
			levels[i] = level;
}

static int fail(char *err, size_t errlen, const char *fmt, const char *a, const char *b)
{
	if (err && errlen)
		snprintf(err, errlen, fmt, a, b);
	return -1;
}

/* partial: categories the mask does not name keep their level, "all" is a
 * category name; else they are turned down to LL_ERROR (osmo's meaning). */
static int parse_mask(const char *mask, int levels[LC_COUNT], int partial, char *err, size_t errlen)
{
	if (!mask || !*mask)
		return fail(err, errlen, "empty log mask%s%s", "", "");
	int lvl = log_level_any(mask);
	if (lvl >= 0) {
		log_levels_all(levels, lvl);
		return 0;
	}
	int out[LC_COUNT];
	for (int i = 0; i < LC_COUNT; i++)
		out[i] = partial ? levels[i] : LL_ERROR;
	char buf[512];
	if (strlen(mask) >= sizeof(buf))
		return fail(err, errlen, "log mask too long (%s%s)", "at most 511 characters", "");
	strcpy(buf, mask);
	char *save = NULL;
	for (char *tok = strtok_r(buf, ":", &save); tok; tok = strtok_r(NULL, ":", &save)) {
		char *comma = strchr(tok, ',');
		int level = LL_DEBUG;	/* libosmocore: no number = level 0, all lines */
		if (comma) {
			*comma = '\0';
			level = comma[1] ? log_level_any(comma + 1) : -1;
			if (level < 0)
				return fail(err, errlen, "bad level '%s' for %s in log mask (osmocom numbers 0..8: "
					    "1 debug, 3 info, 5 notice, 7 error, 8 fatal; or a level name)", comma + 1, tok);
		}
		int c = log_cat_parse(tok);
		if (c >= 0) {
			out[c] = level;
			continue;
		}
		if (partial && !strcasecmp(tok, "all")) {
			for (int i = 0; i < LC_COUNT; i++)
				out[i] = level;
			continue;
		}
		if (strlen(tok) > 2 && !strncasecmp(tok, "DL", 2))
			continue;	/* libosmocore's own categories: nothing of ours to set */
		char up[64];
		size_t k;
		for (k = 0; tok[k] && k < sizeof(up) - 1; k++)
			up[k] = (char)toupper((unsigned char)tok[k]);
		up[k] = '\0';
		const char *best = suggest_nearest(up, cat_names, 1);
		char list[200], hint[64] = "";
		suggest_list(cat_names, list, sizeof(list));
		if (best)
			snprintf(hint, sizeof(hint), "did you mean '%s'?; ", best);
		char msg[320];
		snprintf(msg, sizeof(msg), "unknown log category '%s' in log mask (%sknown: %s)", tok, hint, list);
		return fail(err, errlen, "%s%s", msg, "");
	}
	memcpy(levels, out, sizeof(out));
	return 0;
}

int log_mask_parse(const char *mask, int levels[LC_COUNT], char *err, size_t errlen)
{
	return parse_mask(mask, levels, 0, err, errlen);
}

int log_mask_parse_partial(const char *mask, int levels[LC_COUNT], char *err, size_t errlen)
{
	return parse_mask(mask, levels, 1, err, errlen);
}

char *log_mask_format(const int levels[LC_COUNT], char *out, size_t outlen)
{
	size_t o = 0;
	if (outlen)
		out[0] = '\0';
	for (int i = 0; i < LC_COUNT && o < outlen; i++)
		o += (size_t)snprintf(out + o, outlen - o, "%s%s,%s", o ? ":" : "", cat_names[i],
				      log_level_name((enum log_level)levels[i]));
	return out;
}
