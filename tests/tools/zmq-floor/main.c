/* SPDX-License-Identifier: GPL-2.0-or-later */
/* main.c: zmq-floor, the ZeroMQ floor of the data path: a ping-pong between
 * two processes with the socket types and transport remsim's hub uses (an
 * actor's DEALER connected over ipc:// to the broker's ROUTER, which echoes):
 * the hub's own sockets (hubsock.h) with --hubsock, libzmq's otherwise.
 * Each APDU crosses such a pair four times, so 4 x (round trip / 2) is what
 * the actor design costs at the least.  Prints numbers only.
 *
 *   zmq-floor [-n N] [-s SIZE] [-f FRAMES] [--poll] [--io-threads N]
 *             [--hubsock] [--socketpair] [--dir DIR]
 *
 *   -n N            round trips measured (default 10000; 500 more to warm up)
 *   -s SIZE         payload octets (default 48, about a STATUS TPDU's PDU)
 *   -f FRAMES       frames per message, the payload in the last (default 1)
 *   --poll          zmq_poll() before each receive, as an event loop does
 *   --io-threads N  libzmq I/O threads per context (default 1)
 *   --hubsock       the hub's sockets (hubsock.h: ZMTP without libzmq's I/O
 *                   thread), each side waiting in poll() on hubsock_fd()
 *   --socketpair    the same ping-pong over a plain AF_UNIX socketpair
 *   --cpu A,B       pin the pinging process (all its threads) to CPU A and
 *                   the echoing one to CPU B (-1: not pinned)
 *   --tcp           tcp://127.0.0.1 instead of ipc:// (a comparison)
 *   --echo STYLE    how the echoing side waits: block (zmq_msg_recv, default),
 *                   zpoll (zmq_poll on its socket, as zloop does), zpoll2
 *                   (zmq_poll on it and an idle second socket, as the
 *                   broker's loop with its control socket), fd (poll() on
 *                   ZMQ_FD, then receive with ZMQ_DONTWAIT until EAGAIN)
 *   --dir DIR       where the ipc socket lives (default a new /tmp dir)
 * Output, one line:
 *   MODE n= min= p50= p90= p99= max= mean= us oneway_p50=X */
#include "latstat.h"
#include "tmpdir.h"
#include "monotime.h"
#include "log.h"
#include "hubsock.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#define WARMUP 500
#define MAX_FRAMES 8

struct opts {
	long n;
	size_t size;
	int frames, poll, io_threads, socketpair, tcp, hubsock;
	int cpu[2];		/* pinger, echoer; -1 = not pinned */
	const char *echo;	/* how the echo side waits */
	char endpoint[512];
};

/* Pin the calling process (threads created later inherit it). */
static void pin(int cpu)
{
	if (cpu < 0)
		return;
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		LOGW(NULL, "cannot pin to CPU %d: %s", cpu, strerror(errno));
}

static int wait_in(void *sock, int use_poll)
{
	if (!use_poll)
		return 0;
	zmq_pollitem_t pi = { sock, 0, ZMQ_POLLIN, 0 };
	return zmq_poll(&pi, 1, -1) < 0 ? -1 : 0;
}

/* One message (all frames) from s echoed back; 0, 1 nothing there (DONTWAIT), -1 error. */
static int echo_one(void *s, int flags)
{
	zmq_msg_t m[MAX_FRAMES + 1];
	int k = 0, more = 1;
	while (more && k <= MAX_FRAMES) {
		zmq_msg_init(&m[k]);
		if (zmq_msg_recv(&m[k], s, k ? 0 : flags) < 0)
			return errno == EAGAIN ? 1 : -1;
		more = zmq_msg_more(&m[k]);
		k++;
	}
	for (int i = 0; i < k; i++)
		zmq_msg_send(&m[i], s, i < k - 1 ? ZMQ_SNDMORE : 0);
	return 0;
}

