/* SPDX-License-Identifier: GPL-2.0-or-later */
/* events.c: the DEALER that reports actor lifecycle events to the broker,
 * and answers the broker's `log` requests (remsimd's own log levels). */
#include "events.h"

#include <czmq.h>
#include <stdio.h>
#include <string.h>

#include "envelope.h"
#include "log.h"
#include "logctl.h"

#define EVENTS_HWM 10000

struct events {
	zsock_t *sock;
	unsigned dropped;
};

struct events *events_new(const char *hub)
{
	struct events *ev = calloc(1, sizeof(*ev));
	if (!ev)
		return NULL;
	ev->sock = zsock_new(ZMQ_DEALER);
	if (!ev->sock) {
		free(ev);
		return NULL;
	}
	zsock_set_identity(ev->sock, "remsimd");
	zsock_set_sndhwm(ev->sock, EVENTS_HWM);
	zsock_set_sndtimeo(ev->sock, 0);
	zsock_set_linger(ev->sock, 200);
	zsock_set_reconnect_ivl(ev->sock, 100);
	if (zsock_connect(ev->sock, "%s", hub) < 0) {
		LOGE(NULL, "cannot connect events socket to %s: %s", hub, zmq_strerror(zmq_errno()));
		zsock_destroy(&ev->sock);
		free(ev);
		return NULL;
	}
	return ev;
}

void events_destroy(struct events **evp)
{
	if (!evp || !*evp)
		return;
	zsock_destroy(&(*evp)->sock);
	free(*evp);
	*evp = NULL;
}

void events_send(struct events *ev, const char *name, const char *kind, pid_t pid,
		 const char *detail, int restarts)
{
	LOGD(name, "event %s pid=%d detail=\"%s\" restarts=%d", kind, (int)pid, detail, restarts);
	if (!ev)
		return;
	zmsg_t *m = zmsg_new();
	zmsg_addstr(m, "EVENT");
	zmsg_addstr(m, name);
	zmsg_addstr(m, kind);
	zmsg_addstrf(m, "%d", (int)pid);
	zmsg_addstr(m, detail ? detail : "");
	zmsg_addstrf(m, "%d", restarts);
	if (zmsg_send(&m, ev->sock) < 0) {
		if (ev->dropped++ % 100 == 0)
			LOGW(name, "event '%s' dropped: broker not reachable (%u dropped so far)",
			     kind, ev->dropped);
		zmsg_destroy(&m);
	}
}

void *events_socket(struct events *ev)
{
	return ev ? zsock_resolve(ev->sock) : NULL;
}

/* A control request from the broker: remsimd answers `log` only. */
static void answer_ctl(struct events *ev, zmsg_t *m)
{
	char *id = zmsg_popstr(m), *body = zmsg_popstr(m);
	json_t *req = body ? json_loads(body, 0, NULL) : NULL;
	const char *cmd = json_string_value(json_object_get(req, "cmd"));
	char err[400] = "", *end = NULL;
	unsigned long reqid = id ? strtoul(id, &end, 10) : 0;
	json_t *res = cmd && !strcmp(cmd, "log") ? logctl_handle(json_object_get(req, "args"), err, sizeof(err))
						 : NULL;
	if (!res && !err[0])
		snprintf(err, sizeof(err), "remsimd answers only 'log'");
	json_t *rep = res ? json_pack("{s:b, s:o}", "ok", 1, "result", res)
			  : json_pack("{s:b, s:s}", "ok", 0, "error", err);
	char *txt = rep ? json_dumps(rep, JSON_COMPACT) : NULL;
	if (!id || !end || *end || !txt ||
	    env_send_ctl(zsock_resolve(ev->sock), NULL, ENV_CTLREP, (uint32_t)reqid, txt) < 0)
		LOGW(NULL, "control request %s from the broker not answered", id ? id : "?");
	free(txt);
	json_decref(rep);
	json_decref(req);
	zstr_free(&id);
	zstr_free(&body);
}

void events_drain(struct events *ev)
{
	if (!ev)
		return;
	while (zsock_events(ev->sock) & ZMQ_POLLIN) {
		zmsg_t *m = zmsg_recv(ev->sock);
		if (!m)
			break;
		char *cmd = zmsg_popstr(m);
		if (cmd && !strcmp(cmd, "CTLREQ"))
			answer_ctl(ev, m);
		else
			LOGD(NULL, "ignoring message '%s' from the hub", cmd ? cmd : "");
		zstr_free(&cmd);
		zmsg_destroy(&m);
	}
}
