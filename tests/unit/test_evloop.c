/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_evloop.c: the epoll loop of the broker and the actors (evloop.h):
 * the ZMQ_FD edge case (a send from a timer while messages arrive must
 * never leave one waiting), handlers that stop early, LEVEL sockets read one
 * message per call, raw fds, timers (repeat, count, cancel from a callback),
 * removal of a watcher from inside a callback, fds epoll refuses (always
 * ready) and hang-ups (input until EOF, not errors). */
#include <czmq.h>
#include <fcntl.h>
#include <unistd.h>

#include "check.h"
#include "monotime.h"
#include "envelope.h"
#include "evloop.h"

struct edge {
	void *dealer, *router;
	int sent_by_peer, got, echoed, batch;
	struct env_msg m;
};

/* read until EAGAIN, or at most `batch` (then EVZ_MORE) */
static int on_dealer(struct evloop *l, void *sock, void *arg)
{
	(void)l;
	struct edge *e = arg;
	for (int i = 0; !e->batch || i < e->batch; i++) {
		if (env_msg_recv(&e->m, sock, ZMQ_DONTWAIT) < 0)
			return EVZ_DRAINED;
		e->got++;
	}
	return EVZ_MORE;
}

/* The peer sends to the DEALER, then the DEALER sends (through envelope.c)
 * from inside the loop: that send may process the DEALER's "message
 * arrived" command and leave its ZMQ_FD quiet. */
static void peer_then_send(struct evloop *l, int id, void *arg)
{
	(void)l;
	(void)id;
	struct edge *e = arg;
	if (zmq_send(e->router, "d", 1, ZMQ_SNDMORE) == 1 && zmq_send(e->router, "RECV", 4, 0) == 4)
		e->sent_by_peer++;
	usleep(1500);	/* past libzmq's command throttle: the send does process commands */
	struct env_part p = { "TELL", 4 };
	if (env_sendv(e->dealer, NULL, &p, 1) == 0)
		e->echoed++;
}

static void edge_setup(struct edge *e, const char *ep, zsock_t **r, zsock_t **d)
{
	memset(e, 0, sizeof(*e));
	*r = zsock_new(ZMQ_ROUTER);
	zsock_bind(*r, "%s", ep);
	*d = zsock_new(ZMQ_DEALER);
	zsock_set_identity(*d, "d");
	zsock_connect(*d, "%s", ep);
	e->router = zsock_resolve(*r);
	e->dealer = zsock_resolve(*d);
	env_msg_init(&e->m);
	zclock_sleep(50);	/* the ipc connection is up */
}

/* Turns until `got` reaches want or 3 s pass. */
static void run_until(struct evloop *l, const int *got, int want)
{
	int64_t end = mono_ms() + 3000;
	while (*got < want && mono_ms() < end)
		evloop_once(l, 100);
}

static void test_send_from_timer_never_strands_a_message(void)
{
	struct edge e;
	zsock_t *r, *d;
	edge_setup(&e, "ipc://@remsim-test-evloop-edge", &r, &d);
	struct evloop *l = evloop_new();
	CHECK(l != NULL);
	CHECK(evloop_zsock_add(l, e.dealer, EVZ_ENVELOPE, on_dealer, &e) == 0);
	CHECK(evloop_timer_add(l, 2, 100, peer_then_send, &e) > 0);
	/* the peer also sends bursts between turns */
	int64_t end = mono_ms() + 5000;
	while ((e.sent_by_peer < 100 || e.got < e.sent_by_peer) && mono_ms() < end) {
		evloop_once(l, 100);
		if (e.echoed < 100 && zmq_send(e.router, "d", 1, ZMQ_SNDMORE) == 1 &&
		    zmq_send(e.router, "X", 1, 0) == 1)
			e.sent_by_peer++;
	}
	CHECK(e.sent_by_peer >= 100);
	CHECK_EQ_INT(e.echoed, 100);
	CHECK_EQ_INT(e.got, e.sent_by_peer);
	evloop_destroy(&l);
	env_msg_free(&e.m);
	zsock_destroy(&d);
	zsock_destroy(&r);
}

