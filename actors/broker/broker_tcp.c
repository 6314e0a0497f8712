/* SPDX-License-Identifier: GPL-2.0-or-later */
/* broker_tcp.c: the TCP side of the broker: listeners, one struct conn per
 * TCP connection (id table, non-blocking I/O with a bounded write buffer),
 * IPA reassembly (a started frame must be complete within frame_timeout_ms),
 * CCM reactions per side (common/rspro/ipa.h) and the keep-alive state machine
 * (rspro-wire.md §3.2) as a table. */
#include "broker.h"
#include "monotime.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "ratelim.h"

/* ---- keep-alive table ----------------------------------------------------- */

enum ka_arm { ARM_KEEP, ARM_NONE, ARM_TIMEOUT, ARM_INTERVAL };

struct ka_rule {
	enum ka_state next;
	int send_ping;
	int close;
	enum ka_arm arm;
};

/* PING at start, PONG within timeout, PING again after interval; no PONG
 * in time closes.  Other traffic does not feed it. */
static const struct ka_rule ka_table[KA__COUNT][KAE__COUNT] = {
	[KA_OFF] = {
		[KAE_START] = { KA_WAIT_PONG, 1, 0, ARM_TIMEOUT },
		[KAE_PONG]  = { KA_OFF, 0, 0, ARM_NONE },		/* not running: ignore */
		[KAE_TIMER] = { KA_OFF, 0, 0, ARM_NONE },
	},
	[KA_WAIT_PONG] = {
		[KAE_START] = { KA_WAIT_PONG, 0, 0, ARM_KEEP },
		[KAE_PONG]  = { KA_IDLE, 0, 0, ARM_INTERVAL },
		[KAE_TIMER] = { KA_OFF, 0, 1, ARM_NONE },
	},
	[KA_IDLE] = {
		[KAE_START] = { KA_IDLE, 0, 0, ARM_KEEP },
		[KAE_PONG]  = { KA_IDLE, 0, 0, ARM_KEEP },		/* unsolicited PONG: ignored */
		[KAE_TIMER] = { KA_WAIT_PONG, 1, 0, ARM_TIMEOUT },
	},
};

static int conn_write(struct broker *b, struct conn *c, const uint8_t *d, size_t len);

void conn_ka(struct broker *b, struct conn *c, enum ka_event ev)
{
	const struct ka_rule *r = &ka_table[c->ka][ev];
	if (ev == KAE_PONG && c->ka != KA_WAIT_PONG)
		LOGD(c->ctx, "PONG while not waiting for one: ignored");
	c->ka = r->next;
	switch (r->arm) {
	case ARM_KEEP: break;
	case ARM_NONE: c->ka_deadline = 0; break;
	case ARM_TIMEOUT: c->ka_deadline = mono_ms() + b->cf.ka_timeout_ms; break;
	case ARM_INTERVAL: c->ka_deadline = mono_ms() + b->cf.ka_interval_ms; break;
	}
	broker_arm(b, c->ka_deadline);
	if (r->send_ping) {
		uint8_t ping[4];
		int n = ipa_wrap_ccm(ping, sizeof(ping), IPA_CCM_PING);
		if (n > 0)
			conn_write(b, c, ping, (size_t)n);
	}
	if (r->close && !c->dead) {
		char why[96];
		snprintf(why, sizeof(why), "keep-alive timeout: no PONG within %d ms", b->cf.ka_timeout_ms);
		conn_close(b, c, why);
	}
}

static void frame_timeout(struct broker *b, struct conn *c)
{
	char why[128];
	snprintf(why, sizeof(why), "partial frame not completed within %d ms (%zu octets pending)",
		 b->cf.frame_timeout_ms, ipa_reasm_pending(c->rx));
	conn_close(b, c, why);
}

