/* SPDX-License-Identifier: GPL-2.0-or-later */
/* actor.c: the actor side of the broker envelope (see actor.h): argument
 * parsing, HELLO/WELCOME, the event loop (evloop.h: one epoll set for the
 * hub (a hubsock), the actor's own fds and sockets) dispatching the
 * broker's messages to callbacks, timers, fd watchers and the request
 * helpers. */
#include "actor.h"
#include "monotime.h"

#include <czmq.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evloop.h"
#include "hubsock.h"
#include "log.h"
#include "logconf.h"
#include "logctl.h"
#include "version.h"

#define HELLO_RESEND_MS	1000	/* while waiting for WELCOME */
#define HELLO_RETRY_MS	250	/* after a broker restart, until WELCOME */
#define HUB_RECONNECT_MS 25	/* between attempts to reach the hub (the first: at once) */
#define HUB_BATCH	256

/* An outgoing link this actor asked for (OPEN, policy reconnect): re-opened
 * on a new broker, which knows nothing of its predecessor's links. */
struct actor_open_rec {
	char key[ENV_NAME_MAX];
	char host[48];
	uint16_t port;
	struct actor_open_rec *next;
};

struct actor_timer {
	struct actor *a;
	int id;
	unsigned remaining;	/* 0: forever */
	actor_timer_fn *fn;
	void *arg;
	struct actor_timer *next;
};

struct actor_fdw {
	struct actor *a;
	int fd;
	int errors;		/* error/hang-up events in a row */
	actor_fd_fn *fn;
	void *arg;
	struct actor_fdw *next;
};

struct actor_sockw {
	struct actor *a;
	void *sock;		/* libzmq handle */
	actor_sock_fn *fn;
	void *arg;
	struct actor_sockw *next;
};

struct actor {
	char name[ENV_NAME_MAX];
	char *config;
	char hub_ep[256];	/* the hub endpoint, for messages */
	struct hubsock *hub;	/* DEALER to the broker's hub (hubsock.h) */
	int starting;		/* in wait_welcome(): hub events only noted */
	struct evloop *loop;
	struct actor_cbs cbs;
	void *ud;
	struct env_msg msg;
	int stop;
	int welcomed;
	unsigned long drops;
	uint32_t gen;		/* generation of the broker that welcomed us (0: none yet) */
	int hello_timer;	/* timer re-sending HELLO after a broker restart */
	struct actor_open_rec *opens;

	struct actor_conn **conns;
	size_t nconns, capconns;

	struct actor_timer *timers;
	struct actor_fdw *fds;
	struct actor_sockw *socks;
};

/* ---- arguments ------------------------------------------------------------ */

static void usage(FILE *out, const char *prog, const char *extra)
{
	fprintf(out,
		"usage: %s --hub ENDPOINT --name NAME [--config FILE] [OPTIONS...]\n"
		"  --hub ENDPOINT   the broker's hub (ZeroMQ ROUTER), env REMSIM_HUB\n"
		"  --name NAME      actor name (DEALER routing id), env REMSIM_NAME\n"
		"  --config FILE    the role's config file, env REMSIM_CONFIG\n"
		"  --help           this text\n"
		"  --version        print the version\n", prog);
	if (extra && *extra)
		fprintf(out, "%s\n", extra);
}

