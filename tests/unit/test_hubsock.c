/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_hubsock.c: the hub's own ZeroMQ ROUTER and DEALER (hubsock.h):
 * our DEALER with our ROUTER and with libzmq peers both ways, frames of
 * every header size (255/256 octets, 1 MiB, 1000 frames), IMMEDIATE,
 * ROUTER_MANDATORY, ROUTER_HANDOVER, peer loss and reconnect, SNDHWM on
 * both sides, LINGER, hostile and malformed peers (raw unix sockets), the
 * level-triggered fd, the ipc file's mode and endpoints it must refuse.
 * Every hubsock is driven only through poll() on hubsock_fd(); every wait
 * is bounded (2 s).  Endpoints live in a private mkdtemp folder. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zmq.h>

#include "check.h"
#include "hubsock.h"
#include "monotime.h"
#include "tmpdir.h"

#define WAIT_MS 2000
#define BIG (1u << 20)

static char dir[256];
static void *zctx;
static volatile sig_atomic_t sigpipes;

/* ---- received messages (copied out of the hubsock) ---------------------- */

struct msg {
	struct msg *next;
	size_t n;
	size_t *len;
	uint8_t **d;
};

static struct msg *msg_new(size_t n)
{
	struct msg *m = calloc(1, sizeof(*m));
	m->n = n;
	m->len = calloc(n ? n : 1, sizeof(*m->len));
	m->d = calloc(n ? n : 1, sizeof(*m->d));
	return m;
}

static void msg_set(struct msg *m, size_t i, const void *data, size_t len)
{
	m->len[i] = len;
	m->d[i] = malloc(len ? len : 1);
	if (len)
		memcpy(m->d[i], data, len);
}

static void msg_free(struct msg **mp)
{
	struct msg *m = *mp;
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++)
		free(m->d[i]);
	free(m->d);
	free(m->len);
	free(m);
	*mp = NULL;
}

/* frame i of m equals the string s (NULL m: false) */
static int frame_is(const struct msg *m, size_t i, const char *s)
{
	return m && i < m->n && m->len[i] == strlen(s) && memcmp(m->d[i], s, m->len[i]) == 0;
}

static void fill(uint8_t *b, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		b[i] = (uint8_t)(i * 7 + seed * 13 + (i >> 8));
}

static int frame_is_fill(const struct msg *m, size_t i, size_t len, unsigned seed)
{
	if (!m || i >= m->n || m->len[i] != len)
		return 0;
	uint8_t *want = malloc(len ? len : 1);
	fill(want, len, seed);
	int ok = memcmp(want, m->d[i], len) == 0;
	free(want);
	return ok;
}

/* ---- endpoints driven by the pump --------------------------------------- */

#define NEV 4
#define LOGMAX 64

struct ep {
	struct hubsock *hs;
	int paused;		/* not serviced by pump() (a peer that never reads) */
	struct msg *head, *tail;
	int nq;
	int nev[NEV];
	struct { int ev; char route[64]; } log[LOGMAX];
	int nlog;
	int recv_errors;	/* hubsock_recv NULL with errno other than EAGAIN */
};

#define MAXEP 8
static struct ep *eps[MAXEP];
static int force_service;	/* HUBSOCK_TEST_FORCE=1: call recv even when the fd is quiet */

static void on_event(struct hubsock *hs, enum hubsock_event ev, const char *route, void *arg)
{
	struct ep *e = arg;
	(void)hs;
	if ((int)ev >= 0 && ev < NEV)
		e->nev[ev]++;
	if (e->nlog < LOGMAX) {
		e->log[e->nlog].ev = (int)ev;
		snprintf(e->log[e->nlog].route, sizeof(e->log[e->nlog].route), "%s", route ? route : "");
		e->nlog++;
	}
}

static void ep_add(struct ep *e, struct hubsock *hs)
{
	memset(e, 0, sizeof(*e));
	e->hs = hs;
	if (!hs)
		return;
	hubsock_set_event_fn(hs, on_event, e);
	for (int i = 0; i < MAXEP; i++)
		if (!eps[i]) {
			eps[i] = e;
			return;
		}
	abort();
}

static void ep_drop_queue(struct ep *e)
{
	while (e->head) {
		struct msg *m = e->head;
		e->head = m->next;
		msg_free(&m);
	}
	e->tail = NULL;
	e->nq = 0;
}

static void ep_close(struct ep *e)
{
	for (int i = 0; i < MAXEP; i++)
		if (eps[i] == e)
			eps[i] = NULL;
	if (e->hs)
		hubsock_close(&e->hs);
	CHECK(e->hs == NULL);
	ep_drop_queue(e);
}

static struct hubsock *mk_router(const char *ep, const struct hubsock_opts *o)
{
	char err[256] = "";
	struct hubsock *hs = hubsock_bind(ep, o, err, sizeof(err));
	if (!hs)
		fprintf(stderr, "  hubsock_bind %s: %s\n", ep, err);
	return hs;
}

static struct hubsock *mk_dealer(const char *ep, const char *id, const struct hubsock_opts *base)
{
	struct hubsock_opts o = { 0 };
	if (base)
		o = *base;
	o.identity = id;
	char err[256] = "";
	struct hubsock *hs = hubsock_connect(ep, &o, err, sizeof(err));
	if (!hs)
		fprintf(stderr, "  hubsock_connect %s: %s\n", ep, err);
	return hs;
}

/* Takes every whole message out of e (its fd said readable). */
static void service(struct ep *e)
{
	for (int k = 0; k < 100000; k++) {
		size_t n = 0;
		errno = 0;
		const struct hubsock_frame *f = hubsock_recv(e->hs, &n);
		if (!f) {
			if (errno != EAGAIN)
				e->recv_errors++;
			return;
		}
		struct msg *m = msg_new(n);
		for (size_t i = 0; i < n; i++)
			msg_set(m, i, f[i].data, f[i].len);
		if (e->tail)
			e->tail->next = m;
		else
			e->head = m;
		e->tail = m;
		e->nq++;
	}
}

/* One poll() over the fds of all registered, unpaused endpoints; services
 * the readable ones. */
static void pump(int timeout_ms)
{
	struct pollfd p[MAXEP];
	struct ep *who[MAXEP];
	int n = 0;
	for (int i = 0; i < MAXEP; i++)
		if (eps[i] && eps[i]->hs && !eps[i]->paused) {
			p[n].fd = hubsock_fd(eps[i]->hs);
			p[n].events = POLLIN;
			p[n].revents = 0;
			who[n++] = eps[i];
		}
	if (n == 0) {
		if (timeout_ms > 0)
			usleep((useconds_t)timeout_ms * 1000);
		return;
	}
	int r = poll(p, (nfds_t)n, timeout_ms);
	for (int i = 0; i < n; i++)
		if (force_service || (r > 0 && p[i].revents))
			service(who[i]);
}

static struct msg *ep_pop(struct ep *e)
{
	struct msg *m = e->head;
	if (m) {
		e->head = m->next;
		if (!e->head)
			e->tail = NULL;
		e->nq--;
		m->next = NULL;
	}
	return m;
}

/* The next message of e, pumping everything for at most ms. */
static struct msg *wait_msg(struct ep *e, int ms)
{
	int64_t end = mono_ms() + ms;
	while (!e->head && mono_ms() < end)
		pump(10);
	return ep_pop(e);
}

/* e has seen event ev at least count times (pumping at most ms). */
static int wait_ev(struct ep *e, enum hubsock_event ev, int count, int ms)
{
	int64_t end = mono_ms() + ms;
	while (e->nev[ev] < count && mono_ms() < end)
		pump(10);
	return e->nev[ev] >= count;
}

static void pump_for(int ms)
{
	int64_t end = mono_ms() + ms;
	while (mono_ms() < end)
		pump(5);
}

/* route reported with the latest event ev of e ("" when none) */
static const char *last_route(const struct ep *e, enum hubsock_event ev)
{
	for (int i = e->nlog - 1; i >= 0; i--)
		if (e->log[i].ev == (int)ev)
			return e->log[i].route;
	return "";
}

/* ---- sending helpers ---------------------------------------------------- */

static int send_strs(struct hubsock *hs, const char *route, size_t n, const char *const *s)
{
	struct iovec iov[16];
	for (size_t i = 0; i < n; i++) {
		iov[i].iov_base = (void *)s[i];
		iov[i].iov_len = strlen(s[i]);
	}
	return hubsock_sendv(hs, route, iov, n);
}

static int send1(struct hubsock *hs, const char *route, const char *s)
{
	return send_strs(hs, route, 1, &s);
}

/* a dealer/router pair, both pumped, connected (checked) */
static void pair_up(struct ep *r, struct ep *d, const char *ep, const char *id,
		    const struct hubsock_opts *ro, const struct hubsock_opts *dopt)
{
	ep_add(r, mk_router(ep, ro));
	CHECK(r->hs != NULL);
	ep_add(d, mk_dealer(ep, id, dopt));
	CHECK(d->hs != NULL);
	CHECK(wait_ev(d, HUBSOCK_EV_CONNECTED, 1, WAIT_MS));
	CHECK(wait_ev(r, HUBSOCK_EV_PEER_IN, 1, WAIT_MS));
}

static void endpoint(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "ipc://%s/%s", dir, name);
}

/* ---- libzmq peers ------------------------------------------------------- */

