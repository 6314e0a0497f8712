/* SPDX-License-Identifier: GPL-2.0-or-later */
/* envelope.h: the ZeroMQ message set between the broker and the actors of a
 * role (docs/envelope.md is the reference).
 *
 * Every message is multipart; frame 0 is a short upper-case command string,
 * numbers are decimal ASCII, RSPRO PDUs travel as their DER octets unchanged.
 * Actors use a DEALER whose routing id is their name; the broker a ROUTER
 * (on the broker side the ROUTER's routing-id frame precedes frame 0).
 *
 * Receiving reuses one struct env_msg (no allocation per message once warm);
 * sending copies the caller's buffers (zmq_send), so nothing has to outlive
 * the call.  All send functions are non-blocking: -1 with errno EAGAIN when
 * the peer's high-water mark is reached (the caller counts the drop), and
 * EHOSTUNREACH when a ROUTER route is unknown (ZMQ_ROUTER_MANDATORY). */
#ifndef REMSIM_ENVELOPE_H
#define REMSIM_ENVELOPE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum env_cmd {
	ENV_UNKNOWN = 0,
	/* actor -> broker */
	ENV_HELLO,	/* HELLO name pid */
	ENV_SEND,	/* SEND conn der */
	ENV_BIND,	/* BIND conn actor [der] */
	ENV_META,	/* META conn bytes */
	ENV_OPEN,	/* OPEN key host port policy */
	ENV_CLOSE,	/* CLOSE conn reason */
	ENV_CANCEL,	/* CANCEL key */
	ENV_CTLREP,	/* CTLREP reqid json */
	ENV_TELL,	/* TELL actor payload  (a message for another actor) */
	/* broker -> actor */
	ENV_WELCOME,	/* WELCOME generation count {conn peer origin meta}*count */
	ENV_RECV,	/* RECV conn der */
	ENV_UP,		/* UP conn peer origin meta */
	ENV_DOWN,	/* DOWN conn peer origin reason */
	ENV_CTLREQ,	/* CTLREQ reqid json */
	ENV_REHELLO,	/* REHELLO  (broker does not know you: say HELLO again) */
	ENV_TOLD,	/* TOLD actor payload  (a TELL from that actor) */
	/* supervisor -> broker (FIXED, see docs/envelope.md) */
	ENV_EVENT,	/* EVENT actor kind pid detail restarts */
	ENV__COUNT
};

/* "HELLO" -> ENV_HELLO, ...; ENV_UNKNOWN for anything else. */
enum env_cmd env_cmd_parse(const void *data, size_t len);
const char *env_cmd_name(enum env_cmd cmd);

/* Policies of OPEN. */
#define ENV_POLICY_RECONNECT	"reconnect"	/* broker re-establishes with the back-off table */
#define ENV_POLICY_ONCE		"once"		/* one attempt; DOWN when it fails or ends */

/* Origin strings in UP/DOWN/WELCOME: "listen:NAME" or "out:KEY". */
#define ENV_ORIGIN_LISTEN	"listen:"
#define ENV_ORIGIN_OUT		"out:"

#define ENV_NAME_MAX	64	/* actor names, keys (incl. NUL) */
#define ENV_PEER_MAX	64	/* "address:port" (incl. NUL) */
#define ENV_ORIGIN_MAX	80
#define ENV_META_MAX	1024	/* opaque per-connection metadata */

/* Connection ids carry the generation of the broker that made them in their
 * top octet (1..255, never 0), so no id is reused across broker restarts;
 * the low 24 bits count connections within a generation. */
#define ENV_GEN_SHIFT	24
#define ENV_GEN_MAX	255
#define ENV_CONN_GEN(id)	((uint32_t)(id) >> ENV_GEN_SHIFT)

/* ---- receiving ---------------------------------------------------------- */

