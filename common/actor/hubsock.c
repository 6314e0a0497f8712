/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hubsock.c: ZeroMQ ROUTER and DEALER sockets for the hub without libzmq's
 * I/O thread (hubsock.h).  ZMTP/3.0 (zmtp.h), NULL mechanism, over AF_UNIX
 * stream sockets.  Each hubsock owns an epoll set (its fd) holding its listener or
 * reconnect timer and its connections; hubsock_recv() does what is due on
 * them and parses whole messages straight out of each connection's input
 * buffer; hubsock_sendv() writes a message to the peer's socket at once
 * (one sendmsg), queueing only what the kernel does not take.
 *
 * A connection's life: GREETING (64 octets each way) -> HANDSHAKE (READY
 * each way) -> READY (messages) -> CLOSED; the octets are zmtp.c's.
 * Closed connections are freed at the next hubsock_recv(), so the frames of
 * the message being handled stay valid whatever the handler sends. */

#include "hubsock.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <unistd.h>

#include "fnv.h"
#include "monotime.h"
#include "zmtp.h"

#define IN_MIN_FREE	4096
#define IN_INITIAL	16384
#define HASH_SIZE	256
#define DIRECT_PARTS	32	/* up to this many frames: one sendmsg from the caller's buffers */
#define ACCEPT_BATCH	64
#define MAX_FRAMES	(1u << 20)	/* per message (a WELCOME has 4 per connection) */

enum cstate { CS_GREETING, CS_HANDSHAKE, CS_READY, CS_CLOSED };

struct conn {
	struct hubsock *hs;
	int fd;
	enum cstate st;
	int64_t born_ms;	/* for the handshake time limit */
	uint8_t id[ZMTP_ID_MAX + 1];
	size_t idlen;
	int hashed;		/* in hs->hash under id */
	int report_gone;	/* closed: tell DISCONNECTED / PEER_OUT at burial */
	int out_watched;	/* EPOLLOUT in the set */
	int ready_listed;	/* in hs->ready (may hold a whole message) */
	uint8_t *in;
	size_t inoff, inlen, incap;
	uint8_t *out;
	size_t outoff, outlen, outcap;
	unsigned outmsgs;	/* messages queued in out since it was last empty */
	struct conn *next;	/* all connections */
	struct conn *hnext;	/* hash chain */
	struct conn *rnext;	/* ready list */
};

struct hubsock {
	enum hubsock_type type;
	struct hubsock_opts o;
	char ident[ZMTP_ID_MAX + 1];
	int ep;			/* the epoll set: hubsock_fd() */
	int lfd;		/* ROUTER: listener */
	int tfd;		/* DEALER: reconnect timer; ROUTER: accept pause */
	int hfd;		/* every second while handshakes are pending */
	unsigned nshaking;	/* connections not READY yet */
	struct sockaddr_un sa;
	socklen_t salen;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];	/* file to unlink */
	struct conn *conns;
	struct conn *grave;	/* closed, freed at the next hubsock_recv() */
	struct conn *hash[HASH_SIZE];
	struct conn *ready, *ready_tail;
	struct conn *dealer;	/* DEALER: the current connection, if any */
	int drained;		/* the last epoll_wait's sockets were all read dry */
	uint32_t next_id;
	hubsock_event_fn *evfn;
	void *evarg;
	hubsock_refuse_fn *refn;
	void *refarg;
	struct hubsock_frame *frames;
	size_t fcap;
};

/* ---- small helpers --------------------------------------------------------- */

static unsigned hash_id(const void *id, size_t len)
{
	return fnv1a(id, len) % HASH_SIZE;
}

static struct conn *route_find(const struct hubsock *hs, const void *id, size_t len)
{
	for (struct conn *c = hs->hash[hash_id(id, len)]; c; c = c->hnext)
		if (c->idlen == len && !memcmp(c->id, id, len))
			return c;
	return NULL;
}

static void route_del(struct hubsock *hs, struct conn *c)
{
	if (!c->hashed)
		return;
	for (struct conn **pp = &hs->hash[hash_id(c->id, c->idlen)]; *pp; pp = &(*pp)->hnext)
		if (*pp == c) {
			*pp = c->hnext;
			break;
		}
	c->hashed = 0;
}

static void emit(struct hubsock *hs, enum hubsock_event ev, const struct conn *c)
{
	if (!hs->evfn)
		return;
	char route[ZMTP_ID_MAX + 1];
	size_t n = c ? c->idlen : 0;
	memcpy(route, c ? c->id : (const uint8_t *)"", n);
	route[n] = '\0';
	hs->evfn(hs, ev, route, hs->evarg);
}