static void *zsock(int type, const char *id)
{
	void *s = zmq_socket(zctx, type);
	int zero = 0, one = 1;
	zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof(zero));
	if (type == ZMQ_ROUTER)
		zmq_setsockopt(s, ZMQ_ROUTER_MANDATORY, &one, sizeof(one));
	if (id)
		zmq_setsockopt(s, ZMQ_ROUTING_ID, id, strlen(id));
	return s;
}

/* A whole message from the libzmq socket, pumping our hubsocks meanwhile. */
static struct msg *zrecv(void *s, int ms)
{
	int64_t end = mono_ms() + ms;
	do {
		zmq_msg_t part;
		zmq_msg_init(&part);
		if (zmq_msg_recv(&part, s, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&part);
			pump(5);
			continue;
		}
		/* the first frame arrived: the rest are there (atomic delivery) */
		struct msg tmp = { 0 };
		size_t cap = 0;
		for (;;) {
			if (tmp.n == cap) {
				cap = cap ? cap * 2 : 8;
				tmp.len = realloc(tmp.len, cap * sizeof(*tmp.len));
				tmp.d = realloc(tmp.d, cap * sizeof(*tmp.d));
			}
			msg_set(&tmp, tmp.n++, zmq_msg_data(&part), zmq_msg_size(&part));
			int more = zmq_msg_more(&part);
			zmq_msg_close(&part);
			if (!more)
				break;
			zmq_msg_init(&part);
			if (zmq_msg_recv(&part, s, 0) < 0) {
				zmq_msg_close(&part);
				break;
			}
		}
		struct msg *m = calloc(1, sizeof(*m));
		*m = tmp;
		return m;
	} while (mono_ms() < end);
	return NULL;
}

static int zsendv(void *s, size_t n, const void *const *data, const size_t *len)
{
	for (size_t i = 0; i < n; i++)
		if (zmq_send(s, data[i], len[i], ZMQ_DONTWAIT | (i + 1 < n ? ZMQ_SNDMORE : 0)) < 0)
			return -1;
	return 0;
}

static int zsend_strs(void *s, size_t n, const char *const *str)
{
	const void *d[16];
	size_t l[16];
	for (size_t i = 0; i < n; i++) {
		d[i] = str[i];
		l[i] = strlen(str[i]);
	}
	return zsendv(s, n, d, l);
}

/* ---- raw unix stream peers (ZMTP by hand) -------------------------------- */

static const char *ep_path(const char *ep)
{
	return ep + strlen("ipc://");
}

static void un_addr(struct sockaddr_un *a, const char *ep)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	const char *p = ep_path(ep);
	size_t n = strlen(p);
	memcpy(a->sun_path, p, n < sizeof(a->sun_path) - 1 ? n : sizeof(a->sun_path) - 1);
}

static int raw_connect(const char *ep)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct sockaddr_un a;
	un_addr(&a, ep);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int raw_listen(const char *ep)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct sockaddr_un a;
	un_addr(&a, ep);
	unlink(a.sun_path);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 8) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int raw_accept(int lfd, int ms)
{
	int64_t end = mono_ms() + ms;
	do {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0)
			return fd;
		pump(5);
	} while (mono_ms() < end);
	return -1;
}

/* all of buf, pumping while the socket is full: 0, or -1 (peer gone) */
static int raw_write(int fd, const void *buf, size_t len, int ms)
{
	const uint8_t *p = buf;
	int64_t end = mono_ms() + ms;
	while (len) {
		ssize_t w = send(fd, p, len, MSG_NOSIGNAL);
		if (w > 0) {
			p += w;
			len -= (size_t)w;
			continue;
		}
		if (w < 0 && errno != EAGAIN)
			return -1;
		if (mono_ms() >= end)
			return -1;
		pump(5);
	}
	return 0;
}

/* exactly len octets, pumping meanwhile: 0, or -1 (EOF, error, time) */
static int raw_read(int fd, void *buf, size_t len, int ms)
{
	uint8_t *p = buf;
	int64_t end = mono_ms() + ms;
	while (len) {
		ssize_t r = recv(fd, p, len, 0);
		if (r > 0) {
			p += r;
			len -= (size_t)r;
			continue;
		}
		if (r == 0 || errno != EAGAIN || mono_ms() >= end)
			return -1;
		pump(5);
	}
	return 0;
}

/* the peer closed fd's connection (EOF or reset) within ms; input before
 * that is skipped */
static int raw_closed(int fd, int ms)
{
	int64_t end = mono_ms() + ms;
	do {
		uint8_t junk[4096];
		ssize_t r = recv(fd, junk, sizeof(junk), 0);
		if (r == 0 || (r < 0 && errno != EAGAIN))
			return 1;
		if (r < 0)
			pump(5);
	} while (mono_ms() < end);
	return 0;
}

/* The 64-octet ZMTP 3.1 greeting with mechanism mech. */
static void greeting(uint8_t g[64], const char *mech, int as_server)
{
	memset(g, 0, 64);
	g[0] = 0xff;
	g[9] = 0x7f;
	g[10] = 3;
	g[11] = 1;
	memcpy(g + 12, mech, strlen(mech));
	g[32] = (uint8_t)as_server;
}

/* READY command with Socket-Type type and (when id) Identity id, into b;
 * its length */
static size_t ready_cmd(uint8_t *b, const char *type, const char *id)
{
	uint8_t body[512];
	size_t n = 0;
	body[n++] = 5;
	memcpy(body + n, "READY", 5);
	n += 5;
	const char *names[2] = { "Socket-Type", "Identity" };
	const char *vals[2] = { type, id };
	for (int i = 0; i < 2; i++) {
		if (!vals[i])
			continue;
		size_t nl = strlen(names[i]), vl = strlen(vals[i]);
		body[n++] = (uint8_t)nl;
		memcpy(body + n, names[i], nl);
		n += nl;
		body[n++] = (uint8_t)(vl >> 24);
		body[n++] = (uint8_t)(vl >> 16);
		body[n++] = (uint8_t)(vl >> 8);
		body[n++] = (uint8_t)vl;
		memcpy(body + n, vals[i], vl);
		n += vl;
	}
	b[0] = 0x04;
	b[1] = (uint8_t)n;
	memcpy(b + 2, body, n);
	return n + 2;
}

/* a frame header (flags | long bit when needed); its length */
static size_t frame_hdr(uint8_t *b, uint64_t len, int more, int force_long)
{
	if (len < 256 && !force_long) {
		b[0] = more ? 0x01 : 0x00;
		b[1] = (uint8_t)len;
		return 2;
	}
	b[0] = (uint8_t)(0x02 | (more ? 0x01 : 0x00));
	for (int i = 0; i < 8; i++)
		b[1 + i] = (uint8_t)(len >> (56 - 8 * i));
	return 9;
}

/* greeting + READY(DEALER, id) on fd */
static int raw_handshake(int fd, const char *type, const char *id)
{
	uint8_t b[600];
	greeting(b, "NULL", 0);
	size_t n = 64 + ready_cmd(b + 64, type, id);
	return raw_write(fd, b, n, WAIT_MS);
}

/* Reads a peer's greeting and READY from fd, checks them; the socket type
 * it announced into type. */
static int raw_expect_handshake(int fd, char *type, size_t tlen, char *id, size_t idlen)
{
	uint8_t g[64];
	if (raw_read(fd, g, 64, WAIT_MS) < 0)
		return -1;
	CHECK_EQ_INT(g[0], 0xff);
	CHECK_EQ_INT(g[9], 0x7f);
	CHECK_EQ_INT(g[10], 3);
	CHECK(memcmp(g + 12, "NULL\0", 5) == 0);
	uint8_t h[9];
	if (raw_read(fd, h, 2, WAIT_MS) < 0)
		return -1;
	CHECK(h[0] & 0x04);	/* a command */
	size_t len = h[1];
	if (h[0] & 0x02) {
		if (raw_read(fd, h + 2, 7, WAIT_MS) < 0)
			return -1;
		len = 0;
		for (int i = 1; i < 9; i++)
			len = (len << 8) | h[i];
	}
	if (len > 4096)
		return -1;
	uint8_t body[4096];
	if (raw_read(fd, body, len, WAIT_MS) < 0)
		return -1;
	CHECK(len >= 6 && body[0] == 5 && memcmp(body + 1, "READY", 5) == 0);
	*type = '\0';
	if (id)
		*id = '\0';
	for (size_t i = 6; i < len;) {
		size_t nl = body[i++];
		if (i + nl + 4 > len)
			return -1;
		const uint8_t *name = body + i;
		i += nl;
		size_t vl = (size_t)body[i] << 24 | (size_t)body[i + 1] << 16 | (size_t)body[i + 2] << 8 | body[i + 3];
		i += 4;
		if (i + vl > len)
			return -1;
		if (nl == 11 && strncasecmp((const char *)name, "Socket-Type", 11) == 0)
			snprintf(type, tlen, "%.*s", (int)vl, (const char *)body + i);
		if (id && nl == 8 && strncasecmp((const char *)name, "Identity", 8) == 0)
			snprintf(id, idlen, "%.*s", (int)vl, (const char *)body + i);
		i += vl;
	}
	return 0;
}

/* ---- tests -------------------------------------------------------------- */