struct env_frames;
struct hubsock;
struct hubsock_frame;
struct env_msg {
	struct env_frames *f;	/* private */
	const struct hubsock_frame *bf;	/* private: frames borrowed from a hubsock */
	size_t n;		/* frames received */
};

/* The hub sockets are hubsocks (hubsock.h), not libzmq sockets: once
 * registered here, a hubsock may be passed wherever a `sock` is asked for
 * below (send, receive, tx counts). */
void env_hub_use(struct hubsock *hs);
void env_hub_drop(struct hubsock *hs);

void env_msg_init(struct env_msg *m);
void env_msg_free(struct env_msg *m);
/* Receive one whole multipart message from a libzmq socket handle (use
 * zsock_resolve() on a zsock_t).  flags: 0 or ZMQ_DONTWAIT.  Returns the
 * number of frames, or -1 (errno from zmq_msg_recv, e.g. EAGAIN). */
int env_msg_recv(struct env_msg *m, void *sock, int flags);
/* Frame i (NULL with *len 0 when i >= n). */
const uint8_t *env_frame(const struct env_msg *m, size_t i, size_t *len);
/* Copy frame i as a NUL-terminated string; -1 if absent, too long, or it
 * contains a NUL. */
int env_frame_str(const struct env_msg *m, size_t i, char *buf, size_t cap);
/* Frame i as an unsigned decimal; -1 if absent or not a number <= max. */
int env_frame_u32(const struct env_msg *m, size_t i, uint32_t *out);
/* The command in frame i (frame 0 for a DEALER, 1 for a ROUTER). */
enum env_cmd env_msg_cmd(const struct env_msg *m, size_t i);

/* ---- sending -------------------------------------------------------------
 * route: the ROUTER routing id (actor name) or NULL on a DEALER. */

struct env_part {
	const void *data;
	size_t len;
};
/* Generic: send n frames as one message (non-blocking). */
int env_sendv(void *sock, const char *route, const struct env_part *parts, size_t n);

int env_send_hello(void *sock, const char *name, pid_t pid);
/* Broker side of WELCOME is built with env_sendv() (variable length). */
int env_send_rspro(void *sock, const char *route, enum env_cmd cmd /* ENV_SEND or ENV_RECV */,
		   uint32_t conn, const uint8_t *der, size_t len);
int env_send_bind(void *sock, uint32_t conn, const char *actor, const uint8_t *der, size_t len);
int env_send_meta(void *sock, uint32_t conn, const void *meta, size_t len);
int env_send_open(void *sock, const char *key, const char *host, uint16_t port, const char *policy);
int env_send_close(void *sock, uint32_t conn, const char *reason);
int env_send_cancel(void *sock, const char *key);
int env_send_ctl(void *sock, const char *route, enum env_cmd cmd /* CTLREQ or CTLREP */,
		 uint32_t reqid, const char *json);
int env_send_up(void *sock, const char *route, uint32_t conn, const char *peer,
		const char *origin, const void *meta, size_t meta_len);
int env_send_down(void *sock, const char *route, uint32_t conn, const char *peer,
		  const char *origin, const char *reason);
int env_send_rehello(void *sock, const char *route);
/* TELL (actor side, route NULL, name = the target) or TOLD (broker side,
 * route = the target, name = the sender). */
int env_send_tell(void *sock, const char *route, enum env_cmd cmd /* ENV_TELL or ENV_TOLD */,
		  const char *name, const void *payload, size_t len);
int env_send_event(void *sock, const char *actor, const char *kind, pid_t pid,
		   const char *detail, int restarts);

/* Sends attempted so far on a socket: a send may swallow the ZMQ_FD signal
 * of a message arriving on the same socket, so the event loop looks at the
 * socket again when this moved (evloop.h, EVZ_ENVELOPE).  Counted per
 * socket for up to 4 sockets marked with env_tx_track(); for any other,
 * the count of all sends of the process. */
void env_tx_track(void *sock);
void env_tx_untrack(void *sock);
uint64_t env_tx_count(const void *sock);

#endif
