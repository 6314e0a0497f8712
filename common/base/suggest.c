/* SPDX-License-Identifier: GPL-2.0-or-later */
/* suggest.c: the nearest known name to a mistyped one (see suggest.h). */
#include "suggest.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

int suggest_distance(const char *a, const char *b, int nocase)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 63 || lb > 63)
		return 99;
	int d[64][64];
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (int)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (int)j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			int ca = (unsigned char)a[i - 1], cb = (unsigned char)b[j - 1];
			if (nocase) {
				ca = tolower(ca);
				cb = tolower(cb);
			}
			int sub = d[i - 1][j - 1] + (ca != cb);
			int del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;
			d[i][j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
	return d[la][lb];
}

const char *suggest_nearest(const char *word, const char *const *names, int nocase)
{
	const char *best = NULL;
	int bd = 3;
	if (!word)
		return NULL;
	for (const char *const *k = names; *k; k++) {
		int d = suggest_distance(word, *k, nocase);
		if (d < bd) {
			bd = d;
			best = *k;
		}
	}
	return best;
}

char *suggest_list(const char *const *names, char *out, size_t outlen)
{
	size_t o = 0;
	if (outlen)
		out[0] = '\0';
	for (const char *const *k = names; *k && o < outlen; k++)
		o += (size_t)snprintf(out + o, outlen - o, "%s%s", o ? ", " : "", *k);
	return out;
}