void conn_timers(struct broker *b, int64_t now)
{
	for (size_t i = 2 + b->cf.nlisten; i < b->npi; i++) {
		struct conn *c = b->pconn[i];
		if (!c || c->dead)
			continue;
		if (c->frame_deadline && now >= c->frame_deadline)
			frame_timeout(b, c);
		if (!c->dead && c->ka_deadline && now >= c->ka_deadline)
			conn_ka(b, c, KAE_TIMER);
		if (c->dead)
			continue;
		if (c->ka_deadline)
			broker_arm(b, c->ka_deadline);
		if (c->frame_deadline)
			broker_arm(b, c->frame_deadline);
	}
}

/* ---- id table --------------------------------------------------------------- */

static int ctab_grow(struct broker *b)
{
	size_t cap = b->ctab ? (b->cmask + 1) * 2 : 64;
	struct conn **t = calloc(cap, sizeof(*t));
	if (!t)
		return -1;
	for (size_t i = 0; b->ctab && i <= b->cmask; i++)
		if (b->ctab[i])
			t[b->ctab[i]->id & (cap - 1)] = b->ctab[i];
	free(b->ctab);
	b->ctab = t;
	b->cmask = cap - 1;
	return 0;
}

/* A fresh id whose slot is free (the table is kept under half full): the
 * generation in the top octet, a counter that skips 0 below it. */
static uint32_t ctab_insert(struct broker *b, struct conn *c)
{
	if ((!b->ctab || (b->nconns + 1) * 2 > b->cmask + 1) && ctab_grow(b) < 0)
		return 0;
	const uint32_t low = (1u << ENV_GEN_SHIFT) - 1;
	for (;;) {
		uint32_t n = b->next_id++ & low;
		if (n == 0)
			continue;
		uint32_t id = b->gen << ENV_GEN_SHIFT | n;
		if (!b->ctab[id & b->cmask]) {
			c->id = id;
			b->ctab[id & b->cmask] = c;
			b->nconns++;
			return id;
		}
	}
}

struct conn *conn_get(struct broker *b, uint32_t id)
{
	if (!b->ctab)
		return NULL;
	struct conn *c = b->ctab[id & b->cmask];
	return c && c->id == id && !c->dead ? c : NULL;
}

/* ---- connections ---------------------------------------------------------- */

static void set_ctx(struct conn *c)
{
	snprintf(c->ctx, sizeof(c->ctx), "conn %u %s -> %s", c->id, c->peer, c->owner);
}

void conn_set_owner(struct broker *b, struct conn *c, const char *owner)
{
	(void)b;
	snprintf(c->owner, sizeof(c->owner), "%s", owner);
	set_ctx(c);
}

struct conn *conn_new(struct broker *b, int fd, enum ipa_side side, const char *peer,
		      const char *origin, const char *owner, enum conn_state st)
{
	struct conn *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->br = b;
	c->fd = fd;
	c->side = side;
	c->st = st;
	c->pidx = -1;
	c->lidx = -1;
	c->ka_on = 1;
	snprintf(c->peer, sizeof(c->peer), "%s", peer);
	snprintf(c->origin, sizeof(c->origin), "%s", origin);
	snprintf(c->owner, sizeof(c->owner), "%s", owner);
	c->rx = ipa_reasm_new(b->cf.max_payload);
	if (!c->rx || !ctab_insert(b, c)) {
		ipa_reasm_destroy(&c->rx);
		free(c);
		return NULL;
	}
	set_ctx(c);
	if (poll_add(b, NULL, fd, st == CS_CONNECTING ? EV_OUT : EV_IN, c) < 0) {
		b->ctab[c->id & b->cmask] = NULL;
		b->nconns--;
		ipa_reasm_destroy(&c->rx);
		free(c);
		return NULL;
	}
	return c;
}

void conn_up(struct broker *b, struct conn *c)
{
	c->st = CS_UP;
	c->up_ms = mono_ms();
	poll_set(b, (size_t)c->pidx, EV_IN | (c->out_len > c->out_off ? EV_OUT : 0));
	hub_up(b, c);
	if (c->ka_on)
		conn_ka(b, c, KAE_START);
}

