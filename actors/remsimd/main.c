/* SPDX-License-Identifier: GPL-2.0-or-later */
/* main.c: remsimd, the per-role supervisor.
 *
 *   remsimd -c ROLE.cfg [-r RUN_DIR] [-d MASK] [--check]
 *
 * -d takes an osmo-style category mask or a level name (logmask.h); it is
 * exported to every actor as REMSIM_LOG_MASK (common/launch/logenv.h).
 *
 * Starts the broker, waits (bounded) for its hub socket, starts the other
 * actors in config order, restarts them when they die (lifecycle.c) and
 * reports every start/exit/give-up/stop to the broker (events.c).  Signals
 * arrive through a signalfd; SIGTERM/SIGINT stop the actors in reverse start
 * order and exit 0 (a second one SIGKILLs whatever is left). */
#include <czmq.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "events.h"
#include "monotime.h"
#include "lifecycle.h"
#include "fdlimit.h"
#include "log.h"
#include "logconf.h"
#include "logenv.h"
#include "notify.h"
#include "privs.h"
#include "spawn.h"
#include "sup.h"
#include "supcfg.h"
#include "version.h"

struct actor *sup_broker(struct sup *s)
{
	return s->nactors > 0 && s->actors[0].is_broker ? &s->actors[0] : NULL;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: remsimd -c ROLE.cfg [-r RUN_DIR] [-d MASK] [--check]\n"
		"  -c, --config FILE     role config (libconfig; see docs/remsimd.md)\n"
		"  -r, --run-dir DIR     directory for ipc sockets (overrides run_dir)\n"
		"  -u, --user USER[:GROUP]  run as USER (overrides user/group): needs root;\n"
		"                        the run and state dirs are created first, then\n"
		"                        handed to USER\n"
		"  -d, --debug MASK      log levels per category, osmo's mask (DMAIN,1:DRSPRO,3\n"
		"                        or DMAIN:DST2), or a level name (debug|info|notice|\n"
		"                        warn|error) for all; every actor gets it as\n"
		"                        REMSIM_LOG_MASK (--log-level is the same option)\n"
		"      --check           load and validate the config, list the actors, exit\n"
		"  -h, --help            this text\n"
		"Signals: SIGTERM/SIGINT stop all actors (reverse start order) and exit 0;\n"
		"a second SIGTERM/SIGINT kills the remaining actors at once.\n");
}

