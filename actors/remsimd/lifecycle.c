/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lifecycle.c: what happens to one actor on each event, as a table.
 *
 *   state \ event | START      EXIT          TIMER         STOP       KILL
 *   idle          | spawn      -             -             drop       -
 *   starting      | -          died          check ready   terminate  force
 *   running       | -          died          -             terminate  force
 *   backoff       | -          -             spawn         drop       -
 *   failed        | -          -             -             -          -
 *   stopping      | -          stopped       kill -9       -          force
 *   stopped       | -          -             -             -          -
 *
 * "died" restarts after a back-off (initial * 2^n, capped; reset after a
 * stable run) unless the actor already had restart_intensity restarts within
 * restart_period_s, in which case it is marked failed ("gaveup"). */
#include "lifecycle.h"
#include "monotime.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "events.h"
#include "log.h"
#include "ready.h"
#include "spawn.h"

#define READY_POLL_MS 50

typedef enum actor_state (*lc_handler)(struct sup *s, struct actor *a, int arg);

static const char *const state_names[AS__COUNT] = {
	[AS_IDLE] = "idle", [AS_STARTING] = "starting", [AS_RUNNING] = "running",
	[AS_BACKOFF] = "backoff", [AS_FAILED] = "failed", [AS_STOPPING] = "stopping",
	[AS_STOPPED] = "stopped",
};

const char *lc_state_name(enum actor_state st)
{
	return st < AS__COUNT ? state_names[st] : "?";
}

static void emit(struct sup *s, struct actor *a, const char *kind, const char *detail)
{
	events_send(s->ev, a->name, kind, a->pid ? a->pid : a->last_pid, detail, a->restarts);
}

static enum actor_state give_up(struct sup *s, struct actor *a, const char *why)
{
	LOGE(a->name, "giving up: %s", why);
	a->pid = 0;
	a->deadline_ms = 0;
	emit(s, a, "gaveup", why);
	if (a->essential && !s->shutting_down) {
		LOGF(a->name, "essential actor %s given up (%s): stopping the role", a->name, why);
		s->failed = 1;
	}
	return AS_FAILED;
}

/* "exit status 1: cannot listen on ...": the status and the actor's reason */
static void describe_exit(struct actor *a, int wstatus)
{
	char reason[200];
	describe_status(wstatus, a->last_exit, sizeof(a->last_exit));
	read_reason(a, reason, sizeof(reason));
	if (reason[0]) {
		size_t n = strlen(a->last_exit);
		snprintf(a->last_exit + n, sizeof(a->last_exit) - n, ": %s", reason);
	}
}

/* idle/backoff + START/TIMER */
static enum actor_state h_spawn(struct sup *s, struct actor *a, int arg)
{
	(void)arg;
	char err[200];
	if (a->is_broker)
		endpoint_remove_stale(s->hub);
	pid_t pid = spawn_actor(s, a, err, sizeof(err));
	if (pid < 0) {
		snprintf(a->last_exit, sizeof(a->last_exit), "%s", err);
		return give_up(s, a, err);
	}
	a->pid = a->last_pid = pid;
	a->started_ms = mono_ms();
	a->killed = 0;
	LOGI(a->name, "started %s (pid %d, restarts %d)", a->program, (int)pid, a->restarts);
	emit(s, a, "started", "");
	if (!a->is_broker) {
		a->deadline_ms = 0;
		return AS_RUNNING;
	}
	a->ready_limit_ms = a->started_ms + s->pol.hub_wait_ms;
	a->deadline_ms = a->started_ms + 10;
	return AS_STARTING;
}

/* starting + TIMER: is the hub socket up yet? */
static enum actor_state h_check_ready(struct sup *s, struct actor *a, int arg)
{
	(void)arg;
	int64_t now = mono_ms();
	int ready = endpoint_listening(s->hub);
	if (!ready && now < a->ready_limit_ms) {
		a->deadline_ms = now + READY_POLL_MS;
		return AS_STARTING;
	}
	a->deadline_ms = 0;
	if (ready)
		LOGI(a->name, "hub %s is up after %lld ms", s->hub, (long long)(now - a->started_ms));
	else
		LOGW(a->name, "hub %s not up after %d ms; carrying on", s->hub, s->pol.hub_wait_ms);
	s->others_released = 1;
	if (a->restarts > 0)
		lc_resend_state(s);
	return AS_RUNNING;
}

static int count_recent_restarts(struct sup *s, struct actor *a, int64_t now)
{
	int64_t window = (int64_t)s->pol.restart_period_s * 1000;
	int n = 0;
	for (int i = 0; i < a->nrestart_times; i++)
		if (now - a->restart_times[i] < window)
			a->restart_times[n++] = a->restart_times[i];
	a->nrestart_times = n;
	return n;
}

