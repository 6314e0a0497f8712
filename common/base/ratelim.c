/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ratelim.c: see ratelim.h. */
#include "ratelim.h"
#include "monotime.h"

#include <stdio.h>
#include <time.h>

int ratelim_pass(struct ratelim *r, unsigned long *held_back)
{
	int64_t now = mono_ms();
	if (!r->window || now - r->window >= (int64_t)r->period_ms) {
		r->window = now;
		r->used = 0;
	}
	if (r->used >= r->burst) {
		r->held++;
		return 0;
	}
	r->used++;
	*held_back = r->held;
	r->held = 0;
	return 1;
}

const char *ratelim_note(unsigned long held, char *buf, unsigned len)
{
	if (!held)
		return "";
	snprintf(buf, len, " (%lu similar lines held back)", held);
	return buf;
}