/* A handler that stops after one message is called again before the loop
 * sleeps: 50 queued messages are all read with no further signal. */
static void test_handler_stopping_early_is_called_again(void)
{
	struct edge e;
	zsock_t *r, *d;
	edge_setup(&e, "ipc://@remsim-test-evloop-batch", &r, &d);
	e.batch = 1;
	struct evloop *l = evloop_new();
	CHECK(evloop_zsock_add(l, e.dealer, EVZ_ENVELOPE, on_dealer, &e) == 0);
	for (int i = 0; i < 50; i++) {
		zmq_send(e.router, "d", 1, ZMQ_SNDMORE);
		zmq_send(e.router, "X", 1, 0);
	}
	run_until(l, &e.got, 50);
	CHECK_EQ_INT(e.got, 50);
	evloop_destroy(&l);
	env_msg_free(&e.m);
	zsock_destroy(&d);
	zsock_destroy(&r);
}

/* LEVEL: a handler that reads one message per call with a blocking
 * receive is only called when a message is there. */
static int level_got;
static int on_level(struct evloop *l, void *sock, void *arg)
{
	(void)l;
	(void)arg;
	char *s = zstr_recv(sock);	/* blocking: must never be called without input */
	if (s)
		level_got++;
	zstr_free(&s);
	return EVZ_MORE;
}

static void test_level_socket_one_message_per_call(void)
{
	zsock_t *push = zsock_new_push("inproc://evloop-level");
	zsock_t *pull = zsock_new_pull("inproc://evloop-level");
	struct evloop *l = evloop_new();
	level_got = 0;
	CHECK(evloop_zsock_add(l, zsock_resolve(pull), EVZ_LEVEL, on_level, NULL) == 0);
	for (int i = 0; i < 20; i++)
		zstr_send(push, "x");
	run_until(l, &level_got, 20);
	CHECK_EQ_INT(level_got, 20);
	for (int i = 0; i < 5; i++)	/* nothing there: no call (it would block) */
		evloop_once(l, 10);
	CHECK_EQ_INT(level_got, 20);
	evloop_destroy(&l);
	zsock_destroy(&pull);
	zsock_destroy(&push);
}

/* ---- raw fds and timers ----------------------------------------------------- */

struct fdt {
	int pipe[2];
	int reads, ticks, once, cancelled_calls, tick_id, victim_id;
	struct evloop *l;
};

static void on_pipe(struct evloop *l, int fd, unsigned revents, void *arg)
{
	struct fdt *t = arg;
	char buf[16];
	CHECK(revents & EV_IN);
	if (read(fd, buf, sizeof(buf)) > 0)
		t->reads++;
	if (t->reads == 2)
		evloop_fd_del(l, fd);	/* removing itself inside its callback */
}

static void on_victim(struct evloop *l, int id, void *arg)
{
	(void)l;
	(void)id;
	((struct fdt *)arg)->cancelled_calls++;
}

static void on_tick(struct evloop *l, int id, void *arg)
{
	struct fdt *t = arg;
	CHECK_EQ_INT(id, t->tick_id);
	if (++t->ticks == 1)
		evloop_timer_cancel(l, t->victim_id);	/* a pending timer: never called */
	if (t->ticks == 3)
		evloop_timer_cancel(l, id);		/* itself */
}

static void on_once(struct evloop *l, int id, void *arg)
{
	(void)l;
	(void)id;
	((struct fdt *)arg)->once++;
}

