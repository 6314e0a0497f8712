/* SPDX-License-Identifier: GPL-2.0-or-later */
/* server-load: many scripted RSPRO peers in one process, for the server
 * benchmark.  Opens B bankd connections (bankId 1..B, S slots each) and C
 * client connections (C0:0 .. C<C-1>:0) to the server, identifies them, then
 * serves them with poll(): PING -> PONG, CreateMappingReq/RemoveMappingReq ->
 * ...Res ok, ConfigClientBankReq -> ConfigClientBankRes ok.
 *
 *   server-load -c HOST:PORT [-b BANKS] [-s SLOTS] [-n CLIENTS] [-t SECONDS]
 *
 * stdout: "READY <ms>" once every peer is identified (ms since start), then
 * "CONFIGURED <n> <epoch-ms>" each time another 10% (and the last) of the
 * clients have been told a bankd address != 0 (i.e. their map is ACTIVE),
 * and "DONE" at the end.  Exits after -t seconds (default 120), when every
 * connection is gone, or (with -x) once every client is configured. */
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ipa.h"
#include "rspro.h"

struct peer {
	int fd;
	int bank;		/* 1: bankd, 0: client */
	long id;		/* bankId / clientId */
	int identified, configured;
	struct ipa_reasm *rx;
};

static struct peer *peers;
static int npeers;