int actor_parse_args(int argc, char **argv, struct actor_args *args,
		     const char *prog, const char *help_extra)
{
	memset(args, 0, sizeof(*args));
	args->hub = getenv("REMSIM_HUB");
	args->name = getenv("REMSIM_NAME");
	args->config = getenv("REMSIM_CONFIG");
	int w = 1;	/* unknown arguments are compacted to argv[1..w) */
	for (int r = 1; r < argc; r++) {
		const char *o = argv[r];
		const char **dst = NULL;
		const char *optname = NULL;
		if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
			usage(stdout, prog, help_extra);
			args->exit_code = 0;
			return 1;
		}
		if (!strcmp(o, "--version")) {
			args->exit_code = version_print(prog);
			return 1;
		}
		if (!strcmp(o, "--")) {
			while (++r < argc)
				argv[w++] = argv[r];
			break;
		}
		static const char *const names[] = { "--hub", "--name", "--config" };
		for (int k = 0; k < 3; k++) {
			size_t l = strlen(names[k]);
			if (!strncmp(o, names[k], l) && (o[l] == '\0' || o[l] == '=')) {
				dst = k == 0 ? &args->hub : k == 1 ? &args->name : &args->config;
				optname = names[k];
				if (o[l] == '=') {
					*dst = o + l + 1;
					dst = NULL;
				}
				break;
			}
		}
		if (!optname) {
			argv[w++] = argv[r];
			continue;
		}
		if (dst) {
			if (r + 1 >= argc) {
				fprintf(stderr, "%s: %s needs a value\n", prog, optname);
				args->exit_code = 2;
				return 1;
			}
			*dst = argv[++r];
		}
	}
	if (w < argc)
		argv[w] = NULL;
	args->argc = w;
	args->argv = argv;
	if (!args->hub || !*args->hub || !args->name || !*args->name) {
		fprintf(stderr, "%s: --hub and --name are required (or REMSIM_HUB/REMSIM_NAME)\n", prog);
		usage(stderr, prog, help_extra);
		args->exit_code = 2;
		return 1;
	}
	if (strlen(args->name) >= ENV_NAME_MAX) {
		fprintf(stderr, "%s: name too long (max %d)\n", prog, ENV_NAME_MAX - 1);
		args->exit_code = 2;
		return 1;
	}
	/* the role's `log` group from the first line on (an error in it is
	 * reported by actor_new(), where it stops the actor) */
	char lerr[512];
	(void)logconf_apply_file(args->config, lerr, sizeof(lerr));
	return 0;
}

/* ---- connection table ----------------------------------------------------- */

static struct actor_conn *conn_find(const struct actor *a, uint32_t id, size_t *idx)
{
	for (size_t i = 0; i < a->nconns; i++)
		if (a->conns[i]->id == id) {
			if (idx)
				*idx = i;
			return a->conns[i];
		}
	return NULL;
}

static void conn_free(struct actor_conn *c)
{
	if (c) {
		free(c->meta);
		free(c);
	}
}

static void conn_remove(struct actor *a, uint32_t id)
{
	size_t i;
	struct actor_conn *c = conn_find(a, id, &i);
	if (!c)
		return;
	a->conns[i] = a->conns[--a->nconns];
	conn_free(c);
}

static int set_meta(struct actor_conn *c, const void *meta, size_t len)
{
	uint8_t *m = NULL;
	if (len) {
		m = malloc(len);
		if (!m)
			return -1;
		memcpy(m, meta, len);
	}
	free(c->meta);
	c->meta = m;
	c->meta_len = len;
	return 0;
}

/* Add or update; NULL on allocation failure. */
static struct actor_conn *conn_upsert(struct actor *a, uint32_t id, const char *peer,
				      const char *origin, const void *meta, size_t meta_len)
{
	struct actor_conn *c = conn_find(a, id, NULL);
	if (!c) {
		if (a->nconns == a->capconns) {
			size_t cap = a->capconns ? a->capconns * 2 : 16;
			struct actor_conn **n = realloc(a->conns, cap * sizeof(*n));
			if (!n)
				return NULL;
			a->conns = n;
			a->capconns = cap;
		}
		c = calloc(1, sizeof(*c));
		if (!c)
			return NULL;
		c->id = id;
		a->conns[a->nconns++] = c;
	}
	snprintf(c->peer, sizeof(c->peer), "%s", peer);
	snprintf(c->origin, sizeof(c->origin), "%s", origin);
	set_meta(c, meta, meta_len);
	return c;
}

const struct actor_conn *actor_conn_find(const struct actor *a, uint32_t conn)
{
	return conn_find(a, conn, NULL);
}

size_t actor_conn_count(const struct actor *a) { return a->nconns; }

const struct actor_conn *actor_conn_at(const struct actor *a, size_t i)
{
	return i < a->nconns ? a->conns[i] : NULL;
}

/* ---- broker generations -------------------------------------------------- */

/* Report connections down (removing them first): those of generation `gen`
 * when match is set, else those of any other generation. */
