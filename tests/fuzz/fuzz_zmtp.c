/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_zmtp.c: libFuzzer target for what a peer can send to the hub's
 * ROUTER (hubsock.c, zmtp.c): the input is written, as it is, into a fresh
 * connection to a ROUTER that lives for the whole run, which must parse or
 * refuse it without crashing, leaking or hanging; the pure ZMTP parsers
 * (greeting, frame header, READY, PING) get the same octets.  Built
 * without libFuzzer it replays tests/fuzz/corpus/zmtp/ in `make test`. */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "hubsock.h"
#include "zmtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

static struct hubsock *router;
static struct sockaddr_un addr;
static socklen_t addrlen;

static void setup(void)
{
	char ep[80], err[256];
	snprintf(ep, sizeof(ep), "ipc://@remsim-fuzz-zmtp-%d", (int)getpid());
	struct hubsock_opts o = { .maxmsg = 65536, .handshake_ms = 60000 };
	router = hubsock_bind(ep, &o, err, sizeof(err));
	if (!router) {
		fprintf(stderr, "fuzz_zmtp: %s\n", err);
		abort();
	}
	addr.sun_family = AF_UNIX;
	int n = snprintf(addr.sun_path, sizeof(addr.sun_path), "@remsim-fuzz-zmtp-%d", (int)getpid());
	addr.sun_path[0] = '\0';
	addrlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + (size_t)n);
}

/* everything the ROUTER has now, taken in (messages are dropped) */
static void drain(void)
{
	size_t n;
	while (hubsock_recv(router, &n))
		;
}

static void parsers(const uint8_t *d, size_t n)
{
	uint8_t fl, pong[2 + 5 + 16];
	uint64_t sz;
	struct zmtp_ready r;
	if (n >= ZMTP_GREETING_LEN)
		(void)zmtp_greeting_ok(d);
	(void)zmtp_get_hdr(d, n, &fl, &sz);
	if (zmtp_ready_parse(d, n, &r) == 0 && r.type)
		(void)zmtp_types_fit("ROUTER", r.type, r.typelen);
	(void)zmtp_pong_for(d, n, pong);
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	if (!router)
		setup();
	parsers(d, n);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, addrlen) < 0) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	size_t off = 0;
	for (int rounds = 0; off < n && rounds < 10000; rounds++) {
		ssize_t w = send(fd, d + off, n - off, MSG_NOSIGNAL);
		if (w > 0)
			off += (size_t)w;
		else if (w < 0 && errno != EAGAIN)
			break;	/* refused and closed by the ROUTER */
		drain();
		uint8_t junk[4096];	/* the ROUTER's greeting and READY */
		while (recv(fd, junk, sizeof(junk), MSG_DONTWAIT) > 0)
			;
	}
	shutdown(fd, SHUT_WR);
	drain();
	close(fd);
	drain();
	return 0;
}
