/* SPDX-License-Identifier: GPL-2.0-or-later */
/* st2_simsock.c: SIMtrace2 transport over a unix stream socket to the
 * st2sim simulator (see st2_simsock.h for the framing). */
#include "st2_simsock.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"

struct st2_simsock {
	struct st2_transport base;     /* first member */
	char ctx_name[32];
	int fd;
	struct st2_sim_rx rx;
	int n_in;                      /* bulk-IN transfers to keep posted */
	int in_posted, irq_posted;     /* posted and not yet completed */
	char board_path[64];           /* from the CLAIM answer */
};

int st2_sim_frame(uint8_t tag, const uint8_t *msg, size_t len, uint8_t *out, size_t outlen)
{
	if (len > ST2_SIM_FRAME_MAX || outlen < ST2_SIM_FRAME_HDR + len)
		return -1;
	out[0] = tag;
	out[1] = (uint8_t)len;
	out[2] = (uint8_t)(len >> 8);
	if (len)
		memcpy(out + ST2_SIM_FRAME_HDR, msg, len);
	return (int)(ST2_SIM_FRAME_HDR + len);
}

int st2_sim_rx_fill(struct st2_sim_rx *rx, int fd)
{
	size_t room = sizeof(rx->buf) - rx->len;
	if (room == 0) {
		errno = ENOBUFS;
		return -1;
	}
	ssize_t n = recv(fd, rx->buf + rx->len, room, MSG_DONTWAIT);
	if (n < 0)
		return -1;
	rx->len += (size_t)n;
	return (int)n;
}

int st2_sim_rx_next(struct st2_sim_rx *rx, uint8_t *tag, uint8_t *out, size_t *len)
{
	if (rx->len < ST2_SIM_FRAME_HDR)
		return 0;
	size_t l = (size_t)rx->buf[1] | ((size_t)rx->buf[2] << 8);
	if (l > ST2_SIM_FRAME_MAX)
		return -1;
	if (rx->len < ST2_SIM_FRAME_HDR + l)
		return 0;
	*tag = rx->buf[0];
	memcpy(out, rx->buf + ST2_SIM_FRAME_HDR, l);
	*len = l;
	rx->len -= ST2_SIM_FRAME_HDR + l;
	memmove(rx->buf, rx->buf + ST2_SIM_FRAME_HDR + l, rx->len);
	return 1;
}

int st2_sim_write_all(int fd, const uint8_t *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				struct pollfd p = { .fd = fd, .events = POLLOUT };
				poll(&p, 1, 1000);
				continue;
			}
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int ss_send(struct st2_transport *t, const uint8_t *buf, size_t len)
{
	struct st2_simsock *s = (struct st2_simsock *)t;
	uint8_t frame[ST2_SIM_FRAME_HDR + ST2_SIM_FRAME_MAX];
	if (t->gone || s->fd < 0)
		return -ENODEV;
	int n = st2_sim_frame(ST2_SIM_TAG_OUT, buf, len, frame, sizeof(frame));
	if (n < 0)
		return -EMSGSIZE;
	if (st2_sim_write_all(s->fd, frame, (size_t)n) < 0) {
		char d[80];
		snprintf(d, sizeof(d), "writing to simulator: %s", strerror(errno));
		LOGCE(LC_ST2, s->ctx_name, "%s", d);
		st2_transport_report_gone(t, ST2_GONE_UNPLUGGED, d);
		return -EIO;
	}
	return 0;
}

/* post one IN transfer: an empty frame with the endpoint's tag */
static int ss_post(struct st2_simsock *s, uint8_t tag)
{
	uint8_t frame[ST2_SIM_FRAME_HDR];
	if (st2_sim_frame(tag, NULL, 0, frame, sizeof(frame)) < 0 ||
	    st2_sim_write_all(s->fd, frame, sizeof(frame)) < 0)
		return -1;
	if (tag == ST2_SIM_TAG_IN)
		s->in_posted++;
	else
		s->irq_posted++;
	return 0;
}

/* one IN "transfer" completed: deliver it, then resubmit (as osmo-remsim
 * does: processing first, resubmission right after) */
static void ss_in_done(struct st2_simsock *s, uint8_t tag, const uint8_t *msg, size_t len)
{
	struct st2_transport *t = &s->base;
	int *posted = tag == ST2_SIM_TAG_IN ? &s->in_posted : &s->irq_posted;
	if (*posted == 0)
		LOGCW(LC_ST2, s->ctx_name, "IN message on 0x%02x without a posted transfer", tag);
	else
		(*posted)--;
	if (tag == ST2_SIM_TAG_IN && t->cbs.bulk_in)
		t->cbs.bulk_in(t->cbs.priv, msg, len);
	else if (tag == ST2_SIM_TAG_IRQ && t->cbs.irq_in)
		t->cbs.irq_in(t->cbs.priv, msg, len);
	if (!t->gone && ss_post(s, tag) < 0) {
		char d[80];
		snprintf(d, sizeof(d), "posting an IN transfer: %s", strerror(errno));
		st2_transport_report_gone(t, ST2_GONE_UNPLUGGED, d);
	}
}

