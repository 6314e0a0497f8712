/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ctlclient.h: one request to a role's control socket (docs/control.md):
 * a fresh ZMQ_REQ socket, one JSON frame out, one JSON frame back, bounded
 * by a timeout, so that a dead or silent role gives an error, never a hang.
 * For programs that ask a role something (the metrics actor, the REST
 * actor). */
#ifndef REMSIM_CTLCLIENT_H
#define REMSIM_CTLCLIENT_H

#include <jansson.h>
#include <zmq.h>

/* One round trip: text out on a fresh REQ socket, the reply frame into
 * *reply (initialised here; the caller closes it).  0, or -1 with a
 * message in err. */
int ctlclient_roundtrip(void *zctx, const char *endpoint, const char *text, int timeout_ms,
			zmq_msg_t *reply, char *err, size_t errlen);

/* Send {"cmd":cmd,"args":[],"json":true} to endpoint (zctx: a libzmq
 * context) and wait up to timeout_ms.  0 with the reply's "result" in
 * *result (a new reference); -1 with a message in err (also for a reply
 * with "ok": false, whose "error" it then holds). */
int ctlclient_call(void *zctx, const char *endpoint, const char *cmd, int timeout_ms,
		   json_t **result, char *err, size_t errlen);

#endif