static long long now_ms(int realtime)
{
	struct timespec ts;
	clock_gettime(realtime ? CLOCK_REALTIME : CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int send_all(int fd, const uint8_t *b, size_t n)
{
	while (n) {
		ssize_t w = send(fd, b, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			struct pollfd p = { .fd = fd, .events = POLLOUT };
			poll(&p, 1, 1000);
			continue;
		}
		if (w <= 0)
			return -1;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

static int send_msg(struct peer *p, const struct rspro_msg *m)
{
	uint8_t der[RSPRO_PDU_MAX], frame[RSPRO_PDU_MAX + 8];
	int n = rspro_encode(m, der, sizeof(der));
	if (n < 0)
		return -1;
	n = ipa_wrap_rspro(frame, sizeof(frame), der, (size_t)n);
	return n < 0 ? -1 : send_all(p->fd, frame, (size_t)n);
}

static int connect_to(const char *host, const char *port)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai;
	if (getaddrinfo(host, port, &hints, &ai) != 0)
		return -1;
	int fd = socket(ai->ai_family, SOCK_STREAM, 0), one = 1;
	if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	if (fd >= 0)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static int configured;

/* Handle one RSPRO PDU from the server. */
static void on_pdu(struct peer *p, const uint8_t *der, size_t len)
{
	static struct rspro_msg m, r;
	if (rspro_decode(der, len, &m, NULL) != RSPRO_OK)
		return;
	switch (m.type) {
	case RSPRO_MSG_CONNECT_BANK_RES:
	case RSPRO_MSG_CONNECT_CLIENT_RES:
		p->identified = m.u.connect_res.result == RSPRO_RES_OK ? 1 : -1;
		break;
	case RSPRO_MSG_CREATE_MAPPING_REQ:
		rspro_build_create_mapping_res(&r, RSPRO_RES_OK);
		send_msg(p, &r);
		break;
	case RSPRO_MSG_REMOVE_MAPPING_REQ:
		rspro_build_remove_mapping_res(&r, RSPRO_RES_OK);
		send_msg(p, &r);
		break;
	case RSPRO_MSG_CONFIG_CLIENT_BANK_REQ: {
		rspro_build_config_client_bank_res(&r, RSPRO_RES_OK);
		send_msg(p, &r);
		const uint8_t *ip = m.u.config_client_bank_req.bankd.addr;
		int on = ip[0] || ip[1] || ip[2] || ip[3];
		if (on && !p->configured)
			configured++;
		else if (!on && p->configured)
			configured--;
		p->configured = on;
		break;
	}
	default:
		break;
	}
}

/* Read what is there; -1 when the connection ended. */
static int on_readable(struct peer *p)
{
	uint8_t buf[16384];
	ssize_t n = recv(p->fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
		return -1;
	if (n < 0)
		return 0;
	ipa_reasm_feed(p->rx, buf, (size_t)n);
	struct ipa_frame f;
	int rc;
	while ((rc = ipa_reasm_next(p->rx, &f)) == 1) {
		if (f.proto == IPA_PROTO_CCM && f.len >= 1 && f.payload[0] == IPA_CCM_PING) {
			uint8_t pong[4];
			ipa_wrap_ccm(pong, sizeof(pong), IPA_CCM_PONG);
			send_all(p->fd, pong, 4);
			continue;
		}
		const uint8_t *pdu;
		size_t len;
		if (ipa_frame_rspro_pdu(&f, &pdu, &len) == 1)
			on_pdu(p, pdu, len);
	}
	return rc < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	char host[256] = "127.0.0.1", port[16] = "9998";
	int banks = 32, slots = 32, clients = 1024, secs = 120, exit_when_done = 0, c;
	while ((c = getopt(argc, argv, "c:b:s:n:t:xh")) != -1) {
		switch (c) {
		case 'c': {
			const char *colon = strrchr(optarg, ':');
			if (!colon)
				goto usage;
			snprintf(host, sizeof(host), "%.*s", (int)(colon - optarg), optarg);
			snprintf(port, sizeof(port), "%s", colon + 1);
			break;
		}
		case 'b': banks = atoi(optarg); break;
		case 's': slots = atoi(optarg); break;
		case 'n': clients = atoi(optarg); break;
		case 't': secs = atoi(optarg); break;
		case 'x': exit_when_done = 1; break;
		default: goto usage;
		}
	}
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	npeers = banks + clients;
	peers = calloc((size_t)npeers, sizeof(*peers));
	struct pollfd *pfd = calloc((size_t)npeers, sizeof(*pfd));
	if (!peers || !pfd)
		return 1;
	long long t0 = now_ms(0);
	static struct rspro_msg m;
	struct rspro_ident id;
	for (int i = 0; i < npeers; i++) {
		struct peer *p = &peers[i];
		p->bank = i < banks;
		p->id = p->bank ? i + 1 : i - banks;
		if ((p->fd = connect_to(host, port)) < 0) {
			fprintf(stderr, "server-load: connect %d failed: %s\n", i, strerror(errno));
			return 1;
		}
		p->rx = ipa_reasm_new(65535);
		if (p->bank) {
			rspro_ident_set(&id, RSPRO_COMP_BANKD, "loadbank", "remsim-bankd", "1.0.0");
			rspro_build_connect_bank_req(&m, &id, p->id, slots);
		} else {
			rspro_ident_set(&id, RSPRO_COMP_CLIENT, "loadclient", "remsim-client", "1.0.0");
			struct rspro_client_slot cs = { p->id, 0 };
			rspro_build_connect_client_req(&m, &id, &cs);
		}
		if (send_msg(p, &m) < 0) {
			fprintf(stderr, "server-load: send %d failed\n", i);
			return 1;
		}
		pfd[i].fd = p->fd;
		pfd[i].events = POLLIN;
	}
	int ready = 0, last_report = -1, open_peers = npeers;
	long long end = t0 + secs * 1000LL;
	while (now_ms(0) < end && open_peers > 0) {
		int n = poll(pfd, (nfds_t)npeers, 200);
		if (n < 0 && errno != EINTR)
			break;
		for (int i = 0; n > 0 && i < npeers; i++) {
			if (!pfd[i].revents)
				continue;
			if (on_readable(&peers[i]) < 0) {
				fprintf(stderr, "server-load: %s %ld: connection closed\n",
					peers[i].bank ? "bank" : "client", peers[i].id);
				close(pfd[i].fd);
				pfd[i].fd = -1;
				open_peers--;
			}
		}
		if (!ready) {
			int k = 0;
			for (int i = 0; i < npeers; i++)
				k += peers[i].identified == 1;
			if (k == npeers) {
				ready = 1;
				printf("READY %lld\n", now_ms(0) - t0);
				fflush(stdout);
			}
		}
		int step = clients >= 10 ? clients / 10 : 1;
		if (configured != last_report && (configured == clients || configured / step != last_report / step)) {
			last_report = configured;
			printf("CONFIGURED %d %lld\n", configured, now_ms(1));
			fflush(stdout);
			if (configured == clients && exit_when_done)
				break;
		}
	}
	printf("DONE\n");
	for (int i = 0; i < npeers; i++) {
		if (pfd[i].fd >= 0)
			close(pfd[i].fd);
		ipa_reasm_destroy(&peers[i].rx);
	}
	free(pfd);
	free(peers);
	return 0;
usage:
	fprintf(stderr, "usage: server-load -c HOST:PORT [-b BANKS] [-s SLOTS] [-n CLIENTS] [-t SECONDS] [-x]\n");
	return 2;
}