void conn_close(struct broker *b, struct conn *c, const char *reason)
{
	if (c->dead)
		return;
	int was_up = c->st == CS_UP;
	c->dead = 1;
	/* osmo-remsim clients refused by a bankd reconnect at once, over and
	 * over (~1,600/s): the ordinary end of such a short bankd-side
	 * connection logs at debug; protocol errors are always logged */
	int quiet = c->side == IPA_SIDE_BANKD_ACCEPTED && c->rx_frames <= 3 &&
		    (!strcmp(reason, "peer closed the connection") || !strncmp(reason, "closed by actor", 15));
	if (was_up)
		log_msg(quiet ? LL_DEBUG : LL_INFO, c->ctx,
			"closed: %s (rx %llu, tx %llu frames)", reason,
			(unsigned long long)c->rx_frames, (unsigned long long)c->tx_frames);
	if (c->pidx >= 0)
		poll_unwatch(b, (size_t)c->pidx);	/* before the fd number can be reused */
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->ack_due_us = 0;
	c->ka_deadline = 0;
	c->frame_deadline = 0;
	if (was_up)
		hub_down(b, c, reason);
	if (c->key) {
		struct outkey *k = c->key;
		c->key = NULL;
		k->conn = NULL;
		out_conn_gone(b, k, reason, was_up);
	}
	c->next_dead = b->dead;
	b->dead = c;
}

void conn_reap(struct broker *b)
{
	while (b->dead) {
		struct conn *c = b->dead;
		b->dead = c->next_dead;
		if (c->pidx >= 0)
			poll_del(b, (size_t)c->pidx);
		for (size_t i = 0; c->ack_listed && i < b->nacks; i++)
			if (b->acks[i] == c)
				b->acks[i] = b->acks[--b->nacks];
		if (b->ctab[c->id & b->cmask] == c)
			b->ctab[c->id & b->cmask] = NULL;
		b->nconns--;
		if (c->lidx >= 0)
			b->lrt[c->lidx].nconns--;
		ipa_reasm_destroy(&c->rx);
		free(c->out);
		free(c->meta);
		free(c->handover);
		free(c);
	}
}

/* ---- output --------------------------------------------------------------- */

/* Send now what the kernel takes; queue the rest up to outbuf_max, beyond
 * which the peer is a slow consumer and its connection is closed. */
static int conn_write(struct broker *b, struct conn *c, const uint8_t *d, size_t len)
{
	if (c->dead)
		return -1;
	if (c->out_len == c->out_off && c->st == CS_UP) {
		ssize_t n = send(c->fd, d, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
			char why[96];
			snprintf(why, sizeof(why), "write error: %s", strerror(errno));
			conn_close(b, c, why);
			return -1;
		}
		if (n > 0) {
			c->ack_due_us = 0;	/* the data carries the ACK */
			d += n;
			len -= (size_t)n;
		}
		if (len == 0)
			return 0;
	}
	size_t pending = c->out_len - c->out_off;
	if (pending + len > b->cf.outbuf_max) {
		char why[128];
		snprintf(why, sizeof(why), "slow consumer: %zu octets unsent (limit %zu)",
			 pending + len, b->cf.outbuf_max);
		conn_close(b, c, why);
		return -1;
	}
	if (c->out_off && c->out_len + len > c->out_cap) {
		memmove(c->out, c->out + c->out_off, pending);
		c->out_len = pending;
		c->out_off = 0;
	}
	if (c->out_len + len > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 4096;
		while (cap < c->out_len + len)
			cap *= 2;
		uint8_t *o = realloc(c->out, cap);
		if (!o) {
			conn_close(b, c, "out of memory");
			return -1;
		}
		c->out = o;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, d, len);
	c->out_len += len;
	if (c->st == CS_UP)
		poll_set(b, (size_t)c->pidx, EV_IN | EV_OUT);
	return 0;
}

static void conn_flush(struct broker *b, struct conn *c)
{
	while (c->out_len > c->out_off) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return;
			char why[96];
			snprintf(why, sizeof(why), "write error: %s", strerror(errno));
			conn_close(b, c, why);
			return;
		}
		c->out_off += (size_t)n;
		c->ack_due_us = 0;
	}
	c->out_off = c->out_len = 0;
	poll_set(b, (size_t)c->pidx, EV_IN);
}