/* 1. our DEALER <-> our ROUTER */
static void test_dealer_router_roundtrip(void)
{
	char ep[300];
	endpoint(ep, sizeof(ep), "rt");
	struct ep r, d;
	ep_add(&r, mk_router(ep, NULL));
	CHECK(r.hs != NULL);
	ep_add(&d, mk_dealer(ep, "alpha", NULL));
	CHECK(d.hs != NULL);
	/* connected at the socket level, but no handshake yet: IMMEDIATE */
	errno = 0;
	CHECK_EQ_INT(send1(d.hs, NULL, "early"), -1);
	CHECK_EQ_INT(errno, EAGAIN);
	CHECK_EQ_INT(hubsock_connected(d.hs, NULL), 0);
	CHECK(wait_ev(&d, HUBSOCK_EV_CONNECTED, 1, WAIT_MS));
	CHECK(wait_ev(&r, HUBSOCK_EV_PEER_IN, 1, WAIT_MS));
	CHECK_EQ_INT(d.nev[HUBSOCK_EV_CONNECTED], 1);
	CHECK_EQ_STR(last_route(&r, HUBSOCK_EV_PEER_IN), "alpha");
	CHECK_EQ_INT(hubsock_type(r.hs), HUBSOCK_ROUTER);
	CHECK_EQ_INT(hubsock_type(d.hs), HUBSOCK_DEALER);
	CHECK_EQ_INT(hubsock_connected(d.hs, NULL), 1);
	CHECK_EQ_INT(hubsock_connected(r.hs, "alpha"), 1);
	CHECK_EQ_INT(hubsock_connected(r.hs, "beta"), 0);

	const char *up[3] = { "one", "", "three" };
	CHECK_EQ_INT(send_strs(d.hs, NULL, 3, up), 0);
	struct msg *m = wait_msg(&r, WAIT_MS);
	CHECK(m != NULL);
	CHECK(m && m->n == 4);
	CHECK(frame_is(m, 0, "alpha"));
	CHECK(frame_is(m, 1, "one"));
	CHECK(frame_is(m, 2, ""));
	CHECK(frame_is(m, 3, "three"));
	msg_free(&m);

	const char *down[3] = { "x", "", "zzz" };
	CHECK_EQ_INT(send_strs(r.hs, "alpha", 3, down), 0);
	m = wait_msg(&d, WAIT_MS);
	CHECK(m && m->n == 3);
	CHECK(frame_is(m, 0, "x"));
	CHECK(frame_is(m, 1, ""));
	CHECK(frame_is(m, 2, "zzz"));
	msg_free(&m);

	/* several messages keep their order */
	for (int i = 0; i < 20; i++) {
		char s[16];
		snprintf(s, sizeof(s), "n%d", i);
		CHECK_EQ_INT(send1(d.hs, NULL, s), 0);
	}
	for (int i = 0; i < 20; i++) {
		char s[16];
		snprintf(s, sizeof(s), "n%d", i);
		m = wait_msg(&r, WAIT_MS);
		CHECK(frame_is(m, 0, "alpha") && frame_is(m, 1, s));
		msg_free(&m);
	}
	CHECK_EQ_INT(r.recv_errors + d.recv_errors, 0);
	CHECK_EQ_INT(r.nev[HUBSOCK_EV_PEER_OUT], 0);
	CHECK_EQ_INT(d.nev[HUBSOCK_EV_DISCONNECTED], 0);
	ep_close(&d);
	ep_close(&r);
}

/* 2. libzmq DEALER -> our ROUTER (with and without a routing id) */
static void test_libzmq_dealer_to_router(void)
{
	char ep[300];
	endpoint(ep, sizeof(ep), "zd");
	struct ep r;
	ep_add(&r, mk_router(ep, NULL));
	CHECK(r.hs != NULL);
	void *z = zsock(ZMQ_DEALER, "zd");
	CHECK_EQ_INT(zmq_connect(z, ep), 0);
	const char *up[2] = { "hello", "" };
	CHECK_EQ_INT(zsend_strs(z, 2, up), 0);
	struct msg *m = wait_msg(&r, WAIT_MS);
	CHECK(m && m->n == 3);
	CHECK(frame_is(m, 0, "zd"));
	CHECK(frame_is(m, 1, "hello"));
	CHECK(frame_is(m, 2, ""));
	msg_free(&m);
	CHECK(wait_ev(&r, HUBSOCK_EV_PEER_IN, 1, WAIT_MS));
	CHECK_EQ_STR(last_route(&r, HUBSOCK_EV_PEER_IN), "zd");
	CHECK_EQ_INT(hubsock_connected(r.hs, "zd"), 1);

	const char *down[3] = { "back", "", "again" };
	CHECK_EQ_INT(send_strs(r.hs, "zd", 3, down), 0);
	m = zrecv(z, WAIT_MS);
	CHECK(m && m->n == 3);
	CHECK(frame_is(m, 0, "back") && frame_is(m, 1, "") && frame_is(m, 2, "again"));
	msg_free(&m);

	/* no routing id: ROUTER makes one, 5 octets starting with 0x00 */
	void *anon = zsock(ZMQ_DEALER, NULL);
	CHECK_EQ_INT(zmq_connect(anon, ep), 0);
	const char *hi[1] = { "anon" };
	CHECK_EQ_INT(zsend_strs(anon, 1, hi), 0);
	m = wait_msg(&r, WAIT_MS);
	CHECK(m && m->n == 2);
	CHECK(m && m->len[0] == 5 && m->d[0][0] == 0x00);
	CHECK(frame_is(m, 1, "anon"));
	CHECK(wait_ev(&r, HUBSOCK_EV_PEER_IN, 2, WAIT_MS));
	/* the reply goes to that id (it holds NULs: hubsock_sendv_to) */
	struct iovec rep = { "to-anon", 7 };
	CHECK_EQ_INT(m ? hubsock_sendv_to(r.hs, m->d[0], m->len[0], &rep, 1) : -1, 0);
	struct msg *a = zrecv(anon, WAIT_MS);
	CHECK(a && a->n == 1 && frame_is(a, 0, "to-anon"));
	msg_free(&a);
	/* a second anonymous peer gets another id */
	void *anon2 = zsock(ZMQ_DEALER, NULL);
	CHECK_EQ_INT(zmq_connect(anon2, ep), 0);
	CHECK_EQ_INT(zsend_strs(anon2, 1, hi), 0);
	struct msg *m2 = wait_msg(&r, WAIT_MS);
	CHECK(m2 && m2->len[0] == 5 && m2->d[0][0] == 0x00);
	CHECK(m && m2 && memcmp(m->d[0], m2->d[0], 5) != 0);
	msg_free(&m2);
	zmq_close(anon2);
	msg_free(&m);
	/* the named peer did not get it */
	m = zrecv(z, 100);
	CHECK(m == NULL);
	msg_free(&m);
	zmq_close(anon);
	zmq_close(z);
	ep_close(&r);
}

/* 3. our DEALER -> libzmq ROUTER */
static void test_dealer_to_libzmq_router(void)
{
	char ep[300];
	endpoint(ep, sizeof(ep), "zr");
	void *z = zsock(ZMQ_ROUTER, NULL);
	CHECK_EQ_INT(zmq_bind(z, ep), 0);
	struct ep d;
	ep_add(&d, mk_dealer(ep, "ours", NULL));
	CHECK(d.hs != NULL);
	CHECK(wait_ev(&d, HUBSOCK_EV_CONNECTED, 1, WAIT_MS));
	const char *up[3] = { "a", "", "bb" };
	CHECK_EQ_INT(send_strs(d.hs, NULL, 3, up), 0);
	struct msg *m = zrecv(z, WAIT_MS);
	CHECK(m && m->n == 4);
	CHECK(frame_is(m, 0, "ours") && frame_is(m, 1, "a") && frame_is(m, 2, "") && frame_is(m, 3, "bb"));
	msg_free(&m);
	const char *down[3] = { "ours", "reply", "" };
	CHECK_EQ_INT(zsend_strs(z, 3, down), 0);
	m = wait_msg(&d, WAIT_MS);
	CHECK(m && m->n == 2 && frame_is(m, 0, "reply") && frame_is(m, 1, ""));
	msg_free(&m);
	ep_close(&d);
	zmq_close(z);
}

/* sizes around the short/long frame header boundary, and 1 MiB */
static const size_t sizes[] = { 0, 1, 254, 255, 256, 257, 300, 65536, BIG };
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

static void big_iov(struct iovec *iov, uint8_t **bufs)
{
	for (size_t i = 0; i < NSIZES; i++) {
		bufs[i] = malloc(sizes[i] ? sizes[i] : 1);
		fill(bufs[i], sizes[i], (unsigned)i);
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = sizes[i];
	}
}

/* m's frames from `first` are the sizes[] frames */
static int big_ok(const struct msg *m, size_t first)
{
	if (!m || m->n != first + NSIZES)
		return 0;
	for (size_t i = 0; i < NSIZES; i++)
		if (!frame_is_fill(m, first + i, sizes[i], (unsigned)i)) {
			fprintf(stderr, "  frame of %zu octets differs (got %zu)\n", sizes[i], m->len[first + i]);
			return 0;
		}
	return 1;
}

