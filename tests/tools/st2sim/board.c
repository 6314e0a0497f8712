/* SPDX-License-Identifier: GPL-2.0-or-later */
/* board.c: st2sim's simulated boards on the "bus" (see board.h). */
#include "board.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static const struct board boards[] = {
	/* spec simtrace2-cardem.md §1: which boards have modem reset lines and
	 * a card-presence output (CARDINSERT is ignored without one) */
	{ "simtrace2", 0x1d50, 0x60e3, 1, 2, 0, 0, "SIMtrace2: 2 SIM slots, one cardem interface" },
	{ "qmod", 0x1d50, 0x4004, 2, 2, 1, 0, "sysmoQMOD (one of its two SAM3 devices): 2 cardem interfaces" },
	{ "owhw", 0x1d50, 0x4001, 2, 2, 0, 1, "OWHW: 2 cardem interfaces" },
	{ "ngff", 0x1d50, 0x616e, 1, 1, 1, 1, "ngff-cardem: one cardem interface, modem reset, card-insert output" },
	{ "qmod4", 0x1d50, 0x4004, 4, 4, 1, 0, "sysmoQMOD-style board: 4 cardem interfaces on one USB device" },
};

const struct board *board_find(const char *name)
{
	for (size_t i = 0; i < sizeof(boards) / sizeof(boards[0]); i++)
		if (!strcmp(boards[i].name, name))
			return &boards[i];
	return NULL;
}

const char *board_names(void)
{
	return "simtrace2, qmod, owhw, ngff, qmod4";
}

int board_check(const struct board_at *at, const struct st2_sim_claim *c, char *why, size_t len)
{
	const struct board *b = at->b;
	if ((c->vid && c->vid != b->vid) || (c->pid && c->pid != b->pid) || (c->bus >= 0 && c->bus != at->bus) ||
	    (c->address >= 0 && c->address != at->address) || (c->path[0] && strcmp(c->path, at->path))) {
		snprintf(why, len, "no device %04x:%04x bus %d address %d path %s (the board is %04x:%04x bus %d "
			 "address %d path %s)", c->vid, c->pid, c->bus, c->address, c->path[0] ? c->path : "any",
			 b->vid, b->pid, at->bus, at->address, at->path);
		return ST2_SIM_CLAIM_NODEV;
	}
	if (c->config == 2 || (c->config >= 0 && c->config != 1)) {
		snprintf(why, len, "configuration %d has no cardem interface (cardem is configuration 1)", c->config);
		return ST2_SIM_CLAIM_NOTFOUND;
	}
	if (c->interface < 0 || c->interface >= b->n_if || c->altsetting != 0) {
		snprintf(why, len, "no cardem interface %d altsetting %d (the %s has interfaces 0..%d, altsetting 0)",
			 c->interface, c->altsetting, b->name, b->n_if - 1);
		return ST2_SIM_CLAIM_NOTFOUND;
	}
	snprintf(why, len, "interface %d claimed", c->interface);
	return ST2_SIM_CLAIM_OK;
}

void board_answer(int fd, int status, const char *why)
{
	uint8_t m[200], f[ST2_SIM_FRAME_HDR + sizeof(m)];
	size_t n = strlen(why);
	if (n > sizeof(m) - 1)
		n = sizeof(m) - 1;
	m[0] = (uint8_t)status;
	memcpy(m + 1, why, n);
	int fl = st2_sim_frame(ST2_SIM_TAG_CLAIM, m, n + 1, f, sizeof(f));
	if (fl > 0)
		(void)st2_sim_write_all(fd, f, (size_t)fl);
}

int board_read_claim(int fd, struct st2_sim_claim *c)
{
	struct st2_sim_rx rx = { .len = 0 };
	uint8_t msg[ST2_SIM_FRAME_MAX], tag;
	size_t len;
	for (int waited = 0; waited < 2000; waited += 50) {
		/* read the header, then exactly the payload: nothing after it */
		size_t want = rx.len < ST2_SIM_FRAME_HDR ? ST2_SIM_FRAME_HDR
							 : ST2_SIM_FRAME_HDR + (size_t)(rx.buf[1] | rx.buf[2] << 8);
		if (want > ST2_SIM_FRAME_HDR + 100)
			return -1;
		if (rx.len >= want && rx.len >= ST2_SIM_FRAME_HDR) {
			if (st2_sim_rx_next(&rx, &tag, msg, &len) != 1 || tag != ST2_SIM_TAG_CLAIM)
				return -1;
			return st2_sim_claim_dec(msg, len, c);
		}
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, 50) <= 0)
			continue;
		ssize_t n = recv(fd, rx.buf + rx.len, want - rx.len, 0);
		if (n <= 0)
			return -1;
		rx.len += (size_t)n;
	}
	return -1;
}