static int reserve(uint8_t **buf, size_t *cap, size_t need)
{
	if (need <= *cap)
		return 0;
	size_t nc = *cap ? *cap : IN_INITIAL;
	while (nc < need)
		nc *= 2;
	uint8_t *nb = realloc(*buf, nc);
	if (!nb)
		return -1;
	*buf = nb;
	*cap = nc;
	return 0;
}

/* The handshake sweep: on (every second) while connections shake hands. */
static void sweep_timer(struct hubsock *hs, int on)
{
	struct itimerspec its = { 0 };
	if (on)
		its.it_value.tv_sec = its.it_interval.tv_sec = 1;
	timerfd_settime(hs->hfd, 0, &its, NULL);
}

static void arm_timer(int tfd, unsigned ms)
{
	struct itimerspec its = { 0 };
	its.it_value.tv_sec = ms / 1000;
	its.it_value.tv_nsec = (long)(ms % 1000) * 1000000L + (ms ? 0 : 1);
	timerfd_settime(tfd, 0, &its, NULL);
}

/* ---- connections ------------------------------------------------------------ */

static void watch_out(struct conn *c, int on)
{
	if (c->out_watched == on || c->st == CS_CLOSED)
		return;
	struct epoll_event e = { .events = EPOLLIN | (on ? EPOLLOUT : 0), .data.ptr = c };
	if (epoll_ctl(c->hs->ep, EPOLL_CTL_MOD, c->fd, &e) == 0)
		c->out_watched = on;
}

static void ready_del(struct hubsock *hs, struct conn *c)
{
	if (!c->ready_listed)
		return;
	struct conn *prev = NULL;
	for (struct conn *r = hs->ready; r; prev = r, r = r->rnext)
		if (r == c) {
			if (prev)
				prev->rnext = r->rnext;
			else
				hs->ready = r->rnext;
			if (hs->ready_tail == r)
				hs->ready_tail = prev;
			break;
		}
	c->ready_listed = 0;
	c->rnext = NULL;
}

static void ready_add(struct hubsock *hs, struct conn *c)
{
	if (c->ready_listed)
		return;
	c->ready_listed = 1;
	c->rnext = NULL;
	if (hs->ready_tail)
		hs->ready_tail->rnext = c;
	else
		hs->ready = c;
	hs->ready_tail = c;
}

static void dealer_lost(struct hubsock *hs);

/* Off the epoll set and the routes; freed (and reported) at the next recv. */
static void conn_close(struct conn *c)
{
	struct hubsock *hs = c->hs;
	if (c->st == CS_CLOSED)
		return;
	int was_ready = c->st == CS_READY;
	if (!was_ready && --hs->nshaking == 0)
		sweep_timer(hs, 0);
	c->st = CS_CLOSED;
	epoll_ctl(hs->ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
	ready_del(hs, c);
	for (struct conn **pp = &hs->conns; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	/* reported as gone only when it was routable and still owned its route
	 * (a handed-over one is not: its route lives on) */
	c->report_gone = was_ready && (hs->type == HUBSOCK_DEALER || c->hashed);
	route_del(hs, c);
	c->next = hs->grave;
	hs->grave = c;
	if (hs->type == HUBSOCK_DEALER && hs->dealer == c) {
		hs->dealer = NULL;
		dealer_lost(hs);
	}
}

static void bury(struct hubsock *hs)
{
	while (hs->grave) {
		struct conn *c = hs->grave;
		hs->grave = c->next;
		if (c->report_gone)
			emit(hs, hs->type == HUBSOCK_DEALER ? HUBSOCK_EV_DISCONNECTED : HUBSOCK_EV_PEER_OUT, c);
		free(c->in);
		free(c->out);
		free(c);
	}
}

/* Write what is queued.  0, or -1 when the connection broke (closed). */
static int flush_out(struct conn *c)
{
	while (c->outoff < c->outlen) {
		ssize_t w = send(c->fd, c->out + c->outoff, c->outlen - c->outoff, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				watch_out(c, 1);
				return 0;
			}
			conn_close(c);
			return -1;
		}
		c->outoff += (size_t)w;
	}
	c->outoff = c->outlen = 0;
	c->outmsgs = 0;
	watch_out(c, 0);
	return 0;
}

static int queue_out(struct conn *c, const void *data, size_t len)
{
	if (c->outoff && c->outoff == c->outlen)
		c->outoff = c->outlen = 0;
	if (reserve(&c->out, &c->outcap, c->outlen + len) < 0)
		return -1;
	memcpy(c->out + c->outlen, data, len);
	c->outlen += len;
	return 0;
}

static struct conn *conn_new(struct hubsock *hs, int fd)
{
	struct conn *c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return NULL;
	}
	c->hs = hs;
	c->fd = fd;
	c->st = CS_GREETING;
	c->born_ms = mono_ms();
	struct epoll_event e = { .events = EPOLLIN, .data.ptr = c };
	if (epoll_ctl(hs->ep, EPOLL_CTL_ADD, fd, &e) < 0) {
		close(fd);
		free(c);
		return NULL;
	}
	c->next = hs->conns;
	hs->conns = c;
	if (hs->nshaking++ == 0)
		sweep_timer(hs, 1);
	/* our greeting goes at once; the peer's is read as it comes */
	uint8_t g[ZMTP_GREETING_LEN];
	zmtp_greeting(g);
	if (queue_out(c, g, sizeof(g)) < 0 || flush_out(c) < 0) {
		conn_close(c);
		return NULL;
	}
	return c;
}

