/* SPDX-License-Identifier: GPL-2.0-or-later */
/* script.c: the event script (-e CMD, client.md §5): run asynchronously as
 *     /bin/sh -c "CMD CAUSE"
 * with a whitelist of our environment plus the REMSIM_* variables.  The
 * script is double-forked, so it never becomes our zombie and we never wait
 * for it; everything the child needs is prepared before fork() (the actor
 * has ZeroMQ threads, so the child only calls fork/execve/_exit).
 * Differences from osmo-remsim: REMSIM_SIM_VCC/RST/CLK are 0 or 1 (-1 when
 * unknown), not raw SIMtrace2 flag values. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "usbslot.h"

extern char **environ;

static const char *const keep_env[] = {
	"USER", "LOGNAME", "HOME", "LANG", "PATH", "PWD", "SHELL", "TERM", "TMPDIR",
	"LD_LIBRARY_PATH", "LD_PRELOAD", "POSIXLY_CORRECT", "HOSTALIASES", "TZ", "TZDIR",
	"TERMCAP", "COLUMNS", "LINES", NULL,
};

static int kept(const char *kv)
{
	if (!strncmp(kv, "LC_", 3))
		return 1;
	for (int i = 0; keep_env[i]; i++) {
		size_t l = strlen(keep_env[i]);
		if (!strncmp(kv, keep_env[i], l) && kv[l] == '=')
			return 1;
	}
	return 0;
}

#define MAX_ENV 96

void script_run(struct slot *s, const char *cause)
{
	if (!s->set.event_script[0])
		return;
	char *env[MAX_ENV + 1];
	int n = 0;
	for (char **e = environ; e && *e && n < MAX_ENV - 24; e++)
		if (kept(*e))
			env[n++] = strdup(*e);
	const struct rspro_phys_status *st = &s->last_status;
	int have = s->have_status;
	char bankd[96];
	if (s->bankd_ip[0])
		snprintf(bankd, sizeof(bankd), "%s:%u", s->bankd_ip, (unsigned)s->bankd_port);
	else
		snprintf(bankd, sizeof(bankd), "(null):0");
#define ADD(...) do { if (asprintf(&env[n], __VA_ARGS__) >= 0) n++; } while (0)
	ADD("REMSIM_CLIENT_VERSION=%s", USBSLOT_VERSION);
	ADD("REMSIM_SERVER_ADDR=%s:%d", s->set.server_host, s->set.server_port);
	ADD("REMSIM_SERVER_STATE=%s", rconn_state_name(s->srv.st));
	ADD("REMSIM_BANKD_ADDR=%s", bankd);
	ADD("REMSIM_BANKD_STATE=%s", rconn_state_name(s->bkd.st));
	ADD("REMSIM_CLIENT_SLOT=%ld:%ld", s->cs.client_id, s->cs.slot_nr);
	ADD("REMSIM_BANKD_SLOT=%ld:%ld", s->bs.bank_id, s->bs.slot_nr);
	ADD("REMSIM_SIM_VCC=%d", have ? st->vcc_present : -1);
	ADD("REMSIM_SIM_RST=%d", have ? (int)st->reset_active : -1);
	ADD("REMSIM_SIM_CLK=%d", have ? st->clk_active : -1);
	ADD("REMSIM_CAUSE=%s", cause);
	ADD("REMSIM_SLOT_STATE=%s", fsm_state_name(s->ms));
#undef ADD
	if (s->fe->script_env)
		n += s->fe->script_env(s, env + n, MAX_ENV - n);
	env[n] = NULL;
	char *cmd = NULL;
	if (asprintf(&cmd, "%s %s", s->set.event_script, cause) < 0)
		cmd = NULL;
	char *argv[] = { "/bin/sh", "-c", cmd, NULL };

	pid_t pid = cmd ? fork() : -1;
	if (pid == 0) {
		if (fork() == 0) {
			execve("/bin/sh", argv, env);
			_exit(127);
		}
		_exit(0);
	}
	if (pid < 0)
		LOGE(SCTX(s), "event script for %s not run: cannot fork", cause);
	else {
		waitpid(pid, NULL, 0);
		LOGD(SCTX(s), "event script: %s", cmd);
	}
	free(cmd);
	for (int i = 0; i < n; i++)
		free(env[i]);
}
