/* SPDX-License-Identifier: GPL-2.0-or-later */
/* broker.h: the broker's shared data model.  One struct broker holds the
 * configuration, the ZeroMQ sockets (hub ROUTER for actors, control ROUTER
 * for remsim-ctl), the TCP listeners and connections, the outgoing keys, the
 * actor records and the pending control requests.  Everything runs on one
 * thread around one persistent epoll set (common/actor/evloop.h, main.c). */
#ifndef REMSIM_BROKER_H
#define REMSIM_BROKER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <zmq.h>

#include "envelope.h"
#include "evloop.h"
#include "ipa.h"

/* ---- configuration (broker_conf.c) ------------------------------------- */

struct blisten_conf {
	char name[32];
	int max_conns;			/* accepted connections at once (resolved at start) */
	char bind[64];
	uint16_t port;
	enum ipa_side side;
	char actor[ENV_NAME_MAX];
	int keepalive;			/* PING/PONG on accepted connections (default on) */
	int line;
};

struct broute {
	char cmd[32];
	char actor[ENV_NAME_MAX];
};

#define HUB_HWM_DEFAULT 10000	/* hub_sndhwm and hub_rcvhwm */

struct bconf {
	char *path;
	char name[ENV_NAME_MAX];
	char *run_dir;
	char *hub;
	char *control;
	int control_line;		/* config line of `control` (0: not from the file) */
	int control_group_writable;
	char *curve_cert;		/* server certificate file (zcert, with _secret) */
	char *curve_clients;		/* directory of allowed client certificates */
	struct blisten_conf *listen;
	size_t nlisten;
	struct broute *routes;
	size_t nroutes;
	size_t max_payload;		/* IPA payload limit */
	int hub_sndhwm, hub_rcvhwm;	/* (rcvhwm: accepted, no effect; default HUB_HWM_DEFAULT) */
	size_t outbuf_max;		/* octets unsent on one TCP conn before it is closed */
	int ka_interval_ms, ka_timeout_ms;
	int frame_timeout_ms;		/* a started IPA frame must be complete within */
	int connect_timeout_ms;		/* T2 */
	int backoff_unit_ms;		/* obsolete (osmo-remsim's table), accepted and ignored */
	int reconnect_min_ms;		/* first delay after the immediate retry (100) */
	int reconnect_max_ms;		/* cap of the exponential back-off (10000) */
	int reconnect_fast_ms;		/* delay cap while a peer has been away < 30 s (1000) */
	int max_connections;		/* accepted connections per listener; 0: from RLIMIT_NOFILE */
	int ctl_timeout_ms;
};

/* Returns 0 or -1 with "file:line: reason" in err. */
int bconf_load(struct bconf *c, const char *path, const char *hub_override,
	       const char *control_override, const char *name, char *err, size_t errlen);
void bconf_free(struct bconf *c);

/* ---- runtime ------------------------------------------------------------ */

enum ka_state { KA_OFF, KA_WAIT_PONG, KA_IDLE, KA__COUNT };
enum ka_event { KAE_START, KAE_PONG, KAE_TIMER, KAE__COUNT };

enum conn_state { CS_CONNECTING, CS_UP };

struct outkey;

/* Run-time state of one listener. */
struct blisten {
	size_t nconns;			/* accepted connections alive */
	int64_t paused_until;		/* accept paused (EMFILE) until then */
	uint64_t refused;		/* refused beyond max_conns since the last log line */
	int64_t refused_logged;		/* when the last "refused" line was logged */
	uint64_t emfile;		/* accept() out of descriptors since the last log line */
	int64_t emfile_logged;
};

struct broker;

