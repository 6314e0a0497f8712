/* SPDX-License-Identifier: GPL-2.0-or-later */
/* evloop.c: one epoll set for raw fds and ZeroMQ sockets, plus timers (see
 * evloop.h for the ZMQ_FD rules).  Watchers are found by fd in an array;
 * removed watchers and timers are only marked and freed after the turn, so
 * a callback may remove anything, itself included.  Fds epoll refuses
 * (regular files, /dev/null: EPERM) are always ready, as poll() has them. */
#include "evloop.h"
#include "monotime.h"

#include <czmq.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "envelope.h"

#define EV_BATCH	64

struct ev_watch {
	int fd;
	int dead;
	int always;		/* not pollable: ready every turn (on l->always) */
	unsigned events;
	ev_fd_fn *fn;
	void *arg;
	/* ZeroMQ sockets only */
	void *zsock;
	enum evz_mode mode;
	ev_zsock_fn *zfn;
	int ready;		/* 1: signalled (maybe input), 2: input seen: call zfn */
	int clean;		/* read until EAGAIN since the last operation we know of */
	uint64_t tx_mark;	/* env_tx_count() when it was left clean */
	struct ev_watch *next;	/* zsocks list, or the graveyard */
	struct ev_watch *anext;	/* l->always */
};

struct ev_timer {
	int id;
	int dead;
	unsigned ms, remaining;
	int64_t due;
	ev_timer_fn *fn;
	void *arg;
	struct ev_timer *next;
};

struct evloop {
	int ep;
	int stop;
	struct ev_watch **byfd;
	size_t nbyfd;
	struct ev_watch *zsocks;
	struct ev_watch *always;	/* watchers of fds epoll cannot watch */
	struct ev_watch *grave;
	struct ev_timer *timers;
	int next_timer_id;
	int timers_dead;	/* some timers are marked dead */
};

struct evloop *evloop_new(void)
{
	struct evloop *l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->ep = epoll_create1(EPOLL_CLOEXEC);
	if (l->ep < 0) {
		free(l);
		return NULL;
	}
	return l;
}

static void bury(struct evloop *l, struct ev_watch *w)
{
	if (w->always)
		for (struct ev_watch **pp = &l->always; *pp; pp = &(*pp)->anext)
			if (*pp == w) {
				*pp = w->anext;
				break;
			}
	w->dead = 1;
	w->next = l->grave;
	l->grave = w;
}

static void sweep(struct evloop *l)
{
	while (l->grave) {
		struct ev_watch *w = l->grave;
		l->grave = w->next;
		free(w);
	}
	if (!l->timers_dead)
		return;
	l->timers_dead = 0;
	for (struct ev_timer **pp = &l->timers; *pp;) {
		struct ev_timer *t = *pp;
		if (t->dead) {
			*pp = t->next;
			free(t);
		} else {
			pp = &t->next;
		}
	}
}

void evloop_destroy(struct evloop **lp)
{
	struct evloop *l = lp ? *lp : NULL;
	if (!l)
		return;
	for (size_t i = 0; i < l->nbyfd; i++)
		if (l->byfd[i] && !l->byfd[i]->zsock)
			bury(l, l->byfd[i]);
	while (l->zsocks) {
		struct ev_watch *w = l->zsocks;
		l->zsocks = w->next;
		if (w->mode == EVZ_ENVELOPE)
			env_tx_untrack(w->zsock);
		bury(l, w);
	}
	for (struct ev_timer *t = l->timers; t; t = t->next)
		t->dead = 1;
	l->timers_dead = 1;
	sweep(l);
	free(l->byfd);
	close(l->ep);
	free(l);
	*lp = NULL;
}

/* ---- fds ------------------------------------------------------------------ */

static uint32_t to_epoll(unsigned events)
{
	return (events & EV_IN ? EPOLLIN : 0) | (events & EV_OUT ? EPOLLOUT : 0);
}

static int slot_for(struct evloop *l, int fd)
{
	if (fd < 0) {
		errno = EBADF;
		return -1;
	}
	if ((size_t)fd < l->nbyfd)
		return 0;
	size_t n = l->nbyfd ? l->nbyfd : 64;
	while (n <= (size_t)fd)
		n *= 2;
	struct ev_watch **t = realloc(l->byfd, n * sizeof(*t));
	if (!t)
		return -1;
	memset(t + l->nbyfd, 0, (n - l->nbyfd) * sizeof(*t));
	l->byfd = t;
	l->nbyfd = n;
	return 0;
}