static size_t drop_conns(struct actor *a, uint32_t gen, int match, const char *reason)
{
	size_t n = 0;
	for (size_t i = a->nconns; i-- > 0;) {
		if (i >= a->nconns)	/* a callback removed more than one */
			continue;
		struct actor_conn *c = a->conns[i];
		if ((ENV_CONN_GEN(c->id) == gen) != !!match)
			continue;
		uint32_t id = c->id;
		char peer[ENV_PEER_MAX], origin[ENV_ORIGIN_MAX];
		snprintf(peer, sizeof(peer), "%s", c->peer);
		snprintf(origin, sizeof(origin), "%s", c->origin);
		conn_remove(a, id);
		n++;
		if (a->cbs.on_conn_down)
			a->cbs.on_conn_down(a, id, peer, origin, reason, a->ud);
	}
	return n;
}

/* 0: sent; -1: not (EAGAIN: the hub connection is not up yet) */
static int send_hello(struct actor *a)
{
	if (env_send_hello(a->hub, a->name, getpid()) == 0)
		return 0;
	if (errno != EAGAIN)
		LOGE(NULL, "cannot send HELLO: %s", zmq_strerror(errno));
	return -1;
}

static void hello_retry(struct evloop *l, int id, void *arg)
{
	(void)l;
	(void)id;
	struct actor *a = arg;
	if (!a->welcomed)
		send_hello(a);
}

static void hello_until_welcome(struct actor *a)
{
	send_hello(a);
	if (a->hello_timer <= 0 && a->loop)
		a->hello_timer = evloop_timer_add(a->loop, HELLO_RETRY_MS, 0, hello_retry, a);
}

/* A new broker (generation gen) is there: what the old one held is gone.
 * Report its connections down and ask the new one for our outgoing links. */
static void gen_changed(struct actor *a, uint32_t gen, int need_hello)
{
	uint32_t old = a->gen;
	a->gen = gen;
	size_t n = drop_conns(a, gen, 0, "broker restarted");
	size_t k = 0;
	if (need_hello) {
		a->welcomed = 0;
		hello_until_welcome(a);
	}
	for (struct actor_open_rec *o = a->opens; o; o = o->next, k++)
		if (env_send_open(a->hub, o->key, o->host, o->port, ENV_POLICY_RECONNECT) < 0)
			LOGE(NULL, "out:%s not re-opened: %s", o->key, zmq_strerror(errno));
	LOGN(NULL, "broker restarted (generation %u -> %u): %zu connection(s) of the old one "
	     "reported down, %zu outgoing link(s) re-opened", old, gen, n, k);
}

/* A message about connection id from the broker: an id of a generation we
 * do not know means a new broker, noticed at once. */
static void check_gen(struct actor *a, uint32_t id)
{
	uint32_t g = ENV_CONN_GEN(id);
	if (id && a->gen && g != a->gen && !conn_find(a, id, NULL))
		gen_changed(a, g, 1);
}

/* Apply a WELCOME (generation, connections).  After a broker restart
 * (report set) connections not listed any more are reported down and listed
 * ones we did not know are reported up (restored); at start actor_run()
 * reports them. */
