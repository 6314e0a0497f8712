/* stats.c: latency summary (nearest-rank percentiles, microseconds). */
#include "pcsc_apdu.h"

#include <stdio.h>
#include <stdlib.h>

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

void stats_print(const double *us, size_t n)
{
	if (!n) {
		printf("n=0\n");
		return;
	}
	double *s = malloc(n * sizeof(*s));
	if (!s)
		return;
	double sum = 0;
	for (size_t i = 0; i < n; i++)
		s[i] = us[i], sum += us[i];
	qsort(s, n, sizeof(*s), cmp_double);
	printf("n=%zu min=%.1f p50=%.1f p90=%.1f p99=%.1f max=%.1f mean=%.1f us\n", n, s[0],
	       pct(s, n, 50), pct(s, n, 90), pct(s, n, 99), s[n - 1], sum / (double)n);
	free(s);
}