static struct ev_watch *watch_add(struct evloop *l, int fd, unsigned events)
{
	if (slot_for(l, fd) < 0)
		return NULL;
	struct ev_watch *w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->fd = fd;
	w->events = events;
	struct epoll_event ev = { .events = to_epoll(events), .data.ptr = w };
	int op = EPOLL_CTL_ADD;
	if (l->byfd[fd]) {	/* the caller closed the old fd without removing it */
		bury(l, l->byfd[fd]);
		l->byfd[fd] = NULL;
		op = EPOLL_CTL_MOD;
	}
	int rc = epoll_ctl(l->ep, op, fd, &ev);
	if (rc < 0 && errno == ENOENT)
		rc = epoll_ctl(l->ep, EPOLL_CTL_ADD, fd, &ev);
	else if (rc < 0 && errno == EEXIST)
		rc = epoll_ctl(l->ep, EPOLL_CTL_MOD, fd, &ev);
	if (rc < 0 && errno == EPERM) {	/* a regular file or the like */
		w->always = 1;
		rc = 0;
	}
	if (rc < 0) {
		int e = errno;
		free(w);
		errno = e;
		return NULL;
	}
	l->byfd[fd] = w;
	if (w->always) {
		w->anext = l->always;
		l->always = w;
	}
	return w;
}

int evloop_fd_add(struct evloop *l, int fd, unsigned events, ev_fd_fn *fn, void *arg)
{
	struct ev_watch *w = watch_add(l, fd, events);
	if (!w)
		return -1;
	w->fn = fn;
	w->arg = arg;
	return 0;
}

int evloop_fd_mod(struct evloop *l, int fd, unsigned events)
{
	struct ev_watch *w = fd >= 0 && (size_t)fd < l->nbyfd ? l->byfd[fd] : NULL;
	if (!w) {
		errno = ENOENT;
		return -1;
	}
	if (w->events == events)
		return 0;
	w->events = events;
	if (w->always)
		return 0;
	struct epoll_event ev = { .events = to_epoll(events), .data.ptr = w };
	return epoll_ctl(l->ep, EPOLL_CTL_MOD, fd, &ev);
}

void evloop_fd_del(struct evloop *l, int fd)
{
	struct ev_watch *w = fd >= 0 && (size_t)fd < l->nbyfd ? l->byfd[fd] : NULL;
	if (!w || w->zsock)
		return;
	if (!w->always)
		epoll_ctl(l->ep, EPOLL_CTL_DEL, fd, NULL);
	l->byfd[fd] = NULL;
	bury(l, w);
}

/* ---- ZeroMQ sockets ------------------------------------------------------- */

int evloop_zsock_add(struct evloop *l, void *zsock, enum evz_mode mode, ev_zsock_fn *fn, void *arg)
{
	int fd;
	size_t sl = sizeof(fd);
	if (zmq_getsockopt(zsock, ZMQ_FD, &fd, &sl) < 0)
		return -1;
	struct ev_watch *w = watch_add(l, fd, EV_IN);
	if (!w)
		return -1;
	w->zsock = zsock;
	w->mode = mode;
	if (mode == EVZ_ENVELOPE)
		env_tx_track(zsock);
	w->zfn = fn;
	w->arg = arg;
	w->next = l->zsocks;	/* clean = 0: looked at before the first sleep */
	l->zsocks = w;
	return 0;
}

int evloop_src_add(struct evloop *l, int fd, void *src, ev_zsock_fn *fn, void *arg)
{
	struct ev_watch *w = watch_add(l, fd, EV_IN);
	if (!w)
		return -1;
	w->zsock = src;
	w->mode = EVZ_SOURCE;
	w->zfn = fn;
	w->arg = arg;
	w->next = l->zsocks;	/* clean = 0: looked at before the first sleep */
	l->zsocks = w;
	return 0;
}

void evloop_zsock_del(struct evloop *l, void *zsock)
{
	for (struct ev_watch **pp = &l->zsocks; *pp; pp = &(*pp)->next) {
		struct ev_watch *w = *pp;
		if (w->zsock != zsock)
			continue;
		*pp = w->next;
		if (w->mode == EVZ_ENVELOPE)
			env_tx_untrack(zsock);
		epoll_ctl(l->ep, EPOLL_CTL_DEL, w->fd, NULL);
		if ((size_t)w->fd < l->nbyfd && l->byfd[w->fd] == w)
			l->byfd[w->fd] = NULL;
		bury(l, w);
		return;
	}
}

/* May input be waiting that the fd will not signal? */
static int needs_check(const struct ev_watch *w)
{
	if (!w->clean || w->mode == EVZ_LEVEL)
		return 1;
	if (w->mode == EVZ_SOURCE)	/* its fd is level-triggered: it tells */
		return 0;
	return w->mode == EVZ_ENVELOPE && w->tx_mark != env_tx_count(w->zsock);
}

static int has_input(void *zsock)
{
	int ev = 0;
	size_t sl = sizeof(ev);
	return zmq_getsockopt(zsock, ZMQ_EVENTS, &ev, &sl) == 0 && (ev & ZMQ_POLLIN);
}