static int apply_welcome(struct actor *a, const struct env_msg *m, int report)
{
	uint32_t gen, count;
	if (env_frame_u32(m, 1, &gen) || env_frame_u32(m, 2, &count) || m->n != 3 + (size_t)count * 4) {
		LOGE(NULL, "malformed WELCOME (%zu frames)", m->n);
		return -1;
	}
	if (a->hello_timer > 0) {
		evloop_timer_cancel(a->loop, a->hello_timer);
		a->hello_timer = 0;
	}
	if (a->gen && gen != a->gen)
		gen_changed(a, gen, 0);
	a->gen = gen;
	/* mark: anything not re-listed is gone */
	uint8_t *seen = calloc(a->nconns + 1, 1);
	uint32_t *fresh = calloc((size_t)count + 1, sizeof(*fresh));
	if (!seen || !fresh) {
		free(seen);
		free(fresh);
		return -1;
	}
	size_t old = a->nconns, nfresh = 0;
	for (uint32_t k = 0; k < count; k++) {
		uint32_t id;
		char peer[ENV_PEER_MAX], origin[ENV_ORIGIN_MAX];
		size_t ml;
		size_t base = 3 + (size_t)k * 4;
		if (env_frame_u32(m, base, &id) || env_frame_str(m, base + 1, peer, sizeof(peer)) ||
		    env_frame_str(m, base + 2, origin, sizeof(origin))) {
			LOGE(NULL, "malformed WELCOME entry %u", k);
			continue;
		}
		const uint8_t *meta = env_frame(m, base + 3, &ml);
		size_t idx;
		if (conn_find(a, id, &idx) && idx < old)
			seen[idx] = 1;
		else
			fresh[nfresh++] = id;
		conn_upsert(a, id, peer, origin, meta, ml);
	}
	if (report) {
		uint32_t *gone = calloc(old + 1, sizeof(*gone));
		size_t ngone = 0;
		for (size_t i = 0; gone && i < old; i++)
			if (!seen[i])
				gone[ngone++] = a->conns[i]->id;
		for (size_t i = 0; i < ngone; i++) {
			struct actor_conn *c = conn_find(a, gone[i], NULL);
			if (!c)
				continue;
			char peer[ENV_PEER_MAX], origin[ENV_ORIGIN_MAX];
			snprintf(peer, sizeof(peer), "%s", c->peer);
			snprintf(origin, sizeof(origin), "%s", c->origin);
			conn_remove(a, gone[i]);
			if (a->cbs.on_conn_down)
				a->cbs.on_conn_down(a, gone[i], peer, origin, "broker restarted", a->ud);
		}
		free(gone);
		for (size_t i = 0; i < nfresh; i++) {
			struct actor_conn *c = conn_find(a, fresh[i], NULL);
			if (c && a->cbs.on_conn_up)
				a->cbs.on_conn_up(a, c, 1, a->ud);
		}
	}
	free(seen);
	free(fresh);
	a->welcomed = 1;
	LOGI(NULL, "welcome from broker (generation %u): %u connection(s)", gen, count);
	return 0;
}

/* What answered on the hub endpoint is not a broker speaking ZeroMQ. */
static void hub_refused(struct hubsock *hs, const char *why, void *arg)
{
	(void)hs;
	struct actor *a = arg;
	LOGE(NULL, "hub %s: connection closed: %s (is a broker listening there?)", a->hub_ep, why);
}

/* The hub connection: the broker's end of the ipc connection went away (it
 * died: its TCP connections died with it) or came (back). */
static void hub_event(struct hubsock *hs, enum hubsock_event ev, const char *route, void *arg)
{
	(void)hs;
	(void)route;
	struct actor *a = arg;
	if (a->starting)	/* wait_welcome() says hello itself */
		return;
	if (ev == HUBSOCK_EV_DISCONNECTED && a->welcomed) {
		a->welcomed = 0;
		size_t n = drop_conns(a, a->gen, 1, "broker restarted");
		LOGW(NULL, "broker gone (hub disconnected): %zu connection(s) reported down; "
		     "waiting for the broker to come back", n);
	} else if (ev == HUBSOCK_EV_CONNECTED && !a->welcomed) {
		LOGI(NULL, "hub connected again: saying hello");
		hello_until_welcome(a);
	}
}

/* ---- control -------------------------------------------------------------- */