/* 4. large frames and many frames, ours and libzmq's */
static void test_large_and_many_frames(void)
{
	struct iovec iov[NSIZES];
	uint8_t *bufs[NSIZES];
	big_iov(iov, bufs);
	char ep[300];
	endpoint(ep, sizeof(ep), "big");
	struct ep r, d;
	pair_up(&r, &d, ep, "big", NULL, NULL);
	/* each size alone (short/long header), then all in one message */
	for (size_t i = 0; i < NSIZES; i++) {
		CHECK_EQ_INT(hubsock_sendv(d.hs, NULL, &iov[i], 1), 0);
		struct msg *m = wait_msg(&r, WAIT_MS);
		CHECK(m && m->n == 2 && frame_is(m, 0, "big") && frame_is_fill(m, 1, sizes[i], (unsigned)i));
		msg_free(&m);
		CHECK_EQ_INT(hubsock_sendv(r.hs, "big", &iov[i], 1), 0);
		m = wait_msg(&d, WAIT_MS);
		CHECK(m && m->n == 1 && frame_is_fill(m, 0, sizes[i], (unsigned)i));
		msg_free(&m);
	}
	CHECK_EQ_INT(hubsock_sendv(d.hs, NULL, iov, NSIZES), 0);
	struct msg *m = wait_msg(&r, WAIT_MS);
	CHECK(frame_is(m, 0, "big") && big_ok(m, 1));
	msg_free(&m);
	CHECK_EQ_INT(hubsock_sendv(r.hs, "big", iov, NSIZES), 0);
	m = wait_msg(&d, WAIT_MS);
	CHECK(big_ok(m, 0));
	msg_free(&m);

	/* 1000 frames (every tenth empty) both ways */
	enum { NF = 1000 };
	struct iovec *many = calloc(NF, sizeof(*many));
	uint32_t *num = calloc(NF, sizeof(*num));
	for (int i = 0; i < NF; i++) {
		num[i] = htonl((uint32_t)i * 2654435761u);
		many[i].iov_base = &num[i];
		many[i].iov_len = i % 10 == 9 ? 0 : 4;
	}
	for (int dir_ = 0; dir_ < 2; dir_++) {
		struct ep *to = dir_ ? &d : &r;
		CHECK_EQ_INT(hubsock_sendv(dir_ ? r.hs : d.hs, dir_ ? "big" : NULL, many, NF), 0);
		m = wait_msg(to, WAIT_MS);
		size_t off = dir_ ? 0 : 1;
		CHECK(m && m->n == NF + off);
		int bad = 0;
		for (int i = 0; m && i < NF && m->n == NF + off; i++)
			if (m->len[i + off] != many[i].iov_len || memcmp(m->d[i + off], &num[i], many[i].iov_len))
				bad++;
		CHECK_EQ_INT(bad, 0);
		msg_free(&m);
	}
	ep_close(&d);
	ep_close(&r);

	/* libzmq DEALER -> our ROUTER and back */
	endpoint(ep, sizeof(ep), "bigz1");
	ep_add(&r, mk_router(ep, NULL));
	void *z = zsock(ZMQ_DEALER, "zbig");
	CHECK_EQ_INT(zmq_connect(z, ep), 0);
	const void *zd[NSIZES];
	size_t zl[NSIZES];
	for (size_t i = 0; i < NSIZES; i++) {
		zd[i] = bufs[i];
		zl[i] = sizes[i];
	}
	CHECK_EQ_INT(zsendv(z, NSIZES, zd, zl), 0);
	m = wait_msg(&r, WAIT_MS);
	CHECK(frame_is(m, 0, "zbig") && big_ok(m, 1));
	msg_free(&m);
	CHECK_EQ_INT(hubsock_sendv(r.hs, "zbig", iov, NSIZES), 0);
	m = zrecv(z, WAIT_MS);
	CHECK(big_ok(m, 0));
	msg_free(&m);
	zmq_close(z);
	ep_close(&r);

	/* our DEALER -> libzmq ROUTER and back */
	endpoint(ep, sizeof(ep), "bigz2");
	z = zsock(ZMQ_ROUTER, NULL);
	CHECK_EQ_INT(zmq_bind(z, ep), 0);
	ep_add(&d, mk_dealer(ep, "obig", NULL));
	CHECK(wait_ev(&d, HUBSOCK_EV_CONNECTED, 1, WAIT_MS));
	CHECK_EQ_INT(hubsock_sendv(d.hs, NULL, iov, NSIZES), 0);
	m = zrecv(z, WAIT_MS);
	CHECK(frame_is(m, 0, "obig") && big_ok(m, 1));
	msg_free(&m);
	const void *zd2[NSIZES + 1] = { "obig" };
	size_t zl2[NSIZES + 1] = { 4 };
	memcpy(zd2 + 1, zd, sizeof(zd));
	memcpy(zl2 + 1, zl, sizeof(zl));
	CHECK_EQ_INT(zsendv(z, NSIZES + 1, zd2, zl2), 0);
	m = wait_msg(&d, WAIT_MS);
	CHECK(big_ok(m, 0));
	msg_free(&m);
	/* 1000 frames from libzmq */
	CHECK_EQ_INT(zmq_send(z, "obig", 4, ZMQ_SNDMORE), 4);
	for (int i = 0; i < NF; i++)
		zmq_send(z, &num[i], many[i].iov_len, i + 1 < NF ? ZMQ_SNDMORE : 0);
	m = wait_msg(&d, WAIT_MS);
	CHECK(m && m->n == NF);
	msg_free(&m);
	ep_close(&d);
	zmq_close(z);
	free(many);
	free(num);
	for (size_t i = 0; i < NSIZES; i++)
		free(bufs[i]);
}

/* 5. IMMEDIATE and reconnect */
static void test_immediate_then_reconnect(void)
{
	char ep[300];
	endpoint(ep, sizeof(ep), "late");
	struct hubsock_opts o = { .reconnect_ms = 50 };
	struct ep d, r;
	ep_add(&d, mk_dealer(ep, "late", &o));
	CHECK(d.hs != NULL);	/* no listener is not an error */
	errno = 0;
	CHECK_EQ_INT(send1(d.hs, NULL, "lost"), -1);
	CHECK_EQ_INT(errno, EAGAIN);
	pump_for(150);	/* a few failed attempts */
	CHECK_EQ_INT(hubsock_connected(d.hs, NULL), 0);
	errno = 0;
	CHECK_EQ_INT(send1(d.hs, NULL, "lost2"), -1);
	CHECK_EQ_INT(errno, EAGAIN);
	CHECK_EQ_INT(d.nev[HUBSOCK_EV_CONNECTED], 0);

	int fd0 = hubsock_fd(d.hs);
	ep_add(&r, mk_router(ep, NULL));
	CHECK(r.hs != NULL);
	int64_t t0 = mono_ms();
	CHECK(wait_ev(&d, HUBSOCK_EV_CONNECTED, 1, WAIT_MS));
	int64_t took = mono_ms() - t0;
	if (took > 1000)
		fprintf(stderr, "  reconnect took %lld ms with reconnect_ms 50\n", (long long)took);
	CHECK(took <= 1000);
	CHECK_EQ_INT(hubsock_fd(d.hs), fd0);
	CHECK_EQ_INT(hubsock_connected(d.hs, NULL), 1);
	CHECK_EQ_INT(send1(d.hs, NULL, "now"), 0);
	struct msg *m = wait_msg(&r, WAIT_MS);
	CHECK(frame_is(m, 0, "late") && frame_is(m, 1, "now"));
	msg_free(&m);
	/* nothing sent while unconnected was queued */
	m = wait_msg(&r, 100);
	CHECK(m == NULL);
	msg_free(&m);
	ep_close(&d);
	ep_close(&r);
}

/* 6. ROUTER_MANDATORY */
static void test_router_mandatory(void)
{
	char ep[300];
	endpoint(ep, sizeof(ep), "mand");
	struct ep r;
	ep_add(&r, mk_router(ep, NULL));
	CHECK(r.hs != NULL);
	errno = 0;
	CHECK_EQ_INT(send1(r.hs, "nobody", "x"), -1);
	CHECK_EQ_INT(errno, EHOSTUNREACH);
	CHECK_EQ_INT(hubsock_connected(r.hs, "nobody"), 0);
	/* no route at all on a ROUTER, no frames: the caller's mistake */
	errno = 0;
	CHECK_EQ_INT(send1(r.hs, NULL, "x"), -1);
	CHECK_EQ_INT(errno, EINVAL);
	errno = 0;
	CHECK_EQ_INT(hubsock_sendv(r.hs, "nobody", NULL, 0), -1);
	CHECK_EQ_INT(errno, EINVAL);
	/* also with a peer present under another name */
	struct ep d;
	ep_add(&d, mk_dealer(ep, "somebody", NULL));
	CHECK(wait_ev(&r, HUBSOCK_EV_PEER_IN, 1, WAIT_MS));
	errno = 0;
	CHECK_EQ_INT(send1(r.hs, "nobody", "x"), -1);
	CHECK_EQ_INT(errno, EHOSTUNREACH);
	errno = 0;
	CHECK_EQ_INT(send1(r.hs, "somebod", "x"), -1);	/* a prefix is not the id */
	CHECK_EQ_INT(errno, EHOSTUNREACH);
	CHECK_EQ_INT(send1(r.hs, "somebody", "x"), 0);
	struct msg *m = wait_msg(&d, WAIT_MS);
	CHECK(frame_is(m, 0, "x"));
	msg_free(&m);
	ep_close(&d);
	ep_close(&r);
}

