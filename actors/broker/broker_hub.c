/* SPDX-License-Identifier: GPL-2.0-or-later */
/* broker_hub.c: the actor side of the broker: the hub ROUTER (0600 ipc),
 * HELLO/WELCOME, the actor -> broker requests of the envelope, delivery of
 * RSPRO/UP/DOWN to the bound actor, supervisor EVENTs and the actor records
 * that `status` is built from. */
#include "broker.h"
#include "fnv.h"
#include "hubsock.h"
#include "monotime.h"
#include "ratelim.h"

#include <czmq.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

#define HUB_BATCH	256

static unsigned name_hash(const char *name)
{
	return fnv1a(name, strlen(name)) % (sizeof(((struct broker *)0)->actor_hash) / sizeof(struct bactor *));
}

struct bactor *actor_rec(struct broker *b, const char *name, int create)
{
	unsigned h = name_hash(name);
	for (struct bactor *a = b->actor_hash[h]; a; a = a->hnext)
		if (!strcmp(a->name, name))
			return a;
	if (!create)
		return NULL;
	struct bactor *a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	snprintf(a->name, sizeof(a->name), "%s", name);
	a->state = BA_UNKNOWN;
	snprintf(a->last_exit, sizeof(a->last_exit), "-");
	struct bactor **pp = &b->actors;	/* keep first-seen order */
	while (*pp)
		pp = &(*pp)->next;
	*pp = a;
	a->hnext = b->actor_hash[h];
	b->actor_hash[h] = a;
	return a;
}

void actors_free(struct broker *b)
{
	while (b->actors) {
		struct bactor *a = b->actors;
		b->actors = a->next;
		free(a);
	}
	memset(b->actor_hash, 0, sizeof(b->actor_hash));
}

/* A connection to the hub that is not a ZeroMQ peer we serve (a stray
 * program, a fuzzer, a libzmq socket of the wrong type): hubsock closed it. */
static void hub_refused(struct hubsock *hs, const char *why, void *arg)
{
	(void)hs;
	(void)arg;
	static struct ratelim rl = RATELIM_INIT(5, 10000);
	unsigned long held;
	char note[RATELIM_NOTE_MAX];
	if (ratelim_pass(&rl, &held))
		LOGW(NULL, "hub: a connection refused and closed: %s (only the role's actors, "
		     "ZeroMQ DEALERs, belong on the hub)%s", why, ratelim_note(held, note, sizeof(note)));
}

int hub_open(struct broker *b, char *err, size_t errlen)
{
	/* The hub carries every PDU and trusts the routing id as the actor's
	 * name: over TCP anybody who reaches the port could pose as an actor.
	 * It stays on the machine, where the ipc file's mode guards it. */
	if (strncmp(b->cf.hub, "ipc://", 6) != 0) {
		snprintf(err, errlen, "hub endpoint %s refused: the hub must be an ipc:// endpoint "
			 "(it has no authentication; only the control socket may be tcp://, with CURVE keys)",
			 b->cf.hub);
		return -1;
	}
	if (ipc_prepare(b->cf.hub, err, errlen) < 0)
		return -1;
	/* the hub's own ROUTER (hubsock.h): ZeroMQ on the wire, no I/O thread;
	 * ROUTER_MANDATORY and ROUTER_HANDOVER are how it always behaves */
	struct hubsock_opts o = {
		.sndhwm = b->cf.hub_sndhwm ? (unsigned)b->cf.hub_sndhwm : UINT_MAX,
		.mode = 0600,
	};
	struct hubsock *hs = hubsock_bind(b->cf.hub, &o, err, errlen);
	if (!hs)
		return -1;
	if (b->cf.hub_rcvhwm != HUB_HWM_DEFAULT)
		LOGN(NULL, "hub_rcvhwm = %d has no effect: the hub's sockets keep no receive queue "
		     "(what the broker has not read yet waits in the kernel and in the actor's own "
		     "send queue; docs/envelope.md)",
		     b->cf.hub_rcvhwm);
	b->hub = hs;
	hubsock_set_refuse_fn(hs, hub_refused, b);
	env_hub_use(hs);
	return poll_add(b, b->hub, -1, EV_IN, NULL) == 0 ? 0 : -1;
}

void hub_close(struct broker *b)
{
	if (!b->hub)
		return;
	env_hub_drop(b->hub);
	hubsock_close(&b->hub);
}