/* ---- the handshake ----------------------------------------------------------- */

static int send_ready(struct conn *c)
{
	uint8_t body[ZMTP_READY_MAX], hdr[ZMTP_HDR_MAX];
	size_t k = zmtp_ready_build(body, c->hs->type == HUBSOCK_ROUTER ? "ROUTER" : "DEALER", c->hs->ident);
	size_t hl = zmtp_put_hdr(hdr, k, ZMTP_F_COMMAND);
	return queue_out(c, hdr, hl) < 0 || queue_out(c, body, k) < 0 ? -1 : flush_out(c);
}

/* The peer's READY command body.  NULL, or why it is refused. */
static const char *take_ready(struct conn *c, const uint8_t *p, size_t n)
{
	struct hubsock *hs = c->hs;
	struct zmtp_ready r;
	if (zmtp_ready_parse(p, n, &r) < 0)
		return "handshake: not a READY command with a Socket-Type";
	if (!zmtp_types_fit(hs->type == HUBSOCK_ROUTER ? "ROUTER" : "DEALER", r.type, r.typelen))
		return hs->type == HUBSOCK_ROUTER ? "handshake: a socket type a ROUTER does not serve"
						  : "handshake: a socket type a DEALER does not serve";
	const uint8_t *id = r.id;
	size_t idlen = r.idlen;
	c->st = CS_READY;
	if (--hs->nshaking == 0)
		sweep_timer(hs, 0);
	if (hs->type == HUBSOCK_DEALER) {
		emit(hs, HUBSOCK_EV_CONNECTED, c);
		return NULL;
	}
	if (idlen && id[0] != 0) {
		memcpy(c->id, id, idlen);
		c->idlen = idlen;
	} else {	/* none (or one reserved for generated ids): make one */
		uint32_t g = ++hs->next_id;
		uint8_t gen[5] = { 0, (uint8_t)(g >> 24), (uint8_t)(g >> 16), (uint8_t)(g >> 8), (uint8_t)g };
		memcpy(c->id, gen, 5);
		c->idlen = 5;
	}
	struct conn *old = route_find(hs, c->id, c->idlen);
	if (old) {	/* handover: the new connection takes the name */
		route_del(hs, old);
		conn_close(old);
	}
	unsigned h = hash_id(c->id, c->idlen);
	c->hnext = hs->hash[h];
	hs->hash[h] = c;
	c->hashed = 1;
	emit(hs, HUBSOCK_EV_PEER_IN, c);
	return NULL;
}

/* ---- parsing --------------------------------------------------------------- */

static int grow_frames(struct hubsock *hs, size_t need)
{
	if (need <= hs->fcap)
		return 0;
	size_t nc = hs->fcap ? hs->fcap * 2 : 64;
	while (nc < need)
		nc *= 2;
	struct hubsock_frame *f = realloc(hs->frames, nc * sizeof(*f));
	if (!f)
		return -1;
	hs->frames = f;
	hs->fcap = nc;
	return 0;
}

/* Commands while READY: PING is answered, the rest ignored; ERROR ends. */
static int take_command(struct conn *c, const uint8_t *p, size_t n)
{
	if (zmtp_is_command(p, n, "PING")) {
		uint8_t pong[2 + 5 + 16];
		size_t k = zmtp_pong_for(p, n, pong);
		return k && queue_out(c, pong, k) == 0 ? flush_out(c) : -1;
	}
	return zmtp_is_command(p, n, "ERROR") ? -1 : 0;
}

