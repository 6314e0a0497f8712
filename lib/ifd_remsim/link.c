/* SPDX-License-Identifier: GPL-2.0-or-later */
/* link.c: the driver's request/reply link to the ifd frontend: one ZeroMQ
 * REQ socket per reader, connected to ipc://SOCK_PATH.  REQ_RELAXED and
 * REQ_CORRELATE let a request follow one that got no reply (timeout, the
 * client role restarted) and drop the late reply; IMMEDIATE keeps requests
 * from queueing while nobody listens.  Every call is bounded by its own
 * timeout: pcscd's threads never wait longer. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <zmq.h>

#include "ifd_remsim.h"
#include "monotime.h"
#include "log.h"

struct ifd_link {
	void *sock;
	char ep[IFD_PATH_MAX + 8];
	char ctx[64];
	int healthy;		/* last request answered (1), failed (0), none yet (-1) */
};

static void *zctx;
static pthread_once_t zctx_once = PTHREAD_ONCE_INIT;

static void zctx_init(void)
{
	zctx = zmq_ctx_new();	/* lives as long as pcscd has us loaded */
}

int ifd_unix_alive(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(a.sun_path))
		return 0;
	memcpy(a.sun_path, path, strlen(path) + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	int ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(fd);
	return ok;
}

struct ifd_link *ifd_link_open(const char *sock_path, const char *ctx)
{
	pthread_once(&zctx_once, zctx_init);
	struct ifd_link *l = calloc(1, sizeof(*l));
	if (!l || !zctx)
		goto fail;
	snprintf(l->ep, sizeof(l->ep), "ipc://%s", sock_path);
	snprintf(l->ctx, sizeof(l->ctx), "%s", ctx);
	l->healthy = -1;
	l->sock = zmq_socket(zctx, ZMQ_REQ);
	if (!l->sock)
		goto fail;
	int one = 1, zero = 0, ivl = 100;
	zmq_setsockopt(l->sock, ZMQ_REQ_RELAXED, &one, sizeof(one));
	zmq_setsockopt(l->sock, ZMQ_REQ_CORRELATE, &one, sizeof(one));
	zmq_setsockopt(l->sock, ZMQ_IMMEDIATE, &one, sizeof(one));
	zmq_setsockopt(l->sock, ZMQ_LINGER, &zero, sizeof(zero));
	zmq_setsockopt(l->sock, ZMQ_RECONNECT_IVL, &ivl, sizeof(ivl));
	if (zmq_connect(l->sock, l->ep) < 0) {
		LOGE(ctx, "cannot connect %s: %s", l->ep, zmq_strerror(errno));
		goto fail;
	}
	return l;
fail:
	if (l && l->sock)
		zmq_close(l->sock);
	free(l);
	return NULL;
}

void ifd_link_close(struct ifd_link **l)
{
	if (!*l)
		return;
	zmq_close((*l)->sock);
	free(*l);
	*l = NULL;
}

static void health(struct ifd_link *l, int ok, int quiet, const char *what)
{
	if (ok && l->healthy == 0)
		LOGN(l->ctx, "link to the client role's reader frontend %s is back", l->ep);
	else if (!ok && (l->healthy != 0 || !quiet))
		LOGE(l->ctx, "link to %s: %s (is the client role running? see docs/ifd.md)", l->ep, what);
	l->healthy = ok;
}

int ifd_link_ask(struct ifd_link *l, const uint8_t *req, size_t len, uint8_t *rep, size_t max,
		 int timeout_ms, int quiet)
{
	long t0 = mono_ms();
	zmq_setsockopt(l->sock, ZMQ_SNDTIMEO, &timeout_ms, sizeof(timeout_ms));
	if (zmq_send(l->sock, req, len, 0) < 0) {
		health(l, 0, quiet, errno == EAGAIN ? "nobody listens (timeout)" : zmq_strerror(errno));
		return -1;
	}
	int left = timeout_ms - (int)(mono_ms() - t0);
	if (left < 1)
		left = 1;
	zmq_setsockopt(l->sock, ZMQ_RCVTIMEO, &left, sizeof(left));
	int n = zmq_recv(l->sock, rep, max, 0);
	if (n < 0) {
		char why[96];
		snprintf(why, sizeof(why), "%s after %d ms", errno == EAGAIN ? "no reply" : zmq_strerror(errno),
			 timeout_ms);
		health(l, 0, quiet, why);
		return -1;
	}
	health(l, 1, quiet, NULL);
	if (n > (int)max) {
		LOGE(l->ctx, "reply of %d octets from %s is longer than %zu: dropped", n, l->ep, max);
		return -1;
	}
	return n;
}
