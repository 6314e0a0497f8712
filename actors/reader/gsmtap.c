/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gsmtap.c: GSMTAP tracing of the card's ATR and APDUs (bankd.md §10).
 *
 * Each packet is a 16-octet GSMTAP v2 header (type 4 = SIM; sub-type 1 =
 * ATR, 0 = APDU; every other field 0) followed by the ATR, or by the command
 * TPDU immediately followed by the response.  UDP to HOST:4729 from an
 * unconnected socket (no ICMP errors come back to us); send errors are
 * ignored after the first log line.  No copies: header and data go out with
 * one sendmsg() of an iovec. */
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "log.h"
#include "reader.h"

#define GSMTAP_PORT		"4729"
#define GSMTAP_VERSION		2
#define GSMTAP_TYPE_SIM		4
#define GSMTAP_SIM_APDU		0
#define GSMTAP_SIM_ATR		1

struct gsmtap {
	int fd;
	struct sockaddr_storage dst;
	socklen_t dst_len;
	int warned;
};

struct gsmtap *gsmtap_open(const char *host)
{
	if (!host || !host[0])
		return NULL;
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *ai;
	int rc = getaddrinfo(host, GSMTAP_PORT, &hints, &ai);
	if (rc != 0) {
		LOGCE(LC_GSMTAP, NULL, "gsmtap: cannot resolve '%s': %s", host, gai_strerror(rc));
		return NULL;
	}
	struct gsmtap *g = calloc(1, sizeof(*g));
	if (!g || (g->fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0) {
		LOGCE(LC_GSMTAP, NULL, "gsmtap: socket: %m");
		free(g);
		freeaddrinfo(ai);
		return NULL;
	}
	memcpy(&g->dst, ai->ai_addr, ai->ai_addrlen);
	g->dst_len = ai->ai_addrlen;
	freeaddrinfo(ai);
	LOGCI(LC_GSMTAP, NULL, "gsmtap: tracing ATR and APDUs to %s:%s", host, GSMTAP_PORT);
	return g;
}

void gsmtap_close(struct gsmtap **gp)
{
	if (!*gp)
		return;
	close((*gp)->fd);
	free(*gp);
	*gp = NULL;
}

static void gsmtap_send(struct gsmtap *g, uint8_t sub_type, const uint8_t *a, size_t alen,
			const uint8_t *b, size_t blen)
{
	uint8_t hdr[16] = { GSMTAP_VERSION, 16 / 4, GSMTAP_TYPE_SIM };
	hdr[12] = sub_type;
	struct iovec iov[3] = {
		{ .iov_base = hdr, .iov_len = sizeof(hdr) },
		{ .iov_base = (void *)a, .iov_len = alen },
		{ .iov_base = (void *)b, .iov_len = blen },
	};
	struct msghdr mh = { .msg_name = &g->dst, .msg_namelen = g->dst_len,
			     .msg_iov = iov, .msg_iovlen = blen ? 3 : 2 };
	if (sendmsg(g->fd, &mh, MSG_DONTWAIT) < 0 && !g->warned) {
		g->warned = 1;
		LOGCW(LC_GSMTAP, NULL, "gsmtap: send failed: %m (further errors not logged)");
	}
}

void gsmtap_atr(struct gsmtap *g, const uint8_t *atr, size_t len)
{
	if (g)
		gsmtap_send(g, GSMTAP_SIM_ATR, atr, len, NULL, 0);
}

void gsmtap_apdu(struct gsmtap *g, const uint8_t *c, size_t clen, const uint8_t *r, size_t rlen)
{
	if (g)
		gsmtap_send(g, GSMTAP_SIM_APDU, c, clen, r, rlen);
}