/* ---- fd hand-over --------------------------------------------------------------- */

static int send_fd(int via, int fd)
{
	char b = 'C';
	struct iovec io = { .iov_base = &b, .iov_len = 1 };
	union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int))]; } u;
	struct msghdr mh = { .msg_iov = &io, .msg_iovlen = 1, .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(via, &mh, MSG_NOSIGNAL) == 1 ? 0 : -1;
}

int board_recv_conn(int bus_fd)
{
	char b;
	struct iovec io = { .iov_base = &b, .iov_len = 1 };
	union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int))]; } u;
	struct msghdr mh = { .msg_iov = &io, .msg_iovlen = 1, .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf) };
	if (recvmsg(bus_fd, &mh, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	int fd;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

void board_release(int bus_fd)
{
	char b = 'R';
	if (bus_fd >= 0)
		(void)send(bus_fd, &b, 1, MSG_NOSIGNAL);
}

/* ---- the bus (parent) ------------------------------------------------------------- */

#define MAX_IF 8

int board_accept(const struct board_at *at, int lfd, const int *busy, int *iface)
{
	int cfd = accept(lfd, NULL, NULL);
	if (cfd < 0)
		return -1;
	struct st2_sim_claim c;
	char why[200];
	int st;
	if (board_read_claim(cfd, &c) < 0) {
		st = ST2_SIM_CLAIM_NODEV;
		snprintf(why, sizeof(why), "no CLAIM frame from the host");
	} else {
		st = board_check(at, &c, why, sizeof(why));
		if (st == ST2_SIM_CLAIM_OK && busy[c.interface]) {
			st = ST2_SIM_CLAIM_BUSY;
			snprintf(why, sizeof(why), "interface %d is claimed by another host", c.interface);
		}
	}
	printf("# %sCLAIM -> %s\n", at->b->n_if > 1 ? "bus: " : "", why);
	fflush(stdout);
	board_answer(cfd, st, st == ST2_SIM_CLAIM_OK ? at->path : why);
	if (st != ST2_SIM_CLAIM_OK) {
		close(cfd);
		return -1;
	}
	*iface = c.interface;
	return cfd;
}

static void bus_claim(const struct board_at *at, int lfd, const int *sp, int *busy)
{
	int i, cfd = board_accept(at, lfd, busy, &i);
	if (cfd < 0)
		return;
	if (send_fd(sp[i], cfd) == 0)
		busy[i] = 1;
	else
		printf("# bus: interface %d: its simulator is gone\n", i);
	close(cfd);
}

int board_run(const struct board_at *at, int lfd, int *bus_fd, volatile sig_atomic_t *stop)
{
	int n = at->b->n_if, sp[MAX_IF], busy[MAX_IF] = { 0 }, alive = 0, worst = 0;
	pid_t pid[MAX_IF];
	fflush(stdout);
	for (int i = 0; i < n && i < MAX_IF; i++) {
		int pair[2];
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
			return BOARD_PARENT_DONE + 2;
		pid[i] = fork();
		if (pid[i] == 0) {
			for (int j = 0; j < i; j++)
				close(sp[j]);
			close(pair[0]);
			*bus_fd = pair[1];
			return i;
		}
		close(pair[1]);
		sp[i] = pair[0];
		if (pid[i] > 0)
			alive++;
	}
	while (alive > 0) {
		struct pollfd p[MAX_IF + 1];
		p[0].fd = *stop ? -1 : lfd;
		p[0].events = POLLIN;
		for (int i = 0; i < n; i++) {
			p[i + 1].fd = sp[i];
			p[i + 1].events = POLLIN;
		}
		if (*stop) {
			for (int i = 0; i < n; i++)
				if (sp[i] >= 0)
					kill(pid[i], SIGTERM);
		}
		int rc = poll(p, (nfds_t)n + 1, 100);
		if (rc < 0 && errno != EINTR)
			break;
		if (rc > 0 && (p[0].revents & POLLIN))
			bus_claim(at, lfd, sp, busy);
		for (int i = 0; i < n; i++) {
			if (sp[i] < 0 || !(p[i + 1].revents & (POLLIN | POLLHUP)))
				continue;
			char b;
			if (recv(sp[i], &b, 1, 0) == 1) {
				busy[i] = 0;          /* its host went away */
				continue;
			}
			int status = 0;
			waitpid(pid[i], &status, 0);
			int code = WIFEXITED(status) ? WEXITSTATUS(status) : 2;
			printf("# bus: the simulator of interface %d ended (exit status %d)\n", i, code);
			fflush(stdout);
			if (code > worst)
				worst = code;
			close(sp[i]);
			sp[i] = -1;
			alive--;
		}
	}
	return BOARD_PARENT_DONE + worst;
}