static void handle_ctlreq(struct actor *a, const struct env_msg *m)
{
	uint32_t reqid;
	size_t jl;
	const uint8_t *js = env_frame(m, 2, &jl);
	if (env_frame_u32(m, 1, &reqid) || !js) {
		LOGE(NULL, "malformed CTLREQ");
		return;
	}
	json_error_t jerr;
	json_t *req = json_loadb((const char *)js, jl, 0, &jerr);
	json_t *rep = NULL, *result = NULL;
	char err[256] = "";
	const char *cmd = req ? json_string_value(json_object_get(req, "cmd")) : NULL;
	if (!cmd) {
		snprintf(err, sizeof(err), "malformed request");
	} else if (!strcmp(cmd, "log")) {	/* every actor's (logctl.h) */
		result = logctl_handle(json_object_get(req, "args"), err, sizeof(err));
	} else if (a->cbs.on_ctl_req) {
		rep = a->cbs.on_ctl_req(a, req, a->ud);
		if (!json_is_object(rep) || !json_is_boolean(json_object_get(rep, "ok"))) {
			json_decref(rep);
			rep = NULL;
			snprintf(err, sizeof(err), "%s failed", cmd);
		}
	} else if (!a->cbs.on_ctl) {
		snprintf(err, sizeof(err), "actor %s has no commands", a->name);
	} else {
		json_t *args = json_object_get(req, "args");
		int want_json = json_is_true(json_object_get(req, "json"));
		result = a->cbs.on_ctl(a, cmd, args ? args : json_null(), want_json,
				       err, sizeof(err), a->ud);
		if (!result && !err[0])
			snprintf(err, sizeof(err), "%s failed", cmd);
	}
	if (!rep && result)	/* (on_ctl_req builds the whole reply itself) */
		rep = json_pack("{s:b, s:o}", "ok", 1, "result", result);
	else if (!rep)
		rep = json_pack("{s:b, s:s}", "ok", 0, "error", err);
	char *txt = rep ? json_dumps(rep, JSON_COMPACT) : NULL;
	if (!txt || env_send_ctl(a->hub, NULL, ENV_CTLREP, reqid, txt) < 0)
		LOGE(NULL, "cannot send control reply %u", reqid);
	free(txt);
	json_decref(rep);
	json_decref(req);
}

/* ---- hub messages --------------------------------------------------------- */

static void handle_msg(struct actor *a, const struct env_msg *m)
{
	enum env_cmd cmd = env_msg_cmd(m, 0);
	uint32_t id = 0;
	char peer[ENV_PEER_MAX], origin[ENV_ORIGIN_MAX], reason[256];
	size_t len;
	const uint8_t *d;

	switch (cmd) {
	case ENV_RECV:
		d = env_frame(m, 2, &len);
		if (m->n != 3 || env_frame_u32(m, 1, &id) || !d)
			break;
		check_gen(a, id);
		if (a->cbs.on_rspro)
			a->cbs.on_rspro(a, id, d, len, a->ud);
		return;
	case ENV_UP: {
		d = env_frame(m, 4, &len);
		if (m->n != 5 || env_frame_u32(m, 1, &id) || env_frame_str(m, 2, peer, sizeof(peer)) ||
		    env_frame_str(m, 3, origin, sizeof(origin)))
			break;
		check_gen(a, id);
		struct actor_conn *c = conn_upsert(a, id, peer, origin, d, len);
		if (c && a->cbs.on_conn_up)
			a->cbs.on_conn_up(a, c, 0, a->ud);
		return;
	}
	case ENV_DOWN:
		if (m->n != 5 || env_frame_u32(m, 1, &id) || env_frame_str(m, 2, peer, sizeof(peer)) ||
		    env_frame_str(m, 3, origin, sizeof(origin)) ||
		    env_frame_str(m, 4, reason, sizeof(reason)))
			break;
		check_gen(a, id);
		conn_remove(a, id);
		if (a->cbs.on_conn_down)
			a->cbs.on_conn_down(a, id, peer, origin, reason, a->ud);
		return;
	case ENV_CTLREQ:
		handle_ctlreq(a, m);
		return;
	case ENV_TOLD: {
		char from[ENV_NAME_MAX];
		d = env_frame(m, 2, &len);
		if (m->n != 3 || env_frame_str(m, 1, from, sizeof(from)))
			break;
		if (a->cbs.on_tell)
			a->cbs.on_tell(a, from, d ? d : (const uint8_t *)"", d ? len : 0, a->ud);
		else
			LOGW(NULL, "message from %s ignored (no handler)", from);
		return;
	}
	case ENV_REHELLO:
		LOGW(NULL, "broker does not know us (restarted?): saying hello again");
		send_hello(a);
		return;
	case ENV_WELCOME:
		apply_welcome(a, m, 1);
		return;
	default:
		break;
	}
	LOGE(NULL, "unexpected or malformed message from broker (%s, %zu frames)",
	     env_cmd_name(cmd), m->n);
}

/* Read until EAGAIN (the loop relies on it: see evloop.h), at most a batch. */
static int on_hub(struct evloop *l, void *h, void *arg)
{
	(void)l;
	struct actor *a = arg;
	for (int i = 0; i < HUB_BATCH && !a->stop; i++) {
		if (env_msg_recv(&a->msg, h, ZMQ_DONTWAIT) < 0)
			return EVZ_DRAINED;
		handle_msg(a, &a->msg);
	}
	return EVZ_MORE;
}

