/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ratelim.h: a log-line rate limit for events a hostile or broken peer can
 * repeat at will (undecodable PDUs, refused connections): at most `burst`
 * lines per `period_ms`; the lines held back are counted and reported with
 * the next line that passes.  Not thread-safe (callers lock if needed). */
#ifndef REMSIM_RATELIM_H
#define REMSIM_RATELIM_H

#include "monotime.h"
#include <stdint.h>

#define RATELIM_NOTE_MAX 48

struct ratelim {
	unsigned burst, period_ms;
	int64_t window;			/* ms, monotonic, start of the current period */
	unsigned used;			/* lines in this period */
	unsigned long held;		/* lines held back since the last one logged */
};

#define RATELIM_INIT(burst, period_ms) { (burst), (period_ms), 0, 0, 0 }

/* 1: log this one (*held_back = lines held back before it, then reset);
 * 0: hold it back (counted). */
int ratelim_pass(struct ratelim *r, unsigned long *held_back);

/* " (N similar lines held back)" when held > 0, else "": for the log line. */
const char *ratelim_note(unsigned long held, char *buf, unsigned len);

/* The monotonic clock it uses, in ms (also for callers' own deadlines). */

#endif