int conn_send_rspro(struct broker *b, struct conn *c, const uint8_t *der, size_t len)
{
	if (c->st != CS_UP || c->dead)
		return -1;
	if (len == 0 || len + 1 > b->cf.max_payload) {
		LOGE(c->ctx, "PDU of %zu octets from %s not sent: %s", len, c->owner,
		     len ? "larger than max_frame" : "empty");
		return -1;
	}
	int n = ipa_wrap_rspro(b->txbuf, IPA_HDR_LEN + 1 + b->cf.max_payload, der, len);
	if (n < 0)
		return -1;
	c->tx_frames++;
	return conn_write(b, c, b->txbuf, (size_t)n);
}

/* ---- input ---------------------------------------------------------------- */

static void handle_ccm(struct broker *b, struct conn *c, const struct ipa_frame *f)
{
	struct ipa_ccm_result res;
	ipa_ccm_react(c->side, f, &res);
	const char *type = f->len ? ipa_ccm_type_name(f->payload[0]) : "empty";
	switch (res.action) {
	case IPA_CCM_ACT_NONE:
		if (c->side == IPA_SIDE_SERVER_ACCEPTED && f->payload[0] == IPA_CCM_ID_RESP) {
			/* osmo-remsim accepts it; we never asked: say so (a peer may repeat it) */
			static struct ratelim rl = RATELIM_INIT(10, 10000);
			unsigned long held;
			char note[RATELIM_NOTE_MAX];
			const uint8_t *v = NULL;
			size_t vl = 0, n = 0;
			char unit[48];
			ipa_ccm_idresp_find(f, 0x08 /* unit id */, &v, &vl);
			for (; v && n < vl && n < sizeof(unit) - 1 && v[n]; n++)
				unit[n] = v[n] >= 0x20 && v[n] < 0x7f ? (char)v[n] : '?';
			unit[n] = '\0';
			if (ratelim_pass(&rl, &held))
				LOGI(c->ctx, "unsolicited IPA ID_RESP (unit id \"%s\"): we never ask for one, "
					     "ignored%s", unit, ratelim_note(held, note, sizeof(note)));
			break;
		}
		LOGD(c->ctx, "CCM %s: %s", type, res.reason ? res.reason : "ignored");
		break;
	case IPA_CCM_ACT_REPLY:
		LOGD(c->ctx, "CCM %s: answered (%zu octets)", type, res.reply_len);
		conn_write(b, c, res.reply, res.reply_len);
		break;
	case IPA_CCM_ACT_PONG_RECEIVED:
		conn_ka(b, c, KAE_PONG);
		break;
	case IPA_CCM_ACT_CLOSE: {
		char why[160];
		snprintf(why, sizeof(why), "CCM %s on %s side: %s", type, ipa_side_name(c->side),
			 res.reason ? res.reason : "protocol error");
		conn_close(b, c, why);
		break;
	}
	}
}

/* Acknowledge soon what is not answered.  Linux falls back to delayed ACKs
 * (~40 ms) once a connection looks interactive.  It matters with peers that
 * do not set TCP_NODELAY (osmo-remsim): their second back-to-back segment
 * (ConnectClientRes + SetAtrReq, SetAtrRes + first TPDU) waits in Nagle's
 * algorithm until the first one is acknowledged.  Most reads are answered
 * within a fraction of a millisecond, and the answer carries the ACK; so a
 * read only marks the connection "ACK owed" for ACK_DELAY_US, a write clears
 * it, and when it is still owed then, TCP_QUICKACK (not sticky: it sends
 * the pending ACK and acknowledges at once for a while) is set. */
#define ACK_DELAY_US	1000

static void tcp_quickack(int fd)
{
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
}