/* Before sleeping: 1 when some socket has input already. */
static int zsocks_check(struct evloop *l)
{
	int any = 0;
	for (struct ev_watch *w = l->zsocks; w; w = w->next) {
		if (w->ready) {
			any = 1;
		} else if (needs_check(w)) {
			if (w->mode == EVZ_SOURCE || has_input(w->zsock)) {
				w->ready = 2;
				any = 1;
			} else {
				w->clean = 1;
				w->tx_mark = env_tx_count(w->zsock);
			}
		}
	}
	return any;
}

static void zsocks_dispatch(struct evloop *l)
{
	for (struct ev_watch *w = l->zsocks; w && !l->stop; w = w->next) {
		if (w->dead || !w->ready)
			continue;
		/* a LEVEL handler may block on its receive: only with input */
		int confirmed = w->ready == 2 || w->mode != EVZ_LEVEL || has_input(w->zsock);
		w->ready = 0;
		if (!confirmed)
			continue;
		int r = w->zfn(l, w->zsock, w->arg);
		if (w->dead)
			continue;
		w->clean = r == EVZ_DRAINED;
		w->tx_mark = env_tx_count(w->zsock);
		if (r != EVZ_DRAINED && w->mode != EVZ_LEVEL)
			w->ready = 1;	/* stopped early: more at once (it does not block) */
	}
}

/* ---- timers --------------------------------------------------------------- */

int evloop_timer_add(struct evloop *l, unsigned ms, unsigned times, ev_timer_fn *fn, void *arg)
{
	struct ev_timer *t = calloc(1, sizeof(*t));
	if (!t)
		return -1;
	if (++l->next_timer_id <= 0)
		l->next_timer_id = 1;
	t->id = l->next_timer_id;
	t->ms = ms ? ms : 1;
	t->remaining = times;
	t->due = mono_ms() + t->ms;
	t->fn = fn;
	t->arg = arg;
	t->next = l->timers;
	l->timers = t;
	return t->id;
}

void evloop_timer_cancel(struct evloop *l, int id)
{
	for (struct ev_timer *t = l->timers; t; t = t->next)
		if (t->id == id && !t->dead) {
			t->dead = 1;
			l->timers_dead = 1;
			return;
		}
}

/* Milliseconds until the next timer (-1: none). */
static int64_t timers_wait(const struct evloop *l, int64_t now)
{
	int64_t best = -1;
	for (const struct ev_timer *t = l->timers; t; t = t->next) {
		if (t->dead)
			continue;
		int64_t d = t->due > now ? t->due - now : 0;
		if (best < 0 || d < best)
			best = d;
	}
	return best;
}

static void timers_run(struct evloop *l)
{
	int64_t now = mono_ms();
	/* timers added by a callback wait for the next turn (they are at the head) */
	struct ev_timer *first = l->timers;
	for (struct ev_timer *t = first; t && !l->stop; t = t->next) {
		if (t->dead || t->due > now)
			continue;
		if (t->remaining && --t->remaining == 0) {
			t->dead = 1;
			l->timers_dead = 1;
		} else {
			t->due = now + t->ms;
		}
		t->fn(l, t->id, t->arg);
	}
}

/* ---- the loop ------------------------------------------------------------- */

int evloop_once(struct evloop *l, int max_ms)
{
	struct epoll_event evs[EV_BATCH];
	int64_t wait = zsocks_check(l) || l->always ? 0 : timers_wait(l, mono_ms());
	if (max_ms >= 0 && (wait < 0 || wait > max_ms))
		wait = max_ms;
	int n = epoll_wait(l->ep, evs, EV_BATCH, (int)(wait > 0x7fffffff ? 0x7fffffff : wait));
	if (n < 0 && errno != EINTR)
		return -1;
	for (int i = 0; i < n && !l->stop; i++) {
		struct ev_watch *w = evs[i].data.ptr;
		if (w->dead)
			continue;
		if (w->zsock) {
			w->ready = 1;
			continue;
		}
		uint32_t e = evs[i].events;
		/* a hang-up is input (the read says EOF, after any data left) */
		unsigned re = (e & (EPOLLIN | EPOLLHUP) ? EV_IN : 0) | (e & EPOLLOUT ? EV_OUT : 0) |
			      (e & EPOLLERR ? EV_ERR : 0);
		w->fn(l, w->fd, re, w->arg);
	}
	for (struct ev_watch *w = l->always, *nx; w && !l->stop; w = nx) {
		nx = w->anext;	/* (removed ones are unlinked, not freed, until the sweep) */
		if (!w->dead && (w->events & (EV_IN | EV_OUT)))
			w->fn(l, w->fd, w->events & (EV_IN | EV_OUT), w->arg);
	}
	if (!l->stop)
		zsocks_dispatch(l);
	if (!l->stop)
		timers_run(l);
	sweep(l);
	return 0;
}

int evloop_run(struct evloop *l)
{
	while (!l->stop && !zsys_interrupted)
		if (evloop_once(l, -1) < 0)
			return -1;
	return 0;
}

void evloop_stop(struct evloop *l) { l->stop = 1; }