/* The broker side: echo every message (routing id included) back, waiting
 * as o->echo says (see the top of the file). */
static int router_echo(const struct opts *o, void *ctx)
{
	void *s = zmq_socket(ctx, ZMQ_ROUTER), *idle = NULL;
	if (!s || zmq_bind(s, o->endpoint) < 0) {
		LOGE(NULL, "ROUTER bind %s: %s", o->endpoint, zmq_strerror(errno));
		return 1;
	}
	if (!strcmp(o->echo, "zpoll2")) {	/* a second, idle socket in the set (the broker's control socket) */
		char ep[600];
		snprintf(ep, sizeof(ep), "%s.idle", o->endpoint);
		idle = zmq_socket(ctx, ZMQ_ROUTER);
		if (!idle || zmq_bind(idle, ep) < 0)
			return 1;
	}
	int fd = -1;
	size_t fl = sizeof(fd);
	zmq_getsockopt(s, ZMQ_FD, &fd, &fl);
	for (;;) {
		if (!strcmp(o->echo, "fd")) {
			/* wait on the socket's fd (edge-triggered: drain until EAGAIN) */
			struct pollfd p = { fd, POLLIN, 0 };
			if (poll(&p, 1, -1) < 0 && errno != EINTR)
				break;
			int rc;
			while ((rc = echo_one(s, ZMQ_DONTWAIT)) == 0)
				;
			if (rc < 0)
				break;
			continue;
		}
		if (idle) {
			zmq_pollitem_t pi[2] = { { s, 0, ZMQ_POLLIN, 0 }, { idle, 0, ZMQ_POLLIN, 0 } };
			if (zmq_poll(pi, 2, -1) < 0)
				break;
		} else if (wait_in(s, o->poll || !strcmp(o->echo, "zpoll")) < 0) {
			break;
		}
		if (echo_one(s, 0) < 0)
			break;
	}
	return 0;
}

/* The actor side: send, wait for the echo; round trips in lat[]. */
static int dealer_ping(const struct opts *o, void *ctx, double *lat)
{
	void *s = zmq_socket(ctx, ZMQ_DEALER);
	if (!s || zmq_setsockopt(s, ZMQ_ROUTING_ID, "reader/0", 8) < 0 ||
	    zmq_connect(s, o->endpoint) < 0) {
		LOGE(NULL, "DEALER connect %s: %s", o->endpoint, zmq_strerror(errno));
		return -1;
	}
	char *payload = calloc(1, o->size + 1), *in = malloc(o->size + 64);
	if (!payload || !in)
		return -1;
	for (long i = 0; i < o->n + WARMUP; i++) {
		double t0 = mono_usf();
		for (int f = 0; f < o->frames - 1; f++)
			zmq_send(s, "SEND", 4, ZMQ_SNDMORE);
		zmq_send(s, payload, o->size, 0);
		for (int f = 0; f < o->frames; f++) {
			if ((f == 0 && wait_in(s, o->poll) < 0) || zmq_recv(s, in, o->size + 64, 0) < 0) {
				LOGE(NULL, "recv: %s", zmq_strerror(errno));
				return -1;
			}
		}
		if (i >= WARMUP)
			lat[i - WARMUP] = mono_usf() - t0;
	}
	free(payload);
	free(in);
	zmq_close(s);
	return 0;
}

static int socketpair_run(const struct opts *o, double *lat)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return -1;
	char *buf = calloc(1, o->size);
	if (!buf)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		pin(o->cpu[1]);
		close(sv[0]);
		ssize_t r;
		while ((r = read(sv[1], buf, o->size)) > 0)
			if (write(sv[1], buf, (size_t)r) != r)
				break;
		_exit(0);
	}
	close(sv[1]);
	pin(o->cpu[0]);
	int rc = 0;
	for (long i = 0; i < o->n + WARMUP && !rc; i++) {
		double t0 = mono_usf();
		size_t got = 0;
		if (write(sv[0], buf, o->size) != (ssize_t)o->size)
			rc = -1;
		while (!rc && got < o->size) {
			ssize_t r = read(sv[0], buf + got, o->size - got);
			if (r <= 0)
				rc = -1;
			else
				got += (size_t)r;
		}
		if (i >= WARMUP)
			lat[i - WARMUP] = mono_usf() - t0;
	}
	close(sv[0]);
	waitpid(pid, NULL, 0);
	free(buf);
	return rc;
}