static void test_fds_and_timers(void)
{
	struct fdt t = { .reads = 0 };
	CHECK(pipe(t.pipe) == 0);
	struct evloop *l = evloop_new();
	CHECK(evloop_fd_add(l, t.pipe[0], EV_IN, on_pipe, &t) == 0);
	t.tick_id = evloop_timer_add(l, 5, 0, on_tick, &t);
	t.victim_id = evloop_timer_add(l, 300, 1, on_victim, &t);
	CHECK(evloop_timer_add(l, 1, 2, on_once, &t) > 0);
	CHECK(write(t.pipe[1], "a", 1) == 1);
	int64_t end = mono_ms() + 1000;
	while (mono_ms() < end)
		evloop_once(l, 10);
	CHECK_EQ_INT(t.reads, 1);
	CHECK_EQ_INT(t.ticks, 3);	/* cancelled itself at 3 */
	CHECK_EQ_INT(t.once, 2);	/* `times` = 2 */
	CHECK_EQ_INT(t.cancelled_calls, 0);
	CHECK(write(t.pipe[1], "b", 1) == 1);
	evloop_once(l, 100);
	CHECK_EQ_INT(t.reads, 2);
	CHECK(write(t.pipe[1], "c", 1) == 1);	/* removed: no more calls */
	evloop_once(l, 20);
	CHECK_EQ_INT(t.reads, 2);
	/* a closed fd's number reused at once: the new watcher is the one called */
	close(t.pipe[0]);
	int p2[2];
	CHECK(pipe(p2) == 0);
	CHECK(evloop_fd_add(l, p2[0], EV_IN, on_pipe, &t) == 0);
	CHECK(write(p2[1], "d", 1) == 1);
	evloop_once(l, 100);
	CHECK_EQ_INT(t.reads, 3);
	evloop_fd_del(l, p2[0]);
	close(p2[0]);
	close(p2[1]);
	close(t.pipe[1]);
	evloop_destroy(&l);
	CHECK(l == NULL);
}

/* stdin from a file or /dev/null: epoll refuses it, the loop calls it at
 * once (as poll would), so EOF is seen */
static int null_reads, null_eof;
static void on_null(struct evloop *l, int fd, unsigned revents, void *arg)
{
	(void)arg;
	char buf[8];
	null_reads++;
	CHECK(revents & EV_IN);
	if (read(fd, buf, sizeof(buf)) == 0) {
		null_eof = 1;
		evloop_fd_del(l, fd);
	}
}

static void test_unpollable_fd_is_always_ready(void)
{
	int fd = open("/dev/null", O_RDONLY);
	CHECK(fd >= 0);
	struct evloop *l = evloop_new();
	CHECK(evloop_fd_add(l, fd, EV_IN, on_null, NULL) == 0);
	int64_t t0 = mono_ms();
	evloop_once(l, 2000);	/* must not sleep */
	CHECK(mono_ms() - t0 < 1000);
	CHECK_EQ_INT(null_eof, 1);
	evloop_once(l, 10);	/* removed: not called again */
	CHECK_EQ_INT(null_reads, 1);
	close(fd);
	evloop_destroy(&l);
}

/* a pipe whose writer is gone still delivers what it holds before EOF */
static int hup_bytes, hup_eof, hup_err;
static void on_hup(struct evloop *l, int fd, unsigned revents, void *arg)
{
	(void)arg;
	char c;
	hup_err |= !!(revents & EV_ERR);
	ssize_t r = read(fd, &c, 1);	/* one octet per call */
	if (r == 1)
		hup_bytes++;
	else if (r == 0) {
		hup_eof = 1;
		evloop_fd_del(l, fd);
	}
}

static void test_hangup_is_input_until_eof(void)
{
	int p[2];
	CHECK(pipe(p) == 0);
	CHECK(write(p[1], "abc", 3) == 3);
	close(p[1]);
	struct evloop *l = evloop_new();
	CHECK(evloop_fd_add(l, p[0], EV_IN, on_hup, NULL) == 0);
	for (int i = 0; i < 10 && !hup_eof; i++)
		evloop_once(l, 100);
	CHECK_EQ_INT(hup_bytes, 3);
	CHECK_EQ_INT(hup_eof, 1);
	CHECK_EQ_INT(hup_err, 0);
	close(p[0]);
	evloop_destroy(&l);
}

int main(void)
{
	zsys_init();
	RUN(test_send_from_timer_never_strands_a_message);
	RUN(test_handler_stopping_early_is_called_again);
	RUN(test_level_socket_one_message_per_call);
	RUN(test_fds_and_timers);
	RUN(test_unpollable_fd_is_always_ready);
	RUN(test_hangup_is_input_until_eof);
	zsys_shutdown();
	return check_summary();
}
