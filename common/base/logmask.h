/* SPDX-License-Identifier: GPL-2.0-or-later */
/* logmask.h: log categories and osmo-style category masks.
 *
 * Categories are osmo-remsim's (DMAIN, DST2, DRSPRO, DREST, DSLOTMAP,
 * DBANKDW, DGSMTAP) plus remsim's own: DBROKER (the broker), DSUP (the
 * supervisor remsimd) and DTPDU (one line per TPDU, logged at INFO, whose
 * default level NOTICE keeps them off until asked for).
 *
 * A mask is libosmocore's `-d` syntax: CATEGORY[,LEVEL][:CATEGORY[,LEVEL]]...
 * with osmocom level numbers (1 debug, 3 info, 5 notice, 7 error, 8 fatal;
 * other numbers round up to the next of these, 0 and no number mean debug)
 * or our level names (debug, info, notice, warn, error, fatal).
 * As in libosmocore, a mask says which categories are on: a category the mask
 * does not name is turned down.  Unlike libosmocore, "down" is LL_ERROR, not
 * silence: errors and fatal lines are never hidden.  Names are
 * case-insensitive; libosmocore's own library categories (DLGLOBAL, DLINP,
 * ...: any name starting with "DL") are accepted and do not apply to remsim;
 * any other unknown name is an error (with a "did you mean").  A plain level
 * name (debug, info, ...) or osmocom number is also accepted: every category
 * at that level (DTPDU stays as it was). */
#ifndef REMSIM_LOGMASK_H
#define REMSIM_LOGMASK_H

#include <stddef.h>

enum log_cat {
	LC_MAIN = 0,
	LC_ST2,
	LC_RSPRO,
	LC_REST,
	LC_SLOTMAP,
	LC_BANKDW,
	LC_GSMTAP,
	LC_BROKER,
	LC_SUP,
	LC_TPDU,
	LC_COUNT
};

/* "DMAIN" etc.; "?" when out of range. */
const char *log_cat_name(enum log_cat cat);
/* Category by name (case-insensitive, with or without the leading 'D'):
 * its enum value, or -1. */
int log_cat_parse(const char *name);
/* The names, NULL-terminated (for "known: ..." lists and config keys). */
const char *const *log_cat_names(void);
/* The default category of a process by its component name (the part before
 * a '/'): broker DBROKER, remsimd DSUP, mapstore DSLOTMAP, rest DREST,
 * reader DBANKDW, every other one DMAIN. */
enum log_cat log_cat_for_component(const char *component);
/* The level a category has when nothing configures it (enum log_level). */
int log_cat_default_level(enum log_cat cat);

/* An osmocom level number (0..8) onto enum log_level. */
int log_level_from_osmo(int number);
/* A level name (log_level_parse) or an osmocom number 0..8; -1 if neither. */
int log_level_any(const char *s);
/* Every category at its default level (log_cat_default_level). */
void log_levels_default(int levels[LC_COUNT]);
/* Every category but DTPDU at level (TPDU lines only when asked by name). */
void log_levels_all(int levels[LC_COUNT], int level);

/* Parse MASK into levels[] (enum log_level per category; levels[] is read
 * for categories a plain level leaves alone, so fill it with the current
 * levels first).  0, or -1 with a one-line message in err (the offending
 * token and, for an unknown category, the nearest name and the list). */
int log_mask_parse(const char *mask, int levels[LC_COUNT], char *err, size_t errlen);

/* The same syntax, but only the categories MASK names are set (others keep
 * their levels[] value); "all" names every category.  For settings that
 * add to others: the run-time overrides, a config's per-category list. */
int log_mask_parse_partial(const char *mask, int levels[LC_COUNT], char *err, size_t errlen);

/* Render levels[] as a mask our parser takes back ("DMAIN,info:DST2,debug:..."),
 * e.g. to hand the levels to a child process; returns out. */
char *log_mask_format(const int levels[LC_COUNT], char *out, size_t outlen);

#endif
