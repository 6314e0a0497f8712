/* SPDX-License-Identifier: GPL-2.0-or-later */
/* link.c: the driver's request/reply link to the ifd frontend: one ZeroMQ
 * DEALER per reader (the hub's own socket, common/actor/hubsock.c: no
 * libzmq context and so no libzmq threads inside pcscd), connected to
 * ipc://SOCK_PATH, speaking what a REQ with REQ_CORRELATE speaks: a
 * request id frame, an empty delimiter, the body.  A request may follow
 * one that got no reply (timeout, the client role restarted): the late
 * reply carries the old id and is dropped.  Nothing is sent while nobody
 * listens (hubsock's IMMEDIATE).  Every call is bounded by its own
 * timeout: pcscd's threads never wait longer. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "hubsock.h"
#include "ifd_remsim.h"
#include "monotime.h"
#include "log.h"

struct ifd_link {
	struct hubsock *hs;
	uint32_t reqid;		/* of the last request */
	char ep[IFD_PATH_MAX + 8];
	char ctx[64];
	int healthy;		/* last request answered (1), failed (0), none yet (-1) */
};

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
	struct ifd_link *l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	snprintf(l->ep, sizeof(l->ep), "ipc://%s", sock_path);
	snprintf(l->ctx, sizeof(l->ctx), "%s", ctx);
	l->healthy = -1;
	l->reqid = (uint32_t)mono_us();	/* (ids of an earlier driver life are unlikely to recur) */
	char err[256];
	struct hubsock_opts o = { .reconnect_ms = 100 };
	l->hs = hubsock_connect(l->ep, &o, err, sizeof(err));
	if (!l->hs) {
		LOGE(ctx, "cannot connect %s: %s", l->ep, err);
		free(l);
		return NULL;
	}
	return l;
}

void ifd_link_close(struct ifd_link **l)
{
	if (!*l)
		return;
	hubsock_close(&(*l)->hs);
	free(*l);
	*l = NULL;
}

/* 1 once the link is connected (handshake done), 0 at the deadline. */
static int wait_connected(struct ifd_link *l, int64_t deadline)
{
	size_t n;
	for (;;) {
		while (hubsock_recv(l->hs, &n))	/* (connects, handshakes; drops strays) */
			;
		if (hubsock_connected(l->hs, NULL))
			return 1;
		int64_t left = deadline - mono_ms();
		if (left <= 0)
			return 0;
		hubsock_wait(l->hs, (int)left);
	}
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
	int64_t deadline = mono_ms() + timeout_ms;
	size_t n;
	uint32_t id = ++l->reqid;
	uint8_t idf[4] = { (uint8_t)(id >> 24), (uint8_t)(id >> 16), (uint8_t)(id >> 8), (uint8_t)id };
	struct iovec v[3] = { { idf, 4 }, { NULL, 0 }, { (void *)req, len } };
	for (;;) {
		/* Nothing happens on the link between calls (no I/O thread): take
		 * in what did (late replies, dropped; the frontend gone or back)
		 * before sending; nothing goes out while nobody listens */
		if (!wait_connected(l, deadline)) {
			health(l, 0, quiet, "nobody listens (timeout)");
			return -1;
		}
		if (hubsock_sendv(l->hs, NULL, v, 3) == 0)
			break;
		if (errno != EAGAIN || hubsock_connected(l->hs, NULL)) {
			health(l, 0, quiet, strerror(errno));
			return -1;
		}
		/* the send found the frontend gone (it died just now): again on
		 * the next connection */
	}
	for (;;) {
		int64_t left = deadline - mono_ms();
		const struct hubsock_frame *f = left > 0 ? hubsock_recv_wait(l->hs, &n, (int)left) : NULL;
		if (!f) {
			char why[96];
			snprintf(why, sizeof(why), "no reply after %d ms", timeout_ms);
			health(l, 0, quiet, why);
			return -1;
		}
		if (n != 3 || f[0].len != 4 || memcmp(f[0].data, idf, 4) || f[1].len)
			continue;	/* the late reply to an abandoned request */
		health(l, 1, quiet, NULL);
		if (f[2].len > max) {
			LOGE(l->ctx, "reply of %zu octets from %s is longer than %zu: dropped", f[2].len, l->ep, max);
			return -1;
		}
		memcpy(rep, f[2].data, f[2].len);
		return (int)f[2].len;
	}
}