static void ack_owe(struct broker *b, struct conn *c)
{
	if (c->ack_due_us)
		return;
	if (!c->ack_listed) {
		if (b->nacks == b->capacks) {
			size_t cap = b->capacks ? b->capacks * 2 : 16;
			struct conn **t = realloc(b->acks, cap * sizeof(*t));
			if (!t) {
				tcp_quickack(c->fd);	/* no memory for the list: at once */
				return;
			}
			b->acks = t;
			b->capacks = cap;
		}
		b->acks[b->nacks++] = c;
		c->ack_listed = 1;
	}
	c->ack_due_us = mono_us() + ACK_DELAY_US;
}

int tcp_acks_due(struct broker *b, int timeout_ms)
{
	int64_t first = 0;
	for (size_t i = 0; i < b->nacks;) {
		struct conn *c = b->acks[i];
		if (!c->ack_due_us) {	/* answered (or closed) since */
			c->ack_listed = 0;
			b->acks[i] = b->acks[--b->nacks];
			continue;
		}
		if (!first || c->ack_due_us < first)
			first = c->ack_due_us;
		i++;
	}
	if (!first)
		return timeout_ms;
	int64_t d = first - mono_us();
	int ms = d <= 0 ? 0 : (int)((d + 999) / 1000);
	return timeout_ms < 0 || ms < timeout_ms ? ms : timeout_ms;
}

void tcp_acks_run(struct broker *b)
{
	if (!b->nacks)
		return;
	int64_t now = mono_us();
	for (size_t i = 0; i < b->nacks; i++) {
		struct conn *c = b->acks[i];
		if (c->ack_due_us && now >= c->ack_due_us && !c->dead) {
			c->ack_due_us = 0;
			tcp_quickack(c->fd);
		}
	}
}

static void conn_read(struct broker *b, struct conn *c)
{
	ssize_t n = recv(c->fd, b->rxbuf, sizeof(b->rxbuf), MSG_DONTWAIT);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		char why[96];
		snprintf(why, sizeof(why), "read error: %s", strerror(errno));
		conn_close(b, c, why);
		return;
	}
	if (n == 0) {
		size_t pend = ipa_reasm_pending(c->rx);
		char why[128];
		if (pend)
			snprintf(why, sizeof(why), "peer closed the connection inside a frame "
				 "(truncated frame, %zu octets pending)", pend);
		else
			snprintf(why, sizeof(why), "peer closed the connection");
		conn_close(b, c, why);
		return;
	}
	if (ipa_reasm_feed(c->rx, b->rxbuf, (size_t)n) != IPA_OK) {
		conn_close(b, c, "out of memory");
		return;
	}
	struct ipa_frame f;
	int rc;
	while (!c->dead && (rc = ipa_reasm_next(c->rx, &f)) != 0) {
		char why[160];
		if (rc < 0) {
			snprintf(why, sizeof(why), "bad frame: %s (limit %zu)", ipa_strerror(rc),
				 b->cf.max_payload);
			conn_close(b, c, why);
			return;
		}
		const uint8_t *pdu;
		size_t len;
		rc = ipa_frame_rspro_pdu(&f, &pdu, &len);
		if (rc == 1 && len > 0) {
			c->rx_frames++;
			hub_deliver_rspro(b, c, pdu, len);
		} else if (rc == 0) {
			handle_ccm(b, c, &f);
		} else {
			snprintf(why, sizeof(why), "bad frame: %s (proto 0x%02x, %zu octets)",
				 rc < 0 ? ipa_strerror(rc) : "empty RSPRO PDU", f.proto, f.len);
			conn_close(b, c, why);
			return;
		}
	}
	if (c->dead)
		return;
	if (!ipa_reasm_pending(c->rx)) {
		c->frame_deadline = 0;
	} else if (!c->frame_deadline) {
		c->frame_deadline = mono_ms() + b->cf.frame_timeout_ms;
		broker_arm(b, c->frame_deadline);
	}
	/* (the answer, written later, usually carries the ACK) */
	ack_owe(b, c);
}

static void connect_done(struct broker *b, struct conn *c)
{
	int err = 0;
	socklen_t sl = sizeof(err);
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &sl) < 0)
		err = errno;
	if (err) {
		char why[128];
		snprintf(why, sizeof(why), "connect to %s failed: %s", c->peer, strerror(err));
		LOGW(c->ctx, "%s", why);
		conn_close(b, c, why);
		return;
	}
	conn_up(b, c);
	if (c->key)
		out_connected(b, c->key);
}