/* ---- broker -> actor ------------------------------------------------------ */

static void count_drop(struct broker *b, struct conn *c, const char *what, int e)
{
	b->hub_drops++;
	c->drops++;
	struct bactor *a = actor_rec(b, c->owner, 0);
	if (a)
		a->drops++;
	if (c->drops == 1 || c->drops % 1000 == 0)
		LOGW(c->ctx, "%s dropped: %s (%llu on this connection, %llu in total)", what,
		     e == EHOSTUNREACH ? "actor not connected" :
		     e == EAGAIN ? "actor queue full (hub_sndhwm)" : zmq_strerror(e),
		     (unsigned long long)c->drops, (unsigned long long)b->hub_drops);
}

int hub_deliver_rspro(struct broker *b, struct conn *c, const uint8_t *der, size_t len)
{
	if (!c->up_pending && env_send_rspro(b->hub, c->owner, ENV_RECV, c->id, der, len) == 0)
		return 0;
	int e = c->up_pending ? EHOSTUNREACH : errno;
	if (c->up_pending && !c->handover && len && (c->handover = malloc(len))) {
		/* the first PDU of a connection whose owner has not said hello
		 * yet (e.g. a client faster than a restarted broker's actors):
		 * kept for its hello, as a handed-over PDU */
		memcpy(c->handover, der, len);
		c->handover_len = len;
		LOGI(c->ctx, "%s has not said hello yet: PDU kept for its hello", c->owner);
		return 0;
	}
	count_drop(b, c, "RSPRO PDU", e);
	return -1;
}

void hub_up(struct broker *b, struct conn *c)
{
	/* an actor that has not said hello to this broker yet would take the
	 * UP for a message of an earlier life (and drop it): keep it */
	struct bactor *a = actor_rec(b, c->owner, 0);
	if (!a || !a->helloed) {
		c->up_pending = 1;
		LOGI(c->ctx, "%s has not said hello yet: UP kept for its hello", c->owner);
		return;
	}
	if (env_send_up(b->hub, c->owner, c->id, c->peer, c->origin, c->meta, c->meta_len) == 0)
		return;
	if (errno == EHOSTUNREACH) {
		c->up_pending = 1;
		LOGI(c->ctx, "%s not connected yet: UP kept for its hello", c->owner);
		return;
	}
	count_drop(b, c, "UP event", errno);
}

void hub_down(struct broker *b, struct conn *c, const char *reason)
{
	if (c->up_pending)	/* the owner never heard of it */
		return;
	if (env_send_down(b->hub, c->owner, c->id, c->peer, c->origin, reason) < 0)
		LOGD(c->ctx, "DOWN not delivered: %s", zmq_strerror(errno));
}

static int listed_in_welcome(const struct conn *c, const char *name)
{
	return c && !c->dead && c->st == CS_UP && !c->up_pending && !strcmp(c->owner, name);
}

/* WELCOME generation count {conn peer origin meta}*count, then UP for the
 * connections that came while the actor was away, then the PDUs kept for it. */