static int hubsock_run(const struct opts *o, double *lat)
{
	char err[256];
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {	/* the echo: the broker's side */
		pin(o->cpu[1]);
		struct hubsock *r = hubsock_bind(o->endpoint, NULL, err, sizeof(err));
		if (!r) {
			LOGE(NULL, "%s", err);
			_exit(1);
		}
		for (;;) {
			size_t n;
			const struct hubsock_frame *f = hubsock_recv_wait(r, &n, 60000);
			if (!f || n < 2)
				_exit(1);
			struct iovec v[MAX_FRAMES];
			for (size_t i = 1; i < n && i <= MAX_FRAMES; i++)
				v[i - 1] = (struct iovec){ (void *)f[i].data, f[i].len };
			if (hubsock_sendv_to(r, f[0].data, f[0].len, v, n - 1) < 0)
				_exit(1);
		}
	}
	pin(o->cpu[0]);
	struct hubsock_opts ho = { .identity = "floor" };
	struct hubsock *d = hubsock_connect(o->endpoint, &ho, err, sizeof(err));
	char *buf = calloc(1, o->size);
	int rc = d && buf ? 0 : -1;
	struct iovec v[MAX_FRAMES];
	for (int i = 0; i < o->frames; i++)
		v[i] = (struct iovec){ buf, i + 1 < o->frames ? 4 : o->size };
	int64_t end = mono_ms() + 5000;
	while (!rc && !hubsock_connected(d, NULL)) {
		size_t n;
		hubsock_recv_wait(d, &n, 50);
		if (mono_ms() > end)
			rc = -1;
	}
	for (long i = 0; i < o->n + WARMUP && !rc; i++) {
		double t0 = mono_usf();
		size_t n;
		if (hubsock_sendv(d, NULL, v, (size_t)o->frames) < 0 || !hubsock_recv_wait(d, &n, 5000))
			rc = -1;
		if (i >= WARMUP)
			lat[i - WARMUP] = mono_usf() - t0;
	}
	hubsock_close(&d);
	free(buf);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return rc;
}