/* ---- life cycle ----------------------------------------------------------- */

static int wait_welcome(struct actor *a)
{
	int timeout = 10000;
	const char *e = getenv("REMSIM_HELLO_TIMEOUT_MS");
	if (e && atoi(e) > 0)
		timeout = atoi(e);
	int64_t end = mono_ms() + timeout, next_hello = 0;
	a->starting = 1;
	while (!zsys_interrupted) {
		/* (receiving also connects, handshakes and reconnects) */
		while (env_msg_recv(&a->msg, a->hub, ZMQ_DONTWAIT) > 0) {
			if (env_msg_cmd(&a->msg, 0) == ENV_WELCOME) {
				a->starting = 0;
				return apply_welcome(a, &a->msg, 0);
			}
			/* anything before WELCOME belongs to an earlier life */
		}
		int64_t now = mono_ms();
		if (now >= end)
			break;
		if (!hubsock_connected(a->hub, NULL))
			next_hello = 0;	/* at once when it is */
		else if (now >= next_hello && send_hello(a) == 0)
			next_hello = now + HELLO_RESEND_MS;
		int64_t until = hubsock_connected(a->hub, NULL) && next_hello < end ? next_hello : end;
		hubsock_wait(a->hub, (int)(until - now));
	}
	a->starting = 0;
	LOGE(NULL, "no WELCOME from the broker at %s within %d ms", a->hub_ep, timeout);
	return -1;
}

struct actor *actor_new(const struct actor_args *args, const struct actor_cbs *cbs, void *ud)
{
	log_init(args->name);
	char lerr[512];
	if (logconf_apply_file(args->config, lerr, sizeof(lerr)) < 0) {
		LOGF(NULL, "%s", lerr);
		return NULL;
	}
	/* czmq's SIGINT/SIGTERM handler (zsys_interrupted ends the loop and the
	 * actor exits cleanly); no longer installed by a hub zsock for us */
	zsys_init();
	struct actor *a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	snprintf(a->name, sizeof(a->name), "%s", args->name);
	a->config = args->config ? strdup(args->config) : NULL;
	snprintf(a->hub_ep, sizeof(a->hub_ep), "%s", args->hub);
	if (cbs)
		a->cbs = *cbs;
	a->ud = ud;
	env_msg_init(&a->msg);
	/* nothing is queued for a broker that is not there (hubsock: IMMEDIATE):
	 * what an actor sends while its broker restarts would reach the new one
	 * out of context */
	struct hubsock_opts ho = {
		.identity = a->name, .sndhwm = 10000, .reconnect_ms = HUB_RECONNECT_MS, .linger_ms = 500,
	};
	char herr[256];
	a->hub = hubsock_connect(args->hub, &ho, herr, sizeof(herr));
	if (!a->hub) {
		LOGE(NULL, "cannot connect to hub: %s", herr);
		goto fail;
	}
	env_hub_use(a->hub);
	hubsock_set_event_fn(a->hub, hub_event, a);
	hubsock_set_refuse_fn(a->hub, hub_refused, a);
	a->loop = evloop_new();
	if (!a->loop)
		goto fail;
	/* only envelope.c sends on it, and on_hub reads it until EAGAIN */
	if (evloop_src_add(a->loop, hubsock_fd(a->hub), a->hub, on_hub, a) < 0)
		goto fail;
	if (wait_welcome(a) < 0)
		goto fail;
	return a;
fail:
	actor_destroy(&a);
	return NULL;
}

