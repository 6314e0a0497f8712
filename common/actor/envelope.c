/* SPDX-License-Identifier: GPL-2.0-or-later */
/* envelope.c: encode/decode of the broker <-> actor ZeroMQ messages (see
 * envelope.h and docs/envelope.md).  Thin on purpose: frames are sent with
 * zmq_send() straight from the caller's buffers, and received into a reused
 * array of zmq_msg_t, so the broker's hot path allocates only what libzmq
 * itself does. */
#include "envelope.h"
#include "hubsock.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

static const char *const cmd_names[ENV__COUNT] = {
	[ENV_UNKNOWN] = "?",
	[ENV_HELLO] = "HELLO", [ENV_SEND] = "SEND", [ENV_BIND] = "BIND",
	[ENV_META] = "META", [ENV_OPEN] = "OPEN", [ENV_CLOSE] = "CLOSE",
	[ENV_CANCEL] = "CANCEL", [ENV_CTLREP] = "CTLREP", [ENV_TELL] = "TELL",
	[ENV_TOLD] = "TOLD",
	[ENV_WELCOME] = "WELCOME", [ENV_RECV] = "RECV", [ENV_UP] = "UP",
	[ENV_DOWN] = "DOWN", [ENV_CTLREQ] = "CTLREQ", [ENV_REHELLO] = "REHELLO",
	[ENV_EVENT] = "EVENT",
};

enum env_cmd env_cmd_parse(const void *data, size_t len)
{
	if (!data || len == 0 || len > 8)
		return ENV_UNKNOWN;
	for (int i = 1; i < ENV__COUNT; i++)
		if (strlen(cmd_names[i]) == len && memcmp(cmd_names[i], data, len) == 0)
			return (enum env_cmd)i;
	return ENV_UNKNOWN;
}

const char *env_cmd_name(enum env_cmd cmd)
{
	return (unsigned)cmd < ENV__COUNT ? cmd_names[cmd] : "?";
}

/* ---- receiving ---------------------------------------------------------- */

struct env_frames {
	size_t cap;
	zmq_msg_t msg[];
};

void env_msg_init(struct env_msg *m)
{
	m->f = NULL;
	m->bf = NULL;
	m->n = 0;
}

/* hub sockets of this process (hubsock.h): a `sock` argument that is one of
 * these is sent and received through hubsock, any other is a libzmq handle */
#define HUBS_MAX	4
static struct hubsock *hubs[HUBS_MAX];

void env_hub_use(struct hubsock *hs)
{
	for (int i = 0; i < HUBS_MAX; i++)
		if (!hubs[i] || hubs[i] == hs) {
			hubs[i] = hs;
			return;
		}
}

void env_hub_drop(struct hubsock *hs)
{
	for (int i = 0; i < HUBS_MAX; i++)
		if (hubs[i] == hs)
			hubs[i] = NULL;
}

static struct hubsock *as_hub(void *sock)
{
	for (int i = 0; i < HUBS_MAX; i++)
		if (hubs[i] && hubs[i] == sock)
			return hubs[i];
	return NULL;
}

static void close_frames(struct env_msg *m)
{
	if (m->bf) {	/* borrowed from a hubsock */
		m->bf = NULL;
		m->n = 0;
		return;
	}
	for (size_t i = 0; i < m->n; i++)
		zmq_msg_close(&m->f->msg[i]);
	m->n = 0;
}

void env_msg_free(struct env_msg *m)
{
	if (m->f)
		close_frames(m);
	free(m->f);
	m->f = NULL;
}

static int grow(struct env_msg *m)
{
	size_t cap = m->f ? m->f->cap * 2 : 8;
	struct env_frames *f = realloc(m->f, sizeof(*f) + cap * sizeof(zmq_msg_t));
	if (!f)
		return -1;
	/* zmq_msg_t may not be moved once initialised: we only realloc while
	 * the frames already received are closed (see env_msg_recv). */
	f->cap = cap;
	m->f = f;
	return 0;
}

