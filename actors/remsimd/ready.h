/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ready.h: is anybody listening on a ZeroMQ endpoint (the broker's hub)? */
#ifndef REMSIMD_READY_H
#define REMSIMD_READY_H

/* 1 if a connection to ep (ipc:// path or @abstract, tcp://host:port) is
 * accepted right now, 0 if not; other transports count as listening. */
int endpoint_listening(const char *ep);
/* Remove a leftover ipc socket file nobody listens on (before the broker is
 * (re)started, so that readiness means the new broker bound it). */
void endpoint_remove_stale(const char *ep);

#endif