static void send_welcome(struct broker *b, const char *name)
{
	size_t n = 0;
	for (size_t i = 2 + b->cf.nlisten; i < b->npi; i++)
		if (listed_in_welcome(b->pconn[i], name))
			n++;
	struct env_part *v = calloc(3 + 4 * n, sizeof(*v));
	char (*ids)[12] = calloc(n + 1, sizeof(*ids));
	char cnt[12], gen[12];
	if (!v || !ids) {
		LOGE(NULL, "WELCOME to %s: out of memory", name);
		free(v);
		free(ids);
		return;
	}
	v[0] = (struct env_part){ "WELCOME", 7 };
	v[1] = (struct env_part){ gen, (size_t)snprintf(gen, sizeof(gen), "%u", b->gen) };
	v[2] = (struct env_part){ cnt, (size_t)snprintf(cnt, sizeof(cnt), "%zu", n) };
	size_t k = 0;
	for (size_t i = 2 + b->cf.nlisten; i < b->npi && k < n; i++) {
		struct conn *c = b->pconn[i];
		if (!listed_in_welcome(c, name))
			continue;
		size_t il = (size_t)snprintf(ids[k], sizeof(ids[k]), "%u", c->id);
		v[3 + 4 * k] = (struct env_part){ ids[k], il };
		v[4 + 4 * k] = (struct env_part){ c->peer, strlen(c->peer) };
		v[5 + 4 * k] = (struct env_part){ c->origin, strlen(c->origin) };
		v[6 + 4 * k] = (struct env_part){ c->meta, c->meta_len };
		k++;
	}
	if (env_sendv(b->hub, name, v, 3 + 4 * n) < 0)
		LOGE(NULL, "WELCOME to %s not delivered: %s", name, zmq_strerror(errno));
	else
		LOGI(NULL, "welcomed %s with %zu connection(s) (generation %u)", name, n, b->gen);
	free(v);
	free(ids);
	for (size_t i = 2 + b->cf.nlisten; i < b->npi; i++) {
		struct conn *c = b->pconn[i];
		if (!c || c->dead || strcmp(c->owner, name))
			continue;
		if (c->up_pending && c->st == CS_UP) {
			c->up_pending = 0;
			hub_up(b, c);
		}
		/* PDUs handed over (BIND) or kept while the actor was away */
		if (!c->handover)
			continue;
		if (hub_deliver_rspro(b, c, c->handover, c->handover_len) == 0)
			LOGI(c->ctx, "kept PDU delivered after hello");
		free(c->handover);
		c->handover = NULL;
		c->handover_len = 0;
	}
}

/* ---- actor -> broker ------------------------------------------------------ */

static void do_hello(struct broker *b, const char *sender, const struct env_msg *m)
{
	char name[ENV_NAME_MAX];
	uint32_t pid;
	if (m->n != 4 || env_frame_str(m, 2, name, sizeof(name)) || env_frame_u32(m, 3, &pid)) {
		LOGE(NULL, "malformed HELLO from %s", sender);
		return;
	}
	if (strcmp(name, sender))
		LOGW(NULL, "HELLO from routing id %s says name %s: using %s", sender, name, sender);
	struct bactor *a = actor_rec(b, sender, 1);
	if (!a)
		return;
	if (a->helloed && a->helloed != (int)pid)
		ctl_actor_gone(b, sender, "actor restarted");
	if (a->state != BA_RUNNING || a->pid != (pid_t)pid) {
		a->state = BA_RUNNING;
		a->started_ms = mono_ms();
	}
	a->pid = (pid_t)pid;
	a->helloed = (int)pid;
	a->rehello_sent = 0;
	LOGI(NULL, "hello from %s (pid %u)", sender, pid);
	send_welcome(b, sender);
}

static const struct { const char *kind; enum bactor_state st; } event_kinds[] = {
	{ "started", BA_RUNNING }, { "exited", BA_RESTARTING },
	{ "gaveup", BA_FAILED }, { "stopped", BA_STOPPED },
};

static void do_event(struct broker *b, const char *sender, const struct env_msg *m)
{
	char name[ENV_NAME_MAX], kind[16], detail[256];
	uint32_t pid, restarts;
	if (m->n != 7 || env_frame_str(m, 2, name, sizeof(name)) ||
	    env_frame_str(m, 3, kind, sizeof(kind)) || env_frame_u32(m, 4, &pid) ||
	    env_frame_str(m, 5, detail, sizeof(detail)) || env_frame_u32(m, 6, &restarts)) {
		LOGE(NULL, "malformed EVENT from %s (%zu frames)", sender, m->n);
		return;
	}
	size_t k;
	for (k = 0; k < sizeof(event_kinds) / sizeof(event_kinds[0]); k++)
		if (!strcmp(kind, event_kinds[k].kind))
			break;
	if (k == sizeof(event_kinds) / sizeof(event_kinds[0])) {
		LOGE(NULL, "EVENT from %s: unknown kind '%s' for %s", sender, kind, name);
		return;
	}
	struct bactor *a = actor_rec(b, name, 1);
	if (!a)
		return;
	a->state = event_kinds[k].st;
	a->restarts = (int)restarts;
	if (a->state == BA_RUNNING) {
		if (a->pid != (pid_t)pid || !a->started_ms)
			a->started_ms = mono_ms();
		if (a->helloed && a->helloed != (int)pid)
			a->helloed = 0;
		a->pid = (pid_t)pid;
	} else {
		if (pid)
			a->pid = (pid_t)pid;
		if (detail[0])
			snprintf(a->last_exit, sizeof(a->last_exit), "%s", detail);
		a->helloed = 0;
		a->rehello_sent = 0;
		ctl_actor_gone(b, name, kind);
	}
	LOGI(NULL, "supervisor: %s %s (pid %u%s%s, %u restarts)", name, kind, pid,
	     detail[0] ? ", " : "", detail, restarts);
}