/* What a step did with a connection's buffered input. */
enum { STEP_CLOSED = -1, STEP_NEED_INPUT = 0, STEP_MESSAGE = 1, STEP_AGAIN = 2 };

static int closed(struct conn *c)
{
	conn_close(c);
	return STEP_CLOSED;
}

/* Close a connection whose peer broke the protocol, telling the owner why
 * (hubsock_set_refuse_fn). */
static int refused(struct conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int refused(struct conn *c, const char *fmt, ...)
{
	struct hubsock *hs = c->hs;
	if (hs->refn) {
		char why[160];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(why, sizeof(why), fmt, ap);
		va_end(ap);
		hs->refn(hs, why, hs->refarg);
	}
	return closed(c);
}

/* Close the connections whose handshake took longer than handshake_ms
 * (a peer that connects and says nothing holds a descriptor for ever). */
static void sweep_handshakes(struct hubsock *hs)
{
	uint64_t n;
	if (read(hs->hfd, &n, sizeof(n)) < 0 && errno == EAGAIN)
		return;
	int64_t now = mono_ms();
	for (struct conn *c = hs->conns, *next; c; c = next) {
		next = c->next;
		if (c->st != CS_READY && now - c->born_ms >= (int64_t)hs->o.handshake_ms)
			refused(c, "handshake not completed within %u ms", hs->o.handshake_ms);
	}
}

/* CS_GREETING: the peer's 64 octets; then our READY. */
static int step_greeting(struct conn *c, const uint8_t *p, size_t avail, size_t *nf)
{
	(void)nf;
	if (avail < ZMTP_GREETING_LEN)
		return STEP_NEED_INPUT;
	if (!zmtp_greeting_ok(p))
		return refused(c, "greeting: not ZMTP 3 with the NULL mechanism");
	c->inoff += ZMTP_GREETING_LEN;
	c->st = CS_HANDSHAKE;
	return send_ready(c) < 0 ? closed(c) : STEP_AGAIN;
}

/* CS_HANDSHAKE: the peer's READY. */
static int step_handshake(struct conn *c, const uint8_t *p, size_t avail, size_t *nf)
{
	(void)nf;
	uint8_t fl;
	uint64_t sz;
	size_t h = zmtp_get_hdr(p, avail, &fl, &sz);
	if (!h)
		return STEP_NEED_INPUT;
	if (!(fl & ZMTP_F_COMMAND) || sz > 65536)
		return refused(c, "handshake: a message or a %llu-octet command where READY belongs",
			       (unsigned long long)sz);
	if (avail - h < sz)
		return STEP_NEED_INPUT;
	const char *why = take_ready(c, p + h, (size_t)sz);
	if (why)
		return refused(c, "%s", why);
	c->inoff += h + (size_t)sz;
	return STEP_AGAIN;
}

/* CS_READY: a whole message (frames up to one without MORE) into
 * hs->frames, or a command between messages. */
static int step_message(struct conn *c, const uint8_t *p, size_t avail, size_t *nf)
{
	struct hubsock *hs = c->hs;
	size_t off = 0, n = 0;
	uint64_t body = 0;	/* octets in the message's frames so far */
	if (hs->type == HUBSOCK_ROUTER) {
		if (grow_frames(hs, 1) < 0)
			return closed(c);
		hs->frames[n++] = (struct hubsock_frame){ c->id, c->idlen };
	}
	for (;;) {
		uint8_t fl;
		uint64_t sz;
		size_t h = zmtp_get_hdr(p + off, avail - off, &fl, &sz);
		if (!h)
			return STEP_NEED_INPUT;
		body += sz;
		if (sz > hs->o.maxmsg || body > hs->o.maxmsg)
			return refused(c, "a message of more than %zu octets", hs->o.maxmsg);
		if (n > MAX_FRAMES)
			return refused(c, "a message of more than %u frames", MAX_FRAMES);
		if (avail - off - h < sz)
			return STEP_NEED_INPUT;
		if (fl & ZMTP_F_COMMAND) {
			/* (never between the frames of a message) */
			if (off)
				return refused(c, "a command between the frames of a message");
			if (take_command(c, p + h, (size_t)sz) < 0)
				return refused(c, "an ERROR or malformed command");
			c->inoff += h + (size_t)sz;
			return STEP_AGAIN;
		}
		if (grow_frames(hs, n + 1) < 0)
			return closed(c);
		hs->frames[n++] = (struct hubsock_frame){ p + off + h, (size_t)sz };
		off += h + (size_t)sz;
		if (!(fl & ZMTP_F_MORE)) {
			c->inoff += off;
			*nf = n;
			return STEP_MESSAGE;
		}
	}
}

typedef int (step_fn)(struct conn *c, const uint8_t *p, size_t avail, size_t *nf);
static step_fn *const steps[] = {
	[CS_GREETING] = step_greeting,
	[CS_HANDSHAKE] = step_handshake,
	[CS_READY] = step_message,
};

/* Step a connection on its buffered input.  1: a message is in hs->frames
 * (*nf frames); 0: more input needed; -1: closed. */
static int conn_step(struct conn *c, size_t *nf)
{
	int r;
	do {
		if (c->st == CS_CLOSED)
			return STEP_CLOSED;
		r = steps[c->st](c, c->in + c->inoff, c->inlen - c->inoff, nf);
	} while (r == STEP_AGAIN);
	return r;
}

/* Read once into c's buffer.  2: got octets and the socket is dry (a short
 * read); 1: got octets, maybe more; 0: nothing now; -1: closed. */
static int conn_read(struct conn *c)
{
	if (c->inoff == c->inlen) {
		c->inoff = c->inlen = 0;
	} else if (c->incap - c->inlen < IN_MIN_FREE && c->inoff) {
		memmove(c->in, c->in + c->inoff, c->inlen - c->inoff);
		c->inlen -= c->inoff;
		c->inoff = 0;
	}
	/* (a message's frames count against maxmsg as they are parsed, its
	 * headers too: a message never fills more than this) */
	if (c->incap - c->inlen < IN_MIN_FREE &&
	    (c->inlen > 10 * c->hs->o.maxmsg + 65536 ||
	     reserve(&c->in, &c->incap, c->inlen + IN_MIN_FREE) < 0)) {
		conn_close(c);
		return -1;
	}
	for (;;) {
		ssize_t r = recv(c->fd, c->in + c->inlen, c->incap - c->inlen, MSG_DONTWAIT);
		if (r > 0) {
			size_t room = c->incap - c->inlen;
			c->inlen += (size_t)r;
			return (size_t)r < room ? 2 : 1;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		conn_close(c);	/* EOF or error */
		return -1;
	}
}

/* ---- DEALER: connecting ------------------------------------------------------- */

static void dealer_try(struct hubsock *hs)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		arm_timer(hs->tfd, hs->o.reconnect_ms);
		return;
	}
	if (connect(fd, (struct sockaddr *)&hs->sa, hs->salen) < 0 && errno != EINPROGRESS) {
		close(fd);
		arm_timer(hs->tfd, hs->o.reconnect_ms);
		return;
	}
	hs->dealer = conn_new(hs, fd);
	if (!hs->dealer)
		arm_timer(hs->tfd, hs->o.reconnect_ms);
}