/* starting/running + EXIT */
static enum actor_state h_died(struct sup *s, struct actor *a, int wstatus)
{
	int64_t now = mono_ms();
	describe_exit(a, wstatus);
	a->last_pid = a->pid;
	LOGW(a->name, "pid %d %s after %lld ms", (int)a->pid, a->last_exit,
	     (long long)(now - a->started_ms));
	emit(s, a, "exited", a->last_exit);
	a->pid = 0;
	if (s->shutting_down) {
		emit(s, a, "stopped", a->last_exit);
		return AS_STOPPED;
	}
	if (now - a->started_ms >= s->pol.stable_after_ms)
		a->consecutive = 0;
	int recent = count_recent_restarts(s, a, now);
	if (recent >= s->pol.restart_intensity) {
		char why[400];
		snprintf(why, sizeof(why), "restart intensity exceeded: %d restarts within %d s, last %s",
			 recent, s->pol.restart_period_s, a->last_exit);
		return give_up(s, a, why);
	}
	int64_t delay = s->pol.backoff_initial_ms;
	for (int i = 0; i < a->consecutive && delay < s->pol.backoff_max_ms; i++)
		delay *= 2;
	if (delay > s->pol.backoff_max_ms)
		delay = s->pol.backoff_max_ms;
	a->consecutive++;
	a->restarts++;
	a->restart_times[a->nrestart_times++] = now;
	a->deadline_ms = now + delay;
	LOGI(a->name, "restarting in %lld ms (restart %d, %d within %d s)", (long long)delay,
	     a->restarts, a->nrestart_times, s->pol.restart_period_s);
	return AS_BACKOFF;
}

/* starting/running + STOP */
static enum actor_state h_terminate(struct sup *s, struct actor *a, int arg)
{
	(void)arg;
	LOGI(a->name, "stopping pid %d (SIGTERM, SIGKILL after %d ms)", (int)a->pid,
	     s->pol.stop_timeout_ms);
	signal_actor(a, SIGTERM);
	a->deadline_ms = mono_ms() + s->pol.stop_timeout_ms;
	return AS_STOPPING;
}

/* idle/backoff + STOP: nothing is running */
static enum actor_state h_drop(struct sup *s, struct actor *a, int arg)
{
	(void)arg;
	if (a->state == AS_BACKOFF)
		emit(s, a, "stopped", "not restarted: shutting down");
	a->deadline_ms = 0;
	return AS_STOPPED;
}

/* stopping + TIMER */
static enum actor_state h_kill(struct sup *s, struct actor *a, int arg)
{
	(void)s;
	(void)arg;
	LOGW(a->name, "pid %d ignored SIGTERM for %d ms; sending SIGKILL", (int)a->pid,
	     s->pol.stop_timeout_ms);
	signal_actor(a, SIGKILL);
	a->killed = 1;
	a->deadline_ms = 0;
	return AS_STOPPING;
}

/* starting/running/stopping + KILL */
static enum actor_state h_force(struct sup *s, struct actor *a, int arg)
{
	(void)s;
	(void)arg;
	LOGW(a->name, "forced stop: SIGKILL to pid %d", (int)a->pid);
	signal_actor(a, SIGKILL);
	a->killed = 1;
	a->deadline_ms = 0;
	return AS_STOPPING;
}

/* stopping + EXIT */
static enum actor_state h_stopped(struct sup *s, struct actor *a, int wstatus)
{
	describe_exit(a, wstatus);
	a->last_pid = a->pid;
	LOGI(a->name, "stopped: pid %d %s", (int)a->pid, a->last_exit);
	emit(s, a, "stopped", a->last_exit);
	a->pid = 0;
	a->deadline_ms = 0;
	return AS_STOPPED;
}

static const lc_handler table[AS__COUNT][AE__COUNT] = {
	[AS_IDLE]     = { [AE_START] = h_spawn, [AE_STOP] = h_drop },
	[AS_STARTING] = { [AE_EXIT] = h_died, [AE_TIMER] = h_check_ready,
			  [AE_STOP] = h_terminate, [AE_KILL] = h_force },
	[AS_RUNNING]  = { [AE_EXIT] = h_died, [AE_STOP] = h_terminate, [AE_KILL] = h_force },
	[AS_BACKOFF]  = { [AE_TIMER] = h_spawn, [AE_STOP] = h_drop },
	[AS_FAILED]   = { 0 },
	[AS_STOPPING] = { [AE_EXIT] = h_stopped, [AE_TIMER] = h_kill, [AE_KILL] = h_force },
	[AS_STOPPED]  = { 0 },
};

void lc_dispatch(struct sup *s, struct actor *a, enum actor_event ev, int arg)
{
	lc_handler h = table[a->state][ev];
	if (!h)
		return;
	enum actor_state old = a->state;
	a->state = h(s, a, arg);
	if (a->state != old)
		LOGD(a->name, "%s -> %s", lc_state_name(old), lc_state_name(a->state));
}

void lc_resend_state(struct sup *s)
{
	LOGI("broker", "broker restarted: re-sending the state of %d actors", s->nactors);
	for (int i = 0; i < s->nactors; i++) {
		struct actor *a = &s->actors[i];
		if (a->is_broker)
			continue;
		switch (a->state) {
		case AS_STARTING:
		case AS_RUNNING:
			emit(s, a, "started", "");
			break;
		case AS_BACKOFF:
			emit(s, a, "exited", a->last_exit);
			break;
		case AS_FAILED:
			emit(s, a, "gaveup", a->last_exit);
			break;
		default:
			break;
		}
	}
}
