/* SPDX-License-Identifier: GPL-2.0-or-later */
/* broker_ctl.c: the control socket remsim-ctl talks to.  A ROUTER (so that
 * several REQ clients and slow actors never block each other) bound to an
 * ipc path created 0600 (0660 with control_group_writable), or to tcp://
 * only with CURVE (zcert server certificate + zauth allowed-clients
 * directory).  One JSON frame in, one JSON frame out.  "status" is answered
 * here; "slots" is asked of every slot actor (reader/N, usbslot/N) as
 * "slot" and their answers are gathered into one array, and "log" (levels)
 * to every process of the role alike; other commands go
 * to the actor the `commands` table names and its CTLREP is passed back, or
 * an error after ctl_timeout_ms. */
#include "broker.h"
#include "monotime.h"

#include <czmq.h>
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "logctl.h"

#define CTL_BATCH	64

int ctl_open(struct broker *b, char *err, size_t errlen)
{
	const char *ep = b->cf.control;
	int is_tcp = !strncmp(ep, "tcp://", 6);
	char where[600];
	if (b->cf.control_line)
		snprintf(where, sizeof(where), "%s:%d", b->cf.path, b->cf.control_line);
	else
		snprintf(where, sizeof(where), "%s", "--control/REMSIM_CONTROL");
	if (is_tcp && (!b->cf.curve_cert || !b->cf.curve_clients)) {
		snprintf(err, errlen, "%s: control endpoint %s is TCP but no CURVE keys are configured "
			 "(set broker.control_curve_cert and broker.control_curve_clients, or use ipc://)",
			 where, ep);
		return -1;
	}
	zsock_t *s = zsock_new(ZMQ_ROUTER);
	if (!s) {
		snprintf(err, errlen, "cannot create the control socket");
		return -1;
	}
	b->ctl_s = s;
	zsock_set_linger(s, 0);
	zsock_set_sndhwm(s, 1000);
	zsock_set_rcvhwm(s, 1000);
	if (is_tcp) {
		zcert_t *cert = zcert_load(b->cf.curve_cert);
		if (!cert || !zsys_has_curve()) {
			snprintf(err, errlen, "%s: cannot load CURVE server certificate %s%s", where,
				 b->cf.curve_cert, zsys_has_curve() ? "" : " (libzmq without CURVE)");
			zcert_destroy(&cert);
			return -1;
		}
		b->auth = zactor_new(zauth, NULL);
		if (!b->auth) {
			zcert_destroy(&cert);
			snprintf(err, errlen, "cannot start the ZAP authenticator");
			return -1;
		}
		zstr_sendx(b->auth, "CURVE", b->cf.curve_clients, NULL);
		zsock_wait(b->auth);
		zcert_apply(cert, s);
		zcert_destroy(&cert);
		zsock_set_curve_server(s, 1);
		zsock_set_zap_domain(s, "remsim-control");
		if (bind_endpoint(s, ep, 0, err, errlen) < 0)
			return -1;
	} else {
		unsigned mode = b->cf.control_group_writable ? 0660 : 0600;
		if (bind_endpoint(s, ep, mode, err, errlen) < 0)
			return -1;
	}
	b->ctl = zsock_resolve(s);
	return poll_add(b, b->ctl, -1, EV_IN, NULL) == 1 ? 0 : -1;
}

void ctl_close(struct broker *b)
{
	while (b->pends) {
		struct pend *p = b->pends;
		b->pends = p->next;
		free(p);
	}
	zsock_destroy((zsock_t **)&b->ctl_s);
	zactor_destroy((zactor_t **)&b->auth);
}

/* ---- replies -------------------------------------------------------------- */

static void reply_raw(struct broker *b, const uint8_t *ident, size_t ilen, const char *json, size_t len)
{
	struct env_part v[] = { { ident, ilen }, { "", 0 }, { json, len } };
	if (env_sendv(b->ctl, NULL, v, 3) < 0)
		LOGW(NULL, "control reply not delivered: %s", zmq_strerror(errno));
}

