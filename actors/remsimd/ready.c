/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ready.c: probing an endpoint with a plain, non-blocking connect(). */
#include "ready.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int unix_listening(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len = strlen(path);
	if (len == 0 || len >= sizeof(sa.sun_path))
		return 0;
	memcpy(sa.sun_path, path, len);
	socklen_t salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
	if (path[0] == '@')
		sa.sun_path[0] = '\0';	/* abstract namespace */
	else
		salen = sizeof(sa);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return 0;
	int rc = connect(fd, (struct sockaddr *)&sa, salen);
	int ok = rc == 0 || errno == EAGAIN;	/* EAGAIN: backlog full, but bound */
	close(fd);
	return ok;
}

static int tcp_listening(const char *hostport)
{
	char host[256];
	snprintf(host, sizeof(host), "%s", hostport);
	char *colon = strrchr(host, ':');
	if (!colon)
		return 0;
	*colon = '\0';
	const char *port = colon + 1, *h = host;
	if (strcmp(h, "*") == 0 || strcmp(h, "0.0.0.0") == 0)
		h = "127.0.0.1";
	if (h[0] == '[') {	/* [v6]:port */
		h++;
		char *rb = strchr(host, ']');
		if (rb)
			*rb = '\0';
	}
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV }, *ai = NULL;
	if (getaddrinfo(h, port, &hints, &ai) != 0 || !ai)
		return 0;
	int ok = 0;
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd >= 0) {
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			ok = 1;
		} else if (errno == EINPROGRESS) {
			struct pollfd p = { .fd = fd, .events = POLLOUT };
			int err = 0;
			socklen_t el = sizeof(err);
			if (poll(&p, 1, 50) == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) == 0 && !err)
				ok = 1;
		}
		close(fd);
	}
	freeaddrinfo(ai);
	return ok;
}

int endpoint_listening(const char *ep)
{
	if (strncmp(ep, "ipc://", 6) == 0)
		return unix_listening(ep + 6);
	if (strncmp(ep, "tcp://", 6) == 0)
		return tcp_listening(ep + 6);
	return 1;
}

void endpoint_remove_stale(const char *ep)
{
	if (strncmp(ep, "ipc://", 6) != 0 || ep[6] == '@')
		return;
	struct stat st;
	if (stat(ep + 6, &st) == 0 && S_ISSOCK(st.st_mode) && !unix_listening(ep + 6))
		unlink(ep + 6);
}
