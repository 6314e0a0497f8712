/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rest_ctl.c: one control request round trip (docs/control.md): a fresh
 * ZMQ_REQ socket per HTTP request (common/actor/ctlclient), one JSON frame out, one
 * JSON frame back, bounded by a timeout so that a dead or silent control socket gives 503
 * instead of a hanging HTTP client. */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <zmq.h>

#include "ctlclient.h"
#include "rest.h"

int rest_ctl_init(struct rest_ctl *c, const char *endpoint, int timeout_ms)
{
	c->endpoint = endpoint;
	c->timeout_ms = timeout_ms;
	c->zctx = zmq_ctx_new();
	return c->zctx ? 0 : -1;
}

void rest_ctl_fini(struct rest_ctl *c)
{
	if (c->zctx)
		zmq_ctx_term(c->zctx);
	c->zctx = NULL;
}

int rest_ctl_status_for_code(const char *code)
{
	if (!code)
		return 500;
	if (!strcmp(code, "usage") || !strcmp(code, "range") || !strcmp(code, "conflict"))
		return 400;
	if (!strcmp(code, "not_found"))
		return 404;
	if (!strcmp(code, "unavailable"))
		return 503;
	return 500;
}

static char *build_request(const char *cmd, const char *const *args, size_t nargs,
			   const char *flag)
{
	json_t *rq = json_object();
	if (flag)
		json_object_set_new(rq, flag, json_true());
	json_object_set_new(rq, "cmd", json_string(cmd));
	if (nargs) {
		json_t *a = json_array();
		for (size_t i = 0; i < nargs; i++)
			json_array_append_new(a, json_string(args[i]));
		json_object_set_new(rq, "args", a);
	}
	json_object_set_new(rq, "origin", json_string("rest"));
	char *s = json_dumps(rq, JSON_COMPACT);
	json_decref(rq);
	return s;
}

int rest_ctl_call(struct rest_ctl *c, const char *cmd, const char *const *args, size_t nargs,
		  json_t **result, char *err, size_t errlen)
{
	return rest_ctl_call_flag(c, cmd, args, nargs, NULL, result, err, errlen);
}

int rest_ctl_call_flag(struct rest_ctl *c, const char *cmd, const char *const *args, size_t nargs,
		       const char *flag, json_t **result, char *err, size_t errlen)
{
	*result = NULL;
	const char *ep = c->endpoint;
	/* a missing ipc socket file means the role is down: no need to wait */
	if (strncmp(ep, "ipc://", 6) == 0 && ep[6] != '@') {
		struct stat st;
		if (stat(ep + 6, &st) < 0) {
			snprintf(err, errlen, "no control socket at %s: %s", ep, strerror(errno));
			return 503;
		}
	}
	char *text = build_request(cmd, args, nargs, flag);
	if (!text) {
		snprintf(err, errlen, "out of memory");
		return 500;
	}
	zmq_msg_t msg;
	int rc = ctlclient_roundtrip(c->zctx, c->endpoint, text, c->timeout_ms, &msg, err, errlen);
	free(text);
	if (rc < 0) {
		zmq_msg_close(&msg);
		return 503;
	}

	json_error_t jerr;
	json_t *reply = json_loadb(zmq_msg_data(&msg), zmq_msg_size(&msg), 0, &jerr);
	zmq_msg_close(&msg);
	if (!json_is_object(reply)) {
		snprintf(err, errlen, "control reply to '%s' is not a JSON object", cmd);
		json_decref(reply);
		return 500;
	}
	int status;
	if (json_is_true(json_object_get(reply, "ok"))) {
		json_t *r = json_object_get(reply, "result");
		*result = r ? json_incref(r) : json_null();
		status = 0;
	} else {
		const char *code = json_string_value(json_object_get(reply, "code"));
		const char *why = json_string_value(json_object_get(reply, "error"));
		status = rest_ctl_status_for_code(code);
		snprintf(err, errlen, "%s: %s (%s)", cmd, why ? why : "failed", code ? code : "no code");
	}
	json_decref(reply);
	return status;
}
