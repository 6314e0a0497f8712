/* SPDX-License-Identifier: GPL-2.0-or-later */
/* transport.c: one REQ round trip to the role's control socket, with CURVE
 * client keys for tcp:// endpoints. */
#include <czmq.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "ctl.h"

/* The server's public key: a zcert public file, or a file holding the Z85 key. */
static int load_server_key(const char *file, char *key, size_t keylen, char *err, size_t errlen)
{
	zcert_t *c = zcert_load(file);
	if (c) {
		snprintf(key, keylen, "%s", zcert_public_txt(c));
		zcert_destroy(&c);
		return 0;
	}
	FILE *f = fopen(file, "r");
	char line[128] = "";
	if (!f || !fgets(line, sizeof(line), f)) {
		snprintf(err, errlen, "cannot read server key %s: %s", file, strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	line[strcspn(line, "\r\n \t")] = '\0';
	if (strlen(line) != 40) {
		snprintf(err, errlen, "%s: not a zcert file nor a 40-character Z85 public key", file);
		return -1;
	}
	if (keylen < 41)
		return -1;
	memcpy(key, line, 41);	/* 40 characters and the NUL */
	return 0;
}

static int apply_curve(zsock_t *s, const struct ctl_transport_opts *o, char *err, size_t errlen)
{
	char server_key[64];
	if (load_server_key(o->curve_server_key, server_key, sizeof(server_key), err, errlen))
		return -1;
	zcert_t *c = zcert_load(o->curve_client_cert);
	if (!c) {
		snprintf(err, errlen, "cannot load client certificate %s", o->curve_client_cert);
		return -1;
	}
	static const char zero_key[41] = "0000000000000000000000000000000000000000";
	if (strcmp(zcert_secret_txt(c), zero_key) == 0) {
		snprintf(err, errlen, "%s has no secret key (expected in %s_secret)",
			 o->curve_client_cert, o->curve_client_cert);
		zcert_destroy(&c);
		return -1;
	}
	zcert_apply(c, s);
	zcert_destroy(&c);
	zsock_set_curve_serverkey(s, server_key);
	return 0;
}

int ctl_request(const struct ctl_transport_opts *o, const char *request, char **reply,
		char *err, size_t errlen)
{
	const char *ep = o->endpoint;
	int is_tcp = strncmp(ep, "tcp://", 6) == 0;
	if (strncmp(ep, "ipc://", 6) == 0 && ep[6] != '@') {
		struct stat st;
		if (stat(ep + 6, &st) < 0) {
			snprintf(err, errlen, "role not running: no control socket at %s (%s)", ep,
				 strerror(errno));
			return CTL_UNREACHABLE;
		}
	}
	if (is_tcp && (!o->curve_server_key || !o->curve_client_cert)) {
		snprintf(err, errlen, "a tcp:// endpoint needs --curve-server-key and --curve-client-cert");
		return CTL_USAGE;
	}
	zsock_t *s = zsock_new(ZMQ_REQ);
	if (!s) {
		snprintf(err, errlen, "cannot create socket");
		return CTL_UNREACHABLE;
	}
	zsock_set_linger(s, 0);
	zsock_set_sndtimeo(s, o->timeout_ms);
	zsock_set_rcvtimeo(s, o->timeout_ms);
	int rc = CTL_UNREACHABLE;
	if (is_tcp && apply_curve(s, o, err, errlen)) {
		rc = CTL_USAGE;
		goto out;
	}
	if (zsock_connect(s, "%s", ep) < 0) {
		snprintf(err, errlen, "cannot connect to %s: %s", ep, zmq_strerror(zmq_errno()));
		rc = CTL_USAGE;
		goto out;
	}
	if (zstr_send(s, request) < 0) {
		snprintf(err, errlen, "role not running: cannot send to %s within %d ms", ep, o->timeout_ms);
		goto out;
	}
	*reply = zstr_recv(s);
	if (!*reply) {
		snprintf(err, errlen, "role not running or not answering: no reply from %s within %d ms",
			 ep, o->timeout_ms);
		goto out;
	}
	rc = CTL_OK;
out:
	zsock_destroy(&s);
	return rc;
}
