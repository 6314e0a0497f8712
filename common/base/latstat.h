/* SPDX-License-Identifier: GPL-2.0-or-later */
/* latstat.h: latency summary (nearest-rank percentiles) for the test tools
 * and benchmarks that measure round trips (pcsc-apdu, shell-drive,
 * zmq-floor).  Values are microseconds; nothing here prints. */
#ifndef REMSIM_LATSTAT_H
#define REMSIM_LATSTAT_H

#include <stddef.h>

struct latstat {
	size_t n;
	double min, p50, p90, p99, max, mean;
};

/* Summarise n samples (the array is left as it was).  0 ok, -1 if n == 0
 * or out of memory (then *out is all zero). */
int latstat_compute(const double *us, size_t n, struct latstat *out);

#endif
