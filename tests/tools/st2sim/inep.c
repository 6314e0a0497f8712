/* SPDX-License-Identifier: GPL-2.0-or-later */
/* inep.c: st2sim's model of one IN endpoint towards the host (see inep.h). */
#include "inep.h"

#include <string.h>

void inep_init(struct inep *e, uint8_t tag, int depth, double turnaround_ms)
{
	memset(e, 0, sizeof(*e));
	e->tag = tag;
	e->depth = depth < 0 ? 0 : depth > INEP_QMAX ? INEP_QMAX : depth;
	e->turnaround_ms = turnaround_ms;
}

int inep_post(struct inep *e, double now)
{
	if (e->cn >= INEP_CMAX)
		return -1;
	/* the turn-around is that of a RE-submission: the transfers a host posts
	 * before its first IN message are usable at once */
	e->credit[(e->ch + e->cn++) % INEP_CMAX] = now + (e->sent ? e->turnaround_ms : 0);
	e->posted++;
	return 0;
}

/* a transfer usable now: consume it */
static int take_credit(struct inep *e, double now)
{
	if (e->cn == 0 || e->credit[e->ch] > now)
		return 0;
	e->ch = (e->ch + 1) % INEP_CMAX;
	e->cn--;
	return 1;
}

void inep_flush(struct inep *e, double now, inep_send_fn send)
{
	while (e->qn > 0 && take_credit(e, now)) {
		send(e->tag, e->q[e->qh].d, e->q[e->qh].len);
		e->sent++;
		e->qh = (e->qh + 1) % INEP_QMAX;
		e->qn--;
	}
}

int inep_put(struct inep *e, const uint8_t *msg, size_t len, double now, inep_send_fn send)
{
	if (len > ST2_MSG_MAX)
		return 0;
	inep_flush(e, now, send);
	if (e->qn == 0 && take_credit(e, now)) {
		send(e->tag, msg, len);
		e->sent++;
		return 0;
	}
	int dropped = 0;
	if (e->qn >= e->depth) {
		dropped = 1;
		e->dropped++;
		if (e->qn == 0) {          /* depth 0: nothing may wait */
			e->last_drop = (uint16_t)(len >= 2 ? msg[0] << 8 | msg[1] : 0);
			return 1;
		}
		e->last_drop = (uint16_t)(e->q[e->qh].d[0] << 8 | e->q[e->qh].d[1]);
		e->qh = (e->qh + 1) % INEP_QMAX;
		e->qn--;
	}
	int i = (e->qh + e->qn++) % INEP_QMAX;
	memcpy(e->q[i].d, msg, len);
	e->q[i].len = (uint16_t)len;
	if ((unsigned)e->qn > e->max_waiting)
		e->max_waiting = (unsigned)e->qn;
	return dropped;
}

double inep_next_ms(const struct inep *e, double now)
{
	if (e->qn == 0 || e->cn == 0)
		return -1;
	double d = e->credit[e->ch] - now;
	return d < 0 ? 0 : d;
}

void inep_clear(struct inep *e)
{
	e->qn = e->cn = 0;
	e->qh = e->ch = 0;
}