static void dealer_lost(struct hubsock *hs)
{
	arm_timer(hs->tfd, 0);	/* the first attempt at once */
}

/* ---- ROUTER: accepting --------------------------------------------------------- */

static void router_accept(struct hubsock *hs)
{
	for (int i = 0; i < ACCEPT_BATCH; i++) {
		int fd = accept4(hs->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0) {
			conn_new(hs, fd);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
			/* out of fds: pause the listener rather than spin on it */
			epoll_ctl(hs->ep, EPOLL_CTL_DEL, hs->lfd, NULL);
			arm_timer(hs->tfd, 100);
		}
		return;
	}
}

static void timer_fired(struct hubsock *hs)
{
	uint64_t n;
	if (read(hs->tfd, &n, sizeof(n)) < 0 && errno == EAGAIN)
		return;
	if (hs->type == HUBSOCK_DEALER) {
		if (!hs->dealer)
			dealer_try(hs);
		return;
	}
	struct epoll_event e = { .events = EPOLLIN, .data.ptr = &hs->lfd };
	epoll_ctl(hs->ep, EPOLL_CTL_ADD, hs->lfd, &e);
}

/* ---- public ------------------------------------------------------------------ */

static int parse_ep(struct hubsock *hs, const char *ep, char *err, size_t errlen)
{
	const char *p = strncmp(ep, "ipc://", 6) == 0 ? ep + 6 : NULL;
	size_t n = p ? strlen(p) : 0;
	if (!p || !n || n >= sizeof(hs->sa.sun_path)) {
		snprintf(err, errlen, "hub endpoint '%s': not ipc://PATH (at most %zu octets)", ep,
			 sizeof(hs->sa.sun_path) - 1);
		return -1;
	}
	memset(&hs->sa, 0, sizeof(hs->sa));
	hs->sa.sun_family = AF_UNIX;
	memcpy(hs->sa.sun_path, p, n);
	if (p[0] == '@') {	/* abstract namespace */
		hs->sa.sun_path[0] = '\0';
		hs->salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	} else {
		hs->salen = (socklen_t)sizeof(hs->sa);
		memcpy(hs->path, p, n + 1);
	}
	return 0;
}

