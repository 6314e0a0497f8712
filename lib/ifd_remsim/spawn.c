/* SPDX-License-Identifier: GPL-2.0-or-later */
/* spawn.c: starting the client role for a reader on first use.  pcscd is a
 * threaded daemon, so everything is prepared before fork(); the child only
 * calls async-signal-safe functions: new session, second fork (the role is
 * re-parented, pcscd never waits for it), all fds closed but the log, then
 * exec of remsim-client.  The program is $REMSIM_IFD_CLIENT, else
 * ../bin/remsim-client next to this library (the build tree), else
 * remsim-client in PATH. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ifd_remsim.h"
#include "log.h"

static void client_program(char *out, size_t len)
{
	const char *e = getenv("REMSIM_IFD_CLIENT");
	if (e && *e) {
		snprintf(out, len, "%s", e);
		return;
	}
	Dl_info di;
	if (dladdr((void *)client_program, &di) && di.dli_fname) {
		char lib[IFD_PATH_MAX];
		snprintf(lib, sizeof(lib), "%s", di.dli_fname);
		snprintf(out, len, "%.400s/../bin/remsim-client", dirname(lib));
		if (access(out, X_OK) == 0)
			return;
	}
	snprintf(out, len, "remsim-client");
}

static int make_dirs(const char *dir)
{
	char p[IFD_PATH_MAX];
	snprintf(p, sizeof(p), "%s", dir);
	for (char *q = p + 1; *q; q++) {
		if (*q != '/')
			continue;
		*q = '\0';
		mkdir(p, 0755);
		*q = '/';
	}
	return mkdir(p, 0700) == 0 || errno == EEXIST ? 0 : -1;
}

int ifd_spawn_role(const struct ifd_target *t, const char *ctx)
{
	char prog[IFD_PATH_MAX], logf[IFD_PATH_MAX + 16], id[24], slot[24], port[16];
	client_program(prog, sizeof(prog));
	if (make_dirs(t->run_dir) < 0) {
		LOGE(ctx, "cannot create run dir %s: %s", t->run_dir, strerror(errno));
		return -1;
	}
	snprintf(logf, sizeof(logf), "%s/client.log", t->run_dir);
	snprintf(id, sizeof(id), "%ld", t->client_id);
	snprintf(slot, sizeof(slot), "%ld", t->slot_nr);
	snprintf(port, sizeof(port), "%d", t->server_port);
	char *argv[IFD_ARGS_MAX];
	int k = 0;
	argv[k++] = "remsim-client";
	if (t->config[0]) {
		argv[k++] = "--config";
		argv[k++] = (char *)t->config;
	} else {
		argv[k++] = "--ifd";
		argv[k++] = "-i";
		argv[k++] = (char *)t->server_host;
		argv[k++] = "-p";
		argv[k++] = port;
		argv[k++] = "-c";
		argv[k++] = id;
		argv[k++] = "-n";
		argv[k++] = slot;
		argv[k++] = "--run-dir";
		argv[k++] = (char *)t->run_dir;
	}
	argv[k] = NULL;
	int logfd = open(logf, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (logfd < 0) {
		LOGE(ctx, "cannot open %s: %s", logf, strerror(errno));
		return -1;
	}
	LOGN(ctx, "starting the client role: %s %s ... (log %s)", prog, argv[1], logf);
	pid_t pid = fork();
	if (pid < 0) {
		LOGE(ctx, "fork: %s", strerror(errno));
		close(logfd);
		return -1;
	}
	if (pid == 0) {
		setsid();
		if (fork() != 0)
			_exit(0);
		int nul = open("/dev/null", O_RDONLY);
		dup2(nul, 0);
		dup2(logfd, 1);
		dup2(logfd, 2);
		close_range(3, ~0U, 0);
		if (strchr(prog, '/'))
			execv(prog, argv);
		else
			execvp(prog, argv);
		_exit(127);
	}
	close(logfd);
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return 0;
}
