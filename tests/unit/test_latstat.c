/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_latstat.c: nearest-rank percentiles of the latency summary. */
#include "check.h"
#include "latstat.h"

static void test_percentiles(void)
{
	double us[100];
	for (int i = 0; i < 100; i++)
		us[i] = 100 - i;	/* 100 .. 1, unsorted on purpose */
	struct latstat l;
	CHECK_EQ_INT(latstat_compute(us, 100, &l), 0);
	CHECK_EQ_INT(l.n, 100);
	CHECK(l.min == 1 && l.max == 100);
	CHECK(l.p50 == 50 && l.p90 == 90 && l.p99 == 99);
	CHECK(l.mean == 50.5);
	CHECK(us[0] == 100);	/* the input is left as it was */
}

static void test_small(void)
{
	double one = 7, three[] = { 3, 1, 2 };
	struct latstat l;
	CHECK_EQ_INT(latstat_compute(&one, 1, &l), 0);
	CHECK(l.p50 == 7 && l.p99 == 7 && l.min == 7 && l.max == 7);
	CHECK_EQ_INT(latstat_compute(three, 3, &l), 0);
	CHECK(l.p50 == 2 && l.p90 == 3 && l.min == 1);
	CHECK_EQ_INT(latstat_compute(three, 0, &l), -1);
	CHECK(l.n == 0 && l.p50 == 0);
}

int main(void)
{
	RUN(test_percentiles);
	RUN(test_small);
	return check_summary();
}