/* A hubsock of type t for endpoint, with its epoll set and timer. */
static struct hubsock *hs_new(enum hubsock_type t, const char *endpoint, const struct hubsock_opts *o,
			      char *err, size_t errlen)
{
	struct hubsock *hs = calloc(1, sizeof(*hs));
	if (!hs) {
		snprintf(err, errlen, "cannot create the hub socket: %s", strerror(errno));
		return NULL;
	}
	hs->type = t;
	if (o)
		hs->o = *o;
	if (!hs->o.sndhwm)
		hs->o.sndhwm = 1000;
	if (!hs->o.reconnect_ms)
		hs->o.reconnect_ms = 100;
	if (!hs->o.mode)
		hs->o.mode = 0600;
	if (!hs->o.maxmsg)
		hs->o.maxmsg = 16u << 20;
	if (!hs->o.handshake_ms)
		hs->o.handshake_ms = 30000;
	snprintf(hs->ident, sizeof(hs->ident), "%s", o && o->identity ? o->identity : "");
	hs->o.identity = NULL;
	hs->lfd = -1;
	hs->ep = epoll_create1(EPOLL_CLOEXEC);
	hs->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	hs->hfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	struct epoll_event e = { .events = EPOLLIN, .data.ptr = &hs->tfd };
	struct epoll_event eh = { .events = EPOLLIN, .data.ptr = &hs->hfd };
	if (hs->ep < 0 || hs->tfd < 0 || hs->hfd < 0 || epoll_ctl(hs->ep, EPOLL_CTL_ADD, hs->tfd, &e) < 0 ||
	    epoll_ctl(hs->ep, EPOLL_CTL_ADD, hs->hfd, &eh) < 0) {
		snprintf(err, errlen, "cannot create the hub socket: %s", strerror(errno));
		hubsock_close(&hs);
		return NULL;
	}
	if (parse_ep(hs, endpoint, err, errlen) < 0)
		hubsock_close(&hs);
	return hs;
}

struct hubsock *hubsock_bind(const char *endpoint, const struct hubsock_opts *o, char *err, size_t errlen)
{
	struct hubsock *hs = hs_new(HUBSOCK_ROUTER, endpoint, o, err, errlen);
	if (!hs)
		return NULL;
	hs->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (hs->lfd < 0) {
		snprintf(err, errlen, "cannot bind %s: %s", endpoint, strerror(errno));
		goto fail;
	}
	if (hs->path[0])
		unlink(hs->path);	/* a stale file of an earlier broker */
	mode_t old = umask(~hs->o.mode & 0777);
	int rc = bind(hs->lfd, (struct sockaddr *)&hs->sa, hs->salen);
	int e = errno;
	umask(old);
	if (rc < 0 || listen(hs->lfd, SOMAXCONN) < 0) {
		snprintf(err, errlen, "cannot bind %s: %s", endpoint, strerror(rc < 0 ? e : errno));
		hs->path[0] = '\0';	/* not ours to remove */
		goto fail;
	}
	if (hs->path[0] && chmod(hs->path, hs->o.mode) < 0) {
		snprintf(err, errlen, "cannot set mode %04o on %s: %s", hs->o.mode, hs->path, strerror(errno));
		goto fail;
	}
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &hs->lfd };
	if (epoll_ctl(hs->ep, EPOLL_CTL_ADD, hs->lfd, &ev) < 0) {
		snprintf(err, errlen, "cannot watch %s: %s", endpoint, strerror(errno));
		goto fail;
	}
	return hs;
fail:
	hubsock_close(&hs);
	return NULL;
}