void tcp_event(struct broker *b, struct conn *c, unsigned revents)
{
	if (c->st == CS_CONNECTING) {
		if (revents & (EV_OUT | EV_ERR))
			connect_done(b, c);
		return;
	}
	if (revents & EV_OUT)
		conn_flush(b, c);
	if (!c->dead && (revents & (EV_IN | EV_ERR)))
		conn_read(b, c);
}

/* ---- listeners ------------------------------------------------------------ */

static void fmt_peer(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)ss;
		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		port = ntohs(s4->sin_port);
		snprintf(buf, len, "%s:%u", a, port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)ss;
		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		port = ntohs(s6->sin6_port);
		snprintf(buf, len, "[%s]:%u", a, port);
	} else {
		snprintf(buf, len, "?");
	}
}

/* Every RSPRO connection: no Nagle on our side, quick ACKs for the peer's. */
void tcp_set_nodelay(int fd)
{
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	tcp_quickack(fd);
}

/* Connections one listener accepts at once when neither the listener nor
 * broker.max_connections says: 4096, or fewer when the descriptor limit is
 * lower, keeping a reserve (an eighth, at least 64) for the hub, the control
 * socket, the actors' pipes and outgoing links, so that a flood of
 * connections can never starve them (libzmq aborts when it cannot accept). */
static int default_max_conns(const struct broker *b)
{
	long limit = b->fd_limit > 0 ? b->fd_limit : 1024;
	long reserve = limit / 8 > 64 ? limit / 8 : 64;
	long n = (limit - reserve) / (long)(b->cf.nlisten ? b->cf.nlisten : 1);
	if (n > 4096)
		n = 4096;
	return n < 1 ? 1 : (int)n;
}

