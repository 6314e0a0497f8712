/* SPDX-License-Identifier: GPL-2.0-or-later */
/* monotime.c: the one monotonic clock (see monotime.h). */
#include "monotime.h"

#include <time.h>

static struct timespec mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts;
}

int64_t mono_ms(void)
{
	struct timespec ts = mono_now();
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t mono_us(void)
{
	struct timespec ts = mono_now();
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

double mono_usf(void)
{
	struct timespec ts = mono_now();
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}
