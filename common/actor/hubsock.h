/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hubsock.h: the hub's two ZeroMQ sockets, a ROUTER (the broker) and a
 * DEALER (each actor), driven from the caller's own thread: ZMTP/3.1 with
 * the NULL mechanism over a unix stream socket (ipc://PATH, or ipc://@NAME
 * for the abstract namespace).  On the wire they are ZeroMQ sockets: any
 * libzmq DEALER may connect to the ROUTER, and the DEALER to any libzmq
 * ROUTER.  What they leave out is libzmq's I/O thread: a message is
 * written to the peer's socket by the send call and read by the receive
 * call, so a crossing wakes one thread (the receiver) instead of three
 * (docs/benchmarks.md, "Round 4").
 *
 * Semantics kept from the libzmq options the hub used:
 *  - ROUTER: ROUTER_MANDATORY (a send to an unknown route fails with
 *    EHOSTUNREACH), ROUTER_HANDOVER (a new peer with a routing id in use
 *    takes it over; the old connection is closed), SNDHWM per peer (EAGAIN),
 *    LINGER 0.  A peer without a routing id gets a generated one (5 octets,
 *    0x00 then a counter, as libzmq does).
 *  - DEALER: IMMEDIATE (a send while no connection is complete fails with
 *    EAGAIN: nothing is queued for a peer that is not there), reconnect
 *    every reconnect_ms (the first attempt after a loss at once), SNDHWM,
 *    LINGER (close waits that long for queued output to go).
 *
 * Single-threaded; every call is non-blocking except hubsock_close() with
 * linger. */
#ifndef REMSIM_HUBSOCK_H
#define REMSIM_HUBSOCK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

enum hubsock_type { HUBSOCK_ROUTER, HUBSOCK_DEALER };

struct hubsock_opts {
	const char *identity;	/* DEALER: routing id announced in READY (<= 255 octets) */
	unsigned sndhwm;	/* messages queued per peer before EAGAIN (0: 1000) */
	unsigned reconnect_ms;	/* DEALER: between connect attempts (0: 100) */
	unsigned linger_ms;	/* DEALER: hubsock_close() waits this long to flush */
	unsigned mode;		/* ROUTER: mode of the ipc file (0: 0600) */
	unsigned handshake_ms;	/* a connection that has not completed its handshake
				 * this long after it was made is closed (0: 30000,
				 * libzmq's ZMQ_HANDSHAKE_IVL) */
	size_t maxmsg;		/* largest message accepted from a peer, its frames'
				 * octets summed (0: 16 MiB); a larger one (or one of
				 * more than 2^20 frames) closes that connection */
};

/* Connection events, reported through the callback from hubsock_recv(). */
enum hubsock_event {
	HUBSOCK_EV_CONNECTED,		/* DEALER: handshake complete (sends work now) */
	HUBSOCK_EV_DISCONNECTED,	/* DEALER: the connection was lost */
	HUBSOCK_EV_PEER_IN,		/* ROUTER: a peer completed its handshake */
	HUBSOCK_EV_PEER_OUT,		/* ROUTER: a peer's connection ended */
};
struct hubsock;
typedef void (hubsock_event_fn)(struct hubsock *hs, enum hubsock_event ev,
				const char *route /* ROUTER events: the peer's id as a
						     string ("" for a generated one,
						     which holds NULs: route to it
						     with frame 0 of its messages) */,
				void *arg);

struct hubsock_frame {
	const uint8_t *data;
	size_t len;
};

/* ROUTER listening on endpoint (an existing file there is replaced, as
 * libzmq does).  NULL with a message in err. */
struct hubsock *hubsock_bind(const char *endpoint, const struct hubsock_opts *o,
			     char *err, size_t errlen);
/* DEALER connecting to endpoint (now, and again whenever the connection is
 * lost).  NULL with a message in err only for a malformed endpoint. */
struct hubsock *hubsock_connect(const char *endpoint, const struct hubsock_opts *o,
				char *err, size_t errlen);
void hubsock_close(struct hubsock **hs);

enum hubsock_type hubsock_type(const struct hubsock *hs);
void hubsock_set_event_fn(struct hubsock *hs, hubsock_event_fn *fn, void *arg);
/* Told (from hubsock_recv()) why a peer's connection is closed when the
 * peer broke the protocol (a bad greeting or handshake, a socket type that
 * does not fit, a message above maxmsg...), so the owner can log it. */
typedef void (hubsock_refuse_fn)(struct hubsock *hs, const char *why, void *arg);
void hubsock_set_refuse_fn(struct hubsock *hs, hubsock_refuse_fn *fn, void *arg);

/* One fd to watch for input (level-triggered: readable while a connection,
 * the listener or the reconnect timer needs attention).  Stable for the
 * life of hs.  Messages already read from the kernel do not make it
 * readable: after hubsock_recv() returned a message, call it again until it
 * says EAGAIN before waiting on the fd (as with libzmq's ZMQ_FD).  Nothing
 * happens between calls: connecting, handshakes and queued output progress
 * inside hubsock_recv() (and output inside hubsock_sendv()). */
int hubsock_fd(const struct hubsock *hs);

/* The next whole message, without waiting: its frames (on a ROUTER frame 0
 * is the sender's routing id), valid until the next call on hs.  NULL with
 * errno EAGAIN when none is complete.  Does the socket's pending work
 * (accepting, handshakes, reconnects, output) on the way. */
const struct hubsock_frame *hubsock_recv(struct hubsock *hs, size_t *nframes);

/* Wait (poll on hubsock_fd()) until hs has something to do or timeout_ms
 * passed: 1 or 0.  For callers without an event loop of their own. */
int hubsock_wait(struct hubsock *hs, int timeout_ms);
/* hubsock_recv(), waiting up to timeout_ms for a message (connecting and
 * handshakes progress meanwhile).  NULL with errno EAGAIN when none came. */
const struct hubsock_frame *hubsock_recv_wait(struct hubsock *hs, size_t *nframes, int timeout_ms);

/* Send n frames as one message (route: ROUTER routing id, NULL on a DEALER).
 * 0, or -1 with errno EAGAIN (not connected, or the peer's SNDHWM is
 * reached), EHOSTUNREACH (ROUTER: no such peer), EINVAL (no frames, or a
 * ROUTER send without a route).  A peer whose connection is found broken
 * by the send takes the message with it: -1 with EAGAIN (DEALER) or
 * EHOSTUNREACH (ROUTER), as if it had been gone before; the event follows
 * at the next hubsock_recv(). */
int hubsock_sendv(struct hubsock *hs, const char *route, const struct iovec *parts, size_t n);
/* The same with a routing id of any octets (a generated one holds NULs). */
int hubsock_sendv_to(struct hubsock *hs, const void *route, size_t routelen,
		     const struct iovec *parts, size_t n);

/* 1 when hs is connected (DEALER) / route is a connected peer (ROUTER). */
int hubsock_connected(const struct hubsock *hs, const char *route);

#endif