static int ss_pollfds(struct st2_transport *t, struct pollfd *fds, int max)
{
	struct st2_simsock *s = (struct st2_simsock *)t;
	if (max < 1 || s->fd < 0)
		return 0;
	fds[0].fd = s->fd;
	fds[0].events = POLLIN;
	fds[0].revents = 0;
	return 1;
}

static int ss_handle_events(struct st2_transport *t)
{
	struct st2_simsock *s = (struct st2_simsock *)t;
	if (t->gone || s->fd < 0)
		return 0;
	int n = st2_sim_rx_fill(&s->rx, s->fd);
	int eof = (n == 0);
	if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
		char d[80];
		snprintf(d, sizeof(d), "reading from simulator: %s", strerror(errno));
		st2_transport_report_gone(t, ST2_GONE_IO_ERROR, d);
		return -1;
	}
	uint8_t tag, msg[ST2_SIM_FRAME_MAX];
	size_t len;
	int rc;
	while (!t->gone && (rc = st2_sim_rx_next(&s->rx, &tag, msg, &len)) != 0) {
		if (rc < 0) {
			st2_transport_report_gone(t, ST2_GONE_IO_ERROR, "corrupt frame from simulator");
			return -1;
		}
		if (tag == ST2_SIM_TAG_IN || tag == ST2_SIM_TAG_IRQ)
			ss_in_done(s, tag, msg, len);
		else
			LOGCD(LC_ST2, s->ctx_name, "frame with unknown tag 0x%02x skipped", tag);
	}
	if (eof) {
		LOGCN(LC_ST2, s->ctx_name, "simulator closed the connection (unplug)");
		st2_transport_report_gone(t, ST2_GONE_UNPLUGGED, "simulator closed the connection");
	}
	return 0;
}

static int ss_in_flight(struct st2_transport *t)
{
	struct st2_simsock *s = (struct st2_simsock *)t;
	return t->gone ? 0 : s->in_posted;
}

static void ss_close(struct st2_transport *t)
{
	struct st2_simsock *s = (struct st2_simsock *)t;
	if (s->fd >= 0)
		close(s->fd);
	free(s);
}

static const struct st2_transport_ops st2_simsock_ops = {
	.name = "simsock",
	.send = ss_send,
	.pollfds = ss_pollfds,
	.timeout_ms = NULL,
	.handle_events = ss_handle_events,
	.in_flight = ss_in_flight,
	.close = ss_close,
};

struct st2_transport *st2_simsock_open(const char *path, const struct st2_transport_cbs *cbs,
				       const char *log_ctx)
{
	return st2_simsock_open_n(path, ST2_SIMSOCK_DEFAULT_IN, cbs, log_ctx);
}

struct st2_transport *st2_simsock_open_n(const char *path, int n_bulk_in, const struct st2_transport_cbs *cbs,
					 const char *log_ctx)
{
	struct st2_usb_sel sel;
	st2_usb_sel_default(&sel);
	sel.n_bulk_in = n_bulk_in;
	return st2_simsock_open_sel(path, &sel, cbs, log_ctx);
}

static void put16(uint8_t *p, int v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)((unsigned)v >> 8);
}

static int get16s(const uint8_t *p)
{
	return (int16_t)(uint16_t)(p[0] | p[1] << 8);
}

#define CLAIM_FIXED 14

int st2_sim_claim_enc(const struct st2_usb_sel *sel, uint8_t *out, size_t outlen)
{
	size_t pl = sel->path ? strlen(sel->path) : 0;
	if (outlen < CLAIM_FIXED + pl || pl > 63)
		return -1;
	put16(out, sel->vid);
	put16(out + 2, sel->pid);
	put16(out + 4, sel->config);
	put16(out + 6, sel->interface);
	put16(out + 8, sel->altsetting);
	put16(out + 10, sel->bus);
	put16(out + 12, sel->address);
	if (pl)
		memcpy(out + CLAIM_FIXED, sel->path, pl);
	return (int)(CLAIM_FIXED + pl);
}

