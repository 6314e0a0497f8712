/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check.h: the tiny assertion harness every unit test uses.
 *
 * A test file defines functions `static void test_xxx(void)` and calls
 * RUN(test_xxx) from main(), then returns check_summary().  Each RUN prints
 * "PASS: file:test" or "FAIL: file:test" (with the failed expression and line);
 * tests/run.sh counts those lines. */
#ifndef REMSIM_CHECK_H
#define REMSIM_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failed_now;
static int check_pass_count, check_fail_count;

#define CHECK(expr) do { if (!(expr)) { \
	fprintf(stderr, "  %s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #expr); \
	check_failed_now = 1; } } while (0)

#define CHECK_EQ_INT(a, b) do { long long check_a_ = (long long)(a), check_b_ = (long long)(b); \
	if (check_a_ != check_b_) { \
	fprintf(stderr, "  %s:%d: CHECK failed: %s == %s (%lld != %lld)\n", __FILE__, __LINE__, \
		#a, #b, check_a_, check_b_); check_failed_now = 1; } } while (0)

#define CHECK_EQ_STR(a, b) do { const char *check_a_ = (a), *check_b_ = (b); \
	if (!check_a_ || !check_b_ || strcmp(check_a_, check_b_) != 0) { \
	fprintf(stderr, "  %s:%d: CHECK failed: %s == %s (\"%s\" != \"%s\")\n", __FILE__, __LINE__, \
		#a, #b, check_a_ ? check_a_ : "(null)", check_b_ ? check_b_ : "(null)"); \
	check_failed_now = 1; } } while (0)

#define RUN(fn) do { check_failed_now = 0; fn(); \
	if (check_failed_now) { check_fail_count++; printf("FAIL: %s:%s\n", __FILE__, #fn); } \
	else { check_pass_count++; printf("PASS: %s:%s\n", __FILE__, #fn); } \
	fflush(stdout); } while (0)

static inline int check_summary(void)
{
	return check_fail_count ? 1 : 0;
}

#endif
