/* SPDX-License-Identifier: GPL-2.0-or-later */
/* notify.c: sd_notify() readiness for systemd's Type=notify units
 * (etc/systemd/, docs/install.md).  Readiness is what remsimd itself knows:
 * the broker is running with its hub bound (lifecycle.c waits for that),
 * its control socket accepts connections, and every other actor was
 * spawned.  An actor that failed to start counts as started here: whether
 * that stops the role is the lifecycle's decision, not readiness's. */
#include "notify.h"

#include <stddef.h>
#include <systemd/sd-daemon.h>

#include "log.h"
#include "ready.h"

static int notified_ready, notified_stopping;

static int role_up(struct sup *s)
{
	struct actor *b = sup_broker(s);
	if (b && (b->state != AS_RUNNING || !endpoint_listening(s->control)))
		return 0;
	for (int i = 0; i < s->nactors; i++) {
		enum actor_state st = s->actors[i].state;
		if (st == AS_IDLE || st == AS_STARTING)
			return 0;
	}
	return 1;
}

void notify_check_ready(struct sup *s)
{
	if (notified_ready || s->shutting_down || !role_up(s))
		return;
	notified_ready = 1;
	int rc = sd_notifyf(0, "READY=1\nSTATUS=supervising %d actors", s->nactors);
	LOGI(NULL, "role is up (%d actors)%s", s->nactors,
	     rc > 0 ? "; READY=1 sent to the service manager" : "");
}

void notify_stopping(struct sup *s)
{
	(void)s;
	if (notified_stopping)
		return;
	notified_stopping = 1;
	sd_notify(0, "STOPPING=1\nSTATUS=stopping the actors");
}