int st2_sim_claim_dec(const uint8_t *p, size_t len, struct st2_sim_claim *c)
{
	if (len < CLAIM_FIXED || len - CLAIM_FIXED >= sizeof(c->path))
		return -1;
	c->vid = (uint16_t)get16s(p);
	c->pid = (uint16_t)get16s(p + 2);
	c->config = get16s(p + 4);
	c->interface = get16s(p + 6);
	c->altsetting = get16s(p + 8);
	c->bus = get16s(p + 10);
	c->address = get16s(p + 12);
	memcpy(c->path, p + CLAIM_FIXED, len - CLAIM_FIXED);
	c->path[len - CLAIM_FIXED] = '\0';
	return 0;
}

/* send the CLAIM and wait (2 s) for the answer; 0 when claimed */
static int ss_claim(struct st2_simsock *s, const struct st2_usb_sel *sel)
{
	uint8_t p[CLAIM_FIXED + 64], frame[ST2_SIM_FRAME_HDR + sizeof(p)], msg[ST2_SIM_FRAME_MAX];
	int n = st2_sim_claim_enc(sel, p, sizeof(p));
	if (n < 0 || (n = st2_sim_frame(ST2_SIM_TAG_CLAIM, p, (size_t)n, frame, sizeof(frame))) < 0 ||
	    st2_sim_write_all(s->fd, frame, (size_t)n) < 0) {
		LOGCE(LC_ST2, s->ctx_name, "sending the claim to the simulator failed");
		return -1;
	}
	for (int waited = 0; waited < 2000; waited += 50) {
		uint8_t tag;
		size_t len;
		int r = st2_sim_rx_next(&s->rx, &tag, msg, &len);
		if (r < 0)
			break;
		if (r == 1 && tag == ST2_SIM_TAG_CLAIM) {
			if (len >= 1 && msg[0] == ST2_SIM_CLAIM_OK) {
				snprintf(s->board_path, sizeof(s->board_path), "%.*s", (int)len - 1,
					 (const char *)msg + 1);
				return 0;
			}
			LOGCE(LC_ST2, s->ctx_name, "simulator refused the claim: %.*s", len > 1 ? (int)len - 1 : 0,
			     (const char *)msg + 1);
			return -1;
		}
		if (r == 1)
			continue;      /* nothing else is expected before the answer */
		struct pollfd pf = { .fd = s->fd, .events = POLLIN };
		if (poll(&pf, 1, 50) > 0 && st2_sim_rx_fill(&s->rx, s->fd) <= 0)
			break;
	}
	LOGCE(LC_ST2, s->ctx_name, "no answer to the claim from the simulator");
	return -1;
}

int st2_simsock_get_path(struct st2_transport *t, char *buf, size_t len)
{
	struct st2_simsock *s = (struct st2_simsock *)t;
	if (!s || len == 0)
		return -1;
	snprintf(buf, len, "%s", s->board_path);
	return 0;
}

struct st2_transport *st2_simsock_open_sel(const char *path, const struct st2_usb_sel *sel,
					   const struct st2_transport_cbs *cbs, const char *log_ctx)
{
	struct sockaddr_un sa;
	const char *ctx = log_ctx ? log_ctx : "-";
	if (!path || strlen(path) >= sizeof(sa.sun_path)) {
		LOGCE(LC_ST2, ctx, "simulator socket path missing or too long");
		return NULL;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	socklen_t salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path));
	memcpy(sa.sun_path, path, strlen(path));
	if (path[0] == '@')
		sa.sun_path[0] = '\0';
	else
		salen++;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, salen) < 0) {
		LOGCE(LC_ST2, ctx, "connecting to simulator at %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	struct st2_simsock *s = calloc(1, sizeof(*s));
	if (!s) {
		close(fd);
		return NULL;
	}
	s->base.ops = &st2_simsock_ops;
	if (cbs)
		s->base.cbs = *cbs;
	snprintf(s->ctx_name, sizeof(s->ctx_name), "%s", ctx);
	s->fd = fd;
	if (ss_claim(s, sel) < 0) {
		ss_close(&s->base);
		return NULL;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	s->n_in = sel->n_bulk_in < 1 ? ST2_SIMSOCK_DEFAULT_IN : sel->n_bulk_in > 32 ? 32 : sel->n_bulk_in;
	st2_warn_few_in(s->n_in, ctx);
	for (int i = 0; i <= s->n_in; i++) {
		if (ss_post(s, i < s->n_in ? ST2_SIM_TAG_IN : ST2_SIM_TAG_IRQ) < 0) {
			LOGCE(LC_ST2, ctx, "posting IN transfers to the simulator: %s", strerror(errno));
			ss_close(&s->base);
			return NULL;
		}
	}
	LOGCI(LC_ST2, ctx, "connected to SIMtrace2 simulator at %s, interface %d claimed (%d bulk-IN transfers posted)",
	     path, sel->interface, s->n_in);
	return &s->base;
}
