/* SPDX-License-Identifier: GPL-2.0-or-later */
/* slotstat.h: the per-slot counters and TPDU round-trip times that reader
 * and usbslot actors keep and report as their `slot` control answer (the
 * rows of `remsim-ctl slots`, docs/control.md).  No allocation; the round
 * trips of the last SLOTSTAT_RING TPDUs give p50/p99. */
#ifndef REMSIM_SLOTSTAT_H
#define REMSIM_SLOTSTAT_H

#include <jansson.h>
#include <stdint.h>

#define SLOTSTAT_RING 256

struct slotstat {
	uint64_t tpdus_tx, tpdus_rx;	/* towards the card / back to the modem */
	uint64_t errors, resets, reconnects;
	int64_t last_tpdu_us;		/* monotonic, 0: none yet */
	int64_t pending_us;		/* a TPDU in flight since, 0: none */
	char last_error[160];
	uint32_t ring[SLOTSTAT_RING];	/* round trips, microseconds */
	unsigned nring, pos;
};

int64_t slotstat_now_us(void);
/* A TPDU went towards the card (starts its round trip). */
void slotstat_tx(struct slotstat *st);
/* Its answer came back (ends the round trip, if one was running). */
void slotstat_rx(struct slotstat *st);
/* An error with its text (kept as last_error). */
void slotstat_error(struct slotstat *st, const char *text);
/* Add tpdus_tx, tpdus_rx, errors, resets, reconnects, last_tpdu_s (-1: none),
 * rtt_p50_us, rtt_p99_us (-1: none) and last_error to the object o. */
void slotstat_json(const struct slotstat *st, json_t *o);

#endif
