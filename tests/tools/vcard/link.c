/* SPDX-License-Identifier: GPL-2.0-or-later */
/* link.c: vpcd TCP transport (the vpcd driver's framing, docs/testing-pcsc.md).
 *
 * Frames are a 2-octet big-endian length plus payload in both directions.
 * Latency rules of §5: TCP_NODELAY on the socket, each answer written with
 * one send(), and TCP_QUICKACK set again before every recv() (Linux leaves
 * quick-ACK mode by itself; otherwise every vpcd message waits ~40 ms for
 * our delayed ACK because vpcd writes length and payload separately). */
#include "vcard.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void quickack(int fd)
{
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
}

int link_connect(const char *host, const char *port, int timeout_ms, const sigset_t *waitmask)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL;
	int rc = getaddrinfo(host, port, &hints, &res);
	if (rc) {
		LOGE(NULL, "cannot resolve %s:%s: %s", host, port, gai_strerror(rc));
		return -1;
	}
	int fd = -1;
	for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fd < 0)
			continue;
		int err = 0;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
			err = errno;
			if (err == EINPROGRESS) {
				struct pollfd p = { .fd = fd, .events = POLLOUT };
				struct timespec ts = { timeout_ms / 1000, (timeout_ms % 1000) * 1000000L };
				socklen_t el = sizeof(err);
				err = ETIMEDOUT;
				if (ppoll(&p, 1, &ts, waitmask) == 1)
					getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
			}
		}
		if (err) {
			close(fd);
			fd = -1;
			errno = err;
		}
	}
	freeaddrinfo(res);
	if (fd < 0)
		return -1;
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	/* back to blocking for send(); receiving goes through ppoll() */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

/* Read exactly len octets; 1 ok, 0 EOF, -1 error, -2 signal (only when
 * 'interruptible'; otherwise a signal does not abort a started frame). */
static int recv_exact(int fd, uint8_t *buf, size_t len, const sigset_t *waitmask, int interruptible)
{
	size_t got = 0;
	while (got < len) {
		quickack(fd);
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (ppoll(&p, 1, NULL, waitmask) < 0) {
			if (errno != EINTR)
				return -1;
			if (interruptible && got == 0)
				return -2;
			continue;
		}
		quickack(fd);
		ssize_t r = recv(fd, buf + got, len - got, MSG_DONTWAIT);
		if (r == 0)
			return 0;
		if (r < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return -1;
		}
		got += (size_t)r;
	}
	return 1;
}

int link_recv(int fd, uint8_t *buf, size_t max, const sigset_t *waitmask)
{
	uint8_t hdr[2];
	int rc = recv_exact(fd, hdr, 2, waitmask, 1);
	if (rc != 1)
		return rc;
	size_t len = (size_t)hdr[0] << 8 | hdr[1];
	if (len == 0 || len > max) {
		LOGE(NULL, "vpcd message of %zu octets not acceptable", len);
		return -1;
	}
	rc = recv_exact(fd, buf, len, waitmask, 0);
	return rc == 1 ? (int)len : rc;
}

int link_send(int fd, const uint8_t *payload, size_t len)
{
	uint8_t frame[2 + VCARD_MAX_RAPDU];
	if (len > VCARD_MAX_RAPDU)
		return -1;
	frame[0] = (uint8_t)(len >> 8);
	frame[1] = (uint8_t)len;
	memcpy(frame + 2, payload, len);
	size_t off = 0, total = len + 2;
	while (off < total) {   /* one send() unless the kernel splits it */
		ssize_t w = send(fd, frame + off, total - off, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		off += (size_t)w;
	}
	return 0;
}
