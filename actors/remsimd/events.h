/* SPDX-License-Identifier: GPL-2.0-or-later */
/* events.h: lifecycle events from remsimd to the broker.
 *
 * A DEALER with routing id "remsimd" connected to the hub sends, per event,
 * the frames: "EVENT", actor name, kind ("started"|"exited"|"gaveup"|
 * "stopped"), pid (decimal), detail, restarts (decimal).  Sending never
 * blocks: while the broker is away events queue in ZeroMQ up to a high-water
 * mark, beyond which they are dropped (and logged). */
#ifndef REMSIMD_EVENTS_H
#define REMSIMD_EVENTS_H

#include <sys/types.h>

struct events;

struct events *events_new(const char *hub);
void events_destroy(struct events **ev);
void events_send(struct events *ev, const char *name, const char *kind, pid_t pid,
		 const char *detail, int restarts);
/* The raw ZeroMQ socket (for zmq_poll) and a drain of anything received. */
void *events_socket(struct events *ev);
void events_drain(struct events *ev);

#endif