void actor_destroy(struct actor **ap)
{
	struct actor *a = ap ? *ap : NULL;
	if (!a)
		return;
	evloop_destroy(&a->loop);
	if (a->hub) {
		env_hub_drop(a->hub);
		hubsock_close(&a->hub);	/* (lingers up to 500 ms for queued output) */
	}
	while (a->opens) {
		struct actor_open_rec *o = a->opens;
		a->opens = o->next;
		free(o);
	}
	env_msg_free(&a->msg);
	for (size_t i = 0; i < a->nconns; i++)
		conn_free(a->conns[i]);
	free(a->conns);
	while (a->timers) {
		struct actor_timer *t = a->timers;
		a->timers = t->next;
		free(t);
	}
	while (a->fds) {
		struct actor_fdw *f = a->fds;
		a->fds = f->next;
		free(f);
	}
	while (a->socks) {
		struct actor_sockw *w = a->socks;
		a->socks = w->next;
		free(w);
	}
	free(a->config);
	free(a);
	*ap = NULL;
}

int actor_run(struct actor *a)
{
	/* report the connections WELCOME handed back */
	for (size_t i = 0; i < a->nconns && !a->stop; i++)
		if (a->cbs.on_conn_up)
			a->cbs.on_conn_up(a, a->conns[i], 1, a->ud);
	if (a->stop)
		return 0;
	evloop_run(a->loop);
	return 0;
}

void actor_stop(struct actor *a)
{
	a->stop = 1;
	if (a->loop)
		evloop_stop(a->loop);
}
const char *actor_name(const struct actor *a) { return a->name; }
const char *actor_config(const struct actor *a) { return a->config; }
unsigned long actor_drops(const struct actor *a) { return a->drops; }

/* ---- timers, fds and sockets -------------------------------------------- */

static void timer_unlink(struct actor *a, struct actor_timer *t)
{
	for (struct actor_timer **pp = &a->timers; *pp; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			free(t);
			return;
		}
}

static void timer_tramp(struct evloop *l, int id, void *arg)
{
	(void)l;
	(void)id;
	struct actor_timer *t = arg;	/* (a cancelled timer is never called) */
	struct actor *a = t->a;
	actor_timer_fn *fn = t->fn;
	void *farg = t->arg;
	if (t->remaining && --t->remaining == 0)
		timer_unlink(a, t);	/* the loop drops it after this call */
	fn(a, farg);
}

int actor_timer_add(struct actor *a, unsigned ms, unsigned times, actor_timer_fn *fn, void *arg)
{
	struct actor_timer *t = calloc(1, sizeof(*t));
	if (!t)
		return -1;
	*t = (struct actor_timer){ .a = a, .remaining = times, .fn = fn, .arg = arg, .next = a->timers };
	t->id = evloop_timer_add(a->loop, ms, times, timer_tramp, t);
	if (t->id < 0) {
		free(t);
		return -1;
	}
	a->timers = t;
	return t->id;
}

void actor_timer_cancel(struct actor *a, int id)
{
	for (struct actor_timer *t = a->timers; t; t = t->next)
		if (t->id == id) {
			evloop_timer_cancel(a->loop, id);
			timer_unlink(a, t);
			return;
		}
}

static void fd_tramp(struct evloop *l, int fd, unsigned revents, void *arg)
{
	(void)l;
	struct actor_fdw *f = arg;
	struct actor *a = f->a;
	/* an fd that keeps reporting an error although its handler ran once is
	 * dropped (zloop did the same), or the loop would spin; a hang-up is
	 * input (EOF after the data left), not an error */
	if (!(revents & EV_ERR))
		f->errors = 0;
	else if (f->errors++) {
		LOGW(NULL, "fd %d: error not handled: no longer watched", fd);
		actor_fd_remove(a, fd);
		return;
	}
	f->fn(a, fd, f->arg);
}

int actor_fd_add(struct actor *a, int fd, short events, actor_fd_fn *fn, void *arg)
{
	struct actor_fdw *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	*f = (struct actor_fdw){ .a = a, .fd = fd, .fn = fn, .arg = arg, .next = a->fds };
	if (evloop_fd_add(a->loop, fd, (unsigned)events & (EV_IN | EV_OUT), fd_tramp, f) < 0) {
		free(f);
		return -1;
	}
	a->fds = f;
	return 0;
}

void actor_fd_remove(struct actor *a, int fd)
{
	for (struct actor_fdw **pp = &a->fds; *pp; pp = &(*pp)->next)
		if ((*pp)->fd == fd) {
			struct actor_fdw *f = *pp;
			*pp = f->next;
			evloop_fd_del(a->loop, fd);
			free(f);
			return;
		}
}

