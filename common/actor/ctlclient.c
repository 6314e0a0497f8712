/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ctlclient.c: see ctlclient.h. */
#include "ctlclient.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

int ctlclient_roundtrip(void *zctx, const char *endpoint, const char *text, int timeout_ms,
			zmq_msg_t *reply, char *err, size_t errlen)
{
	zmq_msg_init(reply);
	void *s = zmq_socket(zctx, ZMQ_REQ);
	if (!s) {
		snprintf(err, errlen, "cannot create control socket: %s", zmq_strerror(zmq_errno()));
		return -1;
	}
	int zero = 0, rc = -1;
	zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof(zero));
	zmq_setsockopt(s, ZMQ_SNDTIMEO, &timeout_ms, sizeof(timeout_ms));
	zmq_setsockopt(s, ZMQ_RCVTIMEO, &timeout_ms, sizeof(timeout_ms));
	if (zmq_connect(s, endpoint) < 0)
		snprintf(err, errlen, "cannot connect to %s: %s", endpoint, zmq_strerror(zmq_errno()));
	else if (zmq_send(s, text, strlen(text), 0) < 0)
		snprintf(err, errlen, "control socket %s not accepting requests within %d ms", endpoint,
			 timeout_ms);
	else if (zmq_msg_recv(reply, s, 0) < 0)
		snprintf(err, errlen, "no reply from control socket %s within %d ms", endpoint, timeout_ms);
	else
		rc = 0;
	zmq_close(s);
	return rc;
}

int ctlclient_call(void *zctx, const char *endpoint, const char *cmd, int timeout_ms,
		   json_t **result, char *err, size_t errlen)
{
	*result = NULL;
	json_t *rq = json_pack("{s:s, s:[], s:b}", "cmd", cmd, "args", "json", 1);
	char *text = rq ? json_dumps(rq, JSON_COMPACT) : NULL;
	json_decref(rq);
	zmq_msg_t msg;
	int rc = -1;
	if (!text) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	char why[300];
	if (ctlclient_roundtrip(zctx, endpoint, text, timeout_ms, &msg, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "no answer to '%s': %s", cmd, why);
		zmq_msg_close(&msg);
		free(text);
		return -1;
	}
	json_t *rep = json_loadb(zmq_msg_data(&msg), zmq_msg_size(&msg), 0, NULL);
	if (json_is_true(json_object_get(rep, "ok"))) {
		json_t *r = json_object_get(rep, "result");
		*result = json_incref(r ? r : json_null());
		rc = 0;
	} else {
		const char *e = json_string_value(json_object_get(rep, "error"));
		snprintf(err, errlen, "'%s': %s", cmd, e ? e : "malformed reply");
	}
	json_decref(rep);
	zmq_msg_close(&msg);
	free(text);
	return rc;
}