/* Find the connection an actor request is about; answers DOWN when the
 * sender does not hold it.  NULL then. */
static struct conn *owned_conn(struct broker *b, const char *sender, uint32_t id, const char *cmd)
{
	struct conn *c = conn_get(b, id);
	if (!c || c->st != CS_UP) {
		/* an id we handed out and closed since (both sides' timers may fire
		 * together: identity vs keep-alive timeout; the DOWN is on its way),
		 * or one of an earlier broker generation */
		const uint32_t low = (1u << ENV_GEN_SHIFT) - 1;
		int closed = id && (ENV_CONN_GEN(id) != b->gen || (id & low) < (b->next_id & low));
		log_msg(closed ? LL_DEBUG : LL_WARN, NULL, "%s from %s on conn %u: no such connection%s", cmd,
			sender, id, closed ? " (closed already)" : "");
		env_send_down(b->hub, sender, id, "", "", "no such connection");
		return NULL;
	}
	if (strcmp(c->owner, sender)) {
		LOGW(c->ctx, "%s from %s refused: bound to %s", cmd, sender, c->owner);
		char why[ENV_NAME_MAX + 32];
		snprintf(why, sizeof(why), "connection is bound to %s", c->owner);
		env_send_down(b->hub, sender, id, c->peer, c->origin, why);
		return NULL;
	}
	return c;
}

static void do_bind(struct broker *b, const char *sender, const struct env_msg *m)
{
	uint32_t id;
	char to[ENV_NAME_MAX];
	if ((m->n != 4 && m->n != 5) || env_frame_u32(m, 2, &id) || env_frame_str(m, 3, to, sizeof(to)) || !to[0]) {
		LOGE(NULL, "malformed BIND from %s", sender);
		return;
	}
	struct conn *c = owned_conn(b, sender, id, "BIND");
	if (!c)
		return;
	size_t len = 0;
	const uint8_t *der = env_frame(m, 4, &len);
	conn_set_owner(b, c, to);
	LOGI(c->ctx, "bound to %s (by %s)%s", to, sender, der && len ? " with a PDU" : "");
	free(c->handover);
	c->handover = NULL;
	c->handover_len = 0;
	/* as for a listener's connection: an actor that has not said hello to
	 * this broker yet (started, socket connected, HELLO not sent) would take
	 * UP and PDU for messages of an earlier life and drop them; both wait
	 * for its HELLO (hub_up, hub_deliver_rspro) */
	c->up_pending = 0;
	hub_up(b, c);
	if (der && len)
		hub_deliver_rspro(b, c, der, len);
}

/* TELL: pass a message from one actor to another.  Like a PDU for an absent
 * actor, a message for an actor that is not connected is dropped (logged):
 * actors that need state after a restart ask for it again. */
static void hub_tell(struct broker *b, const char *from, const char *to, const uint8_t *d, size_t len)
{
	(void)b;
	if (env_send_tell(b->hub, to, ENV_TOLD, from, d, len) < 0)
		LOGW(NULL, "message from %s to %s dropped: %s", from, to,
		     errno == EHOSTUNREACH ? "not connected" : zmq_strerror(errno));
}

