/* SPDX-License-Identifier: GPL-2.0-or-later */
/* crashy-actor: a stand-in actor for supervisor tests.  It prints its
 * arguments and REMSIM_* environment, then sleeps; it exits with a given
 * status or crashes (SIGSEGV) after a delay when told to.
 *
 *   crashy-actor [--hub EP --name N --config F] [--exit-after MS] [--status N]
 *                [--crash-after MS] [--ignore-term] [--reason TEXT]
 * --reason: log TEXT at FATAL level (common/base/log.h) before exiting, as real
 * actors do, so that remsimd reports it with the exit status.
 * The same knobs as environment: CRASHY_EXIT_AFTER_MS, CRASHY_STATUS,
 * CRASHY_CRASH_AFTER_MS, CRASHY_IGNORE_TERM=1.  SIGTERM exits 0 (unless
 * ignored).  Unknown options are ignored (they belong to a real actor). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static volatile sig_atomic_t got_term;

static void on_term(int sig)
{
	(void)sig;
	got_term = 1;
}

static long env_long(const char *name, long dflt)
{
	const char *v = getenv(name);
	return v && *v ? strtol(v, NULL, 10) : dflt;
}

int main(int argc, char **argv)
{
	long exit_after = env_long("CRASHY_EXIT_AFTER_MS", -1);
	long status = env_long("CRASHY_STATUS", 1);
	long crash_after = env_long("CRASHY_CRASH_AFTER_MS", -1);
	int ignore_term = env_long("CRASHY_IGNORE_TERM", 0) != 0;
	const char *name = getenv("REMSIM_NAME") ? getenv("REMSIM_NAME") : "?";
	const char *reason = NULL;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--exit-after") == 0 && v)
			exit_after = strtol(argv[++i], NULL, 10);
		else if (strcmp(a, "--status") == 0 && v)
			status = strtol(argv[++i], NULL, 10);
		else if (strcmp(a, "--crash-after") == 0 && v)
			crash_after = strtol(argv[++i], NULL, 10);
		else if (strcmp(a, "--ignore-term") == 0)
			ignore_term = 1;
		else if (strcmp(a, "--reason") == 0 && v)
			reason = argv[++i];
	}
	printf("crashy-actor %s pid %d argv:", name, (int)getpid());
	for (int i = 1; i < argc; i++)
		printf(" %s", argv[i]);
	printf("\n");
	static const char *const envs[] = { "REMSIM_HUB", "REMSIM_NAME", "REMSIM_CONFIG",
		"REMSIM_RUN_DIR", "REMSIM_INDEX", NULL };
	for (const char *const *e = envs; *e; e++)
		printf("crashy-actor %s env %s=%s\n", name, *e, getenv(*e) ? getenv(*e) : "(unset)");
	fflush(stdout);

	struct sigaction sa = { .sa_handler = ignore_term ? SIG_IGN : on_term };
	sigaction(SIGTERM, &sa, NULL);
	struct rlimit nocore = { 0, 0 };
	setrlimit(RLIMIT_CORE, &nocore);

	struct timespec t0, now;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!got_term) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		long el = (now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000;
		if (exit_after >= 0 && el >= exit_after) {
			if (reason) {
				log_init(name);
				LOGF(NULL, "%s", reason);
			}
			return (int)status;
		}
		if (crash_after >= 0 && el >= crash_after) {
			signal(SIGSEGV, SIG_DFL);
			raise(SIGSEGV);
		}
		usleep(10000);
	}
	printf("crashy-actor %s got SIGTERM\n", name);
	return 0;
}