struct conn {
	struct broker *br;
	uint32_t id;
	int fd;
	int pidx;			/* index in the poll registry */
	int lidx;			/* listener it was accepted on, -1: outgoing */
	int dead;			/* closed, reaped at the end of the loop turn */
	enum conn_state st;
	enum ipa_side side;
	char peer[ENV_PEER_MAX];
	char origin[ENV_ORIGIN_MAX];
	char owner[ENV_NAME_MAX];
	char ctx[ENV_PEER_MAX + ENV_NAME_MAX + 32];	/* "conn 7 1.2.3.4:5 -> reader/3" */
	struct ipa_reasm *rx;
	uint8_t *out;			/* unsent octets: out[out_off..out_len) */
	size_t out_off, out_len, out_cap;
	uint8_t *meta;
	size_t meta_len;
	uint8_t *handover;		/* PDU waiting for the owner's HELLO */
	size_t handover_len;
	int up_pending;			/* UP not delivered (owner not connected): sent after its HELLO */
	enum ka_state ka;
	int ka_on;			/* keep-alive runs on this connection */
	int64_t ka_deadline;
	int64_t frame_deadline;		/* a partial frame is pending: complete by then */
	int64_t ack_due_us;		/* data read, nothing written since: quick ACK then */
	int ack_listed;			/* in broker.acks */
	struct outkey *key;
	int64_t up_ms;
	uint64_t rx_frames, tx_frames, drops;
	struct conn *next_dead;
};

enum okey_state { OK_DELAY, OK_CONNECTING, OK_WAIT, OK_UP };

struct outkey {
	char key[ENV_NAME_MAX];
	char host[48];
	uint16_t port;
	int once;
	char owner[ENV_NAME_MAX];
	enum okey_state st;
	int idx;			/* back-off index: attempts since the link was last up */
	int64_t down_since;		/* ms, monotonic: when the link was last lost (0: never up) */
	int64_t last_attempt;		/* ms, monotonic; 0: never */
	int64_t deadline;
	struct conn *conn;
	struct outkey *next;
};

enum bactor_state { BA_RUNNING, BA_RESTARTING, BA_FAILED, BA_STOPPED, BA_UNKNOWN };

struct bactor {
	char name[ENV_NAME_MAX];
	pid_t pid;
	enum bactor_state state;
	int restarts;
	char last_exit[256];
	int64_t started_ms;
	int helloed;			/* pid of the HELLO of this life, 0: none */
	int rehello_sent;
	uint64_t drops;
	struct bactor *next;		/* first-seen order */
	struct bactor *hnext;		/* b->actor_hash chain */
};

struct gather;	/* a `slots` request fanned out to every slot actor (broker_ctl.c) */

struct pend {
	uint32_t reqid;
	struct gather *g;		/* part of a fan-out, or NULL */
	uint8_t ident[256];
	size_t ilen;
	char actor[ENV_NAME_MAX];
	int64_t deadline;
	struct pend *next;
};

struct broker {
	struct bconf cf;
	void *zctx;			/* czmq zsock handles resolved to libzmq */
	struct _zsock_t *ctl_s;
	struct _zactor_t *auth;
	struct hubsock *hub;		/* the hub's ROUTER (hubsock.h) */
	void *ctl;
	int *lfd;			/* listener fds, cf.nlisten */
	struct blisten *lrt;		/* listener run-time state, cf.nlisten */
	long fd_limit;			/* RLIMIT_NOFILE (soft) after raising it */

	/* poll registry, mirrored in the epoll set `ev`: [0] hub, [1] control,
	 * [2..2+nlisten) listeners, then conns */
	struct evloop *ev;
	struct pslot { int fd; unsigned events; } *pi;	/* events: EV_IN/EV_OUT */
	struct conn **pconn;		/* conn per poll index (NULL for the fixed ones) */
	size_t npi, capi;

	/* conn id -> conn: open addressing on id & mask, ids chosen to be free */
	struct conn **ctab;
	size_t cmask, nconns;
	uint32_t next_id;		/* low 24 bits of the next id */
	uint32_t gen;			/* this broker's generation (broker_gen.c) */

	struct conn *dead;		/* closed this turn, freed by conn_reap() */
	struct outkey *keys;
	struct bactor *actors;
	struct bactor *actor_hash[256];	/* by name: one lookup per hub message */
	struct pend *pends;
	uint32_t next_reqid;

	int64_t next_due;		/* earliest timer of any kind */
	struct conn **acks;		/* connections that may owe an ACK (ack_due_us) */
	size_t nacks, capacks;
	struct env_msg hmsg, cmsg;
	uint8_t *txbuf;			/* one IPA frame, 3 + max_payload */
	uint8_t rxbuf[16384];
	int stop;
	uint64_t hub_drops;
};

