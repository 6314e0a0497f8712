/* SPDX-License-Identifier: GPL-2.0-or-later */
/* inep.h: the firmware's host-bound side of one IN endpoint, as st2sim
 * models it (spec simtrace2-cardem.md §8.3):
 *   - the host "posts" IN transfers (credits); each one re-posted after a
 *     completion becomes usable turnaround_ms after the host posted it (the
 *     host's turn-around: the time from a completed transfer to the
 *     resubmitted one being seen on the bus);
 *   - one message per IN transfer;
 *   - a message produced while no transfer is usable waits in a queue of
 *     `depth` messages (firmware: 3); when one more arrives, the oldest
 *     waiting message is dropped (with depth 0, the new one is). */
#ifndef ST2SIM_INEP_H
#define ST2SIM_INEP_H

#include <stddef.h>
#include <stdint.h>

#include "st2_msg.h"

#define INEP_QMAX 32      /* largest configurable depth */
#define INEP_CMAX 64      /* most transfers a host may keep posted */

typedef void (*inep_send_fn)(uint8_t tag, const uint8_t *msg, size_t len);

struct inep {
	uint8_t tag;
	int depth;
	double turnaround_ms;
	struct { uint16_t len; uint8_t d[ST2_MSG_MAX]; } q[INEP_QMAX];
	int qh, qn;
	double credit[INEP_CMAX];      /* when each posted transfer becomes usable */
	int ch, cn;
	unsigned sent, dropped, posted, max_waiting;
	uint16_t last_drop;            /* class << 8 | type of the last dropped message */
};

void inep_init(struct inep *e, uint8_t tag, int depth, double turnaround_ms);
/* the host posted one IN transfer at time now; -1 if it posted too many */
int inep_post(struct inep *e, double now);
/* the firmware produced a message; returns 1 if a message was dropped */
int inep_put(struct inep *e, const uint8_t *msg, size_t len, double now, inep_send_fn send);
/* send waiting messages for which a transfer is usable now */
void inep_flush(struct inep *e, double now, inep_send_fn send);
/* ms until inep_flush can send something (0 now), -1 if nothing waits for a
 * posted transfer */
double inep_next_ms(const struct inep *e, double now);
/* the host went away: forget its transfers and the waiting messages */
void inep_clear(struct inep *e);

#endif