int env_msg_recv(struct env_msg *m, void *sock, int flags)
{
	close_frames(m);
	struct hubsock *hs = as_hub(sock);
	if (hs) {	/* (never blocks: callers wait on its fd) */
		size_t n;
		const struct hubsock_frame *f = hubsock_recv(hs, &n);
		if (!f)
			return -1;
		m->bf = f;
		m->n = n;
		return (int)n;
	}
	if (!m->f && grow(m))
		return -1;
	/* A zmq_msg_t must not be relocated by realloc (libzmq checks this
	 * for large messages), so overflowing frames are received into a
	 * temporary and copied into a freshly initialised slot. */
	for (;;) {
		if (m->n == m->f->cap) {
			/* move the received frames out, grow, move them back */
			size_t n = m->n;
			zmq_msg_t *tmp = malloc(n * sizeof(zmq_msg_t));
			if (!tmp)
				goto drain;
			for (size_t i = 0; i < n; i++) {
				zmq_msg_init(&tmp[i]);
				zmq_msg_move(&tmp[i], &m->f->msg[i]);
				zmq_msg_close(&m->f->msg[i]);
			}
			int g = grow(m);
			for (size_t i = 0; i < n; i++) {
				if (g == 0) {
					zmq_msg_init(&m->f->msg[i]);
					zmq_msg_move(&m->f->msg[i], &tmp[i]);
				}
				zmq_msg_close(&tmp[i]);
			}
			free(tmp);
			if (g) {
				m->n = 0;
				goto drain;
			}
		}
		zmq_msg_t *fr = &m->f->msg[m->n];
		zmq_msg_init(fr);
		if (zmq_msg_recv(fr, sock, m->n ? 0 : flags) < 0) {
			int e = errno;
			zmq_msg_close(fr);
			close_frames(m);
			errno = e;
			return -1;
		}
		m->n++;
		if (!zmq_msg_more(fr))
			return (int)m->n;
	}
drain:	/* out of memory: swallow the rest of the message */
	close_frames(m);
	for (;;) {
		zmq_msg_t t;
		zmq_msg_init(&t);
		int more = zmq_msg_recv(&t, sock, 0) >= 0 && zmq_msg_more(&t);
		zmq_msg_close(&t);
		if (!more)
			break;
	}
	errno = ENOMEM;
	return -1;
}

const uint8_t *env_frame(const struct env_msg *m, size_t i, size_t *len)
{
	if (i >= m->n) {
		if (len)
			*len = 0;
		return NULL;
	}
	if (m->bf) {
		if (len)
			*len = m->bf[i].len;
		return m->bf[i].data;
	}
	zmq_msg_t *fr = &m->f->msg[i];
	if (len)
		*len = zmq_msg_size(fr);
	return zmq_msg_data(fr);
}

int env_frame_str(const struct env_msg *m, size_t i, char *buf, size_t cap)
{
	size_t len;
	const uint8_t *d = env_frame(m, i, &len);
	if (!d || len >= cap || memchr(d, 0, len))
		return -1;
	memcpy(buf, d, len);
	buf[len] = '\0';
	return 0;
}