static void handle(struct broker *b, const struct env_msg *m)
{
	char sender[ENV_NAME_MAX];
	if (m->n < 2 || env_frame_str(m, 0, sender, sizeof(sender))) {
		LOGE(NULL, "hub: message without a usable routing id dropped");
		return;
	}
	enum env_cmd cmd = env_msg_cmd(m, 1);
	if (cmd == ENV_HELLO) {
		do_hello(b, sender, m);
		return;
	}
	if (cmd == ENV_EVENT) {
		do_event(b, sender, m);
		return;
	}
	if (cmd == ENV_CTLREP && !strcmp(sender, "remsimd")) {
		/* the supervisor answers `log` on its events connection: not an actor */
		uint32_t rid;
		size_t rlen;
		const uint8_t *rd = env_frame(m, 3, &rlen);
		if (m->n == 4 && !env_frame_u32(m, 2, &rid))
			ctl_reply_from_actor(b, sender, rid, rd, rlen);
		return;
	}
	struct bactor *a = actor_rec(b, sender, 1);
	if (a && !a->helloed && !a->rehello_sent) {
		/* e.g. the broker restarted under a running actor: the request
		 * is still served (the routing id is the name), and the actor
		 * is asked to say hello so that status and WELCOME catch up */
		LOGW(NULL, "%s from %s before HELLO: asking it to say hello", env_cmd_name(cmd), sender);
		env_send_rehello(b->hub, sender);
		a->rehello_sent = 1;
	}
	uint32_t id, port;
	char key[ENV_NAME_MAX], host[48], policy[16], reason[200];
	size_t len;
	const uint8_t *d;
	struct conn *c;

	switch (cmd) {
	case ENV_SEND:
		d = env_frame(m, 3, &len);
		if (m->n != 4 || env_frame_u32(m, 2, &id))
			break;
		if ((c = owned_conn(b, sender, id, "SEND")))
			conn_send_rspro(b, c, d, len);
		return;
	case ENV_BIND:
		do_bind(b, sender, m);
		return;
	case ENV_META:
		d = env_frame(m, 3, &len);
		if (m->n != 4 || env_frame_u32(m, 2, &id))
			break;
		if (len > ENV_META_MAX) {
			LOGE(NULL, "META from %s on conn %u: %zu octets (max %d) refused", sender, id,
			     len, ENV_META_MAX);
			return;
		}
		if ((c = owned_conn(b, sender, id, "META"))) {
			uint8_t *nm = len ? malloc(len) : NULL;
			if (len && !nm)
				return;
			if (len)
				memcpy(nm, d, len);
			free(c->meta);
			c->meta = nm;
			c->meta_len = len;
		}
		return;
	case ENV_OPEN:
		if (m->n != 6 || env_frame_str(m, 2, key, sizeof(key)) || !key[0] ||
		    env_frame_str(m, 3, host, sizeof(host)) || env_frame_u32(m, 4, &port) ||
		    port == 0 || port > 65535 || env_frame_str(m, 5, policy, sizeof(policy)))
			break;
		if (strcmp(policy, ENV_POLICY_ONCE) && strcmp(policy, ENV_POLICY_RECONNECT)) {
			LOGE(NULL, "OPEN %s from %s: unknown policy '%s'", key, sender, policy);
			return;
		}
		out_open(b, sender, key, host, (uint16_t)port, !strcmp(policy, ENV_POLICY_ONCE));
		return;
	case ENV_CLOSE:
		if (m->n != 4 || env_frame_u32(m, 2, &id) || env_frame_str(m, 3, reason, sizeof(reason)))
			break;
		if ((c = owned_conn(b, sender, id, "CLOSE"))) {
			char why[sizeof(reason) + 24];
			snprintf(why, sizeof(why), "closed by actor: %s", reason[0] ? reason : "-");
			conn_close(b, c, why);
		}
		return;
	case ENV_CANCEL:
		if (m->n != 3 || env_frame_str(m, 2, key, sizeof(key)))
			break;
		out_cancel(b, sender, key);
		return;
	case ENV_TELL:
		d = env_frame(m, 3, &len);
		if (m->n != 4 || env_frame_str(m, 2, key, sizeof(key)) || !key[0])
			break;
		hub_tell(b, sender, key, d, len);
		return;
	case ENV_CTLREP:
		d = env_frame(m, 3, &len);
		if (m->n != 4 || env_frame_u32(m, 2, &id))
			break;
		ctl_reply_from_actor(b, sender, id, d, len);
		return;
	default:
		break;
	}
	LOGE(NULL, "malformed or unknown message from %s (%s, %zu frames) dropped",
	     sender, env_cmd_name(cmd), m->n - 1);
}

/* Read until EAGAIN (the loop relies on it: evloop.h), at most a batch. */
int hub_input(struct broker *b)
{
	for (int i = 0; i < HUB_BATCH; i++) {
		if (env_msg_recv(&b->hmsg, b->hub, ZMQ_DONTWAIT) < 0)
			return EVZ_DRAINED;
		handle(b, &b->hmsg);
	}
	return EVZ_MORE;
}
