/* SPDX-License-Identifier: GPL-2.0-or-later */
/* suggest.h: "did you mean": the nearest known name to a mistyped one
 * (edit distance), used by config key checks and option/mask parsers. */
#ifndef REMSIM_SUGGEST_H
#define REMSIM_SUGGEST_H

#include <stddef.h>

/* Edit (Levenshtein) distance of a and b, case-insensitive when nocase;
 * 99 for names longer than 63 characters. */
int suggest_distance(const char *a, const char *b, int nocase);
/* The name of the NULL-terminated list nearest to word, when it is fewer
 * than 3 edits away; NULL otherwise. */
const char *suggest_nearest(const char *word, const char *const *names, int nocase);
/* The list joined with ", " into out (truncated to fit); returns out. */
char *suggest_list(const char *const *names, char *out, size_t outlen);

#endif