/* 7. ROUTER_HANDOVER */
static void test_router_handover(void)
{
	char ep[300];
	endpoint(ep, sizeof(ep), "hand");
	struct hubsock_opts slow = { .reconnect_ms = 10000 };
	struct ep r, d1, d2;
	pair_up(&r, &d1, ep, "same", NULL, &slow);
	CHECK_EQ_INT(send1(d1.hs, NULL, "from1"), 0);
	struct msg *m = wait_msg(&r, WAIT_MS);
	CHECK(frame_is(m, 0, "same") && frame_is(m, 1, "from1"));
	msg_free(&m);

	/* the second connects while the first is not serviced */
	d1.paused = 1;
	ep_add(&d2, mk_dealer(ep, "same", &slow));
	CHECK(wait_ev(&d2, HUBSOCK_EV_CONNECTED, 1, WAIT_MS));
	CHECK(wait_ev(&r, HUBSOCK_EV_PEER_IN, 2, WAIT_MS));
	pump_for(50);
	CHECK_EQ_INT(hubsock_connected(r.hs, "same"), 1);
	/* the route's last event is the new peer coming in */
	int last = -1;
	for (int i = 0; i < r.nlog; i++)
		if (strcmp(r.log[i].route, "same") == 0)
			last = r.log[i].ev;
	CHECK_EQ_INT(last, HUBSOCK_EV_PEER_IN);
	CHECK_EQ_INT(send1(r.hs, "same", "for2"), 0);
	m = wait_msg(&d2, WAIT_MS);
	CHECK(frame_is(m, 0, "for2"));
	msg_free(&m);
	CHECK_EQ_INT(send1(d2.hs, NULL, "from2"), 0);
	m = wait_msg(&r, WAIT_MS);
	CHECK(frame_is(m, 0, "same") && frame_is(m, 1, "from2"));
	msg_free(&m);

	/* the first finds its connection closed, and got nothing */
	d1.paused = 0;
	d2.paused = 1;
	CHECK(wait_ev(&d1, HUBSOCK_EV_DISCONNECTED, 1, WAIT_MS));
	CHECK_EQ_INT(d1.nq, 0);
	ep_close(&d1);	/* before it takes the id back */
	d2.paused = 0;
	pump_for(100);
	CHECK_EQ_INT(hubsock_connected(r.hs, "same"), 1);
	CHECK_EQ_INT(hubsock_connected(d2.hs, NULL), 1);
	CHECK_EQ_INT(d2.nev[HUBSOCK_EV_DISCONNECTED], 0);
	CHECK_EQ_INT(send1(r.hs, "same", "again2"), 0);
	m = wait_msg(&d2, WAIT_MS);
	CHECK(frame_is(m, 0, "again2"));
	msg_free(&m);
	ep_close(&d2);
	ep_close(&r);
}

static void sigpipe_count(int sig)
{
	(void)sig;
	sigpipes++;
}

/* 8. peer loss: ROUTER closed and rebound, libzmq DEALER closed, a DEALER
 * process killed */
static void test_peer_loss(void)
{
	char ep[300];
	endpoint(ep, sizeof(ep), "loss");
	struct hubsock_opts o = { .reconnect_ms = 50 };
	struct ep r, d;
	pair_up(&r, &d, ep, "dl", NULL, &o);
	int fd0 = hubsock_fd(d.hs);
	ep_close(&r);
	CHECK(wait_ev(&d, HUBSOCK_EV_DISCONNECTED, 1, WAIT_MS));
	CHECK_EQ_INT(hubsock_connected(d.hs, NULL), 0);
	errno = 0;
	CHECK_EQ_INT(send1(d.hs, NULL, "void"), -1);
	CHECK_EQ_INT(errno, EAGAIN);
	pump_for(120);	/* failed attempts meanwhile */
	ep_add(&r, mk_router(ep, NULL));
	CHECK(r.hs != NULL);
	CHECK(wait_ev(&d, HUBSOCK_EV_CONNECTED, 2, WAIT_MS));
	CHECK(wait_ev(&r, HUBSOCK_EV_PEER_IN, 1, WAIT_MS));
	CHECK_EQ_INT(hubsock_fd(d.hs), fd0);
	CHECK_EQ_INT(send1(d.hs, NULL, "back"), 0);
	struct msg *m = wait_msg(&r, WAIT_MS);
	CHECK(frame_is(m, 0, "dl") && frame_is(m, 1, "back"));
	msg_free(&m);
	CHECK_EQ_INT(send1(r.hs, "dl", "hi"), 0);
	m = wait_msg(&d, WAIT_MS);
	CHECK(frame_is(m, 0, "hi"));
	msg_free(&m);

	/* a libzmq DEALER goes away */
	void *z = zsock(ZMQ_DEALER, "zk");
	CHECK_EQ_INT(zmq_connect(z, ep), 0);
	const char *hi[1] = { "hi" };
	CHECK_EQ_INT(zsend_strs(z, 1, hi), 0);
	m = wait_msg(&r, WAIT_MS);
	CHECK(frame_is(m, 0, "zk"));
	msg_free(&m);
	CHECK_EQ_INT(hubsock_connected(r.hs, "zk"), 1);
	zmq_close(z);
	CHECK(wait_ev(&r, HUBSOCK_EV_PEER_OUT, 1, WAIT_MS));
	CHECK_EQ_STR(last_route(&r, HUBSOCK_EV_PEER_OUT), "zk");
	CHECK_EQ_INT(hubsock_connected(r.hs, "zk"), 0);
	errno = 0;
	CHECK_EQ_INT(send1(r.hs, "zk", "gone"), -1);
	CHECK_EQ_INT(errno, EHOSTUNREACH);

	/* a DEALER process killed with SIGKILL */
	pid_t pid = fork();
	if (pid == 0) {
		for (int i = 0; i < MAXEP; i++)
			eps[i] = NULL;
		struct ep kid;
		ep_add(&kid, mk_dealer(ep, "kid", NULL));
		int64_t end = mono_ms() + 10000;
		while (mono_ms() < end)
			pump(50);
		_exit(0);
	}
	CHECK(pid > 0);
	int64_t end = mono_ms() + WAIT_MS;
	while (!hubsock_connected(r.hs, "kid") && mono_ms() < end)
		pump(10);
	CHECK_EQ_INT(hubsock_connected(r.hs, "kid"), 1);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	CHECK(wait_ev(&r, HUBSOCK_EV_PEER_OUT, 2, WAIT_MS));
	CHECK_EQ_STR(last_route(&r, HUBSOCK_EV_PEER_OUT), "kid");
	errno = 0;
	CHECK_EQ_INT(send1(r.hs, "kid", "gone"), -1);
	CHECK_EQ_INT(errno, EHOSTUNREACH);
	/* the other peer is unaffected */
	CHECK_EQ_INT(send1(r.hs, "dl", "still"), 0);
	m = wait_msg(&d, WAIT_MS);
	CHECK(frame_is(m, 0, "still"));
	msg_free(&m);
	ep_close(&d);
	ep_close(&r);
}

/* 64 KiB message number i */
#define HWM_LEN 65536
static int send_numbered(struct hubsock *hs, const char *route, uint32_t i, uint8_t *buf)
{
	uint32_t be = htonl(i);
	fill(buf, HWM_LEN, i);
	struct iovec iov[2] = { { &be, 4 }, { buf, HWM_LEN } };
	return hubsock_sendv(hs, route, iov, 2);
}

/* receive `accepted` numbered messages on e in order; frame offset off */
static void expect_numbered(struct ep *e, int accepted, size_t off)
{
	int got = 0, bad = 0;
	for (int i = 0; i < accepted; i++) {
		struct msg *m = wait_msg(e, WAIT_MS);
		if (!m)
			break;
		got++;
		uint32_t be = htonl((uint32_t)i);
		if (m->n != off + 2 || m->len[off] != 4 || memcmp(m->d[off], &be, 4) ||
		    !frame_is_fill(m, off + 1, HWM_LEN, (unsigned)i))
			bad++;
		msg_free(&m);
	}
	CHECK_EQ_INT(got, accepted);
	CHECK_EQ_INT(bad, 0);
	struct msg *extra = wait_msg(e, 100);
	CHECK(extra == NULL);
	msg_free(&extra);
}

/* 9. SNDHWM on the DEALER and on the ROUTER */
static void test_sndhwm(void)
{
	char ep[300];
	endpoint(ep, sizeof(ep), "hwm");
	struct hubsock_opts o = { .sndhwm = 10 };
	struct ep r, d;
	pair_up(&r, &d, ep, "hwm", &o, &o);
	uint8_t *buf = malloc(HWM_LEN);
	/* DEALER -> a ROUTER that does not read */
	r.paused = 1;
	int accepted = 0, err = 0;
	for (int i = 0; i < 10000; i++) {
		errno = 0;
		if (send_numbered(d.hs, NULL, (uint32_t)i, buf) < 0) {
			err = errno;
			break;
		}
		accepted++;
	}
	fprintf(stderr, "  dealer accepted %d messages of 64 KiB before EAGAIN\n", accepted);
	CHECK_EQ_INT(err, EAGAIN);
	CHECK(accepted >= 10 && accepted < 10000);
	pump_for(50);	/* the dealer serviced: still full */
	errno = 0;
	CHECK_EQ_INT(send_numbered(d.hs, NULL, 99999, buf), -1);
	CHECK_EQ_INT(errno, EAGAIN);
	r.paused = 0;
	expect_numbered(&r, accepted, 1);
	CHECK_EQ_INT(send1(d.hs, NULL, "after"), 0);
	struct msg *m = wait_msg(&r, WAIT_MS);
	CHECK(frame_is(m, 1, "after"));
	msg_free(&m);

	/* ROUTER -> a DEALER that does not read: EAGAIN, not EHOSTUNREACH */
	d.paused = 1;
	accepted = 0;
	err = 0;
	for (int i = 0; i < 10000; i++) {
		errno = 0;
		if (send_numbered(r.hs, "hwm", (uint32_t)i, buf) < 0) {
			err = errno;
			break;
		}
		accepted++;
	}
	fprintf(stderr, "  router accepted %d messages of 64 KiB before EAGAIN\n", accepted);
	CHECK_EQ_INT(err, EAGAIN);
	CHECK(accepted >= 10 && accepted < 10000);
	CHECK_EQ_INT(hubsock_connected(r.hs, "hwm"), 1);
	d.paused = 0;
	expect_numbered(&d, accepted, 0);
	CHECK_EQ_INT(d.nev[HUBSOCK_EV_DISCONNECTED], 0);
	free(buf);
	ep_close(&d);
	ep_close(&r);
}

