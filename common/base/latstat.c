/* SPDX-License-Identifier: GPL-2.0-or-later */
/* latstat.c: latency summary with nearest-rank percentiles (see latstat.h). */
#include "latstat.h"

#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double pct(const double *sorted, size_t n, double p)
{
	size_t rank = (size_t)(p / 100.0 * (double)n + 0.999999);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return sorted[rank - 1];
}

int latstat_compute(const double *us, size_t n, struct latstat *out)
{
	memset(out, 0, sizeof(*out));
	if (!n)
		return -1;
	double *s = malloc(n * sizeof(*s));
	if (!s)
		return -1;
	double sum = 0;
	for (size_t i = 0; i < n; i++)
		s[i] = us[i], sum += us[i];
	qsort(s, n, sizeof(*s), cmp_double);
	*out = (struct latstat){ .n = n, .min = s[0], .p50 = pct(s, n, 50), .p90 = pct(s, n, 90),
				 .p99 = pct(s, n, 99), .max = s[n - 1], .mean = sum / (double)n };
	free(s);
	return 0;
}
