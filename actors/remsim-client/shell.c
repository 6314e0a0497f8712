/* SPDX-License-Identifier: GPL-2.0-or-later */
/* shell.c: how remsim-client-shell runs.  remsimd gives its actors
 * /dev/null as stdin, so the shell does not go through remsimd: this
 * process forks the broker (which dies with us: PR_SET_PDEATHSIG, its
 * stdout pointed at stderr so stdout carries only R-APDU/SET_ATR lines),
 * waits for its hub socket and then exec()s the usbslot actor in its own
 * place, which keeps our stdin/stdout and our pid.  A small keeper process
 * between us and the broker restarts the broker when it dies (after 100 ms,
 * at most 10 times in 10 s), as remsimd would: the usbslot then re-registers
 * with the new broker and its links come back.  EOF on stdin ends the
 * actor with status 0; the kernel then SIGKILLs the broker (a client-role
 * broker holds nothing worth an orderly shutdown; the kernel closes its TCP
 * connections, and SIGKILL cannot be missed by a busy poll loop). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <czmq.h>

#include "launcher.h"
#include "monotime.h"
#include "progdir.h"

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* The keeper: run the broker, and again when it dies of a signal. */
static int keep_broker(const char *broker, const char *cfg, const char *hub, const char *hub_path)
{
	pid_t me = getpid();
	int64_t starts[10] = { 0 };
	for (unsigned n = 0;; n++) {
		int64_t now = mono_ms();
		if (starts[n % 10] && now - starts[n % 10] < 10000) {
			fprintf(stderr, "remsim-client-shell: the broker died 10 times within 10 s: giving up\n");
			return 1;
		}
		starts[n % 10] = now;
		pid_t b = fork();
		if (b < 0)
			return 1;
		if (b == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != me)
				_exit(0);
			execl(broker, "broker", "--config", cfg, "--hub", hub, (char *)NULL);
			fprintf(stderr, "remsim-client-shell: cannot run %s: %s\n", broker, strerror(errno));
			_exit(127);
		}
		int status;
		while (waitpid(b, &status, 0) < 0 && errno == EINTR)
			;
		if (!WIFSIGNALED(status))	/* an orderly exit or a start-up failure */
			return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
		fprintf(stderr, "remsim-client-shell: the broker (pid %d) was killed by signal %d: "
			"restarting it\n", (int)b, WTERMSIG(status));
		unlink(hub_path);	/* its stale socket */
		sleep_ms(100);
	}
}

int shell_run(const struct launch *l, const char *cfg)
{
	char broker[4200], usbslot[4200], hub_path[4200], hub[4300];
	char actors[4096];
	progdir_actors(actors, sizeof(actors));
	snprintf(broker, sizeof(broker), "%s/broker", actors);
	snprintf(usbslot, sizeof(usbslot), "%s/usbslot", actors);
	snprintf(hub_path, sizeof(hub_path), "%s/hub", l->run_dir);
	snprintf(hub, sizeof(hub), "ipc://%s", hub_path);
	unlink(hub_path);	/* stale socket of an earlier run */

	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		perror("remsim-client-shell: fork");
		return 1;
	}
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(0);
		int nul = open("/dev/null", O_RDONLY);
		if (nul >= 0) {
			dup2(nul, 0);
			close(nul);
		}
		dup2(2, 1);
		_exit(keep_broker(broker, cfg, hub, hub_path));
	}
	struct stat st;
	for (int i = 0; stat(hub_path, &st) != 0; i++) {
		int status;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			fprintf(stderr, "remsim-client-shell: the broker exited at start-up\n");
			return 1;
		}
		if (i >= 500) {
			fprintf(stderr, "remsim-client-shell: no hub socket %s after 10 s\n", hub_path);
			kill(pid, SIGTERM);
			return 1;
		}
		sleep_ms(20);
	}
	setenv("REMSIM_INDEX", "0", 1);
	setenv("REMSIM_RUN_DIR", l->run_dir, 1);
	execl(usbslot, "usbslot", "--hub", hub, "--name", "usbslot/0", "--config", cfg, (char *)NULL);
	fprintf(stderr, "remsim-client-shell: cannot run %s: %s\n", usbslot, strerror(errno));
	kill(pid, SIGTERM);
	return 1;
}
