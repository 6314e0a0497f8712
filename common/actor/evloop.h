/* SPDX-License-Identifier: GPL-2.0-or-later */
/* evloop.h: the event loop of the broker and of every actor: one persistent
 * epoll set holding raw fds and ZeroMQ sockets (by their ZMQ_FD), plus
 * millisecond timers.  Replaces zmq_poll()/zloop, which rebuild a poll set
 * per turn and make a zero-timeout pass and a ZMQ_EVENTS check per ZeroMQ
 * socket before and after every wait.
 *
 * ZMQ_FD is edge-like: it only says "libzmq has commands to process", and
 * any call on the socket (a send too) may process them, so a message can be
 * waiting while the fd stays quiet.  The loop therefore asks ZMQ_EVENTS
 * before it sleeps for each socket that may hold input without a signal:
 *   EVZ_LEVEL     every turn (what zmq_poll does; for handlers that read one
 *                 message per call, or sockets others also send on);
 *   EVZ_ENVELOPE  after the handler read it until EAGAIN, only when a message
 *                 was sent on it through envelope.c since (env_tx_count()) —
 *                 the hub and control sockets, which nothing else touches;
 *   EVZ_RECV_ONLY after the handler read it until EAGAIN, never (nobody
 *                 sends on it: a monitor socket).
 * A handler returns EVZ_DRAINED after a receive said EAGAIN, EVZ_MORE when
 * it stopped early (it is called again before the loop sleeps).
 *
 * Callbacks may add and remove watchers and timers (their own too); removed
 * ones are freed after the turn.  Single-threaded. */
#ifndef REMSIM_EVLOOP_H
#define REMSIM_EVLOOP_H

#include <stdint.h>

/* fd event bits: the values of ZMQ_POLLIN/OUT/ERR, so callers may use those */
#define EV_IN	1
#define EV_OUT	2
#define EV_ERR	4	/* error (a hang-up is reported as EV_IN: the read sees EOF) */

enum evz_mode { EVZ_LEVEL, EVZ_ENVELOPE, EVZ_RECV_ONLY, EVZ_SOURCE };
enum { EVZ_DRAINED = 0, EVZ_MORE = 1 };

struct evloop;
typedef void (ev_fd_fn)(struct evloop *l, int fd, unsigned revents, void *arg);
typedef int (ev_zsock_fn)(struct evloop *l, void *zsock, void *arg);
typedef void (ev_timer_fn)(struct evloop *l, int id, void *arg);

struct evloop *evloop_new(void);
void evloop_destroy(struct evloop **l);

/* Raw fds (level-triggered; one epoll cannot watch, a regular file or
 * /dev/null, is ready every turn, as poll() reports it).  0 or -1 (errno). */
int evloop_fd_add(struct evloop *l, int fd, unsigned events, ev_fd_fn *fn, void *arg);
int evloop_fd_mod(struct evloop *l, int fd, unsigned events);
/* Call before close(fd): a new fd of the same number may be added at once. */
void evloop_fd_del(struct evloop *l, int fd);

/* A libzmq socket handle (zsock_resolve() of a zsock_t), watched for input. */
int evloop_zsock_add(struct evloop *l, void *zsock, enum evz_mode mode, ev_zsock_fn *fn, void *arg);
void evloop_zsock_del(struct evloop *l, void *zsock);

/* A message source with a level-triggered fd (a hubsock: hubsock_fd()),
 * handled like a ZeroMQ socket: fn(l, src, arg) reads until EAGAIN
 * (EVZ_DRAINED) or stops early (EVZ_MORE: called again before the loop
 * sleeps).  Removed with evloop_zsock_del(l, src). */
int evloop_src_add(struct evloop *l, int fd, void *src, ev_zsock_fn *fn, void *arg);

/* fn after ms (0: 1) milliseconds, `times` times (0: for ever).  Id > 0, or -1. */
int evloop_timer_add(struct evloop *l, unsigned ms, unsigned times, ev_timer_fn *fn, void *arg);
void evloop_timer_cancel(struct evloop *l, int id);

/* One turn: wait at most max_ms (-1: no limit besides the timers), dispatch
 * what is ready, run due timers.  0, or -1 on an epoll error other than EINTR. */
int evloop_once(struct evloop *l, int max_ms);
/* Turns until evloop_stop() (or a SIGINT/SIGTERM seen by czmq).  0 or -1. */
int evloop_run(struct evloop *l);
void evloop_stop(struct evloop *l);


#endif