int tcp_listen_all(struct broker *b, char *err, size_t errlen)
{
	b->lfd = calloc(b->cf.nlisten + 1, sizeof(int));
	b->lrt = calloc(b->cf.nlisten + 1, sizeof(*b->lrt));
	if (!b->lfd || !b->lrt)
		return -1;
	for (size_t i = 0; i < b->cf.nlisten; i++)
		b->lfd[i] = -1;
	for (size_t i = 0; i < b->cf.nlisten; i++) {
		const struct blisten_conf *l = &b->cf.listen[i];
		struct sockaddr_storage ss;
		socklen_t sl;
		memset(&ss, 0, sizeof(ss));
		struct sockaddr_in *s4 = (void *)&ss;
		struct sockaddr_in6 *s6 = (void *)&ss;
		if (inet_pton(AF_INET, l->bind, &s4->sin_addr) == 1) {
			s4->sin_family = AF_INET;
			s4->sin_port = htons(l->port);
			sl = sizeof(*s4);
		} else if (inet_pton(AF_INET6, l->bind, &s6->sin6_addr) == 1) {
			s6->sin6_family = AF_INET6;
			s6->sin6_port = htons(l->port);
			sl = sizeof(*s6);
		} else {
			snprintf(err, errlen, "%s:%d: listener %s: bind address '%s' is not an IP address",
				 b->cf.path, l->line, l->name, l->bind);
			return -1;
		}
		int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		int one = 1;
		if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
		    bind(fd, (struct sockaddr *)&ss, sl) < 0 || listen(fd, 128) < 0) {
			snprintf(err, errlen, "%s:%d: listener %s: cannot listen on %s:%u: %s",
				 b->cf.path, l->line, l->name, l->bind, l->port, strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
		b->lfd[i] = fd;
		if (poll_add(b, NULL, fd, EV_IN, NULL) < 0)
			return -1;
		struct blisten_conf *lw = &b->cf.listen[i];
		if (!lw->max_conns)
			lw->max_conns = b->cf.max_connections ? b->cf.max_connections : default_max_conns(b);
		LOGI(NULL, "listener %s on %s:%u (%s side, keep-alive %s) -> %s, at most %d connections",
		     l->name, l->bind, l->port, l->side == IPA_SIDE_SERVER_ACCEPTED ? "server" : "bankd",
		     l->keepalive ? "on" : "off", l->actor, l->max_conns);
	}
	return 0;
}

/* One line per 10 s at most for each kind of trouble on a listener. */
#define LISTEN_LOG_EVERY_MS	10000
#define ACCEPT_PAUSE_MS		100

static void accept_pause(struct broker *b, size_t li, int err)
{
	struct blisten *lr = &b->lrt[li];
	int64_t now = mono_ms();
	lr->paused_until = now + ACCEPT_PAUSE_MS;
	poll_set(b, 2 + li, 0);
	broker_arm(b, lr->paused_until);
	lr->emfile++;
	if (!lr->emfile_logged || now - lr->emfile_logged >= LISTEN_LOG_EVERY_MS) {
		LOGE(NULL, "listener %s: accept: %s (%llu time(s); %zu connections open, limit %ld "
		     "descriptors): pausing accepts for %d ms", b->cf.listen[li].name, strerror(err),
		     (unsigned long long)lr->emfile, lr->nconns, b->fd_limit, ACCEPT_PAUSE_MS);
		lr->emfile_logged = now;
		lr->emfile = 0;
	}
}

static void refuse(struct broker *b, size_t li, int fd, const char *peer)
{
	struct blisten *lr = &b->lrt[li];
	int64_t now = mono_ms();
	close(fd);
	lr->refused++;
	if (!lr->refused_logged || now - lr->refused_logged >= LISTEN_LOG_EVERY_MS) {
		LOGW(NULL, "listener %s: connection from %s refused: %zu open, max_connections %d "
		     "(%llu refused since the last such line)", b->cf.listen[li].name, peer, lr->nconns,
		     b->cf.listen[li].max_conns, (unsigned long long)lr->refused);
		lr->refused_logged = now;
		lr->refused = 0;
	}
}

void tcp_listen_timers(struct broker *b, int64_t now)
{
	for (size_t li = 0; b->lrt && li < b->cf.nlisten; li++) {
		struct blisten *lr = &b->lrt[li];
		if (!lr->paused_until)
			continue;
		if (now >= lr->paused_until) {
			lr->paused_until = 0;
			poll_set(b, 2 + li, EV_IN);
		} else {
			broker_arm(b, lr->paused_until);
		}
	}
}

void tcp_accept(struct broker *b, size_t li)
{
	const struct blisten_conf *l = &b->cf.listen[li];
	for (int k = 0; k < 16; k++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		int fd = accept4(b->lfd[li], (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			int e = errno;
			if (e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM)
				accept_pause(b, li, e);
			else if (e != EAGAIN && e != EWOULDBLOCK && e != EINTR && e != ECONNABORTED)
				LOGE(NULL, "listener %s: accept: %s", l->name, strerror(e));
			return;
		}
		char peer[ENV_PEER_MAX], origin[ENV_ORIGIN_MAX];
		fmt_peer(&ss, peer, sizeof(peer));
		if (b->lrt[li].nconns >= (size_t)l->max_conns) {
			refuse(b, li, fd, peer);
			continue;
		}
		tcp_set_nodelay(fd);
		snprintf(origin, sizeof(origin), "%s%s", ENV_ORIGIN_LISTEN, l->name);
		struct conn *c = conn_new(b, fd, l->side, peer, origin, l->actor, CS_CONNECTING);
		if (!c) {
			LOGE(NULL, "listener %s: dropping %s: out of memory", l->name, peer);
			close(fd);
			continue;
		}
		c->lidx = (int)li;
		b->lrt[li].nconns++;
		c->ka_on = l->keepalive;
		log_msg(l->side == IPA_SIDE_BANKD_ACCEPTED ? LL_DEBUG : LL_INFO, c->ctx,
			"accepted on listener %s (%s side)", l->name, ipa_side_name(l->side));
		conn_up(b, c);
	}
}