static void reply_json(struct broker *b, const uint8_t *ident, size_t ilen, json_t *rep)
{
	char *txt = rep ? json_dumps(rep, JSON_COMPACT) : NULL;
	if (txt)
		reply_raw(b, ident, ilen, txt, strlen(txt));
	else
		reply_raw(b, ident, ilen, "{\"ok\":false,\"error\":\"out of memory\"}", 36);
	free(txt);
	json_decref(rep);
}

/* code: the error class of docs/control.md (usage, unavailable, internal),
 * which the REST actor maps onto HTTP status codes. */
static void reply_error(struct broker *b, const uint8_t *ident, size_t ilen, const char *code,
			const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void reply_error(struct broker *b, const uint8_t *ident, size_t ilen, const char *code,
			const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	reply_json(b, ident, ilen, json_pack("{s:b, s:s, s:s}", "ok", 0, "error", msg, "code", code));
}

/* ---- status --------------------------------------------------------------- */

static const char *const state_names[] = {
	[BA_RUNNING] = "running", [BA_RESTARTING] = "restarting",
	[BA_FAILED] = "failed", [BA_STOPPED] = "stopped", [BA_UNKNOWN] = "unknown",
};

static json_t *status(struct broker *b)
{
	json_t *arr = json_array();
	int64_t now = mono_ms();
	for (struct bactor *a = b->actors; a && arr; a = a->next) {
		int64_t up = a->state == BA_RUNNING && a->started_ms ? (now - a->started_ms) / 1000 : 0;
		json_array_append_new(arr, json_pack("{s:s, s:i, s:s, s:i, s:s, s:I}",
			"name", a->name, "pid", (int)a->pid, "state", state_names[a->state],
			"restarts", a->restarts, "last_exit", a->last_exit, "uptime_s", (json_int_t)up));
	}
	return arr;
}

/* ---- requests ------------------------------------------------------------- */

struct gather {
	uint8_t ident[256];
	size_t ilen;
	size_t waiting;		/* sub-requests not answered yet */
	json_t *rows;
};

/* Send body to actor as a CTLREQ and keep a pend for its reply (answered to
 * ident, or added to the gather g).  -1 when it could not be sent (the
 * client is answered here when g is NULL). */
static int ask_actor(struct broker *b, const char *actor, const void *body, size_t blen,
		     const uint8_t *ident, size_t ilen, struct gather *g, const char *cmd)
{
	uint32_t id = ++b->next_reqid;
	if (id == 0)
		id = ++b->next_reqid;
	struct env_part v[] = { { "CTLREQ", 6 }, { NULL, 0 }, { body, blen } };
	char ids[12];
	v[1].data = ids;
	v[1].len = (size_t)snprintf(ids, sizeof(ids), "%u", id);
	if (env_sendv(b->hub, actor, v, 3) < 0) {
		int e = errno;
		if (!g)
			reply_error(b, ident, ilen, "unavailable", "'%s': actor %s %s", cmd, actor,
				    e == EHOSTUNREACH ? "is not connected" : "is not accepting requests");
		return -1;
	}
	struct pend *p = calloc(1, sizeof(*p));
	if (!p || ilen > sizeof(p->ident)) {
		free(p);
		if (!g)
			reply_error(b, ident, ilen, "internal", "out of memory");
		return -1;
	}
	p->reqid = id;
	p->g = g;
	memcpy(p->ident, ident, ilen);
	p->ilen = ilen;
	snprintf(p->actor, sizeof(p->actor), "%s", actor);
	p->deadline = mono_ms() + b->cf.ctl_timeout_ms;
	broker_arm(b, p->deadline);
	p->next = b->pends;
	b->pends = p;
	LOGD(NULL, "control: '%s' -> %s (request %u)", cmd, actor, id);
	return 0;
}

static int is_slot_actor(const char *name)
{
	return !strncmp(name, "reader/", 7) || !strncmp(name, "usbslot/", 8);
}

/* "reader/2" before "reader/10" */
static int by_actor(const void *x, const void *y)
{
	const char *a = json_string_value(json_object_get(*(json_t *const *)x, "actor"));
	const char *c = json_string_value(json_object_get(*(json_t *const *)y, "actor"));
	const char *sa = a ? strchr(a, '/') : NULL, *sc = c ? strchr(c, '/') : NULL;
	if (!sa || !sc || sa - a != sc - c || strncmp(a, c, (size_t)(sa - a)))
		return strcmp(a ? a : "", c ? c : "");
	return atoi(sa + 1) - atoi(sc + 1);
}

static void gather_done(struct broker *b, struct gather *g)
{
	size_t n = json_array_size(g->rows);
	json_t **v = calloc(n + 1, sizeof(*v));
	json_t *sorted = json_array();
	for (size_t i = 0; v && i < n; i++)
		v[i] = json_array_get(g->rows, i);
	if (v)
		qsort(v, n, sizeof(*v), by_actor);
	for (size_t i = 0; v && sorted && i < n; i++)
		json_array_append(sorted, v[i]);
	free(v);
	reply_json(b, g->ident, g->ilen, sorted ? json_pack("{s:b, s:o}", "ok", 1, "result", sorted) : NULL);
	json_decref(g->rows);
	free(g);
}

/* One answer (row: a new reference, or NULL with why) of a fan-out. */
static void gather_add(struct broker *b, struct gather *g, const char *actor, json_t *row, const char *why)
{
	if (!json_is_object(row)) {
		json_decref(row);
		row = json_pack("{s:s}", "error", why ? why : "no answer");
	}
	if (row) {
		json_object_set_new(row, "actor", json_string(actor));
		json_array_append_new(g->rows, row);
	}
	if (--g->waiting == 0)
		gather_done(b, g);
}

/* Drop the hold slots() keeps while it sends the requests. */
static void gather_release(struct broker *b, struct gather *g)
{
	if (--g->waiting == 0)
		gather_done(b, g);
}

/* A fan-out answered to ident; held (waiting = 1) until gather_release(). */
static struct gather *gather_start(struct broker *b, const uint8_t *ident, size_t ilen)
{
	struct gather *g = calloc(1, sizeof(*g));
	if (!g || ilen > sizeof(g->ident) || !(g->rows = json_array())) {
		free(g);
		reply_error(b, ident, ilen, "internal", "out of memory");
		return NULL;
	}
	memcpy(g->ident, ident, ilen);
	g->ilen = ilen;
	g->waiting = 1;		/* held until every request is out */
	return g;
}

/* One row of g that needs no request (row: a new reference). */
static void gather_now(struct broker *b, struct gather *g, const char *actor, json_t *row)
{
	g->waiting++;
	gather_add(b, g, actor, row, NULL);
}

static void gather_ask(struct broker *b, struct gather *g, const char *actor, const char *body,
		       size_t blen, const char *cmd)
{
	g->waiting++;
	if (ask_actor(b, actor, body, blen, g->ident, g->ilen, g, cmd) < 0) {
		LOGD(NULL, "control: '%s' not asked of %s: %s", cmd, actor, zmq_strerror(errno));
		gather_add(b, g, actor, NULL, "not connected");
	}
}

static void slots(struct broker *b, const uint8_t *ident, size_t ilen)
{
	struct gather *g = gather_start(b, ident, ilen);
	if (!g)
		return;
	static const char body[] = "{\"cmd\":\"slot\",\"args\":[],\"json\":true}";
	for (struct bactor *a = b->actors; a; a = a->next) {
		if (!is_slot_actor(a->name))
			continue;
		if (a->state == BA_FAILED || a->state == BA_RESTARTING || !a->helloed) {
			/* the slot's actor is not there to answer: its state is ours */
			gather_now(b, g, a->name, json_pack("{s:s, s:s}", "state",
				   a->state == BA_FAILED ? "failed" : "restarting", "last_error",
				   a->last_exit));
			continue;
		}
		gather_ask(b, g, a->name, body, sizeof(body) - 1, "slots");
	}
	gather_release(b, g);
}

/* `log`: show or set the levels of every process of the role: the broker
 * itself, each actor, and remsimd (over its events connection).  A setting
 * is kept in RUN_DIR/log-levels first, so that an actor (re)started at any
 * time reads it (docs/logging.md). */
static void log_all(struct broker *b, const uint8_t *ident, size_t ilen, json_t *args)
{
	int set, cat, level;
	char err[400];
	if (logctl_parse(args, &set, &cat, &level, err, sizeof(err)) < 0) {
		reply_error(b, ident, ilen, "usage", "%s", err);
		return;
	}
	json_t *self = logctl_handle(args, err, sizeof(err));
	if (set && log_runtime_save(b->cf.run_dir) < 0)
		LOGW(NULL, "run-time log levels not kept in %s/log-levels: %s (a restarted actor "
		     "will not have them)", b->cf.run_dir, strerror(errno));
	json_t *req = json_pack("{s:s, s:O, s:b}", "cmd", "log", "args", args ? args : json_array(),
				"json", 1);
	char *body = req ? json_dumps(req, JSON_COMPACT) : NULL;
	json_decref(req);
	struct gather *g = body ? gather_start(b, ident, ilen) : NULL;
	if (!g) {
		json_decref(self);
		free(body);
		if (!body)
			reply_error(b, ident, ilen, "internal", "out of memory");
		return;
	}
	gather_now(b, g, b->cf.name, self);
	for (struct bactor *a = b->actors; a; a = a->next) {
		if (!strcmp(a->name, b->cf.name))
			continue;
		if (a->state != BA_RUNNING || !a->helloed)
			gather_now(b, g, a->name, json_pack("{s:s}", "error", a->state != BA_RUNNING ?
				   "not running (reads the run-time levels when it starts)" :
				   "not on the hub (rest): applies the run-time levels from RUN_DIR/log-levels within a second"));
		else
			gather_ask(b, g, a->name, body, strlen(body), "log");
	}
	gather_ask(b, g, "remsimd", body, strlen(body), "log");
	free(body);
	gather_release(b, g);
}

static const char *route_of(struct broker *b, const char *cmd)
{
	for (size_t i = 0; i < b->cf.nroutes; i++)
		if (!strcmp(b->cf.routes[i].cmd, cmd))
			return b->cf.routes[i].actor;
	return NULL;
}

static void request(struct broker *b, const uint8_t *ident, size_t ilen, const uint8_t *body, size_t blen)
{
	json_error_t jerr;
	json_t *req = json_loadb((const char *)body, blen, 0, &jerr);
	if (!req) {
		LOGW(NULL, "control: malformed JSON: %s", jerr.text);
		reply_error(b, ident, ilen, "usage", "malformed JSON: %s (at offset %d)", jerr.text, jerr.position);
		return;
	}
	const char *cmdp = json_string_value(json_object_get(req, "cmd"));
	char cmd[64];
	snprintf(cmd, sizeof(cmd), "%s", cmdp ? cmdp : "");
	json_t *args = json_object_get(req, "args");
	if (!json_is_object(req) || !cmdp || !*cmdp || strlen(cmdp) >= sizeof(cmd) || (args && !json_is_array(args))) {
		reply_error(b, ident, ilen, "usage", "request must be {\"cmd\":\"...\", \"args\":[...], \"json\":bool}");
		json_decref(req);
		return;
	}
	if (!strcmp(cmd, "slots")) {
		json_decref(req);
		slots(b, ident, ilen);
		return;
	}
	if (!strcmp(cmd, "log")) {
		log_all(b, ident, ilen, args);
		json_decref(req);
		return;
	}
	if (!strcmp(cmd, "status")) {
		json_t *st = status(b);
		reply_json(b, ident, ilen, st ? json_pack("{s:b, s:o}", "ok", 1, "result", st) : NULL);
		json_decref(req);
		return;
	}
	const char *actor = route_of(b, cmd);
	if (!actor) {
		reply_error(b, ident, ilen, "usage", "unknown command '%s'", cmd);
		json_decref(req);
		return;
	}
	json_decref(req);
	struct bactor *a = actor_rec(b, actor, 0);
	if (!a || !a->helloed) {
		reply_error(b, ident, ilen, "unavailable", "'%s' is handled by actor %s, which is not running", cmd, actor);
		return;
	}
	if (ask_actor(b, actor, body, blen, ident, ilen, NULL, cmd) < 0)
		return;
}

int ctl_input(struct broker *b)
{
	for (int i = 0; i < CTL_BATCH; i++) {
		if (env_msg_recv(&b->cmsg, b->ctl, ZMQ_DONTWAIT) < 0)
			return EVZ_DRAINED;
		size_t ilen, dlen, blen;
		const uint8_t *ident = env_frame(&b->cmsg, 0, &ilen);
		env_frame(&b->cmsg, 1, &dlen);
		const uint8_t *body = env_frame(&b->cmsg, 2, &blen);
		if (b->cmsg.n != 3 || dlen != 0) {
			/* not a REQ envelope: answer if we can address it */
			LOGW(NULL, "control: unexpected message shape (%zu frames)", b->cmsg.n);
			if (b->cmsg.n >= 2 && dlen == 0)
				reply_error(b, ident, ilen, "usage", "send exactly one JSON frame");
			continue;
		}
		request(b, ident, ilen, body, blen);
	}
	return EVZ_MORE;
}

static struct pend *pend_take(struct broker *b, uint32_t reqid)
{
	for (struct pend **pp = &b->pends; *pp; pp = &(*pp)->next)
		if ((*pp)->reqid == reqid) {
			struct pend *p = *pp;
			*pp = p->next;
			return p;
		}
	return NULL;
}

void ctl_reply_from_actor(struct broker *b, const char *actor, uint32_t reqid,
			  const uint8_t *json, size_t len)
{
	struct pend *p = pend_take(b, reqid);
	if (!p) {
		LOGW(NULL, "control reply %u from %s: no such request (timed out?)", reqid, actor);
		return;
	}
	if (strcmp(p->actor, actor)) {
		LOGW(NULL, "control reply %u from %s, expected from %s", reqid, actor, p->actor);
	}
	json_t *rep = json_loadb((const char *)json, len, 0, NULL);
	if (p->g) {
		json_t *res = json_is_true(json_object_get(rep, "ok")) ? json_object_get(rep, "result") : NULL;
		const char *e = json_string_value(json_object_get(rep, "error"));
		gather_add(b, p->g, p->actor, res ? json_incref(res) : NULL, e ? e : "malformed reply");
		json_decref(rep);
		free(p);
		return;
	}
	if (!json_is_object(rep) || !json_is_boolean(json_object_get(rep, "ok")))
		reply_error(b, p->ident, p->ilen, "internal", "actor %s sent a malformed reply", actor);
	else
		reply_raw(b, p->ident, p->ilen, (const char *)json, len);
	json_decref(rep);
	free(p);
}

void ctl_actor_gone(struct broker *b, const char *actor, const char *why)
{
	for (struct pend **pp = &b->pends; *pp;) {
		struct pend *p = *pp;
		if (strcmp(p->actor, actor)) {
			pp = &p->next;
			continue;
		}
		*pp = p->next;
		if (p->g)
			gather_add(b, p->g, p->actor, NULL, why);
		else
			reply_error(b, p->ident, p->ilen, "unavailable", "actor %s %s before replying", actor, why);
		free(p);
	}
}

void ctl_timers(struct broker *b, int64_t now)
{
	for (struct pend **pp = &b->pends; *pp;) {
		struct pend *p = *pp;
		if (now < p->deadline) {
			broker_arm(b, p->deadline);
			pp = &p->next;
			continue;
		}
		*pp = p->next;
		LOGW(NULL, "control request %u: %s did not reply within %d ms", p->reqid, p->actor,
		     b->cf.ctl_timeout_ms);
		if (p->g)
			gather_add(b, p->g, p->actor, NULL, "did not reply in time");
		else
			reply_error(b, p->ident, p->ilen, "unavailable", "actor %s did not reply within %d ms",
				    p->actor, b->cf.ctl_timeout_ms);
		free(p);
	}
}
