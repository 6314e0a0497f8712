/* SPDX-License-Identifier: GPL-2.0-or-later */
/* notify.h: telling the service manager (systemd, Type=notify) that the
 * role is up (READY=1) and that it is stopping (STOPPING=1).  Without
 * $NOTIFY_SOCKET (not started by systemd) these do nothing. */
#ifndef REMSIMD_NOTIFY_H
#define REMSIMD_NOTIFY_H

#include "sup.h"

/* Called after every event: sends READY=1 once, when the broker's hub and
 * control socket are up and every other actor has been started (none is
 * idle or starting any more). */
void notify_check_ready(struct sup *s);
/* Sends STOPPING=1 (once). */
void notify_stopping(struct sup *s);

#endif