static int make_run_dir(const char *dir)
{
	char *p = strdup(dir);
	if (!p)
		return -1;
	for (char *q = p + 1; *q; q++) {
		if (*q != '/')
			continue;
		*q = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			LOGD(NULL, "mkdir %s: %s", p, strerror(errno));
		*q = '/';
	}
	int rc = mkdir(p, 0700);
	if (rc < 0 && errno == EEXIST) {
		struct stat st;
		rc = stat(p, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : -1;
		if (rc == 0 && (st.st_mode & 077))
			LOGW(NULL, "run dir %s is accessible to others (mode %03o)", p, st.st_mode & 0777);
	}
	free(p);
	return rc;
}

/* -u USER[:GROUP] overrides the config's user and group */
static int apply_user_opt(struct sup *s, const char *opt)
{
	const char *colon = strchr(opt, ':');
	free(s->user);
	free(s->group);
	s->user = colon ? strndup(opt, (size_t)(colon - opt)) : strdup(opt);
	s->group = colon ? strdup(colon + 1) : NULL;
	if (s->user && !*s->user) {
		free(s->user);
		s->user = NULL;
	}
	return (colon && !s->group) ? -1 : 0;
}

static struct actor *find_by_pid(struct sup *s, pid_t pid)
{
	for (int i = 0; i < s->nactors; i++)
		if (s->actors[i].pid == pid)
			return &s->actors[i];
	return NULL;
}

static void reap_children(struct sup *s)
{
	for (;;) {
		int st;
		pid_t pid = waitpid(-1, &st, WNOHANG);
		if (pid <= 0)
			return;
		struct actor *a = find_by_pid(s, pid);
		if (a)
			lc_dispatch(s, a, AE_EXIT, st);
		else
			LOGD(NULL, "reaped orphan pid %d", (int)pid);
	}
}

static void begin_shutdown(struct sup *s, int signo)
{
	if (s->shutting_down) {
		LOGW(NULL, "%s again: killing all actors now", strsignal(signo));
		for (int i = s->nactors - 1; i >= 0; i--)
			lc_dispatch(s, &s->actors[i], AE_KILL, 0);
		return;
	}
	LOGI(NULL, "%s: stopping %d actors in reverse start order",
	     s->failed ? "essential actor given up" : strsignal(signo), s->nactors);
	s->shutting_down = 1;
	notify_stopping(s);
	for (int i = s->nactors - 1; i >= 0; i--) {
		enum actor_state st = s->actors[i].state;
		if (st == AS_IDLE || st == AS_BACKOFF)
			lc_dispatch(s, &s->actors[i], AE_STOP, 0);
	}
}

/* Shutdown goes one actor at a time, last started first.  Returns 1 when
 * nothing is left running. */
static int shutdown_step(struct sup *s)
{
	for (int i = s->nactors - 1; i >= 0; i--) {
		struct actor *a = &s->actors[i];
		if (a->state == AS_STOPPING)
			return 0;
		if (a->state == AS_STARTING || a->state == AS_RUNNING) {
			lc_dispatch(s, a, AE_STOP, 0);
			return 0;
		}
	}
	return 1;
}

static void start_released(struct sup *s)
{
	struct actor *b = sup_broker(s);
	if (b && !s->others_released && b->state == AS_FAILED)
		s->others_released = 1;
	if (!s->others_released)
		return;
	for (int i = 0; i < s->nactors; i++)
		if (s->actors[i].state == AS_IDLE)
			lc_dispatch(s, &s->actors[i], AE_START, 0);
}

static void fire_timers(struct sup *s)
{
	int64_t now = mono_ms();
	for (int i = 0; i < s->nactors; i++) {
		struct actor *a = &s->actors[i];
		if (a->deadline_ms && a->deadline_ms <= now) {
			a->deadline_ms = 0;
			lc_dispatch(s, a, AE_TIMER, 0);
		}
	}
}

static long next_timeout(const struct sup *s)
{
	int64_t now = mono_ms(), best = -1;
	for (int i = 0; i < s->nactors; i++) {
		int64_t d = s->actors[i].deadline_ms;
		if (d && (best < 0 || d - now < best))
			best = d - now < 0 ? 0 : d - now;
	}
	return best < 0 ? 1000 : (long)best;
}

/* Returns 0 on orderly shutdown. */
static int run(struct sup *s, int sfd)
{
	struct actor *b = sup_broker(s);
	if (b)
		lc_dispatch(s, b, AE_START, 0);
	else
		s->others_released = 1;
	for (;;) {
		if (s->failed && !s->shutting_down)
			begin_shutdown(s, SIGTERM);
		if (!s->shutting_down)
			start_released(s);
		else if (shutdown_step(s))
			return s->failed ? 1 : 0;
		zmq_pollitem_t items[2] = {
			{ .socket = NULL, .fd = sfd, .events = ZMQ_POLLIN },
			{ .socket = events_socket(s->ev), .events = ZMQ_POLLIN },
		};
		int rc = zmq_poll(items, s->ev ? 2 : 1, next_timeout(s));
		if (rc < 0 && zmq_errno() != EINTR) {
			LOGE(NULL, "poll: %s", zmq_strerror(zmq_errno()));
			return 1;
		}
		if (rc > 0 && (items[0].revents & ZMQ_POLLIN)) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
				if (si.ssi_signo == SIGCHLD)
					continue;	/* reaped below in any case */
				if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT)
					begin_shutdown(s, (int)si.ssi_signo);
				else
					LOGI(NULL, "%s ignored", strsignal((int)si.ssi_signo));
			}
		}
		if (rc > 0 && s->ev && (items[1].revents & ZMQ_POLLIN))
			events_drain(s->ev);
		reap_children(s);
		fire_timers(s);
		notify_check_ready(s);
	}
}

static void list_actors(const struct sup *s)
{
	printf("config %s\nrun_dir %s\nhub %s\ncontrol %s\n", s->config_path, s->run_dir, s->hub,
	       s->control);
	for (int i = 0; i < s->nactors; i++) {
		const struct actor *a = &s->actors[i];
		printf("actor %s %s", a->name, a->program);
		for (int j = 0; j < a->nargs; j++)
			printf(" %s", a->args[j]);
		printf("%s\n", access(a->program, X_OK) == 0 ? "" : "   # not executable (yet)");
	}
}

/* --check: every actor loads its part of the config and exits
 * (REMSIM_CHECK_CONFIG=1); its errors (file:line) go to our stderr.
 * Returns the number of actors whose part is wrong. */