int env_frame_u32(const struct env_msg *m, size_t i, uint32_t *out)
{
	size_t len;
	const uint8_t *d = env_frame(m, i, &len);
	if (!d || len == 0 || len > 10)
		return -1;
	uint64_t v = 0;
	for (size_t k = 0; k < len; k++) {
		if (d[k] < '0' || d[k] > '9')
			return -1;
		v = v * 10 + (uint64_t)(d[k] - '0');
	}
	if (v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

enum env_cmd env_msg_cmd(const struct env_msg *m, size_t i)
{
	size_t len;
	const uint8_t *d = env_frame(m, i, &len);
	return env_cmd_parse(d, len);
}

/* ---- sending ------------------------------------------------------------ */

/* sends per socket, for the event loop (envelope.h: env_tx_count) */
#define TX_TRACKED	4
static struct { void *sock; uint64_t n; } tx_tracked[TX_TRACKED];
static uint64_t tx_total;

void env_tx_track(void *sock)
{
	for (int i = 0; i < TX_TRACKED; i++)
		if (tx_tracked[i].sock == sock || !tx_tracked[i].sock) {
			tx_tracked[i].sock = sock;
			return;
		}
}

void env_tx_untrack(void *sock)
{
	for (int i = 0; i < TX_TRACKED; i++)
		if (tx_tracked[i].sock == sock)
			tx_tracked[i].sock = NULL;
}

uint64_t env_tx_count(const void *sock)
{
	for (int i = 0; i < TX_TRACKED; i++)
		if (tx_tracked[i].sock == sock)
			return tx_tracked[i].n;
	return tx_total;
}

int env_sendv(void *sock, const char *route, const struct env_part *parts, size_t n)
{
	/* counted even when refused: the attempt may have processed commands */
	tx_total++;
	for (int i = 0; i < TX_TRACKED; i++)
		if (tx_tracked[i].sock == sock)
			tx_tracked[i].n++;
	struct hubsock *hs = as_hub(sock);
	if (hs) {
		struct iovec iov[32];
		if (n <= 32) {
			for (size_t i = 0; i < n; i++)
				iov[i] = (struct iovec){ (void *)parts[i].data, parts[i].len };
			return hubsock_sendv(hs, route, iov, n);
		}
		struct iovec *big = malloc(n * sizeof(*big));
		if (!big)
			return -1;
		for (size_t i = 0; i < n; i++)
			big[i] = (struct iovec){ (void *)parts[i].data, parts[i].len };
		int rc = hubsock_sendv(hs, route, big, n);
		free(big);
		return rc;
	}
	if (route && zmq_send(sock, route, strlen(route), ZMQ_DONTWAIT | ZMQ_SNDMORE) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int fl = ZMQ_DONTWAIT | (i + 1 < n ? ZMQ_SNDMORE : 0);
		/* once the first part is queued the rest of the message is too */
		if (zmq_send(sock, parts[i].data, parts[i].len, fl) < 0)
			return -1;
	}
	return 0;
}

#define P(s) { (s), strlen(s) }
#define CMD(c) { cmd_names[c], strlen(cmd_names[c]) }

/* Decimal digits of v into buf (not NUL-terminated: frames carry lengths);
 * by hand, as snprintf's format parsing is the largest user-space cost of a
 * RECV/SEND.  0 when cap is too small. */
static size_t fmt_u32(char *buf, size_t cap, unsigned long long v)
{
	char tmp[20];
	size_t n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	if (n > cap)
		return 0;
	for (size_t i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	return n;
}

int env_send_hello(void *sock, const char *name, pid_t pid)
{
	char p[24];
	size_t pl = fmt_u32(p, sizeof(p), (unsigned long long)pid);
	struct env_part v[] = { CMD(ENV_HELLO), P(name), { p, pl } };
	return env_sendv(sock, NULL, v, 3);
}

int env_send_rspro(void *sock, const char *route, enum env_cmd cmd, uint32_t conn,
		   const uint8_t *der, size_t len)
{
	char c[12];
	size_t cl = fmt_u32(c, sizeof(c), conn);
	struct env_part v[] = { CMD(cmd), { c, cl }, { der, len } };
	return env_sendv(sock, route, v, 3);
}

int env_send_tell(void *sock, const char *route, enum env_cmd cmd, const char *name,
		  const void *payload, size_t len)
{
	struct env_part v[] = { CMD(cmd), P(name), { payload, len } };
	return env_sendv(sock, route, v, 3);
}

int env_send_bind(void *sock, uint32_t conn, const char *actor, const uint8_t *der, size_t len)
{
	char c[12];
	size_t cl = fmt_u32(c, sizeof(c), conn);
	struct env_part v[] = { CMD(ENV_BIND), { c, cl }, P(actor), { der, len } };
	return env_sendv(sock, NULL, v, der ? 4 : 3);
}

int env_send_meta(void *sock, uint32_t conn, const void *meta, size_t len)
{
	char c[12];
	size_t cl = fmt_u32(c, sizeof(c), conn);
	struct env_part v[] = { CMD(ENV_META), { c, cl }, { meta, len } };
	return env_sendv(sock, NULL, v, 3);
}

int env_send_open(void *sock, const char *key, const char *host, uint16_t port, const char *policy)
{
	char p[8];
	size_t pl = fmt_u32(p, sizeof(p), port);
	struct env_part v[] = { CMD(ENV_OPEN), P(key), P(host), { p, pl },
				P(policy ? policy : ENV_POLICY_RECONNECT) };
	return env_sendv(sock, NULL, v, 5);
}

int env_send_close(void *sock, uint32_t conn, const char *reason)
{
	char c[12];
	size_t cl = fmt_u32(c, sizeof(c), conn);
	struct env_part v[] = { CMD(ENV_CLOSE), { c, cl }, P(reason ? reason : "") };
	return env_sendv(sock, NULL, v, 3);
}

int env_send_cancel(void *sock, const char *key)
{
	struct env_part v[] = { CMD(ENV_CANCEL), P(key) };
	return env_sendv(sock, NULL, v, 2);
}

int env_send_ctl(void *sock, const char *route, enum env_cmd cmd, uint32_t reqid, const char *json)
{
	char r[12];
	size_t rl = fmt_u32(r, sizeof(r), reqid);
	struct env_part v[] = { CMD(cmd), { r, rl }, P(json) };
	return env_sendv(sock, route, v, 3);
}

int env_send_up(void *sock, const char *route, uint32_t conn, const char *peer,
		const char *origin, const void *meta, size_t meta_len)
{
	char c[12];
	size_t cl = fmt_u32(c, sizeof(c), conn);
	struct env_part v[] = { CMD(ENV_UP), { c, cl }, P(peer), P(origin), { meta, meta_len } };
	return env_sendv(sock, route, v, 5);
}

int env_send_down(void *sock, const char *route, uint32_t conn, const char *peer,
		  const char *origin, const char *reason)
{
	char c[12];
	size_t cl = fmt_u32(c, sizeof(c), conn);
	struct env_part v[] = { CMD(ENV_DOWN), { c, cl }, P(peer), P(origin), P(reason ? reason : "") };
	return env_sendv(sock, route, v, 5);
}

int env_send_rehello(void *sock, const char *route)
{
	struct env_part v[] = { CMD(ENV_REHELLO) };
	return env_sendv(sock, route, v, 1);
}

int env_send_event(void *sock, const char *actor, const char *kind, pid_t pid,
		   const char *detail, int restarts)
{
	char p[24], r[24];
	size_t pl = fmt_u32(p, sizeof(p), (unsigned long long)pid);
	size_t rl = fmt_u32(r, sizeof(r), (unsigned long long)(restarts < 0 ? 0 : restarts));
	struct env_part v[] = { CMD(ENV_EVENT), P(actor), P(kind), { p, pl },
				P(detail ? detail : ""), { r, rl } };
	return env_sendv(sock, NULL, v, 6);
}