struct hubsock *hubsock_connect(const char *endpoint, const struct hubsock_opts *o, char *err, size_t errlen)
{
	struct hubsock *hs = hs_new(HUBSOCK_DEALER, endpoint, o, err, errlen);
	if (!hs)
		return NULL;
	hs->path[0] = '\0';	/* the listener's, not ours */
	dealer_try(hs);
	return hs;
}

/* DEALER: give queued output up to linger_ms to leave. */
static void linger(struct hubsock *hs)
{
	struct conn *c = hs->dealer;
	if (!c || c->st != CS_READY || !hs->o.linger_ms)
		return;
	int64_t end = mono_ms() + hs->o.linger_ms;
	while (c->st == CS_READY && c->outoff < c->outlen) {
		int64_t left = end - mono_ms();
		if (left <= 0)
			break;
		struct pollfd p = { .fd = c->fd, .events = POLLOUT };
		if (poll(&p, 1, (int)left) <= 0)
			break;
		if (flush_out(c) < 0)
			break;
	}
}

void hubsock_close(struct hubsock **hsp)
{
	struct hubsock *hs = hsp ? *hsp : NULL;
	if (!hs)
		return;
	linger(hs);
	hs->evfn = NULL;
	hs->refn = NULL;
	hs->type = HUBSOCK_ROUTER;	/* no reconnect from here on */
	while (hs->conns)
		conn_close(hs->conns);
	bury(hs);
	if (hs->lfd >= 0) {
		close(hs->lfd);
		if (hs->path[0])
			unlink(hs->path);
	}
	if (hs->tfd >= 0)
		close(hs->tfd);
	if (hs->hfd >= 0)
		close(hs->hfd);
	if (hs->ep >= 0)
		close(hs->ep);
	free(hs->frames);
	free(hs);
	*hsp = NULL;
}

enum hubsock_type hubsock_type(const struct hubsock *hs)
{
	return hs->type;
}

void hubsock_set_event_fn(struct hubsock *hs, hubsock_event_fn *fn, void *arg)
{
	hs->evfn = fn;
	hs->evarg = arg;
}

void hubsock_set_refuse_fn(struct hubsock *hs, hubsock_refuse_fn *fn, void *arg)
{
	hs->refn = fn;
	hs->refarg = arg;
}

int hubsock_fd(const struct hubsock *hs)
{
	return hs->ep;
}

int hubsock_connected(const struct hubsock *hs, const char *route)
{
	if (hs->type == HUBSOCK_DEALER)
		return hs->dealer && hs->dealer->st == CS_READY;
	return route && route_find(hs, route, strlen(route)) != NULL;
}

