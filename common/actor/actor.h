/* SPDX-License-Identifier: GPL-2.0-or-later */
/* actor.h: what every actor program is built on.
 *
 *   struct actor_args args;
 *   if (actor_parse_args(argc, argv, &args, "echo-actor", "extra help text"))
 *           return args.exit_code;           // --help, or a usage error
 *   struct actor *a = actor_new(&args, &callbacks, userdata);
 *   actor_run(a);                             // until SIGTERM/SIGINT or actor_stop()
 *   actor_destroy(&a);
 *
 * actor_new() initialises logging with the actor's name, connects a DEALER
 * (routing id = name) to the broker's hub, says HELLO and waits for WELCOME.
 * The connections the broker holds for this name are reported through
 * on_conn_up(restored = 1) at the start of actor_run(), so a restarted actor
 * gets its connections (and the metadata it stored on them) back.  If the
 * broker itself restarts, the library notices (REHELLO), says HELLO again and
 * reports connections that vanished through on_conn_down().
 *
 * Callbacks run on the actor's single thread, inside actor_run(). */
#ifndef REMSIM_ACTOR_H
#define REMSIM_ACTOR_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "envelope.h"

struct actor;

struct actor_args {
	const char *hub;	/* --hub / REMSIM_HUB */
	const char *name;	/* --name / REMSIM_NAME */
	const char *config;	/* --config / REMSIM_CONFIG (may be NULL) */
	int exit_code;		/* set when actor_parse_args() returns non-zero */
	/* arguments after the ones above (argv[optind..]) */
	int argc;
	char **argv;
};

/* Parse --hub ENDPOINT --name NAME [--config FILE] [--help] (and the env
 * fallbacks).  Unknown options are left in args->argv for the program only
 * if they come after "--".  Returns 0, or 1 with exit_code set (0 after
 * --help, 2 after a usage error; the message is printed). */
int actor_parse_args(int argc, char **argv, struct actor_args *args,
		     const char *prog, const char *help_extra);

/* A connection as the broker described it. */
struct actor_conn {
	uint32_t id;
	char peer[ENV_PEER_MAX];	/* "address:port" */
	char origin[ENV_ORIGIN_MAX];	/* "listen:NAME" or "out:KEY" */
	uint8_t *meta;			/* opaque, as set with actor_set_meta() */
	size_t meta_len;
};

struct actor_cbs {
	void (*on_rspro)(struct actor *a, uint32_t conn, const uint8_t *der, size_t len, void *ud);
	/* restored: 1 when the connection came with WELCOME (restart). */
	void (*on_conn_up)(struct actor *a, const struct actor_conn *c, int restored, void *ud);
	/* conn 0: an OPEN with policy "once" failed before a connection existed. */
	void (*on_conn_down)(struct actor *a, uint32_t conn, const char *peer, const char *origin,
			     const char *reason, void *ud);
	/* A control command routed to this actor.  Return the result (a new
	 * reference, any JSON value) or NULL with a message in err. */
	json_t *(*on_ctl)(struct actor *a, const char *cmd, json_t *args, int want_json,
			  char *err, size_t errlen, void *ud);
	/* A message another actor sent with actor_tell(). */
	void (*on_tell)(struct actor *a, const char *from, const uint8_t *data, size_t len, void *ud);
	/* Alternative to on_ctl for actors that need the whole request (e.g.
	 * its "origin") or error codes: gets the request object as the client
	 * sent it and returns the whole reply ({"ok":true,"result":...} or
	 * {"ok":false,"error":"...","code":"..."}) as a new reference; NULL is
	 * answered as an internal error.  Takes precedence over on_ctl. */
	json_t *(*on_ctl_req)(struct actor *a, json_t *req, void *ud);
};

/* NULL on failure (logged).  Waits up to REMSIM_HELLO_TIMEOUT_MS (default
 * 10000) for WELCOME, re-sending HELLO every second. */
struct actor *actor_new(const struct actor_args *args, const struct actor_cbs *cbs, void *ud);
void actor_destroy(struct actor **a);
/* Run the event loop; returns 0 after actor_stop() or SIGINT/SIGTERM. */
int actor_run(struct actor *a);
void actor_stop(struct actor *a);

const char *actor_name(const struct actor *a);
const char *actor_config(const struct actor *a);	/* NULL if none */

/* Timers: fn is called after ms milliseconds, `times` times (0 = forever).
 * Returns a timer id (> 0) for actor_timer_cancel(), or -1. */
typedef void (actor_timer_fn)(struct actor *a, void *arg);
int actor_timer_add(struct actor *a, unsigned ms, unsigned times, actor_timer_fn *fn, void *arg);
void actor_timer_cancel(struct actor *a, int id);
/* Watch a raw fd for input (events: ZMQ_POLLIN/ZMQ_POLLOUT). */
typedef void (actor_fd_fn)(struct actor *a, int fd, void *arg);
int actor_fd_add(struct actor *a, int fd, short events, actor_fd_fn *fn, void *arg);
void actor_fd_remove(struct actor *a, int fd);
/* Watch one of the actor's own ZeroMQ sockets (a zsock_t or a libzmq
 * handle): fn is called while it has input; it may read one message per
 * call.  Remove it before destroying the socket. */
typedef void (actor_sock_fn)(struct actor *a, void *sock, void *arg);
int actor_sock_add(struct actor *a, void *sock, actor_sock_fn *fn, void *arg);
void actor_sock_remove(struct actor *a, void *sock);

/* Broker requests.  All return 0, or -1 (errno EAGAIN: hub queue full,
 * the message is dropped). */
int actor_send_rspro(struct actor *a, uint32_t conn, const uint8_t *der, size_t len);
/* Hand the connection to another actor, optionally with a PDU the broker
 * delivers to it (as RECV) right after its UP. */
int actor_bind(struct actor *a, uint32_t conn, const char *actor_name,
	       const uint8_t *der, size_t len);
int actor_set_meta(struct actor *a, uint32_t conn, const void *meta, size_t len);
/* Open (or re-claim after a restart: same key) an outgoing connection. */
int actor_open(struct actor *a, const char *key, const char *host, uint16_t port,
	       const char *policy /* ENV_POLICY_* */);
/* Close a TCP connection (an outgoing "reconnect" one is re-established). */
int actor_close(struct actor *a, uint32_t conn, const char *reason);
/* Send a message to another actor of the role (delivered as on_tell; dropped,
 * and logged by the broker, when that actor is not connected). */
int actor_tell(struct actor *a, const char *to, const void *data, size_t len);
/* Stop an outgoing connection for good (closes it if up). */
int actor_cancel(struct actor *a, const char *key);

/* Connections this actor currently holds (NULL if unknown). */
const struct actor_conn *actor_conn_find(const struct actor *a, uint32_t conn);
size_t actor_conn_count(const struct actor *a);
const struct actor_conn *actor_conn_at(const struct actor *a, size_t i);

/* Messages dropped because the hub queue was full. */
unsigned long actor_drops(const struct actor *a);

#endif
