/* SPDX-License-Identifier: GPL-2.0-or-later */
/* version.c: the build's version string, from the header the Makefile
 * generates in $(BUILD)/gen (only this file depends on it, so a new commit
 * recompiles one file). */
#include "version.h"

#include <stdio.h>
#include <string.h>

#include "remsim_version.h"	/* REMSIM_VERSION_STRING, generated */

#define SW_VERSION_MAX 32	/* RSPRO ComponentName: IA5String (SIZE (1..32)) */

const char *remsim_version(void)
{
	return REMSIM_VERSION_STRING;
}

const char *remsim_version_short(void)
{
	static char buf[SW_VERSION_MAX + 1];
	if (!buf[0]) {
		snprintf(buf, sizeof(buf), "%s", REMSIM_VERSION_STRING);
		size_t n = strlen(buf);
		if (n > 6 && strcmp(buf + n - 6, "-dirty") == 0)
			buf[n - 6] = '\0';
	}
	return buf;
}

int version_print(const char *prog)
{
	printf("%s %s\n", prog, REMSIM_VERSION_STRING);
	return 0;
}

int version_flag(int argc, char **argv, const char *prog)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return 0;
		if (strcmp(argv[i], "--version") == 0) {
			version_print(prog);
			return 1;
		}
	}
	return 0;
}
