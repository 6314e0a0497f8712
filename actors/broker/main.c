/* SPDX-License-Identifier: GPL-2.0-or-later */
/* main.c: the broker program: arguments, start-up (config, hub, control,
 * listeners), the loop over one persistent epoll set (hub and control by
 * their ZMQ_FD, listeners, TCP connections; common/actor/evloop.h), timers,
 * and an orderly shutdown on SIGTERM/SIGINT. */
#include "config.h"
#include "monotime.h"
#include "broker.h"
#include "hubsock.h"

#include <czmq.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fdlimit.h"
#include "log.h"
#include "logconf.h"
#include "version.h"

void broker_arm(struct broker *b, int64_t when)
{
	if (when > 0 && (b->next_due == 0 || when < b->next_due))
		b->next_due = when;
}

/* ---- poll registry and epoll set ----------------------------------------- */

static int on_hub(struct evloop *l, void *sock, void *arg)
{
	(void)l;
	(void)sock;
	return hub_input(arg);
}

static int on_ctl(struct evloop *l, void *sock, void *arg)
{
	(void)l;
	(void)sock;
	return ctl_input(arg);
}

static void on_listener(struct evloop *l, int fd, unsigned revents, void *arg)
{
	(void)l;
	(void)revents;
	struct broker *b = arg;
	for (size_t li = 0; li < b->cf.nlisten; li++)
		if (b->lfd[li] == fd)
			tcp_accept(b, li);
}

static void on_conn(struct evloop *l, int fd, unsigned revents, void *arg)
{
	(void)l;
	(void)fd;
	struct conn *c = arg;
	if (!c->dead)
		tcp_event(c->br, c, revents);
}

int poll_add(struct broker *b, void *sock, int fd, unsigned events, struct conn *c)
{
	if (b->npi == b->capi) {
		size_t cap = b->capi ? b->capi * 2 : 64;
		struct pslot *pi = realloc(b->pi, cap * sizeof(*pi));
		if (!pi)
			return -1;
		b->pi = pi;
		struct conn **pc = realloc(b->pconn, cap * sizeof(*pc));
		if (!pc)
			return -1;
		b->pconn = pc;
		b->capi = cap;
	}
	/* the hub and the control socket: only envelope.c sends on them and
	 * their handlers read until EAGAIN (evloop.h, EVZ_ENVELOPE) */
	int rc = sock && sock == (void *)b->hub ? evloop_src_add(b->ev, hubsock_fd(b->hub), sock, on_hub, b)
		 : sock ? evloop_zsock_add(b->ev, sock, EVZ_ENVELOPE, on_ctl, b)
		      : evloop_fd_add(b->ev, fd, events, c ? on_conn : on_listener, c ? (void *)c : b);
	if (rc < 0)
		return -1;
	b->pi[b->npi] = (struct pslot){ sock ? -1 : fd, events };
	b->pconn[b->npi] = c;
	if (c)
		c->pidx = (int)b->npi;
	return (int)b->npi++;
}

void poll_set(struct broker *b, size_t idx, unsigned events)
{
	struct pslot *p = &b->pi[idx];
	if (p->events == events)
		return;
	p->events = events;
	if (p->fd >= 0 && evloop_fd_mod(b->ev, p->fd, events) < 0)
		LOGE(NULL, "epoll: cannot watch fd %d: %s", p->fd, strerror(errno));
}

void poll_unwatch(struct broker *b, size_t idx)
{
	if (b->pi[idx].fd >= 0)
		evloop_fd_del(b->ev, b->pi[idx].fd);
	b->pi[idx].fd = -1;
}

void poll_del(struct broker *b, size_t idx)
{
	poll_unwatch(b, idx);
	size_t last = --b->npi;
	if (idx != last) {
		b->pi[idx] = b->pi[last];
		b->pconn[idx] = b->pconn[last];
		if (b->pconn[idx])
			b->pconn[idx]->pidx = (int)idx;
	}
}

