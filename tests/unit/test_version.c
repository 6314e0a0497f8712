/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_version.c: the version strings (common/base/version.c): the wire form fits
 * the RSPRO ComponentName (1..32 chars) and carries no "-dirty"; --version
 * is recognised only before "--". */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "version.h"

static void test_short_form(void)
{
	const char *v = remsim_version(), *s = remsim_version_short();
	CHECK(strlen(v) > 0);
	CHECK(strlen(s) >= 1 && strlen(s) <= 32);
	CHECK(strstr(s, "dirty") == NULL);
	CHECK(strncmp(v, s, strlen(s)) == 0);
}

static void test_flag(void)
{
	char *a1[] = { "x", "--hub", "h", NULL };
	CHECK_EQ_INT(version_flag(3, a1, "x"), 0);
	char *a2[] = { "x", "--", "--version", NULL };
	CHECK_EQ_INT(version_flag(3, a2, "x"), 0);
	char *a3[] = { "x", "-c", "--version", NULL };
	CHECK_EQ_INT(version_flag(3, a3, "# test_version"), 1);
}

int main(void)
{
	RUN(test_short_form);
	RUN(test_flag);
	return check_summary();
}
