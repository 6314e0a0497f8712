/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ctlclient.c: see ctlclient.h. */
#include "ctlclient.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

int ctlclient_call(void *zctx, const char *endpoint, const char *cmd, int timeout_ms,
		   json_t **result, char *err, size_t errlen)
{
	*result = NULL;
	json_t *rq = json_pack("{s:s, s:[], s:b}", "cmd", cmd, "args", "json", 1);
	char *text = rq ? json_dumps(rq, JSON_COMPACT) : NULL;
	json_decref(rq);
	void *s = zmq_socket(zctx, ZMQ_REQ);
	int rc = -1, zero = 0;
	zmq_msg_t msg;
	zmq_msg_init(&msg);
	if (!text || !s) {
		snprintf(err, errlen, "out of memory or no socket");
		goto out;
	}
	zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof(zero));
	zmq_setsockopt(s, ZMQ_SNDTIMEO, &timeout_ms, sizeof(timeout_ms));
	zmq_setsockopt(s, ZMQ_RCVTIMEO, &timeout_ms, sizeof(timeout_ms));
	if (zmq_connect(s, endpoint) < 0 || zmq_send(s, text, strlen(text), 0) < 0 ||
	    zmq_msg_recv(&msg, s, 0) < 0) {
		snprintf(err, errlen, "no answer to '%s' from %s within %d ms", cmd, endpoint, timeout_ms);
		goto out;
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
out:
	zmq_msg_close(&msg);
	if (s)
		zmq_close(s);
	free(text);
	return rc;
}
