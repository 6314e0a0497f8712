/* SPDX-License-Identifier: GPL-2.0-or-later */
/* spawn.c: fork/exec of an actor with its arguments and environment.
 *
 * Everything the child needs (argv, envp) is built before fork(), so the
 * child only makes async-signal-safe calls until execve().  A close-on-exec
 * pipe reports a failed exec back to the parent as an errno value. */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

struct strv {
	char **v;
	int n, cap;
};

static int strv_add(struct strv *sv, char *owned)
{
	if (!owned)
		return -1;
	if (sv->n + 2 > sv->cap) {
		int cap = sv->cap ? sv->cap * 2 : 16;
		char **n = realloc(sv->v, (size_t)cap * sizeof(char *));
		if (!n) {
			free(owned);
			return -1;
		}
		sv->v = n;
		sv->cap = cap;
	}
	sv->v[sv->n++] = owned;
	sv->v[sv->n] = NULL;
	return 0;
}

static void strv_free(struct strv *sv)
{
	for (int i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
}

static char *fmt(const char *f, const char *a, const char *b)
{
	char *out = NULL;
	return asprintf(&out, f, a, b) < 0 ? NULL : out;
}

static int build_env(const struct sup *s, const struct actor *a, struct strv *env)
{
	static const char *const ours[] = {
		"REMSIM_HUB=", "REMSIM_NAME=", "REMSIM_CONFIG=", "REMSIM_RUN_DIR=",
		"REMSIM_CONTROL=", "REMSIM_INDEX=", "REMSIM_REASON_FILE=", "REMSIM_CHECK_CONFIG=", NULL,
	};
	for (char **e = environ; e && *e; e++) {
		int skip = 0;
		for (const char *const *o = ours; *o; o++)
			if (strncmp(*e, *o, strlen(*o)) == 0)
				skip = 1;
		if (!skip && strv_add(env, strdup(*e)))
			return -1;
	}
	char idx[16];
	snprintf(idx, sizeof(idx), "%d", a->index);
	if (strv_add(env, fmt("%s%s", "REMSIM_HUB=", s->hub)) ||
	    strv_add(env, fmt("%s%s", "REMSIM_NAME=", a->name)) ||
	    strv_add(env, fmt("%s%s", "REMSIM_CONFIG=", s->config_path)) ||
	    strv_add(env, fmt("%s%s", "REMSIM_RUN_DIR=", s->run_dir)) ||
	    strv_add(env, fmt("%s%s", "REMSIM_CONTROL=", s->control)))
		return -1;
	if (a->index >= 0 && strv_add(env, fmt("%s%s", "REMSIM_INDEX=", idx)))
		return -1;
	if (a->reason_file && strv_add(env, fmt("%s%s", "REMSIM_REASON_FILE=", a->reason_file)))
		return -1;
	if (s->check_config && strv_add(env, strdup("REMSIM_CHECK_CONFIG=1")))
		return -1;
	return 0;
}

static int build_argv(const struct sup *s, const struct actor *a, struct strv *argv)
{
	if (strv_add(argv, strdup(a->program)) ||
	    strv_add(argv, strdup("--hub")) || strv_add(argv, strdup(s->hub)) ||
	    strv_add(argv, strdup("--name")) || strv_add(argv, strdup(a->name)) ||
	    strv_add(argv, strdup("--config")) || strv_add(argv, strdup(s->config_path)))
		return -1;
	for (int i = 0; i < a->nargs; i++)
		if (strv_add(argv, strdup(a->args[i])))
			return -1;
	return 0;
}

/* In the child: only async-signal-safe calls from here to execve(). */
static void __attribute__((noreturn)) child_exec(pid_t parent, int errfd, char **argv, char **envp)
{
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)	/* remsimd died before prctl() took effect */
		_exit(127);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);	/* SIG_IGN would survive exec */
	int null = open("/dev/null", O_RDONLY);
	if (null >= 0 && null != STDIN_FILENO) {
		dup2(null, STDIN_FILENO);
		close(null);
	}
	execve(argv[0], argv, envp);
	int e = errno;
	ssize_t w = write(errfd, &e, sizeof(e));
	(void)w;
	_exit(127);
}

void read_reason(const struct actor *a, char *buf, size_t len)
{
	buf[0] = '\0';
	if (!a->reason_file)
		return;
	int fd = open(a->reason_file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	ssize_t n = read(fd, buf, len - 1);
	close(fd);
	unlink(a->reason_file);
	if (n <= 0)
		return;
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
}

pid_t spawn_actor(const struct sup *s, const struct actor *a, char *err, size_t errlen)
{
	struct strv argv = { 0 }, env = { 0 };
	if (a->reason_file)
		unlink(a->reason_file);	/* a reason of an earlier life */
	pid_t pid = -1;
	int pfd[2] = { -1, -1 };
	if (build_argv(s, a, &argv) || build_env(s, a, &env)) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		goto out;
	}
	pid_t parent = getpid();
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0)
		child_exec(parent, pfd[1], argv.v, env.v);
	setpgid(pid, pid);	/* also from here: no race with signal_actor() */
	close(pfd[1]);
	pfd[1] = -1;
	int child_errno = 0;
	ssize_t n;
	do
		n = read(pfd[0], &child_errno, sizeof(child_errno));
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)sizeof(child_errno)) {
		snprintf(err, errlen, "cannot exec %s: %s", a->program, strerror(child_errno));
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		pid = -1;
	}
out:
	if (pfd[0] >= 0)
		close(pfd[0]);
	if (pfd[1] >= 0)
		close(pfd[1]);
	strv_free(&argv);
	strv_free(&env);
	return pid;
}

void signal_actor(const struct actor *a, int sig)
{
	if (a->pid <= 0)
		return;
	if (kill(-a->pid, sig) < 0)
		kill(a->pid, sig);
}

void describe_status(int wstatus, char *buf, size_t len)
{
	if (WIFEXITED(wstatus))
		snprintf(buf, len, "exit status %d", WEXITSTATUS(wstatus));
	else if (WIFSIGNALED(wstatus))
		snprintf(buf, len, "killed by signal %d%s", WTERMSIG(wstatus),
			 WCOREDUMP(wstatus) ? " (core dumped)" : "");
	else
		snprintf(buf, len, "wait status 0x%x", wstatus);
}
