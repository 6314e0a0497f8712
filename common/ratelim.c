/* ratelim.c: see ratelim.h. */
#include "ratelim.h"

#include <time.h>

int ratelim_pass(struct ratelim *r, unsigned long *held_back)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	int64_t now = (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
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
