/* SPDX-License-Identifier: GPL-2.0-or-later */
/* monotime.h: the one monotonic clock of every remsim program (timers,
 * back-offs, deadlines, latency measurements); CLOCK_MONOTONIC. */
#ifndef REMSIM_MONOTIME_H
#define REMSIM_MONOTIME_H

#include <stdint.h>

/* milliseconds / microseconds since an arbitrary fixed point */
int64_t mono_ms(void);
int64_t mono_us(void);
/* microseconds with the nanoseconds as fraction (latency measurements) */
double mono_usf(void);

#endif