static int sock_tramp(struct evloop *l, void *sock, void *arg)
{
	(void)l;
	struct actor_sockw *w = arg;
	w->fn(w->a, sock, w->arg);
	return EVZ_MORE;	/* one message per call: the loop asks ZMQ_EVENTS again */
}

int actor_sock_add(struct actor *a, void *sock, actor_sock_fn *fn, void *arg)
{
	struct actor_sockw *w = calloc(1, sizeof(*w));
	if (!w)
		return -1;
	*w = (struct actor_sockw){ .a = a, .sock = zsock_resolve(sock), .fn = fn, .arg = arg,
				   .next = a->socks };
	if (!w->sock || evloop_zsock_add(a->loop, w->sock, EVZ_LEVEL, sock_tramp, w) < 0) {
		free(w);
		return -1;
	}
	a->socks = w;
	return 0;
}

void actor_sock_remove(struct actor *a, void *sock)
{
	void *h = zsock_resolve(sock);
	for (struct actor_sockw **pp = &a->socks; *pp; pp = &(*pp)->next)
		if ((*pp)->sock == h) {
			struct actor_sockw *w = *pp;
			*pp = w->next;
			evloop_zsock_del(a->loop, h);
			free(w);
			return;
		}
}

/* ---- requests ------------------------------------------------------------- */

static int sent(struct actor *a, int rc, const char *what)
{
	if (rc < 0) {
		int e = errno;
		a->drops++;
		if (a->drops == 1 || a->drops % 1000 == 0)
			LOGW(NULL, "%s dropped: %s (%lu drops so far)", what, zmq_strerror(e), a->drops);
		errno = e;
		return -1;
	}
	return 0;
}

int actor_send_rspro(struct actor *a, uint32_t conn, const uint8_t *der, size_t len)
{
	return sent(a, env_send_rspro(a->hub, NULL, ENV_SEND, conn, der, len), "SEND");
}

int actor_bind(struct actor *a, uint32_t conn, const char *name, const uint8_t *der, size_t len)
{
	int rc = sent(a, env_send_bind(a->hub, conn, name, der, len), "BIND");
	if (rc == 0 && strcmp(name, a->name) != 0)
		conn_remove(a, conn);
	return rc;
}

int actor_set_meta(struct actor *a, uint32_t conn, const void *meta, size_t len)
{
	if (len > ENV_META_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	int rc = sent(a, env_send_meta(a->hub, conn, meta, len), "META");
	struct actor_conn *c = conn_find(a, conn, NULL);
	if (rc == 0 && c)
		set_meta(c, meta, len);
	return rc;
}

/* Remember (policy reconnect) or forget (once, cancel) an outgoing link. */
static void open_rec_set(struct actor *a, const char *key, const char *host, uint16_t port, int keep)
{
	struct actor_open_rec **pp = &a->opens;
	while (*pp && strcmp((*pp)->key, key))
		pp = &(*pp)->next;
	if (!keep) {
		if (*pp) {
			struct actor_open_rec *o = *pp;
			*pp = o->next;
			free(o);
		}
		return;
	}
	if (!*pp && !(*pp = calloc(1, sizeof(**pp))))
		return;
	snprintf((*pp)->key, sizeof((*pp)->key), "%s", key);
	snprintf((*pp)->host, sizeof((*pp)->host), "%s", host);
	(*pp)->port = port;
}

int actor_open(struct actor *a, const char *key, const char *host, uint16_t port, const char *policy)
{
	open_rec_set(a, key, host, port, !strcmp(policy, ENV_POLICY_RECONNECT));
	return sent(a, env_send_open(a->hub, key, host, port, policy), "OPEN");
}

int actor_close(struct actor *a, uint32_t conn, const char *reason)
{
	return sent(a, env_send_close(a->hub, conn, reason), "CLOSE");
}

int actor_tell(struct actor *a, const char *to, const void *data, size_t len)
{
	return sent(a, env_send_tell(a->hub, NULL, ENV_TELL, to, data, len), "TELL");
}

int actor_cancel(struct actor *a, const char *key)
{
	open_rec_set(a, key, NULL, 0, 0);
	return sent(a, env_send_cancel(a->hub, key), "CANCEL");
}