/* 10. hostile and malformed peers of the ROUTER */
static void test_router_hostile_peers(void)
{
	char ep[300];
	endpoint(ep, sizeof(ep), "host");
	struct hubsock_opts o = { .maxmsg = 1024 };
	struct ep r, d;
	pair_up(&r, &d, ep, "good", &o, NULL);
	int pipes0 = sigpipes;

	/* garbage instead of a greeting */
	int g = raw_connect(ep);
	CHECK(g >= 0);
	const char *http = "GET / HTTP/1.1\r\nHost: x\r\n\r\n0123456789012345678901234567890123456789";
	CHECK_EQ_INT(raw_write(g, http, strlen(http), WAIT_MS), 0);
	CHECK(raw_closed(g, WAIT_MS));
	close(g);

	/* a good signature, an unknown mechanism */
	g = raw_connect(ep);
	uint8_t gr[64];
	greeting(gr, "CURVE", 0);
	CHECK_EQ_INT(raw_write(g, gr, 64, WAIT_MS), 0);
	CHECK(raw_closed(g, WAIT_MS));
	close(g);

	/* a socket type a ROUTER does not talk to */
	g = raw_connect(ep);
	CHECK_EQ_INT(raw_handshake(g, "PUB", "pub"), 0);
	CHECK(raw_closed(g, WAIT_MS));
	close(g);
	CHECK_EQ_INT(hubsock_connected(r.hs, "pub"), 0);

	/* a stalled half greeting does not hold anyone up */
	int stall = raw_connect(ep);
	CHECK_EQ_INT(raw_write(stall, gr, 5, WAIT_MS), 0);

	/* byte by byte: greeting, READY, a message; the ROUTER's own greeting
	 * and READY are ZMTP 3 */
	int s = raw_connect(ep);
	uint8_t b[600];
	greeting(b, "NULL", 0);
	size_t n = 64 + ready_cmd(b + 64, "DEALER", "bytes");
	n += frame_hdr(b + n, 3, 1, 0);
	memcpy(b + n, "abc", 3);
	n += 3;
	n += frame_hdr(b + n, 2, 0, 1);	/* long header for a short frame is valid */
	memcpy(b + n, "de", 2);
	n += 2;
	for (size_t i = 0; i < n; i++) {
		CHECK_EQ_INT(raw_write(s, b + i, 1, WAIT_MS), 0);
		pump(0);
	}
	struct msg *m = wait_msg(&r, WAIT_MS);
	CHECK(m && m->n == 3 && frame_is(m, 0, "bytes") && frame_is(m, 1, "abc") && frame_is(m, 2, "de"));
	msg_free(&m);
	char type[32] = "";
	CHECK_EQ_INT(raw_expect_handshake(s, type, sizeof(type), NULL, 0), 0);
	CHECK_EQ_STR(type, "ROUTER");
	/* and it is routed to */
	CHECK_EQ_INT(send1(r.hs, "bytes", "xy"), 0);
	uint8_t in[4];
	CHECK_EQ_INT(raw_read(s, in, 4, WAIT_MS), 0);
	CHECK(in[0] == 0x00 && in[1] == 2 && in[2] == 'x' && in[3] == 'y');
	close(s);

	/* maxmsg: 1024 octets pass, 1025 close the connection */
	s = raw_connect(ep);
	CHECK_EQ_INT(raw_handshake(s, "DEALER", "edge"), 0);
	uint8_t *big = calloc(1, 1100);
	n = frame_hdr(big, 1024, 0, 0);
	CHECK_EQ_INT(raw_write(s, big, n + 1024, WAIT_MS), 0);
	m = wait_msg(&r, WAIT_MS);
	CHECK(m && m->n == 2 && frame_is(m, 0, "edge") && m->len[1] == 1024);
	msg_free(&m);
	n = frame_hdr(big, 1025, 0, 0);
	raw_write(s, big, n + 1025, WAIT_MS);	/* may fail half way: closed */
	CHECK(raw_closed(s, WAIT_MS));
	close(s);
	CHECK(wait_ev(&r, HUBSOCK_EV_PEER_OUT, 1, WAIT_MS));
	CHECK_EQ_INT(hubsock_connected(r.hs, "edge"), 0);
	m = wait_msg(&r, 100);
	CHECK(m == NULL);	/* no partial message */
	msg_free(&m);

	/* a length of 2^64-1, and an oversized frame inside a multipart */
	s = raw_connect(ep);
	CHECK_EQ_INT(raw_handshake(s, "DEALER", "huge"), 0);
	uint8_t hh[9] = { 0x02, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	CHECK_EQ_INT(raw_write(s, hh, 9, WAIT_MS), 0);
	CHECK(raw_closed(s, WAIT_MS));
	close(s);
	s = raw_connect(ep);
	CHECK_EQ_INT(raw_handshake(s, "DEALER", "multi"), 0);
	n = frame_hdr(big, 3, 1, 0);
	memcpy(big + n, "abc", 3);
	n += 3;
	n += frame_hdr(big + n, 5000, 0, 0);
	raw_write(s, big, n, WAIT_MS);
	CHECK(raw_closed(s, WAIT_MS));
	close(s);
	m = wait_msg(&r, 100);
	CHECK(m == NULL);
	msg_free(&m);
	free(big);

	/* a peer that vanishes while the ROUTER writes to it: no SIGPIPE */
	s = raw_connect(ep);
	CHECK_EQ_INT(raw_handshake(s, "DEALER", "gone"), 0);
	int64_t end = mono_ms() + WAIT_MS;
	while (!hubsock_connected(r.hs, "gone") && mono_ms() < end)
		pump(10);
	CHECK_EQ_INT(hubsock_connected(r.hs, "gone"), 1);
	close(s);
	int rc = send1(r.hs, "gone", "into the void");
	CHECK(rc == 0 || errno == EHOSTUNREACH || errno == EAGAIN);
	rc = send1(r.hs, "gone", "again");
	CHECK(rc == 0 || errno == EHOSTUNREACH || errno == EAGAIN);
	end = mono_ms() + WAIT_MS;
	while (hubsock_connected(r.hs, "gone") && mono_ms() < end)
		pump(10);
	CHECK_EQ_INT(hubsock_connected(r.hs, "gone"), 0);
	CHECK_EQ_INT(sigpipes - pipes0, 0);

	/* the good DEALER never noticed */
	CHECK_EQ_INT(send1(d.hs, NULL, "still here"), 0);
	m = wait_msg(&r, WAIT_MS);
	CHECK(frame_is(m, 0, "good") && frame_is(m, 1, "still here"));
	msg_free(&m);
	CHECK_EQ_INT(send1(r.hs, "good", "yes"), 0);
	m = wait_msg(&d, WAIT_MS);
	CHECK(frame_is(m, 0, "yes"));
	msg_free(&m);
	CHECK_EQ_INT(d.nev[HUBSOCK_EV_DISCONNECTED], 0);
	CHECK_EQ_INT(hubsock_connected(r.hs, "good"), 1);
	close(stall);
	ep_close(&d);
	ep_close(&r);
}

/* 10a. maxmsg bounds a frame, not a message: 20 frames of maxmsg pass */
static void test_maxmsg_is_per_message(void)
{
	char ep[300];
	endpoint(ep, sizeof(ep), "permsg");
	enum { NPF = 20 };
	struct hubsock_opts o = { .maxmsg = NPF * 1024 };
	struct ep r, d;
	pair_up(&r, &d, ep, "pf", &o, &o);
	uint8_t *buf = malloc(1024);
	fill(buf, 1024, 9);
	struct iovec iov[NPF + 1];
	for (int i = 0; i <= NPF; i++)
		iov[i] = (struct iovec){ buf, 1024 };
	/* exactly maxmsg in 20 frames: accepted both ways */
	CHECK_EQ_INT(hubsock_sendv(d.hs, NULL, iov, NPF), 0);
	struct msg *m = wait_msg(&r, WAIT_MS);
	CHECK(m && m->n == NPF + 1);
	for (int i = 0; m && i < NPF && m->n == NPF + 1; i++)
		CHECK(frame_is_fill(m, (size_t)i + 1, 1024, 9));
	msg_free(&m);
	CHECK_EQ_INT(hubsock_sendv(r.hs, "pf", iov, NPF), 0);
	m = wait_msg(&d, WAIT_MS);
	CHECK(m && m->n == NPF);
	msg_free(&m);
	CHECK_EQ_INT(r.nev[HUBSOCK_EV_PEER_OUT], 0);
	CHECK_EQ_INT(d.nev[HUBSOCK_EV_DISCONNECTED], 0);
	/* one frame more, each frame below maxmsg: the whole is too big, the
	 * receiving side closes that connection */
	CHECK_EQ_INT(hubsock_sendv(d.hs, NULL, iov, NPF + 1), 0);
	CHECK(wait_ev(&r, HUBSOCK_EV_PEER_OUT, 1, WAIT_MS));
	free(buf);
	ep_close(&d);
	ep_close(&r);
}

/* 10b. hostile ROUTERs seen by our DEALER */
static void test_dealer_hostile_router(void)
{
	char ep[300];
	endpoint(ep, sizeof(ep), "hostr");
	int l = raw_listen(ep);
	CHECK(l >= 0);
	struct hubsock_opts o = { .maxmsg = 1024, .reconnect_ms = 50 };
	struct ep d;
	ep_add(&d, mk_dealer(ep, "victim", &o));
	int pipes0 = sigpipes;

	/* the DEALER's greeting and READY (it may wait for our greeting before
	 * its READY) are right */
	int s = raw_accept(l, WAIT_MS);
	CHECK(s >= 0);
	uint8_t b[600];
	greeting(b, "NULL", 1);
	CHECK_EQ_INT(raw_write(s, b, 64, WAIT_MS), 0);
	char type[32] = "";
	char id[64] = "";
	CHECK_EQ_INT(raw_expect_handshake(s, type, sizeof(type), id, sizeof(id)), 0);
	CHECK_EQ_STR(type, "DEALER");
	CHECK_EQ_STR(id, "victim");
	CHECK_EQ_INT(hubsock_connected(d.hs, NULL), 0);
	size_t rl = ready_cmd(b, "ROUTER", NULL);
	CHECK_EQ_INT(raw_write(s, b, rl, WAIT_MS), 0);
	CHECK(wait_ev(&d, HUBSOCK_EV_CONNECTED, 1, WAIT_MS));
	/* a frame over maxmsg: the DEALER drops the connection */
	uint8_t *big = calloc(1, 1100);
	size_t n = frame_hdr(big, 1025, 0, 0);
	raw_write(s, big, n + 1025, WAIT_MS);
	CHECK(wait_ev(&d, HUBSOCK_EV_DISCONNECTED, 1, WAIT_MS));
	CHECK(raw_closed(s, WAIT_MS));
	close(s);
	CHECK_EQ_INT(d.nq, 0);

	/* it reconnects; this time garbage */
	s = raw_accept(l, WAIT_MS);
	CHECK(s >= 0);
	const char *junk = "\x01\x02 this is not ZMTP at all, not even close...........................";
	raw_write(s, junk, strlen(junk), WAIT_MS);
	CHECK(raw_closed(s, WAIT_MS));
	close(s);
	CHECK_EQ_INT(d.nev[HUBSOCK_EV_CONNECTED], 1);

	/* a ROUTER that vanishes while the DEALER writes: no SIGPIPE */
	s = raw_accept(l, WAIT_MS);
	CHECK(s >= 0);
	CHECK_EQ_INT(raw_handshake(s, "ROUTER", NULL), 0);
	CHECK(wait_ev(&d, HUBSOCK_EV_CONNECTED, 2, WAIT_MS));
	close(s);
	int rc = send1(d.hs, NULL, "into the void");
	CHECK(rc == 0 || errno == EAGAIN);
	rc = send1(d.hs, NULL, "again");
	CHECK(rc == 0 || errno == EAGAIN);
	CHECK(wait_ev(&d, HUBSOCK_EV_DISCONNECTED, 2, WAIT_MS));
	CHECK_EQ_INT(sigpipes - pipes0, 0);
	free(big);
	ep_close(&d);
	close(l);
}

/* fd readable right now (poll, 0 timeout) */
static int readable(struct hubsock *hs)
{
	struct pollfd p = { .fd = hubsock_fd(hs), .events = POLLIN };
	return poll(&p, 1, 0) > 0 && (p.revents & POLLIN);
}

/* after draining, the fd goes quiet within a short settle */
static int settles_quiet(struct hubsock *hs)
{
	for (int i = 0; i < 20; i++) {
		if (!readable(hs))
			return 1;
		size_t n;
		if (hubsock_recv(hs, &n) != NULL)
			return 0;	/* there was a message after all */
		usleep(5000);
	}
	return !readable(hs);
}

/* one side of the level-triggered test: `from` sends 3; `to`'s fd is
 * readable (and stays so when only polled); once it receives, the messages
 * read from the kernel come from hubsock_recv() without the fd (hubsock.h:
 * read until EAGAIN); after EAGAIN the fd is quiet, and a new message makes
 * it readable again */
static void level_one_side(struct hubsock *from, const char *route, struct hubsock *to)
{
	for (int i = 0; i < 3; i++)
		CHECK_EQ_INT(send1(from, route, "lvl"), 0);
	struct pollfd p = { .fd = hubsock_fd(to), .events = POLLIN };
	CHECK_EQ_INT(poll(&p, 1, WAIT_MS), 1);
	usleep(20000);	/* all three are in its socket */
	CHECK(readable(to));
	CHECK(readable(to));	/* polling again does not consume it */
	int got = 0;
	size_t n;
	while (got < 3 && hubsock_recv(to, &n))	/* no waiting in between */
		got++;
	CHECK_EQ_INT(got, 3);
	errno = 0;
	CHECK(hubsock_recv(to, &n) == NULL);
	CHECK_EQ_INT(errno, EAGAIN);
	CHECK(settles_quiet(to));
	CHECK_EQ_INT(send1(from, route, "lvl"), 0);
	CHECK_EQ_INT(poll(&p, 1, WAIT_MS), 1);
	CHECK(hubsock_recv(to, &n) != NULL);
	CHECK(hubsock_recv(to, &n) == NULL);
	CHECK(settles_quiet(to));
}

/* 11. hubsock_fd is level-triggered */
static void test_fd_level_triggered(void)
{
	char ep[300];
	endpoint(ep, sizeof(ep), "lvl");
	struct ep r, d;
	pair_up(&r, &d, ep, "lvl", NULL, NULL);
	pump_for(50);
	/* from here the test drives both itself */
	r.paused = d.paused = 1;
	CHECK(settles_quiet(r.hs));
	CHECK(settles_quiet(d.hs));
	level_one_side(d.hs, NULL, r.hs);
	level_one_side(r.hs, "lvl", d.hs);
	CHECK(settles_quiet(r.hs));
	CHECK(settles_quiet(d.hs));
	r.paused = d.paused = 0;
	ep_close(&d);
	ep_close(&r);
}

static char refused_why[200];
static int refused_count;
static void on_refused(struct hubsock *hs, const char *why, void *arg)
{
	(void)hs;
	(void)arg;
	snprintf(refused_why, sizeof(refused_why), "%s", why);
	refused_count++;
}

/* 11b. a peer that connects and never completes its handshake is closed
 * after handshake_ms, and the owner is told why; a good DEALER that comes
 * meanwhile is not disturbed */
static void test_handshake_timeout(void)
{
	char ep[300];
	endpoint(ep, sizeof(ep), "shake");
	struct hubsock_opts o = { .handshake_ms = 300 };
	struct ep r, d;
	ep_add(&r, mk_router(ep, &o));
	CHECK(r.hs != NULL);
	refused_count = 0;
	hubsock_set_refuse_fn(r.hs, on_refused, NULL);
	int silent = raw_connect(ep);
	CHECK(silent >= 0);
	uint8_t half[10] = { 0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f };	/* half a greeting, then nothing */
	int halfway = raw_connect(ep);
	CHECK(halfway >= 0 && raw_write(halfway, half, sizeof(half), WAIT_MS) == 0);
	ep_add(&d, mk_dealer(ep, "good", NULL));
	CHECK(wait_ev(&d, HUBSOCK_EV_CONNECTED, 1, WAIT_MS));
	/* (300 ms and at most the sweep's second: not for ever) */
	CHECK(raw_closed(silent, 5000));
	CHECK(raw_closed(halfway, 5000));
	CHECK_EQ_INT(refused_count, 2);
	CHECK(strstr(refused_why, "handshake not completed within 300 ms") != NULL);
	CHECK_EQ_INT(send1(d.hs, NULL, "still"), 0);
	struct msg *m = wait_msg(&r, WAIT_MS);
	CHECK(frame_is(m, 0, "good") && frame_is(m, 1, "still"));
	msg_free(&m);
	close(silent);
	close(halfway);
	ep_close(&d);
	ep_close(&r);
}

static unsigned file_mode(const char *ep)
{
	struct stat st;
	if (stat(ep_path(ep), &st) < 0)
		return 0;
	if (!S_ISSOCK(st.st_mode))
		return 01000000;
	return st.st_mode & 07777;
}

/* 12. the ipc file: mode, stale file replaced; abstract names */
static void test_ipc_file_mode(void)
{
	mode_t old = umask(022);
	char ep[300];
	endpoint(ep, sizeof(ep), "mode");
	struct hubsock_opts o = { .mode = 0600 };
	struct ep r, d;
	ep_add(&r, mk_router(ep, &o));
	CHECK(r.hs != NULL);
	CHECK_EQ_INT(file_mode(ep), 0600);
	ep_close(&r);

	endpoint(ep, sizeof(ep), "mode0");
	o.mode = 0;
	ep_add(&r, mk_router(ep, &o));
	CHECK_EQ_INT(file_mode(ep), 0600);
	ep_close(&r);

	endpoint(ep, sizeof(ep), "mode660");
	o.mode = 0660;	/* not cut down by the umask */
	ep_add(&r, mk_router(ep, &o));
	CHECK_EQ_INT(file_mode(ep), 0660);
	ep_close(&r);
	umask(old);

	/* a stale regular file is replaced */
	endpoint(ep, sizeof(ep), "stale");
	FILE *f = fopen(ep_path(ep), "w");
	CHECK(f != NULL);
	if (f) {
		fputs("stale\n", f);
		fclose(f);
	}
	ep_add(&r, mk_router(ep, NULL));
	CHECK(r.hs != NULL);
	CHECK_EQ_INT(file_mode(ep), 0600);
	ep_add(&d, mk_dealer(ep, "fresh", NULL));
	CHECK(wait_ev(&d, HUBSOCK_EV_CONNECTED, 1, WAIT_MS));
	CHECK_EQ_INT(send1(d.hs, NULL, "ok"), 0);
	struct msg *m = wait_msg(&r, WAIT_MS);
	CHECK(frame_is(m, 0, "fresh") && frame_is(m, 1, "ok"));
	msg_free(&m);
	ep_close(&d);
	ep_close(&r);

	/* the abstract namespace: no file */
	char aep[128];
	snprintf(aep, sizeof(aep), "ipc://@remsim-test-hubsock-%d", (int)getpid());
	pair_up(&r, &d, aep, "abs", NULL, NULL);
	CHECK_EQ_INT(send1(d.hs, NULL, "abs"), 0);
	m = wait_msg(&r, WAIT_MS);
	CHECK(frame_is(m, 0, "abs") && frame_is(m, 1, "abs"));
	msg_free(&m);
	ep_close(&d);
	ep_close(&r);
}

/* 13. LINGER: close flushes within linger_ms; linger 0 does not wait */
static void test_linger(void)
{
	char ep[300];
	endpoint(ep, sizeof(ep), "linger");
	void *z = zsock(ZMQ_ROUTER, NULL);
	CHECK_EQ_INT(zmq_bind(z, ep), 0);
	struct hubsock_opts o = { .linger_ms = WAIT_MS };
	struct ep d;
	ep_add(&d, mk_dealer(ep, "lin", &o));
	CHECK(wait_ev(&d, HUBSOCK_EV_CONNECTED, 1, WAIT_MS));
	uint8_t *buf = malloc(BIG);
	fill(buf, BIG, 5);
	struct iovec iov = { buf, BIG };
	CHECK_EQ_INT(hubsock_sendv(d.hs, NULL, &iov, 1), 0);
	ep_close(&d);	/* libzmq reads meanwhile (its own thread) */
	struct msg *m = zrecv(z, WAIT_MS);
	CHECK(frame_is(m, 0, "lin") && frame_is_fill(m, 1, BIG, 5));
	msg_free(&m);
	zmq_close(z);

	/* linger 0 and a ROUTER that never reads: close returns at once */
	endpoint(ep, sizeof(ep), "linger0");
	struct ep r;
	pair_up(&r, &d, ep, "lin0", NULL, NULL);
	r.paused = 1;
	CHECK_EQ_INT(hubsock_sendv(d.hs, NULL, &iov, 1), 0);
	int64_t t0 = mono_ms();
	ep_close(&d);
	CHECK(mono_ms() - t0 < 1000);
	r.paused = 0;
	ep_close(&r);
	free(buf);

	struct hubsock *none = NULL;
	hubsock_close(&none);	/* harmless */
}

/* 15. libzmq heartbeats (PING) are answered (PONG): libzmq keeps the
 * connection past its heartbeat timeout, both ways */
static void test_libzmq_heartbeats(void)
{
	char ep[300];
	endpoint(ep, sizeof(ep), "beat1");
	int ivl = 20, tmo = 200;
	struct ep r;
	ep_add(&r, mk_router(ep, NULL));
	void *z = zsock(ZMQ_DEALER, "zb");
	zmq_setsockopt(z, ZMQ_HEARTBEAT_IVL, &ivl, sizeof(ivl));
	zmq_setsockopt(z, ZMQ_HEARTBEAT_TIMEOUT, &tmo, sizeof(tmo));
	CHECK_EQ_INT(zmq_connect(z, ep), 0);
	CHECK(wait_ev(&r, HUBSOCK_EV_PEER_IN, 1, WAIT_MS));
	pump_for(800);
	CHECK_EQ_INT(r.nev[HUBSOCK_EV_PEER_IN], 1);
	CHECK_EQ_INT(r.nev[HUBSOCK_EV_PEER_OUT], 0);
	CHECK_EQ_INT(send1(r.hs, "zb", "alive"), 0);
	struct msg *m = zrecv(z, WAIT_MS);
	CHECK(frame_is(m, 0, "alive"));
	msg_free(&m);
	zmq_close(z);
	ep_close(&r);

	endpoint(ep, sizeof(ep), "beat2");
	z = zsock(ZMQ_ROUTER, NULL);
	zmq_setsockopt(z, ZMQ_HEARTBEAT_IVL, &ivl, sizeof(ivl));
	zmq_setsockopt(z, ZMQ_HEARTBEAT_TIMEOUT, &tmo, sizeof(tmo));
	CHECK_EQ_INT(zmq_bind(z, ep), 0);
	struct ep d;
	ep_add(&d, mk_dealer(ep, "ob", NULL));
	CHECK(wait_ev(&d, HUBSOCK_EV_CONNECTED, 1, WAIT_MS));
	pump_for(800);
	CHECK_EQ_INT(d.nev[HUBSOCK_EV_CONNECTED], 1);
	CHECK_EQ_INT(d.nev[HUBSOCK_EV_DISCONNECTED], 0);
	CHECK_EQ_INT(send1(d.hs, NULL, "alive"), 0);
	m = zrecv(z, WAIT_MS);
	CHECK(frame_is(m, 0, "ob") && frame_is(m, 1, "alive"));
	msg_free(&m);
	ep_close(&d);
	zmq_close(z);
}

/* 14. endpoints that cannot work are refused with a message */
static void test_bad_endpoints(void)
{
	const char *bad[] = { "tcp://127.0.0.1:5555", "ipc://", "nonsense", "" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char err[256] = "";
		struct hubsock *hs = hubsock_connect(bad[i], NULL, err, sizeof(err));
		CHECK(hs == NULL);
		CHECK(err[0] != '\0');
		hubsock_close(&hs);
		err[0] = '\0';
		hs = hubsock_bind(bad[i], NULL, err, sizeof(err));
		CHECK(hs == NULL);
		CHECK(err[0] != '\0');
		hubsock_close(&hs);
	}
	/* a folder that does not exist */
	char ep[400], err[256] = "";
	snprintf(ep, sizeof(ep), "ipc://%s/no/such/dir/sock", dir);
	struct hubsock *hs = hubsock_bind(ep, NULL, err, sizeof(err));
	CHECK(hs == NULL);
	CHECK(err[0] != '\0');
	hubsock_close(&hs);
	/* a path longer than sun_path */
	char longp[400];
	memset(longp, 'x', sizeof(longp));
	memcpy(longp, "ipc:///", 7);
	longp[sizeof(longp) - 1] = '\0';
	err[0] = '\0';
	hs = hubsock_bind(longp, NULL, err, sizeof(err));
	CHECK(hs == NULL);
	CHECK(err[0] != '\0');
	hubsock_close(&hs);
}

/* the private folder and the ipc files in it */
static int rm_dir(void)
{
	DIR *dp = opendir(dir);
	if (dp) {
		struct dirent *de;
		while ((de = readdir(dp)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			char p[600];
			snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
			unlink(p);
		}
		closedir(dp);
	}
	if (rmdir(dir) == 0)
		return 0;
	fprintf(stderr, "FAIL: %s: cannot remove %s: %s\n", __FILE__, dir, strerror(errno));
	return 1;
}

int main(void)
{
	struct sigaction sa = { .sa_handler = sigpipe_count };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPIPE, &sa, NULL);
	force_service = getenv("HUBSOCK_TEST_FORCE") && *getenv("HUBSOCK_TEST_FORCE") == '1';
	if (!tmp_mkdtemp("remsim-hubsock", dir, sizeof(dir))) {
		perror("mkdtemp");
		return 1;
	}
	zctx = zmq_ctx_new();
	RUN(test_dealer_router_roundtrip);
	RUN(test_libzmq_dealer_to_router);
	RUN(test_dealer_to_libzmq_router);
	RUN(test_large_and_many_frames);
	RUN(test_immediate_then_reconnect);
	RUN(test_router_mandatory);
	RUN(test_router_handover);
	RUN(test_peer_loss);
	RUN(test_sndhwm);
	RUN(test_router_hostile_peers);
	RUN(test_maxmsg_is_per_message);
	RUN(test_dealer_hostile_router);
	RUN(test_fd_level_triggered);
	RUN(test_ipc_file_mode);
	RUN(test_handshake_timeout);
	RUN(test_linger);
	RUN(test_libzmq_heartbeats);
	RUN(test_bad_endpoints);
	zmq_ctx_term(zctx);
	int left = rm_dir();
	return check_summary() | left;
}