static int check_actors(struct sup *s)
{
	int bad = 0;
	s->check_config = 1;
	for (int i = 0; i < s->nactors; i++) {
		struct actor *a = &s->actors[i];
		char err[200];
		pid_t pid = spawn_actor(s, a, err, sizeof(err));
		if (pid < 0) {
			fprintf(stderr, "remsimd: actor %s: %s\n", a->name, err);
			bad++;
			continue;
		}
		int st = 0, waited = 0;
		for (int t = 0; t < 200 && !waited; t++) {	/* at most 10 s */
			pid_t r = waitpid(pid, &st, WNOHANG);
			if (r == pid)
				waited = 1;
			else
				usleep(50000);
		}
		if (!waited) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			fprintf(stderr, "remsimd: actor %s: its config check did not finish within 10 s\n", a->name);
			bad++;
		} else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, "remsimd: actor %s (%s): its part of %s is wrong (see above)\n",
				a->name, a->program, s->config_path);
			bad++;
		}
	}
	if (!bad)
		printf("config ok: %d actor(s) checked their part\n", s->nactors);
	return bad;
}

int main(int argc, char **argv)
{
	if (version_flag(argc, argv, "remsimd"))
		return 0;
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "run-dir", required_argument, NULL, 'r' },
		{ "user", required_argument, NULL, 'u' },
		{ "log-level", required_argument, NULL, 'd' },
		{ "debug", required_argument, NULL, 'd' },
		{ "check", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cfg_path = NULL, *run_dir = NULL, *level = NULL, *user = NULL;
	int check_only = 0, c;

	/* Block the signals we read from the signalfd before any thread (ZeroMQ
	 * I/O threads) exists, so that every thread inherits the mask. */
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);

	log_init("remsimd");
	while ((c = getopt_long(argc, argv, "c:r:d:u:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': cfg_path = optarg; break;
		case 'r': run_dir = optarg; break;
		case 'u': user = optarg; break;
		case 'd': level = optarg; break;
		case 'C': check_only = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!cfg_path || optind != argc) {
		usage(stderr);
		return 2;
	}
	if (level) {
		char merr[400];
		if (logenv_export(level, merr, sizeof(merr)) < 0) {
			fprintf(stderr, "remsimd: bad value '%s' for -d/--debug: %s\n", level, merr);
			return 2;
		}
	}

	struct sup s = { 0 };
	char err[512];
	if (supcfg_load(&s, cfg_path, run_dir, err, sizeof(err)) < 0) {
		LOGE(NULL, "config error: %s", err);
		supcfg_free(&s);
		return 1;
	}
	if (user && apply_user_opt(&s, user) < 0) {
		LOGE(NULL, "-u %s: out of memory", user);
		supcfg_free(&s);
		return 1;
	}
	if (!check_only && logconf_apply_file(s.config_path, err, sizeof(err)) < 0)
		LOGW(NULL, "log settings: %s", err);	/* (supcfg_load checked them) */
	if (check_only) {
		list_actors(&s);
		int bad = check_actors(&s);
		supcfg_free(&s);
		return bad ? 1 : 0;
	}
	if (privs_no_new() < 0)
		LOGW(NULL, "cannot set no-new-privileges: %s", strerror(errno));
	if (make_run_dir(s.run_dir) < 0) {
		LOGE(NULL, "cannot create run dir %s: %s", s.run_dir, strerror(errno));
		supcfg_free(&s);
		return 1;
	}
	/* a new role starts without the run-time log levels of an earlier one */
	char lpath[600];
	if (*log_runtime_path(s.run_dir, lpath, sizeof(lpath)) && unlink(lpath) < 0 && errno != ENOENT)
		LOGW(NULL, "cannot remove %s: %s", lpath, strerror(errno));
	if (s.state_dir && mkdir(s.state_dir, 0750) < 0 && errno != EEXIST)
		LOGW(NULL, "cannot create state dir %s: %s", s.state_dir, strerror(errno));
	if (privs_drop(s.user, s.group, s.run_dir, s.state_dir, err, sizeof(err)) < 0) {
		LOGE(NULL, "%s", err);
		supcfg_free(&s);
		return 1;
	}
	int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		LOGE(NULL, "signalfd: %s", strerror(errno));
		supcfg_free(&s);
		return 1;
	}
	/* orphaned grandchildren are re-parented to us and reaped */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	fdlimit_raise("remsimd");	/* (the actors inherit it) */
	zsys_handler_set(NULL);
	zsys_set_linger(200);
	s.ev = events_new(s.hub);
	if (!s.ev)
		LOGW(NULL, "lifecycle events will not be reported");

	LOGI(NULL, "supervising %d actors from %s (run dir %s, hub %s)", s.nactors, s.config_path,
	     s.run_dir, s.hub);
	int rc = run(&s, sfd);
	if (s.failed)
		LOGF(NULL, "all actors stopped; exiting with status 1: an essential actor was given up");
	else
		LOGI(NULL, "all actors stopped; exiting");
	events_destroy(&s.ev);
	close(sfd);
	supcfg_free(&s);
	zsys_shutdown();
	return rc;
}