/* broker_gen.c: advance and record the generation in RUN_DIR; 1..255. */
uint32_t broker_generation(const char *run_dir);
void broker_arm(struct broker *b, int64_t when);	/* lower next_due */

/* broker_tcp.c */
int tcp_listen_all(struct broker *b, char *err, size_t errlen);
void tcp_accept(struct broker *b, size_t lidx);
void tcp_listen_timers(struct broker *b, int64_t now);	/* resume paused listeners */
void tcp_set_nodelay(int fd);
/* Owed ACKs: the epoll timeout lowered to the earliest (ms), and those due sent. */
int tcp_acks_due(struct broker *b, int timeout_ms);
void tcp_acks_run(struct broker *b);
void tcp_event(struct broker *b, struct conn *c, unsigned revents);	/* EV_* */
struct conn *conn_new(struct broker *b, int fd, enum ipa_side side, const char *peer,
		      const char *origin, const char *owner, enum conn_state st);
struct conn *conn_get(struct broker *b, uint32_t id);
/* Close: DOWN to the owner (if up), key notified; removal is deferred. */
void conn_close(struct broker *b, struct conn *c, const char *reason);
void conn_reap(struct broker *b);
/* Mark up: UP to the owner, keep-alive started on the sides that run it. */
void conn_up(struct broker *b, struct conn *c);
void conn_set_owner(struct broker *b, struct conn *c, const char *owner);
int conn_send_rspro(struct broker *b, struct conn *c, const uint8_t *der, size_t len);
void conn_timers(struct broker *b, int64_t now);
void conn_ka(struct broker *b, struct conn *c, enum ka_event ev);

/* broker_out.c */
void out_open(struct broker *b, const char *owner, const char *key, const char *host,
	      uint16_t port, int once);
void out_cancel(struct broker *b, const char *owner, const char *key);
void out_connected(struct broker *b, struct outkey *k);
void out_conn_gone(struct broker *b, struct outkey *k, const char *reason, int was_up);
void out_timers(struct broker *b, int64_t now);
void out_free_all(struct broker *b);

/* broker_hub.c */
int hub_open(struct broker *b, char *err, size_t errlen);
void hub_close(struct broker *b);
int hub_input(struct broker *b);	/* EVZ_DRAINED or EVZ_MORE */
/* Deliver to an actor; counts and logs drops.  0 or -1. */
int hub_deliver_rspro(struct broker *b, struct conn *c, const uint8_t *der, size_t len);
void hub_up(struct broker *b, struct conn *c);
void hub_down(struct broker *b, struct conn *c, const char *reason);
struct bactor *actor_rec(struct broker *b, const char *name, int create);
void actors_free(struct broker *b);

/* broker_ctl.c */
int ctl_open(struct broker *b, char *err, size_t errlen);
int ctl_input(struct broker *b);	/* EVZ_DRAINED or EVZ_MORE */
void ctl_reply_from_actor(struct broker *b, const char *actor, uint32_t reqid,
			  const uint8_t *json, size_t len);
void ctl_actor_gone(struct broker *b, const char *actor, const char *why);
void ctl_timers(struct broker *b, int64_t now);
void ctl_close(struct broker *b);

/* poll registry (main.c): index of the new item, or -1.  A socket (hub,
 * control) is watched through its ZMQ_FD; fd and events are for the rest. */
int poll_add(struct broker *b, void *sock, int fd, unsigned events, struct conn *c);
void poll_set(struct broker *b, size_t idx, unsigned events);	/* EV_IN/EV_OUT */
/* Leave the epoll set (before the fd is closed); the registry slot stays
 * until poll_del() (conn_reap). */
void poll_unwatch(struct broker *b, size_t idx);
void poll_del(struct broker *b, size_t idx);

/* ipc helpers (main.c) */
/* Bind sock to an endpoint; for ipc:// create the file with `mode` (the
 * process umask is narrowed around the bind) and verify it afterwards. */
int bind_endpoint(void *zsock, const char *ep, unsigned mode, char *err, size_t errlen);
/* mkdir the folder of an ipc:// endpoint; refuses the abstract namespace */
int ipc_prepare(const char *ep, char *err, size_t errlen);

#endif
