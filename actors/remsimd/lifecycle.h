/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lifecycle.h: the per-actor state machine (a table of state x event). */
#ifndef REMSIMD_LIFECYCLE_H
#define REMSIMD_LIFECYCLE_H

#include "sup.h"

enum actor_event {
	AE_START,	/* initial start */
	AE_EXIT,	/* the process died (arg: waitpid status) */
	AE_TIMER,	/* the state's deadline passed */
	AE_STOP,	/* orderly shutdown of this actor */
	AE_KILL,	/* forced shutdown (second SIGTERM/SIGINT) */
	AE__COUNT
};

void lc_dispatch(struct sup *s, struct actor *a, enum actor_event ev, int arg);
const char *lc_state_name(enum actor_state st);
/* Re-send the events that describe every actor's current state (after the
 * broker came back, so it can rebuild its status table). */
void lc_resend_state(struct sup *s);

#endif
