/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sup.h: remsimd's data model.  One struct actor per actor instance (a kind
 * with `count = N` is expanded to N instances "kind/0".."kind/N-1"), and one
 * struct sup holding them in start order together with the role-wide
 * settings.  The lifecycle (lifecycle.c), spawning (spawn.c), config loading
 * (supcfg.c) and event reporting (events.c) all work on these structs. */
#ifndef REMSIMD_SUP_H
#define REMSIMD_SUP_H

#include <stdint.h>
#include <sys/types.h>

enum actor_state {
	AS_IDLE,	/* configured, never started yet */
	AS_STARTING,	/* forked; waiting for readiness (broker: hub socket up) */
	AS_RUNNING,
	AS_BACKOFF,	/* died; restart timer armed */
	AS_FAILED,	/* gave up (restart intensity exceeded or cannot exec) */
	AS_STOPPING,	/* SIGTERM sent on shutdown; SIGKILL when the timer fires */
	AS_STOPPED,
	AS__COUNT
};

struct sup_policy {
	int restart_intensity;	/* at most this many restarts ... */
	int restart_period_s;	/* ... within this many seconds, else give up */
	int backoff_initial_ms;
	int backoff_max_ms;
	int stable_after_ms;	/* a run this long resets the back-off */
	int stop_timeout_ms;	/* SIGTERM -> SIGKILL on shutdown */
	int hub_wait_ms;	/* bound on waiting for the broker's hub socket */
};

struct actor {
	char name[64];
	char *program;		/* resolved path of the executable */
	char **args;		/* extra arguments from the config (owned) */
	int nargs;
	int index;		/* slot index of an expanded kind, -1 otherwise */
	int cfg_line;		/* line of its entry in the config file */
	int is_broker;
	int essential;		/* given up: the role stops and remsimd exits non-zero */
	char *reason_file;	/* RUN_DIR/reason.NAME: the actor's last FATAL line */

	enum actor_state state;
	pid_t pid;		/* running process (0: none) */
	pid_t last_pid;
	int64_t started_ms;	/* monotonic time of the last spawn */
	int64_t deadline_ms;	/* timer for the current state, 0: none */
	int64_t ready_limit_ms;	/* STARTING: give up waiting for readiness */
	int restarts;		/* total restarts since remsimd started */
	int consecutive;	/* restarts since the last stable run */
	int64_t *restart_times;	/* ring of the last restart_intensity restarts */
	int nrestart_times;
	int killed;		/* SIGKILL sent (stop timeout or forced) */
	char last_exit[256];	/* "exit status 1", "killed by signal 9", ... */
};

struct events;

struct sup {
	char *config_path;	/* absolute path of the role config */
	char *run_dir;
	char *state_dir;	/* created (0750) if set; NULL: none */
	char *user, *group;	/* drop to them after creating the dirs (privs.c) */
	char *hub;		/* endpoint the broker binds (ROUTER) */
	char *control;		/* endpoint of the control socket (broker's) */
	char *bin_dir;		/* where bare program names are looked up */
	struct sup_policy pol;
	struct actor *actors;	/* in start order; the broker first */
	int nactors;

	int others_released;	/* broker up (or gave up): start the rest */
	int shutting_down;
	int failed;		/* an essential actor was given up: stop, exit 1 */
	int check_config;	/* --check: actors run with REMSIM_CHECK_CONFIG=1 */
	struct events *ev;
};

/* The actor called "broker", or NULL. */
struct actor *sup_broker(struct sup *s);

#endif