static int zmq_run(const struct opts *o, double *lat)
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		pin(o->cpu[1]);
		void *ctx = zmq_ctx_new();
		zmq_ctx_set(ctx, ZMQ_IO_THREADS, o->io_threads);
		_exit(router_echo(o, ctx));
	}
	pin(o->cpu[0]);
	void *ctx = zmq_ctx_new();
	zmq_ctx_set(ctx, ZMQ_IO_THREADS, o->io_threads);
	int rc = dealer_ping(o, ctx, lat);
	zmq_ctx_term(ctx);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return rc;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: zmq-floor [-n N] [-s SIZE] [-f FRAMES] [--poll] [--io-threads N]\n"
		   "                 [--hubsock] [--socketpair] [--cpu A,B] [--tcp] [--echo STYLE]\n"
		   "                 [--dir DIR]\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "poll", no_argument, NULL, 'p' },
		{ "io-threads", required_argument, NULL, 'i' },
		{ "socketpair", no_argument, NULL, 'u' },
		{ "hubsock", no_argument, NULL, 'H' },
		{ "dir", required_argument, NULL, 'd' },
		{ "cpu", required_argument, NULL, 'c' },
		{ "tcp", no_argument, NULL, 't' },
		{ "echo", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { .n = 10000, .size = 48, .frames = 1, .io_threads = 1, .cpu = { -1, -1 },
			  .echo = "block" };
	char dirbuf[256];
	const char *dir = NULL;
	int ch;
	log_init("zmq-floor");
	while ((ch = getopt_long(argc, argv, "n:s:f:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'n': o.n = atol(optarg); break;
		case 's': o.size = (size_t)atol(optarg); break;
		case 'f': o.frames = atoi(optarg); break;
		case 'p': o.poll = 1; break;
		case 'i': o.io_threads = atoi(optarg); break;
		case 'u': o.socketpair = 1; break;
		case 'H': o.hubsock = 1; break;
		case 'd': dir = optarg; break;
		case 'c':
			if (sscanf(optarg, "%d,%d", &o.cpu[0], &o.cpu[1]) != 2) {
				usage(stderr);
				return 2;
			}
			break;
		case 't': o.tcp = 1; break;
		case 'e': o.echo = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (o.n < 1 || o.n > 10000000 || o.size < 1 || o.size > 65536 || o.frames < 1 ||
	    o.frames > MAX_FRAMES || o.io_threads < 1 || optind != argc ||
	    (strcmp(o.echo, "block") && strcmp(o.echo, "zpoll") && strcmp(o.echo, "zpoll2") &&
	     strcmp(o.echo, "fd"))) {
		usage(stderr);
		return 2;
	}
	if (!dir && !(dir = tmp_mkdtemp("zmq-floor", dirbuf, sizeof(dirbuf)))) {
		LOGE(NULL, "mkdtemp: %s", strerror(errno));
		return 1;
	}
	if (o.tcp && !o.hubsock) {
		/* a port nobody uses right now: bind to 0 and look */
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		socklen_t sl = sizeof(sa);
		if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sl) < 0 ||
		    getsockname(fd, (struct sockaddr *)&sa, &sl) < 0) {
			LOGE(NULL, "no free TCP port: %s", strerror(errno));
			return 1;
		}
		close(fd);
		snprintf(o.endpoint, sizeof(o.endpoint), "tcp://127.0.0.1:%u", ntohs(sa.sin_port));
	} else {
		snprintf(o.endpoint, sizeof(o.endpoint), "ipc://%s/floor.sock", dir);
	}
	double *lat = malloc((size_t)o.n * sizeof(*lat));
	if (!lat)
		return 1;
	int rc = o.socketpair ? socketpair_run(&o, lat) : o.hubsock ? hubsock_run(&o, lat) : zmq_run(&o, lat);
	if (dir == dirbuf) {
		char path[600];
		snprintf(path, sizeof(path), "%s/floor.sock", dir);
		unlink(path);
		rmdir(dir);
	}
	if (rc < 0) {
		free(lat);
		return 1;
	}
	struct latstat l;
	latstat_compute(lat, (size_t)o.n, &l);
	char mode[64];
	if (o.socketpair)
		snprintf(mode, sizeof(mode), "socketpair");
	else if (o.hubsock)
		snprintf(mode, sizeof(mode), "hubsock_ipc_f%d", o.frames);
	else
		snprintf(mode, sizeof(mode), "zmq_%s%s_f%d_io%d_echo-%s", o.tcp ? "tcp" : "ipc",
			 o.poll ? "_poll" : "", o.frames, o.io_threads, o.echo);
	if (o.cpu[0] >= 0 || o.cpu[1] >= 0) {
		size_t ml = strlen(mode);
		snprintf(mode + ml, sizeof(mode) - ml, "_cpu%d,%d", o.cpu[0], o.cpu[1]);
	}
	printf("%s n=%zu min=%.1f p50=%.1f p90=%.1f p99=%.1f max=%.1f mean=%.1f us oneway_p50=%.1f\n",
	       mode, l.n, l.min, l.p50, l.p90, l.p99, l.max, l.mean, l.p50 / 2);
	free(lat);
	return 0;
}