const struct hubsock_frame *hubsock_recv(struct hubsock *hs, size_t *nframes)
{
	int polled = 0;
	for (;;) {
		bury(hs);
		/* whole messages already read come first, round robin */
		while (hs->ready) {
			struct conn *c = hs->ready;
			size_t nf = 0;
			int r = conn_step(c, &nf);
			if (r == 1) {
				if (hs->ready != hs->ready_tail) {	/* to the back of the line */
					ready_del(hs, c);
					ready_add(hs, c);
				}
				*nframes = nf;
				return hs->frames;
			}
			if (r == 0)
				ready_del(hs, c);
		}
		if (polled)
			break;
		if (hs->drained) {
			/* the last look read every socket dry and what it read is
			 * parsed: anything newer makes the fd readable, so the
			 * caller's wait sees it (saves an epoll_wait a message) */
			hs->drained = 0;
			break;
		}
		struct epoll_event evs[64];
		int n = epoll_wait(hs->ep, evs, 64, 0);
		polled = n < 64;	/* a full set: look again after these */
		if (n <= 0)
			break;
		int dry = polled;
		for (int i = 0; i < n; i++) {
			void *d = evs[i].data.ptr;
			if (d == &hs->tfd || d == &hs->lfd || d == &hs->hfd) {
				if (d == &hs->tfd)
					timer_fired(hs);
				else if (d == &hs->lfd)
					router_accept(hs);
				else
					sweep_handshakes(hs);
				dry = 0;	/* (a new connection may have input already) */
				continue;
			}
			struct conn *c = d;
			if (c->st == CS_CLOSED)
				continue;
			if ((evs[i].events & EPOLLOUT) && flush_out(c) < 0)
				continue;
			if (!(evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
				continue;
			int r = conn_read(c);
			if (r > 0)
				ready_add(hs, c);
			if (r == 1)
				dry = 0;
		}
		hs->drained = dry;
	}
	hs->drained = 0;	/* (it only ever spans a message's return and the next call) */
	errno = EAGAIN;
	return NULL;
}

int hubsock_wait(struct hubsock *hs, int timeout_ms)
{
	struct pollfd p = { .fd = hs->ep, .events = POLLIN };
	int r;
	do
		r = poll(&p, 1, timeout_ms < 0 ? 0 : timeout_ms);
	while (r < 0 && errno == EINTR);
	return r > 0;
}

const struct hubsock_frame *hubsock_recv_wait(struct hubsock *hs, size_t *nframes, int timeout_ms)
{
	int64_t end = mono_ms() + timeout_ms;
	for (;;) {
		const struct hubsock_frame *f = hubsock_recv(hs, nframes);
		if (f)
			return f;
		int64_t left = end - mono_ms();
		if (left <= 0)
			break;
		hubsock_wait(hs, (int)left);
	}
	errno = EAGAIN;
	return NULL;
}

/* -1 with the errno of "no such peer" for this socket type: EAGAIN on a
 * DEALER (not connected, as IMMEDIATE says), EHOSTUNREACH on a ROUTER. */
static int no_peer(const struct hubsock *hs)
{
	errno = hs->type == HUBSOCK_DEALER ? EAGAIN : EHOSTUNREACH;
	return -1;
}

/* Octets of v (after the first `skip`) into c's queue.  0, or -1 (out of
 * memory: the connection is closed, half a message cannot be taken back). */
static int queue_msg(struct conn *c, const struct iovec *v, size_t k, size_t skip)
{
	for (size_t i = 0; i < k; i++) {
		if (skip >= v[i].iov_len) {
			skip -= v[i].iov_len;
			continue;
		}
		if (queue_out(c, (const uint8_t *)v[i].iov_base + skip, v[i].iov_len - skip) < 0) {
			conn_close(c);
			errno = ENOMEM;
			return -1;
		}
		skip = 0;
	}
	return 0;
}

int hubsock_sendv_to(struct hubsock *hs, const void *route, size_t routelen,
		     const struct iovec *parts, size_t n)
{
	if (!n || (hs->type == HUBSOCK_ROUTER && !route)) {
		errno = EINVAL;
		return -1;
	}
	struct conn *c = hs->type == HUBSOCK_DEALER ? hs->dealer : route_find(hs, route, routelen);
	if (!c || c->st != CS_READY)
		return no_peer(hs);
	if (c->outmsgs >= hs->o.sndhwm) {
		errno = EAGAIN;
		return -1;
	}
	if (c->outoff < c->outlen || n > DIRECT_PARTS) {
		/* behind queued output (or too many parts for one sendmsg): queue */
		for (size_t i = 0; i < n; i++) {
			uint8_t h[ZMTP_HDR_MAX];
			struct iovec hv[2] = { { h, zmtp_put_hdr(h, parts[i].iov_len, i + 1 < n ? ZMTP_F_MORE : 0) },
					       parts[i] };
			if (queue_msg(c, hv, 2, 0) < 0)
				return -1;
		}
		c->outmsgs++;
		/* a peer found gone here took the message with it */
		return flush_out(c) < 0 ? no_peer(hs) : 0;
	}
	uint8_t hdr[DIRECT_PARTS * ZMTP_HDR_MAX];
	struct iovec iov[DIRECT_PARTS * 2];
	size_t k = 0, hl = 0, total = 0;
	for (size_t i = 0; i < n; i++) {
		size_t l = zmtp_put_hdr(hdr + hl, parts[i].iov_len, i + 1 < n ? ZMTP_F_MORE : 0);
		iov[k++] = (struct iovec){ hdr + hl, l };
		hl += l;
		if (parts[i].iov_len)
			iov[k++] = parts[i];
		total += l + parts[i].iov_len;
	}
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = k };
	ssize_t w;
	do
		w = sendmsg(c->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
	while (w < 0 && errno == EINTR);
	if (w < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			conn_close(c);	/* the peer is gone, and the message with it */
			return no_peer(hs);
		}
		w = 0;
	}
	if ((size_t)w == total)
		return 0;
	/* the kernel took part of it: queue the rest */
	if (queue_msg(c, iov, k, (size_t)w) < 0)
		return -1;
	c->outmsgs++;
	watch_out(c, 1);
	return 0;
}

int hubsock_sendv(struct hubsock *hs, const char *route, const struct iovec *parts, size_t n)
{
	return hubsock_sendv_to(hs, route, route ? strlen(route) : 0, parts, n);
}