/* ---- endpoints ------------------------------------------------------------ */

static int mkdir_parent(const char *path)
{
	char dir[256];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	struct stat st;
	if (stat(dir, &st) == 0)
		return 0;
	return zsys_dir_create("%s", dir);
}

int ipc_prepare(const char *ep, char *err, size_t errlen)
{
	const char *path = ep + 6;
	if (path[0] == '@') {
		snprintf(err, errlen, "abstract ipc endpoint %s has no file permissions; use a path", ep);
		return -1;
	}
	if (mkdir_parent(path) < 0) {
		snprintf(err, errlen, "cannot create the directory of %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int bind_endpoint(void *zsock, const char *ep, unsigned mode, char *err, size_t errlen)
{
	if (strncmp(ep, "ipc://", 6) != 0) {
		if (zsock_bind(zsock, "%s", ep) < 0) {
			snprintf(err, errlen, "cannot bind %s: %s", ep, zmq_strerror(errno));
			return -1;
		}
		return 0;
	}
	const char *path = ep + 6;
	if (ipc_prepare(ep, err, errlen) < 0)
		return -1;
	/* the socket file is created by bind(): narrow the umask around it so
	 * that it never exists with wider permissions than `mode` */
	mode_t old = umask((mode_t)(~mode & 0777));
	int rc = zsock_bind(zsock, "%s", ep);
	int e = errno;
	umask(old);
	if (rc < 0) {
		snprintf(err, errlen, "cannot bind %s: %s", ep, zmq_strerror(e));
		return -1;
	}
	struct stat st;
	if (chmod(path, (mode_t)mode) < 0 || stat(path, &st) < 0 || (st.st_mode & 0777) != mode) {
		snprintf(err, errlen, "cannot set mode %03o on %s: %s", mode, path, strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- loop ----------------------------------------------------------------- */

static void run_timers(struct broker *b)
{
	int64_t now = mono_ms();
	if (!b->next_due || now < b->next_due)
		return;
	b->next_due = 0;
	conn_timers(b, now);
	tcp_listen_timers(b, now);
	out_timers(b, now);
	ctl_timers(b, now);
}

static void loop(struct broker *b)
{
	while (!b->stop && !zsys_interrupted) {
		int timeout = -1;
		if (b->next_due) {
			int64_t d = b->next_due - mono_ms();
			timeout = d < 0 ? 0 : d > 3600000 ? 3600000 : (int)d;
		}
		timeout = tcp_acks_due(b, timeout);
		if (evloop_once(b->ev, timeout) < 0) {
			LOGE(NULL, "epoll_wait: %s", strerror(errno));
			break;
		}
		conn_reap(b);
		tcp_acks_run(b);
		run_timers(b);
		conn_reap(b);
	}
}

/* ---- start-up ------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: broker --config FILE [--hub ENDPOINT] [--control ENDPOINT] [--name NAME]\n"
		"The remsim broker: the only process of a role that touches RSPRO TCP.\n"
		"It frames/unframes IPA, answers CCM and runs the keep-alive, and relays\n"
		"each connection's RSPRO PDUs to the actor bound to it over a ZeroMQ hub.\n"
		"  --config FILE      role config (section `broker`; env REMSIM_CONFIG)\n"
		"  --hub ENDPOINT     ROUTER endpoint for actors (default: config `hub`,\n"
		"                     env REMSIM_HUB, else ipc://RUN_DIR/hub)\n"
		"  --control EP       remsim-ctl endpoint (default: config `control`,\n"
		"                     env REMSIM_CONTROL, else ipc://RUN_DIR/control)\n"
		"  --name NAME        own name for logs and status (default broker)\n"
		"  --help             this text\n"
		"See docs/envelope.md for the message set and the config keys.\n");
}

int main(int argc, char **argv)
{
	if (version_flag(argc, argv, "broker"))
		return 0;
	const char *config = getenv("REMSIM_CONFIG"), *hub = NULL, *control = NULL;
	const char *name = getenv("REMSIM_NAME");
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];
		const char **dst = NULL;
		if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(o, "--config") || !strcmp(o, "-c")) {
			dst = &config;
		} else if (!strcmp(o, "--hub")) {
			dst = &hub;
		} else if (!strcmp(o, "--control")) {
			dst = &control;
		} else if (!strcmp(o, "--name")) {
			dst = &name;
		} else {
			fprintf(stderr, "broker: unknown argument '%s'\n", o);
			usage(stderr);
			return 2;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "broker: %s needs a value\n", o);
			return 2;
		}
		*dst = argv[++i];
	}
	log_init(name && *name ? name : "broker");
	if (!config || !*config) {
		fprintf(stderr, "broker: --config FILE is required\n");
		usage(stderr);
		return 2;
	}
	char lerr[512];
	if (logconf_apply_file(config, lerr, sizeof(lerr)) < 0) {
		LOGF(NULL, "%s", lerr);
		fprintf(stderr, "broker: %s\n", lerr);
		return 1;
	}

	static struct broker B;
	struct broker *b = &B;
	char err[512] = "";
	int rc = 1;
	if (bconf_load(&b->cf, config, hub, control, name, err, sizeof(err)) < 0) {
		LOGF(NULL, "%s", err);
		fprintf(stderr, "broker: %s\n", err);
		bconf_free(&b->cf);
		return 1;
	}
	if (cfg_check_only()) {
		bconf_free(&b->cf);
		return 0;
	}
	b->fd_limit = fdlimit_raise("broker");
	zsys_init();
	zsys_set_linger(0);
	env_msg_init(&b->hmsg);
	env_msg_init(&b->cmsg);
	b->next_id = 1;
	b->ev = evloop_new();
	if (!b->ev) {
		LOGF(NULL, "cannot create the epoll set: %s", strerror(errno));
		goto out;
	}
	b->txbuf = malloc(IPA_HDR_LEN + 1 + b->cf.max_payload + 1);
	if (!b->txbuf)
		goto out;
	actor_rec(b, b->cf.name, 1);
	struct bactor *self = actor_rec(b, b->cf.name, 0);
	self->pid = getpid();
	self->state = BA_RUNNING;
	self->started_ms = mono_ms();
	self->helloed = 1;

	if (hub_open(b, err, sizeof(err)) < 0 || ctl_open(b, err, sizeof(err)) < 0 ||
	    tcp_listen_all(b, err, sizeof(err)) < 0) {
		LOGF(NULL, "%s", err);
		fprintf(stderr, "broker: %s\n", err);
		goto out;
	}
	b->gen = broker_generation(b->cf.run_dir);	/* (run_dir exists now: the hub is in it) */
	LOGI(NULL, "ready: generation %u, hub %s, control %s, %zu listener(s), max frame %zu, "
	     "keep-alive %d/%d ms", b->gen, b->cf.hub, b->cf.control, b->cf.nlisten, b->cf.max_payload,
	     b->cf.ka_interval_ms, b->cf.ka_timeout_ms);
	loop(b);
	LOGI(NULL, "shutting down");
	rc = 0;
out:
	for (size_t i = 2 + b->cf.nlisten; i < b->npi; i++)
		if (b->pconn[i] && !b->pconn[i]->dead)
			conn_close(b, b->pconn[i], "broker shutting down");
	conn_reap(b);
	out_free_all(b);
	ctl_close(b);
	for (size_t i = 0; b->lfd && i < b->cf.nlisten; i++)
		if (b->lfd[i] >= 0)
			close(b->lfd[i]);
	free(b->lfd);
	free(b->lrt);
	hub_close(b);
	actors_free(b);
	env_msg_free(&b->hmsg);
	env_msg_free(&b->cmsg);
	free(b->ctab);
	free(b->pi);
	free(b->pconn);
	free(b->txbuf);
	free(b->acks);
	evloop_destroy(&b->ev);
	bconf_free(&b->cf);
	zsys_shutdown();
	return rc;
}
