/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stats.c: the --stats line of pcsc-apdu (microseconds). */
#include "pcsc_apdu.h"
#include "latstat.h"

#include <stdio.h>

void stats_print(const double *us, size_t n)
{
	struct latstat l;
	if (latstat_compute(us, n, &l) < 0) {
		printf("n=0\n");
		return;
	}
	printf("n=%zu min=%.1f p50=%.1f p90=%.1f p99=%.1f max=%.1f mean=%.1f us\n", l.n, l.min,
	       l.p50, l.p90, l.p99, l.max, l.mean);
}
